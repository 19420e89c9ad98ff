// The EQL AST (docs/eql.md §2): statements (event query, sequence, sample) with their pipes, and the
// expressions of a `where` clause. Plain JSON-serialisable data; `span` (UTF-16 offsets into the query
// text) is optional so hand-built and parsed trees compare equal once spans are stripped. Only what
// Elasticsearch accepts is representable: the parser rejects the rest (join, lineage, other pipes…).

/** Half-open range [start, end) of UTF-16 code units in the query text. */
export interface EqlSpan {
  start: number;
  end: number;
}

export type EqlLiteralValue = string | number | boolean | null;

export interface EqlLiteral {
  kind: "literal";
  value: EqlLiteralValue;
  /** For numbers: written without a fraction or exponent (Elasticsearch's int/long, integer arithmetic) or not (double). */
  integer?: boolean;
  span?: EqlSpan;
}

export interface EqlField {
  kind: "field";
  /** The dotted name as Elasticsearch resolves it (backquoted parts unquoted and joined with "."). */
  name: string;
  /** `?field`: never an error when unmapped; an unmapped optional field is the literal null (§4). */
  optional: boolean;
  span?: EqlSpan;
}

export type EqlCompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export type EqlArithOp = "+" | "-" | "*" | "/" | "%";
export type EqlMatchOp = ":" | "like" | "like~" | "regex" | "regex~";

/** Whether a comparison holds given the sign of `a − b` (`c`, as a compare function returns it). */
export function comparisonHolds(op: EqlCompareOp, c: number): boolean {
  switch (op) {
    case "==":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    default:
      return assertNever(op);
  }
}

export interface EqlAnd {
  kind: "and";
  left: EqlExpr;
  right: EqlExpr;
  span?: EqlSpan;
}

export interface EqlOr {
  kind: "or";
  left: EqlExpr;
  right: EqlExpr;
  span?: EqlSpan;
}

export interface EqlNot {
  kind: "not";
  expr: EqlExpr;
  span?: EqlSpan;
}

export interface EqlCompare {
  kind: "compare";
  op: EqlCompareOp;
  left: EqlExpr;
  right: EqlExpr;
  span?: EqlSpan;
}

/** `value : "a*"`, `value like~ ("a", "b")`, `value regex "…"`: the right side is one or more string constants. */
export interface EqlMatch {
  kind: "match";
  op: EqlMatchOp;
  value: EqlExpr;
  patterns: EqlLiteral[];
  /** Written as a parenthesised list (kept for printing; one-element lists stay lists). */
  list: boolean;
  span?: EqlSpan;
}

/** `value in (…)`, `value not in~ (…)`. */
export interface EqlIn {
  kind: "in";
  negated: boolean;
  insensitive: boolean;
  value: EqlExpr;
  items: EqlExpr[];
  span?: EqlSpan;
}

export interface EqlArith {
  kind: "arith";
  op: EqlArithOp;
  left: EqlExpr;
  right: EqlExpr;
  span?: EqlSpan;
}

/** Unary minus/plus on a non-literal (a sign on a number literal is folded into the literal). */
export interface EqlNeg {
  kind: "neg";
  op: "-" | "+";
  expr: EqlExpr;
  span?: EqlSpan;
}

export interface EqlCall {
  kind: "call";
  /** The canonical function name (`startsWith`, `cidrMatch`…); lookup is case-insensitive. */
  name: EqlFunctionName;
  /** Written with `~` (the case-insensitive variant). */
  insensitive: boolean;
  args: EqlExpr[];
  span?: EqlSpan;
}

export type EqlExpr = EqlLiteral | EqlField | EqlAnd | EqlOr | EqlNot | EqlCompare | EqlMatch | EqlIn | EqlArith | EqlNeg | EqlCall;

/** Every function Elasticsearch's EQL has (docs/eql.md §6), with its arity and whether it has a `~` form. */
export const EQL_FUNCTIONS = {
  add: { min: 2, max: 2, insensitive: false },
  between: { min: 3, max: 4, insensitive: true },
  cidrMatch: { min: 2, max: Infinity, insensitive: false },
  concat: { min: 1, max: Infinity, insensitive: false },
  divide: { min: 2, max: 2, insensitive: false },
  endsWith: { min: 2, max: 2, insensitive: true },
  indexOf: { min: 2, max: 3, insensitive: true },
  length: { min: 1, max: 1, insensitive: false },
  modulo: { min: 2, max: 2, insensitive: false },
  multiply: { min: 2, max: 2, insensitive: false },
  number: { min: 1, max: 2, insensitive: false },
  startsWith: { min: 2, max: 2, insensitive: true },
  string: { min: 1, max: 1, insensitive: false },
  stringContains: { min: 2, max: 2, insensitive: true },
  substring: { min: 2, max: 3, insensitive: false },
  subtract: { min: 2, max: 2, insensitive: false },
} as const;

export type EqlFunctionName = keyof typeof EQL_FUNCTIONS;

/** `category where expr`; `category` null is `any`. */
export interface EqlEventFilter {
  category: string | null;
  where: EqlExpr;
  span?: EqlSpan;
}

export interface EqlMaxspan {
  /** As written: the number and unit (`5`, `m`). */
  value: number;
  unit: "ms" | "s" | "m" | "h" | "d";
  /** The span in milliseconds. */
  ms: number;
}

export interface EqlSequenceStage {
  filter: EqlEventFilter;
  /** Stage keys, appended to the sequence's own keys. */
  by: EqlField[];
  /** `![ … ]`: an event that must not occur (docs/eql.md §8 "Missing events"). */
  missing: boolean;
  /** `with runs=N` as written (1 when absent); the matcher expands the stage N times. */
  runs: number;
  span?: EqlSpan;
}

export interface EqlPipe {
  kind: "head" | "tail";
  count: number;
  span?: EqlSpan;
}

export interface EqlEventQuery {
  kind: "event";
  filter: EqlEventFilter;
  pipes: EqlPipe[];
  span?: EqlSpan;
}

export interface EqlSequence {
  kind: "sequence";
  by: EqlField[];
  maxspan?: EqlMaxspan;
  stages: EqlSequenceStage[];
  until?: EqlSequenceStage;
  pipes: EqlPipe[];
  span?: EqlSpan;
}

export interface EqlSampleStage {
  filter: EqlEventFilter;
  by: EqlField[];
  span?: EqlSpan;
}

export interface EqlSample {
  kind: "sample";
  by: EqlField[];
  stages: EqlSampleStage[];
  pipes: EqlPipe[];
  span?: EqlSpan;
}

export type EqlStatement = EqlEventQuery | EqlSequence | EqlSample;

export function assertNever(x: never): never {
  throw new Error(`unexpected EQL node: ${JSON.stringify(x)}`);
}

/**
 * Deepest tree tern takes. The parser bounds parentheses, `not` and signs, but a chain of `and`, `or`,
 * comparisons or arithmetic is a left-deep tree as long as the chain, and printing, rewriting, compiling
 * and evaluating it recurse once per level: thousands of levels overflow the stack. The corpus's deepest
 * is 29.
 */
export const MAX_EQL_TREE_DEPTH = 1000;

/** The most nodes with a `kind` on one path down a syntax tree, walked without recursion. */
export function eqlTreeDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (Array.isArray(node)) {
      for (const x of node) stack.push([x, depth]);
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    const next = "kind" in node ? depth + 1 : depth;
    if (next - 1 > max) max = next - 1;
    for (const [k, v] of Object.entries(node)) if (k !== "span" && typeof v === "object" && v !== null) stack.push([v, next]);
  }
  return max;
}

/** A deep copy without `span` keys (for comparing trees built by hand with parsed ones). */
export function stripEqlSpans<T>(node: T): T {
  return JSON.parse(JSON.stringify(node, (k, v: unknown) => (k === "span" ? undefined : v))) as T;
}

/** Every field an expression reads, in order of appearance (duplicates kept once). */
export function fieldsOf(expr: EqlExpr, out: EqlField[] = []): EqlField[] {
  const walk = (e: EqlExpr): void => {
    switch (e.kind) {
      case "literal":
        return;
      case "field":
        if (!out.some((f) => f.name === e.name && f.optional === e.optional)) out.push(e);
        return;
      case "and":
      case "or":
      case "compare":
      case "arith":
        walk(e.left);
        walk(e.right);
        return;
      case "not":
      case "neg":
        walk(e.expr);
        return;
      case "match":
        walk(e.value);
        return;
      case "in":
        walk(e.value);
        e.items.forEach(walk);
        return;
      case "call":
        e.args.forEach(walk);
        return;
      default:
        assertNever(e);
    }
  };
  walk(expr);
  return out;
}

/** The event filters of a statement in stage order (sequence `until` last). */
export function filtersOf(st: EqlStatement): EqlEventFilter[] {
  switch (st.kind) {
    case "event":
      return [st.filter];
    case "sequence":
      return [...st.stages.map((s) => s.filter), ...(st.until ? [st.until.filter] : [])];
    case "sample":
      return st.stages.map((s) => s.filter);
    default:
      return assertNever(st);
  }
}
