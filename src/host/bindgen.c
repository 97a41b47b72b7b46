/* `weft bindgen --host`: the C header (types and prototypes) a host-bundle
 * library implements, and the skeleton `weft bundle new` writes. Type
 * shapes come from bridge_layout.c; every generated struct carries a static
 * assertion of the size the bridge computes, so a compiler that lays a type
 * out differently from weft fails at build time, not at run time. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "host.h"


typedef struct {
  const wf_hhost_t *h;
  const wf_wit_t *w;
  wf_strbuf_t out;
  char pkgpre[256];             /* ns_pkg of the world's package, for anonymous types */
  char **done; size_t ndone, capdone;   /* C type names already emitted */
} bg_t;

static const char *const c_keywords[] = {
  "auto", "bool", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
  "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short",
  "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
  "true", "false", "ctx", "ret", "err", "self", "class", "new", "delete", "template", "this", "private", "public",
  NULL};

/* A C identifier from a WIT name: '-' -> '_', keywords get a trailing '_'. */
static void ident(char *buf, size_t cap, const char *name) {
  wf_hl_mangle(buf, cap, name);
  for (const char *const *k = c_keywords; *k; k++)
    if (!strcmp(buf, *k)) { size_t n = strlen(buf); if (n + 2 <= cap) { buf[n] = '_'; buf[n + 1] = 0; } return; }
}

static bool emitted(bg_t *g, const char *name) {
  for (size_t i = 0; i < g->ndone; i++)
    if (!strcmp(g->done[i], name)) return true;
  return false;
}
static void mark(bg_t *g, const char *name) {
  if (g->ndone == g->capdone) {
    size_t nc = g->capdone ? g->capdone * 2 : 32;
    char **nd = realloc(g->done, nc * sizeof *nd);
    if (!nd) { g->out.oom = true; return; }
    g->done = nd;
    g->capdone = nc;
  }
  if (!(g->done[g->ndone] = strdup(name))) { g->out.oom = true; return; }
  g->ndone++;
}

static void tname(bg_t *g, wf_wit_tref t, char *buf, size_t cap);

/* A short mangled piece naming t inside anonymous type names. */
static void piece(bg_t *g, wf_wit_tref t, char *buf, size_t cap, uint32_t depth) {
  const wf_wit_t *w = g->w;
  t = wf_hl_resolve(w, t);
  if (depth > 16) { snprintf(buf, cap, "deep"); return; }
  if (t == WF_WIT_NONE) { snprintf(buf, cap, "void"); return; }
  if (WF_WIT_IS_PRIM(t)) { snprintf(buf, cap, "%s", wf_wit_prim_name(WF_WIT_REF_PRIM(t))); return; }
  const wf_wit_type_t *ty = &w->types[t];
  char a[256], b[256], raw[600];
  if (ty->name) {
    const char *owner = ty->owner_kind == WF_WIT_OWNER_INTERFACE && w->interfaces[ty->owner].name
                            ? w->interfaces[ty->owner].name : "world";
    snprintf(raw, sizeof raw, "%s_%s", owner, ty->name);
    wf_hl_mangle(buf, cap, raw);
    return;
  }
  switch (ty->kind) {
  case WF_WIT_TYPE_LIST: piece(g, ty->a, a, sizeof a, depth + 1); snprintf(raw, sizeof raw, "list_%s", a); break;
  case WF_WIT_TYPE_OPTION: piece(g, ty->a, a, sizeof a, depth + 1); snprintf(raw, sizeof raw, "option_%s", a); break;
  case WF_WIT_TYPE_RESULT:
    piece(g, ty->a, a, sizeof a, depth + 1);
    piece(g, ty->b, b, sizeof b, depth + 1);
    snprintf(raw, sizeof raw, "result_%s_%s", a, b);
    break;
  case WF_WIT_TYPE_OWN: case WF_WIT_TYPE_BORROW:
    piece(g, ty->a, a, sizeof a, depth + 1);
    snprintf(raw, sizeof raw, "%s_%s", ty->kind == WF_WIT_TYPE_OWN ? "own" : "borrow", a);
    break;
  case WF_WIT_TYPE_TUPLE: {
    size_t at = (size_t)snprintf(raw, sizeof raw, "tuple%u", ty->nfields);
    for (uint32_t i = 0; i < ty->nfields && at < sizeof raw; i++) {
      piece(g, ty->fields[i].type, a, sizeof a, depth + 1);
      at += (size_t)snprintf(raw + at, sizeof raw - at, "_%s", a);
    }
    break;
  }
  default: snprintf(raw, sizeof raw, "t%d", t); break;
  }
  wf_hl_mangle(buf, cap, raw);
}

/* The C type name of t (for fields, parameters). */
static void tname(bg_t *g, wf_wit_tref t, char *buf, size_t cap) {
  const wf_wit_t *w = g->w;
  t = wf_hl_resolve(w, t);
  if (WF_WIT_IS_PRIM(t)) {
    static const char *const n[WF_WIT_PRIM_COUNT] = {
      [WF_WIT_BOOL] = "bool", [WF_WIT_U8] = "uint8_t", [WF_WIT_U16] = "uint16_t", [WF_WIT_U32] = "uint32_t",
      [WF_WIT_U64] = "uint64_t", [WF_WIT_S8] = "int8_t", [WF_WIT_S16] = "int16_t", [WF_WIT_S32] = "int32_t",
      [WF_WIT_S64] = "int64_t", [WF_WIT_F32] = "float", [WF_WIT_F64] = "double", [WF_WIT_CHAR] = "uint32_t",
      [WF_WIT_STRING] = "weft_string", [WF_WIT_ERROR_CONTEXT] = "uint32_t"};
    snprintf(buf, cap, "%s", n[WF_WIT_REF_PRIM(t)]);
    return;
  }
  const wf_wit_type_t *ty = &w->types[t];
  if (ty->kind == WF_WIT_TYPE_OWN || ty->kind == WF_WIT_TYPE_BORROW || ty->kind == WF_WIT_TYPE_RESOURCE) {
    snprintf(buf, cap, "void *");
    return;
  }
  if (ty->kind == WF_WIT_TYPE_LIST && wf_hl_resolve(w, ty->a) == WF_WIT_PRIM_REF(WF_WIT_STRING)) {
    snprintf(buf, cap, "weft_list_string");
    return;
  }
  char raw[1400], p[600];
  if (ty->name) {
    char pre[384];
    if (ty->owner_kind == WF_WIT_OWNER_INTERFACE) wf_hl_iface_prefix(w, ty->owner, pre, sizeof pre);
    else snprintf(pre, sizeof pre, "%s_world", g->pkgpre);
    snprintf(raw, sizeof raw, "%s_%s_t", pre, ty->name);
  } else {
    piece(g, t, p, sizeof p, 0);
    snprintf(raw, sizeof raw, "%s_%s_t", g->pkgpre, p);
  }
  wf_hl_mangle(buf, cap, raw);
}

static void upper(char *s) { for (; *s; s++) *s = (char)toupper((unsigned char)*s); }

static void emit_type(bg_t *g, wf_wit_tref t, uint32_t depth);

static void emit_deps(bg_t *g, const wf_wit_type_t *ty, uint32_t depth) {
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_VARIANT: case WF_WIT_TYPE_TUPLE:
    for (uint32_t i = 0; i < ty->nfields; i++) emit_type(g, ty->fields[i].type, depth + 1);
    break;
  case WF_WIT_TYPE_LIST: case WF_WIT_TYPE_OPTION: emit_type(g, ty->a, depth + 1); break;
  case WF_WIT_TYPE_RESULT: emit_type(g, ty->a, depth + 1); emit_type(g, ty->b, depth + 1); break;
  default: break;
  }
}

static void size_assert(bg_t *g, const char *name, wf_wit_tref t) {
  wf_hlay_t l = wf_hl_layout(g->w, t);
  wf_strbuf_printf(&g->out, "WEFT_BINDGEN_ASSERT(sizeof(%s) == %u && WEFT_BINDGEN_ALIGNOF(%s) == %u, \"%s: layout differs from weft's\");\n\n",
      name, l.size, name, l.align, name);
}

static void emit_type(bg_t *g, wf_wit_tref t, uint32_t depth) {
  const wf_wit_t *w = g->w;
  t = wf_hl_resolve(w, t);
  if (t == WF_WIT_NONE || WF_WIT_IS_PRIM(t) || depth > WF_HL_MAX_DEPTH) return;
  const wf_wit_type_t *ty = &w->types[t];
  if (ty->kind == WF_WIT_TYPE_OWN || ty->kind == WF_WIT_TYPE_BORROW || ty->kind == WF_WIT_TYPE_RESOURCE) return;
  char name[512], ft[512], fn[256], up[600];
  tname(g, t, name, sizeof name);
  if (!strcmp(name, "weft_list_string") || emitted(g, name)) return;
  mark(g, name);
  emit_deps(g, ty, depth);
  wf_strbuf_t *o = &g->out;
  if (ty->docs) {
    wf_strbuf_printf(o, "/*");
    for (const char *d = ty->docs; *d; d++) { if (*d == '*' && d[1] == '/') { wf_strbuf_printf(o, "* "); continue; } wf_strbuf_printf(o, "%c", *d); }
    wf_strbuf_printf(o, " */\n");
  }
  snprintf(up, sizeof up, "%s", name);
  size_t ul = strlen(up);
  if (ul > 2 && !strcmp(up + ul - 2, "_t")) up[ul - 2] = 0;
  upper(up);
  switch (ty->kind) {
  case WF_WIT_TYPE_RECORD: case WF_WIT_TYPE_TUPLE:
    wf_strbuf_printf(o, "typedef struct %s {\n", name);
    for (uint32_t i = 0; i < ty->nfields; i++) {
      tname(g, ty->fields[i].type, ft, sizeof ft);
      if (ty->kind == WF_WIT_TYPE_TUPLE) snprintf(fn, sizeof fn, "f%u", i);
      else ident(fn, sizeof fn, ty->fields[i].name);
      wf_strbuf_printf(o, "  %s%s%s;\n", ft, ft[strlen(ft) - 1] == '*' ? "" : " ", fn);
    }
    wf_strbuf_printf(o, "} %s;\n", name);
    size_assert(g, name, t);
    return;
  case WF_WIT_TYPE_VARIANT: {
    uint32_t ts = wf_hl_tag_size(ty->nfields);
    bool any = false;
    for (uint32_t i = 0; i < ty->nfields; i++) {
      char cn[256];
      ident(cn, sizeof cn, ty->fields[i].name);
      upper(cn);
      wf_strbuf_printf(o, "#define %s_%s %u\n", up, cn, i);
      any |= ty->fields[i].type != WF_WIT_NONE;
    }
    wf_strbuf_printf(o, "typedef struct %s {\n  uint%u_t tag;\n", name, ts * 8);
    if (any) {
      wf_strbuf_printf(o, "  union {\n");
      for (uint32_t i = 0; i < ty->nfields; i++) {
        if (ty->fields[i].type == WF_WIT_NONE) continue;
        tname(g, ty->fields[i].type, ft, sizeof ft);
        ident(fn, sizeof fn, ty->fields[i].name);
        wf_strbuf_printf(o, "    %s%s%s;\n", ft, ft[strlen(ft) - 1] == '*' ? "" : " ", fn);
      }
      wf_strbuf_printf(o, "  } val;\n");
    }
    wf_strbuf_printf(o, "} %s;\n", name);
    size_assert(g, name, t);
    return;
  }
  case WF_WIT_TYPE_ENUM:
    for (uint32_t i = 0; i < ty->nfields; i++) {
      char cn[256];
      ident(cn, sizeof cn, ty->fields[i].name);
      upper(cn);
      wf_strbuf_printf(o, "#define %s_%s %u\n", up, cn, i);
    }
    wf_strbuf_printf(o, "typedef uint%u_t %s;\n\n", wf_hl_tag_size(ty->nfields) * 8, name);
    return;
  case WF_WIT_TYPE_FLAGS:
    for (uint32_t i = 0; i < ty->nfields; i++) {
      char cn[256];
      ident(cn, sizeof cn, ty->fields[i].name);
      upper(cn);
      wf_strbuf_printf(o, "#define %s_%s (1u << %u)\n", up, cn, i);
    }
    wf_strbuf_printf(o, "typedef uint%u_t %s;\n\n", wf_hl_flags_size(ty->nfields) * 8, name);
    return;
  case WF_WIT_TYPE_LIST:
    tname(g, ty->a, ft, sizeof ft);
    wf_strbuf_printf(o, "typedef struct %s {\n  %s%sptr;\n  size_t len;\n} %s;\n", name, ft, ft[strlen(ft) - 1] == '*' ? "*" : " *",
        name);
    size_assert(g, name, t);
    return;
  case WF_WIT_TYPE_OPTION:
    tname(g, ty->a, ft, sizeof ft);
    wf_strbuf_printf(o, "typedef struct %s {\n  bool is_some;\n  %s%sval;\n} %s;\n", name, ft, ft[strlen(ft) - 1] == '*' ? "" : " ",
        name);
    size_assert(g, name, t);
    return;
  case WF_WIT_TYPE_RESULT:
    wf_strbuf_printf(o, "typedef struct %s {\n  bool is_err;\n", name);
    if (ty->a != WF_WIT_NONE || ty->b != WF_WIT_NONE) {
      wf_strbuf_printf(o, "  union {\n");
      if (ty->a != WF_WIT_NONE) { tname(g, ty->a, ft, sizeof ft); wf_strbuf_printf(o, "    %s%sok;\n", ft, ft[strlen(ft) - 1] == '*' ? "" : " "); }
      if (ty->b != WF_WIT_NONE) { tname(g, ty->b, ft, sizeof ft); wf_strbuf_printf(o, "    %s%serr;\n", ft, ft[strlen(ft) - 1] == '*' ? "" : " "); }
      wf_strbuf_printf(o, "  } val;\n");
    }
    wf_strbuf_printf(o, "} %s;\n", name);
    size_assert(g, name, t);
    return;
  default: return;
  }
}

/* "T name" with the pointer star attached properly. */
static void decl(char *buf, size_t cap, const char *type, const char *pre, const char *name) {
  size_t n = strlen(type);
  snprintf(buf, cap, "%s%s%s%s", pre, type, n && type[n - 1] == '*' ? "" : " ", name);
}

/* The prototype of f (no trailing ';'), into g->out. */
static void prototype(bg_t *g, const wf_hfunc_t *hf) {
  const wf_wit_t *w = g->w;
  const wf_wit_func_t *f = hf->f;
  char ret[256] = "void", ty[512], pn[256], d[800];
  switch (hf->sig.ret) {
  case WF_HRET_SCALAR: tname(g, hf->sig.result, ret, sizeof ret); break;
  case WF_HRET_OPTION: case WF_HRET_RESULT: snprintf(ret, sizeof ret, "bool"); break;
  default: break;
  }
  wf_strbuf_printf(&g->out, "%s%s%s(weft_host_ctx *ctx", ret, ret[strlen(ret) - 1] == '*' ? "" : " ", hf->symbol);
  for (uint32_t p = 0; p < f->nparams; p++) {
    wf_wit_tref pt = f->params[p].type;
    tname(g, pt, ty, sizeof ty);
    ident(pn, sizeof pn, f->params[p].name);
    if (f->kind == WF_WIT_FUNC_METHOD && p == 0) snprintf(pn, sizeof pn, "self");
    decl(d, sizeof d, ty, wf_hl_is_scalar(w, pt) ? "" : "const ", pn);
    if (!wf_hl_is_scalar(w, pt)) {
      char t2[520];
      snprintf(t2, sizeof t2, "%s *", ty);
      decl(d, sizeof d, t2, "const ", pn);
    }
    wf_strbuf_printf(&g->out, ", %s", d);
  }
  switch (hf->sig.ret) {
  case WF_HRET_PTR: tname(g, hf->sig.result, ty, sizeof ty); wf_strbuf_printf(&g->out, ", %s *ret", ty); break;
  case WF_HRET_OPTION: tname(g, hf->sig.ok, ty, sizeof ty); wf_strbuf_printf(&g->out, ", %s%s*ret", ty, ty[strlen(ty) - 1] == '*' ? "" : " "); break;
  case WF_HRET_RESULT:
    if (hf->sig.ok != WF_WIT_NONE) { tname(g, hf->sig.ok, ty, sizeof ty); wf_strbuf_printf(&g->out, ", %s%s*ret", ty, ty[strlen(ty) - 1] == '*' ? "" : " "); }
    if (hf->sig.err != WF_WIT_NONE) { tname(g, hf->sig.err, ty, sizeof ty); wf_strbuf_printf(&g->out, ", %s%s*err", ty, ty[strlen(ty) - 1] == '*' ? "" : " "); }
    break;
  default: break;
  }
  wf_strbuf_printf(&g->out, ")");
}

static void func_comment(bg_t *g, uint32_t iface, const wf_wit_func_t *f) {
  char id[256];
  wf_wit_interface_id(g->w, iface, id, sizeof id);
  wf_strbuf_printf(&g->out, "/* %s#%s */\n", id, f->name);
}

char *wf_hbindgen(const wf_hhost_t *h, bool skeleton, wf_error_t *err) {
  bg_t g = {0};
  g.h = h;
  g.w = h->wit;
  const wf_wit_world_t *wd = &h->wit->worlds[h->world];
  const wf_wit_package_t *pk = &h->wit->packages[wd->package];
  char raw[1024];
  snprintf(raw, sizeof raw, "%s_%s", pk->ns, pk->name);
  wf_hl_mangle(g.pkgpre, sizeof g.pkgpre, raw);
  char guard[400];
  snprintf(raw, sizeof raw, "%s_%s_host_h", g.pkgpre, wd->name);
  wf_hl_mangle(guard, sizeof guard, raw);
  upper(guard);
  wf_strbuf_t *o = &g.out;
  /* the skeleton includes the header under the name `weft bundle new` gives it */
  const char *hdr = "bindings.h";

  if (skeleton) {
    wf_strbuf_printf(o, "/* A skeleton of the host library for world %s of %s: every function\n"
           " * traps until you implement it. Types and prototypes: %s, made by\n"
           " * `weft bindgen --host BUNDLE -o src/%s`. */\n"
           "#include <stdlib.h>\n#include <string.h>\n\n#include \"%s\"\n\n"
           "WEFT_HOST_EXPORT const uint32_t weft_host_abi_version = WEFT_HOST_ABI_VERSION;\n\n"
           "/* Optional: per-instance state. cfg holds [host.config]. */\n"
           "WEFT_HOST_EXPORT int weft_host_init(const weft_host_api *api, const weft_host_config *cfg, void **state,\n"
           "                                    char **err) {\n"
           "  (void)api; (void)cfg; (void)err;\n  *state = NULL;\n  return 0;\n}\n\n"
           "WEFT_HOST_EXPORT void weft_host_fini(void *state) { (void)state; }\n\n",
        wd->name, pk->id, hdr, hdr, hdr);
    for (uint32_t i = 0; i < h->nres; i++)
      wf_strbuf_printf(o, "void %s(weft_host_ctx *ctx, void *rep) {\n  (void)ctx;\n  (void)rep;   /* free your object */\n}\n\n",
          h->res[i].symbol);
    for (uint32_t i = 0; i < h->nfuncs; i++) {
      const wf_hfunc_t *hf = &h->funcs[i];
      func_comment(&g, hf->iface, hf->f);
      prototype(&g, hf);
      wf_strbuf_printf(o, " {\n");
      for (uint32_t p = 0; p < hf->f->nparams; p++) {
        char pn[256];
        ident(pn, sizeof pn, hf->f->params[p].name);
        if (hf->f->kind == WF_WIT_FUNC_METHOD && p == 0) snprintf(pn, sizeof pn, "self");
        wf_strbuf_printf(o, "  (void)%s;\n", pn);
      }
      if (hf->sig.ret == WF_HRET_PTR || hf->sig.ret == WF_HRET_OPTION || (hf->sig.ret == WF_HRET_RESULT && hf->sig.ok != WF_WIT_NONE))
        wf_strbuf_printf(o, "  (void)ret;\n");
      if (hf->sig.ret == WF_HRET_RESULT && hf->sig.err != WF_WIT_NONE) wf_strbuf_printf(o, "  (void)err;\n");
      wf_strbuf_printf(o, "  ctx->api->trap(ctx, \"%s is not implemented\");\n", hf->f->name);
      if (hf->sig.ret == WF_HRET_SCALAR || hf->sig.ret == WF_HRET_OPTION || hf->sig.ret == WF_HRET_RESULT)
        wf_strbuf_printf(o, "  return 0;\n");
      wf_strbuf_printf(o, "}\n\n");
    }
  } else {
    wf_strbuf_printf(o, "/* Generated by `weft bindgen --host` from world %s of %s. Do not edit:\n"
           " * regenerate. Implement every function below in the host library, plus\n"
           " *   WEFT_HOST_EXPORT const uint32_t weft_host_abi_version = WEFT_HOST_ABI_VERSION;\n"
           " * Arguments are borrowed for the call; strings, lists and nested buffers you\n"
           " * return must come from malloc (weft frees them). */\n"
           "#ifndef %s\n#define %s\n\n#include \"weft_host.h\"\n\n"
           "#ifdef __cplusplus\nextern \"C\" {\n#define WEFT_BINDGEN_ASSERT(c, m) static_assert(c, m)\n"
           "#define WEFT_BINDGEN_ALIGNOF(t) alignof(t)\n#else\n"
           "#define WEFT_BINDGEN_ASSERT(c, m) _Static_assert(c, m)\n#define WEFT_BINDGEN_ALIGNOF(t) _Alignof(t)\n#endif\n\n",
        wd->name, pk->id, guard, guard);
    for (uint32_t k = 0; k < h->nifaces; k++) {
      const wf_wit_interface_t *in = &g.w->interfaces[h->ifaces[k]];
      char id[256];
      wf_wit_interface_id(g.w, h->ifaces[k], id, sizeof id);
      wf_strbuf_printf(o, "/* ---- %s ---- */\n\n", id);
      for (uint32_t t = 0; t < in->ntypes; t++) emit_type(&g, (wf_wit_tref)in->types[t].type, 0);
      for (uint32_t i = 0; i < h->nfuncs; i++) {
        const wf_hfunc_t *hf = &h->funcs[i];
        if (hf->iface != h->ifaces[k]) continue;
        for (uint32_t p = 0; p < hf->f->nparams; p++) emit_type(&g, hf->f->params[p].type, 0);
        emit_type(&g, hf->f->result, 0);
      }
      for (uint32_t i = 0; i < h->nres; i++) {
        if (h->res[i].iface != h->ifaces[k]) continue;
        wf_strbuf_printf(o, "/* resource %s: handles are your own object pointers; weft calls this\n"
               " * when the guest drops the last handle. */\n"
               "WEFT_HOST_EXPORT void %s(weft_host_ctx *ctx, void *rep);\n\n",
            h->res[i].name, h->res[i].symbol);
      }
      for (uint32_t i = 0; i < h->nfuncs; i++) {
        const wf_hfunc_t *hf = &h->funcs[i];
        if (hf->iface != h->ifaces[k]) continue;
        func_comment(&g, hf->iface, hf->f);
        wf_strbuf_printf(o, "WEFT_HOST_EXPORT ");
        prototype(&g, hf);
        wf_strbuf_printf(o, ";\n\n");
      }
    }
    wf_strbuf_printf(o, "#ifdef __cplusplus\n}\n#endif\n#endif\n");
  }
  for (size_t i = 0; i < g.ndone; i++) free(g.done[i]);
  free(g.done);
  if (o->oom) {
    free(o->s);
    wf_error_set(err, "out of memory generating the header");
    return NULL;
  }
  return o->s;
}

WEFT_API weft_status_t weft_host_bindgen(const char *path, const char *world, int skeleton, char **out,
                                         weft_error_t *err) {
  *out = NULL;
  weft_hosts_t *hs = weft_hosts_new(WEFT_HOSTS_WIT_ONLY);
  if (!hs) return WEFT_ERR_NOMEM;
  weft_status_t st;
  char tp[4200];
  snprintf(tp, sizeof tp, "%s/host.toml", path);
  FILE *f = fopen(tp, "r");
  bool bundle = f != NULL || wf_hbundle_is_tarball(path);
  if (f) fclose(f);
  if (bundle) st = weft_hosts_add_bundle(hs, path, NULL, err);
  else st = weft_hosts_add_explicit(hs, "bindgen", path, "(none)", world, err);
  if (st == WEFT_OK) {
    wf_error_t e = {0};
    *out = wf_hbindgen(wf_hosts_at(hs, 0), skeleton != 0, &e);
    if (!*out) {
      st = WEFT_ERR_NOMEM;
      if (err) { memset(err, 0, sizeof *err); err->status = st; err->offset = -1; snprintf(err->message, sizeof err->message, "%s", e.msg); }
    }
  }
  weft_hosts_free(hs);
  return st;
}
