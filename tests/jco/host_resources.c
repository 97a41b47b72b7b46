/* Fixtures over resources: host-defined (imported) resources with
 * constructors, methods, statics and destructors; guest-defined (exported)
 * resources created, borrowed, moved and dropped by the host; resources in
 * records, tuples, variants, lists, options and results; aliases.
 * Expected values follow the wasmtime hosts of wit-bindgen's
 * tests/runtime/resource_*.rs and jco's runtime tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ helpers */

/* The host object behind a resource argument of type t. */
static fx_obj_t *arg_obj(weft_call_t *call, const weft_val_t *v, weft_resource_type_t *t,
                         const char *what) {
  fx_t *fx = fx_of(call);
  if (v->kind != WEFT_VAL_OWN && v->kind != WEFT_VAL_BORROW) {
    fx_fail(fx, "%s: expected a resource argument, got %s", what, weft_vkind_name(v->kind));
    weft_call_trap(call, "test host: %s", what);
    return NULL;
  }
  if (t && v->of.res.type != t) {
    fx_fail(fx, "%s: resource argument has the wrong resource type", what);
    weft_call_trap(call, "test host: %s", what);
    return NULL;
  }
  fx_obj_t *o = fx_obj(fx, v->of.res.rep);
  if (!o) {
    fx_fail(fx, "%s: resource rep %llu is not a live host object", what,
            (unsigned long long)v->of.res.rep);
    weft_call_trap(call, "test host: %s", what);
  }
  return o;
}

static int ret_new_obj(weft_call_t *call, weft_val_t *results, size_t nresults, weft_resource_type_t *t,
                       fx_obj_t **out) {
  fx_t *fx = fx_of(call);
  uint64_t rep = fx_obj_new(fx);
  if (!rep || nresults != 1) {
    fx_fail(fx, "constructor: %s", rep ? "no result slot" : "too many host objects");
    weft_call_trap(call, "test host: constructor");
    return 1;
  }
  results[0] = fx_res(WEFT_VAL_OWN, t, rep);
  *out = fx_obj(fx, rep);
  return 0;
}

static int ret_int(weft_call_t *call, weft_val_t *results, size_t nresults, int64_t v) {
  fx_t *fx = fx_of(call);
  char t[32], err[200];
  snprintf(t, sizeof t, "%lld", (long long)v);
  if (nresults != 1 ||
      fxv_parse(fx, weft_call_result_type(call), t, weft_call_arena(call), &results[0], err, sizeof err)) {
    weft_call_trap(call, "test host: cannot return %s", t);
    return 1;
  }
  return 0;
}

static int ret_float(weft_call_t *call, weft_val_t *results, size_t nresults, double v) {
  if (nresults != 1) { weft_call_trap(call, "test host: no result slot"); return 1; }
  results[0].kind = WEFT_VAL_F64;
  results[0].of.f64 = v;
  return 0;
}

/* strings and list<u8> as host object text */
static int set_text(fx_obj_t *o, const char *a, size_t alen, const char *b) {
  size_t blen = strlen(b);
  char *s = malloc(alen + blen + 1);
  if (!s) return -1;
  memcpy(s, a, alen);
  memcpy(s + alen, b, blen);
  s[alen + blen] = 0;
  free(o->s);
  o->s = s;
  o->slen = alen + blen;
  return 0;
}
/* Bytes of a string or list<u8> value into buf (NUL-terminated); length or -1. */
static long text_of(const weft_val_t *v, char *buf, size_t cap) {
  if (v->kind == WEFT_VAL_STRING) {
    if (v->of.str.len >= cap) return -1;
    memcpy(buf, v->of.str.ptr, v->of.str.len);
    buf[v->of.str.len] = 0;
    return (long)v->of.str.len;
  }
  if (v->kind == WEFT_VAL_LIST) {
    if (v->of.seq.n >= cap) return -1;
    for (size_t i = 0; i < v->of.seq.n; i++) buf[i] = (char)v->of.seq.v[i].of.u;
    buf[v->of.seq.n] = 0;
    return (long)v->of.seq.n;
  }
  return -1;
}
/* Return text (a + b) as a string or list<u8>, as the call's result type says. */
static int ret_text(weft_call_t *call, weft_val_t *results, size_t nresults, const char *a, size_t alen,
                    const char *b) {
  if (nresults != 1) { weft_call_trap(call, "test host: no result slot"); return 1; }
  weft_arena_t *ar = weft_call_arena(call);
  size_t blen = strlen(b), n = alen + blen;
  weft_vkind_t k = weft_type_kind(weft_call_result_type(call));
  if (k == WEFT_VAL_STRING) {
    char *s = weft_arena_alloc(ar, n + 1);
    if (!s) { weft_call_trap(call, "oom"); return 1; }
    memcpy(s, a, alen);
    memcpy(s + alen, b, blen);
    results[0].kind = WEFT_VAL_STRING;
    results[0].of.str.ptr = s;
    results[0].of.str.len = n;
    return 0;
  }
  weft_val_t *v = weft_arena_alloc(ar, (n ? n : 1) * sizeof *v);
  if (!v) { weft_call_trap(call, "oom"); return 1; }
  for (size_t i = 0; i < n; i++) {
    v[i].kind = WEFT_VAL_U8;
    v[i].of.u = (unsigned char)(i < alen ? a[i] : b[i - alen]);
  }
  results[0].kind = WEFT_VAL_LIST;
  results[0].of.seq.v = v;
  results[0].of.seq.n = n;
  return 0;
}

/* "[72, 105]" for "Hi" */
static void bytes_text(const char *s, char *buf, size_t cap) {
  size_t off = (size_t)snprintf(buf, cap, "[");
  for (size_t i = 0; s[i] && off < cap; i++)
    off += (size_t)snprintf(buf + off, cap - off, "%s%u", i ? ", " : "", (unsigned char)s[i]);
  if (off < cap) snprintf(buf + off, cap - off, "]");
}

/* Call and return the raw result (in fx->arena) for element-wise checks. */
static int call_raw(fx_t *fx, const char *inst, const char *name, const char *args, weft_val_t *out) {
  if (fx_call_slot(fx, inst, name, args, NULL, FX_SLOTS - 1)) return -1;
  *out = fx->slots[FX_SLOTS - 1];
  return 0;
}

/* Store the elements of a list of resources into slots first.. */
static int list_to_slots(fx_t *fx, const weft_val_t *list, int first, size_t expect_n, const char *what) {
  if (list->kind != WEFT_VAL_LIST) return fx_check(fx, 0, "%s: expected a list", what);
  if (fx_check(fx, list->of.seq.n == expect_n, "%s: expected %zu resources, got %zu", what, expect_n,
               list->of.seq.n))
    return -1;
  for (size_t i = 0; i < list->of.seq.n; i++) {
    const weft_val_t *e = &list->of.seq.v[i];
    if (fx_check(fx, e->kind == WEFT_VAL_OWN, "%s: element %zu is %s, expected own", what, i,
                 weft_vkind_name(e->kind)))
      return -1;
    fx->slots[first + (int)i] = *e;
  }
  return 0;
}

/* Make a host object of type t in slot i with integer / text state. */
static fx_obj_t *host_slot(fx_t *fx, int slot, weft_resource_type_t *t) {
  uint64_t rep = fx_obj_new(fx);
  if (!rep) { fx_fail(fx, "too many host objects"); return NULL; }
  fx->slots[slot] = fx_res(WEFT_VAL_OWN, t, rep);
  return fx_obj(fx, rep);
}

/* ---------------------------------------------------------------- resources */

typedef struct { weft_resource_type_t *y; } res_env_t;

static int y_new(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *o;
  if (na != 1 || ret_new_obj(c, r, nr, env, &o)) return 1;
  o->i = a[0].of.s;
  return 0;
}
static int y_get_a(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *o = na == 1 ? arg_obj(c, &a[0], env, "[method]y.get-a") : NULL;
  return o ? ret_int(c, r, nr, o->i) : 1;
}
static int y_set_a(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)r; (void)nr;
  fx_obj_t *o = na == 2 ? arg_obj(c, &a[0], env, "[method]y.set-a") : NULL;
  if (!o) return 1;
  o->i = a[1].of.s;
  return 0;
}
static int y_add(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *o = na == 2 ? arg_obj(c, &a[0], env, "[static]y.add") : NULL, *n;
  if (!o) return 1;
  if (fx_check(fx_of(c), a[0].kind == WEFT_VAL_OWN, "[static]y.add: y should arrive owned")) {
    weft_call_trap(c, "test host");
    return 1;
  }
  int64_t v = o->i + a[1].of.s;
  if (ret_new_obj(c, r, nr, env, &n)) return 1;
  n->i = v;
  return 0;
}
static int resources_setup(fx_t *fx) {
  weft_resource_type_t *y = fx_define_resource(fx, "imports", "y");
  fx_define(fx, "imports", "[constructor]y", y_new, y);
  fx_define(fx, "imports", "[method]y.get-a", y_get_a, y);
  fx_define(fx, "imports", "[method]y.set-a", y_set_a, y);
  fx_define(fx, "imports", "[static]y.add", y_add, y);
  return 0;
}
static int resources_run(fx_t *fx) {
  const char *E = "exports";
  fx_call(fx, E, "test-imports", "()", "ok");
  /* six ys made; three moved to the host by [static]y.add; the guest drops
   * the other three */
  fx_check(fx, fx->dtor_calls == 3, "test-imports: the host destructor ran %d times, expected 3",
           fx->dtor_calls);
  fx_call_slot(fx, E, "[constructor]x", "(5)", NULL, 0);
  fx_call(fx, E, "[method]x.get-a", "($0)", "5");
  fx_call(fx, E, "[method]x.set-a", "($0, 10)", NULL);
  fx_call(fx, E, "[method]x.get-a", "($0)", "10");
  fx_call_slot(fx, E, "[constructor]z", "(10)", NULL, 1);
  fx_call(fx, E, "[method]z.get-a", "($1)", "10");
  fx_call_slot(fx, E, "[constructor]z", "(20)", NULL, 2);
  fx_call(fx, E, "[method]z.get-a", "($2)", "20");
  fx_call_slot(fx, E, "[static]x.add", "($0, 5)", NULL, 3);   /* moves x */
  fx_call(fx, E, "[method]x.get-a", "($3)", "15");
  /* add returns the same x it was given: $0 and $3 name one guest object */
  fx_check(fx, fx->slots[0].of.res.rep == fx->slots[3].of.res.rep,
           "[static]x.add returned another x than it was given");
  fx_call_slot(fx, E, "add", "($1, $2)", NULL, 4);
  fx_call(fx, E, "[method]z.get-a", "($4)", "30");
  fx_call(fx, E, "[static]z.num-dropped", "()", "1");
  fx_drop(fx, 1);
  fx_drop(fx, 2);
  fx_call(fx, E, "[static]z.num-dropped", "()", "3");
  fx_drop(fx, 4);
  fx_call(fx, E, "[static]z.num-dropped", "()", "4");
  fx_drop(fx, 3);
  fx_call_slot(fx, E, "[constructor]kebab-case", "(3)", NULL, 5);
  fx_call(fx, E, "[method]kebab-case.get-a", "($5)", "3");
  fx_call(fx, E, "[static]kebab-case.take-owned", "($5)", "3");
  fx_call_slot(fx, E, "[constructor]x", "(7)", NULL, 6);
  fx_call(fx, E, "consume", "($6)", NULL);
  return 0;
}

/* ------------------------------------------------------ borrow export/import */

static int borrow_export_run(fx_t *fx) {
  const char *I = "test:resource-borrow-export/test";
  fx_call_slot(fx, I, "[constructor]thing", "(42)", NULL, 0);
  fx_call(fx, I, "foo", "($0)", "45");
  fx_call(fx, I, "foo", "($0)", "45");   /* a borrow leaves the handle with the host */
  fx_drop(fx, 0);
  return 0;
}

static int thing_new_plus2(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r,
                           size_t nr) {
  fx_obj_t *o;
  if (na != 1 || ret_new_obj(c, r, nr, env, &o)) return 1;
  o->i = (int64_t)a[0].of.u + 2;
  return 0;
}
static int thing_foo_plus3(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r,
                           size_t nr) {
  fx_obj_t *o = na == 1 ? arg_obj(c, &a[0], env, "foo") : NULL;
  if (o && fx_check(fx_of(c), a[0].kind == WEFT_VAL_BORROW, "foo: expected a borrow")) {
    weft_call_trap(c, "test host");
    return 1;
  }
  return o ? ret_int(c, r, nr, o->i + 3) : 1;
}
static int borrow_import_setup(fx_t *fx) {
  const char *I = "test:resource-borrow-import/test";
  weft_resource_type_t *t = fx_define_resource(fx, I, "thing");
  fx_define(fx, I, "[constructor]thing", thing_new_plus2, t);
  fx_define(fx, I, "foo", thing_foo_plus3, t);
  return 0;
}
static int borrow_import_run(fx_t *fx) {
  fx_call(fx, NULL, "test", "(42)", "52");
  fx_check(fx, fx->dtor_calls == 1, "the guest dropped its thing, host destructor ran %d times",
           fx->dtor_calls);
  return 0;
}

/* ------------------------------------------------------ borrow in record */

static int text_thing_new(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r,
                          size_t nr) {
  char buf[512];
  long n = na == 1 ? text_of(&a[0], buf, sizeof buf) : -1;
  fx_obj_t *o;
  if (n < 0) { weft_call_trap(c, "test host: bad constructor argument"); return 1; }
  if (ret_new_obj(c, r, nr, env, &o)) return 1;
  return set_text(o, buf, (size_t)n, " HostThing") ? (weft_call_trap(c, "oom"), 1) : 0;
}
static int text_thing_get(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r,
                          size_t nr) {
  fx_obj_t *o = na == 1 ? arg_obj(c, &a[0], env, "[method]thing.get") : NULL;
  if (!o) return 1;
  return ret_text(c, r, nr, o->s ? o->s : "", o->slen, " HostThing.get");
}
/* test(list<foo{thing: borrow<thing>}>) -> list<thing>: new(val + " test") each */
static int in_record_test(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r,
                          size_t nr) {
  fx_t *fx = fx_of(c);
  if (na != 1 || a[0].kind != WEFT_VAL_LIST || nr != 1) { weft_call_trap(c, "test host: test()"); return 1; }
  size_t n = a[0].of.seq.n;
  weft_val_t *out = weft_arena_alloc(weft_call_arena(c), (n ? n : 1) * sizeof *out);
  if (!out) { weft_call_trap(c, "oom"); return 1; }
  for (size_t i = 0; i < n; i++) {
    const weft_val_t *rec = &a[0].of.seq.v[i];
    if (rec->kind != WEFT_VAL_RECORD || rec->of.seq.n != 1) { weft_call_trap(c, "test host: foo"); return 1; }
    if (fx_check(fx, rec->of.seq.v[0].kind == WEFT_VAL_BORROW, "test(): foo.thing should be a borrow")) {
      weft_call_trap(c, "test host");
      return 1;
    }
    fx_obj_t *o = arg_obj(c, &rec->of.seq.v[0], env, "test(): foo.thing");
    if (!o) return 1;
    uint64_t rep = fx_obj_new(fx);
    fx_obj_t *no = fx_obj(fx, rep);
    if (!no) { weft_call_trap(c, "test host: too many objects"); return 1; }
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s test", o->s ? o->s : "");
    if (set_text(no, tmp, strlen(tmp), " HostThing")) { weft_call_trap(c, "oom"); return 1; }
    out[i] = fx_res(WEFT_VAL_OWN, env, rep);
  }
  r[0].kind = WEFT_VAL_LIST;
  r[0].of.seq.v = out;
  r[0].of.seq.n = n;
  return 0;
}
static int in_record_setup(fx_t *fx) {
  const char *I = "test:resource-borrow-in-record/test";
  weft_resource_type_t *t = fx_define_resource(fx, I, "thing");
  fx_define(fx, I, "[constructor]thing", text_thing_new, t);
  fx_define(fx, I, "[method]thing.get", text_thing_get, t);
  fx_define(fx, I, "test", in_record_test, t);
  return 0;
}
static int in_record_run(fx_t *fx) {
  const char *I = "test:resource-borrow-in-record/test";
  weft_val_t res;
  fx_call_slot(fx, I, "[constructor]thing", "(\"Bonjour\")", NULL, 0);
  fx_call_slot(fx, I, "[constructor]thing", "(\"mon cher\")", NULL, 1);
  if (call_raw(fx, I, "test", "([{thing: $0}, {thing: $1}])", &res)) return -1;
  if (list_to_slots(fx, &res, 2, 2, "test()")) return -1;
  fx_call(fx, I, "[method]thing.get", "($2)",
          "\"Bonjour Thing HostThing test HostThing HostThing.get Thing.get\"");
  fx_call(fx, I, "[method]thing.get", "($3)",
          "\"mon cher Thing HostThing test HostThing HostThing.get Thing.get\"");
  return 0;
}

/* ------------------------------------------------------------ resource floats */

typedef struct { weft_resource_type_t *t; double add_new, add_get; int with_static; } float_env_t;

static int float_new(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  float_env_t *e = env;
  fx_obj_t *o;
  if (na != 1 || ret_new_obj(c, r, nr, e->t, &o)) return 1;
  o->f = a[0].of.f64 + e->add_new;
  return 0;
}
static int float_get(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  float_env_t *e = env;
  fx_obj_t *o = na == 1 ? arg_obj(c, &a[0], e->t, "[method]float.get") : NULL;
  return o ? ret_float(c, r, nr, o->f + e->add_get) : 1;
}
static int float_add(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  float_env_t *e = env;
  fx_obj_t *o = na == 2 ? arg_obj(c, &a[0], e->t, "[static]float.add") : NULL, *n;
  if (!o) return 1;
  double v = o->f + a[1].of.f64 + 6.0;
  if (ret_new_obj(c, r, nr, e->t, &n)) return 1;
  n->f = v + e->add_new;
  return 0;
}
static float_env_t floats_imports_env, floats_test_env;
static int floats_setup(fx_t *fx) {
  floats_imports_env = (float_env_t){fx_define_resource(fx, "imports", "float"), 2.0, 4.0, 1};
  fx_define(fx, "imports", "[constructor]float", float_new, &floats_imports_env);
  fx_define(fx, "imports", "[method]float.get", float_get, &floats_imports_env);
  fx_define(fx, "imports", "[static]float.add", float_add, &floats_imports_env);
  const char *T = "test:resource-floats/test";
  floats_test_env = (float_env_t){fx_define_resource(fx, T, "float"), 1.0, 3.0, 0};
  fx_define(fx, T, "[constructor]float", float_new, &floats_test_env);
  fx_define(fx, T, "[method]float.get", float_get, &floats_test_env);
  return 0;
}
static int floats_run(fx_t *fx) {
  fx_call_slot(fx, "exports", "[constructor]float", "(22)", NULL, 0);
  fx_call(fx, "exports", "[method]float.get", "($0)", "32");
  fx_call_slot(fx, "exports", "[static]float.add", "($0, 7)", NULL, 1);
  fx_call(fx, "exports", "[method]float.get", "($1)", "59");
  /* top-level add(borrow<float>, borrow<float>) -> float of the host's
   * test:resource-floats/test float: a.get() + b.get() + 5, made by the host */
  fx_obj_t *a = host_slot(fx, 2, floats_test_env.t), *b = host_slot(fx, 3, floats_test_env.t);
  if (!a || !b) return -1;
  a->f = 43;   /* get() gives 46 */
  b->f = 56;   /* get() gives 59 */
  if (fx_call_slot(fx, NULL, "add", "($2, $3)", NULL, 4)) return -1;
  const weft_val_t *res = &fx->slots[4];
  fx_obj_t *o = res->kind == WEFT_VAL_OWN && res->of.res.type == floats_test_env.t ? fx_obj(fx, res->of.res.rep) : NULL;
  if (fx_check(fx, o != NULL, "add(): expected an own<float> of the host's test float type")) return -1;
  fx_check(fx, o->f == 46 + 59 + 5 + 1, "add(): the host float made holds %g, expected %g", o->f,
           46.0 + 59 + 5 + 1);
  return 0;
}

/* ------------------------------------------------- resource import and export */

typedef struct { weft_resource_type_t *t; } rie_env_t;
static int rie_new(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *o;
  if (na != 1 || ret_new_obj(c, r, nr, env, &o)) return 1;
  o->i = (int64_t)a[0].of.u + 1;
  return 0;
}
static int rie_foo(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *o = na == 1 ? arg_obj(c, &a[0], env, "[method]thing.foo") : NULL;
  return o ? ret_int(c, r, nr, o->i + 2) : 1;
}
static int rie_bar(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)r; (void)nr;
  fx_obj_t *o = na == 2 ? arg_obj(c, &a[0], env, "[method]thing.bar") : NULL;
  if (!o) return 1;
  o->i = (int64_t)a[1].of.u + 3;
  return 0;
}
static int rie_baz(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *x = na == 2 ? arg_obj(c, &a[0], env, "[static]thing.baz a") : NULL;
  fx_obj_t *y = x ? arg_obj(c, &a[1], env, "[static]thing.baz b") : NULL, *n;
  if (!y) return 1;
  int64_t v = (x->i + 2) + (y->i + 2) + 4;
  if (ret_new_obj(c, r, nr, env, &n)) return 1;
  n->i = v + 1;
  return 0;
}
static int rie_toplevel(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  if (na != 1 || nr != 1 || !arg_obj(c, &a[0], env, "toplevel-import")) return 1;
  r[0] = a[0];
  return 0;
}
static int rie_setup(fx_t *fx) {
  const char *I = "test:resource-import-and-export/test";
  weft_resource_type_t *t = fx_define_resource(fx, I, "thing");
  fx_define(fx, I, "[constructor]thing", rie_new, t);
  fx_define(fx, I, "[method]thing.foo", rie_foo, t);
  fx_define(fx, I, "[method]thing.bar", rie_bar, t);
  fx_define(fx, I, "[static]thing.baz", rie_baz, t);
  fx_define(fx, NULL, "toplevel-import", rie_toplevel, t);
  return 0;
}
static int rie_run(fx_t *fx) {
  const char *I = "test:resource-import-and-export/test";
  fx_call_slot(fx, I, "[constructor]thing", "(42)", NULL, 0);
  fx_call(fx, I, "[method]thing.foo", "($0)", "48");
  fx_call(fx, I, "[method]thing.bar", "($0, 33)", NULL);
  fx_call(fx, I, "[method]thing.foo", "($0)", "43");
  fx_call_slot(fx, I, "[constructor]thing", "(81)", NULL, 1);
  fx_call_slot(fx, I, "[static]thing.baz", "($0, $1)", NULL, 2);
  fx_call(fx, I, "[method]thing.foo", "($2)", "143");
  /* a host thing through toplevel-export -> toplevel-import and back */
  weft_resource_type_t *t = NULL;
  for (int i = 0; i < fx->ntypes; i++)
    if (!strcmp(fx->types[i].name, "thing")) t = fx->types[i].t;
  fx_obj_t *o = t ? host_slot(fx, 3, t) : NULL;
  if (fx_check(fx, o != NULL, "no host thing type")) return -1;
  o->i = 5;
  char expect[64];
  snprintf(expect, sizeof expect, "own<thing:%llu>", (unsigned long long)fx->slots[3].of.res.rep);
  fx_call(fx, NULL, "toplevel-export", "($3)", expect);
  return 0;
}

/* ------------------------------------------------------------- into inner */

static int into_inner_run(fx_t *fx) {
  fx_call(fx, "test:resource-into-inner/test", "test", "()", NULL);
  return 0;
}

/* --------------------------------------------------------------- with lists */

static int wl_foo(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *o = na == 1 ? arg_obj(c, &a[0], env, "[method]thing.foo") : NULL;
  return o ? ret_text(c, r, nr, o->s ? o->s : "", o->slen, " HostThing.foo") : 1;
}
static int wl_bar(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)r; (void)nr;
  char buf[512];
  fx_obj_t *o = na == 2 ? arg_obj(c, &a[0], env, "[method]thing.bar") : NULL;
  long n = o ? text_of(&a[1], buf, sizeof buf) : -1;
  if (n < 0) { weft_call_trap(c, "test host: bar"); return 1; }
  return set_text(o, buf, (size_t)n, " HostThing.bar") ? 1 : 0;
}
static int wl_baz(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)env;
  char buf[512];
  long n = na == 1 ? text_of(&a[0], buf, sizeof buf) : -1;
  if (n < 0) { weft_call_trap(c, "test host: baz"); return 1; }
  return ret_text(c, r, nr, buf, (size_t)n, " HostThing.baz");
}
static int wl_setup(fx_t *fx) {
  const char *I = "test:resource-with-lists/test";
  weft_resource_type_t *t = fx_define_resource(fx, I, "thing");
  fx_define(fx, I, "[constructor]thing", text_thing_new, t);
  fx_define(fx, I, "[method]thing.foo", wl_foo, t);
  fx_define(fx, I, "[method]thing.bar", wl_bar, t);
  fx_define(fx, I, "[static]thing.baz", wl_baz, t);
  return 0;
}
static int wl_run(fx_t *fx) {
  const char *I = "test:resource-with-lists/test";
  char a[2048], e[2048];
  bytes_text("Hi", a + 1, sizeof a - 2);
  a[0] = '(';
  strcat(a, ")");
  fx_call_slot(fx, I, "[constructor]thing", a, NULL, 0);
  bytes_text("Hi Thing HostThing HostThing.foo Thing.foo", e, sizeof e);
  fx_call(fx, I, "[method]thing.foo", "($0)", e);
  bytes_text("Hola", a + 5, sizeof a - 6);
  memcpy(a, "($0, ", 5);
  strcat(a, ")");
  fx_call(fx, I, "[method]thing.bar", a, NULL);
  bytes_text("Hola Thing.bar HostThing.bar HostThing.foo Thing.foo", e, sizeof e);
  fx_call(fx, I, "[method]thing.foo", "($0)", e);
  bytes_text("Ohayo Gozaimas", a + 1, sizeof a - 2);
  a[0] = '(';
  strcat(a, ")");
  bytes_text("Ohayo Gozaimas Thing.baz HostThing.baz Thing.baz again", e, sizeof e);
  fx_call(fx, I, "[static]thing.baz", a, e);
  fx_drop(fx, 0);
  fx_check(fx, fx->dtor_calls == 1, "dropping the guest thing should drop its host thing: %d host destructor calls",
           fx->dtor_calls);
  return 0;
}

/* -------------------------------------------------------------- aggregates */

/* Sum of the host values of every resource in v (any depth). */
static int64_t sum_res(fx_t *fx, const weft_val_t *v, int *bad) {
  switch (v->kind) {
  case WEFT_VAL_OWN: case WEFT_VAL_BORROW: {
    fx_obj_t *o = fx_obj(fx, v->of.res.rep);
    if (!o) { (*bad)++; return 0; }
    return o->i;
  }
  case WEFT_VAL_LIST: case WEFT_VAL_RECORD: case WEFT_VAL_TUPLE: {
    int64_t s = 0;
    for (size_t i = 0; i < v->of.seq.n; i++) s += sum_res(fx, &v->of.seq.v[i], bad);
    return s;
  }
  case WEFT_VAL_VARIANT: case WEFT_VAL_OPTION: case WEFT_VAL_RESULT:
    return v->of.var.payload ? sum_res(fx, v->of.var.payload, bad) : 0;
  default: return 0;
  }
}
static int agg_foo(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)env;
  fx_t *fx = fx_of(c);
  int bad = 0;
  int64_t s = 3;
  for (size_t i = 0; i < na; i++) s += sum_res(fx, &a[i], &bad);
  if (bad) {
    fx_fail(fx, "foo(): %d resource arguments were not live host objects", bad);
    weft_call_trap(c, "test host");
    return 1;
  }
  return ret_int(c, r, nr, s);
}
static int agg_setup(fx_t *fx) {
  const char *I = "test:resource-aggregates/test";
  weft_resource_type_t *t = fx_define_resource(fx, I, "thing");
  fx_define(fx, I, "[constructor]thing", thing_new_plus2, t);
  fx_define(fx, I, "foo", agg_foo, t);
  return 0;
}
static int agg_run(fx_t *fx) {
  const char *I = "test:resource-aggregates/test";
  for (int i = 1; i <= 17; i++) {
    char a[16];
    snprintf(a, sizeof a, "(%d)", i);
    fx_call_slot(fx, I, "[constructor]thing", a, NULL, i - 1);
  }
  /* sum(i + 1 + 2) over 1..17 = 204, + 3 (host) + 4 (guest) */
  fx_call(fx, I, "foo",
          "({thing: $0}, {thing: $1}, {thing1: $2, thing2: $3}, ($4, {thing: $5}), ($6), thing($7), "
          "thing($8), [$9, $10], [$11, $12], some($13), some($14), ok($15), ok($16))",
          "211");
  return 0;
}

/* ------------------------------------------------------------------ aliases */

static int alias_run(fx_t *fx) {
  const char *E1 = "test:resource-alias/e1", *E2 = "test:resource-alias/e2";
  fx_call_slot(fx, E1, "[constructor]x", "(42)", NULL, 0);
  fx_call(fx, E1, "a", "({x: $0})", "[own<guest>]");
  fx_call_slot(fx, E1, "[constructor]x", "(7)", NULL, 1);
  fx_call_slot(fx, E1, "[constructor]x", "(8)", NULL, 2);
  fx_call_slot(fx, E1, "[constructor]x", "(9)", NULL, 3);
  fx_call(fx, E2, "a", "({x: $1}, {x: $2}, $3)", "[own<guest>, own<guest>]");
  fx_drop(fx, 3);
  return 0;
}

static int redux_a(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  /* a(foo{thing}) -> [thing]; b(foo{thing}, bar{thing}) -> [thing, thing] */
  (void)env;
  if (nr != 1 || na < 1) { weft_call_trap(c, "test host"); return 1; }
  weft_val_t *out = weft_arena_alloc(weft_call_arena(c), na * sizeof *out);
  if (!out) { weft_call_trap(c, "oom"); return 1; }
  for (size_t i = 0; i < na; i++) {
    if (a[i].kind != WEFT_VAL_RECORD || a[i].of.seq.n != 1 || a[i].of.seq.v[0].kind != WEFT_VAL_OWN) {
      fx_fail(fx_of(c), "alias import: argument %zu is not a record with an owned thing", i);
      weft_call_trap(c, "test host");
      return 1;
    }
    out[i] = a[i].of.seq.v[0];
  }
  r[0].kind = WEFT_VAL_LIST;
  r[0].of.seq.v = out;
  r[0].of.seq.n = na;
  return 0;
}
static weft_resource_type_t *redux_type;
static int redux_setup(fx_t *fx) {
  const char *I1 = "test:resource-alias-redux/resource-alias1", *I2 = "test:resource-alias-redux/resource-alias2";
  redux_type = fx_define_resource(fx, I1, "thing");
  fx_define(fx, I1, "[constructor]thing", text_thing_new, redux_type);
  fx_define(fx, I1, "[method]thing.get", text_thing_get, redux_type);
  fx_define(fx, I1, "a", redux_a, redux_type);
  fx_define(fx, I2, "b", redux_a, redux_type);
  return 0;
}
static int redux_run(fx_t *fx) {
  const char *I1 = "test:resource-alias-redux/resource-alias1", *I2 = "test:resource-alias-redux/resource-alias2";
  fx_obj_t *h = host_slot(fx, 0, redux_type);
  if (!h || set_text(h, "Ni Hao", 6, " HostThing")) return fx_check(fx, 0, "host object");
  char expect[64];
  snprintf(expect, sizeof expect, "[own<thing:%llu>]", (unsigned long long)fx->slots[0].of.res.rep);
  fx_call(fx, NULL, "test", "([$0])", expect);
  weft_val_t res;
  fx_call_slot(fx, I1, "[constructor]thing", "(\"Ciao\")", NULL, 1);
  if (call_raw(fx, I1, "a", "({thing: $1})", &res) || list_to_slots(fx, &res, 2, 1, "a()")) return -1;
  fx_call(fx, I1, "[method]thing.get", "($2)", "\"Ciao Thing HostThing HostThing.get Thing.get\"");
  fx_call_slot(fx, I1, "[constructor]thing", "(\"Ciao\")", NULL, 3);
  fx_call_slot(fx, I1, "[constructor]thing", "(\"Aloha\")", NULL, 4);
  if (call_raw(fx, I2, "b", "({thing: $3}, {thing: $4})", &res) || list_to_slots(fx, &res, 5, 2, "b()"))
    return -1;
  fx_call(fx, I1, "[method]thing.get", "($5)", "\"Ciao Thing HostThing HostThing.get Thing.get\"");
  fx_call(fx, I1, "[method]thing.get", "($6)", "\"Aloha Thing HostThing HostThing.get Thing.get\"");
  return 0;
}

/* -------------------------------------------------------- borrow simple */

static int r_new(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)a; (void)na;
  fx_obj_t *o;
  fx_of(c)->n[0]++;
  return ret_new_obj(c, r, nr, env, &o);
}
static int r_test(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)r; (void)nr;
  fx_t *fx = fx_of(c);
  if (na != 1 || !arg_obj(c, &a[0], env, "test")) return 1;
  if (fx_check(fx, a[0].kind == WEFT_VAL_BORROW, "test(r): expected borrow<r>, got %s", weft_vkind_name(a[0].kind))) {
    weft_call_trap(c, "test host");
    return 1;
  }
  fx->n[1]++;
  return 0;
}
static int borrow_simple_setup(fx_t *fx) {
  weft_resource_type_t *t = fx_define_resource(fx, NULL, "r");
  fx_define(fx, NULL, "[constructor]r", r_new, t);
  fx_define(fx, NULL, "test", r_test, t);
  return 0;
}
static int borrow_simple_run(fx_t *fx) {
  fx_call(fx, NULL, "test-imports", "()", NULL);
  fx_check(fx, fx->n[0] == 1 && fx->n[1] == 1, "constructor called %lld times, test %lld times; expected 1, 1",
           (long long)fx->n[0], (long long)fx->n[1]);
  fx_check(fx, fx->dtor_calls == 1, "the guest dropped its r: host destructor ran %d times, expected 1",
           fx->dtor_calls);
  return 0;
}

/* ------------------------------------------------------------- rust xcrate */

static int xc_new(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)a; (void)na;
  fx_obj_t *o;
  return ret_new_obj(c, r, nr, env, &o);
}
static int xc_foo(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)r; (void)nr;
  return na == 1 && arg_obj(c, &a[0], env, "[method]x.foo") ? 0 : 1;
}
static int xcrate_setup(fx_t *fx) {
  const char *ifs[] = {"test:xcrate/a-imports", "test:xcrate/b-imports"};
  for (int i = 0; i < 2; i++) {
    weft_resource_type_t *t = fx_define_resource(fx, ifs[i], "x");
    fx_define(fx, ifs[i], "[constructor]x", xc_new, t);
    fx_define(fx, ifs[i], "[method]x.foo", xc_foo, t);
    fx_define(fx, ifs[i], i ? "b" : "a", fx_count, (void *)(intptr_t)i);
  }
  return 0;
}
static int xcrate_run(fx_t *fx) {
  fx_call(fx, NULL, "b", "()", NULL);
  fx_call_slot(fx, "an-exported-interface", "[constructor]x", "()", NULL, 0);
  fx_call(fx, "an-exported-interface", "[method]x.foo", "($0)", NULL);
  fx_drop(fx, 0);
  return 0;
}

/* ----------------------------------------------------------- jco examples */

static int example_export_run(fx_t *fx) {
  const char *I = "example:component/backend@0.1.0";
  fx_call_slot(fx, I, "[constructor]scalars", "()", NULL, 0);
  fx_call(fx, I, "[static]scalars.get-a", "()", "5");
  fx_call(fx, I, "[method]scalars.get-b", "($0)", "2");
  fx_call(fx, I, "scalar-arg", "($0)", "7");
  return 0;
}

static int ex_get_b(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_obj_t *o = na == 1 ? arg_obj(c, &a[0], env, "[method]scalars.get-b") : NULL;
  return o ? ret_int(c, r, nr, o->i) : 1;
}
static int ex_fetch(weft_call_t *c, void *env, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  fx_t *fx = fx_of(c);
  fx_obj_t *o;
  if (na != 1 || !arg_obj(c, &a[0], env, "fetch")) return 1;
  fx->n[1]++;
  if (ret_new_obj(c, r, nr, env, &o)) return 1;
  o->i = fx->n[0]++;
  return 0;
}
static weft_resource_type_t *ex_type;
static int example_import_setup(fx_t *fx) {
  const char *I = "example2:component/backend@0.1.0";
  ex_type = fx_define_resource(fx, I, "scalars");
  fx_define(fx, I, "[method]scalars.get-b", ex_get_b, ex_type);
  fx_define(fx, I, "fetch", ex_fetch, ex_type);
  return 0;
}
static int example_import_run(fx_t *fx) {
  const char *F = "example2:component/front@0.1.0";
  fx_obj_t *x = host_slot(fx, 0, ex_type), *y = host_slot(fx, 1, ex_type);
  if (!x || !y) return -1;
  x->i = 0;
  y->i = 1;
  fx->n[0] = 2;
  /* handle(s) = fetch(s).get-b() + s.get-b(), fetch making scalars 2, 3, ... */
  fx_call(fx, F, "handle", "($0)", "2");
  fx_call(fx, F, "handle", "($1)", "4");
  fx_check(fx, fx->n[1] == 2, "fetch called %lld times, expected 2", (long long)fx->n[1]);
  return 0;
}

const fx_fixture_t fx_fixtures_resources[] = {
  {"resources", resources_setup, resources_run, NULL, NULL},
  {"resource_borrow_export", NULL, borrow_export_run, NULL, NULL},
  {"resource_borrow_import", borrow_import_setup, borrow_import_run, NULL, NULL},
  {"resource_borrow_in_record", in_record_setup, in_record_run, NULL, NULL},
  {"resource_floats", floats_setup, floats_run, NULL, NULL},
  {"resource_import_and_export", rie_setup, rie_run, NULL, NULL},
  {"resource-import-and-export", rie_setup, rie_run, NULL, NULL},
  {"resource_into_inner", NULL, into_inner_run, NULL, NULL},
  {"resource_with_lists", wl_setup, wl_run, NULL, NULL},
  {"resource_aggregates", agg_setup, agg_run, NULL, NULL},
  {"resource_alias", NULL, alias_run, NULL, NULL},
  {"resource_alias_redux", redux_setup, redux_run, NULL, NULL},
  {"resource_borrow_simple", borrow_simple_setup, borrow_simple_run, NULL, NULL},
  {"resource-borrow-simple", borrow_simple_setup, borrow_simple_run, NULL, NULL},
  {"rust_xcrate", xcrate_setup, xcrate_run, NULL, NULL},
  {"example_guest_export", NULL, example_export_run, NULL, NULL},
  {"example_guest_import", example_import_setup, example_import_run, NULL, NULL},
};
const size_t fx_fixtures_resources_count = N(fx_fixtures_resources);
