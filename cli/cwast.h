/* weft wast on Component Model scripts: internal interfaces between the
 * runner (cwast.c), its s-expression reader (cwast_sexpr.c) and its value
 * helpers (cwast_values.c). */
#ifndef WEFT_CLI_CWAST_H
#define WEFT_CLI_CWAST_H

#include <stddef.h>
#include <stdint.h>

#include "wast_fork.h"
#include "weft.h"

/* ---- the runner (cwast.c) ---- */

/* 1 if the script at `path` is a Component Model script: it has a command
 * "component", "component definition" or "component instance", an assertion
 * given only as text, or its first binary is a component. */
int cwast_is_component_script(const char *path);
/* Runs one Component Model script (in a forked child unless fork_ is 0),
 * prints its summary line and returns its counts in *out. */
void cwast_run(const char *path, int verbose, int fork_, unsigned timeout, wast_counts_t *out);
/* Prints the total of several scripts: the skip reasons, then
 * "<label>: N passed, M failed, K skipped". */
void cwast_print_total(const char *label, const wast_counts_t *total);

/* ---- s-expressions (cwast_sexpr.c) ---- */

typedef enum { CW_LIST = 0, CW_ATOM, CW_STRING } cw_sxkind_t;

typedef struct cw_sx cw_sx_t;
struct cw_sx {
  cw_sxkind_t kind;
  const char *s;       /* ATOM: the token; STRING: the decoded bytes (NUL-terminated) */
  size_t len;
  cw_sx_t *items;      /* LIST: its elements */
  size_t n;
  size_t off, end;     /* [off, end): where the node is in the source text */
};

#define CW_SX_MAX_DEPTH 128

typedef struct cw_sxdoc cw_sxdoc_t;

/* Parses one s-expression (wast syntax: atoms, "strings" with \t \n \r \"
 * \' \\ \hh \u{h+} escapes, ;; and (; ;) comments). Returns NULL with a
 * reason (and the column) in why on error. */
cw_sxdoc_t *cw_sx_parse(const char *text, size_t len, char *why, size_t whylen);
const cw_sx_t *cw_sx_root(const cw_sxdoc_t *doc);
/* The source text the document was parsed from. */
const char *cw_sx_text(const cw_sxdoc_t *doc);
void cw_sx_free(cw_sxdoc_t *doc);
/* 1 if x is the atom `word`. */
int cw_sx_is(const cw_sx_t *x, const char *word);
/* Writes the source text of x (bounded, "..." when cut) into buf. */
void cw_sx_show(const cw_sxdoc_t *doc, const cw_sx_t *x, char *buf, size_t cap);
/* Decodes one UTF-8 scalar at s[0..len): returns its length (1..4) and the
 * value in *cp, or 0 if the bytes are not valid UTF-8. */
size_t cw_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* 1 if s[0..len) is valid UTF-8. */
int cw_utf8_valid(const char *s, size_t len);

/* ---- values (cwast_values.c) ---- */

/* Converts a wast value to a weft_val_t of type t: `head` is the value's
 * head atom ("u32.const", "list.const", ...) and args[0..nargs) what follows
 * it. Nested storage comes from `arena`; strings point into the s-expression
 * (keep it alive). Returns 0, or -1 with a reason in why. */
int cw_val_from_sx(const cw_sx_t *head, const cw_sx_t *args, size_t nargs, weft_type_t t,
                   weft_arena_t *arena, weft_val_t *out, char *why, size_t whylen);
/* The same for a parenthesised value "(u32.const 1)". */
int cw_val_from_list(const cw_sx_t *x, weft_type_t t, weft_arena_t *arena, weft_val_t *out,
                     char *why, size_t whylen);
/* Checks that v has the shape of type t (kinds, lengths, case indices,
 * chars, UTF-8): 0, or -1 with what is wrong in why. */
int cw_val_check(weft_type_t t, const weft_val_t *v, char *why, size_t whylen);
/* 1 if a and b (both checked against the same type) are equal; NaNs are
 * equal to each other. */
int cw_val_equal(const weft_val_t *a, const weft_val_t *b);
/* Writes v as a wast value ("(u32.const 7)", "(record.const (field ...))")
 * into buf, using t for names; cut with "..." when too long. */
void cw_val_format(weft_type_t t, const weft_val_t *v, char *buf, size_t cap);
/* Writes t as text ("u32", "list<string>"), or "(none)". */
void cw_type_name(weft_type_t t, char *buf, size_t cap);

#endif
