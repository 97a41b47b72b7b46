/* Strings across the canonical ABI: load_string_from_range (utf8, utf16,
 * latin1+utf16 -> UTF-8 in the arena) and store_string_into_range (UTF-8 ->
 * the guest's encoding, allocating through its realloc exactly as the
 * spec's store_string_* algorithms do for a UTF-8 source). */
#include <string.h>

#include "canon.h"
#include "../util/utf8.h"

/* ---- UTF-8 ---- */

bool wf_utf8_validate(const uint8_t *s, size_t len, size_t *err_at, bool *incomplete) {
  size_t i = 0;
  while (i < len) {
    /* ASCII fast path, 8 bytes at a time */
    while (i + 8 <= len) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= len) break;
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t need;
    uint32_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) { need = 2; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) need = 2;
    else if (c == 0xED) { need = 2; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) need = 2;
    else if (c == 0xF0) { need = 3; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) { need = 3; hi = 0x8F; }
    else { *err_at = i; *incomplete = false; return false; }
    for (size_t k = 1; k <= need; k++) {
      if (i + k >= len) { *err_at = i; *incomplete = true; return false; }
      uint8_t b = s[i + k];
      uint32_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (b < l || b > h) { *err_at = i; *incomplete = false; return false; }
    }
    i += need + 1;
  }
  return true;
}

uint32_t wf_utf8_next(const uint8_t *s, size_t *i) {
  uint8_t c = s[*i];
  if (c < 0x80) { (*i)++; return c; }
  if (c < 0xE0) { uint32_t r = ((uint32_t)(c & 0x1F) << 6) | (s[*i + 1] & 0x3F); *i += 2; return r; }
  if (c < 0xF0) {
    uint32_t r = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[*i + 1] & 0x3F) << 6) | (s[*i + 2] & 0x3F);
    *i += 3;
    return r;
  }
  uint32_t r = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[*i + 1] & 0x3F) << 12) |
               ((uint32_t)(s[*i + 2] & 0x3F) << 6) | (s[*i + 3] & 0x3F);
  *i += 4;
  return r;
}

static size_t put_utf8(uint8_t *d, uint32_t cp) { return wf_utf8_encode(cp, (char *)d); }

static void put_u16(uint8_t *d, uint32_t u) { d[0] = (uint8_t)u; d[1] = (uint8_t)(u >> 8); }
static uint32_t get_u16(const uint8_t *s) { return (uint32_t)s[0] | ((uint32_t)s[1] << 8); }

/* ---- lifting ---- */

static bool oob(wf_cx_t *cx) {
  return wf_cx_trap(cx, cx->adapter ? "string content out-of-bounds" : "string pointer/length out of bounds of memory");
}

bool wf_canon_load_string(wf_cx_t *cx, uint32_t ptr, uint32_t tagged, weft_val_t *out) {
  const wf_meminst_t *m = cx->opts->mem;
  uint8_t enc = cx->opts->enc;
  uint64_t bytes;
  uint32_t alignment = 1;
  bool utf16 = false;
  if (!m) return wf_cx_trap(cx, "string lifted without a memory");
  if (enc == WF_STRENC_UTF8) bytes = tagged;
  else if (enc == WF_STRENC_UTF16) { bytes = 2ull * tagged; alignment = 2; utf16 = true; }
  else {
    alignment = 2;
    if (tagged & WF_UTF16_TAG) { bytes = 2ull * (tagged ^ WF_UTF16_TAG); utf16 = true; }
    else bytes = tagged;
  }
  if (bytes > WF_MAX_STRING_BYTES) return oob(cx);
  if (ptr & (alignment - 1)) return wf_cx_trap(cx, "unaligned pointer");
  if ((uint64_t)ptr + bytes > m->size) return oob(cx);
  const uint8_t *src = m->base + ptr;
  out->kind = WEFT_VAL_STRING;
  if (bytes == 0) { out->of.str.ptr = ""; out->of.str.len = 0; return true; }
  if (!cx->arena) return wf_cx_trap(cx, "no arena for lifted values");
  if (enc == WF_STRENC_UTF8) {
    size_t at;
    bool inc;
    if (!wf_utf8_validate(src, (size_t)bytes, &at, &inc)) {
      if (cx->adapter) return wf_cx_trap(cx, inc ? "incomplete utf-8 byte sequence" : "invalid utf-8");
      if (inc) return wf_cx_trap(cx, "incomplete utf-8 byte sequence from index %zu", at);
      return wf_cx_trap(cx, "invalid utf-8 sequence from index %zu", at);
    }
    char *d = wf_arena_alloc(cx->arena, (size_t)bytes);
    if (!d) return wf_trapf(cx->trap, WF_TRAP_OOM, "out of memory lifting a string");
    memcpy(d, src, (size_t)bytes);
    out->of.str.ptr = d;
    out->of.str.len = (size_t)bytes;
    return true;
  }
  if (!utf16) {   /* latin1: each byte is a code point */
    uint8_t *d = wf_arena_alloc(cx->arena, (size_t)bytes * 2);
    if (!d) return wf_trapf(cx->trap, WF_TRAP_OOM, "out of memory lifting a string");
    size_t o = 0;
    for (uint64_t i = 0; i < bytes; i++) o += put_utf8(d + o, src[i]);
    out->of.str.ptr = (const char *)d;
    out->of.str.len = o;
    return true;
  }
  size_t units = (size_t)(bytes / 2);
  uint8_t *d = wf_arena_alloc(cx->arena, units * 3);
  if (!d) return wf_trapf(cx->trap, WF_TRAP_OOM, "out of memory lifting a string");
  size_t o = 0;
  for (size_t i = 0; i < units; i++) {
    uint32_t u = get_u16(src + 2 * i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      uint32_t u2 = i + 1 < units ? get_u16(src + 2 * (i + 1)) : 0;
      if (u2 < 0xDC00 || u2 > 0xDFFF) return wf_cx_trap(cx, "invalid utf-16: lone surrogate found");
      u = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
      i++;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return wf_cx_trap(cx, "invalid utf-16: lone surrogate found");
    }
    o += put_utf8(d + o, u);
  }
  out->of.str.ptr = (const char *)d;
  out->of.str.len = o;
  return true;
}

/* ---- lowering ---- */

/* Check an allocation result: alignment then bounds. */
static bool check_range(wf_cx_t *cx, uint32_t ptr, uint32_t align, uint64_t size) {
  if (ptr & (align - 1))
    return wf_cx_trap(cx, cx->adapter ? "unaligned pointer" : "realloc return: result not aligned");
  if ((uint64_t)ptr + size > cx->opts->mem->size)
    return wf_cx_trap(cx, cx->adapter ? "string content out-of-bounds" : "realloc return: beyond end of memory");
  return true;
}

bool wf_canon_alloc_checked(wf_cx_t *cx, uint32_t align, uint32_t size, bool is_string, uint32_t *out) {
  if (!wf_canon_realloc(cx, 0, 0, align, size, out)) return false;
  if (*out & (align - 1))
    return wf_cx_trap(cx, cx->adapter ? "unaligned pointer" : "realloc return: result not aligned");
  if ((uint64_t)*out + size > cx->opts->mem->size)
    return wf_cx_trap(cx, cx->adapter ? (is_string ? "string content out-of-bounds" : "list content out-of-bounds")
                                      : "realloc return: beyond end of memory");
  return true;
}

/* UTF-8 (valid) -> UTF-16LE at d; returns bytes written. */
static size_t utf8_to_utf16(const uint8_t *s, size_t len, size_t i, uint8_t *d) {
  size_t o = 0;
  while (i < len) {
    uint32_t cp = wf_utf8_next(s, &i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put_u16(d + o, 0xD800 + (cp >> 10));
      put_u16(d + o + 2, 0xDC00 + (cp & 0x3FF));
      o += 4;
    } else {
      put_u16(d + o, cp);
      o += 2;
    }
  }
  return o;
}

bool wf_canon_store_string(wf_cx_t *cx, const char *str, size_t len, uint32_t *pptr, uint32_t *ptagged) {
  const uint8_t *s = (const uint8_t *)str;
  if (!cx->opts->mem) return wf_cx_trap(cx, "string lowered without a memory");
  if (len > WF_MAX_STRING_BYTES && (cx->bad_value = true)) return wf_cx_trap(cx, "string too long to lower (%zu bytes)", len);
  {
    size_t at;
    bool inc;
    if (len && !wf_utf8_validate(s, len, &at, &inc) && (cx->bad_value = true))
      return wf_cx_trap(cx, "%s: string is not valid utf-8 (at byte %zu)", cx->badval ? cx->badval : "value", at);
  }
  uint32_t n = (uint32_t)len, ptr;
  switch (cx->opts->enc) {
  case WF_STRENC_UTF8:
    if (!wf_canon_realloc(cx, 0, 0, 1, n, &ptr) || !check_range(cx, ptr, 1, n)) return false;
    if (n) memcpy(cx->opts->mem->base + ptr, s, n);
    *pptr = ptr;
    *ptagged = n;
    return true;
  case WF_STRENC_UTF16: {
    uint32_t worst = 2 * n;
    if (!wf_canon_realloc(cx, 0, 0, 2, worst, &ptr) || !check_range(cx, ptr, 2, worst)) return false;
    size_t enc = utf8_to_utf16(s, n, 0, cx->opts->mem->base + ptr);
    if (enc < worst) {
      if (!wf_canon_realloc(cx, ptr, worst, 2, (uint32_t)enc, &ptr) || !check_range(cx, ptr, 2, enc)) return false;
    }
    *pptr = ptr;
    *ptagged = (uint32_t)(enc / 2);
    return true;
  }
  default: { /* latin1+utf16 from utf8: store_string_to_latin1_or_utf16 */
    if (!wf_canon_realloc(cx, 0, 0, 2, n, &ptr) || !check_range(cx, ptr, 2, n)) return false;
    uint32_t dst = 0;
    size_t i = 0;
    while (i < n) {
      size_t at = i;
      uint32_t cp = wf_utf8_next(s, &i);
      if (cp < 256) {
        cx->opts->mem->base[ptr + dst++] = (uint8_t)cp;
        continue;
      }
      uint32_t worst = 2 * n;
      if (!wf_canon_realloc(cx, ptr, n, 2, worst, &ptr) || !check_range(cx, ptr, 2, worst)) return false;
      uint8_t *b = cx->opts->mem->base + ptr;
      for (uint32_t j = dst; j-- > 0;) {
        b[2 * j] = b[j];
        b[2 * j + 1] = 0;
      }
      size_t enc = 2 * (size_t)dst + utf8_to_utf16(s, n, at, b + 2 * (size_t)dst);
      if (worst > enc) {
        if (!wf_canon_realloc(cx, ptr, worst, 2, (uint32_t)enc, &ptr) || !check_range(cx, ptr, 2, enc)) return false;
      }
      *pptr = ptr;
      *ptagged = (uint32_t)(enc / 2) | WF_UTF16_TAG;
      return true;
    }
    if (dst < n) {
      if (!wf_canon_realloc(cx, ptr, n, 2, dst, &ptr) || !check_range(cx, ptr, 2, dst)) return false;
    }
    *pptr = ptr;
    *ptagged = dst;
    return true;
  }
  }
}
