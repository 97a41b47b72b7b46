/* A WASI command that uses DuckDB through the duckdb host bundle
 * (examples/duckdb_host): it opens a database, creates a table, inserts
 * rows (non-ASCII text included), runs an aggregate query and prints the
 * rows, then shows the errors a guest gets back.
 *   weft run --host-bundle DIR duckdb_app.wasm            the demo
 *   weft run --host-bundle DIR duckdb_app.wasm NAME       adds a row to the
 *       database file NAME (in the host's configured `dir`) and prints how
 *       many rows it holds: run it twice to see the data persist.
 * Built with clang --target=wasm32-wasi, then jco embed (wit/duckdb) and
 * jco new --wasi-command (tests/cli/examples.sh, scripts/demo.sh). */
#include "abi.h"

#define IMPORT(name) __attribute__((import_module("duckdb:extension/runtime@0.1.0"), import_name(name)))
/* query: func(sql: string) -> result<list<string>, string> */
IMPORT("query") void duckdb_query(const char *sql, size_t len, res_strs_t *ret);
/* open: func(path: string) -> result<_, string> */
IMPORT("open") void duckdb_open(const char *path, size_t len, res_unit_t *ret);
/* close: func() */
IMPORT("close") void duckdb_close(void);

/* Runs sql; prints the rows (tabs shown as " | ") or the error.
 * Returns the number of rows, or -1 on error. */
static long run(const char *sql, int show) {
  res_strs_t r;
  duckdb_query(sql, strlen(sql), &r);
  if (r.is_err) {
    size_t n = 0;   /* DuckDB's messages run over several lines: the first says it */
    while (n < r.val.err.len && r.val.err.ptr[n] != '\n') n++;
    printf("error: %.*s\n", (int)n, r.val.err.ptr);
    free_str(r.val.err);
    return -1;
  }
  long n = (long)r.val.ok.len;
  for (size_t i = 0; show && i < r.val.ok.len; i++) {
    str_t row = r.val.ok.ptr[i];
    char line[1024];
    size_t k = 0;
    for (size_t j = 0; j < row.len && k + 4 < sizeof line; j++) {
      if (row.ptr[j] == '\t') { memcpy(line + k, " | ", 3); k += 3; }
      else line[k++] = row.ptr[j];
    }
    printf("  %.*s\n", (int)k, line);
  }
  free_strs(r.val.ok);
  return n;
}

static int open_db(const char *name) {
  res_unit_t r;
  duckdb_open(name, strlen(name), &r);
  if (!r.is_err) return 0;
  printf("open %s: error: %.*s\n", name, (int)r.err.len, r.err.ptr);
  free_str(r.err);
  return -1;
}

static int persist(const char *name) {
  if (open_db(name)) return 1;
  if (run("CREATE TABLE IF NOT EXISTS visits (n INTEGER, added TIMESTAMP DEFAULT current_timestamp)", 0) < 0 ||
      run("INSERT INTO visits (n) SELECT count(*) + 1 FROM visits", 0) < 0)
    return 1;
  printf("%s holds:\n", name);
  if (run("SELECT count(*) AS visits, max(n) FROM visits", 1) < 0) return 1;
  duckdb_close();
  return 0;
}

int main(int argc, char **argv) {
  guest_init();
  if (argc > 1) return persist(argv[1]);

  if (open_db(":memory:")) return 1;
  printf("DuckDB from a component, through the duckdb host bundle\n");
  if (run("CREATE TABLE cities (name VARCHAR, country VARCHAR, population INTEGER)", 0) < 0) return 1;
  printf("INSERT INTO cities VALUES ... -- rows inserted:\n");
  long n = run("INSERT INTO cities VALUES"
               " ('Zürich', 'CH', 421878), ('Genève', 'CH', 203856), ('Basel', 'CH', 173863),"
               " ('São Paulo', 'BR', 11451999), ('Brasília', 'BR', 2817381),"
               " ('東京', 'JP', 14094034), ('大阪', 'JP', 2752412), ('Reykjavík', 'IS', NULL)",
               1);
  if (n < 0) return 1;
  printf("SELECT country, count(*), sum(population), max(name) ... GROUP BY country:\n");
  if (run("SELECT country, count(*) AS cities, sum(population) AS people, max(name) AS last"
          " FROM cities GROUP BY country ORDER BY people DESC NULLS LAST",
          1) < 0)
    return 1;
  printf("cities above one million, largest first:\n");
  if (run("SELECT name, population FROM cities WHERE population > 1000000 ORDER BY population DESC", 1) < 0)
    return 1;

  printf("errors come back as values:\n");
  run("SELECT nosuch FROM cities", 0);
  run("SELECT * FROM read_csv('/etc/passwd')", 0);
  open_db("../escape.duckdb");
  duckdb_close();
  run("SELECT 1", 0);
  return 0;
}
