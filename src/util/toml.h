/* A TOML 1.0 parser: a buffer in, a document tree out (see docs/toml.md).
 *
 * The tree owns all its memory; free it with wf_toml_free(). Tables keep their
 * keys in insertion order. Strings and keys are UTF-8, NUL-terminated, and
 * carry their length (a string may contain U+0000 through an escape).
 * Date-times are kept as validated strings plus a kind tag, normalised to an
 * upper-case 'T' separator and 'Z' (e.g. "1979-05-27T07:32:00Z").
 *
 * Errors: one message, "FILE:LINE:COL: what", in err->msg; err->offset is the
 * byte offset in the input. Lines and columns count from 1, columns in
 * characters. */
#ifndef WF_UTIL_TOML_H
#define WF_UTIL_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Depth cap of the document tree (tables, arrays, inline values): deeper
 * input is refused, so nothing recurses without bound. */
#define WF_TOML_MAX_DEPTH 128

typedef enum {
  WF_TOML_TABLE,
  WF_TOML_ARRAY,
  WF_TOML_STRING,
  WF_TOML_INT,
  WF_TOML_FLOAT,
  WF_TOML_BOOL,
  WF_TOML_DATETIME,        /* offset date-time: 1979-05-27T07:32:00Z */
  WF_TOML_DATETIME_LOCAL,  /* 1979-05-27T07:32:00 */
  WF_TOML_DATE_LOCAL,      /* 1979-05-27 */
  WF_TOML_TIME_LOCAL,      /* 07:32:00.999 */
} wf_toml_kind_t;

typedef struct wf_toml_value wf_toml_value_t;

typedef struct {
  char *key;        /* NUL-terminated, may contain NUL: see keylen */
  size_t keylen;
  wf_toml_value_t *value;
} wf_toml_entry_t;

struct wf_toml_value {
  wf_toml_kind_t kind;
  uint32_t line, col;     /* where the value (or table header) starts */
  uint8_t origin;         /* how a table/array was made (toml_internal.h) */
  union {
    struct {
      wf_toml_entry_t *items;
      size_t n, cap;
      uint32_t *index;    /* open-addressing hash of items (large tables) */
      size_t index_cap;
    } table;
    struct {
      wf_toml_value_t **items;
      size_t n, cap;
    } array;
    struct {              /* strings and all date/time kinds */
      char *s;
      size_t len;
    } str;
    int64_t i;
    double f;
    int b;
  } u;
};

/* Parses LEN bytes at BUF (need not be NUL-terminated). FNAME names the input
 * in messages (NULL: "<input>"). Returns the root table, or NULL with ERR set. */
wf_toml_value_t *wf_toml_parse(const char *buf, size_t len, const char *fname, wf_error_t *err);
/* Reads and parses the file at PATH (named PATH in messages). Files larger
 * than WF_TOML_MAX_FILE are refused. */
#define WF_TOML_MAX_FILE (16u << 20)
wf_toml_value_t *wf_toml_parse_file(const char *path, wf_error_t *err);
void wf_toml_free(wf_toml_value_t *v);

/* "table", "array", "string", "integer", "float", "bool", "datetime",
 * "datetime-local", "date-local", "time-local". */
const char *wf_toml_kind_name(wf_toml_kind_t k);

/* Lookups. All return NULL / 0 when V is NULL or not of the right kind. */
/* The value at KEY (one key, not split on dots) in table T. */
const wf_toml_value_t *wf_toml_get(const wf_toml_value_t *t, const char *key);
const wf_toml_value_t *wf_toml_getn(const wf_toml_value_t *t, const char *key, size_t keylen);
/* The value at a dotted PATH in TOML key syntax: `host.config."a.b"`.
 * Returns NULL if the path is malformed or any step is missing. */
const wf_toml_value_t *wf_toml_get_path(const wf_toml_value_t *t, const char *path);
/* Number of entries of a table or elements of an array (0 for scalars). */
size_t wf_toml_len(const wf_toml_value_t *v);
/* Element I of an array, or the value of entry I of a table (in order). */
const wf_toml_value_t *wf_toml_at(const wf_toml_value_t *v, size_t i);
/* Key of entry I of a table (NULL if out of range); *LEN gets its length. */
const char *wf_toml_key_at(const wf_toml_value_t *t, size_t i, size_t *len);

/* Typed accessors on a value: return 1 and store on the right kind, else 0. */
int wf_toml_as_string(const wf_toml_value_t *v, const char **s, size_t *len);
int wf_toml_as_int(const wf_toml_value_t *v, int64_t *out);
int wf_toml_as_float(const wf_toml_value_t *v, double *out); /* ints convert */
int wf_toml_as_bool(const wf_toml_value_t *v, int *out);
/* Typed getters by dotted path: 1 found with the right kind, 0 missing,
 * -1 present with another kind. */
int wf_toml_get_string(const wf_toml_value_t *t, const char *path, const char **s);
int wf_toml_get_int(const wf_toml_value_t *t, const char *path, int64_t *out);
int wf_toml_get_bool(const wf_toml_value_t *t, const char *path, int *out);
/* Table / array at PATH, or NULL (missing or other kind). */
const wf_toml_value_t *wf_toml_get_table(const wf_toml_value_t *t, const char *path);
const wf_toml_value_t *wf_toml_get_array(const wf_toml_value_t *t, const char *path);

#endif
