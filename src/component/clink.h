/* Instantiation and linking, internal to cinst*.c, clink.c and
 * src/api/linker.c. The runtime contract they implement is crt.h.
 *
 * Instantiation (cinst.c) walks a component's definitions in binary order and
 * fills the instance's runtime index spaces; arguments are a named list of
 * runtime items (wf_citems_t). At top level the linker (clink.c) makes that
 * list from its definitions: host functions, host resource types, instances
 * exported by other component instances. */
#ifndef WF_COMPONENT_LINK_H
#define WF_COMPONENT_LINK_H

#include "crt.h"

/* ---- runtimes and instances (cinst.c) ------------------------------------ */
/* A new runtime: its own store (its memories recycled through `pool` when
 * not NULL) and arena, no instances yet. NULL on OOM. */
wf_crt_t *wf_crt_new(wf_mempool_t *pool);
/* Teardown: every handle table, then host states in reverse order of
 * creation, then the store, then the arena. Accepts NULL. */
void wf_crt_free(wf_crt_t *rt);
/* A component instance of `comp` whose lexical parent is `parent` (NULL at
 * top level), with empty index spaces, linked into rt's list; the first one
 * made becomes rt->top. NULL on OOM. */
wf_cinst_t *wf_cinst_new(wf_crt_t *rt, wf_cinst_t *parent, const wf_component_t *comp);
/* Run inst's definitions with `args` (one item per import, by exact name).
 * On failure err says where and what (WEFT_ERR_LINK, WEFT_ERR_TRAP for a
 * trap in a core start function, WEFT_ERR_NOMEM); the runtime then holds
 * partial state and must be freed with wf_crt_free. */
bool wf_cinst_run(wf_cinst_t *inst, const wf_citems_t *args, weft_error_t *err);

/* ---- items and binding (cinst_args.c) ------------------------------------ */
/* Build the by-name index of a list (names must be set). false on OOM. */
bool wf_citems_index(wf_arena_t *a, wf_citems_t *l);
/* A list of n empty items with room for names, in arena a. NULL on OOM. */
wf_citems_t *wf_citems_new(wf_arena_t *a, uint32_t n, const wf_ctypes_t *ts);
/* Bind what an import of inst needs from `item`, the argument given for it:
 * every resource named by the import's type (ext->type, in inst's type
 * table) gets the argument's runtime resource type; every export the type
 * lists must be present with the same sort. When the argument comes from
 * another runtime (a weft_linker_define_instance provider), function types
 * are checked structurally across the two type tables. `what` names the
 * import in messages. */
bool wf_cinst_bind_import(wf_cinst_t *inst, const char *what, uint8_t sort, wf_ctid_t type,
                          const wf_citem_t *item, weft_error_t *err);
/* After a nested instantiation: bind the resources that the static type of
 * the new instance (`itype`, an INSTANCE node in inst's table) introduced,
 * from the child's runtime exports. */
bool wf_cinst_bind_exports(wf_cinst_t *inst, wf_ctid_t itype, const wf_citems_t *exports, weft_error_t *err);

/* ---- cross-table type comparison (clink.c) ------------------------------- */
/* Are function types a (in ia's component) and b (in ib's) the same, with
 * resources compared by their runtime types? On mismatch writes a reason to
 * why (cap bytes). *work counts steps against a budget. */
bool wf_cfunc_type_match(const wf_cinst_t *ia, wf_ctid_t a, const wf_cinst_t *ib, wf_ctid_t b, char *why,
                         size_t cap, uint64_t *work);

/* ---- semver-compatible names (clink.c) ----------------------------------- */
/* Index of the best match for `want` among names[0..n) (NUL-terminated),
 * or -1: an exact match first; else, for an interface name
 * "ns:pkg/iface@X.Y.Z", the highest compatible version of the same
 * ns:pkg/iface (same major when major > 0, same major.minor when major is 0;
 * pre-release versions match exactly only); else a name without version
 * for the same ns:pkg/iface. A `want` without version takes the highest
 * version of the same name. */
long wf_iface_pick(const char *want, size_t want_len, const char *const *names, size_t n);

/* ---- the linker ---------------------------------------------------------- */
typedef enum { WF_LDEF_FUNC, WF_LDEF_RESOURCE } wf_ldefkind_t;
typedef struct {
  char *name;
  size_t name_len;
  uint8_t kind;                   /* wf_ldefkind_t */
  weft_host_fn fn;                /* FUNC */
  void *env;
  wf_rtype_t *rt;                 /* RESOURCE (owned by the linker's rtypes list) */
} wf_ldef_t;

typedef struct {
  char *name;                     /* interface name; NULL: top-level definitions */
  wf_ldef_t *defs;
  size_t n, cap;
  weft_cinstance_t *provider;     /* weft_linker_define_instance: serves the whole interface */
  char *export_name;
} wf_liface_t;

typedef struct {
  const void *key;
  weft_state_new_fn make;
  weft_state_free_fn free_fn;
  void *env;
} wf_lstate_t;

struct weft_linker {
  wf_liface_t top;                /* plain top-level functions and resources */
  wf_liface_t *ifaces;
  size_t nifaces, capifaces;
  wf_rtype_t **rtypes;            /* every host resource type made (freed with the linker) */
  size_t nrtypes, caprtypes;
  wf_lstate_t *states;
  size_t nstates, capstates;
  wf_mempool_t *pool;             /* the engine's memory pool (a reference), or NULL */
};

/* Make the instantiation arguments of rt->top's component from l's
 * definitions (one item per import, in the component type's import order).
 * Every missing definition is listed in one WEFT_ERR_LINK error. */
bool wf_link_imports(const weft_linker_t *l, wf_cinst_t *top, wf_citems_t **args, weft_error_t *err);
/* Free the linker's definitions (not the struct). */
void wf_linker_fini(weft_linker_t *l);

/* ---- pre-linking (cinst_pre.c) ------------------------------------------- */
/* wf_link_imports done once, on a template runtime that is never run: its
 * top instance's argument lists and rid bindings are what every
 * instantiation from the pre starts with. Shared read-only between threads;
 * instances made from it hold a reference (their argument lists share the
 * template's names and by-name indexes). */
struct weft_instance_pre {
  atomic_int refs;                /* the owner + one per live instance */
  const weft_linker_t *l;
  struct weft_component *comp;    /* holds a reference */
  wf_mempool_t *pool;             /* the linker's (a reference), or NULL */
  wf_crt_t *tmpl;                 /* template runtime: tmpl->top was linked */
  wf_citems_t *args;              /* tmpl->top's arguments (in tmpl's arena) */
  wf_lstate_t *states;            /* copy of the linker's states */
  size_t nstates;
};
/* Make pre->tmpl and pre->args (the rest is set by the caller). false with
 * err set on a link error or OOM. */
bool wf_prelink(const weft_linker_t *l, struct weft_instance_pre *pre, weft_error_t *err);
/* The arguments of `top` (a fresh instance of pre's component) from the
 * template: host functions made for top, resources bound as the template's.
 * false on OOM. */
bool wf_link_from_pre(const struct weft_instance_pre *pre, wf_cinst_t *top, wf_citems_t **args);

#endif
