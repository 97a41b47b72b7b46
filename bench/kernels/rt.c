/* The kernels' freestanding runtime: see rt.h. */
#include "rt.h"

#ifdef __wasm__
/* Plain byte loops. LLVM does not turn the loop inside a function named
 * memcpy/memset back into a call to itself. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n >= 4 && (((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
    *(uint32_t *)(void *)d = *(const uint32_t *)(const void *)s;
    d += 4; s += 4; n -= 4;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) {
    while (n--) *d++ = *s++;
  } else {
    d += n; s += n;
    while (n--) *--d = *--s;
  }
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  uint32_t w = (uint8_t)c * 0x01010101u;
  while (n && ((uintptr_t)d & 3)) { *d++ = (unsigned char)c; n--; }
  while (n >= 4) { *(uint32_t *)(void *)d = w; d += 4; n -= 4; }
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}
#endif

/* ---- allocator ----
 * Blocks carry an 8-byte header holding their size class. Small sizes (up to
 * RT_SMALL_MAX) are rounded to 16 bytes and recycled through per-class free
 * lists; larger blocks come from the bump pointer and go on one list per
 * power of two. */
#define RT_GRAIN 16u
#define RT_SMALL_MAX 1024u
#define RT_NSMALL (RT_SMALL_MAX / RT_GRAIN)
#define RT_NLARGE 32u

typedef struct rt_free_block { struct rt_free_block *next; } rt_free_block_t;

static _Alignas(16) unsigned char rt_arena[RT_ARENA_BYTES];
static size_t rt_top;
static rt_free_block_t *rt_small[RT_NSMALL + 1];
static rt_free_block_t *rt_large[RT_NLARGE];

void rt_alloc_reset(void) {
  rt_top = 0;
  for (unsigned i = 0; i <= RT_NSMALL; i++) rt_small[i] = NULL;
  for (unsigned i = 0; i < RT_NLARGE; i++) rt_large[i] = NULL;
}

static void *rt_bump(size_t total) {
  if (total > RT_ARENA_BYTES - rt_top) return NULL;
  void *p = rt_arena + rt_top;
  rt_top += total;
  return p;
}

void *rt_alloc(size_t n) {
  if (n == 0) n = 1;
  if (n <= RT_SMALL_MAX) {
    unsigned cls = (unsigned)((n + RT_GRAIN - 1) / RT_GRAIN);
    rt_free_block_t *b = rt_small[cls];
    if (b) {
      rt_small[cls] = b->next;
      return b;
    }
    unsigned char *p = rt_bump((size_t)cls * RT_GRAIN + RT_GRAIN);
    if (!p) return NULL;
    *(uint32_t *)(void *)(p + RT_GRAIN - 8) = cls;
    return p + RT_GRAIN;
  }
  unsigned k = 11;   /* 2^11 = 2048 > RT_SMALL_MAX */
  while (k < RT_NLARGE - 1 && ((size_t)1 << k) < n) k++;
  if (((size_t)1 << k) < n) return NULL;
  rt_free_block_t *b = rt_large[k];
  if (b) {
    rt_large[k] = b->next;
    return b;
  }
  unsigned char *p = rt_bump(((size_t)1 << k) + RT_GRAIN);
  if (!p) return NULL;
  *(uint32_t *)(void *)(p + RT_GRAIN - 8) = 0x100u + k;
  return p + RT_GRAIN;
}

void rt_free(void *ptr) {
  if (!ptr) return;
  unsigned char *p = ptr;
  uint32_t tag = *(uint32_t *)(void *)(p - 8);
  rt_free_block_t *b = ptr;
  if (tag < 0x100u) {
    b->next = rt_small[tag];
    rt_small[tag] = b;
  } else {
    b->next = rt_large[tag - 0x100u];
    rt_large[tag - 0x100u] = b;
  }
}
