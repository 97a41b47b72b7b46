#!/usr/bin/env bash
# Runs the WebAssembly spec test suite (wasm-spec-2.0, without simd_*) with
# BUILD_DIR/weft wast, one weft process per script, two at a time.
#   scripts/spec.sh BUILD_DIR [NAME...]     (NAMEs: e.g. i32 br_table; default all)
# Each X.wast is converted by wast2json into BUILD_DIR/spec/X/ when missing or
# older than the .wast. Prints one line per script, the scripts with failures,
# and the total "spec: N passed, M failed, K skipped". Exit status 1 if
# anything failed. A script whose weft process crashes, hangs or prints no
# summary counts as (one more) failure.
# Each failure and message mismatch, with its line, is kept in
# BUILD_DIR/spec/X/result.txt; SPEC_VERBOSE=1 prints them here too.
# Environment: SPEC_JOBS (default 2) scripts run at once; SPEC_TIMEOUT (default 240)
# seconds per script.
set -uo pipefail

# --one BUILD WAST: convert and run one script; output goes to its result file.
if [ "${1:-}" = "--one" ]; then
  build=$2 wast=$3
  name=$(basename "$wast" .wast)
  dir="$build/spec/$name"
  json="$dir/$name.json"
  out="$dir/result.txt"
  mkdir -p "$dir"
  : >"$out"
  exec 2>>"$out"   # the shell's own notes (e.g. "Segmentation fault") go there too
  if [ ! -s "$json" ] || [ "$wast" -nt "$json" ]; then
    rm -f "$dir"/*.wasm "$dir"/*.wat "$json"
    # --no-check: weft judges validity itself (wabt 1.0.32 rejects a few
    # modules that Wasm 2.0 accepts).
    if ! wast2json --no-check "$wast" -o "$json" >"$dir/wast2json.log" 2>&1; then
      { echo "$name.json: wast2json failed:"; head -n 5 "$dir/wast2json.log"
        echo "$name.json: 0 passed, 1 failed"; } >"$out"
      rm -f "$json"
      exit 0
    fi
  fi
  # weft stops a script itself after SPEC_TIMEOUT seconds (and says so); the
  # outer timeout is a backstop in case weft itself hangs.
  limit=${SPEC_TIMEOUT:-240}
  timeout -k 5 $((limit + 30)) "$build/weft" wast -v \
    --timeout "$limit" "$json" >>"$out" 2>&1
  rc=$?
  if [ "$rc" -gt 1 ] || ! grep -qE "^$name\.json: [0-9]+ passed, [0-9]+ failed" "$out"; then
    echo "$name.json: weft exited with status $rc without a proper summary: 1 more failure" >>"$out"
    echo "$name.json: 0 passed, 1 failed" >>"$out"
  fi
  exit 0
fi

SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
BUILD=${1:-build}
shift || true
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
cd "$(dirname "$SELF")/.." || exit 1
CORPUS="${WEFT_CORPORA:-../shared/corpora}/wasm-spec-2.0"

if [ ! -d "$CORPUS" ]; then
  echo "spec: SKIPPED — corpus not found at $CORPUS"
  echo "spec: 0 passed, 1 failed"
  exit 1
fi
if ! command -v wast2json >/dev/null; then
  echo "spec: wast2json not found (Debian package wabt; run scripts/setup.sh)"
  echo "spec: 0 passed, 1 failed"
  exit 1
fi
if [ ! -x "$BUILD/weft" ]; then
  echo "spec: $BUILD/weft not built"
  echo "spec: 0 passed, 1 failed"
  exit 1
fi

files=()
nsimd=0
for f in "$CORPUS"/*.wast; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .wast)
  case "$n" in simd_*) nsimd=$((nsimd + 1)); continue ;; esac
  if [ $# -gt 0 ]; then
    keep=0
    for want in "$@"; do [ "$want" = "$n" ] && keep=1; done
    [ $keep = 1 ] || continue
  fi
  files+=("$f")
done
if [ ${#files[@]} = 0 ]; then
  echo "spec: no .wast files found in $CORPUS"
  echo "spec: 0 passed, 1 failed"
  exit 1
fi

start=$(date +%s)
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "${SPEC_JOBS:-2}" "$SELF" --one "$BUILD"

P=0; F=0; S=0; M=0; failed_files=()
for f in "${files[@]}"; do
  n=$(basename "$f" .wast)
  out="$BUILD/spec/$n/result.txt"
  if [ ! -f "$out" ]; then
    echo "$n.json: no result: 1 failure"
    F=$((F + 1)); failed_files+=("$n(1)"); continue
  fi
  if [ "${SPEC_VERBOSE:-0}" = 1 ]; then cat "$out"; else grep -v '^  ' "$out"; fi
  # Every summary line of the file adds up (a crash adds one more).
  file_f=0
  while read -r p fl s m; do
    P=$((P + p)); F=$((F + fl)); S=$((S + s)); M=$((M + m)); file_f=$((file_f + fl))
  done < <(sed -nE "s/^$n\.json: ([0-9]+) passed, ([0-9]+) failed( \(([0-9]+) skipped[^,)]*(, ([0-9]+) message mismatches)?\))?.*/\1 \2 \4 \6/p" "$out" |
           awk '{print $1, $2, ($3 == "" ? 0 : $3), ($4 == "" ? 0 : $4)}')
  [ "$file_f" != 0 ] && failed_files+=("$n($file_f)")
done
end=$(date +%s)

echo
echo "spec: $nsimd simd_*.wast files not run: SIMD not implemented yet"
if [ ${#failed_files[@]} -gt 0 ]; then
  echo "spec: files with failures (${#failed_files[@]}): ${failed_files[*]}"
fi
if [ ${#failed_files[@]} -gt 0 ] || [ "$M" != 0 ]; then
  echo "spec: details (line by line) in $BUILD/spec/NAME/result.txt, or run with SPEC_VERBOSE=1"
fi
[ "$M" != 0 ] && echo "spec: $M message mismatches (not failures)"
echo "spec: ${#files[@]} files in $((end - start))s"
echo "spec: $P passed, $F failed, $S skipped"
[ "$F" = 0 ]
