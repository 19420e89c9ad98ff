// Lucene regular expressions (org.apache.lucene.util.automaton.RegExp of Lucene 9.11, as Elasticsearch 8.15 runs
// them for the `regexp` query and EQL's `regex`/`regex~`) matched in linear time. The pattern is parsed to an AST
// (parseLuceneRegex), compiled to hash-consed terms and matched with Brzozowski derivatives: each distinct
// derivative is a state of a lazily built DFA over the pattern's alphabet partition, so a value costs one cached
// transition per character. No backtracking, no JS RegExp built from the pattern, no eval, no I/O.
// Semantics follow Lucene 9.x RegExp.java (parser, ASCII_CASE_INSENSITIVE), Automata.makeDecimalInterval and
// Operations.repeat; each kept quirk is noted where it is implemented.
//
// Grammar (Elasticsearch's flags are ALL: `&`, `~`, `#`, `@`, `<…>` all enabled):
//
//   regexp    = "" | union
//   union     = inter { "|" inter }
//   inter     = concat { "&" concat }
//   concat    = repeat { repeat }                 (* a new item starts unless at ")", "|" or "&" *)
//   repeat    = compl { "?" | "*" | "+" | "{" int [ "," [ int ] ] "}" }
//   compl     = "~" compl | class
//   class     = "[" [ "^" ] item { item } "]" | simple   (* the first item may be "]" *)
//   item      = pre | charexp [ "-" charexp ]
//   simple    = "." | "#" | "@" | '"' { char - '"' } '"' | "(" ")" | "(" union ")"
//             | "<" int "-" int ">" | pre | charexp
//   pre       = "\d" | "\D" | "\s" | "\S" | "\w" | "\W"
//   charexp   = [ "\" ] char                       (* "\" + any other ASCII letter is an error *)
//
// Characters that cannot start an item (`*`, `|`, `)`, `{`, …) are literals where the grammar wants a charexp:
// `*` matches "*", `a||b` is a | "|b". The whole value must match (no implicit `.*`).

export interface LuceneRegexOptions {
  /**
   * Elasticsearch's `case_insensitive` (EQL `regex~`), i.e. Lucene's ASCII_CASE_INSENSITIVE: each ASCII letter of
   * the pattern (single characters, class members, quoted strings) also matches its other case. Ranges and
   * non-ASCII letters do not fold, and the value itself is never lowercased.
   */
  readonly caseInsensitive?: boolean;
}

/** An invalid pattern. `offset` is the 0-based UTF-16 position in the pattern (Lucene's "position"). */
export class LuceneRegexError extends Error {
  override readonly name = "LuceneRegexError";
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** Counts work (characters stepped plus derivative nodes computed), so tests can show linearity without timers. */
export interface RegexStepCounter {
  steps: number;
}

/** A compiled pattern: does the whole value match? */
export type LuceneRegexMatcher = (value: string, counter?: RegexStepCounter) => boolean;

/** Deepest nesting of groups, complements and operators the parser accepts (the JS stack is the limit). */
export const MAX_REGEX_DEPTH = 500;

/**
 * Resource limits. `cachedStates`: DFA states whose transitions are remembered; past it derivatives are computed
 * afresh per character (still correct, cost bounded by the state's size). `termTable`: interned terms before the
 * engine is rebuilt (mid-value too), which bounds memory on huge values. `emptinessStates`: states explored to
 * decide whether a starred sub-language is empty (see compileTerm). Tests lower them to exercise the fallbacks.
 */
export const LUCENE_REGEX_LIMITS = { cachedStates: 10_000, termTable: 200_000, emptinessStates: 2_000 };

// ---- AST -----------------------------------------------------------------------------------------------

export interface RegexSpan {
  readonly start: number;
  readonly end: number;
}
export type PreClassName = "d" | "D" | "s" | "S" | "w" | "W";

export interface CharNode {
  readonly kind: "char";
  readonly cp: number;
  readonly span: RegexSpan;
}
export interface RangeNode {
  readonly kind: "range";
  readonly from: number;
  readonly to: number;
  readonly span: RegexSpan;
}
export interface PreClassNode {
  readonly kind: "pre_class";
  readonly name: PreClassName;
  readonly span: RegexSpan;
}
export type ClassItem = CharNode | RangeNode | PreClassNode;

export type RegexNode =
  | { readonly kind: "union" | "intersection" | "concat"; readonly items: readonly RegexNode[]; readonly span: RegexSpan }
  /** `?` {0,1}, `*` {0,null}, `+` {1,null}, `{n}`, `{n,}`, `{n,m}`; max null = unbounded. */
  | { readonly kind: "repeat"; readonly item: RegexNode; readonly min: number; readonly max: number | null; readonly span: RegexSpan }
  | { readonly kind: "complement"; readonly item: RegexNode; readonly span: RegexSpan }
  | { readonly kind: "class"; readonly negated: boolean; readonly items: readonly ClassItem[]; readonly span: RegexSpan }
  | CharNode
  | PreClassNode
  | { readonly kind: "any_char" | "any_string" | "empty_language"; readonly span: RegexSpan }
  /** `"…"` and `()` (value ""). */
  | { readonly kind: "string"; readonly value: string; readonly span: RegexSpan }
  /** `<min-max>`; digits > 0 fixes the length (zero-padded), 0 allows any number of leading zeros. */
  | { readonly kind: "interval"; readonly min: number; readonly max: number; readonly digits: number; readonly span: RegexSpan };

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

// ---- parser ------------------------------------------------------------------------------------------

// RegExp.matchPredefinedCharacterClass (Lucene 9, LUCENE-9370): a backslash before any other ASCII letter is an
// error, so that new classes can be added later.
const ESCAPE_ERROR_LETTERS = "abcefghijklmnopqrtuvxyzABCEFGHIJKLMNOPQRTUVXYZ";
const DIGIT_CHARS = "0123456789";
const JAVA_INT_MAX = 2147483647;

function isPreClassName(c: string): c is PreClassName {
  return c === "d" || c === "D" || c === "s" || c === "S" || c === "w" || c === "W";
}

/** Integer.parseInt as Lucene calls it: an optional sign, ASCII digits, within int range; else undefined. */
function javaParseInt(text: string): number | undefined {
  let i = text.startsWith("+") || text.startsWith("-") ? 1 : 0;
  if (i === text.length) return undefined;
  for (; i < text.length; i++) if (!DIGIT_CHARS.includes(text[i])) return undefined;
  const v = Number(text);
  return v > JAVA_INT_MAX || v < -JAVA_INT_MAX - 1 ? undefined : v;
}

class Parser {
  private pos = 0;
  private nesting = 0;
  private readonly heights = new WeakMap<RegexNode, number>();
  constructor(private readonly src: string) {}

  parse(): RegexNode {
    if (this.src.length === 0) return { kind: "string", value: "", span: { start: 0, end: 0 } };
    const e = this.unionExp();
    if (this.more()) this.fail(`end-of-string expected at position ${this.pos}`, this.pos);
    return e;
  }

  private fail(message: string, offset: number): never {
    throw new LuceneRegexError(message, offset);
  }

  private span(start: number): RegexSpan {
    return { start, end: this.pos };
  }

  private more(): boolean {
    return this.pos < this.src.length;
  }

  /** Is the next character one of `chars` (all ASCII)? */
  private peek(chars: string): boolean {
    return this.more() && chars.includes(this.src[this.pos]);
  }

  private match(ch: string): boolean {
    if (this.src[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private next(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) return this.fail("unexpected end-of-string", this.pos);
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private enter(at: number): void {
    if (++this.nesting > MAX_REGEX_DEPTH) this.fail(`the pattern nests deeper than ${MAX_REGEX_DEPTH} levels`, at);
  }

  /** Records a composite node's height; matching recurses that deep, so it is bounded like the nesting. */
  private node(n: RegexNode, children: readonly RegexNode[]): RegexNode {
    let h = 0;
    for (const c of children) h = Math.max(h, this.heights.get(c) ?? 1);
    if (++h > MAX_REGEX_DEPTH) this.fail(`the pattern nests deeper than ${MAX_REGEX_DEPTH} levels`, n.span.start);
    this.heights.set(n, h);
    return n;
  }

  private unionExp(): RegexNode {
    const start = this.pos;
    const items = [this.interExp()];
    while (this.match("|")) items.push(this.interExp());
    return items.length === 1 ? items[0] : this.node({ kind: "union", items, span: this.span(start) }, items);
  }

  private interExp(): RegexNode {
    const start = this.pos;
    const items = [this.concatExp()];
    while (this.match("&")) items.push(this.concatExp());
    return items.length === 1 ? items[0] : this.node({ kind: "intersection", items, span: this.span(start) }, items);
  }

  private concatExp(): RegexNode {
    const start = this.pos;
    const items = [this.repeatExp()];
    while (this.more() && !this.peek(")|&")) items.push(this.repeatExp());
    return items.length === 1 ? items[0] : this.node({ kind: "concat", items, span: this.span(start) }, items);
  }

  private repeatExp(): RegexNode {
    const start = this.pos;
    let e = this.complExp();
    while (this.peek("?*+{")) {
      const at = this.pos;
      let min: number;
      let max: number | null;
      if (this.match("?")) [min, max] = [0, 1];
      else if (this.match("*")) [min, max] = [0, null];
      else if (this.match("+")) [min, max] = [1, null];
      else {
        this.pos++; // "{"
        min = this.count();
        if (this.match(",")) max = this.peek(DIGIT_CHARS) ? this.count() : null;
        else max = min;
        if (!this.match("}")) this.fail(`expected '}' at position ${this.pos}`, this.pos);
        // Lucene >= 9.7 (GITHUB#12277) rejects out-of-order bounds; earlier versions built the empty language.
        if (max !== null && min > max) this.fail(`invalid repetition range(out of order): ${min}..${max}`, at);
      }
      e = this.node({ kind: "repeat", item: e, min, max, span: this.span(start) }, [e]);
    }
    return e;
  }

  private count(): number {
    const start = this.pos;
    while (this.peek(DIGIT_CHARS)) this.pos++;
    if (start === this.pos) this.fail(`integer expected at position ${this.pos}`, this.pos);
    const text = this.src.slice(start, this.pos);
    const n = javaParseInt(text);
    // Lucene lets Java's NumberFormatException through, with its message
    if (n === undefined) return this.fail(`For input string: "${text}"`, start);
    return n;
  }

  private complExp(): RegexNode {
    const start = this.pos;
    if (!this.match("~")) return this.charClassExp();
    this.enter(start);
    const item = this.complExp();
    this.nesting--;
    return this.node({ kind: "complement", item, span: this.span(start) }, [item]);
  }

  private charClassExp(): RegexNode {
    const start = this.pos;
    if (!this.match("[")) return this.simpleExp();
    const negated = this.match("^");
    const items = [this.charClass()];
    while (this.more() && !this.peek("]")) items.push(this.charClass());
    if (!this.match("]")) this.fail(`expected ']' at position ${this.pos}`, this.pos);
    return this.node({ kind: "class", negated, items, span: this.span(start) }, []);
  }

  private charClass(): ClassItem {
    const start = this.pos;
    const pre = this.predefined();
    if (pre !== undefined) return pre;
    const from = this.charExp();
    if (!this.match("-")) return { kind: "char", cp: from, span: this.span(start) };
    const to = this.charExp();
    if (from > to) this.fail(`invalid range: from (${from}) cannot be > to (${to})`, start);
    return { kind: "range", from, to, span: this.span(start) };
  }

  /**
   * Lucene's matchPredefinedCharacterClass, quirks included: it consumes the backslash even when it returns
   * nothing (the caller then reads the escaped character), and `\\` comes back as a finished character, so in a
   * class `[\\-a]` is the three characters `\`, `-`, `a`, not a range, while `[a-\q]` is the range a..q.
   */
  private predefined(): CharNode | PreClassNode | undefined {
    const start = this.pos;
    if (!this.match("\\")) return undefined;
    const c = this.more() ? this.src[this.pos] : "";
    if (isPreClassName(c)) {
      this.pos++;
      return { kind: "pre_class", name: c, span: this.span(start) };
    }
    if (c === "\\") {
      this.pos++;
      return { kind: "char", cp: 0x5c, span: this.span(start) };
    }
    // Lucene prints the code point as a number here ("\113"); the character itself is clearer.
    if (c !== "" && ESCAPE_ERROR_LETTERS.includes(c)) this.fail(`invalid character class \\${c}`, start);
    return undefined;
  }

  private charExp(): number {
    this.match("\\");
    return this.next();
  }

  private simpleExp(): RegexNode {
    const start = this.pos;
    if (this.match(".")) return { kind: "any_char", span: this.span(start) };
    if (this.match("#")) return { kind: "empty_language", span: this.span(start) };
    if (this.match("@")) return { kind: "any_string", span: this.span(start) };
    if (this.match('"')) {
      const from = this.pos;
      while (this.more() && !this.peek('"')) this.next();
      if (!this.match('"')) this.fail(`expected '"' at position ${this.pos}`, this.pos);
      return { kind: "string", value: this.src.slice(from, this.pos - 1), span: this.span(start) };
    }
    if (this.match("(")) {
      if (this.match(")")) return { kind: "string", value: "", span: this.span(start) };
      this.enter(start);
      const e = this.unionExp();
      if (!this.match(")")) this.fail(`expected ')' at position ${this.pos}`, this.pos);
      this.nesting--;
      return e;
    }
    if (this.match("<")) return this.interval(start);
    const pre = this.predefined();
    if (pre !== undefined) return pre;
    return { kind: "char", cp: this.charExp(), span: this.span(start) };
  }

  private interval(start: number): RegexNode {
    const from = this.pos;
    while (this.more() && !this.peek(">")) this.next();
    if (!this.match(">")) this.fail(`expected '>' at position ${this.pos}`, this.pos);
    const close = this.pos - 1;
    const body = this.src.slice(from, close);
    const dash = body.indexOf("-");
    // ALL includes Lucene's AUTOMATON flag, so `<name>` parses, but Elasticsearch gives RegExp no automaton
    // provider: toAutomaton then fails with this message.
    if (dash < 0) return this.fail(`'${body}' not found`, start);
    const smin = body.slice(0, dash);
    const smax = body.slice(dash + 1);
    let lo = javaParseInt(smin);
    let hi = javaParseInt(smax);
    if (dash === 0 || dash === body.length - 1 || dash !== body.lastIndexOf("-") || lo === undefined || hi === undefined) {
      return this.fail(`interval syntax error at position ${close}`, close);
    }
    // Lucene compares the written lengths (a leading "+" counts) and swaps reversed bounds.
    const digits = smin.length === smax.length ? smin.length : 0;
    if (lo > hi) [lo, hi] = [hi, lo];
    return { kind: "interval", min: lo, max: hi, digits, span: this.span(start) };
  }
}

/**
 * Parses a Lucene regular expression (Elasticsearch's ALL syntax flags) into its AST.
 * @throws LuceneRegexError with Lucene's message and the position.
 */
export function parseLuceneRegex(pattern: string): RegexNode {
  return new Parser(pattern).parse();
}

// ---- terms -----------------------------------------------------------------------------------------------

const MAX_CP = 0x10ffff;
type Range = readonly [number, number];
type Ranges = readonly Range[];

type Term =
  | { readonly k: "none"; readonly id: number } // the empty language
  | { readonly k: "eps"; readonly id: number } // the empty string
  | { readonly k: "set"; readonly id: number; readonly r: Ranges } // one character, never empty
  | { readonly k: "cat"; readonly id: number; readonly a: Term; readonly b: Term } // a is never a cat, eps or none
  | { readonly k: "or"; readonly id: number; readonly xs: readonly Term[] } // >= 2, sorted by id, no or/none
  | { readonly k: "and"; readonly id: number; readonly xs: readonly Term[] } // >= 2, sorted by id, no and/all
  | { readonly k: "not"; readonly id: number; readonly a: Term }
  | { readonly k: "star"; readonly id: number; readonly a: Term }
  | { readonly k: "rep"; readonly id: number; readonly a: Term; readonly min: number; readonly max: number | null };

/** Smart constructors over a hash-consing table: equal normal forms are the same object, so ids name states. */
class Terms {
  private readonly table = new Map<string, Term>();
  private nextId = 0;
  /** Every character set built; derivatives never make new ones, so these fix the alphabet partition. */
  readonly sets: Ranges[] = [];
  readonly none: Term = this.intern("0", (id) => ({ k: "none", id }));
  readonly eps: Term = this.intern("e", (id) => ({ k: "eps", id }));
  readonly any: Term = this.set([[0, MAX_CP]]);
  readonly all: Term = this.intern(`n${this.none.id}`, (id) => ({ k: "not", id, a: this.none }));

  get size(): number {
    return this.table.size;
  }

  private intern(key: string, make: (id: number) => Term): Term {
    let t = this.table.get(key);
    if (t === undefined) {
      t = make(this.nextId++);
      this.table.set(key, t);
    }
    return t;
  }

  set(r: Ranges): Term {
    const norm = normaliseRanges(r);
    if (norm.length === 0) return this.none;
    return this.intern("s" + norm.map(([a, b]) => `${a}-${b}`).join(","), (id) => {
      this.sets.push(norm);
      return { k: "set", id, r: norm };
    });
  }

  cat(a: Term, b: Term): Term {
    if (a.k === "none" || b.k === "none") return this.none;
    if (a.k === "eps") return b;
    if (b.k === "eps") return a;
    // right-nested chains, built without recursion (a long literal is a long chain)
    const heads: Term[] = [];
    let x: Term = a;
    while (x.k === "cat") {
      heads.push(x.a);
      x = x.b;
    }
    let acc = this.cons(x, b);
    for (let i = heads.length - 1; i >= 0; i--) acc = this.cons(heads[i], acc);
    return acc;
  }

  private cons(a: Term, b: Term): Term {
    return this.intern(`c${a.id},${b.id}`, (id) => ({ k: "cat", id, a, b }));
  }

  or(xs: readonly Term[]): Term {
    const flat = new Map<number, Term>();
    for (const x of xs) {
      if (x.k === "or") for (const y of x.xs) flat.set(y.id, y);
      else if (x.k !== "none") flat.set(x.id, x);
    }
    if (flat.has(this.all.id)) return this.all;
    return this.nary("o", [...flat.values()], this.none, (id, list) => ({ k: "or", id, xs: list }));
  }

  and(xs: readonly Term[]): Term {
    const flat = new Map<number, Term>();
    for (const x of xs) {
      if (x.k === "none") return this.none;
      if (x.k === "and") for (const y of x.xs) flat.set(y.id, y);
      else if (x.id !== this.all.id) flat.set(x.id, x);
    }
    return this.nary("a", [...flat.values()], this.all, (id, list) => ({ k: "and", id, xs: list }));
  }

  private nary(tag: string, list: Term[], unit: Term, make: (id: number, list: readonly Term[]) => Term): Term {
    if (list.length === 0) return unit;
    if (list.length === 1) return list[0];
    list.sort((p, q) => p.id - q.id);
    return this.intern(tag + list.map((x) => x.id).join(","), (id) => make(id, list));
  }

  not(a: Term): Term {
    if (a.k === "not") return a.a;
    return this.intern(`n${a.id}`, (id) => ({ k: "not", id, a }));
  }

  star(a: Term): Term {
    if (a.k === "star" || a.id === this.all.id) return a;
    if (a.k === "eps" || a.k === "none") return this.eps;
    // `.*` and `@` are the universal language; one term for it lets unions absorb into it
    if (a.id === this.any.id) return this.all;
    return this.intern(`*${a.id}`, (id) => ({ k: "star", id, a }));
  }

  rep(a: Term, min: number, max: number | null): Term {
    if (max !== null && min > max) return this.none;
    if (max === 0) return this.eps;
    if (a.k === "none") return min === 0 ? this.eps : this.none;
    if (a.k === "eps") return this.eps;
    if (min === 0 && max === null) return this.star(a);
    if (min === 1 && max === 1) return a;
    return this.intern(`r${a.id},${min},${max ?? ""}`, (id) => ({ k: "rep", id, a, min, max }));
  }

  /** Rebuilds a term of another table in this one (the engine is swapped for a fresh one mid-value). */
  adopt(e: Term, memo = new Map<number, Term>()): Term {
    const hit = memo.get(e.id);
    if (hit !== undefined) return hit;
    let r: Term;
    switch (e.k) {
      case "none":
        r = this.none;
        break;
      case "eps":
        r = this.eps;
        break;
      case "set":
        r = this.set(e.r);
        break;
      case "cat": {
        const heads: Term[] = [];
        let x: Term = e;
        while (x.k === "cat") {
          heads.push(this.adopt(x.a, memo));
          x = x.b;
        }
        r = this.adopt(x, memo);
        for (let i = heads.length - 1; i >= 0; i--) r = this.cat(heads[i], r);
        break;
      }
      case "or":
        r = this.or(e.xs.map((x) => this.adopt(x, memo)));
        break;
      case "and":
        r = this.and(e.xs.map((x) => this.adopt(x, memo)));
        break;
      case "not":
        r = this.not(this.adopt(e.a, memo));
        break;
      case "star":
        r = this.star(this.adopt(e.a, memo));
        break;
      case "rep":
        r = this.rep(this.adopt(e.a, memo), e.min, e.max);
        break;
      default:
        return assertNever(e);
    }
    memo.set(e.id, r);
    return r;
  }
}

function normaliseRanges(r: Ranges): [number, number][] {
  const sorted = r.filter(([a, b]) => a <= b).map(([a, b]): [number, number] => [a, b]).sort((x, y) => x[0] - y[0]);
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

/** First code point of each block of the partition the sets induce: within a block every set answers alike. */
function partitionStarts(sets: readonly Ranges[]): number[] {
  const cut = new Set<number>([0]);
  for (const r of sets) {
    for (const [a, b] of r) {
      cut.add(a);
      if (b < MAX_CP) cut.add(b + 1);
    }
  }
  return [...cut].sort((x, y) => x - y);
}

// ---- derivatives --------------------------------------------------------------------------------------------

class Deriver {
  private readonly nullMemo = new Map<number, boolean>();
  /** Derivative nodes computed so far (the work a step counter reports). */
  work = 0;
  constructor(private readonly t: Terms) {}

  nullable(e: Term): boolean {
    const m = this.nullMemo.get(e.id);
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
        v = this.nullableChain(e);
        break;
      case "or":
        v = e.xs.some((x) => this.nullable(x));
        break;
      case "and":
        v = e.xs.every((x) => this.nullable(x));
        break;
      case "not":
        v = !this.nullable(e.a);
        break;
      case "rep":
        v = e.min === 0 || this.nullable(e.a);
        break;
      default:
        return assertNever(e);
    }
    this.nullMemo.set(e.id, v);
    return v;
  }

  /** ν of a chain, remembering every suffix on the way (states are often unions of one chain's suffixes). */
  private nullableChain(e: Term): boolean {
    const path: Term[] = [];
    let x = e;
    let v: boolean;
    for (;;) {
      const m = x === e ? undefined : this.nullMemo.get(x.id);
      if (m !== undefined) {
        v = m;
        break;
      }
      if (x.k !== "cat") {
        v = this.nullable(x);
        break;
      }
      path.push(x);
      if (!this.nullable(x.a)) {
        v = false;
        break;
      }
      x = x.b;
    }
    for (const p of path) this.nullMemo.set(p.id, v);
    return v;
  }

  /** The Brzozowski derivative of `e` by the code point `cp`. */
  deriv(e: Term, cp: number): Term {
    return this.d(e, cp, new Map());
  }

  private d(e: Term, cp: number, memo: Map<number, Term>): Term {
    const hit = memo.get(e.id);
    if (hit !== undefined) return hit;
    this.work++;
    const t = this.t;
    let r: Term;
    switch (e.k) {
      case "none":
      case "eps":
        r = t.none;
        break;
      case "set":
        r = inRanges(e.r, cp) ? t.eps : t.none;
        break;
      case "cat":
      case "or": {
        const parts: Term[] = [];
        this.collect(e, cp, memo, parts, new Set());
        r = t.or(parts);
        break;
      }
      case "and":
        r = t.and(e.xs.map((x) => this.d(x, cp, memo)));
        break;
      case "not":
        r = t.not(this.d(e.a, cp, memo));
        break;
      case "star":
        r = t.cat(this.d(e.a, cp, memo), e);
        break;
      case "rep":
        // d(x{n,m}) = d(x)·x{n-1,m-1}; the first non-empty iteration may follow empty ones only when ν(x), and
        // then x{n-1,…} already covers them, so this holds whether or not x is nullable
        r = t.cat(this.d(e.a, cp, memo), t.rep(e.a, Math.max(e.min - 1, 0), e.max === null ? null : e.max - 1));
        break;
      default:
        return assertNever(e);
    }
    memo.set(e.id, r);
    return r;
  }

  /**
   * Pushes the members of d(e)'s union. d(x·y) = d(x)·y ∪ (ν(x) ? d(y) : ∅) is walked along the chain without
   * recursion, and a chain node already walked for this union is not walked again: a state that is the union of
   * many suffixes of one chain (`(a?){n}a{n}`, `.*`-prefixed patterns) then costs O(chain) per step, not O(chain²).
   */
  private collect(e: Term, cp: number, memo: Map<number, Term>, out: Term[], walked: Set<number>): void {
    if (e.k === "or") {
      for (const x of e.xs) this.collect(x, cp, memo, out, walked);
      return;
    }
    let x: Term = e;
    while (x.k === "cat") {
      if (walked.has(x.id)) return;
      walked.add(x.id);
      this.work++;
      out.push(this.t.cat(this.d(x.a, cp, memo), x.b));
      if (!this.nullable(x.a)) return;
      x = x.b;
    }
    out.push(this.d(x, cp, memo));
  }

  /** Does `e` denote the empty language? Explores its derivative automaton up to a limit (then answers no). */
  isEmpty(e: Term): boolean {
    if (e.k === "none") return true;
    if (surelyNonEmpty(e)) return false;
    const sets: Ranges[] = [];
    const seenTerm = new Set<number>();
    const stack: Term[] = [e];
    while (stack.length > 0) {
      const x = stack.pop();
      if (x === undefined || seenTerm.has(x.id)) continue;
      seenTerm.add(x.id);
      if (x.k === "set") sets.push(x.r);
      else if (x.k === "cat") stack.push(x.a, x.b);
      else if (x.k === "or" || x.k === "and") stack.push(...x.xs);
      else if (x.k === "not" || x.k === "star" || x.k === "rep") stack.push(x.a);
    }
    const reps = partitionStarts(sets);
    const seen = new Set<number>([e.id]);
    const queue = [e];
    for (let i = 0; i < queue.length; i++) {
      if (this.nullable(queue[i])) return false;
      if (seen.size > LUCENE_REGEX_LIMITS.emptinessStates) return false;
      for (const cp of reps) {
        const n = this.deriv(queue[i], cp);
        if (n.k !== "none" && !seen.has(n.id)) {
          seen.add(n.id);
          queue.push(n);
        }
      }
    }
    return true;
  }
}

/** A quick syntactic answer: terms built without none, and or not always denote something. */
function surelyNonEmpty(e: Term): boolean {
  switch (e.k) {
    case "eps":
    case "set":
    case "star":
      return true;
    case "none":
    case "and":
    case "not":
      return false;
    case "cat": {
      let x: Term = e;
      while (x.k === "cat") {
        if (!surelyNonEmpty(x.a)) return false;
        x = x.b;
      }
      return surelyNonEmpty(x);
    }
    case "or":
      return e.xs.some(surelyNonEmpty);
    case "rep":
      return e.min === 0 || surelyNonEmpty(e.a);
    default:
      return assertNever(e);
  }
}

// ---- compilation -------------------------------------------------------------------------------------

const cpOf = (c: string): number => c.codePointAt(0) ?? 0;
const DIGITS: Ranges = [[cpOf("0"), cpOf("9")]];
// RegExp.expandPredefined: \s is [ \t\n\r] (no \f, no \v), \w is [a-zA-Z_0-9]; both ASCII only.
const SPACE: Ranges = [[9, 10], [13, 13], [32, 32]];
const WORD: Ranges = [[cpOf("0"), cpOf("9")], [cpOf("A"), cpOf("Z")], [cpOf("_"), cpOf("_")], [cpOf("a"), cpOf("z")]];
const PRE_CLASSES: Record<PreClassName, Ranges> = {
  d: DIGITS,
  D: complementRanges(DIGITS),
  s: SPACE,
  S: complementRanges(SPACE),
  w: WORD,
  W: complementRanges(WORD),
};

/**
 * A pattern character as ASCII_CASE_INSENSITIVE matches it. RegExp.toCaseInsensitiveChar leaves code points
 * above 128 alone and otherwise adds Character.toUpperCase/toLowerCase, which in ASCII moves only letters.
 */
function foldChar(cp: number, ci: boolean): Ranges {
  if (ci && cp >= 65 && cp <= 90) return [[cp, cp], [cp + 32, cp + 32]];
  if (ci && cp >= 97 && cp <= 122) return [[cp, cp], [cp - 32, cp - 32]];
  return [[cp, cp]];
}

function compileTerm(node: RegexNode, t: Terms, dv: Deriver, ci: boolean): Term {
  const sub = (x: RegexNode) => compileTerm(x, t, dv, ci);
  switch (node.kind) {
    case "union":
      return t.or(node.items.map(sub));
    case "intersection":
      return t.and(node.items.map(sub));
    case "concat": {
      let acc = t.eps;
      for (let i = node.items.length - 1; i >= 0; i--) acc = t.cat(sub(node.items[i]), acc);
      return acc;
    }
    case "repeat": {
      const a = sub(node.item);
      // Lucene's Operations.repeat returns a 0-state (empty-language) automaton unchanged, and every empty
      // sub-language reaches it with 0 states after minimisation: `#*`, `#{0,}`, `(a&b)*` match nothing, not even
      // "". `?` and `{0,m}` go through other code and do accept "".
      if (node.min === 0 && node.max === null && dv.isEmpty(a)) return t.none;
      return t.rep(a, node.min, node.max);
    }
    case "complement":
      return t.not(sub(node.item));
    case "char":
      return t.set(foldChar(node.cp, ci));
    case "string": {
      let acc = t.eps;
      const cps = Array.from(node.value, cpOf);
      for (let i = cps.length - 1; i >= 0; i--) acc = t.cat(t.set(foldChar(cps[i], ci)), acc);
      return acc;
    }
    case "class": {
      // members that are single characters fold; ranges do not (REGEXP_CHAR_RANGE has no case handling)
      const rs: Range[] = [];
      for (const item of node.items) {
        if (item.kind === "char") rs.push(...foldChar(item.cp, ci));
        else if (item.kind === "range") rs.push([item.from, item.to]);
        else rs.push(...PRE_CLASSES[item.name]);
      }
      return t.set(node.negated ? complementRanges(rs) : rs);
    }
    case "pre_class":
      return t.set(PRE_CLASSES[node.name]);
    case "any_char":
      return t.any;
    case "any_string":
      return t.all;
    case "empty_language":
      return t.none;
    case "interval":
      return decimalInterval(t, node.min, node.max, node.digits);
    default:
      return assertNever(node);
  }
}

/**
 * Automata.makeDecimalInterval: decimal strings whose value is in [lo, hi]. With digits > 0 the string has exactly
 * that many digits (zero-padded); with 0 any number of leading zeros is accepted ("007" is in <1-10>).
 */
function decimalInterval(t: Terms, lo: number, hi: number, digits: number): Term {
  const digit = t.set(DIGITS);
  const ch = (d: number) => t.set([[48 + d, 48 + d]]);
  const anyDigits = (n: number): Term => {
    let e = t.eps;
    for (let i = 0; i < n; i++) e = t.cat(digit, e);
    return e;
  };
  // strings of a's length whose value lies between a and b (both that length)
  const between = (a: string, b: string): Term => {
    if (a.length === 0) return t.eps;
    const x = a.charCodeAt(0) - 48;
    const y = b.charCodeAt(0) - 48;
    const rest = a.length - 1;
    if (x === y) return t.cat(ch(x), between(a.slice(1), b.slice(1)));
    const parts = [t.cat(ch(x), between(a.slice(1), "9".repeat(rest))), t.cat(ch(y), between("0".repeat(rest), b.slice(1)))];
    if (y - x > 1) parts.push(t.cat(t.set([[48 + x + 1, 48 + y - 1]]), anyDigits(rest)));
    return t.or(parts);
  };
  if (digits > 0) return between(String(lo).padStart(digits, "0"), String(hi).padStart(digits, "0"));
  // 0* then the value written without leading zeros (0 itself is "0")
  const los = String(lo);
  const his = String(hi);
  const parts: Term[] = [];
  for (let len = los.length; len <= his.length; len++) {
    parts.push(between(len === los.length ? los : "1" + "0".repeat(len - 1), len === his.length ? his : "9".repeat(len)));
  }
  return t.cat(t.star(t.set([[48, 48]])), t.or(parts));
}

// ---- matching ---------------------------------------------------------------------------------------------

/** One generation of terms, derivatives and cached transitions for a pattern. */
class Engine {
  readonly terms = new Terms();
  readonly deriver = new Deriver(this.terms);
  readonly start: Term;
  private readonly starts: number[];
  private readonly rows = new Map<number, Map<number, Term>>();

  constructor(ast: RegexNode, ci: boolean) {
    this.start = compileTerm(ast, this.terms, this.deriver, ci);
    this.starts = partitionStarts(this.terms.sets);
  }

  get worn(): boolean {
    return this.terms.size > LUCENE_REGEX_LIMITS.termTable;
  }

  private blockOf(cp: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= cp) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  step(state: Term, cp: number): Term {
    const block = this.blockOf(cp);
    let row = this.rows.get(state.id);
    const cached = row?.get(block);
    if (cached !== undefined) return cached;
    const next = this.deriver.deriv(state, this.starts[block]);
    if (row === undefined && this.rows.size < LUCENE_REGEX_LIMITS.cachedStates) {
      row = new Map();
      this.rows.set(state.id, row);
    }
    row?.set(block, next);
    return next;
  }
}

/**
 * Compiles a Lucene regular expression into a whole-value matcher (Elasticsearch 8.15 semantics, ALL flags).
 * Matching costs O(value length) cached steps, O(value length × state size) at worst; it never throws.
 * @throws LuceneRegexError (message and position as Lucene reports them) for an invalid pattern.
 * @example compileLuceneRegex(".*\\.(top|xyz)")("evil.xyz") // true; the match is anchored at both ends
 */
export function compileLuceneRegex(pattern: string, opts: LuceneRegexOptions = {}): LuceneRegexMatcher {
  const ast = parseLuceneRegex(pattern);
  const ci = opts.caseInsensitive === true;
  let engine = new Engine(ast, ci);
  return (value, counter) => {
    if (engine.worn) engine = new Engine(ast, ci);
    let work = -engine.deriver.work;
    let state = engine.start;
    const n = value.length;
    let i = 0;
    for (; i < n && state.k !== "none" && state.id !== engine.terms.all.id; i++) {
      let cp = value.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const low = cp <= 0xdbff && i + 1 < n ? value.charCodeAt(i + 1) : 0;
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          i++;
        } else {
          // Lucene indexes UTF-8 (UnicodeUtil.UTF16toUTF8), which writes U+FFFD for an unpaired surrogate
          cp = 0xfffd;
        }
      }
      state = engine.step(state, cp);
      if (engine.worn) {
        // bounded memory on huge values: carry the current state into a fresh table
        work += engine.deriver.work;
        const fresh = new Engine(ast, ci);
        state = fresh.terms.adopt(state);
        engine = fresh;
        work -= engine.deriver.work;
      }
    }
    if (counter !== undefined) counter.steps += i + work + engine.deriver.work;
    if (state.k === "none") return false;
    return state.id === engine.terms.all.id || engine.deriver.nullable(state);
  };
}
