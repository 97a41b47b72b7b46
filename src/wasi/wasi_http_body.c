/* wasi:http bodies: thread-safe byte channels between one writer and one
 * reader (condition-variable waits; an eventfd per end only once someone
 * polls it), and the wasi:io streams that give a guest either end. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "wasi_http.h"

/* Readiness of one end: `up` is the state, kept under the channel lock. The
 * eventfd that mirrors it (readable exactly while `up`) is made only when
 * someone asks for it (a guest's wasi:io/poll, the server waiting on two
 * channels at once): most requests never block on a body, and two eventfds
 * per body were a good part of what a request cost. Blocking waits inside
 * this file use the channel's condition variable instead. */
typedef struct {
  int fd;   /* -1 until asked for */
  bool up;
} sig_t_;

static void sig_set(sig_t_ *s, bool on) {
  if (on == s->up) return;
  s->up = on;
  if (s->fd < 0) return;
  uint64_t v = 1;
  ssize_t r = on ? write(s->fd, &v, sizeof v) : read(s->fd, &v, sizeof v);
  (void)r;
}

struct wf_http_chan {
  atomic_uint refs;
  pthread_mutex_t mu;
  pthread_cond_t cv;   /* broadcast when either end's readiness changes */
  uint8_t *buf;
  size_t off, len, cap, limit;
  uint64_t written;
  bool finished, discard;
  int error_code;
  char msg[160];
  wf_http_fields_t *trailers;   /* the writer's (only) reference, until taken */
  sig_t_ data, space;
  unsigned waiters;    /* threads in wf_http_chan_wait */
  wf_http_chan_wake_fn on_data, on_space;
  void *on_data_env, *on_space_env;
};

static void update(wf_http_chan_t *c) {
  size_t buffered = c->len - c->off;
  bool readable = c->discard ? c->finished : (buffered > 0 || c->finished);
  bool writable = c->finished || c->discard || buffered < c->limit;
  bool changed = readable != c->data.up || writable != c->space.up;
  sig_set(&c->data, readable);
  sig_set(&c->space, writable);
  if (changed && c->waiters) pthread_cond_broadcast(&c->cv);
}

wf_http_chan_t *wf_http_chan_new(size_t limit) {
  wf_http_chan_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  atomic_init(&c->refs, 1);
  c->limit = limit ? limit : WF_HTTP_CHAN_LIMIT;
  c->error_code = -1;
  c->data.fd = c->space.fd = -1;
  pthread_mutex_init(&c->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&c->cv, &ca);
  pthread_condattr_destroy(&ca);
  update(c);
  return c;
}

/* The eventfd of one end, made on first use (with the end's current
 * state); -1 if the system has none to give. */
static int sig_fd(wf_http_chan_t *c, sig_t_ *s) {
  pthread_mutex_lock(&c->mu);
  if (s->fd < 0) s->fd = eventfd(s->up ? 1 : 0, EFD_NONBLOCK | EFD_CLOEXEC);
  int fd = s->fd;
  pthread_mutex_unlock(&c->mu);
  return fd;
}

int wf_http_chan_wait(wf_http_chan_t *c, bool space, uint64_t deadline_ns) {
  struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000u), .tv_nsec = (long)(deadline_ns % 1000000000u)};
  pthread_mutex_lock(&c->mu);
  sig_t_ *s = space ? &c->space : &c->data;
  c->waiters++;
  while (!s->up) {
    if (deadline_ns == WF_WASI_NO_DEADLINE) {
      pthread_cond_wait(&c->cv, &c->mu);
    } else if (wf_wasi_monotonic_ns() >= deadline_ns ||
               pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT) {
      break;
    }
  }
  c->waiters--;
  int r = s->up;
  pthread_mutex_unlock(&c->mu);
  return r;
}

size_t wf_http_chan_pending(wf_http_chan_t *c, bool *finished) {
  pthread_mutex_lock(&c->mu);
  size_t n = c->discard ? 0 : c->len - c->off;
  *finished = c->finished;
  pthread_mutex_unlock(&c->mu);
  return n;
}

bool wf_http_chan_readable(wf_http_chan_t *c) {
  pthread_mutex_lock(&c->mu);
  bool r = c->data.up;
  pthread_mutex_unlock(&c->mu);
  return r;
}

bool wf_http_chan_writable(wf_http_chan_t *c) {
  pthread_mutex_lock(&c->mu);
  bool r = c->space.up;
  pthread_mutex_unlock(&c->mu);
  return r;
}

wf_http_chan_t *wf_http_chan_ref(wf_http_chan_t *c) {
  if (c) atomic_fetch_add(&c->refs, 1);
  return c;
}

void wf_http_chan_unref(wf_http_chan_t *c) {
  if (!c || atomic_fetch_sub(&c->refs, 1) != 1) return;
  if (c->data.fd >= 0) close(c->data.fd);
  if (c->space.fd >= 0) close(c->space.fd);
  pthread_cond_destroy(&c->cv);
  pthread_mutex_destroy(&c->mu);
  wf_wasi_unref(c->trailers);
  free(c->buf);
  free(c);
}

void wf_http_chan_on_data(wf_http_chan_t *c, wf_http_chan_wake_fn fn, void *env) {
  pthread_mutex_lock(&c->mu);
  c->on_data = fn;
  c->on_data_env = env;
  pthread_mutex_unlock(&c->mu);
}

void wf_http_chan_on_space(wf_http_chan_t *c, wf_http_chan_wake_fn fn, void *env) {
  pthread_mutex_lock(&c->mu);
  c->on_space = fn;
  c->on_space_env = env;
  pthread_mutex_unlock(&c->mu);
}

int64_t wf_http_chan_space(wf_http_chan_t *c) {
  pthread_mutex_lock(&c->mu);
  int64_t r;
  size_t buffered = c->len - c->off;
  if (c->discard || c->finished) r = -1;
  else r = buffered < c->limit ? (int64_t)(c->limit - buffered) : 0;
  pthread_mutex_unlock(&c->mu);
  return r;
}

int wf_http_chan_write(wf_http_chan_t *c, const uint8_t *p, size_t len) {
  pthread_mutex_lock(&c->mu);
  if (c->discard || c->finished) {
    pthread_mutex_unlock(&c->mu);
    return -1;
  }
  if (len && c->off > 0 && c->off == c->len) c->off = c->len = 0;
  if (len > c->cap - c->len) {
    /* compact, then grow */
    if (c->off) {
      memmove(c->buf, c->buf + c->off, c->len - c->off);
      c->len -= c->off;
      c->off = 0;
    }
    if (len > c->cap - c->len) {
      if (len > SIZE_MAX / 2 - c->len) {
        pthread_mutex_unlock(&c->mu);
        return -1;
      }
      size_t nc = c->cap ? c->cap : 4096;
      while (nc < c->len + len) nc *= 2;
      uint8_t *nb = realloc(c->buf, nc);
      if (!nb) {
        pthread_mutex_unlock(&c->mu);
        return -1;
      }
      c->buf = nb;
      c->cap = nc;
    }
  }
  if (len) memcpy(c->buf + c->len, p, len);
  c->len += len;
  c->written += len;
  update(c);
  wf_http_chan_wake_fn fn = c->on_data;
  void *env = c->on_data_env;
  pthread_mutex_unlock(&c->mu);
  if (fn && len) fn(env);
  return 0;
}

static void finish(wf_http_chan_t *c, int error_code, const char *msg, wf_http_fields_t *trailers) {
  pthread_mutex_lock(&c->mu);
  bool first = !c->finished;
  if (first) {
    c->finished = true;
    c->error_code = error_code;
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "");
    c->trailers = trailers;
    trailers = NULL;
    update(c);
  }
  wf_http_chan_wake_fn fn = c->on_data;
  void *env = c->on_data_env;
  pthread_mutex_unlock(&c->mu);
  if (first && fn) fn(env);
  wf_wasi_unref(trailers);   /* a later finish: dropped */
}

void wf_http_chan_finish(wf_http_chan_t *c, int error_code, const char *msg) { finish(c, error_code, msg, NULL); }

void wf_http_chan_finish_trailers(wf_http_chan_t *c, wf_http_fields_t *trailers) {
  if (trailers) trailers->immutable = true;
  finish(c, -1, NULL, trailers);
}

const wf_http_fields_t *wf_http_chan_trailers(wf_http_chan_t *c) {
  pthread_mutex_lock(&c->mu);
  const wf_http_fields_t *t = c->trailers;
  pthread_mutex_unlock(&c->mu);
  return t;
}

wf_http_fields_t *wf_http_chan_take_trailers(wf_http_chan_t *c) {
  pthread_mutex_lock(&c->mu);
  wf_http_fields_t *t = c->trailers;
  c->trailers = NULL;
  pthread_mutex_unlock(&c->mu);
  return t;
}

int wf_http_chan_space_fd(wf_http_chan_t *c) { return sig_fd(c, &c->space); }
int wf_http_chan_data_fd(wf_http_chan_t *c) { return sig_fd(c, &c->data); }

void wf_http_chan_readiness(wf_http_chan_t *c, bool space, wf_wasi_wait_t *w) {
  sig_t_ *s = space ? &c->space : &c->data;
  pthread_mutex_lock(&c->mu);
  bool up = s->up;
  pthread_mutex_unlock(&c->mu);
  if (up) {
    w->ready = true;
    return;
  }
  w->fd = sig_fd(c, s);
  w->events = POLLIN;
  /* no eventfd to be had (fd limit): report ready, the caller's read or
   * write then finds out (a busy wait rather than a hang) */
  if (w->fd < 0) w->ready = true;
}

uint64_t wf_http_chan_written(wf_http_chan_t *c) {
  pthread_mutex_lock(&c->mu);
  uint64_t w = c->written;
  pthread_mutex_unlock(&c->mu);
  return w;
}

int64_t wf_http_chan_read(wf_http_chan_t *c, uint8_t *buf, size_t cap, int *error_code, char *msgbuf,
                          size_t msgcap) {
  pthread_mutex_lock(&c->mu);
  int64_t r = 0;
  size_t buffered = c->len - c->off;
  wf_http_chan_wake_fn fn = NULL;
  void *env = NULL;
  if (buffered && !c->discard) {
    size_t n = buffered < cap ? buffered : cap;
    if (n > INT64_MAX) n = INT64_MAX;
    memcpy(buf, c->buf + c->off, n);
    c->off += n;
    if (c->off == c->len) c->off = c->len = 0;
    r = (int64_t)n;
    update(c);
    fn = c->on_space;
    env = c->on_space_env;
  } else if (c->finished) {
    if (c->error_code >= 0) {
      if (error_code) *error_code = c->error_code;
      if (msgbuf && msgcap) snprintf(msgbuf, msgcap, "%s", c->msg);
      r = WF_WASI_FAILED;
    } else {
      r = WF_WASI_CLOSED;
    }
  }
  pthread_mutex_unlock(&c->mu);
  if (fn) fn(env);
  return r;
}

void wf_http_chan_discard(wf_http_chan_t *c) {
  pthread_mutex_lock(&c->mu);
  c->discard = true;
  c->off = c->len = 0;
  update(c);
  wf_http_chan_wake_fn fn = c->on_space;
  void *env = c->on_space_env;
  pthread_mutex_unlock(&c->mu);
  if (fn) fn(env);
}

int wf_http_chan_ended(wf_http_chan_t *c, int *error_code) {
  pthread_mutex_lock(&c->mu);
  int r = c->finished && (c->discard || c->len == c->off);
  if (r && error_code) *error_code = c->error_code;
  pthread_mutex_unlock(&c->mu);
  return r;
}

/* ---- error names ---- */
static const char *const err_names[WF_HTTP_E_COUNT] = {
    "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
    "destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
    "connection-terminated", "connection-timeout", "connection-read-timeout", "connection-write-timeout",
    "connection-limit-reached", "TLS-protocol-error", "TLS-certificate-error", "TLS-alert-received",
    "HTTP-request-denied", "HTTP-request-length-required", "HTTP-request-body-size",
    "HTTP-request-method-invalid", "HTTP-request-URI-invalid", "HTTP-request-URI-too-long",
    "HTTP-request-header-section-size", "HTTP-request-header-size", "HTTP-request-trailer-section-size",
    "HTTP-request-trailer-size", "HTTP-response-incomplete", "HTTP-response-header-section-size",
    "HTTP-response-header-size", "HTTP-response-body-size", "HTTP-response-trailer-section-size",
    "HTTP-response-trailer-size", "HTTP-response-transfer-coding", "HTTP-response-content-coding",
    "HTTP-response-timeout", "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected",
    "configuration-error", "internal-error",
};

const char *wf_http_error_name(int code) {
  return code >= 0 && code < WF_HTTP_E_COUNT ? err_names[code] : NULL;
}

/* An io error whose message starts with "HTTP error: <name>" (http-error-code
 * recovers the case from it). */
static wf_wasi_ioerr_t *http_ioerr(int code, const char *detail) {
  char m[256];
  const char *name = wf_http_error_name(code);
  snprintf(m, sizeof m, "HTTP error: %s%s%s", name ? name : "internal-error", detail && *detail ? ": " : "",
           detail ? detail : "");
  return wf_wasi_ioerr_new(m, 0);
}

/* ---- guest streams over channels ---- */
typedef struct {
  wf_wasi_istream_t s;
  wf_http_chan_t *c;
} chan_istream_t;

static int64_t ci_read(wf_wasi_istream_t *s, uint8_t *buf, size_t cap, bool blocking, wf_wasi_ioerr_t **err) {
  chan_istream_t *x = (chan_istream_t *)s;
  for (;;) {
    int code = -1;
    char msg[160] = "";
    int64_t r = wf_http_chan_read(x->c, buf, cap, &code, msg, sizeof msg);
    if (r == WF_WASI_FAILED) *err = http_ioerr(code, msg);
    if (r != 0 || !blocking) return r;
    wf_http_chan_wait(x->c, false, WF_WASI_NO_DEADLINE);
  }
}

static void ci_readiness(wf_wasi_istream_t *s, wf_wasi_wait_t *w) {
  chan_istream_t *x = (chan_istream_t *)s;
  wf_http_chan_readiness(x->c, false, w);
}

static void ci_destroy(wf_wasi_istream_t *s) {
  chan_istream_t *x = (chan_istream_t *)s;
  wf_http_chan_unref(x->c);
  free(x);
}

static const wf_wasi_istream_ops_t ci_ops = {ci_read, ci_readiness, ci_destroy};

wf_wasi_istream_t *wf_http_chan_istream_new(wf_http_chan_t *c) {
  chan_istream_t *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  wf_wasi_istream_init(&x->s, &ci_ops);
  x->c = wf_http_chan_ref(c);
  return &x->s;
}

typedef struct {
  wf_wasi_ostream_t s;
  wf_http_chan_t *c;
  uint64_t max;
} chan_ostream_t;

static int64_t co_check(wf_wasi_ostream_t *s, wf_wasi_ioerr_t **err) {
  (void)err;
  chan_ostream_t *x = (chan_ostream_t *)s;
  int64_t r = wf_http_chan_space(x->c);
  return r < 0 ? WF_WASI_CLOSED : r;
}

static int co_write(wf_wasi_ostream_t *s, const uint8_t *buf, size_t len, wf_wasi_ioerr_t **err) {
  chan_ostream_t *x = (chan_ostream_t *)s;
  uint64_t w = wf_http_chan_written(x->c);
  if (x->max != UINT64_MAX && (len > x->max || w > x->max - len)) {
    *err = http_ioerr(WF_HTTP_E_REQUEST_BODY_SIZE, "more bytes than the Content-Length");
    return WF_WASI_FAILED;
  }
  return wf_http_chan_write(x->c, buf, len) == 0 ? 0 : WF_WASI_CLOSED;
}

static void co_readiness(wf_wasi_ostream_t *s, wf_wasi_wait_t *w) {
  chan_ostream_t *x = (chan_ostream_t *)s;
  wf_http_chan_readiness(x->c, true, w);
}

static void co_destroy(wf_wasi_ostream_t *s) {
  chan_ostream_t *x = (chan_ostream_t *)s;
  wf_http_chan_unref(x->c);
  free(x);
}

static const wf_wasi_ostream_ops_t co_ops = {co_check, co_write, NULL, co_readiness, co_destroy};

wf_wasi_ostream_t *wf_http_chan_ostream_new(wf_http_chan_t *c, uint64_t max) {
  chan_ostream_t *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  wf_wasi_ostream_init(&x->s, &co_ops);
  x->c = wf_http_chan_ref(c);
  x->max = max;
  return &x->s;
}
