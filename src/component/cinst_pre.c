/* Pre-linking (weft_instance_pre_t, clink.h): an instance's arguments made
 * from a template linked once, instead of resolving every import by name
 * for every instance. The template is an ordinary top instance of the
 * component that wf_link_imports linked and that never runs. */
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "cinternal.h"
#include "clink.h"

bool wf_prelink(const weft_linker_t *l, struct weft_instance_pre *pre, weft_error_t *err) {
  pre->tmpl = wf_crt_new(NULL);
  wf_cinst_t *top = pre->tmpl ? wf_cinst_new(pre->tmpl, NULL, pre->comp->c) : NULL;
  if (!top) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return false;
  }
  return wf_link_imports(l, top, &pre->args, err);
}

/* Does list t hold a host function made for the template (then each
 * instance needs its own copy)? Other lists (a provider's instance, types
 * only) hold nothing instance-specific and are shared as they are. */
static bool needs_copy(const wf_citems_t *t, const wf_cinst_t *ttop) {
  for (uint32_t i = 0; i < t->n; i++) {
    const wf_citem_t *x = &t->items[i];
    if (x->sort == WF_SORT_FUNC && x->u.func && x->u.func->inst == ttop) return true;
  }
  return false;
}

/* A copy of list t for top: the items are copied (host functions remade
 * for top; instance lists copied when they need it, at most `depth` levels
 * down), names and by-name index are shared with t. */
static wf_citems_t *copy_list(const wf_citems_t *t, const wf_cinst_t *ttop, wf_cinst_t *top, int depth) {
  wf_arena_t *a = &top->rt->arena;
  wf_citems_t *l = wf_arena_alloc(a, sizeof *l);
  if (!l) return NULL;
  *l = *t;
  if (!t->n) return l;
  l->items = wf_arena_alloc(a, (size_t)t->n * sizeof *l->items);
  if (!l->items) return NULL;
  memcpy(l->items, t->items, (size_t)t->n * sizeof *l->items);
  for (uint32_t i = 0; i < t->n; i++) {
    wf_citem_t *x = &l->items[i];
    if (x->sort == WF_SORT_FUNC && x->u.func && x->u.func->inst == ttop) {
      wf_cfunc_t *f = wf_arena_alloc(a, sizeof *f);
      if (!f) return NULL;
      *f = *x->u.func;
      f->inst = top;
      f->param_names = NULL;   /* made on demand in the instance's arena */
      x->u.func = f;
    } else if (x->sort == WF_SORT_INSTANCE && x->u.inst && depth > 0 && needs_copy(x->u.inst, ttop)) {
      x->u.inst = copy_list(x->u.inst, ttop, top, depth - 1);
      if (!x->u.inst) return NULL;
    }
  }
  return l;
}

bool wf_link_from_pre(const struct weft_instance_pre *pre, wf_cinst_t *top, wf_citems_t **args) {
  const wf_cinst_t *ttop = pre->tmpl->top;
  /* the resources the template's imports bound, bound the same way */
  const wf_ridtab_t *tr = &ttop->rids;
  if (tr->cap) {
    wf_arena_t *a = &top->rt->arena;
    uint32_t *k = wf_arena_alloc(a, (size_t)tr->cap * sizeof *k);
    wf_rtype_t **v = wf_arena_alloc(a, (size_t)tr->cap * sizeof *v);
    if (!k || !v) return false;
    memcpy(k, tr->k, (size_t)tr->cap * sizeof *k);
    memcpy(v, tr->v, (size_t)tr->cap * sizeof *v);
    top->rids = (wf_ridtab_t){k, v, tr->cap, tr->n};
  }
  /* imports are functions, types or instances of functions and types */
  *args = copy_list(pre->args, ttop, top, 1);
  return *args != NULL;
}
