/* WIT loading: files and directories (with deps/), options, lookups. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wit/wit_internal.h"

typedef struct { wit_ctx c; } wit_priv;

void wf_wit_ctx_init(wit_ctx *c, const wf_wit_opts_t *opts, wf_error_t *err) {
  memset(c, 0, sizeof *c);
  c->err = err;
  c->next_base = 1;
  if (!opts) return;
  c->all_features = opts->all_features;
  if (opts->features) {
    const char *s = opts->features;
    while (*s) {
      const char *e = strchr(s, ',');
      size_t n = e ? (size_t)(e - s) : strlen(s);
      if (n) {
        uint32_t cap = c->nfeatures;
        const char **slot = WIT_PUSH(&c->arena, c->features, c->nfeatures, cap);
        if (slot) *slot = wf_wit_strndup(&c->arena, s, n);
        if (!slot || !*slot) return;
      }
      if (!e) break;
      s = e + 1;
    }
  }
}

void wf_wit_ctx_fini(wit_ctx *c) { wf_wit_arena_free(&c->arena); }

wit_source *wf_wit_add_source(wit_ctx *c, const char *name, const char *text, size_t len) {
  if (len > WIT_MAX_SOURCE || c->nsrcs >= WIT_MAX_FILES || (uint64_t)c->next_base + len + 1 > UINT32_MAX) {
    wf_wit_err_nopos(c, "%s: input too large", name);
    return NULL;
  }
  wit_source *s = WIT_PUSH(&c->arena, c->srcs, c->nsrcs, c->capsrcs);
  if (!s) { wf_wit_err_nopos(c, "out of memory"); return NULL; }
  s->name = wf_wit_strndup(&c->arena, name, strlen(name));
  s->text = wf_wit_strndup(&c->arena, text, len);
  if (!s->name || !s->text) { wf_wit_err_nopos(c, "out of memory"); return NULL; }
  s->len = len;
  s->base = c->next_base;
  c->next_base += (uint32_t)len + 1;
  return s;
}

static wf_wit_t *finish(wit_ctx *c, wit_apkgs *pk, uint32_t nroot) {
  wf_wit_t *w = wf_wit_resolve(c, pk, nroot);
  if (!w) { wf_wit_ctx_fini(c); return NULL; }
  wit_priv *p = malloc(sizeof *p);
  if (!p) { free(w); wf_wit_ctx_fini(c); wf_wit_err_nopos(c, "out of memory"); return NULL; }
  p->c = *c;
  p->c.err = NULL;
  w->priv = p;
  return w;
}

static bool new_pkg(wit_ctx *c, wit_apkgs *pk, uint32_t group, wit_apkg **out) {
  wit_apkg *p = wf_wit_alloc(&c->arena, sizeof *p);
  wit_apkg **slot = p ? WIT_PUSH(&c->arena, pk->pkgs, pk->npkgs, pk->cappkgs) : NULL;
  if (!slot) return wf_wit_err_nopos(c, "out of memory");
  *slot = p;
  p->resolved = -1;
  p->group = group;
  *out = p;
  return true;
}

wf_wit_t *wf_wit_parse_buffer(const char *name, const char *text, size_t len, const wf_wit_opts_t *opts,
                              wf_error_t *err) {
  wit_ctx c;
  wf_wit_ctx_init(&c, opts, err);
  wit_apkgs pk = {0};
  wit_apkg *p;
  wit_source *s = wf_wit_add_source(&c, name, text, len);
  if (!s || !new_pkg(&c, &pk, 0, &p) || !wf_wit_parse_source(&c, s, p, &pk)) {
    wf_wit_ctx_fini(&c);
    return NULL;
  }
  return finish(&c, &pk, pk.npkgs);
}

wf_wit_t *wf_wit_parse_string(const char *name, const char *text, wf_error_t *err) {
  return wf_wit_parse_buffer(name, text, strlen(text), NULL, err);
}

/* The bytes of path (malloc'd, caller frees), at most WIT_MAX_SOURCE. */
static bool read_bytes(wit_ctx *c, const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return wf_wit_err_nopos(c, "%s: cannot open", path);
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 4096;
      if (nc > WIT_MAX_SOURCE + 1) nc = WIT_MAX_SOURCE + 1;
      if (nc == cap) { free(buf); fclose(f); return wf_wit_err_nopos(c, "%s: file too large", path); }
      char *nb = realloc(buf, nc);
      if (!nb) { free(buf); fclose(f); return wf_wit_err_nopos(c, "out of memory"); }
      buf = nb;
      cap = nc;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  fclose(f);
  *out = buf;
  *len = n;
  return true;
}

static bool read_file(wit_ctx *c, const char *path, wit_source **out) {
  char *buf;
  size_t n;
  if (!read_bytes(c, path, &buf, &n)) return false;
  *out = wf_wit_add_source(c, path, buf ? buf : "", n);
  free(buf);
  return *out != NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool ends_with(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Sorted names of entries in dir; files with .wit (want_dirs: also dirs). */
static bool list_dir(wit_ctx *c, const char *dir, char ***names, uint32_t *n) {
  DIR *d = opendir(dir);
  if (!d) return wf_wit_err_nopos(c, "%s: cannot open directory", dir);
  uint32_t cap = 0;
  *n = 0;
  *names = NULL;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char **s = WIT_PUSH(&c->arena, *names, *n, cap);
    if (!s || !(*s = wf_wit_strndup(&c->arena, e->d_name, strlen(e->d_name)))) {
      closedir(d);
      return wf_wit_err_nopos(c, "out of memory");
    }
    if (*n > WIT_MAX_FILES) { closedir(d); return wf_wit_err_nopos(c, "%s: too many entries", dir); }
  }
  closedir(d);
  if (*n) qsort(*names, *n, sizeof **names, cmp_str);
  return true;
}

static char *join(wit_ctx *c, const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *s = wf_wit_alloc(&c->arena, n);
  if (s) snprintf(s, n, "%s/%s", a, b);
  return s;
}

/* A directory of *.wit files forming one package. */
static bool load_pkg_dir(wit_ctx *c, const char *dir, wit_apkgs *pk, uint32_t group) {
  char **names;
  uint32_t n;
  if (!list_dir(c, dir, &names, &n)) return false;
  wit_apkg *p;
  if (!new_pkg(c, pk, group, &p)) return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!ends_with(names[i], ".wit")) continue;
    char *path = join(c, dir, names[i]);
    struct stat st;
    if (!path) return wf_wit_err_nopos(c, "out of memory");
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    wit_source *s;
    if (!read_file(c, path, &s) || !wf_wit_parse_source(c, s, p, pk)) return false;
  }
  return true;
}

/* One file: WIT text (.wit), or a package encoded as a wasm component. */
static bool load_file(wit_ctx *c, const char *path, wit_apkgs *pk, uint32_t group) {
  wit_apkg *p;
  wit_source *s;
  if (ends_with(path, ".wat"))
    return wf_wit_err_nopos(c, "%s: WIT packages in wasm text format are not supported; convert with a wat tool",
                            path);
  if (ends_with(path, ".wasm")) {
    char *buf;
    size_t n;
    if (!new_pkg(c, pk, group, &p) || !read_bytes(c, path, &buf, &n)) return false;
    bool ok = wf_wit_load_wasm(c, path, (const uint8_t *)(buf ? buf : ""), n, p, pk);
    free(buf);
    return ok;
  }
  return new_pkg(c, pk, group, &p) && read_file(c, path, &s) && wf_wit_parse_source(c, s, p, pk);
}

wf_wit_t *wf_wit_load_path_opts(const char *path, const wf_wit_opts_t *opts, wf_error_t *err) {
  wit_ctx c;
  wf_wit_ctx_init(&c, opts, err);
  wit_apkgs pk = {0};
  struct stat st;
  if (stat(path, &st) != 0) {
    wf_wit_err_nopos(&c, "%s: no such file or directory", path);
    wf_wit_ctx_fini(&c);
    return NULL;
  }
  uint32_t nroot;
  if (S_ISDIR(st.st_mode)) {
    if (!load_pkg_dir(&c, path, &pk, 0)) goto fail;
    nroot = pk.npkgs;
    char *deps = join(&c, path, "deps");
    struct stat ds;
    if (!deps) goto fail;
    if (stat(deps, &ds) == 0 && S_ISDIR(ds.st_mode)) {
      char **names;
      uint32_t n;
      if (!list_dir(&c, deps, &names, &n)) goto fail;
      for (uint32_t i = 0; i < n; i++) {
        char *pth = join(&c, deps, names[i]);
        struct stat es;
        if (!pth) goto fail;
        if (stat(pth, &es) != 0) continue;
        if (S_ISDIR(es.st_mode)) {
          if (!load_pkg_dir(&c, pth, &pk, i + 1)) goto fail;
        } else if (S_ISREG(es.st_mode) && (ends_with(names[i], ".wit") || ends_with(names[i], ".wasm") ||
                                           ends_with(names[i], ".wat"))) {
          if (!load_file(&c, pth, &pk, i + 1)) goto fail;
        }
      }
    }
  } else {
    if (!load_file(&c, path, &pk, 0)) goto fail;
    nroot = pk.npkgs;
  }
  return finish(&c, &pk, nroot);
fail:
  wf_wit_ctx_fini(&c);
  return NULL;
}

wf_wit_t *wf_wit_load_path(const char *path, wf_error_t *err) { return wf_wit_load_path_opts(path, NULL, err); }

void wf_wit_free(wf_wit_t *w) {
  if (!w) return;
  wit_priv *p = w->priv;
  if (p) {
    wf_wit_ctx_fini(&p->c);
    free(p);
  }
  free(w);
}

/* ---- lookups ---- */
int32_t wf_wit_find_package(const wf_wit_t *w, const char *pkg) {
  int32_t found = -1;
  bool has_ver = strchr(pkg, '@') != NULL;
  for (uint32_t i = 0; i < w->npackages; i++) {
    const wf_wit_package_t *p = &w->packages[i];
    if (strcmp(p->id, pkg) == 0) return (int32_t)i;
    if (!has_ver) {
      size_t n = strlen(pkg);
      if (strncmp(p->id, pkg, n) == 0 && p->id[n] == '@') {
        if (found >= 0) return -1;
        found = (int32_t)i;
      }
    }
  }
  return found;
}

int32_t wf_wit_find_interface(const wf_wit_t *w, int32_t pkg, const char *name) {
  if (pkg < 0 || (uint32_t)pkg >= w->npackages) return -1;
  const wf_wit_package_t *p = &w->packages[pkg];
  for (uint32_t i = 0; i < p->ninterfaces; i++)
    if (strcmp(w->interfaces[p->interfaces[i]].name, name) == 0) return (int32_t)p->interfaces[i];
  return -1;
}

int32_t wf_wit_find_world(const wf_wit_t *w, int32_t pkg, const char *name) {
  if (pkg < 0 || (uint32_t)pkg >= w->npackages) return -1;
  const wf_wit_package_t *p = &w->packages[pkg];
  for (uint32_t i = 0; i < p->nworlds; i++)
    if (strcmp(w->worlds[p->worlds[i]].name, name) == 0) return (int32_t)p->worlds[i];
  return -1;
}

int32_t wf_wit_find_interface_id(const wf_wit_t *w, const char *id) {
  char buf[512];
  for (uint32_t i = 0; i < w->ninterfaces; i++) {
    if (!w->interfaces[i].name) continue;
    if (strcmp(wf_wit_interface_id(w, i, buf, sizeof buf), id) == 0) return (int32_t)i;
  }
  return -1;
}

int32_t wf_wit_find_type(const wf_wit_t *w, uint32_t iface, const char *name) {
  if (iface >= w->ninterfaces) return -1;
  const wf_wit_interface_t *it = &w->interfaces[iface];
  for (uint32_t i = 0; i < it->ntypes; i++)
    if (strcmp(it->types[i].name, name) == 0) return (int32_t)it->types[i].type;
  return -1;
}

const wf_wit_func_t *wf_wit_find_func(const wf_wit_t *w, uint32_t iface, const char *name) {
  if (iface >= w->ninterfaces) return NULL;
  const wf_wit_interface_t *it = &w->interfaces[iface];
  for (uint32_t i = 0; i < it->nfuncs; i++)
    if (strcmp(it->funcs[i].name, name) == 0) return &it->funcs[i];
  return NULL;
}

const wf_wit_world_item_t *wf_wit_find_world_item(const wf_wit_t *w, uint32_t world, int exports, const char *key) {
  if (world >= w->nworlds) return NULL;
  const wf_wit_world_t *wo = &w->worlds[world];
  const wf_wit_world_item_t *v = exports ? wo->exports : wo->imports;
  uint32_t n = exports ? wo->nexports : wo->nimports;
  for (uint32_t i = 0; i < n; i++)
    if (strcmp(v[i].key, key) == 0) return &v[i];
  return NULL;
}

wf_wit_tref wf_wit_unalias(const wf_wit_t *w, wf_wit_tref t) {
  for (uint32_t g = 0; g <= w->ntypes && t >= 0 && w->types[t].kind == WF_WIT_TYPE_ALIAS; g++) t = w->types[t].a;
  return t;
}

const char *wf_wit_prim_name(wf_wit_prim_t p) {
  static const char *const n[] = {"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
                                  "f32", "f64", "char", "string", "error-context"};
  return (unsigned)p < WF_WIT_PRIM_COUNT ? n[p] : "?";
}

const char *wf_wit_interface_id(const wf_wit_t *w, uint32_t iface, char *buf, size_t cap) {
  if (iface >= w->ninterfaces || cap == 0) return "";
  const wf_wit_interface_t *it = &w->interfaces[iface];
  const wf_wit_package_t *p = &w->packages[it->package];
  snprintf(buf, cap, "%s:%s/%s%s%s", p->ns, p->name, it->name ? it->name : "", p->version ? "@" : "",
           p->version ? p->version : "");
  return buf;
}
