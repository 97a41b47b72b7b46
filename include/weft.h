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

#ifdef __cplusplus
}
#endif
#endif
