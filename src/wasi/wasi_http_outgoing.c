/* wasi:http/outgoing-handler over libcurl's multi interface.
 *
 * One client per WASI link (made on the first request): a worker thread
 * runs curl_multi_poll/perform for every transfer. The guest side never
 * blocks on the network: handle() builds an easy handle and queues it; the
 * worker fills the future (at the end of the response head) and the
 * response body channel, and drains the request body channel. Channels'
 * wake callbacks and the future's cancel callback only set flags and call
 * curl_multi_wakeup, the one libcurl function safe from another thread.
 * A transfer pauses (CURL_WRITEFUNC_PAUSE / CURL_READFUNC_PAUSE) when the
 * response channel is full or the request channel is empty, and resumes
 * when the worker is woken. Trailers: a chunked response's end the response
 * channel (finish_trailers); a chunked request's are sent from the request
 * channel (CURLOPT_TRAILERFUNCTION). request-options.first-byte-timeout is
 * a per-transfer deadline the worker checks on each turn. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_http.h"

#define IFACE WF_WASI_IFACE("http/outgoing-handler")
#define MAX_URL 8192
#define MAX_RESPONSE_HEAD (1u << 20)
#define MAX_TRANSFERS 256   /* in flight per client: beyond, connection-limit-reached */

typedef struct xfer xfer_t;
struct xfer {
  wf_http_client_t *cl;
  CURL *easy;
  struct curl_slist *hdrs;
  char *url;
  char errbuf[CURL_ERROR_SIZE];
  wf_http_chan_t *req_body;      /* NULL: no request body */
  wf_http_chan_t *resp_body;
  wf_http_future_t *fut;
  wf_http_fields_t *resp_headers;
  wf_http_fields_t *resp_trailers;   /* after the body (chunked); NULL: none */
  long status;
  size_t head_bytes, trailer_bytes;
  bool head_done, head_too_big, trailers_too_big;
  uint64_t first_byte_ns;        /* request-options.first-byte-timeout; UINT64_MAX: none */
  uint64_t first_byte_deadline;  /* set once the request goes out; 0: not yet */
  bool first_byte_expired;
  bool paused_recv, paused_send, reader_gone;
  atomic_bool cancelled;
  xfer_t *next;
};

struct wf_http_client {
  pthread_mutex_t mu;
  pthread_t th;
  bool started, stop;
  CURLM *multi;
  xfer_t *queue;                 /* made by guests, not yet added (under mu) */
  xfer_t *active;                /* worker only */
  atomic_bool rescan;            /* a channel or a cancel wants attention */
  atomic_uint transfers;         /* in flight (made and not yet freed) */
};

static void client_wake(void *env) {
  wf_http_client_t *c = env;
  atomic_store(&c->rescan, true);
  curl_multi_wakeup(c->multi);
}

static void xfer_cancel(void *env) {
  xfer_t *x = env;
  atomic_store(&x->cancelled, true);
  client_wake(x->cl);
}

/* ---- worker-side callbacks ---- */
static void head_complete(xfer_t *x) {
  if (x->head_done) return;
  x->head_done = true;
  if (!x->resp_headers) x->resp_headers = wf_http_fields_new();
  wf_http_response_t *r = NULL;
  if (x->resp_headers) {
    x->resp_headers->immutable = true;
    r = wf_http_response_new((uint16_t)(x->status >= 100 && x->status <= 999 ? x->status : 500),
                             x->resp_headers, wf_http_chan_ref(x->resp_body));
  }
  if (!r) {
    wf_wasi_unref(x->resp_headers);
    x->resp_headers = NULL;
    wf_http_future_resolve(x->fut, NULL, WF_HTTP_E_INTERNAL_ERROR, "out of memory");
    return;
  }
  r->incoming = true;
  x->resp_headers = NULL;   /* the response holds it now */
  wf_http_future_resolve(x->fut, r, -1, NULL);
}

/* One "name: value" line (without its CRLF) into f; obs-fold lines and
 * fields that are not valid wasi:http fields are dropped, not fatal. */
static void add_field_line(wf_http_fields_t *f, const char *data, size_t l) {
  if (!l || data[0] == ' ' || data[0] == '\t') return;
  const char *colon = memchr(data, ':', l);
  if (!colon) return;
  const char *v = colon + 1, *end = data + l;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
  (void)wf_http_fields_append(f, data, (size_t)(colon - data), (const uint8_t *)v, (size_t)(end - v), false);
}

/* A header line after the head: a trailer of a chunked response (libcurl
 * passes them to the header callback, then the empty line ending them).
 * Bounded like the head; over it the transfer fails with
 * HTTP-response-trailer-section-size. */
static size_t on_trailer(xfer_t *x, const char *data, size_t len) {
  if (len > MAX_RESPONSE_HEAD - x->trailer_bytes) {
    x->trailers_too_big = true;
    return 0;
  }
  x->trailer_bytes += len;
  size_t l = len;
  while (l && (data[l - 1] == '\n' || data[l - 1] == '\r')) l--;
  if (!l) return len;
  if (!x->resp_trailers && !(x->resp_trailers = wf_http_fields_new())) return len;   /* OOM: dropped */
  add_field_line(x->resp_trailers, data, l);
  return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *env) {
  xfer_t *x = env;
  size_t len = size * n;
  if (x->head_done) return on_trailer(x, data, len);
  x->head_bytes += len;
  if (x->head_bytes > MAX_RESPONSE_HEAD) {
    x->head_too_big = true;
    return 0;
  }
  size_t l = len;
  while (l && (data[l - 1] == '\n' || data[l - 1] == '\r')) l--;
  if (len >= 5 && !memcmp(data, "HTTP/", 5)) {   /* a (new) status line */
    wf_wasi_unref(x->resp_headers);
    x->resp_headers = wf_http_fields_new();
    const char *sp = memchr(data, ' ', l);
    x->status = 0;
    for (const char *p = sp ? sp + 1 : data + l; p < data + l && *p >= '0' && *p <= '9'; p++)
      x->status = x->status * 10 + (*p - '0');
    return len;
  }
  if (l == 0) {   /* end of a head: 1xx heads are skipped */
    if (x->status >= 200 || x->status == 101) head_complete(x);
    return len;
  }
  if (!x->resp_headers) return len;
  add_field_line(x->resp_headers, data, l);
  return len;
}

static size_t on_write(char *data, size_t size, size_t n, void *env) {
  xfer_t *x = env;
  size_t len = size * n;
  head_complete(x);
  int64_t space = wf_http_chan_space(x->resp_body);
  if (space < 0) {
    x->reader_gone = true;
    return 0;   /* the guest dropped the body: abort */
  }
  if (space == 0) {
    x->paused_recv = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  if (wf_http_chan_write(x->resp_body, (const uint8_t *)data, len) != 0) {
    x->reader_gone = true;
    return 0;
  }
  return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *env) {
  xfer_t *x = env;
  if (!x->req_body) return 0;
  int code;
  int64_t r = wf_http_chan_read(x->req_body, (uint8_t *)buf, size * n, &code, NULL, 0);
  if (r > 0) return (size_t)r;
  if (r == 0) {
    x->paused_send = true;
    return CURL_READFUNC_PAUSE;
  }
  return r == WF_WASI_CLOSED ? 0 : CURL_READFUNC_ABORT;
}

/* The request body ended with trailers (chunked upload): libcurl calls
 * this after on_read returned 0, i.e. after the guest finished the body
 * channel, which stored the trailers first. libcurl frees the list. */
static int on_send_trailers(struct curl_slist **list, void *env) {
  xfer_t *x = env;
  const wf_http_fields_t *t = x->req_body ? wf_http_chan_trailers(x->req_body) : NULL;
  for (size_t i = 0; t && i < t->n; i++) {
    const wf_http_field_t *e = &t->v[i];
    size_t nl = strlen(e->name);
    if (e->value_len > SIZE_MAX - nl - 3) return CURL_TRAILERFUNC_ABORT;
    char *line = malloc(nl + e->value_len + 3);
    if (!line) return CURL_TRAILERFUNC_ABORT;
    memcpy(line, e->name, nl);
    line[nl] = ':';
    line[nl + 1] = ' ';
    if (e->value_len) memcpy(line + nl + 2, e->value, e->value_len);
    line[nl + 2 + e->value_len] = 0;
    struct curl_slist *s = curl_slist_append(*list, line);
    free(line);
    if (!s) return CURL_TRAILERFUNC_ABORT;
    *list = s;
  }
  return CURL_TRAILERFUNC_OK;
}

/* The connection is there (new or reused) and the request goes out now:
 * the first-byte timeout runs from here to the end of the response head
 * (as wasmtime, whose timeout covers sending the request and receiving
 * the head; the connect timeout covers what came before). */
static int on_prereq(void *env, char *ip, char *local_ip, int port, int local_port) {
  (void)ip, (void)local_ip, (void)port, (void)local_port;
  xfer_t *x = env;
  if (x->first_byte_ns != UINT64_MAX && !x->first_byte_deadline) {
    uint64_t now = wf_wasi_monotonic_ns();
    x->first_byte_deadline = x->first_byte_ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + x->first_byte_ns;
  }
  return CURL_PREREQFUNC_OK;
}

/* ---- errors ---- */
static int map_curl_error(CURLcode rc, bool head_done) {
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST: return WF_HTTP_E_DNS_ERROR;
  case CURLE_COULDNT_CONNECT: return WF_HTTP_E_CONNECTION_REFUSED;
  case CURLE_OPERATION_TIMEDOUT: return head_done ? WF_HTTP_E_RESPONSE_TIMEOUT : WF_HTTP_E_CONNECTION_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR: return WF_HTTP_E_TLS_PROTOCOL_ERROR;
  case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_CERTPROBLEM:
    return WF_HTTP_E_TLS_CERTIFICATE_ERROR;
  case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: return WF_HTTP_E_RESPONSE_INCOMPLETE;
  case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: return WF_HTTP_E_CONNECTION_TERMINATED;
  case CURLE_WEIRD_SERVER_REPLY: return WF_HTTP_E_PROTOCOL_ERROR;
  case CURLE_URL_MALFORMAT: case CURLE_UNSUPPORTED_PROTOCOL: return WF_HTTP_E_REQUEST_URI_INVALID;
  default: return WF_HTTP_E_INTERNAL_ERROR;
  }
}

static void xfer_free(xfer_t *x) {
  atomic_fetch_sub(&x->cl->transfers, 1);
  if (x->easy) curl_easy_cleanup(x->easy);
  curl_slist_free_all(x->hdrs);
  free(x->url);
  if (x->req_body) {
    wf_http_chan_discard(x->req_body);   /* the guest's writes now fail: nobody reads */
    wf_http_chan_unref(x->req_body);
  }
  wf_http_chan_unref(x->resp_body);
  wf_wasi_unref(x->resp_headers);
  wf_wasi_unref(x->resp_trailers);
  wf_http_future_unref(x->fut);
  free(x);
}

/* The transfer ended (rc) or was cancelled: settle the future and body. */
static void xfer_done(xfer_t *x, CURLcode rc, bool cancelled) {
  int code = -1;
  char msg[CURL_ERROR_SIZE + 64] = "";
  if (x->head_too_big) {
    code = WF_HTTP_E_RESPONSE_HEADER_SECTION_SIZE;
  } else if (x->trailers_too_big) {
    code = WF_HTTP_E_RESPONSE_TRAILER_SECTION_SIZE;
  } else if (x->first_byte_expired) {
    code = WF_HTTP_E_CONNECTION_READ_TIMEOUT;
  } else if (cancelled || x->reader_gone) {
    code = WF_HTTP_E_INTERNAL_ERROR;
    snprintf(msg, sizeof msg, "request cancelled");
  } else if (rc != CURLE_OK) {
    code = map_curl_error(rc, x->head_done);
    snprintf(msg, sizeof msg, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
  }
  if (code < 0) {
    head_complete(x);
    wf_http_fields_t *t = x->resp_trailers;
    x->resp_trailers = NULL;
    if (t && !t->n) {   /* only fields that were not valid: none */
      wf_wasi_unref(t);
      t = NULL;
    }
    wf_http_chan_finish_trailers(x->resp_body, t);   /* the channel holds them now */
  } else if (!x->head_done) {
    x->head_done = true;
    wf_http_future_resolve(x->fut, NULL, code,
                           code == WF_HTTP_E_INTERNAL_ERROR || code == WF_HTTP_E_DNS_ERROR ? msg : NULL);
  } else {
    wf_http_chan_finish(x->resp_body, code, msg);
  }
  /* after resolve the future never calls xfer_cancel again */
  wf_http_future_resolve(x->fut, NULL, WF_HTTP_E_INTERNAL_ERROR, "transfer ended");
}

/* ---- the worker ---- */
static void *worker(void *arg) {
  wf_http_client_t *c = arg;
  for (;;) {
    pthread_mutex_lock(&c->mu);
    bool stop = c->stop;
    xfer_t *q = stop ? NULL : c->queue;   /* when stopping, client_free settles the queue */
    if (!stop) c->queue = NULL;
    pthread_mutex_unlock(&c->mu);
    if (stop) break;
    while (q) {
      xfer_t *x = q;
      q = q->next;
      if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
        xfer_done(x, CURLE_FAILED_INIT, false);
        xfer_free(x);
        continue;
      }
      x->next = c->active;
      c->active = x;
    }
    /* first-byte timeouts: transfers whose head is late are ended here */
    uint64_t now = wf_wasi_monotonic_ns(), next = UINT64_MAX;
    for (xfer_t **pp = &c->active; *pp;) {
      xfer_t *x = *pp;
      if (x->first_byte_deadline && !x->head_done) {
        if (now >= x->first_byte_deadline) {
          *pp = x->next;
          x->first_byte_expired = true;
          curl_multi_remove_handle(c->multi, x->easy);
          xfer_done(x, CURLE_OPERATION_TIMEDOUT, false);
          xfer_free(x);
          continue;
        }
        if (x->first_byte_deadline < next) next = x->first_byte_deadline;
      }
      pp = &x->next;
    }
    if (atomic_exchange(&c->rescan, false)) {
      for (xfer_t **pp = &c->active; *pp;) {
        xfer_t *x = *pp;
        if (atomic_load(&x->cancelled)) {
          *pp = x->next;
          curl_multi_remove_handle(c->multi, x->easy);
          xfer_done(x, CURLE_ABORTED_BY_CALLBACK, true);
          xfer_free(x);
          continue;
        }
        if (x->paused_recv || x->paused_send) {
          x->paused_recv = x->paused_send = false;
          curl_easy_pause(x->easy, CURLPAUSE_CONT);   /* callbacks pause again if still blocked */
        }
        pp = &x->next;
      }
    }
    int running = 0;
    curl_multi_perform(c->multi, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(c->multi, &left))) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL *e = m->easy_handle;
      CURLcode rc = m->data.result;
      for (xfer_t **pp = &c->active; *pp; pp = &(*pp)->next) {
        if ((*pp)->easy != e) continue;
        xfer_t *x = *pp;
        *pp = x->next;
        curl_multi_remove_handle(c->multi, e);
        xfer_done(x, rc, false);
        xfer_free(x);
        break;
      }
    }
    /* a deadline set during perform (on_prereq) is seen on the next turn */
    for (xfer_t *x = c->active; x; x = x->next)
      if (x->first_byte_deadline && !x->head_done && x->first_byte_deadline < next) next = x->first_byte_deadline;
    int wait_ms = 1000;
    now = wf_wasi_monotonic_ns();
    if (next != UINT64_MAX) {
      uint64_t ms = next > now ? (next - now + 999999) / 1000000 : 0;
      if (ms < (uint64_t)wait_ms) wait_ms = (int)ms;
    }
    curl_multi_poll(c->multi, NULL, 0, wait_ms, NULL);
  }
  return NULL;
}

static wf_http_client_t *client_new(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
  wf_http_client_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  if (!(c->multi = curl_multi_init())) {
    free(c);
    return NULL;
  }
  pthread_mutex_init(&c->mu, NULL);
  atomic_init(&c->rescan, false);
  atomic_init(&c->transfers, 0);
  if (pthread_create(&c->th, NULL, worker, c) != 0) {
    curl_multi_cleanup(c->multi);
    pthread_mutex_destroy(&c->mu);
    free(c);
    return NULL;
  }
  c->started = true;
  return c;
}

void wf_http_client_free(wf_http_client_t *c) {
  if (!c) return;
  pthread_mutex_lock(&c->mu);
  c->stop = true;
  pthread_mutex_unlock(&c->mu);
  curl_multi_wakeup(c->multi);
  if (c->started) pthread_join(c->th, NULL);
  xfer_t *lists[2] = {c->queue, c->active};
  for (int i = 0; i < 2; i++)
    for (xfer_t *x = lists[i], *next; x; x = next) {
      next = x->next;
      if (i == 1) curl_multi_remove_handle(c->multi, x->easy);
      xfer_done(x, CURLE_ABORTED_BY_CALLBACK, true);
      xfer_free(x);
    }
  curl_multi_cleanup(c->multi);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

/* ---- starting a transfer (guest thread) ---- */
static int fail(int *code, char *msg, size_t cap, int c, const char *m) {
  *code = c;
  snprintf(msg, cap, "%s", m);
  return -1;
}

static bool is_ip_literal_or_host(const char *a) {
  return a && *a;
}

/* "name: value" lines for curl; fields libcurl sets from the transfer
 * (Content-Length when there is a body) are left to it. */
static int build_headers(xfer_t *x, const wf_http_fields_t *f, bool has_body) {
  for (size_t i = 0; i < f->n; i++) {
    const wf_http_field_t *e = &f->v[i];
    if (has_body && !strcmp(e->name, "content-length")) continue;
    size_t nl = strlen(e->name);
    char *line = malloc(nl + e->value_len + 3);
    if (!line) return -1;
    memcpy(line, e->name, nl);
    if (e->value_len) {
      line[nl] = ':';
      line[nl + 1] = ' ';
      memcpy(line + nl + 2, e->value, e->value_len);
      line[nl + 2 + e->value_len] = 0;
    } else {
      line[nl] = ';';   /* curl's syntax for an empty value */
      line[nl + 1] = 0;
    }
    struct curl_slist *s = curl_slist_append(x->hdrs, line);
    free(line);
    if (!s) return -1;
    x->hdrs = s;
  }
  /* no "Expect: 100-continue" round trip; no default Accept unless given */
  struct curl_slist *s = curl_slist_append(x->hdrs, "Expect:");
  if (!s) return -1;
  x->hdrs = s;
  if (!wf_http_fields_get(f, "accept")) {
    if (!(s = curl_slist_append(x->hdrs, "Accept:"))) return -1;
    x->hdrs = s;
  }
  return 0;
}

static long ms_of(uint64_t ns) {
  uint64_t ms = ns / 1000000u;
  if (!ms) ms = 1;
  return ms > 0x7fffffff ? 0x7fffffff : (long)ms;
}

static wf_http_client_t *client_of(wf_http_link_t *h) {
  pthread_mutex_lock(&h->mu);
  if (!h->client) h->client = client_new();
  wf_http_client_t *c = h->client;
  pthread_mutex_unlock(&h->mu);
  return c;
}

wf_http_future_t *wf_http_client_send(wf_http_link_t *h, wf_http_request_t *req, const wf_http_options_t *opt,
                                      int *code, char *msg, size_t cap) {
  /* URL */
  const char *scheme = req->scheme == 0 ? "http" : req->scheme == 1 || req->scheme == WF_HTTP_SCHEME_NONE ? "https"
                                                                                                         : NULL;
  if (!scheme) {
    fail(code, msg, cap, WF_HTTP_E_PROTOCOL_ERROR, "unsupported scheme");
    return NULL;
  }
  if (!is_ip_literal_or_host(req->authority)) {
    fail(code, msg, cap, WF_HTTP_E_REQUEST_URI_INVALID, "the request has no authority");
    return NULL;
  }
  const char *path = req->path ? req->path : "/";
  size_t ulen = strlen(scheme) + 3 + strlen(req->authority) + strlen(path);
  if (ulen > MAX_URL) {
    fail(code, msg, cap, WF_HTTP_E_REQUEST_URI_TOO_LONG, "URL too long");
    return NULL;
  }
  wf_http_client_t *cl = client_of(h);
  if (!cl) {
    fail(code, msg, cap, WF_HTTP_E_INTERNAL_ERROR, "could not start the HTTP client");
    return NULL;
  }
  if (atomic_fetch_add(&cl->transfers, 1) >= MAX_TRANSFERS) {
    atomic_fetch_sub(&cl->transfers, 1);
    fail(code, msg, cap, WF_HTTP_E_CONNECTION_LIMIT_REACHED, "too many requests in flight");
    return NULL;
  }
  xfer_t *x = calloc(1, sizeof *x);
  if (!x) {
    atomic_fetch_sub(&cl->transfers, 1);
    fail(code, msg, cap, WF_HTTP_E_INTERNAL_ERROR, "out of memory");
    return NULL;
  }
  x->cl = cl;
  atomic_init(&x->cancelled, false);
  x->url = malloc(ulen + 1);
  x->easy = curl_easy_init();
  x->resp_body = wf_http_chan_new(0);
  x->fut = wf_http_future_new();
  if (!x->url || !x->easy || !x->resp_body || !x->fut) goto nomem;
  snprintf(x->url, ulen + 1, "%s://%s%s", scheme, req->authority, path);

  const char *method = req->method == WF_HTTP_METHOD_OTHER ? req->method_other : wf_http_method_name(req->method);
  bool has_body = false;
  if (req->body_taken && req->body) {
    int ec;
    /* an empty body already finished: no upload (plain GET) */
    has_body = !(wf_http_chan_ended(req->body, &ec) && wf_http_chan_written(req->body) == 0 && ec < 0 &&
                 !wf_http_chan_trailers(req->body) && (req->method == 0 || req->method == 1));
  } else if (req->method != 0 && req->method != 1) {
    has_body = true;   /* POST etc. without a body: Content-Length: 0 */
  }
  if (build_headers(x, req->headers, has_body) != 0) goto nomem;

  CURL *e = x->easy;
  curl_easy_setopt(e, CURLOPT_URL, x->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  if (req->method == 1) curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if (has_body) {
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, x);
    if (req->body_taken && req->body) {
      x->req_body = wf_http_chan_ref(req->body);
      if (req->body_max != UINT64_MAX) {
        /* a Content-Length from the guest: a fixed-length body, which has
         * no place for trailers (HTTP/1.1 sends them only in the chunked
         * coding): trailers it finishes with are dropped, as wasmtime
         * (hyper) does */
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_max);
      } else {
        /* chunked: the trailers the guest finishes with follow the body */
        curl_easy_setopt(e, CURLOPT_TRAILERFUNCTION, on_send_trailers);
        curl_easy_setopt(e, CURLOPT_TRAILERDATA, x);
      }
    } else {
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)0);
    }
  }
  if (req->method != 0 || has_body) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  x->first_byte_ns = opt ? opt->first_byte : UINT64_MAX;
  if (x->first_byte_ns != UINT64_MAX) {
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, x);
  }
  if (opt) {
    if (opt->connect != UINT64_MAX) curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms_of(opt->connect));
    if (opt->between_bytes != UINT64_MAX) {
      long s = (ms_of(opt->between_bytes) + 999) / 1000;
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, s);
    }
  }
  if (x->req_body) wf_http_chan_on_data(x->req_body, client_wake, cl);
  wf_http_chan_on_space(x->resp_body, client_wake, cl);
  wf_http_future_t *f = wf_http_future_ref(x->fut);   /* one for the guest */
  wf_http_future_on_cancel(f, xfer_cancel, x);
  pthread_mutex_lock(&cl->mu);
  x->next = cl->queue;
  cl->queue = x;
  pthread_mutex_unlock(&cl->mu);
  curl_multi_wakeup(cl->multi);
  return f;
nomem:
  xfer_free(x);
  fail(code, msg, cap, WF_HTTP_E_INTERNAL_ERROR, "out of memory");
  return NULL;
}

/* handle(request: own<outgoing-request>, options: option<own<request-options>>)
 *   -> result<own<future-incoming-response>, error-code> */
static int h_handle(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                    size_t nresults) {
  (void)nargs;
  (void)nresults;
  wf_http_link_t *h = env;
  wf_wasi_ctx_t *ctx = wf_wasi_ctx(call);
  if (!ctx) return 1;
  wf_http_request_t *req = wf_http_arg(call, h, WF_HTTP_RT_OUTGOING_REQUEST, &args[0]);
  if (!req) return 1;
  wf_http_options_t *opt = NULL;
  if (args[1].kind == WEFT_VAL_OPTION && args[1].of.var.index == 1 && args[1].of.var.payload &&
      !(opt = wf_http_arg(call, h, WF_HTTP_RT_REQUEST_OPTIONS, args[1].of.var.payload)))
    return 1;
  int code = WF_HTTP_E_REQUEST_DENIED;
  char msg[256] = "outgoing HTTP is not allowed";
  wf_http_future_t *f = ctx->http ? wf_http_client_send(h, req, opt, &code, msg, sizeof msg) : NULL;
  int rc;
  if (f) {
    bool ok;
    weft_val_t v = wf_http_future_val(h, f, &ok);
    if (!ok) {
      weft_call_trap(call, "wasi:http: out of memory");
      rc = 1;
    } else {
      rc = wf_wasi_ok(call, &results[0], &v);
    }
  } else {
    weft_val_t e;
    weft_val_t *p = wf_wasi_new_vals(call, 1);
    rc = !p || wf_http_error_val(call, code, code == WF_HTTP_E_INTERNAL_ERROR ? msg : NULL, &e);
    if (!rc) {
      *p = e;
      memset(&results[0], 0, sizeof results[0]);
      results[0].kind = WEFT_VAL_RESULT;
      results[0].of.var.index = 1;
      results[0].of.var.payload = p;
    }
  }
  /* the own arguments passed to us */
  if (args[0].kind == WEFT_VAL_OWN) wf_wasi_unref(req);
  if (opt && args[1].of.var.payload->kind == WEFT_VAL_OWN) wf_wasi_unref(opt);
  return rc;
}

weft_status_t wf_http_add_outgoing(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err) {
  return weft_linker_define_func(l, IFACE, "handle", h_handle, h, err);
}
