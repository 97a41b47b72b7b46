#!/usr/bin/env bash
# Builds the `weft serve` test guests (tests/serve/guest.c, one per -DGUEST_*,
# and no_handler.wat) into OUT, rebuilding only what is older than its source:
#   tests/serve/build.sh OUT [GUEST...]     (default: every guest)
# Needs clang (wasm32), node_modules/.bin/jco and the wasi:http WIT in
# $WEFT_CORPORA/../specs/wasi-0.2 (tests/guest/wasi-wit.sh). Prints why and exits 1 on failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=$1
shift
GUESTS=("$@")
[ ${#GUESTS[@]} -gt 0 ] || GUESTS=(hello both echo outbound trailers trap loop no_handler)
SRC=tests/serve
JCO=node_modules/.bin/jco
command -v clang >/dev/null || { echo "clang is missing (scripts/setup.sh)"; exit 1; }
[ -x "$JCO" ] || { echo "$JCO is missing (scripts/setup.sh installs it)"; exit 1; }
mkdir -p "$OUT"
tests/guest/wasi-wit.sh "$OUT/wit/deps" || exit 1
# One world per directory (jco 1.11's embed does not pass on --world-name).
printf 'package weft:serve-test;\nworld guest {\n  include wasi:http/proxy@0.2.12;\n}\n' >"$OUT/wit/world.wit"
mkdir -p "$OUT/wit-both"
ln -sfn ../wit/deps "$OUT/wit-both/deps"
printf 'package weft:serve-test;\nworld both {\n  include wasi:http/proxy@0.2.12;\n  export wasi:cli/run@0.2.12;\n}\n' \
  >"$OUT/wit-both/world.wit"
for g in "${GUESTS[@]}"; do
  if [ "$g" = no_handler ]; then
    [ "$OUT/$g.wasm" -nt "$SRC/$g.wat" ] && continue
    "$JCO" parse "$SRC/$g.wat" -o "$OUT/$g.wasm" >"$OUT/build.log" 2>&1 ||
      { echo "jco parse $g.wat: $(tail -3 "$OUT/build.log")"; rm -f "$OUT/$g.wasm"; exit 1; }
    continue
  fi
  [ -s "$OUT/$g.wasm" ] && [ "$OUT/$g.wasm" -nt "$SRC/guest.c" ] && [ "$OUT/$g.wasm" -nt tests/guest/http_guest.h ] && continue
  G=$(tr a-z A-Z <<<"$g")
  msg=$(tests/guest/c-component.sh "$SRC/guest.c" "$OUT/wit$([ $g = both ] && echo -both)" "$OUT/$g.wasm" -DGUEST_$G) ||
    { echo "building guest $g: $msg"; exit 1; }
done
