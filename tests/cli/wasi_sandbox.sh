#!/usr/bin/env bash
# Path-escape suite: a guest (tests/wasi/escape.c) tries to reach outside its
# preopened directory with `..`, absolute paths and symlinks (absolute,
# relative, chained, to a directory above) through every path operation;
# each attempt must be denied, nothing outside (nor in the directory) may
# change, and the sanity cases inside the directory must work.
#   tests/cli/wasi_sandbox.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WEFT="$BUILD/weft"
JCO=node_modules/.bin/jco
OUT="$BUILD/wasi-sandbox"
PASS=0; FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
command -v clang >/dev/null || { echo "cannot build the guest: clang is missing"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$OUT"
if ! clang --target=wasm32-wasi -O2 -o "$OUT/escape.core.wasm" tests/wasi/escape.c 2>"$OUT/build.log" ||
   ! $JCO new "$OUT/escape.core.wasm" --wasi-command -o "$OUT/escape.wasm" >>"$OUT/build.log" 2>&1; then
  cat "$OUT/build.log"; echo "0 passed, 1 failed"; exit 1
fi

SB="$OUT/tree"
rm -rf "$SB"
mkdir -p "$SB/box/a" "$SB/outdir"
echo secret > "$SB/secret.txt"
echo f > "$SB/box/f.txt"
: > "$SB/box/a/g.txt"
ln -s a/g.txt "$SB/box/in"
ln -s ../secret.txt "$SB/box/up"
ln -s /etc/passwd "$SB/box/abs"
ln -s /etc "$SB/box/absdir"
ln -s ../../secret.txt "$SB/box/a/upup"
ln -s chain2 "$SB/box/chain1"
ln -s ../secret.txt "$SB/box/chain2"
ln -s .. "$SB/box/dirup"
ln -s secret.txt "$SB/somelink"
before_out=$(cd "$SB" && ls -la --time-style=+%s secret.txt outdir somelink | md5sum)
before_box=$(cd "$SB/box" && ls -lR | md5sum)

out=$("$WEFT" run --dir "$SB/box::/" "$OUT/escape.wasm" 2>"$OUT/stderr.txt"); rc=$?
[ $rc = 0 ] && ok || bad "escape guest exit status $rc: $(head -c 300 "$OUT/stderr.txt")"
while IFS= read -r line; do
  case "$line" in
    denied*) ok ;;
    ESCAPED*|REFUSED*) bad "$line" ;;
  esac
done <<<"$out"
tried=$(grep -c '^denied\|^ESCAPED' <<<"$out")
allowed=$(grep -c '^allowed' <<<"$out")
[ "$tried" -ge 60 ] && grep -qx "escapes tried: $tried, sanity cases allowed: 5" <<<"$out" && ok \
  || bad "expected >= 60 attempts and 5 sanity cases, got $tried and $allowed"
[ "$allowed" = 5 ] && ok || bad "sanity cases allowed: $allowed of 5"
after_out=$(cd "$SB" && ls -la --time-style=+%s secret.txt outdir somelink | md5sum)
[ "$before_out" = "$after_out" ] && [ "$(cat "$SB/secret.txt")" = secret ] && ok || bad "something outside the box changed"
[ "$(ls "$SB" | tr '\n' ' ')" = "box outdir secret.txt somelink " ] && ok || bad "files appeared outside: $(ls "$SB" | tr '\n' ' ')"
after_box=$(cd "$SB/box" && ls -lR | md5sum)
[ "$before_box" = "$after_box" ] && ok || bad "the box changed (a rename/link/symlink went through)"

echo "$PASS passed, $FAIL failed"
[ $FAIL = 0 ]
