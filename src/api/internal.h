/* Private to src/api/: the structures behind the public handles of
 * include/weft.h. Most handles are the core runtime objects themselves:
 *   weft_func_t     = wf_funcinst_t
 *   weft_table_t    = wf_tableinst_t
 *   weft_memory_t   = wf_meminst_t
 *   weft_global_t   = wf_globalinst_t
 *   weft_instance_t = wf_instance_t
 * Engines, modules and stores are small wrappers. */
#ifndef WF_API_INTERNAL_H
#define WF_API_INTERNAL_H

#include <stdatomic.h>

#include "core/runtime.h"
#include "weft.h"

struct weft_engine {
  wf_mempool_t *pool;          /* linear-memory reservations recycled between the
                                  component instances of its linkers (a reference) */
};

struct weft_module {
  wf_module_t *m;
  atomic_int refs;             /* the owner + one per store that instantiated it */
};

struct weft_store {
  weft_engine_t *engine;
  wf_store_t *s;
  weft_module_t **mods;        /* modules instantiated in this store (a ref each) */
  size_t nmods, capmods;
};

#define API_FUNC(p) ((wf_funcinst_t *)(p))
#define API_TABLE(p) ((wf_tableinst_t *)(p))
#define API_MEM(p) ((wf_meminst_t *)(p))
#define API_GLOBAL(p) ((wf_globalinst_t *)(p))

/* support.c: errors */
void wf_api_err(weft_error_t *err, weft_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wf_api_ok(weft_error_t *err);
/* wf_api_err, returning st: `return wf_api_fail(err, WEFT_ERR_ARG, "...")`. */
weft_status_t wf_api_fail(weft_error_t *err, weft_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fill err from a trap record (status WEFT_ERR_TRAP, code, message, backtrace). */
void wf_api_trap(weft_error_t *err, const wf_trap_t *t);
weft_trap_code_t wf_api_trap_code(wf_trapcode_t c);

/* support.c: values */
int wf_api_valtype(weft_valkind_t k, uint8_t *out);     /* 0 if not a valid kind */
weft_valkind_t wf_api_valkind(uint8_t t);
uint64_t wf_api_to_slot(const weft_core_val_t *v);
weft_core_val_t wf_api_from_slot(uint8_t type, uint64_t slot);

/* engine.c */
void wf_api_module_ref(weft_module_t *m);

#endif
