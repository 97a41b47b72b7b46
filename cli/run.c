/* weft run MODULE.wasm [--invoke NAME [ARGS...]]
 * weft run COMPONENT.wasm [--invoke 'NAME(ARGS...)']
 *
 * Core module: instantiates it (no imports yet: WASI comes later) and calls
 * the export NAME with ARGS parsed per its parameter types, printing each
 * result on its own line; without --invoke, calls "_start" if exported.
 * Component: decoded and instantiated with the linker component_linker()
 * makes (WASI 0.2, options --dir/--env/-S of cli/run_wasi.c; arguments
 * after the component are the guest's). With --invoke, NAME (a top-level
 * export, `iface#name`, or a function of the one exported instance that
 * has it) is called with ARGS in WAVE and its result printed in WAVE on its
 * own line (exit 1 on any error or trap); without, wasi:cli/run is run.
 * --link DEP.wasm (repeatable, cli/run_link.c) instantiates component DEP
 * first; the interfaces it exports serve the component's imports (and
 * those of the DEPs after it); see docs/linking.md.
 * Exit status: 0 ok, 1 load/link error or trap, 2 usage error. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run_hosts.h"
#include "run_link.h"
#include "run_wasi.h"
#include "weft.h"

static void run_usage(void) {
  fprintf(stderr,
          "usage: weft run MODULE.wasm [--invoke NAME [ARGS...]]\n"
          "       weft run [OPTIONS] [--link DEP.wasm]... COMPONENT.wasm [--invoke 'NAME(ARGS...)'] [ARGS...]\n"
          "  a component is called with --invoke (arguments and results in WAVE) or run as\n"
          "  a WASI command; OPTIONS and ARGS are the WASI guest's (DEPs share them):\n");
  cli_wasi_usage();
  cli_hosts_usage();
  cli_links_usage();
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

/* ---- components ------------------------------------------------------------- */

/* The linker components run by `weft run` are instantiated with: WASI 0.2
 * (cli/run_wasi.c, set up from the --dir/--env/-S options, with `args` as
 * the guest's arguments) and the host bundles of --host-bundle/--host-config
 * (cli/run_hosts.c). NULL after printing the error. */
static weft_linker_t *component_linker(weft_engine_t *engine, cli_wasi_t *wasi, cli_hosts_t *hosts,
                                       const weft_component_t *comp, const char *path, char **args, int nargs) {
  weft_linker_t *l = weft_linker_new(engine);
  if (!l) {
    fprintf(stderr, "weft: out of memory\n");
    return NULL;
  }
  if (cli_wasi_link(wasi, l, path, args, nargs) || cli_hosts_link(hosts, l, comp, path)) {
    weft_linker_free(l);
    return NULL;
  }
  return l;
}

/* Prints a WAVE syntax/type error with the text and a caret at its column. */
static void print_wave_error(const char *text, const weft_error_t *err) {
  fprintf(stderr, "weft: --invoke: %s\n", err->message);
  if (err->offset < 0 || strchr(text, '\n')) return;
  size_t off = (size_t)err->offset, len = strlen(text);
  if (off > len) off = len;
  fprintf(stderr, "  %s\n  %*s^\n", text, (int)off, "");
}

/* Splits "[iface#]name(args)" into the instance name (NULL if none) and the
 * function name (a leading '%' removed). Returns 0 if there is no name. */
static int split_call(const char *text, char **iface, char **name) {
  *iface = *name = NULL;
  while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') text++;
  size_t head = strcspn(text, "(");
  while (head && strchr(" \t\r\n", text[head - 1])) head--;
  const char *hash = NULL;
  for (size_t i = 0; i < head; i++)
    if (text[i] == '#') hash = text + i;
  const char *fn = hash ? hash + 1 : text;
  size_t fl = (size_t)(text + head - fn);
  if (fl && fn[0] == '%') { fn++; fl--; }
  if (!fl || (hash && hash == text)) return 0;
  *name = strndup(fn, fl);
  if (hash) *iface = strndup(text, (size_t)(hash - text));
  return *name && (!hash || *iface);
}

/* Finds the function to call: `iface#name` in that exported instance; a
 * plain name at top level, else in the one exported instance that has it. */
static weft_cfunc_t *find_cfunc(const weft_component_t *comp, weft_cinstance_t *inst, const char *iface,
                                const char *name, const char *path) {
  if (iface) {
    if (!weft_cinstance_has_instance(inst, iface)) {
      fprintf(stderr, "weft: %s: no exported instance '%s'\n", path, iface);
      return NULL;
    }
    weft_cfunc_t *f = weft_cinstance_func(inst, iface, name);
    if (!f) fprintf(stderr, "weft: %s: exported instance '%s' has no function '%s'\n", path, iface, name);
    return f;
  }
  weft_cfunc_t *f = weft_cinstance_func(inst, NULL, name);
  if (f) return f;
  const char *found_in = NULL;
  size_t nfound = 0, nex = weft_component_export_count(comp);
  for (size_t i = 0; i < nex; i++) {
    weft_item_kind_t kind;
    const char *ex = weft_component_export(comp, i, &kind);
    if (kind != WEFT_ITEM_INSTANCE || !weft_cinstance_func(inst, ex, name)) continue;
    if (nfound++ == 0) {
      found_in = ex;
      f = weft_cinstance_func(inst, ex, name);
    } else {
      if (nfound == 2) fprintf(stderr, "weft: %s: '%s' is exported by several instances; write one of\n  %s#%s\n",
                               path, name, found_in, name);
      fprintf(stderr, "  %s#%s\n", ex, name);
    }
  }
  if (nfound == 1) return f;
  if (nfound > 1) return NULL;
  fprintf(stderr, "weft: %s: no exported function '%s'", path, name);
  const char *sep = "; exported functions: ";
  int shown = 0;
  for (size_t i = 0; i < nex && shown < 20; i++) {
    weft_item_kind_t kind;
    const char *ex = weft_component_export(comp, i, &kind);
    if (kind == WEFT_ITEM_FUNC) {
      fprintf(stderr, "%s%s", sep, ex);
      sep = ", ";
      shown++;
      continue;
    }
    if (kind != WEFT_ITEM_INSTANCE) continue;
    size_t nit = weft_component_export_item_count(comp, i);
    for (size_t j = 0; j < nit && shown < 20; j++) {
      weft_item_kind_t ik;
      const char *it = weft_component_export_item(comp, i, j, &ik);
      if (ik != WEFT_ITEM_FUNC) continue;
      fprintf(stderr, "%s%s#%s", sep, ex, it);
      sep = ", ";
      shown++;
    }
  }
  fprintf(stderr, "\n");
  return NULL;
}

/* Prints v (of type t) as WAVE on its own line. */
static int print_wave_line(weft_type_t t, const weft_val_t *v) {
  size_t n = weft_wave_print(t, v, NULL, 0);
  char *buf = malloc(n + 1);
  if (!buf) return 0;
  weft_wave_print(t, v, buf, n + 1);
  fwrite(buf, 1, n, stdout);
  fputc('\n', stdout);
  free(buf);
  return 1;
}

/* Parses `text` as a call of f, calls it and prints the result. */
static int call_component(weft_cfunc_t *f, const char *text, const char *name) {
  size_t np = weft_cfunc_param_count(f), nr = weft_cfunc_result_count(f);
  weft_val_t *args = calloc(np + 1, sizeof *args);
  weft_val_t res[1];
  weft_arena_t *arena = weft_arena_new();
  int rc = 1;
  weft_error_t err;
  if (!args || !arena) {
    fprintf(stderr, "weft: out of memory\n");
    goto out;
  }
  size_t n = np;
  if (weft_wave_parse_call(f, text, strlen(text), arena, args, &n, &err) != WEFT_OK) {
    print_wave_error(text, &err);
    goto out;
  }
  weft_status_t st = weft_cfunc_call(f, args, n, res, nr, arena, &err);
  if (st == WEFT_ERR_TRAP) {
    fflush(stdout);
    print_trap(&err);
    goto out;
  }
  if (st != WEFT_OK) {
    fprintf(stderr, "weft: calling %s: %s\n", name, err.message);
    goto out;
  }
  if (nr && !print_wave_line(weft_cfunc_result_type(f), &res[0])) {
    fprintf(stderr, "weft: out of memory\n");
    goto out;
  }
  rc = 0;
out:
  weft_arena_free(arena);
  free(args);
  return rc;
}

static int run_component(cli_wasi_t *wasi, cli_hosts_t *hosts, cli_links_t *links, const char *path,
                         const char *invoke, char **args, int nargs) {
  int rc = 1;
  weft_engine_t *engine = weft_engine_new();
  weft_component_t *comp = NULL;
  weft_linker_t *linker = NULL;
  cli_linkset_t *deps = NULL;
  weft_cinstance_t *inst = NULL;
  char msg[1536];
  char *iface = NULL, *name = NULL, *text = NULL;
  weft_error_t err;
  if (!engine) {
    fprintf(stderr, "weft: out of memory\n");
    return 1;
  }
  weft_status_t st = weft_component_from_file(engine, path, &comp, &err);
  if (st != WEFT_OK) {
    if (err.offset >= 0)
      fprintf(stderr, "weft: %s: offset 0x%llx: %s\n", path, (unsigned long long)err.offset, err.message);
    else if (st == WEFT_ERR_IO)
      fprintf(stderr, "weft: %s\n", err.message);
    else
      fprintf(stderr, "weft: %s: %s\n", path, err.message);
    goto out;
  }
  if (invoke) {
    /* A bare name is a call without arguments. */
    size_t il = strlen(invoke);
    text = malloc(il + 3);
    if (!text) {
      fprintf(stderr, "weft: out of memory\n");
      goto out;
    }
    memcpy(text, invoke, il + 1);
    if (!strchr(invoke, '(')) memcpy(text + il, "()", 3);
    if (!split_call(text, &iface, &name)) {
      fprintf(stderr, "weft: --invoke: expected NAME(ARGS...) or IFACE#NAME(ARGS...), found '%s'\n", invoke);
      rc = 2;
      goto out;
    }
  }
  linker = component_linker(engine, wasi, hosts, comp, path, args, nargs);
  if (!linker) goto out;
  if (cli_links_count(links)) {
    /* the DEPs first: their exports serve comp's imports */
    if (cli_links_load(links, engine) || cli_links_hosts(links, hosts, linker)) goto out;
    if (!(deps = cli_linkset_new(links, linker, comp, path, msg, sizeof msg))) {
      fprintf(stderr, "weft: %s\n", msg);
      goto out;
    }
  }
  st = weft_linker_instantiate(linker, comp, NULL, &inst, &err);
  if (st == WEFT_ERR_TRAP) {
    print_trap(&err);
    goto out;
  }
  if (st != WEFT_OK) {
    cli_linkset_explain(deps, path, err.message, msg, sizeof msg);
    fprintf(stderr, "weft: %s\n", msg);
    goto out;
  }
  if (!invoke) {
    /* Without --invoke a component runs as a command: wasi:cli/run. */
    rc = cli_wasi_run(inst, path);
    goto out;
  }
  weft_cfunc_t *f = find_cfunc(comp, inst, iface, name, path);
  if (f) rc = call_component(f, text, name);
out:
  fflush(stdout);
  free(iface);
  free(name);
  free(text);
  weft_cinstance_free(inst);
  cli_linkset_free(deps);   /* the DEPs after the instance they serve */
  weft_linker_free(linker);
  cli_links_unload(links);
  weft_component_free(comp);
  weft_engine_free(engine);
  return rc;
}

/* 1 if the file at path is a component, 0 a core module, -1 neither or
 * unreadable (the module loader then reports why). */
static int file_layer(const char *path) {
  uint8_t head[8];
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  return weft_binary_is_component(head, n);
}

/* The core-module path: instantiate, then call `invoke` with call_argv or
 * run _start. */
static int run_module(const char *path, const char *invoke, char **call_argv, int call_argc) {
  if (!invoke && call_argc > 0) {
    fprintf(stderr, "weft: unexpected argument '%s' (arguments go after --invoke NAME)\n", call_argv[0]);
    run_usage();
    return 2;
  }
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

int cli_run_main(int argc, char **argv) {
  /* A guest writing to a pipe whose reader went away gets a closed stream
   * (EPIPE), as under wasmtime, instead of weft dying of SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  const char *path = NULL, *invoke = NULL;
  cli_wasi_t *wasi = cli_wasi_new();
  cli_hosts_t *hosts = cli_hosts_new();
  cli_links_t *links = cli_links_new();
  if (!wasi || !hosts || !links) {
    fprintf(stderr, "weft: out of memory\n");
    cli_wasi_free(wasi);
    cli_hosts_free(hosts);
    cli_links_free(links);
    return 1;
  }
  int i = 1, rc = 2;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--invoke")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "weft: --invoke needs an export name\n");
        run_usage();
        goto out;
      }
      invoke = argv[++i];
      if (path) {
        i++;
        break;                    /* the rest are the call's arguments */
      }
      continue;
    }
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      run_usage();
      rc = 0;
      goto out;
    }
    if (argv[i][0] == '-' && argv[i][1]) {
      int r = cli_links_option(links, argc, argv, &i);
      if (r == 0) r = cli_hosts_option(hosts, argc, argv, &i);
      if (r == 0) r = cli_wasi_option(wasi, argc, argv, &i);
      if (r < 0) goto out;
      if (r == 0) {
        fprintf(stderr, "weft: unknown option '%s'\n", argv[i]);
        run_usage();
        goto out;
      }
      continue;
    }
    if (path) break;              /* the rest: the call's or the guest's arguments */
    path = argv[i];
  }
  if (!path) {
    run_usage();
    goto out;
  }
  if (file_layer(path) == 1 || cli_links_count(links)) {
    /* Components take the whole call in one WAVE argument; other arguments
     * are the guest's (wasi:cli/environment). */
    if (invoke && i < argc && !strchr(invoke, '(')) {
      fprintf(stderr, "weft: a component call is one argument: --invoke 'NAME(ARG, ...)'\n");
      run_usage();
      goto out;
    }
    rc = run_component(wasi, hosts, links, path, invoke, argv + i, argc - i);
  } else {
    rc = run_module(path, invoke, argv + i, argc - i);
  }
out:
  cli_links_free(links);
  cli_wasi_free(wasi);
  cli_hosts_free(hosts);   /* after run_component freed every instance */
  return rc;
}
