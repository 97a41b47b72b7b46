/* Values as text for the jco fixtures host: a typed parser, a printer and a
 * deep copy of weft_val_t. The syntax is WAVE-like (see host.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

/* ---------------------------------------------------------------- printing */

typedef struct {
  char *buf;
  size_t cap, len;
} out_t;

static void put(out_t *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (o->len + 1 < o->cap) o->buf[o->len] = s[i];
    o->len++;
  }
  if (o->cap) o->buf[o->len < o->cap ? o->len : o->cap - 1] = 0;
}
static void puts_(out_t *o, const char *s) { put(o, s, strlen(s)); }
static void putf(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(out_t *o, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) put(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void put_float(out_t *o, double d, int is32) {
  if (isnan(d)) { puts_(o, "nan"); return; }
  if (isinf(d)) { puts_(o, d < 0 ? "-inf" : "inf"); return; }
  char tmp[64];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    double back = strtod(tmp, NULL);
    if (is32 ? (float)back == (float)d : back == d) break;
  }
  puts_(o, tmp);
}

static void put_utf8(out_t *o, uint32_t c) {
  char b[4];
  size_t n;
  if (c < 0x80) { b[0] = (char)c; n = 1; }
  else if (c < 0x800) { b[0] = (char)(0xc0 | (c >> 6)); b[1] = (char)(0x80 | (c & 0x3f)); n = 2; }
  else if (c < 0x10000) {
    b[0] = (char)(0xe0 | (c >> 12)); b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    b[2] = (char)(0x80 | (c & 0x3f)); n = 3;
  } else {
    b[0] = (char)(0xf0 | (c >> 18)); b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    b[2] = (char)(0x80 | ((c >> 6) & 0x3f)); b[3] = (char)(0x80 | (c & 0x3f)); n = 4;
  }
  put(o, b, n);
}

static void put_strchars(out_t *o, const char *s, size_t n, char quote) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == (unsigned char)quote || c == '\\') { put(o, "\\", 1); put(o, s + i, 1); }
    else if (c == '\n') puts_(o, "\\n");
    else if (c == '\t') puts_(o, "\\t");
    else if (c == '\r') puts_(o, "\\r");
    else if (c < 0x20 || c == 0x7f) putf(o, "\\u{%x}", c);
    else put(o, s + i, 1);
  }
}

static const char *type_name_of(fx_t *fx, weft_resource_type_t *t) {
  if (fx)
    for (int i = 0; i < fx->ntypes; i++)
      if (fx->types[i].t == t) return fx->types[i].name;
  return NULL;
}

static void print_val(fx_t *fx, weft_type_t t, const weft_val_t *v, out_t *o, int depth);

static void print_name(out_t *o, weft_type_t t, size_t i) {
  size_t len = 0;
  const char *nm = t.table ? weft_type_field_name(t, i, &len) : NULL;
  if (nm) put(o, nm, len);
  else putf(o, "#%zu", i);
}

static weft_type_t none_type(void) {
  weft_type_t n = {NULL, 0};
  return n;
}

static void print_val(fx_t *fx, weft_type_t t, const weft_val_t *v, out_t *o, int depth) {
  if (depth > 64) { puts_(o, "..."); return; }
  int typed = t.table != NULL;
  if (typed && weft_type_kind(t) != v->kind) {
    putf(o, "<%s where the type says %s>", weft_vkind_name(v->kind), weft_vkind_name(weft_type_kind(t)));
    typed = 0;
    t = none_type();
  }
  switch (v->kind) {
  case WEFT_VAL_BOOL: puts_(o, v->of.b ? "true" : "false"); break;
  case WEFT_VAL_S8: case WEFT_VAL_S16: case WEFT_VAL_S32: case WEFT_VAL_S64:
    putf(o, "%lld", (long long)v->of.s); break;
  case WEFT_VAL_U8: case WEFT_VAL_U16: case WEFT_VAL_U32: case WEFT_VAL_U64:
    putf(o, "%llu", (unsigned long long)v->of.u); break;
  case WEFT_VAL_F32: put_float(o, v->of.f32, 1); break;
  case WEFT_VAL_F64: put_float(o, v->of.f64, 0); break;
  case WEFT_VAL_CHAR:
    put(o, "'", 1);
    if (v->of.ch == '\'' || v->of.ch == '\\') put(o, "\\", 1);
    put_utf8(o, v->of.ch);
    put(o, "'", 1);
    break;
  case WEFT_VAL_STRING:
    put(o, "\"", 1);
    put_strchars(o, v->of.str.ptr, v->of.str.len, '"');
    put(o, "\"", 1);
    break;
  case WEFT_VAL_LIST:
  case WEFT_VAL_TUPLE:
  case WEFT_VAL_RECORD: {
    const char *open = v->kind == WEFT_VAL_LIST ? "[" : v->kind == WEFT_VAL_TUPLE ? "(" : "{";
    const char *close = v->kind == WEFT_VAL_LIST ? "]" : v->kind == WEFT_VAL_TUPLE ? ")" : "}";
    puts_(o, open);
    for (size_t i = 0; i < v->of.seq.n; i++) {
      if (i) puts_(o, ", ");
      weft_type_t et = none_type();
      if (typed) {
        if (v->kind == WEFT_VAL_LIST) et = weft_type_elem(t);
        else if (i < weft_type_field_count(t)) et = weft_type_field_type(t, i);
      }
      if (v->kind == WEFT_VAL_RECORD) { print_name(o, t, i); puts_(o, ": "); }
      print_val(fx, et, &v->of.seq.v[i], o, depth + 1);
    }
    puts_(o, close);
    break;
  }
  case WEFT_VAL_VARIANT:
  case WEFT_VAL_ENUM: {
    uint32_t i = v->of.var.index;
    if (typed && i < weft_type_field_count(t)) print_name(o, t, i);
    else { putf(o, "#%u", i); typed = 0; }
    if (v->kind == WEFT_VAL_VARIANT && v->of.var.payload) {
      puts_(o, "(");
      print_val(fx, typed ? weft_type_field_type(t, i) : none_type(), v->of.var.payload, o, depth + 1);
      puts_(o, ")");
    }
    break;
  }
  case WEFT_VAL_OPTION:
    if (v->of.var.index == 0) { puts_(o, "none"); break; }
    puts_(o, "some(");
    if (v->of.var.payload) print_val(fx, typed ? weft_type_elem(t) : none_type(), v->of.var.payload, o, depth + 1);
    else puts_(o, "<missing payload>");
    puts_(o, ")");
    break;
  case WEFT_VAL_RESULT:
    puts_(o, v->of.var.index == 0 ? "ok" : v->of.var.index == 1 ? "err" : "<bad result index>");
    if (v->of.var.payload) {
      puts_(o, "(");
      weft_type_t pt = none_type();
      if (typed) pt = v->of.var.index == 0 ? weft_type_elem(t) : weft_type_err(t);
      print_val(fx, pt, v->of.var.payload, o, depth + 1);
      puts_(o, ")");
    }
    break;
  case WEFT_VAL_FLAGS: {
    puts_(o, "{");
    int first = 1;
    for (uint32_t i = 0; i < 32; i++) {
      if (!(v->of.flags & (1u << i))) continue;
      if (!first) puts_(o, ", ");
      first = 0;
      if (typed && i < weft_type_field_count(t)) print_name(o, t, i);
      else putf(o, "#%u", i);
    }
    puts_(o, "}");
    break;
  }
  case WEFT_VAL_OWN:
  case WEFT_VAL_BORROW: {
    const char *nm = type_name_of(fx, v->of.res.type);
    puts_(o, v->kind == WEFT_VAL_OWN ? "own<" : "borrow<");
    if (nm) putf(o, "%s:%llu", nm, (unsigned long long)v->of.res.rep);
    else puts_(o, "guest");
    puts_(o, ">");
    break;
  }
  default: putf(o, "<kind %d>", (int)v->kind); break;
  }
}

void fxv_print(fx_t *fx, weft_type_t t, const weft_val_t *v, char *buf, size_t cap) {
  out_t o = {buf, cap, 0};
  if (cap) buf[0] = 0;
  print_val(fx, t, v, &o, 0);
}

void fxv_print_args(fx_t *fx, weft_call_t *call, const weft_val_t *args, size_t nargs, char *buf,
                    size_t cap) {
  out_t o = {buf, cap, 0};
  if (cap) buf[0] = 0;
  size_t np = weft_call_param_count(call);
  puts_(&o, "(");
  for (size_t i = 0; i < nargs; i++) {
    if (i) puts_(&o, ", ");
    print_val(fx, i < np ? weft_call_param_type(call, i) : none_type(), &args[i], &o, 0);
  }
  puts_(&o, ")");
}

/* ------------------------------------------------------------------- copying */

int fxv_copy(weft_arena_t *a, const weft_val_t *src, weft_val_t *dst) {
  *dst = *src;
  switch (src->kind) {
  case WEFT_VAL_STRING:
    if (src->of.str.len) {
      char *p = weft_arena_alloc(a, src->of.str.len);
      if (!p) return -1;
      memcpy(p, src->of.str.ptr, src->of.str.len);
      dst->of.str.ptr = p;
    }
    return 0;
  case WEFT_VAL_LIST: case WEFT_VAL_RECORD: case WEFT_VAL_TUPLE:
    if (src->of.seq.n) {
      if (src->of.seq.n > SIZE_MAX / sizeof(weft_val_t)) return -1;
      weft_val_t *v = weft_arena_alloc(a, src->of.seq.n * sizeof(weft_val_t));
      if (!v) return -1;
      for (size_t i = 0; i < src->of.seq.n; i++)
        if (fxv_copy(a, &src->of.seq.v[i], &v[i])) return -1;
      dst->of.seq.v = v;
    }
    return 0;
  case WEFT_VAL_VARIANT: case WEFT_VAL_OPTION: case WEFT_VAL_RESULT:
    if (src->of.var.payload) {
      weft_val_t *p = weft_arena_alloc(a, sizeof *p);
      if (!p || fxv_copy(a, src->of.var.payload, p)) return -1;
      dst->of.var.payload = p;
    }
    return 0;
  default:
    return 0;
  }
}

/* ------------------------------------------------------------------- parsing */

typedef struct {
  fx_t *fx;
  const char *s, *end, *start;
  weft_arena_t *arena;
  char *err;
  size_t errcap;
} in_t;

static int perr(in_t *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(in_t *in, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(in->err, in->errcap, "at column %d of \"%.*s\": %s", (int)(in->s - in->start) + 1,
           (int)(in->end - in->start), in->start, msg);
  return -1;
}

static void ws(in_t *in) {
  while (in->s < in->end && (*in->s == ' ' || *in->s == '\n' || *in->s == '\t')) in->s++;
}
static int eat(in_t *in, char c) {
  ws(in);
  if (in->s < in->end && *in->s == c) { in->s++; return 1; }
  return 0;
}
static int isident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '%';
}
/* Read a label (kebab-case, optional leading %). */
static size_t ident(in_t *in, const char **p) {
  ws(in);
  *p = in->s;
  while (in->s < in->end && isident(*in->s)) in->s++;
  return (size_t)(in->s - *p);
}
static int find_field(weft_type_t t, const char *nm, size_t n, uint32_t *out) {
  if (n && nm[0] == '%') { nm++; n--; }
  size_t cnt = weft_type_field_count(t);
  for (size_t i = 0; i < cnt; i++) {
    size_t len = 0;
    const char *f = weft_type_field_name(t, i, &len);
    if (f && len == n && memcmp(f, nm, n) == 0) { *out = (uint32_t)i; return 1; }
  }
  return 0;
}

static weft_val_t *alloc_vals(in_t *in, size_t n) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX / sizeof(weft_val_t)) return NULL;
  return weft_arena_alloc(in->arena, n * sizeof(weft_val_t));
}

static int parse_val(in_t *in, weft_type_t t, weft_val_t *out, int depth);

static int parse_utf8(in_t *in, uint32_t *c) {
  const unsigned char *p = (const unsigned char *)in->s;
  size_t left = (size_t)(in->end - in->s);
  if (!left) return perr(in, "unexpected end");
  uint32_t v;
  size_t n;
  if (p[0] < 0x80) { v = p[0]; n = 1; }
  else if ((p[0] & 0xe0) == 0xc0) { v = p[0] & 0x1f; n = 2; }
  else if ((p[0] & 0xf0) == 0xe0) { v = p[0] & 0x0f; n = 3; }
  else if ((p[0] & 0xf8) == 0xf0) { v = p[0] & 0x07; n = 4; }
  else return perr(in, "bad UTF-8");
  if (n > left) return perr(in, "bad UTF-8");
  for (size_t i = 1; i < n; i++) v = (v << 6) | (p[i] & 0x3f);
  in->s += n;
  *c = v;
  return 0;
}

/* One character of a quoted literal (after escapes), as UTF-8 bytes in b. */
static int quoted_char(in_t *in, char *b, size_t *n) {
  uint32_t c;
  if (in->s < in->end && *in->s == '\\') {
    in->s++;
    if (in->s >= in->end) return perr(in, "unfinished escape");
    char e = *in->s++;
    if (e == 'n') c = '\n';
    else if (e == 't') c = '\t';
    else if (e == 'r') c = '\r';
    else if (e == '\\' || e == '\'' || e == '"') c = (uint32_t)e;
    else if (e == 'u') {
      if (!eat(in, '{')) return perr(in, "expected { after \\u");
      char *endp;
      unsigned long v = strtoul(in->s, &endp, 16);
      in->s = endp;
      if (!eat(in, '}')) return perr(in, "expected }");
      c = (uint32_t)v;
    } else return perr(in, "unknown escape \\%c", e);
  } else if (parse_utf8(in, &c)) return -1;
  out_t o = {b, 5, 0};
  put_utf8(&o, c);
  *n = o.len;
  return 0;
}

static int parse_num(in_t *in, weft_vkind_t k, weft_val_t *out) {
  ws(in);
  char tmp[64];
  size_t n = 0;
  while (in->s + n < in->end && n < sizeof tmp - 1 &&
         (isident(in->s[n]) || in->s[n] == '.' || in->s[n] == '+'))
    n++;
  memcpy(tmp, in->s, n);
  tmp[n] = 0;
  if (!n) return perr(in, "expected a number");
  out->kind = k;
  if (k == WEFT_VAL_F32 || k == WEFT_VAL_F64) {
    double d;
    if (!strcmp(tmp, "nan")) d = NAN;
    else if (!strcmp(tmp, "inf")) d = INFINITY;
    else if (!strcmp(tmp, "-inf")) d = -INFINITY;
    else {
      char *e;
      d = strtod(tmp, &e);
      if (*e) return perr(in, "bad float '%s'", tmp);
    }
    if (k == WEFT_VAL_F32) out->of.f32 = (float)d;
    else out->of.f64 = d;
  } else {
    char *e;
    int is_signed = k == WEFT_VAL_S8 || k == WEFT_VAL_S16 || k == WEFT_VAL_S32 || k == WEFT_VAL_S64;
    if (is_signed) {
      long long v = strtoll(tmp, &e, 10);
      if (*e) return perr(in, "bad integer '%s'", tmp);
      int bits = k == WEFT_VAL_S8 ? 8 : k == WEFT_VAL_S16 ? 16 : k == WEFT_VAL_S32 ? 32 : 64;
      if (bits < 64 && (v < -(1LL << (bits - 1)) || v >= (1LL << (bits - 1))))
        return perr(in, "%s out of range", tmp);
      out->of.s = v;
    } else {
      if (tmp[0] == '-') return perr(in, "negative unsigned '%s'", tmp);
      unsigned long long v = strtoull(tmp, &e, 10);
      if (*e) return perr(in, "bad integer '%s'", tmp);
      int bits = k == WEFT_VAL_U8 ? 8 : k == WEFT_VAL_U16 ? 16 : k == WEFT_VAL_U32 ? 32 : 64;
      if (bits < 64 && v >= (1ULL << bits)) return perr(in, "%s out of range", tmp);
      out->of.u = v;
    }
  }
  in->s += n;
  return 0;
}

static int parse_payload(in_t *in, weft_type_t pt, weft_val_t *out, int depth, int required) {
  out->of.var.payload = NULL;
  if (pt.table == NULL || weft_type_is_none(pt)) {
    if (eat(in, '(')) return perr(in, "this case has no payload");
    return 0;
  }
  if (!eat(in, '(')) return required ? perr(in, "expected ( payload )") : 0;
  weft_val_t *p = alloc_vals(in, 1);
  if (!p) return perr(in, "out of memory");
  if (parse_val(in, pt, p, depth + 1)) return -1;
  if (!eat(in, ')')) return perr(in, "expected )");
  out->of.var.payload = p;
  return 0;
}

static int parse_val(in_t *in, weft_type_t t, weft_val_t *out, int depth) {
  if (depth > 64) return perr(in, "too deep");
  weft_vkind_t k = weft_type_kind(t);
  memset(out, 0, sizeof *out);
  out->kind = k;
  ws(in);
  switch (k) {
  case WEFT_VAL_BOOL: {
    const char *p;
    size_t n = ident(in, &p);
    if (n == 4 && !memcmp(p, "true", 4)) out->of.b = 1;
    else if (n == 5 && !memcmp(p, "false", 5)) out->of.b = 0;
    else return perr(in, "expected true or false");
    return 0;
  }
  case WEFT_VAL_S8: case WEFT_VAL_U8: case WEFT_VAL_S16: case WEFT_VAL_U16: case WEFT_VAL_S32:
  case WEFT_VAL_U32: case WEFT_VAL_S64: case WEFT_VAL_U64: case WEFT_VAL_F32: case WEFT_VAL_F64:
    return parse_num(in, k, out);
  case WEFT_VAL_CHAR: {
    if (!eat(in, '\'')) return perr(in, "expected a char literal");
    const char *at = in->s;
    char b[5];
    size_t n;
    if (quoted_char(in, b, &n)) return -1;
    in_t tmp = *in;
    tmp.s = b;
    tmp.end = b + n;
    (void)at;
    if (parse_utf8(&tmp, &out->of.ch)) return -1;
    if (!eat(in, '\'')) return perr(in, "expected '");
    return 0;
  }
  case WEFT_VAL_STRING: {
    if (!eat(in, '"')) return perr(in, "expected a string literal");
    size_t cap = (size_t)(in->end - in->s) * 4 + 1;
    char *buf = weft_arena_alloc(in->arena, cap);
    if (!buf) return perr(in, "out of memory");
    size_t len = 0;
    while (in->s < in->end && *in->s != '"') {
      size_t n;
      if (quoted_char(in, buf + len, &n)) return -1;
      len += n;
    }
    if (!eat(in, '"')) return perr(in, "unterminated string");
    out->of.str.ptr = buf;
    out->of.str.len = len;
    return 0;
  }
  case WEFT_VAL_LIST:
  case WEFT_VAL_TUPLE: {
    char open = k == WEFT_VAL_LIST ? '[' : '(', close = k == WEFT_VAL_LIST ? ']' : ')';
    if (!eat(in, open)) return perr(in, "expected %c", open);
    size_t cap = 8, n = 0;
    if (k == WEFT_VAL_TUPLE) cap = weft_type_field_count(t);
    weft_val_t *v = alloc_vals(in, cap);
    if (!v) return perr(in, "out of memory");
    while (!eat(in, close)) {
      if (n && !eat(in, ',')) return perr(in, "expected , or %c", close);
      if (eat(in, close)) break;
      if (n == cap) {
        if (k == WEFT_VAL_TUPLE) return perr(in, "too many tuple members");
        weft_val_t *nv = alloc_vals(in, cap * 2);
        if (!nv) return perr(in, "out of memory");
        memcpy(nv, v, n * sizeof *v);
        v = nv;
        cap *= 2;
      }
      weft_type_t et = k == WEFT_VAL_LIST ? weft_type_elem(t) : weft_type_field_type(t, n);
      if (parse_val(in, et, &v[n], depth + 1)) return -1;
      n++;
    }
    if (k == WEFT_VAL_TUPLE && n != cap) return perr(in, "tuple needs %zu members", cap);
    out->of.seq.v = v;
    out->of.seq.n = n;
    return 0;
  }
  case WEFT_VAL_RECORD: {
    size_t cnt = weft_type_field_count(t);
    weft_val_t *v = alloc_vals(in, cnt);
    char seen[64] = {0};
    if (!v || cnt > 64) return perr(in, "record too large");
    if (!eat(in, '{')) return perr(in, "expected {");
    size_t n = 0;
    while (!eat(in, '}')) {
      if (n && !eat(in, ',')) return perr(in, "expected , or }");
      if (eat(in, '}')) break;
      const char *nm;
      size_t len = ident(in, &nm);
      uint32_t fi;
      if (!find_field(t, nm, len, &fi)) return perr(in, "no field '%.*s'", (int)len, nm);
      if (!eat(in, ':')) return perr(in, "expected :");
      if (parse_val(in, weft_type_field_type(t, fi), &v[fi], depth + 1)) return -1;
      seen[fi] = 1;
      n++;
    }
    for (size_t i = 0; i < cnt; i++)
      if (!seen[i]) {
        size_t len = 0;
        const char *f = weft_type_field_name(t, i, &len);
        return perr(in, "field '%.*s' missing", (int)len, f ? f : "?");
      }
    out->of.seq.v = v;
    out->of.seq.n = cnt;
    return 0;
  }
  case WEFT_VAL_VARIANT:
  case WEFT_VAL_ENUM: {
    const char *nm;
    size_t len = ident(in, &nm);
    uint32_t fi;
    if (!find_field(t, nm, len, &fi)) return perr(in, "no case '%.*s'", (int)len, nm);
    out->of.var.index = fi;
    if (k == WEFT_VAL_ENUM) return 0;
    return parse_payload(in, weft_type_field_type(t, fi), out, depth, 1);
  }
  case WEFT_VAL_OPTION: {
    const char *nm;
    size_t len = ident(in, &nm);
    if (len == 4 && !memcmp(nm, "none", 4)) { out->of.var.index = 0; return 0; }
    if (len != 4 || memcmp(nm, "some", 4)) return perr(in, "expected some(...) or none");
    out->of.var.index = 1;
    return parse_payload(in, weft_type_elem(t), out, depth, 1);
  }
  case WEFT_VAL_RESULT: {
    const char *nm;
    size_t len = ident(in, &nm);
    if (len == 2 && !memcmp(nm, "ok", 2)) out->of.var.index = 0;
    else if (len == 3 && !memcmp(nm, "err", 3)) out->of.var.index = 1;
    else return perr(in, "expected ok or err");
    return parse_payload(in, out->of.var.index ? weft_type_err(t) : weft_type_elem(t), out, depth, 1);
  }
  case WEFT_VAL_FLAGS: {
    if (!eat(in, '{')) return perr(in, "expected {");
    uint32_t bits = 0;
    size_t n = 0;
    while (!eat(in, '}')) {
      if (n && !eat(in, ',')) return perr(in, "expected , or }");
      const char *nm;
      size_t len = ident(in, &nm);
      uint32_t fi;
      if (!find_field(t, nm, len, &fi) || fi >= 32) return perr(in, "no flag '%.*s'", (int)len, nm);
      bits |= 1u << fi;
      n++;
    }
    out->of.flags = bits;
    return 0;
  }
  case WEFT_VAL_OWN:
  case WEFT_VAL_BORROW: {
    if (!eat(in, '$')) return perr(in, "expected $SLOT for a resource");
    char *e;
    long i = strtol(in->s, &e, 10);
    if (e == in->s || i < 0 || i >= FX_SLOTS) return perr(in, "bad slot");
    in->s = e;
    const weft_val_t *sv = &in->fx->slots[i];
    if (sv->kind != WEFT_VAL_OWN && sv->kind != WEFT_VAL_BORROW) return perr(in, "slot $%ld is empty", i);
    *out = *sv;
    out->kind = k;
    return 0;
  }
  default:
    return perr(in, "cannot write a %s value", weft_vkind_name(k));
  }
}

int fxv_parse(fx_t *fx, weft_type_t t, const char *text, weft_arena_t *arena, weft_val_t *out,
              char *err, size_t errcap) {
  in_t in = {fx, text, text + strlen(text), text, arena, err, errcap};
  if (parse_val(&in, t, out, 0)) return -1;
  ws(&in);
  if (in.s != in.end) return perr(&in, "trailing text");
  return 0;
}

int fxv_parse_args(fx_t *fx, const weft_type_t *types, size_t n, const char *text,
                   weft_arena_t *arena, weft_val_t *out, char *err, size_t errcap) {
  in_t in = {fx, text, text + strlen(text), text, arena, err, errcap};
  if (!eat(&in, '(')) return perr(&in, "expected ( arguments )");
  for (size_t i = 0; i < n; i++) {
    if (i && !eat(&in, ',')) return perr(&in, "expected , (the function takes %zu arguments)", n);
    if (parse_val(&in, types[i], &out[i], 0)) return -1;
  }
  if (!eat(&in, ')')) return perr(&in, "expected ) (the function takes %zu arguments)", n);
  ws(&in);
  if (in.s != in.end) return perr(&in, "trailing text");
  return 0;
}
