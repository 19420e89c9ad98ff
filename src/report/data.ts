// What `tern report` shows, read from a state file: every alert (without its document, as columns with
// string tables, so 100,000 alerts stay a few megabytes in the page), each rule's metadata (from its first
// alert document, which carries the rule's parameters as Kibana's alerts do), and the executions the
// memory recorded (those whose window held events: tern runs every interval of a span, so there are no
// gaps to show).

import type { SqliteStore } from "../state/sqlite.js";
import { FUNNEL_STEPS, type StoredFunnel } from "../engine/funnel.js";

export interface ReportRule {
  readonly ruleId: string;
  readonly name: string;
  readonly type: string;
  readonly severity: string;
  readonly riskScore: number | null;
  readonly description: string;
  readonly query: string;
  readonly tactics: readonly string[];
  readonly techniques: readonly string[];
  readonly references: readonly string[];
  readonly falsePositives: readonly string[];
  readonly alerts: number;
  readonly executions: number;
  readonly executionsWithAlerts: number;
  readonly duplicates: number;
  readonly warnings: number;
  /** Its funnel in the latest run that ran it; null when no run recorded one (a state from elsewhere). */
  readonly funnel: StoredFunnel | null;
}

/** The page's data. Alerts are columns; `rule`, `host`, `process` and `severity` index the string tables. */
export interface ReportData {
  readonly title: string;
  readonly generatedAt: string;
  readonly rules: readonly ReportRule[];
  /** The funnel table's columns (engine/funnel.ts). */
  readonly funnelSteps: readonly string[];
  readonly strings: readonly string[];
  readonly alerts: {
    readonly id: readonly string[];
    readonly time: readonly number[];
    readonly rule: readonly number[];
    readonly severity: readonly number[];
    readonly host: readonly number[];
    readonly process: readonly number[];
    readonly terms: readonly number[];
    readonly buildingBlock: readonly number[];
  };
  /** Executions per hour (ms of the hour's start → count), alerts per hour, in time order. */
  readonly hours: { readonly t: readonly number[]; readonly executions: readonly number[]; readonly alerts: readonly number[] };
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const HOUR = 3_600_000;

/** Spans longer than this many hours keep only their hours with something in them (the chart bridges the rest). */
const MAX_FILLED_HOURS = 100_000;

/** The hours between the first and the last with nothing in them, as zeros, so the chart shows them as quiet. */
function withEmptyHours(hours: [number, { executions: number; alerts: number }][]): [number, { executions: number; alerts: number }][] {
  if (hours.length < 2) return hours;
  const first = hours[0][0];
  const span = (hours[hours.length - 1][0] - first) / HOUR + 1;
  if (span > MAX_FILLED_HOURS || span === hours.length) return hours;
  const out: [number, { executions: number; alerts: number }][] = [];
  let k = 0;
  for (let h = 0; h < span; h++) {
    const t = first + h * HOUR;
    out.push(hours[k][0] === t ? hours[k++] : [t, { executions: 0, alerts: 0 }]);
  }
  return out;
}

/** The report's data from a state file; `now` dates it. */
export function reportData(store: SqliteStore, title: string, now: Date): ReportData {
  const strings: string[] = [""];
  const index = new Map<string, number>([["", 0]]);
  const intern = (s: string | null): number => {
    if (s === null || s === "") return 0;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const executions = store.allExecutions();
  const docs = store.ruleAlertDocs();
  const alerts = store.alertSummaries();
  const funnels = new Map(store.allFunnels().map((f) => [f.ruleId, f]));
  const ruleIds = [...new Set([...alerts.map((a) => a.ruleId), ...executions.map((e) => e.ruleId), ...funnels.keys()])].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));

  const cols = { id: [] as string[], time: [] as number[], rule: [] as number[], severity: [] as number[], host: [] as number[], process: [] as number[], terms: [] as number[], buildingBlock: [] as number[] };
  const perHour = new Map<number, { executions: number; alerts: number }>();
  const hour = (t: number) => {
    const h = Math.floor(t / HOUR) * HOUR;
    let b = perHour.get(h);
    if (b === undefined) perHour.set(h, (b = { executions: 0, alerts: 0 }));
    return b;
  };
  const alertCount = new Map<string, number>();
  const names = new Map<string, string>();
  for (const a of alerts) {
    const t = a.eventTime ?? a.createdAt;
    cols.id.push(a.id);
    cols.time.push(t);
    cols.rule.push(ruleIndex.get(a.ruleId) ?? 0);
    cols.severity.push(intern(a.severity));
    cols.host.push(intern(a.host));
    cols.process.push(intern(a.process));
    cols.terms.push(intern(a.newTerms === null ? null : (JSON.parse(a.newTerms) as unknown[]).map(String).join(" · ")));
    cols.buildingBlock.push(a.buildingBlock ? 1 : 0);
    hour(t).alerts++;
    alertCount.set(a.ruleId, (alertCount.get(a.ruleId) ?? 0) + 1);
    if (!names.has(a.ruleId)) names.set(a.ruleId, a.ruleName);
  }

  const perRule = new Map<string, { executions: number; withAlerts: number; duplicates: number; warnings: number }>();
  for (const e of executions) {
    const r = perRule.get(e.ruleId) ?? { executions: 0, withAlerts: 0, duplicates: 0, warnings: 0 };
    r.executions++;
    if (e.alerts > 0) r.withAlerts++;
    r.duplicates += e.duplicates;
    if (e.warning !== null) r.warnings++;
    perRule.set(e.ruleId, r);
    hour(e.startedAt).executions++;
  }
  const rules: ReportRule[] = ruleIds.map((ruleId) => {
    const doc = docs.get(ruleId);
    const d = doc === undefined ? {} : (JSON.parse(doc) as Record<string, unknown>);
    const threat = Array.isArray(d["kibana.alert.rule.threat"]) ? (d["kibana.alert.rule.threat"] as { tactic?: { id?: string; name?: string }; technique?: { id?: string; name?: string }[] }[]) : [];
    const r = perRule.get(ruleId) ?? { executions: 0, withAlerts: 0, duplicates: 0, warnings: 0 };
    const f = funnels.get(ruleId);
    return {
      ruleId,
      name: names.get(ruleId) ?? f?.name ?? String(d["kibana.alert.rule.name"] ?? ruleId),
      type: String(d["kibana.alert.rule.type"] ?? f?.type ?? ""),
      severity: String(d["kibana.alert.rule.severity"] ?? ""),
      riskScore: typeof d["kibana.alert.rule.risk_score"] === "number" ? d["kibana.alert.rule.risk_score"] : null,
      description: String(d["kibana.alert.rule.description"] ?? ""),
      query: String((d["kibana.alert.rule.parameters"] as Record<string, unknown> | undefined)?.query ?? ""),
      tactics: threat.flatMap((t) => (t.tactic?.name !== undefined ? [`${t.tactic.id ?? ""} ${t.tactic.name}`.trim()] : [])),
      techniques: threat.flatMap((t) => (t.technique ?? []).map((x) => `${x.id ?? ""} ${x.name ?? ""}`.trim())),
      references: strs(d["kibana.alert.rule.references"]),
      falsePositives: strs(d["kibana.alert.rule.false_positives"]),
      alerts: alertCount.get(ruleId) ?? 0,
      executions: r.executions,
      executionsWithAlerts: r.withAlerts,
      duplicates: r.duplicates,
      warnings: r.warnings,
      funnel: f === undefined ? null : (JSON.parse(f.funnel) as StoredFunnel),
    };
  });
  const hours = withEmptyHours([...perHour.entries()].sort((a, b) => a[0] - b[0]));
  return {
    title,
    generatedAt: now.toISOString(),
    rules,
    funnelSteps: FUNNEL_STEPS,
    strings,
    alerts: cols,
    hours: { t: hours.map(([t]) => t), executions: hours.map(([, b]) => b.executions), alerts: hours.map(([, b]) => b.alerts) },
  };
}
