// The rule types the engine runs, by rule `type`. A new type is a RuleTypeDefinition added here.
import type { RuleTypeDefinition } from "./types.js";
import { queryRuleType } from "./query.js";
import { newTermsRuleType } from "./new-terms.js";
import { eqlRuleType } from "./eql.js";
import { thresholdRuleType } from "./threshold.js";
import { suppressedQueryRuleType } from "./suppressed-query.js";
import { withAlertSuppression } from "./suppression.js";
import type { Rule } from "../../rules/model.js";

// A suppressing definition comes before the plain one of its type (it accepts only rules with alert_suppression);
// threshold rules suppress inside their own type (threshold.ts).
export const RULE_TYPES: readonly RuleTypeDefinition[] = [
  suppressedQueryRuleType,
  queryRuleType,
  withAlertSuppression(newTermsRuleType),
  newTermsRuleType,
  withAlertSuppression(eqlRuleType),
  eqlRuleType,
  thresholdRuleType,
];

/** The definition that runs a rule, or undefined. */
export function ruleTypeFor(rule: Rule): RuleTypeDefinition | undefined {
  return RULE_TYPES.find((d) => d.types.includes(rule.type) && (d.accepts === undefined || d.accepts(rule)));
}

export type { RuleTypeDefinition, ReplayRule, StreamRule, PendingAlert, ExecutionOutcome } from "./types.js";
