/* Component instantiation: walk a component's definitions in binary order
 * and build its runtime index spaces (Explainer.md "Instance Definitions",
 * "Alias Definitions", "Canonical Definitions", "Import and Export
 * Definitions"). Every core instance of a top-level instantiation lives in
 * one store; every runtime object in one arena (crt.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "cinternal.h"
#include "clink.h"

/* Budgets against components that multiply work through nesting (a
 * component instantiating, through outer aliases, one that instantiates
 * another ... twice each). */
#define WF_CRT_MAX_INSTANCES 10000u      /* component instances per runtime */
#define WF_CRT_MAX_CORE_INSTANCES 10000u /* core module instantiations per runtime */
#define WF_CRT_MAX_WORK 4000000ull       /* definitions run + index-space entries made */

#define WF_TRAIL_MAX 128u

typedef struct {
  weft_error_t *err;
  uint64_t work;
  uint32_t ninsts, ncore;
  const wf_cdef_t *trail[WF_TRAIL_MAX];   /* where the error came from, innermost first */
  uint32_t ntrail;
} ictx_t;

/* ---- runtimes ----------------------------------------------------------------- */

wf_crt_t *wf_crt_new(wf_mempool_t *pool) {
  wf_crt_t *rt = calloc(1, sizeof *rt);
  if (!rt) return NULL;
  wf_arena_init(&rt->arena);
  rt->store = wf_store_new_pooled(pool);
  if (!rt->store) {
    wf_arena_fini(&rt->arena);
    free(rt);
    return NULL;
  }
  return rt;
}

void wf_crt_free(wf_crt_t *rt) {
  if (!rt) return;
  for (wf_cinst_t *i = rt->insts; i; i = i->next) wf_htable_fini(&i->handles);
  wf_host_fini(&rt->host);   /* the host's own handles: forgotten, no guest destructor runs */
  for (uint32_t k = rt->nstates; k-- > 0;)
    if (rt->states[k].state && rt->states[k].free_fn) rt->states[k].free_fn(rt->states[k].state);
  wf_store_free(rt->store);
  wf_arena_fini(&rt->arena);
  free(rt);
}

wf_cinst_t *wf_cinst_new(wf_crt_t *rt, wf_cinst_t *parent, const wf_component_t *comp) {
  wf_cinst_t *inst = wf_arena_alloc(&rt->arena, sizeof *inst);
  if (!inst) return NULL;
  inst->rt = rt;
  inst->parent = parent;
  inst->comp = comp;
  inst->may_leave = inst->may_enter = true;
  for (unsigned s = 0; s < WF_SORT_COUNT; s++) {
    if (!comp->nspace[s]) continue;
    inst->space[s] = wf_arena_alloc(&rt->arena, (size_t)comp->nspace[s] * sizeof(wf_citem_t));
    if (!inst->space[s]) return NULL;
  }
  const wf_ctype_t *ct = wf_ctype(comp->types, comp->type);
  inst->exports.ts = comp->types;
  if (ct->nexports) {
    size_t n = ct->nexports;
    inst->exports.names = wf_arena_alloc(&rt->arena, n * sizeof(char *));
    inst->exports.items = wf_arena_alloc(&rt->arena, n * sizeof(wf_citem_t));
    inst->exports.lens = wf_arena_alloc(&rt->arena, n * sizeof(uint32_t));
    if (!inst->exports.names || !inst->exports.items || !inst->exports.lens) return NULL;
  }
  wf_htable_init(&inst->handles);
  inst->next = rt->insts;
  rt->insts = inst;
  if (!rt->top) rt->top = inst;
  return inst;
}

/* ---- errors ------------------------------------------------------------------------ */

static const char *def_word(uint8_t kind) {
  switch (kind) {
  case WF_CDEF_CORE_MODULE: return "core module";
  case WF_CDEF_CORE_INSTANCE: return "core instance";
  case WF_CDEF_CORE_TYPE: return "core type";
  case WF_CDEF_COMPONENT: return "component";
  case WF_CDEF_INSTANCE: return "instance";
  case WF_CDEF_ALIAS: return "alias";
  case WF_CDEF_TYPE: return "type";
  case WF_CDEF_CANON: return "canon";
  case WF_CDEF_START: return "start";
  case WF_CDEF_IMPORT: return "import";
  case WF_CDEF_EXPORT: return "export";
  default: return "definition";
  }
}

/* Record that the error came from definition d (innermost first); the
 * message is prefixed with the trail when the walk gives up. */
static bool wrap(ictx_t *cx, const wf_cdef_t *d) {
  if (cx->ntrail < WF_TRAIL_MAX) cx->trail[cx->ntrail] = d;
  cx->ntrail++;
  return false;
}

/* "instance 0 (at byte 151): core instance 0 (at byte 107): <reason>",
 * outermost first; a long trail keeps its two outermost and three innermost
 * definitions. */
static void prefix_trail(ictx_t *cx) {
  weft_error_t *err = cx->err;
  if (!err || !cx->ntrail) return;
  char pre[400];
  size_t pl = 0;
  uint32_t n = cx->ntrail < WF_TRAIL_MAX ? cx->ntrail : WF_TRAIL_MAX;
  for (uint32_t k = n; k-- > 0;) {
    uint32_t pos = n - 1 - k;   /* 0 = outermost */
    if (n > 5 && pos >= 2 && k >= 3) {
      if (pos == 2 && pl + 6 < sizeof pre) pl += (size_t)snprintf(pre + pl, sizeof pre - pl, "...: ");
      continue;
    }
    const wf_cdef_t *d = cx->trail[k];
    int w = snprintf(pre + pl, sizeof pre - pl, "%s %u (at byte %u): ", def_word(d->kind), d->index, d->offset);
    if (w < 0 || (size_t)w >= sizeof pre - pl) break;
    pl += (size_t)w;
  }
  size_t cap = sizeof err->message, len = strnlen(err->message, cap - 1);
  if (pl > cap / 2) pl = cap / 2;
  if (len + pl > cap - 1) len = cap - 1 - pl;
  memmove(err->message + pl, err->message, len);
  memcpy(err->message, pre, pl);
  err->message[pl + len] = 0;
}

static bool fail(ictx_t *cx, const wf_cdef_t *d, weft_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail(ictx_t *cx, const wf_cdef_t *d, weft_status_t st, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  wf_api_err(cx->err, st, "%s", msg);
  return d ? wrap(cx, d) : false;
}

static bool oom(ictx_t *cx, const wf_cdef_t *d) { return fail(cx, d, WEFT_ERR_NOMEM, "out of memory"); }

static bool spend(ictx_t *cx, const wf_cdef_t *d, uint64_t n) {
  cx->work += n;
  if (cx->work > WF_CRT_MAX_WORK)
    return fail(cx, d, WEFT_ERR_LINK, "component instantiation too large (more than %llu definitions and entries)",
                (unsigned long long)WF_CRT_MAX_WORK);
  return true;
}

/* ---- index spaces ------------------------------------------------------------------ */

static const wf_citem_t *get(ictx_t *cx, const wf_cdef_t *d, const wf_cinst_t *inst, unsigned sort, uint32_t idx) {
  if (sort >= WF_SORT_COUNT || idx >= inst->nspace[sort]) {
    fail(cx, d, WEFT_ERR_LINK, "%s index %u out of bounds", wf_sort_name(sort), idx);
    return NULL;
  }
  return &inst->space[sort][idx];
}

/* Add the entry a definition makes (at d->index of d->sort). */
static bool put(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d, wf_citem_t item) {
  unsigned s = d->sort;
  if (s >= WF_SORT_COUNT || d->index != inst->nspace[s] || d->index >= inst->comp->nspace[s])
    return fail(cx, d, WEFT_ERR_LINK, "index space out of step with the decoder (%s %u)", wf_sort_name(s), d->index);
  item.sort = (uint8_t)s;
  if (!item.type) item.type = inst->comp->space[s][d->index];
  if (s == WF_SORT_TYPE && !item.u.rtype && wf_ctype(inst->comp->types, item.type)->kind == WF_CT_RESOURCE)
    item.u.rtype = wf_cinst_rtype(inst, item.type);
  inst->space[s][inst->nspace[s]++] = item;
  return true;
}

static char *dup_name(wf_crt_t *rt, const char *s, size_t len) { return wf_arena_strndup(&rt->arena, s, len); }

static bool core_extern_item(wf_citem_t *it, const wf_extern_t *x) {
  switch (x->kind) {
  case WF_EXTERN_FUNC: it->sort = WF_SORT_CORE_FUNC; break;
  case WF_EXTERN_TABLE: it->sort = WF_SORT_CORE_TABLE; break;
  case WF_EXTERN_MEMORY: it->sort = WF_SORT_CORE_MEMORY; break;
  case WF_EXTERN_GLOBAL: it->sort = WF_SORT_CORE_GLOBAL; break;
  case WF_EXTERN_TAG: it->sort = WF_SORT_CORE_TAG; break;
  default: return false;
  }
  it->u.core = *x;
  return true;
}

/* ---- core instances ------------------------------------------------------------------ */

static bool core_instantiate(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d) {
  wf_crt_t *rt = inst->rt;
  const wf_citem_t *mi = get(cx, d, inst, WF_SORT_CORE_MODULE, d->u.inst.of);
  if (!mi) return false;
  const wf_module_t *m = mi->u.module;
  if (++cx->ncore > WF_CRT_MAX_CORE_INSTANCES)
    return fail(cx, d, WEFT_ERR_LINK, "component instantiation too large (more than %u core instances)",
                WF_CRT_MAX_CORE_INSTANCES);
  /* arguments by name */
  wf_citems_t *args = wf_citems_new(&rt->arena, d->u.inst.nargs, NULL);
  if (!args) return oom(cx, d);
  for (uint32_t i = 0; i < d->u.inst.nargs; i++) {
    const wf_csortidx_t *a = &d->u.inst.args[i];
    const wf_citem_t *ci = get(cx, d, inst, WF_SORT_CORE_INSTANCE, a->idx);
    if (!ci) return false;
    args->names[i] = a->name;   /* a temporary list: not NUL-terminated, lens give the lengths */
    args->lens[i] = a->name_len;
    args->items[i] = *ci;
  }
  if (!wf_citems_index(&rt->arena, args)) return oom(cx, d);
  wf_extern_t *imports = m->nimports ? calloc(m->nimports, sizeof *imports) : NULL;
  if (m->nimports && !imports) return oom(cx, d);
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wf_import_t *im = &m->imports[i];
    const wf_citem_t *a = wf_citems_find(args, im->module, im->module_len);
    const wf_citem_t *x = a ? wf_citems_find(a->u.core_inst, im->name, im->name_len) : NULL;
    if (!x || x->sort > WF_SORT_CORE_TAG) {
      free(imports);
      return fail(cx, d, WEFT_ERR_LINK, "no argument provides the module's import `%.*s` `%.*s`",
                  WF_NLEN(im->module_len), im->module, WF_NLEN(im->name_len), im->name);
    }
    imports[i] = x->u.core;
  }
  wf_error_t e = {0};
  int trapped = 0;
  wf_instance_t *ci = wf_instantiate(rt->store, m, imports, &e, &trapped);
  free(imports);
  if (!ci) {
    if (trapped) {
      const wf_trap_t *t = wf_exec_last_trap(wf_store_exec(rt->store));
      if (t && t->code != WF_TRAP_NONE && strcmp(t->msg, e.msg) == 0) {
        wf_api_trap(cx->err, t);
      } else {
        /* a trap of segment initialisation: no execution record */
        wf_api_err(cx->err, WEFT_ERR_TRAP, "%s", e.msg);
        weft_trap_code_t code = WEFT_TRAP_HOST;
        for (int k = 1; k < WF_TRAP_COUNT; k++)
          if (strcmp(e.msg, wf_trap_message((wf_trapcode_t)k)) == 0) code = wf_api_trap_code((wf_trapcode_t)k);
        if (cx->err) cx->err->trap = code;
      }
      return wrap(cx, d);
    }
    return fail(cx, d, WEFT_ERR_LINK, "%s", e.msg);
  }
  /* its exports */
  const wf_ctype_t *st = wf_ctype(inst->comp->types, inst->comp->space[WF_SORT_CORE_INSTANCE][d->index]);
  wf_citems_t *ex = wf_citems_new(&rt->arena, m->nexports, inst->comp->types);
  if (!ex) return oom(cx, d);
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wf_export_t *me = &m->exports[i];
    wf_extern_t x = {.kind = me->kind};
    switch (me->kind) {
    case WF_EXTERN_FUNC: x.u.func = ci->funcs[me->index]; break;
    case WF_EXTERN_TABLE: x.u.table = ci->tables[me->index]; break;
    case WF_EXTERN_MEMORY: x.u.mem = ci->mems[me->index]; break;
    case WF_EXTERN_GLOBAL: x.u.global = ci->globals[me->index]; break;
    case WF_EXTERN_TAG: x.u.tag = ci->tags[me->index]; break;
    default: return fail(cx, d, WEFT_ERR_LINK, "export `%.*s` has an unsupported kind", WF_NLEN(me->name_len), me->name);
    }
    ex->names[i] = dup_name(rt, me->name, me->name_len);
    if (!ex->names[i]) return oom(cx, d);
    ex->lens[i] = me->name_len;
    core_extern_item(&ex->items[i], &x);
    if (st->ncexports == m->nexports) ex->items[i].type = st->cexports[i].type;
  }
  if (!wf_citems_index(&rt->arena, ex)) return oom(cx, d);
  wf_citem_t item = {.sort = WF_SORT_CORE_INSTANCE};
  item.u.core_inst = ex;
  return put(cx, inst, d, item);
}

static bool core_instance(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d) {
  if (d->u.inst.instantiate) return core_instantiate(cx, inst, d);
  wf_citems_t *ex = wf_citems_new(&inst->rt->arena, d->u.inst.nargs, inst->comp->types);
  if (!ex) return oom(cx, d);
  for (uint32_t i = 0; i < d->u.inst.nargs; i++) {
    const wf_csortidx_t *a = &d->u.inst.args[i];
    if (a->sort > WF_SORT_CORE_TAG) return fail(cx, d, WEFT_ERR_LINK, "invalid core instance export sort");
    const wf_citem_t *x = get(cx, d, inst, a->sort, a->idx);
    if (!x) return false;
    ex->names[i] = dup_name(inst->rt, a->name, a->name_len);
    if (!ex->names[i]) return oom(cx, d);
    ex->lens[i] = a->name_len;
    ex->items[i] = *x;
  }
  if (!wf_citems_index(&inst->rt->arena, ex)) return oom(cx, d);
  wf_citem_t item = {.sort = WF_SORT_CORE_INSTANCE};
  item.u.core_inst = ex;
  return put(cx, inst, d, item);
}

/* ---- component instances ----------------------------------------------------------- */

static bool run(ictx_t *cx, wf_cinst_t *inst, const wf_citems_t *args, uint32_t depth);

/* The exports list of an inline instance or the arguments of an
 * instantiation: names (copied, NUL-terminated) and items. */
static wf_citems_t *named_items(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d) {
  wf_crt_t *rt = inst->rt;
  wf_citems_t *l = wf_citems_new(&rt->arena, d->u.inst.nargs, inst->comp->types);
  if (!l) {
    oom(cx, d);
    return NULL;
  }
  for (uint32_t i = 0; i < d->u.inst.nargs; i++) {
    const wf_csortidx_t *a = &d->u.inst.args[i];
    const wf_citem_t *x = get(cx, d, inst, a->sort, a->idx);
    if (!x) return NULL;
    l->names[i] = dup_name(rt, a->name, a->name_len);
    if (!l->names[i]) {
      oom(cx, d);
      return NULL;
    }
    l->lens[i] = a->name_len;
    l->items[i] = *x;
  }
  if (!wf_citems_index(&rt->arena, l)) {
    oom(cx, d);
    return NULL;
  }
  return l;
}

static bool instance(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d, uint32_t depth) {
  wf_citems_t *l = named_items(cx, inst, d);
  if (!l) return false;
  wf_citem_t item = {.sort = WF_SORT_INSTANCE};
  if (!d->u.inst.instantiate) {
    item.u.inst = l;
    return put(cx, inst, d, item);
  }
  const wf_citem_t *ci = get(cx, d, inst, WF_SORT_COMPONENT, d->u.inst.of);
  if (!ci) return false;
  if (++cx->ninsts > WF_CRT_MAX_INSTANCES)
    return fail(cx, d, WEFT_ERR_LINK, "component instantiation too large (more than %u component instances)",
                WF_CRT_MAX_INSTANCES);
  if (depth >= WF_CMAX_DEPTH) return fail(cx, d, WEFT_ERR_LINK, "component instances nested too deeply");
  const wf_ccomp_t *cc = ci->u.comp;
  wf_cinst_t *child = wf_cinst_new(inst->rt, cc->parent, cc->comp);
  if (!child) return oom(cx, d);
  if (!run(cx, child, l, depth + 1)) return wrap(cx, d);
  item.u.inst = &child->exports;
  wf_ctid_t itype = inst->comp->space[WF_SORT_INSTANCE][d->index];
  if (!wf_cinst_bind_exports(inst, itype, &child->exports, cx->err)) return wrap(cx, d);
  return put(cx, inst, d, item);
}

/* ---- aliases -------------------------------------------------------------------------- */

static bool alias(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d) {
  const wf_citem_t *x = NULL;
  const char *nm = d->u.alias.name;
  uint32_t nl = d->u.alias.name_len;
  switch (d->u.alias.kind) {
  case WF_ALIAS_EXPORT: {
    const wf_citem_t *i = get(cx, d, inst, WF_SORT_INSTANCE, d->u.alias.instance);
    if (!i) return false;
    x = wf_citems_find(i->u.inst, nm, nl);
    if (!x) return fail(cx, d, WEFT_ERR_LINK, "instance %u has no export `%.*s`", d->u.alias.instance, WF_NLEN(nl), nm);
    break;
  }
  case WF_ALIAS_CORE_EXPORT: {
    const wf_citem_t *i = get(cx, d, inst, WF_SORT_CORE_INSTANCE, d->u.alias.instance);
    if (!i) return false;
    x = wf_citems_find(i->u.core_inst, nm, nl);
    if (!x) return fail(cx, d, WEFT_ERR_LINK, "core instance %u has no export `%.*s`", d->u.alias.instance, WF_NLEN(nl), nm);
    break;
  }
  case WF_ALIAS_OUTER: {
    const wf_cinst_t *anc = inst;
    for (uint32_t k = 0; k < d->u.alias.count && anc; k++) anc = anc->parent;
    if (!anc) return fail(cx, d, WEFT_ERR_LINK, "outer alias count %u goes past the top level", d->u.alias.count);
    x = get(cx, d, anc, d->sort, d->u.alias.idx);
    if (!x) return false;
    break;
  }
  default: return fail(cx, d, WEFT_ERR_LINK, "unknown alias kind");
  }
  if (x->sort != d->sort)
    return fail(cx, d, WEFT_ERR_LINK, "aliased item is a %s, expected a %s", wf_sort_name(x->sort), wf_sort_name(d->sort));
  wf_citem_t item = *x;
  item.type = WF_CTID_NONE;   /* this component's static type of the entry */
  return put(cx, inst, d, item);
}

/* ---- canonical definitions ------------------------------------------------------------ */

static bool core_func_at(ictx_t *cx, const wf_cdef_t *d, wf_cinst_t *inst, uint32_t idx, wf_funcinst_t **out) {
  const wf_citem_t *x = get(cx, d, inst, WF_SORT_CORE_FUNC, idx);
  if (!x) return false;
  if (x->u.core.kind != WF_EXTERN_FUNC || !x->u.core.u.func) return fail(cx, d, WEFT_ERR_LINK, "core func %u is not a function", idx);
  *out = x->u.core.u.func;
  return true;
}

static bool resolve_opts(ictx_t *cx, const wf_cdef_t *d, wf_cinst_t *inst, wf_copts_t *o) {
  const wf_canonopts_t *c = &d->u.canon.opts;
  memset(o, 0, sizeof *o);
  o->enc = c->string_encoding;
  if (c->has_memory) {
    const wf_citem_t *x = get(cx, d, inst, WF_SORT_CORE_MEMORY, c->memory);
    if (!x) return false;
    if (x->u.core.kind != WF_EXTERN_MEMORY) return fail(cx, d, WEFT_ERR_LINK, "core memory %u is not a memory", c->memory);
    o->mem = x->u.core.u.mem;
  }
  if (c->has_realloc && !core_func_at(cx, d, inst, c->realloc, &o->realloc)) return false;
  if (c->has_post_return && !core_func_at(cx, d, inst, c->post_return, &o->post_return)) return false;
  return true;
}

static bool core_func_item(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d, wf_funcinst_t *f, const wf_error_t *e) {
  if (!f) return fail(cx, d, e->msg[0] && strstr(e->msg, "out of memory") ? WEFT_ERR_NOMEM : WEFT_ERR_LINK, "%s",
                      e->msg[0] ? e->msg : "could not make the core function");
  wf_citem_t item = {.sort = WF_SORT_CORE_FUNC};
  item.u.core.kind = WF_EXTERN_FUNC;
  item.u.core.u.func = f;
  return put(cx, inst, d, item);
}

static bool canon(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d) {
  const wf_component_t *c = inst->comp;
  wf_error_t e = {0};
  switch (d->u.canon.kind) {
  case WF_CANON_LIFT: {
    wf_cfunc_t *f = wf_arena_alloc(&inst->rt->arena, sizeof *f);
    if (!f) return oom(cx, d);
    f->kind = WF_CFUNC_LIFTED;
    f->inst = inst;
    if (d->index >= c->nspace[WF_SORT_FUNC]) return fail(cx, d, WEFT_ERR_LINK, "func index out of step");
    f->type = c->space[WF_SORT_FUNC][d->index];
    if (!core_func_at(cx, d, inst, d->u.canon.func, &f->core) || !resolve_opts(cx, d, inst, &f->opts)) return false;
    if (d->u.canon.opts.is_async) {
      /* the async ABI is not implemented: calls trap "not supported"
       * before any guest code runs, through a core function of the same
       * signature in place of the guest's */
      wf_ctid_t ct = c->space[WF_SORT_CORE_FUNC][d->u.canon.func];
      f->core = wf_canon_unsupported_builtin(inst, d, ct, &e);
      if (!f->core) return core_func_item(cx, inst, d, NULL, &e);
    }
    wf_citem_t item = {.sort = WF_SORT_FUNC};
    item.u.func = f;
    return put(cx, inst, d, item);
  }
  case WF_CANON_LOWER: {
    const wf_citem_t *x = get(cx, d, inst, WF_SORT_FUNC, d->u.canon.func);
    if (!x) return false;
    if (d->u.canon.opts.is_async) {
      /* the async ABI is not implemented: a core function of the async
       * lowered signature that traps "not supported" when called */
      if (d->index >= c->nspace[WF_SORT_CORE_FUNC]) return fail(cx, d, WEFT_ERR_LINK, "core func index out of step");
      wf_ctid_t ct = c->space[WF_SORT_CORE_FUNC][d->index];
      return core_func_item(cx, inst, d, wf_canon_unsupported_builtin(inst, d, ct, &e), &e);
    }
    wf_copts_t o;
    if (!resolve_opts(cx, d, inst, &o)) return false;
    wf_ctid_t ft = c->space[WF_SORT_FUNC][d->u.canon.func];
    if (d->index >= c->nspace[WF_SORT_CORE_FUNC]) return fail(cx, d, WEFT_ERR_LINK, "core func index out of step");
    wf_ctid_t ct = c->space[WF_SORT_CORE_FUNC][d->index];
    return core_func_item(cx, inst, d, wf_canon_lower_new(inst, ft, ct, &o, x->u.func, &e), &e);
  }
  case WF_CANON_RESOURCE_NEW:
  case WF_CANON_RESOURCE_DROP:
  case WF_CANON_RESOURCE_REP: {
    const wf_citem_t *x = get(cx, d, inst, WF_SORT_TYPE, d->u.canon.type);
    if (!x) return false;
    wf_rtype_t *rt = x->u.rtype ? x->u.rtype : wf_cinst_rtype(inst, x->type);
    if (!rt) return fail(cx, d, WEFT_ERR_LINK, "type %u is not a bound resource type", d->u.canon.type);
    return core_func_item(cx, inst, d, wf_canon_resource_builtin(inst, (wf_canonkind_t)d->u.canon.kind, rt, &e), &e);
  }
  case WF_CANON_BUILTIN: {
    if (d->index >= c->nspace[WF_SORT_CORE_FUNC]) return fail(cx, d, WEFT_ERR_LINK, "core func index out of step");
    wf_ctid_t ct = c->space[WF_SORT_CORE_FUNC][d->index];
    return core_func_item(cx, inst, d, wf_canon_unsupported_builtin(inst, d, ct, &e), &e);
  }
  default: return fail(cx, d, WEFT_ERR_LINK, "unknown canonical definition");
  }
}

/* ---- types ------------------------------------------------------------------------------ */

static bool type_def(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d) {
  wf_citem_t item = {.type = d->u.type.type};
  const wf_ctype_t *t = wf_ctype(inst->comp->types, d->u.type.type);
  if (d->kind == WF_CDEF_TYPE && t->kind == WF_CT_RESOURCE && t->rep) {
    /* (type (resource (rep i32) (dtor ...))): a fresh runtime type per instance */
    wf_rtype_t *rt = wf_arena_alloc(&inst->rt->arena, sizeof *rt);
    if (!rt) return oom(cx, d);
    rt->impl = inst;
    rt->name = "guest-defined resource";
    if (t->has_dtor && !core_func_at(cx, d, inst, t->dtor, &rt->dtor)) return false;
    if (!wf_cinst_bind_rid(inst, t->rid, rt)) return oom(cx, d);
    item.u.rtype = rt;
  }
  return put(cx, inst, d, item);
}

/* ---- imports and exports ---------------------------------------------------------------- */

static bool import_def(ictx_t *cx, wf_cinst_t *inst, const wf_citems_t *args, const wf_cdef_t *d) {
  const char *nm = d->u.ie.name;
  uint32_t nl = d->u.ie.name_len;
  const wf_citem_t *x = wf_citems_find(args, nm, nl);
  if (!x) return fail(cx, d, WEFT_ERR_LINK, "no argument given for import `%.*s`", WF_NLEN(nl), nm);
  char what[200];
  snprintf(what, sizeof what, "%.*s", WF_NLEN(nl), nm);
  if (!wf_cinst_bind_import(inst, what, d->u.ie.type.sort, d->u.ie.type.type, x, cx->err)) return wrap(cx, d);
  wf_citem_t item = *x;
  item.type = WF_CTID_NONE;
  return put(cx, inst, d, item);
}

static bool export_def(ictx_t *cx, wf_cinst_t *inst, const wf_cdef_t *d) {
  const wf_citem_t *x = get(cx, d, inst, d->sort, d->u.ie.idx);
  if (!x) return false;
  wf_citem_t item = *x;
  item.type = d->u.ie.type.type;
  if (d->sort == WF_SORT_TYPE) {
    const wf_ctype_t *t = wf_ctype(inst->comp->types, item.type);
    if (t->kind == WF_CT_RESOURCE) {
      /* an export ascribed `(sub resource)` has a rid of its own */
      if (!item.u.rtype) item.u.rtype = wf_cinst_rtype(inst, x->type);
      if (!item.u.rtype) return fail(cx, d, WEFT_ERR_LINK, "exported resource type is not bound");
      if (!wf_cinst_rtype(inst, item.type) && !wf_cinst_bind_rid(inst, t->rid, item.u.rtype)) return oom(cx, d);
      if (item.u.rtype->impl == inst && item.u.rtype->name && strcmp(item.u.rtype->name, "guest-defined resource") == 0) {
        char *n = dup_name(inst->rt, d->u.ie.name, d->u.ie.name_len);
        if (!n) return oom(cx, d);
        item.u.rtype->name = n;
      }
    }
  }
  wf_citems_t *ex = &inst->exports;
  const wf_ctype_t *ct = wf_ctype(inst->comp->types, inst->comp->type);
  if (ex->n >= ct->nexports) return fail(cx, d, WEFT_ERR_LINK, "more exports than the component type lists");
  char *n = dup_name(inst->rt, d->u.ie.name, d->u.ie.name_len);
  if (!n) return oom(cx, d);
  ex->names[ex->n] = n;
  ex->lens[ex->n] = d->u.ie.name_len;
  ex->items[ex->n] = item;
  ex->n++;
  wf_citem_t entry = item;
  entry.type = WF_CTID_NONE;
  return put(cx, inst, d, entry);
}

/* ---- the walk ------------------------------------------------------------------------------ */

static bool run(ictx_t *cx, wf_cinst_t *inst, const wf_citems_t *args, uint32_t depth) {
  const wf_component_t *c = inst->comp;
  uint64_t entries = 0;
  for (unsigned s = 0; s < WF_SORT_COUNT; s++) entries += c->nspace[s];
  if (!spend(cx, NULL, entries)) return false;
  for (uint32_t i = 0; i < c->ndefs; i++) {
    const wf_cdef_t *d = &c->defs[i];
    if (!spend(cx, d, 1)) return false;
    bool ok;
    switch (d->kind) {
    case WF_CDEF_CORE_MODULE: {
      wf_citem_t item = {.sort = WF_SORT_CORE_MODULE};
      item.u.module = d->u.core_module.module;
      ok = put(cx, inst, d, item);
      break;
    }
    case WF_CDEF_CORE_INSTANCE: ok = core_instance(cx, inst, d); break;
    case WF_CDEF_CORE_TYPE:
    case WF_CDEF_TYPE: ok = type_def(cx, inst, d); break;
    case WF_CDEF_COMPONENT: {
      wf_ccomp_t *cc = wf_arena_alloc(&inst->rt->arena, sizeof *cc);
      if (!cc) return oom(cx, d);
      cc->comp = d->u.component.component;
      cc->parent = inst;
      wf_citem_t item = {.sort = WF_SORT_COMPONENT};
      item.u.comp = cc;
      ok = put(cx, inst, d, item);
      break;
    }
    case WF_CDEF_INSTANCE: ok = instance(cx, inst, d, depth); break;
    case WF_CDEF_ALIAS: ok = alias(cx, inst, d); break;
    case WF_CDEF_CANON: ok = canon(cx, inst, d); break;
    case WF_CDEF_IMPORT: ok = import_def(cx, inst, args, d); break;
    case WF_CDEF_EXPORT: ok = export_def(cx, inst, d); break;
    case WF_CDEF_START:
      return fail(cx, d, WEFT_ERR_LINK, "value-level start functions are not supported");
    default: return fail(cx, d, WEFT_ERR_LINK, "unknown definition kind %u", d->kind);
    }
    if (!ok) return false;
  }
  if (!wf_citems_index(&inst->rt->arena, &inst->exports)) return oom(cx, NULL);
  return true;
}

bool wf_cinst_run(wf_cinst_t *inst, const wf_citems_t *args, weft_error_t *err) {
  ictx_t cx = {.err = err, .ninsts = 1};
  if (run(&cx, inst, args, 0)) return true;
  prefix_trail(&cx);
  return false;
}
