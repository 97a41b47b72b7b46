#!/usr/bin/env bash
# Runs every test suite against an existing build and prints one summary line
# per suite, then the total: "check: N passed, M failed". Exit status 1 if
# anything failed.
#   scripts/check.sh BUILD_DIR FUZZ_TARGET...
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}; shift || true
# Test scripts get an absolute build dir: several cd elsewhere or write
# manifests and symlinks that name files in it.
BUILD=$(cd "$BUILD" && pwd)
TOTAL_P=0; TOTAL_F=0; STATUS=0; FAILED_SUITES=""
LOGDIR="$BUILD/check-logs"; mkdir -p "$LOGDIR"

# run_suite NAME CMD...: runs CMD, shows its output, takes its last
# "N passed, M failed" line into the total.
run_suite() {
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$LOGDIR/$name.log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$LOGDIR/$name.log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "$name: produced no summary (exit $rc): counted as 1 failure"
    TOTAL_F=$((TOTAL_F + 1)); STATUS=1; FAILED_SUITES="$FAILED_SUITES $name"; return
  fi
  local p f
  p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2/')
  f=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\3/')
  TOTAL_P=$((TOTAL_P + p)); TOTAL_F=$((TOTAL_F + f))
  if [ "$rc" != 0 ] || [ "$f" != 0 ]; then STATUS=1; FAILED_SUITES="$FAILED_SUITES $name"; fi
}

run_suite unit "$BUILD/test_unit"
run_suite spec scripts/spec.sh "$BUILD"
run_suite fuzz-replay scripts/fuzz-replay.sh "$BUILD" "$@"
for t in tests/cli/*.sh; do
  [ -e "$t" ] || continue
  run_suite "cli-$(basename "$t" .sh)" "$t" "$BUILD"
done

echo
# Every failure line again, last, so a log that only keeps its tail still
# says what failed.
if [ "$STATUS" != 0 ]; then
  echo "== failures"
  for name in $FAILED_SUITES; do
    echo "-- $name"
    grep -i -E 'fail|error|trap|signal|retried' "$LOGDIR/$name.log" | grep -v -E '[0-9]+ passed, [0-9]+ failed' | head -n 12
  done
fi
grep -h "RETRIED" "$LOGDIR"/*.log 2>/dev/null | head -n 10
echo "check: $TOTAL_P passed, $TOTAL_F failed"
exit $STATUS
