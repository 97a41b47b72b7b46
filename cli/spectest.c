/* The `spectest` host module the spec test suite imports from (as defined by
 * the reference interpreter): print functions that print nothing, four
 * constant globals, a table of 10..20 funcrefs and a memory of 1..2 pages. */
#include <string.h>

#include "wast.h"

static int print_cb(void *env, const weft_core_val_t *args, size_t nargs,
                    weft_core_val_t *results, size_t nresults, const char **message) {
  (void)env; (void)args; (void)nargs; (void)results; (void)nresults; (void)message;
  return 0;
}

static int add(spectest_t *st, const char *name, weft_extern_t ext) {
  if (st->n >= SPECTEST_MAX) return -1;
  st->entries[st->n].name = name;
  st->entries[st->n].ext = ext;
  st->n++;
  return 0;
}

static int add_func(spectest_t *st, weft_store_t *store, const char *name,
                    const weft_valkind_t *params, size_t nparams) {
  weft_func_t *f = weft_func_new(store, params, nparams, NULL, 0, print_cb, NULL, NULL);
  if (!f) return -1;
  weft_extern_t e = {.kind = WEFT_EXTERN_FUNC, .of.func = f};
  return add(st, name, e);
}

static int add_global(spectest_t *st, weft_store_t *store, const char *name,
                      weft_core_val_t init) {
  weft_global_t *g = weft_global_new(store, init.kind, 0, init);
  if (!g) return -1;
  weft_extern_t e = {.kind = WEFT_EXTERN_GLOBAL, .of.global = g};
  return add(st, name, e);
}

int spectest_init(spectest_t *st, weft_store_t *store, weft_error_t *err) {
  memset(st, 0, sizeof *st);
  static const weft_valkind_t p_i32[] = {WEFT_I32};
  static const weft_valkind_t p_i64[] = {WEFT_I64};
  static const weft_valkind_t p_f32[] = {WEFT_F32};
  static const weft_valkind_t p_f64[] = {WEFT_F64};
  static const weft_valkind_t p_i32_f32[] = {WEFT_I32, WEFT_F32};
  static const weft_valkind_t p_f64_f64[] = {WEFT_F64, WEFT_F64};
  int bad = 0;
  bad |= add_func(st, store, "print", NULL, 0);
  bad |= add_func(st, store, "print_i32", p_i32, 1);
  bad |= add_func(st, store, "print_i64", p_i64, 1);
  bad |= add_func(st, store, "print_f32", p_f32, 1);
  bad |= add_func(st, store, "print_f64", p_f64, 1);
  bad |= add_func(st, store, "print_i32_f32", p_i32_f32, 2);
  bad |= add_func(st, store, "print_f64_f64", p_f64_f64, 2);

  float f32 = 666.6f;
  double f64 = 666.6;
  weft_core_val_t v;
  v.kind = WEFT_I32; v.of.i32 = 666;
  bad |= add_global(st, store, "global_i32", v);
  v.kind = WEFT_I64; v.of.i64 = 666;
  bad |= add_global(st, store, "global_i64", v);
  v.kind = WEFT_F32; memcpy(&v.of.f32_bits, &f32, sizeof f32);
  bad |= add_global(st, store, "global_f32", v);
  v.kind = WEFT_F64; memcpy(&v.of.f64_bits, &f64, sizeof f64);
  bad |= add_global(st, store, "global_f64", v);

  weft_table_t *t = weft_table_new(store, WEFT_FUNCREF, 10, 20, err);
  if (t) {
    weft_extern_t e = {.kind = WEFT_EXTERN_TABLE, .of.table = t};
    bad |= add(st, "table", e);
  } else {
    bad = 1;
  }
  weft_memory_t *m = weft_memory_new(store, 1, 2, err);
  if (m) {
    weft_extern_t e = {.kind = WEFT_EXTERN_MEMORY, .of.memory = m};
    bad |= add(st, "memory", e);
  } else {
    bad = 1;
  }
  if (bad && err && err->message[0] == '\0') {
    err->status = WEFT_ERR_NOMEM;
    strcpy(err->message, "cannot create the spectest module");
  }
  return bad ? -1 : 0;
}

int spectest_lookup(const spectest_t *st, const char *name, size_t len, weft_extern_t *out) {
  for (size_t i = 0; i < st->n; i++) {
    const char *n = st->entries[i].name;
    if (strlen(n) == len && memcmp(n, name, len) == 0) {
      *out = st->entries[i].ext;
      return 1;
    }
  }
  return 0;
}
