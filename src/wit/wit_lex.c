/* WIT lexer, arena and error positions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/wit_internal.h"

/* ---- arena ---- */
void *wf_wit_alloc(wit_arena *a, size_t n) {
  if (n > ((size_t)1 << 40)) return NULL;
  n = (n + 15) & ~(size_t)15;
  if (n == 0) n = 16;
  wit_chunk *h = a->head;
  if (!h || h->cap - h->used < n) {
    size_t cap = 64 * 1024;
    if (n > cap) cap = n;
    wit_chunk *c = malloc(sizeof(wit_chunk) + 16 + cap);
    if (!c) return NULL;
    c->next = a->head;
    c->used = 0;
    c->cap = cap;
    a->head = c;
    h = c;
  }
  char *base = (char *)h + ((sizeof(wit_chunk) + 15) & ~(size_t)15);
  void *p = base + h->used;
  h->used += n;
  memset(p, 0, n);
  return p;
}

char *wf_wit_strndup(wit_arena *a, const char *s, size_t n) {
  char *p = wf_wit_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

void wf_wit_arena_free(wit_arena *a) {
  wit_chunk *c = a->head;
  while (c) {
    wit_chunk *n = c->next;
    free(c);
    c = n;
  }
  a->head = NULL;
}

bool wf_wit_grow(wit_arena *a, void **p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return true;
  if (need > (1u << 26)) return false;
  uint32_t nc = *cap ? *cap * 2 : 4;
  while (nc < need) nc *= 2;
  void *np = wf_wit_alloc(a, (size_t)nc * elem);
  if (!np) return false;
  if (*p && *cap) memcpy(np, *p, (size_t)*cap * elem);
  *p = np;
  *cap = nc;
  return true;
}

/* ---- errors ---- */
static const wit_source *find_src(wit_ctx *c, uint32_t pos) {
  const wit_source *best = NULL;
  for (uint32_t i = 0; i < c->nsrcs; i++)
    if (c->srcs[i].base <= pos && (!best || c->srcs[i].base >= best->base)) best = &c->srcs[i];
  return best;
}

bool wf_wit_err(wit_ctx *c, uint32_t pos, const char *fmt, ...) {
  if (!c->err || c->err->failed) return false;
  char msg[WF_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const wit_source *s = find_src(c, pos);
  if (!s) {
    wf_error_set(c->err, "%s", msg);
    return false;
  }
  size_t off = pos - s->base;
  if (off > s->len) off = s->len;
  size_t line = 1, col = 1;
  for (size_t i = 0; i < off; i++) {
    if (s->text[i] == '\n') { line++; col = 1; }
    else if (((unsigned char)s->text[i] & 0xc0) != 0x80) col++;
  }
  wf_error_at(c->err, off, "%s:%zu:%zu: %s", s->name, line, col, msg);
  return false;
}

bool wf_wit_err_nopos(wit_ctx *c, const char *fmt, ...) {
  if (!c->err || c->err->failed) return false;
  char msg[WF_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  wf_error_set(c->err, "%s", msg);
  return false;
}

/* ---- lexer ---- */
static const char *const kw_names[] = {
  "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
  "char", "record", "resource", "own", "borrow", "flags", "variant", "enum", "bool", "string",
  "option", "result", "future", "stream", "error-context", "list", "map", "as", "from",
  "static", "interface", "tuple", "import", "export", "world", "package", "constructor",
  "include", "with", "async",
};

const char *wf_wit_kw_name(int kind) {
  if (kind < TK_KW_FIRST || kind >= TK_COUNT) return "?";
  return kw_names[kind - TK_KW_FIRST];
}

static int is_alpha(int ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }
static int is_idch(int ch) { return is_alpha(ch) || is_digit(ch) || ch == '-'; }

/* kebab-case: words separated by single '-', each starting with a letter,
 * each all-lowercase or all-uppercase. */
bool wf_wit_valid_id(const char *s, size_t n) {
  size_t i = 0;
  if (n == 0) return false;
  while (i < n) {
    if (!is_alpha((unsigned char)s[i])) return false;
    int lower = 0, upper = 0;
    while (i < n && s[i] != '-') {
      int ch = (unsigned char)s[i];
      if (ch >= 'a' && ch <= 'z') lower = 1;
      else if (ch >= 'A' && ch <= 'Z') upper = 1;
      else if (!is_digit(ch)) return false;
      i++;
    }
    if (lower && upper) return false;
    if (i < n) {
      i++; /* '-' */
      if (i == n) return false;
    }
  }
  return true;
}

/* Doc comments before a token, gathered in a doubling buffer (linear in
 * their total size) and copied into the arena once. */
typedef struct { char *buf; size_t len, cap; } docbuf;

static bool add_docs(docbuf *d, const char *p, size_t n) {
  /* strip one leading space and trailing blanks */
  if (n && p[0] == ' ') { p++; n--; }
  while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
  size_t need = d->len + n + 2;
  if (need > d->cap) {
    size_t nc = d->cap ? d->cap * 2 : 256;
    while (nc < need) nc *= 2;
    char *nb = realloc(d->buf, nc);
    if (!nb) return false;
    d->buf = nb;
    d->cap = nc;
  }
  if (d->len) d->buf[d->len++] = '\n';
  memcpy(d->buf + d->len, p, n);
  d->len += n;
  d->buf[d->len] = 0;
  return true;
}

bool wf_wit_lex_next(wit_lexer *lx, wit_tok *t) {
  const char *s = lx->src->text;
  size_t n = lx->src->len;
  size_t i = lx->i;
  docbuf db = {0};
  for (;;) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
      size_t st = i;
      while (i < n && s[i] != '\n') i++;
      if (i - st >= 3 && s[st + 2] == '/' && !(i - st >= 4 && s[st + 3] == '/')) {
        if (!add_docs(&db, s + st + 3, i - st - 3)) { free(db.buf); return wf_wit_err(lx->c, 0, "out of memory"); }
      }
      continue;
    }
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
      size_t st = i;
      int depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') { depth++; i += 2; }
        else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') { depth--; i += 2; }
        else i++;
      }
      if (depth > 0) {
        free(db.buf);
        return wf_wit_err(lx->c, lx->src->base + (uint32_t)st, "unterminated block comment");
      }
      if (i - st >= 5 && s[st + 2] == '*' && s[st + 3] != '*' && s[st + 3] != '/') {
        if (!add_docs(&db, s + st + 3, i - st - 5)) { free(db.buf); return wf_wit_err(lx->c, 0, "out of memory"); }
      }
      continue;
    }
    break;
  }
  t->docs = NULL;
  if (db.len) {
    t->docs = wf_wit_strndup(lx->arena, db.buf, db.len);
    free(db.buf);
    if (!t->docs) return wf_wit_err(lx->c, 0, "out of memory");
  } else {
    free(db.buf);
  }
  t->pos = lx->src->base + (uint32_t)i;
  t->p = s + i;
  t->len = 0;
  if (i >= n) {
    t->kind = TK_EOF;
    lx->i = i;
    return true;
  }
  int ch = (unsigned char)s[i];
  size_t st = i;
  if (is_alpha(ch) || (ch == '%' && i + 1 < n && is_alpha((unsigned char)s[i + 1]))) {
    int explicit_id = ch == '%';
    if (explicit_id) { i++; st = i; }
    while (i < n && is_idch((unsigned char)s[i])) i++;
    t->p = s + st;
    t->len = (uint32_t)(i - st);
    lx->i = i;
    if (!wf_wit_valid_id(t->p, t->len)) {
      return wf_wit_err(lx->c, lx->src->base + (uint32_t)st,
                        "identifiers must be valid kebab-case: `%.*s`", (int)t->len, t->p);
    }
    t->kind = explicit_id ? TK_EXPLICIT_ID : TK_ID;
    if (!explicit_id) {
      for (int k = TK_KW_FIRST; k < TK_COUNT; k++) {
        const char *kw = kw_names[k - TK_KW_FIRST];
        if (strlen(kw) == t->len && memcmp(kw, t->p, t->len) == 0) { t->kind = (uint8_t)k; break; }
      }
    }
    return true;
  }
  if (is_digit(ch)) {
    while (i < n && is_digit((unsigned char)s[i])) i++;
    t->kind = TK_INT;
    t->len = (uint32_t)(i - st);
    lx->i = i;
    return true;
  }
  if (ch == '"') {
    i++;
    while (i < n && s[i] != '"' && s[i] != '\n') i++;
    if (i >= n || s[i] != '"') return wf_wit_err(lx->c, lx->src->base + (uint32_t)st, "unterminated string literal");
    t->kind = TK_STRING;
    t->p = s + st + 1;
    t->len = (uint32_t)(i - st - 1);
    lx->i = i + 1;
    return true;
  }
  uint8_t k;
  size_t w = 1;
  switch (ch) {
    case '{': k = TK_LBRACE; break;
    case '}': k = TK_RBRACE; break;
    case '(': k = TK_LPAREN; break;
    case ')': k = TK_RPAREN; break;
    case '<': k = TK_LT; break;
    case '>': k = TK_GT; break;
    case ',': k = TK_COMMA; break;
    case ';': k = TK_SEMI; break;
    case ':': k = TK_COLON; break;
    case '.': k = TK_DOT; break;
    case '=': k = TK_EQ; break;
    case '@': k = TK_AT; break;
    case '/': k = TK_SLASH; break;
    case '*': k = TK_STAR; break;
    case '+': k = TK_PLUS; break;
    case '_': k = TK_UNDERSCORE; break;
    case '-':
      if (i + 1 < n && s[i + 1] == '>') { k = TK_ARROW; w = 2; }
      else k = TK_MINUS;
      break;
    default:
      return wf_wit_err(lx->c, lx->src->base + (uint32_t)st, "invalid character in source %#x", ch);
  }
  t->kind = k;
  t->len = (uint32_t)w;
  lx->i = i + w;
  return true;
}

static size_t scan_ids(const char *s, size_t n, size_t i) {
  /* dot-separated non-empty [0-9A-Za-z-]+ identifiers */
  for (;;) {
    size_t st = i;
    while (i < n && (is_idch((unsigned char)s[i]))) i++;
    if (i == st) return st;
    if (i + 1 < n && s[i] == '.' && is_idch((unsigned char)s[i + 1])) { i++; continue; }
    return i;
  }
}

bool wf_wit_lex_version(wit_lexer *lx, wit_tok *t) {
  const char *s = lx->src->text;
  size_t n = lx->src->len, i = lx->i;
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  size_t st = i;
  for (int part = 0; part < 3; part++) {
    size_t ds = i;
    while (i < n && is_digit((unsigned char)s[i])) i++;
    if (i == ds || (i - ds > 1 && s[ds] == '0') || i - ds > 18)
      return wf_wit_err(lx->c, lx->src->base + (uint32_t)st, "expected a semver version");
    if (part < 2) {
      if (i >= n || s[i] != '.') return wf_wit_err(lx->c, lx->src->base + (uint32_t)st, "expected a semver version");
      i++;
    }
  }
  if (i < n && s[i] == '-') {
    size_t e = scan_ids(s, n, i + 1);
    if (e == i + 1) return wf_wit_err(lx->c, lx->src->base + (uint32_t)st, "expected a semver version");
    i = e;
  }
  if (i < n && s[i] == '+') {
    size_t e = scan_ids(s, n, i + 1);
    if (e == i + 1) return wf_wit_err(lx->c, lx->src->base + (uint32_t)st, "expected a semver version");
    i = e;
  }
  t->kind = TK_STRING;
  t->p = s + st;
  t->len = (uint32_t)(i - st);
  t->pos = lx->src->base + (uint32_t)st;
  t->docs = NULL;
  lx->i = i;
  return true;
}

const char *wf_wit_tok_desc(const wit_tok *t, char *buf, size_t cap) {
  switch (t->kind) {
    case TK_EOF: return "eof";
    case TK_ID: case TK_EXPLICIT_ID: return "an identifier";
    case TK_INT: return "an integer";
    case TK_STRING: return "a string";
    default: break;
  }
  if (t->kind >= TK_KW_FIRST) {
    snprintf(buf, cap, "keyword `%s`", wf_wit_kw_name(t->kind));
    return buf;
  }
  snprintf(buf, cap, "'%.*s'", (int)t->len, t->p);
  return buf;
}
