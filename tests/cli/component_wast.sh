#!/usr/bin/env bash
# Runs the Component Model test suites (binary, linking, resources,
# validation, values from $WEFT_CORPORA/component-model/bin) through
# `BUILD_DIR/weft wast`, after a self-test of the component runner itself:
#   - a hand-made component (built here with jco from the text below) whose
#     exports return records, lists, options, enums, flags, chars, strings...
#     and a script of right and deliberately wrong expectations: the runner
#     must report exactly the wrong ones (it must be able to fail);
#   - a script listed in a nyi.txt is skipped with that reason;
#   - a "text" cut short by the converter is read again from the .wast;
#   - instantiation that traps (start function) or cannot link (an import);
#   - a script that hangs is stopped (--timeout) and the next one runs.
#   tests/cli/component_wast.sh BUILD_DIR
# Prints every suite's per-file lines and failures (-v), the skip reasons,
# and last "component-wast: N passed, M failed" (self-test checks + suite
# units). Exit status 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
CORPORA=${WEFT_CORPORA:-../shared/corpora}
BIN="$CORPORA/component-model/bin"
SUITES="binary linking resources validation values"
OUT="$BUILD/component-wast"
JCO=node_modules/.bin/jco
P=0; F=0
ok() { P=$((P + 1)); }
bad() { F=$((F + 1)); echo "component-wast: FAIL: $*"; }
finish() {
  echo "component-wast: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}

if [ ! -x "$WEFT" ]; then bad "$WEFT not built"; finish; fi
rm -rf "$OUT"; mkdir -p "$OUT"

# ---- self-test 1: values in and out of a hand-made component ------------------
ST="$OUT/selftest/bin/st"; mkdir -p "$ST" "$OUT/selftest/wast/st"
cat >"$ST/values.wat" <<'EOF'
(component
  (core module $m
    (memory (export "mem") 1)
    (data (i32.const 16) "hello")
    (data (i32.const 64) "\07\00\00\00\10\00\00\00\05\00\00\00")
    (data (i32.const 128) "\10\00\00\00\05\00\00\00")
    (data (i32.const 192) "\01\00\00\00\2a\00\00\00")
    (func (export "rec") (result i32) i32.const 64)
    (func (export "bytes") (result i32) i32.const 128)
    (func (export "opt") (result i32) i32.const 192)
    (func (export "num") (result i64) i64.const -5)
    (func (export "flt") (result f32) f32.const 1.5)
    (func (export "en") (result i32) i32.const 2)
    (func (export "fl") (result i32) i32.const 5)
    (func (export "ch") (result i32) i32.const 0x1F370)
    (func (export "id") (param i32 i32) (result i32)
      (i32.store (i32.const 256) (local.get 0))
      (i32.store (i32.const 260) (local.get 1))
      i32.const 256)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 1024)
  )
  (core instance $i (instantiate $m))
  (type $R (record (field "a" u32) (field "b" string)))
  (export $R2 "r" (type $R))
  (type $E (enum "x" "y" "z"))
  (export $E2 "e" (type $E))
  (type $F (flags "p" "q" "s"))
  (export $F2 "f" (type $F))
  (func (export "rec") (result $R2) (canon lift (core func $i "rec") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "bytes") (result (list u8)) (canon lift (core func $i "bytes") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "opt") (result (option u32)) (canon lift (core func $i "opt") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "num") (result s64) (canon lift (core func $i "num")))
  (func (export "flt") (result f32) (canon lift (core func $i "flt")))
  (func (export "en") (result $E2) (canon lift (core func $i "en")))
  (func (export "fl") (result $F2) (canon lift (core func $i "fl")))
  (func (export "ch") (result char) (canon lift (core func $i "ch")))
  (func (export "id") (param "s" string) (result string) (canon lift (core func $i "id") (memory $i "mem") (realloc (func $i "realloc"))))
)
EOF
# Lines marked FAIL below are wrong on purpose.
cat >"$ST/values.json" <<'EOF'
{"source_filename": "st/values.wast", "commands": [
 {"type": "component", "line": 1, "filename": "values.wasm"},
 {"type": "assert_return", "line": 10, "text": "(assert_return (invoke \"rec\") (record.const (field \"a\" u32.const 7) (field \"b\" str.const \"hello\")))"},
 {"type": "assert_return", "line": 11, "text": "(assert_return (invoke \"rec\") (record.const (field \"b\" (str.const \"hello\")) (field \"a\" (u32.const 7))))"},
 {"type": "assert_return", "line": 12, "text": "(assert_return (invoke \"rec\") (record.const (field \"a\" u32.const 8) (field \"b\" str.const \"hello\")))", "FAIL": 1},
 {"type": "assert_return", "line": 13, "text": "(assert_return (invoke \"bytes\") (list.const (u8.const 0x68) (u8.const 101) (u8.const 108) (u8.const 1_0_8) (u8.const 111)))"},
 {"type": "assert_return", "line": 14, "text": "(assert_return (invoke \"bytes\") (list.const (u8.const 0x68)))", "FAIL": 1},
 {"type": "assert_return", "line": 15, "text": "(assert_return (invoke \"opt\") (option.some (u32.const 42)))"},
 {"type": "assert_return", "line": 16, "text": "(assert_return (invoke \"opt\") (option.none))", "FAIL": 1},
 {"type": "assert_return", "line": 17, "text": "(assert_return (invoke \"num\") (s64.const -5))"},
 {"type": "assert_return", "line": 18, "text": "(assert_return (invoke \"num\") (s64.const -0x5))"},
 {"type": "assert_return", "line": 19, "text": "(assert_return (invoke \"num\") (u64.const 5))", "FAIL": 1},
 {"type": "assert_return", "line": 20, "text": "(assert_return (invoke \"flt\") (f32.const 1.5))"},
 {"type": "assert_return", "line": 21, "text": "(assert_return (invoke \"flt\") (f32.const 0x1.8p+0))"},
 {"type": "assert_return", "line": 22, "text": "(assert_return (invoke \"flt\") (f32.const nan))", "FAIL": 1},
 {"type": "assert_return", "line": 23, "text": "(assert_return (invoke \"en\") (enum.const \"z\"))"},
 {"type": "assert_return", "line": 24, "text": "(assert_return (invoke \"en\") (enum.const \"x\"))", "FAIL": 1},
 {"type": "assert_return", "line": 25, "text": "(assert_return (invoke \"fl\") (flags.const \"p\" \"s\"))"},
 {"type": "assert_return", "line": 26, "text": "(assert_return (invoke \"fl\") (flags.const \"s\" \"p\"))"},
 {"type": "assert_return", "line": 27, "text": "(assert_return (invoke \"fl\") (flags.const \"p\"))", "FAIL": 1},
 {"type": "assert_return", "line": 28, "text": "(assert_return (invoke \"ch\") (char.const \"\\u{1f370}\"))"},
 {"type": "assert_return", "line": 29, "text": "(assert_return (invoke \"ch\") (char.const \"🍰\"))"},
 {"type": "assert_return", "line": 30, "text": "(assert_return (invoke \"ch\") (char.const \"x\"))", "FAIL": 1},
 {"type": "assert_return", "line": 31, "text": "(assert_return (invoke \"id\" (str.const \"a\\u{263a}\\41\\n\\\"\")) (str.const \"a☺A\\n\\\"\"))"},
 {"type": "assert_return", "line": 32, "text": "(assert_return (invoke \"id\" (str.const \"ab\")) (str.const \"abc\"))", "FAIL": 1},
 {"type": "assert_return", "line": 33, "text": "(assert_return (invoke \"id\" (u32.const 1)) (str.const \"abc\"))", "FAIL": 1},
 {"type": "assert_return", "line": 34, "text": "(assert_return (invoke \"id\" (str.const \"\\ff\")) (str.const \"abc\"))", "FAIL": 1},
 {"type": "assert_return", "line": 35, "text": "(assert_return (invoke \"nope\"))", "FAIL": 1},
 {"type": "assert_return", "line": 36, "text": "(assert_return (invoke \"num\"))", "FAIL": 1},
 {"type": "assert_trap", "line": 37, "text": "(assert_trap (invoke \"num\") \"unreachable\")", "FAIL": 1},
 {"type": "assert_return", "line": 38, "text": "(assert_return (invoke \"num\" (s64.const 1)) (s64.const -5))", "FAIL": 1},
 {"type": "assert_return", "line": 39, "text": "(assert_return (invoke \"num\") (s64.const -5)", "FAIL": 1},
 {"type": "assert_malformed", "line": 40, "text": "x", "quote": true, "parse_error": "e"},
 {"type": "assert_invalid", "line": 41, "filename": "values.wasm", "text": "x", "FAIL": 1},
 {"type": "assert_malformed", "line": 42, "filename": "truncated.wasm", "text": "unexpected end"},
 {"type": "component instance", "line": 43, "text": "(component instance $i $Missing)", "FAIL": 1}
]}
EOF
if [ ! -x "$JCO" ]; then
  echo "component-wast: self-test 1 skipped: $JCO not found (run make setup) to build its component"
elif ! "$JCO" parse "$ST/values.wat" -o "$ST/values.wasm" >"$OUT/jco.log" 2>&1; then
  bad "jco parse failed: $(head -n 3 "$OUT/jco.log")"
else
  head -c 20 "$ST/values.wasm" >"$ST/truncated.wasm"
  log="$OUT/selftest-values.log"
  "$WEFT" wast -v "$ST/values.json" >"$log" 2>&1
  rc=$?
  want="st/values.json: 16 passed, 18 failed, 1 skipped (text format, no binary: 1)"
  got=$(grep -E '^st/values.json: [0-9]+ passed' "$log" | tail -n 1)
  if [ "$got" = "$want" ]; then ok; else
    bad "self-test: summary '$got', expected '$want'"; sed 's/^/    /' "$log" | head -n 60
  fi
  if [ "$rc" = 1 ]; then ok; else bad "self-test: exit status $rc, expected 1"; fi
  # shellcheck disable=SC2013
  for line in $(grep -oE '"line": [0-9]+, [^}]*"FAIL": 1' "$ST/values.json" | sed -E 's/"line": ([0-9]+).*/\1/'); do
    if grep -qE "^  st/values.json:$line: FAIL" "$log"; then ok; else
      bad "self-test: line $line not reported as a failure"
    fi
  done
  # a failure names what was expected and what came back
  if grep -qF 'st/values.json:12: FAIL: assert_return (invoke "rec"): got (record.const (field "a" (u32.const 7)) (field "b" (str.const "hello"))), expected (record.const (field "a" (u32.const 8))' "$log"; then ok; else
    bad "self-test: line 12 does not show got/expected values"; grep ':12:' "$log"
  fi
fi

# ---- self-test 2: instantiation outcomes (trap in a start function, missing import)
cat >"$ST/trap.wat" <<'EOF'
(component
  (core module $m (func $s unreachable) (start $s))
  (core instance (instantiate $m))
)
EOF
cat >"$ST/imp.wat" <<'EOF'
(component (import "host-f" (func)))
EOF
cat >"$ST/inst.json" <<'EOF'
{"source_filename": "st/inst.wast", "commands": [
 {"type": "assert_trap", "line": 1, "filename": "trap.wasm", "text": "unreachable"},
 {"type": "assert_uninstantiable", "line": 2, "filename": "trap.wasm", "text": "out of bounds", "FAIL": 1},
 {"type": "assert_unlinkable", "line": 3, "filename": "imp.wasm", "text": "host-f"},
 {"type": "component", "line": 4, "filename": "imp.wasm", "FAIL": 1},
 {"type": "assert_return", "line": 5, "text": "(assert_return (invoke \"f\"))", "FAIL": 1},
 {"type": "assert_unlinkable", "line": 6, "filename": "trap.wasm", "text": "x", "FAIL": 1}
]}
EOF
if [ -x "$JCO" ] && "$JCO" parse "$ST/trap.wat" -o "$ST/trap.wasm" >>"$OUT/jco.log" 2>&1 &&
   "$JCO" parse "$ST/imp.wat" -o "$ST/imp.wasm" >>"$OUT/jco.log" 2>&1; then
  log="$OUT/selftest-inst.log"
  "$WEFT" wast -v "$ST/inst.json" >"$log" 2>&1
  want="st/inst.json: 2 passed, 4 failed, 0 skipped"
  got=$(grep -E '^st/inst.json: [0-9]+ passed' "$log" | tail -n 1)
  if [ "$got" = "$want" ]; then ok; else
    bad "self-test 2: summary '$got', expected '$want'"; sed 's/^/    /' "$log"
  fi
  for line in 2 4 5 6; do
    if grep -qE "^  st/inst.json:$line: FAIL" "$log"; then ok; else
      bad "self-test 2: line $line not reported as a failure"
    fi
  done
elif [ -x "$JCO" ]; then
  bad "jco parse failed: $(tail -n 3 "$OUT/jco.log")"
else
  echo "component-wast: self-test 2 skipped: $JCO not found (run make setup) to build its components"
fi

# ---- self-test 3: nyi.txt, and a text cut short by the converter ------------------
if [ -f "$BIN/values/numerics.1.wasm" ]; then
  cp "$BIN/values/numerics.1.wasm" "$ST/n.wasm"
  printf '# not yet passing\n./st/listed.wast\n' >"$OUT/selftest/nyi.txt"
  cat >"$ST/listed.json" <<'EOF'
{"source_filename": "st/listed.wast", "commands": [
 {"type": "component", "line": 1, "filename": "n.wasm"},
 {"type": "assert_return", "line": 2, "text": "(assert_return (invoke \"i-to-b\" (u32.const 0)) (bool.const true))"}
]}
EOF
  # the .wast source: the text below is cut, the runner must read line 3 here
  printf ';; source\n(component)\n(assert_return\n  (invoke "i-to-u8" (u32.const 0x1_0f01)) ;; (comment)\n  (u8.const 1))\n' \
    >"$OUT/selftest/wast/st/cut.wast"
  cat >"$ST/cut.json" <<'EOF'
{"source_filename": "st/cut.wast", "commands": [
 {"type": "component", "line": 2, "filename": "n.wasm"},
 {"type": "assert_return", "line": 3, "text": "(assert_return (invoke \"i-to-u8\" (u32.const 0x1_0f01)) (u8."}
]}
EOF
  log="$OUT/selftest-nyi.log"
  "$WEFT" wast "$ST/listed.json" "$ST/cut.json" >"$log" 2>&1
  rc=$?
  for want in "st/listed.json: 0 passed, 0 failed, 2 skipped (listed in nyi.txt: 2)" \
              "st/cut.json: 2 passed, 0 failed, 0 skipped" \
              "component-model: 2 passed, 0 failed, 2 skipped"; do
    if grep -qxF "$want" "$log"; then ok; else bad "self-test: no line '$want'"; sed 's/^/    /' "$log"; fi
  done
  if [ "$rc" = 0 ]; then ok; else bad "self-test 3: exit status $rc, expected 0"; fi
else
  echo "component-wast: self-test 3 skipped: no $BIN/values/numerics.1.wasm"
fi

# ---- self-test 4: a script that hangs is stopped; the next one still runs
cat >"$ST/spin.wat" <<'EOF'
(component
  (core module $m (func (export "spin") (loop (br 0))))
  (core instance $i (instantiate $m))
  (func (export "spin") (canon lift (core func $i "spin")))
)
EOF
cat >"$ST/spin.json" <<'EOF'
{"source_filename": "st/spin.wast", "commands": [
 {"type": "component", "line": 1, "filename": "spin.wasm"},
 {"type": "assert_return", "line": 2, "text": "(assert_return (invoke \"spin\"))"}
]}
EOF
if [ -x "$JCO" ] && "$JCO" parse "$ST/spin.wat" -o "$ST/spin.wasm" >>"$OUT/jco.log" 2>&1 &&
   [ -f "$ST/n.wasm" ]; then
  log="$OUT/selftest-spin.log"
  "$WEFT" wast --timeout 1 "$ST/spin.json" "$ST/cut.json" >"$log" 2>&1
  rc=$?
  if grep -qxF "st/spin.json: timed out after 1s at line 2: counted as 1 more failure" "$log" &&
     grep -qxF "st/cut.json: 2 passed, 0 failed, 0 skipped" "$log" &&
     grep -qxF "component-model: 3 passed, 1 failed, 0 skipped" "$log" && [ "$rc" = 1 ]; then ok; else
    bad "self-test 4: a hanging script was not stopped and counted (exit $rc)"; sed 's/^/    /' "$log"
  fi
else
  echo "component-wast: self-test 4 skipped: needs $JCO and self-test 3's files"
fi

# ---- the suites -----------------------------------------------------------------------
if [ ! -d "$BIN" ]; then
  bad "no corpus at $BIN (set WEFT_CORPORA)"; finish
fi
files=()
for s in $SUITES; do
  if [ ! -d "$BIN/$s" ]; then bad "suite $s missing from $BIN"; continue; fi
  for j in "$BIN/$s"/*.json; do [ -e "$j" ] && files+=("$j"); done
done
log="$OUT/suites.log"
"$WEFT" wast -v --timeout 10 "${files[@]}" >"$log" 2>&1
rc=$?
cat "$log"
total=$(grep -E '^component-model: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
if [ -z "$total" ]; then
  bad "the suites produced no total line (exit status $rc)"
else
  read -r p f s < <(echo "$total" | sed -E 's/^component-model: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
  echo "component-wast: runner self-test: $P checks passed, $F failed"
  echo "component-wast: suites: $p passed, $f failed, $s skipped (reasons above)"
  P=$((P + p)); F=$((F + f))
  if [ "$f" = 0 ] && [ "$rc" != 0 ]; then bad "the suites: exit status $rc with no failure counted"; fi
fi
finish
