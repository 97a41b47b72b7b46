#!/usr/bin/env bash
# weft_cinstance_interrupt reaches guests blocked in host waits (wasi:io/poll,
# blocking stream reads), not only guests that run wasm code:
#   serve   `weft serve --timeout 2 --max-workers 1` with tests/interrupt/guest.c
#           (a wasi:http handler): /sleep and /poll wait an hour on the
#           monotonic clock, /read blocking-reads a request body the client
#           never sends. Each gets 504 within 2-5 s, the log shows the guest
#           trapped "interrupted (while blocked in ...)", and the one worker
#           is free again: the next request is answered at once.
#   signal  tests/interrupt/signal_host.c, an embedder built against
#           libweft.so, interrupts from a SIGALRM handler a call blocked in
#           poll / pollable.block / a stdin blocking-read (waits.wasm).
#   bytes   tests/unit/test_interrupt.c embeds waits.wasm: still the bytes
#           jco parse makes from tests/interrupt/waits.wat.
#   tests/cli/interrupt.sh BUILD_DIR      prints "interrupt: N passed, M failed"
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
OUT="$BUILD/interrupt"
P=0; F=0
SERVER=""
ok() { P=$((P + 1)); }
bad() { F=$((F + 1)); echo "interrupt: FAIL: $*"; }
finish() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  echo "interrupt: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}
trap finish INT TERM
check() {   # check NAME GOT WANT
  if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
now_ms() { date +%s%3N; }

[ -x "$WEFT" ] || { bad "$WEFT not built"; finish; }
for tool in curl python3; do
  command -v $tool >/dev/null || { bad "$tool is missing (scripts/setup.sh)"; finish; }
done
msg=$(tests/interrupt/build.sh "$OUT") || { bad "$msg"; finish; }

# ---- bytes ------------------------------------------------------------------
want=$(od -An -v -tx1 "$OUT/waits.wasm" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
got=$(sed -n '/waits_wasm\[\] = {/,/^};/p' tests/unit/test_interrupt.c | grep -o '0x[0-9a-f][0-9a-f]' | sed 's/0x//' |
      tr '\n' ' ' | sed 's/ $//')
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else
  bad "tests/unit/test_interrupt.c: waits_wasm is not jco parse tests/interrupt/waits.wat (regenerate it)"; fi

# ---- serve ------------------------------------------------------------------
: >"$OUT/serve.err"
"$WEFT" serve --addr 127.0.0.1:0 --timeout 2 --max-workers 1 "$OUT/guest.wasm" >"$OUT/serve.out" 2>>"$OUT/serve.err" &
SERVER=$!
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$OUT/serve.err")
  [ -n "$PORT" ] && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.05
done
[ -n "$PORT" ] || { bad "weft serve did not start: $(cat "$OUT/serve.err")"; finish; }
U="http://127.0.0.1:$PORT"
check "awake" "$(curl -s -m 10 -w ' %{http_code}' "$U/")" "awake
 200"

# cut_off NAME WHERE CURL-ARGS...: 504 within 2-5 s, the trap logged, and the
# single worker answers the next request within 2 s (not after the hour)
cut_off() {
  local name=$1 where=$2
  shift 2
  local t0 t1 code
  t0=$(now_ms)
  code=$(curl -s -o /dev/null -m 20 -w '%{http_code}' "$@")
  t1=$(now_ms)
  check "$name: status" "$code" 504
  if [ $((t1 - t0)) -ge 1900 ] && [ $((t1 - t0)) -le 5000 ]; then ok; else
    bad "$name: answered after $((t1 - t0)) ms, want 2000-5000"; fi
  t0=$(now_ms)
  check "$name: next request" "$(curl -s -m 10 -w ' %{http_code}' "$U/after-$name")" "awake
 200"
  t1=$(now_ms)
  if [ $((t1 - t0)) -le 2000 ]; then ok; else
    bad "$name: the next request took $((t1 - t0)) ms: the worker was still blocked"; fi
  if grep -q "trap: interrupted (while blocked in $where)" "$OUT/serve.err"; then ok; else
    bad "$name: no 'trap: interrupted (while blocked in $where)' in the log: $(tail -5 "$OUT/serve.err")"; fi
}
cut_off sleep "wasi:io/poll pollable.block" "$U/sleep"
cut_off poll "wasi:io/poll.poll" "$U/poll"
# a body announced and never sent: the guest blocks in blocking-read. (What
# the client then gets is serve's business while the upload is unfinished;
# here: the guest is cut off and the one worker serves the next request.)
python3 - "$PORT" >"$OUT/read.out" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
time.sleep(8)
EOF
CLIENT=$!
sleep 4
t0=$(now_ms)
check "read: next request" "$(curl -s -m 10 -w ' %{http_code}' "$U/after-read")" "awake
 200"
t1=$(now_ms)
if [ $((t1 - t0)) -le 2000 ]; then ok; else
  bad "read: the next request took $((t1 - t0)) ms: the worker was still blocked"; fi
if grep -q "trap: interrupted (while blocked in wasi:io/streams input-stream.blocking-read)" "$OUT/serve.err"; then ok
else bad "read: no blocking-read interrupt in the log: $(tail -5 "$OUT/serve.err")"; fi
kill "$CLIENT" 2>/dev/null
wait "$CLIENT" 2>/dev/null
# and a body that is sent still arrives
check "read: a sent body" "$(curl -s -m 10 -w ' %{http_code}' --data-binary @"$OUT/waits.wasm" "$U/read")" \
  "read $(wc -c <"$OUT/waits.wasm") bytes
 200"
kill "$SERVER" 2>/dev/null
wait "$SERVER" 2>/dev/null
SERVER=""

# ---- signal: an embedder interrupting from a SIGALRM handler -----------------
if ${CC:-cc} ${WEFT_SANITIZE:-} -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -o "$OUT/signal_host" \
     tests/interrupt/signal_host.c -L"$BUILD" -lweft -Wl,-rpath,"$(cd "$BUILD" && pwd)" 2>"$OUT/cc.log"; then
  ok
  for f in poll-hour block-hour read-stdin; do
    res=$("$OUT/signal_host" "$OUT/waits.wasm" $f 2>&1)
    rc=$?
    ms=$(sed -n 's/.* after \([0-9]*\) ms.*/\1/p' <<<"$res")
    if [ $rc = 0 ] && [ -n "$ms" ] && [ "$ms" -ge 190 ] && [ "$ms" -le 1200 ]; then ok; else
      bad "signal_host $f: exit $rc: $res"; fi
  done
else
  bad "building tests/interrupt/signal_host.c: $(tail -3 "$OUT/cc.log")"
fi
finish
