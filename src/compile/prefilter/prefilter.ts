// The byte-level KQL prefilter (issue 3): given a raw NDJSON line, answer false only when no event the line
// can encode matches the query. Required literals (requirements.ts) are searched with native indexOf on
// the raw bytes or string; only when a needle is missing and the line holds a backslash is the line's
// JSON escaping (\/, \uXXXX, \", …) decoded once and searched again, so clean lines never pay for it.

import { isAscii } from "node:buffer";
import { parseKql, type KqlNode } from "../../lang/kql/index.js";
import { assertNever, type KqlEvalOptions } from "../predicate/ir.js";
import { andOf, litKey, needlesOf, orOf, rawIsFinalWithoutU, requirementsOf, type NeedleUse, type Req } from "./requirements.js";
import { chooseGate, endsValue, type ChunkGate } from "./gate.js";
import { NeedleAutomaton } from "./aho-corasick.js";
import { fieldKey, mayHoldValue } from "./field-value.js";

/**
 * A line test; `gateFor` (when present) picks, from a sample of the data, a chunk gate: needles at least
 * one of which every line the test passes contains (gate.ts).
 */
export type KqlPrefilter = ((line: string | Uint8Array) => boolean) & {
  readonly gateFor?: (sample: Buffer) => ChunkGate | undefined;
  /** After a call that returned true: which rules the line may match, by position (see sieveOf); undefined = all. */
  readonly rules?: () => Uint8Array | undefined;
  /** The requirement formula the test implements. */
  readonly req?: Req;
  /** After a call that returned false: whether the line meets the sieve's `also` formula (see sieveOf). */
  readonly also?: () => boolean;
}

const BACKSLASH = 0x5c;
const NON_ASCII = /[^\x00-\x7f]/;
const UNICODE_ESCAPE = Buffer.from("\\u", "latin1");
const SIMPLE: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function hexValue(s: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 4; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Decodes every JSON string escape in the whole line, so each string value appears verbatim in the result.
 * Slices between backslashes are copied whole; an invalid escape is kept as typed (such a line is not JSON).
 */
export function decodeJsonEscapes(line: string): string {
  let at = line.indexOf("\\");
  if (at < 0) return line;
  let out = "";
  let last = 0;
  while (at >= 0 && at + 1 < line.length) {
    out += line.slice(last, at);
    const ch = line[at + 1];
    const simple = ch === "u" ? undefined : SIMPLE[ch];
    if (simple !== undefined) {
      out += simple;
      last = at + 2;
    } else {
      const v = ch === "u" ? hexValue(line, at + 2) : -1;
      if (v >= 0) {
        out += String.fromCharCode(v);
        last = at + 6;
      } else {
        out += "\\";
        last = at + 1;
      }
    }
    at = line.indexOf("\\", last);
  }
  return out + line.slice(last);
}

/** Does `needle` occur in `hay` (as a value's end when `value`)? */
function occurs(hay: string, needle: string, value: boolean): boolean;
function occurs(hay: Buffer, needle: Buffer, value: boolean): boolean;
function occurs(hay: string | Buffer, needle: string | Buffer, value: boolean): boolean {
  for (let p = (hay as Buffer).indexOf(needle as Buffer); p >= 0; p = (hay as Buffer).indexOf(needle as Buffer, p + 1)) {
    if (!value || endsValue(hay, p + needle.length)) return true;
  }
  return false;
}

/** Per-line search state, reset on every call; the needles close over it so nothing is allocated per line. */
class LineState {
  str = "";
  buf: Buffer | undefined = undefined;
  /** undefined = not computed yet; null = the line has no backslash, so it is its own decoding. */
  decoded: string | null | undefined = undefined;
  /** Does the line hold a `\u` escape? undefined = not computed yet. */
  unicodeEscape: boolean | undefined = undefined;
  /** Does the line hold a backslash? undefined = not computed yet. */
  backslash: boolean | undefined = undefined;
  /** The line's text lower-cased, and its decoding lower-cased (null: no backslash); undefined = not computed yet. */
  folded: string | undefined = undefined;
  foldedDecoded: string | null | undefined = undefined;
  /** Can case folding of this line differ from ASCII's (a non-ASCII character or a `\u` escape)? */
  foldUnsure: boolean | undefined = undefined;
  /** A string line's UTF-8 bytes, once asked for. */
  encoded: Buffer | undefined = undefined;
  /** Bumped per line: a needle's cached answer is valid while its generation equals this. */
  gen = 0;

  reset(line: string | Uint8Array): void {
    if (typeof line === "string") {
      this.str = line;
      this.buf = undefined;
    } else {
      this.buf = Buffer.isBuffer(line) ? line : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
      this.str = "";
    }
    this.decoded = undefined;
    this.unicodeEscape = undefined;
    this.backslash = undefined;
    this.folded = undefined;
    this.foldedDecoded = undefined;
    this.foldUnsure = undefined;
    this.encoded = undefined;
    this.gen++;
  }

  /** The line's bytes (a string line encoded once). */
  bytes(): Buffer {
    if (this.buf !== undefined) return this.buf;
    return (this.encoded ??= Buffer.from(this.str, "utf8"));
  }

  /** The raw line lower-cased (latin1 text of its bytes: only ASCII letters matter, see foldIsUnsure). */
  foldedText(): string {
    return (this.folded ??= (this.buf !== undefined ? this.buf.toString("latin1") : this.str).toLowerCase());
  }

  foldedDecodedText(): string | null {
    if (this.foldedDecoded === undefined) {
      const d = this.decodedText();
      this.foldedDecoded = d === null ? null : d.toLowerCase();
    }
    return this.foldedDecoded;
  }

  foldIsUnsure(): boolean {
    this.foldUnsure ??= this.hasUnicodeEscape() || (this.buf !== undefined ? !isAscii(this.buf) : NON_ASCII.test(this.str));
    return this.foldUnsure;
  }

  hasUnicodeEscape(): boolean {
    if (this.unicodeEscape === undefined) {
      this.unicodeEscape = this.buf !== undefined ? this.buf.indexOf(UNICODE_ESCAPE) >= 0 : this.str.indexOf("\\u") >= 0;
    }
    return this.unicodeEscape;
  }

  hasBackslash(): boolean {
    this.backslash ??= this.buf !== undefined ? this.buf.indexOf(BACKSLASH) >= 0 : this.str.indexOf("\\") >= 0;
    return this.backslash;
  }

  /** The line with its JSON escapes decoded; null when it has no backslash (it is its own decoding). */
  decodedText(): string | null {
    // (null is an answer: only undefined means not computed yet)
    if (this.decoded === undefined) this.decoded = this.hasBackslash() ? decodeJsonEscapes(this.buf !== undefined ? this.buf.toString("utf8") : this.str) : null;
    return this.decoded;
  }
}

/** Formulas with at least this many distinct needles find them all in one regex pass, not one indexOf each. */
export const SCAN_MIN_NEEDLES = 6;

interface TrieNode {
  /** A word ends here: a plain one, or one that counts only where it ends a value. */
  end: false | "plain" | "value";
  readonly next: Map<string, TrieNode>;
}

const reEscape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
/** What ends a value: the next non-blank character is not a colon (that would make the string a key). */
const ENDS_VALUE = "(?![\\t\\n\\r ]*:)";

/**
 * The alternation of `words` as a regex over their character trie: at each position the engine follows
 * one path instead of trying every word, and a greedy optional tail makes the longest word win. A word of
 * `valueOnly` matches only where it ends a value, so the keys that share its text ("id":) never leave
 * the regex engine.
 */
function trieSource(words: readonly string[], valueOnly: ReadonlySet<string> = new Set()): string {
  const root: TrieNode = { end: false, next: new Map() };
  for (const w of words) {
    let n = root;
    for (const ch of w) {
      let m = n.next.get(ch);
      if (m === undefined) n.next.set(ch, (m = { end: false, next: new Map() }));
      n = m;
    }
    n.end = valueOnly.has(w) ? "value" : "plain";
  }
  const emit = (start: TrieNode): string => {
    // A run of nodes with one child and no word ending is plain text: walked in a loop, so a needle of
    // thousands of characters does not nest thousands of calls.
    let run = "";
    let n = start;
    while (n.end === false && n.next.size === 1) {
      const [ch, m] = n.next.entries().next().value as [string, TrieNode];
      run += reEscape(ch);
      n = m;
    }
    const alts = [...n.next].map(([ch, m]) => reEscape(ch) + emit(m));
    if (alts.length === 0) return run + (n.end === "value" ? ENDS_VALUE : "");
    if (n.end === false) return `${run}(?:${alts.join("|")})`;
    if (n.end === "value") return `${run}(?:${alts.join("|")}|${ENDS_VALUE})`;
    return run + (alts.length === 1 && alts[0].length === 1 ? `${alts[0]}?` : `(?:${alts.join("|")})?`);
  };
  return emit(root);
}

/** Lines scanned with every needle at the start, then one in SAMPLE_EVERY; tuned each SAMPLE_FIRST samples. */
const SAMPLE_FIRST = 256;
const SAMPLE_EVERY = 1024;
/** A needle in at least this fraction of sampled lines is searched on demand, not by the line regex. */
const COMMON_FRACTION = 0.3;
/** A regex that never matches (every needle is common). */
const NEVER = /(?!)/g;

/**
 * Finds which of many needles occur in a line in ONE pass: an alternation of all of them (as a trie, the
 * longest winning) runs from every position where one starts; two needles can start at the same position only if one is a
 * prefix of the other, so the match plus its precomputed prefixes is exactly the set starting there.
 * Raw lines are searched as latin1 text of their bytes (needles encoded the same way), so UTF-8 needles
 * match byte for byte; decoded text (after JSON escapes) is searched with the needles as written.
 * V8's regex engine handles a several-hundred-way alternation at ~1 GB/s, where one indexOf per needle
 * costs a full line scan each (issue 6: 84 rules share one prefilter).
 */
class NeedleScan implements Scanner {
  private rawRe: RegExp;
  private readonly decRe: RegExp;
  private readonly rawIds = new Map<string, number>();
  private readonly decIds = new Map<string, number>();
  private readonly rawPrefixes: number[][];
  private readonly decPrefixes: number[][];
  private readonly rawSeen: Int32Array;
  private readonly decSeen: Int32Array;
  /** Like rawSeen/decSeen, for occurrences that end a value (not followed by `:`). */
  private readonly rawValueSeen: Int32Array;
  private readonly decValueSeen: Int32Array;
  /** Needle lengths (raw and decoded), -1 for needles never checked for ending a value. */
  private readonly rawLen: number[];
  private readonly decLen: number[];
  private rawGen = -1;
  private textGen = -1;
  private decGen = -1;
  private latin1 = "";
  /** latin1 text of each needle's UTF-8 bytes (what the raw regex searches for). */
  private readonly raw: readonly string[];
  /** Raw needles no literal needs anywhere but at a value's end: the regex matches only those occurrences. */
  private readonly rawValueOnly: ReadonlySet<string>;
  /** The regex of every needle, and the one in use: without the needles found in most lines (see tune()). */
  private readonly fullRe: RegExp;
  /** 1: a needle in most lines, left out of rawRe and searched with indexOf when a test asks for it. */
  private common: Uint8Array;
  private readonly commonGen: Int32Array;
  private readonly commonAny: Uint8Array;
  private readonly commonValueGen: Int32Array;
  private readonly commonValue: Uint8Array;
  /** Lines seen, lines scanned with fullRe since the last tuning, and how many of those held each needle. */
  private lines = 0;
  private sampled = 0;
  private readonly counts: Uint32Array;
  /** Was the current line scanned with fullRe (so every needle's answer is in rawSeen)? */
  private fullLine = true;

  private readonly needles: readonly string[];

  constructor(
    uses: ReadonlyMap<string, NeedleUse>,
    private readonly st: LineState,
  ) {
    const needles = [...uses.keys()];
    this.needles = needles;
    const raw = needles.map((n) => Buffer.from(n, "utf8").toString("latin1"));
    this.raw = raw;
    const valueOnly = needles.filter((n) => uses.get(n)?.plain === false);
    this.rawValueOnly = new Set(valueOnly.map((n) => Buffer.from(n, "utf8").toString("latin1")));
    this.fullRe = new RegExp(trieSource(raw, this.rawValueOnly), "g");
    this.rawRe = this.fullRe;
    this.common = new Uint8Array(needles.length);
    this.commonGen = new Int32Array(needles.length).fill(-1);
    this.commonAny = new Uint8Array(needles.length);
    this.commonValueGen = new Int32Array(needles.length).fill(-1);
    this.commonValue = new Uint8Array(needles.length);
    this.counts = new Uint32Array(needles.length);
    this.decRe = new RegExp(trieSource(needles, new Set(valueOnly)), "g");
    raw.forEach((r, i) => this.rawIds.set(r, i));
    needles.forEach((n, i) => this.decIds.set(n, i));
    // For each needle, the other needles that are its prefixes: each of its own prefixes looked up once
    // (linear in the needles' total length; with the corpus's EQL rules there are thousands of needles).
    const prefixes = (xs: readonly string[]) => {
      const at = new Map<string, number[]>();
      xs.forEach((x, j) => {
        const l = at.get(x);
        if (l === undefined) at.set(x, [j]);
        else l.push(j);
      });
      return xs.map((x) => {
        const out: number[] = [];
        for (let k = 1; k < x.length; k++) for (const j of at.get(x.slice(0, k)) ?? []) out.push(j);
        return out.sort((a, b) => a - b);
      });
    };
    this.rawPrefixes = prefixes(raw);
    this.decPrefixes = prefixes(needles);
    this.rawSeen = new Int32Array(needles.length).fill(-1);
    this.decSeen = new Int32Array(needles.length).fill(-1);
    this.rawValueSeen = new Int32Array(needles.length).fill(-1);
    this.decValueSeen = new Int32Array(needles.length).fill(-1);
    // -1: no literal needs this needle to end a value, so its occurrences are never checked for a colon
    this.rawLen = raw.map((r, i) => (uses.get(needles[i])?.value === true ? r.length : -1));
    this.decLen = needles.map((n) => (uses.get(n)?.value === true ? n.length : -1));
  }

  /** Runs both regexes once (one-byte and two-byte text), so that V8 compiles them now, not on a line. */
  compile(): void {
    for (const [re, text] of [[this.fullRe, ""], [this.decRe, ""], [this.decRe, "\u0100"]] as const) {
      re.lastIndex = 0;
      re.test(text);
    }
  }

  idOf(needle: string): number {
    return this.needles.indexOf(needle);
  }

  private static run(re: RegExp, text: string, ids: Map<string, number>, prefixes: number[][], len: readonly number[], seen: Int32Array, valueSeen: Int32Array, gen: number): void {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const id = ids.get(m[0]);
      if (id !== undefined) {
        seen[id] = gen;
        if (len[id] >= 0 && valueSeen[id] !== gen && endsValue(text, m.index + len[id])) valueSeen[id] = gen;
        const ps = prefixes[id];
        for (let i = 0; i < ps.length; i++) {
          const p = ps[i];
          seen[p] = gen;
          if (len[p] >= 0 && valueSeen[p] !== gen && endsValue(text, m.index + len[p])) valueSeen[p] = gen;
        }
      }
      re.lastIndex = m.index + 1;
    }
  }

  /**
   * Latin1 view of the raw line (computed once per line). A sample line (see SAMPLE_FIRST) is scanned for
   * every needle at once, to count them; other lines are scanned only when a test asks for a needle the
   * regex in use holds: a line that common needles decide never pays for the regex.
   */
  private text(): string {
    const st = this.st;
    if (this.textGen !== st.gen) {
      this.latin1 = st.buf !== undefined ? st.buf.toString("latin1") : Buffer.from(st.str, "utf8").toString("latin1");
      this.textGen = st.gen;
      const n = this.lines++;
      this.fullLine = n < SAMPLE_FIRST || n % SAMPLE_EVERY === 0;
      if (this.fullLine) this.scan();
    }
    return this.latin1;
  }

  /** Runs the regex in use over the line (once per line). */
  private scan(): void {
    const st = this.st;
    if (this.rawGen === st.gen) return;
    const re = this.fullLine ? this.fullRe : this.rawRe;
    NeedleScan.run(re, this.latin1, this.rawIds, this.rawPrefixes, this.rawLen, this.rawSeen, this.rawValueSeen, st.gen);
    this.rawGen = st.gen;
    if (this.fullLine) this.count(st.gen);
  }

  private count(gen: number): void {
    const seen = this.rawSeen;
    for (let i = 0; i < seen.length; i++) if (seen[i] === gen) this.counts[i]++;
    if (++this.sampled === SAMPLE_FIRST) this.tune();
  }

  /**
   * Needles in at least COMMON_FRACTION of the sampled lines ("linux", "process", key names) cost a
   * regex match and a trip to JavaScript on nearly every line while deciding little: the regex in use
   * leaves them out, and a test that asks for one searches the line with indexOf (once per line).
   */
  private tune(): void {
    const common = new Uint8Array(this.counts.length);
    for (let i = 0; i < common.length; i++) common[i] = this.counts[i] >= this.sampled * COMMON_FRACTION ? 1 : 0;
    this.counts.fill(0);
    this.sampled = 0;
    if (common.every((c, i) => c === this.common[i])) return;
    this.common = common;
    const rare = this.raw.filter((_, i) => common[i] === 0);
    this.rawRe = rare.length === 0 ? NEVER : new RegExp(trieSource(rare, this.rawValueOnly), "g");
  }

  inRaw(id: number, value: boolean): boolean {
    this.text();
    const gen = this.st.gen;
    if (this.fullLine || this.common[id] === 0) {
      this.scan();
      return (value ? this.rawValueSeen : this.rawSeen)[id] === gen;
    }
    if (value) {
      if (this.commonValueGen[id] !== gen) {
        this.commonValue[id] = occurs(this.latin1, this.raw[id], true) ? 1 : 0;
        this.commonValueGen[id] = gen;
      }
      return this.commonValue[id] === 1;
    }
    if (this.commonGen[id] !== gen) {
      this.commonAny[id] = this.latin1.indexOf(this.raw[id]) >= 0 ? 1 : 0;
      this.commonGen[id] = gen;
    }
    return this.commonAny[id] === 1;
  }

  inDecoded(id: number, value: boolean): boolean {
    const st = this.st;
    if (this.decGen !== st.gen) {
      const d = st.decodedText();
      if (d !== null) NeedleScan.run(this.decRe, d, this.decIds, this.decPrefixes, this.decLen, this.decSeen, this.decValueSeen, st.gen);
      this.decGen = st.gen;
    }
    return (value ? this.decValueSeen : this.decSeen)[id] === st.gen;
  }
}

/** What a formula's literals ask of a one-pass scanner (NeedleScan, AutomatonScan). */
interface Scanner {
  idOf(needle: string): number;
  /** Does the needle occur in the raw line (where it ends a value, when `value`)? */
  inRaw(id: number, value: boolean): boolean;
  /** ... in the line with its JSON escapes decoded? */
  inDecoded(id: number, value: boolean): boolean;
}

/** Scanners with at least this many needles run an automaton (a regex is faster for fewer, much slower for more). */
export const AUTOMATON_MIN_NEEDLES = 64;
/** Case-insensitive needles are searched by one folding automaton from this many, else one by one. */
export const FOLDED_SCAN_MIN_NEEDLES = 16;

/**
 * Finds which of many needles occur in a line in one pass of an Aho-Corasick automaton over its bytes
 * (aho-corasick.ts), and in its decoding (the UTF-8 bytes of the decoded text) when asked: the needles as
 * written and the folded ones (lower-case, found in any case; the caller treats lines outside ASCII
 * itself) in the same pass. `exact` and `folded` are the two sets' views.
 */
class AutomatonScan {
  private readonly valueLen: Int32Array;
  private readonly seen: Int32Array;
  private readonly valueSeen: Int32Array;
  private readonly decSeen: Int32Array;
  private readonly decValueSeen: Int32Array;
  private rawGen = -1;
  private decGen = -1;
  /** The needles (ids) found in the current line's bytes and in its decoding, each listed once. */
  private readonly rawList: number[] = [];
  private readonly decList: number[] = [];
  readonly exact: Scanner;
  readonly folded: Scanner;

  private constructor(
    exact: ReadonlyMap<string, NeedleUse>,
    folded: ReadonlyMap<string, NeedleUse>,
    private readonly st: LineState,
    private readonly auto: NeedleAutomaton,
  ) {
    const all = [...exact, ...folded];
    // Needle byte lengths, -1 for needles never checked for ending a value.
    this.valueLen = Int32Array.from(all, ([n, use]) => (use.value ? Buffer.byteLength(n, "utf8") : -1));
    this.seen = new Int32Array(all.length).fill(-1);
    this.valueSeen = new Int32Array(all.length).fill(-1);
    this.decSeen = new Int32Array(all.length).fill(-1);
    this.decValueSeen = new Int32Array(all.length).fill(-1);
    const view = (needles: ReadonlyMap<string, NeedleUse>, first: number): Scanner => {
      const ids = new Map([...needles.keys()].map((n, i) => [n, first + i]));
      return { idOf: (n) => ids.get(n) ?? -1, inRaw: (id, value) => this.inRaw(id, value), inDecoded: (id, value) => this.inDecoded(id, value) };
    };
    this.exact = view(exact, 0);
    this.folded = view(folded, exact.size);
  }

  /** undefined when the automaton would be too large (the caller searches needle by needle). */
  static of(exact: ReadonlyMap<string, NeedleUse>, folded: ReadonlyMap<string, NeedleUse>, st: LineState): AutomatonScan | undefined {
    // A needle every literal of which asks for a value end (`"id"`, also a key in every event) is searched
    // in its followed forms only: its key occurrences, several per line, no longer stop the scan.
    const needle = ([n, use]: [string, NeedleUse], folded: boolean) => ({ bytes: Buffer.from(n, "utf8"), folded, valueOnly: use.value && !use.plain });
    const auto = NeedleAutomaton.build([...[...exact].map((e) => needle(e, false)), ...[...folded].map((e) => needle(e, true))]);
    return auto === undefined ? undefined : new AutomatonScan(exact, folded, st, auto);
  }

  /** How many needles there are (ids run from 0 to this). */
  get size(): number {
    return this.seen.length;
  }

  private inRaw(id: number, value: boolean): boolean {
    this.rawFound();
    return (value ? this.valueSeen : this.seen)[id] === this.st.gen;
  }

  private inDecoded(id: number, value: boolean): boolean {
    this.decodedFound();
    return (value ? this.decValueSeen : this.decSeen)[id] === this.st.gen;
  }

  /** The needles found in the current line's bytes (scanning it if not done yet). */
  rawFound(): readonly number[] {
    const st = this.st;
    if (this.rawGen !== st.gen) {
      this.rawList.length = 0;
      this.auto.mark(st.bytes(), st.gen, this.seen, this.valueSeen, this.valueLen, this.rawList);
      this.rawGen = st.gen;
    }
    return this.rawList;
  }

  /** The needles found in the current line's decoding (none when it has no backslash). */
  decodedFound(): readonly number[] {
    const st = this.st;
    if (this.decGen !== st.gen) {
      this.decList.length = 0;
      const d = st.decodedText();
      if (d !== null) this.auto.mark(Buffer.from(d, "utf8"), st.gen, this.decSeen, this.decValueSeen, this.valueLen, this.decList);
      this.decGen = st.gen;
    }
    return this.decList;
  }
}

type Test = () => boolean;

/** Evaluations between two reorderings of an `and`/`or` by observed outcome. */
const REORDER_EVERY = 4096;

/**
 * Children of an `and` (or `or`) are tried in the order that has recently decided the answer most often:
 * which needle is rare depends on the data, not on its length, and one early rejection saves the rest.
 * Counts are halved at each reordering so the order follows the data as it changes. Children that read
 * field values (`slow`) stay after the others: a needle's answer comes from the line's one scan, a value
 * test searches the line again for its key.
 */
class Adaptive {
  private calls = 0;
  private readonly hits: number[];
  constructor(
    private tests: Test[],
    private slow: boolean[] = tests.map(() => false),
  ) {
    this.hits = tests.map(() => 0);
  }
  /** The answer of the first child that returns `decisive`, else !decisive. */
  run(decisive: boolean): boolean {
    if (++this.calls === REORDER_EVERY) this.reorder();
    const ts = this.tests;
    for (let i = 0; i < ts.length; i++) {
      if (ts[i]() === decisive) {
        this.hits[i]++;
        return decisive;
      }
    }
    return !decisive;
  }
  private reorder(): void {
    this.calls = 0;
    const slow = this.slow;
    const idx = this.tests.map((_, i) => i).sort((a, b) => Number(slow[a]) - Number(slow[b]) || this.hits[b] - this.hits[a] || a - b);
    const tests = idx.map((i) => this.tests[i]);
    const hits = idx.map((i) => this.hits[i] >> 1);
    this.tests = tests;
    this.slow = idx.map((i) => slow[i]);
    for (let i = 0; i < hits.length; i++) this.hits[i] = hits[i];
  }
}

/** Compiles a formula; `lits` shares one cached search per distinct needle across the whole formula. */
function compileReq(req: Req, st: LineState, lits: Map<string, Test>, scan: Scanner | undefined, fold?: Scanner): Test {
  switch (req.k) {
    case "true":
      return () => true;
    case "lit": {
      const s = req.s;
      const value = req.value === true;
      const key = litKey(req);
      const known = lits.get(key);
      if (known !== undefined) return known;
      if (req.ci === true) {
        // Case-insensitive: the needle (lower-case ASCII) in the lower-cased line, decoded only when an
        // escape could hide it; a line whose folding is not ASCII's holds it whatever it says.
        const finalRaw = rawIsFinalWithoutU(req);
        if (fold !== undefined) {
          const id = fold.idOf(s);
          const scannedFolded = (): boolean => fold.inRaw(id, value) || st.foldIsUnsure() || (!finalRaw && fold.inDecoded(id, value));
          lits.set(key, scannedFolded);
          return scannedFolded;
        }
        let gen = -1;
        let answer = false;
        const folded = (): boolean => {
          if (gen !== st.gen) {
            gen = st.gen;
            answer = occurs(st.foldedText(), s, value) || st.foldIsUnsure();
            if (!answer && !finalRaw) {
              const d = st.foldedDecodedText();
              answer = d !== null && occurs(d, s, value);
            }
          }
          return answer;
        };
        lits.set(key, folded);
        return folded;
      }
      const bytes = Buffer.from(s, "utf8");
      // A needle with none of the characters that short escapes (\" \\ \/ \n …) stand for can only be
      // hidden from a raw search by \uXXXX escapes: without one in the line, the raw answer is final.
      // Token quotes added around a value are delimiters, never escaped: only the value inside counts.
      const rawIsFinal = rawIsFinalWithoutU(req);
      if (scan !== undefined) {
        const id = scan.idOf(s);
        const scanned = (): boolean => {
          if (scan.inRaw(id, value)) return true;
          if (rawIsFinal && !st.hasUnicodeEscape()) return false;
          return scan.inDecoded(id, value);
        };
        lits.set(key, scanned);
        return scanned;
      }
      const search = (): boolean => {
        const found = st.buf !== undefined ? occurs(st.buf, bytes, value) : occurs(st.str, s, value);
        if (found) return true;
        if (rawIsFinal && !st.hasUnicodeEscape()) return false;
        const d = st.decodedText();
        return d !== null && occurs(d, s, value);
      };
      // Rules of a union share needles ("linux", "process"…): each is searched at most once per line.
      let gen = -1;
      let answer = false;
      const test = (): boolean => {
        if (gen !== st.gen) {
          answer = search();
          gen = st.gen;
        }
        return answer;
      };
      lits.set(key, test);
      return test;
    }
    case "field": {
      const key = `field\u0000${req.field}\u0000${req.id}`;
      const known = lits.get(key);
      if (known !== undefined) return known;
      const text = fieldKey(req.field);
      const bytes = Buffer.from(text, "utf8");
      const valueTest = req.test;
      let gen = -1;
      let answer = false;
      const test = (): boolean => {
        if (gen !== st.gen) {
          answer = mayHoldValue(st, text, bytes, valueTest);
          gen = st.gen;
        }
        return answer;
      };
      lits.set(key, test);
      return test;
    }
    case "and": {
      // Longest literals first until the data says otherwise (Adaptive).
      const cs = [...req.c].sort((x, y) => weight(y) - weight(x));
      const a = new Adaptive(
        cs.map((c) => compileReq(c, st, lits, scan, fold)),
        cs.map(readsValues),
      );
      return () => a.run(false);
    }
    case "or": {
      const a = new Adaptive(
        req.c.map((c) => compileReq(c, st, lits, scan, fold)),
        req.c.map(readsValues),
      );
      return () => a.run(true);
    }
    default:
      return assertNever(req);
  }
}

/** Does the formula hold a field-value test? */
function readsValues(r: Req): boolean {
  return r.k === "field" || ((r.k === "and" || r.k === "or") && r.c.some(readsValues));
}

function weight(r: Req): number {
  switch (r.k) {
    case "lit":
      return r.s.length + 100;
    case "or":
      return Math.min(...r.c.map(weight)) - 10 * r.c.length;
    case "and":
      return Math.max(...r.c.map(weight));
    case "field":
      // after the needles: reading values costs more than a needle's search
      return 0;
    case "true":
      return -1000;
    default:
      return assertNever(r);
  }
}

/** Needles longer than this (UTF-16 units) are not scanned for: V8 may refuse the regex ("too large"). */
const SCAN_MAX_NEEDLE = 1024;

/**
 * The one-pass scanner, or undefined (one indexOf per needle, always sound) when its regex cannot be
 * built: thousands of needles that are prefixes of one another nest one group each, past the stack of
 * the regex compiler, and V8 compiles a regex at its first use, where it may find it too large.
 */
function needleScan(needles: ReadonlyMap<string, NeedleUse>, st: LineState): Scanner | undefined {
  for (const n of needles.keys()) if (n.length > SCAN_MAX_NEEDLE) return undefined;
  try {
    const scan = new NeedleScan(needles, st);
    scan.compile();
    return scan;
  } catch (e) {
    if (e instanceof RangeError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** How many needles make a one-pass scanner worth it: a regex, an automaton, a folding automaton. */
export interface ScanThresholds {
  readonly scan?: number;
  readonly automaton?: number;
  readonly folded?: number;
  /** A sieve of this many members looks them up by the needles a line holds (Triggers). */
  readonly triggers?: number;
}

/**
 * The one-pass scanners of a formula's needles, as written and folded (undefined: needle by needle): one
 * automaton for both when there are many needles or folded ones, else the regex scanner for a few.
 */
function scannersOf(req: Req, st: LineState, t: ScanThresholds): { scan?: Scanner; fold?: Scanner; auto?: AutomatonScan } {
  const needles = needlesOf(req);
  const folded = needlesOf(req, new Map(), true);
  const foldedMin = t.folded ?? FOLDED_SCAN_MIN_NEEDLES;
  if (needles.size + folded.size >= (t.automaton ?? AUTOMATON_MIN_NEEDLES) || folded.size >= foldedMin) {
    const auto = AutomatonScan.of(needles, folded, st);
    if (auto !== undefined) return { scan: needles.size > 0 ? auto.exact : undefined, fold: folded.size > 0 ? auto.folded : undefined, auto };
  }
  return { scan: needles.size >= (t.scan ?? SCAN_MIN_NEEDLES) ? needleScan(needles, st) : undefined };
}

/**
 * A compiled line test for a requirement formula; undefined when every line must pass. `thresholds`
 * (tests) override when one-pass scanners replace per-needle indexOf, or a number: the regex scanner's.
 */
export function prefilterOf(req: Req, thresholds: ScanThresholds | number = {}): KqlPrefilter | undefined {
  if (req.k === "true") return undefined;
  const st = new LineState();
  // a number: the regex scanner's threshold alone (no automaton), as tests compare the strategies
  const { scan, fold } = scannersOf(req, st, typeof thresholds === "number" ? { scan: thresholds, automaton: Infinity, folded: Infinity } : thresholds);
  const test = compileReq(req, st, new Map(), scan, fold);
  const probe = new Probe(1);
  return withGate((line) => {
    if (probe.skip()) return true;
    st.reset(line);
    const r = test();
    st.reset("");
    probe.record(r, r ? 1 : 0);
    return r;
  }, req);
}

/** See Probe: a probe of this many lines, passing at least this fraction, skips the next UNTESTED_LINES. */
export const PROBE_LINES = 1024;
export const PROBE_PASS_FRACTION = 0.98;
export const UNTESTED_LINES = 15 * 1024;
/** ... and, for a sieve, meeting at least this fraction of its rules on average. */
export const PROBE_MET_FRACTION = 0.5;

/**
 * A prefilter that neither rejects lines nor narrows the rules costs a scan of every line for no gain
 * (hundreds of rules whose words occur in every event): when nearly all of PROBE_LINES tested lines pass
 * and they meet most of the `members` rules, the next UNTESTED_LINES pass untested (passing every rule is
 * always safe), then it probes again.
 */
class Probe {
  private probed = 0;
  private passed = 0;
  private met = 0;
  private untested = 0;
  constructor(private readonly members: number) {}

  /** Is this line to pass untested? */
  skip(): boolean {
    if (this.untested === 0) return false;
    this.untested--;
    return true;
  }

  /** A tested line: whether it passed, and how many of the members' requirements it met. */
  record(passed: boolean, met: number): void {
    if (passed) this.passed++;
    this.met += met;
    if (++this.probed < PROBE_LINES) return;
    if (this.passed >= PROBE_LINES * PROBE_PASS_FRACTION && this.met >= PROBE_LINES * this.members * PROBE_MET_FRACTION) this.untested = UNTESTED_LINES;
    this.probed = 0;
    this.passed = 0;
    this.met = 0;
  }
}

/** `test` with the gate of `req`, which `test` must imply. */
function withGate(test: (line: string | Uint8Array) => boolean, req: Req): KqlPrefilter {
  return Object.assign(test, { gateFor: (sample: Buffer) => chooseGate(req, sample) });
}

/**
 * One prefilter for many queries (a run's rules): true when SOME query may match the line. The formulas
 * are OR-ed into one, so a needle shared by several rules is searched once per line, and a query without
 * requirements makes it pass every line. Returns undefined when no line can be rejected.
 */
export function kqlUnionPrefilter(queries: readonly PrefilterQuery[]): KqlPrefilter | undefined {
  return prefilterOf(unionOf(queries.map(requirementsOfQuery)));
}

/** A query's requirement formula: the one given with it, else its KQL's. */
function requirementsOfQuery(q: PrefilterQuery): Req {
  return q.req ?? requirementsOf(typeof q.ast === "string" ? parseKql(q.ast) : q.ast, q.opts ?? {});
}

/** OR of formulas, simplified like any `or` (a `true` member absorbs it). */
export function unionOf(reqs: readonly Req[]): Req {
  return orOf(reqs);
}

export interface PrefilterQuery {
  readonly ast: KqlNode | string;
  readonly opts?: KqlEvalOptions;
  /** The requirement formula, when the query's own would say less (an EQL rule's case-insensitive needles). */
  readonly req?: Req;
}

/** A line holding this token may be an Elasticsearch hit, whose own `_index` can route it anywhere. */
const HIT_KEY: Req = { k: "lit", s: '"_source"', inner: "_source" };

/**
 * Per-input prefilters when rules are routed by index (issue 6, many rules): a plain line of an input
 * becomes an event of that input's `_index`, so only the queries of the rules `route(file, index)` says it
 * reaches (plus `always`) can match it; a line that may be a hit (a `"_source"` key) is judged by the union
 * of all. Inputs with the same routed rules share one compiled prefilter. undefined = pass every line.
 * Each prefilter also says which routed rules a line it passes can match (`rules()`, see sieveOf), by their
 * position in `queries`.
 */
export function kqlRoutedPrefilter(
  queries: readonly PrefilterQuery[] | LazyQueries,
  always: readonly PrefilterQuery[],
  route: (file: string, index: string) => readonly boolean[],
): (file: string, index: string) => KqlPrefilter | undefined {
  const lazy: LazyQueries = Array.isArray(queries) ? { count: queries.length, at: (i) => (queries as readonly PrefilterQuery[])[i] } : (queries as LazyQueries);
  // Formulas are derived when a routed rule set or a possible hit first needs them: an input's events
  // reach the rules its index selects (the bench's index: 48 of 485 Linux rules), the others only for hits.
  const reqs: (Req | undefined)[] = new Array<Req | undefined>(lazy.count);
  const reqAt = (i: number): Req => (reqs[i] ??= requirementsOfQuery(lazy.at(i)));
  const alwaysReq = always.length === 0 ? undefined : unionOf(always.map(requirementsOfQuery));
  let all: Req | undefined;
  const allReq = (): Req => (all ??= unionOf([...Array.from({ length: lazy.count }, (_, i) => reqAt(i)), ...(alwaysReq === undefined ? [] : [alwaysReq])]));
  const byMask = new Map<string, KqlPrefilter | undefined>();
  return (file, index) => {
    const mask = route(file, index);
    const key = routedSetKey(mask);
    if (byMask.has(key)) return byMask.get(key);
    const members = mask.flatMap((routed, at) => (routed ? [{ at, req: reqAt(at) }] : []));
    // every rule reached: a hit's own _index can route it nowhere new
    const everyRule = mask.every((b) => b);
    const sieve = sieveOf(members, alwaysReq, lazy.count, {}, everyRule ? undefined : HIT_KEY);
    const pf = sieve === undefined || everyRule ? sieve : orHit(sieve, allReq);
    byMask.set(key, pf);
    return pf;
  };
}

/** A routed rule set's key (indexRouter's mask as text), for what is built once per set. */
export function routedSetKey(mask: readonly boolean[]): string {
  return mask.map((b) => (b ? "1" : "0")).join("");
}

/** Queries made when first asked for (a worker parses only the rules its inputs' indexes reach). */
export interface LazyQueries {
  readonly count: number;
  at(i: number): PrefilterQuery;
}

/**
 * `sieve` OR ("_source" AND all): the union of all rules is searched (by its own scan) only in lines that
 * may be hits, which may reach any rule.
 */
function orHit(sieve: KqlPrefilter, all: () => Req): KqlPrefilter {
  let hitAllReq: Req | undefined;
  const hitAll = (): Req => (hitAllReq ??= andOf([HIT_KEY, all()]));
  // Most lines the sieve rejects are not hits: the key, which the sieve's own scan of the line looked for
  // (its `also`), settles them before the union's scanner reads the line for all rules' needles. That
  // scanner (an automaton over every rule's needles: tens of MB with the whole corpus) is built when a line
  // first may be a hit, which files of plain events never have.
  let hitTest: ((line: string | Uint8Array) => boolean) | undefined;
  const hit = (line: string | Uint8Array): boolean => sieve.also?.() !== false && (hitTest ??= prefilterOf(hitAll()) ?? (() => true))(line);
  let rules: Uint8Array | undefined;
  const test = (line: string | Uint8Array): boolean => {
    if (sieve(line)) {
      rules = sieve.rules?.();
      return true;
    }
    rules = undefined;
    return hit(line);
  };
  // (the gate of `HIT_KEY AND all` may be the key's alone, which spares reading every rule's formula)
  return Object.assign(test, { gateFor: (sample: Buffer) => chooseGate(orOf([sieve.req ?? TRUE, HIT_KEY]), sample), rules: () => rules });
}

const TRUE: Req = { k: "true" };

/**
 * The prefilter of many rules that also tells, of a line it passes, which rules it may match: `rules()`
 * after a call that returned true is a mask by rule position (`at`; 1: the line meets the rule's
 * requirements), or undefined when every rule may (a line `always` passes, a line passed untested). With
 * hundreds of rules on an input they all target, most lines pass some rule's requirements, but each line
 * meets few rules' (a bench line: about 15 of the 137 its event category reaches): the engine evaluates only those
 * rules' queries. One scan of the line serves every rule's needles. undefined: every line passes untested.
 * `also`: a formula whose needles the same scan looks for, and which a line the sieve rejects is then
 * tested against (`also()`; a rejected line may still be an Elasticsearch hit, see orHit).
 */
export function sieveOf(members: readonly { readonly at: number; readonly req: Req }[], always: Req | undefined, ruleCount: number, thresholds: ScanThresholds = {}, also?: Req): KqlPrefilter | undefined {
  // (no rule and no `always`: the union of nothing says nothing, as a union of rules without requirements)
  if (members.length === 0 ? always === undefined : members.every((m) => m.req.k === "true")) return undefined;
  if (always?.k === "true") return undefined;
  const union = unionOf([...members.map((m) => m.req), ...(always === undefined ? [] : [always])]);
  const st = new LineState();
  const lits = new Map<string, Test>();
  // every needle of every formula (a rule without requirements makes the union say nothing)
  const { scan, fold, auto } = scannersOf(andOf([...members.map((m) => m.req), ...(always === undefined ? [] : [always]), ...(also === undefined ? [] : [also])]), st, thresholds);
  const alwaysTest = always === undefined ? undefined : compileReq(always, st, lits, scan, fold);
  const alsoTest = also === undefined ? undefined : compileReq(also, st, lits, scan, fold);
  let alsoHeld = true;
  const tests = members.map((m) => (m.req.k === "true" ? undefined : compileReq(m.req, st, lits, scan, fold)));
  const triggers = auto === undefined || members.length < (thresholds.triggers ?? TRIGGER_MIN_MEMBERS) ? undefined : new Triggers(members, auto);
  // a line whose case folding is not ASCII's holds every case-insensitive needle, found or not
  const foldMatters = fold !== undefined;
  const everyMember = members.map((_, i) => i);
  let rules: Uint8Array | undefined;
  const probe = new Probe(tests.length);
  const test = (line: string | Uint8Array): boolean => {
    rules = undefined;
    if (probe.skip()) return true;
    st.reset(line);
    // a line `always` passes may be rewritten after parsing: it passes for every rule (no mask)
    let r = true;
    let met = tests.length;
    if (alwaysTest === undefined || !alwaysTest()) {
      met = 0;
      // the members one of whose triggers the line holds, else all
      const cand = triggers !== undefined && !(foldMatters && st.foldIsUnsure()) ? triggers.candidates(st) : everyMember;
      for (let k = 0; k < cand.length; k++) {
        const i = cand[k];
        const t = tests[i];
        if (t === undefined || t()) {
          (rules ??= new Uint8Array(ruleCount))[members[i].at] = 1;
          met++;
        }
      }
      r = rules !== undefined;
    }
    alsoHeld = r || alsoTest === undefined || alsoTest();
    st.reset("");
    probe.record(r, met);
    return r;
  };
  return Object.assign(test, { gateFor: (sample: Buffer) => chooseGate(union, sample), rules: () => rules, req: union, also: () => alsoHeld });
}

/** A sieve of fewer members evaluates every member's formula on each line (the lookup would not pay). */
export const TRIGGER_MIN_MEMBERS = 16;

type Lit = Extract<Req, { k: "lit" }>;

/**
 * Literals one of which a formula cannot be true without (its triggers); undefined when it can be true
 * with none (a `true` or a field-value test decides it). An `and` needs only one child's: the cheapest by `cost`.
 */
export function triggersOf(req: Req, cost: (lit: Lit) => number): Lit[] | undefined {
  switch (req.k) {
    case "true":
    case "field":
      return undefined;
    case "lit":
      return [req];
    case "or": {
      const out: Lit[] = [];
      for (const c of req.c) {
        const t = triggersOf(c, cost);
        if (t === undefined) return undefined;
        out.push(...t);
      }
      return out;
    }
    case "and": {
      let best: Lit[] | undefined;
      let bestCost = Infinity;
      for (const c of req.c) {
        const t = triggersOf(c, cost);
        if (t === undefined) continue;
        let sum = 0;
        for (const l of t) sum += cost(l);
        if (sum < bestCost) {
          best = t;
          bestCost = sum;
        }
      }
      return best;
    }
    default:
      return assertNever(req);
  }
}

/** Lines after which a sieve's triggers are chosen again by how often each needle was found (×4 each time). */
const TRIGGER_REVIEW_FIRST = 1024;
const TRIGGER_REVIEW_MAX = 1 << 20;

/**
 * Which members of a sieve a line may meet, looked up by the needles the automaton found in it (raw and
 * decoded): a member is a candidate when the line holds one of its triggers (triggersOf), and members
 * without triggers always are. With hundreds of rules a line holds the triggers of a few, so most
 * formulas are never evaluated. Triggers are first chosen by needle length (longer: rarer), then by how
 * often each needle is found in the lines seen, so a needle every line holds ("linux") stops being one.
 */
class Triggers {
  /** The members whose triggers include needle `id`: byNeedle[start[id] .. start[id + 1]). */
  private start = new Int32Array(0);
  private byNeedle = new Int32Array(0);
  private untriggered: number[] = [];
  /** Per member, the `gen` of the last line it was made a candidate for. */
  private readonly stamp: Int32Array;
  private gen = 0;
  private readonly out: number[] = [];
  private readonly foundCount: Float64Array;
  private lines = 0;
  private review = TRIGGER_REVIEW_FIRST;

  constructor(
    private readonly members: readonly { readonly req: Req }[],
    private readonly auto: AutomatonScan,
  ) {
    this.stamp = new Int32Array(members.length).fill(-1);
    this.foundCount = new Float64Array(auto.size);
    this.choose();
  }

  private idOf(l: Lit): number {
    return (l.ci === true ? this.auto.folded : this.auto.exact).idOf(l.s);
  }

  /** (Re)builds the index; a needle's cost is the fraction of lines found to hold it. */
  private choose(): void {
    const n = this.foundCount.length;
    const lines = this.lines;
    const cost = (l: Lit): number => {
      const id = this.idOf(l);
      // before any line: longer needles are taken for rarer
      const seen = lines === 0 || id < 0 ? 0.5 : this.foundCount[id] / lines;
      return seen + 0.01 / Math.max(1, l.s.length);
    };
    const lists: number[][] = Array.from({ length: n }, () => []);
    const untriggered: number[] = [];
    this.members.forEach((m, i) => {
      const t = triggersOf(m.req, cost);
      const ids = t?.map((l) => this.idOf(l));
      if (ids === undefined || ids.some((id) => id < 0)) untriggered.push(i);
      else for (const id of new Set(ids)) lists[id].push(i);
    });
    const start = new Int32Array(n + 1);
    for (let id = 0; id < n; id++) start[id + 1] = start[id] + lists[id].length;
    this.start = start;
    this.byNeedle = Int32Array.from(lists.flat());
    this.untriggered = untriggered;
  }

  /** The members the current line may meet (valid until the next call). */
  candidates(st: LineState): readonly number[] {
    const out = this.out;
    out.length = 0;
    if (this.gen === 0x7fffffff) {
      this.stamp.fill(-1);
      this.gen = 0;
    }
    const gen = ++this.gen;
    for (const i of this.untriggered) out.push(i);
    this.add(this.auto.rawFound(), gen, true);
    if (st.decodedText() !== null) this.add(this.auto.decodedFound(), gen, false);
    if (++this.lines === this.review) {
      this.review = Math.min(this.review * 4, this.review + TRIGGER_REVIEW_MAX);
      this.choose();
    }
    return out;
  }

  private add(found: readonly number[], gen: number, count: boolean): void {
    const { start, byNeedle, stamp, out } = this;
    for (let k = 0; k < found.length; k++) {
      const id = found[k];
      if (count) this.foundCount[id]++;
      for (let j = start[id], stop = start[id + 1]; j < stop; j++) {
        const i = byNeedle[j];
        if (stamp[i] !== gen) {
          stamp[i] = gen;
          out.push(i);
        }
      }
    }
  }
}

/**
 * A conservative prefilter for a KQL query over raw NDJSON lines: false means no event the line can
 * encode matches `compileKql(astOrText, opts)` with the same options; true means "parse and evaluate it".
 * Lines that are not valid JSON may go either way.
 */
export function kqlPrefilter(astOrText: KqlNode | string, opts: KqlEvalOptions = {}): KqlPrefilter {
  const ast = typeof astOrText === "string" ? parseKql(astOrText) : astOrText;
  return prefilterOf(requirementsOf(ast, opts)) ?? (() => true);
}

/** The required-literal formula as text, for debugging and `--explain` style output. */
export function describeRequirements(req: Req): string {
  switch (req.k) {
    case "true":
      return "true";
    case "lit":
      return req.ci === true ? `ci:${JSON.stringify(req.s)}` : JSON.stringify(req.s);
    case "field":
      return `${req.field} ${req.id}`;
    case "and":
      return `(${req.c.map(describeRequirements).join(" AND ")})`;
    case "or":
      return `(${req.c.map(describeRequirements).join(" OR ")})`;
    default:
      return assertNever(req);
  }
}
