;; A component defining a resource with a destructor: `make` hands the host
;; an owned handle, `dropped` tells which rep the destructor saw last,
;; `consume` takes one (which WAVE cannot write).
(component
  (core module $state
    (memory (export "memory") 1)
    (func (export "dtor") (param i32) (i32.store (i32.const 0) (local.get 0)))
    (func (export "dropped") (result i32) (i32.load (i32.const 0))))
  (core instance $s (instantiate $state))
  (type $r (resource (rep i32) (dtor (func $s "dtor"))))
  (export $r-e "thing" (type $r))
  (core func $new (canon resource.new $r))
  (core module $m
    (import "r" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "consume") (param i32)))
  (core instance $ri (export "new" (func $new)))
  (core instance $i (instantiate $m (with "r" (instance $ri))))
  (func (export "make") (param "rep" u32) (result (own $r-e)) (canon lift (core func $i "make")))
  (func (export "consume") (param "t" (own $r-e)) (canon lift (core func $i "consume")))
  (func (export "dropped") (result u32) (canon lift (core func $s "dropped")))
)
