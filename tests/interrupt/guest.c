/* A wasi:http/incoming-handler guest for tests/cli/interrupt.sh, in
 * freestanding C with the canonical ABI written out by hand (built like the
 * `weft serve` test guests: clang --target=wasm32, jco embed, jco new;
 * tests/interrupt/build.sh).
 *   /sleep   waits an hour: monotonic-clock.subscribe-duration +
 *            pollable.block, then answers 200 "woke"
 *   /poll    the same through wasi:io/poll.poll
 *   /read    blocking-read of the request body until it ends, then 200
 *            "read N bytes" (a client that never sends it leaves it waiting)
 *   else     200 "awake\n" */
#include <stddef.h>
#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define TYPES "wasi:http/types@0.2.12"
#define STREAMS "wasi:io/streams@0.2.12"
#define POLL "wasi:io/poll@0.2.12"

IMPORT(TYPES, "[constructor]fields") int32_t fields_new(void);
IMPORT(TYPES, "[constructor]outgoing-response") int32_t outresp_new(int32_t headers);
IMPORT(TYPES, "[method]outgoing-response.body") void outresp_body(int32_t self, void *ret);
IMPORT(TYPES, "[method]outgoing-body.write") void outbody_write(int32_t self, void *ret);
IMPORT(TYPES, "[static]outgoing-body.finish")
void outbody_finish(int32_t body, int32_t has_trailers, int32_t trailers, void *ret);
IMPORT(TYPES, "[static]response-outparam.set")
void outparam_set(int32_t param, int32_t is_err, int32_t resp, int32_t a, int64_t b, int32_t c, int32_t d, int32_t e,
                  int32_t f);
IMPORT(TYPES, "[method]incoming-request.path-with-query") void inreq_path(int32_t self, void *ret);
IMPORT(TYPES, "[method]incoming-request.consume") void inreq_consume(int32_t self, void *ret);
IMPORT(TYPES, "[method]incoming-body.stream") void inbody_stream(int32_t self, void *ret);
IMPORT(TYPES, "[resource-drop]incoming-body") void inbody_drop(int32_t self);
IMPORT(TYPES, "[resource-drop]incoming-request") void inreq_drop(int32_t self);
IMPORT(STREAMS, "[method]output-stream.blocking-write-and-flush")
void out_write(int32_t self, const void *p, size_t n, void *ret);
IMPORT(STREAMS, "[method]input-stream.blocking-read") void in_read(int32_t self, int64_t len, void *ret);
IMPORT(STREAMS, "[resource-drop]output-stream") void out_drop(int32_t self);
IMPORT(STREAMS, "[resource-drop]input-stream") void in_drop(int32_t self);
IMPORT("wasi:clocks/monotonic-clock@0.2.12", "subscribe-duration") int32_t subscribe_duration(int64_t ns);
IMPORT(POLL, "[method]pollable.block") void pollable_block(int32_t self);
IMPORT(POLL, "poll") void poll_list(const int32_t *p, size_t n, void *ret);
IMPORT(POLL, "[resource-drop]pollable") void pollable_drop(int32_t self);

/* ---- memory: a bump allocator for what the host lowers into us ---- */
static uint8_t heap[1 << 20];
static size_t heap_top;

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align,
                                                                 size_t new_size) {
  size_t at = (heap_top + align - 1) & ~(align - 1);
  if (at + new_size > sizeof heap) __builtin_trap();
  heap_top = at + new_size;
  uint8_t *p = heap + at;
  for (size_t i = 0; old && i < old_size && i < new_size; i++) p[i] = ((uint8_t *)old)[i];
  return p;
}

static _Alignas(8) uint8_t ret[64];
static int32_t r32(size_t off) { return *(int32_t *)(ret + off); }

static size_t slen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static void answer(int32_t outparam, const char *text, size_t n) {
  int32_t resp = outresp_new(fields_new());
  outresp_body(resp, ret);
  if (ret[0]) __builtin_trap();
  int32_t body = r32(4);
  outbody_write(body, ret);
  if (ret[0]) __builtin_trap();
  int32_t out = r32(4);
  outparam_set(outparam, 0, resp, 0, 0, 0, 0, 0, 0);
  out_write(out, text, n, ret);
  if (ret[0]) __builtin_trap();
  out_drop(out);
  outbody_finish(body, 0, 0, ret);
  if (ret[0]) __builtin_trap();
}

static int is(const char *path, size_t n, const char *want) {
  size_t k = slen(want);
  if (n < k) return 0;
  for (size_t i = 0; i < k; i++)
    if (path[i] != want[i]) return 0;
  return n == k || path[k] == '?';
}

#define HOUR_NS (3600LL * 1000000000LL)

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle"))) void handle(int32_t req, int32_t outparam) {
  heap_top = 0;
  inreq_path(req, ret);
  const char *path = ret[0] ? (const char *)(uintptr_t)r32(4) : "";
  size_t n = ret[0] ? (size_t)r32(8) : 0;
  if (is(path, n, "/sleep")) {
    inreq_drop(req);
    int32_t p = subscribe_duration(HOUR_NS);
    pollable_block(p);
    pollable_drop(p);
    answer(outparam, "woke\n", 5);
  } else if (is(path, n, "/poll")) {
    inreq_drop(req);
    static int32_t ps[1];
    ps[0] = subscribe_duration(HOUR_NS);
    poll_list(ps, 1, ret);
    pollable_drop(ps[0]);
    answer(outparam, "woke\n", 5);
  } else if (is(path, n, "/read")) {
    inreq_consume(req, ret);
    if (ret[0]) __builtin_trap();
    int32_t ibody = r32(4);
    inbody_stream(ibody, ret);
    if (ret[0]) __builtin_trap();
    int32_t in = r32(4);
    uint64_t total = 0;
    for (;;) {
      in_read(in, 65536, ret);
      if (ret[0]) break;
      total += (uint32_t)r32(8);
      heap_top = 0;
    }
    in_drop(in);
    inbody_drop(ibody);
    inreq_drop(req);
    char msg[40] = "read ";
    char tmp[24];
    int k = 0, m = 5;
    do {
      tmp[k++] = (char)('0' + total % 10);
      total /= 10;
    } while (total);
    while (k) msg[m++] = tmp[--k];
    const char *tail = " bytes\n";
    for (size_t i = 0; tail[i]; i++) msg[m++] = tail[i];
    answer(outparam, msg, (size_t)m);
  } else {
    inreq_drop(req);
    answer(outparam, "awake\n", 6);
  }
}
