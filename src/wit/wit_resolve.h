/* WIT resolver internals, shared by its parts (only they include this):
 *   wit_resolve.c         entry point, gates, package order, packages
 *   wit_resolve_lookup.c  interface/world names, `use` of types
 *   wit_resolve_type.c    type scopes, lowering types and functions, checks
 *   wit_resolve_iface.c   interfaces
 *   wit_resolve_world.c   worlds: imports, exports, elaboration, `include` */
#ifndef WF_WIT_RESOLVE_H
#define WF_WIT_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "wit/wit_internal.h"
#include "wit/wit_map.h"

#define WIT_MAX_DEP_DEPTH 1000

/* The resolver's state for one wf_wit_resolve() call. */
typedef struct {
  wit_ctx *c;
  wit_arena *a;
  wf_wit_t *w;
  uint32_t cap_pk, cap_if, cap_wo, cap_ty;
  wit_apkgs *pk;
  wit_map pkg_by_id;           /* "ns:name@ver" -> index in pk */
  int depth;
  const char *cur_name;        /* the interface/world being resolved (for cycle messages) */
  uint32_t cur_pos;
  wit_map pkg_by_name;         /* "ns:name" -> index in pk (unversioned first) */
  wit_map **iface_types;       /* per IR interface: type name -> type index (built on demand) */
  uint32_t niface_types;
  uint32_t *tpos;              /* per type: source position of its definition (0: none) */
  uint32_t ntpos, captpos;
  uint8_t *borrow_memo;        /* per type: 0 unknown, 1 no borrow, 2 has borrow */
  uint32_t nborrow_memo;
} wit_res;

/* The package being resolved. */
typedef struct {
  wit_apkg *ap;
  uint32_t pkg;                /* IR package */
  wit_map items;               /* name -> 1+index into ap->ifaces, or (1<<30)+index into worlds */
  wit_map *file_uses;          /* per file: name -> index into file uses */
} wit_res_pkg;

#define WIT_WORLD_BIT (1u << 30)

/* What a path names. */
typedef struct {
  int kind;                    /* 0 none, 1 iface, 2 world */
  wit_aiface *ai;              /* local, unresolved */
  wit_aworld *aw;
  int32_t ir;                  /* foreign: IR index */
} wit_target;

/* Names visible while lowering an interface's or a world's types. */
typedef struct {
  wit_map names;               /* name -> index in ents */
  struct wit_scope_ent { int32_t type; uint8_t func; uint8_t excl; uint8_t foreign; } *ents;
  uint8_t in_func;             /* lowering a function signature (message wording) */
  uint8_t in_fields;           /* lowering record/variant members: functions are not visible */
  uint32_t nents, capents;
  uint8_t owner_kind;
  uint32_t owner;
  /* handles to check after lowering */
  struct wit_scope_hchk { int32_t type; uint32_t pos; const char *name; uint8_t foreign; } *hs;
  uint32_t nhs, caphs;
} wit_scope;

/* ---- wit_resolve.c ---- */
bool wf_wit_oom(wit_res *r);
/* Is the item behind gate g left out (its @unstable feature not enabled)? */
bool wf_wit_excluded(wit_res *r, const wit_agate *g);
void wf_wit_to_gate(wf_wit_gate_t *o, const wit_agate *g);
/* @since / @deprecated(since) must not name a version after the package's. */
bool wf_wit_check_gate(wit_res *r, wit_res_pkg *pk, const wit_agate *g);
/* A new IR type (zeroed refs); its index, or -1 when out of memory. */
int32_t wf_wit_new_type(wit_res *r, const char *name, uint8_t kind, uint8_t ok, uint32_t owner);
/* Index in r->pk of package ns:name[@ver] (without ver: the unversioned
 * one if any), or -1. */
int32_t wf_wit_find_apkg(wit_res *r, const char *ns, const char *name, const char *ver);
bool wf_wit_pkg_not_found(wit_res *r, const wit_apath *pt);

/* ---- wit_resolve_lookup.c ---- */
/* A foreign (ns:pkg/name) interface or world, already resolved. */
bool wf_wit_lookup_foreign(wit_res *r, const wit_apath *pt, wit_target *t, bool want_world);
/* A path as seen from file `file` of package pk (file-level `use`s first). */
bool wf_wit_lookup_path(wit_res *r, wit_res_pkg *pk, uint32_t file, const wit_apath *pt, wit_target *t,
                        bool want_world, int depth);
/* Resolve a path to an IR interface index (resolving a local one first). */
bool wf_wit_path_iface(wit_res *r, wit_res_pkg *pk, uint32_t file, const wit_apath *pt, int32_t *out);
/* Bring `use` names into a scope as alias types owned by (ok, owner). */
bool wf_wit_do_use(wit_res *r, wit_res_pkg *pk, uint32_t file, wit_scope *s, const wit_ause *u, uint8_t ok,
                   uint32_t owner, wf_wit_named_type_t **nt, uint32_t *nnt, uint32_t *capnt, int32_t *used_iface);

/* ---- wit_resolve_type.c ---- */
bool wf_wit_scope_add(wit_res *r, wit_scope *s, const char *name, uint32_t pos, int32_t type, bool func, bool excl);
/* Lower a typedef body into the already-created slot ti. */
bool wf_wit_lower_def(wit_res *r, wit_scope *s, const wit_adef *d, int32_t ti);
/* Reject cycles among types reachable from [first, ntypes). */
bool wf_wit_check_cycles(wit_res *r, uint32_t first, uint8_t *marks, uint32_t *stack);
/* Every own<T>/borrow<T> lowered in s names a resource. */
bool wf_wit_check_handles(wit_res *r, wit_scope *s);
/* "<pre><res>[.<name>]" in the arena, or NULL. */
const char *wf_wit_mangle(wit_res *r, const char *pre, const char *res, const char *name);
/* Lower a function signature; res: the resource type slot for members, or -1. */
bool wf_wit_lower_func(wit_res *r, wit_scope *s, const wit_afunc *af, wf_wit_func_t *f, const char *name,
                       int32_t res);
/* A result must not contain a borrow. */
bool wf_wit_check_func_result(wit_res *r, const wf_wit_func_t *f, uint32_t pos);
typedef bool (*wit_member_emit_fn)(wit_res *r, void *ctx, const wit_afunc *af, const wf_wit_func_t *f);
bool wf_wit_lower_resource_members(wit_res *r, wit_res_pkg *pk, wit_scope *s, wit_adef *def, int32_t res,
                                   wit_member_emit_fn emit, void *ctx);

/* ---- wit_resolve_iface.c ---- */
/* Resolve an interface body into IR interface `ii` (already pushed). */
bool wf_wit_iface_body(wit_res *r, wit_res_pkg *pk, wit_aiface *it, uint32_t ii);
/* Push a new IR interface for it; its index in *out. */
bool wf_wit_new_iface(wit_res *r, wit_res_pkg *pk, wit_aiface *it, uint32_t *out);
/* Resolve the interfaces `it` uses first (so IR order is topological). */
bool wf_wit_iface_deps(wit_res *r, wit_res_pkg *pk, wit_aiface *it);
/* Resolve an interface once; *out: its IR index, or -2 when excluded. */
bool wf_wit_resolve_iface(wit_res *r, wit_res_pkg *pk, wit_aiface *it, int32_t *out);

/* ---- wit_resolve_world.c ---- */
/* Resolve a world once (its includes first); w->resolved: IR index, -2 when excluded. */
bool wf_wit_resolve_world(wit_res *r, wit_res_pkg *pk, wit_aworld *w);

#endif
