# Sourced by the test scripts that run libweft.so inside an interpreter
# (Python, Ruby). Under `make asan` (WEFT_SANITIZE set) the sanitizer
# runtimes must be loaded first, since the interpreter itself is not
# instrumented; the interpreter's own allocations are not ours to
# leak-check. Sets SAN_ENV, a command prefix ("${SAN_ENV[@]}" CMD...).
SAN_ENV=()
if [ -n "${WEFT_SANITIZE:-}" ]; then
  SAN_ENV=(env "LD_PRELOAD=$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
           "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
fi
