/* WAVE value syntax: untyped parser and canonical printer (see wave.h). */
#include "wave.h"

#include "../util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *s;
  size_t len, pos;
  unsigned depth;
  size_t nodes;
  wf_error_t *err;
} parser_t;

/* ---- errors --------------------------------------------------------------- */

static int perr(parser_t *p, size_t at, const char *what) {
  size_t line = 1, col = 1;
  if (at > p->len) at = p->len;
  for (size_t i = 0; i < at; i++) {
    if (p->s[i] == '\n') { line++; col = 1; }
    else col++;
  }
  if (line > 1) return wf_error_at(p->err, at, "line %zu, col %zu: %s", line, col, what);
  return wf_error_at(p->err, at, "col %zu: %s", col, what);
}

/* ---- small helpers -------------------------------------------------------- */

static bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_name_char(int c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '-'; }

static int peek(const parser_t *p) { return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1; }

static void skip_ws(parser_t *p) {
  while (p->pos < p->len) {
    char c = p->s[p->pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { p->pos++; continue; }
    if (c == '/' && p->pos + 1 < p->len && p->s[p->pos + 1] == '/') {
      while (p->pos < p->len && p->s[p->pos] != '\n') p->pos++;
      continue;
    }
    break;
  }
}

static char *dup_n(const char *s, size_t n) {
  if (n == SIZE_MAX) return NULL;
  char *d = malloc(n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/* Kebab-case: words of all-lowercase or all-uppercase alphanumerics, each
 * starting with a letter, joined by single '-'. */
static bool valid_kebab(const char *s, size_t n) {
  size_t i = 0;
  if (n == 0) return false;
  for (;;) {
    if (i >= n || !(is_lower(s[i]) || is_upper(s[i]))) return false;
    bool lower = is_lower(s[i]);
    i++;
    while (i < n && s[i] != '-') {
      if (is_digit(s[i])) { i++; continue; }
      if (lower ? !is_lower(s[i]) : !is_upper(s[i])) return false;
      i++;
    }
    if (i == n) return true;
    i++; /* '-' */
  }
}

static const char *const keywords[] = {"true", "false", "nan", "inf", "none", "some", "ok", "err"};

static bool is_keyword(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
    if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0) return true;
  return false;
}

/* ---- nodes ---------------------------------------------------------------- */

static wf_wave_node_t *new_node(parser_t *p, wf_wave_kind_t kind, size_t at) {
  if (p->nodes >= WF_WAVE_MAX_NODES) {
    perr(p, at, "too many values (limit 100000)");
    return NULL;
  }
  wf_wave_node_t *n = calloc(1, sizeof *n);
  if (!n) { perr(p, at, "out of memory"); return NULL; }
  p->nodes++;
  n->kind = kind;
  n->offset = at;
  return n;
}

void wf_wave_free(wf_wave_node_t *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n; i++) {
    if (n->items) wf_wave_free(n->items[i]);
    if (n->names) free(n->names[i]);
  }
  free(n->items);
  free(n->names);
  free(n->text);
  free(n);
}

void wf_wave_call_free(wf_wave_call_t *c) {
  if (!c) return;
  for (size_t i = 0; i < c->nargs; i++) wf_wave_free(c->args[i]);
  free(c->args);
  free(c->name);
  free(c);
}

/* Append to n->items (and n->names when name != NULL or with_names). The
 * capacity is tracked by the caller. Takes ownership of item and name. */
static bool push_item(parser_t *p, wf_wave_node_t *n, size_t *cap, bool with_names,
                      wf_wave_node_t *item, char *name, size_t at) {
  if (n->n == *cap) {
    size_t nc = *cap ? *cap * 2 : 4;
    if (nc < *cap || nc > SIZE_MAX / sizeof(void *)) goto oom;
    if (!with_names || n->kind == WF_WAVE_RECORD) {
      wf_wave_node_t **ni = realloc(n->items, nc * sizeof *ni);
      if (!ni) goto oom;
      n->items = ni;
    }
    if (with_names) {
      char **nn = realloc(n->names, nc * sizeof *nn);
      if (!nn) goto oom;
      n->names = nn;
    }
    *cap = nc;
  }
  if (n->items) n->items[n->n] = item;
  if (n->names) n->names[n->n] = name;
  n->n++;
  return true;
oom:
  wf_wave_free(item);
  free(name);
  return perr(p, at, "out of memory");
}

/* ---- lexical pieces ------------------------------------------------------- */

/* name := '%'? kebab. Returns a malloc'd copy without '%'. */
static char *parse_name(parser_t *p, bool *escaped, size_t *out_len) {
  size_t start = p->pos;
  bool esc = false;
  if (peek(p) == '%') { esc = true; p->pos++; }
  size_t b = p->pos;
  while (p->pos < p->len && is_name_char((unsigned char)p->s[p->pos])) p->pos++;
  size_t n = p->pos - b;
  if (n == 0) { perr(p, start, "expected a name"); return NULL; }
  if (!valid_kebab(p->s + b, n)) { perr(p, start, "invalid kebab-case name"); return NULL; }
  char *d = dup_n(p->s + b, n);
  if (!d) { perr(p, start, "out of memory"); return NULL; }
  if (escaped) *escaped = esc;
  if (out_len) *out_len = n;
  return d;
}

/* After a backslash at p->pos - 1: decode one escape into *cp. */
static bool parse_escape(parser_t *p, uint32_t *cp) {
  size_t at = p->pos - 1;
  int c = peek(p);
  if (c < 0) return perr(p, at, "unterminated escape");
  p->pos++;
  switch (c) {
    case 'n': *cp = '\n'; return true;
    case 't': *cp = '\t'; return true;
    case 'r': *cp = '\r'; return true;
    case '\'': *cp = '\''; return true;
    case '"': *cp = '"'; return true;
    case '\\': *cp = '\\'; return true;
    case 'u': break;
    default: return perr(p, at, "invalid escape");
  }
  if (peek(p) != '{') return perr(p, at, "expected '{' after \\u");
  p->pos++;
  uint32_t v = 0;
  size_t digits = 0;
  for (;;) {
    int h = peek(p);
    if (h == '}') break;
    int d;
    if (is_digit(h)) d = h - '0';
    else if (h >= 'a' && h <= 'f') d = h - 'a' + 10;
    else if (h >= 'A' && h <= 'F') d = h - 'A' + 10;
    else return perr(p, p->pos, "expected a hex digit or '}' in \\u{...}");
    if (++digits > 6) return perr(p, at, "too many hex digits in \\u{...}");
    v = v * 16 + (uint32_t)d;
    p->pos++;
  }
  p->pos++; /* '}' */
  if (digits == 0) return perr(p, at, "empty \\u{}");
  if (v > 0x10FFFF) return perr(p, at, "\\u{...} is not a Unicode scalar value (too large)");
  if (v >= 0xD800 && v <= 0xDFFF) return perr(p, at, "\\u{...} is a surrogate, not a Unicode scalar value");
  *cp = v;
  return true;
}

/* One character of a string or char literal (p->pos is not at the closing
 * quote). Raw LF is not allowed (raw CR is, as in the WAVE grammar). */
static bool parse_lit_char(parser_t *p, uint32_t *cp) {
  size_t at = p->pos;
  unsigned char c = (unsigned char)p->s[p->pos];
  if (c == '\\') { p->pos++; return parse_escape(p, cp); }
  if (c == '\n') return perr(p, at, "newline in literal (use \\n)");
  size_t l = wf_utf8_decode((const unsigned char *)p->s + p->pos, p->len - p->pos, cp);
  if (l == 0) return perr(p, at, "invalid UTF-8");
  p->pos += l;
  return true;
}

static bool at_triple(const parser_t *p, size_t i) {
  return p->len - i >= 3 && p->s[i] == '"' && p->s[i + 1] == '"' && p->s[i + 2] == '"';
}

/* """<LF> lines... <spaces>""": the closing line's indentation is removed from
 * every content line (up to that many leading spaces each), lines are joined
 * with LF (CRLF line breaks count as LF), the last line break is dropped. */
static wf_wave_node_t *parse_multiline(parser_t *p) {
  size_t start = p->pos;
  size_t i = start + 3;
  if (i < p->len && p->s[i] == '\r') i++;
  if (i >= p->len || p->s[i] != '\n') {
    perr(p, start, "multi-line string: opening \"\"\" must be followed by a line break");
    return NULL;
  }
  size_t first = i + 1;
  /* Pass 1: find the closing line and its indentation. */
  size_t indent = 0, close_line = 0;
  for (size_t ls = first;;) {
    size_t k = ls;
    while (k < p->len && p->s[k] == ' ') k++;
    if (at_triple(p, k)) { indent = k - ls; close_line = ls; p->pos = k + 3; break; }
    size_t j = ls;
    while (j < p->len && p->s[j] != '\n') {
      if (p->s[j] == '\\' && j + 1 < p->len && p->s[j + 1] != '\n') { j += 2; continue; }
      if (at_triple(p, j)) {
        perr(p, j, "multi-line string: closing \"\"\" must be on a line of its own (preceded only by spaces)");
        return NULL;
      }
      j++;
    }
    if (j >= p->len) { perr(p, start, "unterminated multi-line string"); return NULL; }
    ls = j + 1;
  }
  size_t cap = close_line - first;
  char *out = malloc(cap + 1);
  if (!out) { perr(p, start, "out of memory"); return NULL; }
  size_t o = 0, end_pos = p->pos;
  /* Pass 2: decode each content line. */
  for (size_t ls = first; ls < close_line;) {
    size_t le = ls;
    while (p->s[le] != '\n') le++; /* pass 1 saw a LF before close_line */
    size_t next = le + 1;
    if (le > ls && p->s[le - 1] == '\r') le--;
    size_t k = ls;
    while (k < le && k - ls < indent && p->s[k] == ' ') k++;
    if (ls != first) out[o++] = '\n';
    p->pos = k;
    while (p->pos < le) {
      uint32_t cp;
      if (!parse_lit_char(p, &cp)) { free(out); return NULL; }
      if (p->pos > le) { perr(p, le, "escape runs past the end of the line"); free(out); return NULL; }
      o += wf_utf8_encode(cp, out + o);
    }
    ls = next;
  }
  out[o] = 0;
  p->pos = end_pos;
  wf_wave_node_t *n = new_node(p, WF_WAVE_STRING, start);
  if (!n) { free(out); return NULL; }
  n->text = out;
  n->text_len = o;
  return n;
}

static wf_wave_node_t *parse_string(parser_t *p) {
  size_t start = p->pos;
  p->pos++; /* '"' */
  if (p->len - p->pos >= 2 && p->s[p->pos] == '"' && p->s[p->pos + 1] == '"') {
    p->pos = start;
    return parse_multiline(p);
  }
  /* Size the output by the literal's source span (decoded text is never
   * longer): find the closing quote, skipping escaped characters. */
  size_t j = p->pos;
  while (j < p->len && p->s[j] != '"' && p->s[j] != '\n') j += p->s[j] == '\\' ? 2 : 1;
  if (j > p->len) j = p->len;
  size_t cap = j - p->pos + 4;
  char *out = malloc(cap + 1);
  if (!out) { perr(p, start, "out of memory"); return NULL; }
  size_t o = 0;
  for (;;) {
    if (p->pos >= p->len) { perr(p, start, "unterminated string"); goto fail; }
    if (p->s[p->pos] == '"') { p->pos++; break; }
    uint32_t cp;
    if (!parse_lit_char(p, &cp)) goto fail;
    if (cap - o < 4) { perr(p, start, "internal error: string span"); goto fail; }
    o += wf_utf8_encode(cp, out + o);
  }
  out[o] = 0;
  wf_wave_node_t *n = new_node(p, WF_WAVE_STRING, start);
  if (!n) goto fail;
  n->text = out;
  n->text_len = o;
  return n;
fail:
  free(out);
  return NULL;
}

static wf_wave_node_t *parse_char(parser_t *p) {
  size_t start = p->pos;
  p->pos++; /* '\'' */
  if (p->pos >= p->len) { perr(p, start, "unterminated char"); return NULL; }
  if (p->s[p->pos] == '\'') { perr(p, start, "empty char literal"); return NULL; }
  uint32_t cp;
  if (!parse_lit_char(p, &cp)) return NULL;
  if (p->pos >= p->len) { perr(p, start, "unterminated char"); return NULL; }
  if (p->s[p->pos] != '\'') { perr(p, start, "char literal holds more than one character"); return NULL; }
  p->pos++;
  wf_wave_node_t *n = new_node(p, WF_WAVE_CHAR, start);
  if (n) n->ch = cp;
  return n;
}

static wf_wave_node_t *number_node(parser_t *p, size_t start, bool is_float) {
  wf_wave_node_t *n = new_node(p, WF_WAVE_NUMBER, start);
  if (!n) return NULL;
  n->text_len = p->pos - start;
  n->text = dup_n(p->s + start, n->text_len);
  n->is_float = is_float;
  if (!n->text) { wf_wave_free(n); perr(p, start, "out of memory"); return NULL; }
  return n;
}

static wf_wave_node_t *parse_number(parser_t *p) {
  size_t start = p->pos;
  bool is_float = false;
  if (peek(p) == '-') {
    p->pos++;
    if (p->len - p->pos >= 3 && memcmp(p->s + p->pos, "inf", 3) == 0 &&
        (p->pos + 3 == p->len || !is_name_char((unsigned char)p->s[p->pos + 3]))) {
      p->pos += 3;
      return number_node(p, start, true);
    }
  }
  if (!is_digit(peek(p))) { perr(p, p->pos, "invalid number: expected a digit"); return NULL; }
  if (peek(p) == '0') {
    p->pos++;
    if (is_digit(peek(p))) { perr(p, start, "invalid number: leading zero"); return NULL; }
  } else {
    while (is_digit(peek(p))) p->pos++;
  }
  if (peek(p) == '.') {
    p->pos++;
    is_float = true;
    if (!is_digit(peek(p))) { perr(p, p->pos, "invalid number: expected a digit after '.'"); return NULL; }
    while (is_digit(peek(p))) p->pos++;
  }
  if (peek(p) == 'e' || peek(p) == 'E') {
    p->pos++;
    is_float = true;
    if (peek(p) == '+' || peek(p) == '-') p->pos++;
    if (!is_digit(peek(p))) { perr(p, p->pos, "invalid number: expected an exponent digit"); return NULL; }
    while (is_digit(peek(p))) p->pos++;
  }
  if (is_name_char(peek(p)) || peek(p) == '.') {
    perr(p, p->pos, "invalid number: unexpected character after number");
    return NULL;
  }
  return number_node(p, start, is_float);
}

/* ---- values --------------------------------------------------------------- */

static wf_wave_node_t *parse_value(parser_t *p);

/* Comma-separated values up to `close`; p->pos is just past the opener. */
static bool parse_seq(parser_t *p, wf_wave_node_t *n, char close) {
  size_t cap = 0;
  char msg[40];
  snprintf(msg, sizeof msg, "expected ',' or '%c'", close);
  for (;;) {
    skip_ws(p);
    if (peek(p) == close) { p->pos++; return true; }
    size_t at = p->pos;
    wf_wave_node_t *v = parse_value(p);
    if (!v) return false;
    if (!push_item(p, n, &cap, false, v, NULL, at)) return false;
    skip_ws(p);
    if (peek(p) == ',') { p->pos++; continue; }
    if (peek(p) == close) { p->pos++; return true; }
    return perr(p, p->pos, msg);
  }
}

static wf_wave_node_t *parse_braces(parser_t *p) {
  size_t start = p->pos;
  p->pos++; /* '{' */
  skip_ws(p);
  if (peek(p) == '}') { p->pos++; return new_node(p, WF_WAVE_EMPTY_BRACES, start); }
  /* Record or flags: decided by a ':' after the first name. */
  size_t save = p->pos;
  char *first = parse_name(p, NULL, NULL);
  if (!first) return NULL;
  free(first);
  skip_ws(p);
  bool record = peek(p) == ':';
  p->pos = save;
  wf_wave_node_t *n = new_node(p, record ? WF_WAVE_RECORD : WF_WAVE_FLAGS, start);
  if (!n) return NULL;
  size_t cap = 0;
  for (;;) {
    skip_ws(p);
    if (peek(p) == '}') { p->pos++; return n; }
    size_t at = p->pos;
    char *name = parse_name(p, NULL, NULL);
    if (!name) goto fail;
    wf_wave_node_t *v = NULL;
    skip_ws(p);
    if (record) {
      if (peek(p) != ':') { free(name); perr(p, p->pos, "expected ':' after record field name"); goto fail; }
      p->pos++;
      skip_ws(p);
      v = parse_value(p);
      if (!v) { free(name); goto fail; }
    } else if (peek(p) == ':') {
      free(name);
      perr(p, p->pos, "unexpected ':' in flags");
      goto fail;
    }
    if (!push_item(p, n, &cap, true, v, name, at)) goto fail;
    skip_ws(p);
    if (peek(p) == ',') { p->pos++; continue; }
    if (peek(p) == '}') { p->pos++; return n; }
    perr(p, p->pos, "expected ',' or '}'");
    goto fail;
  }
fail:
  wf_wave_free(n);
  return NULL;
}

static wf_wave_node_t *parse_named(parser_t *p) {
  size_t start = p->pos;
  bool esc;
  size_t nl;
  char *name = parse_name(p, &esc, &nl);
  if (!name) return NULL;
  if (!esc) {
    if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
      wf_wave_node_t *n = new_node(p, WF_WAVE_BOOL, start);
      if (n) n->b = name[0] == 't';
      free(name);
      return n;
    }
    if (strcmp(name, "nan") == 0 || strcmp(name, "inf") == 0) {
      free(name);
      return number_node(p, start, true);
    }
  }
  size_t after = p->pos;
  skip_ws(p);
  if (peek(p) != '(') {
    p->pos = after;
    wf_wave_node_t *n = new_node(p, WF_WAVE_LABEL, start);
    if (!n) { free(name); return NULL; }
    n->text = name;
    n->text_len = nl;
    n->escaped = esc;
    return n;
  }
  p->pos++; /* '(' */
  wf_wave_node_t *n = new_node(p, WF_WAVE_CASE, start);
  if (!n) { free(name); return NULL; }
  n->text = name;
  n->text_len = nl;
  n->escaped = esc;
  n->items = calloc(1, sizeof *n->items);
  if (!n->items) { perr(p, start, "out of memory"); goto fail; }
  skip_ws(p);
  n->items[0] = parse_value(p);
  if (!n->items[0]) goto fail;
  n->n = 1;
  skip_ws(p);
  if (peek(p) == ',') { p->pos++; skip_ws(p); } /* trailing comma */
  if (peek(p) != ')') { perr(p, p->pos, "expected ')' after case payload"); goto fail; }
  p->pos++;
  return n;
fail:
  wf_wave_free(n);
  return NULL;
}

static wf_wave_node_t *parse_value(parser_t *p) {
  skip_ws(p);
  int c = peek(p);
  if (c < 0) { perr(p, p->pos, "expected a value, found end of input"); return NULL; }
  if (p->depth >= WF_WAVE_MAX_DEPTH) { perr(p, p->pos, "nesting too deep (limit 100)"); return NULL; }
  p->depth++;
  wf_wave_node_t *n = NULL;
  if (c == '"') {
    n = parse_string(p);
  } else if (c == '\'') {
    n = parse_char(p);
  } else if (c == '-' || is_digit(c)) {
    n = parse_number(p);
  } else if (c == '%' || is_lower(c) || is_upper(c)) {
    n = parse_named(p);
  } else if (c != '[' && c != '(' && c != '{') {
    perr(p, p->pos, "expected a value");
  } else if (c == '{') {
    n = parse_braces(p);
  } else {
    size_t start = p->pos;
    n = new_node(p, c == '[' ? WF_WAVE_LIST : WF_WAVE_TUPLE, start);
    p->pos++;
    if (n && !parse_seq(p, n, c == '[' ? ']' : ')')) { wf_wave_free(n); n = NULL; }
    if (n && n->kind == WF_WAVE_TUPLE && n->n == 0) {
      perr(p, start, "empty tuple");
      wf_wave_free(n);
      n = NULL;
    }
  }
  p->depth--;
  return n;
}

static void parser_init(parser_t *p, const char *text, size_t len, wf_error_t *err) {
  memset(p, 0, sizeof *p);
  p->s = text ? text : "";
  p->len = text ? len : 0;
  p->err = err;
  wf_error_clear(err);
}

wf_wave_node_t *wf_wave_parse_value(const char *text, size_t len, wf_error_t *err) {
  parser_t p;
  parser_init(&p, text, len, err);
  wf_wave_node_t *n = parse_value(&p);
  if (!n) return NULL;
  skip_ws(&p);
  if (p.pos != p.len) {
    perr(&p, p.pos, "unexpected text after the value");
    wf_wave_free(n);
    return NULL;
  }
  return n;
}

wf_wave_call_t *wf_wave_parse_call(const char *text, size_t len, wf_error_t *err) {
  parser_t p;
  parser_init(&p, text, len, err);
  wf_wave_call_t *c = calloc(1, sizeof *c);
  if (!c) { perr(&p, 0, "out of memory"); return NULL; }
  skip_ws(&p);
  c->name = parse_name(&p, NULL, NULL);
  if (!c->name) goto fail;
  skip_ws(&p);
  if (peek(&p) != '(') { perr(&p, p.pos, "expected '(' after the function name"); goto fail; }
  p.pos++;
  /* Reuse the sequence parser through a temporary tuple node. */
  wf_wave_node_t tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.kind = WF_WAVE_TUPLE;
  bool ok = parse_seq(&p, &tmp, ')');
  c->args = tmp.items;
  c->nargs = tmp.n;
  if (!ok) goto fail;
  skip_ws(&p);
  if (p.pos != p.len) { perr(&p, p.pos, "unexpected text after the call"); goto fail; }
  return c;
fail:
  wf_wave_call_free(c);
  return NULL;
}

/* ---- printer -------------------------------------------------------------- */

void wf_wave_buf_free(wf_wave_buf_t *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

static void put(wf_wave_buf_t *b, const char *s, size_t n) {
  if (b->oom) return;
  if (n > SIZE_MAX - 1 - b->len) { b->oom = true; return; }
  if (b->len + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap : 64;
    while (nc < b->len + n + 1) {
      if (nc > SIZE_MAX / 2) { b->oom = true; return; }
      nc *= 2;
    }
    char *d = realloc(b->data, nc);
    if (!d) { b->oom = true; return; }
    b->data = d;
    b->cap = nc;
  }
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

static void puts_(wf_wave_buf_t *b, const char *s) { put(b, s, strlen(s)); }

/* Field and flag names get '%' when they are keywords (canonical form). */
static void put_name(wf_wave_buf_t *b, const char *s, bool escaped) {
  if (escaped || is_keyword(s, strlen(s))) put(b, "%", 1);
  puts_(b, s);
}

/* Labels and case names keep the source's '%'; names that would read back as
 * a bool or number always get one. */
static void put_label(wf_wave_buf_t *b, const char *s, bool escaped) {
  if (escaped || !strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "nan") || !strcmp(s, "inf"))
    put(b, "%", 1);
  puts_(b, s);
}

static void put_lit_char(wf_wave_buf_t *b, uint32_t cp, char quote) {
  char tmp[16];
  switch (cp) {
    case '\n': puts_(b, "\\n"); return;
    case '\t': puts_(b, "\\t"); return;
    case '\r': puts_(b, "\\r"); return;
    case '\\': puts_(b, "\\\\"); return;
    default: break;
  }
  if (cp == (uint32_t)quote) {
    tmp[0] = '\\'; tmp[1] = quote;
    put(b, tmp, 2);
    return;
  }
  if (cp < 0x20 || cp == 0x7F || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    snprintf(tmp, sizeof tmp, "\\u{%x}", (unsigned)cp);
    puts_(b, tmp);
    return;
  }
  put(b, tmp, wf_utf8_encode(cp, tmp));
}

static bool print_node(const wf_wave_node_t *n, wf_wave_buf_t *b, unsigned depth) {
  if (!n || depth >= WF_WAVE_MAX_DEPTH) return false;
  switch (n->kind) {
    case WF_WAVE_BOOL: puts_(b, n->b ? "true" : "false"); break;
    case WF_WAVE_NUMBER:
      if (!n->text || n->text_len == 0) return false;
      put(b, n->text, n->text_len);
      break;
    case WF_WAVE_CHAR: put(b, "'", 1); put_lit_char(b, n->ch, '\''); put(b, "'", 1); break;
    case WF_WAVE_STRING: {
      if (!n->text && n->text_len) return false;
      put(b, "\"", 1);
      size_t i = 0;
      while (i < n->text_len) {
        uint32_t cp;
        size_t l = wf_utf8_decode((const unsigned char *)n->text + i, n->text_len - i, &cp);
        if (l == 0) return false; /* not from the parser: refuse invalid UTF-8 */
        put_lit_char(b, cp, '"');
        i += l;
      }
      put(b, "\"", 1);
      break;
    }
    case WF_WAVE_LABEL:
      if (!n->text) return false;
      put_label(b, n->text, n->escaped);
      break;
    case WF_WAVE_CASE:
      if (n->n != 1 || !n->items || !n->text) return false;
      put_label(b, n->text, n->escaped);
      put(b, "(", 1);
      if (!print_node(n->items[0], b, depth + 1)) return false;
      put(b, ")", 1);
      break;
    case WF_WAVE_EMPTY_BRACES: puts_(b, "{}"); break;
    case WF_WAVE_LIST:
    case WF_WAVE_TUPLE:
    case WF_WAVE_RECORD:
    case WF_WAVE_FLAGS: {
      bool named = n->kind == WF_WAVE_RECORD || n->kind == WF_WAVE_FLAGS;
      bool valued = n->kind != WF_WAVE_FLAGS;
      if (n->n && ((named && !n->names) || (valued && !n->items))) return false;
      const char *open = n->kind == WF_WAVE_LIST ? "[" : n->kind == WF_WAVE_TUPLE ? "(" : "{";
      const char *close = n->kind == WF_WAVE_LIST ? "]" : n->kind == WF_WAVE_TUPLE ? ")" : "}";
      puts_(b, open);
      for (size_t i = 0; i < n->n; i++) {
        if (i) puts_(b, ", ");
        if (named) {
          if (!n->names[i]) return false;
          put_name(b, n->names[i], false);
          if (valued) puts_(b, ": ");
        }
        if (valued && !print_node(n->items[i], b, depth + 1)) return false;
      }
      puts_(b, close);
      break;
    }
    default: return false;
  }
  return !b->oom;
}

bool wf_wave_print(const wf_wave_node_t *n, wf_wave_buf_t *b) {
  return print_node(n, b, 0);
}

bool wf_wave_print_call(const wf_wave_call_t *c, wf_wave_buf_t *b) {
  if (!c || !c->name) return false;
  put_name(b, c->name, false);
  put(b, "(", 1);
  for (size_t i = 0; i < c->nargs; i++) {
    if (i) puts_(b, ", ");
    if (!print_node(c->args[i], b, 0)) return false;
  }
  put(b, ")", 1);
  return !b->oom;
}

/* ---- equality ------------------------------------------------------------- */

static bool text_eq(const char *a, size_t al, const char *b, size_t bl) {
  return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

bool wf_wave_equal(const wf_wave_node_t *a, const wf_wave_node_t *b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->n != b->n) return false;
  switch (a->kind) {
    case WF_WAVE_BOOL: return a->b == b->b;
    case WF_WAVE_NUMBER: return a->is_float == b->is_float && text_eq(a->text, a->text_len, b->text, b->text_len);
    case WF_WAVE_CHAR: return a->ch == b->ch;
    case WF_WAVE_STRING: return text_eq(a->text, a->text_len, b->text, b->text_len);
    case WF_WAVE_LABEL:
    case WF_WAVE_CASE:
      if (a->escaped != b->escaped || !text_eq(a->text, a->text_len, b->text, b->text_len)) return false;
      break;
    default: break;
  }
  for (size_t i = 0; i < a->n; i++) {
    if ((a->names == NULL) != (b->names == NULL)) return false;
    if (a->names && strcmp(a->names[i], b->names[i]) != 0) return false;
    if ((a->items == NULL) != (b->items == NULL)) return false;
    if (a->items && !wf_wave_equal(a->items[i], b->items[i])) return false;
  }
  return true;
}

const char *wf_wave_kind_name(wf_wave_kind_t k) {
  switch (k) {
    case WF_WAVE_BOOL: return "bool";
    case WF_WAVE_NUMBER: return "number";
    case WF_WAVE_CHAR: return "char";
    case WF_WAVE_STRING: return "string";
    case WF_WAVE_LIST: return "list";
    case WF_WAVE_TUPLE: return "tuple";
    case WF_WAVE_RECORD: return "record";
    case WF_WAVE_FLAGS: return "flags";
    case WF_WAVE_EMPTY_BRACES: return "empty-braces";
    case WF_WAVE_LABEL: return "label";
    case WF_WAVE_CASE: return "case";
  }
  return "?";
}
