# A Ruby host of a component through libweft.so with the standard library's
# fiddle only: no generated bindings. Loads bench/component/calls.wat's
# component, defines its import `host-noop` as a Ruby block, calls its
# exports with values and reads traps back as errors. Prints
# "ruby-host: N passed, M failed".
#
# usage: ruby ruby_host.rb LIBWEFT.so COMPONENT.wasm
#
# weft_val_t and weft_error_t are laid out by hand (x86-64 / LP64, see
# docs/embedding.md); the layout is checked against the library first, by
# letting weft_wave_parse fill values and reading them back at these offsets.
require "fiddle"

if ARGV.size != 2
  warn "usage: ruby ruby_host.rb LIBWEFT.so COMPONENT.wasm"
  exit 2
end
LIB = Fiddle.dlopen(ARGV[0])
WASM = ARGV[1]

P = Fiddle::TYPE_VOIDP
I = Fiddle::TYPE_INT
Z = Fiddle::TYPE_SIZE_T
V = Fiddle::TYPE_VOID

def fn(name, args, ret)
  Fiddle::Function.new(LIB[name], args, ret)
end

# ---- the API functions this host uses (prototypes from include/weft.h) ----
F = {
  version: fn("weft_version", [], P),
  val_size: fn("weft_val_size", [], Fiddle::TYPE_SIZE_T),
  error_size: fn("weft_error_size", [], Fiddle::TYPE_SIZE_T),
  engine_new: fn("weft_engine_new", [], P),
  engine_free: fn("weft_engine_free", [P], V),
  component_from_file: fn("weft_component_from_file", [P, P, P, P], I),
  component_free: fn("weft_component_free", [P], V),
  linker_new: fn("weft_linker_new", [P], P),
  linker_free: fn("weft_linker_free", [P], V),
  linker_define_func: fn("weft_linker_define_func", [P, P, P, P, P, P], I),
  linker_instantiate: fn("weft_linker_instantiate", [P, P, P, P, P], I),
  cinstance_free: fn("weft_cinstance_free", [P], V),
  cinstance_func: fn("weft_cinstance_func", [P, P, P], P),
  cinstance_interrupt: fn("weft_cinstance_interrupt", [P], V),
  cfunc_call: fn("weft_cfunc_call", [P, P, Z, P, Z, P, P], I),
  arena_new: fn("weft_arena_new", [], P),
  arena_free: fn("weft_arena_free", [P], V),
  call_trap: fn("weft_call_trap", [P, P, Fiddle::TYPE_VARIADIC], V),
  wave_parse_call: fn("weft_wave_parse_call", [P, P, Z, P, P, P, P], I),
}
# (weft_type_t is returned by value, a 16-byte struct, which fiddle cannot
# express; the layout check below uses weft_wave_parse_call, which takes the
# function itself and fills weft_val_t arguments.)

# ---- enums (include/weft.h) ----
WEFT_OK = 0
WEFT_ERR_ARG = 4
WEFT_ERR_TRAP = 3
WEFT_TRAP_HOST = 12
WEFT_TRAP_INTERRUPT = 14
WEFT_VAL_U32 = 6
WEFT_VAL_STRING = 12

# ---- weft_val_t: { weft_vkind_t kind; union { ... } of; } ----
# kind (a 4-byte enum) at 0, the union at 8 (its members hold 8-byte
# integers and pointers), str.ptr/seq.v/var.index at 8, str.len/seq.n at 16;
# 24 bytes in all.
VAL_SIZE = 24
VAL_KIND = 0
VAL_OF = 8
VAL_STR_PTR = 8
VAL_STR_LEN = 16

# ---- weft_error_t: status, trap (4-byte enums), int64 offset,
# char message[512], char backtrace[2048] ----
ERR_SIZE = 4 + 4 + 8 + 512 + 2048
ERR_STATUS = 0
ERR_TRAP = 4
ERR_MESSAGE = 16
ERR_MESSAGE_LEN = 512

def mem(size)
  p = Fiddle::Pointer.malloc(size, Fiddle::RUBY_FREE)
  p[0, size] = "\0" * size
  p
end

def cstr(s)
  b = s.b + "\0"
  p = Fiddle::Pointer.malloc(b.bytesize, Fiddle::RUBY_FREE)
  p[0, b.bytesize] = b
  p
end

def u32_at(p, off) = p[off, 4].unpack1("L<")
def u64_at(p, off) = p[off, 8].unpack1("Q<")
def put_u32(p, off, v) = (p[off, 4] = [v].pack("L<"))
def put_u64(p, off, v) = (p[off, 8] = [v].pack("Q<"))

def err_message(e)
  e[ERR_MESSAGE, ERR_MESSAGE_LEN].split("\0", 2)[0].to_s.force_encoding("UTF-8")
end

$passed = 0
$failed = 0
def check(what, ok)
  if ok
    $passed += 1
  else
    $failed += 1
    puts "ruby-host: FAIL: #{what}"
  end
end

# ---- the import: host-noop: func(), a Ruby block. A Ruby exception must not
# unwind through libweft's C frames: it is caught here and becomes a trap. ----
$calls = 0
$raise_at = nil
HOSTFN = Fiddle::Closure::BlockCaller.new(I, [P, P, P, Z, P, Z]) do |call, _env, _args, nargs, _res, nres|
  begin
    raise ArgumentError, "host-noop takes nothing, got #{nargs}/#{nres}" if nargs != 0 || nres != 0
    $calls += 1
    raise "ruby raised at call #{$calls} (100%)" if $raise_at == $calls
    0
  rescue Exception => e # rubocop:disable Lint/RescueException -- nothing may unwind through C
    F[:call_trap].call(call, cstr("%s"), Fiddle::TYPE_VOIDP, cstr("#{e.class}: #{e.message}"))
    1
  end
end

sizes = [VAL_SIZE, F[:val_size].call, ERR_SIZE, F[:error_size].call]
check("weft_val_t and weft_error_t sizes are the library's (#{sizes.join('/')})",
      sizes[0] == sizes[1] && sizes[2] == sizes[3])
if $failed > 0 # the layouts below would not match the library's: stop before they crash
  puts "ruby-host: #{$passed} passed, #{$failed} failed"
  exit 1
end

err = mem(ERR_SIZE)
eng = F[:engine_new].call
check("weft_version answers", !F[:version].call.null? && F[:version].call.to_s.size > 0)

slot = mem(8)
st = F[:component_from_file].call(eng, cstr(WASM), slot, err)
check("component loads: #{err_message(err)}", st == WEFT_OK)
comp = Fiddle::Pointer.new(u64_at(slot, 0))

lk = F[:linker_new].call(eng)
st = F[:linker_define_func].call(lk, Fiddle::NULL, cstr("host-noop"), HOSTFN, Fiddle::NULL, err)
check("define host-noop", st == WEFT_OK)

put_u64(slot, 0, 0)
st = F[:linker_instantiate].call(lk, comp, Fiddle::NULL, slot, err)
check("instantiate: #{err_message(err)}", st == WEFT_OK)
inst = Fiddle::Pointer.new(u64_at(slot, 0))
if st != WEFT_OK
  puts "ruby-host: #{$passed} passed, #{$failed} failed"
  exit 1
end
arena = F[:arena_new].call
echo = F[:cinstance_func].call(inst, Fiddle::NULL, cstr("echo"))
callh = F[:cinstance_func].call(inst, Fiddle::NULL, cstr("call-host"))
check("exports echo and call-host found", !echo.null? && !callh.null?)

failed_before_layout = $failed
# ---- layout: the library fills weft_val_t values (weft_wave_parse_call);
# they must read back at the offsets above ----
args = mem(VAL_SIZE * 2)
nargs = mem(8)
text = 'echo("layout")'
put_u64(nargs, 0, 2)
st = F[:wave_parse_call].call(echo, cstr(text), text.bytesize, arena, args, nargs, err)
check("layout: string value at kind 0, ptr 8, len 16: #{err_message(err)}",
      st == WEFT_OK && u64_at(nargs, 0) == 1 && u32_at(args, VAL_KIND) == WEFT_VAL_STRING &&
      u64_at(args, VAL_STR_LEN) == 6 &&
      Fiddle::Pointer.new(u64_at(args, VAL_STR_PTR))[0, 6] == "layout")
put_u64(nargs, 0, 2)
text = "call-host(4294967295)"
st = F[:wave_parse_call].call(callh, cstr(text), text.bytesize, arena, args, nargs, err)
check("layout: u32 value at kind 0, u 8: #{err_message(err)}",
      st == WEFT_OK && u32_at(args, VAL_KIND) == WEFT_VAL_U32 && u64_at(args, VAL_OF) == 0xffffffff)

if $failed > failed_before_layout # the offsets below would be wrong: stop before they crash
  puts "ruby-host: #{$passed} passed, #{$failed} failed"
  exit 1
end

# ---- echo: a non-ASCII string there and back ----
text = "héllo, wörld ✓".b
buf = cstr(text)
arg = mem(VAL_SIZE)
put_u32(arg, VAL_KIND, WEFT_VAL_STRING)
put_u64(arg, VAL_STR_PTR, buf.to_i)
put_u64(arg, VAL_STR_LEN, text.bytesize)
res = mem(VAL_SIZE)
st = F[:cfunc_call].call(echo, arg, 1, res, 1, arena, err)
got = st == WEFT_OK ? Fiddle::Pointer.new(u64_at(res, VAL_STR_PTR))[0, u64_at(res, VAL_STR_LEN)] : ""
check("echo returns the non-ASCII string: #{err_message(err)}",
      st == WEFT_OK && u32_at(res, VAL_KIND) == WEFT_VAL_STRING && got == text &&
      got.force_encoding("UTF-8") == "héllo, wörld ✓")

# ---- the guest calls the Ruby import ----
n = mem(VAL_SIZE)
put_u32(n, VAL_KIND, WEFT_VAL_U32)
put_u64(n, VAL_OF, 1000)
st = F[:cfunc_call].call(callh, n, 1, Fiddle::NULL, 0, arena, err)
check("guest calls the Ruby import 1000 times: #{st} #{err_message(err)}", st == WEFT_OK && $calls == 1000)

# ---- a wrong argument kind is refused with a message, not a crash ----
st = F[:cfunc_call].call(callh, arg, 1, Fiddle::NULL, 0, arena, err)
check("wrong argument kind refused: #{st} #{err_message(err)}",
      st == WEFT_ERR_ARG && err_message(err).include?("expected u32"))

# ---- interrupt: the instance traps "interrupted" on its next loop iteration ----
F[:cinstance_interrupt].call(inst)
$calls = 0
st = F[:cfunc_call].call(callh, n, 1, Fiddle::NULL, 0, arena, err)
check("interrupt traps: #{st} #{err_message(err)}",
      st == WEFT_ERR_TRAP && u32_at(err, ERR_TRAP) == WEFT_TRAP_INTERRUPT &&
      err_message(err).include?("interrupted") && $calls < 10)

# ---- a Ruby exception in the import becomes a trap of the guest call (on a
# second instance: a trap leaves an instance unusable, as the Component Model
# says) ----
put_u64(slot, 0, 0)
st = F[:linker_instantiate].call(lk, comp, Fiddle::NULL, slot, err)
inst2 = Fiddle::Pointer.new(u64_at(slot, 0))
callh2 = st == WEFT_OK ? F[:cinstance_func].call(inst2, Fiddle::NULL, cstr("call-host")) : Fiddle::NULL
$calls = 0
$raise_at = 3
put_u64(n, VAL_OF, 10)
st = F[:cfunc_call].call(callh2, n, 1, Fiddle::NULL, 0, arena, err)
msg = err_message(err)
check("Ruby exception in the import traps the call: #{st} #{msg}",
      st == WEFT_ERR_TRAP && u32_at(err, ERR_TRAP) == WEFT_TRAP_HOST &&
      msg.include?("RuntimeError: ruby raised at call 3 (100%)") && $calls == 3)
$raise_at = nil
st = F[:cfunc_call].call(callh2, n, 1, Fiddle::NULL, 0, arena, err)
check("the trapped instance refuses the next call: #{st} #{err_message(err)}",
      st == WEFT_ERR_TRAP && err_message(err).include?("cannot enter") && $calls == 3)
F[:cinstance_free].call(inst2)

F[:arena_free].call(arena)
F[:cinstance_free].call(inst)
F[:linker_free].call(lk)
F[:component_free].call(comp)
F[:engine_free].call(eng)
puts "ruby-host: #{$passed} passed, #{$failed} failed"
exit($failed.zero? ? 0 : 1)
