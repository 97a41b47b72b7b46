/* Text rendering of component types (WAT-like), for diagnostics and tools. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cinternal.h"

typedef struct {
  char *buf;
  size_t cap, len;   /* len may exceed cap: output is then truncated */
} out_t;

static void put(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_t *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = o->len < o->cap ? o->cap - o->len : 0;
  int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n > 0) o->len += (size_t)n;
}

static void type(const wf_ctypes_t *ts, wf_ctid_t id, out_t *o, uint32_t depth);

static void externs(const wf_ctypes_t *ts, const char *what, const wf_cextern_t *v, uint32_t n, out_t *o,
                    uint32_t depth) {
  for (uint32_t i = 0; i < n && o->len < o->cap; i++) {
    bool wrap = v[i].sort == WF_SORT_TYPE;
    put(o, " (%s \"%.*s\" %s", what, WF_NLEN(v[i].name_len), v[i].name, wrap ? "(type " : "");
    type(ts, v[i].type, o, depth + 1);
    put(o, wrap ? "))" : ")");
  }
}

static void type(const wf_ctypes_t *ts, wf_ctid_t id, out_t *o, uint32_t depth) {
  if (id == WF_CTID_NONE) { put(o, "none"); return; }
  const wf_ctype_t *t = &ts->v[id];
  if (WF_CT_IS_PRIM(t->kind)) { put(o, "%s", wf_ctkind_name(t->kind)); return; }
  if (depth > 8 || o->len >= o->cap) { put(o, "..."); return; }
  switch (t->kind) {
  case WF_CT_RECORD: case WF_CT_VARIANT: case WF_CT_FUNC: {
    const char *item = t->kind == WF_CT_RECORD ? "field" : t->kind == WF_CT_VARIANT ? "case" : "param";
    put(o, "(%s%s", wf_ctkind_name(t->kind), t->kind == WF_CT_FUNC && t->is_async ? " async" : "");
    for (uint32_t i = 0; i < t->n && o->len < o->cap; i++) {
      put(o, " (%s \"%.*s\"", item, WF_NLEN(t->fields[i].name_len), t->fields[i].name);
      if (t->fields[i].type) { put(o, " "); type(ts, t->fields[i].type, o, depth + 1); }
      put(o, ")");
    }
    if (t->kind == WF_CT_FUNC && t->t1) { put(o, " (result "); type(ts, t->t1, o, depth + 1); put(o, ")"); }
    put(o, ")");
    return;
  }
  case WF_CT_TUPLE:
    put(o, "(tuple");
    for (uint32_t i = 0; i < t->n && o->len < o->cap; i++) { put(o, " "); type(ts, t->fields[i].type, o, depth + 1); }
    put(o, ")");
    return;
  case WF_CT_FLAGS: case WF_CT_ENUM:
    put(o, "(%s", wf_ctkind_name(t->kind));
    for (uint32_t i = 0; i < t->n && o->len < o->cap; i++)
      put(o, " \"%.*s\"", WF_NLEN(t->fields[i].name_len), t->fields[i].name);
    put(o, ")");
    return;
  case WF_CT_LIST: case WF_CT_OPTION: case WF_CT_STREAM: case WF_CT_FUTURE: case WF_CT_FIXED_LIST:
    put(o, "(%s", t->kind == WF_CT_FIXED_LIST ? "list" : wf_ctkind_name(t->kind));
    if (t->t1) { put(o, " "); type(ts, t->t1, o, depth + 1); }
    if (t->kind == WF_CT_FIXED_LIST) put(o, " %u", t->len);
    put(o, ")");
    return;
  case WF_CT_MAP: case WF_CT_RESULT:
    put(o, "(%s", wf_ctkind_name(t->kind));
    if (t->t1) { put(o, " "); type(ts, t->t1, o, depth + 1); }
    if (t->t2) { put(o, t->kind == WF_CT_RESULT ? " (error " : " "); type(ts, t->t2, o, depth + 1); }
    put(o, t->kind == WF_CT_RESULT && t->t2 ? "))" : ")");
    return;
  case WF_CT_OWN: case WF_CT_BORROW:
    put(o, "(%s resource#%u)", wf_ctkind_name(t->kind), ts->v[t->t1].rid);
    return;
  case WF_CT_RESOURCE:
    put(o, "(resource#%u%s)", t->rid, t->rep ? " (rep i32)" : "");
    return;
  case WF_CT_COMPONENT: case WF_CT_INSTANCE:
    put(o, "(%s", wf_ctkind_name(t->kind));
    externs(ts, "import", t->imports, t->nimports, o, depth);
    externs(ts, "export", t->exports, t->nexports, o, depth);
    put(o, ")");
    return;
  case WF_CT_CORE_FUNC: case WF_CT_CORE_TAG:
    put(o, "(%s (param", t->kind == WF_CT_CORE_TAG ? "tag" : "func");
    for (uint32_t i = 0; i < t->core.nparams && o->len < o->cap; i++) put(o, " %s", wf_valtype_name(t->core.params[i]));
    put(o, ") (result");
    for (uint32_t i = 0; i < t->core.nresults && o->len < o->cap; i++) put(o, " %s", wf_valtype_name(t->core.results[i]));
    put(o, "))");
    return;
  case WF_CT_CORE_TABLE:
    put(o, "(table %u", t->table.lim.min);
    if (t->table.lim.has_max) put(o, " %u", t->table.lim.max);
    put(o, " %s)", wf_valtype_name(t->table.elem));
    return;
  case WF_CT_CORE_MEMORY:
    put(o, "(memory %u", t->mem.lim.min);
    if (t->mem.lim.has_max) put(o, " %u", t->mem.lim.max);
    put(o, ")");
    return;
  case WF_CT_CORE_GLOBAL:
    put(o, t->global.mut ? "(global (mut %s))" : "(global %s)", wf_valtype_name(t->global.type));
    return;
  case WF_CT_CORE_MODULE: case WF_CT_CORE_INSTANCE:
    put(o, "(%s", t->kind == WF_CT_CORE_MODULE ? "module" : "core instance");
    for (uint32_t i = 0; i < t->ncimports && o->len < o->cap; i++) {
      const wf_ccore_extern_t *e = &t->cimports[i];
      put(o, " (import \"%.*s\" \"%.*s\" ", WF_NLEN(e->module_len), e->module, WF_NLEN(e->name_len), e->name);
      type(ts, e->type, o, depth + 1);
      put(o, ")");
    }
    for (uint32_t i = 0; i < t->ncexports && o->len < o->cap; i++) {
      const wf_ccore_extern_t *e = &t->cexports[i];
      put(o, " (export \"%.*s\" ", WF_NLEN(e->name_len), e->name);
      type(ts, e->type, o, depth + 1);
      put(o, ")");
    }
    put(o, ")");
    return;
  default:
    put(o, "(%s)", wf_ctkind_name(t->kind));
    return;
  }
}

size_t wf_ctype_format(const wf_ctypes_t *ts, wf_ctid_t id, char *buf, size_t cap) {
  out_t o = {buf, cap, 0};
  if (cap) buf[0] = 0;
  type(ts, id, &o, 0);
  if (cap && o.len >= cap && cap > 4) memcpy(buf + cap - 4, "...", 4);
  return o.len < cap ? o.len : (cap ? cap - 1 : 0);
}
