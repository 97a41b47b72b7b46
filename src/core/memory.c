/* Linear memories: one reserved virtual range per memory, large enough for
 * any base + u32 address + u32 offset + access size, with only the first
 * `pages` pages readable and writable. Growing only changes protections, so
 * the base never moves; an out-of-bounds access faults on the inaccessible
 * rest of the range and trap.c turns the fault into a trap. */
#include <stdlib.h>
#include <sys/mman.h>

#include "runtime.h"

/* u32 address + u32 offset < 2^33; the guard margin covers the access size
 * (at most 8 bytes, 16 for a future v128) past the last reachable byte. */
#define WF_MEM_RESERVE ((size_t)1 << 33)
#define WF_MEM_GUARD ((size_t)WF_PAGE_SIZE)

#ifdef WF_BOUNDS_CHECK
/* The valgrind build (make valgrind) checks every access explicitly, so a
 * memory reserves only what it may grow to, and a memory without a declared
 * maximum is capped at 1 GiB there: valgrind allows 128 GiB of address space
 * per process and a spec script makes dozens of memories. */
#define WF_BOUNDS_CHECK_MAX_PAGES 16384u
#endif

static int protect_rw(wf_meminst_t *m, uint64_t from, uint64_t to) {
  if (to <= from) return 1;
  return mprotect(m->base + from, (size_t)(to - from), PROT_READ | PROT_WRITE) == 0;
}

wf_meminst_t *wf_memory_new(wf_store_t *s, const wf_memtype_t *t, wf_error_t *err) {
  uint32_t limit = WF_MAX_MEM_PAGES;
  if (t->lim.has_max) {
    if (t->lim.max < t->lim.min) {
      wf_error_set(err, "size minimum must not be greater than maximum");
      return NULL;
    }
    if (t->lim.max < limit) limit = t->lim.max;
  }
#ifdef WF_BOUNDS_CHECK
  if (!t->lim.has_max && limit > WF_BOUNDS_CHECK_MAX_PAGES && t->lim.min <= WF_BOUNDS_CHECK_MAX_PAGES)
    limit = WF_BOUNDS_CHECK_MAX_PAGES;
#endif
  if (t->lim.min > limit) {
    wf_error_set(err, "memory size must be at most %u pages (4GiB)", WF_MAX_MEM_PAGES);
    return NULL;
  }
  wf_meminst_t *m = calloc(1, sizeof *m);
  if (!m) {
    wf_error_set(err, "out of memory");
    return NULL;
  }
#ifdef WF_BOUNDS_CHECK
  m->reserved = (size_t)limit * WF_PAGE_SIZE + WF_MEM_GUARD;
#else
  m->reserved = WF_MEM_RESERVE + WF_MEM_GUARD;
#endif
  void *p = mmap(NULL, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    free(m);
    wf_error_set(err, "out of memory: cannot reserve address space for a linear memory");
    return NULL;
  }
  m->base = p;
  m->max_pages = limit;
  m->has_max = t->lim.has_max;
  m->pages = 0;
  m->size = 0;
  if (t->lim.min && wf_memory_grow(m, t->lim.min) < 0) {
    munmap(m->base, m->reserved);
    free(m);
    wf_error_set(err, "out of memory: cannot commit %u pages of linear memory", t->lim.min);
    return NULL;
  }
  wf_store_add_memory(s, m);
  return m;
}

int32_t wf_memory_grow(wf_meminst_t *m, uint32_t delta_pages) {
  uint32_t old = m->pages;
  if (delta_pages == 0) return (int32_t)old;
  if ((uint64_t)old + delta_pages > m->max_pages) return -1;
  uint32_t pages = old + delta_pages;
  uint64_t new_size = (uint64_t)pages * WF_PAGE_SIZE;
  if (!protect_rw(m, m->size, new_size)) return -1;
  m->pages = pages;
  m->size = new_size;
  return (int32_t)old;
}

void wf_memory_free(wf_meminst_t *m) {
  if (!m) return;
  if (m->base) munmap(m->base, m->reserved);
  free(m);
}
