/* WIT resolver: parse trees of several packages to the resolved IR.
 * Packages are ordered by their foreign references (cycles rejected);
 * interfaces and worlds inside a package by `use`/`include` (cycles
 * rejected); types of an interface are checked for cycles with an explicit
 * stack. Every walk over guest-controlled chains is iterative or capped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/wit_internal.h"
#include "wit/wit_map.h"

#define MAX_DEP_DEPTH 1000

typedef struct {
  wit_ctx *c;
  wit_arena *a;
  wf_wit_t *w;
  uint32_t cap_pk, cap_if, cap_wo, cap_ty;
  wit_apkgs *pk;
  wit_map pkg_by_id;           /* "ns:name@ver" -> index in pk */
  int depth;
  const char *cur_name;        /* the interface/world being resolved (for cycle messages) */
  uint32_t cur_pos;
  wit_map pkg_by_name;         /* "ns:name" -> index in pk (unversioned first) */
  wit_map **iface_types;       /* per IR interface: type name -> type index (built on demand) */
  uint32_t niface_types;
  uint32_t *tpos;              /* per type: source position of its definition (0: none) */
  uint32_t ntpos, captpos;
  uint8_t *borrow_memo;        /* per type: 0 unknown, 1 no borrow, 2 has borrow */
  uint32_t nborrow_memo;
} R;

typedef struct {
  wit_apkg *ap;
  uint32_t pkg;                /* IR package */
  wit_map items;               /* name -> 1+index into ap->ifaces, or (1<<30)+index into worlds */
  wit_map *file_uses;          /* per file: name -> index into file uses */
} PK;

#define WORLD_BIT (1u << 30)

static bool oom(R *r) { return wf_wit_err_nopos(r->c, "out of memory"); }

static bool feature_on(R *r, const char *f) {
  if (r->c->all_features) return true;
  for (uint32_t i = 0; i < r->c->nfeatures; i++)
    if (strcmp(r->c->features[i], f) == 0) return true;
  return false;
}

static bool excluded(R *r, const wit_agate *g) { return g->feature && !feature_on(r, g->feature); }

static void to_gate(wf_wit_gate_t *o, const wit_agate *g) {
  o->kind = g->kind;
  o->value = g->value;
  o->since = g->since;
}

/* semver compare of the numeric core (pre-release ranks lower). */
static int vcmp(const char *a, const char *b) {
  for (int i = 0; i < 3; i++) {
    unsigned long long x = strtoull(a, (char **)&a, 10), y = strtoull(b, (char **)&b, 10);
    if (x != y) return x < y ? -1 : 1;
    if (*a == '.') a++;
    if (*b == '.') b++;
  }
  int pa = *a == '-', pb = *b == '-';
  if (pa != pb) return pa ? -1 : 1;
  return 0;
}

static bool check_gate(R *r, PK *pk, const wit_agate *g) {
  const char *v = g->kind == 1 ? g->value : g->kind == 3 ? g->since : NULL;
  if (!v) return true;
  if (!pk->ap->version) return true;
  if (vcmp(v, pk->ap->version) > 0)
    return wf_wit_err(r->c, g->pos,
                      "feature gate cannot reference unreleased version %s of package [%s:%s@%s] (current version %s)",
                      v, pk->ap->ns, pk->ap->name, pk->ap->version, pk->ap->version);
  return true;
}

static const char *pkg_id(R *r, const char *ns, const char *name, const char *ver) {
  size_t n = strlen(ns) + strlen(name) + (ver ? strlen(ver) + 1 : 0) + 2;
  char *s = wf_wit_alloc(r->a, n);
  if (s) snprintf(s, n, "%s:%s%s%s", ns, name, ver ? "@" : "", ver ? ver : "");
  return s;
}

/* ---- IR builders ---- */
static int32_t new_type(R *r, const char *name, uint8_t kind, uint8_t ok, uint32_t owner) {
  wf_wit_type_t *t = WIT_PUSH(r->a, r->w->types, r->w->ntypes, r->cap_ty);
  if (!t) return -1;
  memset(t, 0, sizeof *t);
  t->name = name;
  t->kind = kind;
  t->owner_kind = ok;
  t->owner = owner;
  t->a = t->b = WF_WIT_NONE;
  while (r->ntpos < r->w->ntypes) {
    uint32_t *p = WIT_PUSH(r->a, r->tpos, r->ntpos, r->captpos);
    if (!p) return -1;
    *p = 0;
  }
  return (int32_t)(r->w->ntypes - 1);
}

/* ---- finding packages ---- */
static int32_t find_apkg(R *r, const char *ns, const char *name, const char *ver) {
  if (ver) {
    const char *id = pkg_id(r, ns, name, ver);
    if (!id) return -1;
    uint32_t *v = wit_map_get(&r->pkg_by_id, id);
    return v ? (int32_t)*v : -1;
  }
  size_t n = strlen(ns) + strlen(name) + 2;
  char *key = wf_wit_alloc(r->a, n);
  if (!key) return -1;
  snprintf(key, n, "%s:%s", ns, name);
  uint32_t *v = wit_map_get(&r->pkg_by_name, key);
  return v ? (int32_t)*v : -1;
}

static bool pkg_not_found(R *r, const wit_apath *pt) {
  char known[256];
  size_t o = 0;
  known[0] = 0;
  for (uint32_t i = 0; i < r->pk->npkgs && o + 2 < sizeof known; i++) {
    wit_apkg *p = r->pk->pkgs[i];
    if (!p->has_name) continue;
    int n = snprintf(known + o, sizeof known - o, "\n    %s:%s%s%s", p->ns, p->name, p->version ? "@" : "",
                     p->version ? p->version : "");
    if (n < 0) break;
    o += (size_t)n;
    if (o >= sizeof known) o = sizeof known - 1;
  }
  return wf_wit_err(r->c, pt->pos, "package '%s:%s%s%s' not found. known packages:%s", pt->ns, pt->pkg,
                    pt->version ? "@" : "", pt->version ? pt->version : "", known);
}

/* ---- package dependency order ---- */
typedef struct { wit_apath **v; uint32_t n, cap; } pathvec;

static bool add_path(R *r, pathvec *pv, wit_apath *p) {
  if (!p->ns) return true;
  wit_apath **s = WIT_PUSH(r->a, pv->v, pv->n, pv->cap);
  if (!s) return oom(r);
  *s = p;
  return true;
}

static bool iface_paths(R *r, pathvec *pv, wit_aiface *it) {
  for (uint32_t i = 0; i < it->nitems; i++)
    if (it->items[i].kind == AI_USE && !add_path(r, pv, &it->items[i].use.path)) return false;
  return true;
}

static bool collect_paths(R *r, wit_apkg *p, pathvec *pv) {
  for (uint32_t f = 0; f < p->nfiles; f++)
    for (uint32_t i = 0; i < p->files[f].nuses; i++)
      if (!add_path(r, pv, &p->files[f].uses[i].path)) return false;
  for (uint32_t i = 0; i < p->nifaces; i++)
    if (!iface_paths(r, pv, p->ifaces[i])) return false;
  for (uint32_t i = 0; i < p->nworlds; i++) {
    wit_aworld *w = p->worlds[i];
    for (uint32_t j = 0; j < w->nitems; j++) {
      wit_awitem *it = &w->items[j];
      if ((it->kind == AW_IMPORT || it->kind == AW_EXPORT) && it->xkind == AX_PATH && !add_path(r, pv, &it->path))
        return false;
      if ((it->kind == AW_IMPORT || it->kind == AW_EXPORT) && it->xkind == AX_IFACE && !iface_paths(r, pv, it->iface))
        return false;
      if (it->kind == AW_INCLUDE && !add_path(r, pv, &it->path)) return false;
      if (it->kind == AW_USE && !add_path(r, pv, &it->use.path)) return false;
    }
  }
  return true;
}

/* Iterative DFS post-order over packages. order receives indices into pk. */
static bool order_packages(R *r, uint32_t *order, uint32_t *norder) {
  uint32_t n = r->pk->npkgs;
  pathvec *deps = wf_wit_alloc(r->a, sizeof(pathvec) * (n ? n : 1));
  uint32_t *stack = wf_wit_alloc(r->a, sizeof(uint32_t) * 2 * (n ? n : 1));
  if (!deps || !stack) return oom(r);
  for (uint32_t i = 0; i < n; i++)
    if (!collect_paths(r, r->pk->pkgs[i], &deps[i])) return false;
  *norder = 0;
  for (uint32_t s = 0; s < n; s++) {
    if (r->pk->pkgs[s]->state) continue;
    uint32_t sp = 0;
    stack[sp++] = s;
    stack[sp++] = 0;
    r->pk->pkgs[s]->state = 1;
    while (sp) {
      uint32_t cur = stack[sp - 2], *ei = &stack[sp - 1];
      wit_apkg *cp = r->pk->pkgs[cur];
      if (*ei < deps[cur].n) {
        wit_apath *pt = deps[cur].v[(*ei)++];
        int32_t t = find_apkg(r, pt->ns, pt->pkg, pt->version);
        if (t < 0) return pkg_not_found(r, pt);
        wit_apkg *tp = r->pk->pkgs[t];
        if (tp->state == 1)
          return wf_wit_err(r->c, pt->pos, "package `%s:%s` creates a dependency cycle", cp->ns, cp->name);
        if (tp->state == 2) continue;
        tp->state = 1;
        stack[sp++] = (uint32_t)t;
        stack[sp++] = 0;
        continue;
      }
      cp->state = 2;
      order[(*norder)++] = cur;
      sp -= 2;
    }
  }
  return true;
}

/* ---- interface and world lookups within a package ---- */
typedef struct {
  int kind;                    /* 0 none, 1 iface, 2 world */
  wit_aiface *ai;              /* local, unresolved */
  wit_aworld *aw;
  int32_t ir;                  /* foreign: IR index */
} target;

static bool resolve_iface(R *r, PK *pk, wit_aiface *it, int32_t *out);
static bool resolve_world(R *r, PK *pk, wit_aworld *w);

static bool lookup_foreign(R *r, const wit_apath *pt, target *t, bool want_world) {
  int32_t pi = find_apkg(r, pt->ns, pt->pkg, pt->version);
  if (pi < 0) return pkg_not_found(r, pt);
  wit_apkg *ap = r->pk->pkgs[pi];
  if (ap->resolved < 0) return pkg_not_found(r, pt);
  wf_wit_package_t *p = &r->w->packages[ap->resolved];
  const wit_map *items = ap->items_map;
  uint32_t *v = items ? wit_map_get(items, pt->name) : NULL;
  if (want_world) {
    if (v && (*v & WORLD_BIT)) {
      wit_aworld *aw = ap->worlds[*v & ~WORLD_BIT];
      if (aw->resolved < 0)
        return wf_wit_err(r->c, pt->pos, "found a reference to a world which is excluded due to its feature not being activated");
      t->kind = 2;
      t->ir = aw->resolved;
      return true;
    }
    return wf_wit_err(r->c, pt->pos, "world '%s' not found in package '%s'", pt->name, p->id);
  }
  if (v && !(*v & WORLD_BIT)) {
    wit_aiface *ai = ap->ifaces[*v];
    if (ai->resolved < 0)
      return wf_wit_err(r->c, pt->pos, "found a reference to a interface which is excluded due to its feature not being activated");
    t->kind = 1;
    t->ir = ai->resolved;
    return true;
  }
  return wf_wit_err(r->c, pt->pos, "interface '%s' not found in package '%s'", pt->name, p->id);
}

static bool lookup_path(R *r, PK *pk, uint32_t file, const wit_apath *pt, target *t, bool want_world, int depth) {
  memset(t, 0, sizeof *t);
  t->ir = -1;
  if (pt->ns) return lookup_foreign(r, pt, t, want_world);
  uint32_t *fu = file < pk->ap->nfiles ? wit_map_get(&pk->file_uses[file], pt->name) : NULL;
  if (fu) {
    wit_atopuse *u = &pk->ap->files[file].uses[*fu];
    if (depth > 4) return wf_wit_err(r->c, pt->pos, "interface or world `%s` does not exist", pt->name);
    wit_apath p2 = u->path;
    p2.pos = pt->pos;
    if (!u->path.ns) {
      /* a use of a local name: look in package items only */
      uint32_t *v = wit_map_get(&pk->items, u->path.name);
      if (!v) return wf_wit_err(r->c, u->pos, "interface or world `%s` does not exist", u->path.name);
      if (*v & WORLD_BIT) { t->kind = 2; t->aw = pk->ap->worlds[*v & ~WORLD_BIT]; }
      else { t->kind = 1; t->ai = pk->ap->ifaces[*v]; }
    } else if (!lookup_foreign(r, &p2, t, want_world)) {
      return false;
    }
  } else {
    uint32_t *v = wit_map_get(&pk->items, pt->name);
    if (!v) return wf_wit_err(r->c, pt->pos, "interface or world `%s` does not exist", pt->name);
    if (*v & WORLD_BIT) { t->kind = 2; t->aw = pk->ap->worlds[*v & ~WORLD_BIT]; }
    else { t->kind = 1; t->ai = pk->ap->ifaces[*v]; }
  }
  if (want_world && t->kind != 2)
    return wf_wit_err(r->c, pt->pos, "name `%s` is defined as an interface, not a world", pt->name);
  if (!want_world && t->kind != 1)
    return wf_wit_err(r->c, pt->pos, "name `%s` is defined as a world, not an interface", pt->name);
  return true;
}

/* Resolve a path to an IR interface index. */
static bool path_iface(R *r, PK *pk, uint32_t file, const wit_apath *pt, int32_t *out) {
  target t;
  if (!lookup_path(r, pk, file, pt, &t, false, 0)) return false;
  if (t.ai) {
    if (t.ai->state == 1)
      return wf_wit_err(r->c, r->cur_name ? r->cur_pos : pt->pos, "interface or world `%s` depends on itself",
                        r->cur_name ? r->cur_name : t.ai->name);
    if (!resolve_iface(r, pk, t.ai, out)) return false;
    if (*out == -2)
      return wf_wit_err(r->c, pt->pos, "found a reference to a interface which is excluded due to its feature not being activated");
    return true;
  }
  *out = t.ir;
  return true;
}

/* ---- type scopes ---- */
typedef struct {
  wit_map names;               /* name -> index in ents */
  struct ent { int32_t type; uint8_t func; uint8_t excl; uint8_t foreign; } *ents;
  uint8_t in_func;             /* lowering a function signature (message wording) */
  uint8_t in_fields;           /* lowering record/variant members: functions are not visible */
  uint32_t nents, capents;
  uint8_t owner_kind;
  uint32_t owner;
  /* handles to check after lowering */
  struct hchk { int32_t type; uint32_t pos; const char *name; uint8_t foreign; } *hs;
  uint32_t nhs, caphs;
} scope;

static bool scope_add(R *r, scope *s, const char *name, uint32_t pos, int32_t type, bool func, bool excl) {
  bool ex;
  if (!wit_map_put(r->a, &s->names, name, s->nents, &ex)) return oom(r);
  if (ex) return wf_wit_err(r->c, pos, "name `%s` is defined more than once", name);
  struct ent *e = WIT_PUSH(r->a, s->ents, s->nents, s->capents);
  if (!e) return oom(r);
  e->type = type;
  e->func = func;
  e->excl = excl;
  return true;
}

static int32_t lower(R *r, scope *s, const wit_aty *t);

static wf_wit_tref lower_opt(R *r, scope *s, const wit_aty *t, bool *ok) {
  if (!t) return WF_WIT_NONE;
  int32_t v = lower(r, s, t);
  if (v == WF_WIT_NONE) *ok = false;
  return v;
}

static int32_t anon(R *r, uint8_t kind) {
  int32_t i = new_type(r, NULL, kind, WF_WIT_OWNER_NONE, 0);
  if (i < 0) oom(r);
  return i < 0 ? WF_WIT_NONE : i;
}

static int32_t named_ref_h(R *r, scope *s, const char *name, uint32_t pos, bool handle) {
  uint32_t *v = wit_map_get(&s->names, name);
  if (handle || s->in_fields) handle = true;
  if (!v || (handle && s->ents[*v].func)) {
    wf_wit_err(r->c, pos, "%s `%s` does not exist", s->in_func && !handle ? "name" : "type", name);
    return WF_WIT_NONE;
  }
  struct ent *e = &s->ents[*v];
  if (e->func) { wf_wit_err(r->c, pos, "cannot use function `%s` as a type", name); return WF_WIT_NONE; }
  if (e->excl) {
    wf_wit_err(r->c, pos, "found a reference to a type which is excluded due to its feature not being activated");
    return WF_WIT_NONE;
  }
  return e->type;
}

static int32_t named_ref(R *r, scope *s, const char *name, uint32_t pos) {
  return named_ref_h(r, s, name, pos, false);
}

static wf_wit_tref unalias(const wf_wit_t *w, wf_wit_tref t);

static int32_t lower(R *r, scope *s, const wit_aty *t) {
  bool ok = true;
  int32_t i = WF_WIT_NONE;
  switch (t->kind) {
    case AT_PRIM: return WF_WIT_PRIM_REF(t->prim);
    case AT_NAMED: {
      int32_t target = named_ref(r, s, t->name, t->pos);
      if (target == WF_WIT_NONE || target < 0) return target;
      wf_wit_tref u = unalias(r->w, target);
      if (u >= 0 && r->w->types[u].kind == WF_WIT_TYPE_RESOURCE) {
        if ((i = anon(r, WF_WIT_TYPE_OWN)) == WF_WIT_NONE) return i;
        r->w->types[i].a = target;
      }
      return i == WF_WIT_NONE ? target : i;
    }
    case AT_OWN: case AT_BORROW: {
      int32_t target = named_ref_h(r, s, t->name, t->pos, true);
      if (target == WF_WIT_NONE) return WF_WIT_NONE;
      uint32_t *ev = wit_map_get(&s->names, t->name);
      uint8_t foreign = ev ? s->ents[*ev].foreign : 0;
      if ((i = anon(r, t->kind == AT_OWN ? WF_WIT_TYPE_OWN : WF_WIT_TYPE_BORROW)) == WF_WIT_NONE) return i;
      r->w->types[i].a = target;
      struct hchk *h = WIT_PUSH(r->a, s->hs, s->nhs, s->caphs);
      if (!h) { oom(r); return WF_WIT_NONE; }
      h->type = target; h->pos = t->pos; h->name = t->name; h->foreign = foreign;
      return i;
    }
    case AT_LIST: case AT_FIXED_LIST: case AT_OPTION: case AT_STREAM: case AT_FUTURE: {
      static const uint8_t k[] = {[AT_LIST] = WF_WIT_TYPE_LIST, [AT_FIXED_LIST] = WF_WIT_TYPE_FIXED_LIST,
                                  [AT_OPTION] = WF_WIT_TYPE_OPTION, [AT_STREAM] = WF_WIT_TYPE_STREAM,
                                  [AT_FUTURE] = WF_WIT_TYPE_FUTURE};
      wf_wit_tref a = lower_opt(r, s, t->a, &ok);
      if (!ok) return WF_WIT_NONE;
      if ((i = anon(r, k[t->kind])) == WF_WIT_NONE) return i;
      r->w->types[i].a = a;
      r->w->types[i].length = t->len;
      return i;
    }
    case AT_MAP: case AT_RESULT: {
      wf_wit_tref a = lower_opt(r, s, t->a, &ok);
      wf_wit_tref b = ok ? lower_opt(r, s, t->b, &ok) : WF_WIT_NONE;
      if (!ok) return WF_WIT_NONE;
      if (t->kind == AT_MAP) {
        wf_wit_tref k = a;
        /* keys: primitives except floats and error-context (through aliases) */
        for (int guard = 0; guard < 10000 && k >= 0 && r->w->types[k].kind == WF_WIT_TYPE_ALIAS; guard++)
          k = r->w->types[k].a;
        if (k >= 0 || k == WF_WIT_PRIM_REF(WF_WIT_F32) || k == WF_WIT_PRIM_REF(WF_WIT_F64) ||
            k == WF_WIT_PRIM_REF(WF_WIT_ERROR_CONTEXT)) {
          wf_wit_err(r->c, t->a->pos, "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string");
          return WF_WIT_NONE;
        }
      }
      if ((i = anon(r, t->kind == AT_MAP ? WF_WIT_TYPE_MAP : WF_WIT_TYPE_RESULT)) == WF_WIT_NONE) return i;
      r->w->types[i].a = a;
      r->w->types[i].b = b;
      return i;
    }
    case AT_TUPLE: {
      wf_wit_field_t *f = wf_wit_alloc(r->a, sizeof *f * (t->nelems ? t->nelems : 1));
      if (!f) { oom(r); return WF_WIT_NONE; }
      for (uint32_t j = 0; j < t->nelems; j++) {
        f[j].type = lower(r, s, t->elems[j]);
        if (f[j].type == WF_WIT_NONE) return WF_WIT_NONE;
      }
      if ((i = anon(r, WF_WIT_TYPE_TUPLE)) == WF_WIT_NONE) return i;
      r->w->types[i].fields = f;
      r->w->types[i].nfields = t->nelems;
      return i;
    }
  }
  return WF_WIT_NONE;
}

/* Lower a typedef body into the already-created slot ti. */
static bool lower_def(R *r, scope *s, const wit_adef *d, int32_t ti) {
  wf_wit_type_t *t = &r->w->types[ti];
  switch (d->kind) {
    case AD_ALIAS: {
      int32_t a = d->alias->kind == AT_NAMED ? named_ref(r, s, d->alias->name, d->alias->pos) : lower(r, s, d->alias);
      if (a == WF_WIT_NONE) return false;
      if (a >= 0 && !r->w->types[a].name) {
        /* `type x = list<u8>`: x is that structure itself */
        wf_wit_type_t *src = &r->w->types[a], *dst = &r->w->types[ti];
        dst->kind = src->kind;
        dst->a = src->a;
        dst->b = src->b;
        dst->length = src->length;
        dst->fields = src->fields;
        dst->nfields = src->nfields;
        return true;
      }
      r->w->types[ti].a = a;
      return true;
    }
    case AD_RESOURCE: return true;
    default: break;
  }
  if (d->nitems == 0 && (d->kind == AD_ENUM || d->kind == AD_VARIANT))
    return wf_wit_err(r->c, d->pos, "empty %s", d->kind == AD_ENUM ? "enum" : "variant");
  wf_wit_field_t *f = wf_wit_alloc(r->a, sizeof *f * (d->nitems ? d->nitems : 1));
  if (!f) return oom(r);
  wit_map seen = {0};
  for (uint32_t j = 0; j < d->nitems; j++) {
    bool ex;
    if (!wit_map_put(r->a, &seen, d->items[j].name, j, &ex)) return oom(r);
    if (ex) {
      static const char *const what[] = {[AD_RECORD] = "field", [AD_VARIANT] = "case", [AD_ENUM] = "case", [AD_FLAGS] = "flag"};
      return wf_wit_err(r->c, d->items[j].pos, "%s `%s` is defined more than once", what[d->kind], d->items[j].name);
    }
    f[j].name = d->items[j].name;
    f[j].docs = d->items[j].docs;
    f[j].type = WF_WIT_NONE;
    if (d->items[j].ty) {
      s->in_fields = 1;
      f[j].type = lower(r, s, d->items[j].ty);
      s->in_fields = 0;
      if (f[j].type == WF_WIT_NONE) return false;
    }
  }
  t = &r->w->types[ti];
  t->fields = f;
  t->nfields = d->nitems;
  return true;
}

/* Edges of a type in the type graph (targets of type refs). */
static uint32_t type_edges(const wf_wit_t *w, uint32_t ti, uint32_t k, wf_wit_tref *out) {
  const wf_wit_type_t *t = &w->types[ti];
  if (t->kind == WF_WIT_TYPE_OWN || t->kind == WF_WIT_TYPE_BORROW) return 0;
  if (k == 0) { *out = t->a; return 1; }
  if (k == 1) { *out = t->b; return 1; }
  if (k - 2 < t->nfields) { *out = t->fields[k - 2].type; return 1; }
  return 0;
}

/* Reject cycles among types reachable from [first, ntypes). marks: 0/1/2
 * per type, allocated for the whole type array. */
static bool check_cycles(R *r, uint32_t first, uint8_t *marks, uint32_t *stack) {
  wf_wit_t *w = r->w;
  for (uint32_t s = first; s < w->ntypes; s++) {
    if (marks[s - first]) continue;
    uint32_t sp = 0;
    stack[sp++] = s;
    stack[sp++] = 0;
    marks[s - first] = 1;
    while (sp) {
      uint32_t cur = stack[sp - 2];
      wf_wit_tref e;
      if (type_edges(w, cur, stack[sp - 1]++, &e)) {
        if (e < 0 || (uint32_t)e < first) continue;
        uint8_t *m = &marks[e - first];
        if (*m == 1) {
          /* name the cycle by the named type on the stack nearest the top */
          const char *nm = NULL;
          uint32_t pos = 0;
          for (uint32_t q = sp; q >= 2 && !nm; q -= 2) {
            nm = w->types[stack[q - 2]].name;
            pos = stack[q - 2] < r->ntpos ? r->tpos[stack[q - 2]] : 0;
          }
          if (!pos) return wf_wit_err_nopos(r->c, "type `%s` depends on itself", nm ? nm : "?");
          return wf_wit_err(r->c, pos, "type `%s` depends on itself", nm ? nm : "?");
        }
        if (*m == 2) continue;
        *m = 1;
        stack[sp++] = (uint32_t)e;
        stack[sp++] = 0;
        continue;
      }
      marks[cur - first] = 2;
      sp -= 2;
    }
  }
  return true;
}

static wf_wit_tref unalias(const wf_wit_t *w, wf_wit_tref t) {
  for (uint32_t g = 0; g <= w->ntypes && t >= 0 && w->types[t].kind == WF_WIT_TYPE_ALIAS; g++) t = w->types[t].a;
  return t;
}

static bool check_handles(R *r, scope *s) {
  for (uint32_t i = 0; i < s->nhs; i++) {
    wf_wit_tref t = unalias(r->w, s->hs[i].type);
    if (t < 0 || r->w->types[t].kind != WF_WIT_TYPE_RESOURCE) {
      if (s->hs[i].foreign) return wf_wit_err(r->c, s->hs[i].pos, "type used in a handle must be a resource");
      return wf_wit_err(r->c, s->hs[i].pos, "type `%s` used in a handle must be a resource", s->hs[i].name);
    }
  }
  return true;
}

/* Does type t contain a borrow (through anonymous and named structure)?
 * Iterative post-order walk, memoized per type. */
static bool has_borrow(R *r, wf_wit_tref root, bool *out) {
  wf_wit_t *w = r->w;
  *out = false;
  if (root < 0) return true;
  if (w->ntypes > r->nborrow_memo) {
    uint8_t *nm = wf_wit_alloc(r->a, w->ntypes + 64);
    if (!nm) return oom(r);
    if (r->borrow_memo) memcpy(nm, r->borrow_memo, r->nborrow_memo);
    r->borrow_memo = nm;
    r->nborrow_memo = w->ntypes + 64;
  }
  uint8_t *memo = r->borrow_memo;
  uint32_t cap = 0, sp = 0;
  struct bf { uint32_t t, k; } *st = NULL;
  struct bf *f0 = WIT_PUSH(r->a, st, sp, cap);
  if (!f0) return oom(r);
  f0->t = (uint32_t)root;
  f0->k = 0;
  while (sp) {
    struct bf *f = &st[sp - 1];
    const wf_wit_type_t *ty = &w->types[f->t];
    if (memo[f->t]) { sp--; continue; }
    if (ty->kind == WF_WIT_TYPE_BORROW) { memo[f->t] = 2; sp--; continue; }
    if (ty->kind == WF_WIT_TYPE_OWN || ty->kind == WF_WIT_TYPE_RESOURCE) { memo[f->t] = 1; sp--; continue; }
    wf_wit_tref e;
    if (type_edges(w, f->t, f->k++, &e)) {
      if (e < 0 || memo[e]) continue;
      memo[f->t] = 0;
      struct bf *nf = WIT_PUSH(r->a, st, sp, cap);
      if (!nf) return oom(r);
      nf->t = (uint32_t)e;
      nf->k = 0;
      continue;
    }
    /* all children done */
    uint8_t res = 1;
    wf_wit_tref c;
    for (uint32_t k = 0; type_edges(w, f->t, k, &c); k++)
      if (c >= 0 && memo[c] == 2) res = 2;
    memo[f->t] = res;
    sp--;
  }
  *out = memo[root] == 2;
  return true;
}

static const char *mangle(R *r, const char *pre, const char *res, const char *name) {
  size_t n = strlen(pre) + strlen(res) + (name ? strlen(name) + 1 : 0) + 1;
  char *s = wf_wit_alloc(r->a, n);
  if (s) snprintf(s, n, "%s%s%s%s", pre, res, name ? "." : "", name ? name : "");
  return s;
}

static bool lower_func2(R *r, scope *s, const wit_afunc *af, wf_wit_func_t *f, const char *name, int32_t res);

static bool lower_func(R *r, scope *s, const wit_afunc *af, wf_wit_func_t *f, const char *name, int32_t res) {
  s->in_func = 1;
  bool ok = lower_func2(r, s, af, f, name, res);
  s->in_func = 0;
  return ok;
}

static bool lower_func2(R *r, scope *s, const wit_afunc *af, wf_wit_func_t *f, const char *name, int32_t res) {
  memset(f, 0, sizeof *f);
  f->name = name;
  f->is_async = af->is_async;
  f->docs = af->docs;
  to_gate(&f->gate, &af->gate);
  f->result = WF_WIT_NONE;
  uint32_t extra = af->kind == AF_METHOD ? 1 : 0;
  f->params = wf_wit_alloc(r->a, sizeof *f->params * (af->nparams + extra + 1));
  if (!f->params) return oom(r);
  if (res >= 0) {
    f->resource = (uint32_t)res;
    f->kind = af->kind == AF_METHOD ? WF_WIT_FUNC_METHOD : af->kind == AF_STATIC ? WF_WIT_FUNC_STATIC : WF_WIT_FUNC_CONSTRUCTOR;
  }
  if (extra) {
    int32_t b = anon(r, WF_WIT_TYPE_BORROW);
    if (b == WF_WIT_NONE) return false;
    r->w->types[b].a = res;
    f->params[0].name = "self";
    f->params[0].type = b;
  }
  wit_map seen = {0};
  for (uint32_t i = 0; i < af->nparams; i++) {
    bool ex;
    if (!wit_map_put(r->a, &seen, af->params[i].name, i, &ex)) return oom(r);
    if (ex) return wf_wit_err(r->c, af->params[i].pos, "param `%s` is defined more than once", af->params[i].name);
    f->params[i + extra].name = af->params[i].name;
    f->params[i + extra].type = lower(r, s, af->params[i].ty);
    if (f->params[i + extra].type == WF_WIT_NONE) return false;
  }
  f->nparams = af->nparams + extra;
  if (af->kind == AF_CTOR) {
    int32_t own = anon(r, WF_WIT_TYPE_OWN);
    if (own == WF_WIT_NONE) return false;
    r->w->types[own].a = res;
    if (af->result) {
      if (af->result->kind != AT_RESULT)
        return wf_wit_err(r->c, af->result_pos, "if a constructor return type is declared it must be a `result`");
      if (!af->result->a || af->result->a->kind != AT_NAMED)
        return wf_wit_err(r->c, af->result_pos, "the `ok` type must be the resource being constructed");
      int32_t okt = named_ref(r, s, af->result->a->name, af->result->a->pos);
      if (okt == WF_WIT_NONE) return false;
      if (unalias(r->w, okt) != res)
        return wf_wit_err(r->c, af->result_pos, "the `ok` type must be the resource being constructed");
      bool ok = true;
      wf_wit_tref err = lower_opt(r, s, af->result->b, &ok);
      if (!ok) return false;
      int32_t rt = anon(r, WF_WIT_TYPE_RESULT);
      if (rt == WF_WIT_NONE) return false;
      r->w->types[rt].a = own;
      r->w->types[rt].b = err;
      f->result = rt;
    } else {
      f->result = own;
    }
  } else if (af->result) {
    f->result = lower(r, s, af->result);
    if (f->result == WF_WIT_NONE) return false;
  }
  return true;
}

static bool check_func_result(R *r, const wf_wit_func_t *f, uint32_t pos) {
  bool hb;
  if (!has_borrow(r, f->result, &hb)) return false;
  if (hb)
    return wf_wit_err(r->c, pos, "function `%s` returns a type which contains a `borrow<T>` which is not supported", f->name);
  return true;
}

/* The members of resource `def` (type slot `res`): gates checked, at most
 * one constructor, unique names, mangled ("[method]r.f", ...), lowered and
 * checked, in source order; emit() takes each lowered function. Shared by
 * interfaces (a function list) and worlds (imports). */
typedef bool (*member_emit_fn)(R *r, void *ctx, const wit_afunc *af, const wf_wit_func_t *f);

static bool lower_resource_members(R *r, PK *pk, scope *s, wit_adef *def, int32_t res,
                                   member_emit_fn emit, void *ctx) {
  int ctors = 0;
  wit_map seen = {0};
  for (uint32_t j = 0; j < def->nfuncs; j++) {
    wit_afunc *af = &def->funcs[j];
    if (!check_gate(r, pk, &af->gate)) return false;
    if (af->kind == AF_CTOR && ++ctors > 1) return wf_wit_err(r->c, af->pos, "duplicate constructors");
    if (af->kind != AF_CTOR) {
      bool ex;
      if (!wit_map_put(r->a, &seen, af->name, j, &ex)) return oom(r);
      if (ex) return wf_wit_err(r->c, af->pos, "duplicate function name `%s`", af->name);
    }
    if (excluded(r, &af->gate)) continue;
    const char *nm = af->kind == AF_CTOR ? mangle(r, "[constructor]", def->name, NULL)
                     : af->kind == AF_STATIC ? mangle(r, "[static]", def->name, af->name)
                                             : mangle(r, "[method]", def->name, af->name);
    if (!nm) return oom(r);
    wf_wit_func_t f;
    if (!lower_func(r, s, af, &f, nm, res) || !check_func_result(r, &f, af->pos)) return false;
    if (!emit(r, ctx, af, &f)) return false;
  }
  return true;
}

typedef struct { wf_wit_func_t **fs; uint32_t *n, *cap; } func_list;

static bool emit_iface_func(R *r, void *ctx, const wit_afunc *af, const wf_wit_func_t *f) {
  (void)af;
  func_list *l = ctx;
  wf_wit_func_t *slot = WIT_PUSH(r->a, *l->fs, *l->n, *l->cap);
  if (!slot) return oom(r);
  *slot = *f;
  return true;
}

static wit_map *iface_type_map(R *r, uint32_t ii) {
  if (ii >= r->niface_types) {
    uint32_t cap = r->niface_types;
    if (!wf_wit_grow(r->a, (void **)&r->iface_types, &cap, r->w->ninterfaces, sizeof *r->iface_types)) return NULL;
    r->niface_types = cap;
  }
  if (r->iface_types[ii]) return r->iface_types[ii];
  wit_map *m = wf_wit_alloc(r->a, sizeof *m);
  if (!m) return NULL;
  const wf_wit_interface_t *it = &r->w->interfaces[ii];
  for (uint32_t k = 0; k < it->ntypes; k++) {
    bool ex;
    if (!wit_map_put(r->a, m, it->types[k].name, it->types[k].type, &ex)) return NULL;
  }
  r->iface_types[ii] = m;
  return m;
}

/* Bring `use` names into a scope as alias types owned by (ok, owner). */
static bool do_use(R *r, PK *pk, uint32_t file, scope *s, const wit_ause *u, uint8_t ok, uint32_t owner,
                   wf_wit_named_type_t **nt, uint32_t *nnt, uint32_t *capnt, int32_t *used_iface) {
  int32_t ii;
  if (!path_iface(r, pk, file, &u->path, &ii)) return false;
  *used_iface = ii;
  wf_wit_interface_t *src = &r->w->interfaces[ii];
  wit_map *tm = iface_type_map(r, (uint32_t)ii);
  if (!tm) return oom(r);
  for (uint32_t j = 0; j < u->nnames; j++) {
    const wit_arename *rn = &u->names[j];
    uint32_t *fv = wit_map_get(tm, rn->name);
    int32_t found = fv ? (int32_t)*fv : -1;
    if (found < 0 && u->path.ns) return wf_wit_err(r->c, rn->pos, "type `%s` not defined in interface", rn->name);
    if (found < 0) {
      for (uint32_t k = 0; k < src->nfuncs; k++)
        if (strcmp(src->funcs[k].name, rn->name) == 0)
          return wf_wit_err(r->c, rn->pos, "cannot import function `%s`", rn->name);
      if (u->path.ns) return wf_wit_err(r->c, rn->pos, "type `%s` not defined in interface", rn->name);
      return wf_wit_err(r->c, rn->pos, "name `%s` does not exist", rn->name);
    }
    const char *nm = rn->as ? rn->as : rn->name;
    int32_t ti = new_type(r, nm, WF_WIT_TYPE_ALIAS, ok, owner);
    if (ti < 0) return oom(r);
    r->w->types[ti].a = found;
    if (!scope_add(r, s, nm, rn->pos, ti, false, false)) return false;
    s->ents[s->nents - 1].foreign = u->path.ns != NULL;
    if (nt) {
      wf_wit_named_type_t *e = WIT_PUSH(r->a, *nt, *nnt, *capnt);
      if (!e) return oom(r);
      e->name = nm;
      e->type = (uint32_t)ti;
    }
  }
  return true;
}

/* Resolve an interface body into IR interface `ii` (already pushed). */
static bool iface_body(R *r, PK *pk, wit_aiface *it, uint32_t ii) {
  scope s;
  memset(&s, 0, sizeof s);
  s.owner_kind = WF_WIT_OWNER_INTERFACE;
  s.owner = ii;
  wf_wit_named_type_t *nt = NULL;
  uint32_t nnt = 0, capnt = 0;
  wf_wit_func_t *fs = NULL;
  uint32_t nfs = 0, capfs = 0;
  uint32_t first = r->w->ntypes;
  int32_t *slots = wf_wit_alloc(r->a, sizeof(int32_t) * (it->nitems ? it->nitems : 1));
  if (!slots) return oom(r);
  /* pass 1: names */
  for (uint32_t i = 0; i < it->nitems; i++) {
    wit_aitem *item = &it->items[i];
    slots[i] = -1;
    if (item->kind == AI_USE) {
      if (excluded(r, &item->use.gate)) continue;
      if (!check_gate(r, pk, &item->use.gate)) return false;
      int32_t used;
      if (!do_use(r, pk, it->file, &s, &item->use, WF_WIT_OWNER_INTERFACE, ii, &nt, &nnt, &capnt, &used)) return false;
    } else if (item->kind == AI_DEF) {
      bool ex = excluded(r, &item->def.gate);
      if (!check_gate(r, pk, &item->def.gate)) return false;
      if (ex) {
        if (!scope_add(r, &s, item->def.name, item->def.pos, -1, false, true)) return false;
        for (uint32_t j = 0; item->def.kind == AD_RESOURCE && j < item->def.nfuncs; j++)
          if (!excluded(r, &item->def.funcs[j].gate))
            return wf_wit_err(r->c, item->def.funcs[j].pos,
                              "found a reference to a type which is excluded due to its feature not being activated");
        continue;
      }
      static const uint8_t k[] = {[AD_ALIAS] = WF_WIT_TYPE_ALIAS, [AD_RECORD] = WF_WIT_TYPE_RECORD,
                                  [AD_VARIANT] = WF_WIT_TYPE_VARIANT, [AD_ENUM] = WF_WIT_TYPE_ENUM,
                                  [AD_FLAGS] = WF_WIT_TYPE_FLAGS, [AD_RESOURCE] = WF_WIT_TYPE_RESOURCE};
      int32_t ti = new_type(r, item->def.name, k[item->def.kind], WF_WIT_OWNER_INTERFACE, ii);
      if (ti < 0) return oom(r);
      r->tpos[ti] = item->def.pos;
      r->w->types[ti].docs = item->def.docs;
      to_gate(&r->w->types[ti].gate, &item->def.gate);
      slots[i] = ti;
      if (!scope_add(r, &s, item->def.name, item->def.pos, ti, false, false)) return false;
      wf_wit_named_type_t *e = WIT_PUSH(r->a, nt, nnt, capnt);
      if (!e) return oom(r);
      e->name = item->def.name;
      e->type = (uint32_t)ti;
    } else {
      if (!check_gate(r, pk, &item->func.gate)) return false;
      if (!scope_add(r, &s, item->func.name, item->func.pos, -1, true, excluded(r, &item->func.gate))) return false;
    }
  }
  /* pass 2: bodies */
  for (uint32_t i = 0; i < it->nitems; i++)
    if (slots[i] >= 0 && !lower_def(r, &s, &it->items[i].def, slots[i])) return false;
  /* cycles among the named types just made */
  uint32_t nt_now = r->w->ntypes - first;
  uint8_t *marks = wf_wit_alloc(r->a, nt_now ? nt_now : 1);
  uint32_t *stack = wf_wit_alloc(r->a, sizeof(uint32_t) * 2 * (nt_now ? nt_now : 1));
  if (!marks || !stack) return oom(r);
  if (!check_cycles(r, first, marks, stack)) return false;
  if (!check_handles(r, &s)) return false;
  /* functions: resource members, then freestanding, in source order */
  for (uint32_t i = 0; i < it->nitems; i++) {
    wit_aitem *item = &it->items[i];
    if (item->kind == AI_DEF && slots[i] >= 0 && item->def.kind == AD_RESOURCE) {
      func_list out = {&fs, &nfs, &capfs};
      if (!lower_resource_members(r, pk, &s, &item->def, slots[i], emit_iface_func, &out)) return false;
    } else if (item->kind == AI_FUNC && !excluded(r, &item->func.gate)) {
      wf_wit_func_t *f = WIT_PUSH(r->a, fs, nfs, capfs);
      if (!f) return oom(r);
      if (!lower_func(r, &s, &item->func, f, item->func.name, -1)) return false;
      if (!check_func_result(r, f, item->func.pos)) return false;
    }
  }
  if (!check_handles(r, &s)) return false;
  wf_wit_interface_t *ir = &r->w->interfaces[ii];
  ir->types = nt;
  ir->ntypes = nnt;
  ir->funcs = fs;
  ir->nfuncs = nfs;
  return true;
}

static bool new_iface(R *r, PK *pk, wit_aiface *it, uint32_t *out) {
  wf_wit_interface_t *ir = WIT_PUSH(r->a, r->w->interfaces, r->w->ninterfaces, r->cap_if);
  if (!ir) return oom(r);
  memset(ir, 0, sizeof *ir);
  ir->name = it->name;
  ir->package = pk->pkg;
  ir->docs = it->docs;
  to_gate(&ir->gate, &it->gate);
  *out = r->w->ninterfaces - 1;
  return true;
}

/* resolve the interfaces `it` uses first (so IR order is topological) */
static bool iface_deps(R *r, PK *pk, wit_aiface *it) {
  for (uint32_t i = 0; i < it->nitems; i++) {
    wit_aitem *item = &it->items[i];
    if (item->kind != AI_USE || excluded(r, &item->use.gate)) continue;
    int32_t dummy;
    if (!path_iface(r, pk, it->file, &item->use.path, &dummy)) return false;
  }
  return true;
}

static bool resolve_iface(R *r, PK *pk, wit_aiface *it, int32_t *out) {
  if (it->state == 2) { *out = it->resolved; return true; }
  if (it->state == 1) return wf_wit_err(r->c, it->pos, "interface or world `%s` depends on itself", it->name);
  if (excluded(r, &it->gate)) {
    for (uint32_t i = 0; i < it->nitems; i++)
      if (it->items[i].kind == AI_DEF && !it->items[i].def.gate.feature)
        return wf_wit_err(r->c, it->items[i].def.pos,
                          "found a reference to a interface which is excluded due to its feature not being "
                          "activated; this type is not gated by a feature but its interface is");
    it->state = 2;
    it->resolved = -2;
    *out = -2;
    return true;
  }
  if (!check_gate(r, pk, &it->gate)) return false;
  if (++r->depth > MAX_DEP_DEPTH) return wf_wit_err(r->c, it->pos, "interface dependencies nest too deeply");
  it->state = 1;
  const char *save_name = r->cur_name;
  uint32_t save_pos = r->cur_pos;
  r->cur_name = it->name;
  r->cur_pos = it->pos;
  if (!iface_deps(r, pk, it)) return false;
  r->cur_name = save_name;
  r->cur_pos = save_pos;
  uint32_t ii;
  if (!new_iface(r, pk, it, &ii)) return false;
  if (!iface_body(r, pk, it, ii)) return false;
  it->state = 2;
  it->resolved = (int32_t)ii;
  r->depth--;
  *out = (int32_t)ii;
  return true;
}

/* ---- worlds ---- */
typedef struct {
  wf_wit_world_item_t *v;
  uint32_t n, cap;
  wit_map keys;                /* case-folded key -> index */
  wit_map explicit_ids;        /* interface ids named explicitly (not by elaboration) */
  const char *world;
} itemvec;

static const char *kind_word(uint8_t k) {
  return k == WF_WIT_ITEM_INTERFACE ? "interface" : k == WF_WIT_ITEM_FUNC ? "func" : "type";
}

static const char *iface_key(R *r, uint32_t ii) {
  char buf[512];
  const char *k = wf_wit_interface_id(r->w, ii, buf, sizeof buf);
  return wf_wit_strndup(r->a, k, strlen(k));
}

/* Add an item; dup: how to treat an existing key (0 error, 1 skip silently). */
static bool add_item(R *r, itemvec *v, const wf_wit_world_item_t *it, bool is_import, uint32_t pos, int dup) {
  uint32_t *e = wit_map_get_f(&v->keys, it->key, true);
  if (e) {
    wf_wit_world_item_t *old = &v->v[*e];
    if (it->key_is_id && old->key_is_id && old->index == it->index) {
      if (dup) return true;
      bool ex;
      if (!wit_map_put(r->a, &v->explicit_ids, it->key, 0, &ex)) return oom(r);
      if (!ex) return true; /* first explicit mention of an implied import */
      return wf_wit_err(r->c, pos, "interface cannot be %s more than once", is_import ? "imported" : "exported");
    }
    if (dup == 2 && old->kind == it->kind && it->kind != WF_WIT_ITEM_FUNC && old->index == it->index &&
        strcmp(old->key, it->key) == 0)
      return true;
    if (strcmp(old->key, it->key) != 0 && !it->key_is_id)
      return wf_wit_err(r->c, pos, "%s `%s` in world `%s` conflicts with %s `%s` (kebab-case identifiers are case-insensitive)",
                        is_import ? "import" : "export", it->key, v->world ? v->world : "?", is_import ? "import" : "export", old->key);
    if (dup == 2)
      return wf_wit_err(r->c, pos, "%s of `%s` shadows previously %s items", is_import ? "import" : "export", it->key,
                        is_import ? "imported" : "exported");
    return wf_wit_err(r->c, pos, "%s `%s` conflicts with prior %s of same name", is_import ? "import" : "export",
                      it->key, kind_word(old->kind));
  }
  wf_wit_world_item_t *n = WIT_PUSH(r->a, v->v, v->n, v->cap);
  if (!n) return oom(r);
  *n = *it;
  bool ex;
  if (it->key_is_id && dup == 0 && !wit_map_put(r->a, &v->explicit_ids, it->key, 0, &ex)) return oom(r);
  if (!wit_map_put_f(r->a, &v->keys, it->key, v->n - 1, &ex, true)) return oom(r);
  return true;
}

/* interfaces that interface ii's types refer to (direct) */
static bool iface_direct_deps(R *r, uint32_t ii, uint32_t **out, uint32_t *n) {
  wf_wit_interface_t *it = &r->w->interfaces[ii];
  uint32_t cap = 0;
  *n = 0;
  *out = NULL;
  for (uint32_t i = 0; i < it->ntypes; i++) {
    wf_wit_type_t *t = &r->w->types[it->types[i].type];
    if (t->kind != WF_WIT_TYPE_ALIAS || t->a < 0) continue;
    wf_wit_type_t *tt = &r->w->types[t->a];
    if (tt->owner_kind != WF_WIT_OWNER_INTERFACE || tt->owner == ii) continue;
    bool seen = false;
    for (uint32_t j = 0; j < *n; j++) seen |= (*out)[j] == tt->owner;
    if (seen) continue;
    uint32_t *s = WIT_PUSH(r->a, *out, *n, cap);
    if (!s) return oom(r);
    *s = tt->owner;
  }
  return true;
}

/* Add the interfaces ii depends on (transitively, dependencies first) as
 * imports, unless already imported (or, for exports, exported). */
static bool elaborate(R *r, itemvec *imports, itemvec *exports, uint32_t ii, uint32_t pos) {
  /* iterative post-order DFS */
  uint32_t cap = 0, sp = 0;
  struct fr { uint32_t i, k, n; uint32_t *deps; } *st = NULL;
  struct fr *f0 = WIT_PUSH(r->a, st, sp, cap);
  if (!f0) return oom(r);
  f0->i = ii;
  f0->k = 0;
  if (!iface_direct_deps(r, ii, &f0->deps, &f0->n)) return false;
  uint32_t steps = 0;
  while (sp) {
    if (++steps > 1000000) return wf_wit_err(r->c, pos, "world elaboration too large");
    struct fr *f = &st[sp - 1];
    if (f->k < f->n) {
      uint32_t d = f->deps[f->k++];
      const char *key = iface_key(r, d);
      if (!key) return oom(r);
      if (wit_map_get_f(&imports->keys, key, true)) continue;
      if (exports && wit_map_get_f(&exports->keys, key, true)) continue;
      struct fr *nf = WIT_PUSH(r->a, st, sp, cap);
      if (!nf) return oom(r);
      nf->i = d;
      nf->k = 0;
      if (!iface_direct_deps(r, d, &nf->deps, &nf->n)) return false;
      continue;
    }
    uint32_t done = f->i;
    sp--;
    if (sp == 0) break; /* the root itself is added by the caller */
    wf_wit_world_item_t it;
    memset(&it, 0, sizeof it);
    it.key = iface_key(r, done);
    if (!it.key) return oom(r);
    it.key_is_id = 1;
    it.kind = WF_WIT_ITEM_INTERFACE;
    it.index = done;
    if (!add_item(r, imports, &it, true, pos, 1)) return false;
  }
  return true;
}

/* An exported interface's non-exported dependencies are imported; such an
 * import must not itself depend on an exported interface. */
static bool check_export_deps(R *r, itemvec *imp, itemvec *exp, uint32_t pos) {
  (void)imp;
  for (uint32_t e = 0; e < exp->n; e++) {
    if (exp->v[e].kind != WF_WIT_ITEM_INTERFACE) continue;
    uint32_t *deps, nd;
    if (!iface_direct_deps(r, exp->v[e].index, &deps, &nd)) return false;
    /* walk the non-exported part of the dependency graph */
    uint32_t *work = NULL, nw = 0, cap = 0;
    wit_map seen = {0};
    for (uint32_t k = 0; k < nd; k++) {
      uint32_t *s = WIT_PUSH(r->a, work, nw, cap);
      if (!s) return oom(r);
      *s = deps[k];
    }
    uint32_t steps = 0;
    while (nw) {
      uint32_t d = work[--nw];
      if (++steps > 100000) break;
      const char *key = iface_key(r, d);
      bool ex;
      if (!key || !wit_map_put(r->a, &seen, key, 0, &ex)) return oom(r);
      if (ex) continue;
      if (wit_map_get(&exp->keys, key)) continue; /* satisfied by the export */
      uint32_t *dd, ndd;
      if (!iface_direct_deps(r, d, &dd, &ndd)) return false;
      for (uint32_t k = 0; k < ndd; k++) {
        const char *k2 = iface_key(r, dd[k]);
        if (!k2) return oom(r);
        if (wit_map_get(&exp->keys, k2))
          return wf_wit_err(r->c, pos, "interface `%s` transitively depends on an interface in incompatible ways",
                            exp->v[e].key);
        uint32_t *s = WIT_PUSH(r->a, work, nw, cap);
        if (!s) return oom(r);
        *s = dd[k];
      }
    }
  }
  return true;
}

static bool emit_world_import(R *r, void *ctx, const wit_afunc *af, const wf_wit_func_t *f) {
  wf_wit_world_item_t x;
  memset(&x, 0, sizeof x);
  x.key = f->name;
  x.kind = WF_WIT_ITEM_FUNC;
  to_gate(&x.gate, &af->gate);
  x.func = *f;
  return add_item(r, ctx, &x, true, af->pos, 0);
}

static bool resolve_world(R *r, PK *pk, wit_aworld *w) {
  if (w->state == 2) return true;
  if (w->state == 1)
    return wf_wit_err(r->c, r->cur_name ? r->cur_pos : w->pos, "interface or world `%s` depends on itself",
                      r->cur_name ? r->cur_name : w->name);
  if (excluded(r, &w->gate)) { w->state = 2; w->resolved = -2; return true; }
  if (!check_gate(r, pk, &w->gate)) return false;
  if (++r->depth > MAX_DEP_DEPTH) return wf_wit_err(r->c, w->pos, "world includes nest too deeply");
  w->state = 1;
  const char *save_name = r->cur_name;
  uint32_t save_pos = r->cur_pos;
  r->cur_name = w->name;
  r->cur_pos = w->pos;
  /* includes and used/imported local interfaces first */
  for (uint32_t i = 0; i < w->nitems; i++) {
    wit_awitem *it = &w->items[i];
    if (excluded(r, &it->gate)) continue;
    if (it->kind == AW_INCLUDE) {
      target t;
      if (!lookup_path(r, pk, w->file, &it->path, &t, true, 0)) return false;
      if (t.aw && !resolve_world(r, pk, t.aw)) return false;
      if (t.aw && t.aw->resolved == -2)
        return wf_wit_err(r->c, it->path.pos, "found a reference to a world which is excluded due to its feature not being activated");
    }
  }
  r->cur_name = save_name;
  r->cur_pos = save_pos;
  uint32_t wi;
  {
    wf_wit_world_t *ir = WIT_PUSH(r->a, r->w->worlds, r->w->nworlds, r->cap_wo);
    if (!ir) return oom(r);
    memset(ir, 0, sizeof *ir);
    ir->name = w->name;
    ir->package = pk->pkg;
    ir->docs = w->docs;
    to_gate(&ir->gate, &w->gate);
    wi = r->w->nworlds - 1;
  }
  itemvec imp, exp;
  memset(&imp, 0, sizeof imp);
  memset(&exp, 0, sizeof exp);
  imp.world = exp.world = w->name;
  scope s;
  memset(&s, 0, sizeof s);
  s.owner_kind = WF_WIT_OWNER_WORLD;
  s.owner = wi;
  uint32_t first = r->w->ntypes;
  int32_t *slots = wf_wit_alloc(r->a, sizeof(int32_t) * (w->nitems ? w->nitems : 1));
  if (!slots) return oom(r);
  /* types: uses and defs */
  for (uint32_t i = 0; i < w->nitems; i++) {
    wit_awitem *it = &w->items[i];
    slots[i] = -1;
    if (it->kind == AW_USE) {
      if (excluded(r, &it->gate)) continue;
      if (!check_gate(r, pk, &it->gate)) return false;
      uint32_t before = r->w->ntypes;
      int32_t used;
      if (!do_use(r, pk, w->file, &s, &it->use, WF_WIT_OWNER_WORLD, wi, NULL, NULL, NULL, &used)) return false;
      if (!elaborate(r, &imp, NULL, (uint32_t)used, it->pos)) return false;
      wf_wit_world_item_t x;
      memset(&x, 0, sizeof x);
      x.key = iface_key(r, (uint32_t)used);
      if (!x.key) return oom(r);
      x.key_is_id = 1;
      x.kind = WF_WIT_ITEM_INTERFACE;
      x.index = (uint32_t)used;
      if (!add_item(r, &imp, &x, true, it->pos, 1)) return false;
      for (uint32_t t = before; t < r->w->ntypes; t++) {
        memset(&x, 0, sizeof x);
        x.key = r->w->types[t].name;
        x.kind = WF_WIT_ITEM_TYPE;
        x.index = t;
        if (!add_item(r, &imp, &x, true, it->pos, 0)) return false;
      }
    } else if (it->kind == AW_DEF) {
      if (!check_gate(r, pk, &it->gate)) return false;
      if (excluded(r, &it->gate)) {
        if (!scope_add(r, &s, it->def.name, it->def.pos, -1, false, true)) return false;
        continue;
      }
      static const uint8_t k[] = {[AD_ALIAS] = WF_WIT_TYPE_ALIAS, [AD_RECORD] = WF_WIT_TYPE_RECORD,
                                  [AD_VARIANT] = WF_WIT_TYPE_VARIANT, [AD_ENUM] = WF_WIT_TYPE_ENUM,
                                  [AD_FLAGS] = WF_WIT_TYPE_FLAGS, [AD_RESOURCE] = WF_WIT_TYPE_RESOURCE};
      int32_t ti = new_type(r, it->def.name, k[it->def.kind], WF_WIT_OWNER_WORLD, wi);
      if (ti < 0) return oom(r);
      r->tpos[ti] = it->def.pos;
      to_gate(&r->w->types[ti].gate, &it->gate);
      slots[i] = ti;
      if (!scope_add(r, &s, it->def.name, it->def.pos, ti, false, false)) return false;
      wf_wit_world_item_t x;
      memset(&x, 0, sizeof x);
      x.key = it->def.name;
      x.kind = WF_WIT_ITEM_TYPE;
      x.index = (uint32_t)ti;
      to_gate(&x.gate, &it->gate);
      if (!add_item(r, &imp, &x, true, it->def.pos, 0)) return false;
    }
  }
  for (uint32_t i = 0; i < w->nitems; i++)
    if (slots[i] >= 0 && !lower_def(r, &s, &w->items[i].def, slots[i])) return false;
  {
    uint32_t n = r->w->ntypes - first;
    uint8_t *marks = wf_wit_alloc(r->a, n ? n : 1);
    uint32_t *stack = wf_wit_alloc(r->a, sizeof(uint32_t) * 2 * (n ? n : 1));
    if (!marks || !stack) return oom(r);
    if (!check_cycles(r, first, marks, stack) || !check_handles(r, &s)) return false;
  }
  for (uint32_t i = 0; i < w->nitems; i++) {
    wit_awitem *it = &w->items[i];
    if (slots[i] < 0 || it->def.kind != AD_RESOURCE) continue;
    if (!lower_resource_members(r, pk, &s, &it->def, slots[i], emit_world_import, &imp)) return false;
  }
  /* imports and exports, then includes */
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t i = 0; i < w->nitems; i++) {
      wit_awitem *it = &w->items[i];
      if (it->kind != AW_IMPORT && it->kind != AW_EXPORT) continue;
      bool is_imp = it->kind == AW_IMPORT;
      if ((pass == 0) != is_imp) continue;
      if (excluded(r, &it->gate)) continue;
      if (!check_gate(r, pk, &it->gate)) return false;
      itemvec *v = is_imp ? &imp : &exp;
      wf_wit_world_item_t x;
      memset(&x, 0, sizeof x);
      to_gate(&x.gate, &it->gate);
      if (it->xkind == AX_FUNC) {
        x.key = it->name;
        x.kind = WF_WIT_ITEM_FUNC;
        if (!lower_func(r, &s, &it->func, &x.func, it->name, -1)) return false;
        if (!check_func_result(r, &x.func, it->pos)) return false;
        if (!add_item(r, v, &x, is_imp, it->pos, 0)) return false;
      } else {
        int32_t ii;
        if (it->xkind == AX_IFACE) {
          it->iface->gate.kind = 0; /* the extern's gate was already applied */
          it->iface->name = NULL;
          if (!iface_deps(r, pk, it->iface)) return false;
          uint32_t u;
          if (!new_iface(r, pk, it->iface, &u) || !iface_body(r, pk, it->iface, u)) return false;
          ii = (int32_t)u;
          x.key = it->name;
        } else {
          if (!path_iface(r, pk, w->file, &it->path, &ii)) return false;
          if (it->name) {
            x.key = it->name; /* `import label: iface;` */
          } else {
            x.key = iface_key(r, (uint32_t)ii);
            if (!x.key) return oom(r);
            x.key_is_id = 1;
          }
        }
        x.kind = WF_WIT_ITEM_INTERFACE;
        x.index = (uint32_t)ii;
        /* exports are elaborated once all are known (below) */
        if (is_imp && !elaborate(r, &imp, NULL, (uint32_t)ii, it->pos)) return false;
        if (!add_item(r, v, &x, is_imp, it->pos, 0)) return false;
      }
    }
    if (pass == 1) {
      for (uint32_t e = 0; e < exp.n; e++)
        if (exp.v[e].kind == WF_WIT_ITEM_INTERFACE && !elaborate(r, &imp, &exp, exp.v[e].index, w->pos)) return false;
    }
  }
  for (uint32_t i = 0; i < w->nitems; i++) {
    wit_awitem *it = &w->items[i];
    if (it->kind != AW_INCLUDE || excluded(r, &it->gate)) continue;
    if (!check_gate(r, pk, &it->gate)) return false;
    target t;
    if (!lookup_path(r, pk, w->file, &it->path, &t, true, 0)) return false;
    uint32_t src = t.aw ? (uint32_t)t.aw->resolved : (uint32_t)t.ir;
    wf_wit_world_t *sw = &r->w->worlds[src];
    for (uint32_t k = 0; k < it->nwith; k++) {
      bool found = false;
      for (uint32_t q = 0; q < sw->nimports && !found; q++)
        found = !sw->imports[q].key_is_id && strcmp(sw->imports[q].key, it->with[k].name) == 0;
      for (uint32_t q = 0; q < sw->nexports && !found; q++)
        found = !sw->exports[q].key_is_id && strcmp(sw->exports[q].key, it->with[k].name) == 0;
      if (!found)
        return wf_wit_err(r->c, it->with[k].pos,
                          "no import or export kebab-name `%s`. Note that an ID does not support renaming",
                          it->with[k].name);
    }
    for (int side = 0; side < 2; side++) {
      wf_wit_world_item_t *src_items = side ? sw->exports : sw->imports;
      uint32_t n = side ? sw->nexports : sw->nimports;
      for (uint32_t q = 0; q < n; q++) {
        wf_wit_world_item_t x = src_items[q];
        if (!x.key_is_id) {
          for (uint32_t k = 0; k < it->nwith; k++)
            if (strcmp(x.key, it->with[k].name) == 0) {
              x.key = it->with[k].as;
              if (x.kind == WF_WIT_ITEM_FUNC) x.func.name = x.key;
            } else if (x.kind == WF_WIT_ITEM_FUNC && x.func.kind != WF_WIT_FUNC_FREESTANDING &&
                       r->w->types[x.func.resource].name &&
                       strcmp(r->w->types[x.func.resource].name, it->with[k].name) == 0) {
              const char *dot = strchr(x.key, '.');
              const char *nm = x.func.kind == WF_WIT_FUNC_CONSTRUCTOR ? mangle(r, "[constructor]", it->with[k].as, NULL)
                               : mangle(r, x.func.kind == WF_WIT_FUNC_STATIC ? "[static]" : "[method]",
                                        it->with[k].as, dot ? dot + 1 : "");
              if (!nm) return oom(r);
              x.key = x.func.name = nm;
            }
        }
        if (!add_item(r, side ? &exp : &imp, &x, !side, it->pos, 2)) return false;
      }
    }
  }
  if (!check_export_deps(r, &imp, &exp, w->pos)) return false;
  wf_wit_world_t *ir = &r->w->worlds[wi];
  ir->imports = imp.v;
  ir->nimports = imp.n;
  ir->exports = exp.v;
  ir->nexports = exp.n;
  w->state = 2;
  w->resolved = (int32_t)wi;
  r->depth--;
  return true;
}

/* ---- packages ---- */
static bool resolve_package(R *r, wit_apkg *ap) {
  PK pk;
  memset(&pk, 0, sizeof pk);
  pk.ap = ap;
  wf_wit_package_t *p = WIT_PUSH(r->a, r->w->packages, r->w->npackages, r->cap_pk);
  if (!p) return oom(r);
  memset(p, 0, sizeof *p);
  p->ns = ap->ns;
  p->name = ap->name;
  p->version = ap->version;
  p->id = pkg_id(r, ap->ns, ap->name, ap->version);
  p->docs = ap->docs;
  if (!p->id) return oom(r);
  pk.pkg = r->w->npackages - 1;
  ap->resolved = (int32_t)pk.pkg;
  for (uint32_t i = 0; i < ap->nifaces; i++) {
    bool ex;
    if (!wit_map_put(r->a, &pk.items, ap->ifaces[i]->name, i, &ex)) return oom(r);
    if (ex) return wf_wit_err(r->c, ap->ifaces[i]->pos, "duplicate item named `%s`", ap->ifaces[i]->name);
  }
  for (uint32_t i = 0; i < ap->nworlds; i++) {
    bool ex;
    if (!wit_map_put(r->a, &pk.items, ap->worlds[i]->name, i | WORLD_BIT, &ex)) return oom(r);
    if (ex) return wf_wit_err(r->c, ap->worlds[i]->pos, "duplicate item named `%s`", ap->worlds[i]->name);
  }
  wit_map *saved = wf_wit_alloc(r->a, sizeof *saved);
  if (!saved) return oom(r);
  ap->items_map = saved;
  pk.file_uses = wf_wit_alloc(r->a, sizeof(wit_map) * (ap->nfiles ? ap->nfiles : 1));
  if (!pk.file_uses) return oom(r);
  for (uint32_t f = 0; f < ap->nfiles; f++) {
    for (uint32_t i = 0; i < ap->files[f].nuses; i++) {
      wit_atopuse *u = &ap->files[f].uses[i];
      const char *nm = u->as ? u->as : u->path.name;
      bool ex;
      uint32_t *it = wit_map_get(&pk.items, nm);
      if (it) {
        /* `use foo as foo` of an own item is allowed only if it is the same item */
        bool same = !u->path.ns && strcmp(u->path.name, nm) == 0;
        if (!same) {
          bool in_file = (*it & WORLD_BIT) ? ap->worlds[*it & ~WORLD_BIT]->file == f : ap->ifaces[*it]->file == f;
          if (in_file) return wf_wit_err(r->c, u->pos, "duplicate name `%s` in this file", nm);
        }
      }
      if (!wit_map_put(r->a, &pk.file_uses[f], nm, i, &ex)) return oom(r);
      if (ex) return wf_wit_err(r->c, u->pos, "duplicate name `%s` in this file", nm);
      target t;
      if (!u->path.ns) {
        if (!wit_map_get(&pk.items, u->path.name))
          return wf_wit_err(r->c, u->path.pos, "interface or world `%s` does not exist", u->path.name);
      } else if (!lookup_foreign(r, &u->path, &t, false)) {
        return false;
      }
    }
  }
  *saved = pk.items;
  uint32_t first_iface = r->w->ninterfaces, first_world = r->w->nworlds;
  for (uint32_t i = 0; i < ap->nifaces; i++) {
    int32_t dummy;
    r->depth = 0;
    if (!resolve_iface(r, &pk, ap->ifaces[i], &dummy)) return false;
  }
  for (uint32_t i = 0; i < ap->nworlds; i++) {
    r->depth = 0;
    if (!resolve_world(r, &pk, ap->worlds[i])) return false;
  }
  /* package member lists: interfaces in resolution order, worlds by source order */
  p = &r->w->packages[pk.pkg];
  uint32_t capi = 0, capw = 0;
  for (uint32_t i = first_iface; i < r->w->ninterfaces; i++) {
    if (r->w->interfaces[i].package != pk.pkg || !r->w->interfaces[i].name) continue;
    uint32_t *s = WIT_PUSH(r->a, p->interfaces, p->ninterfaces, capi);
    if (!s) return oom(r);
    *s = i;
  }
  for (uint32_t i = first_world; i < r->w->nworlds; i++) {
    if (r->w->worlds[i].package != pk.pkg) continue;
    uint32_t *s = WIT_PUSH(r->a, p->worlds, p->nworlds, capw);
    if (!s) return oom(r);
    *s = i;
  }
  return true;
}

wf_wit_t *wf_wit_resolve(wit_ctx *c, wit_apkgs *pkgs, uint32_t nroot) {
  wf_wit_t *w = calloc(1, sizeof *w);
  if (!w) { wf_wit_err_nopos(c, "out of memory"); return NULL; }
  R r;
  memset(&r, 0, sizeof r);
  r.c = c;
  r.a = &c->arena;
  r.w = w;
  r.pk = pkgs;
  /* names and duplicates */
  for (uint32_t i = 0; i < pkgs->npkgs; i++) {
    wit_apkg *p = pkgs->pkgs[i];
    if (!p->has_name) {
      if (p->nifaces || p->nworlds) {
        wf_wit_err(c, p->nifaces ? p->ifaces[0]->pos : p->worlds[0]->pos,
                   "no `package` header was found in any WIT file for this package");
        goto fail;
      }
      bool nested = false;
      for (uint32_t j = 0; j < pkgs->npkgs; j++) nested |= j != i && pkgs->pkgs[j]->group == p->group;
      if (!nested) {
        wf_wit_err_nopos(c, "no `package` header was found in any WIT file for this package");
        goto fail;
      }
      p->state = 2; /* nothing to resolve */
      continue;
    }
    const char *id = pkg_id(&r, p->ns, p->name, p->version);
    bool ex;
    if (!id || !wit_map_put(r.a, &r.pkg_by_id, id, i, &ex)) { oom(&r); goto fail; }
    if (ex) {
      wf_wit_err(c, p->pos, "package `%s` is defined in two different locations:", id);
      goto fail;
    }
    const char *nm = pkg_id(&r, p->ns, p->name, NULL);
    if (!nm || !wit_map_put(r.a, &r.pkg_by_name, nm, i, &ex)) { oom(&r); goto fail; }
    if (ex && !p->version) *wit_map_get(&r.pkg_by_name, nm) = i;
  }
  uint32_t *order = wf_wit_alloc(r.a, sizeof(uint32_t) * (pkgs->npkgs ? pkgs->npkgs : 1));
  uint32_t norder = 0;
  if (!order) { oom(&r); goto fail; }
  if (!order_packages(&r, order, &norder)) goto fail;
  uint32_t capr = 0;
  for (uint32_t i = 0; i < norder; i++) {
    wit_apkg *p = pkgs->pkgs[order[i]];
    if (!p->has_name) continue;
    if (!resolve_package(&r, p)) goto fail;
    if (order[i] < nroot) {
      uint32_t *s = WIT_PUSH(r.a, w->roots, w->nroots, capr);
      if (!s) { oom(&r); goto fail; }
      *s = (uint32_t)p->resolved;
    }
  }
  return w;
fail:
  free(w);
  return NULL;
}
