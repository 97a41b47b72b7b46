/* Pre-linking (weft_linker_instantiate_pre, src/component/cinst_pre.c):
 * instances made from a pre behave as instances made by the linker (host
 * functions, host resources, per-instance states, link errors), outlive
 * their pre, do not see later linker changes, and can be made from several
 * threads at once. The fixtures are the ones of test_cinst.c (component text
 * format shown above each, converted with `jco parse`). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/clink.h"
#include "test.h"
#include "weft.h"

/* (component
   (import "test:pkg/iface@1.2.0" (instance $i (export "get" (func (result u32)))))
   (alias export $i "get" (func $get))
   (core func $get' (canon lower (func $get)))
   (core module $m
     (import "" "get" (func $g (result i32)))
     (func (export "run") (result i32) call $g i32.const 1 i32.add))
   (core instance $ci (instantiate $m (with "" (instance (export "get" (func $get'))))))
   (func (export "run") (result u32) (canon lift (core func $ci "run")))
 ) */
static const uint8_t cons_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x10, 0x01, 0x42, 0x02, 0x01, 0x40, 0x00,
  0x00, 0x79, 0x04, 0x00, 0x03, 0x67, 0x65, 0x74, 0x01, 0x00, 0x0a, 0x19, 0x01, 0x00, 0x14, 0x74,
  0x65, 0x73, 0x74, 0x3a, 0x70, 0x6b, 0x67, 0x2f, 0x69, 0x66, 0x61, 0x63, 0x65, 0x40, 0x31, 0x2e,
  0x32, 0x2e, 0x30, 0x05, 0x00, 0x06, 0x08, 0x01, 0x01, 0x00, 0x00, 0x03, 0x67, 0x65, 0x74, 0x08,
  0x05, 0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0x42, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x08, 0x01, 0x00, 0x03, 0x67, 0x65, 0x74, 0x00,
  0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x01, 0x0a, 0x09,
  0x01, 0x07, 0x00, 0x10, 0x00, 0x41, 0x01, 0x6a, 0x0b, 0x00, 0x0f, 0x04, 0x6e, 0x61, 0x6d, 0x65,
  0x00, 0x02, 0x01, 0x6d, 0x01, 0x04, 0x01, 0x00, 0x01, 0x67, 0x02, 0x0f, 0x02, 0x01, 0x01, 0x03,
  0x67, 0x65, 0x74, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x07, 0x05, 0x01, 0x40, 0x00,
  0x00, 0x79, 0x06, 0x09, 0x01, 0x00, 0x00, 0x01, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x08, 0x06, 0x01,
  0x00, 0x00, 0x01, 0x00, 0x01, 0x0b, 0x09, 0x01, 0x00, 0x03, 0x72, 0x75, 0x6e, 0x01, 0x01, 0x00,
  0x00, 0x3b, 0x0e, 0x63, 0x6f, 0x6d, 0x70, 0x6f, 0x6e, 0x65, 0x6e, 0x74, 0x2d, 0x6e, 0x61, 0x6d,
  0x65, 0x01, 0x09, 0x00, 0x00, 0x01, 0x00, 0x04, 0x67, 0x65, 0x74, 0x27, 0x01, 0x06, 0x00, 0x11,
  0x01, 0x00, 0x01, 0x6d, 0x01, 0x07, 0x00, 0x12, 0x01, 0x01, 0x02, 0x63, 0x69, 0x01, 0x07, 0x01,
  0x01, 0x00, 0x03, 0x67, 0x65, 0x74, 0x01, 0x05, 0x05, 0x01, 0x00, 0x01, 0x69,
};

/* (component
   (import "test:pkg/res" (instance $i
     (export $t "thing" (type (sub resource)))
     (export "make" (func (result (own $t))))))
   (alias export $i "thing" (type $thing))
   (import "plain" (type $p (sub resource)))
   (export "thing2" (type $thing))
   (export "plain2" (type $p))
 ) */
static const uint8_t hostres_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x1e, 0x01, 0x42, 0x04, 0x04, 0x00, 0x05,
  0x74, 0x68, 0x69, 0x6e, 0x67, 0x03, 0x01, 0x01, 0x69, 0x00, 0x01, 0x40, 0x00, 0x00, 0x01, 0x04,
  0x00, 0x04, 0x6d, 0x61, 0x6b, 0x65, 0x01, 0x02, 0x0a, 0x11, 0x01, 0x00, 0x0c, 0x74, 0x65, 0x73,
  0x74, 0x3a, 0x70, 0x6b, 0x67, 0x2f, 0x72, 0x65, 0x73, 0x05, 0x00, 0x06, 0x0a, 0x01, 0x03, 0x00,
  0x00, 0x05, 0x74, 0x68, 0x69, 0x6e, 0x67, 0x0a, 0x0a, 0x01, 0x00, 0x05, 0x70, 0x6c, 0x61, 0x69,
  0x6e, 0x03, 0x01, 0x0b, 0x17, 0x02, 0x00, 0x06, 0x74, 0x68, 0x69, 0x6e, 0x67, 0x32, 0x03, 0x01,
  0x00, 0x00, 0x06, 0x70, 0x6c, 0x61, 0x69, 0x6e, 0x32, 0x03, 0x02, 0x00, 0x00, 0x24, 0x0e, 0x63,
  0x6f, 0x6d, 0x70, 0x6f, 0x6e, 0x65, 0x6e, 0x74, 0x2d, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x0c, 0x03,
  0x02, 0x01, 0x05, 0x74, 0x68, 0x69, 0x6e, 0x67, 0x02, 0x01, 0x70, 0x01, 0x05, 0x05, 0x01, 0x00,
  0x01, 0x69,
};

/* (component
   (import "wasi:cli/environment@0.2.0" (instance
     (export "get-environment" (func (result (list (tuple string string)))))
     (export "get-arguments" (func (result (list string))))))
   (import "foo" (func))
   (import "test:pkg/other@0.1.0" (instance (export "x" (func))))
 ) */
static const uint8_t missing_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x3e, 0x01, 0x42, 0x07, 0x01, 0x6f, 0x02,
  0x73, 0x73, 0x01, 0x70, 0x00, 0x01, 0x40, 0x00, 0x00, 0x01, 0x04, 0x00, 0x0f, 0x67, 0x65, 0x74,
  0x2d, 0x65, 0x6e, 0x76, 0x69, 0x72, 0x6f, 0x6e, 0x6d, 0x65, 0x6e, 0x74, 0x01, 0x02, 0x01, 0x70,
  0x73, 0x01, 0x40, 0x00, 0x00, 0x03, 0x04, 0x00, 0x0d, 0x67, 0x65, 0x74, 0x2d, 0x61, 0x72, 0x67,
  0x75, 0x6d, 0x65, 0x6e, 0x74, 0x73, 0x01, 0x04, 0x0a, 0x1f, 0x01, 0x00, 0x1a, 0x77, 0x61, 0x73,
  0x69, 0x3a, 0x63, 0x6c, 0x69, 0x2f, 0x65, 0x6e, 0x76, 0x69, 0x72, 0x6f, 0x6e, 0x6d, 0x65, 0x6e,
  0x74, 0x40, 0x30, 0x2e, 0x32, 0x2e, 0x30, 0x05, 0x00, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
  0x0a, 0x08, 0x01, 0x00, 0x03, 0x66, 0x6f, 0x6f, 0x01, 0x01, 0x07, 0x0e, 0x01, 0x42, 0x02, 0x01,
  0x40, 0x00, 0x01, 0x00, 0x04, 0x00, 0x01, 0x78, 0x01, 0x00, 0x0a, 0x19, 0x01, 0x00, 0x14, 0x74,
  0x65, 0x73, 0x74, 0x3a, 0x70, 0x6b, 0x67, 0x2f, 0x6f, 0x74, 0x68, 0x65, 0x72, 0x40, 0x30, 0x2e,
  0x31, 0x2e, 0x30, 0x05, 0x02,
};

static weft_component_t *load(weft_engine_t *e, const uint8_t *b, size_t n) {
  weft_component_t *c = NULL;
  weft_error_t err;
  if (weft_component_new(e, b, n, &c, &err) != WEFT_OK) {
    fprintf(stderr, "  component: %s\n", err.message);
    return NULL;
  }
  return c;
}
#define PLOAD(e, arr) load(e, arr, sizeof arr)

static long long pcall_u32(weft_cinstance_t *ci, const char *name) {
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

static int pget_cb(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                   size_t nresults) {
  (void)call, (void)args;
  if (nargs != 0 || nresults != 1) return 1;
  results[0].kind = WEFT_VAL_U32;
  results[0].of.u = (uint64_t)(uintptr_t)env;
  return 0;
}

static int pnop_cb(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                   size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)results, (void)nresults;
  weft_call_trap(call, "not expected to be called");
  return 1;
}

WF_TEST(prelink_host_funcs) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = PLOAD(e, cons_wasm);   /* run() = test:pkg/iface@1.2.0#get() + 1 */
  CHECK(c);
  weft_error_t err;
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.1.0", "get", pget_cb, (void *)41, &err), WEFT_OK);
  weft_instance_pre_t *pre = NULL;
  CHECK_EQ(weft_linker_instantiate_pre(l, c, &pre, &err), WEFT_OK);
  CHECK(pre);
  weft_cinstance_t *ci[3] = {NULL, NULL, NULL};
  for (int i = 0; i < 3; i++) CHECK_EQ(weft_instance_pre_instantiate(pre, NULL, &ci[i], &err), WEFT_OK);
  CHECK(ci[0] != ci[1] && ci[0]->rt != ci[1]->rt);
  /* each instance has its own host function objects, bound to itself */
  const wf_citem_t *imp0 = &ci[0]->rt->top->space[WF_SORT_INSTANCE][0];
  const wf_citem_t *imp1 = &ci[1]->rt->top->space[WF_SORT_INSTANCE][0];
  const wf_citem_t *g0 = wf_citems_find(imp0->u.inst, "get", 3), *g1 = wf_citems_find(imp1->u.inst, "get", 3);
  CHECK(g0 && g1 && g0->u.func != g1->u.func);
  CHECK(g0->u.func->inst == ci[0]->rt->top && g1->u.func->inst == ci[1]->rt->top);
  /* the linker changes afterwards: the pre keeps what it resolved */
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.1.0", "get", pget_cb, (void *)7, &err), WEFT_OK);
  weft_instance_pre_free(pre);   /* before its instances: they keep it alive */
  for (int i = 0; i < 3; i++) CHECK_EQ(pcall_u32(ci[i], "run"), 42);
  weft_cinstance_t *direct = NULL;
  CHECK_EQ(weft_linker_instantiate(l, c, NULL, &direct, &err), WEFT_OK);
  CHECK_EQ(pcall_u32(direct, "run"), 8);
  weft_cinstance_free(direct);
  for (int i = 0; i < 3; i++) weft_cinstance_free(ci[i]);
  weft_component_free(c);
  weft_linker_free(l);
  weft_engine_free(e);
}

WF_TEST(prelink_link_errors) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = PLOAD(e, missing_wasm);
  CHECK(c);
  weft_error_t err;
  weft_instance_pre_t *pre = (weft_instance_pre_t *)1;
  CHECK_EQ(weft_linker_instantiate_pre(l, c, &pre, &err), WEFT_ERR_LINK);
  CHECK(pre == NULL);
  CHECK(strstr(err.message, "`foo`") && strstr(err.message, "wasi:cli/environment@0.2.0"));
  CHECK_EQ(weft_linker_instantiate_pre(NULL, c, &pre, &err), WEFT_ERR_ARG);
  CHECK_EQ(weft_instance_pre_instantiate(NULL, NULL, NULL, &err), WEFT_ERR_ARG);
  weft_instance_pre_free(NULL);
  weft_component_free(c);   /* the failed pre dropped its reference */
  weft_linker_free(l);
  weft_engine_free(e);
}

WF_TEST(prelink_host_resources) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = PLOAD(e, hostres_wasm);
  CHECK(c);
  weft_resource_type_t *thing = NULL, *plain = NULL;
  weft_error_t err;
  CHECK_EQ(weft_linker_define_resource(l, "test:pkg/res", "thing", NULL, NULL, &thing, &err), WEFT_OK);
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/res", "make", pnop_cb, NULL, &err), WEFT_OK);
  CHECK_EQ(weft_linker_define_resource(l, NULL, "plain", NULL, NULL, &plain, &err), WEFT_OK);
  weft_instance_pre_t *pre = NULL;
  CHECK_EQ(weft_linker_instantiate_pre(l, c, &pre, &err), WEFT_OK);
  for (int i = 0; i < 2; i++) {
    weft_cinstance_t *ci = NULL;
    CHECK_EQ(weft_instance_pre_instantiate(pre, NULL, &ci, &err), WEFT_OK);
    const wf_citem_t *t2 = wf_citems_find(&ci->rt->top->exports, "thing2", 6);
    const wf_citem_t *p2 = wf_citems_find(&ci->rt->top->exports, "plain2", 6);
    CHECK(t2 && p2 && t2->u.rtype == thing && p2->u.rtype == plain);
    CHECK(wf_cinst_rtype(ci->rt->top, t2->type) == thing);
    weft_cinstance_free(ci);
  }
  weft_instance_pre_free(pre);
  weft_component_free(c);
  weft_linker_free(l);
  weft_engine_free(e);
}

static int nmade, nfreed;
static void *pmake(void *env, weft_cinstance_t *inst) {
  (void)inst;
  nmade++;
  return env;
}
static void pfree(void *state) {
  (void)state;
  nfreed++;
}

WF_TEST(prelink_states) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = PLOAD(e, cons_wasm);
  CHECK(c);
  weft_error_t err;
  static int key;
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.2.0", "get", pget_cb, (void *)1, &err), WEFT_OK);
  CHECK_EQ(weft_linker_define_state(l, &key, pmake, pfree, (void *)&key, &err), WEFT_OK);
  weft_instance_pre_t *pre = NULL;
  CHECK_EQ(weft_linker_instantiate_pre(l, c, &pre, &err), WEFT_OK);
  nmade = nfreed = 0;
  weft_cinstance_t *a = NULL, *b = NULL;
  CHECK_EQ(weft_instance_pre_instantiate(pre, NULL, &a, &err), WEFT_OK);
  CHECK_EQ(weft_instance_pre_instantiate(pre, NULL, &b, &err), WEFT_OK);
  CHECK_EQ(nmade, 2);
  CHECK(weft_cinstance_state(a, &key) == (void *)&key);
  CHECK_EQ(pcall_u32(b, "run"), 2);
  weft_cinstance_free(a);
  weft_cinstance_free(b);
  CHECK_EQ(nfreed, 2);
  weft_instance_pre_free(pre);
  weft_component_free(c);
  weft_linker_free(l);
  weft_engine_free(e);
}

static void *pre_worker(void *arg) {
  weft_instance_pre_t *pre = arg;
  intptr_t ok = 1;
  for (int i = 0; i < 50 && ok; i++) {
    weft_cinstance_t *ci = NULL;
    weft_error_t err;
    ok = weft_instance_pre_instantiate(pre, NULL, &ci, &err) == WEFT_OK && pcall_u32(ci, "run") == 10;
    weft_cinstance_free(ci);
  }
  return (void *)ok;
}

WF_TEST(prelink_threads) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = PLOAD(e, cons_wasm);
  CHECK(c);
  weft_error_t err;
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.2.0", "get", pget_cb, (void *)9, &err), WEFT_OK);
  weft_instance_pre_t *pre = NULL;
  CHECK_EQ(weft_linker_instantiate_pre(l, c, &pre, &err), WEFT_OK);
  pthread_t th[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&th[i], NULL, pre_worker, pre) == 0);
  for (int i = 0; i < 4; i++) {
    void *ok = NULL;
    CHECK(pthread_join(th[i], &ok) == 0);
    CHECK(ok == (void *)1);
  }
  weft_instance_pre_free(pre);
  weft_component_free(c);
  weft_linker_free(l);
  weft_engine_free(e);
}
