/* Test host for the jco runtime fixtures (real wit-bindgen components).
 *
 * A client of include/weft.h only. Each fixture gets its own linker with the
 * test:* imports it needs (checked and answered by this host), test doubles
 * for the few WASI functions the guests' adapters may call, then its exports
 * are called and the results compared with what the upstream tests expect.
 *
 * Values are written and compared as text in a WAVE-like syntax, typed by the
 * component's own function types (see values.c):
 *   true 42 -7 1.5 nan inf 'x' "str" [1, 2] (1, "a") {a: 1, b: 2}
 *   case case(payload) some(x) none ok ok(x) err err(x) {flag-a, flag-c}
 *   $N   the resource value held in slot N of the fixture (own or borrow)
 */
#ifndef JCO_HOST_H
#define JCO_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "weft.h"

#define FX_SLOTS 32
#define FX_HOSTRES 64
#define FX_TYPES 16

typedef struct fx fx_t;

/* One (expected arguments -> result) pair of a scripted import. */
typedef struct {
  const char *args;     /* printed arguments "(a, b)"; NULL matches anything */
  const char *result;   /* result text; NULL for a function without result */
} fx_case_t;

/* A scripted import: calls are matched against `cases` by their printed
 * arguments; a call matching no case fails the fixture. */
typedef struct {
  const char *interface, *name;
  const fx_case_t *cases;
  size_t ncases;
  int calls;            /* filled in: number of calls */
} fx_script_t;

/* An object made by a host resource constructor (rep = index + 1). */
typedef struct {
  int live;
  int64_t i;
  double f;
  char *s;              /* malloc'd, or NULL */
  size_t slen;
} fx_obj_t;

struct fx {
  const char *name;
  weft_engine_t *engine;
  weft_component_t *comp;
  weft_linker_t *linker;
  weft_cinstance_t *inst;
  weft_arena_t *arena;          /* results of export calls */
  int failed;
  char reason[1536];
  /* resource values kept between calls ($N in value text) */
  weft_val_t slots[FX_SLOTS];
  /* host resource objects */
  fx_obj_t objs[FX_HOSTRES];
  int dtor_calls;
  /* names of resource types this host defined, for printing */
  struct { weft_resource_type_t *t; const char *name; } types[FX_TYPES];
  int ntypes;
  /* captured guest output through the WASI doubles (stdout+stderr) */
  char out[1024];
  size_t outlen;
  /* free-form counters and state for fixture code */
  int64_t n[16];
  weft_resource_type_t *wasi_out, *wasi_in;   /* WASI stream types (doubles) */
  const char *last_import;      /* name of the last import called (for messages) */
  int wave_check;               /* also round-trip every export result through WAVE */
  int wave_checked;             /* number of results round-tripped */
};

/* ---- failures ---- */
void fx_fail(fx_t *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- values (values.c) ---- */
/* Parse text as a value of type t; nested storage in arena. 0 on success,
 * else -1 with a message in err. */
int fxv_parse(fx_t *fx, weft_type_t t, const char *text, weft_arena_t *arena, weft_val_t *out,
              char *err, size_t errcap);
/* Parse "(a, b)" against n parameter types. */
int fxv_parse_args(fx_t *fx, const weft_type_t *types, size_t n, const char *text,
                   weft_arena_t *arena, weft_val_t *out, char *err, size_t errcap);
/* Print v as text (typed when t.table != NULL, else by value kind). */
void fxv_print(fx_t *fx, weft_type_t t, const weft_val_t *v, char *buf, size_t cap);
/* Deep copy into arena. 0 on success, -1 on OOM. */
int fxv_copy(weft_arena_t *arena, const weft_val_t *src, weft_val_t *dst);
/* Print the arguments of a host call "(a, b)". */
void fxv_print_args(fx_t *fx, weft_call_t *call, const weft_val_t *args, size_t nargs, char *buf,
                    size_t cap);

/* ---- linking (host.c) ---- */
void fx_define(fx_t *fx, const char *interface, const char *name, weft_host_fn fn, void *env);
weft_resource_type_t *fx_define_resource(fx_t *fx, const char *interface, const char *name);
/* Define every scripted import in scripts[0..n). */
void fx_define_scripts(fx_t *fx, fx_script_t *scripts, size_t n);
/* Host function: returns its argument (one parameter) or the tuple of its
 * arguments (several), deep-copied. */
int fx_echo(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
            size_t nresults);
/* Host function: records the call in fx->n[(intptr_t)env] and returns nothing. */
int fx_count(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
             size_t nresults);
/* WASI test doubles for every wasi:* import of the component (wasi_doubles.c). */
void fx_define_wasi(fx_t *fx);

/* ---- calling exports (host.c) ----
 * Call instance.name with arguments given as text "(a, b)" (or "()"), and
 * compare the printed result with `expect` (NULL: any/none). Returns 0 if it
 * went as expected, else records the failure and returns -1. If `slot` >= 0
 * the result is stored in fx->slots[slot]. */
int fx_call(fx_t *fx, const char *instance, const char *name, const char *args, const char *expect);
int fx_call_slot(fx_t *fx, const char *instance, const char *name, const char *args,
                 const char *expect, int slot);
/* The same, expecting a trap whose message contains `needle`. */
int fx_call_trap(fx_t *fx, const char *instance, const char *name, const char *args,
                 const char *needle);
/* Call with ready-made argument values; returns the status, err filled. */
weft_status_t fx_call_vals(fx_t *fx, const char *instance, const char *name, const weft_val_t *args,
                           size_t nargs, weft_val_t *result, weft_error_t *err);
/* Drop the owned resource in slot i. */
int fx_drop(fx_t *fx, int slot);
/* Check a condition; records "what" as failure if false. */
int fx_check(fx_t *fx, int cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- host resource objects ---- */
fx_t *fx_of(weft_call_t *call);
uint64_t fx_obj_new(fx_t *fx);             /* 0 when full (call fails) */
fx_obj_t *fx_obj(fx_t *fx, uint64_t rep);  /* NULL if not live */
void fx_resource_dtor(void *env, uint64_t rep);
/* Build an own/borrow value of a host type. */
weft_val_t fx_res(weft_vkind_t kind, weft_resource_type_t *t, uint64_t rep);

/* ---- fixtures ---- */
typedef struct {
  const char *name;        /* file name without ".component.wasm" / ".wasm" */
  int (*setup)(fx_t *fx);  /* define imports (before instantiation) */
  int (*run)(fx_t *fx);    /* call exports, check */
  const char *skip;        /* non-NULL: not run, and why */
  const char *file;        /* fixture file name when it differs from `name` */
} fx_fixture_t;

extern const fx_fixture_t fx_fixtures_basic[];
extern const size_t fx_fixtures_basic_count;
extern const fx_fixture_t fx_fixtures_resources[];
extern const size_t fx_fixtures_resources_count;
extern const fx_fixture_t fx_fixtures_ownership[];
extern const size_t fx_fixtures_ownership_count;
extern const fx_fixture_t fx_fixtures_api[];
extern const size_t fx_fixtures_api_count;

#endif
