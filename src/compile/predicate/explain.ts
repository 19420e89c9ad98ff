// Why a KQL query did or did not match one event: the query as a tree of its clauses, each with whether
// it holds on the event, evaluated by the same evaluator `kql match` uses (a `nested` clause is one leaf:
// its inner clauses hold on an element of the array, not on the event).

import type { KqlNode } from "../../lang/kql/ast.js";
import { toKqlText } from "../../lang/kql/print.js";
import type { EventDoc } from "../../event/types.js";
import { evaluateKql } from "./evaluate.js";
import type { KqlEvalOptions } from "./ir.js";

export interface KqlExplanation {
  readonly text: string;
  readonly holds: boolean;
  readonly clauses: readonly KqlExplanation[];
}

export function explainKql(node: KqlNode, event: EventDoc, opts: KqlEvalOptions = {}): KqlExplanation {
  const holds = evaluateKql(node, event, opts);
  const clauses = node.function === "and" || node.function === "or" || node.function === "not" ? (node.arguments as KqlNode[]).map((c) => explainKql(c, event, opts)) : [];
  return { text: toKqlText(node), holds, clauses };
}

/** One line per clause, indented under its parent: `true ` or `false` first, then the clause. */
export function renderExplanation(e: KqlExplanation, depth = 0): string {
  const line = `${"  ".repeat(depth)}${e.holds ? "true " : "false"}  ${e.text}\n`;
  return line + e.clauses.map((c) => renderExplanation(c, depth + 1)).join("");
}
