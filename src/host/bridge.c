/* The native bridge of host bundles: loading a host's WIT and library
 * (dlopen, ABI version, every symbol resolved up front, one libffi call
 * interface per function prepared at load), and the per-call conversion of
 * weft_val_t arguments into the C layouts of bridge_layout.c and of the
 * library's results back (its malloc'd buffers freed once copied). */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host.h"

/* Per-call state behind weft_host_ctx.weft_private. */
typedef struct {
  bool trapped;
  char msg[256];
} hcall_t;

static void api_trap(weft_host_ctx *ctx, const char *msg) {
  if (!ctx || !ctx->weft_private) return;
  hcall_t *c = ctx->weft_private;
  if (c->trapped) return;   /* the first request wins */
  c->trapped = true;
  snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "trap requested by the host library");
}

static void api_log(weft_host_ctx *ctx, int level, const char *msg) {
  static const char *const lv[] = {"error", "warning", "info", "debug"};
  fprintf(stderr, "weft: host %s: %s: %s\n", ctx && ctx->host_name ? ctx->host_name : "(init)",
          level >= 0 && level <= 3 ? lv[level] : "log", msg ? msg : "");
}

/* ---- loading ---------------------------------------------------------------- */

static bool pick_world(wf_hhost_t *h, wf_error_t *err) {
  const wf_wit_t *w = h->wit;
  int32_t found = -1;
  uint32_t count = 0;
  for (uint32_t r = 0; r < w->nroots; r++) {
    const wf_wit_package_t *p = &w->packages[w->roots[r]];
    for (uint32_t i = 0; i < p->nworlds; i++) {
      const wf_wit_world_t *wd = &w->worlds[p->worlds[i]];
      if (h->world_name ? !strcmp(wd->name, h->world_name) : true) {
        if (found < 0) found = (int32_t)p->worlds[i];
        count++;
      }
    }
  }
  if (h->world_name && found < 0)
    return wf_error_set(err, "%s: no world named '%s'", h->wit_path, h->world_name);
  if (!h->world_name && count != 1)
    return wf_error_set(err, "%s: %s; name one with `world =` in host.toml", h->wit_path,
                        count ? "the WIT package has several worlds" : "the WIT package has no world");
  h->world = (uint32_t)found;
  return true;
}

static bool collect(wf_hhost_t *h, wf_error_t *err) {
  const wf_wit_t *w = h->wit;
  const wf_wit_world_t *wd = &w->worlds[h->world];
  h->ifaces = calloc(wd->nexports ? wd->nexports : 1, sizeof *h->ifaces);
  if (!h->ifaces) return wf_error_set(err, "out of memory");
  uint32_t nf = 0, nr = 0;
  for (uint32_t i = 0; i < wd->nexports; i++) {
    const wf_wit_world_item_t *it = &wd->exports[i];
    if (it->kind == WF_WIT_ITEM_FUNC)
      return wf_error_set(err, "%s: world '%s' exports function '%s' directly; host bundles export interfaces "
                          "(put it in an interface)", h->wit_path, wd->name, it->key);
    if (it->kind != WF_WIT_ITEM_INTERFACE) continue;
    if (!it->key_is_id || !w->interfaces[it->index].name)
      return wf_error_set(err, "%s: world '%s' exports inline interface '%s'; host bundles export named "
                          "interfaces", h->wit_path, wd->name, it->key);
    h->ifaces[h->nifaces++] = it->index;
    const wf_wit_interface_t *in = &w->interfaces[it->index];
    nf += in->nfuncs;
    for (uint32_t t = 0; t < in->ntypes; t++) {
      const wf_wit_type_t *ty = &w->types[in->types[t].type];
      if (ty->kind == WF_WIT_TYPE_RESOURCE && ty->owner_kind == WF_WIT_OWNER_INTERFACE && ty->owner == it->index)
        nr++;
    }
  }
  if (!h->nifaces) return wf_error_set(err, "%s: world '%s' exports no interface", h->wit_path, wd->name);
  h->funcs = calloc(nf ? nf : 1, sizeof *h->funcs);
  h->res = calloc(nr ? nr : 1, sizeof *h->res);
  if (!h->funcs || !h->res) return wf_error_set(err, "out of memory");
  for (uint32_t k = 0; k < h->nifaces; k++) {
    uint32_t ii = h->ifaces[k];
    const wf_wit_interface_t *in = &w->interfaces[ii];
    char pre[384], sym[640], where[768], id[256];
    wf_hl_iface_prefix(w, ii, pre, sizeof pre);
    wf_wit_interface_id(w, ii, id, sizeof id);
    for (uint32_t t = 0; t < in->ntypes; t++) {
      uint32_t ti = in->types[t].type;
      const wf_wit_type_t *ty = &w->types[ti];
      if (!(ty->kind == WF_WIT_TYPE_RESOURCE && ty->owner_kind == WF_WIT_OWNER_INTERFACE && ty->owner == ii)) continue;
      wf_hres_t *r = &h->res[h->nres++];
      r->host = h; r->iface = ii; r->type = ti; r->name = ty->name;
      char raw[700];
      snprintf(raw, sizeof raw, "%s_%s_drop", pre, ty->name);
      wf_hl_mangle(sym, sizeof sym, raw);
      if (!(r->symbol = strdup(sym))) return wf_error_set(err, "out of memory");
    }
    for (uint32_t j = 0; j < in->nfuncs; j++) {
      const wf_wit_func_t *f = &in->funcs[j];
      snprintf(where, sizeof where, "%s: %s#%s", h->wit_path, id, f->name);
      if (f->is_async) return wf_error_set(err, "%s: async functions are not supported by host bundles", where);
      for (uint32_t p = 0; p < f->nparams; p++)
        if (!wf_hl_check(w, f->params[p].type, where, err)) return false;
      if (!wf_hl_check(w, f->result, where, err)) return false;
      wf_hfunc_t *hf = &h->funcs[h->nfuncs++];
      hf->host = h; hf->iface = ii; hf->f = f;
      wf_hl_func_symbol(w, ii, f, sym, sizeof sym);
      if (!(hf->symbol = strdup(sym))) return wf_error_set(err, "out of memory");
      wf_hl_signature(w, f, &hf->sig);
      hf->nparams = f->nparams;
    }
  }
  return true;
}

static bool prep(wf_hfunc_t *hf, wf_error_t *err) {
  const wf_wit_t *w = hf->host->wit;
  uint32_t trailing = 0;
  switch (hf->sig.ret) {
  case WF_HRET_PTR: trailing = 1; break;
  case WF_HRET_OPTION: trailing = 1; break;
  case WF_HRET_RESULT: trailing = (hf->sig.ok != WF_WIT_NONE) + (hf->sig.err != WF_WIT_NONE); break;
  default: break;
  }
  hf->nargs = 1 + hf->nparams + trailing;
  hf->atypes = calloc(hf->nargs, sizeof *hf->atypes);
  hf->pscalar = calloc(hf->nparams ? hf->nparams : 1, sizeof *hf->pscalar);
  if (!hf->atypes || !hf->pscalar) return wf_error_set(err, "out of memory");
  uint32_t k = 0;
  hf->atypes[k++] = &ffi_type_pointer;
  for (uint32_t p = 0; p < hf->nparams; p++) {
    hf->pscalar[p] = wf_hl_is_scalar(w, hf->f->params[p].type);
    hf->atypes[k++] = hf->pscalar[p] ? wf_hl_ffi_scalar(w, hf->f->params[p].type) : &ffi_type_pointer;
  }
  while (k < hf->nargs) hf->atypes[k++] = &ffi_type_pointer;
  switch (hf->sig.ret) {
  case WF_HRET_NONE: case WF_HRET_PTR: hf->rtype = &ffi_type_void; break;
  case WF_HRET_SCALAR: hf->rtype = wf_hl_ffi_scalar(w, hf->sig.result); break;
  default: hf->rtype = &ffi_type_uint8; break;
  }
  if (ffi_prep_cif(&hf->cif, FFI_DEFAULT_ABI, hf->nargs, hf->rtype, hf->atypes) != FFI_OK)
    return wf_error_set(err, "%s: libffi could not prepare a call interface for %s", hf->host->lib_path, hf->symbol);
  return true;
}

bool wf_hhost_load(wf_hhost_t *h, bool wit_only, bool run_init, wf_error_t *err) {
  h->api.abi_version = WEFT_HOST_ABI_VERSION;
  h->api.size = (uint32_t)sizeof h->api;
  h->api.trap = api_trap;
  h->api.log = api_log;
  if (!(h->wit = wf_wit_load_path(h->wit_path, err))) return false;
  if (!pick_world(h, err) || !collect(h, err)) return false;
  if (wit_only) return true;

  struct stat st;
  if (stat(h->lib_path, &st) != 0)
    return wf_error_set(err, "host '%s': library %s not found (%s)", h->name, h->lib_path, strerror(errno));
  dlerror();
  h->dl = dlopen(h->lib_path, RTLD_NOW | RTLD_LOCAL);
  if (!h->dl) {
    const char *e = dlerror();
    return wf_error_set(err, "host '%s': cannot load library: %s", h->name, e ? e : "dlopen failed");
  }
  const uint32_t *ver = dlsym(h->dl, "weft_host_abi_version");
  if (!ver)
    return wf_error_set(err, "host '%s': %s does not define weft_host_abi_version (is it a weft host library?)",
                        h->name, h->lib_path);
  if (*ver != WEFT_HOST_ABI_VERSION)
    return wf_error_set(err, "host '%s': %s has ABI version %u; this weft supports version %u", h->name, h->lib_path,
                        *ver, WEFT_HOST_ABI_VERSION);

  /* every symbol, all missing ones in one message */
  char missing[WF_ERRMSG_MAX];
  size_t ml = 0;
  uint32_t nmissing = 0, shown = 0;
  missing[0] = 0;
#define WF_NOTE_MISSING(s)                                                                  \
  do {                                                                                      \
    nmissing++;                                                                             \
    size_t need = strlen(s) + 2;                                                            \
    if (ml + need + 40 < sizeof missing) {                                                  \
      ml += (size_t)snprintf(missing + ml, sizeof missing - ml, "%s%s", shown ? ", " : "", s); \
      shown++;                                                                              \
    }                                                                                       \
  } while (0)
  for (uint32_t i = 0; i < h->nfuncs; i++) {
    void *p = dlsym(h->dl, h->funcs[i].symbol);
    if (!p) WF_NOTE_MISSING(h->funcs[i].symbol);
    else memcpy(&h->funcs[i].fn, &p, sizeof p);
  }
  for (uint32_t i = 0; i < h->nres; i++) {
    void *p = dlsym(h->dl, h->res[i].symbol);
    if (!p) WF_NOTE_MISSING(h->res[i].symbol);
    else memcpy(&h->res[i].drop, &p, sizeof p);
  }
#undef WF_NOTE_MISSING
  if (nmissing) {
    char more[48] = "";
    if (shown < nmissing) snprintf(more, sizeof more, ", and %u more", nmissing - shown);
    return wf_error_set(err, "host '%s': %s is missing %u symbol%s: %s%s", h->name, h->lib_path, nmissing,
                        nmissing == 1 ? "" : "s", missing, more);
  }
  for (uint32_t i = 0; i < h->nfuncs; i++)
    if (!prep(&h->funcs[i], err)) return false;

  void *ip = dlsym(h->dl, "weft_host_init"), *fp = dlsym(h->dl, "weft_host_fini");
  if (fp) memcpy(&h->fini, &fp, sizeof fp);
  if (ip && run_init) {
    weft_host_init_fn init;
    memcpy(&init, &ip, sizeof ip);
    weft_host_config_entry *ents = calloc(h->nconfig ? h->nconfig : 1, sizeof *ents);
    if (!ents) return wf_error_set(err, "out of memory");
    for (size_t i = 0; i < h->nconfig; i++) { ents[i].key = h->config[i].key; ents[i].value = h->config[i].value; }
    weft_host_config cfg = {h->name, h->nconfig, ents};
    char *msg = NULL;
    void *state = NULL;
    int rc = init(&h->api, &cfg, &state, &msg);
    free(ents);
    if (rc != 0) {
      wf_error_set(err, "host '%s': weft_host_init failed: %s", h->name, msg ? msg : "(no message)");
      free(msg);
      return false;
    }
    free(msg);
    h->state = state;
    h->inited = true;
  } else if (!run_init) {
    h->fini = NULL;   /* nothing was initialised */
  }
  if (!ip) h->inited = true;
  return true;
}

void wf_hhost_free(wf_hhost_t *h) {
  if (!h) return;
  if (h->inited && h->fini) h->fini(h->state);
  for (uint32_t i = 0; i < h->nfuncs; i++) {
    free(h->funcs[i].symbol);
    free(h->funcs[i].atypes);
    free(h->funcs[i].pscalar);
  }
  for (uint32_t i = 0; i < h->nres; i++) free(h->res[i].symbol);
  free(h->funcs); free(h->res); free(h->ifaces);
  if (h->dl) dlclose(h->dl);
  if (h->wit) wf_wit_free(h->wit);
  if (h->tmpdir) wf_hbundle_rmtree(h->tmpdir);
  for (size_t i = 0; i < h->nconfig; i++) { free(h->config[i].key); free(h->config[i].value); }
  free(h->config);
  free(h->name); free(h->dir); free(h->tmpdir); free(h->lib_path); free(h->wit_path); free(h->world_name);
  free(h);
}

/* ---- values into the C layouts ------------------------------------------------ */

/* Native arguments of one call: a small buffer on the stack, then an arena
 * (most calls need no heap allocation for their arguments). */
typedef struct {
  _Alignas(16) uint8_t buf[768];
  size_t used;
  wf_arena_t arena;
} scratch_t;

static void *sc_alloc(scratch_t *s, size_t n) {
  size_t need = (n + 15) & ~(size_t)15;
  if (n <= sizeof s->buf && need <= sizeof s->buf - s->used) {
    void *p = s->buf + s->used;
    s->used += need;
    memset(p, 0, n);
    return p;
  }
  return wf_arena_alloc(&s->arena, n);
}

typedef struct {
  const wf_wit_t *w;
  wf_hhost_t *host;
  weft_resource_type_t *const *rtypes;
  scratch_t *scratch;           /* native arguments (lower) */
  weft_arena_t *out;            /* lifted results */
  char *trap; size_t trapcap;
  bool failed;
} conv_t;

static bool fail(conv_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(conv_t *c, const char *fmt, ...) {
  if (!c->failed) {
    c->failed = true;
    char m[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(c->trap, c->trapcap, "host %s: %s", c->host->name, m);
  }
  return false;
}

static void put_uint(uint8_t *dst, uint32_t size, uint64_t v) {
  switch (size) {
  case 1: { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); break; }
  case 2: { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); break; }
  case 4: { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); break; }
  default: memcpy(dst, &v, 8); break;
  }
}
static uint64_t get_uint(const uint8_t *src, uint32_t size) {
  switch (size) {
  case 1: return src[0];
  case 2: { uint16_t x; memcpy(&x, src, 2); return x; }
  case 4: { uint32_t x; memcpy(&x, src, 4); return x; }
  default: { uint64_t x; memcpy(&x, src, 8); return x; }
  }
}

static bool lower(conv_t *c, wf_wit_tref t, const weft_val_t *v, uint8_t *dst, uint32_t depth);

static weft_vkind_t prim_vkind(wf_wit_prim_t p) {
  switch (p) {
  case WF_WIT_BOOL: return WEFT_VAL_BOOL;
  case WF_WIT_U8: return WEFT_VAL_U8;
  case WF_WIT_U16: return WEFT_VAL_U16;
  case WF_WIT_U32: return WEFT_VAL_U32;
  case WF_WIT_U64: return WEFT_VAL_U64;
  case WF_WIT_S8: return WEFT_VAL_S8;
  case WF_WIT_S16: return WEFT_VAL_S16;
  case WF_WIT_S32: return WEFT_VAL_S32;
  case WF_WIT_S64: return WEFT_VAL_S64;
  case WF_WIT_F32: return WEFT_VAL_F32;
  case WF_WIT_F64: return WEFT_VAL_F64;
  case WF_WIT_CHAR: return WEFT_VAL_CHAR;
  default: return WEFT_VAL_STRING;
  }
}

static bool lower_prim(conv_t *c, wf_wit_prim_t p, const weft_val_t *v, uint8_t *dst) {
  if (v->kind != prim_vkind(p))
    return fail(c, "argument is a %s where a %s was expected", weft_vkind_name(v->kind), weft_vkind_name(prim_vkind(p)));
  switch (p) {
  case WF_WIT_BOOL: dst[0] = v->of.b != 0; return true;
  case WF_WIT_S8: case WF_WIT_U8: put_uint(dst, 1, p == WF_WIT_S8 ? (uint64_t)v->of.s : v->of.u); return true;
  case WF_WIT_S16: case WF_WIT_U16: put_uint(dst, 2, p == WF_WIT_S16 ? (uint64_t)v->of.s : v->of.u); return true;
  case WF_WIT_S32: case WF_WIT_U32: put_uint(dst, 4, p == WF_WIT_S32 ? (uint64_t)v->of.s : v->of.u); return true;
  case WF_WIT_S64: case WF_WIT_U64: put_uint(dst, 8, p == WF_WIT_S64 ? (uint64_t)v->of.s : v->of.u); return true;
  case WF_WIT_F32: memcpy(dst, &v->of.f32, 4); return true;
  case WF_WIT_F64: memcpy(dst, &v->of.f64, 8); return true;
  case WF_WIT_CHAR: put_uint(dst, 4, v->of.ch); return true;
  case WF_WIT_STRING: {
    size_t n = v->of.str.len;
    if (n == SIZE_MAX) return fail(c, "string too long (%llu bytes)", (unsigned long long)(n));
    uint8_t *p2 = sc_alloc(c->scratch, n + 1);
    if (!p2) return fail(c, "out of memory for a %llu-byte string", (unsigned long long)(n));
    if (n) memcpy(p2, v->of.str.ptr, n);
    p2[n] = 0;
    weft_string s = {p2, n};
    memcpy(dst, &s, sizeof s);
    return true;
  }
  default: return fail(c, "unsupported primitive %llu", (unsigned long long)(p));
  }
}

static bool kind_is(conv_t *c, const weft_val_t *v, weft_vkind_t k) {
  if (v->kind == k) return true;
  return fail(c, "argument is a %s where a %s was expected", weft_vkind_name(v->kind), weft_vkind_name(k));
}

static bool lower(conv_t *c, wf_wit_tref t, const weft_val_t *v, uint8_t *dst, uint32_t depth) {
  const wf_wit_t *w = c->w;
  if (depth > WF_HL_MAX_DEPTH) return fail(c, "value nested deeper than %llu", (unsigned long long)(WF_HL_MAX_DEPTH));
  t = wf_hl_resolve(w, t);
  if (WF_WIT_IS_PRIM(t)) return lower_prim(c, WF_WIT_REF_PRIM(t), v, dst);
  const wf_wit_type_t *ty = &w->types[t];
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_TUPLE:
    if (!kind_is(c, v, ty->kind == WF_WIT_TYPE_RECORD ? WEFT_VAL_RECORD : WEFT_VAL_TUPLE)) return false;
    if (v->of.seq.n != ty->nfields) return fail(c, "field count %llu does not match the type", (unsigned long long)(v->of.seq.n));
    for (uint32_t i = 0; i < ty->nfields; i++)
      if (!lower(c, ty->fields[i].type, &v->of.seq.v[i], dst + wf_hl_field_offset(w, t, i), depth + 1)) return false;
    return true;
  case WF_WIT_TYPE_LIST: {
    if (!kind_is(c, v, WEFT_VAL_LIST)) return false;
    wf_hlay_t el = wf_hl_layout(w, ty->a);
    size_t n = v->of.seq.n;
    if (el.size && n > SIZE_MAX / el.size) return fail(c, "list of %llu elements too large", (unsigned long long)(n));
    uint8_t *buf = sc_alloc(c->scratch, (n * el.size) != 0 ? n * el.size : 1);
    if (!buf) return fail(c, "out of memory for a list of %llu elements", (unsigned long long)(n));
    for (size_t i = 0; i < n; i++)
      if (!lower(c, ty->a, &v->of.seq.v[i], buf + i * el.size, depth + 1)) return false;
    struct { void *p; size_t n; } l = {buf, n};
    memcpy(dst, &l, sizeof l);
    return true;
  }
  case WF_WIT_TYPE_VARIANT: {
    if (!kind_is(c, v, WEFT_VAL_VARIANT)) return false;
    uint32_t i = v->of.var.index;
    if (i >= ty->nfields) return fail(c, "variant case %llu out of range", (unsigned long long)(i));
    put_uint(dst, wf_hl_tag_size(ty->nfields), i);
    if (ty->fields[i].type != WF_WIT_NONE) {
      if (!v->of.var.payload) return fail(c, "variant case %llu lacks its payload", (unsigned long long)(i));
      return lower(c, ty->fields[i].type, v->of.var.payload, dst + wf_hl_payload_offset(w, t), depth + 1);
    }
    return true;
  }
  case WF_WIT_TYPE_ENUM:
    if (!kind_is(c, v, WEFT_VAL_ENUM)) return false;
    if (v->of.var.index >= ty->nfields) return fail(c, "enum case %llu out of range", (unsigned long long)(v->of.var.index));
    put_uint(dst, wf_hl_tag_size(ty->nfields), v->of.var.index);
    return true;
  case WF_WIT_TYPE_FLAGS:
    if (!kind_is(c, v, WEFT_VAL_FLAGS)) return false;
    put_uint(dst, wf_hl_flags_size(ty->nfields), v->of.flags);
    return true;
  case WF_WIT_TYPE_OPTION:
    if (!kind_is(c, v, WEFT_VAL_OPTION)) return false;
    dst[0] = v->of.var.index != 0;
    if (v->of.var.index) {
      if (!v->of.var.payload) return fail(c, "option some() lacks its payload");
      return lower(c, ty->a, v->of.var.payload, dst + wf_hl_payload_offset(w, t), depth + 1);
    }
    return true;
  case WF_WIT_TYPE_RESULT: {
    if (!kind_is(c, v, WEFT_VAL_RESULT)) return false;
    bool is_err = v->of.var.index != 0;
    dst[0] = is_err;
    wf_wit_tref side = is_err ? ty->b : ty->a;
    if (side == WF_WIT_NONE) return true;
    if (!v->of.var.payload) return fail(c, "result lacks its payload");
    return lower(c, side, v->of.var.payload, dst + wf_hl_payload_offset(w, t), depth + 1);
  }
  case WF_WIT_TYPE_OWN: case WF_WIT_TYPE_BORROW: case WF_WIT_TYPE_RESOURCE: {
    if (v->kind != WEFT_VAL_OWN && v->kind != WEFT_VAL_BORROW) return kind_is(c, v, WEFT_VAL_BORROW);
    void *rep = (void *)(uintptr_t)v->of.res.rep;
    memcpy(dst, &rep, sizeof rep);
    return true;
  }
  default:
    return fail(c, "unsupported type kind %llu", (unsigned long long)(ty->kind));
  }
}

/* ---- the library's results back into values ---------------------------------- */

static bool utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = s[i];
    if (b < 0x80) { i++; continue; }
    uint32_t cp, need;
    if ((b & 0xE0) == 0xC0) { cp = b & 0x1F; need = 1; }
    else if ((b & 0xF0) == 0xE0) { cp = b & 0x0F; need = 2; }
    else if ((b & 0xF8) == 0xF0) { cp = b & 0x07; need = 3; }
    else return false;
    if (n - i <= need) return false;
    for (uint32_t k = 1; k <= need; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += need + 1;
  }
  return true;
}

/* Cap on elements of one list returned by a library (4 GiB of values). */
#define WF_HMAX_LIST (1ull << 28)

static bool lift(conv_t *c, wf_wit_tref t, const uint8_t *src, weft_val_t *out, uint32_t depth) {
  const wf_wit_t *w = c->w;
  if (depth > WF_HL_MAX_DEPTH) return fail(c, "result nested deeper than %llu", (unsigned long long)(WF_HL_MAX_DEPTH));
  t = wf_hl_resolve(w, t);
  if (WF_WIT_IS_PRIM(t)) {
    wf_wit_prim_t p = WF_WIT_REF_PRIM(t);
    out->kind = prim_vkind(p);
    switch (p) {
    case WF_WIT_BOOL: out->of.b = src[0] != 0; return true;
    case WF_WIT_S8: out->of.s = (int8_t)src[0]; return true;
    case WF_WIT_U8: out->of.u = src[0]; return true;
    case WF_WIT_S16: out->of.s = (int16_t)get_uint(src, 2); return true;
    case WF_WIT_U16: out->of.u = get_uint(src, 2); return true;
    case WF_WIT_S32: out->of.s = (int32_t)get_uint(src, 4); return true;
    case WF_WIT_U32: out->of.u = get_uint(src, 4); return true;
    case WF_WIT_S64: out->of.s = (int64_t)get_uint(src, 8); return true;
    case WF_WIT_U64: out->of.u = get_uint(src, 8); return true;
    case WF_WIT_F32: memcpy(&out->of.f32, src, 4); return true;
    case WF_WIT_F64: memcpy(&out->of.f64, src, 8); return true;
    case WF_WIT_CHAR: {
      uint32_t ch = (uint32_t)get_uint(src, 4);
      if (ch > 0x10FFFF || (ch >= 0xD800 && ch <= 0xDFFF))
        return fail(c, "returned char U+%llX is not a Unicode scalar value", (unsigned long long)(ch));
      out->of.ch = ch;
      return true;
    }
    case WF_WIT_STRING: {
      weft_string s;
      memcpy(&s, src, sizeof s);
      if (s.len && !s.ptr) return fail(c, "returned a NULL string of length %llu", (unsigned long long)(s.len));
      if (s.len > UINT32_MAX) return fail(c, "returned a string of %llu bytes (max 4 GiB)", (unsigned long long)(s.len));
      if (!utf8_valid(s.ptr, s.len)) return fail(c, "returned a string that is not UTF-8 (%llu bytes)", (unsigned long long)(s.len));
      char *d = weft_arena_alloc(c->out, s.len + 1);
      if (!d) return fail(c, "out of memory copying a %llu-byte string", (unsigned long long)(s.len));
      if (s.len) memcpy(d, s.ptr, s.len);
      out->of.str.ptr = d;
      out->of.str.len = s.len;
      return true;
    }
    default: return fail(c, "unsupported primitive %llu", (unsigned long long)(p));
    }
  }
  const wf_wit_type_t *ty = &w->types[t];
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_TUPLE: {
    out->kind = ty->kind == WF_WIT_TYPE_RECORD ? WEFT_VAL_RECORD : WEFT_VAL_TUPLE;
    weft_val_t *vs = weft_arena_alloc(c->out, (size_t)ty->nfields * sizeof *vs + 1);
    if (!vs) return fail(c, "out of memory");
    out->of.seq.v = vs; out->of.seq.n = ty->nfields;
    for (uint32_t i = 0; i < ty->nfields; i++)
      if (!lift(c, ty->fields[i].type, src + wf_hl_field_offset(w, t, i), &vs[i], depth + 1)) return false;
    return true;
  }
  case WF_WIT_TYPE_LIST: {
    struct { uint8_t *p; size_t n; } l;
    memcpy(&l, src, sizeof l);
    wf_hlay_t el = wf_hl_layout(w, ty->a);
    if (l.n && !l.p) return fail(c, "returned a NULL list of length %llu", (unsigned long long)(l.n));
    if (l.n > WF_HMAX_LIST) return fail(c, "returned a list of %llu elements (too many)", (unsigned long long)(l.n));
    out->kind = WEFT_VAL_LIST;
    weft_val_t *vs = weft_arena_alloc(c->out, l.n * sizeof *vs + 1);
    if (!vs) return fail(c, "out of memory for a list of %llu elements", (unsigned long long)(l.n));
    out->of.seq.v = vs; out->of.seq.n = l.n;
    for (size_t i = 0; i < l.n; i++)
      if (!lift(c, ty->a, l.p + i * el.size, &vs[i], depth + 1)) return false;
    return true;
  }
  case WF_WIT_TYPE_VARIANT: {
    uint32_t i = (uint32_t)get_uint(src, wf_hl_tag_size(ty->nfields));
    if (i >= ty->nfields) return fail(c, "returned variant tag %llu out of range", (unsigned long long)(i));
    out->kind = WEFT_VAL_VARIANT;
    out->of.var.index = i;
    out->of.var.payload = NULL;
    if (ty->fields[i].type == WF_WIT_NONE) return true;
    weft_val_t *pv = weft_arena_alloc(c->out, sizeof *pv);
    if (!pv) return fail(c, "out of memory");
    out->of.var.payload = pv;
    return lift(c, ty->fields[i].type, src + wf_hl_payload_offset(w, t), pv, depth + 1);
  }
  case WF_WIT_TYPE_ENUM: {
    uint32_t i = (uint32_t)get_uint(src, wf_hl_tag_size(ty->nfields));
    if (i >= ty->nfields) return fail(c, "returned enum value %llu out of range", (unsigned long long)(i));
    out->kind = WEFT_VAL_ENUM;
    out->of.var.index = i;
    out->of.var.payload = NULL;
    return true;
  }
  case WF_WIT_TYPE_FLAGS: {
    uint64_t f = get_uint(src, wf_hl_flags_size(ty->nfields));
    if (ty->nfields < 32 && (f >> ty->nfields))
      return fail(c, "returned flags 0x%llx with bits past the last flag", (unsigned long long)(f));
    out->kind = WEFT_VAL_FLAGS;
    out->of.flags = (uint32_t)f;
    return true;
  }
  case WF_WIT_TYPE_OPTION: case WF_WIT_TYPE_RESULT: {
    bool second = src[0] != 0;
    out->kind = ty->kind == WF_WIT_TYPE_OPTION ? WEFT_VAL_OPTION : WEFT_VAL_RESULT;
    out->of.var.index = second;
    out->of.var.payload = NULL;
    wf_wit_tref side = ty->kind == WF_WIT_TYPE_OPTION ? (second ? ty->a : WF_WIT_NONE) : (second ? ty->b : ty->a);
    if (side == WF_WIT_NONE) return true;
    weft_val_t *pv = weft_arena_alloc(c->out, sizeof *pv);
    if (!pv) return fail(c, "out of memory");
    out->of.var.payload = pv;
    return lift(c, side, src + wf_hl_payload_offset(w, t), pv, depth + 1);
  }
  case WF_WIT_TYPE_OWN: case WF_WIT_TYPE_BORROW: case WF_WIT_TYPE_RESOURCE: {
    void *rep;
    memcpy(&rep, src, sizeof rep);
    wf_wit_tref r = ty->kind == WF_WIT_TYPE_RESOURCE ? t : wf_hl_resolve(w, ty->a);
    weft_resource_type_t *rt = NULL;
    for (uint32_t k = 0; k < c->host->nres; k++)
      if ((wf_wit_tref)c->host->res[k].type == r) rt = c->rtypes ? c->rtypes[k] : NULL;
    if (!rt) return fail(c, "returned a handle to resource '%s' that is not linked", w->types[r].name);
    out->kind = ty->kind == WF_WIT_TYPE_BORROW ? WEFT_VAL_BORROW : WEFT_VAL_OWN;
    out->of.res.type = rt;
    out->of.res.rep = (uint64_t)(uintptr_t)rep;
    return true;
  }
  default:
    return fail(c, "unsupported type kind %llu", (unsigned long long)(ty->kind));
  }
}

/* Free what the library malloc'd inside a native value of type t. */
static void free_native(const wf_wit_t *w, wf_wit_tref t, uint8_t *src, uint32_t depth) {
  if (depth > WF_HL_MAX_DEPTH || t == WF_WIT_NONE) return;
  t = wf_hl_resolve(w, t);
  if (WF_WIT_IS_PRIM(t)) {
    if (WF_WIT_REF_PRIM(t) == WF_WIT_STRING) { weft_string s; memcpy(&s, src, sizeof s); free(s.ptr); }
    return;
  }
  const wf_wit_type_t *ty = &w->types[t];
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_TUPLE:
    for (uint32_t i = 0; i < ty->nfields; i++) free_native(w, ty->fields[i].type, src + wf_hl_field_offset(w, t, i), depth + 1);
    return;
  case WF_WIT_TYPE_LIST: {
    struct { uint8_t *p; size_t n; } l;
    memcpy(&l, src, sizeof l);
    wf_hlay_t el = wf_hl_layout(w, ty->a);
    if (l.p && l.n <= WF_HMAX_LIST)
      for (size_t i = 0; i < l.n; i++) free_native(w, ty->a, l.p + i * el.size, depth + 1);
    free(l.p);
    return;
  }
  case WF_WIT_TYPE_VARIANT: {
    uint32_t i = (uint32_t)get_uint(src, wf_hl_tag_size(ty->nfields));
    if (i < ty->nfields) free_native(w, ty->fields[i].type, src + wf_hl_payload_offset(w, t), depth + 1);
    return;
  }
  case WF_WIT_TYPE_OPTION:
    if (src[0]) free_native(w, ty->a, src + wf_hl_payload_offset(w, t), depth + 1);
    return;
  case WF_WIT_TYPE_RESULT:
    free_native(w, src[0] ? ty->b : ty->a, src + wf_hl_payload_offset(w, t), depth + 1);
    return;
  default: return;
  }
}

/* ---- the call ------------------------------------------------------------------- */

bool wf_hfunc_call(wf_hfunc_t *f, weft_resource_type_t *const *rtypes, const weft_val_t *args, size_t nargs,
                   weft_val_t *results, size_t nresults, weft_arena_t *arena, char *trap, size_t trapcap) {
  wf_hhost_t *h = f->host;
  const wf_wit_t *w = h->wit;
  size_t want_results = f->sig.ret != WF_HRET_NONE;
  if (nargs != f->nparams || nresults != want_results) {
    snprintf(trap, trapcap, "host %s: %s called with %zu arguments and %zu results (expected %u and %zu)", h->name,
             f->symbol, nargs, nresults, f->nparams, want_results);
    return false;
  }
  scratch_t scratch;
  scratch.used = 0;
  wf_arena_init(&scratch.arena);
  conv_t c = {w, h, rtypes, &scratch, arena, trap, trapcap, false};
  hcall_t hc;
  hc.trapped = false;
  hc.msg[0] = 0;
  weft_host_ctx ctx = {h->state, &h->api, h->name, &hc};
  weft_host_ctx *ctxp = &ctx;
  bool ok = false;
  void **av = sc_alloc(&scratch, f->nargs * sizeof *av);
  if (!av) { snprintf(trap, trapcap, "host %s: out of memory", h->name); goto done; }
  uint32_t k = 0;
  av[k++] = &ctxp;
  for (uint32_t p = 0; p < f->nparams; p++) {
    wf_wit_tref pt = f->f->params[p].type;
    wf_hlay_t lay = wf_hl_layout(w, pt);
    uint8_t *buf = sc_alloc(&scratch, lay.size > 16 ? lay.size : 16);
    if (!buf) { snprintf(trap, trapcap, "host %s: out of memory", h->name); goto done; }
    if (!lower(&c, pt, &args[p], buf, 0)) goto done;
    if (f->pscalar[p]) {
      av[k++] = buf;
    } else {
      void **slot = sc_alloc(&scratch, sizeof *slot);
      if (!slot) { snprintf(trap, trapcap, "host %s: out of memory", h->name); goto done; }
      *slot = buf;
      av[k++] = slot;
    }
  }
  uint8_t *retbuf = NULL, *errbuf = NULL;
  wf_wit_tref rt_ret = WF_WIT_NONE, rt_err = WF_WIT_NONE;
  switch (f->sig.ret) {
  case WF_HRET_PTR: rt_ret = f->sig.result; break;
  case WF_HRET_OPTION: rt_ret = f->sig.ok; break;
  case WF_HRET_RESULT: rt_ret = f->sig.ok; rt_err = f->sig.err; break;
  default: break;
  }
  void **retslot = NULL, **errslot = NULL;
  if (rt_ret != WF_WIT_NONE) {
    wf_hlay_t l = wf_hl_layout(w, rt_ret);
    retbuf = sc_alloc(&scratch, l.size ? l.size : 1);
    retslot = sc_alloc(&scratch, sizeof *retslot);
    if (!retbuf || !retslot) { snprintf(trap, trapcap, "host %s: out of memory", h->name); goto done; }
    *retslot = retbuf;
    av[k++] = retslot;
  }
  if (rt_err != WF_WIT_NONE) {
    wf_hlay_t l = wf_hl_layout(w, rt_err);
    errbuf = sc_alloc(&scratch, l.size ? l.size : 1);
    errslot = sc_alloc(&scratch, sizeof *errslot);
    if (!errbuf || !errslot) { snprintf(trap, trapcap, "host %s: out of memory", h->name); goto done; }
    *errslot = errbuf;
    av[k++] = errslot;
  }
  _Alignas(16) uint8_t rv[16];
  memset(rv, 0, sizeof rv);
  ffi_call(&f->cif, f->fn, rv, av);

  if (hc.trapped) {
    snprintf(trap, trapcap, "host %s: %s", h->name, hc.msg);
    if (retbuf) free_native(w, rt_ret, retbuf, 0);
    if (errbuf) free_native(w, rt_err, errbuf, 0);
    goto done;
  }
  switch (f->sig.ret) {
  case WF_HRET_NONE: ok = true; break;
  case WF_HRET_SCALAR: ok = lift(&c, f->sig.result, rv, &results[0], 0); break;
  case WF_HRET_PTR:
    ok = lift(&c, rt_ret, retbuf, &results[0], 0);
    free_native(w, rt_ret, retbuf, 0);
    break;
  case WF_HRET_OPTION: {
    bool some = rv[0] != 0;
    results[0].kind = WEFT_VAL_OPTION;
    results[0].of.var.index = some;
    results[0].of.var.payload = NULL;
    ok = true;
    if (some) {
      weft_val_t *pv = weft_arena_alloc(arena, sizeof *pv);
      ok = pv ? lift(&c, rt_ret, retbuf, pv, 0) : fail(&c, "out of memory");
      results[0].of.var.payload = pv;
    }
    free_native(w, rt_ret, retbuf, 0);
    break;
  }
  case WF_HRET_RESULT: {
    bool good = rv[0] != 0;
    results[0].kind = WEFT_VAL_RESULT;
    results[0].of.var.index = !good;
    results[0].of.var.payload = NULL;
    ok = true;
    wf_wit_tref side = good ? rt_ret : rt_err;
    uint8_t *sb = good ? retbuf : errbuf;
    if (side != WF_WIT_NONE) {
      weft_val_t *pv = weft_arena_alloc(arena, sizeof *pv);
      ok = pv ? lift(&c, side, sb, pv, 0) : fail(&c, "out of memory");
      results[0].of.var.payload = pv;
    }
    if (retbuf) free_native(w, rt_ret, retbuf, 0);
    if (errbuf) free_native(w, rt_err, errbuf, 0);
    break;
  }
  default: break;
  }
done:
  wf_arena_fini(&scratch.arena);
  return ok;
}

void wf_hres_drop(wf_hres_t *r, uint64_t rep) {
  wf_hhost_t *h = r->host;
  if (!r->drop) return;
  hcall_t hc = {false, {0}};
  weft_host_ctx ctx = {h->state, &h->api, h->name, &hc};
  r->drop(&ctx, (void *)(uintptr_t)rep);
  if (hc.trapped) fprintf(stderr, "weft: host %s: %s asked to trap in a destructor (ignored): %s\n", h->name, r->symbol, hc.msg);
}
