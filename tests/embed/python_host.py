"""A Python host of a component through libweft.so with ctypes only: no
generated bindings. Loads bench/component/calls.wat's component, defines its
import `host-noop` as a Python function, calls its exports with values and
reads a trap back as an error. Prints "N passed, M failed".

usage: python3 python_host.py LIBWEFT.so COMPONENT.wasm
"""
import ctypes as C
import sys

lib = C.CDLL(sys.argv[1])
path = sys.argv[2].encode()

WEFT_VAL_U32, WEFT_VAL_STRING = 6, 12


class Str(C.Structure):
    _fields_ = [("ptr", C.c_void_p), ("len", C.c_size_t)]


class Of(C.Union):
    _fields_ = [("b", C.c_int), ("s", C.c_int64), ("u", C.c_uint64), ("str", Str),
                ("pad", C.c_uint8 * 16)]


class Val(C.Structure):
    _fields_ = [("kind", C.c_int), ("of", Of)]


class Err(C.Structure):
    _fields_ = [("status", C.c_int), ("trap", C.c_int), ("offset", C.c_int64),
                ("message", C.c_char * 512), ("backtrace", C.c_char * 2048)]


HOSTFN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_void_p, C.POINTER(Val), C.c_size_t,
                     C.POINTER(Val), C.c_size_t)
P = C.c_void_p
lib.weft_val_size.restype = C.c_size_t
lib.weft_error_size.restype = C.c_size_t
lib.weft_engine_new.restype = P
lib.weft_linker_new.restype = P
lib.weft_linker_new.argtypes = [P]
lib.weft_component_from_file.argtypes = [P, C.c_char_p, C.POINTER(P), C.POINTER(Err)]
lib.weft_linker_define_func.argtypes = [P, C.c_char_p, C.c_char_p, HOSTFN, P, C.POINTER(Err)]
lib.weft_linker_instantiate.argtypes = [P, P, P, C.POINTER(P), C.POINTER(Err)]
lib.weft_cinstance_func.restype = P
lib.weft_cinstance_func.argtypes = [P, C.c_char_p, C.c_char_p]
lib.weft_cfunc_call.argtypes = [P, C.POINTER(Val), C.c_size_t, C.POINTER(Val), C.c_size_t, P,
                                C.POINTER(Err)]
lib.weft_arena_new.restype = P
lib.weft_cinstance_interrupt.argtypes = [P]
for f in ("weft_arena_free", "weft_cinstance_free", "weft_linker_free", "weft_component_free",
          "weft_engine_free"):
    getattr(lib, f).argtypes = [P]

passed = failed = 0


def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("python-host: FAIL:", what)


calls = [0]


@HOSTFN
def host_noop(call, env, args, nargs, results, nresults):
    calls[0] += 1
    return 0


sizes = (C.sizeof(Val), lib.weft_val_size(), C.sizeof(Err), lib.weft_error_size())
check("weft_val_t and weft_error_t laid out as the library's (%d=%d, %d=%d bytes)" % sizes,
      sizes[0] == sizes[1] and sizes[2] == sizes[3])
if failed:
    print("python-host: %d passed, %d failed" % (passed, failed))
    sys.exit(1)   # the structs below would not match the library's: stop before they crash

err = Err()
eng = lib.weft_engine_new()
comp = P()
check("component loads", lib.weft_component_from_file(eng, path, C.byref(comp), C.byref(err)) == 0)
lk = lib.weft_linker_new(eng)
check("define host-noop", lib.weft_linker_define_func(lk, None, b"host-noop", host_noop, None,
                                                      C.byref(err)) == 0)
inst = P()
st = lib.weft_linker_instantiate(lk, comp, None, C.byref(inst), C.byref(err))
check("instantiate: " + err.message.decode(), st == 0)
arena = lib.weft_arena_new()

echo = lib.weft_cinstance_func(inst, None, b"echo")
text = "héllo, wörld ✓".encode()
buf = C.create_string_buffer(text, len(text))
arg = Val(WEFT_VAL_STRING)
arg.of.str.ptr = C.cast(buf, C.c_void_p)
arg.of.str.len = len(text)
res = Val()
st = lib.weft_cfunc_call(echo, C.byref(arg), 1, C.byref(res), 1, arena, C.byref(err))
got = C.string_at(res.of.str.ptr, res.of.str.len) if st == 0 else b""
check("echo returns the non-ASCII string", st == 0 and res.kind == WEFT_VAL_STRING and got == text)

callh = lib.weft_cinstance_func(inst, None, b"call-host")
n = Val(WEFT_VAL_U32)
n.of.u = 1000
st = lib.weft_cfunc_call(callh, C.byref(n), 1, None, 0, arena, C.byref(err))
check("guest calls the Python import 1000 times", st == 0 and calls[0] == 1000)

# a wrong argument kind is refused with a message, not a crash
st = lib.weft_cfunc_call(callh, C.byref(arg), 1, None, 0, arena, C.byref(err))
check("wrong argument kind refused", st != 0 and b"expected u32" in err.message)

# interrupt: the instance traps "interrupted" on its next loop iteration
lib.weft_cinstance_interrupt(inst)
n.of.u = 10
st = lib.weft_cfunc_call(callh, C.byref(n), 1, None, 0, arena, C.byref(err))
check("interrupt traps: %d %s" % (st, err.message.decode()), st == 3 and b"interrupted" in err.message)

lib.weft_arena_free(arena)
lib.weft_cinstance_free(inst)
lib.weft_linker_free(lk)
lib.weft_component_free(comp)
lib.weft_engine_free(eng)
print(f"python-host: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
