// Query rules (type "query"): one alert per matching event of an execution's window [from, to], in time
// order (Kibana sorts hits by the timestamp ascending, input order on ties), ids already stored dropped,
// then the max_signals cut. Stream mode: one alert per matching event as it arrives.

import type { InputEvent } from "../../event/types.js";
import type { EngineRule } from "../ports.js";
import { buildAlertWithJson, queryAlertId, type AlertContext } from "../alert.js";
import type { Rule } from "../../rules/model.js";
import type { Execution } from "../schedule.js";
import { SpilledEvent, fullHit } from "../matched.js";
import { NewTermsMemory, applyMaxSignals, type MatchedEvent } from "./new-terms.js";
import { DecidedReplay } from "./decided.js";
import type { ExecutionOutcome, PendingAlert, ReplayRule, RuleTypeDefinition, RuleTypeEnv, StreamRule } from "./types.js";
import type { TextSpill } from "../../state/spill.js";
import { AlertsAhead, type AheadPlan } from "../ahead.js";

/** Builds the alert of one event (query rules; EQL event queries share it). */
export function eventAlert(er: EngineRule, ev: MatchedEvent, ctx: AlertContext, id: string, evHit?: InputEvent): PendingAlert {
  const { hit, owned } = fullHit(ev, evHit);
  return { id, ruleId: er.rule.rule_id, eventTime: ev.t, ...buildAlertWithJson(er.rule, hit, id, ctx, undefined, owned) };
}

/** The alert of one event as stream mode reads it (query rules, EQL event queries, unsuppressed events). */
export function arrivedEventAlert(rule: Rule, ev: InputEvent, id: string, ctx: AlertContext, t: number): PendingAlert {
  return { id, ruleId: rule.rule_id, eventTime: t, ...buildAlertWithJson(rule, ev, id, ctx) };
}

/** A query rule's kept event, numbered in the order kept (its row for the alerts built ahead). */
class QueryEvent extends SpilledEvent {
  constructor(spill: TextSpill, ref: number, t: number, seq: number, readonly row: number) {
    super(spill, ref, t, seq, []);
  }
}

class QueryReplay implements ReplayRule {
  private readonly mem = new NewTermsMemory();
  private sealed = false;
  /** Every event of a window alerts, up to max_signals: built ahead. */
  private readonly ahead: AlertsAhead;
  /** Kept events by row, until the memory is sealed (sorted); the earliest window time among them. */
  private readonly byRow: QueryEvent[] = [];
  private first = Infinity;

  constructor(
    private readonly er: EngineRule,
    private readonly spill: TextSpill,
  ) {
    this.ahead = new AlertsAhead(spill, er, er.rule.max_signals);
  }

  collect(_ev: InputEvent, t: number, spill: () => number, seq: number): boolean {
    const ev = new QueryEvent(this.spill, spill(), t, seq, this.byRow.length);
    this.mem.add(ev);
    this.byRow.push(ev);
    if (t < this.first) this.first = t;
    return true;
  }

  buildAhead(plan: AheadPlan): boolean {
    while (this.ahead.next < this.byRow.length) {
      if (plan.stop()) return true;
      const ev = this.byRow[this.ahead.next];
      this.ahead.offer(plan, ev.t, this.first, (ctx) => {
        const hit = ev.hit;
        return eventAlert(this.er, ev, ctx, queryAlertId(hit, ctx.spaceId, this.er.ruleUuid), hit);
      });
    }
    return false;
  }

  times(): readonly number[] {
    if (!this.sealed) this.mem.seal();
    this.sealed = true;
    // the rows are needed no more: the alerts built ahead are found by each event's own row
    this.byRow.length = 0;
    return this.mem.events.map((e) => e.t);
  }

  prepare(): void {}

  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    const [lo, hi] = this.mem.range(exec.from, exec.to);
    const items = this.mem.events.slice(lo, hi).map((ev) => {
      const early = this.ahead.peek(ev instanceof QueryEvent ? ev.row : -1, ctx);
      if (early !== undefined) return { id: early.id, ev, early: early.alert };
      const hit = ev.hit;
      return { id: queryAlertId(hit, ctx.spaceId, this.er.ruleUuid), ev, hit };
    });
    const cut = applyMaxSignals(items, seen, this.er.rule.max_signals);
    return { alerts: cut.kept.map((it) => it.early?.() ?? eventAlert(this.er, it.ev, ctx, it.id, it.hit)), duplicates: cut.duplicates, truncated: cut.truncated };
  }

  skip(): void {}
  commit(): void {}
  finish(): void {}
}

/** An event an outside executor found for one execution: its coordinates in memory, the event itself on disk. */
export interface DecidedEvent {
  readonly index: string;
  readonly id: string;
  /** Its time in the rule's window. */
  readonly t: number;
  readonly ev: MatchedEvent;
}

/**
 * A query rule whose executions' events something outside the engine found (the cluster's own sorted
 * searches, cluster/query-searches.ts): each execution alerts on the events it was given, in the order
 * given, as QueryReplay does on the events of its window.
 */
export class DecidedQueryReplay extends DecidedReplay<DecidedEvent> {
  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    const items = (this.byExecution.get(exec.startedAt) ?? []).map((e) => ({ id: queryAlertId({ _index: e.index, _id: e.id }, ctx.spaceId, this.er.ruleUuid), ev: e.ev }));
    const cut = applyMaxSignals(items, seen, this.er.rule.max_signals);
    return { alerts: cut.kept.map((it) => eventAlert(this.er, it.ev, ctx, it.id)), duplicates: cut.duplicates, truncated: cut.truncated };
  }
}

class QueryStream implements StreamRule {
  constructor(private readonly er: EngineRule) {}
  consider(): boolean {
    return true;
  }
  lookup(): void {}
  decide(ev: InputEvent, t: number, ctx: AlertContext, seen: (id: string) => boolean): { alerts: PendingAlert[]; duplicates: number } {
    const id = queryAlertId(ev, ctx.spaceId, this.er.ruleUuid);
    if (seen(id)) return { alerts: [], duplicates: 1 };
    return { alerts: [arrivedEventAlert(this.er.rule, ev, id, ctx, t)], duplicates: 0 };
  }
  commit(): void {}
  finish(): void {}
  warnings(): string[] {
    return [];
  }
}

export const queryRuleType: RuleTypeDefinition = {
  types: ["query"],
  replay: (er, env: RuleTypeEnv & { spill: TextSpill }) => new QueryReplay(er, env.spill),
  stream: (er) => new QueryStream(er),
};
