#!/usr/bin/env bash
# Guest -> host call cost through a host bundle, beside the same calls into
# host functions built into the embedding (bench/bundle_bench.c):
#
#   bench/bundle_calls.sh [BUILD]     (default build; needs BUILD/weft and BUILD/libweft.so)
#
# Builds into BUILD/bench-bundles:
#   all/          the every-type test bundle (tests/host/all): header from
#                 `weft bindgen --host`, library by cc -O2
#   guest.wasm    tests/host/guest.c: clang --target=wasm32-wasi -O2, jco embed + jco new
#   bundle_bench  bench/bundle_bench.c against BUILD/libweft.so
# and prints ns per guest -> host call for: a no-op, a string round trip of
# a short string (38 bytes) and of 1 KiB, each into the bundle and into a
# built-in host function (weft_linker_define_func); median and best of
# BENCH_BUNDLE_ROUNDS rounds (default 7) of BENCH_BUNDLE_CALLS calls (default
# 100000) made in a loop inside the guest.
# Results are printed and written to BUILD/bench-bundles.txt. Times are
# reported, never asserted; the exit status is 1 only when something failed
# to build or run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build}
mkdir -p "$BUILD/bench-bundles"
OUT="$(cd "$BUILD/bench-bundles" && pwd)"
BUILD_ABS="$(cd "$BUILD" && pwd)"
RESULTS="$BUILD/bench-bundles.txt"
CALLS=${BENCH_BUNDLE_CALLS:-100000}
ROUNDS=${BENCH_BUNDLE_ROUNDS:-7}
W="$BUILD/weft"
JCO=node_modules/.bin/jco
HOST_CC=${CC:-cc}
[ "$HOST_CC" = cc ] || command -v "$HOST_CC" >/dev/null || HOST_CC=cc

: >"$RESULTS"
say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
sayf() { local f=$1; shift; printf "$f" "$@" | tee -a "$RESULTS"; }
die() {
  say "bench-bundles: FAILURE: $*"
  exit 1
}

[ -x "$W" ] || die "$W is not built (run make first)"
[ -f "$BUILD/libweft.so" ] || die "$BUILD/libweft.so is not built (run make first)"
command -v clang >/dev/null || die "clang not found: cannot build the guest"
[ -x "$JCO" ] || die "$JCO not found (scripts/setup.sh / npm ci installs it)"

# ---- the bundle, the guest, the driver ------------------------------------------------
LOG="$OUT/build.log"
: >"$LOG"
B="$OUT/all"
rm -rf "$B"; mkdir -p "$B/lib" "$B/src"
cp -r tests/host/all/host.toml tests/host/all/wit "$B/" && cp tests/host/all/src/all.c "$B/src/" ||
  die "copying tests/host/all failed"
"$W" bindgen --host "$B" -o "$B/src/bindings.h" >>"$LOG" 2>&1 || die "weft bindgen --host: $(tail -n 3 "$LOG")"
"$HOST_CC" -std=c17 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -Iinclude -I"$B/src" \
  -o "$B/lib/liball.so" "$B/src/all.c" >>"$LOG" 2>&1 || die "building the bundle library: $(tail -n 3 "$LOG")"

GW="$OUT/guest-wit"
rm -rf "$GW"; mkdir -p "$GW/deps/all"
cp tests/host/guest.wit "$GW/" && cp tests/host/all/wit/types.wit "$GW/deps/all/" || die "copying the guest WIT failed"
G="$OUT/guest.wasm"
{ clang --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Wall -Wextra -Werror \
    -o "$OUT/guest.core.wasm" tests/host/guest.c &&
  "$JCO" embed --wit "$GW" -o "$OUT/guest.embed.wasm" "$OUT/guest.core.wasm" &&
  "$JCO" new "$OUT/guest.embed.wasm" -o "$G"; } >>"$LOG" 2>&1 || die "building the guest: $(tail -n 3 "$LOG")"

"$HOST_CC" -std=c17 -O2 -Wall -Wextra -Werror -Iinclude -o "$OUT/bundle_bench" bench/bundle_bench.c \
  -L"$BUILD_ABS" -lweft -Wl,-rpath,"$BUILD_ABS" >>"$LOG" 2>&1 || die "building bench/bundle_bench.c: $(tail -n 3 "$LOG")"

# ---- the measurement ------------------------------------------------------------------
rc=0
res=$(timeout -k 5 300 "$OUT/bundle_bench" "$B" "$G" "$CALLS" "$ROUNDS" 2>"$OUT/stderr") || rc=$?
[ "$rc" = 0 ] || die "bundle_bench exit status $rc: $(tail -n 3 "$OUT/stderr")"
declare -A med best
while read -r name m b; do med[$name]=$m; best[$name]=$b; done <<<"$res"
for k in bundle-noop builtin-noop bundle-echo-short builtin-echo-short bundle-echo-1k builtin-echo-1k; do
  [ -n "${med[$k]:-}" ] || die "bundle_bench printed no '$k' line: $res"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 <= 0) print "-"; else printf "%.2f", a / b }'; }

load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
say "guest -> host calls: host bundle vs built-in host function — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $load"
say "  guest tests/host/guest.c calls the import in a loop; bundle tests/host/all (cc -O2) through"
say "  weft_hosts; built-in: the same functions defined by weft_linker_define_func"
say "  ns per call: median / best of $ROUNDS rounds x $CALLS calls (rounds interleaved)"
say ""
sayf '%-30s %18s %18s %16s\n' "call" "bundle ns" "built-in ns" "bundle/built-in"
sayf '%s\n' "$(printf '%.0s-' {1..85})"
row() { # LABEL KEY
  sayf '%-30s %18s %18s %16s\n' "$1" "${med[bundle-$2]} / ${best[bundle-$2]}" \
    "${med[builtin-$2]} / ${best[builtin-$2]}" "$(ratio "${med[bundle-$2]}" "${med[builtin-$2]}")"
}
row "no-op" noop
row "string round-trip (${med[short-string-bytes]:-?} bytes)" echo-short
row "string round-trip (1024 bytes)" echo-1k
say ""
say "bench-bundles: done (results in $RESULTS)"
