// Hand-built KQL AST nodes for the DSL unit tests (docs/kql.md §3 shapes), so the translator is
// tested without the parser. `wc("a*b")` turns each `*` into the wildcard marker.
import {
  WILDCARD_MARKER,
  type DslLiteralNode,
  type DslNode,
  type DslValueNode,
  type DslWildcardNode,
  type LiteralValue,
  type RangeOperator,
} from "./node.js";

export const lit = (value: LiteralValue, isQuoted = false): DslLiteralNode => ({ type: "literal", value, isQuoted });
export const wc = (pattern: string): DslWildcardNode => ({ type: "wildcard", value: pattern.split("*").join(WILDCARD_MARKER) });
const field = (f: string | null | DslValueNode): DslValueNode => (typeof f === "string" || f === null ? lit(f) : f);
const val = (v: LiteralValue | DslValueNode): DslValueNode =>
  v !== null && typeof v === "object" ? v : lit(v);

export const is = (f: string | null | DslValueNode, v: LiteralValue | DslValueNode): DslNode => ({
  type: "function",
  function: "is",
  arguments: [field(f), val(v)],
});
export const range = (f: string | DslValueNode, op: RangeOperator, v: LiteralValue | DslValueNode): DslNode => ({
  type: "function",
  function: "range",
  arguments: [field(f), op, val(v)],
});
export const exists = (f: string): DslNode => ({ type: "function", function: "exists", arguments: [lit(f)] });
export const and = (...children: DslNode[]): DslNode => ({ type: "function", function: "and", arguments: children });
export const or = (...children: DslNode[]): DslNode => ({ type: "function", function: "or", arguments: children });
export const not = (child: DslNode): DslNode => ({ type: "function", function: "not", arguments: [child] });
export const nested = (path: string, child: DslNode): DslNode => ({
  type: "function",
  function: "nested",
  arguments: [lit(path), child],
});

/** Kibana wraps every leaf in a one-of bool.should. */
export const should1 = (...clauses: unknown[]): Record<string, unknown> => ({
  bool: { should: clauses, minimum_should_match: 1 },
});
