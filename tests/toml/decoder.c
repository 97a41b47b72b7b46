/* toml-test decoder: TOML on stdin; on success the tagged JSON on stdout and
 * exit 0, on invalid input the error on stderr and exit 1.
 * Built by tests/cli/toml.sh against libweft.a. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/toml.h"

static void put_str(const char *s, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': fputs("\\\"", stdout); break;
      case '\\': fputs("\\\\", stdout); break;
      case '\n': fputs("\\n", stdout); break;
      case '\t': fputs("\\t", stdout); break;
      case '\r': fputs("\\r", stdout); break;
      case '\b': fputs("\\b", stdout); break;
      case '\f': fputs("\\f", stdout); break;
      default:
        if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
        else putchar(c);
    }
  }
  putchar('"');
}

static void put_tagged(const char *type, const char *val, size_t n) {
  printf("{\"type\": \"%s\", \"value\": ", type);
  put_str(val, n);
  putchar('}');
}

static void put_value(const wf_toml_value_t *v) {
  char b[64];
  switch (v->kind) {
    case WF_TOML_TABLE:
      putchar('{');
      for (size_t i = 0; i < wf_toml_len(v); i++) {
        size_t kl;
        const char *k = wf_toml_key_at(v, i, &kl);
        if (i) fputs(", ", stdout);
        put_str(k, kl);
        fputs(": ", stdout);
        put_value(wf_toml_at(v, i));
      }
      putchar('}');
      break;
    case WF_TOML_ARRAY:
      putchar('[');
      for (size_t i = 0; i < wf_toml_len(v); i++) {
        if (i) fputs(", ", stdout);
        put_value(wf_toml_at(v, i));
      }
      putchar(']');
      break;
    case WF_TOML_INT:
      snprintf(b, sizeof b, "%lld", (long long)v->u.i);
      put_tagged("integer", b, strlen(b));
      break;
    case WF_TOML_FLOAT:
      if (isnan(v->u.f)) snprintf(b, sizeof b, "nan");
      else if (isinf(v->u.f)) snprintf(b, sizeof b, "%sinf", v->u.f < 0 ? "-" : "");
      else snprintf(b, sizeof b, "%.17g", v->u.f);
      put_tagged("float", b, strlen(b));
      break;
    case WF_TOML_BOOL:
      put_tagged("bool", v->u.b ? "true" : "false", v->u.b ? 4 : 5);
      break;
    default:
      put_tagged(wf_toml_kind_name(v->kind), v->u.str.s, v->u.str.len);
      break;
  }
}

int main(void) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) return 2;
  for (;;) {
    if (n == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) return 2;
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, stdin);
    if (got == 0) break;
    n += got;
  }
  wf_error_t err;
  wf_toml_value_t *doc = wf_toml_parse(buf, n, "<stdin>", &err);
  free(buf);
  if (!doc) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  put_value(doc);
  putchar('\n');
  wf_toml_free(doc);
  return 0;
}
