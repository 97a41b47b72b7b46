/* weft serve [--addr HOST:PORT] [serve options] [run's options] COMPONENT
 *
 * Serves a component that exports wasi:http/incoming-handler (0.2.x) over
 * HTTP/1.1 with libmicrohttpd (a thread per connection; keep-alive,
 * chunked bodies both ways, response trailers). Every request gets a fresh
 * instance (cli/serve_run.c) made from the component decoded, checked and
 * linked once at start. The request body streams into the guest while it
 * arrives, the response streams out while the guest writes it.
 *
 * Limits: --max-header BYTES (request line + headers, answered 431/414 by
 * libmicrohttpd beyond it), --max-body BYTES (413), --timeout SECONDS (the
 * handler must answer, and its body make progress, within it: else 504
 * and its instance is interrupted), --max-connections N, --max-workers N.
 * A trapping guest answers 500. SIGINT/SIGTERM: stop accepting, let the
 * requests in flight finish, exit 0. --link DEP.wasm (docs/linking.md):
 * every request also gets a fresh instance of each DEP, linked anew. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "run_hosts.h"
#include "run_wasi.h"
#include "serve.h"

static void serve_usage(void) {
  fprintf(stderr,
          "usage: weft serve [--addr HOST:PORT] [--timeout SECONDS] [--max-body BYTES] [--max-header BYTES]\n"
          "                  [--max-connections N] [--max-workers N] [--no-stdio-prefix] [run's options]\n"
          "                  COMPONENT.wasm\n"
          "  serve a component exporting wasi:http/incoming-handler (default address 0.0.0.0:8080),\n"
          "  a fresh instance per request; run's options:\n");
  cli_wasi_usage();
  cli_hosts_usage();
  cli_links_usage();
  fprintf(stderr, "  (with --link, every request gets fresh DEP instances too)\n");
}

/* ---- the HTTP side ---- */

typedef struct {
  weft_http_header_t *h;
  size_t n, cap;
  bool oom;
} hdrs_t;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  hdrs_t *h = cls;
  if (h->n == h->cap) {
    size_t nc = h->cap ? h->cap * 2 : 16;
    weft_http_header_t *nh = realloc(h->h, nc * sizeof *nh);
    if (!nh) {
      h->oom = true;
      return MHD_NO;
    }
    h->h = nh;
    h->cap = nc;
  }
  if (!value) value = "";
  h->h[h->n++] = (weft_http_header_t){key, (const uint8_t *)value, strlen(value)};
  return MHD_YES;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, sreq_t *r, unsigned status, const char *text) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  if (!resp) return MHD_NO;
  MHD_add_response_header(resp, "content-type", "text/plain; charset=utf-8");
  enum MHD_Result rc = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  if (r) r->answered = true;
  return rc;
}

/* Response body: read from the guest's body channel. */
typedef struct {
  sreq_t *r;
  struct MHD_Response *resp;
} body_src_t;

static ssize_t body_reader(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  body_src_t *b = cls;
  sreq_t *r = b->r;
  int64_t n = weft_http_exchange_read(r->x, (uint8_t *)buf, max, weft_http_now_ns() + r->s->timeout_ns);
  if (n > 0) {
    sreq_extend(r);
    return (ssize_t)n;
  }
  if (n == 0) {
    size_t nt = weft_http_exchange_trailer_count(r->x);
    for (size_t i = 0; i < nt; i++) {
      weft_http_header_t t = weft_http_exchange_trailer(r->x, i);
      char *v = strndup((const char *)t.value, t.value_len);   /* values hold no NUL (wasi:http checks) */
      if (v) MHD_add_response_footer(b->resp, t.name, v);
      free(v);
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
  }
  if (n == WEFT_HTTP_TIMEOUT) {
    slog_note(r->s->log, r->id, "the response body made no progress in time: cut off");
    sreq_cancel(r);
  } else {
    slog_note(r->s->log, r->id, "%s", weft_http_exchange_error(r->x));
  }
  return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void body_free(void *cls) {
  body_src_t *b = cls;
  sreq_unref(b->r);
  free(b);
}

/* Hop-by-hop and framing headers: libmicrohttpd writes its own. */
static bool skip_header(const char *name) {
  static const char *const skip[] = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                     "upgrade", "content-length", "date"};
  for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
    if (!strcasecmp(name, skip[i])) return true;
  return false;
}

static enum MHD_Result answer_guest(struct MHD_Connection *c, sreq_t *r) {
  serve_t *s = r->s;
  int got = weft_http_exchange_wait_response(r->x, atomic_load(&r->deadline));
  if (got == WEFT_HTTP_TIMEOUT) {
    slog_note(s->log, r->id, "the handler did not answer in time: cut off");
    sreq_cancel(r);
    return answer_text(c, r, MHD_HTTP_GATEWAY_TIMEOUT, "the handler did not answer in time\n");
  }
  if (got == 0) {
    pthread_mutex_lock(&r->mu);
    bool cut_off = r->cancelled;   /* the watchdog was first */
    pthread_mutex_unlock(&r->mu);
    if (cut_off) return answer_text(c, r, MHD_HTTP_GATEWAY_TIMEOUT, "the handler did not answer in time\n");
    if (weft_http_exchange_bad_request(r->x))
      return answer_text(c, r, MHD_HTTP_BAD_REQUEST, "bad request\n");
    return answer_text(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal server error\n");
  }
  int status = weft_http_exchange_status(r->x);
  if (status < 200 || status > 599) {
    /* 1xx are not final answers; libmicrohttpd knows no others above 599 */
    slog_note(s->log, r->id, "the handler answered with status %d: 500 instead", status);
    sreq_cancel(r);
    return answer_text(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal server error\n");
  }
  /* a Content-Length from the guest frames the body; otherwise chunked */
  uint64_t size = MHD_SIZE_UNKNOWN;
  size_t nh = weft_http_exchange_header_count(r->x);
  for (size_t i = 0; i < nh; i++) {
    weft_http_header_t h = weft_http_exchange_header(r->x, i);
    if (strcmp(h.name, "content-length")) continue;
    char *end;
    errno = 0;
    unsigned long long v = strtoull((const char *)h.value, &end, 10);
    if (!errno && end != (const char *)h.value && !*end) size = v;
  }
  /* a small body the guest already finished goes out from one buffer: no
   * reader callback (whose 64 KiB block is allocated per response) */
  const uint8_t *data;
  size_t len;
  struct MHD_Response *resp = NULL;
  if (weft_http_exchange_body_complete(r->x, 64 * 1024, &data, &len) && (size == MHD_SIZE_UNKNOWN || size == len)) {
    resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    for (size_t i = 0; i < nh; i++) {
      weft_http_header_t h = weft_http_exchange_header(r->x, i);
      if (!skip_header(h.name)) MHD_add_response_header(resp, h.name, (const char *)h.value);
    }
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    r->answered = true;
    return rc;
  }
  body_src_t *b = calloc(1, sizeof *b);
  if (!b) return MHD_NO;
  b->r = sreq_ref(r);
  resp = MHD_create_response_from_callback(size, 64 * 1024, body_reader, b, body_free);
  if (!resp) {
    body_free(b);
    return MHD_NO;
  }
  b->resp = resp;
  for (size_t i = 0; i < nh; i++) {
    weft_http_header_t h = weft_http_exchange_header(r->x, i);
    if (!skip_header(h.name)) MHD_add_response_header(resp, h.name, (const char *)h.value);
  }
  enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
  MHD_destroy_response(resp);
  r->answered = true;
  return rc;
}

/* The raw request target, before libmicrohttpd splits off the query: the
 * per-request object starts here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  (void)c;
  serve_t *s = cls;
  sreq_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  atomic_init(&r->refs, 1);
  r->s = s;
  pthread_mutex_init(&r->mu, NULL);
  r->uri = strdup(uri ? uri : "/");
  r->id = atomic_fetch_add(&s->next_id, 1) + 1;
  atomic_init(&r->deadline, weft_http_now_ns() + s->timeout_ns);
  atomic_fetch_add(&s->inflight, 1);   /* no lock: every request passes here */
  r->counted = true;
  return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)c;
  serve_t *s = cls;
  sreq_t *r = *con_cls;
  if (!r) return;
  *con_cls = NULL;
  if (r->x && toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
    /* the client went away or the connection failed: stop the guest */
    weft_http_exchange_body_end(r->x, 0);
    sreq_cancel(r);
  } else if (r->x) {
    /* sent (a HEAD, or a Content-Length reached): what the guest still
     * writes goes nowhere, so its writes must not wait for us */
    weft_http_exchange_abort(r->x);
  }
  if (r->counted) {
    if (atomic_fetch_sub(&s->inflight, 1) == 1) {
      /* the shutdown wait checks the count under mu: no lost wake-up */
      pthread_mutex_lock(&s->mu);
      pthread_cond_broadcast(&s->idle_cv);
      pthread_mutex_unlock(&s->mu);
    }
  }
  sreq_unref(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)url, (void)version;
  serve_t *s = cls;
  sreq_t *r = *con_cls;
  if (!r) return MHD_NO;   /* out of memory in on_uri */
  if (!r->x && !r->answered) {
    /* the head is complete */
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    bool has_body = te != NULL;
    if (cl) {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(cl, &end, 10);
      if (errno || end == cl || *end) return answer_text(c, r, MHD_HTTP_BAD_REQUEST, "bad content-length\n");
      if (v > s->max_body) return answer_text(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
      has_body = has_body || v > 0;
    }
    hdrs_t h = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &h);
    if (h.oom) {
      free(h.h);
      return MHD_NO;
    }
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    char msg[200];
    r->x = weft_http_exchange_new(method, "http", host, r->uri, h.h, h.n, has_body, msg, sizeof msg);
    free(h.h);
    if (!r->x) {
      slog_note(s->log, r->id, "refused: %s", msg);
      char text[256];
      snprintf(text, sizeof text, "bad request: %s\n", msg);
      return answer_text(c, r, MHD_HTTP_BAD_REQUEST, text);
    }
    weft_http_exchange_set_spool(r->x, s->max_body < (1u << 20) ? (1u << 20) : s->max_body);
    if (serve_dispatch(s, r) != 0) {
      weft_http_exchange_fail(r->x, "no worker");
      return answer_text(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, "the server is shutting down\n");
    }
    return MHD_YES;
  }
  if (r->answered) {   /* answered early (a timeout): drop what the client still sends */
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    r->body_bytes += n;
    if (r->body_bytes > s->max_body) {
      /* Too large (a chunked body): the guest stops here; the rest is read
       * and dropped so the client sees the 413 (up to max-body more bytes,
       * then the connection is closed). */
      if (!r->too_large) {
        r->too_large = true;
        slog_note(s->log, r->id, "request body over --max-body: 413");
        sreq_cancel(r);
      }
      if (r->body_bytes - s->max_body > s->max_body) return MHD_NO;
      return MHD_YES;
    }
    if (r->body_dropped) return MHD_YES;
    int w = weft_http_exchange_body_write(r->x, (const uint8_t *)upload_data, n, atomic_load(&r->deadline));
    if (w == 1) r->body_dropped = true;   /* the guest does not read it */
    else if (w == WEFT_HTTP_TIMEOUT) {
      slog_note(s->log, r->id, "the handler did not read the request body in time: cut off");
      sreq_cancel(r);
      return answer_text(c, r, MHD_HTTP_GATEWAY_TIMEOUT, "the handler did not answer in time\n");
    } else {
      sreq_extend(r);
    }
    return MHD_YES;
  }
  if (r->too_large) return answer_text(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
  /* the footers of a chunked request (libmicrohttpd has parsed them by the
   * final call): the guest's request trailers */
  hdrs_t t = {0};
  MHD_get_connection_values(c, MHD_FOOTER_KIND, collect_header, &t);
  if (t.oom) {
    free(t.h);
    weft_http_exchange_body_end(r->x, 0);
    return MHD_NO;
  }
  size_t dropped = weft_http_exchange_body_end_trailers(r->x, t.h, t.n);
  free(t.h);
  if (dropped) slog_note(s->log, r->id, "%zu request trailer field(s) not valid: dropped", dropped);
  return answer_guest(c, r);
}

static void log_mhd(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n') msg[--n] = 0;
  fprintf(stderr, "weft serve: %s\n", msg);
}

/* ---- options ---- */

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (!s || !*s || *s == '-') return 0;
  unsigned long long v = strtoull(s, &end, 10);
  uint64_t mul = 1;
  if (*end == 'k' || *end == 'K') mul = 1024, end++;
  else if (*end == 'm' || *end == 'M') mul = 1024 * 1024, end++;
  else if (*end == 'g' || *end == 'G') mul = 1024ull * 1024 * 1024, end++;
  if (errno || *end || v > UINT64_MAX / mul) return 0;
  *out = v * mul;
  return 1;
}

static const char *opt_val(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (strcmp(argv[*i], name)) return NULL;
  if (*i + 1 >= argc) return "";
  return argv[++*i];
}

/* HOST:PORT, [V6]:PORT or :PORT */
static int parse_addr(const char *a, struct sockaddr_storage *ss, socklen_t *len) {
  char host[256];
  const char *colon = strrchr(a, ':');
  if (!colon || !colon[1]) return 0;
  size_t hl = (size_t)(colon - a);
  if (hl >= sizeof host) return 0;
  memcpy(host, a, hl);
  host[hl] = 0;
  char *h = host;
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h[hl - 1] = 0;
    h++;
  }
  uint64_t port;
  if (!parse_u64(colon + 1, &port) || port > 65535) return 0;
  struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM}, *res = NULL;
  if (getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res) != 0 || !res) return 0;
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return 1;
}

/* 1 if the component exports wasi:http/incoming-handler@0.2.x. */
static int exports_handler(const weft_component_t *comp) {
  size_t n = weft_component_export_count(comp);
  for (size_t i = 0; i < n; i++) {
    weft_item_kind_t kind;
    const char *name = weft_component_export(comp, i, &kind);
    if (kind == WEFT_ITEM_INSTANCE && !strncmp(name, "wasi:http/incoming-handler@0.2.", 31)) return 1;
  }
  return 0;
}

int cli_serve_main(int argc, char **argv) {
  const char *addr = "0.0.0.0:8080", *path = NULL;
  uint64_t timeout_s = 30, max_body = 64ull << 20, max_header = 64 << 10, max_conn = 1024, max_workers = 256;
  bool prefix = true;
  cli_wasi_t *wasi = cli_wasi_new();
  cli_hosts_t *hosts = cli_hosts_new();
  cli_links_t *links = cli_links_new();
  serve_t s;
  memset(&s, 0, sizeof s);
  pthread_mutex_init(&s.link_mu, NULL);
  s.wasi_argv = calloc((size_t)argc + 1, sizeof *s.wasi_argv);
  int rc = 2, i = 1;
  if (!wasi || !hosts || !links || !s.wasi_argv) {
    fprintf(stderr, "weft: out of memory\n");
    rc = 1;
    goto out;
  }
  for (; i < argc; i++) {
    const char *v;
    uint64_t *num = NULL;
    if ((v = opt_val(argc, argv, &i, "--addr"))) {
      addr = v;
      continue;
    }
    if ((v = opt_val(argc, argv, &i, "--timeout"))) num = &timeout_s;
    else if ((v = opt_val(argc, argv, &i, "--max-body"))) num = &max_body;
    else if ((v = opt_val(argc, argv, &i, "--max-header"))) num = &max_header;
    else if ((v = opt_val(argc, argv, &i, "--max-connections"))) num = &max_conn;
    else if ((v = opt_val(argc, argv, &i, "--max-workers"))) num = &max_workers;
    if (num) {
      if (!parse_u64(v, num) || *num == 0) {
        fprintf(stderr, "weft: %s: '%s' is not a positive number\n", argv[i - (argv[i] == v ? 1 : 0)], v);
        goto out;
      }
      continue;
    }
    if (!strcmp(argv[i], "--no-stdio-prefix")) {
      prefix = false;
      continue;
    }
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      serve_usage();
      rc = 0;
      goto out;
    }
    if (argv[i][0] == '-' && argv[i][1]) {
      int r = cli_links_option(links, argc, argv, &i);
      if (r == 0) r = cli_hosts_option(hosts, argc, argv, &i);
      if (r == 0) {
        int from = i;
        r = cli_wasi_option(wasi, argc, argv, &i);
        /* kept to be replayed: with --link every request links WASI anew */
        for (int j = from; r == 1 && j <= i; j++) s.wasi_argv[s.wasi_argc++] = argv[j];
      }
      if (r < 0) goto out;
      if (r == 0) {
        fprintf(stderr, "weft: unknown option '%s'\n", argv[i]);
        serve_usage();
        goto out;
      }
      continue;
    }
    path = argv[i++];
    break;   /* the rest: the guest's arguments */
  }
  if (!path) {
    serve_usage();
    goto out;
  }
  if (timeout_s > 86400 || max_workers > 100000 || max_conn > 1000000 || max_header > (1u << 30)) {
    fprintf(stderr, "weft: a limit is out of range (timeout <= 86400 s, max-workers <= 100000, "
                    "max-connections <= 1000000, max-header <= 1 GiB)\n");
    goto out;
  }
  struct sockaddr_storage ss;
  socklen_t sl = 0;
  if (!parse_addr(addr, &ss, &sl)) {
    fprintf(stderr, "weft: --addr '%s': expected HOST:PORT\n", addr);
    goto out;
  }
  rc = 1;
  weft_error_t err;
  s.path = path;
  s.timeout_ns = timeout_s * 1000000000ull;
  s.max_body = max_body;
  s.max_workers = (int)max_workers;
  pthread_mutex_init(&s.mu, NULL);
  pthread_cond_init(&s.cv, NULL);
  pthread_cond_init(&s.idle_cv, NULL);
  if (!(s.engine = weft_engine_new())) {
    fprintf(stderr, "weft: out of memory\n");
    goto out;
  }
  if (weft_component_from_file(s.engine, path, &s.comp, &err) != WEFT_OK) {
    fprintf(stderr, "weft: %s: %s\n", path, err.message);
    goto out;
  }
  if (!exports_handler(s.comp)) {
    fprintf(stderr,
            "weft: %s: the component does not export wasi:http/incoming-handler (0.2.x); weft serve needs "
            "one (a wasi:cli/run command runs with `weft run`)\n",
            path);
    goto out;
  }
  if (!(s.linker = weft_linker_new(s.engine))) {
    fprintf(stderr, "weft: out of memory\n");
    goto out;
  }
  if (cli_wasi_link(wasi, s.linker, path, argv + i, argc - i) || cli_hosts_link(hosts, s.linker, s.comp, path))
    goto out;
  if (cli_links_count(links)) {
    /* --link: every request gets fresh DEP instances and a linker of its
     * own (cli/serve_run.c); one set now, so that what cannot be linked or
     * instantiated is refused at start */
    s.links = links;
    s.hosts = hosts;
    s.args = argv + i;
    s.nargs = argc - i;
    if (cli_links_load(links, s.engine)) goto out;
    slink_t lk;
    weft_cinstance_t *probe = NULL;
    char msg[1536];
    int bad = slink_make(&s, &lk, &probe, msg, sizeof msg);
    if (bad) fprintf(stderr, "weft: %s\n", msg);
    weft_cinstance_free(probe);
    slink_free(&lk);
    if (bad) goto out;
  } else {
    /* Link once now (a missing import is reported at start, not per request):
     * every request's instance is made from this pre-link. One instance now,
     * so that a component that cannot be instantiated is refused at start. */
    if (weft_linker_instantiate_pre(s.linker, s.comp, &s.pre, &err) != WEFT_OK) {
      fprintf(stderr, "weft: %s: %s\n", path, err.message);
      goto out;
    }
    weft_cinstance_t *probe = NULL;
    if (weft_instance_pre_instantiate(s.pre, NULL, &probe, &err) != WEFT_OK) {
      fprintf(stderr, "weft: %s: %s\n", path, err.message);
      goto out;
    }
    weft_cinstance_free(probe);
  }

  /* Signals: every thread made from here on blocks them; this one waits. */
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (prefix && !(s.log = slog_new())) {
    fprintf(stderr, "weft: could not start the output thread\n");
    goto out;
  }
  if (serve_workers_start(&s) != 0) {
    fprintf(stderr, "weft: could not start the watchdog thread\n");
    goto out;
  }
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                   MHD_USE_ERROR_LOG | MHD_USE_ITC;
  if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, &s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)max_header, MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_conn,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(timeout_s + 5),
      MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "weft: cannot listen on %s: %s\n", addr, errno ? strerror(errno) : "libmicrohttpd failed");
    goto stop;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  fprintf(stderr, "weft serve: %s listening on http://%s (port %u)\n", path, addr, di ? di->port : 0);
  fflush(stderr);
  int sig = 0;
  while (sigwait(&sigs, &sig) != 0) {
  }
  fprintf(stderr, "weft serve: %s: finishing the requests in flight\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  MHD_quiesce_daemon(d);
  /* In-flight requests finish (each is bounded by its own deadline). */
  pthread_mutex_lock(&s.mu);
  while (atomic_load(&s.inflight) > 0) pthread_cond_wait(&s.idle_cv, &s.mu);
  pthread_mutex_unlock(&s.mu);
  MHD_stop_daemon(d);
  rc = 0;
stop:
  serve_workers_stop(&s);
  slog_free(s.log);
  if (rc == 0) fprintf(stderr, "weft serve: stopped\n");
out:
  weft_instance_pre_free(s.pre);
  weft_linker_free(s.linker);
  cli_links_free(links);   /* the DEP components, before the engine */
  weft_component_free(s.comp);
  weft_engine_free(s.engine);
  cli_wasi_free(wasi);
  cli_hosts_free(hosts);
  free(s.wasi_argv);
  pthread_mutex_destroy(&s.link_mu);
  return rc;
}
