#!/usr/bin/env bash
# Start-up: wall time of `weft run` against `jco run` on the same command
# components, one process per run:
#
#   bench/startup.sh [BUILD]        (default build; needs BUILD/weft)
#
# Guests (built into BUILD/bench-startup, rebuilt only when their sources change):
#   hello-c.wasm   bench/startup/hello.c: clang --target=wasm32-wasi -O2, then
#                  jco new --wasi-command (the preview1 command adapter)
#   hello-js.wasm  bench/startup/hello.js: jco componentize (componentize-js,
#                  StarlingMonkey), exporting wasi:cli/run@0.2.12
# Both print "hello, world"; every run's output is checked.
#
# Per guest, three ways to run it, interleaved run by run:
#   weft      BUILD/weft run FILE
#   jco run   node_modules/.bin/jco run FILE: transpiles the component to JS +
#             core modules in a temporary directory, then spawns node on it
#             with @bytecodealliance/preview2-shim (that is what jco run does
#             on every call)
#   node      node DIR/_run.js: the second half of jco run alone, on a
#             directory transpiled once beforehand (jco run --jco-dir DIR)
# Times are the median over BENCH_RUNS runs (default 10) after one untimed
# warm-up run of each, measured from the shell around the process (bash
# $EPOCHREALTIME; every process runs under timeout(1), whose cost is printed
# as the baseline). Ratios: weft / other (below 1: weft starts faster).
#
# Knobs: BENCH_RUNS=N (runs per tool, default 10), BENCH_JCO_RUNS=N (runs of
# jco run and node, default BENCH_RUNS: jco run takes seconds per run),
# BENCH_TIMEOUT=S (limit per process, default 120).
# Results are printed and written to BUILD/bench-startup.txt. Times are
# reported, never asserted; the exit status is 1 only when something failed
# to build or run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build}
OUT="$BUILD/bench-startup"
RESULTS="$BUILD/bench-startup.txt"
RUNS=${BENCH_RUNS:-10}
JRUNS=${BENCH_JCO_RUNS:-$RUNS}
TIMEOUT=${BENCH_TIMEOUT:-120}
JCO=node_modules/.bin/jco
WEFT="$BUILD/weft"
SRC=bench/startup
WANT="hello, world"

mkdir -p "$OUT"
: >"$RESULTS"
say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
sayf() { local f=$1; shift; printf "$f" "$@" | tee -a "$RESULTS"; }
# failures go to a file: timed() runs in $(...) subshells
FAILS="$OUT/failures.txt"
: >"$FAILS"
fail() { printf '%s\n' "$*" >>"$FAILS"; printf 'bench-startup: FAILURE: %s\n' "$*" >&2; }
START=$EPOCHREALTIME
finish() {
  say ""
  say "  (this script took $(awk -v a="${START/,/.}" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.0f", b - a }') s)"
  if [ -s "$FAILS" ]; then
    say "bench-startup: $(wc -l <"$FAILS") FAILURE(S):"
    sed 's/^/  /' "$FAILS" | tee -a "$RESULTS"
    exit 1
  fi
  say "bench-startup: all runs printed '$WANT' (results in $RESULTS)"
  exit 0
}

case "$RUNS$JRUNS" in *[!0-9]*) fail "BENCH_RUNS/BENCH_JCO_RUNS must be numbers"; finish ;; esac
[ "$RUNS" -ge 1 ] && [ "$JRUNS" -ge 1 ] || { fail "BENCH_RUNS and BENCH_JCO_RUNS must be at least 1"; finish; }
[ -x "$WEFT" ] || { fail "$WEFT is not built (run make first)"; finish; }
command -v node >/dev/null || { fail "node not found (needed by jco)"; finish; }
[ -x "$JCO" ] || { fail "$JCO not found (scripts/setup.sh / npm ci installs it)"; finish; }

# ---- guests -----------------------------------------------------------------------
# newer SRC... than DEST, or DEST missing/empty
stale() { local d=$1; shift; [ -s "$d" ] || return 0; local s; for s; do [ "$s" -nt "$d" ] && return 0; done; return 1; }

CW="$OUT/hello-c.wasm"
if stale "$CW" "$SRC/hello.c"; then
  if ! command -v clang >/dev/null; then
    fail "clang not found: cannot build the C guest"
  elif ! clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -o "$OUT/hello-c.core.wasm" "$SRC/hello.c" \
        >"$OUT/build-c.log" 2>&1 ||
      ! "$JCO" new "$OUT/hello-c.core.wasm" --wasi-command -o "$CW.tmp" >>"$OUT/build-c.log" 2>&1; then
    fail "building the C guest failed: $(tail -n 3 "$OUT/build-c.log")"
  else
    mv "$CW.tmp" "$CW"
  fi
fi

JW="$OUT/hello-js.wasm"
if stale "$JW" "$SRC/hello.js" "$SRC/hello.wit"; then
  rm -rf "$OUT/js-wit"; mkdir -p "$OUT/js-wit"
  cp "$SRC/hello.wit" "$OUT/js-wit/" && cp -r tests/wasi_http/wit-c/deps "$OUT/js-wit/"
  # componentize-js takes some 15-40 s; done once, then cached
  if ! "$JCO" componentize "$SRC/hello.js" --wit "$OUT/js-wit" -n hello -o "$JW.tmp" \
      >"$OUT/build-js.log" 2>&1; then
    fail "jco componentize of $SRC/hello.js failed: $(tail -n 3 "$OUT/build-js.log")"
  else
    mv "$JW.tmp" "$JW"
  fi
fi

# ---- helpers ----------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
  if (NR == 0) print "-"; else if (NR % 2) printf "%.1f\n", v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 <= 0) print "-"; else printf "%.3f", a / b }'; }
size_kb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1024 }'; }

# timed TOOL FILE CMD...: one run; prints its wall time in ms, or nothing after a
# failure (recorded). Output goes to $OUT/out and must be exactly $WANT.
timed() {
  local tool=$1 file=$2; shift 2
  local t0 t1 rc=0 o
  t0=$EPOCHREALTIME
  timeout -k 5 "$TIMEOUT" "$@" >"$OUT/out" 2>"$OUT/err" || rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" != 0 ]; then
    [ "$rc" = 124 ] && echo "timed out after ${TIMEOUT}s" >>"$OUT/err"
    fail "$tool on $file: exit status $rc: $(tail -n 3 "$OUT/err" | tr '\n' ' ')"
    return 1
  fi
  o=$(cat "$OUT/out")
  if [ "$o" != "$WANT" ]; then
    fail "$tool on $file: printed '$(printf '%s' "$o" | head -c 200)', expected '$WANT'"
    return 1
  fi
  awk -v a="${t0/,/.}" -v b="${t1/,/.}" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

# ---- the runs -----------------------------------------------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
say "weft start-up vs jco — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $load"
say "  $(node --version | sed 's/^/node /'), jco $("$JCO" --version 2>/dev/null | head -n 1)"
say "  wall time of one process, median of $RUNS runs (weft) / $JRUNS runs (jco run, node);"
say "  jco run = transpile + node; node = node on the output of one earlier transpile"
base=()   # timeout runs the echo program, not the shell builtin
for ((r = 0; r < 5; r++)); do t=$(timed baseline - echo "$WANT") && base+=("$t"); done
say "  baseline: /bin/echo under the same harness (timeout + process): $(median "${base[@]+"${base[@]}"}") ms (median of 5)"
say ""
sayf '%-14s %8s %10s %12s %10s %10s %10s\n' file "size KB" "weft ms" "jco run ms" "node ms" weft/jco weft/node
sayf '%s\n' "$(printf '%.0s-' {1..80})"

for w in "$CW" "$JW"; do
  name=$(basename "$w")
  if [ ! -s "$w" ]; then
    sayf '%-14s %8s %10s %12s %10s %10s %10s\n' "$name" - - - - - -; continue
  fi
  # warm-ups (file cache, node's own start), and the transpiled directory for the node column
  dir="$OUT/jco-${name%.wasm}"
  rm -rf "$dir"
  # a tool whose warm-up fails is not timed (its failure is listed at the end)
  okw=1; okj=1; okn=1
  timed weft "$name" "$WEFT" run "$w" >/dev/null || okw=0
  timed "jco run --jco-dir" "$name" "$JCO" run --jco-dir "$dir" "$w" >/dev/null || okj=0
  if [ ! -f "$dir/_run.js" ]; then
    fail "jco run --jco-dir left no $dir/_run.js"; okn=0
  else
    timed node "$name" node "$dir/_run.js" >/dev/null || okn=0
  fi
  wt=(); jt=(); nt=()
  n=$((RUNS > JRUNS ? RUNS : JRUNS))
  for ((r = 0; r < n; r++)); do
    if [ "$okw" = 1 ] && [ "$r" -lt "$RUNS" ]; then t=$(timed weft "$name" "$WEFT" run "$w") && wt+=("$t"); fi
    if [ "$r" -lt "$JRUNS" ]; then
      if [ "$okj" = 1 ]; then t=$(timed "jco run" "$name" "$JCO" run "$w") && jt+=("$t"); fi
      if [ "$okn" = 1 ]; then t=$(timed node "$name" node "$dir/_run.js") && nt+=("$t"); fi
    fi
  done
  mw=$(median "${wt[@]+"${wt[@]}"}"); mj=$(median "${jt[@]+"${jt[@]}"}"); mn=$(median "${nt[@]+"${nt[@]}"}")
  # a tool that failed on some run has no median: its failure is listed below
  [ ${#wt[@]} = "$RUNS" ] || mw=-
  [ ${#jt[@]} = "$JRUNS" ] || mj=-
  [ ${#nt[@]} = "$JRUNS" ] || mn=-
  sayf '%-14s %8s %10s %12s %10s %10s %10s\n' "$name" "$(size_kb "$w")" "$mw" "$mj" "$mn" \
    "$(ratio "$mw" "$mj")" "$(ratio "$mw" "$mn")"
done
finish
