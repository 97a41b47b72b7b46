/* The linker's side of instantiation: semver-compatible interface names,
 * structural comparison of function types across two components' type
 * tables, and making a top-level component's instantiation arguments from
 * the linker's definitions (clink.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "cinternal.h"
#include "clink.h"

/* ---- semver-compatible names ------------------------------------------------ */

typedef struct {
  size_t base_len;        /* the name up to '@' (all of it without a version) */
  bool has_ver, pre;      /* pre: pre-release or build metadata present */
  uint64_t v[3];
} iname_t;

static bool parse_num(const char **p, const char *end, uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;
  if (s >= end || *s < '0' || *s > '9') return false;
  while (s < end && *s >= '0' && *s <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + (uint64_t)(*s - '0');
    s++;
  }
  *p = s;
  *out = v;
  return true;
}

static iname_t parse_iname(const char *s, size_t len) {
  iname_t r = {.base_len = len};
  const char *at = memchr(s, '@', len);
  if (!at) return r;
  const char *p = at + 1, *end = s + len;
  iname_t v = {.base_len = (size_t)(at - s), .has_ver = true};
  if (!parse_num(&p, end, &v.v[0]) || p >= end || *p++ != '.' || !parse_num(&p, end, &v.v[1]) || p >= end ||
      *p++ != '.' || !parse_num(&p, end, &v.v[2]))
    return r;   /* not a version: the whole name is compared exactly */
  if (p < end) {
    if (*p != '-' && *p != '+') return r;
    v.pre = true;
  }
  return v;
}

static int ver_cmp(const iname_t *a, const iname_t *b) {
  for (int i = 0; i < 3; i++)
    if (a->v[i] != b->v[i]) return a->v[i] < b->v[i] ? -1 : 1;
  return 0;
}

long wf_iface_pick(const char *want, size_t want_len, const char *const *names, size_t n) {
  iname_t w = parse_iname(want, want_len);
  long best = -1, unversioned = -1;
  iname_t bv = {0};
  for (size_t i = 0; i < n; i++) {
    if (!names[i]) continue;
    size_t len = strlen(names[i]);
    if (len == want_len && memcmp(names[i], want, len) == 0) return (long)i;
    iname_t c = parse_iname(names[i], len);
    if (c.base_len != w.base_len || memcmp(names[i], want, w.base_len) != 0) continue;
    if (!c.has_ver) {
      if (w.has_ver && unversioned < 0) unversioned = (long)i;
      continue;
    }
    if (c.pre) continue;
    if (w.has_ver) {
      if (w.pre || c.v[0] != w.v[0] || (w.v[0] == 0 && c.v[1] != w.v[1])) continue;
    } else if (w.base_len != want_len) {
      continue;   /* `want` has an '@' that is not a version */
    }
    if (best < 0 || ver_cmp(&c, &bv) > 0) {
      best = (long)i;
      bv = c;
    }
  }
  return best >= 0 ? best : unversioned;
}

/* ---- function types across two type tables ----------------------------------------- */

#define WF_CMP_MAX_WORK 20000000ull

typedef struct {
  const wf_cinst_t *ia, *ib;
  const wf_ctypes_t *ta, *tb;
  char *why;
  size_t cap;
  uint64_t *work;
} cmp_t;

static bool differ(cmp_t *c, wf_ctid_t a, wf_ctid_t b, const char *what) {
  char sa[120] = "none", sb[120] = "none";
  if (a) wf_ctype_format(c->ta, a, sa, sizeof sa);
  if (b) wf_ctype_format(c->tb, b, sb, sizeof sb);
  snprintf(c->why, c->cap, "%sexpected `%s`, found `%s`", what, sa, sb);
  return false;
}

static bool names_eq(const wf_cfield_t *x, const wf_cfield_t *y) {
  if (!x->name || !y->name) return x->name == y->name;
  return x->name_len == y->name_len && memcmp(x->name, y->name, x->name_len) == 0;
}

static bool same(cmp_t *c, wf_ctid_t a, wf_ctid_t b, uint32_t depth) {
  if (!a || !b) return a == b ? true : differ(c, a, b, "");
  if (++*c->work > WF_CMP_MAX_WORK || depth > WF_CMAX_TYPE_DEPTH) {
    snprintf(c->why, c->cap, "types too complex to compare");
    return false;
  }
  const wf_ctype_t *x = wf_ctype(c->ta, a), *y = wf_ctype(c->tb, b);
  if (x->kind != y->kind) return differ(c, a, b, "");
  if (WF_CT_IS_PRIM(x->kind)) return true;
  switch (x->kind) {
  case WF_CT_RECORD:
  case WF_CT_VARIANT:
  case WF_CT_TUPLE:
  case WF_CT_FLAGS:
  case WF_CT_ENUM:
    if (x->n != y->n) return differ(c, a, b, "");
    for (uint32_t i = 0; i < x->n; i++) {
      if (!names_eq(&x->fields[i], &y->fields[i])) return differ(c, a, b, "");
      if (x->kind != WF_CT_FLAGS && x->kind != WF_CT_ENUM && !same(c, x->fields[i].type, y->fields[i].type, depth + 1))
        return false;
    }
    return true;
  case WF_CT_FIXED_LIST:
    if (x->len != y->len) return differ(c, a, b, "");
    return same(c, x->t1, y->t1, depth + 1);
  case WF_CT_LIST:
  case WF_CT_OPTION:
  case WF_CT_STREAM:
  case WF_CT_FUTURE: return same(c, x->t1, y->t1, depth + 1);
  case WF_CT_RESULT:
  case WF_CT_MAP: return same(c, x->t1, y->t1, depth + 1) && same(c, x->t2, y->t2, depth + 1);
  case WF_CT_OWN:
  case WF_CT_BORROW:
  case WF_CT_RESOURCE: {
    wf_rtype_t *ra = wf_cinst_rtype(c->ia, a), *rb = wf_cinst_rtype(c->ib, b);
    if (!ra || ra != rb) return differ(c, a, b, "different resource types: ");
    return true;
  }
  case WF_CT_FUNC:
    if (x->n != y->n || x->is_async != y->is_async) return differ(c, a, b, "");
    for (uint32_t i = 0; i < x->n; i++) {
      if (!names_eq(&x->fields[i], &y->fields[i])) return differ(c, a, b, "");
      if (!same(c, x->fields[i].type, y->fields[i].type, depth + 1)) return false;
    }
    return same(c, x->t1, y->t1, depth + 1);
  default: return differ(c, a, b, "not comparable: ");
  }
}

bool wf_cfunc_type_match(const wf_cinst_t *ia, wf_ctid_t a, const wf_cinst_t *ib, wf_ctid_t b, char *why, size_t cap,
                         uint64_t *work) {
  cmp_t c = {ia, ib, ia->comp->types, ib->comp->types, why, cap, work};
  if (cap) why[0] = 0;
  return same(&c, a, b, 0);
}

/* ---- making the arguments ------------------------------------------------------------ */

typedef struct {
  char text[sizeof(((weft_error_t *)0)->message)];
  size_t len;
  unsigned count, hidden;
} missing_t;

static void missing(missing_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void missing(missing_t *m, const char *fmt, ...) {
  char line[300];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  m->count++;
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof line) n = (int)sizeof line - 1;
  /* keep room for "\n(and N more)" */
  if (m->len + (m->len ? 1 : 0) + (size_t)n + 24 >= sizeof m->text) {
    m->hidden++;
    return;
  }
  if (m->len) m->text[m->len++] = '\n';
  memcpy(m->text + m->len, line, (size_t)n);
  m->len += (size_t)n;
  m->text[m->len] = 0;
}

static const wf_ldef_t *find_def(const wf_liface_t *f, const char *name, size_t len) {
  for (size_t i = 0; i < f->n; i++)
    if (f->defs[i].name_len == len && memcmp(f->defs[i].name, name, len) == 0) return &f->defs[i];
  return NULL;
}

static wf_cfunc_t *host_func(wf_cinst_t *top, wf_ctid_t type, const wf_ldef_t *def) {
  wf_cfunc_t *f = wf_arena_alloc(&top->rt->arena, sizeof *f);
  if (!f) return NULL;
  f->kind = WF_CFUNC_HOST;
  f->inst = top;
  f->type = type;
  f->cb = def->fn;
  f->env = def->env;
  return f;
}

static const char *sort_word(uint8_t sort) {
  switch (sort) {
  case WF_SORT_FUNC: return "function";
  case WF_SORT_TYPE: return "type";
  case WF_SORT_INSTANCE: return "instance";
  case WF_SORT_COMPONENT: return "component";
  case WF_SORT_CORE_MODULE: return "core module";
  case WF_SORT_VALUE: return "value";
  default: return "item";
  }
}

/* One item of a host interface (or a top-level host item) for an import
 * of `sort` and static type `type` named `label`; missing ones are listed. */
static bool host_item(wf_cinst_t *top, const wf_liface_t *f, const char *iname, const char *name, size_t len,
                      uint8_t sort, wf_ctid_t type, wf_citem_t *item, missing_t *m) {
  const wf_ctypes_t *ts = top->comp->types;
  /* what the import is called in messages: `iface#name`, or `name` */
  const char *ipre = iname ? iname : "", *isep = iname ? "#" : "";
  int nl = WF_NLEN(len);
  item->sort = sort;
  item->type = type;
  bool resource = sort == WF_SORT_TYPE && wf_ctype(ts, type)->kind == WF_CT_RESOURCE;
  if (sort == WF_SORT_TYPE && !resource) return true;   /* a defined type: nothing to provide */
  if (sort != WF_SORT_FUNC && !resource) {
    missing(m, "component imports %s `%s%s%.*s`, which the host cannot provide", sort_word(sort), ipre, isep, nl, name);
    return true;
  }
  if (resource) {
    /* a resource an earlier import introduced (an `eq` export such as
     * wasi:io/streams' `error`) is that import's type, whatever is defined */
    wf_rtype_t *have = wf_cinst_rtype(top, type);
    if (have) {
      item->u.rtype = have;
      return true;
    }
  }
  const wf_ldef_t *d = f ? find_def(f, name, len) : NULL;
  if (!d) {
    missing(m, "component imports %s`%s%s%.*s`, which is not defined", resource ? "resource type " : "", ipre, isep, nl,
            name);
  } else if (resource && d->kind != WF_LDEF_RESOURCE) {
    missing(m, "component imports resource type `%s%s%.*s`, which is defined as a function", ipre, isep, nl, name);
  } else if (!resource && d->kind != WF_LDEF_FUNC) {
    missing(m, "component imports function `%s%s%.*s`, which is defined as a resource type", ipre, isep, nl, name);
  } else if (resource) {
    item->u.rtype = d->rt;
    if (!wf_cinst_bind_rid(top, wf_ctype(ts, type)->rid, d->rt)) return false;
  } else {
    item->u.func = host_func(top, type, d);
    if (!item->u.func) return false;
  }
  return true;
}

/* An instance served by another component instance: the provider's export
 * must list every item the import's type names (types are checked when the
 * import is bound). */
static bool provided_instance(wf_cinst_t *top, const wf_liface_t *f, const char *iname, const wf_ctype_t *it,
                              wf_citem_t *item, missing_t *m) {
  const wf_citems_t *ex = &f->provider->rt->top->exports;
  size_t elen = strlen(f->export_name);
  long k = wf_iface_pick(f->export_name, elen, ex->names, ex->n);
  if (k < 0 || ex->items[k].sort != WF_SORT_INSTANCE) {
    missing(m, "component imports `%s`, but the instance defined for it does not export an instance `%s`", iname,
            f->export_name);
    return true;
  }
  const wf_citems_t *pi = ex->items[k].u.inst;
  const wf_ctypes_t *ts = top->comp->types;
  for (uint32_t j = 0; j < it->nexports; j++) {
    const wf_cextern_t *e = &it->exports[j];
    const wf_citem_t *x = wf_citems_find(pi, e->name, e->name_len);
    if (!x) {
      missing(m, "component imports `%s#%.*s`, which the instance defined for it does not export", iname,
              WF_NLEN(e->name_len), e->name);
      continue;
    }
    /* its resources now, so that later imports' `eq` exports see them */
    const wf_ctype_t *et = wf_ctype(ts, e->type);
    if (e->sort == WF_SORT_TYPE && et->kind == WF_CT_RESOURCE && x->sort == WF_SORT_TYPE && x->u.rtype &&
        !wf_cinst_rtype(top, e->type) && !wf_cinst_bind_rid(top, et->rid, x->u.rtype))
      return false;
  }
  item->u.inst = ex->items[k].u.inst;
  return true;
}

/* Does an instance type export only defined (non-resource) types? */
static bool types_only(const wf_ctypes_t *ts, const wf_ctype_t *it) {
  for (uint32_t j = 0; j < it->nexports; j++) {
    const wf_cextern_t *x = &it->exports[j];
    if (x->sort != WF_SORT_TYPE || wf_ctype(ts, x->type)->kind == WF_CT_RESOURCE) return false;
  }
  return true;
}

bool wf_link_imports(const weft_linker_t *l, wf_cinst_t *top, wf_citems_t **out, weft_error_t *err) {
  wf_crt_t *rt = top->rt;
  const wf_component_t *c = top->comp;
  const wf_ctypes_t *ts = c->types;
  const wf_ctype_t *ct = wf_ctype(ts, c->type);
  wf_citems_t *args = wf_citems_new(&rt->arena, ct->nimports, ts);
  const char **inames = l->nifaces ? malloc(l->nifaces * sizeof *inames) : NULL;
  missing_t *m = calloc(1, sizeof *m);
  if (!args || (l->nifaces && !inames) || !m) goto nomem;
  for (size_t i = 0; i < l->nifaces; i++) inames[i] = l->ifaces[i].name;
  for (uint32_t i = 0; i < ct->nimports; i++) {
    const wf_cextern_t *e = &ct->imports[i];
    char *name = wf_arena_strndup(&rt->arena, e->name, e->name_len);
    if (!name) goto nomem;
    args->names[i] = name;
    args->lens[i] = e->name_len;
    wf_citem_t *item = &args->items[i];
    item->sort = e->sort;
    item->type = e->type;
    if (e->sort == WF_SORT_FUNC || e->sort == WF_SORT_TYPE) {
      if (!host_item(top, &l->top, NULL, e->name, e->name_len, e->sort, e->type, item, m)) goto nomem;
      continue;
    }
    if (e->sort != WF_SORT_INSTANCE) {
      missing(m, "component imports %s `%s`, which a linker cannot provide", sort_word(e->sort), name);
      continue;
    }
    long k = wf_iface_pick(e->name, e->name_len, inames, l->nifaces);
    const wf_ctype_t *it = wf_ctype(ts, e->type);
    /* an interface imported only for its types (wasi:clocks/wall-clock for
     * `datetime`) needs no definition: nothing in it is provided at run time */
    if (k < 0 && !types_only(ts, it)) {
      missing(m, "component imports instance `%s`, which is not defined", name);
      continue;
    }
    const wf_liface_t *f = k < 0 ? NULL : &l->ifaces[k];
    if (f && f->provider) {
      if (!provided_instance(top, f, name, it, item, m)) goto nomem;
      continue;
    }
    wf_citems_t *sub = wf_citems_new(&rt->arena, it->nexports, ts);
    if (!sub) goto nomem;
    for (uint32_t j = 0; j < it->nexports; j++) {
      const wf_cextern_t *x = &it->exports[j];
      sub->names[j] = wf_arena_strndup(&rt->arena, x->name, x->name_len);
      if (!sub->names[j]) goto nomem;
      sub->lens[j] = x->name_len;
      if (!host_item(top, f, name, x->name, x->name_len, x->sort, x->type, &sub->items[j], m)) goto nomem;
    }
    if (!wf_citems_index(&rt->arena, sub)) goto nomem;
    item->u.inst = sub;
  }
  if (!wf_citems_index(&rt->arena, args)) goto nomem;
  if (m->count) {
    if (m->hidden) snprintf(m->text + m->len, sizeof m->text - m->len, "\n(and %u more)", m->hidden);
    wf_api_err(err, WEFT_ERR_LINK, "%s", m->text);
    free(m);
    free(inames);
    return false;
  }
  free(m);
  free(inames);
  *out = args;
  return true;
nomem:
  free(m);
  free(inames);
  wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
  return false;
}

/* ---- the linker's storage ------------------------------------------------------------- */

static void iface_fini(wf_liface_t *f) {
  for (size_t i = 0; i < f->n; i++) free(f->defs[i].name);
  free(f->defs);
  free(f->name);
  free(f->export_name);
  memset(f, 0, sizeof *f);
}

void wf_linker_fini(weft_linker_t *l) {
  iface_fini(&l->top);
  for (size_t i = 0; i < l->nifaces; i++) iface_fini(&l->ifaces[i]);
  free(l->ifaces);
  for (size_t i = 0; i < l->nrtypes; i++) free(l->rtypes[i]);
  free(l->rtypes);
  free(l->states);
  memset(l, 0, sizeof *l);
}
