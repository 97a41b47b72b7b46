/* A wasi:http test guest written against the canonical ABI by hand
 * (freestanding C, no libc): built with clang --target=wasm32 -nostdlib,
 * then `jco embed` (wit-c/httptest.wit) and `jco new`. It drives
 * wasi:http/types and outgoing-handler directly, checking what a
 * JavaScript guest cannot see: header-error cases, immutable headers,
 * error-code values, future-trailers, Content-Length enforcement, trailers
 * both ways, request-options' first-byte timeout. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define IMP(mod, name) __attribute__((import_module(mod), import_name(name)))
#define EXP(name) __attribute__((export_name(name)))
#define T "wasi:http/types@0.2.12"

void *memcpy(void *d, const void *s, unsigned long n) {
  u8 *dd = d;
  const u8 *ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}
void *memset(void *d, int c, unsigned long n) {
  u8 *dd = d;
  while (n--) *dd++ = (u8)c;
  return d;
}

static u8 heap[4 << 20];
static u32 heap_off;
EXP("cabi_realloc") void *cabi_realloc(void *old, u32 old_size, u32 align, u32 new_size) {
  heap_off = (heap_off + align - 1) & ~(align - 1);
  if (heap_off + new_size > sizeof heap) __builtin_trap();
  void *p = heap + heap_off;
  heap_off += new_size;
  if (old) memcpy(p, old, old_size < new_size ? old_size : new_size);
  return p;
}

static char out[8192];
static u32 outlen;
static u32 ret_area[2];
static void put(const char *s) {
  while (*s && outlen < sizeof out) out[outlen++] = *s++;
}
static void putn(const char *s, u32 n) {
  while (n-- && outlen < sizeof out) out[outlen++] = *s++;
}
static void putu(u32 v) {
  char b[12];
  int i = 11;
  b[i] = 0;
  do b[--i] = (char)('0' + v % 10); while ((v /= 10));
  put(b + i);
}
static u32 *result(void) {
  ret_area[0] = (u32)out;
  ret_area[1] = outlen;
  outlen = 0;
  heap_off = 0;
  return ret_area;
}

/* ---- imports ---- */
IMP(T, "[constructor]fields") u32 fields_new(void);
IMP(T, "[static]fields.from-list") void fields_from_list(const void *p, u32 n, void *ret);
IMP(T, "[method]fields.get") void fields_get(u32 f, const char *n, u32 nl, void *ret);
IMP(T, "[method]fields.has") u32 fields_has(u32 f, const char *n, u32 nl);
IMP(T, "[method]fields.set") void fields_set(u32 f, const char *n, u32 nl, const void *vs, u32 nv, void *ret);
IMP(T, "[method]fields.delete") void fields_delete(u32 f, const char *n, u32 nl, void *ret);
IMP(T, "[method]fields.append") void fields_append(u32 f, const char *n, u32 nl, const void *v, u32 vl, void *ret);
IMP(T, "[method]fields.entries") void fields_entries(u32 f, void *ret);
IMP(T, "[resource-drop]fields") void drop_fields(u32);
IMP(T, "[constructor]outgoing-request") u32 request_new(u32 headers);
IMP(T, "[method]outgoing-request.headers") u32 request_headers(u32);
IMP(T, "[method]outgoing-request.set-method") u32 request_set_method(u32 r, u32 disc, const char *p, u32 n);
IMP(T, "[method]outgoing-request.set-path-with-query") u32 request_set_path(u32 r, u32 some, const char *p, u32 n);
IMP(T, "[method]outgoing-request.set-authority") u32 request_set_authority(u32 r, u32 some, const char *p, u32 n);
IMP(T, "[method]outgoing-request.set-scheme") u32 request_set_scheme(u32 r, u32 some, u32 disc, const char *p, u32 n);
IMP(T, "[method]outgoing-request.body") void request_body(u32 r, void *ret);
IMP(T, "[resource-drop]outgoing-request") void drop_request(u32);
IMP(T, "[method]outgoing-body.write") void body_write(u32 b, void *ret);
IMP(T, "[static]outgoing-body.finish") void body_finish(u32 b, u32 some, u32 trailers, void *ret);
IMP(T, "[constructor]request-options") u32 opts_new(void);
IMP(T, "[method]request-options.set-first-byte-timeout") u32 opts_set_first_byte(u32 o, u32 some, u64 ns);
IMP("wasi:http/outgoing-handler@0.2.12", "handle") void handle(u32 req, u32 some, u32 opts, void *ret);
IMP(T, "[method]future-incoming-response.subscribe") u32 future_subscribe(u32);
IMP(T, "[method]future-incoming-response.get") void future_get(u32, void *ret);
IMP(T, "[resource-drop]future-incoming-response") void drop_future(u32);
IMP(T, "[method]incoming-response.status") u32 response_status(u32);
IMP(T, "[method]incoming-response.headers") u32 response_headers(u32);
IMP(T, "[method]incoming-response.consume") void response_consume(u32, void *ret);
IMP(T, "[resource-drop]incoming-response") void drop_response(u32);
IMP(T, "[method]incoming-body.stream") void inbody_stream(u32, void *ret);
IMP(T, "[static]incoming-body.finish") u32 inbody_finish(u32);
IMP(T, "[method]future-trailers.subscribe") u32 trailers_subscribe(u32);
IMP(T, "[method]future-trailers.get") void trailers_get(u32, void *ret);
IMP(T, "[resource-drop]future-trailers") void drop_trailers(u32);
IMP("wasi:io/poll@0.2.12", "[method]pollable.block") void pollable_block(u32 p);
IMP("wasi:io/poll@0.2.12", "[resource-drop]pollable") void drop_pollable(u32 p);
IMP("wasi:io/streams@0.2.12", "[method]output-stream.blocking-write-and-flush") void blocking_write(u32 s, const void *p, u32 n, void *ret);
IMP("wasi:io/streams@0.2.12", "[method]input-stream.blocking-read") void blocking_read(u32 s, u64 len, void *ret);
IMP("wasi:io/streams@0.2.12", "[resource-drop]input-stream") void drop_in(u32);
IMP("wasi:io/streams@0.2.12", "[resource-drop]output-stream") void drop_out(u32);

static _Alignas(8) u8 r[64];
#define R8(off) (*(u8 *)(r + (off)))
#define R32(off) (*(u32 *)(r + (off)))
#define R64(off) (*(u64 *)(r + (off)))

static void wait(u32 p) {
  pollable_block(p);
  drop_pollable(p);
}

static const char *const herr[] = {"invalid-syntax", "forbidden", "immutable"};
/* result<_, header-error> in r: "ok" or the case */
static void put_hres(u32 err_off) {
  put(R8(0) ? herr[R8(err_off) % 3] : "ok");
}

/* list<tuple<string, list<u8>>> element */
typedef struct {
  const char *n;
  u32 nl;
  const char *v;
  u32 vl;
} entry_t;

/* ---- exports ---- */
EXP("fields-rules") u32 *fields_rules(void) {
  entry_t e1 = {"Connection", 10, "close", 5};
  fields_from_list(&e1, 1, r);
  put("from-list connection: ");
  put_hres(4);
  entry_t e2 = {"bad name", 8, "v", 1};
  fields_from_list(&e2, 1, r);
  put("; from-list bad name: ");
  put_hres(4);
  entry_t e3 = {"x-bad", 5, "a\r\nb", 4};
  fields_from_list(&e3, 1, r);
  put("; bad value: ");
  put_hres(4);

  u32 f = fields_new();
  fields_append(f, "X-A", 3, "1", 1, r);
  put("; append: ");
  put_hres(1);
  fields_append(f, "x-a", 3, "2", 1, r);
  fields_get(f, "x-A", 3, r);
  put("; get: ");
  putu(R32(4));
  put(" values");
  u32 *vals = (u32 *)R32(0);
  for (u32 i = 0; i < R32(4); i++) {
    put(" ");
    putn((const char *)vals[2 * i], vals[2 * i + 1]);
  }
  entry_t one = {"9", 1, 0, 0};   /* a list<field-value> of one value: (ptr, len) */
  fields_set(f, "x-a", 3, &one, 1, r);
  put("; set: ");
  put_hres(1);
  fields_entries(f, r);
  put("; entries: ");
  putu(R32(4));
  put(" has x-a: ");
  putu(fields_has(f, "x-a", 3));
  fields_delete(f, "X-a", 3, r);
  put("; after delete: ");
  putu(fields_has(f, "x-a", 3));

  u32 req = request_new(f);   /* f moves into the request */
  u32 h = request_headers(req);
  fields_append(h, "x-b", 3, "1", 1, r);
  put("; request headers append: ");
  put_hres(1);
  drop_fields(h);
  put("; method 'BAD M': ");
  put(request_set_method(req, 9, "BAD M", 5) ? "err" : "ok");
  put(", method PATCH: ");
  put(request_set_method(req, 8, 0, 0) ? "err" : "ok");
  put("; path 'x': ");
  put(request_set_path(req, 1, "x", 1) ? "err" : "ok");
  put(", path '/a?b': ");
  put(request_set_path(req, 1, "/a?b", 4) ? "err" : "ok");
  put("; authority 'a/b': ");
  put(request_set_authority(req, 1, "a/b", 3) ? "err" : "ok");
  put(", scheme 'x y': ");
  put(request_set_scheme(req, 1, 2, "x y", 3) ? "err" : "ok");
  request_body(req, r);
  u32 first = R8(0);
  if (!first) {
    u32 b = R32(4);
    request_body(req, r);
    put("; body twice: ");
    put(first == 0 && R8(0) == 1 ? "err" : "ok");
    body_finish(b, 0, 0, r);
  }
  drop_request(req);
  return result();
}

static const char *const ecodes[] = {
    "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable", "destination-IP-prohibited",
    "destination-IP-unroutable", "connection-refused", "connection-terminated", "connection-timeout",
    "connection-read-timeout", "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
    "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied", "HTTP-request-length-required",
    "HTTP-request-body-size", "HTTP-request-method-invalid", "HTTP-request-URI-invalid",
    "HTTP-request-URI-too-long", "HTTP-request-header-section-size", "HTTP-request-header-size",
    "HTTP-request-trailer-section-size", "HTTP-request-trailer-size", "HTTP-response-incomplete",
    "HTTP-response-header-section-size", "HTTP-response-header-size", "HTTP-response-body-size",
    "HTTP-response-trailer-section-size", "HTTP-response-trailer-size", "HTTP-response-transfer-coding",
    "HTTP-response-content-coding", "HTTP-response-timeout", "HTTP-upgrade-failed", "HTTP-protocol-error",
    "loop-detected", "configuration-error", "internal-error"};
static void put_ecode(u8 c) { put(c < sizeof ecodes / sizeof ecodes[0] ? ecodes[c] : "?"); }

/* "127.0.0.1:port" */
static u32 authority(char *buf, u32 port) {
  u32 n = 0;
  const char *h = "127.0.0.1:";
  while (*h) buf[n++] = *h++;
  char d[6];
  int i = 5;
  do d[--i] = (char)('0' + port % 10); while ((port /= 10));
  while (i < 5) buf[n++] = d[i++];
  return n;
}

/* Build a request to 127.0.0.1:port path; method index; optional body. */
static u32 make_request(u32 port, const char *path, u32 plen, u32 method, u32 headers) {
  u32 req = request_new(headers);
  char a[32];
  request_set_method(req, method, 0, 0);
  request_set_scheme(req, 1, 0, 0, 0);
  request_set_authority(req, 1, a, authority(a, port));
  request_set_path(req, 1, path, plen);
  return req;
}

/* Wait for the future-incoming-response fut (dropping it): the response,
 * or 0 after putting the error. */
static u32 wait_response(u32 fut) {
  for (;;) {
    future_get(fut, r);
    if (R8(0)) break;
    wait(future_subscribe(fut));
  }
  drop_future(fut);
  if (R8(8)) {
    put("future: taken twice");
    return 0;
  }
  if (R8(16)) {
    put("error: ");
    put_ecode(R8(24));
    return 0;
  }
  return R32(24);
}

/* Send req (with request-options opts, or none: 0); wait for the
 * response; return its handle, or 0 after putting the error. */
static u32 send_wait_opts(u32 req, u32 opts) {
  handle(req, opts != 0, opts, r);
  if (R8(0)) {
    put("handle: ");
    put_ecode(R8(8));
    return 0;
  }
  return wait_response(R32(8));
}
static u32 send_wait(u32 req) { return send_wait_opts(req, 0); }

/* fields as "name: value, ..." */
static void put_entries(u32 f) {
  fields_entries(f, r);
  const entry_t *e = (const entry_t *)R32(0);
  u32 n = R32(4);
  for (u32 i = 0; i < n; i++) {
    if (i) put(", ");
    putn(e[i].n, e[i].nl);
    put(": ");
    putn(e[i].v, e[i].vl);
  }
}

/* "status body" then how the trailers ended */
static void read_response(u32 resp) {
  putu(response_status(resp));
  put(" ");
  response_consume(resp, r);
  if (R8(0)) {
    put("consume failed");
    return;
  }
  u32 body = R32(4);
  response_consume(resp, r);
  if (!R8(0)) put("[consumed twice!]");
  inbody_stream(body, r);
  u32 in = R32(4);
  for (;;) {
    blocking_read(in, 4096, r);
    if (R8(0)) break;
    putn((const char *)R32(4), R32(8));
  }
  drop_in(in);
  u32 tr = inbody_finish(body);
  for (;;) {
    trailers_get(tr, r);
    if (R8(0)) break;
    wait(trailers_subscribe(tr));
  }
  put(" / trailers: ");
  if (R8(8)) {
    put("taken");
  } else if (R8(16)) {
    put("error ");
    put_ecode(R8(24));
  } else if (R8(24)) {
    u32 f = R32(28);
    put("some(");
    put_entries(f);
    put(")");
    /* a second get: the result was taken */
    trailers_get(tr, r);
    if (!R8(0) || !R8(8)) put(" [second get not 'taken']");
    drop_fields(f);
  } else {
    put("none");
  }
  drop_trailers(tr);
  drop_response(resp);
}

/* wait_response, then put what read_response reads. */
static u32 *await_response(u32 fut) {
  u32 resp = wait_response(fut);
  if (resp) read_response(resp);
  return result();
}

EXP("get") u32 *get(u32 port, const char *path, u32 plen) {
  u32 resp = send_wait(make_request(port, path, plen, 0, fields_new()));
  if (resp) read_response(resp);
  return result();
}

EXP("post") u32 *post(u32 port, const char *data, u32 dlen) {
  u32 req = make_request(port, "/echo", 5, 2, fields_new());
  request_body(req, r);
  u32 body = R32(4);
  body_write(body, r);
  u32 os = R32(4);
  /* start the request first, then stream the body in pieces */
  handle(req, 0, 0, r);
  if (R8(0)) {
    put("handle: ");
    put_ecode(R8(8));
    return result();
  }
  u32 fut = R32(8);
  for (u32 off = 0; off < dlen;) {
    u32 n = dlen - off < 7 ? dlen - off : 7;
    blocking_write(os, data + off, n, r);
    if (R8(0)) {
      put("write failed");
      return result();
    }
    off += n;
  }
  drop_out(os);
  body_finish(body, 0, 0, r);
  if (R8(0)) {
    put("finish: ");
    put_ecode(R8(8));
    return result();
  }
  return await_response(fut);
}

/* POST n generated bytes (4 KiB writes; no Content-Length: chunked) and
 * check the echo: both body channels fill up and drain many times. */
EXP("post-big") u32 *post_big(u32 port, u32 n) {
  u32 req = make_request(port, "/echo", 5, 2, fields_new());
  request_body(req, r);
  u32 body = R32(4);
  body_write(body, r);
  u32 os = R32(4);
  handle(req, 0, 0, r);
  if (R8(0)) {
    put("handle failed");
    return result();
  }
  u32 fut = R32(8);
  static u8 chunk[4096];
  for (u32 off = 0; off < n;) {
    u32 k = n - off < sizeof chunk ? n - off : sizeof chunk;
    for (u32 i = 0; i < k; i++) chunk[i] = (u8)((off + i) * 7);
    blocking_write(os, chunk, k, r);
    if (R8(0)) {
      put("write failed");
      return result();
    }
    off += k;
  }
  drop_out(os);
  body_finish(body, 0, 0, r);
  u32 resp = wait_response(fut);
  if (!resp) return result();
  putu(response_status(resp));
  response_consume(resp, r);
  u32 rb = R32(4);
  inbody_stream(rb, r);
  u32 in = R32(4);
  u32 got = 0, bad = 0;
  for (;;) {
    heap_off = 0;   /* each read's list is garbage once checked */
    blocking_read(in, 65536, r);
    if (R8(0)) break;
    const u8 *p = (const u8 *)R32(4);
    for (u32 i = 0; i < R32(8); i++) bad += p[i] != (u8)((got + i) * 7);
    got += R32(8);
  }
  drop_in(in);
  drop_trailers(inbody_finish(rb));
  drop_response(resp);
  put(" ");
  putu(got);
  put(bad ? " corrupt" : " intact");
  return result();
}

/* POST body to /trailers-echo in a chunked upload (or with a
 * Content-Length when with_length) and finish it with two trailers; the
 * server answers with the trailers it got. */
EXP("post-trailers") u32 *post_trailers(u32 port, const char *data, u32 dlen, u32 with_length) {
  u32 h = fields_new();
  if (with_length) {
    char num[12];
    u32 k = 0, v = dlen;
    char tmp[12];
    do tmp[k++] = (char)('0' + v % 10); while ((v /= 10));
    for (u32 i = 0; i < k; i++) num[i] = tmp[k - 1 - i];
    fields_append(h, "content-length", 14, num, k, r);
  }
  u32 req = make_request(port, "/trailers-echo", 14, 2, h);
  request_body(req, r);
  u32 body = R32(4);
  body_write(body, r);
  u32 os = R32(4);
  handle(req, 0, 0, r);
  if (R8(0)) {
    put("handle: ");
    put_ecode(R8(8));
    return result();
  }
  u32 fut = R32(8);
  blocking_write(os, data, dlen, r);
  drop_out(os);
  entry_t tl[2] = {{"X-Sum", 5, "42", 2}, {"x-note", 6, "end of body", 11}};
  fields_from_list(tl, 2, r);
  if (R8(0)) {
    put("trailers: from-list failed");
    return result();
  }
  body_finish(body, 1, R32(4), r);
  if (R8(0)) {
    put("finish: ");
    put_ecode(R8(8));
    return result();
  }
  return await_response(fut);
}

/* GET path with a first-byte timeout of ms milliseconds */
EXP("first-byte") u32 *first_byte(u32 port, const char *path, u32 plen, u32 ms) {
  u32 opts = opts_new();
  if (opts_set_first_byte(opts, 1, (u64)ms * 1000000u)) put("[set-first-byte-timeout refused] ");
  u32 resp = send_wait_opts(make_request(port, path, plen, 0, fields_new()), opts);
  if (resp) read_response(resp);
  return result();
}

EXP("refused") u32 *refused(u32 port) {
  u32 resp = send_wait(make_request(port, "/", 1, 0, fields_new()));
  if (resp) {
    put("got a response?");
    drop_response(resp);
  }
  return result();
}

EXP("body-size") u32 *body_size(u32 port) {
  entry_t cl = {"content-length", 14, "10", 2};
  fields_from_list(&cl, 1, r);
  u32 req = make_request(port, "/echo", 5, 2, R32(4));
  request_body(req, r);
  u32 body = R32(4);
  body_write(body, r);
  u32 os = R32(4);
  handle(req, 0, 0, r);
  u32 fut = R32(8);
  blocking_write(os, "abc", 3, r);
  drop_out(os);
  body_finish(body, 0, 0, r);
  put("finish: ");
  if (!R8(0)) {
    put("ok");
  } else {
    put_ecode(R8(8));
    /* HTTP-request-body-size(option<u64>): some(3) */
    put(R8(16) == 1 ? "(" : "(none");
    if (R8(16) == 1) putu((u32)R64(24));
    put(")");
  }
  drop_future(fut);
  return result();
}
