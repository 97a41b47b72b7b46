/* Decoded and validated WebAssembly component: the contract between the
 * component decoder/validator (src/component/c*.c) and the layers above it
 * (linker, canonical ABI, instantiation). See docs/component-model.md.
 *
 * A wf_component_t owns one copy of the input bytes, one arena holding every
 * structure below, and one type table (wf_ctypes_t) shared by the component
 * and all components nested in it. Names are (pointer, length) pairs into
 * the owned bytes (valid UTF-8, not NUL-terminated). */
#ifndef WF_COMPONENT_H
#define WF_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/module.h"
#include "../util/error.h"

/* ---- Sorts (index spaces) ---------------------------------------------- */
typedef enum {
  WF_SORT_CORE_FUNC, WF_SORT_CORE_TABLE, WF_SORT_CORE_MEMORY,
  WF_SORT_CORE_GLOBAL, WF_SORT_CORE_TAG, WF_SORT_CORE_TYPE,
  WF_SORT_CORE_MODULE, WF_SORT_CORE_INSTANCE,
  WF_SORT_FUNC, WF_SORT_VALUE, WF_SORT_TYPE, WF_SORT_COMPONENT,
  WF_SORT_INSTANCE,
  WF_SORT_COUNT
} wf_sort_t;
const char *wf_sort_name(unsigned sort);

/* ---- Types -------------------------------------------------------------- */
/* Every type is a node of the type table, named by a wf_ctid_t. Primitive
 * value types have fixed ids (their kind). WF_CTID_NONE marks "absent". */
typedef uint32_t wf_ctid_t;
#define WF_CTID_NONE 0u

typedef enum {
  WF_CT_NONE = 0,
  /* primitive value types: ids 1..14 are these nodes */
  WF_CT_BOOL, WF_CT_S8, WF_CT_U8, WF_CT_S16, WF_CT_U16, WF_CT_S32, WF_CT_U32,
  WF_CT_S64, WF_CT_U64, WF_CT_F32, WF_CT_F64, WF_CT_CHAR, WF_CT_STRING,
  WF_CT_ERROR_CONTEXT, /* id 14 (decoded only: no canon built-ins for it yet) */
  /* defined value types */
  WF_CT_RECORD,   /* fields[n]: label + type */
  WF_CT_VARIANT,  /* fields[n]: label + type (WF_CTID_NONE if no payload) */
  WF_CT_LIST,     /* t1 = element */
  WF_CT_TUPLE,    /* fields[n].type */
  WF_CT_FLAGS,    /* fields[n].name (n <= 32) */
  WF_CT_ENUM,     /* fields[n].name */
  WF_CT_OPTION,   /* t1 */
  WF_CT_RESULT,   /* t1 = ok, t2 = err (either may be NONE) */
  WF_CT_OWN,      /* t1 = a WF_CT_RESOURCE node */
  WF_CT_BORROW,   /* t1 = a WF_CT_RESOURCE node */
  WF_CT_FIXED_LIST, /* t1 = element, len */
  WF_CT_MAP,      /* t1 = key, t2 = value */
  WF_CT_STREAM,   /* t1 = element or NONE (async: decoded and type-checked only) */
  WF_CT_FUTURE,   /* t1 = element or NONE (likewise) */
  /* other component types */
  WF_CT_FUNC,     /* fields[n] = params; t1 = result or NONE */
  WF_CT_COMPONENT,/* imports/exports */
  WF_CT_INSTANCE, /* exports */
  WF_CT_RESOURCE, /* rid = identity; rep/dtor when defined locally */
  /* core types */
  WF_CT_CORE_FUNC,     /* core.params/results */
  WF_CT_CORE_MODULE,   /* cimports/cexports */
  WF_CT_CORE_INSTANCE, /* cexports */
  WF_CT_CORE_TABLE, WF_CT_CORE_MEMORY, WF_CT_CORE_GLOBAL, WF_CT_CORE_TAG,
  WF_CT_KIND_COUNT
} wf_ctkind_t;
#define WF_CT_IS_PRIM(k) ((k) >= WF_CT_BOOL && (k) <= WF_CT_ERROR_CONTEXT)
#define WF_CT_IS_VALTYPE(k) ((k) >= WF_CT_BOOL && (k) <= WF_CT_FUTURE)

typedef struct {
  const char *name; uint32_t name_len;  /* label (NULL for tuple members) */
  wf_ctid_t type;                       /* NONE for flags/enum/empty cases */
} wf_cfield_t;

/* A component-level extern type, as in an import, export or type decl.
 * sort is WF_SORT_CORE_MODULE, FUNC, VALUE, TYPE, COMPONENT or INSTANCE;
 * type is the node (for TYPE: the defined type or resource it denotes). */
typedef struct {
  const char *name; uint32_t name_len;
  uint8_t sort;
  uint8_t attrs;      /* bit 0 implements, 1 versionsuffix, 2 external-id */
  wf_ctid_t type;
} wf_cextern_t;

/* A core extern (import/export of a core module or instance). type is a
 * CORE_FUNC / CORE_TABLE / CORE_MEMORY / CORE_GLOBAL / CORE_TAG node. */
typedef struct {
  const char *module; uint32_t module_len;  /* imports only */
  const char *name; uint32_t name_len;
  wf_ctid_t type;
} wf_ccore_extern_t;

typedef struct {
  uint8_t kind;          /* wf_ctkind_t */
  uint8_t named;         /* 1: this node is the new type index an import or
                            export introduced (a "named copy" of `orig`);
                            visibility itself is tracked per scope */
  wf_ctid_t orig;        /* for a named copy (new type index of an import or
                            export): the node it copies, else NONE */
  uint16_t depth;        /* nesting depth (bounded by WF_CMAX_TYPE_DEPTH) */
  uint32_t size;         /* node count with sharing expanded (bounded) */
  uint32_t n;            /* fields */
  wf_cfield_t *fields;
  wf_ctid_t t1, t2;
  uint32_t len;          /* WF_CT_FIXED_LIST */
  bool is_async;         /* WF_CT_FUNC: declared `async` */
  /* WF_CT_RESOURCE */
  uint32_t rid;          /* identity: two resource nodes are the same type iff equal */
  uint8_t rep;           /* WF_T_I32 when defined locally, 0 when abstract */
  bool has_dtor; uint32_t dtor;   /* core func index in the defining component */
  /* WF_CT_COMPONENT / WF_CT_INSTANCE */
  uint32_t nimports, nexports;
  wf_cextern_t *imports, *exports;
  uint32_t rid_lo, rid_hi;        /* resources created inside this type */
  uint32_t nimported_rids;        /* of those, the ones its imports bind */
  uint32_t *imported_rids;
  /* core types */
  wf_functype_t core;             /* CORE_FUNC, and CORE_TAG's signature */
  wf_tabletype_t table; wf_memtype_t mem; wf_globaltype_t global;
  uint32_t ncimports, ncexports;
  wf_ccore_extern_t *cimports, *cexports;
  /* by-name lookup caches, built by the decoder on demand (internal) */
  struct wf_cnameset *cache_imports, *cache_exports;
} wf_ctype_t;

typedef struct {
  wf_ctype_t *v;
  uint32_t n, cap;
  uint32_t next_rid;
  uint64_t work;   /* type-walk steps so far, counted while decoding only */
  bool limit_work; /* decoding: walks stop past WF_CMAX_WORK steps */
} wf_ctypes_t;

static inline const wf_ctype_t *wf_ctype(const wf_ctypes_t *ts, wf_ctid_t id) {
  return &ts->v[id];
}

/* ---- Definitions ------------------------------------------------------- */
typedef enum {
  WF_CDEF_CORE_MODULE, WF_CDEF_CORE_INSTANCE, WF_CDEF_CORE_TYPE,
  WF_CDEF_COMPONENT, WF_CDEF_INSTANCE, WF_CDEF_ALIAS, WF_CDEF_TYPE,
  WF_CDEF_CANON, WF_CDEF_START, WF_CDEF_IMPORT, WF_CDEF_EXPORT,
} wf_cdefkind_t;

typedef struct { const char *name; uint32_t name_len; uint8_t sort; uint32_t idx; } wf_csortidx_t;

typedef enum { WF_ALIAS_EXPORT, WF_ALIAS_CORE_EXPORT, WF_ALIAS_OUTER } wf_aliaskind_t;

typedef enum {
  WF_CANON_LIFT, WF_CANON_LOWER, WF_CANON_RESOURCE_NEW,
  WF_CANON_RESOURCE_DROP, WF_CANON_RESOURCE_REP,
  /* async / thread / error-context built-ins: decoded and typed only. Their
   * binary opcode is kept in wf_cdef_t.u.canon.opcode. */
  WF_CANON_BUILTIN,
} wf_canonkind_t;

typedef enum { WF_STRENC_UTF8, WF_STRENC_UTF16, WF_STRENC_LATIN1_UTF16 } wf_strenc_t;

typedef struct {
  uint8_t string_encoding;            /* wf_strenc_t */
  bool has_memory, has_realloc, has_post_return;
  uint32_t memory, realloc, post_return;  /* core memory / func indices */
  bool is_async, has_callback;        /* async ABI (decoded and checked only) */
  uint32_t callback;
} wf_canonopts_t;

struct wf_component;

typedef struct {
  uint8_t kind;             /* wf_cdefkind_t */
  uint8_t sort;             /* index space the definition adds to (if any) */
  uint32_t index;           /* its index there */
  uint32_t offset;          /* byte offset of the definition */
  union {
    struct { wf_module_t *module; } core_module;
    struct {                  /* CORE_INSTANCE, INSTANCE */
      bool instantiate;       /* else: inline exports */
      uint32_t of;            /* module / component index when instantiate */
      uint32_t nargs;         /* instantiate: args; inline: exports */
      wf_csortidx_t *args;
    } inst;
    struct { wf_ctid_t type; } type;   /* CORE_TYPE, TYPE */
    struct { struct wf_component *component; } component;
    struct {
      uint8_t kind;           /* wf_aliaskind_t */
      uint32_t instance;      /* EXPORT / CORE_EXPORT */
      const char *name; uint32_t name_len;
      uint32_t count, idx;    /* OUTER */
    } alias;
    struct {
      uint8_t kind;           /* wf_canonkind_t */
      uint32_t func;          /* LIFT: core func; LOWER: component func */
      uint32_t type;          /* LIFT: component type index; RESOURCE_*: resource type index;
                                 BUILTIN: the stream/future type, or 1st immediate */
      wf_canonopts_t opts;
      uint8_t opcode;         /* binary opcode of the canon definition */
      uint32_t imm2;          /* BUILTIN: 2nd immediate (context index, table...) */
    } canon;
    struct {
      const char *name; uint32_t name_len;
      wf_cextern_t type;      /* IMPORT: declared type */
      uint32_t idx;           /* EXPORT: exported definition (in .sort space) */
      bool ascribed;          /* EXPORT: type was given explicitly */
    } ie;
  } u;
} wf_cdef_t;

/* One component (top level or nested). Index spaces give the type of every
 * entry, in definition order; defs lists definitions in binary order. */
typedef struct wf_component {
  wf_cdef_t *defs; uint32_t ndefs;
  wf_ctid_t *space[WF_SORT_COUNT];
  uint32_t nspace[WF_SORT_COUNT];
  wf_ctid_t type;                /* WF_CT_COMPONENT node: imports/exports */
  wf_ctypes_t *types;            /* shared table (owned by the top level) */
  struct wf_carena *arena;       /* owned by the top level */
  uint8_t *bytes; size_t len;    /* owned copy (top level only) */
  bool top;
  wf_module_t **all_modules;     /* top level: every core module, for freeing */
  uint32_t nall_modules;
} wf_component_t;

/* Limits against hostile components. */
#define WF_CMAX_DEPTH     100u       /* nesting of components and types */
#define WF_CMAX_TYPES     1000000u   /* type-table nodes */
#define WF_CMAX_ITEMS     1000000u   /* entries in any one index space */
#define WF_CMAX_TYPE_DEPTH 200u      /* nesting of type nodes */
#define WF_CMAX_TYPE_SIZE 1000000u   /* nodes of one type, sharing expanded */
#define WF_CMAX_WORK 200000000ull    /* type-walk steps for one whole component */

/* Returns the layer of a binary: 0 core module, 1 component, -1 neither. */
int wf_binary_layer(const uint8_t *bytes, size_t len);

/* Decode and validate a component binary (copied). NULL + *err on failure. */
wf_component_t *wf_component_decode(const uint8_t *bytes, size_t len, wf_error_t *err);
void wf_component_free(wf_component_t *c);

/* Type queries for the layers above. */
/* Is `a` a subtype of `b` (component types; resources compared by rid). */
bool wf_ctype_subtype(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_error_t *err);
/* WAT-like text of a type into buf (always NUL-terminated when cap > 0,
 * truncated with "..."); returns the length written. */
size_t wf_ctype_format(const wf_ctypes_t *ts, wf_ctid_t id, char *buf, size_t cap);
/* The flattened core signature of a component function type (Canonical ABI
 * flatten_functype, sync, i32 memory). lift: true for 'lift', false 'lower'.
 * Writes at most cap types to params/results; returns false if either exceeds cap. */
bool wf_ctype_flatten_func(const wf_ctypes_t *ts, wf_ctid_t ft, bool lift,
                           uint8_t *params, uint32_t *nparams,
                           uint8_t *results, uint32_t *nresults, uint32_t cap);

#endif
