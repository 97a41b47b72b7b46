#!/usr/bin/env bash
# A Python host (ctypes, no generated bindings) of a component through
# libweft.so: tests/embed/python_host.py.
#   tests/cli/embed_python.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
if ! command -v python3 >/dev/null; then
  echo "embed-python: python3 missing (scripts/setup.sh installs it)"; echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$BUILD/embed-python"
if ! node_modules/.bin/jco parse bench/component/calls.wat -o "$BUILD/embed-python/calls.wasm" >/dev/null 2>&1; then
  echo "embed-python: jco parse failed (npm ci)"; echo "0 passed, 1 failed"; exit 1
fi
. scripts/sanitizer-env.sh
"${SAN_ENV[@]}" python3 tests/embed/python_host.py "$BUILD/libweft.so" "$BUILD/embed-python/calls.wasm"
