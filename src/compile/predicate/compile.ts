// KQL → event predicate (docs/kql.md §7): the AST becomes a tree of closures with every field path split,
// every key candidate, mapping type and query value parsed once at compile time. Leaf walks short-circuit
// and allocate nothing; `or` lists over one field collapse into a single walk with a Set lookup.
// No code generation (no eval/new Function). The reference semantics live in evaluate.ts.

import type { EventDoc } from "../../event/types.js";
import { compileWildcard, type WildcardMatcher } from "../../util/wildcard.js";
import type { EsFieldType } from "../../ecs/field-types.js";
import {
  assertNever, fieldTypeFn, fullName, modeOf, planField, toIr,
  type FieldRef, type KqlEvalOptions, type KqlNodeLike, type Mode, type Q, type RangeOp, type ValueRef,
} from "./ir.js";
import {
  analyze, compareIp, containsPhrase, ipInCidr, parseCidr, parseEpochMillis, parseIp, parseIsoInstant, parseKqlNumber,
  resolveDateMath, textWildcard, type Cidr, type IpBytes,
} from "./values.js";
import { indexerOf, type Indexer } from "./indexing.js";

type Pred = (scope: unknown) => boolean;
type LeafTest = (leaf: unknown) => boolean;

const HAS = Object.prototype.hasOwnProperty;

interface Ctx {
  readonly opts: KqlEvalOptions;
  readonly ci: boolean;
  readonly fieldType: (name: string) => EsFieldType | undefined;
  readonly now: () => number;
}

// ---- field access ----------------------------------------------------------------------------------

/**
 * Strings built by split/concat are not internalized, and V8 re-hashes such a key on every keyed load;
 * a key read back from an object's own keys is the internalized copy.
 */
function internalize(key: string): string {
  const o: Record<string, number> = {};
  o[key] = 0;
  return Object.keys(o)[0] ?? key;
}

/**
 * Leaf tests whose answer on a string leaf is exactly membership in a set (keyword literals without CIDR
 * or case folding). Walks check the set inline, which spares a polymorphic call on the commonest leaf.
 */
const EXACT_STRINGS = new WeakMap<LeafTest, ReadonlySet<string>>();

/**
 * Does some value at `name` (dotted and nested keys alike, arrays flattened) pass `test`? `test` sees every
 * non-array value found at the full path, objects included; callers decide what a leaf is.
 */
function anyAtPath(name: string, test: (v: unknown) => boolean, strings?: ReadonlySet<string>): Pred {
  const parts = name.split(".");
  const n = parts.length;
  const atLeaf = (v: unknown): boolean => (strings !== undefined && typeof v === "string" ? strings.has(v) : test(v));
  // The table below holds every run of parts joined: n(n+1)/2 keys, each up to the name's length. A name
  // of thousands of parts would need gigabytes, so such a name is matched against the keys objects hold.
  if ((n * (n + 1) / 2) * name.length > MAX_KEY_TABLE_CHARS) return anyAtLongPath(name, atLeaf);
  // keys[i] = parts[i..j-1] joined with ".", j = i+1..n: every way the rest of the path may be stored
  // ({a:{b:1}}, {"a.b":1}, ...). Tried in that order, so the plain nested form is read first.
  const keys: string[][] = [];
  let unsafe = false;
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    let key = parts[i];
    for (let j = i + 1; j <= n; j++) {
      row.push(internalize(key));
      if (key in Object.prototype) unsafe = true;
      if (j < n) key += "." + parts[j];
    }
    keys.push(row);
  }
  // Precondition: node is neither null nor undefined.
  const walk = (node: unknown, i: number): boolean => {
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const el: unknown = node[k];
        if (el !== null && el !== undefined && walk(el, i)) return true;
      }
      return false;
    }
    if (i === n) return atLeaf(node);
    if (typeof node !== "object") return false;
    const row = keys[i];
    const o = node as Record<string, unknown>;
    for (let k = 0; k < row.length; k++) {
      const key = row[k];
      const v = unsafe && !HAS.call(o, key) ? undefined : o[key];
      if (v !== undefined && v !== null && walk(v, i + 1 + k)) return true;
    }
    return false;
  };
  // The common case without recursion: plain objects down the path with one stored form per level. As soon
  // as an array or a second stored form (`a.b` beside `a`) appears, the general walk takes over from there.
  return (scope) => {
    let o = scope;
    let i = 0;
    while (i < n) {
      if (o === null || o === undefined || typeof o !== "object") return false;
      if (Array.isArray(o)) return walk(o, i);
      const row = keys[i];
      const obj = o as Record<string, unknown>;
      let next: unknown = undefined;
      let step = 0;
      for (let k = 0; k < row.length; k++) {
        const key = row[k];
        const v = unsafe && !HAS.call(obj, key) ? undefined : obj[key];
        if (v === undefined || v === null) continue;
        if (next !== undefined) return walk(obj, i);
        next = v;
        step = k + 1;
      }
      if (next === undefined) return false;
      o = next;
      i += step;
    }
    if (Array.isArray(o)) return walk(o, n);
    return atLeaf(o);
  };
}

/** Upper bound on the characters of anyAtPath's key table (a field name of a few dozen parts stays far below). */
const MAX_KEY_TABLE_CHARS = 1 << 20;

/**
 * anyAtPath for very long names: at each object, the keys it holds that continue the path from character
 * `at` (a whole number of parts) are followed. Same answers, work bounded by the event instead of the name.
 */
function anyAtLongPath(name: string, atLeaf: (v: unknown) => boolean): Pred {
  const walk = (node: unknown, at: number): boolean => {
    if (Array.isArray(node)) {
      for (const el of node) if (el !== null && el !== undefined && walk(el, at)) return true;
      return false;
    }
    if (at > name.length) return atLeaf(node);
    if (typeof node !== "object" || node === null) return false;
    const o = node as Record<string, unknown>;
    for (const k in o) {
      if (!HAS.call(o, k) || !name.startsWith(k, at)) continue;
      const end = at + k.length;
      if (end !== name.length && name.charCodeAt(end) !== 0x2e) continue;
      const v = o[k];
      if (v !== undefined && v !== null && walk(v, end + 1)) return true;
    }
    return false;
  };
  return (scope) => scope !== null && scope !== undefined && walk(scope, 0);
}

/**
 * Does `v`, found at the full path `path`, hold a leaf the cluster indexes? Each leaf is judged by its own
 * path's type: a malformed `ip` or number is stored but not indexed, so it makes nothing exist.
 */
function holdsIndexedLeaf(v: unknown, path: string, ctx: Ctx): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v)) return v.some((el) => holdsIndexedLeaf(el, path, ctx));
  if (typeof v !== "object") {
    const idx = indexerOf(ctx.fieldType(path));
    return idx === undefined || idx(v) !== undefined;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) if (HAS.call(o, k) && holdsIndexedLeaf(o[k], `${path}.${k}`, ctx)) return true;
  return false;
}

/**
 * Exists below `rest` when keys may hold dotted fragments that straddle the path (`{"host.name":x}` for
 * `host`); `base` is the full path of `node` with a trailing dot ("" at the top).
 */
function existsScan(node: unknown, rest: string, base: string, ctx: Ctx): boolean {
  if (node === null || node === undefined) return false;
  if (Array.isArray(node)) return node.some((el) => existsScan(el, rest, base, ctx));
  if (typeof node !== "object") return false;
  const o = node as Record<string, unknown>;
  for (const k in o) {
    if (!HAS.call(o, k)) continue;
    if (k === rest || k.startsWith(rest + ".")) {
      if (holdsIndexedLeaf(o[k], base + k, ctx)) return true;
    } else if (rest.startsWith(k + ".")) {
      if (existsScan(o[k], rest.slice(k.length + 1), `${base}${k}.`, ctx)) return true;
    }
  }
  return false;
}

function existsPath(name: string, prefix: string, ctx: Ctx): Pred {
  const full = fullName(prefix, name);
  const idx = indexerOf(ctx.fieldType(full));
  const base = prefix === "" ? "" : `${prefix}.`;
  const direct = anyAtPath(name, (v) => (typeof v !== "object" ? idx === undefined || idx(v) !== undefined : holdsIndexedLeaf(v, full, ctx)));
  return (scope) => direct(scope) || existsScan(scope, name, base, ctx);
}

/** `test` over what the cluster indexes for a leaf of the field's type: unindexed leaves match nothing. */
function onIndexed(test: LeafTest, idx: Indexer | undefined): LeafTest {
  if (idx === undefined) return test;
  return (leaf) => {
    const x = idx(leaf);
    return x !== undefined && test(x);
  };
}

/** Calls `visit(path, leaf)` for every leaf of `node`; stops and returns true as soon as visit does. */
function someLeaf(node: unknown, path: string, visit: (path: string, leaf: unknown) => boolean): boolean {
  if (node === null || node === undefined) return false;
  if (Array.isArray(node)) {
    for (const el of node) if (someLeaf(el, path, visit)) return true;
    return false;
  }
  if (typeof node !== "object") return path !== "" && visit(path, node);
  const o = node as Record<string, unknown>;
  for (const k in o) {
    if (HAS.call(o, k) && someLeaf(o[k], path === "" ? k : `${path}.${k}`, visit)) return true;
  }
  return false;
}

/** A per-path cache of compiled leaf tests for wildcard fields and free text (types differ by path). */
function perPathTest(make: (path: string) => LeafTest): (path: string) => LeafTest {
  const cache = new Map<string, LeafTest>();
  return (path) => {
    let t = cache.get(path);
    if (t === undefined) {
      t = make(path);
      if (cache.size < 10_000) cache.set(path, t);
    }
    return t;
  };
}

/**
 * `test` over the leaves that `field` selects. A named field is planned once (multi-fields read their
 * parent); free text and wildcard names pick the test by each leaf's full path.
 */
function anyLeafOf(field: FieldRef, prefix: string, ctx: Ctx, make: (mode: Mode, caseless: boolean, untyped: boolean) => LeafTest): Pred {
  const scalar = (t: LeafTest): LeafTest => (v) => typeof v !== "object" && t(v);
  switch (field.k) {
    case "name": {
      const plan = planField(prefix, field.name, ctx.fieldType);
      const untyped = ctx.fieldType(fullName(prefix, field.name)) === undefined;
      const t = onIndexed(make(plan.mode, plan.caseless, untyped), indexerAt(prefix, plan.path, ctx));
      return anyAtPath(plan.path, scalar(t), EXACT_STRINGS.get(t));
    }
    case "free":
    case "pattern": {
      const select: WildcardMatcher = field.k === "free" ? () => true : compileWildcard(field.segments);
      const testFor = perPathTest((path) => {
        const t = ctx.fieldType(fullName(prefix, path));
        return onIndexed(make(modeOf(t), false, t === undefined), indexerOf(t));
      });
      return (scope) => someLeaf(scope, "", (path, leaf) => select(path) && testFor(path)(leaf));
    }
    default:
      return assertNever(field);
  }
}

function indexerAt(prefix: string, path: string, ctx: Ctx): Indexer | undefined {
  return indexerOf(ctx.fieldType(fullName(prefix, path)));
}

function existsOf(field: FieldRef, prefix: string, ctx: Ctx): Pred {
  switch (field.k) {
    case "name":
      return existsPath(planField(prefix, field.name, ctx.fieldType).path, prefix, ctx);
    case "free":
      return (scope) => someLeaf(scope, "", (path, leaf) => holdsIndexedLeaf(leaf, fullName(prefix, path), ctx));
    case "pattern": {
      const select = compileWildcard(field.segments);
      // A leaf counts when its path, or the path of one of its parent objects, matches.
      return (scope) =>
        someLeaf(scope, "", (path, leaf) => {
          if (!holdsIndexedLeaf(leaf, fullName(prefix, path), ctx)) return false;
          if (select(path)) return true;
          for (let at = path.indexOf("."); at >= 0; at = path.indexOf(".", at + 1)) if (select(path.slice(0, at))) return true;
          return false;
        });
    }
    default:
      return assertNever(field);
  }
}

// ---- leaf tests: is ------------------------------------------------------------------------------------

function cidrTest(cidrs: readonly Cidr[]): (s: string) => boolean {
  if (cidrs.length === 0) return () => false;
  return (s) => {
    // Cheap rejection before parsing: addresses hold only hex digits, dots and colons.
    if (s.length > 45 || s.length < 2) return false;
    const ip = parseIp(s);
    return ip !== undefined && cidrs.some((c) => ipInCidr(ip, c));
  };
}

/** Keyword-mode equality with any of `texts` (§7.2): strings exact, numbers numeric, booleans by name, CIDR. */
function keywordLiterals(texts: readonly string[], ci: boolean): LeafTest {
  const strs = new Set(ci ? texts.map((t) => t.toLowerCase()) : texts);
  const nums = new Set<number>();
  for (const t of texts) {
    const n = parseKqlNumber(t);
    if (n !== undefined) nums.add(n);
  }
  const cidrs: Cidr[] = [];
  for (const t of texts) {
    const c = parseCidr(t);
    if (c !== undefined) cidrs.push(c);
  }
  const inNet = cidrTest(cidrs);
  const hasCidr = cidrs.length > 0;
  const t = texts.includes("true");
  const f = texts.includes("false");
  if (texts.length === 1 && !ci && !hasCidr) {
    const only = texts[0];
    const num = nums.size === 1 ? parseKqlNumber(only) : undefined;
    const one: LeafTest = (leaf) => {
      if (typeof leaf === "string") return leaf === only;
      if (typeof leaf === "number") return leaf === num;
      if (typeof leaf === "boolean") return leaf ? t : f;
      return false;
    };
    EXACT_STRINGS.set(one, strs);
    return one;
  }
  if (!ci && !hasCidr) {
    const many: LeafTest = (leaf) => {
      if (typeof leaf === "string") return strs.has(leaf);
      if (typeof leaf === "number") return nums.has(leaf);
      if (typeof leaf === "boolean") return leaf ? t : f;
      return false;
    };
    EXACT_STRINGS.set(many, strs);
    return many;
  }
  return (leaf) => {
    if (typeof leaf === "string") return strs.has(ci ? leaf.toLowerCase() : leaf) || (hasCidr && inNet(leaf));
    if (typeof leaf === "number") return nums.has(leaf);
    if (typeof leaf === "boolean") return leaf ? t : f;
    return false;
  };
}

function keywordWildcard(segments: readonly string[], ci: boolean): LeafTest {
  const m = compileWildcard(segments, { caseInsensitive: ci });
  return (leaf) => typeof leaf === "string" && m(leaf);
}

/** Keyword-mode `is` of one value on one leaf, as the predicate runs it (the prefilter reads it too). */
export function keywordIs(value: Exclude<ValueRef, { k: "any" }>, ci: boolean): LeafTest {
  return value.k === "wild" ? keywordWildcard(value.segments, ci) : keywordLiterals([value.text], ci);
}

function numberOf(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (typeof x === "string") return parseKqlNumber(x);
  return undefined;
}

function boolOf(x: unknown): boolean | undefined {
  if (typeof x === "boolean") return x;
  if (x === "true") return true;
  if (x === "false") return false;
  return undefined;
}

function leafInstant(leaf: unknown): number | undefined {
  if (typeof leaf === "number") return leaf;
  if (typeof leaf === "string") return parseIsoInstant(leaf)?.t;
  return undefined;
}

function isTest(value: Exclude<ValueRef, { k: "any" }>, mode: Mode, ctx: Ctx, caseless: boolean): LeafTest {
  const ci = ctx.ci || caseless;
  switch (mode) {
    case "keyword":
      return keywordIs(value, ci);
    case "text": {
      if (value.k === "wild") {
        const m = textWildcard(value.segments);
        return (leaf) => (typeof leaf === "string" || typeof leaf === "number" || typeof leaf === "boolean") && m(analyze(String(leaf)));
      }
      const want = analyze(value.text);
      const quoted = value.quoted;
      if (want.length === 0) return () => false;
      return (leaf) => {
        if (typeof leaf !== "string" && typeof leaf !== "number" && typeof leaf !== "boolean") return false;
        const tokens = analyze(String(leaf));
        return quoted ? containsPhrase(tokens, want) : want.some((w) => tokens.includes(w));
      };
    }
    case "number": {
      if (value.k === "wild") return () => false;
      const want = parseKqlNumber(value.text);
      if (want === undefined) return () => false;
      return (leaf) => numberOf(leaf) === want;
    }
    case "boolean": {
      if (value.k === "wild") return () => false;
      const want = boolOf(value.text);
      if (want === undefined) return () => false;
      return (leaf) => boolOf(leaf) === want;
    }
    case "date": {
      const fallback = keywordIs(value, ci);
      if (value.k === "wild") return fallback;
      const text = value.text;
      const iso = parseIsoInstant(text, ctx.opts.dateFormatTZ);
      const epoch = parseEpochMillis(text);
      const fixedLo = iso?.t ?? epoch;
      const fixedHi = iso?.end ?? epoch;
      const isMath = fixedLo === undefined && resolveDateMath(text, 0, false) !== undefined;
      if (fixedLo === undefined && !isMath) return fallback;
      return (leaf) => {
        const t = leafInstant(leaf);
        if (t === undefined) return fallback(leaf);
        let lo = fixedLo;
        let hi = fixedHi;
        if (lo === undefined || hi === undefined) {
          const now = ctx.now();
          lo = resolveDateMath(text, now, false);
          hi = resolveDateMath(text, now, true);
          if (lo === undefined || hi === undefined) return fallback(leaf);
        }
        return lo <= t && t <= hi;
      };
    }
    case "ip": {
      const fallback = keywordIs(value, ci);
      if (value.k === "wild") return fallback;
      const cidr = parseCidr(value.text);
      const want = parseIp(value.text);
      if (cidr === undefined && want === undefined) return fallback;
      return (leaf) => {
        const ip = typeof leaf === "string" ? parseIp(leaf) : undefined;
        if (ip === undefined) return fallback(leaf);
        if (cidr !== undefined) return ipInCidr(ip, cidr);
        return want !== undefined && compareIp(ip, want) === 0;
      };
    }
    default:
      return assertNever(mode);
  }
}

// ---- leaf tests: range --------------------------------------------------------------------------------

function cmpFn(op: RangeOp): (a: number | string, b: number | string) => boolean {
  switch (op) {
    case "gt":
      return (a, b) => a > b;
    case "gte":
      return (a, b) => a >= b;
    case "lt":
      return (a, b) => a < b;
    case "lte":
      return (a, b) => a <= b;
    default:
      return assertNever(op);
  }
}

/** The range bound as an instant: ISO text (rounded up for gt/lte when `rounding`), or `now` date math. */
function dateBound(text: string, op: RangeOp, tz: string | undefined, rounding: boolean, ctx: Ctx): (() => number | undefined) | undefined {
  const up = op === "gt" || op === "lte";
  const iso = parseIsoInstant(text, tz);
  if (iso !== undefined) {
    const v = rounding && up ? iso.end : iso.t;
    return () => v;
  }
  if (resolveDateMath(text, 0, up) === undefined) return undefined;
  return () => resolveDateMath(text, ctx.now(), up);
}

/**
 * A range over keyword values. On a field tern has no type for (`untyped`), a numeric bound compares only
 * numeric values: such fields hold numbers in their integrations' mappings (`ml_is_dga.malicious_probability`),
 * where text like "0.98.0" is not indexed.
 */
function keywordRange(op: RangeOp, text: string, ctx: Ctx, untyped = false): LeafTest {
  const cmp = cmpFn(op);
  const n = parseKqlNumber(text);
  const date = dateBound(text, op, undefined, false, ctx);
  return (leaf) => {
    if (typeof leaf === "number") {
      if (n !== undefined) return cmp(leaf, n);
      const d = date?.();
      if (d !== undefined) return cmp(leaf, d);
      return cmp(String(leaf), text);
    }
    if (typeof leaf === "string") {
      if (n !== undefined) {
        const ln = parseKqlNumber(leaf);
        if (ln !== undefined) return cmp(ln, n);
        if (untyped) return false;
      }
      if (date !== undefined) {
        const li = parseIsoInstant(leaf);
        const d = date();
        if (li !== undefined && d !== undefined) return cmp(li.t, d);
      }
      return cmp(leaf, text);
    }
    return false;
  };
}

function rangeTest(op: RangeOp, text: string, mode: Mode, ctx: Ctx, untyped: boolean): LeafTest {
  const cmp = cmpFn(op);
  switch (mode) {
    case "keyword":
    case "text":
      return keywordRange(op, text, ctx, untyped);
    case "number": {
      const v = parseKqlNumber(text);
      if (v === undefined) return () => false;
      return (leaf) => {
        const x = numberOf(leaf);
        return x !== undefined && cmp(x, v);
      };
    }
    case "boolean":
      return () => false;
    case "date": {
      const fallback = keywordRange(op, text, ctx);
      const epoch = parseEpochMillis(text);
      const bound = epoch !== undefined ? () => epoch : dateBound(text, op, ctx.opts.dateFormatTZ, true, ctx);
      if (bound === undefined) return fallback;
      return (leaf) => {
        const t = leafInstant(leaf);
        const v = bound();
        return t !== undefined && v !== undefined ? cmp(t, v) : fallback(leaf);
      };
    }
    case "ip": {
      const fallback = keywordRange(op, text, ctx);
      const b: IpBytes | undefined = parseIp(text);
      if (b === undefined) return fallback;
      return (leaf) => {
        const a = typeof leaf === "string" ? parseIp(leaf) : undefined;
        return a !== undefined ? cmp(compareIp(a, b), 0) : fallback(leaf);
      };
    }
    default:
      return assertNever(mode);
  }
}

// ---- boolean structure ---------------------------------------------------------------------------------

function andOf(ps: readonly Pred[]): Pred {
  if (ps.length === 1) return ps[0];
  if (ps.length === 2) {
    const [a, b] = ps;
    return (s) => a(s) && b(s);
  }
  return (s) => {
    for (let i = 0; i < ps.length; i++) if (!ps[i](s)) return false;
    return true;
  };
}

function orOf(ps: readonly Pred[]): Pred {
  if (ps.length === 1) return ps[0];
  if (ps.length === 2) {
    const [a, b] = ps;
    return (s) => a(s) || b(s);
  }
  return (s) => {
    for (let i = 0; i < ps.length; i++) if (ps[i](s)) return true;
    return false;
  };
}

type IsLeafQ = Extract<Q, { k: "is" }> & { readonly field: { readonly k: "name"; readonly name: string } };

function isNamedIs(q: Q): q is IsLeafQ {
  return q.k === "is" && q.field.k === "name" && q.value.k !== "any";
}

/**
 * `or` children that test the same named field are one walk: "some leaf matches a" or "some leaf matches b"
 * is "some leaf matches a or b". In keyword mode the literals become one Set lookup.
 */
function compileOr(children: readonly Q[], prefix: string, ctx: Ctx): Pred {
  const groups = new Map<string, IsLeafQ[]>();
  const order: Array<string | Q> = [];
  for (const c of children) {
    if (isNamedIs(c)) {
      const g = groups.get(c.field.name);
      if (g === undefined) {
        groups.set(c.field.name, [c]);
        order.push(c.field.name);
      } else g.push(c);
    } else order.push(c);
  }
  const preds: Pred[] = [];
  for (const item of order) {
    if (typeof item !== "string") {
      preds.push(compileQ(item, prefix, ctx));
      continue;
    }
    const group = groups.get(item) ?? [];
    if (group.length === 1) {
      preds.push(compileQ(group[0], prefix, ctx));
      continue;
    }
    const plan = planField(prefix, item, ctx.fieldType);
    const mode = plan.mode;
    const literalTexts: string[] = [];
    const tests: LeafTest[] = [];
    for (const q of group) {
      if (mode === "keyword" && q.value.k === "lit") literalTexts.push(q.value.text);
      else if (q.value.k !== "any") tests.push(isTest(q.value, mode, ctx, plan.caseless));
    }
    if (literalTexts.length > 0) tests.unshift(keywordLiterals(literalTexts, ctx.ci || plan.caseless));
    const test: LeafTest =
      tests.length === 1
        ? tests[0]
        : (leaf) => {
            for (let i = 0; i < tests.length; i++) if (tests[i](leaf)) return true;
            return false;
          };
    const indexed = onIndexed(test, indexerAt(prefix, plan.path, ctx));
    preds.push(anyAtPath(plan.path, (v) => typeof v !== "object" && indexed(v), EXACT_STRINGS.get(indexed)));
  }
  return orOf(preds);
}

function compileQ(q: Q, prefix: string, ctx: Ctx): Pred {
  switch (q.k) {
    case "all":
      return () => true;
    case "and":
      return andOf(q.c.map((c) => compileQ(c, prefix, ctx)));
    case "or":
      return compileOr(q.c, prefix, ctx);
    case "not": {
      const p = compileQ(q.c, prefix, ctx);
      return (s) => !p(s);
    }
    case "is": {
      const value = q.value;
      if (value.k === "any") return existsOf(q.field, prefix, ctx);
      return anyLeafOf(q.field, prefix, ctx, (mode, caseless) => isTest(value, mode, ctx, caseless));
    }
    case "exists":
      return existsOf(q.field, prefix, ctx);
    case "range":
      return anyLeafOf(q.field, prefix, ctx, (mode, _caseless, untyped) => rangeTest(q.op, q.text, mode, ctx, untyped));
    case "nested": {
      const inner = compileQ(q.q, fullName(prefix, q.path), ctx);
      return anyAtPath(q.path, (v) => typeof v === "object" && v !== null && inner(v));
    }
    default:
      return assertNever(q);
  }
}

/** Compiles lowered IR (see ir.ts) into a predicate. */
export function compileIr(q: Q, opts: KqlEvalOptions = {}): (event: EventDoc) => boolean {
  const ctx: Ctx = { opts, ci: opts.caseInsensitive === true, fieldType: fieldTypeFn(opts), now: opts.now ?? Date.now };
  return compileQ(q, "", ctx);
}

/** Compiles a parsed KQL AST (Kibana node shape) into a predicate over events. */
export function compileAst(ast: KqlNodeLike, opts: KqlEvalOptions = {}): (event: EventDoc) => boolean {
  return compileIr(toIr(ast), opts);
}
