#!/usr/bin/env bash
# wasi:sockets end to end through `weft run --invoke`, with a guest built
# here from tests/wasi_sockets/socktest.c (freestanding C against the
# canonical ABI: clang --target=wasm32, then jco embed + jco new):
#   - permissions: without -S inherit-network / -S allow-ip-name-lookup the
#     guest gets access-denied;
#   - TCP: connect to an echo server this script starts on loopback
#     (tests/wasi_sockets/echo_server.py), listen + connect + accept inside
#     the guest (and the end of stream after the peer drops its output),
#     connection-refused;
#   - UDP: two sockets exchange a datagram (connected and unconnected);
#   - ip-name-lookup: localhost, an IP literal, an invalid name, a name that
#     does not resolve.
#   tests/cli/wasi_sockets.sh BUILD_DIR
# Prints failures and last "wasi-sockets: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
OUT="$BUILD/wasi_sockets"
SRC=tests/wasi_sockets
JCO=node_modules/.bin/jco
P=0; F=0; SKIP=""
ok() { P=$((P + 1)); }
bad() { F=$((F + 1)); echo "wasi-sockets: FAIL: $*"; }
SERVER_PID=""
finish() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  [ -n "$SKIP" ] && echo "wasi-sockets: skipped: $SKIP"
  echo "wasi-sockets: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}
trap 'finish' INT TERM
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null' EXIT

if [ ! -x "$WEFT" ]; then bad "$WEFT not built"; finish; fi
mkdir -p "$OUT"

# ---- the guest ------------------------------------------------------------------
G="$OUT/socktest.wasm"
if [ ! -s "$G" ] || [ "$SRC/socktest.c" -nt "$G" ] || [ "$SRC/wit/socktest.wit" -nt "$G" ]; then
  if [ ! -x "$JCO" ]; then
    SKIP="the guest needs $JCO (scripts/setup.sh installs it)"
    finish
  fi
  if ! clang --target=wasm32 -nostdlib -O2 -Wall -Wextra -Werror -Wl,--no-entry -o "$OUT/socktest.core.wasm" \
      "$SRC/socktest.c" 2>"$OUT/build.log" ||
     ! "$JCO" embed "$OUT/socktest.core.wasm" --wit "$SRC/wit" -n socktest -o "$OUT/socktest.embed.wasm" \
      >>"$OUT/build.log" 2>&1 ||
     ! "$JCO" new "$OUT/socktest.embed.wasm" -o "$G" >>"$OUT/build.log" 2>&1; then
    bad "building the guest failed: $(tail -5 "$OUT/build.log")"
    rm -f "$G"
    finish
  fi
fi

# expect NAME EXPECTED-STDOUT WEFT-ARGS...: exit 0 and exactly that output
expect() {
  local name=$1 want=$2
  shift 2
  local got
  got=$(timeout 30 "$WEFT" run "$@" 2>"$OUT/stderr")
  local rc=$?
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then ok; else
    bad "$name: exit $rc, got '$got', want '$want' ($(head -c 300 "$OUT/stderr"))"
  fi
}

NET="-S inherit-network"
ALL="-S inherit-network,allow-ip-name-lookup"

# ---- permissions ------------------------------------------------------------------
expect "tcp denied by default" '"create: access-denied"' "$G" --invoke 'create-tcp()'
expect "udp denied by default" '"create: access-denied"' "$G" --invoke 'udp-self()'
expect "lookup denied by default" '"resolve: access-denied"' "$G" --invoke 'lookup("localhost")'
expect "lookup needs its own permission" '"resolve: access-denied"' $NET "$G" --invoke 'lookup("localhost")'
expect "tcp with inherit-network" '"ok"' $NET "$G" --invoke 'create-tcp()'

# ---- TCP -------------------------------------------------------------------------------
PORTFILE="$OUT/port"
rm -f "$PORTFILE"
python3 "$SRC/echo_server.py" "$PORTFILE" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$PORTFILE" ] && break; sleep 0.05; done
if [ ! -s "$PORTFILE" ]; then bad "the echo server did not start"; finish; fi
EP=$(cat "$PORTFILE")
expect "tcp echo" '"ping hello"' $NET "$G" --invoke "tcp-echo($EP, \"hello\")"
expect "tcp echo (longer)" "\"ping $(printf 'x%.0s' $(seq 1 300))\"" $NET "$G" \
  --invoke "tcp-echo($EP, \"$(printf 'x%.0s' $(seq 1 300))\")"
expect "listen, connect, accept" '"accepted: hello over loopback / closed"' $NET "$G" --invoke 'tcp-self()'
# a port that was free a moment ago
FREE=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect "connection refused" '"connect: connection-refused"' $NET "$G" --invoke "refused($FREE)"

# ---- UDP -------------------------------------------------------------------------------
expect "udp datagram" "\"sent 1, received \\'datagram!\\' from port 1\"" $NET "$G" --invoke 'udp-self()'

# ---- ip-name-lookup ------------------------------------------------------------------
got=$(timeout 30 "$WEFT" run $ALL "$G" --invoke 'lookup("localhost")' 2>"$OUT/stderr")
case "$got" in *127.0.0.1*|*ipv6:loopback*) ok ;; *) bad "lookup localhost: got '$got' ($(head -c 200 "$OUT/stderr"))" ;; esac
expect "lookup an IP literal" '"127.0.0.1"' $ALL "$G" --invoke 'lookup("127.0.0.1")'
expect "lookup an invalid name" '"resolve: invalid-argument"' $ALL "$G" --invoke 'lookup("bad name!")'
got=$(timeout 30 "$WEFT" run $ALL "$G" --invoke 'lookup("no-such-host.invalid")' 2>"$OUT/stderr")
case "$got" in
  '"lookup: name-unresolvable"'|'"lookup: temporary-resolver-failure"'|'"lookup: permanent-resolver-failure"') ok ;;
  *) bad "lookup of an unresolvable name: got '$got'" ;;
esac

finish
