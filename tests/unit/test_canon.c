/* Unit tests of the canonical ABI (src/component/canon*.c, chandle.c):
 * load/store and lift/lower round trips for every type on a real core
 * memory, flat encodings (variant joins, sign extension), string
 * transcoding between every pair of encodings, the trap messages the
 * component-model suite checks, handles and borrows, and the handle
 * table's index reuse order, hostile memory; and end-to-end calls through
 * the public API (reentrance, borrow scopes, lockdown after a trap). Types
 * come from tests/data/canon/types.wat and calls.wat (embedded below as the
 * binaries `jco parse` made of them). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/canon.h"
#include "test.h"

/* tests/data/canon/types.wasm (regenerate: jco parse types.wat -o types.wasm; xxd -i) */
static const unsigned char types_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0xe4, 0x01, 0x14,
  0x72, 0x03, 0x01, 0x61, 0x7d, 0x01, 0x62, 0x77, 0x01, 0x63, 0x73, 0x71,
  0x03, 0x01, 0x78, 0x01, 0x79, 0x00, 0x01, 0x79, 0x01, 0x75, 0x00, 0x01,
  0x7a, 0x00, 0x00, 0x6d, 0x03, 0x01, 0x61, 0x01, 0x62, 0x01, 0x63, 0x6b,
  0x73, 0x6a, 0x01, 0x79, 0x01, 0x73, 0x6e, 0x03, 0x01, 0x61, 0x01, 0x62,
  0x01, 0x63, 0x6f, 0x06, 0x7d, 0x7c, 0x76, 0x74, 0x7f, 0x78, 0x70, 0x00,
  0x6e, 0x14, 0x02, 0x66, 0x30, 0x02, 0x66, 0x31, 0x02, 0x66, 0x32, 0x02,
  0x66, 0x33, 0x02, 0x66, 0x34, 0x02, 0x66, 0x35, 0x02, 0x66, 0x36, 0x02,
  0x66, 0x37, 0x02, 0x66, 0x38, 0x02, 0x66, 0x39, 0x03, 0x66, 0x31, 0x30,
  0x03, 0x66, 0x31, 0x31, 0x03, 0x66, 0x31, 0x32, 0x03, 0x66, 0x31, 0x33,
  0x03, 0x66, 0x31, 0x34, 0x03, 0x66, 0x31, 0x35, 0x03, 0x66, 0x31, 0x36,
  0x03, 0x66, 0x31, 0x37, 0x03, 0x66, 0x31, 0x38, 0x03, 0x66, 0x31, 0x39,
  0x3f, 0x7f, 0x00, 0x69, 0x09, 0x68, 0x09, 0x71, 0x03, 0x01, 0x66, 0x01,
  0x76, 0x00, 0x01, 0x6c, 0x01, 0x77, 0x00, 0x01, 0x73, 0x01, 0x73, 0x00,
  0x70, 0x7b, 0x6f, 0x03, 0x02, 0x0d, 0x0c, 0x6b, 0x0e, 0x70, 0x0f, 0x70,
  0x79, 0x40, 0x11, 0x01, 0x61, 0x79, 0x01, 0x62, 0x79, 0x01, 0x63, 0x79,
  0x01, 0x64, 0x79, 0x01, 0x65, 0x79, 0x01, 0x66, 0x79, 0x01, 0x67, 0x79,
  0x01, 0x68, 0x79, 0x01, 0x69, 0x79, 0x01, 0x6a, 0x79, 0x01, 0x6b, 0x79,
  0x01, 0x6c, 0x79, 0x01, 0x6d, 0x79, 0x01, 0x6e, 0x79, 0x01, 0x6f, 0x79,
  0x01, 0x70, 0x77, 0x01, 0x71, 0x73, 0x01, 0x00, 0x6a, 0x00, 0x00, 0x00,
  0x68, 0x0e, 0x63, 0x6f, 0x6d, 0x70, 0x6f, 0x6e, 0x65, 0x6e, 0x74, 0x2d,
  0x6e, 0x61, 0x6d, 0x65, 0x01, 0x57, 0x03, 0x11, 0x00, 0x03, 0x72, 0x65,
  0x63, 0x01, 0x03, 0x76, 0x61, 0x72, 0x02, 0x02, 0x65, 0x6e, 0x03, 0x03,
  0x6f, 0x70, 0x74, 0x04, 0x03, 0x72, 0x65, 0x73, 0x05, 0x02, 0x66, 0x6c,
  0x06, 0x03, 0x74, 0x75, 0x70, 0x07, 0x03, 0x6c, 0x73, 0x74, 0x08, 0x04,
  0x66, 0x6c, 0x32, 0x30, 0x09, 0x01, 0x72, 0x0a, 0x03, 0x6f, 0x77, 0x6e,
  0x0b, 0x03, 0x62, 0x6f, 0x72, 0x0c, 0x03, 0x6d, 0x69, 0x78, 0x10, 0x04,
  0x6e, 0x65, 0x73, 0x74, 0x11, 0x04, 0x6c, 0x75, 0x33, 0x32, 0x12, 0x03,
  0x62, 0x69, 0x67, 0x13, 0x04, 0x6f, 0x72, 0x65, 0x73
};


/* tests/data/canon/calls.wasm (likewise, from calls.wat) */
static const unsigned char calls_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x0a, 0x07, 0x01, 0x00,
  0x02, 0x68, 0x72, 0x03, 0x01, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
  0x0a, 0x0c, 0x01, 0x00, 0x07, 0x68, 0x6f, 0x73, 0x74, 0x2d, 0x63, 0x62,
  0x01, 0x01, 0x07, 0x0a, 0x02, 0x68, 0x00, 0x40, 0x01, 0x01, 0x78, 0x02,
  0x01, 0x00, 0x0a, 0x0e, 0x01, 0x00, 0x09, 0x68, 0x6f, 0x73, 0x74, 0x2d,
  0x74, 0x61, 0x6b, 0x65, 0x01, 0x03, 0x08, 0x0b, 0x03, 0x01, 0x00, 0x00,
  0x00, 0x01, 0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0xb5, 0x01, 0x00, 0x61,
  0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x03, 0x60, 0x00, 0x00,
  0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x17, 0x03, 0x00,
  0x02, 0x63, 0x62, 0x00, 0x00, 0x00, 0x04, 0x74, 0x61, 0x6b, 0x65, 0x00,
  0x01, 0x00, 0x04, 0x64, 0x72, 0x6f, 0x70, 0x00, 0x01, 0x03, 0x06, 0x05,
  0x00, 0x01, 0x01, 0x00, 0x02, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00,
  0x0b, 0x07, 0x2a, 0x05, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x2d, 0x68, 0x6f,
  0x73, 0x74, 0x00, 0x03, 0x04, 0x6b, 0x65, 0x65, 0x70, 0x00, 0x04, 0x04,
  0x70, 0x61, 0x73, 0x73, 0x00, 0x05, 0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x00,
  0x06, 0x05, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x00, 0x07, 0x0a, 0x24, 0x05,
  0x04, 0x00, 0x10, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x0a, 0x00, 0x20, 0x00,
  0x10, 0x01, 0x20, 0x00, 0x10, 0x02, 0x0b, 0x03, 0x00, 0x00, 0x0b, 0x0b,
  0x00, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x0b, 0x00,
  0x22, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x02, 0x01, 0x6d, 0x01, 0x11,
  0x03, 0x00, 0x02, 0x63, 0x62, 0x01, 0x04, 0x74, 0x61, 0x6b, 0x65, 0x02,
  0x04, 0x64, 0x72, 0x6f, 0x70, 0x07, 0x04, 0x01, 0x00, 0x01, 0x6e, 0x02,
  0x1c, 0x02, 0x01, 0x03, 0x02, 0x63, 0x62, 0x00, 0x00, 0x04, 0x74, 0x61,
  0x6b, 0x65, 0x00, 0x01, 0x04, 0x64, 0x72, 0x6f, 0x70, 0x00, 0x02, 0x00,
  0x00, 0x01, 0x00, 0x12, 0x00, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
  0x06, 0x0f, 0x01, 0x00, 0x00, 0x01, 0x01, 0x09, 0x63, 0x61, 0x6c, 0x6c,
  0x2d, 0x68, 0x6f, 0x73, 0x74, 0x08, 0x06, 0x01, 0x00, 0x00, 0x03, 0x00,
  0x04, 0x07, 0x0a, 0x02, 0x68, 0x00, 0x40, 0x01, 0x01, 0x78, 0x05, 0x01,
  0x00, 0x06, 0x0a, 0x01, 0x00, 0x00, 0x01, 0x01, 0x04, 0x6b, 0x65, 0x65,
  0x70, 0x08, 0x06, 0x01, 0x00, 0x00, 0x04, 0x00, 0x06, 0x07, 0x0a, 0x02,
  0x68, 0x00, 0x40, 0x01, 0x01, 0x78, 0x07, 0x01, 0x00, 0x06, 0x0a, 0x01,
  0x00, 0x00, 0x01, 0x01, 0x04, 0x70, 0x61, 0x73, 0x73, 0x08, 0x06, 0x01,
  0x00, 0x00, 0x05, 0x00, 0x08, 0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,
  0x06, 0x0a, 0x01, 0x00, 0x00, 0x01, 0x01, 0x04, 0x62, 0x6f, 0x6f, 0x6d,
  0x08, 0x06, 0x01, 0x00, 0x00, 0x06, 0x00, 0x09, 0x07, 0x05, 0x01, 0x40,
  0x00, 0x00, 0x79, 0x06, 0x0b, 0x01, 0x00, 0x00, 0x01, 0x01, 0x05, 0x63,
  0x6f, 0x75, 0x6e, 0x74, 0x08, 0x06, 0x01, 0x00, 0x00, 0x07, 0x00, 0x0a,
  0x0b, 0x34, 0x05, 0x00, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x2d, 0x68, 0x6f,
  0x73, 0x74, 0x01, 0x02, 0x00, 0x00, 0x04, 0x6b, 0x65, 0x65, 0x70, 0x01,
  0x03, 0x00, 0x00, 0x04, 0x70, 0x61, 0x73, 0x73, 0x01, 0x04, 0x00, 0x00,
  0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x01, 0x05, 0x00, 0x00, 0x05, 0x63, 0x6f,
  0x75, 0x6e, 0x74, 0x01, 0x06, 0x00, 0x00, 0x4c, 0x0e, 0x63, 0x6f, 0x6d,
  0x70, 0x6f, 0x6e, 0x65, 0x6e, 0x74, 0x2d, 0x6e, 0x61, 0x6d, 0x65, 0x01,
  0x15, 0x00, 0x00, 0x03, 0x00, 0x03, 0x63, 0x62, 0x27, 0x01, 0x05, 0x74,
  0x61, 0x6b, 0x65, 0x27, 0x02, 0x04, 0x64, 0x72, 0x6f, 0x70, 0x01, 0x06,
  0x00, 0x11, 0x01, 0x00, 0x01, 0x6d, 0x01, 0x06, 0x00, 0x12, 0x01, 0x01,
  0x01, 0x69, 0x01, 0x0c, 0x01, 0x02, 0x00, 0x02, 0x63, 0x62, 0x01, 0x04,
  0x74, 0x61, 0x6b, 0x65, 0x01, 0x06, 0x03, 0x01, 0x00, 0x02, 0x68, 0x72
};


/* type indices (inline types take indices of their own: 13-15 are parts of T_NEST) */
enum { T_REC, T_VAR, T_EN, T_OPT, T_RES, T_FL, T_TUP, T_LST, T_FL20, T_R, T_OWN, T_BOR, T_MIX,
       T_NEST = 16, T_LU32, T_BIG, T_ORES };

typedef struct {
  wf_component_t *comp;
  wf_crt_t rt;
  wf_cinst_t inst;
  wf_meminst_t *mem;
  wf_copts_t opts;
  wf_arena_t arena;
  wf_trap_t trap;
  wf_ccall_t call;
  wf_lends_t lends;
  wf_cx_t cx;
  uint32_t heap;          /* bump allocator of the fake realloc */
  int64_t force;          /* >= 0: realloc returns this */
  uint32_t nrealloc;
  bool leave_seen;        /* may_leave as seen inside realloc */
} fx_t;

static wf_trapcode_t fake_realloc(void *env, wf_exec_t *ex, const uint64_t *args, uint64_t *results) {
  (void)ex;
  fx_t *f = env;
  uint32_t old = (uint32_t)args[0], osz = (uint32_t)args[1], align = (uint32_t)args[2], nsz = (uint32_t)args[3];
  f->nrealloc++;
  f->leave_seen = f->inst.may_leave;
  if (f->force >= 0) {
    results[0] = (uint32_t)f->force;
    return WF_TRAP_NONE;
  }
  if (old && nsz <= osz) {     /* shrink in place */
    results[0] = old;
    return WF_TRAP_NONE;
  }
  uint32_t p = (f->heap + align - 1) & ~(align - 1);
  f->heap = p + nsz;
  if (old && osz) memmove(f->mem->base + p, f->mem->base + old, osz);
  results[0] = p;
  return WF_TRAP_NONE;
}

static wf_ctid_t ty(fx_t *f, unsigned i) { return f->comp->space[WF_SORT_TYPE][i]; }

static bool fx_init(fx_t *f) {
  memset(f, 0, sizeof *f);
  wf_error_t err;
  memset(&err, 0, sizeof err);
  f->comp = wf_component_decode(types_wasm, sizeof types_wasm, &err);
  if (!f->comp) {
    fprintf(stderr, "  decode: %s\n", err.msg);
    return false;
  }
  f->rt.store = wf_store_new();
  wf_arena_init(&f->rt.arena);
  f->inst.rt = &f->rt;
  f->inst.comp = f->comp;
  f->inst.may_leave = f->inst.may_enter = true;
  wf_htable_init(&f->inst.handles);
  wf_memtype_t mt;
  memset(&mt, 0, sizeof mt);
  mt.lim.min = 1;
  f->mem = wf_memory_new(f->rt.store, &mt, &err);
  static const uint8_t p4[4] = {WF_T_I32, WF_T_I32, WF_T_I32, WF_T_I32}, r1[1] = {WF_T_I32};
  f->opts.mem = f->mem;
  f->opts.realloc = wf_host_func_new(f->rt.store, p4, 4, r1, 1, fake_realloc, f, NULL);
  f->opts.enc = WF_STRENC_UTF8;
  f->heap = 1024;
  f->force = -1;
  wf_arena_init(&f->arena);
  f->call.inst = &f->inst;
  wf_lends_init(&f->lends);
  wf_cx_t cx = {.inst = &f->inst, .ts = f->comp->types, .opts = &f->opts, .arena = &f->arena, .trap = &f->trap,
                .call = &f->call, .lends = &f->lends, .badval = "value"};
  f->cx = cx;
  return f->mem && f->opts.realloc;
}

static void fx_fini(fx_t *f) {
  wf_htable_fini(&f->inst.handles);
  wf_arena_fini(&f->arena);
  wf_arena_fini(&f->rt.arena);
  wf_store_free(f->rt.store);
  wf_component_free(f->comp);
}

/* ---- values ---- */
static weft_val_t *vals(fx_t *f, size_t n) { return wf_arena_alloc(&f->arena, n * sizeof(weft_val_t)); }
static weft_val_t vu(weft_vkind_t k, uint64_t u) { weft_val_t v = {.kind = k}; v.of.u = u; return v; }
static weft_val_t vs(weft_vkind_t k, int64_t s) { weft_val_t v = {.kind = k}; v.of.s = s; return v; }
static weft_val_t vstr(const char *s) {
  weft_val_t v = {.kind = WEFT_VAL_STRING};
  v.of.str.ptr = s;
  v.of.str.len = strlen(s);
  return v;
}
static weft_val_t vseq(fx_t *f, weft_vkind_t k, size_t n, const weft_val_t *items) {
  weft_val_t v = {.kind = k};
  v.of.seq.n = n;
  v.of.seq.v = vals(f, n ? n : 1);
  if (n) memcpy(v.of.seq.v, items, n * sizeof *items);
  return v;
}
static weft_val_t vvar(fx_t *f, weft_vkind_t k, uint32_t idx, const weft_val_t *payload) {
  weft_val_t v = {.kind = k};
  v.of.var.index = idx;
  if (payload) {
    v.of.var.payload = vals(f, 1);
    *v.of.var.payload = *payload;
  }
  return v;
}

static bool val_eq(const weft_val_t *a, const weft_val_t *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case WEFT_VAL_BOOL: return a->of.b == b->of.b;
  case WEFT_VAL_S8: case WEFT_VAL_S16: case WEFT_VAL_S32: case WEFT_VAL_S64: return a->of.s == b->of.s;
  case WEFT_VAL_U8: case WEFT_VAL_U16: case WEFT_VAL_U32: case WEFT_VAL_U64: return a->of.u == b->of.u;
  case WEFT_VAL_F32: return memcmp(&a->of.f32, &b->of.f32, 4) == 0;
  case WEFT_VAL_F64: return memcmp(&a->of.f64, &b->of.f64, 8) == 0;
  case WEFT_VAL_CHAR: return a->of.ch == b->of.ch;
  case WEFT_VAL_STRING:
    return a->of.str.len == b->of.str.len && memcmp(a->of.str.ptr, b->of.str.ptr, a->of.str.len) == 0;
  case WEFT_VAL_LIST: case WEFT_VAL_RECORD: case WEFT_VAL_TUPLE:
    if (a->of.seq.n != b->of.seq.n) return false;
    for (size_t i = 0; i < a->of.seq.n; i++)
      if (!val_eq(&a->of.seq.v[i], &b->of.seq.v[i])) return false;
    return true;
  case WEFT_VAL_VARIANT: case WEFT_VAL_ENUM: case WEFT_VAL_OPTION: case WEFT_VAL_RESULT:
    if (a->of.var.index != b->of.var.index || !a->of.var.payload != !b->of.var.payload) return false;
    return !a->of.var.payload || val_eq(a->of.var.payload, b->of.var.payload);
  case WEFT_VAL_FLAGS: return a->of.flags == b->of.flags;
  case WEFT_VAL_OWN: case WEFT_VAL_BORROW: return a->of.res.type == b->of.res.type && a->of.res.rep == b->of.res.rep;
  default: return false;
  }
}

/* Store v (type t) into fresh memory, load it back; lower it flat, lift
 * it back. Both must give v. */
static bool roundtrip(fx_t *f, wf_ctid_t t, const weft_val_t *v) {
  uint32_t size, align, ptr;
  wf_canon_size_align(f->comp->types, t, &size, &align);
  if (!wf_canon_alloc_checked(&f->cx, align, size, false, &ptr)) return false;
  weft_val_t back;
  if (!wf_canon_store(&f->cx, t, v, ptr) || !wf_canon_load(&f->cx, t, ptr, &back)) {
    fprintf(stderr, "  memory round trip trapped: %s\n", f->trap.msg);
    return false;
  }
  if (!val_eq(v, &back)) {
    fprintf(stderr, "  memory round trip differs (type %u)\n", t);
    return false;
  }
  uint64_t slots[64];
  uint32_t n = 0, k = 0;
  if (!wf_canon_lower_flat(&f->cx, t, v, slots, 64, &n) || !wf_canon_lift_flat(&f->cx, t, slots, n, &k, &back)) {
    fprintf(stderr, "  flat round trip trapped: %s\n", f->trap.msg);
    return false;
  }
  if (n != wf_canon_flat_count(f->comp->types, t) || k != n || !val_eq(v, &back)) {
    fprintf(stderr, "  flat round trip differs (type %u: %u slots)\n", t, n);
    return false;
  }
  return true;
}

static bool traps_with(fx_t *f, const char *msg) {
  if (!strstr(f->trap.msg, msg)) {
    fprintf(stderr, "  expected a trap with \"%s\", got \"%s\"\n", msg, f->trap.msg);
    return false;
  }
  return true;
}

/* ---- tests ---- */

WF_TEST(canon_layout) {
  fx_t f;
  CHECK(fx_init(&f));
  const wf_ctypes_t *ts = f.comp->types;
  uint32_t s, a;
  wf_canon_size_align(ts, ty(&f, T_REC), &s, &a);
  CHECK_EQ(s, 24); CHECK_EQ(a, 8);
  wf_canon_size_align(ts, ty(&f, T_VAR), &s, &a);
  CHECK_EQ(s, 16); CHECK_EQ(a, 8);
  wf_canon_size_align(ts, ty(&f, T_EN), &s, &a);
  CHECK_EQ(s, 1); CHECK_EQ(a, 1);
  wf_canon_size_align(ts, ty(&f, T_FL20), &s, &a);
  CHECK_EQ(s, 4); CHECK_EQ(a, 4);
  wf_canon_size_align(ts, ty(&f, T_TUP), &s, &a);   /* u8 s16 f32 char bool s64 */
  CHECK_EQ(s, 24); CHECK_EQ(a, 8);
  wf_canon_size_align(ts, ty(&f, T_RES), &s, &a);
  CHECK_EQ(s, 12); CHECK_EQ(a, 4);
  CHECK_EQ(wf_canon_flat_count(ts, ty(&f, T_MIX)), 3);     /* i32 + join(f32, i64, i32 i32) */
  CHECK_EQ(wf_canon_flat_count(ts, ty(&f, T_REC)), 4);
  CHECK_EQ(wf_canon_flat_count(ts, ty(&f, T_ORES)), 1);
  CHECK_EQ(wf_canon_flat_count(ts, WF_CT_STRING), 2);
  fx_fini(&f);
}

WF_TEST(canon_roundtrip_scalars) {
  fx_t f;
  CHECK(fx_init(&f));
  weft_val_t v;
  v = vu(WEFT_VAL_BOOL, 0); v.of.b = 1; CHECK(roundtrip(&f, WF_CT_BOOL, &v));
  v = vs(WEFT_VAL_S8, -128); CHECK(roundtrip(&f, WF_CT_S8, &v));
  v = vu(WEFT_VAL_U8, 255); CHECK(roundtrip(&f, WF_CT_U8, &v));
  v = vs(WEFT_VAL_S16, -32768); CHECK(roundtrip(&f, WF_CT_S16, &v));
  v = vu(WEFT_VAL_U16, 65535); CHECK(roundtrip(&f, WF_CT_U16, &v));
  v = vs(WEFT_VAL_S32, INT32_MIN); CHECK(roundtrip(&f, WF_CT_S32, &v));
  v = vu(WEFT_VAL_U32, UINT32_MAX); CHECK(roundtrip(&f, WF_CT_U32, &v));
  v = vs(WEFT_VAL_S64, INT64_MIN); CHECK(roundtrip(&f, WF_CT_S64, &v));
  v = vu(WEFT_VAL_U64, UINT64_MAX); CHECK(roundtrip(&f, WF_CT_U64, &v));
  v.kind = WEFT_VAL_F32; v.of.f32 = -1.5f; CHECK(roundtrip(&f, WF_CT_F32, &v));
  v.kind = WEFT_VAL_F64; v.of.f64 = 1e300; CHECK(roundtrip(&f, WF_CT_F64, &v));
  v.kind = WEFT_VAL_CHAR; v.of.ch = 0x1F370; CHECK(roundtrip(&f, WF_CT_CHAR, &v));
  v = vstr("h\xc3\xa9llo \xe2\x98\x83"); CHECK(roundtrip(&f, WF_CT_STRING, &v));
  v = vstr(""); CHECK(roundtrip(&f, WF_CT_STRING, &v));
  /* sign extension in flat slots: s8 -1 is the i32 0xffffffff */
  uint64_t slot[1];
  uint32_t n = 0;
  v = vs(WEFT_VAL_S8, -1);
  CHECK(wf_canon_lower_flat(&f.cx, WF_CT_S8, &v, slot, 1, &n));
  CHECK_EQ(slot[0], 0xffffffffu);
  /* lifting truncates to the type's width */
  slot[0] = 0x1ff;
  n = 0;
  CHECK(wf_canon_lift_flat(&f.cx, WF_CT_U8, slot, 1, &n, &v));
  CHECK_EQ(v.of.u, 0xff);
  n = 0;
  slot[0] = 0xff80;
  CHECK(wf_canon_lift_flat(&f.cx, WF_CT_S8, slot, 1, &n, &v));
  CHECK_EQ(v.of.s, -128);
  /* NaNs are canonicalised both ways */
  uint32_t nan = 0x7fa12345;
  slot[0] = nan;
  n = 0;
  CHECK(wf_canon_lift_flat(&f.cx, WF_CT_F32, slot, 1, &n, &v));
  uint32_t bits;
  memcpy(&bits, &v.of.f32, 4);
  CHECK_EQ(bits, 0x7fc00000u);
  memcpy(&v.of.f32, &nan, 4);
  n = 0;
  CHECK(wf_canon_lower_flat(&f.cx, WF_CT_F32, &v, slot, 1, &n));
  CHECK_EQ(slot[0], 0x7fc00000u);
  uint64_t nan64 = 0xfff0000000000001ull;
  memcpy(&v.of.f64, &nan64, 8);
  v.kind = WEFT_VAL_F64;
  n = 0;
  CHECK(wf_canon_lower_flat(&f.cx, WF_CT_F64, &v, slot, 1, &n));
  CHECK_EQ(slot[0], 0x7ff8000000000000ull);
  /* bools: any non-zero byte is true */
  f.mem->base[100] = 0x80;
  CHECK(wf_canon_load(&f.cx, WF_CT_BOOL, 100, &v));
  CHECK_EQ(v.of.b, 1);
  fx_fini(&f);
}

WF_TEST(canon_roundtrip_compound) {
  fx_t f;
  CHECK(fx_init(&f));
  weft_val_t v, p, items[6];
  items[0] = vu(WEFT_VAL_U8, 7);
  items[1] = vu(WEFT_VAL_U64, 1ull << 40);
  items[2] = vstr("r\xc3\xa9" "cord");
  weft_val_t rec = vseq(&f, WEFT_VAL_RECORD, 3, items);
  CHECK(roundtrip(&f, ty(&f, T_REC), &rec));
  p.kind = WEFT_VAL_F64; p.of.f64 = 2.5;
  v = vvar(&f, WEFT_VAL_VARIANT, 1, &p); CHECK(roundtrip(&f, ty(&f, T_VAR), &v));
  v = vvar(&f, WEFT_VAL_VARIANT, 2, NULL); CHECK(roundtrip(&f, ty(&f, T_VAR), &v));
  v = vvar(&f, WEFT_VAL_ENUM, 2, NULL); CHECK(roundtrip(&f, ty(&f, T_EN), &v));
  p = vstr("x");
  v = vvar(&f, WEFT_VAL_OPTION, 1, &p); CHECK(roundtrip(&f, ty(&f, T_OPT), &v));
  v = vvar(&f, WEFT_VAL_OPTION, 0, NULL); CHECK(roundtrip(&f, ty(&f, T_OPT), &v));
  p = vu(WEFT_VAL_U32, 5);
  v = vvar(&f, WEFT_VAL_RESULT, 0, &p); CHECK(roundtrip(&f, ty(&f, T_RES), &v));
  p = vstr("bad");
  v = vvar(&f, WEFT_VAL_RESULT, 1, &p); CHECK(roundtrip(&f, ty(&f, T_RES), &v));
  v = vvar(&f, WEFT_VAL_RESULT, 1, NULL); CHECK(roundtrip(&f, ty(&f, T_ORES), &v));
  v.kind = WEFT_VAL_FLAGS; v.of.flags = 5; CHECK(roundtrip(&f, ty(&f, T_FL), &v));
  v.of.flags = 0xF0F0F; CHECK(roundtrip(&f, ty(&f, T_FL20), &v));
  items[0] = vu(WEFT_VAL_U8, 255);
  items[1] = vs(WEFT_VAL_S16, -3);
  items[2].kind = WEFT_VAL_F32; items[2].of.f32 = 1.5f;
  items[3].kind = WEFT_VAL_CHAR; items[3].of.ch = 0x1F370;
  items[4].kind = WEFT_VAL_BOOL; items[4].of.b = 1;
  items[5] = vs(WEFT_VAL_S64, -(1ll << 40));
  v = vseq(&f, WEFT_VAL_TUPLE, 6, items); CHECK(roundtrip(&f, ty(&f, T_TUP), &v));
  weft_val_t recs[2] = {rec, rec};
  v = vseq(&f, WEFT_VAL_LIST, 2, recs); CHECK(roundtrip(&f, ty(&f, T_LST), &v));
  v = vseq(&f, WEFT_VAL_LIST, 0, NULL); CHECK(roundtrip(&f, ty(&f, T_LST), &v));
  p.kind = WEFT_VAL_F32; p.of.f32 = 3.25f;
  weft_val_t mf = vvar(&f, WEFT_VAL_VARIANT, 0, &p);
  CHECK(roundtrip(&f, ty(&f, T_MIX), &mf));
  p = vu(WEFT_VAL_U64, UINT64_MAX);
  v = vvar(&f, WEFT_VAL_VARIANT, 1, &p); CHECK(roundtrip(&f, ty(&f, T_MIX), &v));
  p = vstr("abc");
  weft_val_t ms = vvar(&f, WEFT_VAL_VARIANT, 2, &p);
  CHECK(roundtrip(&f, ty(&f, T_MIX), &ms));
  /* list<option<tuple<enum, list<u16>, mix>>> */
  weft_val_t u16s[3] = {vu(WEFT_VAL_U16, 1), vu(WEFT_VAL_U16, 2), vu(WEFT_VAL_U16, 65535)};
  weft_val_t tup[3] = {vvar(&f, WEFT_VAL_ENUM, 1, NULL), vseq(&f, WEFT_VAL_LIST, 3, u16s), ms};
  weft_val_t t3 = vseq(&f, WEFT_VAL_TUPLE, 3, tup);
  weft_val_t el[3] = {vvar(&f, WEFT_VAL_OPTION, 1, &t3), vvar(&f, WEFT_VAL_OPTION, 0, NULL), vvar(&f, WEFT_VAL_OPTION, 1, &t3)};
  el[2].of.var.payload->of.seq.v[2] = mf;
  v = vseq(&f, WEFT_VAL_LIST, 3, el);
  CHECK(roundtrip(&f, ty(&f, T_NEST), &v));

  /* variant join: f32 payload travels as its bits in the i64 slot */
  uint64_t s[8];
  uint32_t n = 0;
  CHECK(wf_canon_lower_flat(&f.cx, ty(&f, T_MIX), &mf, s, 8, &n));
  CHECK_EQ(n, 3);
  CHECK_EQ(s[0], 0);
  CHECK_EQ(s[1], 0x40500000u);
  CHECK_EQ(s[2], 0);
  /* and the high half of the joined slot is ignored when lifting an f32 */
  s[1] = 0xffffffff40500000ull;
  uint32_t k = 0;
  CHECK(wf_canon_lift_flat(&f.cx, ty(&f, T_MIX), s, 3, &k, &v));
  CHECK_EQ(k, 3);
  CHECK(val_eq(&v, &mf));
  /* flags: undefined upper bits are masked off when lifting */
  s[0] = 0xff;
  k = 0;
  CHECK(wf_canon_lift_flat(&f.cx, ty(&f, T_FL), s, 1, &k, &v));
  CHECK_EQ(v.of.flags, 7);
  fx_fini(&f);
}

WF_TEST(canon_spilled_params) {
  fx_t f;
  CHECK(fx_init(&f));
  const wf_ctype_t *ft = wf_ctype(f.comp->types, ty(&f, T_BIG));
  CHECK_EQ(ft->n, 17);
  weft_val_t in[17], out[17];
  for (int i = 0; i < 15; i++) in[i] = vu(WEFT_VAL_U32, 100u + (unsigned)i);
  in[15] = vu(WEFT_VAL_U64, 1ull << 50);
  in[16] = vstr("spilled");
  /* tuple layout: 15 u32 at 0..60, u64 at 64, string at 72; size 80, align 8 */
  uint32_t ptr, off = 0;
  CHECK(wf_canon_alloc_checked(&f.cx, 8, 80, false, &ptr));
  for (int i = 0; i < 17; i++) {
    uint32_t s, a;
    wf_canon_size_align(f.comp->types, ft->fields[i].type, &s, &a);
    off = (off + a - 1) & ~(a - 1);
    CHECK(wf_canon_store(&f.cx, ft->fields[i].type, &in[i], ptr + off));
    off += s;
  }
  CHECK_EQ(off, 80);
  uint64_t slot = ptr;
  CHECK(wf_canon_lift_values(&f.cx, ft->fields, 17, &slot, 1, WF_MAX_FLAT_PARAMS, out));
  for (int i = 0; i < 17; i++) CHECK(val_eq(&in[i], &out[i]));
  /* a misaligned spill pointer traps */
  slot = ptr + 4;
  CHECK(!wf_canon_lift_values(&f.cx, ft->fields, 17, &slot, 1, WF_MAX_FLAT_PARAMS, out));
  CHECK(traps_with(&f, "unaligned pointer"));
  fx_fini(&f);
}

/* Expected bytes of a string in each encoding. */
typedef struct {
  const char *utf8;
  const char *utf16; size_t utf16_units;
  const char *l1; size_t l1_units; bool l1_tagged;   /* latin1+utf16 */
} enc_case_t;

static bool check_mem(fx_t *f, uint32_t ptr, const char *bytes, size_t n) {
  if (memcmp(f->mem->base + ptr, bytes, n) != 0) {
    fprintf(stderr, "  memory at %u differs from the expected encoding\n", ptr);
    return false;
  }
  return true;
}

WF_TEST(canon_string_transcoding) {
  static const enc_case_t cases[] = {
    {"hi", "h\0i\0", 2, "hi", 2, false},
    {"gr\xc3\xbcn", "g\0r\0\xfc\0n\0", 4, "gr\xfcn", 4, false},
    /* latin1 code point, then one outside it: in-place inflation */
    {"\xc3\xb6\xe2\x98\x83", "\xf6\0\x03\x26", 2, "\xf6\0\x03\x26", 2, true},
    /* a surrogate pair */
    {"h\xe2\x98\x83\xf0\x9f\x8d\xb0", "h\0\x03\x26\x3c\xd8\x70\xdf", 4, "h\0\x03\x26\x3c\xd8\x70\xdf", 4, true},
    {"", "", 0, "", 0, false},
  };
  fx_t f;
  CHECK(fx_init(&f));
  static const uint8_t encs[3] = {WF_STRENC_UTF8, WF_STRENC_UTF16, WF_STRENC_LATIN1_UTF16};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const enc_case_t *ec = &cases[c];
    size_t u8len = strlen(ec->utf8);
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) {
        /* the string in encoding a, as a guest using a would hold it */
        f.opts.enc = encs[a];
        uint32_t pa, ta, pb, tb;
        CHECK(wf_canon_store_string(&f.cx, ec->utf8, u8len, &pa, &ta));
        /* lift with a, lower with b */
        weft_val_t v;
        CHECK(wf_canon_load_string(&f.cx, pa, ta, &v));
        CHECK_EQ(v.of.str.len, u8len);
        CHECK(memcmp(v.of.str.ptr, ec->utf8, u8len) == 0);
        f.opts.enc = encs[b];
        CHECK(wf_canon_store_string(&f.cx, v.of.str.ptr, v.of.str.len, &pb, &tb));
        switch (encs[b]) {
        case WF_STRENC_UTF8:
          CHECK_EQ(tb, u8len);
          CHECK(check_mem(&f, pb, ec->utf8, u8len));
          break;
        case WF_STRENC_UTF16:
          CHECK_EQ(tb, ec->utf16_units);
          CHECK_EQ(pb % 2, 0);
          CHECK(check_mem(&f, pb, ec->utf16, 2 * ec->utf16_units));
          break;
        default:
          CHECK_EQ(tb, ec->l1_units | (ec->l1_tagged ? WF_UTF16_TAG : 0));
          CHECK_EQ(pb % 2, 0);
          CHECK(check_mem(&f, pb, ec->l1, ec->l1_tagged ? 2 * ec->l1_units : ec->l1_units));
          break;
        }
        weft_val_t back;
        CHECK(wf_canon_load_string(&f.cx, pb, tb, &back));
        CHECK(val_eq(&v, &back));
      }
    }
  }
  /* the shrinking realloc of utf8 -> utf16 and of the latin1 path */
  f.opts.enc = WF_STRENC_UTF16;
  uint32_t before = f.nrealloc, p, t;
  CHECK(wf_canon_store_string(&f.cx, "\xe2\x98\x83", 3, &p, &t));
  CHECK_EQ(f.nrealloc - before, 2);   /* worst case 6 bytes, then shrink to 2 */
  f.opts.enc = WF_STRENC_LATIN1_UTF16;
  before = f.nrealloc;
  CHECK(wf_canon_store_string(&f.cx, "\xc3\xbc", 2, &p, &t));
  CHECK_EQ(f.nrealloc - before, 2);   /* 2 bytes, then shrink to 1 latin1 byte */
  CHECK_EQ(t, 1);
  fx_fini(&f);
}

WF_TEST(canon_string_traps) {
  fx_t f;
  CHECK(fx_init(&f));
  weft_val_t v;
  uint32_t size = (uint32_t)f.mem->size;
  CHECK(!wf_canon_load_string(&f.cx, size - 1, 2, &v));
  CHECK(traps_with(&f, "string pointer/length out of bounds of memory"));
  CHECK(!wf_canon_load_string(&f.cx, 0xdeadbeef, 0, &v));
  CHECK(traps_with(&f, "string pointer/length out of bounds of memory"));
  f.cx.adapter = true;
  CHECK(!wf_canon_load_string(&f.cx, 0x80000000u, 1, &v));
  CHECK(traps_with(&f, "string content out-of-bounds"));
  f.cx.adapter = false;
  f.mem->base[10] = 0xff;
  CHECK(!wf_canon_load_string(&f.cx, 10, 1, &v));
  CHECK(traps_with(&f, "invalid utf-8"));
  f.mem->base[10] = 0xc3;
  CHECK(!wf_canon_load_string(&f.cx, 10, 1, &v));
  CHECK(traps_with(&f, "incomplete utf-8 byte sequence"));
  f.mem->base[10] = 0xed; f.mem->base[11] = 0xa0; f.mem->base[12] = 0x80;   /* encoded surrogate */
  CHECK(!wf_canon_load_string(&f.cx, 10, 3, &v));
  CHECK(traps_with(&f, "invalid utf-8"));
  f.opts.enc = WF_STRENC_UTF16;
  CHECK(!wf_canon_load_string(&f.cx, 11, 1, &v));
  CHECK(traps_with(&f, "unaligned pointer"));
  f.mem->base[10] = 0x00; f.mem->base[11] = 0xdc;                            /* lone low surrogate */
  CHECK(!wf_canon_load_string(&f.cx, 10, 1, &v));
  CHECK(traps_with(&f, "invalid utf-16"));
  f.opts.enc = WF_STRENC_LATIN1_UTF16;
  f.mem->base[10] = 0xe9;
  CHECK(wf_canon_load_string(&f.cx, 10, 1, &v));                             /* latin1 'é' */
  CHECK_EQ(v.of.str.len, 2);
  CHECK(memcmp(v.of.str.ptr, "\xc3\xa9", 2) == 0);
  /* realloc results are checked: alignment first, then bounds */
  f.opts.enc = WF_STRENC_UTF16;
  uint32_t p, t;
  f.force = 1;
  CHECK(!wf_canon_store_string(&f.cx, "ab", 2, &p, &t));
  CHECK(traps_with(&f, "realloc return: result not aligned"));
  f.force = size - 2;
  CHECK(!wf_canon_store_string(&f.cx, "ab", 2, &p, &t));
  CHECK(traps_with(&f, "realloc return: beyond end of memory"));
  f.cx.adapter = true;
  CHECK(!wf_canon_store_string(&f.cx, "ab", 2, &p, &t));
  CHECK(traps_with(&f, "string content out-of-bounds"));
  f.cx.adapter = false;
  f.force = -1;
  /* realloc runs with may_leave clear */
  f.inst.may_leave = true;
  CHECK(wf_canon_store_string(&f.cx, "ab", 2, &p, &t));
  CHECK(!f.leave_seen);
  CHECK(f.inst.may_leave);
  /* invalid UTF-8 from the host is refused */
  CHECK(!wf_canon_store_string(&f.cx, "\xff", 1, &p, &t));
  CHECK(traps_with(&f, "not valid utf-8"));
  fx_fini(&f);
}

WF_TEST(canon_value_traps) {
  fx_t f;
  CHECK(fx_init(&f));
  uint64_t s[4] = {0xd800, 0, 0, 0};
  uint32_t k = 0;
  weft_val_t v;
  CHECK(!wf_canon_lift_flat(&f.cx, WF_CT_CHAR, s, 1, &k, &v));
  CHECK(traps_with(&f, "invalid `char` bit pattern"));
  s[0] = 0x110000;
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, WF_CT_CHAR, s, 1, &k, &v));
  CHECK(traps_with(&f, "invalid `char` bit pattern"));
  s[0] = 3;
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, ty(&f, T_VAR), s, 3, &k, &v));
  CHECK(traps_with(&f, "invalid variant discriminant"));
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, ty(&f, T_EN), s, 1, &k, &v));
  CHECK(traps_with(&f, "invalid variant discriminant"));
  f.mem->base[200] = 2;
  CHECK(!wf_canon_load(&f.cx, ty(&f, T_OPT), 200, &v));
  CHECK(traps_with(&f, "invalid variant discriminant"));
  s[0] = 2; s[1] = 1;   /* list<u32> at 2 */
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, ty(&f, T_LU32), s, 2, &k, &v));
  CHECK(traps_with(&f, "unaligned pointer"));
  s[0] = (uint32_t)f.mem->size - 4; s[1] = 2;
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, ty(&f, T_LU32), s, 2, &k, &v));
  CHECK(traps_with(&f, "list pointer/length out of bounds of memory"));
  f.cx.adapter = true;
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, ty(&f, T_LU32), s, 2, &k, &v));
  CHECK(traps_with(&f, "list content out-of-bounds"));
  s[0] = 0; s[1] = 0x40000001;   /* length * 4 overflows 32 bits */
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, ty(&f, T_LU32), s, 2, &k, &v));
  CHECK(traps_with(&f, "list content out-of-bounds"));
  f.cx.adapter = false;
  /* lowering wrongly-typed values */
  uint32_t n = 0;
  v = vstr("x");
  CHECK(!wf_canon_lower_flat(&f.cx, WF_CT_U32, &v, s, 4, &n));
  CHECK(traps_with(&f, "value of the wrong type: expected u32, got a string value"));
  v = vu(WEFT_VAL_U8, 256);
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, WF_CT_U8, &v, s, 4, &n));
  CHECK(traps_with(&f, "wrong type"));
  v = vvar(&f, WEFT_VAL_VARIANT, 0, NULL);   /* case x needs a payload */
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, ty(&f, T_VAR), &v, s, 4, &n));
  CHECK(traps_with(&f, "wrong type"));
  v.kind = WEFT_VAL_FLAGS;
  v.of.flags = 8;
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, ty(&f, T_FL), &v, s, 4, &n));
  CHECK(traps_with(&f, "wrong type"));
  v.kind = WEFT_VAL_CHAR;
  v.of.ch = 0xdfff;
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, WF_CT_CHAR, &v, s, 4, &n));
  CHECK(traps_with(&f, "invalid `char` bit pattern"));
  /* list realloc results */
  weft_val_t two[2] = {vu(WEFT_VAL_U32, 1), vu(WEFT_VAL_U32, 2)};
  v = vseq(&f, WEFT_VAL_LIST, 2, two);
  f.force = 0xffffffff;
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, ty(&f, T_LU32), &v, s, 4, &n));
  CHECK(traps_with(&f, "realloc return: result not aligned"));
  f.force = 0xfffffffc;
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, ty(&f, T_LU32), &v, s, 4, &n));
  CHECK(traps_with(&f, "realloc return: beyond end of memory"));
  f.cx.adapter = true;
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, ty(&f, T_LU32), &v, s, 4, &n));
  CHECK(traps_with(&f, "list content out-of-bounds"));
  fx_fini(&f);
}

static unsigned dtor_calls;
static uint64_t dtor_rep;
static void host_dtor(void *env, uint64_t rep) {
  (void)env;
  dtor_calls++;
  dtor_rep = rep;
}

WF_TEST(canon_handle_table) {
  wf_htable_t t;
  wf_htable_init(&t);
  wf_rtype_t host = {0};
  host.host_dtor = host_dtor;
  wf_handle_t h = {0};
  h.rt = &host;
  h.own = true;
  uint32_t idx[5];
  for (int i = 0; i < 5; i++) {
    h.rep = 100u + (unsigned)i;
    idx[i] = wf_htable_add(&t, &h);
    CHECK_EQ(idx[i], i + 1);     /* index 0 is never used */
  }
  CHECK(!wf_htable_get(&t, 0));
  CHECK(!wf_htable_get(&t, 6));
  CHECK(!wf_htable_get(&t, UINT32_MAX));
  wf_htable_remove(&t, 2);
  wf_htable_remove(&t, 4);
  wf_htable_remove(&t, 1);
  CHECK(!wf_htable_get(&t, 2));
  CHECK_EQ(wf_htable_get(&t, 3)->rep, 102);
  /* freed indices are reused last-freed first, then the table grows */
  CHECK_EQ(wf_htable_add(&t, &h), 1);
  CHECK_EQ(wf_htable_add(&t, &h), 4);
  CHECK_EQ(wf_htable_add(&t, &h), 2);
  CHECK_EQ(wf_htable_add(&t, &h), 6);
  for (int i = 0; i < 100; i++) CHECK(wf_htable_add(&t, &h) == 7u + (unsigned)i);
  /* fini runs host destructors of owned handles */
  wf_htable_remove(&t, 3);
  dtor_calls = 0;
  wf_htable_fini(&t);
  CHECK_EQ(dtor_calls, 105);
  /* unknown indices and wrong types */
  wf_htable_init(&t);
  wf_trap_t trap;
  CHECK(!wf_canon_handle_get(&t, 5, NULL, &trap));
  CHECK(strcmp(trap.msg, "unknown handle index 5") == 0);
  wf_rtype_t g1 = {0}, g2 = {0};
  g1.impl = g2.impl = (wf_cinst_t *)&t;    /* any non-NULL instance: guest-defined */
  h.rt = &g1;
  uint32_t i1 = wf_htable_add(&t, &h);
  CHECK(!wf_canon_handle_get(&t, i1, &g2, &trap));
  CHECK(strcmp(trap.msg, "handle index 1 used with the wrong type, expected guest-defined resource but "
                         "found a different guest-defined resource") == 0);
  CHECK(wf_canon_handle_get(&t, i1, &g1, &trap));
  wf_htable_fini(&t);
}

WF_TEST(canon_resources) {
  fx_t f;
  CHECK(fx_init(&f));
  const wf_ctype_t *rnode = wf_ctype(f.comp->types, ty(&f, T_R));
  wf_rtype_t mine = {0}, other = {0}, host = {0};
  mine.impl = &f.inst;
  other.impl = (wf_cinst_t *)&other;
  host.host_dtor = host_dtor;
  CHECK(wf_cinst_bind_rid(&f.inst, rnode->rid, &mine));
  wf_ctid_t own = ty(&f, T_OWN), bor = ty(&f, T_BOR);
  /* own: lowering adds a handle, lifting takes it out */
  weft_val_t v = {.kind = WEFT_VAL_OWN}, back;
  v.of.res.type = &mine;
  v.of.res.rep = 42;
  uint64_t s[2];
  uint32_t n = 0, k = 0;
  CHECK(wf_canon_lower_flat(&f.cx, own, &v, s, 2, &n));
  CHECK_EQ(s[0], 1);
  CHECK(wf_canon_lift_flat(&f.cx, own, s, 1, &k, &back));
  CHECK(val_eq(&v, &back));
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, own, s, 1, &k, &back));
  CHECK(traps_with(&f, "unknown handle index 1"));
  /* borrow into the defining instance: the rep itself */
  v.kind = WEFT_VAL_BORROW;
  n = 0;
  CHECK(wf_canon_lower_flat(&f.cx, bor, &v, s, 2, &n));
  CHECK_EQ(s[0], 42);
  CHECK_EQ(f.call.nborrows, 0);
  /* a value of another resource type is refused */
  v.of.res.type = &other;
  n = 0;
  CHECK(!wf_canon_lower_flat(&f.cx, bor, &v, s, 2, &n));
  CHECK(traps_with(&f, "wrong type"));
  /* borrow into another instance: a borrow handle scoped to the call */
  wf_ctid_t obor = bor;
  CHECK(wf_cinst_bind_rid(&f.inst, rnode->rid, &other));
  n = 0;
  CHECK(wf_canon_lower_flat(&f.cx, obor, &v, s, 2, &n));
  CHECK_EQ(f.call.nborrows, 1);
  wf_handle_t *h = wf_htable_get(&f.inst.handles, (uint32_t)s[0]);
  CHECK(h && !h->own && h->scope == &f.call);
  wf_ccall_sweep(&f.call);
  CHECK(!wf_htable_get(&f.inst.handles, (uint32_t)s[0]));
  CHECK_EQ(f.call.nborrows, 0);
  /* lending: a borrow of an own handle keeps it until released */
  v.kind = WEFT_VAL_OWN;
  n = 0;
  CHECK(wf_canon_lower_flat(&f.cx, own, &v, s, 2, &n));
  uint64_t idx = s[0];
  k = 0;
  CHECK(wf_canon_lift_flat(&f.cx, bor, &idx, 1, &k, &back));
  CHECK_EQ(back.kind, WEFT_VAL_BORROW);
  CHECK_EQ(wf_htable_get(&f.inst.handles, (uint32_t)idx)->lends, 1);
  k = 0;
  CHECK(!wf_canon_lift_flat(&f.cx, own, &idx, 1, &k, &back));
  CHECK(traps_with(&f, "cannot remove owned resource while borrowed"));
  wf_lends_release(&f.lends, &f.inst.handles);
  k = 0;
  CHECK(wf_canon_lift_flat(&f.cx, own, &idx, 1, &k, &back));
  /* host resources: dropping an own runs the host destructor */
  weft_val_t hv = {.kind = WEFT_VAL_OWN};
  hv.of.res.type = &host;
  hv.of.res.rep = 7;
  wf_trap_t trap;
  dtor_calls = 0;
  CHECK_EQ(wf_canon_drop_own(&f.rt, &hv, &trap), WF_TRAP_NONE);
  CHECK_EQ(dtor_calls, 1);
  CHECK_EQ(dtor_rep, 7);
  hv.kind = WEFT_VAL_BORROW;
  CHECK(wf_canon_drop_own(&f.rt, &hv, &trap) != WF_TRAP_NONE);
  fx_fini(&f);
}

WF_TEST(canon_utf8_validate) {
  size_t at;
  bool inc;
  CHECK(wf_utf8_validate((const uint8_t *)"plain ascii text, long enough", 29, &at, &inc));
  CHECK(wf_utf8_validate((const uint8_t *)"\xf4\x8f\xbf\xbf", 4, &at, &inc));     /* U+10FFFF */
  CHECK(!wf_utf8_validate((const uint8_t *)"\xf4\x90\x80\x80", 4, &at, &inc));    /* > U+10FFFF */
  CHECK(!inc);
  CHECK(!wf_utf8_validate((const uint8_t *)"ab\xc0\xaf", 4, &at, &inc));         /* overlong */
  CHECK_EQ(at, 2);
  CHECK(!wf_utf8_validate((const uint8_t *)"abcdefgh\xe2\x98", 10, &at, &inc));
  CHECK(inc);
  CHECK_EQ(at, 8);
  CHECK(!wf_utf8_validate((const uint8_t *)"\xe2\x28\xa1", 3, &at, &inc));       /* bad continuation */
  CHECK(!inc);
}

/* ---- end to end, through the public API (tests/data/canon/calls.wat) ---- */

typedef struct {
  weft_cfunc_t *reenter;     /* host-cb calls this back when set */
  weft_status_t st;
  char msg[512];
  int calls;
  weft_vkind_t took_kind;
  uint64_t took_rep;
} cb_env_t;

static int host_cb(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                   size_t nresults) {
  (void)args; (void)nargs; (void)results; (void)nresults;
  cb_env_t *e = env;
  e->calls++;
  if (e->reenter) {
    weft_error_t err;
    e->st = weft_cfunc_call(e->reenter, NULL, 0, NULL, 0, weft_call_arena(call), &err);
    snprintf(e->msg, sizeof e->msg, "%s", err.message);
  }
  return 0;
}

static int host_take(weft_call_t *call, void *env, const weft_val_t *args, size_t nargs, weft_val_t *results,
                     size_t nresults) {
  (void)call; (void)results; (void)nresults;
  cb_env_t *e = env;
  if (nargs == 1) {
    e->took_kind = args[0].kind;
    e->took_rep = args[0].of.res.rep;
  }
  return 0;
}

typedef struct {
  weft_engine_t *eng;
  weft_component_t *comp;
  weft_linker_t *lk;
  weft_cinstance_t *inst;
  weft_resource_type_t *hr;
  weft_arena_t *arena;
  cb_env_t env;
} e2e_t;

static bool e2e_init(e2e_t *t) {
  memset(t, 0, sizeof *t);
  weft_error_t err;
  t->eng = weft_engine_new();
  t->arena = weft_arena_new();
  t->lk = weft_linker_new(t->eng);
  if (weft_component_new(t->eng, calls_wasm, sizeof calls_wasm, &t->comp, &err) ||
      weft_linker_define_resource(t->lk, NULL, "hr", NULL, NULL, &t->hr, &err) ||
      weft_linker_define_func(t->lk, NULL, "host-cb", host_cb, &t->env, &err) ||
      weft_linker_define_func(t->lk, NULL, "host-take", host_take, &t->env, &err) ||
      weft_linker_instantiate(t->lk, t->comp, NULL, &t->inst, &err)) {
    fprintf(stderr, "  setup: %s\n", err.message);
    return false;
  }
  return true;
}

static void e2e_fini(e2e_t *t) {
  weft_cinstance_free(t->inst);
  weft_linker_free(t->lk);
  weft_component_free(t->comp);
  weft_arena_free(t->arena);
  weft_engine_free(t->eng);
}

static weft_status_t e2e_call(e2e_t *t, const char *name, const weft_val_t *args, size_t nargs, weft_val_t *res,
                              size_t nres, weft_error_t *err) {
  weft_cfunc_t *f = weft_cinstance_func(t->inst, NULL, name);
  if (!f) {
    snprintf(err->message, sizeof err->message, "no export %s", name);
    return WEFT_ERR_ARG;
  }
  return weft_cfunc_call(f, args, nargs, res, nres, t->arena, err);
}

WF_TEST(canon_call_reentrance) {
  e2e_t t;
  CHECK(e2e_init(&t));
  weft_error_t err;
  /* guest -> host -> the same instance again: refused, the outer call is fine */
  t.env.reenter = weft_cinstance_func(t.inst, NULL, "call-host");
  CHECK(t.env.reenter);
  CHECK_EQ(e2e_call(&t, "call-host", NULL, 0, NULL, 0, &err), WEFT_OK);
  CHECK_EQ(t.env.calls, 1);
  CHECK_EQ(t.env.st, WEFT_ERR_TRAP);
  CHECK(strstr(t.env.msg, "cannot enter component instance"));
  /* still usable */
  weft_val_t r;
  CHECK_EQ(e2e_call(&t, "count", NULL, 0, &r, 1, &err), WEFT_OK);
  CHECK_EQ(r.of.u, 1);
  e2e_fini(&t);
}

WF_TEST(canon_call_borrows) {
  e2e_t t;
  CHECK(e2e_init(&t));
  weft_error_t err;
  weft_val_t b = {.kind = WEFT_VAL_BORROW};
  b.of.res.type = t.hr;
  b.of.res.rep = 77;
  /* the guest gets a borrow handle, lends it to the host, drops it */
  CHECK_EQ(e2e_call(&t, "pass", &b, 1, NULL, 0, &err), WEFT_OK);
  CHECK_EQ(t.env.took_kind, WEFT_VAL_BORROW);
  CHECK_EQ(t.env.took_rep, 77);
  /* a borrow handle kept past the end of the call traps ... */
  CHECK_EQ(e2e_call(&t, "keep", &b, 1, NULL, 0, &err), WEFT_ERR_TRAP);
  CHECK(strstr(err.message, "borrow handles still remain at the end of the call"));
  /* ... and locks the instance down */
  weft_val_t r;
  CHECK_EQ(e2e_call(&t, "count", NULL, 0, &r, 1, &err), WEFT_ERR_TRAP);
  CHECK(strstr(err.message, "cannot enter component instance"));
  e2e_fini(&t);
}

WF_TEST(canon_call_lockdown) {
  e2e_t t;
  CHECK(e2e_init(&t));
  weft_error_t err;
  weft_val_t r;
  CHECK_EQ(e2e_call(&t, "count", NULL, 0, &r, 1, &err), WEFT_OK);
  CHECK_EQ(r.of.u, 1);
  CHECK_EQ(e2e_call(&t, "boom", NULL, 0, NULL, 0, &err), WEFT_ERR_TRAP);
  CHECK(strstr(err.message, "unreachable"));
  CHECK_EQ(e2e_call(&t, "count", NULL, 0, &r, 1, &err), WEFT_ERR_TRAP);
  CHECK(strstr(err.message, "cannot enter component instance"));
  e2e_fini(&t);
}

/* Random guest memory and core values: lifting any type traps or succeeds,
 * never reads outside the memory (run under ASan by `make asan`). */
WF_TEST(canon_hostile_lift) {
  fx_t f;
  CHECK(fx_init(&f));
  wf_rtype_t mine = {0};
  mine.impl = &f.inst;
  CHECK(wf_cinst_bind_rid(&f.inst, wf_ctype(f.comp->types, ty(&f, T_R))->rid, &mine));
  uint64_t x = 0x9e3779b97f4a7c15ull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
  uint32_t size = (uint32_t)f.mem->size;
  unsigned ok = 0, trapped = 0;
  for (int round = 0; round < 2000; round++) {
    /* small pointers and lengths most of the time, so some lifts succeed */
    for (uint32_t i = 0; i < 4096; i += 4) {
      uint32_t w = (uint32_t)RND();
      if (round & 1) w &= 0x0fff0003u;
      else w &= 0x0000001fu;
      memcpy(f.mem->base + i, &w, 4);
    }
    uint32_t nt = f.comp->nspace[WF_SORT_TYPE];
    for (uint32_t ti = 0; ti < nt; ti++) {
      wf_ctid_t t = ty(&f, ti);
      uint8_t k = wf_ctype(f.comp->types, t)->kind;
      if (!WF_CT_IS_VALTYPE(k)) continue;
      uint32_t s, a;
      wf_canon_size_align(f.comp->types, t, &s, &a);
      uint32_t ptr = ((uint32_t)RND() % 2048) & ~(a - 1);
      weft_val_t v;
      if (ptr + s <= size && wf_canon_load(&f.cx, t, ptr, &v)) ok++;
      else trapped++;
      uint64_t slots[16];
      for (int i = 0; i < 16; i++) slots[i] = RND() & ((round & 1) ? 0xffffffffull : 0x1full);
      uint32_t n = 0;
      if (wf_canon_lift_flat(&f.cx, t, slots, 16, &n, &v)) ok++;
      else trapped++;
      wf_lends_release(&f.lends, &f.inst.handles);
      f.lends.n = 0;
    }
    wf_arena_clear(&f.arena);
  }
#undef RND
  CHECK(ok > 0 && trapped > 0);
  fx_fini(&f);
}
