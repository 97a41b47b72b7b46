#!/usr/bin/env bash
# wasi:http end to end through `weft run --invoke`:
#   - a JavaScript guest built here with componentize-js (tests/wasi_http/
#     fetch.js; its own CLI, rebuilt when its sources or componentize-js
#     change):
#     a plain export links because wasi:http is on by default, and does not
#     link with -S http=n;
#   - fetch() over wasi:http/outgoing-handler (libcurl) against a loopback
#     server this script starts (tests/wasi_http/server.py): GET, response
#     headers, POST/PUT bodies, request headers, a 3 MB body through the
#     bounded body channel, a 404, and a refused connection;
#   - a guest in freestanding C against the canonical ABI (tests/wasi_http/
#     httptest.c; clang --target=wasm32, jco embed + jco new) that checks
#     what fetch() hides: header-error cases, immutable headers, request
#     validation, future-trailers, error-code values, Content-Length
#     enforcement, a 3 MB streamed request body echoed back intact,
#     response and request trailers, request-options' first-byte timeout.
#   tests/cli/wasi_http.sh BUILD_DIR
# Prints failures and last "wasi-http: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
WEFT="$BUILD/weft"
OUT="$BUILD/wasi_http"
SRC=tests/wasi_http
P=0; F=0; SKIP=""
ok() { P=$((P + 1)); }
bad() { F=$((F + 1)); echo "wasi-http: FAIL: $*"; }
SERVER_PID=""
finish() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  [ -n "$SKIP" ] && echo "wasi-http: skipped: $SKIP"
  echo "wasi-http: $P passed, $F failed"
  [ "$F" = 0 ]
  exit
}
trap 'finish' INT TERM
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null' EXIT

if [ ! -x "$WEFT" ]; then bad "$WEFT not built"; finish; fi
mkdir -p "$OUT"

# ---- the guest ----------------------------------------------------------------
# componentize-js's own CLI, the version package.json pins (`jco componentize`
# would use the older one jco 1.11 depends on, whose guests corrupt their heap
# on some response sizes: see docs/wasi-http.md, "Known limits").
APP="$OUT/fetch.wasm"
CJS=node_modules/.bin/componentize-js
CJS_PKG=node_modules/@bytecodealliance/componentize-js/package.json
if [ ! -s "$APP" ] || [ "$SRC/fetch.js" -nt "$APP" ] || [ "$SRC/wit/fetch.wit" -nt "$APP" ] ||
   [ "$CJS_PKG" -nt "$APP" ]; then
  if [ ! -x "$CJS" ]; then
    SKIP="the JavaScript guest needs $CJS (scripts/setup.sh installs it)"
    finish
  fi
  if ! "$CJS" "$SRC/fetch.js" --wit "$SRC/wit" -n fetcher -o "$APP.tmp" >"$OUT/componentize.log" 2>&1; then
    bad "componentize-js failed: $(tail -3 "$OUT/componentize.log")"
    finish
  fi
  mv "$APP.tmp" "$APP"
fi

C="$OUT/httptest.wasm"
if [ ! -s "$C" ] || [ "$SRC/httptest.c" -nt "$C" ] || [ "$SRC/wit-c/httptest.wit" -nt "$C" ]; then
  if ! clang --target=wasm32 -nostdlib -O2 -Wall -Wextra -Werror -Wl,--no-entry -o "$OUT/httptest.core.wasm" \
      "$SRC/httptest.c" 2>"$OUT/build.log" ||
     ! node_modules/.bin/jco embed "$OUT/httptest.core.wasm" --wit "$SRC/wit-c" -n httptest \
      -o "$OUT/httptest.embed.wasm" >>"$OUT/build.log" 2>&1 ||
     ! node_modules/.bin/jco new "$OUT/httptest.embed.wasm" -o "$C" >>"$OUT/build.log" 2>&1; then
    bad "building the C guest failed: $(tail -5 "$OUT/build.log")"
    rm -f "$C"
  fi
fi

# expect NAME EXPECTED-STDOUT WEFT-ARGS...: exit 0 and exactly that output.
# These go over real sockets to a Python server: a run that fails is run
# once more, and a pass on the second run still prints what the first one
# did ("RETRIED"), so a rare fault stays visible without failing the suite
# on a machine's hiccup. A second failure fails.
expect() {
  local name=$1 want=$2
  shift 2
  local got rc first=""
  for attempt in 1 2; do
    got=$(timeout 30 "$WEFT" run "$@" 2>"$OUT/stderr")
    rc=$?
    if [ $rc = 0 ] && [ "$got" = "$want" ]; then
      [ -n "$first" ] && echo "wasi-http: RETRIED: $name: the first run gave $first"
      ok
      return
    fi
    first="exit $rc, got '$got', want '$want' ($(head -c 300 "$OUT/stderr"))"
  done
  bad "$name: $first"
}

# ---- a plain export: links only with wasi:http ---------------------------------
expect "plain export (http on by default)" '"hello, world"' "$APP" --invoke 'greet("world")'
if timeout 30 "$WEFT" run -S http=n "$APP" --invoke 'greet("world")' >"$OUT/out" 2>"$OUT/stderr"; then
  bad "-S http=n: the guest linked without wasi:http"
elif grep -q 'wasi:http/types@0\.2\.' "$OUT/stderr"; then ok; else
  bad "-S http=n: unexpected error: $(head -c 300 "$OUT/stderr")"
fi

# ---- the loopback server ----------------------------------------------------------
PORTFILE="$OUT/port"
rm -f "$PORTFILE"
python3 "$SRC/server.py" "$PORTFILE" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$PORTFILE" ] && break; sleep 0.05; done
if [ ! -s "$PORTFILE" ]; then bad "the loopback server did not start"; finish; fi
U="http://127.0.0.1:$(cat "$PORTFILE")"

expect "GET" '"200 hello from loopback"' "$APP" --invoke "get(\"$U/hello\")"
expect "response header" '"200 x-test=yes"' "$APP" --invoke "header(\"$U/hello\", \"x-test\")"
expect "missing response header" '"200 x-none=null"' "$APP" --invoke "header(\"$U/hello\", \"x-none\")"
expect "POST body" '"200 POST 14 same"' "$APP" --invoke "post(\"$U/echo\", \"some body text\")"
expect "PUT body" '"200 PUT 5"' "$APP" --invoke "put(\"$U/echo\", \"abcde\")"
expect "request header" '"x-custom: v1"' "$APP" --invoke "sendheader(\"$U/headers\", \"v1\")"
expect "3 MB body" '"200 3000000"' "$APP" --invoke "size(\"$U/big?n=3000000\")"
expect "404" '"404 "' "$APP" --invoke "get(\"$U/status/404\")"
# a port nobody listens on: the guest sees fetch() reject
expect "refused" '"error TypeError"' "$APP" --invoke 'fail("http://127.0.0.1:1/")'
# ---- the C guest -----------------------------------------------------------------
PORT=$(cat "$PORTFILE")
if [ -s "$C" ]; then
  expect "fields and request rules" "\"from-list connection: forbidden; from-list bad name: invalid-syntax; bad value: \
invalid-syntax; append: ok; get: 2 values 1 2; set: ok; entries: 1 has x-a: 1; after delete: 0; request headers \
append: immutable; method \\'BAD M\\': err, method PATCH: ok; path \\'x\\': err, path \\'/a?b\\': ok; authority \
\\'a/b\\': err, scheme \\'x y\\': err; body twice: err\"" "$C" --invoke 'fields-rules()'
  expect "C GET" '"200 hello from loopback / trailers: none"' "$C" --invoke "get($PORT, \"/hello\")"
  expect "C GET 204" '"204  / trailers: none"' "$C" --invoke "get($PORT, \"/status/204\")"
  expect "C streamed POST" '"200 streamed request body of some length / trailers: none"' "$C" \
    --invoke "post($PORT, \"streamed request body of some length\")"
  expect "C 3 MB POST echoed" '"200 3000000 intact"' "$C" --invoke "post-big($PORT, 3000000)"
  expect "C refused" '"error: connection-refused"' "$C" --invoke 'refused(1)'
  # trailers: a chunked response's reach future-trailers (a second get
  # says taken); the guest's request trailers are sent after a chunked
  # body, and dropped with a Content-Length (no place for them in HTTP/1.1)
  expect "C response trailers" '"200 trailer body / trailers: some(x-checksum: 1234, x-other: yes)"' "$C" \
    --invoke "get($PORT, \"/trailers\")"
  expect "C response trailers over 1 MiB" '"200 body / trailers: error HTTP-response-trailer-section-size"' "$C" \
    --invoke "get($PORT, \"/bigtrailers\")"
  expect "C request trailers (chunked)" \
    '"200 chunked 9: x-sum: 42; x-note: end of body / trailers: none"' "$C" \
    --invoke "post-trailers($PORT, \"body text\", false)"
  expect "C request trailers with Content-Length: dropped" '"200 length 9 / trailers: none"' "$C" \
    --invoke "post-trailers($PORT, \"body text\", true)"
  # first-byte-timeout: a head 3 s late against 300 ms fails with
  # connection-read-timeout well before the head; against 5 s it arrives
  t0=$(date +%s%N)
  expect "C first-byte timeout" '"error: connection-read-timeout"' "$C" \
    --invoke "first-byte($PORT, \"/slow?ms=3000\", 300)"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if [ "$ms" -lt 2500 ]; then ok; else bad "first-byte timeout: took $ms ms (the head came after 3000)"; fi
  expect "C first-byte timeout not reached" '"200 slow / trailers: none"' "$C" \
    --invoke "first-byte($PORT, \"/slow?ms=200\", 5000)"
  expect "C Content-Length enforced" '"finish: HTTP-request-body-size(3)"' "$C" --invoke "body-size($PORT)"
fi
# -S http=n with a guest that links anyway is not possible (imports); the
# permission itself is checked per request by the host (see the unit tests).

finish
