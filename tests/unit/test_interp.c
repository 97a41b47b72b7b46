/* Interpreter and translator tests: a hand-written module (compiled once
 * from text with wat2wasm, embedded below) exercising calls, branches, traps,
 * memory faults, host functions and re-entry, float semantics, and the
 * translator's fusions (compare+branch, address folding, local.tee with a
 * pending local.get, many constants). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "core/runtime.h"

/* module m1 (its source text is in the comment at the end) */
static const unsigned char m1_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x4e, 0x0e, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01,
  0x7e, 0x01, 0x7e, 0x60, 0x01, 0x7d, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60,
  0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x02, 0x7d, 0x7d, 0x01, 0x7d, 0x60,
  0x02, 0x7c, 0x7c, 0x01, 0x7c, 0x60, 0x01, 0x7c, 0x01, 0x7c, 0x60, 0x01,
  0x7d, 0x01, 0x7d, 0x60, 0x02, 0x7c, 0x7c, 0x01, 0x7f, 0x60, 0x02, 0x7f,
  0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x00, 0x02, 0x7f, 0x7f, 0x60, 0x03, 0x7f,
  0x7e, 0x7e, 0x01, 0x7e, 0x02, 0x23, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x08,
  0x68, 0x6f, 0x73, 0x74, 0x5f, 0x61, 0x64, 0x64, 0x00, 0x01, 0x03, 0x65,
  0x6e, 0x76, 0x0c, 0x68, 0x6f, 0x73, 0x74, 0x5f, 0x72, 0x65, 0x65, 0x6e,
  0x74, 0x65, 0x72, 0x00, 0x00, 0x03, 0x1e, 0x1d, 0x00, 0x02, 0x01, 0x00,
  0x02, 0x00, 0x01, 0x01, 0x03, 0x04, 0x04, 0x00, 0x01, 0x05, 0x00, 0x06,
  0x07, 0x08, 0x09, 0x07, 0x0a, 0x01, 0x01, 0x00, 0x0b, 0x00, 0x00, 0x00,
  0x0d, 0x04, 0x04, 0x01, 0x70, 0x00, 0x04, 0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0xda, 0x01, 0x1a, 0x03, 0x61, 0x64, 0x64, 0x00, 0x04, 0x03, 0x73,
  0x75, 0x6d, 0x00, 0x05, 0x03, 0x66, 0x61, 0x63, 0x00, 0x06, 0x03, 0x69,
  0x6e, 0x66, 0x00, 0x07, 0x05, 0x64, 0x69, 0x76, 0x5f, 0x73, 0x00, 0x08,
  0x05, 0x72, 0x65, 0x6d, 0x5f, 0x73, 0x00, 0x09, 0x05, 0x74, 0x72, 0x75,
  0x6e, 0x63, 0x00, 0x0a, 0x07, 0x75, 0x6e, 0x72, 0x65, 0x61, 0x63, 0x68,
  0x00, 0x0b, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x0d, 0x0a, 0x73, 0x74,
  0x6f, 0x72, 0x65, 0x5f, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x0e, 0x04, 0x66,
  0x69, 0x6c, 0x6c, 0x00, 0x0f, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x10,
  0x04, 0x66, 0x6d, 0x69, 0x6e, 0x00, 0x11, 0x04, 0x66, 0x6d, 0x61, 0x78,
  0x00, 0x12, 0x07, 0x6e, 0x65, 0x61, 0x72, 0x65, 0x73, 0x74, 0x00, 0x13,
  0x04, 0x66, 0x6e, 0x65, 0x67, 0x00, 0x14, 0x09, 0x66, 0x63, 0x6f, 0x70,
  0x79, 0x73, 0x69, 0x67, 0x6e, 0x00, 0x15, 0x09, 0x6c, 0x74, 0x5f, 0x62,
  0x72, 0x61, 0x6e, 0x63, 0x68, 0x00, 0x16, 0x02, 0x63, 0x69, 0x00, 0x17,
  0x04, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x18, 0x07, 0x72, 0x65, 0x65, 0x6e,
  0x74, 0x65, 0x72, 0x00, 0x19, 0x04, 0x73, 0x77, 0x61, 0x70, 0x00, 0x1a,
  0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x1b, 0x0b, 0x74, 0x65, 0x65,
  0x5f, 0x70, 0x65, 0x6e, 0x64, 0x69, 0x6e, 0x67, 0x00, 0x1c, 0x07, 0x62,
  0x72, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x00, 0x1d, 0x06, 0x73, 0x65, 0x6c,
  0x65, 0x63, 0x74, 0x00, 0x1e, 0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b,
  0x02, 0x02, 0x03, 0x0a, 0xbc, 0x02, 0x1d, 0x07, 0x00, 0x20, 0x00, 0x20,
  0x00, 0x6c, 0x0b, 0x07, 0x00, 0x42, 0x00, 0x20, 0x00, 0x7d, 0x0b, 0x07,
  0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x21, 0x01, 0x01, 0x7f, 0x02,
  0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x01, 0x20, 0x00,
  0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00,
  0x0b, 0x0b, 0x20, 0x01, 0x0b, 0x17, 0x00, 0x20, 0x00, 0x42, 0x01, 0x58,
  0x04, 0x7e, 0x42, 0x01, 0x05, 0x20, 0x00, 0x20, 0x00, 0x42, 0x01, 0x7d,
  0x10, 0x06, 0x7e, 0x0b, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a,
  0x10, 0x07, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x07,
  0x00, 0x20, 0x00, 0x20, 0x01, 0x6f, 0x0b, 0x05, 0x00, 0x20, 0x00, 0xa8,
  0x0b, 0x04, 0x00, 0x10, 0x0c, 0x0b, 0x03, 0x00, 0x00, 0x0b, 0x07, 0x00,
  0x20, 0x00, 0x28, 0x02, 0x04, 0x0b, 0x14, 0x00, 0x20, 0x00, 0x41, 0x08,
  0x6a, 0x20, 0x01, 0x36, 0x02, 0x00, 0x20, 0x00, 0x41, 0x08, 0x6a, 0x28,
  0x02, 0x00, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc,
  0x0b, 0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x07, 0x00,
  0x20, 0x00, 0x20, 0x01, 0x96, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01,
  0xa5, 0x0b, 0x05, 0x00, 0x20, 0x00, 0x9e, 0x0b, 0x05, 0x00, 0x20, 0x00,
  0x8c, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0xa6, 0x0b, 0x0f, 0x00,
  0x20, 0x00, 0x20, 0x01, 0x63, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x00,
  0x0b, 0x0b, 0x09, 0x00, 0x20, 0x01, 0x20, 0x00, 0x11, 0x00, 0x00, 0x0b,
  0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00, 0x0b, 0x06, 0x00, 0x20,
  0x00, 0x10, 0x01, 0x0b, 0x06, 0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x0a,
  0x00, 0x02, 0x0c, 0x20, 0x00, 0x41, 0x0a, 0x0b, 0x6b, 0x0b, 0x09, 0x00,
  0x20, 0x00, 0x41, 0x05, 0x22, 0x00, 0x6b, 0x0b, 0x1b, 0x00, 0x02, 0x7f,
  0x02, 0x7f, 0x02, 0x7f, 0x41, 0xe4, 0x00, 0x20, 0x00, 0x0e, 0x02, 0x00,
  0x01, 0x02, 0x0b, 0x41, 0x01, 0x6a, 0x0b, 0x41, 0x02, 0x6a, 0x0b, 0x0b,
  0x09, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x00, 0x1b, 0x0b
};


typedef struct {
  wf_store_t *s;
  wf_module_t *m;
  wf_instance_t *inst;
  wf_funcinst_t *reenter;
} fx_t;

static wf_trapcode_t host_add(void *env, wf_exec_t *ex, const uint64_t *args, uint64_t *res) {
  (void)env;
  (void)ex;
  uint32_t a = (uint32_t)args[0], b = (uint32_t)args[1];
  res[0] = (uint32_t)(a + b);
  return WF_TRAP_NONE;
}

static wf_trapcode_t host_reenter(void *env, wf_exec_t *ex, const uint64_t *args, uint64_t *res) {
  fx_t *fx = env;
  uint32_t n = (uint32_t)args[0];
  if (n == 0) { res[0] = 0; return WF_TRAP_NONE; }
  if (n == 0xDEAD) return wf_exec_trap(ex, WF_TRAP_HOST, "host says no");
  uint64_t a = n - 1, r = 0;
  wf_trapcode_t tc = wf_invoke(fx->s, fx->reenter, &a, &r);
  if (tc != WF_TRAP_NONE) return tc;
  res[0] = (uint32_t)r + 1;
  return WF_TRAP_NONE;
}

static int fx_open(fx_t *fx) {
  memset(fx, 0, sizeof *fx);
  wf_error_t err = {0};
  fx->m = wf_module_decode(m1_wasm, sizeof m1_wasm, &err);
  if (!fx->m) { fprintf(stderr, "  decode: %s\n", err.msg); return 0; }
  fx->s = wf_store_new();
  if (!fx->s) return 0;
  static const uint8_t ii[2] = {WF_T_I32, WF_T_I32};
  wf_extern_t imps[2];
  imps[0].kind = WF_EXTERN_FUNC;
  imps[0].u.func = wf_host_func_new(fx->s, ii, 2, ii, 1, host_add, NULL, NULL);
  imps[1].kind = WF_EXTERN_FUNC;
  imps[1].u.func = wf_host_func_new(fx->s, ii, 1, ii, 1, host_reenter, fx, NULL);
  if (!imps[0].u.func || !imps[1].u.func) return 0;
  int trapped = 0;
  fx->inst = wf_instantiate(fx->s, fx->m, imps, &err, &trapped);
  if (!fx->inst) { fprintf(stderr, "  instantiate: %s\n", err.msg); return 0; }
  wf_extern_t e;
  if (!wf_instance_export(fx->inst, "reenter", 7, &e)) return 0;
  fx->reenter = e.u.func;
  return 1;
}

static void fx_close(fx_t *fx) {
  if (fx->s) wf_store_free(fx->s);
  if (fx->m) wf_module_free(fx->m);
}

/* Call export `name`; returns the trap code. */
static wf_trapcode_t call(fx_t *fx, const char *name, const uint64_t *args, uint64_t *res) {
  wf_extern_t e;
  if (!wf_instance_export(fx->inst, name, strlen(name), &e) || e.kind != WF_EXTERN_FUNC)
    return WF_TRAP_COUNT;
  return wf_invoke(fx->s, e.u.func, args, res);
}

static uint64_t f32b(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t f64b(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

#define OPEN(fx) fx_t fx; if (!fx_open(&fx)) { fx_close(&fx); CHECK(!"fixture"); }

WF_TEST(interp_basic_calls_and_loops) {
  OPEN(fx);
  uint64_t a[3], r[2];
  a[0] = 40; a[1] = 2;
  CHECK_EQ(call(&fx, "add", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 42);
  a[0] = 100;
  CHECK_EQ(call(&fx, "sum", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 5050);
  a[0] = 20;
  CHECK_EQ(call(&fx, "fac", a, r), WF_TRAP_NONE); CHECK_EQ(r[0], 2432902008176640000ull);
  a[0] = 7; a[1] = 9;
  CHECK_EQ(call(&fx, "swap", a, r), WF_TRAP_NONE); CHECK_EQ(r[0], 9); CHECK_EQ(r[1], 7);
  a[0] = 3;
  CHECK_EQ(call(&fx, "multi", a, r), WF_TRAP_NONE); CHECK_EQ((int32_t)r[0], -7);
  a[0] = 12;
  CHECK_EQ(call(&fx, "tee_pending", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 7);
  for (uint32_t i = 0; i < 5; i++) {
    static const uint32_t want[5] = {103, 102, 100, 100, 100};
    a[0] = i;
    CHECK_EQ(call(&fx, "brtable", a, r), WF_TRAP_NONE);
    CHECK_EQ((uint32_t)r[0], want[i]);
  }
  a[0] = 0; a[1] = 5; a[2] = 6;
  CHECK_EQ(call(&fx, "select", a, r), WF_TRAP_NONE); CHECK_EQ(r[0], 6);
  a[0] = 1;
  CHECK_EQ(call(&fx, "select", a, r), WF_TRAP_NONE); CHECK_EQ(r[0], 5);
  fx_close(&fx);
}

WF_TEST(interp_integer_traps) {
  OPEN(fx);
  uint64_t a[2], r[1];
  a[0] = 1; a[1] = 0;
  CHECK_EQ(call(&fx, "div_s", a, r), WF_TRAP_DIV_ZERO);
  const wf_trap_t *t = wf_exec_last_trap(wf_store_exec(fx.s));
  CHECK(strcmp(t->msg, "integer divide by zero") == 0);
  a[0] = 0x80000000u; a[1] = 0xFFFFFFFFu;
  CHECK_EQ(call(&fx, "div_s", a, r), WF_TRAP_INT_OVERFLOW);
  CHECK_EQ(call(&fx, "rem_s", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 0);
  a[0] = f32b(NAN);
  CHECK_EQ(call(&fx, "trunc", a, r), WF_TRAP_BAD_CONVERSION);
  a[0] = f32b(2147483648.0f);
  CHECK_EQ(call(&fx, "trunc", a, r), WF_TRAP_INT_OVERFLOW);
  a[0] = f32b(-2147483648.0f);
  CHECK_EQ(call(&fx, "trunc", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 0x80000000u);
  fx_close(&fx);
}

WF_TEST(interp_unreachable_backtrace) {
  OPEN(fx);
  CHECK_EQ(call(&fx, "unreach", NULL, NULL), WF_TRAP_UNREACHABLE);
  const wf_trap_t *t = wf_exec_last_trap(wf_store_exec(fx.s));
  CHECK(strcmp(t->msg, "unreachable") == 0);
  CHECK_EQ(t->nframes, 2);
  CHECK(t->frames[0].module == fx.m);
  CHECK_EQ(t->frames[0].func_idx, 12);   /* $inner_unreach, innermost first */
  CHECK_EQ(t->frames[1].func_idx, 11);
  fx_close(&fx);
}

WF_TEST(interp_stack_exhaustion_is_a_trap) {
  OPEN(fx);
  uint64_t a[1] = {0}, r[1];
  CHECK_EQ(call(&fx, "inf", a, r), WF_TRAP_STACK_EXHAUSTED);
  /* the exec is usable afterwards */
  a[0] = 10;
  CHECK_EQ(call(&fx, "sum", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 55);
  fx_close(&fx);
}

WF_TEST(interp_memory) {
  OPEN(fx);
  uint64_t a[3], r[1];
  a[0] = 100; a[1] = 0xABCDEF01u;
  CHECK_EQ(call(&fx, "store_load", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 0xABCDEF01u);
  a[0] = 65532;   /* +4 offset: the access ends past the page */
  CHECK_EQ(call(&fx, "load", a, r), WF_TRAP_MEM_OOB);
  CHECK(strcmp(wf_exec_last_trap(wf_store_exec(fx.s))->msg, "out of bounds memory access") == 0);
  a[0] = 0xFFFFFFFFu;   /* address + offset past 4 GiB: in the guard region */
  CHECK_EQ(call(&fx, "load", a, r), WF_TRAP_MEM_OOB);
  a[0] = 65528;
  CHECK_EQ(call(&fx, "load", a, r), WF_TRAP_NONE);
  a[0] = 65000; a[1] = 7; a[2] = 1000;   /* fill out of bounds: nothing written */
  CHECK_EQ(call(&fx, "fill", a, r), WF_TRAP_MEM_OOB);
  a[0] = 64996;
  CHECK_EQ(call(&fx, "load", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 0);
  a[0] = 1;
  CHECK_EQ(call(&fx, "grow", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 1);
  a[0] = 65532;
  CHECK_EQ(call(&fx, "load", a, r), WF_TRAP_NONE);
  fx_close(&fx);
}

WF_TEST(interp_float_semantics) {
  OPEN(fx);
  uint64_t a[2], r[1];
  a[0] = f32b(-0.0f); a[1] = f32b(0.0f);
  CHECK_EQ(call(&fx, "fmin", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 0x80000000u);
  a[0] = 0x7FA00000u; a[1] = f32b(1.0f);   /* signalling NaN in: arithmetic NaN out */
  CHECK_EQ(call(&fx, "fmin", a, r), WF_TRAP_NONE);
  CHECK(((uint32_t)r[0] & 0x7FC00000u) == 0x7FC00000u);
  a[0] = f64b(-0.0); a[1] = f64b(0.0);
  CHECK_EQ(call(&fx, "fmax", a, r), WF_TRAP_NONE); CHECK_EQ(r[0], 0);
  a[0] = f64b(2.5);
  CHECK_EQ(call(&fx, "nearest", a, r), WF_TRAP_NONE); CHECK(r[0] == f64b(2.0));
  a[0] = f64b(-0.5);
  CHECK_EQ(call(&fx, "nearest", a, r), WF_TRAP_NONE); CHECK(r[0] == f64b(-0.0));
  a[0] = 0x7FA00001u;   /* neg touches only the sign bit, even of a NaN */
  CHECK_EQ(call(&fx, "fneg", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 0xFFA00001u);
  a[0] = 0x7FF4000000000001ull; a[1] = f64b(-1.0);
  CHECK_EQ(call(&fx, "fcopysign", a, r), WF_TRAP_NONE); CHECK(r[0] == 0xFFF4000000000001ull);
  a[0] = f64b(NAN); a[1] = f64b(1.0);   /* fused compare+if must not invert through NaN */
  CHECK_EQ(call(&fx, "lt_branch", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 0);
  a[0] = f64b(0.5);
  CHECK_EQ(call(&fx, "lt_branch", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 1);
  fx_close(&fx);
}

WF_TEST(interp_call_indirect) {
  OPEN(fx);
  uint64_t a[2], r[1];
  a[0] = 0; a[1] = 9;
  CHECK_EQ(call(&fx, "ci", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 81);
  a[0] = 1;   /* $neg has another type */
  CHECK_EQ(call(&fx, "ci", a, r), WF_TRAP_INDIRECT_TYPE);
  a[0] = 2;
  CHECK_EQ(call(&fx, "ci", a, r), WF_TRAP_UNINITIALIZED_ELEMENT);
  a[0] = 4;
  CHECK_EQ(call(&fx, "ci", a, r), WF_TRAP_UNDEFINED_ELEMENT);
  CHECK(strcmp(wf_exec_last_trap(wf_store_exec(fx.s))->msg, "undefined element") == 0);
  fx_close(&fx);
}

WF_TEST(interp_host_calls_and_reentry) {
  OPEN(fx);
  uint64_t a[2], r[1];
  a[0] = 0xFFFFFFFFu; a[1] = 3;
  CHECK_EQ(call(&fx, "host", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 2);
  a[0] = 50;   /* wasm -> host -> wasm ... 50 levels deep */
  CHECK_EQ(call(&fx, "reenter", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 50);
  a[0] = 100000;   /* unbounded re-entry is cut off, not a crash */
  CHECK_EQ(call(&fx, "reenter", a, r), WF_TRAP_STACK_EXHAUSTED);
  a[0] = 0xDEAD;
  CHECK_EQ(call(&fx, "reenter", a, r), WF_TRAP_HOST);
  CHECK(strcmp(wf_exec_last_trap(wf_store_exec(fx.s))->msg, "host says no") == 0);
  a[0] = 3;   /* still consistent afterwards */
  CHECK_EQ(call(&fx, "reenter", a, r), WF_TRAP_NONE); CHECK_EQ((uint32_t)r[0], 3);
  fx_close(&fx);
}

/* ---- a generated module: one function with 600 distinct constants ---- */

static size_t put_leb_u(uint8_t *p, uint64_t v) {
  size_t n = 0;
  do { uint8_t b = v & 0x7F; v >>= 7; if (v) b |= 0x80; p[n++] = b; } while (v);
  return n;
}
static size_t put_leb_s(uint8_t *p, int64_t v) {
  size_t n = 0;
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) { p[n++] = b; return n; }
    p[n++] = b | 0x80;
  }
}

WF_TEST(interp_many_constants) {
  enum { NK = 600 };
  uint8_t *body = malloc(NK * 16 + 16), *mod = malloc(NK * 16 + 128);
  CHECK(body && mod);
  size_t b = 0;
  body[b++] = 1; body[b++] = 1; body[b++] = WF_T_I64;   /* one i64 local */
  for (int i = 0; i < NK; i++) {
    body[b++] = 0x20; body[b++] = 0;                    /* local.get 0 */
    body[b++] = 0x42; b += put_leb_s(body + b, (int64_t)i * 1000003);
    body[b++] = 0x7C;                                   /* i64.add */
    body[b++] = 0x21; body[b++] = 0;                    /* local.set 0 */
  }
  body[b++] = 0x20; body[b++] = 0; body[b++] = 0x0B;
  size_t n = 0;
  static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0,
                                 1, 5, 1, 0x60, 0, 1, WF_T_I64,    /* type () -> i64 */
                                 3, 2, 1, 0,                       /* func */
                                 7, 5, 1, 1, 'f', 0, 0};           /* export "f" */
  memcpy(mod, head, sizeof head);
  n = sizeof head;
  uint8_t tmp[16];
  size_t bl = put_leb_u(tmp, b);
  mod[n++] = 10;
  n += put_leb_u(mod + n, 1 + bl + b);
  mod[n++] = 1;
  memcpy(mod + n, tmp, bl); n += bl;
  memcpy(mod + n, body, b); n += b;
  wf_error_t err = {0};
  wf_module_t *m = wf_module_decode(mod, n, &err);
  free(body);
  free(mod);
  if (!m) fprintf(stderr, "  decode: %s\n", err.msg);
  CHECK(m);
  wf_store_t *s = wf_store_new();
  int trapped = 0;
  wf_instance_t *inst = wf_instantiate(s, m, NULL, &err, &trapped);
  wf_extern_t e;
  int ok = inst && wf_instance_export(inst, "f", 1, &e);
  uint64_t r = 0;
  wf_trapcode_t tc = ok ? wf_invoke(s, e.u.func, NULL, &r) : WF_TRAP_COUNT;
  wf_store_free(s);
  wf_module_free(m);
  CHECK(ok);
  CHECK_EQ(tc, WF_TRAP_NONE);
  CHECK_EQ(r, 179700539100ll);
}

/* ---- module m3: the translator's fusions (source at the end) ---- */

static const unsigned char m3_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x15, 0x04, 0x60,
  0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00,
  0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7c, 0x03, 0x08, 0x07, 0x00, 0x01,
  0x01, 0x02, 0x01, 0x03, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x4c,
  0x07, 0x0c, 0x70, 0x61, 0x69, 0x72, 0x5f, 0x70, 0x65, 0x6e, 0x64, 0x69,
  0x6e, 0x67, 0x00, 0x00, 0x06, 0x6c, 0x6f, 0x6f, 0x70, 0x5f, 0x6b, 0x00,
  0x01, 0x06, 0x6c, 0x6f, 0x6f, 0x70, 0x5f, 0x72, 0x00, 0x02, 0x09, 0x6c,
  0x6f, 0x6f, 0x70, 0x5f, 0x73, 0x65, 0x6c, 0x66, 0x00, 0x03, 0x09, 0x63,
  0x6f, 0x75, 0x6e, 0x74, 0x64, 0x6f, 0x77, 0x6e, 0x00, 0x04, 0x07, 0x66,
  0x36, 0x34, 0x5f, 0x72, 0x6d, 0x77, 0x00, 0x05, 0x05, 0x63, 0x68, 0x61,
  0x69, 0x6e, 0x00, 0x06, 0x0a, 0x9f, 0x03, 0x07, 0x0f, 0x00, 0x20, 0x00,
  0x20, 0x01, 0x41, 0x1f, 0x6a, 0x41, 0x70, 0x71, 0x22, 0x01, 0x49, 0x0b,
  0x1d, 0x01, 0x02, 0x7f, 0x03, 0x40, 0x20, 0x02, 0x20, 0x01, 0x6a, 0x21,
  0x02, 0x20, 0x01, 0x41, 0x03, 0x6a, 0x22, 0x01, 0x41, 0xac, 0x02, 0x49,
  0x0d, 0x00, 0x0b, 0x20, 0x02, 0x0b, 0x1f, 0x01, 0x02, 0x7f, 0x03, 0x40,
  0x20, 0x02, 0x41, 0x1f, 0x6c, 0x20, 0x01, 0x73, 0x21, 0x02, 0x20, 0x01,
  0x41, 0x01, 0x6a, 0x22, 0x01, 0x20, 0x00, 0x47, 0x0d, 0x00, 0x0b, 0x20,
  0x02, 0x0b, 0x15, 0x01, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01,
  0x6a, 0x22, 0x00, 0x20, 0x00, 0x48, 0x0d, 0x00, 0x0b, 0x20, 0x00, 0x0b,
  0x19, 0x01, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x01, 0x41, 0x02, 0x6a, 0x21,
  0x01, 0x20, 0x00, 0x41, 0x7f, 0x6a, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x20,
  0x01, 0x0b, 0xbd, 0x01, 0x02, 0x01, 0x7f, 0x01, 0x7c, 0x03, 0x40, 0x20,
  0x01, 0x41, 0x03, 0x74, 0x20, 0x01, 0xb8, 0x39, 0x03, 0x08, 0x20, 0x01,
  0x41, 0x01, 0x6a, 0x22, 0x01, 0x41, 0xc0, 0x00, 0x47, 0x0d, 0x00, 0x0b,
  0x41, 0x00, 0x21, 0x01, 0x03, 0x40, 0x20, 0x01, 0x41, 0x03, 0x74, 0x22,
  0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x3f, 0x20, 0x00,
  0x41, 0x08, 0x6a, 0x2b, 0x03, 0x08, 0xa2, 0x20, 0x00, 0x2b, 0x03, 0x08,
  0xa0, 0x39, 0x03, 0x08, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x22, 0x01, 0x41,
  0x3f, 0x47, 0x0d, 0x00, 0x0b, 0x41, 0x00, 0x21, 0x01, 0x03, 0x40, 0x20,
  0x01, 0x41, 0x03, 0x74, 0x20, 0x01, 0x41, 0x03, 0x74, 0x29, 0x03, 0x08,
  0x37, 0x03, 0x80, 0x10, 0x20, 0x01, 0x41, 0x02, 0x74, 0x20, 0x01, 0x20,
  0x01, 0x41, 0x02, 0x74, 0x28, 0x02, 0x80, 0x20, 0x6a, 0x36, 0x02, 0x80,
  0x20, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x22, 0x01, 0x41, 0xc0, 0x00, 0x47,
  0x0d, 0x00, 0x0b, 0x41, 0x00, 0x21, 0x01, 0x03, 0x40, 0x20, 0x02, 0x20,
  0x01, 0x41, 0x03, 0x74, 0x2b, 0x03, 0x80, 0x10, 0xa0, 0x21, 0x02, 0x20,
  0x01, 0x41, 0x01, 0x6a, 0x22, 0x01, 0x41, 0xc0, 0x00, 0x47, 0x0d, 0x00,
  0x0b, 0x20, 0x02, 0x41, 0xfc, 0x01, 0x28, 0x02, 0x80, 0x20, 0xb8, 0xa0,
  0x0b, 0x60, 0x03, 0x01, 0x7f, 0x01, 0x7e, 0x01, 0x7c, 0x41, 0xc5, 0xbb,
  0xf2, 0x88, 0x78, 0x21, 0x01, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x73,
  0x41, 0x05, 0x77, 0x20, 0x01, 0x41, 0xff, 0x01, 0x71, 0x6a, 0x21, 0x01,
  0x20, 0x02, 0x42, 0xad, 0xfe, 0xd5, 0xe4, 0xd4, 0x85, 0xfd, 0xa8, 0xd8,
  0x00, 0x7e, 0x20, 0x01, 0xad, 0x7c, 0x21, 0x02, 0x20, 0x03, 0x44, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x3f, 0xa2, 0x20, 0x00, 0xb7, 0xa1,
  0x21, 0x03, 0x20, 0x00, 0x41, 0x7f, 0x6a, 0x22, 0x00, 0x0d, 0x00, 0x0b,
  0x20, 0x01, 0x20, 0x02, 0x42, 0x11, 0x88, 0xa7, 0x73, 0x20, 0x03, 0xaa,
  0x73, 0x0b
};


WF_TEST(interp_fusions) {
  wf_error_t err = {0};
  wf_module_t *m = wf_module_decode(m3_wasm, sizeof m3_wasm, &err);
  CHECK(m);
  wf_store_t *s = wf_store_new();
  int trapped = 0;
  wf_instance_t *inst = wf_instantiate(s, m, NULL, &err, &trapped);
  static const struct { const char *name; uint64_t a0, a1; uint64_t want; } cases[] = {
    {"pair_pending", 100, 50, 0},     /* (50 + 31) & -16 = 80 */
    {"pair_pending", 10, 50, 1},
    {"loop_k", 0, 0, 14850},
    {"loop_r", 50, 0, 300513441},
    {"loop_self", 0, 0, 1},
    {"countdown", 10, 0, 20},
    {"chain", 1000, 0, (uint32_t)-94784442},
  };
  int bad = !inst;
  for (size_t i = 0; !bad && i < sizeof cases / sizeof cases[0]; i++) {
    wf_extern_t e;
    uint64_t a[2] = {cases[i].a0, cases[i].a1}, r = 0;
    if (!wf_instance_export(inst, cases[i].name, strlen(cases[i].name), &e) ||
        wf_invoke(s, e.u.func, a, &r) != WF_TRAP_NONE || (uint32_t)r != cases[i].want) {
      fprintf(stderr, "  %s: got %llu\n", cases[i].name, (unsigned long long)r);
      bad = 1;
    }
  }
  uint64_t r = 0, a = 0;
  wf_extern_t e;
  if (!bad && (!wf_instance_export(inst, "f64_rmw", 7, &e) || wf_invoke(s, e.u.func, &a, &r) != 0 ||
               r != f64b(3087.0)))
    bad = 1;
  wf_store_free(s);
  wf_module_free(m);
  CHECK(!bad);
}

/* Source of m1 (wat2wasm m1.wat):
 * (module
 *   (import "env" "host_add" (func $host_add (param i32 i32) (result i32)))
 *   (import "env" "host_reenter" (func $host_reenter (param i32) (result i32)))
 *   (type $ii (func (param i32) (result i32)))
 *   (memory 1)
 *   (table 4 funcref)
 *   (elem (i32.const 0) $sq $neg)
 *   (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
 *   (func $neg (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0)))
 *   (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
 *   (func (export "sum") (param i32) (result i32) (local i32)
 *     (block (loop
 *       (br_if 1 (i32.eqz (local.get 0)))
 *       (local.set 1 (i32.add (local.get 1) (local.get 0)))
 *       (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
 *       (br 0)))
 *     (local.get 1))
 *   (func $fac (export "fac") (param i64) (result i64)
 *     (if (result i64) (i64.le_u (local.get 0) (i64.const 1))
 *       (then (i64.const 1))
 *       (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
 *   (func $inf (export "inf") (param i32) (result i32) (call $inf (i32.add (local.get 0) (i32.const 1))))
 *   (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
 *   (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
 *   (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
 *   (func (export "unreach") (call $inner_unreach))
 *   (func $inner_unreach unreachable)
 *   (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
 *   (func (export "store_load") (param i32 i32) (result i32)
 *     (i32.store (i32.add (local.get 0) (i32.const 8)) (local.get 1))
 *     (i32.load (i32.add (local.get 0) (i32.const 8))))
 *   (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *   (func (export "fmin") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
 *   (func (export "fmax") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
 *   (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
 *   (func (export "fneg") (param f32) (result f32) (f32.neg (local.get 0)))
 *   (func (export "fcopysign") (param f64 f64) (result f64) (f64.copysign (local.get 0) (local.get 1)))
 *   (func (export "lt_branch") (param f64 f64) (result i32)
 *     (if (result i32) (f64.lt (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
 *   (func (export "ci") (param i32 i32) (result i32) (call_indirect (type $ii) (local.get 1) (local.get 0)))
 *   (func (export "host") (param i32 i32) (result i32) (call $host_add (local.get 0) (local.get 1)))
 *   (func (export "reenter") (param i32) (result i32) (call $host_reenter (local.get 0)))
 *   (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
 *   (func (export "multi") (param i32) (result i32)
 *     (block (result i32 i32) (local.get 0) (i32.const 10))
 *     (i32.sub))
 *   (func (export "tee_pending") (param i32) (result i32)
 *     ;; a pending local.get must keep the old value across local.tee
 *     (i32.sub (local.get 0) (local.tee 0 (i32.const 5))))
 *   (func (export "brtable") (param i32) (result i32)
 *     (block (result i32) (block (result i32) (block (result i32)
 *       (br_table 0 1 2 (i32.const 100) (local.get 0)))
 *       (i32.add (i32.const 1))) (i32.add (i32.const 2))))
 *   (func (export "select") (param i32 i64 i64) (result i64) (select (local.get 1) (local.get 2) (local.get 0)))
 * )
 */

/* Source of m3 (wat2wasm m3.wat):
 * (module
 *   (memory 1)
 *   ;; pair fusion with a pending value below: tree.c's allocator pattern
 *   (func (export "pair_pending") (param i32 i32) (result i32)
 *     (i32.lt_u (local.get 0) (local.tee 1 (i32.and (i32.add (local.get 1) (i32.const 31)) (i32.const -16)))))
 *   ;; induction loops: add+compare+branch fused (K bound, register bound)
 *   (func (export "loop_k") (param i32) (result i32) (local i32 i32)
 *     (loop
 *       (local.set 2 (i32.add (local.get 2) (local.get 1)))
 *       (br_if 0 (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 3))) (i32.const 300))))
 *     (local.get 2))
 *   (func (export "loop_r") (param i32) (result i32) (local i32 i32)
 *     (loop
 *       (local.set 2 (i32.xor (i32.mul (local.get 2) (i32.const 31)) (local.get 1)))
 *       (br_if 0 (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
 *     (local.get 2))
 *   ;; the bound is the induction variable itself: compares the new value
 *   (func (export "loop_self") (result i32) (local i32)
 *     (loop (br_if 0 (i32.lt_s (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (local.get 0))))
 *     (local.get 0))
 *   ;; countdown: add + br_if on the tee'd local
 *   (func (export "countdown") (param i32) (result i32) (local i32)
 *     (loop
 *       (local.set 1 (i32.add (local.get 1) (i32.const 2)))
 *       (br_if 0 (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
 *     (local.get 1))
 *   ;; memory: fill an f64 array, accumulate into it (load-op-store), copy it
 *   (func (export "f64_rmw") (param i32) (result f64) (local i32 f64)
 *     (loop
 *       (f64.store offset=8 (i32.shl (local.get 1) (i32.const 3)) (f64.convert_i32_u (local.get 1)))
 *       (br_if 0 (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 64))))
 *     (local.set 1 (i32.const 0))
 *     (loop
 *       (f64.store offset=8 (local.tee 0 (i32.shl (local.get 1) (i32.const 3)))
 *         (f64.add (f64.mul (f64.const 0.5) (f64.load offset=8 (i32.add (local.get 0) (i32.const 8))))
 *                  (f64.load offset=8 (local.get 0))))
 *       (br_if 0 (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 63))))
 *     (local.set 1 (i32.const 0))
 *     (loop
 *       (i64.store offset=2048 (i32.shl (local.get 1) (i32.const 3)) (i64.load offset=8 (i32.shl (local.get 1) (i32.const 3))))
 *       (i32.store offset=4096 (i32.shl (local.get 1) (i32.const 2)) (i32.add (local.get 1) (i32.load offset=4096 (i32.shl (local.get 1) (i32.const 2)))))
 *       (br_if 0 (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 64))))
 *     (local.set 1 (i32.const 0))
 *     (loop
 *       (local.set 2 (f64.add (local.get 2) (f64.load offset=2048 (i32.shl (local.get 1) (i32.const 3)))))
 *       (br_if 0 (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 64))))
 *     (f64.add (local.get 2) (f64.convert_i32_u (i32.load offset=4096 (i32.const 252)))))
 *   ;; dependency chains (operand forwarding) in i32, i64, f64
 *   (func (export "chain") (param i32) (result i32) (local i32 i64 f64)
 *     (local.set 1 (i32.const 0x811C9DC5))
 *     (loop
 *       (local.set 1 (i32.add (i32.rotl (i32.xor (local.get 1) (local.get 0)) (i32.const 5))
 *                             (i32.and (local.get 1) (i32.const 0xFF))))
 *       (local.set 2 (i64.add (i64.mul (local.get 2) (i64.const 6364136223846793005)) (i64.extend_i32_u (local.get 1))))
 *       (local.set 3 (f64.sub (f64.mul (local.get 3) (f64.const 0.5)) (f64.convert_i32_s (local.get 0))))
 *       (br_if 0 (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
 *     (i32.xor (i32.xor (local.get 1) (i32.wrap_i64 (i64.shr_u (local.get 2) (i64.const 17))))
 *              (i32.trunc_f64_s (local.get 3))))
 * )
 */

/* ---- fused memory accesses at the end of memory ----
 * Every form of load and store (plain, address folded, fused with its
 * arithmetic, load+store copy, read-modify-write) must trap one byte past
 * the end and leave memory untouched, in the guard-page build and in the
 * explicit-bounds build (-DWF_BOUNDS_CHECK, make valgrind) alike.
 * (module
 *   (memory 1)
 *   (func (export "copy") (param i32 i32)
 *     local.get 1 local.get 0 i32.load i32.store)
 *   (func (export "rmw") (param i32 i32)
 *     local.get 0 local.get 1 local.get 0 i32.load i32.add i32.store)
 *   (func (export "ldadd") (param i32 i32) (result i32)
 *     local.get 1 local.get 0 i32.load i32.add)
 *   (func (export "opstore") (param i32 i32)
 *     local.get 0 local.get 1 local.get 1 i32.add i32.store)
 *   (func (export "ldk") (param i32) (result i32)
 *     local.get 0 i32.const 4 i32.add i32.load)
 *   (func (export "ld64") (param i32) (result i64)
 *     local.get 0 i64.load)) */
static const unsigned char edge_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x16, 0x04, 0x60,
  0x02, 0x7f, 0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01,
  0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x03, 0x07, 0x06, 0x00,
  0x00, 0x01, 0x00, 0x02, 0x03, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x2d,
  0x06, 0x04, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x00, 0x03, 0x72, 0x6d, 0x77,
  0x00, 0x01, 0x05, 0x6c, 0x64, 0x61, 0x64, 0x64, 0x00, 0x02, 0x07, 0x6f,
  0x70, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x03, 0x03, 0x6c, 0x64, 0x6b,
  0x00, 0x04, 0x04, 0x6c, 0x64, 0x36, 0x34, 0x00, 0x05, 0x0a, 0x49, 0x06,
  0x0c, 0x00, 0x20, 0x01, 0x20, 0x00, 0x28, 0x02, 0x00, 0x36, 0x02, 0x00,
  0x0b, 0x0f, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x00, 0x28, 0x02, 0x00,
  0x6a, 0x36, 0x02, 0x00, 0x0b, 0x0a, 0x00, 0x20, 0x01, 0x20, 0x00, 0x28,
  0x02, 0x00, 0x6a, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x01,
  0x6a, 0x36, 0x02, 0x00, 0x0b, 0x0a, 0x00, 0x20, 0x00, 0x41, 0x04, 0x6a,
  0x28, 0x02, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x29, 0x03, 0x00, 0x0b,
};

static wf_trapcode_t edge_call(wf_store_t *s, wf_instance_t *inst, const char *name,
                               uint64_t a0, uint64_t a1, uint64_t *r) {
  wf_extern_t e;
  if (!wf_instance_export(inst, name, strlen(name), &e) || e.kind != WF_EXTERN_FUNC)
    return WF_TRAP_COUNT;
  uint64_t args[2] = {a0, a1};
  *r = 0;
  return wf_invoke(s, e.u.func, args, r);
}

WF_TEST(interp_memory_edge_fused_forms) {
  wf_error_t err = {0};
  wf_module_t *m = wf_module_decode(edge_wasm, sizeof edge_wasm, &err);
  CHECK(m);
  wf_store_t *s = wf_store_new();
  int trapped = 0;
  wf_instance_t *inst = s ? wf_instantiate(s, m, NULL, &err, &trapped) : NULL;
  if (!inst) { if (s) wf_store_free(s); wf_module_free(m); CHECK(!"instantiate"); }
  uint64_t r;
  int ok = 1;
#define EDGE(name, a0, a1, want) ok = ok && edge_call(s, inst, name, a0, a1, &r) == (want)
  EDGE("opstore", 65532, 3, WF_TRAP_NONE);                   /* mem[65532] = 6 */
  EDGE("ldadd", 65532, 1, WF_TRAP_NONE); ok = ok && r == 7;
  EDGE("ldadd", 65533, 1, WF_TRAP_MEM_OOB);
  EDGE("opstore", 65533, 1, WF_TRAP_MEM_OOB);
  EDGE("rmw", 65532, 10, WF_TRAP_NONE);                      /* 16 */
  EDGE("rmw", 65533, 10, WF_TRAP_MEM_OOB);
  EDGE("copy", 65532, 0, WF_TRAP_NONE);                      /* mem[0] = 16 */
  EDGE("copy", 65533, 4, WF_TRAP_MEM_OOB);
  EDGE("copy", 0, 65533, WF_TRAP_MEM_OOB);                   /* the store side */
  EDGE("ldadd", 65532, 0, WF_TRAP_NONE); ok = ok && r == 16; /* untouched */
  EDGE("ldadd", 4, 0, WF_TRAP_NONE); ok = ok && r == 0;      /* the failed copy wrote nothing */
  EDGE("ldk", 65528, 0, WF_TRAP_NONE); ok = ok && r == 16;
  EDGE("ldk", 65529, 0, WF_TRAP_MEM_OOB);
  EDGE("ldk", 0xFFFFFFFCu, 0, WF_TRAP_NONE); ok = ok && r == 16;   /* the i32.add wraps to 0 */
  EDGE("ld64", 65528, 0, WF_TRAP_NONE);
  EDGE("ld64", 65529, 0, WF_TRAP_MEM_OOB);
  EDGE("ld64", 0xFFFFFFFFu, 0, WF_TRAP_MEM_OOB);
#undef EDGE
  wf_store_free(s);
  wf_module_free(m);
  CHECK(ok);
}

/* ---- code shared between instances of one module (translate.c templates) ---- */

/* share_wasm, from this text (jco parse; wat2wasm 1.0.32 lacks try_table):
 * (module
 *   (type $t (func (param i32) (result i32)))
 *   (import "env" "f" (func $f (type $t)))
 *   (import "env" "g" (global $g (mut i32)))
 *   (tag $e (param i32))
 *   (global $own (mut i32) (i32.const 0))
 *   (memory 1)
 *   (table 2 funcref)
 *   (elem (i32.const 0) $double $f)
 *   (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
 *   (func $thrower (param i32) (throw $e (local.get 0)))
 *   (func (export "run") (param i32) (result i32)
 *     (global.set $own (i32.add (global.get $own) (local.get 0)))
 *     (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get 0)))
 *     (i32.add
 *       (i32.add (call $f (local.get 0)) (global.get $g))
 *       (i32.add (i32.mul (global.get $own) (i32.const 1000))
 *                (i32.add (call_indirect (type $t) (local.get 0) (i32.const 1))
 *                         (call $double (i32.load (i32.const 0)))))))
 *   (func (export "catch") (param i32) (result i32)
 *     (block $h (result i32)
 *       (try_table (catch $e $h) (call $thrower (local.get 0)))
 *       (i32.const -1)))
 *   (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 1)))))
 */
static const unsigned char share_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x03, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00, 0x02,
  0x12, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, 0x03, 0x65,
  0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f, 0x01, 0x03, 0x06, 0x05, 0x00, 0x01,
  0x00, 0x00, 0x02, 0x04, 0x04, 0x01, 0x70, 0x00, 0x02, 0x05, 0x03, 0x01,
  0x00, 0x01, 0x0d, 0x03, 0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01,
  0x41, 0x00, 0x0b, 0x07, 0x16, 0x03, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x03,
  0x05, 0x63, 0x61, 0x74, 0x63, 0x68, 0x00, 0x04, 0x04, 0x62, 0x75, 0x6d,
  0x70, 0x00, 0x05, 0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x01,
  0x00, 0x0a, 0x62, 0x05, 0x07, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6c, 0x0b,
  0x06, 0x00, 0x20, 0x00, 0x08, 0x00, 0x0b, 0x34, 0x00, 0x23, 0x01, 0x20,
  0x00, 0x6a, 0x24, 0x01, 0x41, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x20,
  0x00, 0x6a, 0x36, 0x02, 0x00, 0x20, 0x00, 0x10, 0x00, 0x23, 0x00, 0x6a,
  0x23, 0x01, 0x41, 0xe8, 0x07, 0x6c, 0x20, 0x00, 0x41, 0x01, 0x11, 0x00,
  0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x10, 0x01, 0x6a, 0x6a, 0x6a, 0x0b,
  0x12, 0x00, 0x02, 0x7f, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00,
  0x10, 0x02, 0x0b, 0x41, 0x7f, 0x0b, 0x0b, 0x09, 0x00, 0x23, 0x00, 0x41,
  0x01, 0x6a, 0x24, 0x00, 0x0b, 0x00, 0x3b, 0x04, 0x6e, 0x61, 0x6d, 0x65,
  0x01, 0x15, 0x03, 0x00, 0x01, 0x66, 0x01, 0x06, 0x64, 0x6f, 0x75, 0x62,
  0x6c, 0x65, 0x02, 0x07, 0x74, 0x68, 0x72, 0x6f, 0x77, 0x65, 0x72, 0x03,
  0x06, 0x01, 0x04, 0x01, 0x00, 0x01, 0x68, 0x04, 0x04, 0x01, 0x00, 0x01,
  0x74, 0x07, 0x09, 0x02, 0x00, 0x01, 0x67, 0x01, 0x03, 0x6f, 0x77, 0x6e,
  0x0b, 0x04, 0x01, 0x00, 0x01, 0x65,
};

static wf_trapcode_t host_plus_k(void *env, wf_exec_t *ex, const uint64_t *args, uint64_t *res) {
  (void)ex;
  res[0] = (uint32_t)((uint32_t)args[0] + *(const uint32_t *)env);
  return WF_TRAP_NONE;
}

typedef struct {
  wf_store_t *s;
  wf_instance_t *inst;
  uint32_t k;          /* what the imported function adds */
  uint32_t g;          /* the imported global's value */
} share_t;

static int share_open(share_t *x, const wf_module_t *m, uint32_t k, uint32_t g) {
  x->k = k;
  x->g = g;
  x->inst = NULL;
  x->s = wf_store_new();
  if (!x->s) return 0;
  static const uint8_t i32[1] = {WF_T_I32};
  wf_globaltype_t gt = {WF_T_I32, true};
  wf_extern_t imps[2];
  imps[0].kind = WF_EXTERN_FUNC;
  imps[0].u.func = wf_host_func_new(x->s, i32, 1, i32, 1, host_plus_k, &x->k, NULL);
  imps[1].kind = WF_EXTERN_GLOBAL;
  imps[1].u.global = wf_global_new(x->s, &gt, g);
  if (!imps[0].u.func || !imps[1].u.global) return 0;
  wf_error_t err = {0};
  int trapped = 0;
  x->inst = wf_instantiate(x->s, m, imps, &err, &trapped);
  return x->inst != NULL;
}

static uint32_t share_call(share_t *x, const char *name, uint32_t arg, int *ok) {
  wf_extern_t e;
  uint64_t a = arg, r = 0;
  if (!wf_instance_export(x->inst, name, strlen(name), &e) || e.kind != WF_EXTERN_FUNC ||
      wf_invoke(x->s, e.u.func, &a, &r) != WF_TRAP_NONE)
    *ok = 0;
  return (uint32_t)r;
}

/* What "run" returns on the n-th call (1-based) with argument p each time. */
static uint32_t share_expect(uint32_t k, uint32_t g, uint32_t p, uint32_t n) {
  uint32_t own = p * n, mem = p * n;
  return (p + k) + g + own * 1000 + (p + k) + 2 * mem;
}

WF_TEST(interp_shared_code_independent_instances) {
  wf_error_t err = {0};
  wf_module_t *m = wf_module_decode(share_wasm, sizeof share_wasm, &err);
  CHECK(m);
  share_t a = {0}, b = {0};
  int ok = share_open(&a, m, 100, 5) && share_open(&b, m, 7000, 9);
  uint32_t nd = m->nfuncs - m->nfunc_imports;
  /* nothing translated yet: no templates */
  for (uint32_t i = 0; ok && i < nd; i++)
    ok = atomic_load(&m->code_tmpls[i]) == NULL;
  /* a translates (and publishes), b is made from the templates */
  uint32_t ra1 = ok ? share_call(&a, "run", 3, &ok) : 0;
  uint32_t rc_a = ok ? share_call(&a, "catch", 42, &ok) : 0;
  int published = 1;
  for (uint32_t i = 0; ok && i < nd; i++)
    if (i != 4 && !atomic_load(&m->code_tmpls[i])) published = 0;   /* 4: bump, not run */
  uint32_t rb1 = ok ? share_call(&b, "run", 3, &ok) : 0;
  uint32_t rc_b = ok ? share_call(&b, "catch", 77, &ok) : 0;
  uint32_t ra2 = ok ? share_call(&a, "run", 3, &ok) : 0;
  if (ok) share_call(&b, "bump", 0, &ok);    /* b's global only */
  uint32_t rb2 = ok ? share_call(&b, "run", 3, &ok) : 0;
  uint32_t ra3 = ok ? share_call(&a, "run", 3, &ok) : 0;
  /* b's code was made from a's template but points at b's objects */
  int distinct = ok && a.inst->code[2] && b.inst->code[2] && a.inst->code[2] != b.inst->code[2];
  if (a.s) wf_store_free(a.s);
  if (b.s) wf_store_free(b.s);
  wf_module_free(m);
  CHECK(ok);
  CHECK(published);
  CHECK(distinct);
  CHECK_EQ(ra1, share_expect(100, 5, 3, 1));
  CHECK_EQ(rb1, share_expect(7000, 9, 3, 1));
  CHECK_EQ(ra2, share_expect(100, 5, 3, 2));
  CHECK_EQ(rb2, share_expect(7000, 10, 3, 2));
  CHECK_EQ(ra3, share_expect(100, 5, 3, 3));
  CHECK_EQ(rc_a, 42);
  CHECK_EQ(rc_b, 77);
}

typedef struct {
  const wf_module_t *m;
  uint32_t k, g;
  int ok;
} share_job_t;

static void *share_thread(void *arg) {
  share_job_t *j = arg;
  share_t x = {0};
  j->ok = share_open(&x, j->m, j->k, j->g);
  for (uint32_t n = 1; j->ok && n <= 20; n++)
    if (share_call(&x, "run", 1, &j->ok) != share_expect(j->k, j->g, 1, n)) j->ok = 0;
  if (j->ok && share_call(&x, "catch", j->k, &j->ok) != j->k) j->ok = 0;
  if (x.s) wf_store_free(x.s);
  return NULL;
}

/* One module instantiated and first run on several threads at once: the
 * templates are published by whichever thread translates first. */
WF_TEST(interp_shared_code_threads) {
  enum { ROUNDS = 20, THREADS = 4 };
  int ok = 1;
  for (int round = 0; ok && round < ROUNDS; round++) {
    wf_error_t err = {0};
    wf_module_t *m = wf_module_decode(share_wasm, sizeof share_wasm, &err);
    CHECK(m);
    share_job_t jobs[THREADS];
    pthread_t th[THREADS];
    int started[THREADS] = {0};
    for (int i = 0; i < THREADS; i++) {
      jobs[i] = (share_job_t){m, 1000u * (uint32_t)(i + 1), (uint32_t)(7 * i + round), 0};
      started[i] = pthread_create(&th[i], NULL, share_thread, &jobs[i]) == 0;
      if (!started[i]) ok = 0;
    }
    for (int i = 0; i < THREADS; i++) {
      if (started[i]) pthread_join(th[i], NULL);
      if (!jobs[i].ok) ok = 0;
    }
    wf_module_free(m);
  }
  CHECK(ok);
}
