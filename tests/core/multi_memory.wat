;; Multi-memory: loads, stores, memory.size/grow/fill/copy/init and an
;; active data segment on a memory other than memory 0. Built into
;; tests/unit/test_interp.c (its bytes, from `jco parse`).
(module
  (memory $a 1)
  (memory $b 1 2)
  (data (memory $b) (i32.const 16) "\2a\00\00\00")
  (data $p "hello")
  (func (export "ld_b") (param i32) (result i32) (i32.load $b (local.get 0)))
  (func (export "st_b") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
  (func (export "ld_a") (param i32) (result i32) (i32.load $a (local.get 0)))
  (func (export "st_a") (param i32 i32) (i32.store $a (local.get 0) (local.get 1)))
  (func (export "ld8_b") (param i32) (result i32) (i32.load8_s $b (local.get 0)))
  (func (export "st64_b") (param i32 i64) (i64.store $b offset=8 (local.get 0) (local.get 1)))
  (func (export "ld64_b") (param i32) (result i64) (i64.load $b offset=8 (local.get 0)))
  (func (export "size_b") (result i32) (memory.size $b))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "size_a") (result i32) (memory.size $a))
  (func (export "fill_b") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_ab") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_b") (param i32 i32 i32) (memory.init $b $p (local.get 0) (local.get 1) (local.get 2))))
