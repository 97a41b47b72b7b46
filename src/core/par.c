/* Checking many function bodies at once (decode.c: their syntax, then their
 * validation), on as many threads as the machine has cores, with the same
 * error a one-by-one pass gives: the lowest-numbered failing item's.
 *
 * Items are handed out in small batches from a shared counter. When an item
 * fails, items numbered above the lowest failure so far are not started,
 * but every item below it still runs to the end, so the failure reported is
 * the first one in order. A thread that cannot be started leaves its share
 * to the others (at worst the calling thread does everything). */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "par.h"

enum { BATCH = 8, MAX_THREADS = 8 };

typedef struct {
  wf_par_fn fn;
  void *ctx;
  uint32_t n;
  atomic_uint next;          /* next unclaimed item */
  atomic_uint first_bad;     /* lowest failing item so far, or n */
  pthread_mutex_t mu;        /* guards err */
  wf_error_t err;            /* first_bad's error */
} par_t;

static void *worker(void *arg) {
  par_t *p = arg;
  wf_error_t e;
  for (;;) {
    uint32_t i0 = atomic_fetch_add(&p->next, BATCH);
    if (i0 >= p->n) break;
    uint32_t end = p->n - i0 < BATCH ? p->n : i0 + BATCH;
    for (uint32_t i = i0; i < end; i++) {
      if (i > atomic_load(&p->first_bad)) return NULL;
      memset(&e, 0, sizeof e);
      if (p->fn(p->ctx, i, &e)) continue;
      pthread_mutex_lock(&p->mu);
      if (i < atomic_load(&p->first_bad)) {
        p->err = e;
        atomic_store(&p->first_bad, i);
      }
      pthread_mutex_unlock(&p->mu);
      return NULL;
    }
  }
  return NULL;
}

bool wf_par_for(uint32_t n, uint64_t work, wf_par_fn fn, void *ctx, wf_error_t *err) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  uint32_t nthreads = cores > 1 ? (cores > MAX_THREADS ? MAX_THREADS : (uint32_t)cores) : 1;
  if (work < WF_PAR_MIN_WORK || n < 2) nthreads = 1;
  if (nthreads == 1) {
    for (uint32_t i = 0; i < n; i++)
      if (!fn(ctx, i, err)) return false;
    return true;
  }
  par_t p;
  memset(&p, 0, sizeof p);
  p.fn = fn;
  p.ctx = ctx;
  p.n = n;
  atomic_init(&p.next, 0);
  atomic_init(&p.first_bad, n);
  pthread_mutex_init(&p.mu, NULL);
  pthread_t tid[MAX_THREADS];
  uint32_t started = 0;
  for (uint32_t t = 1; t < nthreads; t++) {
    if (pthread_create(&tid[started], NULL, worker, &p) != 0) break;
    started++;
  }
  worker(&p);
  for (uint32_t t = 0; t < started; t++) pthread_join(tid[t], NULL);
  pthread_mutex_destroy(&p.mu);
  if (atomic_load(&p.first_bad) == n) return true;
  if (err && !err->failed) *err = p.err;
  return false;
}
