// Test support for the predicate layer (not exported from the package): hand builders for Kibana-shaped
// KQL nodes and fast-check arbitraries of queries, events and evaluation options, shared by the
// differential tests (compiled vs reference) and the prefilter soundness tests.

import fc from "fast-check";
import type { KqlNode, KqlValueNode } from "../../lang/kql/ast.js";
import type { EsFieldType } from "../../ecs/field-types.js";
import { WILDCARD_MARKER } from "../../util/wildcard.js";
import type { KqlEvalOptions } from "./ir.js";

export const lit = (value: string | boolean | null, isQuoted = false): KqlValueNode => ({ type: "literal", value, isQuoted });
/** A wildcard node from `*`-pattern text (every `*` becomes the marker). */
export const wild = (pattern: string): KqlValueNode => ({ type: "wildcard", value: pattern.split("*").join(WILDCARD_MARKER) });
const valueNode = (v: string): KqlValueNode => (v.includes("*") ? wild(v) : lit(v));
export const is = (field: string | null, value: string | KqlValueNode): KqlNode => ({
  type: "function",
  function: "is",
  arguments: [field === null ? lit(null) : valueNode(field), typeof value === "string" ? valueNode(value) : value],
});
export const range = (field: string, op: "gt" | "gte" | "lt" | "lte", value: string): KqlNode => ({
  type: "function",
  function: "range",
  arguments: [valueNode(field), op, lit(value)],
});
export const and = (...c: KqlNode[]): KqlNode => ({ type: "function", function: "and", arguments: c });
export const or = (...c: KqlNode[]): KqlNode => ({ type: "function", function: "or", arguments: c });
export const not = (c: KqlNode): KqlNode => ({ type: "function", function: "not", arguments: [c] });
export const nested = (path: string, q: KqlNode): KqlNode => ({ type: "function", function: "nested", arguments: [lit(path), q] });
export const exists = (field: string): KqlNode => ({ type: "function", function: "exists", arguments: [{ type: "literal", value: field, isQuoted: false }] });

const FIELDS = ["a", "b", "a.b", "a.c", "n", "a.*", "*.b", "*"];
const VALUES = [
  "x", "y", "X", "x y", "Hello World", "hello", "1", "2", "1.0", "-3", "true", "false", "null",
  "10.0.0.0/8", "10.1.2.3", "::1", "2024-01-01", "2024-01-01T10:00:00Z", "now-1d", "1704067200000",
  "x*", "*y", "*", "a*b", "/dev/*", "é", "é*",
];

export const arbValueText = fc.constantFrom(...VALUES);
export const arbField = fc.constantFrom(...FIELDS);

const arbValueNode: fc.Arbitrary<KqlValueNode> = fc.oneof(
  arbValueText.map((v) => valueNode(v)),
  arbValueText.map((v) => lit(v, true)),
);

export const arbQuery: fc.Arbitrary<KqlNode> = fc.letrec<{ q: KqlNode }>((tie) => ({
  q: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(fc.option(arbField, { nil: null, freq: 6 }), arbValueNode).map(([f, v]) => is(f, v)),
    fc.tuple(arbField, fc.constantFrom("gt" as const, "gte" as const, "lt" as const, "lte" as const), arbValueText).map(([f, op, v]) => range(f, op, v)),
    arbField.map((f) => exists(f.replace("*", "a"))),
    fc.array(tie("q"), { minLength: 2, maxLength: 3 }).map((c) => and(...c)),
    fc.array(tie("q"), { minLength: 2, maxLength: 4 }).map((c) => or(...c)),
    tie("q").map((c) => not(c)),
    fc.tuple(fc.constantFrom("a", "n"), tie("q")).map(([p, c]) => nested(p, c)),
  ),
})).q;

const arbLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("x", "y", "X", "x y", "hello world", "Hello, World", "1", "1.0", "true", "false", "null", "10.1.2.3", "::1",
    "2024-01-01T10:00:00Z", "2024-01-01", "xay", "a*b", "/dev/shm/x", "é", "éa", "", "a\\b", "q\"uote", "tab\there"),
  fc.constantFrom(1, 2, -3, 0, 1.5, 1704067200000),
  fc.boolean(),
  fc.constant(null),
);

const docParts = fc.letrec<{ v: unknown; o: Record<string, unknown> }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, arbLeaf, arbLeaf, tie("o"), fc.array(tie("v"), { maxLength: 3 })),
  o: fc.dictionary(fc.constantFrom("a", "b", "c", "n", "a.b", "b.c", "constructor"), tie("v"), { maxKeys: 4 }),
}));

/**
 * One path stored twice in one object, nested and dotted (`{a:{b:v1}, "a.b":v2}`), in either key order.
 * Random dictionaries rarely hold both spellings at once, yet this is where a reader that follows only
 * the first spelling it finds goes wrong, so a third of the generated events are built this way.
 */
const arbTwoSpellings: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(docParts.o, fc.constantFrom(["a", "b"], ["a", "c"], ["b", "c"]), docParts.v, docParts.v, fc.boolean())
  .map(([base, [outer, inner], nestedValue, dottedValue, dottedFirst]) => {
    const prev = base[outer];
    const inside = prev !== null && typeof prev === "object" && !Array.isArray(prev) ? { ...(prev as Record<string, unknown>) } : {};
    inside[inner] = nestedValue;
    const rest = { ...base };
    delete rest[outer];
    delete rest[`${outer}.${inner}`];
    const dotted = { [`${outer}.${inner}`]: dottedValue };
    return dottedFirst ? { ...dotted, ...rest, [outer]: inside } : { ...rest, [outer]: inside, ...dotted };
  });

export const arbDoc: fc.Arbitrary<Record<string, unknown>> = fc.oneof(docParts.o, docParts.o, arbTwoSpellings);

const TYPES: Array<EsFieldType | undefined> = [undefined, "keyword", "text", "long", "date", "ip", "boolean", "wildcard"];

export const arbOptions: fc.Arbitrary<KqlEvalOptions> = fc
  .record({
    types: fc.dictionary(fc.constantFrom("a", "b", "a.b", "a.c", "n", "c", "n.a", "a.a"), fc.constantFrom(...TYPES), { maxKeys: 4 }),
    ci: fc.boolean(),
    tz: fc.constantFrom(undefined, "UTC", "+02:00", "Europe/Paris"),
  })
  .map(({ types, ci, tz }) => ({
    fieldTypes: (name: string) => (Object.prototype.hasOwnProperty.call(types, name) ? types[name] : undefined),
    caseInsensitive: ci,
    dateFormatTZ: tz,
    now: () => Date.UTC(2024, 0, 2),
  }));
