/* TOML 1.0 parser, the document structure: keys, [headers] and [[arrays of
 * tables]], key/values, arrays, inline tables, redefinition rules. The input
 * text as such is in toml_text.c, strings/numbers/date-times in toml_scalar.c.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/toml_internal.h"

typedef struct {
  char *s;
  size_t len;
  size_t off;  /* where the key part starts in the input */
} keypart_t;

typedef struct {
  keypart_t *parts;
  size_t n, cap;
} keylist_t;

/* ---- messages ---- */

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

/* ---- whitespace, comments, newlines ---- */

static void skip_ws(wf_toml_parser_t *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t')) p->i++;
}

static void skip_comment(wf_toml_parser_t *p) {
  if (wf_toml_peek(p) != '#') return;
  while (p->i < p->n && !wf_toml_at_newline(p)) p->i++;
}

/* Spaces, tabs, newlines and comments (inside arrays). */
static void skip_ws_nl(wf_toml_parser_t *p) {
  for (;;) {
    skip_ws(p);
    if (wf_toml_peek(p) == '#') skip_comment(p);
    if (wf_toml_at_eof(p) || !wf_toml_at_newline(p)) return;
    wf_toml_skip_newline(p);
  }
}

/* After a header or key/value: optional spaces and comment, then a newline
 * or the end of the input. */
static int end_of_line(wf_toml_parser_t *p, const char *after) {
  skip_ws(p);
  skip_comment(p);
  if (wf_toml_at_eof(p)) return 1;
  if (wf_toml_at_newline(p)) {
    wf_toml_skip_newline(p);
    return 1;
  }
  char b[16];
  return wf_toml_fail(p, p->i, "expected a newline after %s, found %s", after, wf_toml_show_char(p, p->i, b));
}

/* ---- keys ---- */

static void keys_free(keylist_t *k) {
  for (size_t j = 0; j < k->n; j++) free(k->parts[j].s);
  free(k->parts);
  k->parts = NULL;
  k->n = k->cap = 0;
}

/* key = simple-key *( ws "." ws simple-key ), with leading/trailing ws. */
static int parse_key(wf_toml_parser_t *p, keylist_t *k) {
  for (;;) {
    skip_ws(p);
    size_t off = p->i;
    wf_toml_sbuf_t b = {0};
    char c = wf_toml_peek(p);
    if (c == '"' || c == '\'') {
      if (wf_toml_peek_at(p, 1) == c && wf_toml_peek_at(p, 2) == c)
        return wf_toml_fail(p, off, "a multi-line string cannot be a key");
      if (!wf_toml_string_line(p, &b)) {
        free(b.s);
        return 0;
      }
    } else if (wf_toml_is_bare(c)) {
      size_t j = p->i;
      while (j < p->n && wf_toml_is_bare(p->s[j])) j++;
      if (!wf_toml_sb_push(p, &b, p->s + p->i, j - p->i)) {
        free(b.s);
        return 0;
      }
      p->i = j;
    } else {
      char sb[16];
      return wf_toml_fail(p, off, "expected a key, found %s", wf_toml_show_char(p, off, sb));
    }
    if (!b.s && !wf_toml_sb_push(p, &b, "", 0)) return 0; /* "" key: still own a buffer */
    if (k->n == k->cap) {
      size_t cap = k->cap ? k->cap * 2 : 4;
      keypart_t *np = cap <= SIZE_MAX / sizeof *np ? realloc(k->parts, cap * sizeof *np) : NULL;
      if (!np) {
        free(b.s);
        return wf_toml_fail(p, off, "out of memory");
      }
      k->parts = np;
      k->cap = cap;
    }
    k->parts[k->n++] = (keypart_t){b.s, b.len, off};
    skip_ws(p);
    if (wf_toml_peek(p) != '.') return 1;
    p->i++;
  }
}

/* ---- tables ---- */

static int too_deep(wf_toml_parser_t *p, int depth, size_t off) {
  if (depth <= WF_TOML_MAX_DEPTH) return 0;
  wf_toml_fail(p, off, "nesting deeper than %d levels", WF_TOML_MAX_DEPTH);
  return 1;
}

wf_toml_value_t *wf_toml_new_value(wf_toml_parser_t *p, wf_toml_kind_t kind, size_t off) {
  uint32_t line, col;
  wf_toml_locate(p, off, &line, &col);
  wf_toml_value_t *v = wf_toml_new(kind, line, col);
  if (!v) wf_toml_fail(p, off, "out of memory");
  return v;
}

/* Adds V under KEY to T; frees V on failure. */
static int add_entry(wf_toml_parser_t *p, wf_toml_value_t *t, const keypart_t *key, wf_toml_value_t *v) {
  if (!wf_toml_table_add(t, key->s, key->len, v)) {
    wf_toml_free(v);
    return wf_toml_fail(p, key->off, "out of memory");
  }
  return 1;
}

static wf_toml_value_t *new_table(wf_toml_parser_t *p, wf_toml_value_t *parent, const keypart_t *key, int origin) {
  wf_toml_value_t *t = wf_toml_new_value(p, WF_TOML_TABLE, key->off);
  if (!t) return NULL;
  t->origin = (uint8_t)origin;
  return add_entry(p, parent, key, t) ? t : NULL;
}

/* Explains why KEY, holding V, cannot be used the way we wanted. */
static int clash(wf_toml_parser_t *p, const keypart_t *key, const wf_toml_value_t *v, const char *why) {
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
      return wf_toml_fail(p, key->off, "key '%s' is already a %s value (at %u:%u)%s", show_key(key, kb),
                  wf_toml_kind_name(v->kind), v->line, v->col, why);
    }
  }
  return wf_toml_fail(p, key->off, "key '%s' is already %s (at %u:%u)%s", show_key(key, kb), what, v->line, v->col,
                      why);
}

/* [a.b.c] or [[a.b.c]]: P->i at the first '['. */
static int parse_header(wf_toml_parser_t *p) {
  size_t start = p->i;
  int aot = wf_toml_peek_at(p, 1) == '[';
  p->i += aot ? 2 : 1;
  keylist_t k = {0};
  int ok = parse_key(p, &k);
  if (ok) {
    if (wf_toml_peek(p) != ']' || (aot && wf_toml_peek_at(p, 1) != ']')) {
      char sb[16];
      ok = wf_toml_fail(p, p->i, "expected '%s' to close the table header, found %s", aot ? "]]" : "]",
                        wf_toml_show_char(p, p->i, sb));
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
        arr = wf_toml_new_value(p, WF_TOML_ARRAY, start);
        if (arr) {
          arr->origin = WF_TOML_A_TABLES;
          if (!add_entry(p, t, kp, arr)) arr = NULL;
        }
        ok = arr != NULL;
      } else if (arr->kind != WF_TOML_ARRAY || arr->origin != WF_TOML_A_TABLES) {
        ok = clash(p, kp, arr, ", so [[...]] cannot append to it");
      }
      if (ok) {
        wf_toml_value_t *el = wf_toml_new_value(p, WF_TOML_TABLE, start);
        ok = el != NULL;
        if (ok && !wf_toml_array_add(arr, el)) {
          wf_toml_free(el);
          ok = wf_toml_fail(p, start, "out of memory");
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
        wf_toml_locate(p, start, &nt->line, &nt->col); /* the header, not the key */
        p->cur = nt;
        p->cur_depth = depth + 1;
      }
    } else if (v->kind == WF_TOML_TABLE && v->origin == WF_TOML_T_IMPLICIT) {
      v->origin = WF_TOML_T_HEADER;
      wf_toml_locate(p, start, &v->line, &v->col); /* now defined here */
      p->cur = v;
      p->cur_depth = depth + 1;
    } else {
      ok = clash(p, kp, v, ", so a [table] header cannot define it");
    }
  }
  keys_free(&k);
  return ok && end_of_line(p, "the table header");
}

/* ---- values: arrays, inline tables, key/values ---- */

static int parse_value(wf_toml_parser_t *p, int depth, wf_toml_value_t **out);
static int parse_keyval(wf_toml_parser_t *p, wf_toml_value_t *table, int depth);

static int parse_array(wf_toml_parser_t *p, int depth, wf_toml_value_t **out) {
  wf_toml_value_t *a = wf_toml_new_value(p, WF_TOML_ARRAY, p->i);
  if (!a) return 0;
  a->origin = WF_TOML_A_STATIC;
  p->i++;
  for (;;) {
    skip_ws_nl(p);
    if (wf_toml_peek(p) == ']') break;
    wf_toml_value_t *v = NULL;
    if (!parse_value(p, depth + 1, &v)) break;
    if (!wf_toml_array_add(a, v)) {
      wf_toml_free(v);
      wf_toml_fail(p, p->i, "out of memory");
      break;
    }
    skip_ws_nl(p);
    if (wf_toml_peek(p) == ',') {
      p->i++;
      continue;
    }
    if (wf_toml_peek(p) == ']') break;
    char sb[16];
    wf_toml_fail(p, p->i, "expected ',' or ']' after an array element, found %s", wf_toml_show_char(p, p->i, sb));
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

static int parse_inline_table(wf_toml_parser_t *p, int depth, wf_toml_value_t **out) {
  wf_toml_value_t *t = wf_toml_new_value(p, WF_TOML_TABLE, p->i);
  if (!t) return 0;
  t->origin = WF_TOML_T_INLINE;
  p->i++;
  skip_ws(p);
  if (wf_toml_peek(p) != '}') {
    for (;;) {
      if (!parse_keyval(p, t, depth)) break;
      skip_ws(p);
      if (wf_toml_peek(p) == ',') {
        p->i++;
        skip_ws(p);
        if (wf_toml_peek(p) == '}') {
          wf_toml_fail(p, p->i, "trailing comma not allowed in an inline table");
          break;
        }
        continue;
      }
      if (wf_toml_peek(p) == '}') break;
      char sb[16];
      wf_toml_fail(p, p->i, "expected ',' or '}' in an inline table (which must fit on one line), found %s",
           wf_toml_show_char(p, p->i, sb));
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
static int bad_word(wf_toml_parser_t *p, size_t at) {
  size_t e = at;
  while (e < p->n && e - at < 24 && wf_toml_is_bare(p->s[e])) e++;
  if (e > at)
    return wf_toml_fail(p, at, "expected a value, found '%.*s'%s (strings need quotes; true and false are lower-case)",
                (int)(e - at), p->s + at, e - at == 24 ? "..." : "");
  char sb[16];
  return wf_toml_fail(p, at, "expected a value, found %s", wf_toml_show_char(p, at, sb));
}

/* A value at P->i; DEPTH is the depth the value will have in the tree. */
static int parse_value(wf_toml_parser_t *p, int depth, wf_toml_value_t **out) {
  size_t at = p->i;
  if (too_deep(p, depth, at)) return 0;
  char c = wf_toml_peek(p);
  if (c == '"' || c == '\'') {
    wf_toml_sbuf_t b = {0};
    if (!wf_toml_string_any(p, &b) || (!b.s && !wf_toml_sb_push(p, &b, "", 0))) {
      free(b.s);
      return 0;
    }
    wf_toml_value_t *v = wf_toml_new_value(p, WF_TOML_STRING, at);
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
        (p->n - p->i > n && wf_toml_is_bare(p->s[p->i + n])))
      return bad_word(p, at);
    wf_toml_value_t *v = wf_toml_new_value(p, WF_TOML_BOOL, at);
    if (!v) return 0;
    v->u.b = c == 't';
    p->i += n;
    *out = v;
    return 1;
  }
  if (wf_toml_digits_at(p, at, 2) &&
      (wf_toml_peek_at(p, 2) == ':' || (wf_toml_digits_at(p, at + 2, 2) && wf_toml_peek_at(p, 4) == '-')))
    return wf_toml_parse_datetime(p, out);
  if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n') return wf_toml_parse_number(p, out);
  if (wf_toml_at_eof(p) || wf_toml_at_newline(p)) return wf_toml_fail(p, at, "expected a value after '='");
  return bad_word(p, at);
}

/* key = value into TABLE (at DEPTH in the tree). */
static int parse_keyval(wf_toml_parser_t *p, wf_toml_value_t *table, int depth) {
  keylist_t k = {0};
  int ok = parse_key(p, &k);
  if (ok && wf_toml_peek(p) != '=') {
    char sb[16];
    ok = wf_toml_fail(p, p->i, "expected '=' after key, found %s", wf_toml_show_char(p, p->i, sb));
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
      ok = wf_toml_fail(p, kp->off, "duplicate key '%s' (first defined at %u:%u)", show_key(kp, kb), v->line, v->col);
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
  wf_toml_parser_t p = {0};
  p.s = buf ? buf : "";
  p.n = buf ? len : 0;
  p.fname = fname ? fname : "<input>";
  p.err = err;
  p.loc_line = p.loc_col = 1;
  if (err) memset(err, 0, sizeof *err);
  size_t start = 0;
  if (p.n >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0) start = 3;
  if (!wf_toml_check_text(&p, start)) return NULL;
  p.root = wf_toml_new_value(&p, WF_TOML_TABLE, 0);
  if (!p.root) return NULL;
  p.root->origin = WF_TOML_T_ROOT;
  p.cur = p.root;
  p.cur_depth = 0;
  p.i = start;
  for (;;) {
    skip_ws(&p);
    if (wf_toml_at_eof(&p)) break;
    char c = wf_toml_peek(&p);
    if (c == '#') {
      skip_comment(&p);
    } else if (wf_toml_at_newline(&p)) {
      wf_toml_skip_newline(&p);
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
