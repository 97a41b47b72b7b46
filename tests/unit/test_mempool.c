/* Unit tests of the memory-reservation and store pool (memory.c, store.c):
 * reuse, zeroed contents, protections and fault handling of a recycled
 * reservation, the bounds, reference counting, recycled stores, threads. */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/runtime.h"
#include "test.h"

static wf_memtype_t pmemtype(uint32_t min) {
  wf_memtype_t t;
  memset(&t, 0, sizeof t);
  t.lim.min = min;
  return t;
}

/* Touches p with a fault context set for s; returns 1 if it trapped. */
__attribute__((unused)) static int ptouch_traps(wf_store_t *s, volatile uint8_t *p, int write) {
  wf_fault_ctx_t ctx;
  ctx.store = s;
  ctx.prev = wf_fault_current;
  wf_fault_current = &ctx;
  int trapped = 0;
  if (sigsetjmp(ctx.jmp, 1) == 0) {
    if (write) *p = 7;
    else (void)*p;
  } else {
    trapped = 1;
  }
  wf_fault_current = ctx.prev;
  return trapped;
}

/* The valgrind build (-DWF_BOUNDS_CHECK) checks every access explicitly and
 * reserves memories only up to their max: page protections are not how it
 * keeps guests in bounds, so the fault checks below apply to the default
 * build only. */
#ifdef WF_BOUNDS_CHECK
#define CHECK_TRAPS(expr, want) ((void)0)
#else
#define CHECK_TRAPS(expr, want) CHECK_EQ(expr, want)
#endif

WF_TEST(mempool_reuses_zeroed_reservation) {
  wf_mempool_t *p = wf_mempool_new(4);
  CHECK(p);
  wf_store_t *s = wf_store_new_pooled(p);
  CHECK(s && wf_store_mempool(s) == p);
  wf_memtype_t t2 = pmemtype(2);
  wf_meminst_t *m = wf_memory_new(s, &t2, NULL);
  CHECK(m);
  m->base[0] = 1;
  m->base[2 * WF_PAGE_SIZE - 1] = 2;
  CHECK_EQ(wf_memory_grow(m, 1), 2);
  m->base[2 * WF_PAGE_SIZE] = 3;
  uint8_t *base = m->base;
  CHECK_EQ(wf_mempool_reused(p), 0);
  wf_store_free(s);
  CHECK_EQ(wf_mempool_held(p), 1);

  /* The next pooled store is the same one, emptied; its memory gets the
   * reservation back, all zero, with only `min` pages accessible. */
  wf_store_t *s2 = wf_store_new_pooled(p);
  CHECK(s2 == s);
  CHECK_EQ(wf_mempool_stores_reused(p), 1);
  CHECK(wf_store_memories(s2) == NULL);
  wf_memtype_t t1 = pmemtype(1);
  wf_meminst_t *m2 = wf_memory_new(s2, &t1, NULL);
  CHECK(m2 && m2->base == base);
  CHECK_EQ(wf_mempool_reused(p), 1);
  CHECK_EQ(wf_mempool_held(p), 0);
  CHECK_EQ(m2->pages, 1);
  CHECK_EQ(m2->size, WF_PAGE_SIZE);
  CHECK_EQ(m2->base[0], 0);
  CHECK_TRAPS(ptouch_traps(s2, m2->base + WF_PAGE_SIZE, 0), 1);   /* was accessible before */
  CHECK_TRAPS(ptouch_traps(s2, m2->base + 3 * WF_PAGE_SIZE, 1), 1);
  CHECK_EQ(wf_memory_grow(m2, 2), 1);
  CHECK_EQ(m2->base[2 * WF_PAGE_SIZE - 1], 0);
  CHECK_EQ(m2->base[2 * WF_PAGE_SIZE], 0);
  CHECK_TRAPS(ptouch_traps(s2, m2->base + 2 * WF_PAGE_SIZE + 5, 1), 0);
  CHECK_TRAPS(ptouch_traps(s2, m2->base + 3 * WF_PAGE_SIZE, 0), 1);

  /* A second memory finds the pool empty and maps its own. */
  wf_meminst_t *m3 = wf_memory_new(s2, &t1, NULL);
  CHECK(m3 && m3->base != base);
  CHECK_TRAPS(ptouch_traps(s2, m3->base + WF_PAGE_SIZE, 1), 1);
  wf_store_free(s2);
  CHECK_EQ(wf_mempool_held(p), 2);
  wf_mempool_unref(p);
}

/* A pooled reservation with fewer accessible pages than the next memory
 * needs is opened up; an interrupted store comes back uninterrupted. */
WF_TEST(mempool_grows_reservation_and_resets_store) {
  wf_mempool_t *p = wf_mempool_new(2);
  CHECK(p);
  wf_store_t *s = wf_store_new_pooled(p);
  wf_memtype_t t0 = pmemtype(0);
  CHECK(wf_memory_new(s, &t0, NULL));
  wf_store_interrupt(s);
  wf_store_free(s);
  s = wf_store_new_pooled(p);
  CHECK_EQ(atomic_load(wf_store_interrupt_flag(s)), 0);
  wf_memtype_t t3 = pmemtype(3);
  wf_meminst_t *m = wf_memory_new(s, &t3, NULL);
  CHECK(m);
  CHECK_EQ(wf_mempool_reused(p), 1);
  CHECK_TRAPS(ptouch_traps(s, m->base + 3 * WF_PAGE_SIZE - 1, 1), 0);
  CHECK_TRAPS(ptouch_traps(s, m->base + 3 * WF_PAGE_SIZE, 1), 1);
  wf_store_free(s);
  wf_mempool_unref(p);
}

/* The pool keeps at most its capacity; the rest is unmapped. The creator's
 * reference may go first: stores keep the pool alive. */
WF_TEST(mempool_bounds_and_refs) {
  wf_mempool_t *p = wf_mempool_new(1);
  CHECK(p);
  wf_store_t *a = wf_store_new_pooled(p), *b = wf_store_new_pooled(p);
  CHECK(a && b && a != b);
  wf_mempool_unref(p);   /* a and b still hold it */
  wf_memtype_t t1 = pmemtype(1);
  for (int i = 0; i < 3; i++) CHECK(wf_memory_new(a, &t1, NULL));
  CHECK(wf_memory_new(b, &t1, NULL));
  wf_store_free(a);
  CHECK_EQ(wf_mempool_held(p), 1);
  wf_store_t *c = wf_store_new_pooled(p);   /* a, recycled */
  CHECK(c == a);
  wf_meminst_t *m = wf_memory_new(c, &t1, NULL);
  CHECK(m);
  CHECK_EQ(wf_mempool_reused(p), 1);
  m->base[5] = 9;
  wf_store_free(b);
  wf_store_free(c);   /* the last reference: frees the pool and the idle store */
  /* A store without a pool never touches one. */
  wf_store_t *plain = wf_store_new();
  CHECK(plain && wf_store_mempool(plain) == NULL);
  CHECK(wf_memory_new(plain, &t1, NULL));
  wf_store_free(plain);
}

typedef struct {
  wf_mempool_t *pool;
  int ok;
} pthread_arg_t;

static void *pool_worker(void *arg) {
  pthread_arg_t *a = arg;
  a->ok = 1;
  wf_memtype_t t = pmemtype(2);
  for (int i = 0; i < 200 && a->ok; i++) {
    wf_store_t *s = wf_store_new_pooled(a->pool);
    wf_meminst_t *m = s ? wf_memory_new(s, &t, NULL) : NULL;
    int guard_ok = 1;
#ifndef WF_BOUNDS_CHECK
    guard_ok = m && ptouch_traps(s, m->base + 2 * WF_PAGE_SIZE, 1) == 1;
#endif
    if (!m || m->base[100] != 0 || m->base[WF_PAGE_SIZE + 7] != 0 || !guard_ok) {
      a->ok = 0;
    } else {
      m->base[100] = (uint8_t)(i + 1);
      m->base[WF_PAGE_SIZE + 7] = 1;
    }
    wf_store_free(s);
  }
  return NULL;
}

WF_TEST(mempool_threads) {
  wf_mempool_t *p = wf_mempool_new(3);
  CHECK(p);
  pthread_t th[4];
  pthread_arg_t args[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (pthread_arg_t){p, 0};
    CHECK(pthread_create(&th[i], NULL, pool_worker, &args[i]) == 0);
  }
  for (int i = 0; i < 4; i++) CHECK(pthread_join(th[i], NULL) == 0);
  for (int i = 0; i < 4; i++) CHECK(args[i].ok);
  CHECK(wf_mempool_held(p) <= 3);
  CHECK(wf_mempool_reused(p) > 0);
  wf_mempool_unref(p);
}

/* wf_mem_zero (memzero.c): whatever was written reads as zero afterwards
 * and the range stays writable, whether a few pages were touched (cleared
 * with memset), more than it clears that way (the kernel's way), or the
 * range is larger than it scans. */
static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static void zero_case(int *wf_failed_, size_t len, size_t stride) {
  uint8_t *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(b != MAP_FAILED);
  int fd = wf_mem_zero_open();
  for (int round = 0; round < 2; round++) {
    for (size_t at = 5; at < len; at += stride) b[at] = (uint8_t)(at | 1);
    b[len - 1] = 9;
    CHECK(wf_mem_zero(fd, b, len));
    CHECK(all_zero(b, len));
  }
  b[len / 2] = 1;   /* still writable */
  CHECK_EQ(b[len / 2], 1);
  munmap(b, len);
  if (fd >= 0) close(fd);
}

WF_TEST(mem_zero_few_pages) { zero_case(wf_failed_, (size_t)4 << 20, (size_t)256 << 10); }
WF_TEST(mem_zero_many_pages) { zero_case(wf_failed_, (size_t)4 << 20, 4096); }
WF_TEST(mem_zero_large_range) { zero_case(wf_failed_, (size_t)40 << 20, (size_t)1 << 20); }
WF_TEST(mem_zero_empty) { CHECK(wf_mem_zero(-1, NULL, 0)); }
