/* wasi:http/types: fields, requests and responses of both directions,
 * bodies, response-outparam, request-options (the futures are in
 * wasi_http_future.c); the incoming-side
 * API `weft serve` uses; and wf_wasi_add_http (the WASI plug-in hook). */
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wasi_http.h"

#define IFACE WF_WASI_IFACE("http/types")

/* ---- values ---- */
static weft_val_t *val1(weft_call_t *call, const weft_val_t *v) {
  weft_val_t *p = wf_wasi_new_vals(call, 1);
  if (p) *p = *v;
  return p;
}

weft_val_t wf_http_val(weft_vkind_t k) {
  weft_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = k;
  return v;
}

/* option (some NULL: none), result/variant with index and payload */
int wf_http_opt(weft_call_t *call, weft_val_t *out, const weft_val_t *some) {
  *out = wf_http_val(WEFT_VAL_OPTION);
  if (!some) return 0;
  out->of.var.index = 1;
  return (out->of.var.payload = val1(call, some)) ? 0 : 1;
}

int wf_http_var(weft_call_t *call, weft_val_t *out, weft_vkind_t k, uint32_t idx, const weft_val_t *payload) {
  *out = wf_http_val(k);
  out->of.var.index = idx;
  if (!payload) return 0;
  return (out->of.var.payload = val1(call, payload)) ? 0 : 1;
}

static weft_val_t u_val(weft_vkind_t k, uint64_t u) {
  weft_val_t v = wf_http_val(k);
  v.of.u = u;
  return v;
}

static int opt_str(weft_call_t *call, weft_val_t *out, const char *s) {
  if (!s) return wf_http_opt(call, out, NULL);
  weft_val_t v = wf_wasi_str(call, s, strlen(s));
  return wf_http_opt(call, out, &v);
}

/* a string argument as a NUL-terminated heap copy (NULL: trap) */
static char *arg_str(weft_call_t *call, const weft_val_t *v) {
  if (v->kind != WEFT_VAL_STRING) {
    weft_call_trap(call, "wasi:http: expected a string argument");
    return NULL;
  }
  char *s = malloc(v->of.str.len + 1);
  if (!s) {
    weft_call_trap(call, "wasi:http: out of memory");
    return NULL;
  }
  memcpy(s, v->of.str.ptr, v->of.str.len);
  s[v->of.str.len] = 0;
  return s;
}

int wf_http_error_val(weft_call_t *call, int code, const char *msg, weft_val_t *out) {
  if (code < 0 || code >= WF_HTTP_E_COUNT) code = WF_HTTP_E_INTERNAL_ERROR;
  weft_val_t pl, inner;
  switch (code) {
  case WF_HTTP_E_INTERNAL_ERROR:
    if (opt_str(call, &pl, msg)) return 1;
    return wf_http_var(call, out, WEFT_VAL_VARIANT, (uint32_t)code, &pl);
  case WF_HTTP_E_DNS_ERROR: {   /* record { rcode: option<string>, info-code: option<u16> } */
    weft_val_t *f = wf_wasi_new_vals(call, 2);
    if (!f || opt_str(call, &f[0], msg) || wf_http_opt(call, &f[1], NULL)) return 1;
    pl = wf_http_val(WEFT_VAL_RECORD);
    pl.of.seq.v = f;
    pl.of.seq.n = 2;
    return wf_http_var(call, out, WEFT_VAL_VARIANT, (uint32_t)code, &pl);
  }
  case WF_HTTP_E_REQUEST_BODY_SIZE: case WF_HTTP_E_RESPONSE_BODY_SIZE:
  case WF_HTTP_E_REQUEST_HEADER_SECTION_SIZE: case WF_HTTP_E_REQUEST_TRAILER_SECTION_SIZE:
  case WF_HTTP_E_RESPONSE_HEADER_SECTION_SIZE: case WF_HTTP_E_RESPONSE_TRAILER_SECTION_SIZE:
  case WF_HTTP_E_REQUEST_HEADER_SIZE: case WF_HTTP_E_RESPONSE_TRANSFER_CODING:
  case WF_HTTP_E_RESPONSE_CONTENT_CODING:
    if (wf_http_opt(call, &pl, NULL)) return 1;   /* option<...>: none */
    return wf_http_var(call, out, WEFT_VAL_VARIANT, (uint32_t)code, &pl);
  case WF_HTTP_E_TLS_ALERT_RECEIVED: case WF_HTTP_E_REQUEST_TRAILER_SIZE:
  case WF_HTTP_E_RESPONSE_HEADER_SIZE: case WF_HTTP_E_RESPONSE_TRAILER_SIZE: {
    weft_val_t *f = wf_wasi_new_vals(call, 2);
    if (!f || wf_http_opt(call, &f[0], NULL) || wf_http_opt(call, &f[1], NULL)) return 1;
    inner = wf_http_val(WEFT_VAL_RECORD);
    inner.of.seq.v = f;
    inner.of.seq.n = 2;
    return wf_http_var(call, out, WEFT_VAL_VARIANT, (uint32_t)code, &inner);
  }
  default:
    return wf_http_var(call, out, WEFT_VAL_VARIANT, (uint32_t)code, NULL);
  }
}

/* An error-code value from a guest: its case, and internal-error's message. */
static int error_from_val(const weft_val_t *v, char **msg) {
  *msg = NULL;
  if (v->kind != WEFT_VAL_VARIANT || v->of.var.index >= WF_HTTP_E_COUNT) return WF_HTTP_E_INTERNAL_ERROR;
  int code = (int)v->of.var.index;
  const weft_val_t *p = v->of.var.payload;
  if (code == WF_HTTP_E_INTERNAL_ERROR && p && p->kind == WEFT_VAL_OPTION && p->of.var.index == 1 &&
      p->of.var.payload && p->of.var.payload->kind == WEFT_VAL_STRING) {
    const weft_val_t *s = p->of.var.payload;
    size_t n = s->of.str.len > 1024 ? 1024 : s->of.str.len;
    if ((*msg = malloc(n + 1))) {
      memcpy(*msg, s->of.str.ptr, n);
      (*msg)[n] = 0;
    }
  }
  return code;
}

/* ---- handles ---- */
weft_val_t wf_http_own(const wf_http_link_t *h, wf_http_rt_t t, void *obj) {
  weft_val_t v = wf_http_val(WEFT_VAL_OWN);
  v.of.res.type = h->rt[t];
  v.of.res.rep = (uint64_t)(uintptr_t)obj;
  return v;
}

static const char *const rt_names[WF_HTTP_RT_COUNT] = {
    "fields", "incoming-request", "outgoing-request", "request-options", "response-outparam",
    "incoming-response", "incoming-body", "future-trailers", "outgoing-response", "outgoing-body",
    "future-incoming-response",
};

void *wf_http_arg(weft_call_t *call, const wf_http_link_t *h, wf_http_rt_t t, const weft_val_t *v) {
  if ((v->kind != WEFT_VAL_BORROW && v->kind != WEFT_VAL_OWN) || v->of.res.type != h->rt[t] || !v->of.res.rep) {
    weft_call_trap(call, "wasi:http: argument is not a handle of type %s", rt_names[t]);
    return NULL;
  }
  return (void *)(uintptr_t)v->of.res.rep;
}

static int oom(weft_call_t *call) {
  weft_call_trap(call, "wasi:http: out of memory");
  return 1;
}

/* ---- methods and schemes ---- */
static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
                                           "PATCH"};

const char *wf_http_method_name(int m) {
  return m >= 0 && m < WF_HTTP_METHOD_OTHER ? method_names[m] : NULL;
}

static int method_val(weft_call_t *call, weft_val_t *out, int m, const char *other) {
  if (m != WF_HTTP_METHOD_OTHER) return wf_http_var(call, out, WEFT_VAL_VARIANT, (uint32_t)m, NULL);
  weft_val_t s = wf_wasi_str(call, other, strlen(other));
  return wf_http_var(call, out, WEFT_VAL_VARIANT, WF_HTTP_METHOD_OTHER, &s);
}

/* 0 ok; -1 invalid (not a token); 1 after a trap */
static int method_from_val(weft_call_t *call, const weft_val_t *v, int *m, char **other) {
  *other = NULL;
  if (v->kind != WEFT_VAL_VARIANT || v->of.var.index > WF_HTTP_METHOD_OTHER) {
    weft_call_trap(call, "wasi:http: expected a method value");
    return 1;
  }
  *m = (int)v->of.var.index;
  if (*m != WF_HTTP_METHOD_OTHER) return 0;
  const weft_val_t *p = v->of.var.payload;
  if (!p || p->kind != WEFT_VAL_STRING) {
    weft_call_trap(call, "wasi:http: method.other needs a string");
    return 1;
  }
  if (!wf_http_is_token(p->of.str.ptr, p->of.str.len)) return -1;
  if (!(*other = arg_str(call, p))) return 1;
  return 0;
}

static int scheme_val(weft_call_t *call, weft_val_t *out, int s, const char *other) {
  if (s == WF_HTTP_SCHEME_NONE) return wf_http_opt(call, out, NULL);
  weft_val_t v;
  if (s == WF_HTTP_SCHEME_OTHER) {
    weft_val_t str = wf_wasi_str(call, other, strlen(other));
    if (wf_http_var(call, &v, WEFT_VAL_VARIANT, 2, &str)) return 1;
  } else if (wf_http_var(call, &v, WEFT_VAL_VARIANT, (uint32_t)s, NULL)) {
    return 1;
  }
  return wf_http_opt(call, out, &v);
}

/* ---- requests ---- */
static void request_destroy(wf_wasi_obj_t *o) {
  wf_http_request_t *r = (wf_http_request_t *)o;
  free(r->method_other);
  free(r->scheme_other);
  free(r->authority);
  free(r->path);
  wf_wasi_unref(r->headers);
  if (r->body) {
    if (r->incoming && !r->body_taken) wf_http_chan_discard(r->body);
    wf_http_chan_unref(r->body);
  }
  free(r);
}

static wf_http_request_t *request_new(wf_http_fields_t *headers) {
  wf_http_request_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  wf_wasi_obj_init(&r->obj, request_destroy);
  r->scheme = WF_HTTP_SCHEME_NONE;
  r->headers = headers;
  r->body_max = UINT64_MAX;
  return r;
}

/* Content-Length of a header set, UINT64_MAX if absent or malformed. */
static uint64_t content_length(const wf_http_fields_t *f) {
  const wf_http_field_t *cl = wf_http_fields_get(f, "content-length");
  if (!cl || !cl->value_len || cl->value_len > 19) return UINT64_MAX;
  uint64_t n = 0;
  for (size_t i = 0; i < cl->value_len; i++) {
    if (cl->value[i] < '0' || cl->value[i] > '9') return UINT64_MAX;
    n = n * 10 + (cl->value[i] - '0');
  }
  return n;
}

HOST_FN(h_outreq_new) {
  UNUSED_ARGS;
  wf_http_fields_t *f = wf_http_adopt_fields(call, env, &args[0]);
  if (!f) return 1;
  wf_http_request_t *r = request_new(f);
  if (!r) {
    wf_wasi_unref(f);
    return oom(call);
  }
  results[0] = wf_http_own(env, WF_HTTP_RT_OUTGOING_REQUEST, r);
  return 0;
}

/* outgoing-body: the guest writes chan; finish ends it */
typedef struct {
  wf_wasi_obj_t obj;
  wf_http_chan_t *chan;
  uint64_t max;
  bool finished, stream_taken;
  wf_http_response_t *resp;   /* outgoing-response body: where trailers go */
} outbody_t;

static void outbody_destroy(wf_wasi_obj_t *o) {
  outbody_t *b = (outbody_t *)o;
  if (!b->finished) wf_http_chan_finish(b->chan, WF_HTTP_E_INTERNAL_ERROR, "outgoing-body dropped without finish");
  wf_http_chan_unref(b->chan);
  wf_wasi_unref(b->resp);
  free(b);
}

static outbody_t *outbody_new(wf_http_chan_t *c, uint64_t max, wf_http_response_t *resp) {
  outbody_t *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  wf_wasi_obj_init(&b->obj, outbody_destroy);
  b->chan = wf_http_chan_ref(c);
  b->max = max;
  b->resp = wf_wasi_ref(resp);
  return b;
}

/* result<own<outgoing-body>> for a request or response (first call only) */
static int take_outbody(weft_call_t *call, wf_http_link_t *h, weft_val_t *out, wf_http_chan_t **chanp,
                        bool *taken, uint64_t *maxp, const wf_http_fields_t *headers, wf_http_response_t *resp) {
  if (*taken) return wf_http_var(call, out, WEFT_VAL_RESULT, 1, NULL);
  if (!*chanp && !(*chanp = wf_http_chan_new(0))) return oom(call);
  *maxp = content_length(headers);
  outbody_t *b = outbody_new(*chanp, *maxp, resp);
  if (!b) return oom(call);
  *taken = true;
  weft_val_t own = wf_http_own(h, WF_HTTP_RT_OUTGOING_BODY, b);
  return wf_wasi_ok(call, out, &own);
}

HOST_FN(h_outreq_body) {
  UNUSED_ARGS;
  wf_http_request_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_REQUEST, &args[0]);
  if (!r) return 1;
  return take_outbody(call, env, &results[0], &r->body, &r->body_taken, &r->body_max, r->headers, NULL);
}

static wf_http_request_t *req_arg(weft_call_t *call, void *env, const weft_val_t *v, bool incoming) {
  return wf_http_arg(call, env, incoming ? WF_HTTP_RT_INCOMING_REQUEST : WF_HTTP_RT_OUTGOING_REQUEST, v);
}

static int req_method(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, bool in) {
  wf_http_request_t *r = req_arg(call, env, &args[0], in);
  return r ? method_val(call, out, r->method, r->method_other) : 1;
}
static int req_path(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, bool in) {
  wf_http_request_t *r = req_arg(call, env, &args[0], in);
  return r ? opt_str(call, out, r->path) : 1;
}
static int req_scheme(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, bool in) {
  wf_http_request_t *r = req_arg(call, env, &args[0], in);
  return r ? scheme_val(call, out, r->scheme, r->scheme_other) : 1;
}
static int req_authority(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, bool in) {
  wf_http_request_t *r = req_arg(call, env, &args[0], in);
  return r ? opt_str(call, out, r->authority) : 1;
}
static int req_headers(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, bool in) {
  wf_http_request_t *r = req_arg(call, env, &args[0], in);
  if (!r) return 1;
  *out = wf_http_own(env, WF_HTTP_RT_FIELDS, wf_wasi_ref(r->headers));
  return 0;
}

HOST_FN(h_outreq_method) { UNUSED_ARGS; return req_method(call, env, args, &results[0], false); }
HOST_FN(h_outreq_path) { UNUSED_ARGS; return req_path(call, env, args, &results[0], false); }
HOST_FN(h_outreq_scheme) { UNUSED_ARGS; return req_scheme(call, env, args, &results[0], false); }
HOST_FN(h_outreq_authority) { UNUSED_ARGS; return req_authority(call, env, args, &results[0], false); }
HOST_FN(h_outreq_headers) { UNUSED_ARGS; return req_headers(call, env, args, &results[0], false); }
HOST_FN(h_inreq_method) { UNUSED_ARGS; return req_method(call, env, args, &results[0], true); }
HOST_FN(h_inreq_path) { UNUSED_ARGS; return req_path(call, env, args, &results[0], true); }
HOST_FN(h_inreq_scheme) { UNUSED_ARGS; return req_scheme(call, env, args, &results[0], true); }
HOST_FN(h_inreq_authority) { UNUSED_ARGS; return req_authority(call, env, args, &results[0], true); }
HOST_FN(h_inreq_headers) { UNUSED_ARGS; return req_headers(call, env, args, &results[0], true); }

static int unit_result(weft_call_t *call, weft_val_t *out, bool ok) {
  return ok ? wf_wasi_ok(call, out, NULL) : wf_http_var(call, out, WEFT_VAL_RESULT, 1, NULL);
}

HOST_FN(h_outreq_set_method) {
  UNUSED_ARGS;
  wf_http_request_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_REQUEST, &args[0]);
  if (!r) return 1;
  int m;
  char *other;
  int rc = method_from_val(call, &args[1], &m, &other);
  if (rc > 0) return 1;
  if (rc < 0) return unit_result(call, &results[0], false);
  free(r->method_other);
  r->method = m;
  r->method_other = other;
  return unit_result(call, &results[0], true);
}

/* A path-with-query or authority: printable ASCII without spaces; a path
 * starts with '/' (or is "*"), an authority has no '/', '?', '#', '@'. */
static bool valid_part(const char *s, size_t n, bool path) {
  if (path && n && s[0] != '/' && !(n == 1 && s[0] == '*')) return false;
  if (!path && !n) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f) return false;
    if (!path && strchr("/?#@", c)) return false;
  }
  return true;
}

static int set_opt_string(weft_call_t *call, const weft_val_t *v, char **slot, bool path, weft_val_t *out) {
  if (v->kind != WEFT_VAL_OPTION) {
    weft_call_trap(call, "wasi:http: expected an option<string>");
    return 1;
  }
  char *s = NULL;
  if (v->of.var.index == 1) {
    const weft_val_t *p = v->of.var.payload;
    if (!p || p->kind != WEFT_VAL_STRING) {
      weft_call_trap(call, "wasi:http: expected an option<string>");
      return 1;
    }
    if (!valid_part(p->of.str.ptr, p->of.str.len, path)) return unit_result(call, out, false);
    if (!(s = arg_str(call, p))) return 1;
  }
  free(*slot);
  *slot = s;
  return unit_result(call, out, true);
}

HOST_FN(h_outreq_set_path) {
  UNUSED_ARGS;
  wf_http_request_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_REQUEST, &args[0]);
  return r ? set_opt_string(call, &args[1], &r->path, true, &results[0]) : 1;
}

HOST_FN(h_outreq_set_authority) {
  UNUSED_ARGS;
  wf_http_request_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_REQUEST, &args[0]);
  return r ? set_opt_string(call, &args[1], &r->authority, false, &results[0]) : 1;
}

HOST_FN(h_outreq_set_scheme) {
  UNUSED_ARGS;
  wf_http_request_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_REQUEST, &args[0]);
  if (!r) return 1;
  const weft_val_t *v = &args[1];
  if (v->kind != WEFT_VAL_OPTION) {
    weft_call_trap(call, "wasi:http: expected an option<scheme>");
    return 1;
  }
  int s = WF_HTTP_SCHEME_NONE;
  char *other = NULL;
  if (v->of.var.index == 1) {
    const weft_val_t *p = v->of.var.payload;
    if (!p || p->kind != WEFT_VAL_VARIANT || p->of.var.index > 2) {
      weft_call_trap(call, "wasi:http: expected a scheme value");
      return 1;
    }
    s = (int)p->of.var.index;
    if (s == WF_HTTP_SCHEME_OTHER) {
      const weft_val_t *str = p->of.var.payload;
      if (!str || str->kind != WEFT_VAL_STRING) {
        weft_call_trap(call, "wasi:http: scheme.other needs a string");
        return 1;
      }
      bool ok = str->of.str.len > 0 && isalpha((unsigned char)str->of.str.ptr[0]);
      for (size_t i = 0; ok && i < str->of.str.len; i++) {
        unsigned char c = (unsigned char)str->of.str.ptr[i];
        ok = isalnum(c) || c == '+' || c == '-' || c == '.';
      }
      if (!ok) return unit_result(call, &results[0], false);
      if (!(other = arg_str(call, str))) return 1;
    }
  }
  free(r->scheme_other);
  r->scheme = s;
  r->scheme_other = other;
  return unit_result(call, &results[0], true);
}

/* ---- incoming bodies and trailers ---- */
typedef struct {
  wf_wasi_obj_t obj;
  wf_http_chan_t *chan;
  bool stream_taken;
} inbody_t;

static void inbody_destroy(wf_wasi_obj_t *o) {
  inbody_t *b = (inbody_t *)o;
  wf_http_chan_discard(b->chan);
  wf_http_chan_unref(b->chan);
  free(b);
}

static int consume_body(weft_call_t *call, void *env, wf_http_chan_t *c, bool *taken, weft_val_t *out) {
  if (*taken || !c) return wf_http_var(call, out, WEFT_VAL_RESULT, 1, NULL);
  inbody_t *b = calloc(1, sizeof *b);
  if (!b) return oom(call);
  wf_wasi_obj_init(&b->obj, inbody_destroy);
  b->chan = wf_http_chan_ref(c);
  *taken = true;
  weft_val_t own = wf_http_own(env, WF_HTTP_RT_INCOMING_BODY, b);
  return wf_wasi_ok(call, out, &own);
}

HOST_FN(h_inreq_consume) {
  UNUSED_ARGS;
  wf_http_request_t *r = wf_http_arg(call, env, WF_HTTP_RT_INCOMING_REQUEST, &args[0]);
  return r ? consume_body(call, env, r->body, &r->body_taken, &results[0]) : 1;
}

HOST_FN(h_inbody_stream) {
  UNUSED_ARGS;
  wf_http_link_t *h = env;
  inbody_t *b = wf_http_arg(call, env, WF_HTTP_RT_INCOMING_BODY, &args[0]);
  if (!b) return 1;
  if (b->stream_taken) return wf_http_var(call, &results[0], WEFT_VAL_RESULT, 1, NULL);
  wf_wasi_istream_t *s = wf_http_chan_istream_new(b->chan);
  if (!s) return oom(call);
  b->stream_taken = true;
  weft_val_t own = wf_wasi_own(h->wasi, WF_WASI_RT_INPUT_STREAM, s);
  return wf_wasi_ok(call, &results[0], &own);
}

typedef struct {
  wf_wasi_obj_t obj;
  wf_http_chan_t *chan;
  bool taken;
} trailers_t;

static void trailers_destroy(wf_wasi_obj_t *o) {
  trailers_t *t = (trailers_t *)o;
  wf_http_chan_unref(t->chan);
  free(t);
}

HOST_FN(h_inbody_finish) {
  UNUSED_ARGS;
  inbody_t *b = wf_http_arg(call, env, WF_HTTP_RT_INCOMING_BODY, &args[0]);
  if (!b) return 1;
  trailers_t *t = calloc(1, sizeof *t);
  if (!t) return oom(call);
  wf_wasi_obj_init(&t->obj, trailers_destroy);
  t->chan = wf_http_chan_ref(b->chan);
  wf_http_chan_discard(b->chan);   /* unread bytes are dropped; the end is still reported */
  if (args[0].kind == WEFT_VAL_OWN) wf_wasi_unref(b);
  results[0] = wf_http_own(env, WF_HTTP_RT_FUTURE_TRAILERS, t);
  return 0;
}

static void trailers_readiness(wf_wasi_obj_t *src, wf_wasi_wait_t *w) {
  trailers_t *t = (trailers_t *)src;
  wf_http_chan_readiness(t->chan, false, w);
}

HOST_FN(h_trailers_subscribe) {
  UNUSED_ARGS;
  wf_http_link_t *h = env;
  trailers_t *t = wf_http_arg(call, env, WF_HTTP_RT_FUTURE_TRAILERS, &args[0]);
  if (!t) return 1;
  wf_wasi_pollable_t *p = wf_wasi_pollable_new(&t->obj, trailers_readiness);
  if (!p) return oom(call);
  results[0] = wf_wasi_own(h->wasi, WF_WASI_RT_POLLABLE, p);
  return 0;
}

/* option<result<result<option<trailers>, error-code>>> */
HOST_FN(h_trailers_get) {
  UNUSED_ARGS;
  trailers_t *t = wf_http_arg(call, env, WF_HTTP_RT_FUTURE_TRAILERS, &args[0]);
  if (!t) return 1;
  int code = -1;
  if (!wf_http_chan_ended(t->chan, &code)) return wf_http_opt(call, &results[0], NULL);
  weft_val_t outer;
  if (t->taken) {
    if (wf_http_var(call, &outer, WEFT_VAL_RESULT, 1, NULL)) return 1;
  } else {
    weft_val_t inner, pl;
    if (code >= 0) {
      if (wf_http_error_val(call, code, NULL, &pl) || wf_http_var(call, &inner, WEFT_VAL_RESULT, 1, &pl)) return 1;
    } else {
      /* the writer's trailers (the reference passes to the guest's handle:
       * immutable fields, as a child of this future) */
      wf_http_fields_t *tr = wf_http_chan_take_trailers(t->chan);
      weft_val_t own;
      if (tr) {
        tr->immutable = true;
        own = wf_http_own(env, WF_HTTP_RT_FIELDS, tr);
      }
      if (wf_http_opt(call, &pl, tr ? &own : NULL) || wf_http_var(call, &inner, WEFT_VAL_RESULT, 0, &pl)) return 1;
    }
    if (wf_http_var(call, &outer, WEFT_VAL_RESULT, 0, &inner)) return 1;
    t->taken = true;
  }
  return wf_http_opt(call, &results[0], &outer);
}

/* ---- responses ---- */
static void response_destroy(wf_wasi_obj_t *o) {
  wf_http_response_t *r = (wf_http_response_t *)o;
  wf_wasi_unref(r->headers);
  wf_wasi_unref(r->trailers);
  if (r->body) {
    if (r->incoming && !r->body_taken) wf_http_chan_discard(r->body);
    wf_http_chan_unref(r->body);
  }
  free(r);
}

wf_http_response_t *wf_http_response_new(uint16_t status, wf_http_fields_t *headers, wf_http_chan_t *body) {
  wf_http_response_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  wf_wasi_obj_init(&r->obj, response_destroy);
  r->status = status;
  r->headers = headers;
  r->body = body;
  r->body_max = UINT64_MAX;
  return r;
}

HOST_FN(h_inresp_status) {
  UNUSED_ARGS;
  wf_http_response_t *r = wf_http_arg(call, env, WF_HTTP_RT_INCOMING_RESPONSE, &args[0]);
  if (!r) return 1;
  results[0] = u_val(WEFT_VAL_U16, r->status);
  return 0;
}

HOST_FN(h_inresp_headers) {
  UNUSED_ARGS;
  wf_http_response_t *r = wf_http_arg(call, env, WF_HTTP_RT_INCOMING_RESPONSE, &args[0]);
  if (!r) return 1;
  results[0] = wf_http_own(env, WF_HTTP_RT_FIELDS, wf_wasi_ref(r->headers));
  return 0;
}

HOST_FN(h_inresp_consume) {
  UNUSED_ARGS;
  wf_http_response_t *r = wf_http_arg(call, env, WF_HTTP_RT_INCOMING_RESPONSE, &args[0]);
  return r ? consume_body(call, env, r->body, &r->body_taken, &results[0]) : 1;
}

HOST_FN(h_outresp_new) {
  UNUSED_ARGS;
  wf_http_fields_t *f = wf_http_adopt_fields(call, env, &args[0]);
  if (!f) return 1;
  wf_http_response_t *r = wf_http_response_new(200, f, NULL);
  if (!r) {
    wf_wasi_unref(f);
    return oom(call);
  }
  results[0] = wf_http_own(env, WF_HTTP_RT_OUTGOING_RESPONSE, r);
  return 0;
}

HOST_FN(h_outresp_status) {
  UNUSED_ARGS;
  wf_http_response_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_RESPONSE, &args[0]);
  if (!r) return 1;
  results[0] = u_val(WEFT_VAL_U16, r->status);
  return 0;
}

HOST_FN(h_outresp_set_status) {
  UNUSED_ARGS;
  wf_http_response_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_RESPONSE, &args[0]);
  if (!r) return 1;
  uint64_t s = args[1].of.u;
  if (s < 100 || s > 999) return unit_result(call, &results[0], false);
  r->status = (uint16_t)s;
  return unit_result(call, &results[0], true);
}

HOST_FN(h_outresp_headers) {
  UNUSED_ARGS;
  wf_http_response_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_RESPONSE, &args[0]);
  if (!r) return 1;
  results[0] = wf_http_own(env, WF_HTTP_RT_FIELDS, wf_wasi_ref(r->headers));
  return 0;
}

HOST_FN(h_outresp_body) {
  UNUSED_ARGS;
  wf_http_response_t *r = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_RESPONSE, &args[0]);
  if (!r) return 1;
  return take_outbody(call, env, &results[0], &r->body, &r->body_taken, &r->body_max, r->headers, r);
}

HOST_FN(h_outbody_write) {
  UNUSED_ARGS;
  wf_http_link_t *h = env;
  outbody_t *b = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_BODY, &args[0]);
  if (!b) return 1;
  if (b->stream_taken) return wf_http_var(call, &results[0], WEFT_VAL_RESULT, 1, NULL);
  wf_wasi_ostream_t *s = wf_http_chan_ostream_new(b->chan, b->max);
  if (!s) return oom(call);
  b->stream_taken = true;
  weft_val_t own = wf_wasi_own(h->wasi, WF_WASI_RT_OUTPUT_STREAM, s);
  return wf_wasi_ok(call, &results[0], &own);
}

/* finish(this, option<trailers>) -> result<_, error-code> */
HOST_FN(h_outbody_finish) {
  UNUSED_ARGS;
  outbody_t *b = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_BODY, &args[0]);
  if (!b) return 1;
  wf_http_fields_t *tr = NULL;
  if (args[1].kind == WEFT_VAL_OPTION && args[1].of.var.index == 1 && args[1].of.var.payload) {
    if (!(tr = wf_http_adopt_fields(call, env, args[1].of.var.payload))) return 1;
  }
  uint64_t written = wf_http_chan_written(b->chan);
  int rc;
  b->finished = true;
  if (b->max != UINT64_MAX && written != b->max) {
    int code = b->resp ? WF_HTTP_E_RESPONSE_BODY_SIZE : WF_HTTP_E_REQUEST_BODY_SIZE;
    wf_http_chan_finish(b->chan, code, "body size differs from its Content-Length");
    weft_val_t e, pl, sz = u_val(WEFT_VAL_U64, written);
    rc = wf_http_opt(call, &pl, &sz) || wf_http_var(call, &e, WEFT_VAL_VARIANT, (uint32_t)code, &pl) ||
         wf_http_var(call, &results[0], WEFT_VAL_RESULT, 1, &e);
    wf_wasi_unref(tr);
  } else {
    rc = 0;
    if (b->resp) {
      /* weft serve reads them from the response once the body ended */
      wf_wasi_unref(b->resp->trailers);
      b->resp->trailers = tr;
      wf_http_chan_finish(b->chan, -1, NULL);
    } else if (tr) {
      /* an outgoing request's: the client's worker thread sends them, so
       * the channel gets a private copy (tr may be shared, e.g. the
       * request's own headers) */
      wf_http_fields_t *copy = wf_http_fields_clone(tr);
      wf_wasi_unref(tr);
      if (!copy) {
        wf_http_chan_finish(b->chan, WF_HTTP_E_INTERNAL_ERROR, "out of memory copying the trailers");
        rc = oom(call);
      } else {
        wf_http_chan_finish_trailers(b->chan, copy);
      }
    } else {
      wf_http_chan_finish(b->chan, -1, NULL);
    }
    if (!rc) rc = wf_wasi_ok(call, &results[0], NULL);
  }
  if (args[0].kind == WEFT_VAL_OWN) wf_wasi_unref(b);
  return rc;
}

/* ---- request-options ---- */
static void plain_destroy(wf_wasi_obj_t *o) { free(o); }

HOST_FN(h_opts_new) {
  UNUSED_ARGS;
  wf_http_options_t *o = calloc(1, sizeof *o);
  if (!o) return oom(call);
  wf_wasi_obj_init(&o->obj, plain_destroy);
  o->connect = o->first_byte = o->between_bytes = UINT64_MAX;
  results[0] = wf_http_own(env, WF_HTTP_RT_REQUEST_OPTIONS, o);
  return 0;
}

static uint64_t *opt_slot(wf_http_options_t *o, int which) {
  return which == 0 ? &o->connect : which == 1 ? &o->first_byte : &o->between_bytes;
}

static int opts_get(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, int which) {
  wf_http_options_t *o = wf_http_arg(call, env, WF_HTTP_RT_REQUEST_OPTIONS, &args[0]);
  if (!o) return 1;
  uint64_t v = *opt_slot(o, which);
  if (v == UINT64_MAX) return wf_http_opt(call, out, NULL);
  weft_val_t d = u_val(WEFT_VAL_U64, v);
  return wf_http_opt(call, out, &d);
}

static int opts_set(weft_call_t *call, void *env, const weft_val_t *args, weft_val_t *out, int which) {
  wf_http_options_t *o = wf_http_arg(call, env, WF_HTTP_RT_REQUEST_OPTIONS, &args[0]);
  if (!o) return 1;
  if (args[1].kind != WEFT_VAL_OPTION) {
    weft_call_trap(call, "wasi:http: expected an option<duration>");
    return 1;
  }
  uint64_t v = UINT64_MAX;
  if (args[1].of.var.index == 1 && args[1].of.var.payload) v = args[1].of.var.payload->of.u;
  if (v == UINT64_MAX && args[1].of.var.index == 1) v = UINT64_MAX - 1;   /* UINT64_MAX means none */
  *opt_slot(o, which) = v;
  return unit_result(call, out, true);
}

HOST_FN(h_opts_connect) { UNUSED_ARGS; return opts_get(call, env, args, &results[0], 0); }
HOST_FN(h_opts_first_byte) { UNUSED_ARGS; return opts_get(call, env, args, &results[0], 1); }
HOST_FN(h_opts_between) { UNUSED_ARGS; return opts_get(call, env, args, &results[0], 2); }
HOST_FN(h_opts_set_connect) { UNUSED_ARGS; return opts_set(call, env, args, &results[0], 0); }
HOST_FN(h_opts_set_first_byte) { UNUSED_ARGS; return opts_set(call, env, args, &results[0], 1); }
HOST_FN(h_opts_set_between) { UNUSED_ARGS; return opts_set(call, env, args, &results[0], 2); }

/* ---- response-outparam ---- */
static void outparam_destroy(wf_wasi_obj_t *o) {
  wf_http_outparam_t *p = (wf_http_outparam_t *)o;
  wf_wasi_unref(p->response);
  free(p->error_msg);
  free(p);
}

/* set(param: own<response-outparam>, response: result<own<outgoing-response>, error-code>) */
HOST_FN(h_outparam_set) {
  UNUSED_ARGS;
  wf_http_outparam_t *p = wf_http_arg(call, env, WF_HTTP_RT_RESPONSE_OUTPARAM, &args[0]);
  if (!p) return 1;
  const weft_val_t *r = &args[1];
  if (r->kind != WEFT_VAL_RESULT || !r->of.var.payload) {
    weft_call_trap(call, "wasi:http: response-outparam.set expects a result");
    return 1;
  }
  wf_http_response_t *resp = NULL;
  int code = -1;
  char *msg = NULL;
  if (r->of.var.index == 0) {
    const weft_val_t *v = r->of.var.payload;
    if (!(resp = wf_http_arg(call, env, WF_HTTP_RT_OUTGOING_RESPONSE, v))) return 1;
    if (v->kind != WEFT_VAL_OWN) wf_wasi_ref(resp);
  } else {
    code = error_from_val(r->of.var.payload, &msg);
  }
  if (p->set) {
    wf_wasi_unref(resp);
    free(msg);
    weft_call_trap(call, "wasi:http: response-outparam.set called twice");
    return 1;
  }
  p->set = true;
  p->response = resp;
  p->error_code = code;
  p->error_msg = msg;
  if (p->on_set) p->on_set(p->on_set_env);
  if (args[0].kind == WEFT_VAL_OWN) wf_wasi_unref(p);
  return 0;
}

/* ---- registration ---- */
static void http_dtor(void *env, uint64_t rep) {
  (void)env;
  wf_wasi_unref((void *)(uintptr_t)rep);
}

static const struct {
  const char *name;
  weft_host_fn fn;
} funcs[] = {
    {"[method]incoming-request.method", h_inreq_method},
    {"[method]incoming-request.path-with-query", h_inreq_path},
    {"[method]incoming-request.scheme", h_inreq_scheme},
    {"[method]incoming-request.authority", h_inreq_authority},
    {"[method]incoming-request.headers", h_inreq_headers},
    {"[method]incoming-request.consume", h_inreq_consume},
    {"[constructor]outgoing-request", h_outreq_new},
    {"[method]outgoing-request.body", h_outreq_body},
    {"[method]outgoing-request.method", h_outreq_method},
    {"[method]outgoing-request.set-method", h_outreq_set_method},
    {"[method]outgoing-request.path-with-query", h_outreq_path},
    {"[method]outgoing-request.set-path-with-query", h_outreq_set_path},
    {"[method]outgoing-request.scheme", h_outreq_scheme},
    {"[method]outgoing-request.set-scheme", h_outreq_set_scheme},
    {"[method]outgoing-request.authority", h_outreq_authority},
    {"[method]outgoing-request.set-authority", h_outreq_set_authority},
    {"[method]outgoing-request.headers", h_outreq_headers},
    {"[constructor]request-options", h_opts_new},
    {"[method]request-options.connect-timeout", h_opts_connect},
    {"[method]request-options.set-connect-timeout", h_opts_set_connect},
    {"[method]request-options.first-byte-timeout", h_opts_first_byte},
    {"[method]request-options.set-first-byte-timeout", h_opts_set_first_byte},
    {"[method]request-options.between-bytes-timeout", h_opts_between},
    {"[method]request-options.set-between-bytes-timeout", h_opts_set_between},
    {"[static]response-outparam.set", h_outparam_set},
    {"[method]incoming-response.status", h_inresp_status},
    {"[method]incoming-response.headers", h_inresp_headers},
    {"[method]incoming-response.consume", h_inresp_consume},
    {"[method]incoming-body.stream", h_inbody_stream},
    {"[static]incoming-body.finish", h_inbody_finish},
    {"[method]future-trailers.subscribe", h_trailers_subscribe},
    {"[method]future-trailers.get", h_trailers_get},
    {"[constructor]outgoing-response", h_outresp_new},
    {"[method]outgoing-response.status-code", h_outresp_status},
    {"[method]outgoing-response.set-status-code", h_outresp_set_status},
    {"[method]outgoing-response.headers", h_outresp_headers},
    {"[method]outgoing-response.body", h_outresp_body},
    {"[method]outgoing-body.write", h_outbody_write},
    {"[static]outgoing-body.finish", h_outbody_finish},
};

weft_status_t wf_http_add_types(weft_linker_t *l, wf_http_link_t *h, weft_error_t *err) {
  for (int t = 0; t < WF_HTTP_RT_COUNT; t++) {
    weft_status_t st = weft_linker_define_resource(l, IFACE, rt_names[t], http_dtor, h, &h->rt[t], err);
    if (st != WEFT_OK) return st;
  }
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    weft_status_t st = weft_linker_define_func(l, IFACE, funcs[i].name, funcs[i].fn, h, err);
    if (st != WEFT_OK) return st;
  }
  weft_status_t st = wf_http_add_future(l, h, err);
  return st == WEFT_OK ? wf_http_add_fields(l, h, err) : st;
}

static void link_free(void *p) {
  wf_http_link_t *h = p;
  wf_http_client_free(h->client);
  pthread_mutex_destroy(&h->mu);
  free(h);
}

weft_status_t wf_wasi_add_http(weft_linker_t *l, wf_wasi_link_t *k, weft_error_t *err) {
  wf_http_link_t *h = calloc(1, sizeof *h);
  if (!h) return WEFT_ERR_NOMEM;
  h->wasi = k;
  pthread_mutex_init(&h->mu, NULL);
  k->ext[WF_WASI_EXT_HTTP] = h;
  k->ext_free[WF_WASI_EXT_HTTP] = link_free;
  weft_status_t st = wf_http_add_types(l, h, err);
  if (st == WEFT_OK) st = wf_http_add_outgoing(l, h, err);
  return st;
}

/* ---- the incoming side, for `weft serve` ---- */
wf_http_link_t *wf_http_link_of(weft_cinstance_t *inst) {
  wf_wasi_ctx_t *x = weft_cinstance_state(inst, WF_WASI_STATE_KEY);
  return x && x->link ? x->link->ext[WF_WASI_EXT_HTTP] : NULL;
}

int wf_http_incoming_request_new(wf_http_link_t *h, const char *method, const char *scheme, const char *authority,
                                 const char *path_with_query, const wf_http_header_t *headers, size_t nheaders,
                                 wf_http_chan_t *body, weft_val_t *out, char *msg, size_t msgcap) {
  if (!method || !wf_http_is_token(method, strlen(method))) {
    snprintf(msg, msgcap, "invalid request method");
    return -1;
  }
  if (authority && !valid_part(authority, strlen(authority), false)) {
    snprintf(msg, msgcap, "invalid authority");
    return -1;
  }
  if (path_with_query && !valid_part(path_with_query, strlen(path_with_query), true)) {
    snprintf(msg, msgcap, "invalid request target");
    return -1;
  }
  wf_http_fields_t *f = wf_http_fields_new();
  if (!f) goto nomem;
  for (size_t i = 0; i < nheaders; i++) {
    int he = wf_http_fields_append(f, headers[i].name, strlen(headers[i].name), headers[i].value,
                                   headers[i].value_len, false);
    if (he) {
      wf_wasi_unref(f);
      if (he < 0) goto nomem;
      snprintf(msg, msgcap, "invalid header field '%.64s'", headers[i].name);
      return -1;
    }
  }
  f->immutable = true;
  wf_http_request_t *r = request_new(f);
  if (!r) {
    wf_wasi_unref(f);
    goto nomem;
  }
  r->incoming = true;
  r->method = WF_HTTP_METHOD_OTHER;
  for (int m = 0; m < WF_HTTP_METHOD_OTHER; m++)
    if (!strcmp(method, method_names[m])) r->method = m;
  bool ok = true;
  if (r->method == WF_HTTP_METHOD_OTHER) ok = (r->method_other = strdup(method)) != NULL;
  if (scheme) {
    if (!strcasecmp(scheme, "http")) r->scheme = 0;
    else if (!strcasecmp(scheme, "https")) r->scheme = 1;
    else {
      r->scheme = WF_HTTP_SCHEME_OTHER;
      ok = ok && (r->scheme_other = strdup(scheme)) != NULL;
    }
  }
  if (authority) ok = ok && (r->authority = strdup(authority)) != NULL;
  if (path_with_query) ok = ok && (r->path = strdup(path_with_query)) != NULL;
  if (body) {
    r->body = wf_http_chan_ref(body);
  } else if ((r->body = wf_http_chan_new(0))) {
    wf_http_chan_finish(r->body, -1, NULL);
  } else {
    ok = false;
  }
  if (!ok) {
    wf_wasi_unref(r);
    goto nomem;
  }
  *out = wf_http_own(h, WF_HTTP_RT_INCOMING_REQUEST, r);
  return 0;
nomem:
  snprintf(msg, msgcap, "out of memory");
  return -1;
}

int wf_http_outparam_new(wf_http_link_t *h, weft_val_t *out, wf_http_outparam_t **op) {
  wf_http_outparam_t *p = calloc(1, sizeof *p);
  if (!p) return -1;
  wf_wasi_obj_init(&p->obj, outparam_destroy);
  p->error_code = -1;
  *op = wf_wasi_ref(p);   /* one for serve, one for the guest's handle */
  *out = wf_http_own(h, WF_HTTP_RT_RESPONSE_OUTPARAM, p);
  return 0;
}
