/* host.toml (one bundle) and hosts.toml (a set of hosts) — see
 * docs/host-bundles.md. Parsing only: paths found here are resolved by
 * bundle.c (containment) and hosts.c (search paths, loading). Keys are
 * checked strictly: an unknown key is an error, so a typo cannot silently
 * drop a setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/toml.h"
#include "host.h"

static char *dupn(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}
static char *dups(const char *s) { return s ? dupn(s, strlen(s)) : NULL; }

bool wf_hname_valid(const char *s) {
  if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
          *s == '_'))
      return false;
  return true;
}

static void kv_free(wf_hkv_t *kv, size_t n) {
  for (size_t i = 0; i < n; i++) { free(kv[i].key); free(kv[i].value); }
  free(kv);
}

void wf_hbundle_toml_fini(wf_hbundle_toml_t *t) {
  free(t->name); free(t->lib); free(t->wit); free(t->world);
  kv_free(t->config, t->nconfig);
  memset(t, 0, sizeof *t);
}

void wf_hspec_fini(wf_hspec_t *s) {
  free(s->name); free(s->bundle); free(s->wit); free(s->lib); free(s->world); free(s->origin);
  kv_free(s->config, s->nconfig);
  memset(s, 0, sizeof *s);
}

/* A string value with no embedded NUL; *out malloc'd. */
static bool get_str(const char *file, const wf_toml_value_t *tab, const char *key, const char *ctx,
                    bool required, char **out, wf_error_t *err) {
  const wf_toml_value_t *v = wf_toml_get(tab, key);
  if (!v) {
    if (required) return wf_error_set(err, "%s:%u:%u: %s needs a `%s` string", file, tab->line, tab->col, ctx, key);
    return true;
  }
  const char *s; size_t n;
  if (!wf_toml_as_string(v, &s, &n))
    return wf_error_set(err, "%s:%u:%u: `%s` in %s must be a string, not %s", file, v->line, v->col, key, ctx,
                        wf_toml_kind_name(v->kind));
  if (strlen(s) != n || n == 0)
    return wf_error_set(err, "%s:%u:%u: `%s` in %s must be a non-empty string without NUL", file, v->line, v->col,
                        key, ctx);
  if (!(*out = dupn(s, n))) return wf_error_set(err, "out of memory");
  return true;
}

/* Refuse keys of tab not in allowed (NULL-terminated). */
static bool only_keys(const char *file, const wf_toml_value_t *tab, const char *ctx, const char *const *allowed,
                      wf_error_t *err) {
  for (size_t i = 0; i < wf_toml_len(tab); i++) {
    size_t kl;
    const char *k = wf_toml_key_at(tab, i, &kl);
    bool ok = false;
    for (const char *const *a = allowed; *a && !ok; a++) ok = strlen(*a) == kl && !memcmp(*a, k, kl);
    if (!ok) {
      const wf_toml_value_t *v = wf_toml_at(tab, i);
      return wf_error_set(err, "%s:%u:%u: unknown key `%s` in %s", file, v->line, v->col, k, ctx);
    }
  }
  return true;
}

/* A config table: string values (integers, floats and booleans are taken
 * as their text). */
static bool get_config(const char *file, const wf_toml_value_t *tab, const char *ctx, wf_hkv_t **out, size_t *nout,
                       wf_error_t *err) {
  size_t n = wf_toml_len(tab);
  wf_hkv_t *kv = calloc(n ? n : 1, sizeof *kv);
  if (!kv) return wf_error_set(err, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t kl;
    const char *k = wf_toml_key_at(tab, i, &kl);
    const wf_toml_value_t *v = wf_toml_at(tab, i);
    char num[64];
    const char *s = NULL; size_t sl = 0;
    int64_t iv; int bv;
    if (v->kind == WF_TOML_STRING) { s = v->u.str.s; sl = v->u.str.len; }
    else if (wf_toml_as_int(v, &iv) && v->kind == WF_TOML_INT) { snprintf(num, sizeof num, "%lld", (long long)iv); s = num; sl = strlen(num); }
    else if (v->kind == WF_TOML_FLOAT) { snprintf(num, sizeof num, "%.17g", v->u.f); s = num; sl = strlen(num); }
    else if (wf_toml_as_bool(v, &bv)) { s = bv ? "true" : "false"; sl = strlen(s); }
    if (!s || strlen(s) != sl || strlen(k) != kl) {
      kv_free(kv, i);
      return wf_error_set(err, "%s:%u:%u: %s.%s must be a string (or number/boolean), not %s", file, v->line, v->col,
                          ctx, k, wf_toml_kind_name(v->kind));
    }
    kv[i].key = dupn(k, kl);
    kv[i].value = dupn(s, sl);
    if (!kv[i].key || !kv[i].value) { kv_free(kv, i + 1); return wf_error_set(err, "out of memory"); }
  }
  *out = kv;
  *nout = n;
  return true;
}

bool wf_hbundle_toml_parse(const char *path, wf_hbundle_toml_t *out, wf_error_t *err) {
  memset(out, 0, sizeof *out);
  struct stat st;
  if (stat(path, &st) != 0) return wf_error_set(err, "%s: not found (a bundle needs a host.toml)", path);
  wf_toml_value_t *root = wf_toml_parse_file(path, err);
  if (!root) return false;
  bool ok = false;
  static const char *const top_keys[] = {"host", NULL};
  static const char *const host_keys[] = {"name", "lib", "wit", "world", "config", NULL};
  const wf_toml_value_t *host = wf_toml_get(root, "host");
  if (!only_keys(path, root, "host.toml", top_keys, err)) goto done;
  if (!host || host->kind != WF_TOML_TABLE) {
    wf_error_set(err, "%s:1:1: missing [host] table", path);
    goto done;
  }
  if (!only_keys(path, host, "[host]", host_keys, err)) goto done;
  if (!get_str(path, host, "name", "[host]", true, &out->name, err) ||
      !get_str(path, host, "lib", "[host]", true, &out->lib, err) ||
      !get_str(path, host, "wit", "[host]", true, &out->wit, err) ||
      !get_str(path, host, "world", "[host]", false, &out->world, err))
    goto done;
  if (!wf_hname_valid(out->name)) {
    const wf_toml_value_t *v = wf_toml_get(host, "name");
    wf_error_set(err, "%s:%u:%u: host name '%s' is not a valid name (letters, digits, '-' and '_')", path, v->line,
                 v->col, out->name);
    goto done;
  }
  const wf_toml_value_t *cfg = wf_toml_get(host, "config");
  if (cfg) {
    if (cfg->kind != WF_TOML_TABLE) {
      wf_error_set(err, "%s:%u:%u: [host.config] must be a table", path, cfg->line, cfg->col);
      goto done;
    }
    if (!get_config(path, cfg, "host.config", &out->config, &out->nconfig, err)) goto done;
  }
  ok = true;
done:
  wf_toml_free(root);
  if (!ok) wf_hbundle_toml_fini(out);
  return ok;
}

/* ~ and manifest-relative paths. */
static char *expand(const char *base, const char *p) {
  const char *home = getenv("HOME");
  size_t need;
  char *r;
  if ((p[0] == '~' && (p[1] == '/' || p[1] == 0)) && home && *home) {
    need = strlen(home) + strlen(p) + 1;
    if ((r = malloc(need))) snprintf(r, need, "%s%s", home, p + 1);
    return r;
  }
  if (p[0] == '/' || !base || !*base) return dups(p);
  need = strlen(base) + strlen(p) + 2;
  if ((r = malloc(need))) snprintf(r, need, "%s/%s", base, p);
  return r;
}

static bool is_dir(const char *p) { struct stat st; return stat(p, &st) == 0 && S_ISDIR(st.st_mode); }
static bool is_file(const char *p) { struct stat st; return stat(p, &st) == 0 && S_ISREG(st.st_mode); }

/* Find bundle `b` in the search paths: dir (with host.toml), then b.tar.gz, then b as a file. */
static char *find_bundle(char **sp, size_t nsp, const char *b, char *tried, size_t tcap) {
  size_t tl = 0;
  tried[0] = 0;
  for (size_t i = 0; i < nsp; i++) {
    char cand[3][4096];
    snprintf(cand[0], sizeof cand[0], "%s/%s", sp[i], b);
    snprintf(cand[1], sizeof cand[1], "%s/%s.tar.gz", sp[i], b);
    snprintf(cand[2], sizeof cand[2], "%s/%s", sp[i], b);
    char toml[4200];
    snprintf(toml, sizeof toml, "%s/host.toml", cand[0]);
    if (is_dir(cand[0]) && is_file(toml)) return dups(cand[0]);
    if (is_file(cand[1])) return dups(cand[1]);
    if (is_file(cand[2]) && wf_hbundle_is_tarball(cand[2])) return dups(cand[2]);
    if (tl + 4 < tcap) tl += (size_t)snprintf(tried + tl, tcap - tl, "%s%s", i ? ", " : "", sp[i]);
    if (tl >= tcap) tl = tcap - 1;
  }
  return NULL;
}

bool wf_hmanifest_parse(const char *path, wf_hspec_t **specs_out, size_t *nspecs_out, wf_error_t *err) {
  *specs_out = NULL;
  *nspecs_out = 0;
  if (!is_file(path)) return wf_error_set(err, "%s: host manifest not found", path);
  wf_toml_value_t *root = wf_toml_parse_file(path, err);
  if (!root) return false;
  char *base = dups(path);
  char **sp = NULL;
  size_t nsp = 0;
  wf_hspec_t *specs = NULL;
  size_t n = 0;
  bool ok = false;
  if (!base) { wf_error_set(err, "out of memory"); goto done; }
  char *slash = strrchr(base, '/');
  if (slash) *(slash == base ? slash + 1 : slash) = 0; else strcpy(base, ".");

  static const char *const top_keys[] = {"global", "host", NULL};
  static const char *const global_keys[] = {"search_paths", NULL};
  static const char *const host_keys[] = {"name", "bundle", "wit", "lib", "world", "config", NULL};
  if (!only_keys(path, root, "the manifest", top_keys, err)) goto done;
  const wf_toml_value_t *g = wf_toml_get(root, "global");
  if (g && g->kind != WF_TOML_TABLE) { wf_error_set(err, "%s:%u:%u: [global] must be a table", path, g->line, g->col); goto done; }
  if (g && !only_keys(path, g, "[global]", global_keys, err)) goto done;
  const wf_toml_value_t *spv = g ? wf_toml_get(g, "search_paths") : NULL;
  if (spv) {
    if (spv->kind != WF_TOML_ARRAY) {
      wf_error_set(err, "%s:%u:%u: search_paths must be an array of strings", path, spv->line, spv->col);
      goto done;
    }
    size_t m = wf_toml_len(spv);
    sp = calloc(m ? m : 1, sizeof *sp);
    if (!sp) { wf_error_set(err, "out of memory"); goto done; }
    for (size_t i = 0; i < m; i++) {
      const wf_toml_value_t *e = wf_toml_at(spv, i);
      const char *s; size_t sl;
      if (!wf_toml_as_string(e, &s, &sl) || strlen(s) != sl || !sl) {
        wf_error_set(err, "%s:%u:%u: search_paths must be an array of non-empty strings", path, e->line, e->col);
        goto done;
      }
      if (!(sp[nsp++] = expand(base, s))) { wf_error_set(err, "out of memory"); goto done; }
    }
  } else {
    if (!(sp = calloc(1, sizeof *sp)) || !(sp[0] = dups(base))) { wf_error_set(err, "out of memory"); goto done; }
    nsp = 1;
  }

  const wf_toml_value_t *hosts = wf_toml_get(root, "host");
  if (hosts && hosts->kind != WF_TOML_ARRAY) {
    wf_error_set(err, "%s:%u:%u: `host` must be an array of tables ([[host]])", path, hosts->line, hosts->col);
    goto done;
  }
  size_t m = wf_toml_len(hosts);
  specs = calloc(m ? m : 1, sizeof *specs);
  if (!specs) { wf_error_set(err, "out of memory"); goto done; }
  for (size_t i = 0; i < m; i++) {
    const wf_toml_value_t *h = wf_toml_at(hosts, i);
    wf_hspec_t *s = &specs[n++];
    if (h->kind != WF_TOML_TABLE) {
      wf_error_set(err, "%s:%u:%u: `host` must be an array of tables ([[host]])", path, h->line, h->col);
      goto done;
    }
    char origin[4200];
    snprintf(origin, sizeof origin, "%s:%u", path, h->line);
    s->origin = dups(origin);
    char *bundle = NULL;
    if (!only_keys(path, h, "[[host]]", host_keys, err) ||
        !get_str(path, h, "name", "[[host]]", true, &s->name, err) ||
        !get_str(path, h, "bundle", "[[host]]", false, &bundle, err) ||
        !get_str(path, h, "wit", "[[host]]", false, &s->wit, err) ||
        !get_str(path, h, "lib", "[[host]]", false, &s->lib, err) ||
        !get_str(path, h, "world", "[[host]]", false, &s->world, err)) {
      free(bundle);
      goto done;
    }
    if (!wf_hname_valid(s->name)) {
      free(bundle);
      wf_error_set(err, "%s:%u:%u: host name '%s' is not a valid name (letters, digits, '-' and '_')", path,
                   h->line, h->col, s->name);
      goto done;
    }
    if (bundle && (s->wit || s->lib)) {
      free(bundle);
      wf_error_set(err, "%s:%u:%u: host '%s' gives both `bundle` and `wit`/`lib`: use one form", path, h->line,
                   h->col, s->name);
      goto done;
    }
    if (!bundle && (!s->wit || !s->lib)) {
      wf_error_set(err, "%s:%u:%u: host '%s' needs `bundle`, or both `wit` and `lib`", path, h->line, h->col,
                   s->name);
      goto done;
    }
    const wf_toml_value_t *cfg = wf_toml_get(h, "config");
    if (cfg) {
      if (cfg->kind != WF_TOML_TABLE) {
        free(bundle);
        wf_error_set(err, "%s:%u:%u: config of host '%s' must be a table", path, cfg->line, cfg->col, s->name);
        goto done;
      }
      if (!get_config(path, cfg, "config", &s->config, &s->nconfig, err)) { free(bundle); goto done; }
      s->has_config = true;
    }
    if (bundle) {
      char tried[1024];
      if (bundle[0] == '/' || bundle[0] == '~' || strchr(bundle, '/')) {
        s->bundle = expand(base, bundle);
      } else {
        s->bundle = find_bundle(sp, nsp, bundle, tried, sizeof tried);
        if (!s->bundle) {
          wf_error_set(err, "%s:%u:%u: bundle '%s' of host '%s' not found in search paths (%s)", path, h->line,
                        h->col, bundle, s->name, tried);
          free(bundle);
          goto done;
        }
      }
      free(bundle);
      if (!s->bundle) { wf_error_set(err, "out of memory"); goto done; }
    } else {
      char *w = expand(base, s->wit), *l = expand(base, s->lib);
      free(s->wit); free(s->lib);
      s->wit = w; s->lib = l;
      if (!w || !l) { wf_error_set(err, "out of memory"); goto done; }
    }
  }
  ok = true;
done:
  wf_toml_free(root);
  for (size_t i = 0; i < nsp; i++) free(sp[i]);
  free(sp);
  free(base);
  if (!ok) {
    for (size_t i = 0; i < n; i++) wf_hspec_fini(&specs[i]);
    free(specs);
    return false;
  }
  *specs_out = specs;
  *nspecs_out = n;
  return true;
}
