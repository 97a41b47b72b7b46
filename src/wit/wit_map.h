/* A small string -> uint32 hash map in the WIT arena (open addressing). */
#ifndef WF_WIT_MAP_H
#define WF_WIT_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wit/wit_internal.h"

typedef struct { const char *k; uint32_t v; } wit_map_ent;
typedef struct { wit_map_ent *e; uint32_t cap, n; } wit_map;

static inline uint32_t wit_hash(const char *s, bool fold) {
  uint32_t h = 2166136261u;
  for (; *s; s++) {
    unsigned ch = (unsigned char)*s;
    if (fold && ch >= 'A' && ch <= 'Z') ch += 32;
    h = (h ^ ch) * 16777619u;
  }
  return h;
}

static inline bool wit_keq(const char *a, const char *b, bool fold) {
  if (!fold) return strcmp(a, b) == 0;
  for (;; a++, b++) {
    unsigned x = (unsigned char)*a, y = (unsigned char)*b;
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
    if (!x) return true;
  }
}

/* Returns a pointer to the value or NULL. */
static inline uint32_t *wit_map_get_f(const wit_map *m, const char *k, bool fold) {
  if (!m->cap) return NULL;
  uint32_t i = wit_hash(k, fold) & (m->cap - 1);
  while (m->e[i].k) {
    if (wit_keq(m->e[i].k, k, fold)) return &m->e[i].v;
    i = (i + 1) & (m->cap - 1);
  }
  return NULL;
}
static inline uint32_t *wit_map_get(const wit_map *m, const char *k) { return wit_map_get_f(m, k, false); }

/* Inserts (k, v) if absent; returns false on OOM. *existed tells. */
static inline bool wit_map_put_f(wit_arena *a, wit_map *m, const char *k, uint32_t v, bool *existed, bool fold) {
  *existed = false;
  if (wit_map_get_f(m, k, fold)) { *existed = true; return true; }
  if ((m->n + 1) * 2 > m->cap) {
    uint32_t nc = m->cap ? m->cap * 2 : 16;
    if (nc > (1u << 28)) return false;
    wit_map_ent *ne = wf_wit_alloc(a, (size_t)nc * sizeof *ne);
    if (!ne) return false;
    for (uint32_t j = 0; j < m->cap; j++) {
      if (!m->e[j].k) continue;
      uint32_t i = wit_hash(m->e[j].k, fold) & (nc - 1);
      while (ne[i].k) i = (i + 1) & (nc - 1);
      ne[i] = m->e[j];
    }
    m->e = ne;
    m->cap = nc;
  }
  uint32_t i = wit_hash(k, fold) & (m->cap - 1);
  while (m->e[i].k) i = (i + 1) & (m->cap - 1);
  m->e[i].k = k;
  m->e[i].v = v;
  m->n++;
  return true;
}
static inline bool wit_map_put(wit_arena *a, wit_map *m, const char *k, uint32_t v, bool *existed) {
  return wit_map_put_f(a, m, k, v, existed, false);
}

#endif
