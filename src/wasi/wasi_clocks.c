/* wasi:clocks: monotonic-clock (with pollables at a deadline) and
 * wall-clock. */
#include <string.h>
#include <time.h>

#include "wasi.h"

static int h_mono_now(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                      size_t nresults) {
  (void)call, (void)env, (void)args, (void)nargs, (void)nresults;
  results[0] = wf_wasi_u64(wf_wasi_monotonic_ns());
  return 0;
}

static uint64_t res_ns(clockid_t id) {
  struct timespec ts;
  if (clock_getres(id, &ts) != 0) return 1;
  uint64_t r = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return r ? r : 1;
}

static int h_mono_resolution(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                             weft_val_t *results, size_t nresults) {
  (void)call, (void)env, (void)args, (void)nargs, (void)nresults;
  results[0] = wf_wasi_u64(res_ns(CLOCK_MONOTONIC));
  return 0;
}

static int subscribe_at(weft_call_t *call, void *env, uint64_t deadline, weft_val_t *out) {
  wf_wasi_pollable_t *p = wf_wasi_pollable_deadline(deadline);
  if (!p) {
    weft_call_trap(call, "wasi:clocks: out of memory");
    return 1;
  }
  *out = wf_wasi_own(env, WF_WASI_RT_POLLABLE, p);
  return 0;
}

static int h_subscribe_instant(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                               weft_val_t *results, size_t nresults) {
  (void)nargs, (void)nresults;
  uint64_t when = args[0].of.u;
  if (when == WF_WASI_NO_DEADLINE) when--;   /* still a deadline, just a far one */
  return subscribe_at(call, env, when, &results[0]);
}

static int h_subscribe_duration(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                                weft_val_t *results, size_t nresults) {
  (void)nargs, (void)nresults;
  uint64_t now = wf_wasi_monotonic_ns(), d = args[0].of.u;
  uint64_t when = d > WF_WASI_NO_DEADLINE - 1 - now ? WF_WASI_NO_DEADLINE - 1 : now + d;
  return subscribe_at(call, env, when, &results[0]);
}

static int datetime(weft_call_t *call, uint64_t sec, uint32_t nsec, weft_val_t *out) {
  weft_val_t *f = wf_wasi_new_vals(call, 2);
  if (!f) return 1;
  f[0] = wf_wasi_u64(sec);
  f[1].kind = WEFT_VAL_U32;
  f[1].of.u = nsec;
  memset(out, 0, sizeof *out);
  out->kind = WEFT_VAL_RECORD;
  out->of.seq.v = f;
  out->of.seq.n = 2;
  return 0;
}

static int h_wall_now(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                      size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)nresults;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (ts.tv_sec < 0) ts.tv_sec = 0, ts.tv_nsec = 0;   /* datetime is unsigned */
  return datetime(call, (uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec, &results[0]);
}

static int h_wall_resolution(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                             weft_val_t *results, size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)nresults;
  uint64_t r = res_ns(CLOCK_REALTIME);
  return datetime(call, r / 1000000000u, (uint32_t)(r % 1000000000u), &results[0]);
}

weft_status_t wf_wasi_add_clocks(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  static const struct {
    const char *iface, *name;
    weft_host_fn fn;
  } fns[] = {
      {WF_WASI_IFACE("clocks/monotonic-clock"), "now", h_mono_now},
      {WF_WASI_IFACE("clocks/monotonic-clock"), "resolution", h_mono_resolution},
      {WF_WASI_IFACE("clocks/monotonic-clock"), "subscribe-instant", h_subscribe_instant},
      {WF_WASI_IFACE("clocks/monotonic-clock"), "subscribe-duration", h_subscribe_duration},
      {WF_WASI_IFACE("clocks/wall-clock"), "now", h_wall_now},
      {WF_WASI_IFACE("clocks/wall-clock"), "resolution", h_wall_resolution},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    weft_status_t st = wf_wasi_def(l, fns[i].iface, fns[i].name, fns[i].fn, k, err);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}
