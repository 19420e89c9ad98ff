// Field resolution for the DSL translation (docs/kql.md §5 "resolve the fields"): prefixing with
// the nested context, matching literal and wildcard names against an index pattern, the nested
// consistency errors, the unknown-field fallback, the nested auto-wrap and the date time zone.
import { wildcardMatchesName, wildcardToPlain } from "./wildcard.js";
import type { DslValueNode } from "./node.js";
import type { DslConfig, DslContext, DslQuery, IndexPattern, IndexPatternField } from "./types.js";

/** Thrown for a query the index pattern makes untranslatable (Kibana throws a plain Error). */
export class KqlDslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KqlDslError";
  }
}

/** The field node with the enclosing nested path prepended (free text becomes `path.null`). */
export function prefixFieldNode(node: DslValueNode, nestedPath: string | undefined): DslValueNode {
  if (nestedPath === undefined) return node;
  return node.type === "wildcard"
    ? { ...node, value: `${nestedPath}.${node.value}` }
    : { ...node, value: `${nestedPath}.${String(node.value)}` };
}

export function nestedPathOf(field: IndexPatternField): string | undefined {
  return field.subType?.nested?.path;
}

/** Index-pattern fields a (prefixed) field node names: exact for literals, anchored glob for wildcards. */
export function getFields(node: DslValueNode, indexPattern: IndexPattern): IndexPatternField[] {
  if (node.type === "wildcard") return indexPattern.fields.filter((f) => wildcardMatchesName(node, f.name));
  const name = node.value;
  const found = indexPattern.fields.find((f) => f.name === name);
  return found === undefined ? [] : [found];
}

/**
 * Resolves the field node of a leaf and checks it against the nested context. Wildcard names
 * outside a nested group skip the check: the leaf is wrapped per field instead (autoWrapNested).
 */
export function fullFieldNameNode(
  node: DslValueNode,
  indexPattern: IndexPattern | undefined,
  nestedPath: string | undefined,
): DslValueNode {
  const full = prefixFieldNode(node, nestedPath);
  if (indexPattern === undefined || (full.type === "wildcard" && nestedPath === undefined)) return full;
  const errors: string[] = [];
  for (const field of getFields(full, indexPattern)) {
    const fieldPath = nestedPathOf(field);
    if (nestedPath !== undefined && fieldPath === undefined) {
      errors.push(`${field.name} is not a nested field but is in nested group "${nestedPath}" in the KQL expression.`);
    } else if (fieldPath !== undefined && nestedPath === undefined) {
      errors.push(`${field.name} is a nested field, but is not in a nested group in the KQL expression.`);
    } else if (fieldPath !== nestedPath) {
      errors.push(
        `Nested field ${field.name} is being queried with the incorrect nested path. The correct path is ${String(fieldPath)}.`,
      );
    }
  }
  if (errors.length > 0) throw new KqlDslError(errors.join("\n"));
  return full;
}

/** The name a field node sends to Elasticsearch when the index pattern does not know it. */
export function rawFieldName(node: DslValueNode): string {
  return node.type === "wildcard" ? wildcardToPlain(node) : String(node.value);
}

/**
 * The fields a leaf translates to. Unknown names (or no index pattern) pass through as-is, as
 * Kibana does so a dashboard mixing index patterns still queries the field where it exists.
 */
export function resolveLeafFields(full: DslValueNode, indexPattern: IndexPattern | undefined): IndexPatternField[] {
  const fields = indexPattern !== undefined ? getFields(full, indexPattern) : [];
  if (fields.length === 0) fields.push({ name: rawFieldName(full), scripted: false, type: "" });
  return fields;
}

/**
 * A wildcard field name can cover nested and plain fields at once, so outside a nested group
 * each nested field's query is wrapped in its own `nested` query.
 */
export function autoWrapNested(
  query: DslQuery,
  field: IndexPatternField,
  full: DslValueNode,
  config: DslConfig,
  context: DslContext,
): DslQuery {
  const path = nestedPathOf(field);
  if (full.type !== "wildcard" || path === undefined || context.nested !== undefined) return query;
  return { nested: nestedBody(path, query, config) };
}

export function nestedBody(path: string, query: DslQuery, config: DslConfig): Record<string, unknown> {
  const body: Record<string, unknown> = { path, query, score_mode: "none" };
  if (typeof config.nestedIgnoreUnmapped === "boolean") body["ignore_unmapped"] = config.nestedIgnoreUnmapped;
  return body;
}

/** `time_zone` for a date field: none for epoch values (absolute UTC), `Browser` = the host zone. */
export function timeZoneParam(config: DslConfig, value: unknown): Record<string, string> {
  const tz = config.dateFormatTZ;
  if (tz === undefined || tz === "") return {};
  const isEpoch = typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value));
  if (isEpoch) return {};
  return { time_zone: tz === "Browser" ? Intl.DateTimeFormat().resolvedOptions().timeZone : tz };
}

export function isKeywordField(field: IndexPatternField): boolean {
  return field.esTypes !== undefined && field.esTypes.length === 1 && field.esTypes[0] === "keyword";
}
