;; A component importing a function nobody provides: `weft run` must name
;; the missing import.
(component
  (import "test:demo/host@1.0.0" (instance $host (export "get" (func (result u32)))))
  (alias export $host "get" (func $get))
  (core func $get-core (canon lower (func $get)))
  (core module $m
    (import "host" "get" (func $get (result i32)))
    (func (export "twice") (result i32)
      (i32.add (call $get) (call $get))))
  (core instance $hi (export "get" (func $get-core)))
  (core instance $i (instantiate $m (with "host" (instance $hi))))
  (func (export "twice") (result u32) (canon lift (core func $i "twice")))
)
