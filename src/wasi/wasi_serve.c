/* The serving side of wasi:http (include/weft_serve.h): an exchange links a
 * server thread holding an HTTP connection with the guest thread that runs
 * wasi:http/incoming-handler.handle. The request body is a channel the
 * server writes; the response head is copied when the guest calls
 * response-outparam.set (the outparam's on_set hook, on the guest thread)
 * and its body channel is read by the server while the guest still runs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../include/weft_serve.h"
#include "wasi_http.h"

enum { X_WAITING = 0, X_RESPONSE, X_NONE };

/* Once the guest set its response, the server sends the head when the body
 * is finished, or SETTLE_BYTES of it are buffered, or SETTLE_NS passed, or
 * handle returned: a small answer then goes out in one piece (and one
 * thread switch) rather than head, bytes and end one by one. A server
 * thread waiting for a head looks again every WAIT_SLICE_NS, which bounds
 * how late the head of a guest that sets it and then goes quiet can be. */
#define SETTLE_BYTES (16u * 1024u)
#define SETTLE_NS (2u * 1000000u)
#define WAIT_SLICE_NS (25u * 1000000u)

struct weft_http_exchange {
  atomic_uint refs;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  /* request head */
  char *method, *scheme, *authority, *path;
  wf_http_header_t *headers;
  size_t nheaders;
  wf_http_chan_t *req_body;       /* NULL: no body */
  /* response (state and head under mu) */
  int state;
  bool bad_request;
  uint16_t status;
  weft_http_header_t *rh;
  size_t nrh;
  wf_http_chan_t *resp_body;      /* a reference; NULL: empty body */
  wf_http_outparam_t *op;         /* serve's reference (released with the exchange) */
  wf_http_response_t *resp;       /* a reference, for the trailers */
  char error[600];
  /* the server waits for the head until the response "settles" (below):
   * one wake-up per request instead of one per event */
  bool guest_done;                /* handle returned (under mu) */
  bool server_waiting;            /* in wait_response (under mu) */
  uint64_t set_ns;                /* when response-outparam.set ran */
  /* response bytes taken while the request body still arrives (HTTP/1.1
   * sends the response after the request): server thread only */
  uint8_t *spool;
  size_t spool_len, spool_off, spool_max;
  bool spool_end;                 /* the body channel ended while spooling */
};

uint64_t weft_http_now_ns(void) { return wf_wasi_monotonic_ns(); }

static bool is_tchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr("!#$%&'*+-.^_`|~", c);
}

static char *dup_opt(const char *s, bool *ok) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) *ok = false;
  return d;
}

static void exchange_free(weft_http_exchange_t *x) {
  free(x->method);
  free(x->scheme);
  free(x->authority);
  free(x->path);
  for (size_t i = 0; i < x->nheaders; i++) free((void *)x->headers[i].name);   /* value shares the block */
  free(x->headers);
  for (size_t i = 0; i < x->nrh; i++) free((void *)x->rh[i].name);
  free(x->rh);
  wf_http_chan_unref(x->req_body);
  if (x->resp_body) wf_http_chan_on_data(x->resp_body, NULL, NULL);
  wf_http_chan_unref(x->resp_body);
  /* Both sides are done: the guest's instance (the only other user of
   * these single-thread objects) is gone. */
  wf_wasi_unref(x->resp);
  wf_wasi_unref(x->op);
  free(x->spool);
  pthread_cond_destroy(&x->cv);
  pthread_mutex_destroy(&x->mu);
  free(x);
}

/* name and value in one block: name NUL value */
static char *pack_field(const char *name, size_t nlen, const uint8_t *v, size_t vlen, const uint8_t **vout) {
  if (nlen > SIZE_MAX / 2 || vlen > SIZE_MAX / 2) return NULL;
  char *b = malloc(nlen + vlen + 2);
  if (!b) return NULL;
  memcpy(b, name, nlen);
  b[nlen] = 0;
  if (vlen) memcpy(b + nlen + 1, v, vlen);
  b[nlen + 1 + vlen] = 0;
  *vout = (const uint8_t *)(b + nlen + 1);
  return b;
}

weft_http_exchange_t *weft_http_exchange_new(const char *method, const char *scheme, const char *authority,
                                             const char *path_with_query, const weft_http_header_t *headers,
                                             size_t nheaders, int has_body, char *msg, size_t msgcap) {
  if (!method || !*method) {
    snprintf(msg, msgcap, "invalid request method");
    return NULL;
  }
  for (const char *p = method; *p; p++)
    if (!is_tchar((unsigned char)*p)) {
      snprintf(msg, msgcap, "invalid request method");
      return NULL;
    }
  /* headers: validated as wasi:http fields (and bounded like them); values
   * also hold no control characters but HTAB (RFC 9110 field-value) */
  wf_http_fields_t *f = wf_http_fields_new();
  if (!f) goto nomem;
  for (size_t i = 0; i < nheaders; i++) {
    for (size_t j = 0; j < headers[i].value_len; j++) {
      uint8_t b = headers[i].value[j];
      if ((b < 0x20 && b != '\t') || b == 0x7f) {
        wf_wasi_unref(f);
        snprintf(msg, msgcap, "control character in the value of header field '%.64s'", headers[i].name);
        return NULL;
      }
    }
    int he = wf_http_fields_append(f, headers[i].name, strlen(headers[i].name), headers[i].value,
                                   headers[i].value_len, false);
    if (he) {
      wf_wasi_unref(f);
      if (he < 0) goto nomem;
      snprintf(msg, msgcap, "invalid header field '%.64s'", headers[i].name);
      return NULL;
    }
  }
  weft_http_exchange_t *x = calloc(1, sizeof *x);
  if (!x) {
    wf_wasi_unref(f);
    goto nomem;
  }
  atomic_init(&x->refs, 1);
  x->spool_max = 64u << 20;
  pthread_mutex_init(&x->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&x->cv, &ca);
  pthread_condattr_destroy(&ca);
  bool ok = true;
  x->method = dup_opt(method, &ok);
  x->scheme = dup_opt(scheme, &ok);
  x->authority = dup_opt(authority, &ok);
  x->path = dup_opt(path_with_query, &ok);
  x->headers = calloc(f->n + 1, sizeof *x->headers);
  ok = ok && x->headers;
  for (size_t i = 0; ok && i < f->n; i++) {
    wf_http_header_t *h = &x->headers[i];
    h->name = pack_field(f->v[i].name, strlen(f->v[i].name), f->v[i].value, f->v[i].value_len, &h->value);
    h->value_len = f->v[i].value_len;
    if (!h->name) ok = false;
    else x->nheaders++;
  }
  wf_wasi_unref(f);
  if (ok && has_body) ok = (x->req_body = wf_http_chan_new(0)) != NULL;
  if (!ok) {
    exchange_free(x);
    goto nomem;
  }
  return x;
nomem:
  snprintf(msg, msgcap, "out of memory");
  return NULL;
}

weft_http_exchange_t *weft_http_exchange_ref(weft_http_exchange_t *x) {
  if (x) atomic_fetch_add(&x->refs, 1);
  return x;
}

void weft_http_exchange_unref(weft_http_exchange_t *x) {
  if (x && atomic_fetch_sub(&x->refs, 1) == 1) exchange_free(x);
}

/* ---- the guest's side ---- */

/* Under x->mu: has the response settled enough to send (see SETTLE_*)? */
static bool settled(weft_http_exchange_t *x, uint64_t now) {
  if (x->state != X_RESPONSE) return x->state == X_NONE;
  if (!x->resp_body || x->guest_done) return true;
  bool fin;
  size_t pending = wf_http_chan_pending(x->resp_body, &fin);
  return fin || pending >= SETTLE_BYTES || now - x->set_ns >= SETTLE_NS;
}

/* The guest wrote to (or ended) its response body: wake the server if the
 * response settled. Runs without the channel lock. */
static void on_resp_data(void *env) {
  weft_http_exchange_t *x = env;
  pthread_mutex_lock(&x->mu);
  if (x->server_waiting && settled(x, wf_wasi_monotonic_ns())) pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
}

/* response-outparam.set ran (guest thread): copy the head, take the body. */
static void on_set(void *env) {
  weft_http_exchange_t *x = env;
  wf_http_outparam_t *op = x->op;
  pthread_mutex_lock(&x->mu);
  if (x->state != X_WAITING) {
    pthread_mutex_unlock(&x->mu);
    return;
  }
  wf_http_response_t *r = op->response;
  if (!r) {
    const char *name = wf_http_error_name(op->error_code);
    snprintf(x->error, sizeof x->error, "the handler set an error response: %s%s%s", name ? name : "?",
             op->error_msg ? ": " : "", op->error_msg ? op->error_msg : "");
    x->state = X_NONE;
    goto done;
  }
  size_t n = r->headers ? r->headers->n : 0;
  x->rh = calloc(n + 1, sizeof *x->rh);
  bool ok = x->rh != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    const wf_http_field_t *fl = &r->headers->v[i];
    weft_http_header_t *h = &x->rh[i];
    h->name = pack_field(fl->name, strlen(fl->name), fl->value, fl->value_len, &h->value);
    h->value_len = fl->value_len;
    if (!h->name) ok = false;
    else x->nrh++;
  }
  if (!ok) {
    snprintf(x->error, sizeof x->error, "out of memory copying the response headers");
    x->state = X_NONE;
    goto done;
  }
  x->status = r->status;
  x->resp = wf_wasi_ref(r);
  x->resp_body = wf_http_chan_ref(r->body);   /* NULL: the guest never took the body */
  x->state = X_RESPONSE;
  x->set_ns = wf_wasi_monotonic_ns();
  if (x->resp_body) {
    /* the server is woken when the body settles (on_resp_data) */
    wf_http_chan_on_data(x->resp_body, on_resp_data, x);
    if (!settled(x, x->set_ns)) {
      pthread_mutex_unlock(&x->mu);
      return;
    }
  }
done:
  pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
}

static void no_response(weft_http_exchange_t *x, const char *fmt, const char *detail) {
  pthread_mutex_lock(&x->mu);
  if (x->state == X_WAITING) {
    snprintf(x->error, sizeof x->error, fmt, detail);
    x->state = X_NONE;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
}

weft_status_t weft_http_exchange_call(weft_http_exchange_t *x, weft_cinstance_t *inst, weft_error_t *err) {
  weft_error_t local;
  if (!err) err = &local;
  memset(err, 0, sizeof *err);
  err->offset = -1;
  wf_http_link_t *h = wf_http_link_of(inst);
  weft_cfunc_t *f = weft_cinstance_func(inst, "wasi:http/incoming-handler@0.2.0", "handle");
  if (!h || !f) {
    err->status = WEFT_ERR_LINK;
    snprintf(err->message, sizeof err->message, "%s",
             !f ? "the component exports no wasi:http/incoming-handler (0.2.x) with a handle function"
                : "the instance was not linked with wasi:http");
    no_response(x, "%s", err->message);
    return WEFT_ERR_LINK;
  }
  weft_val_t args[2];
  char msg[200];
  if (wf_http_incoming_request_new(h, x->method, x->scheme, x->authority, x->path, x->headers, x->nheaders,
                                   x->req_body, &args[0], msg, sizeof msg) != 0) {
    err->status = WEFT_ERR_ARG;
    snprintf(err->message, sizeof err->message, "%s", msg);
    pthread_mutex_lock(&x->mu);
    x->bad_request = true;
    pthread_mutex_unlock(&x->mu);
    no_response(x, "%s", msg);
    return WEFT_ERR_ARG;
  }
  wf_http_outparam_t *op = NULL;
  if (wf_http_outparam_new(h, &args[1], &op) != 0) {
    weft_cinstance_resource_drop(inst, &args[0], NULL);
    err->status = WEFT_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    no_response(x, "%s", err->message);
    return WEFT_ERR_NOMEM;
  }
  x->op = op;
  op->on_set = on_set;
  op->on_set_env = x;
  weft_arena_t *arena = weft_arena_new();
  weft_status_t st = arena ? weft_cfunc_call(f, args, 2, NULL, 0, arena, err) : WEFT_ERR_NOMEM;
  weft_arena_free(arena);
  if (st == WEFT_ERR_NOMEM && !arena) snprintf(err->message, sizeof err->message, "out of memory");
  op->on_set = NULL;
  if (st == WEFT_ERR_TRAP) no_response(x, "the handler trapped: %s", err->message);
  else if (st != WEFT_OK) no_response(x, "calling the handler: %s", err->message);
  else no_response(x, "%s", "the handler returned without setting a response");
  /* No guest code runs after handle returns: a body not finished by now
   * never will be (the first finish wins). */
  pthread_mutex_lock(&x->mu);
  wf_http_chan_t *body = x->resp_body;
  x->guest_done = true;
  pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
  if (body)
    wf_http_chan_finish(body, WF_HTTP_E_INTERNAL_ERROR,
                        st == WEFT_ERR_TRAP ? "the handler trapped" : "the handler returned before finishing the body");
  return st;
}

void weft_http_exchange_fail(weft_http_exchange_t *x, const char *msg) { no_response(x, "%s", msg); }

weft_status_t weft_wasi_instance_stdio(weft_cinstance_t *inst, int in_fd, int out_fd, int err_fd) {
  wf_wasi_ctx_t *c = weft_cinstance_state(inst, WF_WASI_STATE_KEY);
  if (!c) return WEFT_ERR_ARG;
  int fds[3] = {in_fd, out_fd, err_fd}, nfd[3] = {-1, -1, -1};
  for (int i = 0; i < 3; i++) {
    if (fds[i] < 0) continue;
    if ((nfd[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0) {
      for (int j = 0; j < i; j++)
        if (nfd[j] >= 0) close(nfd[j]);
      return WEFT_ERR_IO;
    }
  }
  for (int i = 0; i < 3; i++) {
    if (c->stdio[i] >= 0) close(c->stdio[i]);
    c->stdio[i] = nfd[i];
  }
  return WEFT_OK;
}

/* ---- the server's side ---- */

void weft_http_exchange_set_spool(weft_http_exchange_t *x, size_t max) { x->spool_max = max; }

/* The response body channel once the head is set (else NULL). */
static wf_http_chan_t *resp_chan(weft_http_exchange_t *x) {
  pthread_mutex_lock(&x->mu);
  wf_http_chan_t *c = x->state == X_RESPONSE ? x->resp_body : NULL;
  pthread_mutex_unlock(&x->mu);
  return c;
}

/* Move what the guest wrote of its response into the spool (bounded). */
static void spool_take(weft_http_exchange_t *x, wf_http_chan_t *rb) {
  if (x->spool_off == x->spool_len) x->spool_off = x->spool_len = 0;
  size_t room = x->spool_max > x->spool_len ? x->spool_max - x->spool_len : 0;
  if (!room) return;
  size_t want = room < (256u << 10) ? room : (256u << 10);
  uint8_t *nb = realloc(x->spool, x->spool_len + want);
  if (!nb) return;
  x->spool = nb;
  int64_t r = wf_http_chan_read(rb, x->spool + x->spool_len, want, NULL, NULL, 0);
  if (r > 0) x->spool_len += (size_t)r;
  else if (r < 0) x->spool_end = true;   /* the end stays in the channel for read() */
}

/* Wait (until the deadline) for space in the request body channel c; in
 * the meantime take response bytes so a guest that answers while it
 * reads does not stall. 1 space, 0 timeout. */
static int wait_space(weft_http_exchange_t *x, wf_http_chan_t *c, uint64_t deadline) {
  for (;;) {
    uint64_t now = wf_wasi_monotonic_ns();
    if (now >= deadline) return 0;
    wf_http_chan_t *rb = x->spool_end || x->spool_len >= x->spool_max ? NULL : resp_chan(x);
    if (!rb) return wf_http_chan_wait(c, true, deadline);   /* one channel to wait on: no fd */
    struct pollfd p[2] = {{.fd = wf_http_chan_space_fd(c), .events = POLLIN},
                          {.fd = wf_http_chan_data_fd(rb), .events = POLLIN}};
    uint64_t ms = (deadline - now + 999999) / 1000000;
    if (ms > 60000) ms = 60000;
    if (p[0].fd < 0 || p[1].fd < 0) ms = ms > 10 ? 10 : ms;   /* no eventfd to be had: look again soon */
    int r = poll(p, 2, (int)ms);
    if (r == 0 && (p[0].fd < 0 || p[1].fd < 0)) {
      if (rb && wf_http_chan_readable(rb)) spool_take(x, rb);
      if (wf_http_chan_writable(c)) return 1;
    }
    if (r <= 0) continue;
    if (p[1].revents & POLLIN) spool_take(x, rb);
    if (p[0].revents & POLLIN) return 1;
  }
}

int weft_http_exchange_body_write(weft_http_exchange_t *x, const uint8_t *p, size_t n, uint64_t deadline) {
  wf_http_chan_t *c = x->req_body;
  if (!c) return 1;
  while (n) {
    int64_t space = wf_http_chan_space(c);
    if (space < 0) return 1;
    if (space == 0) {
      if (!wait_space(x, c, deadline)) return WEFT_HTTP_TIMEOUT;
      continue;
    }
    size_t k = (uint64_t)space < n ? (size_t)space : n;
    if (wf_http_chan_write(c, p, k) != 0) return 1;
    p += k;
    n -= k;
  }
  return 0;
}

void weft_http_exchange_body_end(weft_http_exchange_t *x, int ok) {
  if (!x->req_body) return;
  if (ok) wf_http_chan_finish(x->req_body, -1, NULL);
  else wf_http_chan_finish(x->req_body, WF_HTTP_E_CONNECTION_TERMINATED, "the client sent an incomplete body");
}

size_t weft_http_exchange_body_end_trailers(weft_http_exchange_t *x, const weft_http_header_t *t, size_t n) {
  if (!x->req_body) return n;
  if (!n) {
    wf_http_chan_finish(x->req_body, -1, NULL);
    return 0;
  }
  wf_http_fields_t *f = wf_http_fields_new();
  if (!f) {
    wf_http_chan_finish(x->req_body, WF_HTTP_E_INTERNAL_ERROR, "out of memory taking the request trailers");
    return n;
  }
  size_t dropped = 0;
  for (size_t i = 0; i < n; i++) {
    bool ok = t[i].name != NULL && (t[i].value != NULL || t[i].value_len == 0);
    for (size_t j = 0; ok && j < t[i].value_len; j++) {
      uint8_t b = t[i].value[j];
      ok = !((b < 0x20 && b != '\t') || b == 0x7f);
    }
    int he = ok ? wf_http_fields_append(f, t[i].name, strlen(t[i].name), t[i].value, t[i].value_len, false) : 1;
    if (he < 0) {
      wf_wasi_unref(f);
      wf_http_chan_finish(x->req_body, WF_HTTP_E_INTERNAL_ERROR, "out of memory taking the request trailers");
      return n;
    }
    if (he) dropped++;
  }
  if (!f->n) {
    wf_wasi_unref(f);
    f = NULL;
  }
  /* the channel holds the only reference; the guest takes it through
   * incoming-body.finish's future-trailers */
  wf_http_chan_finish_trailers(x->req_body, f);
  return dropped;
}

int weft_http_exchange_wait_response(weft_http_exchange_t *x, uint64_t deadline) {
  pthread_mutex_lock(&x->mu);
  int r = 0;
  x->server_waiting = true;
  for (;;) {
    uint64_t now = wf_wasi_monotonic_ns();
    if (settled(x, now)) break;
    if (now >= deadline) {
      if (x->state == X_WAITING) r = WEFT_HTTP_TIMEOUT;
      break;
    }
    /* a slice at a time: a response set without a wake-up (not settled
     * yet) is seen at the latest a slice later */
    uint64_t until = deadline - now > WAIT_SLICE_NS ? now + WAIT_SLICE_NS : deadline;
    if (x->state == X_RESPONSE && x->set_ns + SETTLE_NS < until) until = x->set_ns + SETTLE_NS;
    struct timespec ts = {.tv_sec = (time_t)(until / 1000000000u), .tv_nsec = (long)(until % 1000000000u)};
    pthread_cond_timedwait(&x->cv, &x->mu, &ts);
  }
  x->server_waiting = false;
  if (r == 0) r = x->state == X_RESPONSE ? 1 : 0;
  pthread_mutex_unlock(&x->mu);
  return r;
}

int weft_http_exchange_body_complete(weft_http_exchange_t *x, size_t max, const uint8_t **data, size_t *len) {
  *data = NULL;
  *len = 0;
  wf_http_chan_t *c = x->resp_body;
  if (c) {
    bool fin;
    size_t pending = wf_http_chan_pending(c, &fin);
    size_t have = x->spool_len - x->spool_off;
    if (!fin || pending > max || have > max - pending) return 0;
    if (x->spool_off) {
      memmove(x->spool, x->spool + x->spool_off, have);
      x->spool_len = have;
      x->spool_off = 0;
    }
    if (pending > 0) {
      uint8_t *nb = realloc(x->spool, have + pending);
      if (!nb) return 0;
      x->spool = nb;
    }
    /* into the spool, which read() serves first: nothing is lost when the
     * answer is no */
    for (;;) {
      size_t room = have + pending - x->spool_len;
      uint8_t none;
      int64_t n = wf_http_chan_read(c, room ? x->spool + x->spool_len : &none, room, NULL, NULL, 0);
      if (n > 0) {
        x->spool_len += (size_t)n;
        continue;
      }
      if (n != WF_WASI_CLOSED) return 0;   /* an error end (read() reports it), or bytes still to come */
      break;
    }
    if (weft_http_exchange_trailer_count(x)) return 0;
  } else if (x->spool_off < x->spool_len) {
    return 0;
  }
  *data = x->spool ? x->spool + x->spool_off : (const uint8_t *)"";
  *len = x->spool_len - x->spool_off;
  return 1;
}

const char *weft_http_exchange_error(weft_http_exchange_t *x) { return x->error; }
int weft_http_exchange_bad_request(weft_http_exchange_t *x) {
  pthread_mutex_lock(&x->mu);
  int b = x->bad_request;
  pthread_mutex_unlock(&x->mu);
  return b;
}
int weft_http_exchange_status(weft_http_exchange_t *x) { return x->status; }
size_t weft_http_exchange_header_count(weft_http_exchange_t *x) { return x->nrh; }
weft_http_header_t weft_http_exchange_header(weft_http_exchange_t *x, size_t i) {
  weft_http_header_t none = {"", (const uint8_t *)"", 0};
  return i < x->nrh ? x->rh[i] : none;
}

int64_t weft_http_exchange_read(weft_http_exchange_t *x, uint8_t *buf, size_t cap, uint64_t deadline) {
  if (x->spool_off < x->spool_len) {
    size_t k = x->spool_len - x->spool_off;
    if (k > cap) k = cap;
    memcpy(buf, x->spool + x->spool_off, k);
    x->spool_off += k;
    return (int64_t)k;
  }
  wf_http_chan_t *c = x->resp_body;
  if (!c) return 0;
  for (;;) {
    int code = -1;
    char msg[160] = "";
    int64_t r = wf_http_chan_read(c, buf, cap, &code, msg, sizeof msg);
    if (r > 0) return r;
    if (r == WF_WASI_CLOSED) return 0;
    if (r == WF_WASI_FAILED) {
      const char *name = wf_http_error_name(code);
      pthread_mutex_lock(&x->mu);
      snprintf(x->error, sizeof x->error, "the response body failed: %s%s%s", name ? name : "?", msg[0] ? ": " : "",
               msg);
      pthread_mutex_unlock(&x->mu);
      return -1;
    }
    if (!wf_http_chan_wait(c, false, deadline)) return WEFT_HTTP_TIMEOUT;
  }
}

/* The guest stored the trailers before ending the body channel, whose
 * lock orders that store before our read of the end. */
size_t weft_http_exchange_trailer_count(weft_http_exchange_t *x) {
  return x->resp && x->resp->trailers ? x->resp->trailers->n : 0;
}
weft_http_header_t weft_http_exchange_trailer(weft_http_exchange_t *x, size_t i) {
  weft_http_header_t h = {"", (const uint8_t *)"", 0};
  if (i >= weft_http_exchange_trailer_count(x)) return h;
  const wf_http_field_t *f = &x->resp->trailers->v[i];
  h.name = f->name;
  h.value = f->value;
  h.value_len = f->value_len;
  return h;
}

void weft_http_exchange_abort(weft_http_exchange_t *x) {
  if (x->req_body) wf_http_chan_finish(x->req_body, WF_HTTP_E_CONNECTION_TIMEOUT, "the request was cut off");
  pthread_mutex_lock(&x->mu);
  wf_http_chan_t *body = x->resp_body;
  if (x->state == X_WAITING) {
    snprintf(x->error, sizeof x->error, "the handler did not answer in time");
    x->state = X_NONE;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
  if (body) wf_http_chan_discard(body);
}
