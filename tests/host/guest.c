/* The guest of the every-type round trip (tests/host/all/wit, world
 * `guest`), written against the canonical ABI directly (there is no C
 * wit-bindgen here): each import is declared with its flattened core
 * signature, memory layouts are the canonical ones (which are the natural
 * wasm32 C layouts of the structs below). `run` calls every function of
 * test:all/types with values of every type and checks what the host library
 * sent back (its transformations are documented in tests/host/all/src/all.c);
 * it returns "ok N" or the first failures. Built by tests/cli/host_bundles.sh
 * (clang --target=wasm32-wasi, then jco embed + jco new). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("test:all/types@0.1.0"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

typedef struct { char *ptr; size_t len; } str_t;
typedef struct { int32_t x, y; str_t label; } point_t;
typedef struct { point_t *ptr; size_t len; } points_t;
typedef struct { points_t *ptr; size_t len; } points2_t;
typedef struct { str_t *ptr; size_t len; } strs_t;
typedef struct { str_t name; strs_t tags; points_t pts; } item_t;
typedef struct { item_t *ptr; size_t len; } items_t;
typedef struct { uint8_t tag; union { uint32_t circle; point_t rect; str_t named; } val; } shape_t;
typedef struct { uint8_t is_some; str_t val; } opt_str_t;
typedef struct { uint8_t is_err; union { uint32_t ok; str_t err; } val; } res_t;
typedef struct { uint8_t f0; str_t f1; double f2; } tup_t;
typedef struct { uint8_t *ptr; size_t len; } bytes_t;

IMPORT("rt-bool") int32_t rt_bool(int32_t);
IMPORT("rt-s8") int32_t rt_s8(int32_t);
IMPORT("rt-u8") int32_t rt_u8(int32_t);
IMPORT("rt-s16") int32_t rt_s16(int32_t);
IMPORT("rt-u16") int32_t rt_u16(int32_t);
IMPORT("rt-s32") int32_t rt_s32(int32_t);
IMPORT("rt-u32") int32_t rt_u32(int32_t);
IMPORT("rt-s64") int64_t rt_s64(int64_t);
IMPORT("rt-u64") int64_t rt_u64(int64_t);
IMPORT("rt-f32") float rt_f32(float);
IMPORT("rt-f64") double rt_f64(double);
IMPORT("rt-char") int32_t rt_char(int32_t);
IMPORT("rt-string") void rt_string(const char *, size_t, str_t *);
IMPORT("rt-bytes") void rt_bytes(const uint8_t *, size_t, bytes_t *);
IMPORT("rt-nested") void rt_nested(const points_t *, size_t, points2_t *);
IMPORT("rt-items") void rt_items(const item_t *, size_t, items_t *);
IMPORT("rt-shape") void rt_shape(int32_t, int32_t, int32_t, int32_t, int32_t, shape_t *);
IMPORT("rt-color") int32_t rt_color(int32_t);
IMPORT("rt-perms") int32_t rt_perms(int32_t);
IMPORT("rt-option") void rt_option(int32_t, const char *, size_t, opt_str_t *);
IMPORT("rt-result") void rt_result(int32_t, int32_t, int32_t, res_t *);
IMPORT("rt-tuple") void rt_tuple(int32_t, const char *, size_t, double, tup_t *);
IMPORT("check") int32_t check(int32_t);
IMPORT("mixed") void mixed(int32_t, int64_t, float, const char *, size_t, int32_t, int32_t, const char *, size_t,
                           int32_t, str_t *);
IMPORT("live-counters") int32_t live_counters(void);
IMPORT("noop") void noop(void);
IMPORT("echo") void echo(const char *, size_t, str_t *);
IMPORT("fail") void fail(const char *, size_t);
IMPORT("[constructor]counter") int32_t counter_new(int64_t);
IMPORT("[method]counter.add") int64_t counter_add(int32_t, int64_t);
IMPORT("[method]counter.label") void counter_label(int32_t, str_t *);
IMPORT("[static]counter.merge") int32_t counter_merge(int32_t, int32_t);
IMPORT("[resource-drop]counter") void counter_drop(int32_t);

EXPORT("cabi_realloc") void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  (void)align;   /* malloc's 16-byte alignment covers every canonical alignment */
  if (!new_size) return (void *)align;
  return realloc(old, new_size);
}

/* ---- the report ---- */
static char report[4096];
static size_t rlen;
static int checks, failures;

static void put(const char *s) {
  size_t n = strlen(s);
  if (rlen + n < sizeof report - 1) { memcpy(report + rlen, s, n); rlen += n; }
}
static void put_u(uint64_t v) {
  char b[24];
  int i = 23;
  b[i] = 0;
  do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  put(b + i);
}
static void expect(int cond, const char *what) {
  checks++;
  if (cond) return;
  failures++;
  put(failures > 1 ? "; " : "FAIL ");
  put(what);
}
static int str_is(str_t s, const char *want) { return s.len == strlen(want) && !memcmp(s.ptr, want, s.len); }
static str_t S(const char *s) { str_t r = {(char *)s, strlen(s)}; return r; }

#define NONASCII "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac"   /* héllo wörld ✓ 日本 */

static void scalars(void) {
  expect(rt_bool(1) == 0 && rt_bool(0) == 1, "rt-bool");
  expect(rt_s8(-128) == 127 && rt_s8(5) == 4, "rt-s8");
  expect(rt_u8(255) == 0 && rt_u8(7) == 8, "rt-u8");
  expect(rt_s16(-32768) == 32767 && rt_s16(-7) == -8, "rt-s16");
  expect(rt_u16(65535) == 0 && rt_u16(1000) == 1001, "rt-u16");
  expect(rt_s32(INT32_MIN) == INT32_MAX && rt_s32(0) == -1, "rt-s32");
  expect((uint32_t)rt_u32((int32_t)0xffffffffu) == 0 && rt_u32(41) == 42, "rt-u32");
  expect(rt_s64(INT64_MIN) == INT64_MAX && rt_s64(-5) == -6, "rt-s64");
  expect((uint64_t)rt_u64((int64_t)0xffffffffffffffffull) == 0 && rt_u64(1ll << 40) == (1ll << 40) + 1, "rt-u64");
  expect(rt_f32(1.25f) == 2.5f && rt_f32(-0.5f) == -1.0f, "rt-f32");
  expect(rt_f64(-3.5) == -7.0 && rt_f64(1e300) == 2e300, "rt-f64");
  expect(rt_char(0x1F600) == 0x1F601 && rt_char(0xE9) == 0xEA && rt_char('a') == 'b', "rt-char");
  expect(rt_color(0) == 1 && rt_color(2) == 0, "rt-color");
  expect(rt_perms(5) == 2 && rt_perms(0) == 7, "rt-perms");
  expect(check(1) == 0 && check(0) == 1, "check (result without payloads)");
}

static void strings(void) {
  str_t r;
  rt_string(NONASCII, strlen(NONASCII), &r);
  expect(str_is(r, NONASCII "!"), "rt-string non-ASCII");
  rt_string("", 0, &r);
  expect(str_is(r, "!"), "rt-string empty");
  uint8_t bytes[5] = {1, 2, 0, 255, 9};
  bytes_t b;
  rt_bytes(bytes, 5, &b);
  expect(b.len == 5 && b.ptr[0] == 9 && b.ptr[1] == 255 && b.ptr[2] == 0 && b.ptr[4] == 1, "rt-bytes");
  rt_bytes(bytes, 0, &b);
  expect(b.len == 0, "rt-bytes empty");
}

static void nested(void) {
  point_t a[2] = {{1, 2, S("a")}, {-3, 4, S(NONASCII)}};
  point_t c[1] = {{100, -100, S("")}};
  points_t lists[3] = {{a, 2}, {NULL, 0}, {c, 1}};
  points2_t r;
  rt_nested(lists, 3, &r);
  expect(r.len == 3 && r.ptr[0].len == 2 && r.ptr[1].len == 0 && r.ptr[2].len == 1, "rt-nested shape");
  if (r.len == 3 && r.ptr[0].len == 2 && r.ptr[2].len == 1) {
    point_t p = r.ptr[0].ptr[1], q = r.ptr[2].ptr[0];
    expect(p.x == -2 && p.y == 3 && str_is(p.label, NONASCII "!"), "rt-nested values");
    expect(q.x == 101 && q.y == -101 && str_is(q.label, "!"), "rt-nested last");
  }
  str_t tags[3] = {S("x"), S("y"), S("\xc3\xbc")};
  point_t pts[1] = {{7, 8, S("p")}};
  item_t items[2] = {{S("first"), {tags, 3}, {pts, 1}}, {S("second"), {NULL, 0}, {NULL, 0}}};
  items_t ir;
  rt_items(items, 2, &ir);
  expect(ir.len == 2, "rt-items length");
  if (ir.len == 2) {
    item_t f = ir.ptr[0];
    expect(str_is(f.name, "first!") && f.tags.len == 3 && str_is(f.tags.ptr[0], "\xc3\xbc!") &&
               str_is(f.tags.ptr[2], "x!"), "rt-items tags");
    expect(f.pts.len == 1 && f.pts.ptr[0].x == 8 && f.pts.ptr[0].y == 7 && str_is(f.pts.ptr[0].label, "p!"),
           "rt-items points");
    expect(str_is(ir.ptr[1].name, "second!") && ir.ptr[1].tags.len == 0 && ir.ptr[1].pts.len == 0, "rt-items empty");
  }
}

static void variants(void) {
  shape_t s;
  rt_shape(0, 21, 0, 0, 0, &s);
  expect(s.tag == 0 && s.val.circle == 42, "rt-shape circle");
  const char *lbl = "r\xc3\xa9" "ct";
  rt_shape(1, 5, -6, (int32_t)(uintptr_t)lbl, (int32_t)strlen(lbl), &s);
  expect(s.tag == 1 && s.val.rect.x == 6 && s.val.rect.y == -7 && str_is(s.val.rect.label, "r\xc3\xa9" "ct!"),
         "rt-shape rect");
  rt_shape(2, 0, 0, 0, 0, &s);
  expect(s.tag == 2, "rt-shape empty");
  rt_shape(3, (int32_t)(uintptr_t)"nm", 2, 0, 0, &s);
  expect(s.tag == 3 && str_is(s.val.named, "nm!"), "rt-shape named");
  opt_str_t o;
  rt_option(1, NONASCII, strlen(NONASCII), &o);
  expect(o.is_some == 1 && str_is(o.val, NONASCII "!"), "rt-option some");
  rt_option(0, 0, 0, &o);
  expect(o.is_some == 0, "rt-option none");
  res_t r;
  rt_result(0, 41, 0, &r);
  expect(r.is_err == 0 && r.val.ok == 42, "rt-result ok");
  rt_result(1, (int32_t)(uintptr_t)"bad", 3, &r);
  expect(r.is_err == 1 && str_is(r.val.err, "bad!"), "rt-result err");
  tup_t t;
  rt_tuple(254, "tu", 2, 0.25, &t);
  expect(t.f0 == 255 && str_is(t.f1, "tu!") && t.f2 == 0.5, "rt-tuple");
  str_t m;
  mixed(200, -9000000000ll, 1.5f, "d\xc3\xa9", 3, 3, -4, "lab", 3, 2, &m);
  expect(str_is(m, "hello/all:200,-9000000000,1.50,d\xc3\xa9,(3,-4,lab),2"), "mixed arguments and config");
}

static void resources(void) {
  int32_t live0 = live_counters();
  int32_t a = counter_new(10), b = counter_new(5);
  expect(live_counters() == live0 + 2, "counter constructor");
  expect(counter_add(a, 5) == 15 && counter_add(a, 1) == 16 && counter_add(b, 0) == 5, "counter method");
  str_t l;
  counter_label(a, &l);
  expect(str_is(l, "counter=16"), "counter label");
  int32_t c = counter_merge(a, b);
  expect(counter_add(c, 0) == 21 && live_counters() == live0 + 3, "counter static returning own");
  counter_drop(a);
  counter_drop(b);
  counter_drop(c);
  expect(live_counters() == live0, "counter drop reaches the library");
}

EXPORT("run") str_t *run(void) {
  static str_t out;
  rlen = 0;
  checks = failures = 0;
  scalars();
  strings();
  nested();
  variants();
  resources();
  noop();
  if (!failures) { put("ok "); put_u((uint64_t)checks); put(" checks"); }
  report[rlen] = 0;
  out.ptr = report;
  out.len = rlen;
  return &out;
}

/* The library makes this call trap: nothing after it runs. */
EXPORT("trap-test") int32_t trap_test(void) {
  fail("boom", 4);
  return 7;
}

EXPORT("bench-noop") void bench_noop(int32_t n) {
  for (int32_t i = 0; i < n; i++) noop();
}

EXPORT("bench-echo") int32_t bench_echo(int32_t n, const char *s, size_t len) {
  int32_t total = 0;
  for (int32_t i = 0; i < n; i++) {
    str_t r;
    echo(s, len, &r);
    total += (int32_t)r.len;
    free(r.ptr);
  }
  return total;
}
