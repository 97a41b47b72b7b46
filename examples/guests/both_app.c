/* A WASI command that uses two host bundles at once, loaded from one host
 * manifest (examples/hosts.toml): it records orders in SQLite (typed rows,
 * bound parameters), then hands them to DuckDB for an analytical query
 * (a window function), and prints both views.
 *   weft run --host-config examples/hosts.toml both_app.wasm
 * Built by examples/guests/build.sh. */
#include "sqlite_abi.h"

#define DUCKDB_IMPORT(name) __attribute__((import_module("duckdb:extension/runtime@0.1.0"), import_name(name)))
DUCKDB_IMPORT("query") void duckdb_query(const char *sql, size_t len, res_strs_t *ret);

static int duck(const char *sql, int show) {
  res_strs_t r;
  duckdb_query(sql, strlen(sql), &r);
  if (r.is_err) {
    printf("duckdb error: %.*s\n", (int)r.val.err.len, r.val.err.ptr);
    free_str(r.val.err);
    return -1;
  }
  for (size_t i = 0; show && i < r.val.ok.len; i++) {
    char line[512];
    size_t k = 0;
    for (size_t j = 0; j < r.val.ok.ptr[i].len && k + 4 < sizeof line; j++) {
      char c = r.val.ok.ptr[i].ptr[j];
      if (c == '\t') { memcpy(line + k, " | ", 3); k += 3; }
      else line[k++] = c;
    }
    printf("  %.*s\n", (int)k, line);
  }
  free_strs(r.val.ok);
  return 0;
}

static int sq_exec(conn_t c, const char *sql, const value_t *p, size_t n) {
  res_u64_t r;
  sq_execute(c, sql, strlen(sql), p, n, &r);
  if (!r.is_err) return 0;
  printf("sqlite error: %.*s\n", (int)r.val.err.len, r.val.err.ptr);
  free_str(r.val.err);
  return -1;
}

int main(void) {
  guest_init();
  printf("two host bundles in one component: sqlite and duckdb\n");
  res_conn_t o;
  sq_open(":memory:", 8, &o);
  if (o.is_err) { printf("sqlite open: %.*s\n", (int)o.val.err.len, o.val.err.ptr); return 1; }
  conn_t c = o.val.ok;
  if (sq_exec(c, "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL)", NULL, 0)) return 1;
  static const struct { const char *customer; double amount; } orders[] = {
      {"Åsa", 120.5}, {"Bjørn", 80}, {"Åsa", 42.25}, {"Chloé", 300}, {"Bjørn", 19.75}, {"Chloé", 55},
  };
  for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
    value_t p[2] = {v_text(orders[i].customer), v_real(orders[i].amount)};
    if (sq_exec(c, "INSERT INTO orders (customer, amount) VALUES (?, ?)", p, 2)) return 1;
  }
  res_rows_t rows;
  const char *select = "SELECT id, customer, amount FROM orders ORDER BY id";
  sq_query(c, select, strlen(select), NULL, 0, &rows);
  if (rows.is_err) { printf("sqlite query: %.*s\n", (int)rows.val.err.len, rows.val.err.ptr); return 1; }
  printf("sqlite: %zu orders recorded\n", rows.val.ok.rows.len);

  /* hand the rows to DuckDB: one INSERT with the values as SQL literals
   * (texts quoted with '' doubled) */
  if (duck("CREATE TABLE orders (id BIGINT, customer VARCHAR, amount DOUBLE)", 0)) return 1;
  static char sql[8192];
  size_t k = (size_t)snprintf(sql, sizeof sql, "INSERT INTO orders VALUES ");
  for (size_t i = 0; i < rows.val.ok.rows.len; i++) {
    values_t row = rows.val.ok.rows.ptr[i];
    if (row.len != 3 || row.ptr[0].tag != V_INTEGER || row.ptr[1].tag != V_TEXT || row.ptr[2].tag != V_REAL) {
      printf("unexpected row shape from sqlite\n");
      return 1;
    }
    k += (size_t)snprintf(sql + k, sizeof sql - k, "%s(%lld, '", i ? ", " : "", (long long)row.ptr[0].val.integer);
    for (size_t j = 0; j < row.ptr[1].val.text.len && k + 8 < sizeof sql; j++) {
      char ch = row.ptr[1].val.text.ptr[j];
      if (ch == '\'') sql[k++] = '\'';
      sql[k++] = ch;
    }
    k += (size_t)snprintf(sql + k, sizeof sql - k, "', %.17g)", row.ptr[2].val.real);
    if (k >= sizeof sql) { printf("too many rows\n"); return 1; }
  }
  free_rows(rows.val.ok);
  if (duck(sql, 0)) return 1;
  printf("duckdb: per customer, total and share of all orders:\n");
  if (duck("SELECT customer, sum(amount) AS total, round(100 * sum(amount) / sum(sum(amount)) OVER (), 1) AS pct"
           " FROM orders GROUP BY customer ORDER BY total DESC",
           1))
    return 1;
  sq_drop(c);
  return 0;
}
