#!/usr/bin/env bash
# WIT parser/resolver against wasm-tools' wit-parser ui corpus and the WASI
# 0.2 packages. Builds tests/wit/check.c against BUILD/libweft.a.
#   tests/cli/wit.sh BUILD_DIR
# Prints "wit: N passed, M failed"; exit status 1 if anything failed or the
# corpus is missing.
set -u
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
CORPORA=${WEFT_CORPORA:-../shared/corpora}
UI="$CORPORA/wit-parser-ui"
WASI="$CORPORA/../specs/wasi-0.2"

if [ ! -d "$UI" ]; then
  echo "wit: corpus $UI not found: skipped"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
if [ ! -f "$BUILD/libweft.a" ]; then
  echo "wit: $BUILD/libweft.a not built"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
if ! ${CC:-cc} ${WEFT_SANITIZE:-} -std=c17 -O2 -Wall -Wextra -Werror -Isrc -o "$BUILD/wit-check" tests/wit/check.c \
     "$BUILD/libweft.a" -lm -lpthread; then
  echo "wit: building wit-check failed"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
# Cases holding WIT packages in wasm text format (X.wat, deps/*.wat): copy them
# into $BUILD/wit-wasm and convert each .wat to a binary component with jco
# (wasm-tools), a real toolchain, as wast2json is for the spec suite; weft
# itself reads only the binary form.
WASMDIR="$BUILD/wit-wasm"
JCO=node_modules/.bin/jco
WOPT=()
if [ -x "$JCO" ]; then
  rm -rf "$WASMDIR"
  mkdir -p "$WASMDIR"
  conv_ok=1
  for f in "$UI"/*.wat; do
    [ -f "$f" ] || continue
    b=$(basename "$f" .wat)
    "$JCO" parse "$f" -o "$WASMDIR/$b.wasm" >/dev/null 2>&1 || { echo "wit: jco parse $f failed"; conv_ok=0; }
  done
  for d in "$UI"/*/deps; do
    grep -qE '\.(wat|wasm)$' <<<"$(ls "$d")" || continue
    c=$(basename "$(dirname "$d")")
    cp -r "$UI/$c" "$WASMDIR/$c"
    for f in "$WASMDIR/$c"/deps/*.wat; do
      [ -f "$f" ] || continue
      "$JCO" parse "$f" -o "${f%.wat}.wasm" >/dev/null 2>&1 || { echo "wit: jco parse $f failed"; conv_ok=0; }
      rm -f "$f"
    done
  done
  # beyond the corpus: an interface with types and functions, a world and a
  # resource (refused with a clear error), a core module (refused)
  mkdir -p "$WASMDIR/extra"
  cat > "$WASMDIR/extra/rich.wat" <<'EOF'
(component
  (type $t (component
    (type $i (instance
      (type $r (record (field "a" u32) (field "b" string)))
      (export $p "point" (type (eq $r)))
      (type $e (enum "x" "y"))
      (export $d "dir" (type (eq $e)))
      (type $v (variant (case "none") (case "some" $p)))
      (export $m "maybe" (type (eq $v)))
      (export "alias" (type (eq $p)))
      (type $f (func (param "p" $p) (param "d" $d) (result (list $m))))
      (export "get" (func (type $f)))
      (type $g (func (param "n" (option u8)) (result (result string (error $d)))))
      (export "put" (func (type $g)))
    ))
    (export "t:rich/api@1.0.0" (instance (type $i)))
  ))
  (export "api" (type $t))
)
EOF
  cat > "$WASMDIR/extra/world.wat" <<'EOF'
(component
  (type $w (component
    (type $c (component (import "t:w/i" (instance))))
    (export "t:w/w" (component (type $c)))
  ))
  (export "w" (type $w))
)
EOF
  cat > "$WASMDIR/extra/res.wat" <<'EOF'
(component
  (type $t (component
    (type $i (instance (export "file" (type (sub resource)))))
    (export "t:r/fs" (instance (type $i)))
  ))
  (export "fs" (type $t))
)
EOF
  for f in rich world res; do
    "$JCO" parse "$WASMDIR/extra/$f.wat" -o "$WASMDIR/extra/$f.wasm" >/dev/null 2>&1 ||
      { echo "wit: jco parse extra/$f.wat failed"; conv_ok=0; }
  done
  printf '\0asm\1\0\0\0' > "$WASMDIR/extra/notwit.wasm"
  [ $conv_ok = 1 ] && WOPT=(-w "$WASMDIR")
else
  echo "wit: $JCO not found: cases with WIT in wasm text format skipped"
fi
if [ -d "$WASI" ]; then
  "$BUILD/wit-check" "${WOPT[@]}" "$UI" "$WASI"
else
  echo "wit: $WASI not found: WASI packages skipped"
  "$BUILD/wit-check" "${WOPT[@]}" "$UI"
  echo "wit: 0 passed, 1 failed"
  exit 1
fi
