#!/usr/bin/env bash
# Installs what weft needs on a Debian machine, and only what is missing
# (idempotent: a second run installs nothing). Needs root (or sudo) only when
# something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: compilers and linkers (native + wasm32), wabt (wast2json for
# the spec suite, wasm-interp for the benchmarks), wasi-libc and the wasm32
# compiler-rt builtins for building guests, Node.js for the V8 comparison,
# libffi and libarchive for host bundles (call bridge, .tar.gz bundles),
# libmicrohttpd for `weft serve`.
PKGS=(gcc clang lld make wabt wasi-libc libclang-rt-14-dev-wasm32 nodejs libffi-dev libcurl4-openssl-dev libarchive-dev libmicrohttpd-dev)
# The example host bundles (examples/): SQLite (libsqlite3-dev), PKCS#11
# through p11-kit with SoftHSM 2 as the token (libp11-kit-dev, p11-kit,
# softhsm2; openssl checks a token signature in the test). DuckDB's library
# comes from npm (package.json).
PKGS+=(libsqlite3-dev libp11-kit-dev p11-kit softhsm2 openssl)
# npm: only when no npm is on the PATH (NodeSource's nodejs bundles its own).
command -v npm >/dev/null 2>&1 || PKGS+=(npm)
# python3: loopback servers in the HTTP tests and the ctypes embedding test
# (only when none is on the PATH).
command -v python3 >/dev/null 2>&1 || PKGS+=(python3)
# ruby (its standard library brings fiddle): the fiddle embedding test
# (only when none is on the PATH).
command -v ruby >/dev/null 2>&1 || PKGS+=(ruby)

missing=()
for p in "${PKGS[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm packages (package.json pins them): jco and componentize-js build the
# test guests (component text -> binary, preview1 adapter, JavaScript guests);
# @duckdb/node-bindings-linux-x64 ships the libduckdb.so of examples/duckdb_host.
if [ ! -x node_modules/.bin/jco ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
   [ ! -f node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so ]; then
  echo "setup: installing npm packages (package-lock.json)"
  # `npm install` with the lock, not `npm ci`: the versions are the lock's
  # either way, but npm ci refuses a lock that lacks optional per-platform
  # packages (musl, Windows, Android builds of rolldown, jco-node-fs...)
  # that componentize-js 0.23's tree names and the registry this project
  # installs from does not carry; npm install skips those, as it does for
  # any optional package it cannot fetch. --no-save leaves the lock as it is.
  npm install --no-save --no-audit --no-fund --loglevel=error >/dev/null
fi
# The WASI preview1 command adapter of jco 1.35.0 (wasmtime's adapter): the
# wasi-testsuite programs are adapted with it (tests/wasi/run_testsuite.mjs);
# jco 1.11.2 (pinned above for its path-based WIT) ships an older one.
ADAPTER_DIR=node_modules/.weft-adapter
ADAPTER_SHA=2a652d711c1fff34f9d5a0e073e50ef7eeb8fe7d8a6d559eae643a4c049a7b94
if [ ! -f "$ADAPTER_DIR/wasi_snapshot_preview1.command.wasm" ]; then
  echo "setup: fetching the preview1 adapter from @bytecodealliance/jco@1.35.0 (npm)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack @bytecodealliance/jco@1.35.0 --silent >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/wasi_snapshot_preview1.command.wasm
  if [ "$(sha256sum "$tmp/package/lib/wasi_snapshot_preview1.command.wasm" | cut -d' ' -f1)" != "$ADAPTER_SHA" ]; then
    echo "setup: the adapter's sha256 does not match the pinned one" >&2; rm -rf "$tmp"; exit 1
  fi
  mkdir -p "$ADAPTER_DIR"
  cp "$tmp/package/lib/wasi_snapshot_preview1.command.wasm" "$ADAPTER_DIR/"
  rm -rf "$tmp"
fi
echo "setup: ok"
