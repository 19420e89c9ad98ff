// The seam between the engine and rule types (query, new_terms, eql, threshold). The engine reads the
// events once for every rule, plans each rule's scheduled executions, commits alerts and state in groups,
// and owns the output guarantees; a rule type decides what it keeps of a matched event, what one execution
// over its window finds, and what one stream event does. engine/run.ts never names a type.

import type { EventDoc, InputEvent } from "../../event/types.js";
import type { SqliteStore } from "../../state/sqlite.js";
import type { RuleFieldsCut } from "../../state/rule-fields.js";
import type { TextSpill } from "../../state/spill.js";
import type { EngineRule } from "../ports.js";
import type { AlertContext, AlertIndexFields } from "../alert.js";
import type { AheadPlan } from "../ahead.js";
import type { Execution } from "../schedule.js";
import type { TermValue } from "./new-terms.js";
import type { Rule } from "../../rules/model.js";

/** An alert ready for the sink and the alerts table. */
export interface PendingAlert {
  readonly id: string;
  readonly doc: EventDoc;
  /** `JSON.stringify(doc)`, shared by the sink and the alerts table. */
  readonly json: string;
  /** `json` without the rule's texts, when the builder made it (the state stores that; see RuleFieldsCut). */
  readonly cut?: RuleFieldsCut;
  readonly ruleId: string;
  readonly eventTime: number;
  readonly newTerms?: readonly TermValue[];
  /** What the alerts table indexes of `doc`, when the builder kept it (else it is read from `doc`). */
  readonly indexed?: AlertIndexFields;
}

/** What one execution (replay) or one stream batch of a rule produced. */
export interface ExecutionOutcome {
  /** In output order. */
  readonly alerts: readonly PendingAlert[];
  /** Results dropped because their alert ids were already stored (Kibana's bulk create skips them). */
  readonly duplicates: number;
  /** max_signals cut results. */
  readonly truncated: boolean;
  /** Alerts stored earlier whose document this execution changed (alert suppression): written again. */
  readonly updates?: readonly PendingAlert[];
  /** Events that alerted through another event's alert (alert suppression). */
  readonly suppressed?: number;
  /**
   * new_terms: events that carried a combination new in this execution, counted the first time only (an
   * event in several overlapping windows is one event).
   */
  readonly withNewTerm?: number;
}

/** What one stream event (or the end of the input) produced. */
export interface StreamOutcome {
  readonly alerts: readonly PendingAlert[];
  readonly duplicates: number;
  /** As ExecutionOutcome.updates. */
  readonly updates?: readonly PendingAlert[];
  /** As ExecutionOutcome.suppressed. */
  readonly suppressed?: number;
  /** As ExecutionOutcome.withNewTerm (0 or 1: the event). */
  readonly withNewTerm?: number;
}

export interface RuleTypeEnv {
  readonly store: SqliteStore;
  readonly spaceId: string;
}

/** A rule type's work for one rule in one replay run. */
export interface ReplayRule {
  /**
   * An event that reached the rule and matched its query (`EngineRule.matches`), with its window time
   * `t`. `spill` writes the event to the run's spill once (shared by rules) and returns its record.
   * Returns false when the rule cannot use the event (it is not counted as kept).
   */
  collect(ev: InputEvent, t: number, spill: () => number, seq: number): boolean;
  /** Window times of the kept events, ascending (the engine plans executions from them). */
  times(): ArrayLike<number>;
  /** Before the first execution: read what earlier runs stored (e.g. new-terms history). */
  prepare(firstExecutionFrom: number, learnedFrom: number): void;
  /**
   * During the read, while the engine waits for events: build alerts of the events kept so far for the
   * executions the plan expects (engine/ahead.ts) until `plan.stop()`. Returns whether some are left.
   * Optional: a rule type without it builds every alert in `execute`.
   */
  buildAhead?(plan: AheadPlan): boolean;
  /** One scheduled execution over its window; `seen` tells whether an alert id is already stored. */
  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome;
  /** Work for an execution an earlier run committed (learn its window without alerting). */
  skip(exec: Execution): void;
  /** State to write with the execution's alerts, in the same transaction (called once per execution). */
  commit(exec: Execution): void;
  /** After the last execution, inside a transaction: learn the remaining windows, prune old state. */
  finish(last: Execution): void;
  /** Events cut at a per-event bound of the rule type, and the items left out (new_terms: combinations). */
  cut?(): CutCounts;
  /**
   * A rule whose executions something outside the engine decides (a cluster's own searches) reads no
   * events: it says what its searches matched instead, for the run summary's funnel.
   */
  counted?(): DecidedCounts | undefined;
}

/** The funnel counts of a decided rule (ReplayRule.counted): what its searches found over the run's span. */
export interface DecidedCounts {
  readonly matched: number;
  readonly usable: number;
  readonly inWindow: number;
}

/** A rule type's work for one rule in stream mode. */
export interface StreamRule {
  /** Pass 1 of a batch: an event that matched; false when the rule cannot use it. */
  consider(ev: InputEvent, t: number): boolean;
  /** Pass 2: batched reads of stored state for the considered events. */
  lookup(): void;
  /** Pass 3, per considered event in batch order: the alerts it produces now. */
  decide(ev: InputEvent, t: number, ctx: AlertContext, seen: (id: string) => boolean): StreamOutcome;
  /** Inside the batch transaction, after the alerts are stored: persist this batch's state changes. */
  commit(): void;
  /** After the last batch: alerts that could only be decided at the end of the input (written like a batch's). */
  flush?(ctx: AlertContext, seen: (id: string) => boolean): StreamOutcome;
  /** After the last batch (event time of the newest event seen), inside a transaction: prune. */
  finish(newestEvent: number): void;
  /** Warnings to report (e.g. partial sequences dropped at a cap). */
  warnings(): string[];
  /** As ReplayRule.cut. */
  cut?(): CutCounts;
}

export interface CutCounts {
  readonly events: number;
  readonly combinations: number;
}

export interface RuleTypeDefinition {
  /** The rule `type` values this definition runs. */
  readonly types: readonly string[];
  /** Whether it runs this rule of one of its types (a more specific definition comes first). */
  readonly accepts?: (rule: Rule) => boolean;
  replay(er: EngineRule, env: RuleTypeEnv & { readonly spill: TextSpill }): ReplayRule;
  stream(er: EngineRule, env: RuleTypeEnv): StreamRule;
}
