/* Canonical ABI layout facts (alignment, elem_size, flat counts) for 32-bit
 * memories, and the trap helpers shared by canon_*.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "canon.h"

bool wf_trapf(wf_trap_t *trap, wf_trapcode_t code, const char *fmt, ...) {
  if (!trap) return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(trap->msg, sizeof trap->msg, fmt, ap);
  va_end(ap);
  trap->code = code;
  trap->nframes = 0;
  return false;
}

bool wf_cx_trap(wf_cx_t *cx, const char *fmt, ...) {
  wf_trap_t *trap = cx->trap;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(trap->msg, sizeof trap->msg, fmt, ap);
  va_end(ap);
  trap->code = WF_TRAP_COMPONENT;
  trap->nframes = 0;
  return false;
}

bool wf_cx_core_trap(wf_crt_t *rt, wf_trap_t *trap, wf_trapcode_t c) {
  const wf_trap_t *last = wf_exec_last_trap(wf_store_exec(rt->store));
  if (last && last->code != WF_TRAP_NONE) *trap = *last;
  else wf_trapf(trap, c, "%s", wf_trap_message(c));
  if (trap->code == WF_TRAP_NONE) trap->code = c;
  return false;
}

bool wf_cx_badval(wf_cx_t *cx, wf_ctid_t t, const weft_val_t *v) {
  char buf[128];
  wf_ctype_format(cx->ts, t, buf, sizeof buf);
  cx->bad_value = true;
  if ((unsigned)v->kind >= WEFT_VAL_KIND_COUNT)
    return wf_cx_trap(cx, "%s of the wrong type: expected %s, got no valid value (kind %d)",
                      cx->badval ? cx->badval : "value", buf, (int)v->kind);
  return wf_cx_trap(cx, "%s of the wrong type: expected %s, got a %s value", cx->badval ? cx->badval : "value",
                    buf, weft_vkind_name(v->kind));
}

weft_vkind_t wf_canon_vkind(uint8_t k) {
  switch (k) {
  case WF_CT_BOOL: return WEFT_VAL_BOOL;
  case WF_CT_S8: return WEFT_VAL_S8;
  case WF_CT_U8: return WEFT_VAL_U8;
  case WF_CT_S16: return WEFT_VAL_S16;
  case WF_CT_U16: return WEFT_VAL_U16;
  case WF_CT_S32: return WEFT_VAL_S32;
  case WF_CT_U32: return WEFT_VAL_U32;
  case WF_CT_S64: return WEFT_VAL_S64;
  case WF_CT_U64: return WEFT_VAL_U64;
  case WF_CT_F32: return WEFT_VAL_F32;
  case WF_CT_F64: return WEFT_VAL_F64;
  case WF_CT_CHAR: return WEFT_VAL_CHAR;
  case WF_CT_STRING: return WEFT_VAL_STRING;
  case WF_CT_LIST: return WEFT_VAL_LIST;
  case WF_CT_RECORD: return WEFT_VAL_RECORD;
  case WF_CT_TUPLE: return WEFT_VAL_TUPLE;
  case WF_CT_VARIANT: return WEFT_VAL_VARIANT;
  case WF_CT_ENUM: return WEFT_VAL_ENUM;
  case WF_CT_OPTION: return WEFT_VAL_OPTION;
  case WF_CT_RESULT: return WEFT_VAL_RESULT;
  case WF_CT_FLAGS: return WEFT_VAL_FLAGS;
  case WF_CT_OWN: return WEFT_VAL_OWN;
  case WF_CT_BORROW: return WEFT_VAL_BORROW;
  default: return WEFT_VAL_KIND_COUNT;
  }
}

uint32_t wf_canon_case_count(const wf_ctype_t *t) {
  return t->kind == WF_CT_OPTION || t->kind == WF_CT_RESULT ? 2 : t->n;
}

wf_ctid_t wf_canon_case_type(const wf_ctype_t *t, uint32_t i) {
  switch (t->kind) {
  case WF_CT_VARIANT: return i < t->n ? t->fields[i].type : WF_CTID_NONE;
  case WF_CT_OPTION: return i == 1 ? t->t1 : WF_CTID_NONE;
  case WF_CT_RESULT: return i == 0 ? t->t1 : i == 1 ? t->t2 : WF_CTID_NONE;
  default: return WF_CTID_NONE;
  }
}

static uint32_t align_up(uint32_t x, uint32_t a) { return (x + a - 1) & ~(a - 1); }

/* Sizes saturate far above any 32-bit memory, so overflow cannot wrap. */
#define SAT_SIZE WF_CANON_SIZE_MAX

void wf_canon_size_align(const wf_ctypes_t *ts, wf_ctid_t id, uint32_t *size, uint32_t *align) {
  const wf_ctype_t *t = wf_cty(ts, id);
  switch (t->kind) {
  case WF_CT_BOOL: case WF_CT_S8: case WF_CT_U8: *size = *align = 1; return;
  case WF_CT_S16: case WF_CT_U16: *size = *align = 2; return;
  case WF_CT_S64: case WF_CT_U64: case WF_CT_F64: *size = *align = 8; return;
  case WF_CT_STRING: case WF_CT_LIST: case WF_CT_MAP: *size = 8; *align = 4; return;
  case WF_CT_FIXED_LIST: {
    uint32_t es, ea;
    wf_canon_size_align(ts, t->t1, &es, &ea);
    uint64_t s = (uint64_t)es * t->len;
    *size = s > SAT_SIZE ? SAT_SIZE : (uint32_t)s;
    *align = ea;
    return;
  }
  case WF_CT_RECORD: case WF_CT_TUPLE: {
    uint32_t s = 0, a = 1;
    for (uint32_t i = 0; i < t->n; i++) {
      uint32_t fs, fa;
      wf_canon_size_align(ts, t->fields[i].type, &fs, &fa);
      s = align_up(s, fa) + fs;
      if (fa > a) a = fa;
      if (s > SAT_SIZE) s = SAT_SIZE;
    }
    *size = align_up(s, a);
    *align = a;
    return;
  }
  case WF_CT_FLAGS:
    if (t->n == 0) { *size = 0; *align = 1; }
    else if (t->n <= 8) *size = *align = 1;
    else if (t->n <= 16) *size = *align = 2;
    else *size = *align = 4;
    return;
  case WF_CT_ENUM: case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    uint32_t nc = wf_canon_case_count(t);
    uint32_t ds = wf_canon_disc_size(nc);
    uint32_t ms = 0, ma = ds;
    for (uint32_t i = 0; i < nc; i++) {
      wf_ctid_t ct = wf_canon_case_type(t, i);
      if (!ct) continue;
      uint32_t cs, ca;
      wf_canon_size_align(ts, ct, &cs, &ca);
      if (cs > ms) ms = cs;
      if (ca > ma) ma = ca;
    }
    uint32_t s = align_up(ds, ma) + ms;
    if (s > SAT_SIZE) s = SAT_SIZE;
    *size = align_up(s, ma);
    *align = ma;
    return;
  }
  default: *size = *align = 4; return; /* s32 u32 f32 char own borrow */
  }
}

void wf_canon_elem_layout(const wf_ctypes_t *ts, const wf_ctype_t *t, uint32_t *size, uint32_t *align,
                          uint32_t *voff) {
  if (t->kind != WF_CT_MAP) {
    wf_canon_size_align(ts, t->t1, size, align);
    *voff = 0;
    return;
  }
  uint32_t ks, ka, vs, va;
  wf_canon_size_align(ts, t->t1, &ks, &ka);
  wf_canon_size_align(ts, t->t2, &vs, &va);
  uint32_t a = ka > va ? ka : va;
  *voff = align_up(ks, va);
  *size = align_up(*voff + vs, a);
  *align = a;
}

uint32_t wf_canon_payload_offset(const wf_ctypes_t *ts, const wf_ctype_t *t) {
  uint32_t nc = wf_canon_case_count(t);
  uint32_t ds = wf_canon_disc_size(nc), ma = ds;
  for (uint32_t i = 0; i < nc; i++) {
    wf_ctid_t ct = wf_canon_case_type(t, i);
    if (!ct) continue;
    uint32_t cs, ca;
    wf_canon_size_align(ts, ct, &cs, &ca);
    if (ca > ma) ma = ca;
  }
  return align_up(ds, ma);
}

uint32_t wf_canon_flat_count(const wf_ctypes_t *ts, wf_ctid_t id) {
  const wf_ctype_t *t = wf_cty(ts, id);
  switch (t->kind) {
  case WF_CT_STRING: case WF_CT_LIST: case WF_CT_MAP: return 2;
  case WF_CT_FIXED_LIST: {
    uint64_t n = (uint64_t)wf_canon_flat_count(ts, t->t1) * t->len;
    return n > 1000 ? 1000 : (uint32_t)n;
  }
  case WF_CT_RECORD: case WF_CT_TUPLE: {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->n && n < 1000; i++) n += wf_canon_flat_count(ts, t->fields[i].type);
    return n;
  }
  case WF_CT_FLAGS: return t->n ? 1 : 0;
  case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    uint32_t nc = wf_canon_case_count(t), m = 0;
    for (uint32_t i = 0; i < nc; i++) {
      wf_ctid_t ct = wf_canon_case_type(t, i);
      if (!ct) continue;
      uint32_t c = wf_canon_flat_count(ts, ct);
      if (c > m) m = c;
    }
    return 1 + m;
  }
  default: return 1;
  }
}
