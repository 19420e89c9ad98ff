// AST -> KQL text (docs/kql.md §1–§3). For every tree the parser can produce, parseKql(toKqlText(ast))
// gives back the same tree modulo spans: values are escaped against every rule of §1 (special characters,
// keyword look-alikes, the trim, the null/true/false classification) and parentheses keep the and/or
// structure. Trees the grammar cannot express (exists, numbers, unquoted text with edge whitespace) print
// as their closest KQL equivalent; the notes at each case say what changes.

import { KQL_WILDCARD_MARKER, assertNever, type KqlAnyNode, type KqlNode, type KqlValueNode } from "./ast.js";

export function toKqlText(node: KqlAnyNode): string {
  switch (node.type) {
    case "literal":
    case "wildcard":
      return printValue(node);
    case "function":
      return printQuery(node);
    default:
      return assertNever(node);
  }
}

const RANGE_TEXT = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

function printQuery(node: KqlNode): string {
  switch (node.function) {
    case "or":
      return node.arguments.map((c) => (c.function === "or" ? `(${printQuery(c)})` : printQuery(c))).join(" or ");
    case "and":
      return node.arguments
        .map((c) => (c.function === "or" || c.function === "and" ? `(${printQuery(c)})` : printQuery(c)))
        .join(" and ");
    case "not": {
      const c = node.arguments[0];
      const inner = printQuery(c);
      // NOT takes a single sub-query: anything with its own operator needs parentheses.
      return c.function === "or" || c.function === "and" || c.function === "not" ? `not (${inner})` : `not ${inner}`;
    }
    case "is": {
      const [field, value] = node.arguments;
      if (field.type === "literal" && field.value === null) return printValue(value);
      return `${printValue(field)}:${printValue(value)}`;
    }
    case "range": {
      const [field, op, value] = node.arguments;
      return `${printValue(field)} ${RANGE_TEXT[op]} ${printValue(value)}`;
    }
    case "nested":
      return `${printValue(node.arguments[0])}:{ ${printQuery(node.arguments[1])} }`;
    case "exists":
      // The grammar has no exists form; `f:*` is Kibana's equivalent and parses to is(f, *).
      return `${printValue(node.arguments[0])}:*`;
    default:
      return assertNever(node);
  }
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, "\\$&")}"`;
}

function printValue(node: KqlValueNode): string {
  if (node.type === "wildcard") return node.value.split(KQL_WILDCARD_MARKER).map(escapeUnquoted).join("*");
  const v = node.value;
  if (v === null || typeof v === "boolean") return node.isQuoted ? quote(String(v)) : String(v);
  // Numbers never come from the parser; they print as text and parse back as strings.
  const s = String(v);
  if (node.isQuoted) return quote(s);
  // `\t` alone trims to the empty unquoted literal.
  if (s === "") return "\\t";
  // Unquoted text is trimmed and then classified, so these cannot be written unquoted: quote them.
  if (s !== s.trim() || s === "null" || s === "true" || s === "false") return quote(s);
  return escapeUnquoted(s);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

function lowerAt(s: string, i: number): number {
  return s.charCodeAt(i) | 0x20;
}

const ESCAPES: Record<string, string> = { "\t": "\\t", "\r": "\\r", "\n": "\\n" };

/** Escapes one run of unquoted text so that it reads back as exactly these characters. */
function escapeUnquoted(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    const c = s.charCodeAt(i);
    if ('\\():<>"*{}'.includes(ch)) {
      out += `\\${ch}`;
    } else if (ESCAPES[ch] !== undefined) {
      out += ESCAPES[ch];
    } else if (startsKeyword(s, i)) {
      // A \uXXXX escape for the first letter breaks the keyword look-ahead (`\not` would read as `\n`).
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** True where an unquoted value would end: WS "or", WS "and" (whatever follows) and "not" anywhere. */
function startsKeyword(s: string, i: number): boolean {
  const c = lowerAt(s, i);
  const afterSpace = i > 0 && isSpace(s.charCodeAt(i - 1));
  if (c === 0x6f) return afterSpace && lowerAt(s, i + 1) === 0x72;
  if (c === 0x61) return afterSpace && lowerAt(s, i + 1) === 0x6e && lowerAt(s, i + 2) === 0x64;
  if (c === 0x6e) return lowerAt(s, i + 1) === 0x6f && lowerAt(s, i + 2) === 0x74;
  return false;
}
