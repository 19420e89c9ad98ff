// `tern eql <subcommand>`: EQL tools, as `tern kql` is for KQL.
//   parse        the AST as JSON (docs/eql.md §2); a syntax error prints the message with a caret, exit 2;
//   match        an event query: `true`/`false` per NDJSON event on stdin; a sequence or sample: its results
//                over all of stdin's events, one JSON line each ({"events": [line numbers], "join_keys"});
//   conformance  cases in the format of shared/conformance/eql/cases.json run against their data sets,
//                one line per failure, then `N passed, M failed` (exit 1 when something failed).

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { diagnostic, DiagnosticError, ExitError } from "../../diag/index.js";
import { EqlSyntaxError, parseEql, stripEqlSpans, type EqlStatement } from "../../lang/eql/index.js";
import { compileEqlStatement, EqlCompileError, ecsEqlMapping, type CompiledEql, type EqlMapping } from "../../compile/eql/index.js";
import { eqlSearch } from "../../engine/eql/search.js";
import { combineIndices, loadConformanceIndex, runConformanceCase, type ConformanceCase, type ConformanceIndex } from "../../engine/eql/conformance.js";
import { matchStdin, stdinEvents } from "../stdin-events.js";
import { positiveInteger } from "../options.js";
import { explainEqlFilter } from "../../compile/eql/explain.js";
import { renderExplanation } from "../../compile/predicate/index.js";
import type { EventDoc } from "../../event/types.js";

export function register(program: Command, ctx: CliContext): void {
  const eql = program.command("eql").description("EQL query tools: parse, match events, run Elasticsearch's EQL conformance cases — with Elasticsearch's semantics.");
  registerParse(eql, ctx);
  registerMatch(eql, ctx);
  registerConformance(eql, ctx);
}

/** Parses for a subcommand; a syntax error goes to stderr with exit code 2 and gives undefined. */
function parseForCli(ctx: CliContext, query: string): EqlStatement | undefined {
  try {
    return parseEql(query);
  } catch (e) {
    if (!(e instanceof EqlSyntaxError)) throw e;
    ctx.stderr.write(`error[${e.code}]: ${e.message}\n`);
    ctx.exitCode = 2;
    return undefined;
  }
}

function registerParse(eql: Command, ctx: CliContext): void {
  eql
    .command("parse")
    .description("Print the AST of an EQL query as JSON.")
    .argument("<query>", "the EQL query (quote it for the shell)")
    .option("--spans", "include each node's source span {start, end} (UTF-16 offsets)")
    .action((query: string, opts: { spans?: boolean }) => {
      const ast = parseForCli(ctx, query);
      if (ast === undefined) return;
      ctx.stdout.write(JSON.stringify(opts.spans === true ? ast : stripEqlSpans(ast), null, 2) + "\n");
    });
}

interface MatchCliOptions {
  ecs: boolean;
  categoryField?: string;
  timestampField?: string;
  tiebreakerField?: string;
  size?: number;
}

function compileForCli(ast: EqlStatement, mapping: EqlMapping, categoryField: string | undefined): CompiledEql {
  try {
    return compileEqlStatement(ast, { mapping, categoryField });
  } catch (e) {
    if (e instanceof EqlCompileError) throw new DiagnosticError([diagnostic(e.code, e.message)]);
    throw e;
  }
}

function registerMatch(eql: Command, ctx: CliContext): void {
  eql
    .command("match")
    .description("Run an EQL query on NDJSON events from stdin: true/false per event, or the sequences and samples found.")
    .argument("<query>", "the EQL query (quote it for the shell)")
    .option("--no-ecs", "type every field from its JSON values instead of the ECS/Elastic Defend field types")
    .option("--category-field <field>", "the field `category where` tests (default event.category)")
    .option("--timestamp-field <field>", "sequences: the field events are ordered by (default @timestamp)")
    .option("--tiebreaker-field <field>", "sequences: orders events with equal timestamps")
    .option("--size <n>", "sequences and samples: most results (default 10, as Elasticsearch)", positiveInteger)
    .option("--print", "event queries: print the matching event lines themselves, as grep does (exit 1 when none matched)")
    .option("--explain", "event queries: for each event, the category test and the condition's clauses one per line, each with true or false")
    .action(async (query: string, opts: MatchCliOptions & { print?: boolean; explain?: boolean }) => {
      const ast = parseForCli(ctx, query);
      if (ast === undefined) return;
      const mapping: EqlMapping = opts.ecs ? ecsEqlMapping : (name) => ({ type: "dynamic", path: name });
      const compiled = compileForCli(ast, mapping, opts.categoryField);
      let bad = 0;
      if (compiled.kind === "event") {
        const filter = ast.kind === "event" ? ast.filter : undefined;
        const explain = opts.explain === true && filter !== undefined ? (doc: EventDoc) => renderExplanation(explainEqlFilter(filter, doc, { mapping, categoryField: opts.categoryField })) : undefined;
        const r = await matchStdin(ctx, "EQL010", compiled.stages[0].matches, { print: opts.print, explain });
        bad = r.bad;
        if (bad === 0 && opts.print === true && r.matched === 0) ctx.exitCode = 1;
      } else {
        if (opts.explain === true) {
          ctx.stderr.write("tern eql match: --explain explains event queries; a sequence or sample is found over many events\n");
          ctx.exitCode = 2;
          return;
        }
        const events: { doc: Record<string, unknown>; ref: number }[] = [];
        for await (const ev of stdinEvents(ctx, "EQL010")) {
          if ("bad" in ev) bad++;
          else events.push({ doc: ev.doc, ref: ev.line });
        }
        const res = eqlSearch(compiled, events, { mapping, timestampField: opts.timestampField, tiebreakerField: opts.tiebreakerField, size: opts.size });
        if (res.kind === "sequences") {
          for (const s of res.sequences) ctx.stdout.write(JSON.stringify({ events: s.events, join_keys: s.joinKeys }) + "\n");
        }
      }
      if (bad > 0) ctx.exitCode = 2;
    });
}

function registerConformance(eql: Command, ctx: CliContext): void {
  eql
    .command("conformance")
    .description("Run EQL cases (the format of Elasticsearch's QA suite, shared/conformance/eql/cases.json) against their data sets.")
    .argument("<cases>", "cases.json")
    .option("--data <dir>", "directory of <index>.data and <index>.mapping files (default: data/ beside the cases file)")
    .option("--json", "one JSON object per case, then {passed, failed}, instead of failure lines")
    .action((casesPath: string, opts: { data?: string; json?: boolean }) => {
      const file = resolve(ctx.cwd, casesPath);
      const dataDir = opts.data !== undefined ? resolve(ctx.cwd, opts.data) : join(dirname(file), "data");
      let cases: ConformanceCase[];
      try {
        cases = JSON.parse(readFileSync(file, "utf8")) as ConformanceCase[];
      } catch (e) {
        throw new DiagnosticError([diagnostic("CLI001", `cannot read ${casesPath}: ${e instanceof Error ? e.message : String(e)}`)]);
      }
      if (!Array.isArray(cases)) throw new DiagnosticError([diagnostic("CLI001", `${casesPath} is not a JSON array of cases`)]);
      const loaded = new Map<string, ConformanceIndex>();
      const load = (name: string): ConformanceIndex => {
        let idx = loaded.get(name);
        if (idx === undefined) {
          const read = (ext: string) => {
            try {
              return readFileSync(join(dataDir, `${name}.${ext}`), "utf8");
            } catch (e) {
              throw new DiagnosticError([diagnostic("CLI001", `cannot read data set ${name}.${ext} in ${dataDir}: ${e instanceof Error ? e.message : String(e)}`)]);
            }
          };
          // the endgame data sets carry Windows FILETIME timestamps (HARNESS.md §2)
          idx = loadConformanceIndex(read("data"), read("mapping"), { filetime: name.startsWith("endgame") });
          loaded.set(name, idx);
        }
        return idx;
      };
      let passed = 0;
      let failed = 0;
      for (const c of cases) {
        const outcome = runConformanceCase(c, combineIndices(c.index.split(",").map((n) => load(n.trim()))));
        if (outcome.passed) passed++;
        else failed++;
        if (opts.json === true) ctx.stdout.write(JSON.stringify(outcome) + "\n");
        else if (!outcome.passed) ctx.stdout.write(`FAIL ${c.suite !== undefined ? `${c.suite} ` : ""}${c.name}: ${outcome.message ?? ""}\n`);
      }
      ctx.stdout.write(opts.json === true ? JSON.stringify({ passed, failed }) + "\n" : `${passed} passed, ${failed} failed\n`);
      if (failed > 0) throw new ExitError(1);
    });
}
