#!/usr/bin/env bash
# toml-test (TOML 1.0 files) against weft's TOML parser, through the
# decoder in tests/toml/decoder.c: valid/X.toml must decode to the tagged JSON
# of valid/X.json (compared semantically by tests/toml/compare.mjs), and
# invalid/X.toml must be rejected.
#   tests/cli/toml.sh BUILD_DIR
# Prints failures by name, then "toml: N passed, M failed"; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
CORPORA=${WEFT_CORPORA:-../shared/corpora}
SUITE="$CORPORA/toml-test"
LIST="$SUITE/files-toml-1.0.0"
if [ ! -f "$LIST" ]; then
  echo "toml: SKIPPED — corpus not found at $SUITE"
  exit 1
fi
if [ ! -f "$BUILD/libweft.a" ]; then
  echo "toml: $BUILD/libweft.a not built"
  echo "toml: 0 passed, 1 failed"
  exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-toml-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

DEC="$BUILD/toml-decoder"
build_decoder() {
  ${CC:-cc} ${WEFT_SANITIZE:-} -std=c17 -O2 -Wall -Wextra -Werror -Isrc -o "$DEC" tests/toml/decoder.c "$BUILD/libweft.a" -lm "$@"
}
# A sanitizer build's archive needs the sanitizer runtimes at link time.
if ! build_decoder 2>"$TMP/cc.err" && ! build_decoder -fsanitize=address,undefined 2>>"$TMP/cc.err"; then
  cat "$TMP/cc.err"
  echo "toml: decoder did not build"
  echo "toml: 0 passed, 1 failed"
  exit 1
fi

# Sanitizer reports must not look like the decoder's "invalid input" exit 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=87"

PASS=0; FAIL=0
: > "$TMP/pairs"
n=0
while IFS= read -r f; do
  case "$f" in
    *.toml) ;;
    *) continue ;;
  esac
  name=${f%.toml}
  n=$((n + 1))
  out="$TMP/out.$n.json"
  timeout 20 "$DEC" < "$SUITE/$f" > "$out" 2> "$TMP/err"
  rc=$?
  case "$f" in
    valid/*)
      if [ "$rc" != 0 ]; then
        echo "FAIL: $name: rejected (exit $rc): $(head -c 300 "$TMP/err")"
        FAIL=$((FAIL + 1))
      else
        printf '%s\t%s\t%s\n' "$name" "$SUITE/$name.json" "$out" >> "$TMP/pairs"
      fi
      ;;
    invalid/*)
      if [ "$rc" = 0 ]; then
        echo "FAIL: $name: accepted invalid input"
        FAIL=$((FAIL + 1))
      elif [ "$rc" != 1 ] || ! grep -q '^<stdin>:[0-9]*:[0-9]*: ' <<<"$(head -n 1 "$TMP/err")"; then
        echo "FAIL: $name: decoder crashed or failed (exit $rc): $(head -c 300 "$TMP/err")"
        FAIL=$((FAIL + 1))
      else
        PASS=$((PASS + 1))
      fi
      ;;
  esac
done < "$LIST"

npairs=$(wc -l < "$TMP/pairs")
if command -v node >/dev/null 2>&1; then
  node tests/toml/compare.mjs "$TMP/pairs" > "$TMP/cmp.out" 2>&1
  crc=$?
  cat "$TMP/cmp.out"
  nbad=$(grep -c '^FAIL: ' "$TMP/cmp.out")
  if [ "$nbad" = 0 ] && { [ "$crc" != 0 ] || [ -s "$TMP/cmp.out" ]; }; then
    echo "toml: compare.mjs failed (exit $crc): counting every valid file as failed"
    nbad=$npairs
  fi
  PASS=$((PASS + npairs - nbad)); FAIL=$((FAIL + nbad))
else
  echo "toml: node not found: valid files checked for acceptance only, output not compared"
  PASS=$((PASS + npairs))
fi

echo "toml: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
