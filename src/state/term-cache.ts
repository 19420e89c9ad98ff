// A bounded in-process cache of the terms table (issue 4 "Memory": lookups ≥ 500 k/s with memory well under
// 200 MB), in front of SQLite: combination → {first, last, count}, or null for "known absent". Two
// generations approximate LRU at O(1) per hit without reordering: when the young map is full it becomes
// the old one and the previous old one is dropped; a hit in the old generation is promoted. At most
// `capacity` entries are held. Write-through and invalidation are the store's job (src/state/sqlite.ts).

export interface CachedTerm {
  readonly first: number;
  readonly last: number;
  readonly count: number;
}

export class TermCache {
  private young = new Map<string, CachedTerm | null>();
  private old = new Map<string, CachedTerm | null>();
  private readonly half: number;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  /** undefined: not cached; null: cached as absent. */
  get(key: string): CachedTerm | null | undefined {
    let v = this.young.get(key);
    if (v !== undefined) {
      this.hits++;
      return v;
    }
    v = this.old.get(key);
    if (v !== undefined) {
      this.hits++;
      this.old.delete(key);
      this.put(key, v);
      return v;
    }
    this.misses++;
    return undefined;
  }

  /** Like get, without counting or promoting. */
  peek(key: string): CachedTerm | null | undefined {
    const v = this.young.get(key);
    return v !== undefined ? v : this.old.get(key);
  }

  put(key: string, v: CachedTerm | null): void {
    if (this.capacity <= 0) return;
    if (this.young.size >= this.half && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.old.delete(key);
    this.young.set(key, v);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
