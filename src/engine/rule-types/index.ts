// The rule types the engine runs, by rule `type`. A new type is a RuleTypeDefinition added here.
import type { RuleTypeDefinition } from "./types.js";
import { queryRuleType } from "./query.js";
import { newTermsRuleType } from "./new-terms.js";
import { eqlRuleType } from "./eql.js";
import { thresholdRuleType } from "./threshold.js";

export const RULE_TYPES: readonly RuleTypeDefinition[] = [queryRuleType, newTermsRuleType, eqlRuleType, thresholdRuleType];

/** The definition that runs a rule type, or undefined. */
export function ruleTypeFor(type: string): RuleTypeDefinition | undefined {
  return RULE_TYPES.find((d) => d.types.includes(type));
}

export type { RuleTypeDefinition, ReplayRule, StreamRule, PendingAlert, ExecutionOutcome } from "./types.js";
