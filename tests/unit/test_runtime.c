/* Unit tests of the core runtime (store, memories, tables, traps,
 * instantiation on hand-built modules) and of the public API objects. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/runtime.h"
#include "test.h"
#include "weft.h"

static wf_memtype_t memtype(uint32_t min, int has_max, uint32_t max) {
  wf_memtype_t t;
  memset(&t, 0, sizeof t);
  t.lim.min = min;
  t.lim.has_max = has_max;
  t.lim.max = max;
  return t;
}

static wf_tabletype_t tabletype(uint32_t min, int has_max, uint32_t max) {
  wf_tabletype_t t;
  memset(&t, 0, sizeof t);
  t.elem = WF_T_FUNCREF;
  t.lim.min = min;
  t.lim.has_max = has_max;
  t.lim.max = max;
  return t;
}

WF_TEST(trap_messages) {
  CHECK(!strcmp(wf_trap_message(WF_TRAP_MEM_OOB), "out of bounds memory access"));
  CHECK(!strcmp(wf_trap_message(WF_TRAP_DIV_ZERO), "integer divide by zero"));
  CHECK(!strcmp(wf_trap_message(WF_TRAP_STACK_EXHAUSTED), "call stack exhausted"));
  CHECK(!strcmp(wf_trap_message((wf_trapcode_t)999), "unknown trap"));
}

WF_TEST(store_intern_types) {
  wf_store_t *s = wf_store_new();
  CHECK(s);
  uint8_t p1[] = {WF_T_I32, WF_T_I64}, r1[] = {WF_T_F32};
  uint8_t p2[] = {WF_T_I32, WF_T_I64}, r2[] = {WF_T_F32};
  wf_functype_t a = {2, 1, p1, r1}, b = {2, 1, p2, r2}, c = {1, 1, p1, r1}, d = {0, 0, NULL, NULL};
  uint32_t ia = wf_store_intern_type(s, &a), ib = wf_store_intern_type(s, &b);
  uint32_t ic = wf_store_intern_type(s, &c), id = wf_store_intern_type(s, &d);
  CHECK_EQ(ia, ib);
  CHECK(ia != ic && ia != id && ic != id);
  CHECK_EQ(wf_store_intern_type(s, &d), id);
  /* Many distinct types: ids stay stable through rehashing. */
  uint8_t ps[4] = {0x7F, 0x7F, 0x7F, 0x7F};
  uint32_t ids[200];
  for (int i = 0; i < 200; i++) {
    ps[0] = (uint8_t)(0x7C + i % 4);
    ps[1] = (uint8_t)(0x7C + (i / 4) % 4);
    ps[2] = (uint8_t)(0x7C + (i / 16) % 4);
    wf_functype_t t = {(uint32_t)(1 + i / 64), 0, ps, NULL};
    ids[i] = wf_store_intern_type(s, &t);
  }
  for (int i = 0; i < 200; i++) {
    ps[0] = (uint8_t)(0x7C + i % 4);
    ps[1] = (uint8_t)(0x7C + (i / 4) % 4);
    ps[2] = (uint8_t)(0x7C + (i / 16) % 4);
    wf_functype_t t = {(uint32_t)(1 + i / 64), 0, ps, NULL};
    CHECK_EQ(wf_store_intern_type(s, &t), ids[i]);
  }
  CHECK_EQ(wf_store_intern_type(s, &a), ia);
  wf_store_free(s);
}

WF_TEST(memory_reserve_and_grow) {
  wf_store_t *s = wf_store_new();
  wf_error_t err;
  wf_error_clear(&err);
  wf_memtype_t t = memtype(1, 1, 3);
  wf_meminst_t *m = wf_memory_new(s, &t, &err);
  CHECK(m);
  CHECK_EQ(m->pages, 1);
  CHECK_EQ(m->size, WF_PAGE_SIZE);
#ifdef WF_BOUNDS_CHECK
  CHECK(m->reserved >= (size_t)3 * WF_PAGE_SIZE);  /* explicit checks: up to the max */
#else
  CHECK(m->reserved >= ((size_t)1 << 33));         /* guard pages: any u32 addr + offset */
#endif
  CHECK(wf_store_memories(s) == m);
  m->base[0] = 1;
  m->base[WF_PAGE_SIZE - 1] = 2;
  uint8_t *base = m->base;
  CHECK_EQ(wf_memory_grow(m, 0), 1);
  CHECK_EQ(wf_memory_grow(m, 2), 1);
  CHECK(m->base == base);
  CHECK_EQ(m->pages, 3);
  m->base[3 * WF_PAGE_SIZE - 1] = 3;   /* the new pages are writable and zero */
  CHECK_EQ(m->base[2 * WF_PAGE_SIZE], 0);
  CHECK_EQ(wf_memory_grow(m, 1), -1);  /* past the declared max */
  CHECK_EQ(m->pages, 3);
  CHECK_EQ(m->base[WF_PAGE_SIZE - 1], 2);

  /* No declared max: limited by 65536 pages. */
  wf_memtype_t t2 = memtype(0, 0, 0);
  wf_meminst_t *m2 = wf_memory_new(s, &t2, &err);
  CHECK(m2);
  CHECK_EQ(m2->pages, 0);
#ifdef WF_BOUNDS_CHECK
  CHECK_EQ(m2->max_pages, 16384);   /* the valgrind build's cap (memory.c) */
#else
  CHECK_EQ(m2->max_pages, WF_MAX_MEM_PAGES);
#endif
  CHECK_EQ(wf_memory_grow(m2, 65537), -1);
  CHECK_EQ(wf_memory_grow(m2, 0xFFFFFFFFu), -1);
  CHECK(wf_store_memories(s) == m2 && m2->next == m);

  /* Min above the allowed max fails cleanly. */
  wf_memtype_t t3 = memtype(65537, 0, 0);
  CHECK(!wf_memory_new(s, &t3, &err));
  CHECK(err.failed);
  wf_store_free(s);
}

/* Touches p with a fault context set for s; returns 1 if it trapped. */
static int touch_traps(wf_store_t *s, volatile uint8_t *p, int write) {
  wf_fault_ctx_t ctx;
  ctx.store = s;
  ctx.prev = wf_fault_current;
  wf_fault_current = &ctx;
  int trapped = 0;
  if (sigsetjmp(ctx.jmp, 1) == 0) {
    if (write) *p = 7;
    else (void)*p;
  } else {
    trapped = 1;
  }
  wf_fault_current = ctx.prev;
  return trapped;
}

WF_TEST(memory_fault_handler) {
  wf_store_t *s = wf_store_new();
  wf_error_t err;
  wf_error_clear(&err);
  wf_memtype_t t = memtype(1, 0, 0);
  wf_meminst_t *m = wf_memory_new(s, &t, &err);
  CHECK(m);
  CHECK_EQ(touch_traps(s, m->base + 10, 1), 0);
  CHECK_EQ(m->base[10], 7);
  CHECK_EQ(touch_traps(s, m->base + WF_PAGE_SIZE, 0), 1);
  CHECK_EQ(touch_traps(s, m->base + WF_PAGE_SIZE, 1), 1);
  /* The farthest reachable byte: u32 max address + u32 max offset + 7. */
  CHECK_EQ(touch_traps(s, m->base + 0xFFFFFFFFull + 0xFFFFFFFFull + 7, 0), 1);
  /* After growing, the page is accessible; a second trap still works. */
  CHECK_EQ(wf_memory_grow(m, 1), 1);
  CHECK_EQ(touch_traps(s, m->base + WF_PAGE_SIZE, 1), 0);
  CHECK_EQ(touch_traps(s, m->base + 2 * WF_PAGE_SIZE, 1), 1);
  CHECK(wf_fault_current == NULL);
  wf_store_free(s);
}

/* Each thread that runs wasm gets the handler's alternate stack; faults in
 * two threads with two stores are told apart. */
static void *thread_faults(void *arg) {
  (void)arg;
  wf_store_t *s = wf_store_new();
  wf_memtype_t t = memtype(1, 0, 0);
  wf_meminst_t *m = wf_memory_new(s, &t, NULL);
  intptr_t ok = m != NULL;
  stack_t ss;
  ok = ok && sigaltstack(NULL, &ss) == 0 && !(ss.ss_flags & SS_DISABLE);
  for (int i = 0; ok && i < 100; i++) {
    ok = touch_traps(s, m->base + WF_PAGE_SIZE + (size_t)i * 4096, i & 1) == 1 &&
         touch_traps(s, m->base + (size_t)i * 8, 1) == 0;
  }
  wf_store_free(s);
  return (void *)ok;
}

WF_TEST(memory_faults_in_threads) {
  pthread_t th[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&th[i], NULL, thread_faults, NULL) == 0);
  for (int i = 0; i < 4; i++) {
    void *ok = NULL;
    CHECK(pthread_join(th[i], &ok) == 0);
    CHECK(ok == (void *)1);
  }
}

/* In a child process: fault with a context for store `ctx_store`, at an
 * inaccessible address that is either in another store's memory
 * (other_store = 1) or in no memory at all. Returns the wait status. */
static int child_fault(int other_store) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    wf_store_t *s = wf_store_new(), *s2 = wf_store_new();
    wf_memtype_t t = memtype(1, 0, 0);
    wf_memory_new(s, &t, NULL);
    wf_meminst_t *m2 = wf_memory_new(s2, &t, NULL);
    volatile uint8_t *p;
    if (other_store) {
      p = m2->base + 2 * WF_PAGE_SIZE;
    } else {
      /* An inaccessible page that belongs to no linear memory. */
      void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (page == MAP_FAILED) _exit(3);
      p = page;
    }
    touch_traps(s, p, 1);
    _exit(0);   /* reached only if the fault was wrongly swallowed */
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return status;
}

/* A fault outside the current store's memories must still kill the process,
 * even while a fault context is active (never swallow real bugs). */
WF_TEST(fault_outside_memory_crashes) {
  int st = child_fault(0);
  CHECK(st != -1 && WIFSIGNALED(st));
  CHECK_EQ(WTERMSIG(st), SIGSEGV);
  st = child_fault(1);
  CHECK(st != -1 && WIFSIGNALED(st));
  CHECK_EQ(WTERMSIG(st), SIGSEGV);
}

WF_TEST(table_new_grow_fill_copy) {
  wf_store_t *s = wf_store_new();
  wf_error_t err;
  wf_error_clear(&err);
  wf_tabletype_t tt = tabletype(2, 1, 5);
  wf_tableinst_t *t = wf_table_new(s, &tt, 0, &err);
  CHECK(t);
  CHECK_EQ(t->size, 2);
  CHECK_EQ(t->elems[0], 0);
  CHECK_EQ(wf_table_grow(t, 2, 42), 2);
  CHECK_EQ(t->size, 4);
  CHECK_EQ(t->elems[3], 42);
  CHECK_EQ(wf_table_grow(t, 2, 0), -1);
  CHECK_EQ(wf_table_grow(t, 1, 0), 4);
  CHECK_EQ(wf_table_grow(t, 0, 0), 5);

  CHECK_EQ(wf_op_table_fill(t, 1, 9, 3), WF_TRAP_NONE);
  CHECK_EQ(t->elems[0], 0);
  CHECK_EQ(t->elems[1], 9);
  CHECK_EQ(t->elems[3], 9);
  CHECK_EQ(t->elems[4], 0);
  CHECK_EQ(wf_op_table_fill(t, 5, 1, 0), WF_TRAP_NONE);   /* zero at the end is fine */
  CHECK_EQ(wf_op_table_fill(t, 6, 1, 0), WF_TRAP_TABLE_OOB);
  CHECK_EQ(wf_op_table_fill(t, 3, 1, 3), WF_TRAP_TABLE_OOB);
  CHECK_EQ(t->elems[3], 9);                                /* nothing written */
  CHECK_EQ(wf_op_table_fill(t, 0xFFFFFFFFu, 1, 2), WF_TRAP_TABLE_OOB);

  /* Unlimited table: limited by WF_MAX_TABLE_ELEMS. */
  wf_tabletype_t tu = tabletype(0, 0, 0);
  wf_tableinst_t *u = wf_table_new(s, &tu, 0, &err);
  CHECK(u);
  CHECK_EQ(wf_table_grow(u, WF_MAX_TABLE_ELEMS + 1, 0), -1);
  CHECK_EQ(wf_table_grow(u, 0xFFFFFFFFu, 0), -1);
  wf_tabletype_t big = tabletype(WF_MAX_TABLE_ELEMS + 1, 0, 0);
  CHECK(!wf_table_new(s, &big, 0, &err));
  CHECK(err.failed);

  /* table.copy with overlap, in both directions. */
  wf_tableinst_t *tabs[1] = {t};
  wf_instance_t inst;
  memset(&inst, 0, sizeof inst);
  inst.tables = tabs;
  for (uint32_t i = 0; i < 5; i++) t->elems[i] = i + 1;
  CHECK_EQ(wf_op_table_copy(&inst, 0, 0, 1, 0, 4), WF_TRAP_NONE);
  CHECK_EQ(t->elems[0], 1);
  CHECK_EQ(t->elems[1], 1);
  CHECK_EQ(t->elems[4], 4);
  for (uint32_t i = 0; i < 5; i++) t->elems[i] = i + 1;
  CHECK_EQ(wf_op_table_copy(&inst, 0, 0, 0, 1, 4), WF_TRAP_NONE);
  CHECK_EQ(t->elems[0], 2);
  CHECK_EQ(t->elems[3], 5);
  CHECK_EQ(t->elems[4], 5);
  CHECK_EQ(wf_op_table_copy(&inst, 0, 0, 0, 2, 4), WF_TRAP_TABLE_OOB);
  CHECK_EQ(wf_op_table_copy(&inst, 0, 0, 5, 0, 0), WF_TRAP_NONE);
  CHECK_EQ(wf_op_table_copy(&inst, 0, 0, 0, 6, 0), WF_TRAP_TABLE_OOB);
  wf_store_free(s);
}

/* ---- instantiation of hand-built modules ---- */

typedef struct {
  wf_module_t m;
  wf_functype_t types[1];
  wf_import_t imports[2];
  uint32_t func_type[2];
  wf_func_t funcs[2];
  wf_tabletype_t tables[1];
  wf_memtype_t mems[1];
  wf_global_t globals[2];
  wf_export_t exports[4];
  wf_elem_t elems[3];
  wf_constexpr_t items[4];
  wf_data_t datas[2];
} testmod_t;

/* Imports a table (min 4) and a memory (min 1); defines two functions of
 * type [] -> [], globals (i32 const 7, funcref = func 1); exports "f",
 * "g", "t", "m"; elem 0 active at 1: [func 0, func 1]; elem 1 passive;
 * elem 2 declarative; data 0 active at `data_off`: "hi"; data 1 passive. */
static void testmod_init(testmod_t *t, uint32_t elem_off, uint32_t data_off) {
  memset(t, 0, sizeof *t);
  wf_module_t *m = &t->m;
  m->types = t->types;
  m->ntypes = 1;
  m->imports = t->imports;
  m->nimports = 2;
  t->imports[0] = (wf_import_t){"env", 3, "tab", 3, WF_EXTERN_TABLE, {.table = tabletype(4, 0, 0)}};
  t->imports[1] = (wf_import_t){"env", 3, "mem", 3, WF_EXTERN_MEMORY, {.mem = memtype(1, 0, 0)}};
  m->nfuncs = 2;
  m->func_type = t->func_type;
  m->funcs = t->funcs;
  m->ntables = 1;
  m->ntable_imports = 1;
  m->tables = t->tables;
  t->tables[0] = tabletype(4, 0, 0);
  m->nmems = 1;
  m->nmem_imports = 1;
  m->mems = t->mems;
  t->mems[0] = memtype(1, 0, 0);
  m->nglobals = 2;
  m->globals = t->globals;
  t->globals[0].type = (wf_globaltype_t){WF_T_I32, false};
  t->globals[0].init = (wf_constexpr_t){.kind = WF_CONST_I32, .bits = 7};
  t->globals[1].type = (wf_globaltype_t){WF_T_FUNCREF, true};
  t->globals[1].init = (wf_constexpr_t){.kind = WF_CONST_REF_FUNC, .index = 1};
  m->exports = t->exports;
  m->nexports = 4;
  t->exports[0] = (wf_export_t){"f", 1, WF_EXTERN_FUNC, 1};
  t->exports[1] = (wf_export_t){"g", 1, WF_EXTERN_GLOBAL, 0};
  t->exports[2] = (wf_export_t){"t", 1, WF_EXTERN_TABLE, 0};
  t->exports[3] = (wf_export_t){"m", 1, WF_EXTERN_MEMORY, 0};
  t->items[0] = (wf_constexpr_t){.kind = WF_CONST_REF_FUNC, .index = 0};
  t->items[1] = (wf_constexpr_t){.kind = WF_CONST_REF_FUNC, .index = 1};
  t->items[2] = (wf_constexpr_t){.kind = WF_CONST_REF_NULL, .reftype = WF_T_FUNCREF};
  t->items[3] = (wf_constexpr_t){.kind = WF_CONST_REF_FUNC, .index = 0};
  m->elems = t->elems;
  m->nelems = 3;
  t->elems[0] = (wf_elem_t){WF_SEG_ACTIVE, WF_T_FUNCREF, 0,
                            {.kind = WF_CONST_I32, .bits = elem_off}, 2, &t->items[0]};
  t->elems[1] = (wf_elem_t){WF_SEG_PASSIVE, WF_T_FUNCREF, 0, {0}, 2, &t->items[2]};
  t->elems[2] = (wf_elem_t){WF_SEG_DECLARATIVE, WF_T_FUNCREF, 0, {0}, 1, &t->items[0]};
  m->datas = t->datas;
  m->ndatas = 2;
  t->datas[0] = (wf_data_t){WF_SEG_ACTIVE, 0, {.kind = WF_CONST_I32, .bits = data_off},
                            (const uint8_t *)"hi", 2};
  t->datas[1] = (wf_data_t){WF_SEG_PASSIVE, 0, {0}, (const uint8_t *)"abcd", 4};
}

WF_TEST(instantiate_hand_built) {
  wf_store_t *s = wf_store_new();
  wf_error_t err;
  wf_error_clear(&err);
  wf_tabletype_t tt = tabletype(4, 0, 0);
  wf_memtype_t mt = memtype(1, 0, 0);
  wf_tableinst_t *tab = wf_table_new(s, &tt, 0, &err);
  wf_meminst_t *mem = wf_memory_new(s, &mt, &err);
  CHECK(tab && mem);
  testmod_t *tm = malloc(sizeof *tm);
  testmod_init(tm, 1, 100);
  wf_extern_t im[2] = {{WF_EXTERN_TABLE, {.table = tab}}, {WF_EXTERN_MEMORY, {.mem = mem}}};
  int trapped = -1;
  wf_instance_t *inst = wf_instantiate(s, &tm->m, im, &err, &trapped);
  CHECK(inst);
  CHECK_EQ(trapped, 0);
  CHECK(inst->funcs[0] && inst->funcs[1] && inst->funcs[0] != inst->funcs[1]);
  CHECK(inst->funcs[1]->inst == inst && inst->funcs[1]->func_idx == 1);
  CHECK_EQ(tab->elems[0], 0);
  CHECK_EQ(tab->elems[1], (uintptr_t)inst->funcs[0]);
  CHECK_EQ(tab->elems[2], (uintptr_t)inst->funcs[1]);
  CHECK(!memcmp(mem->base + 100, "hi", 2));
  CHECK_EQ(inst->globals[0]->val, 7);
  CHECK_EQ(inst->globals[1]->val, (uintptr_t)inst->funcs[1]);
  CHECK(inst->elem_dropped[0] && !inst->elem_dropped[1] && inst->elem_dropped[2]);
  CHECK(inst->data_dropped[0] && !inst->data_dropped[1]);
  CHECK(inst->mem0 == mem);

  wf_extern_t x;
  CHECK(wf_instance_export(inst, "f", 1, &x));
  CHECK(x.kind == WF_EXTERN_FUNC && x.u.func == inst->funcs[1]);
  CHECK(wf_instance_export(inst, "m", 1, &x));
  CHECK(x.kind == WF_EXTERN_MEMORY && x.u.mem == mem);
  CHECK(!wf_instance_export(inst, "nope", 4, &x));
  CHECK(!wf_instance_export(inst, "f2", 2, &x));

  /* memory.init and table.init from the passive segments; dropped active
   * segments behave as empty. */
  CHECK_EQ(wf_op_memory_init(inst, 1, 10, 1, 3), WF_TRAP_NONE);
  CHECK(!memcmp(mem->base + 10, "bcd", 3));
  CHECK_EQ(wf_op_memory_init(inst, 1, 10, 2, 3), WF_TRAP_MEM_OOB);
  CHECK_EQ(wf_op_memory_init(inst, 1, WF_PAGE_SIZE - 1, 0, 2), WF_TRAP_MEM_OOB);
  CHECK_EQ(wf_op_memory_init(inst, 1, WF_PAGE_SIZE, 4, 0), WF_TRAP_NONE);
  CHECK_EQ(wf_op_memory_init(inst, 0, 0, 0, 1), WF_TRAP_MEM_OOB);    /* dropped */
  CHECK_EQ(wf_op_memory_init(inst, 0, 0, 0, 0), WF_TRAP_NONE);
  CHECK_EQ(wf_op_table_init(inst, 0, 1, 2, 0, 2), WF_TRAP_NONE);
  CHECK_EQ(tab->elems[2], 0);
  CHECK_EQ(tab->elems[3], (uintptr_t)inst->funcs[0]);
  CHECK_EQ(wf_op_table_init(inst, 0, 1, 3, 0, 2), WF_TRAP_TABLE_OOB);
  CHECK_EQ(wf_op_table_init(inst, 0, 0, 0, 0, 1), WF_TRAP_TABLE_OOB); /* dropped */
  CHECK_EQ(wf_op_table_init(inst, 0, 2, 0, 0, 0), WF_TRAP_NONE);      /* declarative */
  wf_store_free(s);   /* before the module its instances point into */
  free(tm);
}

WF_TEST(instantiate_link_errors) {
  wf_store_t *s = wf_store_new();
  wf_error_t err;
  testmod_t *tm = malloc(sizeof *tm);
  testmod_init(tm, 1, 100);
  wf_tabletype_t small = tabletype(3, 0, 0), ok = tabletype(4, 1, 8);
  wf_memtype_t mt = memtype(1, 0, 0);
  wf_tableinst_t *tsmall = wf_table_new(s, &small, 0, NULL);
  wf_tableinst_t *tok = wf_table_new(s, &ok, 0, NULL);
  wf_meminst_t *mem = wf_memory_new(s, &mt, NULL);
  CHECK(tsmall && tok && mem);
  int trapped;

  wf_extern_t im[2] = {{WF_EXTERN_TABLE, {.table = tsmall}}, {WF_EXTERN_MEMORY, {.mem = mem}}};
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im, &err, &trapped));
  CHECK_EQ(trapped, 0);
  CHECK(!strncmp(err.msg, "incompatible import type", 24));

  /* A table that has grown to the required size matches. */
  CHECK_EQ(wf_table_grow(tsmall, 1, 0), 3);
  wf_error_clear(&err);
  CHECK(wf_instantiate(s, &tm->m, im, &err, &trapped));

  /* Kind mismatch. */
  wf_extern_t im2[2] = {{WF_EXTERN_MEMORY, {.mem = mem}}, {WF_EXTERN_MEMORY, {.mem = mem}}};
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im2, &err, &trapped));
  CHECK(!strncmp(err.msg, "incompatible import type", 24));

  /* Missing import. */
  wf_extern_t im3[2] = {{WF_EXTERN_TABLE, {.table = tok}}, {WF_EXTERN_MEMORY, {.mem = NULL}}};
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im3, &err, &trapped));
  CHECK(!strncmp(err.msg, "unknown import", 14));

  /* Max subtyping: the import declares max 8; a table with no max or a
   * larger max does not match, a smaller max does. */
  tm->imports[0].u.table = tabletype(4, 1, 8);
  wf_tabletype_t nomax = tabletype(4, 0, 0), bigmax = tabletype(4, 1, 9), smallmax = tabletype(4, 1, 6);
  wf_tableinst_t *tn = wf_table_new(s, &nomax, 0, NULL), *tb = wf_table_new(s, &bigmax, 0, NULL);
  wf_tableinst_t *ts = wf_table_new(s, &smallmax, 0, NULL);
  wf_extern_t im4[2] = {{WF_EXTERN_TABLE, {.table = tn}}, {WF_EXTERN_MEMORY, {.mem = mem}}};
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im4, &err, &trapped));
  im4[0].u.table = tb;
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im4, &err, &trapped));
  im4[0].u.table = ts;
  wf_error_clear(&err);
  CHECK(wf_instantiate(s, &tm->m, im4, &err, &trapped));

  /* Memory max subtyping the same way. */
  tm->imports[1].u.mem = memtype(1, 1, 2);
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im4, &err, &trapped));
  wf_memtype_t mt2 = memtype(1, 1, 2);
  im4[1].u.mem = wf_memory_new(s, &mt2, NULL);
  wf_error_clear(&err);
  CHECK(wf_instantiate(s, &tm->m, im4, &err, &trapped));
  wf_store_free(s);   /* before the module its instances point into */
  free(tm);
}

WF_TEST(instantiate_partial_effects) {
  wf_store_t *s = wf_store_new();
  wf_error_t err;
  wf_tabletype_t tt = tabletype(4, 0, 0);
  wf_memtype_t mt = memtype(1, 0, 0);
  wf_tableinst_t *tab = wf_table_new(s, &tt, 0, NULL);
  wf_meminst_t *mem = wf_memory_new(s, &mt, NULL);
  testmod_t *tm = malloc(sizeof *tm);
  wf_extern_t im[2] = {{WF_EXTERN_TABLE, {.table = tab}}, {WF_EXTERN_MEMORY, {.mem = mem}}};
  int trapped = 0;

  /* Elements fit, the data segment does not: the table keeps its writes. */
  testmod_init(tm, 2, WF_PAGE_SIZE - 1);
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im, &err, &trapped));
  CHECK_EQ(trapped, 1);
  CHECK(!strcmp(err.msg, "out of bounds memory access"));
  CHECK(tab->elems[2] != 0 && tab->elems[3] != 0);
  /* The funcs stay alive (owned by the store): their fields are readable. */
  CHECK_EQ(((wf_funcinst_t *)(uintptr_t)tab->elems[3])->func_idx, 1);

  /* Element segment out of bounds: nothing written by it, trap. */
  testmod_init(tm, 3, 0);
  wf_error_clear(&err);
  tab->elems[3] = 0;
  CHECK(!wf_instantiate(s, &tm->m, im, &err, &trapped));
  CHECK_EQ(trapped, 1);
  CHECK(!strcmp(err.msg, "out of bounds table access"));
  CHECK_EQ(tab->elems[3], 0);
  CHECK_EQ(mem->base[0], 0);   /* data segments did not run */

  /* Offsets near 2^32 do not wrap. */
  testmod_init(tm, 0xFFFFFFFFu, 0);
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im, &err, &trapped));
  CHECK_EQ(trapped, 1);
  testmod_init(tm, 0, 0xFFFFFFFFu);
  wf_error_clear(&err);
  CHECK(!wf_instantiate(s, &tm->m, im, &err, &trapped));
  CHECK_EQ(trapped, 1);
  wf_store_free(s);   /* before the module its instances point into */
  free(tm);
}

/* ---- public API objects ---- */

WF_TEST(api_objects) {
  CHECK(!strcmp(weft_version(), "0.1.0"));
  weft_engine_t *e = weft_engine_new();
  weft_store_t *st = weft_store_new(e);
  weft_store_t *st2 = weft_store_new(e);
  CHECK(e && st && st2);
  weft_core_val_t v = {.kind = WEFT_I64, .of.i64 = -5};
  weft_global_t *g = weft_global_new(st, WEFT_I64, 1, v);
  CHECK(g);
  CHECK_EQ(weft_global_get(g).of.i64, -5);
  weft_error_t err;
  v.of.i64 = 12;
  CHECK_EQ(weft_global_set(g, v, &err), WEFT_OK);
  CHECK_EQ(weft_global_get(g).of.i64, 12);
  weft_core_val_t bad = {.kind = WEFT_I32, .of.i32 = 1};
  CHECK_EQ(weft_global_set(g, bad, &err), WEFT_ERR_ARG);
  weft_global_t *gc = weft_global_new(st, WEFT_I32, 0, bad);
  CHECK(gc);
  CHECK_EQ(weft_global_set(gc, bad, &err), WEFT_ERR_ARG);
  CHECK(!weft_global_new(st, WEFT_I32, 0, v));   /* kind mismatch */

  weft_memory_t *m = weft_memory_new(st, 2, 4, &err);
  CHECK(m);
  CHECK_EQ(weft_memory_size(m), 2 * 65536);
  weft_memory_data(m)[65536 * 2 - 1] = 1;
  CHECK(!weft_memory_new(st, 5, 4, &err));
  CHECK_EQ(err.status, WEFT_ERR_ARG);
  CHECK(!weft_memory_new(st, 0, 65537, &err));

  weft_table_t *t = weft_table_new(st2, WEFT_FUNCREF, 3, -1, &err);
  CHECK(t);
  CHECK_EQ(weft_table_size(t), 3);
  weft_core_val_t out;
  CHECK(weft_table_get(t, 2, &out));
  CHECK(out.kind == WEFT_FUNCREF && out.of.funcref == NULL);
  CHECK(!weft_table_get(t, 3, &out));
  CHECK(!weft_table_new(st2, WEFT_I32, 1, -1, &err));

  weft_store_free(st);
  weft_store_free(st2);
  weft_engine_free(e);
}

static int env_freed;
static void free_env(void *p) { env_freed += p == (void *)&env_freed; }
static int add_cb(void *env, const weft_core_val_t *args, size_t nargs, weft_core_val_t *results,
                  size_t nresults, const char **message) {
  (void)env;
  (void)message;
  if (nargs != 2 || nresults != 1) return 1;
  results[0].of.i32 = args[0].of.i32 + args[1].of.i32;
  return 0;
}

WF_TEST(api_host_func_type) {
  weft_engine_t *e = weft_engine_new();
  weft_store_t *st = weft_store_new(e);
  weft_valkind_t p[2] = {WEFT_I32, WEFT_I32}, r[1] = {WEFT_I32};
  env_freed = 0;
  weft_func_t *f = weft_func_new(st, p, 2, r, 1, add_cb, &env_freed, free_env);
  CHECK(f);
  CHECK_EQ(weft_func_param_count(f), 2);
  CHECK_EQ(weft_func_result_count(f), 1);
  CHECK_EQ(weft_func_param(f, 1), WEFT_I32);
  weft_core_val_t args[2] = {{.kind = WEFT_I32, .of.i32 = 2}, {.kind = WEFT_I64, .of.i64 = 3}};
  weft_core_val_t res[1];
  weft_error_t err;
  CHECK_EQ(weft_func_call(st, f, args, 2, res, 1, &err), WEFT_ERR_ARG);
  CHECK_EQ(weft_func_call(st, f, args, 1, res, 1, &err), WEFT_ERR_ARG);
  weft_store_free(st);
  CHECK_EQ(env_freed, 1);
  weft_engine_free(e);
}

WF_TEST(api_bad_module) {
  weft_engine_t *e = weft_engine_new();
  weft_module_t *m = (weft_module_t *)1;
  weft_error_t err;
  static const uint8_t junk[] = {0, 'a', 's', 'x', 1, 0, 0, 0};
  CHECK_EQ(weft_module_new(e, junk, sizeof junk, &m, &err), WEFT_ERR_INVALID);
  CHECK(m == NULL);
  CHECK(err.message[0]);
  CHECK(err.offset >= 0);
  CHECK_EQ(weft_module_from_file(e, "/nonexistent/x.wasm", &m, &err), WEFT_ERR_IO);
  static const uint8_t empty_mod[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  CHECK_EQ(weft_module_new(e, empty_mod, sizeof empty_mod, &m, &err), WEFT_OK);
  CHECK_EQ(weft_module_import_count(m), 0);
  CHECK_EQ(weft_module_export_count(m), 0);
  weft_store_t *st = weft_store_new(e);
  weft_instance_t *inst = NULL;
  CHECK_EQ(weft_instance_new(st, m, NULL, 0, &inst, &err), WEFT_OK);
  CHECK(inst);
  weft_module_free(m);        /* the store keeps the module alive */
  weft_extern_t x;
  CHECK(!weft_instance_export(inst, "x", 1, &x));
  weft_store_free(st);
  weft_engine_free(e);
}

/* ---- end to end through the public API ---- */

/* (module
 *   (import "env" "add" (func $add (param i32 i32) (result i32)))
 *   (import "env" "g" (global $g i32))
 *   (memory (export "mem") 1)
 *   (table (export "tab") 2 funcref)
 *   (elem (i32.const 0) $f)
 *   (global $mg (export "mg") (mut i64) (i64.const 5))
 *   (func $f (export "f") (param i32) (result i32)
 *     (call $add (local.get 0) (global.get $g)))
 *   (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1))))
 * with a name section (wat2wasm --debug-names). */
static const uint8_t api_module_bytes[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x03, 0x60,
  0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02,
  0x7f, 0x7f, 0x00, 0x02, 0x14, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x61,
  0x64, 0x64, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f,
  0x00, 0x03, 0x03, 0x02, 0x01, 0x02, 0x04, 0x04, 0x01, 0x70, 0x00, 0x02,
  0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7e, 0x01, 0x42, 0x05,
  0x0b, 0x07, 0x1e, 0x05, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x74,
  0x61, 0x62, 0x01, 0x00, 0x02, 0x6d, 0x67, 0x03, 0x01, 0x01, 0x66, 0x00,
  0x01, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x02, 0x09, 0x07, 0x01,
  0x00, 0x41, 0x00, 0x0b, 0x01, 0x01, 0x0a, 0x14, 0x02, 0x08, 0x00, 0x20,
  0x00, 0x23, 0x00, 0x10, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01,
  0x36, 0x02, 0x00, 0x0b, 0x00, 0x23, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01,
  0x09, 0x02, 0x00, 0x03, 0x61, 0x64, 0x64, 0x01, 0x01, 0x66, 0x02, 0x07,
  0x03, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x07, 0x08, 0x02, 0x00, 0x01,
  0x67, 0x01, 0x02, 0x6d, 0x67
};

static int host_add(void *env, const weft_core_val_t *args, size_t nargs,
                    weft_core_val_t *results, size_t nresults, const char **message) {
  (*(int *)env)++;
  if (nargs != 2 || nresults != 1 || args[0].kind != WEFT_I32 || results[0].kind != WEFT_I32)
    return 1;
  if (args[0].of.i32 == 13) {
    *message = "unlucky number";
    return 1;
  }
  results[0].of.i32 = args[0].of.i32 + args[1].of.i32;
  return 0;
}

WF_TEST(api_end_to_end) {
  weft_engine_t *e = weft_engine_new();
  weft_module_t *mod = NULL;
  weft_error_t err;
  CHECK_EQ(weft_module_new(e, api_module_bytes, sizeof api_module_bytes, &mod, &err), WEFT_OK);
  CHECK_EQ(weft_module_import_count(mod), 2);
  CHECK_EQ(weft_module_export_count(mod), 5);
  const char *mn, *nm;
  size_t ml, nl;
  weft_extern_kind_t kind;
  weft_module_import(mod, 1, &mn, &ml, &nm, &nl, &kind);
  CHECK(ml == 3 && !memcmp(mn, "env", 3) && nl == 1 && nm[0] == 'g' && kind == WEFT_EXTERN_GLOBAL);

  weft_store_t *st = weft_store_new(e);
  int calls = 0;
  weft_valkind_t p[2] = {WEFT_I32, WEFT_I32}, r[1] = {WEFT_I32};
  weft_func_t *add = weft_func_new(st, p, 2, r, 1, host_add, &calls, NULL);
  weft_global_t *g = weft_global_new(st, WEFT_I32, 0, (weft_core_val_t){.kind = WEFT_I32, .of.i32 = 100});
  CHECK(add && g);

  /* Link errors: missing imports, wrong kinds, wrong types. */
  weft_instance_t *inst = NULL;
  CHECK_EQ(weft_instance_new(st, mod, NULL, 0, &inst, &err), WEFT_ERR_LINK);
  CHECK(!strncmp(err.message, "unknown import", 14));
  CHECK(strstr(err.message, "add"));
  weft_extern_t bad[2] = {{.kind = WEFT_EXTERN_GLOBAL, .of.global = g},
                          {.kind = WEFT_EXTERN_GLOBAL, .of.global = g}};
  CHECK_EQ(weft_instance_new(st, mod, bad, 2, &inst, &err), WEFT_ERR_LINK);
  CHECK(!strncmp(err.message, "incompatible import type", 24));
  weft_func_t *add1 = weft_func_new(st, p, 1, r, 1, host_add, &calls, NULL);
  bad[0] = (weft_extern_t){.kind = WEFT_EXTERN_FUNC, .of.func = add1};
  CHECK_EQ(weft_instance_new(st, mod, bad, 2, &inst, &err), WEFT_ERR_LINK);
  CHECK(!strncmp(err.message, "incompatible import type", 24));
  weft_global_t *gmut = weft_global_new(st, WEFT_I32, 1, (weft_core_val_t){.kind = WEFT_I32});
  bad[0] = (weft_extern_t){.kind = WEFT_EXTERN_FUNC, .of.func = add};
  bad[1] = (weft_extern_t){.kind = WEFT_EXTERN_GLOBAL, .of.global = gmut};
  CHECK_EQ(weft_instance_new(st, mod, bad, 2, &inst, &err), WEFT_ERR_LINK);

  weft_extern_t imports[2] = {{.kind = WEFT_EXTERN_FUNC, .of.func = add},
                              {.kind = WEFT_EXTERN_GLOBAL, .of.global = g}};
  CHECK_EQ(weft_instance_new(st, mod, imports, 2, &inst, &err), WEFT_OK);
  CHECK(inst);
  CHECK_EQ(err.offset, -1);
  weft_module_free(mod);   /* the store keeps it alive */

  weft_extern_t f, x;
  CHECK(weft_instance_export(inst, "f", 1, &f) && f.kind == WEFT_EXTERN_FUNC);
  weft_core_val_t arg = {.kind = WEFT_I32, .of.i32 = 5}, res;
  CHECK_EQ(weft_func_call(st, f.of.func, &arg, 1, &res, 1, &err), WEFT_OK);
  CHECK_EQ(res.kind, WEFT_I32);
  CHECK_EQ(res.of.i32, 105);
  CHECK_EQ(calls, 1);

  /* The host function traps: message, code and a backtrace naming $f. */
  arg.of.i32 = 13;
  CHECK_EQ(weft_func_call(st, f.of.func, &arg, 1, &res, 1, &err), WEFT_ERR_TRAP);
  CHECK_EQ(err.trap, WEFT_TRAP_HOST);
  CHECK(!strcmp(err.message, "unlucky number"));
  CHECK(strstr(err.backtrace, " f\n"));
  /* The store is usable after a trap. */
  arg.of.i32 = 1;
  CHECK_EQ(weft_func_call(st, f.of.func, &arg, 1, &res, 1, &err), WEFT_OK);
  CHECK_EQ(res.of.i32, 101);

  /* Calling the host function directly. */
  weft_core_val_t two[2] = {{.kind = WEFT_I32, .of.i32 = 2}, {.kind = WEFT_I32, .of.i32 = 3}};
  CHECK_EQ(weft_func_call(st, add, two, 2, &res, 1, &err), WEFT_OK);
  CHECK_EQ(res.of.i32, 5);

  /* Memory, table and global exports. */
  CHECK(weft_instance_export(inst, "mem", 3, &x) && x.kind == WEFT_EXTERN_MEMORY);
  CHECK_EQ(weft_memory_size(x.of.memory), 65536);
  weft_extern_t s;
  CHECK(weft_instance_export(inst, "store", 5, &s));
  weft_core_val_t sargs[2] = {{.kind = WEFT_I32, .of.i32 = 8}, {.kind = WEFT_I32, .of.i32 = 0x01020304}};
  CHECK_EQ(weft_func_call(st, s.of.func, sargs, 2, NULL, 0, &err), WEFT_OK);
  CHECK_EQ(weft_memory_data(x.of.memory)[8], 4);
  sargs[0].of.i32 = 65534;
  CHECK_EQ(weft_func_call(st, s.of.func, sargs, 2, NULL, 0, &err), WEFT_ERR_TRAP);
  CHECK_EQ(err.trap, WEFT_TRAP_MEM_OOB);
  CHECK(!strcmp(err.message, "out of bounds memory access"));
  CHECK(weft_instance_export(inst, "tab", 3, &x) && x.kind == WEFT_EXTERN_TABLE);
  CHECK_EQ(weft_table_size(x.of.table), 2);
  weft_core_val_t te;
  CHECK(weft_table_get(x.of.table, 0, &te));
  CHECK(te.kind == WEFT_FUNCREF && te.of.funcref == f.of.func);
  CHECK(weft_table_get(x.of.table, 1, &te) && te.of.funcref == NULL);
  CHECK(weft_instance_export(inst, "mg", 2, &x) && x.kind == WEFT_EXTERN_GLOBAL);
  CHECK_EQ(weft_global_get(x.of.global).of.i64, 5);

  /* Wrong arguments. */
  CHECK_EQ(weft_func_call(st, f.of.func, two, 2, &res, 1, &err), WEFT_ERR_ARG);
  CHECK_EQ(weft_func_call(st, f.of.func, &arg, 1, &res, 0, &err), WEFT_ERR_ARG);
  weft_core_val_t wrong = {.kind = WEFT_F32};
  CHECK_EQ(weft_func_call(st, f.of.func, &wrong, 1, &res, 1, &err), WEFT_ERR_ARG);
  weft_store_free(st);
  weft_engine_free(e);
}

/* (loop (br 0)) and a doubly recursive function with no loop, each stopped
 * from another thread by wf_store_interrupt. */
static const uint8_t spin_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01,
    0x7f, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x01, 0x07, 0x0e, 0x02, 0x04, 0x73, 0x70, 0x69, 0x6e,
    0x00, 0x00, 0x03, 0x72, 0x65, 0x63, 0x00, 0x01, 0x0a, 0x24, 0x02, 0x07, 0x00, 0x03, 0x40, 0x0c,
    0x00, 0x0b, 0x0b, 0x1a, 0x00, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x20, 0x00, 0x41,
    0x01, 0x6b, 0x10, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x01, 0x6a, 0x0b, 0x0b};

static void *interrupt_later(void *p) {
  usleep(50 * 1000);
  wf_store_interrupt(p);
  return NULL;
}

WF_TEST(interrupt_stops_loops_and_calls) {
  wf_error_t err = {0};
  wf_module_t *m = wf_module_decode(spin_module, sizeof spin_module, &err);
  CHECK(m != NULL);
  if (!m) return;
  const char *names[] = {"spin", "rec"};
  for (int i = 0; i < 2; i++) {
    wf_store_t *s = wf_store_new();
    int trapped = 0;
    wf_instance_t *inst = wf_instantiate(s, m, NULL, &err, &trapped);
    CHECK(inst != NULL);
    wf_extern_t ex;
    CHECK(wf_instance_export(inst, names[i], strlen(names[i]), &ex));
    pthread_t th;
    pthread_create(&th, NULL, interrupt_later, s);
    uint64_t args[1] = {60}, res[1] = {0};
    wf_trapcode_t tc = wf_invoke(s, ex.u.func, args, res);
    pthread_join(th, NULL);
    CHECK_EQ(tc, WF_TRAP_INTERRUPT);
    CHECK(!strcmp(wf_exec_last_trap(wf_store_exec(s))->msg, "interrupted"));
    /* the flag is sticky until cleared; then calls run again */
    CHECK_EQ(wf_invoke(s, ex.u.func, args, res), WF_TRAP_INTERRUPT);
    wf_store_interrupt_clear(s);
    if (i == 1) {
      args[0] = 3;
      CHECK_EQ(wf_invoke(s, ex.u.func, args, res), WF_TRAP_NONE);
    }
    wf_store_free(s);
  }
  wf_module_free(m);
}
