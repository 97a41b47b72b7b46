/* WIT parser/resolver unit tests (the corpus runs in tests/cli/wit.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "wit/wit.h"

static wf_wit_t *parse(const char *text, wf_error_t *e) {
  memset(e, 0, sizeof *e);
  return wf_wit_parse_string("t.wit", text, e);
}

WF_TEST(wit_interface_types_and_funcs) {
  wf_error_t e;
  wf_wit_t *w = parse(
      "package a:b@1.2.3;\n"
      "interface i {\n"
      "  record point { x: s32, y: s32 }\n"
      "  type pts = list<point>;\n"
      "  resource file {\n"
      "    constructor(name: string);\n"
      "    read: func(n: u32) -> result<list<u8>, string>;\n"
      "    open: static func(p: string) -> file;\n"
      "  }\n"
      "  sum: func(p: pts) -> s64;\n"
      "}\n", &e);
  CHECK(w != NULL);
  int32_t p = wf_wit_find_package(w, "a:b");
  CHECK(p >= 0);
  CHECK(strcmp(w->packages[p].id, "a:b@1.2.3") == 0);
  int32_t i = wf_wit_find_interface(w, p, "i");
  CHECK(i >= 0);
  CHECK_EQ(wf_wit_find_interface_id(w, "a:b/i@1.2.3"), i);
  int32_t pt = wf_wit_find_type(w, (uint32_t)i, "point");
  CHECK(pt >= 0);
  CHECK_EQ(w->types[pt].kind, WF_WIT_TYPE_RECORD);
  CHECK_EQ(w->types[pt].nfields, 2);
  int32_t pts = wf_wit_find_type(w, (uint32_t)i, "pts");
  CHECK_EQ(w->types[pts].kind, WF_WIT_TYPE_LIST);
  CHECK_EQ(w->types[pts].a, pt);
  const wf_wit_func_t *rd = wf_wit_find_func(w, (uint32_t)i, "[method]file.read");
  CHECK(rd != NULL);
  CHECK_EQ(rd->kind, WF_WIT_FUNC_METHOD);
  CHECK_EQ(rd->nparams, 2);
  CHECK(strcmp(rd->params[0].name, "self") == 0);
  CHECK_EQ(w->types[rd->params[0].type].kind, WF_WIT_TYPE_BORROW);
  const wf_wit_func_t *ctor = wf_wit_find_func(w, (uint32_t)i, "[constructor]file");
  CHECK(ctor != NULL);
  CHECK_EQ(w->types[ctor->result].kind, WF_WIT_TYPE_OWN);
  const wf_wit_func_t *op = wf_wit_find_func(w, (uint32_t)i, "[static]file.open");
  CHECK(op != NULL);
  CHECK_EQ(w->types[op->result].kind, WF_WIT_TYPE_OWN); /* a bare resource name is own<R> */
  const wf_wit_func_t *sum = wf_wit_find_func(w, (uint32_t)i, "sum");
  CHECK(sum != NULL);
  CHECK_EQ(sum->result, WF_WIT_PRIM_REF(WF_WIT_S64));
  wf_wit_free(w);
}

WF_TEST(wit_use_and_world_elaboration) {
  wf_error_t e;
  wf_wit_t *w = parse(
      "package a:b;\n"
      "world w { import user; export run: func(); }\n"
      "interface user { use types.{t as u}; f: func(x: u); }\n"
      "interface types { type t = u32; }\n", &e);
  CHECK(w != NULL);
  int32_t user = wf_wit_find_interface(w, 0, "user");
  int32_t types = wf_wit_find_interface(w, 0, "types");
  CHECK(types >= 0 && user >= 0);
  CHECK(types < user); /* dependency order */
  int32_t u = wf_wit_find_type(w, (uint32_t)user, "u");
  CHECK_EQ(w->types[u].kind, WF_WIT_TYPE_ALIAS);
  CHECK_EQ(wf_wit_unalias(w, u), WF_WIT_PRIM_REF(WF_WIT_U32));
  int32_t wi = wf_wit_find_world(w, 0, "w");
  CHECK(wi >= 0);
  CHECK_EQ(w->worlds[wi].nimports, 2); /* types is imported implicitly, first */
  CHECK(strcmp(w->worlds[wi].imports[0].key, "a:b/types") == 0);
  CHECK(strcmp(w->worlds[wi].imports[1].key, "a:b/user") == 0);
  CHECK_EQ(w->worlds[wi].nexports, 1);
  CHECK_EQ(w->worlds[wi].exports[0].kind, WF_WIT_ITEM_FUNC);
  const wf_wit_world_item_t *it = wf_wit_find_world_item(w, (uint32_t)wi, 0, "a:b/user");
  CHECK(it != NULL);
  CHECK_EQ(it->index, user);
  CHECK(wf_wit_find_world_item(w, (uint32_t)wi, 1, "run") != NULL);
  CHECK(wf_wit_find_world_item(w, (uint32_t)wi, 1, "nope") == NULL);
  wf_wit_free(w);
}

WF_TEST(wit_error_positions) {
  wf_error_t e;
  CHECK(parse("package a:b;\ninterface i {\n  f: func(x: nope);\n}\n", &e) == NULL);
  CHECK(strcmp(e.msg, "t.wit:3:14: name `nope` does not exist") == 0);
  CHECK(parse("package a:b;\ninterface i { type a = b; type b = a; }\n", &e) == NULL);
  CHECK(strstr(e.msg, "depends on itself") != NULL);
  CHECK(parse("package a:b;\ninterface Bad-Name {}\n", &e) == NULL);
  CHECK(strstr(e.msg, "kebab-case") != NULL);
  CHECK(parse("package a:b;\ninterface i { f: func() -> borrow<r>; resource r; }\n", &e) == NULL);
  CHECK(strstr(e.msg, "borrow<T>") != NULL);
  CHECK(parse("interface i {}\n", &e) == NULL);
  CHECK(strstr(e.msg, "no `package` header") != NULL);
}

WF_TEST(wit_escaped_keywords) {
  wf_error_t e;
  wf_wit_t *w = parse("package a:%interface;\ninterface %type { %record: func(%list: u8); }\n", &e);
  CHECK(w != NULL);
  CHECK(wf_wit_find_interface(w, 0, "type") >= 0);
  wf_wit_free(w);
}

WF_TEST(wit_feature_gates) {
  const char *src =
      "package a:b@1.0.0;\n"
      "interface i {\n"
      "  @unstable(feature = fancy) f: func();\n"
      "  @since(version = 1.0.0) g: func();\n"
      "}\n";
  wf_error_t e = {0};
  wf_wit_t *w = wf_wit_parse_buffer("t.wit", src, strlen(src), NULL, &e);
  CHECK(w != NULL);
  CHECK(wf_wit_find_func(w, 0, "f") == NULL);
  CHECK(wf_wit_find_func(w, 0, "g") != NULL);
  CHECK_EQ(wf_wit_find_func(w, 0, "g")->gate.kind, 1);
  wf_wit_free(w);
  wf_wit_opts_t o = {"other,fancy", 0};
  w = wf_wit_parse_buffer("t.wit", src, strlen(src), &o, &e);
  CHECK(w != NULL);
  CHECK(wf_wit_find_func(w, 0, "f") != NULL);
  wf_wit_free(w);
  CHECK(parse("package a:b@1.0.0;\n@since(version = 2.0.0) interface i {}\n", &e) == NULL);
  CHECK(strstr(e.msg, "unreleased version 2.0.0") != NULL);
}

static char *repeat_wrap(int n, const char *open, const char *mid, const char *close) {
  size_t len = strlen(mid) + (size_t)n * (strlen(open) + strlen(close)) + 1;
  char *s = malloc(len);
  s[0] = 0;
  for (int i = 0; i < n; i++) strcat(s, open);
  strcat(s, mid);
  for (int i = 0; i < n; i++) strcat(s, close);
  return s;
}

WF_TEST(wit_hostile_nesting) {
  wf_error_t e;
  char *deep = repeat_wrap(5000, "list<", "u8", ">");
  size_t n = strlen(deep) + 100;
  char *src = malloc(n);
  snprintf(src, n, "package a:b;\ninterface i { type t = %s; }\n", deep);
  CHECK(parse(src, &e) == NULL);
  CHECK(strstr(e.msg, "type nesting too deep") != NULL);
  free(deep);
  deep = repeat_wrap(50, "option<", "u8", ">");
  snprintf(src, n, "package a:b;\ninterface i { type t = %s; }\n", deep);
  wf_wit_t *w = parse(src, &e);
  CHECK(w != NULL);
  wf_wit_free(w);
  free(deep);
  free(src);
}

WF_TEST(wit_long_chains) {
  /* 20000 aliases in a chain and a 20000-long cycle: no recursion on them */
  enum { N = 20000 };
  size_t cap = (size_t)N * 40 + 100;
  char *src = malloc(cap);
  for (int cyc = 0; cyc < 2; cyc++) {
    size_t o = (size_t)snprintf(src, cap, "package a:b;\ninterface i {\n");
    for (int i = 0; i + 1 < N; i++) o += (size_t)snprintf(src + o, cap - o, "type t%d = t%d;\n", i, i + 1);
    o += (size_t)snprintf(src + o, cap - o, "type t%d = %s;\n", N - 1, cyc ? "t0" : "u32");
    snprintf(src + o, cap - o, "}\n");
    wf_error_t e;
    wf_wit_t *w = parse(src, &e);
    if (cyc) {
      CHECK(w == NULL);
      CHECK(strstr(e.msg, "depends on itself") != NULL);
    } else {
      CHECK(w != NULL);
      CHECK_EQ(wf_wit_unalias(w, wf_wit_find_type(w, 0, "t0")), WF_WIT_PRIM_REF(WF_WIT_U32));
      wf_wit_free(w);
    }
  }
  /* a long chain of interfaces using each other is capped, not a crash */
  size_t o = (size_t)snprintf(src, cap, "package a:b;\n");
  for (int i = 0; i < 3000; i++)
    o += (size_t)snprintf(src + o, cap - o, "interface i%d { use i%d.{t}; }\n", i, i + 1);
  snprintf(src + o, cap - o, "interface i3000 { type t = u8; }\n");
  wf_error_t e;
  CHECK(parse(src, &e) == NULL);
  CHECK(strstr(e.msg, "too deeply") != NULL);
  free(src);
}

WF_TEST(wit_print_roundtrip) {
  wf_error_t e;
  wf_wit_t *w = parse(
      "package x:y@0.1.0;\n"
      "/// docs\n"
      "interface api {\n"
      "  variant v { a, b(u32) }\n"
      "  flags f { r, w }\n"
      "  enum c { one, two }\n"
      "  resource h { constructor(); get: func() -> option<string>; }\n"
      "  call: func(x: borrow<h>, y: tuple<u8, f>) -> result<_, v>;\n"
      "}\n"
      "world app { import api; export go: func() -> list<u8, 4>; }\n", &e);
  CHECK(w != NULL);
  char *txt = wf_wit_print(w);
  CHECK(txt != NULL);
  CHECK(strstr(txt, "package x:y@0.1.0;") != NULL);
  CHECK(strstr(txt, "resource h {") != NULL);
  wf_wit_t *w2 = parse(txt, &e);
  CHECK(w2 != NULL);
  CHECK_EQ(w2->ntypes, w->ntypes);
  CHECK_EQ(w2->ninterfaces, w->ninterfaces);
  CHECK_EQ(w2->worlds[0].nimports, w->worlds[0].nimports);
  free(txt);
  wf_wit_free(w2);
  wf_wit_free(w);
}

WF_TEST(wit_nested_packages) {
  wf_error_t e;
  wf_wit_t *w = parse(
      "package root:main;\n"
      "package dep:one@1.0.0 { interface t { type x = u8; } }\n"
      "interface user { use dep:one/t@1.0.0.{x}; }\n", &e);
  CHECK(w != NULL);
  CHECK_EQ(w->npackages, 2);
  CHECK(strcmp(w->packages[0].id, "dep:one@1.0.0") == 0); /* deps first */
  wf_wit_free(w);
  CHECK(parse("package a:b;\npackage c:d { package e:f {} }\n", &e) == NULL);
  CHECK(strstr(e.msg, "nested packages must be placed at the top-level") != NULL);
}
