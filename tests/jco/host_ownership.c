/* The ownership fixtures (owning, borrowing, borrowing-duplicate-if-necessary):
 * one guest built with wit-bindgen's three parameter-ownership modes; foo()
 * passes nested lists, records of lists and a record holding a host
 * resource to the host, which checks them (wit-bindgen tests/runtime/ownership). */
#include <string.h>

#include "host.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define THING "{name: \"thing 1\", value: [\"some value\", \"another value\"]}"
static fx_script_t own_imports[] = {
  {"lists", "foo", (const fx_case_t[]){{"([[\"foo\", \"bar\"]])", "[[\"foo\", \"bar\"]]"}}, 1, 0},
  {"thing-in", "bar", (const fx_case_t[]){{"(" THING ")", NULL}}, 1, 0},
  {"thing-in-and-out", "baz", (const fx_case_t[]){{"(" THING ")", THING}}, 1, 0},
  {"test:ownership/both-list-and-resource", "list-and-resource",
   (const fx_case_t[]){{"({a: [\"foo\", \"bar\", \"baz\"], b: own<the-resource:1>})", NULL}}, 1, 0},
};

static int the_resource_new(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs,
                            weft_val_t *results, size_t nresults) {
  fx_t *fx = fx_of(call);
  char got[256];
  fxv_print_args(fx, call, args, nargs, got, sizeof got);
  if (strcmp(got, "([\"foo\", \"bar\", \"baz\"])") != 0) {
    fx_fail(fx, "[constructor]the-resource called with %s, expected ([\"foo\", \"bar\", \"baz\"])", got);
    weft_call_trap(call, "test host: bad constructor arguments");
    return 1;
  }
  uint64_t rep = fx_obj_new(fx);
  if (!rep || nresults != 1) { weft_call_trap(call, "test host: constructor"); return 1; }
  results[0] = fx_res(WEFT_VAL_OWN, env, rep);
  return 0;
}

static int ownership_setup(fx_t *fx) {
  const char *I = "test:ownership/both-list-and-resource";
  weft_resource_type_t *t = fx_define_resource(fx, I, "the-resource");
  fx_define(fx, I, "[constructor]the-resource", the_resource_new, t);
  fx_define_scripts(fx, own_imports, N(own_imports));
  return 0;
}

static int ownership_run(fx_t *fx) {
  fx_call(fx, NULL, "foo", "()", NULL);
  for (size_t i = 0; i < N(own_imports) && !fx->failed; i++)
    fx_check(fx, own_imports[i].calls == 1, "foo() called %s#%s %d times, expected 1", own_imports[i].interface,
             own_imports[i].name, own_imports[i].calls);
  return 0;
}

const fx_fixture_t fx_fixtures_ownership[] = {
  {"owning", ownership_setup, ownership_run, NULL, NULL},
  {"borrowing", ownership_setup, ownership_run, NULL, NULL},
  {"borrowing-duplicate-if-necessary", ownership_setup, ownership_run, NULL, NULL},
};
const size_t fx_fixtures_ownership_count = N(fx_fixtures_ownership);
