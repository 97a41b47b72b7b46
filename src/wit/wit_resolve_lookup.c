/* WIT resolver, names: what a path to an interface or world refers to
 * (local items, file-level `use`s, foreign packages), and bringing types
 * into a scope by `use`. */
#include <string.h>

#include "wit/wit_resolve.h"

/* ---- interface and world lookups within a package ---- */

bool wf_wit_lookup_foreign(wit_res *r, const wit_apath *pt, wit_target *t, bool want_world) {
  int32_t pi = wf_wit_find_apkg(r, pt->ns, pt->pkg, pt->version);
  if (pi < 0) return wf_wit_pkg_not_found(r, pt);
  wit_apkg *ap = r->pk->pkgs[pi];
  if (ap->resolved < 0) return wf_wit_pkg_not_found(r, pt);
  wf_wit_package_t *p = &r->w->packages[ap->resolved];
  const wit_map *items = ap->items_map;
  uint32_t *v = items ? wit_map_get(items, pt->name) : NULL;
  if (want_world) {
    if (v && (*v & WIT_WORLD_BIT)) {
      wit_aworld *aw = ap->worlds[*v & ~WIT_WORLD_BIT];
      if (aw->resolved < 0)
        return wf_wit_err(r->c, pt->pos, "found a reference to a world which is excluded due to its feature not being activated");
      t->kind = 2;
      t->ir = aw->resolved;
      return true;
    }
    return wf_wit_err(r->c, pt->pos, "world '%s' not found in package '%s'", pt->name, p->id);
  }
  if (v && !(*v & WIT_WORLD_BIT)) {
    wit_aiface *ai = ap->ifaces[*v];
    if (ai->resolved < 0)
      return wf_wit_err(r->c, pt->pos, "found a reference to a interface which is excluded due to its feature not being activated");
    t->kind = 1;
    t->ir = ai->resolved;
    return true;
  }
  return wf_wit_err(r->c, pt->pos, "interface '%s' not found in package '%s'", pt->name, p->id);
}

bool wf_wit_lookup_path(wit_res *r, wit_res_pkg *pk, uint32_t file, const wit_apath *pt, wit_target *t,
                        bool want_world, int depth) {
  memset(t, 0, sizeof *t);
  t->ir = -1;
  if (pt->ns) return wf_wit_lookup_foreign(r, pt, t, want_world);
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
      if (*v & WIT_WORLD_BIT) { t->kind = 2; t->aw = pk->ap->worlds[*v & ~WIT_WORLD_BIT]; }
      else { t->kind = 1; t->ai = pk->ap->ifaces[*v]; }
    } else if (!wf_wit_lookup_foreign(r, &p2, t, want_world)) {
      return false;
    }
  } else {
    uint32_t *v = wit_map_get(&pk->items, pt->name);
    if (!v) return wf_wit_err(r->c, pt->pos, "interface or world `%s` does not exist", pt->name);
    if (*v & WIT_WORLD_BIT) { t->kind = 2; t->aw = pk->ap->worlds[*v & ~WIT_WORLD_BIT]; }
    else { t->kind = 1; t->ai = pk->ap->ifaces[*v]; }
  }
  if (want_world && t->kind != 2)
    return wf_wit_err(r->c, pt->pos, "name `%s` is defined as an interface, not a world", pt->name);
  if (!want_world && t->kind != 1)
    return wf_wit_err(r->c, pt->pos, "name `%s` is defined as a world, not an interface", pt->name);
  return true;
}

/* Resolve a path to an IR interface index. */
bool wf_wit_path_iface(wit_res *r, wit_res_pkg *pk, uint32_t file, const wit_apath *pt, int32_t *out) {
  wit_target t;
  if (!wf_wit_lookup_path(r, pk, file, pt, &t, false, 0)) return false;
  if (t.ai) {
    if (t.ai->state == 1)
      return wf_wit_err(r->c, r->cur_name ? r->cur_pos : pt->pos, "interface or world `%s` depends on itself",
                        r->cur_name ? r->cur_name : t.ai->name);
    if (!wf_wit_resolve_iface(r, pk, t.ai, out)) return false;
    if (*out == -2)
      return wf_wit_err(r->c, pt->pos, "found a reference to a interface which is excluded due to its feature not being activated");
    return true;
  }
  *out = t.ir;
  return true;
}

static wit_map *iface_type_map(wit_res *r, uint32_t ii) {
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

/* ---- `use` of types from an interface ---- */

/* Bring `use` names into a scope as alias types owned by (ok, owner). */
bool wf_wit_do_use(wit_res *r, wit_res_pkg *pk, uint32_t file, wit_scope *s, const wit_ause *u, uint8_t ok,
                   uint32_t owner, wf_wit_named_type_t **nt, uint32_t *nnt, uint32_t *capnt, int32_t *used_iface) {
  int32_t ii;
  if (!wf_wit_path_iface(r, pk, file, &u->path, &ii)) return false;
  *used_iface = ii;
  wf_wit_interface_t *src = &r->w->interfaces[ii];
  wit_map *tm = iface_type_map(r, (uint32_t)ii);
  if (!tm) return wf_wit_oom(r);
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
    int32_t ti = wf_wit_new_type(r, nm, WF_WIT_TYPE_ALIAS, ok, owner);
    if (ti < 0) return wf_wit_oom(r);
    r->w->types[ti].a = found;
    if (!wf_wit_scope_add(r, s, nm, rn->pos, ti, false, false)) return false;
    s->ents[s->nents - 1].foreign = u->path.ns != NULL;
    if (nt) {
      wf_wit_named_type_t *e = WIT_PUSH(r->a, *nt, *nnt, *capnt);
      if (!e) return wf_wit_oom(r);
      e->name = nm;
      e->type = (uint32_t)ti;
    }
  }
  return true;
}

/* Resolve an interface body into IR interface `ii` (already pushed). */
