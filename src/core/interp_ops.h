/* The interpreter's operation lists (X-macros) for interp.c's dispatch
 * loop: which ops share a handler shape, with their C expressions. Included
 * by interp.c only, after the slot macros (R32, W64, ...) it uses. */
#ifndef WF_INTERP_OPS_H
#define WF_INTERP_OPS_H

/* i32 binary ops with a K form: a, b are uint32_t */
#define I32_BIN(X) \
  X(I32_ADD, a + b) X(I32_SUB, a - b) X(I32_MUL, a * b) X(I32_AND, a & b) \
  X(I32_OR, a | b) X(I32_XOR, a ^ b) X(I32_SHL, a << (b & 31)) \
  X(I32_SHR_S, (uint32_t)((int32_t)a >> (b & 31))) X(I32_SHR_U, a >> (b & 31)) \
  X(I32_ROTL, (a << (b & 31)) | (a >> ((32 - b) & 31))) \
  X(I32_ROTR, (a >> (b & 31)) | (a << ((32 - b) & 31)))
#define I32_CMP(X) \
  X(I32_EQ, a == b) X(I32_NE, a != b) X(I32_LT_S, (int32_t)a < (int32_t)b) \
  X(I32_LT_U, a < b) X(I32_GT_S, (int32_t)a > (int32_t)b) X(I32_GT_U, a > b) \
  X(I32_LE_S, (int32_t)a <= (int32_t)b) X(I32_LE_U, a <= b) \
  X(I32_GE_S, (int32_t)a >= (int32_t)b) X(I32_GE_U, a >= b)
#define I64_BIN(X) \
  X(I64_ADD, a + b) X(I64_SUB, a - b) X(I64_MUL, a * b) X(I64_AND, a & b) \
  X(I64_OR, a | b) X(I64_XOR, a ^ b) X(I64_SHL, a << (b & 63)) \
  X(I64_SHR_S, (uint64_t)((int64_t)a >> (b & 63))) X(I64_SHR_U, a >> (b & 63)) \
  X(I64_ROTL, (a << (b & 63)) | (a >> ((64 - b) & 63))) \
  X(I64_ROTR, (a >> (b & 63)) | (a << ((64 - b) & 63)))
#define I64_CMP(X) \
  X(I64_EQ, a == b) X(I64_NE, a != b) X(I64_LT_S, (int64_t)a < (int64_t)b) \
  X(I64_LT_U, a < b) X(I64_GT_S, (int64_t)a > (int64_t)b) X(I64_GT_U, a > b) \
  X(I64_LE_S, (int64_t)a <= (int64_t)b) X(I64_LE_U, a <= b) \
  X(I64_GE_S, (int64_t)a >= (int64_t)b) X(I64_GE_U, a >= b)
/* unary ops: x is the operand read as the given kind; RES the result kind */
#define UN_I32(X) \
  X(I32_EQZ, x == 0) X(I32_CLZ, x ? (uint32_t)__builtin_clz(x) : 32u) \
  X(I32_CTZ, x ? (uint32_t)__builtin_ctz(x) : 32u) X(I32_POPCNT, (uint32_t)__builtin_popcount(x)) \
  X(I32_EXTEND8_S, (uint32_t)(int32_t)(int8_t)x) X(I32_EXTEND16_S, (uint32_t)(int32_t)(int16_t)x) \
  X(F32_CONVERT_I32_S, wf_f32_bits((float)(int32_t)x)) X(F32_CONVERT_I32_U, wf_f32_bits((float)x)) \
  X(F32_REINTERPRET_I32, x) X(I32_REINTERPRET_F32, x) \
  X(F32_ABS, x & 0x7FFFFFFFu) X(F32_NEG, x ^ 0x80000000u)
#define UN_I32_TO_64(X) \
  X(I64_EXTEND_I32_S, (uint64_t)(int64_t)(int32_t)x) X(I64_EXTEND_I32_U, (uint64_t)x) \
  X(F64_CONVERT_I32_S, wf_f64_bits((double)(int32_t)x)) X(F64_CONVERT_I32_U, wf_f64_bits((double)x)) \
  X(F64_PROMOTE_F32, wf_f64_bits((double)wf_f32(x)))
#define UN_I64(X) \
  X(I64_CLZ, x ? (uint64_t)__builtin_clzll(x) : 64u) X(I64_CTZ, x ? (uint64_t)__builtin_ctzll(x) : 64u) \
  X(I64_POPCNT, (uint64_t)__builtin_popcountll(x)) \
  X(I64_EXTEND8_S, (uint64_t)(int64_t)(int8_t)x) X(I64_EXTEND16_S, (uint64_t)(int64_t)(int16_t)x) \
  X(I64_EXTEND32_S, (uint64_t)(int64_t)(int32_t)x) \
  X(F64_CONVERT_I64_S, wf_f64_bits((double)(int64_t)x)) X(F64_CONVERT_I64_U, wf_f64_bits((double)x)) \
  X(F64_REINTERPRET_I64, x) X(I64_REINTERPRET_F64, x) \
  X(F64_ABS, x & 0x7FFFFFFFFFFFFFFFull) X(F64_NEG, x ^ 0x8000000000000000ull) \
  X(I64_TRUNC_SAT_F64_S, (uint64_t)wf_sat_i64_f64(wf_f64(x))) \
  X(I64_TRUNC_SAT_F64_U, wf_sat_u64_f64(wf_f64(x)))
#define UN_I64_TO_32(X) \
  X(I64_EQZ, x == 0) X(I32_WRAP_I64, (uint32_t)x) \
  X(F32_CONVERT_I64_S, wf_f32_bits(WF_F32_OF_I64((int64_t)x))) \
  X(F32_CONVERT_I64_U, wf_f32_bits(WF_F32_OF_U64(x))) \
  X(F32_DEMOTE_F64, wf_f32_bits((float)wf_f64(x))) \
  X(I32_TRUNC_SAT_F64_S, (uint32_t)wf_sat_i32_f64(wf_f64(x))) \
  X(I32_TRUNC_SAT_F64_U, wf_sat_u32_f64(wf_f64(x)))
#define UN_F32(X) \
  X(F32_CEIL, wf_ceilf(x)) X(F32_FLOOR, wf_floorf(x)) X(F32_TRUNC, wf_truncf(x)) \
  X(F32_NEAREST, wf_nearestf(x)) X(F32_SQRT, sqrtf(x))
#define UN_F64(X) \
  X(F64_CEIL, wf_ceil(x)) X(F64_FLOOR, wf_floor(x)) X(F64_TRUNC, wf_trunc(x)) \
  X(F64_NEAREST, wf_nearest(x)) X(F64_SQRT, sqrt(x))
#define UN_F32_TO_I(X) \
  X(I32_TRUNC_SAT_F32_S, (uint32_t)wf_sat_i32_f64((double)x)) \
  X(I32_TRUNC_SAT_F32_U, wf_sat_u32_f64((double)x)) \
  X(I64_TRUNC_SAT_F32_S, (uint64_t)wf_sat_i64_f64((double)x)) \
  X(I64_TRUNC_SAT_F32_U, wf_sat_u64_f64((double)x))
#define BIN_F32(X) \
  X(F32_ADD, a + b) X(F32_SUB, a - b) X(F32_MUL, a * b) X(F32_DIV, a / b) \
  X(F32_MIN, wf_fminf(a, b)) X(F32_MAX, wf_fmaxf(a, b))
#define BIN_F64(X) \
  X(F64_ADD, a + b) X(F64_SUB, a - b) X(F64_MUL, a * b) X(F64_DIV, a / b) \
  X(F64_MIN, wf_fmin(a, b)) X(F64_MAX, wf_fmax(a, b))
#define BIN_F64_FWD(X) X(F64_ADD, a + b) X(F64_SUB, a - b) X(F64_MUL, a * b) X(F64_DIV, a / b)
#define CMP_F32(X) \
  X(F32_EQ, a == b) X(F32_NE, a != b) X(F32_LT, a < b) X(F32_GT, a > b) \
  X(F32_LE, a <= b) X(F32_GE, a >= b)
#define CMP_F64(X) \
  X(F64_EQ, a == b) X(F64_NE, a != b) X(F64_LT, a < b) X(F64_GT, a > b) \
  X(F64_LE, a <= b) X(F64_GE, a >= b)
/* trapping truncations: (op, read, ok-check, conversion) */
#define TRUNC(X) \
  X(I32_TRUNC_F32_S, RF32, wf_ok_i32_f32, W32, (int32_t)) \
  X(I32_TRUNC_F32_U, RF32, wf_ok_u32_f32, W32, (uint32_t)) \
  X(I32_TRUNC_F64_S, RF64, wf_ok_i32_f64, W32, (int32_t)) \
  X(I32_TRUNC_F64_U, RF64, wf_ok_u32_f64, W32, (uint32_t)) \
  X(I64_TRUNC_F32_S, RF32, wf_ok_i64_f32, W64, (int64_t)) \
  X(I64_TRUNC_F32_U, RF32, wf_ok_u64_f32, W64, (uint64_t)) \
  X(I64_TRUNC_F64_S, RF64, wf_ok_i64_f64, W64, (int64_t)) \
  X(I64_TRUNC_F64_U, RF64, wf_ok_u64_f64, W64, (uint64_t))
/* loads: (op, memory type, value conversion to the slot) */
#define LOADS(X) \
  X(I32_LOAD, uint32_t, (uint64_t)v) X(I64_LOAD, uint64_t, v) \
  X(F32_LOAD, uint32_t, (uint64_t)v) X(F64_LOAD, uint64_t, v) \
  X(I32_LOAD8_S, int8_t, (uint32_t)(int32_t)v) X(I32_LOAD8_U, uint8_t, (uint64_t)v) \
  X(I32_LOAD16_S, int16_t, (uint32_t)(int32_t)v) X(I32_LOAD16_U, uint16_t, (uint64_t)v) \
  X(I64_LOAD8_S, int8_t, (uint64_t)(int64_t)v) X(I64_LOAD8_U, uint8_t, (uint64_t)v) \
  X(I64_LOAD16_S, int16_t, (uint64_t)(int64_t)v) X(I64_LOAD16_U, uint16_t, (uint64_t)v) \
  X(I64_LOAD32_S, int32_t, (uint64_t)(int64_t)v) X(I64_LOAD32_U, uint32_t, (uint64_t)v)
#define STORES(X) \
  X(I32_STORE, uint32_t) X(I64_STORE, uint64_t) X(F32_STORE, uint32_t) X(F64_STORE, uint64_t) \
  X(I32_STORE8, uint8_t) X(I32_STORE16, uint16_t) X(I64_STORE8, uint8_t) \
  X(I64_STORE16, uint16_t) X(I64_STORE32, uint32_t)
/* binary ops with a memory operand: (op, C type, slot read, memory read,
 * slot write, expression of a and b) -- the set of interp.h's WF_MARITH */
#define MARITH(X) \
  X(I32_ADD, uint32_t, R32, ld_u32, W32, a + b) X(I32_SUB, uint32_t, R32, ld_u32, W32, a - b) \
  X(I32_MUL, uint32_t, R32, ld_u32, W32, a * b) X(I32_AND, uint32_t, R32, ld_u32, W32, a & b) \
  X(I32_OR, uint32_t, R32, ld_u32, W32, a | b) X(I32_XOR, uint32_t, R32, ld_u32, W32, a ^ b) \
  X(I64_ADD, uint64_t, R64, ld_u64, W64, a + b) X(I64_SUB, uint64_t, R64, ld_u64, W64, a - b) \
  X(I64_MUL, uint64_t, R64, ld_u64, W64, a * b) X(I64_AND, uint64_t, R64, ld_u64, W64, a & b) \
  X(I64_OR, uint64_t, R64, ld_u64, W64, a | b) X(I64_XOR, uint64_t, R64, ld_u64, W64, a ^ b) \
  X(F32_ADD, float, RF32, ld_f32, WF32, a + b) X(F32_SUB, float, RF32, ld_f32, WF32, a - b) \
  X(F32_MUL, float, RF32, ld_f32, WF32, a * b) X(F32_DIV, float, RF32, ld_f32, WF32, a / b) \
  X(F64_ADD, double, RF64, ld_f64, WF64, a + b) X(F64_SUB, double, RF64, ld_f64, WF64, a - b) \
  X(F64_MUL, double, RF64, ld_f64, WF64, a * b) X(F64_DIV, double, RF64, ld_f64, WF64, a / b)
/* ops handled by hand below */
#define MISC(X) \
  X(UNREACHABLE) X(SELECT) X(GLOBAL_GET) X(GLOBAL_SET) X(TABLE_GET) X(TABLE_SET) \
  X(TABLE_INIT) X(ELEM_DROP) X(TABLE_COPY) X(TABLE_GROW) X(TABLE_SIZE) X(TABLE_FILL) \
  X(MEMORY_SIZE) X(MEMORY_GROW) X(MEMORY_INIT) X(DATA_DROP) X(MEMORY_COPY) X(MEMORY_FILL) \
  X(REF_IS_NULL) X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) \
  X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U) X(F32_COPYSIGN) X(F64_COPYSIGN)

#endif
