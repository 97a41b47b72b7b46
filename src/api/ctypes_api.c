/* Public API: type introspection (weft_type_t) and value-kind names.
 * A weft_type_t is {the component's type table, a node id}; see weft.h. */
#include <stdio.h>
#include <string.h>

#include "component/canon.h"
#include "component/component.h"
#include "weft.h"

static const weft_type_t no_type = {NULL, 0};

const char *weft_vkind_name(weft_vkind_t kind) {
  static const char *const names[WEFT_VAL_KIND_COUNT] = {
      "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
      "string", "list", "record", "tuple", "variant", "enum", "option", "result", "flags",
      "own", "borrow",
  };
  return (unsigned)kind < WEFT_VAL_KIND_COUNT ? names[kind] : "?";
}

/* The node behind t, or NULL when t is none or out of its table. */
static const wf_ctype_t *node(weft_type_t t) {
  const wf_ctypes_t *ts = t.table;
  if (!ts || t.id == WF_CTID_NONE || t.id >= ts->n) return NULL;
  return &ts->v[t.id];
}

static weft_type_t mk(weft_type_t in, wf_ctid_t id) {
  if (id == WF_CTID_NONE) return no_type;
  weft_type_t t = {in.table, id};
  return t;
}

weft_vkind_t weft_type_kind(weft_type_t t) {
  const wf_ctype_t *n = node(t);
  return n ? wf_canon_vkind(n->kind) : WEFT_VAL_KIND_COUNT;
}

static int has_fields(const wf_ctype_t *n) {
  return n->kind == WF_CT_RECORD || n->kind == WF_CT_VARIANT || n->kind == WF_CT_ENUM ||
         n->kind == WF_CT_FLAGS || n->kind == WF_CT_TUPLE;
}

size_t weft_type_field_count(weft_type_t t) {
  const wf_ctype_t *n = node(t);
  return n && has_fields(n) ? n->n : 0;
}

const char *weft_type_field_name(weft_type_t t, size_t i, size_t *len) {
  const wf_ctype_t *n = node(t);
  if (len) *len = 0;
  if (!n || !has_fields(n) || n->kind == WF_CT_TUPLE || i >= n->n) return NULL;
  if (len) *len = n->fields[i].name_len;
  return n->fields[i].name;
}

weft_type_t weft_type_field_type(weft_type_t t, size_t i) {
  const wf_ctype_t *n = node(t);
  if (!n || i >= n->n) return no_type;
  if (n->kind != WF_CT_RECORD && n->kind != WF_CT_TUPLE && n->kind != WF_CT_VARIANT) return no_type;
  return mk(t, n->fields[i].type);
}

weft_type_t weft_type_elem(weft_type_t t) {
  const wf_ctype_t *n = node(t);
  if (!n || (n->kind != WF_CT_LIST && n->kind != WF_CT_OPTION && n->kind != WF_CT_RESULT))
    return no_type;
  return mk(t, n->t1);
}

weft_type_t weft_type_err(weft_type_t t) {
  const wf_ctype_t *n = node(t);
  if (!n || n->kind != WF_CT_RESULT) return no_type;
  return mk(t, n->t2);
}

int weft_type_is_none(weft_type_t t) { return node(t) == NULL; }

/* ---- WIT-like text ---------------------------------------------------------- */

typedef struct {
  char *buf;
  size_t cap, len;    /* len counts everything, even past cap */
} tout_t;

static void put(tout_t *o, const char *s, size_t n) {
  if (o->len < o->cap) {
    size_t room = o->cap - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void puts_(tout_t *o, const char *s) { put(o, s, strlen(s)); }

static const char *prim_name(uint8_t k) {
  switch (k) {
  case WF_CT_BOOL: return "bool";
  case WF_CT_S8: return "s8";
  case WF_CT_U8: return "u8";
  case WF_CT_S16: return "s16";
  case WF_CT_U16: return "u16";
  case WF_CT_S32: return "s32";
  case WF_CT_U32: return "u32";
  case WF_CT_S64: return "s64";
  case WF_CT_U64: return "u64";
  case WF_CT_F32: return "f32";
  case WF_CT_F64: return "f64";
  case WF_CT_CHAR: return "char";
  case WF_CT_STRING: return "string";
  case WF_CT_ERROR_CONTEXT: return "error-context";
  default: return NULL;
  }
}

/* Types nest at most WF_CMAX_TYPE_DEPTH deep, which bounds the recursion. */
static void fmt(const wf_ctypes_t *ts, wf_ctid_t id, tout_t *o, unsigned depth) {
  if (id == WF_CTID_NONE || id >= ts->n) { puts_(o, "_"); return; }
  if (depth > WF_CMAX_TYPE_DEPTH || o->len > o->cap) { puts_(o, "..."); return; }
  const wf_ctype_t *n = &ts->v[id];
  const char *p = prim_name(n->kind);
  if (p) { puts_(o, p); return; }
  switch (n->kind) {
  case WF_CT_LIST: case WF_CT_OPTION: case WF_CT_OWN: case WF_CT_BORROW:
  case WF_CT_STREAM: case WF_CT_FUTURE: case WF_CT_FIXED_LIST: {
    static const char *const nm[] = {[WF_CT_LIST] = "list", [WF_CT_OPTION] = "option",
                                     [WF_CT_OWN] = "own", [WF_CT_BORROW] = "borrow",
                                     [WF_CT_STREAM] = "stream", [WF_CT_FUTURE] = "future",
                                     [WF_CT_FIXED_LIST] = "list"};
    puts_(o, nm[n->kind]);
    if ((n->kind == WF_CT_STREAM || n->kind == WF_CT_FUTURE) && !n->t1) return;
    puts_(o, "<");
    if (n->kind == WF_CT_OWN || n->kind == WF_CT_BORROW) {
      char tmp[32];
      snprintf(tmp, sizeof tmp, "resource#%u", n->t1 < ts->n ? ts->v[n->t1].rid : 0);
      puts_(o, tmp);
    } else {
      fmt(ts, n->t1, o, depth + 1);
    }
    if (n->kind == WF_CT_FIXED_LIST) {
      char tmp[24];
      snprintf(tmp, sizeof tmp, ", %u", n->len);
      puts_(o, tmp);
    }
    puts_(o, ">");
    return;
  }
  case WF_CT_RESULT:
    if (!n->t1 && !n->t2) { puts_(o, "result"); return; }
    puts_(o, "result<");
    fmt(ts, n->t1, o, depth + 1);
    if (n->t2) { puts_(o, ", "); fmt(ts, n->t2, o, depth + 1); }
    puts_(o, ">");
    return;
  case WF_CT_MAP:
    puts_(o, "map<");
    fmt(ts, n->t1, o, depth + 1);
    puts_(o, ", ");
    fmt(ts, n->t2, o, depth + 1);
    puts_(o, ">");
    return;
  case WF_CT_TUPLE:
    puts_(o, "tuple<");
    for (uint32_t i = 0; i < n->n && o->len <= o->cap; i++) {
      if (i) puts_(o, ", ");
      fmt(ts, n->fields[i].type, o, depth + 1);
    }
    puts_(o, ">");
    return;
  case WF_CT_RECORD: case WF_CT_VARIANT: case WF_CT_ENUM: case WF_CT_FLAGS: {
    static const char *const nm[] = {[WF_CT_RECORD] = "record { ", [WF_CT_VARIANT] = "variant { ",
                                     [WF_CT_ENUM] = "enum { ", [WF_CT_FLAGS] = "flags { "};
    puts_(o, nm[n->kind]);
    for (uint32_t i = 0; i < n->n && o->len <= o->cap; i++) {
      if (i) puts_(o, ", ");
      put(o, n->fields[i].name, n->fields[i].name_len);
      if (n->kind == WF_CT_RECORD) {
        puts_(o, ": ");
        fmt(ts, n->fields[i].type, o, depth + 1);
      } else if (n->kind == WF_CT_VARIANT && n->fields[i].type) {
        puts_(o, "(");
        fmt(ts, n->fields[i].type, o, depth + 1);
        puts_(o, ")");
      }
    }
    puts_(o, " }");
    return;
  }
  case WF_CT_FUNC:
    puts_(o, n->is_async ? "async func(" : "func(");
    for (uint32_t i = 0; i < n->n && o->len <= o->cap; i++) {
      if (i) puts_(o, ", ");
      put(o, n->fields[i].name, n->fields[i].name_len);
      puts_(o, ": ");
      fmt(ts, n->fields[i].type, o, depth + 1);
    }
    puts_(o, ")");
    if (n->t1) { puts_(o, " -> "); fmt(ts, n->t1, o, depth + 1); }
    return;
  case WF_CT_RESOURCE: {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "resource#%u", n->rid);
    puts_(o, tmp);
    return;
  }
  case WF_CT_INSTANCE: puts_(o, "instance"); return;
  case WF_CT_COMPONENT: puts_(o, "component"); return;
  default: puts_(o, "core type"); return;
  }
}

size_t weft_type_format(weft_type_t t, char *buf, size_t cap) {
  tout_t o = {buf, cap, 0};
  const wf_ctypes_t *ts = t.table;
  if (!ts || t.id >= ts->n || t.id == WF_CTID_NONE) puts_(&o, "_");
  else fmt(ts, t.id, &o, 0);
  if (cap == 0) return 0;
  if (o.len < cap) {
    buf[o.len] = 0;
    return o.len;
  }
  buf[cap - 1] = 0;
  if (cap > 4) memcpy(buf + cap - 4, "...", 3);
  return cap - 1;
}
