#!/usr/bin/env bash
# Builds the `weft run --link` test components (tests/link/guest.c, one per
# -DGUEST_*, and the wasi:http handler tests/link/http_app.c) into OUT, rebuilding only what is older than its sources:
#   tests/link/build.sh OUT
# Each is clang --target=wasm32 (freestanding), then jco embed against its
# world (calc.wit or calc2.wit plus a world line) and jco new. Needs clang,
# node_modules/.bin/jco and the WASI 0.2 WIT in $WEFT_CORPORA/../specs/wasi-0.2.
# Prints why and exits 1 on failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=$1
SRC=tests/link
JCO=node_modules/.bin/jco
command -v clang >/dev/null || { echo "clang is missing (scripts/setup.sh)"; exit 1; }
[ -x "$JCO" ] || { echo "$JCO is missing (scripts/setup.sh installs it)"; exit 1; }
mkdir -p "$OUT"
tests/guest/wasi-wit.sh "$OUT/deps" || exit 1
# guest  WIT-file  world-body  [source] (one world per directory: jco 1.11's embed
# does not pass on --world-name)
build() {
  local g=$1 wit=$2 body=$3 src=${4:-guest.c}
  local dir="$OUT/wit-$g"
  if [ -s "$OUT/$g.wasm" ] && [ "$OUT/$g.wasm" -nt "$SRC/$src" ] && [ "$OUT/$g.wasm" -nt "$SRC/$wit" ] &&
     [ "$OUT/$g.wasm" -nt tests/guest/http_guest.h ]; then
    return 0
  fi
  mkdir -p "$dir"
  ln -sfn ../deps "$dir/deps"
  { cat "$SRC/$wit"; printf '\nworld %s-world {\n%s\n}\n' "$g" "$body"; } >"$dir/world.wit"
  local G
  G=$(tr a-z- A-Z_ <<<"$g")
  local msg
  msg=$(tests/guest/c-component.sh "$SRC/$src" "$dir" "$OUT/$g.wasm" -DGUEST_$G) ||
    { echo "building $g: $msg"; exit 1; }
}
build calc calc.wit '  export ops;'
build calc2 calc2.wit '  export ops;'
build report calc.wit '  import ops;
  export report;'
CMD='  import wasi:cli/stdout@0.2.12;
  export wasi:cli/run@0.2.12;
  export total: func(a: s32, b: s32) -> s32;
  import ops;'
build app calc.wit "$CMD"
build app-chain calc.wit "$CMD
  import report;"
build random4 calc.wit '  export wasi:random/random@0.2.12;'
build app-random calc.wit '  import wasi:cli/stdout@0.2.12;
  import wasi:random/random@0.2.12;
  export wasi:cli/run@0.2.12;'
build http-app calc.wit '  include wasi:http/proxy@0.2.12;
  import ops;' http_app.c
exit 0
