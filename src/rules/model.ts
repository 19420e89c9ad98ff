// The normalized rule model: one shape for detection-rules TOML and Kibana's rule export (NDJSON).
// Field names follow Kibana's API (snake_case) so `tern rule show --json` reads like an exported rule.
// Only data here: loading is rules/load.ts, validation rules/validate.ts.

export type RuleType = "query" | "new_terms" | "threshold" | "eql" | "esql" | "machine_learning" | "threat_match" | "saved_query";
export type RuleLanguage = "kuery" | "lucene" | "eql" | "esql";
export type Severity = "low" | "medium" | "high" | "critical";

export interface ThreatEntry {
  readonly id: string;
  readonly name: string;
  readonly reference: string;
}
export interface ThreatTechnique extends ThreatEntry {
  readonly subtechnique?: readonly ThreatEntry[];
}
export interface Threat {
  readonly framework: string;
  readonly tactic: ThreatEntry;
  readonly technique?: readonly ThreatTechnique[];
}

export interface NewTermsParams {
  /** `new_terms_fields`: 1–3 unique field names, in the rule's order. */
  readonly fields: readonly string[];
  /** `history_window_start`: datemath relative to each execution's `to`, e.g. "now-7d". */
  readonly history_window_start: string;
}

export interface ThresholdParams {
  readonly field: readonly string[];
  readonly value: number;
  readonly cardinality?: readonly { readonly field: string; readonly value: number }[];
}

export interface RiskScoreMapping {
  readonly field: string;
  readonly operator: "equals";
  readonly value: string;
  readonly risk_score?: number;
}
export interface SeverityMapping {
  readonly field: string;
  readonly operator: "equals";
  readonly value: string;
  readonly severity: Severity;
}

/** Where a rule came from; spans of its fields live in the loader's location index, not here. */
export interface RuleOrigin {
  readonly path: string;
  readonly format: "toml" | "toml-oneline" | "kibana-ndjson";
  /** 1-based line of the rule in an NDJSON export. */
  readonly line?: number;
}

export interface Rule {
  readonly origin: RuleOrigin;
  /** `[metadata]` of a TOML file as written (creation_date, maturity, integration, …); empty for exports. */
  readonly metadata: Readonly<Record<string, unknown>>;

  readonly rule_id: string;
  readonly name: string;
  readonly description: string;
  readonly type: RuleType;
  /** As written, else Kibana's default for the type (kuery for query-like types, eql/esql for those); absent for machine_learning. */
  readonly language?: RuleLanguage;
  readonly query?: string;
  readonly index?: readonly string[];
  readonly data_view_id?: string;
  readonly filters?: readonly unknown[];

  /** Schedule: Kibana defaults applied (from "now-6m", to "now", interval "5m", max_signals 100). */
  readonly from: string;
  readonly to: string;
  readonly interval: string;
  readonly max_signals: number;

  readonly timestamp_override?: string;
  readonly timestamp_override_fallback_disabled?: boolean;

  readonly risk_score: number;
  readonly risk_score_mapping: readonly RiskScoreMapping[];
  readonly severity: Severity;
  readonly severity_mapping: readonly SeverityMapping[];
  readonly threat: readonly Threat[];
  readonly tags: readonly string[];
  readonly author: readonly string[];
  readonly license?: string;
  readonly references: readonly string[];
  readonly false_positives: readonly string[];
  readonly note?: string;
  readonly setup?: string;
  readonly building_block_type?: string;
  readonly rule_name_override?: string;
  readonly timeline_id?: string;
  readonly timeline_title?: string;
  readonly event_category_override?: string;
  /** EQL: the field sequences are ordered by and maxspan measures (Kibana's `timestamp_field`; default @timestamp). */
  readonly timestamp_field?: string;
  /** EQL: orders events with equal timestamps (Kibana's `tiebreaker_field`). */
  readonly tiebreaker_field?: string;
  readonly version?: number;
  readonly enabled?: boolean;

  readonly new_terms?: NewTermsParams;
  readonly threshold?: ThresholdParams;
  readonly alert_suppression?: Readonly<Record<string, unknown>>;
  readonly investigation_fields?: Readonly<Record<string, unknown>>;
  readonly required_fields?: readonly Readonly<Record<string, unknown>>[];
  readonly related_integrations?: readonly Readonly<Record<string, unknown>>[];
  readonly exceptions_list?: readonly Readonly<Record<string, unknown>>[];

  /** Every other `[rule]` key the schema knows (threat_* of indicator-match rules, ML job ids, …), as written. */
  readonly other: Readonly<Record<string, unknown>>;
  /** Top-level tables beside [metadata] and [rule] (e.g. `[transform]`), as written. */
  readonly extra_tables: Readonly<Record<string, unknown>>;
}
