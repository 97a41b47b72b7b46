/* A string/parse workload: print a program of assignment statements as
 * text, then tokenize, parse (recursive descent) and evaluate it several
 * times with a hashed symbol table. */
#include "rt.h"

#define NSTMTS 30000
#define NNAMES 600
#define REPS 8
#define TEXT_MAX (4u << 20)
#define SYMS 2048   /* power of two, > NNAMES */

static char text[TEXT_MAX];
static uint32_t text_len;
static uint32_t seed;

/* ---- generation ---- */

static void put_char(char c) {
  if (text_len < TEXT_MAX - 1) text[text_len++] = c;
}
static void put_str(const char *s) {
  while (*s) put_char(*s++);
}
static void put_uint(uint32_t v) {
  char tmp[12];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) put_char(tmp[--n]);
}
static void put_name(uint32_t k) {
  static const char syl[16][3] = {"ka", "lo", "mi", "nu", "pe", "ra", "si", "to",
                                  "ve", "xu", "za", "bo", "ci", "du", "fe", "gi"};
  put_char(k & 1 ? '_' : 'v');
  for (int i = 0; i < 3; i++) { put_str(syl[k & 15]); k >>= 4; }
  put_uint(k);
}
static void gen_expr(int depth) {
  uint32_t r = rt_rand(&seed);
  if (depth <= 0 || r % 5 == 0) {
    if (r & 32) put_uint(r >> 20);
    else put_name((r >> 8) % NNAMES);
    return;
  }
  if (r % 7 == 1) { put_str("-("); gen_expr(depth - 1); put_char(')'); return; }
  if (r % 3 == 0) put_char('(');
  gen_expr(depth - 1);
  static const char ops[] = "+-*/%+-*";
  put_char(' ');
  put_char(ops[(r >> 4) & 7]);
  put_char(' ');
  gen_expr(depth - 1);
  if (r % 3 == 0) put_char(')');
}
static void generate(void) {
  text_len = 0;
  seed = 0xBADC0DEu;
  for (int i = 0; i < NSTMTS; i++) {
    put_name(rt_rand(&seed) % NNAMES);
    put_str(" = ");
    gen_expr(4);
    put_str(";\n");
  }
  text[text_len] = 0;
}

/* ---- evaluation ---- */

typedef struct { uint32_t off, len, hash, val; } sym_t;
static sym_t syms[SYMS];
static const char *cur;

static void skip_ws(void) {
  while (*cur == ' ' || *cur == '\n' || *cur == '\t') cur++;
}
static int is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
static sym_t *lookup(const char *s, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  for (uint32_t i = h & (SYMS - 1);; i = (i + 1) & (SYMS - 1)) {
    sym_t *e = &syms[i];
    if (e->len == 0) {
      e->off = (uint32_t)(s - text); e->len = len; e->hash = h; e->val = h >> 3;
      return e;
    }
    if (e->hash == h && e->len == len && memcmp(text + e->off, s, len) == 0) return e;
  }
}
static uint32_t parse_expr(void);
static uint32_t parse_factor(void) {
  skip_ws();
  char c = *cur;
  if (c == '(') {
    cur++;
    uint32_t v = parse_expr();
    skip_ws();
    if (*cur == ')') cur++;
    return v;
  }
  if (c == '-') { cur++; return 0u - parse_factor(); }
  if (c >= '0' && c <= '9') {
    uint32_t v = 0;
    while (*cur >= '0' && *cur <= '9') v = v * 10 + (uint32_t)(*cur++ - '0');
    return v;
  }
  const char *s = cur;
  while (is_ident(*cur)) cur++;
  if (cur == s) { cur++; return 0; }
  return lookup(s, (uint32_t)(cur - s))->val;
}
static uint32_t parse_term(void) {
  uint32_t v = parse_factor();
  for (;;) {
    skip_ws();
    char op = *cur;
    if (op != '*' && op != '/' && op != '%') return v;
    cur++;
    uint32_t r = parse_factor();
    if (op == '*') v *= r;
    else if (op == '/') v = r ? v / r : v;
    else v = r ? v % r : v;
  }
}
static uint32_t parse_expr(void) {
  uint32_t v = parse_term();
  for (;;) {
    skip_ws();
    char op = *cur;
    if (op != '+' && op != '-') return v;
    cur++;
    uint32_t r = parse_term();
    v = op == '+' ? v + r : v - r;
  }
}
static uint32_t eval_program(void) {
  for (int i = 0; i < SYMS; i++) syms[i].len = 0;
  cur = text;
  uint32_t h = 2166136261u;
  for (;;) {
    skip_ws();
    if (!*cur) break;
    const char *s = cur;
    while (is_ident(*cur)) cur++;
    sym_t *dst = lookup(s, (uint32_t)(cur - s));
    skip_ws();
    if (*cur == '=') cur++;
    dst->val = parse_expr();
    h = rt_mix32(h, dst->val);
    skip_ws();
    if (*cur == ';') cur++;
  }
  return h;
}

uint32_t run(void) {
  generate();
  uint32_t h = rt_mix32(2166136261u, text_len);
  for (int r = 0; r < REPS; r++) {
    h = rt_mix32(h, eval_program());
    text[r * 5 + 1] = (char)('a' + r);   /* perturb: each pass differs */
  }
  return h;
}
