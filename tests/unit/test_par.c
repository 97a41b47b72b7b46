/* Checking bodies on several threads (par.c, decode.c): the error reported
 * is the one a one-by-one pass gives -- the lowest-numbered failing item's
 * -- however the threads interleave. Modules here are large enough (over
 * WF_PAR_MIN_WORK bytes of code) to take the threaded path on a machine
 * with more than one core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/module.h"
#include "core/par.h"
#include "test.h"
#include "wasm_buf.h"

/* ---- wf_par_for itself ---- */

typedef struct {
  uint32_t bad[3];
} bad_t;

/* bad[1] is the lowest failing item and is slow to fail, so that with two
 * threads or more a higher one fails first: the report must still be
 * bad[1]'s. */
static bool item(void *ctx, uint32_t i, wf_error_t *err) {
  const bad_t *b = ctx;
  if (i == b->bad[1]) usleep(20000);
  for (int k = 0; k < 3; k++)
    if (i == b->bad[k]) return wf_error_at(err, i, "item %u failed", i);
  return true;
}

WF_TEST(par_for_reports_lowest_failure) {
  for (int round = 0; round < 10; round++) {
    bad_t b = {{999, 517 + (uint32_t)round, 900}};
    wf_error_t e = {0};
    CHECK(!wf_par_for(1000, WF_PAR_MIN_WORK, item, &b, &e));
    char want[64];
    snprintf(want, sizeof want, "item %u failed", 517 + round);
    CHECK(e.failed && strcmp(e.msg, want) == 0);
    CHECK_EQ(e.offset, 517 + round);
  }
  bad_t none = {{5000, 5000, 5000}};
  wf_error_t e = {0};
  CHECK(wf_par_for(1000, WF_PAR_MIN_WORK, item, &none, &e));
  CHECK(!e.failed);
  /* little work: one by one, same answer */
  bad_t b = {{10, 3, 7}};
  CHECK(!wf_par_for(20, 1, item, &b, &e));
  CHECK(strcmp(e.msg, "item 3 failed") == 0);
}

/* ---- a large module ---- */

enum { NFUNCS = 120, BODY_NOPS = 4000 };   /* ~480 KB of code */

typedef struct {
  buf_t b;
  size_t body_at[NFUNCS];   /* offset of each body's first instruction */
} mod_t;

/* NFUNCS functions of type [] -> [], each BODY_NOPS nops and end; in body
 * `bad_syntax` an illegal opcode (0xFF) at its middle, in body `bad_type`
 * an i32.add on an empty stack (a validation error) at its middle. -1: none. */
static mod_t build(int bad_syntax1, int bad_syntax2, int bad_type1, int bad_type2) {
  mod_t m = {0};
  const uint8_t hdr[] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  put(&m.b, hdr, sizeof hdr);
  const uint8_t types[] = {0x01, 0x04, 0x01, 0x60, 0x00, 0x00};
  put(&m.b, types, sizeof types);
  byte(&m.b, 0x03);   /* function section */
  uleb(&m.b, 1 + NFUNCS);   /* count (1 byte: NFUNCS < 128) + NFUNCS type indices */
  uleb(&m.b, NFUNCS);
  for (int i = 0; i < NFUNCS; i++) byte(&m.b, 0x00);
  byte(&m.b, 0x0A);   /* code section */
  uint32_t body = 1 + BODY_NOPS + 1;   /* no locals, nops, end */
  uint32_t bodylen = 3 + body;         /* size as a 3-byte LEB */
  uleb(&m.b, 1 + (uint32_t)NFUNCS * bodylen);
  uleb(&m.b, NFUNCS);
  for (int i = 0; i < NFUNCS; i++) {
    byte(&m.b, (uint8_t)(0x80 | (body & 0x7f)));
    byte(&m.b, (uint8_t)(0x80 | ((body >> 7) & 0x7f)));
    byte(&m.b, (uint8_t)(body >> 14));
    byte(&m.b, 0x00);   /* no locals */
    m.body_at[i] = m.b.n;
    for (int k = 0; k < BODY_NOPS; k++) {
      uint8_t op = 0x01;   /* nop */
      if (k == BODY_NOPS / 2 && (i == bad_syntax1 || i == bad_syntax2)) op = 0xFF;
      if (k == BODY_NOPS / 2 && (i == bad_type1 || i == bad_type2)) op = 0x6A;   /* i32.add */
      byte(&m.b, op);
    }
    byte(&m.b, 0x0B);
  }
  return m;
}

static int decode_fails_at(const mod_t *m, const char *want, size_t off) {
  wf_error_t e = {0};
  wf_module_t *mod = wf_module_decode(m->b.p, m->b.n, &e);
  if (mod) {
    wf_module_free(mod);
    fprintf(stderr, "  accepted, wanted '%s'\n", want);
    return 0;
  }
  if (!strstr(e.msg, want) || !e.has_offset || e.offset != off) {
    fprintf(stderr, "  got '%s' at %zu, wanted '%s' at %zu\n", e.msg, e.offset, want, off);
    return 0;
  }
  return 1;
}

WF_TEST(par_decode_large_module_ok) {
  mod_t m = build(-1, -1, -1, -1);
  wf_error_t e = {0};
  wf_module_t *mod = wf_module_decode(m.b.p, m.b.n, &e);
  CHECK(mod);
  CHECK_EQ(mod->nfuncs, NFUNCS);
  CHECK_EQ(mod->funcs[NFUNCS - 1].code_len, BODY_NOPS + 1);
  wf_module_free(mod);
  free(m.b.p);
}

WF_TEST(par_decode_first_syntax_error_wins) {
  for (int round = 0; round < 10; round++) {
    int first = 40 + round, second = 100 - round;
    mod_t m = build(second, first, -1, -1);
    int ok = decode_fails_at(&m, "illegal opcode ff", m.body_at[first] + BODY_NOPS / 2);
    free(m.b.p);
    CHECK(ok);
  }
}

WF_TEST(par_validate_first_type_error_wins) {
  for (int round = 0; round < 10; round++) {
    int first = 20 + round, second = 110 - round;
    mod_t m = build(-1, -1, second, first);
    int ok = decode_fails_at(&m, "type mismatch", m.body_at[first] + BODY_NOPS / 2);
    free(m.b.p);
    CHECK(ok);
  }
}

/* A syntax error anywhere is reported before any validation error, as a
 * decoder that checks all syntax first does. */
WF_TEST(par_syntax_error_before_validation_error) {
  mod_t m = build(90, -1, 10, -1);
  int ok = decode_fails_at(&m, "illegal opcode ff", m.body_at[90] + BODY_NOPS / 2);
  free(m.b.p);
  CHECK(ok);
}
