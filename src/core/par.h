/* wf_par_for (par.c): run fn(ctx, i, err) for i in [0, n) on several
 * threads when there is enough work, else one by one on this thread.
 * Returns false with the lowest-numbered failing item's error copied into
 * *err, exactly as a sequential loop stopping at the first failure would.
 * fn must be safe to run concurrently for different i; each call gets its
 * own zeroed error to fill. */
#ifndef WF_PAR_H
#define WF_PAR_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/error.h"

/* Below this much work (bytes of function bodies) threads cost more than
 * they save. (Overridable at build time, to fuzz the threaded path with
 * small inputs: FUZZ_EXTRA=-DWF_PAR_MIN_WORK=1.) */
#ifndef WF_PAR_MIN_WORK
#define WF_PAR_MIN_WORK ((uint64_t)256 << 10)
#endif

typedef bool (*wf_par_fn)(void *ctx, uint32_t i, wf_error_t *err);
bool wf_par_for(uint32_t n, uint64_t work, wf_par_fn fn, void *ctx, wf_error_t *err);

#endif
