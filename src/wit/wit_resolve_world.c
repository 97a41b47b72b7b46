/* WIT resolver, worlds: imports and exports (with the interfaces they
 * depend on elaborated as imports), world-level `use` and types, and
 * `include` of other worlds with `with` renames. */
#include <string.h>

#include "wit/wit_resolve.h"

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

static const char *iface_key(wit_res *r, uint32_t ii) {
  char buf[512];
  const char *k = wf_wit_interface_id(r->w, ii, buf, sizeof buf);
  return wf_wit_strndup(r->a, k, strlen(k));
}

/* Add an item; dup: how to treat an existing key (0 error, 1 skip silently). */
static bool add_item(wit_res *r, itemvec *v, const wf_wit_world_item_t *it, bool is_import, uint32_t pos, int dup) {
  uint32_t *e = wit_map_get_f(&v->keys, it->key, true);
  if (e) {
    wf_wit_world_item_t *old = &v->v[*e];
    if (it->key_is_id && old->key_is_id && old->index == it->index) {
      if (dup) return true;
      bool ex;
      if (!wit_map_put(r->a, &v->explicit_ids, it->key, 0, &ex)) return wf_wit_oom(r);
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
  if (!n) return wf_wit_oom(r);
  *n = *it;
  bool ex;
  if (it->key_is_id && dup == 0 && !wit_map_put(r->a, &v->explicit_ids, it->key, 0, &ex)) return wf_wit_oom(r);
  if (!wit_map_put_f(r->a, &v->keys, it->key, v->n - 1, &ex, true)) return wf_wit_oom(r);
  return true;
}

/* interfaces that interface ii's types refer to (direct) */
static bool iface_direct_deps(wit_res *r, uint32_t ii, uint32_t **out, uint32_t *n) {
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
    if (!s) return wf_wit_oom(r);
    *s = tt->owner;
  }
  return true;
}

/* Add the interfaces ii depends on (transitively, dependencies first) as
 * imports, unless already imported (or, for exports, exported). */
static bool elaborate(wit_res *r, itemvec *imports, itemvec *exports, uint32_t ii, uint32_t pos) {
  /* iterative post-order DFS */
  uint32_t cap = 0, sp = 0;
  struct fr { uint32_t i, k, n; uint32_t *deps; } *st = NULL;
  struct fr *f0 = WIT_PUSH(r->a, st, sp, cap);
  if (!f0) return wf_wit_oom(r);
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
      if (!key) return wf_wit_oom(r);
      if (wit_map_get_f(&imports->keys, key, true)) continue;
      if (exports && wit_map_get_f(&exports->keys, key, true)) continue;
      struct fr *nf = WIT_PUSH(r->a, st, sp, cap);
      if (!nf) return wf_wit_oom(r);
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
    if (!it.key) return wf_wit_oom(r);
    it.key_is_id = 1;
    it.kind = WF_WIT_ITEM_INTERFACE;
    it.index = done;
    if (!add_item(r, imports, &it, true, pos, 1)) return false;
  }
  return true;
}

/* An exported interface's non-exported dependencies are imported; such an
 * import must not itself depend on an exported interface. */
static bool check_export_deps(wit_res *r, itemvec *imp, itemvec *exp, uint32_t pos) {
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
      if (!s) return wf_wit_oom(r);
      *s = deps[k];
    }
    uint32_t steps = 0;
    while (nw) {
      uint32_t d = work[--nw];
      if (++steps > 100000) break;
      const char *key = iface_key(r, d);
      bool ex;
      if (!key || !wit_map_put(r->a, &seen, key, 0, &ex)) return wf_wit_oom(r);
      if (ex) continue;
      if (wit_map_get(&exp->keys, key)) continue; /* satisfied by the export */
      uint32_t *dd, ndd;
      if (!iface_direct_deps(r, d, &dd, &ndd)) return false;
      for (uint32_t k = 0; k < ndd; k++) {
        const char *k2 = iface_key(r, dd[k]);
        if (!k2) return wf_wit_oom(r);
        if (wit_map_get(&exp->keys, k2))
          return wf_wit_err(r->c, pos, "interface `%s` transitively depends on an interface in incompatible ways",
                            exp->v[e].key);
        uint32_t *s = WIT_PUSH(r->a, work, nw, cap);
        if (!s) return wf_wit_oom(r);
        *s = dd[k];
      }
    }
  }
  return true;
}

static bool emit_world_import(wit_res *r, void *ctx, const wit_afunc *af, const wf_wit_func_t *f) {
  wf_wit_world_item_t x;
  memset(&x, 0, sizeof x);
  x.key = f->name;
  x.kind = WF_WIT_ITEM_FUNC;
  wf_wit_to_gate(&x.gate, &af->gate);
  x.func = *f;
  return add_item(r, ctx, &x, true, af->pos, 0);
}

bool wf_wit_resolve_world(wit_res *r, wit_res_pkg *pk, wit_aworld *w) {
  if (w->state == 2) return true;
  if (w->state == 1)
    return wf_wit_err(r->c, r->cur_name ? r->cur_pos : w->pos, "interface or world `%s` depends on itself",
                      r->cur_name ? r->cur_name : w->name);
  if (wf_wit_excluded(r, &w->gate)) { w->state = 2; w->resolved = -2; return true; }
  if (!wf_wit_check_gate(r, pk, &w->gate)) return false;
  if (++r->depth > WIT_MAX_DEP_DEPTH) return wf_wit_err(r->c, w->pos, "world includes nest too deeply");
  w->state = 1;
  const char *save_name = r->cur_name;
  uint32_t save_pos = r->cur_pos;
  r->cur_name = w->name;
  r->cur_pos = w->pos;
  /* includes and used/imported local interfaces first */
  for (uint32_t i = 0; i < w->nitems; i++) {
    wit_awitem *it = &w->items[i];
    if (wf_wit_excluded(r, &it->gate)) continue;
    if (it->kind == AW_INCLUDE) {
      wit_target t;
      if (!wf_wit_lookup_path(r, pk, w->file, &it->path, &t, true, 0)) return false;
      if (t.aw && !wf_wit_resolve_world(r, pk, t.aw)) return false;
      if (t.aw && t.aw->resolved == -2)
        return wf_wit_err(r->c, it->path.pos, "found a reference to a world which is excluded due to its feature not being activated");
    }
  }
  r->cur_name = save_name;
  r->cur_pos = save_pos;
  uint32_t wi;
  {
    wf_wit_world_t *ir = WIT_PUSH(r->a, r->w->worlds, r->w->nworlds, r->cap_wo);
    if (!ir) return wf_wit_oom(r);
    memset(ir, 0, sizeof *ir);
    ir->name = w->name;
    ir->package = pk->pkg;
    ir->docs = w->docs;
    wf_wit_to_gate(&ir->gate, &w->gate);
    wi = r->w->nworlds - 1;
  }
  itemvec imp, exp;
  memset(&imp, 0, sizeof imp);
  memset(&exp, 0, sizeof exp);
  imp.world = exp.world = w->name;
  wit_scope s;
  memset(&s, 0, sizeof s);
  s.owner_kind = WF_WIT_OWNER_WORLD;
  s.owner = wi;
  uint32_t first = r->w->ntypes;
  int32_t *slots = wf_wit_alloc(r->a, sizeof(int32_t) * (w->nitems ? w->nitems : 1));
  if (!slots) return wf_wit_oom(r);
  /* types: uses and defs */
  for (uint32_t i = 0; i < w->nitems; i++) {
    wit_awitem *it = &w->items[i];
    slots[i] = -1;
    if (it->kind == AW_USE) {
      if (wf_wit_excluded(r, &it->gate)) continue;
      if (!wf_wit_check_gate(r, pk, &it->gate)) return false;
      uint32_t before = r->w->ntypes;
      int32_t used;
      if (!wf_wit_do_use(r, pk, w->file, &s, &it->use, WF_WIT_OWNER_WORLD, wi, NULL, NULL, NULL, &used)) return false;
      if (!elaborate(r, &imp, NULL, (uint32_t)used, it->pos)) return false;
      wf_wit_world_item_t x;
      memset(&x, 0, sizeof x);
      x.key = iface_key(r, (uint32_t)used);
      if (!x.key) return wf_wit_oom(r);
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
      if (!wf_wit_check_gate(r, pk, &it->gate)) return false;
      if (wf_wit_excluded(r, &it->gate)) {
        if (!wf_wit_scope_add(r, &s, it->def.name, it->def.pos, -1, false, true)) return false;
        continue;
      }
      static const uint8_t k[] = {[AD_ALIAS] = WF_WIT_TYPE_ALIAS, [AD_RECORD] = WF_WIT_TYPE_RECORD,
                                  [AD_VARIANT] = WF_WIT_TYPE_VARIANT, [AD_ENUM] = WF_WIT_TYPE_ENUM,
                                  [AD_FLAGS] = WF_WIT_TYPE_FLAGS, [AD_RESOURCE] = WF_WIT_TYPE_RESOURCE};
      int32_t ti = wf_wit_new_type(r, it->def.name, k[it->def.kind], WF_WIT_OWNER_WORLD, wi);
      if (ti < 0) return wf_wit_oom(r);
      r->tpos[ti] = it->def.pos;
      wf_wit_to_gate(&r->w->types[ti].gate, &it->gate);
      slots[i] = ti;
      if (!wf_wit_scope_add(r, &s, it->def.name, it->def.pos, ti, false, false)) return false;
      wf_wit_world_item_t x;
      memset(&x, 0, sizeof x);
      x.key = it->def.name;
      x.kind = WF_WIT_ITEM_TYPE;
      x.index = (uint32_t)ti;
      wf_wit_to_gate(&x.gate, &it->gate);
      if (!add_item(r, &imp, &x, true, it->def.pos, 0)) return false;
    }
  }
  for (uint32_t i = 0; i < w->nitems; i++)
    if (slots[i] >= 0 && !wf_wit_lower_def(r, &s, &w->items[i].def, slots[i])) return false;
  {
    uint32_t n = r->w->ntypes - first;
    uint8_t *marks = wf_wit_alloc(r->a, n ? n : 1);
    uint32_t *stack = wf_wit_alloc(r->a, sizeof(uint32_t) * 2 * (n ? n : 1));
    if (!marks || !stack) return wf_wit_oom(r);
    if (!wf_wit_check_cycles(r, first, marks, stack) || !wf_wit_check_handles(r, &s)) return false;
  }
  for (uint32_t i = 0; i < w->nitems; i++) {
    wit_awitem *it = &w->items[i];
    if (slots[i] < 0 || it->def.kind != AD_RESOURCE) continue;
    if (!wf_wit_lower_resource_members(r, pk, &s, &it->def, slots[i], emit_world_import, &imp)) return false;
  }
  /* imports and exports, then includes */
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t i = 0; i < w->nitems; i++) {
      wit_awitem *it = &w->items[i];
      if (it->kind != AW_IMPORT && it->kind != AW_EXPORT) continue;
      bool is_imp = it->kind == AW_IMPORT;
      if ((pass == 0) != is_imp) continue;
      if (wf_wit_excluded(r, &it->gate)) continue;
      if (!wf_wit_check_gate(r, pk, &it->gate)) return false;
      itemvec *v = is_imp ? &imp : &exp;
      wf_wit_world_item_t x;
      memset(&x, 0, sizeof x);
      wf_wit_to_gate(&x.gate, &it->gate);
      if (it->xkind == AX_FUNC) {
        x.key = it->name;
        x.kind = WF_WIT_ITEM_FUNC;
        if (!wf_wit_lower_func(r, &s, &it->func, &x.func, it->name, -1)) return false;
        if (!wf_wit_check_func_result(r, &x.func, it->pos)) return false;
        if (!add_item(r, v, &x, is_imp, it->pos, 0)) return false;
      } else {
        int32_t ii;
        if (it->xkind == AX_IFACE) {
          it->iface->gate.kind = 0; /* the extern's gate was already applied */
          it->iface->name = NULL;
          if (!wf_wit_iface_deps(r, pk, it->iface)) return false;
          uint32_t u;
          if (!wf_wit_new_iface(r, pk, it->iface, &u) || !wf_wit_iface_body(r, pk, it->iface, u)) return false;
          ii = (int32_t)u;
          x.key = it->name;
        } else {
          if (!wf_wit_path_iface(r, pk, w->file, &it->path, &ii)) return false;
          if (it->name) {
            x.key = it->name; /* `import label: iface;` */
          } else {
            x.key = iface_key(r, (uint32_t)ii);
            if (!x.key) return wf_wit_oom(r);
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
    if (it->kind != AW_INCLUDE || wf_wit_excluded(r, &it->gate)) continue;
    if (!wf_wit_check_gate(r, pk, &it->gate)) return false;
    wit_target t;
    if (!wf_wit_lookup_path(r, pk, w->file, &it->path, &t, true, 0)) return false;
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
              const char *nm =
                  x.func.kind == WF_WIT_FUNC_CONSTRUCTOR
                      ? wf_wit_mangle(r, "[constructor]", it->with[k].as, NULL)
                      : wf_wit_mangle(r, x.func.kind == WF_WIT_FUNC_STATIC ? "[static]" : "[method]", it->with[k].as,
                                      dot ? dot + 1 : "");
              if (!nm) return wf_wit_oom(r);
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
