/* Translation of a validated function body into the internal code of
 * interp.h: the operand stack is simulated, so operands name slots (a local
 * directly, a temporary's home slot) or carry constants as immediates;
 * branch targets are resolved to relative cell offsets; compare + br_if/if
 * pairs become one compare-and-branch; an instruction whose result is
 * immediately stored by local.set writes the local directly.
 *
 * The input has been validated, so this file trusts the stack discipline
 * and immediates; it still never reads outside the body and never trusts a
 * count for an allocation without growing buffers checked for overflow.
 *
 * This file: emitting cells, the simulated stack, locals, calls and the
 * main loop. Control flow is in translate_ctl.c, plain instructions in
 * translate_plain.c (their fusions in translate_fuse.c), the templates
 * shared between instances in translate_tmpl.c; translate.h holds the
 * state they share. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

#include "translate.h"

/* ---- buffers ---- */

bool wf_tr_grow(void **buf, uint32_t *cap, size_t need, size_t elem) {
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

bool wf_tr_reserve(tr_t *t, size_t k) {
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
  if (!wf_tr_reserve(t, 8)) return 0;
  t->code[t->n].h = t->H[op];
  return (uint32_t)t->n++;
}
uint32_t wf_tr_emit_ab(tr_t *t, int32_t a, int32_t b) {
  if (!wf_tr_reserve(t, 1)) return 0;
  t->code[t->n].u = 0;
  t->code[t->n].p.a = a;
  t->code[t->n].p.b = b;
  return (uint32_t)t->n++;
}
void wf_tr_emit_u(tr_t *t, uint64_t u) {
  if (!wf_tr_reserve(t, 1)) return;
  t->code[t->n++].u = u;
}
void wf_tr_add_rel(tr_t *t, uint32_t at, uint8_t kind, uint32_t idx) {
  rel_t **v = kind == R_CATCH_TAG ? &t->crel : &t->rel;
  uint32_t *n = kind == R_CATCH_TAG ? &t->ncrel : &t->nrel;
  uint32_t *cap = kind == R_CATCH_TAG ? &t->crcap : &t->rcap;
  if (!wf_tr_grow((void **)v, cap, (size_t)*n + 1, sizeof(rel_t))) {
    t->noshare = true;   /* still correct code, only not shared */
    return;
  }
  (*v)[(*n)++] = (rel_t){at, idx, kind};
}
/* A pointer to an object of the instance: kind and index of it (R_*). */
void wf_tr_emit_ptr(tr_t *t, void *ptr, uint8_t kind, uint32_t idx) {
  if (!wf_tr_reserve(t, 1)) return;
  wf_tr_add_rel(t, (uint32_t)t->n, kind, idx);
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
size_t wf_tr_label_here(tr_t *t) {
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

void wf_tr_patch_rel(tr_t *t, uint32_t ins, uint32_t cell, size_t target) {
  if (t->oom) return;
  t->code[cell].p.b = (int32_t)((int64_t)target - (int64_t)ins);
}

/* ---- the simulated stack ---- */


bool wf_tr_push(tr_t *t, sv_t v) {
  if (!wf_tr_grow((void **)&t->st, &t->scap, (size_t)t->sh + 1, sizeof(sv_t))) {
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
  wf_tr_push(t, v);
  return wf_tr_home(t, t->sh - 1);
}
static void push_local(tr_t *t, uint32_t x) { sv_t v = {V_LOCAL, x, 0}; wf_tr_push(t, v); }
static void push_const(tr_t *t, uint64_t k) { sv_t v = {V_CONST, 0, k}; wf_tr_push(t, v); }

void wf_tr_set_last(tr_t *t, uint32_t pos, uint32_t op, int32_t a, int32_t b, bool k,
                     uint32_t dcell, uint8_t dhalf, int32_t dst);
static void emit_const(tr_t *t, int32_t dst, uint64_t k) {
  uint32_t pos = wf_tr_emit_h(t, WF_X_CONST);
  uint32_t dc = wf_tr_emit_ab(t, dst, 0);
  wf_tr_emit_u(t, k);
  wf_tr_set_last(t, pos, WF_X_CONST, 0, 0, false, dc, 0, dst);   /* a value producer */
  t->last.norewind = true;
}

/* A MOV (merged into the MOVn before it when possible). Its destination is
 * written last, so it is a `last` like any value producer (never rewound). */
void wf_tr_emit_mov(tr_t *t, int32_t src, int32_t dst) {
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
  if (!wf_tr_grow((void **)&t->kv, &t->kcap, (size_t)t->nk + 1, sizeof(uint64_t))) {
    t->oom = true;
    return -1;
  }
  t->kv[t->nk++] = k;
  t->khash[h] = t->nk;
  return (int32_t)((t->cbase + t->nk - 1) * 8u);
}

/* Write constant k to slot dst. */
void wf_tr_emit_const_to(tr_t *t, int32_t dst, uint64_t k) {
  int32_t ks = wf_tr_const_slot(t, k);
  if (ks >= 0) wf_tr_emit_mov(t, ks, dst);
  else emit_const(t, dst, k);
}

/* Make stack entry pos live in its home slot. */
void wf_tr_to_home(tr_t *t, uint32_t pos) {
  sv_t *v = &t->st[pos];
  if (v->kind == V_LOCAL) wf_tr_emit_mov(t, wf_tr_loff(v->local), wf_tr_home(t, pos));
  else if (v->kind == V_CONST) wf_tr_emit_const_to(t, wf_tr_home(t, pos), v->k);
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
void wf_tr_spill_locals(tr_t *t) {
  for (uint32_t i = t->lo; i < t->sh; i++)
    if (t->st[i].kind == V_LOCAL) wf_tr_to_home(t, i);
  t->lo = t->sh;
}

/* Local x is about to be written: copy pending references to it (below
 * position `below`) into their home slots. */
static void spill_refs(tr_t *t, uint32_t x, uint32_t below) {
  if (t->lo >= below) return;
  if (below - t->lo > 32) {
    /* long scan: spill everything so the next scan starts high */
    for (uint32_t i = t->lo; i < below; i++)
      if (t->st[i].kind == V_LOCAL) wf_tr_to_home(t, i);
    t->lo = below;
    return;
  }
  for (uint32_t i = t->lo; i < below; i++)
    if (t->st[i].kind == V_LOCAL && t->st[i].local == x) wf_tr_to_home(t, i);
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

/* ---- skipping unreachable code, block types (reading: translate.h) ---- */

/* try_table's catch clauses, skipped (unreachable code). */
static void skip_catches(tr_t *t) {
  uint32_t n = wf_tr_rd_u32(t);
  for (uint32_t i = 0; i < n && t->p < t->end; i++) {
    uint8_t kind = (uint8_t)wf_tr_rd_raw(t, 1);
    if (kind <= WF_CATCH_REF) (void)wf_tr_rd_u32(t);
    (void)wf_tr_rd_u32(t);
  }
}

void wf_tr_blocktype(tr_t *t, uint32_t *np, uint32_t *nr) {
  int64_t bt = wf_tr_rd_s(t, 33);
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
    case WF_IMM_MEMORY_COPY: (void)wf_tr_rd_memidx(t); (void)wf_tr_rd_memidx(t); break;
    case WF_IMM_MEMARG: { uint32_t mem; (void)wf_tr_rd_memarg(t, &mem); break; }
    case WF_IMM_TRY_TABLE: (void)wf_tr_rd_s(t, 33); skip_catches(t); break;
    case WF_IMM_BLOCKTYPE: (void)wf_tr_rd_s(t, 33); break;
    case WF_IMM_BR_TABLE: {
      uint32_t n = wf_tr_rd_u32(t);
      for (uint64_t i = 0; i <= n && t->p < t->end; i++) (void)wf_tr_rd_u32(t);
      break;
    }
    case WF_IMM_CALL_INDIRECT: case WF_IMM_TABLE_INIT:
    case WF_IMM_TABLE_COPY:
      (void)wf_tr_rd_u32(t); (void)wf_tr_rd_u32(t); break;
    case WF_IMM_MEMORY_INIT: (void)wf_tr_rd_u32(t); (void)wf_tr_rd_memidx(t); break;
    case WF_IMM_MEM: (void)wf_tr_rd_memidx(t); break;
    case WF_IMM_REFTYPE: (void)wf_tr_rd_raw(t, 1); break;
    case WF_IMM_I32: (void)wf_tr_rd_s(t, 32); break;
    case WF_IMM_I64: (void)wf_tr_rd_s(t, 64); break;
    case WF_IMM_F32: (void)wf_tr_rd_raw(t, 4); break;
    case WF_IMM_F64: (void)wf_tr_rd_raw(t, 8); break;
    case WF_IMM_SELECT_T: {
      uint32_t n = wf_tr_rd_u32(t);
      for (uint64_t i = 0; i < n && t->p < t->end; i++) (void)wf_tr_rd_raw(t, 1);
      break;
    }
    default: (void)wf_tr_rd_u32(t); break;   /* LABEL FUNC LOCAL GLOBAL TABLE DATA ELEM */
  }
}

/* ---- locals ---- */

static void do_local_set(tr_t *t, uint32_t x, bool tee) {
  if (t->sh == 0) return;
  uint32_t top = t->sh - 1;
  sv_t v = t->st[top];
  spill_refs(t, x, top);   /* a spill MOV becomes `last`: no retarget below */
  int32_t xo = wf_tr_loff(x);
  if (v.kind == V_LOCAL) {
    wf_tr_emit_mov(t, wf_tr_loff(v.local), xo);
  } else if (v.kind == V_CONST) {
    wf_tr_emit_const_to(t, xo, v.k);
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
    wf_tr_emit_mov(t, wf_tr_home(t, top), xo);
  }
  /* `last` is the MOV writing x (or nothing new was emitted) */
  t->sh--;
  if (tee) push_local(t, x);
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
  for (uint32_t i = t->sh - n; i < t->sh; i++) wf_tr_to_home(t, i);
  int32_t argoff = wf_tr_home(t, t->sh - n);
  t->sh -= n;
  return argoff;
}
static void call_results(tr_t *t, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) wf_tr_push_temp(t);
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
      uint32_t sub = wf_tr_rd_u32(t);
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
        (void)wf_tr_rd_s(t, 33);
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
        wf_tr_blocktype(t, &np, &nr);
        wf_tr_spill_locals(t);
        if (np > t->sh) np = t->sh;
        for (uint32_t i = t->sh - np; i < t->sh; i++) wf_tr_to_home(t, i);
        t->last.valid = false;
        wf_tr_push_ctl(t, op == WF_OP_LOOP ? C_LOOP : C_BLOCK, np, nr);
        /* no poll here: every branch polls when taken (interp.c, JUMP) */
        break;
      }
      case WF_OP_IF: {
        uint32_t np, nr, ins, cell;
        wf_tr_blocktype(t, &np, &nr);
        sv_t c = wf_tr_pop(t);
        uint32_t cpos = t->sh;
        /* spills first: they must run on both arms (they only write home
         * slots of live entries, never the condition's operands) */
        wf_tr_spill_locals(t);
        if (np > t->sh) np = t->sh;
        for (uint32_t i = t->sh - np; i < t->sh; i++) wf_tr_to_home(t, i);
        wf_tr_emit_condbr(t, c, cpos, false, &ins, &cell);
        if (!wf_tr_push_ctl(t, C_IF, np, nr)) break;
        t->ctl[t->nctl - 1].else_ins = (int32_t)ins;
        t->ctl[t->nctl - 1].else_cell = (int32_t)cell;
        break;
      }
      case WF_OP_ELSE: {
        ctl_t *c = &t->ctl[t->nctl - 1];
        if (c->kind != C_IF) { t->oom = true; return; }
        if (!t->unreachable) {
          wf_tr_emit_moves(t, c->nresults, wf_tr_home(t, c->height));
          uint32_t ins = wf_tr_emit_h(t, WF_X_BR);
          uint32_t cell = wf_tr_emit_ab(t, 0, 0);
          wf_tr_add_fix(t, c, ins, cell);
        }
        if (c->else_ins >= 0)
          wf_tr_patch_rel(t, (uint32_t)c->else_ins, (uint32_t)c->else_cell, wf_tr_label_here(t));
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
          if (!t->unreachable) wf_tr_emit_return(t);
          t->nctl--;
          return;
        }
        if (c->try_idx >= 0 && !t->oom) t->hs[c->try_idx].end = (uint32_t)t->n;
        if (!t->unreachable) wf_tr_emit_moves(t, c->nresults, wf_tr_home(t, c->height));
        if (c->else_ins >= 0)
          wf_tr_patch_rel(t, (uint32_t)c->else_ins, (uint32_t)c->else_cell, wf_tr_label_here(t));
        wf_tr_end_label(t, c);
        t->sh = c->height;
        if (t->lo > t->sh) t->lo = t->sh;
        call_results(t, c->nresults);
        t->nctl--;
        t->unreachable = false;
        break;
      }
      case WF_OP_BR:
        wf_tr_emit_br(t, wf_tr_rd_u32(t));
        t->unreachable = true;
        break;
      case WF_OP_BR_IF: wf_tr_br_if(t, wf_tr_rd_u32(t)); break;
      case WF_OP_BR_TABLE:
        wf_tr_br_table(t);
        t->unreachable = true;
        break;
      case WF_OP_RETURN:
        wf_tr_emit_return(t);
        t->unreachable = true;
        break;
      case WF_OP_CALL: {
        uint32_t fi = wf_tr_rd_u32(t);
        if (fi >= m->nfuncs) { t->oom = true; return; }
        const wf_functype_t *ft = wf_module_functype(m, fi);
        int32_t argoff = call_args(t, ft->nparams);
        if (fi < m->nfunc_imports) {
          wf_tr_emit_h(t, WF_X_CALL_ANY);
          wf_tr_emit_ptr(t, inst->funcs[fi], R_FUNC, fi);
          wf_tr_emit_ab(t, argoff, 0);
        } else {
          /* the last argument's MOV or i32.load just emitted: fused in */
          int32_t fsrc = 0, fdst = 0, foff = 0;
          uint32_t fop = call_fuse(t, argoff, ft->nparams, &fsrc, &fdst, &foff);
          wf_tr_emit_h(t, fop);
          wf_tr_emit_ptr(t, inst->funcs[fi], R_FUNC, fi);
          wf_tr_emit_ptr(t, &inst->code[fi - m->nfunc_imports], R_CODE, fi - m->nfunc_imports);
          wf_tr_emit_ab(t, argoff, fsrc);
          if (fop != WF_X_CALL) wf_tr_emit_ab(t, fdst, foff);
        }
        call_results(t, ft->nresults);
        break;
      }
      case WF_OP_CALL_INDIRECT: {
        uint32_t ti = wf_tr_rd_u32(t), tab = wf_tr_rd_u32(t);
        if (ti >= m->ntypes || tab >= m->ntables) { t->oom = true; return; }
        const wf_functype_t *ft = &m->types[ti];
        sv_t iv = wf_tr_pop(t);
        int32_t io = wf_tr_opnd(t, t->sh, &iv);
        /* the handler reads the index before the callee frame exists */
        int32_t argoff = call_args(t, ft->nparams);
        wf_tr_emit_h(t, WF_X_CALL_IND);
        wf_tr_emit_ptr(t, inst->tables[tab], R_TABLE, tab);
        wf_tr_emit_ab(t, io, argoff);
        if (wf_tr_reserve(t, 1)) wf_tr_add_rel(t, (uint32_t)t->n, R_TYPEID, ti);
        wf_tr_emit_ab(t, (int32_t)inst->type_ids[ti], 0);
        call_results(t, ft->nresults);
        break;
      }
      case WF_OP_REF_NULL: (void)wf_tr_rd_raw(t, 1); push_const(t, 0); break;
      case WF_OP_REF_FUNC: {
        uint32_t fi = wf_tr_rd_u32(t);
        push_const(t, fi < m->nfuncs ? (uint64_t)(uintptr_t)inst->funcs[fi] : 0);
        t->noshare = true;
        break;
      }
      case WF_OP_REF_IS_NULL: {
        sv_t a = wf_tr_pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, WF_OP_REF_IS_NULL);
        wf_tr_emit_ab(t, ao, d);
        break;
      }
      case WF_OP_DROP: (void)wf_tr_pop(t); break;
      case WF_OP_SELECT: case WF_OP_SELECT_T: {
        if (op == WF_OP_SELECT_T) skip_imm(t, op);
        sv_t c = wf_tr_pop(t), b = wf_tr_pop(t), a = wf_tr_pop(t);
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
        uint32_t x = wf_tr_rd_u32(t);
        if (x >= t->cbase) { t->oom = true; return; }   /* never for validated code */
        if (op == WF_OP_LOCAL_GET) push_local(t, x);
        else do_local_set(t, x, op == WF_OP_LOCAL_TEE);
        break;
      }
      case WF_OP_GLOBAL_GET: {
        uint32_t g = wf_tr_rd_u32(t);
        if (g >= m->nglobals) { t->oom = true; return; }
        int32_t d = wf_tr_push_temp(t);
        uint32_t pos = wf_tr_emit_h(t, WF_OP_GLOBAL_GET);
        wf_tr_emit_ptr(t, inst->globals[g], R_GLOBAL, g);
        uint32_t dc = wf_tr_emit_ab(t, d, 0);
        wf_tr_set_last(t, pos, WF_OP_GLOBAL_GET, 0, 0, false, dc, 0, d);
        break;
      }
      case WF_OP_GLOBAL_SET: {
        uint32_t g = wf_tr_rd_u32(t);
        if (g >= m->nglobals) { t->oom = true; return; }
        sv_t v = wf_tr_pop(t);
        int32_t vo = wf_tr_opnd(t, t->sh, &v);
        wf_tr_emit_h(t, WF_OP_GLOBAL_SET);
        wf_tr_emit_ptr(t, inst->globals[g], R_GLOBAL, g);
        wf_tr_emit_ab(t, vo, 0);
        break;
      }
      case WF_OP_TABLE_GET: case WF_OP_TABLE_SET: case WF_OP_TABLE_SIZE:
      case WF_OP_TABLE_GROW: case WF_OP_TABLE_FILL: {
        uint32_t tab = wf_tr_rd_u32(t);
        if (tab >= m->ntables) { t->oom = true; return; }
        if (op == WF_OP_TABLE_GET) {
          sv_t i = wf_tr_pop(t);
          int32_t io = wf_tr_opnd(t, t->sh, &i);
          int32_t d = wf_tr_push_temp(t);
          wf_tr_emit_h(t, op); wf_tr_emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, io, d);
        } else if (op == WF_OP_TABLE_SET) {
          sv_t v = wf_tr_pop(t), i = wf_tr_pop(t);
          int32_t vo = wf_tr_opnd(t, t->sh + 1, &v), io = wf_tr_opnd(t, t->sh, &i);
          wf_tr_emit_h(t, op); wf_tr_emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, io, vo);
        } else if (op == WF_OP_TABLE_SIZE) {
          int32_t d = wf_tr_push_temp(t);
          wf_tr_emit_h(t, op); wf_tr_emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, d, 0);
        } else if (op == WF_OP_TABLE_GROW) {
          sv_t n = wf_tr_pop(t), v = wf_tr_pop(t);
          int32_t no = wf_tr_opnd(t, t->sh + 1, &n), vo = wf_tr_opnd(t, t->sh, &v);
          int32_t d = wf_tr_push_temp(t);
          wf_tr_emit_h(t, op); wf_tr_emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, vo, no); wf_tr_emit_ab(t, d, 0);
        } else {
          sv_t n = wf_tr_pop(t), v = wf_tr_pop(t), i = wf_tr_pop(t);
          int32_t no = wf_tr_opnd(t, t->sh + 2, &n), vo = wf_tr_opnd(t, t->sh + 1, &v);
          int32_t io = wf_tr_opnd(t, t->sh, &i);
          wf_tr_emit_h(t, op); wf_tr_emit_ptr(t, inst->tables[tab], R_TABLE, tab); wf_tr_emit_ab(t, io, vo); wf_tr_emit_ab(t, no, 0);
        }
        break;
      }
      case WF_OP_TABLE_INIT: case WF_OP_TABLE_COPY: case WF_OP_MEMORY_INIT: {
        uint32_t x = wf_tr_rd_u32(t), y;
        if (op == WF_OP_MEMORY_INIT) y = wf_tr_rd_memidx(t); else y = wf_tr_rd_u32(t);
        if (op == WF_OP_MEMORY_INIT ? x >= m->ndatas || y >= m->nmems
            : op == WF_OP_TABLE_INIT ? x >= m->nelems || y >= m->ntables
            : x >= m->ntables || y >= m->ntables) {
          t->oom = true;
          return;
        }
        sv_t n = wf_tr_pop(t), s = wf_tr_pop(t), d = wf_tr_pop(t);
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
        uint32_t x = wf_tr_rd_u32(t);
        if (x >= (op == WF_OP_ELEM_DROP ? m->nelems : m->ndatas)) { t->oom = true; return; }
        wf_tr_emit_h(t, op);
        wf_tr_emit_ab(t, (int32_t)x, 0);
        break;
      }
      case WF_OP_MEMORY_SIZE: {
        uint32_t mi = wf_tr_rd_memidx(t);
        if (mi >= m->nmems) { t->oom = true; return; }
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, mi ? (uint32_t)WF_X_MEMSIZE_M : (uint32_t)op);
        wf_tr_emit_ab(t, d, 0);
        if (mi) wf_tr_emit_ptr(t, inst->mems[mi], R_MEM, mi);   /* MEMSIZE_M [dst|-] [meminst*] */
        break;
      }
      case WF_OP_MEMORY_GROW: {
        uint32_t mi = wf_tr_rd_memidx(t);
        if (mi >= m->nmems) { t->oom = true; return; }
        sv_t a = wf_tr_pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, mi ? (uint32_t)WF_X_MEMGROW_M : (uint32_t)op);
        wf_tr_emit_ab(t, ao, d);
        if (mi) wf_tr_emit_ptr(t, inst->mems[mi], R_MEM, mi);   /* MEMGROW_M [src|dst] [meminst*] */
        break;
      }
      case WF_OP_MEMORY_COPY: case WF_OP_MEMORY_FILL: {
        uint32_t m1 = wf_tr_rd_memidx(t), m2 = op == WF_OP_MEMORY_COPY ? wf_tr_rd_memidx(t) : 0;
        if (m1 >= m->nmems || m2 >= m->nmems) { t->oom = true; return; }
        sv_t n = wf_tr_pop(t), s = wf_tr_pop(t), d = wf_tr_pop(t);
        int32_t no = wf_tr_opnd(t, t->sh + 2, &n), so = wf_tr_opnd(t, t->sh + 1, &s);
        int32_t dd = wf_tr_opnd(t, t->sh, &d);
        bool multi = m1 || m2;
        wf_tr_emit_h(t, !multi ? (uint32_t)op
                  : op == WF_OP_MEMORY_COPY ? (uint32_t)WF_X_MEMCOPY_M : (uint32_t)WF_X_MEMFILL_M);
        wf_tr_emit_ab(t, dd, so);
        wf_tr_emit_ab(t, no, 0);
        /* MEMCOPY_M: + [dst meminst*] [src meminst*]; MEMFILL_M: + [meminst*] */
        if (multi) wf_tr_emit_ptr(t, inst->mems[m1], R_MEM, m1);
        if (multi && op == WF_OP_MEMORY_COPY) wf_tr_emit_ptr(t, inst->mems[m2], R_MEM, m2);
        break;
      }
      case WF_OP_THROW: {
        uint32_t x = wf_tr_rd_u32(t);
        if (x >= m->ntags) { t->oom = true; return; }
        uint32_t n = m->types[m->tag_type[x]].nparams;
        int32_t argoff = call_args(t, n);
        wf_tr_emit_h(t, WF_X_THROW);
        wf_tr_emit_ptr(t, inst->tags[x], R_TAG, x);
        wf_tr_emit_ab(t, argoff, (int32_t)n);
        t->unreachable = true;
        break;
      }
      case WF_OP_THROW_REF: {
        sv_t a = wf_tr_pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        wf_tr_emit_h(t, WF_X_THROW_REF);
        wf_tr_emit_ab(t, ao, 0);
        t->unreachable = true;
        break;
      }
      case WF_OP_TRY_TABLE: wf_tr_try_table(t); break;
      case WF_OP_I32_CONST: push_const(t, (uint32_t)wf_tr_rd_s(t, 32)); break;
      case WF_OP_I64_CONST: push_const(t, (uint64_t)wf_tr_rd_s(t, 64)); break;
      case WF_OP_F32_CONST: push_const(t, wf_tr_rd_raw(t, 4)); break;
      case WF_OP_F64_CONST: push_const(t, wf_tr_rd_raw(t, 8)); break;
      default:
        if (!wf_opinfo[op].sig) { t->oom = true; return; }
        wf_tr_plain(t, (uint32_t)op);
        break;
    }
  }
}

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
  wf_tr_push_ctl(&t, C_FUNC, 0, ft->nresults);
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
      if (tmpl) *tmpl = wf_tr_make_tmpl(&t, c, (size_t)((uint8_t *)(hs + t.nh) - (uint8_t *)c));
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
    wf_code_t *c = wf_tr_from_tmpl(tp, inst);
#ifdef WF_TRANSLATE_VERIFY
    wf_code_t *f = translate_new(inst, defined_idx, NULL);
    if (c && f) wf_tr_verify(c, f, defined_idx);
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
