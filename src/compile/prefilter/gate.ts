// The chunk gate of the prefilter (issue 6 speed): instead of running the line prefilter on every line, the
// NDJSON source searches each 1 MiB chunk once per needle of a "gate" — a set of byte strings such that
// every line the prefilter can pass holds at least one of them — and runs the prefilter only on the lines
// that hold a hit. The gate is a clause the requirement formula implies: a literal's gate is itself, an
// `and` needs only its cheapest child's gate, an `or` the union of its children's. Which clause is cheapest
// depends on the data, so it is chosen from a sample chunk: how often each needle occurs, and how often
// memchr stops on the byte each search starts from.
//
// Escapes: a needle can be hidden from a raw search by JSON escapes (see prefilter.ts). When every gate
// needle can only be hidden by a \uXXXX escape, `\u` joins the gate; otherwise any backslash does.

import { needlesOf, type Req } from "./requirements.js";
import { TeddySearch } from "./simd-gate.js";

/** JSON's blanks between tokens: space, tab, CR and LF. */
export const isBlankByte = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const COLON = 0x3a;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Is the token ending at `end` a value (its next non-blank character is not `:`, which would make it a key)? */
export function endsValue(text: string | Uint8Array, end: number): boolean {
  if (typeof text === "string") {
    while (end < text.length && isBlankByte(text.charCodeAt(end))) end++;
    return end >= text.length || text.charCodeAt(end) !== COLON;
  }
  while (end < text.length && isBlankByte(text[end])) end++;
  return end >= text.length || text[end] !== COLON;
}

/** Is the string token ending at `end` followed, after blanks, by `,`, `}` or `]` (a value, in JSON text)? */
export function closesValue(text: Uint8Array, end: number): boolean {
  while (end < text.length && isBlankByte(text[end])) end++;
  if (end >= text.length) return false;
  const c = text[end];
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET;
}

/** Gates with more needles than this are not tried: as many passes over a chunk cost more than they save. */
const MAX_GATE_NEEDLES = 12;
/** Formulas with more distinct needles are not sampled (each costs a pass over the sample chunk). */
const MAX_SAMPLED_NEEDLES = 160;

// Cost model, in nanoseconds per 1 MiB chunk measured on the 2-core machine of bench/README.md (Node 20):
// Buffer.indexOf of a short pattern is a memchr for its first byte plus a compare at each occurrence of
// that byte (≈ 50 µs per pass, ≈ 6 ns per stop); each hit returns to JavaScript (≈ 60 ns); a line that
// holds a hit gets the line prefilter (≈ 0.9 ns per byte: its latin1 string and the needle regex).
const PASS_NS_PER_BYTE = 0.05;
const STOP_NS = 6;
const HIT_NS = 60;
const PREFILTER_NS_PER_BYTE = 0.9;
/** ... and more with many needles: the needle regex of 84 rules' union (≈ 650 needles) runs at ≈ 5 ns per byte. */
const PREFILTER_NS_PER_BYTE_PER_NEEDLE = 0.007;
/** The gate is used only when it is estimated at most this fraction of prefiltering every line. */
const WORTH = 0.8;
/**
 * Longest anchor searched: Node switches to Boyer-Moore-Horspool for longer patterns, which on JSON text
 * is several times slower than memchr for a rare first byte (bench: `_integrity"` 387 µs/MiB, `grity"` 109).
 */
const MAX_ANCHOR = 6;

/**
 * One needle as searched: its bytes, and the anchor indexOf looks for — at most MAX_ANCHOR bytes starting
 * at the needle's rarest byte; the bytes around it are compared at each anchor hit.
 */
interface Search {
  readonly bytes: Buffer;
  /** Only occurrences that end a value count (see Req `value`). */
  readonly value: boolean;
  /** Offset of the anchor inside `bytes`. */
  readonly at: number;
  readonly anchor: Buffer;
}

export interface ChunkGate {
  /**
   * Appends to `out`, in ascending order, the start offset of every occurrence in `buf` of every gate
   * needle that starts inside `buf` (occurrences start inside [0, buf.length)). A line without one is a
   * line the prefilter rejects.
   */
  hits(buf: Buffer, out: number[]): void;
  /**
   * A buffer of `bytes` bytes to read the next chunk into: `hits` searches it where it lies instead of
   * copying it first (a view of the SIMD search's memory, valid until the next call). Absent: any buffer.
   */
  readonly readBuffer?: (bytes: number) => Buffer;
  /** The needles, for tests and explanations. */
  readonly needles: readonly string[];
}

/**
 * Chooses a gate for `req` from the sample `buf` (whole lines of the data to come), or undefined when no
 * gate exists (`true`, or a formula too wide) or it would not pay on this data (`always`: use it anyway).
 */
export function chooseGate(req: Req, sample: Buffer, opts: { readonly always?: boolean } = {}): ChunkGate | undefined {
  if (req.k === "true" || sample.length === 0) return undefined;
  const lits = needlesOf(req);
  // a needle some literal counts anywhere is searched anywhere
  const valueOnly = (s: string): boolean => lits.get(s)?.plain === false;
  if (lits.size > MAX_SAMPLED_NEEDLES) return undefined;
  // Too wide whatever the data (a union of many rules): do not pay for the sampling.
  const narrowest = cheapest(req, () => 1);
  if (narrowest === undefined || narrowest.size > MAX_GATE_NEEDLES) return undefined;
  const freq = byteFrequencies(sample);
  const lines = Math.max(1, countByte(sample, 0x0a));
  const lineNs = (sample.length / lines) * (PREFILTER_NS_PER_BYTE + PREFILTER_NS_PER_BYTE_PER_NEEDLE * lits.size);
  const costOf = new Map<string, number>();
  const cost = (s: string): number => {
    let c = costOf.get(s);
    if (c === undefined) {
      const search = searchOf(s, freq, valueOnly(s));
      const hits = countHits(sample, search);
      c = sample.length * PASS_NS_PER_BYTE + freq[search.anchor[0]] * STOP_NS + hits * HIT_NS + Math.min(hits, lines) * lineNs;
      costOf.set(s, c);
    }
    return c;
  };
  const best = cheapest(req, cost);
  if (best === undefined) return undefined;
  const escape = [...best].every((s) => lits.get(s)?.finalWithoutU === true) ? "\\u" : "\\";
  const needles = [...best, escape];
  const total = needles.reduce((sum, s) => sum + cost(s), 0);
  const noGate = lines * lineNs;
  if (opts.always !== true && total > WORTH * noGate) return undefined;
  return gateOf(needles, freq, new Set(needles.filter(valueOnly)));
}

/**
 * A gate over exactly these needles (searched from their rarest byte in `freq`; tests may omit it). `simd`
 * false: one indexOf pass per needle even where the SIMD search could run (tests compare the two).
 */
export function gateOf(
  needles: readonly string[],
  freq: ArrayLike<number> = new Uint32Array(256),
  values: ReadonlySet<string> = new Set(),
  opts: { readonly simd?: boolean } = {},
): ChunkGate {
  const searches = needles.map((s) => searchOf(s, freq, values.has(s)));
  // all needles in one SIMD pass where it can (simd-gate.ts), else one indexOf pass each
  const simd = opts.simd === false ? undefined : TeddySearch.of(
    searches.map((sr) => sr.bytes),
    freq,
  );
  return {
    needles,
    ...(simd === undefined ? {} : { readBuffer: (bytes: number) => simd.inputView(bytes) }),
    hits(buf, out) {
      const from = out.length;
      const found = (start: number, i: number): void => {
        const sr = searches[i];
        if (!sr.value || endsValue(buf, start + sr.bytes.length)) out.push(start);
      };
      if (simd === undefined || !simd.scan(buf, found)) for (const sr of searches) collectHits(buf, sr, out);
      if (searches.length > 1) {
        const part = out.splice(from).sort((a, b) => a - b);
        for (const p of part) out.push(p);
      }
    },
  };
}

/** The cheapest gate clause of `req` (a set of at most MAX_GATE_NEEDLES needles), undefined when it has none. */
function cheapest(req: Req, cost: (s: string) => number): Set<string> | undefined {
  switch (req.k) {
    case "true":
    case "field":
      return undefined;
    case "lit":
      // a case-insensitive needle is not a byte string a chunk search could find
      return req.ci === true ? undefined : new Set([req.s]);
    case "and": {
      let best: Set<string> | undefined;
      let bestCost = Infinity;
      for (const c of req.c) {
        const g = cheapest(c, cost);
        if (g === undefined) continue;
        const gc = [...g].reduce((sum, s) => sum + cost(s), 0);
        if (gc < bestCost) {
          best = g;
          bestCost = gc;
        }
      }
      return best;
    }
    case "or": {
      const all = new Set<string>();
      for (const c of req.c) {
        const g = cheapest(c, cost);
        if (g === undefined) return undefined;
        for (const s of g) all.add(s);
        if (all.size > MAX_GATE_NEEDLES) return undefined;
      }
      return all;
    }
  }
}

function searchOf(s: string, freq: ArrayLike<number>, value = false): Search {
  const bytes = Buffer.from(s, "utf8");
  let at = 0;
  for (let i = 1; i < bytes.length; i++) if (freq[bytes[i]] < freq[bytes[at]]) at = i;
  return { bytes, value, at, anchor: bytes.subarray(at, Math.min(bytes.length, at + MAX_ANCHOR)) };
}

function collectHits(buf: Buffer, sr: Search, out: number[]): void {
  const { bytes, at, anchor } = sr;
  const n = bytes.length;
  const afterAnchor = at + anchor.length;
  // the whole needle must fit: it starts at p - at >= 0 and ends at p - at + n <= buf.length
  const last = buf.length - n + at;
  let from = at;
  for (;;) {
    const p = buf.indexOf(anchor, from);
    if (p < 0 || p > last) return;
    from = p + 1;
    const start = p - at;
    let ok = true;
    for (let i = 0; i < at; i++) {
      if (buf[start + i] !== bytes[i]) {
        ok = false;
        break;
      }
    }
    for (let i = afterAnchor; ok && i < n; i++) if (buf[start + i] !== bytes[i]) ok = false;
    if (ok && (!sr.value || endsValue(buf, start + n))) out.push(start);
  }
}

function countHits(buf: Buffer, sr: Search): number {
  const out: number[] = [];
  collectHits(buf, sr, out);
  return out.length;
}

function byteFrequencies(buf: Buffer): Uint32Array {
  const f = new Uint32Array(256);
  for (let i = 0; i < buf.length; i++) f[buf[i]]++;
  return f;
}

function countByte(buf: Buffer, b: number): number {
  let n = 0;
  for (let p = buf.indexOf(b); p >= 0; p = buf.indexOf(b, p + 1)) n++;
  return n;
}
