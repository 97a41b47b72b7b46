/* WAVE (WebAssembly Value Encoding): the untyped text layer.
 *
 * Parses component values written as text, e.g. the call
 *   f(1, "x", [1, 2], {a: 1}, ok(3), some(x), none, {flag-a, flag-b})
 * into a tree of syntax nodes. No component types are involved here: a later
 * step checks and converts the nodes against a function's parameter types.
 *
 * Syntax accepted (after wasm-tools' wasm-wave):
 *   bool     true | false
 *   number   -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?  |  nan | inf | -inf
 *   char     'x'   escapes \n \t \r \' \" \\ \u{X..X} (a Unicode scalar value)
 *   string   "..." same escapes, decoded to UTF-8 (may contain NUL bytes);
 *            raw ' and CR allowed, raw LF not
 *   list     [v, ...]        tuple (v, ...)  (at least one element)
 *   record   {name: v, ...}  flags {name, ...}  `{}` is EMPTY_BRACES
 *   label    kebab-case name (enum case, payload-less variant case, none, ok, err)
 *   case     name(v)  (variant case / some / ok / err with one payload)
 * Names are kebab-case: words of [a-z0-9] or [A-Z0-9], each starting with a
 * letter, joined by '-'. A leading '%' escapes a keyword (%true, %none, ...).
 * Trailing commas are allowed. Whitespace: space, tab, CR, LF; `//` comments
 * run to the end of the line. Multi-line strings: `"""` + line break, lines,
 * then a line of spaces + `"""`; that line's indentation is removed from each
 * content line and the final line break is dropped.
 *
 * Limits: nesting depth WF_WAVE_MAX_DEPTH, total nodes WF_WAVE_MAX_NODES.
 * Errors read "col C: what" (or "line L, col C: what"); err->offset is the
 * byte offset. */
#ifndef WF_WAVE_H
#define WF_WAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/error.h"

#define WF_WAVE_MAX_DEPTH 100
#define WF_WAVE_MAX_NODES 100000

typedef enum {
  WF_WAVE_BOOL,
  WF_WAVE_NUMBER,
  WF_WAVE_CHAR,
  WF_WAVE_STRING,
  WF_WAVE_LIST,
  WF_WAVE_TUPLE,
  WF_WAVE_RECORD,
  WF_WAVE_FLAGS,
  WF_WAVE_EMPTY_BRACES, /* `{}`: empty flags or empty record, decided by type */
  WF_WAVE_LABEL,
  WF_WAVE_CASE
} wf_wave_kind_t;

typedef struct wf_wave_node wf_wave_node_t;
struct wf_wave_node {
  wf_wave_kind_t kind;
  size_t offset;          /* byte offset of the node's first character */
  bool b;                 /* BOOL: the value */
  bool is_float;          /* NUMBER: float syntax (., e, nan, inf) */
  bool escaped;           /* LABEL / CASE: written with '%' (e.g. %none) */
  uint32_t ch;            /* CHAR: the Unicode scalar value */
  /* NUMBER: exact source text. STRING: decoded UTF-8. LABEL / CASE: the name
   * without any '%'. NUL-terminated, text_len excludes the NUL. */
  char *text;
  size_t text_len;
  /* LIST / TUPLE / RECORD: items[0..n). CASE: items[0] is the payload, n = 1.
   * RECORD / FLAGS: names[0..n) (without '%'), NUL-terminated. */
  wf_wave_node_t **items;
  char **names;
  size_t n;
};

typedef struct {
  char *name;             /* function name (kebab-case, without '%') */
  wf_wave_node_t **args;
  size_t nargs;
} wf_wave_call_t;

/* Parse exactly one value (surrounding whitespace/comments allowed). Returns
 * NULL and fills *err on failure. Free with wf_wave_free. */
wf_wave_node_t *wf_wave_parse_value(const char *text, size_t len, wf_error_t *err);
/* Parse `name(arg, ...)`. Returns NULL and fills *err on failure. */
wf_wave_call_t *wf_wave_parse_call(const char *text, size_t len, wf_error_t *err);
void wf_wave_free(wf_wave_node_t *n);
void wf_wave_call_free(wf_wave_call_t *c);

/* Growable output buffer for the printer. Start zeroed; free data when done.
 * oom is set (and output stops growing) if an allocation fails. */
typedef struct {
  char *data;             /* NUL-terminated when len > 0 */
  size_t len, cap;
  bool oom;
} wf_wave_buf_t;

/* Canonical WAVE text: `, ` separators, no trailing commas, strings and chars
 * escaped, keyword-named labels %-escaped. Returns false on OOM or on a node
 * tree deeper than WF_WAVE_MAX_DEPTH. */
bool wf_wave_print(const wf_wave_node_t *n, wf_wave_buf_t *buf);
bool wf_wave_print_call(const wf_wave_call_t *c, wf_wave_buf_t *buf);
void wf_wave_buf_free(wf_wave_buf_t *buf);

/* Structural equality (numbers compare by source text). */
bool wf_wave_equal(const wf_wave_node_t *a, const wf_wave_node_t *b);

const char *wf_wave_kind_name(wf_wave_kind_t k);

#endif
