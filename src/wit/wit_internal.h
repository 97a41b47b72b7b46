/* WIT internals: arena, sources, lexer, the parse tree (AST) and the
 * resolver entry point. Only src/wit/ includes this. */
#ifndef WF_WIT_INTERNAL_H
#define WF_WIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wit/wit.h"

/* Hostile-input limits. */
#define WIT_MAX_TYPE_DEPTH 100      /* list<list<...>> nesting */
#define WIT_MAX_PKG_NESTING 1       /* package a:b { } blocks only at top level */
#define WIT_MAX_SOURCE (64u << 20)  /* bytes per file */
#define WIT_MAX_FILES 4096

/* ---- arena ---- */
typedef struct wit_chunk { struct wit_chunk *next; size_t used, cap; } wit_chunk;
typedef struct { wit_chunk *head; } wit_arena;
void *wf_wit_alloc(wit_arena *a, size_t n);           /* zeroed; NULL on OOM */
char *wf_wit_strndup(wit_arena *a, const char *s, size_t n);
void wf_wit_arena_free(wit_arena *a);

/* Growable array in the arena: doubles by copying (old block is left). */
bool wf_wit_grow(wit_arena *a, void **p, uint32_t *cap, uint32_t need, size_t elem);
#define WIT_PUSH(arena, arr, n, cap) \
  (wf_wit_grow((arena), (void **)&(arr), &(cap), (n) + 1, sizeof *(arr)) ? &(arr)[(n)++] : NULL)

/* ---- sources: every file gets a base in a global position space ---- */
typedef struct {
  const char *name;
  const char *text;
  size_t len;
  uint32_t base;
} wit_source;

typedef struct {
  wit_arena arena;
  wit_source *srcs;
  uint32_t nsrcs, capsrcs;
  uint32_t next_base;
  wf_error_t *err;
  const char **features;  /* enabled features */
  uint32_t nfeatures;
  int all_features;
} wit_ctx;

/* Record an error at a global position as "file:line:col: msg". Returns false. */
bool wf_wit_err(wit_ctx *c, uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool wf_wit_err_nopos(wit_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- lexer ---- */
typedef enum {
  TK_EOF, TK_ID, TK_EXPLICIT_ID /* %foo */, TK_INT, TK_STRING,
  TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_LT, TK_GT, TK_COMMA, TK_SEMI,
  TK_COLON, TK_DOT, TK_EQ, TK_ARROW, TK_AT, TK_SLASH, TK_STAR, TK_PLUS, TK_MINUS,
  TK_UNDERSCORE,
  /* keywords */
  TK_KW_FIRST,
  KW_USE = TK_KW_FIRST, KW_TYPE, KW_FUNC, KW_U8, KW_U16, KW_U32, KW_U64, KW_S8, KW_S16,
  KW_S32, KW_S64, KW_F32, KW_F64, KW_CHAR, KW_RECORD, KW_RESOURCE, KW_OWN, KW_BORROW,
  KW_FLAGS, KW_VARIANT, KW_ENUM, KW_BOOL, KW_STRING, KW_OPTION, KW_RESULT, KW_FUTURE,
  KW_STREAM, KW_ERROR_CONTEXT, KW_LIST, KW_MAP, KW_AS, KW_FROM, KW_STATIC, KW_INTERFACE,
  KW_TUPLE, KW_IMPORT, KW_EXPORT, KW_WORLD, KW_PACKAGE, KW_CONSTRUCTOR, KW_INCLUDE,
  KW_WITH, KW_ASYNC,
  TK_COUNT
} wit_tok_kind;

typedef struct {
  uint8_t kind;
  uint32_t pos;      /* global */
  uint32_t len;
  const char *p;     /* points into the source */
  const char *docs;  /* doc comments just before the token (arena), or NULL */
} wit_tok;

typedef struct {
  wit_ctx *c;
  const wit_source *src;
  size_t i;          /* offset in src */
  wit_arena *arena;
} wit_lexer;

bool wf_wit_lex_next(wit_lexer *lx, wit_tok *t);
/* A semver right at the lexer position (after '@'). */
bool wf_wit_lex_version(wit_lexer *lx, wit_tok *t);
const char *wf_wit_tok_desc(const wit_tok *t, char *buf, size_t cap);
bool wf_wit_valid_id(const char *s, size_t n);
const char *wf_wit_kw_name(int kind);

/* ---- AST ---- */
typedef enum {
  AT_PRIM, AT_NAMED, AT_LIST, AT_FIXED_LIST, AT_MAP, AT_OPTION, AT_RESULT, AT_TUPLE,
  AT_OWN, AT_BORROW, AT_STREAM, AT_FUTURE
} wit_aty_kind;

typedef struct wit_aty {
  uint8_t kind;
  uint8_t prim;                  /* AT_PRIM */
  uint32_t pos;
  const char *name;              /* AT_NAMED, AT_OWN, AT_BORROW */
  struct wit_aty *a, *b;         /* elements; NULL = none */
  uint32_t len;                  /* fixed list */
  struct wit_aty **elems;        /* tuple */
  uint32_t nelems;
} wit_aty;

typedef struct {
  uint8_t kind;                  /* 0 none, 1 since, 2 unstable, 3 deprecated */
  const char *value;
  const char *since;             /* @since beside @deprecated */
  const char *feature;           /* @unstable feature (excludes the item unless enabled) */
  uint32_t pos;
} wit_agate;

typedef struct {
  const char *name;
  uint32_t pos;
  wit_aty *ty;                   /* may be NULL */
  const char *docs;
} wit_afield;

typedef enum { AF_FREE, AF_METHOD, AF_STATIC, AF_CTOR } wit_afunc_kind;

typedef struct {
  const char *name;
  uint32_t pos;
  uint8_t kind;
  uint8_t is_async;
  wit_afield *params; uint32_t nparams, capparams;
  wit_aty *result;               /* NULL: none */
  uint32_t result_pos;
  wit_agate gate;
  const char *docs;
} wit_afunc;

/* A reference to an interface or world: `name` (local) or ns:pkg/name@ver. */
typedef struct {
  const char *ns, *pkg, *version; /* ns NULL: local */
  const char *name;
  uint32_t pos;
} wit_apath;

typedef struct { const char *name, *as; uint32_t pos; } wit_arename;

typedef enum { AD_ALIAS, AD_RECORD, AD_VARIANT, AD_ENUM, AD_FLAGS, AD_RESOURCE } wit_adef_kind;

typedef struct {
  uint8_t kind;
  const char *name;
  uint32_t pos;
  wit_aty *alias;
  wit_afield *items; uint32_t nitems, capitems;
  wit_afunc *funcs; uint32_t nfuncs, capfuncs;   /* resource */
  wit_agate gate;
  const char *docs;
} wit_adef;

typedef struct {
  wit_apath path;
  wit_arename *names; uint32_t nnames, capnames;
  wit_agate gate;
} wit_ause;

typedef enum { AI_USE, AI_DEF, AI_FUNC } wit_aitem_kind;
typedef struct {
  uint8_t kind;
  wit_ause use;
  wit_adef def;
  wit_afunc func;
} wit_aitem;

typedef struct wit_aiface {
  const char *name;              /* NULL: inline in a world */
  uint32_t pos;
  wit_aitem *items; uint32_t nitems, capitems;
  wit_agate gate;
  const char *docs;
  uint32_t file;                 /* index into the package's file scopes */
  int32_t resolved;              /* IR index once resolved, -1 before */
  uint8_t state;                 /* topo-sort mark */
} wit_aiface;

typedef enum { AW_IMPORT, AW_EXPORT, AW_USE, AW_DEF, AW_INCLUDE } wit_awitem_kind;
typedef enum { AX_PATH, AX_FUNC, AX_IFACE } wit_aextern_kind;

typedef struct {
  uint8_t kind;                  /* wit_awitem_kind */
  uint8_t xkind;                 /* import/export: wit_aextern_kind */
  const char *name;              /* named extern */
  uint32_t pos;
  wit_apath path;                /* AX_PATH, include */
  wit_afunc func;
  wit_aiface *iface;
  wit_ause use;
  wit_adef def;
  wit_arename *with; uint32_t nwith, capwith;
  wit_agate gate;
} wit_awitem;

typedef struct wit_aworld {
  const char *name;
  uint32_t pos;
  wit_awitem *items; uint32_t nitems, capitems;
  wit_agate gate;
  const char *docs;
  uint32_t file;
  int32_t resolved;
  uint8_t state;
} wit_aworld;

/* File-level `use path as name;` */
typedef struct { wit_apath path; const char *as; uint32_t pos; } wit_atopuse;

typedef struct {
  wit_atopuse *uses; uint32_t nuses, capuses;
} wit_afile;

typedef struct wit_apkg {
  const char *ns, *name, *version;
  uint32_t pos;
  bool has_name;
  const char *docs;
  wit_aiface **ifaces; uint32_t nifaces, capifaces;
  wit_aworld **worlds; uint32_t nworlds, capworlds;
  wit_afile *files; uint32_t nfiles, capfiles;
  void *items_map;               /* resolver: name -> interface/world (a wit_map) */
  uint32_t group;                /* which load group (root dir = 0, deps...) */
  int32_t resolved;              /* IR package index */
  uint8_t state;
} wit_apkg;

typedef struct {
  wit_apkg **pkgs; uint32_t npkgs, cappkgs;
} wit_apkgs;

/* Parse one source into packages: the file's own package (pkg, which may
 * gather several files of a directory) plus nested `package x:y {}` blocks
 * appended to out. Returns false on error. */
bool wf_wit_parse_source(wit_ctx *c, const wit_source *src, wit_apkg *pkg, wit_apkgs *out);

/* Resolve every parsed package into a wf_wit_t (allocated). roots: how many
 * of the first packages in pkgs came from the loaded path itself. */
wf_wit_t *wf_wit_resolve(wit_ctx *c, wit_apkgs *pkgs, uint32_t nroots_group0);

/* Context life cycle (load.c). */
void wf_wit_ctx_init(wit_ctx *c, const wf_wit_opts_t *opts, wf_error_t *err);
void wf_wit_ctx_fini(wit_ctx *c);
wit_source *wf_wit_add_source(wit_ctx *c, const char *name, const char *text, size_t len);

/* A WIT package encoded as a wasm component (wit_wasm.c): decoded, printed
 * as WIT text under the name path and parsed into pkg (+ pk). */
bool wf_wit_load_wasm(wit_ctx *c, const char *path, const uint8_t *bytes, size_t len, wit_apkg *pkg,
                      wit_apkgs *pk);

#endif
