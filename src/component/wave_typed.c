/* Typed WAVE: component values (weft_val_t) read from and written as WAVE
 * text against component types. Parsing is two steps: the untyped parser
 * (wave.h) makes a syntax tree, then conv() checks it against the type and
 * builds the value; printing walks the value along its type.
 *
 * Follows wasm-tools' wasm-wave: options and results may be written "flat"
 * (a bare payload means some(x) / ok(x)) unless the payload is itself an
 * option or result; record fields may come in any order and option-typed
 * fields may be left out (= none); trailing option arguments of a call may be
 * left out. Printing is what wasmtime prints: `some(..)` always explicit,
 * none-valued record fields left out (`{:}` when nothing is left), floats in
 * shortest round-trip positional notation, `%` before keyword case names.
 *
 * `{:}` (an empty record) is turned into `{}` before the untyped parser
 * sees it, so `{}` is accepted too for a record whose fields are all
 * options (and `{:}` for empty flags). Resources cannot be written
 * (they have no WAVE syntax); printing one gives `<own resource>` text that
 * does not read back. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../util/utf8.h"

#include "crt.h"
#include "wave.h"

/* ---- errors ------------------------------------------------------------------ */

static void err_set(weft_error_t *err, weft_status_t st, int64_t off, const char *msg) {
  if (!err) return;
  err->status = st;
  err->trap = WEFT_TRAP_NONE;
  err->offset = off;
  snprintf(err->message, sizeof err->message, "%s", msg);
  err->backtrace[0] = 0;
}

static void err_ok(weft_error_t *err) {
  if (err) err_set(err, WEFT_OK, -1, "");
}

/* Sorted names of a type with many fields/cases, so that looking up each
 * label of a long list is O(log n) (made on first use, per parse). */
typedef struct name_index {
  struct name_index *next;
  wf_ctid_t type;
  uint32_t *order;        /* field indices sorted by name */
} name_index_t;

typedef struct {
  const wf_ctypes_t *ts;
  wf_arena_t *arena;
  const char *text;
  size_t len;
  weft_error_t *err;
  bool failed;
  name_index_t *indexes;
} conv_t;

static void conv_fini(conv_t *c) {
  while (c->indexes) {
    name_index_t *n = c->indexes->next;
    free(c->indexes->order);
    free(c->indexes);
    c->indexes = n;
  }
}

/* "col C: ..." (or "line L, col C: ...") like the untyped parser's errors. */
static bool cerr(conv_t *c, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool cerr(conv_t *c, size_t at, const char *fmt, ...) {
  if (c->failed) return false;
  c->failed = true;
  size_t line = 1, col = 1;
  if (at > c->len) at = c->len;
  for (size_t i = 0; i < at; i++) {
    if (c->text[i] == '\n') { line++; col = 1; }
    else col++;
  }
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  char msg[512];
  if (line > 1) snprintf(msg, sizeof msg, "line %zu, col %zu: %s", line, col, what);
  else snprintf(msg, sizeof msg, "col %zu: %s", col, what);
  err_set(c->err, WEFT_ERR_INVALID, (int64_t)at, msg);
  return false;
}

/* ---- describing types and syntax for messages ---------------------------------- */

static void type_text(const wf_ctypes_t *ts, wf_ctid_t id, char *buf, size_t cap) {
  weft_type_t t = {ts, id};
  weft_type_format(t, buf, cap);
  /* Long named types: the kind is enough. */
  if (strlen(buf) > 60) {
    const char *k = weft_vkind_name(weft_type_kind(t));
    snprintf(buf, cap, "%s", k);
  }
}

static void found_text(const wf_wave_node_t *n, char *buf, size_t cap) {
  switch (n->kind) {
  case WF_WAVE_BOOL: snprintf(buf, cap, "%s", n->b ? "true" : "false"); break;
  case WF_WAVE_NUMBER: snprintf(buf, cap, "%.40s", n->text ? n->text : "a number"); break;
  case WF_WAVE_CHAR: snprintf(buf, cap, "a char"); break;
  case WF_WAVE_STRING: snprintf(buf, cap, "a string"); break;
  case WF_WAVE_LIST: snprintf(buf, cap, "a list"); break;
  case WF_WAVE_TUPLE: snprintf(buf, cap, "a tuple"); break;
  case WF_WAVE_RECORD: snprintf(buf, cap, "a record"); break;
  case WF_WAVE_FLAGS: snprintf(buf, cap, "flags"); break;
  case WF_WAVE_EMPTY_BRACES: snprintf(buf, cap, "{}"); break;
  case WF_WAVE_LABEL: snprintf(buf, cap, "%s%.60s", n->escaped ? "%" : "", n->text ? n->text : ""); break;
  case WF_WAVE_CASE: snprintf(buf, cap, "%s%.60s(...)", n->escaped ? "%" : "", n->text ? n->text : ""); break;
  default: snprintf(buf, cap, "a value"); break;
  }
}

static bool mismatch(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n) {
  char want[80], got[80];
  type_text(c->ts, t, want, sizeof want);
  found_text(n, got, sizeof got);
  return cerr(c, n->offset, "expected %s, found %s", want, got);
}

/* ---- syntax tree -> value ------------------------------------------------------ */

static bool conv(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out, unsigned depth);

static weft_val_t *alloc_vals(conv_t *c, size_t count, size_t at) {
  if (count == 0) return NULL;
  if (count > SIZE_MAX / sizeof(weft_val_t)) { cerr(c, at, "too many values"); return NULL; }
  weft_val_t *v = wf_arena_alloc(c->arena, count * sizeof(weft_val_t));
  if (!v) cerr(c, at, "out of memory");
  return v;
}

static bool is_label(const wf_wave_node_t *n, const char *name) {
  return (n->kind == WF_WAVE_LABEL || n->kind == WF_WAVE_CASE) && !n->escaped && n->text &&
         !strcmp(n->text, name);
}

static int name_cmp(const char *a, size_t al, const char *b, size_t bl) {
  int r = memcmp(a, b, al < bl ? al : bl);
  return r ? r : (al < bl ? -1 : al > bl);
}

static int order_cmp(const void *x, const void *y, void *ctx) {
  const wf_ctype_t *t = ctx;
  const wf_cfield_t *a = &t->fields[*(const uint32_t *)x], *b = &t->fields[*(const uint32_t *)y];
  return name_cmp(a->name, a->name_len, b->name, b->name_len);
}

/* Index of field `name` (NUL-terminated) of type id t, trying `hint` first;
 * types with many names are searched through a sorted index. */
static bool find_field(conv_t *c, wf_ctid_t id, const char *name, size_t hint, uint32_t *idx) {
  const wf_ctype_t *t = &c->ts->v[id];
  size_t len = strlen(name);
  if (hint < t->n && t->fields[hint].name_len == len && !memcmp(t->fields[hint].name, name, len)) {
    *idx = (uint32_t)hint;
    return true;
  }
  name_index_t *ni = NULL;
  if (t->n > 16) {
    ni = c->indexes;
    while (ni && ni->type != id) ni = ni->next;
    if (!ni && (ni = calloc(1, sizeof *ni)) != NULL) {
      ni->order = malloc((size_t)t->n * sizeof *ni->order);
      if (!ni->order) {
        free(ni);
        ni = NULL;
      } else {
        for (uint32_t i = 0; i < t->n; i++) ni->order[i] = i;
        qsort_r(ni->order, t->n, sizeof *ni->order, order_cmp, (void *)t);
        ni->type = id;
        ni->next = c->indexes;
        c->indexes = ni;
      }
    }
  }
  if (!ni) {   /* few names (or no memory for an index): a linear search */
    for (uint32_t i = 0; i < t->n; i++)
      if (t->fields[i].name_len == len && !memcmp(t->fields[i].name, name, len)) {
        *idx = i;
        return true;
      }
    return false;
  }
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const wf_cfield_t *f = &t->fields[ni->order[mid]];
    int r = name_cmp(f->name, f->name_len, name, len);
    if (r == 0) {
      *idx = ni->order[mid];
      return true;
    }
    if (r < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

static bool is_opt_or_result(const wf_ctypes_t *ts, wf_ctid_t t) {
  uint8_t k = ts->v[t].kind;
  return k == WF_CT_OPTION || k == WF_CT_RESULT;
}

static bool conv_int(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out) {
  static const struct { weft_vkind_t k; bool sign; unsigned bits; } info[] = {
      [WF_CT_S8] = {WEFT_VAL_S8, true, 8},     [WF_CT_U8] = {WEFT_VAL_U8, false, 8},
      [WF_CT_S16] = {WEFT_VAL_S16, true, 16},  [WF_CT_U16] = {WEFT_VAL_U16, false, 16},
      [WF_CT_S32] = {WEFT_VAL_S32, true, 32},  [WF_CT_U32] = {WEFT_VAL_U32, false, 32},
      [WF_CT_S64] = {WEFT_VAL_S64, true, 64},  [WF_CT_U64] = {WEFT_VAL_U64, false, 64},
  };
  uint8_t k = c->ts->v[t].kind;
  if (n->kind != WF_WAVE_NUMBER || n->is_float || !n->text || !n->text_len) return mismatch(c, t, n);
  const char *p = n->text;
  bool neg = *p == '-';
  if (neg) p++;
  uint64_t mag = 0;
  bool big = false;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') return mismatch(c, t, n);
    unsigned d = (unsigned)(*p - '0');
    if (mag > (UINT64_MAX - d) / 10) big = true;
    else mag = mag * 10 + d;
  }
  unsigned bits = info[k].bits;
  uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
  uint64_t pmax = (UINT64_C(1) << (bits - 1)) - 1;   /* largest positive signed */
  bool ok;
  if (!info[k].sign) ok = !neg && !big && mag <= umax;
  else ok = !big && (neg ? mag <= pmax + 1 : mag <= pmax);
  if (!ok) {
    char want[16];
    type_text(c->ts, t, want, sizeof want);
    return cerr(c, n->offset, "expected %s, found %.40s (out of range)", want, n->text);
  }
  out->kind = info[k].k;
  if (info[k].sign) out->of.s = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  else out->of.u = mag;
  return true;
}

static bool conv_float(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out) {
  bool f32 = c->ts->v[t].kind == WF_CT_F32;
  if (n->kind != WF_WAVE_NUMBER || !n->text) return mismatch(c, t, n);
  double d;
  float f;
  if (!strcmp(n->text, "nan")) { d = NAN; f = NAN; }
  else if (!strcmp(n->text, "inf")) { d = INFINITY; f = INFINITY; }
  else if (!strcmp(n->text, "-inf")) { d = -INFINITY; f = -INFINITY; }
  else {
    /* The untyped parser checked the JSON-number syntax; out-of-range
     * magnitudes round to infinity or zero, as in wasm-wave. */
    d = strtod(n->text, NULL);
    f = strtof(n->text, NULL);
  }
  if (f32) { out->kind = WEFT_VAL_F32; out->of.f32 = f; }
  else { out->kind = WEFT_VAL_F64; out->of.f64 = d; }
  return true;
}

static bool conv_record(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out, unsigned depth) {
  const wf_ctype_t *ty = &c->ts->v[t];
  if (n->kind == WF_WAVE_EMPTY_BRACES) {
    /* `{}` for a record whose fields are all options (wasm-wave's `{:}`). */
    for (uint32_t i = 0; i < ty->n; i++)
      if (c->ts->v[ty->fields[i].type].kind != WF_CT_OPTION)
        return cerr(c, n->offset, "expected a record, found {} (field `%.*s` is required)",
                    (int)ty->fields[i].name_len, ty->fields[i].name);
  } else if (n->kind != WF_WAVE_RECORD) {
    return mismatch(c, t, n);
  }
  weft_val_t *v = alloc_vals(c, ty->n, n->offset);
  if (!v && ty->n) return false;
  bool *seen = ty->n ? calloc(ty->n, sizeof *seen) : NULL;
  if (ty->n && !seen) return cerr(c, n->offset, "out of memory");
  bool ok = true;
  for (size_t i = 0; ok && i < n->n; i++) {
    uint32_t fi;
    const wf_wave_node_t *item = n->items[i];
    if (!find_field(c, t, n->names[i], i, &fi)) {
      ok = cerr(c, item->offset, "record has no field `%.60s`", n->names[i]);
      break;
    }
    if (seen[fi]) {
      ok = cerr(c, item->offset, "duplicate field `%.60s`", n->names[i]);
      break;
    }
    seen[fi] = true;
    ok = conv(c, ty->fields[fi].type, item, &v[fi], depth + 1);
  }
  for (uint32_t i = 0; ok && i < ty->n; i++) {
    if (seen[i]) continue;
    if (c->ts->v[ty->fields[i].type].kind != WF_CT_OPTION) {
      ok = cerr(c, n->offset, "missing field `%.*s`", (int)ty->fields[i].name_len, ty->fields[i].name);
      break;
    }
    v[i].kind = WEFT_VAL_OPTION;
    v[i].of.var.index = 0;
    v[i].of.var.payload = NULL;
  }
  free(seen);
  if (!ok) return false;
  out->kind = WEFT_VAL_RECORD;
  out->of.seq.v = v;
  out->of.seq.n = ty->n;
  return true;
}

static bool conv_seq(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out, unsigned depth) {
  const wf_ctype_t *ty = &c->ts->v[t];
  bool list = ty->kind == WF_CT_LIST;
  if (n->kind != (list ? WF_WAVE_LIST : WF_WAVE_TUPLE)) return mismatch(c, t, n);
  if (!list && n->n != ty->n)
    return cerr(c, n->offset, "expected a tuple of %u values, found %zu", ty->n, n->n);
  weft_val_t *v = alloc_vals(c, n->n, n->offset);
  if (!v && n->n) return false;
  for (size_t i = 0; i < n->n; i++)
    if (!conv(c, list ? ty->t1 : ty->fields[i].type, n->items[i], &v[i], depth + 1)) return false;
  out->kind = list ? WEFT_VAL_LIST : WEFT_VAL_TUPLE;
  out->of.seq.v = v;
  out->of.seq.n = n->n;
  return true;
}

/* A payload value in the arena (NULL type: none). */
static bool conv_payload(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t **out, unsigned depth) {
  *out = alloc_vals(c, 1, n->offset);
  if (!*out) return false;
  return conv(c, t, n, *out, depth + 1);
}

static bool conv_variant(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out, unsigned depth) {
  const wf_ctype_t *ty = &c->ts->v[t];
  bool is_enum = ty->kind == WF_CT_ENUM;
  if (n->kind != WF_WAVE_LABEL && !(n->kind == WF_WAVE_CASE && !is_enum)) return mismatch(c, t, n);
  uint32_t ci;
  if (!find_field(c, t, n->text, SIZE_MAX, &ci)) {
    char want[80];
    type_text(c->ts, t, want, sizeof want);
    return cerr(c, n->offset, "%s has no case `%.60s`", want, n->text);
  }
  out->kind = is_enum ? WEFT_VAL_ENUM : WEFT_VAL_VARIANT;
  out->of.var.index = ci;
  out->of.var.payload = NULL;
  wf_ctid_t pt = is_enum ? WF_CTID_NONE : ty->fields[ci].type;
  if (n->kind == WF_WAVE_LABEL) {
    if (pt) return cerr(c, n->offset, "case `%.60s` needs a payload: %s(...)", n->text, n->text);
    return true;
  }
  if (!pt) return cerr(c, n->offset, "case `%.60s` has no payload: write it without (...)", n->text);
  return conv_payload(c, pt, n->items[0], &out->of.var.payload, depth);
}

static bool conv_option(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out, unsigned depth) {
  const wf_ctype_t *ty = &c->ts->v[t];
  out->kind = WEFT_VAL_OPTION;
  out->of.var.payload = NULL;
  if (n->kind == WF_WAVE_LABEL && is_label(n, "none")) { out->of.var.index = 0; return true; }
  if (n->kind == WF_WAVE_CASE && is_label(n, "some")) {
    out->of.var.index = 1;
    return conv_payload(c, ty->t1, n->items[0], &out->of.var.payload, depth);
  }
  if (is_opt_or_result(c->ts, ty->t1)) return mismatch(c, t, n);
  out->of.var.index = 1;   /* flat some */
  return conv_payload(c, ty->t1, n, &out->of.var.payload, depth);
}

static bool conv_result(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out, unsigned depth) {
  const wf_ctype_t *ty = &c->ts->v[t];
  out->kind = WEFT_VAL_RESULT;
  out->of.var.payload = NULL;
  bool ok = is_label(n, "ok"), er = is_label(n, "err");
  if (ok || er) {
    wf_ctid_t pt = ok ? ty->t1 : ty->t2;
    out->of.var.index = ok ? 0 : 1;
    if (n->kind == WF_WAVE_LABEL) {
      if (pt) return cerr(c, n->offset, "%s needs a payload: %s(...)", n->text, n->text);
      return true;
    }
    if (!pt) return cerr(c, n->offset, "%s has no payload in this result type", n->text);
    return conv_payload(c, pt, n->items[0], &out->of.var.payload, depth);
  }
  if (!ty->t1 || is_opt_or_result(c->ts, ty->t1)) return mismatch(c, t, n);
  out->of.var.index = 0;   /* flat ok */
  return conv_payload(c, ty->t1, n, &out->of.var.payload, depth);
}

static bool conv_flags(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out) {
  out->kind = WEFT_VAL_FLAGS;
  out->of.flags = 0;
  if (n->kind == WF_WAVE_EMPTY_BRACES) return true;
  if (n->kind != WF_WAVE_FLAGS) return mismatch(c, t, n);
  for (size_t i = 0; i < n->n; i++) {
    uint32_t fi;
    if (!find_field(c, t, n->names[i], i, &fi) || fi >= 32)
      return cerr(c, n->offset, "flags have no flag `%.60s`", n->names[i]);
    if (out->of.flags & (UINT32_C(1) << fi))
      return cerr(c, n->offset, "duplicate flag `%.60s`", n->names[i]);
    out->of.flags |= UINT32_C(1) << fi;
  }
  return true;
}

static bool conv(conv_t *c, wf_ctid_t t, const wf_wave_node_t *n, weft_val_t *out, unsigned depth) {
  memset(out, 0, sizeof *out);
  if (t == WF_CTID_NONE || t >= c->ts->n) return cerr(c, n->offset, "no type for this value");
  if (depth > WF_CMAX_TYPE_DEPTH) return cerr(c, n->offset, "value nested too deeply");
  uint8_t k = c->ts->v[t].kind;
  switch (k) {
  case WF_CT_BOOL:
    if (n->kind != WF_WAVE_BOOL) return mismatch(c, t, n);
    out->kind = WEFT_VAL_BOOL;
    out->of.b = n->b ? 1 : 0;
    return true;
  case WF_CT_S8: case WF_CT_U8: case WF_CT_S16: case WF_CT_U16:
  case WF_CT_S32: case WF_CT_U32: case WF_CT_S64: case WF_CT_U64:
    return conv_int(c, t, n, out);
  case WF_CT_F32: case WF_CT_F64:
    return conv_float(c, t, n, out);
  case WF_CT_CHAR:
    if (n->kind != WF_WAVE_CHAR) return mismatch(c, t, n);
    out->kind = WEFT_VAL_CHAR;
    out->of.ch = n->ch;
    return true;
  case WF_CT_STRING: {
    if (n->kind != WF_WAVE_STRING) return mismatch(c, t, n);
    char *s = wf_arena_alloc(c->arena, n->text_len + 1);
    if (!s) return cerr(c, n->offset, "out of memory");
    if (n->text_len) memcpy(s, n->text, n->text_len);
    out->kind = WEFT_VAL_STRING;
    out->of.str.ptr = s;
    out->of.str.len = n->text_len;
    return true;
  }
  case WF_CT_LIST: case WF_CT_TUPLE: return conv_seq(c, t, n, out, depth);
  case WF_CT_RECORD: return conv_record(c, t, n, out, depth);
  case WF_CT_VARIANT: case WF_CT_ENUM: return conv_variant(c, t, n, out, depth);
  case WF_CT_OPTION: return conv_option(c, t, n, out, depth);
  case WF_CT_RESULT: return conv_result(c, t, n, out, depth);
  case WF_CT_FLAGS: return conv_flags(c, t, n, out);
  case WF_CT_OWN: case WF_CT_BORROW:
    return cerr(c, n->offset, "resource handles cannot be written in WAVE");
  default: {
    char want[80];
    type_text(c->ts, t, want, sizeof want);
    return cerr(c, n->offset, "values of type %s are not supported", want);
  }
  }
}

/* wasm-wave writes an empty record (all fields none) as `{:}`, which the
 * untyped parser does not read: in a copy of the text, each `{:}` outside
 * strings, chars and comments becomes `{ }` (same offsets, so columns in
 * messages stay right), and conv_record takes `{}` for such records. An
 * `iface#` prefix before a call's '(' is blanked out the same way when
 * `call` is set. Returns a malloc'd copy, or NULL on OOM. */
static char *prepare(const char *text, size_t len, bool call) {
  char *s = malloc(len ? len : 1);
  if (!s) return NULL;
  if (len) memcpy(s, text, len);
  if (call) {
    for (size_t i = 0; i < len && s[i] != '('; i++)
      if (s[i] == '#') {
        memset(s, ' ', i + 1);
        break;
      }
  }
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '/' && i + 1 < len && s[i + 1] == '/') {
      while (i < len && s[i] != '\n') i++;
    } else if (c == '"' || c == '\'') {
      bool triple = c == '"' && i + 2 < len && s[i + 1] == '"' && s[i + 2] == '"';
      i += triple ? 3 : 1;
      while (i < len) {
        if (s[i] == '\\') { i += 2; continue; }
        if (s[i] == c && (!triple || (i + 2 < len && s[i + 1] == '"' && s[i + 2] == '"'))) {
          if (triple) i += 2;
          break;
        }
        i++;
      }
    } else if (c == '{') {
      size_t j = i + 1;
      while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) j++;
      if (j < len && s[j] == ':') {
        size_t k = j + 1;
        while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')) k++;
        if (k < len && s[k] == '}') s[j] = ' ';
      }
    }
  }
  return s;
}

/* Moves a failed untyped parse's error into err. */
static weft_status_t untyped_err(weft_error_t *err, const wf_error_t *e) {
  err_set(err, WEFT_ERR_INVALID, e->has_offset ? (int64_t)e->offset : -1,
          e->failed ? e->msg : "invalid WAVE text");
  return WEFT_ERR_INVALID;
}

weft_status_t weft_wave_parse(weft_type_t t, const char *text, size_t len, weft_arena_t *arena,
                              weft_val_t *out, weft_error_t *err) {
  const wf_ctypes_t *ts = t.table;
  if (!ts || t.id == WF_CTID_NONE || t.id >= ts->n || !arena || !out || (!text && len)) {
    err_set(err, WEFT_ERR_ARG, -1, "weft_wave_parse: no type, arena, text or output");
    return WEFT_ERR_ARG;
  }
  memset(out, 0, sizeof *out);
  wf_error_t e;
  wf_error_clear(&e);
  char *copy = prepare(text ? text : "", len, false);
  if (!copy) {
    err_set(err, WEFT_ERR_NOMEM, -1, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  wf_wave_node_t *n = wf_wave_parse_value(copy, len, &e);
  free(copy);
  if (!n) return untyped_err(err, &e);
  conv_t c = {ts, arena, text, len, err, false, NULL};
  bool ok = conv(&c, t.id, n, out, 0);
  conv_fini(&c);
  wf_wave_free(n);
  if (!ok) return err ? err->status : WEFT_ERR_INVALID;
  err_ok(err);
  return WEFT_OK;
}

weft_status_t weft_wave_parse_call(const weft_cfunc_t *f, const char *text, size_t len,
                                   weft_arena_t *arena, weft_val_t *args, size_t *nargs,
                                   weft_error_t *err) {
  if (!f || !f->inst || !f->inst->comp || !arena || !nargs || (!text && len) || (!args && *nargs)) {
    err_set(err, WEFT_ERR_ARG, -1, "weft_wave_parse_call: no function, arena, text or argument array");
    return WEFT_ERR_ARG;
  }
  const wf_ctypes_t *ts = f->inst->comp->types;
  const wf_ctype_t *ft = &ts->v[f->type];
  if (*nargs < ft->n) {
    char msg[128];
    snprintf(msg, sizeof msg, "weft_wave_parse_call: room for %zu arguments, the function takes %u",
             *nargs, ft->n);
    err_set(err, WEFT_ERR_ARG, -1, msg);
    return WEFT_ERR_ARG;
  }
  char *copy = prepare(text ? text : "", len, true);
  if (!copy) {
    err_set(err, WEFT_ERR_NOMEM, -1, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  wf_error_t e;
  wf_error_clear(&e);
  wf_wave_call_t *call = wf_wave_parse_call(copy, len, &e);
  free(copy);
  if (!call) return untyped_err(err, &e);
  conv_t c = {ts, arena, text, len, err, false, NULL};
  bool ok = true;
  if (call->nargs > ft->n) {
    ok = cerr(&c, call->args[ft->n]->offset, "too many arguments: %s takes %u", call->name, ft->n);
  }
  for (size_t i = 0; ok && i < ft->n; i++) {
    const wf_cfield_t *p = &ft->fields[i];
    if (i < call->nargs) {
      ok = conv(&c, p->type, call->args[i], &args[i], 0);
      continue;
    }
    /* Missing trailing arguments are fine when they are options (none). */
    if (ts->v[p->type].kind == WF_CT_OPTION) {
      memset(&args[i], 0, sizeof args[i]);
      args[i].kind = WEFT_VAL_OPTION;
      continue;
    }
    char want[80];
    type_text(ts, p->type, want, sizeof want);
    ok = cerr(&c, len, "missing argument `%.*s` (%s): %s takes %u", (int)p->name_len, p->name, want,
              call->name, ft->n);
  }
  conv_fini(&c);
  wf_wave_call_free(call);
  if (!ok) return err ? err->status : WEFT_ERR_INVALID;
  *nargs = ft->n;
  err_ok(err);
  return WEFT_OK;
}

/* ---- value -> text ----------------------------------------------------------------- */

typedef struct {
  char *buf;
  size_t cap, len;   /* len counts everything, even what did not fit */
} pout_t;

static void put(pout_t *o, const char *s, size_t n) {
  if (o->len < o->cap) {
    size_t room = o->cap - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void puts_(pout_t *o, const char *s) { put(o, s, strlen(s)); }

/* Shortest digits that read back to the same float, written positionally
 * (no exponent), as Rust's Display does: 1e21 -> "1000000000000000000000". */
static void put_float(pout_t *o, double d, bool f32) {
  if (isnan(d)) { puts_(o, "nan"); return; }
  if (isinf(d)) { puts_(o, d < 0 ? "-inf" : "inf"); return; }
  char tmp[64];
  for (int prec = 0; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec, d);
    if (f32 ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d) break;
  }
  /* tmp = [-]D[.DDD]e[+-]X */
  const char *p = tmp;
  if (*p == '-') { put(o, "-", 1); p++; }
  char digits[32];
  size_t nd = 0;
  for (; *p && *p != 'e'; p++)
    if (*p != '.' && nd < sizeof digits) digits[nd++] = *p;
  long e = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  if (nd == 1 && digits[0] == '0') { put(o, "0", 1); return; }
  if (e >= 0) {
    size_t ip = (size_t)e + 1;   /* digits before the point */
    if (nd <= ip) {
      put(o, digits, nd);
      for (size_t i = nd; i < ip; i++) put(o, "0", 1);
    } else {
      put(o, digits, ip);
      put(o, ".", 1);
      put(o, digits + ip, nd - ip);
    }
  } else {
    put(o, "0.", 2);
    for (long i = 1; i < -e; i++) put(o, "0", 1);
    put(o, digits, nd);
  }
}

/* Characters Rust's escape_debug writes as \u{..} besides control characters:
 * the common invisible formatting characters and combining marks (a subset
 * of its non-printable and grapheme-extend tables). */
static bool invisible(uint32_t cp) {
  return cp == 0xAD || (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
         (cp >= 0xFE00 && cp <= 0xFE0F);
}

static void put_char(pout_t *o, uint32_t cp) {
  char tmp[16];
  switch (cp) {
  case '\\': puts_(o, "\\\\"); return;
  case '"': puts_(o, "\\\""); return;
  case '\'': puts_(o, "\\'"); return;
  case '\t': puts_(o, "\\t"); return;
  case '\r': puts_(o, "\\r"); return;
  case '\n': puts_(o, "\\n"); return;
  default: break;
  }
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || invisible(cp) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    snprintf(tmp, sizeof tmp, "\\u{%x}", (unsigned)cp);
    puts_(o, tmp);
    return;
  }
  put(o, tmp, wf_utf8_encode(cp, tmp));
}

static bool is_keyword(const char *s, size_t n) {
  static const char *const kw[] = {"true", "false", "nan", "inf", "none", "some", "ok", "err"};
  for (size_t i = 0; i < sizeof kw / sizeof *kw; i++)
    if (strlen(kw[i]) == n && !memcmp(kw[i], s, n)) return true;
  return false;
}

static void put_bad(pout_t *o, const wf_ctypes_t *ts, wf_ctid_t t) {
  char want[80];
  type_text(ts, t, want, sizeof want);
  puts_(o, "<not a ");
  puts_(o, want);
  puts_(o, ">");
}

static void pr(pout_t *o, const wf_ctypes_t *ts, wf_ctid_t t, const weft_val_t *v, unsigned depth);

static void pr_payload(pout_t *o, const wf_ctypes_t *ts, wf_ctid_t pt, const weft_val_t *pl, unsigned depth) {
  if (!pt) return;
  put(o, "(", 1);
  if (pl) pr(o, ts, pt, pl, depth + 1);
  else put_bad(o, ts, pt);
  put(o, ")", 1);
}

static void pr(pout_t *o, const wf_ctypes_t *ts, wf_ctid_t t, const weft_val_t *v, unsigned depth) {
  if (t == WF_CTID_NONE || t >= ts->n || !v) { puts_(o, "<none>"); return; }
  if (depth > WF_CMAX_TYPE_DEPTH) { puts_(o, "..."); return; }
  const wf_ctype_t *ty = &ts->v[t];
  weft_type_t wt = {ts, t};
  if (v->kind != weft_type_kind(wt)) { put_bad(o, ts, t); return; }
  char tmp[48];
  switch (ty->kind) {
  case WF_CT_BOOL: puts_(o, v->of.b ? "true" : "false"); return;
  case WF_CT_S8: case WF_CT_S16: case WF_CT_S32: case WF_CT_S64:
    snprintf(tmp, sizeof tmp, "%lld", (long long)v->of.s);
    puts_(o, tmp);
    return;
  case WF_CT_U8: case WF_CT_U16: case WF_CT_U32: case WF_CT_U64:
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v->of.u);
    puts_(o, tmp);
    return;
  case WF_CT_F32: put_float(o, v->of.f32, true); return;
  case WF_CT_F64: put_float(o, v->of.f64, false); return;
  case WF_CT_CHAR:
    put(o, "'", 1);
    put_char(o, v->of.ch);
    put(o, "'", 1);
    return;
  case WF_CT_STRING: {
    put(o, "\"", 1);
    const unsigned char *s = (const unsigned char *)v->of.str.ptr;
    size_t n = s ? v->of.str.len : 0;
    for (size_t i = 0; i < n;) {
      uint32_t cp;
      size_t l = wf_utf8_decode(s + i, n - i, &cp);
      if (!l) { cp = 0xFFFD; l = 1; }   /* not UTF-8: shown as U+FFFD */
      put_char(o, cp);
      i += l;
    }
    put(o, "\"", 1);
    return;
  }
  case WF_CT_LIST: case WF_CT_TUPLE: {
    bool list = ty->kind == WF_CT_LIST;
    if (!list && v->of.seq.n != ty->n) { put_bad(o, ts, t); return; }
    if (v->of.seq.n && !v->of.seq.v) { put_bad(o, ts, t); return; }
    put(o, list ? "[" : "(", 1);
    for (size_t i = 0; i < v->of.seq.n; i++) {
      if (i) put(o, ", ", 2);
      pr(o, ts, list ? ty->t1 : ty->fields[i].type, &v->of.seq.v[i], depth + 1);
    }
    put(o, list ? "]" : ")", 1);
    return;
  }
  case WF_CT_RECORD: {
    if (v->of.seq.n != ty->n || (ty->n && !v->of.seq.v)) { put_bad(o, ts, t); return; }
    put(o, "{", 1);
    bool first = true;
    for (uint32_t i = 0; i < ty->n; i++) {
      const weft_val_t *fv = &v->of.seq.v[i];
      if (ts->v[ty->fields[i].type].kind == WF_CT_OPTION && fv->kind == WEFT_VAL_OPTION &&
          fv->of.var.index == 0)
        continue;
      if (!first) put(o, ", ", 2);
      first = false;
      put(o, ty->fields[i].name, ty->fields[i].name_len);
      put(o, ": ", 2);
      pr(o, ts, ty->fields[i].type, fv, depth + 1);
    }
    if (first) put(o, ":", 1);
    put(o, "}", 1);
    return;
  }
  case WF_CT_VARIANT: case WF_CT_ENUM: {
    uint32_t i = v->of.var.index;
    if (i >= ty->n) { put_bad(o, ts, t); return; }
    if (is_keyword(ty->fields[i].name, ty->fields[i].name_len)) put(o, "%", 1);
    put(o, ty->fields[i].name, ty->fields[i].name_len);
    if (ty->kind == WF_CT_VARIANT) pr_payload(o, ts, ty->fields[i].type, v->of.var.payload, depth);
    return;
  }
  case WF_CT_OPTION:
    if (v->of.var.index == 0) { puts_(o, "none"); return; }
    if (v->of.var.index != 1) { put_bad(o, ts, t); return; }
    puts_(o, "some");
    pr_payload(o, ts, ty->t1, v->of.var.payload, depth);
    return;
  case WF_CT_RESULT:
    if (v->of.var.index > 1) { put_bad(o, ts, t); return; }
    puts_(o, v->of.var.index ? "err" : "ok");
    pr_payload(o, ts, v->of.var.index ? ty->t2 : ty->t1, v->of.var.payload, depth);
    return;
  case WF_CT_FLAGS: {
    put(o, "{", 1);
    bool first = true;
    for (uint32_t i = 0; i < ty->n && i < 32; i++) {
      if (!(v->of.flags & (UINT32_C(1) << i))) continue;
      if (!first) put(o, ", ", 2);
      first = false;
      put(o, ty->fields[i].name, ty->fields[i].name_len);
    }
    put(o, "}", 1);
    return;
  }
  case WF_CT_OWN: case WF_CT_BORROW: {
    const char *name = v->of.res.type && v->of.res.type->name ? v->of.res.type->name : "resource";
    snprintf(tmp, sizeof tmp, "<%s %.24s>", ty->kind == WF_CT_OWN ? "own" : "borrow", name);
    puts_(o, tmp);
    return;
  }
  default: put_bad(o, ts, t); return;
  }
}

size_t weft_wave_print(weft_type_t t, const weft_val_t *v, char *buf, size_t cap) {
  pout_t o = {buf, cap, 0};
  const wf_ctypes_t *ts = t.table;
  if (!ts || !v) puts_(&o, "<none>");
  else pr(&o, ts, t.id, v, 0);
  if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
  return o.len;
}
