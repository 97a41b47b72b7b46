#!/usr/bin/env bash
# make bench: weft vs V8 (node) vs wabt's wasm-interp vs native, in one run.
#
#   bench/run.sh [BUILD]          (make bench passes the build dir; default build)
#
# Every kernel in bench/kernels/ is built to wasm32 (clang -O2) and natively
# (gcc -O2); each engine runs the same .wasm and must return the native
# checksum (a mismatch fails the run loudly). weft, native and V8 times are
# the median of BENCH_RUNS (default 3) processes, each timing one call of
# run() (module load and compilation excluded); wasm-interp runs once and is
# timed from outside (its load time is included, negligible at its speed).
# Then: load + validate + instantiate of a generated ~10 MB module, and the
# translation cost in ns per byte of function-body code.
#
# Knobs (environment):
#   BENCH_ONLY="sha256 nbody"   run only these kernels
#   BENCH_RUNS=N                runs per engine for the median (default 3)
#   BENCH_NO_INTERP=1           skip wabt's wasm-interp (the slowest part)
#   BENCH_BIG_MB=N              size of the generated module (default 10)
#   BENCH_V8_FLAGS="..."        extra node flags, e.g. --no-liftoff (default: none)
#   BENCH_TIMEOUT=S             limit per engine process (default 300 s)
# Results are printed and written to BUILD/bench-results.txt. Times are only
# reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT="$BUILD/bench"
RESULTS="$BUILD/bench-results.txt"
RUNS=${BENCH_RUNS:-3}
BIG_MB=${BENCH_BIG_MB:-10}
HOST_CC=${CC:-cc}
[ "$HOST_CC" = cc ] || command -v "$HOST_CC" >/dev/null || HOST_CC=cc

mkdir -p "$OUT"
: >"$RESULTS"
say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
sayf() { local f=$1; shift; printf "$f" "$@" | tee -a "$RESULTS"; }
warn() { printf 'bench: %s\n' "$*" >&2; }

# Failures are recorded in a file: run_median runs in a subshell.
FAILS="$OUT/failures.txt"
: >"$FAILS"
flag_failure() { printf '%s\n' "$*" >>"$FAILS"; warn "FAILURE: $*"; }

# ---- build ----------------------------------------------------------------
bench/build-kernels.sh "$BUILD"
"$HOST_CC" -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$OUT/gen_bigmod" bench/gen_bigmod.c
have_weft=1
if [ -f "$BUILD/libweft.a" ]; then
  if ! "$HOST_CC" -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -Isrc \
      -o "$OUT/weft_bench" bench/weft_bench.c "$BUILD/libweft.a" -lm -lpthread; then
    flag_failure "cannot build bench/weft_bench.c against $BUILD/libweft.a"
    have_weft=0
  fi
else
  flag_failure "$BUILD/libweft.a is missing (run make first)"
  have_weft=0
fi
have_node=1; command -v node >/dev/null || { warn "node not found: V8 column skipped"; have_node=0; }
have_interp=1
command -v wasm-interp >/dev/null || { warn "wasm-interp not found: wabt column skipped"; have_interp=0; }
[ "${BENCH_NO_INTERP:-0}" = 1 ] && have_interp=0

kernels=()
for src in bench/kernels/*.c; do
  name=$(basename "$src" .c)
  case "$name" in rt|native_main) continue ;; esac
  if [ -n "${BENCH_ONLY:-}" ] && [[ " $BENCH_ONLY " != *" $name "* ]]; then continue; fi
  kernels+=("$name")
done

# ---- helpers ----------------------------------------------------------------
now_ns() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
  if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 <= 0) print "-"; else printf "%.2f", a / b }'; }

# Every engine process is bounded (seconds): a hang is a failure, not a stall.
TIMEOUT=${BENCH_TIMEOUT:-300}
bounded() { timeout -k 5 "$TIMEOUT" "$@"; }

# run_median NAME EXPECTED CMD... : runs CMD $RUNS times; each prints
# "CHECKSUM MS ..."; echoes the median ms, or "-" after a failure.
run_median() {
  local engine=$1 expect=$2; shift 2
  local times=() out sum ms rc
  for ((r = 0; r < RUNS; r++)); do
    rc=0
    out=$(bounded "$@" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ]; then
      [ "$rc" -eq 124 ] && out="timed out after ${TIMEOUT}s"
      [ "$rc" -gt 128 ] && out="killed by signal $((rc - 128)) $out"
      flag_failure "$engine failed on $k: $(printf '%s' "$out" | tail -n 3)"
      echo "-"; return
    fi
    read -r sum ms _ <<<"$out"
    if [ "$sum" != "$expect" ]; then
      flag_failure "$engine checksum mismatch on $k: got '$sum', native says '$expect'"
      echo "-"; return
    fi
    times+=("$ms")
  done
  median "${times[@]}"
}

# ---- kernels --------------------------------------------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
say "weft benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(uname -m), load average $load"
say "  kernels: C compiled by clang -O2 to wasm32 (no imports) and by gcc -O2 natively"
say "  times: one call of run(), median of $RUNS processes (wasm-interp: 1 run, timed"
say "  from outside, load included); ratios are time / time (lower is faster for weft)"
say "  V8: node ${BENCH_V8_FLAGS:-(default tiering: Liftoff, then TurboFan)}"
say ""
sayf '%-11s %10s %10s %10s %12s %12s %10s %14s\n' kernel "native ms" "weft ms" "V8 ms" \
  "interp ms" weft/native weft/V8 interp/native
sayf '%s\n' "$(printf '%.0s-' {1..95})"

r_wn=(); r_wv=(); r_in=(); r_vn=(); r_iw=()
for k in "${kernels[@]}"; do
  wasm="$OUT/$k.wasm"
  # native first: its checksum is the reference
  if ! nout=$("$OUT/$k.native"); then flag_failure "native $k failed"; continue; fi
  expect=${nout%% *}
  nt=$(run_median native "$expect" "$OUT/$k.native")
  wt="-"; vt="-"; it="-"
  [ "$have_weft" = 1 ] && wt=$(run_median weft "$expect" "$OUT/weft_bench" "$wasm")
  [ "$have_node" = 1 ] && vt=$(run_median V8 "$expect" node ${BENCH_V8_FLAGS:-} bench/v8.mjs "$wasm")
  if [ "$have_interp" = 1 ]; then
    t0=$(now_ns)
    irc=0
    iout=$(bounded wasm-interp "$wasm" --run-all-exports 2>&1) || irc=$?
    if [ "$irc" -eq 0 ]; then
      t1=$(now_ns)
      isum=$(printf '%s\n' "$iout" | sed -n 's/^run() => i[36][24]:\([0-9-]*\).*/\1/p' | head -n 1)
      if [ -n "$isum" ] && [ "$isum" -lt 0 ] 2>/dev/null; then isum=$((isum & 0xFFFFFFFF)); fi
      if [ "$isum" = "$expect" ]; then
        it=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
      else
        flag_failure "wasm-interp checksum mismatch on $k: got '$isum' ($iout), native says '$expect'"
      fi
    else
      [ "$irc" -eq 124 ] && iout="timed out after ${TIMEOUT}s"
      flag_failure "wasm-interp failed on $k (status $irc): $(printf '%s' "$iout" | tail -n 3)"
    fi
  fi
  wn=$(ratio "$wt" "$nt"); wv=$(ratio "$wt" "$vt"); in=$(ratio "$it" "$nt")
  vn=$(ratio "$vt" "$nt"); iw=$(ratio "$it" "$wt")
  [ "$wn" != "-" ] && r_wn+=("$wn"); [ "$wv" != "-" ] && r_wv+=("$wv")
  [ "$in" != "-" ] && r_in+=("$in"); [ "$vn" != "-" ] && r_vn+=("$vn")
  [ "$iw" != "-" ] && r_iw+=("$iw")
  sayf '%-11s %10s %10s %10s %12s %12s %10s %14s\n' "$k" "$nt" "$wt" "$vt" "$it" "$wn" "$wv" "$in"
done

geomean() {
  if [ $# -eq 0 ]; then echo "-"; return; fi
  printf '%s\n' "$@" | awk '{ s += log($1); n++ } END { printf "%.2f (%d kernels)", exp(s / n), n }'
}
say ""
say "geometric means of the ratios:"
sayf '  %-26s %s\n' "weft / native" "$(geomean "${r_wn[@]+"${r_wn[@]}"}")"
sayf '  %-26s %s\n' "weft / V8" "$(geomean "${r_wv[@]+"${r_wv[@]}"}")"
sayf '  %-26s %s\n' "wasm-interp / native" "$(geomean "${r_in[@]+"${r_in[@]}"}")"
sayf '  %-26s %s\n' "V8 / native" "$(geomean "${r_vn[@]+"${r_vn[@]}"}")"
sayf '  %-26s %s\n' "wasm-interp / weft" "$(geomean "${r_iw[@]+"${r_iw[@]}"}")"

# ---- the big module ----------------------------------------------------------
big="$OUT/big.wasm"
say ""
gen=$("$OUT/gen_bigmod" "$big" "$BIG_MB")
say "large module: ${gen#*: } (generated by bench/gen_bigmod.c)"
if command -v wasm-validate >/dev/null && ! wasm-validate "$big"; then
  flag_failure "wabt's wasm-validate rejects the generated module"
fi
if [ "$have_weft" = 1 ]; then
  if lout=$(bounded "$OUT/weft_bench" --load "$big" 5 2>&1); then
    read -r ltot ldec lins _ <<<"$lout"
    sayf '  %-40s %10s ms  (decode+validate %s ms, instantiate %s ms; median of 5)\n' \
      "weft load+validate+instantiate" "$ltot" "$ldec" "$lins"
  else
    flag_failure "weft --load failed: $lout"
  fi
  if tout=$(bounded "$OUT/weft_bench" --translate "$big" 3 2>&1); then
    read -r nspb cbytes nf tms <<<"$tout"
    sayf '  %-40s %10s ns/byte  (%s bytes of code in %s functions: %s ms; median of 3)\n' \
      "weft translation" "$nspb" "$cbytes" "$nf" "$tms"
  else
    flag_failure "weft --translate failed: $tout"
  fi
fi
if [ "$have_node" = 1 ] && vout=$(node bench/v8.mjs --load "$big" 5 2>&1); then
  read -r vtot vcomp vins <<<"$vout"
  sayf '  %-40s %10s ms  (compile %s ms, instantiate %s ms; median of 5)\n' \
    "V8 compile+instantiate (multi-threaded)" "$vtot" "$vcomp" "$vins"
fi
if [ "$have_interp" = 1 ]; then
  times=()
  for ((r = 0; r < 3; r++)); do
    t0=$(now_ns); bounded wasm-interp "$big" >/dev/null 2>&1 || { flag_failure "wasm-interp rejects $big"; break; }
    t1=$(now_ns); times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')")
  done
  [ ${#times[@]} -gt 0 ] && sayf '  %-40s %10s ms  (process incl. file read; median of %d)\n' \
    "wasm-interp read+validate+instantiate" "$(median "${times[@]}")" "${#times[@]}"
fi

# ---- component calls ----------------------------------------------------------
say ""
say "component calls (bench/component_bench.c on bench/component/calls.wat; best of 5 rounds):"
if [ "$have_weft" = 1 ]; then
  if ! node_modules/.bin/jco parse bench/component/calls.wat -o "$OUT/calls.wasm" >/dev/null 2>&1; then
    flag_failure "jco parse bench/component/calls.wat failed (run scripts/setup.sh)"
  elif ! "$HOST_CC" -std=c17 -O2 -Wall -Wextra -Werror -Iinclude -o "$OUT/component_bench" \
      bench/component_bench.c "$BUILD/libweft.a" $(make -s print-ldlibs); then
    flag_failure "cannot build bench/component_bench.c"
  elif cout=$(bounded "$OUT/component_bench" "$OUT/calls.wasm" 2>&1); then
    while read -r name val unit; do
      sayf '  %-40s %10s %s\n' "$name" "$val" "$unit"
    done <<<"$cout"
    say "  (published wasmtime figures for a typed no-op call: 76 ns host->guest, 34 ns guest->host)"
  else
    flag_failure "component_bench failed: $cout"
  fi
fi

# ---- start-up of weft run vs jco run; guest->bundle calls ------------------------
say ""
say "start-up: weft run vs jco run on a hello-world C command and a JavaScript command (bench/startup.sh):"
if stout=$(bounded bench/startup.sh "$BUILD" 2>"$OUT/startup.err"); then
  say "$stout"
else
  [ -n "$stout" ] && say "$stout"
  flag_failure "startup bench: $(tail -2 "$OUT/startup.err")"
fi
say ""
say "guest -> host calls: host bundle vs a host function built into weft (bench/bundle_calls.sh):"
if bout=$(bounded bench/bundle_calls.sh "$BUILD" 2>"$OUT/bundle_calls.err"); then
  say "$bout"
else
  [ -n "$bout" ] && say "$bout"
  flag_failure "bundle-call bench: $(tail -2 "$OUT/bundle_calls.err")"
fi

# ---- instance creation: a small guest vs a componentize-js one --------------------
# The JS component carries megabytes of data segments, mapped from a memory
# image (src/core/memimage.c) rather than copied. Uses the guests the
# start-up bench above built (bench/startup.sh).
say ""
say "instantiate + free (pre-linked, pooled memories; bench/memimage_bench.c, best of 5 rounds):"
if [ "$have_weft" = 1 ]; then
  if ! "$HOST_CC" -std=c17 -O2 -Wall -Wextra -Werror -Iinclude -o "$OUT/memimage_bench" \
      bench/memimage_bench.c "$BUILD/libweft.a" $(make -s print-ldlibs); then
    flag_failure "cannot build bench/memimage_bench.c"
  else
    for g in "hello-c:C hello-world command" "hello-js:JavaScript (componentize-js) command"; do
      w="$BUILD/bench-startup/${g%%:*}.wasm"
      if [ ! -f "$w" ]; then
        say "  ${g#*:}: skipped ($w was not built: see the start-up bench)"
      elif mout=$(bounded "$OUT/memimage_bench" "$w" 200 5 2>&1); then
        sayf '  %-40s %s\n' "${g#*:}" "${mout#instantiate+free: }"
      else
        flag_failure "memimage_bench ${g%%:*}: $mout"
      fi
    done
  fi
fi

# ---- weft serve under wrk ---------------------------------------------------------
say ""
say "weft serve vs native C on libmicrohttpd (wrk over loopback; bench/serve_bench.sh):"
if sout=$(bounded bench/serve_bench.sh "$BUILD" 2>"$OUT/serve_bench.err"); then
  say "$sout"
else
  [ -n "$sout" ] && say "$sout"
  flag_failure "weft serve bench: $(tail -2 "$OUT/serve_bench.err")"
fi

say ""
if [ -s "$FAILS" ]; then
  say "bench: $(wc -l <"$FAILS") FAILURE(S):"
  sed 's/^/  /' "$FAILS" | tee -a "$RESULTS"
  exit 1
fi
say "bench: all checksums agree (results in $RESULTS)"
