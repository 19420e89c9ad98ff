// The rule types the engine runs, by rule `type`. A new type is a RuleTypeDefinition added here.
import type { RuleTypeDefinition } from "./types.js";
import { queryRuleType } from "./query.js";
import { newTermsRuleType } from "./new-terms.js";
import { eqlRuleType } from "./eql.js";
import { thresholdRuleType } from "./threshold.js";
import { suppressedQueryRuleType } from "./suppressed-query.js";
import type { Rule } from "../../rules/model.js";

export const RULE_TYPES: readonly RuleTypeDefinition[] = [suppressedQueryRuleType, queryRuleType, newTermsRuleType, eqlRuleType, thresholdRuleType];

/** The definition that runs a rule, or undefined. */
export function ruleTypeFor(rule: Rule): RuleTypeDefinition | undefined {
  return RULE_TYPES.find((d) => d.types.includes(rule.type) && (d.accepts === undefined || d.accepts(rule)));
}

export type { RuleTypeDefinition, ReplayRule, StreamRule, PendingAlert, ExecutionOutcome } from "./types.js";
