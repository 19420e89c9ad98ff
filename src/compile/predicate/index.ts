// Public surface of the KQL predicate layer (docs/kql.md §7): compileKql (fast closures) and evaluateKql
// (the plain reference interpreter), both over a parsed AST or query text, with the same options.
import { parseKql, type KqlNode } from "../../lang/kql/index.js";
import type { EventDoc } from "../../event/types.js";
import { compileAst } from "./compile.js";
import { evaluateKql as evaluateAst } from "./evaluate.js";
import type { KqlEvalOptions } from "./ir.js";

export type { KqlEvalOptions } from "./ir.js";

/** A compiled KQL query: does this event match? */
export type KqlPredicate = (event: EventDoc) => boolean;

/**
 * Compiles a KQL query (text, or an AST from parseKql) into a predicate over events. Query text that
 * does not parse throws KqlSyntaxError. Unknown fields behave as keyword fields; by default field types
 * come from the ECS/Elastic Defend table, and `fieldTypes` replaces it (e.g. types from an index mapping).
 * @example compileKql('process.name:(bash or sh) and not user.name:root')({ process: { name: "sh" } }) // true
 */
export function compileKql(astOrText: KqlNode | string, opts: KqlEvalOptions = {}): KqlPredicate {
  return compileAst(typeof astOrText === "string" ? parseKql(astOrText) : astOrText, opts);
}

/** The reference interpreter (slow, for differential tests and debugging): same answers as compileKql. */
export function evaluateKql(astOrText: KqlNode | string, event: EventDoc, opts: KqlEvalOptions = {}): boolean {
  return evaluateAst(typeof astOrText === "string" ? parseKql(astOrText) : astOrText, event, opts);
}

export { explainKql, renderExplanation, type KqlExplanation } from "./explain.js";
