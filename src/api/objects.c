/* Public API: stores, host functions, globals, tables and memories. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- stores ---- */

weft_store_t *weft_store_new(weft_engine_t *engine) {
  weft_store_t *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  st->engine = engine;
  st->s = wf_store_new();
  if (!st->s) {
    free(st);
    return NULL;
  }
  return st;
}

void weft_store_free(weft_store_t *store) {
  if (!store) return;
  wf_store_free(store->s);          /* instances first: they point into modules */
  for (size_t i = 0; i < store->nmods; i++) weft_module_free(store->mods[i]);
  free(store->mods);
  free(store);
}

/* ---- host functions ---- */

typedef struct {
  weft_host_func_cb cb;
  void *env;
  void (*env_free)(void *);
  uint32_t np, nr;
  weft_valkind_t *kinds;           /* np params then nr results */
} host_env_t;

static void host_env_free(void *p) {
  host_env_t *h = p;
  if (h->env_free) h->env_free(h->env);
  free(h->kinds);
  free(h);
}

#define HOST_INLINE_VALS 16

static wf_trapcode_t host_trampoline(void *env, wf_exec_t *ex, const uint64_t *args,
                                     uint64_t *results) {
  host_env_t *h = env;
  weft_core_val_t inline_vals[HOST_INLINE_VALS];
  size_t nvals = (size_t)h->np + h->nr;
  weft_core_val_t *vals = inline_vals;
  if (nvals > HOST_INLINE_VALS) {
    vals = malloc(nvals * sizeof *vals);
    if (!vals) return wf_exec_trap(ex, WF_TRAP_OOM, "out of memory calling a host function");
  }
  /* Read every argument before any result is written: they may alias. */
  for (uint32_t i = 0; i < h->np; i++) {
    uint8_t t;
    wf_api_valtype(h->kinds[i], &t);
    vals[i] = wf_api_from_slot(t, args[i]);
  }
  weft_core_val_t *res = vals + h->np;
  for (uint32_t i = 0; i < h->nr; i++) {
    memset(&res[i], 0, sizeof res[i]);
    res[i].kind = h->kinds[h->np + i];
  }
  const char *msg = NULL;
  int rc = h->cb(h->env, vals, h->np, res, h->nr, &msg);
  wf_trapcode_t tc = WF_TRAP_NONE;
  if (rc != 0) {
    tc = wf_exec_trap(ex, WF_TRAP_HOST, msg ? msg : wf_trap_message(WF_TRAP_HOST));
  } else {
    for (uint32_t i = 0; i < h->nr; i++) {
      weft_core_val_t v = res[i];
      v.kind = h->kinds[h->np + i];  /* the callback may not change kinds */
      results[i] = wf_api_to_slot(&v);
    }
  }
  if (vals != inline_vals) free(vals);
  return tc;
}

weft_func_t *weft_func_new(weft_store_t *store, const weft_valkind_t *params, size_t nparams,
                           const weft_valkind_t *results, size_t nresults, weft_host_func_cb cb,
                           void *env, void (*env_free)(void *)) {
  if (!store || !cb || nparams > WF_MAX_PARAMS || nresults > WF_MAX_RESULTS) return NULL;
  if ((nparams && !params) || (nresults && !results)) return NULL;
  uint8_t pt[WF_MAX_PARAMS], rt[WF_MAX_RESULTS];
  for (size_t i = 0; i < nparams; i++)
    if (!wf_api_valtype(params[i], &pt[i])) return NULL;
  for (size_t i = 0; i < nresults; i++)
    if (!wf_api_valtype(results[i], &rt[i])) return NULL;
  host_env_t *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->kinds = malloc((nparams + nresults + 1) * sizeof *h->kinds);
  if (!h->kinds) {
    free(h);
    return NULL;
  }
  if (nparams) memcpy(h->kinds, params, nparams * sizeof *h->kinds);
  if (nresults) memcpy(h->kinds + nparams, results, nresults * sizeof *h->kinds);
  h->cb = cb;
  h->np = (uint32_t)nparams;
  h->nr = (uint32_t)nresults;
  wf_funcinst_t *f = wf_host_func_new(store->s, pt, (uint32_t)nparams, rt, (uint32_t)nresults,
                                      host_trampoline, h, host_env_free);
  if (!f) {
    free(h->kinds);
    free(h);
    return NULL;
  }
  /* The store owns h now; the user's env is freed with it. */
  h->env = env;
  h->env_free = env_free;
  return (weft_func_t *)f;
}

/* ---- globals ---- */

weft_global_t *weft_global_new(weft_store_t *store, weft_valkind_t kind, int mutable_,
                               weft_core_val_t init) {
  wf_globaltype_t t;
  if (!store || !wf_api_valtype(kind, &t.type) || init.kind != kind) return NULL;
  t.mut = mutable_ != 0;
  return (weft_global_t *)wf_global_new(store->s, &t, wf_api_to_slot(&init));
}

weft_core_val_t weft_global_get(const weft_global_t *g) {
  const wf_globalinst_t *gi = (const wf_globalinst_t *)g;
  return wf_api_from_slot(gi->type.type, gi->val);
}

weft_status_t weft_global_set(weft_global_t *g, weft_core_val_t v, weft_error_t *err) {
  wf_globalinst_t *gi = API_GLOBAL(g);
  if (!gi->type.mut) {
    wf_api_err(err, WEFT_ERR_ARG, "global is immutable");
    return WEFT_ERR_ARG;
  }
  if (v.kind != wf_api_valkind(gi->type.type)) {
    wf_api_err(err, WEFT_ERR_ARG, "value kind does not match the global's type");
    return WEFT_ERR_ARG;
  }
  gi->val = wf_api_to_slot(&v);
  wf_api_ok(err);
  return WEFT_OK;
}

/* ---- tables ---- */

weft_table_t *weft_table_new(weft_store_t *store, weft_valkind_t elem, uint32_t min, int64_t max,
                             weft_error_t *err) {
  wf_tabletype_t t;
  memset(&t, 0, sizeof t);
  if (!store || (elem != WEFT_FUNCREF && elem != WEFT_EXTERNREF)) {
    wf_api_err(err, WEFT_ERR_ARG, "table element kind must be funcref or externref");
    return NULL;
  }
  wf_api_valtype(elem, &t.elem);
  t.lim.min = min;
  if (max >= 0) {
    if (max > UINT32_MAX || max < min) {
      wf_api_err(err, WEFT_ERR_ARG, "table maximum out of range");
      return NULL;
    }
    t.lim.has_max = true;
    t.lim.max = (uint32_t)max;
  }
  wf_error_t e;
  wf_error_clear(&e);
  wf_tableinst_t *ti = wf_table_new(store->s, &t, 0, &e);
  if (!ti) {
    wf_api_err(err, WEFT_ERR_ARG, "%s", e.msg);
    return NULL;
  }
  wf_api_ok(err);
  return (weft_table_t *)ti;
}

uint32_t weft_table_size(const weft_table_t *t) { return ((const wf_tableinst_t *)t)->size; }

int weft_table_get(const weft_table_t *t, uint32_t i, weft_core_val_t *out) {
  const wf_tableinst_t *ti = (const wf_tableinst_t *)t;
  if (i >= ti->size) return 0;
  *out = wf_api_from_slot(ti->elemtype, ti->elems[i]);
  return 1;
}

/* ---- memories ---- */

weft_memory_t *weft_memory_new(weft_store_t *store, uint32_t min_pages, int64_t max_pages,
                               weft_error_t *err) {
  wf_memtype_t t;
  memset(&t, 0, sizeof t);
  t.lim.min = min_pages;
  if (!store) {
    wf_api_err(err, WEFT_ERR_ARG, "no store");
    return NULL;
  }
  if (max_pages >= 0) {
    if (max_pages > WF_MAX_MEM_PAGES || max_pages < min_pages) {
      wf_api_err(err, WEFT_ERR_ARG, "memory maximum out of range");
      return NULL;
    }
    t.lim.has_max = true;
    t.lim.max = (uint32_t)max_pages;
  }
  wf_error_t e;
  wf_error_clear(&e);
  wf_meminst_t *m = wf_memory_new(store->s, &t, &e);
  if (!m) {
    wf_api_err(err, WEFT_ERR_ARG, "%s", e.msg);
    return NULL;
  }
  wf_api_ok(err);
  return (weft_memory_t *)m;
}

uint8_t *weft_memory_data(weft_memory_t *m) { return API_MEM(m)->base; }

uint64_t weft_memory_size(const weft_memory_t *m) { return ((const wf_meminst_t *)m)->size; }
