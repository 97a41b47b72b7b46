/* Arena allocation and the byte reader of the component decoder. */
#include <stdlib.h>
#include <string.h>

#include "../util/leb128.h"
#include "cinternal.h"

typedef struct wf_cchunk {
  struct wf_cchunk *next;
  size_t used, size;
  max_align_t data[];
} wf_cchunk_t;

struct wf_carena {
  wf_cchunk_t *head;
};

#define WF_CHUNK_MIN (64u * 1024u)

wf_carena_t *wf_carena_new(void) { return calloc(1, sizeof(wf_carena_t)); }

void wf_carena_free(wf_carena_t *a) {
  if (!a) return;
  wf_cchunk_t *c = a->head;
  while (c) {
    wf_cchunk_t *n = c->next;
    free(c);
    c = n;
  }
  free(a);
}

void *wf_carena_alloc(wf_carena_t *a, size_t size) {
  size = (size + 15u) & ~(size_t)15u;
  if (size == 0) size = 16;
  if (size > ((size_t)1 << 40)) return NULL;
  wf_cchunk_t *c = a->head;
  if (!c || c->size - c->used < size) {
    size_t sz = size > WF_CHUNK_MIN ? size : WF_CHUNK_MIN;
    c = malloc(sizeof(wf_cchunk_t) + sz);
    if (!c) return NULL;
    c->size = sz;
    c->used = 0;
    c->next = a->head;
    a->head = c;
  }
  void *p = (char *)c->data + c->used;
  c->used += size;
  memset(p, 0, size);
  return p;
}

bool wf_carena_grow(wf_carena_t *a, void **ptr, uint32_t *cap, uint32_t n, size_t elem) {
  uint64_t nc = *cap ? (uint64_t)*cap * 2 : 8;
  if (nc > UINT32_MAX / 2) return false;
  void *p = wf_carena_alloc(a, (size_t)nc * elem);
  if (!p) return false;
  if (n) memcpy(p, *ptr, (size_t)n * elem);
  *ptr = p;
  *cap = (uint32_t)nc;
  return true;
}

/* ---- Reader ---------------------------------------------------------------- */

bool wf_cr_byte(wf_creader_t *r, uint8_t *out) {
  if (r->p >= r->end) return wf_error_at(r->err, wf_cr_off(r), "unexpected end-of-file");
  *out = *r->p++;
  return true;
}

bool wf_cr_u32(wf_creader_t *r, uint32_t *out) {
  uint64_t v;
  const uint8_t *start = r->p;
  switch (wf_leb_read_u(&r->p, r->end, 32, &v)) {
  case WF_LEB_OK: *out = (uint32_t)v; return true;
  case WF_LEB_EOF: return wf_error_at(r->err, wf_cr_off(r), "unexpected end-of-file");
  case WF_LEB_TOO_LONG:
    return wf_error_at(r->err, (size_t)(start - r->base), "invalid var_u32: integer representation too long");
  default:
    return wf_error_at(r->err, (size_t)(start - r->base), "invalid var_u32: integer too large");
  }
}

bool wf_cr_s33(wf_creader_t *r, int64_t *out) {
  const uint8_t *start = r->p;
  switch (wf_leb_read_s(&r->p, r->end, 33, out)) {
  case WF_LEB_OK: return true;
  case WF_LEB_EOF: return wf_error_at(r->err, wf_cr_off(r), "unexpected end-of-file");
  default: return wf_error_at(r->err, (size_t)(start - r->base), "invalid var_s33: integer too large");
  }
}

static bool utf8_ok(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t k;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
    else return false;
    if (n - i <= k) return false;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += k + 1;
  }
  return true;
}

bool wf_cr_name(wf_creader_t *r, const char **s, uint32_t *len) {
  uint32_t n;
  if (!wf_cr_u32(r, &n)) return false;
  if ((size_t)(r->end - r->p) < n) return wf_error_at(r->err, wf_cr_off(r), "unexpected end-of-file");
  if (!utf8_ok(r->p, n)) return wf_error_at(r->err, wf_cr_off(r), "malformed UTF-8 encoding");
  *s = (const char *)r->p;
  *len = n;
  r->p += n;
  return true;
}

bool wf_cr_count(wf_creader_t *r, uint32_t *out, uint32_t min_item) {
  if (!wf_cr_u32(r, out)) return false;
  if (min_item == 0) min_item = 1;
  if ((uint64_t)*out * min_item > (uint64_t)(r->end - r->p))
    return wf_error_at(r->err, wf_cr_off(r), "unexpected end-of-file");
  return true;
}

bool wf_cr_malformed(wf_creader_t *r, const char *what, uint8_t b) {
  return wf_error_at(r->err, wf_cr_off(r) ? wf_cr_off(r) - 1 : 0,
                     "invalid leading byte (0x%x) for %s", b, what);
}
