/* Canonical ABI internals shared by canon_*.c and chandle.c (not part of
 * the crt.h contract). CanonicalABI.md, synchronous parts, 32-bit memories.
 *
 * Every load/store/lift/lower function works in a wf_cx_t: the guest
 * instance on one side of a boundary, its canonical options, where lifted
 * values' nested storage comes from, the call the values belong to (borrow
 * scope / lends) and the trap to fill. They return false after filling
 * cx->trap (code + message). */
#ifndef WF_COMPONENT_CANON_H
#define WF_COMPONENT_CANON_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "crt.h"

#define WF_MAX_FLAT_PARAMS 16u
#define WF_MAX_FLAT_RESULTS 1u
#define WF_UTF16_TAG 0x80000000u
#define WF_MAX_STRING_BYTES ((1u << 28) - 1u)
#define WF_HTABLE_MAX ((1u << 28) - 1u)
/* Sizes saturate here (huge fixed-size lists); a type this large is refused
 * wherever a size is bounds-checked. */
#define WF_CANON_SIZE_MAX 0x40000000u

/* A component-level call into a guest instance in progress: the borrow
 * scope of the handles lowered into the callee (CanonicalABI.md "Task"). */
struct wf_ccall {
  wf_ccall_t *prev;
  wf_cinst_t *inst;              /* the callee */
  uint32_t nborrows;             /* borrow handles of this call still in inst's table */
  uint64_t context[2];           /* context.get / context.set slots of the task */
};

/* Handles of the caller lent for the duration of one lowered call
 * ("Subtask.lenders"): indices in the caller's handle table. */
typedef struct {
  uint32_t *v;
  uint32_t n, cap;
  uint32_t inline_v[8];
} wf_lends_t;

typedef struct {
  wf_cinst_t *inst;              /* the guest side */
  const wf_ctypes_t *ts;         /* inst->comp->types */
  const wf_copts_t *opts;
  wf_arena_t *arena;             /* lift: nested storage of values */
  wf_trap_t *trap;
  wf_ccall_t *call;              /* lower: borrow scope (callee task) */
  wf_lends_t *lends;             /* lift: where lends of borrowed handles go */
  bool adapter;                  /* the other side is a guest: wasmtime's adapter messages */
  const char *badval;            /* lower: what a wrongly-typed value is ("host function result") */
  size_t arena_base;             /* lift: arena->total when the call began (budget) */
  bool bad_value;                /* lower: the trap is a wrongly-typed value, not the guest's doing */
  /* The other side is the host: owns of guest-defined resources lifted go
   * into the host's handles and owns lowered come out of them (and must be
   * there); borrows lowered must be held, borrows lifted are lent to the host
   * (crt.h "the host's handles"). Lends and lent borrows are recorded in
   * hrefs, released when the call ends. */
  bool host;
  wf_hrefs_t *hrefs;
} wf_cx_t;

/* ---- traps (canon_layout.c) ---- */
/* The may_leave trap, saying what the instance is running (its realloc or
 * post-return: e.g. a C guest whose realloc flushes stdio). */
static inline wf_trapcode_t wf_no_leave_trap(wf_exec_t *ex, const wf_cinst_t *i) {
  char m[96];
  snprintf(m, sizeof m, "cannot leave component instance%s%s%s", i->no_leave_why ? " (inside its " : "",
           i->no_leave_why ? i->no_leave_why : "", i->no_leave_why ? ")" : "");
  return wf_exec_trap(ex, WF_TRAP_COMPONENT, m);
}
bool wf_cx_trap(wf_cx_t *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool wf_trapf(wf_trap_t *trap, wf_trapcode_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copy the store's last trap (after wf_invoke failed with code c). */
bool wf_cx_core_trap(wf_crt_t *rt, wf_trap_t *trap, wf_trapcode_t c);
/* Bad-value trap (lowering a value that does not match its type). */
bool wf_cx_badval(wf_cx_t *cx, wf_ctid_t t, const weft_val_t *v);

/* ---- layout (canon_layout.c) ---- */
/* Resolve a type id's kind (named copies keep their structure). */
static inline const wf_ctype_t *wf_cty(const wf_ctypes_t *ts, wf_ctid_t t) { return &ts->v[t]; }
void wf_canon_size_align(const wf_ctypes_t *ts, wf_ctid_t t, uint32_t *size, uint32_t *align);
uint32_t wf_canon_flat_count(const wf_ctypes_t *ts, wf_ctid_t t);
/* Element layout of a LIST (its element) or MAP (tuple<key, value>); *voff:
 * offset of a map entry's value. */
void wf_canon_elem_layout(const wf_ctypes_t *ts, const wf_ctype_t *t, uint32_t *size, uint32_t *align,
                          uint32_t *voff);
/* Discriminant size in bytes of a variant-like type with n cases. */
static inline uint32_t wf_canon_disc_size(uint32_t n) { return n <= 256 ? 1 : n <= 65536 ? 2 : 4; }
/* The payload type of case i of a VARIANT/OPTION/RESULT (NONE if none);
 * number of cases in *n (ENUM: no payloads). */
wf_ctid_t wf_canon_case_type(const wf_ctype_t *t, uint32_t i);
uint32_t wf_canon_case_count(const wf_ctype_t *t);
/* Offset of the payload of a variant-like type. */
uint32_t wf_canon_payload_offset(const wf_ctypes_t *ts, const wf_ctype_t *t);
/* weft_vkind_t of a value type node; WEFT_VAL_KIND_COUNT if none. */
weft_vkind_t wf_canon_vkind(uint8_t ctkind);

/* ---- realloc (canon_lower.c): calls opts->realloc with may_leave clear. ---- */
bool wf_canon_realloc(wf_cx_t *cx, uint32_t old, uint32_t old_size, uint32_t align, uint32_t size,
                      uint32_t *out);
/* Allocate size bytes aligned to align and check the result: trap messages
 * for strings (is_string) or lists. */
bool wf_canon_alloc_checked(wf_cx_t *cx, uint32_t align, uint32_t size, bool is_string, uint32_t *out);

/* ---- load / lift (canon_lift.c) ---- */
bool wf_canon_load(wf_cx_t *cx, wf_ctid_t t, uint32_t ptr, weft_val_t *out);
/* Lift one value from flat core slots starting at *i (< n). */
bool wf_canon_lift_flat(wf_cx_t *cx, wf_ctid_t t, const uint64_t *slots, uint32_t n, uint32_t *i,
                        weft_val_t *out);
/* Lift the values of types ts[0..nt) from flat slots (spilling through
 * memory when the flat count exceeds max_flat: slots[0] is a pointer). */
bool wf_canon_lift_values(wf_cx_t *cx, const wf_cfield_t *types, uint32_t nt, const uint64_t *slots,
                          uint32_t nslots, uint32_t max_flat, weft_val_t *out);
bool wf_canon_lift_handle(wf_cx_t *cx, const wf_ctype_t *t, uint32_t idx, weft_val_t *out);

/* ---- store / lower (canon_lower.c) ---- */
bool wf_canon_store(wf_cx_t *cx, wf_ctid_t t, const weft_val_t *v, uint32_t ptr);
bool wf_canon_lower_flat(wf_cx_t *cx, wf_ctid_t t, const weft_val_t *v, uint64_t *slots, uint32_t cap,
                         uint32_t *i);
bool wf_canon_lower_handle(wf_cx_t *cx, const wf_ctype_t *t, const weft_val_t *v, uint32_t *out);

/* ---- strings (canon_string.c) ---- */
bool wf_canon_load_string(wf_cx_t *cx, uint32_t ptr, uint32_t tagged, weft_val_t *out);
bool wf_canon_store_string(wf_cx_t *cx, const char *s, size_t len, uint32_t *ptr, uint32_t *tagged);
/* UTF-8 helpers (also used by tests). valid: the whole input is valid UTF-8;
 * else *err_at is the offset of the first bad sequence, *incomplete set
 * when the input ends inside a sequence. */
bool wf_utf8_validate(const uint8_t *s, size_t len, size_t *err_at, bool *incomplete);
/* Decode one scalar from valid UTF-8 at s (advances *i). */
uint32_t wf_utf8_next(const uint8_t *s, size_t *i);

/* ---- lends ---- */
static inline void wf_lends_init(wf_lends_t *l) { l->v = l->inline_v; l->n = 0; l->cap = 8; }
bool wf_lends_push(wf_lends_t *l, wf_arena_t *a, uint32_t idx);
void wf_lends_release(wf_lends_t *l, wf_htable_t *t);

/* ---- calls (canon_call.c) ---- */
/* wf_cfunc_invoke with the caller being a guest (adapter messages) or not. */
wf_trapcode_t wf_canon_invoke(wf_cfunc_t *f, const weft_val_t *args, size_t nargs, weft_val_t *results,
                              size_t nresults, wf_arena_t *arena, wf_trap_t *trap, bool from_guest);
/* End of a call: drop leftover borrow handles of `call` from its instance. */
void wf_ccall_sweep(wf_ccall_t *call);

/* ---- handles (chandle.c / canon_builtin.c) ---- */
/* Describe a resource type for messages: "guest-defined resource" etc. */
const char *wf_rtype_desc(const wf_rtype_t *rt);
/* Get handle idx of inst checked against rt (NULL: any): traps "unknown
 * handle index N" / wrong type. */
wf_handle_t *wf_canon_handle_get(wf_htable_t *t, uint32_t idx, const wf_rtype_t *rt, wf_trap_t *trap);
/* Run the destructor of an owned resource dropped from instance `from`
 * (NULL: the host). */
bool wf_canon_run_dtor(wf_crt_t *crt, wf_cinst_t *from, wf_rtype_t *rt, uint64_t rep, wf_trap_t *trap);

#endif
