#!/usr/bin/env bash
# Core proposals beyond WebAssembly 2.0 -- multi-memory and exception
# handling -- through whole components: each tests/core/*.wast (component
# scripts whose core modules use them; wabt 1.0.32 cannot parse these) is
# converted by tests/core/wast2json.mjs (jco's wasm-tools parser) into
# BUILD_DIR/core-proposals/ and run with `weft wast`; every assertion of
# every script counts. Then the runner must report a deliberately wrong
# expectation (so this script can fail).
#   tests/cli/core_proposals.sh BUILD_DIR
# Prints "core-proposals: N passed, M failed"; exit status 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
OUT="$BUILD/core-proposals"
P=0; F=0
bad() { F=$((F + 1)); echo "core-proposals: FAIL: $*"; }
finish() {
  echo "core-proposals: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}

if [ ! -x "$WEFT" ]; then bad "$WEFT not built"; finish; fi
if ! command -v node >/dev/null || [ ! -f node_modules/@bytecodealliance/jco/src/api.js ]; then
  bad "node and node_modules/@bytecodealliance/jco are needed to encode the scripts (npm install)"
  finish
fi
rm -rf "$OUT"; mkdir -p "$OUT"

for wast in tests/core/*.wast; do
  name=$(basename "$wast" .wast)
  if ! node tests/core/wast2json.mjs "$wast" "$OUT" >"$OUT/$name.convert.log" 2>&1; then
    bad "$wast: conversion failed: $(head -n 3 "$OUT/$name.convert.log")"
    continue
  fi
  log="$OUT/$name.log"
  timeout 60 "$WEFT" wast -v "$OUT/$name.json" >"$log" 2>&1
  grep ': FAIL' "$log"
  line=$(grep -E "^(.*/)?$name\.json: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
  if [ -z "$line" ]; then bad "$wast: no summary from weft wast"; continue; fi
  echo "$line"
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  P=$((P + p)); F=$((F + f))
  [ "$p" -gt 0 ] || bad "$wast: nothing ran"
done

# The runner must be able to fail: one wrong expected value.
sed 's/(u32.const 3366)/(u32.const 3367)/' tests/core/exceptions.wast >"$OUT/wrong.wast"
wrong=""
if node tests/core/wast2json.mjs "$OUT/wrong.wast" "$OUT/wrong" >/dev/null 2>&1; then
  wrong=$("$WEFT" wast "$OUT/wrong/wrong.json" 2>&1)
fi
if grep -q 'wrong.json: [0-9]* passed, 1 failed' <<<"$wrong"; then
  P=$((P + 1))
else
  bad "a wrong expectation in wrong.wast was not reported as the one failure"
fi
finish
