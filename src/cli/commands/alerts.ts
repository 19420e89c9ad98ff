// `tern alerts list [--rule <name|rule_id|uuid>] [--format table|json|ndjson|csv] [--building-blocks]`: the
// alerts stored in the SQLite memory, oldest event first. The table names each rule and colours severities on
// a terminal; json is one array of the alert documents, ndjson (or --json) one document a line, csv the
// table's columns. Building-block alerts are left out unless asked for, as Kibana's alerts table leaves them
// out.

import type { Command } from "commander";
import { Option } from "commander";
import type { CliContext } from "../context.js";
import { DEFAULT_STATE } from "./run.js";
import { openExisting } from "./state.js";
import { positiveInteger } from "../options.js";
import { useColor } from "../../diag/render.js";
import type { AlertRow } from "../../state/index.js";
import { ExitError } from "../../diag/index.js";
import type { SqliteStore } from "../../state/sqlite.js";
import type { EventDoc } from "../../event/types.js";
import { alertEvent } from "../../engine/alert.js";
import { parseKql } from "../../lang/kql/index.js";
import { explainKql, renderExplanation, type KqlExplanation } from "../../compile/predicate/index.js";
import { parseEql } from "../../lang/eql/parser.js";
import { explainEqlResult } from "../../compile/eql/explain.js";
import { ecsEqlMapping } from "../../compile/eql/mapping.js";

const FORMATS = ["table", "json", "ndjson", "csv"] as const;
type Format = (typeof FORMATS)[number];

const COLUMNS = ["TIME", "RULE", "SEVERITY", "HOST", "PROCESS", "FILE", "NEW TERMS"];

/** Kibana's severity colours, as near as a terminal's basic palette comes. */
const SEVERITY_SGR: Readonly<Record<string, string>> = { low: "\x1b[32m", medium: "\x1b[33m", high: "\x1b[38;5;208m", critical: "\x1b[31m" };

function cells(r: AlertRow): string[] {
  return [
    r.eventTime === null ? "-" : new Date(r.eventTime).toISOString(),
    r.ruleName,
    r.severity,
    r.host ?? "-",
    r.process ?? "-",
    r.file ?? "-",
    r.newTerms === null ? "-" : (JSON.parse(r.newTerms) as unknown[]).map(String).join(", "),
  ];
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function table(rows: readonly AlertRow[], color: boolean): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (row: readonly string[], severity?: string) =>
    row
      .map((c, i) => {
        const text = i === row.length - 1 ? c : c.padEnd(widths[i]);
        const sgr = i === 2 && severity !== undefined && color ? SEVERITY_SGR[severity] : undefined;
        return sgr === undefined ? text : `${sgr}${c}\x1b[0m${text.slice(c.length)}`;
      })
      .join("  ");
  return [line(COLUMNS), ...body.map((row, k) => line(row, rows[k].severity))].join("\n") + "\n";
}

/**
 * `tern alerts show <id>`: one alert and why it fired — its rule, the event (or a sequence's events, from
 * its building blocks), the KQL query's clauses each with whether it held on that event, and for a
 * new_terms alert the history the memory holds of its terms.
 */
function show(store: SqliteStore, id: string): Record<string, unknown> | undefined {
  const text = store.alertDoc(id);
  if (text === undefined) return undefined;
  const doc = JSON.parse(text) as Record<string, unknown>;
  const params = (doc["kibana.alert.rule.parameters"] ?? {}) as { query?: string; language?: string; new_terms_fields?: string[]; event_category_override?: string };
  const ruleId = String(doc["kibana.alert.rule.rule_id"] ?? "");
  const out: Record<string, unknown> = {
    id,
    rule: { rule_id: ruleId, name: doc["kibana.alert.rule.name"], type: doc["kibana.alert.rule.type"], severity: doc["kibana.alert.severity"], query: params.query, language: params.language },
    reason: doc["kibana.alert.reason"],
  };
  const blocks = store.groupAlertDocs(id).map((b) => JSON.parse(b) as Record<string, unknown>);
  const events = blocks.length > 0 ? blocks.map(alertEvent) : [alertEvent(doc)];
  out.events = events;
  const language = params.language ?? (doc["kibana.alert.rule.type"] === "eql" ? "eql" : "kuery");
  if (typeof params.query === "string") {
    try {
      if (language === "kuery") {
        const ast = parseKql(params.query);
        out.query = events.map((e) => explainKql(ast, e));
      } else if (language === "eql") {
        // a sequence's building block shown alone answered the stage its group index names
        const at = blocks.length === 0 && typeof doc["kibana.alert.group.index"] === "number" ? doc["kibana.alert.group.index"] : 0;
        out.query = explainEqlResult(parseEql(params.query), events, { mapping: ecsEqlMapping, categoryField: params.event_category_override }, at);
      }
    } catch {
      // a query that no longer parses (the alert came from elsewhere): shown without clauses
    }
  }
  const terms = doc["kibana.alert.new_terms"];
  if (Array.isArray(terms) && Array.isArray(params.new_terms_fields)) {
    const row = store.getTerm(ruleId, JSON.stringify(params.new_terms_fields), JSON.stringify(terms));
    out.new_terms = { fields: params.new_terms_fields, terms, history: row === undefined ? null : { first_seen: new Date(row.first).toISOString(), last_seen: new Date(row.last).toISOString(), count: row.count } };
  }
  return out;
}

function renderShow(s: Record<string, unknown>): string {
  const rule = s.rule as Record<string, unknown>;
  const lines = [`alert ${String(s.id)}`, `rule:   ${String(rule.name)} (${String(rule.rule_id)}, ${String(rule.type)}, ${String(rule.severity)})`, `reason: ${String(s.reason)}`];
  const nt = s.new_terms as { fields: string[]; terms: unknown[]; history: { first_seen: string; last_seen: string; count: number } | null } | undefined;
  if (nt !== undefined) {
    lines.push(`new terms: ${nt.fields.map((f, i) => `${f}=${JSON.stringify(nt.terms[i])}`).join(", ")}`);
    lines.push(nt.history === null ? "  history: none in the memory" : `  history: first seen ${nt.history.first_seen}, last seen ${nt.history.last_seen}, ${nt.history.count} time${nt.history.count === 1 ? "" : "s"}`);
  }
  const events = s.events as EventDoc[];
  const query = s.query as (KqlExplanation | null)[] | undefined;
  events.forEach((e, i) => {
    lines.push(events.length > 1 ? `event ${i + 1} of ${events.length}:` : "event:", `  ${JSON.stringify(e)}`);
    const q = query?.[i];
    if (q !== undefined && q !== null) lines.push(events.length > 1 && String(rule.type) === "eql" ? `stage ${i + 1}, clause by clause:` : "query, clause by clause:", renderExplanation(q, 1).trimEnd());
  });
  return lines.join("\n") + "\n";
}

export function register(program: Command, ctx: CliContext): void {
  const alerts = program.command("alerts").description("Alerts stored in the SQLite memory.");
  alerts
    .command("show")
    .description("One alert and why it fired: the rule, the event(s), the query's clauses that held, a new term's history.")
    .argument("<id>", "the alert's kibana.alert.uuid")
    .option("--state <path>", "SQLite memory", DEFAULT_STATE)
    .option("--json", "JSON output")
    .action((id: string, opts: { state: string; json?: boolean }) => {
      const store = openExisting(opts.state, ctx, "alerts");
      try {
        const s = show(store, id);
        if (s === undefined) {
          ctx.stderr.write(`tern alerts: no alert ${id} in ${opts.state}; tern alerts list shows them\n`);
          throw new ExitError(2);
        }
        ctx.stdout.write(opts.json === true ? JSON.stringify(s) + "\n" : renderShow(s));
      } finally {
        store.close();
      }
    });
  alerts
    .command("list")
    .description("List stored alerts, oldest event first.")
    .option("--rule <rule>", "only this rule: its name, rule_id or uuid")
    .option("--state <path>", "SQLite memory", DEFAULT_STATE)
    .option("--limit <n>", "at most this many", positiveInteger, 10000)
    .addOption(new Option("--format <format>", "table, json (one array), ndjson (one document a line) or csv").choices(FORMATS).default("table"))
    .option("--json", "the alert documents, one a line (the same as --format ndjson)")
    .option("--building-blocks", "include building-block alerts (hidden by default, as in Kibana's alerts table)")
    .action((opts: { rule?: string; state: string; limit: number; format: Format; json?: boolean; buildingBlocks?: boolean }) => {
      const store = openExisting(opts.state, ctx, "alerts");
      try {
        let ruleIds: string[] | undefined;
        if (opts.rule !== undefined) {
          ruleIds = store.resolveRule(opts.rule);
          if (ruleIds.length === 0) {
            ctx.stderr.write(`tern alerts: no rule named or with the rule_id or uuid "${opts.rule}" in ${opts.state}; tern state stats lists its rules\n`);
            throw new ExitError(2);
          }
        }
        const all = opts.buildingBlocks === true;
        const rows = store.listAlerts(ruleIds, opts.limit, { buildingBlocks: all });
        const hidden = all ? 0 : store.countBuildingBlockAlerts(ruleIds);
        if (hidden > 0) ctx.stderr.write(`tern alerts: ${hidden} building-block alert${hidden === 1 ? "" : "s"} not shown (--building-blocks shows them)\n`);
        const format: Format = opts.json === true ? "ndjson" : opts.format;
        switch (format) {
          case "ndjson":
            for (const r of rows) ctx.stdout.write(r.doc + "\n");
            return;
          case "json":
            ctx.stdout.write(`[${rows.map((r) => r.doc).join(",\n")}]\n`);
            return;
          case "csv":
            ctx.stdout.write([COLUMNS, ...rows.map(cells)].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n");
            return;
          case "table":
            ctx.stdout.write(table(rows, useColor(ctx.stdout)));
            return;
        }
      } finally {
        store.close();
      }
    });
}
