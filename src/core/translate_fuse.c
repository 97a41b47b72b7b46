/* Fusions of adjacent plain numeric and memory instructions into the
 * superinstructions of opcodes.def (called by translate.c's do_plain): an
 * operation with its constant or local operands, a read-modify-write of
 * memory, a load or store with its address computation, chains such as
 * SHA-2's rotate/xor and f64 multiply-add into memory. Each fusion is made
 * only when its parts are adjacent, no label sits between them and every
 * intermediate value is a temporary nothing else reads. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "translate.h"

/* ---- plain numeric and memory instructions ---- */

/* Forwarded forms (see interp.h): which = 0 a from acc, 1 b from acc, 2 K form. */
uint32_t wf_tr_acc_op(uint32_t op, int which) {
  switch (op) {
#define X(n) case WF_OP_##n: return which == 0 ? WF_X_##n##_A : which == 1 ? WF_X_##n##_B : WF_X_##n##_KA;
    WF_KOPS(X)
#undef X
#define X(n) case WF_OP_##n: return which == 0 ? WF_X_##n##_A : which == 1 ? WF_X_##n##_B : 0;
    WF_FACCOPS(X)
#undef X
    default: return 0;
  }
}

uint32_t wf_tr_kop_of(uint32_t op) {
  switch (op) {
#define X(n) case WF_OP_##n: return WF_X_##n##_K;
    WF_KOPS(X)
#undef X
    default: return 0;
  }
}
uint32_t wf_tr_marith_load(uint32_t op) {
  switch (op) {
#define X(n, l) case WF_OP_##n: return WF_OP_##l;
    WF_MARITH(X)
#undef X
    default: return 0;
  }
}
uint32_t wf_tr_marith_op(uint32_t op, bool mem_is_a) {
  switch (op) {
#define X(n, l) case WF_OP_##n: return mem_is_a ? WF_X_##n##_MA : WF_X_##n##_MB;
    WF_MARITH(X)
#undef X
    default: return 0;
  }
}
static uint32_t pair_op(uint32_t op1, bool k1, uint32_t op2, bool k2, int side) {
#define X(n, o1, pk1, o2, pk2, ps, ...) \
  if (op1 == WF_OP_##o1 && k1 == pk1 && op2 == WF_OP_##o2 && k2 == pk2 && side == ps) \
    return WF_X_P_##n;
  WF_PAIRS(X)
#undef X
  return 0;
}

bool wf_tr_commutative(uint32_t op);

/* The cells recorded in t->rx are still what was emitted (nothing was
 * rewound and replaced in between). */
static bool rx_intact(tr_t *t) {
  if (t->oom) return false;
  const wf_cell_t *c = &t->code[t->rx.pos1];
  if ((c[0].h != t->H[WF_X_I32_ROTL_K] && c[0].h != t->H[WF_X_I32_ROTL_KA]) ||
      c[1].p.a != t->rx.x || c[1].p.b != t->rx.k1)
    return false;
  if (t->rx.stage == 1) return c[2].p.a == t->rx.dst && t->rx.pos1 + 3 == t->rx.end;
  c = &t->code[t->rx.pos2];
  return t->rx.pos2 == t->rx.pos1 + 3 && c[0].h == t->H[WF_X_P_ROTLK_XOR_C] &&
         c[1].p.a == t->rx.x && c[1].p.b == t->rx.k2 && c[2].p.b == t->rx.dst &&
         t->rx.pos2 + 3 == t->rx.end;
}

/* The binary op `op` consumes the result of the instruction just emitted
 * (a binary op itself): emit one pair instruction instead. `x` is the other
 * operand's slot (or immediate when k2); t_left: the fresh value is op's left
 * operand. */
bool wf_tr_fuse_pair(tr_t *t, uint32_t op, bool k2, int32_t x, bool t_left) {
  if (!t->last.valid || t->last.norewind || t->last.op >= WF_OP_COUNT) return false;
  int side = t_left ? 0 : 1;
  if (!t_left && wf_tr_commutative(op)) side = 0;
  uint32_t pop_ = pair_op(t->last.op, t->last.k, op, k2, side);
  if (!pop_) return false;
  int32_t a = t->last.a, b = t->last.b, before = t->last.before;
  uint32_t base = pop_;
  /* the value written just before op1 is in acc when the pair starts */
  if (before != INT32_MIN) {
    if (!k2 && x == before) pop_ += 2;                   /* WF_X_P_n_C */
    else if (a == before) pop_ += 1;                     /* WF_X_P_n_A */
  }
  /* the second or third step of a rotate/xor chain on the same a */
  bool chain = pop_ == base + 2 && (base == WF_X_P_ROTLK_XOR || base == WF_X_P_SHRUK_XOR) &&
               t->rx.stage && t->rx.end == t->last.pos && t->rx.dst == x && t->rx.x == a &&
               x >= (int32_t)(t->T * 8u) && rx_intact(t);
  if (chain && t->rx.stage == 2) {
    int32_t k1 = t->rx.k1, k2_ = t->rx.k2;
    wf_tr_rewind_to(t, t->rx.pos1);
    t->rx.stage = 0;
    int32_t d = wf_tr_push_temp(t);
    uint32_t pos = wf_tr_emit_h(t, base == WF_X_P_ROTLK_XOR ? WF_X_SIG_RRR : WF_X_SIG_RRS);
    wf_tr_emit_ab(t, a, k1);
    wf_tr_emit_ab(t, k2_, b);
    uint32_t dc = wf_tr_emit_ab(t, d, 0);
    wf_tr_set_last(t, pos, WF_X_COUNT, 0, 0, false, dc, 0, d);
    return true;
  }
  wf_tr_rewind_to(t, t->last.pos);
  int32_t d = wf_tr_push_temp(t);
  uint32_t pos = wf_tr_emit_h(t, pop_);
  t->cur_before = before;
  wf_tr_emit_ab(t, a, b);
  uint32_t dc = wf_tr_emit_ab(t, x, d);
  wf_tr_set_last(t, pos, WF_X_COUNT, 0, 0, false, dc, 1, d);
  if (base == WF_X_P_FMUL_FMUL && !t->oom) {
    t->prod.valid = true;
    t->prod.pos = pos;
    t->prod.end = t->n;
    t->prod.a = a;
    t->prod.b = b;
    t->prod.c = x;
    t->prod.dst = d;
  }
  if (chain && base == WF_X_P_ROTLK_XOR && !t->oom) {
    t->rx.stage = 2;
    t->rx.pos2 = pos;
    t->rx.end = t->n;
    t->rx.k2 = b;
    t->rx.dst = d;
  }
  return true;
}

uint32_t wf_tr_marith_fop(uint32_t op, bool mem_is_a, bool k) {
  switch (op) {
#define X(n, l) case WF_OP_##n: \
    return k ? (mem_is_a ? WF_X_##n##_MAK : WF_X_##n##_MBK) : (mem_is_a ? WF_X_##n##_MAR : WF_X_##n##_MBR);
    WF_MARITH(X)
#undef X
    default: return 0;
  }
}
bool wf_tr_commutative(uint32_t op) {
  switch (op) {
    case WF_OP_I32_ADD: case WF_OP_I32_MUL: case WF_OP_I32_AND: case WF_OP_I32_OR:
    case WF_OP_I32_XOR: case WF_OP_I32_EQ: case WF_OP_I32_NE:
    case WF_OP_I64_ADD: case WF_OP_I64_MUL: case WF_OP_I64_AND: case WF_OP_I64_OR:
    case WF_OP_I64_XOR: case WF_OP_I64_EQ: case WF_OP_I64_NE:
      return true;
    default: return false;
  }
}

bool wf_tr_fits_imm(uint32_t op, uint64_t k) {
  if (op >= WF_OP_I64_EQZ && op <= WF_OP_I64_GE_U) return (int64_t)k == (int32_t)k;
  if (op >= WF_OP_I64_CLZ && op <= WF_OP_I64_ROTR) return (int64_t)k == (int32_t)k;
  return true;   /* i32: the low 32 bits */
}

/* t->prod is still the P_FMUL_FMUL emitted at its position, and its
 * product (a temporary, read only by what consumes it) is slot x. */
static bool prod_intact(tr_t *t, int32_t x) {
  if (!t->prod.valid || t->oom || t->prod.dst != x || x < (int32_t)(t->T * 8u) ||
      t->prod.end != t->prod.pos + 3)
    return false;
  const wf_cell_t *c = &t->code[t->prod.pos];
  return (c[0].h == t->H[WF_X_P_FMUL_FMUL] || c[0].h == t->H[WF_X_P_FMUL_FMUL_A] ||
          c[0].h == t->H[WF_X_P_FMUL_FMUL_C]) &&
         c[1].p.a == t->prod.a && c[1].p.b == t->prod.b && c[2].p.a == t->prod.c &&
         c[2].p.b == x;
}

/* t->fload is still the F64_LOAD emitted at its position. */
static bool fload_intact(tr_t *t) {
  if (t->oom || t->fload.end != t->fload.pos + 3) return false;
  const wf_cell_t *c = &t->code[t->fload.pos];
  return (c[0].h == t->H[WF_OP_F64_LOAD] || c[0].h == t->H[WF_X_F64_LOAD_A]) &&
         c[1].p.a == t->fload.addr && c[1].p.b == t->fload.dst &&
         c[2].u == (uint64_t)(uint32_t)t->fload.off;
}

/* A store of the value just computed by a fused load+op from the same
 * address: one read-modify-write instruction. */
bool wf_tr_fuse_rmw(tr_t *t, uint32_t op, sv_t v, sv_t a, uint32_t apos, uint32_t off) {
  if (v.kind != V_TEMP || !t->last.valid || t->last.norewind ||
      t->last.dst != wf_tr_home(t, apos + 1) || t->last.off != (int32_t)off)
    return false;
  uint32_t rop = 0;
  switch (t->last.op) {
#define X(n, l) \
    case WF_X_##n##_MB: rop = op == WF_OP_##l + (WF_OP_I32_STORE - WF_OP_I32_LOAD) ? WF_X_##n##_RMB : 0; break; \
    case WF_X_##n##_MA: rop = op == WF_OP_##l + (WF_OP_I32_STORE - WF_OP_I32_LOAD) ? WF_X_##n##_RMA : 0; break;
    WF_MARITH(X)
#undef X
    default: return false;
  }
  if (!rop) return false;
  /* the same address slot (a local, or a temporary the op did not write) */
  int32_t ao = a.kind == V_LOCAL ? wf_tr_loff(a.local) : a.kind == V_TEMP ? wf_tr_home(t, apos)
             : wf_tr_const_slot(t, a.k);   /* a constant address: its slot, as the load's */
  if (ao < 0 || ao != t->last.b) return false;
  int32_t x = t->last.a;
  /* x = y * mem just before (no label between), x a temporary read only
   * here: one F64_MULADD_RM */
  if (rop == WF_X_F64_ADD_RMB && t->fmul.valid && t->fmul.end == t->last.pos &&
      t->fmul.dst == x && x >= (int32_t)(t->T * 8u) && t->fmul.addr != x &&
      t->code[t->fmul.pos].h == t->H[t->fmul.ma ? WF_X_F64_MUL_MA : WF_X_F64_MUL_MB] &&
      t->code[t->fmul.pos + 1].p.a == t->fmul.x && t->code[t->fmul.pos + 1].p.b == t->fmul.addr &&
      t->code[t->fmul.pos + 2].p.a == x && t->code[t->fmul.pos + 2].p.b == t->fmul.off) {
    int32_t y = t->fmul.x, a1 = t->fmul.addr, off1 = t->fmul.off;
    wf_tr_rewind_to(t, t->fmul.pos);
    t->fmul.valid = false;
    wf_tr_emit_h(t, t->fmul.ma ? WF_X_F64_MULADD_RMA : WF_X_F64_MULADD_RM);
    wf_tr_emit_ab(t, y, a1);
    wf_tr_emit_ab(t, ao, off1);
    wf_tr_emit_ab(t, (int32_t)off, 0);
    return true;
  }
  /* x = (a * b) * c just before: one F64_M3ADD_RM */
  if (rop == WF_X_F64_ADD_RMB && t->prod.end == t->last.pos && prod_intact(t, x) &&
      ao != x) {
    int32_t pa = t->prod.a, pb = t->prod.b, pc = t->prod.c;
    /* the address computed by an I32_ADD_K just before the product */
    if (t->addk.valid && t->addk.end == t->prod.pos && t->addk.end == t->addk.pos + 3) {
      const wf_cell_t *kc = &t->code[t->addk.pos];
      if ((kc[0].h == t->H[WF_X_I32_ADD_K] || kc[0].h == t->H[WF_X_I32_ADD_KA]) &&
          kc[2].p.a == ao) {
        int32_t ka = kc[1].p.a, kimm = kc[1].p.b;
        wf_tr_rewind_to(t, t->addk.pos);
        t->prod.valid = t->addk.valid = false;
        wf_tr_emit_h(t, WF_X_F64_M3ADD_RMK);
        wf_tr_emit_ab(t, pa, pb);
        wf_tr_emit_ab(t, pc, ao);
        wf_tr_emit_ab(t, (int32_t)off, ka);
        wf_tr_emit_ab(t, kimm, 0);
        return true;
      }
    }
    wf_tr_rewind_to(t, t->prod.pos);
    t->prod.valid = false;
    wf_tr_emit_h(t, WF_X_F64_M3ADD_RM);
    wf_tr_emit_ab(t, pa, pb);
    wf_tr_emit_ab(t, pc, ao);
    wf_tr_emit_ab(t, (int32_t)off, 0);
    return true;
  }
  wf_tr_rewind_to(t, t->last.pos);
  wf_tr_emit_h(t, rop);
  wf_tr_emit_ab(t, x, ao);
  wf_tr_emit_ab(t, 0, (int32_t)off);
  return true;
}

/* A store of the value just loaded (plain i32/i64 load and store). */
bool wf_tr_fuse_copy(tr_t *t, uint32_t op, sv_t v, sv_t a, uint32_t apos, uint32_t off) {
  if (v.kind != V_TEMP || !t->last.valid || t->last.norewind ||
      t->last.dst != wf_tr_home(t, apos + 1))
    return false;
  uint32_t cop;
  if (op == WF_OP_I32_STORE && t->last.op == WF_OP_I32_LOAD) cop = WF_X_COPY32;
  else if (op == WF_OP_I64_STORE && t->last.op == WF_OP_I64_LOAD) cop = WF_X_COPY64;
  else return false;
  int32_t src = t->last.a, soff = t->last.b;
  wf_tr_rewind_to(t, t->last.pos);
  int32_t ao = wf_tr_opnd(t, apos, &a);
  wf_tr_emit_h(t, cop);
  wf_tr_emit_ab(t, src, ao);
  wf_tr_emit_ab(t, soff, (int32_t)off);
  return true;
}

/* A store of the value just computed by a plain binary op. */
bool wf_tr_fuse_opstore(tr_t *t, uint32_t op, sv_t v, sv_t a, uint32_t apos, uint32_t off) {
  if (v.kind != V_TEMP || !t->last.valid || t->last.norewind ||
      t->last.dst != wf_tr_home(t, apos + 1) || t->last.op >= WF_OP_COUNT)
    return false;
  uint32_t sop = 0;
#define X(n, o, kk, st, ...) \
  if (!sop && t->last.op == WF_OP_##o && t->last.k == kk && op == WF_OP_##st) sop = WF_X_S_##n;
  WF_OPSTORES(X)
#undef X
  if (!sop) return false;
  int32_t x = t->last.a, y = t->last.b;
  /* mem - (p * q) * r where mem was loaded from the same address just
   * before the product: one F64_M3SUB_RM */
  if (sop == WF_X_S_F64_SUB && a.kind != V_CONST && t->prod.end == t->last.pos &&
      prod_intact(t, y) && t->fload.valid && t->fload.end == t->prod.pos &&
      t->fload.dst == x && x >= (int32_t)(t->T * 8u) && t->fload.off == (int32_t)off &&
      fload_intact(t)) {
    int32_t ao = a.kind == V_LOCAL ? wf_tr_loff(a.local) : wf_tr_home(t, apos);
    if (ao == t->fload.addr && ao != x && ao != y) {
      int32_t pa = t->prod.a, pb = t->prod.b, pc = t->prod.c;
      wf_tr_rewind_to(t, t->fload.pos);
      t->prod.valid = t->fload.valid = false;
      wf_tr_emit_h(t, WF_X_F64_M3SUB_RM);
      wf_tr_emit_ab(t, pa, pb);
      wf_tr_emit_ab(t, pc, ao);
      wf_tr_emit_ab(t, (int32_t)off, 0);
      return true;
    }
  }
  wf_tr_rewind_to(t, t->last.pos);
  int32_t ao = wf_tr_opnd(t, apos, &a);   /* the address: computed earlier, no code emitted */
  wf_tr_emit_h(t, sop);
  wf_tr_emit_ab(t, x, y);
  wf_tr_emit_ab(t, ao, (int32_t)off);
  return true;
}

uint32_t wf_tr_load_acc_op(uint32_t op, bool rk) {
  switch (op) {
#define X(n) case WF_OP_##n: return rk ? WF_X_##n##_RKA : WF_X_##n##_A;
    WF_LOADOPS(X)
#undef X
    default: return op;
  }
}

uint32_t wf_tr_memop_rr(uint32_t op, bool k) {
  switch (op) {
#define X(n) case WF_OP_##n: return k ? WF_X_##n##_RK : WF_X_##n##_RR;
    WF_MEMOPS(X)
#undef X
    default: return 0;
  }
}

/* A load (vo < 0) or store whose address was computed by the instruction
 * just emitted, an i32.add: replace the pair with one fused instruction. */
bool wf_tr_fuse_addr(tr_t *t, uint32_t op, sv_t a, uint32_t apos, int32_t vo, uint32_t off) {
  if (a.kind != V_TEMP || !t->last.valid || t->last.norewind || t->last.dst != wf_tr_home(t, apos) ||
      t->last.op != WF_OP_I32_ADD)
    return false;
  int32_t x = t->last.a, y = t->last.b, before = t->last.before;
  bool k = t->last.k;
  /* an i32.load from (a << sh) + imm, the shifted value a temporary read
   * only here: one I32_LOAD_SK */
  if (vo < 0 && k && op == WF_OP_I32_LOAD && t->shlk.valid && !t->oom &&
      t->shlk.end == t->last.pos && t->shlk.dst == x && x >= (int32_t)(t->T * 8u) &&
      t->shlk.end == t->shlk.pos + 3) {
    const wf_cell_t *sc = &t->code[t->shlk.pos];
    if ((sc[0].h == t->H[WF_X_I32_SHL_K] || sc[0].h == t->H[WF_X_I32_SHL_KA]) &&
        sc[1].p.a == t->shlk.a && sc[1].p.b == t->shlk.sh && sc[2].p.a == x) {
      int32_t sa = t->shlk.a, sh = t->shlk.sh;
      wf_tr_rewind_to(t, t->shlk.pos);
      t->shlk.valid = false;
      int32_t d = wf_tr_push_temp(t);
      uint32_t pos = wf_tr_emit_h(t, WF_X_I32_LOAD_SK);
      wf_tr_emit_ab(t, sa, sh);
      uint32_t dc = wf_tr_emit_ab(t, d, y);
      wf_tr_emit_ab(t, (int32_t)off, 0);
      wf_tr_set_last(t, pos, WF_X_COUNT, 0, 0, false, dc, 0, d);
      return true;
    }
  }
  wf_tr_rewind_to(t, t->last.pos);
  /* a load from x + imm where x was written just before the add: from acc */
  bool fwd = vo < 0 && k && before != INT32_MIN && x == before;
  uint32_t pos = wf_tr_emit_h(t, fwd ? wf_tr_load_acc_op(op, true) : wf_tr_memop_rr(op, k));
  t->cur_before = before;
  if (vo < 0) {
    int32_t d = wf_tr_push_temp(t);
    if (k) {
      uint32_t dc = wf_tr_emit_ab(t, x, d);
      wf_tr_emit_ab(t, y, (int32_t)off);
      wf_tr_set_last(t, pos, wf_tr_memop_rr(op, k), x, y, false, dc, 1, d);
      t->last.off = (int32_t)off;
    } else {
      wf_tr_emit_ab(t, x, y);
      uint32_t dc = wf_tr_emit_ab(t, d, (int32_t)off);
      wf_tr_set_last(t, pos, wf_tr_memop_rr(op, k), x, y, false, dc, 0, d);
      t->last.off = (int32_t)off;
    }
  } else if (k) {
    wf_tr_emit_ab(t, x, vo);
    wf_tr_emit_ab(t, y, (int32_t)off);
  } else {
    wf_tr_emit_ab(t, x, y);
    wf_tr_emit_ab(t, vo, (int32_t)off);
  }
  return true;
}
