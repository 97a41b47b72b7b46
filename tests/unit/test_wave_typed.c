/* Typed WAVE (src/component/wave_typed.c) and type introspection
 * (src/api/ctypes_api.c): the types come from a small hand-encoded
 * component whose type section defines one of each kind. */
#include <stdlib.h>
#include <string.h>

#include "component/crt.h"
#include "test.h"

/* Type indices of the component below. */
enum {
  T_OPT_U8, T_POINT, T_REC, T_VAR, T_LIST_STR, T_TUPLE, T_ENUM, T_FLAGS, T_RES, T_RES_NONE,
  T_OPT_OPT, T_RES_ERR, T_ALL_OPT, T_FUNC, T_LIST_U8, T_BIG_ENUM, T_LIST_BIG, T_COUNT
};

static const uint8_t types_component[] = {
    0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00,   /* component preamble */
    0x07, 148, 1, 17,                                  /* type section: 148 bytes, 17 types */
    0x6b, 0x7d,                                        /* 0 option<u8> */
    0x72, 0x02, 1, 'x', 0x7a, 1, 'y', 0x7a,            /* 1 record { x: s32, y: s32 } */
    0x72, 0x02, 1, 'a', 0x7d, 1, 'b', 0x00,            /* 2 record { a: u8, b: option<u8> } */
    0x71, 0x03,                                        /* 3 variant { c(u32), d, err(string) } */
    1, 'c', 0x01, 0x79, 0x00,
    1, 'd', 0x00, 0x00,
    3, 'e', 'r', 'r', 0x01, 0x73, 0x00,
    0x70, 0x73,                                        /* 4 list<string> */
    0x6f, 0x02, 0x7d, 0x73,                            /* 5 tuple<u8, string> */
    0x6d, 0x02, 3, 'r', 'e', 'd', 2, 'o', 'k',         /* 6 enum { red, ok } */
    0x6e, 0x03, 4, 'r', 'e', 'a', 'd', 5, 'w', 'r', 'i', 't', 'e',
    4, 'e', 'x', 'e', 'c',                             /* 7 flags { read, write, exec } */
    0x6a, 0x01, 0x79, 0x01, 0x73,                      /* 8 result<u32, string> */
    0x6a, 0x00, 0x00,                                  /* 9 result */
    0x6b, 0x00,                                        /* 10 option<option<u8>> */
    0x6a, 0x00, 0x01, 0x73,                            /* 11 result<_, string> */
    0x72, 0x01, 1, 'o', 0x00,                          /* 12 record { o: option<u8> } */
    0x40, 0x03, 1, 'a', 0x7d, 1, 'b', 0x00, 1, 'c', 0x00,
    0x00, 0x73,                                        /* 13 func(a: u8, b, c: option<u8>) -> string */
    0x70, 0x7d,                                        /* 14 list<u8> */
    0x6d, 20, 1, 't', 1, 's', 1, 'r', 1, 'q', 1, 'p', 1, 'o', 1, 'n', 1, 'm', 1, 'l', 1, 'k',
    1, 'j', 1, 'i', 1, 'h', 1, 'g', 1, 'f', 1, 'e', 1, 'd', 1, 'c', 1, 'b', 1, 'a',   /* 15 enum { t, ..., a } */
    0x70, 15,                                          /* 16 list<type 15> */
};

typedef struct {
  wf_component_t *comp;
  weft_type_t t[T_COUNT];
  weft_arena_t *arena;
  wf_cinst_t inst;     /* just enough of an instance for weft_wave_parse_call */
  wf_cfunc_t func;
} fixture_t;

static int fixture_init(fixture_t *fx) {
  memset(fx, 0, sizeof *fx);
  wf_error_t err;
  wf_error_clear(&err);
  fx->comp = wf_component_decode(types_component, sizeof types_component, &err);
  if (!fx->comp) {
    fprintf(stderr, "  test component: %s\n", err.msg);
    return 0;
  }
  if (fx->comp->nspace[WF_SORT_TYPE] != T_COUNT) return 0;
  for (int i = 0; i < T_COUNT; i++) {
    fx->t[i].table = fx->comp->types;
    fx->t[i].id = fx->comp->space[WF_SORT_TYPE][i];
  }
  fx->arena = weft_arena_new();
  fx->inst.comp = fx->comp;
  fx->func.inst = &fx->inst;
  fx->func.type = fx->comp->space[WF_SORT_TYPE][T_FUNC];
  return fx->arena != NULL;
}

static void fixture_fini(fixture_t *fx) {
  weft_arena_free(fx->arena);
  wf_component_free(fx->comp);
}

static weft_type_t prim(fixture_t *fx, wf_ctid_t id) {
  weft_type_t t = {fx->comp->types, id};
  return t;
}

/* Parses text as t and prints it back; 1 if the output is `want`. */
static int round_trip(fixture_t *fx, weft_type_t t, const char *text, const char *want) {
  weft_val_t v;
  weft_error_t err;
  if (weft_wave_parse(t, text, strlen(text), fx->arena, &v, &err) != WEFT_OK) {
    fprintf(stderr, "  parse %s: %s\n", text, err.message);
    return 0;
  }
  char buf[1024];
  size_t n = weft_wave_print(t, &v, buf, sizeof buf);
  if (n != strlen(want) || strcmp(buf, want) != 0) {
    fprintf(stderr, "  %s printed as %s, expected %s\n", text, buf, want);
    return 0;
  }
  /* The canonical text reads back to the same text. */
  if (weft_wave_parse(t, buf, n, fx->arena, &v, &err) != WEFT_OK) {
    fprintf(stderr, "  re-parse %s: %s\n", buf, err.message);
    return 0;
  }
  char buf2[1024];
  weft_wave_print(t, &v, buf2, sizeof buf2);
  if (strcmp(buf, buf2) != 0) {
    fprintf(stderr, "  %s re-printed as %s\n", buf, buf2);
    return 0;
  }
  return 1;
}

/* 1 if parsing fails with a message containing `want`. */
static int rejects(fixture_t *fx, weft_type_t t, const char *text, const char *want) {
  weft_val_t v;
  weft_error_t err;
  weft_status_t st = weft_wave_parse(t, text, strlen(text), fx->arena, &v, &err);
  if (st == WEFT_OK) {
    fprintf(stderr, "  %s was accepted\n", text);
    return 0;
  }
  if (st != WEFT_ERR_INVALID || !strstr(err.message, want)) {
    fprintf(stderr, "  %s: status %d, message '%s', expected '%s'\n", text, (int)st, err.message, want);
    return 0;
  }
  return 1;
}

WF_TEST(wave_typed_integers) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_U8), "255", "255"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_U8), " 0 ", "0"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_S8), "-128", "-128"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_S16), "-32768", "-32768"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_U16), "65535", "65535"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_S32), "-2147483648", "-2147483648"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_U32), "4294967295", "4294967295"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_S64), "-9223372036854775808", "-9223372036854775808"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_S64), "9223372036854775807", "9223372036854775807"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_U64), "18446744073709551615", "18446744073709551615"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "256", "col 1: expected u8, found 256 (out of range)"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "-1", "expected u8, found -1"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_S8), "128", "expected s8, found 128"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_S8), "-129", "expected s8, found -129"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U32), "4294967296", "out of range"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_S64), "9223372036854775808", "out of range"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U64), "18446744073709551616", "out of range"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U64), "99999999999999999999999", "out of range"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "1.5", "expected u8, found 1.5"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "1e2", "expected u8, found 1e2"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "\"7\"", "expected u8, found a string"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "true", "expected u8, found true"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "  x7", "col 3: expected u8, found x7"));
  /* Syntax errors come from the untyped parser, with their column. */
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "01", "col 1: invalid number: leading zero"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_U8), "1 2", "col 3"));
  fixture_fini(&fx);
}

WF_TEST(wave_typed_floats_bools) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  weft_type_t f32 = prim(&fx, WF_CT_F32), f64 = prim(&fx, WF_CT_F64);
  CHECK(round_trip(&fx, f32, "3.14", "3.14"));
  CHECK(round_trip(&fx, f32, "0.1", "0.1"));
  CHECK(round_trip(&fx, f64, "0.1", "0.1"));
  CHECK(round_trip(&fx, f64, "5", "5"));
  CHECK(round_trip(&fx, f64, "-0", "-0"));
  CHECK(round_trip(&fx, f64, "-2.5e-3", "-0.0025"));
  CHECK(round_trip(&fx, f64, "6.022e+23", "602200000000000000000000"));
  CHECK(round_trip(&fx, f32, "1e-45", "0.000000000000000000000000000000000000000000001"));
  CHECK(round_trip(&fx, f32, "3.4028235e38", "340282350000000000000000000000000000000"));
  CHECK(round_trip(&fx, f32, "1e39", "inf"));   /* too large: infinity, as wasm-wave */
  CHECK(round_trip(&fx, f32, "nan", "nan"));
  CHECK(round_trip(&fx, f64, "inf", "inf"));
  CHECK(round_trip(&fx, f64, "-inf", "-inf"));
  CHECK(round_trip(&fx, f64, "0.30000000000000004", "0.30000000000000004"));
  CHECK(rejects(&fx, f64, "-nan", "col 2"));
  CHECK(rejects(&fx, f64, "'x'", "expected f64, found a char"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_BOOL), "true", "true"));
  CHECK(round_trip(&fx, prim(&fx, WF_CT_BOOL), "false", "false"));
  CHECK(rejects(&fx, prim(&fx, WF_CT_BOOL), "1", "expected bool, found 1"));
  fixture_fini(&fx);
}

WF_TEST(wave_typed_chars_strings) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  weft_type_t ch = prim(&fx, WF_CT_CHAR), str = prim(&fx, WF_CT_STRING);
  CHECK(round_trip(&fx, ch, "'x'", "'x'"));
  CHECK(round_trip(&fx, ch, "'\\n'", "'\\n'"));
  CHECK(round_trip(&fx, ch, "'\\''", "'\\''"));
  CHECK(round_trip(&fx, ch, "'\"'", "'\\\"'"));
  CHECK(round_trip(&fx, ch, "'\\u{0}'", "'\\u{0}'"));
  CHECK(round_trip(&fx, ch, "'\\u{2603}'", "'\xe2\x98\x83'"));    /* snowman, written raw */
  CHECK(round_trip(&fx, ch, "'\xf0\x9f\x91\x8b'", "'\xf0\x9f\x91\x8b'"));
  CHECK(round_trip(&fx, ch, "'\\u{7f}'", "'\\u{7f}'"));
  CHECK(round_trip(&fx, ch, "'\\u{301}'", "'\\u{301}'"));        /* combining mark */
  CHECK(rejects(&fx, ch, "\"x\"", "expected char, found a string"));
  CHECK(round_trip(&fx, str, "\"\"", "\"\""));
  CHECK(round_trip(&fx, str, "\"a\\tb\\\"c'd\\\\\"", "\"a\\tb\\\"c\\'d\\\\\""));
  CHECK(round_trip(&fx, str, "\"h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x91\x8b\"",
                   "\"h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x91\x8b\""));
  CHECK(round_trip(&fx, str, "\"\\u{48}\\u{e9}\\r\\n\"", "\"H\xc3\xa9\\r\\n\""));
  /* An embedded NUL survives: the value carries its length. */
  weft_val_t v;
  weft_error_t err;
  CHECK(weft_wave_parse(str, "\"a\\u{0}b\"", 9, fx.arena, &v, &err) == WEFT_OK);
  CHECK(v.kind == WEFT_VAL_STRING);
  CHECK_EQ(v.of.str.len, 3);
  CHECK(memcmp(v.of.str.ptr, "a\0b", 3) == 0);
  char buf[64];
  weft_wave_print(str, &v, buf, sizeof buf);
  CHECK(strcmp(buf, "\"a\\u{0}b\"") == 0);
  /* Invalid UTF-8 in a value (from a host) prints as U+FFFD. */
  v.of.str.ptr = "a\xff";
  v.of.str.len = 2;
  weft_wave_print(str, &v, buf, sizeof buf);
  CHECK(strcmp(buf, "\"a\xef\xbf\xbd\"") == 0);
  CHECK(rejects(&fx, str, "\"abc", "col 1"));
  CHECK(rejects(&fx, str, "\"\\q\"", "invalid escape"));
  fixture_fini(&fx);
}

WF_TEST(wave_typed_compound) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  /* lists and tuples */
  CHECK(round_trip(&fx, fx.t[T_LIST_STR], "[\"a\", \"b\",]", "[\"a\", \"b\"]"));
  CHECK(round_trip(&fx, fx.t[T_LIST_STR], "[ ]", "[]"));
  CHECK(round_trip(&fx, fx.t[T_LIST_U8], "[1,2,255]", "[1, 2, 255]"));
  CHECK(rejects(&fx, fx.t[T_LIST_U8], "[1, 2, 256]", "col 8: expected u8, found 256"));
  CHECK(rejects(&fx, fx.t[T_LIST_U8], "(1, 2)", "expected list<u8>, found a tuple"));
  CHECK(round_trip(&fx, fx.t[T_TUPLE], "(1, \"x\")", "(1, \"x\")"));
  CHECK(rejects(&fx, fx.t[T_TUPLE], "(1)", "expected a tuple of 2 values, found 1"));
  /* records: any field order, option fields may be left out */
  CHECK(round_trip(&fx, fx.t[T_POINT], "{y: 2, x: -1}", "{x: -1, y: 2}"));
  CHECK(rejects(&fx, fx.t[T_POINT], "{x: 1}", "missing field `y`"));
  CHECK(rejects(&fx, fx.t[T_POINT], "{x: 1, y: 2, z: 3}", "col 17: record has no field `z`"));
  CHECK(rejects(&fx, fx.t[T_POINT], "{x: 1, x: 2}", "duplicate field `x`"));
  CHECK(rejects(&fx, fx.t[T_POINT], "{x, y}", "expected record"));
  CHECK(round_trip(&fx, fx.t[T_REC], "{a: 1}", "{a: 1}"));
  CHECK(round_trip(&fx, fx.t[T_REC], "{a: 1, b: none}", "{a: 1}"));
  CHECK(round_trip(&fx, fx.t[T_REC], "{b: some(2), a: 1}", "{a: 1, b: some(2)}"));
  CHECK(round_trip(&fx, fx.t[T_REC], "{a: 1, b: 3}", "{a: 1, b: some(3)}"));
  CHECK(round_trip(&fx, fx.t[T_ALL_OPT], "{o: none}", "{:}"));
  CHECK(round_trip(&fx, fx.t[T_ALL_OPT], "{}", "{:}"));
  CHECK(round_trip(&fx, fx.t[T_ALL_OPT], "{ : }", "{:}"));
  CHECK(round_trip(&fx, fx.t[T_ALL_OPT], "{o: 4}", "{o: some(4)}"));
  CHECK(rejects(&fx, fx.t[T_POINT], "{:}", "field `x` is required"));
  /* `{:}` inside strings and comments is left alone */
  CHECK(round_trip(&fx, prim(&fx, WF_CT_STRING), "\"{:}\" // {:}", "\"{:}\""));
  CHECK(round_trip(&fx, fx.t[T_LIST_STR], "[\"\\\"{:}\", \"{:}\"]", "[\"\\\"{:}\", \"{:}\"]"));
  CHECK(rejects(&fx, fx.t[T_POINT], "{}", "field `x` is required"));
  /* variants and enums; keyword-named cases print with '%' */
  CHECK(round_trip(&fx, fx.t[T_VAR], "c(5)", "c(5)"));
  CHECK(round_trip(&fx, fx.t[T_VAR], "d", "d"));
  CHECK(round_trip(&fx, fx.t[T_VAR], "%err(\"x\")", "%err(\"x\")"));
  CHECK(rejects(&fx, fx.t[T_VAR], "c", "case `c` needs a payload"));
  CHECK(rejects(&fx, fx.t[T_VAR], "d(1)", "case `d` has no payload"));
  CHECK(rejects(&fx, fx.t[T_VAR], "zz", "has no case `zz`"));
  CHECK(rejects(&fx, fx.t[T_VAR], "c(-1)", "col 3: expected u32, found -1"));
  CHECK(round_trip(&fx, fx.t[T_ENUM], "red", "red"));
  CHECK(round_trip(&fx, fx.t[T_ENUM], "%ok", "%ok"));
  CHECK(rejects(&fx, fx.t[T_ENUM], "blue", "has no case `blue`"));
  CHECK(rejects(&fx, fx.t[T_ENUM], "red(1)", "expected enum"));
  /* many cases: looked up through a sorted index */
  CHECK(round_trip(&fx, fx.t[T_BIG_ENUM], "a", "a"));
  CHECK(round_trip(&fx, fx.t[T_BIG_ENUM], "t", "t"));
  CHECK(round_trip(&fx, fx.t[T_LIST_BIG], "[k, a, t, j, s, b]", "[k, a, t, j, s, b]"));
  CHECK(rejects(&fx, fx.t[T_LIST_BIG], "[k, a, u]", "col 8: enum has no case `u`"));
  CHECK(rejects(&fx, fx.t[T_LIST_BIG], "[aa]", "has no case `aa`"));
  /* flags */
  CHECK(round_trip(&fx, fx.t[T_FLAGS], "{exec, read}", "{read, exec}"));
  CHECK(round_trip(&fx, fx.t[T_FLAGS], "{}", "{}"));
  CHECK(round_trip(&fx, fx.t[T_FLAGS], "{write,}", "{write}"));
  CHECK(rejects(&fx, fx.t[T_FLAGS], "{read, nope}", "no flag `nope`"));
  CHECK(rejects(&fx, fx.t[T_FLAGS], "{read, read}", "duplicate flag `read`"));
  fixture_fini(&fx);
}

WF_TEST(wave_typed_options_results) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  CHECK(round_trip(&fx, fx.t[T_OPT_U8], "none", "none"));
  CHECK(round_trip(&fx, fx.t[T_OPT_U8], "some(7)", "some(7)"));
  CHECK(round_trip(&fx, fx.t[T_OPT_U8], "7", "some(7)"));         /* flat some */
  CHECK(rejects(&fx, fx.t[T_OPT_U8], "some(300)", "col 6: expected u8, found 300"));
  CHECK(round_trip(&fx, fx.t[T_OPT_OPT], "some(none)", "some(none)"));
  CHECK(round_trip(&fx, fx.t[T_OPT_OPT], "some(some(1))", "some(some(1))"));
  CHECK(round_trip(&fx, fx.t[T_OPT_OPT], "some(1)", "some(some(1))"));
  CHECK(rejects(&fx, fx.t[T_OPT_OPT], "1", "expected option<option<u8>>, found 1"));
  CHECK(round_trip(&fx, fx.t[T_RES], "ok(1)", "ok(1)"));
  CHECK(round_trip(&fx, fx.t[T_RES], "err(\"no\")", "err(\"no\")"));
  CHECK(round_trip(&fx, fx.t[T_RES], "42", "ok(42)"));            /* flat ok */
  CHECK(rejects(&fx, fx.t[T_RES], "ok", "ok needs a payload"));
  CHECK(rejects(&fx, fx.t[T_RES], "err(1)", "col 5: expected string, found 1"));
  CHECK(round_trip(&fx, fx.t[T_RES_NONE], "ok", "ok"));
  CHECK(round_trip(&fx, fx.t[T_RES_NONE], "err", "err"));
  CHECK(rejects(&fx, fx.t[T_RES_NONE], "ok(1)", "ok has no payload"));
  CHECK(round_trip(&fx, fx.t[T_RES_ERR], "ok", "ok"));
  CHECK(round_trip(&fx, fx.t[T_RES_ERR], "err(\"e\")", "err(\"e\")"));
  CHECK(rejects(&fx, fx.t[T_RES_ERR], "\"e\"", "expected result<_, string>, found a string"));
  fixture_fini(&fx);
}

WF_TEST(wave_typed_call) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  weft_val_t args[4];
  size_t n = 4;
  weft_error_t err;
  CHECK(weft_wave_parse_call(&fx.func, "f(1)", 4, fx.arena, args, &n, &err) == WEFT_OK);
  CHECK_EQ(n, 3);   /* trailing options left out = none */
  CHECK(args[0].kind == WEFT_VAL_U8 && args[0].of.u == 1);
  CHECK(args[1].kind == WEFT_VAL_OPTION && args[1].of.var.index == 0);
  CHECK(args[2].kind == WEFT_VAL_OPTION && args[2].of.var.index == 0);
  n = 4;
  const char *t2 = "f(1, some(2), 3)";
  CHECK(weft_wave_parse_call(&fx.func, t2, strlen(t2), fx.arena, args, &n, &err) == WEFT_OK);
  CHECK(args[1].of.var.index == 1 && args[1].of.var.payload->of.u == 2);
  CHECK(args[2].of.var.index == 1 && args[2].of.var.payload->of.u == 3);
  n = 4;
  CHECK(weft_wave_parse_call(&fx.func, "f()", 3, fx.arena, args, &n, &err) == WEFT_ERR_INVALID);
  CHECK(strstr(err.message, "missing argument `a` (u8)") != NULL);
  n = 4;
  const char *t3 = "f(1, 2, 3, 4)";
  CHECK(weft_wave_parse_call(&fx.func, t3, strlen(t3), fx.arena, args, &n, &err) == WEFT_ERR_INVALID);
  CHECK(strstr(err.message, "col 12: too many arguments") != NULL);
  n = 4;
  const char *t4 = "f(1, \"x\")";
  CHECK(weft_wave_parse_call(&fx.func, t4, strlen(t4), fx.arena, args, &n, &err) == WEFT_ERR_INVALID);
  CHECK(strstr(err.message, "col 6: expected u8, found a string") != NULL);
  /* An interface prefix is skipped and columns stay those of the input. */
  n = 4;
  const char *t5 = "ns:pkg/iface@1.0.0#f(300)";
  CHECK(weft_wave_parse_call(&fx.func, t5, strlen(t5), fx.arena, args, &n, &err) == WEFT_ERR_INVALID);
  CHECK(strstr(err.message, "col 22: expected u8, found 300 (out of range)") != NULL);
  n = 4;
  const char *t6 = "ns:pkg/iface#f(3)";
  CHECK(weft_wave_parse_call(&fx.func, t6, strlen(t6), fx.arena, args, &n, &err) == WEFT_OK);
  CHECK(args[0].of.u == 3);
  /* Too small an argument array is the caller's mistake. */
  n = 2;
  CHECK(weft_wave_parse_call(&fx.func, "f(1)", 4, fx.arena, args, &n, &err) == WEFT_ERR_ARG);
  n = 4;
  CHECK(weft_wave_parse_call(&fx.func, "f(1", 3, fx.arena, args, &n, &err) == WEFT_ERR_INVALID);
  fixture_fini(&fx);
}

WF_TEST(wave_typed_print_edges) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  weft_val_t v;
  weft_error_t err;
  const char *text = "[\"abc\", \"def\"]";
  CHECK(weft_wave_parse(fx.t[T_LIST_STR], text, strlen(text), fx.arena, &v, &err) == WEFT_OK);
  /* Like snprintf: the full length comes back, the output is cut and NUL-terminated. */
  char small[6];
  CHECK_EQ(weft_wave_print(fx.t[T_LIST_STR], &v, small, sizeof small), strlen(text));
  CHECK(strcmp(small, "[\"abc") == 0);
  CHECK_EQ(weft_wave_print(fx.t[T_LIST_STR], &v, NULL, 0), strlen(text));
  /* A value of the wrong kind prints as a marker, not as garbage. */
  weft_val_t bad;
  memset(&bad, 0, sizeof bad);
  bad.kind = WEFT_VAL_STRING;
  char buf[128];
  weft_wave_print(prim(&fx, WF_CT_U8), &bad, buf, sizeof buf);
  CHECK(strcmp(buf, "<not a u8>") == 0);
  bad.kind = WEFT_VAL_VARIANT;
  bad.of.var.index = 9;
  weft_wave_print(fx.t[T_VAR], &bad, buf, sizeof buf);
  CHECK(strncmp(buf, "<not a ", 7) == 0);
  /* A hand-built record with a none field prints without it. */
  weft_val_t fields[2];
  memset(fields, 0, sizeof fields);
  fields[0].kind = WEFT_VAL_U8;
  fields[0].of.u = 9;
  fields[1].kind = WEFT_VAL_OPTION;
  v.kind = WEFT_VAL_RECORD;
  v.of.seq.v = fields;
  v.of.seq.n = 2;
  weft_wave_print(fx.t[T_REC], &v, buf, sizeof buf);
  CHECK(strcmp(buf, "{a: 9}") == 0);
  fixture_fini(&fx);
}

WF_TEST(ctypes_api_introspection) {
  fixture_t fx;
  CHECK(fixture_init(&fx));
  char buf[128];
  CHECK(weft_type_kind(fx.t[T_REC]) == WEFT_VAL_RECORD);
  CHECK_EQ(weft_type_field_count(fx.t[T_REC]), 2);
  size_t len;
  const char *nm = weft_type_field_name(fx.t[T_REC], 1, &len);
  CHECK(nm && len == 1 && nm[0] == 'b');
  CHECK(weft_type_kind(weft_type_field_type(fx.t[T_REC], 1)) == WEFT_VAL_OPTION);
  CHECK(weft_type_kind(weft_type_elem(weft_type_field_type(fx.t[T_REC], 1))) == WEFT_VAL_U8);
  CHECK(weft_type_is_none(weft_type_field_type(fx.t[T_VAR], 1)));   /* case d: no payload */
  CHECK(weft_type_kind(weft_type_err(fx.t[T_RES])) == WEFT_VAL_STRING);
  CHECK(weft_type_is_none(weft_type_elem(fx.t[T_RES_ERR])));
  CHECK(weft_type_field_name(fx.t[T_TUPLE], 0, &len) == NULL);
  CHECK(weft_type_kind(weft_type_field_type(fx.t[T_TUPLE], 1)) == WEFT_VAL_STRING);
  CHECK_EQ(weft_type_field_count(fx.t[T_FLAGS]), 3);
  CHECK(weft_type_is_none(weft_type_field_type(fx.t[T_REC], 5)));
  weft_type_format(fx.t[T_REC], buf, sizeof buf);
  CHECK(strcmp(buf, "record { a: u8, b: option<u8> }") == 0);
  weft_type_format(fx.t[T_VAR], buf, sizeof buf);
  CHECK(strcmp(buf, "variant { c(u32), d, err(string) }") == 0);
  weft_type_format(fx.t[T_RES_ERR], buf, sizeof buf);
  CHECK(strcmp(buf, "result<_, string>") == 0);
  weft_type_format(fx.t[T_RES_NONE], buf, sizeof buf);
  CHECK(strcmp(buf, "result") == 0);
  weft_type_format(fx.t[T_FUNC], buf, sizeof buf);
  CHECK(strcmp(buf, "func(a: u8, b: option<u8>, c: option<u8>) -> string") == 0);
  CHECK_EQ(weft_type_format(fx.t[T_FLAGS], buf, 8), 7);
  CHECK(strcmp(buf, "flag...") == 0);
  CHECK(strcmp(weft_vkind_name(WEFT_VAL_BORROW), "borrow") == 0);
  CHECK(strcmp(weft_vkind_name(WEFT_VAL_KIND_COUNT), "?") == 0);
  fixture_fini(&fx);
}
