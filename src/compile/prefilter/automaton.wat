;; The needle automaton's scan (aho-corasick.ts), in WebAssembly: one table read per byte, as the JavaScript
;; loop does, with 4 streams over 4 stretches of the text interleaved. Each byte's read waits on the one
;; before it (the state), so one stream leaves the CPU idle between reads; 4 keep it busy (bench lines: 2.0
;; against 1.4 ns a byte for 2 and 4 streams, the scan alone).
;;
;; Memory layout (the caller writes the tables once):
;;   0..255    the byte classes (one byte each)
;;   $root..   the transition table: i32 entries, entry [row + 4 * class] is the next row's address, its sign
;;             bit set when some needle ends at that state (rows are addresses: no multiplication per byte)
;;   $text     the text; $out the (end, row) pairs written
(module
  (memory (export "memory") 1)
  ;; Steps through text[0, n) from the start state, stream s (0 ≤ s < 4) from byte s * $stride, each for
  ;; $steps bytes, then the last stream on to n. The caller makes the stretches overlap by the longest
  ;; needle's length less one (so every needle lies wholly inside one stream's bytes), or passes $steps = 0
  ;; for one stream over everything. Writes to $out a pair (end offset, row address) for every step that
  ;; reaches a state where some needle ends; returns how many pairs (at most n + 3 * $steps).
  (func (export "scan") (param $text i32) (param $n i32) (param $root i32) (param $out i32) (param $stride i32) (param $steps i32) (result i32)
    (local $o i32) (local $c i32)
    (local $p0 i32) (local $r0 i32) (local $d0 i32)
    (local $p1 i32) (local $r1 i32) (local $d1 i32)
    (local $p2 i32) (local $r2 i32) (local $d2 i32)
    (local $p3 i32) (local $r3 i32) (local $d3 i32)
    (local.set $o (local.get $out))
    (local.set $r0 (local.get $root))
    (local.set $r1 (local.get $root))
    (local.set $r2 (local.get $root))
    (local.set $r3 (local.get $root))
    (local.set $p1 (i32.mul (local.get $stride) (i32.const 1)))
    (local.set $p2 (i32.mul (local.get $stride) (i32.const 2)))
    (local.set $p3 (i32.mul (local.get $stride) (i32.const 3)))
    (block $done (loop $multi
      (br_if $done (i32.ge_u (local.get $c) (local.get $steps)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (local.set $d0 (i32.load (i32.add (local.get $r0)
        (i32.shl (i32.load8_u (i32.load8_u (i32.add (local.get $text) (local.get $p0)))) (i32.const 2)))))
      (local.set $r0 (i32.and (local.get $d0) (i32.const 0x7fffffff)))
      (local.set $p0 (i32.add (local.get $p0) (i32.const 1)))
      (local.set $d1 (i32.load (i32.add (local.get $r1)
        (i32.shl (i32.load8_u (i32.load8_u (i32.add (local.get $text) (local.get $p1)))) (i32.const 2)))))
      (local.set $r1 (i32.and (local.get $d1) (i32.const 0x7fffffff)))
      (local.set $p1 (i32.add (local.get $p1) (i32.const 1)))
      (local.set $d2 (i32.load (i32.add (local.get $r2)
        (i32.shl (i32.load8_u (i32.load8_u (i32.add (local.get $text) (local.get $p2)))) (i32.const 2)))))
      (local.set $r2 (i32.and (local.get $d2) (i32.const 0x7fffffff)))
      (local.set $p2 (i32.add (local.get $p2) (i32.const 1)))
      (local.set $d3 (i32.load (i32.add (local.get $r3)
        (i32.shl (i32.load8_u (i32.load8_u (i32.add (local.get $text) (local.get $p3)))) (i32.const 2)))))
      (local.set $r3 (i32.and (local.get $d3) (i32.const 0x7fffffff)))
      (local.set $p3 (i32.add (local.get $p3) (i32.const 1)))
      (if (i32.lt_s (i32.or (i32.or (i32.or (local.get $d0) (local.get $d1)) (local.get $d2)) (local.get $d3)) (i32.const 0)) (then
        (if (i32.lt_s (local.get $d0) (i32.const 0)) (then
          (i32.store (local.get $o) (local.get $p0))
          (i32.store offset=4 (local.get $o) (local.get $r0))
          (local.set $o (i32.add (local.get $o) (i32.const 8)))))
        (if (i32.lt_s (local.get $d1) (i32.const 0)) (then
          (i32.store (local.get $o) (local.get $p1))
          (i32.store offset=4 (local.get $o) (local.get $r1))
          (local.set $o (i32.add (local.get $o) (i32.const 8)))))
        (if (i32.lt_s (local.get $d2) (i32.const 0)) (then
          (i32.store (local.get $o) (local.get $p2))
          (i32.store offset=4 (local.get $o) (local.get $r2))
          (local.set $o (i32.add (local.get $o) (i32.const 8)))))
        (if (i32.lt_s (local.get $d3) (i32.const 0)) (then
          (i32.store (local.get $o) (local.get $p3))
          (i32.store offset=4 (local.get $o) (local.get $r3))
          (local.set $o (i32.add (local.get $o) (i32.const 8)))))))
      (br $multi)))
    (if (i32.gt_u (local.get $steps) (i32.const 0)) (then
      (local.set $p0 (local.get $p3))
      (local.set $r0 (local.get $r3))))
    (block $end (loop $one
      (br_if $end (i32.ge_u (local.get $p0) (local.get $n)))
      (local.set $d0 (i32.load (i32.add (local.get $r0)
        (i32.shl (i32.load8_u (i32.load8_u (i32.add (local.get $text) (local.get $p0)))) (i32.const 2)))))
      (local.set $r0 (i32.and (local.get $d0) (i32.const 0x7fffffff)))
      (local.set $p0 (i32.add (local.get $p0) (i32.const 1)))
      (if (i32.lt_s (local.get $d0) (i32.const 0)) (then
        (i32.store (local.get $o) (local.get $p0))
        (i32.store offset=4 (local.get $o) (local.get $r0))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))))
      (br $one)))
    (i32.shr_u (i32.sub (local.get $o) (local.get $out)) (i32.const 3)))
)
