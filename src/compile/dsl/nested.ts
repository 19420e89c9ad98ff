// `nested` (path:{ query }) → `{nested:{path, query, score_mode:"none"}}` (docs/kql.md §5): the
// path is prefixed by any enclosing nested path, and the child is translated in that context.
import { nestedBody, rawFieldName } from "./fields.js";
import type { DslNestedNode } from "./node.js";
import type { DslConfig, DslContext, DslQuery, TranslateIn } from "./types.js";

export function nestedToDsl(node: DslNestedNode, config: DslConfig, context: DslContext, translate: TranslateIn): DslQuery {
  const [pathArg, child] = node.arguments;
  const own = rawFieldName(pathArg);
  const path = context.nested !== undefined ? `${context.nested.path}.${own}` : own;
  return { nested: nestedBody(path, translate(child, { ...context, nested: { path } }), config) };
}
