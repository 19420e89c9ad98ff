// The reference KQL interpreter (docs/kql.md §7): slow, plain and literal, written to be obviously right so
// the compiled predicate (compile.ts) can be checked against it. It flattens the whole document into
// (path, value) pairs on every call and re-parses query values for every leaf. Never use it on a hot path.

import type { EventDoc } from "../../event/types.js";
import type { EsFieldType } from "../../ecs/field-types.js";
import { compileWildcard } from "../../util/wildcard.js";
import { indexerOf } from "./indexing.js";
import { lowerCase } from "./analyzer.js";
import {
  assertNever, fieldTypeFn, fullName, modeOf, planField, toIr,
  type FieldRef, type KqlEvalOptions, type KqlNodeLike, type Mode, type Q, type RangeOp, type ValueRef,
} from "./ir.js";
import {
  analyze, compareIp, containsPhrase, ipInCidr, parseCidr, parseEpochMillis, parseIp, parseIsoInstant, parseKqlNumber,
  resolveDateMath,
} from "./values.js";

interface Ctx {
  readonly opts: KqlEvalOptions;
  readonly fieldType: (name: string) => EsFieldType | undefined;
}

/** Every (path, node) of a value: objects and scalars alike, arrays flattened, nulls dropped (§7.1). */
function allNodes(node: unknown, path: string, out: Array<[string, unknown]>): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const el of node) allNodes(el, path, out);
    return;
  }
  out.push([path, node]);
  if (typeof node === "object") {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) allNodes(v, path === "" ? k : `${path}.${k}`, out);
  }
}

function isLeaf(v: unknown): boolean {
  return typeof v !== "object";
}

/**
 * The (path, leaf) pairs of a document as a cluster indexes them: each leaf as its field's type reads it
 * (indexing.ts), and leaves the type does not index left out. The root itself is at path "".
 */
function leaves(doc: unknown, prefix: string, ctx: Ctx): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  allNodes(doc, "", out);
  const indexed: Array<[string, unknown]> = [];
  for (const [p, v] of out) {
    if (p === "" || !isLeaf(v)) continue;
    const idx = indexerOf(ctx.fieldType(fullName(prefix, p)));
    const x = idx === undefined ? v : idx(v);
    if (x !== undefined) indexed.push([p, x]);
  }
  return indexed;
}

function fieldSelects(field: FieldRef, path: string): boolean {
  switch (field.k) {
    case "free":
      return true;
    case "name":
      return path === field.name;
    case "pattern":
      return compileWildcard(field.segments)(path);
    default:
      return assertNever(field);
  }
}

function cmp(op: RangeOp, a: number | string, b: number | string): boolean {
  switch (op) {
    case "gt":
      return a > b;
    case "gte":
      return a >= b;
    case "lt":
      return a < b;
    case "lte":
      return a <= b;
    default:
      return assertNever(op);
  }
}

function keywordIs(leaf: unknown, value: ValueRef, ci: boolean): boolean {
  if (value.k === "any") return true;
  if (value.k === "wild") return typeof leaf === "string" && compileWildcard(value.segments, { caseInsensitive: ci })(leaf);
  const text = value.text;
  if (typeof leaf === "string") {
    if (ci ? leaf.toLowerCase() === text.toLowerCase() : leaf === text) return true;
    const cidr = parseCidr(text);
    const ip = parseIp(leaf);
    return cidr !== undefined && ip !== undefined && ipInCidr(ip, cidr);
  }
  if (typeof leaf === "number") return parseKqlNumber(text) === leaf;
  if (typeof leaf === "boolean") return text === String(leaf);
  return false;
}

function leafInstant(leaf: unknown): number | undefined {
  if (typeof leaf === "number") return leaf;
  if (typeof leaf === "string") return parseIsoInstant(leaf)?.t;
  return undefined;
}

function boolOf(x: unknown): boolean | undefined {
  if (typeof x === "boolean") return x;
  if (x === "true") return true;
  if (x === "false") return false;
  return undefined;
}

function numberOf(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (typeof x === "string") return parseKqlNumber(x);
  return undefined;
}

function leafIs(leaf: unknown, value: ValueRef, mode: Mode, ctx: Ctx, caseless: boolean): boolean {
  const ci = ctx.opts.caseInsensitive === true || caseless;
  if (value.k === "any") return true;
  switch (mode) {
    case "keyword":
      return keywordIs(leaf, value, ci);
    case "text": {
      if (typeof leaf !== "string" && typeof leaf !== "number" && typeof leaf !== "boolean") return false;
      const tokens = analyze(String(leaf));
      if (value.k === "wild") {
        // query_string: whitespace-separated terms, any of them; a term with a wildcard against each token.
        const terms = value.segments.join("\u0000").split(/\s+/).filter((t) => t !== "");
        return terms.some((t) =>
          t.includes("\u0000") ? tokens.some((tok) => compileWildcard(t.split("\u0000").map(lowerCase))(tok)) : analyze(t).some((w) => tokens.includes(w)),
        );
      }
      const want = analyze(value.text);
      return value.quoted ? containsPhrase(tokens, want) : want.some((w) => tokens.includes(w));
    }
    case "number": {
      if (value.k === "wild") return false;
      const n = numberOf(leaf);
      return n !== undefined && parseKqlNumber(value.text) === n;
    }
    case "boolean": {
      if (value.k === "wild") return false;
      const b = boolOf(leaf);
      const want = boolOf(value.text);
      return b !== undefined && want !== undefined && b === want;
    }
    case "date": {
      if (value.k === "lit") {
        const t = leafInstant(leaf);
        const tz = ctx.opts.dateFormatTZ;
        const iso = parseIsoInstant(value.text, tz);
        const epoch = parseEpochMillis(value.text);
        const now = (ctx.opts.now ?? Date.now)();
        const lo = iso?.t ?? epoch ?? resolveDateMath(value.text, now, false);
        const hi = iso?.end ?? epoch ?? resolveDateMath(value.text, now, true);
        if (t !== undefined && lo !== undefined && hi !== undefined) return lo <= t && t <= hi;
      }
      return keywordIs(leaf, value, ci);
    }
    case "ip": {
      if (value.k === "lit" && typeof leaf === "string") {
        const ip = parseIp(leaf);
        const cidr = parseCidr(value.text);
        const want = parseIp(value.text);
        if (ip !== undefined && cidr !== undefined) return ipInCidr(ip, cidr);
        if (ip !== undefined && want !== undefined) return compareIp(ip, want) === 0;
      }
      return keywordIs(leaf, value, ci);
    }
    default:
      return assertNever(mode);
  }
}

function isoOrMath(text: string, op: RangeOp, now: number, tz: string | undefined, rounding: boolean): number | undefined {
  const up = op === "gt" || op === "lte";
  const iso = parseIsoInstant(text, tz);
  if (iso !== undefined) return rounding && up ? iso.end : iso.t;
  return resolveDateMath(text, now, up);
}

/** As compile.ts: on a field without a type, a numeric bound compares only numeric values. */
function keywordRange(leaf: unknown, op: RangeOp, text: string, ctx: Ctx, untyped = false): boolean {
  const now = (ctx.opts.now ?? Date.now)();
  if (typeof leaf === "boolean") return false;
  if (typeof leaf === "number") {
    const n = parseKqlNumber(text);
    if (n !== undefined) return cmp(op, leaf, n);
    const d = isoOrMath(text, op, now, undefined, false);
    if (d !== undefined) return cmp(op, leaf, d);
    return cmp(op, String(leaf), text);
  }
  if (typeof leaf === "string") {
    const n = parseKqlNumber(text);
    const ln = parseKqlNumber(leaf);
    if (n !== undefined && ln !== undefined) return cmp(op, ln, n);
    if (n !== undefined && untyped) return false;
    const li = parseIsoInstant(leaf);
    const d = isoOrMath(text, op, now, undefined, false);
    if (li !== undefined && d !== undefined) return cmp(op, li.t, d);
    return cmp(op, leaf, text);
  }
  return false;
}

function leafRange(leaf: unknown, op: RangeOp, text: string, mode: Mode, ctx: Ctx, untyped: boolean): boolean {
  switch (mode) {
    case "keyword":
    case "text":
      return keywordRange(leaf, op, text, ctx, untyped);
    case "number": {
      const n = numberOf(leaf);
      const v = parseKqlNumber(text);
      return n !== undefined && v !== undefined && cmp(op, n, v);
    }
    case "boolean":
      return false;
    case "date": {
      const t = leafInstant(leaf);
      const now = (ctx.opts.now ?? Date.now)();
      const v = parseEpochMillis(text) ?? isoOrMath(text, op, now, ctx.opts.dateFormatTZ, true);
      if (t !== undefined && v !== undefined) return cmp(op, t, v);
      return keywordRange(leaf, op, text, ctx);
    }
    case "ip": {
      const a = typeof leaf === "string" ? parseIp(leaf) : undefined;
      const b = parseIp(text);
      if (a !== undefined && b !== undefined) return cmp(op, compareIp(a, b), 0);
      return keywordRange(leaf, op, text, ctx);
    }
    default:
      return assertNever(mode);
  }
}

function evalQ(q: Q, scope: unknown, prefix: string, ctx: Ctx): boolean {
  switch (q.k) {
    case "all":
      return true;
    case "and":
      return q.c.every((c) => evalQ(c, scope, prefix, ctx));
    case "or":
      return q.c.some((c) => evalQ(c, scope, prefix, ctx));
    case "not":
      return !evalQ(q.c, scope, prefix, ctx);
    case "is": {
      if (q.value.k === "any") return existsIn(namedPath(q.field, prefix, ctx), scope, prefix, ctx);
      const value = q.value;
      if (q.field.k === "name") {
        const plan = planField(prefix, q.field.name, ctx.fieldType);
        return leaves(scope, prefix, ctx).some(([path, leaf]) => path === plan.path && leafIs(leaf, value, plan.mode, ctx, plan.caseless));
      }
      const field = q.field;
      return leaves(scope, prefix, ctx).some(
        ([path, leaf]) => fieldSelects(field, path) && leafIs(leaf, value, modeAt(prefix, path, ctx), ctx, false),
      );
    }
    case "exists":
      return existsIn(namedPath(q.field, prefix, ctx), scope, prefix, ctx);
    case "range": {
      if (q.field.k === "name") {
        const plan = planField(prefix, q.field.name, ctx.fieldType);
        const untyped = ctx.fieldType(fullName(prefix, q.field.name)) === undefined;
        return leaves(scope, prefix, ctx).some(([path, leaf]) => path === plan.path && leafRange(leaf, q.op, q.text, plan.mode, ctx, untyped));
      }
      const field = q.field;
      return leaves(scope, prefix, ctx).some(
        ([path, leaf]) =>
          fieldSelects(field, path) && leafRange(leaf, q.op, q.text, modeAt(prefix, path, ctx), ctx, ctx.fieldType(fullName(prefix, path)) === undefined),
      );
    }
    case "nested": {
      const nodes: Array<[string, unknown]> = [];
      allNodes(scope, "", nodes);
      const inner = fullName(prefix, q.path);
      return nodes.some(([p, v]) => p === q.path && typeof v === "object" && v !== null && evalQ(q.q, v, inner, ctx));
    }
    default:
      return assertNever(q);
  }
}

function modeAt(prefix: string, path: string, ctx: Ctx): Mode {
  return modeOf(ctx.fieldType(fullName(prefix, path)));
}

/** A named field read through its plan (a multi-field reads its parent); patterns and free text as they are. */
function namedPath(field: FieldRef, prefix: string, ctx: Ctx): FieldRef {
  return field.k === "name" ? { k: "name", name: planField(prefix, field.name, ctx.fieldType).path } : field;
}

/** §7.2 exists: some leaf at the field or below it (`host:*` holds when `host.name` has a value). */
function existsIn(field: FieldRef, scope: unknown, prefix: string, ctx: Ctx): boolean {
  return leaves(scope, prefix, ctx).some(([path]) => {
    const parts = path.split(".");
    for (let i = 1; i <= parts.length; i++) if (fieldSelects(field, parts.slice(0, i).join("."))) return true;
    return false;
  });
}

/** The reference interpreter: does `event` match the KQL AST `ast`? (docs/kql.md §7) */
export function evaluateKql(ast: KqlNodeLike, event: EventDoc, opts: KqlEvalOptions = {}): boolean {
  return evalQ(toIr(ast), event, "", { opts, fieldType: fieldTypeFn(opts) });
}

/** The same over already-lowered IR (for tests that build IR directly). */
export function evaluateIr(q: Q, event: EventDoc, opts: KqlEvalOptions = {}): boolean {
  return evalQ(q, event, "", { opts, fieldType: fieldTypeFn(opts) });
}
