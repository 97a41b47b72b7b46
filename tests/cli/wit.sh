#!/usr/bin/env bash
# WIT parser/resolver against wasm-tools' wit-parser ui corpus and the WASI
# 0.2 packages. Builds tests/wit/check.c against BUILD/libweft.a.
#   tests/cli/wit.sh BUILD_DIR
# Prints "wit: N passed, M failed"; exit status 1 if anything failed or the
# corpus is missing.
set -u
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
CORPORA=${WEFT_CORPORA:-../shared/corpora}
UI="$CORPORA/wit-parser-ui"
WASI="$CORPORA/../specs/wasi-0.2"

if [ ! -d "$UI" ]; then
  echo "wit: corpus $UI not found: skipped"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
if [ ! -f "$BUILD/libweft.a" ]; then
  echo "wit: $BUILD/libweft.a not built"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
if ! ${CC:-cc} ${WEFT_SANITIZE:-} -std=c17 -O2 -Wall -Wextra -Werror -Isrc -o "$BUILD/wit-check" tests/wit/check.c \
     "$BUILD/libweft.a" -lm -lpthread; then
  echo "wit: building wit-check failed"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
if [ -d "$WASI" ]; then
  "$BUILD/wit-check" "$UI" "$WASI"
else
  echo "wit: $WASI not found: WASI packages skipped"
  "$BUILD/wit-check" "$UI"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
