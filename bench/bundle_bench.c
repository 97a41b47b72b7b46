/* Guest -> host call cost: a host bundle against the same functions built
 * into the embedding, through the public API only (weft.h, weft_hosts.h):
 *
 *   bundle_bench BUNDLE GUEST.wasm [CALLS [ROUNDS]]
 *
 * BUNDLE is the every-type test bundle (tests/host/all: a native library
 * behind the C ABI of weft_host.h); GUEST is tests/host/guest.c, whose
 * exports bench-noop(n) and bench-echo(n, s) call the imports noop() and
 * echo(s) -> string n times in a loop inside the guest. The same component
 * is instantiated twice:
 *   bundle    its imports served by the bundle (weft_hosts_link);
 *   built-in  every function of the interface defined directly in the
 *             linker (weft_linker_define_func: an untyped weft_val_t host
 *             callback, the way weft's own WASI functions are defined), with
 *             noop and echo implemented, the rest trapping.
 * Each round times one call of each export per instance (CALLS calls inside
 * the guest; default 100000), the four measurements interleaved round by
 * round; ROUNDS rounds (default 7). Prints one line per measurement:
 *   NAME MEDIAN_NS BEST_NS
 * (ns per guest -> host call, including the guest's loop and, for echo, the
 * guest's free() of the returned string). Results are checked: echo must
 * hand back every byte (the guest sums the lengths), and the built-in noop
 * must have been called CALLS times. Exit status 1 on any failure. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft.h"
#include "weft_hosts.h"

static const char *IFACE = "test:all/types@0.1.0";
#define MAX_ROUNDS 100

/* One defined function of the built-in linker. */
typedef struct {
  const char *name;
  unsigned long calls;
} builtin_fn_t;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int builtin(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                   size_t nresults) {
  builtin_fn_t *fn = env;
  fn->calls++;
  if (!strcmp(fn->name, "noop") && nargs == 0 && nresults == 0) return 0;
  if (!strcmp(fn->name, "echo") && nargs == 1 && nresults == 1 && args[0].kind == WEFT_VAL_STRING) {
    size_t len = args[0].of.str.len;
    char *p = weft_arena_alloc(weft_call_arena(call), len ? len : 1);
    if (!p) {
      weft_call_trap(call, "echo: out of memory");
      return 1;
    }
    memcpy(p, args[0].of.str.ptr, len);
    results[0].kind = WEFT_VAL_STRING;
    results[0].of.str.ptr = p;
    results[0].of.str.len = len;
    return 0;
  }
  weft_call_trap(call, "%s: not built into bundle_bench", fn->name);
  return 1;
}

/* One call of export `fn` (bench-noop or bench-echo): ns per guest -> host
 * call, or -1 after a failure (printed). */
static double time_export(weft_cinstance_t *inst, const char *what, const char *fn, uint32_t n, const char *s) {
  weft_cfunc_t *f = weft_cinstance_func(inst, NULL, fn);
  if (!f) {
    fprintf(stderr, "bundle_bench: %s: the guest has no export %s\n", what, fn);
    return -1;
  }
  weft_arena_t *a = weft_arena_new();
  if (!a) {
    fprintf(stderr, "bundle_bench: out of memory\n");
    return -1;
  }
  size_t len = s ? strlen(s) : 0;
  weft_val_t args[2] = {{.kind = WEFT_VAL_U32, .of.u = n}, {.kind = WEFT_VAL_STRING}};
  args[1].of.str.ptr = s;
  args[1].of.str.len = len;
  weft_val_t r;
  memset(&r, 0, sizeof r);
  weft_error_t err;
  double t0 = now_ns();
  weft_status_t st = weft_cfunc_call(f, args, s ? 2 : 1, &r, s ? 1 : 0, a, &err);
  double t1 = now_ns();
  weft_arena_free(a);
  if (st != WEFT_OK) {
    fprintf(stderr, "bundle_bench: %s: %s failed: %s\n", what, fn, err.message);
    return -1;
  }
  /* bench-echo returns the sum of the lengths it got back (u32, wrapping) */
  if (s && (r.kind != WEFT_VAL_U32 || r.of.u != (uint32_t)((uint64_t)n * len))) {
    fprintf(stderr, "bundle_bench: %s: %s returned %llu bytes in all, expected %llu\n", what, fn,
            (unsigned long long)r.of.u, (unsigned long long)(uint32_t)((uint64_t)n * len));
    return -1;
  }
  return (t1 - t0) / n;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int parse_count(const char *s, unsigned long lo, unsigned long hi, unsigned long *out) {
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 5) {
    fprintf(stderr, "usage: bundle_bench BUNDLE GUEST.wasm [CALLS [ROUNDS]]\n");
    return 2;
  }
  unsigned long calls = 100000, rounds = 7;
  if ((argc > 3 && parse_count(argv[3], 1, 100000000, &calls)) ||
      (argc > 4 && parse_count(argv[4], 1, MAX_ROUNDS, &rounds))) {
    fprintf(stderr, "bundle_bench: CALLS must be 1..100000000 and ROUNDS 1..%d\n", MAX_ROUNDS);
    return 2;
  }
  int bad = 0;
  weft_error_t err;
  weft_engine_t *e = weft_engine_new();
  weft_component_t *c = NULL;
  weft_hosts_t *h = weft_hosts_new(0);
  weft_linker_t *lbundle = weft_linker_new(e), *lbuiltin = weft_linker_new(e);
  weft_cinstance_t *ibundle = NULL, *ibuiltin = NULL;
  builtin_fn_t *fns = NULL;
  if (!e || !h || !lbundle || !lbuiltin) {
    fprintf(stderr, "bundle_bench: out of memory\n");
    return 1;
  }
  if (weft_component_from_file(e, argv[2], &c, &err) != WEFT_OK) {
    fprintf(stderr, "bundle_bench: %s: %s\n", argv[2], err.message);
    return 1;
  }
  if (weft_hosts_add_bundle(h, argv[1], NULL, &err) != WEFT_OK || weft_hosts_link(h, lbundle, c, &err) != WEFT_OK ||
      weft_linker_instantiate(lbundle, c, NULL, &ibundle, &err) != WEFT_OK) {
    fprintf(stderr, "bundle_bench: bundle %s: %s\n", argv[1], err.message);
    return 1;
  }

  /* the built-in linker: every item of the interface the guest imports */
  size_t ni = weft_component_import_count(c), nfns = 0, cap = 0;
  for (size_t i = 0; i < ni; i++) {
    weft_item_kind_t k;
    if (strcmp(weft_component_import(c, i, &k), IFACE)) continue;
    cap = weft_component_import_item_count(c, i);
    fns = calloc(cap ? cap : 1, sizeof *fns);
    if (!fns) {
      fprintf(stderr, "bundle_bench: out of memory\n");
      return 1;
    }
    for (size_t j = 0; j < cap; j++) {
      const char *item = weft_component_import_item(c, i, j, &k);
      weft_status_t st = WEFT_OK;
      if (k == WEFT_ITEM_FUNC) {
        fns[nfns].name = item;
        st = weft_linker_define_func(lbuiltin, IFACE, item, builtin, &fns[nfns], &err);
        nfns++;
      } else if (k == WEFT_ITEM_TYPE) {
        st = weft_linker_define_resource(lbuiltin, IFACE, item, NULL, NULL, NULL, &err);
      }
      if (st != WEFT_OK) {
        fprintf(stderr, "bundle_bench: defining %s: %s\n", item, err.message);
        return 1;
      }
    }
  }
  if (!nfns) {
    fprintf(stderr, "bundle_bench: %s does not import %s\n", argv[2], IFACE);
    return 1;
  }
  if (weft_linker_instantiate(lbuiltin, c, NULL, &ibuiltin, &err) != WEFT_OK) {
    fprintf(stderr, "bundle_bench: built-in: %s\n", err.message);
    return 1;
  }
  builtin_fn_t *noop = NULL;
  for (size_t j = 0; j < nfns; j++)
    if (!strcmp(fns[j].name, "noop")) noop = &fns[j];
  if (!noop) {
    fprintf(stderr, "bundle_bench: %s imports no function noop\n", argv[2]);
    return 1;
  }

  /* a short string and a longer one, both with multi-byte UTF-8 */
  const char *shortstr = "a string of some length: h\xc3\xa9llo w\xc3\xb6rld";
  char longstr[1024 + 1];
  for (size_t i = 0; i < 1024; i += 4) memcpy(longstr + i, (i / 4) % 2 ? "w\xc3\xb6r" : "abcd", 4);
  longstr[1024] = 0;

  struct {
    const char *name;
    weft_cinstance_t *inst;
    const char *fn;
    const char *s;
    double t[MAX_ROUNDS];
  } m[] = {
      {"bundle-noop", ibundle, "bench-noop", NULL, {0}},
      {"builtin-noop", ibuiltin, "bench-noop", NULL, {0}},
      {"bundle-echo-short", ibundle, "bench-echo", shortstr, {0}},
      {"builtin-echo-short", ibuiltin, "bench-echo", shortstr, {0}},
      {"bundle-echo-1k", ibundle, "bench-echo", longstr, {0}},
      {"builtin-echo-1k", ibuiltin, "bench-echo", longstr, {0}},
  };
  const size_t nm = sizeof m / sizeof m[0];
  /* one untimed warm-up call of each (a tenth of the calls) */
  for (size_t i = 0; i < nm && !bad; i++)
    if (time_export(m[i].inst, m[i].name, m[i].fn, (uint32_t)(calls / 10 + 1), m[i].s) < 0) bad = 1;
  for (unsigned long r = 0; r < rounds && !bad; r++) {
    for (size_t i = 0; i < nm && !bad; i++) {
      unsigned long before = noop->calls;
      m[i].t[r] = time_export(m[i].inst, m[i].name, m[i].fn, (uint32_t)calls, m[i].s);
      if (m[i].t[r] < 0) bad = 1;
      else if (m[i].inst == ibuiltin && m[i].s == NULL && noop->calls - before != calls) {
        fprintf(stderr, "bundle_bench: %s: the built-in noop ran %lu times, expected %lu\n", m[i].name,
                noop->calls - before, calls);
        bad = 1;
      }
    }
  }
  if (!bad) {
    for (size_t i = 0; i < nm; i++) {
      double best = m[i].t[0];
      for (unsigned long r = 1; r < rounds; r++)
        if (m[i].t[r] < best) best = m[i].t[r];
      printf("%s %.1f %.1f\n", m[i].name, median(m[i].t, (int)rounds), best);
    }
    printf("short-string-bytes %zu\n", strlen(shortstr));
  }
  weft_cinstance_free(ibuiltin);
  weft_cinstance_free(ibundle);
  weft_linker_free(lbuiltin);
  weft_linker_free(lbundle);
  weft_hosts_free(h);
  weft_component_free(c);
  weft_engine_free(e);
  free(fns);
  return bad;
}
