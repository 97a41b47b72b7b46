#!/usr/bin/env bash
# The example host bundles end to end (examples/, README "Host-bundle examples"):
#   tests/cli/examples.sh BUILD_DIR
# Builds the DuckDB, SQLite and PKCS#11 bundles (make -C examples/X) and the
# C guests (examples/guests/build.sh) into BUILD_DIR/examples, then runs each
# guest with `weft run --host-bundle` and the two-bundle guest with
# `--host-config examples/hosts.toml`, and checks what they print: query
# results, data that persists in a database file, keys generated, signatures
# that verify on a private SoftHSM token (initialised in a temp dir through
# SOFTHSM2_CONF), and the errors guests and bad configurations get.
# Prints "examples: N passed, M failed[, K skipped]".
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
W="$BUILD/weft"
OUT="$BUILD/examples"
G="$OUT/guests"
passed=0; failed=0; skipped=0; last=none
ok() { passed=$((passed + 1)); }
bad() { echo "examples: FAIL: $1"; failed=$((failed + 1)); }
skip() { echo "examples: SKIPPED: $1"; skipped=$((skipped + 1)); }
finish() {
  local s=""
  [ "$skipped" = 0 ] || s=", $skipped skipped"
  echo "examples: $passed passed, $failed failed$s"
  [ "$failed" = 0 ]; exit $?
}

# run NAME CMD...: runs CMD; its stdout in $out, stderr in $OUT/NAME.err, status in $rc.
run() {
  last=$1; shift
  out=$("$@" 2>"$OUT/$last.err"); rc=$?
}
# has LINE...: each LINE is a whole line of $out.
has() {
  local l
  for l in "$@"; do grep -qxF -- "$l" <<<"$out" || { echo "    missing line: $l"; return 1; }; done
}
# check NAME LINE...: the last run exited 0 and printed every LINE.
check() {
  local name=$1; shift
  if [ "$rc" = 0 ] && has "$@"; then ok; else
    bad "$name: exit $rc; stdout:"; sed 's/^/    | /' <<<"$out"; sed 's/^/    stderr| /' "$OUT/$last.err" | head -5
  fi
}
# check_err NAME SUBSTRING: the last run exited 1, printed nothing, SUBSTRING on stderr.
check_err() {
  if [ "$rc" = 1 ] && [ -z "$out" ] && grep -qF -- "$2" "$OUT/$1.err"; then ok; else
    bad "$1: exit $rc, stdout '$out', expected '$2' on stderr: $(head -c 400 "$OUT/$1.err")"
  fi
}

mkdir -p "$OUT"
if [ ! -x "$W" ]; then bad "$W not built"; finish; fi
for tool in clang cc make node_modules/.bin/jco; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
    bad "$tool not found (scripts/setup.sh installs it): cannot build the examples"; finish
  fi
done
ABS=$(cd "$BUILD" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-examples.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# build BUNDLE GUEST...: the bundle and its guests; false (reported) on failure.
build() {
  local b=$1; shift
  if ! make -s -C "examples/$b" ${CC:+CC="$CC"} OUT="$ABS/examples/$b" WEFT="$ABS/weft" >"$OUT/$b.build.log" 2>&1; then
    bad "building examples/$b failed:"; sed 's/^/    /' "$OUT/$b.build.log" | head -20; return 1
  fi
  if ! examples/guests/build.sh "$BUILD" "$@" >"$OUT/$b.guests.log" 2>&1; then
    bad "building the guests $* failed:"; sed 's/^/    /' "$OUT/$b.guests.log" | head -20; return 1
  fi
  ok
}
# manifest FILE HOST BUNDLE_DIR CONFIG: a one-host manifest (explicit search path).
manifest() {
  printf '[global]\nsearch_paths = ["%s"]\n\n[[host]]\nname = "%s"\nbundle = "%s"\nconfig = %s\n' \
    "$(dirname "$3")" "$2" "$(basename "$3")" "$4" >"$1"
}

# ---- DuckDB ----
have_duckdb=1
if [ ! -f node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so ]; then
  have_duckdb=0
  skip "DuckDB example: node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so is missing (scripts/setup.sh installs it with npm ci)"
elif build duckdb_host duckdb_app; then
  D="$OUT/duckdb_host"
  run duckdb-check "$W" bundle check "$D"
  check "duckdb: bundle check" "$D: ok: host 'duckdb', 3 functions, 0 resources"
  run duckdb-app "$W" run --host-bundle "$D" "$G/duckdb_app.wasm"
  check "duckdb: the guest opens, creates, inserts and queries" \
    "DuckDB from a component, through the duckdb host bundle" \
    "  8" \
    "  JP | 2 | 16846446 | 東京" "  BR | 2 | 14269380 | São Paulo" "  CH | 3 | 799597 | Zürich" "  IS | 1 | NULL | Reykjavík" \
    "  東京 | 14094034" "  São Paulo | 11451999" "  Brasília | 2817381" "  大阪 | 2752412"
  check "duckdb: SQL errors come back as err values" \
    'error: Binder Error: Referenced column "nosuch" not found in FROM clause!'
  check "duckdb: SQL cannot read the host's files" \
    'error: Permission Error: Cannot access file "/etc/passwd" - file system operations are disabled by configuration'
  check "duckdb: open refuses paths; query after close fails" \
    "open ../escape.duckdb: error: cannot open '../escape.duckdb': this host has no database directory (config \`dir\`): only ':memory:' can be opened" \
    "error: no database is open (call open)"
  # a database file in the configured directory persists across runs
  mkdir -p "$TMP/duck"
  manifest "$TMP/duck.toml" duckdb "$D" "{ dir = \"$TMP/duck\" }"
  run duckdb-persist1 "$W" run --host-config "$TMP/duck.toml" "$G/duckdb_app.wasm" visits.duckdb
  check "duckdb: a database file (manifest config dir)" "visits.duckdb holds:" "  1 | 1"
  run duckdb-persist2 "$W" run --host-config "$TMP/duck.toml" "$G/duckdb_app.wasm" visits.duckdb
  check "duckdb: its rows persist to the next run" "  2 | 2"
  if [ -s "$TMP/duck/visits.duckdb" ]; then ok; else bad "duckdb: $TMP/duck/visits.duckdb was not written"; fi
  run duckdb-badname "$W" run --host-config "$TMP/duck.toml" "$G/duckdb_app.wasm" sub/x.duckdb
  if [ "$rc" = 1 ] && has "open sub/x.duckdb: error: cannot open 'sub/x.duckdb': a database name is a plain file name (letters, digits, '.', '_', '-'): no paths"; then ok; else
    bad "duckdb: a path in the database name: exit $rc, $out"; fi
  manifest "$TMP/duckbad.toml" duckdb "$D" '{ max-rows = "lots" }'
  run duckdb-badconfig "$W" run --host-config "$TMP/duckbad.toml" "$G/duckdb_app.wasm"
  check_err duckdb-badconfig "weft_host_init failed: config max-rows: expected a positive integer"
  # two hosts exporting the same interface: one clear error, nothing runs
  printf '[global]\nsearch_paths = ["%s"]\n[[host]]\nname = "duckdb"\nbundle = "duckdb_host"\n[[host]]\nname = "duckdb-secondary"\nbundle = "duckdb_host"\n' "$OUT" >"$TMP/two.toml"
  run duckdb-two "$W" run --host-config "$TMP/two.toml" "$G/duckdb_app.wasm"
  check_err duckdb-two "exported by two hosts, 'duckdb' and 'duckdb-secondary'"
fi

# ---- SQLite ----
if [ ! -f /usr/include/sqlite3.h ]; then
  skip "SQLite example: sqlite3.h is missing (Debian package libsqlite3-dev; scripts/setup.sh installs it)"
elif build sqlite_host sqlite_app; then
  S="$OUT/sqlite_host"
  run sqlite-check "$W" bundle check "$S"
  check "sqlite: bundle check" "$S: ok: host 'sqlite', 5 functions, 1 resources"
  run sqlite-app "$W" run --host-bundle "$S" "$G/sqlite_app.wasm"
  check "sqlite: typed rows, bound parameters, a connection resource" \
    "inserted 3 rows, last rowid 3" \
    "  id | title | score | data" \
    "  1 | 'Grüße aus Zürich' | 9.5 | x'00ff7e80'" \
    "  2 | '日本語のメモ' | 7.25 | NULL" \
    "  3 | 'plain ASCII' | NULL | x''" \
    "  'Grüße aus Zürich' | 'real' | 16 | 4"
  check "sqlite: errors come back as err values" \
    "error: no such column: nosuch" \
    "error: the statement has 1 parameters, 0 values were given" \
    "error: one statement at a time: text follows the first statement" \
    "error: too many attached databases - max 0"
  mkdir -p "$TMP/sq"
  manifest "$TMP/sq.toml" sqlite "$S" "{ dir = \"$TMP/sq\" }"
  run sqlite-persist1 "$W" run --host-config "$TMP/sq.toml" "$G/sqlite_app.wasm" runs.db
  run sqlite-persist2 "$W" run --host-config "$TMP/sq.toml" "$G/sqlite_app.wasm" runs.db
  check "sqlite: a database file persists across runs" "runs.db holds:" "  runs | last" "  2 | 2"
  # the bundle packed as a .tar.gz runs the same
  if "$W" bundle pack "$S" -o "$TMP/sqlite_host.tar.gz" >/dev/null 2>"$OUT/sqlite-pack.err"; then
    run sqlite-tar "$W" run --host-bundle "$TMP/sqlite_host.tar.gz" "$G/sqlite_app.wasm"
    check "sqlite: the bundle as a .tar.gz" "inserted 3 rows, last rowid 3"
  else
    bad "sqlite: bundle pack: $(cat "$OUT/sqlite-pack.err")"
  fi
fi

# ---- PKCS#11 (SoftHSM 2 through p11-kit) ----
SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so
if [ ! -f /usr/include/p11-kit-1/p11-kit/p11-kit.h ] || ! command -v softhsm2-util >/dev/null || [ ! -f "$SOFTHSM_MODULE" ]; then
  skip "PKCS#11 example: needs libp11-kit-dev, softhsm2 and $SOFTHSM_MODULE (scripts/setup.sh installs them)"
elif build pkcs11_host pkcs11_app; then
  P="$OUT/pkcs11_host"
  run p11-check "$W" bundle check "$P"
  check "pkcs11: bundle check" "$P: ok: host 'pkcs11', 7 functions, 1 resources"
  mkdir -p "$TMP/hsm/tokens"
  printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$TMP" >"$TMP/hsm/softhsm2.conf"
  export SOFTHSM2_CONF="$TMP/hsm/softhsm2.conf"
  if softhsm2-util --init-token --free --label weft-example --pin 4321 --so-pin 8765 >"$OUT/p11-init.log" 2>&1; then
    ok
    run p11-app "$W" run --host-bundle "$P" "$G/pkcs11_app.wasm" weft-example 4321
    check "pkcs11: login, EC and RSA keys generated, signed, verified" \
      "token 'weft-example' (SoftHSM project, SoftHSM v2), initialized: yes" \
      "login with a wrong PIN: error: C_Login: CKR_PIN_INCORRECT" \
      "logged in to 'weft-example'" \
      "key 'app-ec' generated on the token" "key 'app-rsa' generated on the token" \
      "  verify(message): valid" "  verify(tampered message): invalid" \
      "private keys on the token: app-ec app-rsa" "random from the token: 32 bytes"
    # EC: a 65-byte uncompressed point in a DER octet string, a 64-byte r||s
    # signature; RSA: a 2048-bit modulus and signature; each verifies, and
    # fails on a tampered message
    if [ "$(grep -cxF '  verify(message): valid' <<<"$out")" = 2 ] &&
       [ "$(grep -cxF '  verify(tampered message): invalid' <<<"$out")" = 2 ] &&
       grep -qxE '  public key: 67 bytes \(044104[0-9a-f]{10}\.\.\.\)' <<<"$out" &&
       grep -qxE '  signature: 64 bytes \([0-9a-f]{16}\.\.\.\)' <<<"$out" &&
       [ "$(grep -cxE '  (public key|signature): 256 bytes \([0-9a-f]{16}\.\.\.\)' <<<"$out")" = 2 ]; then ok; else
      bad "pkcs11: key and signature shapes: $out"; fi
    check "pkcs11: errors come back as err values" \
      "generate-key app-ec again: error: a key with this label already exists on the token" \
      "sign with nosuch: error: no private key with this label" \
      "random 1 MiB: error: at most 65536 random bytes per call"
    # the EC signature checked by another implementation (OpenSSL): the
    # token's public key as a SubjectPublicKeyInfo, r||s as a DER signature
    if ! command -v openssl >/dev/null || ! command -v python3 >/dev/null; then
      skip "pkcs11: checking the signature with OpenSSL needs openssl and python3 (scripts/setup.sh installs openssl)"
    else
      printf 'directories.tokendir = %s/hsm/tokens2\nobjectstore.backend = file\nlog.level = ERROR\n' "$TMP" >"$TMP/hsm/softhsm2b.conf"
      mkdir -p "$TMP/hsm/tokens2"
      SOFTHSM2_CONF="$TMP/hsm/softhsm2b.conf" softhsm2-util --init-token --free --label second --pin 1111 --so-pin 2222 >/dev/null 2>&1
      run p11-hex env SOFTHSM2_CONF="$TMP/hsm/softhsm2b.conf" "$W" run --host-bundle "$P" "$G/pkcs11_app.wasm" second 1111 hex
      pubhex=$(sed -n 's/^ec-public-key: //p' <<<"$out"); sighex=$(sed -n 's/^ec-signature: //p' <<<"$out")
      if [ "$rc" = 0 ] && python3 - "$pubhex" "$sighex" "$TMP" <<'PY'
import sys
pub, sig, d = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3]
assert pub[:3] == b"\x04\x41\x04" and len(pub) == 67 and len(sig) == 64
spki = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200") + pub[2:]
def der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80: b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
body = der_int(sig[:32]) + der_int(sig[32:])
open(d + "/pub.der", "wb").write(spki)
open(d + "/sig.der", "wb").write(b"\x30" + bytes([len(body)]) + body)
open(d + "/msg.txt", "wb").write(b"weft signs this message")
PY
      then
        if openssl dgst -sha256 -keyform DER -verify "$TMP/pub.der" -signature "$TMP/sig.der" "$TMP/msg.txt" >/dev/null 2>&1; then ok; else
          bad "pkcs11: OpenSSL does not verify the token's ECDSA signature"; fi
        printf 'weft signs this message!' >"$TMP/msg.txt"
        if openssl dgst -sha256 -keyform DER -verify "$TMP/pub.der" -signature "$TMP/sig.der" "$TMP/msg.txt" >/dev/null 2>&1; then
          bad "pkcs11: OpenSSL verifies the signature over a different message"; else ok; fi
      else
        bad "pkcs11: the hex run: exit $rc, $out"
      fi
    fi
    # the keys live in the token (on disk), not in the guest: a second run finds them
    run p11-again "$W" run --host-bundle "$P" "$G/pkcs11_app.wasm" weft-example 4321
    if [ "$rc" = 1 ] && has "generate-key: error: a key with this label already exists on the token"; then ok; else
      bad "pkcs11: a second run should find app-ec on the token: exit $rc, $out"; fi
    run p11-notoken "$W" run --host-bundle "$P" "$G/pkcs11_app.wasm" no-such-token 4321
    if [ "$rc" = 1 ] && has "login: error: no token labelled 'no-such-token'"; then ok; else bad "pkcs11: unknown token: exit $rc, $out"; fi
    manifest "$TMP/p11bad.toml" pkcs11 "$P" '{ module = "/nonexistent/libnothing.so" }'
    run p11-badmodule "$W" run --host-config "$TMP/p11bad.toml" "$G/pkcs11_app.wasm" weft-example 4321
    check_err p11-badmodule "weft_host_init failed: cannot load PKCS#11 module '/nonexistent/libnothing.so'"
  else
    bad "pkcs11: softhsm2-util --init-token failed: $(cat "$OUT/p11-init.log")"
  fi
fi

# ---- two bundles at once, from examples/hosts.toml ----
if [ "$have_duckdb" = 1 ] && [ -f "$OUT/duckdb_host/lib/libduckdb_host.so" ] && [ -f "$OUT/sqlite_host/lib/libsqlite_host.so" ]; then
  if examples/guests/build.sh "$BUILD" both_app >"$OUT/both.log" 2>&1; then ok; else bad "building both_app: $(head -c 600 "$OUT/both.log")"; fi
  BOTH=("Chloé | 355.0 | 57.5" "Åsa | 162.75 | 26.4" "Bjørn | 99.75 | 16.2")
  BOTH=("sqlite: 6 orders recorded" "${BOTH[@]/#/  }")
  # examples/hosts.toml looks in ../build/examples: used as it is when
  # BUILD_DIR is build/, else a copy whose search path is BUILD_DIR/examples
  if [ "$ABS" = "$(cd build 2>/dev/null && pwd)" ]; then
    M=examples/hosts.toml
  else
    M="$TMP/hosts.toml"
    sed "s|^search_paths = .*|search_paths = [\"$OUT\"]|" examples/hosts.toml >"$M"
  fi
  run both-manifest "$W" run --host-config "$M" "$G/both_app.wasm"
  check "two bundles from the manifest ($M)" "${BOTH[@]}"
  run both-flags "$W" run --host-bundle "$OUT/duckdb_host" --host-bundle "$OUT/sqlite_host" "$G/both_app.wasm"
  check "two bundles from --host-bundle twice" "${BOTH[@]}"
  run both-missing "$W" run --host-bundle "$OUT/sqlite_host" "$G/both_app.wasm"
  if [ "$rc" = 1 ] && [ -z "$out" ] && grep -qF "duckdb:extension/runtime@0.1.0" "$OUT/both-missing.err"; then ok; else
    bad "one bundle missing: exit $rc, stdout '$out', stderr $(head -c 300 "$OUT/both-missing.err")"; fi
else
  skip "the two-bundle manifest example needs the DuckDB and SQLite bundles (see above)"
fi
finish
