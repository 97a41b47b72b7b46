;; weft wast runner self-test: a script that never ends is stopped by the
;; per-script time limit and counted as one more failure.
;; expect: 1 passed, 1 failed (0 skipped: text format)
;; run with: --timeout 2
(module (func (export "spin") (loop (br 0))))
(invoke "spin")
(assert_return (invoke "spin"))
