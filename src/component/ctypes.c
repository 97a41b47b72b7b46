/* The component type table: construction, resource substitution, subtyping,
 * and the Canonical ABI facts validation needs (flattening, element size). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinternal.h"

static const char *const kind_names[WF_CT_KIND_COUNT] = {
  "none", "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64",
  "f32", "f64", "char", "string", "error-context", "record", "variant", "list", "tuple",
  "flags", "enum", "option", "result", "own", "borrow", "fixed-length list", "map",
  "stream", "future", "func", "component",
  "instance", "resource", "core func", "module", "core instance", "table",
  "memory", "global", "tag",
};

const char *wf_ctkind_name(unsigned k) { return k < WF_CT_KIND_COUNT ? kind_names[k] : "?"; }

bool wf_ctypes_init(wf_ctypes_t *ts) {
  memset(ts, 0, sizeof(*ts));
  ts->cap = 64;
  ts->v = calloc(ts->cap, sizeof(wf_ctype_t));
  if (!ts->v) return false;
  ts->n = 1; /* id 0 = none */
  for (unsigned k = WF_CT_BOOL; k <= WF_CT_ERROR_CONTEXT; k++) {
    ts->v[ts->n].kind = (uint8_t)k;
    ts->v[ts->n].named = true;
    ts->v[ts->n].depth = 1;
    ts->v[ts->n].size = 1;
    ts->n++;
  }
  ts->next_rid = 1;
  return true;
}

void wf_ctypes_fini(wf_ctypes_t *ts) {
  free(ts->v);
  memset(ts, 0, sizeof(*ts));
}

wf_ctid_t wf_ctype_new(wf_ctypes_t *ts, uint8_t kind) {
  if (ts->n >= WF_CMAX_TYPES) return WF_CTID_NONE;
  if (ts->n == ts->cap) {
    uint32_t nc = ts->cap * 2;
    wf_ctype_t *v = realloc(ts->v, (size_t)nc * sizeof(wf_ctype_t));
    if (!v) return WF_CTID_NONE;
    ts->v = v;
    ts->cap = nc;
  }
  wf_ctid_t id = ts->n++;
  memset(&ts->v[id], 0, sizeof(wf_ctype_t));
  ts->v[id].kind = kind;
  ts->v[id].depth = 1;
  ts->v[id].size = 1;
  return id;
}

wf_ctid_t wf_ctype_named_copy(wf_ctypes_t *ts, wf_ctid_t id) {
  if (WF_CT_IS_PRIM(ts->v[id].kind)) return id;
  wf_ctid_t c = wf_ctype_new(ts, 0);
  if (c == WF_CTID_NONE) return c;
  ts->v[c] = ts->v[id];
  ts->v[c].named = true;
  ts->v[c].orig = ts->v[id].orig ? ts->v[id].orig : id;
  return c;
}

/* ---- Structural predicates ----------------------------------------------- */

/* Every walk step counts against the work budget; past it, walks stop early
 * (the decoder then fails the component). */
#define WORK(ts) ((ts)->limit_work && ++((wf_ctypes_t *)(ts))->work > WF_CMAX_WORK)

static bool any_field(const wf_ctypes_t *ts, const wf_ctype_t *t, uint32_t depth,
                      bool (*f)(const wf_ctypes_t *, wf_ctid_t, uint32_t)) {
  if (WORK(ts)) return false;
  for (uint32_t i = 0; i < t->n; i++)
    if (t->fields[i].type && f(ts, t->fields[i].type, depth + 1)) return true;
  if (t->t1 && f(ts, t->t1, depth + 1)) return true;
  if (t->t2 && f(ts, t->t2, depth + 1)) return true;
  for (uint32_t i = 0; i < t->nimports; i++)
    if (f(ts, t->imports[i].type, depth + 1)) return true;
  for (uint32_t i = 0; i < t->nexports; i++)
    if (f(ts, t->exports[i].type, depth + 1)) return true;
  return false;
}

bool wf_ctype_has_borrow(const wf_ctypes_t *ts, wf_ctid_t id, uint32_t depth) {
  const wf_ctype_t *t = &ts->v[id];
  if (t->kind == WF_CT_BORROW) return true;
  if (depth > WF_CMAX_TYPE_DEPTH + 2 || t->kind == WF_CT_OWN) return false;
  return any_field(ts, t, depth, wf_ctype_has_borrow);
}

bool wf_ctype_has_resource(const wf_ctypes_t *ts, wf_ctid_t id, uint32_t depth) {
  const wf_ctype_t *t = &ts->v[id];
  if (t->kind == WF_CT_BORROW || t->kind == WF_CT_OWN || t->kind == WF_CT_RESOURCE) return true;
  if (depth > WF_CMAX_TYPE_DEPTH + 2) return false;
  return any_field(ts, t, depth, wf_ctype_has_resource);
}

bool wf_ctype_has_heap(const wf_ctypes_t *ts, wf_ctid_t id, uint32_t depth) {
  const wf_ctype_t *t = &ts->v[id];
  if (t->kind == WF_CT_STRING || t->kind == WF_CT_LIST || t->kind == WF_CT_MAP) return true;
  if (depth > WF_CMAX_TYPE_DEPTH + 2 || t->kind == WF_CT_OWN || t->kind == WF_CT_BORROW ||
      t->kind == WF_CT_STREAM || t->kind == WF_CT_FUTURE)
    return false;
  return any_field(ts, t, depth, wf_ctype_has_heap);
}

/* ---- Canonical ABI: flattening and sizes --------------------------------- */

static uint8_t join(uint8_t a, uint8_t b) {
  if (a == b) return a;
  if ((a == WF_T_I32 && b == WF_T_F32) || (a == WF_T_F32 && b == WF_T_I32)) return WF_T_I32;
  return WF_T_I64;
}

/* Append the flat types of t to out[*n..]; *n may exceed cap (then only the
 * count is meaningful). */
static void flatten(const wf_ctypes_t *ts, wf_ctid_t id, uint8_t *out, uint32_t *n, uint32_t cap) {
#define PUT(x) do { if (*n < cap) out[*n] = (x); (*n)++; } while (0)
  const wf_ctype_t *t = &ts->v[id];
  if (*n > cap || WORK(ts)) return;
  switch (t->kind) {
  case WF_CT_S64: case WF_CT_U64: PUT(WF_T_I64); break;
  case WF_CT_F32: PUT(WF_T_F32); break;
  case WF_CT_F64: PUT(WF_T_F64); break;
  case WF_CT_STRING: case WF_CT_LIST: case WF_CT_MAP: PUT(WF_T_I32); PUT(WF_T_I32); break;
  case WF_CT_FIXED_LIST:
    for (uint32_t i = 0; i < t->len && *n <= cap; i++) flatten(ts, t->t1, out, n, cap);
    break;
  case WF_CT_RECORD: case WF_CT_TUPLE:
    for (uint32_t i = 0; i < t->n && *n <= cap; i++) flatten(ts, t->fields[i].type, out, n, cap);
    break;
  case WF_CT_FLAGS: if (t->n) PUT(WF_T_I32); break;
  case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    wf_ctid_t cases[2];
    const wf_cfield_t *fs = t->fields;
    uint32_t nc = t->n;
    if (t->kind == WF_CT_OPTION) { cases[0] = WF_CTID_NONE; cases[1] = t->t1; nc = 2; }
    if (t->kind == WF_CT_RESULT) { cases[0] = t->t1; cases[1] = t->t2; nc = 2; }
    uint32_t base = *n;
    PUT(WF_T_I32);
    uint8_t joined[WF_MAX_PARAMS > 40 ? 40 : WF_MAX_PARAMS];
    uint32_t nj = 0, jcap = sizeof joined;
    for (uint32_t i = 0; i < nc; i++) {
      wf_ctid_t ct = t->kind == WF_CT_VARIANT ? fs[i].type : cases[i];
      if (!ct) continue;
      uint8_t tmp[40];
      uint32_t m = 0;
      flatten(ts, ct, tmp, &m, sizeof tmp);
      for (uint32_t k = 0; k < m && k < jcap; k++) {
        if (k < nj) joined[k] = join(joined[k], tmp[k]);
        else joined[k] = tmp[k];
      }
      if (m > nj) nj = m;
    }
    (void)base;
    for (uint32_t k = 0; k < nj; k++) PUT(k < jcap ? joined[k] : WF_T_I64);
    break;
  }
  default: PUT(WF_T_I32); break; /* bool, ints <= 32, char, enum, own, borrow */
  }
#undef PUT
}

uint32_t wf_ctype_flat_count(const wf_ctypes_t *ts, wf_ctid_t t, uint32_t cap) {
  uint8_t buf[64];
  uint32_t n = 0;
  if (cap > 63) cap = 63;
  flatten(ts, t, buf, &n, cap);
  return n;
}

bool wf_ctype_flatten_func(const wf_ctypes_t *ts, wf_ctid_t ftid, bool lift,
                           uint8_t *params, uint32_t *nparams,
                           uint8_t *results, uint32_t *nresults, uint32_t cap) {
  const wf_ctype_t *ft = &ts->v[ftid];
  uint8_t p[20], r[20];
  uint32_t np = 0, nr = 0;
  for (uint32_t i = 0; i < ft->n; i++) flatten(ts, ft->fields[i].type, p, &np, 17);
  if (ft->t1) flatten(ts, ft->t1, r, &nr, 17);
  if (np > 16) { np = 1; p[0] = WF_T_I32; }
  if (nr > 1) {
    if (lift) { nr = 1; r[0] = WF_T_I32; }
    else { p[np++] = WF_T_I32; nr = 0; }
  }
  if (np > cap || nr > cap) return false;
  memcpy(params, p, np);
  memcpy(results, r, nr);
  *nparams = np;
  *nresults = nr;
  return true;
}

static uint64_t align_to(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }
#define SAT (1ull << 40)

static void size_align(const wf_ctypes_t *ts, wf_ctid_t id, uint64_t *size, uint64_t *align, bool p64) {
  const wf_ctype_t *t = &ts->v[id];
  switch (t->kind) {
  case WF_CT_BOOL: case WF_CT_S8: case WF_CT_U8: *size = *align = 1; return;
  case WF_CT_S16: case WF_CT_U16: *size = *align = 2; return;
  case WF_CT_S64: case WF_CT_U64: case WF_CT_F64: *size = *align = 8; return;
  case WF_CT_STRING: case WF_CT_LIST: case WF_CT_MAP: *size = p64 ? 16 : 8; *align = p64 ? 8 : 4; return;
  case WF_CT_FIXED_LIST: {
    uint64_t es, ea;
    size_align(ts, t->t1, &es, &ea, p64);
    *size = es * t->len > SAT ? SAT : es * t->len;
    *align = ea;
    return;
  }
  case WF_CT_RECORD: case WF_CT_TUPLE: {
    uint64_t s = 0, a = 1;
    for (uint32_t i = 0; i < t->n; i++) {
      uint64_t fs, fa;
      size_align(ts, t->fields[i].type, &fs, &fa, p64);
      s = align_to(s, fa) + fs;
      if (fa > a) a = fa;
      if (s > SAT) s = SAT;
    }
    *size = align_to(s, a);
    *align = a;
    return;
  }
  case WF_CT_FLAGS:
    if (t->n <= 8) *size = *align = 1;
    else if (t->n <= 16) *size = *align = 2;
    else *size = *align = 4;
    return;
  case WF_CT_ENUM: case WF_CT_VARIANT: case WF_CT_OPTION: case WF_CT_RESULT: {
    uint32_t nc = t->kind == WF_CT_OPTION || t->kind == WF_CT_RESULT ? 2 : t->n;
    uint64_t ds = nc <= 256 ? 1 : nc <= 65536 ? 2 : 4;
    uint64_t ms = 0, ma = ds;
    for (uint32_t i = 0; i < nc; i++) {
      wf_ctid_t ct = WF_CTID_NONE;
      if (t->kind == WF_CT_VARIANT) ct = t->fields[i].type;
      else if (t->kind == WF_CT_OPTION) ct = i ? t->t1 : WF_CTID_NONE;
      else if (t->kind == WF_CT_RESULT) ct = i ? t->t2 : t->t1;
      if (!ct) continue;
      uint64_t cs, ca;
      size_align(ts, ct, &cs, &ca, p64);
      if (cs > ms) ms = cs;
      if (ca > ma) ma = ca;
    }
    uint64_t s = align_to(ds, ma) + ms;
    if (s > SAT) s = SAT;
    *size = align_to(s, ma);
    *align = ma;
    return;
  }
  default: *size = *align = 4; return; /* s32 u32 f32 char own borrow */
  }
}

uint64_t wf_ctype_elem_size(const wf_ctypes_t *ts, wf_ctid_t t) {
  uint64_t s, a;
  size_align(ts, t, &s, &a, true);
  return s;
}

/* ---- Resource maps and substitution -------------------------------------- */

uint32_t wf_ridmap_get(const wf_ridmap_t *m, uint32_t rid, bool *found) {
  uint32_t v = 0;
  *found = m && wf_u32map_get(&m->rids, rid, &v);
  return v;
}

bool wf_ridmap_put(wf_ridmap_t *m, uint32_t from, uint32_t to) {
  return wf_u32map_put(m->arena, &m->rids, from, to);
}

bool wf_ridmap_put_node(wf_ridmap_t *m, wf_ctid_t from, wf_ctid_t to) {
  return wf_u32map_put(m->arena, &m->nodes, from, to);
}

static bool is_bindable(const wf_ridmap_t *m, uint32_t rid) {
  uint32_t v;
  return m && wf_u32map_get(&m->bindable, rid, &v);
}

/* `to` entries of a ridmap used for substitution are resource node ids. */
wf_ctid_t wf_ctype_subst(wf_ctypes_t *ts, wf_ctid_t id, wf_ridmap_t *m, uint32_t depth) {
  if (!m || (m->rids.n == 0 && m->nodes.n == 0) || id == WF_CTID_NONE || depth > WF_CMAX_TYPE_DEPTH + 4 || WORK(ts))
    return id;
  wf_ctid_t orig = ts->v[id].orig, to;
  if (wf_u32map_get(&m->nodes, id, &to) || (orig && wf_u32map_get(&m->nodes, orig, &to))) return to;
  wf_ctype_t t = ts->v[id];
  if (WF_CT_IS_PRIM(t.kind)) return id;
  if (t.kind == WF_CT_RESOURCE) {
    bool f;
    uint32_t to = wf_ridmap_get(m, t.rid, &f);
    return f ? to : id;
  }
  bool changed = false;
  wf_cfield_t *nf = NULL;
  if (t.n && t.fields) {
    for (uint32_t i = 0; i < t.n; i++) {
      wf_ctid_t s = wf_ctype_subst(ts, t.fields[i].type, m, depth + 1);
      if (s != t.fields[i].type) {
        if (!nf) {
          nf = wf_carena_alloc(m->arena, (size_t)t.n * sizeof(wf_cfield_t));
          if (!nf) return id;
          memcpy(nf, t.fields, (size_t)t.n * sizeof(wf_cfield_t));
        }
        nf[i].type = s;
        changed = true;
      }
    }
  }
  wf_ctid_t n1 = wf_ctype_subst(ts, t.t1, m, depth + 1);
  wf_ctid_t n2 = wf_ctype_subst(ts, t.t2, m, depth + 1);
  if (n1 != t.t1 || n2 != t.t2) changed = true;
  wf_cextern_t *ni = NULL, *ne = NULL;
  for (int pass = 0; pass < 2; pass++) {
    uint32_t cnt = pass ? t.nexports : t.nimports;
    wf_cextern_t *src = pass ? t.exports : t.imports;
    wf_cextern_t **dst = pass ? &ne : &ni;
    for (uint32_t i = 0; i < cnt; i++) {
      wf_ctid_t s = wf_ctype_subst(ts, src[i].type, m, depth + 1);
      if (s != src[i].type) {
        if (!*dst) {
          *dst = wf_carena_alloc(m->arena, (size_t)cnt * sizeof(wf_cextern_t));
          if (!*dst) return id;
          memcpy(*dst, src, (size_t)cnt * sizeof(wf_cextern_t));
        }
        (*dst)[i].type = s;
        changed = true;
      }
    }
  }
  if (!changed) return id;
  wf_ctid_t c = wf_ctype_new(ts, t.kind);
  if (!c) return id;
  if (nf) t.fields = nf;
  if (ni) t.imports = ni;
  if (ne) t.exports = ne;
  t.t1 = n1;
  t.t2 = n2;
  ts->v[c] = t;
  return c;
}

/* ---- Subtyping ------------------------------------------------------------- */

static bool sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_ridmap_t *m, wf_error_t *err,
                size_t off, uint32_t depth);

static bool names_eq(const char *a, uint32_t al, const char *b, uint32_t bl) {
  return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* Resources compare by identity after mapping either side through m
 * (a component type's own rids only ever appear on one side); an unbound
 * bindable rid is bound to the other side on first use. */
static bool resource_eq(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_ridmap_t *m,
                        wf_error_t *err, size_t off) {
  uint32_t ra = ts->v[a].rid, rb = ts->v[b].rid;
  bool fa, fb;
  uint32_t ta = wf_ridmap_get(m, ra, &fa), tb = wf_ridmap_get(m, rb, &fb);
  if (fa) ra = ts->v[ta].rid;
  if (fb) rb = ts->v[tb].rid;
  if (!fb && is_bindable(m, rb)) {
    if (!wf_ridmap_put(m, rb, fa ? ta : a)) return wf_error_at(err, off, "out of memory");
    return true;
  }
  if (!fa && is_bindable(m, ra)) {
    if (!wf_ridmap_put(m, ra, fb ? tb : b)) return wf_error_at(err, off, "out of memory");
    return true;
  }
  if (ra != rb) return wf_error_at(err, off, "resource types are not the same");
  return true;
}

/* Prefix the recorded error with context ("type mismatch in ...: inner"). */
bool wf_error_wrap(wf_error_t *err, const char *fmt, ...) {
  if (!err || !err->failed) return false;
  char pre[WF_ERRMSG_MAX], old[WF_ERRMSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pre, sizeof pre, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  old[sizeof old - 1] = 0;
  size_t lp = strnlen(pre, sizeof err->msg - 3), lo = strnlen(old, sizeof old);
  memcpy(err->msg, pre, lp);
  memcpy(err->msg + lp, ": ", 2);
  size_t room = sizeof err->msg - lp - 3;
  if (lo > room) lo = room;
  memcpy(err->msg + lp + 2, old, lo);
  err->msg[lp + 2 + lo] = 0;
  return false;
}

static bool externs_sub(wf_ctypes_t *ts, const wf_cextern_t *a, uint32_t na, wf_cnameset_t **acache,
                        const wf_cextern_t *b, uint32_t nb, bool imports, wf_ridmap_t *m,
                        wf_error_t *err, size_t off, uint32_t depth) {
  for (uint32_t j = 0; j < nb; j++) {
    uint32_t i;
    const wf_cextern_t *f = wf_cfind_extern(m && !m->temp_arena ? m->arena : NULL, a, na, acache, b[j].name, b[j].name_len);
    i = f ? (uint32_t)(f - a) : na;
    if (i == na)
      return wf_error_at(err, off, "missing expected %s `%.*s`", imports ? "import" : "export",
                         WF_NLEN(b[j].name_len), b[j].name);
    if (a[i].sort != b[j].sort)
      return wf_error_at(err, off, "type mismatch in %s `%.*s`: expected %s, found %s",
                         imports ? "import" : "instance export", WF_NLEN(b[j].name_len), b[j].name,
                         wf_sort_name(b[j].sort), wf_sort_name(a[i].sort));
    bool ok = imports ? sub(ts, b[j].type, a[i].type, m, err, off, depth + 1)
                      : sub(ts, a[i].type, b[j].type, m, err, off, depth + 1);
    if (!ok)
      return wf_error_wrap(err, "type mismatch in %s `%.*s`", imports ? "import" : "instance export", WF_NLEN(b[j].name_len),
                  b[j].name);
  }
  return true;
}

static bool kind_mismatch(wf_error_t *err, size_t off, const wf_ctype_t *ta, const wf_ctype_t *tb, uint32_t depth) {
  if (WF_CT_IS_PRIM(ta->kind) && WF_CT_IS_PRIM(tb->kind))
    return wf_error_at(err, off, "expected primitive `%s` found primitive `%s`",
                       wf_ctkind_name(tb->kind), wf_ctkind_name(ta->kind));
  if (tb->kind == WF_CT_RESOURCE && WF_CT_IS_VALTYPE(ta->kind))
    return wf_error_at(err, off, "expected resource, found defined type");
  if (ta->kind == WF_CT_RESOURCE && WF_CT_IS_VALTYPE(tb->kind))
    return wf_error_at(err, off, "expected defined type, found resource");
  if (WF_CT_IS_PRIM(tb->kind) && depth == 0)
    return wf_error_at(err, off, "expected primitive, found %s", wf_ctkind_name(ta->kind));
  return wf_error_at(err, off, "expected %s, found %s", wf_ctkind_name(tb->kind), wf_ctkind_name(ta->kind));
}

static bool sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_ridmap_t *m, wf_error_t *err,
                size_t off, uint32_t depth) {
  if (a == b && (!m || (m->rids.n == 0 && m->bindable.n == 0))) return true;
  if (depth > 2 * WF_CMAX_TYPE_DEPTH) return wf_error_at(err, off, "type nesting too deep");
  if (m && WORK(ts)) return wf_error_at(err, off, "component too complex to validate (work limit)");
  const wf_ctype_t *ta = &ts->v[a], *tb = &ts->v[b];
  if (ta->kind != tb->kind) return kind_mismatch(err, off, ta, tb, depth);
  switch (ta->kind) {
  case WF_CT_RECORD: case WF_CT_VARIANT: case WF_CT_TUPLE: case WF_CT_FUNC: {
    const char *what = ta->kind == WF_CT_RECORD ? "fields" : ta->kind == WF_CT_VARIANT ? "cases"
                     : ta->kind == WF_CT_TUPLE ? "types" : "parameters";
    if (ta->n != tb->n) return wf_error_at(err, off, "expected %u %s, found %u", tb->n, what, ta->n);
    for (uint32_t i = 0; i < ta->n; i++) {
      const wf_cfield_t *fa = &ta->fields[i], *fb = &tb->fields[i];
      if (ta->kind != WF_CT_TUPLE && !names_eq(fa->name, fa->name_len, fb->name, fb->name_len)) {
        const char *nm = ta->kind == WF_CT_RECORD ? "field name" : ta->kind == WF_CT_VARIANT ? "case named" : "parameter named";
        return wf_error_at(err, off, "expected %s `%.*s`, found `%.*s`", nm, WF_NLEN(fb->name_len), fb->name,
                           WF_NLEN(fa->name_len), fa->name);
      }
      if (ta->kind == WF_CT_VARIANT && (!fa->type) != (!fb->type))
        return fb->type ? wf_error_at(err, off, "expected case `%.*s` to have a type, found none", WF_NLEN(fb->name_len), fb->name)
                        : wf_error_at(err, off, "expected case `%.*s` to have no type", WF_NLEN(fb->name_len), fb->name);
      if (fa->type) {
        /* value types match by equality, so parameters need no flip */
        if (!sub(ts, fa->type, fb->type, m, err, off, depth + 1)) {
          if (ta->kind == WF_CT_TUPLE) return wf_error_wrap(err, "type mismatch in tuple field %u", i);
          if (ta->kind == WF_CT_RECORD) return wf_error_wrap(err, "type mismatch in record field `%.*s`", WF_NLEN(fb->name_len), fb->name);
          if (ta->kind == WF_CT_VARIANT) return wf_error_wrap(err, "type mismatch in variant case `%.*s`", WF_NLEN(fb->name_len), fb->name);
          return wf_error_wrap(err, "type mismatch in function parameter `%.*s`", WF_NLEN(fb->name_len), fb->name);
        }
      }
    }
    if (ta->kind == WF_CT_FUNC) {
      if (ta->is_async != tb->is_async) return wf_error_at(err, off, "type mismatch in async function type");
      if ((!ta->t1) != (!tb->t1))
        return ta->t1 ? wf_error_at(err, off, "expected a result, found none")
                      : wf_error_at(err, off, "expected no result, found one");
      if (ta->t1 && !sub(ts, ta->t1, tb->t1, m, err, off, depth + 1))
        return wf_error_wrap(err, "type mismatch with result type");
    }
    return true;
  }
  case WF_CT_FLAGS: case WF_CT_ENUM:
    if (ta->n != tb->n) goto labels;
    for (uint32_t i = 0; i < ta->n; i++)
      if (!names_eq(ta->fields[i].name, ta->fields[i].name_len, tb->fields[i].name, tb->fields[i].name_len))
        goto labels;
    return true;
  labels:
    return wf_error_at(err, off, "mismatch in %s elements", ta->kind == WF_CT_FLAGS ? "flags" : "enum");
  case WF_CT_LIST: case WF_CT_OPTION:
    return sub(ts, ta->t1, tb->t1, m, err, off, depth + 1);
  case WF_CT_FIXED_LIST:
    if (ta->len != tb->len) return wf_error_at(err, off, "expected list length %u, found %u", tb->len, ta->len);
    return sub(ts, ta->t1, tb->t1, m, err, off, depth + 1);
  case WF_CT_MAP:
    return sub(ts, ta->t1, tb->t1, m, err, off, depth + 1) && sub(ts, ta->t2, tb->t2, m, err, off, depth + 1);
  case WF_CT_STREAM: case WF_CT_FUTURE:
    if ((!ta->t1) != (!tb->t1)) return wf_error_at(err, off, "type mismatch in %s element", wf_ctkind_name(ta->kind));
    return !ta->t1 || sub(ts, ta->t1, tb->t1, m, err, off, depth + 1);
  case WF_CT_RESULT:
    if ((!ta->t1) != (!tb->t1))
      return tb->t1 ? wf_error_at(err, off, "expected ok type, but found none")
                    : wf_error_at(err, off, "expected ok type to not be present");
    if (ta->t1 && !sub(ts, ta->t1, tb->t1, m, err, off, depth + 1))
      return wf_error_wrap(err, "type mismatch in ok variant");
    if ((!ta->t2) != (!tb->t2))
      return tb->t2 ? wf_error_at(err, off, "expected err type, but found none")
                    : wf_error_at(err, off, "expected err type to not be present");
    if (ta->t2 && !sub(ts, ta->t2, tb->t2, m, err, off, depth + 1))
      return wf_error_wrap(err, "type mismatch in err variant");
    return true;
  case WF_CT_OWN: case WF_CT_BORROW:
    return resource_eq(ts, ta->t1, tb->t1, m, err, off);
  case WF_CT_RESOURCE:
    return resource_eq(ts, a, b, m, err, off);
  case WF_CT_INSTANCE:
    return externs_sub(ts, ta->exports, ta->nexports, &ts->v[a].cache_exports, tb->exports, tb->nexports, false, m,
                       err, off, depth);
  case WF_CT_COMPONENT: {
    /* a's imports must all be satisfiable by b's imports (contravariant);
     * b's exports must all be provided by a. a's imported resources are
     * bound to b's while comparing. */
    wf_ridmap_t m2 = {0};
    wf_carena_t *tmp = NULL;
    if (!m || !m->arena) {
      tmp = wf_carena_new();
      if (!tmp) return wf_error_at(err, off, "out of memory");
    }
    m2.arena = tmp ? tmp : m->arena;
    m2.temp_arena = tmp != NULL || (m && m->temp_arena);
    bool copied = !m || (wf_u32map_copy(m2.arena, &m2.rids, &m->rids) && wf_u32map_copy(m2.arena, &m2.nodes, &m->nodes) &&
                         wf_u32map_copy(m2.arena, &m2.bindable, &m->bindable));
    for (uint32_t i = 0; copied && i < ta->nimported_rids; i++)
      copied = wf_u32map_put(m2.arena, &m2.bindable, ta->imported_rids[i], 1);
    if (!copied) {
      wf_carena_free(tmp);
      return wf_error_at(err, off, "out of memory");
    }
    bool ok = externs_sub(ts, tb->imports, tb->nimports, &ts->v[b].cache_imports, ta->imports, ta->nimports, true,
                          &m2, err, off, depth) &&
              externs_sub(ts, ta->exports, ta->nexports, &ts->v[a].cache_exports, tb->exports, tb->nexports, false,
                          &m2, err, off, depth);
    wf_carena_free(tmp);
    return ok;
  }
  case WF_CT_CORE_FUNC: case WF_CT_CORE_TABLE: case WF_CT_CORE_MEMORY:
  case WF_CT_CORE_GLOBAL: case WF_CT_CORE_TAG: case WF_CT_CORE_MODULE:
    return wf_ccore_extern_sub(ts, a, b, err, off);
  default:
    return true; /* equal primitives */
  }
}

bool wf_ctype_sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_ridmap_t *m, wf_error_t *err, size_t off) {
  return sub(ts, a, b, m, err, off, 0);
}

bool wf_ctype_subtype(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_error_t *err) {
  return sub(ts, a, b, NULL, err, 0, 0);
}

/* ---- Core types ------------------------------------------------------------ */

static bool functype_eq(const wf_functype_t *a, const wf_functype_t *b) {
  return a->nparams == b->nparams && a->nresults == b->nresults &&
         (a->nparams == 0 || memcmp(a->params, b->params, a->nparams) == 0) &&
         (a->nresults == 0 || memcmp(a->results, b->results, a->nresults) == 0);
}

static bool limits_sub(const wf_limits_t *a, const wf_limits_t *b) {
  if (a->min < b->min) return false;
  if (b->has_max && (!a->has_max || a->max > b->max)) return false;
  return true;
}

static bool core_entity_sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_error_t *err, size_t off);

bool wf_ccore_extern_sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_error_t *err, size_t off) {
  return core_entity_sub(ts, a, b, err, off);
}

static bool core_entity_sub(wf_ctypes_t *ts, wf_ctid_t a, wf_ctid_t b, wf_error_t *err, size_t off) {
  const wf_ctype_t *ta = &ts->v[a], *tb = &ts->v[b];
  if (ta->kind != tb->kind)
    return wf_error_at(err, off, "expected %s, found %s", wf_ctkind_name(tb->kind) + (tb->kind == WF_CT_CORE_FUNC ? 5 : 0),
                       wf_ctkind_name(ta->kind) + (ta->kind == WF_CT_CORE_FUNC ? 5 : 0));
  switch (ta->kind) {
  case WF_CT_CORE_FUNC: case WF_CT_CORE_TAG:
    if (!functype_eq(&ta->core, &tb->core)) return wf_error_at(err, off, "type mismatch: expected: (func)");
    return true;
  case WF_CT_CORE_TABLE:
    if (ta->table.elem != tb->table.elem)
      return wf_error_at(err, off, "expected table element type %s, found %s",
                         wf_valtype_name(tb->table.elem), wf_valtype_name(ta->table.elem));
    if (!limits_sub(&ta->table.lim, &tb->table.lim)) return wf_error_at(err, off, "mismatch in table limits");
    return true;
  case WF_CT_CORE_MEMORY:
    if (!limits_sub(&ta->mem.lim, &tb->mem.lim)) return wf_error_at(err, off, "mismatch in memory limits");
    return true;
  case WF_CT_CORE_GLOBAL:
    if (ta->global.type != tb->global.type)
      return wf_error_at(err, off, "expected global type %s, found %s", wf_valtype_name(tb->global.type),
                         wf_valtype_name(ta->global.type));
    if (ta->global.mut != tb->global.mut) return wf_error_at(err, off, "global types differ in mutability");
    return true;
  case WF_CT_CORE_MODULE:
    /* every import of a must be provided by b's imports; b's exports by a */
    for (uint32_t i = 0; i < ta->ncimports; i++) {
      const wf_ccore_extern_t *ia = &ta->cimports[i];
      uint32_t j;
      for (j = 0; j < tb->ncimports; j++)
        if (names_eq(ia->module, ia->module_len, tb->cimports[j].module, tb->cimports[j].module_len) &&
            names_eq(ia->name, ia->name_len, tb->cimports[j].name, tb->cimports[j].name_len))
          break;
      if (j == tb->ncimports)
        return wf_error_at(err, off, "missing expected import `%.*s::%.*s`", WF_NLEN(ia->module_len), ia->module,
                           WF_NLEN(ia->name_len), ia->name);
      if (!core_entity_sub(ts, tb->cimports[j].type, ia->type, err, off))
        return wf_error_wrap(err, "type mismatch in import `%.*s::%.*s`", WF_NLEN(ia->module_len), ia->module,
                           WF_NLEN(ia->name_len), ia->name);
    }
    for (uint32_t j = 0; j < tb->ncexports; j++) {
      const wf_ccore_extern_t *eb = &tb->cexports[j];
      uint32_t i;
      for (i = 0; i < ta->ncexports; i++)
        if (names_eq(ta->cexports[i].name, ta->cexports[i].name_len, eb->name, eb->name_len)) break;
      if (i == ta->ncexports)
        return wf_error_at(err, off, "missing expected export `%.*s`", WF_NLEN(eb->name_len), eb->name);
      if (!core_entity_sub(ts, ta->cexports[i].type, eb->type, err, off))
        return wf_error_wrap(err, "type mismatch in export `%.*s`", WF_NLEN(eb->name_len), eb->name);
    }
    return true;
  default:
    return true;
  }
}
