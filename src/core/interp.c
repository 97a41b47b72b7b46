/* The interpreter: direct-threaded dispatch (computed goto) over the
 * internal code of interp.h, with the hot state (ip, frame pointer, memory
 * base) in locals. Calls between wasm functions push a frame record on the
 * exec's own frame stack and stay in the dispatch loop; only host functions
 * (and host->wasm re-entry) use the C stack, and that nesting is bounded.
 *
 * Every slot write also leaves the value in `acc` (a register), so an
 * instruction consuming the result of the one just before it can take it
 * from there (the forwarded _A/_B/_C forms, chosen by the translator).
 *
 * Loads and stores are not bounds-checked: every address base + u32 + u32
 * lies inside the memory's reservation, and a fault on its guard pages is
 * turned into a trap by trap.c through the fault context pushed here.
 * Built with -DWF_BOUNDS_CHECK (make valgrind), every access is checked
 * explicitly instead (see MEM below), so memcheck sees no intended faults. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fpu.h"
#include "interp_exec.h"

static inline uint32_t wf_rotl32(uint32_t a, uint32_t b) {
  return (a << (b & 31)) | (a >> ((32 - b) & 31));
}
static inline uint32_t ld_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t ld_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline float ld_f32(const uint8_t *p) { float v; memcpy(&v, p, 4); return v; }
static inline double ld_f64(const uint8_t *p) { double v; memcpy(&v, p, 8); return v; }

#define R64(o) (*(uint64_t *)(fp + (o)))
#define R32(o) (*(uint32_t *)(fp + (o)))
/* every slot write also leaves the value in acc (operand forwarding) */
#define W64(o, v) (*(uint64_t *)(fp + (o)) = acc = (uint64_t)(v))
#define W32(o, v) (*(uint64_t *)(fp + (o)) = acc = (uint64_t)(uint32_t)(v))
#define WF32(o, v) W32(o, wf_f32_bits(v))
#define WF64(o, v) W64(o, wf_f64_bits(v))
#define RF32(o) wf_f32(R32(o))
#define RF64(o) wf_f64(R64(o))
#define A1 ip[1].p.a
#define B1 ip[1].p.b
#define A2 ip[2].p.a
#ifdef WF_INTERP_PROFILE
#define NEXT() do { wf_interp_prof_count(ip->h); goto *ip->h; } while (0)
#else
#define NEXT() goto *ip->h
#endif
#define TRAP(c) do { tc = WF_TRAP_##c; goto trap; } while (0)
/* A taken branch: to rel cells from this instruction, polling for an
 * interrupt on the way. Every branch polls when taken, so every loop
 * iteration (each goes back through a branch) and nothing else pays for the
 * poll: there is no poll instruction at loop heads. Calls poll too. */
#define JUMP(rel) do {                                                   \
    ip += (rel);                                                         \
    if (__builtin_expect(atomic_load_explicit(irq, memory_order_relaxed) != 0, 0)) \
      TRAP(INTERRUPT);                                                   \
    NEXT();                                                              \
  } while (0)
/* The host address of `n` bytes at address a + offset off (a u32 address
 * as u64 plus a u32 offset: no overflow). Normally unchecked: an out-of-bounds
 * access faults on the guard pages (see the top of this file). With
 * -DWF_BOUNDS_CHECK (the valgrind build) every access is checked against the
 * current memory size first, and traps without touching memory. */
#ifdef WF_BOUNDS_CHECK
#define MEM(a, off, n) ({                                                \
    uint64_t ea_ = (uint64_t)(a) + (off);                                \
    if (__builtin_expect(ea_ + (n) > inst->mem0->size, 0)) TRAP(MEM_OOB); \
    mb + ea_;                                                            \
  })
#define MEMCHK_M(mm, ea, n) do { if ((ea) + (n) > (mm)->size) TRAP(MEM_OOB); } while (0)
#else
#define MEM(a, off, n) (mb + (a) + (off))
#define MEMCHK_M(mm, ea, n) do { } while (0)
#endif

#include "interp_ops.h"

/* Every handler entry (every label) on a 64-byte line, and run() itself on
 * one (gcc only; clang has no such option). Without this, kernel times moved
 * by up to 25% with any change that shifted the handlers' placement (a new
 * handler elsewhere in run() made qsort 25% and sha256 12% slower), which
 * hid real wins; with it the same change moved every kernel by under 3%,
 * and the geomean is ~2% better. Costs code size (run() ~35 KB -> ~68 KB). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("align-labels=64"), aligned(64)))
#endif
wf_trapcode_t wf_interp_run(wf_exec_t *ex, wf_xframe_t *entry, const void *const **tbl_out) {
  static const void *const tbl[WF_X_COUNT] = {
#define T1(op, ...) [WF_OP_##op] = &&L_##op,
#define T2(op, ...) [WF_OP_##op] = &&L_##op, [WF_X_##op##_K] = &&L_##op##_K,
#define T3(op, ...) [WF_OP_##op] = &&L_##op, [WF_X_##op##_K] = &&L_##op##_K, \
      [WF_X_BRC_##op] = &&L_BRC_##op, [WF_X_BRC_##op##_K] = &&L_BRC_##op##_K,
#define TX(op) [WF_X_##op] = &&L_X_##op,
#define TM(op, ...) [WF_X_##op##_RR] = &&L_##op##_RR, [WF_X_##op##_RK] = &&L_##op##_RK,
#define TF(op, ...) [WF_X_BRC_##op] = &&L_BRC_##op, [WF_X_BRCN_##op] = &&L_BRCN_##op,
#define TA(op, ...) [WF_X_##op##_MB] = &&L_##op##_MB, [WF_X_##op##_MA] = &&L_##op##_MA,
#define TP(n, ...) [WF_X_P_##n] = &&L_P_##n, [WF_X_P_##n##_A] = &&L_P_##n##_A, \
      [WF_X_P_##n##_C] = &&L_P_##n##_C,
#define TR(op, ...) [WF_X_##op##_RMB] = &&L_##op##_RMB, [WF_X_##op##_RMA] = &&L_##op##_RMA,
#define TS(n, ...) [WF_X_S_##n] = &&L_S_##n,
#define TK(n, ...) [WF_X_##n##_A] = &&L_##n##_A, [WF_X_##n##_B] = &&L_##n##_B, \
      [WF_X_##n##_KA] = &&L_##n##_KA,
#define TFA(n, ...) [WF_X_##n##_A] = &&L_##n##_A, [WF_X_##n##_B] = &&L_##n##_B,
#define TL(n, ...) [WF_X_AB_##n] = &&L_AB_##n, [WF_X_AB_##n##_K] = &&L_AB_##n##_K,
#define TLA(op, ...) [WF_X_##op##_A] = &&L_##op##_A, [WF_X_##op##_RKA] = &&L_##op##_RKA,
#define TBA(op, ...) [WF_X_BRC_##op##_A] = &&L_BRC_##op##_A, [WF_X_BRC_##op##_KA] = &&L_BRC_##op##_KA,
#define TBM(op, ...) [WF_X_BRA_##op] = &&L_BRA_##op,
#define TLR(n, ...) [WF_X_ABR_##n] = &&L_ABR_##n, [WF_X_ABR_##n##_K] = &&L_ABR_##n##_K,
#define TLB(n, ...) [WF_X_LBRC_##n] = &&L_LBRC_##n, [WF_X_LBRC_##n##_K] = &&L_LBRC_##n##_K, \
      [WF_X_LBRC8_##n] = &&L_LBRC8_##n, [WF_X_LBRC8_##n##_K] = &&L_LBRC8_##n##_K,
#define TAF(op, ...) [WF_X_##op##_MBR] = &&L_##op##_MBR, [WF_X_##op##_MAR] = &&L_##op##_MAR, \
      [WF_X_##op##_MBK] = &&L_##op##_MBK, [WF_X_##op##_MAK] = &&L_##op##_MAK,
      I32_BIN(T2) I64_BIN(T2) I32_CMP(T3) I64_CMP(T3)
      UN_I32(T1) UN_I32_TO_64(T1) UN_I64(T1) UN_I64_TO_32(T1) UN_F32(T1) UN_F64(T1)
      UN_F32_TO_I(T1) BIN_F32(T1) BIN_F64(T1) CMP_F32(T1) CMP_F64(T1) TRUNC(T1)
      LOADS(T1) STORES(T1) MISC(T1) WF_XOPS(TX) LOADS(TM) STORES(TM) CMP_F32(TF) CMP_F64(TF) MARITH(TA) WF_PAIRS(TP) MARITH(TR) WF_OPSTORES(TS)
      I32_BIN(TK) I32_CMP(TK) I64_BIN(TK) I64_CMP(TK) BIN_F64_FWD(TFA) I32_CMP(TL) MARITH(TAF) LOADS(TLA)
      I32_CMP(TBA) I64_CMP(TBA) I32_CMP(TBM) I32_CMP(TLR) I32_CMP(TLB)
#undef TLB
#undef TBM
#undef TLR
#undef T1
#undef T2
#undef T3
#undef TX
#undef TM
#undef TF
#undef TA
#undef TP
#undef TR
#undef TS
#undef TK
#undef TFA
#undef TL
#undef TAF
#undef TLA
#undef TBA
  };
  if (tbl_out) {
    *tbl_out = tbl;
    return WF_TRAP_NONE;
  }

  wf_xframe_t *cf = ex->cf;
  const wf_cell_t *ip = NULL;
  char *fp = cf->fp;
  wf_instance_t *inst = cf->inst;
  uint8_t *mb = cf->mb;
  wf_xframe_t *const frames_end = ex->frames_end;
  atomic_uint *const irq = wf_store_interrupt_flag(ex->store);
  char *const stack_end = ex->stack_end;
  wf_trapcode_t tc = WF_TRAP_NONE;
  uint64_t acc = 0;
  wf_funcinst_t *f;
  int32_t argoff;
  wf_code_t *c;
  wf_exn_t *exn = NULL;
  {
    c = get_code(cf->fn);
    if (!c) TRAP(OOM);
    ip = c->cells;
    NEXT();
  }

  /* ---- integer arithmetic ---- */
#define H_I32(op, e)                                                     \
  L_##op: { uint32_t a = R32(A1), b = R32(B1); W32(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_K: { uint32_t a = R32(A1), b = (uint32_t)B1; W32(A2, (e)); ip += 3; NEXT(); }
#define H_I64(op, e)                                                     \
  L_##op: { uint64_t a = R64(A1), b = R64(B1); W64(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_K: { uint64_t a = R64(A1), b = (uint64_t)(int64_t)B1; W64(A2, (e)); ip += 3; NEXT(); }
#define H_I32C(op, e)                                                    \
  H_I32(op, e)                                                           \
  L_BRC_##op: { uint32_t a = R32(A1), b = R32(B1);                      \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }                \
  L_BRC_##op##_K: { uint32_t a = R32(A1), b = (uint32_t)B1;             \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }
#define H_I64C(op, e)                                                    \
  L_##op: { uint64_t a = R64(A1), b = R64(B1); W32(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_K: { uint64_t a = R64(A1), b = (uint64_t)(int64_t)B1; W32(A2, (e)); ip += 3; NEXT(); } \
  L_BRC_##op: { uint64_t a = R64(A1), b = R64(B1);                      \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }                \
  L_BRC_##op##_K: { uint64_t a = R64(A1), b = (uint64_t)(int64_t)B1;    \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }
  I32_BIN(H_I32)
  I64_BIN(H_I64)
  I32_CMP(H_I32C)
  I64_CMP(H_I64C)
#define H_I32F(op, e) \
  L_##op##_A: { uint32_t a = (uint32_t)acc, b = R32(B1); W32(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_B: { uint32_t a = R32(A1), b = (uint32_t)acc; W32(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_KA: { uint32_t a = (uint32_t)acc, b = (uint32_t)B1; W32(A2, (e)); ip += 3; NEXT(); }
#define H_I64F(op, e) \
  L_##op##_A: { uint64_t a = acc, b = R64(B1); W64(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_B: { uint64_t a = R64(A1), b = acc; W64(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_KA: { uint64_t a = acc, b = (uint64_t)(int64_t)B1; W64(A2, (e)); ip += 3; NEXT(); }
#define H_I64CF(op, e) \
  L_##op##_A: { uint64_t a = acc, b = R64(B1); W32(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_B: { uint64_t a = R64(A1), b = acc; W32(A2, (e)); ip += 3; NEXT(); } \
  L_##op##_KA: { uint64_t a = acc, b = (uint64_t)(int64_t)B1; W32(A2, (e)); ip += 3; NEXT(); }
#define H_F64F(op, e) \
  L_##op##_A: { double a = wf_f64(acc), b = RF64(B1); W64(A2, wf_f64_bits(e)); ip += 3; NEXT(); } \
  L_##op##_B: { double a = RF64(A1), b = wf_f64(acc); W64(A2, wf_f64_bits(e)); ip += 3; NEXT(); }
  I32_BIN(H_I32F)
  I32_CMP(H_I32F)
  I64_BIN(H_I64F)
  I64_CMP(H_I64CF)
  BIN_F64_FWD(H_F64F)
#define H_LOOP(op, e)                                                    \
  L_AB_##op: {     /* b is read after the write: it may be d itself */  \
    uint32_t a = R32(A1) + (uint32_t)B1;                                 \
    W32(A2, a);                                                          \
    uint32_t b = R32(ip[2].p.b);                                         \
    if (e) { JUMP(ip[3].p.b); }                                  \
    ip += 4; NEXT();                                                     \
  }                                                                      \
  L_AB_##op##_K: {                                                       \
    uint32_t a = R32(A1) + (uint32_t)B1, b = (uint32_t)ip[2].p.b;        \
    W32(A2, a);                                                          \
    if (e) { JUMP(ip[3].p.b); }                                  \
    ip += 4; NEXT();                                                     \
  }
  I32_CMP(H_LOOP)
#define H_LOOPR(op, e)                                                   \
  L_ABR_##op: {    /* b is read after the write: it may be d itself */  \
    uint32_t a = R32(A1) + R32(B1);                                      \
    W32(A2, a);                                                          \
    uint32_t b = R32(ip[2].p.b);                                         \
    if (e) { JUMP(ip[3].p.b); }                                          \
    ip += 4; NEXT();                                                     \
  }                                                                      \
  L_ABR_##op##_K: {                                                      \
    uint32_t a = R32(A1) + R32(B1), b = (uint32_t)ip[2].p.b;             \
    W32(A2, a);                                                          \
    if (e) { JUMP(ip[3].p.b); }                                          \
    ip += 4; NEXT();                                                     \
  }
  I32_CMP(H_LOOPR)
#define H_LBRC(op, e)                                                    \
  L_LBRC_##op: { uint32_t a, b = R32(A2);                                \
    memcpy(&a, MEM((uint64_t)R32(A1), (uint32_t)ip[3].p.a, 4), 4);      \
    W64(B1, (uint64_t)a); if (e) { JUMP(ip[2].p.b); } ip += 4; NEXT(); } \
  L_LBRC_##op##_K: { uint32_t a, b = (uint32_t)A2;                       \
    memcpy(&a, MEM((uint64_t)R32(A1), (uint32_t)ip[3].p.a, 4), 4);      \
    W64(B1, (uint64_t)a); if (e) { JUMP(ip[2].p.b); } ip += 4; NEXT(); } \
  L_LBRC8_##op: { uint32_t a = *MEM((uint64_t)R32(A1), (uint32_t)ip[3].p.a, 1), b = R32(A2); \
    W64(B1, (uint64_t)a); if (e) { JUMP(ip[2].p.b); } ip += 4; NEXT(); } \
  L_LBRC8_##op##_K: { uint32_t a = *MEM((uint64_t)R32(A1), (uint32_t)ip[3].p.a, 1), b = (uint32_t)A2; \
    W64(B1, (uint64_t)a); if (e) { JUMP(ip[2].p.b); } ip += 4; NEXT(); }
  I32_CMP(H_LBRC)
#define H_BRCA32(op, e)                                                  \
  L_BRC_##op##_A: { uint32_t a = (uint32_t)acc, b = R32(B1);            \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }                \
  L_BRC_##op##_KA: { uint32_t a = (uint32_t)acc, b = (uint32_t)B1;      \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }
#define H_BRCA64(op, e)                                                  \
  L_BRC_##op##_A: { uint64_t a = acc, b = R64(B1);                       \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }                \
  L_BRC_##op##_KA: { uint64_t a = acc, b = (uint64_t)(int64_t)B1;        \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }
  I32_CMP(H_BRCA32)
  I64_CMP(H_BRCA64)
#define H_BRA(op, e)                                                     \
  L_BRA_##op: { uint32_t a = R32(A1) & (uint32_t)B1, b = (uint32_t)A2;  \
    if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }
  I32_CMP(H_BRA)

  /* ---- unary ---- */
#define H_UN_I32(op, e) L_##op: { uint32_t x = R32(A1); W32(B1, (e)); ip += 2; NEXT(); }
#define H_UN_I32_64(op, e) L_##op: { uint32_t x = R32(A1); W64(B1, (e)); ip += 2; NEXT(); }
#define H_UN_I64(op, e) L_##op: { uint64_t x = R64(A1); W64(B1, (e)); ip += 2; NEXT(); }
#define H_UN_I64_32(op, e) L_##op: { uint64_t x = R64(A1); W32(B1, (e)); ip += 2; NEXT(); }
#define H_UN_F32(op, e) L_##op: { float x = RF32(A1); W32(B1, wf_f32_bits(e)); ip += 2; NEXT(); }
#define H_UN_F64(op, e) L_##op: { double x = RF64(A1); W64(B1, wf_f64_bits(e)); ip += 2; NEXT(); }
#define H_UN_F32_I(op, e) L_##op: { float x = RF32(A1); W64(B1, (e)); ip += 2; NEXT(); }
  UN_I32(H_UN_I32)
  UN_I32_TO_64(H_UN_I32_64)
  UN_I64(H_UN_I64)
  UN_I64_TO_32(H_UN_I64_32)
  UN_F32(H_UN_F32)
  UN_F64(H_UN_F64)
  UN_F32_TO_I(H_UN_F32_I)

  /* ---- float binary ---- */
#define H_BIN_F32(op, e) L_##op: { float a = RF32(A1), b = RF32(B1); W32(A2, wf_f32_bits(e)); ip += 3; NEXT(); }
#define H_BIN_F64(op, e) L_##op: { double a = RF64(A1), b = RF64(B1); W64(A2, wf_f64_bits(e)); ip += 3; NEXT(); }
#define H_CMP_F32(op, e) L_##op: { float a = RF32(A1), b = RF32(B1); W32(A2, (e)); ip += 3; NEXT(); }
#define H_CMP_F64(op, e) L_##op: { double a = RF64(A1), b = RF64(B1); W32(A2, (e)); ip += 3; NEXT(); }
#define H_BRC_F32(op, e) \
  L_BRC_##op: { float a = RF32(A1), b = RF32(B1); if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); } \
  L_BRCN_##op: { float a = RF32(A1), b = RF32(B1); if (!(e)) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }
#define H_BRC_F64(op, e) \
  L_BRC_##op: { double a = RF64(A1), b = RF64(B1); if (e) { JUMP(ip[2].p.b); } ip += 3; NEXT(); } \
  L_BRCN_##op: { double a = RF64(A1), b = RF64(B1); if (!(e)) { JUMP(ip[2].p.b); } ip += 3; NEXT(); }
  CMP_F32(H_BRC_F32)
  CMP_F64(H_BRC_F64)
  BIN_F32(H_BIN_F32)
  BIN_F64(H_BIN_F64)
  CMP_F32(H_CMP_F32)
  CMP_F64(H_CMP_F64)
  L_F32_COPYSIGN: {
    uint32_t a = R32(A1), b = R32(B1);
    W32(A2, (a & 0x7FFFFFFFu) | (b & 0x80000000u));
    ip += 3; NEXT();
  }
  L_F64_COPYSIGN: {
    uint64_t a = R64(A1), b = R64(B1);
    W64(A2, (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull));
    ip += 3; NEXT();
  }

  /* ---- trapping integer ops ---- */
  L_I32_DIV_S: {
    int32_t a = (int32_t)R32(A1), b = (int32_t)R32(B1);
    if (b == 0) TRAP(DIV_ZERO);
    if (a == INT32_MIN && b == -1) TRAP(INT_OVERFLOW);
    W32(A2, a / b); ip += 3; NEXT();
  }
  L_I32_DIV_U: {
    uint32_t a = R32(A1), b = R32(B1);
    if (b == 0) TRAP(DIV_ZERO);
    W32(A2, a / b); ip += 3; NEXT();
  }
  L_I32_REM_S: {
    int32_t a = (int32_t)R32(A1), b = (int32_t)R32(B1);
    if (b == 0) TRAP(DIV_ZERO);
    W32(A2, b == -1 ? 0 : a % b); ip += 3; NEXT();
  }
  L_I32_REM_U: {
    uint32_t a = R32(A1), b = R32(B1);
    if (b == 0) TRAP(DIV_ZERO);
    W32(A2, a % b); ip += 3; NEXT();
  }
  L_I64_DIV_S: {
    int64_t a = (int64_t)R64(A1), b = (int64_t)R64(B1);
    if (b == 0) TRAP(DIV_ZERO);
    if (a == INT64_MIN && b == -1) TRAP(INT_OVERFLOW);
    W64(A2, a / b); ip += 3; NEXT();
  }
  L_I64_DIV_U: {
    uint64_t a = R64(A1), b = R64(B1);
    if (b == 0) TRAP(DIV_ZERO);
    W64(A2, a / b); ip += 3; NEXT();
  }
  L_I64_REM_S: {
    int64_t a = (int64_t)R64(A1), b = (int64_t)R64(B1);
    if (b == 0) TRAP(DIV_ZERO);
    W64(A2, b == -1 ? 0 : a % b); ip += 3; NEXT();
  }
  L_I64_REM_U: {
    uint64_t a = R64(A1), b = R64(B1);
    if (b == 0) TRAP(DIV_ZERO);
    W64(A2, a % b); ip += 3; NEXT();
  }
#define H_TRUNC(op, rd, ok, wr, conv)                                    \
  L_##op: {                                                              \
    __typeof__(rd(A1)) x = rd(A1);                                       \
    if (x != x) TRAP(BAD_CONVERSION);                                    \
    if (!ok(x)) TRAP(INT_OVERFLOW);                                      \
    wr(B1, conv x); ip += 2; NEXT();                                     \
  }
  TRUNC(H_TRUNC)

  /* ---- memory ---- */
#define H_LOAD(op, T, conv)                                              \
  L_##op: {                                                              \
    T v;                                                                 \
    memcpy(&v, MEM((uint64_t)R32(A1), ip[2].u, sizeof v), sizeof v);    \
    W64(B1, conv); ip += 3; NEXT();                                      \
  }
#define H_STORE(op, T)                                                   \
  L_##op: {                                                              \
    T v = (T)R64(B1);                                                    \
    memcpy(MEM((uint64_t)R32(A1), ip[2].u, sizeof v), &v, sizeof v);    \
    ip += 3; NEXT();                                                     \
  }
#define H_LOADF(op, T, conv)                                             \
  L_##op##_RR: {                                                         \
    T v;                                                                 \
    uint32_t ad = R32(A1) + R32(B1);                                     \
    memcpy(&v, MEM((uint64_t)ad, (uint32_t)ip[2].p.b, sizeof v), sizeof v); \
    W64(A2, conv); ip += 3; NEXT();                                      \
  }                                                                      \
  L_##op##_RK: {                                                         \
    T v;                                                                 \
    uint32_t ad = R32(A1) + (uint32_t)A2;                                \
    memcpy(&v, MEM((uint64_t)ad, (uint32_t)ip[2].p.b, sizeof v), sizeof v); \
    W64(B1, conv); ip += 3; NEXT();                                      \
  }
#define H_STOREF(op, T)                                                  \
  L_##op##_RR: {                                                         \
    T v = (T)R64(A2);                                                    \
    uint32_t ad = R32(A1) + R32(B1);                                     \
    memcpy(MEM((uint64_t)ad, (uint32_t)ip[2].p.b, sizeof v), &v, sizeof v); \
    ip += 3; NEXT();                                                     \
  }                                                                      \
  L_##op##_RK: {                                                         \
    T v = (T)R64(B1);                                                    \
    uint32_t ad = R32(A1) + (uint32_t)A2;                                \
    memcpy(MEM((uint64_t)ad, (uint32_t)ip[2].p.b, sizeof v), &v, sizeof v); \
    ip += 3; NEXT();                                                     \
  }
  LOADS(H_LOAD)
  STORES(H_STORE)
  LOADS(H_LOADF)
  STORES(H_STOREF)
#define H_LOADA(op, T, conv)                                             \
  L_##op##_A: {                                                          \
    T v;                                                                 \
    memcpy(&v, MEM((uint64_t)(uint32_t)acc, ip[2].u, sizeof v), sizeof v); \
    W64(B1, conv); ip += 3; NEXT();                                      \
  }                                                                      \
  L_##op##_RKA: {                                                        \
    T v;                                                                 \
    uint32_t ad = (uint32_t)acc + (uint32_t)A2;                          \
    memcpy(&v, MEM((uint64_t)ad, (uint32_t)ip[2].p.b, sizeof v), sizeof v); \
    W64(B1, conv); ip += 3; NEXT();                                      \
  }
  LOADS(H_LOADA)
#define H_MARITH(op, T, rd, ld, wr, e)                                   \
  L_##op##_MB: {                                                         \
    T a = rd(A1), b = ld(MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, sizeof(T))); \
    wr(A2, e); ip += 3; NEXT();                                          \
  }                                                                      \
  L_##op##_MA: {                                                         \
    T b = rd(A1), a = ld(MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, sizeof(T))); \
    wr(A2, e); ip += 3; NEXT();                                          \
  }
  MARITH(H_MARITH)
#define H_RMW(op, T, rd, ld, wr, e)                                      \
  L_##op##_RMB: {                                                        \
    uint8_t *p = MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, sizeof(T)); \
    T a = rd(A1), b = ld(p), r = (e);                                    \
    memcpy(p, &r, sizeof r); ip += 3; NEXT();                            \
  }                                                                      \
  L_##op##_RMA: {                                                        \
    uint8_t *p = MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, sizeof(T)); \
    T b = rd(A1), a = ld(p), r = (e);                                    \
    memcpy(p, &r, sizeof r); ip += 3; NEXT();                            \
  }
  MARITH(H_RMW)
#define H_MARITHF(op, T, rd, ld, wr, e)                                  \
  L_##op##_MBR: {                                                        \
    uint32_t ad = R32(B1) + R32(ip[2].p.b);                              \
    T a = rd(A1), b = ld(MEM((uint64_t)ad, (uint32_t)ip[3].p.a, sizeof(T))); \
    wr(A2, e); ip += 4; NEXT();                                          \
  }                                                                      \
  L_##op##_MAR: {                                                        \
    uint32_t ad = R32(B1) + R32(ip[2].p.b);                              \
    T b = rd(A1), a = ld(MEM((uint64_t)ad, (uint32_t)ip[3].p.a, sizeof(T))); \
    wr(A2, e); ip += 4; NEXT();                                          \
  }                                                                      \
  L_##op##_MBK: {                                                        \
    uint32_t ad = R32(B1) + (uint32_t)ip[2].p.b;                         \
    T a = rd(A1), b = ld(MEM((uint64_t)ad, (uint32_t)ip[3].p.a, sizeof(T))); \
    wr(A2, e); ip += 4; NEXT();                                          \
  }                                                                      \
  L_##op##_MAK: {                                                        \
    uint32_t ad = R32(B1) + (uint32_t)ip[2].p.b;                         \
    T b = rd(A1), a = ld(MEM((uint64_t)ad, (uint32_t)ip[3].p.a, sizeof(T))); \
    wr(A2, e); ip += 4; NEXT();                                          \
  }
  MARITH(H_MARITHF)

  /* ---- pairs (interp.h WF_PAIRS); t is a separate statement: no contraction */
#define PT_u32 uint32_t
#define PT_f64 double
#define PR_u32(o) R32(o)
#define PR_f64(o) RF64(o)
#define PW_u32(o, v) W32(o, v)
#define PW_f64(o, v) WF64(o, v)
#define PK_u32(o, k) ((k) ? (uint32_t)(o) : R32(o))
#define PK_f64(o, k) RF64(o)
#define PA_u32(v) ((uint32_t)(v))
#define PA_f64(v) wf_f64(v)
#define H_PAIR(n, o1, k1, o2, k2, side, ty, e1, e2)                      \
  L_P_##n: {                                                             \
    PT_##ty a = PR_##ty(A1), b = PK_##ty(B1, k1), c = PK_##ty(A2, k2);   \
    PT_##ty t = (e1);                                                    \
    PT_##ty r = (e2);                                                    \
    PW_##ty(ip[2].p.b, r); ip += 3; NEXT();                              \
  }                                                                      \
  L_P_##n##_A: {                                                         \
    PT_##ty a = PA_##ty(acc), b = PK_##ty(B1, k1), c = PK_##ty(A2, k2);  \
    PT_##ty t = (e1);                                                    \
    PT_##ty r = (e2);                                                    \
    PW_##ty(ip[2].p.b, r); ip += 3; NEXT();                              \
  }                                                                      \
  L_P_##n##_C: {                                                         \
    PT_##ty a = PR_##ty(A1), b = PK_##ty(B1, k1), c = PA_##ty(acc);      \
    PT_##ty t = (e1);                                                    \
    PT_##ty r = (e2);                                                    \
    PW_##ty(ip[2].p.b, r); ip += 3; NEXT();                              \
  }
  WF_PAIRS(H_PAIR)
#define PT_u64 uint64_t
#define PR_u64(o) R64(o)
#define PK_u64(o, k) R64(o)
#define H_OPSTORE(n, o, k, st, ty, e)                                    \
  L_S_##n: {                                                             \
    PT_##ty a = PR_##ty(A1), b = PK_##ty(B1, k);                         \
    PT_##ty r = (e);                                                     \
    memcpy(MEM((uint64_t)R32(A2), (uint32_t)ip[2].p.b, sizeof r), &r, sizeof r); \
    ip += 3; NEXT();                                                     \
  }
  WF_OPSTORES(H_OPSTORE)
  L_MEMORY_SIZE: { W32(A1, inst->mem0->pages); ip += 2; NEXT(); }
  L_MEMORY_GROW: {
    int32_t r = wf_memory_grow(inst->mem0, R32(A1));
    W32(B1, (uint32_t)r); ip += 2; NEXT();
  }
  L_MEMORY_COPY: {   /* [d|s] [n|-] */
    uint64_t d = R32(A1), s = R32(B1), n = R32(A2), size = inst->mem0->size;
    if (d + n > size || s + n > size) TRAP(MEM_OOB);
    memmove(mb + d, mb + s, n);
    ip += 3; NEXT();
  }
  L_MEMORY_FILL: {   /* [d|val] [n|-] */
    uint64_t d = R32(A1), n = R32(A2);
    int v = (int)(uint8_t)R32(B1);
    if (d + n > inst->mem0->size) TRAP(MEM_OOB);
    memset(mb + d, v, n);
    ip += 3; NEXT();
  }
  L_MEMORY_INIT: {   /* [data|-] [d|s] [n|-] */
    wf_trapcode_t r = wf_op_memory_init(inst, (uint32_t)A1, R32(ip[2].p.a), R32(ip[2].p.b),
                                        R32(ip[3].p.a));
    if (r != WF_TRAP_NONE) { tc = r; goto trap; }
    ip += 4; NEXT();
  }
  L_DATA_DROP: { inst->data_dropped[(uint32_t)A1] = 1; ip += 2; NEXT(); }
  L_ELEM_DROP: { inst->elem_dropped[(uint32_t)A1] = 1; ip += 2; NEXT(); }

  /* ---- tables ---- */
  L_TABLE_GET: {   /* [table*] [idx|dst] */
    wf_tableinst_t *t = ip[1].ptr;
    uint32_t i = R32(ip[2].p.a);
    if (i >= t->size) TRAP(TABLE_OOB);
    W64(ip[2].p.b, t->elems[i]); ip += 3; NEXT();
  }
  L_TABLE_SET: {   /* [table*] [idx|val] */
    wf_tableinst_t *t = ip[1].ptr;
    uint32_t i = R32(ip[2].p.a);
    if (i >= t->size) TRAP(TABLE_OOB);
    t->elems[i] = R64(ip[2].p.b); ip += 3; NEXT();
  }
  L_TABLE_SIZE: { wf_tableinst_t *t = ip[1].ptr; W32(ip[2].p.a, t->size); ip += 3; NEXT(); }
  L_TABLE_GROW: {  /* [table*] [init|n] [dst|-] */
    wf_tableinst_t *t = ip[1].ptr;
    int32_t r = wf_table_grow(t, R32(ip[2].p.b), R64(ip[2].p.a));
    W32(ip[3].p.a, (uint32_t)r); ip += 4; NEXT();
  }
  L_TABLE_FILL: {  /* [table*] [i|val] [n|-] */
    wf_tableinst_t *t = ip[1].ptr;
    wf_trapcode_t r = wf_op_table_fill(t, R32(ip[2].p.a), R64(ip[2].p.b), R32(ip[3].p.a));
    if (r != WF_TRAP_NONE) { tc = r; goto trap; }
    ip += 4; NEXT();
  }
  L_TABLE_INIT: {  /* [elem|table] [d|s] [n|-] */
    wf_trapcode_t r = wf_op_table_init(inst, (uint32_t)B1, (uint32_t)A1, R32(ip[2].p.a),
                                       R32(ip[2].p.b), R32(ip[3].p.a));
    if (r != WF_TRAP_NONE) { tc = r; goto trap; }
    ip += 4; NEXT();
  }
  L_TABLE_COPY: {  /* [dst table|src table] [d|s] [n|-] */
    wf_trapcode_t r = wf_op_table_copy(inst, (uint32_t)A1, (uint32_t)B1, R32(ip[2].p.a),
                                       R32(ip[2].p.b), R32(ip[3].p.a));
    if (r != WF_TRAP_NONE) { tc = r; goto trap; }
    ip += 4; NEXT();
  }

  /* ---- variables and parametric ---- */
  L_GLOBAL_GET: { W64(ip[2].p.a, ((wf_globalinst_t *)ip[1].ptr)->val); ip += 3; NEXT(); }
  L_GLOBAL_SET: { ((wf_globalinst_t *)ip[1].ptr)->val = R64(ip[2].p.a); ip += 3; NEXT(); }
  L_SELECT: {      /* [a|b] [cond|dst] */
    uint64_t a = R64(A1), b = R64(B1);
    W64(ip[2].p.b, R32(ip[2].p.a) ? a : b); ip += 3; NEXT();
  }
  L_REF_IS_NULL: { W32(B1, R64(A1) == 0); ip += 2; NEXT(); }
  L_X_MOV: { W64(B1, R64(A1)); ip += 2; NEXT(); }
  L_X_I32_ADD_K2: {
    W32(A2, R32(A1) + (uint32_t)B1);
    W32(ip[4].p.a, R32(ip[3].p.a) + (uint32_t)ip[3].p.b);
    ip += 5; NEXT();
  }
  L_X_I32_ADD2: {   /* the second may read the first's result: in order */
    W32(A2, R32(A1) + R32(B1));
    W32(ip[4].p.a, R32(ip[3].p.a) + R32(ip[3].p.b));
    ip += 5; NEXT();
  }
  L_X_ADDK_BRNZ: {
    uint32_t v = R32(A1) + (uint32_t)B1;
    W32(A2, v);
    if (v) { JUMP(ip[2].p.b); }
    ip += 3; NEXT();
  }
  L_X_ADDK_BRZ: {
    uint32_t v = R32(A1) + (uint32_t)B1;
    W32(A2, v);
    if (!v) { JUMP(ip[2].p.b); }
    ip += 3; NEXT();
  }
  L_X_COPY32: {
    uint32_t v;
    memcpy(&v, MEM((uint64_t)R32(A1), (uint32_t)A2, 4), 4);
    memcpy(MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, 4), &v, 4);
    ip += 3; NEXT();
  }
  L_X_COPY64: {
    uint64_t v;
    memcpy(&v, MEM((uint64_t)R32(A1), (uint32_t)A2, 8), 8);
    memcpy(MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, 8), &v, 8);
    ip += 3; NEXT();
  }
  L_X_MOV2: { W64(B1, R64(A1)); W64(ip[2].p.b, R64(ip[2].p.a)); ip += 3; NEXT(); }
  L_X_MOV3: {
    W64(B1, R64(A1)); W64(ip[2].p.b, R64(ip[2].p.a)); W64(ip[3].p.b, R64(ip[3].p.a));
    ip += 4; NEXT();
  }
  L_X_MOV4: {
    W64(B1, R64(A1)); W64(ip[2].p.b, R64(ip[2].p.a)); W64(ip[3].p.b, R64(ip[3].p.a));
    W64(ip[4].p.b, R64(ip[4].p.a));
    ip += 5; NEXT();
  }
  L_X_CONST: { W64(A1, ip[2].u); ip += 3; NEXT(); }
  L_X_MOV_BR: { W64(B1, R64(A1)); JUMP(ip[2].p.b); }
  L_X_MOV2_BR: { W64(B1, R64(A1)); W64(ip[2].p.b, R64(ip[2].p.a)); JUMP(ip[3].p.b); }
  L_X_MOV3_BR: {
    W64(B1, R64(A1)); W64(ip[2].p.b, R64(ip[2].p.a)); W64(ip[3].p.b, R64(ip[3].p.a));
    JUMP(ip[4].p.b);
  }
  L_X_MOV4_BR: {
    W64(B1, R64(A1)); W64(ip[2].p.b, R64(ip[2].p.a)); W64(ip[3].p.b, R64(ip[3].p.a));
    W64(ip[4].p.b, R64(ip[4].p.a));
    JUMP(ip[5].p.b);
  }
  L_X_SIG_RRR: {
    uint32_t x = R32(A1);
    W32(ip[3].p.a, wf_rotl32(x, (uint32_t)B1) ^ wf_rotl32(x, (uint32_t)ip[2].p.a) ^
            wf_rotl32(x, (uint32_t)ip[2].p.b));
    ip += 4; NEXT();
  }
  L_X_SIG_RRS: {
    uint32_t x = R32(A1);
    W32(ip[3].p.a, wf_rotl32(x, (uint32_t)B1) ^ wf_rotl32(x, (uint32_t)ip[2].p.a) ^
            (x >> ((uint32_t)ip[2].p.b & 31)));
    ip += 4; NEXT();
  }
  L_X_F64_M3ADD_RM: {   /* [x|y] [z|addr] [off|-]; separate statements: no FMA */
    double t = RF64(A1) * RF64(B1);
    t = t * RF64(A2);
    uint8_t *p = MEM((uint64_t)R32(ip[2].p.b), (uint32_t)ip[3].p.a, 8);
    double r = t + ld_f64(p);
    memcpy(p, &r, 8);
    ip += 4; NEXT();
  }
  L_X_F64_M3ADD_RMK: {   /* [x|y] [z|addr] [off|a] [imm|-] */
    uint32_t ad = R32(ip[3].p.b) + (uint32_t)ip[4].p.a;
    W32(ip[2].p.b, ad);
    double t = RF64(A1) * RF64(B1);
    t = t * RF64(A2);
    uint8_t *p = MEM((uint64_t)ad, (uint32_t)ip[3].p.a, 8);
    double r = t + ld_f64(p);
    memcpy(p, &r, 8);
    ip += 5; NEXT();
  }
  L_X_F64_M3SUB_RM: {
    double t = RF64(A1) * RF64(B1);
    t = t * RF64(A2);
    uint8_t *p = MEM((uint64_t)R32(ip[2].p.b), (uint32_t)ip[3].p.a, 8);
    double r = ld_f64(p) - t;
    memcpy(p, &r, 8);
    ip += 4; NEXT();
  }
  L_X_I32_LOAD_SK: {   /* [a|sh] [dst|imm] [off|-] */
    uint32_t ad = (R32(A1) << ((uint32_t)B1 & 31)) + (uint32_t)ip[2].p.b, v;
    memcpy(&v, MEM((uint64_t)ad, (uint32_t)ip[3].p.a, 4), 4);
    W64(A2, (uint64_t)v); ip += 4; NEXT();
  }
  L_X_F64_MULADD_RMA: {   /* [x|a1] [a2|off1] [off2|-]: t = mem * x */
    double t = ld_f64(MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, 8)) * RF64(A1);
    uint8_t *p = MEM((uint64_t)R32(A2), (uint32_t)ip[3].p.a, 8);
    double r = t + ld_f64(p);
    memcpy(p, &r, 8);
    ip += 4; NEXT();
  }
  L_X_F64_MULADD_RM: {   /* [x|a1] [a2|off1] [off2|-]; t a separate statement: no FMA */
    double t = RF64(A1) * ld_f64(MEM((uint64_t)R32(B1), (uint32_t)ip[2].p.b, 8));
    uint8_t *p = MEM((uint64_t)R32(A2), (uint32_t)ip[3].p.a, 8);
    double r = t + ld_f64(p);
    memcpy(p, &r, 8);
    ip += 4; NEXT();
  }

  /* ---- memories other than memory 0 (multi-memory): the base from the
   * memory instance (it never moves), the operation by a switch ---- */
  L_X_LOAD_M: {    /* [addr|dst] [offset u64] [meminst*] [op|-] */
    const wf_meminst_t *mm = ip[3].ptr;
    uint64_t ea = (uint64_t)R32(A1) + ip[2].u;
    const uint8_t *p = mm->base + ea;
    uint64_t res;
    switch (ip[4].p.a) {
#define LM(op, T, conv) \
      case WF_OP_##op: { T v; MEMCHK_M(mm, ea, sizeof v); memcpy(&v, p, sizeof v); \
        res = (uint64_t)(conv); break; }
      LOADS(LM)
#undef LM
      default: TRAP(UNREACHABLE);
    }
    W64(B1, res); ip += 5; NEXT();
  }
  L_X_STORE_M: {   /* [addr|val] [offset u64] [meminst*] [op|-] */
    const wf_meminst_t *mm = ip[3].ptr;
    uint64_t ea = (uint64_t)R32(A1) + ip[2].u;
    uint8_t *p = mm->base + ea;
    uint64_t v = R64(B1);
    switch (ip[4].p.a) {
#define SM(op, T) \
      case WF_OP_##op: { T x = (T)v; MEMCHK_M(mm, ea, sizeof x); memcpy(p, &x, sizeof x); break; }
      STORES(SM)
#undef SM
      default: TRAP(UNREACHABLE);
    }
    ip += 5; NEXT();
  }
  L_X_MEMSIZE_M: { W32(A1, ((wf_meminst_t *)ip[2].ptr)->pages); ip += 3; NEXT(); }
  L_X_MEMGROW_M: {
    int32_t r = wf_memory_grow(ip[2].ptr, R32(A1));
    W32(B1, (uint32_t)r); ip += 3; NEXT();
  }
  L_X_MEMCOPY_M: {   /* [d|s] [n|-] [dst meminst*] [src meminst*] */
    const wf_meminst_t *dm = ip[3].ptr, *sm = ip[4].ptr;
    uint64_t d = R32(A1), s = R32(B1), n = R32(A2);
    if (d + n > dm->size || s + n > sm->size) TRAP(MEM_OOB);
    memmove(dm->base + d, sm->base + s, n);
    ip += 5; NEXT();
  }
  L_X_MEMFILL_M: {   /* [d|val] [n|-] [meminst*] */
    const wf_meminst_t *dm = ip[3].ptr;
    uint64_t d = R32(A1), n = R32(A2);
    int v = (int)(uint8_t)R32(B1);
    if (d + n > dm->size) TRAP(MEM_OOB);
    memset(dm->base + d, v, n);
    ip += 4; NEXT();
  }
  L_X_MEMINIT_M: {   /* [data|mem] [d|s] [n|-] */
    wf_trapcode_t r = wf_op_memory_init_mem(inst, (uint32_t)B1, (uint32_t)A1, R32(ip[2].p.a),
                                            R32(ip[2].p.b), R32(ip[3].p.a));
    if (r != WF_TRAP_NONE) { tc = r; goto trap; }
    ip += 4; NEXT();
  }

  /* ---- exceptions ---- */
  L_X_THROW: {     /* [tag*] [argoff|n] */
    uint32_t n = (uint32_t)ip[2].p.b;
    exn = malloc(sizeof *exn + (size_t)n * 8);
    if (!exn) TRAP(OOM);
    exn->tag = ip[1].ptr;
    exn->ref = 0;
    exn->n = n;
    if (n) memcpy(exn->vals, fp + ip[2].p.a, (size_t)n * 8);
    goto throw_exn;
  }
  L_X_THROW_REF: { /* [src|-] */
    uint64_t ref = R64(A1);
    if (!ref) TRAP(NULL_EXN);
    if (ref > ex->nexns) TRAP(BAD_EXN);
    exn = ex->exns[ref - 1];
    goto throw_exn;
  }

  /* ---- control ---- */
  L_UNREACHABLE: TRAP(UNREACHABLE);
  L_X_TRAP_OOM: TRAP(OOM);
  L_X_BR: JUMP(B1);
  L_X_BR_IF: { if (R32(A1)) { JUMP(B1); } ip += 2; NEXT(); }
  L_X_BR_IFZ: { if (!R32(A1)) { JUMP(B1); } ip += 2; NEXT(); }
  L_X_BR_TABLE: {  /* [idx|n] then n+1 cells [-|rel] */
    uint32_t i = R32(A1), n = (uint32_t)B1;
    if (i > n) i = n;
    JUMP(ip[2 + i].p.b);
  }
  L_X_EXIT: goto done;

  /* A call of a function of this instance: cfn, its code slot, the callee
   * frame nfp, the caller's resume point ret. */
#define DO_CALL(cfn_, slot_, nfp_, ret_)                                 \
  do {                                                                   \
    wf_funcinst_t *cfn = (cfn_);                                         \
    const wf_code_t *cc = *(wf_code_t **)(slot_);                        \
    char *nfp = (nfp_);                                                  \
    if (__builtin_expect(!cc, 0)) {                                      \
      cc = get_code(cfn);                                                \
      if (!cc) TRAP(OOM);                                                \
    }                                                                    \
    if (__builtin_expect(cf + 1 >= frames_end ||                         \
                         (size_t)(stack_end - nfp) / 8 < cc->frame_slots, 0)) \
      TRAP(STACK_EXHAUSTED);                                             \
    if (__builtin_expect(atomic_load_explicit(irq, memory_order_relaxed) != 0, 0)) \
      TRAP(INTERRUPT);                                                   \
    cf->ret_ip = (ret_);                                                 \
    cf++;                                                                \
    cf->fn = cfn;                                                        \
    cf->fp = nfp;                                                        \
    cf->inst = inst;                                                     \
    cf->mb = mb;                                                         \
    ex->cf = cf;                                                         \
    frame_init(cc, nfp);                                                 \
    fp = nfp;                                                            \
    ip = cc->cells;                                                      \
    NEXT();                                                              \
  } while (0)
  L_X_CALL:        /* [funcinst*] [code slot] [argoff|-] */
    DO_CALL(ip[1].ptr, ip[2].ptr, fp + ip[3].p.a, ip + 4);
  L_X_CALL_M: {    /* [funcinst*] [code slot] [argoff|src] [dst|-]: MOV src -> dst first */
    W64(ip[4].p.a, R64(ip[3].p.b));
    DO_CALL(ip[1].ptr, ip[2].ptr, fp + ip[3].p.a, ip + 5);
  }
  L_X_CALL_LD: {   /* [funcinst*] [code slot] [argoff|addr] [dst|off]: i32.load to dst first */
    uint32_t v;
    memcpy(&v, MEM((uint64_t)R32(ip[3].p.b), (uint32_t)ip[4].p.b, 4), 4);
    W64(ip[4].p.a, (uint64_t)v);
    DO_CALL(ip[1].ptr, ip[2].ptr, fp + ip[3].p.a, ip + 5);
  }
  L_X_CALL_ANY: {  /* [funcinst*] [argoff|-] */
    f = ip[1].ptr;
    argoff = ip[2].p.a;
    ip += 3;
    goto call_any;
  }
  L_X_CALL_IND: {  /* [table*] [idx|argoff] [type_id|-] */
    wf_tableinst_t *t = ip[1].ptr;
    uint32_t i = R32(ip[2].p.a);
    argoff = ip[2].p.b;
    uint32_t tid = (uint32_t)ip[3].p.a;
    ip += 4;
    if (i >= t->size) TRAP(UNDEFINED_ELEMENT);
    f = (wf_funcinst_t *)(uintptr_t)t->elems[i];
    if (!f) TRAP(UNINITIALIZED_ELEMENT);
    if (f->type_id != tid) TRAP(INDIRECT_TYPE);
    goto call_any;
  }
#define DO_RET()                                                         \
  do {                                                                   \
    if (cf == entry) goto done;                                          \
    cf--;                                                                \
    ip = cf->ret_ip;                                                     \
    fp = cf->fp;                                                         \
    inst = cf->inst;                                                     \
    mb = cf->mb;                                                         \
    ex->cf = cf;                                                         \
    NEXT();                                                              \
  } while (0)
  L_X_RET: DO_RET();
  L_X_RET1: { W64(0, R64(A1)); DO_RET(); }

call_any: {        /* f, argoff set; ip = the instruction after the call */
    if (f->host) {
      uint64_t *args = (uint64_t *)(fp + argoff);
      uint32_t np = f->type->nparams, nr = f->type->nresults;
      ex->cf = cf;
      ex->sp = (char *)(args + (np > nr ? np : nr));
      cf->ret_ip = ip;
      ex->trap.msg[0] = 0;
      wf_trapcode_t r = f->host(f->host_env, ex, args, args);
      if (r != WF_TRAP_NONE) {
        if (!ex->trap.msg[0] || ex->trap.code != r) wf_interp_set_trap(ex, r, NULL);
        else ex->trap.code = r;
        wf_interp_fill_backtrace(ex, cf, entry);
        return r;
      }
      NEXT();
    }
    c = get_code(f);
    if (!c) TRAP(OOM);
    char *nfp = fp + argoff;
    if (cf + 1 >= frames_end || (size_t)(stack_end - nfp) / 8 < c->frame_slots)
      TRAP(STACK_EXHAUSTED);
    if (atomic_load_explicit(irq, memory_order_relaxed) != 0) TRAP(INTERRUPT);
    cf->ret_ip = ip;
    cf++;
    cf->fn = f;
    cf->fp = nfp;
    cf->inst = inst = f->inst;
    cf->mb = mb = mem_base(inst);
    ex->cf = cf;
    frame_init(c, nfp);
    fp = nfp;
    ip = c->cells;
    NEXT();
  }

throw_exn: {      /* exn in flight; ip = the instruction that threw */
    wf_xframe_t *const thrower = cf;
    const wf_cell_t *at = ip + 1;
    for (;;) {
      const wf_code_t *cc = get_code(cf->fn);
      uint32_t pos = cc ? (uint32_t)(at - cc->cells) : 0;
      for (uint32_t k = cc ? cc->nhandlers : 0; k-- > 0;) {
        const wf_handler_t *hd = &cc->handlers[k];
        if (!(hd->start < pos && pos <= hd->end)) continue;
        for (uint32_t j = 0; j < hd->n; j++) {
          const wf_catch_t *cl = &cc->catches[hd->first + j];
          if (cl->tag && cl->tag != exn->tag) continue;
          /* caught: this frame resumes at the clause's landing pad */
          fp = cf->fp;
          inst = cf->inst;
          mb = cf->mb;
          ex->cf = cf;
          uint64_t *dst = (uint64_t *)(fp + hd->base);
          uint32_t nv = 0;
          if (cl->tag) {
            if (exn->n) memcpy(dst, exn->vals, (size_t)exn->n * 8);
            nv = exn->n;
          }
          if (cl->kind == WF_CATCH_REF || cl->kind == WF_CATCH_ALL_REF) {
            if (!exn->ref && !wf_interp_exn_escape(ex, exn)) {
              free(exn);
              exn = NULL;
              tc = WF_TRAP_OOM;
              goto trap;
            }
            dst[nv] = exn->ref;
          } else if (!exn->ref) {
            free(exn);
          }
          exn = NULL;
          ip = cc->cells + cl->pad;
          NEXT();
        }
      }
      if (cf == entry) break;
      at = cf[-1].ret_ip;
      cf--;
    }
    if (!exn->ref) free(exn);
    exn = NULL;
    cf = thrower;
    tc = WF_TRAP_EXCEPTION;
    goto trap;
  }

trap:
  wf_interp_set_trap(ex, tc, NULL);
  wf_interp_fill_backtrace(ex, cf, entry);
  return tc;
done:
  return WF_TRAP_NONE;
}
