/* Function body validation: the operand-stack / control-stack algorithm of
 * the WebAssembly 2.0 appendix (unreachable code makes the stack
 * polymorphic). Decodes the instruction stream as it goes and records the
 * greatest operand stack height and control depth for the translator. */
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"

#define T_UNKNOWN 0

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

typedef struct {
  uint8_t kind;
  bool unreachable;
  uint32_t height;
  uint32_t nparams, nresults;
  const uint8_t *params, *results;
} frame_t;

typedef struct {
  const wf_module_t *m;
  const wf_valctx_t *vc;
  const wf_functype_t *ft;
  const wf_func_t *f;
  wf_error_t *err;
  wf_reader_t r;
  size_t at;               /* offset of the current instruction */
  uint8_t *vals;
  uint32_t nvals, vcap;
  frame_t *ctrls;
  uint32_t nctrls, ccap;
  uint32_t max_stack, max_depth;
} val_t;

/* One-element result types for `block (result t)`: &one_type[t]. */
static const uint8_t one_type[256] = {
  [WF_T_I32] = WF_T_I32, [WF_T_I64] = WF_T_I64, [WF_T_F32] = WF_T_F32,
  [WF_T_F64] = WF_T_F64, [WF_T_FUNCREF] = WF_T_FUNCREF, [WF_T_EXTERNREF] = WF_T_EXTERNREF,
  [WF_T_EXNREF] = WF_T_EXNREF,
};

static bool mismatch(val_t *v) { return wf_error_at(v->err, v->at, "type mismatch"); }

/* Make room for `n` more operands. */
static bool reserve(val_t *v, uint32_t n) {
  if ((uint64_t)v->nvals + n <= v->vcap) return true;
  if ((uint64_t)v->nvals + n > WF_MAX_OPERAND_STACK)
    return wf_error_at(v->err, v->at, "operand stack too deep (limit %u values)", WF_MAX_OPERAND_STACK);
  uint64_t nc = v->vcap ? (uint64_t)v->vcap * 2 : 64;
  while (nc < (uint64_t)v->nvals + n) nc *= 2;
  if (nc > WF_MAX_OPERAND_STACK) nc = WF_MAX_OPERAND_STACK;
  uint8_t *p = realloc(v->vals, nc);
  if (!p) return wf_error_set(v->err, "out of memory");
  v->vals = p;
  v->vcap = (uint32_t)nc;
  return true;
}

static bool push(val_t *v, uint8_t t) {
  if (v->nvals == v->vcap && !reserve(v, 1)) return false;
  v->vals[v->nvals++] = t;
  if (v->nvals > v->max_stack) v->max_stack = v->nvals;
  return true;
}

/* Pop any value into *t (T_UNKNOWN on a polymorphic stack). */
static bool pop_any(val_t *v, uint8_t *t) {
  frame_t *c = &v->ctrls[v->nctrls - 1];
  if (v->nvals == c->height) {
    if (c->unreachable) { *t = T_UNKNOWN; return true; }
    return mismatch(v);
  }
  *t = v->vals[--v->nvals];
  return true;
}

static bool pop_expect(val_t *v, uint8_t want) {
  uint8_t t = 0;
  if (!pop_any(v, &t)) return false;
  if (t != want && t != T_UNKNOWN && want != T_UNKNOWN) return mismatch(v);
  return true;
}

/* Pop values of types ts[0..n) (the last on top). On a polymorphic stack the
 * missing ones match anything, so the loop stops there: dead code is cheap. */
static bool pop_vals(val_t *v, uint32_t n, const uint8_t *ts) {
  const frame_t *c = &v->ctrls[v->nctrls - 1];
  if (n && v->nvals - c->height >= n && memcmp(v->vals + v->nvals - n, ts, n) == 0) {
    v->nvals -= n;   /* the common case, in one go */
    return true;
  }
  for (uint32_t i = n; i-- > 0;) {
    if (v->nvals == c->height) return c->unreachable ? true : mismatch(v);
    uint8_t t = v->vals[--v->nvals];
    if (t != ts[i] && t != T_UNKNOWN) return mismatch(v);
  }
  return true;
}

static bool push_vals(val_t *v, uint32_t n, const uint8_t *ts) {
  if (n == 0) return true;
  if (!reserve(v, n)) return false;
  memcpy(v->vals + v->nvals, ts, n);
  v->nvals += n;
  if (v->nvals > v->max_stack) v->max_stack = v->nvals;
  return true;
}

static bool push_ctrl(val_t *v, uint8_t kind, uint32_t np, const uint8_t *p, uint32_t nr,
                      const uint8_t *rs) {
  if (v->nctrls == v->ccap) {
    if (v->ccap >= WF_MAX_NESTING + 1)
      return wf_error_at(v->err, v->at, "blocks nested too deeply (limit %u)", WF_MAX_NESTING);
    uint32_t nc = v->ccap ? v->ccap * 2 : 16;
    if (nc > WF_MAX_NESTING + 1) nc = WF_MAX_NESTING + 1;
    frame_t *f = realloc(v->ctrls, nc * sizeof *f);
    if (!f) return wf_error_set(v->err, "out of memory");
    v->ctrls = f;
    v->ccap = nc;
  }
  v->ctrls[v->nctrls++] = (frame_t){kind, false, v->nvals, np, nr, p, rs};
  if (v->nctrls > v->max_depth) v->max_depth = v->nctrls;
  return push_vals(v, np, p);
}

/* Pop the frame's results and check the stack is back at its height. */
static bool pop_ctrl(val_t *v, frame_t *out) {
  frame_t *c = &v->ctrls[v->nctrls - 1];
  if (!pop_vals(v, c->nresults, c->results)) return false;
  if (v->nvals != c->height) return mismatch(v);
  *out = *c;
  v->nctrls--;
  return true;
}

static void set_unreachable(val_t *v) {
  frame_t *c = &v->ctrls[v->nctrls - 1];
  v->nvals = c->height;
  c->unreachable = true;
}

static inline uint32_t label_arity(const frame_t *c) {
  return c->kind == K_LOOP ? c->nparams : c->nresults;
}
static inline const uint8_t *label_types(const frame_t *c) {
  return c->kind == K_LOOP ? c->params : c->results;
}

static bool rd_label(val_t *v, frame_t **out) {
  uint32_t l;
  if (!wf_rd_u32(&v->r, &l)) return false;
  if (l >= v->nctrls) return wf_error_at(v->err, v->at, "unknown label %u", l);
  *out = &v->ctrls[v->nctrls - 1 - l];
  return true;
}

static bool rd_blocktype(val_t *v, uint32_t *np, const uint8_t **p, uint32_t *nr,
                         const uint8_t **rs) {
  wf_reader_t *r = &v->r;
  if (r->p >= r->end) return wf_rd_overrun(r);
  uint8_t b = *r->p;
  *np = 0; *p = NULL;
  if (b == 0x40) { r->p++; *nr = 0; *rs = NULL; return true; }
  if (wf_is_numtype(b) || wf_is_reftype(b)) { r->p++; *nr = 1; *rs = &one_type[b]; return true; }
  if (b == WF_T_V128) return wf_error_at(v->err, wf_rd_off(r), "SIMD is not supported (v128 value type)");
  int64_t x;
  if (!wf_rd_s33(r, &x)) return false;
  if (x < 0 || (uint64_t)x >= v->m->ntypes)
    return wf_error_at(v->err, v->at, "unknown type %lld", (long long)x);
  const wf_functype_t *ft = &v->m->types[x];
  *np = ft->nparams; *p = ft->params;
  *nr = ft->nresults; *rs = ft->results;
  return true;
}

static uint8_t sig_type(char c) {
  switch (c) {
  case 'i': return WF_T_I32;
  case 'l': return WF_T_I64;
  case 'f': return WF_T_F32;
  default: return WF_T_F64;
  }
}

/* Plain instruction with a "params:results" signature. */
static bool apply_sig(val_t *v, const char *sig) {
  /* signatures are a few characters: a loop, not a strchr call per
   * instruction */
  size_t np = 0;
  while (sig[np] && sig[np] != ':') np++;
  if (!sig[np]) return true;
  const char *colon = sig + np;
  for (size_t i = np; i > 0; i--)
    if (!pop_expect(v, sig_type(sig[i - 1]))) return false;
  for (const char *c = colon + 1; *c; c++)
    if (!push(v, sig_type(*c))) return false;
  return true;
}

static bool need_memory(val_t *v, uint32_t x) {
  if (x >= v->m->nmems) return wf_error_at(v->err, v->at, "unknown memory %u", x);
  return true;
}

/* A memory index immediate (see wf_rd_memidx), which must name a memory. */
static bool rd_mem(val_t *v) {
  uint32_t x;
  return wf_rd_memidx(&v->r, v->m->nmems, &x) && need_memory(v, x);
}

static bool rd_table(val_t *v, uint32_t *x) {
  if (!wf_rd_u32(&v->r, x)) return false;
  if (*x >= v->m->ntables) return wf_error_at(v->err, v->at, "unknown table %u", *x);
  return true;
}

static bool check_elem(val_t *v, uint32_t x) {
  if (x >= v->m->nelems) return wf_error_at(v->err, v->at, "unknown elem segment %u", x);
  return true;
}

/* memory.init and data.drop need the data count section (the reference
 * interpreter reports its absence only for otherwise valid indices). */
static bool check_data(val_t *v, uint32_t x) {
  uint32_t n = v->m->has_datacount ? v->vc->datacount : v->m->ndatas;
  if (x >= n) return wf_error_at(v->err, v->at, "unknown data segment %u", x);
  if (!v->m->has_datacount) return wf_error_at(v->err, v->at, "data count section required");
  return true;
}

/* Natural alignment (log2 of the access size) of loads and stores. */
static unsigned natural_align(uint8_t op) {
  switch (op) {
  case 0x28: case 0x2A: case 0x34: case 0x35: case 0x36: case 0x38: case 0x3E: return 2;
  case 0x29: case 0x2B: case 0x37: case 0x39: return 3;
  case 0x2C: case 0x2D: case 0x30: case 0x31: case 0x3A: case 0x3C: return 0;
  default: return 1; /* 16-bit */
  }
}

static uint8_t local_type(val_t *v, uint32_t x) {
  if (x < v->ft->nparams) return v->ft->params[x];
  return v->f->local_types[x - v->ft->nparams];
}

static bool rd_local(val_t *v, uint8_t *t) {
  uint32_t x;
  if (!wf_rd_u32(&v->r, &x)) return false;
  if ((uint64_t)x >= (uint64_t)v->ft->nparams + v->f->nlocals)
    return wf_error_at(v->err, v->at, "unknown local %u", x);
  *t = local_type(v, x);
  return true;
}

static bool rd_global(val_t *v, uint32_t *x) {
  if (!wf_rd_u32(&v->r, x)) return false;
  if (*x >= v->m->nglobals) return wf_error_at(v->err, v->at, "unknown global %u", *x);
  return true;
}

static bool op_br_table(val_t *v) {
  wf_reader_t *r = &v->r;
  uint32_t n;
  if (!wf_rd_u32(r, &n)) return false;
  if (n > WF_MAX_BR_TABLE) return wf_error_at(v->err, v->at, "br_table too large");
  if (n > wf_rd_left(r)) { r->p = r->end; return wf_rd_overrun(r); }
  const uint8_t *labels = r->p;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t dummy;
    if (!wf_rd_u32(r, &dummy)) return false;
  }
  frame_t *def;
  if (!rd_label(v, &def)) return false;
  const uint8_t *after = r->p;
  if (!pop_expect(v, WF_T_I32)) return false;
  uint32_t arity = label_arity(def);
  const uint8_t *checked = label_types(def), *last = NULL;
  r->p = labels;
  for (uint32_t i = 0; i < n; i++) {
    frame_t *c;
    if (!rd_label(v, &c)) return false;
    if (label_arity(c) != arity) return mismatch(v);
    /* Labels sharing a result type array need one check (the default's
     * comes last); this bounds the work of long tables of wide labels. */
    if (arity == 0 || label_types(c) == checked || label_types(c) == last) continue;
    last = label_types(c);
    /* Check the top `arity` values against this label without consuming
     * them: popping leaves the array intact, so restoring the height does. */
    uint32_t base = v->nvals;
    if (!pop_vals(v, arity, label_types(c))) return false;
    v->nvals = base;
  }
  r->p = after;
  if (!pop_vals(v, arity, label_types(def))) return false;
  set_unreachable(v);
  return true;
}

static bool op_memarg(val_t *v, uint8_t op) {
  uint32_t align, mem, offset;
  bool multi = (v->vc->features & WF_FEATURE_MULTI_MEMORY) != 0;
  if (!wf_rd_memarg(&v->r, multi, &align, &mem, &offset)) return false;
  if (!need_memory(v, mem)) return false;
  if (align > natural_align(op))
    return wf_error_at(v->err, v->at, "alignment must not be larger than natural");
  return apply_sig(v, wf_opinfo[wf_opcode_lookup(op)].sig);
}

static bool op_prefixed(val_t *v) {
  wf_reader_t *r = &v->r;
  const wf_module_t *m = v->m;
  uint32_t sub;
  if (!wf_rd_u32(r, &sub)) return false;
  uint32_t x, y;
  switch (sub) {
  case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
    return apply_sig(v, wf_opinfo[wf_opcode_lookup(0xFC00 | sub)].sig);
  case 8: /* memory.init */
    if (!wf_rd_u32(r, &x) || !rd_mem(v) || !check_data(v, x)) return false;
    return apply_sig(v, "iii:");
  case 9: /* data.drop */
    return wf_rd_u32(r, &x) && check_data(v, x);
  case 10: /* memory.copy dst src */
    if (!rd_mem(v) || !rd_mem(v)) return false;
    return apply_sig(v, "iii:");
  case 11: /* memory.fill */
    if (!rd_mem(v)) return false;
    return apply_sig(v, "iii:");
  case 12: /* table.init elem table */
    if (!wf_rd_u32(r, &y) || !rd_table(v, &x) || !check_elem(v, y)) return false;
    if (m->tables[x].elem != m->elems[y].reftype) return mismatch(v);
    return apply_sig(v, "iii:");
  case 13: /* elem.drop */
    return wf_rd_u32(r, &y) && check_elem(v, y);
  case 14: /* table.copy dst src */
    if (!rd_table(v, &x) || !rd_table(v, &y)) return false;
    if (m->tables[x].elem != m->tables[y].elem) return mismatch(v);
    return apply_sig(v, "iii:");
  case 15: /* table.grow */
    if (!rd_table(v, &x)) return false;
    if (!pop_expect(v, WF_T_I32) || !pop_expect(v, m->tables[x].elem)) return false;
    return push(v, WF_T_I32);
  case 16: /* table.size */
    if (!rd_table(v, &x)) return false;
    return push(v, WF_T_I32);
  case 17: /* table.fill */
    if (!rd_table(v, &x)) return false;
    return pop_expect(v, WF_T_I32) && pop_expect(v, m->tables[x].elem) &&
           pop_expect(v, WF_T_I32);
  default:
    return wf_error_at(v->err, v->at, "illegal opcode fc %u", sub);
  }
}

static bool rd_tag(val_t *v, const wf_functype_t **tt) {
  uint32_t x;
  if (!wf_rd_u32(&v->r, &x)) return false;
  if (x >= v->m->ntags) return wf_error_at(v->err, v->at, "unknown tag %u", x);
  *tt = &v->m->types[v->m->tag_type[x]];
  return true;
}

/* try_table's catch clauses: each label (outside the try_table) must take
 * the tag's parameters, then an exnref for the _ref forms. */
static bool check_catches(val_t *v) {
  wf_reader_t *r = &v->r;
  uint32_t n;
  if (!wf_rd_u32(r, &n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t kat = wf_rd_off(r);
    uint8_t kind;
    if (!wf_rd_u8(r, &kind)) return false;
    if (kind > WF_CATCH_ALL_REF) return wf_error_at(v->err, kat, "malformed catch clause");
    const wf_functype_t *tt = NULL;
    if (kind <= WF_CATCH_REF && !rd_tag(v, &tt)) return false;
    frame_t *c;
    if (!rd_label(v, &c)) return false;
    uint32_t np = tt ? tt->nparams : 0;
    bool ref = kind == WF_CATCH_REF || kind == WF_CATCH_ALL_REF;
    const uint8_t *lt = label_types(c);
    if (label_arity(c) != np + ref) return mismatch(v);
    if (np && memcmp(lt, tt->params, np) != 0) return mismatch(v);
    if (ref && lt[np] != WF_T_EXNREF) return mismatch(v);
  }
  return true;
}

static bool op_call(val_t *v, const wf_functype_t *ft) {
  return pop_vals(v, ft->nparams, ft->params) && push_vals(v, ft->nresults, ft->results);
}

/* Validate one instruction; *done is set after the function's final end. */
static bool step(val_t *v, bool *done) {
  wf_reader_t *r = &v->r;
  const wf_module_t *m = v->m;
  v->at = wf_rd_off(r);
  uint8_t op;
  if (!wf_rd_u8(r, &op)) return false;
  uint32_t x = 0, np = 0, nr = 0;
  const uint8_t *ps = NULL, *rs = NULL;
  uint8_t t = 0, t2 = 0;
  frame_t *c, fr;
  switch (op) {
  case 0x00: set_unreachable(v); return true;
  case 0x01: return true;
  case 0x02: case 0x03: case 0x04:
    if (!rd_blocktype(v, &np, &ps, &nr, &rs)) return false;
    if (op == 0x04 && !pop_expect(v, WF_T_I32)) return false;
    if (!pop_vals(v, np, ps)) return false;
    return push_ctrl(v, op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : K_IF, np, ps, nr, rs);
  case 0x05:
    c = &v->ctrls[v->nctrls - 1];
    if (c->kind != K_IF) return wf_error_at(v->err, v->at, "END opcode expected");
    if (!pop_ctrl(v, &fr)) return false;
    return push_ctrl(v, K_ELSE, fr.nparams, fr.params, fr.nresults, fr.results);
  case 0x0B:
    if (!pop_ctrl(v, &fr)) return false;
    if (fr.kind == K_IF) {
      if (fr.nparams != fr.nresults ||
          (fr.nparams && memcmp(fr.params, fr.results, fr.nparams) != 0))
        return mismatch(v);
    }
    if (v->nctrls == 0) { *done = true; return true; }
    return push_vals(v, fr.nresults, fr.results);
  case 0x0C:
    if (!rd_label(v, &c) || !pop_vals(v, label_arity(c), label_types(c))) return false;
    set_unreachable(v);
    return true;
  case 0x0D:
    if (!rd_label(v, &c) || !pop_expect(v, WF_T_I32)) return false;
    if (!pop_vals(v, label_arity(c), label_types(c))) return false;
    return push_vals(v, label_arity(c), label_types(c));
  case 0x0E: return op_br_table(v);
  case 0x0F:
    if (!pop_vals(v, v->ft->nresults, v->ft->results)) return false;
    set_unreachable(v);
    return true;
  case 0x10:
    if (!wf_rd_u32(r, &x)) return false;
    if (x >= m->nfuncs) return wf_error_at(v->err, v->at, "unknown function %u", x);
    return op_call(v, wf_module_functype(m, x));
  case 0x11: {
    uint32_t ti;
    if (!wf_rd_u32(r, &ti) || !wf_rd_u32(r, &x)) return false;
    if (x >= m->ntables) return wf_error_at(v->err, v->at, "unknown table %u", x);
    if (ti >= m->ntypes) return wf_error_at(v->err, v->at, "unknown type %u", ti);
    if (m->tables[x].elem != WF_T_FUNCREF) return mismatch(v);
    if (!pop_expect(v, WF_T_I32)) return false;
    return op_call(v, &m->types[ti]);
  }
  case 0x08: { /* throw */
    const wf_functype_t *tt;
    if (!rd_tag(v, &tt) || !pop_vals(v, tt->nparams, tt->params)) return false;
    set_unreachable(v);
    return true;
  }
  case 0x0A: /* throw_ref */
    if (!pop_expect(v, WF_T_EXNREF)) return false;
    set_unreachable(v);
    return true;
  case 0x1F: /* try_table */
    if (!rd_blocktype(v, &np, &ps, &nr, &rs) || !check_catches(v)) return false;
    if (!pop_vals(v, np, ps)) return false;
    return push_ctrl(v, K_BLOCK, np, ps, nr, rs);
  case 0x1A: return pop_any(v, &t);
  case 0x1B:
    if (!pop_expect(v, WF_T_I32) || !pop_any(v, &t) || !pop_any(v, &t2)) return false;
    if (!((t == T_UNKNOWN || wf_is_numtype(t)) && (t2 == T_UNKNOWN || wf_is_numtype(t2))))
      return mismatch(v);
    if (t != t2 && t != T_UNKNOWN && t2 != T_UNKNOWN) return mismatch(v);
    return push(v, t == T_UNKNOWN ? t2 : t);
  case 0x1C: {
    uint32_t n;
    if (!wf_rd_u32(r, &n)) return false;
    if (n != 1) {
      if (n > wf_rd_left(r)) { r->p = r->end; return wf_rd_overrun(r); }
      for (uint32_t i = 0; i < n; i++)
        if (!wf_rd_valtype(r, &t)) return false;
      return wf_error_at(v->err, v->at, "invalid result arity");
    }
    if (!wf_rd_valtype(r, &t)) return false;
    return pop_expect(v, WF_T_I32) && pop_expect(v, t) && pop_expect(v, t) && push(v, t);
  }
  case 0x20:
    return rd_local(v, &t) && push(v, t);
  case 0x21:
    return rd_local(v, &t) && pop_expect(v, t);
  case 0x22:
    return rd_local(v, &t) && pop_expect(v, t) && push(v, t);
  case 0x23:
    return rd_global(v, &x) && push(v, m->globals[x].type.type);
  case 0x24:
    if (!rd_global(v, &x)) return false;
    if (!m->globals[x].type.mut) return wf_error_at(v->err, v->at, "global is immutable");
    return pop_expect(v, m->globals[x].type.type);
  case 0x25:
    return rd_table(v, &x) && pop_expect(v, WF_T_I32) && push(v, m->tables[x].elem);
  case 0x26:
    return rd_table(v, &x) && pop_expect(v, m->tables[x].elem) && pop_expect(v, WF_T_I32);
  case 0x3F: case 0x40:
    if (!rd_mem(v)) return false;
    return op == 0x3F ? push(v, WF_T_I32) : apply_sig(v, "i:i");
  case 0x41: {
    int32_t k;
    return wf_rd_s32(r, &k) && push(v, WF_T_I32);
  }
  case 0x42: {
    int64_t k;
    return wf_rd_s64(r, &k) && push(v, WF_T_I64);
  }
  case 0x43: case 0x44: {
    uint64_t k;
    return wf_rd_fixed(r, op == 0x43 ? 4 : 8, &k) && push(v, op == 0x43 ? WF_T_F32 : WF_T_F64);
  }
  case 0xD0:
    return wf_rd_reftype(r, &t) && push(v, t);
  case 0xD1:
    if (!pop_any(v, &t)) return false;
    if (t != T_UNKNOWN && !wf_is_reftype(t)) return mismatch(v);
    return push(v, WF_T_I32);
  case 0xD2:
    if (!wf_rd_u32(r, &x)) return false;
    if (x >= m->nfuncs) return wf_error_at(v->err, v->at, "unknown function %u", x);
    if (!v->vc->declared || !v->vc->declared[x])
      return wf_error_at(v->err, v->at, "undeclared function reference");
    return push(v, WF_T_FUNCREF);
  case 0xFC: return op_prefixed(v);
  case 0xFD: return wf_error_at(v->err, v->at, "SIMD is not supported (illegal opcode fd)");
  default:
    if (op >= 0x28 && op <= 0x3E) return op_memarg(v, op);
    if (op >= 0x45 && op <= 0xC4) return apply_sig(v, wf_opinfo[wf_opcode_lookup(op)].sig);
    return wf_error_at(v->err, v->at, "illegal opcode %02x", op);
  }
}

bool wf_validate_func(const wf_module_t *m, const wf_valctx_t *vc, wf_func_t *f,
                      wf_error_t *err) {
  val_t v = {0};
  v.m = m;
  v.vc = vc;
  v.f = f;
  v.ft = &m->types[f->type_idx];
  v.err = err;
  v.r = (wf_reader_t){m->bytes, f->code, f->code + f->code_len, m->bytes + m->len, err};
  v.at = f->code_offset;
  bool ok = push_ctrl(&v, K_FUNC, 0, NULL, v.ft->nresults, v.ft->results);
  bool done = false;
  while (ok && !done) ok = step(&v, &done);
  if (ok && v.r.p != v.r.end) ok = wf_error_at(err, wf_rd_off(&v.r), "section size mismatch");
  if (ok) {
    f->max_stack = v.max_stack;
    f->max_depth = v.max_depth;
  }
  free(v.vals);
  free(v.ctrls);
  return ok;
}
