#!/usr/bin/env bash
# Builds the guest of tests/cli/interrupt.sh (tests/interrupt/guest.c, a
# wasi:http incoming-handler) into OUT/guest.wasm, rebuilding only when the
# source is newer; and tests/interrupt/waits.wat into OUT/waits.wasm.
#   tests/interrupt/build.sh OUT
# Needs clang (wasm32), node_modules/.bin/jco and the wasi:http WIT in
# $WEFT_CORPORA/../specs/wasi-0.2. Prints why and exits 1 on failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=$1
SRC=tests/interrupt
JCO=node_modules/.bin/jco
SPECS="${WEFT_CORPORA:-../shared/corpora}/../specs/wasi-0.2"
command -v clang >/dev/null || { echo "clang is missing (scripts/setup.sh)"; exit 1; }
[ -x "$JCO" ] || { echo "$JCO is missing (scripts/setup.sh installs it)"; exit 1; }
[ -f "$SPECS/http.wit" ] || { echo "no wasi:http WIT at $SPECS"; exit 1; }
mkdir -p "$OUT"
# The proxy world's WIT as a deps/ tree (wasi:cli's unstable timezone import
# is left out: jco's WIT parser does not know the feature).
if [ ! -f "$OUT/wit/deps/http/http.wit" ] || [ "$SPECS/http.wit" -nt "$OUT/wit/deps/http/http.wit" ]; then
  rm -rf "$OUT/wit"
  for p in cli clocks filesystem http io random sockets; do
    mkdir -p "$OUT/wit/deps/$p"
    if [ $p = cli ]; then sed '/timezone/d' "$SPECS/$p.wit" >"$OUT/wit/deps/$p/$p.wit"
    else cp "$SPECS/$p.wit" "$OUT/wit/deps/$p/$p.wit"; fi
  done
fi
printf 'package weft:interrupt-test;\nworld guest {\n  include wasi:http/proxy@0.2.12;\n}\n' >"$OUT/wit/world.wit"
if ! [ -s "$OUT/guest.wasm" ] || [ "$SRC/guest.c" -nt "$OUT/guest.wasm" ]; then
  if ! clang --target=wasm32 -nostdlib -O2 -Wall -Wextra -Werror -Wl,--no-entry \
        -o "$OUT/guest.core.wasm" "$SRC/guest.c" >"$OUT/build.log" 2>&1 ||
     ! "$JCO" embed "$OUT/guest.core.wasm" --wit "$OUT/wit" -o "$OUT/guest.embed.wasm" >>"$OUT/build.log" 2>&1 ||
     ! "$JCO" new "$OUT/guest.embed.wasm" -o "$OUT/guest.wasm" >>"$OUT/build.log" 2>&1; then
    echo "building tests/interrupt/guest.c: $(tail -3 "$OUT/build.log")"
    rm -f "$OUT/guest.wasm"
    exit 1
  fi
fi
if ! "$JCO" parse "$SRC/waits.wat" -o "$OUT/waits.wasm" >"$OUT/build.log" 2>&1; then
  echo "jco parse waits.wat: $(tail -3 "$OUT/build.log")"
  rm -f "$OUT/waits.wasm"
  exit 1
fi
