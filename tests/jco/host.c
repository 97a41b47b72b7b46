/* jco runtime fixtures test host: main program, linking and call helpers.
 *
 *   jco-host FIXTURE_DIR [NAME...]
 *   jco-host --list          (the fixture names it knows)
 *
 * Runs every fixture (or the named ones), each in its own child process so a
 * crash or a hang in one cannot hide the others, and prints one line per
 * fixture: "ok NAME", "FAIL NAME: reason" or "skipped: NAME (reason)", then
 * "N passed, M failed, K skipped". Exit status 0 iff nothing failed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host.h"

#define FX_TIMEOUT_S 20

/* ------------------------------------------------------------------ failures */

void fx_fail(fx_t *fx, const char *fmt, ...) {
  if (fx->failed) return;   /* the first failure is the informative one */
  fx->failed = 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(fx->reason, sizeof fx->reason, fmt, ap);
  va_end(ap);
}

int fx_check(fx_t *fx, int cond, const char *fmt, ...) {
  if (cond) return 0;
  if (!fx->failed) {
    fx->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fx->reason, sizeof fx->reason, fmt, ap);
    va_end(ap);
  }
  return -1;
}

fx_t *fx_of(weft_call_t *call) { return weft_call_data(call); }

/* ------------------------------------------------------------------- linking */

void fx_define(fx_t *fx, const char *interface, const char *name, weft_host_fn fn, void *env) {
  weft_error_t err;
  if (weft_linker_define_func(fx->linker, interface, name, fn, env, &err) != WEFT_OK)
    fx_fail(fx, "weft_linker_define_func(%s, %s): %s", interface ? interface : "(top level)", name,
            err.message);
}

weft_resource_type_t *fx_define_resource(fx_t *fx, const char *interface, const char *name) {
  weft_error_t err;
  weft_resource_type_t *t = NULL;
  if (weft_linker_define_resource(fx->linker, interface, name, fx_resource_dtor, fx, &t, &err) !=
      WEFT_OK) {
    fx_fail(fx, "weft_linker_define_resource(%s, %s): %s", interface ? interface : "(top level)",
            name, err.message);
    return NULL;
  }
  if (fx->ntypes < FX_TYPES) {
    fx->types[fx->ntypes].t = t;
    fx->types[fx->ntypes].name = name;
    fx->ntypes++;
  }
  return t;
}

static int script_fn(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                     weft_val_t *results, size_t nresults) {
  fx_t *fx = fx_of(call);
  fx_script_t *sc = env;
  char got[1024];
  sc->calls++;
  fx->last_import = sc->name;
  fxv_print_args(fx, call, args, nargs, got, sizeof got);
  for (size_t i = 0; i < sc->ncases; i++) {
    const fx_case_t *c = &sc->cases[i];
    if (c->args && strcmp(c->args, got) != 0) continue;
    if ((c->result != NULL) != (nresults == 1)) {
      fx_fail(fx, "import %s#%s: host has %s result but the call expects %zu", sc->interface,
              sc->name, c->result ? "a" : "no", nresults);
      weft_call_trap(call, "test host: result count mismatch");
      return 1;
    }
    if (c->result) {
      char perr[300];
      if (fxv_parse(fx, weft_call_result_type(call), c->result, weft_call_arena(call), &results[0],
                    perr, sizeof perr)) {
        fx_fail(fx, "import %s#%s: cannot make result %s: %s", sc->interface, sc->name, c->result,
                perr);
        weft_call_trap(call, "test host: bad result text");
        return 1;
      }
    }
    return 0;
  }
  char want[600] = "";
  size_t off = 0;
  for (size_t i = 0; i < sc->ncases && off < sizeof want; i++)
    off += (size_t)snprintf(want + off, sizeof want - off, "%s%s", i ? " or " : "", sc->cases[i].args);
  fx_fail(fx, "import %s#%s called with %s, expected %s", sc->interface ? sc->interface : "",
          sc->name, got, want);
  weft_call_trap(call, "test host: unexpected arguments to %s", sc->name);
  return 1;
}

void fx_define_scripts(fx_t *fx, fx_script_t *scripts, size_t n) {
  for (size_t i = 0; i < n; i++) {
    scripts[i].calls = 0;
    fx_define(fx, scripts[i].interface, scripts[i].name, script_fn, &scripts[i]);
  }
}

int fx_echo(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
            size_t nresults) {
  (void)env;
  fx_t *fx = fx_of(call);
  weft_arena_t *a = weft_call_arena(call);
  if (nresults != 1) {
    fx_fail(fx, "echo import called with %zu results expected", nresults);
    weft_call_trap(call, "test host: echo needs one result");
    return 1;
  }
  if (nargs == 1) {
    if (fxv_copy(a, &args[0], &results[0]) == 0) return 0;
  } else {
    weft_val_t *v = weft_arena_alloc(a, (nargs ? nargs : 1) * sizeof *v);
    if (v) {
      size_t i = 0;
      for (; i < nargs; i++)
        if (fxv_copy(a, &args[i], &v[i])) break;
      if (i == nargs) {
        results[0].kind = WEFT_VAL_TUPLE;
        results[0].of.seq.v = v;
        results[0].of.seq.n = nargs;
        return 0;
      }
    }
  }
  weft_call_trap(call, "test host: out of memory");
  return 1;
}

int fx_count(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
             size_t nresults) {
  (void)args; (void)nargs; (void)results;
  fx_t *fx = fx_of(call);
  intptr_t i = (intptr_t)env;
  if (i >= 0 && i < 16) fx->n[i]++;
  if (nresults) {
    fx_fail(fx, "counting import called with a result expected");
    weft_call_trap(call, "test host: unexpected result");
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------- host resource objects */

uint64_t fx_obj_new(fx_t *fx) {
  for (int i = 0; i < FX_HOSTRES; i++)
    if (!fx->objs[i].live) {
      memset(&fx->objs[i], 0, sizeof fx->objs[i]);
      fx->objs[i].live = 1;
      return (uint64_t)i + 1;
    }
  return 0;
}

fx_obj_t *fx_obj(fx_t *fx, uint64_t rep) {
  if (rep == 0 || rep > FX_HOSTRES || !fx->objs[rep - 1].live) return NULL;
  return &fx->objs[rep - 1];
}

void fx_resource_dtor(void *env, uint64_t rep) {
  fx_t *fx = env;
  fx->dtor_calls++;
  fx_obj_t *o = fx_obj(fx, rep);
  if (!o) {
    /* WASI doubles use reps above FX_HOSTRES for their streams */
    if (rep <= FX_HOSTRES) fx_fail(fx, "destructor called for rep %llu, which is not live",
                                   (unsigned long long)rep);
    return;
  }
  free(o->s);
  o->s = NULL;
  o->live = 0;
}

weft_val_t fx_res(weft_vkind_t kind, weft_resource_type_t *t, uint64_t rep) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = kind;
  v.of.res.type = t;
  v.of.res.rep = rep;
  return v;
}

/* ------------------------------------------------------------- calling exports */

static void append_output(fx_t *fx, char *msg, size_t cap) {
  if (!fx->outlen) return;
  size_t l = strlen(msg);
  snprintf(msg + l, cap - l, " [guest output: %.*s]", (int)(fx->outlen > 400 ? 400 : fx->outlen),
           fx->out);
}

/* weft_wave_parse_call on "name(args)" must give the arguments this host's
 * parser made. */
static int wave_args(fx_t *fx, weft_cfunc_t *f, const char *name, const char *args, const weft_val_t *mine,
                     size_t np) {
  size_t tl = strlen(name) + strlen(args) + 1;
  char *text = malloc(tl);
  weft_val_t got[20];
  size_t n = 20;
  weft_error_t err;
  memset(&err, 0, sizeof err);
  if (!text) { fx_fail(fx, "out of memory"); return -1; }
  snprintf(text, tl, "%s%s", name, args);
  weft_status_t st = weft_wave_parse_call(f, text, strlen(text), fx->arena, got, &n, &err);
  free(text);
  if (st != WEFT_OK) {
    fx_fail(fx, "weft_wave_parse_call(\"%s%.300s\") failed: %s", name, args, err.message);
    return -1;
  }
  if (n != np) { fx_fail(fx, "weft_wave_parse_call(%s...): %zu arguments, expected %zu", name, n, np); return -1; }
  for (size_t i = 0; i < np; i++) {
    char a[1024], b[1024];
    weft_type_t t = weft_cfunc_param_type(f, i);
    fxv_print(fx, t, &mine[i], a, sizeof a);
    fxv_print(fx, t, &got[i], b, sizeof b);
    if (strcmp(a, b) != 0) {
      fx_fail(fx, "weft_wave_parse_call(%s...): argument %zu is %s, expected %s", name, i, b, a);
      return -1;
    }
  }
  fx->wave_checked++;
  return 0;
}

static int do_call(fx_t *fx, const char *instance, const char *name, const char *args,
                   weft_val_t *result, int *has_result, weft_error_t *err, int *trapped) {
  *trapped = 0;
  *has_result = 0;
  weft_cfunc_t *f = weft_cinstance_func(fx->inst, instance, name);
  if (!f) {
    fx_fail(fx, "export %s%s%s not found", instance ? instance : "", instance ? "#" : "", name);
    return -1;
  }
  size_t np = weft_cfunc_param_count(f);
  weft_type_t types[20];
  weft_val_t vals[20];
  if (np > 20) { fx_fail(fx, "%s: too many parameters for this host", name); return -1; }
  for (size_t i = 0; i < np; i++) types[i] = weft_cfunc_param_type(f, i);
  char perr[400];
  if (fxv_parse_args(fx, types, np, args, fx->arena, vals, perr, sizeof perr)) {
    fx_fail(fx, "%s: bad argument text: %s", name, perr);
    return -1;
  }
  if (fx->wave_check && !strchr(args, '$') && wave_args(fx, f, name, args, vals, np)) return -1;
  size_t nr = weft_cfunc_result_count(f);
  memset(result, 0, sizeof *result);
  fx->outlen = 0;
  weft_status_t st = weft_cfunc_call(f, vals, np, result, nr, fx->arena, err);
  if (st == WEFT_ERR_TRAP) { *trapped = 1; return 0; }
  if (st != WEFT_OK) {
    char msg[900];
    snprintf(msg, sizeof msg, "%s%s%s%s: call failed (status %d): %s", instance ? instance : "",
             instance ? "#" : "", name, args, (int)st, err->message);
    fx_fail(fx, "%s", msg);
    return -1;
  }
  *has_result = nr == 1;
  return 0;
}

static int has_resource(const weft_val_t *v) {
  switch (v->kind) {
  case WEFT_VAL_OWN: case WEFT_VAL_BORROW: return 1;
  case WEFT_VAL_LIST: case WEFT_VAL_RECORD: case WEFT_VAL_TUPLE:
    for (size_t i = 0; i < v->of.seq.n; i++)
      if (has_resource(&v->of.seq.v[i])) return 1;
    return 0;
  case WEFT_VAL_VARIANT: case WEFT_VAL_OPTION: case WEFT_VAL_RESULT:
    return v->of.var.payload && has_resource(v->of.var.payload);
  default: return 0;
  }
}

/* weft_wave_print the result, weft_wave_parse it back, and compare (through
 * this host's own printer, so WAVE's cosmetics do not matter). */
static int wave_roundtrip(fx_t *fx, weft_type_t t, const weft_val_t *v, const char *name, const char *mine) {
  if (has_resource(v)) return 0;
  char wave[2048], back[1024];
  size_t n = weft_wave_print(t, v, wave, sizeof wave);
  if (n >= sizeof wave) return 0;   /* too long for this check */
  weft_val_t v2;
  weft_error_t err;
  memset(&err, 0, sizeof err);
  if (weft_wave_parse(t, wave, n, fx->arena, &v2, &err) != WEFT_OK) {
    fx_fail(fx, "%s: weft_wave_print gave `%s`, which weft_wave_parse rejects: %s", name, wave, err.message);
    return -1;
  }
  fxv_print(fx, t, &v2, back, sizeof back);
  if (strcmp(back, mine) != 0) {
    fx_fail(fx, "%s: WAVE round trip changed the value: %s -> `%s` -> %s", name, mine, wave, back);
    return -1;
  }
  fx->wave_checked++;
  return 0;
}

int fx_call_slot(fx_t *fx, const char *instance, const char *name, const char *args,
                 const char *expect, int slot) {
  if (fx->failed) return -1;
  weft_val_t result;
  weft_error_t err;
  int has, trapped;
  memset(&err, 0, sizeof err);
  if (do_call(fx, instance, name, args, &result, &has, &err, &trapped)) return -1;
  if (trapped) {
    char msg[1400];
    snprintf(msg, sizeof msg, "%s%s%s%s trapped: %s", instance ? instance : "", instance ? "#" : "",
             name, args, err.message);
    append_output(fx, msg, sizeof msg);
    fx_fail(fx, "%s", msg);
    return -1;
  }
  if (fx->failed) return -1;   /* an import saw something wrong */
  if (has && slot >= 0 && slot < FX_SLOTS) fx->slots[slot] = result;
  if (!expect) return 0;
  if (!has) {
    fx_fail(fx, "%s%s: expected %s, got no result", name, args, expect);
    return -1;
  }
  char got[1024];
  weft_cfunc_t *f = weft_cinstance_func(fx->inst, instance, name);
  fxv_print(fx, weft_cfunc_result_type(f), &result, got, sizeof got);
  if (fx->wave_check && wave_roundtrip(fx, weft_cfunc_result_type(f), &result, name, got)) return -1;
  if (strcmp(got, expect) != 0) {
    fx_fail(fx, "%s%s%s%s: expected %s, got %s", instance ? instance : "", instance ? "#" : "", name,
            args, expect, got);
    return -1;
  }
  return 0;
}

int fx_call(fx_t *fx, const char *instance, const char *name, const char *args, const char *expect) {
  return fx_call_slot(fx, instance, name, args, expect, -1);
}

int fx_call_trap(fx_t *fx, const char *instance, const char *name, const char *args,
                 const char *needle) {
  if (fx->failed) return -1;
  weft_val_t result;
  weft_error_t err;
  int has, trapped;
  memset(&err, 0, sizeof err);
  if (do_call(fx, instance, name, args, &result, &has, &err, &trapped)) return -1;
  if (!trapped) {
    fx_fail(fx, "%s%s: expected a trap (%s), but it returned", name, args, needle);
    return -1;
  }
  if (needle && !strstr(err.message, needle)) {
    fx_fail(fx, "%s%s: expected a trap containing \"%s\", got \"%s\"", name, args, needle, err.message);
    return -1;
  }
  return 0;
}

weft_status_t fx_call_vals(fx_t *fx, const char *instance, const char *name, const weft_val_t *args,
                           size_t nargs, weft_val_t *result, weft_error_t *err) {
  memset(err, 0, sizeof *err);
  weft_cfunc_t *f = weft_cinstance_func(fx->inst, instance, name);
  if (!f) {
    snprintf(err->message, sizeof err->message, "export %s not found", name);
    return WEFT_ERR_LINK;
  }
  fx->outlen = 0;
  return weft_cfunc_call(f, args, nargs, result, weft_cfunc_result_count(f), fx->arena, err);
}

int fx_drop(fx_t *fx, int slot) {
  if (fx->failed) return -1;
  weft_error_t err;
  if (weft_cinstance_resource_drop(fx->inst, &fx->slots[slot], &err) != WEFT_OK) {
    fx_fail(fx, "dropping resource in slot %d: %s", slot, err.message);
    return -1;
  }
  memset(&fx->slots[slot], 0, sizeof fx->slots[slot]);
  return 0;
}

/* ------------------------------------------------------------------- driver */

/* Fixtures run a second time as "wave:NAME" with the WAVE round trip on. */
static const char *const wave_names[] = {"wave:numbers", "wave:strings", "wave:lists", "wave:flavorful",
                                         "wave:records", "wave:variants", "wave:options", "wave:results",
                                         "wave:versions", "wave:many-arguments"};
#define NWAVE (sizeof wave_names / sizeof wave_names[0])

static const fx_fixture_t *find_fixture(const char *name);

static int wave_fixture(const char *name, fx_fixture_t *out) {
  if (strncmp(name, "wave:", 5) != 0) return 0;
  const fx_fixture_t *base = find_fixture(name + 5);
  if (!base) return 0;
  *out = *base;
  out->name = name;
  out->file = base->file ? base->file : base->name;
  return 1;
}

static const fx_fixture_t *find_fixture(const char *name) {
  const fx_fixture_t *groups[] = {fx_fixtures_basic, fx_fixtures_resources, fx_fixtures_ownership,
                                  fx_fixtures_api};
  size_t counts[] = {fx_fixtures_basic_count, fx_fixtures_resources_count, fx_fixtures_ownership_count,
                     fx_fixtures_api_count};
  for (size_t g = 0; g < 4; g++)
    for (size_t i = 0; i < counts[g]; i++)
      if (!strcmp(groups[g][i].name, name)) return &groups[g][i];
  return NULL;
}

/* Run one fixture in this (child) process. Prints its line; returns 0 ok, 1 fail. */
static int run_one(const char *dir, const fx_fixture_t *fix) {
  static fx_t fx;   /* one per child process */
  memset(&fx, 0, sizeof fx);
  fx.name = fix->name;
  char path[4096];
  const char *file = fix->file ? fix->file : fix->name;
  snprintf(path, sizeof path, "%s/%s.component.wasm", dir, file);
  struct stat st;
  if (stat(path, &st) != 0) snprintf(path, sizeof path, "%s/%s.wasm", dir, file);
  weft_error_t err;
  memset(&err, 0, sizeof err);
  fx.engine = weft_engine_new();
  fx.arena = weft_arena_new();
  if (!fx.engine || !fx.arena) fx_fail(&fx, "out of memory");
  else if (weft_component_from_file(fx.engine, path, &fx.comp, &err) != WEFT_OK)
    fx_fail(&fx, "decode: %s", err.message);
  else if (!(fx.linker = weft_linker_new(fx.engine))) fx_fail(&fx, "weft_linker_new failed");
  if (!fx.failed) fx_define_wasi(&fx);
  if (!fx.failed && fix->setup) fix->setup(&fx);
  if (!fx.failed && weft_linker_instantiate(fx.linker, fx.comp, &fx, &fx.inst, &err) != WEFT_OK) {
    char msg[1200];
    snprintf(msg, sizeof msg, "instantiate: %s", err.message);
    append_output(&fx, msg, sizeof msg);
    fx_fail(&fx, "%s", msg);
  }
  fx.wave_check = strncmp(fix->name, "wave:", 5) == 0;
  if (!fx.failed && fix->run) fix->run(&fx);
  if (!fx.failed && fx.wave_check && fx.wave_checked == 0) fx_fail(&fx, "no result went through WAVE");
  weft_cinstance_free(fx.inst);
  weft_linker_free(fx.linker);
  weft_component_free(fx.comp);
  weft_arena_free(fx.arena);
  weft_engine_free(fx.engine);
  for (int i = 0; i < FX_HOSTRES; i++) free(fx.objs[i].s);
  if (fx.failed) printf("FAIL %s: %s\n", fix->name, fx.reason);
  else printf("ok %s\n", fix->name);
  fflush(stdout);
  return fx.failed ? 1 : 0;
}

/* 0 ok, 1 failed, 2 skipped */
static int run_isolated(const char *dir, const fx_fixture_t *fix) {
  if (fix->skip) {
    printf("skipped: %s (%s)\n", fix->name, fix->skip);
    fflush(stdout);
    return 2;
  }
  fflush(stdout);
  if (getenv("JCO_HOST_NOFORK")) return run_one(dir, fix);   /* for leak checkers / debuggers */
  pid_t pid = fork();
  if (pid < 0) return run_one(dir, fix);
  if (pid == 0) {
    alarm(FX_TIMEOUT_S);
    _exit(run_one(dir, fix));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) { printf("FAIL %s: waitpid failed\n", fix->name); return 1; }
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? 0 : 1;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM) printf("FAIL %s: timed out after %d s\n", fix->name, FX_TIMEOUT_S);
    else printf("FAIL %s: host crashed with signal %d (%s)\n", fix->name, sig, strsignal(sig));
  }
  fflush(stdout);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FIXTURE_DIR [NAME...]\n", argv[0]);
    return 2;
  }
  const char *dir = argv[1];
  int passed = 0, failed = 0, skipped = 0;
  if (!strcmp(dir, "--list")) {   /* the fixture names this host knows */
    const fx_fixture_t *groups[] = {fx_fixtures_basic, fx_fixtures_resources, fx_fixtures_ownership,
                                    fx_fixtures_api};
    size_t counts[] = {fx_fixtures_basic_count, fx_fixtures_resources_count, fx_fixtures_ownership_count,
                       fx_fixtures_api_count};
    for (size_t g = 0; g < 4; g++)
      for (size_t i = 0; i < counts[g]; i++) printf("%s\n", groups[g][i].name);
    for (size_t i = 0; i < NWAVE; i++) printf("%s\n", wave_names[i]);
    return 0;
  }
  if (argc > 2) {
    for (int i = 2; i < argc; i++) {
      fx_fixture_t wf;
      const fx_fixture_t *f = wave_fixture(argv[i], &wf) ? &wf : find_fixture(argv[i]);
      if (!f) { printf("FAIL %s: no such fixture in this host\n", argv[i]); failed++; continue; }
      int r = run_isolated(dir, f);
      if (r == 0) passed++; else if (r == 1) failed++; else skipped++;
    }
  } else {
    const fx_fixture_t *groups[] = {fx_fixtures_basic, fx_fixtures_resources, fx_fixtures_ownership,
                                    fx_fixtures_api};
    size_t counts[] = {fx_fixtures_basic_count, fx_fixtures_resources_count, fx_fixtures_ownership_count,
                       fx_fixtures_api_count};
    for (size_t g = 0; g < 4; g++)
      for (size_t i = 0; i < counts[g]; i++) {
        int r = run_isolated(dir, &groups[g][i]);
        if (r == 0) passed++; else if (r == 1) failed++; else skipped++;
      }
    for (size_t i = 0; i < NWAVE; i++) {
      fx_fixture_t wf;
      if (!wave_fixture(wave_names[i], &wf)) continue;
      int r = run_isolated(dir, &wf);
      if (r == 0) passed++; else if (r == 1) failed++; else skipped++;
    }
  }
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
