/* wasi:http 0.2 — the internal contract between wasi_http_body.c (body
 * channels), wasi_http_types.c (wasi:http/types: both directions' resource
 * types), wasi_http_outgoing.c (wasi:http/outgoing-handler over libcurl's
 * multi interface) and `weft serve` (which makes incoming-request values and
 * reads the outgoing-response a guest sets through a response-outparam).
 *
 * Bodies are channels (wf_http_chan_t): a thread-safe byte queue between one
 * writer and one reader with a bound on buffered bytes. Either end may be
 * the guest (through a wasi:io stream) or the host (the curl worker thread,
 * or serve). Readiness of each end is an eventfd kept readable exactly
 * while that end can make progress, so wasi:io/poll waits on it with
 * poll(2) and never wakes spuriously.
 *
 * Guest-visible objects are wf_wasi_obj_t-refcounted (one guest thread);
 * channels and transfers are shared with the curl worker thread and have
 * their own atomic reference counts.
 */
#ifndef WF_WASI_HTTP_H
#define WF_WASI_HTTP_H

#include <pthread.h>
#include <stdatomic.h>

#include "wasi.h"

/* ---- body channels (wasi_http_body.c) --------------------------------------- */
#define WF_HTTP_CHAN_LIMIT (256u * 1024u)   /* default bound on buffered bytes */

typedef struct wf_http_chan wf_http_chan_t;
typedef struct wf_http_fields wf_http_fields_t;   /* headers / trailers (below) */
/* Called (without the channel lock) after the reader took bytes (space for
 * the writer) or the writer added bytes / finished (data for the reader). */
typedef void (*wf_http_chan_wake_fn)(void *env);

wf_http_chan_t *wf_http_chan_new(size_t limit);   /* one reference; NULL on OOM */
wf_http_chan_t *wf_http_chan_ref(wf_http_chan_t *c);
void wf_http_chan_unref(wf_http_chan_t *c);       /* NULL ok; thread-safe */

/* Writer end. Bytes it may take now (0: full, wait on wf_http_chan_space_fd;
 * -1: the reader is gone or the channel finished). */
int64_t wf_http_chan_space(wf_http_chan_t *c);
/* Append len bytes (may exceed the bound: the caller checked space, or is a
 * host producer that pauses itself). 0, or -1 if the reader is gone. */
int wf_http_chan_write(wf_http_chan_t *c, const uint8_t *p, size_t len);
/* End of body: error_code < 0 for a clean end, else an error-code case
 * index (WF_HTTP_E_*) with an optional message. The first finish wins. */
void wf_http_chan_finish(wf_http_chan_t *c, int error_code, const char *msg);
/* A clean end with trailers (NULL: none, as finish(c, -1, NULL)). Takes the
 * reference: the channel holds the only one from then on (pass a clone of
 * fields other objects share: the channel may be released on another
 * thread). If the channel already ended, the trailers are dropped. */
void wf_http_chan_finish_trailers(wf_http_chan_t *c, wf_http_fields_t *trailers);
/* The trailers the writer ended with, borrowed (valid while the channel
 * lives and they are not taken); NULL: none (yet). */
const wf_http_fields_t *wf_http_chan_trailers(wf_http_chan_t *c);
/* Take the trailers (the reference passes to the caller; later calls give
 * NULL). For the reader once wf_http_chan_ended reported a clean end. */
wf_http_fields_t *wf_http_chan_take_trailers(wf_http_chan_t *c);
/* Fd readable while the writer can progress (space, or the reader gone). */
int wf_http_chan_space_fd(wf_http_chan_t *c);
uint64_t wf_http_chan_written(wf_http_chan_t *c);   /* total bytes ever written */

/* Reader end. Read at most cap bytes: > 0 bytes, 0 nothing yet (wait on
 * wf_http_chan_data_fd), WF_WASI_CLOSED at a clean end, WF_WASI_FAILED
 * after an error end (*error_code set; msg copied to msgbuf if non-NULL). */
int64_t wf_http_chan_read(wf_http_chan_t *c, uint8_t *buf, size_t cap, int *error_code, char *msgbuf,
                          size_t msgcap);
/* Fd readable while the reader can progress (data, or the end). */
int wf_http_chan_data_fd(wf_http_chan_t *c);
/* The reader stops reading: buffered and later bytes are dropped, the
 * writer sees -1 from space/write; data_fd then signals only the end. */
void wf_http_chan_discard(wf_http_chan_t *c);
/* 1 once finished and every byte read/dropped (or discarded and finished). */
int wf_http_chan_ended(wf_http_chan_t *c, int *error_code);
/* Block until the writer can progress (space: true; as space_fd) or the
 * reader can (false; as data_fd), or until deadline_ns (CLOCK_MONOTONIC;
 * WF_WASI_NO_DEADLINE: none): 1 ready, 0 deadline. Uses no fd. */
int wf_http_chan_wait(wf_http_chan_t *c, bool space, uint64_t deadline_ns);
/* Bytes buffered for the reader now; *finished: the writer ended it. */
size_t wf_http_chan_pending(wf_http_chan_t *c, bool *finished);
bool wf_http_chan_readable(wf_http_chan_t *c);   /* data_fd would be readable now */
bool wf_http_chan_writable(wf_http_chan_t *c);   /* space_fd would be readable now */
/* A wasi:io/poll wait on one end: ready now, else its eventfd (made on the
 * first call: the fds exist only for channels someone polls). */
void wf_http_chan_readiness(wf_http_chan_t *c, bool space, wf_wasi_wait_t *w);
/* Wake callbacks (set once, before both ends are in use). */
void wf_http_chan_on_data(wf_http_chan_t *c, wf_http_chan_wake_fn fn, void *env);
void wf_http_chan_on_space(wf_http_chan_t *c, wf_http_chan_wake_fn fn, void *env);

/* A guest input-stream reading c / output-stream writing c (each takes a
 * channel reference). An output stream limited to `max` bytes (UINT64_MAX:
 * none) fails writes beyond it (Content-Length). */
wf_wasi_istream_t *wf_http_chan_istream_new(wf_http_chan_t *c);
wf_wasi_ostream_t *wf_http_chan_ostream_new(wf_http_chan_t *c, uint64_t max);

/* ---- wasi:http/types error-code cases (order of http.wit) ------------------- */
enum {
  WF_HTTP_E_DNS_TIMEOUT = 0, WF_HTTP_E_DNS_ERROR, WF_HTTP_E_DESTINATION_NOT_FOUND,
  WF_HTTP_E_DESTINATION_UNAVAILABLE, WF_HTTP_E_DESTINATION_IP_PROHIBITED,
  WF_HTTP_E_DESTINATION_IP_UNROUTABLE, WF_HTTP_E_CONNECTION_REFUSED, WF_HTTP_E_CONNECTION_TERMINATED,
  WF_HTTP_E_CONNECTION_TIMEOUT, WF_HTTP_E_CONNECTION_READ_TIMEOUT, WF_HTTP_E_CONNECTION_WRITE_TIMEOUT,
  WF_HTTP_E_CONNECTION_LIMIT_REACHED, WF_HTTP_E_TLS_PROTOCOL_ERROR, WF_HTTP_E_TLS_CERTIFICATE_ERROR,
  WF_HTTP_E_TLS_ALERT_RECEIVED, WF_HTTP_E_REQUEST_DENIED, WF_HTTP_E_REQUEST_LENGTH_REQUIRED,
  WF_HTTP_E_REQUEST_BODY_SIZE, WF_HTTP_E_REQUEST_METHOD_INVALID, WF_HTTP_E_REQUEST_URI_INVALID,
  WF_HTTP_E_REQUEST_URI_TOO_LONG, WF_HTTP_E_REQUEST_HEADER_SECTION_SIZE, WF_HTTP_E_REQUEST_HEADER_SIZE,
  WF_HTTP_E_REQUEST_TRAILER_SECTION_SIZE, WF_HTTP_E_REQUEST_TRAILER_SIZE, WF_HTTP_E_RESPONSE_INCOMPLETE,
  WF_HTTP_E_RESPONSE_HEADER_SECTION_SIZE, WF_HTTP_E_RESPONSE_HEADER_SIZE, WF_HTTP_E_RESPONSE_BODY_SIZE,
  WF_HTTP_E_RESPONSE_TRAILER_SECTION_SIZE, WF_HTTP_E_RESPONSE_TRAILER_SIZE,
  WF_HTTP_E_RESPONSE_TRANSFER_CODING, WF_HTTP_E_RESPONSE_CONTENT_CODING, WF_HTTP_E_RESPONSE_TIMEOUT,
  WF_HTTP_E_UPGRADE_FAILED, WF_HTTP_E_PROTOCOL_ERROR, WF_HTTP_E_LOOP_DETECTED,
  WF_HTTP_E_CONFIGURATION_ERROR, WF_HTTP_E_INTERNAL_ERROR, WF_HTTP_E_COUNT
};
const char *wf_http_error_name(int code);   /* "connection-refused"; NULL if out of range */

/* ---- fields (headers / trailers) -------------------------------------------- */
typedef struct {
  char *name;             /* lower-cased, NUL-terminated */
  uint8_t *value;
  size_t value_len;
} wf_http_field_t;
struct wf_http_fields {
  wf_wasi_obj_t obj;
  bool immutable;
  wf_http_field_t *v;
  size_t n, cap;
  size_t bytes;           /* sum of name + value lengths (bounded) */
};
#define WF_HTTP_FIELDS_MAX_BYTES (1u << 20)   /* a header section's bound */

wf_http_fields_t *wf_http_fields_new(void);
/* Validate (token name, value without CR/LF/NUL, not forbidden) and append.
 * 0 ok; 1 invalid-syntax, 2 forbidden (header-error case + 1); -1 out of
 * memory. */
int wf_http_fields_append(wf_http_fields_t *f, const char *name, size_t nlen, const uint8_t *value,
                          size_t vlen, bool check_forbidden);
/* A mutable copy (one reference; NULL on OOM). */
wf_http_fields_t *wf_http_fields_clone(const wf_http_fields_t *f);
/* The first value of a field (NULL if absent). */
const wf_http_field_t *wf_http_fields_get(const wf_http_fields_t *f, const char *lname);
bool wf_http_is_token(const char *s, size_t n);   /* RFC 9110 token */

/* ---- methods and schemes ---------------------------------------------------- */
/* method variant: get..patch = 0..8, other(string) = 9; scheme: HTTP 0, HTTPS 1, other 2. */
#define WF_HTTP_METHOD_OTHER 9
#define WF_HTTP_SCHEME_NONE (-1)
#define WF_HTTP_SCHEME_OTHER 2
const char *wf_http_method_name(int m);   /* "GET"; NULL for other */

/* ---- requests and responses (wasi_http_types.c) ----------------------------- */
typedef struct wf_http_link wf_http_link_t;

typedef struct {
  wf_wasi_obj_t obj;
  int method;             /* WF_HTTP_METHOD_OTHER: method_other */
  char *method_other;
  int scheme;             /* WF_HTTP_SCHEME_NONE, 0, 1, OTHER: scheme_other */
  char *scheme_other;
  char *authority, *path; /* NULL: none */
  wf_http_fields_t *headers;
  wf_http_chan_t *body;   /* NULL until body() / for incoming: always set */
  uint64_t body_max;      /* Content-Length or UINT64_MAX */
  bool body_taken;
  bool incoming;          /* incoming-request (the host writes the body) */
} wf_http_request_t;      /* outgoing-request and incoming-request */

typedef struct {
  wf_wasi_obj_t obj;
  uint16_t status;
  wf_http_fields_t *headers;
  wf_http_chan_t *body;
  uint64_t body_max;
  bool body_taken;
  wf_http_fields_t *trailers;   /* outgoing: given to finish (serve reads them) */
  bool incoming;                /* incoming-response (the host writes the body) */
} wf_http_response_t;     /* outgoing-response and incoming-response */

/* request-options: timeouts in ns, UINT64_MAX = none */
typedef struct {
  wf_wasi_obj_t obj;
  uint64_t connect, first_byte, between_bytes;
} wf_http_options_t;

/* A future filled from another thread (the curl worker). */
typedef struct wf_http_future wf_http_future_t;

/* What a response-outparam received (serve takes it). */
typedef struct {
  wf_wasi_obj_t obj;
  bool set;
  wf_http_response_t *response;   /* a reference, or NULL with error_code >= 0 */
  int error_code;
  char *error_msg;                /* internal-error's message, or NULL */
  /* Called on the guest's thread right after set records the above
   * (weft serve starts the response from there); NULL: none. */
  void (*on_set)(void *env);
  void *on_set_env;
} wf_http_outparam_t;

/* Resource types of wasi:http/types. */
typedef enum {
  WF_HTTP_RT_FIELDS = 0, WF_HTTP_RT_INCOMING_REQUEST, WF_HTTP_RT_OUTGOING_REQUEST,
  WF_HTTP_RT_REQUEST_OPTIONS, WF_HTTP_RT_RESPONSE_OUTPARAM, WF_HTTP_RT_INCOMING_RESPONSE,
  WF_HTTP_RT_INCOMING_BODY, WF_HTTP_RT_FUTURE_TRAILERS, WF_HTTP_RT_OUTGOING_RESPONSE,
  WF_HTTP_RT_OUTGOING_BODY, WF_HTTP_RT_FUTURE_INCOMING_RESPONSE, WF_HTTP_RT_COUNT
} wf_http_rt_t;

typedef struct wf_http_client wf_http_client_t;   /* wasi_http_outgoing.c */
struct wf_http_link {
  const wf_wasi_link_t *wasi;
  weft_resource_type_t *rt[WF_HTTP_RT_COUNT];
  wf_http_client_t *client;       /* made on the first outgoing request */
  pthread_mutex_t mu;             /* guards client creation */
};

/* An owned handle of one of our types. */
weft_val_t wf_http_own(const wf_http_link_t *h, wf_http_rt_t t, void *obj);
/* The object behind a handle of type t (NULL after a trap otherwise). */
void *wf_http_arg(weft_call_t *call, const wf_http_link_t *h, wf_http_rt_t t, const weft_val_t *v);
/* An own<fields> argument: its reference passes to the caller (a borrow
 * gets a new one); the fields are immutable from then on. NULL: trap. */
wf_http_fields_t *wf_http_adopt_fields(weft_call_t *call, wf_http_link_t *h, const weft_val_t *v);
/* Value builders (nested storage in the call arena; non-zero after a trap):
 * a bare value of a kind; option (some NULL: none); variant/result case. */
weft_val_t wf_http_val(weft_vkind_t k);
int wf_http_opt(weft_call_t *call, weft_val_t *out, const weft_val_t *some);
int wf_http_var(weft_call_t *call, weft_val_t *out, weft_vkind_t k, uint32_t idx, const weft_val_t *payload);
/* error-code values (payload none, except internal-error(some(msg)) when
 * msg is non-NULL). */
int wf_http_error_val(weft_call_t *call, int code, const char *msg, weft_val_t *out);

/* future-incoming-response (wasi_http_types.c), completed by the client. */
wf_http_future_t *wf_http_future_new(void);     /* pending; one atomic reference */
wf_http_future_t *wf_http_future_ref(wf_http_future_t *f);
void wf_http_future_unref(wf_http_future_t *f);
/* Complete with a response (takes the reference) or an error code. */
void wf_http_future_resolve(wf_http_future_t *f, wf_http_response_t *resp, int error_code, const char *msg);
/* Called once when the guest drops the future (cancel the transfer). */
void wf_http_future_on_cancel(wf_http_future_t *f, void (*fn)(void *), void *env);
/* A future-incoming-response handle over f (takes the reference; *ok 0 on OOM). */
weft_val_t wf_http_future_val(wf_http_link_t *h, wf_http_future_t *f, bool *ok);
wf_http_response_t *wf_http_response_new(uint16_t status, wf_http_fields_t *headers, wf_http_chan_t *body);

/* outgoing-handler.handle: start a transfer (wasi_http_outgoing.c). Returns
 * the future, or NULL with *error_code (and msg) set. Takes no reference
 * from req (it keeps its own). */
wf_http_future_t *wf_http_client_send(wf_http_link_t *h, wf_http_request_t *req, const wf_http_options_t *opt,
                                      int *error_code, char *msg, size_t msgcap);
void wf_http_client_free(wf_http_client_t *c);

weft_status_t wf_http_add_types(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err);
weft_status_t wf_http_add_fields(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err);   /* wasi_http_fields.c */
weft_status_t wf_http_add_future(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err);   /* wasi_http_future.c */

weft_status_t wf_http_add_outgoing(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err);

/* ---- for `weft serve` (incoming side) ----------------------------------------
 * The wasi:http link of an instance made by a linker with WASI + http, or
 * NULL. */
wf_http_link_t *wf_http_link_of(weft_cinstance_t *inst);
/* An incoming-request value owned by the host, to pass to the guest's
 * wasi:http/incoming-handler.handle. method: "GET" etc. (any token);
 * scheme: "http"/"https"/NULL; headers: names/values (invalid or forbidden
 * ones are rejected: -1 with msg); body: a channel serve writes (one
 * reference is taken), or NULL for an empty body. */
typedef struct {
  const char *name;
  const uint8_t *value;
  size_t value_len;
} wf_http_header_t;
int wf_http_incoming_request_new(wf_http_link_t *h, const char *method, const char *scheme,
                                 const char *authority, const char *path_with_query,
                                 const wf_http_header_t *headers, size_t nheaders, wf_http_chan_t *body,
                                 weft_val_t *out, char *msg, size_t msgcap);
/* A response-outparam value for the guest; *op (one reference for serve)
 * shows what the guest set: after the call, op->set, op->response (status,
 * headers, body channel: read it to its end, trailers), or op->error_code.
 * Release with wf_wasi_unref(op). */
int wf_http_outparam_new(wf_http_link_t *h, weft_val_t *out, wf_http_outparam_t **op);

#endif
