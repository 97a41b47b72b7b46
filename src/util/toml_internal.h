/* Internal to the TOML parser: tree building shared by toml.c and
 * toml_value.c, and the parser state shared by toml.c (document structure),
 * toml_text.c (input text, positions, errors) and toml_scalar.c (strings,
 * numbers, date-times). Not for the rest of weft (use toml.h). */
#ifndef WF_UTIL_TOML_INTERNAL_H
#define WF_UTIL_TOML_INTERNAL_H

#include "util/toml.h"

/* wf_toml_value_t.origin for tables */
enum {
  WF_TOML_T_ROOT,
  WF_TOML_T_IMPLICIT,  /* created as the parent of a [a.b] header */
  WF_TOML_T_HEADER,    /* defined by a [header] or an [[array]] element */
  WF_TOML_T_DOTTED,    /* created by a dotted key: a.b = 1 */
  WF_TOML_T_INLINE,    /* an inline table { ... } */
};
/* wf_toml_value_t.origin for arrays */
enum {
  WF_TOML_A_STATIC,    /* an array literal [ ... ] */
  WF_TOML_A_TABLES,    /* an array of tables built by [[header]] */
};

/* A fresh value of kind K (zeroed payload), or NULL when out of memory. */
wf_toml_value_t *wf_toml_new(wf_toml_kind_t k, uint32_t line, uint32_t col);
/* Index of KEY in table T, or -1. */
long wf_toml_find(const wf_toml_value_t *t, const char *key, size_t keylen);
/* Appends KEY (copied) = V to table T, which must not hold KEY. On success
 * T owns V. Returns 0 when out of memory (V is then not owned). */
int wf_toml_table_add(wf_toml_value_t *t, const char *key, size_t keylen, wf_toml_value_t *v);
/* Appends V to array A; on success A owns V. Returns 0 when out of memory. */
int wf_toml_array_add(wf_toml_value_t *a, wf_toml_value_t *v);

/* ---- the parser ---- */

/* A growable byte buffer, NUL-terminated once non-empty (s NULL before). */
typedef struct {
  char *s;
  size_t len, cap;
} wf_toml_sbuf_t;

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
} wf_toml_parser_t;

/* toml_text.c */
/* Line and column (from 1; columns in characters) of byte offset OFF. */
void wf_toml_locate(wf_toml_parser_t *p, size_t off, uint32_t *line, uint32_t *col);
/* Records the first error as "FILE:LINE:COL: message" at OFF; returns 0. */
int wf_toml_fail(wf_toml_parser_t *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A short printable rendering of the character at OFF for messages. */
const char *wf_toml_show_char(wf_toml_parser_t *p, size_t off, char buf[16]);
/* Append N bytes / one byte to B; 0 (error recorded) when out of memory. */
int wf_toml_sb_push(wf_toml_parser_t *p, wf_toml_sbuf_t *b, const char *d, size_t n);
int wf_toml_sb_byte(wf_toml_parser_t *p, wf_toml_sbuf_t *b, char c);
/* UTF-8 validity, control characters and bare CRs over the input from START. */
int wf_toml_check_text(wf_toml_parser_t *p, size_t start);

/* toml.c */
/* A fresh value of KIND positioned at OFF; NULL (error recorded) on OOM. */
wf_toml_value_t *wf_toml_new_value(wf_toml_parser_t *p, wf_toml_kind_t kind, size_t off);

/* toml_scalar.c; each parses at P->i and returns 0 with an error recorded. */
/* A single-line basic or literal string (P->i at the quote) into B. */
int wf_toml_string_line(wf_toml_parser_t *p, wf_toml_sbuf_t *b);
/* Any string, single- or multi-line, into B (fresh). */
int wf_toml_string_any(wf_toml_parser_t *p, wf_toml_sbuf_t *b);
/* COUNT decimal digits at OFF? */
int wf_toml_digits_at(const wf_toml_parser_t *p, size_t off, size_t count);
/* A date, date-time or time (already recognised by its shape). */
int wf_toml_parse_datetime(wf_toml_parser_t *p, wf_toml_value_t **out);
/* Integers, floats, inf and nan. */
int wf_toml_parse_number(wf_toml_parser_t *p, wf_toml_value_t **out);

/* Cursor helpers. */
static inline int wf_toml_at_eof(const wf_toml_parser_t *p) { return p->i >= p->n; }
static inline char wf_toml_peek(const wf_toml_parser_t *p) { return p->i < p->n ? p->s[p->i] : 0; }
static inline char wf_toml_peek_at(const wf_toml_parser_t *p, size_t k) {
  return k < p->n - p->i ? p->s[p->i + k] : 0;
}
static inline int wf_toml_at_newline(const wf_toml_parser_t *p) {
  char c = wf_toml_peek(p);
  return c == '\n' || (c == '\r' && wf_toml_peek_at(p, 1) == '\n');
}
static inline void wf_toml_skip_newline(wf_toml_parser_t *p) { p->i += wf_toml_peek(p) == '\r' ? 2 : 1; }
static inline int wf_toml_is_bare(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

#endif
