// The in-memory index of one term set (issue 4 "Memory": 1 M combinations well under 200 MB, looked up at
// ≥ 500 k/s): an open-addressing hash table in typed arrays, keyed by the stored hash53 of a combination
// plus a second, seeded 32-bit hash (state/hash.ts), holding first/last sighting and count. 36 bytes per
// slot and no per-entry object. The store builds it from one scan of the set's rows and keeps it in step
// with its writes (state/sqlite.ts); docs/engine.md "Memory" gives the false-match bound of the 85-bit key.

/** Largest share of used slots before the table grows (by half again, rehashing every entry). */
export const MAX_LOAD = 0.7;
/** Share of used slots a table built for `n` entries starts with, so that it takes writes before growing. */
const BUILD_LOAD = 0.6;
const EMPTY = -1; // hash53 is never negative
const TWO32 = 0x1_0000_0000;

export class TermIndex {
  private cap: number;
  private hi: Float64Array; // hash53, or EMPTY
  private h2: Uint32Array;
  private firsts: Float64Array;
  private lasts: Float64Array;
  private counts: Float64Array;
  size = 0;

  constructor(expected = 0) {
    this.cap = Math.max(16, Math.ceil(expected / BUILD_LOAD));
    this.hi = new Float64Array(this.cap).fill(EMPTY);
    this.h2 = new Uint32Array(this.cap);
    this.firsts = new Float64Array(this.cap);
    this.lasts = new Float64Array(this.cap);
    this.counts = new Float64Array(this.cap);
  }

  get capacity(): number {
    return this.cap;
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.cap * 36;
  }

  /** The slot of the entry with these hashes, or -1. Read it with first/last/count. */
  find(h53: number, h2: number): number {
    const cap = this.cap;
    const hi = this.hi;
    // Low 32 bits of hash53, scaled to the capacity (no power-of-two sizes needed); then linear probing.
    let i = Math.floor(((h53 >>> 0) / TWO32) * cap);
    for (;;) {
      const h = hi[i];
      if (h === EMPTY) return -1;
      if (h === h53 && this.h2[i] === h2) return i;
      if (++i === cap) i = 0;
    }
  }

  first(slot: number): number {
    return this.firsts[slot];
  }

  last(slot: number): number {
    return this.lasts[slot];
  }

  count(slot: number): number {
    return this.counts[slot];
  }

  /** Adds a sighting the way the terms table's upsert does: first = min, last = max, counts added. */
  merge(h53: number, h2: number, first: number, last: number, count: number): void {
    const found = this.find(h53, h2);
    if (found >= 0) {
      if (first < this.firsts[found]) this.firsts[found] = first;
      if (last > this.lasts[found]) this.lasts[found] = last;
      this.counts[found] += count;
      return;
    }
    if (this.size + 1 > this.cap * MAX_LOAD) this.grow();
    this.place(h53, h2, first, last, count);
    this.size++;
  }

  private place(h53: number, h2: number, first: number, last: number, count: number): void {
    const cap = this.cap;
    let i = Math.floor(((h53 >>> 0) / TWO32) * cap);
    while (this.hi[i] !== EMPTY) if (++i === cap) i = 0;
    this.hi[i] = h53;
    this.h2[i] = h2;
    this.firsts[i] = first;
    this.lasts[i] = last;
    this.counts[i] = count;
  }

  private grow(): void {
    const { cap, hi, h2, firsts, lasts, counts } = this;
    this.cap = Math.ceil(cap * 1.5);
    this.hi = new Float64Array(this.cap).fill(EMPTY);
    this.h2 = new Uint32Array(this.cap);
    this.firsts = new Float64Array(this.cap);
    this.lasts = new Float64Array(this.cap);
    this.counts = new Float64Array(this.cap);
    for (let i = 0; i < cap; i++) if (hi[i] !== EMPTY) this.place(hi[i], h2[i], firsts[i], lasts[i], counts[i]);
  }
}
