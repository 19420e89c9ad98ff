// Human-readable view of a Rule for `tern rule show` (issue 2 "CLI"): identity, schedule with the
// additional look-back (from/to span minus interval, as Kibana's rule form shows it), index, new terms,
// risk, MITRE ATT&CK, and the query reflowed one top-level clause per line (tokens unchanged).
import { DateMathError, parseDateMath, parseDuration } from "../util/datemath.js";
import { normalizeKqlWhitespace } from "./compare.js";
import type { Rule } from "./model.js";

/** Formats milliseconds in the largest whole unit (d, h, m, s), e.g. 240000 → "4m"; else "…ms". */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const a = Math.abs(ms);
  for (const [u, f] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (a >= f && a % f === 0) return `${sign}${a / f}${u}`;
  }
  return `${sign}${a}ms`;
}

/** The look-back beyond the interval: (to − from) − interval, or undefined when the schedule does not parse. */
export function lookbackMs(rule: Pick<Rule, "from" | "to" | "interval">, now = Date.now()): number | undefined {
  try {
    return parseDateMath(rule.to, now) - parseDateMath(rule.from, now) - parseDuration(rule.interval);
  } catch (e) {
    if (e instanceof DateMathError) return undefined;
    throw e;
  }
}

/** Reflows KQL: whitespace runs collapsed outside quotes, a line break before each top-level and/or. */
export function reflowKql(query: string): string[] {
  const q = normalizeKqlWhitespace(query);
  const lines: string[] = [];
  let depth = 0;
  let cur = "";
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (c === '"') {
      let j = i + 1;
      while (j < q.length && q[j] !== '"') j += q[j] === "\\" ? 2 : 1;
      cur += q.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === "\\") {
      cur += q.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "(" || c === "{") depth++;
    if (c === ")" || c === "}") depth = Math.max(0, depth - 1);
    if (depth === 0 && c === " ") {
      const m = /^ (and|or) /i.exec(q.slice(i));
      if (m && cur.trim() !== "") {
        lines.push(cur.trim());
        cur = `${m[1]} `;
        i += m[0].length;
        continue;
      }
    }
    cur += c;
    i++;
  }
  if (cur.trim() !== "") lines.push(cur.trim());
  return lines;
}

export function formatRule(rule: Rule, status?: { status: string; reason?: string }, now = Date.now()): string {
  const out: string[] = [];
  // An empty key continues the row above it.
  const row = (k: string, v: string) => out.push(`${(k === "" ? "" : `${k}:`).padEnd(14)}${v}`);
  row("name", rule.name);
  row("rule_id", rule.rule_id);
  row("type", rule.type);
  row("language", rule.language ?? "-");
  if (status) row("status", status.reason !== undefined ? `${status.status} (${status.reason})` : status.status);
  const lb = lookbackMs(rule, now);
  row("schedule", `every ${rule.interval}, from ${rule.from} to ${rule.to}, lookback ${lb === undefined ? "?" : formatDuration(lb)}`);
  if (rule.timestamp_override !== undefined) row("timestamp", `${rule.timestamp_override}${rule.timestamp_override_fallback_disabled === true ? " (no fallback)" : " (falls back to @timestamp)"}`);
  row("index", rule.index && rule.index.length > 0 ? rule.index.join(", ") : rule.data_view_id !== undefined ? `data view ${rule.data_view_id}` : "-");
  if (rule.new_terms) row("new terms", `${rule.new_terms.fields.join(", ")} (history window ${rule.new_terms.history_window_start})`);
  if (rule.threshold) row("threshold", `${rule.threshold.field.join(", ") || "(all)"} >= ${rule.threshold.value}`);
  row("risk score", String(rule.risk_score) + (rule.risk_score_mapping.length > 0 ? ` (from ${rule.risk_score_mapping[0].field} when it holds 0-100)` : ""));
  row("severity", rule.severity);
  for (const m of rule.severity_mapping) row("", `${m.severity} when ${m.field} is ${JSON.stringify(m.value)}`);
  if (rule.rule_name_override !== undefined) row("alert name", `from ${rule.rule_name_override} when it holds a string`);
  row("max signals", String(rule.max_signals));
  const required = (rule.required_fields ?? []).map((f) => (typeof f.name === "string" ? (typeof f.type === "string" ? `${f.name} (${f.type})` : f.name) : undefined)).filter((x) => x !== undefined);
  if (required.length > 0) row("requires", required.join(", "));
  const shown = rule.investigation_fields?.field_names;
  if (Array.isArray(shown) && shown.length > 0) row("investigate", shown.map(String).join(", "));
  if (rule.tags.length > 0) row("tags", rule.tags.join(", "));
  if (rule.threat.length > 0) {
    out.push("MITRE ATT&CK:");
    for (const t of rule.threat) {
      out.push(`  ${t.tactic.id} ${t.tactic.name}`);
      for (const te of t.technique ?? []) {
        out.push(`    ${te.id} ${te.name}`);
        for (const st of te.subtechnique ?? []) out.push(`      ${st.id} ${st.name}`);
      }
    }
  }
  if (rule.query !== undefined) {
    out.push("query:");
    const lines = rule.language === "kuery" ? reflowKql(rule.query) : rule.query.replace(/\s+$/, "").split(/\r?\n/);
    for (const l of lines) out.push(`  ${l}`);
  }
  return out.join("\n");
}
