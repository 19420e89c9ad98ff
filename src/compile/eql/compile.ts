// EQL `where` clauses compiled to predicates with Elasticsearch's semantics (docs/eql.md §3–§6).
//
// Elasticsearch first rewrites the expression (eql/optimizer/Optimizer.java): an unmapped `?field` becomes
// null, constants fold, `x == null` becomes IS NULL and `x != null` NOT IS NULL, literals move to the right
// of comparisons, `f(…) == true` becomes `f(…)` and `f(…) == false` `not f(…)`. NOT is *not* pushed down
// (EqlBooleanSimplification turns the negation rewrite off). Then each part becomes a Lucene query (a field
// against constants: term, range, wildcard, regexp, prefix, terms, exists) or a script:
//   - at the query level logic is two-valued: a leaf on a missing field is false, `not leaf` (must_not) is
//     true; `!=` is must_not of the term query; a script whose value is null does not match, and a negated
//     script is true when its inner value is null (null-safe inside the negation);
//   - inside one script, values are three-valued: null propagates through operators and functions, so
//     `concat(a, b) == null` and `null == (exit_code > -1)` hold when a field is missing.
// Multi-valued fields: a query leaf holds when any value satisfies it (must_not: when none does); a script
// holds when it is true for some combination of its fields' values.

import type { EventDoc } from "../../event/types.js";
import { compileStarQuestionPattern } from "../../util/wildcard.js";
import { foldCase } from "../../util/case-fold.js";
import { compileLuceneRegex, LuceneRegexError } from "../../util/lucene-regex.js";
import { ipInCidr, parseCidr, parseIp, parseIsoInstant, type Cidr } from "../predicate/values.js";
import {
  assertNever,
  comparisonHolds,
  eqlTreeDepth,
  MAX_EQL_TREE_DEPTH,
  type EqlCompareOp,
  type EqlEventFilter,
  type EqlExpr,
  type EqlFunctionName,
  type EqlMatchOp,
  type EqlSpan,
} from "../../lang/eql/ast.js";
import { callFunction, arithmetic, integerMath, toText, type ScriptKind, type ScriptValue, type TypedValue } from "./functions.js";
import { compareKeyword, compareVersion, ecsEqlMapping, indexValue, valueReader, type EqlFieldMapping, type EqlMapping, type EqlType, type IndexedValue } from "./mapping.js";

export type EqlPredicate = (doc: EventDoc) => boolean;

export interface CompileEqlOptions {
  /** Field types; default: ECS and Defend types, every other field mapped from its values. */
  readonly mapping?: EqlMapping;
  /** The field `category where` tests (Kibana's event_category_override); default `event.category`. */
  readonly categoryField?: string;
}

/** A query Elasticsearch would reject once it knows the mapping (unknown field, field-to-field comparison, bad pattern). */
export class EqlCompileError extends Error {
  override readonly name = "EqlCompileError";
  constructor(
    message: string,
    readonly code: "EQL002" | "EQL003" | "EQL006" | "EQL007",
    readonly span: EqlSpan | undefined,
  ) {
    super(message);
  }
}

// ---- the rewritten expression ------------------------------------------------------------------------

type Ir =
  | { k: "const"; v: ScriptValue; kind: ScriptKind }
  | { k: "field"; name: string; m: EqlFieldMapping; span?: EqlSpan }
  | { k: "and" | "or"; l: Ir; r: Ir }
  | { k: "not"; e: Ir }
  | { k: "cmp"; op: EqlCompareOp; l: Ir; r: Ir }
  | { k: "match"; op: EqlMatchOp; e: Ir; patterns: string[]; span?: EqlSpan }
  | { k: "in"; neg: boolean; ci: boolean; e: Ir; items: Ir[] }
  | { k: "arith"; op: "+" | "-" | "*" | "/" | "%"; l: Ir; r: Ir }
  | { k: "neg"; e: Ir }
  | { k: "call"; name: EqlFunctionName; ci: boolean; args: Ir[] }
  | { k: "isnull"; neg: boolean; e: Ir };

const FLIPPED: Readonly<Record<EqlCompareOp, EqlCompareOp>> = { "==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

const isConst = (e: Ir): e is Ir & { k: "const" } => e.k === "const";

function constOf(v: ScriptValue, kind?: ScriptKind): Ir {
  return { k: "const", v, kind: kind ?? (typeof v === "string" ? "string" : typeof v === "boolean" ? "boolean" : typeof v === "number" ? (Number.isInteger(v) ? "integer" : "double") : "unknown") };
}

class Rewriter {
  constructor(private readonly mapping: EqlMapping) {}

  build(e: EqlExpr): Ir {
    switch (e.kind) {
      case "literal":
        return constOf(e.value, typeof e.value === "number" ? (e.integer === false ? "double" : "integer") : undefined);
      case "field": {
        const m = this.mapping(e.name);
        if (m === undefined) {
          if (e.optional) return constOf(null);
          throw new EqlCompileError(`Unknown column [${e.name}]; prefix it with ? to make it optional.`, "EQL006", e.span);
        }
        return { k: "field", name: e.name, m, span: e.span };
      }
      case "and":
      case "or":
        return this.fold({ k: e.kind, l: this.build(e.left), r: this.build(e.right) });
      case "not":
        return this.fold({ k: "not", e: this.build(e.expr) });
      case "compare": {
        let l = this.build(e.left);
        let r = this.build(e.right);
        if (l.k === "field" && r.k === "field") {
          throw new EqlCompileError(`Comparisons against fields are not supported; offender [${r.name}] in [${e.op}].`, "EQL002", e.right.span);
        }
        let op = e.op;
        if (op === "==" || op === "!=") {
          if (isConst(r) && r.v === null) return this.fold({ k: "isnull", neg: op === "!=", e: l });
          if (isConst(l) && l.v === null) return this.fold({ k: "isnull", neg: op === "!=", e: r });
        }
        if (isConst(l) && !isConst(r)) {
          [l, r] = [r, l];
          op = FLIPPED[op];
        }
        // `f(…) == true` is `f(…)`; `f(…) == false` is `not f(…)` (fields are left alone)
        if ((op === "==" || op === "!=") && isConst(r) && typeof r.v === "boolean" && l.k !== "field" && l.k !== "const") {
          const positive = (op === "==") === r.v;
          return positive ? l : this.fold({ k: "not", e: l });
        }
        return this.fold({ k: "cmp", op, l, r });
      }
      case "match": {
        const v = this.build(e.value);
        const patterns: string[] = [];
        for (const p of e.patterns) if (typeof p.value === "string") patterns.push(p.value);
        if (e.op === "regex" || e.op === "regex~") {
          for (const p of patterns) {
            try {
              compileLuceneRegex(p, { caseInsensitive: e.op === "regex~" });
            } catch (err) {
              if (err instanceof LuceneRegexError) throw new EqlCompileError(`Invalid regular expression "${p}": ${err.message}`, "EQL007", e.span);
              throw err;
            }
          }
        }
        return this.fold({ k: "match", op: e.op, e: v, patterns, span: e.span });
      }
      case "in": {
        const v = this.build(e.value);
        const items = e.items.map((x) => this.build(x));
        for (let i = 0; i < items.length; i++) {
          const it = items[i];
          if (it.k === "field") throw new EqlCompileError(`Comparisons against fields are not supported; offender [${it.name}] in [in].`, "EQL002", e.items[i].span);
        }
        return this.fold({ k: "in", neg: e.negated, ci: e.insensitive, e: v, items });
      }
      case "arith":
        return this.fold({ k: "arith", op: e.op, l: this.build(e.left), r: this.build(e.right) });
      case "neg": {
        const inner = this.build(e.expr);
        return e.op === "+" ? inner : this.fold({ k: "neg", e: inner });
      }
      case "call":
        return this.fold({ k: "call", name: e.name, ci: e.insensitive, args: e.args.map((a) => this.build(a)) });
      default:
        return assertNever(e);
    }
  }

  /** Constant folding: a node whose operands are all constants is evaluated now, as the script would. */
  private fold(e: Ir): Ir {
    const kids = children(e);
    if (kids.length > 0 && kids.every(isConst)) {
      const r = compileScript(e).run([]);
      return constOf(r.v, r.kind);
    }
    return e;
  }
}

function children(e: Ir): Ir[] {
  switch (e.k) {
    case "const":
    case "field":
      return [];
    case "and":
    case "or":
    case "cmp":
    case "arith":
      return [e.l, e.r];
    case "not":
    case "neg":
    case "match":
    case "isnull":
      return [e.e];
    case "in":
      return [e.e, ...e.items];
    case "call":
      return e.args;
    default:
      return assertNever(e);
  }
}

// ---- scripts (three-valued) ---------------------------------------------------------------------------

const NULL: TypedValue = { v: null, kind: "unknown" };

function scriptKindOf(t: EqlType): ScriptKind {
  switch (t) {
    case "keyword":
    case "ip":
    case "version":
      return "string";
    case "long":
    case "date":
      return "integer";
    case "double":
      return "double";
    case "boolean":
      return "boolean";
    case "dynamic":
      return "unknown";
    default:
      return assertNever(t);
  }
}

/** Compares two script values of compatible types; undefined when they cannot be compared (a type mismatch). */
function compareValues(a: IndexedValue, b: IndexedValue, type: EqlType | undefined): number | undefined {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") {
    if (type === "version") return compareVersion(a, b);
    if (type === "ip") {
      const x = parseIp(a);
      const y = parseIp(b);
      if (x !== undefined && y !== undefined) {
        for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return x[i] - y[i];
        return 0;
      }
    }
    return compareKeyword(a, b);
  }
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return undefined;
}


interface Script {
  /** Runs with the chosen value of each field (in `fields` order; null for a missing field). */
  run(env: readonly (IndexedValue | null)[]): TypedValue;
  readonly fields: EqlFieldMapping[];
}

/** The type a script operand compares as: its field's type when it is a field (literals coerce to it). */
function fieldTypeOf(e: Ir): EqlType | undefined {
  return e.k === "field" ? e.m.type : undefined;
}

function coerceConst(type: EqlType | undefined, v: ScriptValue): ScriptValue {
  if (v === null || type === undefined || type === "dynamic") return v;
  if (type === "date" && typeof v === "string") return parseIsoInstant(v)?.t ?? indexValue("date", v) ?? null;
  const x = indexValue(type === "long" ? "double" : type, v);
  return x === undefined ? null : x;
}

function compileScript(root: Ir): Script {
  const fields: EqlFieldMapping[] = [];
  const slot = new Map<string, number>();
  const build = (e: Ir): ((env: readonly (IndexedValue | null)[]) => TypedValue) => {
    switch (e.k) {
      case "const": {
        const tv: TypedValue = { v: e.v, kind: e.kind };
        return () => tv;
      }
      case "field": {
        let i = slot.get(e.name);
        if (i === undefined) {
          i = fields.length;
          slot.set(e.name, i);
          fields.push(e.m);
        }
        const at = i;
        const kind = scriptKindOf(e.m.type);
        return (env) => ({ v: env[at] ?? null, kind });
      }
      case "and":
      case "or": {
        const l = build(e.l);
        const r = build(e.r);
        const isAnd = e.k === "and";
        return (env) => {
          const a = l(env).v;
          const b = r(env).v;
          if (isAnd) {
            if (a === false || b === false) return { v: false, kind: "boolean" };
            if (a === true && b === true) return { v: true, kind: "boolean" };
          } else {
            if (a === true || b === true) return { v: true, kind: "boolean" };
            if (a === false && b === false) return { v: false, kind: "boolean" };
          }
          return { v: null, kind: "boolean" };
        };
      }
      case "not": {
        const inner = build(e.e);
        return (env) => {
          const v = inner(env).v;
          return { v: typeof v === "boolean" ? !v : null, kind: "boolean" };
        };
      }
      case "isnull": {
        const inner = build(e.e);
        return (env) => ({ v: (inner(env).v === null) !== e.neg, kind: "boolean" });
      }
      case "cmp": {
        const type = fieldTypeOf(e.l) ?? fieldTypeOf(e.r);
        const l = build(isConst(e.l) ? { ...e.l, v: coerceConst(type, e.l.v) } : e.l);
        const r = build(isConst(e.r) ? { ...e.r, v: coerceConst(type, e.r.v) } : e.r);
        return (env) => {
          const a = l(env).v;
          const b = r(env).v;
          if (a === null || b === null) return { v: null, kind: "boolean" };
          const c = compareValues(a, b, type);
          return { v: c === undefined ? null : comparisonHolds(e.op, c), kind: "boolean" };
        };
      }
      case "match": {
        const inner = build(e.e);
        const test = patternTest(e.op, e.patterns);
        return (env) => {
          const x = inner(env);
          const s = toText(x);
          return { v: s === null ? null : test(s), kind: "boolean" };
        };
      }
      case "in": {
        const inner = build(e.e);
        const type = fieldTypeOf(e.e);
        const items = e.items.map((it) => build(isConst(it) ? { ...it, v: coerceConst(type, it.v) } : it));
        return (env) => {
          const x = inner(env).v;
          if (x === null) return { v: null, kind: "boolean" };
          let sawNull = false;
          for (const it of items) {
            const y = it(env).v;
            if (y === null) {
              sawNull = true;
              continue;
            }
            const hit = e.ci && typeof x === "string" && typeof y === "string" ? foldCase(x) === foldCase(y) : compareValues(x, y, type) === 0;
            if (hit) return { v: !e.neg, kind: "boolean" };
          }
          return { v: sawNull ? null : e.neg, kind: "boolean" };
        };
      }
      case "arith": {
        const l = build(e.l);
        const r = build(e.r);
        return (env) => {
          const a = l(env);
          const b = r(env);
          return { v: arithmetic(e.op, a, b), kind: integerMath(a, b) ? "integer" : "double" };
        };
      }
      case "neg": {
        const inner = build(e.e);
        return (env) => {
          const a = inner(env);
          return typeof a.v === "number" ? { v: -a.v, kind: a.kind } : NULL;
        };
      }
      case "call": {
        const args = e.args.map(build);
        return (env) =>
          callFunction(
            e.name,
            args.map((a) => a(env)),
            e.ci,
          );
      }
      default:
        return assertNever(e);
    }
  };
  const fn = build(root);
  return { run: fn, fields };
}

/** Most value combinations a multi-valued script is tried with (the first ones in document order). */
export const MAX_SCRIPT_COMBINATIONS = 1024;

/** A script as a query: true when some combination of its fields' values makes it true. */
function scriptQuery(e: Ir): EqlPredicate {
  const s = compileScript(e);
  const readers = s.fields.map(valueReader);
  if (readers.length === 0) {
    const v = s.run([]).v === true;
    return () => v;
  }
  if (readers.length === 1) {
    const read = readers[0];
    return (doc) => {
      const vals = read(doc);
      if (vals.length === 0) return s.run([null]).v === true;
      for (let i = 0; i < vals.length && i < MAX_SCRIPT_COMBINATIONS; i++) if (s.run([vals[i]]).v === true) return true;
      return false;
    };
  }
  return (doc) => {
    const lists: (IndexedValue | null)[][] = readers.map((r) => {
      const v = r(doc);
      return v.length === 0 ? [null] : v;
    });
    const idx = new Array<number>(lists.length).fill(0);
    const env: (IndexedValue | null)[] = lists.map((l) => l[0]);
    for (let n = 0; n < MAX_SCRIPT_COMBINATIONS; n++) {
      if (s.run(env).v === true) return true;
      // next combination (odometer)
      let j = lists.length - 1;
      while (j >= 0) {
        idx[j]++;
        if (idx[j] < lists[j].length) {
          env[j] = lists[j][idx[j]];
          break;
        }
        idx[j] = 0;
        env[j] = lists[j][0];
        j--;
      }
      if (j < 0) return false;
    }
    return false;
  };
}

// ---- query leaves (two-valued) ------------------------------------------------------------------------

/**
 * A string test for `:`, like, regex (any pattern matching). The case-insensitive forms fold the patterns
 * once and the value once per test (not once per pattern); `:` without `*`/`?` is an exact lookup. (The
 * byte prefilter runs the same test on a keyword's values in the raw line.)
 */
export function patternTest(op: EqlMatchOp, patterns: readonly string[]): (s: string) => boolean {
  if (op === "regex" || op === "regex~") {
    const res = patterns.map((p) => compileLuceneRegex(p, { caseInsensitive: op === "regex~" }));
    return (s) => res.some((r) => r(s));
  }
  const ci = op === ":" || op === "like~";
  const exact = new Set<string>();
  const wild: ((s: string) => boolean)[] = [];
  for (const p of patterns) {
    const q = ci ? foldCase(p) : p;
    if (op === ":" && !p.includes("*") && !p.includes("?")) exact.add(q);
    else wild.push(compileStarQuestionPattern(q));
  }
  return (s) => {
    const v = ci ? foldCase(s) : s;
    if (exact.has(v)) return true;
    for (const w of wild) if (w(v)) return true;
    return false;
  };
}

type ValueTest = (v: IndexedValue) => boolean;

function anyValue(m: EqlFieldMapping, test: ValueTest): EqlPredicate {
  const read = valueReader(m);
  return (doc) => {
    const vals = read(doc);
    for (let i = 0; i < vals.length; i++) if (test(vals[i])) return true;
    return false;
  };
}

/** Date bounds of a literal the way a range query reads it: text to its precision (gte/lt: first instant, gt/lte: last). */
function dateBounds(v: ScriptValue): { lo: number; hi: number } | undefined {
  if (typeof v === "number") return { lo: Math.trunc(v), hi: Math.trunc(v) };
  if (typeof v !== "string") return undefined;
  if (/^-?\d+$/.test(v.trim())) {
    const n = Number(v.trim());
    return { lo: n, hi: n };
  }
  const i = parseIsoInstant(v.trim());
  return i === undefined ? undefined : { lo: i.t, hi: i.end };
}

/** `field op constant` as Elasticsearch's term / range query on the field's type. */
function compareLeaf(m: EqlFieldMapping, op: EqlCompareOp, lit: ScriptValue): ValueTest {
  const never: ValueTest = () => false;
  if (lit === null) return never;
  const t = m.type;
  if (t === "date") {
    const b = dateBounds(lit);
    if (b === undefined) return never;
    return (v) => {
      if (typeof v !== "number") return false;
      switch (op) {
        case "==":
          return v >= b.lo && v <= b.hi;
        case "!=":
          return !(v >= b.lo && v <= b.hi);
        case "<":
          return v < b.lo;
        case "<=":
          return v <= b.hi;
        case ">":
          return v > b.hi;
        case ">=":
          return v >= b.lo;
        default:
          return assertNever(op);
      }
    };
  }
  if (t === "ip") {
    const text = typeof lit === "string" ? lit : String(lit);
    const cidr: Cidr | undefined = text.includes("/") ? parseCidr(text) : undefined;
    if (cidr !== undefined && (op === "==" || op === "!=")) {
      return (v) => {
        const ip = typeof v === "string" ? parseIp(v) : undefined;
        return ip !== undefined && ipInCidr(ip, cidr) === (op === "==");
      };
    }
    const target = parseIp(text);
    if (target === undefined) return never;
    return (v) => {
      const ip = typeof v === "string" ? parseIp(v) : undefined;
      if (ip === undefined) return false;
      let c = 0;
      for (let i = 0; i < 16 && c === 0; i++) c = ip[i] - target[i];
      return comparisonHolds(op, c);
    };
  }
  if (t === "dynamic") {
    const asStr = indexValue("keyword", lit);
    const asNum = indexValue("double", lit);
    const asBool = indexValue("boolean", lit);
    return (v) => {
      const other = typeof v === "string" ? asStr : typeof v === "number" ? asNum : asBool;
      if (other === undefined) return false;
      const c = compareValues(v, other, undefined);
      return c !== undefined && comparisonHolds(op, c);
    };
  }
  // a constant is not truncated to a long field's type: `pid == 5.5` matches nothing, `pid > 5.5` is pid ≥ 6
  const target = indexValue(t === "long" ? "double" : t, lit);
  if (target === undefined) return never;
  if (op === "==" && t === "keyword") return (v) => v === target;
  return (v) => {
    const c = compareValues(v, target, t);
    return c !== undefined && comparisonHolds(op, c);
  };
}

function inLeaf(m: EqlFieldMapping, items: readonly ScriptValue[], ci: boolean): ValueTest {
  if (ci) {
    const set = new Set<string>();
    for (const it of items) {
      const s = it === null ? undefined : indexValue("keyword", it);
      if (typeof s === "string") set.add(foldCase(s));
    }
    return (v) => set.has(foldCase(typeof v === "string" ? v : String(v)));
  }
  const tests = items.filter((x) => x !== null).map((x) => compareLeaf(m, "==", x));
  if (m.type === "keyword") {
    const set = new Set<IndexedValue>();
    for (const it of items) {
      const s = it === null ? undefined : indexValue("keyword", it);
      if (s !== undefined) set.add(s);
    }
    return (v) => set.has(v);
  }
  return (v) => {
    for (const t of tests) if (t(v)) return true;
    return false;
  };
}

function asString(v: IndexedValue): string {
  return typeof v === "string" ? v : String(v);
}

/** The function calls Elasticsearch turns into queries when their first argument is a field. */
function callLeaf(e: Ir & { k: "call" }): ValueTest | undefined {
  const [first, ...rest] = e.args;
  if (first?.k !== "field" || !rest.every(isConst)) return undefined;
  const lits = rest.map((r) => (r as Ir & { k: "const" }).v);
  switch (e.name) {
    case "cidrMatch": {
      const blocks: Cidr[] = [];
      for (const l of lits) {
        if (typeof l !== "string") continue;
        const c = parseCidr(l) ?? (parseIp(l) !== undefined ? parseCidr(`${l}/${l.includes(":") ? 128 : 32}`) : undefined);
        if (c !== undefined) blocks.push(c);
      }
      return (v) => {
        const ip = typeof v === "string" ? parseIp(v) : undefined;
        return ip !== undefined && blocks.some((b) => ipInCidr(ip, b));
      };
    }
    case "startsWith": {
      const p = lits[0];
      if (typeof p !== "string") return undefined;
      if (e.ci) {
        const f = foldCase(p);
        return (v) => foldCase(asString(v)).startsWith(f);
      }
      return (v) => asString(v).startsWith(p);
    }
    case "stringContains": {
      // pushed down as the wildcard `*sub*`, so `*` and `?` inside `sub` act as wildcards there
      const p = lits[0];
      if (typeof p !== "string") return undefined;
      const m = compileStarQuestionPattern(`*${p}*`, { caseInsensitive: e.ci, fold: foldCase });
      return (v) => m(asString(v));
    }
    case "endsWith": {
      // a wildcard query `*sub` in both case modes (QueryTranslator.CaseInsensitiveScalarFunctions)
      const p = lits[0];
      if (typeof p !== "string") return undefined;
      const m = compileStarQuestionPattern(`*${p}`, { caseInsensitive: e.ci, fold: foldCase });
      return (v) => m(asString(v));
    }
    default:
      return undefined;
  }
}

/** Whether Elasticsearch translates the (rewritten) node into a Lucene query rather than a script. */
function leafTest(e: Ir): { m: EqlFieldMapping; test: ValueTest } | undefined {
  switch (e.k) {
    case "cmp":
      if (e.l.k === "field" && isConst(e.r)) return { m: e.l.m, test: compareLeaf(e.l.m, e.op, e.r.v) };
      return undefined;
    case "match":
      if (e.e.k === "field") {
        const t = patternTest(e.op, e.patterns);
        return { m: e.e.m, test: (v) => t(asString(v)) };
      }
      return undefined;
    case "in":
      if (e.e.k === "field" && e.items.every(isConst)) return { m: e.e.m, test: inLeaf(e.e.m, e.items.map((i) => (i as Ir & { k: "const" }).v), e.ci) };
      return undefined;
    case "call": {
      const t = callLeaf(e);
      return t === undefined || e.args[0].k !== "field" ? undefined : { m: e.args[0].m, test: t };
    }
    case "field":
      // a field used as a condition: a term query for true
      return { m: e.m, test: (v) => v === true || v === "true" };
    default:
      return undefined;
  }
}

function compileQuery(e: Ir): EqlPredicate {
  switch (e.k) {
    case "and": {
      const l = compileQuery(e.l);
      const r = compileQuery(e.r);
      return (doc) => l(doc) && r(doc);
    }
    case "or": {
      const l = compileQuery(e.l);
      const r = compileQuery(e.r);
      return (doc) => l(doc) || r(doc);
    }
    case "not": {
      // must_not of the inner query (a negated script is null-safe inside: null counts as false)
      const inner = compileQuery(e.e);
      return (doc) => !inner(doc);
    }
    case "const": {
      const v = e.v === true;
      return () => v;
    }
    case "isnull":
      if (e.e.k === "field") {
        const read = valueReader(e.e.m);
        return e.neg ? (doc) => read(doc).length > 0 : (doc) => read(doc).length === 0;
      }
      return scriptQuery(e);
    case "in":
      if (e.neg) {
        // `x not in (…)` is must_not of the terms query
        const inner = compileQuery({ ...e, neg: false });
        return (doc) => !inner(doc);
      }
      break;
    case "cmp":
      if (e.op === "!=" && e.l.k === "field" && isConst(e.r)) {
        // must_not of the term query: true when the field is missing, false when any value equals
        const inner = compileQuery({ ...e, op: "==" });
        return (doc) => !inner(doc);
      }
      break;
    default:
      break;
  }
  const leaf = leafTest(e);
  if (leaf !== undefined) return anyValue(leaf.m, leaf.test);
  return scriptQuery(e);
}

/** Rewrites and compiles a `where` expression. Throws EqlCompileError for what Elasticsearch would reject. */
export function compileEqlExpr(expr: EqlExpr, opts: CompileEqlOptions = {}): EqlPredicate {
  // The parser refuses such trees already; this guards trees built in code.
  const depth = eqlTreeDepth(expr);
  if (depth > MAX_EQL_TREE_DEPTH) {
    throw new EqlCompileError(`The condition is ${depth} levels deep (a long chain of and, or or arithmetic); tern compiles at most ${MAX_EQL_TREE_DEPTH}.`, "EQL003", expr.span);
  }
  const ir = new Rewriter(opts.mapping ?? ecsEqlMapping).build(expr);
  return compileQuery(ir);
}

/**
 * The predicate of `category where expr`: the category is an exact, case-sensitive term on the category
 * field (any of its values); `any` has no category test.
 */
export function compileEqlFilter(filter: EqlEventFilter, opts: CompileEqlOptions = {}): EqlPredicate {
  const where = compileEqlExpr(filter.where, opts);
  if (filter.category === null) return where;
  const mapping = opts.mapping ?? ecsEqlMapping;
  const catField = opts.categoryField ?? "event.category";
  const m = mapping(catField) ?? { type: "keyword" as const, path: catField };
  const cat = filter.category;
  const read = valueReader(m);
  return (doc) => {
    const vals = read(doc);
    let hit = false;
    for (let i = 0; i < vals.length; i++) {
      if (vals[i] === cat) {
        hit = true;
        break;
      }
    }
    return hit && where(doc);
  };
}
