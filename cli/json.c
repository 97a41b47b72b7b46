/* A small JSON reader (RFC 8259) for the CLI: see json.h. */
#include "json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"

/* ---- arena ---------------------------------------------------------------- */

struct json_doc {
  weft_arena_t *arena;         /* every value, member and string */
  json_value_t root;
};

static void *arena_alloc(json_doc_t *doc, size_t size) { return weft_arena_alloc(doc->arena, size); }

/* ---- parser state ----------------------------------------------------------- */

typedef struct {
  const char *p, *end, *start;
  json_doc_t *doc;
  char *err;
  size_t errlen;
  int failed;
  /* Scratch stacks for items of arrays and objects being parsed. */
  json_value_t *vals;
  size_t nvals, capvals;
  json_member_t *mems;
  size_t nmems, capmems;
} parser_t;

static int line_of(const parser_t *ps) {
  int line = 1;
  for (const char *q = ps->start; q < ps->p && q < ps->end; q++)
    if (*q == '\n') line++;
  return line;
}

static void fail(parser_t *ps, const char *fmt, ...) {
  if (ps->failed) return;
  ps->failed = 1;
  if (!ps->err || ps->errlen == 0) return;
  int n = snprintf(ps->err, ps->errlen, "line %d: ", line_of(ps));
  if (n < 0 || (size_t)n >= ps->errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
  va_end(ap);
}

static void skip_ws(parser_t *ps) {
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static int push_val(parser_t *ps, const json_value_t *v) {
  if (ps->nvals == ps->capvals) {
    size_t cap = ps->capvals ? ps->capvals * 2 : 64;
    if (cap > SIZE_MAX / sizeof(json_value_t)) return 0;
    json_value_t *nv = realloc(ps->vals, cap * sizeof(json_value_t));
    if (!nv) return 0;
    ps->vals = nv;
    ps->capvals = cap;
  }
  ps->vals[ps->nvals++] = *v;
  return 1;
}

static int push_mem(parser_t *ps, const json_member_t *m) {
  if (ps->nmems == ps->capmems) {
    size_t cap = ps->capmems ? ps->capmems * 2 : 64;
    if (cap > SIZE_MAX / sizeof(json_member_t)) return 0;
    json_member_t *nm = realloc(ps->mems, cap * sizeof(json_member_t));
    if (!nm) return 0;
    ps->mems = nm;
    ps->capmems = cap;
  }
  ps->mems[ps->nmems++] = *m;
  return 1;
}

static int hex4(const char *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

static size_t put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* At the opening quote. Raw bytes >= 0x80 are kept as they are (wast2json
 * writes names byte for byte); control characters must be escaped. A \u
 * escape never needs more output bytes than its 6 (or 12) input bytes. */
static int parse_string(parser_t *ps, const char **out, size_t *out_len) {
  ps->p++;   /* '"' */
  const char *q = ps->p;
  while (q < ps->end && *q != '"') {
    if (*q == '\\') q++;
    q++;
  }
  if (q >= ps->end) { fail(ps, "unterminated string"); return 0; }
  size_t raw = (size_t)(q - ps->p);
  char *buf = arena_alloc(ps->doc, raw + 1);
  if (!buf) { fail(ps, "out of memory"); return 0; }
  size_t n = 0;
  const char *p = ps->p;
  while (p < q) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x20) { fail(ps, "control character in string"); return 0; }
    if (c != '\\') { buf[n++] = (char)c; p++; continue; }
    p++;   /* backslash; p < q holds since the scan above paired it */
    char e = *p++;
    switch (e) {
      case '"': buf[n++] = '"'; break;
      case '\\': buf[n++] = '\\'; break;
      case '/': buf[n++] = '/'; break;
      case 'b': buf[n++] = '\b'; break;
      case 'f': buf[n++] = '\f'; break;
      case 'n': buf[n++] = '\n'; break;
      case 'r': buf[n++] = '\r'; break;
      case 't': buf[n++] = '\t'; break;
      case 'u': {
        uint32_t cp;
        if (q - p < 4 || !hex4(p, &cp)) { fail(ps, "bad \\u escape"); return 0; }
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (q - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          /* else: a lone surrogate, encoded as is (WTF-8 style) */
        }
        n += put_utf8(buf + n, cp);
        break;
      }
      default: fail(ps, "bad escape \\%c", e); return 0;
    }
  }
  buf[n] = '\0';
  ps->p = q + 1;
  *out = buf;
  *out_len = n;
  return 1;
}

static int parse_number(parser_t *ps, double *out) {
  const char *s = ps->p;
  const char *q = s;
  if (q < ps->end && *q == '-') q++;
  if (q >= ps->end || *q < '0' || *q > '9') { fail(ps, "bad number"); return 0; }
  if (*q == '0') q++;
  else while (q < ps->end && *q >= '0' && *q <= '9') q++;
  if (q < ps->end && *q == '.') {
    q++;
    if (q >= ps->end || *q < '0' || *q > '9') { fail(ps, "bad number"); return 0; }
    while (q < ps->end && *q >= '0' && *q <= '9') q++;
  }
  if (q < ps->end && (*q == 'e' || *q == 'E')) {
    q++;
    if (q < ps->end && (*q == '+' || *q == '-')) q++;
    if (q >= ps->end || *q < '0' || *q > '9') { fail(ps, "bad number"); return 0; }
    while (q < ps->end && *q >= '0' && *q <= '9') q++;
  }
  char tmp[64];
  size_t len = (size_t)(q - s);
  if (len >= sizeof tmp) { fail(ps, "number too long"); return 0; }
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  *out = strtod(tmp, NULL);
  ps->p = q;
  return 1;
}

static int match_word(parser_t *ps, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) return 0;
  ps->p += n;
  return 1;
}

static int parse_value(parser_t *ps, json_value_t *v, int depth);

static int parse_array(parser_t *ps, json_value_t *v, int depth) {
  ps->p++;   /* '[' */
  size_t base = ps->nvals;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == ']') {
    ps->p++;
  } else {
    for (;;) {
      json_value_t item;
      if (!parse_value(ps, &item, depth + 1)) return 0;
      if (!push_val(ps, &item)) { fail(ps, "out of memory"); return 0; }
      skip_ws(ps);
      if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
      if (ps->p < ps->end && *ps->p == ']') { ps->p++; break; }
      fail(ps, "expected ',' or ']'");
      return 0;
    }
  }
  size_t n = ps->nvals - base;
  json_value_t *items = NULL;
  if (n) {
    items = arena_alloc(ps->doc, n * sizeof(json_value_t));
    if (!items) { fail(ps, "out of memory"); return 0; }
    memcpy(items, ps->vals + base, n * sizeof(json_value_t));
  }
  ps->nvals = base;
  v->kind = JSON_ARRAY;
  v->u.arr.items = items;
  v->u.arr.n = n;
  return 1;
}

static int parse_object(parser_t *ps, json_value_t *v, int depth) {
  ps->p++;   /* '{' */
  size_t base = ps->nmems;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == '}') {
    ps->p++;
  } else {
    for (;;) {
      json_member_t m;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != '"') { fail(ps, "expected a member name"); return 0; }
      if (!parse_string(ps, &m.key, &m.key_len)) return 0;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') { fail(ps, "expected ':'"); return 0; }
      ps->p++;
      if (!parse_value(ps, &m.value, depth + 1)) return 0;
      if (!push_mem(ps, &m)) { fail(ps, "out of memory"); return 0; }
      skip_ws(ps);
      if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
      if (ps->p < ps->end && *ps->p == '}') { ps->p++; break; }
      fail(ps, "expected ',' or '}'");
      return 0;
    }
  }
  size_t n = ps->nmems - base;
  json_member_t *mems = NULL;
  if (n) {
    mems = arena_alloc(ps->doc, n * sizeof(json_member_t));
    if (!mems) { fail(ps, "out of memory"); return 0; }
    memcpy(mems, ps->mems + base, n * sizeof(json_member_t));
  }
  ps->nmems = base;
  v->kind = JSON_OBJECT;
  v->u.obj.members = mems;
  v->u.obj.n = n;
  return 1;
}

static int parse_value(parser_t *ps, json_value_t *v, int depth) {
  if (depth > JSON_MAX_DEPTH) { fail(ps, "nesting too deep"); return 0; }
  memset(v, 0, sizeof *v);
  skip_ws(ps);
  if (ps->p >= ps->end) { fail(ps, "unexpected end of input"); return 0; }
  switch (*ps->p) {
    case '{': return parse_object(ps, v, depth);
    case '[': return parse_array(ps, v, depth);
    case '"':
      v->kind = JSON_STRING;
      return parse_string(ps, &v->u.str.s, &v->u.str.len);
    case 't':
      if (match_word(ps, "true")) { v->kind = JSON_TRUE; return 1; }
      break;
    case 'f':
      if (match_word(ps, "false")) { v->kind = JSON_FALSE; return 1; }
      break;
    case 'n':
      if (match_word(ps, "null")) { v->kind = JSON_NULL; return 1; }
      break;
    default:
      if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
        v->kind = JSON_NUMBER;
        return parse_number(ps, &v->u.num);
      }
      break;
  }
  fail(ps, "unexpected character '%c'", *ps->p);
  return 0;
}

json_doc_t *json_parse(const char *text, size_t len, char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  json_doc_t *doc = calloc(1, sizeof *doc);
  if (!doc || !(doc->arena = weft_arena_new())) {
    if (err && errlen) snprintf(err, errlen, "out of memory");
    json_free(doc);
    return NULL;
  }
  parser_t ps = {.p = text, .end = text + len, .start = text, .doc = doc,
                 .err = err, .errlen = errlen};
  int ok = parse_value(&ps, &doc->root, 0);
  if (ok) {
    skip_ws(&ps);
    if (ps.p != ps.end) { fail(&ps, "unexpected content after the value"); ok = 0; }
  }
  free(ps.vals);
  free(ps.mems);
  if (!ok) {
    json_free(doc);
    return NULL;
  }
  return doc;
}

const json_value_t *json_root(const json_doc_t *doc) { return doc ? &doc->root : NULL; }

void json_free(json_doc_t *doc) {
  if (!doc) return;
  weft_arena_free(doc->arena);
  free(doc);
}

/* ---- access ------------------------------------------------------------------ */

const json_value_t *json_get(const json_value_t *obj, const char *key) {
  if (!obj || obj->kind != JSON_OBJECT) return NULL;
  size_t klen = strlen(key);
  for (size_t i = 0; i < obj->u.obj.n; i++) {
    const json_member_t *m = &obj->u.obj.members[i];
    if (m->key_len == klen && memcmp(m->key, key, klen) == 0) return &m->value;
  }
  return NULL;
}

const char *json_str(const json_value_t *v, size_t *len) {
  if (!v || v->kind != JSON_STRING) return NULL;
  if (len) *len = v->u.str.len;
  return v->u.str.s;
}

const char *json_get_str(const json_value_t *obj, const char *key, size_t *len) {
  return json_str(json_get(obj, key), len);
}

size_t json_len(const json_value_t *v) {
  return v && v->kind == JSON_ARRAY ? v->u.arr.n : 0;
}

const json_value_t *json_at(const json_value_t *v, size_t i) {
  if (!v || v->kind != JSON_ARRAY || i >= v->u.arr.n) return NULL;
  return &v->u.arr.items[i];
}
