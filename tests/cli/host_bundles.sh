#!/usr/bin/env bash
# Host bundles end to end (docs/host-bundles.md):
#   tests/cli/host_bundles.sh BUILD_DIR
# Builds the every-type bundle (tests/host/all: header from `weft bindgen
# --host`, library with cc) and the guests (tests/host/*.c: clang
# --target=wasm32-wasi, jco embed + jco new) into BUILD_DIR/host-test, then
# checks: the round trip of every WIT type, the bundle as a .tar.gz and via a
# manifest, provider selection, a trap requested by the library, the
# embedding driver (trap then carry on; call-bridge timings), the tooling
# (wit, bindgen, bundle new/check/pack), and one clear error for each bad
# bundle or manifest with nothing run. Prints "host-bundles: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
W="$BUILD/weft"
mkdir -p "$BUILD/host-test"
OUT="$(cd "$BUILD/host-test" && pwd)"   # absolute: manifests and symlinks name it
JCO=node_modules/.bin/jco
CC=${CC:-cc}
passed=0; failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "host-bundles: FAIL: $1"; failed=$((failed + 1)); }
finish() { echo "host-bundles: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

# expect_err NAME SUBSTRING CMD...: exits 1, prints SUBSTRING on stderr, nothing on stdout.
expect_err() {
  local name=$1 want=$2; shift 2
  local o e rc
  o=$("$@" 2>"$OUT/stderr"); rc=$?
  e=$(cat "$OUT/stderr")
  if [ "$rc" != 1 ]; then bad "$name: exit status $rc, expected 1 (stderr: $e)"; return; fi
  if [ -n "$o" ]; then bad "$name: the guest ran: stdout '$o'"; return; fi
  if [ "$(echo "$e" | grep -c .)" != 1 ]; then bad "$name: expected one error line, got: $e"; return; fi
  case "$e" in *"$want"*) ok ;; *) bad "$name: expected '$want' in: $e" ;; esac
}
# expect_out NAME EXPECTED CMD...: exit 0 and stdout exactly EXPECTED.
expect_out() {
  local name=$1 want=$2; shift 2
  local o rc
  o=$("$@" 2>"$OUT/stderr"); rc=$?
  if [ "$rc" = 0 ] && [ "$o" = "$want" ]; then ok; else
    bad "$name: exit $rc, expected '$want', got '$o' $(cat "$OUT/stderr")"; fi
}

rm -rf "$OUT"; mkdir -p "$OUT/tmp"
export TMPDIR="$OUT/tmp"   # extracted bundles go here: checked to be cleaned up
if [ ! -x "$W" ]; then bad "$W not built"; finish; fi
for tool in clang "$JCO" python3; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
    bad "$tool not found (scripts/setup.sh installs it; npm ci for jco): cannot build the guests"; finish
  fi
done

# ---- the every-type bundle ----
B="$OUT/all"
mkdir -p "$B/lib" "$B/src"
cp -r tests/host/all/host.toml tests/host/all/wit "$B/"
cp tests/host/all/src/all.c "$B/src/"
if "$W" bindgen --host "$B" -o "$B/src/bindings.h"; then ok; else bad "bindgen --host failed"; finish; fi
LIBFLAGS=(-std=c17 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -Iinclude -I"$B/src")
if $CC "${LIBFLAGS[@]}" -o "$B/lib/liball.so" "$B/src/all.c"; then ok; else bad "building liball.so failed"; finish; fi
# the generated header also compiles as C++ with its layout assertions
if command -v g++ >/dev/null 2>&1; then
  if printf '#include "bindings.h"\nint main(){return 0;}\n' | g++ -std=c++17 -Wall -Werror -Iinclude -I"$B/src" -x c++ - -o "$OUT/cxx" ; then ok; else bad "bindings.h does not compile as C++"; fi
else
  echo "host-bundles: g++ not found: the C++ check of bindings.h is skipped"
fi

# ---- the guests ----
GW="$OUT/guest-wit"; mkdir -p "$GW/deps/all"
cp tests/host/guest.wit "$GW/"; cp tests/host/all/wit/types.wit "$GW/deps/all/"
build_guest() { # NAME WITDIR
  clang --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Wall -Wextra -Werror \
      -o "$OUT/$1.core.wasm" "tests/host/$1.c" &&
    "$JCO" embed --wit "$2" -o "$OUT/$1.embed.wasm" "$OUT/$1.core.wasm" >/dev/null &&
    "$JCO" new "$OUT/$1.embed.wasm" -o "$OUT/$1.wasm" >/dev/null
}
if build_guest guest "$GW" && build_guest select tests/host/select.wit; then ok; else bad "building the guests failed"; finish; fi
G="$OUT/guest.wasm"

# ---- round trips ----
expect_out "bundle check" "$B: ok: host 'all', 32 functions, 1 resources" "$W" bundle check "$B"
expect_out "every type round-trips (directory bundle)" '"ok 41 checks"' "$W" run --host-bundle "$B" "$G" --invoke 'run()'
expect_out "string round trip, non-ASCII" '18' "$W" run --host-bundle "$B" "$G" --invoke 'bench-echo(3, "héllo")'
if "$W" bundle pack "$B" -o "$OUT/all.tar.gz" >/dev/null && listing=$(tar tzf "$OUT/all.tar.gz") &&
   grep -qx 'all/lib/liball.so' <<<"$listing"; then ok; else bad "bundle pack"; fi
expect_out "every type round-trips (.tar.gz bundle)" '"ok 41 checks"' "$W" run --host-bundle "$OUT/all.tar.gz" "$G" --invoke 'run()'
expect_out "bundle check of the tarball" "$OUT/all.tar.gz: ok: host 'all', 32 functions, 1 resources" "$W" bundle check "$OUT/all.tar.gz"
if [ -z "$(ls -d "$TMPDIR"/weft-bundle-* 2>/dev/null)" ]; then ok; else bad "extracted bundles left behind: $(ls -d "$TMPDIR"/weft-bundle-*)"; fi

mkdir -p "$OUT/m/hosts" "$OUT/m/conf"
cp -r "$B" "$OUT/m/hosts/all_host"; cp "$OUT/all.tar.gz" "$OUT/m/hosts/packed.tar.gz"
cat > "$OUT/m/conf/hosts.toml" <<'EOF'
[global]
search_paths = ["../hosts"]

[[host]]
name = "first"
bundle = "all_host"

[[host]]
name = "second"
bundle = "packed"
config = { greeting = "hi" }
EOF
expect_out "manifest: a plain-name import selects its host (own config, own state)" \
  '"hi/second:1,2,3.00,d,(4,5,p),0"' "$W" run --host-config "$OUT/m/conf/hosts.toml" "$OUT/select.wasm" --invoke 'run()'
expect_err "manifest: an import two hosts export" "exported by two hosts, 'first' and 'second'" \
  "$W" run --host-config "$OUT/m/conf/hosts.toml" "$G" --invoke 'run()'
cat > "$OUT/m/one.toml" <<EOF
[[host]]
name = "all"
wit = "hosts/all_host/wit"
lib = "hosts/all_host/lib/liball.so"
config = { greeting = "hello" }
EOF
expect_out "manifest: explicit wit + lib, combined with --host-bundle" '"ok 41 checks"' \
  "$W" run --host-config "$OUT/m/one.toml" "$G" --invoke 'run()'
sed 's/^name = "all"/name = "solo"/' "$OUT/m/one.toml" > "$OUT/m/solo.toml"
expect_err "manifest + --host-bundle: same interface twice" "exported by two hosts, 'solo' and 'all'" \
  "$W" run --host-config "$OUT/m/solo.toml" --host-bundle "$B" "$G" --invoke 'run()'

# ~ in search paths, the seed's `weft component run` spelling
printf '[global]\nsearch_paths = ["~/hosts"]\n[[host]]\nname = "all"\nbundle = "all_host"\n' > "$OUT/m/home.toml"
expect_out "manifest: ~ expands to \$HOME; weft component run" '"ok 41 checks"' \
  env HOME="$OUT/m" "$W" component run --host-config "$OUT/m/home.toml" "$G" --invoke 'run()'
# semver: a bundle exporting 0.1.5 serves an import of 0.1.0; 0.2.0 does not
for v in 0.1.5 0.2.0; do
  rm -rf "$OUT/v$v"; cp -r "$B" "$OUT/v$v"; sed -i "s/^package test:all@0.1.0;/package test:all@$v;/" "$OUT/v$v/wit/types.wit"
done
expect_out "semver-compatible interface version" '"ok 41 checks"' "$W" run --host-bundle "$OUT/v0.1.5" "$G" --invoke 'run()'
expect_err "incompatible interface version is not served" "test:all/types@0.1.0" \
  "$W" run --host-bundle "$OUT/v0.2.0" "$G" --invoke 'run()'

# a trap requested by the library
o=$("$W" run --host-bundle "$B" "$G" --invoke 'trap-test()' 2>"$OUT/stderr"); rc=$?
if [ "$rc" = 1 ] && [ -z "$o" ] && grep -q 'trap: host all: fail: boom' "$OUT/stderr"; then ok; else
  bad "trap-test: exit $rc, stdout '$o', stderr $(cat "$OUT/stderr")"; fi

# the embedding driver: trap then carry on, and the call-bridge timings
if $CC ${WEFT_SANITIZE:-} -std=c17 -O2 -Wall -Wextra -Werror -Iinclude -o "$OUT/driver" tests/host/driver.c \
     -L"$BUILD" -lweft -Wl,-rpath,"$(cd "$BUILD" && pwd)"; then
  d=$("$OUT/driver" "$B" "$G" 2>&1); rc=$?
  echo "$d" | grep '^bench:' | sed 's/^/host-bundles: /'
  if [ "$rc" = 0 ] && grep -q '^run: ok 41 checks$' <<<"$d" && grep -q '^trap-test: trapped: host all: fail: boom$' <<<"$d" &&
     grep -q '^after the trap: ok 41 checks$' <<<"$d"; then ok; else bad "driver: $d"; fi
else
  bad "building the driver failed"
fi

# ---- tooling ----
wt=$("$W" wit "$G")
if grep -q 'merge: static func(a: borrow<counter>, b: borrow<counter>) -> counter;' <<< "$wt"; then ok; else bad "weft wit COMPONENT"; fi
wt=$("$W" wit tests/host/all/wit)
if grep -q '^package test:all@0.1.0;' <<< "$wt"; then ok; else bad "weft wit DIR"; fi
if "$W" wit tests/host/guest.wit >/dev/null 2>&1; then bad "weft wit of a file with unresolved deps succeeded"; else ok; fi
# weft wit of real components prints WIT that weft reads back
FIX="${WEFT_CORPORA:-../shared/corpora}/jco-runtime-fixtures"
if [ -d "$FIX" ]; then
  nf=0; nbad=0
  for f in "$FIX"/*.wasm; do
    nf=$((nf + 1))
    if ! "$W" wit "$f" > "$OUT/fx.wit" 2>"$OUT/stderr" || ! "$W" wit "$OUT/fx.wit" >/dev/null 2>>"$OUT/stderr"; then
      nbad=$((nbad + 1)); echo "host-bundles: weft wit $f: $(head -c 300 "$OUT/stderr")"
    fi
  done
  if [ "$nbad" = 0 ] && [ "$nf" -gt 0 ]; then ok; else bad "weft wit: $nbad of $nf fixture components"; fi
else
  echo "host-bundles: $FIX not found: the weft wit fixture check is skipped"
fi
mkdir -p "$OUT/new"
if (cd "$OUT/new" && "$(cd "$OLDPWD" && cd "$(dirname "$W")" && pwd)/weft" bundle new my-host --wit "$OLDPWD/tests/host/all/wit" >/dev/null) &&
   make -s -C "$OUT/new/my-host" CFLAGS="-O0 -Werror" WEFT_INCLUDE="$PWD/include" >/dev/null 2>&1; then
  expect_out "bundle new: the skeleton builds and loads" "$OUT/new/my-host: ok: host 'my-host', 32 functions, 1 resources" "$W" bundle check "$OUT/new/my-host"
  o=$("$W" run --host-bundle "$OUT/new/my-host" "$G" --invoke 'run()' 2>"$OUT/stderr"); rc=$?
  if [ "$rc" = 1 ] && [ -z "$o" ] && grep -q '^weft: trap: host my-host: rt-bool is not implemented$' "$OUT/stderr"; then ok; else
    bad "bundle new: the skeleton should trap until implemented: exit $rc, $(cat "$OUT/stderr")"; fi
else
  bad "bundle new + make failed"
fi

# ---- bad bundles: one clear error each, nothing runs ----
mk() { # NAME: a fresh copy of the good bundle
  rm -rf "$OUT/bad/$1"; mkdir -p "$OUT/bad"; cp -r "$B" "$OUT/bad/$1"; echo "$OUT/bad/$1"
}
d=$(mk toml); printf '[host]\nname = "all\nlib = "lib/liball.so"\n' > "$d/host.toml"
expect_err "TOML syntax error (line:col)" "host.toml:2:" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk wit); printf 'package test:all@0.1.0;\ninterface types {\n  f: func(x: nosuch);\n}\nworld host { export types; }\n' > "$d/wit/types.wit"
expect_err "WIT error (file:line:col)" "types.wit:3:" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk nolib); rm "$d/lib/liball.so"
expect_err "missing library" "lib 'lib/liball.so' not found in the bundle" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk dlopen); echo "not an ELF file" > "$d/lib/liball.so"
expect_err "dlopen failure" "cannot load library" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk symbols); $CC "${LIBFLAGS[@]}" -DWEFT_TEST_OMIT -o "$d/lib/liball.so" "$B/src/all.c"
expect_err "missing symbols, all listed" \
  "missing 4 symbols: test_all_types_live_counters, test_all_types_noop, test_all_types_echo, test_all_types_counter_drop" \
  "$W" run --host-bundle "$d" "$G" --invoke 'run()'
expect_err "bundle check lists missing symbols" "missing 4 symbols" "$W" bundle check "$d"
d=$(mk abi); $CC "${LIBFLAGS[@]}" -DWEFT_TEST_ABI=2 -o "$d/lib/liball.so" "$B/src/all.c"
expect_err "ABI version mismatch" "has ABI version 2; this weft supports version 1" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk escape); sed -i 's|^lib = .*|lib = "../all/lib/liball.so"|' "$d/host.toml"
expect_err "a path that escapes the bundle (..)" "escapes the bundle ('..' is refused)" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk absolute); sed -i "s|^lib = .*|lib = \"$B/lib/liball.so\"|" "$d/host.toml"
expect_err "an absolute path" "escapes the bundle (absolute paths are refused)" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk symlink); rm "$d/lib/liball.so"; ln -s "$B/lib/liball.so" "$d/lib/liball.so"
expect_err "a symlink that leaves the bundle" "escapes the bundle (a symlink leads to" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
python3 - "$OUT/bad/evil.tar.gz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    for name, data in (("all/host.toml", b"[host]\n"), ("all/../../evil.txt", b"gotcha")):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
EOF
expect_err "a tarball entry that escapes" "entry 'all/../../evil.txt' escapes the bundle" \
  "$W" run --host-bundle "$OUT/bad/evil.tar.gz" "$G" --invoke 'run()'
if [ ! -e "$OUT/evil.txt" ] && [ ! -e "$OUT/bad/evil.txt" ] && [ ! -e "$TMPDIR/evil.txt" ] && [ -z "$(ls "$TMPDIR")" ]; then ok; else bad "evil.txt was written or the extraction left files: $(ls -R "$TMPDIR")"; fi
python3 - "$OUT/bad/link.tar.gz" <<'EOF'
import sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    i = tarfile.TarInfo("all/lib"); i.type = tarfile.SYMTYPE; i.linkname = "../../.."; t.addfile(i)
EOF
expect_err "a tarball symlink that escapes" "symlink 'all/lib' -> '../../..' escapes the bundle" \
  "$W" bundle check "$OUT/bad/link.tar.gz"
expect_err "duplicate host names" "duplicate host name 'all'" "$W" run --host-bundle "$B" --host-bundle "$OUT/all.tar.gz" "$G" --invoke 'run()'
d=$(mk mismatch); sed -i 's/rt-s32: func(x: s32) -> s32;/rt-s32: func(x: u32) -> s32;/' "$d/wit/types.wit"
expect_err "bundle WIT does not match the import" \
  "function 'rt-s32' does not match host 'all': the component imports (func (param \"x\" s32) (result s32)), the bundle's WIT says func(x: u32) -> s32" \
  "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk missingfn); sed -i '/  noop: func();/d' "$d/wit/types.wit"
expect_err "the component imports a function the bundle lacks" "imports function 'noop', which host 'all'" \
  "$W" run --host-bundle "$d" "$G" --invoke 'run()'
d=$(mk init); printf '\n[host.config]\nfail-init = "no database"\n' >> "$d/host.toml"; sed -i '/^\[host.config\]$/{n;/^greeting/d}' "$d/host.toml"
sed -i '0,/^\[host.config\]$/{/^\[host.config\]$/d}' "$d/host.toml"
expect_err "weft_host_init failure" "weft_host_init failed: no database" "$W" run --host-bundle "$d" "$G" --invoke 'run()'
printf '[[host]]\nname = "x"\nbundle = \n' > "$OUT/bad/syntax.toml"
expect_err "manifest TOML error (line:col)" "syntax.toml:3:" "$W" run --host-config "$OUT/bad/syntax.toml" "$G" --invoke 'run()'
printf '[global]\nsearch_paths = ["nowhere"]\n[[host]]\nname = "x"\nbundle = "gone"\n' > "$OUT/bad/gone.toml"
expect_err "manifest: bundle not in the search paths" "bundle 'gone' of host 'x' not found in search paths" \
  "$W" run --host-config "$OUT/bad/gone.toml" "$G" --invoke 'run()'
printf '[[host]]\nname = "x"\nbundle = "a"\nlib = "b"\n' > "$OUT/bad/both.toml"
expect_err "manifest: bundle and explicit form at once" "gives both" "$W" run --host-config "$OUT/bad/both.toml" "$G" --invoke 'run()'
printf '[[host]]\nname = "one"\nbundle = "%s"\n[[host]]\nname = "one"\nbundle = "%s"\n' "$B" "$B" > "$OUT/bad/dup.toml"
expect_err "manifest: duplicate host names" "duplicate host name 'one'" "$W" run --host-config "$OUT/bad/dup.toml" "$G" --invoke 'run()'
finish
