/* wasi:http/types fields (headers and trailers): validation, the fields
 * resource's functions, and adopting an own<fields> argument. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_http.h"

static int oom(weft_call_t *call) {
  weft_call_trap(call, "wasi:http: out of memory");
  return 1;
}

/* ---- fields ---- */
static void fields_destroy(wf_wasi_obj_t *o) {
  wf_http_fields_t *f = (wf_http_fields_t *)o;
  for (size_t i = 0; i < f->n; i++) {
    free(f->v[i].name);
    free(f->v[i].value);
  }
  free(f->v);
  free(f);
}

wf_http_fields_t *wf_http_fields_new(void) {
  wf_http_fields_t *f = calloc(1, sizeof *f);
  if (f) wf_wasi_obj_init(&f->obj, fields_destroy);
  return f;
}

static bool is_tchar(unsigned char c) {
  return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

bool wf_http_is_token(const char *s, size_t n) {
  if (!n) return false;
  for (size_t i = 0; i < n; i++)
    if (!is_tchar((unsigned char)s[i])) return false;
  return true;
}

static bool valid_value(const uint8_t *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == '\r' || v[i] == '\n' || v[i] == 0) return false;
  return true;
}

/* Hop-by-hop and connection-level fields a guest may not set (as wasmtime). */
static bool forbidden(const char *lname) {
  static const char *const names[] = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                                      "proxy-connection", "te", "transfer-encoding", "upgrade", "host",
                                      "http2-settings"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(lname, names[i])) return true;
  return false;
}

/* header-error cases */
/* header-error case + 1 (0: ok) */
enum { HE_SYNTAX = 1, HE_FORBIDDEN = 2, HE_IMMUTABLE = 3, HE_NOMEM = -1 };

static char *lower_name(const char *name, size_t n) {
  char *s = malloc(n + 1);
  if (!s) return NULL;
  for (size_t i = 0; i < n; i++) s[i] = (char)tolower((unsigned char)name[i]);
  s[n] = 0;
  return s;
}

int wf_http_fields_append(wf_http_fields_t *f, const char *name, size_t nlen, const uint8_t *value, size_t vlen,
                          bool check_forbidden) {
  if (!wf_http_is_token(name, nlen) || !valid_value(value, vlen)) return HE_SYNTAX;
  if (nlen + vlen > WF_HTTP_FIELDS_MAX_BYTES - f->bytes) return HE_SYNTAX;
  char *ln = lower_name(name, nlen);
  if (!ln) return HE_NOMEM;
  if (check_forbidden && forbidden(ln)) {
    free(ln);
    return HE_FORBIDDEN;
  }
  if (f->n == f->cap) {
    size_t nc = f->cap ? f->cap * 2 : 8;
    wf_http_field_t *nv = realloc(f->v, nc * sizeof *nv);
    if (!nv) {
      free(ln);
      return HE_NOMEM;
    }
    f->v = nv;
    f->cap = nc;
  }
  uint8_t *vv = malloc(vlen ? vlen : 1);
  if (!vv) {
    free(ln);
    return HE_NOMEM;
  }
  if (vlen) memcpy(vv, value, vlen);
  f->v[f->n++] = (wf_http_field_t){ln, vv, vlen};
  f->bytes += nlen + vlen;
  return 0;
}

const wf_http_field_t *wf_http_fields_get(const wf_http_fields_t *f, const char *lname) {
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp(f->v[i].name, lname)) return &f->v[i];
  return NULL;
}

static void fields_delete(wf_http_fields_t *f, const char *lname) {
  size_t j = 0;
  for (size_t i = 0; i < f->n; i++) {
    if (!strcmp(f->v[i].name, lname)) {
      f->bytes -= strlen(f->v[i].name) + f->v[i].value_len;
      free(f->v[i].name);
      free(f->v[i].value);
    } else {
      f->v[j++] = f->v[i];
    }
  }
  f->n = j;
}

wf_http_fields_t *wf_http_fields_clone(const wf_http_fields_t *f) {
  wf_http_fields_t *c = wf_http_fields_new();
  for (size_t i = 0; c && i < f->n; i++)
    if (wf_http_fields_append(c, f->v[i].name, strlen(f->v[i].name), f->v[i].value, f->v[i].value_len, false)) {
      wf_wasi_unref(c);
      c = NULL;
    }
  return c;
}

/* result<_, header-error> */
static int header_result(weft_call_t *call, weft_val_t *out, int he) {
  if (he == HE_NOMEM) return oom(call);
  if (he == 0) return wf_wasi_ok(call, out, NULL);
  weft_val_t e;
  if (wf_http_var(call, &e, WEFT_VAL_VARIANT, (uint32_t)(he - 1), NULL)) return 1;
  return wf_http_var(call, out, WEFT_VAL_RESULT, 1, &e);
}

/* name (string) and value (list<u8>) arguments */
static bool name_arg(weft_call_t *call, const weft_val_t *v, const char **p, size_t *n) {
  if (v->kind != WEFT_VAL_STRING) {
    weft_call_trap(call, "wasi:http: expected a field name string");
    return false;
  }
  *p = v->of.str.ptr;
  *n = v->of.str.len;
  return true;
}

HOST_FN(h_fields_new) {
  UNUSED_ARGS;
  wf_http_fields_t *f = wf_http_fields_new();
  if (!f) return oom(call);
  results[0] = wf_http_own(env, WF_HTTP_RT_FIELDS, f);
  return 0;
}

HOST_FN(h_fields_from_list) {
  UNUSED_ARGS;
  if (args[0].kind != WEFT_VAL_LIST) {
    weft_call_trap(call, "wasi:http: fields.from-list expects a list");
    return 1;
  }
  wf_http_fields_t *f = wf_http_fields_new();
  if (!f) return oom(call);
  int he = 0;
  for (size_t i = 0; !he && i < args[0].of.seq.n; i++) {
    const weft_val_t *t = &args[0].of.seq.v[i];
    const char *np;
    size_t nl, vl;
    if (t->kind != WEFT_VAL_TUPLE || t->of.seq.n != 2 || !name_arg(call, &t->of.seq.v[0], &np, &nl)) {
      wf_wasi_unref(f);
      if (t->kind != WEFT_VAL_TUPLE) weft_call_trap(call, "wasi:http: fields.from-list expects tuples");
      return 1;
    }
    uint8_t *vb = wf_wasi_list_bytes(call, &t->of.seq.v[1], &vl);
    if (!vb) {
      wf_wasi_unref(f);
      return 1;
    }
    he = wf_http_fields_append(f, np, nl, vb, vl, true);
  }
  if (he) {
    wf_wasi_unref(f);
    return header_result(call, &results[0], he);
  }
  weft_val_t own = wf_http_own(env, WF_HTTP_RT_FIELDS, f);
  return wf_wasi_ok(call, &results[0], &own);
}

HOST_FN(h_fields_get) {
  UNUSED_ARGS;
  wf_http_fields_t *f = wf_http_arg(call, env, WF_HTTP_RT_FIELDS, &args[0]);
  const char *np;
  size_t nl;
  if (!f || !name_arg(call, &args[1], &np, &nl)) return 1;
  char *ln = lower_name(np, nl);
  if (!ln) return oom(call);
  size_t cnt = 0;
  for (size_t i = 0; i < f->n; i++) cnt += !strcmp(f->v[i].name, ln);
  weft_val_t *out = wf_wasi_new_vals(call, cnt);
  if (!out) {
    free(ln);
    return 1;
  }
  size_t j = 0;
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp(f->v[i].name, ln) && wf_wasi_byte_list(call, f->v[i].value, f->v[i].value_len, &out[j++])) {
      free(ln);
      return 1;
    }
  free(ln);
  results[0] = wf_http_val(WEFT_VAL_LIST);
  results[0].of.seq.v = out;
  results[0].of.seq.n = cnt;
  return 0;
}

HOST_FN(h_fields_has) {
  UNUSED_ARGS;
  wf_http_fields_t *f = wf_http_arg(call, env, WF_HTTP_RT_FIELDS, &args[0]);
  const char *np;
  size_t nl;
  if (!f || !name_arg(call, &args[1], &np, &nl)) return 1;
  char *ln = lower_name(np, nl);
  if (!ln) return oom(call);
  results[0] = wf_wasi_bool(wf_http_fields_get(f, ln) != NULL);
  free(ln);
  return 0;
}

/* set / delete / append share the checks */
static int fields_edit(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, int op) {
  wf_http_fields_t *f = wf_http_arg(call, env, WF_HTTP_RT_FIELDS, &args[0]);
  const char *np;
  size_t nl;
  if (!f || !name_arg(call, &args[1], &np, &nl)) return 1;
  if (f->immutable) return header_result(call, out, HE_IMMUTABLE);
  if (!wf_http_is_token(np, nl)) return header_result(call, out, HE_SYNTAX);
  char *ln = lower_name(np, nl);
  if (!ln) return oom(call);
  if (forbidden(ln)) {
    free(ln);
    return header_result(call, out, HE_FORBIDDEN);
  }
  int he = 0;
  if (op == 0) {   /* set: validate every value first, then replace */
    const weft_val_t *list = &args[2];
    if (list->kind != WEFT_VAL_LIST) {
      free(ln);
      weft_call_trap(call, "wasi:http: fields.set expects a list of values");
      return 1;
    }
    wf_http_fields_t *tmp = wf_http_fields_new();
    if (!tmp) he = HE_NOMEM;
    for (size_t i = 0; !he && i < list->of.seq.n; i++) {
      size_t vl;
      uint8_t *vb = wf_wasi_list_bytes(call, &list->of.seq.v[i], &vl);
      if (!vb) {
        free(ln);
        wf_wasi_unref(tmp);
        return 1;
      }
      he = wf_http_fields_append(tmp, ln, nl, vb, vl, false);
    }
    if (!he) {
      fields_delete(f, ln);
      for (size_t i = 0; !he && i < tmp->n; i++)
        he = wf_http_fields_append(f, ln, nl, tmp->v[i].value, tmp->v[i].value_len, false);
    }
    wf_wasi_unref(tmp);
  } else if (op == 1) {
    fields_delete(f, ln);
  } else {
    size_t vl;
    uint8_t *vb = wf_wasi_list_bytes(call, &args[2], &vl);
    if (!vb) {
      free(ln);
      return 1;
    }
    he = wf_http_fields_append(f, ln, nl, vb, vl, false);
  }
  free(ln);
  return header_result(call, out, he);
}

HOST_FN(h_fields_set) {
  UNUSED_ARGS;
  return fields_edit(call, env, args, &results[0], 0);
}
HOST_FN(h_fields_delete) {
  UNUSED_ARGS;
  return fields_edit(call, env, args, &results[0], 1);
}
HOST_FN(h_fields_append) {
  UNUSED_ARGS;
  return fields_edit(call, env, args, &results[0], 2);
}

HOST_FN(h_fields_entries) {
  UNUSED_ARGS;
  wf_http_fields_t *f = wf_http_arg(call, env, WF_HTTP_RT_FIELDS, &args[0]);
  if (!f) return 1;
  weft_val_t *out = wf_wasi_new_vals(call, f->n);
  weft_val_t *pairs = wf_wasi_new_vals(call, 2 * f->n);
  if (!out || !pairs) return 1;
  for (size_t i = 0; i < f->n; i++) {
    pairs[2 * i] = wf_wasi_str(call, f->v[i].name, strlen(f->v[i].name));
    if (wf_wasi_byte_list(call, f->v[i].value, f->v[i].value_len, &pairs[2 * i + 1])) return 1;
    out[i] = wf_http_val(WEFT_VAL_TUPLE);
    out[i].of.seq.v = &pairs[2 * i];
    out[i].of.seq.n = 2;
  }
  results[0] = wf_http_val(WEFT_VAL_LIST);
  results[0].of.seq.v = out;
  results[0].of.seq.n = f->n;
  return 0;
}

HOST_FN(h_fields_clone) {
  UNUSED_ARGS;
  wf_http_fields_t *f = wf_http_arg(call, env, WF_HTTP_RT_FIELDS, &args[0]);
  if (!f) return 1;
  wf_http_fields_t *c = wf_http_fields_clone(f);
  if (!c) return oom(call);
  results[0] = wf_http_own(env, WF_HTTP_RT_FIELDS, c);
  return 0;
}

/* An own<fields> argument: the guest's reference passes to us; from now on
 * the fields are immutable (every later handle to them is a child). */
wf_http_fields_t *wf_http_adopt_fields(weft_call_t *call, wf_http_link_t *h, const weft_val_t *v) {
  wf_http_fields_t *f = wf_http_arg(call, h, WF_HTTP_RT_FIELDS, v);
  if (!f) return NULL;
  if (v->kind != WEFT_VAL_OWN) wf_wasi_ref(f);
  f->immutable = true;
  return f;
}

weft_status_t wf_http_add_fields(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err) {
  static const struct {
    const char *name;
    weft_host_fn fn;
  } funcs[] = {
    {"[constructor]fields", h_fields_new},
    {"[static]fields.from-list", h_fields_from_list},
    {"[method]fields.get", h_fields_get},
    {"[method]fields.has", h_fields_has},
    {"[method]fields.set", h_fields_set},
    {"[method]fields.delete", h_fields_delete},
    {"[method]fields.append", h_fields_append},
    {"[method]fields.entries", h_fields_entries},
    {"[method]fields.clone", h_fields_clone},
  };
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    weft_status_t st = weft_linker_define_func(l, WF_WASI_IFACE("http/types"), funcs[i].name, funcs[i].fn, h, err);
    if (st != WEFT_OK) return st;
  }
  return WEFT_OK;
}
