;; Component for the call benchmarks (bench/component_bench.c):
;;   noop: func()                       host -> guest, nothing to lift or lower
;;   echo: func(s: string) -> string    host -> guest, a string each way
;;   call-host: func(n: u32)            guest -> host: calls the imported
;;                                      `host-noop: func()` n times
(component
  (import "host-noop" (func $host-noop))
  (core func $host-noop-core (canon lower (func $host-noop)))
  (core module $m
    (import "host" "noop" (func $noop))
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "noop"))
    ;; the argument string is already in our memory (written through realloc):
    ;; return it as is, through a return area at 16
    (func (export "echo") (param $p i32) (param $n i32) (result i32)
      (i32.store (i32.const 16) (local.get $p))
      (i32.store (i32.const 20) (local.get $n))
      (i32.const 16))
    ;; bump allocator, reset by post-return after each call
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      (local.set $r (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $r) (local.get 3)))
      (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
        (then (if (i32.lt_s (memory.grow (i32.const 16)) (i32.const 0)) (then unreachable))))
      (local.get $r))
    (func (export "echo-post") (param i32)
      (global.set $heap (i32.const 1024)))
    (func (export "call-host") (param $n i32)
      (block $done
        (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (call $noop)
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l))))
  )
  (core instance $host (export "noop" (func $host-noop-core)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func (export "noop") (canon lift (core func $i "noop")))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $i "memory") (realloc (func $i "realloc"))
      (post-return (func $i "echo-post"))))
  (func (export "call-host") (param "n" u32) (canon lift (core func $i "call-host")))
)
