/* The internal code format shared by the translator (translate.c) and the
 * interpreter (interp.c). Private to those two files.
 *
 * A translated function is an array of 64-bit cells. Each instruction starts
 * with a cell holding its handler's address (direct threading), followed by
 * operand cells. Operands name frame slots by their BYTE offset from the
 * frame pointer (int32), so that a handler reads `*(u64 *)(fp + off)`.
 *
 * A frame is [params | declared locals | constants | temporaries]: the
 * operand stack of the WebAssembly function is simulated at translation
 * time, stack position p lives in its home slot (first temporary + p), and
 * local.get / constants do not copy: an instruction's operand refers to the
 * local's slot directly, to the constant's slot (copied into the frame on
 * entry), or carries the constant as an immediate. A callee's frame starts
 * at its arguments, which the caller left in its own temporaries.
 *
 * Operand layouts (cells after the handler; "a|b" = one cell, two int32):
 *   unary        [src|dst]
 *   binary       [a|b] [dst|-]
 *   binary _K    [a|imm32] [dst|-]         (i64 forms sign-extend imm32)
 *   load         [addr|dst] [offset u64]
 *   store        [addr|val] [offset u64]
 *   MOV          [src|dst]              MOV2..MOV4: 2..4 [src|dst] cells, in order
 *   I32_ADD_K2   two I32_ADD_K in one: [a|imm] [dst|-] [a|imm] [dst|-]
 *   MOVn_BR      MOVn then BR: n [src|dst] cells, then [-|rel] (rel from the start)
 *   I32_ADD2     two i32.add in one: [a|b] [dst|-] [a|b] [dst|-]
 *   ADDK_BRNZ/Z  dst = a + imm; branch if dst != 0 / == 0: [a|imm] [dst|rel]
 *   COPY32/64    i32/i64 load then store of it: [src addr|dst addr] [src off|dst off]
 *   CONST        [dst|-] [value u64]
 *   BR           [-|rel]                    rel: cells from the instruction start
 *   BR_IF/_IFZ   [cond|rel]
 *   BRC_x        [a|b] [-|rel]              compare and branch if true
 *   BRC_x_K      [a|imm32] [-|rel]
 *   BR_TABLE     [idx|n] then n+1 cells [-|rel] (the last is the default)
 *   RET          (results already moved to slots 0..nresults-1)
 *   RET1         [src|-]: slot 0 = src, then RET (one result)
 *   CALL         [funcinst*] [code slot (wf_code_t **)] [argoff|-]
 *   CALL_M       [funcinst*] [code slot] [argoff|src] [dst|-]: MOV src -> dst, CALL
 *   CALL_LD      [funcinst*] [code slot] [argoff|addr] [dst|off]: dst = i32.load
 *                from addr + off, CALL (the last argument's MOV or load fused)
 *   CALL_ANY     [funcinst*] [argoff|-]     (imported: host or other instance)
 *   CALL_INDIRECT [table*] [idx|argoff] [type_id|-]
 *   SELECT       [a|b] [cond|dst]
 *   GLOBAL_GET   [global*] [dst|-]
 *   GLOBAL_SET   [global*] [src|-]
 *   LOAD_M       [addr|dst] [offset u64] [meminst*] [load op|-]  (a memory other
 *   STORE_M      [addr|val] [offset u64] [meminst*] [store op|-]  than memory 0)
 *   THROW        [tag*] [argoff|n]      (the n values in the home slots from argoff)
 *   THROW_REF    [src|-]
 *   SIG_RRR      [x|k1] [k2|k3] [dst|-]: rotl(x,k1) ^ rotl(x,k2) ^ rotl(x,k3)
 *   SIG_RRS      [x|k1] [k2|k3] [dst|-]: rotl(x,k1) ^ rotl(x,k2) ^ (x >> k3)
 *                (i32; SHA-2's sigma functions: I32_ROTL_K then two
 *                P_ROTLK_XOR_C / P_SHRUK_XOR_C on the same x)
 *   F64_M3ADD_RM [x|y] [z|addr] [off|-]: t = (x * y) * z; f64 at addr + off = t + it
 *   F64_M3ADD_RMK [x|y] [z|addr] [off|a] [imm|-]: addr = a + imm (i32, written)
 *                first, then F64_M3ADD_RM (the I32_ADD_K before it fused)
 *   F64_M3SUB_RM [x|y] [z|addr] [off|-]: the same with it - t (a P_FMUL_FMUL
 *                whose product is added into / subtracted from memory)
 *   F64_MULADD_RM  [x|a1] [a2|off1] [off2|-]: t = x * f64 at a1 + off1;
 *                f64 at a2 + off2 += t (F64_MUL_MB then F64_ADD_RMB, the
 *                product a dead temporary; two roundings, never an FMA)
 *   I32_LOAD_SK  [a|sh] [dst|imm] [off|-]: i32.load from ((a << sh) + imm) + off
 *                (the shift and the add wrap as the i32 ops they replace)
 *   F64_MULADD_RMA the same from F64_MUL_MA: t = (f64 at a1 + off1) * x
 *   others are documented beside their handler in interp.c.
 *
 * Exceptions: each try_table becomes a range of cells [start, end) and its
 * catch clauses (wf_handler_t, wf_catch_t below). A clause's landing pad is
 * ordinary code, placed before the body (jumped over on entry), that takes
 * the exception's values from the home slots at `base` (the try_table's
 * stack height) and branches to the clause's label like `br`. The
 * interpreter finds the handlers of a frame from the instruction that threw
 * (or the call that the exception came out of), innermost first.
 */
#ifndef WF_CORE_INTERP_H
#define WF_CORE_INTERP_H

#include <stdint.h>

#include "runtime.h"

typedef union wf_cell {
  const void *h;
  void *ptr;
  uint64_t u;
  int64_t i;
  struct { int32_t a, b; } p;
} wf_cell_t;

/* Extra internal instructions beyond the WebAssembly opcodes (which keep
 * their wf_opcode_t numbers for the plain numeric/memory forms). */
#define WF_XOPS(X) \
  X(MOV) X(CONST) X(BR) X(BR_IF) X(BR_IFZ) X(BR_TABLE) X(RET) \
  X(CALL) X(CALL_ANY) X(CALL_IND) X(EXIT) X(TRAP_OOM) X(MOV2) X(MOV3) X(MOV4) X(I32_ADD_K2) \
  X(ADDK_BRNZ) X(ADDK_BRZ) X(COPY32) X(COPY64) X(RET1) \
  X(LOAD_M) X(STORE_M) X(MEMSIZE_M) X(MEMGROW_M) X(MEMFILL_M) X(MEMCOPY_M) X(MEMINIT_M) \
  X(THROW) X(THROW_REF) X(F64_MULADD_RM) X(SIG_RRR) X(SIG_RRS) \
  X(F64_M3ADD_RM) X(F64_M3SUB_RM) X(I32_ADD2) X(F64_MULADD_RMA) X(I32_LOAD_SK) \
  X(CALL_M) X(CALL_LD) X(MOV_BR) X(MOV2_BR) X(MOV3_BR) X(MOV4_BR) \
  X(F64_M3ADD_RMK)

/* Binary ops that have an immediate-operand (_K) form. */
#define WF_KOPS(X) \
  X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_AND) X(I32_OR) X(I32_XOR) \
  X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR) \
  X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) \
  X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) \
  X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_AND) X(I64_OR) X(I64_XOR) \
  X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR) \
  X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) \
  X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)

/* Operand forwarding: every instruction that writes a slot also leaves the
 * value in the interpreter's `acc` register, and an instruction that reads
 * the value written by the one just before it (no label in between) may
 * take it from there instead of the slot (no store-to-load latency on
 * dependency chains). _A: a = acc; _B: b = acc; _KA: a = acc, b = imm. The
 * slot is always written too, so dropping a forwarded form is always safe.
 * Applies to WF_KOPS (all three forms) and to these (_A, _B): */
#define WF_FACCOPS(X) X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV)
/* and the compare-and-branch forms BRC_x_A / BRC_x_KA (a from acc), and
 * loads: _A address from acc (plain form), _RKA a from acc (_RK form) */
#define WF_LOADOPS(X) \
  X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U) \
  X(I32_LOAD16_S) X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) \
  X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U)

/* Comparisons that fuse with br_if / if into a compare-and-branch. */
#define WF_BRCOPS(X) \
  X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) \
  X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) \
  X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) \
  X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)

/* Float comparisons fused with a branch: BRC_x branches if true, BRCN_x if
 * false (not the negated comparison, because of NaN). [a|b] [-|rel] */
#define WF_FBRCOPS(X) \
  X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE) \
  X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE)

/* Binary ops with one operand loaded from memory (a load fused into its
 * consumer): _MB computes x op mem, _MA mem op x.  [x|addr] [dst|offset]
 * _MBR/_MAR/_MBK/_MAK: the load had a fused address (addr + y, y a slot for
 * R or an imm32 for K).  [x|addr] [dst|y] [offset|-]
 * _RMB/_RMA store the result back to the same address (mem op= x, from
 * load; op; store to the same address and offset).  [x|addr] [-|offset] */
#define WF_MARITH(X) \
  X(I32_ADD, I32_LOAD) X(I32_SUB, I32_LOAD) X(I32_MUL, I32_LOAD) X(I32_AND, I32_LOAD) \
  X(I32_OR, I32_LOAD) X(I32_XOR, I32_LOAD) \
  X(I64_ADD, I64_LOAD) X(I64_SUB, I64_LOAD) X(I64_MUL, I64_LOAD) X(I64_AND, I64_LOAD) \
  X(I64_OR, I64_LOAD) X(I64_XOR, I64_LOAD) \
  X(F32_ADD, F32_LOAD) X(F32_SUB, F32_LOAD) X(F32_MUL, F32_LOAD) X(F32_DIV, F32_LOAD) \
  X(F64_ADD, F64_LOAD) X(F64_SUB, F64_LOAD) X(F64_MUL, F64_LOAD) X(F64_DIV, F64_LOAD)

/* Pairs of binary ops where the first one's result is consumed at once by
 * the second: t = a op1 b; d = t op2 c (side 0) or c op2 t (side 1).
 * [a|b] [c|d]; b is an immediate when k1, c when k2. Forwarded forms
 * (see WF_FACCOPS): _A takes a from acc, _C takes c from acc. Chosen from profiles
 * of compiled C (address arithmetic, hashing, multiply-add chains).
 *   X(name, op1, k1, op2, k2, side, type, e1 (of a, b), e2 (of t, c)) */
#define WF_PAIRS(X) \
  X(SHLK_ADD, I32_SHL, 1, I32_ADD, 0, 0, u32, a << (b & 31), t + c) \
  X(ADD_ADD, I32_ADD, 0, I32_ADD, 0, 0, u32, a + b, t + c) \
  X(ADDK_ADD, I32_ADD, 1, I32_ADD, 0, 0, u32, a + b, t + c) \
  X(ADD_ADDK, I32_ADD, 0, I32_ADD, 1, 0, u32, a + b, t + c) \
  X(ROTLK_XOR, I32_ROTL, 1, I32_XOR, 0, 0, u32, (a << (b & 31)) | (a >> ((32 - b) & 31)), t ^ c) \
  X(XOR_XOR, I32_XOR, 0, I32_XOR, 0, 0, u32, a ^ b, t ^ c) \
  X(AND_XOR, I32_AND, 0, I32_XOR, 0, 0, u32, a & b, t ^ c) \
  X(XOR_AND, I32_XOR, 0, I32_AND, 0, 0, u32, a ^ b, t & c) \
  X(AND_ADD, I32_AND, 0, I32_ADD, 0, 0, u32, a & b, t + c) \
  X(XOR_ADD, I32_XOR, 0, I32_ADD, 0, 0, u32, a ^ b, t + c) \
  X(SHRUK_XOR, I32_SHR_U, 1, I32_XOR, 0, 0, u32, a >> (b & 31), t ^ c) \
  X(ADDK_ANDK, I32_ADD, 1, I32_AND, 1, 0, u32, a + b, t & c) \
  X(ANDK_ADD, I32_AND, 1, I32_ADD, 0, 0, u32, a & b, t + c) \
  X(MULK_ADD, I32_MUL, 1, I32_ADD, 0, 0, u32, a * b, t + c) \
  X(FMUL_FADD, F64_MUL, 0, F64_ADD, 0, 0, f64, a * b, t + c) \
  X(FMUL_FSUB, F64_MUL, 0, F64_SUB, 0, 0, f64, a * b, t - c) \
  X(FMUL_RSUB, F64_MUL, 0, F64_SUB, 0, 1, f64, a * b, c - t) \
  X(FMUL_FMUL, F64_MUL, 0, F64_MUL, 0, 0, f64, a * b, t * c) \
  X(FSUB_FMUL, F64_SUB, 0, F64_MUL, 0, 0, f64, a - b, t * c) \
  X(FADD_FMUL, F64_ADD, 0, F64_MUL, 0, 0, f64, a + b, t * c) \
  X(FADD_FADD, F64_ADD, 0, F64_ADD, 0, 0, f64, a + b, t + c) \
  X(FMUL_RADD, F64_MUL, 0, F64_ADD, 0, 1, f64, a * b, c + t) \
  X(FSUB_RADD, F64_SUB, 0, F64_ADD, 0, 1, f64, a - b, c + t)

/* A binary op whose result is stored at once: [a|b] [addr|offset]
 *   X(name, op, k, store op, type, expression of a and b) */
#define WF_OPSTORES(X) \
  X(F64_ADD, F64_ADD, 0, F64_STORE, f64, a + b) X(F64_SUB, F64_SUB, 0, F64_STORE, f64, a - b) \
  X(F64_MUL, F64_MUL, 0, F64_STORE, f64, a * b) X(F64_DIV, F64_DIV, 0, F64_STORE, f64, a / b) \
  X(I32_ADD, I32_ADD, 0, I32_STORE, u32, a + b) X(I32_SUB, I32_SUB, 0, I32_STORE, u32, a - b) \
  X(I32_AND, I32_AND, 0, I32_STORE, u32, a & b) X(I32_OR, I32_OR, 0, I32_STORE, u32, a | b) \
  X(I32_XOR, I32_XOR, 0, I32_STORE, u32, a ^ b) \
  X(I32_ADD_K, I32_ADD, 1, I32_STORE, u32, a + b) X(I32_AND_K, I32_AND, 1, I32_STORE, u32, a & b) \
  X(I32_OR_K, I32_OR, 1, I32_STORE, u32, a | b) X(I32_XOR_K, I32_XOR, 1, I32_STORE, u32, a ^ b) \
  X(I64_ADD, I64_ADD, 0, I64_STORE, u64, a + b)

/* Loop closing: d = a + imm; branch if (d cmp b) -- an induction variable
 * step fused with the compare-and-branch that follows it.
 *   AB_x    [a|imm] [d|b]   [-|rel]      AB_x_K  [a|imm] [d|imm2] [-|rel]
 * and with a slot step (d = a + s):
 *   ABR_x   [a|s]   [d|b]   [-|rel]      ABR_x_K [a|s]   [d|imm2] [-|rel] */
#define WF_LOOPOPS(X) \
  X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) \
  X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)

/* An i32.load (LBRC) or i32.load8_u (LBRC8) then a compare-and-branch on
 * the loaded value, which is written too (it may be a local):
 *   LBRC_x  [addr|dst] [b|rel] [off|-]    branch if (loaded cmp b)
 *   LBRC_x_K [addr|dst] [imm|rel] [off|-] branch if (loaded cmp imm)
 * A mask then a compare-and-branch on it (character classes, bit fields):
 *   BRA_x   [a|mask] [imm|rel]   branch if ((a & mask) cmp imm), i32 */

/* Loads and stores with a fused address computation:
 *   _RR  address = a + b          load [a|b] [dst|offset]   store [a|b] [val|offset]
 *   _RK  address = a + imm32      load [a|dst] [imm|offset] store [a|val] [imm|offset]
 * (the 32-bit sum wraps exactly like the i32.add it replaces). */
#define WF_MEMOPS(X) \
  X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U) \
  X(I32_LOAD16_S) X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) \
  X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U) \
  X(I32_STORE) X(I64_STORE) X(F32_STORE) X(F64_STORE) X(I32_STORE8) X(I32_STORE16) \
  X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)

enum {
  WF_XOP_BEFORE_ = WF_OP_COUNT - 1,
#define X(n) WF_X_##n,
  WF_XOPS(X)
#undef X
#define X(n) WF_X_##n##_K,
  WF_KOPS(X)
#undef X
#define X(n) WF_X_BRC_##n, WF_X_BRC_##n##_K,
  WF_BRCOPS(X)
#undef X
#define X(n) WF_X_##n##_RR, WF_X_##n##_RK,
  WF_MEMOPS(X)
#undef X
#define X(n) WF_X_BRC_##n, WF_X_BRCN_##n,
  WF_FBRCOPS(X)
#undef X
#define X(n, l) WF_X_##n##_MB, WF_X_##n##_MA,
  WF_MARITH(X)
#undef X
#define X(n, ...) WF_X_P_##n, WF_X_P_##n##_A, WF_X_P_##n##_C,
  WF_PAIRS(X)
#undef X
#define X(n, l) WF_X_##n##_RMB, WF_X_##n##_RMA,
  WF_MARITH(X)
#undef X
#define X(n, ...) WF_X_S_##n,
  WF_OPSTORES(X)
#undef X
#define X(n) WF_X_##n##_A, WF_X_##n##_B, WF_X_##n##_KA,
  WF_KOPS(X)
#undef X
#define X(n) WF_X_##n##_A, WF_X_##n##_B,
  WF_FACCOPS(X)
#undef X
#define X(n) WF_X_AB_##n, WF_X_AB_##n##_K,
  WF_LOOPOPS(X)
#undef X
#define X(n, l) WF_X_##n##_MBR, WF_X_##n##_MAR, WF_X_##n##_MBK, WF_X_##n##_MAK,
  WF_MARITH(X)
#undef X
#define X(n) WF_X_##n##_A, WF_X_##n##_RKA,
  WF_LOADOPS(X)
#undef X
#define X(n) WF_X_BRC_##n##_A, WF_X_BRC_##n##_KA,
  WF_BRCOPS(X)
#undef X
#define X(n) WF_X_BRA_##n,
  WF_LOOPOPS(X)
#undef X
#define X(n) WF_X_ABR_##n, WF_X_ABR_##n##_K,
  WF_LOOPOPS(X)
#undef X
#define X(n) WF_X_LBRC_##n, WF_X_LBRC_##n##_K, WF_X_LBRC8_##n, WF_X_LBRC8_##n##_K,
  WF_LOOPOPS(X)
#undef X
  WF_X_COUNT
};

/* A try_table: the cells [start, end) of its body (an instruction at cell p
 * of length n is inside when start < p + 1 and p + n <= end, so a frame is
 * looked up with the throw's cell + 1 or the call's return cell), and its
 * catch clauses catches[first .. first + n). */
typedef struct {
  uint32_t start, end;
  uint32_t first, n;
  int32_t base;          /* frame byte offset where a catch puts its values */
} wf_handler_t;

typedef struct {
  wf_taginst_t *tag;     /* NULL for catch_all / catch_all_ref */
  uint32_t pad;          /* cell of the landing pad */
  uint8_t kind;          /* WF_CATCH .. WF_CATCH_ALL_REF */
} wf_catch_t;

/* A translated function. Frame: [params | locals | temporaries | constants];
 * the constants (operands that are not immediates) are copied in on entry. */
typedef struct wf_code {
  uint32_t nparams, nlocals;   /* nlocals: declared locals, zeroed on entry */
  uint32_t nresults;
  uint32_t frame_slots;        /* all of the frame */
  uint32_t cbase, nconsts;     /* constant slots: [cbase, cbase + nconsts) */
  uint32_t ninit;              /* slots [nparams, nparams + ninit) start as init[]: */
  const uint64_t *init;        /* zeros for the locals, then the constants
                                  (cbase == nparams + nlocals); after the cells */
  uint32_t nhandlers;           /* try_tables, in order of their start */
  const wf_handler_t *handlers; /* after the cells, like init */
  const wf_catch_t *catches;
  uint32_t ncells;
  wf_cell_t cells[];
} wf_code_t;

/* The handler addresses of the interpreter, indexed by internal opcode. */
const void *const *wf_interp_handlers(void);

/* Translate a defined function of inst (translate.c). NULL on OOM. */
wf_code_t *wf_translate(wf_instance_t *inst, uint32_t defined_idx);

#endif
