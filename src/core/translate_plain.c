/* The translator's plain instructions (translate.c runs the main loop):
 * loads and stores, unary and binary operators (constants as immediates),
 * and the fusions with the instruction just emitted that need the operands
 * as read here (the others are in translate_fuse.c). */
#include <stdbool.h>
#include <stdint.h>

#include "interp.h"

#include "translate.h"

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

void wf_tr_plain(tr_t *t, uint32_t op) {
  const char *sig = wf_opinfo[op].sig;
  unsigned np = 0;
  while (sig[np] && sig[np] != ':') np++;
  if (wf_opinfo[op].imm == WF_IMM_MEMARG) {
    uint32_t mem;
    uint32_t off = wf_tr_rd_memarg(t, &mem);
    if (mem != 0) {   /* another memory than 0: the generic forms */
      if (mem >= t->m->nmems) { t->oom = true; return; }
      if (np == 1) {
        sv_t a = wf_tr_pop(t);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        int32_t d = wf_tr_push_temp(t);
        wf_tr_emit_h(t, WF_X_LOAD_M);
        wf_tr_emit_ab(t, ao, d);
        wf_tr_emit_u(t, off);
        wf_tr_emit_ptr(t, t->inst->mems[mem], R_MEM, mem);
        wf_tr_emit_ab(t, (int32_t)op, 0);
      } else {
        sv_t v = wf_tr_pop(t);
        sv_t a = wf_tr_pop(t);
        int32_t vo = wf_tr_opnd(t, t->sh + 1, &v);
        int32_t ao = wf_tr_opnd(t, t->sh, &a);
        wf_tr_emit_h(t, WF_X_STORE_M);
        wf_tr_emit_ab(t, ao, vo);
        wf_tr_emit_u(t, off);
        wf_tr_emit_ptr(t, t->inst->mems[mem], R_MEM, mem);
        wf_tr_emit_ab(t, (int32_t)op, 0);
      }
      return;
    }
    if (np == 1) {   /* load */
      sv_t a = wf_tr_pop(t);
      if (wf_tr_fuse_addr(t, op, a, t->sh, -1, off)) return;
      int32_t ao = wf_tr_opnd(t, t->sh, &a);
      bool fwd = t->last.valid && t->last.dst == ao;
      int32_t d = wf_tr_push_temp(t);
      uint32_t pos = wf_tr_emit_h(t, fwd ? wf_tr_load_acc_op(op, false) : op);
      uint32_t dc = wf_tr_emit_ab(t, ao, d);
      wf_tr_emit_u(t, off);
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
      sv_t v = wf_tr_pop(t);
      sv_t a = wf_tr_pop(t);
      int32_t vo = wf_tr_opnd(t, t->sh + 1, &v);
      if (wf_tr_fuse_rmw(t, op, v, a, t->sh, off)) return;
      if (wf_tr_fuse_copy(t, op, v, a, t->sh, off)) return;
      if (wf_tr_fuse_opstore(t, op, v, a, t->sh, off)) return;
      if (wf_tr_fuse_addr(t, op, a, t->sh, vo, off)) return;
      int32_t ao = wf_tr_opnd(t, t->sh, &a);
      wf_tr_emit_h(t, op);
      wf_tr_emit_ab(t, ao, vo);
      wf_tr_emit_u(t, off);
    }
    return;
  }
  if (np == 1) {
    sv_t a = wf_tr_pop(t);
    int32_t ao = wf_tr_opnd(t, t->sh, &a);
    int32_t d = wf_tr_push_temp(t);
    uint32_t pos = wf_tr_emit_h(t, op);
    uint32_t dc = wf_tr_emit_ab(t, ao, d);
    wf_tr_set_last(t, pos, op, ao, 0, false, dc, 1, d);
    return;
  }
  /* binary */
  sv_t b = wf_tr_pop(t);
  sv_t a = wf_tr_pop(t);
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
      if (!wf_tr_reserve(t, 8)) return;
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
