/* Unit tests of memory images (memimage.c): memory 0 initialised by mapping
 * a copy-on-write image of its data segments. Modules are assembled here
 * byte by byte: contents equal to what copying gives, instances isolated
 * from each other and from later users of a recycled reservation, grow,
 * the cases that get no image (non-constant offset, out of bounds, little
 * data, a segment for another memory), data.drop / memory.init unchanged,
 * concurrent first use. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/runtime.h"
#include "test.h"
#include "wasm_buf.h"

/* ---- a tiny module assembler ---- */

static void section(buf_t *mod, uint8_t id, buf_t *body) {
  byte(mod, id);
  uleb(mod, body->n);
  put(mod, body->p, body->n);
  free(body->p);
  *body = (buf_t){0};
}

/* One data segment: ACTIVE at `off` (or at global 0 when off < 0), or passive. */
typedef struct {
  int passive;
  int64_t off;
  uint32_t mem;          /* active only; memory 1 needs two_mems */
  const uint8_t *bytes;
  uint32_t len;
} seg_t;

/* Functions, by index: 0 init1(d,s,n) = memory.init 1; 1 init0(d,s,n) =
 * memory.init 0; 2 drop1() = data.drop 1; 3 grow(n) -> old; 4 size() -> pages.
 * With `global_import`, imports env.g: i32. */
static wf_module_t *assemble2(uint32_t min_pages, const seg_t *segs, uint32_t nsegs, int global_import,
                              int two_mems) {
  buf_t mod = {0}, s = {0};
  put(&mod, "\0asm\1\0\0\0", 8);
  /* types: (i32 i32 i32)->(), ()->(), (i32)->(i32), ()->(i32) */
  uleb(&s, 4);
  put(&s, "\x60\x03\x7f\x7f\x7f\x00", 6);
  put(&s, "\x60\x00\x00", 3);
  put(&s, "\x60\x01\x7f\x01\x7f", 5);
  put(&s, "\x60\x00\x01\x7f", 4);
  section(&mod, 1, &s);
  if (global_import) {
    uleb(&s, 1);
    put(&s, "\x03" "env" "\x01" "g" "\x03\x7f\x00", 9);
    section(&mod, 2, &s);
  }
  put(&s, "\x05\x00\x00\x01\x02\x03", 6);
  section(&mod, 3, &s);
  uleb(&s, two_mems ? 2 : 1);
  for (int i = 0; i < (two_mems ? 2 : 1); i++) {
    byte(&s, 0);
    uleb(&s, min_pages);
  }
  section(&mod, 5, &s);
  uint32_t npad = nsegs < 2 ? 2 - nsegs : 0;   /* the functions name data 0 and 1 */
  uleb(&s, nsegs + npad);
  section(&mod, 12, &s);
  /* code */
  uleb(&s, 5);
  static const struct { uint8_t n, code[10]; } bodies[5] = {
      {10, {0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 8, 1, 0}},   /* memory.init data 1, memory 0 */
      {10, {0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 8, 0, 0}},
      {3, {0xfc, 9, 1}},
      {4, {0x20, 0, 0x40, 0}},
      {2, {0x3f, 0}},
  };
  for (int i = 0; i < 5; i++) {
    uleb(&s, (uint64_t)bodies[i].n + 2);
    byte(&s, 0);                         /* no locals */
    put(&s, bodies[i].code, bodies[i].n);
    byte(&s, 0x0b);
  }
  section(&mod, 10, &s);
  uleb(&s, nsegs + npad);
  for (uint32_t i = 0; i < npad; i++) put(&s, "\x01\x00", 2);   /* empty passive */
  for (uint32_t i = 0; i < nsegs; i++) {
    if (segs[i].passive) {
      byte(&s, 1);
    } else {
      if (segs[i].mem) {
        byte(&s, 2);
        uleb(&s, segs[i].mem);
      } else {
        byte(&s, 0);
      }
      if (segs[i].off < 0) put(&s, "\x23\x00", 2);
      else {
        byte(&s, 0x41);
        sleb(&s, (int32_t)(uint32_t)segs[i].off);
      }
      byte(&s, 0x0b);
    }
    uleb(&s, segs[i].len);
    put(&s, segs[i].bytes, segs[i].len);
  }
  section(&mod, 11, &s);
  wf_error_t err = {0};
  wf_module_t *m = wf_module_decode_ex(mod.p, mod.n, two_mems ? WF_FEATURE_MULTI_MEMORY : 0, &err);
  if (!m) fprintf(stderr, "  assemble: %s\n", err.msg);
  free(mod.p);
  return m;
}

static wf_module_t *assemble(uint32_t min_pages, const seg_t *segs, uint32_t nsegs, int global_import) {
  return assemble2(min_pages, segs, nsegs, global_import, 0);
}

#define BIG (100u * 1024u)   /* bytes in the big segment: above the threshold */
_Static_assert(BIG >= WF_MEMIMAGE_MIN_BYTES, "the big module must qualify for an image");
#define BIG_AT 0x100u
#define HOLE_AT 0x200u       /* 4 zero bytes written over the big segment */
#define FAR_AT 0x30000u      /* an 8-byte segment in the fourth page */

static uint8_t big_bytes[BIG];
static const uint8_t zeros4[4] = {0};
static const uint8_t far_bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t passive_bytes[16] = "passive segment";

static void fill_big(void) {
  for (uint32_t i = 0; i < BIG; i++) big_bytes[i] = (uint8_t)(i * 7u + 1u) | 1u;
}

/* The big module: memory of `pages`, segments 0 big, 1 passive, 2 the zero
 * hole, 3 far (all constant offsets unless off0 < 0). */
static wf_module_t *big_module(uint32_t pages, int64_t off0, int global_import) {
  fill_big();
  seg_t segs[4] = {
      {0, off0, 0, big_bytes, BIG},
      {1, 0, 0, passive_bytes, sizeof passive_bytes},
      {0, HOLE_AT, 0, zeros4, 4},
      {0, FAR_AT, 0, far_bytes, 8},
  };
  return assemble(pages, segs, 4, global_import);
}

/* 1 if inst's memory holds exactly what the big module's segments give. */
static int contents_ok(const wf_meminst_t *mem) {
  if (mem->size != 4u * WF_PAGE_SIZE) return 0;
  for (uint32_t i = 0; i < BIG_AT; i++)
    if (mem->base[i]) return 0;
  for (uint32_t i = 0; i < BIG; i++) {
    uint32_t a = BIG_AT + i;
    uint8_t want = a >= HOLE_AT && a < HOLE_AT + 4 ? 0 : big_bytes[i];
    if (mem->base[a] != want) return 0;
  }
  for (uint64_t a = BIG_AT + BIG; a < mem->size; a++) {
    uint8_t want = a >= FAR_AT && a < FAR_AT + 8 ? far_bytes[a - FAR_AT] : 0;
    if (mem->base[a] != want) return 0;
  }
  return 1;
}

static wf_instance_t *inst_of(wf_store_t *s, wf_module_t *m) {
  wf_error_t err = {0};
  int trapped = 0;
  wf_instance_t *inst = wf_instantiate(s, m, NULL, &err, &trapped);
  if (!inst) fprintf(stderr, "  instantiate: %s\n", err.msg);
  return inst;
}

static wf_trapcode_t call(wf_store_t *s, wf_instance_t *inst, uint32_t f, uint64_t a, uint64_t b, uint64_t c,
                          uint64_t *res) {
  uint64_t slots[3] = {a, b, c};
  wf_trapcode_t tc = wf_invoke(s, inst->funcs[f], slots, slots);
  if (res) *res = slots[0];
  return tc;
}

WF_TEST(memimage_contents_and_isolation) {
  wf_module_t *m = big_module(4, BIG_AT, 0);
  CHECK(m);
  wf_mempool_t *p = wf_mempool_new(4);
  CHECK(p);
  wf_store_t *s1 = wf_store_new_pooled(p), *s2 = wf_store_new_pooled(p);
  CHECK(s1 && s2);
  wf_instance_t *a = inst_of(s1, m), *b = inst_of(s2, m);
  CHECK(a && b);
  const wf_memimage_t *img = wf_memimage_get(m);
  CHECK(img);
  /* up to the last non-zero byte, rounded to a host page */
  CHECK(wf_memimage_len(img) >= FAR_AT + 8 && wf_memimage_len(img) <= FAR_AT + WF_PAGE_SIZE);
  CHECK_EQ(a->mems[0]->image_len, wf_memimage_len(img));
  CHECK_EQ(b->mems[0]->image_len, wf_memimage_len(img));
  CHECK(contents_ok(a->mems[0]) && contents_ok(b->mems[0]));
  /* the segments are dropped as after copying; memory.size unchanged */
  CHECK(a->data_dropped[0] && !a->data_dropped[1] && a->data_dropped[2] && a->data_dropped[3]);
  uint64_t r = 0;
  CHECK_EQ(call(s1, a, 4, 0, 0, 0, &r), WF_TRAP_NONE);
  CHECK_EQ(r, 4);

  /* a write in one instance is not seen by the other */
  uint8_t *base_a = a->mems[0]->base;
  base_a[BIG_AT] ^= 0xff;
  base_a[FAR_AT] = 99;
  base_a[4 * WF_PAGE_SIZE - 1] = 42;   /* past the image: anonymous */
  CHECK_EQ(b->mems[0]->base[BIG_AT], big_bytes[0]);
  CHECK_EQ(b->mems[0]->base[FAR_AT], far_bytes[0]);
  CHECK_EQ(b->mems[0]->base[4 * WF_PAGE_SIZE - 1], 0);

  /* nor by a later instance that gets a's reservation back */
  wf_store_free(s1);
  wf_store_t *s3 = wf_store_new_pooled(p);
  wf_instance_t *c = inst_of(s3, m);
  CHECK(c);
  CHECK(c->mems[0]->base == base_a);
  CHECK(contents_ok(c->mems[0]));
  c->mems[0]->base[FAR_AT + 1] = 77;
  wf_store_free(s3);

  /* a module without an image taking that reservation sees zeros throughout */
  seg_t small = {0, 16, 0, far_bytes, 8};
  wf_module_t *sm = assemble(5, &small, 1, 0);
  CHECK(sm);
  wf_store_t *s4 = wf_store_new_pooled(p);
  wf_instance_t *d = inst_of(s4, sm);
  CHECK(d);
  if (8 < WF_MEMIMAGE_MIN_BYTES) {   /* a build may lower the threshold to test images everywhere */
    CHECK(!wf_memimage_get(sm));
    CHECK_EQ(d->mems[0]->image_len, 0);
  }
  CHECK(d->mems[0]->base == base_a || d->mems[0]->base == b->mems[0]->base);
  for (uint64_t i = 0; i < d->mems[0]->size; i++)
    if (d->mems[0]->base[i] != (i >= 16 && i < 24 ? far_bytes[i - 16] : 0)) CHECK(0);
  wf_store_free(s4);
  wf_store_free(s2);
  wf_mempool_unref(p);
  wf_module_free(sm);
  wf_module_free(m);
}

WF_TEST(memimage_grow_and_bulk_memory) {
  wf_module_t *m = big_module(4, BIG_AT, 0);
  CHECK(m);
  wf_store_t *s = wf_store_new();   /* unpooled: unmapped when freed */
  wf_instance_t *a = inst_of(s, m);
  CHECK(a);
  CHECK(a->mems[0]->image_len > 0);
  uint64_t r = 0;
  CHECK_EQ(call(s, a, 3, 2, 0, 0, &r), WF_TRAP_NONE);   /* grow by 2 */
  CHECK_EQ(r, 4);
  CHECK_EQ(call(s, a, 4, 0, 0, 0, &r), WF_TRAP_NONE);
  CHECK_EQ(r, 6);
  uint8_t *base = a->mems[0]->base;
  CHECK_EQ(base[6 * WF_PAGE_SIZE - 1], 0);
  base[6 * WF_PAGE_SIZE - 1] = 5;
  CHECK_EQ(base[FAR_AT + 7], far_bytes[7]);
  /* memory.init of the passive segment works, past the image too */
  CHECK_EQ(call(s, a, 0, 5 * WF_PAGE_SIZE, 0, sizeof passive_bytes, NULL), WF_TRAP_NONE);
  CHECK(!memcmp(base + 5 * WF_PAGE_SIZE, passive_bytes, sizeof passive_bytes));
  CHECK_EQ(call(s, a, 0, BIG_AT, 0, 7, NULL), WF_TRAP_NONE);
  CHECK(!memcmp(base + BIG_AT, passive_bytes, 7));
  /* the active segment 0 was dropped: only an empty init at 0 succeeds */
  CHECK_EQ(call(s, a, 1, 0, 0, 0, NULL), WF_TRAP_NONE);
  CHECK_EQ(call(s, a, 1, 0, 0, 1, NULL), WF_TRAP_MEM_OOB);
  /* data.drop of the passive segment, then it is empty */
  CHECK_EQ(call(s, a, 2, 0, 0, 0, NULL), WF_TRAP_NONE);
  CHECK_EQ(call(s, a, 0, 0, 0, 1, NULL), WF_TRAP_MEM_OOB);
  CHECK_EQ(call(s, a, 0, 0, 0, 0, NULL), WF_TRAP_NONE);
  /* out of bounds still traps at the end of the grown memory */
  CHECK_EQ(call(s, a, 0, 6 * WF_PAGE_SIZE - 1, 0, 2, NULL), WF_TRAP_MEM_OOB);
  wf_store_free(s);
  wf_module_free(m);
}

/* The same segments at an offset from an imported global: no image, same contents. */
WF_TEST(memimage_not_for_global_offset) {
  wf_module_t *m = big_module(4, -1, 1);
  CHECK(m);
  wf_store_t *s = wf_store_new();
  wf_globaltype_t gt = {WF_T_I32, false};
  wf_extern_t im;
  memset(&im, 0, sizeof im);
  im.kind = WF_EXTERN_GLOBAL;
  im.u.global = wf_global_new(s, &gt, BIG_AT);
  CHECK(im.u.global);
  wf_error_t err = {0};
  int trapped = 0;
  wf_instance_t *a = wf_instantiate(s, m, &im, &err, &trapped);
  CHECK(a);
  CHECK(!wf_memimage_get(m));
  CHECK_EQ(a->mems[0]->image_len, 0);
  CHECK(contents_ok(a->mems[0]));
  CHECK(a->data_dropped[0] && a->data_dropped[3]);
  wf_store_free(s);
  wf_module_free(m);
}

/* A segment that does not fit: instantiation traps as before, no image. */
WF_TEST(memimage_not_for_out_of_bounds) {
  fill_big();
  seg_t segs[2] = {{0, 0, 0, big_bytes, BIG}, {0, 2 * WF_PAGE_SIZE - 4, 0, far_bytes, 8}};
  wf_module_t *m = assemble(2, segs, 2, 0);
  CHECK(m);
  wf_store_t *s = wf_store_new();
  wf_error_t err = {0};
  int trapped = 0;
  CHECK(!wf_instantiate(s, m, NULL, &err, &trapped));
  CHECK(trapped);
  CHECK(strstr(err.msg, "out of bounds memory access"));
  CHECK(!wf_memimage_get(m));
  wf_store_free(s);
  wf_module_free(m);
  /* little data (below WF_MEMIMAGE_MIN_BYTES): copied, no image */
  seg_t one = {0, 0, 0, big_bytes, 1024};
  m = assemble(1, &one, 1, 0);
  CHECK(m);
  s = wf_store_new();
  wf_instance_t *a = inst_of(s, m);
  CHECK(a);
  if (1024 < WF_MEMIMAGE_MIN_BYTES) CHECK(!wf_memimage_get(m) && a->mems[0]->image_len == 0);
  CHECK(!memcmp(a->mems[0]->base, big_bytes, 1024));
  wf_store_free(s);
  wf_module_free(m);
}

/* Multi-memory: a segment for memory 1 (which could trap after memory 0's
 * image is in) keeps the module on the copy path; contents as copied. */
WF_TEST(memimage_not_with_other_memory_segments) {
  fill_big();
  seg_t segs[2] = {{0, BIG_AT, 0, big_bytes, BIG}, {0, 8, 1, far_bytes, 8}};
  wf_module_t *m = assemble2(4, segs, 2, 0, 1);
  CHECK(m);
  wf_store_t *s = wf_store_new();
  wf_instance_t *a = inst_of(s, m);
  CHECK(a);
  CHECK(!wf_memimage_get(m));
  CHECK_EQ(a->mems[0]->image_len, 0);
  CHECK(!memcmp(a->mems[0]->base + BIG_AT, big_bytes, BIG));
  CHECK(!memcmp(a->mems[1]->base + 8, far_bytes, 8));
  wf_store_free(s);
  wf_module_free(m);
  /* the same with only memory-0 segments does get one */
  m = assemble2(4, segs, 1, 0, 1);
  CHECK(m);
  s = wf_store_new();
  a = inst_of(s, m);
  CHECK(a && wf_memimage_get(m) && a->mems[0]->image_len > 0);
  CHECK(!memcmp(a->mems[0]->base + BIG_AT, big_bytes, BIG));
  wf_store_free(s);
  wf_module_free(m);
}

typedef struct {
  wf_module_t *m;
  wf_mempool_t *p;
  int ok;
} race_t;

static void *race(void *arg) {
  race_t *r = arg;
  r->ok = 1;
  for (int i = 0; i < 20 && r->ok; i++) {
    wf_store_t *s = wf_store_new_pooled(r->p);
    wf_error_t err = {0};
    int trapped = 0;
    wf_instance_t *a = s ? wf_instantiate(s, r->m, NULL, &err, &trapped) : NULL;
    r->ok = a && contents_ok(a->mems[0]);
    if (a) a->mems[0]->base[BIG_AT + (uint32_t)i] = 0;   /* dirty it for the next user */
    wf_store_free(s);
  }
  return NULL;
}

/* Several threads instantiating a fresh module at once: one builds the
 * image, every instance has the right contents either way. */
WF_TEST(memimage_concurrent_first_use) {
  wf_module_t *m = big_module(4, BIG_AT, 0);
  CHECK(m);
  wf_mempool_t *p = wf_mempool_new(8);
  CHECK(p);
  race_t r[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    r[i] = (race_t){m, p, 0};
    CHECK(pthread_create(&th[i], NULL, race, &r[i]) == 0);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 4; i++) CHECK(r[i].ok);
  CHECK(wf_memimage_get(m));
  wf_mempool_unref(p);
  wf_module_free(m);
}
