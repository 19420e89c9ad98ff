// Public surface of the engine: run rules over an event source in replay or stream mode, the Kibana alert
// builder and ids, and the rule types behind one interface. See docs/engine.md.
export { runEngine, replayStart, indexRouter, type RunOptions, type RunSummary, type RuleRunSummary, type RunMode } from "./run.js";
export type { EngineRule, AlertSink } from "./ports.js";
export { buildAlert, buildSequenceAlerts, buildingBlockIds, newTermsAlertId, queryAlertId, alertSeverity, alertRiskScore, type AlertContext, type SequenceAlerts } from "./alert.js";
export { RULE_TYPES, ruleTypeFor, type RuleTypeDefinition, type ReplayRule, type StreamRule, type PendingAlert, type ExecutionOutcome } from "./rule-types/index.js";
export { buildReason } from "./reason.js";
export { eventTime, originalTime, parseTimestamp, timeSpec, type TimeSpec } from "./time.js";
export { ruleSchedule, executionAt, executions, defaultStart, type Execution, type RuleSchedule } from "./schedule.js";
export { compileIndexPatterns, type IndexFilter } from "./index-filter.js";
export { comboExtractor, compareTerm, MAX_SIGNALS_WARNING, MAX_TERM_COMBINATIONS_PER_EVENT, type Combo, type TermValue } from "./rule-types/new-terms.js";
