#!/usr/bin/env bash
# Writes WASI 0.2's WIT as a deps/ tree into DEST (DEST/http/http.wit, ...)
# for `jco embed --wit`, unless it is already there and newer than the spec
# files; wasi:cli's unstable timezone import is left out (jco's WIT parser
# does not know the feature). Used by the build scripts of the C test guests.
#   tests/guest/wasi-wit.sh DEST
# Needs the WIT in $WEFT_CORPORA/../specs/wasi-0.2. Prints why and exits 1.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
DEST=$1
SPECS="${WEFT_CORPORA:-../shared/corpora}/../specs/wasi-0.2"
[ -f "$SPECS/http.wit" ] || { echo "no WASI WIT at $SPECS"; exit 1; }
[ -f "$DEST/http/http.wit" ] && [ "$DEST/http/http.wit" -nt "$SPECS/http.wit" ] && exit 0
rm -rf "$DEST"
for p in cli clocks filesystem http io random sockets; do
  mkdir -p "$DEST/$p"
  if [ $p = cli ]; then sed '/timezone/d' "$SPECS/$p.wit" >"$DEST/$p/$p.wit"
  else cp "$SPECS/$p.wit" "$DEST/$p/$p.wit"; fi
done
