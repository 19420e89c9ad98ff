// TOML-shaped rule document (`{metadata, rule, transform…}`) → the normalized Rule model (model.ts), with
// Kibana's defaults applied (new_terms.md §1.1: from now-6m, to now, interval 5m, max_signals 100, kuery).
// Lenient on purpose: validate.ts has already reported wrong types; here they fall back to defaults.
import type {
  NewTermsParams,
  RiskScoreMapping,
  Rule,
  RuleLanguage,
  RuleOrigin,
  RuleType,
  Severity,
  SeverityMapping,
  Threat,
  ThreatEntry,
  ThreatTechnique,
  ThresholdParams,
} from "./model.js";
import { LANGUAGES, RULE_TYPES, SEVERITIES } from "./schema.js";
import type { Plain, PlainTable } from "./toml/read.js";
import { isTable } from "./validate.js";

/** The [rule] keys the model has a field for; every other key goes to `other`. */
const MODELLED = new Set([
  "rule_id", "name", "description", "type", "language", "query", "index", "data_view_id", "filters", "from", "to", "interval",
  "max_signals", "timestamp_override", "timestamp_override_fallback_disabled", "risk_score", "risk_score_mapping", "severity",
  "severity_mapping", "threat", "tags", "author", "license", "references", "false_positives", "note", "setup",
  "building_block_type", "rule_name_override", "timeline_id", "timeline_title", "event_category_override", "timestamp_field", "tiebreaker_field", "version", "enabled",
  "new_terms", "threshold", "alert_suppression", "investigation_fields", "required_fields", "related_integrations", "exceptions_list",
]);

const str = (v: Plain | undefined): string | undefined => (typeof v === "string" ? v : undefined);
const int = (v: Plain | undefined): number | undefined => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
const bool = (v: Plain | undefined): boolean | undefined => (typeof v === "boolean" ? v : undefined);
const strs = (v: Plain | undefined): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
const tables = (v: Plain | undefined): PlainTable[] => (Array.isArray(v) ? v.filter(isTable) : []);
const oneOf = <T extends string>(v: Plain | undefined, all: readonly T[]): T | undefined =>
  typeof v === "string" && (all as readonly string[]).includes(v) ? (v as T) : undefined;

function entry(t: Plain | undefined): ThreatEntry {
  const x = isTable(t) ? t : {};
  return { id: str(x.id) ?? "", name: str(x.name) ?? "", reference: str(x.reference) ?? "" };
}

function threats(v: Plain | undefined): Threat[] {
  return tables(v).map((t) => {
    const out: { framework: string; tactic: ThreatEntry; technique?: ThreatTechnique[] } = {
      framework: str(t.framework) ?? "",
      tactic: entry(t.tactic),
    };
    if (Array.isArray(t.technique)) {
      out.technique = tables(t.technique).map((tech) => {
        const te: ThreatTechnique = entry(tech);
        return Array.isArray(tech.subtechnique) ? { ...te, subtechnique: tables(tech.subtechnique).map(entry) } : te;
      });
    }
    return out;
  });
}

function newTerms(v: Plain | undefined): NewTermsParams | undefined {
  if (!isTable(v)) return undefined;
  const h = tables(v.history_window_start)[0];
  return { fields: strs(v.value) ?? [], history_window_start: str(h?.value) ?? "" };
}

function threshold(v: Plain | undefined): ThresholdParams | undefined {
  if (!isTable(v)) return undefined;
  const field = typeof v.field === "string" ? (v.field === "" ? [] : [v.field]) : (strs(v.field) ?? []);
  const out: { field: string[]; value: number; cardinality?: { field: string; value: number }[] } = { field, value: int(v.value) ?? 0 };
  if (Array.isArray(v.cardinality)) out.cardinality = tables(v.cardinality).map((c) => ({ field: str(c.field) ?? "", value: int(c.value) ?? 0 }));
  return out;
}

const DEFAULT_LANGUAGE: Readonly<Partial<Record<RuleType, RuleLanguage>>> = {
  query: "kuery",
  new_terms: "kuery",
  threshold: "kuery",
  threat_match: "kuery",
  saved_query: "kuery",
  eql: "eql",
  esql: "esql",
};

/** Builds the model from a TOML-shaped document; `extraRule` keys are Kibana bookkeeping kept in `other`. */
export function toRule(doc: PlainTable, origin: RuleOrigin): Rule {
  const r = isTable(doc.rule) ? doc.rule : {};
  const type = oneOf(r.type, RULE_TYPES) ?? "query";
  const rule: { -readonly [K in keyof Rule]: Rule[K] } = {
    origin,
    metadata: isTable(doc.metadata) ? doc.metadata : {},
    rule_id: str(r.rule_id) ?? "",
    name: str(r.name) ?? "",
    description: str(r.description) ?? "",
    type,
    from: str(r.from) ?? "now-6m",
    to: str(r.to) ?? "now",
    interval: str(r.interval) ?? "5m",
    max_signals: int(r.max_signals) ?? 100,
    risk_score: int(r.risk_score) ?? 0,
    risk_score_mapping: tables(r.risk_score_mapping).map(
      (m): RiskScoreMapping => {
        const rs = int(m.risk_score);
        const base = { field: str(m.field) ?? "", operator: "equals" as const, value: str(m.value) ?? "" };
        return rs === undefined ? base : { ...base, risk_score: rs };
      },
    ),
    severity: oneOf<Severity>(r.severity, SEVERITIES) ?? "low",
    severity_mapping: tables(r.severity_mapping).map(
      (m): SeverityMapping => ({
        field: str(m.field) ?? "",
        operator: "equals",
        value: str(m.value) ?? "",
        severity: oneOf<Severity>(m.severity, SEVERITIES) ?? "low",
      }),
    ),
    threat: threats(r.threat),
    tags: strs(r.tags) ?? [],
    author: strs(r.author) ?? [],
    references: strs(r.references) ?? [],
    false_positives: strs(r.false_positives) ?? [],
    other: {},
    extra_tables: {},
  };
  const language = oneOf<RuleLanguage>(r.language, LANGUAGES) ?? DEFAULT_LANGUAGE[type];
  if (language !== undefined) rule.language = language;
  const optStr = ["query", "data_view_id", "timestamp_override", "license", "note", "setup", "building_block_type", "rule_name_override",
    "timeline_id", "timeline_title", "event_category_override", "timestamp_field", "tiebreaker_field"] as const;
  for (const k of optStr) {
    const v = str(r[k]);
    if (v !== undefined) rule[k] = v;
  }
  const index = strs(r.index);
  if (index) rule.index = index;
  if (Array.isArray(r.filters)) rule.filters = r.filters;
  const tofd = bool(r.timestamp_override_fallback_disabled);
  if (tofd !== undefined) rule.timestamp_override_fallback_disabled = tofd;
  const version = int(r.version);
  if (version !== undefined) rule.version = version;
  const enabled = bool(r.enabled);
  if (enabled !== undefined) rule.enabled = enabled;
  const nt = newTerms(r.new_terms);
  if (nt) rule.new_terms = nt;
  const th = threshold(r.threshold);
  if (th) rule.threshold = th;
  if (isTable(r.alert_suppression)) rule.alert_suppression = r.alert_suppression;
  if (isTable(r.investigation_fields)) rule.investigation_fields = r.investigation_fields;
  if (Array.isArray(r.required_fields)) rule.required_fields = tables(r.required_fields);
  if (Array.isArray(r.related_integrations)) rule.related_integrations = tables(r.related_integrations);
  if (Array.isArray(r.exceptions_list)) rule.exceptions_list = tables(r.exceptions_list);
  const other: Record<string, Plain> = {};
  for (const [k, v] of Object.entries(r)) if (!MODELLED.has(k)) other[k] = v;
  rule.other = other;
  const extra: Record<string, Plain> = {};
  for (const [k, v] of Object.entries(doc)) if (k !== "metadata" && k !== "rule") extra[k] = v;
  rule.extra_tables = extra;
  return rule;
}
