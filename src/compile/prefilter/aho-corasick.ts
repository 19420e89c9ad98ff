// Many needles found in one pass over a line's bytes: an Aho-Corasick automaton compiled to a full
// transition table over byte classes (the bytes that occur in some needle, each its own class; every other
// byte one class), so each byte costs one table read. With thousands of needles (every Linux rule loaded)
// V8's regex engine tries a trie alternation's branches one by one at every position: 530 µs for a 2 KB
// line, where this takes a few. No npm package fits: those build object tries walked per byte.
//
// Case-sensitive and case-insensitive needles share the pass: the automaton reads ASCII letters
// lower-cased, a case-insensitive (lower-case) needle counts wherever it ends, and a case-sensitive one
// only where the text's bytes equal its own.

import { endsValue } from "./gate.js";

/** Transition tables larger than this (entries) are not built: the caller searches needle by needle. */
export const MAX_TABLE_ENTRIES = 16 * 1024 * 1024;

const SIGN = 0x80000000 | 0;
const ROW = 0x7fffffff;

const fold = (b: number): number => (b >= 0x41 && b <= 0x5a ? b + 32 : b);

export interface AutomatonNeedle {
  readonly bytes: Uint8Array;
  /** Found in any case (its bytes are lower-case). */
  readonly folded: boolean;
}

export class NeedleAutomaton {
  /** Byte → class (upper-case ASCII letters share their lower-case letter's class). */
  private readonly cls = new Uint8Array(256);
  private readonly classes: number;
  /**
   * delta[state * classes + class] = the next state's row (next * classes), negative (sign bit set) when
   * some needle ends at the next state: one read and one sign test per byte.
   */
  private readonly delta: Int32Array;
  /** The first needle that ends at a state (-1: none); the next needle ending at the same state (-1: none). */
  private readonly own: Int32Array;
  private readonly same: Int32Array;
  /** The next state on a state's suffix chain where some needle ends (-1: none). */
  private readonly next: Int32Array;
  private readonly needles: readonly AutomatonNeedle[];

  /** undefined when the table would exceed MAX_TABLE_ENTRIES. */
  static build(needles: readonly AutomatonNeedle[]): NeedleAutomaton | undefined {
    let states = 1;
    for (const n of needles) states += n.bytes.length;
    const used = new Set<number>();
    for (const n of needles) for (const b of n.bytes) used.add(fold(b));
    if (states * (used.size + 1) > MAX_TABLE_ENTRIES) return undefined;
    return new NeedleAutomaton(needles, used);
  }

  private constructor(needles: readonly AutomatonNeedle[], used: ReadonlySet<number>) {
    this.needles = needles;
    let c = 1;
    for (const b of [...used].sort((x, y) => x - y)) this.cls[b] = c++;
    for (let b = 0x41; b <= 0x5a; b++) this.cls[b] = this.cls[b + 32];
    this.classes = c;
    // the trie, children in maps while building
    const children: Map<number, number>[] = [new Map()];
    const own: number[] = [-1];
    const same = new Int32Array(needles.length).fill(-1);
    needles.forEach((n, id) => {
      let s = 0;
      for (const b of n.bytes) {
        const k = this.cls[b];
        let t = children[s].get(k);
        if (t === undefined) {
          t = children.length;
          children.push(new Map());
          own.push(-1);
          children[s].set(k, t);
        }
        s = t;
      }
      same[id] = own[s];
      own[s] = id;
    });
    const n = children.length;
    const C = this.classes;
    const delta = new Uint32Array(n * C);
    const fail = new Int32Array(n);
    const next = new Int32Array(n).fill(-1);
    // breadth first: a state's failure state is shallower, so its row is complete when it is read
    const queue: number[] = [];
    for (const [k, t] of children[0]) {
      delta[k] = t;
      queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      const f = fail[s];
      next[s] = own[f] >= 0 ? f : next[f];
      for (let k = 0; k < C; k++) delta[s * C + k] = delta[f * C + k];
      for (const [k, t] of children[s]) {
        fail[t] = delta[f * C + k];
        delta[s * C + k] = t;
        queue.push(t);
      }
    }
    // Renumbered breadth first, so the shallow states a scan visits most share the table's first rows
    // (the cache holds them; a table for thousands of needles is megabytes).
    const order = [0, ...queue];
    const num = new Int32Array(n);
    order.forEach((st, i) => (num[st] = i));
    const rows = new Int32Array(n * C);
    const ownN = new Int32Array(n);
    const nextN = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const st = order[i];
      ownN[i] = own[st];
      nextN[i] = next[st] < 0 ? -1 : num[next[st]];
      for (let k = 0; k < C; k++) {
        const t = delta[st * C + k];
        rows[i * C + k] = own[t] >= 0 || next[t] >= 0 ? (num[t] * C) | SIGN : num[t] * C;
      }
    }
    this.delta = rows;
    this.own = ownN;
    this.same = same;
    this.next = nextN;
  }

  /**
   * Marks every needle that occurs in `text`: `seen[id] = gen`, and `valueSeen[id] = gen` when one of its
   * occurrences ends a value (gate.ts endsValue) and `valueLen[id] >= 0` asks for that.
   */
  mark(text: Uint8Array, gen: number, seen: Int32Array, valueSeen: Int32Array, valueLen: Int32Array): void {
    const { cls, delta, own, same, next, classes } = this;
    let row = 0;
    for (let i = 0; i < text.length; i++) {
      const d = delta[row + cls[text[i]]];
      row = d & ROW;
      if (d < 0) {
        for (let t = own[row / classes] >= 0 ? row / classes : next[row / classes]; t >= 0; t = next[t]) {
          for (let id = own[t]; id >= 0; id = same[id]) {
            if (seen[id] === gen && (valueLen[id] < 0 || valueSeen[id] === gen)) continue;
            if (!this.here(id, text, i + 1)) continue;
            seen[id] = gen;
            if (valueLen[id] >= 0 && endsValue(text, i + 1)) valueSeen[id] = gen;
          }
        }
      }
    }
  }

  /** Does needle `id` end at `end` of `text` (a case-sensitive one with its own bytes)? */
  private here(id: number, text: Uint8Array, end: number): boolean {
    const n = this.needles[id];
    if (n.folded) return true;
    const b = n.bytes;
    const start = end - b.length;
    for (let k = 0; k < b.length; k++) if (text[start + k] !== b[k]) return false;
    return true;
  }
}
