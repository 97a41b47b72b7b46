;; Needs a host import that weft run does not provide.
(module
  (import "env" "log" (func (param i32)))
  (func (export "f") (call 0 (i32.const 1)))
)
