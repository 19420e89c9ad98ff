// Why an EQL event query did or did not match one event: `category where condition` as a tree — the
// category test, then the condition's and/or/not clauses (chains flattened) down to the comparisons —
// each with whether it holds, evaluated by the compiler `eql match` uses (null, EQL's missing value, does
// not hold).

import type { EqlEventFilter, EqlExpr } from "../../lang/eql/ast.js";
import { toEqlExprText } from "../../lang/eql/print.js";
import type { EventDoc } from "../../event/types.js";
import type { KqlExplanation } from "../predicate/explain.js";
import { compileEqlExpr, compileEqlFilter, type CompileEqlOptions } from "./compile.js";

function operands(e: EqlExpr, kind: "and" | "or"): EqlExpr[] {
  return e.kind === kind ? [...operands(e.left, kind), ...operands(e.right, kind)] : [e];
}

function explainExpr(e: EqlExpr, doc: EventDoc, opts: CompileEqlOptions): KqlExplanation {
  const holds = compileEqlExpr(e, opts)(doc) === true;
  const clauses = e.kind === "and" || e.kind === "or" ? operands(e, e.kind) : e.kind === "not" ? [e.expr] : [];
  return { text: toEqlExprText(e), holds, clauses: clauses.map((c) => explainExpr(c, doc, opts)) };
}

export function explainEqlFilter(filter: EqlEventFilter, doc: EventDoc, opts: CompileEqlOptions = {}): KqlExplanation {
  const where = explainExpr(filter.where, doc, opts);
  const category = filter.category ?? "any";
  const holds = compileEqlFilter(filter, opts)(doc) === true;
  const catHolds = compileEqlFilter({ category: filter.category, where: { kind: "literal", value: true } as EqlExpr }, opts)(doc) === true;
  return { text: `${category} where ${where.text}`, holds, clauses: [{ text: `${opts.categoryField ?? "event.category"} is ${category}`, holds: catHolds, clauses: [] }, where] };
}
