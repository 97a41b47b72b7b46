/* Lowering: weft_val_t -> core values (flat slots or linear memory)
 * (CanonicalABI.md store / lower_flat). Values may come from the host, so
 * every kind, count, case, range and resource type is checked on the way
 * (wrongly-typed values trap with cx->badval naming them). */
#include <string.h>

#include "canon.h"

bool wf_canon_realloc(wf_cx_t *cx, uint32_t old, uint32_t old_size, uint32_t align, uint32_t size,
                      uint32_t *out) {
  wf_funcinst_t *f = cx->opts->realloc;
  if (!f) return wf_cx_trap(cx, "cannot allocate guest memory: no realloc option");
  uint64_t a[4] = {old, old_size, align, size};
  uint64_t r[4] = {0};
  wf_cinst_t *inst = cx->inst;
  bool ml = inst->may_leave;
  const char *why = inst->no_leave_why;
  inst->may_leave = false;
  inst->no_leave_why = "realloc";
  wf_trapcode_t c = wf_invoke(inst->rt->store, f, a, r);
  inst->may_leave = ml;
  inst->no_leave_why = why;
  if (c != WF_TRAP_NONE) return wf_cx_core_trap(inst->rt, cx->trap, c);
  *out = (uint32_t)r[0];
  return true;
}

bool wf_canon_lower_handle(wf_cx_t *cx, const wf_ctype_t *t, const weft_val_t *v, uint32_t *out) {
  wf_rtype_t *rt = wf_cinst_rtype(cx->inst, t->t1);
  if (!rt) return wf_cx_trap(cx, "resource type of a handle is not bound");
  if (v->of.res.type != rt) {
    cx->bad_value = true;
    return wf_cx_trap(cx, "%s of the wrong type: resource handle of a different type (expected %s, found %s)",
                      cx->badval ? cx->badval : "value", wf_rtype_desc(rt), wf_rtype_desc(v->of.res.type));
  }
  /* a guest-defined resource from the host: the host must hold it (an own
   * leaves the host's handles once it is in the guest's table) */
  bool from_host = cx->host && rt->impl;
  if (from_host) {
    char why[200];
    bool ok = t->kind == WF_CT_OWN ? wf_host_check(rt, v->of.res.rep, true, NULL, why, sizeof why)
                                   : wf_host_lend(rt, v->of.res.rep, cx->hrefs, why, sizeof why);
    if (!ok) {
      cx->bad_value = true;
      return wf_cx_trap(cx, "%s: %s", cx->badval ? cx->badval : "value", why);
    }
  }
  wf_handle_t h = {0};
  h.rt = rt;
  h.rep = v->of.res.rep;
  if (t->kind == WF_CT_OWN) {
    h.own = true;
  } else {
    if (rt->impl == cx->inst) {
      *out = (uint32_t)v->of.res.rep;
      return true;
    }
    if (!cx->call) return wf_cx_trap(cx, "borrow handle lowered outside of a call");
    h.scope = cx->call;
  }
  uint32_t i = wf_htable_add(&cx->inst->handles, &h);
  if (!i) return wf_cx_trap(cx, "resource handle table is full");
  if (t->kind == WF_CT_BORROW) cx->call->nborrows++;
  else if (from_host) wf_host_own_take(rt, h.rep, NULL, 0);   /* checked above */
  *out = i;
  return true;
}

static uint32_t f32_bits(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  if ((b & 0x7F800000u) == 0x7F800000u && (b & 0x007FFFFFu)) b = 0x7FC00000u;
  return b;
}
static uint64_t f64_bits(double d) {
  uint64_t b;
  memcpy(&b, &d, 8);
  if ((b & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (b & 0x000FFFFFFFFFFFFFull))
    b = 0x7FF8000000000000ull;
  return b;
}

/* The core bits of a scalar value of type kind k (checked): i32 kinds
 * zero-extended from 32 bits. */
static bool scalar_bits(wf_cx_t *cx, wf_ctid_t id, uint8_t k, const weft_val_t *v, uint64_t *out) {
  weft_vkind_t want = wf_canon_vkind(k);
  if (v->kind != want) return wf_cx_badval(cx, id, v);
  switch (k) {
  case WF_CT_BOOL: if (v->of.b != 0 && v->of.b != 1) return wf_cx_badval(cx, id, v); *out = (uint32_t)v->of.b; return true;
  case WF_CT_S8: if (v->of.s < INT8_MIN || v->of.s > INT8_MAX) return wf_cx_badval(cx, id, v); *out = (uint32_t)(int32_t)v->of.s; return true;
  case WF_CT_U8: if (v->of.u > UINT8_MAX) return wf_cx_badval(cx, id, v); *out = v->of.u; return true;
  case WF_CT_S16: if (v->of.s < INT16_MIN || v->of.s > INT16_MAX) return wf_cx_badval(cx, id, v); *out = (uint32_t)(int32_t)v->of.s; return true;
  case WF_CT_U16: if (v->of.u > UINT16_MAX) return wf_cx_badval(cx, id, v); *out = v->of.u; return true;
  case WF_CT_S32: if (v->of.s < INT32_MIN || v->of.s > INT32_MAX) return wf_cx_badval(cx, id, v); *out = (uint32_t)(int32_t)v->of.s; return true;
  case WF_CT_U32: if (v->of.u > UINT32_MAX) return wf_cx_badval(cx, id, v); *out = v->of.u; return true;
  case WF_CT_S64: *out = (uint64_t)v->of.s; return true;
  case WF_CT_U64: *out = v->of.u; return true;
  case WF_CT_F32: *out = f32_bits(v->of.f32); return true;
  case WF_CT_F64: *out = f64_bits(v->of.f64); return true;
  case WF_CT_CHAR:
    if (v->of.ch >= 0x110000 || (v->of.ch >= 0xD800 && v->of.ch <= 0xDFFF))
      return (cx->bad_value = true), wf_cx_trap(cx, "%s: invalid `char` bit pattern", cx->badval ? cx->badval : "value");
    *out = v->of.ch;
    return true;
  default: return wf_cx_badval(cx, id, v);
  }
}

/* Check a variant-like value's case and payload presence; returns its payload type. */
static bool check_case(wf_cx_t *cx, wf_ctid_t id, const wf_ctype_t *t, const weft_val_t *v, wf_ctid_t *ct) {
  if (v->kind != wf_canon_vkind(t->kind) || v->of.var.index >= wf_canon_case_count(t)) return wf_cx_badval(cx, id, v);
  *ct = t->kind == WF_CT_ENUM ? WF_CTID_NONE : wf_canon_case_type(t, v->of.var.index);
  if (*ct && !v->of.var.payload) return wf_cx_badval(cx, id, v);
  return true;
}

static bool store_list(wf_cx_t *cx, wf_ctid_t id, const wf_ctype_t *t, const weft_val_t *v, uint32_t *pp,
                       uint32_t *pn) {
  if (v->kind != WEFT_VAL_LIST || (v->of.seq.n && !v->of.seq.v)) return wf_cx_badval(cx, id, v);
  if (!cx->opts->mem) return wf_cx_trap(cx, "list lowered without a memory");
  uint32_t es, ea, voff;
  wf_canon_elem_layout(cx->ts, t, &es, &ea, &voff);
  if (es >= WF_CANON_SIZE_MAX) return wf_cx_trap(cx, "list element type too large");
  uint64_t bytes = (uint64_t)v->of.seq.n * es;
  if (v->of.seq.n > UINT32_MAX || bytes > UINT32_MAX) return wf_cx_trap(cx, "list too long to lower (%zu elements)", v->of.seq.n);
  uint32_t ptr;
  if (!wf_canon_alloc_checked(cx, ea, (uint32_t)bytes, false, &ptr)) return false;
  for (size_t i = 0; i < v->of.seq.n; i++) {
    uint32_t at = ptr + (uint32_t)i * es;
    const weft_val_t *e = &v->of.seq.v[i];
    if (t->kind != WF_CT_MAP) {
      if (!wf_canon_store(cx, t->t1, e, at)) return false;
      continue;
    }
    if (e->kind != WEFT_VAL_TUPLE || e->of.seq.n != 2 || !e->of.seq.v) return wf_cx_badval(cx, id, v);
    if (!wf_canon_store(cx, t->t1, &e->of.seq.v[0], at) || !wf_canon_store(cx, t->t2, &e->of.seq.v[1], at + voff))
      return false;
  }
  *pp = ptr;
  *pn = (uint32_t)v->of.seq.n;
  return true;
}

static void st32(uint8_t *p, uint32_t x) { memcpy(p, &x, 4); }

bool wf_canon_store(wf_cx_t *cx, wf_ctid_t id, const weft_val_t *v, uint32_t ptr) {
  const wf_ctype_t *t = wf_cty(cx->ts, id);
  /* callers checked ptr + elem_size(t) <= memory size; base never moves */
  uint8_t *base = cx->opts->mem->base;
  uint64_t x;
  switch (t->kind) {
  case WF_CT_BOOL: case WF_CT_S8: case WF_CT_U8:
    if (!scalar_bits(cx, id, t->kind, v, &x)) return false;
    base[ptr] = (uint8_t)x;
    return true;
  case WF_CT_S16: case WF_CT_U16: {
    if (!scalar_bits(cx, id, t->kind, v, &x)) return false;
    uint16_t h = (uint16_t)x;
    memcpy(base + ptr, &h, 2);
    return true;
  }
  case WF_CT_S32: case WF_CT_U32: case WF_CT_F32: case WF_CT_CHAR:
    if (!scalar_bits(cx, id, t->kind, v, &x)) return false;
    st32(base + ptr, (uint32_t)x);
    return true;
  case WF_CT_S64: case WF_CT_U64: case WF_CT_F64:
    if (!scalar_bits(cx, id, t->kind, v, &x)) return false;
    memcpy(base + ptr, &x, 8);
    return true;
  case WF_CT_STRING: {
    uint32_t p, l;
    if (v->kind != WEFT_VAL_STRING || (v->of.str.len && !v->of.str.ptr)) return wf_cx_badval(cx, id, v);
    if (!wf_canon_store_string(cx, v->of.str.ptr, v->of.str.len, &p, &l)) return false;
    st32(base + ptr, p);
    st32(base + ptr + 4, l);
    return true;
  }
  case WF_CT_LIST: case WF_CT_MAP: {
    uint32_t p, n;
    if (!store_list(cx, id, t, v, &p, &n)) return false;
    st32(base + ptr, p);
    st32(base + ptr + 4, n);
    return true;
  }
  case WF_CT_FIXED_LIST: {
    if (v->kind != WEFT_VAL_LIST || v->of.seq.n != t->len || (t->len && !v->of.seq.v)) return wf_cx_badval(cx, id, v);
    uint32_t es, ea;
    wf_canon_size_align(cx->ts, t->t1, &es, &ea);
    if ((uint64_t)t->len * es > 0x40000000u) return wf_cx_trap(cx, "fixed-size list too large");
    for (uint32_t i = 0; i < t->len; i++)
      if (!wf_canon_store(cx, t->t1, &v->of.seq.v[i], ptr + i * es)) return false;
    return true;
  }
  case WF_CT_RECORD: case WF_CT_TUPLE: {
    weft_vkind_t want = t->kind == WF_CT_RECORD ? WEFT_VAL_RECORD : WEFT_VAL_TUPLE;
    if (v->kind != want || v->of.seq.n != t->n || (t->n && !v->of.seq.v)) return wf_cx_badval(cx, id, v);
    uint32_t off = 0;
    for (uint32_t i = 0; i < t->n; i++) {
      uint32_t fs, fa;
      wf_canon_size_align(cx->ts, t->fields[i].type, &fs, &fa);
      off = (off + fa - 1) & ~(fa - 1);
      if (!wf_canon_store(cx, t->fields[i].type, &v->of.seq.v[i], ptr + off)) return false;
      off += fs;
    }
    return true;
  }
  case WF_CT_FLAGS: {
    if (v->kind != WEFT_VAL_FLAGS || (t->n < 32 && (v->of.flags >> t->n))) return wf_cx_badval(cx, id, v);
    uint32_t b = v->of.flags;
    if (t->n == 0) return true;
    if (t->n <= 8) base[ptr] = (uint8_t)b;
    else if (t->n <= 16) { uint16_t h = (uint16_t)b; memcpy(base + ptr, &h, 2); }
    else st32(base + ptr, b);
    return true;
  }
  case WF_CT_ENUM: case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    wf_ctid_t ct;
    if (!check_case(cx, id, t, v, &ct)) return false;
    uint32_t d = v->of.var.index, ds = wf_canon_disc_size(wf_canon_case_count(t));
    if (ds == 1) base[ptr] = (uint8_t)d;
    else if (ds == 2) { uint16_t h = (uint16_t)d; memcpy(base + ptr, &h, 2); }
    else st32(base + ptr, d);
    if (!ct) return true;
    return wf_canon_store(cx, ct, v->of.var.payload, ptr + wf_canon_payload_offset(cx->ts, t));
  }
  case WF_CT_OWN: case WF_CT_BORROW: {
    uint32_t h;
    if (v->kind != wf_canon_vkind(t->kind) && !(t->kind == WF_CT_BORROW && v->kind == WEFT_VAL_OWN))
      return wf_cx_badval(cx, id, v);
    if (!wf_canon_lower_handle(cx, t, v, &h)) return false;
    st32(base + ptr, h);
    return true;
  }
  default: return wf_cx_trap(cx, "cannot lower a value of this type (type kind %u)", t->kind);
  }
}

bool wf_canon_lower_flat(wf_cx_t *cx, wf_ctid_t id, const weft_val_t *v, uint64_t *s, uint32_t cap, uint32_t *i) {
  const wf_ctype_t *t = wf_cty(cx->ts, id);
  uint32_t k = *i;
#define PUT(x) do { if (k >= cap) return wf_cx_trap(cx, "too many core values to lower"); s[k++] = (x); } while (0)
  switch (t->kind) {
  case WF_CT_BOOL: case WF_CT_S8: case WF_CT_U8: case WF_CT_S16: case WF_CT_U16: case WF_CT_S32:
  case WF_CT_U32: case WF_CT_S64: case WF_CT_U64: case WF_CT_F32: case WF_CT_F64: case WF_CT_CHAR: {
    uint64_t x;
    if (!scalar_bits(cx, id, t->kind, v, &x)) return false;
    PUT(x);
    break;
  }
  case WF_CT_STRING: {
    uint32_t p, l;
    if (v->kind != WEFT_VAL_STRING || (v->of.str.len && !v->of.str.ptr)) return wf_cx_badval(cx, id, v);
    if (!wf_canon_store_string(cx, v->of.str.ptr, v->of.str.len, &p, &l)) return false;
    PUT(p);
    PUT(l);
    break;
  }
  case WF_CT_LIST: case WF_CT_MAP: {
    uint32_t p, n;
    if (!store_list(cx, id, t, v, &p, &n)) return false;
    PUT(p);
    PUT(n);
    break;
  }
  case WF_CT_FIXED_LIST:
    if (v->kind != WEFT_VAL_LIST || v->of.seq.n != t->len || (t->len && !v->of.seq.v)) return wf_cx_badval(cx, id, v);
    for (uint32_t j = 0; j < t->len; j++)
      if (!wf_canon_lower_flat(cx, t->t1, &v->of.seq.v[j], s, cap, &k)) return false;
    break;
  case WF_CT_RECORD: case WF_CT_TUPLE: {
    weft_vkind_t want = t->kind == WF_CT_RECORD ? WEFT_VAL_RECORD : WEFT_VAL_TUPLE;
    if (v->kind != want || v->of.seq.n != t->n || (t->n && !v->of.seq.v)) return wf_cx_badval(cx, id, v);
    for (uint32_t j = 0; j < t->n; j++)
      if (!wf_canon_lower_flat(cx, t->fields[j].type, &v->of.seq.v[j], s, cap, &k)) return false;
    break;
  }
  case WF_CT_FLAGS:
    if (v->kind != WEFT_VAL_FLAGS || (t->n < 32 && (v->of.flags >> t->n))) return wf_cx_badval(cx, id, v);
    if (t->n) PUT(v->of.flags);
    break;
  case WF_CT_ENUM: case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    wf_ctid_t ct;
    if (!check_case(cx, id, t, v, &ct)) return false;
    PUT(v->of.var.index);
    if (t->kind == WF_CT_ENUM) break;
    uint32_t end = k + wf_canon_flat_count(cx->ts, id) - 1;
    if (end > cap) return wf_cx_trap(cx, "too many core values to lower");
    if (ct && !wf_canon_lower_flat(cx, ct, v->of.var.payload, s, end, &k)) return false;
    while (k < end) s[k++] = 0;
    break;
  }
  case WF_CT_OWN: case WF_CT_BORROW: {
    uint32_t h;
    if (v->kind != wf_canon_vkind(t->kind) && !(t->kind == WF_CT_BORROW && v->kind == WEFT_VAL_OWN))
      return wf_cx_badval(cx, id, v);
    if (!wf_canon_lower_handle(cx, t, v, &h)) return false;
    PUT(h);
    break;
  }
  default: return wf_cx_trap(cx, "cannot lower a value of this type (type kind %u)", t->kind);
  }
#undef PUT
  *i = k;
  return true;
}
