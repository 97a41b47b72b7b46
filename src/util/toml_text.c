/* TOML parser, the input text as such: the up-front check of the whole
 * input (UTF-8 validity, control characters, bare carriage returns), byte
 * offsets to line:column, error messages, and the growable byte buffer the
 * scalar parsers fill. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/toml_internal.h"

/* ---- errors and positions ---- */

void wf_toml_locate(wf_toml_parser_t *p, size_t off, uint32_t *line, uint32_t *col) {
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

int wf_toml_fail(wf_toml_parser_t *p, size_t off, const char *fmt, ...) {
  if (p->failed) return 0;
  p->failed = 1;
  if (!p->err) return 0;
  uint32_t line, col;
  wf_toml_locate(p, off, &line, &col);
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
const char *wf_toml_show_char(wf_toml_parser_t *p, size_t off, char buf[16]) {
  if (off >= p->n) return "end of input";
  unsigned char c = (unsigned char)p->s[off];
  if (c == '\n' || c == '\r') return "end of line";
  if (c >= 0x21 && c < 0x7f) snprintf(buf, 16, "'%c'", c);
  else if (c == ' ') return "' '";
  else if (c == '\t') return "tab";
  else snprintf(buf, 16, "byte 0x%02x", c);
  return buf;
}

/* ---- growable byte buffer ---- */

int wf_toml_sb_push(wf_toml_parser_t *p, wf_toml_sbuf_t *b, const char *d, size_t n) {
  if (n > SIZE_MAX - b->len - 1) return wf_toml_fail(p, p->i, "out of memory");
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->len + n + 1) {
      if (cap > SIZE_MAX / 2) return wf_toml_fail(p, p->i, "out of memory");
      cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) return wf_toml_fail(p, p->i, "out of memory");
    b->s = s;
    b->cap = cap;
  }
  memcpy(b->s + b->len, d, n);
  b->len += n;
  b->s[b->len] = 0;
  return 1;
}

int wf_toml_sb_byte(wf_toml_parser_t *p, wf_toml_sbuf_t *b, char c) { return wf_toml_sb_push(p, b, &c, 1); }

/* ---- the text as a whole ---- */

int wf_toml_check_text(wf_toml_parser_t *p, size_t start) {
  const unsigned char *s = (const unsigned char *)p->s;
  size_t n = p->n;
  for (size_t i = start; i < n;) {
    unsigned c = s[i];
    if (c < 0x80) {
      if (c == '\r') {
        if (i + 1 >= n || s[i + 1] != '\n') return wf_toml_fail(p, i, "carriage return not followed by a newline");
      } else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
        return wf_toml_fail(p, i, "control character U+%04X is not allowed", c);
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
      return wf_toml_fail(p, i, "invalid UTF-8 byte 0x%02x", c);
    }
    if (n - i - 1 < need) return wf_toml_fail(p, i, "truncated UTF-8 sequence");
    if (s[i + 1] < lo || s[i + 1] > hi) return wf_toml_fail(p, i, "invalid UTF-8 sequence");
    for (size_t k = 2; k <= need; k++)
      if ((s[i + k] & 0xC0) != 0x80) return wf_toml_fail(p, i, "invalid UTF-8 sequence");
    i += need + 1;
  }
  return 1;
}
