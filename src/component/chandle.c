/* Handle tables (CanonicalABI.md "Table"): index 0 reserved, freed slots
 * reused last-freed first, at most 2^28 - 1 entries. The free list is kept
 * in the free slots themselves. Also the host's handles: the guest-defined
 * resources the host holds, per runtime, keyed by (type, rep) (crt.h). */
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

/* ---- the host's handles (crt.h "the host's handles") ---- */

wf_hosttab_t *wf_host_table(const wf_rtype_t *rt) {
  return rt && rt->impl && rt->impl->rt ? &rt->impl->rt->host : NULL;
}

static uint32_t host_hash(const wf_rtype_t *rt, uint64_t rep) {
  uint64_t x = (uint64_t)(uintptr_t)rt ^ (rep * 0x9E3779B97F4A7C15ull);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return (uint32_t)x;
}

/* Entry index of (rt, rep), or 0; *slot: its slot, or the empty slot where
 * it would go (only when the table has slots). */
static uint32_t host_find(const wf_hosttab_t *t, const wf_rtype_t *rt, uint64_t rep, uint32_t *slot) {
  if (!t->nslots) return 0;
  uint32_t mask = t->nslots - 1;
  for (uint32_t i = host_hash(rt, rep) & mask;; i = (i + 1) & mask) {
    uint32_t e = t->slots[i];
    if (!e || (t->v[e].rt == rt && t->v[e].rep == rep)) {
      if (slot) *slot = i;
      return e;
    }
  }
}

static bool host_rehash(wf_hosttab_t *t, uint32_t nslots) {
  uint32_t *s = calloc(nslots, sizeof *s);
  if (!s) return false;
  free(t->slots);
  t->slots = s;
  t->nslots = nslots;
  for (uint32_t e = 1; e < t->n; e++) {
    if (!t->v[e].rt) continue;
    uint32_t i = host_hash(t->v[e].rt, t->v[e].rep) & (nslots - 1);
    while (s[i]) i = (i + 1) & (nslots - 1);
    s[i] = e;
  }
  return true;
}

/* The entry of (rt, rep), added with every count 0 when missing; 0 on OOM or
 * when the table is full. */
static uint32_t host_get_or_add(wf_hosttab_t *t, wf_rtype_t *rt, uint64_t rep) {
  uint32_t slot = 0, e = host_find(t, rt, rep, &slot);
  if (e) return e;
  if (t->live >= WF_HTABLE_MAX) return 0;
  if (((uint64_t)t->live + 1) * 2 > t->nslots) {
    if (!host_rehash(t, t->nslots ? t->nslots * 2 : 16)) return 0;
    host_find(t, rt, rep, &slot);
  }
  if (t->free_head) {
    e = t->free_head;
    t->free_head = t->v[e].next_free;
  } else {
    if (t->n == 0) t->n = 1;
    if (t->n >= t->cap) {
      uint32_t nc = t->cap ? t->cap * 2 : 16;
      wf_hentry_t *v = realloc(t->v, (size_t)nc * sizeof *v);
      if (!v) return 0;
      memset(v + t->cap, 0, (size_t)(nc - t->cap) * sizeof *v);
      t->v = v;
      t->cap = nc;
    }
    e = t->n++;
  }
  memset(&t->v[e], 0, sizeof t->v[e]);
  t->v[e].rt = rt;
  t->v[e].rep = rep;
  t->slots[slot] = e;
  t->live++;
  return e;
}

/* Remove entry e when nothing counts it any more (linear probing with
 * backward-shift deletion: no tombstones). */
static void host_release(wf_hosttab_t *t, uint32_t e) {
  wf_hentry_t *h = &t->v[e];
  if (!h->rt || h->owns || h->lends || h->borrows || h->rowns || h->rlends) return;
  uint32_t mask = t->nslots - 1, i = 0;
  if (host_find(t, h->rt, h->rep, &i) != e) return;   /* cannot happen: every live entry is indexed */
  t->slots[i] = 0;
  for (uint32_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
    uint32_t f = t->slots[j], k = host_hash(t->v[f].rt, t->v[f].rep) & mask;
    bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    t->slots[i] = f;
    t->slots[j] = 0;
    i = j;
  }
  memset(h, 0, sizeof *h);
  h->next_free = t->free_head;
  t->free_head = e;
  t->live--;
}

static bool hrefs_push(wf_hrefs_t *l, wf_hosttab_t *t, uint32_t e, wf_hrefkind_t kind) {
  if (l->n == l->cap) {
    if (l->cap > UINT32_MAX / 2) return false;
    uint32_t nc = l->cap * 2;
    wf_href_t *v = l->v == l->inline_v ? malloc((size_t)nc * sizeof *v) : realloc(l->v, (size_t)nc * sizeof *v);
    if (!v) return false;
    if (l->v == l->inline_v) memcpy(v, l->inline_v, sizeof l->inline_v);
    l->v = v;
    l->cap = nc;
  }
  l->v[l->n].tab = t;
  l->v[l->n].idx = e;
  l->v[l->n].kind = (uint8_t)kind;
  l->n++;
  return true;
}

void wf_hrefs_release(wf_hrefs_t *l) {
  for (uint32_t k = 0; k < l->n; k++) {
    wf_hosttab_t *t = l->v[k].tab;
    wf_hentry_t *h = &t->v[l->v[k].idx];
    uint32_t *c = l->v[k].kind == WF_HREF_LEND ? &h->lends : l->v[k].kind == WF_HREF_BORROW ? &h->borrows
                : l->v[k].kind == WF_HREF_ROWN ? &h->rowns : &h->rlends;
    if (*c) (*c)--;
    host_release(t, l->v[k].idx);
  }
  if (l->v != l->inline_v) free(l->v);
  wf_hrefs_init(l);
}

static void host_why(char *why, size_t cap, const wf_rtype_t *rt, uint64_t rep, bool own, const char *what) {
  if (why && cap)
    snprintf(why, cap, "resource handle (%s<%.60s>, rep %llu) %s", own ? "own" : "borrow",
             rt->name ? rt->name : "guest-defined resource", (unsigned long long)rep, what);
}

#define NOT_HELD "is not held by the host (dropped or moved)"
#define LENT "is lent to a call in progress: an own cannot be moved or dropped while borrowed"

bool wf_host_check(const wf_rtype_t *rt, uint64_t rep, bool own, wf_hrefs_t *refs, char *why, size_t cap) {
  wf_hosttab_t *t = wf_host_table(rt);
  if (!t) return true;
  uint32_t e = host_find(t, rt, rep, NULL);
  wf_hentry_t *h = e ? &t->v[e] : NULL;
  bool has_own = h && h->owns > h->rowns;
  if (own) {
    if (!has_own) return host_why(why, cap, rt, rep, own, NOT_HELD), false;
    if (h->lends || h->rlends) return host_why(why, cap, rt, rep, own, LENT), false;
    if (!refs) return true;
    if (!hrefs_push(refs, t, e, WF_HREF_ROWN)) return host_why(why, cap, rt, rep, own, "cannot be checked: out of memory"), false;
    h->rowns++;
    return true;
  }
  if (!has_own && !(h && h->borrows)) return host_why(why, cap, rt, rep, own, NOT_HELD), false;
  if (!refs || !has_own) return true;
  if (!hrefs_push(refs, t, e, WF_HREF_RLEND)) return host_why(why, cap, rt, rep, own, "cannot be checked: out of memory"), false;
  h->rlends++;
  return true;
}

bool wf_host_own_add(wf_rtype_t *rt, uint64_t rep) {
  wf_hosttab_t *t = wf_host_table(rt);
  if (!t) return true;
  uint32_t e = host_get_or_add(t, rt, rep);
  if (!e) return false;
  if (t->v[e].owns == UINT32_MAX) return false;
  t->v[e].owns++;
  return true;
}

bool wf_host_own_take(const wf_rtype_t *rt, uint64_t rep, char *why, size_t cap) {
  if (!wf_host_check(rt, rep, true, NULL, why, cap)) return false;
  wf_hosttab_t *t = wf_host_table(rt);
  if (!t) return true;
  uint32_t e = host_find(t, rt, rep, NULL);
  t->v[e].owns--;
  host_release(t, e);
  return true;
}

bool wf_host_lend(const wf_rtype_t *rt, uint64_t rep, wf_hrefs_t *refs, char *why, size_t cap) {
  if (!wf_host_check(rt, rep, false, NULL, why, cap)) return false;
  wf_hosttab_t *t = wf_host_table(rt);
  if (!t || !refs) return true;
  uint32_t e = host_find(t, rt, rep, NULL);
  wf_hentry_t *h = &t->v[e];
  if (!h->owns) return true;   /* a borrow lent to the host: its lender keeps it alive */
  if (h->lends == UINT32_MAX || !hrefs_push(refs, t, e, WF_HREF_LEND)) {
    host_why(why, cap, rt, rep, false, "cannot be lent: out of memory");
    return false;
  }
  h->lends++;
  return true;
}

bool wf_host_borrow_add(wf_rtype_t *rt, uint64_t rep, wf_hrefs_t *refs) {
  wf_hosttab_t *t = wf_host_table(rt);
  if (!t || !refs) return true;
  uint32_t e = host_get_or_add(t, rt, rep);
  if (!e) return false;
  if (t->v[e].borrows == UINT32_MAX || !hrefs_push(refs, t, e, WF_HREF_BORROW)) {
    host_release(t, e);
    return false;
  }
  t->v[e].borrows++;
  return true;
}

void wf_host_fini(wf_hosttab_t *t) {
  free(t->v);
  free(t->slots);
  memset(t, 0, sizeof *t);
}
