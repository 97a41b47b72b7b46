/* TOML 1.0 parser: text checks, keys, headers, values, redefinition rules.
 *
 * One pass of recursive descent over the bytes. The whole input is checked
 * first for UTF-8 validity, control characters and bare carriage returns, so
 * the rest of the parser can treat any byte >= 0x80 as part of a valid
 * character and never meets a stray control byte.
 *
 * Redefinition rules (TOML 1.0 "Table" section), by the origin of a table:
 *   IMPLICIT  made as the parent of a header ([a.b] makes a): a later [a]
 *             may define it once; a dotted key may extend it (it then counts
 *             as DOTTED).
 *   HEADER    defined by [x] or [[x]]: never defined again; a dotted key from
 *             its parent's section cannot reach into it.
 *   DOTTED    made by a dotted key (x.y = 1): no [x] header may define it,
 *             but [x.z] may add a sub-table to it.
 *   INLINE    { ... }: closed; nothing can be added to it afterwards.
 * Arrays are STATIC ([ ... ] literals, closed) or TABLES (built by [[x]]:
 * a header path through one goes into its last element). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/toml_internal.h"
#include "util/utf8.h"

typedef struct {
  char *s;
  size_t len, cap;
} sbuf_t;

typedef struct {
  char *s;
  size_t len;
  size_t off;  /* where the key part starts in the input */
} keypart_t;

typedef struct {
  keypart_t *parts;
  size_t n, cap;
} keylist_t;

typedef struct {
  const char *s;
  size_t n, i;
  const char *fname;
  wf_error_t *err;
  int failed;
  wf_toml_value_t *root;
  wf_toml_value_t *cur;  /* table the current section's key/values go to */
  int cur_depth;
  /* line/column cache: position LOC_OFF is at LOC_LINE:LOC_COL */
  size_t loc_off;
  uint32_t loc_line, loc_col;
} parser_t;

/* ---- errors and positions ---- */

static void locate(parser_t *p, size_t off, uint32_t *line, uint32_t *col) {
  if (off > p->n) off = p->n;
  if (off < p->loc_off) {
    /* backwards within the cached line (a header's key after its '['):
     * step back; otherwise start over from the top */
    size_t k = off;
    uint32_t back = 0;
    while (k < p->loc_off && p->s[k] != '\n') {
      if (((unsigned char)p->s[k] & 0xC0) != 0x80) back++;
      k++;
    }
    if (k == p->loc_off && back < p->loc_col) {
      p->loc_off = off;
      p->loc_col -= back;
    } else {
      p->loc_off = 0;
      p->loc_line = 1;
      p->loc_col = 1;
    }
  }
  for (size_t k = p->loc_off; k < off; k++) {
    unsigned char c = (unsigned char)p->s[k];
    if (c == '\n') {
      if (p->loc_line < UINT32_MAX) p->loc_line++;
      p->loc_col = 1;
    } else if ((c & 0xC0) != 0x80 && p->loc_col < UINT32_MAX) {
      p->loc_col++;
    }
  }
  p->loc_off = off;
  *line = p->loc_line;
  *col = p->loc_col;
}

__attribute__((format(printf, 3, 4))) static int fail(parser_t *p, size_t off, const char *fmt, ...) {
  if (p->failed) return 0;
  p->failed = 1;
  if (!p->err) return 0;
  uint32_t line, col;
  locate(p, off, &line, &col);
  wf_error_t *e = p->err;
  e->failed = 1;
  e->has_offset = 1;
  e->offset = off;
  int k = snprintf(e->msg, sizeof e->msg, "%s:%u:%u: ", p->fname, line, col);
  if (k < 0) k = 0;
  if ((size_t)k < sizeof e->msg) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + k, sizeof e->msg - (size_t)k, fmt, ap);
    va_end(ap);
  }
  return 0;
}

/* A short printable rendering of the character at OFF for messages. */
static const char *show_char(parser_t *p, size_t off, char buf[16]) {
  if (off >= p->n) return "end of input";
  unsigned char c = (unsigned char)p->s[off];
  if (c == '\n' || c == '\r') return "end of line";
  if (c >= 0x21 && c < 0x7f) snprintf(buf, 16, "'%c'", c);
  else if (c == ' ') return "' '";
  else if (c == '\t') return "tab";
  else snprintf(buf, 16, "byte 0x%02x", c);
  return buf;
}

/* Renders a key part for messages (truncated, control bytes escaped). */
static const char *show_key(const keypart_t *k, char buf[64]) {
  size_t o = 0, j = 0;
  for (; j < k->len; j++) {
    unsigned char c = (unsigned char)k->s[j];
    if (o >= 56 && (c & 0xC0) != 0x80) break; /* cut between characters */
    if (c < 0x20 || c == 0x7f) {
      o += (size_t)snprintf(buf + o, 64 - o, "\\x%02x", c);
    } else {
      buf[o++] = (char)c;
    }
  }
  if (j < k->len) {
    buf[o++] = '.';
    buf[o++] = '.';
    buf[o++] = '.';
  }
  buf[o] = 0;
  return buf;
}

/* ---- growable byte buffer ---- */

static int sb_push(parser_t *p, sbuf_t *b, const char *d, size_t n) {
  if (n > SIZE_MAX - b->len - 1) return fail(p, p->i, "out of memory");
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->len + n + 1) {
      if (cap > SIZE_MAX / 2) return fail(p, p->i, "out of memory");
      cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) return fail(p, p->i, "out of memory");
    b->s = s;
    b->cap = cap;
  }
  memcpy(b->s + b->len, d, n);
  b->len += n;
  b->s[b->len] = 0;
  return 1;
}

static int sb_byte(parser_t *p, sbuf_t *b, char c) { return sb_push(p, b, &c, 1); }

/* ---- the text as a whole ---- */

static int check_text(parser_t *p, size_t start) {
  const unsigned char *s = (const unsigned char *)p->s;
  size_t n = p->n;
  for (size_t i = start; i < n;) {
    unsigned c = s[i];
    if (c < 0x80) {
      if (c == '\r') {
        if (i + 1 >= n || s[i + 1] != '\n') return fail(p, i, "carriage return not followed by a newline");
      } else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
        return fail(p, i, "control character U+%04X is not allowed", c);
      }
      i++;
      continue;
    }
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return fail(p, i, "invalid UTF-8 byte 0x%02x", c);
    }
    if (n - i - 1 < need) return fail(p, i, "truncated UTF-8 sequence");
    if (s[i + 1] < lo || s[i + 1] > hi) return fail(p, i, "invalid UTF-8 sequence");
    for (size_t k = 2; k <= need; k++)
      if ((s[i + k] & 0xC0) != 0x80) return fail(p, i, "invalid UTF-8 sequence");
    i += need + 1;
  }
  return 1;
}

/* ---- whitespace, comments, newlines ---- */

static int at_eof(const parser_t *p) { return p->i >= p->n; }
static char peek(const parser_t *p) { return p->i < p->n ? p->s[p->i] : 0; }
static char peek_at(const parser_t *p, size_t k) { return k < p->n - p->i ? p->s[p->i + k] : 0; }

static void skip_ws(parser_t *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t')) p->i++;
}

static int at_newline(const parser_t *p) {
  char c = peek(p);
  return c == '\n' || (c == '\r' && peek_at(p, 1) == '\n');
}

static void skip_newline(parser_t *p) { p->i += peek(p) == '\r' ? 2 : 1; }

static void skip_comment(parser_t *p) {
  if (peek(p) != '#') return;
  while (p->i < p->n && !at_newline(p)) p->i++;
}

/* Spaces, tabs, newlines and comments (inside arrays). */
static void skip_ws_nl(parser_t *p) {
  for (;;) {
    skip_ws(p);
    if (peek(p) == '#') skip_comment(p);
    if (at_eof(p) || !at_newline(p)) return;
    skip_newline(p);
  }
}

/* After a header or key/value: optional spaces and comment, then a newline
 * or the end of the input. */
static int end_of_line(parser_t *p, const char *after) {
  skip_ws(p);
  skip_comment(p);
  if (at_eof(p)) return 1;
  if (at_newline(p)) {
    skip_newline(p);
    return 1;
  }
  char b[16];
  return fail(p, p->i, "expected a newline after %s, found %s", after, show_char(p, p->i, b));
}

/* ---- strings ---- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int put_utf8(parser_t *p, sbuf_t *b, uint32_t cp) {
  char u[4];
  return sb_push(p, b, u, wf_utf8_encode(cp, u));
}

/* P->i is at the backslash. */
static int escape(parser_t *p, sbuf_t *b) {
  size_t at = p->i;
  char c = peek_at(p, 1);
  const char *simple = NULL;
  switch (c) {
    case 'b': simple = "\b"; break;
    case 't': simple = "\t"; break;
    case 'n': simple = "\n"; break;
    case 'f': simple = "\f"; break;
    case 'r': simple = "\r"; break;
    case '"': simple = "\""; break;
    case '\\': simple = "\\"; break;
    default: break;
  }
  if (simple) {
    p->i += 2;
    return sb_byte(p, b, simple[0]);
  }
  if (c == 'u' || c == 'U') {
    size_t nd = c == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (size_t k = 0; k < nd; k++) {
      int h = hexval(peek_at(p, 2 + k));
      if (h < 0) return fail(p, at, "\\%c escape needs %zu hex digits", c, nd);
      if (cp > 0x10FFFF) continue; /* already invalid; keep reading digits */
      cp = cp * 16 + (uint32_t)h;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return fail(p, at, "escape \\%c%.*s is not a Unicode scalar value", c, (int)nd, p->s + at + 2);
    p->i += 2 + nd;
    return put_utf8(p, b, cp);
  }
  char sb[16];
  return fail(p, at, "invalid escape sequence: backslash followed by %s", show_char(p, at + 1, sb));
}

/* Parses a single-line basic or literal string (P->i at the quote) into B. */
static int string_line(parser_t *p, sbuf_t *b) {
  size_t start = p->i;
  char q = p->s[p->i++];
  for (;;) {
    if (at_eof(p)) return fail(p, start, "unterminated string");
    char c = p->s[p->i];
    if (c == q) {
      p->i++;
      return 1;
    }
    if (c == '\n' || c == '\r') return fail(p, p->i, "newline in a single-line string (use \"\"\" for multi-line)");
    if (c == '\\' && q == '"') {
      if (!escape(p, b)) return 0;
      continue;
    }
    if (!sb_byte(p, b, c)) return 0;
    p->i++;
  }
}

/* Parses a multi-line string (P->i at the first of three quotes) into B. */
static int string_multi(parser_t *p, sbuf_t *b) {
  size_t start = p->i;
  char q = p->s[p->i];
  p->i += 3;
  if (at_newline(p)) skip_newline(p); /* a newline right after the opener is trimmed */
  for (;;) {
    if (at_eof(p)) return fail(p, start, "unterminated multi-line string");
    char c = p->s[p->i];
    if (c == q) {
      size_t run = 0;
      while (p->i + run < p->n && p->s[p->i + run] == q) run++;
      if (run >= 3) {
        if (run > 5) return fail(p, p->i + 5, "too many quotes at the end of a multi-line string");
        for (size_t k = 0; k < run - 3; k++)
          if (!sb_byte(p, b, q)) return 0;
        p->i += run;
        return 1;
      }
      for (size_t k = 0; k < run; k++)
        if (!sb_byte(p, b, q)) return 0;
      p->i += run;
      continue;
    }
    if (c == '\\' && q == '"') {
      /* line-ending backslash: \ [spaces] newline, then all whitespace */
      size_t j = p->i + 1;
      while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t')) j++;
      if (j < p->n && (p->s[j] == '\n' || p->s[j] == '\r')) {
        p->i = j;
        while (!at_eof(p) && (peek(p) == ' ' || peek(p) == '\t' || at_newline(p))) {
          if (at_newline(p)) skip_newline(p);
          else p->i++;
        }
        continue;
      }
      if (!escape(p, b)) return 0;
      continue;
    }
    if (c == '\r') { /* CRLF (a bare CR was refused up front): keep LF only */
      p->i++;
      continue;
    }
    if (!sb_byte(p, b, c)) return 0;
    p->i++;
  }
}

/* Any string at P->i into B (fresh). */
static int string_any(parser_t *p, sbuf_t *b) {
  char q = peek(p);
  if (peek_at(p, 1) == q && peek_at(p, 2) == q) return string_multi(p, b);
  return string_line(p, b);
}

/* ---- keys ---- */

static void keys_free(keylist_t *k) {
  for (size_t j = 0; j < k->n; j++) free(k->parts[j].s);
  free(k->parts);
  k->parts = NULL;
  k->n = k->cap = 0;
}

static int is_bare(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* key = simple-key *( ws "." ws simple-key ), with leading/trailing ws. */
static int parse_key(parser_t *p, keylist_t *k) {
  for (;;) {
    skip_ws(p);
    size_t off = p->i;
    sbuf_t b = {0};
    char c = peek(p);
    if (c == '"' || c == '\'') {
      if (peek_at(p, 1) == c && peek_at(p, 2) == c) return fail(p, off, "a multi-line string cannot be a key");
      if (!string_line(p, &b)) {
        free(b.s);
        return 0;
      }
    } else if (is_bare(c)) {
      size_t j = p->i;
      while (j < p->n && is_bare(p->s[j])) j++;
      if (!sb_push(p, &b, p->s + p->i, j - p->i)) {
        free(b.s);
        return 0;
      }
      p->i = j;
    } else {
      char sb[16];
      return fail(p, off, "expected a key, found %s", show_char(p, off, sb));
    }
    if (!b.s && !sb_push(p, &b, "", 0)) return 0; /* "" key: still own a buffer */
    if (k->n == k->cap) {
      size_t cap = k->cap ? k->cap * 2 : 4;
      keypart_t *np = cap <= SIZE_MAX / sizeof *np ? realloc(k->parts, cap * sizeof *np) : NULL;
      if (!np) {
        free(b.s);
        return fail(p, off, "out of memory");
      }
      k->parts = np;
      k->cap = cap;
    }
    k->parts[k->n++] = (keypart_t){b.s, b.len, off};
    skip_ws(p);
    if (peek(p) != '.') return 1;
    p->i++;
  }
}

/* ---- tables ---- */

static int too_deep(parser_t *p, int depth, size_t off) {
  if (depth <= WF_TOML_MAX_DEPTH) return 0;
  fail(p, off, "nesting deeper than %d levels", WF_TOML_MAX_DEPTH);
  return 1;
}

static wf_toml_value_t *new_value(parser_t *p, wf_toml_kind_t kind, size_t off) {
  uint32_t line, col;
  locate(p, off, &line, &col);
  wf_toml_value_t *v = wf_toml_new(kind, line, col);
  if (!v) fail(p, off, "out of memory");
  return v;
}

/* Adds V under KEY to T; frees V on failure. */
static int add_entry(parser_t *p, wf_toml_value_t *t, const keypart_t *key, wf_toml_value_t *v) {
  if (!wf_toml_table_add(t, key->s, key->len, v)) {
    wf_toml_free(v);
    return fail(p, key->off, "out of memory");
  }
  return 1;
}

static wf_toml_value_t *new_table(parser_t *p, wf_toml_value_t *parent, const keypart_t *key, int origin) {
  wf_toml_value_t *t = new_value(p, WF_TOML_TABLE, key->off);
  if (!t) return NULL;
  t->origin = (uint8_t)origin;
  return add_entry(p, parent, key, t) ? t : NULL;
}

/* Explains why KEY, holding V, cannot be used the way we wanted. */
static int clash(parser_t *p, const keypart_t *key, const wf_toml_value_t *v, const char *why) {
  char kb[64];
  const char *what;
  if (v->kind == WF_TOML_TABLE) {
    switch (v->origin) {
      case WF_TOML_T_HEADER: what = "a table defined by a [header]"; break;
      case WF_TOML_T_DOTTED: what = "a table defined by dotted keys"; break;
      case WF_TOML_T_INLINE: what = "an inline table"; break;
      default: what = "a table"; break;
    }
  } else if (v->kind == WF_TOML_ARRAY) {
    what = v->origin == WF_TOML_A_TABLES ? "an array of tables" : "an array";
  } else {
    what = v->kind == WF_TOML_INT ? "an integer" : NULL;
    if (!what) {
      return fail(p, key->off, "key '%s' is already a %s value (at %u:%u)%s", show_key(key, kb),
                  wf_toml_kind_name(v->kind), v->line, v->col, why);
    }
  }
  return fail(p, key->off, "key '%s' is already %s (at %u:%u)%s", show_key(key, kb), what, v->line, v->col, why);
}

/* [a.b.c] or [[a.b.c]]: P->i at the first '['. */
static int parse_header(parser_t *p) {
  size_t start = p->i;
  int aot = peek_at(p, 1) == '[';
  p->i += aot ? 2 : 1;
  keylist_t k = {0};
  int ok = parse_key(p, &k);
  if (ok) {
    if (peek(p) != ']' || (aot && peek_at(p, 1) != ']')) {
      char sb[16];
      ok = fail(p, p->i, "expected '%s' to close the table header, found %s", aot ? "]]" : "]", show_char(p, p->i, sb));
    } else {
      p->i += aot ? 2 : 1;
    }
  }
  wf_toml_value_t *t = p->root;
  int depth = 0;
  for (size_t j = 0; ok && j + 1 < k.n; j++) {
    const keypart_t *kp = &k.parts[j];
    if (too_deep(p, ++depth, kp->off)) {
      ok = 0;
      break;
    }
    long at = wf_toml_find(t, kp->s, kp->len);
    if (at < 0) {
      t = new_table(p, t, kp, WF_TOML_T_IMPLICIT);
      ok = t != NULL;
      continue;
    }
    wf_toml_value_t *v = t->u.table.items[at].value;
    if (v->kind == WF_TOML_TABLE && v->origin != WF_TOML_T_INLINE) {
      t = v;
    } else if (v->kind == WF_TOML_ARRAY && v->origin == WF_TOML_A_TABLES && v->u.array.n > 0) {
      t = v->u.array.items[v->u.array.n - 1];
      if (too_deep(p, ++depth, kp->off)) ok = 0;
    } else {
      ok = clash(p, kp, v, ", so a table header cannot extend it");
    }
  }
  if (ok) {
    const keypart_t *kp = &k.parts[k.n - 1];
    long at = wf_toml_find(t, kp->s, kp->len);
    wf_toml_value_t *v = at < 0 ? NULL : t->u.table.items[at].value;
    if (too_deep(p, depth + 1 + aot, kp->off)) {
      ok = 0;
    } else if (aot) {
      wf_toml_value_t *arr = v;
      if (!arr) {
        arr = new_value(p, WF_TOML_ARRAY, start);
        if (arr) {
          arr->origin = WF_TOML_A_TABLES;
          if (!add_entry(p, t, kp, arr)) arr = NULL;
        }
        ok = arr != NULL;
      } else if (arr->kind != WF_TOML_ARRAY || arr->origin != WF_TOML_A_TABLES) {
        ok = clash(p, kp, arr, ", so [[...]] cannot append to it");
      }
      if (ok) {
        wf_toml_value_t *el = new_value(p, WF_TOML_TABLE, start);
        ok = el != NULL;
        if (ok && !wf_toml_array_add(arr, el)) {
          wf_toml_free(el);
          ok = fail(p, start, "out of memory");
        }
        if (ok) {
          el->origin = WF_TOML_T_HEADER;
          p->cur = el;
          p->cur_depth = depth + 2;
        }
      }
    } else if (!v) {
      wf_toml_value_t *nt = new_table(p, t, kp, WF_TOML_T_HEADER);
      ok = nt != NULL;
      if (ok) {
        locate(p, start, &nt->line, &nt->col); /* the header, not the key */
        p->cur = nt;
        p->cur_depth = depth + 1;
      }
    } else if (v->kind == WF_TOML_TABLE && v->origin == WF_TOML_T_IMPLICIT) {
      v->origin = WF_TOML_T_HEADER;
      locate(p, start, &v->line, &v->col); /* now defined here */
      p->cur = v;
      p->cur_depth = depth + 1;
    } else {
      ok = clash(p, kp, v, ", so a [table] header cannot define it");
    }
  }
  keys_free(&k);
  return ok && end_of_line(p, "the table header");
}

/* ---- values ---- */

static int parse_value(parser_t *p, int depth, wf_toml_value_t **out);
static int parse_keyval(parser_t *p, wf_toml_value_t *table, int depth);

static int digits_at(const parser_t *p, size_t off, size_t count) {
  if (off > p->n || p->n - off < count) return 0;
  for (size_t k = 0; k < count; k++)
    if (p->s[off + k] < '0' || p->s[off + k] > '9') return 0;
  return 1;
}

static int num2(const parser_t *p, size_t off) { return (p->s[off] - '0') * 10 + (p->s[off + 1] - '0'); }

static int days_in_month(int y, int m) {
  static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return 29;
  return d[m - 1];
}

/* HH:MM:SS[.frac] at P->i. */
static int parse_time(parser_t *p) {
  size_t at = p->i;
  if (!digits_at(p, at, 2) || peek_at(p, 2) != ':' || !digits_at(p, at + 3, 2) || peek_at(p, 5) != ':' ||
      !digits_at(p, at + 6, 2))
    return fail(p, at, "invalid time: expected HH:MM:SS");
  int h = num2(p, at), m = num2(p, at + 3), s = num2(p, at + 6);
  if (h > 23) return fail(p, at, "invalid time: hour %d out of range", h);
  if (m > 59) return fail(p, at + 3, "invalid time: minute %d out of range", m);
  if (s > 60) return fail(p, at + 6, "invalid time: second %d out of range", s);
  p->i += 8;
  if (peek(p) == '.') {
    if (!digits_at(p, p->i + 1, 1)) return fail(p, p->i, "invalid time: expected digits after '.'");
    p->i++;
    while (digits_at(p, p->i, 1)) p->i++;
  }
  return 1;
}

/* A date, date-time or time at P->i (already recognised by its shape). */
static int parse_datetime(parser_t *p, wf_toml_value_t **out) {
  size_t start = p->i;
  wf_toml_kind_t kind;
  if (peek_at(p, 2) == ':') {
    if (!parse_time(p)) return 0;
    kind = WF_TOML_TIME_LOCAL;
  } else {
    if (!digits_at(p, start, 4) || peek_at(p, 4) != '-' || !digits_at(p, start + 5, 2) || peek_at(p, 7) != '-' ||
        !digits_at(p, start + 8, 2))
      return fail(p, start, "invalid date: expected YYYY-MM-DD");
    int y = num2(p, start) * 100 + num2(p, start + 2), mo = num2(p, start + 5), d = num2(p, start + 8);
    if (mo < 1 || mo > 12) return fail(p, start + 5, "invalid date: month %d out of range", mo);
    if (d < 1 || d > days_in_month(y, mo))
      return fail(p, start + 8, "invalid date: day %d out of range for %04d-%02d", d, y, mo);
    p->i += 10;
    kind = WF_TOML_DATE_LOCAL;
    char c = peek(p);
    if (c == 'T' || c == 't' || (c == ' ' && digits_at(p, p->i + 1, 1))) {
      p->i++;
      if (!parse_time(p)) return 0;
      kind = WF_TOML_DATETIME_LOCAL;
      c = peek(p);
      if (c == 'Z' || c == 'z') {
        p->i++;
        kind = WF_TOML_DATETIME;
      } else if (c == '+' || c == '-') {
        size_t o = p->i + 1;
        if (!digits_at(p, o, 2) || peek_at(p, 3) != ':' || !digits_at(p, o + 3, 2))
          return fail(p, p->i, "invalid time offset: expected +HH:MM or -HH:MM");
        if (num2(p, o) > 23 || num2(p, o + 3) > 59) return fail(p, p->i, "invalid time offset: out of range");
        p->i += 6;
        kind = WF_TOML_DATETIME;
      }
    }
  }
  size_t len = p->i - start;
  wf_toml_value_t *v = new_value(p, kind, start);
  if (!v) return 0;
  v->u.str.s = malloc(len + 1);
  if (!v->u.str.s) {
    wf_toml_free(v);
    return fail(p, start, "out of memory");
  }
  memcpy(v->u.str.s, p->s + start, len);
  v->u.str.s[len] = 0;
  v->u.str.len = len;
  if (kind == WF_TOML_DATETIME || kind == WF_TOML_DATETIME_LOCAL) v->u.str.s[10] = 'T';
  if (kind == WF_TOML_DATETIME && v->u.str.s[len - 1] == 'z') v->u.str.s[len - 1] = 'Z';
  *out = v;
  return 1;
}

/* Digits of BASE with underscores only between digits, from TOK[*J].
 * Appends the digits (no underscores) to B. Returns the digit count, or -1. */
static long digit_run(const char *tok, size_t n, size_t *j, int base, char *b, size_t *bl) {
  long count = 0;
  int prev_digit = 0;
  while (*j < n) {
    char c = tok[*j];
    int d = hexval(c);
    if (c == '_') {
      if (!prev_digit || *j + 1 >= n || hexval(tok[*j + 1]) < 0 || hexval(tok[*j + 1]) >= base) return -1;
      prev_digit = 0;
      (*j)++;
      continue;
    }
    if (d < 0 || d >= base) break;
    b[(*bl)++] = c;
    prev_digit = 1;
    count++;
    (*j)++;
  }
  return count;
}

/* Integers, floats, inf and nan at P->i. */
static int parse_number(parser_t *p, wf_toml_value_t **out) {
  size_t start = p->i, end = p->i;
  while (end < p->n && (is_bare(p->s[end]) || p->s[end] == '.' || p->s[end] == '+')) end++;
  const char *tok = p->s + start;
  size_t n = end - start;
  if (n == 0) {
    char sb[16];
    return fail(p, start, "expected a value, found %s", show_char(p, start, sb));
  }
  char *clean = malloc(n + 2);
  if (!clean) return fail(p, start, "out of memory");
  size_t cl = 0, j = 0;
  int neg = 0, is_float = 0, ok = 1;
  double f = 0;
  int64_t iv = 0;
  const char *why = "invalid number";
  if (tok[0] == '+' || tok[0] == '-') {
    neg = tok[0] == '-';
    clean[cl++] = tok[0];
    j = 1;
  }
  if (n - j == 3 && (memcmp(tok + j, "inf", 3) == 0 || memcmp(tok + j, "nan", 3) == 0)) {
    is_float = 1;
    f = tok[j] == 'i' ? (neg ? -INFINITY : INFINITY) : (neg ? -NAN : NAN);
  } else if (n - j >= 2 && tok[j] == '0' && (tok[j + 1] == 'x' || tok[j + 1] == 'o' || tok[j + 1] == 'b')) {
    int base = tok[j + 1] == 'x' ? 16 : tok[j + 1] == 'o' ? 8 : 2;
    j += 2;
    cl = 0;
    long nd = digit_run(tok, n, &j, base, clean, &cl);
    if (tok[0] == '+' || tok[0] == '-') {
      ok = 0;
      why = "a sign is not allowed on hexadecimal, octal or binary integers";
    } else if (nd <= 0 || j != n) {
      ok = 0;
    } else {
      uint64_t u = 0;
      for (size_t k = 0; k < cl && ok; k++) {
        uint64_t d = (uint64_t)hexval(clean[k]);
        if (u > (UINT64_C(0x7fffffffffffffff) - d) / (uint64_t)base) {
          ok = 0;
          why = "integer does not fit in 64 bits";
        }
        u = u * (uint64_t)base + d;
      }
      iv = (int64_t)u;
    }
  } else {
    size_t int_at = cl;
    long nd = digit_run(tok, n, &j, 10, clean, &cl);
    if (nd <= 0) ok = 0;
    else if (nd > 1 && clean[int_at] == '0') {
      ok = 0;
      why = "leading zeros are not allowed";
    }
    if (ok && j < n && tok[j] == '.') {
      is_float = 1;
      clean[cl++] = '.';
      j++;
      if (digit_run(tok, n, &j, 10, clean, &cl) <= 0) ok = 0;
    }
    if (ok && j < n && (tok[j] == 'e' || tok[j] == 'E')) {
      is_float = 1;
      clean[cl++] = 'e';
      j++;
      if (j < n && (tok[j] == '+' || tok[j] == '-')) clean[cl++] = tok[j++];
      if (digit_run(tok, n, &j, 10, clean, &cl) <= 0) ok = 0;
    }
    if (j != n) ok = 0;
    clean[cl] = 0;
    if (ok && is_float) {
      f = strtod(clean, NULL);
    } else if (ok) {
      uint64_t u = 0, lim = neg ? UINT64_C(0x8000000000000000) : UINT64_C(0x7fffffffffffffff);
      for (size_t k = int_at; k < cl && ok; k++) {
        uint64_t d = (uint64_t)(clean[k] - '0');
        if (u > (lim - d) / 10) {
          ok = 0;
          why = "integer does not fit in 64 bits";
        }
        u = u * 10 + d;
      }
      iv = neg ? (int64_t)(0 - u) : (int64_t)u;
    }
  }
  free(clean);
  if (!ok) return fail(p, start, "%s: %.*s", why, (int)(n > 40 ? 40 : n), tok);
  wf_toml_value_t *v = new_value(p, is_float ? WF_TOML_FLOAT : WF_TOML_INT, start);
  if (!v) return 0;
  if (is_float) v->u.f = f;
  else v->u.i = iv;
  p->i = end;
  *out = v;
  return 1;
}

static int parse_array(parser_t *p, int depth, wf_toml_value_t **out) {
  wf_toml_value_t *a = new_value(p, WF_TOML_ARRAY, p->i);
  if (!a) return 0;
  a->origin = WF_TOML_A_STATIC;
  p->i++;
  for (;;) {
    skip_ws_nl(p);
    if (peek(p) == ']') break;
    wf_toml_value_t *v = NULL;
    if (!parse_value(p, depth + 1, &v)) break;
    if (!wf_toml_array_add(a, v)) {
      wf_toml_free(v);
      fail(p, p->i, "out of memory");
      break;
    }
    skip_ws_nl(p);
    if (peek(p) == ',') {
      p->i++;
      continue;
    }
    if (peek(p) == ']') break;
    char sb[16];
    fail(p, p->i, "expected ',' or ']' after an array element, found %s", show_char(p, p->i, sb));
    break;
  }
  if (p->failed) {
    wf_toml_free(a);
    return 0;
  }
  p->i++;
  *out = a;
  return 1;
}

static int parse_inline_table(parser_t *p, int depth, wf_toml_value_t **out) {
  wf_toml_value_t *t = new_value(p, WF_TOML_TABLE, p->i);
  if (!t) return 0;
  t->origin = WF_TOML_T_INLINE;
  p->i++;
  skip_ws(p);
  if (peek(p) != '}') {
    for (;;) {
      if (!parse_keyval(p, t, depth)) break;
      skip_ws(p);
      if (peek(p) == ',') {
        p->i++;
        skip_ws(p);
        if (peek(p) == '}') {
          fail(p, p->i, "trailing comma not allowed in an inline table");
          break;
        }
        continue;
      }
      if (peek(p) == '}') break;
      char sb[16];
      fail(p, p->i, "expected ',' or '}' in an inline table (which must fit on one line), found %s",
           show_char(p, p->i, sb));
      break;
    }
  }
  if (p->failed) {
    wf_toml_free(t);
    return 0;
  }
  p->i++;
  *out = t;
  return 1;
}

/* "expected a value" at AT, naming the bare word found there, if any. */
static int bad_word(parser_t *p, size_t at) {
  size_t e = at;
  while (e < p->n && e - at < 24 && is_bare(p->s[e])) e++;
  if (e > at)
    return fail(p, at, "expected a value, found '%.*s'%s (strings need quotes; true and false are lower-case)",
                (int)(e - at), p->s + at, e - at == 24 ? "..." : "");
  char sb[16];
  return fail(p, at, "expected a value, found %s", show_char(p, at, sb));
}

/* A value at P->i; DEPTH is the depth the value will have in the tree. */
static int parse_value(parser_t *p, int depth, wf_toml_value_t **out) {
  size_t at = p->i;
  if (too_deep(p, depth, at)) return 0;
  char c = peek(p);
  if (c == '"' || c == '\'') {
    sbuf_t b = {0};
    if (!string_any(p, &b) || (!b.s && !sb_push(p, &b, "", 0))) {
      free(b.s);
      return 0;
    }
    wf_toml_value_t *v = new_value(p, WF_TOML_STRING, at);
    if (!v) {
      free(b.s);
      return 0;
    }
    v->u.str.s = b.s;
    v->u.str.len = b.len;
    *out = v;
    return 1;
  }
  if (c == '[') return parse_array(p, depth, out);
  if (c == '{') return parse_inline_table(p, depth, out);
  if (c == 't' || c == 'f') {
    size_t n = c == 't' ? 4 : 5;
    if (p->n - p->i < n || memcmp(p->s + p->i, c == 't' ? "true" : "false", n) != 0 ||
        (p->n - p->i > n && is_bare(p->s[p->i + n])))
      return bad_word(p, at);
    wf_toml_value_t *v = new_value(p, WF_TOML_BOOL, at);
    if (!v) return 0;
    v->u.b = c == 't';
    p->i += n;
    *out = v;
    return 1;
  }
  if (digits_at(p, at, 2) && (peek_at(p, 2) == ':' || (digits_at(p, at + 2, 2) && peek_at(p, 4) == '-')))
    return parse_datetime(p, out);
  if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n') return parse_number(p, out);
  if (at_eof(p) || at_newline(p)) return fail(p, at, "expected a value after '='");
  return bad_word(p, at);
}

/* key = value into TABLE (at DEPTH in the tree). */
static int parse_keyval(parser_t *p, wf_toml_value_t *table, int depth) {
  keylist_t k = {0};
  int ok = parse_key(p, &k);
  if (ok && peek(p) != '=') {
    char sb[16];
    ok = fail(p, p->i, "expected '=' after key, found %s", show_char(p, p->i, sb));
  }
  wf_toml_value_t *t = table;
  for (size_t j = 0; ok && j + 1 < k.n; j++) {
    const keypart_t *kp = &k.parts[j];
    if (too_deep(p, ++depth, kp->off)) {
      ok = 0;
      break;
    }
    long at = wf_toml_find(t, kp->s, kp->len);
    if (at < 0) {
      t = new_table(p, t, kp, WF_TOML_T_DOTTED);
      ok = t != NULL;
      continue;
    }
    wf_toml_value_t *v = t->u.table.items[at].value;
    if (v->kind == WF_TOML_TABLE && (v->origin == WF_TOML_T_DOTTED || v->origin == WF_TOML_T_IMPLICIT)) {
      v->origin = WF_TOML_T_DOTTED;
      t = v;
    } else {
      ok = clash(p, kp, v, ", so a dotted key cannot extend it");
    }
  }
  if (ok) {
    const keypart_t *kp = &k.parts[k.n - 1];
    long at = wf_toml_find(t, kp->s, kp->len);
    if (at >= 0) {
      char kb[64];
      const wf_toml_value_t *v = t->u.table.items[at].value;
      ok = fail(p, kp->off, "duplicate key '%s' (first defined at %u:%u)", show_key(kp, kb), v->line, v->col);
    } else {
      p->i++; /* '=' */
      skip_ws(p);
      wf_toml_value_t *v = NULL;
      ok = parse_value(p, depth + 1, &v) && add_entry(p, t, kp, v);
    }
  }
  keys_free(&k);
  return ok;
}

/* ---- document ---- */

wf_toml_value_t *wf_toml_parse(const char *buf, size_t len, const char *fname, wf_error_t *err) {
  parser_t p = {0};
  p.s = buf ? buf : "";
  p.n = buf ? len : 0;
  p.fname = fname ? fname : "<input>";
  p.err = err;
  p.loc_line = p.loc_col = 1;
  if (err) memset(err, 0, sizeof *err);
  size_t start = 0;
  if (p.n >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0) start = 3;
  if (!check_text(&p, start)) return NULL;
  p.root = new_value(&p, WF_TOML_TABLE, 0);
  if (!p.root) return NULL;
  p.root->origin = WF_TOML_T_ROOT;
  p.cur = p.root;
  p.cur_depth = 0;
  p.i = start;
  for (;;) {
    skip_ws(&p);
    if (at_eof(&p)) break;
    char c = peek(&p);
    if (c == '#') {
      skip_comment(&p);
    } else if (at_newline(&p)) {
      skip_newline(&p);
    } else if (c == '[') {
      if (!parse_header(&p)) break;
    } else {
      if (!parse_keyval(&p, p.cur, p.cur_depth) || !end_of_line(&p, "the value")) break;
    }
  }
  if (p.failed) {
    wf_toml_free(p.root);
    return NULL;
  }
  return p.root;
}

wf_toml_value_t *wf_toml_parse_file(const char *path, wf_error_t *err) {
  if (err) memset(err, 0, sizeof *err);
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f) {
    if (err) {
      err->failed = 1;
      snprintf(err->msg, sizeof err->msg, "%s: cannot open: %s", path ? path : "(null)", strerror(errno));
    }
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  const char *why = buf ? NULL : "out of memory";
  while (!why) {
    if (n > WF_TOML_MAX_FILE) {
      why = "file too large";
      break;
    }
    if (n == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        why = "out of memory";
        break;
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) why = "read error";
      break;
    }
  }
  fclose(f);
  if (why) {
    free(buf);
    if (err) {
      err->failed = 1;
      snprintf(err->msg, sizeof err->msg, "%s: %s", path, why);
    }
    return NULL;
  }
  wf_toml_value_t *doc = wf_toml_parse(buf, n, path, err);
  free(buf);
  return doc;
}
