#!/usr/bin/env bash
# `weft run --link DEP.wasm ... APP.wasm`: components linked at run time
# (docs/linking.md). The components are built here from tests/link/guest.c
# (freestanding C against the canonical ABI: clang --target=wasm32, then
# jco embed + jco new; tests/link/build.sh) into BUILD_DIR/link:
#   calc        exports test:calc/ops (add, greet, resource counter)
#   calc2       exports test:calc/ops with an s64 add (a type mismatch)
#   report      imports ops, exports test:calc/report (a chained DEP)
#   app         wasi:cli/run command importing ops; exports total(a, b)
#   app-chain   the same, importing report too
#   random4     exports wasi:random/random (always 4): a --link wins over WASI
#   app-random  prints wasi:random's get-random-u64
#   http-app    a wasi:http handler importing ops, for `weft serve --link`
#               (tests/link/http_app.c; curl over loopback): a fresh calc
#               instance per request
#   tests/cli/link.sh BUILD_DIR      prints "link: N passed, M failed"
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
OUT="$BUILD/link"
P=0; F=0
SERVER=""
finish() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  echo "link: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}
bad() { F=$((F + 1)); echo "link: FAIL: $*"; }

[ -x "$WEFT" ] || { bad "$WEFT not built"; finish; }
msg=$(tests/link/build.sh "$OUT") || { bad "building the components: $msg"; finish; }

# expect NAME STATUS STDOUT STDERR_REGEX -- weft ARGS...
#   STDOUT is compared exactly; STDERR_REGEX is an extended regex stderr must
#   match ("" = stderr must be empty).
expect() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4; shift 5
  local out err rc why=""
  out=$("$WEFT" "$@" 2>"$OUT/stderr"); rc=$?
  err=$(cat "$OUT/stderr")
  [ "$rc" = "$want_rc" ] || why="exit status $rc, expected $want_rc"
  [ -z "$why" ] && [ "$out" != "$want_out" ] && why="stdout '$out', expected '$want_out'"
  if [ -z "$why" ]; then
    if [ -z "$want_err" ]; then
      [ -z "$err" ] || why="stderr '$err', expected none"
    elif ! grep -Eq -- "$want_err" <<<"$err"; then
      why="stderr '$err' does not match /$want_err/"
    fi
  fi
  if [ -z "$why" ]; then P=$((P + 1)); else bad "$name: $why"; fi
}

C="$OUT/calc.wasm" C2="$OUT/calc2.wasm" R="$OUT/report.wasm" A="$OUT/app.wasm" AC="$OUT/app-chain.wasm"
NL=$'\n'
APP_OUT="add(2, 3) = 5${NL}greet: Hello, weft! #1${NL}counter: 11 12"

# ---- linked runs ----
expect run 0 "$APP_OUT" "" -- run --link "$C" "$A"
expect component-run 0 "$APP_OUT" "" -- component run --link "$C" "$A"
expect invoke 0 "42" "" -- run --link "$C" "$A" --invoke 'total(40, 2)'
expect invoke-wrap 0 "-2147483648" "" -- run --link "$C" "$A" --invoke 'total(2147483647, 1)'
# a DEP's exports it does not import are fine (report's, random4's)
expect unused-dep 0 "$APP_OUT" "" -- run --link "$C" --link "$R" --link "$OUT/random4.wasm" "$A"
# chained: report imports calc's ops, the app imports both; one calc instance
# serves both (its second greeting is report's)
expect chain 0 "$APP_OUT${NL}summary: 20 + 22 = 42; Hello, report! #2" "" -- \
  run --link "$C" --link "$R" "$AC"
# with WASI options before and guest arguments after
expect options 0 "$APP_OUT" "" -- run --env X=1 --link "$C" -S inherit-env=n "$A" extra args
# a DEP serving an interface WASI serves too wins over WASI
expect over-wasi 0 "random: 4" "" -- run --link "$OUT/random4.wasm" "$OUT/app-random.wasm"
# commands as DEPs: their wasi:cli/run is not run, and two DEPs exporting
# wasi:cli/run is fine while nothing imports it
expect deps-not-run 0 "random: 4" "" -- \
  run --link "$C" --link "$A" --link "$R" --link "$AC" --link "$OUT/random4.wasm" "$OUT/app-random.wasm"
out=$("$WEFT" run "$OUT/app-random.wasm" 2>&1)
if [[ "$out" =~ ^random:\ -?[0-9]+$ ]] && [ "$out" != "random: 4" ]; then P=$((P + 1))
else bad "wasi-random: without --link: '$out'"; fi

# with a host bundle (built by tests/cli/examples.sh, which runs before this)
SQ="$BUILD/examples/sqlite_host" SQAPP="$BUILD/examples/guests/sqlite_app.wasm"
if [ -d "$SQ" ] && [ -f "$SQAPP" ]; then
  want=$("$WEFT" run --host-bundle "$SQ" "$SQAPP" 2>&1)
  got=$("$WEFT" run --host-bundle "$SQ" --link "$C" "$SQAPP" 2>&1)
  if grep -q "inserted 3 rows" <<<"$want" && [ "$got" = "$want" ]; then P=$((P + 1)); else bad "with-host-bundle: '$got'"; fi
else
  echo "link: with-host-bundle skipped: $SQ not built (tests/cli/examples.sh builds it)"
fi

# ---- errors: each names the files ----
expect missing-link 1 "" "app\.wasm: component imports instance \`test:calc/ops@0\.1\.0\`, which is not defined" -- \
  run "$A"
expect missing-chain 1 "" "app-chain\.wasm: component imports instance \`test:calc/report@0\.1\.0\`, which is not defined" -- \
  run --link "$C" "$AC"
expect two-exporters 1 "" "app\.wasm imports \`test:calc/ops@0\.1\.0\`, which both --link .*/calc\.wasm and --link .*/calc2\.wasm export" -- \
  run --link "$C" --link "$C2" "$A"
expect same-dep-twice 1 "" "which both --link .*/calc\.wasm and --link .*/calc\.wasm export" -- \
  run --link "$C" --link "$C" "$A"
expect mismatch 1 "" "app\.wasm: with --link .*/calc2\.wasm: .*import \`test:calc/ops@0\.1\.0\`: function \`add\` has the wrong type: expected \`s32\`, found \`s64\`" -- \
  run --link "$C2" "$A"
expect mismatch-chain 1 "" "^weft: --link .*/report\.wasm: with --link .*/calc2\.wasm: .*function \`add\` has the wrong type" -- \
  run --link "$C2" --link "$R" "$AC"
# DEPs see only the DEPs before them: report first cannot be instantiated
expect dep-order 1 "" "^weft: --link .*/report\.wasm: component imports instance \`test:calc/ops@0\.1\.0\`, which is not defined" -- \
  run --link "$R" --link "$C" "$AC"
expect not-component 1 "" "^weft: --link .*/calc\.core\.wasm: .*this is a core module" -- \
  run --link "$OUT/calc.core.wasm" "$A"
expect no-file 1 "" "^weft: --link: cannot open .*/nope\.wasm" -- run --link "$OUT/nope.wasm" "$A"
expect app-not-component 1 "" "calc\.core\.wasm: .*this is a core module" -- run --link "$C" "$OUT/calc.core.wasm"
expect no-value 2 "" "^weft: --link needs a component file" -- run --link
# nothing runs when a DEP fails: no output at all
expect nothing-run 1 "" "report\.wasm" -- run --link "$R" "$A"
expect usage 0 "" "--link DEP\.wasm" -- run --help

# ---- weft serve --link ----
HA="$OUT/http-app.wasm"
if ! command -v curl >/dev/null; then
  bad "curl is missing (scripts/setup.sh)"
  finish
fi
# refused at start, naming the files
expect serve-mismatch 1 "" "http-app\.wasm: with --link .*/calc2\.wasm: .*function \`add\` has the wrong type" -- \
  serve --addr 127.0.0.1:0 --link "$C2" "$HA"
expect serve-missing 1 "" "http-app\.wasm: component imports instance \`test:calc/ops@0\.1\.0\`, which is not defined" -- \
  serve --addr 127.0.0.1:0 "$HA"
expect serve-dep-fails 1 "" "^weft: --link .*/report\.wasm: component imports instance" -- \
  serve --addr 127.0.0.1:0 --link "$R" "$HA"
: >"$OUT/serve.err"
"$WEFT" serve --addr 127.0.0.1:0 --link "$C" --link "$R" "$HA" >"$OUT/serve.out" 2>"$OUT/serve.err" &
SERVER=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$OUT/serve.err")
  [ -n "$port" ] && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$port" ]; then
  bad "weft serve --link did not start: $(cat "$OUT/serve.err")"
  finish
fi
WANT="add(2, 3) = 5; Hello, serve! #1"
for n in 1 2; do
  got=$(curl -s "http://127.0.0.1:$port/")
  if [ "$got" = "$WANT" ]; then P=$((P + 1)); else bad "serve request $n: got '$got', want '$WANT'"; fi
done
# in parallel: each request still gets a calc of its own (#1 every time)
CURLS=()
for n in $(seq 16); do
  rm -f "$OUT/par.$n"
  curl -s "http://127.0.0.1:$port/$n" >"$OUT/par.$n" &
  CURLS+=($!)
done
wait "${CURLS[@]}"
nok=0
for n in $(seq 16); do [ "$(cat "$OUT/par.$n")" = "$WANT" ] && nok=$((nok + 1)); done
if [ "$nok" = 16 ]; then P=$((P + 1)); else bad "serve in parallel: $nok of 16 answers were '$WANT'"; fi
kill -TERM "$SERVER"
if wait "$SERVER"; then P=$((P + 1)); else bad "serve --link: exit status $? after SIGTERM: $(cat "$OUT/serve.err")"; fi
SERVER=""

finish
