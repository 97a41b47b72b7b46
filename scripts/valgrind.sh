#!/usr/bin/env bash
# Runs the unit tests and a set of spec scripts under valgrind's memcheck.
#   scripts/valgrind.sh BUILD_DIR [NAME...]    (make valgrind: BUILD_DIR = build-vg)
# BUILD_DIR must be built with -DWF_BOUNDS_CHECK (explicit bounds checks in
# every load and store): the default build lets out-of-bounds accesses fault
# on guard pages on purpose, which memcheck would report as invalid reads.
# Spec scripts run with `weft wast --no-fork`, so valgrind sees the work.
# NAMEs: spec script names (default: the list below). Each run's valgrind
# log is kept in BUILD_DIR/valgrind/NAME.log. Prints one line per run and
# "valgrind: N passed, M failed"; exit status 1 if anything failed.
# Environment: VG_TIMEOUT (default 900) seconds per run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build-vg}
shift || true
CORPUS="${WEFT_CORPORA:-../shared/corpora}/wasm-spec-2.0"
LIMIT=${VG_TIMEOUT:-900}

if ! command -v valgrind >/dev/null; then
  echo "valgrind: not installed"
  echo "valgrind: 0 passed, 1 failed"
  exit 1
fi
for f in "$BUILD/weft" "$BUILD/test_unit"; do
  if [ ! -x "$f" ]; then
    echo "valgrind: $f not built (run make valgrind)"
    echo "valgrind: 0 passed, 1 failed"
    exit 1
  fi
done

if [ $# -gt 0 ]; then
  names=("$@")
else
  # The valgrind build reserves each memory only up to its maximum (1 GiB
  # when none is declared; see src/core/memory.c), so scripts that make
  # dozens of memories fit valgrind's 128 GiB address-space limit.
  names=(address memory memory_trap memory_grow memory_size memory_fill memory_copy
         memory_init load store
         call call_indirect linking bulk table_copy table_init table_grow i32 i64
         f32 f64 conversions traps fac stack br_table left-to-right local_tee
         return select)
fi

LOGDIR="$BUILD/valgrind"
mkdir -p "$LOGDIR"
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
P=0; F=0; failed=()

# run NAME CMD...: one run under valgrind; passes when valgrind reports no
# error and CMD itself succeeds.
run() {
  local name=$1; shift
  local log="$LOGDIR/$name.log" rc=0
  timeout -k 5 "$LIMIT" "${VG[@]}" --log-file="$log.vg" "$@" >"$log" 2>&1 || rc=$?
  cat "$log.vg" >>"$log" 2>/dev/null
  rm -f "$log.vg"
  local summary
  summary=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ "$rc" = 0 ]; then
    P=$((P + 1))
    printf '  ok    %-16s %s\n' "$name" "$summary"
  else
    F=$((F + 1)); failed+=("$name")
    local why="exit status $rc"
    [ "$rc" = 99 ] && why="memcheck errors"
    [ "$rc" = 124 ] && why="timed out after ${LIMIT}s"
    printf '  FAIL  %-16s %s (%s; log %s)\n' "$name" "$summary" "$why" "$log"
  fi
}

start=$(date +%s)
# Unit tests one by one (the runner's argument is a name filter), except the
# ones that test the guard-page fault handler itself: they fault on purpose,
# natively, and valgrind neither lets them trap nor keeps quiet about them.
NATIVE_ONLY=" memory_fault_handler memory_faults_in_threads fault_outside_memory_crashes "
# Tests with time limits (an interrupt must land within a second) scale
# them by this under memcheck.
export WEFT_TEST_TIME_SCALE=20
mapfile -t utests < <(sed -n 's/^WF_TEST(\([A-Za-z0-9_]*\)).*/\1/p' tests/unit/*.c)
UP=0; UF=0; ufailed=()
for t in "${utests[@]}"; do
  [[ "$NATIVE_ONLY" == *" $t "* ]] && continue
  # the filter is a substring: never let it pull in a native-only test
  clash=0
  for x in $NATIVE_ONLY; do [[ "$x" == *"$t"* ]] && clash=1; done
  if [ $clash = 1 ]; then echo "  skip  unit/$t (its name is part of a native-only test's)"; continue; fi
  log="$LOGDIR/unit-$t.log"
  rc=0
  timeout -k 5 "$LIMIT" "${VG[@]}" --log-file="$log.vg" "$BUILD/test_unit" "$t" >"$log" 2>&1 || rc=$?
  cat "$log.vg" >>"$log" 2>/dev/null; rm -f "$log.vg"
  if [ "$rc" = 0 ]; then UP=$((UP + 1)); else UF=$((UF + 1)); ufailed+=("$t($rc)"); fi
done
if [ "$UF" = 0 ]; then
  P=$((P + 1))
  printf '  ok    %-16s %d tests (%d native-only tests not run)\n' unit "$UP" "$(wc -w <<<"$NATIVE_ONLY")"
else
  F=$((F + 1)); failed+=(unit)
  printf '  FAIL  %-16s %d passed, %d failed: %s (logs %s/unit-NAME.log)\n' unit "$UP" "$UF" \
    "${ufailed[*]}" "$LOGDIR"
fi

if [ ! -d "$CORPUS" ] || ! command -v wast2json >/dev/null; then
  echo "valgrind: spec scripts skipped (corpus at $CORPUS or wast2json missing)"
  F=$((F + 1)); failed+=("spec")
else
  for n in "${names[@]}"; do
    wast="$CORPUS/$n.wast"
    dir="$BUILD/spec/$n"
    json="$dir/$n.json"
    if [ ! -f "$wast" ]; then
      printf '  FAIL  %-16s no such spec script\n' "$n"
      F=$((F + 1)); failed+=("$n"); continue
    fi
    mkdir -p "$dir"
    if [ ! -s "$json" ] || [ "$wast" -nt "$json" ]; then
      rm -f "$dir"/*.wasm "$dir"/*.wat "$json"
      if ! wast2json --no-check "$wast" -o "$json" >"$dir/wast2json.log" 2>&1; then
        printf '  FAIL  %-16s wast2json failed\n' "$n"
        F=$((F + 1)); failed+=("$n"); continue
      fi
    fi
    run "$n" "$BUILD/weft" wast --no-fork --timeout 0 "$json"
  done
fi

end=$(date +%s)
echo
[ ${#failed[@]} -gt 0 ] && echo "valgrind: failed: ${failed[*]}"
echo "valgrind: $((end - start))s"
echo "valgrind: $P passed, $F failed"
[ "$F" = 0 ]
