#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/weft.h"

#define CHUNK_MIN 4096u

void wf_arena_init(wf_arena_t *a) { a->head = NULL; a->total = 0; }

void wf_arena_fini(wf_arena_t *a) {
  wf_arena_chunk_t *c = a->head;
  while (c) {
    wf_arena_chunk_t *n = c->next;
    free(c);
    c = n;
  }
  a->head = NULL;
  a->total = 0;
}

void wf_arena_clear(wf_arena_t *a) {
  wf_arena_chunk_t *c = a->head;
  if (!c) return;
  /* keep the oldest chunk only if it is a normal-sized one */
  wf_arena_chunk_t *last = c;
  while (last->next) last = last->next;
  while (c != last) {
    wf_arena_chunk_t *n = c->next;
    free(c);
    c = n;
  }
  last->used = 0;
  a->head = last;
  a->total = last->cap;
}

void *wf_arena_alloc(wf_arena_t *a, size_t size) {
  if (size > SIZE_MAX / 2) return NULL;
  size_t need = (size + 15u) & ~(size_t)15u;
  if (need == 0) need = 16;
  wf_arena_chunk_t *c = a->head;
  if (!c || c->cap - c->used < need) {
    size_t cap = CHUNK_MIN;
    if (c && c->cap < (size_t)1 << 20) cap = c->cap * 2;
    if (cap < need) cap = need;
    wf_arena_chunk_t *n = malloc(sizeof *n + cap);
    if (!n) return NULL;
    n->cap = cap;
    n->used = 0;
    if (c && need > CHUNK_MIN && c->cap - c->used >= CHUNK_MIN / 2) {
      /* a big one-off block: put it behind the current chunk */
      n->next = c->next;
      c->next = n;
      n->used = need;
      a->total += cap;
      memset(n->data, 0, need);
      return n->data;
    }
    n->next = c;
    a->head = c = n;
    a->total += cap;
  }
  void *p = c->data + c->used;
  c->used += need;
  memset(p, 0, need);
  return p;
}

char *wf_arena_strndup(wf_arena_t *a, const char *s, size_t len) {
  if (len == SIZE_MAX) return NULL;
  char *p = wf_arena_alloc(a, len + 1);
  if (!p) return NULL;
  if (len) memcpy(p, s, len);
  p[len] = 0;
  return p;
}

/* ---- public API ---- */
weft_arena_t *weft_arena_new(void) {
  wf_arena_t *a = malloc(sizeof *a);
  if (a) wf_arena_init(a);
  return a;
}
void weft_arena_free(weft_arena_t *a) {
  if (!a) return;
  wf_arena_fini(a);
  free(a);
}
void weft_arena_reset(weft_arena_t *a) {
  if (a) wf_arena_clear(a);
}
void *weft_arena_alloc(weft_arena_t *a, size_t size) { return a ? wf_arena_alloc(a, size) : NULL; }
