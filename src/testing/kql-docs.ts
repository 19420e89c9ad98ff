// Documents made from a KQL query, for the tests that make a real server judge tern's evaluator: for each
// field the query reads, values that match one of its clauses and values that nearly do (case, spacing,
// joined or split words, numbers as text and text as numbers, malformed addresses, unicode), each alone,
// in arrays, null, empty or missing, stored nested or with dotted keys. fast-check draws them from a fixed
// seed, so a failure names a document that stays the same from run to run. Test support only.

import fc from "fast-check";
import type { KqlNode, KqlValueNode } from "../lang/kql/ast.js";
import { KQL_WILDCARD_MARKER } from "../lang/kql/ast.js";
import { ecsFieldNames, ecsFieldType } from "../ecs/field-types.js";
import { modeOf, planField, type Mode } from "../compile/predicate/ir.js";
import { compileWildcard } from "../util/wildcard.js";

/** What a query asks of one stored path. */
export interface PathUse {
  readonly path: string;
  readonly mode: Mode;
  /** Values that satisfy some clause on the path (its literals, its wildcards filled in). */
  readonly exact: unknown[];
  /** Values that satisfy or nearly satisfy the clauses on the path. */
  readonly values: unknown[];
}

const MISSING = Symbol("missing");

function flipCase(s: string): string {
  return [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
}

/** Values around a literal clause value `t`: itself, case and spacing variants, numeric and address forms. */
function literalValues(t: string, mode: Mode): unknown[] {
  const out: unknown[] = [t, t.toUpperCase(), t.toLowerCase(), flipCase(t.slice(0, 1)) + t.slice(1), ` ${t}`, `${t} `, `x${t}`, `${t}x`];
  out.push(t.replace(/[_.:\\/-]/g, " "), t.replace(/ /g, "_"), `foo ${t} bar`, `foo.${t}`, `${t}.exe`);
  if (/i/.test(t)) out.push(t.replace(/i/g, "İ"));
  out.push(`${t}é`);
  const n = Number(t);
  if (t.trim() !== "" && Number.isFinite(n)) out.push(n, n + 0.5, String(n + 0.5), `${t}.0`, -n, Math.trunc(n) + 1);
  if (t === "true" || t === "false") out.push(t === "true", t !== "true");
  const cidr = /^([\d.]+)\/(\d+)$/.exec(t);
  if (cidr !== null) {
    const base = cidr[1].split(".").map(Number);
    out.push(cidr[1], base.map((b, i) => (i === 3 ? (b + 7) % 256 : b)).join("."), base.map((b, i) => (i === 0 ? (b + 1) % 256 : b)).join("."));
  }
  if (/^[\d.]+$/.test(t) && t.split(".").length === 4) out.push(` ${t} `, `::ffff:${t}`, "other-value", "");
  if (mode === "text") out.push(t.split(/\s+/).reverse().join(" "), `${t}_suffix`, t.replace(/\s+/g, "."));
  return out;
}

/** Values around a wildcard clause: the pattern filled in several ways, and near misses. */
function wildcardValues(segments: string[]): unknown[] {
  const fills = ["", "x", "Ab Cd", "/", "_z_"].map((f) => segments.join(f));
  const filled = fills[1];
  return [...fills, filled.toUpperCase(), filled.toLowerCase(), filled.slice(1), `q${filled}`, `${filled}q`, segments.join(" ").trim()];
}

function rangeValues(t: string): unknown[] {
  const n = Number(t);
  if (t.trim() !== "" && Number.isFinite(n)) return [n - 1, n, n + 1, n - 0.5, n + 0.5, String(n), String(n + 1), "abc", `${n}.0`];
  return [t, `${t}a`, t.slice(0, -1), "", "0"];
}

const EXISTS_VALUES: unknown[] = ["x", 0, false, "", []];

/** A value every field of the mode indexes, for `field:*`. */
const PRESENT: Record<Mode, unknown> = { keyword: "x", text: "x", number: 7, date: "2024-05-06T07:08:09Z", ip: "192.0.2.1", boolean: true };

function valueText(v: KqlValueNode): { text: string; wild?: string[] } {
  if (v.type === "wildcard") return { text: v.value.split(KQL_WILDCARD_MARKER).join("*"), wild: v.value.split(KQL_WILDCARD_MARKER) };
  return { text: v.value === null ? "" : String(v.value) };
}

/** The stored paths a field name selects: itself (a multi-field's parent), or ECS names matching a pattern. */
function pathsOf(prefix: string, field: KqlValueNode): { path: string; mode: Mode }[] {
  const { text, wild } = valueText(field);
  const full = (n: string) => (prefix === "" ? n : `${prefix}.${n}`);
  if (field.type === "literal" && field.value === null) return [{ path: "message", mode: "text" }, { path: "tern.free", mode: "keyword" }];
  if (wild === undefined) {
    const plan = planField(prefix, text, ecsFieldType);
    return [{ path: full(plan.path), mode: plan.caseless ? "keyword" : plan.mode }];
  }
  const m = compileWildcard(wild);
  const names = ecsFieldNames().filter((n) => m(n) && ecsFieldType(n) !== "object" && ecsFieldType(n) !== "nested").slice(0, 2);
  return names.map((n) => ({ path: full(planField("", n, ecsFieldType).path), mode: modeOf(ecsFieldType(n)) }));
}

/** Every stored path the query reads, with the values to try there. */
export function pathUses(ast: KqlNode): PathUse[] {
  const uses = new Map<string, { mode: Mode; exact: unknown[]; values: unknown[] }>();
  const add = (path: string, mode: Mode, values: unknown[], exact: unknown[]) => {
    const u = uses.get(path);
    if (u === undefined) uses.set(path, { mode, exact: [...exact], values: [...values] });
    else {
      u.values.push(...values);
      u.exact.push(...exact);
    }
  };
  const walk = (n: KqlNode, prefix: string): void => {
    switch (n.function) {
      case "and":
      case "or":
        for (const c of n.arguments) walk(c, prefix);
        return;
      case "not":
        walk(n.arguments[0], prefix);
        return;
      case "nested": {
        const path = String(n.arguments[0].value);
        walk(n.arguments[1], prefix === "" ? path : `${prefix}.${path}`);
        return;
      }
      case "exists":
        for (const p of pathsOf(prefix, n.arguments[0])) add(p.path, p.mode, EXISTS_VALUES, [PRESENT[p.mode]]);
        return;
      case "range": {
        const values = rangeValues(valueText(n.arguments[2]).text);
        for (const p of pathsOf(prefix, n.arguments[0])) add(p.path, p.mode, values, values.slice(0, 5));
        return;
      }
      case "is": {
        const v = n.arguments[1];
        const { text, wild } = valueText(v);
        const any = wild !== undefined && wild.length === 2 && wild.every((s) => s === "");
        const filled = wild !== undefined ? wildcardValues(wild) : [];
        for (const p of pathsOf(prefix, n.arguments[0])) {
          if (any) add(p.path, p.mode, EXISTS_VALUES, [PRESENT[p.mode]]);
          else if (wild !== undefined) add(p.path, p.mode, filled, filled.slice(0, 3));
          else add(p.path, p.mode, literalValues(text, p.mode), [text]);
        }
        return;
      }
    }
  };
  walk(ast, "");
  return [...uses].map(([path, u]) => ({ path, mode: u.mode, exact: dedupe(u.exact), values: dedupe(u.values) }));
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Sets `path` in `doc` as nested objects, or as one dotted key below `flatFrom` parts; false on a clash. */
function setPath(doc: Record<string, unknown>, path: string, value: unknown, flatFrom: number): boolean {
  const parts = path.split(".");
  const keys = flatFrom < parts.length ? [...parts.slice(0, flatFrom), parts.slice(flatFrom).join(".")] : parts;
  let o = doc;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (next === undefined) o = o[k] = {} as Record<string, unknown>;
    else if (next !== null && typeof next === "object" && !Array.isArray(next)) o = next as Record<string, unknown>;
    else return false;
  }
  const last = keys[keys.length - 1];
  if (last in o) return false;
  o[last] = value;
  return true;
}

/**
 * `count` documents for a query: first a few aligned ones (every path takes its i-th value, so the
 * values of the first clauses meet), then random ones. Paths in `objectPaths` hold objects elsewhere (a
 * mapping gives a name one kind), so they get no value of their own.
 */
export function docsFor(ast: KqlNode, seed: number, count: number, objectPaths: ReadonlySet<string> = new Set()): Record<string, unknown>[] {
  const uses = pathUses(ast).filter((u) => !objectPaths.has(u.path) && u.values.length > 0 && u.exact.length > 0);
  const out: Record<string, unknown>[] = [];
  const build = (values: unknown[], flatFrom: number) => {
    const doc: Record<string, unknown> = {};
    uses.forEach((u, i) => {
      if (values[i] !== MISSING) setPath(doc, u.path, values[i], flatFrom);
    });
    out.push(doc);
  };
  const aligned = Math.min(4, count);
  for (let i = 0; i < aligned; i++) build(uses.map((u) => u.values[i % u.values.length]), 99);
  if (uses.length === 0) return out;
  const one = (u: PathUse) => fc.constantFrom(...u.values);
  const arb = fc.tuple(
    fc.tuple(
      ...uses.map((u) =>
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...u.exact) },
          { weight: 4, arbitrary: one(u) },
          { weight: 2, arbitrary: fc.constant(MISSING) },
          { weight: 2, arbitrary: fc.array(one(u), { minLength: 1, maxLength: 3 }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(null, "", [], [null]) },
        ),
      ),
    ),
    fc.constantFrom(99, 99, 99, 1, 0),
  );
  for (const [values, flatFrom] of fc.sample(arb, { seed, numRuns: count - aligned })) build(values as unknown[], flatFrom);
  return out;
}

/** Paths some query uses as an object (another used path starts with it and a dot). */
export function objectPathsOf(uses: Iterable<string>): Set<string> {
  const all = [...new Set(uses)].sort();
  const out = new Set<string>();
  for (const p of all) for (const q of all) if (q.startsWith(`${p}.`)) out.add(p);
  return out;
}

/** Paths the query searches with a nested query (`path:{ … }`), inner ones with their parent's prefix. */
export function nestedPaths(node: KqlNode, prefix = "", out: string[] = []): string[] {
  if (node.type === "function") {
    if (node.function === "nested") {
      const [path, child] = node.arguments as [{ value: unknown }, KqlNode];
      const full = prefix === "" ? String(path.value) : `${prefix}.${String(path.value)}`;
      out.push(full);
      nestedPaths(child, full, out);
    } else for (const a of node.arguments as KqlNode[]) if (a !== null && typeof a === "object" && "type" in a) nestedPaths(a, prefix, out);
  }
  return out;
}

/** The paths of the nested queries in a query DSL (a wildcard field can expand into nested ECS fields). */
export function dslNestedPaths(q: unknown, out: string[] = []): string[] {
  if (Array.isArray(q)) q.forEach((x) => dslNestedPaths(x, out));
  else if (q !== null && typeof q === "object") {
    for (const [k, v] of Object.entries(q)) {
      if (k === "nested" && v !== null && typeof v === "object" && typeof (v as { path?: unknown }).path === "string") out.push((v as { path: string }).path);
      dslNestedPaths(v, out);
    }
  }
  return out;
}
