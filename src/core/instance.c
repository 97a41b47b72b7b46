/* Instantiation (WebAssembly 2.0, "modules" chapter of the execution spec):
 * import matching, allocation of functions, tables, memories, globals and
 * exports, then active element and data segments, then the start function.
 * Also export lookup, constant expressions and memory.init. */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

typedef struct {
  wf_instance_t inst;          /* first: the store frees via a cast */
  wf_funcinst_t *own_funcs;    /* the defined functions' instances */
} instance_box_t;

static void free_instance(void *p) {
  instance_box_t *b = p;
  wf_instance_t *i = &b->inst;
  if (i->code) wf_instance_free_code(i);
  free(i->code);
  free(i->funcs);
  free(i->tables);
  free(i->mems);
  free(i->globals);
  free(i->tags);
  free(i->type_ids);
  free(i->elem_dropped);
  free(i->data_dropped);
  free(b->own_funcs);
  free(b);
}

uint64_t wf_const_eval(const wf_instance_t *inst, const wf_constexpr_t *c) {
  switch (c->kind) {
  case WF_CONST_I32:
  case WF_CONST_F32: return c->bits & 0xFFFFFFFFu;
  case WF_CONST_I64:
  case WF_CONST_F64: return c->bits;
  case WF_CONST_REF_NULL: return 0;
  case WF_CONST_REF_FUNC:
    if (c->index >= inst->module->nfuncs || !inst->funcs[c->index]) return 0;
    return (uint64_t)(uintptr_t)inst->funcs[c->index];
  case WF_CONST_GLOBAL_GET:
    if (c->index >= inst->module->nglobals || !inst->globals[c->index]) return 0;
    return inst->globals[c->index]->val;
  default: return 0;
  }
}

wf_trapcode_t wf_op_memory_init(wf_instance_t *inst, uint32_t data_idx, uint32_t d, uint32_t s,
                                uint32_t n) {
  return wf_op_memory_init_mem(inst, 0, data_idx, d, s, n);
}

wf_trapcode_t wf_op_memory_init_mem(wf_instance_t *inst, uint32_t memidx, uint32_t data_idx,
                                    uint32_t d, uint32_t s, uint32_t n) {
  wf_meminst_t *mem = memidx < inst->module->nmems ? inst->mems[memidx] : NULL;
  const wf_data_t *seg = &inst->module->datas[data_idx];
  uint32_t len = inst->data_dropped[data_idx] ? 0 : seg->len;
  uint64_t size = mem ? mem->size : 0;
  if ((uint64_t)s + n > len || (uint64_t)d + n > size) return WF_TRAP_MEM_OOB;
  if (n) memcpy(mem->base + d, seg->bytes + s, n);
  return WF_TRAP_NONE;
}

int wf_instance_export(const wf_instance_t *inst, const char *name, size_t len, wf_extern_t *out) {
  const wf_module_t *m = inst->module;
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wf_export_t *e = &m->exports[i];
    if (e->name_len != len || (len && memcmp(e->name, name, len))) continue;
    out->kind = e->kind;
    switch (e->kind) {
    case WF_EXTERN_FUNC: out->u.func = inst->funcs[e->index]; break;
    case WF_EXTERN_TABLE: out->u.table = inst->tables[e->index]; break;
    case WF_EXTERN_MEMORY: out->u.mem = inst->mems[e->index]; break;
    case WF_EXTERN_GLOBAL: out->u.global = inst->globals[e->index]; break;
    case WF_EXTERN_TAG: out->u.tag = inst->tags[e->index]; break;
    default: return 0;
    }
    return 1;
  }
  return 0;
}

/* ---- import matching ---- */

/* Limits subtyping: the provided object's current size and max against the
 * import's declared limits. */
static int limits_match(uint32_t have_min, int have_has_max, uint32_t have_max,
                        const wf_limits_t *want) {
  if (have_min < want->min) return 0;
  if (want->has_max) {
    if (!have_has_max || have_max > want->max) return 0;
  }
  return 1;
}

static int link_error(wf_error_t *err, const wf_import_t *im, const char *what) {
  return wf_error_set(err, "%s: \"%.*s\" \"%.*s\"", what, (int)im->module_len, im->module,
                      (int)im->name_len, im->name);
}

static int match_import(wf_store_t *s, const wf_module_t *m, const wf_import_t *im,
                        const wf_extern_t *x, wf_error_t *err) {
  const void *ptr = x->kind == WF_EXTERN_FUNC ? (const void *)x->u.func
                    : x->kind == WF_EXTERN_TABLE ? (const void *)x->u.table
                    : x->kind == WF_EXTERN_MEMORY ? (const void *)x->u.mem
                    : x->kind == WF_EXTERN_GLOBAL ? (const void *)x->u.global
                    : x->kind == WF_EXTERN_TAG ? (const void *)x->u.tag
                                                  : NULL;
  if (!ptr) return link_error(err, im, "unknown import");
  if (x->kind != im->kind) return link_error(err, im, "incompatible import type");
  switch (im->kind) {
  case WF_EXTERN_FUNC: {
    if (im->u.type_idx >= m->ntypes) return link_error(err, im, "incompatible import type");
    uint32_t want = wf_store_intern_type(s, &m->types[im->u.type_idx]);
    if (want == UINT32_MAX) return wf_error_set(err, "out of memory");
    if (x->u.func->type_id != want) return link_error(err, im, "incompatible import type");
    return 1;
  }
  case WF_EXTERN_TABLE: {
    const wf_tableinst_t *t = x->u.table;
    if (t->elemtype != im->u.table.elem ||
        !limits_match(t->size, t->has_max, t->max, &im->u.table.lim))
      return link_error(err, im, "incompatible import type");
    return 1;
  }
  case WF_EXTERN_MEMORY: {
    const wf_meminst_t *mem = x->u.mem;
    if (!limits_match(mem->pages, mem->has_max, mem->max_pages, &im->u.mem.lim))
      return link_error(err, im, "incompatible import type");
    return 1;
  }
  case WF_EXTERN_GLOBAL: {
    const wf_globalinst_t *g = x->u.global;
    if (g->type.type != im->u.global.type || g->type.mut != im->u.global.mut)
      return link_error(err, im, "incompatible import type");
    return 1;
  }
  case WF_EXTERN_TAG: {
    /* tag types match exactly (no subtyping without GC types) */
    if (im->u.type_idx >= m->ntypes) return link_error(err, im, "incompatible import type");
    uint32_t want = wf_store_intern_type(s, &m->types[im->u.type_idx]);
    if (want == UINT32_MAX) return wf_error_set(err, "out of memory");
    if (x->u.tag->type_id != want) return link_error(err, im, "incompatible import type");
    return 1;
  }
  default: return link_error(err, im, "incompatible import type");
  }
}

/* ---- instantiation ---- */

static void *zalloc(size_t n, size_t size) { return calloc(n ? n : 1, size); }

wf_instance_t *wf_instantiate(wf_store_t *s, const wf_module_t *m, const wf_extern_t *imports,
                              wf_error_t *err, int *trapped) {
  int dummy_trapped;
  if (!trapped) trapped = &dummy_trapped;
  *trapped = 0;

  for (uint32_t i = 0; i < m->nimports; i++) {
    if (!imports) {
      link_error(err, &m->imports[i], "unknown import");
      return NULL;
    }
    if (!match_import(s, m, &m->imports[i], &imports[i], err)) return NULL;
  }

  instance_box_t *box = calloc(1, sizeof *box);
  if (!box) goto oom;
  wf_instance_t *inst = &box->inst;
  inst->store = s;
  inst->module = m;
  uint32_t ndefined = m->nfuncs - m->nfunc_imports;
  inst->funcs = zalloc(m->nfuncs, sizeof *inst->funcs);
  inst->tables = zalloc(m->ntables, sizeof *inst->tables);
  inst->mems = zalloc(m->nmems, sizeof *inst->mems);
  inst->globals = zalloc(m->nglobals, sizeof *inst->globals);
  inst->tags = zalloc(m->ntags, sizeof *inst->tags);
  inst->type_ids = zalloc(m->ntypes, sizeof *inst->type_ids);
  inst->elem_dropped = zalloc(m->nelems, 1);
  inst->data_dropped = zalloc(m->ndatas, 1);
  inst->code = zalloc(ndefined, sizeof *inst->code);
  box->own_funcs = zalloc(ndefined, sizeof *box->own_funcs);
  if (!inst->funcs || !inst->tables || !inst->mems || !inst->globals || !inst->tags || !inst->type_ids ||
      !inst->elem_dropped || !inst->data_dropped || !inst->code || !box->own_funcs) {
    free(inst->code);
    inst->code = NULL;
    free_instance(box);
    goto oom;
  }
  /* From here the store owns the instance, even if instantiation fails:
   * segments may already have put its functions into imported tables. */
  if (!wf_store_adopt(s, box, free_instance)) {
    free(inst->code);
    inst->code = NULL;
    free_instance(box);
    goto oom;
  }

  for (uint32_t i = 0; i < m->ntypes; i++) {
    inst->type_ids[i] = wf_store_intern_type(s, &m->types[i]);
    if (inst->type_ids[i] == UINT32_MAX) goto oom;
  }

  /* Imports, in order, into their index spaces. */
  uint32_t nf = 0, nt = 0, nm = 0, ng = 0, ntg = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    switch (m->imports[i].kind) {
    case WF_EXTERN_FUNC: inst->funcs[nf++] = imports[i].u.func; break;
    case WF_EXTERN_TABLE: inst->tables[nt++] = imports[i].u.table; break;
    case WF_EXTERN_MEMORY: inst->mems[nm++] = imports[i].u.mem; break;
    case WF_EXTERN_GLOBAL: inst->globals[ng++] = imports[i].u.global; break;
    case WF_EXTERN_TAG: if (ntg < m->ntags) inst->tags[ntg++] = imports[i].u.tag; break;
    default: break;
    }
  }
  if (nf != m->nfunc_imports || nt != m->ntable_imports || nm != m->nmem_imports ||
      ng != m->nglobal_imports || ntg != m->ntag_imports) {
    wf_error_set(err, "malformed module: import counts disagree");
    return NULL;
  }

  for (uint32_t k = 0; k < ndefined; k++) {
    uint32_t idx = m->nfunc_imports + k;
    wf_funcinst_t *f = &box->own_funcs[k];
    uint32_t ti = m->func_type[idx];
    f->type = &m->types[ti];
    f->type_id = inst->type_ids[ti];
    f->inst = inst;
    f->func_idx = idx;
    f->def = &m->funcs[k];
    inst->funcs[idx] = f;
  }
  for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
    inst->tables[i] = wf_table_new(s, &m->tables[i], 0, err);
    if (!inst->tables[i]) return NULL;
  }
  for (uint32_t i = m->nmem_imports; i < m->nmems; i++) {
    inst->mems[i] = wf_memory_new(s, &m->mems[i], err);
    if (!inst->mems[i]) return NULL;
  }
  inst->mem0 = m->nmems ? inst->mems[0] : NULL;
  for (uint32_t i = m->ntag_imports; i < m->ntags; i++) {
    inst->tags[i] = wf_tag_new(s, &m->types[m->tag_type[i]]);
    if (!inst->tags[i]) goto oom;
  }
  for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
    uint64_t v = wf_const_eval(inst, &m->globals[i].init);
    inst->globals[i] = wf_global_new(s, &m->globals[i].type, v);
    if (!inst->globals[i]) goto oom;
  }

  /* Element segments: active ones run table.init then elem.drop;
   * declarative ones are dropped. */
  for (uint32_t i = 0; i < m->nelems; i++) {
    const wf_elem_t *seg = &m->elems[i];
    if (seg->mode == WF_SEG_ACTIVE) {
      if (seg->table >= m->ntables) goto oob_table;
      uint32_t off = (uint32_t)wf_const_eval(inst, &seg->offset);
      if (wf_op_table_init(inst, seg->table, i, off, 0, seg->count) != WF_TRAP_NONE)
        goto oob_table;
      inst->elem_dropped[i] = 1;
    } else if (seg->mode == WF_SEG_DECLARATIVE) {
      inst->elem_dropped[i] = 1;
    }
  }
  /* Memory 0 from the module's copy-on-write image when it has one
   * (memimage.c): the image holds exactly what the active segments for
   * memory 0 would write, all of which fit, so those are only dropped. */
  int imaged = 0;
  if (m->nmems && m->nmem_imports == 0 && m->ndatas) {
    const wf_memimage_t *img = wf_memimage_get(m);
    imaged = img ? wf_memimage_map(inst->mems[0], img) : 0;
    if (imaged < 0) goto oom;
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wf_data_t *seg = &m->datas[i];
    if (seg->mode != WF_SEG_ACTIVE) continue;
    if (imaged && seg->mem == 0) {
      inst->data_dropped[i] = 1;
      continue;
    }
    uint32_t off = (uint32_t)wf_const_eval(inst, &seg->offset);
    if (wf_op_memory_init_mem(inst, seg->mem, i, off, 0, seg->len) != WF_TRAP_NONE) {
      *trapped = 1;
      wf_error_set(err, "%s", wf_trap_message(WF_TRAP_MEM_OOB));
      return NULL;
    }
    inst->data_dropped[i] = 1;
  }

  if (m->has_start && m->start < m->nfuncs) {
    uint64_t slots[1] = {0};
    wf_trapcode_t tc = wf_invoke(s, inst->funcs[m->start], slots, slots);
    if (tc != WF_TRAP_NONE) {
      const wf_trap_t *t = wf_exec_last_trap(wf_store_exec(s));
      *trapped = 1;
      wf_error_set(err, "%s", t && t->code == tc && t->msg[0] ? t->msg : wf_trap_message(tc));
      return NULL;
    }
  }
  return inst;

oob_table:
  *trapped = 1;
  wf_error_set(err, "%s", wf_trap_message(WF_TRAP_TABLE_OOB));
  return NULL;
oom:
  wf_error_set(err, "out of memory");
  return NULL;
}
