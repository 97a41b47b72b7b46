/* Embedding-API contract checks on real components (include/weft.h):
 * arguments are checked against the parameter types (WEFT_ERR_ARG), a host
 * function's trap reaches the caller with its message, a host result of the
 * wrong type traps, and host resources of the wrong type are refused. Each
 * runs on a fresh instance of a fixture (the name after ':' says which). */
#include <stdio.h>
#include <string.h>

#include "host.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static weft_val_t u8v(uint64_t u) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WEFT_VAL_U8;
  v.of.u = u;
  return v;
}

/* Expect the call to be refused (not WEFT_OK) with `want` status; 0 if so. */
static int expect_status(fx_t *fx, const char *what, const char *instance, const char *name,
                         const weft_val_t *args, size_t nargs, weft_status_t want, const char *needle) {
  weft_val_t result;
  weft_error_t err;
  weft_status_t st = fx_call_vals(fx, instance, name, args, nargs, &result, &err);
  if (st != want)
    return fx_check(fx, 0, "%s: %s returned status %d, expected %d (message: \"%s\")", what, name, (int)st,
                    (int)want, err.message);
  if (needle && !strstr(err.message, needle))
    return fx_check(fx, 0, "%s: message \"%s\" does not mention \"%s\"", what, err.message, needle);
  if (fx_check(fx, err.message[0] != 0, "%s: refused without a message", what)) return -1;
  return 0;
}

/* ---- numbers: argument checks ---- */

static int no_import(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                     weft_val_t *results, size_t nresults) {
  (void)env; (void)args; (void)nargs; (void)results; (void)nresults;
  fx_fail(fx_of(call), "an import was called where none should be");
  weft_call_trap(call, "test host: unexpected import call");
  return 1;
}

/* mode 0: every numbers import traps if called; 1: get-scalar traps with a
 * message; 2: roundtrip-u8 returns a string */
static int api_import(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                      weft_val_t *results, size_t nresults) {
  const char *name = env;
  fx_t *fx = fx_of(call);
  int mode = (int)fx->n[9];
  if (mode == 1 && !strcmp(name, "get-scalar")) {
    weft_call_trap(call, "scalar unavailable (host says %d)", 42);
    return 1;
  }
  if (mode == 2 && !strcmp(name, "roundtrip-u8")) {
    results[0].kind = WEFT_VAL_STRING;
    results[0].of.str.ptr = "not a u8";
    results[0].of.str.len = 8;
    return 0;
  }
  if (mode == 0) return no_import(call, env, args, nargs, results, nresults);
  if (nresults == 0) return 0;   /* set-scalar */
  return fx_echo(call, env, args, nargs, results, nresults);
}

static int numbers_api_setup(fx_t *fx) {
  static const char *const fns[] = {"roundtrip-u8", "roundtrip-s8", "roundtrip-u16", "roundtrip-s16",
                                    "roundtrip-u32", "roundtrip-s32", "roundtrip-u64", "roundtrip-s64",
                                    "roundtrip-f32", "roundtrip-f64", "roundtrip-char", "set-scalar",
                                    "get-scalar"};
  for (size_t i = 0; i < N(fns); i++) fx_define(fx, "test:numbers/test", fns[i], api_import, (void *)fns[i]);
  return 0;
}

static int args_run(fx_t *fx) {
  const char *I = "test:numbers/test";
  weft_val_t a[2] = {u8v(1), u8v(2)};
  weft_val_t s32;
  memset(&s32, 0, sizeof s32);
  s32.kind = WEFT_VAL_S32;
  s32.of.s = 1;
  expect_status(fx, "wrong kind", I, "roundtrip-u8", &s32, 1, WEFT_ERR_ARG, NULL);
  expect_status(fx, "too many arguments", I, "roundtrip-u8", a, 2, WEFT_ERR_ARG, NULL);
  expect_status(fx, "no arguments", I, "roundtrip-u8", a, 0, WEFT_ERR_ARG, NULL);
  weft_val_t big = u8v(256);
  expect_status(fx, "u8 out of range", I, "roundtrip-u8", &big, 1, WEFT_ERR_ARG, NULL);
  weft_val_t ch;
  memset(&ch, 0, sizeof ch);
  ch.kind = WEFT_VAL_CHAR;
  ch.of.ch = 0xD800;
  expect_status(fx, "surrogate char", I, "roundtrip-char", &ch, 1, WEFT_ERR_ARG, NULL);
  ch.of.ch = 0x110000;
  expect_status(fx, "char above U+10FFFF", I, "roundtrip-char", &ch, 1, WEFT_ERR_ARG, NULL);
  /* still usable after refused calls */
  fx_call(fx, I, "roundtrip-u8", "(7)", "7");
  return 0;
}

static int host_trap_run(fx_t *fx) {
  fx->n[9] = 1;
  fx_call_trap(fx, NULL, "test-imports", "()", "scalar unavailable (host says 42)");
  return 0;
}

static int bad_result_run(fx_t *fx) {
  fx->n[9] = 2;
  fx_call_trap(fx, NULL, "test-imports", "()", "string");
  return 0;
}

/* Explainer.md, "invariants" 1: a component instance is locked down after a
 * trap; no later call may run its code. */
static int lockdown_run(fx_t *fx) {
  fx->n[9] = 1;
  if (fx_call_trap(fx, NULL, "test-imports", "()", "scalar unavailable")) return -1;
  fx->n[9] = 0;
  weft_val_t arg = u8v(9), result;
  weft_error_t err;
  weft_status_t st = fx_call_vals(fx, "test:numbers/test", "roundtrip-u8", &arg, 1, &result, &err);
  fx_check(fx, st == WEFT_ERR_TRAP,
           "after a trap, roundtrip-u8(9) on the same instance returned status %d (result %llu); the "
           "instance should be locked down (Explainer: invariants, 1)",
           (int)st, st == WEFT_OK ? (unsigned long long)result.of.u : 0ULL);
  return 0;
}

/* ---- strings: invalid UTF-8 from the host ---- */

static int strings_api_setup(fx_t *fx) {
  fx_define(fx, "test:strings/imports", "take-basic", no_import, NULL);
  fx_define(fx, "test:strings/imports", "return-unicode", no_import, NULL);
  return 0;
}
static int utf8_run(fx_t *fx) {
  weft_val_t s;
  memset(&s, 0, sizeof s);
  s.kind = WEFT_VAL_STRING;
  s.of.str.ptr = "bad \xff\xfe utf-8";
  s.of.str.len = strlen(s.of.str.ptr);
  weft_val_t result;
  weft_error_t err;
  weft_status_t st = fx_call_vals(fx, NULL, "roundtrip", &s, 1, &result, &err);
  fx_check(fx, st == WEFT_ERR_ARG || st == WEFT_ERR_TRAP,
           "roundtrip(invalid UTF-8) returned status %d, expected a refusal (message \"%s\")", (int)st,
           err.message);
  fx_call(fx, NULL, "roundtrip", "(\"still fine\")", "\"still fine\"");
  return 0;
}

/* ---- resources: a host resource of the wrong type ---- */

static int floats_api_setup(fx_t *fx) {
  const char *T = "test:resource-floats/test";
  fx_define_resource(fx, "imports", "float");
  fx_define_resource(fx, T, "float");
  static const char *const f1[] = {"[constructor]float", "[method]float.get", "[static]float.add"};
  for (size_t i = 0; i < N(f1); i++) fx_define(fx, "imports", f1[i], no_import, NULL);
  fx_define(fx, T, "[constructor]float", no_import, NULL);
  fx_define(fx, T, "[method]float.get", no_import, NULL);
  return 0;
}
static int wrong_resource_run(fx_t *fx) {
  /* types[0] is the WASI double's first resource, so look the two up by order
   * of definition after the WASI ones: the last two defined */
  if (fx_check(fx, fx->ntypes >= 2, "resource types not defined")) return -1;
  weft_resource_type_t *imports_float = fx->types[fx->ntypes - 2].t;
  uint64_t rep = fx_obj_new(fx);
  weft_val_t args[2] = {fx_res(WEFT_VAL_BORROW, imports_float, rep), fx_res(WEFT_VAL_BORROW, imports_float, rep)};
  weft_val_t result;
  weft_error_t err;
  weft_status_t st = fx_call_vals(fx, NULL, "add", args, 2, &result, &err);
  fx_check(fx, st == WEFT_ERR_ARG || st == WEFT_ERR_TRAP,
           "add(borrow of imports#float where test:resource-floats/test#float is expected) returned "
           "status %d, expected a refusal (message \"%s\")", (int)st, err.message);
  return 0;
}

/* ---- teardown: host resources the guest still holds are destroyed ---- */

static int hold_new(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)a; (void)na;
  fx_t *fx = fx_of(c);
  uint64_t rep = fx_obj_new(fx);
  if (!rep || nr != 1) { weft_call_trap(c, "test host: constructor"); return 1; }
  r[0] = fx_res(WEFT_VAL_OWN, env, rep);
  return 0;
}
static int teardown_setup(fx_t *fx) {
  const char *I = "test:resource-with-lists/test";
  weft_resource_type_t *t = fx_define_resource(fx, I, "thing");
  fx_define(fx, I, "[constructor]thing", hold_new, t);
  static const char *const other[] = {"[method]thing.foo", "[method]thing.bar", "[static]thing.baz"};
  for (size_t i = 0; i < N(other); i++) fx_define(fx, I, other[i], no_import, NULL);
  return 0;
}
static int teardown_run(fx_t *fx) {
  const char *I = "test:resource-with-lists/test";
  /* three guest things, each holding a host thing; one dropped by the host */
  fx_call_slot(fx, I, "[constructor]thing", "([1])", NULL, 0);
  fx_call_slot(fx, I, "[constructor]thing", "([2])", NULL, 1);
  fx_call_slot(fx, I, "[constructor]thing", "([3])", NULL, 2);
  fx_drop(fx, 1);
  if (fx->failed) return -1;
  if (fx_check(fx, fx->dtor_calls == 1, "after one drop: %d host destructor calls, expected 1", fx->dtor_calls))
    return -1;
  weft_cinstance_free(fx->inst);
  fx->inst = NULL;
  fx_check(fx, fx->dtor_calls == 3,
           "weft_cinstance_free: %d host destructor calls in all, expected 3 (the two host things the "
           "guest still held)", fx->dtor_calls);
  return 0;
}

const fx_fixture_t fx_fixtures_api[] = {
  {"api-teardown:resource_with_lists", teardown_setup, teardown_run, NULL, "resource_with_lists"},
  {"api-args:numbers", numbers_api_setup, args_run, NULL, "numbers"},
  {"api-host-trap:numbers", numbers_api_setup, host_trap_run, NULL, "numbers"},
  {"api-bad-result:numbers", numbers_api_setup, bad_result_run, NULL, "numbers"},
  {"api-lockdown:numbers", numbers_api_setup, lockdown_run, NULL, "numbers"},
  {"api-bad-utf8:strings", strings_api_setup, utf8_run, NULL, "strings"},
  {"api-wrong-resource:resource_floats", floats_api_setup, wrong_resource_run, NULL, "resource_floats"},
};
const size_t fx_fixtures_api_count = N(fx_fixtures_api);
