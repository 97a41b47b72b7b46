#!/usr/bin/env bash
# Builds example guests into BUILD_DIR/examples/guests/NAME.wasm:
#   examples/guests/build.sh BUILD_DIR NAME...      (NAME: duckdb_app, sqlite_app, pkcs11_app, both_app)
# Each is a C program (NAME.c) compiled with clang --target=wasm32-wasi,
# given its WIT world (wit/NAME/, plus the interface packages of the bundles
# it imports, copied under deps/) with `jco embed`, and made a WASI 0.2
# command component with `jco new --wasi-command`.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$1; shift
OUT="$BUILD/examples/guests"
JCO=node_modules/.bin/jco
mkdir -p "$OUT"
for name in "$@"; do
  case $name in
    duckdb_app) deps=(examples/duckdb_host/wit/duckdb-extension) ;;
    sqlite_app) deps=(examples/sqlite_host/wit) ;;
    pkcs11_app) deps=(examples/pkcs11_host/wit) ;;
    both_app)   deps=(examples/duckdb_host/wit/duckdb-extension examples/sqlite_host/wit) ;;
    *) echo "build.sh: unknown guest '$name'" >&2; exit 2 ;;
  esac
  w="$OUT/$name-wit"
  rm -rf "$w"; mkdir -p "$w/deps"
  cp "examples/guests/wit/$name.wit" "$w/"
  for d in "${deps[@]}"; do
    mkdir -p "$w/deps/$(basename "$(dirname "$d")")-$(basename "$d")"
    cp "$d"/*.wit "$w/deps/$(basename "$(dirname "$d")")-$(basename "$d")/"
  done
  clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Iexamples/guests \
    -o "$OUT/$name.core.wasm" "examples/guests/$name.c"
  "$JCO" embed --wit "$w" -o "$OUT/$name.embed.wasm" "$OUT/$name.core.wasm" >/dev/null
  "$JCO" new "$OUT/$name.embed.wasm" --wasi-command -o "$OUT/$name.wasm" >/dev/null
done
