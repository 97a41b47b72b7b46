#!/usr/bin/env bash
# A Ruby host (the standard library's fiddle, no generated bindings) of a
# component through libweft.so: tests/embed/ruby_host.rb, with the guest
# tests/embed/python_host.py uses (bench/component/calls.wat).
#   tests/cli/embed_ruby.sh BUILD_DIR
# A missing ruby is a failure, not a pass: scripts/setup.sh installs it
# (Debian package `ruby`, which brings fiddle).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
if ! command -v ruby >/dev/null; then
  echo "embed-ruby: SKIPPED, counted as a failure: ruby is not installed (scripts/setup.sh installs the Debian package ruby)"
  echo "0 passed, 1 failed"; exit 1
fi
if ! ruby -e 'require "fiddle"' >/dev/null 2>&1; then
  echo "embed-ruby: SKIPPED, counted as a failure: this ruby has no fiddle (Debian's ruby package ships it)"
  echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$BUILD/embed-ruby"
if ! node_modules/.bin/jco parse bench/component/calls.wat -o "$BUILD/embed-ruby/calls.wasm" >/dev/null 2>&1; then
  echo "embed-ruby: jco parse failed (npm ci)"; echo "0 passed, 1 failed"; exit 1
fi
. scripts/sanitizer-env.sh
"${SAN_ENV[@]}" ruby tests/embed/ruby_host.rb "$BUILD/libweft.so" "$BUILD/embed-ruby/calls.wasm"
