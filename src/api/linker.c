/* Public linker API: host definitions (functions, resource types, instances
 * of other component instances, per-instance states), instantiation and
 * instance teardown (include/weft.h "linker"). */
#include <stdlib.h>
#include <string.h>

#include "component/clink.h"
#include "internal.h"
#include "../util/grow.h"

weft_linker_t *weft_linker_new(weft_engine_t *engine) {
  weft_linker_t *l = calloc(1, sizeof(weft_linker_t));
  if (l && engine && engine->pool) {
    wf_mempool_ref(engine->pool);
    l->pool = engine->pool;
  }
  return l;
}

void weft_linker_free(weft_linker_t *l) {
  if (!l) return;
  wf_mempool_t *pool = l->pool;   /* wf_linker_fini clears the struct */
  wf_linker_fini(l);
  wf_mempool_unref(pool);
  free(l);
}

/* ---- definitions ---- */

/* The definitions of `interface` (NULL: top level), made if absent. */
static wf_liface_t *iface_get(weft_linker_t *l, const char *interface) {
  if (!interface) return &l->top;
  for (size_t i = 0; i < l->nifaces; i++)
    if (strcmp(l->ifaces[i].name, interface) == 0) return &l->ifaces[i];
  if (!wf_grow((void **)&l->ifaces, &l->capifaces, l->nifaces, sizeof *l->ifaces)) return NULL;
  wf_liface_t *f = &l->ifaces[l->nifaces];
  memset(f, 0, sizeof *f);
  f->name = strdup(interface);
  if (!f->name) return NULL;
  l->nifaces++;
  return f;
}

static wf_ldef_t *def_get(wf_liface_t *f, const char *name) {
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->defs[i].name, name) == 0) return &f->defs[i];
  if (!wf_grow((void **)&f->defs, &f->cap, f->n, sizeof *f->defs)) return NULL;
  wf_ldef_t *d = &f->defs[f->n];
  memset(d, 0, sizeof *d);
  d->name = strdup(name);
  if (!d->name) return NULL;
  d->name_len = strlen(name);
  f->n++;
  return d;
}

/* Host definitions replace an instance defined for the interface. */
static void drop_provider(wf_liface_t *f) {
  f->provider = NULL;
  free(f->export_name);
  f->export_name = NULL;
}

static weft_status_t bad_name(const char *interface, const char *name, weft_error_t *err) {
  if (interface && !interface[0]) {
    wf_api_err(err, WEFT_ERR_ARG, "empty interface name");
    return WEFT_ERR_ARG;
  }
  if (!name || !name[0]) {
    wf_api_err(err, WEFT_ERR_ARG, "a definition needs a non-empty name");
    return WEFT_ERR_ARG;
  }
  return WEFT_OK;
}

weft_status_t weft_linker_define_func(weft_linker_t *l, const char *interface, const char *name, weft_host_fn fn,
                                      void *env, weft_error_t *err) {
  if (!l || !fn) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_linker_define_func: linker and function are required");
    return WEFT_ERR_ARG;
  }
  weft_status_t st = bad_name(interface, name, err);
  if (st) return st;
  wf_liface_t *f = iface_get(l, interface);
  wf_ldef_t *d = f ? def_get(f, name) : NULL;
  if (!d) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  drop_provider(f);
  d->kind = WF_LDEF_FUNC;
  d->fn = fn;
  d->env = env;
  d->rt = NULL;
  wf_api_ok(err);
  return WEFT_OK;
}

weft_status_t weft_linker_define_resource(weft_linker_t *l, const char *interface, const char *name,
                                          weft_resource_dtor_fn dtor, void *env, weft_resource_type_t **out,
                                          weft_error_t *err) {
  if (!l) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_linker_define_resource: no linker");
    return WEFT_ERR_ARG;
  }
  weft_status_t st = bad_name(interface, name, err);
  if (st) return st;
  size_t nl = strlen(name);
  /* the type and its name in one block: it lives as long as the linker */
  wf_rtype_t *rt = calloc(1, sizeof *rt + nl + 1);
  wf_liface_t *f = rt ? iface_get(l, interface) : NULL;
  wf_ldef_t *d = f ? def_get(f, name) : NULL;
  if (!d || !wf_grow((void **)&l->rtypes, &l->caprtypes, l->nrtypes, sizeof *l->rtypes)) {
    free(rt);
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  char *nm = (char *)(rt + 1);
  memcpy(nm, name, nl + 1);
  rt->name = nm;
  rt->host_dtor = dtor;
  rt->host_env = env;
  l->rtypes[l->nrtypes++] = rt;
  drop_provider(f);
  d->kind = WF_LDEF_RESOURCE;
  d->fn = NULL;
  d->env = NULL;
  d->rt = rt;
  if (out) *out = rt;
  wf_api_ok(err);
  return WEFT_OK;
}

weft_status_t weft_linker_define_instance(weft_linker_t *l, const char *interface, weft_cinstance_t *provider,
                                          const char *export_name, weft_error_t *err) {
  if (!l || !provider || !interface || !interface[0] || !export_name) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_linker_define_instance: linker, interface, provider and export name are required");
    return WEFT_ERR_ARG;
  }
  const wf_citems_t *ex = &provider->rt->top->exports;
  long k = wf_iface_pick(export_name, strlen(export_name), ex->names, ex->n);
  if (k < 0 || ex->items[k].sort != WF_SORT_INSTANCE) {
    wf_api_err(err, WEFT_ERR_ARG, "the provider does not export an instance named `%s`", export_name);
    return WEFT_ERR_ARG;
  }
  wf_liface_t *f = iface_get(l, interface);
  char *en = strdup(export_name);
  if (!f || !en) {
    free(en);
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  for (size_t i = 0; i < f->n; i++) free(f->defs[i].name);
  f->n = 0;   /* the instance serves the whole interface */
  free(f->export_name);
  f->export_name = en;
  f->provider = provider;
  wf_api_ok(err);
  return WEFT_OK;
}

weft_status_t weft_linker_define_state(weft_linker_t *l, const void *key, weft_state_new_fn make,
                                       weft_state_free_fn free_fn, void *env, weft_error_t *err) {
  if (!l || !key || !make) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_linker_define_state: linker, key and constructor are required");
    return WEFT_ERR_ARG;
  }
  wf_lstate_t *s = NULL;
  for (size_t i = 0; i < l->nstates; i++)
    if (l->states[i].key == key) s = &l->states[i];
  if (!s) {
    if (!wf_grow((void **)&l->states, &l->capstates, l->nstates, sizeof *l->states)) {
      wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
      return WEFT_ERR_NOMEM;
    }
    s = &l->states[l->nstates++];
  }
  s->key = key;
  s->make = make;
  s->free_fn = free_fn;
  s->env = env;
  wf_api_ok(err);
  return WEFT_OK;
}

/* ---- instantiation ---- */

/* Make an instance of c: its imports linked by l's definitions, or, with a
 * pre, copied from the pre's template (then l is NULL and the states are
 * the pre's copy). */
static weft_status_t instantiate(const weft_linker_t *l, weft_instance_pre_t *pre, const weft_component_t *c,
                                 void *data, weft_cinstance_t **out, weft_error_t *err) {
  weft_error_t local;
  if (!err) err = &local;
  wf_api_ok(err);
  const wf_lstate_t *states = pre ? pre->states : l->states;
  size_t nstates = pre ? pre->nstates : l->nstates;
  weft_cinstance_t *api = calloc(1, sizeof *api);
  wf_crt_t *rt = wf_crt_new(pre ? pre->pool : l->pool);
  wf_cinst_t *top = rt ? wf_cinst_new(rt, NULL, c->c) : NULL;
  wf_citems_t *args = NULL;
  if (!api || !top) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    goto fail;
  }
  rt->data = data;
  rt->api = api;
  api->rt = rt;
  api->comp = (weft_component_t *)c;
  if (pre) {
    if (!wf_link_from_pre(pre, top, &args)) {
      wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
      goto fail;
    }
  } else if (!wf_link_imports(l, top, &args, err)) {
    goto fail;
  }
  if (nstates) {
    rt->states = wf_arena_alloc(&rt->arena, nstates * sizeof *rt->states);
    if (!rt->states) {
      wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
      goto fail;
    }
    for (size_t i = 0; i < nstates; i++) {
      const wf_lstate_t *s = &states[i];
      rt->states[i].key = s->key;
      rt->states[i].free_fn = s->free_fn;
      rt->states[i].state = s->make(s->env, api);
      rt->nstates = (uint32_t)i + 1;
      if (!rt->states[i].state) {
        wf_api_err(err, WEFT_ERR_LINK, "host state for key %p could not be created", s->key);
        goto fail;
      }
    }
  }
  if (!wf_cinst_run(top, args, err)) goto fail;
  atomic_fetch_add(&api->comp->refs, 1);
  if (pre) {
    atomic_fetch_add(&pre->refs, 1);
    api->pre = pre;
  }
  *out = api;
  return WEFT_OK;
fail:
  wf_crt_free(rt);
  free(api);
  if (err->status == WEFT_OK) wf_api_err(err, WEFT_ERR_LINK, "instantiation failed");
  return err->status;
}

weft_status_t weft_linker_instantiate(weft_linker_t *l, const weft_component_t *c, void *data,
                                      weft_cinstance_t **out, weft_error_t *err) {
  if (out) *out = NULL;
  if (!l || !c || !c->c || !out) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_linker_instantiate: linker, component and out are required");
    return WEFT_ERR_ARG;
  }
  return instantiate(l, NULL, c, data, out, err);
}

/* ---- pre-linking ---- */

static void pre_unref(weft_instance_pre_t *pre) {
  if (!pre || atomic_fetch_sub(&pre->refs, 1) != 1) return;
  wf_crt_free(pre->tmpl);
  free(pre->states);
  wf_mempool_unref(pre->pool);
  weft_component_free(pre->comp);   /* drops the pre's reference */
  free(pre);
}

weft_status_t weft_linker_instantiate_pre(weft_linker_t *l, const weft_component_t *c,
                                          weft_instance_pre_t **out, weft_error_t *err) {
  if (out) *out = NULL;
  if (!l || !c || !c->c || !out) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_linker_instantiate_pre: linker, component and out are required");
    return WEFT_ERR_ARG;
  }
  weft_error_t local;
  if (!err) err = &local;
  wf_api_ok(err);
  weft_instance_pre_t *pre = calloc(1, sizeof *pre);
  if (!pre) {
    wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
    return WEFT_ERR_NOMEM;
  }
  atomic_init(&pre->refs, 1);
  pre->l = l;
  pre->comp = (weft_component_t *)c;
  atomic_fetch_add(&pre->comp->refs, 1);
  if (l->pool) {
    wf_mempool_ref(l->pool);
    pre->pool = l->pool;
  }
  if (l->nstates) {
    pre->states = malloc(l->nstates * sizeof *pre->states);
    if (!pre->states) {
      pre_unref(pre);
      wf_api_err(err, WEFT_ERR_NOMEM, "out of memory");
      return WEFT_ERR_NOMEM;
    }
    memcpy(pre->states, l->states, l->nstates * sizeof *pre->states);
    pre->nstates = l->nstates;
  }
  if (!wf_prelink(l, pre, err)) {
    pre_unref(pre);
    if (err->status == WEFT_OK) wf_api_err(err, WEFT_ERR_LINK, "pre-linking failed");
    return err->status;
  }
  *out = pre;
  return WEFT_OK;
}

weft_status_t weft_instance_pre_instantiate(weft_instance_pre_t *pre, void *data, weft_cinstance_t **out,
                                            weft_error_t *err) {
  if (out) *out = NULL;
  if (!pre || !out) {
    wf_api_err(err, WEFT_ERR_ARG, "weft_instance_pre_instantiate: pre and out are required");
    return WEFT_ERR_ARG;
  }
  return instantiate(NULL, pre, pre->comp, data, out, err);
}

void weft_instance_pre_free(weft_instance_pre_t *pre) { pre_unref(pre); }

void weft_cinstance_free(weft_cinstance_t *inst) {
  if (!inst) return;
  weft_component_t *c = inst->comp;
  weft_instance_pre_t *pre = inst->pre;
  wf_crt_free(inst->rt);
  free(inst);
  pre_unref(pre);
  weft_component_free(c);   /* drops the reference taken at instantiation */
}

void *weft_cinstance_state(weft_cinstance_t *inst, const void *key) {
  if (!inst || !inst->rt) return NULL;
  wf_crt_t *rt = inst->rt;
  for (uint32_t i = 0; i < rt->nstates; i++)
    if (rt->states[i].key == key) return rt->states[i].state;
  return NULL;
}
