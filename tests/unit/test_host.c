/* Host bundles without a guest: C layouts of WIT types (against the C
 * compiler's own layout of the same structs), the return convention, symbol
 * names, host.toml / hosts.toml parsing and its errors, path containment,
 * and .tar.gz extraction refusing escaping entries. The call bridge and the
 * round trip of every type are exercised end to end by
 * tests/cli/host_bundles.sh. */
#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"
#include "test.h"

static const char *LAYOUT_WIT =
    "package t:lay@1.0.0;\n"
    "interface i {\n"
    "  record pt { a: u8, b: u64, c: string, d: u16 }\n"
    "  variant v { none, small(u8), big(pt), name(string) }\n"
    "  enum e { x, y, z }\n"
    "  flags f { f0, f1, f2, f3, f4, f5, f6, f7, f8 }\n"
    "  resource r { constructor(); m: func(x: u32) -> string; s: static func() -> r; }\n"
    "  type o = option<u16>;\n"
    "  type res = result<u8, pt>;\n"
    "  type tup = tuple<u8, f64, char>;\n"
    "  f-one: func(x: u32) -> u32;\n"
    "  f-two: func(x: pt) -> option<string>;\n"
    "  f-three: func() -> result<_, string>;\n"
    "  f-four: func(e: e, f: f) -> pt;\n"
    "  f-five: func();\n"
    "}\n"
    "world w { export i; }\n";

/* The C structs bindgen prints for the types above. */
typedef struct { uint8_t a; uint64_t b; weft_string c; uint16_t d; } c_pt;
typedef struct { uint8_t tag; union { uint8_t small; c_pt big; weft_string name; } val; } c_v;
typedef struct { bool is_some; uint16_t val; } c_o;
typedef struct { bool is_err; union { uint8_t ok; c_pt err; } val; } c_res;
typedef struct { uint8_t f0; double f1; uint32_t f2; } c_tup;

static wf_wit_tref named(const wf_wit_t *w, const char *name) {
  int32_t ii = wf_wit_find_interface_id(w, "t:lay/i@1.0.0");
  if (ii < 0) return WF_WIT_NONE;
  int32_t t = wf_wit_find_type(w, (uint32_t)ii, name);
  return t < 0 ? WF_WIT_NONE : t;
}

WF_TEST(host_layouts_match_c) {
  wf_error_t err = {0};
  wf_wit_t *w = wf_wit_parse_string("lay.wit", LAYOUT_WIT, &err);
  CHECK(w != NULL);
  wf_wit_tref pt = named(w, "pt"), v = named(w, "v"), o = named(w, "o"), res = named(w, "res"), tup = named(w, "tup");
  wf_wit_tref e = named(w, "e"), f = named(w, "f");
  CHECK(pt != WF_WIT_NONE && v != WF_WIT_NONE && o != WF_WIT_NONE && res != WF_WIT_NONE && tup != WF_WIT_NONE);
  CHECK(wf_hl_check(w, pt, "t", &err) && wf_hl_check(w, v, "t", &err) && wf_hl_check(w, res, "t", &err));
  CHECK_EQ(wf_hl_layout(w, pt).size, sizeof(c_pt));
  CHECK_EQ(wf_hl_layout(w, pt).align, _Alignof(c_pt));
  CHECK_EQ(wf_hl_field_offset(w, pt, 1), offsetof(c_pt, b));
  CHECK_EQ(wf_hl_field_offset(w, pt, 2), offsetof(c_pt, c));
  CHECK_EQ(wf_hl_field_offset(w, pt, 3), offsetof(c_pt, d));
  CHECK_EQ(wf_hl_layout(w, v).size, sizeof(c_v));
  CHECK_EQ(wf_hl_payload_offset(w, v), offsetof(c_v, val));
  CHECK_EQ(wf_hl_layout(w, o).size, sizeof(c_o));
  CHECK_EQ(wf_hl_payload_offset(w, o), offsetof(c_o, val));
  CHECK_EQ(wf_hl_layout(w, res).size, sizeof(c_res));
  CHECK_EQ(wf_hl_payload_offset(w, res), offsetof(c_res, val));
  CHECK_EQ(wf_hl_layout(w, tup).size, sizeof(c_tup));
  CHECK_EQ(wf_hl_field_offset(w, tup, 2), offsetof(c_tup, f2));
  CHECK_EQ(wf_hl_layout(w, e).size, 1);
  CHECK_EQ(wf_hl_layout(w, f).size, 2);   /* 9 flags: uint16_t */
  CHECK(wf_hl_is_scalar(w, e) && wf_hl_is_scalar(w, f) && !wf_hl_is_scalar(w, pt) &&
        !wf_hl_is_scalar(w, WF_WIT_PRIM_REF(WF_WIT_STRING)) && wf_hl_is_scalar(w, WF_WIT_PRIM_REF(WF_WIT_CHAR)));
  CHECK_EQ(wf_hl_tag_size(256), 1);
  CHECK_EQ(wf_hl_tag_size(257), 2);
  CHECK_EQ(wf_hl_tag_size(65537), 4);
  CHECK_EQ(wf_hl_flags_size(33), 8);
  wf_wit_free(w);
}

WF_TEST(host_signatures_and_symbols) {
  wf_error_t err = {0};
  wf_wit_t *w = wf_wit_parse_string("lay.wit", LAYOUT_WIT, &err);
  CHECK(w != NULL);
  uint32_t ii = (uint32_t)wf_wit_find_interface_id(w, "t:lay/i@1.0.0");
  struct { const char *fn, *sym; int ret; } cases[] = {
    {"f-one", "t_lay_i_f_one", WF_HRET_SCALAR},
    {"f-two", "t_lay_i_f_two", WF_HRET_OPTION},
    {"f-three", "t_lay_i_f_three", WF_HRET_RESULT},
    {"f-four", "t_lay_i_f_four", WF_HRET_PTR},
    {"f-five", "t_lay_i_f_five", WF_HRET_NONE},
    {"[constructor]r", "t_lay_i_r_new", WF_HRET_SCALAR},
    {"[method]r.m", "t_lay_i_r_m", WF_HRET_PTR},
    {"[static]r.s", "t_lay_i_r_s", WF_HRET_SCALAR},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const wf_wit_func_t *f = wf_wit_find_func(w, ii, cases[i].fn);
    CHECK(f != NULL);
    char sym[256];
    wf_hl_func_symbol(w, ii, f, sym, sizeof sym);
    if (strcmp(sym, cases[i].sym)) fprintf(stderr, "  %s -> %s\n", cases[i].fn, sym);
    CHECK(!strcmp(sym, cases[i].sym));
    wf_hsig_t sig;
    wf_hl_signature(w, f, &sig);
    CHECK_EQ(sig.ret, cases[i].ret);
    if (sig.ret == WF_HRET_RESULT) CHECK(sig.ok == WF_WIT_NONE && sig.err == WF_WIT_PRIM_REF(WF_WIT_STRING));
  }
  wf_wit_free(w);
}

WF_TEST(host_unsupported_types_refused) {
  wf_error_t err = {0};
  wf_wit_t *w = wf_wit_parse_string("u.wit",
                                    "package t:u;\ninterface i {\n  f: func(x: future<u8>);\n}\nworld w { export i; }\n",
                                    &err);
  CHECK(w != NULL);
  uint32_t ii = (uint32_t)wf_wit_find_interface_id(w, "t:u/i");
  const wf_wit_func_t *f = wf_wit_find_func(w, ii, "f");
  CHECK(f != NULL);
  CHECK(!wf_hl_check(w, f->params[0].type, "u.wit: t:u/i#f", &err));
  CHECK(strstr(err.msg, "future types are not supported by host bundles") != NULL);
  wf_wit_free(w);
}

/* ---- files ---- */
static char *tmpdir_new(void) {
  char t[] = "/tmp/weft-host-unit-XXXXXX";
  char *d = mkdtemp(t);
  return d ? strdup(d) : NULL;
}
static void put_file(const char *dir, const char *name, const char *text) {
  char p[4096];
  if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p) return;
  FILE *f = fopen(p, "w");
  if (f) { fputs(text, f); fclose(f); }
}

WF_TEST(host_toml_parse_and_errors) {
  char *d = tmpdir_new();
  CHECK(d != NULL);
  char p[1024];
  snprintf(p, sizeof p, "%s/host.toml", d);
  wf_hbundle_toml_t bt;
  wf_error_t err = {0};
  put_file(d, "host.toml", "[host]\nname = \"db\"\nlib = \"lib/x.so\"\nwit = \"wit\"\n[host.config]\npath = \":memory:\"\nn = 3\n");
  CHECK(wf_hbundle_toml_parse(p, &bt, &err));
  CHECK(!strcmp(bt.name, "db") && !strcmp(bt.lib, "lib/x.so") && bt.world == NULL && bt.nconfig == 2);
  CHECK(!strcmp(bt.config[0].value, ":memory:") && !strcmp(bt.config[1].value, "3"));
  wf_hbundle_toml_fini(&bt);

  const struct { const char *text, *want; } bad[] = {
    {"[host]\nname = \"db\nlib = \"x\"\n", "host.toml:2:"},
    {"[host]\nname = \"db\"\nwit = \"w\"\n", "host.toml:1:1: [host] needs a `lib` string"},
    {"[host]\nname = \"db\"\nlib = \"l\"\nwit = \"w\"\nlibs = 1\n", "host.toml:5:8: unknown key `libs` in [host]"},
    {"[host]\nname = 7\n", "host.toml:2:8: `name` in [host] must be a string, not integer"},
    {"[host]\nname = \"a b\"\nlib = \"l\"\nwit = \"w\"\n", "host name 'a b' is not a valid name"},
    {"[host]\nname = \"x\"\nlib = \"l\"\nwit = \"w\"\n[host.config]\nk = [1]\n", "host.config.k must be a string"},
    {"name = \"x\"\n", "unknown key `name` in host.toml"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    put_file(d, "host.toml", bad[i].text);
    wf_error_t e = {0};
    CHECK(!wf_hbundle_toml_parse(p, &bt, &e));
    if (!strstr(e.msg, bad[i].want)) fprintf(stderr, "  case %zu: %s\n", i, e.msg);
    CHECK(strstr(e.msg, bad[i].want) != NULL);
  }
  wf_hbundle_rmtree(d);
  free(d);
}

WF_TEST(host_manifest_parse) {
  char *d = tmpdir_new();
  CHECK(d != NULL);
  char p[1024], sub[1024];
  snprintf(sub, sizeof sub, "%s/hosts", d);
  mkdir(sub, 0755);
  snprintf(sub, sizeof sub, "%s/hosts/b1", d);
  mkdir(sub, 0755);
  put_file(sub, "host.toml", "[host]\n");
  snprintf(sub, sizeof sub, "%s/hosts", d);
  put_file(sub, "b2.tar.gz", "x");
  put_file(d, "hosts.toml",
           "[global]\nsearch_paths = [\"./nothing\", \"./hosts\"]\n"
           "[[host]]\nname = \"one\"\nbundle = \"b1\"\n"
           "[[host]]\nname = \"two\"\nbundle = \"b2\"\nconfig = { k = \"v\" }\n"
           "[[host]]\nname = \"three\"\nwit = \"w.wit\"\nlib = \"/abs/l.so\"\nworld = \"x\"\n");
  snprintf(p, sizeof p, "%s/hosts.toml", d);
  wf_hspec_t *s;
  size_t n;
  wf_error_t err = {0};
  CHECK(wf_hmanifest_parse(p, &s, &n, &err));
  CHECK_EQ(n, 3);
  char want[1100];
  snprintf(want, sizeof want, "%s/./hosts/b1", d);
  CHECK(!strcmp(s[0].bundle, want));
  snprintf(want, sizeof want, "%s/./hosts/b2.tar.gz", d);
  CHECK(!strcmp(s[1].bundle, want));
  CHECK(s[1].nconfig == 1 && !strcmp(s[1].config[0].key, "k") && !strcmp(s[1].config[0].value, "v"));
  snprintf(want, sizeof want, "%s/w.wit", d);
  CHECK(!strcmp(s[2].wit, want) && !strcmp(s[2].lib, "/abs/l.so") && !strcmp(s[2].world, "x"));
  for (size_t i = 0; i < n; i++) wf_hspec_fini(&s[i]);
  free(s);

  const struct { const char *text, *want; } bad[] = {
    {"[[host]]\nname = \"x\"\n", "hosts.toml:1:1: host 'x' needs `bundle`, or both `wit` and `lib`"},
    {"[[host]]\nname = \"x\"\nbundle = \"nope\"\n", "bundle 'nope' of host 'x' not found in search paths"},
    {"[global]\nsearch_paths = \"x\"\n", "hosts.toml:2:16: search_paths must be an array of strings"},
    {"[[host]]\nname = \"x\"\nwit = \"a\"\nlib = \"b\"\nbundle = \"c\"\n", "gives both `bundle` and `wit`/`lib`"},
    {"[global]\nsearch = []\n", "hosts.toml:2:10: unknown key `search` in [global]"},
    {"[[host]\n", "hosts.toml:1:"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    put_file(d, "hosts.toml", bad[i].text);
    wf_error_t e = {0};
    CHECK(!wf_hmanifest_parse(p, &s, &n, &e));
    if (!strstr(e.msg, bad[i].want)) fprintf(stderr, "  case %zu: %s\n", i, e.msg);
    CHECK(strstr(e.msg, bad[i].want) != NULL);
  }
  wf_hbundle_rmtree(d);
  free(d);
}

WF_TEST(host_paths_stay_inside) {
  char *d = tmpdir_new(), *o = tmpdir_new();
  CHECK(d != NULL && o != NULL);
  char p[1024];
  snprintf(p, sizeof p, "%s/lib", d);
  mkdir(p, 0755);
  put_file(p, "ok.so", "x");
  put_file(o, "outside.so", "x");
  char link[1024], target[1024];
  snprintf(link, sizeof link, "%s/lib/out.so", d);
  snprintf(target, sizeof target, "%s/outside.so", o);
  CHECK(symlink(target, link) == 0);
  snprintf(link, sizeof link, "%s/lib/in.so", d);
  CHECK(symlink("ok.so", link) == 0);
  char *r = NULL;
  wf_error_t err = {0};
  CHECK(wf_hbundle_path(d, "lib/ok.so", "lib", &r, &err));
  free(r);
  CHECK(wf_hbundle_path(d, "lib/in.so", "lib", &r, &err));   /* a link that stays inside */
  free(r);
  const struct { const char *rel, *want; } bad[] = {
    {"../x.so", "escapes the bundle ('..' is refused)"},
    {"lib/../../x.so", "escapes the bundle ('..' is refused)"},
    {"/etc/passwd", "escapes the bundle (absolute paths are refused)"},
    {"lib/out.so", "escapes the bundle (a symlink leads to"},
    {"lib/none.so", "lib 'lib/none.so' not found in the bundle"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    wf_error_t e = {0};
    CHECK(!wf_hbundle_path(d, bad[i].rel, "lib", &r, &e));
    if (!strstr(e.msg, bad[i].want)) fprintf(stderr, "  case %zu: %s\n", i, e.msg);
    CHECK(strstr(e.msg, bad[i].want) != NULL);
  }
  wf_hbundle_rmtree(d);
  wf_hbundle_rmtree(o);
  free(d);
  free(o);
}

/* A .tar.gz with the given (name, content) entries; content NULL = a
 * symlink to `link`. */
static int write_tar(const char *path, const char *const *names, const char *const *contents, const char *link,
                     size_t n) {
  struct archive *a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, path) != ARCHIVE_OK) return 0;
  for (size_t i = 0; i < n; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, names[i]);
    archive_entry_set_perm(e, 0644);
    if (contents[i]) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, (la_int64_t)strlen(contents[i]));
      archive_write_header(a, e);
      archive_write_data(a, contents[i], strlen(contents[i]));
    } else {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, link);
      archive_write_header(a, e);
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return 1;
}

static int count_entries(const char *dir) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "%s", dir);
  struct stat st;
  return stat(cmd, &st) == 0;
}

WF_TEST(host_tarball_extraction) {
  char *d = tmpdir_new();
  CHECK(d != NULL);
  char tar[1024];
  snprintf(tar, sizeof tar, "%s/good.tar.gz", d);
  const char *gn[] = {"b/host.toml", "b/wit/x.wit"};
  const char *gc[] = {"[host]\n", "package a:b;\n"};
  CHECK(write_tar(tar, gn, gc, NULL, 2));
  char *tmp = NULL, *root = NULL;
  wf_error_t err = {0};
  CHECK(wf_hbundle_extract(tar, &tmp, &root, &err));
  char want[1200];
  snprintf(want, sizeof want, "%s/b", tmp);
  CHECK(!strcmp(root, want));
  snprintf(want, sizeof want, "%s/b/wit/x.wit", tmp);
  CHECK(count_entries(want));
  wf_hbundle_rmtree(tmp);
  CHECK(!count_entries(tmp));
  free(tmp);
  free(root);

  const struct { const char *name; const char *content; const char *link; const char *want; } bad[] = {
    {"b/../../evil", "x", NULL, "entry 'b/../../evil' escapes the bundle (a '..' component)"},
    {"/abs/evil", "x", NULL, "entry '/abs/evil' escapes the bundle (an absolute path)"},
    {"b/l", NULL, "../../x", "symlink 'b/l' -> '../../x' escapes the bundle"},
    {"b/l", NULL, "/etc", "symlink 'b/l' -> '/etc' escapes the bundle (absolute target)"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    snprintf(tar, sizeof tar, "%s/bad%zu.tar.gz", d, i);
    const char *names[] = {"b/host.toml", bad[i].name};
    const char *contents[] = {"[host]\n", bad[i].content};
    CHECK(write_tar(tar, names, contents, bad[i].link, 2));
    wf_error_t e = {0};
    CHECK(!wf_hbundle_extract(tar, &tmp, &root, &e));
    if (!strstr(e.msg, bad[i].want)) fprintf(stderr, "  case %zu: %s\n", i, e.msg);
    CHECK(strstr(e.msg, bad[i].want) != NULL);
    CHECK(tmp == NULL && root == NULL);
  }
  /* a symlink that stays inside is fine */
  snprintf(tar, sizeof tar, "%s/inside.tar.gz", d);
  const char *in[] = {"b/host.toml", "b/l"};
  const char *ic[] = {"[host]\n", NULL};
  CHECK(write_tar(tar, in, ic, "host.toml", 2));
  CHECK(wf_hbundle_extract(tar, &tmp, &root, &err));
  wf_hbundle_rmtree(tmp);
  free(tmp);
  free(root);
  /* not an archive */
  snprintf(tar, sizeof tar, "%s/junk.tar.gz", d);
  put_file(d, "junk.tar.gz", "not gzip at all");
  wf_error_t e = {0};
  CHECK(!wf_hbundle_extract(tar, &tmp, &root, &e));
  CHECK(strstr(e.msg, "junk.tar.gz") != NULL);
  wf_hbundle_rmtree(d);
  free(d);
}

WF_TEST(host_pack_round_trip) {
  char *d = tmpdir_new();
  CHECK(d != NULL);
  char b[1024], sub[1100];
  snprintf(b, sizeof b, "%s/bundle", d);
  mkdir(b, 0755);
  snprintf(sub, sizeof sub, "%s/lib", b);
  mkdir(sub, 0755);
  put_file(b, "host.toml", "[host]\nname = \"p\"\nlib = \"lib/l.so\"\nwit = \"w.wit\"\n");
  put_file(sub, "l.so", "bytes");
  char out[1100];
  snprintf(out, sizeof out, "%s/p.tar.gz", d);
  wf_error_t err = {0};
  CHECK(wf_hbundle_pack(b, "p", out, &err));
  char *tmp = NULL, *root = NULL;
  CHECK(wf_hbundle_extract(out, &tmp, &root, &err));
  char want[1200];
  snprintf(want, sizeof want, "%s/p/lib/l.so", tmp);
  CHECK(count_entries(want));
  wf_hbundle_rmtree(tmp);
  free(tmp);
  free(root);
  wf_hbundle_rmtree(d);
  free(d);
}
