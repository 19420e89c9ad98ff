// `range` (field <, <=, >, >= value) → Elasticsearch query DSL, docs/kql.md §5 "range": one range
// clause per resolved field with the value as written, time_zone on date fields, scripts for
// scripted fields, nested auto-wrap for wildcard names.
import { autoWrapNested, fullFieldNameNode, resolveLeafFields, timeZoneParam } from "./fields.js";
import { valueOf } from "./is.js";
import type { DslRangeNode } from "./node.js";
import { rangeScriptQuery } from "./scripts.js";
import type { DslConfig, DslContext, DslQuery, IndexPattern } from "./types.js";

export function rangeToDsl(
  node: DslRangeNode,
  indexPattern: IndexPattern | undefined,
  config: DslConfig,
  context: DslContext,
): DslQuery {
  const [fieldArg, op, valueArg] = node.arguments;
  const full = fullFieldNameNode(fieldArg, indexPattern, context.nested?.path);
  const value = valueOf(valueArg);
  const should = resolveLeafFields(full, indexPattern).map((field): DslQuery => {
    if (field.scripted === true) return rangeScriptQuery(field, op, value);
    const params: Record<string, unknown> = { [op]: value };
    if (field.type === "date") Object.assign(params, timeZoneParam(config, value));
    return autoWrapNested({ range: { [field.name]: params } }, field, full, config, context);
  });
  return { bool: { should, minimum_should_match: 1 } };
}
