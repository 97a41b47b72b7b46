/* The translator's private state (translate.c), shared with its control
 * flow (translate_ctl.c), plain instructions (translate_plain.c), fusions of
 * adjacent instructions into superinstructions (translate_fuse.c) and code
 * templates (translate_tmpl.c). */
#ifndef WF_CORE_TRANSLATE_H
#define WF_CORE_TRANSLATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "interp.h"
#include "../util/leb128.h"

enum { V_TEMP, V_LOCAL, V_CONST };

/* Code shared between the instances of a module. The cells of a translated
 * function depend on its instance only through the pointers (and store type
 * ids) listed by its relocations; everything else follows from the module.
 * So the first translation of a function also records its relocations and
 * publishes a template in the module (module.h: code_tmpls, one atomic
 * compare-and-swap, never changed afterwards); later instances copy the
 * template and patch the relocations against their own objects. A function
 * whose code holds something that cannot be relocated (a ref.func constant:
 * constants may be shared, hashed or become immediates) gets a template
 * with no code, and every instance translates it. */
enum {
  R_FUNC,        /* cell .ptr = inst->funcs[idx] */
  R_CODE,        /* cell .ptr = &inst->code[idx] */
  R_TABLE,       /* cell .ptr = inst->tables[idx] */
  R_GLOBAL,      /* cell .ptr = inst->globals[idx] */
  R_MEM,         /* cell .ptr = inst->mems[idx] */
  R_TAG,         /* cell .ptr = inst->tags[idx] */
  R_TYPEID,      /* cell .p.a = inst->type_ids[idx] */
  R_CATCH_TAG    /* catches[at].tag = inst->tags[idx] */
};
typedef struct { uint32_t at, idx; uint8_t kind; } rel_t;

struct wf_code_tmpl {
  size_t size;           /* bytes of the code block; 0: not shareable */
  uint32_t nrel;
  const rel_t *rel;      /* in the same allocation */
  const wf_code_t *code; /* in the same allocation */
};
#define KHASH 512u        /* hash of the constant slots */
#define KMAX 256u         /* constant slots per function (more use CONST) */
typedef struct {
  uint8_t kind;
  uint32_t local;        /* V_LOCAL */
  uint64_t k;            /* V_CONST */
} sv_t;

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF };
typedef struct {
  uint8_t kind;
  uint32_t height;       /* stack height below the block's params */
  uint32_t nparams, nresults;
  uint32_t loop_pos;     /* C_LOOP: cell index of the loop head */
  int32_t fix;           /* fixups waiting for the end label */
  int32_t else_ins, else_cell;  /* C_IF: the branch to the else arm, -1 if none */
  int32_t try_idx;       /* a try_table's block: its handler, else -1 */
} ctl_t;

typedef struct { uint32_t ins, cell; int32_t next; } fix_t;

typedef struct {
  wf_instance_t *inst;
  const wf_module_t *m;
  const void *const *H;
  wf_cell_t *code; size_t n, cap;
  sv_t *st; uint32_t sh, scap, maxh;
  uint32_t lo;            /* no V_LOCAL entry below this position */
  ctl_t *ctl; uint32_t nctl, ccap;
  fix_t *fix; uint32_t nfix, fcap;
  wf_handler_t *hs; uint32_t nh, hcap;    /* try_tables */
  wf_catch_t *cs; uint32_t ncs, cscap;    /* their catch clauses */
  uint32_t T;             /* first temporary: params + locals + kmax */
  uint32_t cbase, kmax;   /* constant slots [cbase, cbase + kmax) */
  uint64_t *kv; uint32_t nk, kcap;   /* constant slots' values */
  rel_t *rel; uint32_t nrel, rcap;   /* relocations, cells in increasing order */
  rel_t *crel; uint32_t ncrel, crcap; /* R_CATCH_TAG relocations (at: catch) */
  bool noshare;           /* the code cannot be relocated (see above) */
  uint32_t khash[KHASH];  /* index + 1 into kv, 0 = empty */
  int64_t movpos;         /* the last instruction, if it is a MOVn (n < 4); else -1 */
  uint32_t movcnt;        /* its n */
  int64_t addkpos;        /* the last instruction, if it is a lone I32_ADD_K; else -1 */
  int64_t addpos;         /* the same for a lone i32.add of two slots (I32_ADD2) */
  /* the last F64_MUL_MB emitted: [x|addr] [dst|off] at cells [pos, end)
   * (F64_MULADD_RM when its product is added into memory just after) */
  struct { bool valid, ma; uint32_t pos; size_t end; int32_t x, addr, off, dst; } fmul;
  /* the last P_FMUL_FMUL [a|b] [c|dst] and the last plain F64_LOAD
   * [addr|dst] [off] (F64_M3ADD_RM / F64_M3SUB_RM) */
  struct { bool valid; uint32_t pos; size_t end; int32_t a, b, c, dst; } prod;
  struct { bool valid; uint32_t pos; size_t end; int32_t addr, off, dst; } fload;
  /* a rotate/xor chain on one x (SIG_RRR / SIG_RRS): stage 1 after an
   * I32_ROTL_K at pos1, stage 2 after a P_ROTLK_XOR_C right after it at pos2 */
  struct { uint8_t stage; uint32_t pos1, pos2; size_t end; int32_t x, k1, k2, dst; } rx;
  /* the last I32_AND_K [a|mask] [dst|-] (BRA_x when a compare-and-branch
   * on its result follows) */
  struct { bool valid; uint32_t pos; size_t end; int32_t a, mask, dst; } andk;
  /* the last plain i32.load / i32.load8_u [addr|dst] [off] (LBRC_x) */
  struct { bool valid; uint32_t pos; size_t end; } iload;
  /* the last lone I32_ADD_K [a|imm] [dst|-] (F64_M3ADD_RMK) */
  struct { bool valid; uint32_t pos; size_t end; } addk;
  /* the last I32_SHL_K [a|sh] [dst|-] (I32_LOAD_SK: a table lookup) */
  struct { bool valid; uint32_t pos; size_t end; int32_t a, sh, dst; } shlk;
  int32_t cur_before;     /* for the instruction being emitted: the slot its
                             predecessor wrote (its value is in acc), or INT32_MIN */
  bool oom, unreachable;
  const uint8_t *p, *end;
  struct {
    bool valid;
    uint32_t pos;         /* instruction start */
    uint32_t op;
    int32_t a, b;
    bool k;
    uint32_t dcell; uint8_t dhalf;
    int32_t dst;
    bool norewind;        /* second half of a pair: cannot be removed */
    int32_t off;          /* fused memory operand: address slot in b, offset here */
    /* a compare whose left operand was just computed by an I32_ADD_K */
    bool pv, pvreg; uint32_t pvpos; int32_t pva, pvimm;   /* pvreg: pvimm is a slot */
    int32_t before;       /* dst of the instruction just before it, or INT32_MIN */
    size_t end;           /* code position right after it */
  } last;
} tr_t;

/* Slots: a local's, and the home of the simulated stack's entry at pos. */
static inline int32_t wf_tr_loff(uint32_t local) { return (int32_t)(local * 8u); }
static inline int32_t wf_tr_home(tr_t *t, uint32_t pos) { return (int32_t)((t->T + pos) * 8u); }

/* The top of the simulated stack, popped. */
static inline sv_t wf_tr_pop(tr_t *t) {
  if (t->sh == 0) { sv_t z = {V_TEMP, 0, 0}; return z; }   /* validated: not reached */
  return t->st[--t->sh];
}

/* Reading the body: a bad immediate ends it (t->p = t->end). */
static inline uint32_t wf_tr_rd_u32(tr_t *t) {
  uint64_t v = 0;
  if (wf_leb_read_u(&t->p, t->end, 32, &v) != WF_LEB_OK) t->p = t->end;
  return (uint32_t)v;
}
static inline int64_t wf_tr_rd_s(tr_t *t, unsigned bits) {
  int64_t v = 0;
  if (wf_leb_read_s(&t->p, t->end, bits, &v) != WF_LEB_OK) t->p = t->end;
  return v;
}
static inline uint64_t wf_tr_rd_raw(tr_t *t, unsigned n) {
  uint64_t v = 0;
  if ((size_t)(t->end - t->p) < n) { t->p = t->end; return 0; }
  memcpy(&v, t->p, n);
  t->p += n;
  return v;
}

/* A memory index immediate (see wf_rd_memidx in decode_internal.h). */
static inline uint32_t wf_tr_rd_memidx(tr_t *t) {
  if (t->m->nmems > 1) return wf_tr_rd_u32(t);
  (void)wf_tr_rd_raw(t, 1);
  return 0;
}
/* A memarg: returns the offset, *mem the memory index. */
static inline uint32_t wf_tr_rd_memarg(tr_t *t, uint32_t *mem) {
  uint32_t flags = wf_tr_rd_u32(t);
  *mem = flags & WF_MEMARG_HAS_MEM ? wf_tr_rd_u32(t) : 0;
  return wf_tr_rd_u32(t);
}

/* translate.c: buffers, emitting cells, the simulated stack */
bool wf_tr_grow(void **buf, uint32_t *cap, size_t need, size_t elem);
bool wf_tr_reserve(tr_t *t, size_t k);
uint32_t wf_tr_emit_ab(tr_t *t, int32_t a, int32_t b);
void wf_tr_emit_u(tr_t *t, uint64_t u);
void wf_tr_add_rel(tr_t *t, uint32_t at, uint8_t kind, uint32_t idx);
void wf_tr_emit_ptr(tr_t *t, void *ptr, uint8_t kind, uint32_t idx);
void wf_tr_rewind_to(tr_t *t, size_t n);
size_t wf_tr_label_here(tr_t *t);
void wf_tr_patch_rel(tr_t *t, uint32_t ins, uint32_t cell, size_t target);
uint32_t wf_tr_emit_h(tr_t *t, uint32_t op);
void wf_tr_set_last(tr_t *t, uint32_t pos, uint32_t op, int32_t a, int32_t b, bool k,
                     uint32_t dcell, uint8_t dhalf, int32_t dst);
bool wf_tr_push(tr_t *t, sv_t v);
int32_t wf_tr_push_temp(tr_t *t);
void wf_tr_emit_mov(tr_t *t, int32_t src, int32_t dst);
void wf_tr_emit_const_to(tr_t *t, int32_t dst, uint64_t k);
void wf_tr_to_home(tr_t *t, uint32_t pos);
void wf_tr_spill_locals(tr_t *t);
int32_t wf_tr_opnd(tr_t *t, uint32_t pos, const sv_t *v);
int32_t wf_tr_const_slot(tr_t *t, uint64_t k);
void wf_tr_blocktype(tr_t *t, uint32_t *np, uint32_t *nr);

/* translate_ctl.c: control flow */
bool wf_tr_push_ctl(tr_t *t, uint8_t kind, uint32_t np, uint32_t nr);
void wf_tr_add_fix(tr_t *t, ctl_t *c, uint32_t ins, uint32_t cell);
void wf_tr_emit_moves(tr_t *t, uint32_t n, int32_t dst);
void wf_tr_emit_return(tr_t *t);
void wf_tr_emit_br(tr_t *t, uint32_t d);
void wf_tr_emit_condbr(tr_t *t, sv_t c, uint32_t cpos, bool when_true, uint32_t *ins,
                       uint32_t *cell);
void wf_tr_br_if(tr_t *t, uint32_t d);
void wf_tr_br_table(tr_t *t);
void wf_tr_end_label(tr_t *t, ctl_t *c);
void wf_tr_try_table(tr_t *t);

/* translate_plain.c: loads, stores, unary and binary operators */
void wf_tr_plain(tr_t *t, uint32_t op);

/* translate_tmpl.c: code shared between instances */
struct wf_code_tmpl *wf_tr_make_tmpl(tr_t *t, const wf_code_t *c, size_t size);
wf_code_t *wf_tr_from_tmpl(const struct wf_code_tmpl *tp, wf_instance_t *inst);
#ifdef WF_TRANSLATE_VERIFY
void wf_tr_verify(const wf_code_t *a, const wf_code_t *b, uint32_t di);
#endif

/* translate_fuse.c: op selection and fusions of plain instructions */
uint32_t wf_tr_acc_op(uint32_t op, int which);
bool wf_tr_commutative(uint32_t op);
bool wf_tr_fits_imm(uint32_t op, uint64_t k);
bool wf_tr_fuse_addr(tr_t *t, uint32_t op, sv_t a, uint32_t apos, int32_t vo, uint32_t off);
bool wf_tr_fuse_copy(tr_t *t, uint32_t op, sv_t v, sv_t a, uint32_t apos, uint32_t off);
bool wf_tr_fuse_opstore(tr_t *t, uint32_t op, sv_t v, sv_t a, uint32_t apos, uint32_t off);
bool wf_tr_fuse_pair(tr_t *t, uint32_t op, bool k2, int32_t x, bool t_left);
bool wf_tr_fuse_rmw(tr_t *t, uint32_t op, sv_t v, sv_t a, uint32_t apos, uint32_t off);
uint32_t wf_tr_kop_of(uint32_t op);
uint32_t wf_tr_load_acc_op(uint32_t op, bool rk);
uint32_t wf_tr_marith_fop(uint32_t op, bool mem_is_a, bool k);
uint32_t wf_tr_marith_load(uint32_t op);
uint32_t wf_tr_marith_op(uint32_t op, bool mem_is_a);
uint32_t wf_tr_memop_rr(uint32_t op, bool k);

#endif
