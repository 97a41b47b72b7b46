/* Stopping a running component instance from another thread, and what
 * host functions that block use to be woken by it. */
#include <stdio.h>

#include "../component/crt.h"
#include "../wasi/wasi.h"

void weft_cinstance_interrupt(weft_cinstance_t *inst) {
  if (inst && inst->rt && inst->rt->store) wf_store_interrupt(inst->rt->store);
}

static wf_store_t *call_store(weft_call_t *call) { return call && call->rt ? call->rt->store : NULL; }

int wf_call_interrupt_fd(weft_call_t *call) {
  wf_store_t *s = call_store(call);
  return s ? wf_store_interrupt_fd(s) : -1;
}

bool wf_call_interrupt_pending(weft_call_t *call) {
  wf_store_t *s = call_store(call);
  return s && wf_store_interrupted(s);
}

int wf_call_interrupted(weft_call_t *call, const char *where) {
  if (!call) return 1;
  call->trapped = true;
  call->trap_code = WF_TRAP_INTERRUPT;
  snprintf(call->trap, sizeof call->trap, "interrupted (while blocked in %s)", where ? where : "a host call");
  return 1;
}
