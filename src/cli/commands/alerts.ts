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

export function register(program: Command, ctx: CliContext): void {
  const alerts = program.command("alerts").description("Alerts stored in the SQLite memory.");
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
