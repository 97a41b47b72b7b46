/* A client of include/weft.h that checks the component API against
 * values.wasm (tests/data/components/values.wat): introspection, lookups
 * with semver-compatible instance names, calls with values, argument checks
 * and traps; host functions (weft_call_*) against imports.wasm; owned
 * resources the host drops against resources.wasm. Prints one line per
 * failed check and "N passed, M failed".
 *   api_check VALUES.wasm IMPORTS.wasm RESOURCES.wasm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"

static int passed, failed;

#define CHECK(name, cond)                                          \
  do {                                                             \
    if (cond) passed++;                                            \
    else {                                                         \
      failed++;                                                    \
      printf("FAIL: %s (line %d)\n", name, __LINE__);              \
    }                                                              \
  } while (0)

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

static weft_val_t u32v(uint64_t u) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WEFT_VAL_U32;
  v.of.u = u;
  return v;
}

static int has_export(const weft_component_t *c, const char *name, weft_item_kind_t want, size_t *idx) {
  for (size_t i = 0; i < weft_component_export_count(c); i++) {
    weft_item_kind_t k;
    const char *n = weft_component_export(c, i, &k);
    if (n && !strcmp(n, name) && k == want) {
      if (idx) *idx = i;
      return 1;
    }
  }
  return 0;
}

/* ---- host functions: imports.wasm imports test:demo/host@1.0.0#get ---- */

static int state_key;   /* its address is the state's key */
static int data_marker;

typedef struct {
  int calls, trap, bad_context;
} host_env_t;

static void *state_new(void *env, weft_cinstance_t *inst) {
  (void)env;
  (void)inst;
  return malloc(1);
}

static int host_get(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                    size_t nresults) {
  host_env_t *h = env;
  (void)args;
  h->calls++;
  if (weft_call_data(call) != &data_marker || !weft_call_instance(call) || !weft_call_arena(call) ||
      nargs != 0 || weft_call_param_count(call) != 0 || nresults != 1 ||
      weft_type_kind(weft_call_result_type(call)) != WEFT_VAL_U32 || !weft_call_state(call, &state_key) ||
      weft_call_state(call, &data_marker) != NULL)
    h->bad_context++;
  if (h->trap) {
    weft_call_trap(call, "host says %d", 7);
    return 1;
  }
  results[0].kind = WEFT_VAL_U32;
  results[0].of.u = 21;
  return 0;
}

static void check_host(weft_engine_t *engine, const char *path) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  weft_component_t *comp = NULL;
  weft_error_t err;
  CHECK("imports decode", bytes && weft_component_new(engine, bytes, len, &comp, &err) == WEFT_OK);
  free(bytes);
  if (!comp) return;
  weft_item_kind_t k = WEFT_ITEM_MODULE;
  CHECK("import name", weft_component_import_count(comp) == 1 &&
                           !strcmp(weft_component_import(comp, 0, &k), "test:demo/host@1.0.0") &&
                           k == WEFT_ITEM_INSTANCE);
  CHECK("import items", weft_component_import_item_count(comp, 0) == 1 &&
                            !strcmp(weft_component_import_item(comp, 0, 0, &k), "get") && k == WEFT_ITEM_FUNC);
  host_env_t h = {0, 0, 0};
  weft_linker_t *l = weft_linker_new(engine);
  weft_cinstance_t *inst = NULL;
  CHECK("missing import", weft_linker_instantiate(l, comp, NULL, &inst, &err) == WEFT_ERR_LINK &&
                              strstr(err.message, "test:demo/host@1.0.0"));
  CHECK("define", weft_linker_define_func(l, "test:demo/host@1.0.0", "get", host_get, &h, &err) == WEFT_OK);
  CHECK("define state", weft_linker_define_state(l, &state_key, state_new, free, NULL, &err) == WEFT_OK);
  CHECK("instantiate imports", weft_linker_instantiate(l, comp, &data_marker, &inst, &err) == WEFT_OK);
  weft_cfunc_t *twice = inst ? weft_cinstance_func(inst, NULL, "twice") : NULL;
  if (twice) {
    weft_arena_t *arena = weft_arena_new();
    weft_val_t res;
    CHECK("host call", weft_cfunc_call(twice, NULL, 0, &res, 1, arena, &err) == WEFT_OK && res.of.u == 42 &&
                           h.calls == 2 && h.bad_context == 0);
    h.trap = 1;
    CHECK("host trap", weft_cfunc_call(twice, NULL, 0, &res, 1, arena, &err) == WEFT_ERR_TRAP &&
                           strstr(err.message, "host says 7"));
    h.trap = 0;
    CHECK("host trap locks", weft_cfunc_call(twice, NULL, 0, &res, 1, arena, &err) == WEFT_ERR_TRAP &&
                                 strstr(err.message, "cannot enter component instance") && h.calls == 3);
    weft_arena_free(arena);
  } else {
    CHECK("twice found", 0);
  }
  weft_cinstance_free(inst);
  weft_linker_free(l);
  weft_component_free(comp);
}

/* ---- resources: resources.wasm hands out own<thing> ---- */

static void check_resources(weft_engine_t *engine, const char *path) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  weft_component_t *comp = NULL;
  weft_error_t err;
  CHECK("resources decode", bytes && weft_component_new(engine, bytes, len, &comp, &err) == WEFT_OK);
  free(bytes);
  if (!comp) return;
  weft_linker_t *l = weft_linker_new(engine);
  weft_cinstance_t *inst = NULL;
  CHECK("resources instantiate", weft_linker_instantiate(l, comp, NULL, &inst, &err) == WEFT_OK);
  weft_cfunc_t *make = inst ? weft_cinstance_func(inst, NULL, "make") : NULL;
  weft_cfunc_t *dropped = inst ? weft_cinstance_func(inst, NULL, "dropped") : NULL;
  if (make && dropped) {
    weft_arena_t *arena = weft_arena_new();
    weft_val_t arg = u32v(7), own, res;
    CHECK("own result type", weft_type_kind(weft_cfunc_result_type(make)) == WEFT_VAL_OWN);
    CHECK("make", weft_cfunc_call(make, &arg, 1, &own, 1, arena, &err) == WEFT_OK && own.kind == WEFT_VAL_OWN &&
                      own.of.res.type != NULL);
    CHECK("not dropped yet", weft_cfunc_call(dropped, NULL, 0, &res, 1, arena, &err) == WEFT_OK && res.of.u == 0);
    CHECK("drop", weft_cinstance_resource_drop(inst, &own, &err) == WEFT_OK);
    CHECK("destructor ran", weft_cfunc_call(dropped, NULL, 0, &res, 1, arena, &err) == WEFT_OK && res.of.u == 7);
    weft_val_t notown = u32v(1);
    CHECK("drop a non-handle", weft_cinstance_resource_drop(inst, &notown, &err) == WEFT_ERR_ARG);
    weft_arena_free(arena);
  } else {
    CHECK("make/dropped found", 0);
  }
  weft_cinstance_free(inst);
  weft_linker_free(l);
  weft_component_free(comp);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: api_check VALUES.wasm IMPORTS.wasm RESOURCES.wasm\n");
    return 2;
  }
  size_t len;
  uint8_t *bytes = read_file(argv[1], &len);
  if (!bytes) {
    printf("FAIL: cannot read %s\n0 passed, 1 failed\n", argv[1]);
    return 1;
  }
  static const uint8_t core[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  CHECK("is_component", weft_binary_is_component(bytes, len) == 1);
  CHECK("core is not a component", weft_binary_is_component(core, sizeof core) == 0);
  CHECK("junk", weft_binary_is_component((const uint8_t *)"junkjunk", 8) == -1);

  weft_engine_t *engine = weft_engine_new();
  weft_component_t *comp = NULL;
  weft_error_t err;
  /* A truncated component is rejected with a byte offset. */
  CHECK("truncated", weft_component_new(engine, bytes, len / 2, &comp, &err) == WEFT_ERR_INVALID &&
                         comp == NULL && err.offset >= 0 && err.message[0]);
  CHECK("decode", weft_component_new(engine, bytes, len, &comp, &err) == WEFT_OK);
  if (!comp) {
    printf("decode: %s\n%d passed, %d failed\n", err.message, passed, failed + 1);
    return 1;
  }
  CHECK("no imports", weft_component_import_count(comp) == 0);
  CHECK("import out of range", weft_component_import(comp, 0, NULL) == NULL);
  CHECK("export greet", has_export(comp, "greet", WEFT_ITEM_FUNC, NULL));
  CHECK("export type", has_export(comp, "point", WEFT_ITEM_TYPE, NULL));
  size_t mi = 0;
  CHECK("export instance", has_export(comp, "test:demo/math@1.2.0", WEFT_ITEM_INSTANCE, &mi));
  weft_item_kind_t ik = WEFT_ITEM_MODULE;
  CHECK("instance items", weft_component_export_item_count(comp, mi) == 1 &&
                              !strcmp(weft_component_export_item(comp, mi, 0, &ik), "double") &&
                              ik == WEFT_ITEM_FUNC);
  CHECK("item out of range", weft_component_export_item(comp, mi, 1, NULL) == NULL);

  weft_linker_t *linker = weft_linker_new(engine);
  weft_cinstance_t *inst = NULL;
  CHECK("instantiate", weft_linker_instantiate(linker, comp, NULL, &inst, &err) == WEFT_OK);
  if (!inst) {
    printf("instantiate: %s\n%d passed, %d failed\n", err.message, passed, failed + 1);
    return 1;
  }
  /* The instance holds a reference: the component may be released now. */
  weft_component_free(comp);

  weft_arena_t *arena = weft_arena_new();
  weft_cfunc_t *add = weft_cinstance_func(inst, NULL, "add");
  CHECK("add found", add != NULL);
  CHECK("add params", add && weft_cfunc_param_count(add) == 2 && !strcmp(weft_cfunc_param_name(add, 1), "b") &&
                          weft_type_kind(weft_cfunc_param_type(add, 0)) == WEFT_VAL_U32);
  CHECK("add result", add && weft_cfunc_result_count(add) == 1 &&
                          weft_type_kind(weft_cfunc_result_type(add)) == WEFT_VAL_U32);
  CHECK("no such func", weft_cinstance_func(inst, NULL, "nope") == NULL);
  CHECK("type export is not a func", weft_cinstance_func(inst, NULL, "point") == NULL);
  if (add) {
    weft_val_t args[2] = {u32v(2), u32v(3)}, res;
    CHECK("add call", weft_cfunc_call(add, args, 2, &res, 1, arena, &err) == WEFT_OK &&
                          res.kind == WEFT_VAL_U32 && res.of.u == 5);
    args[1].kind = WEFT_VAL_STRING;
    CHECK("add wrong kind", weft_cfunc_call(add, args, 2, &res, 1, arena, &err) == WEFT_ERR_ARG &&
                                strstr(err.message, "argument 2 (`b`): expected u32, found string"));
    args[1] = u32v(1ull << 32);
    CHECK("add out of range", weft_cfunc_call(add, args, 2, &res, 1, arena, &err) == WEFT_ERR_ARG &&
                                  strstr(err.message, "out of range"));
    CHECK("add nargs", weft_cfunc_call(add, args, 1, &res, 1, arena, &err) == WEFT_ERR_ARG &&
                           strstr(err.message, "takes 2 arguments, 1 given"));
    CHECK("add nresults", weft_cfunc_call(add, args, 2, &res, 0, arena, &err) == WEFT_ERR_ARG);
    args[1] = u32v(4);
    CHECK("add after bad arguments", weft_cfunc_call(add, args, 2, &res, 1, arena, &err) == WEFT_OK &&
                                         res.of.u == 6);
  }

  /* Strings, records, results through the API. */
  weft_cfunc_t *greet = weft_cinstance_func(inst, NULL, "greet");
  if (greet) {
    weft_val_t a, res;
    memset(&a, 0, sizeof a);
    a.kind = WEFT_VAL_STRING;
    a.of.str.ptr = "API";
    a.of.str.len = 3;
    CHECK("greet", weft_cfunc_call(greet, &a, 1, &res, 1, arena, &err) == WEFT_OK &&
                       res.kind == WEFT_VAL_STRING && res.of.str.len == 11 &&
                       !memcmp(res.of.str.ptr, "Hello, API!", 11));
    a.of.str.ptr = "\xff";
    a.of.str.len = 1;
    CHECK("greet bad utf-8", weft_cfunc_call(greet, &a, 1, &res, 1, arena, &err) == WEFT_ERR_ARG &&
                                 strstr(err.message, "UTF-8"));
  } else {
    CHECK("greet found", 0);
  }
  weft_cfunc_t *swap = weft_cinstance_func(inst, NULL, "swap");
  if (swap) {
    weft_val_t f[2], a, res;
    memset(f, 0, sizeof f);
    f[0].kind = f[1].kind = WEFT_VAL_S32;
    f[0].of.s = 7;
    f[1].of.s = -8;
    memset(&a, 0, sizeof a);
    a.kind = WEFT_VAL_RECORD;
    a.of.seq.v = f;
    a.of.seq.n = 2;
    CHECK("swap", weft_cfunc_call(swap, &a, 1, &res, 1, arena, &err) == WEFT_OK && res.kind == WEFT_VAL_RECORD &&
                      res.of.seq.n == 2 && res.of.seq.v[0].of.s == -8 && res.of.seq.v[1].of.s == 7);
    char buf[64];
    weft_wave_print(weft_cfunc_result_type(swap), &res, buf, sizeof buf);
    CHECK("swap print", !strcmp(buf, "{x: -8, y: 7}"));
    a.of.seq.n = 1;
    CHECK("swap short record", weft_cfunc_call(swap, &a, 1, &res, 1, arena, &err) == WEFT_ERR_ARG &&
                                   strstr(err.message, "argument 1 (`p`): record has 1 values"));
    a.of.seq.n = 2;
    f[1].kind = WEFT_VAL_U32;
    CHECK("swap bad field", weft_cfunc_call(swap, &a, 1, &res, 1, arena, &err) == WEFT_ERR_ARG &&
                                strstr(err.message, "field `y`: expected s32, found u32"));
  } else {
    CHECK("swap found", 0);
  }
  weft_cfunc_t *div = weft_cinstance_func(inst, NULL, "checked-div");
  if (div) {
    weft_val_t args[2] = {u32v(1), u32v(0)}, res;
    CHECK("checked-div err", weft_cfunc_call(div, args, 2, &res, 1, arena, &err) == WEFT_OK &&
                                 res.kind == WEFT_VAL_RESULT && res.of.var.index == 1 && res.of.var.payload &&
                                 res.of.var.payload->kind == WEFT_VAL_STRING);
  }

  /* Exported instances: semver-compatible names. */
  CHECK("has instance exact", weft_cinstance_has_instance(inst, "test:demo/math@1.2.0"));
  CHECK("has instance compatible", weft_cinstance_has_instance(inst, "test:demo/math@1.0.0"));
  CHECK("has instance unversioned", weft_cinstance_has_instance(inst, "test:demo/math"));
  CHECK("no instance other major", !weft_cinstance_has_instance(inst, "test:demo/math@2.0.0"));
  CHECK("no instance other name", !weft_cinstance_has_instance(inst, "test:demo/other@1.2.0"));
  CHECK("a func is not an instance", !weft_cinstance_has_instance(inst, "add"));
  weft_cfunc_t *dbl = weft_cinstance_func(inst, "test:demo/math@1.1.0", "double");
  if (dbl) {
    weft_val_t a = u32v(21), res;
    CHECK("double", weft_cfunc_call(dbl, &a, 1, &res, 1, arena, &err) == WEFT_OK && res.of.u == 42);
  } else {
    CHECK("double found", 0);
  }
  CHECK("instance func missing", weft_cinstance_func(inst, "test:demo/math@1.2.0", "triple") == NULL);

  /* A trap is reported with its message and backtrace. It locks the
   * instance down (Explainer.md, invariants: "lockdown" state): later calls
   * trap too, and say why. */
  weft_cfunc_t *fail = weft_cinstance_func(inst, NULL, "fail");
  if (fail) {
    weft_val_t res;
    CHECK("trap", weft_cfunc_call(fail, NULL, 0, &res, 1, arena, &err) == WEFT_ERR_TRAP &&
                      err.trap == WEFT_TRAP_UNREACHABLE && strstr(err.message, "unreachable") &&
                      strstr(err.backtrace, "#0"));
  } else {
    CHECK("fail found", 0);
  }
  if (add) {
    weft_val_t args[2] = {u32v(40), u32v(2)}, res;
    CHECK("locked after trap", weft_cfunc_call(add, args, 2, &res, 1, arena, &err) == WEFT_ERR_TRAP &&
                                   strstr(err.message, "cannot enter component instance"));
  }

  weft_arena_free(arena);
  weft_cinstance_free(inst);
  weft_linker_free(linker);
  check_host(engine, argv[2]);
  check_resources(engine, argv[3]);
  weft_engine_free(engine);
  free(bytes);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
