// `or` → `{bool:{should:[…], minimum_should_match:1}}` (docs/kql.md §5).
import type { DslOrNode } from "./node.js";
import type { DslQuery, Translate } from "./types.js";

export function orToDsl(node: DslOrNode, translate: Translate): DslQuery {
  return { bool: { should: node.arguments.map(translate), minimum_should_match: 1 } };
}
