/* TOML parser, the scalar values: basic, literal and multi-line strings
 * (with escapes), offset/local date-times, dates and times (range-checked),
 * and integers (decimal, hex, octal, binary; 64-bit overflow-checked),
 * floats, inf and nan. Each parses at p->i and records one error on failure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/toml_internal.h"
#include "util/utf8.h"

/* ---- strings ---- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int put_utf8(wf_toml_parser_t *p, wf_toml_sbuf_t *b, uint32_t cp) {
  char u[4];
  return wf_toml_sb_push(p, b, u, wf_utf8_encode(cp, u));
}

/* P->i is at the backslash. */
static int escape(wf_toml_parser_t *p, wf_toml_sbuf_t *b) {
  size_t at = p->i;
  char c = wf_toml_peek_at(p, 1);
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
    return wf_toml_sb_byte(p, b, simple[0]);
  }
  if (c == 'u' || c == 'U') {
    size_t nd = c == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (size_t k = 0; k < nd; k++) {
      int h = hexval(wf_toml_peek_at(p, 2 + k));
      if (h < 0) return wf_toml_fail(p, at, "\\%c escape needs %zu hex digits", c, nd);
      if (cp > 0x10FFFF) continue; /* already invalid; keep reading digits */
      cp = cp * 16 + (uint32_t)h;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return wf_toml_fail(p, at, "escape \\%c%.*s is not a Unicode scalar value", c, (int)nd, p->s + at + 2);
    p->i += 2 + nd;
    return put_utf8(p, b, cp);
  }
  char sb[16];
  return wf_toml_fail(p, at, "invalid escape sequence: backslash followed by %s", wf_toml_show_char(p, at + 1, sb));
}

/* Parses a single-line basic or literal string (P->i at the quote) into B. */
int wf_toml_string_line(wf_toml_parser_t *p, wf_toml_sbuf_t *b) {
  size_t start = p->i;
  char q = p->s[p->i++];
  for (;;) {
    if (wf_toml_at_eof(p)) return wf_toml_fail(p, start, "unterminated string");
    char c = p->s[p->i];
    if (c == q) {
      p->i++;
      return 1;
    }
    if (c == '\n' || c == '\r')
      return wf_toml_fail(p, p->i, "newline in a single-line string (use \"\"\" for multi-line)");
    if (c == '\\' && q == '"') {
      if (!escape(p, b)) return 0;
      continue;
    }
    if (!wf_toml_sb_byte(p, b, c)) return 0;
    p->i++;
  }
}

/* Parses a multi-line string (P->i at the first of three quotes) into B. */
static int string_multi(wf_toml_parser_t *p, wf_toml_sbuf_t *b) {
  size_t start = p->i;
  char q = p->s[p->i];
  p->i += 3;
  if (wf_toml_at_newline(p)) wf_toml_skip_newline(p); /* a newline right after the opener is trimmed */
  for (;;) {
    if (wf_toml_at_eof(p)) return wf_toml_fail(p, start, "unterminated multi-line string");
    char c = p->s[p->i];
    if (c == q) {
      size_t run = 0;
      while (p->i + run < p->n && p->s[p->i + run] == q) run++;
      if (run >= 3) {
        if (run > 5) return wf_toml_fail(p, p->i + 5, "too many quotes at the end of a multi-line string");
        for (size_t k = 0; k < run - 3; k++)
          if (!wf_toml_sb_byte(p, b, q)) return 0;
        p->i += run;
        return 1;
      }
      for (size_t k = 0; k < run; k++)
        if (!wf_toml_sb_byte(p, b, q)) return 0;
      p->i += run;
      continue;
    }
    if (c == '\\' && q == '"') {
      /* line-ending backslash: \ [spaces] newline, then all whitespace */
      size_t j = p->i + 1;
      while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t')) j++;
      if (j < p->n && (p->s[j] == '\n' || p->s[j] == '\r')) {
        p->i = j;
        while (!wf_toml_at_eof(p) && (wf_toml_peek(p) == ' ' || wf_toml_peek(p) == '\t' || wf_toml_at_newline(p))) {
          if (wf_toml_at_newline(p)) wf_toml_skip_newline(p);
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
    if (!wf_toml_sb_byte(p, b, c)) return 0;
    p->i++;
  }
}

/* Any string at P->i into B (fresh). */
int wf_toml_string_any(wf_toml_parser_t *p, wf_toml_sbuf_t *b) {
  char q = wf_toml_peek(p);
  if (wf_toml_peek_at(p, 1) == q && wf_toml_peek_at(p, 2) == q) return string_multi(p, b);
  return wf_toml_string_line(p, b);
}


/* ---- date-times ---- */

int wf_toml_digits_at(const wf_toml_parser_t *p, size_t off, size_t count) {
  if (off > p->n || p->n - off < count) return 0;
  for (size_t k = 0; k < count; k++)
    if (p->s[off + k] < '0' || p->s[off + k] > '9') return 0;
  return 1;
}

static int num2(const wf_toml_parser_t *p, size_t off) { return (p->s[off] - '0') * 10 + (p->s[off + 1] - '0'); }

static int days_in_month(int y, int m) {
  static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return 29;
  return d[m - 1];
}

/* HH:MM:SS[.frac] at P->i. */
static int parse_time(wf_toml_parser_t *p) {
  size_t at = p->i;
  if (!wf_toml_digits_at(p, at, 2) || wf_toml_peek_at(p, 2) != ':' || !wf_toml_digits_at(p, at + 3, 2) ||
      wf_toml_peek_at(p, 5) != ':' || !wf_toml_digits_at(p, at + 6, 2))
    return wf_toml_fail(p, at, "invalid time: expected HH:MM:SS");
  int h = num2(p, at), m = num2(p, at + 3), s = num2(p, at + 6);
  if (h > 23) return wf_toml_fail(p, at, "invalid time: hour %d out of range", h);
  if (m > 59) return wf_toml_fail(p, at + 3, "invalid time: minute %d out of range", m);
  if (s > 60) return wf_toml_fail(p, at + 6, "invalid time: second %d out of range", s);
  p->i += 8;
  if (wf_toml_peek(p) == '.') {
    if (!wf_toml_digits_at(p, p->i + 1, 1)) return wf_toml_fail(p, p->i, "invalid time: expected digits after '.'");
    p->i++;
    while (wf_toml_digits_at(p, p->i, 1)) p->i++;
  }
  return 1;
}

/* A date, date-time or time at P->i (already recognised by its shape). */
int wf_toml_parse_datetime(wf_toml_parser_t *p, wf_toml_value_t **out) {
  size_t start = p->i;
  wf_toml_kind_t kind;
  if (wf_toml_peek_at(p, 2) == ':') {
    if (!parse_time(p)) return 0;
    kind = WF_TOML_TIME_LOCAL;
  } else {
    if (!wf_toml_digits_at(p, start, 4) || wf_toml_peek_at(p, 4) != '-' || !wf_toml_digits_at(p, start + 5, 2) ||
        wf_toml_peek_at(p, 7) != '-' || !wf_toml_digits_at(p, start + 8, 2))
      return wf_toml_fail(p, start, "invalid date: expected YYYY-MM-DD");
    int y = num2(p, start) * 100 + num2(p, start + 2), mo = num2(p, start + 5), d = num2(p, start + 8);
    if (mo < 1 || mo > 12) return wf_toml_fail(p, start + 5, "invalid date: month %d out of range", mo);
    if (d < 1 || d > days_in_month(y, mo))
      return wf_toml_fail(p, start + 8, "invalid date: day %d out of range for %04d-%02d", d, y, mo);
    p->i += 10;
    kind = WF_TOML_DATE_LOCAL;
    char c = wf_toml_peek(p);
    if (c == 'T' || c == 't' || (c == ' ' && wf_toml_digits_at(p, p->i + 1, 1))) {
      p->i++;
      if (!parse_time(p)) return 0;
      kind = WF_TOML_DATETIME_LOCAL;
      c = wf_toml_peek(p);
      if (c == 'Z' || c == 'z') {
        p->i++;
        kind = WF_TOML_DATETIME;
      } else if (c == '+' || c == '-') {
        size_t o = p->i + 1;
        if (!wf_toml_digits_at(p, o, 2) || wf_toml_peek_at(p, 3) != ':' || !wf_toml_digits_at(p, o + 3, 2))
          return wf_toml_fail(p, p->i, "invalid time offset: expected +HH:MM or -HH:MM");
        if (num2(p, o) > 23 || num2(p, o + 3) > 59) return wf_toml_fail(p, p->i, "invalid time offset: out of range");
        p->i += 6;
        kind = WF_TOML_DATETIME;
      }
    }
  }
  size_t len = p->i - start;
  wf_toml_value_t *v = wf_toml_new_value(p, kind, start);
  if (!v) return 0;
  v->u.str.s = malloc(len + 1);
  if (!v->u.str.s) {
    wf_toml_free(v);
    return wf_toml_fail(p, start, "out of memory");
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

/* ---- numbers ---- */

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
int wf_toml_parse_number(wf_toml_parser_t *p, wf_toml_value_t **out) {
  size_t start = p->i, end = p->i;
  while (end < p->n && (wf_toml_is_bare(p->s[end]) || p->s[end] == '.' || p->s[end] == '+')) end++;
  const char *tok = p->s + start;
  size_t n = end - start;
  if (n == 0) {
    char sb[16];
    return wf_toml_fail(p, start, "expected a value, found %s", wf_toml_show_char(p, start, sb));
  }
  char *clean = malloc(n + 2);
  if (!clean) return wf_toml_fail(p, start, "out of memory");
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
  if (!ok) return wf_toml_fail(p, start, "%s: %.*s", why, (int)(n > 40 ? 40 : n), tok);
  wf_toml_value_t *v = wf_toml_new_value(p, is_float ? WF_TOML_FLOAT : WF_TOML_INT, start);
  if (!v) return 0;
  if (is_float) v->u.f = f;
  else v->u.i = iv;
  p->i = end;
  *out = v;
  return 1;
}
