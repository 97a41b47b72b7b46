/* WIT resolver: parse trees of several packages to the resolved IR.
 * Packages are ordered by their foreign references (cycles rejected);
 * interfaces and worlds inside a package by `use`/`include` (cycles
 * rejected); types of an interface are checked for cycles with an explicit
 * stack. Every walk over guest-controlled chains is iterative or capped.
 *
 * This file: the entry point, feature gates, finding packages, package
 * order and resolving one package; the parts are listed in wit_resolve.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/wit_resolve.h"


bool wf_wit_oom(wit_res *r) { return wf_wit_err_nopos(r->c, "out of memory"); }

static bool feature_on(wit_res *r, const char *f) {
  if (r->c->all_features) return true;
  for (uint32_t i = 0; i < r->c->nfeatures; i++)
    if (strcmp(r->c->features[i], f) == 0) return true;
  return false;
}

bool wf_wit_excluded(wit_res *r, const wit_agate *g) { return g->feature && !feature_on(r, g->feature); }

void wf_wit_to_gate(wf_wit_gate_t *o, const wit_agate *g) {
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

bool wf_wit_check_gate(wit_res *r, wit_res_pkg *pk, const wit_agate *g) {
  const char *v = g->kind == 1 ? g->value : g->kind == 3 ? g->since : NULL;
  if (!v) return true;
  if (!pk->ap->version) return true;
  if (vcmp(v, pk->ap->version) > 0)
    return wf_wit_err(r->c, g->pos,
                      "feature gate cannot reference unreleased version %s of package [%s:%s@%s] (current version %s)",
                      v, pk->ap->ns, pk->ap->name, pk->ap->version, pk->ap->version);
  return true;
}

static const char *pkg_id(wit_res *r, const char *ns, const char *name, const char *ver) {
  size_t n = strlen(ns) + strlen(name) + (ver ? strlen(ver) + 1 : 0) + 2;
  char *s = wf_wit_alloc(r->a, n);
  if (s) snprintf(s, n, "%s:%s%s%s", ns, name, ver ? "@" : "", ver ? ver : "");
  return s;
}

/* ---- IR builders ---- */
int32_t wf_wit_new_type(wit_res *r, const char *name, uint8_t kind, uint8_t ok, uint32_t owner) {
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
int32_t wf_wit_find_apkg(wit_res *r, const char *ns, const char *name, const char *ver) {
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

bool wf_wit_pkg_not_found(wit_res *r, const wit_apath *pt) {
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

static bool add_path(wit_res *r, pathvec *pv, wit_apath *p) {
  if (!p->ns) return true;
  wit_apath **s = WIT_PUSH(r->a, pv->v, pv->n, pv->cap);
  if (!s) return wf_wit_oom(r);
  *s = p;
  return true;
}

static bool iface_paths(wit_res *r, pathvec *pv, wit_aiface *it) {
  for (uint32_t i = 0; i < it->nitems; i++)
    if (it->items[i].kind == AI_USE && !add_path(r, pv, &it->items[i].use.path)) return false;
  return true;
}

static bool collect_paths(wit_res *r, wit_apkg *p, pathvec *pv) {
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
static bool order_packages(wit_res *r, uint32_t *order, uint32_t *norder) {
  uint32_t n = r->pk->npkgs;
  pathvec *deps = wf_wit_alloc(r->a, sizeof(pathvec) * (n ? n : 1));
  uint32_t *stack = wf_wit_alloc(r->a, sizeof(uint32_t) * 2 * (n ? n : 1));
  if (!deps || !stack) return wf_wit_oom(r);
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
        int32_t t = wf_wit_find_apkg(r, pt->ns, pt->pkg, pt->version);
        if (t < 0) return wf_wit_pkg_not_found(r, pt);
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

/* ---- packages ---- */
static bool resolve_package(wit_res *r, wit_apkg *ap) {
  wit_res_pkg pk;
  memset(&pk, 0, sizeof pk);
  pk.ap = ap;
  wf_wit_package_t *p = WIT_PUSH(r->a, r->w->packages, r->w->npackages, r->cap_pk);
  if (!p) return wf_wit_oom(r);
  memset(p, 0, sizeof *p);
  p->ns = ap->ns;
  p->name = ap->name;
  p->version = ap->version;
  p->id = pkg_id(r, ap->ns, ap->name, ap->version);
  p->docs = ap->docs;
  if (!p->id) return wf_wit_oom(r);
  pk.pkg = r->w->npackages - 1;
  ap->resolved = (int32_t)pk.pkg;
  for (uint32_t i = 0; i < ap->nifaces; i++) {
    bool ex;
    if (!wit_map_put(r->a, &pk.items, ap->ifaces[i]->name, i, &ex)) return wf_wit_oom(r);
    if (ex) return wf_wit_err(r->c, ap->ifaces[i]->pos, "duplicate item named `%s`", ap->ifaces[i]->name);
  }
  for (uint32_t i = 0; i < ap->nworlds; i++) {
    bool ex;
    if (!wit_map_put(r->a, &pk.items, ap->worlds[i]->name, i | WIT_WORLD_BIT, &ex)) return wf_wit_oom(r);
    if (ex) return wf_wit_err(r->c, ap->worlds[i]->pos, "duplicate item named `%s`", ap->worlds[i]->name);
  }
  wit_map *saved = wf_wit_alloc(r->a, sizeof *saved);
  if (!saved) return wf_wit_oom(r);
  ap->items_map = saved;
  pk.file_uses = wf_wit_alloc(r->a, sizeof(wit_map) * (ap->nfiles ? ap->nfiles : 1));
  if (!pk.file_uses) return wf_wit_oom(r);
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
          bool in_file =
              (*it & WIT_WORLD_BIT) ? ap->worlds[*it & ~WIT_WORLD_BIT]->file == f : ap->ifaces[*it]->file == f;
          if (in_file) return wf_wit_err(r->c, u->pos, "duplicate name `%s` in this file", nm);
        }
      }
      if (!wit_map_put(r->a, &pk.file_uses[f], nm, i, &ex)) return wf_wit_oom(r);
      if (ex) return wf_wit_err(r->c, u->pos, "duplicate name `%s` in this file", nm);
      wit_target t;
      if (!u->path.ns) {
        if (!wit_map_get(&pk.items, u->path.name))
          return wf_wit_err(r->c, u->path.pos, "interface or world `%s` does not exist", u->path.name);
      } else if (!wf_wit_lookup_foreign(r, &u->path, &t, false)) {
        return false;
      }
    }
  }
  *saved = pk.items;
  uint32_t first_iface = r->w->ninterfaces, first_world = r->w->nworlds;
  for (uint32_t i = 0; i < ap->nifaces; i++) {
    int32_t dummy;
    r->depth = 0;
    if (!wf_wit_resolve_iface(r, &pk, ap->ifaces[i], &dummy)) return false;
  }
  for (uint32_t i = 0; i < ap->nworlds; i++) {
    r->depth = 0;
    if (!wf_wit_resolve_world(r, &pk, ap->worlds[i])) return false;
  }
  /* package member lists: interfaces in resolution order, worlds by source order */
  p = &r->w->packages[pk.pkg];
  uint32_t capi = 0, capw = 0;
  for (uint32_t i = first_iface; i < r->w->ninterfaces; i++) {
    if (r->w->interfaces[i].package != pk.pkg || !r->w->interfaces[i].name) continue;
    uint32_t *s = WIT_PUSH(r->a, p->interfaces, p->ninterfaces, capi);
    if (!s) return wf_wit_oom(r);
    *s = i;
  }
  for (uint32_t i = first_world; i < r->w->nworlds; i++) {
    if (r->w->worlds[i].package != pk.pkg) continue;
    uint32_t *s = WIT_PUSH(r->a, p->worlds, p->nworlds, capw);
    if (!s) return wf_wit_oom(r);
    *s = i;
  }
  return true;
}

wf_wit_t *wf_wit_resolve(wit_ctx *c, wit_apkgs *pkgs, uint32_t nroot) {
  wf_wit_t *w = calloc(1, sizeof *w);
  if (!w) { wf_wit_err_nopos(c, "out of memory"); return NULL; }
  wit_res r;
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
    if (!id || !wit_map_put(r.a, &r.pkg_by_id, id, i, &ex)) { wf_wit_oom(&r); goto fail; }
    if (ex) {
      wf_wit_err(c, p->pos, "package `%s` is defined in two different locations:", id);
      goto fail;
    }
    const char *nm = pkg_id(&r, p->ns, p->name, NULL);
    if (!nm || !wit_map_put(r.a, &r.pkg_by_name, nm, i, &ex)) { wf_wit_oom(&r); goto fail; }
    if (ex && !p->version) *wit_map_get(&r.pkg_by_name, nm) = i;
  }
  uint32_t *order = wf_wit_alloc(r.a, sizeof(uint32_t) * (pkgs->npkgs ? pkgs->npkgs : 1));
  uint32_t norder = 0;
  if (!order) { wf_wit_oom(&r); goto fail; }
  if (!order_packages(&r, order, &norder)) goto fail;
  uint32_t capr = 0;
  for (uint32_t i = 0; i < norder; i++) {
    wit_apkg *p = pkgs->pkgs[order[i]];
    if (!p->has_name) continue;
    if (!resolve_package(&r, p)) goto fail;
    if (order[i] < nroot) {
      uint32_t *s = WIT_PUSH(r.a, w->roots, w->nroots, capr);
      if (!s) { wf_wit_oom(&r); goto fail; }
      *s = (uint32_t)p->resolved;
    }
  }
  return w;
fail:
  free(w);
  return NULL;
}
