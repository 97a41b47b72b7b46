/* libFuzzer target: component decode + instantiate with an empty linker
 * (public API), then a call of every exported function (top level and in
 * exported instances) whose parameters can be built without a resource
 * handle, with default arguments (zero, "", [], first case, none, ok);
 * a function whose parameters cannot be built (resource handles, types
 * without a value kind such as error-context) gets a call with an invalid
 * argument, which must be refused (WEFT_ERR_ARG) or trap. A trap poisons an instance (later calls cannot enter it), so after a
 * trap the component is instantiated afresh for the next function.
 *
 * Guest code may loop forever: a watchdog thread interrupts the instance
 * (weft_cinstance_interrupt) WATCHDOG_MS after the input started, also
 * during instantiation (start functions): a per-instance host state made by
 * the linker hands the instance to the watchdog before any guest code runs,
 * and its destructor takes it back before the instance's store goes away.
 *
 * A trap or a refused component is fine; a crash, a sanitizer report, a
 * leak or a broken API invariant (abort) is a finding. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft.h"

#define WATCHDOG_MS 50
#define MAX_CALLS 64
#define MAX_DEPTH 16

/* ---- the watchdog ---- */

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  weft_cinstance_t *inst;   /* the instance being run, or NULL */
  struct timespec deadline; /* CLOCK_MONOTONIC */
  int done, fired;          /* fired: w->inst was interrupted */
} watch_t;

static int past(const struct timespec *d) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > d->tv_sec || (now.tv_sec == d->tv_sec && now.tv_nsec >= d->tv_nsec);
}

static void *watch_main(void *arg) {
  watch_t *w = arg;
  pthread_mutex_lock(&w->mu);
  while (!w->done) {
    if (!w->fired && w->inst && past(&w->deadline)) {
      weft_cinstance_interrupt(w->inst);
      w->fired = 1;
    }
    if (w->fired || past(&w->deadline)) pthread_cond_wait(&w->cv, &w->mu);
    else pthread_cond_timedwait(&w->cv, &w->mu, &w->deadline);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* A host state per instance: registers the instance with the watchdog. */
typedef struct {
  watch_t *w;
} reg_t;

static void *state_new(void *env, weft_cinstance_t *inst) {
  watch_t *w = env;
  reg_t *r = malloc(sizeof *r);
  if (!r) return NULL;
  r->w = w;
  pthread_mutex_lock(&w->mu);
  if (w->inst) abort();   /* one top-level instance at a time */
  w->inst = inst;
  w->fired = 0;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return r;
}

static void state_free(void *state) {
  reg_t *r = state;
  pthread_mutex_lock(&r->w->mu);
  r->w->inst = NULL;
  pthread_mutex_unlock(&r->w->mu);
  free(r);
}

static const char state_key = 0;

/* ---- default argument values ---- */

/* A default value of type t (nested storage from a); 0 if t holds a
 * resource handle or a type the API has no value kind for (error-context,
 * stream, future), or nests too deeply. */
static int default_val(weft_type_t t, weft_arena_t *a, weft_val_t *out, int depth) {
  if (depth > MAX_DEPTH) return 0;
  memset(out, 0, sizeof *out);
  weft_vkind_t k = weft_type_kind(t);
  if (k > WEFT_VAL_KIND_COUNT) abort();
  out->kind = k;
  switch (k) {
  case WEFT_VAL_OWN: case WEFT_VAL_BORROW: case WEFT_VAL_KIND_COUNT: return 0;
  case WEFT_VAL_STRING: out->of.str.ptr = ""; return 1;
  case WEFT_VAL_LIST: return 1;   /* [] */
  case WEFT_VAL_RECORD: case WEFT_VAL_TUPLE: {
    size_t n = weft_type_field_count(t);
    if (!n) return 1;
    weft_val_t *v = weft_arena_alloc(a, n * sizeof *v);
    if (!v) return 0;
    for (size_t i = 0; i < n; i++)
      if (!default_val(weft_type_field_type(t, i), a, &v[i], depth + 1)) return 0;
    out->of.seq.v = v;
    out->of.seq.n = n;
    return 1;
  }
  case WEFT_VAL_VARIANT: {
    if (!weft_type_field_count(t)) abort();   /* validation refuses empty variants */
    weft_type_t p = weft_type_field_type(t, 0);
    if (p.table) {
      weft_val_t *v = weft_arena_alloc(a, sizeof *v);
      if (!v || !default_val(p, a, v, depth + 1)) return 0;
      out->of.var.payload = v;
    }
    return 1;
  }
  case WEFT_VAL_RESULT: {
    weft_type_t p = weft_type_elem(t);
    if (p.table) {
      weft_val_t *v = weft_arena_alloc(a, sizeof *v);
      if (!v || !default_val(p, a, v, depth + 1)) return 0;
      out->of.var.payload = v;
    }
    return 1;
  }
  default: return 1;   /* scalars 0, char U+0000, enum case 0, option none, flags {} */
  }
}

/* ---- calls ---- */

/* Returns 1 if the call trapped (the instance is poisoned). */
static int call_func(weft_cfunc_t *f, weft_arena_t *a) {
  size_t np = weft_cfunc_param_count(f);
  size_t nr = weft_cfunc_result_count(f);
  if (nr > 1) abort();
  weft_arena_reset(a);
  weft_val_t *args = np ? weft_arena_alloc(a, np * sizeof *args) : NULL;
  if (np && !args) return 0;
  int buildable = 1;
  for (size_t i = 0; i < np; i++) {
    if (!weft_cfunc_param_name(f, i)) abort();
    if (!default_val(weft_cfunc_param_type(f, i), a, &args[i], 0)) buildable = 0;
  }
  weft_val_t res[1];
  weft_error_t err;
  if (!buildable) {
    /* A handle that names no resource type (rep 0) or a value for a type
     * without a kind must be refused before any guest code runs. */
    weft_status_t st = weft_cfunc_call(f, args, np, res, nr, a, &err);
    if (st != WEFT_ERR_ARG && st != WEFT_ERR_TRAP && st != WEFT_ERR_NOMEM) abort();
    return st == WEFT_ERR_TRAP;
  }
  weft_status_t st = weft_cfunc_call(f, args, np, res, nr, a, &err);
  if (st == WEFT_OK) {
    if (nr && res[0].kind != weft_type_kind(weft_cfunc_result_type(f))) abort();
    char buf[256];
    if (nr) weft_wave_print(weft_cfunc_result_type(f), &res[0], buf, sizeof buf);
  } else if (st == WEFT_ERR_TRAP) {
    if (err.trap == WEFT_TRAP_NONE || !err.message[0]) abort();
    return 1;
  } else if (st != WEFT_ERR_NOMEM) {
    abort();   /* the arguments were built from the parameter types */
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  weft_engine_t *engine = weft_engine_new();
  if (!engine) return 0;
  weft_component_t *c = NULL;
  weft_error_t err;
  if (weft_component_new(engine, data, size, &c, &err) != WEFT_OK) {
    if (c || !err.message[0]) abort();
    weft_engine_free(engine);
    return 0;
  }
  watch_t w;
  memset(&w, 0, sizeof w);
  pthread_mutex_init(&w.mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w.cv, &ca);
  pthread_condattr_destroy(&ca);
  clock_gettime(CLOCK_MONOTONIC, &w.deadline);
  w.deadline.tv_nsec += WATCHDOG_MS * 1000000L;
  if (w.deadline.tv_nsec >= 1000000000L) { w.deadline.tv_sec++; w.deadline.tv_nsec -= 1000000000L; }
  pthread_t th;
  int have_thread = pthread_create(&th, NULL, watch_main, &w) == 0;

  weft_linker_t *l = weft_linker_new(engine);
  weft_cinstance_t *inst = NULL;
  int linked = 0;
  if (l && have_thread && weft_linker_define_state(l, &state_key, state_new, state_free, &w, &err) == WEFT_OK) {
    linked = 1;
    weft_status_t st = weft_linker_instantiate(l, c, NULL, &inst, &err);
    if (st != WEFT_OK && (inst || !err.message[0])) abort();
  }
  weft_instance_pre_t *pre = NULL;
  weft_arena_t *a = inst ? weft_arena_new() : NULL;
  size_t ncalls = 0;
  int stop = 0;
  for (size_t i = 0; a && !stop && i < weft_component_export_count(c) && ncalls < MAX_CALLS; i++) {
    weft_item_kind_t kind;
    const char *name = weft_component_export(c, i, &kind);
    if (!name) abort();
    size_t m = kind == WEFT_ITEM_FUNC ? 1 : kind == WEFT_ITEM_INSTANCE ? weft_component_export_item_count(c, i) : 0;
    for (size_t j = 0; j < m && !stop && ncalls < MAX_CALLS; j++) {
      const char *iname = NULL;
      if (kind == WEFT_ITEM_INSTANCE) {
        weft_item_kind_t ik;
        if (!(iname = weft_component_export_item(c, i, j, &ik))) abort();
        if (ik != WEFT_ITEM_FUNC) continue;
      }
      if (!inst) {   /* the last call trapped: a fresh instance, from a pre-linked component */
        if (past(&w.deadline) || !linked) {
          stop = 1;
          break;
        }
        if (!pre) {
          weft_status_t st = weft_linker_instantiate_pre(l, c, &pre, &err);
          if (st != WEFT_OK && (pre || st != WEFT_ERR_NOMEM)) abort();   /* it linked before */
        }
        if (!pre || weft_instance_pre_instantiate(pre, NULL, &inst, &err) != WEFT_OK) {
          stop = 1;
          break;
        }
      }
      weft_cfunc_t *f = iname ? weft_cinstance_func(inst, name, iname) : weft_cinstance_func(inst, NULL, name);
      if (!f) {
        if (!iname) abort();   /* an exported function is reachable by its name */
        continue;
      }
      ncalls++;
      if (call_func(f, a)) {
        weft_cinstance_free(inst);
        inst = NULL;
      }
    }
  }
  weft_arena_free(a);
  weft_instance_pre_free(pre);   /* may come before its instances are freed */
  weft_cinstance_free(inst);
  if (have_thread) {
    pthread_mutex_lock(&w.mu);
    w.done = 1;
    pthread_cond_broadcast(&w.cv);
    pthread_mutex_unlock(&w.mu);
    pthread_join(th, NULL);
  }
  pthread_cond_destroy(&w.cv);
  pthread_mutex_destroy(&w.mu);
  weft_linker_free(l);
  weft_component_free(c);
  weft_engine_free(engine);
  return 0;
}
