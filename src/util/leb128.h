/* LEB128 readers. Bounded by `end`; never read past it. Results follow the
 * reference interpreter's classification of bad encodings so that the caller
 * can report "integer representation too long" / "integer too large". */
#ifndef WF_UTIL_LEB128_H
#define WF_UTIL_LEB128_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  WF_LEB_OK = 0,
  WF_LEB_EOF,       /* ran into `end` */
  WF_LEB_TOO_LONG,  /* more bytes than ceil(bits/7) */
  WF_LEB_TOO_LARGE, /* unused bits of the last byte are not zero/sign bits */
} wf_leb_status_t;

/* Unsigned LEB128 of at most `bits` (<= 64) bits. On success advances *pp. */
static inline wf_leb_status_t wf_leb_read_u(const uint8_t **pp, const uint8_t *end,
                                            unsigned bits, uint64_t *out) {
  const uint8_t *p = *pp;
  uint64_t v = 0;
  unsigned shift = 0;
  int n = (int)bits;
  for (;;) {
    if (n <= 0) { *pp = p; return WF_LEB_TOO_LONG; }
    if (p >= end) { *pp = p; return WF_LEB_EOF; }
    uint8_t b = *p++;
    if (n < 7 && (b & 0x7F) >= (1u << n)) { *pp = p - 1; return WF_LEB_TOO_LARGE; }
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
    n -= 7;
  }
  *pp = p;
  *out = v;
  return WF_LEB_OK;
}

/* Signed LEB128 of at most `bits` (<= 64) bits, sign-extended to 64. */
static inline wf_leb_status_t wf_leb_read_s(const uint8_t **pp, const uint8_t *end,
                                            unsigned bits, int64_t *out) {
  const uint8_t *p = *pp;
  uint64_t v = 0;
  unsigned shift = 0;
  int n = (int)bits;
  for (;;) {
    if (n <= 0) { *pp = p; return WF_LEB_TOO_LONG; }
    if (p >= end) { *pp = p; return WF_LEB_EOF; }
    uint8_t b = *p++;
    if (n < 7) {
      uint8_t mask = (uint8_t)((0xFFu << (n - 1)) & 0x7Fu);
      if ((b & mask) != 0 && (b & mask) != mask) { *pp = p - 1; return WF_LEB_TOO_LARGE; }
    }
    v |= (uint64_t)(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) {
      if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
      break;
    }
    n -= 7;
  }
  *pp = p;
  *out = (int64_t)v;
  return WF_LEB_OK;
}

#endif
