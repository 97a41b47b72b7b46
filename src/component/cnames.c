/* Import/export names of the Component Model: kebab-case labels, annotated
 * plain names, interface names with semver, and strong uniqueness. */
#include <string.h>

#include "cinternal.h"

/* label ::= first-fragment ('-' fragment)*; fragments all-lower or all-upper
 * alphanumerics; the first fragment starts with a letter. words_only: every
 * fragment lowercase (the <words> production). */
static bool label_ok(const char *s, uint32_t len, bool words_only) {
  if (len == 0) return false;
  uint32_t i = 0;
  bool first = true;
  while (i <= len) {
    uint32_t j = i;
    int cas = 0; /* 1 lower, 2 upper */
    while (j < len && s[j] != '-') {
      char c = s[j];
      if (c >= 'a' && c <= 'z') { if (cas == 2) return false; cas = 1; }
      else if (c >= 'A' && c <= 'Z') { if (cas == 1 || words_only) return false; cas = 2; }
      else if (c >= '0' && c <= '9') { if (j == i && first) return false; }
      else return false;
      j++;
    }
    if (j == i) return false;
    first = false;
    if (j == len) return true;
    i = j + 1;
  }
  return true;
}

bool wf_cname_label(const char *s, uint32_t len) { return label_ok(s, len, false); }

static const char *memchr_c(const char *s, uint32_t len, char c) {
  return len ? memchr(s, c, len) : NULL;
}

/* Both wordings are in use by the reference validators' tests. */
static bool kebab_err(wf_error_t *err, size_t off, const char *s, uint32_t len, const char *full, uint32_t flen) {
  return wf_error_at(err, off, "`%.*s` is not in kebab case (`%.*s` is not a valid extern name)",
                     WF_NLEN(len), s, WF_NLEN(flen), full);
}

/* Semantic Versioning 2.0: major.minor.patch(-pre)?(+build)? */
static bool semver_num(const char **pp, const char *end, wf_error_t *err, size_t off, bool last) {
  const char *p = *pp;
  if (p >= end) return wf_error_at(err, off, last ? "unexpected end of input" : "unexpected end of input");
  if (*p < '0' || *p > '9') return wf_error_at(err, off, "unexpected character '%c'", *p);
  if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
    return wf_error_at(err, off, "invalid leading zero");
  while (p < end && *p >= '0' && *p <= '9') p++;
  *pp = p;
  return true;
}

static bool semver_idents(const char *p, const char *end, bool pre, wf_error_t *err, size_t off) {
  for (;;) {
    const char *q = p;
    bool alldig = true;
    while (q < end && *q != '.') {
      char c = *q;
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
        return wf_error_at(err, off, "unexpected character '%c'", c);
      if (!(c >= '0' && c <= '9')) alldig = false;
      q++;
    }
    if (q == p) return wf_error_at(err, off, "empty identifier segment");
    if (pre && alldig && *p == '0' && q - p > 1) return wf_error_at(err, off, "invalid leading zero");
    if (q == end) return true;
    p = q + 1;
  }
}

static bool semver_ok(const char *s, uint32_t len, wf_error_t *err, size_t off) {
  const char *p = s, *end = s + len;
  if (len == 0) return wf_error_at(err, off, "empty string");
  for (int k = 0; k < 3; k++) {
    if (!semver_num(&p, end, err, off, k == 2)) return false;
    if (k < 2) {
      if (p >= end) return wf_error_at(err, off, "unexpected end of input");
      if (*p != '.') return wf_error_at(err, off, "unexpected character '%c'", *p);
      p++;
    }
  }
  if (p < end && *p == '-') {
    const char *q = p + 1, *e = q;
    while (e < end && *e != '+') e++;
    if (!semver_idents(q, e, true, err, off)) return false;
    p = e;
  }
  if (p < end && *p == '+') return semver_idents(p + 1, end, false, err, off);
  if (p < end) return wf_error_at(err, off, "unexpected character '%c'", *p);
  return true;
}

/* canonversion ::= [1-9][0-9]* | '0.' [1-9][0-9]* | '0.0.' [1-9][0-9]* | '0.0.0' */
static bool canonversion_ok(const char *v, uint32_t n) {
  uint32_t i = 0;
  for (int part = 0; part < 3; part++) {
    if (i >= n) return false;
    if (v[i] == '0') {
      i++;
      if (part == 2) return i == n;
      if (i >= n || v[i] != '.') return false;
      i++;
      continue;
    }
    if (v[i] < '1' || v[i] > '9') return false;
    while (i < n && v[i] >= '0' && v[i] <= '9') i++;
    return i == n;
  }
  return false;
}

static bool interface_ok(const char *s, uint32_t len, wf_error_t *err, size_t off) {
  const char *colon = memchr_c(s, len, ':');
  uint32_t nslen = (uint32_t)(colon - s);
  if (!label_ok(s, nslen, true)) return kebab_err(err, off, s, nslen, s, len);
  const char *pkg = colon + 1;
  uint32_t rest = len - nslen - 1;
  uint32_t pkglen = 0;
  while (pkglen < rest && pkg[pkglen] != '/' && pkg[pkglen] != ':' && pkg[pkglen] != '@') pkglen++;
  if (!label_ok(pkg, pkglen, true)) return kebab_err(err, off, pkg, pkglen, s, len);
  if (pkglen == rest || pkg[pkglen] != '/') return wf_error_at(err, off, "expected `/` after package name");
  const char *slash = pkg + pkglen;
  const char *iface = slash + 1;
  uint32_t ilen = len - (uint32_t)(iface - s);
  const char *at = memchr_c(iface, ilen, '@');
  uint32_t plen = at ? (uint32_t)(at - iface) : ilen;
  const char *sl2 = memchr_c(iface, plen, '/');
  if (sl2) {
    uint32_t l0 = (uint32_t)(sl2 - iface);
    if (!label_ok(iface, l0, false)) return kebab_err(err, off, iface, l0, s, len);
    return wf_error_at(err, off, "trailing characters found: `%.*s`", WF_NLEN(len - (uint32_t)(sl2 - s)), sl2);
  }
  if (!label_ok(iface, plen, false)) return kebab_err(err, off, iface, plen, s, len);
  if (at) {
    uint32_t vl = len - (uint32_t)(at + 1 - s);
    if (canonversion_ok(at + 1, vl)) return true; /* e.g. @0.2 or @1 */
    return semver_ok(at + 1, vl, err, off);
  }
  return true;
}

bool wf_cname_extern(const char *s, uint32_t len, wf_cname_info_t *info, wf_error_t *err, size_t off) {
  static const struct { const char *p; int kind; } ann[] = {
    {"[constructor]", 1}, {"[method]", 2}, {"[static]", 3},
  };
  memset(info, 0, sizeof(*info));
  for (unsigned i = 0; i < 3; i++) {
    size_t pl = strlen(ann[i].p);
    if (len >= pl && memcmp(s, ann[i].p, pl) == 0) {
      const char *q = s + pl;
      uint32_t ql = len - (uint32_t)pl;
      info->kind = ann[i].kind;
      if (ann[i].kind == 1) {
        if (!label_ok(q, ql, false)) return kebab_err(err, off, q, ql, s, len);
        info->res = q; info->res_len = ql;
        return true;
      }
      const char *dot = memchr_c(q, ql, '.');
      if (!dot) return wf_error_at(err, off, "failed to find `.` character");
      uint32_t rl = (uint32_t)(dot - q);
      if (!label_ok(q, rl, false)) return kebab_err(err, off, q, rl, s, len);
      if (!label_ok(dot + 1, ql - rl - 1, false)) return kebab_err(err, off, dot + 1, ql - rl - 1, s, len);
      info->res = q; info->res_len = rl;
      return true;
    }
  }
  if (memchr_c(s, len, ':')) {
    info->kind = 4;
    return interface_ok(s, len, err, off);
  }
  if (!label_ok(s, len, false)) return kebab_err(err, off, s, len, s, len);
  return true;
}


/* Canonical form for strong uniqueness, written to buf (lowercased; [method]
 * and [static] stripped, or reduced to l for l.l). */
uint32_t wf_cname_canonical(const char *s, uint32_t len, char *buf, uint32_t cap) {
  const char *p = s;
  uint32_t n = len;
  bool ctor = false;
  if (n >= 8 && (memcmp(p, "[method]", 8) == 0)) { p += 8; n -= 8; }
  else if (n >= 8 && memcmp(p, "[static]", 8) == 0) { p += 8; n -= 8; }
  else if (n >= 13 && memcmp(p, "[constructor]", 13) == 0) ctor = true;
  (void)ctor;
  uint32_t o = 0;
  const char *dot = (p != s) ? memchr_c(p, n, '.') : NULL;
  if (dot) {
    uint32_t a = (uint32_t)(dot - p), b = n - a - 1;
    bool same = a == b;
    for (uint32_t i = 0; same && i < a; i++) {
      char x = p[i], y = dot[1 + i];
      if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
      if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
      if (x != y) same = false;
    }
    if (same) n = a;
  }
  for (uint32_t i = 0; i < n && o < cap; i++) {
    char c = p[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    buf[o++] = c;
  }
  return o;
}

bool wf_cname_conflict(const char *a, uint32_t alen, const char *b, uint32_t blen) {
  char ba[512], bb[512];
  if (alen > 500 || blen > 500) {
    /* long names: plain case-insensitive comparison */
    if (alen != blen) return false;
    for (uint32_t i = 0; i < alen; i++) {
      char x = a[i], y = b[i];
      if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
      if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
      if (x != y) return false;
    }
    return true;
  }
  uint32_t na = wf_cname_canonical(a, alen, ba, sizeof ba), nb = wf_cname_canonical(b, blen, bb, sizeof bb);
  return na == nb && memcmp(ba, bb, na) == 0;
}

bool wf_cname_versionsuffix(const char *name, uint32_t len, const char *suf, uint32_t slen, wf_error_t *err,
                            size_t off) {
  const char *at = memchr_c(name, len, '@');
  if (!memchr_c(name, len, ':') || !at)
    return wf_error_at(err, off, "`versionsuffix` requires an interface name with a version");
  const char *v = at + 1;
  uint32_t vl = len - (uint32_t)(v - name);
  if (!canonversion_ok(v, vl))
    return wf_error_at(err, off, "`versionsuffix` requires a canonical interface version, found `%.*s`", WF_NLEN(vl), v);
  char buf[512];
  if ((size_t)vl + slen >= sizeof buf) return wf_error_at(err, off, "version too long");
  memcpy(buf, v, vl);
  memcpy(buf + vl, suf, slen);
  wf_error_t tmp = {0};
  if (!semver_ok(buf, vl + slen, &tmp, off))
    return wf_error_at(err, off, "`%.*s` with its `versionsuffix` is not a valid semver: %s", WF_NLEN(vl), v, tmp.msg);
  return true;
}
