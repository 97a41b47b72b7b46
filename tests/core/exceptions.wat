;; Exception handling (tags, throw, throw_ref, try_table, exnref). Built
;; into tests/unit/test_interp.c (its bytes, from `jco parse`).
(module
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (tag $e0)
  (tag $e1 (param i32))
  (tag $e2 (param i32 i64))
  (global $saved (mut exnref) (ref.null exn))
  (func $thrower (export "thrower") (param i32)
    (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e0)))
    (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $e1 (i32.const 22))))
    (if (i32.eq (local.get 0) (i32.const 3)) (then (throw $e2 (i32.const 33) (i64.const 333)))))
  ;; which clause catches: 0 none thrown, 1000 e0, 2000+22 e1, 3000+33+333 e2
  (func (export "kinds") (param i32) (result i32)
    (block $none
      (block $c0
        (block $c1 (param) (result i32)
          (block $c2 (result i32 i64)
            (try_table (catch $e2 $c2) (catch $e1 $c1) (catch $e0 $c0)
              (call $thrower (local.get 0)))
            (br $none))
          (i32.wrap_i64) (i32.add) (i32.const 3000) (i32.add) (return))
        (i32.const 2000) (i32.add) (return))
      (return (i32.const 1000)))
    (i32.const 0))
  ;; catch_all_ref then throw_ref: the outer catch sees the same exception
  (func $rethrow (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
      (return))
    (throw_ref))
  (func (export "rethrow") (param i32) (result i32)
    (block $c1 (result i32)
      (try_table (catch $e1 $c1) (call $rethrow (local.get 0)))
      (return (i32.const 0))))
  ;; catch_ref keeps the values and the exnref; store it, rethrow it later
  (func (export "save") (param i32) (result i32)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e1 $h) (call $thrower (local.get 0)))
      (return (i32.const -1)))
    (global.set $saved)
    (i32.const 100) (i32.add))
  (func (export "throw_saved") (result i32)
    (block $c1 (result i32)
      (try_table (catch $e1 $c1) (throw_ref (global.get $saved)))
      (unreachable)))
  (func (export "throw_null") (throw_ref (ref.null exn)))
  ;; an exnref from the host: checked, never trusted
  (func (export "throw_param") (param exnref) (throw_ref (local.get 0)))
  (func (export "get_saved") (result exnref) (global.get $saved))
  ;; uncaught: a trap at the top
  (func (export "uncaught") (param i32) (result i32)
    (call $thrower (local.get 0))
    (i32.const 5))
  ;; nested: the inner try_table does not match e1, the outer one does;
  ;; values below the try_table survive, and its params are passed
  (func (export "nested") (param i32) (result i32)
    (i32.const 7)
    (block $outer (result i32)
      (i32.const 40)
      (try_table (param i32) (result i32) (catch $e1 $outer)
        (block $inner
          (try_table (catch $e0 $inner)
            (call $thrower (local.get 0))))
        (i32.const 1) (i32.add)))
    (i32.add))
  ;; catch straight to the function's label: returns the payload
  (func (export "to_func") (param i32) (result i32)
    (try_table (catch $e1 0) (call $thrower (local.get 0)))
    (i32.const -2))
  ;; deep recursion, then a throw caught at the top
  (func $deep (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $e1 (i32.const 77))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e1 $h) (call $deep (local.get 0)))
      (i32.const -1)))
  ;; many throws caught in a loop (exceptions must not pile up)
  (func (export "loop") (param i32) (result i32)
    (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e1 $h) (throw $e1 (local.get 0)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l))
    (local.get $sum))
  ;; through a host function that calls back into wasm which throws: the
  ;; exception cannot cross the host frame and becomes a trap
  (func (export "via_host") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (drop (call $reenter (local.get 0))))
      (return (i32.const 1)))
    (i32.const 2)))
