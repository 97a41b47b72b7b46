#!/usr/bin/env bash
# Tests the spec-test runner itself (weft wast) on the hand-made scripts in
# tests/data/wast/. Each X.wast states what the runner must report:
#   ;; expect: N passed, M failed (K skipped: text format)
#   ;; run with: EXTRA FLAGS          (optional)
# and marks with ";; FAIL" each command that must be reported as a failure
# (the runner must be able to fail). The X.json files there are hand-written
# scripts (broken JSON, missing files, JSON escapes in names: tiny.wasm);
# their expectations are below.
#   tests/cli/wast.sh BUILD_DIR
# Prints "wast-runner: N passed, M failed"; exit status 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
DATA=tests/data/wast
OUT="$BUILD/wast-runner"
P=0; F=0
ok() { P=$((P + 1)); }
bad() { F=$((F + 1)); echo "wast-runner: FAIL: $*"; }

finish() {
  echo "wast-runner: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}

if [ ! -x "$WEFT" ]; then bad "$WEFT not built"; finish; fi
if ! command -v wast2json >/dev/null; then bad "wast2json not found (wabt)"; finish; fi
rm -rf "$OUT"; mkdir -p "$OUT"

# summary_of LOG NAME: the runner's summary line for NAME.json, without the
# informational message-mismatch count.
summary_of() {
  grep -E "^$2\.json: [0-9]+ passed, [0-9]+ failed" "$1" | tail -n 1 |
    sed -E 's/, [0-9]+ message mismatches\)/)/'
}

# check NAME JSON EXPECT RUNFLAGS: runs one script and checks its summary,
# its exit status and that each ";; FAIL" line is reported.
check() {
  local name=$1 json=$2 expect=$3 flags=$4 src=${5:-}
  local log="$OUT/$name.log"
  # shellcheck disable=SC2086
  "$WEFT" wast -v $flags "$json" >"$log" 2>&1
  local rc=$?
  local got
  got=$(summary_of "$log" "$name")
  if [ "$got" = "$name.json: $expect" ]; then ok; else
    bad "$name: summary '$got', expected '$name.json: $expect'"; sed 's/^/    /' "$log" | head -n 40
  fi
  local want_rc=1
  case "$expect" in *" 0 failed"*) want_rc=0 ;; esac
  if [ "$rc" = "$want_rc" ]; then ok; else bad "$name: exit status $rc, expected $want_rc"; fi
  if [ -n "$src" ]; then
    local line
    # shellcheck disable=SC2013
    for line in $(grep -nE '^\(.*;; FAIL' "$src" | cut -d: -f1); do
      if grep -qE "^  $name\.json:$line: FAIL" "$log"; then ok; else
        bad "$name: line $line not reported as a failure"
      fi
    done
  fi
}

total_p=0; total_f=0; total_s=0; multi=()
for src in "$DATA"/*.wast; do
  name=$(basename "$src" .wast)
  mkdir -p "$OUT/$name"
  json="$OUT/$name/$name.json"
  if ! wast2json --no-check "$src" -o "$json" >"$OUT/$name.wast2json.log" 2>&1; then
    bad "$name: wast2json failed: $(head -n 3 "$OUT/$name.wast2json.log")"; continue
  fi
  expect=$(sed -nE 's/^;; expect: (.*)$/\1/p' "$src" | head -n 1)
  flags=$(sed -nE 's/^;; run with: (.*)$/\1/p' "$src" | head -n 1)
  if [ -z "$expect" ]; then bad "$name: no ';; expect:' line"; continue; fi
  check "$name" "$json" "$expect" "$flags" "$src"
  if [ -z "$flags" ]; then
    read -r p f s < <(echo "$expect" | sed -E 's/([0-9]+) passed, ([0-9]+) failed \(([0-9]+) skipped.*/\1 \2 \3/')
    total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
    multi+=("$json")
  fi
done

check broken "$DATA/broken.json" "0 passed, 1 failed (0 skipped: text format)" ""
check missing "$DATA/missing.json" "0 passed, 6 failed (1 skipped: text format)" ""
check escapes "$DATA/escapes.json" "6 passed, 0 failed (0 skipped: text format)" ""

# Several scripts in one run: the total line adds them up.
log="$OUT/multi.log"
"$WEFT" wast "${multi[@]}" >"$log" 2>&1
rc=$?
want="spec: $total_p passed, $total_f failed, $total_s skipped"
if [ "$(tail -n 1 "$log")" = "$want" ]; then ok; else
  bad "several scripts: last line '$(tail -n 1 "$log")', expected '$want'"
fi
if [ "$rc" = 1 ]; then ok; else bad "several scripts: exit status $rc, expected 1"; fi

# A script that hangs does not stop the ones after it.
log="$OUT/isolation.log"
"$WEFT" wast --timeout 2 "$OUT/hang/hang.json" "$OUT/pass/pass.json" >"$log" 2>&1
if grep -q '^hang.json: timed out' "$log" &&
   grep -qE '^pass.json: [0-9]+ passed, 0 failed' "$log"; then ok; else
  bad "isolation: a hanging script stopped the run"; sed 's/^/    /' "$log"
fi

# Usage errors.
"$WEFT" wast >/dev/null 2>&1
rc=$?
if [ "$rc" = 2 ]; then ok; else bad "no script: exit status $rc, expected 2"; fi

finish
