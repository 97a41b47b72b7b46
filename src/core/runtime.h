/* Core runtime objects: store, instances, functions, memories, tables,
 * globals, traps. The contract between the runtime (store.c, instance.c,
 * memory.c, table.c, trap.c) and the interpreter (translate.c, interp.c).
 *
 * Values live in 64-bit slots (uint64_t):
 *   i32 / f32   the low 32 bits (the high 32 bits are unspecified on read,
 *               and writers store the value zero-extended)
 *   i64 / f64   all 64 bits (floats as their IEEE bit pattern)
 *   funcref     (uint64_t)(uintptr_t)wf_funcinst_t *, 0 = null
 *   externref   an opaque host value, 0 = null
 *   exnref      an index + 1 into the store's table of exceptions, 0 = null
 *               (exception handling; interp.c checks it before use)
 */
#ifndef WF_CORE_RUNTIME_H
#define WF_CORE_RUNTIME_H

#include <setjmp.h>
#include <stdatomic.h>

#include "module.h"

typedef struct wf_store wf_store_t;
typedef struct wf_instance wf_instance_t;
typedef struct wf_exec wf_exec_t;   /* interpreter state of a store (interp.c) */

/* ---- traps ------------------------------------------------------------ */

#define WF_TRAPS(X)                                                     \
  X(NONE, "no trap")                                                    \
  X(UNREACHABLE, "unreachable")                                         \
  X(MEM_OOB, "out of bounds memory access")                             \
  X(TABLE_OOB, "out of bounds table access")                            \
  X(UNDEFINED_ELEMENT, "undefined element")                             \
  X(UNINITIALIZED_ELEMENT, "uninitialized element")                     \
  X(INDIRECT_TYPE, "indirect call type mismatch")                       \
  X(DIV_ZERO, "integer divide by zero")                                 \
  X(INT_OVERFLOW, "integer overflow")                                   \
  X(BAD_CONVERSION, "invalid conversion to integer")                    \
  X(STACK_EXHAUSTED, "call stack exhausted")                            \
  X(OOM, "out of memory")                                               \
  X(HOST, "host trap")                                                  \
  X(COMPONENT, "component model trap")                                 \
  X(INTERRUPT, "interrupted")                                           \
  X(EXCEPTION, "uncaught exception")                                    \
  X(NULL_EXN, "null exception reference")                               \
  X(BAD_EXN, "invalid exception reference")

typedef enum {
#define X(id, msg) WF_TRAP_##id,
  WF_TRAPS(X)
#undef X
  WF_TRAP_COUNT
} wf_trapcode_t;

const char *wf_trap_message(wf_trapcode_t code);   /* trap.c */

#define WF_BACKTRACE_MAX 32
typedef struct {
  const wf_module_t *module;   /* NULL for a host function */
  uint32_t func_idx;           /* in the module's function index space */
  uint32_t offset;             /* byte offset in the module, 0 if unknown */
} wf_frame_t;

typedef struct {
  wf_trapcode_t code;
  char msg[256];               /* wf_trap_message(code), or the host's text */
  uint32_t nframes;            /* innermost first */
  wf_frame_t frames[WF_BACKTRACE_MAX];
} wf_trap_t;

/* ---- functions ---------------------------------------------------------- */

/* A host function. args and results may alias (the interpreter passes the
 * same slots): read every argument before writing a result. Return
 * WF_TRAP_NONE, or a trap code after filling ex's trap message with
 * wf_exec_trap(ex, code, msg). */
typedef wf_trapcode_t (*wf_host_fn_t)(void *env, wf_exec_t *ex,
                                      const uint64_t *args, uint64_t *results);

typedef struct wf_funcinst {
  const wf_functype_t *type;
  uint32_t type_id;            /* interned in the store: equal <=> same type */
  wf_instance_t *inst;         /* owning instance; NULL for a host function */
  uint32_t func_idx;           /* index in inst->module's function space */
  const wf_func_t *def;        /* defined function; NULL for a host function */
  wf_host_fn_t host;           /* host function, else NULL */
  void *host_env;
  void (*host_env_free)(void *);
  wf_functype_t host_type;     /* storage for a host function's type */
} wf_funcinst_t;

/* ---- memories ------------------------------------------------------------ */

#define WF_PAGE_SIZE 65536u

/* A linear memory. `base` never moves: the whole addressable range plus a
 * guard region is reserved when the memory is made, and growing only
 * changes page protections. Any access base + (u32 addr) + (u32 offset)
 * + access size lands inside the reservation, so an out-of-bounds access
 * faults on a guard page and trap.c turns the fault into WF_TRAP_MEM_OOB. */
typedef struct wf_meminst {
  uint8_t *base;
  uint64_t size;               /* bytes accessible = pages * WF_PAGE_SIZE */
  uint32_t pages;
  uint32_t max_pages;          /* limit: declared max, or WF_MAX_MEM_PAGES */
  bool has_max;                /* the declared type had a max */
  size_t reserved;             /* bytes of address space reserved at base */
  uint64_t image_len;          /* bytes at base mapped from a memory image (memimage.c), or 0 */
  struct wf_meminst *next;     /* the store's list (used by the fault handler) */
} wf_meminst_t;

/* Returns the old size in pages, or -1 if it cannot grow. */
int32_t wf_memory_grow(wf_meminst_t *m, uint32_t delta_pages);

/* ---- tables ---------------------------------------------------------------- */

typedef struct wf_tableinst {
  uint64_t *elems;             /* size references (slot encoding) */
  uint32_t size;
  uint32_t max;                /* declared max, or UINT32_MAX if none */
  bool has_max;
  uint8_t elemtype;            /* WF_T_FUNCREF or WF_T_EXTERNREF */
} wf_tableinst_t;

/* Returns the old size, or -1 if it cannot grow. New entries are `init`. */
int32_t wf_table_grow(wf_tableinst_t *t, uint32_t delta, uint64_t init);

/* ---- globals ----------------------------------------------------------------- */

typedef struct wf_globalinst {
  uint64_t val;                /* slot encoding */
  wf_globaltype_t type;
} wf_globalinst_t;

/* ---- tags (exception handling) -------------------------------------------------- */

/* A tag: exceptions are matched by the identity of this object (tags are
 * generative: each instantiation of a module defining one makes a new one). */
typedef struct wf_taginst {
  const wf_functype_t *type;   /* parameters only */
  uint32_t type_id;            /* interned in the store */
} wf_taginst_t;

wf_taginst_t *wf_tag_new(wf_store_t *s, const wf_functype_t *type);

/* An exception (what an exnref designates; interp.c owns them). */
typedef struct wf_exn wf_exn_t;

/* ---- instances --------------------------------------------------------------- */

typedef struct {
  uint8_t kind;                /* wf_externkind_t */
  union {
    wf_funcinst_t *func;
    wf_tableinst_t *table;
    wf_meminst_t *mem;
    wf_globalinst_t *global;
    wf_taginst_t *tag;
  } u;
} wf_extern_t;

struct wf_instance {
  wf_store_t *store;
  const wf_module_t *module;
  wf_funcinst_t **funcs;       /* module->nfuncs: imports, then own */
  wf_tableinst_t **tables;     /* module->ntables */
  wf_meminst_t **mems;         /* module->nmems */
  wf_globalinst_t **globals;   /* module->nglobals */
  uint32_t *type_ids;          /* module->ntypes: store type id of each type */
  uint8_t *elem_dropped;       /* module->nelems flags (declarative: dropped) */
  uint8_t *data_dropped;       /* module->ndatas flags */
  wf_meminst_t *mem0;          /* mems[0] or NULL */
  wf_taginst_t **tags;         /* module->ntags */
  void **code;                 /* per defined function: interpreter code,
                                  NULL until first call (interp-owned) */
};

/* ---- the store ------------------------------------------------------------------ */

/* A store owns every runtime object made in it; wf_store_free frees them all.
 * A store is used by one thread at a time. */
wf_store_t *wf_store_new(void);
void wf_store_free(wf_store_t *s);
wf_exec_t *wf_store_exec(wf_store_t *s);          /* the store's interpreter state */
/* Ask running wasm code in s to stop: the interpreter polls this flag at
 * every loop head and call, and traps WF_TRAP_INTERRUPT ("interrupted").
 * Safe from any thread and from a signal handler. The flag stays set (every
 * later call traps too) until wf_store_interrupt_clear. */
void wf_store_interrupt(wf_store_t *s);
void wf_store_interrupt_clear(wf_store_t *s);
atomic_uint *wf_store_interrupt_flag(wf_store_t *s);
/* For host functions that block (wasi:io/poll, blocking stream ops): an
 * eventfd that becomes readable when the store is interrupted (made on the
 * first call, by the thread using the store; kept until the store is
 * discarded; drained by wf_store_interrupt_clear), or -1 if none could be
 * made. Get the fd first, then check wf_store_interrupted, then wait on it:
 * an interrupt from another thread in between is never missed. */
int wf_store_interrupt_fd(wf_store_t *s);
bool wf_store_interrupted(wf_store_t *s);
uint32_t wf_store_intern_type(wf_store_t *s, const wf_functype_t *t);

wf_funcinst_t *wf_host_func_new(wf_store_t *s, const uint8_t *params, uint32_t np,
                                const uint8_t *results, uint32_t nr,
                                wf_host_fn_t fn, void *env, void (*env_free)(void *));
/* The same with a type the caller keeps alive (and unchanged) for as long
 * as the store: no copy of it is made. */
wf_funcinst_t *wf_host_func_new_typed(wf_store_t *s, const wf_functype_t *type, wf_host_fn_t fn, void *env,
                                      void (*env_free)(void *));
/* Makes [base, base+len) (page-aligned, readable and writable) read as
 * zero, keeping it so; false when the kernel refused (memzero.c).
 * pagemap_fd: from wf_mem_zero_open (kept by the memory pool), or -1 to
 * leave it all to the kernel. */
int wf_mem_zero_open(void);
bool wf_mem_zero(int pagemap_fd, uint8_t *base, size_t len);
wf_meminst_t *wf_memory_new(wf_store_t *s, const wf_memtype_t *t, wf_error_t *err);
wf_tableinst_t *wf_table_new(wf_store_t *s, const wf_tabletype_t *t, uint64_t init, wf_error_t *err);
wf_globalinst_t *wf_global_new(wf_store_t *s, const wf_globaltype_t *t, uint64_t val);

/* Link and instantiate: imports[] has module->nimports entries, in import
 * order. Checks every import's kind and type (WebAssembly 2.0 import
 * matching: "incompatible import type" on mismatch). Then allocates, runs
 * active element and data segments in order, drops declarative ones, and runs
 * the start function. On a link error returns NULL with err set and *trapped
 * = 0. On a trap during initialisation returns NULL with err set to the trap
 * message and *trapped = 1 (the spec's partial effects of earlier segments
 * on imported memories/tables remain). */
wf_instance_t *wf_instantiate(wf_store_t *s, const wf_module_t *m,
                              const wf_extern_t *imports, wf_error_t *err, int *trapped);

/* Look up an export by name; returns 0 if absent. */
int wf_instance_export(const wf_instance_t *inst, const char *name, size_t len, wf_extern_t *out);

/* Runtime helpers the interpreter calls for the bulk operations. Each
 * returns WF_TRAP_NONE or a trap code and follows the spec's bounds rules
 * exactly (checks first, then copies; zero-length at the end is fine). */
wf_trapcode_t wf_op_memory_init(wf_instance_t *inst, uint32_t data_idx, uint32_t d, uint32_t s, uint32_t n);
/* memory.init into memory `mem` (multi-memory). */
wf_trapcode_t wf_op_memory_init_mem(wf_instance_t *inst, uint32_t mem, uint32_t data_idx,
                                    uint32_t d, uint32_t s, uint32_t n);
wf_trapcode_t wf_op_table_init(wf_instance_t *inst, uint32_t table_idx, uint32_t elem_idx,
                               uint32_t d, uint32_t s, uint32_t n);
wf_trapcode_t wf_op_table_copy(wf_instance_t *inst, uint32_t dst_table, uint32_t src_table,
                               uint32_t d, uint32_t s, uint32_t n);
wf_trapcode_t wf_op_table_fill(wf_tableinst_t *t, uint32_t i, uint64_t val, uint32_t n);
/* Evaluate a constant expression in an instance (globals already made). */
uint64_t wf_const_eval(const wf_instance_t *inst, const wf_constexpr_t *c);

/* ---- calling into wasm (interp.c) -------------------------------------------- */

/* Call f (wasm or host) with args in slots; results written to results.
 * Returns WF_TRAP_NONE, or a trap code with details in wf_exec_last_trap().
 * Re-entrant: a host function may call wf_invoke again. Call depth and the
 * value stack are bounded: exhaustion is WF_TRAP_STACK_EXHAUSTED. */
wf_trapcode_t wf_invoke(wf_store_t *s, wf_funcinst_t *f, const uint64_t *args, uint64_t *results);
const wf_trap_t *wf_exec_last_trap(wf_exec_t *ex);
/* For host functions: set the trap code and message to return. */
wf_trapcode_t wf_exec_trap(wf_exec_t *ex, wf_trapcode_t code, const char *msg);
wf_exec_t *wf_exec_new(wf_store_t *s);
void wf_exec_free(wf_exec_t *ex);
/* Translate a defined function now (normally lazy, on its first call):
 * used by benchmarks to measure translation cost. Returns 0 on OOM. */
int wf_translate_func(wf_instance_t *inst, uint32_t defined_idx);
/* Free an instance's translated code (called by the store). */
void wf_instance_free_code(wf_instance_t *inst);

/* ---- memory-fault handling (trap.c) --------------------------------------------- */

/* A fault context is pushed by wf_invoke around wasm execution; the SIGSEGV/
 * SIGBUS handler checks that the faulting address lies inside one of the
 * context store's memory reservations and, if so, siglongjmps to `jmp`.
 * Any other fault is re-raised with the default action. */
typedef struct wf_fault_ctx {
  sigjmp_buf jmp;
  wf_store_t *store;
  struct wf_fault_ctx *prev;
} wf_fault_ctx_t;

extern _Thread_local wf_fault_ctx_t *wf_fault_current;
void wf_signals_init(void);                            /* idempotent, thread-safe */
wf_meminst_t *wf_store_memories(wf_store_t *s);        /* head of the store's list */

/* ---- memory reservation pool (memory.c) ------------------------------------------ */

/* A bounded, thread-safe cache of linear-memory reservations and of idle
 * stores. A store made with wf_store_new_pooled gives its memories'
 * reservations back to the pool when it is freed (contents discarded with
 * MADV_DONTNEED, so they read as zero again), and wf_memory_new in such a
 * store takes one from the pool before it maps a new one. A pooled
 * reservation belongs to no store, so the fault handler does not recognise
 * it. The freed store itself, emptied of every object it owned but keeping
 * its interpreter state (value and frame stacks) and interned types, is kept
 * for the next wf_store_new_pooled (at most WF_STORE_MAX_USES times).
 * Reference-counted: the creator holds one reference and every live pooled
 * store one more; the last unref unmaps and frees what the pool holds.
 * max_entries bounds the reservations and, separately, the idle stores. */
typedef struct wf_mempool wf_mempool_t;
wf_mempool_t *wf_mempool_new(uint32_t max_entries);   /* NULL on OOM */
void wf_mempool_ref(wf_mempool_t *p);
void wf_mempool_unref(wf_mempool_t *p);                /* NULL ok */
/* Give m's reservation to p (or unmap it when p is full or the reset
 * fails) and free m. */
void wf_mempool_release(wf_mempool_t *p, wf_meminst_t *m);
/* Statistics for tests: reservations held now, and reuses so far. */
uint32_t wf_mempool_held(wf_mempool_t *p);
uint64_t wf_mempool_reused(wf_mempool_t *p);
/* A store whose memories come from (and go back to) pool p (NULL: none, as
 * wf_store_new). The store holds a reference to p until it is freed. */
wf_store_t *wf_store_new_pooled(wf_mempool_t *p);
wf_mempool_t *wf_store_mempool(wf_store_t *s);
/* Idle stores (memory.c keeps them, store.c makes and empties them). take:
 * NULL if none. give: 0 when the pool is full (the caller then frees s). */
wf_store_t *wf_mempool_take_store(wf_mempool_t *p);
int wf_mempool_give_store(wf_mempool_t *p, wf_store_t *s);
void wf_store_discard(wf_store_t *s);                  /* free an idle store for good */
uint64_t wf_mempool_stores_reused(wf_mempool_t *p);
#define WF_STORE_MAX_USES 1000u

/* ---- memory images (memimage.c) --------------------------------------------------- */

/* A module's memory 0 initialised from a copy-on-write image: a sealed memfd
 * holding the initial contents its active data segments produce, mapped
 * MAP_PRIVATE over the start of each new instance's memory instead of
 * copying the segments. A module qualifies when it defines memory 0, every
 * active segment is for memory 0, has an i32.const offset and fits in the
 * initial size, and they hold at least WF_MEMIMAGE_MIN_BYTES bytes. */
#ifndef WF_MEMIMAGE_MIN_BYTES   /* -DWF_MEMIMAGE_MIN_BYTES=UINT64_MAX: never (for measuring) */
#define WF_MEMIMAGE_MIN_BYTES ((uint64_t)64 * 1024)
#endif
typedef struct wf_memimage wf_memimage_t;
/* The module's image, made on first call (thread-safe; a caller that finds
 * another thread making it gets NULL and copies the segments itself). NULL:
 * the module does not qualify, or the image could not be made. */
const wf_memimage_t *wf_memimage_get(const wf_module_t *m);
/* Map img over the start of mem (which has at least the module's initial
 * pages accessible). 1: mapped, the segments for memory 0 need no copying;
 * 0: not mapped, mem unchanged (copy the segments); -1: mem's pages are
 * lost (out of address space): fail the instantiation. */
int wf_memimage_map(wf_meminst_t *mem, const wf_memimage_t *img);
/* Bytes of memory the image covers (a host-page multiple), for tests. */
uint64_t wf_memimage_len(const wf_memimage_t *img);

/* ---- runtime-internal helpers (store.c, memory.c; used by instance.c, table.c) ---- */

/* Give an object to the store: free_fn(obj) runs when the store is freed, in
 * reverse order of adoption. Returns 0 on OOM (then obj is NOT owned). */
int wf_store_adopt(wf_store_t *s, void *obj, void (*free_fn)(void *));
/* Link a new memory into the store's list (the store unmaps it when freed). */
void wf_store_add_memory(wf_store_t *s, wf_meminst_t *m);
void wf_memory_free(wf_meminst_t *m);                  /* memory.c: unmap + free */

#endif
