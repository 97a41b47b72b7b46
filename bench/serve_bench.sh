#!/usr/bin/env bash
# `weft serve` under wrk (the wrk section of make bench; runs alone too):
#   bench/serve_bench.sh [BUILD]
# In one run, on loopback: wrk against weft serve with the hello guest
# (tests/serve/guest.c) and against bench/serve_native.c (the same answer in
# C on the same HTTP library and threading mode): requests/s of each and
# their ratio, p50/p99 latency; then the memory per in-flight instance (RSS
# of weft serve with N echo requests held open, their guests blocked reading
# the request body, minus its RSS at rest, over N); last, without HTTP, the
# cost of one instance per request (bench/instance_bench.c: instantiate from
# a pre-link + handle + free, on 1 and 2 threads).
# Knobs: BENCH_WRK_SECS (default 5), BENCH_WRK_CONNS (32), BENCH_WRK_THREADS
# (2), BENCH_INFLIGHT (50). Prints result lines; exit 1 when something could
# not be measured (the reason on stderr). Figures are reported, not asserted.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build}
OUT="$BUILD/bench/serve"
SECS=${BENCH_WRK_SECS:-5}
CONNS=${BENCH_WRK_CONNS:-32}
THREADS=${BENCH_WRK_THREADS:-2}
INFLIGHT=${BENCH_INFLIGHT:-50}
HOST_CC=${CC:-cc}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
fail() { echo "serve bench: $*" >&2; exit 1; }

if ! command -v wrk >/dev/null; then
  # wrk is only needed here (not by the build or the tests)
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null 2>&1
  fi
  command -v wrk >/dev/null || fail "wrk is missing (apt-get install wrk)"
fi
[ -x "$BUILD/weft" ] || fail "$BUILD/weft is missing (run make first)"
mkdir -p "$OUT"
"$HOST_CC" -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$OUT/serve_native" bench/serve_native.c \
  -lmicrohttpd -lpthread || fail "cannot build bench/serve_native.c (libmicrohttpd-dev: scripts/setup.sh)"
msg=$(tests/serve/build.sh "$OUT" hello echo) || fail "$msg"

# wait_port FILE PATTERN: the port a server printed
wait_port() {
  local port=""
  for _ in $(seq 200); do
    port=$(sed -n "$2" "$1" 2>/dev/null)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.05
  done
  return 1
}
rm -f "$OUT/native.out" "$OUT/weft.err" "$OUT/echo.err"   # no stale ports from a last run
"$OUT/serve_native" 0 >"$OUT/native.out" 2>&1 &
PIDS+=($!)
NPORT=$(wait_port "$OUT/native.out" 's/^port \([0-9]*\)$/\1/p') || fail "serve_native did not start"
"$BUILD/weft" serve --addr 127.0.0.1:0 --no-stdio-prefix "$OUT/hello.wasm" >/dev/null 2>"$OUT/weft.err" &
PIDS+=($!)
WPORT=$(wait_port "$OUT/weft.err" 's/.*(port \([0-9]*\)).*/\1/p') || fail "weft serve did not start: $(cat "$OUT/weft.err")"
for p in "$NPORT" "$WPORT"; do
  [ "$(curl -s "http://127.0.0.1:$p/")" = "hello from weft" ] || fail "the server on port $p does not answer hello"
done

# run_wrk PORT: "RPS P50_MS P99_MS"
run_wrk() {
  wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$1/" >"$OUT/wrk.$1.txt" 2>&1 ||
    return 1
  awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
       /Requests\/sec:/ { rps = $2 }
       $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
       /Non-2xx/ { bad = $NF }
       END { if (!rps || bad) exit 1; printf "%.0f %.3f %.3f\n", rps, p50, p99 }' "$OUT/wrk.$1.txt"
}
# both twice, interleaved; the better run of each
best() { printf '%s\n' "$@" | sort -k1,1gr | head -1; }
n1=$(run_wrk "$NPORT") || fail "wrk against serve_native failed: $(tail -3 "$OUT/wrk.$NPORT.txt")"
w1=$(run_wrk "$WPORT") || fail "wrk against weft serve failed: $(tail -3 "$OUT/wrk.$WPORT.txt")"
n2=$(run_wrk "$NPORT") || fail "wrk against serve_native failed"
w2=$(run_wrk "$WPORT") || fail "wrk against weft serve failed"
read -r nrps np50 np99 <<<"$(best "$n1" "$n2")"
read -r wrps wp50 wp99 <<<"$(best "$w1" "$w2")"
printf '  %-40s %10s req/s  p50 %8s ms  p99 %8s ms\n' "native C (libmicrohttpd)" "$nrps" "$np50" "$np99"
printf '  %-40s %10s req/s  p50 %8s ms  p99 %8s ms\n' "weft serve, hello guest" "$wrps" "$wp50" "$wp99"
pct=$(awk -v a="$wrps" -v b="$nrps" 'BEGIN { printf "%.1f", 100 * a / b }')
printf '  %-40s %9s%%  (goal: at least 30%%; wrk -t%s -c%s, %s s, best of 2, %s cores)\n' \
  "weft / native requests/s" "$pct" "$THREADS" "$CONNS" "$SECS" "$(nproc)"

# ---- memory per in-flight instance ------------------------------------------------
"$BUILD/weft" serve --addr 127.0.0.1:0 --timeout 60 --no-stdio-prefix "$OUT/echo.wasm" >/dev/null 2>"$OUT/echo.err" &
EPID=$!
PIDS+=($EPID)
EPORT=$(wait_port "$OUT/echo.err" 's/.*(port \([0-9]*\)).*/\1/p') || fail "weft serve (echo) did not start"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
for _ in 1 2 3; do curl -s --data-binary warm "http://127.0.0.1:$EPORT/" >/dev/null; done
base=$(rss "$EPID")
held=()
for ((i = 0; i < INFLIGHT; i++)); do
  (printf 'x'; sleep 4) | curl -s -T - -H 'Transfer-Encoding: chunked' "http://127.0.0.1:$EPORT/" >/dev/null &
  held+=($!)
done
sleep 2
busy=$(rss "$EPID")
wait "${held[@]}"
per=$(awk -v a="$busy" -v b="$base" -v n="$INFLIGHT" 'BEGIN { printf "%.0f", (a - b) / n }')
printf '  %-40s %10s KiB  (RSS %s KiB at rest, %s KiB with %s requests in flight)\n' \
  "memory per in-flight instance" "$per" "$base" "$busy" "$INFLIGHT"

# ---- one instance per request, without HTTP ------------------------------------------
[ -f "$BUILD/libweft.a" ] || fail "$BUILD/libweft.a is missing (run make first)"
"$HOST_CC" -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -o "$OUT/instance_bench" bench/instance_bench.c \
  "$BUILD/libweft.a" $(make -s --no-print-directory print-ldlibs) ${WEFT_SANITIZE:-} ||
  fail "cannot build bench/instance_bench.c"
for t in 1 2; do
  line=$("$OUT/instance_bench" "$OUT/hello.wasm" 5000 "$t" pre) || fail "instance_bench failed"
  printf '  %s\n' "$line"
done
