#!/usr/bin/env bash
# The jco runtime fixtures (real wit-bindgen components, see
# docs/jco-fixtures.md): builds the test host tests/jco/*.c against
# BUILD/libweft.so (an outside embedder: include/weft.h, -lweft) and runs it
# over $WEFT_CORPORA/jco-runtime-fixtures. One line per fixture ("ok NAME",
# "FAIL NAME: reason", "skipped: NAME (reason)"), then
# "jco-fixtures: N passed, M failed".
#   tests/cli/jco_fixtures.sh BUILD_DIR [FIXTURE...]
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}; shift || true
CORPORA=${WEFT_CORPORA:-../shared/corpora}
DIR="$CORPORA/jco-runtime-fixtures"
out="$BUILD/jco-fixtures"; mkdir -p "$out"

if [ ! -d "$DIR" ]; then
  echo "skipped: all fixtures (corpus $DIR not found)"
  echo "jco-fixtures: 0 passed, 1 failed"
  exit 1
fi
if ! ${CC:-cc} ${WEFT_SANITIZE:-} -std=c17 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Iinclude \
       -o "$out/jco-host" tests/jco/*.c -L"$BUILD" -lweft -lm -Wl,-rpath,"$(cd "$BUILD" && pwd)"; then
  echo "jco-fixtures: building the test host failed"
  echo "jco-fixtures: 0 passed, 1 failed"
  exit 1
fi

# fixtures in the corpus this host has no checks for
known=$("$out/jco-host" --list)
extra=0
for f in "$DIR"/*.wasm; do
  n=$(basename "$f"); n=${n%.wasm}; n=${n%.component}
  if ! grep -qx -- "$n" <<<"$known"; then
    echo "skipped: $n (no checks for it in tests/jco)"; extra=$((extra + 1))
  fi
done

"$out/jco-host" "$DIR" "$@" > "$out/result.txt" 2>&1
rc=$?
cat "$out/result.txt"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/result.txt" | tail -n 1)
if [ -z "$line" ]; then
  echo "jco-fixtures: the host produced no summary (exit $rc)"
  echo "jco-fixtures: 0 passed, 1 failed"
  exit 1
fi
p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
echo "jco-fixtures: $p passed, $f failed"
[ "$f" = 0 ] && [ "$rc" = 0 ]
