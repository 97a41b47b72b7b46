/* A set of loaded hosts (include/weft_hosts.h): adding bundles, explicit
 * wit+lib hosts and manifests; the provider-selection rule; checking a
 * component's imports against the hosts' WIT; defining the bridge functions
 * and host resource types in a linker. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../component/crt.h"
#include "host.h"
#include "../api/internal.h"

typedef struct hosts_alloc { struct hosts_alloc *next; } hosts_alloc_t;

struct weft_hosts {
  unsigned flags;
  wf_hhost_t **v;
  size_t n, cap;
  hosts_alloc_t *allocs;        /* link environments, freed with the set */
};

static void to_weft_err(weft_error_t *out, weft_status_t st, const wf_error_t *e) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  out->status = st;
  out->offset = -1;
  snprintf(out->message, sizeof out->message, "%s", e->msg);
}

WEFT_API weft_hosts_t *weft_hosts_new(unsigned flags) {
  weft_hosts_t *h = calloc(1, sizeof *h);
  if (h) h->flags = flags;
  return h;
}

WEFT_API void weft_hosts_free(weft_hosts_t *h) {
  if (!h) return;
  for (size_t i = h->n; i-- > 0;) wf_hhost_free(h->v[i]);
  free(h->v);
  for (hosts_alloc_t *a = h->allocs, *nx; a; a = nx) { nx = a->next; free(a); }
  free(h);
}

static void *hosts_alloc(weft_hosts_t *h, size_t size) {
  hosts_alloc_t *a = calloc(1, sizeof(hosts_alloc_t) + 16 + size);
  if (!a) return NULL;
  a->next = h->allocs;
  h->allocs = a;
  return (uint8_t *)a + 16;
}

wf_hhost_t *wf_hosts_at(weft_hosts_t *h, size_t i) { return h && i < h->n ? h->v[i] : NULL; }

WEFT_API size_t weft_hosts_count(const weft_hosts_t *h) { return h ? h->n : 0; }
WEFT_API const char *weft_hosts_name(const weft_hosts_t *h, size_t i) { return h && i < h->n ? h->v[i]->name : NULL; }
WEFT_API size_t weft_hosts_func_count(const weft_hosts_t *h, size_t i) { return h && i < h->n ? h->v[i]->nfuncs : 0; }
WEFT_API size_t weft_hosts_resource_count(const weft_hosts_t *h, size_t i) { return h && i < h->n ? h->v[i]->nres : 0; }

/* ---- adding ----------------------------------------------------------------- */

static char *dups(const char *s) { return s ? strdup(s) : NULL; }

/* Config of the bundle, overridden key by key by the spec's. */
static bool merge_config(wf_hhost_t *x, const wf_hkv_t *a, size_t na, const wf_hkv_t *b, size_t nb, wf_error_t *err) {
  x->config = calloc(na + nb + 1, sizeof *x->config);
  if (!x->config) return wf_error_set(err, "out of memory");
  for (size_t i = 0; i < na + nb; i++) {
    const wf_hkv_t *kv = i < na ? &a[i] : &b[i - na];
    size_t j = 0;
    while (j < x->nconfig && strcmp(x->config[j].key, kv->key)) j++;
    if (j == x->nconfig) {
      if (!(x->config[j].key = strdup(kv->key))) return wf_error_set(err, "out of memory");
      x->nconfig++;
    } else {
      free(x->config[j].value);
    }
    if (!(x->config[j].value = strdup(kv->value))) return wf_error_set(err, "out of memory");
  }
  return true;
}

static bool name_taken(const weft_hosts_t *h, wf_hhost_t *const *pending, size_t npending, const char *name) {
  for (size_t i = 0; i < h->n; i++)
    if (!strcmp(h->v[i]->name, name)) return true;
  for (size_t i = 0; i < npending; i++)
    if (!strcmp(pending[i]->name, name)) return true;
  return false;
}


/* Build and load one host from a spec; *out on success. */
static bool load_spec(weft_hosts_t *h, const wf_hspec_t *s, wf_hhost_t *const *pending, size_t npending,
                      wf_hhost_t **out, wf_error_t *err) {
  wf_hhost_t *x = calloc(1, sizeof *x);
  wf_hbundle_toml_t bt = {0};
  char *root = NULL;
  bool ok = false;
  if (!x) return wf_error_set(err, "out of memory");
  if (s->bundle) {
    struct stat st;
    if (stat(s->bundle, &st) != 0) { wf_error_set(err, "%s: bundle not found", s->bundle); goto done; }
    if (wf_hbundle_is_tarball(s->bundle) && S_ISREG(st.st_mode)) {
      if (!wf_hbundle_extract(s->bundle, &x->tmpdir, &root, err)) goto done;
    } else if (S_ISDIR(st.st_mode)) {
      char rp[PATH_MAX];
      if (!realpath(s->bundle, rp)) { wf_error_set(err, "%s: cannot resolve the path", s->bundle); goto done; }
      root = dups(rp);
    } else {
      wf_error_set(err, "%s: not a bundle (a directory with host.toml, or a .tar.gz of one)", s->bundle);
      goto done;
    }
    if (!root) { wf_error_set(err, "out of memory"); goto done; }
    char tp[PATH_MAX + 16];
    snprintf(tp, sizeof tp, "%s/host.toml", root);
    if (!wf_hbundle_toml_parse(tp, &bt, err)) goto done;
    x->dir = root;
    root = NULL;
    x->name = dups(s->name ? s->name : bt.name);
    if (!wf_hbundle_path(x->dir, bt.wit, "wit", &x->wit_path, err)) goto done;
    if (!wf_hbundle_path(x->dir, bt.lib, "lib", &x->lib_path, err)) {
      /* a bundle being scaffolded has no library yet: WIT-only use is fine
       * unless the path escapes */
      if (!(h->flags & WEFT_HOSTS_WIT_ONLY) || strstr(err->msg, "escapes")) goto done;
      wf_error_clear(err);
      size_t n = strlen(x->dir) + strlen(bt.lib) + 2;
      if ((x->lib_path = malloc(n))) snprintf(x->lib_path, n, "%s/%s", x->dir, bt.lib);
    }
    x->world_name = dups(s->world ? s->world : bt.world);
    if (!merge_config(x, bt.config, bt.nconfig, s->config, s->nconfig, err)) goto done;
  } else {
    x->name = dups(s->name);
    x->wit_path = dups(s->wit);
    x->lib_path = dups(s->lib);
    x->world_name = dups(s->world);
    if (!merge_config(x, NULL, 0, s->config, s->nconfig, err)) goto done;
    if (!x->wit_path || !x->lib_path) { wf_error_set(err, "out of memory"); goto done; }
    struct stat st;
    if (stat(x->wit_path, &st) != 0) { wf_error_set(err, "host '%s': WIT %s not found", s->name, s->wit); goto done; }
  }
  if (!x->name || !x->wit_path || !x->lib_path) { if (!err->failed) wf_error_set(err, "out of memory"); goto done; }
  if (!wf_hname_valid(x->name)) { wf_error_set(err, "host name '%s' is not a valid name", x->name); goto done; }
  if (name_taken(h, pending, npending, x->name)) {
    wf_error_set(err, "duplicate host name '%s': each loaded host needs its own name (give one with `name`)", x->name);
    goto done;
  }
  if (!wf_hhost_load(x, h->flags & WEFT_HOSTS_WIT_ONLY, !(h->flags & WEFT_HOSTS_NO_INIT), err)) goto done;
  ok = true;
done:
  wf_hbundle_toml_fini(&bt);
  free(root);
  if (!ok) { wf_hhost_free(x); return false; }
  *out = x;
  return true;
}

static bool push(weft_hosts_t *h, wf_hhost_t *x) {
  if (h->n == h->cap) {
    size_t nc = h->cap ? h->cap * 2 : 4;
    wf_hhost_t **nv = realloc(h->v, nc * sizeof *nv);
    if (!nv) return false;
    h->v = nv;
    h->cap = nc;
  }
  h->v[h->n++] = x;
  return true;
}

WEFT_API weft_status_t weft_hosts_add_bundle(weft_hosts_t *h, const char *path, const char *name,
                                             weft_error_t *err) {
  if (!h || !path) return wf_api_fail(err, WEFT_ERR_ARG, "weft_hosts_add_bundle: NULL argument");
  wf_hspec_t s = {0};
  s.bundle = (char *)path;
  s.name = (char *)name;
  wf_error_t e = {0};
  wf_hhost_t *x;
  if (!load_spec(h, &s, NULL, 0, &x, &e)) { to_weft_err(err, WEFT_ERR_LINK, &e); return WEFT_ERR_LINK; }
  if (!push(h, x)) { wf_hhost_free(x); return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory"); }
  return WEFT_OK;
}

WEFT_API weft_status_t weft_hosts_add_explicit(weft_hosts_t *h, const char *name, const char *wit, const char *lib,
                                               const char *world, weft_error_t *err) {
  if (!h || !name || !wit || !lib) return wf_api_fail(err, WEFT_ERR_ARG, "weft_hosts_add_explicit: NULL argument");
  wf_hspec_t s = {0};
  s.name = (char *)name; s.wit = (char *)wit; s.lib = (char *)lib; s.world = (char *)world;
  wf_error_t e = {0};
  wf_hhost_t *x;
  if (!load_spec(h, &s, NULL, 0, &x, &e)) { to_weft_err(err, WEFT_ERR_LINK, &e); return WEFT_ERR_LINK; }
  if (!push(h, x)) { wf_hhost_free(x); return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory"); }
  return WEFT_OK;
}

WEFT_API weft_status_t weft_hosts_add_manifest(weft_hosts_t *h, const char *path, weft_error_t *err) {
  if (!h || !path) return wf_api_fail(err, WEFT_ERR_ARG, "weft_hosts_add_manifest: NULL argument");
  wf_error_t e = {0};
  wf_hspec_t *specs;
  size_t n;
  if (!wf_hmanifest_parse(path, &specs, &n, &e)) { to_weft_err(err, WEFT_ERR_INVALID, &e); return WEFT_ERR_INVALID; }
  wf_hhost_t **loaded = calloc(n ? n : 1, sizeof *loaded);
  size_t nl = 0;
  weft_status_t st = WEFT_OK;
  if (!loaded) { st = wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory"); goto done; }
  for (size_t i = 0; i < n; i++) {
    if (!load_spec(h, &specs[i], loaded, nl, &loaded[nl], &e)) {
      wf_error_t e2 = {0};
      wf_error_set(&e2, "%s: %s", specs[i].origin ? specs[i].origin : path, e.msg);
      to_weft_err(err, WEFT_ERR_LINK, &e2);
      st = WEFT_ERR_LINK;
      goto done;
    }
    nl++;
  }
  for (size_t i = 0; i < nl; i++)
    if (!push(h, loaded[i])) { st = wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory"); goto done; }
  nl = 0;   /* owned by h now (those pushed); a push failure leaks none: see below */
done:
  for (size_t i = 0; i < nl; i++) wf_hhost_free(loaded[i]);
  free(loaded);
  for (size_t i = 0; i < n; i++) wf_hspec_fini(&specs[i]);
  free(specs);
  return st;
}

/* ---- provider selection ------------------------------------------------------ */

/* Split "ns:pkg/iface@ver" into base length and version (NULL if none). */
static size_t id_base(const char *id, const char **ver) {
  const char *at = strchr(id, '@');
  *ver = at ? at + 1 : NULL;
  return at ? (size_t)(at - id) : strlen(id);
}

static bool semver_parse(const char *v, unsigned long long x[3]) {
  x[0] = x[1] = x[2] = 0;
  for (int i = 0; i < 3; i++) {
    char *e;
    if (*v < '0' || *v > '9') return false;
    x[i] = strtoull(v, &e, 10);
    v = e;
    if (i < 2) { if (*v != '.') return false; v++; }
  }
  return true;
}

/* Same major; for 0.x the same minor; for 0.0.x the same patch; no version on either side matches. */
static bool versions_compatible(const char *a, const char *b) {
  if (!a || !b) return true;
  if (!strcmp(a, b)) return true;
  unsigned long long x[3], y[3];
  if (!semver_parse(a, x) || !semver_parse(b, y)) return false;
  if (x[0] != y[0]) return false;
  if (x[0] == 0 && x[1] != y[1]) return false;
  if (x[0] == 0 && x[1] == 0 && x[2] != y[2]) return false;
  return true;
}

/* Does host x export an interface matching import id? Returns the interface or -1. */
static int64_t host_serves(const wf_hhost_t *x, const char *id) {
  const char *iv;
  size_t ib = id_base(id, &iv);
  for (uint32_t k = 0; k < x->nifaces; k++) {
    char hid[512];
    wf_wit_interface_id(x->wit, x->ifaces[k], hid, sizeof hid);
    const char *hv;
    size_t hb = id_base(hid, &hv);
    if (hb == ib && !memcmp(hid, id, ib) && versions_compatible(iv, hv)) return x->ifaces[k];
  }
  return -1;
}

/* ---- type check: component import type vs the host's WIT ------------------------ */

typedef struct {
  const wf_ctypes_t *ts;
  const wf_ctype_t *inst;       /* the import's instance type */
  const wf_wit_t *w;
  uint32_t iface;
} tc_t;

static bool name_eq(const char *a, uint32_t alen, const char *b) {
  return b && strlen(b) == alen && !memcmp(a, b, alen);
}

static bool same_type(const tc_t *tc, wf_ctid_t ct, wf_wit_tref t, uint32_t depth) {
  if (depth > WF_HL_MAX_DEPTH) return false;
  const wf_wit_t *w = tc->w;
  t = wf_hl_resolve(w, t);
  if (ct == WF_CTID_NONE || t == WF_WIT_NONE) return ct == WF_CTID_NONE && t == WF_WIT_NONE;
  const wf_ctype_t *c = wf_ctype(tc->ts, ct);
  if (WF_WIT_IS_PRIM(t)) {
    static const uint8_t map[WF_WIT_PRIM_COUNT] = {
      [WF_WIT_BOOL] = WF_CT_BOOL, [WF_WIT_U8] = WF_CT_U8, [WF_WIT_U16] = WF_CT_U16, [WF_WIT_U32] = WF_CT_U32,
      [WF_WIT_U64] = WF_CT_U64, [WF_WIT_S8] = WF_CT_S8, [WF_WIT_S16] = WF_CT_S16, [WF_WIT_S32] = WF_CT_S32,
      [WF_WIT_S64] = WF_CT_S64, [WF_WIT_F32] = WF_CT_F32, [WF_WIT_F64] = WF_CT_F64, [WF_WIT_CHAR] = WF_CT_CHAR,
      [WF_WIT_STRING] = WF_CT_STRING, [WF_WIT_ERROR_CONTEXT] = WF_CT_ERROR_CONTEXT};
    return c->kind == map[WF_WIT_REF_PRIM(t)];
  }
  const wf_wit_type_t *ty = &w->types[t];
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_VARIANT: case WF_WIT_TYPE_TUPLE:
  case WF_WIT_TYPE_ENUM: case WF_WIT_TYPE_FLAGS: {
    static const uint8_t k[WF_WIT_TYPE_KIND_COUNT] = {
      [WF_WIT_TYPE_RECORD] = WF_CT_RECORD, [WF_WIT_TYPE_VARIANT] = WF_CT_VARIANT, [WF_WIT_TYPE_TUPLE] = WF_CT_TUPLE,
      [WF_WIT_TYPE_ENUM] = WF_CT_ENUM, [WF_WIT_TYPE_FLAGS] = WF_CT_FLAGS};
    if (c->kind != k[ty->kind] || c->n != ty->nfields) return false;
    for (uint32_t i = 0; i < c->n; i++) {
      if (ty->kind != WF_WIT_TYPE_TUPLE && !name_eq(c->fields[i].name, c->fields[i].name_len, ty->fields[i].name))
        return false;
      if (ty->kind == WF_WIT_TYPE_ENUM || ty->kind == WF_WIT_TYPE_FLAGS) continue;
      if (!same_type(tc, c->fields[i].type, ty->fields[i].type, depth + 1)) return false;
    }
    return true;
  }
  case WF_WIT_TYPE_LIST: return c->kind == WF_CT_LIST && same_type(tc, c->t1, ty->a, depth + 1);
  case WF_WIT_TYPE_OPTION: return c->kind == WF_CT_OPTION && same_type(tc, c->t1, ty->a, depth + 1);
  case WF_WIT_TYPE_RESULT:
    return c->kind == WF_CT_RESULT && same_type(tc, c->t1, ty->a, depth + 1) && same_type(tc, c->t2, ty->b, depth + 1);
  case WF_WIT_TYPE_OWN: case WF_WIT_TYPE_BORROW: case WF_WIT_TYPE_RESOURCE: {
    bool own = ty->kind != WF_WIT_TYPE_BORROW;
    if (c->kind != (own ? WF_CT_OWN : WF_CT_BORROW)) return false;
    wf_wit_tref r = ty->kind == WF_WIT_TYPE_RESOURCE ? t : wf_hl_resolve(w, ty->a);
    const wf_wit_type_t *rt = &w->types[r];
    const wf_ctype_t *cr = wf_ctype(tc->ts, c->t1);
    /* the resource the component means: the instance's exported type of the same rid */
    for (uint32_t i = 0; i < tc->inst->nexports; i++) {
      const wf_cextern_t *x = &tc->inst->exports[i];
      if (x->sort != WF_SORT_TYPE) continue;
      const wf_ctype_t *xt = wf_ctype(tc->ts, x->type);
      if (xt->kind == WF_CT_RESOURCE && xt->rid == cr->rid) return name_eq(x->name, x->name_len, rt->name);
    }
    /* a resource from another interface (`use`): the name is not visible here */
    return !(rt->owner_kind == WF_WIT_OWNER_INTERFACE && rt->owner == tc->iface);
  }
  default: return false;
  }
}

static bool same_func(const tc_t *tc, wf_ctid_t ct, const wf_wit_func_t *f) {
  const wf_ctype_t *c = wf_ctype(tc->ts, ct);
  if (c->kind != WF_CT_FUNC || c->n != f->nparams) return false;
  for (uint32_t i = 0; i < c->n; i++)
    if (!same_type(tc, c->fields[i].type, f->params[i].type, 0)) return false;
  return same_type(tc, c->t1, f->result, 0);
}

/* The WIT text of a function for messages. */
static void wit_func_text(const wf_wit_t *w, const wf_wit_func_t *f, char *buf, size_t cap);

typedef struct {
  wf_hhost_t *host;
  weft_resource_type_t **rtypes;   /* per host->res, this import's */
} link_env_t;

typedef struct {
  wf_hfunc_t *f;
  link_env_t *le;
} fenv_t;

static int bridge_cb(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                     size_t nresults) {
  fenv_t *e = env;
  char trap[320];
  if (wf_hfunc_call(e->f, e->le->rtypes, args, nargs, results, nresults, weft_call_arena(call), trap, sizeof trap))
    return 0;
  weft_call_trap(call, "%s", trap);
  return 1;
}

static void res_dtor(void *env, uint64_t rep) { wf_hres_drop(env, rep); }

/* Check and define one instance import `name` (index i) served by host x's interface ii. */
static weft_status_t link_import(weft_hosts_t *h, weft_linker_t *l, const wf_component_t *comp, const wf_cextern_t *imp,
                                 const char *name, wf_hhost_t *x, uint32_t ii, link_env_t **envs, size_t nenv,
                                 weft_error_t *err) {
  const wf_ctypes_t *ts = comp->types;
  const wf_ctype_t *it = wf_ctype(ts, imp->type);
  const wf_wit_t *w = x->wit;
  char id[256];
  wf_wit_interface_id(w, ii, id, sizeof id);
  tc_t tc = {ts, it, w, ii};
  if (it->kind != WF_CT_INSTANCE)
    return wf_api_fail(err, WEFT_ERR_LINK, "import '%s': host '%s' serves an instance, the component imports something else",
                   name, x->name);
  link_env_t *le = hosts_alloc(h, sizeof *le + (x->nres ? x->nres : 1) * sizeof(weft_resource_type_t *));
  if (!le) return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory");
  le->host = x;
  le->rtypes = (weft_resource_type_t **)(le + 1);
  envs[nenv] = le;
  /* resources first: functions' types refer to them */
  for (uint32_t e = 0; e < it->nexports; e++) {
    const wf_cextern_t *ex = &it->exports[e];
    char en[256];
    snprintf(en, sizeof en, "%.*s", (int)ex->name_len, ex->name);
    if (ex->sort != WF_SORT_TYPE) continue;
    const wf_ctype_t *xt = wf_ctype(ts, ex->type);
    if (xt->kind != WF_CT_RESOURCE) continue;
    uint32_t k = 0;
    while (k < x->nres && !(x->res[k].iface == ii && !strcmp(x->res[k].name, en))) k++;
    if (k == x->nres)
      return wf_api_fail(err, WEFT_ERR_LINK,
                     "import '%s': the component imports resource '%s', which host '%s' (%s) does not export",
                     name, en, x->name, id);
    weft_resource_type_t *rt = NULL;
    weft_status_t st = weft_linker_define_resource(l, name, en, res_dtor, &x->res[k], &rt, err);
    if (st != WEFT_OK) return st;
    le->rtypes[k] = rt;
  }
  for (uint32_t e = 0; e < it->nexports; e++) {
    const wf_cextern_t *ex = &it->exports[e];
    char en[256];
    snprintf(en, sizeof en, "%.*s", (int)ex->name_len, ex->name);
    if (ex->sort != WF_SORT_FUNC) {
      if (ex->sort == WF_SORT_TYPE) continue;
      return wf_api_fail(err, WEFT_ERR_LINK, "import '%s': item '%s' is not a function or type; host '%s' serves functions",
                     name, en, x->name);
    }
    wf_hfunc_t *hf = NULL;
    for (uint32_t k = 0; k < x->nfuncs && !hf; k++)
      if (x->funcs[k].iface == ii && !strcmp(x->funcs[k].f->name, en)) hf = &x->funcs[k];
    if (!hf)
      return wf_api_fail(err, WEFT_ERR_LINK,
                     "import '%s': the component imports function '%s', which host '%s' (%s, from %s) does not export",
                     name, en, x->name, id, x->wit_path);
    if (!same_func(&tc, ex->type, hf->f)) {
      char have[200], want[200];
      wf_ctype_format(ts, ex->type, have, sizeof have);
      wit_func_text(w, hf->f, want, sizeof want);
      return wf_api_fail(err, WEFT_ERR_LINK,
                     "import '%s': function '%s' does not match host '%s': the component imports %s, the bundle's "
                     "WIT says %s",
                     name, en, x->name, have, want);
    }
    if (h->flags & (WEFT_HOSTS_WIT_ONLY)) continue;
    fenv_t *fe = hosts_alloc(h, sizeof *fe);
    if (!fe) return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory");
    fe->f = hf;
    fe->le = le;
    weft_status_t st = weft_linker_define_func(l, name, en, bridge_cb, fe, err);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}

WEFT_API weft_status_t weft_hosts_link(weft_hosts_t *h, weft_linker_t *l, const weft_component_t *c,
                                       weft_error_t *err) {
  if (!h || !l || !c) return wf_api_fail(err, WEFT_ERR_ARG, "weft_hosts_link: NULL argument");
  if (h->flags & (WEFT_HOSTS_WIT_ONLY | WEFT_HOSTS_NO_INIT))
    return wf_api_fail(err, WEFT_ERR_ARG, "weft_hosts_link: these hosts were loaded for inspection only");
  const wf_component_t *comp = c->c;
  const wf_ctype_t *ct = wf_ctype(comp->types, comp->type);
  link_env_t **envs = calloc(ct->nimports + 1, sizeof *envs);
  if (!envs) return wf_api_fail(err, WEFT_ERR_NOMEM, "out of memory");
  size_t nenv = 0;
  weft_status_t st = WEFT_OK;
  for (uint32_t i = 0; i < ct->nimports && st == WEFT_OK; i++) {
    const wf_cextern_t *imp = &ct->imports[i];
    if (imp->sort != WF_SORT_INSTANCE) continue;
    char name[512];
    snprintf(name, sizeof name, "%.*s", (int)imp->name_len, imp->name);
    wf_hhost_t *x = NULL;
    int64_t ii = -1;
    if (strchr(name, ':')) {
      for (size_t k = 0; k < h->n; k++) {
        int64_t f = host_serves(h->v[k], name);
        if (f < 0) continue;
        if (x)
          st = wf_api_fail(err, WEFT_ERR_LINK,
                       "import '%s' is exported by two hosts, '%s' and '%s': import it under a plain name equal to "
                       "one of them (import %s: %s;) to choose",
                       name, x->name, h->v[k]->name, h->v[k]->name, name);
        x = h->v[k];
        ii = f;
      }
      if (st != WEFT_OK) break;
    } else {
      for (size_t k = 0; k < h->n && !x; k++)
        if (!strcmp(h->v[k]->name, name)) x = h->v[k];
      if (x) {
        /* the host's interface whose functions the import names */
        const wf_ctype_t *it = wf_ctype(comp->types, imp->type);
        for (uint32_t q = 0; q < x->nifaces && ii < 0; q++) {
          bool all = it->kind == WF_CT_INSTANCE;
          for (uint32_t e = 0; all && e < it->nexports; e++) {
            const wf_cextern_t *ex = &it->exports[e];
            if (ex->sort != WF_SORT_FUNC) continue;
            char en[256];
            snprintf(en, sizeof en, "%.*s", (int)ex->name_len, ex->name);
            all = wf_wit_find_func(x->wit, x->ifaces[q], en) != NULL;
          }
          if (all) ii = x->ifaces[q];
        }
        if (ii < 0) {
          st = wf_api_fail(err, WEFT_ERR_LINK, "import '%s' selects host '%s' by name, but none of its interfaces has "
                       "every function the component imports", name, x->name);
          break;
        }
      }
    }
    if (!x) continue;
    st = link_import(h, l, comp, imp, name, x, (uint32_t)ii, envs, nenv, err);
    if (st == WEFT_OK) nenv++;
  }
  /* resources of other interfaces of the same host (`use`d types): share the rtypes */
  for (size_t a = 0; a < nenv && st == WEFT_OK; a++)
    for (uint32_t k = 0; k < envs[a]->host->nres; k++)
      for (size_t b = 0; b < nenv && !envs[a]->rtypes[k]; b++)
        if (envs[b]->host == envs[a]->host) envs[a]->rtypes[k] = envs[b]->rtypes[k];
  free(envs);
  return st;
}

/* ---- messages ----------------------------------------------------------------- */

static size_t type_text(const wf_wit_t *w, wf_wit_tref t, char *buf, size_t cap, uint32_t depth);

static size_t put(char *buf, size_t cap, size_t at, const char *s) {
  size_t n = strlen(s);
  if (at < cap) {
    size_t m = n < cap - at - 1 ? n : cap - at - 1;
    memcpy(buf + at, s, m);
    buf[at + m] = 0;
  }
  return at + n;
}

static size_t type_text(const wf_wit_t *w, wf_wit_tref t, char *buf, size_t cap, uint32_t depth) {
  size_t at = 0;
  char tmp[160];
  if (depth > 8) return put(buf, cap, 0, "...");
  if (t == WF_WIT_NONE) return put(buf, cap, 0, "_");
  if (WF_WIT_IS_PRIM(t)) return put(buf, cap, 0, wf_wit_prim_name(WF_WIT_REF_PRIM(t)));
  const wf_wit_type_t *ty = &w->types[t];
  if (ty->name) return put(buf, cap, 0, ty->name);
  const char *pre = ty->kind == WF_WIT_TYPE_LIST ? "list<" : ty->kind == WF_WIT_TYPE_OPTION ? "option<"
                  : ty->kind == WF_WIT_TYPE_RESULT ? "result<" : ty->kind == WF_WIT_TYPE_OWN ? "own<"
                  : ty->kind == WF_WIT_TYPE_BORROW ? "borrow<" : ty->kind == WF_WIT_TYPE_TUPLE ? "tuple<" : "type<";
  at = put(buf, cap, at, pre);
  if (ty->kind == WF_WIT_TYPE_TUPLE) {
    for (uint32_t i = 0; i < ty->nfields; i++) {
      type_text(w, ty->fields[i].type, tmp, sizeof tmp, depth + 1);
      at = put(buf, cap, at, i ? ", " : "");
      at = put(buf, cap, at, tmp);
    }
  } else {
    type_text(w, ty->a, tmp, sizeof tmp, depth + 1);
    at = put(buf, cap, at, tmp);
    if (ty->kind == WF_WIT_TYPE_RESULT) {
      type_text(w, ty->b, tmp, sizeof tmp, depth + 1);
      at = put(buf, cap, at, ", ");
      at = put(buf, cap, at, tmp);
    }
  }
  return put(buf, cap, at, ">");
}

static void wit_func_text(const wf_wit_t *w, const wf_wit_func_t *f, char *buf, size_t cap) {
  size_t at = put(buf, cap, 0, "func(");
  char tmp[160];
  for (uint32_t i = 0; i < f->nparams; i++) {
    at = put(buf, cap, at, i ? ", " : "");
    at = put(buf, cap, at, f->params[i].name);
    at = put(buf, cap, at, ": ");
    type_text(w, f->params[i].type, tmp, sizeof tmp, 0);
    at = put(buf, cap, at, tmp);
  }
  at = put(buf, cap, at, ")");
  if (f->result != WF_WIT_NONE) {
    type_text(w, f->result, tmp, sizeof tmp, 0);
    at = put(buf, cap, at, " -> ");
    put(buf, cap, at, tmp);
  }
}
