/* The every-type test host library (tests/host/all): each function gives
 * back a transformed copy of its argument, so a guest can check that every
 * WIT type crosses into native code and back. Built by
 * tests/cli/host_bundles.sh against the header `weft bindgen --host` writes.
 * -DWEFT_TEST_ABI=N exports a different ABI version; -DWEFT_TEST_OMIT
 * leaves three functions out (the bad-bundle cases). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"

#ifndef WEFT_TEST_ABI
#define WEFT_TEST_ABI WEFT_HOST_ABI_VERSION
#endif
WEFT_HOST_EXPORT const uint32_t weft_host_abi_version = WEFT_TEST_ABI;

typedef struct {
  char greeting[64];
  uint32_t live;        /* counters not yet dropped */
} state_t;

WEFT_HOST_EXPORT int weft_host_init(const weft_host_api *api, const weft_host_config *cfg, void **state, char **err) {
  (void)api;
  const char *fail = weft_host_config_get(cfg, "fail-init");
  if (fail) {
    *err = strdup(fail);
    return 1;
  }
  state_t *s = calloc(1, sizeof *s);
  if (!s) return 1;
  const char *g = weft_host_config_get(cfg, "greeting");
  snprintf(s->greeting, sizeof s->greeting, "%s/%s", g ? g : "-", cfg->host_name);
  *state = s;
  return 0;
}

WEFT_HOST_EXPORT void weft_host_fini(void *state) { free(state); }

/* ---- helpers: deep copies that transform ---- */
static weft_string str_bang(const weft_string *s) {   /* s + "!" */
  weft_string r = {malloc(s->len + 1), s->len + 1};
  memcpy(r.ptr, s->ptr, s->len);
  r.ptr[s->len] = '!';
  return r;
}
static test_all_types_point_t point_next(const test_all_types_point_t *p) {
  test_all_types_point_t r = {p->x + 1, p->y - 1, str_bang(&p->label)};
  return r;
}
static test_all_list_types_point_t points_next(const test_all_list_types_point_t *l) {
  test_all_list_types_point_t r = {malloc(l->len * sizeof *l->ptr + 1), l->len};
  for (size_t i = 0; i < l->len; i++) r.ptr[i] = point_next(&l->ptr[i]);
  return r;
}

/* ---- scalars ---- */
bool test_all_types_rt_bool(weft_host_ctx *ctx, bool x) { (void)ctx; return !x; }
int8_t test_all_types_rt_s8(weft_host_ctx *ctx, int8_t x) { (void)ctx; return (int8_t)(x - 1); }
uint8_t test_all_types_rt_u8(weft_host_ctx *ctx, uint8_t x) { (void)ctx; return (uint8_t)(x + 1); }
int16_t test_all_types_rt_s16(weft_host_ctx *ctx, int16_t x) { (void)ctx; return (int16_t)(x - 1); }
uint16_t test_all_types_rt_u16(weft_host_ctx *ctx, uint16_t x) { (void)ctx; return (uint16_t)(x + 1); }
int32_t test_all_types_rt_s32(weft_host_ctx *ctx, int32_t x) { (void)ctx; return (int32_t)((uint32_t)x - 1); }
uint32_t test_all_types_rt_u32(weft_host_ctx *ctx, uint32_t x) { (void)ctx; return x + 1; }
int64_t test_all_types_rt_s64(weft_host_ctx *ctx, int64_t x) { (void)ctx; return (int64_t)((uint64_t)x - 1); }
uint64_t test_all_types_rt_u64(weft_host_ctx *ctx, uint64_t x) { (void)ctx; return x + 1; }
float test_all_types_rt_f32(weft_host_ctx *ctx, float x) { (void)ctx; return x * 2.0f; }
double test_all_types_rt_f64(weft_host_ctx *ctx, double x) { (void)ctx; return x * 2.0; }
uint32_t test_all_types_rt_char(weft_host_ctx *ctx, uint32_t x) { (void)ctx; return x + 1; }
test_all_types_color_t test_all_types_rt_color(weft_host_ctx *ctx, test_all_types_color_t x) {
  (void)ctx;
  return (test_all_types_color_t)((x + 1) % 3);
}
test_all_types_perms_t test_all_types_rt_perms(weft_host_ctx *ctx, test_all_types_perms_t x) {
  (void)ctx;
  return (test_all_types_perms_t)(~x & 7);
}

/* ---- compound ---- */
void test_all_types_rt_string(weft_host_ctx *ctx, const weft_string *x, weft_string *ret) {
  (void)ctx;
  /* weft NUL-terminates strings it passes in */
  if (x->ptr[x->len] != 0) { ctx->api->trap(ctx, "string argument not NUL-terminated"); return; }
  *ret = str_bang(x);
}

void test_all_types_rt_bytes(weft_host_ctx *ctx, const test_all_list_u8_t *x, test_all_list_u8_t *ret) {
  (void)ctx;
  ret->len = x->len;
  ret->ptr = malloc(x->len + 1);
  for (size_t i = 0; i < x->len; i++) ret->ptr[i] = x->ptr[x->len - 1 - i];
}

void test_all_types_rt_nested(weft_host_ctx *ctx, const test_all_list_list_types_point_t *x,
                              test_all_list_list_types_point_t *ret) {
  (void)ctx;
  ret->len = x->len;
  ret->ptr = malloc(x->len * sizeof *x->ptr + 1);
  for (size_t i = 0; i < x->len; i++) ret->ptr[i] = points_next(&x->ptr[i]);
}

void test_all_types_rt_items(weft_host_ctx *ctx, const test_all_list_types_item_t *x, test_all_list_types_item_t *ret) {
  (void)ctx;
  ret->len = x->len;
  ret->ptr = malloc(x->len * sizeof *x->ptr + 1);
  for (size_t i = 0; i < x->len; i++) {
    const test_all_types_item_t *in = &x->ptr[i];
    test_all_types_item_t *o = &ret->ptr[i];
    o->name = str_bang(&in->name);
    o->tags.len = in->tags.len;   /* tags reversed */
    o->tags.ptr = malloc(in->tags.len * sizeof *in->tags.ptr + 1);
    for (size_t k = 0; k < in->tags.len; k++) o->tags.ptr[k] = str_bang(&in->tags.ptr[in->tags.len - 1 - k]);
    o->pts = points_next(&in->pts);
  }
}

void test_all_types_rt_shape(weft_host_ctx *ctx, const test_all_types_shape_t *x, test_all_types_shape_t *ret) {
  (void)ctx;
  ret->tag = x->tag;
  switch (x->tag) {
  case TEST_ALL_TYPES_SHAPE_CIRCLE: ret->val.circle = x->val.circle * 2; break;
  case TEST_ALL_TYPES_SHAPE_RECT: ret->val.rect = point_next(&x->val.rect); break;
  case TEST_ALL_TYPES_SHAPE_NAMED: ret->val.named = str_bang(&x->val.named); break;
  default: break;
  }
}

bool test_all_types_rt_option(weft_host_ctx *ctx, const test_all_option_string_t *x, weft_string *ret) {
  (void)ctx;
  if (!x->is_some) return false;
  *ret = str_bang(&x->val);
  return true;
}

bool test_all_types_rt_result(weft_host_ctx *ctx, const test_all_result_u32_string_t *x, uint32_t *ret,
                              weft_string *err) {
  (void)ctx;
  if (x->is_err) { *err = str_bang(&x->val.err); return false; }
  *ret = x->val.ok + 1;
  return true;
}

void test_all_types_rt_tuple(weft_host_ctx *ctx, const test_all_tuple3_u8_string_f64_t *x,
                             test_all_tuple3_u8_string_f64_t *ret) {
  (void)ctx;
  ret->f0 = (uint8_t)(x->f0 + 1);
  ret->f1 = str_bang(&x->f1);
  ret->f2 = x->f2 * 2;
}

bool test_all_types_check(weft_host_ctx *ctx, bool ok) { (void)ctx; return ok; }

void test_all_types_mixed(weft_host_ctx *ctx, uint8_t a, int64_t b, float c, const weft_string *d,
                          const test_all_types_point_t *e, test_all_types_color_t f, weft_string *ret) {
  state_t *s = ctx->state;
  char buf[512];
  int n = snprintf(buf, sizeof buf, "%s:%u,%lld,%.2f,%.*s,(%d,%d,%.*s),%u", s->greeting, a, (long long)b, (double)c,
                   (int)d->len, (const char *)d->ptr, e->x, e->y, (int)e->label.len, (const char *)e->label.ptr, f);
  ret->ptr = malloc((size_t)n + 1);
  memcpy(ret->ptr, buf, (size_t)n);
  ret->len = (size_t)n;
}

#ifndef WEFT_TEST_OMIT
void test_all_types_noop(weft_host_ctx *ctx) { (void)ctx; }

void test_all_types_echo(weft_host_ctx *ctx, const weft_string *s, weft_string *ret) {
  (void)ctx;
  ret->ptr = malloc(s->len + 1);
  memcpy(ret->ptr, s->ptr, s->len);
  ret->len = s->len;
}

uint32_t test_all_types_live_counters(weft_host_ctx *ctx) { return ((state_t *)ctx->state)->live; }
#endif

void test_all_types_fail(weft_host_ctx *ctx, const weft_string *msg) {
  char buf[256];
  snprintf(buf, sizeof buf, "fail: %.*s", (int)msg->len, (const char *)msg->ptr);
  ctx->api->trap(ctx, buf);
}

/* ---- the counter resource: the rep is our own pointer ---- */
typedef struct {
  uint64_t value;
  state_t *owner;
} counter_t;

void *test_all_types_counter_new(weft_host_ctx *ctx, uint64_t start) {
  counter_t *c = malloc(sizeof *c);
  c->value = start;
  c->owner = ctx->state;
  c->owner->live++;
  return c;
}

uint64_t test_all_types_counter_add(weft_host_ctx *ctx, void *self, uint64_t n) {
  (void)ctx;
  counter_t *c = self;
  c->value += n;
  return c->value;
}

void test_all_types_counter_label(weft_host_ctx *ctx, void *self, weft_string *ret) {
  (void)ctx;
  char buf[64];
  int n = snprintf(buf, sizeof buf, "counter=%llu", (unsigned long long)((counter_t *)self)->value);
  ret->ptr = malloc((size_t)n + 1);
  memcpy(ret->ptr, buf, (size_t)n);
  ret->len = (size_t)n;
}

void *test_all_types_counter_merge(weft_host_ctx *ctx, void *a, void *b) {
  return test_all_types_counter_new(ctx, ((counter_t *)a)->value + ((counter_t *)b)->value);
}

#ifndef WEFT_TEST_OMIT
void test_all_types_counter_drop(weft_host_ctx *ctx, void *rep) {
  counter_t *c = rep;
  (void)ctx;
  c->owner->live--;
  free(c);
}
#endif
