/* Growing a malloc'd array by doubling, for the host-side lists that are
 * not in an arena (linker definitions, WASI configuration). */
#ifndef WF_UTIL_GROW_H
#define WF_UTIL_GROW_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Make room for element n of *v (capacity *cap elements of elem bytes):
 * false, with *v unchanged, when memory or size_t runs out. */
static inline bool wf_grow(void **v, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return true;
  size_t nc = *cap ? *cap * 2 : 8;
  if (nc <= *cap || nc > SIZE_MAX / elem) return false;
  void *p = realloc(*v, nc * elem);
  if (!p) return false;
  *v = p;
  *cap = nc;
  return true;
}

#endif
