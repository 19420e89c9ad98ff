// Why an EQL event query did or did not match one event: `category where condition` as a tree — the
// category test, then the condition's and/or/not clauses (chains flattened) down to the comparisons —
// each with whether it holds, evaluated by the compiler `eql match` uses (null, EQL's missing value, does
// not hold).

import type { EqlEventFilter, EqlExpr, EqlStatement } from "../../lang/eql/ast.js";
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

/**
 * The filter each event of one result answered: an event query's one filter for every event; a sequence's
 * stages in order, a stage of `with runs=N` N times and a missing (`![ … ]`) stage not at all, since
 * results hold only the events that occurred; a sample's stages in order.
 */
export function resultFilters(stmt: EqlStatement): EqlEventFilter[] {
  if (stmt.kind === "event") return [stmt.filter];
  if (stmt.kind === "sample") return stmt.stages.map((s) => s.filter);
  return stmt.stages.flatMap((s) => (s.missing ? [] : Array.from({ length: s.runs }, () => s.filter)));
}

/**
 * One result's events, each explained against the filter it answered (see `resultFilters`); null past them.
 * `first` is the position of the first given event in the result (a sequence's building block shown alone).
 */
export function explainEqlResult(stmt: EqlStatement, events: readonly EventDoc[], opts: CompileEqlOptions = {}, first = 0): (KqlExplanation | null)[] {
  const filters = resultFilters(stmt);
  return events.map((doc, i) => {
    // an event query's alert has one event; a result longer than its stages (it did not come from this
    // query) has nothing to be explained against past them
    const f = stmt.kind === "event" ? filters[0] : filters[first + i];
    return f === undefined ? null : explainEqlFilter(f, doc, opts);
  });
}
