// Many needles found in one pass over a line's bytes: an Aho-Corasick automaton compiled to a full
// transition table over byte classes (the bytes that occur in some needle, each its own class; every other
// byte one class), so each byte costs one table read. With thousands of needles (every Linux rule loaded)
// V8's regex engine tries a trie alternation's branches one by one at every position: 530 µs for a 2 KB
// line, where this takes a few. No npm package fits: those build object tries walked per byte.
//
// Case-sensitive and case-insensitive needles share the pass: the automaton reads ASCII letters
// lower-cased, a case-insensitive (lower-case) needle counts wherever it ends, and a case-sensitive one
// only where the text's bytes equal its own.

import { closesValue, endsValue } from "./gate.js";
import { AUTOMATON_WASM_BASE64 } from "./automaton-wasm.generated.js";

/**
 * How an automaton needle counts: its caller's needle anywhere; a value-only needle's form followed by `,`
 * `}` or `]` (always a value); its form followed by a blank (a value when closesValue says so).
 */
const ANYWHERE = 0;
const CLOSED = 1;
const BLANK = 2;
/** What may follow a value-only needle, and how each counts. */
const VALUE_FOLLOWERS: readonly (readonly [number, number])[] = [
  [0x2c, CLOSED], // ,
  [0x7d, CLOSED], // }
  [0x5d, CLOSED], // ]
  [0x20, BLANK],
  [0x09, BLANK],
  [0x0a, BLANK],
  [0x0d, BLANK],
];

/** Transition tables larger than this (entries) are not built: the caller searches needle by needle. */
export const MAX_TABLE_ENTRIES = 16 * 1024 * 1024;

/** Texts from this many bytes on are read by two interleaved streams (mark). */
const SPLIT_FROM = 256;

const SIGN = 0x80000000 | 0;
const ROW = 0x7fffffff;

const fold = (b: number): number => (b >= 0x41 && b <= 0x5a ? b + 32 : b);

export interface AutomatonNeedle {
  readonly bytes: Uint8Array;
  /** Found in any case (its bytes are lower-case). */
  readonly folded: boolean;
  /**
   * Only its occurrences that end a JSON string value matter (a needle like `"id"`, required as a value,
   * whose text is also a key in every event: `"id":`). The automaton then looks for it followed by `,`, `}`
   * or `]`, or by blanks and then one of those, and marks it, seen and as a value, only there: its key
   * occurrences cost nothing. In JSON text a value string is always followed so; at the very end of a text
   * (no JSON object ends there) it is not marked.
   */
  readonly valueOnly?: boolean;
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
  /**
   * The needles that end at a state, its own and those of its suffix chain, as one run per state:
   * outIds[outStart[state] .. outStart[state + 1]).
   */
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;
  /** The longest needle's length in bytes: how far back a second stream must start to miss nothing. */
  private readonly maxLen: number;
  /** Texts shorter than this are read by one stream (the split costs more than it saves). */
  private readonly splitFrom: number;
  /** The needles the automaton searches: the caller's, value-only ones as their followed forms. */
  private readonly needles: readonly AutomatonNeedle[];
  /** For each automaton needle, the caller's needle (its id in mark's arrays) and how it counts. */
  private readonly origin: Int32Array;
  private readonly kind: Uint8Array;
  /** Where the current mark() lists the needles it finds, each once (see mark's `found`). */
  private list: number[] | undefined;
  /** The scan in WebAssembly, when it runs here (else the JavaScript loop reads `delta`). */
  private readonly wasm: WasmScan | undefined;

  /** Which loop scans: WebAssembly's, or JavaScript's where WebAssembly cannot run or was not asked for. */
  get engine(): "wasm" | "js" {
    return this.wasm === undefined ? "js" : "wasm";
  }

  /**
   * undefined when the table would exceed MAX_TABLE_ENTRIES. `wasm: false` keeps the scan in JavaScript
   * (tests compare the two).
   */
  static build(callerNeedles: readonly AutomatonNeedle[], opts: { splitFrom?: number; wasm?: boolean } = {}): NeedleAutomaton | undefined {
    const needles: AutomatonNeedle[] = [];
    const origin: number[] = [];
    const kind: number[] = [];
    callerNeedles.forEach((n, id) => {
      if (n.valueOnly !== true) {
        needles.push(n);
        origin.push(id);
        kind.push(ANYWHERE);
        return;
      }
      for (const [follower, how] of VALUE_FOLLOWERS) {
        const bytes = new Uint8Array(n.bytes.length + 1);
        bytes.set(n.bytes);
        bytes[n.bytes.length] = follower;
        needles.push({ bytes, folded: n.folded });
        origin.push(id);
        kind.push(how);
      }
    });
    let states = 1;
    for (const n of needles) states += n.bytes.length;
    const used = new Set<number>();
    for (const n of needles) for (const b of n.bytes) used.add(fold(b));
    if (states * (used.size + 1) > MAX_TABLE_ENTRIES) return undefined;
    return new NeedleAutomaton(needles, Int32Array.from(origin), Uint8Array.from(kind), used, opts.splitFrom ?? SPLIT_FROM, opts.wasm !== false);
  }

  private constructor(needles: readonly AutomatonNeedle[], origin: Int32Array, kind: Uint8Array, used: ReadonlySet<number>, splitFrom: number, wasm: boolean) {
    this.needles = needles;
    this.origin = origin;
    this.kind = kind;
    this.maxLen = Math.max(1, ...needles.map((n) => n.bytes.length));
    this.splitFrom = splitFrom;
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
    const outStart = new Int32Array(n + 1);
    const outIds: number[] = [];
    for (let i = 0; i < n; i++) {
      const st = order[i];
      outStart[i] = outIds.length;
      for (let t = own[st] >= 0 ? st : next[st]; t >= 0; t = next[t]) for (let id = own[t]; id >= 0; id = same[id]) outIds.push(id);
      for (let k = 0; k < C; k++) {
        const t = delta[st * C + k];
        rows[i * C + k] = own[t] >= 0 || next[t] >= 0 ? (num[t] * C) | SIGN : num[t] * C;
      }
    }
    outStart[n] = outIds.length;
    this.wasm = wasm ? WasmScan.of(this.cls, rows) : undefined;
    // the JavaScript loop's table is not kept where the module holds its own copy
    this.delta = this.wasm === undefined ? rows : new Int32Array(0);
    this.outStart = outStart;
    this.outIds = Int32Array.from(outIds);
  }

  /**
   * Marks every needle that occurs in `text`: `seen[id] = gen`, and `valueSeen[id] = gen` when one of its
   * occurrences ends a value (gate.ts endsValue) and `valueLen[id] >= 0` asks for that. `found`, when
   * given, receives each needle found (whose `seen` was not yet `gen`) once. Ids are the positions of the
   * needles given to build(); a value-only needle counts only where it ends a value (AutomatonNeedle).
   */
  mark(text: Uint8Array, gen: number, seen: Int32Array, valueSeen: Int32Array, valueLen: Int32Array, found?: number[]): void {
    const { cls, delta } = this;
    this.list = found;
    const n = text.length;
    if (this.wasm !== undefined) {
      // four streams over four stretches that overlap by the longest needle less one byte (automaton.wat)
      const stride = n >= this.splitFrom ? Math.floor((n - this.maxLen + 1) / WASM_STREAMS) : 0;
      const count = this.wasm.scan(text, stride, stride > 0 ? stride + this.maxLen - 1 : 0);
      const { words, hitsAt } = this.wasm;
      for (let k = 0; k < count; k++) {
        const at = hitsAt + 2 * k;
        this.found((words[at + 1] - WASM_ROOT) >> 2, text, words[at], gen, seen, valueSeen, valueLen);
      }
      return;
    }
    // Two streams over the two halves, interleaved: each byte's table read waits on the one before it (the
    // state), so one stream leaves the CPU idle between reads where two keep it busy (1.7 against 3 ns a
    // byte). The second starts maxLen - 1 bytes early, with the start state, so it finds every needle
    // that ends in its half; one that ends in the first half is the first stream's.
    const half = n >> 1;
    const from2 = half - this.maxLen + 1;
    let i = 0;
    let row = 0;
    if (n >= this.splitFrom && from2 > 0) {
      let j = from2;
      let row2 = 0;
      for (; i < half; i++, j++) {
        const d = delta[row + cls[text[i]]];
        const d2 = delta[row2 + cls[text[j]]];
        row = d & ROW;
        row2 = d2 & ROW;
        if ((d | d2) < 0) {
          if (d < 0) this.found(row, text, i + 1, gen, seen, valueSeen, valueLen);
          if (d2 < 0) this.found(row2, text, j + 1, gen, seen, valueSeen, valueLen);
        }
      }
      i = j;
      row = row2;
    }
    for (; i < n; i++) {
      const d = delta[row + cls[text[i]]];
      row = d & ROW;
      if (d < 0) this.found(row, text, i + 1, gen, seen, valueSeen, valueLen);
    }
  }

  /** Marks the needles that end at `end` of `text`, where the automaton reached `row`. */
  private found(row: number, text: Uint8Array, end: number, gen: number, seen: Int32Array, valueSeen: Int32Array, valueLen: Int32Array): void {
    const state = (row / this.classes) | 0;
    const ids = this.outIds;
    for (let k = this.outStart[state], stop = this.outStart[state + 1]; k < stop; k++) {
      const a = ids[k];
      const id = this.origin[a];
      if (seen[id] === gen && (valueLen[id] < 0 || valueSeen[id] === gen)) continue;
      if (!this.here(a, text, end)) continue;
      const how = this.kind[a];
      if (how === BLANK && !closesValue(text, end)) continue;
      if (seen[id] !== gen) {
        seen[id] = gen;
        this.list?.push(id);
      }
      if (valueLen[id] >= 0 && (how !== ANYWHERE || endsValue(text, end))) valueSeen[id] = gen;
    }
  }

  /** Does automaton needle `a` end at `end` of `text` (a case-sensitive one with its own bytes)? */
  private here(a: number, text: Uint8Array, end: number): boolean {
    const n = this.needles[a];
    if (n.folded) return true;
    const b = n.bytes;
    const start = end - b.length;
    for (let k = 0; k < b.length; k++) if (text[start + k] !== b[k]) return false;
    return true;
  }
}

/** Streams of automaton.wat's scan. */
const WASM_STREAMS = 4;
/** Where the module's transition table starts (after the 256 byte classes). */
const WASM_ROOT = 256;
const PAGE = 65536;

let wasmModule: WebAssembly.Module | null | undefined;

/**
 * One automaton's scan in WebAssembly: a module instance whose memory holds its byte classes and its table
 * (rows as addresses), then the text and the hits. Measured on 10,000 bench lines with the 48 Linux rules
 * the bench's index reaches (404 needles, 834 kB table), hits handled in JavaScript either way: 1.97-2.03
 * ns a byte for the JavaScript loop, 1.55-1.82 for this, 1.0-1.2 for the scan alone (2-core machine,
 * quiet; in a slow spell 3.5-3.7, 2.2-2.5 and 1.4).
 */
class WasmScan {
  words: Int32Array;
  /** The word where the last scan's hits start. */
  hitsAt = 0;
  private bytes: Uint8Array;
  private readonly textAt: number;

  private constructor(private readonly memory: WebAssembly.Memory, private readonly scanFn: (text: number, n: number, root: number, out: number, stride: number, steps: number) => number, tableBytes: number) {
    this.textAt = (WASM_ROOT + tableBytes + 15) & ~15;
    this.bytes = new Uint8Array(memory.buffer);
    this.words = new Int32Array(memory.buffer);
  }

  /** undefined where WebAssembly cannot run (the JavaScript loop takes over). */
  static of(cls: Uint8Array, rows: Int32Array): WasmScan | undefined {
    if (wasmModule === undefined) {
      try {
        wasmModule = new WebAssembly.Module(Buffer.from(AUTOMATON_WASM_BASE64, "base64"));
      } catch {
        wasmModule = null;
      }
    }
    if (wasmModule === null) return undefined;
    let exports: { memory: WebAssembly.Memory; scan: WasmScan["scanFn"] };
    try {
      exports = new WebAssembly.Instance(wasmModule, {}).exports as unknown as typeof exports;
      const need = WASM_ROOT + rows.length * 4 + PAGE;
      exports.memory.grow(Math.ceil(need / PAGE));
    } catch {
      return undefined;
    }
    const w = new WasmScan(exports.memory, exports.scan, rows.length * 4);
    w.bytes.set(cls, 0);
    // a row index (state * classes) becomes the row's address; the sign bit stays
    const base = WASM_ROOT >> 2;
    for (let k = 0; k < rows.length; k++) w.words[base + k] = (WASM_ROOT + (rows[k] & ROW) * 4) | (rows[k] & SIGN);
    return w;
  }

  /** Scans `text` (see automaton.wat); returns how many hits, pairs (end, row address) from word `hitsAt`. */
  scan(text: Uint8Array, stride: number, steps: number): number {
    const n = text.length;
    const out = (this.textAt + n + 7) & ~7;
    const need = out + (n + (WASM_STREAMS - 1) * steps + 1) * 8;
    if (need > this.bytes.length) {
      this.memory.grow(Math.ceil((need - this.bytes.length) / PAGE));
      this.bytes = new Uint8Array(this.memory.buffer);
      this.words = new Int32Array(this.memory.buffer);
    }
    this.bytes.set(text, this.textAt);
    this.hitsAt = out >> 2;
    return this.scanFn(this.textAt, n, WASM_ROOT, out, stride, steps);
  }
}
