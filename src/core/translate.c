/* Translation of a validated function body into the internal code of
 * interp.h: the operand stack is simulated, so operands name slots (a local
 * directly, a temporary's home slot) or carry constants as immediates;
 * branch targets are resolved to relative cell offsets; compare + br_if/if
 * pairs become one compare-and-branch; an instruction whose result is
 * immediately stored by local.set writes the local directly.
 *
 * The input has been validated, so this file trusts the stack discipline
 * and immediates; it still never reads outside the body and never trusts a
 * count for an allocation without growing buffers checked for overflow. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "../util/leb128.h"

#include "translate.h"

/* ---- buffers ---- */

static bool grow(void **buf, uint32_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t nc = *cap ? (size_t)*cap * 2 : 16;
  while (nc < need) nc *= 2;
  if (nc > UINT32_MAX / 2 || nc > SIZE_MAX / elem) return false;
  void *nb = realloc(*buf, nc * elem);
  if (!nb) return false;
  *buf = nb;
  *cap = (uint32_t)nc;
  return true;
}

static bool reserve(tr_t *t, size_t k) {
  if (t->oom) return false;
  if (t->n + k <= t->cap) return true;
  size_t nc = t->cap ? t->cap * 2 : 256;
  while (nc < t->n + k) nc *= 2;
  if (nc > ((size_t)1 << 28)) { t->oom = true; return false; }
  wf_cell_t *nb = realloc(t->code, nc * sizeof *nb);
  if (!nb) { t->oom = true; return false; }
  t->code = nb;
  t->cap = nc;
  return true;
}

/* Emit a handler cell; returns the instruction's position. Enough room for
 * the operand cells that follow is reserved here (callers with more than 6
 * operand cells reserve themselves). */
uint32_t wf_tr_emit_h(tr_t *t, uint32_t op) {
  t->cur_before = t->last.valid && t->n == t->last.end ? t->last.dst : INT32_MIN;
  t->last.valid = false;
  t->movpos = -1;
  t->addkpos = -1;
  t->addpos = -1;
  if (!reserve(t, 8)) return 0;
  t->code[t->n].h = t->H[op];
  return (uint32_t)t->n++;
}
uint32_t wf_tr_emit_ab(tr_t *t, int32_t a, int32_t b) {
  if (!reserve(t, 1)) return 0;
  t->code[t->n].u = 0;
  t->code[t->n].p.a = a;
  t->code[t->n].p.b = b;
  return (uint32_t)t->n++;
}
static void emit_u(tr_t *t, uint64_t u) {
  if (!reserve(t, 1)) return;
  t->code[t->n++].u = u;
}
static void add_rel(tr_t *t, uint32_t at, uint8_t kind, uint32_t idx) {
  rel_t **v = kind == R_CATCH_TAG ? &t->crel : &t->rel;
  uint32_t *n = kind == R_CATCH_TAG ? &t->ncrel : &t->nrel;
  uint32_t *cap = kind == R_CATCH_TAG ? &t->crcap : &t->rcap;
  if (!grow((void **)v, cap, (size_t)*n + 1, sizeof(rel_t))) {
    t->noshare = true;   /* still correct code, only not shared */
    return;
  }
  (*v)[(*n)++] = (rel_t){at, idx, kind};
}
/* A pointer to an object of the instance: kind and index of it (R_*). */
static void emit_ptr(tr_t *t, void *ptr, uint8_t kind, uint32_t idx) {
  if (!reserve(t, 1)) return;
  add_rel(t, (uint32_t)t->n, kind, idx);
  t->code[t->n].u = 0;
  t->code[t->n++].ptr = ptr;
}
/* Drop the cells from n on (an instruction replaced by a fused one), and
 * the relocations that pointed into them. */
void wf_tr_rewind_to(tr_t *t, size_t n) {
  t->n = n;
  while (t->nrel && t->rel[t->nrel - 1].at >= n) t->nrel--;
}
/* The current position becomes a branch target: nothing may be fused
 * across it. */
static size_t label_here(tr_t *t) {
  t->last.valid = false;
  t->fmul.valid = false;
  t->prod.valid = false;
  t->fload.valid = false;
  t->andk.valid = false;
  t->shlk.valid = false;
  t->iload.valid = false;
  t->addk.valid = false;
  t->rx.stage = 0;
  t->movpos = -1;
  t->addkpos = -1;
  t->addpos = -1;
  return t->n;
}

static void patch_rel(tr_t *t, uint32_t ins, uint32_t cell, size_t target) {
  if (t->oom) return;
  t->code[cell].p.b = (int32_t)((int64_t)target - (int64_t)ins);
}

/* ---- the simulated stack ---- */


static bool push(tr_t *t, sv_t v) {
  if (!grow((void **)&t->st, &t->scap, (size_t)t->sh + 1, sizeof(sv_t))) {
    t->oom = true;
    return false;
  }
  if (v.kind == V_LOCAL && t->sh < t->lo) t->lo = t->sh;
  t->st[t->sh++] = v;
  if (t->sh > t->maxh) t->maxh = t->sh;
  return true;
}
int32_t wf_tr_push_temp(tr_t *t) {
  sv_t v = {V_TEMP, 0, 0};
  push(t, v);
  return wf_tr_home(t, t->sh - 1);
}
static void push_local(tr_t *t, uint32_t x) { sv_t v = {V_LOCAL, x, 0}; push(t, v); }
static void push_const(tr_t *t, uint64_t k) { sv_t v = {V_CONST, 0, k}; push(t, v); }
static sv_t pop(tr_t *t) {
  if (t->sh == 0) { sv_t z = {V_TEMP, 0, 0}; return z; }   /* validated: not reached */
  return t->st[--t->sh];
}

void wf_tr_set_last(tr_t *t, uint32_t pos, uint32_t op, int32_t a, int32_t b, bool k,
                     uint32_t dcell, uint8_t dhalf, int32_t dst);
static void emit_const(tr_t *t, int32_t dst, uint64_t k) {
  uint32_t pos = wf_tr_emit_h(t, WF_X_CONST);
  uint32_t dc = wf_tr_emit_ab(t, dst, 0);
  emit_u(t, k);
  wf_tr_set_last(t, pos, WF_X_CONST, 0, 0, false, dc, 0, dst);   /* a value producer */
  t->last.norewind = true;
}

/* A MOV (merged into the MOVn before it when possible). Its destination is
 * written last, so it is a `last` like any value producer (never rewound). */
static void emit_mov(tr_t *t, int32_t src, int32_t dst) {
  if (src == dst) return;
  if (t->movpos >= 0 && !t->oom) {   /* MOVn; MOV -> MOVn+1 */
    static const uint32_t next[4] = {0, WF_X_MOV2, WF_X_MOV3, WF_X_MOV4};
    uint32_t first = (uint32_t)t->movpos;
    t->code[first].h = t->H[next[t->movcnt]];
    t->movcnt++;
    if (t->movcnt == 4) t->movpos = -1;
    uint32_t dc = wf_tr_emit_ab(t, src, dst);
    wf_tr_set_last(t, first, WF_X_MOV, src, 0, false, dc, 1, dst);
    t->last.norewind = true;
    return;
  }
  uint32_t pos = wf_tr_emit_h(t, WF_X_MOV);
  uint32_t dc = wf_tr_emit_ab(t, src, dst);
  if (!t->oom) { t->movpos = pos; t->movcnt = 1; }
  wf_tr_set_last(t, pos, WF_X_MOV, src, 0, false, dc, 1, dst);
  t->last.norewind = true;
}

/* The slot holding constant k, or -1 when the function has too many. */
int32_t wf_tr_const_slot(tr_t *t, uint64_t k) {
  uint32_t h = (uint32_t)((k * 0x9E3779B97F4A7C15ull) >> 53) & (KHASH - 1);
  for (;;) {
    uint32_t e = t->khash[h];
    if (!e) break;
    if (t->kv[e - 1] == k) return (int32_t)((t->cbase + e - 1) * 8u);
    h = (h + 1) & (KHASH - 1);
  }
  if (t->nk >= t->kmax) return -1;
  if (!grow((void **)&t->kv, &t->kcap, (size_t)t->nk + 1, sizeof(uint64_t))) {
    t->oom = true;
    return -1;
  }
  t->kv[t->nk++] = k;
  t->khash[h] = t->nk;
  return (int32_t)((t->cbase + t->nk - 1) * 8u);
}

/* Write constant k to slot dst. */
static void emit_const_to(tr_t *t, int32_t dst, uint64_t k) {
  int32_t ks = wf_tr_const_slot(t, k);
  if (ks >= 0) emit_mov(t, ks, dst);
  else emit_const(t, dst, k);
}

/* Make stack entry pos live in its home slot. */
static void to_home(tr_t *t, uint32_t pos) {
  sv_t *v = &t->st[pos];
  if (v->kind == V_LOCAL) emit_mov(t, wf_tr_loff(v->local), wf_tr_home(t, pos));
  else if (v->kind == V_CONST) emit_const_to(t, wf_tr_home(t, pos), v->k);
  v->kind = V_TEMP;
}

/* The slot an operand is read from (a constant is materialized). */
int32_t wf_tr_opnd(tr_t *t, uint32_t pos, const sv_t *v) {
  if (v->kind == V_LOCAL) return wf_tr_loff(v->local);
  if (v->kind == V_CONST) {
    int32_t ks = wf_tr_const_slot(t, v->k);
    if (ks >= 0) return ks;
    emit_const(t, wf_tr_home(t, pos), v->k);
  }
  return wf_tr_home(t, pos);
}

/* Copy every pending reference to a local into its home slot (before a
 * block, whose arms must agree on where values live). */
static void spill_locals(tr_t *t) {
  for (uint32_t i = t->lo; i < t->sh; i++)
    if (t->st[i].kind == V_LOCAL) to_home(t, i);
  t->lo = t->sh;
}

/* Local x is about to be written: copy pending references to it (below
 * position `below`) into their home slots. */
static void spill_refs(tr_t *t, uint32_t x, uint32_t below) {
  if (t->lo >= below) return;
  if (below - t->lo > 32) {
    /* long scan: spill everything so the next scan starts high */
    for (uint32_t i = t->lo; i < below; i++)
      if (t->st[i].kind == V_LOCAL) to_home(t, i);
    t->lo = below;
    return;
  }
  for (uint32_t i = t->lo; i < below; i++)
    if (t->st[i].kind == V_LOCAL && t->st[i].local == x) to_home(t, i);
}

/* Set `last` after emitting an instruction with a plain destination. */
void wf_tr_set_last(tr_t *t, uint32_t pos, uint32_t op, int32_t a, int32_t b, bool k,
                     uint32_t dcell, uint8_t dhalf, int32_t dst) {
  if (t->oom) return;
  t->last.valid = true;
  t->last.pos = pos;
  t->last.op = op;
  t->last.a = a;
  t->last.b = b;
  t->last.k = k;
  t->last.dcell = dcell;
  t->last.dhalf = dhalf;
  t->last.dst = dst;
  t->last.norewind = false;
  t->last.pv = false;
  t->last.before = t->cur_before;
  t->last.end = t->n;
}

/* Before emitting a compare with left operand slot ao: is it the result of
 * the I32_ADD_K just emitted? Then remember it for a loop-closing fusion. */
typedef struct { bool ok, reg; uint32_t pos; int32_t a, imm; } pv_t;
static pv_t prev_addk(tr_t *t, int32_t ao) {
  pv_t r = {false, false, 0, 0, 0};
  if (t->last.valid && !t->last.norewind && t->last.op == WF_OP_I32_ADD &&
      t->last.dst == ao) {
    r.ok = true;
    r.reg = !t->last.k;   /* a + slot: the ABR_x forms */
    r.pos = t->last.pos;
    r.a = t->last.a;
    r.imm = t->last.b;
  }
  return r;
}
static void set_pv(tr_t *t, pv_t pv) {
  if (!pv.ok || !t->last.valid) return;
  t->last.pv = true;
  t->last.pvreg = pv.reg;
  t->last.pvpos = pv.pos;
  t->last.pva = pv.a;
  t->last.pvimm = pv.imm;
}

/* ---- reading the body ---- */

static uint32_t rd_u32(tr_t *t) {
  uint64_t v = 0;
  if (wf_leb_read_u(&t->p, t->end, 32, &v) != WF_LEB_OK) t->p = t->end;
  return (uint32_t)v;
}
static int64_t rd_s(tr_t *t, unsigned bits) {
  int64_t v = 0;
  if (wf_leb_read_s(&t->p, t->end, bits, &v) != WF_LEB_OK) t->p = t->end;
  return v;
}
static uint64_t rd_raw(tr_t *t, unsigned n) {
  uint64_t v = 0;
  if ((size_t)(t->end - t->p) < n) { t->p = t->end; return 0; }
  memcpy(&v, t->p, n);
  t->p += n;
  return v;
}

/* A memory index immediate (see wf_rd_memidx in decode_internal.h). */
static uint32_t rd_memidx(tr_t *t) {
  if (t->m->nmems > 1) return rd_u32(t);
  (void)rd_raw(t, 1);
  return 0;
}
/* A memarg: returns the offset, *mem the memory index. */
static uint32_t rd_memarg(tr_t *t, uint32_t *mem) {
  uint32_t flags = rd_u32(t);
  *mem = flags & WF_MEMARG_HAS_MEM ? rd_u32(t) : 0;
  return rd_u32(t);
}
/* try_table's catch clauses, skipped (unreachable code). */
static void skip_catches(tr_t *t) {
  uint32_t n = rd_u32(t);
  for (uint32_t i = 0; i < n && t->p < t->end; i++) {
    uint8_t kind = (uint8_t)rd_raw(t, 1);
    if (kind <= WF_CATCH_REF) (void)rd_u32(t);
    (void)rd_u32(t);
  }
}

static void blocktype(tr_t *t, uint32_t *np, uint32_t *nr) {
  int64_t bt = rd_s(t, 33);
  *np = 0;
  *nr = 0;
  if (bt == -64) return;           /* 0x40: empty */
  if (bt < 0) { *nr = 1; return; } /* a value type */
  if ((uint64_t)bt < t->m->ntypes) {
    *np = t->m->types[bt].nparams;
    *nr = t->m->types[bt].nresults;
  }
}

/* Skip the immediates of op (unreachable code is not translated). */
static void skip_imm(tr_t *t, int op) {
  switch (wf_opinfo[op].imm) {
    case WF_IMM_NONE: break;
    case WF_IMM_MEMORY_COPY: (void)rd_memidx(t); (void)rd_memidx(t); break;
    case WF_IMM_MEMARG: { uint32_t mem; (void)rd_memarg(t, &mem); break; }
    case WF_IMM_TRY_TABLE: (void)rd_s(t, 33); skip_catches(t); break;
    case WF_IMM_BLOCKTYPE: (void)rd_s(t, 33); break;
    case WF_IMM_BR_TABLE: {
      uint32_t n = rd_u32(t);
      for (uint64_t i = 0; i <= n && t->p < t->end; i++) (void)rd_u32(t);
      break;
    }
    case WF_IMM_CALL_INDIRECT: case WF_IMM_TABLE_INIT:
    case WF_IMM_TABLE_COPY:
      (void)rd_u32(t); (void)rd_u32(t); break;
    case WF_IMM_MEMORY_INIT: (void)rd_u32(t); (void)rd_memidx(t); break;
    case WF_IMM_MEM: (void)rd_memidx(t); break;
    case WF_IMM_REFTYPE: (void)rd_raw(t, 1); break;
    case WF_IMM_I32: (void)rd_s(t, 32); break;
    case WF_IMM_I64: (void)rd_s(t, 64); break;
    case WF_IMM_F32: (void)rd_raw(t, 4); break;
    case WF_IMM_F64: (void)rd_raw(t, 8); break;
    case WF_IMM_SELECT_T: {
      uint32_t n = rd_u32(t);
      for (uint64_t i = 0; i < n && t->p < t->end; i++) (void)rd_raw(t, 1);
      break;
    }
    default: (void)rd_u32(t); break;   /* LABEL FUNC LOCAL GLOBAL TABLE DATA ELEM */
  }
}

/* ---- control ---- */

static bool push_ctl(tr_t *t, uint8_t kind, uint32_t np, uint32_t nr) {
  if (!grow((void **)&t->ctl, &t->ccap, (size_t)t->nctl + 1, sizeof(ctl_t))) {
    t->oom = true;
    return false;
  }
  ctl_t *c = &t->ctl[t->nctl++];
  c->kind = kind;
  c->height = t->sh >= np ? t->sh - np : 0;
  c->nparams = np;
  c->nresults = nr;
  c->loop_pos = (uint32_t)label_here(t);
  c->fix = -1;
  c->else_ins = c->else_cell = -1;
  c->try_idx = -1;
  return true;
}

static void add_fix(tr_t *t, ctl_t *c, uint32_t ins, uint32_t cell) {
  if (t->oom) return;
  if (!grow((void **)&t->fix, &t->fcap, (size_t)t->nfix + 1, sizeof(fix_t))) {
    t->oom = true;
    return;
  }
  t->fix[t->nfix].ins = ins;
  t->fix[t->nfix].cell = cell;
  t->fix[t->nfix].next = c->fix;
  c->fix = (int32_t)t->nfix++;
}

/* Copy the top n stack values to the slots dst, dst+8, ... without changing
 * the simulated stack (the copies may run on one path only). */
static void emit_moves(tr_t *t, uint32_t n, int32_t dst) {
  if (n > t->sh) return;
  uint32_t base = t->sh - n;
  /* One value just computed: let its instruction write the target slot
   * directly. (Conditional paths always start with a branch, which leaves
   * no `last`, so this only happens where the stack is being abandoned.) */
  if (n == 1 && t->st[base].kind == V_TEMP && t->last.valid && !t->oom &&
      t->last.dst == wf_tr_home(t, base) && dst != wf_tr_home(t, base)) {
    wf_cell_t *dc = &t->code[t->last.dcell];
    if (t->last.dhalf) dc->p.b = dst; else dc->p.a = dst;
    t->last.valid = false;
    return;
  }
  /* A source local that an earlier copy would overwrite goes through its
   * home slot first (only possible when copying to the result slots). */
  for (uint32_t i = 0; i < n; i++) {
    sv_t *v = &t->st[base + i];
    if (v->kind != V_LOCAL) continue;
    int32_t o = wf_tr_loff(v->local);
    if (o >= dst && o < dst + (int32_t)(8 * i)) emit_mov(t, o, wf_tr_home(t, base + i));
  }
  for (uint32_t i = 0; i < n; i++) {
    sv_t *v = &t->st[base + i];
    int32_t d = dst + (int32_t)(8 * i);
    if (v->kind == V_CONST) { emit_const_to(t, d, v->k); continue; }
    int32_t s = wf_tr_home(t, base + i);
    if (v->kind == V_LOCAL) {
      int32_t o = wf_tr_loff(v->local);
      if (!(o >= dst && o < dst + (int32_t)(8 * i))) s = o;
    }
    emit_mov(t, s, d);
  }
}

static bool moves_needed(tr_t *t, uint32_t n, int32_t dst) {
  if (n > t->sh) return true;
  uint32_t base = t->sh - n;
  for (uint32_t i = 0; i < n; i++) {
    sv_t *v = &t->st[base + i];
    if (v->kind != V_TEMP || wf_tr_home(t, base + i) != dst + (int32_t)(8 * i)) return true;
  }
  return false;
}

static uint32_t label_arity(const ctl_t *c) { return c->kind == C_LOOP ? c->nparams : c->nresults; }


static void emit_return(tr_t *t) {
  const ctl_t *f = &t->ctl[0];
  if (f->nresults == 1 && t->sh >= 1) {
    /* one result: let its producer write slot 0, or copy it in RET1 */
    sv_t *v = &t->st[t->sh - 1];
    bool produced = v->kind == V_TEMP && t->last.valid && t->last.dst == wf_tr_home(t, t->sh - 1);
    if (!produced) {
      int32_t s = v->kind == V_LOCAL ? wf_tr_loff(v->local)
                : v->kind == V_CONST ? wf_tr_const_slot(t, v->k) : wf_tr_home(t, t->sh - 1);
      if (s > 0) {
        wf_tr_emit_h(t, WF_X_RET1);
        wf_tr_emit_ab(t, s, 0);
        return;
      }
    }
  }
  emit_moves(t, f->nresults, 0);
  wf_tr_emit_h(t, WF_X_RET);
}

/* A BR right after a MOVn (n = 1..4, nothing in between): make it a
 * MOVn_BR, its [-|rel] cell appended; ins and cell for the patch. */
static bool mov_br(tr_t *t, uint32_t *ins, uint32_t *cell) {
  if (t->oom || !t->last.valid || t->last.op != WF_X_MOV || t->n != t->last.end)
    return false;
  static const uint32_t mv[4] = {WF_X_MOV, WF_X_MOV2, WF_X_MOV3, WF_X_MOV4};
  static const uint32_t mb[4] = {WF_X_MOV_BR, WF_X_MOV2_BR, WF_X_MOV3_BR, WF_X_MOV4_BR};
  uint32_t pos = t->last.pos;
  for (uint32_t k = 0; k < 4; k++) {
    if (t->code[pos].h != t->H[mv[k]] || t->last.end != pos + 2 + k) continue;
    t->code[pos].h = t->H[mb[k]];
    /* nothing fuses with a branch (as after emit_h) */
    t->last.valid = false;
    t->movpos = t->addkpos = t->addpos = -1;
    *ins = pos;
    *cell = wf_tr_emit_ab(t, 0, 0);
    return true;
  }
  return false;
}

/* Unconditional branch to label depth d (moves included). */
static void emit_br(tr_t *t, uint32_t d) {
  if (d >= t->nctl) return;
  ctl_t *c = &t->ctl[t->nctl - 1 - d];
  if (c->kind == C_FUNC) { emit_return(t); return; }
  uint32_t n = label_arity(c);
  emit_moves(t, n, wf_tr_home(t, c->height));
  uint32_t ins, cell;
  if (!mov_br(t, &ins, &cell)) {
    ins = wf_tr_emit_h(t, WF_X_BR);
    cell = wf_tr_emit_ab(t, 0, 0);
  }
  if (c->kind == C_LOOP) patch_rel(t, ins, cell, c->loop_pos);
  else add_fix(t, c, ins, cell);
}

static int brc_index(uint32_t op) {
  switch (op) {
#define X(n) case WF_OP_##n: return 1;
    WF_BRCOPS(X)
#undef X
    default: return 0;
  }
}
static uint32_t brc_op(uint32_t op, bool k) {
  switch (op) {
#define X(n) case WF_OP_##n: return k ? WF_X_BRC_##n##_K : WF_X_BRC_##n;
    WF_BRCOPS(X)
#undef X
    default: return 0;
  }
}
static uint32_t brc_acc_op(uint32_t op, bool k) {
  switch (op) {
#define X(n) case WF_OP_##n: return k ? WF_X_BRC_##n##_KA : WF_X_BRC_##n##_A;
    WF_BRCOPS(X)
#undef X
    default: return 0;
  }
}
static uint32_t loop_op(uint32_t op, bool k, bool reg) {
  switch (op) {
#define X(n) case WF_OP_##n: \
    return reg ? (k ? WF_X_ABR_##n##_K : WF_X_ABR_##n) : k ? WF_X_AB_##n##_K : WF_X_AB_##n;
    WF_LOOPOPS(X)
#undef X
    default: return 0;
  }
}
static uint32_t lbrc_op(uint32_t op, bool k, bool b8) {
  switch (op) {
#define X(n) case WF_OP_##n: \
    return b8 ? (k ? WF_X_LBRC8_##n##_K : WF_X_LBRC8_##n) : k ? WF_X_LBRC_##n##_K : WF_X_LBRC_##n;
    WF_LOOPOPS(X)
#undef X
    default: return 0;
  }
}
static uint32_t bra_op(uint32_t op) {
  switch (op) {
#define X(n) case WF_OP_##n: return WF_X_BRA_##n;
    WF_LOOPOPS(X)
#undef X
    default: return 0;
  }
}
static uint32_t fbrc_op(uint32_t op, bool when_true) {
  switch (op) {
#define X(n) case WF_OP_##n: return when_true ? WF_X_BRC_##n : WF_X_BRCN_##n;
    WF_FBRCOPS(X)
#undef X
    default: return 0;
  }
}
static uint32_t negate_cmp(uint32_t op) {
  switch (op) {
    case WF_OP_I32_EQ: return WF_OP_I32_NE;     case WF_OP_I32_NE: return WF_OP_I32_EQ;
    case WF_OP_I32_LT_S: return WF_OP_I32_GE_S; case WF_OP_I32_GE_S: return WF_OP_I32_LT_S;
    case WF_OP_I32_LT_U: return WF_OP_I32_GE_U; case WF_OP_I32_GE_U: return WF_OP_I32_LT_U;
    case WF_OP_I32_GT_S: return WF_OP_I32_LE_S; case WF_OP_I32_LE_S: return WF_OP_I32_GT_S;
    case WF_OP_I32_GT_U: return WF_OP_I32_LE_U; case WF_OP_I32_LE_U: return WF_OP_I32_GT_U;
    case WF_OP_I64_EQ: return WF_OP_I64_NE;     case WF_OP_I64_NE: return WF_OP_I64_EQ;
    case WF_OP_I64_LT_S: return WF_OP_I64_GE_S; case WF_OP_I64_GE_S: return WF_OP_I64_LT_S;
    case WF_OP_I64_LT_U: return WF_OP_I64_GE_U; case WF_OP_I64_GE_U: return WF_OP_I64_LT_U;
    case WF_OP_I64_GT_S: return WF_OP_I64_LE_S; case WF_OP_I64_LE_S: return WF_OP_I64_GT_S;
    case WF_OP_I64_GT_U: return WF_OP_I64_LE_U; case WF_OP_I64_LE_U: return WF_OP_I64_GT_U;
    default: return op;
  }
}

/* Emit a branch taken when (cond != 0) == when_true; cond was at stack
 * position cpos (already popped). Returns the instruction and the cell that
 * holds the relative target. */
static void emit_condbr(tr_t *t, sv_t c, uint32_t cpos, bool when_true, uint32_t *ins,
                        uint32_t *cell) {
  if (c.kind == V_TEMP && t->last.valid && !t->last.norewind && t->last.dst == wf_tr_home(t, cpos)) {
    uint32_t op = t->last.op;
    if (brc_index(op)) {
      int32_t a = t->last.a, b = t->last.b;
      bool k = t->last.k;
      if (!when_true) op = negate_cmp(op);
      uint32_t lop = t->last.pv ? loop_op(op, k, t->last.pvreg) : 0;
      if (lop) {                                /* drop the add and the compare */
        int32_t pa = t->last.pva, pimm = t->last.pvimm;
        wf_tr_rewind_to(t, t->last.pvpos);
        *ins = wf_tr_emit_h(t, lop);
        wf_tr_emit_ab(t, pa, pimm);
        wf_tr_emit_ab(t, a, b);
        *cell = wf_tr_emit_ab(t, 0, 0);
        return;
      }
      /* a compare of the value just loaded (which is still written: it
       * may be a local): LBRC_x / LBRC8_x */
      uint32_t lb = lbrc_op(op, k, false);
      if (lb && t->iload.valid && !t->oom && t->iload.end == t->last.pos &&
          t->iload.end == t->iload.pos + 3) {
        const wf_cell_t *lc = &t->code[t->iload.pos];
        bool b8 = lc[0].h == t->H[WF_OP_I32_LOAD8_U] || lc[0].h == t->H[WF_X_I32_LOAD8_U_A];
        bool b32 = lc[0].h == t->H[WF_OP_I32_LOAD] || lc[0].h == t->H[WF_X_I32_LOAD_A];
        int32_t la = lc[1].p.a, ld = lc[1].p.b;
        uint32_t loff_ = (uint32_t)lc[2].u;   /* a memarg offset: 32 bits */
        if ((b8 || b32) && ld == a && b != ld) {
          wf_tr_rewind_to(t, t->iload.pos);
          t->iload.valid = false;
          *ins = wf_tr_emit_h(t, lbrc_op(op, k, b8));
          wf_tr_emit_ab(t, la, ld);
          *cell = wf_tr_emit_ab(t, b, 0);
          wf_tr_emit_ab(t, (int32_t)loff_, 0);
          return;
        }
      }
      /* (x & mask) cmp imm, the mask a temporary read only here: BRA_x */
      uint32_t bra = k ? bra_op(op) : 0;
      if (bra && t->andk.valid && !t->oom && t->andk.end == t->last.pos &&
          t->andk.dst == a && a >= (int32_t)(t->T * 8u) && t->andk.end == t->andk.pos + 3) {
        const wf_cell_t *ac = &t->code[t->andk.pos];
        if ((ac[0].h == t->H[WF_X_I32_AND_K] || ac[0].h == t->H[WF_X_I32_AND_KA]) &&
            ac[1].p.a == t->andk.a && ac[1].p.b == t->andk.mask && ac[2].p.a == a) {
          int32_t x = t->andk.a, mask = t->andk.mask;
          wf_tr_rewind_to(t, t->andk.pos);
          t->andk.valid = false;
          *ins = wf_tr_emit_h(t, bra);
          wf_tr_emit_ab(t, x, mask);
          *cell = wf_tr_emit_ab(t, b, 0);
          return;
        }
      }
      int32_t before = t->last.before;
      wf_tr_rewind_to(t, t->last.pos);                       /* drop the compare */
      bool fwd = before != INT32_MIN && a == before;   /* a is in acc */
      *ins = wf_tr_emit_h(t, fwd ? brc_acc_op(op, k) : brc_op(op, k));
      wf_tr_emit_ab(t, a, b);
      *cell = wf_tr_emit_ab(t, 0, 0);
      return;
    }
    if (fbrc_op(op, true)) {
      int32_t a = t->last.a, b = t->last.b;
      wf_tr_rewind_to(t, t->last.pos);
      *ins = wf_tr_emit_h(t, fbrc_op(op, when_true));
      wf_tr_emit_ab(t, a, b);
      *cell = wf_tr_emit_ab(t, 0, 0);
      return;
    }
    if (op == WF_OP_I32_EQZ && !t->last.norewind) {
      int32_t a = t->last.a;
      wf_tr_rewind_to(t, t->last.pos);
      *ins = wf_tr_emit_h(t, when_true ? WF_X_BR_IFZ : WF_X_BR_IF);
      *cell = wf_tr_emit_ab(t, a, 0);
      return;
    }
  }
  if (c.kind == V_LOCAL && t->last.valid && !t->last.norewind &&
      t->last.dst == wf_tr_loff(c.local) && t->last.op == WF_OP_I32_ADD && t->last.k) {
    int32_t a = t->last.a, imm = t->last.b, d = t->last.dst;
    wf_tr_rewind_to(t, t->last.pos);
    *ins = wf_tr_emit_h(t, when_true ? WF_X_ADDK_BRNZ : WF_X_ADDK_BRZ);
    wf_tr_emit_ab(t, a, imm);
    *cell = wf_tr_emit_ab(t, d, 0);
    return;
  }
  int32_t s = wf_tr_opnd(t, cpos, &c);
  *ins = wf_tr_emit_h(t, when_true ? WF_X_BR_IF : WF_X_BR_IFZ);
  *cell = wf_tr_emit_ab(t, s, 0);
}

static void do_br_if(tr_t *t, uint32_t d) {
  sv_t c = pop(t);
  uint32_t cpos = t->sh;
  if (d >= t->nctl) return;
  ctl_t *lc = &t->ctl[t->nctl - 1 - d];
  uint32_t n = label_arity(lc), ins, cell;
  if (lc->kind != C_FUNC && !moves_needed(t, n, wf_tr_home(t, lc->height))) {
    emit_condbr(t, c, cpos, true, &ins, &cell);
    if (lc->kind == C_LOOP) patch_rel(t, ins, cell, lc->loop_pos);
    else add_fix(t, lc, ins, cell);
    return;
  }
  emit_condbr(t, c, cpos, false, &ins, &cell);
  emit_br(t, d);
  patch_rel(t, ins, cell, label_here(t));
}

static void do_br_table(tr_t *t) {
  uint32_t n = rd_u32(t);
  if ((uint64_t)n + 1 > (size_t)(t->end - t->p)) { t->p = t->end; return; }
  sv_t iv = pop(t);
  int32_t idx = wf_tr_opnd(t, t->sh, &iv);
  const uint8_t *labels = t->p;
  for (uint32_t i = 0; i <= n; i++) (void)rd_u32(t);
  if (!reserve(t, (size_t)n + 16)) return;
  uint32_t ins = wf_tr_emit_h(t, WF_X_BR_TABLE);
  wf_tr_emit_ab(t, idx, (int32_t)n);
  uint32_t first = (uint32_t)t->n;
  for (uint32_t i = 0; i <= n; i++) wf_tr_emit_ab(t, 0, 0);
  /* Stubs for targets that need moves, shared per label depth. */
  int32_t *stub = calloc(t->nctl, sizeof *stub);
  if (!stub) { t->oom = true; return; }
  const uint8_t *q = labels;
  for (uint32_t i = 0; i <= n; i++) {
    uint64_t d = 0;
    if (wf_leb_read_u(&q, t->end, 32, &d) != WF_LEB_OK || d >= t->nctl) continue;
    ctl_t *lc = &t->ctl[t->nctl - 1 - d];
    uint32_t cell = first + i;
    if (lc->kind != C_FUNC && !moves_needed(t, label_arity(lc), wf_tr_home(t, lc->height))) {
      if (lc->kind == C_LOOP) patch_rel(t, ins, cell, lc->loop_pos);
      else add_fix(t, lc, ins, cell);
      continue;
    }
    if (!stub[d]) {
      stub[d] = (int32_t)label_here(t);
      emit_br(t, (uint32_t)d);
    }
    patch_rel(t, ins, cell, (size_t)stub[d]);
  }
  free(stub);
}

static void do_end_label(tr_t *t, ctl_t *c) {
  size_t here = label_here(t);
  for (int32_t f = c->fix; f >= 0; f = t->fix[f].next)
    patch_rel(t, t->fix[f].ins, t->fix[f].cell, here);
  t->last.valid = false;
}

/* ---- locals ---- */

static void do_local_set(tr_t *t, uint32_t x, bool tee) {
  if (t->sh == 0) return;
  uint32_t top = t->sh - 1;
  sv_t v = t->st[top];
  spill_refs(t, x, top);   /* a spill MOV becomes `last`: no retarget below */
  int32_t xo = wf_tr_loff(x);
  if (v.kind == V_LOCAL) {
    emit_mov(t, wf_tr_loff(v.local), xo);
  } else if (v.kind == V_CONST) {
    emit_const_to(t, xo, v.k);
  } else if (t->last.valid && t->last.dst == wf_tr_home(t, top) && !t->oom) {
    wf_cell_t *dc = &t->code[t->last.dcell];
    if (t->last.dhalf) dc->p.b = xo; else dc->p.a = xo;
    /* Keep `last`, now writing the local: readers of the local may take the
     * value from acc, and br_if on it may fuse (ADDK_BRNZ). Fusions that
     * rewind `last` only match temporaries, never a local's slot. */
    t->last.dst = xo;
    t->sh--;
    if (tee) push_local(t, x);
    return;
  } else {
    emit_mov(t, wf_tr_home(t, top), xo);
  }
  /* `last` is the MOV writing x (or nothing new was emitted) */
  t->sh--;
  if (tee) push_local(t, x);
}

static void do_plain(tr_t *t, uint32_t op) {
  const char *sig = wf_opinfo[op].sig;
  unsigned np = 0;
  while (sig[np] && sig[np] != ':') np++;
  if (wf_opinfo[op].imm == WF_IMM_MEMARG) {
    uint32_t mem;
    uint32_t off = rd_memarg(t, &mem);
    if (mem != 0) {   /* another memory than 0: the generic forms */
      if (mem >= t->m->nmems) { t->oom = true; return; }
      if (np == 1) {
        sv_t a = pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, WF_X_LOAD_M);
        wf_tr_emit_ab(t, ao, d);
        emit_u(t, off);
        emit_ptr(t, t->inst->mems[mem], R_MEM, mem);
        wf_tr_emit_ab(t, (int32_t)op, 0);
      } else {
        sv_t v = pop(t);
        sv_t a = pop(t);
        int32_t vo = wf_tr_opnd(t, t->sh + 1, &v);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        wf_tr_emit_h(t, WF_X_STORE_M);
        wf_tr_emit_ab(t, ao, vo);
        emit_u(t, off);
        emit_ptr(t, t->inst->mems[mem], R_MEM, mem);
        wf_tr_emit_ab(t, (int32_t)op, 0);
      }
      return;
    }
    if (np == 1) {   /* load */
      sv_t a = pop(t);
      if (wf_tr_fuse_addr(t, op, a, t->sh, -1, off)) return;
      int32_t ao = wf_tr_opnd(t, t->sh, &a);
      bool fwd = t->last.valid && t->last.dst == ao;
      int32_t d = wf_tr_push_temp(t);
      uint32_t pos = wf_tr_emit_h(t, fwd ? wf_tr_load_acc_op(op, false) : op);
      uint32_t dc = wf_tr_emit_ab(t, ao, d);
      emit_u(t, off);
      wf_tr_set_last(t, pos, op, ao, (int32_t)off, false, dc, 1, d);
      if ((op == WF_OP_I32_LOAD || op == WF_OP_I32_LOAD8_U) && !t->oom) {
        t->iload.valid = true;
        t->iload.pos = pos;
        t->iload.end = t->n;
      }
      if (op == WF_OP_F64_LOAD && !t->oom) {
        t->fload.valid = true;
        t->fload.pos = pos;
        t->fload.end = t->n;
        t->fload.addr = ao;
        t->fload.off = (int32_t)off;
        t->fload.dst = d;
      }
    } else {         /* store */
      sv_t v = pop(t);
      sv_t a = pop(t);
      int32_t vo = wf_tr_opnd(t, t->sh + 1, &v);
      if (wf_tr_fuse_rmw(t, op, v, a, t->sh, off)) return;
      if (wf_tr_fuse_copy(t, op, v, a, t->sh, off)) return;
      if (wf_tr_fuse_opstore(t, op, v, a, t->sh, off)) return;
      if (wf_tr_fuse_addr(t, op, a, t->sh, vo, off)) return;
      int32_t ao = wf_tr_opnd(t, t->sh, &a);
      wf_tr_emit_h(t, op);
      wf_tr_emit_ab(t, ao, vo);
      emit_u(t, off);
    }
    return;
  }
  if (np == 1) {
    sv_t a = pop(t);
    int32_t ao = wf_tr_opnd(t, t->sh, &a);
    int32_t d = wf_tr_push_temp(t);
    uint32_t pos = wf_tr_emit_h(t, op);
    uint32_t dc = wf_tr_emit_ab(t, ao, d);
    wf_tr_set_last(t, pos, op, ao, 0, false, dc, 1, d);
    return;
  }
  /* binary */
  sv_t b = pop(t);
  sv_t a = pop(t);
  uint32_t pa = t->sh, pb = t->sh + 1;
  uint32_t kop = wf_tr_kop_of(op);
  if (kop && a.kind == V_CONST && b.kind != V_CONST && wf_tr_commutative(op)) {
    sv_t tmp = a; a = b; b = tmp;
    pa = t->sh + 1; pb = t->sh;
  }
  if (kop && b.kind == V_CONST && wf_tr_fits_imm(op, b.k)) {
    int32_t ao = wf_tr_opnd(t, pa, &a);
    int32_t imm = (int32_t)(uint32_t)b.k;
    if (a.kind == V_TEMP && t->last.valid && t->last.dst == wf_tr_home(t, pa) &&
        wf_tr_fuse_pair(t, op, true, imm, true))
      return;
    bool fwd = t->last.valid && t->last.dst == ao;
    pv_t pv = prev_addk(t, ao);
    int32_t d = wf_tr_push_temp(t);
    if (kop == WF_X_I32_ADD_K && t->addkpos >= 0 && !t->oom) {   /* pair up */
      uint32_t first = (uint32_t)t->addkpos;
      t->code[first].h = t->H[WF_X_I32_ADD_K2];
      t->addkpos = -1;
      wf_tr_emit_ab(t, ao, imm);
      uint32_t dc = wf_tr_emit_ab(t, d, 0);
      wf_tr_set_last(t, first, op, ao, imm, true, dc, 0, d);
      t->last.norewind = true;
      return;
    }
    uint32_t pos = wf_tr_emit_h(t, fwd ? wf_tr_acc_op(op, 2) : kop);
    wf_tr_emit_ab(t, ao, imm);
    uint32_t dc = wf_tr_emit_ab(t, d, 0);
    wf_tr_set_last(t, pos, op, ao, imm, true, dc, 0, d);
    set_pv(t, pv);
    if (op == WF_OP_I32_SHL && !t->oom) {
      t->shlk.valid = true;
      t->shlk.pos = pos;
      t->shlk.end = t->n;
      t->shlk.a = ao;
      t->shlk.sh = imm;
      t->shlk.dst = d;
    }
    if (op == WF_OP_I32_AND && !t->oom) {
      t->andk.valid = true;
      t->andk.pos = pos;
      t->andk.end = t->n;
      t->andk.a = ao;
      t->andk.mask = imm;
      t->andk.dst = d;
    }
    /* a rotate/xor chain may start here (unless this is its next step) */
    if (op == WF_OP_I32_ROTL && !t->oom && !(t->rx.stage && t->rx.end == pos && t->rx.x == ao)) {
      t->rx.stage = 1;
      t->rx.pos1 = pos;
      t->rx.end = t->n;
      t->rx.x = ao;
      t->rx.k1 = imm;
      t->rx.dst = d;
    }
    if (kop == WF_X_I32_ADD_K && !t->oom) {
      t->addkpos = pos;
      t->addk.valid = true;
      t->addk.pos = pos;
      t->addk.end = t->n;
    }
    return;
  }
  int32_t ao = wf_tr_opnd(t, pa, &a);
  int32_t bo = wf_tr_opnd(t, pb, &b);
  /* an operand loaded by the instruction just emitted: fuse the load */
  uint32_t lop = wf_tr_marith_load(op);
  if (lop && t->last.valid && !t->last.norewind && t->last.op == lop) {
    bool fb = b.kind == V_TEMP && t->last.dst == wf_tr_home(t, pb);
    bool fa = !fb && a.kind == V_TEMP && t->last.dst == wf_tr_home(t, pa);
    if (fa || fb) {
      int32_t addr = t->last.a, off = t->last.b;
      wf_tr_rewind_to(t, t->last.pos);
      int32_t d = wf_tr_push_temp(t);
      uint32_t mop = wf_tr_marith_op(op, fa);
      int32_t x = fb ? ao : bo;
      uint32_t pos = wf_tr_emit_h(t, mop);
      wf_tr_emit_ab(t, x, addr);
      uint32_t dc = wf_tr_emit_ab(t, d, off);
      wf_tr_set_last(t, pos, mop, x, addr, false, dc, 0, d);
      t->last.off = off;
      if ((mop == WF_X_F64_MUL_MB || mop == WF_X_F64_MUL_MA) && !t->oom) {
        t->fmul.valid = true;
        t->fmul.ma = mop == WF_X_F64_MUL_MA;
        t->fmul.pos = pos;
        t->fmul.end = t->n;
        t->fmul.x = x;
        t->fmul.addr = addr;
        t->fmul.off = off;
        t->fmul.dst = d;
      }
      return;
    }
  }
  /* the same with a load whose address was fused (RR / RK) */
  if (lop && t->last.valid && !t->last.norewind &&
      (t->last.op == wf_tr_memop_rr(lop, false) || t->last.op == wf_tr_memop_rr(lop, true))) {
    bool fb = b.kind == V_TEMP && t->last.dst == wf_tr_home(t, pb);
    bool fa = !fb && a.kind == V_TEMP && t->last.dst == wf_tr_home(t, pa);
    if (fa || fb) {
      bool k = t->last.op == wf_tr_memop_rr(lop, true);
      int32_t addr = t->last.a, y = t->last.b, off = t->last.off;
      wf_tr_rewind_to(t, t->last.pos);
      int32_t d = wf_tr_push_temp(t);
      uint32_t mop = wf_tr_marith_fop(op, fa, k);
      int32_t x = fb ? ao : bo;
      if (!reserve(t, 8)) return;
      uint32_t pos = wf_tr_emit_h(t, mop);
      wf_tr_emit_ab(t, x, addr);
      uint32_t dc = wf_tr_emit_ab(t, d, y);
      wf_tr_emit_ab(t, off, 0);
      wf_tr_set_last(t, pos, WF_X_COUNT, 0, 0, false, dc, 0, d);
      return;
    }
  }
  if (t->last.valid) {
    if (b.kind == V_TEMP && t->last.dst == wf_tr_home(t, pb)) {
      if (wf_tr_fuse_pair(t, op, false, ao, false)) return;
    } else if (a.kind == V_TEMP && t->last.dst == wf_tr_home(t, pa)) {
      if (wf_tr_fuse_pair(t, op, false, bo, true)) return;
    }
  }
  uint32_t eop = op;
  pv_t pv = prev_addk(t, ao);
  if (t->last.valid) {
    uint32_t f = t->last.dst == ao ? wf_tr_acc_op(op, 0) : t->last.dst == bo ? wf_tr_acc_op(op, 1) : 0;
    if (f) eop = f;
  }
  int32_t d = wf_tr_push_temp(t);
  if (op == WF_OP_I32_ADD && t->addpos >= 0 && (size_t)t->addpos + 3 == t->n && !t->oom) {
    uint32_t first = (uint32_t)t->addpos;     /* pair up (like I32_ADD_K2) */
    t->code[first].h = t->H[WF_X_I32_ADD2];
    t->addpos = -1;
    wf_tr_emit_ab(t, ao, bo);
    uint32_t dc = wf_tr_emit_ab(t, d, 0);
    wf_tr_set_last(t, first, op, ao, bo, false, dc, 0, d);
    t->last.norewind = true;
    return;
  }
  uint32_t pos = wf_tr_emit_h(t, eop);
  wf_tr_emit_ab(t, ao, bo);
  uint32_t dc = wf_tr_emit_ab(t, d, 0);
  wf_tr_set_last(t, pos, op, ao, bo, false, dc, 0, d);
  set_pv(t, pv);
  if (op == WF_OP_I32_ADD && !t->oom) t->addpos = pos;
}

/* Arguments of a call: the top n values, in their home slots. */
/* Before a CALL (arguments at argoff, n of them, already in their home
 * slots): when the instruction just emitted is a lone MOV or a plain
 * i32.load writing one of them, drop it and return the CALL_M / CALL_LD
 * that does it first (src: the MOV's source or the load's address, dst, the
 * load's offset); else WF_X_CALL. */
static uint32_t call_fuse(tr_t *t, int32_t argoff, uint32_t n, int32_t *src, int32_t *dst,
                          int32_t *off) {
  if (!n || t->oom || !t->last.valid || t->n != t->last.end || t->last.dst < argoff ||
      t->last.dst >= argoff + (int32_t)(8 * n))
    return WF_X_CALL;
  const wf_cell_t *c = &t->code[t->last.pos];
  if (t->last.op == WF_X_MOV && t->last.end == t->last.pos + 2 && c[0].h == t->H[WF_X_MOV] &&
      c[1].p.b == t->last.dst) {
    *src = c[1].p.a;
    *dst = c[1].p.b;
    wf_tr_rewind_to(t, t->last.pos);
    return WF_X_CALL_M;
  }
  if (t->last.op == WF_OP_I32_LOAD && !t->last.norewind && t->last.end == t->last.pos + 3 &&
      (c[0].h == t->H[WF_OP_I32_LOAD] || c[0].h == t->H[WF_X_I32_LOAD_A]) &&
      c[1].p.b == t->last.dst) {
    *src = c[1].p.a;
    *dst = c[1].p.b;
    *off = (int32_t)(uint32_t)c[2].u;   /* a memarg offset: 32 bits */
    wf_tr_rewind_to(t, t->last.pos);
    return WF_X_CALL_LD;
  }
  return WF_X_CALL;
}

static int32_t call_args(tr_t *t, uint32_t n) {
  if (n > t->sh) n = t->sh;
  for (uint32_t i = t->sh - n; i < t->sh; i++) to_home(t, i);
  int32_t argoff = wf_tr_home(t, t->sh - n);
  t->sh -= n;
  return argoff;
}
static void call_results(tr_t *t, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) wf_tr_push_temp(t);
}

/* ---- exceptions ---- */

/* try_table: landing pads for the catch clauses (jumped over), then the
 * body as a block whose cells the handler covers. */
static void do_try_table(tr_t *t) {
  const wf_module_t *m = t->m;
  uint32_t np, nr;
  blocktype(t, &np, &nr);
  spill_locals(t);
  if (np > t->sh) np = t->sh;
  for (uint32_t i = t->sh - np; i < t->sh; i++) to_home(t, i);
  t->last.valid = false;
  uint32_t h = t->sh - np;
  if (!grow((void **)&t->hs, &t->hcap, (size_t)t->nh + 1, sizeof(wf_handler_t))) {
    t->oom = true;
    return;
  }
  uint32_t hi = t->nh++;
  wf_handler_t *hd = &t->hs[hi];
  hd->first = t->ncs;
  hd->n = 0;
  hd->base = wf_tr_home(t, h);
  hd->start = hd->end = 0;
  /* the try_table's params, kept while the pads use the stack above h */
  sv_t saved[4];
  sv_t *keep = np <= 4 ? saved : malloc((size_t)np * sizeof(sv_t));
  if (!keep) { t->oom = true; return; }
  if (np) memcpy(keep, t->st + h, (size_t)np * sizeof(sv_t));
  uint32_t over = wf_tr_emit_h(t, WF_X_BR);
  uint32_t over_cell = wf_tr_emit_ab(t, 0, 0);
  uint32_t n = rd_u32(t);
  for (uint32_t i = 0; i < n && t->p < t->end && !t->oom; i++) {
    uint8_t kind = (uint8_t)rd_raw(t, 1);
    uint32_t tag = kind <= WF_CATCH_REF ? rd_u32(t) : UINT32_MAX;
    uint32_t label = rd_u32(t);
    if (kind > WF_CATCH_ALL_REF || (tag != UINT32_MAX && tag >= m->ntags) || label >= t->nctl) {
      t->oom = true;   /* not valid: refuse */
      break;
    }
    uint32_t nv = (tag != UINT32_MAX ? m->types[m->tag_type[tag]].nparams : 0) +
                  (kind == WF_CATCH_REF || kind == WF_CATCH_ALL_REF);
    if (!grow((void **)&t->cs, &t->cscap, (size_t)t->ncs + 1, sizeof(wf_catch_t))) {
      t->oom = true;
      break;
    }
    wf_catch_t *c = &t->cs[t->ncs++];
    t->hs[hi].n++;
    c->tag = tag != UINT32_MAX ? t->inst->tags[tag] : NULL;
    if (tag != UINT32_MAX) add_rel(t, t->ncs - 1, R_CATCH_TAG, tag);
    c->kind = kind;
    c->pad = (uint32_t)label_here(t);
    /* the pad: the values sit at wf_tr_home(h ..); branch with them like br */
    t->sh = h;
    if (t->lo > t->sh) t->lo = t->sh;
    for (uint32_t k = 0; k < nv; k++) wf_tr_push_temp(t);
    emit_br(t, label);
    t->sh = h;
  }
  /* restore the params and start the body */
  for (uint32_t k = 0; k < np; k++) push(t, keep[k]);
  if (keep != saved) free(keep);
  patch_rel(t, over, over_cell, label_here(t));
  if (t->oom) return;
  t->hs[hi].start = (uint32_t)t->n;
  if (!push_ctl(t, C_BLOCK, np, nr)) return;
  t->ctl[t->nctl - 1].try_idx = (int32_t)hi;
}

/* ---- the main loop ---- */

/* wf_opcode_t + 1 by code (0 = unknown): bytes at [0, 256), 0xFC xx at 256 + xx. */
static const int16_t op_of_code[512] = {
#define WF_OP(id, name, code, imm, sig) \
  [(code) > 0xFF ? 256 + ((code) & 0xFF) : (code)] = WF_OP_##id + 1,
#include "opcodes.def"
#undef WF_OP
};

static void translate_body(tr_t *t) {
  const wf_module_t *m = t->m;
  wf_instance_t *inst = t->inst;
  uint32_t skip = 0;   /* nesting depth inside unreachable code */
  /* instructions that use memory 0 need one (the validator guarantees it) */
  bool has_mem = inst->mem0 != NULL;
  while (t->p < t->end && !t->oom && t->nctl > 0) {
    uint32_t code = *t->p++;
    if (code == 0xFC) {
      uint32_t sub = rd_u32(t);
      code = sub < 256 ? 256 + sub : 511;
    }
    int op = op_of_code[code] - 1;
    if (op < 0) { t->oom = true; return; }   /* not valid: refuse */
    if (!has_mem && !t->unreachable &&
        (wf_opinfo[op].imm == WF_IMM_MEMARG || wf_opinfo[op].imm == WF_IMM_MEM ||
         op == WF_OP_MEMORY_COPY)) {
      t->oom = true;
      return;
    }
    if (t->unreachable) {
      if (op == WF_OP_BLOCK || op == WF_OP_LOOP || op == WF_OP_IF || op == WF_OP_TRY_TABLE) {
        skip++;
        (void)rd_s(t, 33);
        if (op == WF_OP_TRY_TABLE) skip_catches(t);
        continue;
      }
      if (op == WF_OP_END && skip > 0) { skip--; continue; }
      if (op == WF_OP_ELSE && skip > 0) continue;
      if (op != WF_OP_END && op != WF_OP_ELSE) { skip_imm(t, op); continue; }
    }
    switch (op) {
      case WF_OP_UNREACHABLE:
        wf_tr_emit_h(t, WF_OP_UNREACHABLE);
        t->unreachable = true;
        break;
      case WF_OP_NOP: break;
      case WF_OP_BLOCK: case WF_OP_LOOP: {
        uint32_t np, nr;
        blocktype(t, &np, &nr);
        spill_locals(t);
        if (np > t->sh) np = t->sh;
        for (uint32_t i = t->sh - np; i < t->sh; i++) to_home(t, i);
        t->last.valid = false;
        push_ctl(t, op == WF_OP_LOOP ? C_LOOP : C_BLOCK, np, nr);
        /* no poll here: every branch polls when taken (interp.c, JUMP) */
        break;
      }
      case WF_OP_IF: {
        uint32_t np, nr, ins, cell;
        blocktype(t, &np, &nr);
        sv_t c = pop(t);
        uint32_t cpos = t->sh;
        /* spills first: they must run on both arms (they only write home
         * slots of live entries, never the condition's operands) */
        spill_locals(t);
        if (np > t->sh) np = t->sh;
        for (uint32_t i = t->sh - np; i < t->sh; i++) to_home(t, i);
        emit_condbr(t, c, cpos, false, &ins, &cell);
        if (!push_ctl(t, C_IF, np, nr)) break;
        t->ctl[t->nctl - 1].else_ins = (int32_t)ins;
        t->ctl[t->nctl - 1].else_cell = (int32_t)cell;
        break;
      }
      case WF_OP_ELSE: {
        ctl_t *c = &t->ctl[t->nctl - 1];
        if (c->kind != C_IF) { t->oom = true; return; }
        if (!t->unreachable) {
          emit_moves(t, c->nresults, wf_tr_home(t, c->height));
          uint32_t ins = wf_tr_emit_h(t, WF_X_BR);
          uint32_t cell = wf_tr_emit_ab(t, 0, 0);
          add_fix(t, c, ins, cell);
        }
        if (c->else_ins >= 0)
          patch_rel(t, (uint32_t)c->else_ins, (uint32_t)c->else_cell, label_here(t));
        c->else_ins = c->else_cell = -1;
        t->last.valid = false;
        t->sh = c->height;
        if (t->lo > t->sh) t->lo = t->sh;
        call_results(t, c->nparams);
        t->unreachable = false;
        break;
      }
      case WF_OP_END: {
        ctl_t *c = &t->ctl[t->nctl - 1];
        if (c->kind == C_FUNC) {
          if (!t->unreachable) emit_return(t);
          t->nctl--;
          return;
        }
        if (c->try_idx >= 0 && !t->oom) t->hs[c->try_idx].end = (uint32_t)t->n;
        if (!t->unreachable) emit_moves(t, c->nresults, wf_tr_home(t, c->height));
        if (c->else_ins >= 0)
          patch_rel(t, (uint32_t)c->else_ins, (uint32_t)c->else_cell, label_here(t));
        do_end_label(t, c);
        t->sh = c->height;
        if (t->lo > t->sh) t->lo = t->sh;
        call_results(t, c->nresults);
        t->nctl--;
        t->unreachable = false;
        break;
      }
      case WF_OP_BR:
        emit_br(t, rd_u32(t));
        t->unreachable = true;
        break;
      case WF_OP_BR_IF: do_br_if(t, rd_u32(t)); break;
      case WF_OP_BR_TABLE:
        do_br_table(t);
        t->unreachable = true;
        break;
      case WF_OP_RETURN:
        emit_return(t);
        t->unreachable = true;
        break;
      case WF_OP_CALL: {
        uint32_t fi = rd_u32(t);
        if (fi >= m->nfuncs) { t->oom = true; return; }
        const wf_functype_t *ft = wf_module_functype(m, fi);
        int32_t argoff = call_args(t, ft->nparams);
        if (fi < m->nfunc_imports) {
          wf_tr_emit_h(t, WF_X_CALL_ANY);
          emit_ptr(t, inst->funcs[fi], R_FUNC, fi);
          wf_tr_emit_ab(t, argoff, 0);
        } else {
          /* the last argument's MOV or i32.load just emitted: fused in */
          int32_t fsrc = 0, fdst = 0, foff = 0;
          uint32_t fop = call_fuse(t, argoff, ft->nparams, &fsrc, &fdst, &foff);
          wf_tr_emit_h(t, fop);
          emit_ptr(t, inst->funcs[fi], R_FUNC, fi);
          emit_ptr(t, &inst->code[fi - m->nfunc_imports], R_CODE, fi - m->nfunc_imports);
          wf_tr_emit_ab(t, argoff, fsrc);
          if (fop != WF_X_CALL) wf_tr_emit_ab(t, fdst, foff);
        }
        call_results(t, ft->nresults);
        break;
      }
      case WF_OP_CALL_INDIRECT: {
        uint32_t ti = rd_u32(t), tab = rd_u32(t);
        if (ti >= m->ntypes || tab >= m->ntables) { t->oom = true; return; }
        const wf_functype_t *ft = &m->types[ti];
        sv_t iv = pop(t);
        int32_t io = wf_tr_opnd(t, t->sh, &iv);
        /* the handler reads the index before the callee frame exists */
        int32_t argoff = call_args(t, ft->nparams);
        wf_tr_emit_h(t, WF_X_CALL_IND);
        emit_ptr(t, inst->tables[tab], R_TABLE, tab);
        wf_tr_emit_ab(t, io, argoff);
        if (reserve(t, 1)) add_rel(t, (uint32_t)t->n, R_TYPEID, ti);
        wf_tr_emit_ab(t, (int32_t)inst->type_ids[ti], 0);
        call_results(t, ft->nresults);
        break;
      }
      case WF_OP_REF_NULL: (void)rd_raw(t, 1); push_const(t, 0); break;
      case WF_OP_REF_FUNC: {
        uint32_t fi = rd_u32(t);
        push_const(t, fi < m->nfuncs ? (uint64_t)(uintptr_t)inst->funcs[fi] : 0);
        t->noshare = true;
        break;
      }
      case WF_OP_REF_IS_NULL: {
        sv_t a = pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, WF_OP_REF_IS_NULL);
        wf_tr_emit_ab(t, ao, d);
        break;
      }
      case WF_OP_DROP: (void)pop(t); break;
      case WF_OP_SELECT: case WF_OP_SELECT_T: {
        if (op == WF_OP_SELECT_T) skip_imm(t, op);
        sv_t c = pop(t), b = pop(t), a = pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        int32_t bo = wf_tr_opnd(t, t->sh + 1, &b);
        int32_t co = wf_tr_opnd(t, t->sh + 2, &c);
        int32_t d = wf_tr_push_temp(t);
        uint32_t pos = wf_tr_emit_h(t, WF_OP_SELECT);
        wf_tr_emit_ab(t, ao, bo);
        uint32_t dc = wf_tr_emit_ab(t, co, d);
        wf_tr_set_last(t, pos, WF_OP_SELECT, ao, bo, false, dc, 1, d);
        break;
      }
      case WF_OP_LOCAL_GET: case WF_OP_LOCAL_SET: case WF_OP_LOCAL_TEE: {
        uint32_t x = rd_u32(t);
        if (x >= t->cbase) { t->oom = true; return; }   /* never for validated code */
        if (op == WF_OP_LOCAL_GET) push_local(t, x);
        else do_local_set(t, x, op == WF_OP_LOCAL_TEE);
        break;
      }
      case WF_OP_GLOBAL_GET: {
        uint32_t g = rd_u32(t);
        if (g >= m->nglobals) { t->oom = true; return; }
        int32_t d = wf_tr_push_temp(t);
        uint32_t pos = wf_tr_emit_h(t, WF_OP_GLOBAL_GET);
        emit_ptr(t, inst->globals[g], R_GLOBAL, g);
        uint32_t dc = wf_tr_emit_ab(t, d, 0);
        wf_tr_set_last(t, pos, WF_OP_GLOBAL_GET, 0, 0, false, dc, 0, d);
        break;
      }
      case WF_OP_GLOBAL_SET: {
        uint32_t g = rd_u32(t);
        if (g >= m->nglobals) { t->oom = true; return; }
        sv_t v = pop(t);
        int32_t vo = wf_tr_opnd(t, t->sh, &v);
        wf_tr_emit_h(t, WF_OP_GLOBAL_SET);
        emit_ptr(t, inst->globals[g], R_GLOBAL, g);
        wf_tr_emit_ab(t, vo, 0);
        break;
      }
      case WF_OP_TABLE_GET: case WF_OP_TABLE_SET: case WF_OP_TABLE_SIZE:
      case WF_OP_TABLE_GROW: case WF_OP_TABLE_FILL: {
        uint32_t tab = rd_u32(t);
        if (tab >= m->ntables) { t->oom = true; return; }
        if (op == WF_OP_TABLE_GET) {
          sv_t i = pop(t);
          int32_t io = wf_tr_opnd(t, t->sh, &i);
          int32_t d = wf_tr_push_temp(t);
          wf_tr_emit_h(t, op); emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, io, d);
        } else if (op == WF_OP_TABLE_SET) {
          sv_t v = pop(t), i = pop(t);
          int32_t vo = wf_tr_opnd(t, t->sh + 1, &v), io = wf_tr_opnd(t, t->sh, &i);
          wf_tr_emit_h(t, op); emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, io, vo);
        } else if (op == WF_OP_TABLE_SIZE) {
          int32_t d = wf_tr_push_temp(t);
          wf_tr_emit_h(t, op); emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, d, 0);
        } else if (op == WF_OP_TABLE_GROW) {
          sv_t n = pop(t), v = pop(t);
          int32_t no = wf_tr_opnd(t, t->sh + 1, &n), vo = wf_tr_opnd(t, t->sh, &v);
          int32_t d = wf_tr_push_temp(t);
          wf_tr_emit_h(t, op); emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, vo, no); wf_tr_emit_ab(t, d, 0);
        } else {
          sv_t n = pop(t), v = pop(t), i = pop(t);
          int32_t no = wf_tr_opnd(t, t->sh + 2, &n), vo = wf_tr_opnd(t, t->sh + 1, &v);
          int32_t io = wf_tr_opnd(t, t->sh, &i);
          wf_tr_emit_h(t, op); emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, io, vo); wf_tr_emit_ab(t, no, 0);
        }
        break;
      }
      case WF_OP_TABLE_INIT: case WF_OP_TABLE_COPY: case WF_OP_MEMORY_INIT: {
        uint32_t x = rd_u32(t), y;
        if (op == WF_OP_MEMORY_INIT) y = rd_memidx(t); else y = rd_u32(t);
        if (op == WF_OP_MEMORY_INIT ? x >= m->ndatas || y >= m->nmems
            : op == WF_OP_TABLE_INIT ? x >= m->nelems || y >= m->ntables
            : x >= m->ntables || y >= m->ntables) {
          t->oom = true;
          return;
        }
        sv_t n = pop(t), s = pop(t), d = pop(t);
        int32_t no = wf_tr_opnd(t, t->sh + 2, &n), so = wf_tr_opnd(t, t->sh + 1, &s);
        int32_t dd = wf_tr_opnd(t, t->sh, &d);
        /* memory.init of memory y > 0: MEMINIT_M, same cells */
        wf_tr_emit_h(t, op == WF_OP_MEMORY_INIT && y ? (uint32_t)WF_X_MEMINIT_M : (uint32_t)op);
        wf_tr_emit_ab(t, (int32_t)x, (int32_t)y);
        wf_tr_emit_ab(t, dd, so);
        wf_tr_emit_ab(t, no, 0);
        break;
      }
      case WF_OP_ELEM_DROP: case WF_OP_DATA_DROP: {
        uint32_t x = rd_u32(t);
        if (x >= (op == WF_OP_ELEM_DROP ? m->nelems : m->ndatas)) { t->oom = true; return; }
        wf_tr_emit_h(t, op);
        wf_tr_emit_ab(t, (int32_t)x, 0);
        break;
      }
      case WF_OP_MEMORY_SIZE: {
        uint32_t mi = rd_memidx(t);
        if (mi >= m->nmems) { t->oom = true; return; }
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, mi ? (uint32_t)WF_X_MEMSIZE_M : (uint32_t)op);
        wf_tr_emit_ab(t, d, 0);
        if (mi) emit_ptr(t, inst->mems[mi], R_MEM, mi);   /* MEMSIZE_M [dst|-] [meminst*] */
        break;
      }
      case WF_OP_MEMORY_GROW: {
        uint32_t mi = rd_memidx(t);
        if (mi >= m->nmems) { t->oom = true; return; }
        sv_t a = pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, mi ? (uint32_t)WF_X_MEMGROW_M : (uint32_t)op);
        wf_tr_emit_ab(t, ao, d);
        if (mi) emit_ptr(t, inst->mems[mi], R_MEM, mi);   /* MEMGROW_M [src|dst] [meminst*] */
        break;
      }
      case WF_OP_MEMORY_COPY: case WF_OP_MEMORY_FILL: {
        uint32_t m1 = rd_memidx(t), m2 = op == WF_OP_MEMORY_COPY ? rd_memidx(t) : 0;
        if (m1 >= m->nmems || m2 >= m->nmems) { t->oom = true; return; }
        sv_t n = pop(t), s = pop(t), d = pop(t);
        int32_t no = wf_tr_opnd(t, t->sh + 2, &n), so = wf_tr_opnd(t, t->sh + 1, &s);
        int32_t dd = wf_tr_opnd(t, t->sh, &d);
        bool multi = m1 || m2;
        wf_tr_emit_h(t, !multi ? (uint32_t)op
                  : op == WF_OP_MEMORY_COPY ? (uint32_t)WF_X_MEMCOPY_M : (uint32_t)WF_X_MEMFILL_M);
        wf_tr_emit_ab(t, dd, so);
        wf_tr_emit_ab(t, no, 0);
        /* MEMCOPY_M: + [dst meminst*] [src meminst*]; MEMFILL_M: + [meminst*] */
        if (multi) emit_ptr(t, inst->mems[m1], R_MEM, m1);
        if (multi && op == WF_OP_MEMORY_COPY) emit_ptr(t, inst->mems[m2], R_MEM, m2);
        break;
      }
      case WF_OP_THROW: {
        uint32_t x = rd_u32(t);
        if (x >= m->ntags) { t->oom = true; return; }
        uint32_t n = m->types[m->tag_type[x]].nparams;
        int32_t argoff = call_args(t, n);
        wf_tr_emit_h(t, WF_X_THROW);
        emit_ptr(t, inst->tags[x], R_TAG, x);
        wf_tr_emit_ab(t, argoff, (int32_t)n);
        t->unreachable = true;
        break;
      }
      case WF_OP_THROW_REF: {
        sv_t a = pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        wf_tr_emit_h(t, WF_X_THROW_REF);
        wf_tr_emit_ab(t, ao, 0);
        t->unreachable = true;
        break;
      }
      case WF_OP_TRY_TABLE: do_try_table(t); break;
      case WF_OP_I32_CONST: push_const(t, (uint32_t)rd_s(t, 32)); break;
      case WF_OP_I64_CONST: push_const(t, (uint64_t)rd_s(t, 64)); break;
      case WF_OP_F32_CONST: push_const(t, rd_raw(t, 4)); break;
      case WF_OP_F64_CONST: push_const(t, rd_raw(t, 8)); break;
      default:
        if (!wf_opinfo[op].sig) { t->oom = true; return; }
        do_plain(t, (uint32_t)op);
        break;
    }
  }
}

/* The template of code c (size bytes, one block) just made by t. */
static struct wf_code_tmpl *make_tmpl(tr_t *t, const wf_code_t *c, size_t size) {
  struct wf_code_tmpl *tp;
  if (t->noshare || t->nrel > UINT32_MAX - t->ncrel) {
    tp = malloc(sizeof *tp);
    if (tp) *tp = (struct wf_code_tmpl){0, 0, NULL, NULL};
    return tp;
  }
  size_t nrel = (size_t)t->nrel + t->ncrel;
  size_t coff = (sizeof *tp + 15) & ~(size_t)15;
  size_t roff = (coff + size + 15) & ~(size_t)15;
  if (nrel > (SIZE_MAX - roff) / sizeof(rel_t)) return NULL;
  tp = malloc(roff + nrel * sizeof(rel_t));
  if (!tp) return NULL;
  wf_code_t *cc = (wf_code_t *)((uint8_t *)tp + coff);
  rel_t *rel = (rel_t *)((uint8_t *)tp + roff);
  memcpy(cc, c, size);
  if (t->nrel) memcpy(rel, t->rel, (size_t)t->nrel * sizeof(rel_t));
  if (t->ncrel) memcpy(rel + t->nrel, t->crel, (size_t)t->ncrel * sizeof(rel_t));
  /* the block's own pointers are kept as offsets from its start */
  cc->init = (const uint64_t *)(uintptr_t)((const uint8_t *)c->init - (const uint8_t *)c);
  cc->handlers = (const wf_handler_t *)(uintptr_t)((const uint8_t *)c->handlers - (const uint8_t *)c);
  cc->catches = (const wf_catch_t *)(uintptr_t)((const uint8_t *)c->catches - (const uint8_t *)c);
  tp->size = size;
  tp->nrel = (uint32_t)nrel;
  tp->rel = rel;
  tp->code = cc;
  return tp;
}

/* A copy of template tp for inst, patched. NULL on OOM. */
static wf_code_t *from_tmpl(const struct wf_code_tmpl *tp, wf_instance_t *inst) {
  wf_code_t *c = malloc(tp->size);
  if (!c) return NULL;
  memcpy(c, tp->code, tp->size);
  uint8_t *b = (uint8_t *)c;
  c->init = (const uint64_t *)(b + (uintptr_t)tp->code->init);
  c->handlers = (const wf_handler_t *)(b + (uintptr_t)tp->code->handlers);
  wf_catch_t *cs = (wf_catch_t *)(b + (uintptr_t)tp->code->catches);
  c->catches = cs;
  for (uint32_t i = 0; i < tp->nrel; i++) {
    const rel_t *r = &tp->rel[i];
    wf_cell_t *x = &c->cells[r->at];
    switch (r->kind) {
      case R_FUNC: x->ptr = inst->funcs[r->idx]; break;
      case R_CODE: x->ptr = &inst->code[r->idx]; break;
      case R_TABLE: x->ptr = inst->tables[r->idx]; break;
      case R_GLOBAL: x->ptr = inst->globals[r->idx]; break;
      case R_MEM: x->ptr = inst->mems[r->idx]; break;
      case R_TAG: x->ptr = inst->tags[r->idx]; break;
      case R_TYPEID: x->p.a = (int32_t)inst->type_ids[r->idx]; break;
      default: cs[r->at].tag = inst->tags[r->idx]; break;
    }
  }
  return c;
}

#ifdef WF_TRANSLATE_VERIFY
#include <stdio.h>
/* Developer check: code made from a template must equal a fresh translation. */
static void verify(const wf_code_t *a, const wf_code_t *b, uint32_t di) {
  bool same = a->ncells == b->ncells && a->ninit == b->ninit && a->nhandlers == b->nhandlers &&
              a->nparams == b->nparams && a->nlocals == b->nlocals && a->nresults == b->nresults &&
              a->frame_slots == b->frame_slots && a->cbase == b->cbase && a->nconsts == b->nconsts;
  same = same && !memcmp(a->cells, b->cells, a->ncells * sizeof(wf_cell_t)) &&
         !memcmp(a->init, b->init, a->ninit * sizeof(uint64_t)) &&
         (!a->nhandlers || !memcmp(a->handlers, b->handlers, a->nhandlers * sizeof(wf_handler_t)));
  uint32_t ncs = 0;
  for (uint32_t i = 0; same && i < a->nhandlers; i++) {
    uint32_t e = a->handlers[i].first + a->handlers[i].n;
    if (e > ncs) ncs = e;
  }
  for (uint32_t i = 0; same && i < ncs; i++)
    same = a->catches[i].tag == b->catches[i].tag && a->catches[i].pad == b->catches[i].pad &&
           a->catches[i].kind == b->catches[i].kind;
  if (!same) {
    fprintf(stderr, "translate: code from template differs for defined function %u\n", di);
    abort();
  }
}
#endif

/* Translate function defined_idx of inst; with `tmpl`, also make the
 * function's template (NULL on OOM, a template without code when the code
 * cannot be shared). */
static wf_code_t *translate_new(wf_instance_t *inst, uint32_t defined_idx,
                                struct wf_code_tmpl **tmpl) {
  const wf_module_t *m = inst->module;
  const wf_func_t *fn = &m->funcs[defined_idx];
  const wf_functype_t *ft = &m->types[fn->type_idx];
  tr_t t;
  memset(&t, 0, sizeof t);
  t.inst = inst;
  t.m = m;
  t.H = wf_interp_handlers();
  uint32_t nvars = ft->nparams + fn->nlocals;
  if (nvars > WF_MAX_LOCALS + WF_MAX_PARAMS) return NULL;
  /* Constant slots sit between the locals and the temporaries (a callee's
   * frame starts at its arguments, among the caller's temporaries). Their
   * number is bounded by the bytes that could start a constant. */
  uint32_t kcount = 0;
  for (uint32_t i = 0; i < fn->code_len && kcount < KMAX; i++) {
    uint8_t b = fn->code[i];
    kcount += (b >= 0x41 && b <= 0x44) || b == 0xD0 || b == 0xD2;
  }
  t.cbase = nvars;
  t.kmax = kcount;
  t.T = nvars + kcount;
  t.p = fn->code;
  t.end = fn->code + fn->code_len;
  t.lo = 0;
  t.movpos = -1;
  t.addkpos = -1;
  t.addpos = -1;
  push_ctl(&t, C_FUNC, 0, ft->nresults);
  translate_body(&t);
  wf_code_t *c = NULL;
  uint64_t slots = (uint64_t)t.T + t.maxh + 2;
  if (!t.oom && slots < (1u << 24)) {
    size_t ninit = (size_t)fn->nlocals + t.nk;
    c = malloc(sizeof *c + t.n * sizeof(wf_cell_t) + ninit * sizeof(uint64_t) +
               (size_t)t.nh * sizeof(wf_handler_t) + (size_t)t.ncs * sizeof(wf_catch_t));
    if (c) {
      c->nparams = ft->nparams;
      c->nlocals = fn->nlocals;
      c->nresults = ft->nresults;
      c->frame_slots = (uint32_t)slots;
      c->cbase = t.cbase;
      c->nconsts = t.nk;
      c->ninit = (uint32_t)ninit;
      c->ncells = (uint32_t)t.n;
      memcpy(c->cells, t.code, t.n * sizeof(wf_cell_t));
      uint64_t *ip = (uint64_t *)(c->cells + t.n);
      memset(ip, 0, (size_t)fn->nlocals * sizeof(uint64_t));
      if (t.nk) memcpy(ip + fn->nlocals, t.kv, (size_t)t.nk * sizeof(uint64_t));
      c->init = ip;
      /* catches (pointer-aligned) first, then the handlers */
      wf_catch_t *cs = (wf_catch_t *)(ip + ninit);
      if (t.ncs) memcpy(cs, t.cs, (size_t)t.ncs * sizeof *cs);
      wf_handler_t *hs = (wf_handler_t *)(cs + t.ncs);
      if (t.nh) memcpy(hs, t.hs, (size_t)t.nh * sizeof *hs);
      c->nhandlers = t.nh;
      c->handlers = hs;
      c->catches = cs;
      if (tmpl) *tmpl = make_tmpl(&t, c, (size_t)((uint8_t *)(hs + t.nh) - (uint8_t *)c));
    }
  }
  free(t.hs);
  free(t.cs);
  free(t.kv);
  free(t.code);
  free(t.st);
  free(t.ctl);
  free(t.fix);
  free(t.rel);
  free(t.crel);
  return c;
}

wf_code_t *wf_translate(wf_instance_t *inst, uint32_t defined_idx) {
  const wf_module_t *m = inst->module;
  if (defined_idx >= m->nfuncs - m->nfunc_imports) return NULL;
  if (!m->code_tmpls) return translate_new(inst, defined_idx, NULL);
  _Atomic(struct wf_code_tmpl *) *slot = &m->code_tmpls[defined_idx];
  struct wf_code_tmpl *tp = atomic_load_explicit(slot, memory_order_acquire);
  if (tp && tp->size) {
    wf_code_t *c = from_tmpl(tp, inst);
#ifdef WF_TRANSLATE_VERIFY
    wf_code_t *f = translate_new(inst, defined_idx, NULL);
    if (c && f) verify(c, f, defined_idx);
    free(f);
#endif
    return c;
  }
  if (tp) return translate_new(inst, defined_idx, NULL);
  struct wf_code_tmpl *mine = NULL;
  wf_code_t *c = translate_new(inst, defined_idx, &mine);
  if (mine) {
    struct wf_code_tmpl *expect = NULL;
    /* another thread may have published first: keep theirs */
    if (!atomic_compare_exchange_strong_explicit(slot, &expect, mine, memory_order_acq_rel,
                                                 memory_order_acquire))
      free(mine);
  }
  return c;
}

#ifdef WF_TRANSLATE_DUMP
#include <stdio.h>
/* Developer aid: print a translated function's cells (handler index). */
void wf_translate_dump(const wf_code_t *c);
void wf_translate_dump(const wf_code_t *c) {
  const void *const *H = wf_interp_handlers();
  for (uint32_t i = 0; i < c->ncells; i++) {
    int op = -1;
    for (int k = 0; k < WF_X_COUNT; k++)
      if (H[k] && H[k] == c->cells[i].h) { op = k; break; }
    fprintf(stderr, "%4u: %016llx  a=%d b=%d  %s%d\n", i, (unsigned long long)c->cells[i].u,
            c->cells[i].p.a, c->cells[i].p.b, op >= 0 ? "op " : "", op);
  }
}
#endif
