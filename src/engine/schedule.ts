// Replay schedule (new_terms.md §2.4): executions every `interval` from a start time; each execution's
// window is [datemath(from, startedAt), datemath(to, startedAt)] and its history start is
// datemath(history_window_start, now = window.to). Replay runs without gaps, so there are no catch-up tuples.

import { parseDateMath, parseDuration } from "../util/datemath.js";

export interface Execution {
  /** Simulated `startedAt` (ms). */
  readonly startedAt: number;
  readonly from: number;
  readonly to: number;
}

export interface RuleSchedule {
  readonly intervalMs: number;
  readonly from: string;
  readonly to: string;
}

export function ruleSchedule(rule: { interval: string; from: string; to: string }): RuleSchedule {
  return { intervalMs: parseDuration(rule.interval), from: rule.from, to: rule.to };
}

export function executionAt(s: RuleSchedule, startedAt: number): Execution {
  return { startedAt, from: parseDateMath(s.from, startedAt), to: parseDateMath(s.to, startedAt) };
}

/**
 * The default first execution for data starting at `firstEventMs`: the execution whose window `to`
 * is exactly that time (startedAt shifted by the rule's `to` offset), so the first event is inside
 * the first window and later than its `from`.
 */
export function defaultStart(s: RuleSchedule, firstEventMs: number): number {
  const toOffset = parseDateMath(s.to, firstEventMs) - firstEventMs;
  return firstEventMs - toOffset;
}

/**
 * Executions from `start` every interval while startedAt ≤ `end`; with no `end`, until the first
 * execution whose window `to` reaches `lastEventMs` (so every event lies before some window end).
 */
export function* executions(s: RuleSchedule, start: number, end: number | undefined, lastEventMs: number): Generator<Execution> {
  for (let k = 0; ; k++) {
    const startedAt = start + k * s.intervalMs;
    if (end !== undefined && startedAt > end) return;
    const e = executionAt(s, startedAt);
    yield e;
    if (end === undefined && e.to >= lastEventMs) return;
  }
}
