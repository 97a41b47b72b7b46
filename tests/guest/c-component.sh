#!/usr/bin/env bash
# Builds a freestanding C test guest into a component: clang --target=wasm32
# (no libc), then `jco embed` against a WIT directory and `jco new`.
#   tests/guest/c-component.sh SRC.c WIT-DIR OUT.wasm [CLANG-FLAGS...]
# Intermediate files go beside OUT (OUT's name with .core.wasm, .embed.wasm,
# .log). On failure prints the last lines of the log, removes OUT and exits 1.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
SRC=$1 WIT=$2 OUT=$3
shift 3
JCO=node_modules/.bin/jco
base=${OUT%.wasm}
if ! clang --target=wasm32 -nostdlib -O2 -Wall -Wextra -Werror "$@" -Wl,--no-entry \
      -o "$base.core.wasm" "$SRC" >"$base.log" 2>&1 ||
   ! "$JCO" embed "$base.core.wasm" --wit "$WIT" -o "$base.embed.wasm" >>"$base.log" 2>&1 ||
   ! "$JCO" new "$base.embed.wasm" -o "$OUT" >>"$base.log" 2>&1; then
  tail -3 "$base.log"
  rm -f "$OUT"
  exit 1
fi
