/* weft — serving wasi:http/incoming-handler (the host side of `weft serve`).
 *
 * An exchange is one HTTP request and its response, shared by two threads:
 * the server thread (which has the connection: it writes the request body
 * and reads the response) and the thread that runs the guest (which calls
 * wasi:http/incoming-handler.handle with it). The guest may read the
 * request body while it arrives and stream its response while it runs:
 * both bodies are bounded buffers, and every blocking call on the server
 * side takes a deadline.
 *
 * Each side holds one reference (weft_http_exchange_new gives one,
 * weft_http_exchange_ref adds the other); the guest side drops its
 * reference only after its instance is freed.
 *
 * Deadlines are CLOCK_MONOTONIC times in nanoseconds (weft_http_now_ns()). */
#ifndef WEFT_SERVE_H
#define WEFT_SERVE_H

#include "weft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_http_exchange weft_http_exchange_t;

typedef struct {
  const char *name;        /* NUL-terminated */
  const uint8_t *value;
  size_t value_len;
} weft_http_header_t;

#define WEFT_HTTP_TIMEOUT (-2)   /* a deadline passed */

WEFT_API uint64_t weft_http_now_ns(void);

/* A request head (copied). Header names and values are checked as
 * wasi:http fields (names are tokens, values have no CR, LF or NUL); the
 * method must be a token. has_body: 0 for a request without a body.
 * NULL with a message in msg when the head is invalid or memory ran out. */
WEFT_API weft_http_exchange_t *weft_http_exchange_new(const char *method, const char *scheme, const char *authority,
                                                      const char *path_with_query, const weft_http_header_t *headers,
                                                      size_t nheaders, int has_body, char *msg, size_t msgcap);
WEFT_API weft_http_exchange_t *weft_http_exchange_ref(weft_http_exchange_t *x);
WEFT_API void weft_http_exchange_unref(weft_http_exchange_t *x);   /* NULL ok */

/* ---- the guest's side ----
 * Call inst's wasi:http/incoming-handler.handle (any 0.2.x) with the
 * request. Returns when the guest returns; a response body the guest did
 * not finish is then ended with an error. WEFT_ERR_TRAP: the guest
 * trapped (message and backtrace in err); WEFT_ERR_LINK: inst exports no
 * incoming-handler or was not linked with wasi:http; WEFT_ERR_ARG: the
 * request head was refused by wasi:http (the server answers 400). */
WEFT_API weft_status_t weft_http_exchange_call(weft_http_exchange_t *x, weft_cinstance_t *inst, weft_error_t *err);

/* The guest side could not run the handler (e.g. instantiation failed):
 * the server sees no response, with msg as the error. */
WEFT_API void weft_http_exchange_fail(weft_http_exchange_t *x, const char *msg);

/* Replace the stdin/stdout/stderr fds of one WASI instance (each is
 * duplicated; -1: empty input / discarded output), e.g. per-request pipes.
 * Streams the guest already took keep their old fd. */
WEFT_API weft_status_t weft_wasi_instance_stdio(weft_cinstance_t *inst, int in_fd, int out_fd, int err_fd);

/* ---- the server's side ---- */
/* Request body: append n bytes, waiting up to the deadline while the
 * guest's buffer is full. 0: taken; 1: the guest dropped the body (stop
 * sending; the bytes are discarded); WEFT_HTTP_TIMEOUT. */
WEFT_API int weft_http_exchange_body_write(weft_http_exchange_t *x, const uint8_t *p, size_t n, uint64_t deadline);
/* HTTP/1.1 answers after the whole request: while body_write waits for
 * the guest to read, it keeps what the guest already wrote of its response
 * (up to max bytes; default 64 MiB), so a guest that answers while it
 * reads (an echo) does not stall. */
WEFT_API void weft_http_exchange_set_spool(weft_http_exchange_t *x, size_t max);
/* End of the request body: complete (ok != 0) or cut short (the guest's
 * read fails with connection-terminated). */
WEFT_API void weft_http_exchange_body_end(weft_http_exchange_t *x, int ok);
/* A complete request body that ended with trailers (the footers of a
 * chunked request): the guest's future-trailers gets them. Fields that
 * are not valid wasi:http fields (name not a token; CR, LF, NUL or another
 * control character but HTAB in the value) are dropped: returns how many.
 * n == 0 is body_end(x, 1). */
WEFT_API size_t weft_http_exchange_body_end_trailers(weft_http_exchange_t *x, const weft_http_header_t *trailers,
                                                     size_t n);

/* Wait until the guest set its response or finished without one. Once it
 * is set, the wait goes on until the response settles: its body finished
 * or 16 KiB of it buffered, 2 ms passed, or handle returned (so a small
 * answer is taken in one piece, see body_complete; the head of a guest
 * that sets it and then goes quiet is seen within 25 ms). 1: a
 * response (status, headers, body below); 0: none (the guest trapped,
 * returned without one, set an error-code, or the request was refused:
 * weft_http_exchange_error says which, weft_http_exchange_bad_request
 * tells a 400 from a 500); WEFT_HTTP_TIMEOUT. */
WEFT_API int weft_http_exchange_wait_response(weft_http_exchange_t *x, uint64_t deadline);
WEFT_API const char *weft_http_exchange_error(weft_http_exchange_t *x);
WEFT_API int weft_http_exchange_bad_request(weft_http_exchange_t *x);
/* After wait_response returned 1. Header names are lower case; header
 * values are also NUL-terminated (trailer values are not). */
WEFT_API int weft_http_exchange_status(weft_http_exchange_t *x);
WEFT_API size_t weft_http_exchange_header_count(weft_http_exchange_t *x);
WEFT_API weft_http_header_t weft_http_exchange_header(weft_http_exchange_t *x, size_t i);
/* Response body: > 0 bytes read; 0 at its clean end; -1 when it ended
 * with an error (message in weft_http_exchange_error); WEFT_HTTP_TIMEOUT. */
WEFT_API int64_t weft_http_exchange_read(weft_http_exchange_t *x, uint8_t *buf, size_t cap, uint64_t deadline);
/* The whole response body at once, when it is all there already: the
 * guest finished it cleanly, without trailers, and it holds at most max
 * bytes. Then 1, with *data and *len giving it (valid until the exchange is
 * freed; read() would still return the same bytes). Else 0, and the body is read
 * with weft_http_exchange_read as usual (nothing is lost). After
 * wait_response returned 1. */
WEFT_API int weft_http_exchange_body_complete(weft_http_exchange_t *x, size_t max, const uint8_t **data, size_t *len);
/* Trailers the guest finished the body with (after read returned 0). */
WEFT_API size_t weft_http_exchange_trailer_count(weft_http_exchange_t *x);
WEFT_API weft_http_header_t weft_http_exchange_trailer(weft_http_exchange_t *x, size_t i);
/* Give up (deadline, client gone): the guest's body reads fail and its
 * body writes are refused, so a guest blocked on either wakes up. Pair it
 * with weft_cinstance_interrupt for guest code that runs on. */
WEFT_API void weft_http_exchange_abort(weft_http_exchange_t *x);

#ifdef __cplusplus
}
#endif
#endif
