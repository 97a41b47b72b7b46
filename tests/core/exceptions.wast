;; Exception handling (tags, throw, throw_ref, try_table, exnref) in core
;; modules, run through components: `weft wast` after tests/core/wast2json.mjs
;; (tests/cli/core_proposals.sh). Exceptions unwind wasm frames across core
;; instances; an uncaught one traps with "uncaught exception".

(component
  (core module $M
    (tag $e0)
    (tag $e1 (param i32))
    (tag $e2 (param i32 i64))
    (global $saved (mut exnref) (ref.null exn))
    (func $thrower (param i32)
      (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e0)))
      (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $e1 (i32.const 22))))
      (if (i32.eq (local.get 0) (i32.const 3)) (then (throw $e2 (i32.const 33) (i64.const 333)))))
    (func (export "kinds") (param i32) (result i32)
      (block $none
        (block $c0
          (block $c1 (result i32)
            (block $c2 (result i32 i64)
              (try_table (catch $e2 $c2) (catch $e1 $c1) (catch $e0 $c0)
                (call $thrower (local.get 0)))
              (br $none))
            (i32.wrap_i64) (i32.add) (i32.const 3000) (i32.add) (return))
          (i32.const 2000) (i32.add) (return))
        (return (i32.const 1000)))
      (i32.const 0))
    (func $rethrow (param i32)
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
        (return))
      (throw_ref))
    (func (export "rethrow") (param i32) (result i32)
      (block $c1 (result i32)
        (try_table (catch $e1 $c1) (call $rethrow (local.get 0)))
        (return (i32.const 0))))
    (func (export "save") (param i32) (result i32)
      (block $h (result i32 exnref)
        (try_table (catch_ref $e1 $h) (call $thrower (local.get 0)))
        (return (i32.const -1)))
      (global.set $saved)
      (i32.const 100) (i32.add))
    (func (export "throw-saved") (result i32)
      (block $c1 (result i32)
        (try_table (catch $e1 $c1) (throw_ref (global.get $saved)))
        (unreachable)))
    (func (export "uncaught") (param i32) (result i32)
      (call $thrower (local.get 0))
      (i32.const 5))
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
    (func $deep (param i32)
      (if (i32.eqz (local.get 0)) (then (throw $e1 (i32.const 77))))
      (call $deep (i32.sub (local.get 0) (i32.const 1))))
    (func (export "deep") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $e1 $h) (call $deep (local.get 0)))
        (i32.const -1)))
    ;; a try_table inside a loop, branching back to the loop from a catch
    (func (export "retry") (param i32) (result i32)
      (local $tries i32)
      (loop $again
        (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
        (try_table (catch_all $again)
          (call $thrower (select (i32.const 2) (i32.const 0)
                                 (i32.lt_u (local.get $tries) (local.get 0))))))
      (local.get $tries))
    ;; a catch whose label is an `if`: the payload becomes its result
    (func (export "in-if") (param i32) (result i32)
      (if (result i32) (local.get 0)
        (then (try_table (result i32) (catch $e1 0) (call $thrower (i32.const 2)) (i32.const 5)))
        (else (i32.const 9))))
    ;; a try_table in unreachable code is skipped with its catch clauses
    (func (export "dead") (result i32)
      (return (i32.const 1))
      (block $b (try_table (catch_all $b) (catch $e1 1) (throw $e0)))
      (i32.const 2)))
  (core instance $i (instantiate $M))
  (func (export "kinds") (param "x" u32) (result u32) (canon lift (core func $i "kinds")))
  (func (export "rethrow") (param "x" u32) (result u32) (canon lift (core func $i "rethrow")))
  (func (export "save") (param "x" u32) (result u32) (canon lift (core func $i "save")))
  (func (export "throw-saved") (result u32) (canon lift (core func $i "throw-saved")))
  (func (export "uncaught") (param "x" u32) (result u32) (canon lift (core func $i "uncaught")))
  (func (export "nested") (param "x" u32) (result u32) (canon lift (core func $i "nested")))
  (func (export "deep") (param "x" u32) (result u32) (canon lift (core func $i "deep")))
  (func (export "retry") (param "x" u32) (result u32) (canon lift (core func $i "retry")))
  (func (export "in-if") (param "x" u32) (result u32) (canon lift (core func $i "in-if")))
  (func (export "dead") (result u32) (canon lift (core func $i "dead")))
)

(assert_return (invoke "kinds" (u32.const 0)) (u32.const 0))
(assert_return (invoke "kinds" (u32.const 1)) (u32.const 1000))
(assert_return (invoke "kinds" (u32.const 2)) (u32.const 2022))
(assert_return (invoke "kinds" (u32.const 3)) (u32.const 3366))
(assert_return (invoke "rethrow" (u32.const 2)) (u32.const 22))
(assert_return (invoke "rethrow" (u32.const 0)) (u32.const 0))
(assert_return (invoke "save" (u32.const 2)) (u32.const 122))
(assert_return (invoke "throw-saved") (u32.const 22))
(assert_return (invoke "uncaught" (u32.const 0)) (u32.const 5))
(assert_return (invoke "nested" (u32.const 0)) (u32.const 48))
(assert_return (invoke "nested" (u32.const 1)) (u32.const 48))
(assert_return (invoke "nested" (u32.const 2)) (u32.const 29))
(assert_return (invoke "deep" (u32.const 10000)) (u32.const 77))
(assert_return (invoke "retry" (u32.const 5)) (u32.const 5))
(assert_return (invoke "in-if" (u32.const 1)) (u32.const 22))
(assert_return (invoke "in-if" (u32.const 0)) (u32.const 9))
(assert_return (invoke "dead") (u32.const 1))
(assert_return (invoke "kinds" (u32.const 2)) (u32.const 2022))
;; last: a trap poisons the component instance
(assert_trap (invoke "uncaught" (u32.const 3)) "uncaught exception")

;; Across core instances: the tag is defined in one instance, thrown by a
;; second and caught by a third; a tag of a second instance of the same
;; module is a different tag.
(component
  (core module $Tags (tag (export "t") (param i32 i32)))
  (core module $Thrower
    (import "tags" "t" (tag $t (param i32 i32)))
    (func (export "throw") (param i32) (throw $t (local.get 0) (i32.const 1000))))
  (core module $Catcher
    (import "tags" "t" (tag $t (param i32 i32)))
    (import "a" "throw" (func $a (param i32)))
    (import "b" "throw" (func $b (param i32)))
    (func (export "run") (param i32 i32) (result i32)
      (block $h (result i32 i32)
        (try_table (catch $t $h)
          (if (local.get 1) (then (call $b (local.get 0))) (else (call $a (local.get 0)))))
        (return (i32.const 0)))
      (i32.add)))
  (core instance $ta (instantiate $Tags))
  (core instance $tb (instantiate $Tags))
  (core instance $a (instantiate $Thrower (with "tags" (instance $ta))))
  (core instance $b (instantiate $Thrower (with "tags" (instance $tb))))
  (core instance $c (instantiate $Catcher
    (with "tags" (instance $ta)) (with "a" (instance $a)) (with "b" (instance $b))))
  (func (export "run") (param "x" u32) (param "use-b" u32) (result u32)
    (canon lift (core func $c "run")))
)

(assert_return (invoke "run" (u32.const 5) (u32.const 0)) (u32.const 1005))
(assert_trap (invoke "run" (u32.const 5) (u32.const 1)) "uncaught exception")

;; A tag import must have exactly the tag's type.
(assert_invalid
  (component
    (core module $Tags (tag (export "t") (param i64)))
    (core module $User (import "tags" "t" (tag (param i32))))
    (core instance $t (instantiate $Tags))
    (core instance (instantiate $User (with "tags" (instance $t)))))
  "type mismatch")

;; Validation: a catch clause's label must take the tag's values.
(assert_invalid
  (component
    (core module
      (tag $e (param i32))
      (func (block $l (result i64) (try_table (catch $e $l)) (unreachable)) (drop))))
  "type mismatch")
