/* The interpreter's entry points and state (interp.c has the dispatch
 * loop): an exec's value and frame stacks, traps and their backtraces,
 * exceptions given to the program, translation on demand, and wf_invoke,
 * which runs a function under a fault context. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "interp_exec.h"

void wf_interp_fill_backtrace(wf_exec_t *ex, wf_xframe_t *cf, wf_xframe_t *entry) {
  uint32_t n = 0;
  for (wf_xframe_t *x = cf; x && x >= entry && n < WF_BACKTRACE_MAX; x--) {
    wf_funcinst_t *f = x->fn;
    ex->trap.frames[n].module = f && f->inst ? f->inst->module : NULL;
    ex->trap.frames[n].func_idx = f ? f->func_idx : 0;
    ex->trap.frames[n].offset = 0;
    n++;
  }
  ex->trap.nframes = n;
}

void wf_interp_set_trap(wf_exec_t *ex, wf_trapcode_t code, const char *msg) {
  ex->trap.code = code;
  const char *m = msg && msg[0] ? msg : wf_trap_message(code);
  size_t len = strlen(m);
  if (len >= sizeof ex->trap.msg) len = sizeof ex->trap.msg - 1;
  memmove(ex->trap.msg, m, len);
  ex->trap.msg[len] = 0;
}

/* An exception becomes reachable from the program: give it an exnref. */
bool wf_interp_exn_escape(wf_exec_t *ex, wf_exn_t *e) {
  if (ex->nexns == ex->capexns) {
    if (ex->capexns >= UINT32_MAX / 2) return false;
    uint32_t cap = ex->capexns ? ex->capexns * 2 : 16;
    wf_exn_t **t = realloc(ex->exns, (size_t)cap * sizeof *t);
    if (!t) return false;
    ex->exns = t;
    ex->capexns = cap;
  }
  ex->exns[ex->nexns++] = e;
  e->ref = ex->nexns;
  return true;
}

/* The table lives in run() (label addresses are local to it): ask for it.
 * Cheap, and no shared mutable state. */
const void *const *wf_interp_handlers(void) {
  const void *const *t = NULL;
  wf_interp_run(NULL, NULL, &t);
  return t;
}

/* ---- exec state ---- */

wf_exec_t *wf_exec_new(wf_store_t *s) {
  wf_exec_t *ex = calloc(1, sizeof *ex);
  if (!ex) return NULL;
  ex->store = s;
  void *st = mmap(NULL, WF_STACK_BYTES, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  size_t fbytes = (size_t)(WF_MAX_FRAMES + 2) * sizeof(wf_xframe_t);
  void *fr = mmap(NULL, fbytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (st == MAP_FAILED || fr == MAP_FAILED) {
    if (st != MAP_FAILED) munmap(st, WF_STACK_BYTES);
    if (fr != MAP_FAILED) munmap(fr, fbytes);
    free(ex);
    return NULL;
  }
  ex->stack = st;
  ex->stack_end = ex->stack + WF_STACK_BYTES;
  ex->frames = fr;
  ex->frames_end = ex->frames + WF_MAX_FRAMES;
  ex->sp = ex->stack;
  return ex;
}

void wf_exec_free(wf_exec_t *ex) {
  if (!ex) return;
  for (uint32_t i = 0; i < ex->nexns; i++) free(ex->exns[i]);
  free(ex->exns);
  munmap(ex->stack, WF_STACK_BYTES);
  munmap(ex->frames, (size_t)(WF_MAX_FRAMES + 2) * sizeof(wf_xframe_t));
  free(ex);
}

const wf_trap_t *wf_exec_last_trap(wf_exec_t *ex) { return ex ? &ex->trap : NULL; }

wf_trapcode_t wf_exec_trap(wf_exec_t *ex, wf_trapcode_t code, const char *msg) {
  if (ex) {
    wf_interp_set_trap(ex, code, msg);
    ex->trap.nframes = 0;
  }
  return code;
}

int wf_translate_func(wf_instance_t *inst, uint32_t defined_idx) {
  const wf_module_t *m = inst->module;
  if (defined_idx >= m->nfuncs - m->nfunc_imports) return 0;
  if (!inst->code[defined_idx]) inst->code[defined_idx] = wf_translate(inst, defined_idx);
  return inst->code[defined_idx] != NULL;
}

void wf_instance_free_code(wf_instance_t *inst) {
  if (!inst || !inst->code || !inst->module) return;
  uint32_t n = inst->module->nfuncs - inst->module->nfunc_imports;
  for (uint32_t i = 0; i < n; i++) {
    free(inst->code[i]);
    inst->code[i] = NULL;
  }
}

/* ---- invocation ---- */

/* Run with a fault context: a memory fault inside the store's reservations
 * lands back here as WF_TRAP_MEM_OOB. */
static wf_trapcode_t run_guarded(wf_exec_t *ex, wf_xframe_t *entry) {
  wf_fault_ctx_t ctx;
  ctx.store = ex->store;
  ctx.prev = wf_fault_current;
  if (sigsetjmp(ctx.jmp, 0) != 0) {
    wf_fault_current = ctx.prev;
    wf_interp_set_trap(ex, WF_TRAP_MEM_OOB, NULL);
    wf_interp_fill_backtrace(ex, ex->cf, entry);
    return WF_TRAP_MEM_OOB;
  }
  wf_fault_current = &ctx;
  wf_trapcode_t r = wf_interp_run(ex, entry, NULL);
  wf_fault_current = ctx.prev;
  return r;
}

wf_trapcode_t wf_invoke(wf_store_t *s, wf_funcinst_t *f, const uint64_t *args, uint64_t *results) {
  wf_exec_t *ex = wf_store_exec(s);
  if (!ex) return WF_TRAP_OOM;
  ex->trap.code = WF_TRAP_NONE;
  ex->trap.msg[0] = 0;
  ex->trap.nframes = 0;
  if (f->host) {
    wf_trapcode_t r = f->host(f->host_env, ex, args, results);
    if (r != WF_TRAP_NONE) {
      if (!ex->trap.msg[0] || ex->trap.code != r) wf_interp_set_trap(ex, r, NULL);
      ex->trap.nframes = 1;
      ex->trap.frames[0].module = NULL;
      ex->trap.frames[0].func_idx = 0;
      ex->trap.frames[0].offset = 0;
    }
    return r;
  }
  if (ex->nest >= WF_MAX_NEST) return wf_exec_trap(ex, WF_TRAP_STACK_EXHAUSTED, NULL);
  wf_xframe_t *saved_cf = ex->cf;
  char *saved_sp = ex->sp;
  wf_xframe_t *entry = saved_cf ? saved_cf + 1 : ex->frames;
  char *fp = saved_cf ? saved_sp : ex->stack + WF_STACK_SKEW;
  wf_code_t *c = get_code(f);
  if (!c) return wf_exec_trap(ex, WF_TRAP_OOM, NULL);
  if (entry >= ex->frames_end || fp < ex->stack || fp > ex->stack_end ||
      (size_t)(ex->stack_end - fp) / 8 < c->frame_slots)
    return wf_exec_trap(ex, WF_TRAP_STACK_EXHAUSTED, NULL);
  uint64_t *slots = (uint64_t *)fp;
  if (c->nparams) memmove(slots, args, (size_t)c->nparams * 8);
  frame_init(c, fp);
  entry->fn = f;
  entry->fp = fp;
  entry->inst = f->inst;
  entry->mb = mem_base(f->inst);
  entry->ret_ip = NULL;
  ex->cf = entry;
  wf_signals_init();
  ex->nest++;
  wf_trapcode_t r = run_guarded(ex, entry);
  ex->nest--;
  if (r == WF_TRAP_NONE && c->nresults) memmove(results, slots, (size_t)c->nresults * 8);
  ex->cf = saved_cf;
  ex->sp = saved_sp;
  return r;
}
