/* Private to the interpreter (interp.c, interp_exec.c, interp_prof.c): the
 * exec state, frames and exceptions, and the helpers the dispatch loop and
 * the entry points share. */
#ifndef WF_INTERP_EXEC_H
#define WF_INTERP_EXEC_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

#define WF_STACK_BYTES   ((size_t)64 << 20)   /* value stack per exec */
#define WF_MAX_FRAMES    100000u
#define WF_MAX_NEST      200u                 /* host -> wasm re-entry depth */
/* The first frame starts this far into the value stack, not at its page's
 * start: frame slots at the same page offsets as the guest's hot data
 * (which compilers place from low addresses of linear memory, itself
 * page-aligned) made loads of those slots wait on unrelated stores (4 KiB
 * aliasing): matmul ran 18% slower with the frames at offset 0, the other
 * kernels within noise either way. */
#define WF_STACK_SKEW    2048u

typedef struct wf_xframe {
  const wf_cell_t *ret_ip;   /* where this frame resumes when its callee returns */
  char *fp;
  wf_instance_t *inst;
  uint8_t *mb;
  wf_funcinst_t *fn;
} wf_xframe_t;

/* An exception: its tag and values. One that a catch_ref / catch_all_ref
 * handed to the program may live on anywhere (locals, tables, globals,
 * the host): it joins the exec's table, and its exnref is its index there
 * + 1 -- never a pointer, so a forged value (from the host) is caught by a
 * bounds check; they are freed with the exec. One that was only ever in
 * flight is freed when a plain catch takes its values, or when it ends up
 * uncaught. */
struct wf_exn {
  wf_taginst_t *tag;
  uint64_t ref;                /* its exnref once escaped, else 0 */
  uint32_t n;
  uint64_t vals[];
};

struct wf_exec {
  wf_store_t *store;
  wf_exn_t **exns;             /* escaped exceptions: exnref k is exns[k - 1] */
  uint32_t nexns, capexns;
  char *stack, *stack_end;
  wf_xframe_t *frames, *frames_end;
  wf_xframe_t *cf;           /* innermost active frame, NULL when idle */
  char *sp;                  /* where a nested invocation's frames start */
  uint32_t nest;
  wf_trap_t trap;
};

/* The dispatch loop (interp.c). With ex == NULL it only stores its handler
 * table in *tbl_out. */
wf_trapcode_t wf_interp_run(wf_exec_t *ex, wf_xframe_t *entry, const void *const **tbl_out);
/* interp_exec.c */
void wf_interp_fill_backtrace(wf_exec_t *ex, wf_xframe_t *cf, wf_xframe_t *entry);
void wf_interp_set_trap(wf_exec_t *ex, wf_trapcode_t code, const char *msg);
bool wf_interp_exn_escape(wf_exec_t *ex, wf_exn_t *e);
#ifdef WF_INTERP_PROFILE
void wf_interp_prof_count(const void *h);   /* interp_prof.c */
#endif

#ifdef WF_TRANSLATE_DUMP
void wf_translate_dump(const wf_code_t *c);
#endif
static inline wf_code_t *get_code(wf_funcinst_t *f) {
  wf_instance_t *ci = f->inst;
  uint32_t di = f->func_idx - ci->module->nfunc_imports;
  wf_code_t *c = ci->code[di];
  if (!c) {
    c = wf_translate(ci, di);
    ci->code[di] = c;
#ifdef WF_TRANSLATE_DUMP
    if (c) wf_translate_dump(c);
#endif
  }
  return c;
}

static inline uint8_t *mem_base(wf_instance_t *inst) { return inst->mem0 ? inst->mem0->base : NULL; }

/* A new frame: zero the declared locals, copy in the constants (one
 * template, so that this stays a short inline loop). */
static inline void frame_init(const wf_code_t *c, char *fp) {
  uint64_t *d = (uint64_t *)fp + c->nparams;
  const uint64_t *s = c->init;
  for (uint32_t k = c->ninit; k; k--) *d++ = *s++;
}

#endif
