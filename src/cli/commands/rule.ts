// `tern rule show <file>` (issue 2 "CLI"): the rule(s) of a file in a readable form (rules/show.ts), or
// the normalized model with --json. Problems go to stderr; exit 1 when a rule is invalid, 2 when the
// file cannot be read.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { ExitError, renderDiagnostics, useColor } from "../../diag/index.js";
import { loadRuleFile } from "../../rules/load.js";
import { formatRule } from "../../rules/show.js";
import { displayPaths } from "./validate.js";

export function register(program: Command, ctx: CliContext): void {
  const rule = program.command("rule").description("Inspect detection rules.");
  rule
    .command("show")
    .description("Show a rule: identity, schedule, index, new terms, risk, MITRE ATT&CK and the query.")
    .argument("<file>", "a rule file (.toml) or a Kibana export (.ndjson)")
    .option("--json", "print the normalized rule model")
    .option("--verbose", "show the source line and a caret under each problem")
    .action((file: string, opts: { json?: boolean; verbose?: boolean }) => {
      const abs = resolve(ctx.cwd, file);
      if (!existsSync(abs)) {
        ctx.stderr.write(`tern rule show: no such file or directory: ${file}; check the rule path\n`);
        throw new ExitError(2);
      }
      const result = loadRuleFile(abs);
      const { diagnostics, sources, show } = displayPaths(result, [file], ctx.cwd);
      const problems = diagnostics.filter((d) => d.code !== "RULE012");
      if (problems.length > 0) {
        const snippet = opts.verbose === true || Boolean(ctx.stderr.isTTY);
        ctx.stderr.write(`${renderDiagnostics(problems, { sources, snippet, color: useColor(ctx.stderr) })}\n`);
      }
      const shown = result.rules.filter((r) => r.rule.rule_id !== "" || r.status !== "invalid");
      if (opts.json === true) {
        const models = shown.map((r) => ({ ...r.rule, origin: { ...r.rule.origin, path: show(r.rule.origin.path) } }));
        ctx.stdout.write(`${JSON.stringify(models.length === 1 ? models[0] : models, null, 2)}\n`);
      } else if (shown.length > 0) {
        ctx.stdout.write(`${shown.map((r) => formatRule(r.rule, { status: r.status, ...(r.reason !== undefined ? { reason: r.reason } : {}) })).join("\n\n")}\n`);
      }
      if (result.rules.length === 0 && result.diagnostics.some((d) => d.code === "TOML003")) throw new ExitError(2);
      ctx.exitCode = result.rules.some((r) => r.status === "invalid") ? 1 : 0;
    });
}
