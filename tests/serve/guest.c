/* wasi:http/incoming-handler test guests for `weft serve`, in freestanding C
 * with the canonical ABI written out by hand (no bindings generator): one
 * source, one guest per -DGUEST_* flag (tests/cli/serve.sh builds each with
 * clang --target=wasm32, then jco embed + jco new against the proxy world).
 *
 *   GUEST_HELLO     200 "hello from weft\n"; on /log/... it also prints a line
 *                   to stdout and one to stderr
 *   GUEST_BOTH      the hello handler, and wasi:cli/run too (world "both")
 *   GUEST_ECHO      streams the request body back as it arrives (chunked) and
 *                   finishes with a trailer x-echo-bytes: N
 *   GUEST_OUTBOUND  GET /HOST:PORT/PATH: fetches http://HOST:PORT/PATH through
 *                   wasi:http/outgoing-handler, answers "upstream STATUS: BODY"
 *   GUEST_TRAILERS  reads the request body to its end, then answers with
 *                   what incoming-body.finish's future-trailers gave:
 *                   "N bytes, trailers: name: value; ..." (or "none", or
 *                   "error CODE"); a second get must say "taken"
 *   GUEST_TRAP      traps (unreachable)
 *   GUEST_LOOP      never answers (an endless loop) */
#define GUEST_HEAP_SIZE (4 << 20)
#include "../guest/http_guest.h"

#ifdef GUEST_TRAILERS
IMPORT(TYPES, "[static]incoming-body.finish") int32_t inbody_finish(int32_t self);
IMPORT(TYPES, "[method]future-trailers.subscribe") int32_t trailers_subscribe(int32_t self);
IMPORT(TYPES, "[method]future-trailers.get") void trailers_get(int32_t self, void *ret);
IMPORT(TYPES, "[resource-drop]future-trailers") void trailers_drop(int32_t self);
IMPORT(TYPES, "[method]fields.entries") void fields_entries(int32_t self, void *ret);
IMPORT(TYPES, "[resource-drop]fields") void fields_drop(int32_t self);
#endif
#ifdef GUEST_TRAILERS
/* clang turns the copy loops below into memcpy calls */
void *memcpy(void *d, const void *src, size_t n) {
  uint8_t *dd = d;
  const uint8_t *ss = src;
  while (n--) *dd++ = *ss++;
  return d;
}
#endif
#ifdef GUEST_BOTH
#define GUEST_HELLO
__attribute__((export_name("wasi:cli/run@0.2.12#run"))) int32_t run(void) { return 0; }
#endif
#ifdef GUEST_HELLO
IMPORT("wasi:cli/stdout@0.2.12", "get-stdout") int32_t get_stdout(void);
IMPORT("wasi:cli/stderr@0.2.12", "get-stderr") int32_t get_stderr(void);
#endif
#ifdef GUEST_OUTBOUND
IMPORT(TYPES, "[constructor]outgoing-request") int32_t outreq_new(int32_t headers);
IMPORT(TYPES, "[method]outgoing-request.set-scheme")
int32_t outreq_set_scheme(int32_t self, int32_t some, int32_t tag, const char *p, size_t n);
IMPORT(TYPES, "[method]outgoing-request.set-authority")
int32_t outreq_set_authority(int32_t self, int32_t some, const char *p, size_t n);
IMPORT(TYPES, "[method]outgoing-request.set-path-with-query")
int32_t outreq_set_path(int32_t self, int32_t some, const char *p, size_t n);
IMPORT("wasi:http/outgoing-handler@0.2.12", "handle")
void outgoing_handle(int32_t req, int32_t has_opts, int32_t opts, void *ret);
IMPORT(TYPES, "[method]future-incoming-response.subscribe") int32_t future_subscribe(int32_t self);
IMPORT(TYPES, "[method]future-incoming-response.get") void future_get(int32_t self, void *ret);
IMPORT(TYPES, "[method]incoming-response.status") int32_t inresp_status(int32_t self);
IMPORT(TYPES, "[method]incoming-response.consume") void inresp_consume(int32_t self, void *ret);
#endif

HELPER void write_all(int32_t out, const uint8_t *p, size_t n) {
  while (n) {
    size_t k = n > 4096 ? 4096 : n;
    out_write(out, p, k, ret);
    if (ret[0]) __builtin_trap();
    p += k;
    n -= k;
  }
}

/* A response with one header: returns its output stream; *body the body. */
HELPER int32_t respond(int32_t outparam, int status, const char *ctype, int32_t *body) {
  int32_t h = fields_new();
  fields_append(h, "content-type", 12, ctype, slen(ctype), ret);
  int32_t resp = outresp_new(h);
  outresp_set_status(resp, status);
  return answer_with(outparam, resp, body);
}


#if defined(GUEST_HELLO) || defined(GUEST_OUTBOUND)
/* The request's path-with-query in the static buffer (NUL-terminated). */
static char path[512];
static void get_path(int32_t req) {
  inreq_path(req, ret);
  size_t n = 0;
  if (ret[0]) {
    const char *p = (const char *)(uintptr_t)r32(4);
    n = (size_t)r32(8);
    if (n >= sizeof path) n = sizeof path - 1;
    for (size_t i = 0; i < n; i++) path[i] = p[i];
  }
  path[n] = 0;
}
#endif

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle"))) void handle(int32_t req, int32_t outparam) {
  heap_top = 0;
#if defined(GUEST_HELLO)
  get_path(req);
  if (path[0] == '/' && path[1] == 'l' && path[2] == 'o' && path[3] == 'g') {
    int32_t o = get_stdout(), e = get_stderr();
    write_all(o, (const uint8_t *)"handling ", 9);
    write_all(o, (const uint8_t *)path, slen(path));
    write_all(o, (const uint8_t *)"\n", 1);
    write_all(e, (const uint8_t *)"a line on stderr\n", 17);
    out_drop(o);
    out_drop(e);
  }
  inreq_drop(req);
  int32_t body;
  int32_t out = respond(outparam, 200, "text/plain", &body);
  write_all(out, (const uint8_t *)"hello from weft\n", 16);
  finish(out, body, -1);
#elif defined(GUEST_ECHO)
  inreq_consume(req, ret);
  if (ret[0]) __builtin_trap();
  int32_t inbody = r32(4);
  inbody_stream(inbody, ret);
  if (ret[0]) __builtin_trap();
  int32_t in = r32(4);
  int32_t body;
  int32_t out = respond(outparam, 200, "application/octet-stream", &body);
  uint64_t total = 0;
  for (;;) {
    heap_top = 0;
    in_read(in, 65536, ret);
    if (ret[0]) {
      if (ret[4] != 1) __builtin_trap();   /* not closed: failed */
      break;
    }
    const uint8_t *p = (const uint8_t *)(uintptr_t)r32(4);
    size_t n = (size_t)r32(8);
    write_all(out, p, n);
    total += n;
  }
  in_drop(in);
  inbody_drop(inbody);
  inreq_drop(req);
  char num[24];
  int k = 0;
  char tmp[24];
  do {
    tmp[k++] = (char)('0' + total % 10);
    total /= 10;
  } while (total);
  for (int i = 0; i < k; i++) num[i] = tmp[k - 1 - i];
  int32_t tr = fields_new();
  fields_append(tr, "x-echo-bytes", 12, num, (size_t)k, ret);
  finish(out, body, tr);
#elif defined(GUEST_TRAILERS)
  inreq_consume(req, ret);
  if (ret[0]) __builtin_trap();
  int32_t inbody = r32(4);
  inbody_stream(inbody, ret);
  if (ret[0]) __builtin_trap();
  int32_t in = r32(4);
  uint64_t total = 0;
  for (;;) {
    heap_top = 0;
    in_read(in, 65536, ret);
    if (ret[0]) break;
    total += (uint64_t)r32(8);
  }
  in_drop(in);
  inreq_drop(req);
  int32_t ft = inbody_finish(inbody);
  /* option<result<result<option<own<trailers>>, error-code>>> */
  for (;;) {
    trailers_get(ft, ret);
    if (ret[0]) break;
    int32_t p = trailers_subscribe(ft);
    pollable_block(p);
    pollable_drop(p);
  }
  static char text[4096];
  size_t n = 0;
#define ADD(s, len) \
  for (size_t i_ = 0; i_ < (size_t)(len) && n < sizeof text - 1; i_++) text[n++] = (s)[i_]
  char tmp[24];
  int k = 0;
  do {
    tmp[k++] = (char)('0' + total % 10);
    total /= 10;
  } while (total);
  while (k) {
    k--;
    ADD(&tmp[k], 1);
  }
  ADD(" bytes, trailers: ", 18);
  if (ret[8]) {
    ADD("taken", 5);
  } else if (ret[16]) {
    char code[4] = {'e', ' ', (char)('0' + ret[24] / 10 % 10), (char)('0' + ret[24] % 10)};
    ADD(code, 4);
  } else if (!ret[24]) {
    ADD("none", 4);
  } else {
    int32_t f = r32(28);
    fields_entries(f, ret);
    const int32_t *e = (const int32_t *)(uintptr_t)r32(0);
    int32_t ne = r32(4);
    for (int32_t i = 0; i < ne; i++) {
      if (i) ADD("; ", 2);
      ADD((const char *)(uintptr_t)e[4 * i], e[4 * i + 1]);
      ADD(": ", 2);
      ADD((const char *)(uintptr_t)e[4 * i + 2], e[4 * i + 3]);
    }
    fields_drop(f);
    trailers_get(ft, ret);
    if (!ret[0] || !ret[8]) ADD(" [second get not taken]", 23);
  }
#undef ADD
  text[n++] = '\n';
  trailers_drop(ft);
  int32_t body;
  int32_t out = respond(outparam, 200, "text/plain", &body);
  write_all(out, (const uint8_t *)text, n);
  finish(out, body, -1);
#elif defined(GUEST_OUTBOUND)
  get_path(req);
  inreq_drop(req);
  /* "/HOST:PORT/REST" */
  const char *auth = path + 1, *rest = auth;
  while (*rest && *rest != '/') rest++;
  int32_t oreq = outreq_new(fields_new());
  outreq_set_scheme(oreq, 1, 0, 0, 0);
  outreq_set_authority(oreq, 1, auth, (size_t)(rest - auth));
  outreq_set_path(oreq, 1, *rest ? rest : "/", *rest ? slen(rest) : 1);
  outgoing_handle(oreq, 0, 0, ret);
  int32_t body;
  if (ret[0]) {
    int32_t out = respond(outparam, 502, "text/plain", &body);
    write_all(out, (const uint8_t *)"outgoing-handler refused the request\n", 37);
    finish(out, body, -1);
    return;
  }
  int32_t fut = r32(8);
  int32_t poll = future_subscribe(fut);
  pollable_block(poll);
  future_get(fut, ret);
  /* option<result<result<own<incoming-response>, error-code>>> */
  if (!ret[0] || ret[8] || ret[16]) {
    int32_t out = respond(outparam, 502, "text/plain", &body);
    write_all(out, (const uint8_t *)"upstream failed\n", 16);
    finish(out, body, -1);
    return;
  }
  int32_t iresp = r32(24);
  int status = inresp_status(iresp);
  inresp_consume(iresp, ret);
  if (ret[0]) __builtin_trap();
  int32_t ibody = r32(4);
  inbody_stream(ibody, ret);
  if (ret[0]) __builtin_trap();
  int32_t in = r32(4);
  int32_t out = respond(outparam, 200, "text/plain", &body);
  char head[32] = "upstream ";
  int k = 9;
  head[k++] = (char)('0' + status / 100 % 10);
  head[k++] = (char)('0' + status / 10 % 10);
  head[k++] = (char)('0' + status % 10);
  head[k++] = ':';
  head[k++] = ' ';
  write_all(out, (const uint8_t *)head, (size_t)k);
  for (;;) {
    heap_top = 0;
    in_read(in, 65536, ret);
    if (ret[0]) break;
    write_all(out, (const uint8_t *)(uintptr_t)r32(4), (size_t)r32(8));
  }
  in_drop(in);
  inbody_drop(ibody);
  finish(out, body, -1);
#elif defined(GUEST_TRAP)
  (void)req, (void)outparam;
  __builtin_trap();
#elif defined(GUEST_LOOP)
  (void)req, (void)outparam;
  for (volatile int spin = 0;; spin++) {
  }
#else
#error "define one GUEST_*"
#endif
}
