/* Component-level type definitions: defined value types, function types,
 * component and instance types (with their declarators), resources, extern
 * types, aliases, and adding imports/exports to a scope. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cinternal.h"

bool wf_cerr(wf_cctx_t *cx, size_t off, const char *fmt, ...) {
  if (cx->err->failed) return false;
  char buf[WF_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return wf_error_at(cx->err, off, "%s", buf);
}

static const char *const sort_names[WF_SORT_COUNT] = {
  "core func", "table", "memory", "global", "tag", "core type", "module",
  "core instance", "func", "value", "type", "component", "instance",
};
const char *wf_sort_name(unsigned s) { return s < WF_SORT_COUNT ? sort_names[s] : "?"; }

/* ---- Index spaces ------------------------------------------------------------ */

bool wf_cscope_push(wf_cctx_t *cx, unsigned sort, wf_ctid_t t) {
  wf_u32vec_t *v = &cx->scope->space[sort];
  if (v->n >= WF_CMAX_ITEMS) return wf_cerr(cx, 0, "too many %s definitions", wf_sort_name(sort));
  if (!WF_VEC_PUSH(cx->arena, v->v, v->n, v->cap, t)) return wf_cerr(cx, 0, "out of memory");
  return true;
}

bool wf_cscope_get(wf_cctx_t *cx, wf_cscope_t *s, unsigned sort, uint32_t idx, wf_ctid_t *out, size_t off) {
  if (idx >= s->space[sort].n) {
    static const char *const what[WF_SORT_COUNT] = {
      "function", "table", "memory", "global", "tag", "type", "module", "instance",
      "function", "value", "type", "component", "instance",
    };
    if (sort == WF_SORT_CORE_TAG) return wf_cerr(cx, off, "unknown tag %u: tag index out of bounds", idx);
    if (sort == WF_SORT_CORE_MODULE || sort == WF_SORT_COMPONENT)
      return wf_cerr(cx, off, "unknown %s %u: %s index out of bounds", what[sort], idx, what[sort]);
    return wf_cerr(cx, off, "%s%s index out of bounds (%u)", sort < WF_SORT_FUNC && sort != WF_SORT_CORE_FUNC && sort != WF_SORT_CORE_MEMORY && sort != WF_SORT_CORE_TABLE && sort != WF_SORT_CORE_GLOBAL ? "core " : "", what[sort], idx);
  }
  *out = s->space[sort].v[idx];
  return true;
}

wf_ctid_t wf_cfresh_resource(wf_cctx_t *cx) {
  wf_ctid_t r = wf_ctype_new(cx->ts, WF_CT_RESOURCE);
  if (!r) return r;
  cx->ts->v[r].rid = cx->ts->next_rid++;
  return r;
}

/* Depth/size bookkeeping: every composite node is finished here. */
static bool finish(wf_cctx_t *cx, wf_ctid_t id, size_t off) {
  wf_ctype_t *t = &cx->ts->v[id];
  uint64_t size = 1;
  uint32_t depth = 0;
#define KID(k) do { if (k) { const wf_ctype_t *c_ = &cx->ts->v[(k)]; size += c_->size; if (c_->depth > depth) depth = c_->depth; } } while (0)
  for (uint32_t i = 0; i < t->n; i++) KID(t->fields[i].type);
  KID(t->t1);
  KID(t->t2);
  for (uint32_t i = 0; i < t->nimports; i++) KID(t->imports[i].type);
  for (uint32_t i = 0; i < t->nexports; i++) KID(t->exports[i].type);
  for (uint32_t i = 0; i < t->ncimports; i++) KID(t->cimports[i].type);
  for (uint32_t i = 0; i < t->ncexports; i++) KID(t->cexports[i].type);
#undef KID
  if (depth + 1 > WF_CMAX_TYPE_DEPTH) return wf_cerr(cx, off, "type nesting too deep");
  if (size > WF_CMAX_TYPE_SIZE) return wf_cerr(cx, off, "effective type size exceeds the limit of %u", WF_CMAX_TYPE_SIZE);
  t->depth = (uint16_t)(depth + 1);
  t->size = (uint32_t)size;
  return true;
}

static wf_ctid_t new_type(wf_cctx_t *cx, uint8_t kind, size_t off) {
  wf_ctid_t id = wf_ctype_new(cx->ts, kind);
  if (!id) wf_cerr(cx, off, "too many types");
  return id;
}

/* ---- Value types ------------------------------------------------------------- */

static int prim_of_byte(int64_t v) {
  if (v == -28) return WF_CT_ERROR_CONTEXT; /* 0x64 */
  if (v < -13 || v > -1) return 0;
  return (int)(WF_CT_BOOL + (-1 - v));
}

bool wf_cvaltype(wf_cctx_t *cx, wf_creader_t *r, wf_ctid_t *out) {
  size_t off = wf_cr_off(r);
  int64_t v;
  if (!wf_cr_s33(r, &v)) return false;
  if (v < 0) {
    int k = prim_of_byte(v);
    if (!k) return wf_cerr(cx, off, "invalid leading byte (0x%x) for component value type", (unsigned)(v & 0x7f));
    *out = (wf_ctid_t)k;
    return true;
  }
  wf_ctid_t t;
  if (!wf_cscope_get(cx, cx->scope, WF_SORT_TYPE, (uint32_t)v, &t, off)) return false;
  if (!WF_CT_IS_VALTYPE(cx->ts->v[t].kind))
    return wf_cerr(cx, off, "type index %u is not a defined type", (uint32_t)v);
  *out = t;
  return true;
}

static bool opt_valtype(wf_cctx_t *cx, wf_creader_t *r, wf_ctid_t *out, const char *what) {
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  if (b == 0) { *out = WF_CTID_NONE; return true; }
  if (b != 1) return wf_cr_malformed(r, what, b);
  return wf_cvaltype(cx, r, out);
}

/* A label list entry: checks kebab case and uniqueness among fields[0..i). */
static bool label_at(wf_cctx_t *cx, wf_creader_t *r, wf_cfield_t *fields, uint32_t i, const char *what,
                     const char *prev, wf_cnameset_t *set) {
  size_t off = wf_cr_off(r);
  if (!wf_cr_name(r, &fields[i].name, &fields[i].name_len)) return false;
  const char *s = fields[i].name;
  uint32_t n = fields[i].name_len;
  if (n == 0) return wf_cerr(cx, off, "%s cannot be empty", what);
  if (!wf_cname_label(s, n)) return wf_cerr(cx, off, "%s `%.*s` is not in kebab case", what, WF_NLEN(n), s);
  bool oom;
  uint32_t j = wf_cnameset_add(cx->arena, set, s, n, NULL, 0, i, &oom);
  if (oom) return wf_cerr(cx, off, "out of memory");
  if (j != UINT32_MAX)
    return wf_cerr(cx, off, "%s `%.*s` conflicts with previous %s `%.*s`", what, WF_NLEN(n), s, prev,
                   WF_NLEN(fields[j].name_len), fields[j].name);
  return true;
}

static bool fields_vec(wf_cctx_t *cx, wf_creader_t *r, wf_ctype_t **tp, wf_ctid_t id, uint32_t min_item) {
  uint32_t n;
  if (!wf_cr_count(r, &n, min_item)) return false;
  wf_cfield_t *f = n ? wf_carena_alloc(cx->arena, (size_t)n * sizeof(wf_cfield_t)) : NULL;
  if (n && !f) return wf_cerr(cx, wf_cr_off(r), "out of memory");
  *tp = &cx->ts->v[id];
  (*tp)->n = n;
  (*tp)->fields = f;
  return true;
}

static bool defvaltype(wf_cctx_t *cx, wf_creader_t *r, uint8_t code, wf_ctid_t *out, size_t off) {
  wf_ctid_t id;
  wf_ctype_t *t;
  wf_cnameset_t names = {.canonical = true};
  switch (code) {
  case 0x72: { /* record */
    if (!(id = new_type(cx, WF_CT_RECORD, off)) || !fields_vec(cx, r, &t, id, 2)) return false;
    if (t->n == 0) return wf_cerr(cx, off, "record type must have at least one field");
    for (uint32_t i = 0; i < t->n; i++) {
      wf_ctid_t ft;
      if (!label_at(cx, r, t->fields, i, "record field name", "field name", &names) || !wf_cvaltype(cx, r, &ft)) return false;
      t->fields[i].type = ft;
    }
    break;
  }
  case 0x71: { /* variant */
    if (!(id = new_type(cx, WF_CT_VARIANT, off)) || !fields_vec(cx, r, &t, id, 3)) return false;
    if (t->n == 0) return wf_cerr(cx, off, "variant type must have at least one case");
    for (uint32_t i = 0; i < t->n; i++) {
      wf_ctid_t ct;
      uint8_t z;
      if (!label_at(cx, r, t->fields, i, "variant case name", "case name", &names) ||
          !opt_valtype(cx, r, &ct, "optional variant case type") || !wf_cr_byte(r, &z))
        return false;
      if (z != 0) return wf_cr_malformed(r, "zero byte required", z);
      t->fields[i].type = ct;
    }
    break;
  }
  case 0x70: case 0x6b: { /* list, option */
    wf_ctid_t et;
    if (!wf_cvaltype(cx, r, &et) || !(id = new_type(cx, code == 0x70 ? WF_CT_LIST : WF_CT_OPTION, off))) return false;
    cx->ts->v[id].t1 = et;
    break;
  }
  case 0x6f: { /* tuple */
    if (!(id = new_type(cx, WF_CT_TUPLE, off)) || !fields_vec(cx, r, &t, id, 1)) return false;
    if (t->n == 0) return wf_cerr(cx, off, "tuple type must have at least one type");
    for (uint32_t i = 0; i < t->n; i++) {
      wf_ctid_t et;
      if (!wf_cvaltype(cx, r, &et)) return false;
      t->fields[i].type = et;
    }
    break;
  }
  case 0x6e: case 0x6d: { /* flags, enum */
    bool flags = code == 0x6e;
    if (!(id = new_type(cx, flags ? WF_CT_FLAGS : WF_CT_ENUM, off)) || !fields_vec(cx, r, &t, id, 1)) return false;
    if (t->n == 0) return wf_cerr(cx, off, flags ? "flags must have at least one entry" : "enum type must have at least one variant");
    if (flags && t->n > 32) return wf_cerr(cx, off, "cannot have more than 32 flags");
    for (uint32_t i = 0; i < t->n; i++)
      if (!label_at(cx, r, t->fields, i, flags ? "flag name" : "enum tag name", flags ? "flag name" : "tag name", &names))
        return false;
    break;
  }
  case 0x6a: { /* result */
    wf_ctid_t ok, er;
    if (!opt_valtype(cx, r, &ok, "optional result type") || !opt_valtype(cx, r, &er, "optional result type")) return false;
    if (!(id = new_type(cx, WF_CT_RESULT, off))) return false;
    cx->ts->v[id].t1 = ok;
    cx->ts->v[id].t2 = er;
    break;
  }
  case 0x69: case 0x68: { /* own, borrow */
    uint32_t idx;
    wf_ctid_t rt;
    size_t ioff = wf_cr_off(r);
    if (!wf_cr_u32(r, &idx) || !wf_cscope_get(cx, cx->scope, WF_SORT_TYPE, idx, &rt, ioff)) return false;
    if (cx->ts->v[rt].kind != WF_CT_RESOURCE) return wf_cerr(cx, ioff, "type index %u is not a resource type", idx);
    if (!(id = new_type(cx, code == 0x69 ? WF_CT_OWN : WF_CT_BORROW, off))) return false;
    cx->ts->v[id].t1 = rt;
    break;
  }
  case 0x67: { /* fixed-length list */
    wf_ctid_t et;
    uint32_t len;
    if (!wf_cvaltype(cx, r, &et) || !wf_cr_u32(r, &len)) return false;
    if (len == 0) return wf_cerr(cx, off, "fixed-length list must have a length greater than 0");
    if (!(id = new_type(cx, WF_CT_FIXED_LIST, off))) return false;
    cx->ts->v[id].t1 = et;
    cx->ts->v[id].len = len;
    break;
  }
  case 0x63: { /* map */
    wf_ctid_t k, v;
    size_t koff = wf_cr_off(r);
    if (!wf_cvaltype(cx, r, &k) || !wf_cvaltype(cx, r, &v)) return false;
    uint8_t kk = cx->ts->v[k].kind;
    if (!(kk >= WF_CT_BOOL && kk <= WF_CT_STRING && kk != WF_CT_F32 && kk != WF_CT_F64))
      return wf_cerr(cx, koff, "map key must be a bool, integer, char or string type");
    if (!(id = new_type(cx, WF_CT_MAP, off))) return false;
    cx->ts->v[id].t1 = k;
    cx->ts->v[id].t2 = v;
    break;
  }
  case 0x66: case 0x65: { /* stream, future */
    wf_ctid_t et;
    if (!opt_valtype(cx, r, &et, code == 0x66 ? "stream type" : "future type")) return false;
    if (et && wf_ctype_has_borrow(cx->ts, et, 0))
      return wf_cerr(cx, off, "%s element type cannot contain a `borrow`", code == 0x66 ? "stream" : "future");
    if (code == 0x66 && et == WF_CT_CHAR) return wf_cerr(cx, off, "`stream<char>` is not valid at this time");
    if (!(id = new_type(cx, code == 0x66 ? WF_CT_STREAM : WF_CT_FUTURE, off))) return false;
    cx->ts->v[id].t1 = et;
    break;
  }
  case 0x64: *out = WF_CT_ERROR_CONTEXT; return true;
  default: return wf_cr_malformed(r, "component defined type", code);
  }
  if (!finish(cx, id, off)) return false;
  if (wf_ctype_elem_size(cx->ts, id) >= (1ull << 28))
    return wf_cerr(cx, off, "value type exceeds maximum byte size");
  *out = id;
  return true;
}

static bool functype(wf_cctx_t *cx, wf_creader_t *r, wf_ctid_t *out, size_t off) {
  wf_ctid_t id;
  wf_ctype_t *t;
  wf_cnameset_t names = {.canonical = true};
  if (!(id = new_type(cx, WF_CT_FUNC, off)) || !fields_vec(cx, r, &t, id, 2)) return false;
  for (uint32_t i = 0; i < t->n; i++) {
    wf_ctid_t pt;
    if (!label_at(cx, r, t->fields, i, "function parameter name", "parameter name", &names) || !wf_cvaltype(cx, r, &pt))
      return false;
    t->fields[i].type = pt;
  }
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  if (b == 0x00) {
    wf_ctid_t rt;
    size_t roff = wf_cr_off(r);
    if (!wf_cvaltype(cx, r, &rt)) return false;
    if (wf_ctype_has_borrow(cx->ts, rt, 0)) return wf_cerr(cx, roff, "function result cannot contain a `borrow` type");
    cx->ts->v[id].t1 = rt;
  } else if (b == 0x01) {
    uint8_t z;
    if (!wf_cr_byte(r, &z)) return false;
    if (z != 0) return wf_cr_malformed(r, "number of results", z);
  } else {
    return wf_cr_malformed(r, "component function results", b);
  }
  if (!finish(cx, id, off)) return false;
  *out = id;
  return true;
}

/* ---- Scopes -------------------------------------------------------------- */

wf_cscope_t *wf_cscope_enter(wf_cctx_t *cx, uint8_t kind, size_t off) {
  if (cx->depth >= WF_CMAX_DEPTH) { wf_cerr(cx, off, "nesting too deep"); return NULL; }
  wf_cscope_t *s = wf_carena_alloc(cx->arena, sizeof(wf_cscope_t));
  if (!s) { wf_cerr(cx, off, "out of memory"); return NULL; }
  s->parent = cx->scope;
  s->kind = kind;
  s->rid_lo = cx->ts->next_rid;
  cx->scope = s;
  cx->depth++;
  return s;
}

void wf_cscope_leave(wf_cctx_t *cx) {
  cx->scope = cx->scope->parent;
  cx->depth--;
}

/* Fill a COMPONENT/INSTANCE node from the scope being left. */
bool wf_cscope_to_type(wf_cctx_t *cx, wf_cscope_t *s, wf_ctid_t id, size_t off) {
  wf_ctype_t *t = &cx->ts->v[id];
  t->nimports = s->imports.n;
  t->imports = s->imports.v;
  t->nexports = s->exports.n;
  t->exports = s->exports.v;
  t->rid_lo = s->rid_lo;
  t->rid_hi = cx->ts->next_rid;
  t->nimported_rids = s->imported_rids.n;
  t->imported_rids = s->imported_rids.v;
  return finish(cx, id, off);
}

static bool decls(wf_cctx_t *cx, wf_creader_t *r, bool component, wf_ctid_t *out, size_t off) {
  wf_cscope_t *s = wf_cscope_enter(cx, component ? WF_SCOPE_COMPONENT_TYPE : WF_SCOPE_INSTANCE_TYPE, off);
  if (!s) return false;
  uint32_t n;
  if (!wf_cr_count(r, &n, 2)) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t doff = wf_cr_off(r);
    uint8_t b;
    if (!wf_cr_byte(r, &b)) return false;
    switch (b) {
    case 0x00: {
      wf_ctid_t t;
      if (!wf_cdecode_core_type(cx, r, false, &t) || !wf_cscope_push(cx, WF_SORT_CORE_TYPE, t)) return false;
      break;
    }
    case 0x01: {
      wf_ctid_t t;
      if (!wf_cdecode_type(cx, r, &t) || !wf_cscope_push(cx, WF_SORT_TYPE, t)) return false;
      break;
    }
    case 0x02: {
      wf_cdef_t d;
      if (!wf_cdecode_alias(cx, r, &d)) return false;
      break;
    }
    case 0x03: case 0x04: {
      if (b == 0x03 && !component) return wf_cr_malformed(r, "component or instance type declaration", b);
      wf_cextern_t e;
      if (!wf_cdecode_externtype(cx, r, &e, b == 0x03)) return false;
      if (!wf_cscope_add_extern(cx, b == 0x03, &e, doff)) return false;
      break;
    }
    default:
      return wf_cr_malformed(r, "component or instance type declaration", b);
    }
  }
  wf_cscope_leave(cx);
  wf_ctid_t id = new_type(cx, component ? WF_CT_COMPONENT : WF_CT_INSTANCE, off);
  if (!id || !wf_cscope_to_type(cx, s, id, off)) return false;
  *out = id;
  return true;
}

bool wf_cdecode_type(wf_cctx_t *cx, wf_creader_t *r, wf_ctid_t *out) {
  size_t off = wf_cr_off(r);
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  switch (b) {
  case 0x40: return functype(cx, r, out, off);
  case 0x43:
    if (!functype(cx, r, out, off)) return false;
    cx->ts->v[*out].is_async = true;
    return true;
  case 0x41: return decls(cx, r, true, out, off);
  case 0x42: return decls(cx, r, false, out, off);
  case 0x3f: {
    if (cx->scope->kind != WF_SCOPE_COMPONENT)
      return wf_cerr(cx, off, "resources can only be defined within a concrete component");
    uint8_t rep;
    if (!wf_cr_byte(r, &rep)) return false;
    if (rep != WF_T_I32) return wf_cerr(cx, off, "resources can only be represented by `i32`");
    uint8_t has;
    uint32_t dtor = 0;
    if (!wf_cr_byte(r, &has)) return false;
    if (has > 1) return wf_cr_malformed(r, "resource destructor", has);
    if (has) {
      size_t foff = wf_cr_off(r);
      wf_ctid_t ft;
      if (!wf_cr_u32(r, &dtor) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_FUNC, dtor, &ft, foff)) return false;
      const wf_functype_t *f = &cx->ts->v[ft].core;
      if (f->nparams != 1 || f->params[0] != WF_T_I32 || f->nresults != 0)
        return wf_cerr(cx, foff, "wrong signature for a destructor");
    }
    wf_ctid_t id = wf_cfresh_resource(cx);
    if (!id) return wf_cerr(cx, off, "too many types");
    wf_ctype_t *t = &cx->ts->v[id];
    t->rep = rep;
    t->has_dtor = has;
    t->dtor = dtor;
    wf_u32vec_t *lr = &cx->scope->local_rids;
    if (!WF_VEC_PUSH(cx->arena, lr->v, lr->n, lr->cap, t->rid)) return wf_cerr(cx, off, "out of memory");
    *out = id;
    return true;
  }
  default:
    if (b >= 0x73 && b <= 0x7f) { *out = (wf_ctid_t)prim_of_byte((int64_t)b - 0x80); return true; }
    return defvaltype(cx, r, b, out, off);
  }
}

/* ---- Extern types ----------------------------------------------------------- */

static bool type_of_kind(wf_cctx_t *cx, wf_creader_t *r, unsigned sort, uint8_t kind, const char *what,
                         wf_ctid_t *out) {
  size_t off = wf_cr_off(r);
  uint32_t idx;
  if (!wf_cr_u32(r, &idx) || !wf_cscope_get(cx, cx->scope, sort, idx, out, off)) return false;
  if (cx->ts->v[*out].kind != kind)
    return wf_cerr(cx, off, "%stype index %u is not %s", sort == WF_SORT_CORE_TYPE ? "core " : "", idx, what);
  return true;
}

bool wf_cdecode_nameattrs(wf_cctx_t *cx, wf_creader_t *r, wf_cextern_t *e) {
  size_t noff = wf_cr_off(r);
  uint8_t nb;
  if (!wf_cr_byte(r, &nb)) return false;
  if (nb > 0x02) return wf_cr_malformed(r, "component name", nb);
  if (!wf_cr_name(r, &e->name, &e->name_len)) return false;
  e->attrs = 0;
  if (nb == 0x02) {
    uint32_t na;
    if (!wf_cr_count(r, &na, 1)) return false;
    for (uint32_t i = 0; i < na; i++) {
      uint8_t ak;
      const char *s;
      uint32_t sl;
      if (!wf_cr_byte(r, &ak)) return false;
      if (ak > 0x02) return wf_cr_malformed(r, "name option", ak);
      size_t aoff = wf_cr_off(r);
      if (!wf_cr_name(r, &s, &sl)) return false;
      if (e->attrs & (1u << ak)) {
        static const char *const an[3] = {"implements", "versionsuffix", "external-id"};
        return wf_cerr(cx, noff, "duplicate '%s' option in name", an[ak]);
      }
      e->attrs |= (uint8_t)(1u << ak);
      if (ak == 0) {
        wf_cname_info_t ni;
        wf_error_t tmp = {0};
        if (!wf_cname_extern(s, sl, &ni, &tmp, aoff))
          return wf_cerr(cx, aoff, "`%.*s` is not a valid name for `implements`: %s", WF_NLEN(sl), s, tmp.msg);
        if (ni.kind != 4) return wf_cerr(cx, aoff, "`%.*s` must be an interface name", WF_NLEN(sl), s);
      }
      if (ak == 1 && !wf_cname_versionsuffix(e->name, e->name_len, s, sl, cx->err, aoff)) return false;
    }
  }
  return true;
}

bool wf_cdecode_externtype(wf_cctx_t *cx, wf_creader_t *r, wf_cextern_t *e, bool is_import) {
  (void)is_import;
  memset(e, 0, sizeof(*e));
  if (!wf_cdecode_nameattrs(cx, r, e)) return false;
  wf_cextern_t n = *e;
  bool fresh;
  if (!wf_cdecode_externdesc(cx, r, e, &fresh)) return false;
  e->name = n.name;
  e->name_len = n.name_len;
  e->attrs = n.attrs;
  return true;
}

bool wf_cdecode_externdesc(wf_cctx_t *cx, wf_creader_t *r, wf_cextern_t *e, bool *fresh) {
  memset(e, 0, sizeof(*e));
  *fresh = false;
  uint8_t k;
  if (!wf_cr_byte(r, &k)) return false;
  switch (k) {
  case 0x00: {
    uint8_t b;
    if (!wf_cr_byte(r, &b)) return false;
    if (b != 0x11) return wf_cr_malformed(r, "component external kind", b);
    e->sort = WF_SORT_CORE_MODULE;
    return type_of_kind(cx, r, WF_SORT_CORE_TYPE, WF_CT_CORE_MODULE, "a module type", &e->type);
  }
  case 0x01:
    e->sort = WF_SORT_FUNC;
    return type_of_kind(cx, r, WF_SORT_TYPE, WF_CT_FUNC, "a function type", &e->type);
  case 0x02:
    return wf_cerr(cx, wf_cr_off(r), "value imports and exports are not supported");
  case 0x03: {
    uint8_t b;
    if (!wf_cr_byte(r, &b)) return false;
    e->sort = WF_SORT_TYPE;
    if (b == 0x00) {
      size_t off = wf_cr_off(r);
      uint32_t idx;
      if (!wf_cr_u32(r, &idx) || !wf_cscope_get(cx, cx->scope, WF_SORT_TYPE, idx, &e->type, off)) return false;
      return true;
    }
    if (b == 0x01) {
      *fresh = true;
      e->type = wf_cfresh_resource(cx);
      if (!e->type) return wf_cerr(cx, wf_cr_off(r), "too many types");
      return true;
    }
    return wf_cr_malformed(r, "type bound", b);
  }
  case 0x04:
    e->sort = WF_SORT_COMPONENT;
    return type_of_kind(cx, r, WF_SORT_TYPE, WF_CT_COMPONENT, "a component type", &e->type);
  case 0x05:
    e->sort = WF_SORT_INSTANCE;
    return type_of_kind(cx, r, WF_SORT_TYPE, WF_CT_INSTANCE, "an instance type", &e->type);
  default:
    return wf_cr_malformed(r, "component external kind", k);
  }
}

/* ---- Visibility of types in imports/exports --------------------------------- */

static uint32_t nm_hash(uint32_t k) { return (k * 2654435761u) >> 7; }

static uint8_t nm_get(const wf_cscope_t *s, wf_ctid_t id) {
  if (!s->nm_cap) return 0;
  for (uint32_t i = nm_hash(id) & (s->nm_cap - 1);; i = (i + 1) & (s->nm_cap - 1)) {
    if (s->nm_keys[i] == id) return s->nm_vals[i];
    if (s->nm_keys[i] == 0) return 0;
  }
}

static bool nm_put(wf_cctx_t *cx, wf_cscope_t *s, wf_ctid_t id, uint8_t bit) {
  if (WF_CT_IS_PRIM(cx->ts->v[id].kind)) return true;
  if ((s->nm_n + 1) * 2 > s->nm_cap) {
    uint32_t nc = s->nm_cap ? s->nm_cap * 2 : 64;
    uint32_t *k = wf_carena_alloc(cx->arena, (size_t)nc * sizeof(uint32_t));
    uint8_t *v = wf_carena_alloc(cx->arena, nc);
    if (!k || !v) return wf_cerr(cx, 0, "out of memory");
    for (uint32_t i = 0; i < s->nm_cap; i++) {
      if (!s->nm_keys[i]) continue;
      uint32_t j = nm_hash(s->nm_keys[i]) & (nc - 1);
      while (k[j]) j = (j + 1) & (nc - 1);
      k[j] = s->nm_keys[i];
      v[j] = s->nm_vals[i];
    }
    s->nm_keys = k; s->nm_vals = v; s->nm_cap = nc;
  }
  uint32_t i = nm_hash(id) & (s->nm_cap - 1);
  while (s->nm_keys[i] && s->nm_keys[i] != id) i = (i + 1) & (s->nm_cap - 1);
  if (!s->nm_keys[i]) { s->nm_keys[i] = id; s->nm_n++; }
  s->nm_vals[i] |= bit;
  return true;
}

/* Name the type-sort exports of an instance type (recursively through
 * instance-typed exports). */
static bool name_instance_types(wf_cctx_t *cx, wf_cscope_t *s, wf_ctid_t it, uint8_t bit, uint32_t depth) {
  const wf_ctype_t *t = &cx->ts->v[it];
  if (depth > WF_CMAX_TYPE_DEPTH) return true;
  for (uint32_t i = 0; i < t->nexports; i++) {
    const wf_cextern_t *e = &t->exports[i];
    if (cx->ts->limit_work && ++cx->ts->work > WF_CMAX_WORK) return wf_cerr(cx, 0, "component too complex to validate (work limit)");
    if (e->sort == WF_SORT_TYPE && !nm_put(cx, s, e->type, bit)) return false;
    if (e->sort == WF_SORT_INSTANCE && !name_instance_types(cx, s, e->type, bit, depth + 1)) return false;
  }
  return true;
}

typedef struct vis_local {
  const struct vis_local *up;
  wf_u32map_t bases;   /* base node (see locally_named) of each type export */
} vis_local_t;

static wf_ctid_t base_of(const wf_ctypes_t *ts, wf_ctid_t id) { return ts->v[id].orig ? ts->v[id].orig : id; }

/* Within an instance type, any type index for the same definition as one of
 * its type exports counts as named (instantiation makes several copies). */
static bool locally_named(const wf_ctypes_t *ts, const vis_local_t *l, wf_ctid_t id) {
  uint32_t v;
  for (; l; l = l->up)
    if (wf_u32map_get(&l->bases, base_of(ts, id), &v)) return true;
  return false;
}

/* Every resource / record / variant / enum / flags reached from t (t itself
 * excluded when top) must have a name in this scope (by an import, when
 * checking an import) or in an enclosing instance type being checked. */
static bool visible(wf_cctx_t *cx, const wf_cscope_t *s, wf_ctid_t id, bool top, bool import,
                    const vis_local_t *loc, uint32_t depth) {
  const wf_ctype_t *t = &cx->ts->v[id];
  if (depth > WF_CMAX_TYPE_DEPTH + 2) return true;
  if (cx->ts->limit_work && ++cx->ts->work > WF_CMAX_WORK) return false;
  if (!top) {
    switch (t->kind) {
    case WF_CT_RESOURCE: case WF_CT_RECORD: case WF_CT_VARIANT: case WF_CT_ENUM: case WF_CT_FLAGS: {
      uint8_t v = nm_get(s, id);
      if (import ? (v & 1) : v) return true;
      if (locally_named(cx->ts, loc, id)) break; /* named in the instance type: check inside */
      return false;
    }
    case WF_CT_COMPONENT: return true; /* validated eagerly */
    default: break;
    }
  }
  if (t->kind == WF_CT_COMPONENT && !top) return true;
  if (t->kind == WF_CT_COMPONENT) return true;
  if (t->kind == WF_CT_INSTANCE) {
    vis_local_t l = {loc, {0}};
    for (uint32_t i = 0; i < t->nexports; i++)
      if (t->exports[i].sort == WF_SORT_TYPE && !wf_u32map_put(cx->arena, &l.bases, base_of(cx->ts, t->exports[i].type), 1))
        return false;
    for (uint32_t i = 0; i < t->nexports; i++) {
      const wf_cextern_t *e = &t->exports[i];
      if (!visible(cx, s, e->type, e->sort == WF_SORT_TYPE, import, &l, depth + 1)) return false;
    }
    return true;
  }
  for (uint32_t i = 0; i < t->n; i++)
    if (t->fields[i].type && !visible(cx, s, t->fields[i].type, false, import, loc, depth + 1)) return false;
  if (t->t1 && !visible(cx, s, t->t1, false, import, loc, depth + 1)) return false;
  if (t->t2 && !visible(cx, s, t->t2, false, import, loc, depth + 1)) return false;
  return true;
}

static const char *sort_word(unsigned sort) {
  switch (sort) {
  case WF_SORT_FUNC: return "func";
  case WF_SORT_TYPE: return "type";
  case WF_SORT_INSTANCE: return "instance";
  case WF_SORT_COMPONENT: return "component";
  case WF_SORT_CORE_MODULE: return "module";
  default: return wf_sort_name(sort);
  }
}

/* Resource named `label` among this scope's imports/exports (by plain name). */
static bool label_is(const wf_cextern_t *e, const wf_cname_info_t *ni) {
  return e->name_len == ni->res_len && memcmp(e->name, ni->res, ni->res_len) == 0;
}

static bool named_resource(wf_cctx_t *cx, const wf_cextern_t *v, const wf_u32map_t *res, wf_ctid_t node,
                           const wf_cname_info_t *ni, size_t off) {
  uint32_t i1;
  if (!wf_u32map_get(res, node, &i1))
    return wf_cerr(cx, off, "resource used in function does not have a name in this context");
  const wf_cextern_t *n = &v[i1 - 1];
  if (!label_is(n, ni))
    return wf_cerr(cx, off, "function does not match expected resource name `%.*s`", WF_NLEN(n->name_len), n->name);
  return true;
}

/* [constructor]/[method]/[static] names: a func whose resource label names a
 * resource among `v` (the same scope's imports, or exports). */
bool wf_ccheck_annotated(wf_cctx_t *cx, const wf_cextern_t *e, const wf_cextern_t *v, uint32_t nv,
                         const wf_cnameset_t *names, const wf_u32map_t *res, size_t off) {
  wf_cname_info_t ni0, *ni = &ni0;
  wf_error_t tmp = {0};
  if (!wf_cname_extern(e->name, e->name_len, ni, &tmp, off)) return true; /* reported elsewhere */
  if (ni->kind < 1 || ni->kind > 3) return true;
  if (e->sort != WF_SORT_FUNC) return wf_cerr(cx, off, "name `%.*s` is not a func", WF_NLEN(e->name_len), e->name);
  const wf_ctype_t *ft = &cx->ts->v[e->type];
  if (ni->kind == 1) {
    if (!ft->t1) return wf_cerr(cx, off, "function should return one value");
    const wf_ctype_t *rt = &cx->ts->v[ft->t1];
    wf_ctid_t inner = ft->t1;
    if (rt->kind == WF_CT_RESULT) {
      if (!rt->t1) return wf_cerr(cx, off, "function should return `(own $T)` or `(result (own $T))`");
      inner = rt->t1;
    }
    if (cx->ts->v[inner].kind != WF_CT_OWN)
      return wf_cerr(cx, off, "function should return `(own $T)` or `(result (own $T))`");
    return named_resource(cx, v, res, cx->ts->v[inner].t1, ni, off);
  }
  if (ni->kind == 2) {
    if (ft->n == 0) return wf_cerr(cx, off, "function should have at least one argument");
    if (ft->fields[0].name_len != 4 || memcmp(ft->fields[0].name, "self", 4) != 0)
      return wf_cerr(cx, off, "function should have a first argument called `self`");
    const wf_ctype_t *pt = &cx->ts->v[ft->fields[0].type];
    if (pt->kind != WF_CT_BORROW) return wf_cerr(cx, off, "function should take a first argument of `(borrow $T)`");
    return named_resource(cx, v, res, pt->t1, ni, off);
  }
  uint32_t i = wf_cnameset_find(cx->arena, names, ni->res, ni->res_len, NULL, 0);
  if (i < nv && v[i].sort == WF_SORT_TYPE && label_is(&v[i], ni) && cx->ts->v[v[i].type].kind == WF_CT_RESOURCE)
    return true;
  return wf_cerr(cx, off, "static resource name is not known in this context");
}

/* Import/export: name checks, uniqueness, visibility; records the extern in
 * the scope and pushes the new index-space entry. For TYPE externs e->type
 * becomes the named copy that the new index denotes. */
bool wf_cscope_add_extern(wf_cctx_t *cx, bool is_import, wf_cextern_t *e, size_t off) {
  wf_cscope_t *s = cx->scope;
  wf_cname_info_t ni;
  if (!wf_cname_extern(e->name, e->name_len, &ni, cx->err, off)) return false;
  if (e->sort != WF_SORT_CORE_MODULE && e->sort != WF_SORT_FUNC && e->sort != WF_SORT_TYPE &&
      e->sort != WF_SORT_COMPONENT && e->sort != WF_SORT_INSTANCE)
    return wf_cerr(cx, off, "%s not valid to be used as %s", sort_word(e->sort), is_import ? "import" : "export");
  if (e->attrs & 1) {
    if (e->sort != WF_SORT_INSTANCE) return wf_cerr(cx, off, "only instances can have an `implements`");
    if (ni.kind != 0)
      return wf_cerr(cx, off, "name `%.*s` is not valid with `implements`", WF_NLEN(e->name_len), e->name);
  }
  wf_externvec_t *v = is_import ? &s->imports : &s->exports;
  wf_cnameset_t *set = is_import ? &s->import_names : &s->export_names;
  set->canonical = true;
  bool oom;
  uint32_t prev = wf_cnameset_add(cx->arena, set, e->name, e->name_len, NULL, 0, v->n, &oom);
  if (oom) return wf_cerr(cx, off, "out of memory");
  if (prev != UINT32_MAX)
    return wf_cerr(cx, off, "%s name `%.*s` conflicts with previous name `%.*s`", is_import ? "import" : "export",
                   WF_NLEN(e->name_len), e->name, WF_NLEN(v->v[prev].name_len), v->v[prev].name);
  if (s->kind != WF_SCOPE_INSTANCE_TYPE && !visible(cx, s, e->type, true, is_import, NULL, 0))
    return wf_cerr(cx, off, "%s not valid to be used as %s", sort_word(e->sort), is_import ? "import" : "export");
  if (!wf_ccheck_annotated(cx, e, v->v, v->n, set, is_import ? &s->import_res : &s->export_res, off)) return false;
  wf_ctid_t t = e->type;
  if (e->sort == WF_SORT_TYPE) {
    t = wf_ctype_named_copy(cx->ts, t);
    if (!t) return wf_cerr(cx, off, "too many types");
    if (!WF_CT_IS_PRIM(cx->ts->v[t].kind)) cx->ts->v[t].named = 1;
    if (!nm_put(cx, s, t, is_import ? 1 : 2)) return false;
    e->type = t;
    if (is_import && cx->ts->v[t].kind == WF_CT_RESOURCE && cx->ts->v[t].rid >= s->rid_lo) {
      wf_u32vec_t *ir = &s->imported_rids;
      if (!WF_VEC_PUSH(cx->arena, ir->v, ir->n, ir->cap, cx->ts->v[t].rid)) return wf_cerr(cx, off, "out of memory");
    }
  } else if (e->sort == WF_SORT_INSTANCE && (is_import || s->kind != WF_SCOPE_COMPONENT)) {
    /* each imported instance gets its own copies of the resources its type defines */
    const wf_ctype_t *it = &cx->ts->v[t];
    if (it->rid_hi > it->rid_lo) {
      wf_ridmap_t m = {.arena = cx->arena};
      uint32_t lo = it->rid_lo, hi = it->rid_hi;
      for (uint32_t rid = lo; rid < hi; rid++) {
        wf_ctid_t fr = wf_cfresh_resource(cx);
        if (!fr || !wf_ridmap_put(&m, rid, fr)) return wf_cerr(cx, off, "too many types");
        wf_u32vec_t *ir = &s->imported_rids;
        if (is_import && !WF_VEC_PUSH(cx->arena, ir->v, ir->n, ir->cap, cx->ts->v[fr].rid))
          return wf_cerr(cx, off, "out of memory");
      }
      t = wf_ctype_subst(cx->ts, t, &m, 0);
      e->type = t;
    }
  }
  if (e->sort == WF_SORT_INSTANCE && !name_instance_types(cx, s, t, is_import ? 1 : 2, 0)) return false;
  if (!WF_VEC_PUSH(cx->arena, v->v, v->n, v->cap, *e)) return wf_cerr(cx, off, "out of memory");
  if (e->sort == WF_SORT_TYPE && cx->ts->v[t].kind == WF_CT_RESOURCE &&
      !wf_u32map_put(cx->arena, is_import ? &s->import_res : &s->export_res, t, v->n))
    return wf_cerr(cx, off, "out of memory");
  return wf_cscope_push(cx, e->sort, t);
}
