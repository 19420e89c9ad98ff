// `exists(field)` → `{exists:{field}}` (docs/kql.md §5 "exists"). The parser never builds this
// node (field:* is an `is`); it exists for programmatic ASTs.
import { KqlDslError } from "./fields.js";
import type { DslExistsNode } from "./node.js";
import type { DslContext, DslQuery, IndexPattern } from "./types.js";

export function existsToDsl(node: DslExistsNode, indexPattern: IndexPattern | undefined, context: DslContext): DslQuery {
  const [fieldArg] = node.arguments;
  const path = context.nested?.path;
  const name = path !== undefined ? `${path}.${String(fieldArg.value)}` : String(fieldArg.value);
  const field = indexPattern?.fields.find((f) => f.name === name);
  if (field?.scripted === true) throw new KqlDslError("Exists query does not support scripted fields");
  return { exists: { field: name } };
}
