/* WIT packages encoded as wasm components (the wit-component encoding).
 *
 * Such a binary is a component that exports one component type per
 * interface; that type exports "ns:pkg/iface[@ver]" as an instance type whose
 * exports are the interface's types and functions. We decode it with the
 * component decoder, print the package as WIT text and hand that text to the
 * ordinary parser under the file's name, so the rest of loading is shared.
 *
 * Supported: functions over primitive and anonymous types (list, option,
 * result, tuple) and named records, variants, enums, flags and aliases
 * defined in the same interface. Refused with an error naming the construct:
 * worlds, resources, `use` of other interfaces' types, several packages in
 * one file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/component.h"
#include "util/strbuf.h"
#include "wit/wit_internal.h"

typedef struct {
  wit_ctx *c;
  const char *path;
  const wf_ctypes_t *ts;
  wf_strbuf_t out;
  /* named types of the interface being printed: node id -> name */
  const wf_cextern_t *named;
  uint32_t nnamed;
  bool bad; /* a name was refused (error already recorded) */
} wasm_pr;

static const wf_ctype_t *node(const wasm_pr *p, wf_ctid_t id) { return wf_ctype(p->ts, id); }

static const char *kind_name(uint8_t k) {
  switch (k) {
  case WF_CT_RESOURCE: return "resource";
  case WF_CT_OWN: return "own handle";
  case WF_CT_BORROW: return "borrow handle";
  case WF_CT_FIXED_LIST: return "fixed-size list";
  case WF_CT_MAP: return "map";
  case WF_CT_STREAM: return "stream";
  case WF_CT_FUTURE: return "future";
  case WF_CT_COMPONENT: return "component type";
  case WF_CT_INSTANCE: return "instance type";
  case WF_CT_FUNC: return "function type";
  default: return "type";
  }
}

static wf_ctid_t base_of(const wasm_pr *p, wf_ctid_t id) {
  const wf_ctype_t *t = node(p, id);
  return t->named && t->orig != WF_CTID_NONE ? t->orig : id;
}

/* The name an interface gave to node id: the first visible type export with
 * the same underlying node (named copies keep the node they copy in `orig`,
 * so an alias `type b = a` shares a's node and resolves to a). Primitive
 * types are never named: `type a = u32` is printed where used as u32. */
static const wf_cextern_t *named_of(const wasm_pr *p, wf_ctid_t id) {
  if (id == WF_CTID_NONE || WF_CT_IS_PRIM(node(p, id)->kind)) return NULL;
  wf_ctid_t b = base_of(p, id);
  for (uint32_t i = 0; i < p->nnamed; i++)
    if (base_of(p, p->named[i].type) == b) return &p->named[i];
  return NULL;
}

/* Names come from the binary: only WIT identifiers are printed, so nothing
 * in them can change the meaning of the generated text. */
static void put_name(wasm_pr *p, const char *s, uint32_t n) {
  if (!wf_wit_valid_id(s, n)) {
    if (!p->bad) wf_wit_err_nopos(p->c, "%s: `%.*s` is not a WIT identifier", p->path, (int)(n > 200 ? 200 : n), s);
    p->bad = true;
    return;
  }
  wf_strbuf_printf(&p->out, "%%%.*s", (int)n, s);
}

/* A type reference: a primitive, a named type of this interface or an
 * anonymous list/option/result/tuple. depth is bounded by the decoder. */
static bool put_type(wasm_pr *p, wf_ctid_t id, unsigned depth) {
  static const char *const prim[] = {"", "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64",
                                     "f32", "f64", "char", "string", "error-context"};
  if (depth > WIT_MAX_TYPE_DEPTH) return wf_wit_err_nopos(p->c, "%s: type nesting too deep", p->path);
  if (p->bad) return false;
  if (p->out.n > WIT_MAX_SOURCE) return wf_wit_err_nopos(p->c, "%s: package too large as WIT text", p->path);
  const wf_cextern_t *nm = named_of(p, id);
  if (nm) { put_name(p, nm->name, nm->name_len); return true; }
  const wf_ctype_t *t = node(p, base_of(p, id));
  if (WF_CT_IS_PRIM(t->kind)) { wf_strbuf_printf(&p->out, "%s", prim[t->kind]); return true; }
  switch (t->kind) {
  case WF_CT_LIST:
  case WF_CT_OPTION:
    wf_strbuf_printf(&p->out, t->kind == WF_CT_LIST ? "list<" : "option<");
    if (!put_type(p, t->t1, depth + 1)) return false;
    wf_strbuf_printf(&p->out, ">");
    return true;
  case WF_CT_RESULT:
    if (t->t1 == WF_CTID_NONE && t->t2 == WF_CTID_NONE) { wf_strbuf_printf(&p->out, "result"); return true; }
    wf_strbuf_printf(&p->out, "result<");
    if (t->t1 == WF_CTID_NONE) wf_strbuf_printf(&p->out, "_");
    else if (!put_type(p, t->t1, depth + 1)) return false;
    if (t->t2 != WF_CTID_NONE) {
      wf_strbuf_printf(&p->out, ", ");
      if (!put_type(p, t->t2, depth + 1)) return false;
    }
    wf_strbuf_printf(&p->out, ">");
    return true;
  case WF_CT_TUPLE:
    wf_strbuf_printf(&p->out, "tuple<");
    for (uint32_t i = 0; i < t->n; i++) {
      if (i) wf_strbuf_printf(&p->out, ", ");
      if (!put_type(p, t->fields[i].type, depth + 1)) return false;
    }
    wf_strbuf_printf(&p->out, ">");
    return true;
  case WF_CT_RECORD: case WF_CT_VARIANT: case WF_CT_ENUM: case WF_CT_FLAGS:
    return wf_wit_err_nopos(p->c, "%s: a record/variant/enum/flags type used without a name in this interface "
                            "(types from other interfaces are not supported in wasm-encoded WIT)", p->path);
  default:
    return wf_wit_err_nopos(p->c, "%s: %s types are not supported in wasm-encoded WIT", p->path, kind_name(t->kind));
  }
}

/* One named type exported from the interface's instance type. */
static bool put_typedef(wasm_pr *p, const wf_cextern_t *e) {
  wf_ctid_t base = base_of(p, e->type);
  /* an alias of another named type of this interface */
  const wf_cextern_t *other = named_of(p, base);
  const wf_ctype_t *b = node(p, base);
  if (other && other != e) {
    wf_strbuf_printf(&p->out, "  type ");
    put_name(p, e->name, e->name_len);
    wf_strbuf_printf(&p->out, " = ");
    put_name(p, other->name, other->name_len);
    wf_strbuf_printf(&p->out, ";\n");
    return true;
  }
  const char *kw = b->kind == WF_CT_RECORD ? "record" : b->kind == WF_CT_VARIANT ? "variant"
                 : b->kind == WF_CT_ENUM ? "enum" : b->kind == WF_CT_FLAGS ? "flags" : NULL;
  if (!kw) {
    if (b->kind == WF_CT_RESOURCE)
      return wf_wit_err_nopos(p->c, "%s: resource `%.*s`: resources are not supported in wasm-encoded WIT", p->path,
                              (int)e->name_len, e->name);
    wf_strbuf_printf(&p->out, "  type ");
    put_name(p, e->name, e->name_len);
    wf_strbuf_printf(&p->out, " = ");
    /* print the structure, not the name being defined */
    const wf_cextern_t *save = p->named;
    uint32_t savn = p->nnamed;
    p->nnamed = (uint32_t)(e - p->named);
    bool ok = put_type(p, base, 0);
    p->named = save;
    p->nnamed = savn;
    wf_strbuf_printf(&p->out, ";\n");
    return ok;
  }
  wf_strbuf_printf(&p->out, "  %s ", kw);
  put_name(p, e->name, e->name_len);
  wf_strbuf_printf(&p->out, " {\n");
  for (uint32_t i = 0; i < b->n; i++) {
    const wf_cfield_t *f = &b->fields[i];
    wf_strbuf_printf(&p->out, "    ");
    put_name(p, f->name ? f->name : "", f->name ? f->name_len : 0);
    if (b->kind == WF_CT_RECORD) {
      wf_strbuf_printf(&p->out, ": ");
      if (!put_type(p, f->type, 1)) return false;
    } else if (b->kind == WF_CT_VARIANT && f->type != WF_CTID_NONE) {
      wf_strbuf_printf(&p->out, "(");
      if (!put_type(p, f->type, 1)) return false;
      wf_strbuf_printf(&p->out, ")");
    }
    wf_strbuf_printf(&p->out, ",\n");
  }
  wf_strbuf_printf(&p->out, "  }\n");
  return true;
}

static bool put_func(wasm_pr *p, const wf_cextern_t *e) {
  const wf_ctype_t *f = node(p, e->type);
  f = node(p, base_of(p, e->type));
  if (f->kind != WF_CT_FUNC) return wf_wit_err_nopos(p->c, "%s: function `%.*s` has no function type", p->path,
                                                     (int)e->name_len, e->name);
  if (memchr(e->name, '[', e->name_len))
    return wf_wit_err_nopos(p->c, "%s: `%.*s`: resource methods are not supported in wasm-encoded WIT", p->path,
                            (int)e->name_len, e->name);
  wf_strbuf_printf(&p->out, "  ");
  put_name(p, e->name, e->name_len);
  wf_strbuf_printf(&p->out, ": %sfunc(", f->is_async ? "async " : "");
  for (uint32_t i = 0; i < f->n; i++) {
    if (i) wf_strbuf_printf(&p->out, ", ");
    put_name(p, f->fields[i].name ? f->fields[i].name : "", f->fields[i].name ? f->fields[i].name_len : 0);
    wf_strbuf_printf(&p->out, ": ");
    if (!put_type(p, f->fields[i].type, 1)) return false;
  }
  wf_strbuf_printf(&p->out, ")");
  if (f->t1 != WF_CTID_NONE) {
    wf_strbuf_printf(&p->out, " -> ");
    if (!put_type(p, f->t1, 1)) return false;
  }
  wf_strbuf_printf(&p->out, ";\n");
  return true;
}

/* Split "ns:pkg/iface[@ver]" into package id "ns:pkg[@ver]" and iface. */
static bool split_name(wasm_pr *p, const wf_cextern_t *e, char *pkg, size_t cap, const char **iface,
                       size_t *ilen) {
  const char *s = e->name, *end = s + e->name_len;
  const char *slash = memchr(s, '/', e->name_len);
  const char *at = memchr(s, '@', e->name_len);
  if (!slash || !memchr(s, ':', (size_t)(slash - s)) || (at && at < slash))
    return wf_wit_err_nopos(p->c, "%s: export `%.*s` is not a WIT name ns:pkg/name", p->path, (int)e->name_len, s);
  const char *iend = at ? at : end;
  *iface = slash + 1;
  *ilen = (size_t)(iend - (slash + 1));
  int n = snprintf(pkg, cap, "%.*s%s%.*s", (int)(slash - s), s, at ? "@" : "", at ? (int)(end - at - 1) : 0,
                   at ? at + 1 : "");
  if (n < 0 || (size_t)n >= cap) return wf_wit_err_nopos(p->c, "%s: package name too long", p->path);
  for (const char *q = pkg; *q; q++)
    if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || strchr("-:.@+", *q)))
      return wf_wit_err_nopos(p->c, "%s: `%s` is not a WIT package name", p->path, pkg);
  return true;
}

static bool put_package(wasm_pr *p, const wf_component_t *comp) {
  const wf_ctype_t *top = node(p, comp->type);
  char pkg[512] = "", cur[512];
  bool any = false;
  for (uint32_t i = 0; i < top->nexports; i++) {
    const wf_cextern_t *te = &top->exports[i];
    if (te->sort != WF_SORT_TYPE)
      return wf_wit_err_nopos(p->c, "%s: export `%.*s` is a %s, not a WIT package type", p->path,
                              (int)te->name_len, te->name, wf_sort_name(te->sort));
    const wf_ctype_t *ct = node(p, te->type);
    ct = node(p, base_of(p, te->type));
    if (ct->kind != WF_CT_COMPONENT)
      return wf_wit_err_nopos(p->c, "%s: export `%.*s` is not a component type", p->path, (int)te->name_len,
                              te->name);
    if (ct->nimports)
      return wf_wit_err_nopos(p->c, "%s: `%.*s` imports other interfaces (`use`): not supported in wasm-encoded WIT",
                              p->path, (int)te->name_len, te->name);
    for (uint32_t j = 0; j < ct->nexports; j++) {
      const wf_cextern_t *ie = &ct->exports[j];
      if (ie->sort == WF_SORT_COMPONENT)
        return wf_wit_err_nopos(p->c, "%s: world `%.*s`: worlds are not supported in wasm-encoded WIT", p->path,
                                (int)ie->name_len, ie->name);
      if (ie->sort != WF_SORT_INSTANCE)
        return wf_wit_err_nopos(p->c, "%s: `%.*s` exports `%.*s`, a %s: expected an interface (instance)", p->path,
                                (int)te->name_len, te->name, (int)ie->name_len, ie->name, wf_sort_name(ie->sort));
      const char *iname = "";
      size_t ilen = 0;
      if (!split_name(p, ie, cur, sizeof cur, &iname, &ilen)) return false;
      if (!any) {
        memcpy(pkg, cur, sizeof pkg);
        wf_strbuf_printf(&p->out, "package %s;\n\n", pkg);
        any = true;
      } else if (strcmp(pkg, cur) != 0) {
        return wf_wit_err_nopos(p->c, "%s: holds packages %s and %s: one package per file is supported", p->path,
                                pkg, cur);
      }
      const wf_ctype_t *it = node(p, ie->type);
      it = node(p, base_of(p, ie->type));
      if (it->kind != WF_CT_INSTANCE)
        return wf_wit_err_nopos(p->c, "%s: `%.*s` is not an instance type", p->path, (int)ie->name_len, ie->name);
      wf_strbuf_printf(&p->out, "interface ");
      put_name(p, iname, (uint32_t)ilen);
      wf_strbuf_printf(&p->out, " {\n");
      p->named = it->exports;
      p->nnamed = 0;
      for (uint32_t k = 0; k < it->nexports; k++) {
        const wf_cextern_t *x = &it->exports[k];
        /* names visible so far: the exports before this one */
        p->nnamed = k;
        if (x->sort == WF_SORT_TYPE) {
          p->nnamed = k + 1;
          if (!put_typedef(p, x)) return false;
        } else if (x->sort == WF_SORT_FUNC) {
          if (!put_func(p, x)) return false;
        } else {
          return wf_wit_err_nopos(p->c, "%s: interface %s/%.*s exports `%.*s`, a %s: not supported", p->path, pkg,
                                  (int)ilen, iname, (int)x->name_len, x->name, wf_sort_name(x->sort));
        }
      }
      /* functions may name any earlier type; types exported later are not
         referenced (the encoding exports definitions before uses) */
      wf_strbuf_printf(&p->out, "}\n\n");
      if (p->out.n > WIT_MAX_SOURCE) return wf_wit_err_nopos(p->c, "%s: package too large", p->path);
    }
  }
  if (!any) return wf_wit_err_nopos(p->c, "%s: component encodes no WIT package", p->path);
  return true;
}

bool wf_wit_load_wasm(wit_ctx *c, const char *path, const uint8_t *bytes, size_t len, wit_apkg *pkg,
                      wit_apkgs *pk) {
  if (wf_binary_layer(bytes, len) != 1)
    return wf_wit_err_nopos(c, "%s: not a wasm component (a WIT package in wasm must be a component)", path);
  wf_error_t e = {0};
  wf_component_t *comp = wf_component_decode(bytes, len, &e);
  if (!comp) return wf_wit_err_nopos(c, "%s: %s", path, e.msg);
  wasm_pr p = {.c = c, .path = path, .ts = comp->types};
  bool ok = put_package(&p, comp) && !p.bad;
  wf_component_free(comp);
  if (ok && p.out.oom) ok = wf_wit_err_nopos(c, "out of memory");
  if (ok) {
    wit_source *s = wf_wit_add_source(c, path, p.out.s, p.out.n);
    ok = s && wf_wit_parse_source(c, s, pkg, pk);
  }
  wf_strbuf_free(&p.out);
  return ok;
}
