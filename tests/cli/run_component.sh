#!/usr/bin/env bash
# Shell tests of `weft run COMPONENT --invoke 'f(args)'` (WAVE arguments and
# results) and of the component API through a small C client.
#   tests/cli/run_component.sh BUILD_DIR
# Builds tests/data/components/*.wat with jco (component text -> binary)
# into BUILD_DIR/run-component. Prints "run_component: N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WEFT="$BUILD/weft"
OUT="$BUILD/run-component"
JCO=node_modules/.bin/jco
PASS=0; FAIL=0
mkdir -p "$OUT"

if [ ! -x "$WEFT" ]; then
  echo "run_component: $WEFT not built"
  echo "run_component: 0 passed, 1 failed"
  exit 1
fi
if [ ! -x "$JCO" ] || ! command -v node >/dev/null 2>&1; then
  echo "run_component: jco not installed (make setup): skipped"
  echo "run_component: 0 passed, 0 failed"
  exit 0
fi
for w in tests/data/components/*.wat; do
  n=$(basename "$w" .wat)
  if ! "$JCO" parse "$w" -o "$OUT/$n.wasm" >"$OUT/jco.err" 2>&1; then
    echo "FAIL: jco parse $w: $(cat "$OUT/jco.err")"
    FAIL=$((FAIL + 1))
  fi
done

# expect NAME STATUS STDOUT STDERR_REGEX -- ARGS...
#   STDOUT is compared exactly ("" = empty); STDERR_REGEX is an extended
#   regex that stderr must match ("" = anything).
expect() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4; shift 5
  local out err rc
  out=$("$WEFT" run "$@" 2>"$OUT/stderr"); rc=$?
  err=$(cat "$OUT/stderr")
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

V="$OUT/values.wasm"
# strings (with escapes and non-ASCII), numbers
expect greet 0 '"Hello, World!"' "" -- "$V" --invoke 'greet("World")'
expect greet-utf8 0 '"Hello, Wörld ☃!"' "" -- "$V" --invoke 'greet("W\u{f6}rld ☃")'
Q="'"
expect echo-escapes 0 "\"tab\\tquote\\\"apos\\${Q}nl\\n\\u{1}\"" "" -- "$V" --invoke "echo-string(\"tab\\tquote\\\"apos${Q}nl\\n\\u{1}\")"
expect add 0 "5" "" -- "$V" --invoke 'add(2, 3)'
expect add-wrap 0 "0" "" -- "$V" --invoke 'add(4294967295, 1)'
expect add-spaces 0 "7" "" -- "$V" --invoke '  add( 3 ,4 , ) '
expect s8 0 "-128" "" -- "$V" --invoke 'echo-s8(-128)'
expect f32 0 "0.1" "" -- "$V" --invoke 'echo-f32(0.1)'
expect f32-big 0 "100000000000000000000" "" -- "$V" --invoke 'echo-f32(1e20)'
expect f32-inf 0 "-inf" "" -- "$V" --invoke 'echo-f32(-inf)'
expect f32-nan 0 "nan" "" -- "$V" --invoke 'echo-f32(nan)'
expect char 0 "'☃'" "" -- "$V" --invoke "echo-char('☃')"
expect char-escape 0 "'\\''" "" -- "$V" --invoke "echo-char('\\'')"
# records, variants, enums, results, lists, options, flags
expect record 0 "{x: 1, y: -2}" "" -- "$V" --invoke 'swap({y: 1, x: -2})'
expect result-ok 0 "ok(3)" "" -- "$V" --invoke 'checked-div(7, 2)'
expect result-err 0 'err("division by zero")' "" -- "$V" --invoke 'checked-div(7, 0)'
expect list-sum 0 "4000000006" "" -- "$V" --invoke 'sum([1, 2, 3, 4000000000])'
expect list-empty 0 "[]" "" -- "$V" --invoke 'echo-list([])'
expect list 0 "[5, 6, 4294967295]" "" -- "$V" --invoke 'echo-list([5,6,4294967295,])'
expect option-some 0 "some(42)" "" -- "$V" --invoke 'double-opt(some(21))'
expect option-flat 0 "some(8)" "" -- "$V" --invoke 'double-opt(4)'
expect option-none 0 "none" "" -- "$V" --invoke 'double-opt(none)'
expect option-omitted 0 "none" "" -- "$V" --invoke 'double-opt()'
expect flags 0 "{write, exec}" "" -- "$V" --invoke 'toggle({write, read})'
expect flags-empty 0 "{read, exec}" "" -- "$V" --invoke 'toggle({})'
expect variant-f64 0 "circle(1.5)" "" -- "$V" --invoke 'echo-shape(circle(1.5))'
expect variant-string 0 'label("hi")' "" -- "$V" --invoke 'echo-shape(label("hi"))'
expect variant-bare 0 "empty" "" -- "$V" --invoke 'echo-shape(empty)'
expect enum 0 "red" "" -- "$V" --invoke 'next-color(blue)'
expect no-result 0 "" "" -- "$V" --invoke 'nothing()'
expect bare-name 0 "" "" -- "$V" --invoke nothing
# functions of exported instances: iface#fn (semver-compatible) or a unique fn
expect iface 0 "8" "" -- "$V" --invoke 'test:demo/math@1.2.0#double(4)'
expect iface-compatible 0 "10" "" -- "$V" --invoke 'test:demo/math@1.0.0#double(5)'
expect iface-unversioned 0 "12" "" -- "$V" --invoke 'test:demo/math#double(6)'
expect iface-implicit 0 "42" "" -- "$V" --invoke 'double(21)'

# errors: exit status 1, one clear message
expect unknown-export 1 "" "no exported function 'nope'; exported functions: .*greet" -- "$V" --invoke 'nope()'
expect unknown-instance 1 "" "no exported instance 'test:demo/math@2.0.0'" -- "$V" --invoke 'test:demo/math@2.0.0#double(1)'
expect unknown-iface-func 1 "" "instance 'test:demo/math@1.2.0' has no function 'triple'" -- "$V" --invoke 'test:demo/math@1.2.0#triple(1)'
expect range 1 "" "col 8: expected u32, found -1 \(out of range\)" -- "$V" --invoke 'add(1, -1)'
expect range-s8 1 "" "col 9: expected s8, found 128" -- "$V" --invoke 'echo-s8(128)'
expect wrong-type 1 "" "col 8: expected u32, found a string" -- "$V" --invoke 'add(1, "x")'
expect caret 1 "" "^         \^$" -- "$V" --invoke 'add(1, "x")'
expect missing-arg 1 "" "missing argument \`b\` \(u32\)" -- "$V" --invoke 'add(1)'
expect too-many 1 "" "col 11: too many arguments: add takes 2" -- "$V" --invoke 'add(1, 2, 3)'
expect missing-field 1 "" "col 6: missing field \`y\`" -- "$V" --invoke 'swap({x: 1})'
expect unknown-case 1 "" "has no case \`square\`" -- "$V" --invoke 'echo-shape(square(1))'
expect unknown-flag 1 "" "no flag \`admin\`" -- "$V" --invoke 'toggle({admin})'
expect syntax 1 "" "col 9: " -- "$V" --invoke 'add(1, 2'
expect bad-name 2 "" "expected NAME\(ARGS...\)" -- "$V" --invoke '(1)'
expect extra-argv 2 "" "one argument" -- "$V" --invoke add 1 2
# traps: message and backtrace on stderr, like core modules
expect trap 1 "" "^weft: trap: unreachable" -- "$V" --invoke 'fail()'
expect trap-backtrace 1 "" "#0 func\[[0-9]+\]" -- "$V" --invoke 'fail()'
expect no-invoke 1 "" "does not export wasi:cli/run" -- "$V"
head -c 40 "$V" >"$OUT/truncated.wasm"
expect missing-import 1 "" "imports instance \`test:demo/host@1.0.0\`, which is not defined" -- "$OUT/imports.wasm" --invoke 'twice()'
expect invoke-first 0 "3" "" -- --invoke 'add(1, 2)' "$V"
expect guest-args 0 "3" "" -- "$V" --invoke 'add(1, 2)' guest-arg-1 guest-arg-2
expect own-result 0 "<own thing>" "" -- "$OUT/resources.wasm" --invoke 'make(3)'
expect own-arg 1 "" "col 9: resource handles cannot be written in WAVE" -- "$OUT/resources.wasm" --invoke 'consume(1)'
expect missing-file 1 "" "cannot open" -- "$OUT/no-such.wasm" --invoke 'add(1, 2)'
expect truncated 1 "" "truncated.wasm: offset 0x[0-9a-f]+: " -- "$OUT/truncated.wasm" --invoke 'add(1, 2)'

# The component API from C (tests/data/components/api_check.c).
if ${CC:-cc} ${WEFT_SANITIZE:-} -std=c17 -Wall -Wextra -Werror -Iinclude -o "$OUT/api_check" \
     tests/data/components/api_check.c -L"$BUILD" -lweft -Wl,-rpath,"$(cd "$BUILD" && pwd)" 2>"$OUT/cc.err"; then
  res=$("$OUT/api_check" "$V" "$OUT/imports.wasm" "$OUT/resources.wasm" 2>&1)
  line=$(tail -n 1 <<<"$res")
  if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    PASS=$((PASS + BASH_REMATCH[1])); FAIL=$((FAIL + BASH_REMATCH[2]))
    [ "${BASH_REMATCH[2]}" = 0 ] || sed '$d' <<<"$res"
  else
    echo "FAIL: api_check: $res"
    FAIL=$((FAIL + 1))
  fi
else
  echo "FAIL: api_check does not compile: $(cat "$OUT/cc.err")"
  FAIL=$((FAIL + 1))
fi

echo "run_component: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
