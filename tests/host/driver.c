/* Embeds weft with a host bundle through the public API only (weft.h,
 * weft_hosts.h), as an application would:
 *   driver BUNDLE GUEST.wasm
 * 1. links the guest against the bundle and calls run() (every-type checks);
 * 2. calls trap-test(): the library asks for a trap, the call fails with
 *    WEFT_ERR_TRAP, and this process carries on: a fresh instance runs run()
 *    again;
 * 3. measures the call bridge: a no-op call and a string echo, guest -> bundle,
 *    against the same calls into host functions defined directly in the
 *    linker (weft_linker_define_func), in ns per call (best of three runs).
 * Prints one line per step; exit status 0 when all went as expected. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft.h"
#include "weft_hosts.h"

static const char *IFACE = "test:all/types@0.1.0";

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Built-in versions of noop and echo; every other function of the
 * interface traps (the benchmark calls only these two). */
static int builtin(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                   size_t nresults) {
  const char *name = env;
  if (!strcmp(name, "noop")) return 0;
  if (!strcmp(name, "echo") && nargs == 1 && nresults == 1) {
    char *p = weft_arena_alloc(weft_call_arena(call), args[0].of.str.len + 1);
    if (!p) { weft_call_trap(call, "out of memory"); return 1; }
    memcpy(p, args[0].of.str.ptr, args[0].of.str.len);
    results[0].kind = WEFT_VAL_STRING;
    results[0].of.str.ptr = p;
    results[0].of.str.len = args[0].of.str.len;
    return 0;
  }
  weft_call_trap(call, "%s: not built in", name);
  return 1;
}

static int call_str(weft_cinstance_t *inst, const char *fn, char *out, size_t cap, weft_error_t *err) {
  weft_cfunc_t *f = weft_cinstance_func(inst, NULL, fn);
  if (!f) { snprintf(err->message, sizeof err->message, "no export %s", fn); return -1; }
  weft_arena_t *a = weft_arena_new();
  weft_val_t r;
  weft_status_t st = weft_cfunc_call(f, NULL, 0, &r, 1, a, err);
  if (st == WEFT_OK) snprintf(out, cap, "%.*s", (int)r.of.str.len, r.of.str.ptr);
  weft_arena_free(a);
  return st == WEFT_OK ? 0 : (int)st;
}

/* ns per call: the best of three runs of n calls (the machine may be shared). */
static double bench1(weft_cinstance_t *inst, const char *fn, uint32_t n, const char *s);
static double bench(weft_cinstance_t *inst, const char *fn, uint32_t n, const char *s) {
  double best = -1;
  for (int r = 0; r < 3; r++) {
    double t = bench1(inst, fn, n, s);
    if (t < 0) return -1;
    if (best < 0 || t < best) best = t;
  }
  return best;
}

static double bench1(weft_cinstance_t *inst, const char *fn, uint32_t n, const char *s) {
  weft_cfunc_t *f = weft_cinstance_func(inst, NULL, fn);
  weft_arena_t *a = weft_arena_new();
  weft_val_t args[2] = {{.kind = WEFT_VAL_U32, .of.u = n}, {.kind = WEFT_VAL_STRING}};
  args[1].of.str.ptr = s;
  args[1].of.str.len = s ? strlen(s) : 0;
  weft_val_t r;
  weft_error_t err;
  double t0 = now_ns();
  weft_status_t st = weft_cfunc_call(f, args, s ? 2 : 1, &r, s ? 1 : 0, a, &err);
  double t1 = now_ns();
  weft_arena_free(a);
  if (st != WEFT_OK) { fprintf(stderr, "driver: %s: %s\n", fn, err.message); return -1; }
  return (t1 - t0) / n;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: driver BUNDLE GUEST.wasm\n"); return 2; }
  int bad = 0;
  weft_error_t err;
  weft_engine_t *e = weft_engine_new();
  weft_component_t *c = NULL;
  weft_hosts_t *h = weft_hosts_new(0);
  weft_linker_t *l = weft_linker_new(e), *lb = weft_linker_new(e);
  weft_cinstance_t *inst = NULL, *inst2 = NULL, *ib = NULL;
  char out[4096];
  if (weft_component_from_file(e, argv[2], &c, &err) != WEFT_OK ||
      weft_hosts_add_bundle(h, argv[1], NULL, &err) != WEFT_OK || weft_hosts_link(h, l, c, &err) != WEFT_OK ||
      weft_linker_instantiate(l, c, NULL, &inst, &err) != WEFT_OK) {
    printf("setup: FAIL %s\n", err.message);
    return 1;
  }
  if (call_str(inst, "run", out, sizeof out, &err) == 0) printf("run: %s\n", out);
  else { printf("run: FAIL %s\n", err.message); bad = 1; }

  weft_cfunc_t *tt = weft_cinstance_func(inst, NULL, "trap-test");
  weft_arena_t *a = weft_arena_new();
  weft_val_t r;
  weft_status_t st = weft_cfunc_call(tt, NULL, 0, &r, 1, a, &err);
  weft_arena_free(a);
  if (st == WEFT_ERR_TRAP) printf("trap-test: trapped: %s\n", err.message);
  else { printf("trap-test: FAIL status %d\n", (int)st); bad = 1; }
  if (weft_linker_instantiate(l, c, NULL, &inst2, &err) == WEFT_OK && call_str(inst2, "run", out, sizeof out, &err) == 0)
    printf("after the trap: %s\n", out);
  else { printf("after the trap: FAIL %s\n", err.message); bad = 1; }

  /* the same interface built in: every function of the import defined directly */
  size_t ni = weft_component_import_count(c);
  for (size_t i = 0; i < ni; i++) {
    weft_item_kind_t k;
    if (strcmp(weft_component_import(c, i, &k), IFACE)) continue;
    for (size_t j = 0; j < weft_component_import_item_count(c, i); j++) {
      const char *item = weft_component_import_item(c, i, j, &k);
      if (k == WEFT_ITEM_FUNC) weft_linker_define_func(lb, IFACE, item, builtin, (void *)item, NULL);
      else if (k == WEFT_ITEM_TYPE) weft_linker_define_resource(lb, IFACE, item, NULL, NULL, NULL, NULL);
    }
  }
  if (weft_linker_instantiate(lb, c, NULL, &ib, &err) != WEFT_OK) {
    printf("builtin: FAIL %s\n", err.message);
    bad = 1;
  } else {
    const uint32_t n = 100000;
    const char *s = "a string of some length: h\xc3\xa9llo w\xc3\xb6rld";
    double bn = bench(inst2, "bench-noop", n, NULL), in = bench(ib, "bench-noop", n, NULL);
    double be = bench(inst2, "bench-echo", n, s), ie = bench(ib, "bench-echo", n, s);
    if (bn < 0 || in < 0 || be < 0 || ie < 0) bad = 1;
    printf("bench: no-op call: bundle %.0f ns, built-in %.0f ns; string round-trip (%zu bytes): bundle %.0f ns, "
           "built-in %.0f ns (per call, best of 3 x %u calls)\n",
           bn, in, strlen(s), be, ie, n);
  }
  weft_cinstance_free(ib);
  weft_cinstance_free(inst2);
  weft_cinstance_free(inst);
  weft_linker_free(lb);
  weft_linker_free(l);
  weft_hosts_free(h);
  weft_component_free(c);
  weft_engine_free(e);
  return bad;
}
