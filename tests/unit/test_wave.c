/* WAVE untyped parser and printer: every node kind, escapes, errors, limits
 * and print/reparse round-trips. */
#include <stdlib.h>
#include <string.h>

#include "component/wave.h"
#include "test.h"

static wf_wave_node_t *pv(const char *s, wf_error_t *err) {
  return wf_wave_parse_value(s, strlen(s), err);
}

/* Parses s, prints it, returns whether the printed text equals want (or s
 * when want is NULL) and reparses to an equal tree. */
static int roundtrip(const char *s, const char *want) {
  wf_error_t err;
  wf_wave_node_t *a = pv(s, &err);
  if (!a) { fprintf(stderr, "  parse of %s failed: %s\n", s, err.msg); return 0; }
  wf_wave_buf_t b;
  memset(&b, 0, sizeof b);
  int ok = wf_wave_print(a, &b);
  if (ok && strcmp(b.data, want ? want : s) != 0) {
    fprintf(stderr, "  printed %s, want %s\n", b.data, want ? want : s);
    ok = 0;
  }
  wf_wave_node_t *c = ok ? wf_wave_parse_value(b.data, b.len, &err) : NULL;
  if (ok && (!c || !wf_wave_equal(a, c))) ok = 0;
  wf_wave_free(a);
  wf_wave_free(c);
  wf_wave_buf_free(&b);
  return ok;
}

/* Parse must fail with a message containing `what` at 1-based column col. */
static int rejects(const char *s, size_t col, const char *what) {
  wf_error_t err;
  wf_wave_node_t *n = pv(s, &err);
  if (n) { wf_wave_free(n); fprintf(stderr, "  %s parsed\n", s); return 0; }
  char prefix[32];
  snprintf(prefix, sizeof prefix, "col %zu: ", col);
  if (!err.failed || !err.has_offset || err.offset != col - 1 ||
      strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, what)) {
    fprintf(stderr, "  %s: got \"%s\" (offset %zu)\n", s, err.msg, err.offset);
    return 0;
  }
  return 1;
}

/* Like rejects, for errors past the first line: checks offset and message. */
static int rejects_at(const char *s, size_t offset, const char *what) {
  wf_error_t err;
  wf_wave_node_t *n = pv(s, &err);
  if (n) { wf_wave_free(n); return 0; }
  if (err.offset != offset || !strstr(err.msg, what) || strncmp(err.msg, "line ", 5) != 0) {
    fprintf(stderr, "  %s: got \"%s\" (offset %zu)\n", s, err.msg, err.offset);
    return 0;
  }
  return 1;
}

WF_TEST(wave_scalars) {
  wf_error_t err;
  wf_wave_node_t *n = pv(" true ", &err);
  CHECK(n && n->kind == WF_WAVE_BOOL && n->b);
  wf_wave_free(n);
  n = pv("false", &err);
  CHECK(n && n->kind == WF_WAVE_BOOL && !n->b);
  wf_wave_free(n);
  const char *ints[] = {"0", "42", "-17", "18446744073709551615", "-0"};
  for (size_t i = 0; i < 5; i++) {
    n = pv(ints[i], &err);
    CHECK(n && n->kind == WF_WAVE_NUMBER && !n->is_float && strcmp(n->text, ints[i]) == 0);
    wf_wave_free(n);
  }
  const char *floats[] = {"3.25", "-1.5e10", "2E-3", "1e+9", "nan", "inf", "-inf", "0.0"};
  for (size_t i = 0; i < 8; i++) {
    n = pv(floats[i], &err);
    CHECK(n && n->kind == WF_WAVE_NUMBER && n->is_float && strcmp(n->text, floats[i]) == 0);
    wf_wave_free(n);
  }
  n = pv("'x'", &err);
  CHECK(n && n->kind == WF_WAVE_CHAR && n->ch == 'x');
  wf_wave_free(n);
  n = pv("'\xf0\x9f\x98\x80'", &err);
  CHECK(n && n->kind == WF_WAVE_CHAR && n->ch == 0x1F600);
  wf_wave_free(n);
  n = pv("'\\u{10FFFF}'", &err);
  CHECK(n && n->ch == 0x10FFFF);
  wf_wave_free(n);
  n = pv("'\"'", &err);
  CHECK(n && n->ch == '"');
  wf_wave_free(n);
}

WF_TEST(wave_strings) {
  wf_error_t err;
  wf_wave_node_t *n = pv("\"a\\n\\t\\r\\'\\\"\\\\\\u{41}\\u{e9}\\u{1F600}\\u{0}z\"", &err);
  CHECK(n && n->kind == WF_WAVE_STRING);
  const char want[] = "a\n\t\r'\"\\A\xc3\xa9\xf0\x9f\x98\x80\0z";
  CHECK_EQ(n->text_len, sizeof want - 1);
  CHECK(memcmp(n->text, want, sizeof want - 1) == 0);
  wf_wave_free(n);
  n = pv("\"\"", &err);
  CHECK(n && n->kind == WF_WAVE_STRING && n->text_len == 0);
  wf_wave_free(n);
  n = pv("\"a\rb'\"", &err); /* raw CR and ' are allowed in strings */
  CHECK(n && strcmp(n->text, "a\rb'") == 0);
  wf_wave_free(n);
  n = pv("\"h\xc3\xa9llo // not a comment\"", &err);
  CHECK(n && strcmp(n->text, "h\xc3\xa9llo // not a comment") == 0);
  wf_wave_free(n);
}

static int ml(const char *src, const char *want) {
  wf_error_t err;
  wf_wave_node_t *n = pv(src, &err);
  int ok = n && n->kind == WF_WAVE_STRING && n->text_len == strlen(want) &&
           memcmp(n->text, want, n->text_len) == 0;
  if (!ok) fprintf(stderr, "  %s -> %s\n", src, n ? n->text : err.msg);
  wf_wave_free(n);
  return ok;
}

WF_TEST(wave_multiline) {
  CHECK(ml("\"\"\"\n\"\"\"", ""));
  CHECK(ml("\"\"\"\n    Trailing indent\n  determines dedent\n      behavior.\n  \"\"\"",
           "  Trailing indent\ndetermines dedent\n    behavior."));
  CHECK(ml("\"\"\"\n\nEmpty lines kept\n\n\"\"\"", "\nEmpty lines kept\n"));
  CHECK(ml("\"\"\"\r\nquote \"\"\\\" and 'x' \\u{41}\\t\r\n\"\"\"", "quote \"\"\" and 'x' A\t"));
  CHECK(ml("  \"\"\"\n  a\n b\n  \"\"\" // after", "a\nb"));
  wf_error_t err;
  wf_wave_node_t *n = pv("[\"\"\"\nx\n\"\"\", \"\"]", &err);
  CHECK(n && n->kind == WF_WAVE_LIST && n->n == 2 && strcmp(n->items[0]->text, "x") == 0);
  wf_wave_free(n);
  CHECK(roundtrip("\"\"\"\n a\"b\n \"\"\"", "\"a\\\"b\""));
}

WF_TEST(wave_compounds) {
  wf_error_t err;
  wf_wave_node_t *n = pv("[1, [2, 3], [],]", &err);
  CHECK(n && n->kind == WF_WAVE_LIST && n->n == 3);
  CHECK(n->items[1]->kind == WF_WAVE_LIST && n->items[1]->n == 2);
  CHECK(n->items[2]->kind == WF_WAVE_LIST && n->items[2]->n == 0);
  wf_wave_free(n);
  n = pv("(1, \"x\", 'c')", &err);
  CHECK(n && n->kind == WF_WAVE_TUPLE && n->n == 3 && n->items[2]->kind == WF_WAVE_CHAR);
  wf_wave_free(n);
  n = pv("{a: 1, b-c: \"two\", %true: false,}", &err);
  CHECK(n && n->kind == WF_WAVE_RECORD && n->n == 3);
  CHECK(strcmp(n->names[1], "b-c") == 0 && strcmp(n->names[2], "true") == 0);
  CHECK(n->items[2]->kind == WF_WAVE_BOOL);
  wf_wave_free(n);
  n = pv("{flag-a, flag-b}", &err);
  CHECK(n && n->kind == WF_WAVE_FLAGS && n->n == 2 && !n->items);
  CHECK(strcmp(n->names[0], "flag-a") == 0);
  wf_wave_free(n);
  n = pv("{ }", &err);
  CHECK(n && n->kind == WF_WAVE_EMPTY_BRACES);
  wf_wave_free(n);
}

WF_TEST(wave_labels_cases) {
  wf_error_t err;
  wf_wave_node_t *n = pv("none", &err);
  CHECK(n && n->kind == WF_WAVE_LABEL && strcmp(n->text, "none") == 0 && !n->escaped);
  wf_wave_free(n);
  n = pv("%none", &err);
  CHECK(n && n->kind == WF_WAVE_LABEL && strcmp(n->text, "none") == 0 && n->escaped);
  wf_wave_free(n);
  n = pv("%true", &err);
  CHECK(n && n->kind == WF_WAVE_LABEL && strcmp(n->text, "true") == 0);
  wf_wave_free(n);
  n = pv("HTTP-ok", &err);
  CHECK(n && n->kind == WF_WAVE_LABEL);
  wf_wave_free(n);
  n = pv("some(5)", &err);
  CHECK(n && n->kind == WF_WAVE_CASE && strcmp(n->text, "some") == 0 && n->n == 1);
  CHECK(n->items[0]->kind == WF_WAVE_NUMBER);
  wf_wave_free(n);
  n = pv("err( \"x\" , )", &err);
  CHECK(n && n->kind == WF_WAVE_CASE && n->items[0]->kind == WF_WAVE_STRING);
  wf_wave_free(n);
  n = pv("my-case(some(none))", &err);
  CHECK(n && n->kind == WF_WAVE_CASE && n->items[0]->kind == WF_WAVE_CASE);
  CHECK(n->items[0]->items[0]->kind == WF_WAVE_LABEL);
  wf_wave_free(n);
}

WF_TEST(wave_comments_ws) {
  wf_error_t err;
  wf_wave_node_t *n = pv("// lead\n[1, // one\n\t2\r\n] // tail", &err);
  CHECK(n && n->kind == WF_WAVE_LIST && n->n == 2);
  wf_wave_free(n);
}

WF_TEST(wave_call) {
  const char *s = "f(1, \"x\", [1,2], {a: 1}, ok(3), some(x), none, {flag-a, flag-b})";
  wf_error_t err;
  wf_wave_call_t *c = wf_wave_parse_call(s, strlen(s), &err);
  CHECK(c && strcmp(c->name, "f") == 0 && c->nargs == 8);
  CHECK(c->args[3]->kind == WF_WAVE_RECORD && c->args[7]->kind == WF_WAVE_FLAGS);
  CHECK(c->args[6]->kind == WF_WAVE_LABEL && c->args[5]->kind == WF_WAVE_CASE);
  wf_wave_buf_t b;
  memset(&b, 0, sizeof b);
  CHECK(wf_wave_print_call(c, &b));
  CHECK(strcmp(b.data, "f(1, \"x\", [1, 2], {a: 1}, ok(3), some(x), none, {flag-a, flag-b})") == 0);
  wf_wave_buf_free(&b);
  wf_wave_call_free(c);
  c = wf_wave_parse_call(" greet-all ( ) ", 15, &err);
  CHECK(c && strcmp(c->name, "greet-all") == 0 && c->nargs == 0);
  wf_wave_call_free(c);
  c = wf_wave_parse_call("greet", 5, &err);
  CHECK(!c && strstr(err.msg, "col 6: expected '('"));
  c = wf_wave_parse_call("g(1) x", 6, &err);
  CHECK(!c && strstr(err.msg, "col 6:"));
  c = wf_wave_parse_call("g(1,", 4, &err);
  CHECK(!c && err.failed);
  c = wf_wave_parse_call("1(2)", 4, &err);
  CHECK(!c && err.failed);
}

WF_TEST(wave_errors) {
  CHECK(rejects("\"abc", 1, "unterminated string"));
  CHECK(rejects("\"a\nb\"", 3, "newline"));
  CHECK(rejects("\"\\q\"", 2, "invalid escape"));
  CHECK(rejects("\"\\u{D800}\"", 2, "surrogate"));
  CHECK(rejects("\"\\u{DFFF}\"", 2, "surrogate"));
  CHECK(rejects("\"\\u{110000}\"", 2, "too large"));
  CHECK(rejects("\"\\u{1234567}\"", 2, "too many hex digits"));
  CHECK(rejects("\"\\u{}\"", 2, "empty"));
  CHECK(rejects("\"\\u41\"", 2, "expected '{'"));
  CHECK(rejects("\"\\u{4g}\"", 6, "hex digit"));
  CHECK(rejects("\"\xff\"", 2, "invalid UTF-8"));
  CHECK(rejects("\"\xed\xa0\x80\"", 2, "invalid UTF-8")); /* encoded surrogate */
  CHECK(rejects("\"\xc0\x80\"", 2, "invalid UTF-8"));     /* overlong */
  CHECK(rejects("\"\"\"x\"\"\"", 1, "followed by a line break"));
  CHECK(rejects("\"\"\"\nabc", 1, "unterminated multi-line"));
  CHECK(rejects_at("\"\"\"\nab\"\"\"", 6, "line 2, col 3: multi-line string: closing"));
  CHECK(rejects_at("\"\"\"\na\\q\n\"\"\"", 5, "line 2, col 2: invalid escape"));
  CHECK(rejects_at("\"\"\"\na\\\n\"\"\"", 5, "invalid escape"));
  CHECK(rejects("''", 1, "empty char"));
  CHECK(rejects("'ab'", 1, "more than one"));
  CHECK(rejects("'a", 1, "unterminated char"));
  CHECK(rejects("01", 1, "leading zero"));
  CHECK(rejects("1.", 3, "after '.'"));
  CHECK(rejects(".5", 1, "expected a value"));
  CHECK(rejects("1e", 3, "exponent"));
  CHECK(rejects("-", 2, "expected a digit"));
  CHECK(rejects("-nan", 2, "expected a digit"));
  CHECK(rejects("12ab", 3, "after number"));
  CHECK(rejects("[1 2]", 4, "expected ',' or ']'"));
  CHECK(rejects("(1 2)", 4, "expected ',' or ')'"));
  CHECK(rejects("[1, 2", 6, "expected"));
  CHECK(rejects("[,]", 2, "expected a value"));
  CHECK(rejects("()", 1, "empty tuple"));
  CHECK(rejects("{a: 1, b}", 9, "expected ':'"));
  CHECK(rejects("{a, b: 1}", 6, "':' in flags"));
  CHECK(rejects("{a: 1 b: 2}", 7, "expected ',' or '}'"));
  CHECK(rejects("{1: 2}", 2, "kebab"));
  CHECK(rejects("{: 2}", 2, "expected a name"));
  CHECK(rejects("foo_bar", 4, "unexpected text"));
  CHECK(rejects("a--b", 1, "kebab"));
  CHECK(rejects("a-", 1, "kebab"));
  CHECK(rejects("aB", 1, "kebab"));
  CHECK(rejects("1-a", 2, "after number"));
  CHECK(rejects("some(1 2)", 8, "expected ')'"));
  CHECK(rejects("some()", 6, "expected a value"));
  CHECK(rejects("true false", 6, "unexpected text"));
  CHECK(rejects("", 1, "end of input"));
  CHECK(rejects("  // only a comment", 20, "end of input"));
  /* multi-line positions */
  wf_error_t err;
  CHECK(!pv("[1,\n  2 3]", &err));
  CHECK(strncmp(err.msg, "line 2, col 5: ", 15) == 0 && err.offset == 8);
}

WF_TEST(wave_limits) {
  char buf[512];
  /* 100 nested lists hold: the innermost value is at depth 101. */
  size_t k = 0;
  for (int i = 0; i < 99; i++) buf[k++] = '[';
  buf[k++] = '1';
  for (int i = 0; i < 99; i++) buf[k++] = ']';
  wf_error_t err;
  wf_wave_node_t *n = wf_wave_parse_value(buf, k, &err);
  CHECK(n);
  wf_wave_buf_t b;
  memset(&b, 0, sizeof b);
  CHECK(wf_wave_print(n, &b) && b.len == k && memcmp(b.data, buf, k) == 0);
  wf_wave_buf_free(&b);
  wf_wave_free(n);
  k = 0;
  for (int i = 0; i < 100; i++) buf[k++] = '[';
  buf[k++] = '1';
  for (int i = 0; i < 100; i++) buf[k++] = ']';
  CHECK(!wf_wave_parse_value(buf, k, &err) && strstr(err.msg, "too deep"));
  /* Case nesting counts too. */
  k = 0;
  for (int i = 0; i < 120; i++) { memcpy(buf + k, "s(", 2); k += 2; }
  CHECK(!wf_wave_parse_value(buf, k, &err) && strstr(err.msg, "too deep"));
  /* Node cap: a list of 100001 zeros. */
  size_t cnt = WF_WAVE_MAX_NODES + 1, len = 2 + cnt * 2;
  char *big = malloc(len);
  CHECK(big);
  big[0] = '[';
  for (size_t i = 0; i < cnt; i++) { big[1 + 2 * i] = '0'; big[2 + 2 * i] = ','; }
  big[len - 1] = ']';
  n = wf_wave_parse_value(big, len, &err);
  free(big);
  CHECK(!n && strstr(err.msg, "too many values"));
  /* No reading past len: the NUL-less prefix of a longer text. */
  n = wf_wave_parse_value("[1, 2]", 5, &err);
  CHECK(!n && strstr(err.msg, "col 6:"));
  n = wf_wave_parse_value("\"ab\"", 3, &err);
  CHECK(!n && strstr(err.msg, "unterminated string"));
  n = wf_wave_parse_value("truex", 4, &err);
  CHECK(n && n->kind == WF_WAVE_BOOL);
  wf_wave_free(n);
  n = wf_wave_parse_value(NULL, 0, &err);
  CHECK(!n && err.failed);
}

WF_TEST(wave_roundtrip) {
  const char *canon[] = {
    "true", "-17", "3.25", "-1.5e10", "nan", "-inf", "'x'", "'\\''", "'\"'", "'\\n'",
    "'\\u{0}'", "\"a\\\"b\\\\c\\n'\"", "\"\\u{7f}\\u{1}\"", "\"\xe2\x9c\x93\"",
    "[1, [2], []]", "(1, \"x\", 'c')", "{a: 1, b-c: {d: [none]}}", "{flag-a, flag-b}",
    "{}", "none", "%none", "%true", "%inf(1)", "some(5)", "ok(err(\"x\"))",
    "{%true: 1, %some: 2}", "{%ok, b}",
  };
  for (size_t i = 0; i < sizeof canon / sizeof *canon; i++) CHECK(roundtrip(canon[i], NULL));
  CHECK(roundtrip(" [ 1 ,2, ] ", "[1, 2]"));
  CHECK(roundtrip("{ a:1 , }", "{a: 1}"));
  CHECK(roundtrip("{ x , y , }", "{x, y}"));
  CHECK(roundtrip("\"\\u{41}\\t\"", "\"A\\t\""));
  CHECK(roundtrip("'\\u{1F600}'", "'\xf0\x9f\x98\x80'"));
  CHECK(roundtrip("some ( 1 , )", "some(1)"));
  CHECK(roundtrip("// c\n(1,) // d", "(1)"));
}

WF_TEST(wave_printer_hostile_tree) {
  /* Hand-built trees the parser never makes are refused, not crashed on. */
  wf_wave_node_t s;
  memset(&s, 0, sizeof s);
  s.kind = WF_WAVE_STRING;
  s.text = (char *)"\xff";
  s.text_len = 1;
  wf_wave_buf_t b;
  memset(&b, 0, sizeof b);
  CHECK(!wf_wave_print(&s, &b));
  wf_wave_buf_free(&b);
  wf_wave_node_t c;
  memset(&c, 0, sizeof c);
  c.kind = WF_WAVE_CASE;
  c.text = (char *)"x";
  c.text_len = 1;
  CHECK(!wf_wave_print(&c, &b)); /* case without payload */
  wf_wave_buf_free(&b);
  CHECK(!wf_wave_print(NULL, &b));
  CHECK(strcmp(wf_wave_kind_name(WF_WAVE_EMPTY_BRACES), "empty-braces") == 0);
}
