#!/usr/bin/env bash
# The bundled example: builds examples/demo/demo.c to a core module with
# clang (wasm32) and runs a few of its exports with `weft run --invoke`.
#   scripts/demo.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
examples/demo/build.sh "$BUILD"
W="$BUILD/weft"
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
