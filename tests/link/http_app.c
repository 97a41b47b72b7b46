/* A wasi:http/incoming-handler for `weft serve --link calc.wasm`
 * (tests/cli/link.sh), freestanding C with the canonical ABI written out by
 * hand: every request answers 200 "add(2, 3) = 5; GREETING\n" with what
 * test:calc/ops gives. calc numbers its greetings, so "#1" on every request
 * shows that each request has a calc instance of its own. */
#include <stddef.h>
#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define TYPES "wasi:http/types@0.2.12"
#define OPS "test:calc/ops@0.1.0"

IMPORT(OPS, "add") int32_t add(int32_t a, int32_t b);
IMPORT(OPS, "greet") void greet(const char *p, size_t n, uint32_t *ret);
IMPORT(TYPES, "[constructor]fields") int32_t fields_new(void);
IMPORT(TYPES, "[constructor]outgoing-response") int32_t outresp_new(int32_t headers);
IMPORT(TYPES, "[method]outgoing-response.body") void outresp_body(int32_t self, void *ret);
IMPORT(TYPES, "[method]outgoing-body.write") void outbody_write(int32_t self, void *ret);
IMPORT(TYPES, "[static]outgoing-body.finish")
void outbody_finish(int32_t body, int32_t has_trailers, int32_t trailers, void *ret);
IMPORT(TYPES, "[static]response-outparam.set")
void outparam_set(int32_t param, int32_t is_err, int32_t resp, int32_t a, int64_t b, int32_t c, int32_t d, int32_t e,
                  int32_t f);
IMPORT(TYPES, "[resource-drop]incoming-request") void inreq_drop(int32_t self);
IMPORT("wasi:io/streams@0.2.12", "[method]output-stream.blocking-write-and-flush")
void out_write(int32_t self, const void *p, size_t n, void *ret);
IMPORT("wasi:io/streams@0.2.12", "[resource-drop]output-stream") void out_drop(int32_t self);

/* clang turns copy loops into memcpy calls and zeroing into memset */
void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *dp = d;
  const uint8_t *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

void *memset(void *d, int c, size_t n) {
  uint8_t *dp = d;
  while (n--) *dp++ = (uint8_t)c;
  return d;
}

static uint8_t heap[1 << 16];
static size_t heap_top;

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align,
                                                                 size_t size) {
  size_t at = (heap_top + align - 1) & ~(align - 1);
  if (at > sizeof heap || size > sizeof heap - at) __builtin_trap();
  heap_top = at + size;
  uint8_t *p = heap + at;
  for (size_t i = 0; old && i < old_size && i < size; i++) p[i] = ((uint8_t *)old)[i];
  return p;
}

static _Alignas(8) uint8_t ret[64];
static int32_t r32(size_t off) { return *(int32_t *)(ret + off); }

static char text[256];
static size_t ntext;
static void put(const char *p, size_t n) {
  for (size_t i = 0; i < n && ntext < sizeof text; i++) text[ntext++] = p[i];
}

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle"))) void handle(int32_t req, int32_t outparam) {
  heap_top = 0;
  ntext = 0;
  inreq_drop(req);
  int32_t sum = add(2, 3);
  put("add(2, 3) = ", 12);
  char d = (char)('0' + sum % 10);
  put(&d, 1);
  put("; ", 2);
  uint32_t g[2];
  greet("serve", 5, g);
  put((const char *)(uintptr_t)g[0], g[1]);
  put("\n", 1);
  int32_t resp = outresp_new(fields_new());
  outresp_body(resp, ret);
  if (ret[0]) __builtin_trap();
  int32_t body = r32(4);
  outbody_write(body, ret);
  if (ret[0]) __builtin_trap();
  int32_t out = r32(4);
  outparam_set(outparam, 0, resp, 0, 0, 0, 0, 0, 0);
  out_write(out, text, ntext, ret);
  if (ret[0]) __builtin_trap();
  out_drop(out);
  outbody_finish(body, 0, 0, ret);
  if (ret[0]) __builtin_trap();
}
