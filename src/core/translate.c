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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "../util/leb128.h"

enum { V_TEMP, V_LOCAL, V_CONST };
#define KHASH 512u        /* hash of the constant slots */
#define KMAX 256u         /* constant slots per function (more use CONST) */
typedef struct {
  uint8_t kind;
  uint32_t local;        /* V_LOCAL */
  uint64_t k;            /* V_CONST */
} sv_t;

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF };
typedef struct {
  uint8_t kind;
  uint32_t height;       /* stack height below the block's params */
  uint32_t nparams, nresults;
  uint32_t loop_pos;     /* C_LOOP: cell index of the loop head */
  int32_t fix;           /* fixups waiting for the end label */
  int32_t else_ins, else_cell;  /* C_IF: the branch to the else arm, -1 if none */
} ctl_t;

typedef struct { uint32_t ins, cell; int32_t next; } fix_t;

typedef struct {
  wf_instance_t *inst;
  const wf_module_t *m;
  const void *const *H;
  wf_cell_t *code; size_t n, cap;
  sv_t *st; uint32_t sh, scap, maxh;
  uint32_t lo;            /* no V_LOCAL entry below this position */
  ctl_t *ctl; uint32_t nctl, ccap;
  fix_t *fix; uint32_t nfix, fcap;
  uint32_t T;             /* first temporary: params + locals + kmax */
  uint32_t cbase, kmax;   /* constant slots [cbase, cbase + kmax) */
  uint64_t *kv; uint32_t nk, kcap;   /* constant slots' values */
  uint32_t khash[KHASH];  /* index + 1 into kv, 0 = empty */
  int64_t movpos;         /* the last instruction, if it is a lone MOV; else -1 */
  bool oom, unreachable;
  const uint8_t *p, *end;
  struct {
    bool valid;
    uint32_t pos;         /* instruction start */
    uint32_t op;
    int32_t a, b;
    bool k;
    uint32_t dcell; uint8_t dhalf;
    int32_t dst;
  } last;
} tr_t;

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
static uint32_t emit_h(tr_t *t, uint32_t op) {
  t->last.valid = false;
  t->movpos = -1;
  if (!reserve(t, 8)) return 0;
  t->code[t->n].h = t->H[op];
  return (uint32_t)t->n++;
}
static uint32_t emit_ab(tr_t *t, int32_t a, int32_t b) {
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
static void emit_ptr(tr_t *t, void *ptr) {
  if (!reserve(t, 1)) return;
  t->code[t->n].u = 0;
  t->code[t->n++].ptr = ptr;
}
/* The current position becomes a branch target: nothing may be fused
 * across it. */
static size_t label_here(tr_t *t) {
  t->last.valid = false;
  t->movpos = -1;
  return t->n;
}

static void patch_rel(tr_t *t, uint32_t ins, uint32_t cell, size_t target) {
  if (t->oom) return;
  t->code[cell].p.b = (int32_t)((int64_t)target - (int64_t)ins);
}

/* ---- the simulated stack ---- */

static int32_t loff(uint32_t local) { return (int32_t)(local * 8u); }
static int32_t home(tr_t *t, uint32_t pos) { return (int32_t)((t->T + pos) * 8u); }

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
static int32_t push_temp(tr_t *t) {
  sv_t v = {V_TEMP, 0, 0};
  push(t, v);
  return home(t, t->sh - 1);
}
static void push_local(tr_t *t, uint32_t x) { sv_t v = {V_LOCAL, x, 0}; push(t, v); }
static void push_const(tr_t *t, uint64_t k) { sv_t v = {V_CONST, 0, k}; push(t, v); }
static sv_t pop(tr_t *t) {
  if (t->sh == 0) { sv_t z = {V_TEMP, 0, 0}; return z; }   /* validated: not reached */
  return t->st[--t->sh];
}

static void emit_const(tr_t *t, int32_t dst, uint64_t k) {
  emit_h(t, WF_X_CONST);
  emit_ab(t, dst, 0);
  emit_u(t, k);
}
static void emit_mov(tr_t *t, int32_t src, int32_t dst) {
  if (src == dst) return;
  if (t->movpos >= 0 && !t->oom) {   /* MOV; MOV -> MOV2 */
    t->code[t->movpos].h = t->H[WF_X_MOV2];
    t->movpos = -1;
    t->last.valid = false;
    emit_ab(t, src, dst);
    return;
  }
  uint32_t pos = emit_h(t, WF_X_MOV);
  emit_ab(t, src, dst);
  if (!t->oom) t->movpos = pos;
}

/* The slot holding constant k, or -1 when the function has too many. */
static int32_t const_slot(tr_t *t, uint64_t k) {
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
  int32_t ks = const_slot(t, k);
  if (ks >= 0) emit_mov(t, ks, dst);
  else emit_const(t, dst, k);
}

/* Make stack entry pos live in its home slot. */
static void to_home(tr_t *t, uint32_t pos) {
  sv_t *v = &t->st[pos];
  if (v->kind == V_LOCAL) emit_mov(t, loff(v->local), home(t, pos));
  else if (v->kind == V_CONST) emit_const_to(t, home(t, pos), v->k);
  v->kind = V_TEMP;
}

/* The slot an operand is read from (a constant is materialized). */
static int32_t opnd(tr_t *t, uint32_t pos, const sv_t *v) {
  if (v->kind == V_LOCAL) return loff(v->local);
  if (v->kind == V_CONST) {
    int32_t ks = const_slot(t, v->k);
    if (ks >= 0) return ks;
    emit_const(t, home(t, pos), v->k);
  }
  return home(t, pos);
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
static void set_last(tr_t *t, uint32_t pos, uint32_t op, int32_t a, int32_t b, bool k,
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
    case WF_IMM_NONE: case WF_IMM_MEMORY_COPY: break;
    case WF_IMM_BLOCKTYPE: (void)rd_s(t, 33); break;
    case WF_IMM_BR_TABLE: {
      uint32_t n = rd_u32(t);
      for (uint64_t i = 0; i <= n && t->p < t->end; i++) (void)rd_u32(t);
      break;
    }
    case WF_IMM_CALL_INDIRECT: case WF_IMM_MEMARG: case WF_IMM_TABLE_INIT:
    case WF_IMM_TABLE_COPY:
      (void)rd_u32(t); (void)rd_u32(t); break;
    case WF_IMM_MEMORY_INIT: (void)rd_u32(t); (void)rd_raw(t, 1); break;
    case WF_IMM_MEM: case WF_IMM_REFTYPE: (void)rd_raw(t, 1); break;
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
  /* A source local that an earlier copy would overwrite goes through its
   * home slot first (only possible when copying to the result slots). */
  for (uint32_t i = 0; i < n; i++) {
    sv_t *v = &t->st[base + i];
    if (v->kind != V_LOCAL) continue;
    int32_t o = loff(v->local);
    if (o >= dst && o < dst + (int32_t)(8 * i)) emit_mov(t, o, home(t, base + i));
  }
  for (uint32_t i = 0; i < n; i++) {
    sv_t *v = &t->st[base + i];
    int32_t d = dst + (int32_t)(8 * i);
    if (v->kind == V_CONST) { emit_const_to(t, d, v->k); continue; }
    int32_t s = home(t, base + i);
    if (v->kind == V_LOCAL) {
      int32_t o = loff(v->local);
      if (!(o >= dst && o < dst + (int32_t)(8 * i))) s = o;
    }
    emit_mov(t, s, d);
  }
}

static bool moves_needed(tr_t *t, uint32_t n, int32_t dst) {
  uint32_t base = t->sh - n;
  for (uint32_t i = 0; i < n; i++) {
    sv_t *v = &t->st[base + i];
    if (v->kind != V_TEMP || home(t, base + i) != dst + (int32_t)(8 * i)) return true;
  }
  return false;
}

static uint32_t label_arity(const ctl_t *c) { return c->kind == C_LOOP ? c->nparams : c->nresults; }

static void emit_return(tr_t *t) {
  const ctl_t *f = &t->ctl[0];
  emit_moves(t, f->nresults, 0);
  emit_h(t, WF_X_RET);
}

/* Unconditional branch to label depth d (moves included). */
static void emit_br(tr_t *t, uint32_t d) {
  if (d >= t->nctl) return;
  ctl_t *c = &t->ctl[t->nctl - 1 - d];
  if (c->kind == C_FUNC) { emit_return(t); return; }
  uint32_t n = label_arity(c);
  emit_moves(t, n, home(t, c->height));
  uint32_t ins = emit_h(t, WF_X_BR);
  uint32_t cell = emit_ab(t, 0, 0);
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
  if (c.kind == V_TEMP && t->last.valid && t->last.dst == home(t, cpos)) {
    uint32_t op = t->last.op;
    if (brc_index(op)) {
      int32_t a = t->last.a, b = t->last.b;
      bool k = t->last.k;
      t->n = t->last.pos;                       /* drop the compare */
      if (!when_true) op = negate_cmp(op);
      *ins = emit_h(t, brc_op(op, k));
      emit_ab(t, a, b);
      *cell = emit_ab(t, 0, 0);
      return;
    }
    if (op == WF_OP_I32_EQZ) {
      int32_t a = t->last.a;
      t->n = t->last.pos;
      *ins = emit_h(t, when_true ? WF_X_BR_IFZ : WF_X_BR_IF);
      *cell = emit_ab(t, a, 0);
      return;
    }
  }
  int32_t s = opnd(t, cpos, &c);
  *ins = emit_h(t, when_true ? WF_X_BR_IF : WF_X_BR_IFZ);
  *cell = emit_ab(t, s, 0);
}

static void do_br_if(tr_t *t, uint32_t d) {
  sv_t c = pop(t);
  uint32_t cpos = t->sh;
  if (d >= t->nctl) return;
  ctl_t *lc = &t->ctl[t->nctl - 1 - d];
  uint32_t n = label_arity(lc), ins, cell;
  if (lc->kind != C_FUNC && !moves_needed(t, n, home(t, lc->height))) {
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
  int32_t idx = opnd(t, t->sh, &iv);
  const uint8_t *labels = t->p;
  for (uint32_t i = 0; i <= n; i++) (void)rd_u32(t);
  if (!reserve(t, (size_t)n + 16)) return;
  uint32_t ins = emit_h(t, WF_X_BR_TABLE);
  emit_ab(t, idx, (int32_t)n);
  uint32_t first = (uint32_t)t->n;
  for (uint32_t i = 0; i <= n; i++) emit_ab(t, 0, 0);
  /* Stubs for targets that need moves, shared per label depth. */
  int32_t *stub = calloc(t->nctl, sizeof *stub);
  if (!stub) { t->oom = true; return; }
  const uint8_t *q = labels;
  for (uint32_t i = 0; i <= n; i++) {
    uint64_t d = 0;
    if (wf_leb_read_u(&q, t->end, 32, &d) != WF_LEB_OK || d >= t->nctl) continue;
    ctl_t *lc = &t->ctl[t->nctl - 1 - d];
    uint32_t cell = first + i;
    if (lc->kind != C_FUNC && !moves_needed(t, label_arity(lc), home(t, lc->height))) {
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
  bool was_valid = t->last.valid;
  spill_refs(t, x, top);
  bool spilled = was_valid && !t->last.valid;
  int32_t xo = loff(x);
  if (v.kind == V_LOCAL) {
    emit_mov(t, loff(v.local), xo);
  } else if (v.kind == V_CONST) {
    emit_const_to(t, xo, v.k);
  } else if (!spilled && t->last.valid && t->last.dst == home(t, top) && !t->oom) {
    wf_cell_t *dc = &t->code[t->last.dcell];
    if (t->last.dhalf) dc->p.b = xo; else dc->p.a = xo;
    t->last.valid = false;
  } else {
    emit_mov(t, home(t, top), xo);
  }
  t->last.valid = false;
  t->sh--;
  if (tee) push_local(t, x);
}

/* ---- plain numeric and memory instructions ---- */

static uint32_t kop_of(uint32_t op) {
  switch (op) {
#define X(n) case WF_OP_##n: return WF_X_##n##_K;
    WF_KOPS(X)
#undef X
    default: return 0;
  }
}
static bool commutative(uint32_t op) {
  switch (op) {
    case WF_OP_I32_ADD: case WF_OP_I32_MUL: case WF_OP_I32_AND: case WF_OP_I32_OR:
    case WF_OP_I32_XOR: case WF_OP_I32_EQ: case WF_OP_I32_NE:
    case WF_OP_I64_ADD: case WF_OP_I64_MUL: case WF_OP_I64_AND: case WF_OP_I64_OR:
    case WF_OP_I64_XOR: case WF_OP_I64_EQ: case WF_OP_I64_NE:
      return true;
    default: return false;
  }
}

static bool fits_imm(uint32_t op, uint64_t k) {
  if (op >= WF_OP_I64_EQZ && op <= WF_OP_I64_GE_U) return (int64_t)k == (int32_t)k;
  if (op >= WF_OP_I64_CLZ && op <= WF_OP_I64_ROTR) return (int64_t)k == (int32_t)k;
  return true;   /* i32: the low 32 bits */
}

static uint32_t memop_rr(uint32_t op, bool k) {
  switch (op) {
#define X(n) case WF_OP_##n: return k ? WF_X_##n##_RK : WF_X_##n##_RR;
    WF_MEMOPS(X)
#undef X
    default: return 0;
  }
}

/* A load (vo < 0) or store whose address was computed by the instruction
 * just emitted, an i32.add: replace the pair with one fused instruction. */
static bool fuse_addr(tr_t *t, uint32_t op, sv_t a, uint32_t apos, int32_t vo, uint32_t off) {
  if (a.kind != V_TEMP || !t->last.valid || t->last.dst != home(t, apos) ||
      t->last.op != WF_OP_I32_ADD)
    return false;
  int32_t x = t->last.a, y = t->last.b;
  bool k = t->last.k;
  t->n = t->last.pos;
  uint32_t pos = emit_h(t, memop_rr(op, k));
  if (vo < 0) {
    int32_t d = push_temp(t);
    if (k) {
      uint32_t dc = emit_ab(t, x, d);
      emit_ab(t, y, (int32_t)off);
      set_last(t, pos, op, 0, 0, false, dc, 1, d);
    } else {
      emit_ab(t, x, y);
      uint32_t dc = emit_ab(t, d, (int32_t)off);
      set_last(t, pos, op, 0, 0, false, dc, 0, d);
    }
  } else if (k) {
    emit_ab(t, x, vo);
    emit_ab(t, y, (int32_t)off);
  } else {
    emit_ab(t, x, y);
    emit_ab(t, vo, (int32_t)off);
  }
  return true;
}

static void do_plain(tr_t *t, uint32_t op) {
  const char *sig = wf_opinfo[op].sig;
  unsigned np = 0;
  while (sig[np] && sig[np] != ':') np++;
  if (wf_opinfo[op].imm == WF_IMM_MEMARG) {
    (void)rd_u32(t);
    uint32_t off = rd_u32(t);
    if (np == 1) {   /* load */
      sv_t a = pop(t);
      if (fuse_addr(t, op, a, t->sh, -1, off)) return;
      int32_t ao = opnd(t, t->sh, &a);
      int32_t d = push_temp(t);
      uint32_t pos = emit_h(t, op);
      uint32_t dc = emit_ab(t, ao, d);
      emit_u(t, off);
      set_last(t, pos, op, ao, 0, false, dc, 1, d);
    } else {         /* store */
      sv_t v = pop(t);
      sv_t a = pop(t);
      int32_t vo = opnd(t, t->sh + 1, &v);
      if (fuse_addr(t, op, a, t->sh, vo, off)) return;
      int32_t ao = opnd(t, t->sh, &a);
      emit_h(t, op);
      emit_ab(t, ao, vo);
      emit_u(t, off);
    }
    return;
  }
  if (np == 1) {
    sv_t a = pop(t);
    int32_t ao = opnd(t, t->sh, &a);
    int32_t d = push_temp(t);
    uint32_t pos = emit_h(t, op);
    uint32_t dc = emit_ab(t, ao, d);
    set_last(t, pos, op, ao, 0, false, dc, 1, d);
    return;
  }
  /* binary */
  sv_t b = pop(t);
  sv_t a = pop(t);
  uint32_t pa = t->sh, pb = t->sh + 1;
  uint32_t kop = kop_of(op);
  if (kop && a.kind == V_CONST && b.kind != V_CONST && commutative(op)) {
    sv_t tmp = a; a = b; b = tmp;
    pa = t->sh + 1; pb = t->sh;
  }
  if (kop && b.kind == V_CONST && fits_imm(op, b.k)) {
    int32_t ao = opnd(t, pa, &a);
    int32_t d = push_temp(t);
    int32_t imm = (int32_t)(uint32_t)b.k;
    uint32_t pos = emit_h(t, kop);
    emit_ab(t, ao, imm);
    uint32_t dc = emit_ab(t, d, 0);
    set_last(t, pos, op, ao, imm, true, dc, 0, d);
    return;
  }
  int32_t ao = opnd(t, pa, &a);
  int32_t bo = opnd(t, pb, &b);
  int32_t d = push_temp(t);
  uint32_t pos = emit_h(t, op);
  emit_ab(t, ao, bo);
  uint32_t dc = emit_ab(t, d, 0);
  set_last(t, pos, op, ao, bo, false, dc, 0, d);
}

/* Arguments of a call: the top n values, in their home slots. */
static int32_t call_args(tr_t *t, uint32_t n) {
  if (n > t->sh) n = t->sh;
  for (uint32_t i = t->sh - n; i < t->sh; i++) to_home(t, i);
  int32_t argoff = home(t, t->sh - n);
  t->sh -= n;
  return argoff;
}
static void call_results(tr_t *t, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) push_temp(t);
}

/* ---- the main loop ---- */

static void translate_body(tr_t *t) {
  const wf_module_t *m = t->m;
  wf_instance_t *inst = t->inst;
  uint32_t skip = 0;   /* nesting depth inside unreachable code */
  while (t->p < t->end && !t->oom && t->nctl > 0) {
    uint32_t code = *t->p++;
    if (code == 0xFC) code = 0xFC00u | (rd_u32(t) & 0xFF);
    int op = wf_opcode_lookup(code);
    if (op < 0) { t->oom = true; return; }   /* not valid: refuse */
    if (t->unreachable) {
      if (op == WF_OP_BLOCK || op == WF_OP_LOOP || op == WF_OP_IF) {
        skip++;
        (void)rd_s(t, 33);
        continue;
      }
      if (op == WF_OP_END && skip > 0) { skip--; continue; }
      if (op == WF_OP_ELSE && skip > 0) continue;
      if (op != WF_OP_END && op != WF_OP_ELSE) { skip_imm(t, op); continue; }
    }
    switch (op) {
      case WF_OP_UNREACHABLE:
        emit_h(t, WF_OP_UNREACHABLE);
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
        if (!t->unreachable) {
          emit_moves(t, c->nresults, home(t, c->height));
          uint32_t ins = emit_h(t, WF_X_BR);
          uint32_t cell = emit_ab(t, 0, 0);
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
        if (!t->unreachable) emit_moves(t, c->nresults, home(t, c->height));
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
          emit_h(t, WF_X_CALL_ANY);
          emit_ptr(t, inst->funcs[fi]);
          emit_ab(t, argoff, 0);
        } else {
          emit_h(t, WF_X_CALL);
          emit_ptr(t, inst->funcs[fi]);
          emit_ptr(t, &inst->code[fi - m->nfunc_imports]);
          emit_ab(t, argoff, 0);
        }
        call_results(t, ft->nresults);
        break;
      }
      case WF_OP_CALL_INDIRECT: {
        uint32_t ti = rd_u32(t), tab = rd_u32(t);
        if (ti >= m->ntypes || tab >= m->ntables) { t->oom = true; return; }
        const wf_functype_t *ft = &m->types[ti];
        sv_t iv = pop(t);
        int32_t io = opnd(t, t->sh, &iv);
        /* the handler reads the index before the callee frame exists */
        int32_t argoff = call_args(t, ft->nparams);
        emit_h(t, WF_X_CALL_IND);
        emit_ptr(t, inst->tables[tab]);
        emit_ab(t, io, argoff);
        emit_ab(t, (int32_t)inst->type_ids[ti], 0);
        call_results(t, ft->nresults);
        break;
      }
      case WF_OP_REF_NULL: (void)rd_raw(t, 1); push_const(t, 0); break;
      case WF_OP_REF_FUNC: {
        uint32_t fi = rd_u32(t);
        push_const(t, fi < m->nfuncs ? (uint64_t)(uintptr_t)inst->funcs[fi] : 0);
        break;
      }
      case WF_OP_REF_IS_NULL: {
        sv_t a = pop(t);
        int32_t ao = opnd(t, t->sh, &a);
        int32_t d = push_temp(t);
        emit_h(t, WF_OP_REF_IS_NULL);
        emit_ab(t, ao, d);
        break;
      }
      case WF_OP_DROP: (void)pop(t); break;
      case WF_OP_SELECT: case WF_OP_SELECT_T: {
        if (op == WF_OP_SELECT_T) skip_imm(t, op);
        sv_t c = pop(t), b = pop(t), a = pop(t);
        int32_t ao = opnd(t, t->sh, &a);
        int32_t bo = opnd(t, t->sh + 1, &b);
        int32_t co = opnd(t, t->sh + 2, &c);
        int32_t d = push_temp(t);
        uint32_t pos = emit_h(t, WF_OP_SELECT);
        emit_ab(t, ao, bo);
        uint32_t dc = emit_ab(t, co, d);
        set_last(t, pos, WF_OP_SELECT, ao, bo, false, dc, 1, d);
        break;
      }
      case WF_OP_LOCAL_GET: push_local(t, rd_u32(t)); break;
      case WF_OP_LOCAL_SET: do_local_set(t, rd_u32(t), false); break;
      case WF_OP_LOCAL_TEE: do_local_set(t, rd_u32(t), true); break;
      case WF_OP_GLOBAL_GET: {
        uint32_t g = rd_u32(t);
        if (g >= m->nglobals) { t->oom = true; return; }
        int32_t d = push_temp(t);
        uint32_t pos = emit_h(t, WF_OP_GLOBAL_GET);
        emit_ptr(t, inst->globals[g]);
        uint32_t dc = emit_ab(t, d, 0);
        set_last(t, pos, WF_OP_GLOBAL_GET, 0, 0, false, dc, 0, d);
        break;
      }
      case WF_OP_GLOBAL_SET: {
        uint32_t g = rd_u32(t);
        if (g >= m->nglobals) { t->oom = true; return; }
        sv_t v = pop(t);
        int32_t vo = opnd(t, t->sh, &v);
        emit_h(t, WF_OP_GLOBAL_SET);
        emit_ptr(t, inst->globals[g]);
        emit_ab(t, vo, 0);
        break;
      }
      case WF_OP_TABLE_GET: case WF_OP_TABLE_SET: case WF_OP_TABLE_SIZE:
      case WF_OP_TABLE_GROW: case WF_OP_TABLE_FILL: {
        uint32_t tab = rd_u32(t);
        if (tab >= m->ntables) { t->oom = true; return; }
        if (op == WF_OP_TABLE_GET) {
          sv_t i = pop(t);
          int32_t io = opnd(t, t->sh, &i);
          int32_t d = push_temp(t);
          emit_h(t, op); emit_ptr(t, inst->tables[tab]); emit_ab(t, io, d);
        } else if (op == WF_OP_TABLE_SET) {
          sv_t v = pop(t), i = pop(t);
          int32_t vo = opnd(t, t->sh + 1, &v), io = opnd(t, t->sh, &i);
          emit_h(t, op); emit_ptr(t, inst->tables[tab]); emit_ab(t, io, vo);
        } else if (op == WF_OP_TABLE_SIZE) {
          int32_t d = push_temp(t);
          emit_h(t, op); emit_ptr(t, inst->tables[tab]); emit_ab(t, d, 0);
        } else if (op == WF_OP_TABLE_GROW) {
          sv_t n = pop(t), v = pop(t);
          int32_t no = opnd(t, t->sh + 1, &n), vo = opnd(t, t->sh, &v);
          int32_t d = push_temp(t);
          emit_h(t, op); emit_ptr(t, inst->tables[tab]); emit_ab(t, vo, no); emit_ab(t, d, 0);
        } else {
          sv_t n = pop(t), v = pop(t), i = pop(t);
          int32_t no = opnd(t, t->sh + 2, &n), vo = opnd(t, t->sh + 1, &v);
          int32_t io = opnd(t, t->sh, &i);
          emit_h(t, op); emit_ptr(t, inst->tables[tab]); emit_ab(t, io, vo); emit_ab(t, no, 0);
        }
        break;
      }
      case WF_OP_TABLE_INIT: case WF_OP_TABLE_COPY: case WF_OP_MEMORY_INIT: {
        uint32_t x = rd_u32(t), y;
        if (op == WF_OP_MEMORY_INIT) { (void)rd_raw(t, 1); y = 0; } else y = rd_u32(t);
        sv_t n = pop(t), s = pop(t), d = pop(t);
        int32_t no = opnd(t, t->sh + 2, &n), so = opnd(t, t->sh + 1, &s);
        int32_t dd = opnd(t, t->sh, &d);
        emit_h(t, op);
        emit_ab(t, (int32_t)x, (int32_t)y);
        emit_ab(t, dd, so);
        emit_ab(t, no, 0);
        break;
      }
      case WF_OP_ELEM_DROP: case WF_OP_DATA_DROP: {
        uint32_t x = rd_u32(t);
        emit_h(t, op);
        emit_ab(t, (int32_t)x, 0);
        break;
      }
      case WF_OP_MEMORY_SIZE: {
        (void)rd_raw(t, 1);
        int32_t d = push_temp(t);
        emit_h(t, op);
        emit_ab(t, d, 0);
        break;
      }
      case WF_OP_MEMORY_GROW: {
        (void)rd_raw(t, 1);
        sv_t a = pop(t);
        int32_t ao = opnd(t, t->sh, &a);
        int32_t d = push_temp(t);
        emit_h(t, op);
        emit_ab(t, ao, d);
        break;
      }
      case WF_OP_MEMORY_COPY: case WF_OP_MEMORY_FILL: {
        if (op == WF_OP_MEMORY_COPY) (void)rd_raw(t, 2); else (void)rd_raw(t, 1);
        sv_t n = pop(t), s = pop(t), d = pop(t);
        int32_t no = opnd(t, t->sh + 2, &n), so = opnd(t, t->sh + 1, &s);
        int32_t dd = opnd(t, t->sh, &d);
        emit_h(t, op);
        emit_ab(t, dd, so);
        emit_ab(t, no, 0);
        break;
      }
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

wf_code_t *wf_translate(wf_instance_t *inst, uint32_t defined_idx) {
  const wf_module_t *m = inst->module;
  if (defined_idx >= m->nfuncs - m->nfunc_imports) return NULL;
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
  push_ctl(&t, C_FUNC, 0, ft->nresults);
  translate_body(&t);
  wf_code_t *c = NULL;
  uint64_t slots = (uint64_t)t.T + t.maxh + 2;
  if (!t.oom && slots < (1u << 24)) {
    c = malloc(sizeof *c + t.n * sizeof(wf_cell_t) + (size_t)t.nk * sizeof(uint64_t));
    if (c) {
      c->nparams = ft->nparams;
      c->nlocals = fn->nlocals;
      c->nresults = ft->nresults;
      c->frame_slots = (uint32_t)slots;
      c->cbase = t.cbase;
      c->nconsts = t.nk;
      c->ncells = (uint32_t)t.n;
      c->pad_ = 0;
      memcpy(c->cells, t.code, t.n * sizeof(wf_cell_t));
      uint64_t *kp = (uint64_t *)(c->cells + t.n);
      if (t.nk) memcpy(kp, t.kv, (size_t)t.nk * sizeof(uint64_t));
      c->consts = kp;
    }
  }
  free(t.kv);
  free(t.code);
  free(t.st);
  free(t.ctl);
  free(t.fix);
  return c;
}
