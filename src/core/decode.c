/* WebAssembly 2.0 binary decoder: sections into a wf_module_t, with the
 * module-level validation done as each section is read (index spaces, limits,
 * constant expressions, exports, start), then every function body checked by
 * validate.c. Error texts follow the reference interpreter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "par.h"



/* ---- small readers ------------------------------------------------------ */

bool wf_rd_reftype(wf_reader_t *r, uint8_t *out) {
  size_t at = wf_rd_off(r);
  uint8_t b;
  if (!wf_rd_u8(r, &b)) return false;
  if (!wf_is_reftype(b)) return wf_error_at(r->err, at, "malformed reference type");
  *out = b;
  return true;
}

bool wf_rd_valtype(wf_reader_t *r, uint8_t *out) {
  size_t at = wf_rd_off(r);
  uint8_t b;
  if (!wf_rd_u8(r, &b)) return false;
  if (wf_is_numtype(b) || wf_is_reftype(b)) { *out = b; return true; }
  if (b == WF_T_V128) return wf_error_at(r->err, at, "SIMD is not supported (v128 value type)");
  /* The reference interpreter reads any non-number type as a reftype. */
  return wf_error_at(r->err, at, "malformed reference type");
}

/* A vector count. Like the reference interpreter we do not reject a count
 * larger than the input up front (the entries then run into the end of the
 * input, or into a malformed byte first); but allocations are sized by
 * *cap = min(count, what the remaining bytes can hold + 1), given that each
 * entry takes at least `min_each` bytes, so a hostile count costs nothing. */
bool wf_dec_rd_count(wf_reader_t *r, uint32_t *out, size_t min_each, uint32_t *cap) {
  uint32_t n;
  if (!wf_rd_u32(r, &n)) return false;
  size_t most = wf_rd_left(r) / min_each + 1;
  *out = n;
  *cap = (size_t)n < most ? n : (uint32_t)most;
  return true;
}

/* A byte length (of a name, a section, a body): "length out of bounds" when
 * larger than the rest of the input. */
bool wf_dec_rd_len(wf_reader_t *r, uint32_t *out) {
  size_t at = wf_rd_off(r);
  uint32_t n;
  if (!wf_rd_u32(r, &n)) return false;
  if ((uint64_t)n > (uint64_t)wf_rd_left(r)) return wf_error_at(r->err, at, "length out of bounds");
  *out = n;
  return true;
}

static bool utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    i += len;
  }
  return true;
}

static bool rd_name(wf_reader_t *r, const char **s, uint32_t *len) {
  uint32_t n;
  if (!wf_dec_rd_len(r, &n)) return false;
  if (!utf8_valid(r->p, n)) return wf_error_at(r->err, wf_rd_off(r), "malformed UTF-8 encoding");
  *s = (const char *)r->p;
  *len = n;
  r->p += n;
  return true;
}

static bool rd_limits(wf_reader_t *r, wf_limits_t *l) {
  /* The flags are a 1-bit LEB128 number: 0x81 0x00 is "too long". */
  uint64_t flags = 0;
  wf_leb_status_t st = wf_leb_read_u(&r->p, r->end, 1, &flags);
  if (st != WF_LEB_OK) return wf_rd_leb_fail(r, st);
  if (!wf_rd_u32(r, &l->min)) return false;
  l->has_max = flags == 1;
  l->max = 0;
  if (l->has_max && !wf_rd_u32(r, &l->max)) return false;
  return true;
}

static bool rd_tabletype(wf_reader_t *r, wf_tabletype_t *t) {
  size_t at = wf_rd_off(r);
  if (!wf_rd_reftype(r, &t->elem) || !rd_limits(r, &t->lim)) return false;
  if (t->lim.has_max && t->lim.min > t->lim.max)
    return wf_error_at(r->err, at, "size minimum must not be greater than maximum");
  return true;
}

static bool rd_memtype(wf_reader_t *r, wf_memtype_t *t) {
  size_t at = wf_rd_off(r);
  if (!rd_limits(r, &t->lim)) return false;
  if (t->lim.min > WF_MAX_MEM_PAGES || (t->lim.has_max && t->lim.max > WF_MAX_MEM_PAGES))
    return wf_error_at(r->err, at, "memory size must be at most 65536 pages (4GiB)");
  if (t->lim.has_max && t->lim.min > t->lim.max)
    return wf_error_at(r->err, at, "size minimum must not be greater than maximum");
  return true;
}

static bool rd_globaltype(wf_reader_t *r, wf_globaltype_t *g) {
  if (!wf_rd_valtype(r, &g->type)) return false;
  size_t at = wf_rd_off(r);
  uint8_t mut;
  if (!wf_rd_u8(r, &mut)) return false;
  if (mut > 1) return wf_error_at(r->err, at, "malformed mutability");
  g->mut = mut == 1;
  return true;
}

static bool mark_declared(dec_t *d, uint32_t func) {
  if (!d->declared) {
    d->declared_n = d->m->nfuncs;
    d->declared = calloc(d->declared_n ? d->declared_n : 1, 1);
    if (!d->declared) return OOM(d);
  }
  if (func < d->declared_n) d->declared[func] = 1;
  return true;
}

/* A constant expression of type `type`: one constant instruction then end.
 * global.get may only name an imported, immutable global. */
static bool rd_constexpr(dec_t *d, wf_reader_t *r, uint8_t type, wf_constexpr_t *out) {
  wf_module_t *m = d->m;
  size_t start = wf_rd_off(r), nonconst_at = 0;
  uint32_t n = 0;
  uint8_t got = 0;
  bool nonconst = false;
  memset(out, 0, sizeof *out);
  for (;;) {
    size_t at = wf_rd_off(r);
    uint8_t op;
    if (!wf_rd_u8(r, &op)) return false;
    if (op == 0x0B) break;
    wf_constexpr_t c = {0};
    switch (op) {
    case 0x41: {
      int32_t v = 0;
      if (!wf_rd_s32(r, &v)) return false;
      c.kind = WF_CONST_I32; c.bits = (uint32_t)v; got = WF_T_I32;
      break;
    }
    case 0x42: {
      int64_t v = 0;
      if (!wf_rd_s64(r, &v)) return false;
      c.kind = WF_CONST_I64; c.bits = (uint64_t)v; got = WF_T_I64;
      break;
    }
    case 0x43:
      if (!wf_rd_fixed(r, 4, &c.bits)) return false;
      c.kind = WF_CONST_F32; got = WF_T_F32;
      break;
    case 0x44:
      if (!wf_rd_fixed(r, 8, &c.bits)) return false;
      c.kind = WF_CONST_F64; got = WF_T_F64;
      break;
    case 0xD0:
      if (!wf_rd_reftype(r, &c.reftype)) return false;
      c.kind = WF_CONST_REF_NULL; got = c.reftype;
      break;
    case 0xD2:
      if (!wf_rd_u32(r, &c.index)) return false;
      if (c.index >= m->nfuncs) return wf_error_at(d->err, at, "unknown function %u", c.index);
      if (!mark_declared(d, c.index)) return false;
      c.kind = WF_CONST_REF_FUNC; got = WF_T_FUNCREF;
      break;
    case 0x23:
      if (!wf_rd_u32(r, &c.index)) return false;
      if (c.index >= m->nglobal_imports) return wf_error_at(d->err, at, "unknown global %u", c.index);
      if (m->globals[c.index].type.mut && !nonconst) { nonconst = true; nonconst_at = at; }
      c.kind = WF_CONST_GLOBAL_GET; got = m->globals[c.index].type.type;
      break;
    default: {
      int id;
      if (!wf_dec_skip_instr(r, at, op, &id, m->nmems, d->features)) return false;
      if (!nonconst) { nonconst = true; nonconst_at = at; }
      got = 0;
      break;
    }
    }
    if (n++ == 0) *out = c;
  }
  if (nonconst) return wf_error_at(d->err, nonconst_at, "constant expression required");
  if (n != 1 || got != type) return wf_error_at(d->err, start, "type mismatch");
  return true;
}

/* ---- sections ----------------------------------------------------------- */

#define CAP_CHECK(r, i, cap) do { if ((i) >= (cap)) return wf_rd_overrun(r); } while (0)

static bool sec_type(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 3, &cap)) return false;
  if (n > WF_MAX_TYPES) return wf_error_at(d->err, wf_rd_off(r), "too many types");
  m->types = calloc(cap ? cap : 1, sizeof *m->types);
  if (!m->types) return OOM(d);
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    wf_functype_t *ft = &m->types[i];
    size_t at = wf_rd_off(r);
    int64_t form = 0;
    wf_leb_status_t st = wf_leb_read_s(&r->p, r->end, 7, &form);
    if (st != WF_LEB_OK) return wf_rd_leb_fail(r, st);
    if (form != -0x20) return wf_error_at(d->err, at, "malformed function type");
    m->ntypes = i + 1;
    for (int pass = 0; pass < 2; pass++) {
      uint32_t k, kcap;
      if (!wf_dec_rd_count(r, &k, 1, &kcap)) return false;
      if (k > (pass ? WF_MAX_RESULTS : WF_MAX_PARAMS))
        return wf_error_at(d->err, wf_rd_off(r), pass ? "too many results" : "too many parameters");
      uint8_t *v = malloc(kcap ? kcap : 1);
      if (!v) return OOM(d);
      if (pass) { ft->results = v; ft->nresults = k; }
      else { ft->params = v; ft->nparams = k; }
      for (uint32_t j = 0; j < k; j++) {
        CAP_CHECK(r, j, kcap);
        if (!wf_rd_valtype(r, &v[j])) return false;
      }
    }
  }
  return true;
}

static bool grow(dec_t *d, void **arr, uint32_t have, uint32_t add, size_t size);

/* A tag type: attribute 0 (exception), then a function type index whose
 * type has no results. */
static bool rd_tagtype(dec_t *d, wf_reader_t *r, uint32_t *type_idx) {
  size_t at = wf_rd_off(r);
  uint8_t attr;
  if (!wf_rd_u8(r, &attr)) return false;
  if (attr != 0) return wf_error_at(d->err, at, "malformed tag attribute");
  at = wf_rd_off(r);
  if (!wf_rd_u32(r, type_idx)) return false;
  if (*type_idx >= d->m->ntypes) return wf_error_at(d->err, at, "unknown type %u", *type_idx);
  if (d->m->types[*type_idx].nresults != 0)
    return wf_error_at(d->err, at, "non-empty tag result type");
  return true;
}

static bool sec_tag(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 2, &cap)) return false;
  if (n > WF_MAX_TAGS || m->ntags + n > WF_MAX_TAGS)
    return wf_error_at(d->err, wf_rd_off(r), "too many tags (limit %u)", WF_MAX_TAGS);
  if (!grow(d, (void **)&m->tag_type, m->ntags, cap, sizeof *m->tag_type)) return false;
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    if (!rd_tagtype(d, r, &m->tag_type[m->ntags])) return false;
    m->ntags++;
  }
  return true;
}

static bool sec_import(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 4, &cap)) return false;
  if (n > WF_MAX_IMPORTS) return wf_error_at(d->err, wf_rd_off(r), "too many imports");
  m->imports = calloc(cap ? cap : 1, sizeof *m->imports);
  if (!m->imports) return OOM(d);
  uint32_t nf = 0, nt = 0, nm = 0, ng = 0, ntg = 0;
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    wf_import_t *im = &m->imports[i];
    if (!rd_name(r, &im->module, &im->module_len) || !rd_name(r, &im->name, &im->name_len))
      return false;
    size_t at = wf_rd_off(r);
    uint8_t kind;
    if (!wf_rd_u8(r, &kind)) return false;
    im->kind = kind;
    switch (kind) {
    case WF_EXTERN_FUNC:
      if (!wf_rd_u32(r, &im->u.type_idx)) return false;
      if (im->u.type_idx >= m->ntypes)
        return wf_error_at(d->err, at, "unknown type %u", im->u.type_idx);
      nf++;
      break;
    case WF_EXTERN_TABLE:
      if (!rd_tabletype(r, &im->u.table)) return false;
      nt++;
      break;
    case WF_EXTERN_MEMORY:
      if (!rd_memtype(r, &im->u.mem)) return false;
      nm++;
      break;
    case WF_EXTERN_GLOBAL:
      if (!rd_globaltype(r, &im->u.global)) return false;
      ng++;
      break;
    case WF_EXTERN_TAG:
      if (!rd_tagtype(d, r, &im->u.type_idx)) return false;
      ntg++;
      break;
    default:
      return wf_error_at(d->err, at, "malformed import kind");
    }
    if (nm > WF_MAX_MEMORIES) return wf_error_at(d->err, at, "too many memories (limit %u)", WF_MAX_MEMORIES);
    m->nimports = i + 1;
  }
  m->func_type = calloc(nf ? nf : 1, sizeof *m->func_type);
  m->tables = calloc(nt ? nt : 1, sizeof *m->tables);
  m->mems = calloc(nm ? nm : 1, sizeof *m->mems);
  m->globals = calloc(ng ? ng : 1, sizeof *m->globals);
  m->tag_type = calloc(ntg ? ntg : 1, sizeof *m->tag_type);
  if (!m->func_type || !m->tables || !m->mems || !m->globals || !m->tag_type) return OOM(d);
  for (uint32_t i = 0; i < n; i++) {
    wf_import_t *im = &m->imports[i];
    switch (im->kind) {
    case WF_EXTERN_FUNC: m->func_type[m->nfuncs++] = im->u.type_idx; break;
    case WF_EXTERN_TABLE: m->tables[m->ntables++] = im->u.table; break;
    case WF_EXTERN_MEMORY: m->mems[m->nmems++] = im->u.mem; break;
    case WF_EXTERN_TAG: m->tag_type[m->ntags++] = im->u.type_idx; break;
    default: m->globals[m->nglobals++].type = im->u.global; break;
    }
  }
  m->ntag_imports = m->ntags;
  m->nfunc_imports = m->nfuncs;
  m->ntable_imports = m->ntables;
  m->nmem_imports = m->nmems;
  m->nglobal_imports = m->nglobals;
  return true;
}

/* Grow an index-space array from `have` to `have + add` entries. */
static bool grow(dec_t *d, void **arr, uint32_t have, uint32_t add, size_t size) {
  size_t n = (size_t)have + add;
  void *p = realloc(*arr, (n ? n : 1) * size);
  if (!p) return OOM(d);
  memset((char *)p + (size_t)have * size, 0, (size_t)add * size);
  *arr = p;
  return true;
}

static bool sec_function(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 1, &cap)) return false;
  if (n > WF_MAX_FUNCS || m->nfuncs + n > WF_MAX_FUNCS)
    return wf_error_at(d->err, wf_rd_off(r), "too many functions");
  if (!grow(d, (void **)&m->func_type, m->nfuncs, cap, sizeof *m->func_type)) return false;
  m->funcs = calloc(cap ? cap : 1, sizeof *m->funcs);
  if (!m->funcs) return OOM(d);
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    size_t at = wf_rd_off(r);
    uint32_t t;
    if (!wf_rd_u32(r, &t)) return false;
    if (t >= m->ntypes) return wf_error_at(d->err, at, "unknown type %u", t);
    m->funcs[i].type_idx = t;
    m->func_type[m->nfuncs + i] = t;
  }
  m->nfuncs += n;
  d->nfunc_defs = n;
  return true;
}

static bool sec_table(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 3, &cap)) return false;
  if (n > WF_MAX_TABLES || m->ntables + n > WF_MAX_TABLES)
    return wf_error_at(d->err, wf_rd_off(r), "too many tables");
  if (!grow(d, (void **)&m->tables, m->ntables, cap, sizeof *m->tables)) return false;
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    if (!rd_tabletype(r, &m->tables[m->ntables])) return false;
    m->ntables++;
  }
  return true;
}

static bool sec_memory(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 2, &cap)) return false;
  if (n > WF_MAX_MEMORIES || m->nmems + n > WF_MAX_MEMORIES)
    return wf_error_at(d->err, wf_rd_off(r), "too many memories (limit %u)", WF_MAX_MEMORIES);
  if (!grow(d, (void **)&m->mems, m->nmems, cap, sizeof *m->mems)) return false;
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    if (!rd_memtype(r, &m->mems[m->nmems])) return false;
    m->nmems++;
  }
  return true;
}

static bool sec_global(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 3, &cap)) return false;
  if (n > WF_MAX_GLOBALS || m->nglobals + n > WF_MAX_GLOBALS)
    return wf_error_at(d->err, wf_rd_off(r), "too many globals");
  if (!grow(d, (void **)&m->globals, m->nglobals, cap, sizeof *m->globals)) return false;
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    wf_global_t *g = &m->globals[m->nglobals];
    if (!rd_globaltype(r, &g->type) || !rd_constexpr(d, r, g->type.type, &g->init)) return false;
    m->nglobals++;
  }
  return true;
}

typedef struct { const char *s; uint32_t len; } namekey_t;

static int namekey_cmp(const void *a, const void *b) {
  const namekey_t *x = a, *y = b;
  if (x->len != y->len) return x->len < y->len ? -1 : 1;
  return memcmp(x->s, y->s, x->len);
}

static bool sec_export(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 3, &cap)) return false;
  if (n > WF_MAX_EXPORTS) return wf_error_at(d->err, wf_rd_off(r), "too many exports");
  m->exports = calloc(cap ? cap : 1, sizeof *m->exports);
  if (!m->exports) return OOM(d);
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    wf_export_t *ex = &m->exports[i];
    if (!rd_name(r, &ex->name, &ex->name_len)) return false;
    size_t at = wf_rd_off(r);
    uint8_t kind;
    if (!wf_rd_u8(r, &kind)) return false;
    if (kind > WF_EXTERN_TAG) return wf_error_at(d->err, at, "malformed export kind");
    ex->kind = kind;
    if (!wf_rd_u32(r, &ex->index)) return false;
    m->nexports = i + 1;
    switch (kind) {
    case WF_EXTERN_FUNC:
      if (ex->index >= m->nfuncs) return wf_error_at(d->err, at, "unknown function %u", ex->index);
      if (!mark_declared(d, ex->index)) return false;
      break;
    case WF_EXTERN_TABLE:
      if (ex->index >= m->ntables) return wf_error_at(d->err, at, "unknown table %u", ex->index);
      break;
    case WF_EXTERN_MEMORY:
      if (ex->index >= m->nmems) return wf_error_at(d->err, at, "unknown memory %u", ex->index);
      break;
    case WF_EXTERN_TAG:
      if (ex->index >= m->ntags) return wf_error_at(d->err, at, "unknown tag %u", ex->index);
      break;
    default:
      if (ex->index >= m->nglobals) return wf_error_at(d->err, at, "unknown global %u", ex->index);
      break;
    }
  }
  if (n > 1) {
    namekey_t *keys = malloc((size_t)n * sizeof *keys);
    if (!keys) return OOM(d);
    for (uint32_t i = 0; i < n; i++) keys[i] = (namekey_t){m->exports[i].name, m->exports[i].name_len};
    qsort(keys, n, sizeof *keys, namekey_cmp);
    bool dup = false;
    for (uint32_t i = 1; i < n && !dup; i++) dup = namekey_cmp(&keys[i - 1], &keys[i]) == 0;
    free(keys);
    if (dup) return wf_error_at(d->err, wf_rd_off(r), "duplicate export name");
  }
  return true;
}

static bool sec_start(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  size_t at = wf_rd_off(r);
  if (!wf_rd_u32(r, &m->start)) return false;
  if (m->start >= m->nfuncs) return wf_error_at(d->err, at, "unknown function %u", m->start);
  const wf_functype_t *ft = wf_module_functype(m, m->start);
  if (ft->nparams || ft->nresults) return wf_error_at(d->err, at, "start function");
  m->has_start = true;
  return true;
}

static bool sec_elem(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 3, &cap)) return false;
  if (n > WF_MAX_SEGMENTS) return wf_error_at(d->err, wf_rd_off(r), "too many segments");
  m->elems = calloc(cap ? cap : 1, sizeof *m->elems);
  if (!m->elems) return OOM(d);
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    wf_elem_t *e = &m->elems[i];
    m->nelems = i + 1;
    size_t at = wf_rd_off(r);
    uint32_t flags;
    if (!wf_rd_u32(r, &flags)) return false;
    if (flags > 7) return wf_error_at(d->err, at, "malformed elements segment kind");
    bool exprs = flags & 4;
    e->reftype = WF_T_FUNCREF;
    if (flags & 1) {
      e->mode = (flags & 2) ? WF_SEG_DECLARATIVE : WF_SEG_PASSIVE;
    } else {
      e->mode = WF_SEG_ACTIVE;
      size_t tat = wf_rd_off(r);
      if ((flags & 2) && !wf_rd_u32(r, &e->table)) return false;
      if (e->table >= m->ntables) return wf_error_at(d->err, tat, "unknown table %u", e->table);
      if (!rd_constexpr(d, r, WF_T_I32, &e->offset)) return false;
    }
    if (flags & 3) {
      if (exprs) {
        if (!wf_rd_reftype(r, &e->reftype)) return false;
      } else {
        size_t kat = wf_rd_off(r);
        uint8_t kind;
        if (!wf_rd_u8(r, &kind)) return false;
        if (kind != 0) return wf_error_at(d->err, kat, "malformed element kind");
      }
    }
    uint32_t k, kcap;
    if (!wf_dec_rd_count(r, &k, 1, &kcap)) return false;
    e->items = calloc(kcap ? kcap : 1, sizeof *e->items);
    if (!e->items) return OOM(d);
    for (uint32_t j = 0; j < k; j++) {
      CAP_CHECK(r, j, kcap);
      wf_constexpr_t *c = &e->items[j];
      if (exprs) {
        if (!rd_constexpr(d, r, e->reftype, c)) return false;
      } else {
        size_t fat = wf_rd_off(r);
        if (!wf_rd_u32(r, &c->index)) return false;
        if (c->index >= m->nfuncs) return wf_error_at(d->err, fat, "unknown function %u", c->index);
        if (!mark_declared(d, c->index)) return false;
        c->kind = WF_CONST_REF_FUNC;
      }
      e->count = j + 1;
    }
    if (e->mode == WF_SEG_ACTIVE && m->tables[e->table].elem != e->reftype)
      return wf_error_at(d->err, at, "type mismatch");
  }
  return true;
}

static bool sec_datacount(dec_t *d, wf_reader_t *r) {
  if (!wf_rd_u32(r, &d->datacount)) return false;
  d->m->has_datacount = true;
  return true;
}

static bool sec_data(dec_t *d, wf_reader_t *r) {
  wf_module_t *m = d->m;
  size_t at = wf_rd_off(r);
  uint32_t n, cap;
  if (!wf_dec_rd_count(r, &n, 2, &cap)) return false;
  if (m->has_datacount && n != d->datacount)
    return wf_error_at(d->err, at, "data count and data section have inconsistent lengths");
  if (n > WF_MAX_SEGMENTS) return wf_error_at(d->err, wf_rd_off(r), "too many segments");
  d->have_data = true;
  m->datas = calloc(cap ? cap : 1, sizeof *m->datas);
  if (!m->datas) return OOM(d);
  for (uint32_t i = 0; i < n; i++) {
    CAP_CHECK(r, i, cap);
    wf_data_t *ds = &m->datas[i];
    m->ndatas = i + 1;
    size_t kat = wf_rd_off(r);
    uint32_t flags;
    if (!wf_rd_u32(r, &flags)) return false;
    if (flags > 2) return wf_error_at(d->err, kat, "malformed data segment kind");
    if (flags == 1) {
      ds->mode = WF_SEG_PASSIVE;
    } else {
      ds->mode = WF_SEG_ACTIVE;
      size_t mat = wf_rd_off(r);
      if (flags == 2 && !wf_rd_u32(r, &ds->mem)) return false;
      if (ds->mem >= m->nmems) return wf_error_at(d->err, mat, "unknown memory %u", ds->mem);
      if (!rd_constexpr(d, r, WF_T_I32, &ds->offset)) return false;
    }
    uint32_t len;
    if (!wf_rd_u32(r, &len)) return false;
    if (len > wf_rd_left(r)) { r->p = r->end; return wf_rd_overrun(r); }
    ds->bytes = r->p;
    ds->len = len;
    r->p += len;
  }
  return true;
}

static bool sec_custom(dec_t *d, wf_reader_t *r, const uint8_t *sec_end) {
  const char *name;
  uint32_t len;
  if (!rd_name(r, &name, &len)) return false;
  if (r->p > sec_end) return wf_rd_overrun(r);
  if (len == 4 && memcmp(name, "name", 4) == 0 && !d->names) {
    d->names = r->p;
    d->names_len = (size_t)(sec_end - r->p);
  }
  r->p = sec_end;
  return true;
}

/* The "name" section's function names; any malformation drops them all. */
static void parse_names(dec_t *d) {
  wf_module_t *m = d->m;
  if (!d->names || m->nfuncs == 0) return;
  wf_error_t ignore = {0};
  wf_reader_t r = {d->base, d->names, d->names + d->names_len, d->names + d->names_len, &ignore};
  char **names = NULL;
  while (r.p < r.end) {
    uint8_t id;
    uint32_t size;
    if (!wf_rd_u8(&r, &id) || !wf_dec_rd_len(&r, &size)) goto bad;
    wf_reader_t s = r;
    s.end = s.file_end = r.p + size;
    r.p += size;
    if (id != 1) continue;
    uint32_t n, cap;
    if (names || !wf_dec_rd_count(&s, &n, 2, &cap)) goto bad;
    names = calloc(m->nfuncs, sizeof *names);
    if (!names) goto bad;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t idx, len;
      const char *str;
      if (!wf_rd_u32(&s, &idx) || !rd_name(&s, &str, &len)) goto bad;
      if (idx >= m->nfuncs || names[idx]) continue;
      names[idx] = malloc((size_t)len + 1);
      if (!names[idx]) goto bad;
      memcpy(names[idx], str, len);
      names[idx][len] = 0;
    }
    if (s.p != s.end) goto bad;
  }
  m->func_names = names;
  return;
bad:
  if (names)
    for (uint32_t i = 0; i < m->nfuncs; i++) free(names[i]);
  free(names);
}

/* Section id -> position in the required order (custom sections aside). */
/* The tag section (13, exception handling) sits between memory and global. */
static const uint8_t section_order[14] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};

static bool decode_sections(dec_t *d) {
  wf_module_t *m = d->m;
  wf_reader_t r = {d->base, d->base, d->file_end, d->file_end, d->err};
  if (m->len < 4) return wf_error_at(d->err, m->len, "unexpected end");
  if (memcmp(m->bytes, "\0asm", 4) != 0) return wf_error_at(d->err, 0, "magic header not detected");
  if (m->len < 8) return wf_error_at(d->err, m->len, "unexpected end");
  if (memcmp(m->bytes + 4, "\1\0\0\0", 4) != 0) return wf_error_at(d->err, 4, "unknown binary version");
  r.p += 8;
  unsigned last = 0;
  while (r.p < r.end) {
    size_t at = wf_rd_off(&r);
    uint8_t id = *r.p;
    if (id > 13) return wf_error_at(d->err, at, "malformed section id");
    if (id != 0 && section_order[id] <= last)
      return wf_error_at(d->err, at, "unexpected content after last section");
    r.p++;
    uint32_t size;
    if (!wf_dec_rd_len(&r, &size)) return false;
    /* Like the reference interpreter, entries are read from the whole
     * input; the section's size is checked afterwards. */
    wf_reader_t s = r;
    const uint8_t *sec_end = r.p + size;
    bool ok;
    switch (id) {
    case 0: ok = sec_custom(d, &s, sec_end); break;
    case 1: ok = sec_type(d, &s); break;
    case 2: ok = sec_import(d, &s); break;
    case 3: ok = sec_function(d, &s); break;
    case 4: ok = sec_table(d, &s); break;
    case 5: ok = sec_memory(d, &s); break;
    case 6: ok = sec_global(d, &s); break;
    case 7: ok = sec_export(d, &s); break;
    case 8: ok = sec_start(d, &s); break;
    case 9: ok = sec_elem(d, &s); break;
    case 10: ok = wf_dec_sec_code(d, &s); break;
    case 11: ok = sec_data(d, &s); break;
    case 13: ok = sec_tag(d, &s); break;
    default: ok = sec_datacount(d, &s); break;
    }
    if (!ok) return false;
    if (s.p != sec_end) return wf_error_at(d->err, wf_rd_off(&s), "section size mismatch");
    r.p = sec_end;
    if (id != 0) last = section_order[id];
  }
  if (d->nfunc_defs != d->ncode)
    return wf_error_at(d->err, m->len, "function and code section have inconsistent lengths");
  if (m->has_datacount && !d->have_data && d->datacount != 0)
    return wf_error_at(d->err, m->len, "data count and data section have inconsistent lengths");
  return true;
}

/* Index spaces must exist even for a module without those sections. */
static bool ensure_arrays(dec_t *d) {
  wf_module_t *m = d->m;
  if (!m->types) m->types = calloc(1, sizeof *m->types);
  if (!m->imports) m->imports = calloc(1, sizeof *m->imports);
  if (!m->func_type) m->func_type = calloc(1, sizeof *m->func_type);
  if (!m->funcs) m->funcs = calloc(1, sizeof *m->funcs);
  if (!m->tables) m->tables = calloc(1, sizeof *m->tables);
  if (!m->mems) m->mems = calloc(1, sizeof *m->mems);
  if (!m->globals) m->globals = calloc(1, sizeof *m->globals);
  if (!m->exports) m->exports = calloc(1, sizeof *m->exports);
  if (!m->elems) m->elems = calloc(1, sizeof *m->elems);
  if (!m->datas) m->datas = calloc(1, sizeof *m->datas);
  if (!m->tag_type) m->tag_type = calloc(1, sizeof *m->tag_type);
  if (!m->types || !m->imports || !m->func_type || !m->funcs || !m->tables || !m->mems ||
      !m->globals || !m->exports || !m->elems || !m->datas || !m->tag_type)
    return OOM(d);
  return true;
}

wf_module_t *wf_module_decode(const uint8_t *bytes, size_t len, wf_error_t *err) {
  return wf_module_decode_ex(bytes, len, 0, err);
}

/* Validation of one defined function (par.c: on several threads for a
 * large module; each function's checks read the module and write only its
 * own wf_func_t). */
typedef struct {
  const wf_module_t *m;
  const wf_valctx_t *vc;
} valjob_t;

static bool validate_one(void *ctx, uint32_t i, wf_error_t *err) {
  const valjob_t *j = ctx;
  return wf_validate_func(j->m, j->vc, &j->m->funcs[i], err);
}

wf_module_t *wf_module_decode_ex(const uint8_t *bytes, size_t len, uint32_t features,
                                 wf_error_t *err) {
  wf_error_t local_err = {0};
  if (!err) err = &local_err;
  if (len > UINT32_MAX) { wf_error_set(err, "module too large"); return NULL; }
  wf_module_t *m = calloc(1, sizeof *m);
  if (!m) { wf_error_set(err, "out of memory"); return NULL; }
  if (features & WF_FEATURE_BORROW_BYTES) {
    m->bytes = bytes;
    m->bytes_borrowed = true;
  } else {
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) { free(m); wf_error_set(err, "out of memory"); return NULL; }
    if (len) memcpy(copy, bytes, len);
    m->bytes = copy;
  }
  m->len = len;
  dec_t d = {.m = m, .err = err, .base = m->bytes, .file_end = m->bytes + len, .features = features};
  d.nest = malloc(WF_MAX_NESTING + 1);
  bool ok = d.nest ? true : wf_error_set(err, "out of memory");
  ok = ok && decode_sections(&d) && ensure_arrays(&d);
  if (ok && m->nmems > 1 && !(features & WF_FEATURE_MULTI_MEMORY))
    ok = wf_error_set(err, "multiple memories");
  if (ok) {
    wf_valctx_t vc = {d.declared, d.datacount, features};
    if (d.declared_n < m->nfuncs) vc.declared = NULL;
    valjob_t j = {m, &vc};
    uint64_t work = 0;
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) work += m->funcs[i].code_len;
    ok = wf_par_for(m->nfuncs - m->nfunc_imports, work, validate_one, &j, err);
  }
  if (ok) parse_names(&d);
  if (ok) {
    size_t nd = m->nfuncs - m->nfunc_imports;
    m->code_tmpls = malloc((nd ? nd : 1) * sizeof *m->code_tmpls);
    if (!m->code_tmpls) ok = wf_error_set(err, "out of memory");
    for (size_t i = 0; ok && i < nd; i++) atomic_init(&m->code_tmpls[i], NULL);
  }
  free(d.declared);
  free(d.nest);
  if (!ok) {
    if (!err->failed) wf_error_set(err, "invalid module");
    wf_module_free(m);
    return NULL;
  }
  return m;
}

void wf_module_free(wf_module_t *m) {
  if (!m) return;
  for (uint32_t i = 0; i < m->ntypes; i++) {
    free(m->types[i].params);
    free(m->types[i].results);
  }
  free(m->types);
  free(m->imports);
  free(m->func_type);
  if (m->funcs)
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) free(m->funcs[i].local_types);
  free(m->funcs);
  free(m->tables);
  free(m->mems);
  free(m->globals);
  free(m->tag_type);
  free(m->exports);
  if (m->elems)
    for (uint32_t i = 0; i < m->nelems; i++) free(m->elems[i].items);
  free(m->elems);
  free(m->datas);
  if (m->func_names)
    for (uint32_t i = 0; i < m->nfuncs; i++) free(m->func_names[i]);
  free(m->func_names);
  if (m->code_tmpls)
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
      free(atomic_load_explicit(&m->code_tmpls[i], memory_order_acquire));
  free((void *)m->code_tmpls);
  wf_memimage_release(m);
  if (!m->bytes_borrowed) free((void *)m->bytes);
  free(m);
}
