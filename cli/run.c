/* weft run MODULE.wasm [--invoke NAME [ARGS...]]
 *
 * Instantiates a core module (no imports yet: WASI comes later) and calls
 * the export NAME with ARGS parsed per its parameter types, printing each
 * result on its own line; without --invoke, calls "_start" if exported.
 * Exit status: 0 ok, 1 load/link error or trap, 2 usage error. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weft.h"

static void run_usage(void) {
  fprintf(stderr, "usage: weft run MODULE.wasm [--invoke NAME [ARGS...]]\n");
}

/* An integer in decimal or 0x hex, optionally negative, that fits `bits`
 * either as a signed or as an unsigned number. */
static int parse_int(const char *s, int bits, uint64_t *out) {
  int neg = 0;
  const char *p = s;
  if (*p == '-' || *p == '+') neg = *p++ == '-';
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (!*p || *p == '-' || *p == '+' || *p == ' ') return 0;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(p, &end, base);
  if (errno || *end) return 0;
  uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
  uint64_t nmax = UINT64_C(1) << (bits - 1);   /* magnitude of the most negative */
  if (neg) {
    if (v > nmax) return 0;
    *out = (uint64_t)0 - (uint64_t)v;
  } else {
    if (v > umax) return 0;
    *out = v;
  }
  if (bits == 32) *out &= 0xFFFFFFFFu;
  return 1;
}

static int parse_arg(const char *s, weft_valkind_t k, weft_core_val_t *v) {
  memset(v, 0, sizeof *v);
  v->kind = k;
  uint64_t u;
  char *end;
  switch (k) {
  case WEFT_I32:
    if (!parse_int(s, 32, &u)) return 0;
    v->of.i32 = (int32_t)(uint32_t)u;
    return 1;
  case WEFT_I64:
    if (!parse_int(s, 64, &u)) return 0;
    v->of.i64 = (int64_t)u;
    return 1;
  case WEFT_F32: {
    if (!*s) return 0;
    float f = strtof(s, &end);
    if (*end) return 0;
    memcpy(&v->of.f32_bits, &f, 4);
    return 1;
  }
  case WEFT_F64: {
    if (!*s) return 0;
    double d = strtod(s, &end);
    if (*end) return 0;
    memcpy(&v->of.f64_bits, &d, 8);
    return 1;
  }
  case WEFT_FUNCREF:
  case WEFT_EXTERNREF:
    return !strcmp(s, "null");   /* only null can be written on a command line */
  default: return 0;
  }
}

/* Shortest decimal text that reads back to the same float. */
static void print_float(double d, int is_f32) {
  if (isnan(d)) {
    printf("nan\n");                  /* like wasmtime: the sign is not shown */
    return;
  }
  if (isinf(d)) {
    printf("%sinf\n", d < 0 ? "-" : "");
    return;
  }
  char buf[64];
  int maxp = is_f32 ? 9 : 17;
  for (int p = 1; p <= maxp; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, d);
    if (is_f32 ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d) break;
  }
  printf("%s\n", buf);
}

static void print_val(const weft_core_val_t *v) {
  switch (v->kind) {
  case WEFT_I32: printf("%d\n", v->of.i32); break;
  case WEFT_I64: printf("%lld\n", (long long)v->of.i64); break;
  case WEFT_F32: {
    float f;
    memcpy(&f, &v->of.f32_bits, 4);
    print_float(f, 1);
    break;
  }
  case WEFT_F64: {
    double d;
    memcpy(&d, &v->of.f64_bits, 8);
    print_float(d, 0);
    break;
  }
  case WEFT_FUNCREF: printf("%s\n", v->of.funcref ? "funcref" : "null"); break;
  case WEFT_EXTERNREF:
    if (v->of.externref) printf("externref:%llu\n", (unsigned long long)v->of.externref);
    else printf("null\n");
    break;
  }
}

static void print_trap(const weft_error_t *err) {
  fprintf(stderr, "weft: trap: %s\n", err->message);
  if (err->backtrace[0]) fprintf(stderr, "wasm backtrace:\n%s", err->backtrace);
}

/* Calls f with the textual args; prints results. Returns the exit status. */
static int call_export(weft_store_t *store, weft_func_t *f, const char *name, char **argv,
                       int argc, int print_results) {
  size_t np = weft_func_param_count(f), nr = weft_func_result_count(f);
  if ((size_t)argc != np) {
    fprintf(stderr, "weft: %s expects %zu argument%s (", name, np, np == 1 ? "" : "s");
    for (size_t i = 0; i < np; i++)
      fprintf(stderr, "%s%s", i ? " " : "", weft_valkind_name(weft_func_param(f, i)));
    fprintf(stderr, "), got %d\n", argc);
    return 2;
  }
  weft_core_val_t *args = calloc(np + 1, sizeof *args);
  weft_core_val_t *res = calloc(nr + 1, sizeof *res);
  if (!args || !res) {
    free(args);
    free(res);
    fprintf(stderr, "weft: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < np; i++) {
    weft_valkind_t k = weft_func_param(f, i);
    if (!parse_arg(argv[i], k, &args[i])) {
      fprintf(stderr, "weft: argument %zu of %s: '%s' is not a valid %s\n", i + 1, name, argv[i],
              weft_valkind_name(k));
      free(args);
      free(res);
      return 2;
    }
  }
  weft_error_t err;
  weft_status_t st = weft_func_call(store, f, args, np, res, nr, &err);
  int rc = 0;
  if (st == WEFT_ERR_TRAP) {
    fflush(stdout);
    print_trap(&err);
    rc = 1;
  } else if (st != WEFT_OK) {
    fprintf(stderr, "weft: calling %s: %s\n", name, err.message);
    rc = st == WEFT_ERR_ARG ? 2 : 1;
  } else if (print_results) {
    for (size_t i = 0; i < nr; i++) print_val(&res[i]);
  }
  free(args);
  free(res);
  return rc;
}

int cli_run_main(int argc, char **argv) {
  const char *path = NULL, *invoke = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--invoke")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "weft: --invoke needs an export name\n");
        run_usage();
        return 2;
      }
      invoke = argv[++i];
      i++;
      break;                      /* the rest are the call's arguments */
    }
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      run_usage();
      return 0;
    }
    if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "weft: unknown option '%s'\n", argv[i]);
      run_usage();
      return 2;
    }
    if (path) {
      fprintf(stderr, "weft: unexpected argument '%s' (arguments go after --invoke NAME)\n",
              argv[i]);
      run_usage();
      return 2;
    }
    path = argv[i];
  }
  if (!path) {
    run_usage();
    return 2;
  }
  char **call_argv = argv + i;
  int call_argc = argc - i;

  int rc = 1;
  weft_engine_t *engine = weft_engine_new();
  weft_module_t *module = NULL;
  weft_store_t *store = NULL;
  weft_instance_t *inst = NULL;
  weft_error_t err;
  if (!engine) {
    fprintf(stderr, "weft: out of memory\n");
    return 1;
  }
  weft_status_t st = weft_module_from_file(engine, path, &module, &err);
  if (st != WEFT_OK) {
    if (err.offset >= 0)
      fprintf(stderr, "weft: %s: offset 0x%llx: %s\n", path, (unsigned long long)err.offset,
              err.message);
    else if (st == WEFT_ERR_IO)
      fprintf(stderr, "weft: %s\n", err.message);
    else
      fprintf(stderr, "weft: %s: %s\n", path, err.message);
    goto out;
  }
  if (weft_module_import_count(module) > 0) {
    const char *mod, *name;
    size_t ml, nl;
    weft_extern_kind_t kind;
    weft_module_import(module, 0, &mod, &ml, &name, &nl, &kind);
    fprintf(stderr, "weft: %s: unknown import \"%.*s\" \"%.*s\" (weft run provides no imports yet)\n",
            path, (int)ml, mod, (int)nl, name);
    goto out;
  }
  store = weft_store_new(engine);
  if (!store) {
    fprintf(stderr, "weft: out of memory\n");
    goto out;
  }
  st = weft_instance_new(store, module, NULL, 0, &inst, &err);
  if (st == WEFT_ERR_TRAP) {
    print_trap(&err);
    goto out;
  }
  if (st != WEFT_OK) {
    fprintf(stderr, "weft: %s: %s\n", path, err.message);
    goto out;
  }
  weft_extern_t ex;
  if (invoke) {
    if (!weft_instance_export(inst, invoke, strlen(invoke), &ex) || ex.kind != WEFT_EXTERN_FUNC) {
      fprintf(stderr, "weft: %s: no exported function '%s'\n", path, invoke);
      rc = 2;
      goto out;
    }
    rc = call_export(store, ex.of.func, invoke, call_argv, call_argc, 1);
  } else {
    if (call_argc > 0) {
      run_usage();
      rc = 2;
      goto out;
    }
    rc = 0;
    if (weft_instance_export(inst, "_start", 6, &ex) && ex.kind == WEFT_EXTERN_FUNC)
      rc = call_export(store, ex.of.func, "_start", NULL, 0, 0);
  }
out:
  fflush(stdout);
  weft_store_free(store);
  weft_module_free(module);
  weft_engine_free(engine);
  return rc;
}
