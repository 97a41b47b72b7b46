/* Tiny freestanding runtime shared by the benchmark kernels.
 *
 * The kernels are compiled twice from the same source: to a wasm32 module
 * with no imports (clang --target=wasm32 -nostdlib) and natively (gcc -O2).
 * Under wasm there is no libc, so rt.c supplies memcpy/memset/memmove (clang
 * may emit calls to them). The allocator is ours on both sides, over a
 * static arena, so both builds do the same work and produce the same
 * checksums. */
#ifndef BENCH_RT_H
#define BENCH_RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __wasm__
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#else
#include <string.h>
#endif

/* Every kernel defines this: fixed problem size, returns a checksum. */
uint32_t run(void);

/* Size-class free-list allocator over a static arena (RT_ARENA_BYTES).
 * Returns NULL when the arena is exhausted. */
#define RT_ARENA_BYTES (48u << 20)
void *rt_alloc(size_t n);
void rt_free(void *p);
void rt_alloc_reset(void);   /* forget every allocation */

/* Deterministic pseudo-random numbers (a 32-bit LCG / xorshift). */
static inline uint32_t rt_rand(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

/* FNV-1a style folding of a 32/64-bit word into a checksum. */
static inline uint32_t rt_mix32(uint32_t h, uint32_t v) {
  h ^= v;
  h *= 16777619u;
  return h ^ (h >> 15);
}
static inline uint32_t rt_mix64(uint32_t h, uint64_t v) {
  return rt_mix32(rt_mix32(h, (uint32_t)v), (uint32_t)(v >> 32));
}
static inline uint64_t rt_f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

#endif
