// The KQL AST shapes the DSL translator consumes (docs/kql.md §3, Kibana's node vocabulary).
// Structural on purpose: any parser output of this shape (src/lang/kql) is accepted as-is.

export const WILDCARD_MARKER = "@kuery-wildcard@";

export type LiteralValue = string | number | boolean | null;

export interface DslLiteralNode {
  type: "literal";
  value: LiteralValue;
  isQuoted?: boolean;
}

export interface DslWildcardNode {
  type: "wildcard";
  /** Every unescaped `*` is replaced by WILDCARD_MARKER. */
  value: string;
}

export type DslValueNode = DslLiteralNode | DslWildcardNode;

export type RangeOperator = "gt" | "gte" | "lt" | "lte";

export interface DslIsNode {
  type: "function";
  function: "is";
  arguments: readonly [DslValueNode, DslValueNode];
}

export interface DslRangeNode {
  type: "function";
  function: "range";
  arguments: readonly [DslValueNode, RangeOperator, DslValueNode];
}

export interface DslExistsNode {
  type: "function";
  function: "exists";
  arguments: readonly [DslLiteralNode];
}

export interface DslAndNode {
  type: "function";
  function: "and";
  arguments: readonly DslNode[];
}

export interface DslOrNode {
  type: "function";
  function: "or";
  arguments: readonly DslNode[];
}

export interface DslNotNode {
  type: "function";
  function: "not";
  arguments: readonly [DslNode];
}

export interface DslNestedNode {
  type: "function";
  function: "nested";
  /** The path is a literal from the parser; a programmatic wildcard path is sent with plain `*`. */
  arguments: readonly [DslValueNode, DslNode];
}

export type DslFunctionNode =
  | DslIsNode
  | DslRangeNode
  | DslExistsNode
  | DslAndNode
  | DslOrNode
  | DslNotNode
  | DslNestedNode;

export type DslNode = DslFunctionNode | DslValueNode;
