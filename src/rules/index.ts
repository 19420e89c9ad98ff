// The rule layer's public surface (issue 2): load, validate and model Elastic detection rules.
export type * from "./model.js";
export { loadRules, loadRuleFile, expandRulePaths, type LoadResult, type LoadedRule, type LoadOptions, type RuleStatus } from "./load.js";
export { registerQueryChecker, notRunnableReason, type QueryChecker, type QueryProblem, type ValidateOptions } from "./validate.js";
export { comparableRule, normalizeProse, normalizeKqlWhitespace } from "./compare.js";
export { formatRule, reflowKql, lookbackMs, formatDuration } from "./show.js";
