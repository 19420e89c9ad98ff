// Public surface of the engine (issue 4): run rules over an event source in replay or stream mode, the
// Kibana alert builder and ids, and the rule-type cores. See docs/engine.md.
export { runEngine, replayStart, indexRouter, type RunOptions, type RunSummary, type RuleRunSummary, type RunMode } from "./run.js";
export type { EngineRule, AlertSink } from "./ports.js";
export { buildAlert, newTermsAlertId, queryAlertId, alertSeverity, alertRiskScore, type AlertContext } from "./alert.js";
export { buildReason } from "./reason.js";
export { eventTime, originalTime, parseTimestamp, timeSpec, type TimeSpec } from "./time.js";
export { ruleSchedule, executionAt, executions, defaultStart, type Execution, type RuleSchedule } from "./schedule.js";
export { compileIndexPatterns, type IndexFilter } from "./index-filter.js";
export { comboExtractor, compareTerm, MAX_SIGNALS_WARNING, type Combo, type TermValue } from "./rule-types/new-terms.js";
