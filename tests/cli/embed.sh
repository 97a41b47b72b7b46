#!/usr/bin/env bash
# Builds examples/embed/embed.c against libweft.so (as an outside embedder
# would: include/weft.h, -lweft) and checks what it prints.
#   tests/cli/embed.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
out="$BUILD/embed-test"; mkdir -p "$out"
passed=0; failed=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else
    echo "embed: $1: expected '$2', got '$3'"; failed=$((failed + 1)); fi
}
if ! wat2wasm examples/embed/host.wat -o "$out/host.wasm" ||
   ! ${CC:-cc} ${WEFT_SANITIZE:-} -std=c17 -Wall -Wextra -Werror -Iinclude -o "$out/embed" examples/embed/embed.c \
       -L"$BUILD" -lweft -Wl,-rpath,"$(cd "$BUILD" && pwd)"; then
  echo "embed: 0 passed, 1 failed"; exit 1
fi
result=$("$out/embed" "$out/host.wasm" 2>&1); rc=$?
check "exit status" 0 "$rc"
check "sum line" "sum(100) = 4950 after 100 host calls" "$(echo "$result" | sed -n 1p)"
check "trap line" "boom() trapped: out of bounds memory access" "$(echo "$result" | sed -n 2p)"
echo "embed: $passed passed, $failed failed"
[ "$failed" = 0 ]
