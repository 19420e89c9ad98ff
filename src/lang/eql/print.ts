// AST -> EQL text. For every tree the parser produces, parseEql(toEqlText(ast)) gives back the same tree
// modulo spans: parentheses follow the grammar's precedence (or < and < not < comparison < + - < * / % <
// sign < primary), strings are escaped, and names that are not plain identifiers are backquoted.

import { KEYWORDS } from "./lexer.js";
import {
  assertNever,
  type EqlEventFilter,
  type EqlExpr,
  type EqlField,
  type EqlLiteral,
  type EqlPipe,
  type EqlStatement,
} from "./ast.js";

export function toEqlText(node: EqlStatement): string {
  const pipes = (ps: readonly EqlPipe[]) => ps.map((p) => ` | ${p.kind} ${p.count}`).join("");
  switch (node.kind) {
    case "event":
      return printFilter(node.filter) + pipes(node.pipes);
    case "sequence": {
      let s = "sequence";
      if (node.by.length > 0) s += ` by ${node.by.map(printField).join(", ")}`;
      if (node.maxspan) s += ` with maxspan=${node.maxspan.value}${node.maxspan.unit}`;
      for (const st of node.stages) {
        s += ` ${st.missing ? "![" : "["}${printFilter(st.filter)}]`;
        if (st.by.length > 0) s += ` by ${st.by.map(printField).join(", ")}`;
        if (st.runs !== 1) s += ` with runs=${st.runs}`;
      }
      if (node.until) {
        s += ` until [${printFilter(node.until.filter)}]`;
        if (node.until.by.length > 0) s += ` by ${node.until.by.map(printField).join(", ")}`;
      }
      return s + pipes(node.pipes);
    }
    case "sample": {
      let s = "sample";
      if (node.by.length > 0) s += ` by ${node.by.map(printField).join(", ")}`;
      for (const st of node.stages) {
        s += ` [${printFilter(st.filter)}]`;
        if (st.by.length > 0) s += ` by ${st.by.map(printField).join(", ")}`;
      }
      return s + pipes(node.pipes);
    }
    default:
      return assertNever(node);
  }
}

const PLAIN_IDENT = /^[A-Za-z_@][A-Za-z0-9_]*$/;

function printFilter(f: EqlEventFilter): string {
  const cat = f.category === null ? "any" : PLAIN_IDENT.test(f.category) && !KEYWORDS.has(f.category) ? f.category : printString(f.category);
  return `${cat} where ${toEqlExprText(f.where)}`;
}

/** A string literal: plain double quotes with escapes (never the raw form, which cannot hold every text). */
export function printString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      default:
        out += ch;
    }
  }
  return out + '"';
}

function printIdent(part: string): string {
  return PLAIN_IDENT.test(part) && !KEYWORDS.has(part) ? part : "`" + part.replace(/`/g, "``") + "`";
}

function printField(f: EqlField): string {
  // A name part with a dot cannot be told apart from two parts; Elasticsearch resolves both the same way.
  return (f.optional ? "?" : "") + f.name.split(".").map(printIdent).join(".");
}

function printLiteral(l: EqlLiteral): string {
  const v = l.value;
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return printString(v);
  if (l.integer === true) return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  // A decimal keeps a fraction or exponent so it re-parses as a decimal.
  const s = String(v);
  return /[.eE]/.test(s) || !Number.isFinite(v) ? s : `${s}.0`;
}

/** Precedence levels, loosest first. */
const enum Prec {
  Or = 1,
  And = 2,
  Not = 3,
  Compare = 4,
  Additive = 5,
  Mult = 6,
  Unary = 7,
  Primary = 8,
}

function precOf(e: EqlExpr): Prec {
  switch (e.kind) {
    case "or":
      return Prec.Or;
    case "and":
      return Prec.And;
    case "not":
      return Prec.Not;
    case "compare":
      return Prec.Compare;
    case "arith":
      return e.op === "+" || e.op === "-" ? Prec.Additive : Prec.Mult;
    case "neg":
      return Prec.Unary;
    case "literal":
      // a negative number prints with its sign, which binds like a unary operator
      return typeof e.value === "number" && (e.value < 0 || Object.is(e.value, -0)) ? Prec.Unary : Prec.Primary;
    case "match":
    case "in":
      // a predicate hangs off a primary and is itself an operand of arithmetic only in parentheses
      return Prec.Unary;
    case "field":
    case "call":
      return Prec.Primary;
    default:
      return assertNever(e);
  }
}

function wrap(e: EqlExpr, min: Prec): string {
  const s = toEqlExprText(e);
  return precOf(e) < min ? `(${s})` : s;
}

export function toEqlExprText(e: EqlExpr): string {
  switch (e.kind) {
    case "literal":
      return printLiteral(e);
    case "field":
      return printField(e);
    case "or":
      return `${wrap(e.left, Prec.Or)} or ${wrap(e.right, Prec.And)}`;
    case "and":
      return `${wrap(e.left, Prec.And)} and ${wrap(e.right, Prec.Not)}`;
    case "not":
      return `not ${wrap(e.expr, Prec.Not)}`;
    case "compare":
      return `${wrap(e.left, Prec.Additive)} ${e.op} ${wrap(e.right, Prec.Additive)}`;
    case "arith": {
      const p = e.op === "+" || e.op === "-" ? Prec.Additive : Prec.Mult;
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, (p + 1) as Prec)}`;
    }
    case "neg":
      // `- -x` would lex fine, but a space keeps `--` from reading like a comment to humans
      return `${e.op}${wrap(e.expr, Prec.Unary).replace(/^([-+])/, " $1")}`;
    case "match": {
      const pats = e.patterns.map(printLiteral);
      const rhs = e.list ? `(${pats.join(", ")})` : pats[0];
      return `${wrap(e.value, Prec.Primary)} ${e.op} ${rhs}`;
    }
    case "in":
      return `${wrap(e.value, Prec.Primary)} ${e.negated ? "not " : ""}${e.insensitive ? "in~" : "in"} (${e.items.map((x) => toEqlExprText(x)).join(", ")})`;
    case "call":
      return `${e.name}${e.insensitive ? "~" : ""}(${e.args.map((x) => toEqlExprText(x)).join(", ")})`;
    default:
      return assertNever(e);
  }
}
