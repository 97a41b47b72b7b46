/* libFuzzer target: core module decode + validate + instantiate.
 *
 * Every import is satisfied with a host object of the declared type (a host
 * function returning zeros, a fresh table/memory/global), so instantiation
 * runs segment initialisation. Modules with a start function are decoded and
 * validated but not instantiated: a start function may loop forever, and
 * execution is fuzzed by a separate target once the engine can be
 * interrupted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/module.h"
#include "core/runtime.h"

static wf_trapcode_t zero_results(void *env, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  const wf_functype_t *t = env;
  (void)ex;
  (void)args;
  for (uint32_t i = 0; i < t->nresults; i++) results[i] = 0;
  return WF_TRAP_NONE;
}

static int make_import(wf_store_t *s, const wf_module_t *m, const wf_import_t *im, wf_extern_t *out) {
  wf_error_t err = {0};
  out->kind = im->kind;
  switch (im->kind) {
    case WF_EXTERN_FUNC: {
      const wf_functype_t *t = &m->types[im->u.type_idx];
      out->u.func = wf_host_func_new(s, t->params, t->nparams, t->results, t->nresults, zero_results,
                                     (void *)t, NULL);
      return out->u.func != NULL;
    }
    case WF_EXTERN_TABLE:
      out->u.table = wf_table_new(s, &im->u.table, 0, &err);
      return out->u.table != NULL;
    case WF_EXTERN_MEMORY:
      out->u.mem = wf_memory_new(s, &im->u.mem, &err);
      return out->u.mem != NULL;
    case WF_EXTERN_GLOBAL:
      out->u.global = wf_global_new(s, &im->u.global, 0);
      return out->u.global != NULL;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wf_error_t err = {0};
  wf_module_t *m = wf_module_decode(data, size, &err);
  if (!m) return 0;
  if (!m->has_start) {
    wf_store_t *s = wf_store_new();
    wf_extern_t *imports = calloc(m->nimports ? m->nimports : 1, sizeof *imports);
    int ok = s && imports;
    for (uint32_t i = 0; ok && i < m->nimports; i++) ok = make_import(s, m, &m->imports[i], &imports[i]);
    if (ok) {
      int trapped = 0;
      wf_error_t ierr = {0};
      (void)wf_instantiate(s, m, imports, &ierr, &trapped);
    }
    free(imports);
    wf_store_free(s);
  }
  wf_module_free(m);
  return 0;
}
