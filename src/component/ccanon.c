/* Canonical definitions: canon lift / lower / resource.{new,drop,rep}, with
 * option validation and the flattened core signature check. */
#include <stdio.h>
#include <string.h>

#include "cinternal.h"

static const char *core_name(uint8_t t) {
  switch (t) {
  case WF_T_I32: return "I32";
  case WF_T_I64: return "I64";
  case WF_T_F32: return "F32";
  case WF_T_F64: return "F64";
  default: return "?";
  }
}

static void fmt_types(char *buf, size_t cap, const uint8_t *v, uint32_t n) {
  size_t o = 0;
  o += (size_t)snprintf(buf + o, cap - o, "[");
  for (uint32_t i = 0; i < n && o < cap; i++)
    o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", core_name(v[i]));
  if (o < cap) snprintf(buf + o, cap - o, "]");
}

static bool opts(wf_cctx_t *cx, wf_creader_t *r, wf_canonopts_t *o, bool lift) {
  static const char *const enc[3] = {"utf8", "utf16", "latin1-utf16"};
  uint32_t n;
  bool has_enc = false;
  memset(o, 0, sizeof(*o));
  if (!wf_cr_count(r, &n, 1)) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t off = wf_cr_off(r);
    uint8_t b;
    if (!wf_cr_byte(r, &b)) return false;
    switch (b) {
    case 0x00: case 0x01: case 0x02:
      if (has_enc) {
        if (o->string_encoding == b) return wf_cerr(cx, off, "canonical encoding option `%s` is specified more than once", enc[b]);
        return wf_cerr(cx, off, "canonical encoding option `%s` conflicts with option `%s`", enc[o->string_encoding], enc[b]);
      }
      has_enc = true;
      o->string_encoding = b;
      break;
    case 0x03: {
      wf_ctid_t t;
      if (o->has_memory) return wf_cerr(cx, off, "canonical option `memory` is specified more than once");
      if (!wf_cr_u32(r, &o->memory) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_MEMORY, o->memory, &t, off + 1)) return false;
      o->has_memory = true;
      break;
    }
    case 0x04: case 0x05: {
      const char *nm = b == 0x04 ? "realloc" : "post-return";
      bool *has = b == 0x04 ? &o->has_realloc : &o->has_post_return;
      uint32_t *idx = b == 0x04 ? &o->realloc : &o->post_return;
      wf_ctid_t t;
      if (*has) return wf_cerr(cx, off, "canonical option `%s` is specified more than once", nm);
      if (!wf_cr_u32(r, idx) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_FUNC, *idx, &t, off + 1)) return false;
      *has = true;
      if (b == 0x05 && !lift) return wf_cerr(cx, off, "canonical option `post-return` cannot be specified for lowerings");
      if (b == 0x04) {
        const wf_functype_t *f = &cx->ts->v[t].core;
        bool ok = f->nparams == 4 && f->nresults == 1 && f->results[0] == WF_T_I32;
        for (uint32_t k = 0; ok && k < 4; k++) ok = f->params[k] == WF_T_I32;
        if (!ok) return wf_cerr(cx, off, "canonical option `realloc` uses a core function with an incorrect signature");
      }
      break;
    }
    case 0x06:
      if (o->is_async) return wf_cerr(cx, off, "canonical option `async` is specified more than once");
      o->is_async = true;
      break;
    case 0x07: {
      wf_ctid_t t;
      if (o->has_callback) return wf_cerr(cx, off, "canonical option `callback` is specified more than once");
      if (!wf_cr_u32(r, &o->callback) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_FUNC, o->callback, &t, off + 1))
        return false;
      o->has_callback = true;
      const wf_functype_t *f = &cx->ts->v[t].core;
      bool ok = f->nparams == 3 && f->nresults == 1 && f->results[0] == WF_T_I32;
      for (uint32_t k = 0; ok && k < 3; k++) ok = f->params[k] == WF_T_I32;
      if (!ok) return wf_cerr(cx, off, "canonical option `callback` uses a core function with an incorrect signature");
      break;
    }
    default: return wf_cr_malformed(r, "canonical option", b);
    }
  }
  if (o->has_realloc && !o->has_memory)
    return wf_cerr(cx, wf_cr_off(r), "canonical option `realloc` requires `memory` to also be specified");
  if (o->has_callback && !o->is_async)
    return wf_cerr(cx, wf_cr_off(r), "canonical option `callback` requires `async`");
  if (o->has_post_return && o->is_async)
    return wf_cerr(cx, wf_cr_off(r), "canonical option `post-return` cannot be used with `async`");
  return true;
}

/* flatten_functype for the async ABI (CanonicalABI.md). */
static void flatten_async(const wf_ctypes_t *ts, wf_ctid_t ftid, bool lift, bool callback, uint8_t *p, uint32_t *np,
                          uint8_t *rs, uint32_t *nr) {
  const wf_ctype_t *ft = &ts->v[ftid];
  uint32_t n = 0;
  for (uint32_t i = 0; i < ft->n; i++) n += wf_ctype_flat_count(ts, ft->fields[i].type, 17);
  uint8_t tp[20], tr[20];
  uint32_t a, b;
  wf_ctype_flatten_func(ts, ftid, true, tp, &a, tr, &b, 20);
  uint32_t nres = ft->t1 ? wf_ctype_flat_count(ts, ft->t1, 17) : 0;
  if (lift) {
    if (n > 16) { p[0] = WF_T_I32; *np = 1; }
    else { memcpy(p, tp, a); *np = a; }
    *nr = 0;
    if (callback) { rs[0] = WF_T_I32; *nr = 1; }
  } else {
    if (n > 4) { p[0] = WF_T_I32; *np = 1; }
    else { memcpy(p, tp, a); *np = a; }
    if (nres > 0) p[(*np)++] = WF_T_I32;
    rs[0] = WF_T_I32;
    *nr = 1;
  }
}

static bool need(wf_cctx_t *cx, size_t off, const wf_canonopts_t *o, bool memory, bool realloc) {
  if ((memory || realloc) && !o->has_memory) return wf_cerr(cx, off, "canonical option `memory` is required");
  if (realloc && !o->has_realloc) return wf_cerr(cx, off, "canonical option `realloc` is required");
  return true;
}

static wf_ctid_t core_func(wf_cctx_t *cx, const uint8_t *p, uint32_t np, const uint8_t *rs, uint32_t nr, size_t off) {
  wf_ctid_t id = wf_ctype_new(cx->ts, WF_CT_CORE_FUNC);
  if (!id) { wf_cerr(cx, off, "too many types"); return 0; }
  uint8_t *pp = np ? wf_carena_alloc(cx->arena, np) : NULL;
  uint8_t *rr = nr ? wf_carena_alloc(cx->arena, nr) : NULL;
  if ((np && !pp) || (nr && !rr)) { wf_cerr(cx, off, "out of memory"); return 0; }
  if (np) memcpy(pp, p, np);
  if (nr) memcpy(rr, rs, nr);
  wf_functype_t *f = &cx->ts->v[id].core;
  f->nparams = np; f->params = pp;
  f->nresults = nr; f->results = rr;
  return id;
}

/* Options required by the function type (CanonicalABI.md, canon lift/lower). */
static bool required_opts(wf_cctx_t *cx, wf_ctid_t ftid, const wf_canonopts_t *o, bool lift, size_t off) {
  const wf_ctype_t *ft = &cx->ts->v[ftid];
  bool params_heap = false, result_heap = ft->t1 && wf_ctype_has_heap(cx->ts, ft->t1, 0);
  uint32_t nflat = 0;
  for (uint32_t i = 0; i < ft->n; i++) {
    if (wf_ctype_has_heap(cx->ts, ft->fields[i].type, 0)) params_heap = true;
    nflat += wf_ctype_flat_count(cx->ts, ft->fields[i].type, 17);
    if (nflat > 17) nflat = 17;
  }
  uint32_t nres = ft->t1 ? wf_ctype_flat_count(cx->ts, ft->t1, 17) : 0;
  if (lift) {
    /* params are lifted (callee allocates: realloc), result lowered */
    if (!need(cx, off, o, params_heap || nflat > 16, params_heap || nflat > 16)) return false;
    if (!need(cx, off, o, result_heap || nres > (o->is_async ? 16u : 1u), false)) return false;
  } else {
    if (!need(cx, off, o, params_heap || nflat > 16, false)) return false;
    if (!need(cx, off, o, result_heap || nres > 1, result_heap)) return false;
  }
  return true;
}

static bool resource_arg(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d, bool local) {
  size_t off = wf_cr_off(r);
  wf_ctid_t t;
  if (!wf_cr_u32(r, &d->u.canon.type) || !wf_cscope_get(cx, cx->scope, WF_SORT_TYPE, d->u.canon.type, &t, off)) return false;
  if (cx->ts->v[t].kind != WF_CT_RESOURCE) return wf_cerr(cx, off, "type index %u is not a resource type", d->u.canon.type);
  if (local) {
    uint32_t rid = cx->ts->v[t].rid;
    const wf_u32vec_t *lr = &cx->scope->local_rids;
    uint32_t i;
    for (i = 0; i < lr->n; i++)
      if (lr->v[i] == rid) break;
    if (i == lr->n) return wf_cerr(cx, off, "type index %u is not a local resource", d->u.canon.type);
  }
  return true;
}

static bool flag(wf_creader_t *r, bool *out) {
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  if (b > 1) return wf_error_at(r->err, wf_cr_off(r) - 1, "invalid boolean value: 0x%x", b);
  *out = b;
  return true;
}

/* A typeidx that must denote a stream (want == WF_CT_STREAM) or future. */
static bool handle_type(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d, uint8_t want) {
  size_t off = wf_cr_off(r);
  wf_ctid_t t;
  if (!wf_cr_u32(r, &d->u.canon.type) || !wf_cscope_get(cx, cx->scope, WF_SORT_TYPE, d->u.canon.type, &t, off)) return false;
  if (cx->ts->v[t].kind != want)
    return wf_cerr(cx, off, "type index %u is not a %s type", d->u.canon.type, want == WF_CT_STREAM ? "stream" : "future");
  return true;
}

/* The async / thread / error-context built-ins: immediates and core types. */
static bool builtin(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d, uint8_t b, size_t off) {
  static const uint8_t I[4] = {WF_T_I32, WF_T_I32, WF_T_I32, WF_T_I32};
  static const uint8_t I64[1] = {WF_T_I64};
  const uint8_t *p = I, *rs = I;
  uint32_t np = 0, nr = 0;
  bool fl;
  uint8_t buf[20];
  d->u.canon.kind = WF_CANON_BUILTIN;
  d->u.canon.opcode = b;
  switch (b) {
  case 0x24: case 0x25: case 0x05: break;                       /* backpressure.inc/dec, task.cancel */
  case 0x09: {                                                  /* task.return */
    uint8_t k;
    wf_ctid_t rt = WF_CTID_NONE;
    if (!wf_cr_byte(r, &k)) return false;
    if (k == 0x00) { if (!wf_cvaltype(cx, r, &rt)) return false; }
    else if (k == 0x01) {
      uint8_t z;
      if (!wf_cr_byte(r, &z)) return false;
      if (z != 0) return wf_cr_malformed(r, "number of results", z);
    } else return wf_cr_malformed(r, "component function results", k);
    if (!opts(cx, r, &d->u.canon.opts, false)) return false;
    if (d->u.canon.opts.is_async) return wf_cerr(cx, off, "cannot specify `async` option on `task.return`");
    if (rt) {
      uint32_t n = wf_ctype_flat_count(cx->ts, rt, 17);
      if ((wf_ctype_has_heap(cx->ts, rt, 0) || n > 16) && !d->u.canon.opts.has_memory)
        return wf_cerr(cx, off, "canonical option `memory` is required");
      if (n > 16) np = 1;
      else {
        /* flatten the result as the parameter list */
        wf_ctid_t f = wf_ctype_new(cx->ts, WF_CT_FUNC);
        if (!f) return wf_cerr(cx, off, "too many types");
        wf_cfield_t *fld = wf_carena_alloc(cx->arena, sizeof(wf_cfield_t));
        if (!fld) return wf_cerr(cx, off, "out of memory");
        fld->type = rt;
        cx->ts->v[f].n = 1;
        cx->ts->v[f].fields = fld;
        uint8_t rr[20];
        uint32_t nrr;
        wf_ctype_flatten_func(cx->ts, f, true, buf, &np, rr, &nrr, 20);
        p = buf;
      }
    }
    break;
  }
  case 0x0a: case 0x0b: {                                       /* context.get / set */
    uint8_t t;
    if (!wf_cr_byte(r, &t) || !wf_cr_u32(r, &d->u.canon.imm2)) return false;
    if (t != WF_T_I32) return wf_cerr(cx, off, "context.get/set only supports i32");
    if (d->u.canon.imm2 >= 2) return wf_cerr(cx, off, "context index %u out of bounds", d->u.canon.imm2);
    if (b == 0x0a) nr = 1; else np = 1;
    break;
  }
  case 0x06:                                                    /* subtask.cancel async? */
    if (!flag(r, &fl)) return false;
    d->u.canon.opts.is_async = fl;
    np = nr = 1;
    break;
  case 0x0d: case 0x1e: case 0x22: case 0x28: np = 1; break;    /* [i32] -> [] */
  case 0x0e: case 0x15:                                         /* stream.new / future.new */
    if (!handle_type(cx, r, d, b == 0x0e ? WF_CT_STREAM : WF_CT_FUTURE)) return false;
    rs = I64; nr = 1;
    break;
  case 0x0f: case 0x10: case 0x16: case 0x17: {                 /* stream/future read/write */
    bool stream = b <= 0x10;
    if (!handle_type(cx, r, d, stream ? WF_CT_STREAM : WF_CT_FUTURE) || !opts(cx, r, &d->u.canon.opts, false)) return false;
    if (!d->u.canon.opts.has_memory) return wf_cerr(cx, off, "canonical option `memory` is required");
    np = stream ? 3 : 2;
    nr = 1;
    break;
  }
  case 0x11: case 0x12: case 0x18: case 0x19:                   /* cancel-read/write */
    if (!handle_type(cx, r, d, b <= 0x12 ? WF_CT_STREAM : WF_CT_FUTURE) || !flag(r, &fl)) return false;
    d->u.canon.opts.is_async = fl;
    np = nr = 1;
    break;
  case 0x13: case 0x14: case 0x1a: case 0x1b:                   /* drop-readable/writable */
    if (!handle_type(cx, r, d, b <= 0x14 ? WF_CT_STREAM : WF_CT_FUTURE)) return false;
    np = 1;
    break;
  case 0x1c: case 0x1d:                                         /* error-context.new / debug-message */
    if (!opts(cx, r, &d->u.canon.opts, false)) return false;
    if (!d->u.canon.opts.has_memory) return wf_cerr(cx, off, "canonical option `memory` is required");
    if (b == 0x1d && !d->u.canon.opts.has_realloc) return wf_cerr(cx, off, "canonical option `realloc` is required");
    np = 2;
    nr = b == 0x1c;
    break;
  case 0x1f: case 0x26: nr = 1; break;                          /* waitable-set.new, thread.index */
  case 0x20: case 0x21: {                                       /* waitable-set.wait / poll */
    wf_ctid_t t;
    size_t moff;
    if (!flag(r, &fl)) return false;
    moff = wf_cr_off(r);
    if (!wf_cr_u32(r, &d->u.canon.imm2) ||
        !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_MEMORY, d->u.canon.imm2, &t, moff))
      return false;
    np = 2; nr = 1;
    break;
  }
  case 0x23: np = 2; break;                                     /* waitable.join */
  case 0x27: {                                                  /* thread.new-indirect */
    wf_ctid_t ft, tt;
    size_t toff = wf_cr_off(r);
    if (!wf_cr_u32(r, &d->u.canon.type) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_TYPE, d->u.canon.type, &ft, toff))
      return false;
    const wf_ctype_t *f = &cx->ts->v[ft];
    if (f->kind != WF_CT_CORE_FUNC || f->core.nparams != 1 || f->core.params[0] != WF_T_I32 || f->core.nresults != 0)
      return wf_cerr(cx, toff, "thread.new-indirect requires a function type of [i32] -> []");
    toff = wf_cr_off(r);
    if (!wf_cr_u32(r, &d->u.canon.imm2) || !wf_cscope_get(cx, cx->scope, WF_SORT_CORE_TABLE, d->u.canon.imm2, &tt, toff))
      return false;
    if (cx->ts->v[tt].table.elem != WF_T_FUNCREF) return wf_cerr(cx, toff, "thread.new-indirect requires a funcref table");
    np = 2; nr = 1;
    break;
  }
  case 0x29: case 0x0c:                                         /* thread.suspend, thread.yield */
    if (!flag(r, &fl)) return false;
    nr = 1;
    break;
  case 0x2a: case 0x2b: case 0x2c: case 0x2d:                   /* thread.*-then-* */
    if (!flag(r, &fl)) return false;
    np = nr = 1;
    break;
  case 0x40: case 0x41: case 0x42:
    return wf_cerr(cx, off, "shared-everything-threads built-ins are not supported");
  default:
    return wf_cr_malformed(r, "canonical function", b);
  }
  wf_ctid_t id = core_func(cx, p, np, rs, nr, off);
  if (!id) return false;
  d->sort = WF_SORT_CORE_FUNC;
  d->index = cx->scope->space[WF_SORT_CORE_FUNC].n;
  return wf_cscope_push(cx, WF_SORT_CORE_FUNC, id);
}

bool wf_cdecode_canon(wf_cctx_t *cx, wf_creader_t *r, wf_cdef_t *d) {
  size_t off = wf_cr_off(r);
  uint8_t b;
  if (!wf_cr_byte(r, &b)) return false;
  d->kind = WF_CDEF_CANON;
  static const uint8_t i32[1] = {WF_T_I32};
  switch (b) {
  case 0x00: case 0x01: {
    uint8_t z;
    if (!wf_cr_byte(r, &z)) return false;
    if (z != 0x00) return wf_cr_malformed(r, b == 0 ? "canonical function lift" : "canonical function lower", z);
    size_t foff = wf_cr_off(r);
    wf_ctid_t ft, cf;
    if (!wf_cr_u32(r, &d->u.canon.func)) return false;
    if (!wf_cscope_get(cx, cx->scope, b == 0 ? WF_SORT_CORE_FUNC : WF_SORT_FUNC, d->u.canon.func, &cf, foff)) return false;
    if (!opts(cx, r, &d->u.canon.opts, b == 0)) return false;
    uint8_t p[20], rs[20];
    uint32_t np, nr;
    if (b == 0x00) {
      size_t toff = wf_cr_off(r);
      if (!wf_cr_u32(r, &d->u.canon.type) || !wf_cscope_get(cx, cx->scope, WF_SORT_TYPE, d->u.canon.type, &ft, toff)) return false;
      if (cx->ts->v[ft].kind != WF_CT_FUNC) return wf_cerr(cx, toff, "type index %u is not a function type", d->u.canon.type);
      if (!required_opts(cx, ft, &d->u.canon.opts, true, off)) return false;
      if (d->u.canon.opts.is_async)
        flatten_async(cx->ts, ft, true, d->u.canon.opts.has_callback, p, &np, rs, &nr);
      else
        wf_ctype_flatten_func(cx->ts, ft, true, p, &np, rs, &nr, 20);
      const wf_functype_t *f = &cx->ts->v[cf].core;
      char a[128], e[128];
      if (f->nparams != np || (np && memcmp(f->params, p, np) != 0)) {
        fmt_types(a, sizeof a, f->params, f->nparams);
        fmt_types(e, sizeof e, p, np);
        return wf_cerr(cx, foff, "lowered parameter types `%s` do not match parameter types `%s` of core function %u", e, a,
                       d->u.canon.func);
      }
      if (f->nresults != nr || (nr && memcmp(f->results, rs, nr) != 0)) {
        fmt_types(a, sizeof a, f->results, f->nresults);
        fmt_types(e, sizeof e, rs, nr);
        return wf_cerr(cx, foff, "lowered result types `%s` do not match result types `%s` of core function %u", e, a,
                       d->u.canon.func);
      }
      if (d->u.canon.opts.has_post_return) {
        const wf_functype_t *pr = &cx->ts->v[cx->scope->space[WF_SORT_CORE_FUNC].v[d->u.canon.opts.post_return]].core;
        if (pr->nresults != 0 || pr->nparams != nr || (nr && memcmp(pr->params, rs, nr) != 0))
          return wf_cerr(cx, off, "canonical option `post-return` uses a core function with an incorrect signature");
      }
      d->u.canon.kind = WF_CANON_LIFT;
      d->sort = WF_SORT_FUNC;
      d->index = cx->scope->space[WF_SORT_FUNC].n;
      return wf_cscope_push(cx, WF_SORT_FUNC, ft);
    }
    ft = cf;
    if (!required_opts(cx, ft, &d->u.canon.opts, false, off)) return false;
    if (d->u.canon.opts.has_callback) return wf_cerr(cx, off, "canonical option `callback` is only allowed for lifts");
    if (d->u.canon.opts.is_async) {
      if (!d->u.canon.opts.has_memory) return wf_cerr(cx, off, "canonical option `memory` is required");
      flatten_async(cx->ts, ft, false, false, p, &np, rs, &nr);
    } else {
      wf_ctype_flatten_func(cx->ts, ft, false, p, &np, rs, &nr, 20);
    }
    wf_ctid_t id = core_func(cx, p, np, rs, nr, off);
    if (!id) return false;
    d->u.canon.kind = WF_CANON_LOWER;
    d->sort = WF_SORT_CORE_FUNC;
    d->index = cx->scope->space[WF_SORT_CORE_FUNC].n;
    return wf_cscope_push(cx, WF_SORT_CORE_FUNC, id);
  }
  case 0x02: case 0x03: case 0x04: {
    if (!resource_arg(cx, r, d, b != 0x03)) return false;
    wf_ctid_t id = core_func(cx, i32, 1, i32, b == 0x03 ? 0 : 1, off);
    if (!id) return false;
    d->u.canon.kind = b == 0x02 ? WF_CANON_RESOURCE_NEW : b == 0x03 ? WF_CANON_RESOURCE_DROP : WF_CANON_RESOURCE_REP;
    d->sort = WF_SORT_CORE_FUNC;
    d->index = cx->scope->space[WF_SORT_CORE_FUNC].n;
    return wf_cscope_push(cx, WF_SORT_CORE_FUNC, id);
  }
  default:
    return builtin(cx, r, d, b, off);
  }
}
