/* Lifting: core values (flat slots or linear memory) -> weft_val_t
 * (CanonicalABI.md load / lift_flat). Nested storage comes from cx->arena;
 * strings are copied (transcoded to UTF-8), so a lifted value never points
 * into guest memory. */
#include <math.h>
#include <string.h>

#include "canon.h"

static float canon_f32(uint32_t bits) {
  float f;
  if ((bits & 0x7F800000u) == 0x7F800000u && (bits & 0x007FFFFFu)) bits = 0x7FC00000u;
  memcpy(&f, &bits, 4);
  return f;
}
static double canon_f64(uint64_t bits) {
  double d;
  if ((bits & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (bits & 0x000FFFFFFFFFFFFFull))
    bits = 0x7FF8000000000000ull;
  memcpy(&d, &bits, 8);
  return d;
}

static bool lift_char(wf_cx_t *cx, uint32_t c, weft_val_t *out) {
  if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF)) return wf_cx_trap(cx, "invalid `char` bit pattern");
  out->kind = WEFT_VAL_CHAR;
  out->of.ch = c;
  return true;
}

/* Lifted values of one call may not take more than this much host memory
 * (a guest can make nested lists share storage, so the values it describes
 * can be far larger than its memory). */
#define WF_LIFT_BUDGET ((size_t)1 << 31)

static weft_val_t *alloc_vals(wf_cx_t *cx, size_t n) {
  if (!cx->arena) {
    wf_cx_trap(cx, "no arena for lifted values");
    return NULL;
  }
  size_t used = cx->arena->total > cx->arena_base ? cx->arena->total - cx->arena_base : 0;
  if (n > WF_LIFT_BUDGET / sizeof(weft_val_t) || used > WF_LIFT_BUDGET) {
    wf_cx_trap(cx, "lifted values exceed the %zu MiB limit", WF_LIFT_BUDGET >> 20);
    return NULL;
  }
  weft_val_t *v = wf_arena_alloc(cx->arena, n * sizeof(weft_val_t));
  if (!v) wf_trapf(cx->trap, WF_TRAP_OOM, "out of memory lifting a value");
  return v;
}

bool wf_canon_lift_handle(wf_cx_t *cx, const wf_ctype_t *t, uint32_t idx, weft_val_t *out) {
  wf_rtype_t *rt = wf_cinst_rtype(cx->inst, t->t1);
  if (!rt) return wf_cx_trap(cx, "resource type of a handle is not bound");
  wf_htable_t *tab = &cx->inst->handles;
  wf_handle_t *h = wf_canon_handle_get(tab, idx, rt, cx->trap);
  if (!h) return false;
  out->of.res.type = rt;
  out->of.res.rep = h->rep;
  if (t->kind == WF_CT_OWN) {
    if (h->lends) return wf_cx_trap(cx, "cannot remove owned resource while borrowed");
    if (!h->own) return wf_cx_trap(cx, "cannot lift own resource from a borrow (handle index %u)", idx);
    out->kind = WEFT_VAL_OWN;
    if (cx->host && !wf_host_own_add(rt, h->rep))
      return wf_trapf(cx->trap, WF_TRAP_OOM, "out of memory: the host's resource handle table is full");
    wf_htable_remove(tab, idx);
    return true;
  }
  out->kind = WEFT_VAL_BORROW;
  if (cx->lends) {
    if (!wf_lends_push(cx->lends, cx->arena, idx)) return wf_trapf(cx->trap, WF_TRAP_OOM, "out of memory");
    h->lends++;
  }
  if (cx->host && !wf_host_borrow_add(rt, h->rep, cx->hrefs))
    return wf_trapf(cx->trap, WF_TRAP_OOM, "out of memory: the host's resource handle table is full");
  return true;
}

static uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static bool lift_variant_index(wf_cx_t *cx, const wf_ctype_t *t, uint32_t disc, weft_val_t *out) {
  if (disc >= wf_canon_case_count(t)) return wf_cx_trap(cx, "invalid variant discriminant");
  out->kind = wf_canon_vkind(t->kind);
  out->of.var.index = disc;
  out->of.var.payload = NULL;
  return true;
}

/* A list (or map: list of (key, value) tuples) of n elements at lp. */
static bool lift_list(wf_cx_t *cx, const wf_ctype_t *t, uint32_t lp, uint32_t n, weft_val_t *out) {
  uint32_t es, ea, voff;
  if (!cx->opts->mem) return wf_cx_trap(cx, "list lifted without a memory");
  wf_canon_elem_layout(cx->ts, t, &es, &ea, &voff);
  if (es >= WF_CANON_SIZE_MAX) return wf_cx_trap(cx, "list element type too large");
  if (lp & (ea - 1)) return wf_cx_trap(cx, "unaligned pointer");
  if ((uint64_t)lp + (uint64_t)n * es > cx->opts->mem->size)
    return wf_cx_trap(cx, cx->adapter ? "list content out-of-bounds" : "list pointer/length out of bounds of memory");
  out->kind = WEFT_VAL_LIST;
  out->of.seq.n = n;
  out->of.seq.v = NULL;
  if (!n) return true;
  weft_val_t *v = alloc_vals(cx, n);
  if (!v) return false;
  out->of.seq.v = v;
  if (t->kind != WF_CT_MAP) {
    for (uint32_t i = 0; i < n; i++)
      if (!wf_canon_load(cx, t->t1, lp + i * es, &v[i])) return false;
    return true;
  }
  weft_val_t *kv = alloc_vals(cx, (size_t)n * 2);
  if (!kv) return false;
  for (uint32_t i = 0; i < n; i++) {
    v[i].kind = WEFT_VAL_TUPLE;
    v[i].of.seq.v = &kv[2 * (size_t)i];
    v[i].of.seq.n = 2;
    if (!wf_canon_load(cx, t->t1, lp + i * es, &kv[2 * (size_t)i]) ||
        !wf_canon_load(cx, t->t2, lp + i * es + voff, &kv[2 * (size_t)i + 1]))
      return false;
  }
  return true;
}

bool wf_canon_load(wf_cx_t *cx, wf_ctid_t id, uint32_t ptr, weft_val_t *out) {
  const wf_ctype_t *t = wf_cty(cx->ts, id);
  const wf_meminst_t *m = cx->opts->mem;
  /* callers checked ptr + elem_size(t) <= memory size */
  const uint8_t *p = m->base + ptr;
  switch (t->kind) {
  case WF_CT_BOOL: out->kind = WEFT_VAL_BOOL; out->of.b = p[0] != 0; return true;
  case WF_CT_S8: out->kind = WEFT_VAL_S8; out->of.s = (int8_t)p[0]; return true;
  case WF_CT_U8: out->kind = WEFT_VAL_U8; out->of.u = p[0]; return true;
  case WF_CT_S16: { int16_t v; memcpy(&v, p, 2); out->kind = WEFT_VAL_S16; out->of.s = v; return true; }
  case WF_CT_U16: { uint16_t v; memcpy(&v, p, 2); out->kind = WEFT_VAL_U16; out->of.u = v; return true; }
  case WF_CT_S32: out->kind = WEFT_VAL_S32; out->of.s = (int32_t)ld32(p); return true;
  case WF_CT_U32: out->kind = WEFT_VAL_U32; out->of.u = ld32(p); return true;
  case WF_CT_S64: { int64_t v; memcpy(&v, p, 8); out->kind = WEFT_VAL_S64; out->of.s = v; return true; }
  case WF_CT_U64: { uint64_t v; memcpy(&v, p, 8); out->kind = WEFT_VAL_U64; out->of.u = v; return true; }
  case WF_CT_F32: out->kind = WEFT_VAL_F32; out->of.f32 = canon_f32(ld32(p)); return true;
  case WF_CT_F64: { uint64_t v; memcpy(&v, p, 8); out->kind = WEFT_VAL_F64; out->of.f64 = canon_f64(v); return true; }
  case WF_CT_CHAR: return lift_char(cx, ld32(p), out);
  case WF_CT_STRING: return wf_canon_load_string(cx, ld32(p), ld32(p + 4), out);
  case WF_CT_LIST: case WF_CT_MAP: return lift_list(cx, t, ld32(p), ld32(p + 4), out);
  case WF_CT_FIXED_LIST: {   /* len elements inline */
    uint32_t es, ea;
    wf_canon_size_align(cx->ts, t->t1, &es, &ea);
    if ((uint64_t)t->len * es > 0x40000000u) return wf_cx_trap(cx, "fixed-size list too large");
    out->kind = WEFT_VAL_LIST;
    out->of.seq.n = t->len;
    out->of.seq.v = NULL;
    if (!t->len) return true;
    weft_val_t *v = alloc_vals(cx, t->len);
    if (!v) return false;
    out->of.seq.v = v;
    for (uint32_t i = 0; i < t->len; i++)
      if (!wf_canon_load(cx, t->t1, ptr + i * es, &v[i])) return false;
    return true;
  }
  case WF_CT_RECORD: case WF_CT_TUPLE: {
    out->kind = t->kind == WF_CT_RECORD ? WEFT_VAL_RECORD : WEFT_VAL_TUPLE;
    out->of.seq.n = t->n;
    out->of.seq.v = NULL;
    if (!t->n) return true;
    weft_val_t *v = alloc_vals(cx, t->n);
    if (!v) return false;
    out->of.seq.v = v;
    uint32_t off = 0;
    for (uint32_t i = 0; i < t->n; i++) {
      uint32_t fs, fa;
      wf_canon_size_align(cx->ts, t->fields[i].type, &fs, &fa);
      off = (off + fa - 1) & ~(fa - 1);
      if (!wf_canon_load(cx, t->fields[i].type, ptr + off, &v[i])) return false;
      off += fs;
    }
    return true;
  }
  case WF_CT_FLAGS: {
    uint32_t bits = t->n <= 8 ? p[0] : t->n <= 16 ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) : ld32(p);
    if (t->n == 0) bits = 0;
    if (t->n < 32) bits &= (1u << t->n) - 1;
    out->kind = WEFT_VAL_FLAGS;
    out->of.flags = bits;
    return true;
  }
  case WF_CT_ENUM: case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    uint32_t nc = wf_canon_case_count(t), ds = wf_canon_disc_size(nc);
    uint32_t disc = ds == 1 ? p[0] : ds == 2 ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) : ld32(p);
    if (!lift_variant_index(cx, t, disc, out)) return false;
    wf_ctid_t ct = wf_canon_case_type(t, disc);
    if (!ct) return true;
    weft_val_t *pl = alloc_vals(cx, 1);
    if (!pl) return false;
    out->of.var.payload = pl;
    return wf_canon_load(cx, ct, ptr + wf_canon_payload_offset(cx->ts, t), pl);
  }
  case WF_CT_OWN: case WF_CT_BORROW: return wf_canon_lift_handle(cx, t, ld32(p), out);
  default: return wf_cx_trap(cx, "cannot lift a value of this type (type kind %u)", t->kind);
  }
}

bool wf_canon_lift_flat(wf_cx_t *cx, wf_ctid_t id, const uint64_t *s, uint32_t n, uint32_t *i,
                        weft_val_t *out) {
  const wf_ctype_t *t = wf_cty(cx->ts, id);
  uint32_t k = *i;
#define NEXT(x) do { if (k >= n) return wf_cx_trap(cx, "too few core values to lift"); (x) = s[k++]; } while (0)
  uint64_t x = 0;
  switch (t->kind) {
  case WF_CT_BOOL: NEXT(x); out->kind = WEFT_VAL_BOOL; out->of.b = (uint32_t)x != 0; break;
  case WF_CT_S8: NEXT(x); out->kind = WEFT_VAL_S8; out->of.s = (int8_t)x; break;
  case WF_CT_U8: NEXT(x); out->kind = WEFT_VAL_U8; out->of.u = (uint8_t)x; break;
  case WF_CT_S16: NEXT(x); out->kind = WEFT_VAL_S16; out->of.s = (int16_t)x; break;
  case WF_CT_U16: NEXT(x); out->kind = WEFT_VAL_U16; out->of.u = (uint16_t)x; break;
  case WF_CT_S32: NEXT(x); out->kind = WEFT_VAL_S32; out->of.s = (int32_t)x; break;
  case WF_CT_U32: NEXT(x); out->kind = WEFT_VAL_U32; out->of.u = (uint32_t)x; break;
  case WF_CT_S64: NEXT(x); out->kind = WEFT_VAL_S64; out->of.s = (int64_t)x; break;
  case WF_CT_U64: NEXT(x); out->kind = WEFT_VAL_U64; out->of.u = x; break;
  case WF_CT_F32: NEXT(x); out->kind = WEFT_VAL_F32; out->of.f32 = canon_f32((uint32_t)x); break;
  case WF_CT_F64: NEXT(x); out->kind = WEFT_VAL_F64; out->of.f64 = canon_f64(x); break;
  case WF_CT_CHAR: NEXT(x); if (!lift_char(cx, (uint32_t)x, out)) return false; break;
  case WF_CT_STRING: {
    uint64_t p, l;
    NEXT(p); NEXT(l);
    if (!wf_canon_load_string(cx, (uint32_t)p, (uint32_t)l, out)) return false;
    break;
  }
  case WF_CT_LIST: case WF_CT_MAP: {
    uint64_t p, l;
    NEXT(p); NEXT(l);
    if (!lift_list(cx, t, (uint32_t)p, (uint32_t)l, out)) return false;
    break;
  }
  case WF_CT_FIXED_LIST: {
    out->kind = WEFT_VAL_LIST;
    out->of.seq.n = t->len;
    out->of.seq.v = NULL;
    if (t->len) {
      weft_val_t *v = alloc_vals(cx, t->len);
      if (!v) return false;
      out->of.seq.v = v;
      for (uint32_t j = 0; j < t->len; j++)
        if (!wf_canon_lift_flat(cx, t->t1, s, n, &k, &v[j])) return false;
    }
    break;
  }
  case WF_CT_RECORD: case WF_CT_TUPLE: {
    out->kind = t->kind == WF_CT_RECORD ? WEFT_VAL_RECORD : WEFT_VAL_TUPLE;
    out->of.seq.n = t->n;
    out->of.seq.v = NULL;
    if (t->n) {
      weft_val_t *v = alloc_vals(cx, t->n);
      if (!v) return false;
      out->of.seq.v = v;
      for (uint32_t j = 0; j < t->n; j++)
        if (!wf_canon_lift_flat(cx, t->fields[j].type, s, n, &k, &v[j])) return false;
    }
    break;
  }
  case WF_CT_FLAGS:
    out->kind = WEFT_VAL_FLAGS;
    out->of.flags = 0;
    if (t->n) {
      NEXT(x);
      out->of.flags = (uint32_t)x & (t->n < 32 ? (1u << t->n) - 1 : 0xFFFFFFFFu);
    }
    break;
  case WF_CT_ENUM: case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    NEXT(x);
    uint32_t disc = (uint32_t)x;
    if (!lift_variant_index(cx, t, disc, out)) return false;
    uint32_t width = t->kind == WF_CT_ENUM ? 0 : wf_canon_flat_count(cx->ts, id) - 1;
    uint32_t end = k + width;
    if (end > n) return wf_cx_trap(cx, "too few core values to lift");
    wf_ctid_t ct = wf_canon_case_type(t, disc);
    if (ct) {
      weft_val_t *pl = alloc_vals(cx, 1);
      if (!pl) return false;
      out->of.var.payload = pl;
      /* joined slots: i32/f32 payloads read the low 32 bits, i64/f64 all 64 */
      if (!wf_canon_lift_flat(cx, ct, s, end, &k, pl)) return false;
    }
    k = end;
    break;
  }
  case WF_CT_OWN: case WF_CT_BORROW: NEXT(x); if (!wf_canon_lift_handle(cx, t, (uint32_t)x, out)) return false; break;
  default: return wf_cx_trap(cx, "cannot lift a value of this type (type kind %u)", t->kind);
  }
#undef NEXT
  *i = k;
  return true;
}

bool wf_canon_lift_values(wf_cx_t *cx, const wf_cfield_t *types, uint32_t nt, const uint64_t *slots,
                          uint32_t nslots, uint32_t max_flat, weft_val_t *out) {
  uint32_t flat = 0;
  for (uint32_t j = 0; j < nt && flat <= max_flat; j++) flat += wf_canon_flat_count(cx->ts, types[j].type);
  if (flat <= max_flat) {
    uint32_t k = 0;
    for (uint32_t j = 0; j < nt; j++)
      if (!wf_canon_lift_flat(cx, types[j].type, slots, nslots, &k, &out[j])) return false;
    return true;
  }
  /* spilled: a pointer to a tuple of the values */
  if (nslots < 1) return wf_cx_trap(cx, "too few core values to lift");
  if (!cx->opts->mem) return wf_cx_trap(cx, "values lifted through memory without a memory");
  uint32_t ptr = (uint32_t)slots[0], off = 0, align = 1;
  uint64_t size = 0;
  for (uint32_t j = 0; j < nt; j++) {
    uint32_t fs, fa;
    wf_canon_size_align(cx->ts, types[j].type, &fs, &fa);
    size = ((size + fa - 1) & ~(uint64_t)(fa - 1)) + fs;
    if (fa > align) align = fa;
  }
  size = (size + align - 1) & ~(uint64_t)(align - 1);
  if (size >= WF_CANON_SIZE_MAX) return wf_cx_trap(cx, "parameter types too large");
  if (ptr & (align - 1)) return wf_cx_trap(cx, "unaligned pointer");
  if ((uint64_t)ptr + size > cx->opts->mem->size) return wf_cx_trap(cx, "pointer out of bounds of memory");
  for (uint32_t j = 0; j < nt; j++) {
    uint32_t fs, fa;
    wf_canon_size_align(cx->ts, types[j].type, &fs, &fa);
    off = (off + fa - 1) & ~(fa - 1);
    if (!wf_canon_load(cx, types[j].type, ptr + off, &out[j])) return false;
    off += fs;
  }
  return true;
}
