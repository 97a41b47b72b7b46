/* TOML parser: the API, error messages and positions, limits. The full
 * conformance run is tests/cli/toml.sh (toml-test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util/toml.h"

static wf_toml_value_t *parse(const char *s, wf_error_t *err) {
  return wf_toml_parse(s, strlen(s), "t.toml", err);
}

/* 1 if S is rejected with a message starting with PREFIX (or any, if NULL). */
static int rejects(const char *s, const char *prefix) {
  wf_error_t err;
  wf_toml_value_t *d = parse(s, &err);
  if (d) {
    wf_toml_free(d);
    return 0;
  }
  if (!err.failed) return 0;
  if (prefix && strncmp(err.msg, prefix, strlen(prefix)) != 0) {
    fprintf(stderr, "  message: %s\n", err.msg);
    return 0;
  }
  return 1;
}

static int accepts(const char *s) {
  wf_error_t err;
  wf_toml_value_t *d = parse(s, &err);
  if (!d) fprintf(stderr, "  rejected: %s\n", err.msg);
  wf_toml_free(d);
  return d != NULL;
}

WF_TEST(toml_host_manifest) {
  const char *src =
      "[global]\n"
      "search_paths = [\"./hosts\", \"~/.weft/hosts\"]  # comment\n"
      "\n"
      "[[host]]\n"
      "name = \"duckdb\"\n"
      "bundle = \"duckdb_host\"\n"
      "[[host]]\n"
      "name = 'duckdb-secondary'\n"
      "config = { path = \"second.duckdb\", \"a.b\" = 1 }\n";
  wf_error_t err;
  wf_toml_value_t *d = parse(src, &err);
  CHECK(d != NULL);
  const wf_toml_value_t *sp = wf_toml_get_array(d, "global.search_paths");
  CHECK(sp != NULL);
  CHECK_EQ(wf_toml_len(sp), 2);
  const char *s = NULL;
  size_t n = 0;
  CHECK(wf_toml_as_string(wf_toml_at(sp, 1), &s, &n));
  CHECK(strcmp(s, "~/.weft/hosts") == 0 && n == 13);
  const wf_toml_value_t *hosts = wf_toml_get_array(d, "host");
  CHECK_EQ(wf_toml_len(hosts), 2);
  const wf_toml_value_t *h1 = wf_toml_at(hosts, 1);
  CHECK_EQ(h1->kind, WF_TOML_TABLE);
  CHECK_EQ(wf_toml_get_string(h1, "name", &s), 1);
  CHECK(strcmp(s, "duckdb-secondary") == 0);
  CHECK_EQ(wf_toml_get_string(h1, "config.path", &s), 1);
  CHECK(strcmp(s, "second.duckdb") == 0);
  int64_t i = 0;
  CHECK_EQ(wf_toml_get_int(h1, "config.\"a.b\"", &i), 1);
  CHECK_EQ(i, 1);
  CHECK_EQ(wf_toml_get_int(h1, "name", &i), -1);    /* wrong kind */
  CHECK_EQ(wf_toml_get_int(h1, "missing", &i), 0);  /* missing */
  CHECK(wf_toml_get_path(h1, "config..path") == NULL);
  CHECK(wf_toml_get_table(d, "global") != NULL);
  /* insertion order */
  size_t kl;
  CHECK(strcmp(wf_toml_key_at(d, 0, &kl), "global") == 0);
  CHECK(strcmp(wf_toml_key_at(d, 1, &kl), "host") == 0);
  CHECK(strcmp(wf_toml_key_at(h1, 1, &kl), "config") == 0);
  wf_toml_free(d);
}

WF_TEST(toml_error_position) {
  wf_error_t err;
  wf_toml_value_t *d = wf_toml_parse("[host]\nname = 1\nabcdefghijkl x\n", 31, "hosts.toml", &err);
  CHECK(d == NULL);
  CHECK(strncmp(err.msg, "hosts.toml:3:14: expected '=' after key", 39) == 0);
  CHECK_EQ(err.offset, 29);
  /* columns count characters, not bytes */
  CHECK(rejects("k = \"\xc3\xa9\xc3\xa9\" x\n", "t.toml:1:10: "));
  CHECK(rejects("a = 1\na = 2\n", "t.toml:2:1: duplicate key 'a'"));
  CHECK(rejects("x = \"\n", "t.toml:1:6: newline in a single-line string"));
  CHECK(rejects("x = 1 2\n", "t.toml:1:7: expected a newline after the value"));
}

WF_TEST(toml_integers) {
  wf_error_t err;
  wf_toml_value_t *d = parse("a = -9223372036854775808\nb = 0x7fff_ffff_ffff_ffff\nc = 0o17\n"
                             "d = 0b101\ne = 1_000\nf = +0\n", &err);
  CHECK(d != NULL);
  int64_t v;
  CHECK(wf_toml_get_int(d, "a", &v) == 1 && v == INT64_MIN);
  CHECK(wf_toml_get_int(d, "b", &v) == 1 && v == INT64_MAX);
  CHECK(wf_toml_get_int(d, "c", &v) == 1 && v == 15);
  CHECK(wf_toml_get_int(d, "d", &v) == 1 && v == 5);
  CHECK(wf_toml_get_int(d, "e", &v) == 1 && v == 1000);
  CHECK(wf_toml_get_int(d, "f", &v) == 1 && v == 0);
  wf_toml_free(d);
  CHECK(rejects("a = 9223372036854775808\n", "t.toml:1:5: integer does not fit in 64 bits"));
  CHECK(rejects("a = 0x8000000000000000\n", NULL));
  CHECK(rejects("a = 99999999999999999999999999\n", NULL));
  CHECK(rejects("a = 1__0\n", NULL));
  CHECK(rejects("a = _1\n", NULL));
  CHECK(rejects("a = 1_\n", NULL));
  CHECK(rejects("a = 012\n", "t.toml:1:5: leading zeros"));
  CHECK(rejects("a = -0x1\n", NULL));
  CHECK(rejects("a = 0x\n", NULL));
}

WF_TEST(toml_floats) {
  wf_error_t err;
  wf_toml_value_t *d = parse("a = 1.5e3\nb = -inf\nc = nan\nd = 6.626e-34\ne = 1e0_1\n", &err);
  CHECK(d != NULL);
  double f = 0;
  CHECK(wf_toml_as_float(wf_toml_get(d, "a"), &f) && f == 1500.0);
  CHECK(wf_toml_as_float(wf_toml_get(d, "b"), &f) && f < -1e308 && f * 0 != 0);
  CHECK(wf_toml_as_float(wf_toml_get(d, "c"), &f) && f != f);
  CHECK(wf_toml_as_float(wf_toml_get(d, "e"), &f) && f == 10.0);
  wf_toml_free(d);
  CHECK(rejects("a = 1.\n", NULL));
  CHECK(rejects("a = .5\n", NULL));
  CHECK(rejects("a = 1e\n", NULL));
  CHECK(rejects("a = 1.e5\n", NULL));
  CHECK(rejects("a = Inf\n", NULL));
  CHECK(rejects("a = 01.5\n", NULL));
}

WF_TEST(toml_datetimes) {
  wf_error_t err;
  wf_toml_value_t *d = parse("a = 1979-05-27 07:32:00.5z\nb = 2000-02-29t23:59:60\nc = 2024-02-29\n"
                             "d = 07:32:00\ne = 1979-05-27T00:32:00-07:00\n", &err);
  CHECK(d != NULL);
  const wf_toml_value_t *a = wf_toml_get(d, "a");
  CHECK(a->kind == WF_TOML_DATETIME && strcmp(a->u.str.s, "1979-05-27T07:32:00.5Z") == 0);
  const wf_toml_value_t *b = wf_toml_get(d, "b");
  CHECK(b->kind == WF_TOML_DATETIME_LOCAL && strcmp(b->u.str.s, "2000-02-29T23:59:60") == 0);
  CHECK_EQ(wf_toml_get(d, "c")->kind, WF_TOML_DATE_LOCAL);
  CHECK_EQ(wf_toml_get(d, "d")->kind, WF_TOML_TIME_LOCAL);
  CHECK_EQ(wf_toml_get(d, "e")->kind, WF_TOML_DATETIME);
  wf_toml_free(d);
  CHECK(rejects("a = 1900-02-29\n", "t.toml:1:13: invalid date: day 29"));
  CHECK(rejects("a = 2023-02-29\n", NULL));
  CHECK(rejects("a = 2023-04-31\n", NULL));
  CHECK(rejects("a = 2023-13-01\n", NULL));
  CHECK(rejects("a = 24:00:00\n", NULL));
  CHECK(rejects("a = 07:32\n", NULL));              /* seconds required in 1.0 */
  CHECK(rejects("a = 1979-05-27T07:32:00+24:00\n", NULL));
  CHECK(rejects("a = 1979-05-27T07:32:00.\n", NULL));
}

WF_TEST(toml_strings) {
  wf_error_t err;
  const char *src =
      "a = \"tab\\tq\\\"\\u00e9\\U0001F600\"\n"
      "b = '''\r\nraw \\n\r\nline'''\n"
      "c = \"\"\"\nx \\\n   y\"\"\"\"\"\n"
      "\"k\\u0000z\" = 1\n"
      "e = \"\"\n";
  wf_toml_value_t *d = parse(src, &err);
  CHECK(d != NULL);
  const char *s;
  size_t n;
  CHECK(wf_toml_as_string(wf_toml_get(d, "a"), &s, &n));
  CHECK(strcmp(s, "tab\tq\"\xc3\xa9\xf0\x9f\x98\x80") == 0);
  CHECK(wf_toml_as_string(wf_toml_get(d, "b"), &s, &n));
  CHECK(strcmp(s, "raw \\n\nline") == 0);
  CHECK(wf_toml_as_string(wf_toml_get(d, "c"), &s, &n));
  CHECK(strcmp(s, "x y\"\"") == 0);
  CHECK(wf_toml_getn(d, "k\0z", 3) != NULL);
  CHECK(wf_toml_as_string(wf_toml_get(d, "e"), &s, &n) && n == 0 && s[0] == 0);
  wf_toml_free(d);
  CHECK(rejects("a = \"\\uD800\"\n", "t.toml:1:6: escape \\uD800 is not a Unicode scalar value"));
  CHECK(rejects("a = \"\\U00110000\"\n", NULL));
  CHECK(rejects("a = \"\\e\"\n", NULL));
  CHECK(rejects("a = \"\\x41\"\n", NULL));
  CHECK(rejects("a = \"\xed\xa0\x80\"\n", NULL));   /* UTF-8 surrogate */
  CHECK(rejects("a = \"\xc0\xaf\"\n", NULL));       /* overlong */
  CHECK(rejects("a = \"a\x01\"\n", "t.toml:1:7: control character U+0001"));
  CHECK(rejects("a = 1\r\n# x\rb\n", NULL));
  CHECK(rejects("a = '''x''''''\n", NULL));
  CHECK(rejects("\"\"\"k\"\"\" = 1\n", NULL));
}

WF_TEST(toml_redefinition) {
  CHECK(accepts("[a.b.c]\nx = 1\n[a]\ny = 2\n"));
  CHECK(accepts("[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n"));
  CHECK(accepts("[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n"));
  CHECK(accepts("a = { b.c = 1, b.d = 2 }\n"));
  CHECK(rejects("[a]\n[a]\n", "t.toml:2:2: key 'a' is already a table defined by a [header]"));
  CHECK(rejects("[a.b]\n[a]\n[a]\n", NULL));
  CHECK(rejects("[fruit]\napple.color = 'red'\n[fruit.apple]\n", NULL));
  CHECK(rejects("[a.b.c]\n[a]\nb.c.d = 1\n", NULL));
  CHECK(rejects("a = {}\n[a.b]\n", NULL));
  CHECK(rejects("a = {}\na.b = 1\n", NULL));
  CHECK(rejects("a = { b = 1 }\n[a]\n", NULL));
  CHECK(rejects("a = []\n[[a]]\n", NULL));
  CHECK(rejects("[[a]]\n[a]\n", NULL));
  CHECK(rejects("[a]\n[[a]]\n", NULL));
  CHECK(rejects("a = 1\na.b = 2\n", NULL));
  CHECK(rejects("a = { b = 1, b = 2 }\n", NULL));
  CHECK(rejects("a = { b = 1, }\n", "t.toml:1:14: trailing comma"));
  CHECK(rejects("a = { b = 1,\n c = 2 }\n", NULL));
  CHECK(rejects("[[a.b]]\n[a]\nb.c = 1\n", NULL));
}

static char *repeat(const char *head, const char *unit, size_t n, const char *tail) {
  size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
  char *s = malloc(hl + ul * n + tl + 1);
  if (!s) return NULL;
  memcpy(s, head, hl);
  for (size_t i = 0; i < n; i++) memcpy(s + hl + i * ul, unit, ul);
  memcpy(s + hl + ul * n, tail, tl + 1);
  return s;
}

WF_TEST(toml_depth_limits) {
  char *s = repeat("a = ", "[", 100000, "");
  CHECK(s != NULL);
  CHECK(rejects(s, "t.toml:1:"));
  free(s);
  s = repeat("a = ", "{b=", 100000, "");
  CHECK(rejects(s, NULL));
  free(s);
  s = repeat("[a", ".a", 100000, "]\n");
  CHECK(rejects(s, NULL));
  free(s);
  s = repeat("a", ".a", 100000, " = 1\n");
  CHECK(rejects(s, NULL));
  free(s);
  s = repeat("a = ", "[", 100, "]");
  char *t = repeat(s, "]", 99, "\n");
  free(s);
  CHECK(accepts(t));
  free(t);
}

WF_TEST(toml_large_table) {
  size_t n = 5000;
  char *s = malloc(n * 24 + 32);
  CHECK(s != NULL);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) o += (size_t)sprintf(s + o, "k%zu = %zu\n", i, i);
  wf_error_t err;
  wf_toml_value_t *d = wf_toml_parse(s, o, "big.toml", &err);
  CHECK(d != NULL);
  CHECK_EQ(wf_toml_len(d), n);
  for (size_t i = 0; i < n; i += 97) {
    char k[32];
    snprintf(k, sizeof k, "k%zu", i);
    int64_t v = -1;
    CHECK(wf_toml_get_int(d, k, &v) == 1 && v == (int64_t)i);
  }
  wf_toml_free(d);
  o += (size_t)sprintf(s + o, "k4321 = 0\n");
  CHECK(wf_toml_parse(s, o, "big.toml", &err) == NULL);
  CHECK(strstr(err.msg, "big.toml:5001:1: duplicate key 'k4321'") == err.msg);
  free(s);
}

WF_TEST(toml_empty_and_bom) {
  CHECK(accepts(""));
  CHECK(accepts("\xef\xbb\xbf" "a = 1\n"));
  CHECK(accepts("# only a comment"));
  wf_error_t err;
  wf_toml_value_t *d = wf_toml_parse(NULL, 0, NULL, &err);
  CHECK(d != NULL && wf_toml_len(d) == 0);
  wf_toml_free(d);
  CHECK(wf_toml_parse("a = \x80", 5, NULL, &err) == NULL);
  CHECK(strncmp(err.msg, "<input>:1:5: invalid UTF-8", 26) == 0);
}

WF_TEST(toml_parse_file) {
  char path[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/weft-toml-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  FILE *f = fdopen(fd, "w");
  CHECK(f != NULL);
  fputs("[host]\nname = \"duckdb\"\nlib = \n", f);
  fclose(f);
  wf_error_t err;
  wf_toml_value_t *d = wf_toml_parse_file(path, &err);
  CHECK(d == NULL);
  char want[600];
  snprintf(want, sizeof want, "%s:3:7: expected a value after '='", path);
  CHECK(strcmp(err.msg, want) == 0);
  f = fopen(path, "w");
  CHECK(f != NULL);
  fputs("[host]\nname = \"duckdb\"\n", f);
  fclose(f);
  d = wf_toml_parse_file(path, &err);
  remove(path);
  CHECK(d != NULL);
  const char *s;
  CHECK(wf_toml_get_string(d, "host.name", &s) == 1 && strcmp(s, "duckdb") == 0);
  wf_toml_free(d);
  CHECK(wf_toml_parse_file("/nonexistent/weft.toml", &err) == NULL);
  CHECK(strstr(err.msg, "/nonexistent/weft.toml: cannot open") == err.msg);
}
