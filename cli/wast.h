/* weft wast: internal interfaces between the runner (wast.c), its value
 * helpers (wast_values.c) and the spectest host module (spectest.c). */
#ifndef WEFT_CLI_WAST_H
#define WEFT_CLI_WAST_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "weft.h"

/* ---- spectest host module (spectest.c) ---- */

#define SPECTEST_MAX 16

typedef struct {
  const char *name;
  weft_extern_t ext;
} spectest_entry_t;

typedef struct {
  spectest_entry_t entries[SPECTEST_MAX];
  size_t n;
} spectest_t;

/* Makes fresh spectest objects in `store`. Returns 0, or -1 with err filled. */
int spectest_init(spectest_t *st, weft_store_t *store, weft_error_t *err);
/* Returns 1 and fills *out if spectest exports name[0..len). */
int spectest_lookup(const spectest_t *st, const char *name, size_t len, weft_extern_t *out);

/* ---- values (wast_values.c) ---- */

/* Reads one {"type": T, "value": V} argument. Returns 0, or -1 with a reason
 * in why[0..whylen). */
int wast_parse_arg(const json_value_t *v, weft_core_val_t *out, char *why, size_t whylen);
/* The value kind named by {"type": T}; -1 if unknown or unsupported. */
int wast_kind_of(const json_value_t *v);
/* Checks `got` against one expected {"type": T, "value": V} (NaN patterns,
 * null and extern references). Returns 1 on a match, 0 on a mismatch, -1 if
 * the expectation cannot be read (why says which). */
int wast_match(const json_value_t *expected, const weft_core_val_t *got, char *why, size_t whylen);
/* Writes a readable form of v (e.g. "i32:42", "f32:0x7fc00000 (nan)"). */
void wast_format_val(const weft_core_val_t *v, char *buf, size_t len);
/* Writes a readable form of an expected value. */
void wast_format_expected(const json_value_t *expected, char *buf, size_t len);

#endif
