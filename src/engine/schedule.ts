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

/**
 * When `from` and `to` are plain offsets from now (no rounding, no absolute date), each window is
 * [startedAt + fromOffset, startedAt + toOffset], which lets replay find the executions containing an
 * event by arithmetic instead of walking every interval of a long time span.
 */
export function fixedOffsets(s: RuleSchedule): { fromOffset: number; toOffset: number } | undefined {
  const plain = (x: string) => x.startsWith("now") && !x.includes("/") && !/[My]/.test(x);
  if (!plain(s.from) || !plain(s.to)) return undefined;
  return { fromOffset: parseDateMath(s.from, 0), toOffset: parseDateMath(s.to, 0) };
}

/**
 * The executions of `executions(s, start, end, last)` whose window contains at least one of `times`
 * (ascending), and how many executions that schedule has in total. Exact for fixed offsets; otherwise
 * it walks the schedule.
 */
export function executionsWithEvents(
  s: RuleSchedule,
  start: number,
  end: number | undefined,
  times: ArrayLike<number>,
): { total: number; last?: Execution; withEvents: Execution[] } {
  const lastEvent = times[times.length - 1];
  const off = fixedOffsets(s);
  const withEvents: Execution[] = [];
  if (off === undefined || s.intervalMs <= 0) {
    let total = 0;
    let last: Execution | undefined;
    let i = 0;
    for (const e of executions(s, start, end, lastEvent)) {
      total++;
      last = e;
      // Window starts only grow, so the first time ≥ from only moves forward.
      while (i < times.length && times[i] < e.from) i++;
      if (i < times.length && times[i] <= e.to) withEvents.push(e);
    }
    return { total, last, withEvents };
  }
  const I = s.intervalMs;
  // Number of executions: k = 0..K with start + kI ≤ end, or until to_k ≥ lastEvent.
  const K = end !== undefined ? Math.floor((end - start) / I) : Math.max(0, Math.ceil((lastEvent - off.toOffset - start) / I));
  if (K < 0) return { total: 0, withEvents };
  const at = (k: number): Execution => {
    const startedAt = start + k * I;
    return { startedAt, from: startedAt + off.fromOffset, to: startedAt + off.toOffset };
  };
  let lastK = -1;
  for (let j = 0; j < times.length; j++) {
    const t = times[j];
    // from_k ≤ t ≤ to_k  ⇔  (t − toOffset − start)/I ≤ k ≤ (t − fromOffset − start)/I
    const lo = Math.max(0, lastK + 1, Math.ceil((t - off.toOffset - start) / I));
    const hi = Math.min(K, Math.floor((t - off.fromOffset - start) / I));
    for (let k = lo; k <= hi; k++) withEvents.push(at(k));
    if (hi >= lo) lastK = hi;
  }
  return { total: K + 1, last: at(K), withEvents };
}
