/* Stopping a running component instance from another thread. */
#include "../component/crt.h"

void weft_cinstance_interrupt(weft_cinstance_t *inst) {
  if (inst && inst->rt && inst->rt->store) wf_store_interrupt(inst->rt->store);
}
