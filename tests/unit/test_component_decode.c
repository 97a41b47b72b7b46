/* Focused cases for the component decoder/validator, on binaries built here. */
#include <stdlib.h>
#include <string.h>

#include "component/component.h"
#include "test.h"

typedef struct { uint8_t *b; size_t n, cap; } buf_t;

static void put(buf_t *o, const void *p, size_t n) {
  if (o->n + n > o->cap) {
    size_t nc = (o->cap ? o->cap * 2 : 256) + n;
    o->b = realloc(o->b, nc);
    o->cap = nc;
  }
  memcpy(o->b + o->n, p, n);
  o->n += n;
}
static void byte(buf_t *o, uint8_t v) { put(o, &v, 1); }
static void bytes(buf_t *o, const char *s, size_t n) { put(o, s, n); }
static void u32(buf_t *o, uint32_t v) {
  do {
    uint8_t c = v & 0x7f;
    v >>= 7;
    byte(o, (uint8_t)(c | (v ? 0x80 : 0)));
  } while (v);
}
/* a type index inside a value type is an s33 */
static void s33(buf_t *o, uint32_t v) {
  uint64_t x = v;
  for (;;) {
    uint8_t c = x & 0x7f;
    x >>= 7;
    if (x == 0 && !(c & 0x40)) { byte(o, c); return; }
    byte(o, (uint8_t)(c | 0x80));
  }
}
static void str(buf_t *o, const char *s) { u32(o, (uint32_t)strlen(s)); put(o, s, strlen(s)); }
static void section(buf_t *o, uint8_t id, buf_t *body) {
  byte(o, id);
  u32(o, (uint32_t)body->n);
  put(o, body->b, body->n);
  free(body->b);
  memset(body, 0, sizeof(*body));
}
static buf_t component(void) {
  buf_t b = {0};
  bytes(&b, "\0asm\x0d\0\x01\0", 8);
  return b;
}
static wf_component_t *dec(buf_t *b, wf_error_t *err) {
  wf_component_t *c = wf_component_decode(b->b, b->n, err);
  free(b->b);
  memset(b, 0, sizeof(*b));
  return c;
}

/* A core module exporting "f": () -> i32 (or (i32) -> () when param). */
static void core_module_f(buf_t *o, bool param) {
  buf_t m = {0}, s = {0};
  bytes(&m, "\0asm\x01\0\0\0", 8);
  if (param) bytes(&s, "\x01\x60\x01\x7f\x00", 5);
  else bytes(&s, "\x01\x60\x00\x01\x7f", 5);
  section(&m, 1, &s);
  bytes(&s, "\x01\x00", 2);
  section(&m, 3, &s);
  byte(&s, 1); str(&s, "f"); bytes(&s, "\x00\x00", 2);
  section(&m, 7, &s);
  if (param) bytes(&s, "\x01\x02\x00\x0b", 4);
  else bytes(&s, "\x01\x04\x00\x41\x00\x0b", 6);
  section(&m, 10, &s);
  section(o, 1, &m);
}

/* core instance 0 = instantiate module 0; core func 0 = alias "f". */
static void instance_and_alias(buf_t *c) {
  buf_t s = {0};
  bytes(&s, "\x01\x00\x00\x00", 4); /* 1 instance: instantiate module 0, 0 args */
  section(c, 2, &s);
  bytes(&s, "\x01\x00\x00\x01\x00", 5); /* 1 alias: core func, core export of instance 0 */
  str(&s, "f");
  section(c, 6, &s);
}

WF_TEST(component_empty) {
  buf_t b = component();
  wf_error_t err;
  wf_component_t *c = dec(&b, &err);
  CHECK(c != NULL);
  CHECK_EQ(c->ndefs, 0);
  CHECK_EQ(c->types->v[c->type].kind, WF_CT_COMPONENT);
  CHECK_EQ(c->types->v[c->type].nimports, 0);
  wf_component_free(c);
  wf_component_free(NULL);
}

WF_TEST(component_layer_detection) {
  static const uint8_t core[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  static const uint8_t comp[] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
  static const uint8_t bad[] = {0, 'a', 's', 'm', 0x0c, 0, 1, 0};
  CHECK_EQ(wf_binary_layer(core, 8), 0);
  CHECK_EQ(wf_binary_layer(comp, 8), 1);
  CHECK_EQ(wf_binary_layer(bad, 8), -1);
  wf_error_t err;
  CHECK(wf_component_decode(core, 8, &err) == NULL);
  CHECK(strstr(err.msg, "expected a version header for a component") != NULL);
  CHECK(wf_component_decode(bad, 8, &err) == NULL);
  CHECK(strstr(err.msg, "unknown binary version") != NULL);
  CHECK(wf_component_decode(core, 3, &err) == NULL);
}

WF_TEST(component_types_and_import) {
  buf_t c = component(), s = {0};
  /* type 0 = record { x: u32 }, type 1 = func (param "r" 0) (result string) */
  byte(&s, 2);
  byte(&s, 0x72); byte(&s, 1); str(&s, "x"); byte(&s, 0x79);
  byte(&s, 0x40); byte(&s, 1); str(&s, "r"); byte(&s, 0); byte(&s, 0x00); byte(&s, 0x73);
  section(&c, 7, &s);
  /* import "r" (type (eq 0)), import "f" (func (type 1)) */
  byte(&s, 2);
  byte(&s, 0); str(&s, "r"); bytes(&s, "\x03\x00\x00", 3);
  byte(&s, 0); str(&s, "f"); bytes(&s, "\x01\x01", 2);
  section(&c, 10, &s);
  wf_error_t err;
  wf_component_t *comp = dec(&c, &err);
  /* f uses record 0, which has no name: the import is rejected */
  CHECK(comp == NULL);
  CHECK(strstr(err.msg, "func not valid to be used as import") != NULL);

  c = component();
  byte(&s, 1);
  byte(&s, 0x72); byte(&s, 1); str(&s, "x"); byte(&s, 0x79);
  section(&c, 7, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "r"); bytes(&s, "\x03\x00\x00", 3); /* type 1 = named record */
  section(&c, 10, &s);
  byte(&s, 1);
  byte(&s, 0x40); byte(&s, 1); str(&s, "r"); byte(&s, 1); byte(&s, 0x00); byte(&s, 0x73); /* type 2 */
  section(&c, 7, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "f"); bytes(&s, "\x01\x02", 2);
  section(&c, 10, &s);
  comp = dec(&c, &err);
  CHECK(comp != NULL);
  CHECK_EQ(comp->nspace[WF_SORT_TYPE], 3);
  CHECK_EQ(comp->nspace[WF_SORT_FUNC], 1);
  const wf_ctypes_t *ts = comp->types;
  const wf_ctype_t *rec = &ts->v[comp->space[WF_SORT_TYPE][0]];
  CHECK_EQ(rec->kind, WF_CT_RECORD);
  CHECK_EQ(rec->n, 1);
  CHECK_EQ(rec->fields[0].type, WF_CT_U32);
  const wf_ctype_t *ct = &ts->v[comp->type];
  CHECK_EQ(ct->nimports, 2);
  CHECK_EQ(ct->imports[1].sort, WF_SORT_FUNC);
  CHECK(memcmp(ct->imports[1].name, "f", 1) == 0);
  const wf_ctype_t *ft = &ts->v[ct->imports[1].type];
  CHECK_EQ(ft->kind, WF_CT_FUNC);
  CHECK_EQ(ft->t1, WF_CT_STRING);
  CHECK_EQ(comp->ndefs, 4);
  CHECK_EQ(comp->defs[3].kind, WF_CDEF_IMPORT);
  char text[256];
  wf_ctype_format(ts, comp->type, text, sizeof text);
  CHECK(strcmp(text, "(component (import \"r\" (type (record (field \"x\" u32)))) (import \"f\" (func "
                     "(param \"r\" (record (field \"x\" u32))) (result string))))") == 0);
  char small[16];
  wf_ctype_format(ts, comp->type, small, sizeof small);
  CHECK_EQ(strlen(small), 15);
  wf_component_free(comp);
}

static const char *reject(buf_t *c) {
  static wf_error_t err;
  wf_component_t *comp = dec(c, &err);
  if (comp) { wf_component_free(comp); return "accepted"; }
  return err.msg;
}

WF_TEST(component_names) {
  buf_t c = component(), s = {0};
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); bytes(&s, "\x01\x00", 2);
  section(&c, 7, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "aBc"); bytes(&s, "\x01\x00", 2);
  section(&c, 10, &s);
  CHECK(strstr(reject(&c), "is not in kebab case") != NULL);

  c = component();
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); bytes(&s, "\x01\x00", 2);
  section(&c, 7, &s);
  byte(&s, 2);
  byte(&s, 0); str(&s, "foo-bar"); bytes(&s, "\x01\x00", 2);
  byte(&s, 0); str(&s, "FOO-bar"); bytes(&s, "\x01\x00", 2);
  section(&c, 10, &s);
  CHECK(strstr(reject(&c), "conflicts with previous name") != NULL);

  c = component();
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); bytes(&s, "\x01\x00", 2);
  section(&c, 7, &s);
  byte(&s, 2);
  byte(&s, 0); str(&s, "wasi:http/types@0.2.0"); bytes(&s, "\x01\x00", 2);
  byte(&s, 0); str(&s, "wasi:http/types@0.2.0-rc.1+b"); bytes(&s, "\x01\x00", 2);
  section(&c, 10, &s);
  wf_error_t err;
  wf_component_t *comp = dec(&c, &err);
  CHECK(comp != NULL);
  wf_component_free(comp);

  c = component();
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); bytes(&s, "\x01\x00", 2);
  section(&c, 7, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "a:b/c@1."); bytes(&s, "\x01\x00", 2);
  section(&c, 10, &s);
  CHECK(strstr(reject(&c), "unexpected end of input") != NULL);

  /* versionsuffix: canonical version + suffix must be a valid semver */
  c = component();
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); bytes(&s, "\x01\x00", 2);
  section(&c, 7, &s);
  byte(&s, 1); byte(&s, 2); str(&s, "a:b/c@0.2"); byte(&s, 1); byte(&s, 1); str(&s, ".6-rc.1"); bytes(&s, "\x01\x00", 2);
  section(&c, 10, &s);
  comp = dec(&c, &err);
  CHECK(comp != NULL);
  wf_component_free(comp);
  c = component();
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); bytes(&s, "\x01\x00", 2);
  section(&c, 7, &s);
  byte(&s, 1); byte(&s, 2); str(&s, "a:b/c@0.2.6"); byte(&s, 1); byte(&s, 1); str(&s, "-rc"); bytes(&s, "\x01\x00", 2);
  section(&c, 10, &s);
  CHECK(strstr(reject(&c), "canonical interface version") != NULL);
}

WF_TEST(component_resource_rules) {
  /* a resource type inside an instance type */
  buf_t c = component(), s = {0};
  byte(&s, 1); byte(&s, 0x42); byte(&s, 1); byte(&s, 0x01); bytes(&s, "\x3f\x7f\x00", 3);
  section(&c, 7, &s);
  CHECK(strstr(reject(&c), "resources can only be defined within a concrete component") != NULL);

  /* resource.new of an imported resource */
  c = component();
  byte(&s, 1); byte(&s, 0); str(&s, "r"); bytes(&s, "\x03\x01", 2);
  section(&c, 10, &s);
  bytes(&s, "\x01\x02\x00", 3);
  section(&c, 8, &s);
  CHECK(strstr(reject(&c), "not a local resource") != NULL);

  /* resource.new / drop / rep of a local one */
  c = component();
  bytes(&s, "\x01\x3f\x7f\x00", 4);
  section(&c, 7, &s);
  bytes(&s, "\x03\x02\x00\x03\x00\x04\x00", 7);
  section(&c, 8, &s);
  wf_error_t err;
  wf_component_t *comp = dec(&c, &err);
  CHECK(comp != NULL);
  CHECK_EQ(comp->nspace[WF_SORT_CORE_FUNC], 3);
  const wf_ctype_t *drop = &comp->types->v[comp->space[WF_SORT_CORE_FUNC][1]];
  CHECK_EQ(drop->core.nparams, 1);
  CHECK_EQ(drop->core.nresults, 0);
  CHECK_EQ(comp->defs[2].u.canon.kind, WF_CANON_RESOURCE_DROP);
  wf_component_free(comp);
}

WF_TEST(component_canon_lift) {
  /* lift core "f": () -> i32 as func () -> u32: fine */
  buf_t c = component(), s = {0};
  core_module_f(&c, false);
  instance_and_alias(&c);
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); byte(&s, 0); byte(&s, 0x79);
  section(&c, 7, &s);
  bytes(&s, "\x01\x00\x00\x00\x00\x00", 6); /* lift core func 0, no opts, type 0 */
  section(&c, 8, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "run"); bytes(&s, "\x01\x00\x00", 3); /* export func 0 */
  section(&c, 11, &s);
  wf_error_t err;
  wf_component_t *comp = dec(&c, &err);
  CHECK(comp != NULL);
  CHECK_EQ(comp->nspace[WF_SORT_FUNC], 2); /* the lifted one and the export's */
  CHECK_EQ(comp->types->v[comp->type].nexports, 1);
  CHECK(comp->defs[0].u.core_module.module != NULL);
  wf_component_free(comp);

  /* as func (param "a" u32) -> u32: signature mismatch */
  c = component();
  core_module_f(&c, false);
  instance_and_alias(&c);
  byte(&s, 1); byte(&s, 0x40); byte(&s, 1); str(&s, "a"); byte(&s, 0x79); byte(&s, 0); byte(&s, 0x79);
  section(&c, 7, &s);
  bytes(&s, "\x01\x00\x00\x00\x00\x00", 6);
  section(&c, 8, &s);
  CHECK(strstr(reject(&c), "lowered parameter types") != NULL);

  /* as func (param "s" string): needs memory and realloc */
  c = component();
  core_module_f(&c, false);
  instance_and_alias(&c);
  byte(&s, 1); byte(&s, 0x40); byte(&s, 1); str(&s, "s"); byte(&s, 0x73); byte(&s, 1); byte(&s, 0);
  section(&c, 7, &s);
  bytes(&s, "\x01\x00\x00\x00\x00\x00", 6);
  section(&c, 8, &s);
  CHECK(strstr(reject(&c), "canonical option `memory` is required") != NULL);
}

WF_TEST(component_flatten) {
  buf_t c = component(), s = {0};
  /* func (param "a" string) (param "b" u64) (result string) */
  byte(&s, 1); byte(&s, 0x40); byte(&s, 2); str(&s, "a"); byte(&s, 0x73); str(&s, "b"); byte(&s, 0x77);
  byte(&s, 0); byte(&s, 0x73);
  section(&c, 7, &s);
  wf_error_t err;
  wf_component_t *comp = dec(&c, &err);
  CHECK(comp != NULL);
  uint8_t p[20], r[20];
  uint32_t np, nr;
  CHECK(wf_ctype_flatten_func(comp->types, comp->space[WF_SORT_TYPE][0], true, p, &np, r, &nr, 20));
  CHECK_EQ(np, 3);
  CHECK_EQ(p[2], 0x7E);
  CHECK_EQ(nr, 1);
  CHECK_EQ(r[0], 0x7F);
  CHECK(wf_ctype_flatten_func(comp->types, comp->space[WF_SORT_TYPE][0], false, p, &np, r, &nr, 20));
  CHECK_EQ(np, 4);
  CHECK_EQ(nr, 0);
  wf_component_free(comp);
}

WF_TEST(component_instantiate_checks) {
  /* component 0 imports "f" (func (param "x" u32)); instantiate it with a
   * func of another type */
  buf_t c = component(), s = {0}, inner = component();
  byte(&s, 1); byte(&s, 0x40); byte(&s, 1); str(&s, "x"); byte(&s, 0x79); byte(&s, 1); byte(&s, 0);
  section(&inner, 7, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "f"); bytes(&s, "\x01\x00", 2);
  section(&inner, 10, &s);
  section(&c, 4, &inner);
  byte(&s, 1); byte(&s, 0x40); byte(&s, 1); str(&s, "y"); byte(&s, 0x79); byte(&s, 1); byte(&s, 0);
  section(&c, 7, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "g"); bytes(&s, "\x01\x00", 2);
  section(&c, 10, &s);
  byte(&s, 1); byte(&s, 0x00); byte(&s, 0x00); byte(&s, 1); str(&s, "f"); bytes(&s, "\x01\x00", 2);
  section(&c, 5, &s);
  CHECK(strstr(reject(&c), "expected parameter named `x`, found `y`") != NULL);

  /* missing argument */
  c = component();
  inner = component();
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); byte(&s, 1); byte(&s, 0);
  section(&inner, 7, &s);
  byte(&s, 1); byte(&s, 0); str(&s, "f"); bytes(&s, "\x01\x00", 2);
  section(&inner, 10, &s);
  section(&c, 4, &inner);
  bytes(&s, "\x01\x00\x00\x00", 4);
  section(&c, 5, &s);
  CHECK(strstr(reject(&c), "missing import named `f`") != NULL);
}

WF_TEST(component_outer_alias) {
  buf_t c = component(), s = {0};
  bytes(&s, "\x01\x03\x02\x05\x00", 5); /* alias outer 5 0 (type) */
  section(&c, 6, &s);
  CHECK(strstr(reject(&c), "invalid outer alias count") != NULL);

  /* a nested component may alias an outer type without resources */
  c = component();
  bytes(&s, "\x01\x70\x79", 3); /* type 0 = list u32 */
  section(&c, 7, &s);
  buf_t inner = component();
  bytes(&s, "\x01\x03\x02\x01\x00", 5);
  section(&inner, 6, &s);
  section(&c, 4, &inner);
  wf_error_t err;
  wf_component_t *comp = dec(&c, &err);
  CHECK(comp != NULL);
  wf_component_free(comp);

  /* ...but not a resource type */
  c = component();
  bytes(&s, "\x01\x3f\x7f\x00", 4);
  section(&c, 7, &s);
  inner = component();
  bytes(&s, "\x01\x03\x02\x01\x00", 5);
  section(&inner, 6, &s);
  section(&c, 4, &inner);
  CHECK(strstr(reject(&c), "refers to resources") != NULL);
}

WF_TEST(component_hostile) {
  /* nesting 300 components deep is refused, not a stack overflow */
  buf_t c = component();
  for (int i = 0; i < 300; i++) {
    buf_t outer = component();
    section(&outer, 4, &c);
    c = outer;
  }
  CHECK(strstr(reject(&c), "nesting too deep") != NULL);

  /* a vector count far larger than the bytes left */
  c = component();
  buf_t s = {0};
  bytes(&s, "\xff\xff\xff\xff\x0f\x7f", 6);
  section(&c, 7, &s);
  CHECK(strstr(reject(&c), "unexpected end") != NULL);

  /* a section size past the end */
  c = component();
  bytes(&c, "\x07\x10\x00", 3);
  CHECK(strstr(reject(&c), "unexpected end") != NULL);

  /* every truncation of a valid component is rejected cleanly */
  buf_t full = component();
  core_module_f(&full, false);
  instance_and_alias(&full);
  byte(&s, 1); byte(&s, 0x40); byte(&s, 0); byte(&s, 0); byte(&s, 0x79);
  section(&full, 7, &s);
  bytes(&s, "\x01\x00\x00\x00\x00\x00", 6);
  section(&full, 8, &s);
  for (size_t n = 8; n < full.n; n++) {
    wf_error_t err;
    wf_component_t *comp = wf_component_decode(full.b, n, &err);
    if (comp) {  /* only whole sections may end a component */
      wf_component_free(comp);
      continue;
    }
    CHECK(err.failed);
  }
  wf_error_t err;
  wf_component_t *comp = wf_component_decode(full.b, full.n, &err);
  CHECK(comp != NULL);
  wf_component_free(comp);
  free(full.b);

  /* deeply nested value types are refused */
  c = component();
  u32(&s, 250);
  byte(&s, 0x70); byte(&s, 0x79);
  for (uint32_t i = 1; i < 250; i++) { byte(&s, 0x70); s33(&s, i - 1); }
  section(&c, 7, &s);
  CHECK(strstr(reject(&c), "too deep") != NULL);
}

WF_TEST(component_async_and_gc_types) {
  /* stream<u8>, future (no payload), error-context, list<u8; 3>, map<string, u32>, async func */
  buf_t c = component(), s = {0};
  byte(&s, 6);
  bytes(&s, "\x66\x01\x7d", 3);
  bytes(&s, "\x65\x00", 2);
  bytes(&s, "\x70\x64", 2);
  bytes(&s, "\x67\x7d\x03", 3);
  bytes(&s, "\x63\x73\x79", 3);
  bytes(&s, "\x43\x00\x01\x00", 4);
  section(&c, 7, &s);
  /* a final core subtype of a function type */
  bytes(&s, "\x01\x4f\x00\x60\x00\x00", 6);
  section(&c, 3, &s);
  /* context.get i32 0, backpressure.inc, waitable-set.new, stream.new 0 */
  bytes(&s, "\x04\x0a\x7f\x00\x24\x1f\x0e\x00", 8);
  section(&c, 8, &s);
  wf_error_t err;
  wf_component_t *comp = dec(&c, &err);
  CHECK(comp != NULL);
  const wf_ctypes_t *ts = comp->types;
  CHECK_EQ(ts->v[comp->space[WF_SORT_TYPE][0]].kind, WF_CT_STREAM);
  CHECK_EQ(ts->v[comp->space[WF_SORT_TYPE][0]].t1, WF_CT_U8);
  CHECK_EQ(ts->v[comp->space[WF_SORT_TYPE][1]].t1, WF_CTID_NONE);
  CHECK_EQ(ts->v[comp->space[WF_SORT_TYPE][2]].t1, WF_CT_ERROR_CONTEXT);
  CHECK_EQ(ts->v[comp->space[WF_SORT_TYPE][3]].len, 3);
  CHECK_EQ(ts->v[comp->space[WF_SORT_TYPE][4]].kind, WF_CT_MAP);
  CHECK(ts->v[comp->space[WF_SORT_TYPE][5]].is_async);
  CHECK_EQ(ts->v[comp->space[WF_SORT_CORE_TYPE][0]].kind, WF_CT_CORE_FUNC);
  CHECK_EQ(comp->nspace[WF_SORT_CORE_FUNC], 4);
  const wf_ctype_t *get = &ts->v[comp->space[WF_SORT_CORE_FUNC][0]];
  CHECK_EQ(get->core.nparams, 0);
  CHECK_EQ(get->core.nresults, 1);
  const wf_ctype_t *snew = &ts->v[comp->space[WF_SORT_CORE_FUNC][3]];
  CHECK_EQ(snew->core.results[0], 0x7E);
  wf_component_free(comp);

  /* stream.new of a non-stream type; a flag byte that is not 0/1 */
  c = component();
  bytes(&s, "\x01\x70\x7d", 3);
  section(&c, 7, &s);
  bytes(&s, "\x01\x0e\x00", 3);
  section(&c, 8, &s);
  CHECK(strstr(reject(&c), "is not a stream type") != NULL);
  c = component();
  bytes(&s, "\x01\x0c\x02", 3);
  section(&c, 8, &s);
  CHECK(strstr(reject(&c), "invalid boolean value") != NULL);
  /* borrow inside a stream */
  c = component();
  bytes(&s, "\x03\x3f\x7f\x00\x68\x00\x66\x01\x01", 9);
  section(&c, 7, &s);
  CHECK(strstr(reject(&c), "cannot contain a `borrow`") != NULL);
}
