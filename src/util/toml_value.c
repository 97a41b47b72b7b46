/* The TOML document tree: building, lookups, typed accessors, freeing. */
#include <stdlib.h>
#include <string.h>

#include "util/toml_internal.h"

/* Tables at or above this size get a hash index; smaller ones are scanned. */
#define INDEX_MIN 16

wf_toml_value_t *wf_toml_new(wf_toml_kind_t k, uint32_t line, uint32_t col) {
  wf_toml_value_t *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  v->kind = k;
  v->line = line;
  v->col = col;
  return v;
}

static uint64_t hash_key(const char *k, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)k[i];
    h *= 1099511628211ull;
  }
  return h;
}

static int same_key(const wf_toml_entry_t *e, const char *key, size_t keylen) {
  return e->keylen == keylen && memcmp(e->key, key, keylen) == 0;
}

/* Rebuilds the index with room for at least twice the entries. */
static int reindex(wf_toml_value_t *t) {
  size_t cap = 64;
  while (cap < t->u.table.n * 2 + 2) {
    if (cap > SIZE_MAX / 4 / sizeof(uint32_t)) return 0;
    cap *= 2;
  }
  uint32_t *idx = malloc(cap * sizeof *idx);
  if (!idx) return 0;
  for (size_t i = 0; i < cap; i++) idx[i] = UINT32_MAX;
  for (size_t i = 0; i < t->u.table.n; i++) {
    const wf_toml_entry_t *e = &t->u.table.items[i];
    size_t h = (size_t)hash_key(e->key, e->keylen) & (cap - 1);
    while (idx[h] != UINT32_MAX) h = (h + 1) & (cap - 1);
    idx[h] = (uint32_t)i;
  }
  free(t->u.table.index);
  t->u.table.index = idx;
  t->u.table.index_cap = cap;
  return 1;
}

long wf_toml_find(const wf_toml_value_t *t, const char *key, size_t keylen) {
  if (!t || t->kind != WF_TOML_TABLE) return -1;
  const wf_toml_entry_t *items = t->u.table.items;
  if (t->u.table.index) {
    size_t cap = t->u.table.index_cap;
    size_t h = (size_t)hash_key(key, keylen) & (cap - 1);
    for (;;) {
      uint32_t i = t->u.table.index[h];
      if (i == UINT32_MAX) return -1;
      if (same_key(&items[i], key, keylen)) return (long)i;
      h = (h + 1) & (cap - 1);
    }
  }
  for (size_t i = 0; i < t->u.table.n; i++)
    if (same_key(&items[i], key, keylen)) return (long)i;
  return -1;
}

int wf_toml_table_add(wf_toml_value_t *t, const char *key, size_t keylen, wf_toml_value_t *v) {
  if (t->u.table.n >= UINT32_MAX - 1 || keylen == SIZE_MAX) return 0;
  if (t->u.table.n == t->u.table.cap) {
    size_t cap = t->u.table.cap ? t->u.table.cap * 2 : 4;
    if (cap > SIZE_MAX / sizeof(wf_toml_entry_t)) return 0;
    wf_toml_entry_t *items = realloc(t->u.table.items, cap * sizeof *items);
    if (!items) return 0;
    t->u.table.items = items;
    t->u.table.cap = cap;
  }
  char *k = malloc(keylen + 1);
  if (!k) return 0;
  memcpy(k, key, keylen);
  k[keylen] = 0;
  size_t i = t->u.table.n;
  t->u.table.items[i] = (wf_toml_entry_t){k, keylen, v};
  t->u.table.n++;
  if (t->u.table.n >= INDEX_MIN) {
    if (!t->u.table.index || t->u.table.n * 2 > t->u.table.index_cap) {
      if (!reindex(t)) {
        t->u.table.n--;
        free(k);
        return 0;
      }
    } else {
      size_t cap = t->u.table.index_cap;
      size_t h = (size_t)hash_key(k, keylen) & (cap - 1);
      while (t->u.table.index[h] != UINT32_MAX) h = (h + 1) & (cap - 1);
      t->u.table.index[h] = (uint32_t)i;
    }
  }
  return 1;
}

int wf_toml_array_add(wf_toml_value_t *a, wf_toml_value_t *v) {
  if (a->u.array.n == a->u.array.cap) {
    size_t cap = a->u.array.cap ? a->u.array.cap * 2 : 4;
    if (cap > SIZE_MAX / sizeof(wf_toml_value_t *)) return 0;
    wf_toml_value_t **items = realloc(a->u.array.items, cap * sizeof *items);
    if (!items) return 0;
    a->u.array.items = items;
    a->u.array.cap = cap;
  }
  a->u.array.items[a->u.array.n++] = v;
  return 1;
}

/* Recursion is bounded: the parser refuses trees deeper than
 * WF_TOML_MAX_DEPTH. */
void wf_toml_free(wf_toml_value_t *v) {
  if (!v) return;
  switch (v->kind) {
    case WF_TOML_TABLE:
      for (size_t i = 0; i < v->u.table.n; i++) {
        free(v->u.table.items[i].key);
        wf_toml_free(v->u.table.items[i].value);
      }
      free(v->u.table.items);
      free(v->u.table.index);
      break;
    case WF_TOML_ARRAY:
      for (size_t i = 0; i < v->u.array.n; i++) wf_toml_free(v->u.array.items[i]);
      free(v->u.array.items);
      break;
    case WF_TOML_INT:
    case WF_TOML_FLOAT:
    case WF_TOML_BOOL:
      break;
    default:
      free(v->u.str.s);
      break;
  }
  free(v);
}

const char *wf_toml_kind_name(wf_toml_kind_t k) {
  switch (k) {
    case WF_TOML_TABLE: return "table";
    case WF_TOML_ARRAY: return "array";
    case WF_TOML_STRING: return "string";
    case WF_TOML_INT: return "integer";
    case WF_TOML_FLOAT: return "float";
    case WF_TOML_BOOL: return "bool";
    case WF_TOML_DATETIME: return "datetime";
    case WF_TOML_DATETIME_LOCAL: return "datetime-local";
    case WF_TOML_DATE_LOCAL: return "date-local";
    case WF_TOML_TIME_LOCAL: return "time-local";
  }
  return "?";
}

const wf_toml_value_t *wf_toml_getn(const wf_toml_value_t *t, const char *key, size_t keylen) {
  long i = wf_toml_find(t, key, keylen);
  return i < 0 ? NULL : t->u.table.items[i].value;
}

const wf_toml_value_t *wf_toml_get(const wf_toml_value_t *t, const char *key) {
  return key ? wf_toml_getn(t, key, strlen(key)) : NULL;
}

static int is_bare(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Path segments: bare keys, "quoted" (\" and \\ escapes only) or 'literal'. */
const wf_toml_value_t *wf_toml_get_path(const wf_toml_value_t *t, const char *path) {
  if (!t || !path) return NULL;
  size_t plen = strlen(path);
  char *buf = malloc(plen + 1);
  if (!buf) return NULL;
  const char *p = path;
  const wf_toml_value_t *cur = t;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    size_t n = 0;
    if (*p == '"' || *p == '\'') {
      char q = *p++;
      while (*p && *p != q) {
        if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
        buf[n++] = *p++;
      }
      if (*p != q) { cur = NULL; break; }
      p++;
    } else {
      while (is_bare(*p)) buf[n++] = *p++;
      if (n == 0) { cur = NULL; break; }
    }
    cur = wf_toml_getn(cur, buf, n);
    if (!cur) break;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == 0) break;
    if (*p != '.') { cur = NULL; break; }
    p++;
  }
  free(buf);
  return cur;
}

size_t wf_toml_len(const wf_toml_value_t *v) {
  if (!v) return 0;
  if (v->kind == WF_TOML_TABLE) return v->u.table.n;
  if (v->kind == WF_TOML_ARRAY) return v->u.array.n;
  return 0;
}

const wf_toml_value_t *wf_toml_at(const wf_toml_value_t *v, size_t i) {
  if (!v || i >= wf_toml_len(v)) return NULL;
  return v->kind == WF_TOML_TABLE ? v->u.table.items[i].value : v->u.array.items[i];
}

const char *wf_toml_key_at(const wf_toml_value_t *t, size_t i, size_t *len) {
  if (!t || t->kind != WF_TOML_TABLE || i >= t->u.table.n) return NULL;
  if (len) *len = t->u.table.items[i].keylen;
  return t->u.table.items[i].key;
}

int wf_toml_as_string(const wf_toml_value_t *v, const char **s, size_t *len) {
  if (!v || v->kind != WF_TOML_STRING) return 0;
  if (s) *s = v->u.str.s;
  if (len) *len = v->u.str.len;
  return 1;
}

int wf_toml_as_int(const wf_toml_value_t *v, int64_t *out) {
  if (!v || v->kind != WF_TOML_INT) return 0;
  if (out) *out = v->u.i;
  return 1;
}

int wf_toml_as_float(const wf_toml_value_t *v, double *out) {
  if (!v) return 0;
  if (v->kind == WF_TOML_FLOAT) {
    if (out) *out = v->u.f;
    return 1;
  }
  if (v->kind == WF_TOML_INT) {
    if (out) *out = (double)v->u.i;
    return 1;
  }
  return 0;
}

int wf_toml_as_bool(const wf_toml_value_t *v, int *out) {
  if (!v || v->kind != WF_TOML_BOOL) return 0;
  if (out) *out = v->u.b;
  return 1;
}

int wf_toml_get_string(const wf_toml_value_t *t, const char *path, const char **s) {
  const wf_toml_value_t *v = wf_toml_get_path(t, path);
  if (!v) return 0;
  return wf_toml_as_string(v, s, NULL) ? 1 : -1;
}

int wf_toml_get_int(const wf_toml_value_t *t, const char *path, int64_t *out) {
  const wf_toml_value_t *v = wf_toml_get_path(t, path);
  if (!v) return 0;
  return wf_toml_as_int(v, out) ? 1 : -1;
}

int wf_toml_get_bool(const wf_toml_value_t *t, const char *path, int *out) {
  const wf_toml_value_t *v = wf_toml_get_path(t, path);
  if (!v) return 0;
  return wf_toml_as_bool(v, out) ? 1 : -1;
}

const wf_toml_value_t *wf_toml_get_table(const wf_toml_value_t *t, const char *path) {
  const wf_toml_value_t *v = wf_toml_get_path(t, path);
  return v && v->kind == WF_TOML_TABLE ? v : NULL;
}

const wf_toml_value_t *wf_toml_get_array(const wf_toml_value_t *t, const char *path) {
  const wf_toml_value_t *v = wf_toml_get_path(t, path);
  return v && v->kind == WF_TOML_ARRAY ? v : NULL;
}
