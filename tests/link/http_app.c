/* A wasi:http/incoming-handler for `weft serve --link calc.wasm`
 * (tests/cli/link.sh), freestanding C with the canonical ABI written out by
 * hand: every request answers 200 "add(2, 3) = 5; GREETING\n" with what
 * test:calc/ops gives. calc numbers its greetings, so "#1" on every request
 * shows that each request has a calc instance of its own. */
#define GUEST_HEAP_SIZE (1 << 16)
#include "../guest/http_guest.h"

#define OPS "test:calc/ops@0.1.0"

IMPORT(OPS, "add") int32_t add(int32_t a, int32_t b);
IMPORT(OPS, "greet") void greet(const char *p, size_t n, uint32_t *ret);

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
  answer(outparam, text, ntext);
}
