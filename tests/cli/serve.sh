#!/usr/bin/env bash
# `weft serve` over real loopback HTTP, driven by curl (and python3 for raw
# malformed requests). The guests are built here from tests/serve/guest.c
# (freestanding C against the canonical ABI: clang --target=wasm32, then
# jco embed + jco new against the wasi:http proxy world; tests/serve/build.sh)
# into BUILD_DIR/serve:
#   hello     answers, keep-alive, request-id-prefixed stdout/stderr, many
#             requests in parallel, malformed and oversized requests answered
#             4xx while the server keeps serving, graceful SIGTERM while a
#             request is in flight
#   echo      a 20 MB chunked upload (and a Content-Length one) streamed back,
#             with a trailer
#   trailers  request trailers: a chunked upload with trailers (sent by
#             tests/serve/chunked_trailers.py: curl sends none) reaches the
#             guest's future-trailers; invalid ones are dropped and logged
#   outbound  calls a python3 http.server this script starts through
#             wasi:http/outgoing-handler
#   trap      500, and the server goes on answering
#   loop      never answers: cut off by --timeout (504), instance interrupted
#   both      exports wasi:cli/run as well as the handler: served
#   no_handler (tests/serve/no_handler.wat) refused at start
#   tests/cli/serve.sh BUILD_DIR      prints "serve: N passed, M failed"
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
OUT="$BUILD/serve"
P=0; F=0
PIDS=()
ok() { P=$((P + 1)); }
bad() { F=$((F + 1)); echo "serve: FAIL: $*"; }
finish() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  echo "serve: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}
trap finish INT TERM
check() {   # check NAME GOT WANT
  if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}

[ -x "$WEFT" ] || { bad "$WEFT not built"; finish; }
for tool in curl python3; do
  command -v $tool >/dev/null || { bad "$tool is missing (scripts/setup.sh)"; finish; }
done
msg=$(tests/serve/build.sh "$OUT") || { bad "$msg"; finish; }

# ---- servers ----------------------------------------------------------------
# start NAME WASM OPTIONS...: weft serve on a free loopback port; sets PORT_NAME
start() {
  local name=$1 wasm=$2
  shift 2
  rm -f "$OUT/$name.err"   # not the last run's port (the redirection below happens in the child)
  : >"$OUT/$name.err"
  "$WEFT" serve --addr 127.0.0.1:0 "$@" "$OUT/$wasm" >"$OUT/$name.out" 2>>"$OUT/$name.err" &
  local pid=$! port=""
  PIDS+=("$pid")
  eval "PID_$name=$pid"
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$OUT/$name.err")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { bad "weft serve $wasm did not start: $(cat "$OUT/$name.err")"; finish; }
  eval "PORT_$name=$port"
}
start hello hello.wasm --max-body 1M --max-header 16K
start echo echo.wasm
start outbound outbound.wasm --timeout 10
start trailers trailers.wasm
start trap trap.wasm
start loop loop.wasm --timeout 1
start both both.wasm
H="http://127.0.0.1:$PORT_hello"

# ---- hello, keep-alive, stdio --------------------------------------------------
check "hello" "$(curl -s -w ' %{http_code}' "$H/")" "hello from weft
 200"
check "hello content-type" "$(curl -s -o /dev/null -w '%{content_type}' "$H/x")" "text/plain"
curl -sv "$H/a" "$H/b" >"$OUT/ka.out" 2>"$OUT/ka.err"
if grep -qi "re-using existing connection" "$OUT/ka.err" && [ "$(grep -c 'hello from weft' "$OUT/ka.out")" = 2 ]; then
  ok; else bad "keep-alive: two requests on one connection"; fi
curl -s "$H/log/one?x=1" >/dev/null
sleep 0.3
if grep -qE '^\[req [0-9]+\] handling /log/one\?x=1$' "$OUT/hello.out"; then ok
else bad "guest stdout is prefixed with its request id: $(cat "$OUT/hello.out")"; fi
if grep -qE '^\[req [0-9]+\] a line on stderr$' "$OUT/hello.err"; then ok
else bad "guest stderr is prefixed with its request id"; fi
check "HEAD" "$(curl -s -I -o /dev/null -w '%{http_code}' --max-time 5 "$H/")" 200
# a client that goes away mid-upload: its guest is stopped, the server goes on
curl -s -H 'Transfer-Encoding: chunked' --data-binary @/dev/zero --max-time 0.3 "$H/gone" >/dev/null 2>&1
check "after a client went away" "$(curl -s "$H/")" "hello from weft"
# many at once (spread over the workers)
seq 40 | xargs -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$H/p{}" >"$OUT/par.txt"
check "40 parallel requests" "$(grep -c '^200$' "$OUT/par.txt")" 40

# a component that exports wasi:cli/run as well is served too (and still runs as a command)
check "incoming-handler + wasi:cli/run served" "$(curl -s "http://127.0.0.1:$PORT_both/")" "hello from weft"
"$WEFT" run "$OUT/both.wasm" >/dev/null 2>&1
check "incoming-handler + wasi:cli/run runs with weft run" "$?" 0

# ---- echo: streamed bodies both ways --------------------------------------------
head -c 20000000 /dev/urandom >"$OUT/big.bin"
want=$(sha256sum <"$OUT/big.bin" | cut -d' ' -f1)
got=$(curl -sv -H "Transfer-Encoding: chunked" --data-binary @"$OUT/big.bin" -D "$OUT/echo.hdr" 2>"$OUT/echo.curl" \
      "http://127.0.0.1:$PORT_echo/" | sha256sum | cut -d' ' -f1)
check "echo of a 20 MB chunked upload" "$got" "$want"
[ "$got" = "$want" ] || { tail -5 "$OUT/echo.err"; tail -8 "$OUT/echo.curl"; }
if grep -qi '^x-echo-bytes: 20000000' "$OUT/echo.hdr"; then ok; else bad "echo trailer x-echo-bytes"; fi
head -c 5000000 "$OUT/big.bin" >"$OUT/mid.bin"
got=$(curl -s --data-binary @"$OUT/mid.bin" "http://127.0.0.1:$PORT_echo/" | sha256sum | cut -d' ' -f1)
check "echo of a 5 MB Content-Length upload" "$got" "$(sha256sum <"$OUT/mid.bin" | cut -d' ' -f1)"
check "echo trailer on a small body" "$(curl -s --raw --data-binary 'abc' "http://127.0.0.1:$PORT_echo/" | tr -d '\r' | grep '^x-echo')" \
  "x-echo-bytes: 3"

# ---- request trailers ---------------------------------------------------------------
TR=tests/serve/chunked_trailers.py
check "request trailers reach the guest" "$(python3 $TR "$PORT_trailers" "hello body" "X-Sum: 42" "X-Note: end of body")" \
  "200 10 bytes, trailers: x-sum: 42; x-note: end of body"
check "chunked request without trailers" "$(python3 $TR "$PORT_trailers" "hello body")" "200 10 bytes, trailers: none"
check "trailers after an empty chunked body" "$(python3 $TR "$PORT_trailers" "" "X-Only: t")" "200 0 bytes, trailers: x-only: t"
check "an invalid request trailer is dropped" \
  "$(python3 $TR "$PORT_trailers" "abc" "X-Bad: a$(printf '\001')b" "X-Good: 1")" "200 3 bytes, trailers: x-good: 1"
sleep 0.2
if grep -q 'request trailer field(s) not valid: dropped' "$OUT/trailers.err"; then ok
else bad "the dropped request trailer is logged: $(tail -3 "$OUT/trailers.err")"; fi
check "Content-Length request: no trailers" "$(curl -s --data-binary abc "http://127.0.0.1:$PORT_trailers/")" \
  "3 bytes, trailers: none"

# ---- outbound through wasi:http/outgoing-handler ------------------------------------
mkdir -p "$OUT/www"
printf 'upstream says hi' >"$OUT/www/up.txt"
UPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$UPORT" --bind 127.0.0.1 --directory "$OUT/www" >"$OUT/upstream.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$UPORT/up.txt" && break; sleep 0.05; done
check "outbound" "$(curl -s "http://127.0.0.1:$PORT_outbound/127.0.0.1:$UPORT/up.txt")" "upstream 200: upstream says hi"
check "outbound 404" "$(curl -s "http://127.0.0.1:$PORT_outbound/127.0.0.1:$UPORT/none")" "upstream 404: $(curl -s "http://127.0.0.1:$UPORT/none")"

# ---- traps and timeouts ------------------------------------------------------------
check "trap -> 500" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_trap/")" 500
check "trap again -> 500 (still serving)" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_trap/")" 500
if grep -q 'trap: unreachable' "$OUT/trap.err"; then ok; else bad "the trap is logged"; fi
t0=$(date +%s%N)
check "never-answering guest -> 504" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$PORT_loop/")" 504
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$ms" -lt 5000 ]; then ok; else bad "the 1 s timeout took $ms ms"; fi
check "never-answering guest, again" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$PORT_loop/")" 504
sleep 0.3
if grep -q 'trap: interrupted' "$OUT/loop.err"; then ok; else bad "the looping instance is interrupted: $(cat "$OUT/loop.err")"; fi

# ---- refused at start ---------------------------------------------------------------
msg=$("$WEFT" serve --addr 127.0.0.1:0 "$OUT/no_handler.wasm" 2>&1 </dev/null)
rc=$?
check "no incoming-handler: exit 1" "$rc" 1
if grep -q 'does not export wasi:http/incoming-handler' <<<"$msg"; then ok; else bad "refusal message: $msg"; fi

# ---- malformed and oversized requests ---------------------------------------------------
raw() {   # raw BYTES: send them as-is, print the response's status code
  python3 - "$PORT_hello" "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
data = b""
try:
    while b"\r\n" not in data:
        c = s.recv(4096)
        if not c: break
        data += c
except socket.timeout:
    pass
line = data.split(b"\r\n")[0].split(b" ")
print(line[1].decode() if len(line) > 1 else "none")
EOF
}
check "header line without a colon -> 400" "$(raw 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n')" 400
check "method not a token -> 400" "$(raw 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n')" 400
check "space in the request target -> 400" "$(raw 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n')" 400
check "header name not a token -> 400" "$(raw 'GET / HTTP/1.1\r\nHost: x\r\nBad@Name: v\r\nConnection: close\r\n\r\n')" 400
check "control byte in a header value -> 400" "$(raw 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\nConnection: close\r\n\r\n')" 400
check "bad Content-Length -> 400" "$(raw 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n')" 400
big=$(head -c 40000 /dev/zero | tr '\0' a)
check "oversized header -> 431" "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$H/")" 431
head -c 2000000 /dev/zero >"$OUT/2m.bin"
check "oversized body (Content-Length) -> 413" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$OUT/2m.bin" "$H/")" 413
check "oversized body (chunked) -> 413" \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @"$OUT/2m.bin" "$H/")" 413
check "still serving after bad requests" "$(curl -s "$H/after")" "hello from weft"

# ---- graceful shutdown ------------------------------------------------------------------
# A request in flight (its body arrives slowly) when SIGTERM comes finishes.
(printf 'first,'; sleep 1; printf 'second') |
  curl -s -T - -H 'Transfer-Encoding: chunked' "http://127.0.0.1:$PORT_echo/" >"$OUT/slow.out" &
CURL=$!
sleep 0.4
kill -TERM "$PID_echo"
wait "$CURL"
check "in-flight request finishes after SIGTERM" "$(cat "$OUT/slow.out")" "first,second"
wait "$PID_echo"
check "graceful exit status" "$?" 0
if grep -q 'weft serve: stopped' "$OUT/echo.err"; then ok; else bad "no 'stopped' line: $(tail -3 "$OUT/echo.err")"; fi
check "no new connections after SIGTERM" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_echo/")" 000
for n in hello outbound trailers trap loop both; do
  pid_var="PID_$n"
  kill -INT "${!pid_var}"
  wait "${!pid_var}"
  check "SIGINT exit status ($n)" "$?" 0
done
PIDS=("${PIDS[@]:7}")
finish
