#!/usr/bin/env bash
# libweft.so exports only weft_* symbols, and every function declared with
# WEFT_API in include/weft.h is exported.
#   tests/cli/symbols.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
passed=0; failed=0
exported=$(nm -D --defined-only "$BUILD/libweft.so" | awk '$2 ~ /^[TWDBR]$/ {print $3}' | sort)
stray=$(echo "$exported" | grep -v '^weft_' || true)
if [ -z "$stray" ]; then passed=$((passed + 1)); else
  echo "symbols: exported non-weft_ symbols:"; echo "$stray"; failed=$((failed + 1)); fi
declared=$(grep -oE 'WEFT_API [^(]*[ *](weft_[a-z0-9_]+)\(' include/*.h | grep -oE 'weft_[a-z0-9_]+\($' | tr -d '(' | sort -u)
for f in $declared; do
  if grep -qx "$f" <<<"$exported"; then passed=$((passed + 1)); else
    echo "symbols: declared but not exported: $f"; failed=$((failed + 1)); fi
done
echo "symbols: $passed passed, $failed failed"
[ "$failed" = 0 ]
