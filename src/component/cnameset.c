/* Hash sets of names, so that uniqueness checks and lookups by name stay
 * linear on hostile inputs with many imports, exports or arguments. */
#include <string.h>

#include "cinternal.h"

static uint32_t hash2(const char *a, uint32_t al, const char *b, uint32_t bl, bool fold) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < al; i++) {
    char c = a[i];
    if (fold && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    h = (h ^ (uint8_t)c) * 16777619u;
  }
  h = (h ^ 0xffu) * 16777619u;
  for (uint32_t i = 0; i < bl; i++) h = (h ^ (uint8_t)b[i]) * 16777619u;
  return h;
}

static bool eq(const char *a, uint32_t al, const char *b, uint32_t bl) {
  return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* Canonical (strong-uniqueness) form of an extern name, in the arena. */
static bool canonical(wf_carena_t *a, const char *s, uint32_t len, const char **out, uint32_t *olen) {
  char *buf = wf_carena_alloc(a, (size_t)len + 1);
  if (!buf) return false;
  *olen = wf_cname_canonical(s, len, buf, len + 1);
  *out = buf;
  return true;
}

static bool grow(wf_carena_t *a, wf_cnameset_t *s) {
  uint32_t nc = s->cap ? s->cap * 2 : 32;
  wf_cnslot_t *v = wf_carena_alloc(a, (size_t)nc * sizeof(wf_cnslot_t));
  if (!v) return false;
  for (uint32_t i = 0; i < s->cap; i++) {
    if (!s->v[i].used) continue;
    uint32_t j = s->v[i].h & (nc - 1);
    while (v[j].used) j = (j + 1) & (nc - 1);
    v[j] = s->v[i];
  }
  s->v = v;
  s->cap = nc;
  return true;
}

static uint32_t find(const wf_cnameset_t *s, uint32_t h, const char *k1, uint32_t l1, const char *k2, uint32_t l2) {
  if (!s->cap) return UINT32_MAX;
  for (uint32_t i = h & (s->cap - 1); s->v[i].used; i = (i + 1) & (s->cap - 1))
    if (s->v[i].h == h && eq(s->v[i].k1, s->v[i].l1, k1, l1) && eq(s->v[i].k2, s->v[i].l2, k2, l2))
      return s->v[i].idx;
  return UINT32_MAX;
}

uint32_t wf_cnameset_add(wf_carena_t *a, wf_cnameset_t *s, const char *k1, uint32_t l1, const char *k2,
                         uint32_t l2, uint32_t idx, bool *oom) {
  *oom = false;
  if (s->canonical && !canonical(a, k1, l1, &k1, &l1)) { *oom = true; return UINT32_MAX; }
  uint32_t h = hash2(k1, l1, k2, l2, false);
  uint32_t prev = find(s, h, k1, l1, k2, l2);
  if (prev != UINT32_MAX) return prev;
  if ((s->n + 1) * 2 > s->cap && !grow(a, s)) { *oom = true; return UINT32_MAX; }
  uint32_t i = h & (s->cap - 1);
  while (s->v[i].used) i = (i + 1) & (s->cap - 1);
  s->v[i] = (wf_cnslot_t){true, h, idx, k1, l1, k2, l2};
  s->n++;
  return UINT32_MAX;
}

uint32_t wf_cnameset_find(wf_carena_t *a, const wf_cnameset_t *s, const char *k1, uint32_t l1, const char *k2,
                          uint32_t l2) {
  if (!s->cap) return UINT32_MAX;
  if (s->canonical && !canonical(a, k1, l1, &k1, &l1)) return UINT32_MAX;
  return find(s, hash2(k1, l1, k2, l2, false), k1, l1, k2, l2);
}

/* ---- Cached by-name indices of a type's export/import lists ---------------- */

static bool index_of(wf_carena_t *a, wf_cnameset_t *s, const wf_cextern_t *v, uint32_t n) {
  bool oom;
  for (uint32_t i = 0; i < n; i++) {
    wf_cnameset_add(a, s, v[i].name, v[i].name_len, NULL, 0, i, &oom);
    if (oom) return false;
  }
  return true;
}

const wf_cextern_t *wf_cfind_extern(wf_carena_t *a, const wf_cextern_t *v, uint32_t n, wf_cnameset_t **cache,
                                    const char *name, uint32_t len) {
  if (n <= 16 || !a) {
    for (uint32_t i = 0; i < n; i++)
      if (eq(v[i].name, v[i].name_len, name, len)) return &v[i];
    return NULL;
  }
  if (!*cache) {
    wf_cnameset_t *s = wf_carena_alloc(a, sizeof(wf_cnameset_t));
    if (!s || !index_of(a, s, v, n)) return NULL;
    *cache = s;
  }
  uint32_t i = wf_cnameset_find(a, *cache, name, len, NULL, 0);
  return i == UINT32_MAX ? NULL : &v[i];
}

const wf_ccore_extern_t *wf_cfind_core_extern(wf_carena_t *a, const wf_ccore_extern_t *v, uint32_t n,
                                              wf_cnameset_t **cache, const char *mod, uint32_t mlen,
                                              const char *name, uint32_t len) {
  if (n <= 16 || !a) {
    for (uint32_t i = 0; i < n; i++)
      if (eq(v[i].name, v[i].name_len, name, len) && eq(v[i].module, v[i].module_len, mod, mlen)) return &v[i];
    return NULL;
  }
  if (!*cache) {
    wf_cnameset_t *s = wf_carena_alloc(a, sizeof(wf_cnameset_t));
    if (!s) return NULL;
    bool oom;
    for (uint32_t i = 0; i < n; i++) {
      wf_cnameset_add(a, s, v[i].name, v[i].name_len, v[i].module, v[i].module_len, i, &oom);
      if (oom) return NULL;
    }
    *cache = s;
  }
  uint32_t i = wf_cnameset_find(a, *cache, name, len, mod, mlen);
  return i == UINT32_MAX ? NULL : &v[i];
}

/* ---- u32 -> u32 map ----------------------------------------------------------- */

static uint32_t h32(uint32_t k) { return k * 2654435761u; }

bool wf_u32map_get(const wf_u32map_t *m, uint32_t k, uint32_t *v) {
  if (!m || !m->cap) return false;
  for (uint32_t i = h32(k) & (m->cap - 1); m->k[i]; i = (i + 1) & (m->cap - 1))
    if (m->k[i] == k) { *v = m->v[i]; return true; }
  return false;
}

bool wf_u32map_put(wf_carena_t *a, wf_u32map_t *m, uint32_t k, uint32_t v) {
  if ((m->n + 1) * 2 > m->cap) {
    uint32_t nc = m->cap ? m->cap * 2 : 16;
    uint32_t *nk = wf_carena_alloc(a, (size_t)nc * sizeof(uint32_t));
    uint32_t *nv = wf_carena_alloc(a, (size_t)nc * sizeof(uint32_t));
    if (!nk || !nv) return false;
    for (uint32_t i = 0; i < m->cap; i++) {
      if (!m->k[i]) continue;
      uint32_t j = h32(m->k[i]) & (nc - 1);
      while (nk[j]) j = (j + 1) & (nc - 1);
      nk[j] = m->k[i];
      nv[j] = m->v[i];
    }
    m->k = nk; m->v = nv; m->cap = nc;
  }
  uint32_t i = h32(k) & (m->cap - 1);
  while (m->k[i] && m->k[i] != k) i = (i + 1) & (m->cap - 1);
  if (!m->k[i]) { m->k[i] = k; m->n++; }
  m->v[i] = v;
  return true;
}

bool wf_u32map_copy(wf_carena_t *a, wf_u32map_t *dst, const wf_u32map_t *src) {
  memset(dst, 0, sizeof(*dst));
  if (!src->cap) return true;
  dst->k = wf_carena_alloc(a, (size_t)src->cap * sizeof(uint32_t));
  dst->v = wf_carena_alloc(a, (size_t)src->cap * sizeof(uint32_t));
  if (!dst->k || !dst->v) return false;
  memcpy(dst->k, src->k, (size_t)src->cap * sizeof(uint32_t));
  memcpy(dst->v, src->v, (size_t)src->cap * sizeof(uint32_t));
  dst->cap = src->cap;
  dst->n = src->n;
  return true;
}
