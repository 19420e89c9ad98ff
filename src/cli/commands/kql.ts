// `tern kql <subcommand>`: KQL (kuery) tools (issue 3 "Interfaces"). One small function per subcommand:
// `parse` prints the AST (docs/kql.md §3) as JSON. A syntax error prints Kibana's three-line caret message
// (§4) on stderr and exits 2.

import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { KqlSyntaxError, parseKql, stripSpans, type KqlNode, type ParseKqlOptions } from "../../lang/kql/index.js";

export function register(program: Command, ctx: CliContext): void {
  const kql = program.command("kql").description("KQL (kuery) query tools: parse a query the way Kibana does.");
  registerParse(kql, ctx);
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
