// `tern state stats|terms <rule>|prune` (issue 4 "Memory"): inspect and maintain the SQLite memory.
// Every listing has --json. Exit 0; 2 when the state file does not exist.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { ExitError } from "../../diag/index.js";
import { parseDateMath } from "../../util/datemath.js";
import { SqliteStore } from "../../state/sqlite.js";
import { DEFAULT_STATE } from "./run.js";
import { positiveInteger } from "../options.js";

/** Opens a state file that must already exist (`:memory:` aside); a missing one is an input error (exit 2). */
export function openExisting(path: string, ctx: CliContext, verb = "state", writer = false): SqliteStore {
  const p = path === ":memory:" ? path : resolve(ctx.cwd, path);
  if (p !== ":memory:" && !existsSync(p)) {
    ctx.stderr.write(`tern ${verb}: no state at ${p}; give the --state your run used (tern run writes one)\n`);
    throw new ExitError(2);
  }
  return SqliteStore.open(p, { writer });
}

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

export function register(program: Command, ctx: CliContext): void {
  const state = program.command("state").description("Inspect and maintain the SQLite memory.");
  state
    .command("stats")
    .description("Size and per-rule counts of terms, alerts and executions.")
    .option("--state <path>", "SQLite memory", DEFAULT_STATE)
    .option("--json", "JSON output")
    .action((opts: { state: string; json?: boolean }) => {
      const store = openExisting(opts.state, ctx);
      try {
        const s = store.stats();
        if (opts.json === true) {
          ctx.stdout.write(JSON.stringify(s) + "\n");
          return;
        }
        const lines = [
          `state: ${s.path} (${s.bytes} bytes)`,
          `terms: ${s.terms}  alerts: ${s.alerts}  executions: ${s.executions}  checkpoints: ${s.checkpoints}`,
          "RULE\tTERMS\tALERTS\tEXECUTIONS\tLAST EXECUTION",
          ...s.rules.map((r) => `${r.ruleId}\t${r.terms}\t${r.alerts}\t${r.executions}\t${iso(r.lastStartedAt)}`),
        ];
        ctx.stdout.write(lines.join("\n") + "\n");
      } finally {
        store.close();
      }
    });
  state
    .command("terms")
    .description("Term combinations a rule has seen: first seen, last seen, count.")
    .argument("<rule>", "rule_id")
    .option("--state <path>", "SQLite memory", DEFAULT_STATE)
    .option("--limit <n>", "at most this many rows", positiveInteger, 1000)
    .option("--json", "JSON output (one object a line)")
    .action((ruleId: string, opts: { state: string; limit: number; json?: boolean }) => {
      const store = openExisting(opts.state, ctx);
      try {
        const rows = store.listTerms(ruleId, opts.limit);
        if (opts.json === true) {
          for (const r of rows) ctx.stdout.write(JSON.stringify({ fields: JSON.parse(r.fields) as unknown, terms: JSON.parse(r.key) as unknown, first_seen: iso(r.first), last_seen: iso(r.last), count: r.count }) + "\n");
          return;
        }
        const lines = ["FIRST SEEN\tLAST SEEN\tCOUNT\tTERMS", ...rows.map((r) => `${iso(r.first)}\t${iso(r.last)}\t${r.count}\t${r.key}`)];
        ctx.stdout.write(lines.join("\n") + "\n");
      } finally {
        store.close();
      }
    });
  state
    .command("prune")
    .description("Delete terms last seen before a time (default: each rule's --history window before its newest term).")
    .option("--state <path>", "SQLite memory", DEFAULT_STATE)
    .option("--before <time>", "delete terms last seen before this time (ISO or date math)")
    .option("--history <datemath>", "window kept relative to each rule's newest sighting", "now-30d")
    .option("--json", "JSON output")
    .action((opts: { state: string; before?: string; history: string; json?: boolean }) => {
      // Bad date math is a usage error, found before the state is opened.
      for (const [flag, v, now] of [["--before", opts.before, Date.now()], ["--history", opts.history, 0]] as const) {
        if (v === undefined) continue;
        try {
          parseDateMath(v, now);
        } catch (e) {
          ctx.stderr.write(`tern state prune: ${flag}: ${e instanceof Error ? e.message : String(e)}\n`);
          throw new ExitError(2);
        }
      }
      const store = openExisting(opts.state, ctx, "state", true);
      try {
        const out: { rule_id: string; before: string; deleted: number }[] = [];
        store.transaction(() => {
          for (const r of store.termRules()) {
            const before = opts.before !== undefined ? parseDateMath(opts.before, Date.now()) : parseDateMath(opts.history, r.newest);
            out.push({ rule_id: r.ruleId, before: iso(before), deleted: store.pruneTerms(r.ruleId, before) });
          }
        });
        if (opts.json === true) ctx.stdout.write(JSON.stringify(out) + "\n");
        else ctx.stdout.write(out.map((r) => `${r.rule_id}: ${r.deleted} terms deleted (last seen before ${r.before})`).join("\n") + (out.length > 0 ? "\n" : ""));
      } finally {
        store.close();
      }
    });
}
