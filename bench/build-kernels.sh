#!/usr/bin/env bash
# Build every benchmark kernel twice from the same source:
#   BUILD/bench/NAME.wasm    clang --target=wasm32 -O2, freestanding, no imports,
#                            exporting run() (and memory)
#   BUILD/bench/NAME.native  gcc -O2 with a tiny main that times run()
# and the demo module BUILD/examples/demo.wasm (examples/demo/build.sh).
# Usage: bench/build-kernels.sh [BUILD]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT="$BUILD/bench"
mkdir -p "$OUT"

WASM_CC=${WASM_CC:-clang}
NATIVE_CC=${NATIVE_CC:-gcc}
WASM_FLAGS=(--target=wasm32 -O2 -std=c17 -nostdlib -ffreestanding -Wall -Wextra -Werror
            -Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=1048576)
NATIVE_FLAGS=(-O2 -std=c17 -D_GNU_SOURCE -fno-math-errno -Wall -Wextra -Werror)

for src in bench/kernels/*.c; do
  name=$(basename "$src" .c)
  case "$name" in rt|native_main) continue ;; esac
  if [ ! "$OUT/$name.wasm" -nt "$src" ] || [ ! "$OUT/$name.wasm" -nt bench/kernels/rt.c ] ||
     [ ! "$OUT/$name.wasm" -nt bench/kernels/rt.h ]; then
    "$WASM_CC" "${WASM_FLAGS[@]}" -o "$OUT/$name.wasm" "$src" bench/kernels/rt.c
  fi
  if [ ! "$OUT/$name.native" -nt "$src" ] || [ ! "$OUT/$name.native" -nt bench/kernels/rt.c ] ||
     [ ! "$OUT/$name.native" -nt bench/kernels/rt.h ] ||
     [ ! "$OUT/$name.native" -nt bench/kernels/native_main.c ]; then
    "$NATIVE_CC" "${NATIVE_FLAGS[@]}" -o "$OUT/$name.native" "$src" bench/kernels/rt.c \
      bench/kernels/native_main.c -lm
  fi
done

examples/demo/build.sh "$BUILD"
