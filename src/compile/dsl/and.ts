// `and` → `{bool:{filter:[…]}}`, or `must` with config.filtersInMustClause (docs/kql.md §5).
import type { DslAndNode } from "./node.js";
import type { DslConfig, DslQuery, Translate } from "./types.js";

export function andToDsl(node: DslAndNode, config: DslConfig, translate: Translate): DslQuery {
  const children = node.arguments.map(translate);
  return { bool: { [config.filtersInMustClause === true ? "must" : "filter"]: children } };
}
