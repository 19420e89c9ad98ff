// The part every decided rule shares (RunOptions.decided): a rule whose executions' results an outside
// executor found (the cluster's own searches) reads no events, learns nothing and commits no state of its
// own; it only turns each execution's results into alerts. The engine still schedules the executions,
// drops stored ids, applies max_signals and commits.

import type { AlertContext } from "../alert.js";
import type { EngineRule } from "../ports.js";
import type { Execution } from "../schedule.js";
import type { DecidedCounts, ExecutionOutcome, ReplayRule } from "./types.js";

export abstract class DecidedReplay<T extends { readonly t: number }> implements ReplayRule {
  private readonly resultTimes: number[];

  constructor(
    protected readonly er: EngineRule,
    /** Per execution (`startedAt`): its results in the order they alert. */
    protected readonly byExecution: ReadonlyMap<number, readonly T[]>,
    private readonly counts: DecidedCounts,
  ) {
    // each result lies in its execution's window, so the engine plans exactly those executions
    this.resultTimes = [...byExecution.values()].flatMap((rs) => rs.map((r) => r.t)).sort((a, b) => a - b);
  }

  abstract execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome;

  collect(): boolean {
    return false;
  }

  times(): readonly number[] {
    return this.resultTimes;
  }

  prepare(): void {}
  skip(): void {}
  commit(): void {}
  finish(): void {}

  counted(): DecidedCounts {
    return this.counts;
  }
}
