/* canon resource.new / resource.drop / resource.rep, destructors, and the
 * core functions of built-ins weft does not implement. */
#include <stdio.h>
#include <string.h>

#include "canon.h"

typedef struct {
  wf_cinst_t *inst;
  wf_rtype_t *rt;
} wf_resenv_t;

static wf_trapcode_t trap_ex(wf_exec_t *ex, const wf_trap_t *t) {
  return wf_exec_trap(ex, t->code != WF_TRAP_NONE ? t->code : WF_TRAP_COMPONENT, t->msg);
}

bool wf_canon_run_dtor(wf_crt_t *crt, wf_cinst_t *from, wf_rtype_t *rt, uint64_t rep, wf_trap_t *trap) {
  if (rt->dtor) {
    wf_cinst_t *impl = rt->impl;
    bool enter = impl && impl != from;
    if (enter && !impl->may_enter) return wf_trapf(trap, WF_TRAP_COMPONENT, "cannot enter component instance");
    if (enter) impl->may_enter = false;
    uint64_t a[2] = {(uint32_t)rep, 0}, r[2] = {0, 0};
    wf_crt_t *owner = impl ? impl->rt : crt;
    wf_trapcode_t c = wf_invoke(owner->store, rt->dtor, a, r);
    if (enter) impl->may_enter = true;
    if (c != WF_TRAP_NONE) return wf_cx_core_trap(owner, trap, c);
    return true;
  }
  if (!rt->impl && rt->host_dtor) rt->host_dtor(rt->host_env, rep);
  return true;
}

static wf_trapcode_t res_new(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  wf_resenv_t *e = envp;
  if (!e->inst->may_leave) return wf_no_leave_trap(ex, e->inst);
  wf_handle_t h = {0};
  h.rt = e->rt;
  h.rep = (uint32_t)args[0];
  h.own = true;
  uint32_t i = wf_htable_add(&e->inst->handles, &h);
  if (!i) return wf_exec_trap(ex, WF_TRAP_COMPONENT, "resource handle table is full");
  results[0] = i;
  return WF_TRAP_NONE;
}

static wf_trapcode_t res_rep(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  wf_resenv_t *e = envp;
  wf_trap_t t;
  wf_handle_t *h = wf_canon_handle_get(&e->inst->handles, (uint32_t)args[0], e->rt, &t);
  if (!h) return trap_ex(ex, &t);
  results[0] = (uint32_t)h->rep;
  return WF_TRAP_NONE;
}

static wf_trapcode_t res_drop(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  (void)results;
  wf_resenv_t *e = envp;
  wf_trap_t t;
  if (!e->inst->may_leave) return wf_no_leave_trap(ex, e->inst);
  uint32_t idx = (uint32_t)args[0];
  wf_handle_t *h = wf_canon_handle_get(&e->inst->handles, idx, e->rt, &t);
  if (!h) return trap_ex(ex, &t);
  if (h->lends) return wf_exec_trap(ex, WF_TRAP_COMPONENT, "cannot remove owned resource while borrowed");
  wf_handle_t copy = *h;
  wf_htable_remove(&e->inst->handles, idx);
  if (copy.own) {
    if (!wf_canon_run_dtor(e->inst->rt, e->inst, copy.rt, copy.rep, &t)) return trap_ex(ex, &t);
  } else if (copy.scope && copy.scope->nborrows) {
    copy.scope->nborrows--;
  }
  return WF_TRAP_NONE;
}

wf_funcinst_t *wf_canon_resource_builtin(wf_cinst_t *inst, wf_canonkind_t kind, wf_rtype_t *rt, wf_error_t *err) {
  static const uint8_t i32[1] = {WF_T_I32};
  wf_resenv_t *e = wf_arena_alloc(&inst->rt->arena, sizeof *e);
  if (!e) {
    wf_error_set(err, "out of memory");
    return NULL;
  }
  e->inst = inst;
  e->rt = rt;
  wf_funcinst_t *f = NULL;
  switch (kind) {
  case WF_CANON_RESOURCE_NEW: f = wf_host_func_new(inst->rt->store, i32, 1, i32, 1, res_new, e, NULL); break;
  case WF_CANON_RESOURCE_REP: f = wf_host_func_new(inst->rt->store, i32, 1, i32, 1, res_rep, e, NULL); break;
  case WF_CANON_RESOURCE_DROP: f = wf_host_func_new(inst->rt->store, i32, 1, NULL, 0, res_drop, e, NULL); break;
  default:
    wf_error_set(err, "not a resource built-in (canon kind %d)", (int)kind);
    return NULL;
  }
  if (!f) wf_error_set(err, "out of memory");
  return f;
}

static const char *builtin_name(uint8_t kind, uint8_t op) {
  if (kind == WF_CANON_LIFT) return "canon lift async";
  if (kind == WF_CANON_LOWER) return "canon lower async";
  switch (op) {
  case 0x05: return "task.cancel";
  case 0x06: return "subtask.cancel";
  case 0x09: return "task.return";
  case 0x0c: return "thread.yield";
  case 0x0d: return "subtask.drop";
  case 0x0e: return "stream.new";
  case 0x0f: return "stream.read";
  case 0x10: return "stream.write";
  case 0x11: return "stream.cancel-read";
  case 0x12: return "stream.cancel-write";
  case 0x13: return "stream.drop-readable";
  case 0x14: return "stream.drop-writable";
  case 0x15: return "future.new";
  case 0x16: return "future.read";
  case 0x17: return "future.write";
  case 0x18: return "future.cancel-read";
  case 0x19: return "future.cancel-write";
  case 0x1a: return "future.drop-readable";
  case 0x1b: return "future.drop-writable";
  case 0x1c: return "error-context.new";
  case 0x1d: return "error-context.debug-message";
  case 0x1e: return "error-context.drop";
  case 0x1f: return "waitable-set.new";
  case 0x20: return "waitable-set.wait";
  case 0x21: return "waitable-set.poll";
  case 0x22: return "waitable-set.drop";
  case 0x23: return "waitable.join";
  case 0x26: return "thread.index";
  default: return op >= 0x26 ? "a thread built-in" : "this canonical built-in";
  }
}

typedef struct {
  wf_cinst_t *inst;
  uint8_t kind;                   /* wf_canonkind_t of the definition */
  uint8_t opcode;
  uint32_t index;                 /* context.get/set: slot */
  uint64_t context[2];            /* slots when no call is in progress */
} wf_unsupported_env_t;

/* The context slots of the innermost call into e->inst. */
static uint64_t *context_slot(wf_unsupported_env_t *e) {
  for (wf_ccall_t *c = e->inst->rt->calls; c; c = c->prev)
    if (c->inst == e->inst) return &c->context[e->index];
  return &e->context[e->index];
}

/* The built-ins with a synchronous meaning: task-local context slots and
 * backpressure.inc/dec (no effect without async calls, so not counted). */
static wf_trapcode_t context_get(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  (void)ex;
  (void)args;
  results[0] = (uint32_t)*context_slot(envp);
  return WF_TRAP_NONE;
}
static wf_trapcode_t context_set(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  (void)ex;
  (void)results;
  *context_slot(envp) = (uint32_t)args[0];
  return WF_TRAP_NONE;
}
static wf_trapcode_t backpressure(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  (void)envp;
  (void)ex;
  (void)args;
  (void)results;
  return WF_TRAP_NONE;
}

static wf_trapcode_t unsupported(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  (void)args;
  (void)results;
  wf_unsupported_env_t *e = envp;
  if (!e->inst->may_leave) return wf_no_leave_trap(ex, e->inst);
  char msg[128];
  snprintf(msg, sizeof msg, "%s is not supported (weft implements the synchronous canonical ABI only)",
           builtin_name(e->kind, e->opcode));
  return wf_exec_trap(ex, WF_TRAP_COMPONENT, msg);
}

wf_funcinst_t *wf_canon_unsupported_builtin(wf_cinst_t *inst, const wf_cdef_t *def, wf_ctid_t core_type,
                                            wf_error_t *err) {
  const wf_ctype_t *t = wf_ctype(inst->comp->types, core_type);
  if (t->kind != WF_CT_CORE_FUNC) {
    wf_error_set(err, "built-in without a core function type");
    return NULL;
  }
  wf_unsupported_env_t *e = wf_arena_alloc(&inst->rt->arena, sizeof *e);
  if (!e) {
    wf_error_set(err, "out of memory");
    return NULL;
  }
  e->inst = inst;
  e->opcode = def ? def->u.canon.opcode : 0;
  e->kind = def ? def->u.canon.kind : WF_CANON_BUILTIN;
  wf_host_fn_t fn = unsupported;
  if (e->kind == WF_CANON_BUILTIN && (e->opcode == 0x0a || e->opcode == 0x0b) && def->u.canon.imm2 < 2) {
    e->index = def->u.canon.imm2;
    fn = e->opcode == 0x0a ? context_get : context_set;
  } else if (e->kind == WF_CANON_BUILTIN && (e->opcode == 0x24 || e->opcode == 0x25)) {
    fn = backpressure;
  }
  wf_funcinst_t *f = wf_host_func_new(inst->rt->store, t->core.params, t->core.nparams, t->core.results,
                                      t->core.nresults, fn, e, NULL);
  if (!f) wf_error_set(err, "out of memory");
  return f;
}

wf_trapcode_t wf_canon_drop_own(wf_crt_t *rt, const weft_val_t *own, wf_trap_t *trap) {
  trap->code = WF_TRAP_NONE;
  trap->msg[0] = 0;
  trap->nframes = 0;
  if (!own || own->kind != WEFT_VAL_OWN || !own->of.res.type) {
    wf_trapf(trap, WF_TRAP_COMPONENT, "resource drop: not an owned resource value");
    return WF_TRAP_COMPONENT;
  }
  wf_rtype_t *t = own->of.res.type;
  if (t->impl) {
    /* the host must hold it; a guest that cannot be entered keeps it with the host */
    if (!wf_host_check(t, own->of.res.rep, true, NULL, trap->msg, sizeof trap->msg)) {
      trap->code = WF_TRAP_COMPONENT;
      return WF_TRAP_COMPONENT;
    }
    if (t->dtor && !t->impl->may_enter) {
      wf_trapf(trap, WF_TRAP_COMPONENT, "cannot enter component instance");
      return WF_TRAP_COMPONENT;
    }
    wf_host_own_take(t, own->of.res.rep, NULL, 0);
  }
  if (!wf_canon_run_dtor(rt, NULL, t, own->of.res.rep, trap))
    return trap->code != WF_TRAP_NONE ? trap->code : WF_TRAP_COMPONENT;
  return WF_TRAP_NONE;
}
