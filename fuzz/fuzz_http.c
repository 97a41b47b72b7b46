/* libFuzzer target: the wasi:http input `weft serve` takes from the network
 * (src/wasi/wasi_http.h): wf_http_incoming_request_new (method, scheme,
 * authority, path-with-query, header fields, body) and the header-field
 * checks (wf_http_fields_append/get, wf_http_is_token).
 *
 * Input: one flags byte, then length-prefixed parts (one length byte each):
 * method, scheme, authority, path, body, then header name/value pairs to the
 * end. Flags bits 0-2 leave scheme/authority/path out (NULL); bit 3 gives a
 * body channel. Strings passed as C strings end at their first NUL, as they
 * would in serve.
 *
 * Invariants: the request is refused (-1 with a message) exactly when an
 * independent model of the rules says some part is invalid; an accepted
 * request carries every part back unchanged (method case, scheme, authority,
 * path, headers lower-cased in order, values byte-exact, the body); the
 * fields checks agree with the model (and refuse forbidden names when
 * asked). */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wasi/wasi_http.h"

#define MAX_HEADERS 256

typedef struct {
  const uint8_t *p;
  size_t n;
} cursor_t;

/* A length-prefixed part (NULL at the end of the input). */
static const uint8_t *take(cursor_t *c, size_t *len) {
  if (!c->n) return NULL;
  size_t l = c->p[0];
  c->p++, c->n--;
  if (l > c->n) l = c->n;
  const uint8_t *r = c->p;
  c->p += l, c->n -= l;
  *len = l;
  return r;
}

/* A NUL-terminated copy of a part (ends at an embedded NUL when read as a C string). */
static char *cstr(const uint8_t *p, size_t n) {
  char *s = malloc(n + 1);
  if (!s) abort();
  if (n) memcpy(s, p, n);
  s[n] = 0;
  return s;
}

/* ---- the model (RFC 9110 tokens; weft's rules for authority and path) ---- */

static int m_tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}
static int m_token(const char *s, size_t n) {
  if (!n) return 0;
  for (size_t i = 0; i < n; i++)
    if (!m_tchar((unsigned char)s[i])) return 0;
  return 1;
}
static int m_visible(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) return 0;
  return 1;
}
static int m_authority(const char *s) {
  size_t n = strlen(s);
  return n && m_visible(s, n) && !strpbrk(s, "/?#@");
}
static int m_path(const char *s) {
  size_t n = strlen(s);
  return m_visible(s, n) && (!n || s[0] == '/' || !strcmp(s, "*"));
}
static int m_value(const uint8_t *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == '\r' || v[i] == '\n' || v[i] == 0) return 0;
  return 1;
}
static int m_forbidden(const char *name) {
  static const char *const f[] = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                                  "proxy-connection", "te", "transfer-encoding", "upgrade", "host",
                                  "http2-settings"};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    if (!strcasecmp(name, f[i])) return 1;
  return 0;
}

static int lower_eq(const char *lower, const char *orig) {
  size_t n = strlen(orig);
  if (strlen(lower) != n) return 0;
  for (size_t i = 0; i < n; i++)
    if (lower[i] != (char)tolower((unsigned char)orig[i])) return 0;
  return 1;
}

static void check_request(const wf_http_request_t *r, const char *method, const char *scheme,
                          const char *authority, const char *path, const wf_http_header_t *h, size_t nh,
                          const uint8_t *body, size_t blen) {
  if (!r->incoming || !r->headers || !r->headers->immutable || !r->body) abort();
  if (r->method == WF_HTTP_METHOD_OTHER) {
    if (!r->method_other || strcmp(r->method_other, method)) abort();
    for (int m = 0; m < WF_HTTP_METHOD_OTHER; m++)
      if (!strcmp(wf_http_method_name(m), method)) abort();   /* a known method is not "other" */
  } else {
    if (r->method < 0 || r->method > WF_HTTP_METHOD_OTHER || strcmp(wf_http_method_name(r->method), method)) abort();
  }
  if (!scheme) {
    if (r->scheme != WF_HTTP_SCHEME_NONE) abort();
  } else if (!strcasecmp(scheme, "http")) {
    if (r->scheme != 0) abort();
  } else if (!strcasecmp(scheme, "https")) {
    if (r->scheme != 1) abort();
  } else if (r->scheme != WF_HTTP_SCHEME_OTHER || !r->scheme_other || strcmp(r->scheme_other, scheme)) {
    abort();
  }
  if (!authority != !r->authority || (authority && strcmp(authority, r->authority))) abort();
  if (!path != !r->path || (path && strcmp(path, r->path))) abort();
  if (r->headers->n != nh) abort();
  for (size_t i = 0; i < nh; i++) {
    const wf_http_field_t *f = &r->headers->v[i];
    if (!lower_eq(f->name, h[i].name) || f->value_len != h[i].value_len ||
        (f->value_len && memcmp(f->value, h[i].value, f->value_len)))
      abort();
    /* get returns the first field of that name */
    const wf_http_field_t *g = wf_http_fields_get(r->headers, f->name);
    if (!g || g > f || strcmp(g->name, f->name)) abort();
  }
  /* the body reads back whole, then ends cleanly */
  uint8_t buf[300];
  size_t got = 0;
  for (;;) {
    int ec = -2;
    int64_t k = wf_http_chan_read(r->body, buf + got, sizeof buf - got, &ec, NULL, 0);
    if (k == WF_WASI_CLOSED) break;
    if (k <= 0 || (size_t)k > sizeof buf - got) abort();   /* 0: a finished channel never waits */
    got += (size_t)k;
  }
  if (got != blen || (blen && memcmp(buf, body, blen))) abort();
}

/* The fields checks on their own, with forbidden names refused. */
static void check_fields(const wf_http_header_t *h, size_t nh) {
  wf_http_fields_t *f = wf_http_fields_new();
  if (!f) return;
  size_t kept = 0;
  for (size_t i = 0; i < nh; i++) {
    size_t nl = strlen(h[i].name);
    if (wf_http_is_token(h[i].name, nl) != (bool)m_token(h[i].name, nl)) abort();
    int want = !m_token(h[i].name, nl) || !m_value(h[i].value, h[i].value_len) ? 1
               : m_forbidden(h[i].name)                                        ? 2
                                                                               : 0;
    int got = wf_http_fields_append(f, h[i].name, nl, h[i].value, h[i].value_len, true);
    if (got < 0) break;   /* out of memory */
    if (got != want) abort();
    if (!got) kept++;
  }
  if (f->n != kept) abort();
  wf_wasi_unref(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  unsigned flags = data[0];
  cursor_t c = {data + 1, size - 1};
  const uint8_t *p[5] = {NULL};
  size_t l[5] = {0};
  for (int i = 0; i < 5; i++) {
    p[i] = take(&c, &l[i]);
    if (!p[i]) { p[i] = (const uint8_t *)""; l[i] = 0; }
  }
  char *method = cstr(p[0], l[0]);
  char *scheme = (flags & 1) ? NULL : cstr(p[1], l[1]);
  char *authority = (flags & 2) ? NULL : cstr(p[2], l[2]);
  char *path = (flags & 4) ? NULL : cstr(p[3], l[3]);
  const uint8_t *body = p[4];
  size_t blen = l[4];
  wf_http_header_t h[MAX_HEADERS];
  char *names[MAX_HEADERS];
  size_t nh = 0;
  while (c.n && nh < MAX_HEADERS) {
    size_t nl = 0, vl = 0;
    const uint8_t *np = take(&c, &nl);
    const uint8_t *vp = take(&c, &vl);
    names[nh] = cstr(np, nl);
    h[nh].name = names[nh];
    h[nh].value = vp ? vp : (const uint8_t *)"";
    h[nh].value_len = vp ? vl : 0;
    nh++;
  }

  int valid = m_token(method, strlen(method)) && (!authority || m_authority(authority)) && (!path || m_path(path));
  size_t total = 0;
  for (size_t i = 0; i < nh; i++) {
    valid = valid && m_token(h[i].name, strlen(h[i].name)) && m_value(h[i].value, h[i].value_len);
    total += strlen(h[i].name) + h[i].value_len;
  }
  if (total > WF_HTTP_FIELDS_MAX_BYTES) abort();   /* the input is far smaller */

  wf_http_chan_t *ch = NULL;
  if (flags & 8) {
    if (!(ch = wf_http_chan_new(0))) abort();
    if (wf_http_chan_write(ch, body, blen) != 0) abort();
    wf_http_chan_finish(ch, -1, NULL);
  } else {
    blen = 0;
  }

  wf_http_link_t link;
  memset(&link, 0, sizeof link);   /* resource types are only copied into the value */
  weft_val_t v;
  char msg[200];
  msg[0] = 0;
  int rc = wf_http_incoming_request_new(&link, method, scheme, authority, path, h, nh, ch, &v, msg, sizeof msg);
  if (rc == 0) {
    if (!valid || v.kind != WEFT_VAL_OWN || !v.of.res.rep) abort();
    wf_http_request_t *r = (wf_http_request_t *)(uintptr_t)v.of.res.rep;
    check_request(r, method, scheme, authority, path, h, nh, body, blen);
    wf_wasi_unref(r);
  } else {
    if (rc != -1 || !msg[0] || memchr(msg, 0, sizeof msg) == NULL) abort();
    if (valid && strcmp(msg, "out of memory") != 0) abort();
  }
  wf_http_chan_unref(ch);
  check_fields(h, nh);

  for (size_t i = 0; i < nh; i++) free(names[i]);
  free(method);
  free(scheme);
  free(authority);
  free(path);
  return 0;
}
