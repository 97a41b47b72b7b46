/* Public API: components (decode, refcount, import/export introspection),
 * exported functions of component instances (lookup, types, calls),
 * host-held resources, and the weft_call_t accessors host functions use. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "component/clink.h"
#include "component/crt.h"
#include "internal.h"

/* ---- components ---------------------------------------------------------------- */

int weft_binary_is_component(const uint8_t *bytes, size_t len) {
  if (!bytes) return -1;
  int layer = wf_binary_layer(bytes, len);
  return layer == 1 ? 1 : layer == 0 ? 0 : -1;
}

static char *dup_name(const char *s, uint32_t len) {
  char *d = malloc((size_t)len + 1);
  if (!d) return NULL;
  if (len) memcpy(d, s, len);
  d[len] = 0;
  return d;
}

static void free_names(char **v, uint32_t n) {
  if (!v) return;
  for (uint32_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* NUL-terminated copies of externs' names, plus the names of the exports of
 * instance-typed ones. false on OOM (what was made is freed by the caller). */
static bool copy_names(const wf_ctypes_t *ts, const wf_cextern_t *v, uint32_t n, char ***names,
                       char ****items) {
  *names = calloc(n ? n : 1, sizeof **names);
  *items = calloc(n ? n : 1, sizeof **items);
  if (!*names || !*items) return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!((*names)[i] = dup_name(v[i].name, v[i].name_len))) return false;
    const wf_ctype_t *t = &ts->v[v[i].type];
    if (v[i].sort != WF_SORT_INSTANCE || t->kind != WF_CT_INSTANCE) continue;
    char **it = calloc(t->nexports ? t->nexports : 1, sizeof *it);
    if (!it) return false;
    (*items)[i] = it;
    for (uint32_t j = 0; j < t->nexports; j++)
      if (!(it[j] = dup_name(t->exports[j].name, t->exports[j].name_len))) return false;
  }
  return true;
}

static void free_items(const wf_ctypes_t *ts, const wf_cextern_t *v, uint32_t n, char ***items) {
  if (!items) return;
  for (uint32_t i = 0; i < n; i++)
    if (items[i]) free_names(items[i], ts->v[v[i].type].nexports);
  free(items);
}

static void component_destroy(weft_component_t *c) {
  if (c->c) {
    const wf_ctypes_t *ts = c->c->types;
    const wf_ctype_t *ct = &ts->v[c->c->type];
    free_items(ts, ct->imports, ct->nimports, c->import_item_names);
    free_items(ts, ct->exports, ct->nexports, c->export_item_names);
    free_names(c->import_names, ct->nimports);
    free_names(c->export_names, ct->nexports);
    wf_component_free(c->c);
  }
  free(c);
}

weft_status_t weft_component_new(weft_engine_t *engine, const uint8_t *bytes, size_t len,
                                 weft_component_t **out, weft_error_t *err) {
  (void)engine;
  if (!out) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_component_new: no output pointer");
    return WEFT_ERR_ARG;
  }
  *out = NULL;
  if (!bytes && len) {
    wf_api_err(err, WEFT_ERR_ARG, "no component bytes");
    return WEFT_ERR_ARG;
  }
  static const uint8_t empty[1] = {0};
  wf_error_t e;
  wf_error_clear(&e);
  wf_component_t *wc = wf_component_decode(bytes ? bytes : empty, len, &e);
  if (!wc) {
    wf_api_err(err, WEFT_ERR_INVALID, "%s", e.failed ? e.msg : "invalid component");
    if (err) err->offset = e.failed && e.has_offset ? (int64_t)e.offset : -1;
    return WEFT_ERR_INVALID;
  }
  weft_component_t *c = calloc(1, sizeof *c);
  if (!c) {
    wf_component_free(wc);
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  c->c = wc;
  atomic_init(&c->refs, 1);
  const wf_ctype_t *ct = &wc->types->v[wc->type];
  if (!copy_names(wc->types, ct->imports, ct->nimports, &c->import_names, &c->import_item_names) ||
      !copy_names(wc->types, ct->exports, ct->nexports, &c->export_names, &c->export_item_names)) {
    component_destroy(c);
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  *out = c;
  wf_api_ok(err);
  return WEFT_OK;
}

weft_status_t weft_component_from_file(weft_engine_t *engine, const char *path,
                                       weft_component_t **out, weft_error_t *err) {
  if (out) *out = NULL;
  if (!path) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_component_from_file: no path");
    return WEFT_ERR_ARG;
  }
  /* A regular file is mapped, not read: the decoder makes the one copy the
   * component keeps, with no read buffer grown and copied on the way (an
   * 11 MB componentize-js guest starts ~10% faster). Like wasmtime's,
   * this assumes nobody truncates the file while it is being decoded. */
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    wf_api_err(err, WEFT_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    return WEFT_ERR_IO;
  }
  struct stat stt;
  if (fstat(fd, &stt) == 0 && S_ISREG(stt.st_mode) && stt.st_size > 0 && (uint64_t)stt.st_size <= SIZE_MAX) {
    size_t mlen = (size_t)stt.st_size;
    void *map = mmap(NULL, mlen, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      close(fd);
      weft_status_t st = weft_component_new(engine, map, mlen, out, err);
      munmap(map, mlen);
      return st;
    }
  }
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    close(fd);
    wf_api_err(err, WEFT_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    return WEFT_ERR_IO;
  }
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  bool oom = !buf;
  while (buf) {
    if (len == cap) {
      uint8_t *n = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!n) {
        oom = true;
        break;
      }
      buf = n;
      cap *= 2;
    }
    size_t r = fread(buf + len, 1, cap - len, f);
    len += r;
    if (r == 0) break;
  }
  bool rerr = ferror(f) != 0;
  fclose(f);
  if (oom) {
    free(buf);
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory reading %s", path);
    return WEFT_ERR_NOMEM;
  }
  if (rerr) {
    free(buf);
    wf_api_err(err, WEFT_ERR_IO, "cannot read %s", path);
    return WEFT_ERR_IO;
  }
  weft_status_t st = weft_component_new(engine, buf, len, out, err);
  free(buf);
  return st;
}

void weft_component_free(weft_component_t *c) {
  if (!c) return;
  if (atomic_fetch_sub(&c->refs, 1) == 1) component_destroy(c);
}

static const wf_ctype_t *ctype_of(const weft_component_t *c) {
  return &c->c->types->v[c->c->type];
}

static weft_item_kind_t item_kind(uint8_t sort) {
  switch (sort) {
  case WF_SORT_CORE_MODULE: return WEFT_ITEM_MODULE;
  case WF_SORT_FUNC: return WEFT_ITEM_FUNC;
  case WF_SORT_VALUE: return WEFT_ITEM_VALUE;
  case WF_SORT_COMPONENT: return WEFT_ITEM_COMPONENT;
  case WF_SORT_INSTANCE: return WEFT_ITEM_INSTANCE;
  case WF_SORT_TYPE:
  default: return WEFT_ITEM_TYPE;
  }
}

size_t weft_component_import_count(const weft_component_t *c) { return c ? ctype_of(c)->nimports : 0; }
size_t weft_component_export_count(const weft_component_t *c) { return c ? ctype_of(c)->nexports : 0; }

const char *weft_component_import(const weft_component_t *c, size_t i, weft_item_kind_t *kind) {
  if (!c || i >= ctype_of(c)->nimports) return NULL;
  if (kind) *kind = item_kind(ctype_of(c)->imports[i].sort);
  return c->import_names[i];
}

const char *weft_component_export(const weft_component_t *c, size_t i, weft_item_kind_t *kind) {
  if (!c || i >= ctype_of(c)->nexports) return NULL;
  if (kind) *kind = item_kind(ctype_of(c)->exports[i].sort);
  return c->export_names[i];
}

static size_t item_count(const weft_component_t *c, const wf_cextern_t *e) {
  const wf_ctype_t *t = &c->c->types->v[e->type];
  return e->sort == WF_SORT_INSTANCE && t->kind == WF_CT_INSTANCE ? t->nexports : 0;
}

static const char *item_at(const weft_component_t *c, const wf_cextern_t *e, char **names, size_t j,
                           weft_item_kind_t *kind) {
  if (!names || j >= item_count(c, e)) return NULL;
  if (kind) *kind = item_kind(c->c->types->v[e->type].exports[j].sort);
  return names[j];
}

size_t weft_component_import_item_count(const weft_component_t *c, size_t i) {
  if (!c || i >= ctype_of(c)->nimports) return 0;
  return item_count(c, &ctype_of(c)->imports[i]);
}

const char *weft_component_import_item(const weft_component_t *c, size_t i, size_t j,
                                       weft_item_kind_t *kind) {
  if (!c || i >= ctype_of(c)->nimports) return NULL;
  return item_at(c, &ctype_of(c)->imports[i], c->import_item_names[i], j, kind);
}

size_t weft_component_export_item_count(const weft_component_t *c, size_t i) {
  if (!c || i >= ctype_of(c)->nexports) return 0;
  return item_count(c, &ctype_of(c)->exports[i]);
}

const char *weft_component_export_item(const weft_component_t *c, size_t i, size_t j,
                                       weft_item_kind_t *kind) {
  if (!c || i >= ctype_of(c)->nexports) return NULL;
  return item_at(c, &ctype_of(c)->exports[i], c->export_item_names[i], j, kind);
}

/* ---- exported functions ---------------------------------------------------------- */

/* The exported instance named (semver-compatibly) `name`, or NULL. */
static const wf_citems_t *export_instance(weft_cinstance_t *inst, const char *name) {
  if (!inst || !inst->rt || !inst->rt->top || !name) return NULL;
  const wf_citems_t *ex = &inst->rt->top->exports;
  const wf_citem_t *it = wf_citems_find(ex, name, strlen(name));
  if (!it || it->sort != WF_SORT_INSTANCE) {
    long k = wf_iface_pick(name, strlen(name), ex->names, ex->n);
    it = k >= 0 ? &ex->items[k] : NULL;
  }
  return it && it->sort == WF_SORT_INSTANCE ? it->u.inst : NULL;
}

weft_cfunc_t *weft_cinstance_func(weft_cinstance_t *inst, const char *instance, const char *name) {
  if (!inst || !inst->rt || !inst->rt->top || !name) return NULL;
  const wf_citems_t *list = instance ? export_instance(inst, instance) : &inst->rt->top->exports;
  if (!list) return NULL;
  const wf_citem_t *it = wf_citems_find(list, name, strlen(name));
  return it && it->sort == WF_SORT_FUNC ? it->u.func : NULL;
}

int weft_cinstance_has_instance(weft_cinstance_t *inst, const char *name) {
  return export_instance(inst, name) != NULL;
}

static const wf_ctypes_t *func_ts(const weft_cfunc_t *f) { return f->inst->comp->types; }
static const wf_ctype_t *func_type(const weft_cfunc_t *f) { return &func_ts(f)->v[f->type]; }

size_t weft_cfunc_param_count(const weft_cfunc_t *f) { return f ? func_type(f)->n : 0; }

const char *weft_cfunc_param_name(const weft_cfunc_t *f, size_t i) {
  if (!f || i >= func_type(f)->n) return NULL;
  const wf_ctype_t *ft = func_type(f);
  /* The names in the type are not NUL-terminated: copies are made once, in
   * the runtime's arena (an instance is used by one thread at a time). */
  wf_cfunc_t *mf = (wf_cfunc_t *)f;
  if (!mf->param_names) {
    wf_arena_t *a = &f->inst->rt->arena;
    const char **names = wf_arena_alloc(a, (size_t)ft->n * sizeof *names);
    if (!names) return NULL;
    for (uint32_t k = 0; k < ft->n; k++)
      if (!(names[k] = wf_arena_strndup(a, ft->fields[k].name, ft->fields[k].name_len))) return NULL;
    mf->param_names = names;
  }
  return mf->param_names[i];
}

weft_type_t weft_cfunc_param_type(const weft_cfunc_t *f, size_t i) {
  weft_type_t t = {NULL, 0};
  if (!f || i >= func_type(f)->n) return t;
  t.table = func_ts(f);
  t.id = func_type(f)->fields[i].type;
  return t;
}

size_t weft_cfunc_result_count(const weft_cfunc_t *f) { return f && func_type(f)->t1 ? 1 : 0; }

weft_type_t weft_cfunc_result_type(const weft_cfunc_t *f) {
  weft_type_t t = {NULL, 0};
  if (!f || !func_type(f)->t1) return t;
  t.table = func_ts(f);
  t.id = func_type(f)->t1;
  return t;
}

/* ---- argument checks --------------------------------------------------------------- */

typedef struct {
  const wf_cinst_t *inst;
  const wf_ctypes_t *ts;
  wf_hrefs_t *held;       /* the host's handles the arguments would take (reserved) */
  char why[300];
} vcheck_t;

static bool vfail(vcheck_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool vfail(vcheck_t *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->why, sizeof c->why, fmt, ap);
  va_end(ap);
  return false;
}

static bool utf8_ok(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char b = s[i];
    if (b < 0x80) { i++; continue; }
    size_t len;
    uint32_t v, min;
    if ((b & 0xE0) == 0xC0) { len = 2; v = b & 0x1F; min = 0x80; }
    else if ((b & 0xF0) == 0xE0) { len = 3; v = b & 0x0F; min = 0x800; }
    else if ((b & 0xF8) == 0xF0) { len = 4; v = b & 0x07; min = 0x10000; }
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      v = (v << 6) | (s[i + k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

/* Does v fit type t? The walk follows the type (depth bounded by the
 * decoder's type-depth limit), never the value alone. */
static bool vcheck(vcheck_t *c, wf_ctid_t t, const weft_val_t *v, unsigned depth) {
  if (depth > WF_CMAX_TYPE_DEPTH) return vfail(c, "value nested too deeply");
  weft_type_t wt = {c->ts, t};
  weft_vkind_t want = weft_type_kind(wt);
  if (want == WEFT_VAL_KIND_COUNT) return vfail(c, "type not supported in calls");
  if (!v) return vfail(c, "expected %s, found no value", weft_vkind_name(want));
  if (v->kind != want)
    return vfail(c, "expected %s, found %s", weft_vkind_name(want), weft_vkind_name(v->kind));
  const wf_ctype_t *ty = &c->ts->v[t];
  switch (want) {
  case WEFT_VAL_BOOL:
    if (v->of.b != 0 && v->of.b != 1) return vfail(c, "bool value %d is not 0 or 1", v->of.b);
    return true;
  case WEFT_VAL_S8: case WEFT_VAL_S16: case WEFT_VAL_S32: {
    int bits = want == WEFT_VAL_S8 ? 8 : want == WEFT_VAL_S16 ? 16 : 32;
    int64_t lo = -((int64_t)1 << (bits - 1)), hi = ((int64_t)1 << (bits - 1)) - 1;
    if (v->of.s < lo || v->of.s > hi)
      return vfail(c, "%s value %lld out of range", weft_vkind_name(want), (long long)v->of.s);
    return true;
  }
  case WEFT_VAL_U8: case WEFT_VAL_U16: case WEFT_VAL_U32: {
    uint64_t hi = want == WEFT_VAL_U8 ? 0xFF : want == WEFT_VAL_U16 ? 0xFFFF : 0xFFFFFFFFu;
    if (v->of.u > hi)
      return vfail(c, "%s value %llu out of range", weft_vkind_name(want), (unsigned long long)v->of.u);
    return true;
  }
  case WEFT_VAL_CHAR:
    if (v->of.ch > 0x10FFFF || (v->of.ch >= 0xD800 && v->of.ch <= 0xDFFF))
      return vfail(c, "char 0x%x is not a Unicode scalar value", (unsigned)v->of.ch);
    return true;
  case WEFT_VAL_STRING:
    if (v->of.str.len && !v->of.str.ptr) return vfail(c, "string of length %zu has no data", v->of.str.len);
    if (!utf8_ok((const unsigned char *)v->of.str.ptr, v->of.str.len))
      return vfail(c, "string is not valid UTF-8");
    return true;
  case WEFT_VAL_LIST: case WEFT_VAL_RECORD: case WEFT_VAL_TUPLE: {
    if (want != WEFT_VAL_LIST && v->of.seq.n != ty->n)
      return vfail(c, "%s has %zu values, its type has %u", weft_vkind_name(want), v->of.seq.n, ty->n);
    if (v->of.seq.n && !v->of.seq.v) return vfail(c, "%s of %zu values has no data", weft_vkind_name(want), v->of.seq.n);
    for (size_t i = 0; i < v->of.seq.n; i++) {
      if (vcheck(c, want == WEFT_VAL_LIST ? ty->t1 : ty->fields[i].type, &v->of.seq.v[i], depth + 1)) continue;
      char inner[300];
      memcpy(inner, c->why, sizeof inner);
      if (want == WEFT_VAL_RECORD)
        return vfail(c, "field `%.*s`: %.250s", (int)ty->fields[i].name_len, ty->fields[i].name, inner);
      return vfail(c, "%s element %zu: %.250s", weft_vkind_name(want), i, inner);
    }
    return true;
  }
  case WEFT_VAL_VARIANT: case WEFT_VAL_ENUM: case WEFT_VAL_OPTION: case WEFT_VAL_RESULT: {
    uint32_t n = want == WEFT_VAL_VARIANT || want == WEFT_VAL_ENUM ? ty->n : 2;
    uint32_t i = v->of.var.index;
    if (i >= n) return vfail(c, "%s case %u out of range (%u cases)", weft_vkind_name(want), i, n);
    wf_ctid_t pt = WF_CTID_NONE;
    if (want == WEFT_VAL_VARIANT) pt = ty->fields[i].type;
    else if (want == WEFT_VAL_OPTION) pt = i ? ty->t1 : WF_CTID_NONE;
    else if (want == WEFT_VAL_RESULT) pt = i ? ty->t2 : ty->t1;
    if (!pt) {
      if (v->of.var.payload && want != WEFT_VAL_ENUM)
        return vfail(c, "%s case %u has a payload, its type has none", weft_vkind_name(want), i);
      return true;
    }
    if (!v->of.var.payload) return vfail(c, "%s case %u has no payload", weft_vkind_name(want), i);
    if (vcheck(c, pt, v->of.var.payload, depth + 1)) return true;
    char inner[300];
    memcpy(inner, c->why, sizeof inner);
    return vfail(c, "%s payload: %.250s", weft_vkind_name(want), inner);
  }
  case WEFT_VAL_FLAGS:
    if (ty->n < 32 && (v->of.flags >> ty->n))
      return vfail(c, "flags value 0x%x has bits beyond the type's %u flags", (unsigned)v->of.flags, ty->n);
    return true;
  case WEFT_VAL_OWN: case WEFT_VAL_BORROW: {
    wf_rtype_t *rt = wf_cinst_rtype(c->inst, t);
    if (!v->of.res.type) return vfail(c, "%s handle has no resource type", weft_vkind_name(want));
    if (rt && v->of.res.type != rt)
      return vfail(c, "%s handle of resource `%s`, expected `%s`", weft_vkind_name(want),
                   v->of.res.type->name ? v->of.res.type->name : "?", rt->name ? rt->name : "?");
    /* a guest-defined resource: the host must hold it, counting what earlier
     * arguments take (rt is live: the type matched it) */
    if (rt && c->held && !wf_host_check(rt, v->of.res.rep, want == WEFT_VAL_OWN, c->held, c->why, sizeof c->why))
      return false;
    return true;
  }
  default: return true;   /* S64, U64, F32, F64: every bit pattern is a value */
  }
}

weft_status_t weft_cfunc_call(weft_cfunc_t *f, const weft_val_t *args, size_t nargs,
                              weft_val_t *results, size_t nresults, weft_arena_t *arena,
                              weft_error_t *err) {
  if (!f || !arena || (nargs && !args) || (nresults && !results)) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_cfunc_call: no function, arena, arguments or results");
    return WEFT_ERR_ARG;
  }
  const wf_ctype_t *ft = func_type(f);
  size_t want_res = ft->t1 ? 1 : 0;
  if (nargs != ft->n) {
    wf_api_err(err, WEFT_ERR_ARG, "the function takes %u argument%s, %zu given", ft->n,
               ft->n == 1 ? "" : "s", nargs);
    return WEFT_ERR_ARG;
  }
  if (nresults != want_res) {
    wf_api_err(err, WEFT_ERR_ARG, "the function returns %zu result%s, room for %zu given", want_res,
               want_res == 1 ? "" : "s", nresults);
    return WEFT_ERR_ARG;
  }
  wf_hrefs_t held;
  wf_hrefs_init(&held);
  vcheck_t vc = {f->inst, func_ts(f), &held, {0}};
  for (size_t i = 0; i < nargs; i++) {
    if (vcheck(&vc, ft->fields[i].type, &args[i], 0)) continue;
    wf_hrefs_release(&held);
    wf_api_err(err, WEFT_ERR_ARG, "argument %zu (`%.*s`): %s", i + 1, (int)ft->fields[i].name_len,
               ft->fields[i].name, vc.why);
    return WEFT_ERR_ARG;
  }
  wf_hrefs_release(&held);
  if (nresults) memset(results, 0, nresults * sizeof *results);
  wf_trap_t trap;   /* only its header is reset: the frames are ~0.5 KiB */
  trap.code = WF_TRAP_NONE;
  trap.msg[0] = 0;
  trap.nframes = 0;
  wf_trapcode_t tc = wf_cfunc_invoke(f, args, nargs, results, nresults, arena, &trap);
  if (tc != WF_TRAP_NONE) {
    if (trap.code == WF_TRAP_NONE) trap.code = tc;
    wf_api_trap(err, &trap);
    return WEFT_ERR_TRAP;
  }
  wf_api_ok(err);
  return WEFT_OK;
}

weft_status_t weft_cinstance_resource_drop(weft_cinstance_t *inst, const weft_val_t *own,
                                           weft_error_t *err) {
  if (!inst || !inst->rt || !own || own->kind != WEFT_VAL_OWN || !own->of.res.type) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_cinstance_resource_drop: expected an owned resource handle");
    return WEFT_ERR_ARG;
  }
  /* a guest-defined resource must be one the host holds (not dropped, moved
   * or lent): refused before the guest is touched */
  char why[200];
  if (!wf_host_check(own->of.res.type, own->of.res.rep, true, NULL, why, sizeof why)) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_cinstance_resource_drop: %s", why);
    return WEFT_ERR_ARG;
  }
  wf_trap_t trap;
  memset(&trap, 0, sizeof trap);
  wf_trapcode_t tc = wf_canon_drop_own(inst->rt, own, &trap);
  if (tc != WF_TRAP_NONE) {
    if (trap.code == WF_TRAP_NONE) trap.code = tc;
    wf_api_trap(err, &trap);
    return WEFT_ERR_TRAP;
  }
  wf_api_ok(err);
  return WEFT_OK;
}

/* ---- host-call context ----------------------------------------------------------------- */

weft_arena_t *weft_call_arena(weft_call_t *call) { return call ? call->arena : NULL; }
void *weft_call_data(weft_call_t *call) { return call && call->rt ? call->rt->data : NULL; }
weft_cinstance_t *weft_call_instance(weft_call_t *call) { return call && call->rt ? call->rt->api : NULL; }

void weft_call_trap(weft_call_t *call, const char *fmt, ...) {
  if (!call) return;
  call->trapped = true;
  if (!fmt) {
    snprintf(call->trap, sizeof call->trap, "host function trapped");
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(call->trap, sizeof call->trap, fmt, ap);
  va_end(ap);
}

static const wf_ctype_t *call_ftype(weft_call_t *call) {
  if (!call || !call->func || !call->func->inst) return NULL;
  return &call->func->inst->comp->types->v[call->func->type];
}

size_t weft_call_param_count(weft_call_t *call) {
  const wf_ctype_t *ft = call_ftype(call);
  return ft ? ft->n : 0;
}

weft_type_t weft_call_param_type(weft_call_t *call, size_t i) {
  weft_type_t t = {NULL, 0};
  const wf_ctype_t *ft = call_ftype(call);
  if (!ft || i >= ft->n) return t;
  t.table = call->func->inst->comp->types;
  t.id = ft->fields[i].type;
  return t;
}

weft_type_t weft_call_result_type(weft_call_t *call) {
  weft_type_t t = {NULL, 0};
  const wf_ctype_t *ft = call_ftype(call);
  if (!ft || !ft->t1) return t;
  t.table = call->func->inst->comp->types;
  t.id = ft->t1;
  return t;
}

void *weft_call_state(weft_call_t *call, const void *key) {
  if (!call || !call->rt || !call->rt->states) return NULL;
  for (uint32_t i = 0; i < call->rt->nstates; i++)
    if (call->rt->states[i].key == key) return call->rt->states[i].state;
  return NULL;
}
