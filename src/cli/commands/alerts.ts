// `tern alerts list [--rule <id>] [--json] [--building-blocks]`: the alerts stored in the SQLite memory, as a
// table (time, rule, severity, host, process, file, new terms) or, with --json, the alert documents (NDJSON).
// Building-block alerts are left out unless asked for, as Kibana's alerts table leaves them out.

import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { DEFAULT_STATE } from "./run.js";
import { openExisting } from "./state.js";
import { positiveInteger } from "../options.js";

export function register(program: Command, ctx: CliContext): void {
  const alerts = program.command("alerts").description("Alerts stored in the SQLite memory.");
  alerts
    .command("list")
    .description("List stored alerts, oldest event first.")
    .option("--rule <id>", "only this rule_id")
    .option("--state <path>", "SQLite memory", DEFAULT_STATE)
    .option("--limit <n>", "at most this many", positiveInteger, 10000)
    .option("--json", "the alert documents, one a line")
    .option("--building-blocks", "include building-block alerts (hidden by default, as in Kibana's alerts table)")
    .action((opts: { rule?: string; state: string; limit: number; json?: boolean; buildingBlocks?: boolean }) => {
      const store = openExisting(opts.state, ctx, "alerts");
      try {
        const all = opts.buildingBlocks === true;
        const rows = store.listAlerts(opts.rule, opts.limit, { buildingBlocks: all });
        const hidden = all ? 0 : store.countBuildingBlockAlerts(opts.rule);
        if (hidden > 0) ctx.stderr.write(`tern alerts: ${hidden} building-block alert${hidden === 1 ? "" : "s"} not shown (--building-blocks shows them)\n`);
        if (opts.json === true) {
          for (const r of rows) ctx.stdout.write(r.doc + "\n");
          return;
        }
        const table = [["TIME", "RULE", "SEVERITY", "HOST", "PROCESS", "FILE", "NEW TERMS"]];
        for (const r of rows) {
          table.push([
            r.eventTime === null ? "-" : new Date(r.eventTime).toISOString(),
            r.ruleId,
            r.severity,
            r.host ?? "-",
            r.process ?? "-",
            r.file ?? "-",
            r.newTerms === null ? "-" : (JSON.parse(r.newTerms) as unknown[]).map(String).join(", "),
          ]);
        }
        const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
        ctx.stdout.write(table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n") + "\n");
      } finally {
        store.close();
      }
    });
}
