// Growing the fixed-size typed arrays that hold per-row numbers (spill offsets, term index columns, EQL
// replay columns) without one copy loop per owner.

/** A copy of `a` with room for `length` elements (the rest zero). */
export function enlarged(a: Float64Array, length: number): Float64Array<ArrayBuffer>;
export function enlarged(a: Uint32Array, length: number): Uint32Array<ArrayBuffer>;
export function enlarged(a: Float64Array | Uint32Array, length: number): Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer> {
  const b = a instanceof Float64Array ? new Float64Array(length) : new Uint32Array(length);
  b.set(a);
  return b;
}
