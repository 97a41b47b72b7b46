/* wasi:cli: environment, exit, stdin/stdout/stderr and the terminal-*
 * interfaces (a terminal is reported when the stdio fd is a tty). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi.h"

#define UNUSED_COUNTS (void)nargs, (void)nresults

static int h_get_environment(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                             weft_val_t *results, size_t nresults) {
  (void)env, (void)args, UNUSED_COUNTS;
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  weft_val_t *tuples = wf_wasi_new_vals(call, x->nenv);
  weft_val_t *pairs = wf_wasi_new_vals(call, 2 * x->nenv);
  if (!tuples || !pairs) return 1;
  for (size_t i = 0; i < x->nenv; i++) {
    const char *e = x->env[i], *eq = strchr(e, '=');
    size_t nl = eq ? (size_t)(eq - e) : strlen(e);
    pairs[2 * i] = wf_wasi_str(call, e, nl);
    pairs[2 * i + 1] = eq ? wf_wasi_str(call, eq + 1, strlen(eq + 1)) : wf_wasi_str(call, "", 0);
    tuples[i].kind = WEFT_VAL_TUPLE;
    tuples[i].of.seq.v = &pairs[2 * i];
    tuples[i].of.seq.n = 2;
  }
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_LIST;
  results[0].of.seq.v = tuples;
  results[0].of.seq.n = x->nenv;
  return 0;
}

static int h_get_arguments(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                           size_t nresults) {
  (void)env, (void)args, UNUSED_COUNTS;
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  weft_val_t *v = wf_wasi_new_vals(call, x->nargs);
  if (!v) return 1;
  for (size_t i = 0; i < x->nargs; i++) v[i] = wf_wasi_str(call, x->args[i], strlen(x->args[i]));
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_LIST;
  results[0].of.seq.v = v;
  results[0].of.seq.n = x->nargs;
  return 0;
}

static int h_initial_cwd(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                         size_t nresults) {
  (void)env, (void)args, UNUSED_COUNTS;
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  memset(&results[0], 0, sizeof results[0]);
  results[0].kind = WEFT_VAL_OPTION;
  if (x->cwd) {
    weft_val_t *p = wf_wasi_new_vals(call, 1);
    if (!p) return 1;
    *p = wf_wasi_str(call, x->cwd, strlen(x->cwd));
    results[0].of.var.index = 1;
    results[0].of.var.payload = p;
  }
  return 0;
}

static int do_exit(weft_call_t *call, int code) {
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  x->exited = true;
  x->exit_code = code;
  weft_call_trap(call, WF_WASI_EXIT_TRAP " with code %d", code);
  return 1;
}

static int h_exit(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                  size_t nresults) {
  (void)env, (void)results, UNUSED_COUNTS;
  return do_exit(call, args[0].kind == WEFT_VAL_RESULT && args[0].of.var.index == 0 ? 0 : 1);
}

static int h_exit_with_code(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                            weft_val_t *results, size_t nresults) {
  (void)env, (void)results, UNUSED_COUNTS;
  return do_exit(call, (int)(args[0].of.u & 0xff));
}

static int stdio_stream(weft_call_t *call, const wf_wasi_link_t *k, int which, weft_val_t *out) {
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  /* the stream borrows the ctx's fd: the ctx outlives the instance's handles */
  int fd = x->stdio[which];
  void *s = which == 0 ? (void *)wf_wasi_fd_istream_new(fd, false) : (void *)wf_wasi_fd_ostream_new(fd, false);
  if (!s) {
    weft_call_trap(call, "wasi:cli: out of memory");
    return 1;
  }
  *out = wf_wasi_own(k, which == 0 ? WF_WASI_RT_INPUT_STREAM : WF_WASI_RT_OUTPUT_STREAM, s);
  return 0;
}

static int h_get_stdin(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                       size_t nresults) {
  (void)args, UNUSED_COUNTS;
  return stdio_stream(call, env, 0, &results[0]);
}
static int h_get_stdout(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                        size_t nresults) {
  (void)args, UNUSED_COUNTS;
  return stdio_stream(call, env, 1, &results[0]);
}
static int h_get_stderr(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                        size_t nresults) {
  (void)args, UNUSED_COUNTS;
  return stdio_stream(call, env, 2, &results[0]);
}

/* terminal-input / terminal-output: plain objects (the interfaces give them
 * no methods); reported only when the stdio fd is a terminal. */
static void term_destroy(wf_wasi_obj_t *o) { free(o); }

static int terminal(weft_call_t *call, const wf_wasi_link_t *k, int which, weft_val_t *out) {
  wf_wasi_ctx_t *x = wf_wasi_ctx(call);
  if (!x) return 1;
  memset(out, 0, sizeof *out);
  out->kind = WEFT_VAL_OPTION;   /* none */
  if (x->stdio[which] < 0 || !isatty(x->stdio[which])) return 0;
  wf_wasi_obj_t *t = malloc(sizeof *t);
  weft_val_t *p = wf_wasi_new_vals(call, 1);
  if (!t || !p) {
    free(t);
    weft_call_trap(call, "wasi:cli: out of memory");
    return 1;
  }
  wf_wasi_obj_init(t, term_destroy);
  *p = wf_wasi_own(k, which == 0 ? WF_WASI_RT_TERMINAL_INPUT : WF_WASI_RT_TERMINAL_OUTPUT, t);
  out->of.var.index = 1;
  out->of.var.payload = p;
  return 0;
}

static int h_terminal_stdin(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                            weft_val_t *results, size_t nresults) {
  (void)args, UNUSED_COUNTS;
  return terminal(call, env, 0, &results[0]);
}
static int h_terminal_stdout(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                             weft_val_t *results, size_t nresults) {
  (void)args, UNUSED_COUNTS;
  return terminal(call, env, 1, &results[0]);
}
static int h_terminal_stderr(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                             weft_val_t *results, size_t nresults) {
  (void)args, UNUSED_COUNTS;
  return terminal(call, env, 2, &results[0]);
}

weft_status_t wf_wasi_add_cli(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  static const struct {
    const char *iface, *name;
    weft_host_fn fn;
  } fns[] = {
      {WF_WASI_IFACE("cli/environment"), "get-environment", h_get_environment},
      {WF_WASI_IFACE("cli/environment"), "get-arguments", h_get_arguments},
      {WF_WASI_IFACE("cli/environment"), "initial-cwd", h_initial_cwd},
      {WF_WASI_IFACE("cli/exit"), "exit", h_exit},
      {WF_WASI_IFACE("cli/exit"), "exit-with-code", h_exit_with_code},
      {WF_WASI_IFACE("cli/stdin"), "get-stdin", h_get_stdin},
      {WF_WASI_IFACE("cli/stdout"), "get-stdout", h_get_stdout},
      {WF_WASI_IFACE("cli/stderr"), "get-stderr", h_get_stderr},
      {WF_WASI_IFACE("cli/terminal-stdin"), "get-terminal-stdin", h_terminal_stdin},
      {WF_WASI_IFACE("cli/terminal-stdout"), "get-terminal-stdout", h_terminal_stdout},
      {WF_WASI_IFACE("cli/terminal-stderr"), "get-terminal-stderr", h_terminal_stderr},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    weft_status_t st = wf_wasi_def(l, fns[i].iface, fns[i].name, fns[i].fn, k, err);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}
