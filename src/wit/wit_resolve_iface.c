/* WIT resolver, interfaces: the interfaces an interface uses first, then
 * its names (uses, types, functions) and bodies, in dependency order. */
#include <string.h>

#include "wit/wit_resolve.h"

/* ---- interfaces ---- */
typedef struct { wf_wit_func_t **fs; uint32_t *n, *cap; } func_list;

static bool emit_iface_func(wit_res *r, void *ctx, const wit_afunc *af, const wf_wit_func_t *f) {
  (void)af;
  func_list *l = ctx;
  wf_wit_func_t *slot = WIT_PUSH(r->a, *l->fs, *l->n, *l->cap);
  if (!slot) return wf_wit_oom(r);
  *slot = *f;
  return true;
}


bool wf_wit_iface_body(wit_res *r, wit_res_pkg *pk, wit_aiface *it, uint32_t ii) {
  wit_scope s;
  memset(&s, 0, sizeof s);
  s.owner_kind = WF_WIT_OWNER_INTERFACE;
  s.owner = ii;
  wf_wit_named_type_t *nt = NULL;
  uint32_t nnt = 0, capnt = 0;
  wf_wit_func_t *fs = NULL;
  uint32_t nfs = 0, capfs = 0;
  uint32_t first = r->w->ntypes;
  int32_t *slots = wf_wit_alloc(r->a, sizeof(int32_t) * (it->nitems ? it->nitems : 1));
  if (!slots) return wf_wit_oom(r);
  /* pass 1: names */
  for (uint32_t i = 0; i < it->nitems; i++) {
    wit_aitem *item = &it->items[i];
    slots[i] = -1;
    if (item->kind == AI_USE) {
      if (wf_wit_excluded(r, &item->use.gate)) continue;
      if (!wf_wit_check_gate(r, pk, &item->use.gate)) return false;
      int32_t used;
      if (!wf_wit_do_use(r, pk, it->file, &s, &item->use, WF_WIT_OWNER_INTERFACE, ii, &nt, &nnt, &capnt, &used))
        return false;
    } else if (item->kind == AI_DEF) {
      bool ex = wf_wit_excluded(r, &item->def.gate);
      if (!wf_wit_check_gate(r, pk, &item->def.gate)) return false;
      if (ex) {
        if (!wf_wit_scope_add(r, &s, item->def.name, item->def.pos, -1, false, true)) return false;
        for (uint32_t j = 0; item->def.kind == AD_RESOURCE && j < item->def.nfuncs; j++)
          if (!wf_wit_excluded(r, &item->def.funcs[j].gate))
            return wf_wit_err(r->c, item->def.funcs[j].pos,
                              "found a reference to a type which is excluded due to its feature not being activated");
        continue;
      }
      static const uint8_t k[] = {[AD_ALIAS] = WF_WIT_TYPE_ALIAS, [AD_RECORD] = WF_WIT_TYPE_RECORD,
                                  [AD_VARIANT] = WF_WIT_TYPE_VARIANT, [AD_ENUM] = WF_WIT_TYPE_ENUM,
                                  [AD_FLAGS] = WF_WIT_TYPE_FLAGS, [AD_RESOURCE] = WF_WIT_TYPE_RESOURCE};
      int32_t ti = wf_wit_new_type(r, item->def.name, k[item->def.kind], WF_WIT_OWNER_INTERFACE, ii);
      if (ti < 0) return wf_wit_oom(r);
      r->tpos[ti] = item->def.pos;
      r->w->types[ti].docs = item->def.docs;
      wf_wit_to_gate(&r->w->types[ti].gate, &item->def.gate);
      slots[i] = ti;
      if (!wf_wit_scope_add(r, &s, item->def.name, item->def.pos, ti, false, false)) return false;
      wf_wit_named_type_t *e = WIT_PUSH(r->a, nt, nnt, capnt);
      if (!e) return wf_wit_oom(r);
      e->name = item->def.name;
      e->type = (uint32_t)ti;
    } else {
      if (!wf_wit_check_gate(r, pk, &item->func.gate)) return false;
      if (!wf_wit_scope_add(r, &s, item->func.name, item->func.pos, -1, true, wf_wit_excluded(r, &item->func.gate)))
        return false;
    }
  }
  /* pass 2: bodies */
  for (uint32_t i = 0; i < it->nitems; i++)
    if (slots[i] >= 0 && !wf_wit_lower_def(r, &s, &it->items[i].def, slots[i])) return false;
  /* cycles among the named types just made */
  uint32_t nt_now = r->w->ntypes - first;
  uint8_t *marks = wf_wit_alloc(r->a, nt_now ? nt_now : 1);
  uint32_t *stack = wf_wit_alloc(r->a, sizeof(uint32_t) * 2 * (nt_now ? nt_now : 1));
  if (!marks || !stack) return wf_wit_oom(r);
  if (!wf_wit_check_cycles(r, first, marks, stack)) return false;
  if (!wf_wit_check_handles(r, &s)) return false;
  /* functions: resource members, then freestanding, in source order */
  for (uint32_t i = 0; i < it->nitems; i++) {
    wit_aitem *item = &it->items[i];
    if (item->kind == AI_DEF && slots[i] >= 0 && item->def.kind == AD_RESOURCE) {
      func_list out = {&fs, &nfs, &capfs};
      if (!wf_wit_lower_resource_members(r, pk, &s, &item->def, slots[i], emit_iface_func, &out)) return false;
    } else if (item->kind == AI_FUNC && !wf_wit_excluded(r, &item->func.gate)) {
      wf_wit_func_t *f = WIT_PUSH(r->a, fs, nfs, capfs);
      if (!f) return wf_wit_oom(r);
      if (!wf_wit_lower_func(r, &s, &item->func, f, item->func.name, -1)) return false;
      if (!wf_wit_check_func_result(r, f, item->func.pos)) return false;
    }
  }
  if (!wf_wit_check_handles(r, &s)) return false;
  wf_wit_interface_t *ir = &r->w->interfaces[ii];
  ir->types = nt;
  ir->ntypes = nnt;
  ir->funcs = fs;
  ir->nfuncs = nfs;
  return true;
}

bool wf_wit_new_iface(wit_res *r, wit_res_pkg *pk, wit_aiface *it, uint32_t *out) {
  wf_wit_interface_t *ir = WIT_PUSH(r->a, r->w->interfaces, r->w->ninterfaces, r->cap_if);
  if (!ir) return wf_wit_oom(r);
  memset(ir, 0, sizeof *ir);
  ir->name = it->name;
  ir->package = pk->pkg;
  ir->docs = it->docs;
  wf_wit_to_gate(&ir->gate, &it->gate);
  *out = r->w->ninterfaces - 1;
  return true;
}

/* resolve the interfaces `it` uses first (so IR order is topological) */
bool wf_wit_iface_deps(wit_res *r, wit_res_pkg *pk, wit_aiface *it) {
  for (uint32_t i = 0; i < it->nitems; i++) {
    wit_aitem *item = &it->items[i];
    if (item->kind != AI_USE || wf_wit_excluded(r, &item->use.gate)) continue;
    int32_t dummy;
    if (!wf_wit_path_iface(r, pk, it->file, &item->use.path, &dummy)) return false;
  }
  return true;
}

bool wf_wit_resolve_iface(wit_res *r, wit_res_pkg *pk, wit_aiface *it, int32_t *out) {
  if (it->state == 2) { *out = it->resolved; return true; }
  if (it->state == 1) return wf_wit_err(r->c, it->pos, "interface or world `%s` depends on itself", it->name);
  if (wf_wit_excluded(r, &it->gate)) {
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
  if (!wf_wit_check_gate(r, pk, &it->gate)) return false;
  if (++r->depth > WIT_MAX_DEP_DEPTH) return wf_wit_err(r->c, it->pos, "interface dependencies nest too deeply");
  it->state = 1;
  const char *save_name = r->cur_name;
  uint32_t save_pos = r->cur_pos;
  r->cur_name = it->name;
  r->cur_pos = it->pos;
  if (!wf_wit_iface_deps(r, pk, it)) return false;
  r->cur_name = save_name;
  r->cur_pos = save_pos;
  uint32_t ii;
  if (!wf_wit_new_iface(r, pk, it, &ii)) return false;
  if (!wf_wit_iface_body(r, pk, it, ii)) return false;
  it->state = 2;
  it->resolved = (int32_t)ii;
  r->depth--;
  *out = (int32_t)ii;
  return true;
}
