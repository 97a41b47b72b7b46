/* Code shared between the instances of a module (translate.h, struct
 * wf_code_tmpl): the template made from a function's first translation,
 * and the copies of it patched for each later instance. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

#include "translate.h"

/* The template of code c (size bytes, one block) just made by t. */
struct wf_code_tmpl *wf_tr_make_tmpl(tr_t *t, const wf_code_t *c, size_t size) {
  struct wf_code_tmpl *tp;
  if (t->noshare || t->nrel > UINT32_MAX - t->ncrel) {
    tp = malloc(sizeof *tp);
    if (tp) *tp = (struct wf_code_tmpl){0, 0, NULL, NULL};
    return tp;
  }
  size_t nrel = (size_t)t->nrel + t->ncrel;
  size_t coff = (sizeof *tp + 15) & ~(size_t)15;
  size_t roff = (coff + size + 15) & ~(size_t)15;
  if (nrel > (SIZE_MAX - roff) / sizeof(rel_t)) return NULL;
  tp = malloc(roff + nrel * sizeof(rel_t));
  if (!tp) return NULL;
  wf_code_t *cc = (wf_code_t *)((uint8_t *)tp + coff);
  rel_t *rel = (rel_t *)((uint8_t *)tp + roff);
  memcpy(cc, c, size);
  if (t->nrel) memcpy(rel, t->rel, (size_t)t->nrel * sizeof(rel_t));
  if (t->ncrel) memcpy(rel + t->nrel, t->crel, (size_t)t->ncrel * sizeof(rel_t));
  /* the block's own pointers are kept as offsets from its start */
  cc->init = (const uint64_t *)(uintptr_t)((const uint8_t *)c->init - (const uint8_t *)c);
  cc->handlers = (const wf_handler_t *)(uintptr_t)((const uint8_t *)c->handlers - (const uint8_t *)c);
  cc->catches = (const wf_catch_t *)(uintptr_t)((const uint8_t *)c->catches - (const uint8_t *)c);
  tp->size = size;
  tp->nrel = (uint32_t)nrel;
  tp->rel = rel;
  tp->code = cc;
  return tp;
}

/* A copy of template tp for inst, patched. NULL on OOM. */
wf_code_t *wf_tr_from_tmpl(const struct wf_code_tmpl *tp, wf_instance_t *inst) {
  wf_code_t *c = malloc(tp->size);
  if (!c) return NULL;
  memcpy(c, tp->code, tp->size);
  uint8_t *b = (uint8_t *)c;
  c->init = (const uint64_t *)(b + (uintptr_t)tp->code->init);
  c->handlers = (const wf_handler_t *)(b + (uintptr_t)tp->code->handlers);
  wf_catch_t *cs = (wf_catch_t *)(b + (uintptr_t)tp->code->catches);
  c->catches = cs;
  for (uint32_t i = 0; i < tp->nrel; i++) {
    const rel_t *r = &tp->rel[i];
    wf_cell_t *x = &c->cells[r->at];
    switch (r->kind) {
      case R_FUNC: x->ptr = inst->funcs[r->idx]; break;
      case R_CODE: x->ptr = &inst->code[r->idx]; break;
      case R_TABLE: x->ptr = inst->tables[r->idx]; break;
      case R_GLOBAL: x->ptr = inst->globals[r->idx]; break;
      case R_MEM: x->ptr = inst->mems[r->idx]; break;
      case R_TAG: x->ptr = inst->tags[r->idx]; break;
      case R_TYPEID: x->p.a = (int32_t)inst->type_ids[r->idx]; break;
      default: cs[r->at].tag = inst->tags[r->idx]; break;
    }
  }
  return c;
}

#ifdef WF_TRANSLATE_VERIFY
#include <stdio.h>
/* Developer check: code made from a template must equal a fresh translation. */
void wf_tr_verify(const wf_code_t *a, const wf_code_t *b, uint32_t di) {
  bool same = a->ncells == b->ncells && a->ninit == b->ninit && a->nhandlers == b->nhandlers &&
              a->nparams == b->nparams && a->nlocals == b->nlocals && a->nresults == b->nresults &&
              a->frame_slots == b->frame_slots && a->cbase == b->cbase && a->nconsts == b->nconsts;
  same = same && !memcmp(a->cells, b->cells, a->ncells * sizeof(wf_cell_t)) &&
         !memcmp(a->init, b->init, a->ninit * sizeof(uint64_t)) &&
         (!a->nhandlers || !memcmp(a->handlers, b->handlers, a->nhandlers * sizeof(wf_handler_t)));
  uint32_t ncs = 0;
  for (uint32_t i = 0; same && i < a->nhandlers; i++) {
    uint32_t e = a->handlers[i].first + a->handlers[i].n;
    if (e > ncs) ncs = e;
  }
  for (uint32_t i = 0; same && i < ncs; i++)
    same = a->catches[i].tag == b->catches[i].tag && a->catches[i].pad == b->catches[i].pad &&
           a->catches[i].kind == b->catches[i].kind;
  if (!same) {
    fprintf(stderr, "translate: code from template differs for defined function %u\n", di);
    abort();
  }
}
#endif
