/* Linear memories: one reserved virtual range per memory, large enough for
 * any base + u32 address + u32 offset + access size, with only the first
 * `pages` pages readable and writable. Growing only changes protections, so
 * the base never moves; an out-of-bounds access faults on the inaccessible
 * rest of the range and trap.c turns the fault into a trap.
 *
 * Reservations can be recycled through a wf_mempool_t (runtime.h): making
 * and unmapping an 8 GiB reservation per instance costs more than the
 * instance itself when a server makes one per request. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* ---- the reservation pool ---- */

typedef struct {
  uint8_t *base;
  size_t reserved;
  uint64_t rw;                 /* bytes at base left readable and writable (all zero) */
} pooled_t;

struct wf_mempool {
  pthread_mutex_t mu;
  atomic_uint refs;
  uint32_t n, cap;
  uint64_t reused, stores_reused;
  pooled_t *items;             /* cap entries */
  wf_store_t **stores;         /* idle stores: cap entries, nstores used */
  uint32_t nstores;
  int pagemap_fd;              /* /proc/self/pagemap for wiping (memzero.c), or -1 */
};

wf_mempool_t *wf_mempool_new(uint32_t max_entries) {
  wf_mempool_t *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->items = calloc(max_entries ? max_entries : 1, sizeof *p->items);
  p->stores = calloc(max_entries ? max_entries : 1, sizeof *p->stores);
  if (!p->items || !p->stores || pthread_mutex_init(&p->mu, NULL) != 0) {
    free(p->items);
    free(p->stores);
    free(p);
    return NULL;
  }
  p->cap = max_entries;
  p->pagemap_fd = wf_mem_zero_open();
  atomic_init(&p->refs, 1u);
  return p;
}

void wf_mempool_ref(wf_mempool_t *p) { atomic_fetch_add_explicit(&p->refs, 1u, memory_order_relaxed); }

void wf_mempool_unref(wf_mempool_t *p) {
  if (!p || atomic_fetch_sub_explicit(&p->refs, 1u, memory_order_acq_rel) != 1u) return;
  for (uint32_t i = 0; i < p->nstores; i++) wf_store_discard(p->stores[i]);
  for (uint32_t i = 0; i < p->n; i++) munmap(p->items[i].base, p->items[i].reserved);
  pthread_mutex_destroy(&p->mu);
  if (p->pagemap_fd >= 0) close(p->pagemap_fd);
  free(p->items);
  free(p->stores);
  free(p);
}

wf_store_t *wf_mempool_take_store(wf_mempool_t *p) {
  wf_store_t *s = NULL;
  pthread_mutex_lock(&p->mu);
  if (p->nstores) {
    s = p->stores[--p->nstores];
    p->stores_reused++;
  }
  pthread_mutex_unlock(&p->mu);
  return s;
}

int wf_mempool_give_store(wf_mempool_t *p, wf_store_t *s) {
  pthread_mutex_lock(&p->mu);
  int ok = p->nstores < p->cap;
  if (ok) p->stores[p->nstores++] = s;
  pthread_mutex_unlock(&p->mu);
  return ok;
}

uint64_t wf_mempool_stores_reused(wf_mempool_t *p) {
  pthread_mutex_lock(&p->mu);
  uint64_t n = p->stores_reused;
  pthread_mutex_unlock(&p->mu);
  return n;
}

uint32_t wf_mempool_held(wf_mempool_t *p) {
  pthread_mutex_lock(&p->mu);
  uint32_t n = p->n;
  pthread_mutex_unlock(&p->mu);
  return n;
}

uint64_t wf_mempool_reused(wf_mempool_t *p) {
  pthread_mutex_lock(&p->mu);
  uint64_t n = p->reused;
  pthread_mutex_unlock(&p->mu);
  return n;
}

/* Make m's accessible pages read as zero again, keeping them accessible.
 * Pages mapped from a memory image (memimage.c) would read as the image
 * after MADV_DONTNEED, and the next user may be another module: they get
 * fresh anonymous pages instead. */
static bool scrub(wf_mempool_t *p, wf_meminst_t *m) {
  uint64_t img = m->image_len < m->size ? m->image_len : m->size;
  if (img && mmap(m->base, (size_t)img, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) != m->base)
    return false;
  m->image_len = 0;
  return wf_mem_zero(p->pagemap_fd, m->base + img, (size_t)(m->size - img));
}

void wf_mempool_release(wf_mempool_t *p, wf_meminst_t *m) {
  if (!m) return;
  /* Discard the contents outside the lock: the pages read as zero again.
   * The accessible part stays accessible, so the next memory of the same
   * initial size needs no mprotect. */
  bool keep = p && m->base && scrub(p, m);
  if (keep) {
    pthread_mutex_lock(&p->mu);
    keep = p->n < p->cap;
    if (keep) p->items[p->n++] = (pooled_t){m->base, m->reserved, m->size};
    pthread_mutex_unlock(&p->mu);
  }
  if (!keep && m->base) munmap(m->base, m->reserved);
  free(m);
}

/* Give m a pooled reservation of its size with `pages` pages accessible.
 * 0: none to be had (m untouched). */
static int pool_take(wf_mempool_t *p, wf_meminst_t *m, uint32_t pages) {
  if (!p) return 0;
  pooled_t e = {0};
  pthread_mutex_lock(&p->mu);
  /* the most recently released first: its page tables are the warmest */
  for (uint32_t i = p->n; i-- > 0;) {
    if (p->items[i].reserved != m->reserved) continue;
    e = p->items[i];
    p->items[i] = p->items[--p->n];
    p->reused++;
    break;
  }
  pthread_mutex_unlock(&p->mu);
  if (!e.base) return 0;
  uint64_t want = (uint64_t)pages * WF_PAGE_SIZE;
  m->base = e.base;
  int ok = 1;
  if (e.rw > want) ok = mprotect(e.base + want, (size_t)(e.rw - want), PROT_NONE) == 0;
  else if (e.rw < want) ok = mprotect(e.base + e.rw, (size_t)(want - e.rw), PROT_READ | PROT_WRITE) == 0;
  if (!ok) {
    munmap(e.base, e.reserved);
    m->base = NULL;
    return 0;
  }
  m->pages = pages;
  m->size = want;
  return 1;
}

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
  m->max_pages = limit;
  m->has_max = t->lim.has_max;
  m->pages = 0;
  m->size = 0;
  if (pool_take(wf_store_mempool(s), m, t->lim.min)) {
    wf_store_add_memory(s, m);
    return m;
  }
  void *p = mmap(NULL, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    free(m);
    wf_error_set(err, "out of memory: cannot reserve address space for a linear memory");
    return NULL;
  }
  m->base = p;
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
