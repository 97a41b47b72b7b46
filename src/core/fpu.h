/* Float helpers with WebAssembly semantics (private to interp.c).
 *
 * NaN rules: an operation whose result is NaN returns a quiet NaN; when an
 * input is NaN the result is derived from it with x + x / a + b, which on
 * SSE keeps the payload and sets the quiet bit (an "arithmetic" NaN), and
 * maps the canonical NaN to itself. abs/neg/copysign are pure bit
 * operations that never touch the payload. */
#ifndef WF_CORE_FPU_H
#define WF_CORE_FPU_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float wf_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline double wf_f64(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static inline uint32_t wf_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline uint64_t wf_f64_bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

static inline float wf_fminf(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wf_f32(wf_f32_bits(a) | wf_f32_bits(b));   /* -0 < +0 */
  return a < b ? a : b;
}
static inline float wf_fmaxf(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wf_f32(wf_f32_bits(a) & wf_f32_bits(b));
  return a > b ? a : b;
}
static inline double wf_fmin(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wf_f64(wf_f64_bits(a) | wf_f64_bits(b));
  return a < b ? a : b;
}
static inline double wf_fmax(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return wf_f64(wf_f64_bits(a) & wf_f64_bits(b));
  return a > b ? a : b;
}

static inline float wf_ceilf(float x) { return x != x ? x + x : ceilf(x); }
static inline float wf_floorf(float x) { return x != x ? x + x : floorf(x); }
static inline float wf_truncf(float x) { return x != x ? x + x : truncf(x); }
static inline float wf_nearestf(float x) { return x != x ? x + x : nearbyintf(x); }
static inline double wf_ceil(double x) { return x != x ? x + x : ceil(x); }
static inline double wf_floor(double x) { return x != x ? x + x : floor(x); }
static inline double wf_trunc(double x) { return x != x ? x + x : trunc(x); }
static inline double wf_nearest(double x) { return x != x ? x + x : nearbyint(x); }

/* i64 -> f32. The hardware conversion rounds once, as WebAssembly wants,
 * but valgrind emulates it through double (rounding twice), so the valgrind
 * build (WF_BOUNDS_CHECK) does it in software: below 2^53 the value
 * converts to double exactly; above, the bits shifted out are folded into a
 * sticky bit, which keeps the one rounding to float exact (round to nearest
 * even). The default build keeps the plain cast (same code, same layout of
 * the interpreter, which is sensitive to it). */
#ifdef WF_BOUNDS_CHECK
static inline float wf_f32_of_u64(uint64_t x) {
  if (x < (1ull << 53)) return (float)(double)x;
  uint64_t y = (x >> 11) | ((x & 0x7FFu) != 0);
  return (float)((double)y * 2048.0);
}
static inline float wf_f32_of_i64(int64_t x) {
  if (x >= 0) return wf_f32_of_u64((uint64_t)x);
  return -wf_f32_of_u64(0 - (uint64_t)x);
}
#define WF_F32_OF_U64(x) wf_f32_of_u64(x)
#define WF_F32_OF_I64(x) wf_f32_of_i64(x)
#else
#define WF_F32_OF_U64(x) ((float)(x))
#define WF_F32_OF_I64(x) ((float)(x))
#endif

/* Range checks for the trapping float->int truncations: the value is not NaN
 * and its truncation is representable. */
static inline int wf_ok_i32_f32(float x) { return x >= -2147483648.0f && x < 2147483648.0f; }
static inline int wf_ok_u32_f32(float x) { return x > -1.0f && x < 4294967296.0f; }
static inline int wf_ok_i32_f64(double x) { return x > -2147483649.0 && x < 2147483648.0; }
static inline int wf_ok_u32_f64(double x) { return x > -1.0 && x < 4294967296.0; }
static inline int wf_ok_i64_f32(float x) {
  return x >= -9223372036854775808.0f && x < 9223372036854775808.0f;
}
static inline int wf_ok_u64_f32(float x) { return x > -1.0f && x < 18446744073709551616.0f; }
static inline int wf_ok_i64_f64(double x) {
  return x >= -9223372036854775808.0 && x < 9223372036854775808.0;
}
static inline int wf_ok_u64_f64(double x) { return x > -1.0 && x < 18446744073709551616.0; }

/* Saturating truncations. */
static inline int32_t wf_sat_i32_f64(double x) {
  if (x != x) return 0;
  if (x <= -2147483648.0) return INT32_MIN;
  if (x >= 2147483647.0) return INT32_MAX;
  return (int32_t)x;
}
static inline uint32_t wf_sat_u32_f64(double x) {
  if (x != x || x <= 0.0) return 0;
  if (x >= 4294967295.0) return UINT32_MAX;
  return (uint32_t)x;
}
static inline int64_t wf_sat_i64_f64(double x) {
  if (x != x) return 0;
  if (x < -9223372036854775808.0) return INT64_MIN;
  if (x >= 9223372036854775808.0) return INT64_MAX;
  return (int64_t)x;
}
static inline uint64_t wf_sat_u64_f64(double x) {
  if (x != x || x <= 0.0) return 0;
  if (x >= 18446744073709551616.0) return UINT64_MAX;
  return (uint64_t)x;
}

#endif
