// Events that make an EQL statement match, and near misses that must not (test support for the corpus
// acceptance test "every Linux EQL rule fires on events generated from its query").
//
// A small constraint solver over each stage's `where` clause, independent of tern's EQL compiler:
//  - the expression is normalised to goals: and/or/not, field leaves (equality and `in`, ranges, wildcard
//    patterns, Lucene regexes, prefixes, CIDR blocks, exists, a boolean field, `length(field) op n`) and
//    scripts (functions over functions) that are only checked once every field has its values;
//  - a depth-first search takes each goal with the truth value it needs: `or` tries its branches in order
//    (the first satisfiable one wins), `not` flips the polarity, a leaf adds a constraint to its field and the
//    field must stay satisfiable; a negative constraint is satisfied by a missing field;
//  - a field's values satisfy every positive constraint with some value and no negative one with any value
//    (Elasticsearch's any-value semantics): one value when one fits all, else one value per constraint.
// Join keys are pinned to one value shared by every stage; sequence events are spaced inside maxspan.
// Near misses change one thing: an exclusion (a `not …`, `!=` or `not in` under a stage's top-level
// conjunction) made true, a join key that differs in the last stage, the last event one millisecond past
// maxspan, a wrong event category, an `until` or missing-stage event put in.
// What the solver cannot satisfy throws EqlGenUnsupported with the reason.

import { ecsFieldType } from "../../ecs/field-types.js";
import { eqlTypeOf } from "../../compile/eql/mapping.js";
import { assertNever, comparisonHolds, type EqlCompareOp, type EqlExpr, type EqlField, type EqlLiteralValue, type EqlStatement } from "../../lang/eql/ast.js";
import type { EventDoc } from "../../event/types.js";

export type Scalar = string | number | boolean;

export interface GeneratedCase {
  readonly why: string;
  readonly events: EventDoc[];
}

export interface EqlEventSet {
  readonly kind: EqlStatement["kind"];
  /** Events that make the statement match once (one per positive stage, runs expanded; one per sample filter). */
  readonly positive: EventDoc[];
  /** Other event sets that must match once (a sequence whose last event is exactly maxspan after its first). */
  readonly positiveVariants: GeneratedCase[];
  /** Event sets that must not match. */
  readonly nearMisses: GeneratedCase[];
  /** Near misses that could not be built, and why (an exclusion the positive constraints make impossible…). */
  readonly notes: string[];
}

export class EqlGenUnsupported extends Error {
  override readonly name = "EqlGenUnsupported";
}

export interface EqlGenOptions {
  /** The category field (a rule's event_category_override); default `event.category`. */
  readonly categoryField?: string;
  /** Time of the first event (ms); default 2024-05-01T10:00:00Z. */
  readonly baseTime?: number;
}

// ---- field kinds -----------------------------------------------------------------------------------------

type Kind = "keyword" | "long" | "double" | "ip" | "date" | "boolean";

// ---- leaves and goals ------------------------------------------------------------------------------------

type RangeOp = "<" | "<=" | ">" | ">=";

type Leaf =
  /** `==`, `in`, `in~`, `:` without wildcards (ci). */
  | { k: "eq"; items: EqlLiteralValue[]; ci: boolean }
  | { k: "range"; op: RangeOp; v: EqlLiteralValue }
  /** like, like~, `:` with wildcards, endsWith and stringContains (pushed down as wildcards). */
  | { k: "wild"; patterns: string[]; ci: boolean }
  | { k: "regex"; patterns: string[]; ci: boolean }
  | { k: "prefix"; p: string; ci: boolean }
  | { k: "cidr"; blocks: string[] }
  | { k: "exists" }
  /** A field used as a condition (a term query for true). */
  | { k: "true" }
  /** `length(field) op n` (a script, but of one field: solved like a leaf). */
  | { k: "len"; op: EqlCompareOp; n: number };

interface LeafGoal {
  g: "leaf";
  id: number;
  field: string;
  leaf: Leaf;
}

interface ScriptGoal {
  g: "script";
  id: number;
  expr: EqlExpr;
  fields: string[];
}

type Goal =
  | { g: "and" | "or"; l: Goal; r: Goal }
  | { g: "not"; e: Goal }
  | { g: "const"; v: boolean }
  | LeafGoal
  | ScriptGoal
  | { g: "unsupported"; why: string };

let nextLeafId = 1;
const leafGoal = (field: string, leaf: Leaf): LeafGoal => ({ g: "leaf", id: nextLeafId++, field, leaf });
const not = (e: Goal): Goal => ({ g: "not", e });

const FLIP: Readonly<Record<EqlCompareOp, EqlCompareOp>> = { "==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
const SCRIPT_FUNCTIONS: ReadonlySet<string> = new Set(["string", "startsWith", "endsWith", "stringContains", "length", "concat", "indexOf", "substring", "number"]);

function scriptSupported(e: EqlExpr): string | undefined {
  switch (e.kind) {
    case "literal":
    case "field":
      return undefined;
    case "and":
    case "or":
    case "compare":
      return scriptSupported(e.left) ?? scriptSupported(e.right);
    case "not":
      return scriptSupported(e.expr);
    case "arith":
    case "neg":
      return "arithmetic";
    case "match":
      return e.op === "regex" || e.op === "regex~" ? "a regex inside a script" : scriptSupported(e.value);
    case "in":
      return scriptSupported(e.value) ?? e.items.map(scriptSupported).find((x) => x !== undefined);
    case "call":
      if (!SCRIPT_FUNCTIONS.has(e.name)) return `function ${e.name} inside a script`;
      return e.args.map(scriptSupported).find((x) => x !== undefined);
    default:
      return assertNever(e);
  }
}

function fieldNames(e: EqlExpr, out: string[] = []): string[] {
  switch (e.kind) {
    case "literal":
      return out;
    case "field":
      if (!out.includes(e.name)) out.push(e.name);
      return out;
    case "and":
    case "or":
    case "compare":
    case "arith":
      fieldNames(e.left, out);
      return fieldNames(e.right, out);
    case "not":
    case "neg":
      return fieldNames(e.expr, out);
    case "match":
      return fieldNames(e.value, out);
    case "in":
      fieldNames(e.value, out);
      e.items.forEach((i) => fieldNames(i, out));
      return out;
    case "call":
      e.args.forEach((a) => fieldNames(a, out));
      return out;
    default:
      return assertNever(e);
  }
}

function script(e: EqlExpr): Goal {
  const why = scriptSupported(e);
  if (why !== undefined) return { g: "unsupported", why };
  return { g: "script", id: nextLeafId++, expr: e, fields: fieldNames(e) };
}

const isField = (e: EqlExpr): e is EqlField => e.kind === "field";
const literalOf = (e: EqlExpr): EqlLiteralValue | undefined => (e.kind === "literal" ? e.value : undefined);
const hasWildcard = (p: string) => p.includes("*") || p.includes("?");

/** The goal of a `where` expression (docs/eql.md §4–§6 as tern implements them). */
function toGoal(e: EqlExpr): Goal {
  switch (e.kind) {
    case "literal":
      if (typeof e.value === "boolean") return { g: "const", v: e.value };
      if (e.value === null) return { g: "const", v: false };
      return { g: "unsupported", why: "a non-boolean literal as a condition" };
    case "field":
      return leafGoal(e.name, { k: "true" });
    case "and":
    case "or":
      return { g: e.kind, l: toGoal(e.left), r: toGoal(e.right) };
    case "not":
      return not(toGoal(e.expr));
    case "compare": {
      let l = e.left;
      let r = e.right;
      let op = e.op;
      if (literalOf(l) !== undefined && literalOf(r) === undefined) {
        [l, r] = [r, l];
        op = FLIP[op];
      }
      const lit = literalOf(r);
      if (isField(l) && r.kind === "literal") {
        if (lit === null) {
          if (op === "==") return not(leafGoal(l.name, { k: "exists" }));
          if (op === "!=") return leafGoal(l.name, { k: "exists" });
          return { g: "const", v: false };
        }
        if (lit === undefined) return { g: "unsupported", why: "compare" };
        if (op === "==") return leafGoal(l.name, { k: "eq", items: [lit], ci: false });
        if (op === "!=") return not(leafGoal(l.name, { k: "eq", items: [lit], ci: false }));
        return leafGoal(l.name, { k: "range", op, v: lit });
      }
      if (l.kind === "call" && typeof lit === "boolean" && (op === "==" || op === "!=")) {
        const inner = toGoal(l);
        return (op === "==") === lit ? inner : not(inner);
      }
      if (l.kind === "call" && l.name === "length" && l.args.length === 1 && isField(l.args[0]) && typeof lit === "number") {
        return leafGoal(l.args[0].name, { k: "len", op, n: lit });
      }
      return script(e);
    }
    case "match": {
      if (!isField(e.value)) return script(e);
      const name = e.value.name;
      const pats = e.patterns.map((p) => (typeof p.value === "string" ? p.value : String(p.value)));
      switch (e.op) {
        case ":": {
          const wild = pats.filter(hasWildcard);
          const plain = pats.filter((p) => !hasWildcard(p));
          const parts: Goal[] = [];
          if (plain.length > 0) parts.push(leafGoal(name, { k: "eq", items: plain, ci: true }));
          if (wild.length > 0) parts.push(leafGoal(name, { k: "wild", patterns: wild, ci: true }));
          return parts.length === 1 ? parts[0] : { g: "or", l: parts[0], r: parts[1] };
        }
        case "like":
        case "like~":
          return leafGoal(name, { k: "wild", patterns: pats, ci: e.op === "like~" });
        case "regex":
        case "regex~":
          return leafGoal(name, { k: "regex", patterns: pats, ci: e.op === "regex~" });
        default:
          return { g: "unsupported", why: "an unknown match operator" };
      }
    }
    case "in": {
      const items = e.items.map(literalOf);
      if (!isField(e.value) || items.some((i) => i === undefined)) return script(e);
      const leaf = leafGoal(e.value.name, { k: "eq", items: items.filter((i): i is EqlLiteralValue => i !== undefined && i !== null), ci: e.insensitive });
      return e.negated ? not(leaf) : leaf;
    }
    case "call": {
      const [first, ...rest] = e.args;
      const lits = rest.map(literalOf);
      if (first === undefined || !isField(first) || lits.some((l) => typeof l !== "string")) return script(e);
      const strs = lits.filter((l): l is string => typeof l === "string");
      switch (e.name) {
        case "startsWith":
          return leafGoal(first.name, { k: "prefix", p: strs[0], ci: e.insensitive });
        case "endsWith":
          return leafGoal(first.name, { k: "wild", patterns: [`*${strs[0]}`], ci: e.insensitive });
        case "stringContains":
          return leafGoal(first.name, { k: "wild", patterns: [`*${strs[0]}*`], ci: e.insensitive });
        case "cidrMatch":
          return leafGoal(first.name, { k: "cidr", blocks: strs });
        default:
          return script(e);
      }
    }
    case "arith":
    case "neg":
      return { g: "unsupported", why: "arithmetic as a condition" };
    default:
      return assertNever(e);
  }
}

// ---- IP addresses ------------------------------------------------------------------------------------------

function parseIPv4(s: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return undefined;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

/** An address as 128 bits (IPv4 mapped into ::ffff:0:0/96, as Lucene's InetAddressPoint). */
function parseIp(text: string): bigint | undefined {
  const s = text.trim();
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return (0xffffn << 32n) | v4;
  if (!s.includes(":")) return undefined;
  let head = s;
  let tail4: bigint | undefined;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const a = groups(halves[0]);
  const b = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - a.length - b.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return undefined;
  const all = [...a, ...new Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...b];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) v = (v & ~0xffffffffn) | tail4;
  return v;
}

interface Cidr {
  readonly base: bigint;
  readonly bits: number;
  readonly v4: boolean;
}

function parseCidr(text: string): Cidr | undefined {
  const [addr, len] = text.split("/");
  const a = parseIp(addr);
  if (a === undefined) return undefined;
  const v4 = parseIPv4(addr.trim()) !== undefined;
  const bits = len === undefined ? 128 : Number(len) + (v4 ? 96 : 0);
  if (!Number.isInteger(bits) || bits < 0 || bits > 128) return undefined;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
  return { base: a & mask, bits, v4 };
}

function inCidr(ip: bigint, c: Cidr): boolean {
  const mask = c.bits === 0 ? 0n : ((1n << BigInt(c.bits)) - 1n) << BigInt(128 - c.bits);
  return (ip & mask) === c.base;
}

function formatIp(v: bigint, v4: boolean): string {
  if (v4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(":");
}

/** A host address inside a block (the network address + 1 unless the block is a single address). */
function hostIn(c: Cidr): string {
  const v = c.bits >= 127 ? c.base : c.base + 1n;
  return formatIp(c.v4 ? v & 0xffffffffn : v, c.v4);
}

// ---- wildcards and Lucene regexes ------------------------------------------------------------------------

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const wildCache = new Map<string, RegExp>();

/** `*` any run, `?` one character, everything else literal (a backslash too). */
function wildRegExp(p: string, ci: boolean): RegExp {
  const key = (ci ? "i" : "s") + p;
  let re = wildCache.get(key);
  if (re === undefined) {
    let src = "";
    for (const ch of p) src += ch === "*" ? "[\\s\\S]*" : ch === "?" ? "[\\s\\S]" : reEscape(ch);
    re = new RegExp(`^${src}$`, ci ? "iu" : "u");
    wildCache.set(key, re);
  }
  return re;
}

const fold = (s: string) => s.toLowerCase();

type Rx =
  | { t: "seq"; items: Rx[] }
  | { t: "alt"; alts: Rx[] }
  | { t: "rep"; e: Rx; min: number; max: number }
  | { t: "set"; ranges: [number, number][]; neg: boolean }
  | { t: "lit"; s: string };

const ANY: Rx = { t: "set", ranges: [], neg: true };
const PRE: Readonly<Record<string, { ranges: [number, number][]; neg: boolean }>> = {
  d: { ranges: [[48, 57]], neg: false },
  D: { ranges: [[48, 57]], neg: true },
  s: { ranges: [[9, 13], [32, 32]], neg: false },
  S: { ranges: [[9, 13], [32, 32]], neg: true },
  w: { ranges: [[48, 57], [65, 90], [95, 95], [97, 122]], neg: false },
  W: { ranges: [[48, 57], [65, 90], [95, 95], [97, 122]], neg: true },
};

/** A Lucene regex (the subset without `@ & ~ # <n-m>`) as a tree; throws EqlGenUnsupported otherwise. */
function parseRx(p: string): Rx {
  let i = 0;
  const fail = (why: string): never => {
    throw new EqlGenUnsupported(`regex "${p}": ${why}`);
  };
  const union = (): Rx => {
    const alts = [concat()];
    while (p[i] === "|") {
      i++;
      alts.push(concat());
    }
    return alts.length === 1 ? alts[0] : { t: "alt", alts };
  };
  const concat = (): Rx => {
    const items: Rx[] = [];
    while (i < p.length && p[i] !== "|" && p[i] !== ")") items.push(repeat());
    return { t: "seq", items };
  };
  const repeat = (): Rx => {
    let e = atom();
    for (;;) {
      const c = p[i];
      if (c === "*") e = { t: "rep", e, min: 0, max: Infinity };
      else if (c === "+") e = { t: "rep", e, min: 1, max: Infinity };
      else if (c === "?") e = { t: "rep", e, min: 0, max: 1 };
      else if (c === "{") {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
        if (m === null) return fail("a bad repetition");
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
        e = { t: "rep", e, min, max };
        i += m[0].length - 1;
      } else return e;
      i++;
    }
  };
  const escaped = (): Rx => {
    const c = p[i + 1];
    if (c === undefined) return fail("a trailing backslash");
    i += 2;
    const pre = PRE[c];
    if (pre !== undefined) return { t: "set", ...pre };
    if (/[A-Za-z]/.test(c)) return fail(`the escape \\${c}`);
    return { t: "lit", s: c };
  };
  const atom = (): Rx => {
    const c = p[i];
    if ("@&~#<".includes(c)) return fail(`the operator ${c}`);
    if (c === "(") {
      i++;
      const e = union();
      if (p[i] !== ")") return fail("an unclosed group");
      i++;
      return e;
    }
    if (c === ".") {
      i++;
      return ANY;
    }
    if (c === "\\") return escaped();
    if (c === '"') {
      const end = p.indexOf('"', i + 1);
      if (end < 0) return fail("an unclosed quote");
      const s = p.slice(i + 1, end);
      i = end + 1;
      return { t: "lit", s };
    }
    if (c === "[") {
      i++;
      const neg = p[i] === "^";
      if (neg) i++;
      const ranges: [number, number][] = [];
      let first = true;
      while (i < p.length && (p[i] !== "]" || first)) {
        first = false;
        if (p[i] === "\\") {
          const pre = PRE[p[i + 1]];
          if (pre !== undefined) {
            if (pre.neg) return fail("a negated class escape inside a class");
            ranges.push(...pre.ranges);
            i += 2;
            continue;
          }
          i++;
        }
        const lo = p.codePointAt(i) ?? 0;
        i += lo > 0xffff ? 2 : 1;
        let hi = lo;
        if (p[i] === "-" && p[i + 1] !== "]" && i + 1 < p.length) {
          i++;
          if (p[i] === "\\") i++;
          hi = p.codePointAt(i) ?? 0;
          i += hi > 0xffff ? 2 : 1;
        }
        ranges.push([lo, hi]);
      }
      if (p[i] !== "]") return fail("an unclosed class");
      i++;
      return { t: "set", ranges, neg };
    }
    const cp = p.codePointAt(i) ?? 0;
    const s = String.fromCodePoint(cp);
    i += s.length;
    return { t: "lit", s };
  };
  const tree = union();
  if (i < p.length) fail(`an unexpected "${p[i]}"`);
  return tree;
}

const hex = (n: number) => `\\u{${n.toString(16)}}`;

function rxSource(r: Rx): string {
  switch (r.t) {
    case "seq":
      return r.items.map(rxSource).join("");
    case "alt":
      return `(?:${r.alts.map(rxSource).join("|")})`;
    case "rep":
      return `(?:${rxSource(r.e)}){${r.min},${r.max === Infinity ? "" : r.max}}`;
    case "set":
      if (r.ranges.length === 0) return r.neg ? "[\\s\\S]" : "[^\\s\\S]";
      return `[${r.neg ? "^" : ""}${r.ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join("")}]`;
    case "lit":
      return [...r.s].map(reEscape).join("");
    default:
      return assertNever(r);
  }
}

interface CompiledRx {
  readonly tree: Rx;
  readonly re: RegExp;
}
const rxCache = new Map<string, CompiledRx>();

/** Lucene's ASCII_CASE_INSENSITIVE is approximated by the `i` flag. */
function compileRx(p: string, ci: boolean): CompiledRx {
  const key = (ci ? "i" : "s") + p;
  let c = rxCache.get(key);
  if (c === undefined) {
    const tree = parseRx(p);
    c = { tree, re: new RegExp(`^(?:${rxSource(tree)})$`, ci ? "iu" : "u") };
    rxCache.set(key, c);
  }
  return c;
}

const PREFERRED_CHARS = ["a", "x", "0", "b", "_", "1", "A", "-", ".", " "];

function setSample(r: Rx & { t: "set" }): string | undefined {
  const inRanges = (cp: number) => r.ranges.some(([a, b]) => cp >= a && cp <= b);
  if (r.neg) return PREFERRED_CHARS.find((c) => !inRanges(c.codePointAt(0) ?? 0));
  for (const c of PREFERRED_CHARS) if (inRanges(c.codePointAt(0) ?? 0)) return c;
  const first = r.ranges[0];
  return first === undefined ? undefined : String.fromCodePoint(first[0]);
}

/**
 * Strings the regex matches: the shortest choices, and the same with `fill` put into the first unbounded
 * repetition of "any character" (so a regex can carry what another constraint on the field needs).
 */
function rxSamples(tree: Rx, fill: string | undefined): string[] {
  let filled = false;
  const gen = (r: Rx, alt: number): string | undefined => {
    switch (r.t) {
      case "seq": {
        let s = "";
        for (const it of r.items) {
          const x = gen(it, alt);
          if (x === undefined) return undefined;
          s += x;
        }
        return s;
      }
      case "alt":
        return gen(r.alts[Math.min(alt, r.alts.length - 1)], alt);
      case "rep": {
        if (fill !== undefined && !filled && r.max === Infinity && r.e.t === "set" && r.e.neg && r.e.ranges.length === 0) {
          filled = true;
          return fill;
        }
        const one = gen(r.e, alt);
        if (one === undefined) return r.min === 0 ? "" : undefined;
        return one.repeat(r.min);
      }
      case "set":
        return setSample(r);
      case "lit":
        return r.s;
      default:
        return assertNever(r);
    }
  };
  const out: string[] = [];
  for (let alt = 0; alt < 4; alt++) {
    filled = false;
    const s = gen(tree, alt);
    if (s !== undefined && !out.includes(s)) out.push(s);
  }
  return out;
}

// ---- values of a kind ----------------------------------------------------------------------------------------

function toNumber(v: EqlLiteralValue | Scalar): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

function toKeyword(v: EqlLiteralValue | Scalar): string | undefined {
  if (v === null) return undefined;
  return typeof v === "string" ? v : String(v);
}

function toDate(v: EqlLiteralValue | Scalar): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** A literal as a value of the kind, undefined when it is not one (never matches). */
function coerce(v: EqlLiteralValue, kind: Kind): Scalar | undefined {
  if (v === null) return undefined;
  switch (kind) {
    case "keyword":
      return toKeyword(v);
    case "long":
    case "double":
      return toNumber(v);
    case "ip":
      return typeof v === "string" ? v : undefined;
    case "date": {
      const t = toDate(v);
      return t === undefined ? undefined : new Date(t).toISOString();
    }
    case "boolean":
      return v === true || v === "true" ? true : v === false || v === "false" ? false : undefined;
    default:
      return assertNever(kind);
  }
}

/** Compares two values of a kind (-1/0/1), undefined when they cannot be compared. */
function compareAs(a: Scalar, b: Scalar, kind: Kind): number | undefined {
  const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
  switch (kind) {
    case "keyword": {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "long":
    case "double": {
      const x = toNumber(a);
      const y = toNumber(b);
      return x === undefined || y === undefined ? undefined : sign(x - y);
    }
    case "ip": {
      const x = parseIp(String(a));
      const y = parseIp(String(b));
      return x === undefined || y === undefined ? undefined : x < y ? -1 : x > y ? 1 : 0;
    }
    case "date": {
      const x = toDate(a);
      const y = toDate(b);
      return x === undefined || y === undefined ? undefined : sign(x - y);
    }
    case "boolean":
      return typeof a === "boolean" && typeof b === "boolean" ? Number(a) - Number(b) : undefined;
    default:
      return assertNever(kind);
  }
}


function eqTest(item: EqlLiteralValue, v: Scalar, kind: Kind, ci: boolean): boolean {
  if (item === null) return false;
  if (ci) return fold(String(v)) === fold(String(item));
  if (kind === "ip" && typeof item === "string" && item.includes("/")) {
    const c = parseCidr(item);
    const ip = parseIp(String(v));
    return c !== undefined && ip !== undefined && inCidr(ip, c);
  }
  if (kind === "long" && typeof item === "number" && !Number.isInteger(item)) return false;
  const x = coerce(item, kind);
  return x !== undefined && compareAs(v, x, kind) === 0;
}

/** Whether the value satisfies the leaf (one value of a field of that kind). */
function testLeaf(leaf: Leaf, v: Scalar, kind: Kind): boolean {
  switch (leaf.k) {
    case "exists":
      return true;
    case "true":
      return v === true || v === "true";
    case "eq":
      return leaf.items.some((it) => eqTest(it, v, kind, leaf.ci));
    case "range": {
      const x = coerce(leaf.v, kind);
      if (x === undefined) return false;
      const c = compareAs(v, x, kind);
      return c !== undefined && comparisonHolds(leaf.op, c);
    }
    case "wild":
      return leaf.patterns.some((p) => wildRegExp(p, leaf.ci).test(String(v)));
    case "regex":
      return leaf.patterns.some((p) => compileRx(p, leaf.ci).re.test(String(v)));
    case "prefix":
      return leaf.ci ? fold(String(v)).startsWith(fold(leaf.p)) : String(v).startsWith(leaf.p);
    case "cidr": {
      const ip = parseIp(String(v));
      if (ip === undefined) return false;
      return leaf.blocks.some((b) => {
        const c = parseCidr(b);
        return c !== undefined && inCidr(ip, c);
      });
    }
    case "len":
      return typeof v === "string" && comparisonHolds(leaf.op, v.length - leaf.n);
    default:
      return assertNever(leaf);
  }
}

// ---- candidate values ------------------------------------------------------------------------------------------

const FILLERS = ["x", "", "0", "_q_"];
const MAX_CANDIDATES = 3000;

function instantiate(p: string, filler: string, into?: { text: string; at: "first" | "last" }): string {
  let out = "";
  const stars = [...p].map((c, i) => (c === "*" ? i : -1)).filter((i) => i >= 0);
  const target = into === undefined || stars.length === 0 ? -1 : into.at === "first" ? stars[0] : stars[stars.length - 1];
  let i = 0;
  for (const ch of p) {
    if (ch === "*") out += i === target && into !== undefined ? into.text : filler;
    else if (ch === "?") out += "a";
    else out += ch;
    i++;
  }
  return out;
}

/** Plain samples of one leaf (before merging with the field's other leaves). */
function leafSamples(leaf: Leaf, kind: Kind, field: string): Scalar[] {
  switch (leaf.k) {
    case "eq":
      return leaf.items.map((i) => (leaf.ci ? toKeyword(i) : coerce(i, kind))).filter((x): x is Scalar => x !== undefined);
    case "range":
      return rangeSamples(leaf.op, leaf.v, kind);
    case "wild":
      return leaf.patterns.flatMap((p) => FILLERS.map((f) => instantiate(p, f)));
    case "regex":
      return leaf.patterns.flatMap((p) => rxSamples(compileRx(p, leaf.ci).tree, undefined));
    case "prefix":
      return [leaf.p + "x", leaf.p];
    case "cidr":
      return leaf.blocks.map((b) => parseCidr(b)).flatMap((c) => (c === undefined ? [] : [hostIn(c)]));
    case "exists":
    case "true":
    case "len":
      return leaf.k === "true" && kind === "boolean" ? [true] : defaults(kind, field);
    default:
      return assertNever(leaf);
  }
}

function rangeSamples(op: RangeOp, lit: EqlLiteralValue, kind: Kind): Scalar[] {
  const v = coerce(lit, kind);
  if (v === undefined) return [];
  switch (kind) {
    case "long":
    case "double": {
      const n = Number(v);
      const step = kind === "long" ? 1 : 0.5;
      const up = kind === "long" ? Math.floor(n) + 1 : n + step;
      const down = kind === "long" ? Math.ceil(n) - 1 : n - step;
      return op === ">" ? [up, up + 10] : op === ">=" ? [kind === "long" ? Math.ceil(n) : n, up] : op === "<" ? [down, down - 10] : [kind === "long" ? Math.floor(n) : n, down];
    }
    case "keyword": {
      const s = String(v);
      return op === ">" ? [s + "a", s + "x"] : op === ">=" ? [s] : op === "<" ? [s.slice(0, -1), ""] : [s, ""];
    }
    case "ip": {
      const ip = parseIp(s(v));
      if (ip === undefined) return [];
      const v4 = parseIPv4(s(v)) !== undefined;
      const next = op === ">" ? ip + 1n : op === "<" ? ip - 1n : ip;
      return [formatIp(v4 ? next & 0xffffffffn : next, v4)];
    }
    case "date": {
      const t = toDate(v);
      if (t === undefined) return [];
      const next = op === ">" ? t + 1 : op === "<" ? t - 1 : t;
      return [new Date(next).toISOString()];
    }
    case "boolean":
      return [true, false];
    default:
      return assertNever(kind);
  }
}

const s = (v: Scalar) => String(v);

function lastSegment(field: string): string {
  const parts = field.split(/[./]/);
  return parts[parts.length - 1] || "value";
}

function defaults(kind: Kind, field: string): Scalar[] {
  switch (kind) {
    case "keyword": {
      const seg = lastSegment(field);
      return [`tern-${seg}`, `tern-${seg}-2`, "value"];
    }
    case "long":
      return [4242, 1, 0, 65535];
    case "double":
      return [42.5, 1, 0];
    case "ip": {
      // rotated by field name, so two ip fields do not get the same address by default
      const ips = ["8.8.8.8", "1.1.1.1", "9.9.9.9", "10.1.2.3", "192.168.1.10", "127.0.0.1", "2001:4860:4860::8888", "::1", "0.0.0.0"];
      let h = 0;
      for (const ch of field) h = (h * 31 + ch.charCodeAt(0)) % 3;
      return [...ips.slice(h, 3), ...ips.slice(0, h), ...ips.slice(3)];
    }
    case "date":
      return ["2024-05-01T09:00:00.000Z"];
    case "boolean":
      return [true, false];
    default:
      return assertNever(kind);
  }
}

/** Values that try to satisfy several string constraints at once (wildcards, regexes, prefixes, lengths). */
function mergedSamples(pos: readonly Leaf[], kind: Kind, field: string): Scalar[] {
  if (kind !== "keyword" || pos.length < 2) return [];
  const out: string[] = [];
  const firsts = pos.map((l) => leafSamples(l, kind, field).map(String)[0] ?? "");
  for (let t = 0; t < pos.length; t++) {
    const tl = pos[t];
    const others = firsts.filter((_, j) => j !== t && pos[j].k !== "exists" && pos[j].k !== "len");
    const fill = others.join("");
    const fillRev = [...others].reverse().join("");
    if (tl.k === "wild") {
      for (const p of tl.patterns.slice(0, 12)) {
        for (const f of [fill, fillRev]) {
          out.push(instantiate(p, "x", { text: f, at: "first" }), instantiate(p, "x", { text: f, at: "last" }), instantiate(p, "", { text: f, at: "first" }));
        }
      }
    } else if (tl.k === "regex") {
      for (const p of tl.patterns.slice(0, 12)) out.push(...rxSamples(compileRx(p, tl.ci).tree, fill));
    } else if (tl.k === "prefix") {
      out.push(tl.p + fill);
    }
  }
  return out;
}

/** Candidates padded to satisfy `length` constraints. */
function padded(cands: readonly Scalar[], pos: readonly Leaf[]): Scalar[] {
  const lens = pos.filter((l): l is Leaf & { k: "len" } => l.k === "len");
  if (lens.length === 0) return [...cands];
  const need = Math.max(0, ...lens.filter((l) => l.op === ">" || l.op === ">=" || l.op === "==").map((l) => (l.op === ">" ? l.n + 1 : l.n)));
  const out: Scalar[] = [];
  for (const c of cands) {
    out.push(c);
    if (typeof c !== "string" || c.length >= need) continue;
    const pad = "x".repeat(need - c.length);
    out.push(c + pad, pad + c, c.slice(0, Math.ceil(c.length / 2)) + pad + c.slice(Math.ceil(c.length / 2)));
  }
  return out;
}

// ---- solving a field -----------------------------------------------------------------------------------------

interface FieldLits {
  readonly pos: readonly LeafGoal[];
  readonly neg: readonly LeafGoal[];
}

function kindOf(field: string, lits: FieldLits | undefined): Kind {
  const t = eqlTypeOf(ecsFieldType(field));
  switch (t) {
    case "keyword":
    case "version":
      return "keyword";
    case "long":
    case "double":
    case "boolean":
    case "ip":
    case "date":
      return t;
    case "dynamic": {
      const lits2 = lits === undefined ? [] : [...lits.pos, ...lits.neg];
      const values = lits2.flatMap((l) => (l.leaf.k === "eq" ? l.leaf.items : l.leaf.k === "range" ? [l.leaf.v] : []));
      if (values.length > 0 && values.every((v) => typeof v === "number")) return values.every((v) => Number.isInteger(v)) ? "long" : "double";
      if (values.length > 0 && values.every((v) => typeof v === "boolean")) return "boolean";
      if (lits2.some((l) => l.leaf.k === "true")) return "boolean";
      return "keyword";
    }
    default:
      return assertNever(t);
  }
}

const solveCache = new Map<string, Scalar[] | null>();

/**
 * Values for a field: every positive leaf satisfied by some value, no negative leaf by any; [] when the
 * field is best left out (no positive constraint); undefined when impossible.
 */
function solveField(field: string, lits: FieldLits, pin: Scalar | undefined): Scalar[] | undefined {
  const kind = kindOf(field, lits);
  const key = `${field}|${pin === undefined ? "" : JSON.stringify(pin)}|${lits.pos.map((l) => l.id).join(",")}|${lits.neg.map((l) => l.id).join(",")}`;
  const hit = solveCache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const result = solveFieldUncached(field, kind, lits, pin);
  solveCache.set(key, result ?? null);
  return result;
}

function solveFieldUncached(field: string, kind: Kind, lits: FieldLits, pin: Scalar | undefined): Scalar[] | undefined {
  const pos = lits.pos.map((l) => l.leaf);
  const neg = lits.neg.map((l) => l.leaf);
  const clean = (v: Scalar) => neg.every((n) => !testLeaf(n, v, kind));
  if (pin !== undefined) return clean(pin) && pos.every((p) => testLeaf(p, pin, kind)) ? [pin] : undefined;
  if (pos.length === 0) return [];
  const seen = new Set<string>();
  const cands: Scalar[] = [];
  const add = (xs: readonly Scalar[]) => {
    for (const x of xs) {
      if (cands.length >= MAX_CANDIDATES) return;
      const k = typeof x + ":" + String(x);
      if (seen.has(k)) continue;
      seen.add(k);
      cands.push(x);
    }
  };
  add(padded(mergedSamples(pos, kind, field), pos));
  for (const p of pos) add(padded(leafSamples(p, kind, field), pos));
  add(padded(defaults(kind, field), pos));
  const good = cands.filter(clean);
  const one = good.find((c) => pos.every((p) => testLeaf(p, c, kind)));
  if (one !== undefined) return [one];
  // one value per constraint (Elasticsearch matches a leaf when any value of the field does)
  const values: Scalar[] = [];
  for (const p of pos) {
    if (values.some((v) => testLeaf(p, v, kind))) continue;
    const v = good.find((c) => testLeaf(p, c, kind));
    if (v === undefined) return undefined;
    values.push(v);
  }
  return values;
}

// ---- scripts ------------------------------------------------------------------------------------------------

type SVal = Scalar | null;

function scriptEval(e: EqlExpr, env: ReadonlyMap<string, SVal>): SVal {
  const str = (x: SVal): string | null => (x === null ? null : typeof x === "string" ? x : String(x));
  switch (e.kind) {
    case "literal":
      return e.value;
    case "field":
      return env.get(e.name) ?? null;
    case "and":
    case "or": {
      const a = scriptEval(e.left, env);
      const b = scriptEval(e.right, env);
      if (e.kind === "and") return a === false || b === false ? false : a === true && b === true ? true : null;
      return a === true || b === true ? true : a === false && b === false ? false : null;
    }
    case "not": {
      const a = scriptEval(e.expr, env);
      return typeof a === "boolean" ? !a : null;
    }
    case "compare": {
      const a = scriptEval(e.left, env);
      const b = scriptEval(e.right, env);
      if (a === null || b === null) return null;
      if (typeof a === "number" && typeof b === "number") return comparisonHolds(e.op, a - b);
      if (typeof a === "string" && typeof b === "string") return comparisonHolds(e.op, a < b ? -1 : a > b ? 1 : 0);
      if (typeof a === "boolean" && typeof b === "boolean") return comparisonHolds(e.op, Number(a) - Number(b));
      return null;
    }
    case "match": {
      const a = str(scriptEval(e.value, env));
      if (a === null) return null;
      const ci = e.op !== "like";
      return e.patterns.some((p) => {
        const pat = String(p.value);
        if (e.op === ":" && !hasWildcard(pat)) return fold(a) === fold(pat);
        return wildRegExp(pat, ci).test(a);
      });
    }
    case "in": {
      const a = scriptEval(e.value, env);
      if (a === null) return null;
      const hit = e.items.some((it) => {
        const b = scriptEval(it, env);
        return b !== null && (e.insensitive ? fold(String(a)) === fold(String(b)) : a === b);
      });
      return hit !== e.negated;
    }
    case "call": {
      const args = e.args.map((x) => scriptEval(x, env));
      const [a, b] = args;
      const sa = str(a);
      const sb = str(b ?? null);
      const f = (x: string) => (e.insensitive ? fold(x) : x);
      switch (e.name) {
        case "string":
          return sa;
        case "length":
          return sa === null ? null : sa.length;
        case "concat":
          return args.some((x) => x === null) ? null : args.map((x) => String(x)).join("");
        case "startsWith":
          return sa === null || sb === null ? null : f(sa).startsWith(f(sb));
        case "endsWith":
          return sa === null || sb === null ? null : f(sa).endsWith(f(sb));
        case "stringContains":
          return sa === null || sb === null ? null : sa !== "" && sb !== "" && f(sa).includes(f(sb));
        case "indexOf": {
          if (sa === null || sb === null) return null;
          const i = f(sa).indexOf(f(sb));
          return i < 0 ? null : i;
        }
        case "number":
          return sa === null ? null : (toNumber(sa) ?? null);
        case "substring": {
          if (sa === null || typeof b !== "number") return null;
          const n = sa.length;
          const norm = (x: number) => (x < 0 ? Math.max(0, n + x) : Math.min(n, x));
          const st = norm(b);
          const en = typeof args[2] === "number" ? norm(args[2]) : n;
          return st >= en ? "" : sa.slice(st, en);
        }
        default:
          throw new EqlGenUnsupported(`function ${e.name} inside a script`);
      }
    }
    case "arith":
    case "neg":
      throw new EqlGenUnsupported("arithmetic inside a script");
    default:
      return assertNever(e);
  }
}

/** A script query: true when some combination of its fields' values makes it true. */
function scriptHolds(g: ScriptGoal, values: ReadonlyMap<string, readonly Scalar[]>): boolean {
  const lists = g.fields.map((f) => {
    const v = values.get(f) ?? [];
    return v.length === 0 ? [null] : v;
  });
  let combos: SVal[][] = [[]];
  for (const l of lists) combos = combos.flatMap((c) => l.map((v) => [...c, v])).slice(0, 256);
  return combos.some((c) => scriptEval(g.expr, new Map(g.fields.map((f, i) => [f, c[i]]))) === true);
}

// ---- the search ------------------------------------------------------------------------------------------

interface Store {
  readonly fields: ReadonlyMap<string, FieldLits>;
  readonly scripts: readonly { g: ScriptGoal; pos: boolean }[];
}

export type Assignment = ReadonlyMap<string, readonly Scalar[]>;

type Agenda = { g: Goal; pos: boolean; next: Agenda } | null;

const SEARCH_BUDGET = 200_000;

interface SearchCtx {
  steps: number;
  readonly pins: ReadonlyMap<string, Scalar>;
  readonly blocked: Set<string>;
}

function addLeaf(st: Store, g: LeafGoal, pos: boolean, pins: ReadonlyMap<string, Scalar>): Store | undefined {
  const cur = st.fields.get(g.field) ?? { pos: [], neg: [] };
  const next: FieldLits = pos ? { pos: [...cur.pos, g], neg: cur.neg } : { pos: cur.pos, neg: [...cur.neg, g] };
  if (solveField(g.field, next, pins.get(g.field)) === undefined) return undefined;
  const fields = new Map(st.fields);
  fields.set(g.field, next);
  return { fields, scripts: st.scripts };
}

function assignmentOf(st: Store, pins: ReadonlyMap<string, Scalar>): Map<string, Scalar[]> | undefined {
  const out = new Map<string, Scalar[]>();
  for (const [f, lits] of st.fields) {
    const v = solveField(f, lits, pins.get(f));
    if (v === undefined) return undefined;
    if (v.length > 0) out.set(f, v);
  }
  for (const [f, v] of pins) if (!out.has(f)) out.set(f, [v]);
  return out;
}

const EXISTS_GOALS = new Map<string, LeafGoal>();
function existsGoal(field: string): LeafGoal {
  let g = EXISTS_GOALS.get(field);
  if (g === undefined) {
    g = leafGoal(field, { k: "exists" });
    EXISTS_GOALS.set(field, g);
  }
  return g;
}

function search(a: Agenda, st: Store, ctx: SearchCtx): { st: Store; values: Map<string, Scalar[]> } | undefined {
  if (++ctx.steps > SEARCH_BUDGET) throw new EqlGenUnsupported("the search for a satisfying assignment ran out of budget");
  if (a === null) {
    const values = assignmentOf(st, ctx.pins);
    if (values === undefined) return undefined;
    const scriptsHold = (v: Assignment) => st.scripts.every(({ g, pos }) => scriptHolds(g, v) === pos);
    if (scriptsHold(values)) return { st, values };
    // repair: give one script field another field's value (startsWith(a, b) with a == b) or another default
    for (const { g } of st.scripts) {
      for (const f of g.fields) {
        const lits = st.fields.get(f) ?? { pos: [], neg: [] };
        const alts: Scalar[] = [...g.fields.filter((o) => o !== f).flatMap((o) => values.get(o) ?? []), ...defaults(kindOf(f, lits), f)];
        for (const alt of alts) {
          if (ctx.pins.has(f) || solveField(f, lits, alt) === undefined) continue;
          const pins = new Map(ctx.pins);
          pins.set(f, alt);
          const v2 = assignmentOf(st, pins);
          if (v2 !== undefined && scriptsHold(v2)) return { st, values: v2 };
        }
      }
    }
    return undefined;
  }
  const { g, pos, next } = a;
  switch (g.g) {
    case "const":
      return g.v === pos ? search(next, st, ctx) : undefined;
    case "not":
      return search({ g: g.e, pos: !pos, next }, st, ctx);
    case "and":
    case "or": {
      if ((g.g === "and") === pos) return search({ g: g.l, pos, next: { g: g.r, pos, next } }, st, ctx);
      // a disjunction to satisfy: the first branch that works
      const branches: Goal[] = [];
      const flat = (x: Goal): void => {
        if (x.g === g.g) {
          flat(x.l);
          flat(x.r);
        } else branches.push(x);
      };
      flat(g);
      for (const b of branches) {
        const r = search({ g: b, pos, next }, st, ctx);
        if (r !== undefined) return r;
      }
      return undefined;
    }
    case "leaf": {
      const st2 = addLeaf(st, g, pos, ctx.pins);
      return st2 === undefined ? undefined : search(next, st2, ctx);
    }
    case "script": {
      // the script's fields get values, so it evaluates to true or false rather than null
      let ag: Agenda = next;
      for (const f of g.fields) ag = { g: existsGoal(f), pos: true, next: ag };
      return search(ag, { fields: st.fields, scripts: [...st.scripts, { g, pos }] }, ctx);
    }
    case "unsupported":
      ctx.blocked.add(g.why);
      return undefined;
    default:
      return assertNever(g);
  }
}

function solveGoals(goals: readonly Goal[], pins: ReadonlyMap<string, Scalar>): Map<string, Scalar[]> | { blocked: string[] } {
  let a: Agenda = null;
  for (let i = goals.length - 1; i >= 0; i--) a = { g: goals[i], pos: true, next: a };
  const ctx: SearchCtx = { steps: 0, pins, blocked: new Set() };
  const r = search(a, { fields: new Map(), scripts: [] }, ctx);
  return r === undefined ? { blocked: [...ctx.blocked] } : r.values;
}

/** Evaluates a goal on field values (the same semantics the search assumes): a self-check. */
function holds(g: Goal, values: Assignment): boolean {
  switch (g.g) {
    case "const":
      return g.v;
    case "not":
      return !holds(g.e, values);
    case "and":
      return holds(g.l, values) && holds(g.r, values);
    case "or":
      return holds(g.l, values) || holds(g.r, values);
    case "leaf": {
      const vs = values.get(g.field) ?? [];
      const kind = kindOf(g.field, undefined) === "keyword" ? inferKind(g.field, vs) : kindOf(g.field, undefined);
      return vs.some((v) => testLeaf(g.leaf, v, kind));
    }
    case "script":
      return scriptHolds(g, values);
    case "unsupported":
      return false;
    default:
      return assertNever(g);
  }
}

/** A dynamic field's kind from the values it was given. */
function inferKind(field: string, vs: readonly Scalar[]): Kind {
  if (ecsFieldType(field) !== undefined) return kindOf(field, undefined);
  if (vs.length > 0 && vs.every((v) => typeof v === "number")) return vs.every((v) => Number.isInteger(v)) ? "long" : "double";
  if (vs.length > 0 && vs.every((v) => typeof v === "boolean")) return "boolean";
  return "keyword";
}

// ---- statements ------------------------------------------------------------------------------------------

interface StageSpec {
  /** Index among the statement's positive stages (runs not expanded). */
  readonly label: string;
  readonly category: string | null;
  readonly where: Goal;
  readonly keys: readonly EqlField[];
  readonly runs: number;
}

function conjuncts(g: Goal, out: Goal[] = []): Goal[] {
  if (g.g === "and") {
    conjuncts(g.l, out);
    conjuncts(g.r, out);
  } else out.push(g);
  return out;
}

function disjuncts(g: Goal, out: Goal[] = []): Goal[] {
  if (g.g === "or") {
    disjuncts(g.l, out);
    disjuncts(g.r, out);
  } else out.push(g);
  return out;
}

function goalText(g: Goal): string {
  switch (g.g) {
    case "const":
      return String(g.v);
    case "not":
      return `not ${goalText(g.e)}`;
    case "and":
    case "or":
      return `(${goalText(g.l)} ${g.g} ${goalText(g.r)})`;
    case "leaf": {
      const l = g.leaf;
      const detail =
        l.k === "eq"
          ? `${l.ci ? "in~" : "in"} ${JSON.stringify(l.items.length > 3 ? [...l.items.slice(0, 3), "…"] : l.items)}`
          : l.k === "wild" || l.k === "regex"
            ? `${l.k}${l.ci ? "~" : ""} ${JSON.stringify(l.patterns.length > 3 ? [...l.patterns.slice(0, 3), "…"] : l.patterns)}`
            : l.k === "range"
              ? `${l.op} ${JSON.stringify(l.v)}`
              : l.k === "prefix"
                ? `startsWith ${JSON.stringify(l.p)}`
                : l.k === "cidr"
                  ? `cidrMatch ${l.blocks.length} blocks`
                  : l.k === "len"
                    ? `length ${l.op} ${l.n}`
                    : l.k;
      return `${g.field} ${detail}`;
    }
    case "script":
      return `script(${g.fields.join(", ")})`;
    case "unsupported":
      return `unsupported(${g.why})`;
    default:
      return assertNever(g);
  }
}

const OTHER_CATEGORY = (c: string) => (c === "process" ? "file" : "process");

/** Builds a nested document from dotted field names (a dotted key where a path is taken by a value). */
function buildDoc(values: Assignment, categoryField: string, category: string | null): EventDoc {
  const doc: EventDoc = {};
  const put = (field: string, value: unknown) => {
    const parts = field.split(".");
    let node: Record<string, unknown> = doc;
    for (let i = 0; i < parts.length - 1; i++) {
      const cur = node[parts[i]];
      if (cur === undefined) {
        const child: Record<string, unknown> = {};
        node[parts[i]] = child;
        node = child;
      } else if (typeof cur === "object" && cur !== null && !Array.isArray(cur)) {
        node = cur as Record<string, unknown>;
      } else {
        node[parts.slice(i).join(".")] = value;
        return;
      }
    }
    const last = parts[parts.length - 1];
    if (node[last] !== undefined) {
      node[parts.join(".")] = value;
      return;
    }
    node[last] = value;
  };
  const fields = [...values.keys()].sort();
  for (const f of fields) {
    const vs = values.get(f) ?? [];
    if (f === categoryField) continue;
    put(f, vs.length === 1 ? vs[0] : [...vs]);
  }
  const cats = [...(values.get(categoryField) ?? [])];
  if (category !== null && !cats.includes(category)) cats.unshift(category);
  if (cats.length > 0) put(categoryField, cats);
  return doc;
}

interface Ctx {
  readonly categoryField: string;
  readonly baseTime: number;
  /** Goals every positive event must also satisfy (not an until / missing-stage event). */
  readonly avoid: readonly Goal[];
}

function stageGoals(spec: StageSpec, ctx: Ctx, where: readonly Goal[] = [spec.where]): Goal[] {
  const out: Goal[] = [...where];
  if (spec.category !== null) out.push(leafGoal(ctx.categoryField, { k: "eq", items: [spec.category], ci: false }));
  for (const k of spec.keys) out.push(existsGoal(k.name));
  out.push(...ctx.avoid);
  return out;
}

function stageHolds(spec: StageSpec, ctx: Ctx, values: Assignment): boolean {
  return stageGoals(spec, ctx).every((g) => holds(g, values));
}

/** The stage's filter alone (category and where). */
function filterHolds(spec: StageSpec, ctx: Ctx, values: Assignment): boolean {
  return stageGoals(spec, { ...ctx, avoid: [] }).slice(0, spec.category === null ? 1 : 2).every((g) => holds(g, values));
}

function solveStage(spec: StageSpec, ctx: Ctx, pins: ReadonlyMap<string, Scalar>, where?: readonly Goal[]): Map<string, Scalar[]> | undefined {
  const r = solveGoals(stageGoals(spec, ctx, where), pins);
  return r instanceof Map ? r : undefined;
}

function mustSolveStage(spec: StageSpec, ctx: Ctx, pins: ReadonlyMap<string, Scalar>): Map<string, Scalar[]> {
  const r = solveGoals(stageGoals(spec, ctx), pins);
  if (r instanceof Map) return r;
  const why = r.blocked.length > 0 ? r.blocked.join("; ") : "no assignment satisfies it";
  throw new EqlGenUnsupported(`stage ${spec.label}: ${why}`);
}

/** A value of the key field's kind for another stage's field. */
function convertKey(v: Scalar, field: string): Scalar {
  const kind = kindOf(field, undefined);
  if (kind === "long" || kind === "double") return toNumber(v) ?? v;
  if (kind === "keyword") return String(v);
  return v;
}

/**
 * One value per join-key position shared by every stage: taken from the first stage that constrains the
 * key, else a default of the field's kind, and kept only if every stage still solves with it.
 */
function chooseKeys(specs: readonly StageSpec[], ctx: Ctx, free: readonly Map<string, Scalar[]>[]): Scalar[] {
  const n = specs[0]?.keys.length ?? 0;
  const chosen: Scalar[] = [];
  const pinsFor = (spec: StageSpec, vals: readonly Scalar[]) => new Map(vals.map((v, j) => [spec.keys[j].name, convertKey(v, spec.keys[j].name)]));
  for (let j = 0; j < n; j++) {
    const cands: Scalar[] = [];
    specs.forEach((spec, i) => {
      const v = free[i].get(spec.keys[j].name)?.[0];
      if (v !== undefined) cands.push(v);
    });
    cands.push(...defaults(kindOf(specs[0].keys[j].name, undefined), specs[0].keys[j].name));
    const ok = cands.find((c) => specs.every((spec) => solveStage(spec, ctx, pinsFor(spec, [...chosen, c])) !== undefined));
    if (ok === undefined) throw new EqlGenUnsupported(`no value of join key ${j + 1} (${specs.map((s) => s.keys[j].name).join(", ")}) satisfies every stage`);
    chosen.push(ok);
  }
  return chosen;
}

function keyPins(spec: StageSpec, keys: readonly Scalar[]): Map<string, Scalar> {
  return new Map(keys.map((v, j) => [spec.keys[j].name, convertKey(v, spec.keys[j].name)]));
}

function otherKeyValues(v: Scalar, field: string): Scalar[] {
  const kind = kindOf(field, undefined);
  const alts = defaults(kind, field).filter((d) => String(d) !== String(v));
  if (kind === "keyword") return [`${String(v)}-other`, ...alts];
  if (kind === "long" || kind === "double") return [Number(v) + 1, ...alts];
  return alts;
}

const iso = (t: number) => new Date(t).toISOString();

function withTime(doc: EventDoc, t: number): EventDoc {
  return { "@timestamp": iso(t), ...doc };
}

function exclusionsOf(where: Goal): { index: number; goal: Goal }[] {
  const out: { index: number; goal: Goal }[] = [];
  conjuncts(where).forEach((c, index) => {
    if (c.g !== "not") return;
    for (const d of disjuncts(c.e)) out.push({ index, goal: d });
  });
  return out;
}

function goalFields(g: Goal, out: Set<string> = new Set()): Set<string> {
  switch (g.g) {
    case "const":
    case "unsupported":
      return out;
    case "not":
      return goalFields(g.e, out);
    case "and":
    case "or":
      goalFields(g.l, out);
      return goalFields(g.r, out);
    case "leaf":
      out.add(g.field);
      return out;
    case "script":
      g.fields.forEach((f) => out.add(f));
      return out;
    default:
      return assertNever(g);
  }
}

/**
 * The stage's event with one exclusion made true: the exclusion's fields re-solved together with the rest of
 * the stage (so they keep satisfying it where they can), every other field unchanged.
 */
function exclusionEvent(
  spec: StageSpec,
  ctx: Ctx,
  pins: ReadonlyMap<string, Scalar>,
  base: Assignment,
  ex: { index: number; goal: Goal },
): { values: Map<string, Scalar[]>; keys?: Map<number, Scalar> } | undefined {
  const rest = conjuncts(spec.where).filter((_, i) => i !== ex.index);
  const fields = goalFields(ex.goal);
  const attempt = (solved: Assignment | undefined, merge: boolean): Map<string, Scalar[]> | undefined => {
    if (solved === undefined) return undefined;
    const out = new Map<string, Scalar[]>([...base].map(([k, v]) => [k, [...v]]));
    for (const f of fields) {
      const v = solved.get(f) ?? [];
      const merged = merge ? [...(base.get(f) ?? []), ...v.filter((x) => !(base.get(f) ?? []).includes(x))] : v;
      if (merged.length === 0) out.delete(f);
      else out.set(f, [...merged]);
    }
    return holds(ex.goal, out) && !filterHolds(spec, ctx, out) ? out : undefined;
  };
  const tryWith = (p: ReadonlyMap<string, Scalar>) => {
    const withRest = solveStage(spec, { ...ctx, avoid: [] }, p, [...rest, ex.goal]);
    const alone = solveGoals([ex.goal], new Map([...p].filter(([f]) => fields.has(f))));
    const a = alone instanceof Map ? alone : undefined;
    return attempt(withRest, false) ?? attempt(a, true) ?? attempt(a, false);
  };
  const values = tryWith(pins);
  if (values !== undefined) return { values };
  // the exclusion is on a join key: the excluded value becomes the key of every event
  const keyed = spec.keys.map((k, j) => ({ j, f: k.name })).filter(({ f }) => fields.has(f));
  if (keyed.length === 0) return undefined;
  const freed = new Map([...pins].filter(([f]) => !keyed.some((k) => k.f === f)));
  const v2 = tryWith(freed);
  if (v2 === undefined) return undefined;
  const keys = new Map<number, Scalar>();
  for (const { j, f } of keyed) {
    const kv = v2.get(f);
    if (kv === undefined || kv.length !== 1) return undefined;
    keys.set(j, kv[0]);
  }
  return { values: v2, keys };
}

/** Whether the events (their field values) form a sample under some assignment of events to filters. */
function sampleCouldMatch(specs: readonly StageSpec[], ctx: Ctx, evs: readonly Assignment[]): boolean {
  const keyOf = (spec: StageSpec, v: Assignment) => JSON.stringify(spec.keys.map((k) => (v.get(k.name) ?? []).map(String)));
  const used = new Array<boolean>(evs.length).fill(false);
  const place = (fi: number, key: string | undefined): boolean => {
    if (fi === specs.length) return true;
    for (let e = 0; e < evs.length; e++) {
      if (used[e] || !filterHolds(specs[fi], ctx, evs[e]) || specs[fi].keys.some((k) => (evs[e].get(k.name) ?? []).length === 0)) continue;
      const k = keyOf(specs[fi], evs[e]);
      if (key !== undefined && k !== key) continue;
      used[e] = true;
      if (place(fi + 1, k)) return true;
      used[e] = false;
    }
    return false;
  };
  return place(0, undefined);
}

/** Events that make `st` match, and near misses. Throws EqlGenUnsupported when the solver cannot. */
export function generateEqlEvents(st: EqlStatement, opts: EqlGenOptions = {}): EqlEventSet {
  const categoryField = opts.categoryField ?? "event.category";
  const baseTime = opts.baseTime ?? Date.parse("2024-05-01T10:00:00.000Z");
  const filterGoal = (f: StageSpec): Goal =>
    f.category === null ? f.where : { g: "and", l: leafGoal(categoryField, { k: "eq", items: [f.category], ci: false }), r: f.where };
  const notes: string[] = [];
  const nearMisses: GeneratedCase[] = [];
  const positiveVariants: GeneratedCase[] = [];

  let specs: StageSpec[];
  let avoid: Goal[] = [];
  let missing: { index: number; spec: StageSpec }[] = [];
  let until: StageSpec | undefined;
  switch (st.kind) {
    case "event":
      specs = [{ label: "1", category: st.filter.category, where: toGoal(st.filter.where), keys: [], runs: 1 }];
      break;
    case "sequence": {
      specs = [];
      st.stages.forEach((s, i) => {
        const spec: StageSpec = { label: String(i + 1), category: s.filter.category, where: toGoal(s.filter.where), keys: [...st.by, ...s.by], runs: s.runs };
        if (s.missing) missing.push({ index: specs.length, spec });
        else specs.push(spec);
      });
      if (st.until !== undefined) until = { label: "until", category: st.until.filter.category, where: toGoal(st.until.filter.where), keys: [...st.by, ...st.until.by], runs: 1 };
      avoid = [...missing.map((m) => not(filterGoal(m.spec))), ...(until === undefined ? [] : [not(filterGoal(until))])];
      if (missing.some((m) => m.spec.runs > 1)) missing = missing.filter((m) => m.spec.runs === 1);
      break;
    }
    case "sample":
      specs = st.stages.map((s, i) => ({ label: String(i + 1), category: s.filter.category, where: toGoal(s.filter.where), keys: [...st.by, ...s.by], runs: 1 }));
      break;
    default:
      return assertNever(st);
  }
  const ctx: Ctx = { categoryField, baseTime, avoid };

  // solve each stage alone, then agree on the join keys, then solve again with the keys pinned
  const free = specs.map((spec) => mustSolveStage(spec, ctx, new Map()));
  const keys = chooseKeys(specs, ctx, free);
  const pins = specs.map((spec) => keyPins(spec, keys));
  const solved = specs.map((spec, i) => mustSolveStage(spec, ctx, pins[i]));
  for (let i = 0; i < specs.length; i++) {
    if (!stageHolds(specs[i], ctx, solved[i])) throw new EqlGenUnsupported(`stage ${specs[i].label}: the self-check of the generated event failed`);
  }

  // the timeline: one event per positive stage (runs expanded), inside maxspan
  const slots: number[] = specs.flatMap((spec, i) => new Array<number>(spec.runs).fill(i));
  const n = slots.length;
  const maxspan = st.kind === "sequence" ? st.maxspan?.ms : undefined;
  const step = maxspan === undefined ? 1000 : Math.max(1, Math.min(1000, Math.floor(maxspan / Math.max(1, n))));
  if (maxspan !== undefined && n > 1 && step * (n - 1) >= maxspan) throw new EqlGenUnsupported(`maxspan ${maxspan} ms is too short for ${n} events`);
  const times = slots.map((_, k) => baseTime + k * step);
  /** An event's field values and the category its document gets (null: the values carry it). */
  interface Ev {
    readonly values: Assignment;
    readonly category: string | null;
  }
  const base: Ev[] = slots.map((stage) => ({ values: solved[stage], category: specs[stage].category }));
  const eventsOf = (evs: readonly Ev[], timeOver?: ReadonlyMap<number, number>) => evs.map((e, k) => withTime(buildDoc(e.values, categoryField, e.category), timeOver?.get(k) ?? times[k]));
  const replaced = (k: number, e: Ev, from: readonly Ev[] = base) => from.map((x, i) => (i === k ? e : x));
  const positive = eventsOf(base);
  const lastSlotOf = (stage: number) => slots.lastIndexOf(stage);
  /** Samples ignore order: a near miss must not be a sample under any assignment of events to filters. */
  const addNearMiss = (why: string, evs: readonly Ev[]) => {
    if (st.kind === "sample" && sampleCouldMatch(specs, ctx, evs.map((e) => e.values))) {
      notes.push(`${why}: the events could still form a sample`);
      return;
    }
    nearMisses.push({ why, events: eventsOf(evs) });
  };

  // exclusions, per positive stage (the last event of a run)
  specs.forEach((spec, i) => {
    exclusionsOf(spec.where).forEach((ex, j) => {
      const r = exclusionEvent(spec, ctx, pins[i], solved[i], ex);
      const why = `stage ${spec.label} exclusion ${j + 1}: ${goalText(ex.goal)}`;
      if (r === undefined) {
        notes.push(`${why}: no event makes it true while the rest of the stage holds`);
        return;
      }
      let evs: Ev[] = base;
      if (r.keys !== undefined) {
        // the exclusion is on a join key: every other event takes the new key values too, so they still join
        const keyOver = r.keys;
        evs = base.map((e, k) => {
          const sp = specs[slots[k]];
          const v = new Map(e.values);
          for (const [kj, kv] of keyOver) v.set(sp.keys[kj].name, [convertKey(kv, sp.keys[kj].name)]);
          return { values: v, category: e.category };
        });
      }
      addNearMiss(r.keys === undefined ? why : `${why} (a join key: changed in every event)`, replaced(lastSlotOf(i), { values: r.values, category: spec.category }, evs));
    });
  });

  // a join key that differs in the last stage
  if (n > 1) {
    const li = specs.length - 1;
    const spec = specs[li];
    let done = false;
    for (let j = spec.keys.length - 1; j >= 0 && !done; j--) {
      const field = spec.keys[j].name;
      const cur = pins[li].get(field);
      if (cur === undefined) continue;
      for (const alt of otherKeyValues(cur, field)) {
        const p = new Map(pins[li]);
        p.set(field, alt);
        const changed = new Map(solved[li]);
        changed.set(field, [alt]);
        const values = stageHolds(spec, ctx, changed) ? changed : solveStage(spec, ctx, p);
        if (values === undefined) continue;
        addNearMiss(`join key ${j + 1} (${field}) differs in the last stage`, replaced(n - 1, { values, category: spec.category }));
        done = true;
        break;
      }
    }
    if (!done && spec.keys.length > 0) notes.push("no other join-key value satisfies the last stage");
  }

  // maxspan: exactly maxspan matches, one millisecond more does not
  if (maxspan !== undefined && n > 1) {
    positiveVariants.push({ why: "the last event exactly maxspan after the first", events: eventsOf(base, new Map([[n - 1, baseTime + maxspan]])) });
    nearMisses.push({ why: "the last event maxspan + 1 ms after the first", events: eventsOf(base, new Map([[n - 1, baseTime + maxspan + 1]])) });
  }

  // a wrong category (the last stage that has one)
  for (let i = specs.length - 1; i >= 0; i--) {
    const spec = specs[i];
    if (spec.category === null) continue;
    const values = new Map(solved[i]);
    values.set(categoryField, [OTHER_CATEGORY(spec.category)]);
    addNearMiss(`stage ${spec.label} has event category ${OTHER_CATEGORY(spec.category)}`, replaced(lastSlotOf(i), { values, category: null }));
    break;
  }

  // until / missing events with the same keys
  if (st.kind === "sequence" && n > 1) {
    const mid = baseTime + Math.floor(step / 2);
    const extra = (spec: StageSpec, t: number, why: string) => {
      const p = keyPins(spec, keys);
      const values = solveStage(spec, { ...ctx, avoid: [] }, p);
      if (values === undefined) {
        notes.push(`${why}: no event satisfies it`);
        return;
      }
      const ev = withTime(buildDoc(values, categoryField, spec.category), t);
      const all = [...positive, ev].sort((a, b) => String(a["@timestamp"]).localeCompare(String(b["@timestamp"])));
      nearMisses.push({ why, events: all });
    };
    if (until !== undefined) extra(until, mid, "an until event between the first and the last event");
    for (const m of missing) {
      // a missing stage before positive stage m.index: leading, trailing or in the middle
      const t = m.index === 0 ? baseTime - 1 : m.index >= specs.length ? times[n - 1] + 1 : times[slots.indexOf(m.index)] - 1;
      if (m.index > 0 && m.index < specs.length && t <= times[slots.indexOf(m.index) - 1]) {
        notes.push(`missing stage before stage ${m.index + 1}: no room between its neighbours`);
        continue;
      }
      extra(m.spec, t, `an event of the missing stage ${m.spec.label}`);
    }
  }

  return { kind: st.kind, positive, positiveVariants, nearMisses, notes };
}
