/* weft's benchmark driver (linked with libweft.a; uses internal headers only
 * for the translation measurement).
 *
 *   weft_bench FILE.wasm [EXPORT]
 *       load + validate + instantiate, then time one call of EXPORT (default
 *       "run", no arguments). Prints "CHECKSUM MS SETUP_MS" with the checksum
 *       as an unsigned 32-bit decimal (the low half of an i64 result).
 *   weft_bench --load FILE.wasm [RUNS]
 *       times decode+validate and instantiate of a module already in memory,
 *       RUNS times (default 5). Prints the medians:
 *       "TOTAL_MS DECODE_VALIDATE_MS INSTANTIATE_MS BYTES".
 *   weft_bench --translate FILE.wasm [RUNS]
 *       decodes and instantiates, then translates every defined function
 *       (wf_translate_func), RUNS times (default 3). Prints the medians:
 *       "NS_PER_BYTE CODE_BYTES NFUNCS TRANSLATE_MS" where CODE_BYTES is the
 *       sum of the function bodies' code_len. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/runtime.h"
#include "weft.h"

#define MAX_RUNS 101

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 1 << 16;
      uint8_t *p = realloc(buf, ncap);
      if (!p) { free(buf); fclose(f); return NULL; }
      buf = p;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(buf); return NULL; }
  *len = n;
  return buf;
}

static int parse_runs(const char *s, int dflt) {
  if (!s) return dflt;
  int n = atoi(s);
  return n < 1 ? 1 : n > MAX_RUNS ? MAX_RUNS : n;
}

static int fail(const char *what, const weft_error_t *err) {
  fprintf(stderr, "weft_bench: %s: %s\n", what, err ? err->message : "failed");
  return 1;
}

/* ---- one timed call ---- */

static int bench_run(const char *path, const char *export_name) {
  size_t len = 0;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) { fprintf(stderr, "weft_bench: cannot read %s\n", path); return 1; }
  weft_error_t err;
  memset(&err, 0, sizeof err);
  int rc = 1;
  weft_engine_t *engine = weft_engine_new();
  weft_module_t *mod = NULL;
  weft_store_t *store = NULL;
  weft_instance_t *inst = NULL;
  double s0 = now_ms();
  if (!engine) { fprintf(stderr, "weft_bench: no engine\n"); goto out; }
  if (weft_module_new(engine, bytes, len, &mod, &err) != WEFT_OK) { fail(path, &err); goto out; }
  store = weft_store_new(engine);
  if (!store) { fprintf(stderr, "weft_bench: no store\n"); goto out; }
  if (weft_instance_new(store, mod, NULL, 0, &inst, &err) != WEFT_OK) {
    fail("instantiate", &err);
    goto out;
  }
  double s1 = now_ms();
  weft_extern_t ext;
  if (!weft_instance_export(inst, export_name, strlen(export_name), &ext) ||
      ext.kind != WEFT_EXTERN_FUNC) {
    fprintf(stderr, "weft_bench: %s: no exported function \"%s\"\n", path, export_name);
    goto out;
  }
  if (weft_func_param_count(ext.of.func) != 0 || weft_func_result_count(ext.of.func) != 1) {
    fprintf(stderr, "weft_bench: \"%s\" must take no arguments and return one value\n",
            export_name);
    goto out;
  }
  weft_core_val_t res;
  memset(&res, 0, sizeof res);
  double t0 = now_ms();
  weft_status_t st = weft_func_call(store, ext.of.func, NULL, 0, &res, 1, &err);
  double t1 = now_ms();
  if (st != WEFT_OK) { fail("run", &err); goto out; }
  uint32_t sum;
  switch (res.kind) {
    case WEFT_I32: sum = (uint32_t)res.of.i32; break;
    case WEFT_I64: sum = (uint32_t)res.of.i64; break;
    case WEFT_F32: sum = res.of.f32_bits; break;
    case WEFT_F64: sum = (uint32_t)res.of.f64_bits; break;
    default: sum = 0; break;
  }
  printf("%u %.3f %.3f\n", sum, t1 - t0, s1 - s0);
  rc = 0;
out:
  weft_store_free(store);   /* frees the instance */
  weft_module_free(mod);
  weft_engine_free(engine);
  free(bytes);
  return rc;
}

/* ---- load / validate / instantiate ---- */

static int bench_load(const char *path, int runs) {
  size_t len = 0;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) { fprintf(stderr, "weft_bench: cannot read %s\n", path); return 1; }
  weft_engine_t *engine = weft_engine_new();
  if (!engine) { free(bytes); return 1; }
  double tot[MAX_RUNS], dec[MAX_RUNS], ins[MAX_RUNS];
  int rc = 0;
  for (int r = 0; r < runs && rc == 0; r++) {
    weft_error_t err;
    memset(&err, 0, sizeof err);
    weft_module_t *mod = NULL;
    weft_store_t *store = NULL;
    weft_instance_t *inst = NULL;
    double t0 = now_ms();
    if (weft_module_new(engine, bytes, len, &mod, &err) != WEFT_OK) {
      rc = fail(path, &err);
    } else {
      double t1 = now_ms();
      store = weft_store_new(engine);
      if (!store || weft_instance_new(store, mod, NULL, 0, &inst, &err) != WEFT_OK) {
        rc = fail("instantiate", &err);
      } else {
        double t2 = now_ms();
        tot[r] = t2 - t0;
        dec[r] = t1 - t0;
        ins[r] = t2 - t1;
      }
    }
    weft_store_free(store);
    weft_module_free(mod);
  }
  if (rc == 0)
    printf("%.3f %.3f %.3f %zu\n", median(tot, runs), median(dec, runs), median(ins, runs), len);
  weft_engine_free(engine);
  free(bytes);
  return rc;
}

/* ---- translation cost ---- */

static int bench_translate(const char *path, int runs) {
  size_t len = 0;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) { fprintf(stderr, "weft_bench: cannot read %s\n", path); return 1; }
  double nspb[MAX_RUNS], ms[MAX_RUNS];
  uint64_t code_bytes = 0;
  uint32_t ndefined = 0;
  int rc = 0;
  for (int r = 0; r < runs && rc == 0; r++) {
    wf_error_t err;
    memset(&err, 0, sizeof err);
    wf_module_t *m = wf_module_decode(bytes, len, &err);
    if (!m) {
      fprintf(stderr, "weft_bench: %s: %s\n", path, err.msg);
      rc = 1;
      break;
    }
    wf_store_t *s = wf_store_new();
    int trapped = 0;
    wf_instance_t *inst = s ? wf_instantiate(s, m, NULL, &err, &trapped) : NULL;
    if (!inst) {
      fprintf(stderr, "weft_bench: instantiate: %s\n", s ? err.msg : "no store");
      rc = 1;
    } else {
      ndefined = m->nfuncs - m->nfunc_imports;
      code_bytes = 0;
      for (uint32_t i = 0; i < ndefined; i++) code_bytes += m->funcs[i].code_len;
      double t0 = now_ms();
      for (uint32_t i = 0; i < ndefined && rc == 0; i++)
        if (!wf_translate_func(inst, i)) {
          fprintf(stderr, "weft_bench: translating function %u failed\n", i);
          rc = 1;
        }
      double t1 = now_ms();
      ms[r] = t1 - t0;
      nspb[r] = code_bytes ? (t1 - t0) * 1e6 / (double)code_bytes : 0;
    }
    if (s) wf_store_free(s);
    wf_module_free(m);
  }
  if (rc == 0)
    printf("%.2f %llu %u %.3f\n", median(nspb, runs), (unsigned long long)code_bytes, ndefined,
           median(ms, runs));
  free(bytes);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 3 && !strcmp(argv[1], "--load"))
    return bench_load(argv[2], parse_runs(argc > 3 ? argv[3] : NULL, 5));
  if (argc >= 3 && !strcmp(argv[1], "--translate"))
    return bench_translate(argv[2], parse_runs(argc > 3 ? argv[3] : NULL, 3));
  if (argc == 2 || argc == 3) return bench_run(argv[1], argc == 3 ? argv[2] : "run");
  fprintf(stderr,
          "usage: weft_bench FILE.wasm [EXPORT]\n"
          "       weft_bench --load FILE.wasm [RUNS]\n"
          "       weft_bench --translate FILE.wasm [RUNS]\n");
  return 2;
}
