/* Component binary decoder: preamble, sections, core modules/instances/types,
 * nested components, component instances, aliases, imports and exports.
 * Validation happens definition by definition as the index spaces grow. */
#include <stdlib.h>
#include <string.h>

#include "cinternal.h"


static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6D};

int wf_binary_layer(const uint8_t *b, size_t len) {
  if (len < 8 || memcmp(b, magic, 4) != 0) return -1;
  if (b[4] == 0x01 && b[5] == 0 && b[6] == 0 && b[7] == 0) return 0;
  if (b[4] == 0x0d && b[5] == 0 && b[6] == 0x01 && b[7] == 0) return 1;
  return -1;
}

/* ---- Core types ------------------------------------------------------------- */

static bool core_valtype(wf_creader_t *r, uint8_t *out) {
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  switch (b) {
  case WF_T_I32: case WF_T_I64: case WF_T_F32: case WF_T_F64: case WF_T_V128:
  case WF_T_FUNCREF: case WF_T_EXTERNREF:
    *out = b;
    return true;
  default:
    return wf_cr_malformed(r, "value type", b);
  }
}

static bool core_functype(wf_cctx_t *cx, wf_creader_t *r, wf_functype_t *f) {
  uint32_t n;
  for (int pass = 0; pass < 2; pass++) {
    if (!wf_cr_count(r, &n, 1)) return false;
    if (n > WF_MAX_PARAMS) return wf_cerr(cx, wf_cr_off(r), "too many parameters or results");
    uint8_t *v = n ? wf_carena_alloc(cx->arena, n) : NULL;
    if (n && !v) return wf_cerr(cx, wf_cr_off(r), "out of memory");
    for (uint32_t i = 0; i < n; i++)
      if (!core_valtype(r, &v[i])) return false;
    if (pass == 0) { f->nparams = n; f->params = v; }
    else { f->nresults = n; f->results = v; }
  }
  return true;
}

static bool core_limits(wf_cctx_t *cx, wf_creader_t *r, wf_limits_t *l, bool mem) {
  uint8_t f;
  size_t off = wf_cr_off(r);
  if (!wf_cr_byte(r, &f)) return false;
  if (f == 0x02 || f == 0x03) {
    if (mem) return wf_cerr(cx, off, "shared memories are not supported (mismatch in the shared flag for memories)");
    return wf_cr_malformed(r, "table limits", f);
  }
  if (f > 1) return wf_cr_malformed(r, mem ? "memory limits" : "table limits", f);
  if (!wf_cr_u32(r, &l->min)) return false;
  l->has_max = f == 1;
  if (l->has_max && !wf_cr_u32(r, &l->max)) return false;
  if (l->has_max && l->max < l->min) return wf_cerr(cx, off, "size minimum must not be greater than maximum");
  if (mem && (l->min > WF_MAX_MEM_PAGES || (l->has_max && l->max > WF_MAX_MEM_PAGES)))
    return wf_cerr(cx, off, "memory size must be at most 65536 pages (4GiB)");
  return true;
}

/* A core extern type: kind byte then its type. funcs index `types` (the
 * core type index space in effect). */
static bool core_externtype(wf_cctx_t *cx, wf_creader_t *r, const wf_u32vec_t *types, wf_ctid_t *out) {
  uint8_t k;
  size_t off = wf_cr_off(r);
  if (!wf_cr_byte(r, &k)) return false;
  wf_ctid_t id;
  switch (k) {
  case 0x00: case 0x04: {
    if (k == 0x04) {
      uint8_t z;
      if (!wf_cr_byte(r, &z)) return false;
      if (z != 0) return wf_cr_malformed(r, "tag attribute", z);
    }
    uint32_t idx;
    size_t ioff = wf_cr_off(r);
    if (!wf_cr_u32(r, &idx)) return false;
    if (idx >= types->n) return wf_cerr(cx, ioff, "type index out of bounds");
    wf_ctid_t ft = types->v[idx];
    if (cx->ts->v[ft].kind != WF_CT_CORE_FUNC) return wf_cerr(cx, ioff, "type index %u is not a function type", idx);
    if (k == 0x00) { *out = ft; return true; }
    if (!(id = wf_ctype_new(cx->ts, WF_CT_CORE_TAG))) return wf_cerr(cx, off, "too many types");
    cx->ts->v[id].core = cx->ts->v[ft].core;
    *out = id;
    return true;
  }
  case 0x01: {
    uint8_t et;
    wf_limits_t l;
    if (!core_valtype(r, &et) || !core_limits(cx, r, &l, false)) return false;
    if (et != WF_T_FUNCREF && et != WF_T_EXTERNREF) return wf_cerr(cx, off, "malformed reference type");
    if (!(id = wf_ctype_new(cx->ts, WF_CT_CORE_TABLE))) return wf_cerr(cx, off, "too many types");
    cx->ts->v[id].table.elem = et;
    cx->ts->v[id].table.lim = l;
    *out = id;
    return true;
  }
  case 0x02: {
    wf_limits_t l;
    if (!core_limits(cx, r, &l, true)) return false;
    if (!(id = wf_ctype_new(cx->ts, WF_CT_CORE_MEMORY))) return wf_cerr(cx, off, "too many types");
    cx->ts->v[id].mem.lim = l;
    *out = id;
    return true;
  }
  case 0x03: {
    uint8_t vt, mut;
    if (!core_valtype(r, &vt) || !wf_cr_byte(r, &mut)) return false;
    if (mut > 1) return wf_cr_malformed(r, "global mutability", mut);
    if (!(id = wf_ctype_new(cx->ts, WF_CT_CORE_GLOBAL))) return wf_cerr(cx, off, "too many types");
    cx->ts->v[id].global.type = vt;
    cx->ts->v[id].global.mut = mut;
    *out = id;
    return true;
  }
  default:
    return wf_cr_malformed(r, "external kind", k);
  }
}

/* Two-level core import names must be unique (they mangle to one name). */
static bool dup_import(wf_cctx_t *cx, wf_cnameset_t *set, const wf_ccore_extern_t *v, uint32_t i, size_t off) {
  bool oom;
  uint32_t j = wf_cnameset_add(cx->arena, set, v[i].name, v[i].name_len, v[i].module, v[i].module_len, i, &oom);
  if (oom) return wf_cerr(cx, off, "out of memory");
  if (j != UINT32_MAX)
    return wf_cerr(cx, off, "duplicate import name `%.*s:%.*s`", WF_NLEN(v[i].module_len), v[i].module,
                   WF_NLEN(v[i].name_len), v[i].name);
  return true;
}

/* Exact-name uniqueness of an export/argument list. */
static bool dup_name(wf_cctx_t *cx, wf_cnameset_t *set, const char *n, uint32_t len, uint32_t i, size_t off,
                     const char *fmt) {
  bool oom;
  uint32_t j = wf_cnameset_add(cx->arena, set, n, len, NULL, 0, i, &oom);
  if (oom) return wf_cerr(cx, off, "out of memory");
  if (j != UINT32_MAX) return wf_cerr(cx, off, fmt, WF_NLEN(len), n);
  return true;
}

static bool module_type(wf_cctx_t *cx, wf_creader_t *r, wf_ctid_t *out, size_t off) {
  if (cx->depth >= WF_CMAX_DEPTH) return wf_cerr(cx, off, "nesting too deep");
  wf_u32vec_t types = {0};
  struct { wf_ccore_extern_t *v; uint32_t n, cap; } imps = {0}, exps = {0};
  wf_cnameset_t imp_names = {0}, exp_names = {0};
  uint32_t n;
  if (!wf_cr_count(r, &n, 2)) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t doff = wf_cr_off(r);
    uint8_t b;
    if (!wf_cr_byte(r, &b)) return false;
    switch (b) {
    case 0x00: case 0x03: {
      wf_ccore_extern_t e = {0};
      if (b == 0x00 && !wf_cr_name(r, &e.module, &e.module_len)) return false;
      if (!wf_cr_name(r, &e.name, &e.name_len) || !core_externtype(cx, r, &types, &e.type)) return false;
      if (b == 0x03) {
        if (!dup_name(cx, &exp_names, e.name, e.name_len, exps.n, doff, "export name `%.*s` already defined"))
          return false;
        if (!WF_VEC_PUSH(cx->arena, exps.v, exps.n, exps.cap, e)) return wf_cerr(cx, doff, "out of memory");
      } else {
        if (!WF_VEC_PUSH(cx->arena, imps.v, imps.n, imps.cap, e)) return wf_cerr(cx, doff, "out of memory");
        if (!dup_import(cx, &imp_names, imps.v, imps.n - 1, doff)) return false;
      }
      break;
    }
    case 0x01: {
      wf_ctid_t t;
      cx->depth++;
      bool ok = wf_cdecode_core_type(cx, r, true, &t);
      cx->depth--;
      if (!ok) return false;
      if (!WF_VEC_PUSH(cx->arena, types.v, types.n, types.cap, t)) return wf_cerr(cx, doff, "out of memory");
      break;
    }
    case 0x02: {
      uint8_t s1, s2;
      uint32_t ct, idx;
      if (!wf_cr_byte(r, &s1)) return false;
      if (s1 != 0x10) return wf_cr_malformed(r, "outer alias kind", s1);
      if (!wf_cr_byte(r, &s2)) return false;
      if (s2 != 0x01) return wf_cr_malformed(r, "outer alias target", s2);
      size_t aoff = wf_cr_off(r);
      if (!wf_cr_u32(r, &ct) || !wf_cr_u32(r, &idx)) return false;
      wf_ctid_t t;
      if (ct == 0) {
        if (idx >= types.n) return wf_cerr(cx, aoff, "type index out of bounds");
        t = types.v[idx];
      } else {
        wf_cscope_t *s = cx->scope;
        for (uint32_t k = 1; k < ct && s; k++) s = s->parent;
        if (!s) return wf_cerr(cx, aoff, "invalid outer alias count of %u", ct);
        if (!wf_cscope_get(cx, s, WF_SORT_CORE_TYPE, idx, &t, aoff)) return false;
        if (cx->ts->v[t].kind == WF_CT_CORE_MODULE)
          return wf_cerr(cx, aoff, "cannot alias a module type into a module type");
      }
      if (!WF_VEC_PUSH(cx->arena, types.v, types.n, types.cap, t)) return wf_cerr(cx, doff, "out of memory");
      break;
    }
    default:
      return wf_cr_malformed(r, "type definition", b);
    }
  }
  wf_ctid_t id = wf_ctype_new(cx->ts, WF_CT_CORE_MODULE);
  if (!id) return wf_cerr(cx, off, "too many types");
  wf_ctype_t *t = &cx->ts->v[id];
  t->ncimports = imps.n; t->cimports = imps.v;
  t->ncexports = exps.n; t->cexports = exps.v;
  *out = id;
  return true;
}

bool wf_cdecode_core_type(wf_cctx_t *cx, wf_creader_t *r, bool in_module_type, wf_ctid_t *out) {
  size_t off = wf_cr_off(r);
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  if (b == 0x60) {
    wf_ctid_t id = wf_ctype_new(cx->ts, WF_CT_CORE_FUNC);
    if (!id) return wf_cerr(cx, off, "too many types");
    wf_functype_t f = {0};
    if (!core_functype(cx, r, &f)) return false;
    cx->ts->v[id].core = f;
    *out = id;
    return true;
  }
  if (b == 0x50) {
    if (in_module_type) return wf_cerr(cx, off, "invalid leading byte (0x50): module types cannot be nested in module types");
    return module_type(cx, r, out, off);
  }
  if (b == 0x00 || b == 0x4f) {
    /* a (non-final: 0x00 0x50, final: 0x4f) subtype; only function types
     * are supported, and their declared supertypes are only bounds-checked */
    if (b == 0x00) {
      uint8_t b2;
      if (!wf_cr_byte(r, &b2)) return false;
      if (b2 != 0x50) return wf_cr_malformed(r, "core type", b2);
    }
    uint32_t n;
    if (!wf_cr_count(r, &n, 1)) return false;
    if (n && in_module_type) return wf_cerr(cx, off, "supertypes inside module types are not supported");
    for (uint32_t i = 0; i < n; i++) {
      uint32_t idx;
      wf_ctid_t st;
      size_t ioff = wf_cr_off(r);
      if (!wf_cr_u32(r, &idx) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_TYPE, idx, &st, ioff)) return false;
      if (cx->ts->v[st].kind != WF_CT_CORE_FUNC) return wf_cerr(cx, ioff, "supertype %u is not a function type", idx);
    }
    uint8_t c;
    if (!wf_cr_byte(r, &c)) return false;
    if (c != 0x60) return wf_cerr(cx, off, "garbage-collection core types are not supported");
    wf_ctid_t id = wf_ctype_new(cx->ts, WF_CT_CORE_FUNC);
    if (!id) return wf_cerr(cx, off, "too many types");
    wf_functype_t f = {0};
    if (!core_functype(cx, r, &f)) return false;
    cx->ts->v[id].core = f;
    *out = id;
    return true;
  }
  if (b == 0x4e || b == 0x5e || b == 0x5f)
    return wf_cerr(cx, off, "garbage-collection core types are not supported");
  return wf_cr_malformed(r, "core type", b);
}

/* The core module type of a decoded module. */
static wf_ctid_t module_ctype(wf_cctx_t *cx, const wf_module_t *m, size_t off) {
  wf_ctid_t *ft = m->ntypes ? wf_carena_alloc(cx->arena, (size_t)m->ntypes * sizeof(wf_ctid_t)) : NULL;
  if (m->ntypes && !ft) { wf_cerr(cx, off, "out of memory"); return 0; }
  for (uint32_t i = 0; i < m->ntypes; i++) {
    if (!(ft[i] = wf_ctype_new(cx->ts, WF_CT_CORE_FUNC))) { wf_cerr(cx, off, "too many types"); return 0; }
    cx->ts->v[ft[i]].core = m->types[i];
  }
  wf_ctid_t id = wf_ctype_new(cx->ts, WF_CT_CORE_MODULE);
  if (!id) { wf_cerr(cx, off, "too many types"); return 0; }
  wf_cnameset_t imp_names = {0};
  wf_ccore_extern_t *imps = m->nimports ? wf_carena_alloc(cx->arena, (size_t)m->nimports * sizeof(*imps)) : NULL;
  wf_ccore_extern_t *exps = m->nexports ? wf_carena_alloc(cx->arena, (size_t)m->nexports * sizeof(*exps)) : NULL;
  if ((m->nimports && !imps) || (m->nexports && !exps)) { wf_cerr(cx, off, "out of memory"); return 0; }
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wf_import_t *im = &m->imports[i];
    wf_ctid_t t = 0;
    switch (im->kind) {
    case WF_EXTERN_FUNC: t = ft[im->u.type_idx]; break;
    case WF_EXTERN_TABLE:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_TABLE))) cx->ts->v[t].table = im->u.table;
      break;
    case WF_EXTERN_MEMORY:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_MEMORY))) cx->ts->v[t].mem = im->u.mem;
      break;
    case WF_EXTERN_TAG:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_TAG))) cx->ts->v[t].core = m->types[im->u.type_idx];
      break;
    default:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_GLOBAL))) cx->ts->v[t].global = im->u.global;
      break;
    }
    if (!t) { wf_cerr(cx, off, "too many types"); return 0; }
    imps[i] = (wf_ccore_extern_t){im->module, im->module_len, im->name, im->name_len, t};
    if (!dup_import(cx, &imp_names, imps, i, off)) return 0;
  }
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wf_export_t *ex = &m->exports[i];
    wf_ctid_t t = 0;
    switch (ex->kind) {
    case WF_EXTERN_FUNC: t = ft[m->func_type[ex->index]]; break;
    case WF_EXTERN_TABLE:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_TABLE))) cx->ts->v[t].table = m->tables[ex->index];
      break;
    case WF_EXTERN_MEMORY:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_MEMORY))) cx->ts->v[t].mem = m->mems[ex->index];
      break;
    case WF_EXTERN_TAG:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_TAG)))
        cx->ts->v[t].core = m->types[m->tag_type[ex->index]];
      break;
    default:
      if ((t = wf_ctype_new(cx->ts, WF_CT_CORE_GLOBAL))) cx->ts->v[t].global = m->globals[ex->index].type;
      break;
    }
    if (!t) { wf_cerr(cx, off, "too many types"); return 0; }
    exps[i] = (wf_ccore_extern_t){NULL, 0, ex->name, ex->name_len, t};
  }
  wf_ctype_t *t = &cx->ts->v[id];
  t->ncimports = m->nimports; t->cimports = imps;
  t->ncexports = m->nexports; t->cexports = exps;
  return id;
}

/* ---- Sorts ------------------------------------------------------------------ */

static bool core_sort(wf_creader_t *r, uint8_t *sort, const char *what) {
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  switch (b) {
  case 0x00: *sort = WF_SORT_CORE_FUNC; return true;
  case 0x01: *sort = WF_SORT_CORE_TABLE; return true;
  case 0x02: *sort = WF_SORT_CORE_MEMORY; return true;
  case 0x03: *sort = WF_SORT_CORE_GLOBAL; return true;
  case 0x04: *sort = WF_SORT_CORE_TAG; return true;
  case 0x10: *sort = WF_SORT_CORE_TYPE; return true;
  case 0x11: *sort = WF_SORT_CORE_MODULE; return true;
  case 0x12: *sort = WF_SORT_CORE_INSTANCE; return true;
  default: return wf_cr_malformed(r, what, b);
  }
}

bool wf_cdecode_sort(wf_creader_t *r, uint8_t *sort, const char *what) {
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  switch (b) {
  case 0x00: return core_sort(r, sort, what);
  case 0x01: *sort = WF_SORT_FUNC; return true;
  case 0x02: *sort = WF_SORT_VALUE; return true;
  case 0x03: *sort = WF_SORT_TYPE; return true;
  case 0x04: *sort = WF_SORT_COMPONENT; return true;
  case 0x05: *sort = WF_SORT_INSTANCE; return true;
  default: return wf_cr_malformed(r, what, b);
  }
}

static const wf_ccore_extern_t *core_export(wf_cctx_t *cx, wf_ctype_t *t, const char *n, uint32_t len) {
  return wf_cfind_core_extern(cx->arena, t->cexports, t->ncexports, &t->cache_exports, NULL, 0, n, len);
}

static const wf_cextern_t *inst_export(wf_cctx_t *cx, wf_ctype_t *t, const char *n, uint32_t len) {
  return wf_cfind_extern(cx->arena, t->exports, t->nexports, &t->cache_exports, n, len);
}

static unsigned core_kind_sort(uint8_t kind) {
  switch (kind) {
  case WF_CT_CORE_FUNC: return WF_SORT_CORE_FUNC;
  case WF_CT_CORE_TABLE: return WF_SORT_CORE_TABLE;
  case WF_CT_CORE_MEMORY: return WF_SORT_CORE_MEMORY;
  case WF_CT_CORE_GLOBAL: return WF_SORT_CORE_GLOBAL;
  default: return WF_SORT_CORE_TAG;
  }
}

/* ---- Aliases ----------------------------------------------------------------- */

bool wf_cdecode_alias(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d) {
  size_t off = wf_cr_off(r);
  uint8_t sort, k;
  memset(d, 0, sizeof(*d));
  d->kind = WF_CDEF_ALIAS;
  d->offset = (uint32_t)off;
  if (!wf_cdecode_sort(r, &sort, "component outer alias kind") || !wf_cr_byte(r, &k)) return false;
  bool in_type = cx->scope->kind != WF_SCOPE_COMPONENT;
  wf_ctid_t t;
  d->sort = sort;
  d->u.alias.kind = k;
  switch (k) {
  case 0x00: { /* export of a component instance */
    uint32_t inst;
    size_t ioff = wf_cr_off(r);
    if (!wf_cr_u32(r, &inst) || !wf_cr_name(r, &d->u.alias.name, &d->u.alias.name_len)) return false;
    if (in_type && sort != WF_SORT_TYPE && sort != WF_SORT_INSTANCE)
      return wf_cerr(cx, off, "export aliases in type declarations may only refer to types or instances");
    wf_ctid_t it;
    if (!wf_cscope_get(cx, cx->scope, WF_SORT_INSTANCE, inst, &it, ioff)) return false;
    const wf_cextern_t *e = inst_export(cx, &cx->ts->v[it], d->u.alias.name, d->u.alias.name_len);
    if (!e) return wf_cerr(cx, off, "instance %u has no export named `%.*s`", inst, WF_NLEN(d->u.alias.name_len), d->u.alias.name);
    if (e->sort != sort)
      return wf_cerr(cx, off, "export `%.*s` for instance %u is not a %s", WF_NLEN(d->u.alias.name_len), d->u.alias.name,
                     inst, wf_sort_name(sort));
    d->u.alias.instance = inst;
    t = e->type;
    break;
  }
  case 0x01: { /* export of a core instance */
    uint32_t inst;
    size_t ioff = wf_cr_off(r);
    if (!wf_cr_u32(r, &inst) || !wf_cr_name(r, &d->u.alias.name, &d->u.alias.name_len)) return false;
    if (in_type) return wf_cerr(cx, off, "core export aliases are not allowed in type declarations");
    if (sort > WF_SORT_CORE_TAG) return wf_cerr(cx, off, "core export alias of a %s is not valid", wf_sort_name(sort));
    wf_ctid_t it;
    if (!wf_cscope_get(cx, cx->scope, WF_SORT_CORE_INSTANCE, inst, &it, ioff)) return false;
    const wf_ccore_extern_t *e = core_export(cx, &cx->ts->v[it], d->u.alias.name, d->u.alias.name_len);
    if (!e) return wf_cerr(cx, off, "core instance %u has no export named `%.*s`", inst, WF_NLEN(d->u.alias.name_len), d->u.alias.name);
    if (core_kind_sort(cx->ts->v[e->type].kind) != sort)
      return wf_cerr(cx, off, "export `%.*s` for core instance %u is not a %s", WF_NLEN(d->u.alias.name_len), d->u.alias.name,
                     inst, wf_sort_name(sort));
    d->u.alias.instance = inst;
    t = e->type;
    break;
  }
  case 0x02: { /* outer */
    uint32_t ct, idx;
    size_t aoff = wf_cr_off(r);
    if (!wf_cr_u32(r, &ct) || !wf_cr_u32(r, &idx)) return false;
    if (sort != WF_SORT_CORE_MODULE && sort != WF_SORT_CORE_TYPE && sort != WF_SORT_TYPE && sort != WF_SORT_COMPONENT) {
      static const uint8_t code[WF_SORT_COUNT] = {0, 0, 0, 0, 0, 0x10, 0x11, 0x12, 0x01, 0x02, 0x03, 0x04, 0x05};
      return wf_cerr(cx, off, "invalid leading byte (0x%x) for component outer alias kind", code[sort]);
    }
    if (in_type && sort != WF_SORT_TYPE && sort != WF_SORT_CORE_TYPE)
      return wf_cerr(cx, off, "outer aliases in type declarations may only refer to types or instances");
    wf_cscope_t *s = cx->scope;
    bool crosses_component = false;
    for (uint32_t i = 0; i < ct && s; i++) {
      if (s->kind == WF_SCOPE_COMPONENT) crosses_component = true;
      s = s->parent;
    }
    if (!s) return wf_cerr(cx, aoff, "invalid outer alias count of %u", ct);
    if (!wf_cscope_get(cx, s, sort, idx, &t, aoff)) return false;
    if (crosses_component && sort == WF_SORT_TYPE && wf_ctype_has_resource(cx->ts, t, 0))
      return wf_cerr(cx, aoff, "canonical outer alias of type %u transitively refers to resources not defined in the current component", idx);
    d->u.alias.count = ct;
    d->u.alias.idx = idx;
    break;
  }
  default:
    return wf_cr_malformed(r, "alias", k);
  }
  if (sort == WF_SORT_VALUE) return wf_cerr(cx, off, "value definitions are not supported");
  d->index = cx->scope->space[sort].n;
  return wf_cscope_push(cx, sort, t);
}

/* ---- Core instances -------------------------------------------------------- */

static bool core_instance(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d) {
  size_t off = wf_cr_off(r);
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  d->kind = WF_CDEF_CORE_INSTANCE;
  d->sort = WF_SORT_CORE_INSTANCE;
  wf_ctid_t id = wf_ctype_new(cx->ts, WF_CT_CORE_INSTANCE);
  if (!id) return wf_cerr(cx, off, "too many types");
  if (b == 0x00) {
    uint32_t midx, n;
    size_t moff = wf_cr_off(r);
    wf_ctid_t mt;
    if (!wf_cr_u32(r, &midx) || !wf_cr_count(r, &n, 3)) return false;
    wf_csortidx_t *args = n ? wf_carena_alloc(cx->arena, (size_t)n * sizeof(*args)) : NULL;
    wf_cnameset_t arg_names = {0};
    if (n && !args) return wf_cerr(cx, off, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
      uint8_t k;
      if (!wf_cr_name(r, &args[i].name, &args[i].name_len) || !wf_cr_byte(r, &k)) return false;
      if (k != 0x12) return wf_cr_malformed(r, "instantiation arg kind", k);
      size_t ioff = wf_cr_off(r);
      wf_ctid_t it;
      if (!wf_cr_u32(r, &args[i].idx) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_INSTANCE, args[i].idx, &it, ioff))
        return false;
      args[i].sort = WF_SORT_CORE_INSTANCE;
      if (!dup_name(cx, &arg_names, args[i].name, args[i].name_len, i, off,
                    "duplicate module instantiation argument named `%.*s`"))
        return false;
    }
    if (!wf_cscope_get(cx, cx->scope, WF_SORT_CORE_MODULE, midx, &mt, moff)) return false;
    const wf_ctype_t *m = &cx->ts->v[mt];
    for (uint32_t i = 0; i < m->ncimports; i++) {
      const wf_ccore_extern_t *im = &m->cimports[i];
      uint32_t j = wf_cnameset_find(cx->arena, &arg_names, im->module, im->module_len, NULL, 0);
      if (j == UINT32_MAX)
        return wf_cerr(cx, off, "missing module instantiation argument named `%.*s`", WF_NLEN(im->module_len), im->module);
      wf_ctype_t *it = &cx->ts->v[cx->scope->space[WF_SORT_CORE_INSTANCE].v[args[j].idx]];
      const wf_ccore_extern_t *ex = core_export(cx, it, im->name, im->name_len);
      if (!ex)
        return wf_cerr(cx, off, "module instantiation argument `%.*s` does not export an item named `%.*s`",
                       WF_NLEN(im->module_len), im->module, WF_NLEN(im->name_len), im->name);
      if (!wf_ccore_extern_sub(cx->ts, ex->type, im->type, cx->err, off)) return false;
    }
    d->u.inst.instantiate = true;
    d->u.inst.of = midx;
    d->u.inst.nargs = n;
    d->u.inst.args = args;
    cx->ts->v[id].ncexports = m->ncexports;
    cx->ts->v[id].cexports = m->cexports;
  } else if (b == 0x01) {
    uint32_t n;
    if (!wf_cr_count(r, &n, 3)) return false;
    wf_csortidx_t *args = n ? wf_carena_alloc(cx->arena, (size_t)n * sizeof(*args)) : NULL;
    wf_ccore_extern_t *ex = n ? wf_carena_alloc(cx->arena, (size_t)n * sizeof(*ex)) : NULL;
    wf_cnameset_t ex_names = {0};
    if (n && (!args || !ex)) return wf_cerr(cx, off, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
      size_t eoff = wf_cr_off(r);
      if (!wf_cr_name(r, &args[i].name, &args[i].name_len) || !core_sort(r, &args[i].sort, "core instance export kind"))
        return false;
      size_t ioff = wf_cr_off(r);
      if (!wf_cr_u32(r, &args[i].idx)) return false;
      if (args[i].sort > WF_SORT_CORE_TAG) return wf_cerr(cx, eoff, "core instances may only export functions, tables, memories, globals and tags");
      if (!dup_name(cx, &ex_names, args[i].name, args[i].name_len, i, eoff, "export name `%.*s` already defined"))
        return false;
      ex[i].name = args[i].name;
      ex[i].name_len = args[i].name_len;
      if (!wf_cscope_get(cx, cx->scope, args[i].sort, args[i].idx, &ex[i].type, ioff)) return false;
    }
    d->u.inst.nargs = n;
    d->u.inst.args = args;
    cx->ts->v[id].ncexports = n;
    cx->ts->v[id].cexports = ex;
  } else {
    return wf_cr_malformed(r, "core instance", b);
  }
  d->index = cx->scope->space[WF_SORT_CORE_INSTANCE].n;
  return wf_cscope_push(cx, WF_SORT_CORE_INSTANCE, id);
}

/* ---- Component instances ------------------------------------------------------ */

static bool instantiate(wf_cctx_t *cx, wf_ctid_t ctid, wf_csortidx_t *args, uint32_t n, const wf_cnameset_t *names,
                        wf_ctid_t *out, size_t off) {
  wf_ctypes_t *ts = cx->ts;
  wf_ctype_t c = ts->v[ctid];
  wf_ridmap_t m = {.arena = cx->arena};
  for (uint32_t i = 0; i < c.nimported_rids; i++)
    if (!wf_u32map_put(cx->arena, &m.bindable, c.imported_rids[i], 1)) return wf_cerr(cx, off, "out of memory");
  for (uint32_t i = 0; i < c.nimports; i++) {
    const wf_cextern_t *im = &c.imports[i];
    uint32_t j = wf_cnameset_find(cx->arena, names, im->name, im->name_len, NULL, 0);
    if (j == UINT32_MAX || j >= n || args[j].name_len != im->name_len ||
        memcmp(args[j].name, im->name, im->name_len) != 0)
      return wf_cerr(cx, off, "missing import named `%.*s`", WF_NLEN(im->name_len), im->name);
    if (args[j].sort != im->sort)
      return wf_cerr(cx, off, "expected %s, found %s", wf_sort_name(im->sort), wf_sort_name(args[j].sort));
    wf_ctid_t at = cx->scope->space[args[j].sort].v[args[j].idx];
    if (!wf_ctype_sub(ts, at, im->type, &m, cx->err, off)) return false;
    if (im->sort == WF_SORT_TYPE && ts->v[at].kind != WF_CT_RESOURCE) {
      wf_ctid_t et = wf_ctype_subst(ts, im->type, &m, 0);
      if (!wf_ctype_sub(ts, et, at, NULL, cx->err, off)) return false;
      wf_ctid_t from = ts->v[im->type].orig ? ts->v[im->type].orig : im->type;
      if (!wf_ridmap_put_node(&m, im->type, at) || !wf_ridmap_put_node(&m, from, at))
        return wf_cerr(cx, off, "out of memory");
    }
  }
  /* fresh copies of every resource the component defines itself */
  for (uint32_t rid = c.rid_lo; rid < c.rid_hi; rid++) {
    bool found;
    wf_ridmap_get(&m, rid, &found);
    if (found) continue;
    wf_ctid_t fr = wf_cfresh_resource(cx);
    if (!fr || !wf_ridmap_put(&m, rid, fr)) return wf_cerr(cx, off, "too many types");
  }
  wf_ctid_t id = wf_ctype_new(ts, WF_CT_INSTANCE);
  if (!id) return wf_cerr(cx, off, "too many types");
  wf_cextern_t *ex = c.nexports ? wf_carena_alloc(cx->arena, (size_t)c.nexports * sizeof(*ex)) : NULL;
  if (c.nexports && !ex) return wf_cerr(cx, off, "out of memory");
  for (uint32_t i = 0; i < c.nexports; i++) {
    ex[i] = c.exports[i];
    ex[i].type = wf_ctype_subst(ts, c.exports[i].type, &m, 0);
  }
  ts->v[id].nexports = c.nexports;
  ts->v[id].exports = ex;
  ts->v[id].depth = ts->v[ctid].depth;
  ts->v[id].size = ts->v[ctid].size;
  *out = id;
  return true;
}

static bool name_attrs(wf_cctx_t *cx, wf_creader_t *r, const char **name, uint32_t *len);

static bool instance(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d) {
  size_t off = wf_cr_off(r);
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  d->kind = WF_CDEF_INSTANCE;
  d->sort = WF_SORT_INSTANCE;
  wf_ctid_t id = WF_CTID_NONE;
  if (b == 0x00) {
    uint32_t cidx, n;
    size_t coff = wf_cr_off(r);
    wf_ctid_t ct;
    if (!wf_cr_u32(r, &cidx) || !wf_cr_count(r, &n, 3)) return false;
    wf_csortidx_t *args = n ? wf_carena_alloc(cx->arena, (size_t)n * sizeof(*args)) : NULL;
    wf_cnameset_t arg_names = {.canonical = true};
    if (n && !args) return wf_cerr(cx, off, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
      wf_ctid_t t;
      if (!wf_cr_name(r, &args[i].name, &args[i].name_len) || !wf_cdecode_sort(r, &args[i].sort, "instantiation arg kind"))
        return false;
      size_t ioff = wf_cr_off(r);
      if (!wf_cr_u32(r, &args[i].idx) || !wf_cscope_get(cx, cx->scope, args[i].sort, args[i].idx, &t, ioff)) return false;
      bool oom;
      uint32_t j = wf_cnameset_add(cx->arena, &arg_names, args[i].name, args[i].name_len, NULL, 0, i, &oom);
      if (oom) return wf_cerr(cx, off, "out of memory");
      if (j != UINT32_MAX)
        return wf_cerr(cx, off, "instantiation argument `%.*s` conflicts with previous argument `%.*s`",
                       WF_NLEN(args[i].name_len), args[i].name, WF_NLEN(args[j].name_len), args[j].name);
    }
    if (!wf_cscope_get(cx, cx->scope, WF_SORT_COMPONENT, cidx, &ct, coff)) return false;
    if (!instantiate(cx, ct, args, n, &arg_names, &id, off)) return false;
    d->u.inst.instantiate = true;
    d->u.inst.of = cidx;
    d->u.inst.nargs = n;
    d->u.inst.args = args;
  } else if (b == 0x01) {
    uint32_t n;
    if (!wf_cr_count(r, &n, 4)) return false;
    wf_csortidx_t *args = n ? wf_carena_alloc(cx->arena, (size_t)n * sizeof(*args)) : NULL;
    wf_cextern_t *ex = n ? wf_carena_alloc(cx->arena, (size_t)n * sizeof(*ex)) : NULL;
    wf_cnameset_t ex_names = {.canonical = true};
    wf_u32map_t ex_res = {0};
    if (n && (!args || !ex)) return wf_cerr(cx, off, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
      size_t eoff = wf_cr_off(r);
      if (!name_attrs(cx, r, &args[i].name, &args[i].name_len) || !wf_cdecode_sort(r, &args[i].sort, "instance export kind"))
        return false;
      size_t ioff = wf_cr_off(r);
      if (!wf_cr_u32(r, &args[i].idx)) return false;
      wf_cname_info_t ni;
      if (!wf_cname_extern(args[i].name, args[i].name_len, &ni, cx->err, eoff)) return false;
      bool oom;
      uint32_t j = wf_cnameset_add(cx->arena, &ex_names, args[i].name, args[i].name_len, NULL, 0, i, &oom);
      if (oom) return wf_cerr(cx, eoff, "out of memory");
      if (j != UINT32_MAX)
        return wf_cerr(cx, eoff, "export name `%.*s` conflicts with previous name `%.*s`", WF_NLEN(args[i].name_len),
                       args[i].name, WF_NLEN(args[j].name_len), args[j].name);
      if (args[i].sort < WF_SORT_FUNC && args[i].sort != WF_SORT_CORE_MODULE)
        return wf_cerr(cx, eoff, "core %s not valid to be used as export", wf_sort_name(args[i].sort));
      if (args[i].sort == WF_SORT_VALUE) return wf_cerr(cx, eoff, "value definitions are not supported");
      ex[i].name = args[i].name;
      ex[i].name_len = args[i].name_len;
      ex[i].sort = args[i].sort;
      if (!wf_cscope_get(cx, cx->scope, args[i].sort, args[i].idx, &ex[i].type, ioff)) return false;
      if (args[i].sort == WF_SORT_TYPE) {
        ex[i].type = wf_ctype_named_copy(cx->ts, ex[i].type);
        if (!ex[i].type) return wf_cerr(cx, eoff, "too many types");
        if (!WF_CT_IS_PRIM(cx->ts->v[ex[i].type].kind)) cx->ts->v[ex[i].type].named = 1;
      }
      if (!wf_ccheck_annotated(cx, &ex[i], ex, i, &ex_names, &ex_res, eoff)) return false;
      if (ex[i].sort == WF_SORT_TYPE && cx->ts->v[ex[i].type].kind == WF_CT_RESOURCE &&
          !wf_u32map_put(cx->arena, &ex_res, ex[i].type, i + 1))
        return wf_cerr(cx, eoff, "out of memory");
    }
    if (!(id = wf_ctype_new(cx->ts, WF_CT_INSTANCE))) return wf_cerr(cx, off, "too many types");
    cx->ts->v[id].nexports = n;
    cx->ts->v[id].exports = ex;
    d->u.inst.nargs = n;
    d->u.inst.args = args;
  } else {
    return wf_cr_malformed(r, "instance", b);
  }
  d->index = cx->scope->space[WF_SORT_INSTANCE].n;
  return wf_cscope_push(cx, WF_SORT_INSTANCE, id);
}

/* ---- Imports and exports ------------------------------------------------------ */

static bool name_attrs(wf_cctx_t *cx, wf_creader_t *r, const char **name, uint32_t *len) {
  wf_cextern_t e = {0};
  if (!wf_cdecode_nameattrs(cx, r, &e)) return false;
  *name = e.name;
  *len = e.name_len;
  return true;
}

static bool import_def(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d) {
  size_t off = wf_cr_off(r);
  wf_cextern_t e;
  if (!wf_cdecode_externtype(cx, r, &e, true)) return false;
  d->kind = WF_CDEF_IMPORT;
  d->sort = e.sort;
  d->index = cx->scope->space[e.sort].n;
  if (!wf_cscope_add_extern(cx, true, &e, off)) return false;
  d->u.ie.name = e.name;
  d->u.ie.name_len = e.name_len;
  d->u.ie.type = e;
  return true;
}

static bool export_def(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d) {
  size_t off = wf_cr_off(r);
  wf_cextern_t e = {0};
  uint8_t sort, has;
  uint32_t idx;
  if (!wf_cdecode_nameattrs(cx, r, &e) || !wf_cdecode_sort(r, &sort, "component external kind")) return false;
  size_t ioff = wf_cr_off(r);
  if (!wf_cr_u32(r, &idx)) return false;
  wf_ctid_t actual;
  if (sort == WF_SORT_VALUE) return wf_cerr(cx, off, "value definitions are not supported");
  if (!wf_cscope_get(cx, cx->scope, sort, idx, &actual, ioff)) return false;
  if (!wf_cr_byte(r, &has)) return false;
  e.sort = sort;
  e.type = actual;
  if (has == 0x01) {
    wf_cextern_t asc;
    bool fresh = false;
    size_t aoff = wf_cr_off(r);
    if (!wf_cdecode_externdesc(cx, r, &asc, &fresh)) return false;
    if (asc.sort != sort) return wf_cerr(cx, aoff, "ascribed type of export is not compatible with item type");
    if (fresh) {
      if (cx->ts->v[actual].kind != WF_CT_RESOURCE) return wf_cerr(cx, aoff, "ascribed type of export is not compatible: expected resource, found defined type");
      e.type = asc.type; /* a new abstract identity for the export */
    } else {
      wf_ridmap_t m = {.arena = cx->arena};
      if (!wf_ctype_sub(cx->ts, actual, asc.type, &m, cx->err, aoff))
        return wf_error_wrap(cx->err, "ascribed type of export is not compatible with item type");
      e.type = asc.type;
    }
    d->u.ie.ascribed = true;
  } else if (has != 0x00) {
    return wf_cr_malformed(r, "optional component export type", has);
  }
  d->kind = WF_CDEF_EXPORT;
  d->sort = sort;
  d->index = cx->scope->space[sort].n;
  d->u.ie.idx = idx;
  if (!wf_cscope_add_extern(cx, false, &e, off)) return false;
  d->u.ie.name = e.name;
  d->u.ie.name_len = e.name_len;
  d->u.ie.type = e;
  return true;
}

/* ---- Components ------------------------------------------------------------- */

static wf_component_t *component_body(wf_cctx_t *cx, wf_creader_t *r, size_t start_off);

static bool push_def(wf_cctx_t *cx, const wf_cdef_t *d) {
  wf_cscope_t *s = cx->scope;
  if (!WF_VEC_PUSH(cx->arena, s->defs.v, s->defs.n, s->defs.cap, *d)) return wf_cerr(cx, d->offset, "out of memory");
  return true;
}

static bool section(wf_cctx_t *cx, uint8_t id, wf_creader_t *r) {
  size_t off = wf_cr_off(r);
  wf_cdef_t d;
  memset(&d, 0, sizeof d);
  d.offset = (uint32_t)off;
  switch (id) {
  case 1: {
    size_t len = (size_t)(r->end - r->p);
    if (len < 8 || memcmp(r->p, magic, 4) != 0) return wf_cerr(cx, off, "magic header not detected");
    if (!(r->p[4] == 1 && r->p[5] == 0 && r->p[6] == 0 && r->p[7] == 0))
      return wf_cerr(cx, off + 4, "expected a version header for a module");
    wf_error_t merr = {0};
    /* the component's copy of the binary outlives its modules
     * (wf_component_free frees them first) */
    wf_module_t *m = wf_module_decode_ex(r->p, len, WF_FEATURE_MULTI_MEMORY | WF_FEATURE_BORROW_BYTES, &merr);
    if (!m) return wf_error_at(cx->err, off + (merr.has_offset ? merr.offset : 0), "core module: %s", merr.msg);
    if (!WF_VEC_PUSH(cx->arena, cx->modules.v, cx->modules.n, cx->modules.cap, m)) {
      wf_module_free(m);
      return wf_cerr(cx, off, "out of memory");
    }
    d.kind = WF_CDEF_CORE_MODULE;
    d.sort = WF_SORT_CORE_MODULE;
    d.index = cx->scope->space[WF_SORT_CORE_MODULE].n;
    d.u.core_module.module = m;
    if (!push_def(cx, &d)) return false;
    wf_ctid_t t = module_ctype(cx, m, off);
    r->p = r->end;
    return t && wf_cscope_push(cx, WF_SORT_CORE_MODULE, t);
  }
  case 4: {
    size_t len = (size_t)(r->end - r->p);
    if (len < 8 || memcmp(r->p, magic, 4) != 0) return wf_cerr(cx, off, "magic header not detected");
    if (r->p[4] == 1 && r->p[5] == 0 && r->p[6] == 0 && r->p[7] == 0)
      return wf_cerr(cx, off + 4, "expected a version header for a component");
    if (!(r->p[4] == 0x0d && r->p[5] == 0 && r->p[6] == 1 && r->p[7] == 0))
      return wf_cerr(cx, off + 4, "unknown binary version: 0x%x", r->p[4] | (r->p[5] << 8));
    r->p += 8;
    wf_component_t *c = component_body(cx, r, off);
    if (!c) return false;
    d.kind = WF_CDEF_COMPONENT;
    d.sort = WF_SORT_COMPONENT;
    d.index = cx->scope->space[WF_SORT_COMPONENT].n;
    d.u.component.component = c;
    return push_def(cx, &d) && wf_cscope_push(cx, WF_SORT_COMPONENT, c->type);
  }
  case 9: return wf_cerr(cx, off, "start definitions are not supported");
  case 12: return wf_cerr(cx, off, "value definitions are not supported");
  default: break;
  }
  uint32_t n;
  if (!wf_cr_count(r, &n, 1)) return false;
  for (uint32_t i = 0; i < n; i++) {
    memset(&d, 0, sizeof d);
    d.offset = (uint32_t)wf_cr_off(r);
    bool ok;
    switch (id) {
    case 2: ok = core_instance(cx, r, &d); break;
    case 3:
      d.kind = WF_CDEF_CORE_TYPE;
      d.sort = WF_SORT_CORE_TYPE;
      d.index = cx->scope->space[WF_SORT_CORE_TYPE].n;
      ok = wf_cdecode_core_type(cx, r, false, &d.u.type.type) && wf_cscope_push(cx, WF_SORT_CORE_TYPE, d.u.type.type);
      break;
    case 5: ok = instance(cx, r, &d); break;
    case 6: ok = wf_cdecode_alias(cx, r, &d); break;
    case 7:
      d.kind = WF_CDEF_TYPE;
      d.sort = WF_SORT_TYPE;
      d.index = cx->scope->space[WF_SORT_TYPE].n;
      ok = wf_cdecode_type(cx, r, &d.u.type.type) && wf_cscope_push(cx, WF_SORT_TYPE, d.u.type.type);
      break;
    case 8: ok = wf_cdecode_canon(cx, r, &d); break;
    case 10: ok = import_def(cx, r, &d); break;
    case 11: ok = export_def(cx, r, &d); break;
    default: return wf_cerr(cx, off, "malformed section id");
    }
    if (!ok || !push_def(cx, &d)) return false;
    if (cx->ts->work > WF_CMAX_WORK) return wf_cerr(cx, d.offset, "component too complex to validate (work limit)");
  }
  return true;
}

/* Sections of a component after its preamble, up to r->end. */
static wf_component_t *component_body(wf_cctx_t *cx, wf_creader_t *r, size_t start_off) {
  wf_cscope_t *s = wf_cscope_enter(cx, WF_SCOPE_COMPONENT, start_off);
  if (!s) return NULL;
  wf_component_t *c = wf_carena_alloc(cx->arena, sizeof(wf_component_t));
  if (!c) { wf_cerr(cx, start_off, "out of memory"); return NULL; }
  bool ok = true;
  while (ok && r->p < r->end) {
    size_t soff = wf_cr_off(r);
    uint8_t id;
    uint32_t size;
    if (!wf_cr_byte(r, &id)) { ok = false; break; }
    if (id > 12) { ok = wf_cerr(cx, soff, "malformed section id: %u", id); break; }
    if (!wf_cr_u32(r, &size)) { ok = false; break; }
    if ((size_t)(r->end - r->p) < size) {
      ok = wf_cerr(cx, wf_cr_off(r), "unexpected end-of-file: section size out of bounds");
      break;
    }
    wf_creader_t sr = {r->base, r->p, r->p + size, r->err};
    r->p += size;
    if (id == 0) {
      const char *nm;
      uint32_t nl;
      ok = wf_cr_name(&sr, &nm, &nl);
      continue;
    }
    ok = section(cx, id, &sr);
    if (ok && sr.p != sr.end) ok = wf_cerr(cx, wf_cr_off(&sr), "unexpected content after last section entry (section size mismatch)");
  }
  /* keep what was built so wf_component_free can release core modules */
  c->defs = s->defs.v;
  c->ndefs = s->defs.n;
  for (unsigned k = 0; k < WF_SORT_COUNT; k++) {
    c->space[k] = s->space[k].v;
    c->nspace[k] = s->space[k].n;
  }
  c->types = cx->ts;
  c->arena = cx->arena;
  wf_cscope_leave(cx);
  if (!ok) return NULL;
  wf_ctid_t t = wf_ctype_new(cx->ts, WF_CT_COMPONENT);
  if (!t || !wf_cscope_to_type(cx, s, t, start_off)) {
    if (!t) wf_cerr(cx, start_off, "too many types");
    return NULL;
  }
  c->type = t;
  return c;
}

void wf_component_free(wf_component_t *c) {
  if (!c) return;
  for (uint32_t i = 0; i < c->nall_modules; i++) wf_module_free(c->all_modules[i]);
  wf_ctypes_t *ts = c->types;
  wf_carena_t *a = c->arena;
  uint8_t *bytes = c->bytes;
  if (ts) { wf_ctypes_fini(ts); free(ts); }
  free(bytes);
  wf_carena_free(a);
}

wf_component_t *wf_component_decode(const uint8_t *bytes, size_t len, wf_error_t *err) {
  wf_error_clear(err);
  if (len < 4 || memcmp(bytes, magic, 4) != 0) { wf_error_at(err, 0, "magic header not detected"); return NULL; }
  if (len < 8) { wf_error_at(err, 4, "unexpected end-of-file: truncated preamble"); return NULL; }
  if (bytes[4] == 1 && bytes[5] == 0 && bytes[6] == 0 && bytes[7] == 0) {
    wf_error_at(err, 4, "expected a version header for a component (this is a core module)");
    return NULL;
  }
  if (!(bytes[4] == 0x0d && bytes[5] == 0 && bytes[6] == 1 && bytes[7] == 0)) {
    wf_error_at(err, 4, "unknown binary version: 0x%x", bytes[4] | (bytes[5] << 8));
    return NULL;
  }
  uint8_t *copy = malloc(len);
  wf_carena_t *arena = wf_carena_new();
  wf_ctypes_t *ts = calloc(1, sizeof(wf_ctypes_t));
  if (!copy || !arena || !ts || !wf_ctypes_init(ts)) {
    free(copy);
    wf_carena_free(arena);
    if (ts) wf_ctypes_fini(ts);
    free(ts);
    wf_error_set(err, "out of memory");
    return NULL;
  }
  memcpy(copy, bytes, len);
  wf_cctx_t cx = {.base = copy, .len = len, .ts = ts, .arena = arena, .err = err};
  ts->limit_work = true;
  wf_creader_t r = {copy, copy + 8, copy + len, err};
  wf_component_t *c = component_body(&cx, &r, 0);
  if (!c) {
    for (uint32_t i = 0; i < cx.modules.n; i++) wf_module_free(cx.modules.v[i]);
    free(copy);
    wf_ctypes_fini(ts);
    free(ts);
    wf_carena_free(arena);
    if (!err->failed) wf_error_set(err, "invalid component");
    return NULL;
  }
  ts->limit_work = false;
  ts->work = 0;
  c->bytes = copy;
  c->len = len;
  c->top = true;
  c->all_modules = cx.modules.v;
  c->nall_modules = cx.modules.n;
  return c;
}
