/* Generator of a large, valid core WebAssembly module for the load /
 * validate / instantiate and translation benchmarks.
 *
 *   gen_bigmod OUT.wasm [MEGABYTES]     (default 10)
 *
 * The module has no imports. Its code is a mix shaped like compiled C:
 * functions of many sizes (mostly small, a few large) over i32, i64 and f64,
 * with locals, globals, loads and stores, nested blocks, counted loops, ifs,
 * br_table switches, early returns, direct and indirect calls, plus a
 * function table filled by an element segment and some data segments. Every
 * function is valid by construction: statements leave the operand stack as
 * they found it and expressions push exactly one value of the wanted type.
 * Calls only go to lower-numbered functions and loops are counted, so the
 * code would terminate if run (memory accesses are masked into page 0). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable byte buffers ---- */

typedef struct { uint8_t *p; size_t len, cap; } buf_t;

static void need(buf_t *b, size_t n) {
  if (b->cap - b->len >= n) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < n) cap *= 2;
  uint8_t *p = realloc(b->p, cap);
  if (!p) { fprintf(stderr, "gen_bigmod: out of memory\n"); exit(1); }
  b->p = p;
  b->cap = cap;
}
static void byte(buf_t *b, uint8_t v) { need(b, 1); b->p[b->len++] = v; }
static void bytes(buf_t *b, const void *p, size_t n) {
  need(b, n);
  memcpy(b->p + b->len, p, n);
  b->len += n;
}
static void uleb(buf_t *b, uint64_t v) {
  do {
    uint8_t c = v & 0x7F;
    v >>= 7;
    byte(b, v ? c | 0x80 : c);
  } while (v);
}
static void sleb(buf_t *b, int64_t v) {
  for (;;) {
    uint8_t c = v & 0x7F;
    v >>= 7;   /* arithmetic shift on every compiler we support */
    if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) { byte(b, c); return; }
    byte(b, c | 0x80);
  }
}
static void section(buf_t *out, uint8_t id, const buf_t *body) {
  byte(out, id);
  uleb(out, body->len);
  bytes(out, body->p, body->len);
}

/* ---- randomness ---- */

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}
static uint32_t below(uint32_t n) { return rnd() % n; }

/* ---- the module's shape ---- */

enum { I32 = 0x7F, I64 = 0x7E, F64 = 0x7C, NONE = 0x40 };
enum { TY_I = 0, TY_L = 1, TY_D = 2 };   /* generator's type classes */

typedef struct { int np; uint8_t params[3]; uint8_t result; } sig_t;
static const sig_t sigs[] = {
  {1, {I32}, I32},           {2, {I32, I32}, I32},     {2, {I32, I64}, I64},
  {2, {F64, F64}, F64},      {3, {I32, I32, I32}, NONE}, {0, {0}, I32},
  {2, {I32, F64}, F64},      {3, {I64, I64, I32}, I64},
};
#define NSIGS (int)(sizeof sigs / sizeof sigs[0])

/* Globals: 4 of each class, mutable. */
#define NGLOBALS_PER 4
static const uint8_t gtypes[3] = {I32, I64, F64};

/* Locals of every function: its params, then these declared groups. The
 * last LOOP_COUNTERS i32 locals are reserved for loop counters. */
#define DECL_I32 6
#define LOOP_COUNTERS 4
#define DECL_I64 3
#define DECL_F64 3

static uint32_t *func_sig;            /* per function */
static uint32_t **by_sig;             /* per sig: function indices so far */
static uint32_t *by_sig_n, *by_sig_cap;

/* Per-function generation state. */
static int cur_sig;
static int nparams;
static uint32_t loc_i32[16], loc_i64[8], loc_f64[8];
static int nloc_i32, nloc_i64, nloc_f64;
static uint32_t counter_base;
static int loop_depth;
static int block_depth;   /* control nesting, to bound it */
static uint32_t cur_func;

static int type_cls(uint8_t t) { return t == I32 ? TY_I : t == I64 ? TY_L : TY_D; }

static uint32_t pick_local(int cls) {
  if (cls == TY_I) return loc_i32[below((uint32_t)nloc_i32)];
  if (cls == TY_L) return loc_i64[below((uint32_t)nloc_i64)];
  return loc_f64[below((uint32_t)nloc_f64)];
}

static void expr(buf_t *b, int cls, int depth);

static void memaddr(buf_t *b, int depth) {
  /* (expr & 0xFFF0): stays inside page 0 with offsets below 8 */
  expr(b, TY_I, depth);
  byte(b, 0x41); sleb(b, 0xFFF0);
  byte(b, 0x71);
}

static void memarg(buf_t *b, uint32_t align, uint32_t offset) {
  uleb(b, align);
  uleb(b, offset);
}

/* Arguments for a call of signature s, then the call itself. */
static void call_args(buf_t *b, int s, int depth) {
  for (int i = 0; i < sigs[s].np; i++) expr(b, type_cls(sigs[s].params[i]), depth);
}

/* Emit a call to some earlier function of a signature whose result has
 * class cls (or any signature when cls < 0). Returns the sig used, or -1. */
static int emit_call(buf_t *b, int cls, int depth) {
  int cand[NSIGS], n = 0;
  for (int s = 0; s < NSIGS; s++) {
    if (!by_sig_n[s]) continue;
    if (cls >= 0 && (sigs[s].result == NONE || type_cls(sigs[s].result) != cls)) continue;
    cand[n++] = s;
  }
  if (!n) return -1;
  int s = cand[below((uint32_t)n)];
  uint32_t callee = by_sig[s][below(by_sig_n[s])];
  call_args(b, s, depth);
  if (below(4) == 0) {
    /* through the table: the element segment maps slot i to function i */
    byte(b, 0x41); sleb(b, (int64_t)callee);
    byte(b, 0x11); uleb(b, (uint32_t)s); uleb(b, 0);
  } else {
    byte(b, 0x10); uleb(b, callee);
  }
  return s;
}

static void leaf(buf_t *b, int cls) {
  uint32_t r = below(10);
  if (r < 5) {
    byte(b, 0x20); uleb(b, pick_local(cls));
  } else if (r < 8) {
    if (cls == TY_I) { byte(b, 0x41); sleb(b, (int32_t)(rnd() % 2000) - 200); }
    else if (cls == TY_L) { byte(b, 0x42); sleb(b, (int64_t)(rnd() % 100000) - 5000); }
    else {
      double d = (double)(rnd() % 10000) / 64.0;
      byte(b, 0x44); bytes(b, &d, 8);
    }
  } else {
    byte(b, 0x23); uleb(b, (uint32_t)cls * NGLOBALS_PER + below(NGLOBALS_PER));
  }
}

static void expr(buf_t *b, int cls, int depth) {
  if (depth <= 0) { leaf(b, cls); return; }
  uint32_t r = below(100);
  if (r < 30) { leaf(b, cls); return; }
  if (cls == TY_I) {
    if (r < 62) {
      static const uint8_t ops[] = {0x6A, 0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74,
                                    0x75, 0x76, 0x77, 0x46, 0x47, 0x48, 0x4B, 0x4D};
      expr(b, TY_I, depth - 1); expr(b, TY_I, depth - 1);
      byte(b, ops[below(sizeof ops)]);
    } else if (r < 72) {
      memaddr(b, depth - 1);
      static const uint8_t lops[] = {0x28, 0x28, 0x2D, 0x2E, 0x2C};
      uint8_t op = lops[below(sizeof lops)];
      byte(b, op); memarg(b, op == 0x28 ? 2 : 0, below(8));
    } else if (r < 76) {
      expr(b, TY_I, depth - 1); byte(b, 0x45);            /* i32.eqz */
    } else if (r < 79) {
      expr(b, TY_L, depth - 1); byte(b, 0xA7);            /* i32.wrap_i64 */
    } else if (r < 82) {
      expr(b, TY_D, depth - 1); expr(b, TY_D, depth - 1);
      byte(b, (uint8_t)(0x63 + below(4)));                /* f64.lt/gt/le/ge */
    } else if (r < 84) {
      expr(b, TY_D, depth - 1); byte(b, 0xFC); uleb(b, 2); /* i32.trunc_sat_f64_s */
    } else if (r < 88) {
      expr(b, TY_I, depth - 1); expr(b, TY_I, depth - 1); expr(b, TY_I, depth - 1);
      byte(b, 0x1B);                                      /* select */
    } else if (r < 92 && block_depth < 12) {
      expr(b, TY_I, depth - 1);
      byte(b, 0x04); byte(b, I32);                        /* if (result i32) */
      block_depth++;
      expr(b, TY_I, depth - 1);
      byte(b, 0x05);
      expr(b, TY_I, depth - 1);
      byte(b, 0x0B);
      block_depth--;
    } else if (r < 97) {
      if (emit_call(b, TY_I, depth - 2) < 0) leaf(b, cls);
    } else {
      expr(b, TY_I, depth - 1); byte(b, 0x22); uleb(b, pick_local(TY_I)); /* tee */
    }
  } else if (cls == TY_L) {
    if (r < 65) {
      static const uint8_t ops[] = {0x7C, 0x7C, 0x7D, 0x7E, 0x83, 0x84, 0x85, 0x86, 0x88, 0x89};
      expr(b, TY_L, depth - 1); expr(b, TY_L, depth - 1);
      byte(b, ops[below(sizeof ops)]);
    } else if (r < 75) {
      memaddr(b, depth - 1);
      byte(b, 0x29); memarg(b, 3, below(8));
    } else if (r < 85) {
      expr(b, TY_I, depth - 1); byte(b, below(2) ? 0xAC : 0xAD); /* extend_i32_s/u */
    } else if (r < 88) {
      expr(b, TY_D, depth - 1); byte(b, 0xFC); uleb(b, 6);        /* i64.trunc_sat_f64_s */
    } else if (r < 95) {
      if (emit_call(b, TY_L, depth - 2) < 0) leaf(b, cls);
    } else {
      expr(b, TY_L, depth - 1); byte(b, 0x22); uleb(b, pick_local(TY_L));
    }
  } else {
    if (r < 62) {
      static const uint8_t ops[] = {0xA0, 0xA0, 0xA1, 0xA2, 0xA2, 0xA3, 0xA4, 0xA5};
      expr(b, TY_D, depth - 1); expr(b, TY_D, depth - 1);
      byte(b, ops[below(sizeof ops)]);
    } else if (r < 72) {
      memaddr(b, depth - 1);
      byte(b, 0x2B); memarg(b, 3, below(8));
    } else if (r < 80) {
      static const uint8_t uops[] = {0x99, 0x9A, 0x9C, 0x9F};   /* abs neg floor sqrt */
      expr(b, TY_D, depth - 1); byte(b, uops[below(sizeof uops)]);
    } else if (r < 88) {
      expr(b, TY_I, depth - 1); byte(b, 0xB7);                  /* f64.convert_i32_s */
    } else if (r < 95) {
      if (emit_call(b, TY_D, depth - 2) < 0) leaf(b, cls);
    } else {
      expr(b, TY_D, depth - 1); byte(b, 0x22); uleb(b, pick_local(TY_D));
    }
  }
}

static void stmts(buf_t *b, int n, int depth);

static void stmt(buf_t *b, int depth) {
  uint32_t r = below(100);
  int nest_ok = depth > 0 && block_depth < 10;
  if (r < 34 || (!nest_ok && r >= 60)) {                 /* local.set */
    int cls = (int)below(6);
    cls = cls < 3 ? TY_I : cls < 5 ? TY_L : TY_D;
    expr(b, cls, 3);
    byte(b, 0x21); uleb(b, pick_local(cls));
  } else if (r < 48) {                                     /* store */
    uint32_t k = below(4);
    memaddr(b, 2);
    if (k == 0) { expr(b, TY_I, 2); byte(b, 0x36); memarg(b, 2, below(8)); }
    else if (k == 1) { expr(b, TY_L, 2); byte(b, 0x37); memarg(b, 3, below(8)); }
    else if (k == 2) { expr(b, TY_D, 2); byte(b, 0x39); memarg(b, 3, below(8)); }
    else { expr(b, TY_I, 2); byte(b, 0x3A); memarg(b, 0, below(8)); }
  } else if (r < 53) {                                     /* global.set */
    int cls = (int)below(3);
    expr(b, cls, 2);
    byte(b, 0x24); uleb(b, (uint32_t)cls * NGLOBALS_PER + below(NGLOBALS_PER));
  } else if (r < 60) {                                     /* call as a statement */
    int s = emit_call(b, -1, 2);
    if (s >= 0 && sigs[s].result != NONE) {
      if (below(2)) byte(b, 0x1A);
      else { byte(b, 0x21); uleb(b, pick_local(type_cls(sigs[s].result))); }
    }
  } else if (r < 72) {                                     /* if / else */
    expr(b, TY_I, 2);
    byte(b, 0x04); byte(b, NONE);
    block_depth++;
    stmts(b, 1 + (int)below(4), depth - 1);
    if (below(2)) { byte(b, 0x05); stmts(b, 1 + (int)below(3), depth - 1); }
    byte(b, 0x0B);
    block_depth--;
  } else if (r < 80 && loop_depth < LOOP_COUNTERS) {      /* counted loop */
    uint32_t c = counter_base + (uint32_t)loop_depth;
    byte(b, 0x41); sleb(b, 0); byte(b, 0x21); uleb(b, c);
    byte(b, 0x03); byte(b, NONE);
    loop_depth++; block_depth++;
    stmts(b, 1 + (int)below(5), depth - 1);
    byte(b, 0x20); uleb(b, c); byte(b, 0x41); sleb(b, 1); byte(b, 0x6A);
    byte(b, 0x22); uleb(b, c);
    byte(b, 0x41); sleb(b, 2 + below(30));
    byte(b, 0x48);                                          /* i32.lt_s */
    byte(b, 0x0D); uleb(b, 0);                              /* br_if 0 */
    byte(b, 0x0B);
    loop_depth--; block_depth--;
  } else if (r < 88) {                                     /* block with an exit */
    byte(b, 0x02); byte(b, NONE);
    block_depth++;
    stmts(b, 1 + (int)below(3), depth - 1);
    expr(b, TY_I, 2);
    byte(b, 0x0D); uleb(b, 0);
    stmts(b, 1 + (int)below(3), depth - 1);
    byte(b, 0x0B);
    block_depth--;
  } else if (r < 94) {                                     /* switch */
    uint32_t ncases = 2 + below(4);
    for (uint32_t i = 0; i <= ncases; i++) { byte(b, 0x02); byte(b, NONE); }
    block_depth += (int)ncases + 1;
    expr(b, TY_I, 2);
    byte(b, 0x0E);
    uint32_t ntargets = ncases + below(6);
    uleb(b, ntargets);
    for (uint32_t i = 0; i < ntargets; i++) uleb(b, below(ncases + 1));
    uleb(b, ncases);
    byte(b, 0x0B);   /* end of the innermost block: case 0 follows */
    for (uint32_t i = 1; i <= ncases; i++) {
      stmts(b, 1 + (int)below(2), depth - 1);
      byte(b, 0x0C); uleb(b, ncases - i);   /* break: to the end of the outermost */
      byte(b, 0x0B);
    }
    block_depth -= (int)ncases + 1;
  } else {                                                 /* early return */
    expr(b, TY_I, 2);
    byte(b, 0x04); byte(b, NONE);
    if (sigs[cur_sig].result != NONE) expr(b, type_cls(sigs[cur_sig].result), 2);
    byte(b, 0x0F);
    byte(b, 0x0B);
  }
}

static void stmts(buf_t *b, int n, int depth) {
  for (int i = 0; i < n; i++) stmt(b, depth);
}

static void gen_body(buf_t *code, uint32_t fi) {
  buf_t b = {0};
  cur_func = fi;
  cur_sig = (int)func_sig[fi];
  const sig_t *s = &sigs[cur_sig];
  nparams = s->np;
  nloc_i32 = nloc_i64 = nloc_f64 = 0;
  for (int i = 0; i < s->np; i++) {
    if (s->params[i] == I32) loc_i32[nloc_i32++] = (uint32_t)i;
    else if (s->params[i] == I64) loc_i64[nloc_i64++] = (uint32_t)i;
    else loc_f64[nloc_f64++] = (uint32_t)i;
  }
  uint32_t next = (uint32_t)s->np;
  for (int i = 0; i < DECL_I32 - LOOP_COUNTERS; i++) loc_i32[nloc_i32++] = next++;
  counter_base = next;
  next += LOOP_COUNTERS;
  for (int i = 0; i < DECL_I64; i++) loc_i64[nloc_i64++] = next++;
  for (int i = 0; i < DECL_F64; i++) loc_f64[nloc_f64++] = next++;
  uleb(&b, 3);
  uleb(&b, DECL_I32); byte(&b, I32);
  uleb(&b, DECL_I64); byte(&b, I64);
  uleb(&b, DECL_F64); byte(&b, F64);

  /* size distribution: mostly small, some medium, a few large */
  uint32_t r = below(100);
  int n = r < 60 ? 1 + (int)below(3) : r < 92 ? 4 + (int)below(12) : r < 99 ? 16 + (int)below(45)
                                                                              : 80 + (int)below(170);
  loop_depth = 0;
  block_depth = 0;
  stmts(&b, n, 3);
  if (s->result != NONE) expr(&b, type_cls(s->result), 3);
  byte(&b, 0x0B);
  uleb(code, b.len);
  bytes(code, b.p, b.len);
  free(b.p);
}

static void push_by_sig(uint32_t s, uint32_t f) {
  if (by_sig_n[s] == by_sig_cap[s]) {
    by_sig_cap[s] = by_sig_cap[s] ? by_sig_cap[s] * 2 : 64;
    by_sig[s] = realloc(by_sig[s], by_sig_cap[s] * sizeof **by_sig);
    if (!by_sig[s]) { fprintf(stderr, "gen_bigmod: out of memory\n"); exit(1); }
  }
  by_sig[s][by_sig_n[s]++] = f;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: gen_bigmod OUT.wasm [MEGABYTES]\n");
    return 2;
  }
  double mb = argc == 3 ? atof(argv[2]) : 10.0;
  if (!(mb > 0.01 && mb < 1000)) { fprintf(stderr, "gen_bigmod: bad size\n"); return 2; }
  size_t target = (size_t)(mb * 1024 * 1024);
  const size_t data_bytes = target / 40;   /* ~2.5% data, like compiled C */
  const uint32_t nseg = 16;
  const uint32_t seg_len = (uint32_t)(data_bytes / nseg);

  by_sig = calloc(NSIGS, sizeof *by_sig);
  by_sig_n = calloc(NSIGS, sizeof *by_sig_n);
  by_sig_cap = calloc(NSIGS, sizeof *by_sig_cap);
  if (!by_sig || !by_sig_n || !by_sig_cap) return 1;

  /* Generate bodies until the code reaches the target (minus the other
   * sections, estimated), choosing signatures as we go. */
  buf_t code = {0};
  uint32_t nfuncs = 0, cap = 0;
  size_t est_other = data_bytes + 4096;
  while (code.len + est_other < target) {
    if (nfuncs == cap) {
      cap = cap ? cap * 2 : 1024;
      func_sig = realloc(func_sig, cap * sizeof *func_sig);
      if (!func_sig) return 1;
    }
    func_sig[nfuncs] = below(NSIGS);
    gen_body(&code, nfuncs);
    push_by_sig(func_sig[nfuncs], nfuncs);
    nfuncs++;
    est_other = data_bytes + 4096 + (size_t)nfuncs * 5;
  }

  buf_t out = {0}, sec = {0};
  bytes(&out, "\0asm\1\0\0\0", 8);

  /* type */
  uleb(&sec, NSIGS);
  for (int s = 0; s < NSIGS; s++) {
    byte(&sec, 0x60);
    uleb(&sec, (uint32_t)sigs[s].np);
    bytes(&sec, sigs[s].params, (size_t)sigs[s].np);
    if (sigs[s].result == NONE) uleb(&sec, 0);
    else { uleb(&sec, 1); byte(&sec, sigs[s].result); }
  }
  section(&out, 1, &sec); sec.len = 0;

  /* function */
  uleb(&sec, nfuncs);
  for (uint32_t i = 0; i < nfuncs; i++) uleb(&sec, func_sig[i]);
  section(&out, 3, &sec); sec.len = 0;

  /* table: one funcref slot per function */
  uleb(&sec, 1); byte(&sec, 0x70); byte(&sec, 0x01); uleb(&sec, nfuncs); uleb(&sec, nfuncs);
  section(&out, 4, &sec); sec.len = 0;

  /* memory: page 0 for the masked accesses, then the data */
  uint32_t pages = (uint32_t)(1 + (data_bytes + 65535) / 65536 + 1);
  uleb(&sec, 1); byte(&sec, 0x00); uleb(&sec, pages);
  section(&out, 5, &sec); sec.len = 0;

  /* globals */
  uleb(&sec, 3 * NGLOBALS_PER);
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < NGLOBALS_PER; i++) {
      byte(&sec, gtypes[c]); byte(&sec, 1);
      if (c == TY_I) { byte(&sec, 0x41); sleb(&sec, i * 1000); }
      else if (c == TY_L) { byte(&sec, 0x42); sleb(&sec, (int64_t)i << 33); }
      else { double d = i * 0.5; byte(&sec, 0x44); bytes(&sec, &d, 8); }
      byte(&sec, 0x0B);
    }
  section(&out, 6, &sec); sec.len = 0;

  /* exports: a sample of functions, and the memory */
  uint32_t nexp = nfuncs < 100 ? nfuncs : 100;
  uleb(&sec, nexp + 1);
  for (uint32_t i = 0; i < nexp; i++) {
    char name[32];
    int len = snprintf(name, sizeof name, "f%u", i * (nfuncs / nexp));
    uleb(&sec, (uint32_t)len); bytes(&sec, name, (size_t)len);
    byte(&sec, 0x00); uleb(&sec, i * (nfuncs / nexp));
  }
  uleb(&sec, 6); bytes(&sec, "memory", 6); byte(&sec, 0x02); uleb(&sec, 0);
  section(&out, 7, &sec); sec.len = 0;

  /* element: table[i] = function i */
  uleb(&sec, 1);
  byte(&sec, 0x00); byte(&sec, 0x41); sleb(&sec, 0); byte(&sec, 0x0B);
  uleb(&sec, nfuncs);
  for (uint32_t i = 0; i < nfuncs; i++) uleb(&sec, i);
  section(&out, 9, &sec); sec.len = 0;

  /* data count */
  uleb(&sec, nseg);
  section(&out, 12, &sec); sec.len = 0;

  /* code */
  uleb(&sec, nfuncs);
  bytes(&sec, code.p, code.len);
  section(&out, 10, &sec); sec.len = 0;

  /* data: active segments after page 0, text-like and table-like bytes */
  uleb(&sec, nseg);
  for (uint32_t s = 0; s < nseg; s++) {
    byte(&sec, 0x00); byte(&sec, 0x41); sleb(&sec, (int64_t)65536 + (int64_t)s * seg_len);
    byte(&sec, 0x0B);
    uleb(&sec, seg_len);
    for (uint32_t i = 0; i < seg_len; i++)
      byte(&sec, s & 1 ? (uint8_t)(' ' + below(95)) : (uint8_t)(i & 3 ? 0 : below(256)));
  }
  section(&out, 11, &sec); sec.len = 0;

  FILE *f = fopen(argv[1], "wb");
  if (!f || fwrite(out.p, 1, out.len, f) != out.len || fclose(f) != 0) {
    fprintf(stderr, "gen_bigmod: cannot write %s\n", argv[1]);
    return 1;
  }
  printf("%s: %zu bytes, %u functions, %zu bytes of code\n", argv[1], out.len, nfuncs, code.len);
  free(out.p); free(sec.p); free(code.p);
  for (int s = 0; s < NSIGS; s++) free(by_sig[s]);
  free(by_sig); free(by_sig_n); free(by_sig_cap); free(func_sig);
  return 0;
}
