/* Components for the `weft run --link` tests (tests/cli/link.sh), in
 * freestanding C with the canonical ABI written out by hand: one source,
 * one guest per -DGUEST_* flag; tests/link/build.sh builds each with
 * clang --target=wasm32, then jco embed + jco new against its world.
 *
 *   GUEST_CALC       exports test:calc/ops (calc.wit): add, greet (which
 *                    numbers its greetings) and the resource counter
 *   GUEST_CALC2      exports calc2.wit's test:calc/ops, whose add is s64
 *   GUEST_REPORT     imports ops, exports test:calc/report: summary(a, b)
 *   GUEST_APP        a wasi:cli/run command importing ops: prints what
 *                    add, greet and a counter give; exports total(a, b)
 *   GUEST_APP_CHAIN  the same, and it imports report too
 *   GUEST_RANDOM4    exports wasi:random/random: always 4 (a --link that
 *                    serves an interface WASI serves too)
 *   GUEST_APP_RANDOM a command printing wasi:random's get-random-u64 */
#include <stddef.h>
#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))
#define OPS "test:calc/ops@0.1.0"
#define REPORT "test:calc/report@0.1.0"

/* clang turns copy loops into memcpy calls and zeroing into memset */
void *memcpy(void *d, const void *s, size_t n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

void *memset(void *d, int c, size_t n) {
  unsigned char *dp = d;
  while (n--) *dp++ = (unsigned char)c;
  return d;
}

/* ---- memory: a bump allocator for cabi_realloc ---- */

static unsigned char heap[1 << 16];
static size_t heap_top;

EXPORT("cabi_realloc") void *cabi_realloc(void *old, size_t old_size, size_t align, size_t size) {
  size_t p = (heap_top + align - 1) & ~(align - 1);
  if (p > sizeof heap || size > sizeof heap - p) __builtin_trap();
  heap_top = p + size;
  unsigned char *np = heap + p;
  if (old) memcpy(np, old, old_size < size ? old_size : size);
  return np;
}

/* A string being built. */
typedef struct {
  char b[256];
  size_t n;
} str_t;

__attribute__((unused)) static void put(str_t *s, const char *p, size_t n) {
  for (size_t i = 0; i < n && s->n < sizeof s->b; i++) s->b[s->n++] = p[i];
}
__attribute__((unused)) static void puts_(str_t *s, const char *z) {
  size_t n = 0;
  while (z[n]) n++;
  put(s, z, n);
}
__attribute__((unused)) static void putnum(str_t *s, int64_t v) {
  char d[24];
  int n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do d[n++] = (char)('0' + u % 10); while (u /= 10);
  if (v < 0) put(s, "-", 1);
  while (n) put(s, &d[--n], 1);
}

__attribute__((unused)) static uint32_t ret_area[4];

#if defined(GUEST_CALC) || defined(GUEST_CALC2)
/* ---- test:calc/ops, exported ---- */
IMPORT("[export]" OPS, "[resource-new]counter") int32_t counter_new(int32_t rep);

#ifdef GUEST_CALC2
EXPORT(OPS "#add") int64_t ops_add(int64_t a, int64_t b) { return a + b; }
#else
EXPORT(OPS "#add") int32_t ops_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
#endif

/* greetings are numbered: how many this instance made */
static uint32_t ngreet;

EXPORT(OPS "#greet") uint32_t *ops_greet(const char *name, size_t len) {
  str_t s = {.n = 0};
  puts_(&s, "Hello, ");
  put(&s, name, len);
  puts_(&s, "! #");
  putnum(&s, ++ngreet);
  char *out = cabi_realloc(NULL, 0, 1, s.n);
  memcpy(out, s.b, s.n);
  ret_area[0] = (uint32_t)(uintptr_t)out;
  ret_area[1] = (uint32_t)s.n;
  return ret_area;
}

static uint32_t counters[64];
static uint32_t ncounters;

EXPORT(OPS "#[constructor]counter") int32_t ops_counter_new(uint32_t start) {
  if (ncounters == 64) __builtin_trap();
  counters[ncounters++] = start;
  return counter_new((int32_t)ncounters);   /* rep: index + 1 */
}

EXPORT(OPS "#[method]counter.bump") uint32_t ops_counter_bump(uint32_t rep) {
  if (rep == 0 || rep > ncounters) __builtin_trap();
  return ++counters[rep - 1];
}

EXPORT(OPS "#[dtor]counter") void ops_counter_dtor(uint32_t rep) { (void)rep; }
#endif

#if defined(GUEST_REPORT) || defined(GUEST_APP) || defined(GUEST_APP_CHAIN)
/* ---- test:calc/ops, imported ---- */
IMPORT(OPS, "add") int32_t add(int32_t a, int32_t b);
IMPORT(OPS, "greet") void greet(const char *p, size_t n, uint32_t *ret);
#endif

#ifdef GUEST_REPORT
EXPORT(REPORT "#summary") uint32_t *report_summary(int32_t a, int32_t b) {
  str_t s = {.n = 0};
  putnum(&s, a);
  puts_(&s, " + ");
  putnum(&s, b);
  puts_(&s, " = ");
  putnum(&s, add(a, b));
  puts_(&s, "; ");
  uint32_t g[2];
  greet("report", 6, g);
  put(&s, (const char *)(uintptr_t)g[0], g[1]);
  char *out = cabi_realloc(NULL, 0, 1, s.n);
  memcpy(out, s.b, s.n);
  ret_area[0] = (uint32_t)(uintptr_t)out;
  ret_area[1] = (uint32_t)s.n;
  return ret_area;
}
#endif

#ifdef GUEST_RANDOM4
#define RANDOM "wasi:random/random@0.2.12"
EXPORT(RANDOM "#get-random-u64") uint64_t random_u64(void) { return 4; }
EXPORT(RANDOM "#get-random-bytes") uint32_t *random_bytes(uint64_t n) {
  if (n > 4096) __builtin_trap();
  unsigned char *p = cabi_realloc(NULL, 0, 1, (size_t)n);
  for (size_t i = 0; i < (size_t)n; i++) p[i] = 4;
  ret_area[0] = (uint32_t)(uintptr_t)p;
  ret_area[1] = (uint32_t)n;
  return ret_area;
}
#endif

#if defined(GUEST_APP) || defined(GUEST_APP_CHAIN) || defined(GUEST_APP_RANDOM)
IMPORT("wasi:cli/stdout@0.2.12", "get-stdout") int32_t get_stdout(void);
IMPORT("wasi:io/streams@0.2.12", "[method]output-stream.blocking-write-and-flush")
void out_write(int32_t self, const void *p, size_t n, void *ret);
IMPORT("wasi:io/streams@0.2.12", "[resource-drop]output-stream") void out_drop(int32_t self);

static void print(const str_t *s) {
  int32_t out = get_stdout();
  uint32_t r[4];
  out_write(out, s->b, s->n, r);
  out_drop(out);
}
#endif

#ifdef GUEST_APP_RANDOM
IMPORT("wasi:random/random@0.2.12", "get-random-u64") uint64_t get_random_u64(void);

EXPORT("wasi:cli/run@0.2.12#run") int32_t run(void) {
  str_t s = {.n = 0};
  puts_(&s, "random: ");
  putnum(&s, (int64_t)get_random_u64());
  puts_(&s, "\n");
  print(&s);
  return 0;
}
#endif

#if defined(GUEST_APP) || defined(GUEST_APP_CHAIN)
IMPORT(OPS, "[constructor]counter") int32_t counter_new(uint32_t start);
IMPORT(OPS, "[method]counter.bump") uint32_t counter_bump(int32_t self);
IMPORT(OPS, "[resource-drop]counter") void counter_drop(int32_t self);
#ifdef GUEST_APP_CHAIN
IMPORT(REPORT, "summary") void summary(int32_t a, int32_t b, uint32_t *ret);
#endif
EXPORT("total") int32_t total(int32_t a, int32_t b) { return add(a, b); }

EXPORT("wasi:cli/run@0.2.12#run") int32_t run(void) {
  str_t s = {.n = 0};
  puts_(&s, "add(2, 3) = ");
  putnum(&s, add(2, 3));
  puts_(&s, "\ngreet: ");
  uint32_t g[2];
  greet("weft", 4, g);
  put(&s, (const char *)(uintptr_t)g[0], g[1]);
  int32_t c = counter_new(10);
  puts_(&s, "\ncounter:");
  for (int i = 0; i < 2; i++) {
    puts_(&s, " ");
    putnum(&s, counter_bump(c));
  }
  counter_drop(c);
#ifdef GUEST_APP_CHAIN
  puts_(&s, "\nsummary: ");
  summary(20, 22, g);
  put(&s, (const char *)(uintptr_t)g[0], g[1]);
#endif
  puts_(&s, "\n");
  print(&s);
  return 0;
}
#endif
