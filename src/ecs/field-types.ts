// ECS field-type table (issue 3, "Field types"): Elasticsearch mapping type of every ECS and
// Elastic Defend field, looked up by dotted name, and the same table as a DSL index pattern
// (docs/kql.md §5). The data lives in field-types.generated.ts (scripts/gen-ecs-field-types.mjs).
import type { IndexPattern, IndexPatternField } from "./index-pattern.js";
import { FIELD_TYPES } from "./field-types.generated.js";

export { ECS_VERSION, ENDPOINT_PACKAGE_VERSION } from "./field-types.generated.js";

/** Elasticsearch mapping type names that ECS and the Defend package use. */
export type EsFieldType =
  | "keyword"
  | "constant_keyword"
  | "wildcard"
  | "text"
  | "match_only_text"
  | "ip"
  | "date"
  | "date_nanos"
  | "long"
  | "integer"
  | "short"
  | "byte"
  | "double"
  | "float"
  | "half_float"
  | "scaled_float"
  | "unsigned_long"
  | "boolean"
  | "flattened"
  | "nested"
  | "object"
  | "geo_point"
  | "binary";

const ES_FIELD_TYPES: ReadonlySet<string> = new Set<EsFieldType>([
  "keyword", "constant_keyword", "wildcard", "text", "match_only_text", "ip", "date", "date_nanos",
  "long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float",
  "unsigned_long", "boolean", "flattened", "nested", "object", "geo_point", "binary",
]);

function isEsFieldType(t: string): t is EsFieldType {
  return ES_FIELD_TYPES.has(t);
}

// Own-property lookup: a field named "constructor" or "__proto__" must not hit Object.prototype.
const HAS = Object.prototype.hasOwnProperty;

/** The mapping type of an ECS/Defend field (multi-fields such as `process.name.text` included), or undefined. */
export function ecsFieldType(name: string): EsFieldType | undefined {
  if (!HAS.call(FIELD_TYPES, name)) return undefined;
  const t = FIELD_TYPES[name];
  return t !== undefined && isEsFieldType(t) ? t : undefined;
}

/** Every field name in the table, sorted. */
export function ecsFieldNames(): string[] {
  return Object.keys(FIELD_TYPES).sort();
}

/** Kibana's field family for a mapping type (the data-view `type`). */
export function kibanaTypeOf(t: EsFieldType): string {
  switch (t) {
    case "keyword":
    case "constant_keyword":
    case "wildcard":
    case "text":
    case "match_only_text":
    case "flattened":
      return "string";
    case "long":
    case "integer":
    case "short":
    case "byte":
    case "double":
    case "float":
    case "half_float":
    case "scaled_float":
    case "unsigned_long":
      return "number";
    case "date":
    case "date_nanos":
      return "date";
    case "ip":
      return "ip";
    case "boolean":
      return "boolean";
    case "nested":
      return "nested";
    case "object":
      return "object";
    case "geo_point":
      return "geo_point";
    case "binary":
      return "binary";
    default:
      return assertNever(t);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected field type ${String(x)}`);
}

let cached: IndexPattern | undefined;

/**
 * The table as an index pattern: object fields are left out (data views list leaf fields only),
 * children of a nested field carry `subType.nested.path`, and a multi-field (`x.text` under a
 * keyword `x`) carries `subType.multi.parent`.
 */
export function ecsIndexPattern(): IndexPattern {
  if (cached !== undefined) return cached;
  const names = ecsFieldNames();
  const nestedPaths = names.filter((n) => ecsFieldType(n) === "nested");
  const fields: IndexPatternField[] = [];
  for (const name of names) {
    const t = ecsFieldType(name);
    if (t === undefined || t === "object") continue;
    const field: IndexPatternField = { name, type: kibanaTypeOf(t), esTypes: [t] };
    let nestedPath: string | undefined;
    for (const p of nestedPaths) {
      if (name.startsWith(p + ".") && (nestedPath === undefined || p.length > nestedPath.length)) nestedPath = p;
    }
    const dot = name.lastIndexOf(".");
    const parent = dot > 0 ? name.slice(0, dot) : undefined;
    const parentType = parent !== undefined ? ecsFieldType(parent) : undefined;
    const isMulti = parentType !== undefined && parentType !== "object" && parentType !== "nested";
    if (nestedPath !== undefined || isMulti) {
      field.subType = {};
      if (nestedPath !== undefined) field.subType.nested = { path: nestedPath };
      if (isMulti && parent !== undefined) field.subType.multi = { parent };
    }
    fields.push(Object.freeze(field));
  }
  // Shared by every caller, so frozen: nobody can change the table for the others.
  cached = Object.freeze({ title: "ecs", fields: Object.freeze(fields) });
  return cached;
}
