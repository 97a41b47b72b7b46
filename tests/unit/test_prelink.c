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
#include "cinst_fixtures.h"
#include "cinst_helpers.h"
#include "test.h"
#include "weft.h"





WF_TEST(prelink_host_funcs) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = LOAD(e, cons_wasm);   /* run() = test:pkg/iface@1.2.0#get() + 1 */
  CHECK(c);
  weft_error_t err;
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.1.0", "get", get_cb, (void *)41, &err), WEFT_OK);
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
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.1.0", "get", get_cb, (void *)7, &err), WEFT_OK);
  weft_instance_pre_free(pre);   /* before its instances: they keep it alive */
  for (int i = 0; i < 3; i++) CHECK_EQ(call_u32(ci[i], "run"), 42);
  weft_cinstance_t *direct = NULL;
  CHECK_EQ(weft_linker_instantiate(l, c, NULL, &direct, &err), WEFT_OK);
  CHECK_EQ(call_u32(direct, "run"), 8);
  weft_cinstance_free(direct);
  for (int i = 0; i < 3; i++) weft_cinstance_free(ci[i]);
  weft_component_free(c);
  weft_linker_free(l);
  weft_engine_free(e);
}

WF_TEST(prelink_link_errors) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = LOAD(e, missing_wasm);
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
  weft_component_t *c = LOAD(e, hostres_wasm);
  CHECK(c);
  weft_resource_type_t *thing = NULL, *plain = NULL;
  weft_error_t err;
  CHECK_EQ(weft_linker_define_resource(l, "test:pkg/res", "thing", NULL, NULL, &thing, &err), WEFT_OK);
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/res", "make", nop_cb, NULL, &err), WEFT_OK);
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
  weft_component_t *c = LOAD(e, cons_wasm);
  CHECK(c);
  weft_error_t err;
  static int key;
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.2.0", "get", get_cb, (void *)1, &err), WEFT_OK);
  CHECK_EQ(weft_linker_define_state(l, &key, pmake, pfree, (void *)&key, &err), WEFT_OK);
  weft_instance_pre_t *pre = NULL;
  CHECK_EQ(weft_linker_instantiate_pre(l, c, &pre, &err), WEFT_OK);
  nmade = nfreed = 0;
  weft_cinstance_t *a = NULL, *b = NULL;
  CHECK_EQ(weft_instance_pre_instantiate(pre, NULL, &a, &err), WEFT_OK);
  CHECK_EQ(weft_instance_pre_instantiate(pre, NULL, &b, &err), WEFT_OK);
  CHECK_EQ(nmade, 2);
  CHECK(weft_cinstance_state(a, &key) == (void *)&key);
  CHECK_EQ(call_u32(b, "run"), 2);
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
    ok = weft_instance_pre_instantiate(pre, NULL, &ci, &err) == WEFT_OK && call_u32(ci, "run") == 10;
    weft_cinstance_free(ci);
  }
  return (void *)ok;
}

WF_TEST(prelink_threads) {
  weft_engine_t *e = weft_engine_new();
  weft_linker_t *l = weft_linker_new(e);
  weft_component_t *c = LOAD(e, cons_wasm);
  CHECK(c);
  weft_error_t err;
  CHECK_EQ(weft_linker_define_func(l, "test:pkg/iface@1.2.0", "get", get_cb, (void *)9, &err), WEFT_OK);
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
