// The in-memory index of one term set (issue 4 "Memory": 1 M combinations well under 200 MB, looked up at
// ≥ 500 k/s): an open-addressing hash table keyed by the stored hash53 of a combination plus a second,
// seeded 32-bit hash (state/hash.ts), holding first/last sighting and count. Entries sit densely in typed
// arrays (36 bytes each) and the table holds 4-byte entry numbers, so memory follows the entry count and
// no per-entry object exists. The store builds it from one scan of the set's rows and keeps it in step
// with its writes (state/sqlite.ts); docs/engine.md "Memory" gives the false-match bound of the 85-bit key.

import { enlarged } from "../util/typed-array.js";

/** Largest share of used table slots before the table doubles (rehashing entry numbers only). */
export const MAX_LOAD = 0.7;
const TWO32 = 0x1_0000_0000;

export class TermIndex {
  private slots: Int32Array; // entry number + 1, or 0 for an empty slot
  private entCap: number;
  private hi: Float64Array; // hash53
  private h2: Uint32Array;
  private firsts: Float64Array;
  private lasts: Float64Array;
  private counts: Float64Array;
  size = 0;

  /** Sized for `expected` entries plus a tenth for writes, at table load 0.5. */
  constructor(expected = 0) {
    this.slots = new Int32Array(Math.max(16, Math.ceil(expected * 2)));
    this.entCap = Math.max(16, Math.ceil(expected * 1.1));
    this.hi = new Float64Array(this.entCap);
    this.h2 = new Uint32Array(this.entCap);
    this.firsts = new Float64Array(this.entCap);
    this.lasts = new Float64Array(this.entCap);
    this.counts = new Float64Array(this.entCap);
  }

  /** Table slots and entry room (tests and bench/state.ts). */
  get capacity(): { slots: number; entries: number } {
    return { slots: this.slots.length, entries: this.entCap };
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    return this.slots.length * 4 + this.entCap * 36;
  }

  /** The entry with these hashes, or -1. Read it with first/last/count. */
  find(h53: number, h2: number): number {
    const slots = this.slots;
    const cap = slots.length;
    // Low 32 bits of hash53 scaled to the table (no power-of-two sizes needed); then linear probing.
    let i = Math.floor(((h53 >>> 0) / TWO32) * cap);
    for (;;) {
      const e = slots[i] - 1;
      if (e < 0) return -1;
      if (this.hi[e] === h53 && this.h2[e] === h2) return e;
      if (++i === cap) i = 0;
    }
  }

  first(e: number): number {
    return this.firsts[e];
  }

  last(e: number): number {
    return this.lasts[e];
  }

  count(e: number): number {
    return this.counts[e];
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
    if (this.size + 1 > this.slots.length * MAX_LOAD) this.rehash(this.slots.length * 2);
    if (this.size === this.entCap) this.growEntries();
    const e = this.size++;
    this.hi[e] = h53;
    this.h2[e] = h2;
    this.firsts[e] = first;
    this.lasts[e] = last;
    this.counts[e] = count;
    this.place(h53, e);
  }

  private place(h53: number, e: number): void {
    const slots = this.slots;
    const cap = slots.length;
    let i = Math.floor(((h53 >>> 0) / TWO32) * cap);
    while (slots[i] !== 0) if (++i === cap) i = 0;
    slots[i] = e + 1;
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount);
    for (let e = 0; e < this.size; e++) this.place(this.hi[e], e);
  }

  private growEntries(): void {
    this.entCap = Math.ceil(this.entCap * 1.5);
    this.hi = enlarged(this.hi, this.entCap);
    this.h2 = enlarged(this.h2, this.entCap);
    this.firsts = enlarged(this.firsts, this.entCap);
    this.lasts = enlarged(this.lasts, this.entCap);
    this.counts = enlarged(this.counts, this.entCap);
  }
}
