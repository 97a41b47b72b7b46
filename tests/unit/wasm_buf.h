/* Building wasm binaries byte by byte in unit tests: a growable buffer and
 * the LEB128 encodings (test_memimage.c, test_hostile.c, test_par.c). */
#ifndef WF_TEST_WASM_BUF_H
#define WF_TEST_WASM_BUF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint8_t *p;
  size_t n, cap;
} buf_t;

static inline void put(buf_t *b, const void *src, size_t n) {
  if (b->n + n > b->cap) {
    size_t cap = (b->cap ? b->cap * 2 : 256) + n;
    b->p = realloc(b->p, cap);
    if (!b->p) abort();
    b->cap = cap;
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}
static inline void byte(buf_t *b, uint8_t v) { put(b, &v, 1); }
static inline void uleb(buf_t *b, uint64_t v) {
  do {
    uint8_t c = v & 0x7f;
    v >>= 7;
    byte(b, (uint8_t)(c | (v ? 0x80 : 0)));
  } while (v);
}
static inline void sleb(buf_t *b, int64_t v) {
  for (;;) {
    uint8_t c = v & 0x7f;
    v >>= 7;
    int done = (v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40));
    byte(b, (uint8_t)(c | (done ? 0 : 0x80)));
    if (done) return;
  }
}

#endif
