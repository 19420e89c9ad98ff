// `tern report <state> -o report.html`: a backtest report people can look at — one self-contained HTML
// file (report/html.ts) from the alerts and executions a state file holds. Exit 0; 2 for a missing state
// or an output tern will not write.

import { closeSync, fsyncSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { ExitError } from "../../diag/index.js";
import { OutputFileError, openOutputFile, writeFully } from "../../sinks/output-file.js";
import { reportData } from "../../report/data.js";
import { reportHtml } from "../../report/html.js";
import { openExisting } from "./state.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("report")
    .description("Write a backtest report (one self-contained HTML file) from a state file's alerts and executions.")
    .argument("<state>", "the SQLite memory a run wrote (--state)")
    .requiredOption("-o, --output <file>", "the HTML file to write")
    .option("--title <text>", "the page title", "tern backtest report")
    .action((statePath: string, opts: { output: string; title: string }) => {
      const store = openExisting(statePath, ctx, "report");
      let html: string;
      let alerts: number;
      let rules: number;
      try {
        const data = reportData(store, opts.title, new Date());
        alerts = data.alerts.id.length;
        rules = data.rules.length;
        html = reportHtml(data);
      } finally {
        store.close();
      }
      const path = resolve(ctx.cwd, opts.output);
      let out;
      try {
        out = openOutputFile(path, "--output", true);
      } catch (e) {
        if (!(e instanceof OutputFileError)) throw e;
        ctx.stderr.write(`tern report: ${e.message}\n`);
        throw new ExitError(2);
      }
      try {
        writeFully(out.fd, Buffer.from(html, "utf8"), `--output ${path}`, "free space and rerun");
        if (out.regular) fsyncSync(out.fd);
      } finally {
        closeSync(out.fd);
      }
      ctx.stderr.write(`tern report: ${path}: ${alerts.toLocaleString("en")} alert${alerts === 1 ? "" : "s"} of ${rules.toLocaleString("en")} rule${rules === 1 ? "" : "s"}, ${(Buffer.byteLength(html) / 1_048_576).toFixed(1)} MB\n`);
    });
}
