/* Public API: instantiation, exports, and calling functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int store_keep_module(weft_store_t *st, weft_module_t *mod) {
  for (size_t i = 0; i < st->nmods; i++)
    if (st->mods[i] == mod) return 1;
  if (st->nmods == st->capmods) {
    size_t cap = st->capmods ? st->capmods * 2 : 8;
    weft_module_t **n = realloc(st->mods, cap * sizeof *n);
    if (!n) return 0;
    st->mods = n;
    st->capmods = cap;
  }
  wf_api_module_ref(mod);
  st->mods[st->nmods++] = mod;
  return 1;
}

/* The trap code whose message is `msg`, for traps reported as text. */
static wf_trapcode_t trap_code_of(const char *msg) {
  for (int c = 1; c < WF_TRAP_COUNT; c++)
    if (!strcmp(msg, wf_trap_message((wf_trapcode_t)c))) return (wf_trapcode_t)c;
  return WF_TRAP_HOST;
}

weft_status_t weft_instance_new(weft_store_t *store, const weft_module_t *module,
                                const weft_extern_t *imports, size_t nimports,
                                weft_instance_t **out, weft_error_t *err) {
  *out = NULL;
  if (!store || !module) {
    wf_api_err(err, WEFT_ERR_ARG, "no store or module");
    return WEFT_ERR_ARG;
  }
  const wf_module_t *m = module->m;
  if (nimports < m->nimports) {
    const wf_import_t *im = &m->imports[nimports];
    wf_api_err(err, WEFT_ERR_LINK, "unknown import: \"%.*s\" \"%.*s\"", (int)im->module_len,
               im->module, (int)im->name_len, im->name);
    return WEFT_ERR_LINK;
  }
  if (nimports > m->nimports) {
    wf_api_err(err, WEFT_ERR_ARG, "%zu imports given, the module has %u", nimports, m->nimports);
    return WEFT_ERR_ARG;
  }
  wf_extern_t *x = calloc(m->nimports ? m->nimports : 1, sizeof *x);
  if (!x) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  for (size_t i = 0; i < nimports; i++) {
    x[i].kind = (uint8_t)imports[i].kind;
    switch (imports[i].kind) {
    case WEFT_EXTERN_FUNC: x[i].u.func = API_FUNC(imports[i].of.func); break;
    case WEFT_EXTERN_TABLE: x[i].u.table = API_TABLE(imports[i].of.table); break;
    case WEFT_EXTERN_MEMORY: x[i].u.mem = API_MEM(imports[i].of.memory); break;
    case WEFT_EXTERN_GLOBAL: x[i].u.global = API_GLOBAL(imports[i].of.global); break;
    default: x[i].kind = 0xFF; break;
    }
  }
  /* The instance points into the module: the store keeps it alive. */
  if (!store_keep_module(store, (weft_module_t *)module)) {
    free(x);
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  wf_error_t e;
  wf_error_clear(&e);
  int trapped = 0;
  wf_instance_t *inst = wf_instantiate(store->s, m, x, &e, &trapped);
  free(x);
  if (inst) {
    *out = (weft_instance_t *)inst;
    wf_api_ok(err);
    return WEFT_OK;
  }
  if (trapped) {
    wf_trapcode_t code = trap_code_of(e.msg);
    wf_exec_t *ex = wf_store_exec(store->s);
    const wf_trap_t *t = ex && m->has_start ? wf_exec_last_trap(ex) : NULL;
    if (t && t->code != WF_TRAP_NONE && !strcmp(t->msg[0] ? t->msg : wf_trap_message(t->code), e.msg)) {
      wf_api_trap(err, t);          /* the start function trapped: with backtrace */
    } else {
      wf_trap_t tr;
      memset(&tr, 0, sizeof tr);
      tr.code = code;
      size_t n = strnlen(e.msg, sizeof tr.msg - 1);
      memcpy(tr.msg, e.msg, n);
      tr.msg[n] = 0;
      wf_api_trap(err, &tr);
    }
    return WEFT_ERR_TRAP;
  }
  if (!strcmp(e.msg, "out of memory")) {
    wf_api_err(err, WEFT_ERR_NOMEM, "%s", e.msg);
    return WEFT_ERR_NOMEM;
  }
  wf_api_err(err, WEFT_ERR_LINK, "%s", e.failed ? e.msg : "instantiation failed");
  return WEFT_ERR_LINK;
}

int weft_instance_export(const weft_instance_t *inst, const char *name, size_t name_len,
                         weft_extern_t *out) {
  wf_extern_t x;
  if (!inst || !wf_instance_export((const wf_instance_t *)inst, name, name_len, &x)) return 0;
  memset(out, 0, sizeof *out);
  out->kind = (weft_extern_kind_t)x.kind;
  switch (x.kind) {
  case WF_EXTERN_FUNC: out->of.func = (weft_func_t *)x.u.func; break;
  case WF_EXTERN_TABLE: out->of.table = (weft_table_t *)x.u.table; break;
  case WF_EXTERN_MEMORY: out->of.memory = (weft_memory_t *)x.u.mem; break;
  case WF_EXTERN_GLOBAL: out->of.global = (weft_global_t *)x.u.global; break;
  default: return 0;
  }
  return 1;
}

/* ---- functions ---- */

size_t weft_func_param_count(const weft_func_t *f) {
  return ((const wf_funcinst_t *)f)->type->nparams;
}

size_t weft_func_result_count(const weft_func_t *f) {
  return ((const wf_funcinst_t *)f)->type->nresults;
}

weft_valkind_t weft_func_param(const weft_func_t *f, size_t i) {
  const wf_functype_t *t = ((const wf_funcinst_t *)f)->type;
  return i < t->nparams ? wf_api_valkind(t->params[i]) : WEFT_I32;
}

weft_valkind_t weft_func_result(const weft_func_t *f, size_t i) {
  const wf_functype_t *t = ((const wf_funcinst_t *)f)->type;
  return i < t->nresults ? wf_api_valkind(t->results[i]) : WEFT_I32;
}

#define CALL_INLINE_SLOTS 16

weft_status_t weft_func_call(weft_store_t *store, weft_func_t *func, const weft_core_val_t *args,
                             size_t nargs, weft_core_val_t *results, size_t nresults,
                             weft_error_t *err) {
  wf_funcinst_t *f = API_FUNC(func);
  if (!store || !f) {
    wf_api_err(err, WEFT_ERR_ARG, "no store or function");
    return WEFT_ERR_ARG;
  }
  if (f->inst && f->inst->store != store->s) {
    wf_api_err(err, WEFT_ERR_ARG, "the function belongs to another store");
    return WEFT_ERR_ARG;
  }
  const wf_functype_t *t = f->type;
  if (nargs != t->nparams) {
    wf_api_err(err, WEFT_ERR_ARG, "expected %u arguments, got %zu", t->nparams, nargs);
    return WEFT_ERR_ARG;
  }
  if (nresults != t->nresults) {
    wf_api_err(err, WEFT_ERR_ARG, "expected room for %u results, got %zu", t->nresults, nresults);
    return WEFT_ERR_ARG;
  }
  for (size_t i = 0; i < nargs; i++) {
    if (args[i].kind != wf_api_valkind(t->params[i])) {
      wf_api_err(err, WEFT_ERR_ARG, "argument %zu has the wrong kind", i);
      return WEFT_ERR_ARG;
    }
  }
  uint64_t inline_slots[2 * CALL_INLINE_SLOTS];
  uint64_t *in = inline_slots, *outs = inline_slots + CALL_INLINE_SLOTS;
  uint64_t *heap = NULL;
  if (nargs > CALL_INLINE_SLOTS || nresults > CALL_INLINE_SLOTS) {
    heap = malloc((nargs + nresults + 2) * sizeof *heap);
    if (!heap) {
      wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
      return WEFT_ERR_NOMEM;
    }
    in = heap;
    outs = heap + nargs + 1;
  }
  for (size_t i = 0; i < nargs; i++) in[i] = wf_api_to_slot(&args[i]);
  wf_trapcode_t tc = wf_invoke(store->s, f, in, outs);
  if (tc != WF_TRAP_NONE) {
    wf_exec_t *ex = wf_store_exec(store->s);
    const wf_trap_t *tr = ex ? wf_exec_last_trap(ex) : NULL;
    if (tr && tr->code == tc) {
      wf_api_trap(err, tr);
    } else {
      wf_trap_t tmp;
      memset(&tmp, 0, sizeof tmp);
      tmp.code = tc;
      snprintf(tmp.msg, sizeof tmp.msg, "%s", wf_trap_message(tc));
      wf_api_trap(err, &tmp);
    }
    free(heap);
    return WEFT_ERR_TRAP;
  }
  for (size_t i = 0; i < nresults; i++) results[i] = wf_api_from_slot(t->results[i], outs[i]);
  free(heap);
  wf_api_ok(err);
  return WEFT_OK;
}
