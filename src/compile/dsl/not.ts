// `not` → `{bool:{must_not: child}}` with the child as one object, not an array (docs/kql.md §5).
import type { DslNotNode } from "./node.js";
import type { DslQuery, Translate } from "./types.js";

export function notToDsl(node: DslNotNode, translate: Translate): DslQuery {
  return { bool: { must_not: translate(node.arguments[0]) } };
}
