// Lucene regular expressions (org.apache.lucene.util.automaton.RegExp, Lucene 9 as in Elasticsearch 8.15:
// the `regexp` query and EQL's `regex`/`regex~`) matched in linear time. The pattern is parsed to a tree
// and matched by Brzozowski derivatives over hash-consed, normalised terms: each distinct derivative is a
// state of a lazily built DFA, so matching costs one cached transition per input character; there is no
// backtracking, whatever the pattern or the value. No JS RegExp is built from the pattern.
//
// Syntax (Elasticsearch's default flags, ALL): `|` union, `&` intersection, `~` complement (binds tighter
// than repetition), concatenation, `* + ? {n} {n,} {n,m}`, `( )` groups (`()` is the empty string), `.` any
// character, `[…]` / `[^…]` classes with ranges, `"…"` literal strings, `#` the empty language, `@` any
// string, `<n-m>` decimal intervals, `\` escaping the next character, and Lucene 9's `\d \D \s \S \w \W`.
// The whole value must match. Case-insensitive mode is Lucene's ASCII_CASE_INSENSITIVE: single characters
// and quoted strings match both ASCII cases; character ranges do not fold (as Lucene).

export interface LuceneRegexOptions {
  /** Elasticsearch's `case_insensitive` (EQL `regex~`): ASCII letters of the pattern match either case. */
  readonly caseInsensitive?: boolean;
}

export class LuceneRegexError extends Error {
  override readonly name = "LuceneRegexError";
  constructor(
    message: string,
    /** 0-based position in the pattern. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Deepest nesting of groups, classes and operators the parser accepts. */
export const MAX_REGEX_DEPTH = 500;

const MAX_CP = 0x10ffff;
type Ranges = readonly (readonly [number, number])[];

// ---- terms ---------------------------------------------------------------------------------------------

type Term =
  | { readonly k: "none"; readonly id: number } // the empty language
  | { readonly k: "eps"; readonly id: number }
  | { readonly k: "set"; readonly id: number; readonly r: Ranges }
  | { readonly k: "cat"; readonly id: number; readonly a: Term; readonly b: Term }
  | { readonly k: "or"; readonly id: number; readonly xs: readonly Term[] }
  | { readonly k: "and"; readonly id: number; readonly xs: readonly Term[] }
  | { readonly k: "not"; readonly id: number; readonly a: Term }
  | { readonly k: "star"; readonly id: number; readonly a: Term };

/** Hash-consing: equal terms are the same object, so states can be compared by id. */
class Terms {
  private readonly table = new Map<string, Term>();
  private next = 0;
  readonly none: Term = this.intern("none", (id) => ({ k: "none", id }));
  readonly eps: Term = this.intern("eps", (id) => ({ k: "eps", id }));
  readonly any: Term = this.set([[0, MAX_CP]]);
  readonly all: Term = this.not(this.none);

  private intern(key: string, make: (id: number) => Term): Term {
    let t = this.table.get(key);
    if (t === undefined) {
      t = make(this.next++);
      this.table.set(key, t);
    }
    return t;
  }

  set(r: Ranges): Term {
    const norm = normaliseRanges(r);
    if (norm.length === 0) return this.none;
    return this.intern("s" + norm.map(([a, b]) => `${a}-${b}`).join(","), (id) => ({ k: "set", id, r: norm }));
  }

  cat(a: Term, b: Term): Term {
    if (a.k === "none" || b.k === "none") return this.none;
    if (a.k === "eps") return b;
    if (b.k === "eps") return a;
    if (a.k === "cat") return this.cat(a.a, this.cat(a.b, b));
    return this.intern(`c${a.id},${b.id}`, (id) => ({ k: "cat", id, a, b }));
  }

  or(xs: readonly Term[]): Term {
    const flat = new Map<number, Term>();
    for (const x of xs) {
      if (x.k === "or") for (const y of x.xs) flat.set(y.id, y);
      else if (x.k !== "none") flat.set(x.id, x);
    }
    if (flat.has(this.all.id)) return this.all;
    const list = [...flat.values()].sort((p, q) => p.id - q.id);
    if (list.length === 0) return this.none;
    if (list.length === 1) return list[0];
    return this.intern("o" + list.map((x) => x.id).join(","), (id) => ({ k: "or", id, xs: list }));
  }

  and(xs: readonly Term[]): Term {
    const flat = new Map<number, Term>();
    for (const x of xs) {
      if (x.k === "none") return this.none;
      if (x.k === "and") for (const y of x.xs) flat.set(y.id, y);
      else if (x.id !== this.all.id) flat.set(x.id, x);
    }
    const list = [...flat.values()].sort((p, q) => p.id - q.id);
    if (list.length === 0) return this.all;
    if (list.length === 1) return list[0];
    return this.intern("a" + list.map((x) => x.id).join(","), (id) => ({ k: "and", id, xs: list }));
  }

  not(a: Term): Term {
    if (a.k === "not") return a.a;
    return this.intern(`n${a.id}`, (id) => ({ k: "not", id, a }));
  }

  star(a: Term): Term {
    if (a.k === "star") return a;
    if (a.k === "eps" || a.k === "none") return this.eps;
    return this.intern(`*${a.id}`, (id) => ({ k: "star", id, a }));
  }

  get size(): number {
    return this.table.size;
  }
}

function normaliseRanges(r: Ranges): [number, number][] {
  const sorted = r.filter(([a, b]) => a <= b).map(([a, b]) => [a, b] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function complementRanges(r: Ranges): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  for (const [a, b] of normaliseRanges(r)) {
    if (a > from) out.push([from, a - 1]);
    from = b + 1;
  }
  if (from <= MAX_CP) out.push([from, MAX_CP]);
  return out;
}

function inRanges(r: Ranges, cp: number): boolean {
  let lo = 0;
  let hi = r.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[mid][0]) hi = mid - 1;
    else if (cp > r[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

// ---- parsing ---------------------------------------------------------------------------------------------

const CP = (s: string): number => s.codePointAt(0) ?? 0;
const DIGITS: Ranges = [[CP("0"), CP("9")]];
const SPACE: Ranges = [[9, 13], [32, 32]];
const WORD: Ranges = [[CP("0"), CP("9")], [CP("A"), CP("Z")], [CP("_"), CP("_")], [CP("a"), CP("z")]];

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly cps: number[];
  constructor(
    private readonly pattern: string,
    private readonly t: Terms,
    private readonly ci: boolean,
  ) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0) ?? 0);
  }

  private fail(message: string, at = this.pos): never {
    throw new LuceneRegexError(message, this.offsetOf(at));
  }

  /** UTF-16 offset of a code point index. */
  private offsetOf(i: number): number {
    let off = 0;
    for (let k = 0; k < i && k < this.cps.length; k++) off += this.cps[k] > 0xffff ? 2 : 1;
    return off;
  }

  private more(): boolean {
    return this.pos < this.cps.length;
  }

  private peek(ch: string): boolean {
    return this.more() && this.cps[this.pos] === CP(ch);
  }

  private match(ch: string): boolean {
    if (!this.peek(ch)) return false;
    this.pos++;
    return true;
  }

  private nextCp(): number {
    if (!this.more()) this.fail("unexpected end-of-string");
    return this.cps[this.pos++];
  }

  private enter(): void {
    if (++this.depth > MAX_REGEX_DEPTH) this.fail(`the pattern nests deeper than ${MAX_REGEX_DEPTH} levels`);
  }

  parse(): Term {
    const e = this.union();
    if (this.more()) this.fail(`end-of-string expected at position ${this.offsetOf(this.pos)}`);
    return e;
  }

  private union(): Term {
    this.enter();
    const parts = [this.inter()];
    while (this.match("|")) parts.push(this.inter());
    this.depth--;
    return this.t.or(parts);
  }

  private inter(): Term {
    const parts = [this.concat()];
    while (this.match("&")) parts.push(this.concat());
    return this.t.and(parts);
  }

  private concat(): Term {
    let e: Term = this.t.eps;
    const items: Term[] = [];
    while (this.more() && !this.peek(")") && !this.peek("|") && !this.peek("&")) items.push(this.repeat());
    for (let i = items.length - 1; i >= 0; i--) e = this.t.cat(items[i], e);
    return e;
  }

  private repeat(): Term {
    let e = this.complement();
    for (;;) {
      if (this.match("?")) e = this.t.or([e, this.t.eps]);
      else if (this.match("*")) e = this.t.star(e);
      else if (this.match("+")) e = this.t.cat(e, this.t.star(e));
      else if (this.peek("{")) {
        const start = this.pos;
        this.pos++;
        const n = this.integer();
        let m: number | undefined = n;
        if (this.match(",")) m = this.peek("}") ? undefined : this.integer();
        if (!this.match("}")) this.fail(`expected '}' at position ${this.offsetOf(this.pos)}`);
        if (m !== undefined && m < n) this.fail(`invalid repetition {${n},${m}} at position ${this.offsetOf(start)}`, start);
        e = this.repeatRange(e, n, m);
      } else return e;
    }
  }

  private repeatRange(e: Term, n: number, m: number | undefined): Term {
    let out: Term = this.t.eps;
    for (let i = 0; i < n; i++) out = this.t.cat(out, e);
    if (m === undefined) return this.t.cat(out, this.t.star(e));
    // e{n,m} = e^n (e (e (…)?)?)?
    let tail: Term = this.t.eps;
    for (let i = n; i < m; i++) tail = this.t.or([this.t.eps, this.t.cat(e, tail)]);
    return this.t.cat(out, tail);
  }

  private integer(): number {
    const start = this.pos;
    while (this.more() && this.cps[this.pos] >= 48 && this.cps[this.pos] <= 57) this.pos++;
    if (start === this.pos) this.fail(`integer expected at position ${this.offsetOf(start)}`, start);
    const n = Number(String.fromCodePoint(...this.cps.slice(start, this.pos)));
    if (n > 100_000) this.fail(`repetition count ${n} is too large`, start);
    return n;
  }

  private complement(): Term {
    if (this.match("~")) {
      this.enter();
      const inner = this.complement();
      this.depth--;
      return this.t.not(inner);
    }
    return this.charClassExp();
  }

  private charClassExp(): Term {
    if (this.match("[")) {
      this.enter();
      const negate = this.match("^");
      const ranges = this.charClasses();
      if (!this.match("]")) this.fail(`expected ']' at position ${this.offsetOf(this.pos)}`);
      this.depth--;
      return this.t.set(negate ? complementRanges(ranges) : ranges);
    }
    return this.simple();
  }

  private charClasses(): (readonly [number, number])[] {
    const out: (readonly [number, number])[] = [...this.charClass()];
    while (this.more() && !this.peek("]")) out.push(...this.charClass());
    return out;
  }

  private charClass(): Ranges {
    const pre = this.preClass();
    if (pre !== undefined) return pre;
    const from = this.charExp();
    if (this.match("-")) {
      const to = this.charExp();
      if (to < from) this.fail(`invalid character class range at position ${this.offsetOf(this.pos - 1)}`, this.pos - 1);
      return [[from, to]];
    }
    return this.foldChar(from);
  }

  /** `\d \D \s \S \w \W` (Lucene 9): the class, or undefined when the next text is not one. */
  private preClass(): Ranges | undefined {
    if (!this.peek("\\") || this.pos + 1 >= this.cps.length) return undefined;
    const c = String.fromCodePoint(this.cps[this.pos + 1]);
    const table: Record<string, Ranges> = { d: DIGITS, s: SPACE, w: WORD, D: complementRanges(DIGITS), S: complementRanges(SPACE), W: complementRanges(WORD) };
    const r = Object.prototype.hasOwnProperty.call(table, c) ? table[c] : undefined;
    if (r !== undefined) this.pos += 2;
    return r;
  }

  private charExp(): number {
    this.match("\\");
    return this.nextCp();
  }

  /** A character as the case mode matches it: both ASCII cases of a letter when case-insensitive. */
  private foldChar(cp: number): Ranges {
    if (this.ci) {
      if (cp >= 65 && cp <= 90) return [[cp, cp], [cp + 32, cp + 32]];
      if (cp >= 97 && cp <= 122) return [[cp, cp], [cp - 32, cp - 32]];
    }
    return [[cp, cp]];
  }

  private simple(): Term {
    if (this.match(".")) return this.t.any;
    if (this.match("#")) return this.t.none;
    if (this.match("@")) return this.t.star(this.t.any);
    if (this.match('"')) {
      let e: Term = this.t.eps;
      const start = this.pos;
      while (this.more() && !this.peek('"')) e = this.t.cat(e, this.t.set(this.foldChar(this.nextCp())));
      if (!this.match('"')) this.fail(`expected '"' at position ${this.offsetOf(this.pos)}`, start);
      return e;
    }
    if (this.match("(")) {
      if (this.match(")")) return this.t.eps;
      const e = this.union();
      if (!this.match(")")) this.fail(`expected ')' at position ${this.offsetOf(this.pos)}`);
      return e;
    }
    if (this.peek("<")) return this.interval();
    const pre = this.preClass();
    if (pre !== undefined) return this.t.set(pre);
    return this.t.set(this.foldChar(this.charExp()));
  }

  private interval(): Term {
    const start = this.pos;
    this.pos++;
    const close = this.cps.indexOf(CP(">"), this.pos);
    const body = close < 0 ? "" : String.fromCodePoint(...this.cps.slice(this.pos, close));
    const m = /^(\d+)-(\d+)$/.exec(body);
    if (m === null) this.fail(`interval syntax error at position ${this.offsetOf(start)}`, start);
    this.pos = close + 1;
    let [lo, hi] = [m[1], m[2]];
    // equal-length bounds fix the number of digits (zero-padded); otherwise leading zeros are free
    const digits = lo.length === hi.length ? lo.length : 0;
    if (BigInt(lo) > BigInt(hi)) [lo, hi] = [hi, lo];
    return decimalInterval(this.t, BigInt(lo), BigInt(hi), digits);
  }
}

/** Decimal numbers in [lo, hi]: exactly `digits` digits when digits > 0, else any count of leading zeros. */
function decimalInterval(t: Terms, lo: bigint, hi: bigint, digits: number): Term {
  const digit = t.set(DIGITS);
  const ch = (d: number) => t.set([[48 + d, 48 + d]]);
  const anyDigits = (n: number): Term => {
    let e: Term = t.eps;
    for (let i = 0; i < n; i++) e = t.cat(digit, e);
    return e;
  };
  // numbers of exactly len digits (leading zeros included) between a and b, both of that length
  const sameLength = (a: string, b: string): Term => {
    if (a.length === 0) return t.eps;
    const x = a.charCodeAt(0) - 48;
    const y = b.charCodeAt(0) - 48;
    const rest = a.length - 1;
    if (x === y) return t.cat(ch(x), sameLength(a.slice(1), b.slice(1)));
    const parts: Term[] = [t.cat(ch(x), sameLength(a.slice(1), "9".repeat(rest)))];
    if (y - x > 1) parts.push(t.cat(t.set([[48 + x + 1, 48 + y - 1]]), anyDigits(rest)));
    parts.push(t.cat(ch(y), sameLength("0".repeat(rest), b.slice(1))));
    return t.or(parts);
  };
  if (digits > 0) return sameLength(lo.toString().padStart(digits, "0"), hi.toString().padStart(digits, "0"));
  // free leading zeros: 0* followed by the number written without them (0 itself is "0", i.e. 0* then 0)
  const los = lo.toString();
  const his = hi.toString();
  const parts: Term[] = [];
  for (let len = los.length; len <= his.length; len++) {
    const a = len === los.length ? los : "1" + "0".repeat(len - 1);
    const b = len === his.length ? his : "9".repeat(len);
    parts.push(sameLength(a, b));
  }
  return t.cat(t.star(t.set([[48, 48]])), t.or(parts));
}

// ---- matching ----------------------------------------------------------------------------------------------

function nullable(e: Term, memo: Map<number, boolean>): boolean {
  const m = memo.get(e.id);
  if (m !== undefined) return m;
  let v: boolean;
  switch (e.k) {
    case "none":
    case "set":
      v = false;
      break;
    case "eps":
    case "star":
      v = true;
      break;
    case "cat":
      v = nullable(e.a, memo) && nullable(e.b, memo);
      break;
    case "or":
      v = e.xs.some((x) => nullable(x, memo));
      break;
    case "and":
      v = e.xs.every((x) => nullable(x, memo));
      break;
    case "not":
      v = !nullable(e.a, memo);
      break;
  }
  memo.set(e.id, v);
  return v;
}

/** Counts derivative steps, so tests can show linear work without timers. */
export interface RegexStepCounter {
  steps: number;
}

/** States whose transitions are cached; past this, derivatives are still correct, just not remembered. */
export const MAX_CACHED_STATES = 10_000;

class Matcher {
  private readonly trans = new Map<number, Map<number, Term>>();
  private readonly nullMemo = new Map<number, boolean>();
  private readonly derivMemo = new Map<string, Term>();
  constructor(
    private readonly t: Terms,
    private readonly start: Term,
  ) {}

  private deriv(e: Term, cp: number): Term {
    const key = `${e.id}:${cp}`;
    const cached = this.derivMemo.get(key);
    if (cached !== undefined) return cached;
    let d: Term;
    switch (e.k) {
      case "none":
      case "eps":
        d = this.t.none;
        break;
      case "set":
        d = inRanges(e.r, cp) ? this.t.eps : this.t.none;
        break;
      case "cat": {
        const first = this.t.cat(this.deriv(e.a, cp), e.b);
        d = nullable(e.a, this.nullMemo) ? this.t.or([first, this.deriv(e.b, cp)]) : first;
        break;
      }
      case "or":
        d = this.t.or(e.xs.map((x) => this.deriv(x, cp)));
        break;
      case "and":
        d = this.t.and(e.xs.map((x) => this.deriv(x, cp)));
        break;
      case "not":
        d = this.t.not(this.deriv(e.a, cp));
        break;
      case "star":
        d = this.t.cat(this.deriv(e.a, cp), e);
        break;
    }
    if (this.derivMemo.size < MAX_CACHED_STATES * 16) this.derivMemo.set(key, d);
    return d;
  }

  match(s: string, counter?: RegexStepCounter): boolean {
    let state = this.start;
    for (let i = 0; i < s.length; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      if (counter !== undefined) counter.steps++;
      let row = this.trans.get(state.id);
      let next = row?.get(cp);
      if (next === undefined) {
        next = this.deriv(state, cp);
        if (row === undefined && this.trans.size < MAX_CACHED_STATES) this.trans.set(state.id, (row = new Map()));
        row?.set(cp, next);
      }
      state = next;
      if (state.k === "none") return false;
    }
    return nullable(state, this.nullMemo);
  }
}

/**
 * Compiles a Lucene regular expression into a whole-value matcher. Throws LuceneRegexError (with the
 * position) for an invalid pattern.
 */
export function compileLuceneRegex(pattern: string, opts: LuceneRegexOptions = {}): (s: string, counter?: RegexStepCounter) => boolean {
  const terms = new Terms();
  const start = new Parser(pattern, terms, opts.caseInsensitive === true).parse();
  const m = new Matcher(terms, start);
  return (s, counter) => m.match(s, counter);
}
