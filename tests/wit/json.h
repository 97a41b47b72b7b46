/* A small JSON reader for the WIT test driver (src/ has none): parses a
 * whole document into a tree of malloc'd nodes. Numbers are kept as double.
 * Nesting is capped; any syntax error gives NULL. */
#ifndef WIT_TEST_JSON_H
#define WIT_TEST_JSON_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jkind;

typedef struct jv {
  jkind k;
  double num;
  bool b;
  char *str;              /* J_STR */
  struct jv **items;      /* J_ARR values, J_OBJ values */
  char **keys;            /* J_OBJ keys */
  size_t n;
} jv;

typedef struct { const char *s; size_t i, n; int depth; } jp;

static void jskip(jp *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\n' || p->s[p->i] == '\t' || p->s[p->i] == '\r')) p->i++;
}

static jv *jparse_value(jp *p);

static char *jparse_str(jp *p) {
  if (p->i >= p->n || p->s[p->i] != '"') return NULL;
  p->i++;
  size_t cap = 16, len = 0;
  char *o = malloc(cap);
  if (!o) return NULL;
  while (p->i < p->n && p->s[p->i] != '"') {
    char ch = p->s[p->i++];
    if (ch == '\\' && p->i < p->n) {
      char e = p->s[p->i++];
      switch (e) {
        case 'n': ch = '\n'; break;
        case 't': ch = '\t'; break;
        case 'r': ch = '\r'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'u': {
          unsigned v = 0;
          for (int k = 0; k < 4 && p->i < p->n; k++) {
            char h = p->s[p->i++];
            v = v * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
          }
          ch = v < 0x80 ? (char)v : '?';
          break;
        }
        default: ch = e; break;
      }
    }
    if (len + 2 > cap) {
      cap *= 2;
      char *no = realloc(o, cap);
      if (!no) { free(o); return NULL; }
      o = no;
    }
    o[len++] = ch;
  }
  if (p->i >= p->n) { free(o); return NULL; }
  p->i++;
  o[len] = 0;
  return o;
}

static void jfree(jv *v) {
  if (!v) return;
  for (size_t i = 0; i < v->n; i++) {
    jfree(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

static bool jpush(jv *v, char *key, jv *item) {
  void *ni = realloc(v->items, (v->n + 1) * sizeof *v->items);
  if (!ni) return false;
  v->items = ni;
  if (v->k == J_OBJ) {
    void *nk = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
    if (!nk) return false;
    v->keys = nk;
    v->keys[v->n] = key;
  }
  v->items[v->n++] = item;
  return true;
}

static jv *jparse_value(jp *p) {
  jskip(p);
  if (p->i >= p->n || ++p->depth > 200) return NULL;
  jv *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  char c = p->s[p->i];
  if (c == '{' || c == '[') {
    v->k = c == '{' ? J_OBJ : J_ARR;
    p->i++;
    jskip(p);
    char close = c == '{' ? '}' : ']';
    if (p->i < p->n && p->s[p->i] == close) { p->i++; p->depth--; return v; }
    for (;;) {
      char *key = NULL;
      jskip(p);
      if (v->k == J_OBJ) {
        key = jparse_str(p);
        jskip(p);
        if (!key || p->i >= p->n || p->s[p->i] != ':') { free(key); jfree(v); return NULL; }
        p->i++;
      }
      jv *item = jparse_value(p);
      if (!item || !jpush(v, key, item)) { free(key); jfree(item); jfree(v); return NULL; }
      jskip(p);
      if (p->i < p->n && p->s[p->i] == ',') { p->i++; continue; }
      if (p->i < p->n && p->s[p->i] == close) { p->i++; break; }
      jfree(v);
      return NULL;
    }
  } else if (c == '"') {
    v->k = J_STR;
    if (!(v->str = jparse_str(p))) { jfree(v); return NULL; }
  } else if (!strncmp(p->s + p->i, "null", 4)) { v->k = J_NULL; p->i += 4; }
  else if (!strncmp(p->s + p->i, "true", 4)) { v->k = J_BOOL; v->b = true; p->i += 4; }
  else if (!strncmp(p->s + p->i, "false", 5)) { v->k = J_BOOL; p->i += 5; }
  else {
    char *end;
    v->k = J_NUM;
    v->num = strtod(p->s + p->i, &end);
    if (end == p->s + p->i) { jfree(v); return NULL; }
    p->i = (size_t)(end - p->s);
  }
  p->depth--;
  return v;
}

static jv *jparse(const char *s, size_t n) {
  jp p = {s, 0, n, 0};
  jv *v = jparse_value(&p);
  jskip(&p);
  if (v && p.i != n) { jfree(v); return NULL; }
  return v;
}

static jv *jget(const jv *o, const char *key) {
  if (!o || o->k != J_OBJ) return NULL;
  for (size_t i = 0; i < o->n; i++)
    if (strcmp(o->keys[i], key) == 0) return o->items[i];
  return NULL;
}

static const char *jstr(const jv *v) { return v && v->k == J_STR ? v->str : NULL; }

#endif
