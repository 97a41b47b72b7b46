/* The translator's control flow (translate.c runs the main loop): block
 * labels and their fixups, the moves a branch needs, br / br_if / br_table,
 * compare-and-branch fusions, return, and try_table's landing pads. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "../util/leb128.h"

#include "translate.h"

/* ---- control ---- */

bool wf_tr_push_ctl(tr_t *t, uint8_t kind, uint32_t np, uint32_t nr) {
  if (!wf_tr_grow((void **)&t->ctl, &t->ccap, (size_t)t->nctl + 1, sizeof(ctl_t))) {
    t->oom = true;
    return false;
  }
  ctl_t *c = &t->ctl[t->nctl++];
  c->kind = kind;
  c->height = t->sh >= np ? t->sh - np : 0;
  c->nparams = np;
  c->nresults = nr;
  c->loop_pos = (uint32_t)wf_tr_label_here(t);
  c->fix = -1;
  c->else_ins = c->else_cell = -1;
  c->try_idx = -1;
  return true;
}

void wf_tr_add_fix(tr_t *t, ctl_t *c, uint32_t ins, uint32_t cell) {
  if (t->oom) return;
  if (!wf_tr_grow((void **)&t->fix, &t->fcap, (size_t)t->nfix + 1, sizeof(fix_t))) {
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
void wf_tr_emit_moves(tr_t *t, uint32_t n, int32_t dst) {
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
    if (o >= dst && o < dst + (int32_t)(8 * i)) wf_tr_emit_mov(t, o, wf_tr_home(t, base + i));
  }
  for (uint32_t i = 0; i < n; i++) {
    sv_t *v = &t->st[base + i];
    int32_t d = dst + (int32_t)(8 * i);
    if (v->kind == V_CONST) { wf_tr_emit_const_to(t, d, v->k); continue; }
    int32_t s = wf_tr_home(t, base + i);
    if (v->kind == V_LOCAL) {
      int32_t o = wf_tr_loff(v->local);
      if (!(o >= dst && o < dst + (int32_t)(8 * i))) s = o;
    }
    wf_tr_emit_mov(t, s, d);
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


void wf_tr_emit_return(tr_t *t) {
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
  wf_tr_emit_moves(t, f->nresults, 0);
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
void wf_tr_emit_br(tr_t *t, uint32_t d) {
  if (d >= t->nctl) return;
  ctl_t *c = &t->ctl[t->nctl - 1 - d];
  if (c->kind == C_FUNC) { wf_tr_emit_return(t); return; }
  uint32_t n = label_arity(c);
  wf_tr_emit_moves(t, n, wf_tr_home(t, c->height));
  uint32_t ins, cell;
  if (!mov_br(t, &ins, &cell)) {
    ins = wf_tr_emit_h(t, WF_X_BR);
    cell = wf_tr_emit_ab(t, 0, 0);
  }
  if (c->kind == C_LOOP) wf_tr_patch_rel(t, ins, cell, c->loop_pos);
  else wf_tr_add_fix(t, c, ins, cell);
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
void wf_tr_emit_condbr(tr_t *t, sv_t c, uint32_t cpos, bool when_true, uint32_t *ins,
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

void wf_tr_br_if(tr_t *t, uint32_t d) {
  sv_t c = wf_tr_pop(t);
  uint32_t cpos = t->sh;
  if (d >= t->nctl) return;
  ctl_t *lc = &t->ctl[t->nctl - 1 - d];
  uint32_t n = label_arity(lc), ins, cell;
  if (lc->kind != C_FUNC && !moves_needed(t, n, wf_tr_home(t, lc->height))) {
    wf_tr_emit_condbr(t, c, cpos, true, &ins, &cell);
    if (lc->kind == C_LOOP) wf_tr_patch_rel(t, ins, cell, lc->loop_pos);
    else wf_tr_add_fix(t, lc, ins, cell);
    return;
  }
  wf_tr_emit_condbr(t, c, cpos, false, &ins, &cell);
  wf_tr_emit_br(t, d);
  wf_tr_patch_rel(t, ins, cell, wf_tr_label_here(t));
}

void wf_tr_br_table(tr_t *t) {
  uint32_t n = wf_tr_rd_u32(t);
  if ((uint64_t)n + 1 > (size_t)(t->end - t->p)) { t->p = t->end; return; }
  sv_t iv = wf_tr_pop(t);
  int32_t idx = wf_tr_opnd(t, t->sh, &iv);
  const uint8_t *labels = t->p;
  for (uint32_t i = 0; i <= n; i++) (void)wf_tr_rd_u32(t);
  if (!wf_tr_reserve(t, (size_t)n + 16)) return;
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
      if (lc->kind == C_LOOP) wf_tr_patch_rel(t, ins, cell, lc->loop_pos);
      else wf_tr_add_fix(t, lc, ins, cell);
      continue;
    }
    if (!stub[d]) {
      stub[d] = (int32_t)wf_tr_label_here(t);
      wf_tr_emit_br(t, (uint32_t)d);
    }
    wf_tr_patch_rel(t, ins, cell, (size_t)stub[d]);
  }
  free(stub);
}

void wf_tr_end_label(tr_t *t, ctl_t *c) {
  size_t here = wf_tr_label_here(t);
  for (int32_t f = c->fix; f >= 0; f = t->fix[f].next)
    wf_tr_patch_rel(t, t->fix[f].ins, t->fix[f].cell, here);
  t->last.valid = false;
}

/* ---- exceptions ---- */

/* try_table: landing pads for the catch clauses (jumped over), then the
 * body as a block whose cells the handler covers. */
void wf_tr_try_table(tr_t *t) {
  const wf_module_t *m = t->m;
  uint32_t np, nr;
  wf_tr_blocktype(t, &np, &nr);
  wf_tr_spill_locals(t);
  if (np > t->sh) np = t->sh;
  for (uint32_t i = t->sh - np; i < t->sh; i++) wf_tr_to_home(t, i);
  t->last.valid = false;
  uint32_t h = t->sh - np;
  if (!wf_tr_grow((void **)&t->hs, &t->hcap, (size_t)t->nh + 1, sizeof(wf_handler_t))) {
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
  uint32_t n = wf_tr_rd_u32(t);
  for (uint32_t i = 0; i < n && t->p < t->end && !t->oom; i++) {
    uint8_t kind = (uint8_t)wf_tr_rd_raw(t, 1);
    uint32_t tag = kind <= WF_CATCH_REF ? wf_tr_rd_u32(t) : UINT32_MAX;
    uint32_t label = wf_tr_rd_u32(t);
    if (kind > WF_CATCH_ALL_REF || (tag != UINT32_MAX && tag >= m->ntags) || label >= t->nctl) {
      t->oom = true;   /* not valid: refuse */
      break;
    }
    uint32_t nv = (tag != UINT32_MAX ? m->types[m->tag_type[tag]].nparams : 0) +
                  (kind == WF_CATCH_REF || kind == WF_CATCH_ALL_REF);
    if (!wf_tr_grow((void **)&t->cs, &t->cscap, (size_t)t->ncs + 1, sizeof(wf_catch_t))) {
      t->oom = true;
      break;
    }
    wf_catch_t *c = &t->cs[t->ncs++];
    t->hs[hi].n++;
    c->tag = tag != UINT32_MAX ? t->inst->tags[tag] : NULL;
    if (tag != UINT32_MAX) wf_tr_add_rel(t, t->ncs - 1, R_CATCH_TAG, tag);
    c->kind = kind;
    c->pad = (uint32_t)wf_tr_label_here(t);
    /* the pad: the values sit at wf_tr_home(h ..); branch with them like br */
    t->sh = h;
    if (t->lo > t->sh) t->lo = t->sh;
    for (uint32_t k = 0; k < nv; k++) wf_tr_push_temp(t);
    wf_tr_emit_br(t, label);
    t->sh = h;
  }
  /* restore the params and start the body */
  for (uint32_t k = 0; k < np; k++) wf_tr_push(t, keep[k]);
  if (keep != saved) free(keep);
  wf_tr_patch_rel(t, over, over_cell, wf_tr_label_here(t));
  if (t->oom) return;
  t->hs[hi].start = (uint32_t)t->n;
  if (!wf_tr_push_ctl(t, C_BLOCK, np, nr)) return;
  t->ctl[t->nctl - 1].try_idx = (int32_t)hi;
}
