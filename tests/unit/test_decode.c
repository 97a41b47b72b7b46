/* Binary decoder: headers, sections, segments, names, malformed inputs. */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "core/module.h"
#include "util/leb128.h"

#define HDR 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00

static wf_module_t *dec(const uint8_t *b, size_t n, wf_error_t *e) {
  wf_error_clear(e);
  return wf_module_decode(b, n, e);
}

/* Decoding must fail with a message starting with `want`. */
static int fails_with(const uint8_t *b, size_t n, const char *want) {
  wf_error_t e;
  wf_module_t *m = dec(b, n, &e);
  if (m) { wf_module_free(m); fprintf(stderr, "  accepted, wanted '%s'\n", want); return 0; }
  if (strncmp(e.msg, want, strlen(want)) != 0) {
    fprintf(stderr, "  got '%s', wanted '%s'\n", e.msg, want);
    return 0;
  }
  return 1;
}
#define FAILS(arr, want) CHECK(fails_with(arr, sizeof arr, want))

WF_TEST(leb128_readers) {
  const uint8_t a[] = {0xE5, 0x8E, 0x26};
  const uint8_t *p = a;
  uint64_t u;
  CHECK_EQ(wf_leb_read_u(&p, a + 3, 32, &u), WF_LEB_OK);
  CHECK_EQ(u, 624485);
  CHECK(p == a + 3);
  const uint8_t s[] = {0xC0, 0xBB, 0x78};
  int64_t v;
  p = s;
  CHECK_EQ(wf_leb_read_s(&p, s + 3, 32, &v), WF_LEB_OK);
  CHECK_EQ(v, -123456);
  const uint8_t too_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  p = too_long;
  CHECK_EQ(wf_leb_read_u(&p, too_long + 6, 32, &u), WF_LEB_TOO_LONG);
  const uint8_t too_big[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
  p = too_big;
  CHECK_EQ(wf_leb_read_u(&p, too_big + 5, 32, &u), WF_LEB_TOO_LARGE);
  const uint8_t s_ok[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x7F}; /* -1 as s32 */
  p = s_ok;
  CHECK_EQ(wf_leb_read_s(&p, s_ok + 5, 32, &v), WF_LEB_OK);
  CHECK_EQ(v, -1);
  const uint8_t s_bad[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x4F};
  p = s_bad;
  CHECK_EQ(wf_leb_read_s(&p, s_bad + 5, 32, &v), WF_LEB_TOO_LARGE);
  p = a;
  CHECK_EQ(wf_leb_read_u(&p, a + 2, 32, &u), WF_LEB_EOF);
}

WF_TEST(decode_empty_module) {
  const uint8_t b[] = {HDR};
  wf_error_t e;
  wf_module_t *m = dec(b, sizeof b, &e);
  CHECK(m != NULL);
  CHECK_EQ(m->nfuncs, 0);
  CHECK_EQ(m->ntypes, 0);
  CHECK(!m->has_start);
  CHECK(m->func_names == NULL);
  wf_module_free(m);
}

WF_TEST(decode_header_errors) {
  const uint8_t empty[1] = {0};
  CHECK(fails_with(empty, 0, "unexpected end"));
  const uint8_t short_magic[] = {0x00, 0x61, 0x73};
  FAILS(short_magic, "unexpected end");
  const uint8_t bad_magic[] = {0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00};
  FAILS(bad_magic, "magic header not detected");
  const uint8_t bad_version[] = {0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00};
  FAILS(bad_version, "unknown binary version");
  const uint8_t short_version[] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00};
  FAILS(short_version, "unexpected end");
}

WF_TEST(decode_functions_and_code) {
  /* (type (func (param i32) (result i32))) (func (local i64 i64) local.get 0) */
  const uint8_t b[] = {HDR,
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F,
    0x03, 0x02, 0x01, 0x00,
    0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,
    0x0A, 0x08, 0x01, 0x06, 0x01, 0x02, 0x7E, 0x20, 0x00, 0x0B};
  wf_error_t e;
  wf_module_t *m = dec(b, sizeof b, &e);
  CHECK(m != NULL);
  CHECK_EQ(m->ntypes, 1);
  CHECK_EQ(m->types[0].nparams, 1);
  CHECK_EQ(m->types[0].results[0], WF_T_I32);
  CHECK_EQ(m->nfuncs, 1);
  CHECK_EQ(m->func_type[0], 0);
  wf_func_t *f = &m->funcs[0];
  CHECK_EQ(f->nlocals, 2);
  CHECK_EQ(f->local_types[1], WF_T_I64);
  CHECK_EQ(f->code_len, 3);
  CHECK_EQ(f->code[0], 0x20);
  CHECK_EQ(f->code[2], 0x0B);
  CHECK_EQ(f->code_offset, (uint32_t)(sizeof b - 3));
  CHECK_EQ(f->max_stack, 1);
  CHECK_EQ(f->max_depth, 1);
  CHECK_EQ(m->nexports, 1);
  CHECK_EQ(m->exports[0].name_len, 1);
  CHECK_EQ(m->exports[0].name[0], 'f');
  CHECK(m->exports[0].name >= (const char *)m->bytes);
  wf_module_free(m);
}

WF_TEST(decode_imports_and_index_spaces) {
  /* imports: func "m" "f" type 0, table funcref 1, memory 1..2, global mut i64;
   * then one defined global i32 = 7 and one defined memory? no: a 2nd memory
   * is invalid, so a defined table instead. */
  const uint8_t b[] = {HDR,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x02, 0x1E, 0x04,
      0x01, 'm', 0x01, 'f', 0x00, 0x00,
      0x01, 'm', 0x01, 't', 0x01, 0x70, 0x00, 0x01,
      0x01, 'm', 0x01, 'm', 0x02, 0x01, 0x01, 0x02,
      0x01, 'm', 0x01, 'g', 0x03, 0x7E, 0x01,
    0x04, 0x04, 0x01, 0x6F, 0x00, 0x05,
    0x06, 0x06, 0x01, 0x7F, 0x00, 0x41, 0x07, 0x0B};
  wf_error_t e;
  wf_module_t *m = dec(b, sizeof b, &e);
  CHECK(m != NULL);
  CHECK_EQ(m->nimports, 4);
  CHECK_EQ(m->nfuncs, 1);
  CHECK_EQ(m->nfunc_imports, 1);
  CHECK_EQ(m->ntables, 2);
  CHECK_EQ(m->ntable_imports, 1);
  CHECK_EQ(m->tables[1].elem, WF_T_EXTERNREF);
  CHECK_EQ(m->tables[1].lim.min, 5);
  CHECK(!m->tables[1].lim.has_max);
  CHECK_EQ(m->nmems, 1);
  CHECK(m->mems[0].lim.has_max);
  CHECK_EQ(m->mems[0].lim.max, 2);
  CHECK_EQ(m->nglobals, 2);
  CHECK_EQ(m->nglobal_imports, 1);
  CHECK(m->globals[0].type.mut);
  CHECK_EQ(m->globals[1].init.kind, WF_CONST_I32);
  CHECK_EQ(m->globals[1].init.bits, 7);
  CHECK_EQ(m->imports[3].kind, WF_EXTERN_GLOBAL);
  wf_module_free(m);
}

WF_TEST(decode_elem_forms) {
  /* 2 funcs, a funcref table; elem segments:
   *  0: active table 0 offset 1, funcs [1]
   *  1: passive, elemkind, funcs [0 1]
   *  3: declarative, elemkind, funcs [0]
   *  5: passive funcref exprs [ref.null func, ref.func 1]
   *  6: active table 0, offset 0, funcref exprs [ref.func 0] */
  const uint8_t b[] = {HDR,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x03, 0x02, 0x00, 0x00,
    0x04, 0x04, 0x01, 0x70, 0x00, 0x04,
    0x09, 0x23, 0x05,
      0x00, 0x41, 0x01, 0x0B, 0x01, 0x01,
      0x01, 0x00, 0x02, 0x00, 0x01,
      0x03, 0x00, 0x01, 0x00,
      0x05, 0x70, 0x02, 0xD0, 0x70, 0x0B, 0xD2, 0x01, 0x0B,
      0x06, 0x00, 0x41, 0x00, 0x0B, 0x70, 0x01, 0xD2, 0x00, 0x0B,
    0x0A, 0x07, 0x02, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B};
  wf_error_t e;
  wf_module_t *m = dec(b, sizeof b, &e);
  if (!m) fprintf(stderr, "  %s\n", e.msg);
  CHECK(m != NULL);
  CHECK_EQ(m->nelems, 5);
  CHECK_EQ(m->elems[0].mode, WF_SEG_ACTIVE);
  CHECK_EQ(m->elems[0].offset.bits, 1);
  CHECK_EQ(m->elems[0].items[0].kind, WF_CONST_REF_FUNC);
  CHECK_EQ(m->elems[0].items[0].index, 1);
  CHECK_EQ(m->elems[1].mode, WF_SEG_PASSIVE);
  CHECK_EQ(m->elems[1].count, 2);
  CHECK_EQ(m->elems[2].mode, WF_SEG_DECLARATIVE);
  CHECK_EQ(m->elems[3].items[0].kind, WF_CONST_REF_NULL);
  CHECK_EQ(m->elems[3].items[0].reftype, WF_T_FUNCREF);
  CHECK_EQ(m->elems[3].items[1].index, 1);
  CHECK_EQ(m->elems[4].table, 0);
  CHECK_EQ(m->elems[4].items[0].kind, WF_CONST_REF_FUNC);
  wf_module_free(m);
}

WF_TEST(decode_data_forms_and_datacount) {
  const uint8_t b[] = {HDR,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x0C, 0x01, 0x03,
    0x0B, 0x11, 0x03,
      0x00, 0x41, 0x02, 0x0B, 0x02, 'h', 'i',
      0x01, 0x01, 'x',
      0x02, 0x00, 0x41, 0x08, 0x0B, 0x00};
  wf_error_t e;
  wf_module_t *m = dec(b, sizeof b, &e);
  if (!m) fprintf(stderr, "  %s\n", e.msg);
  CHECK(m != NULL);
  CHECK(m->has_datacount);
  CHECK_EQ(m->ndatas, 3);
  CHECK_EQ(m->datas[0].mode, WF_SEG_ACTIVE);
  CHECK_EQ(m->datas[0].offset.bits, 2);
  CHECK_EQ(m->datas[0].len, 2);
  CHECK(memcmp(m->datas[0].bytes, "hi", 2) == 0);
  CHECK_EQ(m->datas[1].mode, WF_SEG_PASSIVE);
  CHECK_EQ(m->datas[1].bytes[0], 'x');
  CHECK_EQ(m->datas[2].offset.bits, 8);
  CHECK_EQ(m->datas[2].len, 0);
  wf_module_free(m);

  uint8_t c[sizeof b];
  memcpy(c, b, sizeof b);
  c[15] = 0x02; /* data count 2, three segments */
  CHECK(fails_with(c, sizeof c, "data count and data section have inconsistent lengths"));
}

WF_TEST(decode_name_section) {
  /* (import "a" "b" (func $imp)) (func $foo) (func $bar) (func) with names */
  const uint8_t b[] = {HDR,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x02, 0x07, 0x01, 0x01, 'a', 0x01, 'b', 0x00, 0x00,
    0x03, 0x04, 0x03, 0x00, 0x00, 0x00,
    0x0A, 0x0A, 0x03, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B,
    0x00, 0x1B, 0x04, 'n', 'a', 'm', 'e',
      0x00, 0x02, 0x01, 'M',                 /* module name subsection */
      0x01, 0x10, 0x03, 0x00, 0x03, 'i', 'm', 'p', 0x01, 0x03, 'f', 'o', 'o',
      0x02, 0x03, 'b', 'a', 'r'};
  wf_error_t e;
  wf_module_t *m = dec(b, sizeof b, &e);
  if (!m) fprintf(stderr, "  %s\n", e.msg);
  CHECK(m != NULL);
  CHECK(m->func_names != NULL);
  CHECK(strcmp(m->func_names[0], "imp") == 0);
  CHECK(strcmp(m->func_names[1], "foo") == 0);
  CHECK(strcmp(m->func_names[2], "bar") == 0);
  CHECK(m->func_names[3] == NULL);
  wf_module_free(m);

  /* A malformed name section (subsection overruns) is ignored. */
  uint8_t c[sizeof b];
  memcpy(c, b, sizeof b);
  c[sizeof b - 17] = 0x40;
  m = dec(c, sizeof c, &e);
  CHECK(m != NULL);
  CHECK(m->func_names == NULL);
  wf_module_free(m);
}

WF_TEST(decode_custom_sections) {
  const uint8_t ok[] = {HDR, 0x00, 0x04, 0x01, 'x', 0xAA, 0xBB,
                        0x01, 0x01, 0x00, 0x00, 0x02, 0x01, 'y'};
  wf_error_t e;
  wf_module_t *m = dec(ok, sizeof ok, &e);
  CHECK(m != NULL);
  wf_module_free(m);
  const uint8_t bad_utf8[] = {HDR, 0x00, 0x03, 0x02, 0xC0, 0x80};
  FAILS(bad_utf8, "malformed UTF-8 encoding");
  const uint8_t too_long[] = {HDR, 0x00, 0x26, 0x01, 'x'};
  FAILS(too_long, "length out of bounds");
  const uint8_t empty[] = {HDR, 0x00, 0x00};
  FAILS(empty, "unexpected end");
}

WF_TEST(decode_section_structure) {
  const uint8_t bad_id[] = {HDR, 0x0E, 0x00};   /* 13 is the tag section */
  FAILS(bad_id, "malformed section id");
  /* the tag section goes between memory (5) and global (6) */
  const uint8_t tag_after_global[] = {HDR, 0x06, 0x01, 0x00, 0x0D, 0x01, 0x00};
  FAILS(tag_after_global, "unexpected content after last section");
  const uint8_t tag_before_memory[] = {HDR, 0x0D, 0x01, 0x00, 0x05, 0x01, 0x00};
  FAILS(tag_before_memory, "unexpected content after last section");
  const uint8_t out_of_order[] = {HDR, 0x03, 0x01, 0x00, 0x01, 0x01, 0x00};
  FAILS(out_of_order, "unexpected content after last section");
  const uint8_t twice[] = {HDR, 0x01, 0x01, 0x00, 0x01, 0x01, 0x00};
  FAILS(twice, "unexpected content after last section");
  const uint8_t size_mismatch[] = {HDR, 0x01, 0x02, 0x00, 0x00};
  FAILS(size_mismatch, "section size mismatch");
  const uint8_t no_code[] = {HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00};
  FAILS(no_code, "function and code section have inconsistent lengths");
  const uint8_t leb_long[] = {HDR, 0x01, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00};
  FAILS(leb_long, "integer representation too long");
  const uint8_t leb_big[] = {HDR, 0x01, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00};
  FAILS(leb_big, "integer too large");
  const uint8_t import_kind[] = {HDR, 0x02, 0x04, 0x01, 0x00, 0x00, 0x05};   /* 4 is a tag */
  FAILS(import_kind, "malformed import kind");
  /* a tag import: attribute 0, then a type without results */
  const uint8_t tag_attr[] = {HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
                              0x02, 0x06, 0x01, 0x00, 0x00, 0x04, 0x01, 0x00};
  FAILS(tag_attr, "malformed tag attribute");
  const uint8_t tag_results[] = {HDR, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,
                                 0x0D, 0x03, 0x01, 0x00, 0x00};
  FAILS(tag_results, "non-empty tag result type");
  const uint8_t tag_type[] = {HDR, 0x0D, 0x03, 0x01, 0x00, 0x00};
  FAILS(tag_type, "unknown type 0");
  const uint8_t tag_export[] = {HDR, 0x07, 0x05, 0x01, 0x01, 't', 0x04, 0x00};
  FAILS(tag_export, "unknown tag 0");
  const uint8_t mut[] = {HDR, 0x06, 0x06, 0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B};
  FAILS(mut, "malformed mutability");
  const uint8_t reftype[] = {HDR, 0x04, 0x04, 0x01, 0x71, 0x00, 0x00};
  FAILS(reftype, "malformed reference type");
}

WF_TEST(decode_hostile_counts) {
  /* Counts far beyond the input must fail cleanly, without huge allocations. */
  const uint8_t types[] = {HDR, 0x01, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  FAILS(types, "too many types");
  const uint8_t funcs[] = {HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
                           0x03, 0x05, 0xC0, 0x84, 0x3D, 0x00, 0x00};  /* 1000000 */
  FAILS(funcs, "unexpected end");
  const uint8_t elems[] = {HDR, 0x09, 0x03, 0xA0, 0x8D, 0x06};             /* 100000 */
  FAILS(elems, "unexpected end");
  const uint8_t data_len[] = {HDR, 0x05, 0x03, 0x01, 0x00, 0x01,
                              0x0B, 0x07, 0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  FAILS(data_len, "unexpected end");
  /* 50001 locals in one function */
  const uint8_t locals[] = {HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                            0x0A, 0x08, 0x01, 0x06, 0x01, 0xD1, 0x86, 0x03, 0x7F, 0x0B};
  FAILS(locals, "too many locals");
}

WF_TEST(decode_rejects_simd) {
  const uint8_t v128_param[] = {HDR, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7B, 0x00};
  wf_error_t e;
  wf_module_t *m = dec(v128_param, sizeof v128_param, &e);
  CHECK(m == NULL);
  CHECK(strstr(e.msg, "SIMD") != NULL);
  const uint8_t fd_op[] = {HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                           0x0A, 0x07, 0x01, 0x05, 0x00, 0xFD, 0x0C, 0x00, 0x0B};
  m = dec(fd_op, sizeof fd_op, &e);
  CHECK(m == NULL);
  CHECK(strstr(e.msg, "SIMD") != NULL);
}

WF_TEST(decode_truncations_never_crash) {
  /* Every prefix of a module with most section kinds must be rejected
   * cleanly (the full module is accepted). */
  const uint8_t b[] = {HDR,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x02, 0x01, 0x00,
    0x04, 0x04, 0x01, 0x70, 0x00, 0x01,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x06, 0x06, 0x01, 0x7F, 0x01, 0x41, 0x00, 0x0B,
    0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,
    0x08, 0x01, 0x00,
    0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,
    0x0C, 0x01, 0x01,
    0x0A, 0x0E, 0x01, 0x0C, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B,
    0x0B, 0x04, 0x01, 0x01, 0x01, 'z'};
  wf_error_t e;
  wf_module_t *m = dec(b, sizeof b, &e);
  if (!m) fprintf(stderr, "  %s\n", e.msg);
  CHECK(m != NULL);
  CHECK(m->has_start);
  CHECK_EQ(m->funcs[0].max_stack, 3);
  wf_module_free(m);
  for (size_t n = 0; n < sizeof b; n++) {
    if (n == 8 || n == 14) continue; /* header, header + types: valid */
    m = dec(b, n, &e);
    if (m) {
      fprintf(stderr, "  prefix %zu accepted\n", n);
      wf_module_free(m);
    }
    CHECK(m == NULL);
    CHECK(e.failed);
  }
}

WF_TEST(decode_total_locals_bounded) {
  /* Bodies of 5 bytes that each declare 50000 locals: the module-wide cap
   * stops the decoder long before it allocates gigabytes. */
  const uint32_t nf = 2000;
  size_t cap = 64 + (size_t)nf * 8;
  uint8_t *b = malloc(cap);
  size_t n = 0;
  const uint8_t head[] = {HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00};
  memcpy(b, head, sizeof head);
  n = sizeof head;
  /* function section: 2000 = 0xD0 0x0F, section size 2 + 2000 */
  b[n++] = 0x03; b[n++] = 0xD2; b[n++] = 0x0F; b[n++] = 0xD0; b[n++] = 0x0F;
  memset(b + n, 0, nf);
  n += nf;
  /* code section: count + nf * (size 6: 01 groups, 50000 = D0 86 03, 7F, 0B) */
  uint32_t csize = 2 + nf * 7;
  b[n++] = 0x0A; b[n++] = 0x80 | (csize & 0x7F); b[n++] = (uint8_t)(csize >> 7);
  b[n++] = 0xD0; b[n++] = 0x0F;
  for (uint32_t i = 0; i < nf; i++) {
    const uint8_t body[] = {0x06, 0x01, 0xD0, 0x86, 0x03, 0x7F, 0x0B};
    memcpy(b + n, body, sizeof body);
    n += sizeof body;
  }
  wf_error_t e;
  wf_module_t *m = dec(b, n, &e);
  free(b);
  CHECK(m == NULL);
  CHECK(strstr(e.msg, "in all functions") != NULL);
}
