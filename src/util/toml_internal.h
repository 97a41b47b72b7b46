/* Internal to the TOML parser: tree building shared by toml.c and
 * toml_value.c. Not for the rest of weft (use toml.h). */
#ifndef WF_UTIL_TOML_INTERNAL_H
#define WF_UTIL_TOML_INTERNAL_H

#include "util/toml.h"

/* wf_toml_value_t.origin for tables */
enum {
  WF_TOML_T_ROOT,
  WF_TOML_T_IMPLICIT,  /* created as the parent of a [a.b] header */
  WF_TOML_T_HEADER,    /* defined by a [header] or an [[array]] element */
  WF_TOML_T_DOTTED,    /* created by a dotted key: a.b = 1 */
  WF_TOML_T_INLINE,    /* an inline table { ... } */
};
/* wf_toml_value_t.origin for arrays */
enum {
  WF_TOML_A_STATIC,    /* an array literal [ ... ] */
  WF_TOML_A_TABLES,    /* an array of tables built by [[header]] */
};

/* A fresh value of kind K (zeroed payload), or NULL when out of memory. */
wf_toml_value_t *wf_toml_new(wf_toml_kind_t k, uint32_t line, uint32_t col);
/* Index of KEY in table T, or -1. */
long wf_toml_find(const wf_toml_value_t *t, const char *key, size_t keylen);
/* Appends KEY (copied) = V to table T, which must not hold KEY. On success
 * T owns V. Returns 0 when out of memory (V is then not owned). */
int wf_toml_table_add(wf_toml_value_t *t, const char *key, size_t keylen, wf_toml_value_t *v);
/* Appends V to array A; on success A owns V. Returns 0 when out of memory. */
int wf_toml_array_add(wf_toml_value_t *a, wf_toml_value_t *v);

#endif
