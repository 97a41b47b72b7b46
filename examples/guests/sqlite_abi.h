/* example:sqlite/db@0.1.0 (examples/sqlite_host/wit/sqlite.wit) seen from a
 * guest: the canonical ABI memory layouts of its types (wasm32) and its
 * functions with their flattened core signatures. */
#ifndef EXAMPLE_SQLITE_ABI_H
#define EXAMPLE_SQLITE_ABI_H
#include "abi.h"

enum { V_NULL, V_INTEGER, V_REAL, V_TEXT, V_BLOB };
/* variant value: tag, then the payload at offset 8 (s64/f64 align 8); 16 bytes */
typedef struct { uint8_t tag; union { int64_t integer; double real; str_t text; bytes_t blob; } val; } value_t;
typedef struct { value_t *ptr; size_t len; } values_t;
typedef struct { values_t *ptr; size_t len; } rowlist_t;
typedef struct { strs_t columns; rowlist_t rows; } rows_t;
typedef struct { uint8_t is_err; union { int32_t ok; str_t err; } val; } res_conn_t;
typedef struct { uint8_t is_err; union { uint64_t ok; str_t err; } val; } res_u64_t;
typedef struct { uint8_t is_err; union { rows_t ok; str_t err; } val; } res_rows_t;
typedef int32_t conn_t;   /* own/borrow<connection>: a handle */

#define SQLITE_IMPORT(name) __attribute__((import_module("example:sqlite/db@0.1.0"), import_name(name)))
SQLITE_IMPORT("[static]connection.open") void sq_open(const char *name, size_t len, res_conn_t *ret);
SQLITE_IMPORT("[method]connection.execute")
void sq_execute(conn_t self, const char *sql, size_t len, const value_t *params, size_t n, res_u64_t *ret);
SQLITE_IMPORT("[method]connection.query")
void sq_query(conn_t self, const char *sql, size_t len, const value_t *params, size_t n, res_rows_t *ret);
SQLITE_IMPORT("[method]connection.last-insert-rowid") int64_t sq_last_insert_rowid(conn_t self);
SQLITE_IMPORT("[resource-drop]connection") void sq_drop(conn_t self);
SQLITE_IMPORT("version") void sq_version(str_t *ret);

static inline value_t v_null(void) { value_t v = {.tag = V_NULL}; return v; }
static inline value_t v_int(int64_t i) { value_t v = {.tag = V_INTEGER, .val.integer = i}; return v; }
static inline value_t v_real(double d) { value_t v = {.tag = V_REAL, .val.real = d}; return v; }
static inline value_t v_text(const char *s) { value_t v = {.tag = V_TEXT, .val.text = S(s)}; return v; }
static inline value_t v_blob(const void *p, size_t n) {
  value_t v = {.tag = V_BLOB, .val.blob = {(uint8_t *)p, n}};
  return v;
}

static inline void free_value(value_t v) {
  if (v.tag == V_TEXT) free_str(v.val.text);
  if (v.tag == V_BLOB && v.val.blob.len) free(v.val.blob.ptr);
}
static inline void free_rows(rows_t r) {
  free_strs(r.columns);
  for (size_t i = 0; i < r.rows.len; i++) {
    for (size_t j = 0; j < r.rows.ptr[i].len; j++) free_value(r.rows.ptr[i].ptr[j]);
    if (r.rows.ptr[i].len) free(r.rows.ptr[i].ptr);
  }
  if (r.rows.len) free(r.rows.ptr);
}
/* A value as text into buf (always NUL-terminated): integers and reals as
 * numbers, text quoted, blobs in hex as x'...'. */
static inline void fmt_value(char *buf, size_t cap, value_t v) {
  switch (v.tag) {
  case V_INTEGER: snprintf(buf, cap, "%lld", (long long)v.val.integer); return;
  case V_REAL: snprintf(buf, cap, "%g", v.val.real); return;
  case V_TEXT: snprintf(buf, cap, "'%.*s'", (int)v.val.text.len, v.val.text.ptr); return;
  case V_BLOB: {
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    if (cap < 4) { if (cap) buf[0] = 0; return; }
    buf[k++] = 'x';
    buf[k++] = '\'';
    for (size_t i = 0; i < v.val.blob.len && k + 4 < cap; i++) {
      buf[k++] = hex[v.val.blob.ptr[i] >> 4];
      buf[k++] = hex[v.val.blob.ptr[i] & 15];
    }
    buf[k++] = '\'';
    buf[k] = 0;
    return;
  }
  default: snprintf(buf, cap, "NULL"); return;
  }
}
#endif
