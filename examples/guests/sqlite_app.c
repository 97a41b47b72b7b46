/* A WASI command that uses SQLite through the sqlite host bundle
 * (examples/sqlite_host): a connection is a resource, statements take bound
 * parameters, rows come back typed (integer, real, text, blob, null).
 *   weft run --host-bundle DIR sqlite_app.wasm          the demo, in memory
 *   weft run --host-bundle DIR sqlite_app.wasm NAME     adds a row to the
 *       database file NAME in the host's `dir` and prints the rows so far
 * Built by examples/guests/build.sh. */
#include "sqlite_abi.h"

static conn_t open_db(const char *name) {
  res_conn_t r;
  sq_open(name, strlen(name), &r);
  if (!r.is_err) return r.val.ok;
  printf("open %s: error: %.*s\n", name, (int)r.val.err.len, r.val.err.ptr);
  free_str(r.val.err);
  return -1;
}

/* Runs a statement; prints the error if any. Returns the rows changed or -1. */
static long long execute(conn_t c, const char *sql, const value_t *params, size_t n) {
  res_u64_t r;
  sq_execute(c, sql, strlen(sql), params, n, &r);
  if (!r.is_err) return (long long)r.val.ok;
  printf("error: %.*s\n", (int)r.val.err.len, r.val.err.ptr);
  free_str(r.val.err);
  return -1;
}

/* Runs a query and prints its columns and rows. Returns the row count or -1. */
static long query(conn_t c, const char *sql, const value_t *params, size_t n) {
  res_rows_t r;
  sq_query(c, sql, strlen(sql), params, n, &r);
  if (r.is_err) {
    printf("error: %.*s\n", (int)r.val.err.len, r.val.err.ptr);
    free_str(r.val.err);
    return -1;
  }
  char line[1024];
  size_t k = 0;
  for (size_t i = 0; i < r.val.ok.columns.len; i++) {
    str_t col = r.val.ok.columns.ptr[i];
    k += (size_t)snprintf(line + k, sizeof line - k, "%s%.*s", i ? " | " : "", (int)col.len, col.ptr);
    if (k >= sizeof line) k = sizeof line - 1;
  }
  printf("  %s\n", line);
  for (size_t i = 0; i < r.val.ok.rows.len; i++) {
    values_t row = r.val.ok.rows.ptr[i];
    k = 0;
    line[0] = 0;
    for (size_t j = 0; j < row.len; j++) {
      char v[256];
      fmt_value(v, sizeof v, row.ptr[j]);
      k += (size_t)snprintf(line + k, sizeof line - k, "%s%s", j ? " | " : "", v);
      if (k >= sizeof line) k = sizeof line - 1;
    }
    printf("  %s\n", line);
  }
  long rows = (long)r.val.ok.rows.len;
  free_rows(r.val.ok);
  return rows;
}

static int persist(const char *name) {
  conn_t c = open_db(name);
  if (c < 0) return 1;
  if (execute(c, "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, note TEXT)", NULL, 0) < 0) return 1;
  value_t p[1] = {v_text("run from a component")};
  if (execute(c, "INSERT INTO runs (note) VALUES (?)", p, 1) < 0) return 1;
  printf("%s holds:\n", name);
  if (query(c, "SELECT count(*) AS runs, max(id) AS last FROM runs", NULL, 0) < 0) return 1;
  sq_drop(c);
  return 0;
}

int main(int argc, char **argv) {
  guest_init();
  if (argc > 1) return persist(argv[1]);

  str_t ver;
  sq_version(&ver);
  printf("SQLite %.*s from a component, through the sqlite host bundle\n", (int)ver.len, ver.ptr);
  free_str(ver);
  conn_t c = open_db(":memory:");
  if (c < 0) return 1;
  if (execute(c, "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, score REAL, data BLOB)", NULL, 0) < 0)
    return 1;
  static const uint8_t bytes[] = {0x00, 0xff, 0x7e, 0x80};
  struct { const char *title; value_t score; value_t data; } notes[] = {
      {"Grüße aus Zürich", {0}, {0}},
      {"日本語のメモ", {0}, {0}},
      {"plain ASCII", {0}, {0}},
  };
  notes[0].score = v_real(9.5);
  notes[0].data = v_blob(bytes, sizeof bytes);
  notes[1].score = v_real(7.25);
  notes[1].data = v_null();
  notes[2].score = v_null();
  notes[2].data = v_blob("", 0);
  long long changed = 0;
  for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
    value_t p[3] = {v_text(notes[i].title), notes[i].score, notes[i].data};
    long long n = execute(c, "INSERT INTO notes (title, score, data) VALUES (?, ?, ?)", p, 3);
    if (n < 0) return 1;
    changed += n;
  }
  printf("inserted %lld rows, last rowid %lld\n", changed, (long long)sq_last_insert_rowid(c));
  printf("SELECT * FROM notes ORDER BY id:\n");
  if (query(c, "SELECT id, title, score, data FROM notes ORDER BY id", NULL, 0) != 3) return 1;
  value_t min[1] = {v_real(8)};
  printf("score >= 8, with typeof and length:\n");
  if (query(c, "SELECT title, typeof(score), length(title) AS chars, length(data) AS bytes FROM notes WHERE score >= ?",
            min, 1) != 1)
    return 1;

  printf("errors come back as values:\n");
  query(c, "SELECT nosuch FROM notes", NULL, 0);
  query(c, "SELECT * FROM notes WHERE id = ?", NULL, 0);
  execute(c, "DELETE FROM notes; DROP TABLE notes", NULL, 0);
  execute(c, "ATTACH DATABASE '/tmp/elsewhere.db' AS other", NULL, 0);
  open_db("../escape.db");
  sq_drop(c);
  return 0;
}
