#!/usr/bin/env bash
# Build the demo module: BUILD/examples/demo.wasm (a core module, no imports).
# Usage: examples/demo/build.sh [BUILD]   (default: build)
#   weft run build/examples/demo.wasm --invoke nqueens 10      -> 724
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
mkdir -p "$BUILD/examples"
out="$BUILD/examples/demo.wasm"
if [ ! "$out" -nt examples/demo/demo.c ]; then
  "${WASM_CC:-clang}" --target=wasm32 -O2 -std=c17 -nostdlib -ffreestanding -Wall -Wextra -Werror \
    -Wl,--no-entry -o "$out" examples/demo/demo.c
fi
