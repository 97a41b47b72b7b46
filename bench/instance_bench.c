/* The cost of a fresh component instance per request, without HTTP:
 *   instance_bench HELLO.wasm [N] [THREADS] [pre|linker]
 * Links the hello guest of tests/serve (build it with tests/serve/build.sh)
 * with WASI as `weft serve` does, then on each of THREADS threads runs N
 * times: instantiate (from a weft_instance_pre_t, the default, or with
 * weft_linker_instantiate), call wasi:http/incoming-handler.handle with a
 * GET, read the response, free the instance. Prints µs per request and
 * requests per second over all threads. Checks every answer (exit 1 on a
 * wrong one).
 * Build: cc -O2 -Iinclude bench/instance_bench.c BUILD/libweft.a $(make print-ldlibs) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasi_setup.h"
#include "weft_serve.h"

typedef struct {
  weft_instance_pre_t *pre;       /* NULL: instantiate through the linker */
  weft_linker_t *linker;
  weft_component_t *comp;
  long n;
  int failed;
} job_t;

static int one_request(job_t *j) {
  weft_error_t err;
  weft_cinstance_t *inst = NULL;
  weft_status_t st = j->pre ? weft_instance_pre_instantiate(j->pre, NULL, &inst, &err)
                           : weft_linker_instantiate(j->linker, j->comp, NULL, &inst, &err);
  if (st != WEFT_OK) {
    fprintf(stderr, "instantiate: %s\n", err.message);
    return 0;
  }
  char msg[128];
  weft_http_exchange_t *x = weft_http_exchange_new("GET", "http", "localhost", "/", NULL, 0, 0, msg, sizeof msg);
  if (!x) {
    fprintf(stderr, "exchange: %s\n", msg);
    weft_cinstance_free(inst);
    return 0;
  }
  weft_http_exchange_body_end(x, 1);
  int ok = weft_http_exchange_call(x, inst, &err) == WEFT_OK;
  if (!ok) fprintf(stderr, "handle: %s\n", err.message);
  weft_cinstance_free(inst);
  uint64_t deadline = weft_http_now_ns() + 5000000000ull;
  if (ok && weft_http_exchange_wait_response(x, deadline) == 1 && weft_http_exchange_status(x) == 200) {
    char body[64];
    size_t len = 0;
    int64_t r;
    while ((r = weft_http_exchange_read(x, (uint8_t *)body + len, sizeof body - 1 - len, deadline)) > 0)
      len += (size_t)r;
    body[len] = 0;
    ok = r == 0 && strncmp(body, "hello from weft", 15) == 0;
    if (!ok) fprintf(stderr, "unexpected answer: '%s'\n", body);
  } else if (ok) {
    fprintf(stderr, "no 200 response: %s\n", weft_http_exchange_error(x));
    ok = 0;
  }
  weft_http_exchange_unref(x);
  return ok;
}

static void *run(void *arg) {
  job_t *j = arg;
  for (long i = 0; i < j->n; i++)
    if (!one_request(j)) {
      j->failed = 1;
      break;
    }
  return NULL;
}


int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: instance_bench HELLO.wasm [N] [THREADS] [pre|linker]\n");
    return 2;
  }
  long n = argc > 2 ? atol(argv[2]) : 20000;
  int nt = argc > 3 ? atoi(argv[3]) : 1;
  const char *mode = argc > 4 ? argv[4] : "pre";
  if (n < 1 || nt < 1 || nt > 64 || (strcmp(mode, "pre") && strcmp(mode, "linker"))) {
    fprintf(stderr, "instance_bench: N >= 1, 1 <= THREADS <= 64, mode pre or linker\n");
    return 2;
  }
  weft_error_t err;
  weft_engine_t *engine;
  weft_component_t *comp;
  weft_linker_t *l;
  weft_wasi_config_t *cfg;
  if (load_with_wasi(argv[1], &engine, &comp, &l, &cfg)) return 1;
  weft_instance_pre_t *pre = NULL;
  if (!strcmp(mode, "pre") && weft_linker_instantiate_pre(l, comp, &pre, &err) != WEFT_OK) {
    fprintf(stderr, "pre-link: %s\n", err.message);
    return 1;
  }
  job_t warm = {pre, l, comp, 200, 0};
  run(&warm);
  if (warm.failed) return 1;
  job_t jobs[64];
  pthread_t th[64];
  double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
  for (int i = 0; i < nt; i++) {
    jobs[i] = (job_t){pre, l, comp, n, 0};
    if (pthread_create(&th[i], NULL, run, &jobs[i]) != 0) {
      fprintf(stderr, "cannot start a thread\n");
      return 1;
    }
  }
  int failed = 0;
  for (int i = 0; i < nt; i++) {
    pthread_join(th[i], NULL);
    failed |= jobs[i].failed;
  }
  double dt = now_s(CLOCK_MONOTONIC) - t0, dc = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
  if (failed) return 1;
  double total = (double)n * nt;
  /* CPU time as well: on a busy machine it is the steadier figure */
  printf("instantiate (%s)+handle+free, %d thread(s), %ld each: %.1f us/request per thread (%.1f us CPU), "
         "%.0f requests/s\n",
         mode, nt, n, dt * 1e6 * nt / total, dc * 1e6 / total, total / dt);
  weft_instance_pre_free(pre);
  weft_linker_free(l);
  weft_wasi_config_free(cfg);
  weft_component_free(comp);
  weft_engine_free(engine);
  return 0;
}
