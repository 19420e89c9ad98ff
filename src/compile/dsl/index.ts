// KQL AST → Elasticsearch Query DSL (docs/kql.md §5), Kibana's `toElasticsearchQuery`: one module
// per node kind, dispatched here by an exhaustive switch on the function name.
import { andToDsl } from "./and.js";
import { existsToDsl } from "./exists.js";
import { KqlDslError } from "./fields.js";
import { isToDsl } from "./is.js";
import { nestedToDsl } from "./nested.js";
import type { DslNode } from "./node.js";
import { notToDsl } from "./not.js";
import { orToDsl } from "./or.js";
import { rangeToDsl } from "./range.js";
import type { DslConfig, DslContext, DslQuery, IndexPattern } from "./types.js";

export { KqlDslError } from "./fields.js";
export type { DslNode } from "./node.js";
export type { DslConfig, DslContext, DslQuery, IndexPattern, IndexPatternField } from "./types.js";
export { toQueryStringQuery } from "./wildcard.js";
export { loadIndexPatternFile, parseIndexPattern } from "./index-pattern-file.js";

function assertNever(x: never): never {
  throw new KqlDslError(`unknown KQL function ${JSON.stringify(x)}`);
}

/**
 * Translates a KQL AST into an Elasticsearch query. Without an index pattern field names pass
 * through as written; with one, names resolve against its fields (types, nested paths, scripts).
 * Throws KqlDslError when the index pattern contradicts the query's nested groups.
 */
export function toElasticsearchQuery(
  ast: DslNode,
  indexPattern?: IndexPattern,
  config: DslConfig = {},
  context: DslContext = {},
): DslQuery {
  if (ast.type !== "function") {
    throw new KqlDslError(`a ${ast.type} node is not a query; translate a function node`);
  }
  const inContext = (child: DslNode, ctx: DslContext): DslQuery => toElasticsearchQuery(child, indexPattern, config, ctx);
  const here = (child: DslNode): DslQuery => inContext(child, context);
  switch (ast.function) {
    case "is":
      return isToDsl(ast, indexPattern, config, context);
    case "range":
      return rangeToDsl(ast, indexPattern, config, context);
    case "exists":
      return existsToDsl(ast, indexPattern, context);
    case "and":
      return andToDsl(ast, config, here);
    case "or":
      return orToDsl(ast, here);
    case "not":
      return notToDsl(ast, here);
    case "nested":
      return nestedToDsl(ast, config, context, inContext);
    default:
      return assertNever(ast);
  }
}
