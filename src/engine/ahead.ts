// Alerts built ahead: replay executes a rule only after the whole input has been read (an execution's
// window is complete only then, since the input need not be in time order), and with worker threads the
// main thread is mostly idle during the read (docs/engine.md "Alerts built ahead"). While it waits for the
// next batch it builds the alerts of event rules (query rules, EQL event queries) for the execution that
// will most likely alert on each event, and keeps them in the run's spill. The execution itself still decides what it alerts on, exactly
// as before; for an event it picked it takes the alert built ahead only when that was built for this very
// execution (same start, same execution uuid), and builds it as usual otherwise. A guess can only waste
// work, never change an alert.

import type { EventDoc } from "../event/types.js";
import type { TextSpill } from "../state/spill.js";
import { restoreRuleFields, type RuleFieldsCut } from "../state/rule-fields.js";
import { NumberColumn } from "../util/typed-array.js";
import { alertIndexFields, ruleFieldsText, type AlertContext, type AlertIndexFields } from "./alert.js";
import type { EngineRule } from "./ports.js";
import type { PendingAlert } from "./rule-types/types.js";

/** What the engine tells a rule building alerts ahead (one per rule and run). */
export interface AheadPlan {
  /**
   * The executions whose windows hold window time `t`, in order (their start and their window's `from`),
   * when the rule's earliest window time is `first` (which sets the schedule's start).
   */
  executions(t: number, first: number): readonly { readonly startedAt: number; readonly from: number }[];
  /** The alert context replay gives the execution starting at `startedAt` (its uuid made once, here). */
  context(startedAt: number): AlertContext;
  /** Whether to stop (the slice's time is up). */
  readonly stop: () => boolean;
  /** Alerts built ahead, and of those the ones an execution wrote (the run's summary reports them). */
  readonly counts: AheadCounts;
}

export interface AheadCounts {
  built: number;
  taken: number;
}

/**
 * An alert read back from the spill: its document is parsed only if something asks for it. `doc` is an own
 * enumerable getter and `indexed` is not enumerable, so a copy made by spreading (`{ ...a, doc }`, as the
 * suppressor does) is a plain alert whose indexed fields are read again from its own document.
 */
class AheadAlert implements PendingAlert {
  declare readonly doc: EventDoc;
  declare readonly indexed: AlertIndexFields;
  constructor(
    readonly id: string,
    readonly ruleId: string,
    readonly eventTime: number,
    readonly json: string,
    readonly cut: RuleFieldsCut | undefined,
    indexed: AlertIndexFields,
  ) {
    let parsed: EventDoc | undefined;
    Object.defineProperty(this, "doc", { enumerable: true, get: () => (parsed ??= JSON.parse(json) as EventDoc) });
    Object.defineProperty(this, "indexed", { enumerable: false, value: indexed });
  }
}

/** The header record of an alert built ahead. */
type AheadHeader = [startedAt: number, executionUuid: string, id: string, eventTime: number, beforeAt: number | null, afterAt: number | null, indexed: AlertIndexFields];

/**
 * One rule's alerts built ahead, by row: the rule's own numbering of the events it keeps (0, 1, 2… in
 * the order they were kept). Rows are offered in that order; each costs 8 bytes in memory, and an alert
 * built ahead two spill records (a header and the alert's text without the rule's fields).
 */
export class AlertsAhead {
  /** Per row offered: the alert's first spill record, or -1 (none built). */
  private readonly refs = new NumberColumn(16);
  /** Alerts built for each execution, when rows have no rank: more than it may return would be wasted. */
  private readonly perExecution = new Map<number, number>();
  /** The plan's counts, once a row was offered. */
  private counts: AheadCounts | undefined;

  constructor(
    private readonly spill: TextSpill,
    private readonly er: EngineRule,
    private readonly cap: number,
  ) {}

  /** The next row to offer (all rows before it were offered). */
  get next(): number {
    return this.refs.length;
  }

  /**
   * Offers the next row, at window time `t`: `make` builds its alert for a context (or says there is none).
   * The rule's earliest window time so far is `first`. `rank(from)`, when the rule type cuts an execution's
   * events at the cap before it drops duplicates (EQL), says how many events of a window starting at
   * `from` come before this one: the row alerts in the first of its executions where that is under the cap.
   * Without it, the first execution is guessed, for at most `cap` rows.
   */
  offer(plan: AheadPlan, t: number, first: number, make: (ctx: AlertContext) => PendingAlert | undefined, rank?: (from: number) => number): void {
    this.counts = plan.counts;
    let startedAt: number | undefined;
    for (const e of plan.executions(t, first)) {
      if (rank === undefined) {
        const n = this.perExecution.get(e.startedAt) ?? 0;
        if (n < this.cap) {
          startedAt = e.startedAt;
          this.perExecution.set(startedAt, n + 1);
        }
        break;
      }
      if (rank(e.from) < this.cap) {
        startedAt = e.startedAt;
        break;
      }
    }
    let ref = -1;
    if (startedAt !== undefined) {
      const ctx = plan.context(startedAt);
      const a = make(ctx);
      if (a !== undefined) {
        ref = this.save(a, ctx);
        plan.counts.built++;
      }
    }
    this.refs.push(ref);
  }

  private save(a: PendingAlert, ctx: AlertContext): number {
    const cut = a.cut !== undefined && a.cut.of === a.json ? a.cut : undefined;
    const header: AheadHeader = [ctx.now, ctx.executionUuid, a.id, a.eventTime, cut?.beforeAt ?? null, cut?.afterAt ?? null, a.indexed ?? alertIndexFields(a.doc)];
    const ref = this.spill.add(JSON.stringify(header));
    this.spill.add(cut === undefined ? a.json : cut.rest);
    return ref;
  }

  /**
   * What was built ahead for row `row`, else undefined: its alert id (an event's id is the same in every
   * execution, so a duplicate is known without reading the event), and its alert if it was built for the
   * execution of `ctx` (else build it as usual), read from the spill only when asked.
   */
  peek(row: number, ctx: AlertContext): { readonly id: string; readonly alert: (() => PendingAlert) | undefined } | undefined {
    if (row < 0 || row >= this.refs.length) return undefined;
    const ref = this.refs.get(row);
    if (ref < 0) return undefined;
    const [startedAt, uuid, id, eventTime, beforeAt, afterAt, indexed] = JSON.parse(this.spill.get(ref)) as AheadHeader;
    if (startedAt !== ctx.now || uuid !== ctx.executionUuid) return { id, alert: undefined };
    return {
      id,
      alert: () => {
        const text = this.spill.get(ref + 1);
        if (this.counts !== undefined) this.counts.taken++;
        if (beforeAt === null) return new AheadAlert(id, this.er.rule.rule_id, eventTime, text, undefined, indexed);
        const fields = ruleFieldsText(this.er.rule, this.er.ruleUuid);
        const json = restoreRuleFields(text, beforeAt, afterAt, fields);
        return new AheadAlert(id, this.er.rule.rule_id, eventTime, json, { of: json, fields, rest: text, beforeAt, afterAt }, indexed);
      },
    };
  }
}

/**
 * Iterates `source`, calling `work` while the next item is not ready yet (a worker thread is still on it):
 * one short slice per call, false when it has nothing left to do. Between slices the event loop runs, so
 * a batch that arrives is taken at once.
 */
export async function* whileWaiting<T>(source: AsyncIterable<T>, work: () => boolean): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let settled = false;
      const next = it.next();
      next.then(
        () => (settled = true),
        () => (settled = true),
      );
      // a batch already read arrives within this turn of the event loop: no work is done before it
      await new Promise<void>((r) => setImmediate(r));
      while (!settled && work()) await new Promise<void>((r) => setImmediate(r));
      const r = await next;
      if (r.done === true) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!finished) await it.return?.();
  }
}
