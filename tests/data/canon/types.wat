;; Types for tests/unit/test_canon.c: each is at the type index noted (the
;; inline types inside $nest take indices 13-15).
(component
  (type $rec (record (field "a" u8) (field "b" u64) (field "c" string)))        ;; 0
  (type $var (variant (case "x" u32) (case "y" f64) (case "z")))                ;; 1
  (type $en (enum "a" "b" "c"))                                                 ;; 2
  (type $opt (option string))                                                   ;; 3
  (type $res (result u32 (error string)))                                       ;; 4
  (type $fl (flags "a" "b" "c"))                                                ;; 5
  (type $tup (tuple u8 s16 f32 char bool s64))                                  ;; 6
  (type $lst (list $rec))                                                       ;; 7
  (type $fl20 (flags "f0" "f1" "f2" "f3" "f4" "f5" "f6" "f7" "f8" "f9"
                     "f10" "f11" "f12" "f13" "f14" "f15" "f16" "f17" "f18" "f19")) ;; 8
  (type $r (resource (rep i32)))                                                ;; 9
  (type $own (own $r))                                                          ;; 10
  (type $bor (borrow $r))                                                       ;; 11
  (type $mix (variant (case "f" f32) (case "l" u64) (case "s" string)))         ;; 12
  (type $nest (list (option (tuple $en (list u16) $mix))))                      ;; 16
  (type $lu32 (list u32))                                                       ;; 17
  (type $big (func (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32)
                   (param "e" u32) (param "f" u32) (param "g" u32) (param "h" u32)
                   (param "i" u32) (param "j" u32) (param "k" u32) (param "l" u32)
                   (param "m" u32) (param "n" u32) (param "o" u32) (param "p" u64)
                   (param "q" string)))                                         ;; 18
  (type $ores (result))                                                         ;; 19
)
