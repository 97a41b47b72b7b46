#define _POSIX_C_SOURCE 200809L
/* Component call benchmarks through the public API (include/weft.h):
 *   host -> guest call of a no-op export            ns per call
 *   host -> guest call of a string echo (64 bytes)  ns per call
 *   guest -> host call of a no-op import             ns per call
 *   instantiate + free of a small component          us
 * Usage: component_bench calls.wasm   (bench/component/calls.wat, built by
 * jco parse). Prints "name value unit" lines; times are reported, never
 * asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int host_noop(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                     size_t nresults) {
  (void)call; (void)args; (void)nargs; (void)results; (void)nresults;
  ++*(unsigned long *)env;
  return 0;
}

static void die(const char *what, const weft_error_t *err) {
  fprintf(stderr, "component_bench: %s: %s\n%s", what, err->message, err->backtrace);
  exit(1);
}

/* Best of 5 rounds of n calls each. */
#define ROUNDS 5

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: component_bench calls.wasm\n"); return 2; }
  weft_error_t err;
  weft_engine_t *eng = weft_engine_new();
  weft_component_t *comp;
  if (weft_component_from_file(eng, argv[1], &comp, &err)) die("load", &err);
  weft_linker_t *lk = weft_linker_new(eng);
  unsigned long host_calls = 0;
  if (weft_linker_define_func(lk, NULL, "host-noop", host_noop, &host_calls, &err)) die("define", &err);
  weft_cinstance_t *inst;
  if (weft_linker_instantiate(lk, comp, NULL, &inst, &err)) die("instantiate", &err);
  weft_cfunc_t *noop = weft_cinstance_func(inst, NULL, "noop");
  weft_cfunc_t *echo = weft_cinstance_func(inst, NULL, "echo");
  weft_cfunc_t *callh = weft_cinstance_func(inst, NULL, "call-host");
  if (!noop || !echo || !callh) { fprintf(stderr, "component_bench: missing export\n"); return 1; }
  weft_arena_t *arena = weft_arena_new();

  const int n = 1000000;
  double best = 1e300;
  for (int r = 0; r < ROUNDS; r++) {
    double t0 = now_ns();
    for (int i = 0; i < n; i++)
      if (weft_cfunc_call(noop, NULL, 0, NULL, 0, arena, &err)) die("noop", &err);
    double dt = (now_ns() - t0) / n;
    if (dt < best) best = dt;
  }
  printf("host->guest-noop %.1f ns\n", best);

  char text[65];
  memset(text, 'x', 64);
  text[64] = 0;
  weft_val_t arg = {.kind = WEFT_VAL_STRING, .of.str = {text, 64}}, res;
  best = 1e300;
  for (int r = 0; r < ROUNDS; r++) {
    double t0 = now_ns();
    for (int i = 0; i < n; i++) {
      if (weft_cfunc_call(echo, &arg, 1, &res, 1, arena, &err)) die("echo", &err);
      if ((i & 1023) == 0) {
        if (res.kind != WEFT_VAL_STRING || res.of.str.len != 64 || memcmp(res.of.str.ptr, text, 64)) {
          fprintf(stderr, "component_bench: echo returned a different string\n");
          return 1;
        }
        weft_arena_reset(arena);
      }
    }
    double dt = (now_ns() - t0) / n;
    if (dt < best) best = dt;
    weft_arena_reset(arena);
  }
  printf("host->guest-string-echo-64B %.1f ns\n", best);

  best = 1e300;
  const uint32_t m = 5000000;
  for (int r = 0; r < ROUNDS; r++) {
    weft_val_t cnt = {.kind = WEFT_VAL_U32, .of.u = m};
    host_calls = 0;
    double t0 = now_ns();
    if (weft_cfunc_call(callh, &cnt, 1, NULL, 0, arena, &err)) die("call-host", &err);
    double dt = (now_ns() - t0) / m;
    if (host_calls != m) { fprintf(stderr, "component_bench: host called %lu times\n", host_calls); return 1; }
    if (dt < best) best = dt;
  }
  printf("guest->host-noop %.1f ns\n", best);
  weft_cinstance_free(inst);

  best = 1e300;
  const int k = 2000;
  for (int r = 0; r < ROUNDS; r++) {
    double t0 = now_ns();
    for (int i = 0; i < k; i++) {
      weft_cinstance_t *x;
      if (weft_linker_instantiate(lk, comp, NULL, &x, &err)) die("instantiate", &err);
      weft_cinstance_free(x);
    }
    double dt = (now_ns() - t0) / k / 1000.0;
    if (dt < best) best = dt;
  }
  printf("instantiate+free %.2f us\n", best);

  weft_arena_free(arena);
  weft_linker_free(lk);
  weft_component_free(comp);
  weft_engine_free(eng);
  return 0;
}
