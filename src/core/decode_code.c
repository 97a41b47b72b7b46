/* The code section: function bodies' sizes and locals, then the syntax of
 * their instructions (opcodes, immediates, structured nesting) -- on
 * several threads for a large section (par.c). Typing is validate.c's job. */
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "par.h"

static bool simd_error(wf_reader_t *r, size_t at) {
  return wf_error_at(r->err, at, "SIMD is not supported (illegal opcode fd)");
}

static bool skip_blocktype(wf_reader_t *r) {
  int64_t sx;
  if (r->p >= r->end) return wf_rd_overrun(r);
  uint8_t t = *r->p;
  if (t == 0x40 || wf_is_numtype(t) || wf_is_reftype(t)) { r->p++; return true; }
  if (t == WF_T_V128) return wf_error_at(r->err, wf_rd_off(r), "SIMD is not supported (v128 value type)");
  return wf_rd_s33(r, &sx);
}

/* Read the immediates of the instruction starting with byte `op` (already
 * consumed; reads a 0xFC sub-opcode itself). *id receives its wf_opcode_t.
 * nmems: the module's memories (the encoding of memory indices). */
bool wf_dec_skip_instr(wf_reader_t *r, size_t at, uint8_t op, int *id, uint32_t nmems,
                       uint32_t features) {
  uint32_t code = op, x;
  uint64_t bits;
  int64_t sx;
  uint8_t t;
  if (op == 0xFD) return simd_error(r, at);
  if (op == 0xFC) {
    if (!wf_rd_u32(r, &x)) return false;
    if (x > 0xFF || wf_opcode_lookup(0xFC00 | x) < 0)
      return wf_error_at(r->err, at, "illegal opcode fc %u", x);
    code = 0xFC00 | x;
  }
  int k = wf_opcode_lookup(code);
  if (k < 0) return wf_error_at(r->err, at, "illegal opcode %02x", op);
  *id = k;
  switch (wf_opinfo[k].imm) {
  case WF_IMM_NONE: return true;
  case WF_IMM_BLOCKTYPE: return skip_blocktype(r);
  case WF_IMM_BR_TABLE: {
    uint32_t n;
    if (!wf_rd_u32(r, &n)) return false;
    for (uint64_t i = 0; i <= n; i++)   /* n labels + the default */
      if (!wf_rd_u32(r, &x)) return false;
    return true;
  }
  case WF_IMM_LABEL: case WF_IMM_FUNC: case WF_IMM_LOCAL: case WF_IMM_GLOBAL:
  case WF_IMM_TABLE: case WF_IMM_DATA: case WF_IMM_ELEM:
    return wf_rd_u32(r, &x);
  case WF_IMM_CALL_INDIRECT: case WF_IMM_TABLE_INIT: case WF_IMM_TABLE_COPY:
    return wf_rd_u32(r, &x) && wf_rd_u32(r, &x);
  case WF_IMM_MEMARG: {
    uint32_t y, z;
    return wf_rd_memarg(r, (features & WF_FEATURE_MULTI_MEMORY) != 0, &x, &y, &z);
  }
  case WF_IMM_MEM: return wf_rd_memidx(r, nmems, &x);
  case WF_IMM_TAG: return wf_rd_u32(r, &x);
  case WF_IMM_TRY_TABLE: {
    if (!skip_blocktype(r)) return false;
    uint32_t n;
    if (!wf_rd_u32(r, &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
      size_t kat = wf_rd_off(r);
      uint8_t kind;
      if (!wf_rd_u8(r, &kind)) return false;
      if (kind > WF_CATCH_ALL_REF) return wf_error_at(r->err, kat, "malformed catch clause");
      if (kind <= WF_CATCH_REF && !wf_rd_u32(r, &x)) return false;   /* tag */
      if (!wf_rd_u32(r, &x)) return false;                            /* label */
    }
    return true;
  }
  case WF_IMM_I32: {
    int32_t v;
    return wf_rd_s32(r, &v);
  }
  case WF_IMM_I64: return wf_rd_s64(r, &sx);
  case WF_IMM_F32: return wf_rd_fixed(r, 4, &bits);
  case WF_IMM_F64: return wf_rd_fixed(r, 8, &bits);
  case WF_IMM_REFTYPE: return wf_rd_reftype(r, &t);
  case WF_IMM_SELECT_T: {
    uint32_t n;
    if (!wf_rd_u32(r, &n)) return false;
    for (uint32_t i = 0; i < n; i++)
      if (!wf_rd_valtype(r, &t)) return false;
    return true;
  }
  case WF_IMM_MEMORY_INIT: return wf_rd_u32(r, &x) && wf_rd_memidx(r, nmems, &x);
  case WF_IMM_MEMORY_COPY: return wf_rd_memidx(r, nmems, &x) && wf_rd_memidx(r, nmems, &x);
  default: return wf_error_at(r->err, at, "illegal opcode %02x", op);
  }
}

/* Check the syntax of a function body up to its final end: opcodes,
 * immediates, structured nesting (else only directly inside if). */
static bool skip_body(dec_t *d, wf_reader_t *r) {
  uint32_t depth = 1;
  d->nest[0] = 0;
  for (;;) {
    size_t at = wf_rd_off(r);
    uint8_t op;
    int id;
    if (!wf_rd_u8(r, &op)) return false;
    if (op == 0x0B) {
      if (--depth == 0) return true;
      continue;
    }
    if (op == 0x05) {
      if (d->nest[depth - 1] != 1) return wf_error_at(d->err, at, "END opcode expected");
      d->nest[depth - 1] = 2;
      continue;
    }
    if (!wf_dec_skip_instr(r, at, op, &id, d->m->nmems, d->features)) return false;
    if ((op >= 0x02 && op <= 0x04) || op == 0x1F) {
      if (depth > WF_MAX_NESTING)
        return wf_error_at(d->err, at, "blocks nested too deeply (limit %u)", WF_MAX_NESTING);
      d->nest[depth++] = op == 0x04 ? 1 : 0;
    }
  }
}

/* The syntax of one body (par.c runs these on several threads): skip_body
 * with this call's own nesting stack and error. */
typedef struct {
  const dec_t *d;
  const wf_reader_t *r;      /* the code section's reader */
  const uint8_t **code;      /* n bodies: start of the instructions */
  const uint8_t **end;       /* and the end the body's size gives */
} bodies_t;

static bool skip_one(void *ctx, uint32_t i, wf_error_t *err) {
  const bodies_t *b = ctx;
  uint8_t nest[WF_MAX_NESTING + 1];
  dec_t d = *b->d;
  d.nest = nest;
  d.err = err;
  wf_reader_t r = *b->r;
  r.p = b->code[i];
  r.err = err;
  if (!skip_body(&d, &r)) return false;
  if (r.p != b->end[i]) return wf_error_at(err, wf_rd_off(&r), "section size mismatch");   /* also NULL */
  return true;
}

bool wf_dec_sec_code(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 1, &cap)) return false;
  /* A count that differs from the function section is reported after the
   * last section, as the reference interpreter does; extra bodies are still
   * decoded (into a scratch entry) for their syntax errors.
   * First the sizes and locals of the bodies, in order; then the bodies'
   * instructions (skip_one), on several threads for a large section. An
   * error in the first pass at body i stops it there; bodies before i are
   * still checked, and an error in one of them is reported instead, as a
   * pass doing each body whole in turn would. */
  d->have_code = true;
  d->ncode = n;
  bodies_t b = {d, r, malloc((size_t)(cap ? cap : 1) * sizeof *b.code), malloc((size_t)(cap ? cap : 1) * sizeof *b.end)};
  if (!b.code || !b.end) {
    free(b.code);
    free(b.end);
    return OOM(d);
  }
  wf_error_t *err = d->err, head_err = {0};
  d->err = r->err = &head_err;
  uint32_t nheads = 0;
  uint64_t work = 0;
  for (uint32_t i = 0; i < n; i++) {
    bool real = i < d->nfunc_defs;
    wf_func_t scratch = {0};
    wf_func_t *f = real ? &m->funcs[i] : &scratch;
    uint32_t nparams = real ? m->types[f->type_idx].nparams : 0;
    size_t sat = wf_rd_off(r);
    uint32_t size;
    if (!wf_dec_rd_len(r, &size)) break;
    if (size > WF_MAX_FUNC_SIZE) { wf_error_at(d->err, sat, "function body too large"); break; }
    /* NULL: the size overruns the section (skip_one says where it stops) */
    const uint8_t *body_end = size <= wf_rd_left(r) ? r->p + size : NULL;
    size_t lat = wf_rd_off(r);
    uint32_t groups, gcap;
    if (!wf_dec_rd_count(r, &groups, 2, &gcap)) break;
    const uint8_t *gstart = r->p;
    uint64_t total = 0;
    bool bad = false;
    for (uint32_t g = 0; g < groups && !bad; g++) {
      uint32_t cnt;
      uint8_t t;
      if (!wf_rd_u32(r, &cnt)) {
        bad = true;
      } else if ((total += cnt) + nparams > WF_MAX_LOCALS) {
        wf_error_at(d->err, lat, "too many locals");
        bad = true;
      } else if (!wf_rd_valtype(r, &t)) {
        bad = true;
      }
    }
    if (bad) break;
    d->total_locals += total;
    if (d->total_locals > WF_MAX_TOTAL_LOCALS) {
      wf_error_at(d->err, lat, "too many locals (%u in all functions)", WF_MAX_TOTAL_LOCALS);
      break;
    }
    if (real) {
      f->nlocals = (uint32_t)total;
      f->local_types = malloc(total ? total : 1);
      if (!f->local_types) { OOM(d); break; }
      /* Second pass over the (already checked) groups to fill the types. */
      wf_reader_t g2 = *r;
      g2.p = gstart;
      uint32_t k = 0;
      for (uint32_t g = 0; g < groups; g++) {
        uint32_t cnt = 0;
        uint8_t t = 0;
        wf_rd_u32(&g2, &cnt);
        wf_rd_valtype(&g2, &t);
        memset(f->local_types + k, t, cnt);
        k += cnt;
      }
    }
    f->code = r->p;
    f->code_offset = (uint32_t)wf_rd_off(r);
    f->code_len = (uint32_t)(body_end && body_end > r->p ? body_end - r->p : 0);
    b.code[i] = r->p;
    b.end[i] = body_end;
    work += f->code_len;
    nheads = i + 1;
    /* a size that overruns the section, or locals that overrun the size:
     * this body fails in skip_one, and nothing after it is read */
    if (!body_end || body_end < r->p) break;
    r->p = body_end;
  }
  d->err = r->err = err;
  bool ok = wf_par_for(nheads, work, skip_one, &b, err);
  if (ok && head_err.failed) {
    *err = head_err;
    ok = false;
  }
  free(b.code);
  free(b.end);
  return ok;
}

