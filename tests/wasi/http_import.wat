;; A command importing wasi:http (never calling it): links while -S http is on (the default).
(component
  (import "wasi:http/types@0.2.0" (instance $types
    (export "fields" (type (sub resource)))
    (export "[constructor]fields" (func (result (own 0))))))
  (core module $m
    (func (export "run") (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $runinst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $runinst)))
