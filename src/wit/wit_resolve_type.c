/* WIT resolver, types: scopes of names, lowering parsed types, typedef
 * bodies and function signatures to the IR, and the checks on them (type
 * cycles, handles of resources, borrows in results, resource members). */
#include <stdio.h>
#include <string.h>

#include "wit/wit_resolve.h"

/* ---- type scopes ---- */
bool wf_wit_scope_add(wit_res *r, wit_scope *s, const char *name, uint32_t pos, int32_t type, bool func,
                      bool excl) {
  bool ex;
  if (!wit_map_put(r->a, &s->names, name, s->nents, &ex)) return wf_wit_oom(r);
  if (ex) return wf_wit_err(r->c, pos, "name `%s` is defined more than once", name);
  struct wit_scope_ent *e = WIT_PUSH(r->a, s->ents, s->nents, s->capents);
  if (!e) return wf_wit_oom(r);
  e->type = type;
  e->func = func;
  e->excl = excl;
  return true;
}

static int32_t lower(wit_res *r, wit_scope *s, const wit_aty *t);

static wf_wit_tref lower_opt(wit_res *r, wit_scope *s, const wit_aty *t, bool *ok) {
  if (!t) return WF_WIT_NONE;
  int32_t v = lower(r, s, t);
  if (v == WF_WIT_NONE) *ok = false;
  return v;
}

static int32_t anon(wit_res *r, uint8_t kind) {
  int32_t i = wf_wit_new_type(r, NULL, kind, WF_WIT_OWNER_NONE, 0);
  if (i < 0) wf_wit_oom(r);
  return i < 0 ? WF_WIT_NONE : i;
}

static int32_t named_ref_h(wit_res *r, wit_scope *s, const char *name, uint32_t pos, bool handle) {
  uint32_t *v = wit_map_get(&s->names, name);
  if (handle || s->in_fields) handle = true;
  if (!v || (handle && s->ents[*v].func)) {
    wf_wit_err(r->c, pos, "%s `%s` does not exist", s->in_func && !handle ? "name" : "type", name);
    return WF_WIT_NONE;
  }
  struct wit_scope_ent *e = &s->ents[*v];
  if (e->func) { wf_wit_err(r->c, pos, "cannot use function `%s` as a type", name); return WF_WIT_NONE; }
  if (e->excl) {
    wf_wit_err(r->c, pos, "found a reference to a type which is excluded due to its feature not being activated");
    return WF_WIT_NONE;
  }
  return e->type;
}

static int32_t named_ref(wit_res *r, wit_scope *s, const char *name, uint32_t pos) {
  return named_ref_h(r, s, name, pos, false);
}

static wf_wit_tref unalias(const wf_wit_t *w, wf_wit_tref t);

static int32_t lower(wit_res *r, wit_scope *s, const wit_aty *t) {
  bool ok = true;
  int32_t i = WF_WIT_NONE;
  switch (t->kind) {
    case AT_PRIM: return WF_WIT_PRIM_REF(t->prim);
    case AT_NAMED: {
      int32_t target = named_ref(r, s, t->name, t->pos);
      if (target == WF_WIT_NONE || target < 0) return target;
      wf_wit_tref u = unalias(r->w, target);
      if (u >= 0 && r->w->types[u].kind == WF_WIT_TYPE_RESOURCE) {
        if ((i = anon(r, WF_WIT_TYPE_OWN)) == WF_WIT_NONE) return i;
        r->w->types[i].a = target;
      }
      return i == WF_WIT_NONE ? target : i;
    }
    case AT_OWN: case AT_BORROW: {
      int32_t target = named_ref_h(r, s, t->name, t->pos, true);
      if (target == WF_WIT_NONE) return WF_WIT_NONE;
      uint32_t *ev = wit_map_get(&s->names, t->name);
      uint8_t foreign = ev ? s->ents[*ev].foreign : 0;
      if ((i = anon(r, t->kind == AT_OWN ? WF_WIT_TYPE_OWN : WF_WIT_TYPE_BORROW)) == WF_WIT_NONE) return i;
      r->w->types[i].a = target;
      struct wit_scope_hchk *h = WIT_PUSH(r->a, s->hs, s->nhs, s->caphs);
      if (!h) { wf_wit_oom(r); return WF_WIT_NONE; }
      h->type = target; h->pos = t->pos; h->name = t->name; h->foreign = foreign;
      return i;
    }
    case AT_LIST: case AT_FIXED_LIST: case AT_OPTION: case AT_STREAM: case AT_FUTURE: {
      static const uint8_t k[] = {[AT_LIST] = WF_WIT_TYPE_LIST, [AT_FIXED_LIST] = WF_WIT_TYPE_FIXED_LIST,
                                  [AT_OPTION] = WF_WIT_TYPE_OPTION, [AT_STREAM] = WF_WIT_TYPE_STREAM,
                                  [AT_FUTURE] = WF_WIT_TYPE_FUTURE};
      wf_wit_tref a = lower_opt(r, s, t->a, &ok);
      if (!ok) return WF_WIT_NONE;
      if ((i = anon(r, k[t->kind])) == WF_WIT_NONE) return i;
      r->w->types[i].a = a;
      r->w->types[i].length = t->len;
      return i;
    }
    case AT_MAP: case AT_RESULT: {
      wf_wit_tref a = lower_opt(r, s, t->a, &ok);
      wf_wit_tref b = ok ? lower_opt(r, s, t->b, &ok) : WF_WIT_NONE;
      if (!ok) return WF_WIT_NONE;
      if (t->kind == AT_MAP) {
        wf_wit_tref k = a;
        /* keys: primitives except floats and error-context (through aliases) */
        for (int guard = 0; guard < 10000 && k >= 0 && r->w->types[k].kind == WF_WIT_TYPE_ALIAS; guard++)
          k = r->w->types[k].a;
        if (k >= 0 || k == WF_WIT_PRIM_REF(WF_WIT_F32) || k == WF_WIT_PRIM_REF(WF_WIT_F64) ||
            k == WF_WIT_PRIM_REF(WF_WIT_ERROR_CONTEXT)) {
          wf_wit_err(r->c, t->a->pos, "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string");
          return WF_WIT_NONE;
        }
      }
      if ((i = anon(r, t->kind == AT_MAP ? WF_WIT_TYPE_MAP : WF_WIT_TYPE_RESULT)) == WF_WIT_NONE) return i;
      r->w->types[i].a = a;
      r->w->types[i].b = b;
      return i;
    }
    case AT_TUPLE: {
      wf_wit_field_t *f = wf_wit_alloc(r->a, sizeof *f * (t->nelems ? t->nelems : 1));
      if (!f) { wf_wit_oom(r); return WF_WIT_NONE; }
      for (uint32_t j = 0; j < t->nelems; j++) {
        f[j].type = lower(r, s, t->elems[j]);
        if (f[j].type == WF_WIT_NONE) return WF_WIT_NONE;
      }
      if ((i = anon(r, WF_WIT_TYPE_TUPLE)) == WF_WIT_NONE) return i;
      r->w->types[i].fields = f;
      r->w->types[i].nfields = t->nelems;
      return i;
    }
  }
  return WF_WIT_NONE;
}

/* Lower a typedef body into the already-created slot ti. */
bool wf_wit_lower_def(wit_res *r, wit_scope *s, const wit_adef *d, int32_t ti) {
  wf_wit_type_t *t = &r->w->types[ti];
  switch (d->kind) {
    case AD_ALIAS: {
      int32_t a = d->alias->kind == AT_NAMED ? named_ref(r, s, d->alias->name, d->alias->pos) : lower(r, s, d->alias);
      if (a == WF_WIT_NONE) return false;
      if (a >= 0 && !r->w->types[a].name) {
        /* `type x = list<u8>`: x is that structure itself */
        wf_wit_type_t *src = &r->w->types[a], *dst = &r->w->types[ti];
        dst->kind = src->kind;
        dst->a = src->a;
        dst->b = src->b;
        dst->length = src->length;
        dst->fields = src->fields;
        dst->nfields = src->nfields;
        return true;
      }
      r->w->types[ti].a = a;
      return true;
    }
    case AD_RESOURCE: return true;
    default: break;
  }
  if (d->nitems == 0 && (d->kind == AD_ENUM || d->kind == AD_VARIANT))
    return wf_wit_err(r->c, d->pos, "empty %s", d->kind == AD_ENUM ? "enum" : "variant");
  wf_wit_field_t *f = wf_wit_alloc(r->a, sizeof *f * (d->nitems ? d->nitems : 1));
  if (!f) return wf_wit_oom(r);
  wit_map seen = {0};
  for (uint32_t j = 0; j < d->nitems; j++) {
    bool ex;
    if (!wit_map_put(r->a, &seen, d->items[j].name, j, &ex)) return wf_wit_oom(r);
    if (ex) {
      static const char *const what[] = {[AD_RECORD] = "field", [AD_VARIANT] = "case", [AD_ENUM] = "case", [AD_FLAGS] = "flag"};
      return wf_wit_err(r->c, d->items[j].pos, "%s `%s` is defined more than once", what[d->kind], d->items[j].name);
    }
    f[j].name = d->items[j].name;
    f[j].docs = d->items[j].docs;
    f[j].type = WF_WIT_NONE;
    if (d->items[j].ty) {
      s->in_fields = 1;
      f[j].type = lower(r, s, d->items[j].ty);
      s->in_fields = 0;
      if (f[j].type == WF_WIT_NONE) return false;
    }
  }
  t = &r->w->types[ti];
  t->fields = f;
  t->nfields = d->nitems;
  return true;
}

/* Edges of a type in the type graph (targets of type refs). */
static uint32_t type_edges(const wf_wit_t *w, uint32_t ti, uint32_t k, wf_wit_tref *out) {
  const wf_wit_type_t *t = &w->types[ti];
  if (t->kind == WF_WIT_TYPE_OWN || t->kind == WF_WIT_TYPE_BORROW) return 0;
  if (k == 0) { *out = t->a; return 1; }
  if (k == 1) { *out = t->b; return 1; }
  if (k - 2 < t->nfields) { *out = t->fields[k - 2].type; return 1; }
  return 0;
}

/* Reject cycles among types reachable from [first, ntypes). marks: 0/1/2
 * per type, allocated for the whole type array. */
bool wf_wit_check_cycles(wit_res *r, uint32_t first, uint8_t *marks, uint32_t *stack) {
  wf_wit_t *w = r->w;
  for (uint32_t s = first; s < w->ntypes; s++) {
    if (marks[s - first]) continue;
    uint32_t sp = 0;
    stack[sp++] = s;
    stack[sp++] = 0;
    marks[s - first] = 1;
    while (sp) {
      uint32_t cur = stack[sp - 2];
      wf_wit_tref e;
      if (type_edges(w, cur, stack[sp - 1]++, &e)) {
        if (e < 0 || (uint32_t)e < first) continue;
        uint8_t *m = &marks[e - first];
        if (*m == 1) {
          /* name the cycle by the named type on the stack nearest the top */
          const char *nm = NULL;
          uint32_t pos = 0;
          for (uint32_t q = sp; q >= 2 && !nm; q -= 2) {
            nm = w->types[stack[q - 2]].name;
            pos = stack[q - 2] < r->ntpos ? r->tpos[stack[q - 2]] : 0;
          }
          if (!pos) return wf_wit_err_nopos(r->c, "type `%s` depends on itself", nm ? nm : "?");
          return wf_wit_err(r->c, pos, "type `%s` depends on itself", nm ? nm : "?");
        }
        if (*m == 2) continue;
        *m = 1;
        stack[sp++] = (uint32_t)e;
        stack[sp++] = 0;
        continue;
      }
      marks[cur - first] = 2;
      sp -= 2;
    }
  }
  return true;
}

static wf_wit_tref unalias(const wf_wit_t *w, wf_wit_tref t) {
  for (uint32_t g = 0; g <= w->ntypes && t >= 0 && w->types[t].kind == WF_WIT_TYPE_ALIAS; g++) t = w->types[t].a;
  return t;
}

bool wf_wit_check_handles(wit_res *r, wit_scope *s) {
  for (uint32_t i = 0; i < s->nhs; i++) {
    wf_wit_tref t = unalias(r->w, s->hs[i].type);
    if (t < 0 || r->w->types[t].kind != WF_WIT_TYPE_RESOURCE) {
      if (s->hs[i].foreign) return wf_wit_err(r->c, s->hs[i].pos, "type used in a handle must be a resource");
      return wf_wit_err(r->c, s->hs[i].pos, "type `%s` used in a handle must be a resource", s->hs[i].name);
    }
  }
  return true;
}

/* Does type t contain a borrow (through anonymous and named structure)?
 * Iterative post-order walk, memoized per type. */
static bool has_borrow(wit_res *r, wf_wit_tref root, bool *out) {
  wf_wit_t *w = r->w;
  *out = false;
  if (root < 0) return true;
  if (w->ntypes > r->nborrow_memo) {
    uint8_t *nm = wf_wit_alloc(r->a, w->ntypes + 64);
    if (!nm) return wf_wit_oom(r);
    if (r->borrow_memo) memcpy(nm, r->borrow_memo, r->nborrow_memo);
    r->borrow_memo = nm;
    r->nborrow_memo = w->ntypes + 64;
  }
  uint8_t *memo = r->borrow_memo;
  uint32_t cap = 0, sp = 0;
  struct bf { uint32_t t, k; } *st = NULL;
  struct bf *f0 = WIT_PUSH(r->a, st, sp, cap);
  if (!f0) return wf_wit_oom(r);
  f0->t = (uint32_t)root;
  f0->k = 0;
  while (sp) {
    struct bf *f = &st[sp - 1];
    const wf_wit_type_t *ty = &w->types[f->t];
    if (memo[f->t]) { sp--; continue; }
    if (ty->kind == WF_WIT_TYPE_BORROW) { memo[f->t] = 2; sp--; continue; }
    if (ty->kind == WF_WIT_TYPE_OWN || ty->kind == WF_WIT_TYPE_RESOURCE) { memo[f->t] = 1; sp--; continue; }
    wf_wit_tref e;
    if (type_edges(w, f->t, f->k++, &e)) {
      if (e < 0 || memo[e]) continue;
      memo[f->t] = 0;
      struct bf *nf = WIT_PUSH(r->a, st, sp, cap);
      if (!nf) return wf_wit_oom(r);
      nf->t = (uint32_t)e;
      nf->k = 0;
      continue;
    }
    /* all children done */
    uint8_t res = 1;
    wf_wit_tref c;
    for (uint32_t k = 0; type_edges(w, f->t, k, &c); k++)
      if (c >= 0 && memo[c] == 2) res = 2;
    memo[f->t] = res;
    sp--;
  }
  *out = memo[root] == 2;
  return true;
}

const char *wf_wit_mangle(wit_res *r, const char *pre, const char *res, const char *name) {
  size_t n = strlen(pre) + strlen(res) + (name ? strlen(name) + 1 : 0) + 1;
  char *s = wf_wit_alloc(r->a, n);
  if (s) snprintf(s, n, "%s%s%s%s", pre, res, name ? "." : "", name ? name : "");
  return s;
}

static bool lower_func2(wit_res *r, wit_scope *s, const wit_afunc *af, wf_wit_func_t *f, const char *name,
                        int32_t res);

bool wf_wit_lower_func(wit_res *r, wit_scope *s, const wit_afunc *af, wf_wit_func_t *f, const char *name,
                       int32_t res) {
  s->in_func = 1;
  bool ok = lower_func2(r, s, af, f, name, res);
  s->in_func = 0;
  return ok;
}

static bool lower_func2(wit_res *r, wit_scope *s, const wit_afunc *af, wf_wit_func_t *f, const char *name,
                        int32_t res) {
  memset(f, 0, sizeof *f);
  f->name = name;
  f->is_async = af->is_async;
  f->docs = af->docs;
  wf_wit_to_gate(&f->gate, &af->gate);
  f->result = WF_WIT_NONE;
  uint32_t extra = af->kind == AF_METHOD ? 1 : 0;
  f->params = wf_wit_alloc(r->a, sizeof *f->params * (af->nparams + extra + 1));
  if (!f->params) return wf_wit_oom(r);
  if (res >= 0) {
    f->resource = (uint32_t)res;
    f->kind = af->kind == AF_METHOD ? WF_WIT_FUNC_METHOD : af->kind == AF_STATIC ? WF_WIT_FUNC_STATIC : WF_WIT_FUNC_CONSTRUCTOR;
  }
  if (extra) {
    int32_t b = anon(r, WF_WIT_TYPE_BORROW);
    if (b == WF_WIT_NONE) return false;
    r->w->types[b].a = res;
    f->params[0].name = "self";
    f->params[0].type = b;
  }
  wit_map seen = {0};
  for (uint32_t i = 0; i < af->nparams; i++) {
    bool ex;
    if (!wit_map_put(r->a, &seen, af->params[i].name, i, &ex)) return wf_wit_oom(r);
    if (ex) return wf_wit_err(r->c, af->params[i].pos, "param `%s` is defined more than once", af->params[i].name);
    f->params[i + extra].name = af->params[i].name;
    f->params[i + extra].type = lower(r, s, af->params[i].ty);
    if (f->params[i + extra].type == WF_WIT_NONE) return false;
  }
  f->nparams = af->nparams + extra;
  if (af->kind == AF_CTOR) {
    int32_t own = anon(r, WF_WIT_TYPE_OWN);
    if (own == WF_WIT_NONE) return false;
    r->w->types[own].a = res;
    if (af->result) {
      if (af->result->kind != AT_RESULT)
        return wf_wit_err(r->c, af->result_pos, "if a constructor return type is declared it must be a `result`");
      if (!af->result->a || af->result->a->kind != AT_NAMED)
        return wf_wit_err(r->c, af->result_pos, "the `ok` type must be the resource being constructed");
      int32_t okt = named_ref(r, s, af->result->a->name, af->result->a->pos);
      if (okt == WF_WIT_NONE) return false;
      if (unalias(r->w, okt) != res)
        return wf_wit_err(r->c, af->result_pos, "the `ok` type must be the resource being constructed");
      bool ok = true;
      wf_wit_tref err = lower_opt(r, s, af->result->b, &ok);
      if (!ok) return false;
      int32_t rt = anon(r, WF_WIT_TYPE_RESULT);
      if (rt == WF_WIT_NONE) return false;
      r->w->types[rt].a = own;
      r->w->types[rt].b = err;
      f->result = rt;
    } else {
      f->result = own;
    }
  } else if (af->result) {
    f->result = lower(r, s, af->result);
    if (f->result == WF_WIT_NONE) return false;
  }
  return true;
}

bool wf_wit_check_func_result(wit_res *r, const wf_wit_func_t *f, uint32_t pos) {
  bool hb;
  if (!has_borrow(r, f->result, &hb)) return false;
  if (hb)
    return wf_wit_err(r->c, pos, "function `%s` returns a type which contains a `borrow<T>` which is not supported", f->name);
  return true;
}

/* The members of resource `def` (type slot `res`): gates checked, at most
 * one constructor, unique names, mangled ("[method]r.f", ...), lowered and
 * checked, in source order; emit() takes each lowered function. Shared by
 * interfaces (a function list) and worlds (imports). */
bool wf_wit_lower_resource_members(wit_res *r, wit_res_pkg *pk, wit_scope *s, wit_adef *def, int32_t res,
                                   wit_member_emit_fn emit, void *ctx) {
  int ctors = 0;
  wit_map seen = {0};
  for (uint32_t j = 0; j < def->nfuncs; j++) {
    wit_afunc *af = &def->funcs[j];
    if (!wf_wit_check_gate(r, pk, &af->gate)) return false;
    if (af->kind == AF_CTOR && ++ctors > 1) return wf_wit_err(r->c, af->pos, "duplicate constructors");
    if (af->kind != AF_CTOR) {
      bool ex;
      if (!wit_map_put(r->a, &seen, af->name, j, &ex)) return wf_wit_oom(r);
      if (ex) return wf_wit_err(r->c, af->pos, "duplicate function name `%s`", af->name);
    }
    if (wf_wit_excluded(r, &af->gate)) continue;
    const char *nm = af->kind == AF_CTOR ? wf_wit_mangle(r, "[constructor]", def->name, NULL)
                     : af->kind == AF_STATIC ? wf_wit_mangle(r, "[static]", def->name, af->name)
                                             : wf_wit_mangle(r, "[method]", def->name, af->name);
    if (!nm) return wf_wit_oom(r);
    wf_wit_func_t f;
    if (!wf_wit_lower_func(r, s, af, &f, nm, res) || !wf_wit_check_func_result(r, &f, af->pos)) return false;
    if (!emit(r, ctx, af, &f)) return false;
  }
  return true;
}
