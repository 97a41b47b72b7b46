#!/usr/bin/env bash
# WASI 0.2 commands under `weft run`: our C guest (tests/wasi/guest.c, built
# with clang --target=wasm32-wasi and adapted with jco's preview1 command
# adapter) checks args, env, stdin, files and listing in a preopened
# directory, clocks, random and exit codes; small .wat components check
# exit-with-code, run returning err, traps, and wasi:http linking.
#   tests/cli/wasi.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WEFT="$BUILD/weft"
JCO=node_modules/.bin/jco
OUT="$BUILD/wasi"
PASS=0; FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
for tool in clang node; do
  command -v $tool >/dev/null || { echo "cannot build the guests: $tool is missing"; echo "0 passed, 1 failed"; exit 1; }
done
mkdir -p "$OUT"
rm -rf "$OUT/data" "$OUT/data2"

# ---- build
if ! clang --target=wasm32-wasi -O2 -o "$OUT/guest.core.wasm" tests/wasi/guest.c 2>"$OUT/build.log" ||
   ! $JCO new "$OUT/guest.core.wasm" --wasi-command -o "$OUT/guest.wasm" >>"$OUT/build.log" 2>&1; then
  cat "$OUT/build.log"; echo "0 passed, 1 failed"; exit 1
fi
for w in exit_with_code trap run_err http_import; do
  $JCO parse tests/wasi/$w.wat -o "$OUT/$w.wasm" >>"$OUT/build.log" 2>&1 || { bad "jco parse $w.wat"; }
done

# ---- the C guest: everything at once
mkdir -p "$OUT/data"
printf 12345 > "$OUT/data/given.txt"
out=$(printf 'hello stdin\n' | WEFT_B=from-host "$WEFT" run --dir "$OUT/data::/data" --env WEFT_A=x=y --env WEFT_B \
      "$OUT/guest.wasm" one "two words" 0 2>"$OUT/stderr.txt")
rc=$?
expect() {   # expect LINE: the guest printed exactly this line
  if grep -qxF -- "$1" <<<"$out"; then ok; else bad "guest output lacks '$1'"; fi
}
[ $rc = 0 ] && ok || bad "guest exit status $rc (stderr: $(head -c 300 "$OUT/stderr.txt"))"
expect "argc: 4"
expect "argv[0]: guest.wasm"
expect "argv[1]: one"
expect "argv[2]: two words"
expect "argv[3]: 0"
expect "env WEFT_A: x=y"
expect "env WEFT_B: from-host"
expect "env HOME: (unset)"
expect "stdin: 12 bytes: hello stdin"
expect "file: 30 bytes: written by the guest|appended|"
expect "stat given.txt: 5 bytes, regular=1"
expect "mkdir sub: ok"
expect "list: given.txt out.txt sub"
expect "unlink: ok"
expect "rmdir: ok"
expect "realtime after 2020: 1"
expect "monotonic slept >= 20ms: 1"
expect "random: 1"
# what the guest did is visible on the host, and only inside the directory
[ "$(ls "$OUT/data")" = "given.txt" ] && ok || bad "data dir after the run: $(ls "$OUT/data" | tr '\n' ' ')"

# ---- options
out=$("$WEFT" run -S inherit-env "$OUT/guest.wasm" </dev/null 2>/dev/null)
expect "env HOME: set"
expect "file: cannot create /data/out.txt: Capabilities insufficient"   # no --dir: no preopen to resolve it in
out=$(HOME=/x "$WEFT" run "$OUT/guest.wasm" </dev/null 2>/dev/null)
expect "env HOME: (unset)"   # the host environment is not passed by default
"$WEFT" run -S no-such-setting "$OUT/guest.wasm" </dev/null >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok || bad "unknown -S setting: exit status $rc, expected 2"
"$WEFT" run --dir "$OUT/no-such-dir" "$OUT/guest.wasm" </dev/null >/dev/null 2>"$OUT/stderr.txt"; rc=$?
[ $rc = 1 ] && grep -q "no-such-dir" "$OUT/stderr.txt" && ok || bad "--dir of a missing directory: status $rc: $(cat "$OUT/stderr.txt")"

# ---- exit codes
"$WEFT" run "$OUT/guest.wasm" 7 </dev/null >/dev/null 2>&1; rc=$?
# wasi-libc's exit(7) reaches the host through the preview1 adapter as exit(err)
[ $rc = 1 ] && ok || bad "guest returning 7: exit status $rc, expected 1"
"$WEFT" run "$OUT/exit_with_code.wasm" >/dev/null 2>&1; rc=$?
[ $rc = 42 ] && ok || bad "exit-with-code(42): exit status $rc"
"$WEFT" component run "$OUT/exit_with_code.wasm" >/dev/null 2>&1; rc=$?
[ $rc = 42 ] && ok || bad "weft component run: exit status $rc"
"$WEFT" run "$OUT/run_err.wasm" >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && ok || bad "run returning err: exit status $rc"
"$WEFT" run "$OUT/trap.wasm" >/dev/null 2>"$OUT/stderr.txt"; rc=$?
[ $rc = 134 ] && ok || bad "trap: exit status $rc, expected 134"
grep -q "trap: unreachable" "$OUT/stderr.txt" && grep -q "wasm backtrace" "$OUT/stderr.txt" && grep -q "inner" "$OUT/stderr.txt" \
  && ok || bad "trap message/backtrace: $(cat "$OUT/stderr.txt")"

# ---- wasi:http links by default, not with -S http=n
"$WEFT" run "$OUT/http_import.wasm" >/dev/null 2>"$OUT/stderr.txt"; rc=$?
[ $rc = 0 ] && ok || bad "command importing wasi:http: status $rc: $(cat "$OUT/stderr.txt")"
"$WEFT" run -S http=n "$OUT/http_import.wasm" >/dev/null 2>"$OUT/stderr.txt"; rc=$?
[ $rc = 1 ] && grep -q "wasi:http/types" "$OUT/stderr.txt" && ok || bad "-S http=n: status $rc: $(cat "$OUT/stderr.txt")"

echo "$PASS passed, $FAIL failed"
[ $FAIL = 0 ]
