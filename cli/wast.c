/* weft wast SCRIPT.json... — runs spec test scripts converted by wast2json.
 *
 * Each script runs in a forked child (unless --no-fork) with a fresh engine,
 * store and spectest module, so a crash or a hang in one script is reported
 * as that script failing and the run goes on. The child keeps its counts in
 * shared memory, so the commands that ran before a crash still count.
 *
 * Every command counts as one unit: it passes when the outcome is the right
 * one (values equal bit for bit except NaN patterns, a trap when one is
 * expected, a rejection when the module is malformed or invalid...). Modules
 * in the text format (assert_malformed/assert_invalid with "module_type":
 * "text") are skipped: weft has no text parser. A message that differs from
 * the expected "text" (neither equal, nor a prefix either way) is counted as
 * a message mismatch: information only, not a failure.
 *
 * Component Model scripts (see cwast.c) are recognised and handed to the
 * component runner; both share the fork/timeout machinery of wast_fork.c. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "wast.h"
#include "wast_fork.h"
#include "cwast.h"
#include "weft.h"

#define DEFAULT_TIMEOUT 300   /* seconds per script */

typedef wast_counts_t counters_t;

typedef struct {
  const char *path;            /* the script */
  const char *label;           /* its base name, for messages */
  char dir[4096];              /* directory of the script */
  int verbose;
  counters_t *cnt;
  weft_engine_t *engine;
  weft_store_t *store;
  spectest_t spectest;
  weft_module_t **modules;     /* every loaded module, freed after the store */
  size_t nmodules, capmodules;
  wast_bindings_t named;            /* "$name" -> instance */
  wast_bindings_t registered;       /* register "as" -> instance */
  weft_instance_t *current;    /* the latest module, NULL if none or failed */
  int have_module;             /* a module command has been seen */
  uint64_t line;
} script_t;

/* ---- reporting --------------------------------------------------------------- */

static void pass(script_t *sc) { sc->cnt->passed++; }

static void failf(script_t *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(script_t *sc, const char *fmt, ...) {
  sc->cnt->failed++;
  if (!sc->verbose) return;
  printf("  %s:%" PRIu64 ": FAIL: ", sc->label, sc->line);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

/* A printable, bounded copy of a name (names may hold any bytes). */
static void show_name(const char *s, size_t len, char *buf, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len && o + 8 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      buf[o++] = (char)c;
    } else {
      int n = snprintf(buf + o, cap - o, "\\%02x", c);
      if (n < 0) break;
      o += (size_t)n;
    }
    if (i + 1 < len && o + 8 >= cap) {
      memcpy(buf + o, "...", 3);
      o += 3;
      break;
    }
  }
  buf[o < cap ? o : cap - 1] = '\0';
}

/* Compares our message with the expected text; counts a mismatch. */
static void check_message(script_t *sc, const char *ours, const char *expected) {
  if (!expected) return;
  size_t lo = strlen(ours), le = strlen(expected);
  if (!strcmp(ours, expected)) return;
  if (lo >= le && !strncmp(ours, expected, le)) return;
  if (lo > 0 && lo < le && !strncmp(ours, expected, lo)) return;
  sc->cnt->mismatched++;
  if (sc->verbose)
    printf("  %s:%" PRIu64 ": message mismatch: got \"%s\", expected \"%s\"\n", sc->label,
           sc->line, ours, expected);
}

/* ---- modules ----------------------------------------------------------------- */

static int module_path(script_t *sc, const json_value_t *cmd, char *path, size_t cap) {
  size_t len;
  const char *file = json_get_str(cmd, "filename", &len);
  if (!file || len == 0 || strlen(file) != len) return -1;
  int n = snprintf(path, cap, "%s/%s", sc->dir, file);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Loads the module file of `cmd`. Returns the module (kept until the end of
 * the script), or NULL with err filled. */
static weft_module_t *load_module(script_t *sc, const json_value_t *cmd, weft_error_t *err) {
  char path[8192];
  memset(err, 0, sizeof *err);
  if (module_path(sc, cmd, path, sizeof path)) {
    err->status = WEFT_ERR_IO;
    snprintf(err->message, sizeof err->message, "command without a usable \"filename\"");
    return NULL;
  }
  if (sc->nmodules == sc->capmodules) {
    size_t cap = sc->capmodules ? sc->capmodules * 2 : 32;
    weft_module_t **nm = realloc(sc->modules, cap * sizeof *nm);
    if (!nm) {
      err->status = WEFT_ERR_NOMEM;
      snprintf(err->message, sizeof err->message, "out of memory");
      return NULL;
    }
    sc->modules = nm;
    sc->capmodules = cap;
  }
  weft_module_t *m = NULL;
  weft_status_t st = weft_module_from_file(sc->engine, path, &m, err);
  if (st != WEFT_OK || !m) {
    if (st == WEFT_OK) {
      err->status = WEFT_ERR_INVALID;
      snprintf(err->message, sizeof err->message, "no module returned");
    } else {
      err->status = st;
    }
    return NULL;
  }
  sc->modules[sc->nmodules++] = m;
  return m;
}

/* Resolves the imports of m from the registered instances and spectest.
 * Returns a malloc'd array (caller frees), or NULL with err filled
 * (status WEFT_ERR_LINK, or WEFT_ERR_NOMEM). *n is the import count. */
static weft_extern_t *resolve_imports(script_t *sc, const weft_module_t *m, size_t *n,
                                      weft_error_t *err) {
  size_t count = weft_module_import_count(m);
  *n = count;
  weft_extern_t *ext = calloc(count ? count : 1, sizeof *ext);
  if (!ext) {
    err->status = WEFT_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    const char *mod = NULL, *name = NULL;
    size_t mod_len = 0, name_len = 0;
    weft_extern_kind_t kind = WEFT_EXTERN_FUNC;
    weft_module_import(m, i, &mod, &mod_len, &name, &name_len, &kind);
    weft_extern_t found;
    int ok = 0;
    wast_binding_t *b = wast_lookup(&sc->registered, mod, mod_len);
    if (b && ((weft_instance_t *)b->obj)) ok = weft_instance_export(((weft_instance_t *)b->obj), name, name_len, &found);
    else if (!b && mod_len == 8 && !memcmp(mod, "spectest", 8))
      ok = spectest_lookup(&sc->spectest, name, name_len, &found);
    char smod[128], sname[128];
    if (!ok || found.kind != kind) {
      show_name(mod, mod_len, smod, sizeof smod);
      show_name(name, name_len, sname, sizeof sname);
      err->status = WEFT_ERR_LINK;
      snprintf(err->message, sizeof err->message, "%s: \"%s\" \"%s\"",
               ok ? "incompatible import type" : "unknown import", smod, sname);
      free(ext);
      return NULL;
    }
    ext[i] = found;
  }
  return ext;
}

/* Links and instantiates m. Returns the status (err filled on failure). */
static weft_status_t instantiate(script_t *sc, const weft_module_t *m, weft_instance_t **out,
                                 weft_error_t *err) {
  *out = NULL;
  memset(err, 0, sizeof *err);
  size_t n;
  weft_extern_t *ext = resolve_imports(sc, m, &n, err);
  if (!ext) return err->status;
  weft_status_t st = weft_instance_new(sc->store, m, ext, n, out, err);
  free(ext);
  if (st == WEFT_OK && !*out) {
    st = WEFT_ERR_INVALID;
    snprintf(err->message, sizeof err->message, "no instance returned");
  }
  if (st != WEFT_OK) {
    err->status = st;
    *out = NULL;
  }
  return st;
}

static const char *status_name(weft_status_t st) {
  switch (st) {
    case WEFT_OK: return "ok";
    case WEFT_ERR_INVALID: return "invalid";
    case WEFT_ERR_LINK: return "link error";
    case WEFT_ERR_TRAP: return "trap";
    case WEFT_ERR_ARG: return "bad argument";
    case WEFT_ERR_IO: return "i/o error";
    case WEFT_ERR_NOMEM: return "out of memory";
  }
  return "error";
}

/* ---- actions ------------------------------------------------------------------ */

typedef enum { ACT_OK, ACT_TRAP, ACT_ERROR } act_result_t;

#define MAX_RESULTS 1024

typedef struct {
  weft_core_val_t *vals;
  size_t n;
  char desc[256];              /* "field(args)" for messages */
} act_out_t;

/* The instance named by obj[key] ("module" of an action, "name" of a
 * register command), else the latest module. */
static weft_instance_t *target_instance(script_t *sc, const json_value_t *obj, const char *key,
                                        char *why, size_t whylen) {
  size_t len;
  const char *name = json_get_str(obj, key, &len);
  if (name) {
    wast_binding_t *b = wast_lookup(&sc->named, name, len);
    char sname[128];
    show_name(name, len, sname, sizeof sname);
    if (!b) { snprintf(why, whylen, "no module named %s", sname); return NULL; }
    if (!((weft_instance_t *)b->obj)) { snprintf(why, whylen, "module %s failed to load", sname); return NULL; }
    return ((weft_instance_t *)b->obj);
  }
  if (!sc->current)
    snprintf(why, whylen, sc->have_module ? "the latest module failed to load" : "no module");
  return sc->current;
}

static void describe_action(const json_value_t *action, char *buf, size_t cap) {
  size_t flen = 0;
  const char *field = json_get_str(action, "field", &flen);
  char sfield[96];
  show_name(field ? field : "?", field ? flen : 1, sfield, sizeof sfield);
  const json_value_t *args = json_get(action, "args");
  size_t o = (size_t)snprintf(buf, cap, "%s(", sfield);
  for (size_t i = 0; i < json_len(args) && o < cap; i++) {
    char v[96];
    wast_format_expected(json_at(args, i), v, sizeof v);
    o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", v);
  }
  if (o < cap) snprintf(buf + o, cap - o, ")");
}

/* Runs an invoke or get action. On ACT_OK out->vals[0..n) holds the results
 * (caller frees out->vals); on ACT_TRAP err holds the trap; on ACT_ERROR why
 * says what went wrong. */
static act_result_t run_action(script_t *sc, const json_value_t *action, act_out_t *out,
                               weft_error_t *err, char *why, size_t whylen) {
  memset(out, 0, sizeof *out);
  memset(err, 0, sizeof *err);
  describe_action(action, out->desc, sizeof out->desc);
  const char *type = json_get_str(action, "type", NULL);
  if (!type) { snprintf(why, whylen, "action without a type"); return ACT_ERROR; }
  weft_instance_t *inst = target_instance(sc, action, "module", why, whylen);
  if (!inst) return ACT_ERROR;
  size_t flen;
  const char *field = json_get_str(action, "field", &flen);
  if (!field) { snprintf(why, whylen, "action without a field"); return ACT_ERROR; }
  weft_extern_t ext;
  if (!weft_instance_export(inst, field, flen, &ext)) {
    snprintf(why, whylen, "no export %s", out->desc);
    return ACT_ERROR;
  }
  if (!strcmp(type, "get")) {
    if (ext.kind != WEFT_EXTERN_GLOBAL) {
      snprintf(why, whylen, "export %s is not a global", out->desc);
      return ACT_ERROR;
    }
    out->vals = calloc(1, sizeof *out->vals);
    if (!out->vals) { snprintf(why, whylen, "out of memory"); return ACT_ERROR; }
    out->vals[0] = weft_global_get(ext.of.global);
    out->n = 1;
    return ACT_OK;
  }
  if (strcmp(type, "invoke") != 0) {
    snprintf(why, whylen, "unknown action type '%s'", type);
    return ACT_ERROR;
  }
  if (ext.kind != WEFT_EXTERN_FUNC) {
    snprintf(why, whylen, "export %s is not a function", out->desc);
    return ACT_ERROR;
  }
  weft_func_t *f = ext.of.func;
  const json_value_t *jargs = json_get(action, "args");
  size_t nargs = json_len(jargs);
  size_t nparams = weft_func_param_count(f);
  size_t nres = weft_func_result_count(f);
  if (nargs != nparams) {
    snprintf(why, whylen, "%s: %zu arguments given, the function takes %zu", out->desc, nargs,
             nparams);
    return ACT_ERROR;
  }
  if (nres > MAX_RESULTS) {
    snprintf(why, whylen, "%s: too many results (%zu)", out->desc, nres);
    return ACT_ERROR;
  }
  weft_core_val_t *args = calloc(nargs ? nargs : 1, sizeof *args);
  out->vals = calloc(nres ? nres : 1, sizeof *out->vals);
  if (!args || !out->vals) {
    free(args);
    snprintf(why, whylen, "out of memory");
    return ACT_ERROR;
  }
  for (size_t i = 0; i < nargs; i++) {
    if (wast_parse_arg(json_at(jargs, i), &args[i], why, whylen)) {
      free(args);
      return ACT_ERROR;
    }
  }
  for (size_t i = 0; i < nres; i++) out->vals[i].kind = weft_func_result(f, i);
  out->n = nres;
  weft_status_t st = weft_func_call(sc->store, f, args, nargs, out->vals, nres, err);
  free(args);
  if (st == WEFT_OK) return ACT_OK;
  if (st == WEFT_ERR_TRAP) return ACT_TRAP;
  snprintf(why, whylen, "%.200s: %s: %.250s", out->desc, status_name(st), err->message);
  return ACT_ERROR;
}

static void format_results(const act_out_t *out, char *buf, size_t cap) {
  size_t o = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < out->n && o < cap; i++) {
    char v[96];
    wast_format_val(&out->vals[i], v, sizeof v);
    o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", v);
  }
  if (out->n == 0) snprintf(buf, cap, "(nothing)");
}

static void format_expected(const json_value_t *exp, char *buf, size_t cap) {
  size_t o = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < json_len(exp) && o < cap; i++) {
    char v[96];
    wast_format_expected(json_at(exp, i), v, sizeof v);
    o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", v);
  }
  if (json_len(exp) == 0) snprintf(buf, cap, "(nothing)");
}

/* ---- commands ----------------------------------------------------------------- */

static void cmd_module(script_t *sc, const json_value_t *cmd) {
  size_t nlen;
  const char *name = json_get_str(cmd, "name", &nlen);
  sc->have_module = 1;
  sc->current = NULL;
  if (name && wast_bind(&sc->named, name, nlen, NULL)) { failf(sc, "out of memory"); return; }
  const char *mt = json_get_str(cmd, "module_type", NULL);
  if (mt && strcmp(mt, "binary") != 0) {
    /* A text module (weft has no text parser): skipped, and the commands
     * that use it fail. */
    sc->cnt->skipped++;
    return;
  }
  weft_error_t err;
  weft_module_t *m = load_module(sc, cmd, &err);
  if (!m) {
    failf(sc, "module failed to load (%s): %s", status_name(err.status), err.message);
    return;
  }
  weft_instance_t *inst;
  weft_status_t st = instantiate(sc, m, &inst, &err);
  if (st != WEFT_OK) {
    failf(sc, "module failed to instantiate (%s): %s", status_name(st), err.message);
    return;
  }
  sc->current = inst;
  if (name) wast_bind(&sc->named, name, nlen, inst);
  pass(sc);
}

static void cmd_register(script_t *sc, const json_value_t *cmd) {
  size_t alen;
  const char *as = json_get_str(cmd, "as", &alen);
  if (!as) { failf(sc, "register without \"as\""); return; }
  char why[256] = "";
  weft_instance_t *inst = target_instance(sc, cmd, "name", why, sizeof why);
  if (!inst) { failf(sc, "register: %s", why); return; }
  if (wast_bind(&sc->registered, as, alen, inst)) { failf(sc, "out of memory"); return; }
  pass(sc);
}

static void cmd_action(script_t *sc, const json_value_t *cmd) {
  const json_value_t *action = json_get(cmd, "action");
  act_out_t out;
  weft_error_t err;
  char why[512] = "";
  act_result_t r = run_action(sc, action, &out, &err, why, sizeof why);
  if (r == ACT_OK) pass(sc);
  else if (r == ACT_TRAP) failf(sc, "action %s trapped: %s", out.desc, err.message);
  else failf(sc, "action: %s", why);
  free(out.vals);
}

static void cmd_assert_return(script_t *sc, const json_value_t *cmd) {
  const json_value_t *action = json_get(cmd, "action");
  const json_value_t *exp = json_get(cmd, "expected");
  act_out_t out;
  weft_error_t err;
  char why[512] = "";
  act_result_t r = run_action(sc, action, &out, &err, why, sizeof why);
  if (r == ACT_TRAP) {
    failf(sc, "assert_return %s: trapped: %s", out.desc, err.message);
  } else if (r == ACT_ERROR) {
    failf(sc, "assert_return: %s", why);
  } else {
    int ok = json_len(exp) == out.n;
    for (size_t i = 0; ok && i < out.n; i++) {
      int m = wast_match(json_at(exp, i), &out.vals[i], why, sizeof why);
      if (m < 0) {
        failf(sc, "assert_return %s: %s", out.desc, why);
        free(out.vals);
        return;
      }
      ok = m;
    }
    if (ok) {
      pass(sc);
    } else {
      char got[1024], want[1024];
      format_results(&out, got, sizeof got);
      format_expected(exp, want, sizeof want);
      failf(sc, "assert_return %s: got %s, expected %s", out.desc, got, want);
    }
  }
  free(out.vals);
}

static void cmd_assert_trap_action(script_t *sc, const json_value_t *cmd, int exhaustion) {
  const json_value_t *action = json_get(cmd, "action");
  const char *text = json_get_str(cmd, "text", NULL);
  const char *what = exhaustion ? "assert_exhaustion" : "assert_trap";
  act_out_t out;
  weft_error_t err;
  char why[512] = "";
  act_result_t r = run_action(sc, action, &out, &err, why, sizeof why);
  if (r == ACT_TRAP) {
    if (exhaustion && err.trap != WEFT_TRAP_STACK_EXHAUSTED) {
      failf(sc, "%s %s: trapped with \"%s\", expected call stack exhaustion", what, out.desc,
            err.message);
    } else {
      pass(sc);
      check_message(sc, err.message, text);
    }
  } else if (r == ACT_ERROR) {
    failf(sc, "%s: %s", what, why);
  } else {
    char got[1024];
    format_results(&out, got, sizeof got);
    failf(sc, "%s %s: returned %s, expected a trap \"%s\"", what, out.desc, got,
          text ? text : "");
  }
  free(out.vals);
}

/* assert_uninstantiable, and assert_trap on a module: instantiation traps. */
static void cmd_assert_module_trap(script_t *sc, const json_value_t *cmd, const char *what) {
  const char *text = json_get_str(cmd, "text", NULL);
  weft_error_t err;
  weft_module_t *m = load_module(sc, cmd, &err);
  if (!m) {
    failf(sc, "%s: module failed to load (%s): %s", what, status_name(err.status), err.message);
    return;
  }
  weft_instance_t *inst;
  weft_status_t st = instantiate(sc, m, &inst, &err);
  if (st == WEFT_ERR_TRAP) {
    pass(sc);
    check_message(sc, err.message, text);
  } else if (st == WEFT_OK) {
    failf(sc, "%s: module instantiated, expected a trap \"%s\"", what, text ? text : "");
  } else {
    failf(sc, "%s: %s: %s, expected a trap \"%s\"", what, status_name(st), err.message,
          text ? text : "");
  }
}

static void cmd_assert_unlinkable(script_t *sc, const json_value_t *cmd) {
  const char *text = json_get_str(cmd, "text", NULL);
  weft_error_t err;
  weft_module_t *m = load_module(sc, cmd, &err);
  if (!m) {
    failf(sc, "assert_unlinkable: module failed to load (%s): %s", status_name(err.status),
          err.message);
    return;
  }
  weft_instance_t *inst;
  weft_status_t st = instantiate(sc, m, &inst, &err);
  if (st == WEFT_ERR_LINK) {
    pass(sc);
    check_message(sc, err.message, text);
  } else if (st == WEFT_OK) {
    failf(sc, "assert_unlinkable: module linked, expected \"%s\"", text ? text : "");
  } else {
    failf(sc, "assert_unlinkable: %s: %s, expected a link error \"%s\"", status_name(st),
          err.message, text ? text : "");
  }
}

/* assert_invalid / assert_malformed: the module must be rejected. */
static void cmd_assert_rejected(script_t *sc, const json_value_t *cmd, const char *what) {
  const char *mt = json_get_str(cmd, "module_type", NULL);
  if (mt && strcmp(mt, "binary") != 0) {
    sc->cnt->skipped++;
    return;
  }
  const char *text = json_get_str(cmd, "text", NULL);
  weft_error_t err;
  weft_module_t *m = load_module(sc, cmd, &err);
  if (m) {
    failf(sc, "%s: module was accepted, expected \"%s\"", what, text ? text : "");
    return;
  }
  if (err.status != WEFT_ERR_INVALID) {
    failf(sc, "%s: %s: %s", what, status_name(err.status), err.message);
    return;
  }
  pass(sc);
  check_message(sc, err.message, text);
}

static void run_command(script_t *sc, const json_value_t *cmd) {
  const json_value_t *line = json_get(cmd, "line");
  sc->line = line && line->kind == JSON_NUMBER && line->u.num >= 0 && line->u.num < 1e15
                 ? (uint64_t)line->u.num
                 : 0;
  sc->cnt->last_line = sc->line;
  const char *type = json_get_str(cmd, "type", NULL);
  if (!type) { failf(sc, "command without a type"); return; }
  if (!strcmp(type, "module")) cmd_module(sc, cmd);
  else if (!strcmp(type, "register")) cmd_register(sc, cmd);
  else if (!strcmp(type, "action")) cmd_action(sc, cmd);
  else if (!strcmp(type, "assert_return")) cmd_assert_return(sc, cmd);
  else if (!strcmp(type, "assert_trap")) {
    if (json_get(cmd, "action")) cmd_assert_trap_action(sc, cmd, 0);
    else cmd_assert_module_trap(sc, cmd, "assert_trap");
  } else if (!strcmp(type, "assert_exhaustion")) cmd_assert_trap_action(sc, cmd, 1);
  else if (!strcmp(type, "assert_uninstantiable")) cmd_assert_module_trap(sc, cmd, type);
  else if (!strcmp(type, "assert_unlinkable")) cmd_assert_unlinkable(sc, cmd);
  else if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed"))
    cmd_assert_rejected(sc, cmd, type);
  else failf(sc, "unknown command type '%s'", type);
}

/* ---- scripts ------------------------------------------------------------------- */

static void script_free(script_t *sc) {
  weft_store_free(sc->store);
  for (size_t i = 0; i < sc->nmodules; i++) weft_module_free(sc->modules[i]);
  free(sc->modules);
  weft_engine_free(sc->engine);
  wast_bindings_free(&sc->named);
  wast_bindings_free(&sc->registered);
}

/* Runs one script, filling *cnt. */
static void run_script(const char *path, int verbose, void *ctx, counters_t *cnt) {
  (void)ctx;
  script_t sc;
  memset(&sc, 0, sizeof sc);
  sc.path = path;
  sc.cnt = cnt;
  sc.verbose = verbose;
  const char *slash = strrchr(path, '/');
  sc.label = slash ? slash + 1 : path;

  json_doc_t *doc;
  const json_value_t *cmds = wast_open_script(path, sc.label, sc.dir, sizeof sc.dir, &doc, cnt);
  if (!cmds) return;

  weft_error_t err;
  memset(&err, 0, sizeof err);
  sc.engine = weft_engine_new();
  sc.store = sc.engine ? weft_store_new(sc.engine) : NULL;
  if (!sc.store || spectest_init(&sc.spectest, sc.store, &err)) {
    cnt->failed++;
    printf("%s: error: cannot set up a store and the spectest module: %s\n", sc.label,
           err.message);
    script_free(&sc);
    json_free(doc);
    cnt->done = 1;
    return;
  }
  for (size_t i = 0; i < json_len(cmds); i++) run_command(&sc, json_at(cmds, i));
  script_free(&sc);
  json_free(doc);
  cnt->done = 1;
}

static void print_summary(const char *label, const counters_t *c) {
  printf("%s: %" PRIu64 " passed, %" PRIu64 " failed (%" PRIu64 " skipped: text format",
         label, c->passed, c->failed, c->skipped);
  if (c->mismatched) printf(", %" PRIu64 " message mismatches", c->mismatched);
  printf(")\n");
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: weft wast [-v] [--no-fork] [--timeout SECONDS] SCRIPT.json...\n"
          "  runs spec test scripts made by wast2json (X.json beside its X.N.wasm files),\n"
          "  and Component Model scripts (commands \"component\", assert texts)\n"
          "  -v, --verbose     show each failure and message mismatch with its line\n"
          "  --no-fork         run scripts in this process (no crash isolation)\n"
          "  --timeout SECS    time limit per script (default %d, 0 = none)\n",
          DEFAULT_TIMEOUT);
}

int cli_wast_main(int argc, char **argv) {
  int verbose = 0, fork_ = 1;
  unsigned timeout = DEFAULT_TIMEOUT;
  int first = 1;
  for (; first < argc; first++) {
    const char *a = argv[first];
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) verbose = 1;
    else if (!strcmp(a, "--no-fork")) fork_ = 0;
    else if (!strcmp(a, "--timeout") && first + 1 < argc) {
      char *end;
      unsigned long t = strtoul(argv[++first], &end, 10);
      if (*end || t > 86400) { usage(stderr); return 2; }
      timeout = (unsigned)t;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
    else if (!strcmp(a, "--")) { first++; break; }
    else if (a[0] == '-' && a[1]) { fprintf(stderr, "weft wast: unknown option '%s'\n", a); usage(stderr); return 2; }
    else break;
  }
  if (first >= argc) { usage(stderr); return 2; }

  counters_t total;
  memset(&total, 0, sizeof total);
  int nscripts = argc - first, ncomponent = 0;
  for (int i = first; i < argc; i++) {
    const char *path = argv[i];
    counters_t c;
    if (cwast_is_component_script(path)) {
      /* A Component Model script: the component runner (cwast.c). */
      ncomponent++;
      cwast_run(path, verbose, fork_, timeout, &c);
    } else {
      const char *slash = strrchr(path, '/');
      const char *label = slash ? slash + 1 : path;
      wast_run_script(path, label, verbose, fork_, timeout, run_script, print_summary, NULL, &c);
    }
    wast_counts_add(&total, &c);
    fflush(stdout);
  }
  if (ncomponent > 0 && ncomponent == nscripts) {
    if (nscripts > 1) cwast_print_total("component-model", &total);
  } else if (nscripts > 1) {
    if (total.mismatched)
      printf("spec: %" PRIu64 " message mismatches (not failures)\n", total.mismatched);
    printf("spec: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped\n", total.passed,
           total.failed, total.skipped);
  }
  return total.failed ? 1 : 0;
}
