/* Walks $WEFT_CORPORA/component-model/bin/<suite>/<file>.json and checks the
 * decoder's verdict on every `component` / `component definition` (must
 * decode) and `assert_malformed` / `assert_invalid` (must be rejected).
 * Rejections that say "not supported" (async, threads, GC core types, value
 * definitions), embedded core modules using features beyond WebAssembly 2.0
 * (rejected by src/core) and files of nyi.txt are counted apart, not as failures.
 * Prints one line per suite. Skipped, with the reason, when the corpus is absent. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/component.h"
#include "test.h"

/* a + "/" + b into out; false if it does not fit. */
static bool join(char *out, size_t cap, const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la + lb + 2 > cap) return false;
  memcpy(out, a, la);
  out[la] = '/';
  memcpy(out + la + 1, b, lb + 1);
  return true;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
  long n = ftell(f);
  if (n < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
  char *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
  fclose(f);
  if (b) { b[n] = 0; *len = (size_t)n; }
  return b;
}

/* The JSON string value following `"key":` at or after p, copied into out. */
static const char *json_str(const char *p, const char *key, char *out, size_t cap) {
  char pat[32];
  snprintf(pat, sizeof pat, "\"%s\"", key);
  const char *q = p;
  for (;;) {
    q = strstr(q, pat);
    if (!q) return NULL;
    if (q > p && q[-1] == '\\') { q++; continue; }
    break;
  }
  q += strlen(pat);
  while (*q == ' ' || *q == ':' || *q == '\t' || *q == '\n') q++;
  if (*q != '"') return NULL;
  q++;
  size_t o = 0;
  while (*q && *q != '"') {
    if (*q == '\\' && q[1]) q++;
    if (o + 1 < cap) out[o++] = *q;
    q++;
  }
  out[o] = 0;
  return q;
}

typedef struct { int pass, fail, unsupported, core, nyi, nyi_pass; } counts_t;

static bool in_nyi(const char *nyi, const char *suite, const char *json) {
  if (!nyi) return false;
  char want[512];
  size_t jl = strlen(json);
  snprintf(want, sizeof want, "%s/%.*s.wast", suite, (int)(jl > 5 ? jl - 5 : jl), json);
  return strstr(nyi, want) != NULL;
}

static void run_json(const char *dir, const char *suite, const char *json, const char *nyi, counts_t *c) {
  char path[4096];
  if (!join(path, sizeof path, dir, json)) return;
  size_t len;
  char *text = slurp(path, &len);
  if (!text) return;
  bool skip = in_nyi(nyi, suite, json);
  const char *p = text;
  char type[64], file[256];
  while ((p = json_str(p, "type", type, sizeof type))) {
    bool want_ok = strcmp(type, "component") == 0 || strcmp(type, "component definition") == 0;
    bool want_err = strcmp(type, "assert_malformed") == 0 || strcmp(type, "assert_invalid") == 0;
    if (!want_ok && !want_err) continue;
    /* the filename of this command comes before the next "type" */
    const char *next = strstr(p, "\"type\"");
    const char *f = json_str(p, "filename", file, sizeof file);
    if (!f || (next && f > next)) continue;
    char wpath[4096];
    if (!join(wpath, sizeof wpath, dir, file)) { c->fail++; continue; }
    size_t wlen;
    uint8_t *bytes = (uint8_t *)slurp(wpath, &wlen);
    if (!bytes) { c->fail++; fprintf(stderr, "  %s/%s: cannot read\n", suite, file); continue; }
    wf_error_t err = {0};
    wf_component_t *comp = wf_component_decode(bytes, wlen, &err);
    bool ok = comp != NULL;
    wf_component_free(comp);
    free(bytes);
    if (skip) { /* upstream marks these not-yet-passing: run, never fail */
      c->nyi++;
      c->nyi_pass += ok == want_ok;
    } else if (ok == want_ok) c->pass++;
    else if (!ok && strstr(err.msg, "not supported")) c->unsupported++;
    else if (!ok && want_ok && strncmp(err.msg, "core module: ", 13) == 0) {
      c->core++; /* a core feature beyond WebAssembly 2.0 (src/core's scope) */
      fprintf(stderr, "  %s/%s: core decoder: %s\n", suite, file, err.msg + 13);
    }
    else {
      c->fail++;
      fprintf(stderr, "  %s/%s (%s): %s\n", suite, file, type, ok ? "decoded, expected an error" : err.msg);
    }
  }
  free(text);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names in dir ending with suffix (or all dirs if suffix NULL). */
static int list_dir(const char *dir, const char *suffix, char **out, int cap) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < cap) {
    if (e->d_name[0] == '.') continue;
    size_t l = strlen(e->d_name), sl = suffix ? strlen(suffix) : 0;
    if (suffix && (l < sl || strcmp(e->d_name + l - sl, suffix) != 0)) continue;
    out[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(out, (size_t)n, sizeof(char *), cmp_str);
  return n;
}

WF_TEST(component_suite) {
  const char *root = getenv("WEFT_CORPORA");
  if (!root || !*root) root = "../shared/corpora";
  char base[4096];
  if (!join(base, sizeof base, root, "component-model/bin")) return;
  char *suites[64];
  int ns = list_dir(base, NULL, suites, 64);
  if (ns <= 0) {
    printf("component_suite: skipped: no corpus at %s (set WEFT_CORPORA)\n", base);
    return;
  }
  char nyipath[4096];
  if (!join(nyipath, sizeof nyipath, root, "component-model/nyi.txt")) return;
  size_t nl;
  char *nyi = slurp(nyipath, &nl);
  counts_t total = {0};
  for (int i = 0; i < ns; i++) {
    char dir[4096];
    if (!join(dir, sizeof dir, base, suites[i])) continue;
    char *files[256];
    int nf = list_dir(dir, ".json", files, 256);
    counts_t c = {0};
    for (int j = 0; j < nf; j++) {
      run_json(dir, suites[i], files[j], nyi, &c);
      free(files[j]);
    }
    printf("component %-10s %3d passed, %2d failed, %2d unsupported, %2d core-limited, nyi %d/%d\n", suites[i],
           c.pass, c.fail, c.unsupported, c.core, c.nyi_pass, c.nyi);
    total.pass += c.pass; total.fail += c.fail; total.unsupported += c.unsupported; total.core += c.core;
    total.nyi += c.nyi;
    total.nyi_pass += c.nyi_pass;
    free(suites[i]);
  }
  printf("component total      %3d passed, %2d failed, %2d unsupported, %2d core-limited, nyi %d/%d\n", total.pass,
         total.fail, total.unsupported, total.core, total.nyi_pass, total.nyi);
  free(nyi);
  CHECK_EQ(total.fail, 0);
}

/* Real components built by wit-bindgen/jco (custom interfaces over every
 * canonical ABI type, resources, nested components): all must validate. */
WF_TEST(component_jco_fixtures) {
  const char *root = getenv("WEFT_CORPORA");
  if (!root || !*root) root = "../shared/corpora";
  char dir[4096];
  if (!join(dir, sizeof dir, root, "jco-runtime-fixtures")) return;
  char *files[512];
  int n = list_dir(dir, ".wasm", files, 512);
  if (n <= 0) {
    printf("component_jco_fixtures: skipped: no fixtures at %s (set WEFT_CORPORA)\n", dir);
    return;
  }
  int pass = 0, fail = 0;
  for (int i = 0; i < n; i++) {
    char path[4096];
    size_t len;
    uint8_t *bytes = join(path, sizeof path, dir, files[i]) ? (uint8_t *)slurp(path, &len) : NULL;
    if (bytes && wf_binary_layer(bytes, len) == 1) {
      wf_error_t err = {0};
      wf_component_t *c = wf_component_decode(bytes, len, &err);
      if (c) pass++;
      else { fail++; fprintf(stderr, "  %s: %s (offset %zu)\n", files[i], err.msg, err.offset); }
      wf_component_free(c);
    }
    free(bytes);
    free(files[i]);
  }
  printf("component jco fixtures %d decoded, %d failed\n", pass, fail);
  CHECK_EQ(fail, 0);
}
