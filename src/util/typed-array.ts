// Per-row numbers in typed arrays (spill offsets, term index columns, EQL replay columns): growing a
// fixed-size array without one copy loop per owner, and a column that grows without copying.

/** A copy of `a` with room for `length` elements (the rest zero). */
export function enlarged(a: Float64Array, length: number): Float64Array<ArrayBuffer>;
export function enlarged(a: Uint32Array, length: number): Uint32Array<ArrayBuffer>;
export function enlarged(a: Float64Array | Uint32Array, length: number): Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer> {
  const b = a instanceof Float64Array ? new Float64Array(length) : new Uint32Array(length);
  b.set(a);
  return b;
}

/** Rows per chunk of a NumberColumn (2^12: 32 KiB of doubles). */
export const COLUMN_CHUNK_BITS = 12;
const CHUNK = 1 << COLUMN_CHUNK_BITS;
const MASK = CHUNK - 1;

/**
 * A growing column of doubles in chunks of 4,096. A doubling array copies itself at every power of two, so
 * a column of n rows briefly holds 3n/2 and keeps up to 2n: at 10 M bench events with every Linux rule the
 * replay's spill offsets went from 8 to 16 MB in one step near the end of the read. Here a full chunk is
 * never copied and the slack is under one chunk. The first chunk still starts small and doubles, because
 * most columns stay tiny (of 401 EQL rules, two keep thousands of rows and the rest none or a few).
 */
export class NumberColumn {
  private readonly chunks: Float64Array[] = [];
  private n = 0;

  constructor(private readonly initialRows = 16) {}

  get length(): number {
    return this.n;
  }

  push(v: number): void {
    const i = this.n;
    const c = i >>> COLUMN_CHUNK_BITS;
    const at = i & MASK;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      chunk = new Float64Array(c === 0 ? Math.max(1, Math.min(this.initialRows, CHUNK)) : CHUNK);
      this.chunks.push(chunk);
    } else if (at === chunk.length) {
      // only the first chunk is ever short
      chunk = enlarged(chunk, Math.min(chunk.length * 2, CHUNK));
      this.chunks[c] = chunk;
    }
    chunk[at] = v;
    this.n = i + 1;
  }

  /** Row `i` (0 ≤ i < length). */
  get(i: number): number {
    return this.chunks[i >>> COLUMN_CHUNK_BITS][i & MASK];
  }

  /** Bytes held by the chunks (what the column costs in memory). */
  get bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.byteLength;
    return b;
  }
}
