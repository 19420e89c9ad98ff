// `tern kql <subcommand>`: KQL (kuery) tools (issue 3 "Interfaces"). One small function per subcommand:
// `parse` prints the AST (docs/kql.md §3) as JSON. A syntax error prints Kibana's three-line caret message
// (§4) on stderr and exits 2.

import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { compileKql, explainKql, renderExplanation, type KqlEvalOptions } from "../../compile/predicate/index.js";
import type { EventDoc } from "../../event/types.js";
import { matchStdin } from "../stdin-events.js";
import { KqlSyntaxError, parseKql, stripSpans, type KqlNode, type ParseKqlOptions } from "../../lang/kql/index.js";
import { resolve } from "node:path";
import { KqlDslError, toElasticsearchQuery, type DslConfig, type IndexPattern } from "../../compile/dsl/index.js";
import { loadIndexPatternFile } from "../../compile/dsl/index-pattern-file.js";
import { ecsIndexPattern } from "../../ecs/field-types.js";
import { diagnostic, DiagnosticError } from "../../diag/index.js";

export function register(program: Command, ctx: CliContext): void {
  const kql = program.command("kql").description("KQL (kuery) query tools: parse, translate to Elasticsearch DSL, match events — as Kibana does.");
  registerParse(kql, ctx);
  registerMatch(kql, ctx);
  registerDsl(kql, ctx);
}

/**
 * Parses `query` for a subcommand. On a syntax error, writes the caret message to stderr, sets exit code 2
 * and returns undefined; any other error propagates.
 */
export function parseForCli(ctx: CliContext, query: string, opts: ParseKqlOptions = {}): KqlNode | undefined {
  try {
    return parseKql(query, opts);
  } catch (e) {
    if (!(e instanceof KqlSyntaxError)) throw e;
    ctx.stderr.write(`${e.message}\n`);
    ctx.exitCode = 2;
    return undefined;
  }
}

function registerParse(kql: Command, ctx: CliContext): void {
  kql
    .command("parse")
    .description("Print the AST of a KQL query as JSON (Kibana's node vocabulary).")
    .argument("<query>", "the KQL query (quote it for the shell)")
    .option("--spans", "include each node's source span {start, end} (UTF-16 offsets)")
    .option("--no-leading-wildcards", "reject values starting with * (Kibana's query:allowLeadingWildcards off)")
    .action((query: string, opts: { spans?: boolean; leadingWildcards: boolean }) => {
      const ast = parseForCli(ctx, query, { allowLeadingWildcards: opts.leadingWildcards });
      if (ast === undefined) return;
      ctx.stdout.write(JSON.stringify(opts.spans === true ? ast : stripSpans(ast), null, 2) + "\n");
    });
}

interface DslCliOptions {
  indexPattern?: string;
  ecs?: boolean;
  dateFormatTz?: string;
  caseInsensitive?: boolean;
  nestedIgnoreUnmapped?: boolean;
  filtersInMustClause?: boolean;
}

/**
 * `tern kql dsl`: the Elasticsearch query Kibana's toElasticsearchQuery builds (docs/kql.md §5), as
 * 2-space JSON. Field types come from --index-pattern or --ecs; without either, names pass through.
 * A syntax error exits 2 with the caret message; an index-pattern conflict exits 2 with KQL020/KQL021.
 */
function registerDsl(kql: Command, ctx: CliContext): void {
  kql
    .command("dsl")
    .description("Print the Elasticsearch query DSL Kibana builds for a KQL query.")
    .argument("<query>", "the KQL query (quote it for the shell)")
    .option("--index-pattern <file.json>", "field list giving types, nested paths, scripts: {\"fields\": [{\"name\", \"type\", \"esTypes\"?, …}]}")
    .option("--ecs", "use tern's ECS + Elastic Defend field-type table as the index pattern")
    .option("--date-format-tz <zone>", "Kibana's dateFormat:tz: adds time_zone to date ranges (Browser = this host's zone)")
    .option("--case-insensitive", "add case_insensitive: true to keyword term and wildcard queries")
    .option("--nested-ignore-unmapped", "add ignore_unmapped: true to nested queries")
    .option("--filters-in-must-clause", "put and-clauses in bool.must instead of bool.filter")
    .action((query: string, opts: DslCliOptions) => {
      if (opts.indexPattern !== undefined && opts.ecs === true) {
        throw new DiagnosticError([diagnostic("CLI001", "--index-pattern and --ecs cannot be used together")]);
      }
      const ast = parseForCli(ctx, query);
      if (ast === undefined) return;
      let indexPattern: IndexPattern | undefined;
      if (opts.ecs === true) indexPattern = ecsIndexPattern();
      else if (opts.indexPattern !== undefined) indexPattern = loadIndexPatternFile(resolve(ctx.cwd, opts.indexPattern));
      const config: DslConfig = {};
      if (opts.dateFormatTz !== undefined) config.dateFormatTZ = opts.dateFormatTz;
      if (opts.caseInsensitive === true) config.caseInsensitive = true;
      if (opts.nestedIgnoreUnmapped === true) config.nestedIgnoreUnmapped = true;
      if (opts.filtersInMustClause === true) config.filtersInMustClause = true;
      let dsl: Record<string, unknown>;
      try {
        dsl = toElasticsearchQuery(ast, indexPattern, config);
      } catch (e) {
        if (e instanceof KqlDslError) throw new DiagnosticError([diagnostic("KQL020", e.message)]);
        throw e;
      }
      ctx.stdout.write(JSON.stringify(dsl, null, 2) + "\n");
    });
}

interface MatchCliOptions {
  ecs: boolean;
  caseInsensitive?: boolean;
  dateFormatTz?: string;
}

/**
 * `tern kql match <query>`: evaluates the query (docs/kql.md §7) on every NDJSON event read from stdin and
 * prints one line per non-blank input line: `true`, `false`, or `error` for a line that is not a JSON
 * object, whose diagnostic (KQL010, `<stdin>:LINE:1`) goes to stderr. Blank lines print nothing. Exit 0,
 * or 2 after the last line if any line was bad, or 2 at once on a query syntax error.
 */
function registerMatch(kql: Command, ctx: CliContext): void {
  kql
    .command("match")
    .description("Evaluate a KQL query on NDJSON events from stdin; print true or false per line (--print: the matching lines, grep-style).")
    .argument("<query>", "the KQL query (quote it for the shell)")
    .option("--no-ecs", "treat every field as keyword instead of using the ECS/Elastic Defend field types")
    .option("--case-insensitive", "keyword equality and wildcards ignore case")
    .option("--date-format-tz <zone>", "zone for zone-less dates on date fields (UTC, +02:00, Europe/Paris, Browser)")
    .option("--print", "print the matching event lines themselves, as grep does (exit 1 when none matched)")
    .option("--explain", "for each event, the query's clauses one per line, each with true or false: which held")
    .action(async (query: string, opts: MatchCliOptions & { print?: boolean; explain?: boolean }) => {
      const ast = parseForCli(ctx, query);
      if (ast === undefined) return;
      const evalOpts: KqlEvalOptions = { caseInsensitive: opts.caseInsensitive === true };
      if (!opts.ecs) evalOpts.fieldTypes = () => undefined;
      if (opts.dateFormatTz !== undefined) evalOpts.dateFormatTZ = opts.dateFormatTz;
      const matches = compileKql(ast, evalOpts);
      const explain = opts.explain === true ? (doc: EventDoc) => renderExplanation(explainKql(ast, doc, evalOpts)) : undefined;
      const { bad, matched } = await matchStdin(ctx, "KQL010", matches, { print: opts.print, explain });
      if (bad > 0) ctx.exitCode = 2;
      else if (opts.print === true && matched === 0) ctx.exitCode = 1;
    });
}
