// The rule-selection options every verb that takes rules shares (run, validate, coverage), and the one line
// on stderr that says what they left out.

import { Option, type Command } from "commander";
import type { CliContext } from "./context.js";
import type { LoadResult } from "../rules/load.js";
import { hasCriteria, selectRules, type RuleSelection } from "../rules/select.js";

export interface RuleSelectionOptions {
  tag?: string[];
  tactic?: string[];
  technique?: string[];
  severity?: string[];
  type?: string[];
  name?: string;
  includeDeprecated?: boolean;
}

export function addRuleSelection(cmd: Command): Command {
  return cmd
    .option("--tag <tag...>", "only rules with one of these tags (e.g. \"OS: Linux\")")
    .option("--tactic <tactic...>", "only rules mapped to one of these MITRE ATT&CK tactics (id TA0002 or name Execution)")
    .option("--technique <technique...>", "only rules mapped to one of these techniques (T1059 takes T1059.004 too) or their names")
    .addOption(new Option("--severity <severity...>", "only rules of these severities").choices(["low", "medium", "high", "critical"]))
    .option("--type <type...>", "only rules of these types (query, eql, new_terms, threshold, …)")
    .option("--name <glob>", "only rules whose name matches (* and ?, case ignored)")
    .option("--include-deprecated", "also rules whose maturity is deprecated or development (left out by default)");
}

export function selectionOf(opts: RuleSelectionOptions): RuleSelection {
  return { tags: opts.tag, tactics: opts.tactic, techniques: opts.technique, severities: opts.severity, types: opts.type, name: opts.name, includeDeprecated: opts.includeDeprecated === true };
}

/** The selected rules; one line on stderr when rules were left out (`tern <verb>: …`), unless quiet. */
export function applyRuleSelection(ctx: CliContext, verb: string, loaded: LoadResult, opts: RuleSelectionOptions, say: { quiet?: boolean } = {}): LoadResult {
  const sel = selectionOf(opts);
  const { result, deprecated, unselected } = selectRules(loaded, sel);
  const notes: string[] = [];
  if (hasCriteria(sel)) notes.push(`${result.rules.length.toLocaleString("en-US")} of ${(result.rules.length + unselected).toLocaleString("en-US")} rules selected`);
  if (deprecated > 0) notes.push(`${deprecated.toLocaleString("en-US")} deprecated or development rule${deprecated === 1 ? "" : "s"} left out (--include-deprecated takes them)`);
  if (notes.length > 0 && say.quiet !== true) ctx.stderr.write(`tern ${verb}: ${notes.join("; ")}\n`);
  return result;
}
