;; Multi-memory in core modules, run through components: `weft wast` after
;; tests/core/wast2json.mjs (tests/cli/core_proposals.sh). Loads and stores,
;; memory.size/grow/fill/copy/init and data segments on memories other than
;; memory 0, and memories passed between core instances.

(component
  (core module $M
    (memory $a 1)
    (memory $b 1 2)
    (data (memory $b) (i32.const 16) "\2a\00\00\00")
    (data $p "hello")
    (func (export "ld-b") (param i32) (result i32) (i32.load $b (local.get 0)))
    (func (export "ld-a") (param i32) (result i32) (i32.load $a (local.get 0)))
    (func (export "st-b") (param i32 i32) (i32.store16 $b offset=1 (local.get 0) (local.get 1)))
    (func (export "ld16-b") (param i32) (result i32) (i32.load16_u $b offset=1 (local.get 0)))
    (func (export "size-b") (result i32) (memory.size $b))
    (func (export "grow-b") (param i32) (result i32) (memory.grow $b (local.get 0)))
    (func (export "fill-b") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
    (func (export "copy-ba") (param i32 i32 i32) (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
    (func (export "init-b") (param i32 i32 i32) (memory.init $b $p (local.get 0) (local.get 1) (local.get 2)))
    (func (export "st-a") (param i32 i32) (i32.store $a (local.get 0) (local.get 1))))
  (core instance $i (instantiate $M))
  (func (export "ld-b") (param "p" u32) (result u32) (canon lift (core func $i "ld-b")))
  (func (export "ld-a") (param "p" u32) (result u32) (canon lift (core func $i "ld-a")))
  (func (export "st-b") (param "p" u32) (param "v" u32) (canon lift (core func $i "st-b")))
  (func (export "ld16-b") (param "p" u32) (result u32) (canon lift (core func $i "ld16-b")))
  (func (export "size-b") (result u32) (canon lift (core func $i "size-b")))
  (func (export "grow-b") (param "n" u32) (result s32) (canon lift (core func $i "grow-b")))
  (func (export "fill-b") (param "d" u32) (param "v" u32) (param "n" u32) (canon lift (core func $i "fill-b")))
  (func (export "copy-ba") (param "d" u32) (param "s" u32) (param "n" u32) (canon lift (core func $i "copy-ba")))
  (func (export "init-b") (param "d" u32) (param "s" u32) (param "n" u32) (canon lift (core func $i "init-b")))
  (func (export "st-a") (param "p" u32) (param "v" u32) (canon lift (core func $i "st-a")))
)

(assert_return (invoke "ld-b" (u32.const 16)) (u32.const 42))
(assert_return (invoke "ld-a" (u32.const 16)) (u32.const 0))
(assert_return (invoke "st-b" (u32.const 99) (u32.const 0xBEEF)))
(assert_return (invoke "ld16-b" (u32.const 99)) (u32.const 0xBEEF))
(assert_return (invoke "ld-a" (u32.const 100)) (u32.const 0))
(assert_return (invoke "size-b") (u32.const 1))
(assert_return (invoke "grow-b" (u32.const 1)) (s32.const 1))
(assert_return (invoke "grow-b" (u32.const 1)) (s32.const -1))
(assert_return (invoke "size-b") (u32.const 2))
(assert_return (invoke "ld-b" (u32.const 65533)) (u32.const 0))
(assert_return (invoke "fill-b" (u32.const 500) (u32.const 0x11) (u32.const 4)))
(assert_return (invoke "ld-b" (u32.const 500)) (u32.const 0x11111111))
(assert_return (invoke "st-a" (u32.const 8) (u32.const 0x01020304)))
(assert_return (invoke "copy-ba" (u32.const 600) (u32.const 8) (u32.const 4)))
(assert_return (invoke "ld-b" (u32.const 600)) (u32.const 0x01020304))
(assert_return (invoke "init-b" (u32.const 700) (u32.const 0) (u32.const 4)))
(assert_return (invoke "ld-b" (u32.const 700)) (u32.const 0x6c6c6568))
(assert_return (invoke "ld-b" (u32.const 131068)) (u32.const 0))
;; last: a trap poisons the component instance
(assert_trap (invoke "fill-b" (u32.const 131070) (u32.const 0) (u32.const 4)) "out of bounds memory access")

;; Two memories exported by one core instance and imported by another,
;; which reads the second one.
(component
  (core module $Mem
    (memory (export "m0") 1)
    (memory (export "m1") 1)
    (data (memory 1) (i32.const 0) "\07"))
  (core module $User
    (import "mem" "m0" (memory 1))
    (import "mem" "m1" (memory 1))
    (func (export "get") (result i32) (i32.load8_u 1 (i32.const 0))))
  (core instance $m (instantiate $Mem))
  (core instance $u (instantiate $User (with "mem" (instance $m))))
  (func (export "get") (result u32) (canon lift (core func $u "get")))
)

(assert_return (invoke "get") (u32.const 7))

;; Validation: a memory index must name a memory.
(assert_invalid
  (component
    (core module (memory 1) (memory 1) (func (drop (i32.load 2 (i32.const 0))))))
  "unknown memory 2")
