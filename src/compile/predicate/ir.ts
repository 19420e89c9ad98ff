// The evaluator's view of a KQL AST (docs/kql.md §3, §7): Kibana's node vocabulary turned into a small
// discriminated union once, so that both the compiled predicate and the reference interpreter switch on
// exhaustive kinds instead of re-inspecting literal/wildcard nodes. Also the evaluation options.

import { ecsFieldType, type EsFieldType } from "../../ecs/field-types.js";
import { WILDCARD_MARKER, wildcardSegments } from "../../util/wildcard.js";

/** Structural view of a parser node (Kibana's shape), so any producer of that shape can be evaluated. */
export interface KqlNodeLike {
  readonly type: string;
  readonly value?: unknown;
  readonly isQuoted?: boolean;
  readonly function?: string;
  readonly arguments?: readonly unknown[];
}

export interface KqlEvalOptions {
  /** Mapping types by full dotted field name; default: the ECS/Elastic Defend table (unknown fields = keyword). */
  fieldTypes?: (name: string) => EsFieldType | undefined;
  /** Keyword equality and wildcards ignore case (Kibana's `caseInsensitive` config). */
  caseInsensitive?: boolean;
  /** Zone for zone-less dates on date-typed fields: "UTC", "±hh:mm", an IANA name, or "Browser". */
  dateFormatTZ?: string;
  /** Clock for `now` date math, epoch ms; default Date.now. */
  now?: () => number;
}

export type RangeOp = "gt" | "gte" | "lt" | "lte";

export type FieldRef =
  | { readonly k: "free" }
  | { readonly k: "name"; readonly name: string }
  | { readonly k: "pattern"; readonly segments: readonly string[] };

export type ValueRef =
  /** The lone `*`: exists. */
  | { readonly k: "any" }
  | { readonly k: "lit"; readonly text: string; readonly quoted: boolean }
  | { readonly k: "wild"; readonly segments: readonly string[] };

export type Q =
  | { readonly k: "all" }
  | { readonly k: "and"; readonly c: readonly Q[] }
  | { readonly k: "or"; readonly c: readonly Q[] }
  | { readonly k: "not"; readonly c: Q }
  | { readonly k: "is"; readonly field: FieldRef; readonly value: ValueRef }
  | { readonly k: "exists"; readonly field: FieldRef }
  | { readonly k: "range"; readonly field: FieldRef; readonly op: RangeOp; readonly text: string }
  | { readonly k: "nested"; readonly path: string; readonly q: Q };

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}

function isNode(x: unknown): x is KqlNodeLike {
  return typeof x === "object" && x !== null && typeof (x as { type?: unknown }).type === "string";
}

function bad(what: string): never {
  throw new Error(`not a KQL AST: ${what}`);
}

function textOf(node: KqlNodeLike): string {
  const v = node.value;
  if (node.type === "wildcard") return wildcardSegments(String(v)).join("*");
  return v === null || v === undefined ? "null" : String(v);
}

function toField(x: unknown): FieldRef {
  if (!isNode(x)) return bad("field is not a node");
  if (x.type === "literal") return x.value === null ? { k: "free" } : { k: "name", name: String(x.value) };
  if (x.type === "wildcard") {
    const segments = wildcardSegments(String(x.value));
    return segments.length === 1 ? { k: "name", name: segments[0] } : { k: "pattern", segments };
  }
  return bad(`field node of type ${x.type}`);
}

function toValue(x: unknown): ValueRef {
  if (!isNode(x)) return bad("value is not a node");
  if (x.type === "literal") return { k: "lit", text: textOf(x), quoted: x.isQuoted === true };
  if (x.type === "wildcard") {
    // Kibana's exists test looks for exactly one marker and nothing else (§2: `**` is not exists).
    if (x.value === WILDCARD_MARKER) return { k: "any" };
    return { k: "wild", segments: wildcardSegments(String(x.value)) };
  }
  return bad(`value node of type ${x.type}`);
}

const RANGE_OPS: ReadonlySet<string> = new Set(["gt", "gte", "lt", "lte"]);

/** Lowers a parser AST (Kibana node shape) to the evaluator IR. Throws on shapes the parser never makes. */
export function toIr(node: unknown): Q {
  if (!isNode(node) || node.type !== "function") return bad("expected a function node at the top");
  const args = node.arguments ?? [];
  switch (node.function) {
    case "and":
    case "or": {
      const c = args.map(toIr);
      if (c.length === 1) return c[0];
      return node.function === "and" ? { k: "and", c } : { k: "or", c };
    }
    case "not":
      return { k: "not", c: toIr(args[0]) };
    case "is": {
      const field = toField(args[0]);
      const value = toValue(args[1]);
      // `*:*`, the blank query and a bare `*` (free text) all match every document (§5 rule 1, §7.2).
      if (value.k === "any" && (field.k === "free" || (field.k === "pattern" && field.segments.every((s) => s === "")))) {
        return { k: "all" };
      }
      return { k: "is", field, value };
    }
    case "exists":
      return { k: "exists", field: toField(args[0]) };
    case "range": {
      const field = toField(args[0]);
      const op = args[1];
      let opText: unknown = op;
      if (isNode(op)) opText = op.value;
      if (typeof opText !== "string" || !RANGE_OPS.has(opText)) return bad(`range operator ${JSON.stringify(opText)}`);
      const v = args[2];
      if (!isNode(v)) return bad("range value is not a node");
      return { k: "range", field, op: opText as RangeOp, text: textOf(v) };
    }
    case "nested": {
      const p = args[0];
      if (!isNode(p)) return bad("nested path is not a node");
      return { k: "nested", path: textOf(p), q: toIr(args[1]) };
    }
    default:
      return bad(`unknown function ${String(node.function)}`);
  }
}

/** §7.6 vs §7.2: which comparison family a mapping type uses. */
export type Mode = "keyword" | "text" | "number" | "date" | "ip" | "boolean";

export function modeOf(t: EsFieldType | undefined): Mode {
  switch (t) {
    case "text":
    case "match_only_text":
      return "text";
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
    case undefined:
    case "keyword":
    case "constant_keyword":
    case "wildcard":
    case "flattened":
    case "nested":
    case "object":
    case "geo_point":
    case "binary":
      return "keyword";
    default:
      return assertNever(t);
  }
}

/** Joins a nested scope prefix and a relative field name into the full name used for type lookup. */
export function fullName(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

/** The field-type lookup an evaluation uses: the caller's, or the ECS/Elastic Defend table. */
export function fieldTypeFn(opts: KqlEvalOptions): (name: string) => EsFieldType | undefined {
  return opts.fieldTypes ?? ecsFieldType;
}

/** Where a named field's values live and how they compare. */
export interface FieldPlan {
  /** Path to read in the event (relative to the scope). */
  readonly path: string;
  readonly mode: Mode;
  /** A `caseless` multi-field: keyword with a lowercase normalizer, so equality and wildcards ignore case. */
  readonly caseless: boolean;
}

/**
 * A multi-field (`process.name.text`, `process.name.caseless`: typed, under a parent that is itself a typed
 * leaf field) exists only in the index: its values are the parent's, compared by the multi-field's type.
 */
export function planField(prefix: string, name: string, types: (name: string) => EsFieldType | undefined): FieldPlan {
  const t = types(fullName(prefix, name));
  const dot = name.lastIndexOf(".");
  if (t !== undefined && dot > 0) {
    const parent = name.slice(0, dot);
    const pt = types(fullName(prefix, parent));
    if (pt !== undefined && pt !== "object" && pt !== "nested" && pt !== "flattened") {
      return { path: parent, mode: modeOf(t), caseless: name.slice(dot + 1) === "caseless" };
    }
  }
  return { path: name, mode: modeOf(t), caseless: false };
}
