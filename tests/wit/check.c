/* WIT corpus driver.
 *   wit-check [-v] [-w WASM_DIR] CORPUS_DIR [WASI_DIR]
 * CORPUS_DIR is wasm-tools' wit-parser ui tests: each valid case (X.wit or a
 * directory X) is resolved (feature `active` enabled, as upstream's runner
 * does) and compared against X.wit.json as a sorted list of facts: package
 * names; interfaces; each interface's types (name, kind, fields/cases and
 * the types they refer to); functions (name, kind, params with types,
 * result); worlds and their imports/exports (keys and item kinds). The
 * printed WIT of each valid case must also parse and resolve again.
 * parse-fail/ cases must be rejected; messages are compared with the first
 * line of X.wit.result (count reported, not required).
 * WASI_DIR: every *.wit there is resolved with the others as its deps/.
 * Ends with "wit: N passed, M failed". */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wit/wit.h"
#include "json.h"

/* vsnprintf through a wrapper: truncation of these diagnostics is fine. */
static int fmtb(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fmtb(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= cap) n = cap ? (int)cap - 1 : 0;
  return n;
}

static int verbose;
static int passed, failed, skipped;
/* -w DIR: where tests/cli/wit.sh put the cases that use wasm-encoded WIT,
   with every .wat converted to .wasm by a real toolchain (jco parse). */
static const char *wasm_dir;

/* Does DIR/deps hold a binary- or text-encoded wasm package (.wasm/.wat)? */
static bool has_wasm_deps(const char *dir) {
  char deps[4200];
  fmtb(deps, sizeof deps, "%s/deps", dir);
  DIR *d = opendir(deps);
  if (!d) return false;
  bool found = false;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if ((n > 5 && strcmp(e->d_name + n - 5, ".wasm") == 0) || (n > 4 && strcmp(e->d_name + n - 4, ".wat") == 0))
      found = true;
  }
  closedir(d);
  return found;
}

typedef struct { char **v; size_t n, cap; } strs;

static void add(strs *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(strs *s, const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    if (!s->v) abort();
  }
  s->v[s->n++] = strdup(buf);
}

static void sfree(strs *s) {
  for (size_t i = 0; i < s->n; i++) free(s->v[i]);
  free(s->v);
  memset(s, 0, sizeof *s);
}

static int cmps(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)(n > 0 ? n : 0) + 1);
  if (!b) { fclose(f); return NULL; }
  size_t got = fread(b, 1, (size_t)(n > 0 ? n : 0), f);
  fclose(f);
  b[got] = 0;
  if (len) *len = got;
  return b;
}

/* ---------- facts from the IR ---------- */
static const char *kind_name(int k) {
  static const char *const n[] = {
    [WF_WIT_TYPE_ALIAS] = "type", [WF_WIT_TYPE_RECORD] = "record", [WF_WIT_TYPE_VARIANT] = "variant",
    [WF_WIT_TYPE_ENUM] = "enum", [WF_WIT_TYPE_FLAGS] = "flags", [WF_WIT_TYPE_RESOURCE] = "resource",
    [WF_WIT_TYPE_TUPLE] = "tuple", [WF_WIT_TYPE_LIST] = "list", [WF_WIT_TYPE_FIXED_LIST] = "fixed-length-list",
    [WF_WIT_TYPE_MAP] = "map", [WF_WIT_TYPE_OPTION] = "option", [WF_WIT_TYPE_RESULT] = "result",
    [WF_WIT_TYPE_OWN] = "handle-own", [WF_WIT_TYPE_BORROW] = "handle-borrow", [WF_WIT_TYPE_STREAM] = "stream",
    [WF_WIT_TYPE_FUTURE] = "future"};
  return (unsigned)k < WF_WIT_TYPE_KIND_COUNT ? n[k] : "?";
}

static void ir_tdesc(const wf_wit_t *w, wf_wit_tref t, char *buf, size_t cap) {
  if (t == WF_WIT_NONE) fmtb(buf, cap, "-");
  else if (WF_WIT_IS_PRIM(t)) fmtb(buf, cap, "%s", wf_wit_prim_name(WF_WIT_REF_PRIM(t)));
  else if (w->types[t].name) fmtb(buf, cap, "%s", w->types[t].name);
  else fmtb(buf, cap, "<%s>", kind_name(w->types[t].kind));
}

static void ir_type_facts(const wf_wit_t *w, strs *out, const char *where, const char *name, uint32_t ti) {
  const wf_wit_type_t *t = &w->types[ti];
  char d[256], line[2048];
  int o = fmtb(line, sizeof line, "type %s %s %s", where, name, kind_name(t->kind));
  if (t->kind == WF_WIT_TYPE_ALIAS) {
    ir_tdesc(w, t->a, d, sizeof d);
    o += fmtb(line + o, sizeof line - (size_t)o, " %s", d);
  }
  for (uint32_t i = 0; i < t->nfields && o < (int)sizeof line - 300; i++) {
    ir_tdesc(w, t->fields[i].type, d, sizeof d);
    o += fmtb(line + o, sizeof line - (size_t)o, " %s:%s", t->fields[i].name ? t->fields[i].name : "", d);
  }
  add(out, "%s", line);
}

static void ir_func_fact(const wf_wit_t *w, strs *out, const char *where, const wf_wit_func_t *f) {
  static const char *const kn[] = {"freestanding", "method", "static", "constructor"};
  char d[256], line[2048];
  int o = fmtb(line, sizeof line, "func %s %s %s%s (", where, f->name, kn[f->kind], f->is_async ? " async" : "");
  for (uint32_t i = 0; i < f->nparams && o < (int)sizeof line - 300; i++) {
    ir_tdesc(w, f->params[i].type, d, sizeof d);
    o += fmtb(line + o, sizeof line - (size_t)o, "%s:%s ", f->params[i].name, d);
  }
  ir_tdesc(w, f->result, d, sizeof d);
  fmtb(line + o, sizeof line - (size_t)o, ") -> %s", d);
  add(out, "%s", line);
}

static void ir_facts(const wf_wit_t *w, strs *out) {
  char where[600], buf[512];
  for (uint32_t p = 0; p < w->npackages; p++) add(out, "package %s", w->packages[p].id);
  for (uint32_t i = 0; i < w->ninterfaces; i++) {
    const wf_wit_interface_t *it = &w->interfaces[i];
    if (!it->name) continue; /* inline interfaces are checked through their worlds' keys */
    fmtb(where, sizeof where, "%s", wf_wit_interface_id(w, i, buf, sizeof buf));
    add(out, "interface %s", where);
    for (uint32_t t = 0; t < it->ntypes; t++) ir_type_facts(w, out, where, it->types[t].name, it->types[t].type);
    for (uint32_t f = 0; f < it->nfuncs; f++) ir_func_fact(w, out, where, &it->funcs[f]);
  }
  for (uint32_t i = 0; i < w->nworlds; i++) {
    const wf_wit_world_t *wo = &w->worlds[i];
    fmtb(where, sizeof where, "%s/%s", w->packages[wo->package].id, wo->name);
    add(out, "world %s", where);
    for (int side = 0; side < 2; side++) {
      const wf_wit_world_item_t *v = side ? wo->exports : wo->imports;
      uint32_t n = side ? wo->nexports : wo->nimports;
      for (uint32_t k = 0; k < n; k++) {
        static const char *const ik[] = {"interface", "function", "type"};
        add(out, "%s %s %s %s", side ? "export" : "import", where, v[k].key, ik[v[k].kind]);
        if (v[k].kind == WF_WIT_ITEM_FUNC) ir_func_fact(w, out, where, &v[k].func);
      }
    }
  }
}

/* ---------- facts from the expected JSON ---------- */
typedef struct { const jv *root, *types, *ifaces, *pkgs, *worlds; } jdoc;

static const jv *jidx(const jv *arr, const jv *num) {
  if (!arr || arr->k != J_ARR || !num || num->k != J_NUM) return NULL;
  size_t i = (size_t)num->num;
  return i < arr->n ? arr->items[i] : NULL;
}

static const char *jkind_name(const jv *kind, char *buf, size_t cap) {
  if (!kind) return "?";
  if (kind->k == J_STR) return kind->str;
  if (kind->k != J_OBJ || kind->n != 1) return "?";
  if (strcmp(kind->keys[0], "handle") == 0) {
    const jv *h = kind->items[0];
    fmtb(buf, cap, "handle-%s", h && h->k == J_OBJ && h->n ? h->keys[0] : "?");
    return buf;
  }
  return kind->keys[0];
}

static void j_tdesc(const jdoc *d, const jv *t, char *buf, size_t cap) {
  if (!t || t->k == J_NULL) { fmtb(buf, cap, "-"); return; }
  if (t->k == J_STR) { fmtb(buf, cap, "%s", t->str); return; }
  const jv *ty = jidx(d->types, t);
  if (!ty) { fmtb(buf, cap, "?"); return; }
  const char *nm = jstr(jget(ty, "name"));
  char kb[64];
  if (nm) fmtb(buf, cap, "%s", nm);
  else fmtb(buf, cap, "<%s>", jkind_name(jget(ty, "kind"), kb, sizeof kb));
}

static void j_iface_id(const jdoc *d, const jv *num, char *buf, size_t cap) {
  const jv *it = jidx(d->ifaces, num);
  const jv *pk = it ? jidx(d->pkgs, jget(it, "package")) : NULL;
  const char *pn = pk ? jstr(jget(pk, "name")) : NULL;
  const char *in = it ? jstr(jget(it, "name")) : NULL;
  if (!pn || !in) { fmtb(buf, cap, "?"); return; }
  const char *at = strchr(pn, '@');
  if (at) fmtb(buf, cap, "%.*s/%s%s", (int)(at - pn), pn, in, at);
  else fmtb(buf, cap, "%s/%s", pn, in);
}

static void j_type_facts(const jdoc *d, strs *out, const char *where, const char *name, const jv *idx) {
  const jv *t = jidx(d->types, idx);
  const jv *kind = t ? jget(t, "kind") : NULL;
  char kb[64], db[256], line[2048];
  const char *kn = jkind_name(kind, kb, sizeof kb);
  int o = fmtb(line, sizeof line, "type %s %s %s", where, name, kn);
  const jv *body = kind && kind->k == J_OBJ && kind->n == 1 ? kind->items[0] : NULL;
  if (strcmp(kn, "type") == 0) {
    j_tdesc(d, body, db, sizeof db);
    o += fmtb(line + o, sizeof line - (size_t)o, " %s", db);
  } else if (body && body->k == J_OBJ) {
    const jv *list = jget(body, "fields");
    if (!list) list = jget(body, "cases");
    if (!list) list = jget(body, "flags");
    if (!list) list = jget(body, "types");
    for (size_t i = 0; list && list->k == J_ARR && i < list->n && o < (int)sizeof line - 300; i++) {
      const jv *e = list->items[i];
      if (e->k == J_OBJ) {
        j_tdesc(d, jget(e, "type"), db, sizeof db);
        o += fmtb(line + o, sizeof line - (size_t)o, " %s:%s", jstr(jget(e, "name")) ? jstr(jget(e, "name")) : "", db);
      } else {
        j_tdesc(d, e, db, sizeof db);
        o += fmtb(line + o, sizeof line - (size_t)o, " :%s", db);
      }
    }
  }
  add(out, "%s", line);
}

static void j_func_fact(const jdoc *d, strs *out, const char *where, const jv *f) {
  char db[256], line[2048];
  const jv *kind = jget(f, "kind");
  const char *kn = kind && kind->k == J_STR ? kind->str : kind && kind->k == J_OBJ && kind->n ? kind->keys[0] : "?";
  bool is_async = false;
  if (strncmp(kn, "async-", 6) == 0) { kn += 6; is_async = true; }
  int o = fmtb(line, sizeof line, "func %s %s %s%s (", where, jstr(jget(f, "name")), kn, is_async ? " async" : "");
  const jv *ps = jget(f, "params");
  for (size_t i = 0; ps && ps->k == J_ARR && i < ps->n && o < (int)sizeof line - 300; i++) {
    j_tdesc(d, jget(ps->items[i], "type"), db, sizeof db);
    o += fmtb(line + o, sizeof line - (size_t)o, "%s:%s ", jstr(jget(ps->items[i], "name")), db);
  }
  j_tdesc(d, jget(f, "result"), db, sizeof db);
  fmtb(line + o, sizeof line - (size_t)o, ") -> %s", db);
  add(out, "%s", line);
}

static bool j_facts(const jv *root, strs *out) {
  jdoc d = {root, jget(root, "types"), jget(root, "interfaces"), jget(root, "packages"), jget(root, "worlds")};
  if (!d.types || !d.ifaces || !d.pkgs || !d.worlds) return false;
  char where[600];
  for (size_t p = 0; p < d.pkgs->n; p++) add(out, "package %s", jstr(jget(d.pkgs->items[p], "name")));
  for (size_t i = 0; i < d.ifaces->n; i++) {
    const jv *it = d.ifaces->items[i];
    if (!jstr(jget(it, "name"))) continue;
    jv num = {.k = J_NUM, .num = (double)i};
    j_iface_id(&d, &num, where, sizeof where);
    add(out, "interface %s", where);
    const jv *ts = jget(it, "types");
    for (size_t t = 0; ts && t < ts->n; t++) j_type_facts(&d, out, where, ts->keys[t], ts->items[t]);
    const jv *fs = jget(it, "functions");
    for (size_t f = 0; fs && f < fs->n; f++) j_func_fact(&d, out, where, fs->items[f]);
  }
  for (size_t i = 0; i < d.worlds->n; i++) {
    const jv *wo = d.worlds->items[i];
    const jv *pk = jidx(d.pkgs, jget(wo, "package"));
    fmtb(where, sizeof where, "%s/%s", pk ? jstr(jget(pk, "name")) : "?", jstr(jget(wo, "name")));
    add(out, "world %s", where);
    for (int side = 0; side < 2; side++) {
      const jv *v = jget(wo, side ? "exports" : "imports");
      for (size_t k = 0; v && k < v->n; k++) {
        const jv *item = v->items[k];
        const char *ik = item->k == J_OBJ && item->n ? item->keys[0] : "?";
        char key[600];
        if (strncmp(v->keys[k], "interface-", 10) == 0) {
          jv num = {.k = J_NUM, .num = atof(v->keys[k] + 10)};
          j_iface_id(&d, &num, key, sizeof key);
        } else {
          fmtb(key, sizeof key, "%s", v->keys[k]);
        }
        add(out, "%s %s %s %s", side ? "export" : "import", where, key, ik);
        if (strcmp(ik, "function") == 0) j_func_fact(&d, out, where, item->items[0]);
      }
    }
  }
  return true;
}

/* ---------- cases ---------- */
static const wf_wit_opts_t active = {"active", 0};

static bool compare(const char *name, const wf_wit_t *w, const char *json_path) {
  size_t len;
  char *text = slurp(json_path, &len);
  if (!text) { printf("FAIL %s: cannot read %s\n", name, json_path); return false; }
  jv *root = jparse(text, len);
  free(text);
  strs a = {0}, b = {0};
  bool ok = root && j_facts(root, &a);
  jfree(root);
  if (!ok) { printf("FAIL %s: bad expected JSON\n", name); sfree(&a); return false; }
  ir_facts(w, &b);
  qsort(a.v, a.n, sizeof *a.v, cmps);
  qsort(b.v, b.n, sizeof *b.v, cmps);
  size_t i = 0, j = 0;
  int shown = 0;
  while (i < a.n || j < b.n) {
    int c = i >= a.n ? 1 : j >= b.n ? -1 : strcmp(a.v[i], b.v[j]);
    if (c == 0) { i++; j++; continue; }
    ok = false;
    if (shown++ < (verbose ? 20 : 3)) printf("  %s: %s %s\n", name, c < 0 ? "missing:" : "unexpected:", c < 0 ? a.v[i] : b.v[j]);
    if (c < 0) i++; else j++;
  }
  sfree(&a);
  sfree(&b);
  return ok;
}

static bool ends_with(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

static char **list_sorted(const char *dir, size_t *n) {
  DIR *d = opendir(dir);
  if (!d) return NULL;
  char **v = NULL;
  size_t cap = 0;
  *n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      v = realloc(v, cap * sizeof *v);
      if (!v) abort();
    }
    v[(*n)++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(v, *n, sizeof *v, cmps);
  return v;
}

static void result(bool ok, const char *what, const char *name, const char *msg) {
  if (ok) passed++;
  else {
    failed++;
    printf("FAIL %s %s%s%s\n", what, name, msg ? ": " : "", msg ? msg : "");
  }
}

static void run_valid(const char *corpus) {
  size_t n;
  char **names = list_sorted(corpus, &n);
  int resolved = 0, matched = 0, roundtrip = 0, total = 0;
  for (size_t i = 0; i < n; i++) {
    char path[4096], json[4096], name[1024];
    fmtb(path, sizeof path, "%s/%s", corpus, names[i]);
    struct stat st;
    if (stat(path, &st) != 0 || strcmp(names[i], "parse-fail") == 0) continue;
    if (S_ISDIR(st.st_mode)) fmtb(name, sizeof name, "%s", names[i]);
    else if (ends_with(names[i], ".wit")) fmtb(name, sizeof name, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
    else if (ends_with(names[i], ".wat")) fmtb(name, sizeof name, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
    else continue; /* .json, LICENSE */
    fmtb(json, sizeof json, "%s/%s.wit.json", corpus, name);
    if (access(json, R_OK) != 0) continue;
    bool is_wat = ends_with(names[i], ".wat");
    if (is_wat || (S_ISDIR(st.st_mode) && has_wasm_deps(path))) {
      /* WIT in wasm text: weft reads the binary form only; wit.sh converts */
      if (!wasm_dir) {
        printf("skip %s: uses WIT in wasm text format and no converted copy was given (-w)\n", name);
        skipped++;
        continue;
      }
      if (is_wat) fmtb(path, sizeof path, "%s/%s.wasm", wasm_dir, name);
      else fmtb(path, sizeof path, "%s/%s", wasm_dir, name);
    }
    total++;
    wf_error_t err = {0};
    wf_wit_t *w = wf_wit_load_path_opts(path, &active, &err);
    if (!w) { result(false, "valid", name, err.msg); continue; }
    resolved++;
    bool ok = compare(name, w, json);
    if (ok) matched++;
    result(ok, "valid", name, ok ? NULL : "resolved result differs from the expected JSON");
    char *txt = wf_wit_print(w);
    wf_error_t e2 = {0};
    wf_wit_t *w2 = txt ? wf_wit_parse_buffer("printed", txt, strlen(txt), &active, &e2) : NULL;
    bool same = w2 != NULL;
    if (w2) {
      strs f1 = {0}, f2 = {0};
      ir_facts(w, &f1);
      ir_facts(w2, &f2);
      qsort(f1.v, f1.n, sizeof *f1.v, cmps);
      qsort(f2.v, f2.n, sizeof *f2.v, cmps);
      same = f1.n == f2.n;
      for (size_t k = 0; same && k < f1.n; k++) same = strcmp(f1.v[k], f2.v[k]) == 0;
      for (size_t k = 0, q = 0; verbose && !same && (k < f1.n || q < f2.n);) {
        int c = k >= f1.n ? 1 : q >= f2.n ? -1 : strcmp(f1.v[k], f2.v[q]);
        if (c == 0) { k++; q++; continue; }
        printf("  reparse %s: %s %s\n", name, c < 0 ? "lost:" : "new:", c < 0 ? f1.v[k] : f2.v[q]);
        if (c < 0) k++; else q++;
      }
      sfree(&f1);
      sfree(&f2);
    }
    if (same) roundtrip++;
    if (!w2 && verbose) printf("%s\n", txt ? txt : "");
    result(same, "print-reparse", name, w2 ? (same ? NULL : "reparsed result differs") : e2.msg);
    wf_wit_free(w2);
    free(txt);
    wf_wit_free(w);
  }
  printf("valid: %d cases, %d resolved, %d match the expected JSON, %d printed+reparsed\n", total, resolved,
         matched, roundtrip);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

/* the essential part of wasm-tools' message (without path prefixes) */
static void expected_core(const char *text, char *out, size_t cap) {
  const char *nl = strchr(text, '\n');
  size_t len = nl ? (size_t)(nl - text) : strlen(text);
  char line[2048];
  fmtb(line, sizeof line, "%.*s", (int)len, text);
  const char *s = line;
  const char *p;
  if ((p = strstr(s, "]: "))) s = p + 3;
  if (strncmp(s, "failed to parse package: ", 25) == 0 && (p = strstr(s + 25, ": "))) s = p + 2;
  if (strncmp(s, "tests/ui/", 9) == 0 && (p = strstr(s, ": "))) s = p + 2;
  fmtb(out, cap, "%s", s);
  char *k = strstr(out, "known packages:");
  if (k) k[15] = 0;
}

static void run_fail(const char *corpus) {
  char dir[4096];
  fmtb(dir, sizeof dir, "%s/parse-fail", corpus);
  size_t n;
  char **names = list_sorted(dir, &n);
  int total = 0, rejected = 0, msg_match = 0;
  for (size_t i = 0; names && i < n; i++) {
    if (ends_with(names[i], ".result")) continue;
    char path[4096], res[4096], name[1024];
    fmtb(path, sizeof path, "%s/%s", dir, names[i]);
    fmtb(name, sizeof name, "%s", names[i]);
    if (ends_with(name, ".wit")) name[strlen(name) - 4] = 0;
    fmtb(res, sizeof res, "%s/%s.wit.result", dir, name);
    char *exp = slurp(res, NULL);
    if (!exp) continue;
    total++;
    wf_error_t err = {0};
    wf_wit_t *w = wf_wit_load_path_opts(path, &active, &err);
    if (w) {
      result(false, "parse-fail", name, "accepted");
      wf_wit_free(w);
    } else {
      rejected++;
      char core[1024];
      expected_core(exp, core, sizeof core);
      bool m = strstr(err.msg, core) != NULL;
      if (m) msg_match++;
      else if (verbose) printf("  msg %s:\n    want: %s\n    got:  %s\n", name, core, err.msg);
      result(true, "parse-fail", name, NULL);
    }
    free(exp);
  }
  printf("parse-fail: %d cases, %d rejected, %d with the expected message\n", total, rejected, msg_match);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

static void run_wasi(const char *wasi) {
  size_t n;
  char **names = list_sorted(wasi, &n);
  char tmpl[4096];
  const char *td = getenv("TMPDIR");
  fmtb(tmpl, sizeof tmpl, "%s/wit-check-XXXXXX", td && *td ? td : "/tmp");
  char *tmp = mkdtemp(tmpl);
  int ok_count = 0, total = 0;
  if (!names || !tmp) { result(false, "wasi", wasi, "cannot list or make a temp dir"); return; }
  char abs[4096];
  if (!realpath(wasi, abs)) fmtb(abs, sizeof abs, "%s", wasi);
  for (size_t i = 0; i < n; i++) {
    if (!ends_with(names[i], ".wit")) continue;
    total++;
    char root[4200], deps[4300], link[8600], target[8600];
    fmtb(root, sizeof root, "%s/%zu", tmp, i);
    fmtb(deps, sizeof deps, "%s/deps", root);
    mkdir(root, 0755);
    mkdir(deps, 0755);
    fmtb(link, sizeof link, "%s/main.wit", root);
    fmtb(target, sizeof target, "%s/%s", abs, names[i]);
    if (symlink(target, link) != 0) { result(false, "wasi", names[i], "symlink failed"); continue; }
    for (size_t j = 0; j < n; j++) {
      if (j == i || !ends_with(names[j], ".wit")) continue;
      fmtb(link, sizeof link, "%s/%s", deps, names[j]);
      fmtb(target, sizeof target, "%s/%s", abs, names[j]);
      if (symlink(target, link) != 0) break;
    }
    wf_error_t err = {0};
    wf_wit_t *w = wf_wit_load_path(root, &err);
    bool ok = w != NULL && w->nroots == 1;
    if (ok) ok_count++;
    if (ok && verbose) printf("  wasi %s: %u packages, %u interfaces, %u worlds, %u types\n", names[i], w->npackages,
                              w->ninterfaces, w->nworlds, w->ntypes);
    result(ok, "wasi", names[i], ok ? NULL : err.msg);
    wf_wit_free(w);
    /* clean up */
    for (size_t j = 0; j < n; j++) {
      fmtb(link, sizeof link, "%s/%s", deps, names[j]);
      unlink(link);
    }
    fmtb(link, sizeof link, "%s/main.wit", root);
    unlink(link);
    rmdir(deps);
    rmdir(root);
  }
  rmdir(tmp);
  printf("wasi: %d packages, %d resolved with their deps\n", total, ok_count);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

/* Same facts (ir_facts) for two resolved WITs? */
static bool same_facts(const wf_wit_t *a, const wf_wit_t *b) {
  strs f1 = {0}, f2 = {0};
  ir_facts(a, &f1);
  ir_facts(b, &f2);
  qsort(f1.v, f1.n, sizeof *f1.v, cmps);
  qsort(f2.v, f2.n, sizeof *f2.v, cmps);
  bool same = f1.n == f2.n;
  for (size_t k = 0; same && k < f1.n; k++) same = strcmp(f1.v[k], f2.v[k]) == 0;
  sfree(&f1);
  sfree(&f2);
  return same;
}

/* Loading PATH must fail with a message containing WANT. */
static void expect_error(const char *what, const char *path, const char *want) {
  wf_error_t err = {0};
  wf_wit_t *w = wf_wit_load_path(path, &err);
  bool ok = !w && strstr(err.msg, want) != NULL;
  char msg[700];
  fmtb(msg, sizeof msg, "expected an error with \"%s\", got %s", want, w ? "success" : err.msg);
  result(ok, "wasm-wit", what, ok ? NULL : msg);
  wf_wit_free(w);
}

/* WIT packages in wasm beyond the corpus (WASM_DIR/extra, written and
   converted by wit.sh): types and functions, and clear refusals. */
static void run_wasm_extra(const char *corpus) {
  char path[4096];
  fmtb(path, sizeof path, "%s/kinds-of-deps", corpus);
  expect_error("wat-refused", path, "wasm text format are not supported");
  fmtb(path, sizeof path, "%s/extra/world.wasm", wasm_dir);
  expect_error("world-refused", path, "worlds are not supported");
  fmtb(path, sizeof path, "%s/extra/res.wasm", wasm_dir);
  expect_error("resource-refused", path, "resources are not supported");
  fmtb(path, sizeof path, "%s/extra/notwit.wasm", wasm_dir);
  expect_error("core-module-refused", path, "not a wasm component");
  static const char rich[] =
      "package t:rich@1.0.0;\n"
      "interface api {\n"
      "  record point { a: u32, b: string }\n"
      "  enum dir { x, y }\n"
      "  variant maybe { none, some(point) }\n"
      "  type alias = point;\n"
      "  get: func(p: point, d: dir) -> list<maybe>;\n"
      "  put: func(n: option<u8>) -> result<string, dir>;\n"
      "}\n";
  fmtb(path, sizeof path, "%s/extra/rich.wasm", wasm_dir);
  wf_error_t e1 = {0}, e2 = {0};
  wf_wit_t *w = wf_wit_load_path(path, &e1);
  wf_wit_t *x = wf_wit_parse_string("rich.wit", rich, &e2);
  bool ok = w && x && same_facts(w, x);
  result(ok, "wasm-wit", "rich", ok ? NULL : !w ? e1.msg : !x ? e2.msg : "differs from the expected WIT");
  if (!ok && w && verbose) {
    char *t = wf_wit_print(w);
    printf("%s", t ? t : "");
    free(t);
  }
  wf_wit_free(w);
  wf_wit_free(x);
}

int main(int argc, char **argv) {
  int a = 1;
  if (a < argc && strcmp(argv[a], "-v") == 0) { verbose = 1; a++; }
  if (a + 1 < argc && strcmp(argv[a], "-w") == 0) { wasm_dir = argv[a + 1]; a += 2; }
  if (a >= argc) {
    fprintf(stderr, "usage: wit-check [-v] [-w WASM_DIR] CORPUS_DIR [WASI_DIR]\n");
    return 2;
  }
  run_valid(argv[a]);
  run_fail(argv[a]);
  if (wasm_dir) run_wasm_extra(argv[a]);
  if (a + 1 < argc) run_wasi(argv[a + 1]);
  if (skipped) printf("wit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  else printf("wit: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
