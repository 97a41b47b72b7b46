/* weft wast on Component Model scripts: wast values to weft_val_t (guided by
 * the parameter or result type), shape checks, equality and printing.
 *
 * Values are written as in the component-model test suite:
 *   (bool.const true) (u8.const 255) (s32.const -1) (u64.const 0xffff_ffff)
 *   (f32.const 1.5) (f64.const nan) (f32.const nan:0x200000) (char.const "x")
 *   (str.const "a\u{263a}") (list.const V...) (tuple.const V...)
 *   (record.const (field "name" str.const "x") (field "n" (u32.const 1)))
 *   (variant.const "case" V?) (enum.const "red") (flags.const "a" "c")
 *   (option.some V) (option.none) (result.ok V?) (result.err V?)
 * An expected f32/f64 of nan, nan:canonical, nan:arithmetic or nan:0x...
 * matches any NaN (NaNs are canonicalised at the component boundary). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwast.h"

static int errf(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int errf(char *why, size_t whylen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, whylen, fmt, ap);
  va_end(ap);
  return -1;
}

/* Value kind names as written in scripts ("u32" in "u32.const"). */
static const char *kname(weft_vkind_t k) {
  static const char *const names[] = {
      "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
      "string", "list", "record", "tuple", "variant", "enum", "option", "result", "flags",
      "own", "borrow"};
  return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static int type_none(weft_type_t t) { return t.table == NULL || weft_type_is_none(t); }

void cw_type_name(weft_type_t t, char *buf, size_t cap) {
  if (cap == 0) return;
  if (type_none(t)) { snprintf(buf, cap, "(none)"); return; }
  weft_type_format(t, buf, cap);
  buf[cap - 1] = '\0';
}

/* A printable bounded copy of an atom or string. */
static void show(const char *s, size_t len, char *buf, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len && o + 5 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) o += (size_t)snprintf(buf + o, cap - o, "\\%02x", c);
    else buf[o++] = (char)c;
  }
  buf[o] = '\0';
}

/* ---- numbers ----------------------------------------------------------------- */

/* An integer atom: [+-] then decimal or 0x hex digits, '_' between digits.
 * *neg and the magnitude; -1 on bad syntax or more than 64 bits. */
static int parse_int(const char *s, size_t len, int *neg, uint64_t *mag) {
  size_t i = 0;
  *neg = 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) { *neg = s[i] == '-'; i++; }
  unsigned base = 10;
  if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) { base = 16; i += 2; }
  if (i >= len) return -1;
  uint64_t v = 0;
  int prev_digit = 0;
  for (; i < len; i++) {
    char c = s[i];
    if (c == '_') {
      if (!prev_digit || i + 1 >= len) return -1;
      prev_digit = 0;
      continue;
    }
    unsigned d;
    if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
    else return -1;
    if (v > (UINT64_MAX - d) / base) return -1;
    v = v * base + d;
    prev_digit = 1;
  }
  *mag = v;
  return 0;
}

/* A float atom for f32 (is64 = 0) or f64: decimal or hex floats, inf, nan,
 * nan:0xPAYLOAD, nan:canonical, nan:arithmetic. */
static int parse_float(const char *s, size_t len, int is64, weft_val_t *out, char *why,
                       size_t whylen) {
  char txt[128], shown[64];
  show(s, len, shown, sizeof shown);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '_') continue;
    if (o + 1 >= sizeof txt) return errf(why, whylen, "float literal too long: %s", shown);
    txt[o++] = s[i];
  }
  txt[o] = '\0';
  const char *p = txt;
  int neg = 0;
  if (*p == '+' || *p == '-') { neg = *p == '-'; p++; }
  if (!strcmp(p, "inf")) {
    if (is64) out->of.f64 = neg ? -INFINITY : INFINITY;
    else out->of.f32 = neg ? -INFINITY : INFINITY;
    return 0;
  }
  if (!strncmp(p, "nan", 3)) {
    uint64_t payload = 0;
    if (p[3] == ':') {
      const char *q = p + 4;
      if (!strcmp(q, "canonical") || !strcmp(q, "arithmetic")) payload = 0;
      else {
        int pneg;
        if (strncmp(q, "0x", 2) || parse_int(q, strlen(q), &pneg, &payload) || pneg || payload == 0 ||
            payload > (is64 ? 0xfffffffffffffull : 0x7fffffull))
          return errf(why, whylen, "bad NaN payload: %s", shown);
      }
    } else if (p[3] != '\0') {
      return errf(why, whylen, "bad float literal: %s", shown);
    }
    if (is64) {
      uint64_t bits = (neg ? 1ull << 63 : 0) | 0x7ff0000000000000ull | (payload ? payload : 1ull << 51);
      memcpy(&out->of.f64, &bits, sizeof bits);
    } else {
      uint32_t bits = (neg ? 1u << 31 : 0) | 0x7f800000u | (uint32_t)(payload ? payload : 1u << 22);
      memcpy(&out->of.f32, &bits, sizeof bits);
    }
    return 0;
  }
  for (const char *q = p; *q; q++)
    if (!strchr("0123456789abcdefABCDEFxXpP.+-", *q))
      return errf(why, whylen, "bad float literal: %s", shown);
  if (!*p) return errf(why, whylen, "bad float literal: %s", shown);
  char *end = NULL;
  if (is64) {
    double d = strtod(txt, &end);
    out->of.f64 = d;
  } else {
    float f = strtof(txt, &end);
    out->of.f32 = f;
  }
  if (!end || *end) return errf(why, whylen, "bad float literal: %s", shown);
  return 0;
}

/* ---- wast values to weft_val_t --------------------------------------------------- */

static weft_val_t *alloc_vals(weft_arena_t *a, size_t n) {
  if (n == 0) return NULL;
  if (n > SIZE_MAX / sizeof(weft_val_t)) return NULL;
  return weft_arena_alloc(a, n * sizeof(weft_val_t));
}

static const struct { const char *head; weft_vkind_t kind; } HEADS[] = {
    {"bool.const", WEFT_VAL_BOOL},     {"s8.const", WEFT_VAL_S8},
    {"u8.const", WEFT_VAL_U8},         {"s16.const", WEFT_VAL_S16},
    {"u16.const", WEFT_VAL_U16},       {"s32.const", WEFT_VAL_S32},
    {"u32.const", WEFT_VAL_U32},       {"s64.const", WEFT_VAL_S64},
    {"u64.const", WEFT_VAL_U64},       {"f32.const", WEFT_VAL_F32},
    {"f64.const", WEFT_VAL_F64},       {"char.const", WEFT_VAL_CHAR},
    {"str.const", WEFT_VAL_STRING},    {"list.const", WEFT_VAL_LIST},
    {"record.const", WEFT_VAL_RECORD}, {"tuple.const", WEFT_VAL_TUPLE},
    {"variant.const", WEFT_VAL_VARIANT}, {"enum.const", WEFT_VAL_ENUM},
    {"option.some", WEFT_VAL_OPTION},  {"option.none", WEFT_VAL_OPTION},
    {"result.ok", WEFT_VAL_RESULT},    {"result.err", WEFT_VAL_RESULT},
    {"flags.const", WEFT_VAL_FLAGS},
};

static int int_bits(weft_vkind_t k) {
  switch (k) {
    case WEFT_VAL_S8: case WEFT_VAL_U8: return 8;
    case WEFT_VAL_S16: case WEFT_VAL_U16: return 16;
    case WEFT_VAL_S32: case WEFT_VAL_U32: return 32;
    case WEFT_VAL_S64: case WEFT_VAL_U64: return 64;
    default: return 0;
  }
}

static int is_signed(weft_vkind_t k) {
  return k == WEFT_VAL_S8 || k == WEFT_VAL_S16 || k == WEFT_VAL_S32 || k == WEFT_VAL_S64;
}

/* The index of the field/case named s[0..len) in t, or -1. */
static long field_index(weft_type_t t, const char *s, size_t len) {
  size_t n = weft_type_field_count(t);
  for (size_t i = 0; i < n; i++) {
    size_t fl = 0;
    const char *f = weft_type_field_name(t, i, &fl);
    if (f && fl == len && !memcmp(f, s, len)) return (long)i;
  }
  return -1;
}

static int want_string(const cw_sx_t *x, const char *head, const char *what, char *why, size_t whylen) {
  if (!x || x->kind != CW_STRING) return errf(why, whylen, "%s: expected %s as a \"string\"", head, what);
  return 0;
}

static int conv(const cw_sx_t *head, const cw_sx_t *args, size_t nargs, weft_type_t t,
                weft_arena_t *a, weft_val_t *out, char *why, size_t whylen);

int cw_val_from_list(const cw_sx_t *x, weft_type_t t, weft_arena_t *arena, weft_val_t *out,
                     char *why, size_t whylen) {
  if (!x || x->kind != CW_LIST || x->n == 0)
    return errf(why, whylen, "expected a value such as (u32.const 1)");
  return conv(&x->items[0], x->items + 1, x->n - 1, t, arena, out, why, whylen);
}

int cw_val_from_sx(const cw_sx_t *head, const cw_sx_t *args, size_t nargs, weft_type_t t,
                   weft_arena_t *arena, weft_val_t *out, char *why, size_t whylen) {
  return conv(head, args, nargs, t, arena, out, why, whylen);
}

static int conv_record(const char *h, const cw_sx_t *args, size_t nargs, weft_type_t t,
                       weft_arena_t *a, weft_val_t *out, char *why, size_t whylen) {
  size_t nf = weft_type_field_count(t);
  if (nargs != nf)
    return errf(why, whylen, "%s: %zu fields given, the record has %zu", h, nargs, nf);
  out->of.seq.n = nf;
  out->of.seq.v = alloc_vals(a, nf);
  if (nf && !out->of.seq.v) return errf(why, whylen, "out of memory");
  unsigned char *seen = nf ? calloc(nf, 1) : NULL;
  if (nf && !seen) return errf(why, whylen, "out of memory");
  int rc = 0;
  for (size_t i = 0; i < nargs && !rc; i++) {
    const cw_sx_t *f = &args[i];
    if (f->kind != CW_LIST || f->n < 3 || !cw_sx_is(&f->items[0], "field") ||
        f->items[1].kind != CW_STRING) {
      rc = errf(why, whylen, "%s: expected (field \"name\" value) for field %zu", h, i + 1);
      break;
    }
    char name[64];
    show(f->items[1].s, f->items[1].len, name, sizeof name);
    long k = field_index(t, f->items[1].s, f->items[1].len);
    if (k < 0) { rc = errf(why, whylen, "%s: the record has no field \"%s\"", h, name); break; }
    if (seen[k]) { rc = errf(why, whylen, "%s: field \"%s\" given twice", h, name); break; }
    seen[k] = 1;
    weft_type_t ft = weft_type_field_type(t, (size_t)k);
    weft_val_t *dst = &out->of.seq.v[k];
    if (f->n == 3 && f->items[2].kind == CW_LIST)   /* (field "n" (u32.const 1)) */
      rc = cw_val_from_list(&f->items[2], ft, a, dst, why, whylen);
    else                                            /* (field "n" u32.const 1) */
      rc = conv(&f->items[2], f->items + 3, f->n - 3, ft, a, dst, why, whylen);
  }
  free(seen);
  return rc;
}

static int conv(const cw_sx_t *head, const cw_sx_t *args, size_t nargs, weft_type_t t,
                weft_arena_t *a, weft_val_t *out, char *why, size_t whylen) {
  memset(out, 0, sizeof *out);
  if (!head || head->kind != CW_ATOM)
    return errf(why, whylen, "expected a value such as (u32.const 1)");
  char h[40];
  show(head->s, head->len, h, sizeof h);
  long hk = -1;
  for (size_t i = 0; i < sizeof HEADS / sizeof HEADS[0]; i++)
    if (cw_sx_is(head, HEADS[i].head)) { hk = (long)HEADS[i].kind; break; }
  if (hk < 0) return errf(why, whylen, "unknown value form (%s ...)", h);
  if (type_none(t)) return errf(why, whylen, "%s given where no value is expected", h);
  weft_vkind_t k = weft_type_kind(t);
  if ((long)k != hk) {
    char tn[128];
    cw_type_name(t, tn, sizeof tn);
    return errf(why, whylen, "%s given for a value of type %s", h, tn);
  }
  out->kind = k;
  int bits = int_bits(k);
  if (bits) {
    if (nargs != 1 || args[0].kind != CW_ATOM) return errf(why, whylen, "%s: expected one number", h);
    char lit[64];
    show(args[0].s, args[0].len, lit, sizeof lit);
    int neg;
    uint64_t mag;
    if (parse_int(args[0].s, args[0].len, &neg, &mag))
      return errf(why, whylen, "%s: bad integer literal %s", h, lit);
    if (is_signed(k)) {
      uint64_t lim = (uint64_t)1 << (bits - 1);   /* |min| */
      if (neg ? mag > lim : mag >= lim) return errf(why, whylen, "%s: %s out of range", h, lit);
      out->of.s = neg ? (mag == lim && bits == 64 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    } else {
      uint64_t max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
      if ((neg && mag) || mag > max) return errf(why, whylen, "%s: %s out of range", h, lit);
      out->of.u = mag;
    }
    return 0;
  }
  switch (k) {
    case WEFT_VAL_BOOL:
      if (nargs == 1 && cw_sx_is(&args[0], "true")) out->of.b = 1;
      else if (nargs == 1 && cw_sx_is(&args[0], "false")) out->of.b = 0;
      else return errf(why, whylen, "%s: expected true or false", h);
      return 0;
    case WEFT_VAL_F32:
    case WEFT_VAL_F64:
      if (nargs != 1 || args[0].kind != CW_ATOM) return errf(why, whylen, "%s: expected one number", h);
      return parse_float(args[0].s, args[0].len, k == WEFT_VAL_F64, out, why, whylen);
    case WEFT_VAL_CHAR: {
      if (nargs != 1 || want_string(&args[0], h, "the character", why, whylen))
        return errf(why, whylen, "%s: expected one \"c\"", h);
      uint32_t cp;
      size_t n = cw_utf8_decode((const unsigned char *)args[0].s, args[0].len, &cp);
      if (!n || n != args[0].len)
        return errf(why, whylen, "%s: expected exactly one Unicode scalar value", h);
      out->of.ch = cp;
      return 0;
    }
    case WEFT_VAL_STRING:
      if (nargs != 1 || args[0].kind != CW_STRING) return errf(why, whylen, "%s: expected one \"string\"", h);
      if (!cw_utf8_valid(args[0].s, args[0].len)) return errf(why, whylen, "%s: not valid UTF-8", h);
      out->of.str.ptr = args[0].s;
      out->of.str.len = args[0].len;
      return 0;
    case WEFT_VAL_LIST: {
      weft_type_t et = weft_type_elem(t);
      out->of.seq.n = nargs;
      out->of.seq.v = alloc_vals(a, nargs);
      if (nargs && !out->of.seq.v) return errf(why, whylen, "out of memory");
      for (size_t i = 0; i < nargs; i++)
        if (cw_val_from_list(&args[i], et, a, &out->of.seq.v[i], why, whylen)) return -1;
      return 0;
    }
    case WEFT_VAL_TUPLE: {
      size_t nf = weft_type_field_count(t);
      if (nargs != nf) return errf(why, whylen, "%s: %zu members given, the tuple has %zu", h, nargs, nf);
      out->of.seq.n = nf;
      out->of.seq.v = alloc_vals(a, nf);
      if (nf && !out->of.seq.v) return errf(why, whylen, "out of memory");
      for (size_t i = 0; i < nf; i++)
        if (cw_val_from_list(&args[i], weft_type_field_type(t, i), a, &out->of.seq.v[i], why, whylen))
          return -1;
      return 0;
    }
    case WEFT_VAL_RECORD:
      return conv_record(h, args, nargs, t, a, out, why, whylen);
    case WEFT_VAL_VARIANT:
    case WEFT_VAL_ENUM: {
      if (nargs < 1 || want_string(&args[0], h, "the case name", why, whylen)) return -1;
      char name[64];
      show(args[0].s, args[0].len, name, sizeof name);
      long ci = field_index(t, args[0].s, args[0].len);
      if (ci < 0) return errf(why, whylen, "%s: no case \"%s\"", h, name);
      out->of.var.index = (uint32_t)ci;
      if (k == WEFT_VAL_ENUM) {
        if (nargs != 1) return errf(why, whylen, "%s: an enum case has no payload", h);
        return 0;
      }
      weft_type_t pt = weft_type_field_type(t, (size_t)ci);
      if (type_none(pt)) {
        if (nargs != 1) return errf(why, whylen, "%s: case \"%s\" has no payload", h, name);
        return 0;
      }
      if (nargs != 2) return errf(why, whylen, "%s: case \"%s\" needs one payload value", h, name);
      out->of.var.payload = alloc_vals(a, 1);
      if (!out->of.var.payload) return errf(why, whylen, "out of memory");
      return cw_val_from_list(&args[1], pt, a, out->of.var.payload, why, whylen);
    }
    case WEFT_VAL_OPTION:
    case WEFT_VAL_RESULT: {
      int second = cw_sx_is(head, "option.some") || cw_sx_is(head, "result.err");
      weft_type_t pt;
      if (k == WEFT_VAL_OPTION) {
        out->of.var.index = (uint32_t)second;
        pt = second ? weft_type_elem(t) : (weft_type_t){NULL, 0};
      } else {
        out->of.var.index = (uint32_t)second;
        pt = second ? weft_type_err(t) : weft_type_elem(t);
      }
      if (type_none(pt)) {
        if (nargs != 0) return errf(why, whylen, "%s takes no value here", h);
        return 0;
      }
      if (nargs != 1) return errf(why, whylen, "%s needs one value", h);
      out->of.var.payload = alloc_vals(a, 1);
      if (!out->of.var.payload) return errf(why, whylen, "out of memory");
      return cw_val_from_list(&args[0], pt, a, out->of.var.payload, why, whylen);
    }
    case WEFT_VAL_FLAGS: {
      size_t nf = weft_type_field_count(t);
      if (nf > 32) return errf(why, whylen, "%s: a flags type of %zu flags", h, nf);
      for (size_t i = 0; i < nargs; i++) {
        if (want_string(&args[i], h, "flag names", why, whylen)) return -1;
        char name[64];
        show(args[i].s, args[i].len, name, sizeof name);
        long fi = field_index(t, args[i].s, args[i].len);
        if (fi < 0) return errf(why, whylen, "%s: no flag \"%s\"", h, name);
        out->of.flags |= (uint32_t)1 << fi;
      }
      return 0;
    }
    default:
      return errf(why, whylen, "%s: values of kind %s cannot be written in a script", h,
                  kname(k));
  }
}

/* ---- shape checks -------------------------------------------------------------- */

static int check(weft_type_t t, const weft_val_t *v, unsigned depth, char *why, size_t whylen) {
  if (depth > 256) return errf(why, whylen, "value nested too deeply");
  if (type_none(t)) return errf(why, whylen, "a value where the type has none");
  weft_vkind_t k = weft_type_kind(t);
  char tn[128];
  if (v->kind != k) {
    cw_type_name(t, tn, sizeof tn);
    return errf(why, whylen, "a value of kind %s for type %s", kname(v->kind), tn);
  }
  int bits = int_bits(k);
  if (bits && bits < 64) {
    if (is_signed(k)) {
      int64_t lim = (int64_t)1 << (bits - 1);
      if (v->of.s < -lim || v->of.s >= lim)
        return errf(why, whylen, "%s value %" PRId64 " out of range", kname(k), v->of.s);
    } else if (v->of.u >> bits) {
      return errf(why, whylen, "%s value %" PRIu64 " out of range", kname(k), v->of.u);
    }
  }
  switch (k) {
    case WEFT_VAL_BOOL:
      if (v->of.b != 0 && v->of.b != 1) return errf(why, whylen, "bool value %d", v->of.b);
      return 0;
    case WEFT_VAL_CHAR:
      if (v->of.ch > 0x10ffff || (v->of.ch >= 0xd800 && v->of.ch <= 0xdfff))
        return errf(why, whylen, "char value 0x%" PRIx32 " is not a Unicode scalar value", v->of.ch);
      return 0;
    case WEFT_VAL_STRING:
      if (v->of.str.len && !v->of.str.ptr) return errf(why, whylen, "string of %zu bytes at NULL", v->of.str.len);
      if (!cw_utf8_valid(v->of.str.ptr, v->of.str.len)) return errf(why, whylen, "string is not valid UTF-8");
      return 0;
    case WEFT_VAL_LIST: {
      if (v->of.seq.n && !v->of.seq.v) return errf(why, whylen, "list of %zu at NULL", v->of.seq.n);
      weft_type_t et = weft_type_elem(t);
      for (size_t i = 0; i < v->of.seq.n; i++)
        if (check(et, &v->of.seq.v[i], depth + 1, why, whylen)) return -1;
      return 0;
    }
    case WEFT_VAL_RECORD:
    case WEFT_VAL_TUPLE: {
      size_t nf = weft_type_field_count(t);
      if (v->of.seq.n != nf)
        return errf(why, whylen, "%s of %zu members, its type has %zu", kname(k), v->of.seq.n, nf);
      if (nf && !v->of.seq.v) return errf(why, whylen, "%s members at NULL", kname(k));
      for (size_t i = 0; i < nf; i++)
        if (check(weft_type_field_type(t, i), &v->of.seq.v[i], depth + 1, why, whylen)) return -1;
      return 0;
    }
    case WEFT_VAL_VARIANT:
    case WEFT_VAL_ENUM: {
      size_t nc = weft_type_field_count(t);
      if (v->of.var.index >= nc)
        return errf(why, whylen, "%s case %" PRIu32 " of %zu", kname(k), v->of.var.index, nc);
      if (k == WEFT_VAL_ENUM) return 0;
      weft_type_t pt = weft_type_field_type(t, v->of.var.index);
      if (type_none(pt)) {
        if (v->of.var.payload) return errf(why, whylen, "a payload for a case without one");
        return 0;
      }
      if (!v->of.var.payload) return errf(why, whylen, "no payload for case %" PRIu32, v->of.var.index);
      return check(pt, v->of.var.payload, depth + 1, why, whylen);
    }
    case WEFT_VAL_OPTION:
    case WEFT_VAL_RESULT: {
      if (v->of.var.index > 1)
        return errf(why, whylen, "%s discriminant %" PRIu32, kname(k), v->of.var.index);
      weft_type_t pt = k == WEFT_VAL_OPTION ? (v->of.var.index ? weft_type_elem(t) : (weft_type_t){NULL, 0})
                                            : (v->of.var.index ? weft_type_err(t) : weft_type_elem(t));
      if (type_none(pt)) {
        if (v->of.var.payload) return errf(why, whylen, "%s: a payload where there is none", kname(k));
        return 0;
      }
      if (!v->of.var.payload) return errf(why, whylen, "%s: no payload", kname(k));
      return check(pt, v->of.var.payload, depth + 1, why, whylen);
    }
    case WEFT_VAL_FLAGS: {
      size_t nf = weft_type_field_count(t);
      if (nf < 32 && (v->of.flags >> nf))
        return errf(why, whylen, "flags 0x%" PRIx32 " set beyond the %zu flags", v->of.flags, nf);
      return 0;
    }
    default:
      return 0;
  }
}

int cw_val_check(weft_type_t t, const weft_val_t *v, char *why, size_t whylen) {
  return check(t, v, 0, why, whylen);
}

/* ---- equality ---------------------------------------------------------------- */

int cw_val_equal(const weft_val_t *a, const weft_val_t *b) {
  if (a->kind != b->kind) return 0;
  switch (a->kind) {
    case WEFT_VAL_BOOL: return !a->of.b == !b->of.b;
    case WEFT_VAL_S8: case WEFT_VAL_S16: case WEFT_VAL_S32: case WEFT_VAL_S64:
      return a->of.s == b->of.s;
    case WEFT_VAL_U8: case WEFT_VAL_U16: case WEFT_VAL_U32: case WEFT_VAL_U64:
      return a->of.u == b->of.u;
    case WEFT_VAL_F32: {
      if (isnan(a->of.f32) || isnan(b->of.f32)) return isnan(a->of.f32) && isnan(b->of.f32);
      uint32_t x, y;
      memcpy(&x, &a->of.f32, 4);
      memcpy(&y, &b->of.f32, 4);
      return x == y;
    }
    case WEFT_VAL_F64: {
      if (isnan(a->of.f64) || isnan(b->of.f64)) return isnan(a->of.f64) && isnan(b->of.f64);
      uint64_t x, y;
      memcpy(&x, &a->of.f64, 8);
      memcpy(&y, &b->of.f64, 8);
      return x == y;
    }
    case WEFT_VAL_CHAR: return a->of.ch == b->of.ch;
    case WEFT_VAL_STRING:
      return a->of.str.len == b->of.str.len &&
             (a->of.str.len == 0 || !memcmp(a->of.str.ptr, b->of.str.ptr, a->of.str.len));
    case WEFT_VAL_LIST: case WEFT_VAL_RECORD: case WEFT_VAL_TUPLE:
      if (a->of.seq.n != b->of.seq.n) return 0;
      for (size_t i = 0; i < a->of.seq.n; i++)
        if (!cw_val_equal(&a->of.seq.v[i], &b->of.seq.v[i])) return 0;
      return 1;
    case WEFT_VAL_VARIANT: case WEFT_VAL_ENUM: case WEFT_VAL_OPTION: case WEFT_VAL_RESULT:
      if (a->of.var.index != b->of.var.index) return 0;
      if (!a->of.var.payload || !b->of.var.payload) return !a->of.var.payload && !b->of.var.payload;
      return cw_val_equal(a->of.var.payload, b->of.var.payload);
    case WEFT_VAL_FLAGS: return a->of.flags == b->of.flags;
    case WEFT_VAL_OWN: case WEFT_VAL_BORROW:
      return a->of.res.type == b->of.res.type && a->of.res.rep == b->of.res.rep;
    default: return 0;
  }
}

/* ---- printing ------------------------------------------------------------------ */

typedef struct { char *buf; size_t cap, o; int cut; } out_t;

static void put(out_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_t *w, const char *fmt, ...) {
  if (w->cut) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(w->buf + w->o, w->cap - w->o, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= w->cap - w->o) {
    w->cut = 1;
    w->o = w->cap - 1;
    if (w->cap > 4) memcpy(w->buf + w->cap - 4, "...", 4);
    return;
  }
  w->o += (size_t)n;
}

static void put_str(out_t *w, const char *s, size_t len) {
  put(w, "\"");
  for (size_t i = 0; i < len && !w->cut; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') put(w, "\\%c", c);
    else if (c == '\n') put(w, "\\n");
    else if (c == '\t') put(w, "\\t");
    else if (c < 0x20 || c == 0x7f) put(w, "\\%02x", c);
    else put(w, "%c", c);
  }
  put(w, "\"");
}

static void put_name(out_t *w, weft_type_t t, size_t i) {
  size_t len = 0;
  const char *n = type_none(t) || i >= weft_type_field_count(t) ? NULL : weft_type_field_name(t, i, &len);
  if (n) put_str(w, n, len);
  else put(w, "#%zu", i);
}

static weft_type_t sub_type(weft_type_t t, weft_vkind_t want, int which, size_t i) {
  weft_type_t none = {NULL, 0};
  if (type_none(t) || weft_type_kind(t) != want) return none;
  if (which == 0) return weft_type_elem(t);
  if (which == 1) return weft_type_err(t);
  return i < weft_type_field_count(t) ? weft_type_field_type(t, i) : none;
}

static void fmt(out_t *w, weft_type_t t, const weft_val_t *v, unsigned depth) {
  if (depth > 64) { put(w, "(...)"); return; }
  weft_vkind_t k = v->kind;
  switch (k) {
    case WEFT_VAL_BOOL: put(w, "(bool.const %s)", v->of.b ? "true" : "false"); return;
    case WEFT_VAL_S8: case WEFT_VAL_S16: case WEFT_VAL_S32: case WEFT_VAL_S64:
      put(w, "(%s.const %" PRId64 ")", kname(k), v->of.s); return;
    case WEFT_VAL_U8: case WEFT_VAL_U16: case WEFT_VAL_U32: case WEFT_VAL_U64:
      put(w, "(%s.const %" PRIu64 ")", kname(k), v->of.u); return;
    case WEFT_VAL_F32:
      if (isnan(v->of.f32)) put(w, "(f32.const nan)");
      else put(w, "(f32.const %.9g)", (double)v->of.f32);
      return;
    case WEFT_VAL_F64:
      if (isnan(v->of.f64)) put(w, "(f64.const nan)");
      else put(w, "(f64.const %.17g)", v->of.f64);
      return;
    case WEFT_VAL_CHAR: {
      char tmp[8];
      uint32_t c = v->of.ch;
      if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) { put(w, "(char.const <0x%" PRIx32 ">)", c); return; }
      size_t n;
      if (c < 0x80) { tmp[0] = (char)c; n = 1; }
      else if (c < 0x800) { tmp[0] = (char)(0xc0 | (c >> 6)); tmp[1] = (char)(0x80 | (c & 0x3f)); n = 2; }
      else if (c < 0x10000) {
        tmp[0] = (char)(0xe0 | (c >> 12)); tmp[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        tmp[2] = (char)(0x80 | (c & 0x3f)); n = 3;
      } else {
        tmp[0] = (char)(0xf0 | (c >> 18)); tmp[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        tmp[2] = (char)(0x80 | ((c >> 6) & 0x3f)); tmp[3] = (char)(0x80 | (c & 0x3f)); n = 4;
      }
      put(w, "(char.const ");
      put_str(w, tmp, n);
      put(w, ")");
      return;
    }
    case WEFT_VAL_STRING:
      put(w, "(str.const ");
      put_str(w, v->of.str.ptr ? v->of.str.ptr : "", v->of.str.ptr ? v->of.str.len : 0);
      put(w, ")");
      return;
    case WEFT_VAL_LIST: case WEFT_VAL_TUPLE:
      put(w, "(%s.const", k == WEFT_VAL_LIST ? "list" : "tuple");
      for (size_t i = 0; i < v->of.seq.n && v->of.seq.v && !w->cut; i++) {
        put(w, " ");
        fmt(w, k == WEFT_VAL_LIST ? sub_type(t, k, 0, 0) : sub_type(t, k, 2, i), &v->of.seq.v[i], depth + 1);
      }
      put(w, ")");
      return;
    case WEFT_VAL_RECORD:
      put(w, "(record.const");
      for (size_t i = 0; i < v->of.seq.n && v->of.seq.v && !w->cut; i++) {
        put(w, " (field ");
        put_name(w, t, i);
        put(w, " ");
        fmt(w, sub_type(t, k, 2, i), &v->of.seq.v[i], depth + 1);
        put(w, ")");
      }
      put(w, ")");
      return;
    case WEFT_VAL_VARIANT: case WEFT_VAL_ENUM:
      put(w, "(%s.const ", k == WEFT_VAL_ENUM ? "enum" : "variant");
      put_name(w, t, v->of.var.index);
      if (v->of.var.payload) {
        put(w, " ");
        fmt(w, sub_type(t, k, 2, v->of.var.index), v->of.var.payload, depth + 1);
      }
      put(w, ")");
      return;
    case WEFT_VAL_OPTION: case WEFT_VAL_RESULT: {
      const char *names[2][2] = {{"option.none", "option.some"}, {"result.ok", "result.err"}};
      int r = k == WEFT_VAL_RESULT;
      put(w, "(%s", v->of.var.index <= 1 ? names[r][v->of.var.index] : (r ? "result.?" : "option.?"));
      if (v->of.var.payload) {
        put(w, " ");
        fmt(w, sub_type(t, k, r && v->of.var.index == 1 ? 1 : 0, 0), v->of.var.payload, depth + 1);
      }
      put(w, ")");
      return;
    }
    case WEFT_VAL_FLAGS:
      put(w, "(flags.const");
      for (size_t i = 0; i < 32; i++) {
        if (!(v->of.flags >> i & 1)) continue;
        put(w, " ");
        put_name(w, t, i);
      }
      put(w, ")");
      return;
    case WEFT_VAL_OWN: case WEFT_VAL_BORROW:
      put(w, "(%s rep=%" PRIu64 ")", kname(k), v->of.res.rep);
      return;
    default:
      put(w, "(<kind %d>)", (int)k);
      return;
  }
}

void cw_val_format(weft_type_t t, const weft_val_t *v, char *buf, size_t cap) {
  if (cap == 0) return;
  buf[0] = '\0';
  out_t w = {buf, cap, 0, 0};
  fmt(&w, t, v, 0);
}
