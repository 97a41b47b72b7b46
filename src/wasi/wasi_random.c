/* wasi:random: random (the OS CSPRNG, getrandom(2)), insecure (a per-
 * instance xorshift128+ seeded from the OS) and insecure-seed. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "wasi.h"

static int os_random(uint8_t *p, size_t n) {
  while (n) {
    ssize_t r = getrandom(p, n, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static uint64_t xorshift(wf_wasi_ctx_t *x) {
  uint64_t s1 = x->insecure[0];
  const uint64_t s0 = x->insecure[1];
  x->insecure[0] = s0;
  s1 ^= s1 << 23;
  x->insecure[1] = s1 ^ s0 ^ (s1 >> 18) ^ (s0 >> 5);
  return x->insecure[1] + s0;
}

static int bytes_result(weft_call_t *call, uint64_t len, bool secure, weft_val_t *out) {
  if (len > WF_WASI_MAX_IO * 16) {
    weft_call_trap(call, "wasi:random: %llu bytes requested (at most %u per call)", (unsigned long long)len,
                   WF_WASI_MAX_IO * 16);
    return 1;
  }
  size_t n = (size_t)len;
  uint8_t *b = weft_arena_alloc(weft_call_arena(call), n ? n : 1);
  if (!b) {
    weft_call_trap(call, "wasi:random: out of memory");
    return 1;
  }
  if (secure) {
    if (os_random(b, n) != 0) {
      weft_call_trap(call, "wasi:random: the OS random source failed: %s", strerror(errno));
      return 1;
    }
  } else {
    wf_wasi_ctx_t *x = wf_wasi_ctx(call);
    if (!x) return 1;
    for (size_t i = 0; i < n; i += 8) {
      uint64_t v = xorshift(x);
      memcpy(b + i, &v, n - i < 8 ? n - i : 8);
    }
  }
  return wf_wasi_byte_list(call, b, n, out);
}

static int h_get_random_bytes(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                              weft_val_t *results, size_t nresults) {
  (void)env, (void)nargs, (void)nresults;
  return bytes_result(call, args[0].of.u, true, &results[0]);
}

static int h_get_random_u64(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                            weft_val_t *results, size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)nresults;
  uint64_t v;
  if (os_random((uint8_t *)&v, sizeof v) != 0) {
    weft_call_trap(call, "wasi:random: the OS random source failed: %s", strerror(errno));
    return 1;
  }
  results[0] = wf_wasi_u64(v);
  return 0;
}

static int h_insecure_bytes(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                            weft_val_t *results, size_t nresults) {
  (void)env, (void)nargs, (void)nresults;
  return bytes_result(call, args[0].of.u, false, &results[0]);
}

static int h_insecure_u64(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                          size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)nresults;
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  results[0] = wf_wasi_u64(xorshift(x));
  return 0;
}

static int h_insecure_seed(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                           weft_val_t *results, size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)nresults;
  uint64_t s[2];
  if (os_random((uint8_t *)s, sizeof s) != 0) {
    weft_call_trap(call, "wasi:random: the OS random source failed: %s", strerror(errno));
    return 1;
  }
  weft_val_t *m = wf_wasi_new_vals(call, 2);
  if (!m) return 1;
  m[0] = wf_wasi_u64(s[0]);
  m[1] = wf_wasi_u64(s[1]);
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_TUPLE;
  results[0].of.seq.v = m;
  results[0].of.seq.n = 2;
  return 0;
}

weft_status_t wf_wasi_add_random(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  static const struct {
    const char *iface, *name;
    weft_host_fn fn;
  } fns[] = {
      {WF_WASI_IFACE("random/random"), "get-random-bytes", h_get_random_bytes},
      {WF_WASI_IFACE("random/random"), "get-random-u64", h_get_random_u64},
      {WF_WASI_IFACE("random/insecure"), "get-insecure-random-bytes", h_insecure_bytes},
      {WF_WASI_IFACE("random/insecure"), "get-insecure-random-u64", h_insecure_u64},
      {WF_WASI_IFACE("random/insecure-seed"), "insecure-seed", h_insecure_seed},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    weft_status_t st = wf_wasi_def(l, fns[i].iface, fns[i].name, fns[i].fn, k, err);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}
