;; wasi:cli/exit.exit-with-code(42) from wasi:cli/run: `weft run` exits with 42.
(component
  (import "wasi:cli/exit@0.2.12" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))
  (core func $exit_code (canon lower (func $exit "exit-with-code")))
  (core module $m
    (import "host" "exit-with-code" (func $x (param i32)))
    (func (export "run") (result i32)
      i32.const 42
      call $x
      i32.const 0))
  (core instance $i (instantiate $m (with "host" (instance (export "exit-with-code" (func $exit_code))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $runinst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $runinst)))
