#!/usr/bin/env bash
# Builds the guest of tests/cli/interrupt.sh (tests/interrupt/guest.c, a
# wasi:http incoming-handler) into OUT/guest.wasm, rebuilding only when the
# source is newer; and tests/interrupt/waits.wat into OUT/waits.wasm.
#   tests/interrupt/build.sh OUT
# Needs clang (wasm32), node_modules/.bin/jco and the wasi:http WIT in
# $WEFT_CORPORA/../specs/wasi-0.2 (tests/guest/wasi-wit.sh). Prints why and exits 1 on failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=$1
SRC=tests/interrupt
JCO=node_modules/.bin/jco
command -v clang >/dev/null || { echo "clang is missing (scripts/setup.sh)"; exit 1; }
[ -x "$JCO" ] || { echo "$JCO is missing (scripts/setup.sh installs it)"; exit 1; }
mkdir -p "$OUT"
tests/guest/wasi-wit.sh "$OUT/wit/deps" || exit 1
printf 'package weft:interrupt-test;\nworld guest {\n  include wasi:http/proxy@0.2.12;\n}\n' >"$OUT/wit/world.wit"
if ! [ -s "$OUT/guest.wasm" ] || [ "$SRC/guest.c" -nt "$OUT/guest.wasm" ] || [ tests/guest/http_guest.h -nt "$OUT/guest.wasm" ]; then
  msg=$(tests/guest/c-component.sh "$SRC/guest.c" "$OUT/wit" "$OUT/guest.wasm") ||
    { echo "building tests/interrupt/guest.c: $msg"; exit 1; }
fi
if ! "$JCO" parse "$SRC/waits.wat" -o "$OUT/waits.wasm" >"$OUT/build.log" 2>&1; then
  echo "jco parse waits.wat: $(tail -3 "$OUT/build.log")"
  rm -f "$OUT/waits.wasm"
  exit 1
fi
