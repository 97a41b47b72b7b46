;; A component that exports a plain function but no wasi:http/incoming-handler:
;; `weft serve` must refuse it at start.
(component
  (core module $m (func (export "answer") (result i32) i32.const 42))
  (core instance $i (instantiate $m))
  (func $answer (result u32) (canon lift (core func $i "answer")))
  (export "answer" (func $answer)))
