// `tern validate <file|dir>...` (issue 2 "CLI"): loads every rule file (recursively), prints one line per
// problem on stderr (compiler style; snippet on a TTY or with --verbose), then the summary line on stdout.
// --json prints diagnostics and per-rule status. Exit 0 when nothing is invalid, 1 when something is, 2 on
// usage errors (no such path; no arguments is commander's usage error).
import { existsSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { ExitError, SourceFile, renderDiagnostics, useColor, type Diagnostic } from "../../diag/index.js";
import { loadRules, type LoadResult } from "../../rules/load.js";
import { addRuleSelection, applyRuleSelection, type RuleSelectionOptions } from "../rule-selection.js";

/** Paths shown as the user spelled them: a file found under an argument keeps that argument's spelling. */
export function displayPaths(
  result: LoadResult,
  args: readonly string[],
  cwd: string,
): { diagnostics: Diagnostic[]; sources: Map<string, SourceFile>; show: (p: string) => string } {
  const spelled = args.map((a) => ({ abs: resolve(cwd, a), arg: a })).sort((x, y) => y.abs.length - x.abs.length);
  const show = (p: string): string => {
    for (const { abs, arg } of spelled) {
      if (p === abs) return arg;
      if (p.startsWith(abs + sep)) return join(arg, p.slice(abs.length + 1));
    }
    return p;
  };
  const fix = (d: Diagnostic): Diagnostic => ({
    ...d,
    ...(d.span ? { span: { ...d.span, file: show(d.span.file) } } : {}),
    ...(d.notes ? { notes: d.notes.map((n) => (n.span ? { ...n, span: { ...n.span, file: show(n.span.file) } } : n)) } : {}),
  });
  const sources = new Map<string, SourceFile>();
  for (const [p, s] of result.sources) sources.set(show(p), new SourceFile(show(p), s.text));
  return { diagnostics: result.diagnostics.map(fix), sources, show };
}

export function summaryLine(result: LoadResult): { line: string; valid: number; notRunnable: number; invalid: number } {
  let valid = 0;
  let notRunnable = 0;
  let invalid = 0;
  for (const r of result.rules) {
    if (r.status === "valid") valid++;
    else if (r.status === "not-runnable") notRunnable++;
    else invalid++;
  }
  const n = result.rules.length;
  return { line: `${n} rule${n === 1 ? "" : "s"}: ${valid} valid, ${notRunnable} not runnable yet, ${invalid} invalid`, valid, notRunnable, invalid };
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("validate")
    .description("Check detection rule files (TOML, Kibana NDJSON export): one line per problem and a summary.")
    .argument("<paths...>", "rule files or directories (searched recursively for *.toml and *.ndjson)")
    .option("--json", "print diagnostics and per-rule status as JSON")
    .option("--verbose", "show the source line and a caret under each problem");
  addRuleSelection(cmd).action((paths: string[], opts: { json?: boolean; verbose?: boolean } & RuleSelectionOptions) => {
    const abs = paths.map((p) => resolve(ctx.cwd, p));
    const missing = paths.filter((_, i) => !existsSync(abs[i]));
    if (missing.length > 0) {
      for (const m of missing) ctx.stderr.write(`tern validate: no such file or directory: ${m}; check the rule path\n`);
      throw new ExitError(2);
    }
    const result = applyRuleSelection(ctx, "validate", loadRules(abs), opts);
    const { diagnostics, sources, show } = displayPaths(result, paths, ctx.cwd);
    const sum = summaryLine(result);
    if (opts.json === true) {
      const rules = result.rules.map((r) => ({
        path: show(r.rule.origin.path),
        ...(r.rule.origin.line !== undefined ? { line: r.rule.origin.line } : {}),
        rule_id: r.rule.rule_id,
        name: r.rule.name,
        type: r.rule.type,
        ...(r.rule.language !== undefined ? { language: r.rule.language } : {}),
        status: r.status,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        errors: r.diagnostics.filter((d) => d.severity === "error").length,
      }));
      const summary = { rules: result.rules.length, valid: sum.valid, not_runnable: sum.notRunnable, invalid: sum.invalid };
      ctx.stdout.write(`${JSON.stringify({ summary, rules, diagnostics }, null, 2)}\n`);
    } else {
      if (diagnostics.length > 0) {
        const snippet = opts.verbose === true || Boolean(ctx.stderr.isTTY);
        // Without snippets, one line per problem (grep- and editor-friendly); notes and help come with them.
        const shown = snippet ? diagnostics : diagnostics.map(({ notes: _n, help: _h, ...d }) => d);
        ctx.stderr.write(`${renderDiagnostics(shown, { sources, snippet, color: useColor(ctx.stderr) })}\n`);
      }
      ctx.stdout.write(`${sum.line}\n`);
    }
    ctx.exitCode = sum.invalid > 0 || result.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
  });
}
