/* Helpers of the unit tests that make component instances through weft.h
 * (test_cinst.c, test_prelink.c, test_host_handles.c). */
#ifndef WEFT_TESTS_CINST_HELPERS_H
#define WEFT_TESTS_CINST_HELPERS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "weft.h"

#define CINST_HELPER __attribute__((unused)) static

/* A component from bytes; NULL (and why on stderr) if it does not decode. */
CINST_HELPER weft_component_t *load(weft_engine_t *e, const uint8_t *b, size_t n) {
  weft_component_t *c = NULL;
  weft_error_t err;
  if (weft_component_new(e, b, n, &c, &err) != WEFT_OK) {
    fprintf(stderr, "  component did not decode: %s\n", err.message);
    return NULL;
  }
  return c;
}
#define LOAD(e, arr) load((e), (arr), sizeof(arr))

/* Call a function without parameters that returns a u32; -1 on failure. */
CINST_HELPER long long call_u32(weft_cinstance_t *ci, const char *name) {
  weft_cfunc_t *f = weft_cinstance_func(ci, NULL, name);
  if (!f) return -1;
  weft_arena_t *a = weft_arena_new();
  weft_val_t r;
  weft_error_t err;
  long long v = -1;
  if (weft_cfunc_call(f, NULL, 0, &r, 1, a, &err) == WEFT_OK && r.kind == WEFT_VAL_U32) v = (long long)r.of.u;
  else fprintf(stderr, "  call %s: %s\n", name, err.message);
  weft_arena_free(a);
  return v;
}

/* A host function () -> u32 answering its env pointer as the number. */
CINST_HELPER int get_cb(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                        size_t nresults) {
  (void)call, (void)args;
  if (nargs != 0 || nresults != 1) return 1;
  results[0].kind = WEFT_VAL_U32;
  results[0].of.u = (uint64_t)(uintptr_t)env;
  return 0;
}

/* A host function that must not be called: it traps. */
CINST_HELPER int nop_cb(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                        size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)results, (void)nresults;
  weft_call_trap(call, "not expected to be called");
  return 1;
}

#endif
