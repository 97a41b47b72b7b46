/* The C layouts of WIT types for host bundles (docs/host-bundles.md, "Type
 * mapping"): sizes, alignments and offsets as a C compiler lays out the
 * structs bindgen.c prints, the by-value/by-pointer rule for parameters, the
 * return convention, and symbol names. Shared by the bridge and bindgen so
 * the two cannot disagree. */
#include <stdio.h>
#include <string.h>

#include "host.h"

static uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

wf_wit_tref wf_hl_resolve(const wf_wit_t *w, wf_wit_tref t) {
  for (uint32_t guard = 0; t >= 0 && (uint32_t)t < w->ntypes && guard < 1000; guard++) {
    const wf_wit_type_t *ty = &w->types[t];
    if (ty->kind != WF_WIT_TYPE_ALIAS) break;
    t = ty->a;
  }
  return t;
}

uint32_t wf_hl_tag_size(uint32_t n) { return n <= 256 ? 1 : n <= 65536 ? 2 : 4; }

uint32_t wf_hl_flags_size(uint32_t n) {
  if (n <= 8) return 1;
  if (n <= 16) return 2;
  if (n <= 32) return 4;
  return 4 * ((n + 31) / 32);
}

static const char *kind_word(uint8_t k) {
  switch (k) {
  case WF_WIT_TYPE_FIXED_LIST: return "fixed-size list";
  case WF_WIT_TYPE_MAP: return "map";
  case WF_WIT_TYPE_STREAM: return "stream";
  case WF_WIT_TYPE_FUTURE: return "future";
  default: return "type";
  }
}

static bool check_rec(const wf_wit_t *w, wf_wit_tref t, const char *where, uint32_t depth, wf_error_t *err) {
  if (depth > WF_HL_MAX_DEPTH)
    return wf_error_set(err, "%s: type nesting deeper than %u", where, WF_HL_MAX_DEPTH);
  t = wf_hl_resolve(w, t);
  if (t == WF_WIT_NONE) return true;
  if (WF_WIT_IS_PRIM(t)) {
    if (WF_WIT_REF_PRIM(t) == WF_WIT_ERROR_CONTEXT)
      return wf_error_set(err, "%s: error-context is not supported by host bundles", where);
    return true;
  }
  if ((uint32_t)t >= w->ntypes) return wf_error_set(err, "%s: bad type reference", where);
  const wf_wit_type_t *ty = &w->types[t];
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_VARIANT: case WF_WIT_TYPE_TUPLE:
    for (uint32_t i = 0; i < ty->nfields; i++)
      if (!check_rec(w, ty->fields[i].type, where, depth + 1, err)) return false;
    return true;
  case WF_WIT_TYPE_ENUM: return true;
  case WF_WIT_TYPE_FLAGS:
    if (ty->nfields > 32)
      return wf_error_set(err, "%s: flags with more than 32 members are not supported", where);
    return true;
  case WF_WIT_TYPE_LIST: case WF_WIT_TYPE_OPTION:
    return check_rec(w, ty->a, where, depth + 1, err);
  case WF_WIT_TYPE_RESULT:
    return check_rec(w, ty->a, where, depth + 1, err) && check_rec(w, ty->b, where, depth + 1, err);
  case WF_WIT_TYPE_OWN: case WF_WIT_TYPE_BORROW: {
    wf_wit_tref r = wf_hl_resolve(w, ty->a);
    if (r < 0 || (uint32_t)r >= w->ntypes || w->types[r].kind != WF_WIT_TYPE_RESOURCE)
      return wf_error_set(err, "%s: handle to something that is not a resource", where);
    return true;
  }
  case WF_WIT_TYPE_RESOURCE:
    return true;   /* a bare resource name in a function type means own<R> */
  default:
    return wf_error_set(err, "%s: %s types are not supported by host bundles", where, kind_word(ty->kind));
  }
}

bool wf_hl_check(const wf_wit_t *w, wf_wit_tref t, const char *where, wf_error_t *err) {
  return check_rec(w, t, where, 0, err);
}

static wf_hlay_t prim_layout(wf_wit_prim_t p) {
  switch (p) {
  case WF_WIT_BOOL: case WF_WIT_U8: case WF_WIT_S8: return (wf_hlay_t){1, 1};
  case WF_WIT_U16: case WF_WIT_S16: return (wf_hlay_t){2, 2};
  case WF_WIT_U32: case WF_WIT_S32: case WF_WIT_F32: case WF_WIT_CHAR: return (wf_hlay_t){4, 4};
  case WF_WIT_U64: case WF_WIT_S64: case WF_WIT_F64: return (wf_hlay_t){8, 8};
  case WF_WIT_STRING: return (wf_hlay_t){16, 8};
  default: return (wf_hlay_t){4, 4};
  }
}

/* A struct of the given members in order. */
static wf_hlay_t struct_of(const wf_hlay_t *m, uint32_t n) {
  uint32_t off = 0, al = 1;
  for (uint32_t i = 0; i < n; i++) {
    off = align_up(off, m[i].align) + m[i].size;
    if (m[i].align > al) al = m[i].align;
  }
  return (wf_hlay_t){align_up(off, al), al};
}

/* { tag; union of payloads } with the union at align_up(tag, max align). */
static wf_hlay_t tagged(uint32_t tag, uint32_t usize, uint32_t ualign) {
  uint32_t al = tag > ualign ? tag : ualign;
  uint32_t off = align_up(tag, ualign);
  return (wf_hlay_t){align_up(off + usize, al), al};
}

wf_hlay_t wf_hl_layout(const wf_wit_t *w, wf_wit_tref t) {
  t = wf_hl_resolve(w, t);
  if (t == WF_WIT_NONE) return (wf_hlay_t){0, 1};
  if (WF_WIT_IS_PRIM(t)) return prim_layout(WF_WIT_REF_PRIM(t));
  const wf_wit_type_t *ty = &w->types[t];
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_TUPLE: {
    uint32_t off = 0, al = 1;
    for (uint32_t i = 0; i < ty->nfields; i++) {
      wf_hlay_t m = wf_hl_layout(w, ty->fields[i].type);
      off = align_up(off, m.align) + m.size;
      if (m.align > al) al = m.align;
    }
    return (wf_hlay_t){align_up(off, al), al};
  }
  case WF_WIT_TYPE_VARIANT: {
    uint32_t us = 0, ua = 1;
    for (uint32_t i = 0; i < ty->nfields; i++) {
      wf_hlay_t m = wf_hl_layout(w, ty->fields[i].type);
      if (m.size > us) us = m.size;
      if (m.align > ua) ua = m.align;
    }
    return tagged(wf_hl_tag_size(ty->nfields), align_up(us, ua), ua);
  }
  case WF_WIT_TYPE_ENUM: { uint32_t s = wf_hl_tag_size(ty->nfields); return (wf_hlay_t){s, s}; }
  case WF_WIT_TYPE_FLAGS: {
    uint32_t s = wf_hl_flags_size(ty->nfields);
    return (wf_hlay_t){s, s > 4 ? 4 : s};
  }
  case WF_WIT_TYPE_LIST: return (wf_hlay_t){16, 8};
  case WF_WIT_TYPE_OPTION: {
    wf_hlay_t m[2] = {{1, 1}, wf_hl_layout(w, ty->a)};
    return struct_of(m, 2);
  }
  case WF_WIT_TYPE_RESULT: {
    wf_hlay_t a = wf_hl_layout(w, ty->a), b = wf_hl_layout(w, ty->b);
    uint32_t us = a.size > b.size ? a.size : b.size, ua = a.align > b.align ? a.align : b.align;
    return tagged(1, align_up(us, ua), ua);
  }
  case WF_WIT_TYPE_OWN: case WF_WIT_TYPE_BORROW: case WF_WIT_TYPE_RESOURCE:
    return (wf_hlay_t){sizeof(void *), sizeof(void *)};
  default:
    return (wf_hlay_t){0, 1};
  }
}

uint32_t wf_hl_field_offset(const wf_wit_t *w, wf_wit_tref t, uint32_t idx) {
  t = wf_hl_resolve(w, t);
  const wf_wit_type_t *ty = &w->types[t];
  uint32_t off = 0;
  for (uint32_t i = 0; i < ty->nfields; i++) {
    wf_hlay_t m = wf_hl_layout(w, ty->fields[i].type);
    off = align_up(off, m.align);
    if (i == idx) return off;
    off += m.size;
  }
  return off;
}

uint32_t wf_hl_payload_offset(const wf_wit_t *w, wf_wit_tref t) {
  t = wf_hl_resolve(w, t);
  const wf_wit_type_t *ty = &w->types[t];
  uint32_t tag = 1, ua = 1;
  switch (ty->kind) {
  case WF_WIT_TYPE_VARIANT:
    tag = wf_hl_tag_size(ty->nfields);
    for (uint32_t i = 0; i < ty->nfields; i++) {
      wf_hlay_t m = wf_hl_layout(w, ty->fields[i].type);
      if (m.align > ua) ua = m.align;
    }
    break;
  case WF_WIT_TYPE_OPTION: ua = wf_hl_layout(w, ty->a).align; break;
  case WF_WIT_TYPE_RESULT: {
    uint32_t a = wf_hl_layout(w, ty->a).align, b = wf_hl_layout(w, ty->b).align;
    ua = a > b ? a : b;
    break;
  }
  default: break;
  }
  return align_up(tag, ua);
}

bool wf_hl_is_scalar(const wf_wit_t *w, wf_wit_tref t) {
  t = wf_hl_resolve(w, t);
  if (t == WF_WIT_NONE) return false;
  if (WF_WIT_IS_PRIM(t)) return WF_WIT_REF_PRIM(t) != WF_WIT_STRING;
  const wf_wit_type_t *ty = &w->types[t];
  switch (ty->kind) {
  case WF_WIT_TYPE_ENUM: case WF_WIT_TYPE_OWN: case WF_WIT_TYPE_BORROW: case WF_WIT_TYPE_RESOURCE: return true;
  case WF_WIT_TYPE_FLAGS: return ty->nfields <= 32;
  default: return false;
  }
}

ffi_type *wf_hl_ffi_scalar(const wf_wit_t *w, wf_wit_tref t) {
  t = wf_hl_resolve(w, t);
  if (WF_WIT_IS_PRIM(t)) {
    switch (WF_WIT_REF_PRIM(t)) {
    case WF_WIT_BOOL: case WF_WIT_U8: return &ffi_type_uint8;
    case WF_WIT_S8: return &ffi_type_sint8;
    case WF_WIT_U16: return &ffi_type_uint16;
    case WF_WIT_S16: return &ffi_type_sint16;
    case WF_WIT_U32: case WF_WIT_CHAR: return &ffi_type_uint32;
    case WF_WIT_S32: return &ffi_type_sint32;
    case WF_WIT_U64: return &ffi_type_uint64;
    case WF_WIT_S64: return &ffi_type_sint64;
    case WF_WIT_F32: return &ffi_type_float;
    case WF_WIT_F64: return &ffi_type_double;
    default: return &ffi_type_pointer;
    }
  }
  const wf_wit_type_t *ty = &w->types[t];
  uint32_t s = ty->kind == WF_WIT_TYPE_ENUM ? wf_hl_tag_size(ty->nfields)
             : ty->kind == WF_WIT_TYPE_FLAGS ? wf_hl_flags_size(ty->nfields) : 0;
  switch (s) {
  case 1: return &ffi_type_uint8;
  case 2: return &ffi_type_uint16;
  case 4: return &ffi_type_uint32;
  default: return &ffi_type_pointer;
  }
}

void wf_hl_signature(const wf_wit_t *w, const wf_wit_func_t *f, wf_hsig_t *sig) {
  memset(sig, 0, sizeof *sig);
  sig->ok = sig->err = WF_WIT_NONE;
  wf_wit_tref r = wf_hl_resolve(w, f->result);
  sig->result = r;
  if (r == WF_WIT_NONE) { sig->ret = WF_HRET_NONE; return; }
  if (wf_hl_is_scalar(w, r)) { sig->ret = WF_HRET_SCALAR; return; }
  if (r >= 0 && w->types[r].kind == WF_WIT_TYPE_OPTION) {
    sig->ret = WF_HRET_OPTION;
    sig->ok = w->types[r].a;
    return;
  }
  if (r >= 0 && w->types[r].kind == WF_WIT_TYPE_RESULT) {
    sig->ret = WF_HRET_RESULT;
    sig->ok = w->types[r].a;
    sig->err = w->types[r].b;
    return;
  }
  sig->ret = WF_HRET_PTR;
}

void wf_hl_mangle(char *buf, size_t cap, const char *s) {
  if (!cap) return;
  size_t n = 0;
  for (; *s && n + 1 < cap; s++) {
    char c = *s;
    buf[n++] = (c == '-' || c == ':' || c == '/' || c == '.' || c == '@') ? '_' : c;
  }
  buf[n] = 0;
}

void wf_hl_iface_prefix(const wf_wit_t *w, uint32_t iface, char *buf, size_t cap) {
  const wf_wit_interface_t *in = &w->interfaces[iface];
  const wf_wit_package_t *p = &w->packages[in->package];
  char raw[512];
  snprintf(raw, sizeof raw, "%s_%s_%s", p->ns, p->name, in->name ? in->name : "world");
  wf_hl_mangle(buf, cap, raw);
}

void wf_hl_func_symbol(const wf_wit_t *w, uint32_t iface, const wf_wit_func_t *f, char *buf, size_t cap) {
  char pre[384], raw[640];
  wf_hl_iface_prefix(w, iface, pre, sizeof pre);
  const char *n = f->name;
  switch (f->kind) {
  case WF_WIT_FUNC_CONSTRUCTOR:
    snprintf(raw, sizeof raw, "%s_%s_new", pre, w->types[f->resource].name);
    break;
  case WF_WIT_FUNC_METHOD: case WF_WIT_FUNC_STATIC: {
    const char *dot = strchr(n, '.');
    snprintf(raw, sizeof raw, "%s_%s_%s", pre, w->types[f->resource].name, dot ? dot + 1 : n);
    break;
  }
  default:
    snprintf(raw, sizeof raw, "%s_%s", pre, n);
    break;
  }
  wf_hl_mangle(buf, cap, raw);
}
