/* WIT parser: tokens to the parse tree of wit_internal.h. Recursive descent;
 * the only recursion driven by input is type nesting, capped at
 * WIT_MAX_TYPE_DEPTH, and package blocks, which may not nest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/wit_internal.h"

typedef struct {
  wit_ctx *c;
  wit_arena *a;
  wit_lexer lx;
  wit_tok tok;
  int pkg_depth;          /* open `package x:y {` blocks */
  uint32_t nested_pos;    /* first package block inside another (an error, reported after parsing) */
  bool nested_seen;
} P;

static bool next(P *p) { return wf_wit_lex_next(&p->lx, &p->tok); }

static bool peek(P *p, wit_tok *out) {
  wit_lexer save = p->lx;
  bool ok = wf_wit_lex_next(&p->lx, out);
  p->lx = save;
  return ok;
}

static bool oom(P *p) { return wf_wit_err(p->c, p->tok.pos, "out of memory"); }

static bool expected(P *p, const char *what) {
  char b[64];
  return wf_wit_err(p->c, p->tok.pos, "expected %s, found %s", what, wf_wit_tok_desc(&p->tok, b, sizeof b));
}

static const char *tok_str(P *p) { return wf_wit_strndup(p->a, p->tok.p, p->tok.len); }

static bool expect(P *p, int kind) {
  if (p->tok.kind != kind) {
    char w[64];
    if (kind >= TK_KW_FIRST) snprintf(w, sizeof w, "keyword `%s`", wf_wit_kw_name(kind));
    else {
      static const char *const punct[] = {
        [TK_LBRACE] = "'{'", [TK_RBRACE] = "'}'", [TK_LPAREN] = "'('", [TK_RPAREN] = "')'",
        [TK_LT] = "'<'", [TK_GT] = "'>'", [TK_COMMA] = "','", [TK_SEMI] = "';'",
        [TK_COLON] = "':'", [TK_DOT] = "'.'", [TK_EQ] = "'='", [TK_ARROW] = "'->'",
        [TK_AT] = "'@'", [TK_SLASH] = "'/'",
      };
      snprintf(w, sizeof w, "%s", (kind < (int)(sizeof punct / sizeof *punct) && punct[kind]) ? punct[kind] : "token");
    }
    return expected(p, w);
  }
  return next(p);
}

static bool is_id(P *p) { return p->tok.kind == TK_ID || p->tok.kind == TK_EXPLICIT_ID; }

static bool parse_id(P *p, const char **out, uint32_t *pos) {
  if (!is_id(p)) return expected(p, "an identifier or string");
  if (pos) *pos = p->tok.pos;
  *out = tok_str(p);
  if (!*out) return oom(p);
  return next(p);
}

/* ---- gates ---- */
static bool parse_gate_arg(P *p, const char *want, const char **val, bool version) {
  if (!expect(p, TK_LPAREN)) return false;
  if (!is_id(p)) return expected(p, "an identifier or string");
  if (p->tok.len != strlen(want) || memcmp(p->tok.p, want, p->tok.len) != 0)
    return wf_wit_err(p->c, p->tok.pos, "expected `%s`, found `%.*s`", want, (int)p->tok.len, p->tok.p);
  if (!next(p)) return false;
  if (p->tok.kind != TK_EQ) return expect(p, TK_EQ);
  if (version) {
    wit_tok v;
    if (!wf_wit_lex_version(&p->lx, &v)) return false;
    *val = wf_wit_strndup(p->a, v.p, v.len);
    if (!next(p)) return false;
  } else {
    if (!next(p)) return false;
    const char *s;
    if (!parse_id(p, &s, NULL)) return false;
    *val = s;
  }
  if (!*val) return oom(p);
  return expect(p, TK_RPAREN);
}

static bool parse_gate(P *p, wit_agate *g) {
  memset(g, 0, sizeof *g);
  while (p->tok.kind == TK_AT) {
    if (!next(p)) return false;
    uint32_t pos = p->tok.pos;
    if (!is_id(p)) return expected(p, "an identifier or string");
    const char *w = p->tok.p;
    size_t n = p->tok.len;
    if (!next(p)) return false;
    const char *val = NULL;
    if (n == 5 && memcmp(w, "since", 5) == 0) {
      if (!parse_gate_arg(p, "version", &val, true)) return false;
      if (g->kind == 3) g->since = val;
      else { g->kind = 1; g->value = val; }
    } else if (n == 8 && memcmp(w, "unstable", 8) == 0) {
      if (!parse_gate_arg(p, "feature", &val, false)) return false;
      g->kind = 2; g->value = val; g->feature = val;
    } else if (n == 10 && memcmp(w, "deprecated", 10) == 0) {
      if (!parse_gate_arg(p, "version", &val, true)) return false;
      const char *since = g->kind == 1 ? g->value : NULL;
      if (g->kind != 2) { g->kind = 3; g->value = val; g->since = since; }
    } else {
      return wf_wit_err(p->c, pos, "unsupported attribute `%.*s`", (int)n, w);
    }
    g->pos = pos;
  }
  return true;
}

/* ---- types ---- */
static bool parse_type(P *p, wit_aty **out, int depth);

static wit_aty *new_ty(P *p, uint8_t kind) {
  wit_aty *t = wf_wit_alloc(p->a, sizeof *t);
  if (t) { t->kind = kind; t->pos = p->tok.pos; }
  return t;
}

static bool parse_angle1(P *p, wit_aty *t, int depth) {
  if (!expect(p, TK_LT)) return false;
  if (!parse_type(p, &t->a, depth + 1)) return false;
  return expect(p, TK_GT);
}

static bool parse_type(P *p, wit_aty **out, int depth) {
  if (depth > WIT_MAX_TYPE_DEPTH) return wf_wit_err(p->c, p->tok.pos, "type nesting too deep");
  int k = p->tok.kind;
  static const struct { int kw; uint8_t prim; } prims[] = {
    {KW_BOOL, WF_WIT_BOOL}, {KW_U8, WF_WIT_U8}, {KW_U16, WF_WIT_U16}, {KW_U32, WF_WIT_U32},
    {KW_U64, WF_WIT_U64}, {KW_S8, WF_WIT_S8}, {KW_S16, WF_WIT_S16}, {KW_S32, WF_WIT_S32},
    {KW_S64, WF_WIT_S64}, {KW_F32, WF_WIT_F32}, {KW_F64, WF_WIT_F64}, {KW_CHAR, WF_WIT_CHAR},
    {KW_STRING, WF_WIT_STRING}, {KW_ERROR_CONTEXT, WF_WIT_ERROR_CONTEXT},
  };
  for (size_t i = 0; i < sizeof prims / sizeof *prims; i++) {
    if (prims[i].kw == k) {
      wit_aty *t = new_ty(p, AT_PRIM);
      if (!t) return oom(p);
      t->prim = prims[i].prim;
      *out = t;
      return next(p);
    }
  }
  wit_aty *t;
  switch (k) {
    case TK_ID: case TK_EXPLICIT_ID:
      if (!(t = new_ty(p, AT_NAMED))) return oom(p);
      *out = t;
      return parse_id(p, &t->name, NULL);
    case KW_LIST:
      if (!(t = new_ty(p, AT_LIST))) return oom(p);
      *out = t;
      if (!next(p) || !expect(p, TK_LT) || !parse_type(p, &t->a, depth + 1)) return false;
      if (p->tok.kind == TK_COMMA) {
        if (!next(p)) return false;
        if (p->tok.kind != TK_INT) return expected(p, "fixed-length");
        unsigned long long v = 0;
        for (uint32_t i = 0; i < p->tok.len; i++) {
          v = v * 10 + (unsigned)(p->tok.p[i] - '0');
          if (v > UINT32_MAX) return wf_wit_err(p->c, p->tok.pos, "fixed-length list size too large");
        }
        if (v == 0) return wf_wit_err(p->c, p->tok.pos, "invalid fixed-length list size 0");
        t->kind = AT_FIXED_LIST;
        t->len = (uint32_t)v;
        if (!next(p)) return false;
      }
      return expect(p, TK_GT);
    case KW_MAP:
      if (!(t = new_ty(p, AT_MAP))) return oom(p);
      *out = t;
      if (!next(p) || !expect(p, TK_LT) || !parse_type(p, &t->a, depth + 1) || !expect(p, TK_COMMA) ||
          !parse_type(p, &t->b, depth + 1))
        return false;
      return expect(p, TK_GT);
    case KW_OPTION:
      if (!(t = new_ty(p, AT_OPTION))) return oom(p);
      *out = t;
      return next(p) && parse_angle1(p, t, depth);
    case KW_OWN: case KW_BORROW:
      if (!(t = new_ty(p, k == KW_OWN ? AT_OWN : AT_BORROW))) return oom(p);
      *out = t;
      if (!next(p) || !expect(p, TK_LT)) return false;
      t->pos = p->tok.pos;
      if (!parse_id(p, &t->name, NULL)) return false;
      return expect(p, TK_GT);
    case KW_STREAM: case KW_FUTURE:
      if (!(t = new_ty(p, k == KW_STREAM ? AT_STREAM : AT_FUTURE))) return oom(p);
      *out = t;
      if (!next(p)) return false;
      if (p->tok.kind == TK_LT) return parse_angle1(p, t, depth);
      return true;
    case KW_RESULT:
      if (!(t = new_ty(p, AT_RESULT))) return oom(p);
      *out = t;
      if (!next(p)) return false;
      if (p->tok.kind != TK_LT) return true;
      if (!next(p)) return false;
      if (p->tok.kind == TK_UNDERSCORE) {
        if (!next(p) || !expect(p, TK_COMMA) || !parse_type(p, &t->b, depth + 1)) return false;
        return expect(p, TK_GT);
      }
      if (!parse_type(p, &t->a, depth + 1)) return false;
      if (p->tok.kind == TK_COMMA) {
        if (!next(p) || !parse_type(p, &t->b, depth + 1)) return false;
      }
      return expect(p, TK_GT);
    case KW_TUPLE: {
      if (!(t = new_ty(p, AT_TUPLE))) return oom(p);
      *out = t;
      if (!next(p) || !expect(p, TK_LT)) return false;
      uint32_t cap = 0;
      while (p->tok.kind != TK_GT) {
        wit_aty **slot = WIT_PUSH(p->a, t->elems, t->nelems, cap);
        if (!slot) return oom(p);
        if (!parse_type(p, slot, depth + 1)) return false;
        if (p->tok.kind != TK_COMMA) break;
        if (!next(p)) return false;
      }
      return expect(p, TK_GT);
    }
    default:
      return expected(p, "a type");
  }
}

/* ---- functions ---- */
static bool parse_params(P *p, wit_afunc *f) {
  if (!expect(p, TK_LPAREN)) return false;
  while (p->tok.kind != TK_RPAREN) {
    wit_afield *fl = WIT_PUSH(p->a, f->params, f->nparams, f->capparams);
    if (!fl) return oom(p);
    if (!parse_id(p, &fl->name, &fl->pos) || !expect(p, TK_COLON) || !parse_type(p, &fl->ty, 0)) return false;
    if (p->tok.kind != TK_COMMA) break;
    if (!next(p)) return false;
  }
  return expect(p, TK_RPAREN);
}

static bool parse_result(P *p, wit_afunc *f) {
  if (p->tok.kind != TK_ARROW) return true;
  if (!next(p)) return false;
  f->result_pos = p->tok.pos;
  return parse_type(p, &f->result, 0);
}

/* after `name:`: ['async'] 'func' params result */
static bool parse_functype(P *p, wit_afunc *f) {
  if (p->tok.kind == KW_ASYNC) {
    f->is_async = 1;
    if (!next(p)) return false;
  }
  if (!expect(p, KW_FUNC)) return false;
  return parse_params(p, f) && parse_result(p, f);
}

/* ---- type definitions ---- */
static bool parse_list_items(P *p, wit_adef *d, bool typed, bool opt_payload) {
  if (!expect(p, TK_LBRACE)) return false;
  while (p->tok.kind != TK_RBRACE) {
    wit_afield *fl = WIT_PUSH(p->a, d->items, d->nitems, d->capitems);
    if (!fl) return oom(p);
    fl->docs = p->tok.docs;
    wit_agate g;
    if (!parse_gate(p, &g)) return false;
    if (!parse_id(p, &fl->name, &fl->pos)) return false;
    if (typed) {
      if (!expect(p, TK_COLON) || !parse_type(p, &fl->ty, 0)) return false;
    } else if (opt_payload && p->tok.kind == TK_LPAREN) {
      if (!next(p) || !parse_type(p, &fl->ty, 0) || !expect(p, TK_RPAREN)) return false;
    }
    if (p->tok.kind != TK_COMMA) break;
    if (!next(p)) return false;
  }
  return expect(p, TK_RBRACE);
}

static bool parse_resource_body(P *p, wit_adef *d) {
  if (!expect(p, TK_LBRACE)) return false;
  while (p->tok.kind != TK_RBRACE) {
    wit_afunc *f = WIT_PUSH(p->a, d->funcs, d->nfuncs, d->capfuncs);
    if (!f) return oom(p);
    f->docs = p->tok.docs;
    if (!parse_gate(p, &f->gate)) return false;
    if (p->tok.kind == KW_CONSTRUCTOR) {
      f->kind = AF_CTOR;
      f->pos = p->tok.pos;
      if (!next(p) || !parse_params(p, f) || !parse_result(p, f)) return false;
    } else if (is_id(p)) {
      if (!parse_id(p, &f->name, &f->pos) || !expect(p, TK_COLON)) return false;
      if (p->tok.kind == KW_STATIC) {
        f->kind = AF_STATIC;
        if (!next(p)) return false;
      } else {
        f->kind = AF_METHOD;
      }
      if (!parse_functype(p, f)) return false;
    } else {
      return expected(p, "`constructor` or identifier");
    }
    if (!expect(p, TK_SEMI)) return false;
  }
  return expect(p, TK_RBRACE);
}

/* a typedef item starting at a keyword; returns 0 not a typedef, 1 ok, -1 error */
static int parse_typedef(P *p, wit_adef *d) {
  int k = p->tok.kind;
  switch (k) {
    case KW_TYPE:
      d->kind = AD_ALIAS;
      if (!next(p) || !parse_id(p, &d->name, &d->pos) || !expect(p, TK_EQ) || !parse_type(p, &d->alias, 0) ||
          !expect(p, TK_SEMI))
        return -1;
      return 1;
    case KW_RECORD: case KW_VARIANT: case KW_ENUM: case KW_FLAGS:
      d->kind = k == KW_RECORD ? AD_RECORD : k == KW_VARIANT ? AD_VARIANT : k == KW_ENUM ? AD_ENUM : AD_FLAGS;
      if (!next(p) || !parse_id(p, &d->name, &d->pos)) return -1;
      if (!parse_list_items(p, d, k == KW_RECORD, k == KW_VARIANT)) return -1;
      return 1;
    case KW_RESOURCE:
      d->kind = AD_RESOURCE;
      if (!next(p) || !parse_id(p, &d->name, &d->pos)) return -1;
      if (p->tok.kind == TK_SEMI) return next(p) ? 1 : -1;
      return parse_resource_body(p, d) ? 1 : -1;
    default:
      return 0;
  }
}

/* ---- paths and use ---- */
static bool parse_path(P *p, wit_apath *path) {
  memset(path, 0, sizeof *path);
  path->pos = p->tok.pos;
  const char *first;
  if (!parse_id(p, &first, NULL)) return false;
  if (p->tok.kind != TK_COLON) {
    path->name = first;
    return true;
  }
  path->ns = first;
  if (!next(p) || !parse_id(p, &path->pkg, NULL)) return false;
  if (!expect(p, TK_SLASH)) return false;
  if (!parse_id(p, &path->name, NULL)) return false;
  if (p->tok.kind == TK_AT) {
    wit_tok v;
    if (!wf_wit_lex_version(&p->lx, &v)) return false;
    if (!(path->version = wf_wit_strndup(p->a, v.p, v.len))) return oom(p);
    if (!next(p)) return false;
  }
  return true;
}

static bool parse_use(P *p, wit_ause *u) {
  /* at 'use' */
  if (!next(p) || !parse_path(p, &u->path) || !expect(p, TK_DOT) || !expect(p, TK_LBRACE)) return false;
  while (p->tok.kind != TK_RBRACE) {
    wit_arename *r = WIT_PUSH(p->a, u->names, u->nnames, u->capnames);
    if (!r) return oom(p);
    if (!parse_id(p, &r->name, &r->pos)) return false;
    if (p->tok.kind == KW_AS) {
      if (!next(p) || !parse_id(p, &r->as, NULL)) return false;
    }
    if (p->tok.kind != TK_COMMA) break;
    if (!next(p)) return false;
  }
  return expect(p, TK_RBRACE) && expect(p, TK_SEMI);
}

/* ---- interfaces ---- */
static bool parse_iface_body(P *p, wit_aiface *it) {
  if (!expect(p, TK_LBRACE)) return false;
  while (p->tok.kind != TK_RBRACE) {
    wit_aitem *item = WIT_PUSH(p->a, it->items, it->nitems, it->capitems);
    if (!item) return oom(p);
    const char *docs = p->tok.docs;
    wit_agate g;
    if (!parse_gate(p, &g)) return false;
    if (p->tok.kind == KW_USE) {
      item->kind = AI_USE;
      item->use.gate = g;
      if (!parse_use(p, &item->use)) return false;
      continue;
    }
    item->def.gate = g;
    item->def.docs = docs;
    int r = parse_typedef(p, &item->def);
    if (r < 0) return false;
    if (r > 0) { item->kind = AI_DEF; continue; }
    if (!is_id(p)) return expected(p, "`type`, `resource` or `func`");
    item->kind = AI_FUNC;
    item->func.gate = g;
    item->func.docs = docs;
    if (!parse_id(p, &item->func.name, &item->func.pos) || !expect(p, TK_COLON) ||
        !parse_functype(p, &item->func) || !expect(p, TK_SEMI))
      return false;
  }
  return expect(p, TK_RBRACE);
}

/* ---- worlds ---- */
static bool parse_world_body(P *p, wit_aworld *w, uint32_t file) {
  if (!expect(p, TK_LBRACE)) return false;
  while (p->tok.kind != TK_RBRACE) {
    wit_awitem *item = WIT_PUSH(p->a, w->items, w->nitems, w->capitems);
    if (!item) return oom(p);
    const char *docs = p->tok.docs;
    if (!parse_gate(p, &item->gate)) return false;
    item->pos = p->tok.pos;
    int k = p->tok.kind;
    if (k == KW_IMPORT || k == KW_EXPORT) {
      item->kind = k == KW_IMPORT ? AW_IMPORT : AW_EXPORT;
      if (!next(p)) return false;
      wit_tok nt;
      if (!peek(p, &nt)) return false;
      if (is_id(p) && nt.kind == TK_COLON) {
        /* `name: func`, `name: interface {}`, or a package path `ns:pkg/x` */
        wit_lexer save = p->lx;
        wit_tok savet = p->tok;
        if (!next(p) || !next(p)) return false;
        if (p->tok.kind == KW_FUNC || p->tok.kind == KW_ASYNC) {
          item->xkind = AX_FUNC;
          item->name = wf_wit_strndup(p->a, savet.p, savet.len);
          if (!item->name) return oom(p);
          item->func.name = item->name;
          item->func.pos = savet.pos;
          item->func.gate = item->gate;
          item->func.docs = docs;
          if (!parse_functype(p, &item->func) || !expect(p, TK_SEMI)) return false;
          continue;
        }
        if (p->tok.kind == KW_INTERFACE) {
          item->xkind = AX_IFACE;
          item->name = wf_wit_strndup(p->a, savet.p, savet.len);
          wit_aiface *it = wf_wit_alloc(p->a, sizeof *it);
          if (!item->name || !it) return oom(p);
          it->pos = savet.pos;
          it->file = file;
          it->resolved = -1;
          it->gate = item->gate;
          it->docs = docs;
          item->iface = it;
          if (!next(p) || !parse_iface_body(p, it)) return false;
          continue;
        }
        if (!is_id(p)) return expected(p, "keyword `func` or keyword `interface`");
        wit_tok after;
        if (!peek(p, &after)) return false;
        if (after.kind != TK_SLASH) {
          /* `import label: iface-path;` */
          item->xkind = AX_PATH;
          item->name = wf_wit_strndup(p->a, savet.p, savet.len);
          if (!item->name) return oom(p);
          if (!parse_path(p, &item->path) || !expect(p, TK_SEMI)) return false;
          continue;
        }
        p->lx = save;
        p->tok = savet;
      }
      item->xkind = AX_PATH;
      if (!parse_path(p, &item->path) || !expect(p, TK_SEMI)) return false;
      continue;
    }
    if (k == KW_USE) {
      item->kind = AW_USE;
      item->use.gate = item->gate;
      if (!parse_use(p, &item->use)) return false;
      continue;
    }
    if (k == KW_INCLUDE) {
      item->kind = AW_INCLUDE;
      if (!next(p) || !parse_path(p, &item->path)) return false;
      if (p->tok.kind == KW_WITH) {
        if (!next(p) || !expect(p, TK_LBRACE)) return false;
        while (p->tok.kind != TK_RBRACE) {
          wit_arename *r = WIT_PUSH(p->a, item->with, item->nwith, item->capwith);
          if (!r) return oom(p);
          if (!parse_id(p, &r->name, &r->pos) || !expect(p, KW_AS) || !parse_id(p, &r->as, NULL)) return false;
          if (p->tok.kind != TK_COMMA) break;
          if (!next(p)) return false;
        }
        if (!expect(p, TK_RBRACE)) return false;
        if (p->tok.kind == TK_SEMI && !next(p)) return false;
        continue;
      }
      if (!expect(p, TK_SEMI)) return false;
      continue;
    }
    item->kind = AW_DEF;
    item->def.gate = item->gate;
    item->def.docs = docs;
    int r = parse_typedef(p, &item->def);
    if (r < 0) return false;
    if (r == 0) return expected(p, "`import`, `export`, `include`, `use`, or type definition");
  }
  return expect(p, TK_RBRACE);
}

/* ---- packages ---- */
static bool parse_pkg_name(P *p, wit_apkg *pkg) {
  /* at 'package' */
  pkg->pos = p->tok.pos;
  if (!next(p) || !parse_id(p, &pkg->ns, NULL) || !expect(p, TK_COLON) || !parse_id(p, &pkg->name, NULL))
    return false;
  if (p->tok.kind == TK_AT) {
    wit_tok v;
    if (!wf_wit_lex_version(&p->lx, &v)) return false;
    if (!(pkg->version = wf_wit_strndup(p->a, v.p, v.len))) return oom(p);
    if (!next(p)) return false;
  }
  pkg->has_name = true;
  return true;
}

static bool new_file(P *p, wit_apkg *pkg, uint32_t *file) {
  wit_afile *f = WIT_PUSH(p->a, pkg->files, pkg->nfiles, pkg->capfiles);
  if (!f) return oom(p);
  *file = pkg->nfiles - 1;
  return true;
}

/* items of a package until '}' (nested) or eof (top) */
static bool parse_pkg_items(P *p, wit_apkg *pkg, uint32_t file, bool nested, wit_apkgs *out) {
  for (;;) {
    if (nested ? p->tok.kind == TK_RBRACE : p->tok.kind == TK_EOF) return true;
    if (p->tok.kind == TK_EOF) return expect(p, TK_RBRACE);
    const char *docs = p->tok.docs;
    wit_agate g;
    if (!parse_gate(p, &g)) return false;
    int k = p->tok.kind;
    if (k == KW_PACKAGE) {
      if (p->pkg_depth >= 100) return wf_wit_err(p->c, p->tok.pos, "package nesting too deep");
      if (nested && !p->nested_seen) {
        p->nested_seen = true;
        p->nested_pos = p->tok.pos;
      }
      wit_apkg *np = wf_wit_alloc(p->a, sizeof *np);
      wit_apkg **slot = np ? WIT_PUSH(p->a, out->pkgs, out->npkgs, out->cappkgs) : NULL;
      if (!slot) return oom(p);
      *slot = np;
      np->resolved = -1;
      np->group = pkg->group;
      np->docs = docs;
      if (!parse_pkg_name(p, np)) return false;
      if (!expect(p, TK_LBRACE)) return false;
      uint32_t nf;
      if (!new_file(p, np, &nf)) return false;
      p->pkg_depth++;
      if (!parse_pkg_items(p, np, nf, true, out)) return false;
      p->pkg_depth--;
      if (!expect(p, TK_RBRACE)) return false;
      continue;
    }
    if (k == KW_INTERFACE) {
      wit_aiface *it = wf_wit_alloc(p->a, sizeof *it);
      wit_aiface **slot = it ? WIT_PUSH(p->a, pkg->ifaces, pkg->nifaces, pkg->capifaces) : NULL;
      if (!slot) return oom(p);
      *slot = it;
      it->gate = g;
      it->docs = docs;
      it->file = file;
      it->resolved = -1;
      if (!next(p) || !parse_id(p, &it->name, &it->pos) || !parse_iface_body(p, it)) return false;
      continue;
    }
    if (k == KW_WORLD) {
      wit_aworld *w = wf_wit_alloc(p->a, sizeof *w);
      wit_aworld **slot = w ? WIT_PUSH(p->a, pkg->worlds, pkg->nworlds, pkg->capworlds) : NULL;
      if (!slot) return oom(p);
      *slot = w;
      w->gate = g;
      w->docs = docs;
      w->file = file;
      w->resolved = -1;
      if (!next(p) || !parse_id(p, &w->name, &w->pos) || !parse_world_body(p, w, file)) return false;
      continue;
    }
    if (k == KW_USE) {
      wit_afile *f = &pkg->files[file];
      wit_atopuse *u = WIT_PUSH(p->a, f->uses, f->nuses, f->capuses);
      if (!u) return oom(p);
      u->pos = p->tok.pos;
      if (!next(p) || !parse_path(p, &u->path)) return false;
      if (p->tok.kind == KW_AS) {
        if (!next(p) || !parse_id(p, &u->as, NULL)) return false;
      }
      if (!expect(p, TK_SEMI)) return false;
      continue;
    }
    return expected(p, "`world`, `interface` or `use`");
  }
}

bool wf_wit_parse_source(wit_ctx *c, const wit_source *src, wit_apkg *pkg, wit_apkgs *out) {
  P p;
  memset(&p, 0, sizeof p);
  p.c = c;
  p.a = &c->arena;
  p.lx.c = c;
  p.lx.src = src;
  p.lx.arena = &c->arena;
  if (!next(&p)) return false;
  uint32_t file;
  if (!new_file(&p, pkg, &file)) return false;
  if (p.tok.kind == KW_PACKAGE || p.tok.kind == TK_AT) {
    /* `package x:y;` header, or the first nested package block */
    wit_lexer save = p.lx;
    wit_tok savet = p.tok;
    if (p.tok.kind == KW_PACKAGE) {
      wit_apkg tmp;
      memset(&tmp, 0, sizeof tmp);
      if (!parse_pkg_name(&p, &tmp)) return false;
      if (p.tok.kind == TK_SEMI) {
        if (pkg->has_name) {
          bool same = strcmp(pkg->ns, tmp.ns) == 0 && strcmp(pkg->name, tmp.name) == 0 &&
                      ((!pkg->version && !tmp.version) ||
                       (pkg->version && tmp.version && strcmp(pkg->version, tmp.version) == 0));
          if (!same)
            return wf_wit_err(c, tmp.pos, "package identifier `%s:%s%s%s` does not match previous package name of `%s:%s%s%s`",
                              tmp.ns, tmp.name, tmp.version ? "@" : "", tmp.version ? tmp.version : "",
                              pkg->ns, pkg->name, pkg->version ? "@" : "", pkg->version ? pkg->version : "");
          if (savet.docs && pkg->docs) return wf_wit_err(c, tmp.pos, "found doc comments on multiple 'package' items");
        } else {
          pkg->ns = tmp.ns;
          pkg->name = tmp.name;
          pkg->version = tmp.version;
          pkg->pos = tmp.pos;
          pkg->has_name = true;
        }
        if (savet.docs) pkg->docs = savet.docs;
        if (!next(&p)) return false;
      } else {
        p.lx = save;
        p.tok = savet;
      }
    }
  }
  if (!parse_pkg_items(&p, pkg, file, false, out)) return false;
  if (p.nested_seen) return wf_wit_err(c, p.nested_pos, "nested packages must be placed at the top-level");
  return true;
}
