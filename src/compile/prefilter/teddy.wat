;; The chunk gate's multi-needle search (simd-gate.ts), in WebAssembly with 128-bit SIMD: up to 8 needles,
;; one per bit of a byte ("bucket"), found in one pass over the chunk instead of one indexOf pass each.
;;
;; Each needle is fingerprinted by up to 3 consecutive bytes of it, at offset fp (the rarest bytes in the
;; sample). For fingerprint byte k, two 16-byte tables hold, for each low and each high nibble value, the
;; buckets whose k-th byte has that nibble. A 16-byte block at p gets, per lane, the AND over k of
;; lo_k[low nibble of in[p+i+k]] & hi_k[high nibble of in[p+i+k]]: bucket b's bit survives exactly when
;; in[p+i..p+i+3) is its fingerprint (one needle per bucket, so both nibbles pin the byte). A needle shorter
;; than 3 bytes sets its bit for every nibble of the missing offsets. Each surviving (lane, bucket) is
;; verified byte by byte against the whole needle.
;;
;; Memory layout (the caller writes the tables and needles once):
;;   0..95     lo_0 hi_0 lo_1 hi_1 lo_2 hi_2
;;   96..111   scratch: the block's bucket bits
;;   128+16*b  bucket b: fingerprint offset, needle length, address of the needle's bytes (u32 each)
;;   scan's input: at least 18 readable bytes past its end (loads run past the last block)
(module
  (memory (export "memory") 1)
  ;; Writes to out[] a pair (start offset, needle's bucket) for every needle occurrence that lies inside
  ;; in[0, len), in the order of their fingerprints' positions; returns how many, or -1 past cap pairs.
  (func (export "scan") (param $in i32) (param $len i32) (param $out i32) (param $cap i32) (result i32)
    (local $p i32) (local $m v128) (local $lanes i32) (local $i i32) (local $q i32)
    (local $bits i32) (local $b i32) (local $info i32) (local $start i32) (local $n i32)
    (local $k i32) (local $ptr i32) (local $count i32)
    (local $t0l v128) (local $t0h v128) (local $t1l v128) (local $t1h v128) (local $t2l v128) (local $t2h v128)
    (local $lo v128) (local $v v128)
    (local.set $t0l (v128.load (i32.const 0)))
    (local.set $t0h (v128.load (i32.const 16)))
    (local.set $t1l (v128.load (i32.const 32)))
    (local.set $t1h (v128.load (i32.const 48)))
    (local.set $t2l (v128.load (i32.const 64)))
    (local.set $t2h (v128.load (i32.const 80)))
    (local.set $lo (i8x16.splat (i32.const 15)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $len)))
        (local.set $v (v128.load (i32.add (local.get $in) (local.get $p))))
        (local.set $m (v128.and
          (i8x16.swizzle (local.get $t0l) (v128.and (local.get $v) (local.get $lo)))
          (i8x16.swizzle (local.get $t0h) (i8x16.shr_u (local.get $v) (i32.const 4)))))
        (local.set $v (v128.load offset=1 (i32.add (local.get $in) (local.get $p))))
        (local.set $m (v128.and (local.get $m) (v128.and
          (i8x16.swizzle (local.get $t1l) (v128.and (local.get $v) (local.get $lo)))
          (i8x16.swizzle (local.get $t1h) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (local.set $v (v128.load offset=2 (i32.add (local.get $in) (local.get $p))))
        (local.set $m (v128.and (local.get $m) (v128.and
          (i8x16.swizzle (local.get $t2l) (v128.and (local.get $v) (local.get $lo)))
          (i8x16.swizzle (local.get $t2h) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (if (v128.any_true (local.get $m))
          (then
            (v128.store (i32.const 96) (local.get $m))
            (local.set $lanes (i8x16.bitmask (i8x16.ne (local.get $m) (v128.const i32x4 0 0 0 0))))
            (loop $lane
              (local.set $i (i32.ctz (local.get $lanes)))
              (local.set $q (i32.add (local.get $p) (local.get $i)))
              (local.set $bits (i32.load8_u offset=96 (local.get $i)))
              (loop $bucket
                (local.set $b (i32.ctz (local.get $bits)))
                (local.set $info (i32.add (i32.const 128) (i32.shl (local.get $b) (i32.const 4))))
                (local.set $start (i32.sub (local.get $q) (i32.load (local.get $info))))
                (local.set $n (i32.load offset=4 (local.get $info)))
                ;; only a needle wholly inside [0, len) counts
                (if (i32.and (i32.ge_s (local.get $start) (i32.const 0))
                             (i32.le_s (i32.add (local.get $start) (local.get $n)) (local.get $len)))
                  (then
                    (local.set $ptr (i32.load offset=8 (local.get $info)))
                    (local.set $k (i32.const 0))
                    (block $differ
                      (loop $cmp
                        (br_if $differ (i32.ne
                          (i32.load8_u (i32.add (i32.add (local.get $in) (local.get $start)) (local.get $k)))
                          (i32.load8_u (i32.add (local.get $ptr) (local.get $k)))))
                        (local.set $k (i32.add (local.get $k) (i32.const 1)))
                        (br_if $cmp (i32.lt_u (local.get $k) (local.get $n)))))
                    (if (i32.eq (local.get $k) (local.get $n))
                      (then
                        (if (i32.ge_u (local.get $count) (local.get $cap)) (then (return (i32.const -1))))
                        (i32.store (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 3))) (local.get $start))
                        (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 3))) (local.get $b))
                        (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                (br_if $bucket (local.get $bits)))
              (local.set $lanes (i32.and (local.get $lanes) (i32.sub (local.get $lanes) (i32.const 1))))
              (br_if $lane (local.get $lanes)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    (local.get $count))
)
