/* duckdb_host: the duckdb:extension/runtime interface (wit/duckdb-extension)
 * implemented over DuckDB's C API (src/duckdb_capi.h).
 *
 * Each loaded instance of the bundle has its own state: one open database
 * and one connection to it. Guest input is untrusted: SQL and paths are
 * checked for NUL bytes, database files may only be plain names inside the
 * configured directory, DuckDB's access to the host's files and network
 * from SQL (read_csv, COPY, ATTACH, INSTALL, ...) is off unless the config
 * says `external-access = "true"`, and a result is refused past `max-rows`.
 *
 * Config ([host.config] of host.toml or a manifest's `config`):
 *   path             database open at load (default ":memory:")
 *   dir              directory for database files `open` may create (default: none)
 *   external-access  "true" lets SQL reach files and the network (default "false")
 *   max-rows         largest result `query` returns (default 100000) */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindings.h"
#include "duckdb_capi.h"

WEFT_HOST_EXPORT const uint32_t weft_host_abi_version = WEFT_HOST_ABI_VERSION;

typedef struct {
  char *dir;               /* NULL: only ":memory:" */
  bool external_access;
  idx_t max_rows;
  duckdb_database db;      /* NULL when closed */
  duckdb_connection conn;
} state_t;

/* ---- strings out: malloc'd copies, as weft frees them ---- */
static weft_string str_dup(const char *s) {
  size_t n = strlen(s);
  weft_string r = {malloc(n ? n : 1), n};
  if (!r.ptr) r.len = 0;
  else memcpy(r.ptr, s, n);
  return r;
}
static weft_string str_printf(const char *fmt, const char *a, const char *b) {
  char buf[512];
  snprintf(buf, sizeof buf, fmt, a, b);
  return str_dup(buf);
}
/* A guest string as a C string: NULL if it holds a NUL byte (weft passes
 * strings NUL-terminated, so the bytes can be used in place otherwise). */
static const char *c_str(const weft_string *s) {
  return memchr(s->ptr, 0, s->len) ? NULL : (const char *)s->ptr;
}

/* ---- the database ---- */
static void db_close(state_t *s) {
  if (s->conn) duckdb_disconnect(&s->conn);
  if (s->db) duckdb_close(&s->db);
  s->conn = NULL;
  s->db = NULL;
}

/* Opens `file` (":memory:" or a full path) as the current database.
 * NULL on success, else a malloc'd message. */
static char *db_open(state_t *s, const char *file) {
  duckdb_config cfg = NULL;
  if (duckdb_create_config(&cfg) != DuckDBSuccess) return strdup("duckdb: cannot create a configuration");
  const char *access = s->external_access ? "true" : "false";
  if (duckdb_set_config(cfg, "enable_external_access", access) != DuckDBSuccess ||
      duckdb_set_config(cfg, "autoinstall_known_extensions", access) != DuckDBSuccess ||
      duckdb_set_config(cfg, "autoload_known_extensions", access) != DuckDBSuccess ||
      duckdb_set_config(cfg, "lock_configuration", s->external_access ? "false" : "true") != DuckDBSuccess) {
    duckdb_destroy_config(&cfg);
    return strdup("duckdb: cannot set the configuration");
  }
  duckdb_database db = NULL;
  char *derr = NULL;
  duckdb_state st = duckdb_open_ext(file, &db, cfg, &derr);
  duckdb_destroy_config(&cfg);
  if (st != DuckDBSuccess) {
    char buf[512];
    snprintf(buf, sizeof buf, "cannot open database '%s': %s", file, derr ? derr : "unknown error");
    if (derr) duckdb_free(derr);
    return strdup(buf);
  }
  duckdb_connection conn = NULL;
  if (duckdb_connect(db, &conn) != DuckDBSuccess) {
    duckdb_close(&db);
    return strdup("duckdb: cannot connect to the database");
  }
  db_close(s);
  s->db = db;
  s->conn = conn;
  return NULL;
}

/* A database name the guest may use: ":memory:", or a plain file name
 * (letters, digits, '.', '_', '-'; not starting with '.') inside `dir`.
 * Returns the path to open (malloc'd) or NULL with *why set. */
static char *guest_path(const state_t *s, const char *name, const char **why) {
  if (!strcmp(name, ":memory:")) return strdup(name);
  if (!s->dir) {
    *why = "this host has no database directory (config `dir`): only ':memory:' can be opened";
    return NULL;
  }
  size_t n = strlen(name);
  if (n == 0 || n > 255 || name[0] == '.') {
    *why = "a database name must be 1 to 255 characters and not start with '.'";
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-')) {
      *why = "a database name is a plain file name (letters, digits, '.', '_', '-'): no paths";
      return NULL;
    }
  }
  size_t len = strlen(s->dir) + 1 + n + 1;
  char *p = malloc(len);
  if (p) snprintf(p, len, "%s/%s", s->dir, name);
  else *why = "out of memory";
  return p;
}

WEFT_HOST_EXPORT int weft_host_init(const weft_host_api *api, const weft_host_config *cfg, void **state, char **err) {
  (void)api;
  state_t *s = calloc(1, sizeof *s);
  if (!s) {
    *err = strdup("out of memory");
    return 1;
  }
  const char *v;
  s->max_rows = 100000;
  if ((v = weft_host_config_get(cfg, "max-rows"))) {
    char *end;
    errno = 0;
    unsigned long long m = strtoull(v, &end, 10);
    if (errno || *end || end == v || m == 0) {
      *err = strdup("config max-rows: expected a positive integer");
      free(s);
      return 1;
    }
    s->max_rows = m;
  }
  if ((v = weft_host_config_get(cfg, "external-access"))) {
    if (strcmp(v, "true") && strcmp(v, "false")) {
      *err = strdup("config external-access: expected \"true\" or \"false\"");
      free(s);
      return 1;
    }
    s->external_access = !strcmp(v, "true");
  }
  if ((v = weft_host_config_get(cfg, "dir")) && !(s->dir = strdup(v))) {
    free(s);
    *err = strdup("out of memory");
    return 1;
  }
  const char *path = weft_host_config_get(cfg, "path");
  const char *why = NULL;
  char *file = guest_path(s, path ? path : ":memory:", &why);
  char *e = file ? db_open(s, file) : NULL;
  free(file);
  if (!file || e) {
    char buf[600];
    snprintf(buf, sizeof buf, "config path: %s", e ? e : why);
    free(e);
    free(s->dir);
    free(s);
    *err = strdup(buf);
    return 1;
  }
  *state = s;
  return 0;
}

WEFT_HOST_EXPORT void weft_host_fini(void *state) {
  state_t *s = state;
  if (!s) return;
  db_close(s);
  free(s->dir);
  free(s);
}

bool duckdb_extension_runtime_open(weft_host_ctx *ctx, const weft_string *path, weft_string *err) {
  state_t *s = ctx->state;
  const char *name = c_str(path), *why = NULL;
  if (!name) {
    *err = str_dup("the database name contains a NUL byte");
    return false;
  }
  char *file = guest_path(s, name, &why);
  if (!file) {
    *err = str_printf("cannot open '%s': %s", name, why);
    return false;
  }
  char *e = db_open(s, file);
  free(file);
  if (e) {
    *err = str_dup(e);
    free(e);
    return false;
  }
  return true;
}

void duckdb_extension_runtime_close(weft_host_ctx *ctx) { db_close(ctx->state); }

/* One row as text: the columns separated by tabs, NULL as "NULL". */
static bool row_text(duckdb_result *res, idx_t cols, idx_t row, weft_string *out) {
  size_t len = 0, cap = 64;
  char *buf = malloc(cap);
  if (!buf) return false;
  for (idx_t c = 0; c < cols; c++) {
    char *v = duckdb_value_is_null(res, c, row) ? NULL : duckdb_value_varchar(res, c, row);
    const char *t = v ? v : "NULL";
    size_t n = strlen(t);
    if (len + n + 2 > cap) {
      while (len + n + 2 > cap) cap *= 2;
      char *nb = realloc(buf, cap);
      if (!nb) {
        if (v) duckdb_free(v);
        free(buf);
        return false;
      }
      buf = nb;
    }
    if (c) buf[len++] = '\t';
    memcpy(buf + len, t, n);
    len += n;
    if (v) duckdb_free(v);
  }
  out->ptr = (uint8_t *)buf;
  out->len = len;
  return true;
}

bool duckdb_extension_runtime_query(weft_host_ctx *ctx, const weft_string *sql, weft_list_string *ret,
                                    weft_string *err) {
  state_t *s = ctx->state;
  const char *q = c_str(sql);
  if (!q) {
    *err = str_dup("the SQL text contains a NUL byte");
    return false;
  }
  if (!s->conn) {
    *err = str_dup("no database is open (call open)");
    return false;
  }
  duckdb_result res;
  memset(&res, 0, sizeof res);
  if (duckdb_query(s->conn, q, &res) != DuckDBSuccess) {
    const char *m = duckdb_result_error(&res);
    *err = str_dup(m ? m : "query failed");
    duckdb_destroy_result(&res);
    return false;
  }
  idx_t cols = duckdb_column_count(&res), rows = duckdb_row_count(&res);
  if (rows > s->max_rows) {
    char n[32];
    snprintf(n, sizeof n, "%llu", (unsigned long long)s->max_rows);
    *err = str_printf("the result has more than %s rows (config max-rows)%s", n, "");
    duckdb_destroy_result(&res);
    return false;
  }
  ret->len = 0;
  ret->ptr = malloc((rows ? rows : 1) * sizeof *ret->ptr);
  bool ok = ret->ptr != NULL;
  for (idx_t r = 0; ok && r < rows; r++) {
    if (cols == 0) ret->ptr[r] = str_dup("");
    else ok = row_text(&res, cols, r, &ret->ptr[r]);
    if (ok) ret->len++;
  }
  duckdb_destroy_result(&res);
  if (!ok) {
    /* weft frees what was returned only on success: free it here */
    for (size_t i = 0; ret->ptr && i < ret->len; i++) free(ret->ptr[i].ptr);
    free(ret->ptr);
    ret->ptr = NULL;
    ret->len = 0;
    *err = str_dup("out of memory while reading the result");
    return false;
  }
  return true;
}
