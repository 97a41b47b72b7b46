/* Component-level calls: canon lift (calling a lifted function with values)
 * and canon lower (the core function a guest calls: lift its arguments,
 * call the callee, lower the results back). CanonicalABI.md canon_lift /
 * canon_lower, synchronous. */
#include <stdlib.h>
#include <string.h>

#include "canon.h"

void wf_ccall_sweep(wf_ccall_t *call) {
  wf_htable_t *t = &call->inst->handles;
  for (uint32_t i = 1; i < t->n && call->nborrows; i++) {
    wf_handle_t *h = wf_htable_get(t, i);
    if (h && !h->own && h->scope == call) {
      wf_htable_remove(t, i);
      call->nborrows--;
    }
  }
  call->nborrows = 0;
}

static wf_trapcode_t fail(wf_trap_t *trap) { return trap->code != WF_TRAP_NONE ? trap->code : WF_TRAP_COMPONENT; }

static wf_trapcode_t invoke_host(wf_cfunc_t *f, const weft_val_t *args, size_t nargs, weft_val_t *results,
                                 size_t nresults, wf_arena_t *arena, wf_trap_t *trap) {
  struct weft_call call;
  call.rt = f->inst ? f->inst->rt : NULL;
  call.inst = f->inst;
  call.func = f;
  call.arena = arena;
  call.trapped = false;
  call.trap[0] = 0;
  call.trap_code = WF_TRAP_NONE;
  for (size_t i = 0; i < nresults; i++) results[i].kind = WEFT_VAL_KIND_COUNT;
  int rc = f->cb(&call, f->env, args, nargs, results, nresults);
  if (rc || call.trapped) {
    wf_trapcode_t code = call.trap_code != WF_TRAP_NONE ? call.trap_code : WF_TRAP_HOST;
    wf_trapf(trap, code, "%s", call.trap[0] ? call.trap : "host function trapped");
    return code;
  }
  return WF_TRAP_NONE;
}

static void tuple_layout(const wf_ctypes_t *ts, const wf_cfield_t *fs, uint32_t n, uint32_t *size, uint32_t *align) {
  uint32_t s = 0, a = 1;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t es, ea;
    wf_canon_size_align(ts, fs[i].type, &es, &ea);
    s = ((s + ea - 1) & ~(ea - 1)) + es;
    if (ea > a) a = ea;
    if (s > 0x40000000u) s = 0x40000000u;   /* saturate: fields are at most 2^30 too */
  }
  *size = (s + a - 1) & ~(a - 1);
  *align = a;
}

wf_trapcode_t wf_canon_invoke(wf_cfunc_t *f, const weft_val_t *args, size_t nargs, weft_val_t *results,
                              size_t nresults, wf_arena_t *arena, wf_trap_t *trap, bool from_guest) {
  trap->code = WF_TRAP_NONE;
  trap->msg[0] = 0;
  trap->nframes = 0;
  if (f->kind == WF_CFUNC_HOST) return invoke_host(f, args, nargs, results, nresults, arena, trap);

  wf_cinst_t *inst = f->inst;
  wf_crt_t *rt = inst->rt;
  const wf_ctypes_t *ts = inst->comp->types;
  const wf_ctype_t *ft = wf_cty(ts, f->type);
  uint32_t nres = ft->t1 ? 1 : 0;
  if (nargs != ft->n || nresults != nres) {
    wf_trapf(trap, WF_TRAP_COMPONENT, "function called with %zu arguments and %zu results, expected %u and %u",
             nargs, nresults, ft->n, nres);
    return WF_TRAP_COMPONENT;
  }
  if (ft->is_async) {
    wf_trapf(trap, WF_TRAP_COMPONENT, "cannot call an async function: async is not supported");
    return WF_TRAP_COMPONENT;
  }
  if (!inst->may_enter) {
    wf_trapf(trap, WF_TRAP_COMPONENT, "cannot enter component instance");
    return WF_TRAP_COMPONENT;
  }
  wf_ccall_t call = {rt->calls, inst, 0, {0, 0}};
  rt->calls = &call;
  inst->may_enter = false;
  wf_hrefs_t hrefs;   /* the host's owns lent to this call */
  wf_hrefs_init(&hrefs);
  wf_cx_t cx = {.inst = inst, .ts = ts, .opts = &f->opts, .arena = arena, .trap = trap, .call = &call,
                .adapter = from_guest, .badval = "argument", .arena_base = arena ? arena->total : 0,
                .host = !from_guest, .hrefs = &hrefs};
  uint64_t slots[WF_MAX_FLAT_PARAMS + 1];
  uint64_t res[2] = {0, 0};
  bool ok = true;

  /* lower the arguments into the callee */
  uint32_t nflat = 0;
  for (uint32_t i = 0; i < ft->n && nflat <= WF_MAX_FLAT_PARAMS; i++) nflat += wf_canon_flat_count(ts, ft->fields[i].type);
  if (nflat <= WF_MAX_FLAT_PARAMS) {
    uint32_t k = 0;
    for (uint32_t i = 0; ok && i < ft->n; i++)
      ok = wf_canon_lower_flat(&cx, ft->fields[i].type, &args[i], slots, WF_MAX_FLAT_PARAMS, &k);
  } else {
    uint32_t size, align, ptr = 0, off = 0;
    tuple_layout(ts, ft->fields, ft->n, &size, &align);
    if (size >= WF_CANON_SIZE_MAX) ok = wf_cx_trap(&cx, "parameter types too large");
    else if (!f->opts.mem) ok = wf_cx_trap(&cx, "arguments spilled to memory without a memory");
    else ok = wf_canon_alloc_checked(&cx, align, size, false, &ptr);
    for (uint32_t i = 0; ok && i < ft->n; i++) {
      uint32_t es, ea;
      wf_canon_size_align(ts, ft->fields[i].type, &es, &ea);
      off = (off + ea - 1) & ~(ea - 1);
      ok = wf_canon_store(&cx, ft->fields[i].type, &args[i], ptr + off);
      off += es;
    }
    slots[0] = ptr;
  }

  /* call */
  if (ok) {
    wf_trapcode_t c = wf_invoke(rt->store, f->core, slots, res);
    if (c != WF_TRAP_NONE) ok = wf_cx_core_trap(rt, trap, c);
  }

  /* lift the results */
  if (ok && nres) {
    wf_ctid_t t = ft->t1;
    if (wf_canon_flat_count(ts, t) <= WF_MAX_FLAT_RESULTS) {
      uint32_t k = 0;
      ok = wf_canon_lift_flat(&cx, t, res, 1, &k, &results[0]);
    } else {
      uint32_t ptr = (uint32_t)res[0], size, align;
      wf_canon_size_align(ts, t, &size, &align);
      if (size >= WF_CANON_SIZE_MAX) ok = wf_cx_trap(&cx, "result type too large");
      else if (!f->opts.mem) ok = wf_cx_trap(&cx, "results returned through memory without a memory");
      else if (ptr & (align - 1)) ok = wf_cx_trap(&cx, "unaligned pointer");
      else if ((uint64_t)ptr + size > f->opts.mem->size) ok = wf_cx_trap(&cx, "pointer out of bounds of memory");
      else ok = wf_canon_load(&cx, t, ptr, &results[0]);
    }
  }
  if (ok && call.nborrows) ok = wf_cx_trap(&cx, "borrow handles still remain at the end of the call");

  /* post-return: results are copies already, so it runs before the caller
   * lowers them */
  if (ok && f->opts.post_return) {
    uint64_t pr[2] = {0, 0};
    inst->may_leave = false;
    inst->no_leave_why = "post-return";
    wf_trapcode_t c = wf_invoke(rt->store, f->opts.post_return, res, pr);
    inst->may_leave = true;
    if (c != WF_TRAP_NONE) ok = wf_cx_core_trap(rt, trap, c);
  }

  if (call.nborrows) wf_ccall_sweep(&call);
  wf_hrefs_done(&hrefs);
  inst->may_enter = true;
  rt->calls = call.prev;
  if (ok) return WF_TRAP_NONE;
  /* A trap locks every instance of this instantiation down (Explainer.md,
   * invariants): later calls trap "cannot enter component instance". A
   * wrongly-typed argument from the host is refused without that. */
  if (!cx.bad_value || from_guest)
    for (wf_cinst_t *i = rt->insts; i; i = i->next) i->may_enter = false;
  return fail(trap);
}

wf_trapcode_t wf_cfunc_invoke(wf_cfunc_t *f, const weft_val_t *args, size_t nargs, weft_val_t *results,
                              size_t nresults, wf_arena_t *arena, wf_trap_t *trap) {
  return wf_canon_invoke(f, args, nargs, results, nresults, arena, trap, false);
}

/* ---- canon lower ---- */

typedef struct {
  wf_cinst_t *caller;
  const wf_ctypes_t *ts;
  wf_ctid_t ftype;                /* looked up per call: the table's storage may move */
  wf_copts_t opts;
  wf_cfunc_t *callee;
  uint32_t ncore_params;          /* incl. the return pointer */
  bool retptr;                    /* results go through an out-pointer */
  uint32_t depth;                 /* re-entrant calls in progress */
  wf_arena_t scratch;             /* lifted values of the outermost call */
} wf_lower_env_t;

static void lower_env_free(void *p) {
  wf_lower_env_t *e = p;
  wf_arena_fini(&e->scratch);
  free(e);
}

#define INLINE_ARGS 8

static wf_trapcode_t lower_call(void *envp, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  wf_lower_env_t *e = envp;
  wf_cinst_t *a = e->caller;
  if (!a->may_leave) return wf_no_leave_trap(ex, a);
  uint64_t in[WF_MAX_FLAT_PARAMS + 2];
  memcpy(in, args, (size_t)e->ncore_params * sizeof *in);
  wf_arena_t local;
  wf_arena_t *ar = &e->scratch;
  if (e->depth) {
    wf_arena_init(&local);
    ar = &local;
  }
  e->depth++;
  const wf_ctype_t *ft = wf_cty(e->ts, e->ftype);
  bool callee_guest = e->callee->kind == WF_CFUNC_LIFTED;
  wf_trap_t trap;
  trap.code = WF_TRAP_NONE;
  trap.msg[0] = 0;
  trap.nframes = 0;
  wf_lends_t lends;
  wf_lends_init(&lends);
  wf_hrefs_t hrefs;   /* borrows lent to a host callee */
  wf_hrefs_init(&hrefs);
  wf_cx_t cx = {.inst = a, .ts = e->ts, .opts = &e->opts, .arena = ar, .trap = &trap, .lends = &lends,
                .adapter = callee_guest, .arena_base = ar->total, .host = !callee_guest, .hrefs = &hrefs};
  weft_val_t argv_inline[INLINE_ARGS], resv[1];
  weft_val_t *argv = argv_inline;
  bool ok = true;
  if (ft->n > INLINE_ARGS) {
    argv = wf_arena_alloc(ar, (size_t)ft->n * sizeof *argv);
    if (!argv) ok = wf_trapf(&trap, WF_TRAP_OOM, "out of memory");
  }
  uint32_t nin = e->ncore_params - (e->retptr ? 1 : 0);
  if (ok) ok = wf_canon_lift_values(&cx, ft->fields, ft->n, in, nin, WF_MAX_FLAT_PARAMS, argv);
  if (ok) {
    wf_trapcode_t c = wf_canon_invoke(e->callee, argv, ft->n, resv, ft->t1 ? 1 : 0, ar, &trap, true);
    ok = c == WF_TRAP_NONE;
  }
  wf_lends_release(&lends, &a->handles);
  wf_hrefs_done(&hrefs);
  if (ok && ft->t1) {
    cx.lends = NULL;
    cx.badval = callee_guest ? "result" : "host function returned a value";
    if (!e->retptr) {
      uint32_t k = 0;
      ok = wf_canon_lower_flat(&cx, ft->t1, &resv[0], results, WF_MAX_FLAT_RESULTS, &k);
    } else {
      uint32_t ptr = (uint32_t)in[e->ncore_params - 1], size, align;
      wf_canon_size_align(e->ts, ft->t1, &size, &align);
      if (size >= WF_CANON_SIZE_MAX) ok = wf_cx_trap(&cx, "result type too large");
      else if (!e->opts.mem) ok = wf_cx_trap(&cx, "results returned through memory without a memory");
      else if (ptr & (align - 1)) ok = wf_cx_trap(&cx, "unaligned pointer");
      else if ((uint64_t)ptr + size > e->opts.mem->size) ok = wf_cx_trap(&cx, "pointer out of bounds of memory");
      else ok = wf_canon_store(&cx, ft->t1, &resv[0], ptr);
    }
  }
  e->depth--;
  if (ar == &local) wf_arena_fini(&local);
  else wf_arena_clear(ar);
  if (!ok) return wf_exec_trap(ex, fail(&trap), trap.msg);
  return WF_TRAP_NONE;
}

wf_funcinst_t *wf_canon_lower_new(wf_cinst_t *caller, wf_ctid_t ftype, wf_ctid_t core_type, const wf_copts_t *opts,
                                  wf_cfunc_t *callee, wf_error_t *err) {
  const wf_ctypes_t *ts = caller->comp->types;
  /* the lowered signature, flattened once when the component was checked;
   * the component outlives the store (an instance holds a reference) */
  const wf_functype_t *core = &wf_cty(ts, core_type)->core;
  wf_lower_env_t *e = calloc(1, sizeof *e);
  if (!e) {
    wf_error_set(err, "out of memory");
    return NULL;
  }
  e->caller = caller;
  e->ts = ts;
  e->ftype = ftype;
  e->opts = *opts;
  e->callee = callee;
  e->ncore_params = core->nparams;
  const wf_ctype_t *ft = wf_cty(ts, ftype);
  e->retptr = ft->t1 && wf_canon_flat_count(ts, ft->t1) > WF_MAX_FLAT_RESULTS;
  wf_arena_init(&e->scratch);
  wf_funcinst_t *f = wf_host_func_new_typed(caller->rt->store, core, lower_call, e, lower_env_free);
  if (!f) {
    free(e);
    wf_error_set(err, "out of memory");
    return NULL;
  }
  return f;
}
