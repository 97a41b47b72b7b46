/* weft — WebAssembly Component Model runtime: the embedding API.
 *
 * Opaque handles; every weft_x_new has a weft_x_free that accepts NULL.
 * Functions that can fail return weft_status_t and fill a caller-owned
 * weft_error_t (message, byte offset, trap code, backtrace) when given one.
 *
 * This part of the API covers core WebAssembly modules. A store owns every
 * instance, function, memory, table and global made in it and is used by one
 * thread at a time; engines and modules may be shared between threads. */
#ifndef WEFT_H
#define WEFT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WEFT_API __attribute__((visibility("default")))
#else
#define WEFT_API
#endif

typedef enum {
  WEFT_OK = 0,
  WEFT_ERR_INVALID,    /* malformed or invalid module (offset + reason) */
  WEFT_ERR_LINK,       /* unknown import or incompatible import type */
  WEFT_ERR_TRAP,       /* a trap (trap code, message, backtrace) */
  WEFT_ERR_ARG,        /* bad argument from the caller (wrong count/kind) */
  WEFT_ERR_IO,         /* a file could not be read */
  WEFT_ERR_NOMEM,      /* out of memory */
} weft_status_t;

typedef enum {
  WEFT_TRAP_NONE = 0,
  WEFT_TRAP_UNREACHABLE,
  WEFT_TRAP_MEM_OOB,
  WEFT_TRAP_TABLE_OOB,
  WEFT_TRAP_UNDEFINED_ELEMENT,
  WEFT_TRAP_UNINITIALIZED_ELEMENT,
  WEFT_TRAP_INDIRECT_TYPE,
  WEFT_TRAP_DIV_ZERO,
  WEFT_TRAP_INT_OVERFLOW,
  WEFT_TRAP_BAD_CONVERSION,
  WEFT_TRAP_STACK_EXHAUSTED,
  WEFT_TRAP_OOM,
  WEFT_TRAP_HOST,
  WEFT_TRAP_COMPONENT,       /* a canonical ABI rule was broken (message says which) */
  WEFT_TRAP_INTERRUPT,       /* stopped from outside (a timeout, weft_cinstance_interrupt) */
  WEFT_TRAP_EXCEPTION,       /* an uncaught wasm exception, or a null/invalid exnref */
} weft_trap_code_t;

typedef struct {
  weft_status_t status;
  weft_trap_code_t trap;     /* when status == WEFT_ERR_TRAP */
  int64_t offset;            /* byte offset in the input, or -1 */
  char message[512];
  char backtrace[2048];      /* one "  #N module!func" line per frame, innermost first */
} weft_error_t;

typedef enum {
  WEFT_I32 = 0,
  WEFT_I64,
  WEFT_F32,
  WEFT_F64,
  WEFT_FUNCREF,
  WEFT_EXTERNREF,
} weft_valkind_t;

typedef struct weft_func weft_func_t;

/* A core value. Floats are carried as bit patterns so NaN payloads survive. */
typedef struct {
  weft_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    weft_func_t *funcref;    /* NULL = null */
    uint64_t externref;      /* 0 = null; any other value is the host's */
  } of;
} weft_core_val_t;

typedef enum {
  WEFT_EXTERN_FUNC = 0,
  WEFT_EXTERN_TABLE = 1,
  WEFT_EXTERN_MEMORY = 2,
  WEFT_EXTERN_GLOBAL = 3,
} weft_extern_kind_t;

typedef struct weft_engine weft_engine_t;
typedef struct weft_module weft_module_t;
typedef struct weft_store weft_store_t;
typedef struct weft_instance weft_instance_t;
typedef struct weft_table weft_table_t;
typedef struct weft_memory weft_memory_t;
typedef struct weft_global weft_global_t;

typedef struct {
  weft_extern_kind_t kind;
  union {
    weft_func_t *func;
    weft_table_t *table;
    weft_memory_t *memory;
    weft_global_t *global;
  } of;
} weft_extern_t;

/* ---- engine ---- */
WEFT_API weft_engine_t *weft_engine_new(void);
WEFT_API void weft_engine_free(weft_engine_t *engine);
WEFT_API const char *weft_version(void);
/* "i32", "i64", "f32", "f64", "funcref", "externref" ("?" for anything else). */
WEFT_API const char *weft_valkind_name(weft_valkind_t kind);

/* ---- modules ---- */
/* Decode and validate a core module (bytes are copied). */
WEFT_API weft_status_t weft_module_new(weft_engine_t *engine, const uint8_t *bytes, size_t len,
                                       weft_module_t **out, weft_error_t *err);
WEFT_API weft_status_t weft_module_from_file(weft_engine_t *engine, const char *path,
                                             weft_module_t **out, weft_error_t *err);
WEFT_API void weft_module_free(weft_module_t *module);
WEFT_API size_t weft_module_import_count(const weft_module_t *module);
/* Names are not NUL-terminated; lengths are returned beside them. */
WEFT_API void weft_module_import(const weft_module_t *module, size_t i,
                                 const char **mod, size_t *mod_len,
                                 const char **name, size_t *name_len,
                                 weft_extern_kind_t *kind);
WEFT_API size_t weft_module_export_count(const weft_module_t *module);
WEFT_API void weft_module_export(const weft_module_t *module, size_t i,
                                 const char **name, size_t *name_len, weft_extern_kind_t *kind);

/* ---- stores ---- */
WEFT_API weft_store_t *weft_store_new(weft_engine_t *engine);
WEFT_API void weft_store_free(weft_store_t *store);

/* ---- host objects ---- */
/* A host function: read args[0..nargs), write results[0..nresults) (kinds are
 * preset). Return 0, or non-zero to trap with `message` (may be NULL). */
typedef int (*weft_host_func_cb)(void *env, const weft_core_val_t *args, size_t nargs,
                                 weft_core_val_t *results, size_t nresults,
                                 const char **message);
WEFT_API weft_func_t *weft_func_new(weft_store_t *store,
                                    const weft_valkind_t *params, size_t nparams,
                                    const weft_valkind_t *results, size_t nresults,
                                    weft_host_func_cb cb, void *env, void (*env_free)(void *));
WEFT_API weft_global_t *weft_global_new(weft_store_t *store, weft_valkind_t kind, int mutable_,
                                        weft_core_val_t init);
/* max < 0: no maximum. */
WEFT_API weft_table_t *weft_table_new(weft_store_t *store, weft_valkind_t elem, uint32_t min,
                                      int64_t max, weft_error_t *err);
WEFT_API weft_memory_t *weft_memory_new(weft_store_t *store, uint32_t min_pages, int64_t max_pages,
                                        weft_error_t *err);

/* ---- instances ---- */
/* imports: one per module import, in the module's import order. */
WEFT_API weft_status_t weft_instance_new(weft_store_t *store, const weft_module_t *module,
                                         const weft_extern_t *imports, size_t nimports,
                                         weft_instance_t **out, weft_error_t *err);
/* Returns 1 and fills *out if the instance exports `name`. */
WEFT_API int weft_instance_export(const weft_instance_t *inst, const char *name, size_t name_len,
                                  weft_extern_t *out);

/* ---- calls and objects ---- */
WEFT_API size_t weft_func_param_count(const weft_func_t *f);
WEFT_API size_t weft_func_result_count(const weft_func_t *f);
WEFT_API weft_valkind_t weft_func_param(const weft_func_t *f, size_t i);
WEFT_API weft_valkind_t weft_func_result(const weft_func_t *f, size_t i);
/* Argument kinds and counts are checked (WEFT_ERR_ARG). */
WEFT_API weft_status_t weft_func_call(weft_store_t *store, weft_func_t *f,
                                      const weft_core_val_t *args, size_t nargs,
                                      weft_core_val_t *results, size_t nresults,
                                      weft_error_t *err);

WEFT_API weft_core_val_t weft_global_get(const weft_global_t *g);
WEFT_API weft_status_t weft_global_set(weft_global_t *g, weft_core_val_t v, weft_error_t *err);
WEFT_API uint8_t *weft_memory_data(weft_memory_t *m);
WEFT_API uint64_t weft_memory_size(const weft_memory_t *m);   /* bytes */
WEFT_API uint32_t weft_table_size(const weft_table_t *t);
/* Returns 0 if i is out of bounds. */
WEFT_API int weft_table_get(const weft_table_t *t, uint32_t i, weft_core_val_t *out);


/* =========================================================================
 * Components (the Component Model, synchronous canonical ABI)
 *
 * A component is decoded and validated once (weft_component_t, shareable
 * between threads). A linker holds the host's definitions: functions and
 * resource types, by interface name ("wasi:cli/environment@0.2.0") and item
 * name, or by a plain top-level name (interface NULL). Instantiating a
 * component with a linker makes a weft_cinstance_t that owns everything it
 * made (its own core store), used by one thread at a time.
 *
 * Interface names match semver-compatibly: an import of "ns:pkg/i@0.2.3" is
 * served by a definition of "ns:pkg/i@0.2.0" (same major, or for 0.x the same
 * minor) when there is no exact match; a definition without a version serves
 * every version.
 * ========================================================================= */

typedef struct weft_component weft_component_t;
typedef struct weft_linker weft_linker_t;
typedef struct weft_cinstance weft_cinstance_t;
typedef struct weft_cfunc weft_cfunc_t;          /* an exported function (owned by its instance) */
typedef struct weft_resource_type weft_resource_type_t;
typedef struct weft_call weft_call_t;            /* context of one host-function call */
typedef struct weft_arena weft_arena_t;

/* ---- arenas: where values with nested storage (strings, lists, records,
 * variant payloads) live. Freed all at once. ---- */
WEFT_API weft_arena_t *weft_arena_new(void);
WEFT_API void weft_arena_free(weft_arena_t *a);
WEFT_API void weft_arena_reset(weft_arena_t *a);           /* free everything, keep the arena */
WEFT_API void *weft_arena_alloc(weft_arena_t *a, size_t size);   /* 16-byte aligned, zeroed; NULL on OOM */

/* ---- component value kinds (one per WIT type constructor) ---- */
typedef enum {
  WEFT_VAL_BOOL = 0,
  WEFT_VAL_S8, WEFT_VAL_U8, WEFT_VAL_S16, WEFT_VAL_U16, WEFT_VAL_S32, WEFT_VAL_U32,
  WEFT_VAL_S64, WEFT_VAL_U64, WEFT_VAL_F32, WEFT_VAL_F64, WEFT_VAL_CHAR, WEFT_VAL_STRING,
  WEFT_VAL_LIST,     /* of.seq: elements */
  WEFT_VAL_RECORD,   /* of.seq: field values in the type's field order */
  WEFT_VAL_TUPLE,    /* of.seq: members */
  WEFT_VAL_VARIANT,  /* of.var: case index, payload (NULL if the case has none) */
  WEFT_VAL_ENUM,     /* of.var.index */
  WEFT_VAL_OPTION,   /* of.var: 0 none, 1 some(payload) */
  WEFT_VAL_RESULT,   /* of.var: 0 ok, 1 err; payload NULL when that side has no type */
  WEFT_VAL_FLAGS,    /* of.flags: bit i set = flag i (types have at most 32 flags) */
  WEFT_VAL_OWN,      /* of.res */
  WEFT_VAL_BORROW,   /* of.res */
  WEFT_VAL_KIND_COUNT
} weft_vkind_t;

typedef struct weft_val weft_val_t;
struct weft_val {
  weft_vkind_t kind;
  union {
    int b;                 /* BOOL: 0 or 1 */
    int64_t s;             /* S8, S16, S32, S64 */
    uint64_t u;            /* U8, U16, U32, U64 */
    float f32;             /* NaNs are canonicalised at the boundary */
    double f64;
    uint32_t ch;           /* CHAR: a Unicode scalar value */
    struct { const char *ptr; size_t len; } str;   /* STRING: UTF-8, not NUL-terminated */
    struct { weft_val_t *v; size_t n; } seq;       /* LIST, RECORD, TUPLE */
    struct { uint32_t index; weft_val_t *payload; } var;  /* VARIANT, ENUM, OPTION, RESULT */
    uint32_t flags;        /* FLAGS */
    /* OWN, BORROW: a resource is named by its type and rep (see
     * weft_cinstance_resource_drop for the owns the host holds) */
    struct { weft_resource_type_t *type; uint64_t rep; } res;
  } of;
};
/* "bool", "u32", "string", "list", ... */
WEFT_API const char *weft_vkind_name(weft_vkind_t kind);
/* sizeof(weft_val_t) and sizeof(weft_error_t) as this library was built, for
 * hosts that lay the structs out by hand (Python ctypes, Ruby fiddle:
 * docs/embedding.md) to check their layout against. */
WEFT_API size_t weft_val_size(void);
WEFT_API size_t weft_error_size(void);

/* ---- types (introspection). A weft_type_t names a type inside a component
 * (valid while the component lives); pass it by value. ---- */
typedef struct { const void *table; uint32_t id; } weft_type_t;
WEFT_API weft_vkind_t weft_type_kind(weft_type_t t);
/* RECORD fields, VARIANT cases, ENUM cases, FLAGS names, TUPLE members (no names). */
WEFT_API size_t weft_type_field_count(weft_type_t t);
WEFT_API const char *weft_type_field_name(weft_type_t t, size_t i, size_t *len);
/* RECORD/TUPLE member type, VARIANT case payload ({NULL,0} if none). */
WEFT_API weft_type_t weft_type_field_type(weft_type_t t, size_t i);
/* LIST/OPTION element, RESULT ok ({NULL,0} if none). */
WEFT_API weft_type_t weft_type_elem(weft_type_t t);
WEFT_API weft_type_t weft_type_err(weft_type_t t);           /* RESULT err */
WEFT_API int weft_type_is_none(weft_type_t t);
/* WIT-like text of the type ("list<u8>", "record { a: u32 }"); NUL-terminated, truncated. */
WEFT_API size_t weft_type_format(weft_type_t t, char *buf, size_t cap);

/* ---- components ---- */
WEFT_API weft_status_t weft_component_new(weft_engine_t *engine, const uint8_t *bytes, size_t len,
                                          weft_component_t **out, weft_error_t *err);
WEFT_API weft_status_t weft_component_from_file(weft_engine_t *engine, const char *path,
                                                weft_component_t **out, weft_error_t *err);
WEFT_API void weft_component_free(weft_component_t *c);
/* 1 if the bytes are a component, 0 if a core module, -1 neither. */
WEFT_API int weft_binary_is_component(const uint8_t *bytes, size_t len);

typedef enum {
  WEFT_ITEM_MODULE = 0, WEFT_ITEM_FUNC, WEFT_ITEM_VALUE, WEFT_ITEM_TYPE,
  WEFT_ITEM_COMPONENT, WEFT_ITEM_INSTANCE,
} weft_item_kind_t;
WEFT_API size_t weft_component_import_count(const weft_component_t *c);
WEFT_API size_t weft_component_export_count(const weft_component_t *c);
/* Name (NUL-terminated, owned by the component) and kind of import/export i. */
WEFT_API const char *weft_component_import(const weft_component_t *c, size_t i, weft_item_kind_t *kind);
WEFT_API const char *weft_component_export(const weft_component_t *c, size_t i, weft_item_kind_t *kind);
/* Items of an imported/exported INSTANCE (its exports), by index. */
WEFT_API size_t weft_component_import_item_count(const weft_component_t *c, size_t i);
WEFT_API const char *weft_component_import_item(const weft_component_t *c, size_t i, size_t j,
                                                weft_item_kind_t *kind);
WEFT_API size_t weft_component_export_item_count(const weft_component_t *c, size_t i);
WEFT_API const char *weft_component_export_item(const weft_component_t *c, size_t i, size_t j,
                                                weft_item_kind_t *kind);

/* ---- host functions ----
 * The callback gets the arguments lifted out of the guest (valid for the call
 * only) and writes one value per result; nested storage of results must come
 * from weft_call_arena(call). Return 0, or non-zero after weft_call_trap() to
 * make the guest trap. A host function is typed by the import it serves:
 * kinds of results are checked when they are lowered back into the guest. */
typedef int (*weft_host_fn)(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                            weft_val_t *results, size_t nresults);
WEFT_API weft_arena_t *weft_call_arena(weft_call_t *call);
/* The `data` pointer given to weft_linker_instantiate for the calling instance. */
WEFT_API void *weft_call_data(weft_call_t *call);
WEFT_API weft_cinstance_t *weft_call_instance(weft_call_t *call);
/* Record a trap message (printf format); the callback then returns non-zero. */
WEFT_API void weft_call_trap(weft_call_t *call, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Parameter/result types of the import this call serves. */
WEFT_API size_t weft_call_param_count(weft_call_t *call);
WEFT_API weft_type_t weft_call_param_type(weft_call_t *call, size_t i);
WEFT_API weft_type_t weft_call_result_type(weft_call_t *call);   /* {NULL,0} if none */

/* Destructor of a host resource: called when the last owning handle is
 * dropped by a guest (or its instance is freed while still holding it). */
typedef void (*weft_resource_dtor_fn)(void *env, uint64_t rep);

/* ---- linker ---- */
WEFT_API weft_linker_t *weft_linker_new(weft_engine_t *engine);
WEFT_API void weft_linker_free(weft_linker_t *l);
/* interface: "ns:pkg/iface@1.2.3" or NULL for a top-level import named `name`.
 * Redefining the same (interface, name) replaces the old definition. */
WEFT_API weft_status_t weft_linker_define_func(weft_linker_t *l, const char *interface, const char *name,
                                               weft_host_fn fn, void *env, weft_error_t *err);
/* A host resource type `name` in `interface`; *out identifies it in values
 * (weft_val_t.of.res.type) and lives as long as the linker. */
WEFT_API weft_status_t weft_linker_define_resource(weft_linker_t *l, const char *interface, const char *name,
                                                   weft_resource_dtor_fn dtor, void *env,
                                                   weft_resource_type_t **out, weft_error_t *err);
/* Serve interface `interface` with the instance `export_name` exported by a
 * component instance that outlives every instance linked against it
 * (components linked at run time). Types are checked at instantiation. */
WEFT_API weft_status_t weft_linker_define_instance(weft_linker_t *l, const char *interface,
                                                   weft_cinstance_t *provider, const char *export_name,
                                                   weft_error_t *err);
/* Per-instance state for stateful host functions (WASI, host bundles):
 * every instance made by this linker calls make(env, inst) once when it is
 * instantiated (after its imports are linked, before any guest code runs)
 * and free(state) when it is freed, in reverse order. Host functions reach
 * it with weft_call_state(call, key). make may return NULL (an error:
 * instantiation fails with "host state for ... could not be created"). */
typedef void *(*weft_state_new_fn)(void *env, weft_cinstance_t *inst);
typedef void (*weft_state_free_fn)(void *state);
WEFT_API weft_status_t weft_linker_define_state(weft_linker_t *l, const void *key, weft_state_new_fn make,
                                                weft_state_free_fn free_fn, void *env, weft_error_t *err);
WEFT_API void *weft_call_state(weft_call_t *call, const void *key);        /* NULL if none */
WEFT_API void *weft_cinstance_state(weft_cinstance_t *inst, const void *key);
/* Link every import of c (each missing definition is named in the error)
 * and instantiate it. `data` is handed to host functions (weft_call_data). */
WEFT_API weft_status_t weft_linker_instantiate(weft_linker_t *l, const weft_component_t *c, void *data,
                                               weft_cinstance_t **out, weft_error_t *err);
/* Pre-linking, for many instances of one component (a server making one
 * per request): weft_linker_instantiate_pre resolves every import of c
 * against l's definitions once (the same errors as weft_linker_instantiate
 * for a missing or mismatched definition); weft_instance_pre_instantiate then
 * only creates the instance. The pre takes l's definitions and states as
 * they are when it is made (later changes to l are not seen); l must outlive
 * the pre and every instance made from it. A pre may be used from several
 * threads at once; weft_instance_pre_free may come before the instances it
 * made are freed (they keep what they need). */
typedef struct weft_instance_pre weft_instance_pre_t;
WEFT_API weft_status_t weft_linker_instantiate_pre(weft_linker_t *l, const weft_component_t *c,
                                                   weft_instance_pre_t **out, weft_error_t *err);
WEFT_API weft_status_t weft_instance_pre_instantiate(weft_instance_pre_t *pre, void *data, weft_cinstance_t **out,
                                                     weft_error_t *err);
WEFT_API void weft_instance_pre_free(weft_instance_pre_t *pre);   /* NULL ok */

/* ---- instances and calls ---- */
WEFT_API void weft_cinstance_free(weft_cinstance_t *inst);
/* An exported function: `instance` NULL for a top-level export, else the
 * name of an exported instance (semver-compatible match, like imports).
 * NULL if absent. */
WEFT_API weft_cfunc_t *weft_cinstance_func(weft_cinstance_t *inst, const char *instance, const char *name);
/* 1 if the instance exports an instance named (semver-compatibly) `name`. */
WEFT_API int weft_cinstance_has_instance(weft_cinstance_t *inst, const char *name);
WEFT_API size_t weft_cfunc_param_count(const weft_cfunc_t *f);
WEFT_API const char *weft_cfunc_param_name(const weft_cfunc_t *f, size_t i);
WEFT_API weft_type_t weft_cfunc_param_type(const weft_cfunc_t *f, size_t i);
WEFT_API size_t weft_cfunc_result_count(const weft_cfunc_t *f);    /* 0 or 1 */
WEFT_API weft_type_t weft_cfunc_result_type(const weft_cfunc_t *f);
/* Call with args (checked against the parameter types: WEFT_ERR_ARG).
 * Nested storage of results is allocated in `arena` (the caller's). A trap
 * gives WEFT_ERR_TRAP with the message and the wasm backtrace. */
WEFT_API weft_status_t weft_cfunc_call(weft_cfunc_t *f, const weft_val_t *args, size_t nargs,
                                       weft_val_t *results, size_t nresults, weft_arena_t *arena,
                                       weft_error_t *err);
/* Make the guest code running in inst (on any thread) trap with
 * WEFT_TRAP_INTERRUPT ("interrupted") at its next loop iteration or call; so
 * does every later call into it. Safe from any thread and from a signal
 * handler (timeouts). */
WEFT_API void weft_cinstance_interrupt(weft_cinstance_t *inst);
/* Drop an owned resource the host holds (runs the guest's destructor, or
 * the host destructor of a host-defined type). The host holds an own of a
 * guest-defined resource from when it is lifted out to it (a result, an
 * argument of a host function) until it moves it into a guest or drops it;
 * an own it does not hold (dropped, moved, never given, or lent to a call in
 * progress) is refused with WEFT_ERR_ARG and no destructor runs.
 * weft_cfunc_call refuses such owns and borrows the same way. */
WEFT_API weft_status_t weft_cinstance_resource_drop(weft_cinstance_t *inst, const weft_val_t *own,
                                                    weft_error_t *err);

/* ---- WAVE (WebAssembly Value Encoding) text for values of a type ---- */
/* Parse one value of type t; nested storage from arena. Error with the column. */
WEFT_API weft_status_t weft_wave_parse(weft_type_t t, const char *text, size_t len, weft_arena_t *arena,
                                       weft_val_t *out, weft_error_t *err);
/* Parse "name(arg, ...)" against f's parameters. *nargs in: capacity, out: count. */
WEFT_API weft_status_t weft_wave_parse_call(const weft_cfunc_t *f, const char *text, size_t len,
                                            weft_arena_t *arena, weft_val_t *args, size_t *nargs,
                                            weft_error_t *err);
/* Print v (of type t) as WAVE; returns the full length (like snprintf). */
WEFT_API size_t weft_wave_print(weft_type_t t, const weft_val_t *v, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
