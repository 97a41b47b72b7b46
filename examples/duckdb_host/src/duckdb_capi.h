/* The part of DuckDB's C API this bundle calls, declared here so that the
 * bundle builds against the libduckdb.so of the npm package
 * @duckdb/node-bindings-linux-x64 without DuckDB's own header (Debian ships
 * no DuckDB). Every declaration follows DuckDB's documented C API; the
 * handles are opaque pointers and duckdb_result is the documented six-member
 * struct (its members are only ever touched by DuckDB). */
#ifndef DUCKDB_HOST_CAPI_H
#define DUCKDB_HOST_CAPI_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t idx_t;
typedef enum { DuckDBSuccess = 0, DuckDBError = 1 } duckdb_state;
typedef struct duckdb_database_s { void *internal_ptr; } *duckdb_database;
typedef struct duckdb_connection_s { void *internal_ptr; } *duckdb_connection;
typedef struct duckdb_config_s { void *internal_ptr; } *duckdb_config;
typedef struct {
  idx_t reserved_column_count;
  idx_t reserved_row_count;
  idx_t reserved_rows_changed;
  void *reserved_columns;
  char *reserved_error_message;
  void *internal_data;
} duckdb_result;

const char *duckdb_library_version(void);
duckdb_state duckdb_create_config(duckdb_config *out_config);
duckdb_state duckdb_set_config(duckdb_config config, const char *name, const char *option);
void duckdb_destroy_config(duckdb_config *config);
duckdb_state duckdb_open_ext(const char *path, duckdb_database *out_database, duckdb_config config,
                             char **out_error);
void duckdb_close(duckdb_database *database);
duckdb_state duckdb_connect(duckdb_database database, duckdb_connection *out_connection);
void duckdb_disconnect(duckdb_connection *connection);
duckdb_state duckdb_query(duckdb_connection connection, const char *query, duckdb_result *out_result);
void duckdb_destroy_result(duckdb_result *result);
const char *duckdb_result_error(duckdb_result *result);
idx_t duckdb_column_count(duckdb_result *result);
idx_t duckdb_row_count(duckdb_result *result);
bool duckdb_value_is_null(duckdb_result *result, idx_t col, idx_t row);
char *duckdb_value_varchar(duckdb_result *result, idx_t col, idx_t row);
void duckdb_free(void *ptr);

#endif
