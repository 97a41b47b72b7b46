/* Instantiation arguments: named item lists with a by-name index, the
 * static rid -> runtime resource type map of each instance, and binding an
 * import's resources from the argument given for it (crt.h, clink.h). */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "cinternal.h"
#include "clink.h"

/* ---- named item lists ------------------------------------------------------ */

static uint32_t name_hash(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

wf_citems_t *wf_citems_new(wf_arena_t *a, uint32_t n, const wf_ctypes_t *ts) {
  wf_citems_t *l = wf_arena_alloc(a, sizeof *l);
  if (!l) return NULL;
  l->ts = ts;
  l->n = n;
  if (n) {
    l->names = wf_arena_alloc(a, (size_t)n * sizeof *l->names);
    l->items = wf_arena_alloc(a, (size_t)n * sizeof *l->items);
    l->lens = wf_arena_alloc(a, (size_t)n * sizeof *l->lens);
    if (!l->names || !l->items || !l->lens) return NULL;
  }
  return l;
}

bool wf_citems_index(wf_arena_t *a, wf_citems_t *l) {
  if (l->n < 8) return true;   /* short lists are searched linearly */
  if (!l->lens) {
    l->lens = wf_arena_alloc(a, (size_t)l->n * sizeof *l->lens);
    if (!l->lens) return false;
    for (uint32_t i = 0; i < l->n; i++) l->lens[i] = (uint32_t)strlen(l->names[i]);
  }
  uint32_t cap = 16;
  while (cap < l->n * 2u) cap *= 2;   /* n <= WF_CMAX_ITEMS: no overflow */
  uint32_t *slots = wf_arena_alloc(a, (size_t)cap * sizeof *slots);
  if (!slots) return false;
  for (uint32_t i = 0; i < l->n; i++) {
    uint32_t h = name_hash(l->names[i], l->lens[i]) & (cap - 1);
    while (slots[h]) {
      uint32_t j = slots[h] - 1;
      if (l->lens[j] == l->lens[i] && memcmp(l->names[j], l->names[i], l->lens[i]) == 0) break;  /* first wins */
      h = (h + 1) & (cap - 1);
    }
    if (!slots[h]) slots[h] = i + 1;
  }
  l->slots = slots;
  l->nslots = cap;
  return true;
}

const wf_citem_t *wf_citems_find(const wf_citems_t *l, const char *name, size_t len) {
  if (!l) return NULL;
  if (l->slots) {
    uint32_t h = name_hash(name, len) & (l->nslots - 1);
    while (l->slots[h]) {
      uint32_t j = l->slots[h] - 1;
      if (l->lens[j] == len && memcmp(l->names[j], name, len) == 0) return &l->items[j];
      h = (h + 1) & (l->nslots - 1);
    }
    return NULL;
  }
  for (uint32_t i = 0; i < l->n; i++) {
    size_t n = l->lens ? l->lens[i] : strlen(l->names[i]);
    if (n == len && memcmp(l->names[i], name, len) == 0) return &l->items[i];
  }
  return NULL;
}

/* wf_citems_find, trying position j first: the lists the linker makes
 * follow the order of the import's type, so this is usually a hit. */
static const wf_citem_t *find_at(const wf_citems_t *l, uint32_t j, const char *name, size_t len) {
  if (l && j < l->n && l->lens && l->lens[j] == len && memcmp(l->names[j], name, len) == 0) return &l->items[j];
  return wf_citems_find(l, name, len);
}

/* ---- rid maps ----------------------------------------------------------------- */

static wf_rtype_t *rid_get(const wf_ridtab_t *t, uint32_t rid) {
  if (!t->cap || !rid) return NULL;
  uint32_t h = (rid * 2654435761u) & (t->cap - 1);
  while (t->k[h]) {
    if (t->k[h] == rid) return t->v[h];
    h = (h + 1) & (t->cap - 1);
  }
  return NULL;
}

bool wf_cinst_bind_rid(wf_cinst_t *inst, uint32_t rid, wf_rtype_t *rt) {
  wf_ridtab_t *t = &inst->rids;
  if (!rid) return false;
  if ((t->n + 1) * 2 > t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 16;
    uint32_t *k = wf_arena_alloc(&inst->rt->arena, (size_t)cap * sizeof *k);
    wf_rtype_t **v = wf_arena_alloc(&inst->rt->arena, (size_t)cap * sizeof *v);
    if (!k || !v) return false;
    for (uint32_t i = 0; i < t->cap; i++) {
      if (!t->k[i]) continue;
      uint32_t h = (t->k[i] * 2654435761u) & (cap - 1);
      while (k[h]) h = (h + 1) & (cap - 1);
      k[h] = t->k[i];
      v[h] = t->v[i];
    }
    t->k = k;   /* the old arrays stay in the arena */
    t->v = v;
    t->cap = cap;
  }
  uint32_t h = (rid * 2654435761u) & (t->cap - 1);
  while (t->k[h] && t->k[h] != rid) h = (h + 1) & (t->cap - 1);
  if (!t->k[h]) t->n++;
  t->k[h] = rid;
  t->v[h] = rt;
  return true;
}

wf_rtype_t *wf_cinst_rtype(const wf_cinst_t *inst, wf_ctid_t node) {
  if (!inst || !node) return NULL;
  const wf_ctypes_t *ts = inst->comp->types;
  if (node >= ts->n) return NULL;
  const wf_ctype_t *t = wf_ctype(ts, node);
  if (t->kind == WF_CT_OWN || t->kind == WF_CT_BORROW) {
    if (!t->t1 || t->t1 >= ts->n) return NULL;
    t = wf_ctype(ts, t->t1);
  }
  if (t->kind != WF_CT_RESOURCE) return NULL;
  for (const wf_cinst_t *i = inst; i; i = i->parent) {
    wf_rtype_t *rt = rid_get(&i->rids, t->rid);
    if (rt) return rt;
  }
  return NULL;
}

/* ---- binding imports ---------------------------------------------------------- */

/* Bind the resource node `node` (in inst's table) to rt: a fresh binding, or
 * a check that an earlier one (an `eq` import, a shared rid) agrees. */
static bool bind_resource(wf_cinst_t *inst, wf_ctid_t node, wf_rtype_t *rt, const char *what, const char *name,
                          int nlen, weft_error_t *err) {
  const wf_ctype_t *t = wf_ctype(inst->comp->types, node);
  wf_rtype_t *have = wf_cinst_rtype(inst, node);
  if (have) {
    if (have == rt) return true;
    wf_api_err(err, WEFT_ERR_LINK, "import `%s`: resource type `%.*s` is not the one the component requires", what,
               nlen, name);
    return false;
  }
  if (!wf_cinst_bind_rid(inst, t->rid, rt)) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return false;
  }
  return true;
}

/* Pass 1: sorts, presence of exports, resources. `name` (nlen bytes) says
 * which item in messages. */
static bool bind_walk(wf_cinst_t *inst, const char *what, const char *name, int nlen, uint8_t sort, wf_ctid_t type,
                      const wf_citem_t *item, uint32_t depth, weft_error_t *err) {
  const wf_ctypes_t *ts = inst->comp->types;
  if (item->sort != sort) {
    wf_api_err(err, WEFT_ERR_LINK, "import `%s`: `%.*s` is a %s, expected a %s", what, nlen, name,
               wf_sort_name(item->sort), wf_sort_name(sort));
    return false;
  }
  if (depth > WF_CMAX_DEPTH) {
    wf_api_err(err, WEFT_ERR_LINK, "import `%s`: instance types nested too deeply", what);
    return false;
  }
  const wf_ctype_t *t = wf_ctype(ts, type);
  if (sort == WF_SORT_TYPE && t->kind == WF_CT_RESOURCE) {
    if (!item->u.rtype) {
      wf_api_err(err, WEFT_ERR_LINK, "import `%s`: `%.*s` is not a resource type", what, nlen, name);
      return false;
    }
    return bind_resource(inst, type, item->u.rtype, what, name, nlen, err);
  }
  if (sort == WF_SORT_INSTANCE && t->kind == WF_CT_INSTANCE) {
    for (uint32_t i = 0; i < t->nexports; i++) {
      const wf_cextern_t *e = &t->exports[i];
      const wf_citem_t *x = find_at(item->u.inst, i, e->name, e->name_len);
      if (!x) {
        wf_api_err(err, WEFT_ERR_LINK, "import `%s`: instance `%.*s` has no export `%.*s`", what, nlen, name,
                   WF_NLEN(e->name_len), e->name);
        return false;
      }
      if (!bind_walk(inst, what, e->name, WF_NLEN(e->name_len), e->sort, e->type, x, depth + 1, err)) return false;
    }
  }
  return true;
}

/* Pass 2: function types of arguments from another runtime. */
static bool check_walk(wf_cinst_t *inst, const char *what, const char *name, int nlen, uint8_t sort,
                       wf_ctid_t type, const wf_citem_t *item, uint64_t *work, weft_error_t *err) {
  const wf_ctypes_t *ts = inst->comp->types;
  const wf_ctype_t *t = wf_ctype(ts, type);
  if (sort == WF_SORT_FUNC) {
    const wf_cfunc_t *f = item->u.func;
    if (!f || f->inst->rt == inst->rt) return true;   /* same runtime: validated statically */
    char why[256];
    if (!wf_cfunc_type_match(inst, type, f->inst, f->type, why, sizeof why, work)) {
      wf_api_err(err, WEFT_ERR_LINK, "import `%s`: function `%.*s` has the wrong type: %s", what, nlen, name, why);
      return false;
    }
    return true;
  }
  if (sort == WF_SORT_INSTANCE && t->kind == WF_CT_INSTANCE) {
    for (uint32_t i = 0; i < t->nexports; i++) {
      const wf_cextern_t *e = &t->exports[i];
      const wf_citem_t *x = find_at(item->u.inst, i, e->name, e->name_len);
      if (!x) continue;   /* pass 1 reported it */
      if (!check_walk(inst, what, e->name, WF_NLEN(e->name_len), e->sort, e->type, x, work, err)) return false;
    }
  }
  return true;
}

bool wf_cinst_bind_import(wf_cinst_t *inst, const char *what, uint8_t sort, wf_ctid_t type, const wf_citem_t *item,
                          weft_error_t *err) {
  uint64_t work = 0;
  int wl = WF_NLEN(strlen(what));
  return bind_walk(inst, what, what, wl, sort, type, item, 0, err) &&
         check_walk(inst, what, what, wl, sort, type, item, &work, err);
}

/* Resources of a nested instance's static type that the parent has not
 * bound yet are the child's own: take them from its runtime exports. */
static bool bind_exports_walk(wf_cinst_t *inst, wf_ctid_t itype, const wf_citems_t *ex, uint32_t depth,
                              weft_error_t *err) {
  const wf_ctypes_t *ts = inst->comp->types;
  const wf_ctype_t *t = wf_ctype(ts, itype);
  if (t->kind != WF_CT_INSTANCE || depth > WF_CMAX_DEPTH) return true;
  for (uint32_t i = 0; i < t->nexports; i++) {
    const wf_cextern_t *e = &t->exports[i];
    const wf_citem_t *x = wf_citems_find(ex, e->name, e->name_len);
    if (!x || x->sort != e->sort) {
      wf_api_err(err, WEFT_ERR_LINK, "nested instance does not export `%.*s` as its type says", WF_NLEN(e->name_len),
                 e->name);
      return false;
    }
    const wf_ctype_t *et = wf_ctype(ts, e->type);
    if (e->sort == WF_SORT_TYPE && et->kind == WF_CT_RESOURCE) {
      if (wf_cinst_rtype(inst, e->type)) continue;
      if (!x->u.rtype) {
        wf_api_err(err, WEFT_ERR_LINK, "nested instance export `%.*s` is not a resource at run time",
                   WF_NLEN(e->name_len), e->name);
        return false;
      }
      if (!wf_cinst_bind_rid(inst, et->rid, x->u.rtype)) {
        wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
        return false;
      }
    } else if (e->sort == WF_SORT_INSTANCE) {
      if (!bind_exports_walk(inst, e->type, x->u.inst, depth + 1, err)) return false;
    }
  }
  return true;
}

bool wf_cinst_bind_exports(wf_cinst_t *inst, wf_ctid_t itype, const wf_citems_t *exports, weft_error_t *err) {
  return bind_exports_walk(inst, itype, exports, 0, err);
}
