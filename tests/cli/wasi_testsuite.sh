#!/usr/bin/env bash
# wasi-testsuite (C, Rust, AssemblyScript preview1 programs) adapted into WASI
# 0.2 command components with jco's preview1 command adapter and run with
# `weft run`, each as its X.json says. See tests/wasi/run_testsuite.mjs.
#   tests/cli/wasi_testsuite.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
CORPUS=${WEFT_CORPORA:-../shared/corpora}/wasi-testsuite
JCO=node_modules/@bytecodealliance/jco
if [ ! -d "$CORPUS" ]; then
  echo "skip: wasi-testsuite corpus not found at $CORPUS"; echo "0 passed, 1 failed"; exit 1
fi
for tool in node wasm2wat wat2wasm; do
  command -v $tool >/dev/null || { echo "missing tool: $tool"; echo "0 passed, 1 failed"; exit 1; }
done
[ -d "$JCO" ] || { echo "missing $JCO (npm ci)"; echo "0 passed, 1 failed"; exit 1; }
exec node tests/wasi/run_testsuite.mjs "$BUILD/weft" "$CORPUS" "$BUILD/wasi-testsuite" "$JCO"
