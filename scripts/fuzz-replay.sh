#!/usr/bin/env bash
# Replays each fuzz target's corpus (fuzz/corpus/<target>/) through the target
# once. A crash or sanitizer report fails the file.
#   scripts/fuzz-replay.sh BUILD_DIR TARGET...
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=$1; shift
passed=0; failed=0
for t in "$@"; do
  dir=fuzz/corpus/$t
  if [ ! -d "$dir" ]; then
    echo "fuzz-replay: $t has no corpus at $dir"; failed=$((failed + 1)); continue
  fi
  n=$(find "$dir" -type f | wc -l)
  if "$BUILD/fuzz-replay/$t" "$dir" > "$BUILD/fuzz-replay/$t.log" 2>&1; then
    echo "fuzz-replay: $t: $n inputs replayed, no crash"; passed=$((passed + 1))
  else
    echo "fuzz-replay: $t: FAILED (see $BUILD/fuzz-replay/$t.log)"; tail -n 20 "$BUILD/fuzz-replay/$t.log"
    failed=$((failed + 1))
  fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" = 0 ]
