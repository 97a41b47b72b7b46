#!/usr/bin/env bash
# Shell tests of `weft run`: results, argument parsing, traps, bad modules.
#   tests/cli/run.sh BUILD_DIR
# Prints "run: N passed, M failed"; exit status 1 if anything failed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WEFT="$BUILD/weft"
PASS=0; FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-run-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$WEFT" ]; then
  echo "run: $WEFT not built"
  echo "run: 0 passed, 1 failed"
  exit 1
fi
if ! command -v wat2wasm >/dev/null 2>&1; then
  echo "run: wat2wasm (wabt) not installed: skipped"
  echo "run: 0 passed, 0 failed"
  exit 0
fi
for w in tests/data/run_*.wat; do
  n=$(basename "$w" .wat)
  if ! wat2wasm --debug-names "$w" -o "$TMP/$n.wasm" 2>"$TMP/wat2wasm.err"; then
    echo "FAIL: wat2wasm $w: $(cat "$TMP/wat2wasm.err")"
    FAIL=$((FAIL + 1))
  fi
done

# expect NAME STATUS STDOUT STDERR_REGEX -- ARGS...
#   STDOUT is compared exactly ("" = empty); STDERR_REGEX is an extended
#   regex that stderr must match ("" = anything).
expect() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4; shift 5
  local out err rc
  out=$("$WEFT" run "$@" 2>"$TMP/stderr"); rc=$?
  err=$(cat "$TMP/stderr")
  local why=""
  [ "$rc" = "$want_rc" ] || why="exit status $rc, expected $want_rc"
  [ -z "$why" ] && [ "$out" != "$want_out" ] && why="stdout '$out', expected '$want_out'"
  if [ -z "$why" ] && [ -n "$want_err" ] && ! grep -Eq -- "$want_err" <<<"$err"; then
    why="stderr '$err' does not match /$want_err/"
  fi
  if [ -z "$why" ]; then
    PASS=$((PASS + 1))
  else
    FAIL=$((FAIL + 1))
    echo "FAIL: $name: $why"
  fi
}

B="$TMP/run_basic.wasm"
expect add 0 "5" "" -- "$B" --invoke add 2 3
expect add-neg 0 "-1" "" -- "$B" --invoke add -3 2
expect add-wrap 0 "-2147483648" "" -- "$B" --invoke add 2147483647 1
expect add-hex 0 "257" "" -- "$B" --invoke add 0x100 1
expect add-unsigned 0 "-1" "" -- "$B" --invoke add 4294967295 0
expect add64 0 "-9223372036854775808" "" -- "$B" --invoke add64 9223372036854775807 1
expect add64-hex 0 "-1" "" -- "$B" --invoke add64 0xffffffffffffffff 0
expect fdiv 0 "0.5" "" -- "$B" --invoke fdiv 1 2
expect fdiv-third 0 "0.33333334" "" -- "$B" --invoke fdiv 1 3
expect fdiv-inf 0 "inf" "" -- "$B" --invoke fdiv 1 0
expect fdiv-nan 0 "nan" "" -- "$B" --invoke fdiv 0 0
expect fdiv-nan-arg 0 "nan" "" -- "$B" --invoke fdiv nan 1
expect ddiv 0 "0.3333333333333333" "" -- "$B" --invoke ddiv 1 3
expect ddiv-neg-inf 0 "-inf" "" -- "$B" --invoke ddiv -inf 2
expect ddiv-exp 0 "1e+300" "" -- "$B" --invoke ddiv 1e300 1
expect pair 0 "$(printf '%s\n%s' -7 -7)" "" -- "$B" --invoke pair -7
expect load 0 "42" "" -- "$B" --invoke load 16
expect nothing 0 "" "" -- "$B" --invoke nothing
expect fact 0 "2432902008176640000" "" -- "$B" --invoke fact 20
expect no-invoke 0 "" "" -- "$B"

# Traps: message, backtrace with names, status 1, no crash.
expect trap-unreachable 1 "" "^weft: trap: unreachable" -- "$B" --invoke oops
expect trap-div 1 "" "weft: trap: integer divide by zero" -- "$B" --invoke boom
expect trap-backtrace 1 "" "#0 func\[[0-9]+\] inner" -- "$B" --invoke boom
expect trap-backtrace-outer 1 "" "#1 func\[[0-9]+\] boom" -- "$B" --invoke boom
# Without a name section, a frame is named by the function's export.
if wat2wasm tests/data/run_basic.wat -o "$TMP/run_basic_nonames.wasm"; then
  expect trap-backtrace-export-name 1 "" '#1 func\[[0-9]+\] \(export "boom"\)' -- \
    "$TMP/run_basic_nonames.wasm" --invoke boom
else
  echo "FAIL: wat2wasm run_basic.wat without names"; FAIL=$((FAIL + 1))
fi
expect trap-oob 1 "" "weft: trap: out of bounds memory access" -- "$B" --invoke load 65534
expect trap-oob-far 1 "" "weft: trap: out of bounds memory access" -- "$B" --invoke load 0xffffffff
expect trap-stack 1 "" "weft: trap: call stack exhausted" -- "$B" --invoke forever

# Usage errors: status 2.
expect arg-count 2 "" "add expects 2 arguments" -- "$B" --invoke add 1
expect arg-type 2 "" "not a valid i32" -- "$B" --invoke add 1 x
expect arg-range 2 "" "not a valid i32" -- "$B" --invoke add 4294967296 0
expect arg-float 2 "" "not a valid f32" -- "$B" --invoke fdiv 1 2.5.5
expect no-export 2 "" "no exported function 'nope'" -- "$B" --invoke nope
expect no-module 2 "" "usage" --
expect invoke-no-name 2 "" "needs an export name" -- "$B" --invoke

# _start, start-function traps, imports, data segments out of bounds.
expect start 0 "" "" -- "$TMP/run_start.wasm"
expect start-invoke 0 "0" "" -- "$TMP/run_start.wasm" --invoke get
expect start-trap 1 "" "^weft: trap: unreachable" -- "$TMP/run_start_trap.wasm"
expect import 1 "" "unknown import \"env\" \"log\"" -- "$TMP/run_import.wasm"
expect data-oob 1 "" "weft: trap: out of bounds memory access" -- "$TMP/run_segfault.wasm"

# Bad modules: byte offset and reason, status 1.
printf '\0asx\1\0\0\0' > "$TMP/badmagic.wasm"
expect bad-magic 1 "" "^weft: .*badmagic.wasm: offset 0x[0-9a-f]+: .+" -- "$TMP/badmagic.wasm"
head -c 20 "$B" > "$TMP/truncated.wasm"
expect truncated 1 "" "^weft: .*truncated.wasm: offset 0x[0-9a-f]+: .+" -- "$TMP/truncated.wasm"
expect missing-file 1 "" "^weft: .*nonexistent.wasm" -- "$TMP/nonexistent.wasm"

echo "run: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
