/* Tables of references, and the bulk table operations the interpreter calls
 * (table.init, table.copy, table.fill) with the spec's exact bounds rules. */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

static void free_table(void *p) {
  wf_tableinst_t *t = p;
  free(t->elems);
  free(t);
}

wf_tableinst_t *wf_table_new(wf_store_t *s, const wf_tabletype_t *tt, uint64_t init, wf_error_t *err) {
  if (tt->lim.has_max && tt->lim.max < tt->lim.min) {
    wf_error_set(err, "size minimum must not be greater than maximum");
    return NULL;
  }
  if (tt->lim.min > WF_MAX_TABLE_ELEMS) {
    wf_error_set(err, "table of %u elements exceeds the limit of %u", tt->lim.min,
                 WF_MAX_TABLE_ELEMS);
    return NULL;
  }
  wf_tableinst_t *t = calloc(1, sizeof *t);
  if (!t) goto oom;
  t->size = tt->lim.min;
  t->has_max = tt->lim.has_max;
  t->max = tt->lim.has_max ? tt->lim.max : UINT32_MAX;
  t->elemtype = tt->elem;
  /* calloc for null entries: a large table costs no memory until used. */
  t->elems = calloc(t->size ? t->size : 1, sizeof *t->elems);
  if (!t->elems) goto oom;
  if (init)
    for (uint32_t i = 0; i < t->size; i++) t->elems[i] = init;
  if (!wf_store_adopt(s, t, free_table)) goto oom;
  return t;
oom:
  if (t) free(t->elems);
  free(t);
  wf_error_set(err, "out of memory");
  return NULL;
}

int32_t wf_table_grow(wf_tableinst_t *t, uint32_t delta, uint64_t init) {
  uint32_t old = t->size;
  if (delta == 0) return (int32_t)old;
  uint64_t n = (uint64_t)old + delta;
  if (n > t->max || n > WF_MAX_TABLE_ELEMS) return -1;
  uint64_t *e = realloc(t->elems, (size_t)n * sizeof *e);
  if (!e) return -1;
  for (uint64_t i = old; i < n; i++) e[i] = init;
  t->elems = e;
  t->size = (uint32_t)n;
  return (int32_t)old;
}

wf_trapcode_t wf_op_table_fill(wf_tableinst_t *t, uint32_t i, uint64_t val, uint32_t n) {
  if ((uint64_t)i + n > t->size) return WF_TRAP_TABLE_OOB;
  for (uint32_t k = 0; k < n; k++) t->elems[i + k] = val;
  return WF_TRAP_NONE;
}

wf_trapcode_t wf_op_table_copy(wf_instance_t *inst, uint32_t dst_table, uint32_t src_table,
                               uint32_t d, uint32_t s, uint32_t n) {
  wf_tableinst_t *dt = inst->tables[dst_table], *st = inst->tables[src_table];
  if ((uint64_t)s + n > st->size || (uint64_t)d + n > dt->size) return WF_TRAP_TABLE_OOB;
  if (n) memmove(dt->elems + d, st->elems + s, (size_t)n * sizeof *dt->elems);
  return WF_TRAP_NONE;
}

wf_trapcode_t wf_op_table_init(wf_instance_t *inst, uint32_t table_idx, uint32_t elem_idx,
                               uint32_t d, uint32_t s, uint32_t n) {
  wf_tableinst_t *t = inst->tables[table_idx];
  const wf_elem_t *seg = &inst->module->elems[elem_idx];
  uint32_t len = inst->elem_dropped[elem_idx] ? 0 : seg->count;
  if ((uint64_t)s + n > len || (uint64_t)d + n > t->size) return WF_TRAP_TABLE_OOB;
  /* Items are constant expressions over immutable state (ref.null,
   * ref.func, global.get of an immutable global): evaluating them now gives
   * the same references as evaluating them at instantiation. */
  for (uint32_t k = 0; k < n; k++) t->elems[d + k] = wf_const_eval(inst, &seg->items[s + k]);
  return WF_TRAP_NONE;
}
