/* WIT printer: resolved IR back to WIT text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/wit_internal.h"

typedef struct {
  char *s; size_t n, cap; bool oom;
  const wf_wit_world_t *world;  /* world being printed: names of types it got from includes */
  uint32_t world_idx;
} sb;

static void put(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sb *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) { b->oom = true; return; }
    if (b->s && b->n + (size_t)k < b->cap) { b->n += (size_t)k; return; }
    size_t nc = b->cap ? b->cap * 2 : 1024;
    while (nc <= b->n + (size_t)k) nc *= 2;
    char *ns = realloc(b->s, nc);
    if (!ns) { b->oom = true; return; }
    b->s = ns;
    b->cap = nc;
  }
}

static bool is_kw(const char *s) {
  for (int k = TK_KW_FIRST; k < TK_COUNT; k++)
    if (strcmp(wf_wit_kw_name(k), s) == 0) return true;
  return false;
}

static void id(sb *b, const char *s) { put(b, "%s%s", is_kw(s) ? "%" : "", s); }

static void ty_body(sb *b, const wf_wit_t *w, const wf_wit_type_t *x, int depth);

static void ty(sb *b, const wf_wit_t *w, wf_wit_tref t, int depth) {
  if (t == WF_WIT_NONE) { put(b, "_"); return; }
  if (WF_WIT_IS_PRIM(t)) { put(b, "%s", wf_wit_prim_name(WF_WIT_REF_PRIM(t))); return; }
  const wf_wit_type_t *x = &w->types[t];
  if (x->name) {
    if (b->world && x->owner_kind == WF_WIT_OWNER_WORLD && x->owner != b->world_idx) {
      for (uint32_t i = 0; i < b->world->nimports; i++)
        if (b->world->imports[i].kind == WF_WIT_ITEM_TYPE && b->world->imports[i].index == (uint32_t)t) {
          id(b, b->world->imports[i].key);
          return;
        }
    }
    id(b, x->name);
    return;
  }
  ty_body(b, w, x, depth);
}

static void ty_body(sb *b, const wf_wit_t *w, const wf_wit_type_t *x, int depth) {
  if (depth > 200) { put(b, "..."); return; }
  switch (x->kind) {
    case WF_WIT_TYPE_ALIAS: ty(b, w, x->a, depth + 1); break;
    case WF_WIT_TYPE_LIST: put(b, "list<"); ty(b, w, x->a, depth + 1); put(b, ">"); break;
    case WF_WIT_TYPE_FIXED_LIST: put(b, "list<"); ty(b, w, x->a, depth + 1); put(b, ", %u>", x->length); break;
    case WF_WIT_TYPE_MAP: put(b, "map<"); ty(b, w, x->a, depth + 1); put(b, ", "); ty(b, w, x->b, depth + 1); put(b, ">"); break;
    case WF_WIT_TYPE_OPTION: put(b, "option<"); ty(b, w, x->a, depth + 1); put(b, ">"); break;
    case WF_WIT_TYPE_OWN: put(b, "own<"); ty(b, w, x->a, depth + 1); put(b, ">"); break;
    case WF_WIT_TYPE_BORROW: put(b, "borrow<"); ty(b, w, x->a, depth + 1); put(b, ">"); break;
    case WF_WIT_TYPE_STREAM: case WF_WIT_TYPE_FUTURE:
      put(b, x->kind == WF_WIT_TYPE_STREAM ? "stream" : "future");
      if (x->a != WF_WIT_NONE) { put(b, "<"); ty(b, w, x->a, depth + 1); put(b, ">"); }
      break;
    case WF_WIT_TYPE_RESULT:
      put(b, "result");
      if (x->a == WF_WIT_NONE && x->b == WF_WIT_NONE) break;
      put(b, "<");
      ty(b, w, x->a, depth + 1);
      if (x->b != WF_WIT_NONE) { put(b, ", "); ty(b, w, x->b, depth + 1); }
      put(b, ">");
      break;
    case WF_WIT_TYPE_TUPLE:
      put(b, "tuple<");
      for (uint32_t i = 0; i < x->nfields; i++) { if (i) put(b, ", "); ty(b, w, x->fields[i].type, depth + 1); }
      put(b, ">");
      break;
    default: put(b, "?"); break;
  }
}

static void gate(sb *b, const wf_wit_gate_t *g, const char *ind) {
  if (g->kind == 1) put(b, "%s@since(version = %s)\n", ind, g->value);
  else if (g->kind == 2) put(b, "%s@unstable(feature = %s)\n", ind, g->value);
  else if (g->kind == 3) {
    if (g->since) put(b, "%s@since(version = %s)\n", ind, g->since);
    put(b, "%s@deprecated(version = %s)\n", ind, g->value);
  }
}

static void docs(sb *b, const char *d, const char *ind) {
  while (d && *d) {
    const char *e = strchr(d, '\n');
    size_t n = e ? (size_t)(e - d) : strlen(d);
    put(b, "%s///%s%.*s\n", ind, n ? " " : "", (int)n, d);
    d = e ? e + 1 : d + n;
  }
}

static void functype(sb *b, const wf_wit_t *w, const wf_wit_func_t *f, uint32_t skip) {
  put(b, "%sfunc(", f->is_async ? "async " : "");
  for (uint32_t i = skip; i < f->nparams; i++) {
    if (i > skip) put(b, ", ");
    id(b, f->params[i].name);
    put(b, ": ");
    ty(b, w, f->params[i].type, 0);
  }
  put(b, ")");
  if (f->result != WF_WIT_NONE) { put(b, " -> "); ty(b, w, f->result, 0); }
}

static void typedef_(sb *b, const wf_wit_t *w, uint32_t ti, const char *name, const char *ind,
                     const wf_wit_interface_t *it, const wf_wit_world_t *wo) {
  const wf_wit_type_t *t = &w->types[ti];
  docs(b, t->docs, ind);
  gate(b, &t->gate, ind);
  static const char *const kw[] = {[WF_WIT_TYPE_RECORD] = "record", [WF_WIT_TYPE_VARIANT] = "variant",
                                   [WF_WIT_TYPE_ENUM] = "enum", [WF_WIT_TYPE_FLAGS] = "flags"};
  switch (t->kind) {
    case WF_WIT_TYPE_RESOURCE: {
      put(b, "%sresource ", ind);
      id(b, name);
      bool any = false;
      uint32_t nf = it ? it->nfuncs : wo ? wo->nimports : 0;
      for (uint32_t i = 0; i < nf; i++) {
        if (wo && wo->imports[i].kind != WF_WIT_ITEM_FUNC) continue;
        const wf_wit_func_t *f = it ? &it->funcs[i] : &wo->imports[i].func;
        if (f->kind == WF_WIT_FUNC_FREESTANDING || f->resource != ti) continue;
        if (!any) put(b, " {\n");
        any = true;
        char mind[64];
        snprintf(mind, sizeof mind, "%s  ", ind);
        docs(b, f->docs, mind);
        gate(b, &f->gate, mind);
        const char *dot = strchr(f->name, '.');
        if (f->kind == WF_WIT_FUNC_CONSTRUCTOR) {
          put(b, "%s  constructor(", ind);
          for (uint32_t k = 0; k < f->nparams; k++) {
            if (k) put(b, ", ");
            id(b, f->params[k].name);
            put(b, ": ");
            ty(b, w, f->params[k].type, 0);
          }
          put(b, ")");
          if (f->result >= 0 && w->types[f->result].kind == WF_WIT_TYPE_RESULT) {
            const wf_wit_type_t *rt = &w->types[f->result];
            put(b, " -> result<");
            id(b, name);
            if (rt->b != WF_WIT_NONE) { put(b, ", "); ty(b, w, rt->b, 0); }
            put(b, ">");
          }
          put(b, ";\n");
        } else {
          put(b, "%s  ", ind);
          id(b, dot ? dot + 1 : f->name);
          put(b, ": %s", f->kind == WF_WIT_FUNC_STATIC ? "static " : "");
          functype(b, w, f, f->kind == WF_WIT_FUNC_METHOD ? 1 : 0);
          put(b, ";\n");
        }
      }
      put(b, any ? "%s}\n" : ";\n", ind);
      return;
    }
    case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_VARIANT: case WF_WIT_TYPE_ENUM: case WF_WIT_TYPE_FLAGS:
      put(b, "%s%s ", ind, kw[t->kind]);
      id(b, name);
      put(b, " {\n");
      for (uint32_t i = 0; i < t->nfields; i++) {
        put(b, "%s  ", ind);
        id(b, t->fields[i].name);
        if (t->kind == WF_WIT_TYPE_RECORD) { put(b, ": "); ty(b, w, t->fields[i].type, 0); }
        else if (t->kind == WF_WIT_TYPE_VARIANT && t->fields[i].type != WF_WIT_NONE) {
          put(b, "(");
          ty(b, w, t->fields[i].type, 0);
          put(b, ")");
        }
        put(b, ",\n");
      }
      put(b, "%s}\n", ind);
      return;
    default:
      put(b, "%stype ", ind);
      id(b, name);
      put(b, " = ");
      ty_body(b, w, t, 0);
      put(b, ";\n");
  }
}

static void pkg_name(sb *b, const wf_wit_package_t *p) {
  id(b, p->ns);
  put(b, ":");
  id(b, p->name);
}

static void type_use_path(sb *b, const wf_wit_t *w, uint32_t cur_pkg, uint32_t iface) {
  const wf_wit_interface_t *it = &w->interfaces[iface];
  if (it->package == cur_pkg) { id(b, it->name); return; }
  const wf_wit_package_t *p = &w->packages[it->package];
  pkg_name(b, p);
  put(b, "/");
  id(b, it->name);
  if (p->version) put(b, "@%s", p->version);
}

/* an alias whose target is a named type of another interface/world: `use` */
static bool print_use(sb *b, const wf_wit_t *w, uint32_t pkg, uint32_t ti, uint32_t owner, const char *ind) {
  const wf_wit_type_t *t = &w->types[ti];
  if (t->kind != WF_WIT_TYPE_ALIAS || t->a < 0) return false;
  const wf_wit_type_t *tt = &w->types[t->a];
  if (!tt->name || tt->owner_kind != WF_WIT_OWNER_INTERFACE) return false;
  if (t->owner_kind == WF_WIT_OWNER_INTERFACE && tt->owner == owner) return false;
  put(b, "%suse ", ind);
  type_use_path(b, w, pkg, tt->owner);
  put(b, ".{");
  id(b, tt->name);
  if (strcmp(tt->name, t->name) != 0) { put(b, " as "); id(b, t->name); }
  put(b, "};\n");
  return true;
}

static void iface_body(sb *b, const wf_wit_t *w, uint32_t ii, const char *ind) {
  const wf_wit_interface_t *it = &w->interfaces[ii];
  for (uint32_t i = 0; i < it->ntypes; i++)
    if (!print_use(b, w, it->package, it->types[i].type, ii, ind))
      typedef_(b, w, it->types[i].type, it->types[i].name, ind, it, NULL);
  for (uint32_t i = 0; i < it->nfuncs; i++) {
    const wf_wit_func_t *f = &it->funcs[i];
    if (f->kind != WF_WIT_FUNC_FREESTANDING) continue;
    docs(b, f->docs, ind);
    gate(b, &f->gate, ind);
    put(b, "%s", ind);
    id(b, f->name);
    put(b, ": ");
    functype(b, w, f, 0);
    put(b, ";\n");
  }
}

static void world_items(sb *b, const wf_wit_t *w, const wf_wit_world_t *wo, bool exp, const char *ind) {
  const wf_wit_world_item_t *v = exp ? wo->exports : wo->imports;
  uint32_t n = exp ? wo->nexports : wo->nimports;
  const char *kw = exp ? "export" : "import";
  for (uint32_t i = 0; i < n; i++) {
    const wf_wit_world_item_t *x = &v[i];
    if (x->kind == WF_WIT_ITEM_TYPE) {
      if (!print_use(b, w, wo->package, x->index, (uint32_t)-1, ind))
        typedef_(b, w, x->index, x->key, ind, NULL, wo);
      continue;
    }
    if (x->kind == WF_WIT_ITEM_FUNC && x->func.kind != WF_WIT_FUNC_FREESTANDING) continue; /* in its resource */
    gate(b, &x->gate, ind);
    if (x->kind == WF_WIT_ITEM_FUNC) {
      put(b, "%s%s ", ind, kw);
      id(b, x->key);
      put(b, ": ");
      functype(b, w, &x->func, 0);
      put(b, ";\n");
    } else if (x->key_is_id) {
      put(b, "%s%s ", ind, kw);
      type_use_path(b, w, wo->package, x->index);
      put(b, ";\n");
    } else {
      put(b, "%s%s ", ind, kw);
      id(b, x->key);
      put(b, ": interface {\n");
      char ind2[64];
      snprintf(ind2, sizeof ind2, "%s  ", ind);
      iface_body(b, w, x->index, ind2);
      put(b, "%s}\n", ind);
    }
  }
}

char *wf_wit_print(const wf_wit_t *w) {
  sb b = {0};
  bool blocks = w->npackages > 1;
  put(&b, "%s", "");
  for (uint32_t p = 0; p < w->npackages; p++) {
    const wf_wit_package_t *pk = &w->packages[p];
    const char *ind = blocks ? "  " : "";
    const char *ind2 = blocks ? "    " : "  ";
    docs(&b, pk->docs, "");
    put(&b, "package ");
    pkg_name(&b, pk);
    if (pk->version) put(&b, "@%s", pk->version);
    put(&b, "%s\n", blocks ? " {" : ";\n");
    for (uint32_t i = 0; i < pk->ninterfaces; i++) {
      const wf_wit_interface_t *it = &w->interfaces[pk->interfaces[i]];
      docs(&b, it->docs, ind);
      gate(&b, &it->gate, ind);
      put(&b, "%sinterface ", ind);
      id(&b, it->name);
      put(&b, " {\n");
      iface_body(&b, w, pk->interfaces[i], ind2);
      put(&b, "%s}\n\n", ind);
    }
    for (uint32_t i = 0; i < pk->nworlds; i++) {
      const wf_wit_world_t *wo = &w->worlds[pk->worlds[i]];
      docs(&b, wo->docs, ind);
      gate(&b, &wo->gate, ind);
      put(&b, "%sworld ", ind);
      id(&b, wo->name);
      put(&b, " {\n");
      b.world = wo;
      b.world_idx = pk->worlds[i];
      world_items(&b, w, wo, false, ind2);
      world_items(&b, w, wo, true, ind2);
      b.world = NULL;
      put(&b, "%s}\n\n", ind);
    }
    if (blocks) put(&b, "}\n\n");
  }
  if (b.oom) { free(b.s); return NULL; }
  return b.s;
}
