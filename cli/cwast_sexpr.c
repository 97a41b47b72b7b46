/* weft wast: a reader for the s-expressions of Component Model scripts
 * ("(assert_return (invoke \"f\" (u32.const 1)) (str.const \"x\"))").
 *
 * The text comes from the script (hostile input): nesting is bounded
 * (CW_SX_MAX_DEPTH), every node lives in one arena freed at once, and
 * strings are decoded with their escapes checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwast.h"

struct cw_sxdoc {
  weft_arena_t *arena; /* every node and decoded string */
  char *text;          /* a NUL-terminated copy of the source */
  size_t len;
  cw_sx_t root;
};

static void *doc_alloc(cw_sxdoc_t *doc, size_t size) { return weft_arena_alloc(doc->arena, size); }

void cw_sx_free(cw_sxdoc_t *doc) {
  if (!doc) return;
  weft_arena_free(doc->arena);
  free(doc->text);
  free(doc);
}

const cw_sx_t *cw_sx_root(const cw_sxdoc_t *doc) { return doc ? &doc->root : NULL; }
const char *cw_sx_text(const cw_sxdoc_t *doc) { return doc ? doc->text : NULL; }

int cw_sx_is(const cw_sx_t *x, const char *word) {
  size_t wl = strlen(word);
  return x && x->kind == CW_ATOM && x->len == wl && !memcmp(x->s, word, wl);
}

/* ---- UTF-8 ------------------------------------------------------------------- */

size_t cw_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp) {
  if (len == 0) return 0;
  unsigned char c = s[0];
  if (c < 0x80) { *cp = c; return 1; }
  size_t n;
  uint32_t v, min;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; v = c & 0x1f; min = 0x80; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; v = c & 0x0f; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; v = c & 0x07; min = 0x10000; }
  else return 0;
  if (len < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return n;
}

int cw_utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = cw_utf8_decode(p + i, len - i, &cp);
    if (!n) return 0;
    i += n;
  }
  return 1;
}

static size_t utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* ---- parser ------------------------------------------------------------------ */

typedef struct {
  cw_sxdoc_t *doc;
  const char *t;
  size_t len, pos;
  char *why;
  size_t whylen;
} parser_t;

static int fail_at(parser_t *p, size_t at, const char *what) {
  snprintf(p->why, p->whylen, "column %zu: %s", at + 1, what);
  return -1;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Skips blanks and comments. */
static int skip_space(parser_t *p) {
  while (p->pos < p->len) {
    char c = p->t[p->pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { p->pos++; continue; }
    if (c == ';' && p->pos + 1 < p->len && p->t[p->pos + 1] == ';') {
      while (p->pos < p->len && p->t[p->pos] != '\n') p->pos++;
      continue;
    }
    if (c == '(' && p->pos + 1 < p->len && p->t[p->pos + 1] == ';') {
      size_t start = p->pos, depth = 0;
      while (p->pos + 1 < p->len) {
        if (p->t[p->pos] == '(' && p->t[p->pos + 1] == ';') { depth++; p->pos += 2; }
        else if (p->t[p->pos] == ';' && p->t[p->pos + 1] == ')') {
          p->pos += 2;
          if (--depth == 0) break;
        } else p->pos++;
      }
      if (depth) return fail_at(p, start, "unterminated block comment");
      continue;
    }
    break;
  }
  return 0;
}

/* A "string" at p->pos: decoded into the arena. */
static int parse_string(parser_t *p, cw_sx_t *out) {
  size_t start = p->pos++;
  size_t end = p->pos;
  while (end < p->len && p->t[end] != '"') end += p->t[end] == '\\' && end + 1 < p->len ? 2 : 1;
  if (end >= p->len) return fail_at(p, start, "unterminated string");
  /* decoded text is never longer than the source */
  char *buf = doc_alloc(p->doc, end - p->pos + 1);
  if (!buf) return fail_at(p, start, "out of memory");
  size_t o = 0;
  while (p->pos < end) {
    char c = p->t[p->pos];
    if (c != '\\') { buf[o++] = c; p->pos++; continue; }
    size_t esc = p->pos;
    char e = p->t[p->pos + 1];
    p->pos += 2;
    switch (e) {
      case 't': buf[o++] = '\t'; break;
      case 'n': buf[o++] = '\n'; break;
      case 'r': buf[o++] = '\r'; break;
      case '"': buf[o++] = '"'; break;
      case '\'': buf[o++] = '\''; break;
      case '\\': buf[o++] = '\\'; break;
      case 'u': {
        if (p->pos >= end || p->t[p->pos] != '{') return fail_at(p, esc, "bad \\u escape");
        p->pos++;
        uint32_t cp = 0;
        size_t digits = 0;
        while (p->pos < end && p->t[p->pos] != '}') {
          int h = hexval(p->t[p->pos]);
          if (h < 0 && p->t[p->pos] == '_' && digits) { p->pos++; continue; }
          if (h < 0 || cp > 0x10ffff) return fail_at(p, esc, "bad \\u escape");
          cp = cp * 16 + (uint32_t)h;
          digits++;
          p->pos++;
        }
        if (p->pos >= end || !digits || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
          return fail_at(p, esc, "bad \\u escape (not a Unicode scalar value)");
        p->pos++;
        o += utf8_encode(cp, buf + o);
        break;
      }
      default: {
        int h1 = hexval(e), h2 = p->pos < end ? hexval(p->t[p->pos]) : -1;
        if (h1 < 0 || h2 < 0) return fail_at(p, esc, "unknown string escape");
        p->pos++;
        buf[o++] = (char)(h1 * 16 + h2);
        break;
      }
    }
  }
  buf[o] = '\0';
  p->pos = end + 1;
  *out = (cw_sx_t){.kind = CW_STRING, .s = buf, .len = o, .off = start, .end = p->pos};
  return 0;
}

static int parse_node(parser_t *p, cw_sx_t *out, unsigned depth);

static int parse_list(parser_t *p, cw_sx_t *out, unsigned depth) {
  size_t start = p->pos++;
  if (depth >= CW_SX_MAX_DEPTH) return fail_at(p, start, "nesting too deep");
  size_t n = 0, cap = 0;
  cw_sx_t *items = NULL;
  for (;;) {
    if (skip_space(p)) return -1;
    if (p->pos >= p->len) return fail_at(p, start, "unclosed '('");
    if (p->t[p->pos] == ')') { p->pos++; break; }
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 4;
      if (ncap > SIZE_MAX / sizeof *items) return fail_at(p, start, "list too long");
      cw_sx_t *ni = doc_alloc(p->doc, ncap * sizeof *ni);
      if (!ni) return fail_at(p, start, "out of memory");
      if (n) memcpy(ni, items, n * sizeof *ni);   /* the old copy stays in the arena */
      items = ni;
      cap = ncap;
    }
    if (parse_node(p, &items[n], depth + 1)) return -1;
    n++;
  }
  *out = (cw_sx_t){.kind = CW_LIST, .items = items, .n = n, .off = start, .end = p->pos};
  return 0;
}

static int parse_node(parser_t *p, cw_sx_t *out, unsigned depth) {
  char c = p->t[p->pos];
  if (c == '(') return parse_list(p, out, depth);
  if (c == ')') return fail_at(p, p->pos, "unexpected ')'");
  if (c == '"') return parse_string(p, out);
  size_t start = p->pos;
  while (p->pos < p->len) {
    c = p->t[p->pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '"' ||
        (c == ';' && p->pos + 1 < p->len && p->t[p->pos + 1] == ';'))
      break;
    p->pos++;
  }
  if (p->pos == start) return fail_at(p, start, "unexpected character");
  *out = (cw_sx_t){.kind = CW_ATOM, .s = p->t + start, .len = p->pos - start, .off = start,
                   .end = p->pos};
  return 0;
}

cw_sxdoc_t *cw_sx_parse(const char *text, size_t len, char *why, size_t whylen) {
  cw_sxdoc_t *doc = calloc(1, sizeof *doc);
  if (!doc || len == SIZE_MAX || !(doc->arena = weft_arena_new()) || !(doc->text = malloc(len + 1))) {
    snprintf(why, whylen, "out of memory");
    cw_sx_free(doc);
    return NULL;
  }
  memcpy(doc->text, text, len);
  doc->text[len] = '\0';
  doc->len = len;
  parser_t p = {doc, doc->text, len, 0, why, whylen};
  if (skip_space(&p)) goto bad;
  if (p.pos >= len) { fail_at(&p, p.pos, "empty text"); goto bad; }
  if (parse_node(&p, &doc->root, 0)) goto bad;
  if (skip_space(&p)) goto bad;
  if (p.pos < len) { fail_at(&p, p.pos, "text after the expression"); goto bad; }
  return doc;
bad:
  cw_sx_free(doc);
  return NULL;
}

void cw_sx_show(const cw_sxdoc_t *doc, const cw_sx_t *x, char *buf, size_t cap) {
  if (cap == 0) return;
  buf[0] = '\0';
  if (!doc || !x || x->off > x->end || x->end > doc->len) return;
  size_t n = x->end - x->off, o = 0;
  for (size_t i = 0; i < n && o + 4 < cap; i++) {
    char c = doc->text[x->off + i];
    buf[o++] = (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
    if (i + 1 < n && o + 4 >= cap) {
      memcpy(buf + o, "...", 3);
      o += 3;
    }
  }
  buf[o] = '\0';
}
