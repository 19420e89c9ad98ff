// The detection-rules TOML schema tern checks against (issue 2 "unknown, missing and mistyped fields"):
// every key the 2,192 corpus files use, with its type, plus the few API keys the model carries
// (required_fields, related_integrations, data_view_id, version). Per-type requirements live in validate.ts.

export type Schema =
  | { readonly kind: "string"; readonly oneOf?: readonly string[] }
  | { readonly kind: "integer"; readonly min?: number; readonly max?: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "array"; readonly of: Schema }
  | { readonly kind: "table"; readonly fields: Readonly<Record<string, Field>>; readonly open?: boolean }
  | { readonly kind: "any" }
  | { readonly kind: "either"; readonly options: readonly Schema[] };

export interface Field {
  readonly schema: Schema;
  readonly required?: boolean;
}

const str: Schema = { kind: "string" };
const int: Schema = { kind: "integer" };
const bool: Schema = { kind: "boolean" };
const strs: Schema = { kind: "array", of: str };
const anyTables: Schema = { kind: "array", of: { kind: "table", fields: {}, open: true } };
const opt = (schema: Schema): Field => ({ schema });
const req = (schema: Schema): Field => ({ schema, required: true });
const table = (fields: Record<string, Field>): Schema => ({ kind: "table", fields });
const tables = (fields: Record<string, Field>): Schema => ({ kind: "array", of: table(fields) });

export const RULE_TYPES = ["query", "new_terms", "threshold", "eql", "esql", "machine_learning", "threat_match", "saved_query"] as const;
export const LANGUAGES = ["kuery", "lucene", "eql", "esql"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;

const entry = { id: req(str), name: req(str), reference: req(str) };

export const THREAT_SCHEMA: Schema = tables({
  framework: req(str),
  tactic: req(table(entry)),
  technique: opt(tables({ ...entry, subtechnique: opt(tables(entry)) })),
});

export const RULE_SCHEMA = table({
  author: req(strs),
  description: req(str),
  name: req(str),
  risk_score: req({ kind: "integer", min: 0, max: 100 }),
  rule_id: req(str),
  severity: req({ kind: "string", oneOf: SEVERITIES }),
  type: req({ kind: "string", oneOf: RULE_TYPES }),
  license: opt(str),
  language: opt({ kind: "string", oneOf: LANGUAGES }),
  query: opt(str),
  index: opt(strs),
  data_view_id: opt(str),
  filters: opt(anyTables),
  from: opt(str),
  to: opt(str),
  interval: opt(str),
  max_signals: opt({ kind: "integer", min: 1 }),
  timestamp_override: opt(str),
  timestamp_override_fallback_disabled: opt(bool),
  tags: opt(strs),
  references: opt(strs),
  false_positives: opt(strs),
  note: opt(str),
  setup: opt(str),
  building_block_type: opt(str),
  rule_name_override: opt(str),
  timeline_id: opt(str),
  timeline_title: opt(str),
  event_category_override: opt(str),
  timestamp_field: opt(str),
  tiebreaker_field: opt(str),
  enabled: opt(bool),
  version: opt(int),
  threat: opt(THREAT_SCHEMA),
  risk_score_mapping: opt(
    tables({ field: req(str), operator: req({ kind: "string", oneOf: ["equals"] }), value: req(str), risk_score: opt(int) }),
  ),
  severity_mapping: opt(
    tables({
      field: req(str),
      operator: req({ kind: "string", oneOf: ["equals"] }),
      value: req(str),
      severity: req({ kind: "string", oneOf: SEVERITIES }),
    }),
  ),
  exceptions_list: opt(tables({ id: req(str), list_id: req(str), namespace_type: req(str), type: req(str) })),
  alert_suppression: opt(
    table({
      group_by: req(strs),
      duration: opt(table({ value: req(int), unit: req({ kind: "string", oneOf: ["s", "m", "h"] }) })),
      missing_fields_strategy: opt({ kind: "string", oneOf: ["suppress", "doNotSuppress"] }),
    }),
  ),
  investigation_fields: opt(table({ field_names: req(strs) })),
  new_terms: opt(
    table({
      field: req(str),
      value: req(strs),
      history_window_start: req(tables({ field: req(str), value: req(str) })),
    }),
  ),
  threshold: opt(
    table({
      field: req({ kind: "either", options: [strs, str] }),
      value: req({ kind: "integer", min: 1 }),
      cardinality: opt(tables({ field: req(str), value: req(int) })),
    }),
  ),
  anomaly_threshold: opt({ kind: "integer", min: 0, max: 100 }),
  machine_learning_job_id: opt({ kind: "either", options: [str, strs] }),
  threat_filters: opt(anyTables),
  threat_index: opt(strs),
  threat_indicator_path: opt(str),
  threat_language: opt({ kind: "string", oneOf: ["kuery", "lucene"] }),
  threat_mapping: opt(tables({ entries: req(tables({ field: req(str), type: req(str), value: req(str) })) })),
  threat_query: opt(str),
  required_fields: opt(anyTables),
  related_integrations: opt(anyTables),
});

export const METADATA_SCHEMA = table({
  creation_date: req(str),
  updated_date: req(str),
  maturity: req({ kind: "string", oneOf: ["production", "development", "experimental", "deprecated"] }),
  integration: opt({ kind: "either", options: [strs, str] }),
  min_stack_version: opt(str),
  min_stack_comments: opt(str),
  deprecation_date: opt(str),
  deprecated_reason: opt(str),
  bypass_bbr_timing: opt(bool),
  promotion: opt(bool),
  query_schema_validation: opt(bool),
});

export const FILE_SCHEMA = table({
  metadata: req(METADATA_SCHEMA),
  rule: req(RULE_SCHEMA),
  transform: opt({ kind: "table", fields: {}, open: true }),
});

/** Table headers a detection-rules file may contain (used to rebuild one-line files); under an open
 * table (`[transform]`, `[[rule.filters]]`) any sub-table is allowed. */
export function knownTablePaths(): { exact: Set<string>; open: Set<string> } {
  const out = new Set<string>();
  const open = new Set<string>();
  const walk = (s: Schema, path: string): void => {
    switch (s.kind) {
      case "table":
        if (path !== "") out.add(path);
        if (s.open === true) open.add(path);
        for (const [k, f] of Object.entries(s.fields)) walk(f.schema, path === "" ? k : `${path}.${k}`);
        return;
      case "array":
        if (s.of.kind === "table") walk(s.of, path);
        return;
      case "either":
        for (const o of s.options) walk(o, path);
        return;
      case "string":
      case "integer":
      case "boolean":
      case "any":
        return;
      default:
        return assertNever(s);
    }
  };
  walk(FILE_SCHEMA, "");
  return { exact: out, open };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
