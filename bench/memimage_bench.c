/* The cost of instantiating and freeing a component, nothing else:
 *   memimage_bench COMPONENT.wasm [N] [ROUNDS]
 * Links WASI (with outgoing HTTP, as `weft serve`), pre-links the
 * component, then ROUNDS times instantiates and frees it N times; prints
 * the best round's µs per instance (wall and CPU). Used to measure memory
 * images (src/core/memimage.c): a componentize-js guest carries megabytes
 * of data segments that would otherwise be copied per instance.
 * Build: cc -O2 -Iinclude bench/memimage_bench.c BUILD/libweft.a $(make print-ldlibs) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wasi_setup.h"


int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: memimage_bench COMPONENT.wasm [N] [ROUNDS]\n");
    return 2;
  }
  long n = argc > 2 ? atol(argv[2]) : 200;
  int rounds = argc > 3 ? atoi(argv[3]) : 5;
  if (n < 1 || rounds < 1) {
    fprintf(stderr, "memimage_bench: N >= 1, ROUNDS >= 1\n");
    return 2;
  }
  weft_error_t err;
  weft_engine_t *engine;
  weft_component_t *comp;
  weft_linker_t *l;
  weft_wasi_config_t *cfg;
  if (load_with_wasi(argv[1], &engine, &comp, &l, &cfg)) return 1;
  weft_instance_pre_t *pre = NULL;
  if (weft_linker_instantiate_pre(l, comp, &pre, &err) != WEFT_OK) {
    fprintf(stderr, "pre-link: %s\n", err.message);
    return 1;
  }
  double best_wall = 1e30, best_cpu = 1e30;
  for (int r = -1; r < rounds; r++) {   /* round -1 warms up (and makes the image) */
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++) {
      weft_cinstance_t *inst = NULL;
      if (weft_instance_pre_instantiate(pre, NULL, &inst, &err) != WEFT_OK) {
        fprintf(stderr, "instantiate: %s\n", err.message);
        return 1;
      }
      weft_cinstance_free(inst);
    }
    double w = (now_s(CLOCK_MONOTONIC) - t0) * 1e6 / (double)n;
    double c = (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e6 / (double)n;
    if (r >= 0 && w < best_wall) best_wall = w;
    if (r >= 0 && c < best_cpu) best_cpu = c;
  }
  printf("instantiate+free: %.1f us wall, %.1f us CPU per instance (best of %d rounds of %ld)\n", best_wall,
         best_cpu, rounds, n);
  weft_instance_pre_free(pre);
  weft_linker_free(l);
  weft_wasi_config_free(cfg);
  weft_component_free(comp);
  weft_engine_free(engine);
  return 0;
}
