/* Component runtime: the contract between instantiation/linking
 * (cinst*.c, clink*.c, src/api/linker.c), the canonical ABI and calls
 * (canon*.c, chandle.c) and the public API (src/api/component*.c).
 *
 * Model (Explainer.md / CanonicalABI.md):
 * - A top-level instantiation makes one wf_crt_t: it owns one core store
 *   (every core instance of the whole component tree lives in it), one arena
 *   for the runtime objects below, and the resource types it created.
 * - Each component instance (top level or nested) is a wf_cinst_t with its
 *   own handle table, may_leave/may_enter flags, and a map from the static
 *   resource ids (rid, see component.h) of its component to runtime
 *   resource types. Lookups of a rid that is not in an instance's map go to
 *   its lexical parent (outer aliases).
 * - Values cross every boundary as weft_val_t (include/weft.h): a call from
 *   component A into B lifts A's core values into weft_val_t with A's
 *   options and lowers them into B with B's (strings are transcoded through
 *   UTF-8 on the way). Resource values carry the runtime resource type and
 *   the rep, so identity does not depend on any one type table.
 */
#ifndef WF_COMPONENT_RT_H
#define WF_COMPONENT_RT_H

#include "../../include/weft.h"
#include <stdatomic.h>

#include "../core/runtime.h"
#include "../util/arena.h"
#include "component.h"

typedef struct wf_cinst wf_cinst_t;
typedef struct wf_crt wf_crt_t;
typedef struct wf_ccall wf_ccall_t;   /* a component-level call in progress (canon*.c) */

/* ---- resource types ------------------------------------------------------ */
/* One per (resource definition, component instance) and per host
 * definition. Public as weft_resource_type_t. */
struct weft_resource_type {
  wf_cinst_t *impl;               /* defining guest instance; NULL for a host type */
  wf_funcinst_t *dtor;            /* guest destructor, core (i32) -> (), or NULL */
  weft_resource_dtor_fn host_dtor;/* host type: destructor, or NULL */
  void *host_env;
  const char *name;               /* for messages ("guest-defined resource" when unnamed) */
};
typedef struct weft_resource_type wf_rtype_t;

/* ---- handle tables (chandle.c), CanonicalABI.md "Table"/"ResourceHandle" --
 * Index 0 is never used; freed indices are reused last-freed first, exactly
 * as the spec's Table (trap messages name indices). */
typedef struct {
  wf_rtype_t *rt;                 /* NULL: free slot */
  uint64_t rep;
  bool own;
  uint32_t lends;                 /* own: borrows of it live in calls */
  wf_ccall_t *scope;              /* borrow: the call it was lent to */
  uint32_t next_free;             /* free slot: next in the free list (0 = end) */
} wf_handle_t;

typedef struct {
  wf_handle_t *v;                 /* v[0] unused */
  uint32_t n, cap;                /* n = one past the highest index used */
  uint32_t free_head;             /* 0 = none */
} wf_htable_t;

/* ---- the host's handles (chandle.c) ----------------------------------------
 * The host is a participant of the handle rules too (CanonicalABI.md: `own`
 * moves, borrows are lent): each wf_crt_t keeps the guest-defined resources
 * of its instances that the host holds. An entry is one (type, rep) pair: a
 * live guest resource's rep is unique within its type, so the public value
 * {type, rep} names it (a guest that makes two handles with one rep gets a
 * count of 2). Host-defined resources have no entries: their reps are the
 * host's own.
 *   owns     own handles the host holds (added when an own is lifted out to
 *            the host, removed when the host moves it into a guest or drops it)
 *   lends    borrows of them the host lent to guest calls in progress (an own
 *            may not be moved or dropped while lent)
 *   borrows  borrows lent to the host by guest calls of host functions in
 *            progress (usable as borrows until the host function returns)
 *   rowns/rlends  weft_cfunc_call's argument check: what the arguments would
 *            take, so that a call the host cannot make is refused before the
 *            guest is touched
 * An entry with every count 0 is removed. Index 0 is never used; the hash
 * index maps (type, rep) to entry indices (0 = empty). */
typedef struct {
  wf_rtype_t *rt;                 /* NULL: free slot */
  uint64_t rep;
  uint32_t owns, lends, borrows, rowns, rlends;
  uint32_t next_free;
} wf_hentry_t;

typedef struct {
  wf_hentry_t *v;                 /* v[0] unused */
  uint32_t n, cap, free_head, live;
  uint32_t *slots, nslots;        /* open addressing, nslots a power of 2 (or 0) */
} wf_hosttab_t;

/* A counter of an entry raised for the duration of a call or a check, to be
 * lowered again by wf_hrefs_release. */
typedef enum { WF_HREF_LEND, WF_HREF_BORROW, WF_HREF_ROWN, WF_HREF_RLEND } wf_hrefkind_t;
typedef struct {
  wf_hosttab_t *tab;
  uint32_t idx;
  uint8_t kind;                   /* wf_hrefkind_t */
} wf_href_t;
typedef struct {
  wf_href_t *v;                   /* inline_v or malloc'd */
  uint32_t n, cap;
  wf_href_t inline_v[4];
} wf_hrefs_t;

/* ---- canonical options, resolved to runtime objects ---------------------- */
typedef struct {
  uint8_t enc;                    /* wf_strenc_t */
  wf_meminst_t *mem;              /* NULL when the type needs no memory */
  wf_funcinst_t *realloc;         /* NULL if absent */
  wf_funcinst_t *post_return;     /* NULL if absent */
} wf_copts_t;

/* ---- component functions --------------------------------------------------
 * Public as weft_cfunc_t. Allocated in the owning wf_crt_t's arena. */
typedef enum { WF_CFUNC_LIFTED, WF_CFUNC_HOST } wf_cfunckind_t;
struct weft_cfunc {
  uint8_t kind;                   /* wf_cfunckind_t */
  wf_cinst_t *inst;               /* LIFTED: the instance whose `canon lift` made it.
                                     HOST: the instance that imported it. Its
                                     component's type table holds `type`, and
                                     its rid map resolves the type's resources. */
  wf_ctid_t type;                 /* WF_CT_FUNC node */
  /* LIFTED */
  wf_funcinst_t *core;
  wf_copts_t opts;
  /* HOST */
  weft_host_fn cb;
  void *env;
  /* NUL-terminated parameter names, made on first use by
   * weft_cfunc_param_name (src/api/component.c), in the runtime's arena */
  const char **param_names;
};
typedef struct weft_cfunc wf_cfunc_t;

/* ---- runtime items: what an index-space entry, an export or an
 * instantiation argument holds ---------------------------------------------- */
typedef struct wf_citems wf_citems_t;
typedef struct wf_ccomp wf_ccomp_t;

typedef struct {
  uint8_t sort;                   /* wf_sort_t */
  wf_ctid_t type;                 /* the static type node (for TYPE: the type it denotes) */
  union {
    wf_cfunc_t *func;             /* FUNC */
    wf_citems_t *inst;            /* INSTANCE: its exports */
    wf_rtype_t *rtype;            /* TYPE: the runtime resource type, NULL if not a resource */
    wf_ccomp_t *comp;             /* COMPONENT */
    const wf_module_t *module;    /* CORE_MODULE */
    wf_extern_t core;             /* CORE_FUNC / CORE_TABLE / CORE_MEMORY / CORE_GLOBAL */
    wf_citems_t *core_inst;       /* CORE_INSTANCE: its exports (core externs) */
  } u;
} wf_citem_t;

/* A named list of items: the exports of a (core or component) instance. */
struct wf_citems {
  uint32_t n;
  const char **names;             /* NUL-terminated */
  wf_citem_t *items;
  const wf_ctypes_t *ts;          /* type table the items' `type` ids belong to */
  /* by-name index (cinst_args.c): name lengths, and an open-addressing table
   * of item index + 1 (0 = empty); NULL when absent (lookups are linear) */
  uint32_t *lens;
  uint32_t *slots, nslots;
};

/* A component as a runtime value: its definition plus the instance it was
 * defined in (for outer aliases); NULL parent at top level. */
struct wf_ccomp {
  const wf_component_t *comp;
  wf_cinst_t *parent;
};

/* ---- component instances ---------------------------------------------------- */
typedef struct { uint32_t *k; wf_rtype_t **v; uint32_t cap, n; } wf_ridtab_t;

struct wf_cinst {
  wf_crt_t *rt;
  wf_cinst_t *parent;             /* lexical parent: where its component was defined */
  const wf_component_t *comp;
  wf_ridtab_t rids;               /* static rid -> runtime resource type */
  wf_htable_t handles;
  bool may_leave, may_enter;
  const char *no_leave_why;       /* while !may_leave: "realloc" or "post-return" */
  /* runtime index spaces, one wf_citem_t per entry (sort = index space) */
  wf_citem_t *space[WF_SORT_COUNT];
  uint32_t nspace[WF_SORT_COUNT];
  wf_citems_t exports;
  wf_cinst_t *next;               /* the wf_crt_t's list of instances */
};

/* The runtime of one top-level instantiation. */
struct wf_crt {
  wf_store_t *store;
  wf_arena_t arena;               /* runtime objects (cinsts, items, cfuncs, rtypes, names) */
  void *data;                     /* the embedder's, handed to host functions */
  wf_cinst_t *top;
  wf_cinst_t *insts;              /* every instance, for teardown */
  wf_ccall_t *calls;              /* innermost call in progress (canon*.c), NULL when idle */
  struct weft_cinstance *api;     /* the public wrapper (src/api) */
  struct { const void *key; void *state; weft_state_free_fn free_fn; } *states;  /* in arena */
  uint32_t nstates;               /* weft_linker_define_state: made at instantiation */
  wf_hosttab_t host;              /* guest resources of this runtime the host holds
                                     (all-zero = empty) */
};

/* The context handed to host functions (public weft_call_t). */
struct weft_call {
  wf_crt_t *rt;
  wf_cinst_t *inst;               /* the calling instance */
  const wf_cfunc_t *func;         /* the host function being called */
  wf_arena_t *arena;              /* results' nested storage; freed after lowering */
  bool trapped;
  char trap[256];
  wf_trapcode_t trap_code;        /* the trap's code; WF_TRAP_NONE: WF_TRAP_HOST
                                     (wf_call_interrupted sets WF_TRAP_INTERRUPT) */
};

/* ---- public wrappers (defined here because several files use them) ------ */
struct weft_component {
  wf_component_t *c;
  atomic_int refs;                /* the owner + one per live instance */
  char **import_names, **export_names;   /* NUL-terminated copies (src/api) */
  /* names of the items of instance-typed imports/exports, [i][j]; NULL
   * for an import/export that is not an instance (src/api) */
  char ***import_item_names, ***export_item_names;
};
struct weft_cinstance {
  wf_crt_t *rt;
  struct weft_component *comp;    /* holds a reference */
  struct weft_instance_pre *pre;  /* made from this pre-link (holds a reference), or NULL */
};

/* ---- instantiation (cinst*.c) ----------------------------------------------- */
/* Resource type of a static resource node (WF_CT_RESOURCE, or an OWN/BORROW
 * node: its resource) as seen from inst: inst's rid map, then its parents'.
 * NULL if unbound (a bug in the linker: instantiation binds every rid). */
wf_rtype_t *wf_cinst_rtype(const wf_cinst_t *inst, wf_ctid_t node);
/* Bind rid -> rt in inst's map. */
bool wf_cinst_bind_rid(wf_cinst_t *inst, uint32_t rid, wf_rtype_t *rt);
/* The item named exactly name[0..len) in l, or NULL. */
const wf_citem_t *wf_citems_find(const wf_citems_t *l, const char *name, size_t len);

/* ---- canonical ABI and calls (canon*.c, chandle.c) ----------------------------
 * Traps: these return WF_TRAP_NONE or a trap code with *trap filled (message,
 * and the wasm backtrace when the trap came from core code). Messages follow
 * wasmtime's where the component-model tests check them. */

/* Call a component function (lifted or host) with values; results' nested
 * storage comes from `arena`. Used for host->guest calls and as the inner
 * half of every lowered call. */
wf_trapcode_t wf_cfunc_invoke(wf_cfunc_t *f, const weft_val_t *args, size_t nargs,
                              weft_val_t *results, size_t nresults, wf_arena_t *arena, wf_trap_t *trap);

/* The core function `canon lower` makes: a host function in caller->rt's
 * store with the flattened (lower) core signature of `ftype` (a WF_CT_FUNC
 * node in caller's component), given as `core_type` (the CORE_FUNC node
 * the check of the definition made, borrowed), which lifts its arguments with `opts` in
 * caller, calls `callee`, and lowers the results back. */
wf_funcinst_t *wf_canon_lower_new(wf_cinst_t *caller, wf_ctid_t ftype, wf_ctid_t core_type, const wf_copts_t *opts,
                                  wf_cfunc_t *callee, wf_error_t *err);

/* The core functions of `canon resource.new|drop|rep` for rt in inst. */
wf_funcinst_t *wf_canon_resource_builtin(wf_cinst_t *inst, wf_canonkind_t kind, wf_rtype_t *rt,
                                         wf_error_t *err);
/* A core function of type `core_type` (a WF_CT_CORE_FUNC node) for a
 * built-in weft does not implement (async, threads, error-context): it traps
 * "cannot leave component instance" when may_leave is clear, else with a
 * "not supported" message. */
wf_funcinst_t *wf_canon_unsupported_builtin(wf_cinst_t *inst, const wf_cdef_t *def, wf_ctid_t core_type,
                                            wf_error_t *err);

/* Drop an owned resource value held by the host (public resource_drop):
 * for a guest-defined type the host must hold it (wf_host_check), else
 * WF_TRAP_COMPONENT with the reason and no destructor run. */
wf_trapcode_t wf_canon_drop_own(wf_crt_t *rt, const weft_val_t *own, wf_trap_t *trap);

/* ---- the host's handles (chandle.c) ---- */
/* The host table of a guest-defined type (its defining instance's runtime);
 * NULL for a host-defined type. */
wf_hosttab_t *wf_host_table(const wf_rtype_t *rt);
/* May the host pass (rt, rep) as an own (own) or a borrow now? true for a
 * host-defined type; else why (one sentence) goes to why[0..cap). With refs
 * (weft_cfunc_call's argument check), what it would take is reserved
 * (rowns/rlends) so later arguments see it, to be undone by
 * wf_hrefs_release. */
bool wf_host_check(const wf_rtype_t *rt, uint64_t rep, bool own, wf_hrefs_t *refs, char *why, size_t cap);
/* The host gets an own of (rt, rep) (lifted out to it). false on OOM or a
 * full table. No-op for a host-defined type. */
bool wf_host_own_add(wf_rtype_t *rt, uint64_t rep);
/* The host gives an own of (rt, rep) away (moved into a guest, or dropped):
 * false with why when it may not (wf_host_check). */
bool wf_host_own_take(const wf_rtype_t *rt, uint64_t rep, char *why, size_t cap);
/* The host passes a borrow of (rt, rep) into a guest call: false with why
 * when it may not; else an own it holds is lent (recorded in refs, when
 * given, until the call ends). */
bool wf_host_lend(const wf_rtype_t *rt, uint64_t rep, wf_hrefs_t *refs, char *why, size_t cap);
/* A guest call of a host function lends the host a borrow of (rt, rep)
 * until refs is released (when the host function returns). false on
 * OOM/full. No-op for a host-defined type. */
bool wf_host_borrow_add(wf_rtype_t *rt, uint64_t rep, wf_hrefs_t *refs);
static inline void wf_hrefs_init(wf_hrefs_t *l) { l->v = l->inline_v; l->n = 0; l->cap = 4; }
/* Lower every counter refs raised, removing entries left with none; frees
 * refs' storage (it is empty and reusable after). */
void wf_hrefs_release(wf_hrefs_t *refs);
/* The same, without a call when refs raised nothing (every call between a
 * guest and the host passes through here). */
static inline void wf_hrefs_done(wf_hrefs_t *refs) {
  if (refs->n || refs->v != refs->inline_v) wf_hrefs_release(refs);
}
/* Runtime teardown: forget every entry (no guest destructor runs: the
 * store and its memories go away with the runtime). */
void wf_host_fini(wf_hosttab_t *t);

/* Handle tables. add returns the index, or 0 when the table is full. */
void wf_htable_init(wf_htable_t *t);
uint32_t wf_htable_add(wf_htable_t *t, const wf_handle_t *h);
wf_handle_t *wf_htable_get(wf_htable_t *t, uint32_t i);      /* NULL if not live */
void wf_htable_remove(wf_htable_t *t, uint32_t i);
/* Instance teardown: run host destructors of owned host resources still in
 * the table, then free it. (Guest destructors are not run at teardown.) */
void wf_htable_fini(wf_htable_t *t);

#endif
