/* weft wast on Component Model scripts: runs the component-model test
 * suite as converted to JSON (component-model/bin/<suite>/<file>.json).
 *
 * Commands, each one unit:
 *   component             decode + instantiate (empty linker); becomes current
 *   component definition  decode only; kept under its "name" if it has one
 *   component instance    text "(component instance $i $Def)": instantiate
 *                         the definition $Def; becomes current (and $i)
 *   assert_return         text "(assert_return (invoke \"f\" ARG...) RESULT?)":
 *                         arguments are converted guided by f's parameter
 *                         types, the result compared structurally
 *   assert_trap           text "(assert_trap (invoke ...) \"message\")": must
 *                         trap with a message containing the expected text
 *                         (wasmtime's "wasm trap: " prefix is not required)
 *   assert_invalid / assert_malformed   the binary must be rejected
 *                         (message differences are only reported with -v)
 *   assert_unlinkable     instantiation must fail with a link error
 *   assert_trap / assert_uninstantiable on a component (with "filename"):
 *                         instantiation must trap (message as assert_trap)
 * Commands with "quote"/"parse_error" and no binary are text-format cases
 * that never became binaries: skipped, with the reason. The converter cuts
 * "text" at 400 characters: a text that does not parse is read again from
 * the original .wast (../../wast/<source_filename> from the script) at the
 * command's line. A script listed in the suite's nyi.txt (found at
 * ../../nyi.txt from the script, i.e. component-model/nyi.txt) is skipped as
 * a whole: upstream marks it as not yet passing anywhere. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwast.h"
#include "json.h"

typedef struct {
  void **v;
  size_t n, cap;
} ptrs_t;

typedef struct {
  const char *label;           /* "suite/file.json" */
  char dir[4096];              /* directory of the script */
  int verbose;
  wast_counts_t *cnt;
  weft_engine_t *engine;
  weft_linker_t *linker;       /* empty: the suites' components have no imports */
  ptrs_t comps;                /* every decoded component (freed last) */
  ptrs_t insts;                /* every instance, freed in reverse order */
  wast_bindings_t defs;             /* "$Def" -> component */
  wast_bindings_t named;            /* "$i" -> instance */
  char source[8192];           /* the script's .wast source, "" if unknown */
  weft_cinstance_t *current;   /* the latest instance, NULL if none or it failed */
  int have_instance;           /* a component / component instance was seen */
  uint64_t line;
} cscript_t;

#define TEXT_SHOW 240

/* ---- reporting ----------------------------------------------------------------- */

static void pass(cscript_t *cs) { cs->cnt->passed++; }

static void failf(cscript_t *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(cscript_t *cs, const char *fmt, ...) {
  cs->cnt->failed++;
  if (!cs->verbose) return;
  printf("  %s:%" PRIu64 ": FAIL: ", cs->label, cs->line);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static void skip(cscript_t *cs, wast_skip_t why, const char *what) {
  cs->cnt->skipped++;
  cs->cnt->skipped_by[why]++;
  if (cs->verbose) printf("  %s:%" PRIu64 ": skipped: %s\n", cs->label, cs->line, what);
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

/* Why units were skipped: short (per script) and long (in the total). */
static const char *const SKIP_SHORT[WAST_SKIP_KINDS] = {
    [WAST_SKIP_TEXT] = "text format, no binary",
    [WAST_SKIP_NYI] = "listed in nyi.txt",
    [WAST_SKIP_ASYNC] = "needs the async ABI",
};
static const char *const SKIP_LONG[WAST_SKIP_KINDS] = {
    [WAST_SKIP_TEXT] = "text-format cases that never became binaries (quote/parse_error)",
    [WAST_SKIP_NYI] = "commands of scripts listed in nyi.txt (upstream marks them not yet passing)",
    [WAST_SKIP_ASYNC] = ("calls that reached an async built-in (canon lower async, task.return...): "
                         "weft implements the synchronous canonical ABI only, and says so in the trap"),
};

/* The runtime's own marker in the trap of an async built-in it does not
 * implement (src/component/canon_builtin.c). */
static int async_unsupported(const char *msg) {
  return strstr(msg, "(weft implements the synchronous canonical ABI only)") != NULL;
}

static void print_summary(const char *label, const wast_counts_t *c) {
  printf("%s: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped", label, c->passed,
         c->failed, c->skipped);
  const char *sep = " (";
  for (int i = 0; i < WAST_SKIP_KINDS; i++) {
    if (!c->skipped_by[i]) continue;
    printf("%s%s: %" PRIu64, sep, SKIP_SHORT[i], c->skipped_by[i]);
    sep = "; ";
  }
  if (c->mismatched) {
    printf("%smessage mismatches (not failures): %" PRIu64, sep, c->mismatched);
    sep = "; ";
  }
  printf("%s\n", sep[0] == ';' ? ")" : "");
}

void cwast_print_total(const char *label, const wast_counts_t *t) {
  for (int i = 0; i < WAST_SKIP_KINDS; i++)
    if (t->skipped_by[i])
      printf("%s: skipped %" PRIu64 ": %s\n", label, t->skipped_by[i], SKIP_LONG[i]);
  if (t->mismatched)
    printf("%s: %" PRIu64 " message mismatches (not failures; -v shows them)\n", label,
           t->mismatched);
  printf("%s: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped\n", label, t->passed,
         t->failed, t->skipped);
}

/* ---- bookkeeping --------------------------------------------------------------- */

static int push(ptrs_t *p, void *x) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    void **nv = realloc(p->v, cap * sizeof *nv);
    if (!nv) return -1;
    p->v = nv;
    p->cap = cap;
  }
  p->v[p->n++] = x;
  return 0;
}

/* A printable, bounded copy of a name. */
static void show_name(const char *s, size_t len, char *buf, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len && o + 8 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != 0x7f && c != '\\') buf[o++] = (char)c;
    else o += (size_t)snprintf(buf + o, cap - o, "\\%02x", c);
  }
  buf[o < cap ? o : cap - 1] = '\0';
}

/* ---- components ---------------------------------------------------------------- */

/* Decodes the binary of cmd["filename"]: the component (kept until the end
 * of the script), or NULL with err filled. */
static weft_component_t *load_component(cscript_t *cs, const json_value_t *cmd, weft_error_t *err) {
  memset(err, 0, sizeof *err);
  size_t len;
  const char *file = json_get_str(cmd, "filename", &len);
  char path[8192];
  int n = file && len && strlen(file) == len ? snprintf(path, sizeof path, "%s/%s", cs->dir, file) : -1;
  if (n < 0 || (size_t)n >= sizeof path) {
    err->status = WEFT_ERR_IO;
    snprintf(err->message, sizeof err->message, "command without a usable \"filename\"");
    return NULL;
  }
  weft_component_t *c = NULL;
  weft_status_t st = weft_component_from_file(cs->engine, path, &c, err);
  if (st != WEFT_OK || !c) {
    err->status = st == WEFT_OK ? WEFT_ERR_INVALID : st;
    if (st == WEFT_OK) snprintf(err->message, sizeof err->message, "no component returned");
    return NULL;
  }
  if (push(&cs->comps, c)) {
    weft_component_free(c);
    err->status = WEFT_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
  }
  return c;
}

static weft_status_t instantiate(cscript_t *cs, const weft_component_t *c, weft_cinstance_t **out,
                                 weft_error_t *err) {
  *out = NULL;
  memset(err, 0, sizeof *err);
  weft_status_t st = weft_linker_instantiate(cs->linker, c, NULL, out, err);
  if (st == WEFT_OK && !*out) {
    st = WEFT_ERR_INVALID;
    snprintf(err->message, sizeof err->message, "no instance returned");
  }
  if (st != WEFT_OK) {
    err->status = st;
    *out = NULL;
    return st;
  }
  if (push(&cs->insts, *out)) {
    weft_cinstance_free(*out);
    *out = NULL;
    err->status = WEFT_ERR_NOMEM;
    snprintf(err->message, sizeof err->message, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  return WEFT_OK;
}

static void cmd_component(cscript_t *cs, const json_value_t *cmd) {
  size_t nlen;
  const char *name = json_get_str(cmd, "name", &nlen);
  cs->have_instance = 1;
  cs->current = NULL;
  if (name && (wast_bind(&cs->named, name, nlen, NULL) || wast_bind(&cs->defs, name, nlen, NULL))) {
    failf(cs, "out of memory");
    return;
  }
  weft_error_t err;
  weft_component_t *c = load_component(cs, cmd, &err);
  if (!c) {
    failf(cs, "component failed to decode (%s): %s", status_name(err.status), err.message);
    return;
  }
  if (name) wast_bind(&cs->defs, name, nlen, c);
  weft_cinstance_t *inst;
  weft_status_t st = instantiate(cs, c, &inst, &err);
  if (st != WEFT_OK) {
    failf(cs, "component failed to instantiate (%s): %s", status_name(st), err.message);
    return;
  }
  cs->current = inst;
  if (name) wast_bind(&cs->named, name, nlen, inst);
  pass(cs);
}

static void cmd_definition(cscript_t *cs, const json_value_t *cmd) {
  size_t nlen;
  const char *name = json_get_str(cmd, "name", &nlen);
  weft_error_t err;
  weft_component_t *c = load_component(cs, cmd, &err);
  if (name && wast_bind(&cs->defs, name, nlen, c)) { failf(cs, "out of memory"); return; }
  if (!c) {
    failf(cs, "component definition failed to decode (%s): %s", status_name(err.status),
          err.message);
    return;
  }
  pass(cs);
}

/* The parenthesised form that starts on line `line` of the .wast source
 * (the converter cuts "text" at 400 characters): parsed, or NULL. */
static cw_sxdoc_t *form_from_source(cscript_t *cs) {
  if (!cs->source[0] || cs->line == 0) return NULL;
  char why[256];
  size_t len;
  char *t = wast_read_file(cs->source, &len, why, sizeof why);
  if (!t) return NULL;
  size_t i = 0;
  for (uint64_t l = 1; l < cs->line && i < len; i++)
    if (t[i] == '\n') l++;
  while (i < len && t[i] != '(' && t[i] != '\n') i++;
  cw_sxdoc_t *doc = NULL;
  if (i < len && t[i] == '(') {
    /* the balanced form from i: strings and comments may hold parentheses */
    size_t start = i, depth = 0;
    while (i < len) {
      char c = t[i];
      if (c == '"') {
        for (i++; i < len && t[i] != '"'; i++)
          if (t[i] == '\\') i++;
        i++;
      } else if (c == ';' && i + 1 < len && t[i + 1] == ';') {
        while (i < len && t[i] != '\n') i++;
      } else if (c == '(' && i + 1 < len && t[i + 1] == ';') {
        while (i + 1 < len && !(t[i] == ';' && t[i + 1] == ')')) i++;
        i += 2;
      } else {
        if (c == '(') depth++;
        else if (c == ')' && --depth == 0) { i++; break; }
        i++;
      }
    }
    if (depth == 0 && i <= len) doc = cw_sx_parse(t + start, i - start, why, sizeof why);
  }
  free(t);
  if (doc && cs->verbose)
    printf("  %s:%" PRIu64 ": (the text is cut short: read from %s)\n", cs->label, cs->line,
           cs->source);
  return doc;
}

/* Parses cmd["text"] into an s-expression whose head is `head`; NULL
 * (failure counted) if it cannot. */
static cw_sxdoc_t *parse_text(cscript_t *cs, const json_value_t *cmd, const char *head) {
  size_t len;
  const char *text = json_get_str(cmd, "text", &len);
  if (!text) { failf(cs, "%s without a \"text\"", head); return NULL; }
  char why[256];
  cw_sxdoc_t *doc = cw_sx_parse(text, len, why, sizeof why);
  if (!doc) doc = form_from_source(cs);
  if (!doc) { failf(cs, "%s: cannot read the text: %s", head, why); return NULL; }
  const cw_sx_t *r = cw_sx_root(doc);
  if (r->kind != CW_LIST || r->n == 0 || !cw_sx_is(&r->items[0], head)) {
    char shown[TEXT_SHOW];
    cw_sx_show(doc, r, shown, sizeof shown);
    failf(cs, "expected a (%s ...) text, got %s", head, shown);
    cw_sx_free(doc);
    return NULL;
  }
  return doc;
}

/* (component instance $i $Def) or (component instance $Def) */
static void cmd_instance(cscript_t *cs, const json_value_t *cmd) {
  cw_sxdoc_t *doc = parse_text(cs, cmd, "component");
  if (!doc) return;
  const cw_sx_t *r = cw_sx_root(doc);
  cs->have_instance = 1;
  cs->current = NULL;
  int ok = (r->n == 3 || r->n == 4) && cw_sx_is(&r->items[1], "instance");
  for (size_t i = 2; ok && i < r->n; i++) ok = r->items[i].kind == CW_ATOM;
  if (!ok) {
    char shown[TEXT_SHOW];
    cw_sx_show(doc, r, shown, sizeof shown);
    failf(cs, "unsupported component instance form: %s", shown);
    cw_sx_free(doc);
    return;
  }
  const cw_sx_t *iname = r->n == 4 ? &r->items[2] : NULL;
  const cw_sx_t *dname = &r->items[r->n - 1];
  char sdef[128];
  show_name(dname->s, dname->len, sdef, sizeof sdef);
  if (iname && wast_bind(&cs->named, iname->s, iname->len, NULL)) {
    failf(cs, "out of memory");
    cw_sx_free(doc);
    return;
  }
  wast_binding_t *b = wast_lookup(&cs->defs, dname->s, dname->len);
  if (!b || !b->obj) {
    failf(cs, "component instance: %s %s", b ? "the definition failed to decode:" : "no definition named", sdef);
    cw_sx_free(doc);
    return;
  }
  weft_error_t err;
  weft_cinstance_t *inst;
  weft_status_t st = instantiate(cs, b->obj, &inst, &err);
  if (st != WEFT_OK) {
    failf(cs, "component instance of %s failed (%s): %s", sdef, status_name(st), err.message);
  } else {
    cs->current = inst;
    if (iname) wast_bind(&cs->named, iname->s, iname->len, inst);
    pass(cs);
  }
  cw_sx_free(doc);
}

/* assert_invalid / assert_malformed: the binary must be rejected. */
static void cmd_rejected(cscript_t *cs, const json_value_t *cmd, const char *what) {
  const char *text = json_get_str(cmd, "text", NULL);
  weft_error_t err;
  weft_component_t *c = load_component(cs, cmd, &err);
  if (c) {
    failf(cs, "%s: the component was accepted, expected \"%s\"", what, text ? text : "");
    return;
  }
  if (err.status != WEFT_ERR_INVALID) {
    failf(cs, "%s: %s: %s", what, status_name(err.status), err.message);
    return;
  }
  pass(cs);
  if (text && !strstr(err.message, text)) {
    cs->cnt->mismatched++;
    if (cs->verbose)
      printf("  %s:%" PRIu64 ": message mismatch: got \"%s\", expected \"%s\"\n", cs->label,
             cs->line, err.message, text);
  }
}

static void cmd_unlinkable(cscript_t *cs, const json_value_t *cmd) {
  const char *text = json_get_str(cmd, "text", NULL);
  weft_error_t err;
  weft_component_t *c = load_component(cs, cmd, &err);
  if (!c) {
    failf(cs, "assert_unlinkable: the component failed to decode (%s): %s",
          status_name(err.status), err.message);
    return;
  }
  weft_cinstance_t *inst;
  weft_status_t st = instantiate(cs, c, &inst, &err);
  if (st == WEFT_ERR_LINK) {
    pass(cs);
    if (text && !strstr(err.message, text)) {
      cs->cnt->mismatched++;
      if (cs->verbose)
        printf("  %s:%" PRIu64 ": message mismatch: got \"%s\", expected \"%s\"\n", cs->label,
               cs->line, err.message, text);
    }
  } else if (st == WEFT_OK) {
    failf(cs, "assert_unlinkable: the component linked, expected \"%s\"", text ? text : "");
  } else {
    failf(cs, "assert_unlinkable: %s: %s, expected a link error \"%s\"", status_name(st),
          err.message, text ? text : "");
  }
}

/* assert_trap / assert_uninstantiable on a component: instantiation must
 * trap with a message containing the expected text. */
static void cmd_instance_trap(cscript_t *cs, const json_value_t *cmd, const char *what) {
  const char *text = json_get_str(cmd, "text", NULL);
  weft_error_t err;
  weft_component_t *c = load_component(cs, cmd, &err);
  if (!c) {
    failf(cs, "%s: the component failed to decode (%s): %s", what, status_name(err.status),
          err.message);
    return;
  }
  weft_cinstance_t *inst;
  weft_status_t st = instantiate(cs, c, &inst, &err);
  if (st == WEFT_OK) failf(cs, "%s: the component instantiated, expected a trap \"%s\"", what, text ? text : "");
  else if (st != WEFT_ERR_TRAP)
    failf(cs, "%s: %s: %s, expected a trap \"%s\"", what, status_name(st), err.message, text ? text : "");
  else if (text && !strstr(err.message, text))
    failf(cs, "%s: trapped with \"%s\", expected a trap containing \"%s\"", what, err.message, text);
  else pass(cs);
}

/* ---- invocations ------------------------------------------------------------------ */

typedef enum { ACT_OK, ACT_TRAP, ACT_ERROR } act_t;

typedef struct {
  weft_cfunc_t *f;
  weft_val_t result;
  size_t nres;                 /* 0 or 1 */
  weft_error_t err;            /* ACT_TRAP: the trap */
  char desc[TEXT_SHOW];        /* the action's text */
} call_t;

/* Runs (invoke [$inst] "name" ARG...). */
static act_t run_invoke(cscript_t *cs, const cw_sxdoc_t *doc, const cw_sx_t *act,
                        weft_arena_t *arena, call_t *out, char *why, size_t whylen) {
  memset(out, 0, sizeof *out);
  cw_sx_show(doc, act, out->desc, sizeof out->desc);
  if (act->kind != CW_LIST || act->n < 2 || !cw_sx_is(&act->items[0], "invoke")) {
    snprintf(why, whylen, "unsupported action %s (only invoke)", out->desc);
    return ACT_ERROR;
  }
  size_t i = 1;
  weft_cinstance_t *inst = cs->current;
  if (act->items[1].kind == CW_ATOM) {
    char sname[128];
    show_name(act->items[1].s, act->items[1].len, sname, sizeof sname);
    wast_binding_t *b = wast_lookup(&cs->named, act->items[1].s, act->items[1].len);
    if (!b) { snprintf(why, whylen, "no instance named %s", sname); return ACT_ERROR; }
    if (!b->obj) { snprintf(why, whylen, "instance %s failed to instantiate", sname); return ACT_ERROR; }
    inst = b->obj;
    i = 2;
  } else if (!inst) {
    snprintf(why, whylen, cs->have_instance ? "the latest component failed to instantiate"
                                            : "no component instance");
    return ACT_ERROR;
  }
  if (i >= act->n || act->items[i].kind != CW_STRING || strlen(act->items[i].s) != act->items[i].len) {
    snprintf(why, whylen, "%s: expected the export name as a \"string\"", out->desc);
    return ACT_ERROR;
  }
  const char *name = act->items[i].s;
  char sname[128];
  show_name(name, act->items[i].len, sname, sizeof sname);
  weft_cfunc_t *f = weft_cinstance_func(inst, NULL, name);
  if (!f) {
    snprintf(why, whylen, "no exported function \"%s\"", sname);
    return ACT_ERROR;
  }
  out->f = f;
  const cw_sx_t *jargs = &act->items[i + 1];
  size_t nargs = act->n - i - 1, nparams = weft_cfunc_param_count(f);
  if (nargs != nparams) {
    snprintf(why, whylen, "\"%s\": %zu arguments given, the function takes %zu", sname, nargs, nparams);
    return ACT_ERROR;
  }
  weft_val_t *args = NULL;
  if (nargs) {
    args = nargs <= SIZE_MAX / sizeof *args ? weft_arena_alloc(arena, nargs * sizeof *args) : NULL;
    if (!args) { snprintf(why, whylen, "out of memory"); return ACT_ERROR; }
  }
  for (size_t k = 0; k < nargs; k++) {
    char r[256];
    if (cw_val_from_list(&jargs[k], weft_cfunc_param_type(f, k), arena, &args[k], r, sizeof r)) {
      snprintf(why, whylen, "\"%s\" argument %zu: %s", sname, k + 1, r);
      return ACT_ERROR;
    }
  }
  out->nres = weft_cfunc_result_count(f);
  if (out->nres > 1) {
    snprintf(why, whylen, "\"%s\": %zu results (at most 1 expected)", sname, out->nres);
    return ACT_ERROR;
  }
  weft_status_t st = weft_cfunc_call(f, args, nargs, &out->result, out->nres, arena, &out->err);
  if (st == WEFT_OK) return ACT_OK;
  if (st == WEFT_ERR_TRAP) return ACT_TRAP;
  snprintf(why, whylen, "\"%s\": %s: %.300s", sname, status_name(st), out->err.message);
  return ACT_ERROR;
}

static void format_result(const call_t *c, char *buf, size_t cap) {
  if (c->nres == 0) snprintf(buf, cap, "nothing");
  else cw_val_format(weft_cfunc_result_type(c->f), &c->result, buf, cap);
}

static void cmd_assert_return(cscript_t *cs, const json_value_t *cmd) {
  cw_sxdoc_t *doc = parse_text(cs, cmd, "assert_return");
  if (!doc) return;
  const cw_sx_t *r = cw_sx_root(doc);
  weft_arena_t *arena = weft_arena_new();
  char why[768] = "";
  call_t c;
  if (!arena) { failf(cs, "out of memory"); cw_sx_free(doc); return; }
  if (r->n < 2) {
    failf(cs, "assert_return without an action");
    goto out;
  }
  act_t a = run_invoke(cs, doc, &r->items[1], arena, &c, why, sizeof why);
  if (a == ACT_ERROR) { failf(cs, "assert_return: %s", why); goto out; }
  if (a == ACT_TRAP && async_unsupported(c.err.message)) { skip(cs, WAST_SKIP_ASYNC, c.err.message); goto out; }
  if (a == ACT_TRAP) { failf(cs, "assert_return %s: trapped: %s", c.desc, c.err.message); goto out; }
  size_t nexp = r->n - 2;
  char got[1024], want[1024];
  format_result(&c, got, sizeof got);
  if (nexp != c.nres) {
    failf(cs, "assert_return %s: %zu result value(s) expected, the function has %zu (got %s)", c.desc,
          nexp, c.nres, got);
    goto out;
  }
  if (nexp == 0) { pass(cs); goto out; }
  weft_type_t rt = weft_cfunc_result_type(c.f);
  if (cw_val_check(rt, &c.result, why, sizeof why)) {
    char tn[256];
    cw_type_name(rt, tn, sizeof tn);
    failf(cs, "assert_return %s: the result does not fit its type %s: %s (got %s)", c.desc, tn,
          why, got);
    goto out;
  }
  weft_val_t exp;
  if (cw_val_from_list(&r->items[2], rt, arena, &exp, why, sizeof why)) {
    failf(cs, "assert_return %s: expected value: %s", c.desc, why);
    goto out;
  }
  if (cw_val_equal(&c.result, &exp)) {
    pass(cs);
  } else {
    cw_val_format(rt, &exp, want, sizeof want);
    failf(cs, "assert_return %s: got %s, expected %s", c.desc, got, want);
  }
out:
  weft_arena_free(arena);
  cw_sx_free(doc);
}

/* wasmtime prefixes trap messages with this; the suites' texts sometimes
 * carry it. */
#define WASMTIME_TRAP_PREFIX "wasm trap: "

static void cmd_assert_trap(cscript_t *cs, const json_value_t *cmd) {
  cw_sxdoc_t *doc = parse_text(cs, cmd, "assert_trap");
  if (!doc) return;
  const cw_sx_t *r = cw_sx_root(doc);
  weft_arena_t *arena = weft_arena_new();
  char why[768] = "";
  call_t c;
  if (!arena) { failf(cs, "out of memory"); cw_sx_free(doc); return; }
  if (r->n != 3 || r->items[2].kind != CW_STRING) {
    failf(cs, "assert_trap: expected (assert_trap ACTION \"message\")");
    goto out;
  }
  const char *expect = r->items[2].s;
  if (!strncmp(expect, WASMTIME_TRAP_PREFIX, strlen(WASMTIME_TRAP_PREFIX)))
    expect += strlen(WASMTIME_TRAP_PREFIX);
  act_t a = run_invoke(cs, doc, &r->items[1], arena, &c, why, sizeof why);
  if (a == ACT_ERROR) {
    failf(cs, "assert_trap: %s", why);
  } else if (a == ACT_OK) {
    char got[1024];
    format_result(&c, got, sizeof got);
    failf(cs, "assert_trap %s: returned %s, expected a trap \"%s\"", c.desc, got, expect);
  } else if (!strstr(c.err.message, expect)) {
    failf(cs, "assert_trap %s: trapped with \"%s\", expected a trap containing \"%s\"", c.desc,
          c.err.message, expect);
  } else {
    pass(cs);
  }
out:
  weft_arena_free(arena);
  cw_sx_free(doc);
}

/* A bare action: must not trap. */
static void cmd_action(cscript_t *cs, const json_value_t *cmd) {
  size_t len;
  const char *text = json_get_str(cmd, "text", &len);
  char why[768] = "";
  cw_sxdoc_t *doc = text ? cw_sx_parse(text, len, why, sizeof why) : NULL;
  if (!doc) { failf(cs, "action: %s", text ? why : "no \"text\""); return; }
  weft_arena_t *arena = weft_arena_new();
  call_t c;
  if (!arena) failf(cs, "out of memory");
  else {
    act_t a = run_invoke(cs, doc, cw_sx_root(doc), arena, &c, why, sizeof why);
    if (a == ACT_OK) pass(cs);
    else if (a == ACT_TRAP) failf(cs, "%s trapped: %s", c.desc, c.err.message);
    else failf(cs, "action: %s", why);
  }
  weft_arena_free(arena);
  cw_sx_free(doc);
}

static void run_command(cscript_t *cs, const json_value_t *cmd) {
  const json_value_t *line = json_get(cmd, "line");
  cs->line = line && line->kind == JSON_NUMBER && line->u.num >= 0 && line->u.num < 1e15
                 ? (uint64_t)line->u.num
                 : 0;
  cs->cnt->last_line = cs->line;
  const char *type = json_get_str(cmd, "type", NULL);
  if (!type) { failf(cs, "command without a type"); return; }
  const json_value_t *quote = json_get(cmd, "quote");
  if (!json_get(cmd, "filename") &&
      (json_get(cmd, "parse_error") || (quote && quote->kind == JSON_TRUE))) {
    skip(cs, WAST_SKIP_TEXT, "a text-format case the converter could not turn into a binary");
    return;
  }
  if (!strcmp(type, "component")) cmd_component(cs, cmd);
  else if (!strcmp(type, "component definition")) cmd_definition(cs, cmd);
  else if (!strcmp(type, "component instance")) cmd_instance(cs, cmd);
  else if (!strcmp(type, "assert_return")) cmd_assert_return(cs, cmd);
  else if (!strcmp(type, "assert_trap") && json_get(cmd, "filename")) cmd_instance_trap(cs, cmd, type);
  else if (!strcmp(type, "assert_uninstantiable")) cmd_instance_trap(cs, cmd, type);
  else if (!strcmp(type, "assert_trap")) cmd_assert_trap(cs, cmd);
  else if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed"))
    cmd_rejected(cs, cmd, type);
  else if (!strcmp(type, "assert_unlinkable")) cmd_unlinkable(cs, cmd);
  else if (!strcmp(type, "action") || !strcmp(type, "invoke")) cmd_action(cs, cmd);
  else failf(cs, "unknown command type '%s'", type);
}

/* ---- nyi.txt ------------------------------------------------------------------------ */

/* 1 if `source` ("values/x.wast") is listed in the nyi.txt of the corpus
 * (looked for in the script's directory and two levels up). */
static int listed_nyi(const char *dir, const char *source, size_t slen, int verbose) {
  static const char *const where[] = {"../../nyi.txt", "../nyi.txt", "nyi.txt"};
  for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
    char path[8192], why[128];
    int n = snprintf(path, sizeof path, "%s/%s", dir, where[w]);
    if (n < 0 || (size_t)n >= sizeof path) continue;
    size_t len;
    char *text = wast_read_file(path, &len, why, sizeof why);
    if (!text) continue;
    int found = 0;
    for (size_t i = 0; i < len && !found;) {
      size_t e = i;
      while (e < len && text[e] != '\n') e++;
      size_t a = i, b = e;
      while (a < b && (text[a] == ' ' || text[a] == '\t')) a++;
      while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r')) b--;
      if (b - a >= 2 && text[a] == '.' && text[a + 1] == '/') a += 2;
      if (b > a && text[a] != '#' && b - a == slen && !memcmp(text + a, source, slen)) found = 1;
      i = e + 1;
    }
    free(text);
    if (verbose && found) printf("  (listed in %s)\n", path);
    return found;
  }
  return 0;
}

/* ---- scripts ---------------------------------------------------------------------- */

static void script_free(cscript_t *cs) {
  for (size_t i = cs->insts.n; i-- > 0;) weft_cinstance_free(cs->insts.v[i]);
  free(cs->insts.v);
  for (size_t i = cs->comps.n; i-- > 0;) weft_component_free(cs->comps.v[i]);
  free(cs->comps.v);
  weft_linker_free(cs->linker);
  weft_engine_free(cs->engine);
  wast_bindings_free(&cs->defs);
  wast_bindings_free(&cs->named);
}

/* "suite/file.json" from the path. */
static const char *make_label(const char *path, char *buf, size_t cap) {
  const char *slash = strrchr(path, '/');
  if (!slash) return path;
  const char *p = slash;
  while (p > path && p[-1] != '/') p--;
  snprintf(buf, cap, "%s", p == slash ? slash + 1 : p);
  return buf;
}

static void run_script(const char *path, int verbose, void *ctx, wast_counts_t *cnt) {
  const char *label = ctx;
  cscript_t cs;
  memset(&cs, 0, sizeof cs);
  cs.cnt = cnt;
  cs.verbose = verbose;
  cs.label = label;
  json_doc_t *doc;
  const json_value_t *cmds = wast_open_script(path, label, cs.dir, sizeof cs.dir, &doc, cnt);
  if (!cmds) return;
  /* The script's source name, as nyi.txt lists it. */
  size_t slen;
  const char *source = json_get_str(json_root(doc), "source_filename", &slen);
  char guess[512];
  if (!source) {
    size_t ll = strlen(label);
    snprintf(guess, sizeof guess, "%.*s.wast", (int)(ll > 5 ? ll - 5 : ll), label);
    source = guess;
    slen = strlen(guess);
  }
  int n = snprintf(cs.source, sizeof cs.source, "%s/../../wast/%.*s", cs.dir, (int)slen, source);
  if (n < 0 || (size_t)n >= sizeof cs.source || memchr(source, '\0', slen)) cs.source[0] = '\0';
  if (listed_nyi(cs.dir, source, slen, verbose)) {
    for (size_t i = 0; i < json_len(cmds); i++) {
      cnt->skipped++;
      cnt->skipped_by[WAST_SKIP_NYI]++;
    }
    json_free(doc);
    cnt->done = 1;
    return;
  }
  cs.engine = weft_engine_new();
  cs.linker = cs.engine ? weft_linker_new(cs.engine) : NULL;
  if (!cs.linker) {
    cnt->failed++;
    printf("%s: error: cannot make an engine and a linker\n", label);
  } else {
    for (size_t i = 0; i < json_len(cmds); i++) run_command(&cs, json_at(cmds, i));
  }
  script_free(&cs);
  json_free(doc);
  cnt->done = 1;
}

void cwast_run(const char *path, int verbose, int fork_, unsigned timeout, wast_counts_t *out) {
  char label[512];
  const char *l = make_label(path, label, sizeof label);
  wast_run_script(path, l, verbose, fork_, timeout, run_script, print_summary, (void *)l, out);
}

int cwast_is_component_script(const char *path) {
  char why[256];
  size_t len = 0;
  char *text = wast_read_file(path, &len, why, sizeof why);
  json_doc_t *doc = text ? json_parse(text, len, why, sizeof why) : NULL;
  free(text);
  const json_value_t *cmds = json_get(json_root(doc), "commands");
  int yes = 0;
  const char *first_file = NULL;
  for (size_t i = 0; i < json_len(cmds) && !yes; i++) {
    const json_value_t *c = json_at(cmds, i);
    const char *type = json_get_str(c, "type", NULL);
    if (!type) continue;
    if (!strncmp(type, "component", 9)) yes = 1;
    else if ((!strcmp(type, "assert_return") || !strcmp(type, "assert_trap")) &&
             !json_get(c, "action") && json_get_str(c, "text", NULL))
      yes = 1;
    if (!first_file) first_file = json_get_str(c, "filename", NULL);
  }
  if (!yes && first_file) {
    /* The first binary's preamble tells a component from a core module. */
    const char *slash = strrchr(path, '/');
    char fpath[8192];
    int n = slash ? snprintf(fpath, sizeof fpath, "%.*s/%s", (int)(slash - path), path, first_file)
                  : snprintf(fpath, sizeof fpath, "%s", first_file);
    FILE *f = n > 0 && (size_t)n < sizeof fpath ? fopen(fpath, "rb") : NULL;
    if (f) {
      uint8_t head[8];
      size_t got = fread(head, 1, sizeof head, f);
      fclose(f);
      yes = got == sizeof head && weft_binary_is_component(head, got) == 1;
    }
  }
  json_free(doc);
  return yes;
}
