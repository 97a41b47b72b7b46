/* Hostile modules: huge counts in headers, deep nesting, giant memories and
 * tables, runaway recursion. Each must be refused or trapped within the
 * limits — never crash or exhaust the host. */
#include <stdlib.h>
#include <string.h>

#include "core/module.h"
#include "core/runtime.h"
#include "test.h"
#include "wasm_buf.h"

static void header(buf_t *b) { put(b, "\0asm\1\0\0\0", 8); }
static void section(buf_t *b, uint8_t id, const buf_t *body) {
  byte(b, id);
  uleb(b, body->n);
  put(b, body->p, body->n);
}

/* A module with one function of type [] -> [] whose body is `code`
 * (locals declared by `locals`, which may be NULL for none). */
static buf_t one_func(const buf_t *locals, const buf_t *code) {
  buf_t m = {0}, s = {0};
  header(&m);
  uleb(&s, 1); byte(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
  section(&m, 1, &s); s.n = 0;
  uleb(&s, 1); uleb(&s, 0);
  section(&m, 3, &s); s.n = 0;
  buf_t body = {0};
  if (locals) put(&body, locals->p, locals->n); else uleb(&body, 0);
  put(&body, code->p, code->n);
  uleb(&s, 1); uleb(&s, body.n); put(&s, body.p, body.n);
  section(&m, 10, &s);
  free(s.p); free(body.p);
  return m;
}

static int rejects(const buf_t *m) {
  wf_error_t err = {0};
  wf_module_t *mod = wf_module_decode(m->p, m->n, &err);
  if (mod) { wf_module_free(mod); return 0; }
  return err.failed && err.msg[0];
}

WF_TEST(hostile_huge_type_count) {
  buf_t m = {0}, s = {0};
  header(&m);
  uleb(&s, 0xFFFFFFFFu);  /* claims 4 billion types, has none */
  section(&m, 1, &s);
  CHECK(rejects(&m));
  free(m.p); free(s.p);
}

WF_TEST(hostile_huge_function_and_import_counts) {
  buf_t m = {0}, s = {0};
  header(&m);
  uleb(&s, 0x7FFFFFFFu);
  section(&m, 3, &s);
  CHECK(rejects(&m));
  m.n = 0; s.n = 0;
  header(&m);
  uleb(&s, 0x7FFFFFFFu);
  section(&m, 2, &s);
  CHECK(rejects(&m));
  free(m.p); free(s.p);
}

WF_TEST(hostile_huge_local_count) {
  buf_t locals = {0}, code = {0};
  uleb(&locals, 2);
  uleb(&locals, 0xFFFFFFF0u); byte(&locals, 0x7F);
  uleb(&locals, 0xFFFFFFF0u); byte(&locals, 0x7E);
  byte(&code, 0x0B);
  buf_t m = one_func(&locals, &code);
  CHECK(rejects(&m));
  free(m.p); free(locals.p); free(code.p);
}

WF_TEST(hostile_deep_nesting_refused) {
  buf_t code = {0};
  for (int i = 0; i < 200000; i++) { byte(&code, 0x02); byte(&code, 0x40); }
  for (int i = 0; i < 200000; i++) byte(&code, 0x0B);
  byte(&code, 0x0B);
  buf_t m = one_func(NULL, &code);
  CHECK(rejects(&m));
  free(m.p); free(code.p);
}

WF_TEST(hostile_moderate_nesting_accepted) {
  buf_t code = {0};
  for (int i = 0; i < 1000; i++) { byte(&code, 0x02); byte(&code, 0x40); }
  for (int i = 0; i < 1000; i++) byte(&code, 0x0B);
  byte(&code, 0x0B);
  buf_t m = one_func(NULL, &code);
  wf_error_t err = {0};
  wf_module_t *mod = wf_module_decode(m.p, m.n, &err);
  CHECK(mod != NULL);
  wf_module_free(mod);
  free(m.p); free(code.p);
}

/* (table N funcref) as the only content. */
static buf_t table_module(uint32_t min) {
  buf_t m = {0}, s = {0};
  header(&m);
  uleb(&s, 1); byte(&s, 0x70); byte(&s, 0x00); uleb(&s, min);
  section(&m, 4, &s);
  free(s.p);
  return m;
}

static int instantiates(const buf_t *m, int *trapped) {
  wf_error_t err = {0};
  wf_module_t *mod = wf_module_decode(m->p, m->n, &err);
  if (!mod) return -1;
  wf_store_t *s = wf_store_new();
  wf_error_t ierr = {0};
  *trapped = 0;
  wf_instance_t *inst = wf_instantiate(s, mod, NULL, &ierr, trapped);
  int ok = inst != NULL;
  if (!ok && !ierr.failed) ok = -2; /* failure must say why */
  wf_store_free(s);
  wf_module_free(mod);
  return ok;
}

WF_TEST(hostile_giant_table_refused_cleanly) {
  buf_t m = table_module(0xFFFFFFFFu);
  int trapped;
  CHECK_EQ(instantiates(&m, &trapped), 0);
  free(m.p);
}

WF_TEST(hostile_giant_memory_reserved_not_committed) {
  /* (memory 65536): 4 GiB of address space, which must not be committed. */
  buf_t m = {0}, s = {0};
  header(&m);
  uleb(&s, 1); byte(&s, 0x00); uleb(&s, 65536);
  section(&m, 5, &s);
  int trapped;
  CHECK_EQ(instantiates(&m, &trapped), 1);
  /* More than 65536 pages is invalid. */
  m.n = 0; s.n = 0;
  header(&m);
  uleb(&s, 1); byte(&s, 0x00); uleb(&s, 65537);
  section(&m, 5, &s);
  CHECK(rejects(&m));
  free(m.p); free(s.p);
}

WF_TEST(hostile_runaway_recursion_traps) {
  /* (func $f (call $f)) exported as "f" */
  buf_t m = {0}, s = {0};
  header(&m);
  uleb(&s, 1); byte(&s, 0x60); uleb(&s, 0); uleb(&s, 0);
  section(&m, 1, &s); s.n = 0;
  uleb(&s, 1); uleb(&s, 0);
  section(&m, 3, &s); s.n = 0;
  uleb(&s, 1); uleb(&s, 1); byte(&s, 'f'); byte(&s, 0x00); uleb(&s, 0);
  section(&m, 7, &s); s.n = 0;
  uint8_t body[] = {0x04, 0x00, 0x10, 0x00, 0x0B};
  uleb(&s, 1); put(&s, body, sizeof body);
  section(&m, 10, &s);

  wf_error_t err = {0};
  wf_module_t *mod = wf_module_decode(m.p, m.n, &err);
  CHECK(mod != NULL);
  wf_store_t *st = wf_store_new();
  int trapped = 0;
  wf_instance_t *inst = wf_instantiate(st, mod, NULL, &err, &trapped);
  CHECK(inst != NULL);
  wf_extern_t ex;
  CHECK(wf_instance_export(inst, "f", 1, &ex));
  wf_trapcode_t tc = wf_invoke(st, ex.u.func, NULL, NULL);
  CHECK_EQ(tc, WF_TRAP_STACK_EXHAUSTED);
  /* The store stays usable after the trap. */
  tc = wf_invoke(st, ex.u.func, NULL, NULL);
  CHECK_EQ(tc, WF_TRAP_STACK_EXHAUSTED);
  wf_store_free(st);
  wf_module_free(mod);
  free(m.p); free(s.p);
}
