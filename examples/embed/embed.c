/* Embedding weft from C: load a module, give it a host function, call its
 * exports, read a trap. Uses include/weft.h only; link with -lweft.
 *   embed MODULE.wasm */
#include <stdio.h>
#include <string.h>

#include "weft.h"

static int host_add(void *env, const weft_core_val_t *args, size_t nargs,
                    weft_core_val_t *results, size_t nresults, const char **message) {
  (void)nargs; (void)nresults; (void)message;
  int *calls = env;
  (*calls)++;
  results[0].of.i32 = args[0].of.i32 + args[1].of.i32;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: embed MODULE.wasm\n"); return 2; }
  weft_error_t err;
  weft_engine_t *engine = weft_engine_new();
  weft_module_t *module = NULL;
  if (weft_module_from_file(engine, argv[1], &module, &err) != WEFT_OK) {
    fprintf(stderr, "load: %s\n", err.message);
    return 1;
  }
  weft_store_t *store = weft_store_new(engine);
  int calls = 0;
  weft_valkind_t params[2] = {WEFT_I32, WEFT_I32}, results[1] = {WEFT_I32};
  weft_extern_t imports[1];
  imports[0].kind = WEFT_EXTERN_FUNC;
  imports[0].of.func = weft_func_new(store, params, 2, results, 1, host_add, &calls, NULL);
  weft_instance_t *inst = NULL;
  if (weft_instance_new(store, module, imports, 1, &inst, &err) != WEFT_OK) {
    fprintf(stderr, "instantiate: %s\n", err.message);
    return 1;
  }
  weft_extern_t sum, boom;
  if (!weft_instance_export(inst, "sum", 3, &sum) || !weft_instance_export(inst, "boom", 4, &boom)) {
    fprintf(stderr, "missing export\n");
    return 1;
  }
  weft_core_val_t arg = {.kind = WEFT_I32, .of.i32 = 100}, res;
  if (weft_func_call(store, sum.of.func, &arg, 1, &res, 1, &err) != WEFT_OK) {
    fprintf(stderr, "call: %s\n", err.message);
    return 1;
  }
  printf("sum(100) = %d after %d host calls\n", res.of.i32, calls);
  if (weft_func_call(store, boom.of.func, NULL, 0, &res, 1, &err) == WEFT_ERR_TRAP)
    printf("boom() trapped: %s\n", err.message);
  else
    printf("boom() did not trap\n");
  weft_store_free(store);
  weft_module_free(module);
  weft_engine_free(engine);
  return 0;
}
