/* `weft wit COMPONENT.wasm`: a component's imports and exports as WIT text,
 * in the shape wasm-tools/jco print: `package root:component;`, a `world
 * root` naming every import and export, then one `package ns:pkg@ver { }`
 * block per package whose interfaces it imports or exports. Types are named
 * where the component's instance types export them; other types print
 * structurally. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../component/component.h"
#include "../util/strbuf.h"
#include "host.h"


/* A named type: key (definition node, or rid for resources) -> name. */
typedef struct {
  uint32_t key;
  const char *name; uint32_t len;
  const char *owner; uint32_t olen;   /* the instance (interface) exporting it; NULL at world level */
} tname_t;

typedef struct {
  const wf_ctypes_t *ts;
  wf_strbuf_t out;
  tname_t *names; size_t nnames, capnames;
  const char *cur; uint32_t curlen;   /* the interface being printed (NULL: the world) */
} wc_t;

static bool same_owner(const char *a, uint32_t al, const char *b, uint32_t bl) {
  if (!a || !b) return !a && !b;
  return al == bl && !memcmp(a, b, al);
}

static uint32_t key_of(const wf_ctypes_t *ts, wf_ctid_t id) {
  const wf_ctype_t *t = wf_ctype(ts, id);
  if (t->kind == WF_CT_RESOURCE) return 0x80000000u | t->rid;
  return t->orig ? t->orig : id;
}

static void add_name(wc_t *c, wf_ctid_t id, const char *name, uint32_t len, const char *owner, uint32_t olen) {
  if (WF_CT_IS_PRIM(wf_ctype(c->ts, id)->kind)) return;   /* `type x = u64` names no new type */
  uint32_t k = key_of(c->ts, id);
  for (size_t i = 0; i < c->nnames; i++)
    if (c->names[i].key == k && same_owner(c->names[i].owner, c->names[i].olen, owner, olen)) return;
  if (c->nnames == c->capnames) {
    size_t nc = c->capnames ? c->capnames * 2 : 64;
    tname_t *nn = realloc(c->names, nc * sizeof *nn);
    if (!nn) { c->out.oom = true; return; }
    c->names = nn;
    c->capnames = nc;
  }
  c->names[c->nnames++] = (tname_t){k, name, len, owner, olen};
}

/* The name of a type: its name in the scope being printed, else where it
 * was first exported (the scope then `use`s it). */
static const tname_t *find_name(const wc_t *c, wf_ctid_t id) {
  uint32_t k = key_of(c->ts, id);
  const tname_t *first = NULL;
  for (size_t i = 0; i < c->nnames; i++) {
    if (c->names[i].key != k) continue;
    if (same_owner(c->names[i].owner, c->names[i].olen, c->cur, c->curlen)) return &c->names[i];
    if (!first) first = &c->names[i];
  }
  return first;
}

static void collect_names(wc_t *c, const wf_ctype_t *inst, const char *owner, uint32_t olen) {
  for (uint32_t i = 0; i < inst->nexports; i++)
    if (inst->exports[i].sort == WF_SORT_TYPE)
      add_name(c, inst->exports[i].type, inst->exports[i].name, inst->exports[i].name_len, owner, olen);
}

static void texpr(wc_t *c, wf_ctid_t id, bool named_ok, uint32_t depth);

/* A WIT identifier: keywords get a leading '%'. */
static const char *esc(const char *name, uint32_t len) {
  static const char *const kw[] = {
    "as", "async", "bool", "borrow", "char", "constructor", "enum", "error-context", "export", "f32", "f64", "flags",
    "float32", "float64", "func", "future", "import", "include", "interface", "list", "map", "option", "own",
    "package", "record", "resource", "result", "s16", "s32", "s64", "s8", "static", "stream", "string", "tuple",
    "type", "u16", "u32", "u64", "u8", "use", "variant", "with", "world", "_", NULL};
  for (const char *const *k = kw; *k; k++)
    if (strlen(*k) == len && !memcmp(*k, name, len)) return "%";
  return "";
}

static void texpr(wc_t *c, wf_ctid_t id, bool named_ok, uint32_t depth) {
  wf_strbuf_t *o = &c->out;
  if (depth > 64) { wf_strbuf_printf(o, "..."); return; }
  if (id == WF_CTID_NONE) { wf_strbuf_printf(o, "_"); return; }
  const wf_ctype_t *t = wf_ctype(c->ts, id);
  static const char *const prim[] = {
    [WF_CT_BOOL] = "bool", [WF_CT_S8] = "s8", [WF_CT_U8] = "u8", [WF_CT_S16] = "s16", [WF_CT_U16] = "u16",
    [WF_CT_S32] = "s32", [WF_CT_U32] = "u32", [WF_CT_S64] = "s64", [WF_CT_U64] = "u64", [WF_CT_F32] = "f32",
    [WF_CT_F64] = "f64", [WF_CT_CHAR] = "char", [WF_CT_STRING] = "string", [WF_CT_ERROR_CONTEXT] = "error-context"};
  if (WF_CT_IS_PRIM(t->kind)) { wf_strbuf_printf(o, "%s", prim[t->kind]); return; }
  const tname_t *n = named_ok ? find_name(c, id) : NULL;
  if (n) { wf_strbuf_printf(o, "%s%.*s", esc(n->name, n->len), (int)n->len, n->name); return; }
  switch (t->kind) {
  case WF_CT_LIST: wf_strbuf_printf(o, "list<"); texpr(c, t->t1, true, depth + 1); wf_strbuf_printf(o, ">"); return;
  case WF_CT_FIXED_LIST: wf_strbuf_printf(o, "list<"); texpr(c, t->t1, true, depth + 1); wf_strbuf_printf(o, ", %u>", t->len); return;
  case WF_CT_OPTION: wf_strbuf_printf(o, "option<"); texpr(c, t->t1, true, depth + 1); wf_strbuf_printf(o, ">"); return;
  case WF_CT_RESULT:
    if (!t->t1 && !t->t2) { wf_strbuf_printf(o, "result"); return; }
    wf_strbuf_printf(o, "result<");
    if (t->t1) texpr(c, t->t1, true, depth + 1); else wf_strbuf_printf(o, "_");
    if (t->t2) { wf_strbuf_printf(o, ", "); texpr(c, t->t2, true, depth + 1); }
    wf_strbuf_printf(o, ">");
    return;
  case WF_CT_TUPLE:
    wf_strbuf_printf(o, "tuple<");
    for (uint32_t i = 0; i < t->n; i++) { if (i) wf_strbuf_printf(o, ", "); texpr(c, t->fields[i].type, true, depth + 1); }
    wf_strbuf_printf(o, ">");
    return;
  case WF_CT_MAP: wf_strbuf_printf(o, "map<"); texpr(c, t->t1, true, depth + 1); wf_strbuf_printf(o, ", "); texpr(c, t->t2, true, depth + 1); wf_strbuf_printf(o, ">"); return;
  case WF_CT_OWN: texpr(c, t->t1, true, depth + 1); return;
  case WF_CT_BORROW: wf_strbuf_printf(o, "borrow<"); texpr(c, t->t1, true, depth + 1); wf_strbuf_printf(o, ">"); return;
  case WF_CT_STREAM: case WF_CT_FUTURE:
    wf_strbuf_printf(o, "%s", t->kind == WF_CT_STREAM ? "stream" : "future");
    if (t->t1) { wf_strbuf_printf(o, "<"); texpr(c, t->t1, true, depth + 1); wf_strbuf_printf(o, ">"); }
    return;
  case WF_CT_RESOURCE: wf_strbuf_printf(o, "resource"); return;
  case WF_CT_RECORD: case WF_CT_VARIANT: case WF_CT_ENUM: case WF_CT_FLAGS:
    /* an unnamed definition cannot be written inline in WIT */
    wf_strbuf_printf(o, "%s", t->kind == WF_CT_RECORD ? "record" : t->kind == WF_CT_VARIANT ? "variant" : t->kind == WF_CT_ENUM ? "enum" : "flags");
    return;
  default: wf_strbuf_printf(o, "type"); return;
  }
}

static void func_sig(wc_t *c, const wf_ctype_t *f, uint32_t skip, bool ctor) {
  wf_strbuf_t *o = &c->out;
  wf_strbuf_printf(o, "(");
  for (uint32_t i = skip; i < f->n; i++) {
    if (i > skip) wf_strbuf_printf(o, ", ");
    wf_strbuf_printf(o, "%s%.*s: ", esc(f->fields[i].name, f->fields[i].name_len), (int)f->fields[i].name_len,
        f->fields[i].name ? f->fields[i].name : "");
    texpr(c, f->fields[i].type, true, 0);
  }
  wf_strbuf_printf(o, ")");
  if (f->t1 && !ctor) { wf_strbuf_printf(o, " -> "); texpr(c, f->t1, true, 0); }
}

static bool has_prefix(const char *s, uint32_t len, const char *p, uint32_t *plen) {
  size_t n = strlen(p);
  if (len < n || memcmp(s, p, n)) return false;
  *plen = (uint32_t)n;
  return true;
}

/* Members of resource `rname` among the instance's function exports. */
static void resource_block(wc_t *c, const wf_cextern_t *xs, uint32_t nx, const char *rname, uint32_t rlen,
                           const char *ind) {
  wf_strbuf_t *o = &c->out;
  bool any = false;
  for (uint32_t i = 0; i < nx; i++) {
    const wf_cextern_t *x = &xs[i];
    if (x->sort != WF_SORT_FUNC) continue;
    uint32_t pl;
    const wf_ctype_t *f = wf_ctype(c->ts, x->type);
    const char *kind = NULL;
    if (has_prefix(x->name, x->name_len, "[constructor]", &pl)) kind = "c";
    else if (has_prefix(x->name, x->name_len, "[method]", &pl)) kind = "m";
    else if (has_prefix(x->name, x->name_len, "[static]", &pl)) kind = "s";
    if (!kind) continue;
    const char *rest = x->name + pl;
    uint32_t rl = x->name_len - pl;
    if (kind[0] == 'c') {
      if (rl != rlen || memcmp(rest, rname, rlen)) continue;
      if (!any) wf_strbuf_printf(o, " {\n");
      any = true;
      wf_strbuf_printf(o, "%s  constructor", ind);
      func_sig(c, f, 0, true);
      wf_strbuf_printf(o, ";\n");
      continue;
    }
    if (rl <= rlen + 1 || memcmp(rest, rname, rlen) || rest[rlen] != '.') continue;
    if (!any) wf_strbuf_printf(o, " {\n");
    any = true;
    wf_strbuf_printf(o, "%s  %s%.*s: %sfunc", ind, esc(rest + rlen + 1, rl - rlen - 1), (int)(rl - rlen - 1), rest + rlen + 1,
        kind[0] == 's' ? "static " : "");
    func_sig(c, f, kind[0] == 'm' ? 1 : 0, false);
    wf_strbuf_printf(o, ";\n");
  }
  wf_strbuf_printf(o, any ? "%s}\n" : ";\n", ind);
}

static void def_body(wc_t *c, const wf_ctype_t *t, const char *ind) {
  wf_strbuf_t *o = &c->out;
  wf_strbuf_printf(o, " {\n");
  for (uint32_t i = 0; i < t->n; i++) {
    wf_strbuf_printf(o, "%s  %s%.*s", ind, esc(t->fields[i].name, t->fields[i].name_len), (int)t->fields[i].name_len,
        t->fields[i].name ? t->fields[i].name : "");
    if (t->kind == WF_CT_RECORD) { wf_strbuf_printf(o, ": "); texpr(c, t->fields[i].type, true, 0); }
    else if (t->kind == WF_CT_VARIANT && t->fields[i].type) { wf_strbuf_printf(o, "("); texpr(c, t->fields[i].type, true, 0); wf_strbuf_printf(o, ")"); }
    wf_strbuf_printf(o, ",\n");
  }
  wf_strbuf_printf(o, "%s}\n", ind);
}

/* The type items among xs (an interface body, or a world's imports):
 * resources with their members, definitions, aliases. */
static void type_items(wc_t *c, const wf_cextern_t *xs, uint32_t nx, const char *ind) {
  wf_strbuf_t *o = &c->out;
  for (uint32_t i = 0; i < nx; i++) {
    const wf_cextern_t *x = &xs[i];
    if (x->sort != WF_SORT_TYPE) continue;
    const wf_ctype_t *t = wf_ctype(c->ts, x->type);
    const tname_t *n = find_name(c, x->type);
    /* exported first by another interface: `use` it from there */
    const tname_t *other = NULL;
    for (size_t k = 0; n && k < c->nnames && !other; k++)
      if (c->names[k].key == key_of(c->ts, x->type) && !same_owner(c->names[k].owner, c->names[k].olen, c->cur, c->curlen) &&
          c->names[k].owner && (size_t)(&c->names[k] - c->names) < (size_t)(n - c->names))
        other = &c->names[k];
    if (other && c->cur) {
      const char *slash = memchr(other->owner, '/', other->olen), *cslash = memchr(c->cur, '/', c->curlen);
      const char *at = slash ? memchr(slash, '@', other->olen - (uint32_t)(slash - other->owner)) : NULL;
      bool same_pkg = slash && cslash && slash - other->owner == cslash - c->cur &&
                      !memcmp(other->owner, c->cur, (size_t)(slash - other->owner));
      if (same_pkg) wf_strbuf_printf(o, "%suse %.*s.{", ind, (int)((at ? at : other->owner + other->olen) - slash - 1), slash + 1);
      else wf_strbuf_printf(o, "%suse %.*s.{", ind, (int)other->olen, other->owner);
      wf_strbuf_printf(o, "%s%.*s", esc(other->name, other->len), (int)other->len, other->name);
      if (other->len != x->name_len || memcmp(other->name, x->name, x->name_len))
        wf_strbuf_printf(o, " as %s%.*s", esc(x->name, x->name_len), (int)x->name_len, x->name);
      wf_strbuf_printf(o, "};\n");
      continue;
    }
    if (n && (n->len != x->name_len || memcmp(n->name, x->name, x->name_len))) {
      wf_strbuf_printf(o, "%stype %s%.*s = %s%.*s;\n", ind, esc(x->name, x->name_len), (int)x->name_len, x->name, esc(n->name, n->len),
          (int)n->len, n->name);
      continue;
    }
    switch (t->kind) {
    case WF_CT_RESOURCE:
      wf_strbuf_printf(o, "%sresource %s%.*s", ind, esc(x->name, x->name_len), (int)x->name_len, x->name);
      resource_block(c, xs, nx, x->name, x->name_len, ind);
      break;
    case WF_CT_RECORD: case WF_CT_VARIANT: case WF_CT_ENUM: case WF_CT_FLAGS:
      wf_strbuf_printf(o, "%s%s %s%.*s", ind, t->kind == WF_CT_RECORD ? "record" : t->kind == WF_CT_VARIANT ? "variant"
                               : t->kind == WF_CT_ENUM ? "enum" : "flags", esc(x->name, x->name_len), (int)x->name_len, x->name);
      def_body(c, t, ind);
      break;
    default:
      wf_strbuf_printf(o, "%stype %s%.*s = ", ind, esc(x->name, x->name_len), (int)x->name_len, x->name);
      texpr(c, x->type, false, 0);
      wf_strbuf_printf(o, ";\n");
      break;
    }
  }
}

/* The items of an instance type (an interface body). */
static void iface_body(wc_t *c, const wf_ctype_t *inst, const char *ind) {
  wf_strbuf_t *o = &c->out;
  type_items(c, inst->exports, inst->nexports, ind);
  for (uint32_t i = 0; i < inst->nexports; i++) {
    const wf_cextern_t *x = &inst->exports[i];
    if (x->sort != WF_SORT_FUNC || (x->name_len && x->name[0] == '[')) continue;
    wf_strbuf_printf(o, "%s%s%.*s: func", ind, esc(x->name, x->name_len), (int)x->name_len, x->name);
    func_sig(c, wf_ctype(c->ts, x->type), 0, false);
    wf_strbuf_printf(o, ";\n");
  }
}

/* "ns:pkg/iface@ver" -> package "ns:pkg@ver" and interface name. */
static bool split_id(const char *s, uint32_t len, char *pkg, size_t pcap, char *iface, size_t icap) {
  const char *slash = memchr(s, '/', len), *colon = memchr(s, ':', len);
  if (!slash || !colon || colon > slash) return false;
  const char *at = memchr(slash, '@', len - (uint32_t)(slash - s));
  uint32_t iend = at ? (uint32_t)(at - s) : len;
  snprintf(pkg, pcap, "%.*s%.*s", (int)(slash - s), s, at ? (int)(len - iend) : 0, at ? at : "");
  snprintf(iface, icap, "%.*s", (int)(iend - (uint32_t)(slash - s) - 1), slash + 1);
  return true;
}

char *wf_hwit_component_text(const char *path, wf_error_t *err) {
  FILE *f = fopen(path, "rb");
  if (!f) { wf_error_set(err, "%s: cannot open", path); return NULL; }
  uint8_t *bytes = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      if (cap > (1u << 30)) { fclose(f); free(bytes); wf_error_set(err, "%s: larger than 1 GiB", path); return NULL; }
      cap = cap ? cap * 2 : 65536;
      uint8_t *nb = realloc(bytes, cap);
      if (!nb) { fclose(f); free(bytes); wf_error_set(err, "out of memory"); return NULL; }
      bytes = nb;
    }
    size_t r = fread(bytes + n, 1, cap - n, f);
    n += r;
    if (r == 0) break;
  }
  fclose(f);
  wf_error_t de = {0};
  wf_component_t *comp = wf_component_decode(bytes, n, &de);
  free(bytes);
  if (!comp) {
    if (de.has_offset) wf_error_set(err, "%s: offset 0x%zx: %s", path, de.offset, de.msg);
    else wf_error_set(err, "%s: %s", path, de.msg);
    return NULL;
  }
  wc_t c = {0};
  c.ts = comp->types;
  const wf_ctype_t *ct = wf_ctype(comp->types, comp->type);
  /* names first, so references print as names */
  for (int side = 0; side < 2; side++) {
    const wf_cextern_t *xs = side ? ct->exports : ct->imports;
    uint32_t nx = side ? ct->nexports : ct->nimports;
    for (uint32_t i = 0; i < nx; i++) {
      if (xs[i].sort == WF_SORT_INSTANCE) collect_names(&c, wf_ctype(c.ts, xs[i].type), xs[i].name, xs[i].name_len);
      else if (xs[i].sort == WF_SORT_TYPE) add_name(&c, xs[i].type, xs[i].name, xs[i].name_len, NULL, 0);
    }
  }
  wf_strbuf_t *o = &c.out;
  wf_strbuf_printf(o, "package root:component;\n\nworld root {\n");
  for (int side = 0; side < 2; side++) {
    const wf_cextern_t *xs = side ? ct->exports : ct->imports;
    uint32_t nx = side ? ct->nexports : ct->nimports;
    const char *word = side ? "export" : "import";
    /* world-level types (imported resources and definitions) */
    type_items(&c, xs, nx, "  ");
    for (uint32_t i = 0; i < nx; i++) {
      const wf_cextern_t *x = &xs[i];
      char pkg[256], iface[256];
      switch (x->sort) {
      case WF_SORT_INSTANCE:
        if (split_id(x->name, x->name_len, pkg, sizeof pkg, iface, sizeof iface)) {
          wf_strbuf_printf(o, "  %s %.*s;\n", word, (int)x->name_len, x->name);
        } else {
          wf_strbuf_printf(o, "  %s %s%.*s: interface {\n", word, esc(x->name, x->name_len), (int)x->name_len, x->name);
          c.cur = x->name;
          c.curlen = x->name_len;
          iface_body(&c, wf_ctype(c.ts, x->type), "    ");
          c.cur = NULL;
          wf_strbuf_printf(o, "  }\n");
        }
        break;
      case WF_SORT_FUNC:
        if (x->name_len && x->name[0] == '[') break;   /* a resource member, printed with it */
        wf_strbuf_printf(o, "  %s %s%.*s: func", word, esc(x->name, x->name_len), (int)x->name_len, x->name);
        func_sig(&c, wf_ctype(c.ts, x->type), 0, false);
        wf_strbuf_printf(o, ";\n");
        break;
      case WF_SORT_TYPE:
        break;   /* printed above */
      default:
        wf_strbuf_printf(o, "  /* %s %.*s: a %s (not expressible in WIT) */\n", word, (int)x->name_len, x->name, wf_sort_name(x->sort));
        break;
      }
    }
  }
  wf_strbuf_printf(o, "}\n");
  /* one block per package, interfaces in first-seen order, each once */
  char (*done)[512] = calloc((size_t)ct->nimports + ct->nexports + 1, sizeof *done);
  size_t ndone = 0;
  if (!done) o->oom = true;
  for (uint32_t pass = 0; done && pass < ct->nimports + ct->nexports; pass++) {
    const wf_cextern_t *x = pass < ct->nimports ? &ct->imports[pass] : &ct->exports[pass - ct->nimports];
    char pkg[256], iface[256];
    if (x->sort != WF_SORT_INSTANCE || !split_id(x->name, x->name_len, pkg, sizeof pkg, iface, sizeof iface)) continue;
    bool seen = false;
    for (size_t k = 0; k < ndone && !seen; k++) seen = !strcmp(done[k], pkg);
    if (seen) continue;
    snprintf(done[ndone++], sizeof done[0], "%s", pkg);
    wf_strbuf_printf(o, "package %s {\n", pkg);
    char (*ifs)[256] = calloc((size_t)ct->nimports + ct->nexports + 1, sizeof *ifs);
    size_t nifs = 0;
    if (!ifs) { o->oom = true; break; }
    for (uint32_t q = pass; q < ct->nimports + ct->nexports; q++) {
      const wf_cextern_t *y = q < ct->nimports ? &ct->imports[q] : &ct->exports[q - ct->nimports];
      char p2[256], i2[256];
      if (y->sort != WF_SORT_INSTANCE || !split_id(y->name, y->name_len, p2, sizeof p2, i2, sizeof i2) || strcmp(p2, pkg))
        continue;
      bool dup = false;
      for (size_t k = 0; k < nifs && !dup; k++) dup = !strcmp(ifs[k], i2);
      if (dup) continue;
      snprintf(ifs[nifs++], sizeof ifs[0], "%s", i2);
      wf_strbuf_printf(o, "  interface %s%s {\n", esc(i2, (uint32_t)strlen(i2)), i2);
      c.cur = y->name;
      c.curlen = y->name_len;
      iface_body(&c, wf_ctype(c.ts, y->type), "    ");
      c.cur = NULL;
      wf_strbuf_printf(o, "  }\n");
    }
    free(ifs);
    wf_strbuf_printf(o, "}\n");
  }
  free(done);
  free(c.names);
  wf_component_free(comp);
  if (o->oom) {
    free(o->s);
    wf_error_set(err, "out of memory");
    return NULL;
  }
  return o->s;
}
