/* Handle tables (CanonicalABI.md "Table"): index 0 reserved, freed slots
 * reused last-freed first, at most 2^28 - 1 entries. The free list is kept
 * in the free slots themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"

void wf_htable_init(wf_htable_t *t) {
  t->v = NULL;
  t->n = 1;           /* index 0 is never used */
  t->cap = 0;
  t->free_head = 0;
}

uint32_t wf_htable_add(wf_htable_t *t, const wf_handle_t *h) {
  uint32_t i;
  if (t->free_head) {
    i = t->free_head;
    t->free_head = t->v[i].next_free;
  } else {
    if (t->n == 0) t->n = 1;
    if (t->n > WF_HTABLE_MAX) return 0;
    if (t->n >= t->cap) {
      uint32_t nc = t->cap ? t->cap * 2 : 16;
      if (nc > WF_HTABLE_MAX + 1) nc = WF_HTABLE_MAX + 1;
      wf_handle_t *v = realloc(t->v, (size_t)nc * sizeof *v);
      if (!v) return 0;
      memset(v + t->cap, 0, (size_t)(nc - t->cap) * sizeof *v);
      t->v = v;
      t->cap = nc;
    }
    i = t->n++;
  }
  t->v[i] = *h;
  t->v[i].next_free = 0;
  return i;
}

wf_handle_t *wf_htable_get(wf_htable_t *t, uint32_t i) {
  if (i == 0 || i >= t->n || !t->v || !t->v[i].rt) return NULL;
  return &t->v[i];
}

void wf_htable_remove(wf_htable_t *t, uint32_t i) {
  if (!wf_htable_get(t, i)) return;
  memset(&t->v[i], 0, sizeof t->v[i]);
  t->v[i].next_free = t->free_head;
  t->free_head = i;
}

void wf_htable_fini(wf_htable_t *t) {
  for (uint32_t i = 1; i < t->n && t->v; i++) {
    wf_handle_t *h = &t->v[i];
    if (h->rt && h->own && !h->rt->impl && h->rt->host_dtor) h->rt->host_dtor(h->rt->host_env, h->rep);
  }
  free(t->v);
  wf_htable_init(t);
}

const char *wf_rtype_desc(const wf_rtype_t *rt) {
  return rt && rt->impl ? "guest-defined resource" : "host-defined resource";
}

wf_handle_t *wf_canon_handle_get(wf_htable_t *t, uint32_t idx, const wf_rtype_t *rt, wf_trap_t *trap) {
  wf_handle_t *h = wf_htable_get(t, idx);
  if (!h) {
    wf_trapf(trap, WF_TRAP_COMPONENT, "unknown handle index %u", idx);
    return NULL;
  }
  if (rt && h->rt != rt) {
    const char *e = wf_rtype_desc(rt), *f = wf_rtype_desc(h->rt);
    wf_trapf(trap, WF_TRAP_COMPONENT, "handle index %u used with the wrong type, expected %s but found %s%s",
             idx, e, strcmp(e, f) == 0 ? "a different " : "", f);
    return NULL;
  }
  return h;
}

bool wf_lends_push(wf_lends_t *l, wf_arena_t *a, uint32_t idx) {
  if (l->n == l->cap) {
    if (l->cap > UINT32_MAX / 2) return false;
    uint32_t nc = l->cap * 2;
    uint32_t *v = wf_arena_alloc(a, (size_t)nc * sizeof *v);
    if (!v) return false;
    memcpy(v, l->v, (size_t)l->n * sizeof *v);
    l->v = v;
    l->cap = nc;
  }
  l->v[l->n++] = idx;
  return true;
}

void wf_lends_release(wf_lends_t *l, wf_htable_t *t) {
  for (uint32_t k = 0; k < l->n; k++) {
    wf_handle_t *h = wf_htable_get(t, l->v[k]);
    if (h && h->lends) h->lends--;
  }
  l->n = 0;
}
