(component
  (import "wasi:io/error@0.2.0" (instance $err
    (export "error" (type (sub resource)))))
  (alias export $err "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export $p "pollable" (type (sub resource)))
    (export "[method]pollable.block" (func (param "self" (borrow $p))))
    (export "poll" (func (param "in" (list (borrow $p))) (result (list u32))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock
    (alias outer 1 $pollable (type $p0))
    (export $p "pollable" (type (eq $p0)))
    (export "subscribe-duration" (func (param "when" u64) (result (own $p))))))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error (type $e0))
    (export $e "error" (type (eq $e0)))
    (type $se (variant (case "last-operation-failed" (own $e)) (case "closed")))
    (export $se' "stream-error" (type (eq $se)))
    (export $is "input-stream" (type (sub resource)))
    (export $os "output-stream" (type (sub resource)))
    (export "[method]input-stream.blocking-read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se')))))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se')))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdin@0.2.0" (instance $stdin
    (alias outer 1 $input-stream (type $is0))
    (export $is "input-stream" (type (eq $is0)))
    (export "get-stdin" (func (result (own $is))))))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $os0))
    (export $os "output-stream" (type (eq $os0)))
    (export "get-stdout" (func (result (own $os))))))

  (core module $libc
    (memory (export "mem") 2)
    (global $top (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $top) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $top (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (global.get $top) (i32.const 131072)) (then unreachable))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "mem" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core func $sub (canon lower (func $clock "subscribe-duration")))
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $pollf (canon lower (func $poll "poll") (memory $mem) (realloc $realloc)))
  (core func $get-stdin (canon lower (func $stdin "get-stdin")))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $read (canon lower (func $streams "[method]input-stream.blocking-read") (memory $mem) (realloc $realloc)))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $mem)))

  (core module $m
    (import "host" "sub" (func $sub (param i64) (result i32)))
    (import "host" "block" (func $block (param i32)))
    (import "host" "poll" (func $poll (param i32 i32 i32)))
    (import "host" "get-stdin" (func $get-stdin (result i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "read" (func $read (param i32 i64 i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "libc" "mem" (memory 2))
    ;; an hour on the monotonic clock through pollable.block: 1 if it returns
    (func (export "block-hour") (result i32)
      (call $block (call $sub (i64.const 3600000000000)))
      (i32.const 1))
    ;; the same through poll([p]): the number of ready pollables
    (func (export "poll-hour") (result i32)
      (i32.store (i32.const 0) (call $sub (i64.const 3600000000000)))
      (call $poll (i32.const 0) (i32.const 1) (i32.const 16))
      (i32.load (i32.const 20)))
    ;; blocking-read of up to 16 bytes from stdin: the byte count, or -1
    (func (export "read-stdin") (result i32)
      (call $read (call $get-stdin) (i64.const 16) (i32.const 16))
      (if (result i32) (i32.load8_u (i32.const 16))
        (then (i32.const -1))
        (else (i32.load (i32.const 24)))))
    ;; blocking-write-and-flush of n 4 KiB chunks of memory to stdout:
    ;; 0 when all were written, else the chunk that failed + 1
    (func (export "write-stdout") (param $n i32) (result i32)
      (local $out i32) (local $i i32)
      (local.set $out (call $get-stdout))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (call $write (local.get $out) (i32.const 4096) (i32.const 4096) (i32.const 16))
          (if (i32.load8_u (i32.const 16)) (then (return (i32.add (local.get $i) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.const 0)))
  (core instance $i (instantiate $m
    (with "host" (instance
      (export "sub" (func $sub)) (export "block" (func $block)) (export "poll" (func $pollf))
      (export "get-stdin" (func $get-stdin)) (export "get-stdout" (func $get-stdout))
      (export "read" (func $read)) (export "write" (func $write))))
    (with "libc" (instance $libc))))
  (func (export "block-hour") (result u32) (canon lift (core func $i "block-hour")))
  (func (export "poll-hour") (result u32) (canon lift (core func $i "poll-hour")))
  (func (export "read-stdin") (result s32) (canon lift (core func $i "read-stdin")))
  (func (export "write-stdout") (param "n" u32) (result u32) (canon lift (core func $i "write-stdout")))
)
