/* Test doubles for the WASI 0.2 imports of the fixtures.
 *
 * The guests are wit-bindgen test components adapted with the preview1
 * adapter; they import a dozen WASI interfaces but only touch stdout/stderr
 * (a panic message before `unreachable`), the environment and exit. These
 * doubles answer those with fixed, empty values and capture what is written
 * (fx->out, shown in failure messages). They are NOT a WASI implementation:
 * every other WASI function traps with "test double: ... not provided". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

/* reps of the stream resources (above the fixture objects' range) */
#define REP_STDIN (FX_HOSTRES + 1)
#define REP_STDOUT (FX_HOSTRES + 2)
#define REP_STDERR (FX_HOSTRES + 3)

typedef struct {
  const char *iface;   /* without version */
  const char *name;
  const char *result;  /* fixed result text, or NULL: no result */
  weft_host_fn fn;     /* special handler, or NULL */
} wasi_double_t;

static int stream_new(weft_call_t *call, uint64_t rep, weft_val_t *results, size_t nresults);

static int get_stdin(weft_call_t *c, void *e, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)e; (void)a; (void)na;
  return stream_new(c, REP_STDIN, r, nr);
}
static int get_stdout(weft_call_t *c, void *e, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)e; (void)a; (void)na;
  return stream_new(c, REP_STDOUT, r, nr);
}
static int get_stderr(weft_call_t *c, void *e, const weft_val_t *a, size_t na, weft_val_t *r, size_t nr) {
  (void)e; (void)a; (void)na;
  return stream_new(c, REP_STDERR, r, nr);
}

/* [method]output-stream.write / blocking-write-and-flush: (self, list<u8>) -> result<_, stream-error> */
static int stream_write(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                        weft_val_t *results, size_t nresults) {
  (void)env;
  fx_t *fx = fx_of(call);
  if (nargs != 2 || args[1].kind != WEFT_VAL_LIST || nresults != 1) {
    weft_call_trap(call, "test double: unexpected output-stream write signature");
    return 1;
  }
  const weft_val_t *bytes = args[1].of.seq.v;
  for (size_t i = 0; i < args[1].of.seq.n; i++) {
    if (fx->outlen + 1 < sizeof fx->out) fx->out[fx->outlen++] = (char)bytes[i].of.u;
  }
  fx->out[fx->outlen] = 0;
  if (getenv("JCO_HOST_VERBOSE")) {
    for (size_t i = 0; i < args[1].of.seq.n; i++) fputc((int)bytes[i].of.u, stderr);
  }
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_RESULT;
  results[0].of.var.index = 0;
  return 0;
}

static int exit_fn(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                   weft_val_t *results, size_t nresults) {
  (void)env; (void)results; (void)nresults;
  int ok = nargs == 1 && args[0].kind == WEFT_VAL_RESULT && args[0].of.var.index == 0;
  weft_call_trap(call, "guest called wasi:cli/exit with %s", ok ? "ok" : "err");
  return 1;
}

static const wasi_double_t doubles[] = {
  {"wasi:cli/environment", "get-environment", "[]", NULL},
  {"wasi:cli/environment", "get-arguments", "[]", NULL},
  {"wasi:cli/environment", "initial-cwd", "none", NULL},
  {"wasi:cli/exit", "exit", NULL, exit_fn},
  {"wasi:cli/stdin", "get-stdin", NULL, get_stdin},
  {"wasi:cli/stdout", "get-stdout", NULL, get_stdout},
  {"wasi:cli/stderr", "get-stderr", NULL, get_stderr},
  {"wasi:cli/terminal-stdin", "get-terminal-stdin", "none", NULL},
  {"wasi:cli/terminal-stdout", "get-terminal-stdout", "none", NULL},
  {"wasi:cli/terminal-stderr", "get-terminal-stderr", "none", NULL},
  {"wasi:io/streams", "[method]output-stream.check-write", "ok(65536)", NULL},
  {"wasi:io/streams", "[method]output-stream.write", NULL, stream_write},
  {"wasi:io/streams", "[method]output-stream.blocking-write-and-flush", NULL, stream_write},
  {"wasi:io/streams", "[method]output-stream.blocking-flush", "ok", NULL},
  {"wasi:io/streams", "[method]output-stream.flush", "ok", NULL},
  {"wasi:clocks/wall-clock", "now", "{seconds: 0, nanoseconds: 0}", NULL},
  {"wasi:filesystem/preopens", "get-directories", "[]", NULL},
  {"wasi:filesystem/types", "filesystem-error-code", "none", NULL},
};

static const struct { const char *iface, *name; } resources[] = {
  {"wasi:io/error", "error"},
  {"wasi:io/streams", "input-stream"},
  {"wasi:io/streams", "output-stream"},
  {"wasi:filesystem/types", "descriptor"},
  {"wasi:filesystem/types", "directory-entry-stream"},
  {"wasi:cli/terminal-input", "terminal-input"},
  {"wasi:cli/terminal-output", "terminal-output"},
};

/* Names handed to the linker are the component's own strings
 * (weft_component_import/_item), which outlive the linker. */

static int fixed_fn(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                    weft_val_t *results, size_t nresults) {
  (void)args; (void)nargs;
  const wasi_double_t *d = env;
  fx_t *fx = fx_of(call);
  if ((d->result != NULL) != (nresults == 1)) {
    weft_call_trap(call, "test double %s#%s: result count mismatch", d->iface, d->name);
    return 1;
  }
  if (d->result) {
    char err[300];
    if (fxv_parse(fx, weft_call_result_type(call), d->result, weft_call_arena(call), &results[0], err,
                  sizeof err)) {
      weft_call_trap(call, "test double %s#%s: %s", d->iface, d->name, err);
      return 1;
    }
  }
  return 0;
}

static int missing_fn(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                      weft_val_t *results, size_t nresults) {
  (void)args; (void)nargs; (void)results; (void)nresults;
  weft_call_trap(call, "test double: WASI function %s not provided by the fixtures host",
                 (const char *)env);
  return 1;
}

static int stream_new(weft_call_t *call, uint64_t rep, weft_val_t *results, size_t nresults) {
  fx_t *fx = fx_of(call);
  weft_resource_type_t *t = rep == REP_STDIN ? fx->wasi_in : fx->wasi_out;
  if (nresults != 1 || !t) {
    weft_call_trap(call, "test double: stream type not defined");
    return 1;
  }
  results[0] = fx_res(WEFT_VAL_OWN, t, rep);
  return 0;
}

static size_t base_len(const char *iface) {
  const char *at = strchr(iface, '@');
  return at ? (size_t)(at - iface) : strlen(iface);
}

void fx_define_wasi(fx_t *fx) {
  size_t ni = weft_component_import_count(fx->comp);
  for (size_t i = 0; i < ni; i++) {
    weft_item_kind_t kind;
    const char *iface = weft_component_import(fx->comp, i, &kind);
    if (!iface || kind != WEFT_ITEM_INSTANCE || strncmp(iface, "wasi:", 5) != 0) continue;
    size_t bl = base_len(iface);
    size_t nitems = weft_component_import_item_count(fx->comp, i);
    for (size_t j = 0; j < nitems; j++) {
      weft_item_kind_t ik;
      const char *item = weft_component_import_item(fx->comp, i, j, &ik);
      if (!item) continue;
      if (ik == WEFT_ITEM_TYPE) {
        for (size_t r = 0; r < sizeof resources / sizeof resources[0]; r++)
          if (strlen(resources[r].iface) == bl && !strncmp(resources[r].iface, iface, bl) &&
              !strcmp(resources[r].name, item)) {
            weft_resource_type_t *t = fx_define_resource(fx, iface, item);
            if (!strcmp(item, "output-stream")) fx->wasi_out = t;
            if (!strcmp(item, "input-stream")) fx->wasi_in = t;
          }
        continue;
      }
      if (ik != WEFT_ITEM_FUNC) continue;
      const wasi_double_t *d = NULL;
      for (size_t k = 0; k < sizeof doubles / sizeof doubles[0]; k++)
        if (strlen(doubles[k].iface) == bl && !strncmp(doubles[k].iface, iface, bl) &&
            !strcmp(doubles[k].name, item))
          d = &doubles[k];
      if (!d) fx_define(fx, iface, item, missing_fn, (void *)item);
    }
    /* Every double of this interface, imported or not: an interface the
     * component imports only for its types (wasi:clocks/wall-clock for
     * `datetime`) must still be known to the linker. */
    for (size_t k = 0; k < sizeof doubles / sizeof doubles[0]; k++)
      if (strlen(doubles[k].iface) == bl && !strncmp(doubles[k].iface, iface, bl))
        fx_define(fx, iface, doubles[k].name, doubles[k].fn ? doubles[k].fn : fixed_fn, (void *)&doubles[k]);
  }
}
