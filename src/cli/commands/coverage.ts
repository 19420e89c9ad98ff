// `tern coverage <rules…> --format auditd|sysmon-linux|ecs [--events <sample>…] [--json]`: for each rule,
// whether the events of that source can make it fire (sources/coverage.ts: its index patterns select them,
// every field it needs is written, its event.category/type/action values are among those written), and
// what it needs otherwise. Without --events, auditd and sysmon-linux are judged by what tern's mapping
// writes (docs/sources-mapping.md); with --events, by what the sample's events hold (for ecs, required).
// Exit 0; 2 on usage errors.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import type { CliContext } from "../context.js";
import { ExitError } from "../../diag/index.js";
import { loadRules } from "../../rules/load.js";
import { addRuleSelection, applyRuleSelection, type RuleSelectionOptions } from "../rule-selection.js";
import { parseKql } from "../../lang/kql/index.js";
import { parseEql } from "../../lang/eql/index.js";
import { normalizeEcsEvent } from "../../sources/ecs-normalize/index.js";
import { FORMAT_CAPABILITIES, VOCABULARY_FIELDS, coverageOf, eqlStatementBlockers, kqlBlockers, type Blockers, type CoverageVerdict, type SourceCapabilities } from "../../sources/coverage.js";
import type { EventDoc } from "../../event/types.js";
import { displayPaths } from "./validate.js";
import { CONVERT_FORMATS, openSourceFor, type ConvertFormat } from "./convert.js";

interface CoverageOptions {
  format: ConvertFormat;
  events?: string[];
  json?: boolean;
}

/** Leaf field paths of a document (objects inside arrays included) and its vocabulary values. */
function collect(doc: unknown, prefix: string, fields: Set<string>, values: Map<string, Set<string>>): void {
  if (Array.isArray(doc)) {
    for (const d of doc) collect(d, prefix, fields, values);
    return;
  }
  if (typeof doc === "object" && doc !== null) {
    for (const [k, v] of Object.entries(doc)) collect(v, prefix === "" ? k : `${prefix}.${k}`, fields, values);
    return;
  }
  if (doc === null || prefix === "") return;
  fields.add(prefix);
  if ((VOCABULARY_FIELDS as readonly string[]).includes(prefix)) {
    let s = values.get(prefix);
    if (s === undefined) values.set(prefix, (s = new Set()));
    s.add(String(doc).toLowerCase());
  }
}

async function sampleCapabilities(format: ConvertFormat, inputs: readonly string[], ctx: CliContext): Promise<{ caps: SourceCapabilities; events: number }> {
  const fields = new Set<string>();
  const values = new Map<string, Set<string>>();
  const indices = new Set<string>();
  let events = 0;
  const source = openSourceFor(format, inputs, { onBadLine: () => undefined }, { stdin: ctx.stdin });
  for await (const batch of source.batches()) {
    for (const e of batch) {
      events++;
      indices.add(e._index);
      collect(format === "ecs" ? normalizeEcsEvent(e._source) : (e._source as EventDoc), "", fields, values);
    }
  }
  return { caps: { fields, values, indices: [...indices] }, events };
}

function blockersOf(rule: { language?: string; query?: string; event_category_override?: string }, caps: SourceCapabilities): Blockers | undefined {
  if (rule.language === "eql") return eqlStatementBlockers(parseEql(rule.query ?? ""), caps, rule.event_category_override);
  return kqlBlockers(parseKql(rule.query ?? ""), caps);
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("coverage")
    .description("Say, for each rule, whether a source's events can make it fire, and what it needs otherwise.")
    .argument("<rules...>", "rule files or directories")
    .addOption(new Option("--format <format>", "the source").choices([...CONVERT_FORMATS]).makeOptionMandatory())
    .option("--events <files...>", "judge by the fields and values these events hold (required for ecs)")
    .option("--json", "print the verdicts as JSON");
  addRuleSelection(cmd).action(async (paths: string[], opts: CoverageOptions & RuleSelectionOptions) => {
    const missing = paths.filter((p) => !existsSync(resolve(ctx.cwd, p)));
    if (missing.length > 0) {
      for (const m of missing) ctx.stderr.write(`tern coverage: no such file or directory: ${m}; check the rule path\n`);
      throw new ExitError(2);
    }
    if (opts.format === "ecs" && opts.events === undefined) {
      ctx.stderr.write("tern coverage: --format ecs needs --events <sample>: ECS data holds whatever its producer wrote\n");
      throw new ExitError(2);
    }
    let caps: SourceCapabilities;
    let basis: string;
    if (opts.events !== undefined) {
      const sample = await sampleCapabilities(opts.format, opts.events, ctx);
      caps = sample.caps;
      basis = `the ${sample.events} events of ${opts.events.join(", ")}`;
    } else {
      caps = FORMAT_CAPABILITIES[opts.format as "auditd" | "sysmon-linux"];
      basis = `what tern writes for --format ${opts.format}`;
    }
    const result = applyRuleSelection(ctx, "coverage", loadRules(paths.map((p) => resolve(ctx.cwd, p))), opts);
    const { show } = displayPaths(result, paths, ctx.cwd);
    const rows: { path: string; rule_id: string; name: string; verdict: CoverageVerdict | { canFire: false; reason: string; missingFields: [] }; runnable: boolean }[] = [];
    for (const r of result.rules) {
      const base = { path: show(r.rule.origin.path), rule_id: r.rule.rule_id, name: r.rule.name };
      if (r.status !== "valid") {
        rows.push({ ...base, runnable: false, verdict: { canFire: false, reason: r.status === "invalid" ? "invalid rule" : `not runnable: ${r.reason ?? r.rule.type}`, missingFields: [] } });
        continue;
      }
      rows.push({ ...base, runnable: true, verdict: coverageOf(r.rule.index, caps, blockersOf(r.rule, caps)) });
    }
    const runnable = rows.filter((r) => r.runnable);
    const can = runnable.filter((r) => r.verdict.canFire).length;
    const byIndex = runnable.filter((r) => !r.verdict.canFire && r.verdict.reason.startsWith("needs an index")).length;
    const needCount = new Map<string, number>();
    for (const r of runnable) if (!r.verdict.canFire) for (const f of r.verdict.missingFields) needCount.set(f, (needCount.get(f) ?? 0) + 1);
    const top = [...needCount].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    const summary = { rules: rows.length, runnable: runnable.length, can_fire: can, cannot_fire: runnable.length - can, cannot_fire_index: byIndex, not_runnable: rows.length - runnable.length };
    if (opts.json === true) {
      const out = {
        basis,
        summary,
        most_needed_fields: top.map(([field, rules]) => ({ field, rules })),
        rules: rows.map((r) => ({ path: r.path, rule_id: r.rule_id, name: r.name, runnable: r.runnable, can_fire: r.verdict.canFire, ...(r.verdict.canFire ? {} : { reason: r.verdict.reason, missing_fields: r.verdict.missingFields }) })),
      };
      ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    let text = `tern coverage: judged by ${basis}\n`;
    for (const r of rows) text += r.verdict.canFire ? `  can fire     ${r.name}\n` : `  cannot fire  ${r.name}: ${r.verdict.reason}\n`;
    text += `${summary.rules} rules: ${can} of ${runnable.length} runnable can fire, ${runnable.length - can} cannot (${byIndex} for their index patterns); ${summary.not_runnable} not runnable\n`;
    if (top.length > 0) text += `most needed fields: ${top.map(([f, n]) => `${f} (${n})`).join(", ")}\n`;
    ctx.stdout.write(text);
  });
}
