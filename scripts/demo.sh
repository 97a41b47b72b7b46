#!/usr/bin/env bash
# The demo (`make demo`):
#  1. DuckDB in a component: builds the DuckDB host bundle
#     (examples/duckdb_host, over the libduckdb.so that scripts/setup.sh
#     installs from npm) and a C guest (examples/guests/duckdb_app.c, a WASI
#     command), then runs the guest with `weft run --host-bundle`: it opens a
#     database, creates a table, inserts rows and prints query results.
#  2. The core engine: examples/demo/demo.c as a core module, a few of its
#     exports called with `weft run --invoke`.
#   scripts/demo.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
W="$BUILD/weft"
ABS_BUILD=$(cd "$BUILD" && pwd)

echo "== DuckDB from a WebAssembly component, through a host bundle"
if [ ! -f node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so ]; then
  echo "demo: node_modules/@duckdb/node-bindings-linux-x64 is missing: run scripts/setup.sh (make demo does)" >&2
  exit 1
fi
make -s -C examples/duckdb_host OUT="$ABS_BUILD/examples/duckdb_host" WEFT="$ABS_BUILD/weft" >/dev/null
examples/guests/build.sh "$BUILD" duckdb_app
printf '$ weft run --host-bundle %s %s\n' "$BUILD/examples/duckdb_host" "$BUILD/examples/guests/duckdb_app.wasm"
"$W" run --host-bundle "$BUILD/examples/duckdb_host" "$BUILD/examples/guests/duckdb_app.wasm"
echo

echo "== The core engine: a C program as a core module"
examples/demo/build.sh "$BUILD"
M="$BUILD/examples/demo.wasm"
show() {
  printf '$ weft run %s --invoke %s\n' "$(basename "$M")" "$*"
  "$W" run "$M" --invoke "$@"
}
show nqueens 10
show fib 90
show count_primes 1000000
show collatz 100000
show pi 10000000
