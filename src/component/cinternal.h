/* Internal to src/component/: arena, byte reader, validation scopes. */
#ifndef WF_COMPONENT_INTERNAL_H
#define WF_COMPONENT_INTERNAL_H

#include "component.h"

/* A guest-sized length as a printf precision for "%.*s" (bounded, never negative). */
#define WF_NLEN(n) ((int)((n) > 200u ? 200u : (uint32_t)(n)))

/* ---- Arena: every structure of a component lives here ------------------- */
typedef struct wf_carena wf_carena_t;
wf_carena_t *wf_carena_new(void);
void wf_carena_free(wf_carena_t *a);
void *wf_carena_alloc(wf_carena_t *a, size_t size);   /* zeroed; NULL on OOM */

/* Growable array in the arena: *cap doubles; old storage is abandoned. */
bool wf_carena_grow(wf_carena_t *a, void **ptr, uint32_t *cap, uint32_t n, size_t elem);
#define WF_VEC_PUSH(arena, arr, n, cap, val)                                   \
  (((n) < (cap) || wf_carena_grow((arena), (void **)&(arr), &(cap), (n), sizeof(*(arr)))) \
       ? ((arr)[(n)++] = (val), true) : false)

/* ---- Name sets (cnameset.c) ---------------------------------------------- */
typedef struct {
  bool used;
  uint32_t h, idx;
  const char *k1; uint32_t l1;
  const char *k2; uint32_t l2;   /* second key part (two-level core names) */
} wf_cnslot_t;
typedef struct wf_cnameset {
  wf_cnslot_t *v; uint32_t cap, n;
  bool canonical;   /* compare names by their strong-uniqueness canonical form */
} wf_cnameset_t;
/* Adds key -> idx. Returns UINT32_MAX when added, else the idx of the equal
 * key already present (nothing added). *oom on allocation failure. */
uint32_t wf_cnameset_add(wf_carena_t *a, wf_cnameset_t *s, const char *k1, uint32_t l1, const char *k2,
                         uint32_t l2, uint32_t idx, bool *oom);
uint32_t wf_cnameset_find(wf_carena_t *a, const wf_cnameset_t *s, const char *k1, uint32_t l1, const char *k2,
                          uint32_t l2);

/* u32 -> u32 hash map (keys nonzero), memory in an arena (cnameset.c). */
typedef struct { uint32_t *k, *v; uint32_t cap, n; } wf_u32map_t;
bool wf_u32map_put(wf_carena_t *a, wf_u32map_t *m, uint32_t k, uint32_t v);
bool wf_u32map_get(const wf_u32map_t *m, uint32_t k, uint32_t *v);
bool wf_u32map_copy(wf_carena_t *a, wf_u32map_t *dst, const wf_u32map_t *src);

/* ---- Reader ------------------------------------------------------------- */
typedef struct {
  const uint8_t *base;   /* start of the whole binary (offsets are from here) */
  const uint8_t *p, *end;
  wf_error_t *err;
} wf_creader_t;

static inline size_t wf_cr_off(const wf_creader_t *r) { return (size_t)(r->p - r->base); }
bool wf_cr_byte(wf_creader_t *r, uint8_t *out);
bool wf_cr_u32(wf_creader_t *r, uint32_t *out);
bool wf_cr_s33(wf_creader_t *r, int64_t *out);
/* A name: u32 length then valid UTF-8. */
bool wf_cr_name(wf_creader_t *r, const char **s, uint32_t *len);
/* A vector count, bounded by the bytes left (each item >= min_item bytes). */
bool wf_cr_count(wf_creader_t *r, uint32_t *out, uint32_t min_item);
bool wf_cr_malformed(wf_creader_t *r, const char *what, uint8_t b);

/* ---- Validation scopes --------------------------------------------------- */
typedef enum { WF_SCOPE_COMPONENT, WF_SCOPE_COMPONENT_TYPE, WF_SCOPE_INSTANCE_TYPE } wf_scopekind_t;

typedef struct { uint32_t *v; uint32_t n, cap; } wf_u32vec_t;
typedef struct { wf_cextern_t *v; uint32_t n, cap; } wf_externvec_t;

typedef struct wf_cscope {
  struct wf_cscope *parent;
  uint8_t kind;                    /* wf_scopekind_t */
  wf_u32vec_t space[WF_SORT_COUNT];
  wf_externvec_t imports, exports;
  wf_cnameset_t import_names, export_names;   /* canonical, for uniqueness */
  wf_u32map_t import_res, export_res;         /* resource node -> extern index + 1 */
  uint32_t rid_lo;                 /* first resource id created in this scope */
  wf_u32vec_t imported_rids;
  wf_u32vec_t local_rids;          /* resources defined by (resource ...) here */
  struct { wf_cdef_t *v; uint32_t n, cap; } defs;  /* components only */
  /* nodes with an externally visible name in this scope: bit 1 by an
   * import, bit 2 by an export (open addressing, keys are node ids) */
  uint32_t *nm_keys; uint8_t *nm_vals; uint32_t nm_cap, nm_n;
} wf_cscope_t;

typedef struct {
  const uint8_t *base; size_t len;
  wf_ctypes_t *ts;
  wf_carena_t *arena;
  wf_error_t *err;
  uint32_t depth;
  wf_cscope_t *scope;   /* innermost */
  struct { wf_module_t **v; uint32_t n, cap; } modules;  /* every core module decoded */
} wf_cctx_t;

/* ctypes.c */
bool wf_ctypes_init(wf_ctypes_t *ts);
void wf_ctypes_fini(wf_ctypes_t *ts);
/* New node (zeroed, kind set); WF_CTID_NONE on overflow/OOM. */
wf_ctid_t wf_ctype_new(wf_ctypes_t *ts, uint8_t kind);
static inline wf_ctype_t *wf_ctype_mut(wf_ctypes_t *ts, wf_ctid_t id) { return &ts->v[id]; }
const char *wf_ctkind_name(unsigned kind);
/* A named copy of a node (same structure; resources keep their rid). */
wf_ctid_t wf_ctype_named_copy(wf_ctypes_t *ts, wf_ctid_t id);
/* Does `t` (a value/func/instance/component type) contain a borrow / a resource? */
bool wf_ctype_has_borrow(const wf_ctypes_t *ts, wf_ctid_t t, uint32_t depth);
bool wf_ctype_has_resource(const wf_ctypes_t *ts, wf_ctid_t t, uint32_t depth);
/* Uses a string or list somewhere. */
bool wf_ctype_has_heap(const wf_ctypes_t *ts, wf_ctid_t t, uint32_t depth);
/* Number of flat core values of a value type, saturating at 'cap'+1. */
uint32_t wf_ctype_flat_count(const wf_ctypes_t *ts, wf_ctid_t t, uint32_t cap);
/* Canonical ABI elem_size with 64-bit pointers (saturating; for the 2^28 bound). */
uint64_t wf_ctype_elem_size(const wf_ctypes_t *ts, wf_ctid_t t);

/* Resource substitution map used by subtyping and instantiation. */
typedef struct {
  wf_u32map_t rids;      /* rid -> resource node it becomes */
  wf_u32map_t nodes;     /* type node -> type node (eq type imports) */
  wf_u32map_t bindable;  /* rids that may be bound on first use (value 1) */
  wf_carena_t *arena;
  bool temp_arena;       /* arena is short-lived: build no lookup caches in it */
} wf_ridmap_t;
/* Subtype check a <: b, where b's resources are first mapped through m
 * (binding bindable rids on first use). Error text in err on failure. */
bool wf_ctype_sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_ridmap_t *m,
                  wf_error_t *err, size_t off);
bool wf_ccore_extern_sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_error_t *err, size_t off);
/* Copy of t with resources replaced per m (t itself when nothing changes). */
wf_ctid_t wf_ctype_subst(wf_ctypes_t *ts, wf_ctid_t t, wf_ridmap_t *m, uint32_t depth);
uint32_t wf_ridmap_get(const wf_ridmap_t *m, uint32_t rid, bool *found);
bool wf_ridmap_put(wf_ridmap_t *m, uint32_t from, uint32_t to);
bool wf_ridmap_put_node(wf_ridmap_t *m, wf_ctid_t from, wf_ctid_t to);

/* Prefix the error already recorded in err with context ("what: inner").
 * Returns false; does nothing if no error is recorded. */
bool wf_error_wrap(wf_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cnames.c */
bool wf_cname_label(const char *s, uint32_t len);
/* Validates an extern name; kind out: 0 plain label, 1 [constructor],
 * 2 [method], 3 [static], 4 interface name. res/res_len: the resource label
 * of annotated names. Error in err. */
typedef struct {
  int kind;
  const char *res; uint32_t res_len;
} wf_cname_info_t;
bool wf_cname_extern(const char *s, uint32_t len, wf_cname_info_t *info,
                     wf_error_t *err, size_t off);
/* A versionsuffix attribute: name must carry a canonical version which,
 * followed by the suffix, is a valid semver. */
bool wf_cname_versionsuffix(const char *name, uint32_t len, const char *suf, uint32_t slen, wf_error_t *err,
                            size_t off);
/* Canonical form for strong uniqueness into buf (cap >= len); returns its length. */
uint32_t wf_cname_canonical(const char *s, uint32_t len, char *buf, uint32_t cap);
/* Strong uniqueness: true if the names collide. */
bool wf_cname_conflict(const char *a, uint32_t alen, const char *b, uint32_t blen);

/* By-name lookup in a type's extern list, through an index cached in *cache
 * (built on first use for long lists). */
const wf_cextern_t *wf_cfind_extern(wf_carena_t *a, const wf_cextern_t *v, uint32_t n, wf_cnameset_t **cache,
                                    const char *name, uint32_t len);
const wf_ccore_extern_t *wf_cfind_core_extern(wf_carena_t *a, const wf_ccore_extern_t *v, uint32_t n,
                                              wf_cnameset_t **cache, const char *mod, uint32_t mlen,
                                              const char *name, uint32_t len);

/* cdecode.c / ctypedecl.c / ccanon.c */
/* Scopes: enter (depth-checked) / leave; fill a COMPONENT or INSTANCE node
 * from the scope's imports, exports and resources. */
wf_cscope_t *wf_cscope_enter(wf_cctx_t *cx, uint8_t kind, size_t off);
void wf_cscope_leave(wf_cctx_t *cx);
bool wf_cscope_to_type(wf_cctx_t *cx, wf_cscope_t *s, wf_ctid_t id, size_t off);
/* nameattributes (name + attributes) into e->name / e->attrs. */
bool wf_cdecode_nameattrs(wf_cctx_t *cx, wf_creader_t *r, wf_cextern_t *e);
/* externtype without a name; *fresh when it was `(type (sub resource))`. */
bool wf_cdecode_externdesc(wf_cctx_t *cx, wf_creader_t *r, wf_cextern_t *e, bool *fresh);
bool wf_cdecode_type(wf_cctx_t *cx, wf_creader_t *r, wf_ctid_t *out);
bool wf_cdecode_core_type(wf_cctx_t *cx, wf_creader_t *r, bool in_module_type, wf_ctid_t *out);
bool wf_cdecode_externtype(wf_cctx_t *cx, wf_creader_t *r, wf_cextern_t *out, bool is_import);
bool wf_cdecode_canon(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *def);
bool wf_cdecode_alias(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *def);
bool wf_cdecode_sort(wf_creader_t *r, uint8_t *sort, const char *what);
/* Index-space helpers */
bool wf_cscope_push(wf_cctx_t *cx, unsigned sort, wf_ctid_t t);
bool wf_cscope_get(wf_cctx_t *cx, wf_cscope_t *s, unsigned sort, uint32_t idx, wf_ctid_t *out, size_t off);
wf_ctid_t wf_cfresh_resource(wf_cctx_t *cx);
/* Add an import/export (name checks, uniqueness, visibility); adds the
 * index-space entry for the new item. */
bool wf_cscope_add_extern(wf_cctx_t *cx, bool is_import, wf_cextern_t *e, size_t off);
/* [constructor]/[method]/[static] rules for e among the externs v[0..nv)
 * (names: their canonical name set; res: resource node -> index + 1). */
bool wf_ccheck_annotated(wf_cctx_t *cx, const wf_cextern_t *e, const wf_cextern_t *v, uint32_t nv,
                         const wf_cnameset_t *names, const wf_u32map_t *res, size_t off);
bool wf_cvaltype(wf_cctx_t *cx, wf_creader_t *r, wf_ctid_t *out);
bool wf_cerr(wf_cctx_t *cx, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
