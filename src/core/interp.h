/* The internal code format shared by the translator (translate.c) and the
 * interpreter (interp.c). Private to those two files.
 *
 * A translated function is an array of 64-bit cells. Each instruction starts
 * with a cell holding its handler's address (direct threading), followed by
 * operand cells. Operands name frame slots by their BYTE offset from the
 * frame pointer (int32), so that a handler reads `*(u64 *)(fp + off)`.
 *
 * A frame is [params | declared locals | temporaries]: the operand stack of
 * the WebAssembly function is simulated at translation time, stack position
 * p lives in slot (nparams + nlocals + p), and local.get / constants do not
 * copy: an instruction's operand refers to the local's slot directly, or
 * carries the constant as an immediate.
 *
 * Operand layouts (cells after the handler; "a|b" = one cell, two int32):
 *   unary        [src|dst]
 *   binary       [a|b] [dst|-]
 *   binary _K    [a|imm32] [dst|-]         (i64 forms sign-extend imm32)
 *   load         [addr|dst] [offset u64]
 *   store        [addr|val] [offset u64]
 *   MOV          [src|dst]              MOV2 [src|dst] [src|dst] (in order)
 *   CONST        [dst|-] [value u64]
 *   BR           [-|rel]                    rel: cells from the instruction start
 *   BR_IF/_IFZ   [cond|rel]
 *   BRC_x        [a|b] [-|rel]              compare and branch if true
 *   BRC_x_K      [a|imm32] [-|rel]
 *   BR_TABLE     [idx|n] then n+1 cells [-|rel] (the last is the default)
 *   RET          (results already moved to slots 0..nresults-1)
 *   CALL         [funcinst*] [code slot (wf_code_t **)] [argoff|-]
 *   CALL_ANY     [funcinst*] [argoff|-]     (imported: host or other instance)
 *   CALL_INDIRECT [table*] [idx|argoff] [type_id|-]
 *   SELECT       [a|b] [cond|dst]
 *   GLOBAL_GET   [global*] [dst|-]
 *   GLOBAL_SET   [global*] [src|-]
 *   others are documented beside their handler in interp.c.
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
  X(CALL) X(CALL_ANY) X(CALL_IND) X(EXIT) X(TRAP_OOM) X(MOV2)

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

/* Comparisons that fuse with br_if / if into a compare-and-branch. */
#define WF_BRCOPS(X) \
  X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) \
  X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) \
  X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) \
  X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)

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
  WF_X_COUNT
};

/* A translated function. */
/* A translated function. Frame: [params | locals | temporaries | constants];
 * the constants (operands that are not immediates) are copied in on entry. */
typedef struct wf_code {
  uint32_t nparams, nlocals;   /* nlocals: declared locals, zeroed on entry */
  uint32_t nresults;
  uint32_t frame_slots;        /* all of the frame */
  uint32_t cbase, nconsts;     /* constant slots: [cbase, cbase + nconsts) */
  const uint64_t *consts;      /* nconsts values (stored after the cells) */
  uint32_t ncells;
  uint32_t pad_;
  wf_cell_t cells[];
} wf_code_t;

/* The handler addresses of the interpreter, indexed by internal opcode. */
const void *const *wf_interp_handlers(void);

/* Translate a defined function of inst (translate.c). NULL on OOM. */
wf_code_t *wf_translate(wf_instance_t *inst, uint32_t defined_idx);

#endif
