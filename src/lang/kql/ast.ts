// The KQL (kuery) AST in Kibana's node vocabulary (docs/kql.md §3): `literal` and `wildcard` value nodes
// and `function` nodes (is, range, and, or, not, nested, exists). Plain JSON-serialisable data; `span`
// (UTF-16 offsets into the query text) is optional so hand-built and parsed trees compare equal once
// spans are stripped. No parsing or printing here.

/** The marker that stands for an unescaped `*` inside a wildcard node's value (Kibana's symbol). */
export const KQL_WILDCARD_MARKER = "@kuery-wildcard@";

/** Half-open range [start, end) of UTF-16 code units in the query text. */
export interface KqlSpan {
  start: number;
  end: number;
}

export type KqlLiteralValue = string | boolean | number | null;

export interface KqlLiteral {
  type: "literal";
  /** The parser only yields strings, booleans (`true`/`false`) and null (`null`); numbers are programmatic. */
  value: KqlLiteralValue;
  isQuoted: boolean;
  span?: KqlSpan;
}

export interface KqlWildcard {
  type: "wildcard";
  /** Every unescaped `*` is the marker KQL_WILDCARD_MARKER; an escaped `\*` is a real `*`. */
  value: string;
  span?: KqlSpan;
}

/** A field name or a value: literal (literal null = free text, no field) or wildcard. */
export type KqlValueNode = KqlLiteral | KqlWildcard;

export type KqlRangeOperator = "gt" | "gte" | "lt" | "lte";

export type KqlFunctionName = "is" | "range" | "and" | "or" | "not" | "nested" | "exists";

export interface KqlIsNode {
  type: "function";
  function: "is";
  arguments: [field: KqlValueNode, value: KqlValueNode];
  span?: KqlSpan;
}

export interface KqlRangeNode {
  type: "function";
  function: "range";
  arguments: [field: KqlValueNode, operator: KqlRangeOperator, value: KqlValueNode];
  span?: KqlSpan;
}

export interface KqlAndNode {
  type: "function";
  function: "and";
  arguments: KqlNode[];
  span?: KqlSpan;
}

export interface KqlOrNode {
  type: "function";
  function: "or";
  arguments: KqlNode[];
  span?: KqlSpan;
}

export interface KqlNotNode {
  type: "function";
  function: "not";
  arguments: [KqlNode];
  span?: KqlSpan;
}

export interface KqlNestedNode {
  type: "function";
  function: "nested";
  arguments: [path: KqlValueNode, query: KqlNode];
  span?: KqlSpan;
}

/** Never produced by the parser (Kibana builds it programmatically only). */
export interface KqlExistsNode {
  type: "function";
  function: "exists";
  arguments: [field: KqlLiteral];
  span?: KqlSpan;
}

/** A query node: what parseKql returns and what every back end switches over (`node.function`). */
export type KqlNode = KqlIsNode | KqlRangeNode | KqlAndNode | KqlOrNode | KqlNotNode | KqlNestedNode | KqlExistsNode;
/** Kibana calls query nodes "function" nodes; same union as KqlNode. */
export type KqlFunction = KqlNode;
/** Any node of the tree, value nodes included. */
export type KqlAnyNode = KqlNode | KqlValueNode;

export function assertNever(x: never): never {
  throw new Error(`unexpected KQL node: ${JSON.stringify(x)}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null;
}

export function isKqlLiteral(x: unknown): x is KqlLiteral {
  return isObject(x) && x.type === "literal";
}
export function isKqlWildcard(x: unknown): x is KqlWildcard {
  return isObject(x) && x.type === "wildcard";
}
export function isKqlFunction(x: unknown): x is KqlNode {
  return isObject(x) && x.type === "function";
}
export function isKqlIsNode(x: unknown): x is KqlIsNode {
  return isKqlFunction(x) && x.function === "is";
}
export function isKqlRangeNode(x: unknown): x is KqlRangeNode {
  return isKqlFunction(x) && x.function === "range";
}
export function isKqlAndNode(x: unknown): x is KqlAndNode {
  return isKqlFunction(x) && x.function === "and";
}
export function isKqlOrNode(x: unknown): x is KqlOrNode {
  return isKqlFunction(x) && x.function === "or";
}
export function isKqlNotNode(x: unknown): x is KqlNotNode {
  return isKqlFunction(x) && x.function === "not";
}
export function isKqlNestedNode(x: unknown): x is KqlNestedNode {
  return isKqlFunction(x) && x.function === "nested";
}
export function isKqlExistsNode(x: unknown): x is KqlExistsNode {
  return isKqlFunction(x) && x.function === "exists";
}

/** A wildcard whose value is exactly one marker (Kibana's isLoneWildcard: only the first marker is removed). */
export function isLoneWildcard(node: KqlWildcard): boolean {
  return node.value.includes(KQL_WILDCARD_MARKER) && node.value.replace(KQL_WILDCARD_MARKER, "").length === 0;
}

/** Kibana's hasLeadingWildcard: a non-lone wildcard that starts with the marker. */
export function hasLeadingWildcard(node: KqlWildcard): boolean {
  return !isLoneWildcard(node) && node.value.startsWith(KQL_WILDCARD_MARKER);
}

/** A deep copy of a tree without any `span` (for comparisons and span-less JSON). */
export function stripSpans<T extends KqlAnyNode>(node: T): T;
export function stripSpans(node: KqlAnyNode): KqlAnyNode {
  switch (node.type) {
    case "literal":
      return { type: "literal", value: node.value, isQuoted: node.isQuoted };
    case "wildcard":
      return { type: "wildcard", value: node.value };
    case "function":
      return stripFunction(node);
    default:
      return assertNever(node);
  }
}

function stripFunction(node: KqlNode): KqlNode {
  switch (node.function) {
    case "is":
      return { type: "function", function: "is", arguments: [stripSpans(node.arguments[0]), stripSpans(node.arguments[1])] };
    case "range":
      return {
        type: "function",
        function: "range",
        arguments: [stripSpans(node.arguments[0]), node.arguments[1], stripSpans(node.arguments[2])],
      };
    case "and":
      return { type: "function", function: "and", arguments: node.arguments.map((c) => stripSpans(c)) };
    case "or":
      return { type: "function", function: "or", arguments: node.arguments.map((c) => stripSpans(c)) };
    case "not":
      return { type: "function", function: "not", arguments: [stripSpans(node.arguments[0])] };
    case "nested":
      return { type: "function", function: "nested", arguments: [stripSpans(node.arguments[0]), stripSpans(node.arguments[1])] };
    case "exists":
      return { type: "function", function: "exists", arguments: [stripSpans(node.arguments[0])] };
    default:
      return assertNever(node);
  }
}
