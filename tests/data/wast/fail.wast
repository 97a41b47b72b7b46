;; weft wast runner self-test: the runner must report each command marked FAIL
;; as a failure (with its line under -v), and pass the others.
;; expect: 4 passed, 15 failed (1 skipped: text format)

(module $ok
  (func (export "one") (result i32) (i32.const 1))
  (func (export "qnan") (result f32) (f32.const nan:0x600000))
  (func (export "snan") (result f32) (f32.const nan:0x200000))
  (func (export "neg0") (result f64) (f64.const -0))
)
(assert_return (invoke "one") (i32.const 1))
(assert_return (invoke "one") (i32.const 2))                 ;; FAIL wrong value
(assert_return (invoke "one") (i64.const 1))                 ;; FAIL wrong type
(assert_return (invoke "one"))                               ;; FAIL wrong count
(assert_return (invoke "qnan") (f32.const nan:arithmetic))
(assert_return (invoke "qnan") (f32.const nan:canonical))    ;; FAIL payload not canonical
(assert_return (invoke "snan") (f32.const nan:arithmetic))   ;; FAIL signalling NaN
(assert_return (invoke "neg0") (f64.const 0))                ;; FAIL -0 is not +0
(assert_trap (invoke "one") "unreachable")                   ;; FAIL no trap
(assert_exhaustion (invoke "one") "call stack exhausted")    ;; FAIL no exhaustion
(assert_return (invoke "missing") (i32.const 1))             ;; FAIL no such export
(assert_invalid (module (func)) "type mismatch")             ;; FAIL valid module
(assert_malformed (module quote "(func") "unexpected end")
(assert_unlinkable (module (func)) "unknown import")         ;; FAIL links fine
(assert_trap (module (func)) "unreachable")                  ;; FAIL instantiates fine
(module $broken (import "nowhere" "f" (func)))               ;; FAIL unknown import
(register "b" $broken)                                       ;; FAIL module failed to load
(assert_return (invoke "one") (i32.const 1))                 ;; FAIL latest module failed
(assert_return (invoke $ok "one") (i32.const 1))
