/* Private interface between the binary decoder (decode.c) and the validator
 * (validate.c): a bounded byte reader with the reference interpreter's error
 * wording, and the validator entry points. */
#ifndef WF_CORE_DECODE_INTERNAL_H
#define WF_CORE_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"
#include "../util/leb128.h"

/* Greatest operand stack height a function may reach (values); protects the
 * validator and the translator from bodies built to exhaust memory. */
#define WF_MAX_OPERAND_STACK 1000000u
/* Declared locals summed over all functions of a module: each function may
 * declare WF_MAX_LOCALS in a few bytes, so this bounds the decoder's memory. */
#define WF_MAX_TOTAL_LOCALS (1u << 26)

/* A cursor over [p, end) inside the module [base, file_end). `end` is the end
 * of the current section or function body. */
typedef struct {
  const uint8_t *base, *p, *end, *file_end;
  wf_error_t *err;
} wf_reader_t;

static inline size_t wf_rd_off(const wf_reader_t *r) { return (size_t)(r->p - r->base); }
static inline size_t wf_rd_left(const wf_reader_t *r) { return (size_t)(r->end - r->p); }

/* Reading past `end`: at the end of the file the reference interpreter says
 * "unexpected end"; inside the file, the section's size was wrong. */
static inline bool wf_rd_overrun(wf_reader_t *r) {
  if (r->end == r->file_end)
    wf_error_at(r->err, (size_t)(r->end - r->base), "unexpected end of section or function");
  else
    wf_error_at(r->err, (size_t)(r->end - r->base), "section size mismatch");
  return false;
}

static inline bool wf_rd_u8(wf_reader_t *r, uint8_t *out) {
  if (r->p >= r->end) return wf_rd_overrun(r);
  *out = *r->p++;
  return true;
}

static inline bool wf_rd_leb_fail(wf_reader_t *r, wf_leb_status_t st) {
  if (st == WF_LEB_EOF) return wf_rd_overrun(r);
  if (st == WF_LEB_TOO_LONG) wf_error_at(r->err, wf_rd_off(r), "integer representation too long");
  else wf_error_at(r->err, wf_rd_off(r), "integer too large");
  return false;
}

static inline bool wf_rd_u32(wf_reader_t *r, uint32_t *out) {
  if (r->p < r->end && !(*r->p & 0x80)) { *out = *r->p++; return true; }
  uint64_t v;
  wf_leb_status_t st = wf_leb_read_u(&r->p, r->end, 32, &v);
  if (st != WF_LEB_OK) return wf_rd_leb_fail(r, st);
  *out = (uint32_t)v;
  return true;
}

static inline bool wf_rd_s32(wf_reader_t *r, int32_t *out) {
  int64_t v;
  wf_leb_status_t st = wf_leb_read_s(&r->p, r->end, 32, &v);
  if (st != WF_LEB_OK) return wf_rd_leb_fail(r, st);
  *out = (int32_t)v;
  return true;
}

static inline bool wf_rd_s33(wf_reader_t *r, int64_t *out) {
  wf_leb_status_t st = wf_leb_read_s(&r->p, r->end, 33, out);
  if (st != WF_LEB_OK) return wf_rd_leb_fail(r, st);
  return true;
}

static inline bool wf_rd_s64(wf_reader_t *r, int64_t *out) {
  wf_leb_status_t st = wf_leb_read_s(&r->p, r->end, 64, out);
  if (st != WF_LEB_OK) return wf_rd_leb_fail(r, st);
  return true;
}

static inline bool wf_rd_fixed(wf_reader_t *r, unsigned n, uint64_t *out) {
  if (wf_rd_left(r) < n) { r->p = r->end; return wf_rd_overrun(r); }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  *out = v;
  return true;
}

static inline bool wf_is_numtype(uint8_t t) {
  return t == WF_T_I32 || t == WF_T_I64 || t == WF_T_F32 || t == WF_T_F64;
}
static inline bool wf_is_reftype(uint8_t t) {
  return t == WF_T_FUNCREF || t == WF_T_EXTERNREF || t == WF_T_EXNREF;
}

/* The memory index of memory.size/grow/fill/copy/init. A module with at
 * most one memory keeps the WebAssembly 2.0 encoding, a single 0x00 byte
 * ("zero byte expected" otherwise, as the 2.0 reference interpreter says);
 * with several memories (multi-memory) it is a u32. */
static inline bool wf_rd_memidx(wf_reader_t *r, uint32_t nmems, uint32_t *out) {
  if (nmems > 1) return wf_rd_u32(r, out);
  size_t at = wf_rd_off(r);
  uint8_t b;
  if (!wf_rd_u8(r, &b)) return false;
  if (b != 0) { wf_error_at(r->err, at, "zero byte expected"); return false; }
  *out = 0;
  return true;
}

/* A memarg: flags (alignment, and with multi-memory bit 6 for an explicit
 * memory index), the memory index, then the offset. */
static inline bool wf_rd_memarg(wf_reader_t *r, bool multi, uint32_t *align, uint32_t *mem,
                                uint32_t *offset) {
  size_t at = wf_rd_off(r);
  uint32_t flags;
  if (!wf_rd_u32(r, &flags)) return false;
  *mem = 0;
  if (multi && (flags & WF_MEMARG_HAS_MEM)) {
    flags &= ~WF_MEMARG_HAS_MEM;
    if (flags < 32 && !wf_rd_u32(r, mem)) return false;
  }
  if (flags >= 32) { wf_error_at(r->err, at, "malformed memop flags"); return false; }
  *align = flags;
  return wf_rd_u32(r, offset);
}

/* Read a value type; rejects v128 with a clear message. */
bool wf_rd_valtype(wf_reader_t *r, uint8_t *out);
/* Read a reference type byte. */
bool wf_rd_reftype(wf_reader_t *r, uint8_t *out);

/* Facts the body validator needs beyond the module itself. */
typedef struct {
  const uint8_t *declared;   /* nfuncs flags: function may be ref.func'd */
  uint32_t datacount;        /* valid when m->has_datacount */
  uint32_t features;         /* WF_FEATURE_* */
} wf_valctx_t;

/* Validate one defined function's body (f->code .. f->code + f->code_len),
 * filling f->max_stack / f->max_depth. */
bool wf_validate_func(const wf_module_t *m, const wf_valctx_t *vc, wf_func_t *f,
                      wf_error_t *err);

/* ---- the decoder's state, shared by decode.c and decode_code.c ---- */

typedef struct {
  wf_module_t *m;
  wf_error_t *err;
  const uint8_t *base, *file_end;
  uint8_t *declared;        /* nfuncs flags for ref.func, allocated lazily */
  uint32_t declared_n;
  uint32_t nfunc_defs;      /* from the function section */
  uint32_t ncode;           /* from the code section */
  uint64_t total_locals;    /* declared locals of all bodies so far */
  bool have_code, have_data;
  uint32_t datacount;
  uint8_t *nest;            /* WF_MAX_NESTING + 1 frame kinds for skip_body */
  const uint8_t *names;     /* the first "name" custom section's payload */
  size_t names_len;
  uint32_t features;        /* WF_FEATURE_* */
} dec_t;

#define OOM(d) wf_error_set((d)->err, "out of memory")

/* A vector count, with *cap = the entries the remaining bytes can hold
 * (decode.c). */
bool wf_dec_rd_count(wf_reader_t *r, uint32_t *out, size_t min_each, uint32_t *cap);
/* A byte length no larger than the rest of the input (decode.c). */
bool wf_dec_rd_len(wf_reader_t *r, uint32_t *out);
/* Read the immediates of the instruction starting with byte `op` (consumed;
 * reads a 0xFC sub-opcode itself); *id receives its wf_opcode_t
 * (decode_code.c). */
bool wf_dec_skip_instr(wf_reader_t *r, size_t at, uint8_t op, int *id, uint32_t nmems, uint32_t features);
/* The code section (decode_code.c). */
bool wf_dec_sec_code(dec_t *d, wf_reader_t *r);

#endif
