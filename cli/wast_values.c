/* weft wast: reading argument values and checking results against the
 * expectations of wast2json's output. Numbers come as the decimal form of
 * their bit pattern ("2143289344" is f32 NaN); floats may also be expected as
 * "nan:canonical" or "nan:arithmetic"; references as "null" or a number
 * (an extern reference N is the host value N + 1, so that 0 stays null). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "wast.h"

int wast_kind_of(const json_value_t *v) {
  const char *t = json_get_str(v, "type", NULL);
  if (!t) return -1;
  if (!strcmp(t, "i32")) return WEFT_I32;
  if (!strcmp(t, "i64")) return WEFT_I64;
  if (!strcmp(t, "f32")) return WEFT_F32;
  if (!strcmp(t, "f64")) return WEFT_F64;
  if (!strcmp(t, "funcref")) return WEFT_FUNCREF;
  if (!strcmp(t, "externref")) return WEFT_EXTERNREF;
  return -1;
}

/* Decimal (optionally negative, two's complement) to 64 bits, overflow-checked
 * against `max` for the magnitude. */
static int parse_bits(const char *s, size_t len, uint64_t max, uint64_t *out) {
  size_t i = 0;
  int neg = 0;
  if (len > 0 && s[0] == '-') { neg = 1; i = 1; }
  if (i >= len) return -1;
  uint64_t v = 0;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    uint64_t d = (uint64_t)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
  }
  if (v > max) return -1;
  *out = neg ? (uint64_t)0 - v : v;
  return 0;
}

int wast_parse_arg(const json_value_t *v, weft_core_val_t *out, char *why, size_t whylen) {
  memset(out, 0, sizeof *out);
  const char *type = json_get_str(v, "type", NULL);
  int kind = wast_kind_of(v);
  if (kind < 0) {
    snprintf(why, whylen, "unsupported value type '%s'", type ? type : "(none)");
    return -1;
  }
  out->kind = (weft_valkind_t)kind;
  size_t len;
  const char *s = json_get_str(v, "value", &len);
  if (!s) {
    snprintf(why, whylen, "%s argument without a value", type);
    return -1;
  }
  uint64_t bits;
  switch (out->kind) {
    case WEFT_I32:
    case WEFT_F32:
      if (parse_bits(s, len, UINT32_MAX, &bits)) goto bad;
      if (out->kind == WEFT_I32) out->of.i32 = (int32_t)(uint32_t)bits;
      else out->of.f32_bits = (uint32_t)bits;
      return 0;
    case WEFT_I64:
    case WEFT_F64:
      if (parse_bits(s, len, UINT64_MAX, &bits)) goto bad;
      if (out->kind == WEFT_I64) out->of.i64 = (int64_t)bits;
      else out->of.f64_bits = bits;
      return 0;
    case WEFT_FUNCREF:
      if (!strcmp(s, "null")) { out->of.funcref = NULL; return 0; }
      snprintf(why, whylen, "a non-null funcref argument cannot be written in a script");
      return -1;
    case WEFT_EXTERNREF:
      if (!strcmp(s, "null")) { out->of.externref = 0; return 0; }
      if (parse_bits(s, len, UINT64_MAX - 1, &bits) || s[0] == '-') goto bad;
      out->of.externref = bits + 1;
      return 0;
  }
bad:
  snprintf(why, whylen, "bad %s value '%.*s'", type, (int)(len > 64 ? 64 : len), s);
  return -1;
}

static int f32_is_nan(uint32_t b) { return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu); }
static int f64_is_nan(uint64_t b) {
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x000fffffffffffffull);
}

int wast_match(const json_value_t *expected, const weft_core_val_t *got, char *why, size_t whylen) {
  int kind = wast_kind_of(expected);
  if (kind < 0) {
    const char *t = json_get_str(expected, "type", NULL);
    snprintf(why, whylen, "unsupported expected type '%s'", t ? t : "(none)");
    return -1;
  }
  if ((weft_valkind_t)kind != got->kind) return 0;
  size_t len;
  const char *s = json_get_str(expected, "value", &len);
  switch (got->kind) {
    case WEFT_F32:
      if (s && !strcmp(s, "nan:canonical"))
        return (got->of.f32_bits & 0x7fffffffu) == 0x7fc00000u;
      if (s && !strcmp(s, "nan:arithmetic"))
        return (got->of.f32_bits & 0x7fc00000u) == 0x7fc00000u;
      break;
    case WEFT_F64:
      if (s && !strcmp(s, "nan:canonical"))
        return (got->of.f64_bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
      if (s && !strcmp(s, "nan:arithmetic"))
        return (got->of.f64_bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
      break;
    case WEFT_FUNCREF:
      /* No value: any non-null function reference. */
      if (!s) return got->of.funcref != NULL;
      if (!strcmp(s, "null")) return got->of.funcref == NULL;
      return got->of.funcref != NULL;
    case WEFT_EXTERNREF:
      if (!s) return got->of.externref != 0;
      if (!strcmp(s, "null")) return got->of.externref == 0;
      break;
    default:
      break;
  }
  weft_core_val_t want;
  if (wast_parse_arg(expected, &want, why, whylen)) return -1;
  switch (got->kind) {
    case WEFT_I32: return want.of.i32 == got->of.i32;
    case WEFT_I64: return want.of.i64 == got->of.i64;
    case WEFT_F32: return want.of.f32_bits == got->of.f32_bits;
    case WEFT_F64: return want.of.f64_bits == got->of.f64_bits;
    case WEFT_EXTERNREF: return want.of.externref == got->of.externref;
    case WEFT_FUNCREF: return want.of.funcref == got->of.funcref;
  }
  return 0;
}

void wast_format_val(const weft_core_val_t *v, char *buf, size_t len) {
  switch (v->kind) {
    case WEFT_I32:
      snprintf(buf, len, "i32:%" PRIu32 " (%" PRId32 ")", (uint32_t)v->of.i32, v->of.i32);
      break;
    case WEFT_I64:
      snprintf(buf, len, "i64:%" PRIu64 " (%" PRId64 ")", (uint64_t)v->of.i64, v->of.i64);
      break;
    case WEFT_F32: {
      float f;
      memcpy(&f, &v->of.f32_bits, sizeof f);
      if (f32_is_nan(v->of.f32_bits))
        snprintf(buf, len, "f32:%" PRIu32 " (nan 0x%08" PRIx32 ")", v->of.f32_bits, v->of.f32_bits);
      else
        snprintf(buf, len, "f32:%" PRIu32 " (%.9g)", v->of.f32_bits, (double)f);
      break;
    }
    case WEFT_F64: {
      double d;
      memcpy(&d, &v->of.f64_bits, sizeof d);
      if (f64_is_nan(v->of.f64_bits))
        snprintf(buf, len, "f64:%" PRIu64 " (nan 0x%016" PRIx64 ")", v->of.f64_bits, v->of.f64_bits);
      else
        snprintf(buf, len, "f64:%" PRIu64 " (%.17g)", v->of.f64_bits, d);
      break;
    }
    case WEFT_FUNCREF:
      snprintf(buf, len, v->of.funcref ? "funcref:non-null" : "funcref:null");
      break;
    case WEFT_EXTERNREF:
      if (v->of.externref == 0) snprintf(buf, len, "externref:null");
      else snprintf(buf, len, "externref:%" PRIu64, v->of.externref - 1);
      break;
    default:
      snprintf(buf, len, "(kind %d)", (int)v->kind);
  }
}

void wast_format_expected(const json_value_t *expected, char *buf, size_t len) {
  const char *t = json_get_str(expected, "type", NULL);
  size_t slen = 0;
  const char *s = json_get_str(expected, "value", &slen);
  weft_core_val_t v;
  char why[64];
  int kind = wast_kind_of(expected);
  if (s && kind >= 0 && kind != WEFT_FUNCREF && strncmp(s, "nan:", 4) != 0 &&
      strcmp(s, "null") != 0 && wast_parse_arg(expected, &v, why, sizeof why) == 0) {
    wast_format_val(&v, buf, len);
    return;
  }
  snprintf(buf, len, "%s:%.*s", t ? t : "?", (int)(slen > 64 ? 64 : slen), s ? s : "any");
}
