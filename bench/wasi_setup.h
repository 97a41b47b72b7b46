/* Shared by the instance benchmarks (instance_bench.c, memimage_bench.c):
 * a clock reading, and a component loaded with a linker that has WASI 0.2
 * (outgoing HTTP on, as `weft serve` and `weft run` have it). */
#ifndef WEFT_BENCH_WASI_SETUP_H
#define WEFT_BENCH_WASI_SETUP_H

#include <stdio.h>
#include <time.h>

#include "weft.h"
#include "weft_wasi.h"

static inline double now_s(clockid_t clk) {
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads path into *comp and makes *l with WASI from *cfg; 0, or 1 after
 * printing why. */
static inline int load_with_wasi(const char *path, weft_engine_t **engine, weft_component_t **comp,
                                 weft_linker_t **l, weft_wasi_config_t **cfg) {
  weft_error_t err;
  *engine = weft_engine_new();
  *comp = NULL;
  if (!*engine || weft_component_from_file(*engine, path, comp, &err) != WEFT_OK) {
    fprintf(stderr, "%s: %s\n", path, *engine ? err.message : "out of memory");
    return 1;
  }
  *l = weft_linker_new(*engine);
  *cfg = weft_wasi_config_new();
  if (*cfg) weft_wasi_config_http(*cfg, 1);
  if (!*l || !*cfg || weft_linker_add_wasi(*l, *cfg, &err) != WEFT_OK) {
    fprintf(stderr, "linking WASI: %s\n", *l && *cfg ? err.message : "out of memory");
    return 1;
  }
  return 0;
}

#endif
