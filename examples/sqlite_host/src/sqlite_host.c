/* sqlite_host: the example:sqlite/db interface (wit/sqlite.wit) over
 * SQLite's C API (Debian's libsqlite3).
 *
 * A guest's `connection` is a `conn_t *` here: weft hands it back as `self`
 * and calls example_sqlite_db_connection_drop when the guest drops it.
 * Guest input is untrusted: database names are plain file names inside the
 * configured directory (or ":memory:"), statements run one at a time with
 * their parameters bound (never pasted into SQL), ATTACH is disabled (it
 * would let SQL create files anywhere), the schema is not trusted, and a
 * query result is refused past `max-rows`.
 *
 * Config: dir (directory for database files; unset: ":memory:" only),
 *         max-rows (default 100000). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"

WEFT_HOST_EXPORT const uint32_t weft_host_abi_version = WEFT_HOST_ABI_VERSION;

typedef struct {
  char *dir;
  size_t max_rows;
} state_t;

typedef struct {
  sqlite3 *db;
} conn_t;

typedef example_sqlite_db_value_t value_t;

static weft_string str_dup(const char *s, size_t n) {
  weft_string r = {malloc(n ? n : 1), n};
  if (!r.ptr) r.len = 0;
  else if (n) memcpy(r.ptr, s, n);
  return r;
}
static weft_string str_c(const char *s) { return str_dup(s, strlen(s)); }
static weft_string str_fmt(const char *fmt, const char *a, const char *b) {
  char buf[600];
  snprintf(buf, sizeof buf, fmt, a, b);
  return str_c(buf);
}

WEFT_HOST_EXPORT int weft_host_init(const weft_host_api *api, const weft_host_config *cfg, void **state, char **err) {
  (void)api;
  state_t *s = calloc(1, sizeof *s);
  if (!s) return 1;
  s->max_rows = 100000;
  const char *v = weft_host_config_get(cfg, "max-rows");
  if (v) {
    char *end;
    errno = 0;
    unsigned long long m = strtoull(v, &end, 10);
    if (errno || *end || end == v || m == 0 || m > SIZE_MAX / sizeof(value_t)) {
      *err = strdup("config max-rows: expected a positive integer");
      free(s);
      return 1;
    }
    s->max_rows = (size_t)m;
  }
  if ((v = weft_host_config_get(cfg, "dir")) && !(s->dir = strdup(v))) {
    free(s);
    return 1;
  }
  *state = s;
  return 0;
}

WEFT_HOST_EXPORT void weft_host_fini(void *state) {
  state_t *s = state;
  if (s) free(s->dir);
  free(s);
}

void example_sqlite_db_version(weft_host_ctx *ctx, weft_string *ret) {
  (void)ctx;
  *ret = str_c(sqlite3_libversion());
}

/* ":memory:" or DIR/NAME for a plain NAME; NULL with *why otherwise. */
static char *db_path(const state_t *s, const weft_string *name, const char **why) {
  const char *n = (const char *)name->ptr;
  if (memchr(n, 0, name->len)) {
    *why = "the name contains a NUL byte";
    return NULL;
  }
  if (!strcmp(n, ":memory:")) return strdup(n);
  if (!s->dir) {
    *why = "this host has no database directory (config `dir`): only ':memory:' can be opened";
    return NULL;
  }
  if (name->len == 0 || name->len > 255 || n[0] == '.') {
    *why = "a database name must be 1 to 255 characters and not start with '.'";
    return NULL;
  }
  for (size_t i = 0; i < name->len; i++) {
    char c = n[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-')) {
      *why = "a database name is a plain file name (letters, digits, '.', '_', '-'): no paths";
      return NULL;
    }
  }
  size_t len = strlen(s->dir) + 1 + name->len + 1;
  char *p = malloc(len);
  if (p) snprintf(p, len, "%s/%s", s->dir, n);
  else *why = "out of memory";
  return p;
}

bool example_sqlite_db_connection_open(weft_host_ctx *ctx, const weft_string *name, void **ret, weft_string *err) {
  state_t *s = ctx->state;
  const char *why = NULL;
  char *path = db_path(s, name, &why);
  if (!path) {
    *err = str_fmt("cannot open '%s': %s", memchr(name->ptr, 0, name->len) ? "?" : (const char *)name->ptr, why);
    return false;
  }
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK) {
    *err = str_fmt("cannot open '%s': %s", (const char *)name->ptr, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    free(path);
    return false;
  }
  free(path);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)NULL);
  conn_t *c = malloc(sizeof *c);
  if (!c) {
    sqlite3_close(db);
    *err = str_c("out of memory");
    return false;
  }
  c->db = db;
  *ret = c;
  return true;
}

void example_sqlite_db_connection_drop(weft_host_ctx *ctx, void *rep) {
  (void)ctx;
  conn_t *c = rep;
  sqlite3_close_v2(c->db);
  free(c);
}

int64_t example_sqlite_db_connection_last_insert_rowid(weft_host_ctx *ctx, void *self) {
  (void)ctx;
  return sqlite3_last_insert_rowid(((conn_t *)self)->db);
}

/* Prepares exactly one statement of `sql` and binds `params`. NULL with
 * *err set on failure. */
static sqlite3_stmt *prepare(sqlite3 *db, const weft_string *sql, const example_sqlite_list_db_value_t *params,
                             weft_string *err) {
  if (sql->len > (size_t)INT32_MAX) {
    *err = str_c("the SQL text is too long");
    return NULL;
  }
  sqlite3_stmt *st = NULL;
  const char *tail = NULL;
  if (sqlite3_prepare_v2(db, (const char *)sql->ptr, (int)sql->len, &st, &tail) != SQLITE_OK) {
    *err = str_c(sqlite3_errmsg(db));
    return NULL;
  }
  if (!st) {
    *err = str_c("no SQL statement given");
    return NULL;
  }
  const char *end = (const char *)sql->ptr + sql->len;
  while (tail && tail < end && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';'))
    tail++;
  if (tail && tail < end) {
    *err = str_c("one statement at a time: text follows the first statement");
    sqlite3_finalize(st);
    return NULL;
  }
  int want = sqlite3_bind_parameter_count(st);
  if ((size_t)want != params->len) {
    char a[24], b[24];
    snprintf(a, sizeof a, "%d", want);
    snprintf(b, sizeof b, "%zu", params->len);
    *err = str_fmt("the statement has %s parameters, %s values were given", a, b);
    sqlite3_finalize(st);
    return NULL;
  }
  for (int i = 0; i < want; i++) {
    const value_t *v = &params->ptr[i];
    int rc = SQLITE_OK;
    switch (v->tag) {
    case EXAMPLE_SQLITE_DB_VALUE_NULL: rc = sqlite3_bind_null(st, i + 1); break;
    case EXAMPLE_SQLITE_DB_VALUE_INTEGER: rc = sqlite3_bind_int64(st, i + 1, v->val.integer); break;
    case EXAMPLE_SQLITE_DB_VALUE_REAL: rc = sqlite3_bind_double(st, i + 1, v->val.real); break;
    case EXAMPLE_SQLITE_DB_VALUE_TEXT:
      rc = sqlite3_bind_text64(st, i + 1, (const char *)v->val.text.ptr, v->val.text.len, SQLITE_TRANSIENT,
                               SQLITE_UTF8);
      break;
    case EXAMPLE_SQLITE_DB_VALUE_BLOB:
      rc = sqlite3_bind_blob64(st, i + 1, v->val.blob.ptr, v->val.blob.len, SQLITE_TRANSIENT);
      break;
    default: rc = SQLITE_MISUSE; break;
    }
    if (rc != SQLITE_OK) {
      *err = str_c(sqlite3_errmsg(db));
      sqlite3_finalize(st);
      return NULL;
    }
  }
  return st;
}

bool example_sqlite_db_connection_execute(weft_host_ctx *ctx, void *self, const weft_string *sql,
                                          const example_sqlite_list_db_value_t *params, uint64_t *ret,
                                          weft_string *err) {
  (void)ctx;
  sqlite3 *db = ((conn_t *)self)->db;
  sqlite3_stmt *st = prepare(db, sql, params, err);
  if (!st) return false;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
  if (rc != SQLITE_DONE) {
    *err = str_c(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return false;
  }
  sqlite3_finalize(st);
  *ret = (uint64_t)sqlite3_changes64(db);
  return true;
}

static void free_value(value_t *v) {
  if (v->tag == EXAMPLE_SQLITE_DB_VALUE_TEXT) free(v->val.text.ptr);
  if (v->tag == EXAMPLE_SQLITE_DB_VALUE_BLOB) free(v->val.blob.ptr);
}
static void free_rows(example_sqlite_db_rows_t *r) {
  for (size_t i = 0; i < r->columns.len; i++) free(r->columns.ptr[i].ptr);
  free(r->columns.ptr);
  for (size_t i = 0; i < r->rows.len; i++) {
    for (size_t j = 0; j < r->rows.ptr[i].len; j++) free_value(&r->rows.ptr[i].ptr[j]);
    free(r->rows.ptr[i].ptr);
  }
  free(r->rows.ptr);
  memset(r, 0, sizeof *r);
}

/* Column `i` of the current row as a value; false when out of memory. */
static bool column_value(sqlite3_stmt *st, int i, value_t *v) {
  memset(v, 0, sizeof *v);
  switch (sqlite3_column_type(st, i)) {
  case SQLITE_INTEGER:
    v->tag = EXAMPLE_SQLITE_DB_VALUE_INTEGER;
    v->val.integer = sqlite3_column_int64(st, i);
    return true;
  case SQLITE_FLOAT:
    v->tag = EXAMPLE_SQLITE_DB_VALUE_REAL;
    v->val.real = sqlite3_column_double(st, i);
    return true;
  case SQLITE_TEXT: {
    const unsigned char *t = sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);
    v->tag = EXAMPLE_SQLITE_DB_VALUE_TEXT;
    v->val.text = str_dup((const char *)t, (size_t)n);
    return v->val.text.ptr != NULL;
  }
  case SQLITE_BLOB: {
    const void *b = sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);
    v->tag = EXAMPLE_SQLITE_DB_VALUE_BLOB;
    v->val.blob.ptr = malloc(n ? (size_t)n : 1);
    v->val.blob.len = v->val.blob.ptr ? (size_t)n : 0;
    if (v->val.blob.ptr && n) memcpy(v->val.blob.ptr, b, (size_t)n);
    return v->val.blob.ptr != NULL;
  }
  default:
    v->tag = EXAMPLE_SQLITE_DB_VALUE_NULL;
    return true;
  }
}

bool example_sqlite_db_connection_query(weft_host_ctx *ctx, void *self, const weft_string *sql,
                                        const example_sqlite_list_db_value_t *params, example_sqlite_db_rows_t *ret,
                                        weft_string *err) {
  state_t *s = ctx->state;
  sqlite3 *db = ((conn_t *)self)->db;
  sqlite3_stmt *st = prepare(db, sql, params, err);
  if (!st) return false;
  memset(ret, 0, sizeof *ret);
  int ncols = sqlite3_column_count(st);
  const char *fail = NULL;
  ret->columns.ptr = calloc(ncols ? (size_t)ncols : 1, sizeof *ret->columns.ptr);
  if (!ret->columns.ptr) fail = "out of memory";
  for (int i = 0; !fail && i < ncols; i++) {
    const char *name = sqlite3_column_name(st, i);
    ret->columns.ptr[i] = str_c(name ? name : "");
    ret->columns.len++;
  }
  size_t cap = 0;
  int rc = SQLITE_DONE;
  while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (ret->rows.len == s->max_rows) {
      fail = "the result has more rows than the host allows (config max-rows)";
      break;
    }
    if (ret->rows.len == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      if (ncap > s->max_rows) ncap = s->max_rows;
      void *p = realloc(ret->rows.ptr, ncap * sizeof *ret->rows.ptr);
      if (!p) {
        fail = "out of memory";
        break;
      }
      ret->rows.ptr = p;
      cap = ncap;
    }
    example_sqlite_list_db_value_t *row = &ret->rows.ptr[ret->rows.len++];
    row->len = 0;
    row->ptr = calloc(ncols ? (size_t)ncols : 1, sizeof *row->ptr);
    if (!row->ptr) fail = "out of memory";
    for (int i = 0; !fail && i < ncols; i++) {
      if (!column_value(st, i, &row->ptr[i])) fail = "out of memory";
      row->len++;
    }
  }
  if (!fail && rc != SQLITE_DONE) fail = sqlite3_errmsg(db);
  if (fail) {
    *err = str_c(fail);
    sqlite3_finalize(st);
    free_rows(ret);
    return false;
  }
  sqlite3_finalize(st);
  return true;
}
