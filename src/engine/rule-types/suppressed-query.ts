// Query rules with alert suppression (`[rule.alert_suppression]`), as Kibana's query executor runs them
// (security_solution detection_engine/rule_types/query/alert_suppression/group_and_bulk_create.ts,
// build_group_by_field_aggregation.ts, wrap_suppressed_alerts.ts, and the rule registry's
// alertWithSuppression):
//
// - An execution groups its window's matching events like a composite aggregation over the group_by
//   fields: one group per combination of their values (an event with two values of a field is in two
//   groups); a missing field is a null value (missing_fields_strategy "suppress", the default) or keeps
//   the event out of every group ("doNotSuppress": such events alert one by one, as plain query alerts,
//   up to what max_signals leaves). Groups in key order, nulls last, at most max_signals.
// - A group's alert is its earliest event's, with kibana.alert.suppression.terms ({field, value} per
//   group_by field), .start and .end (the group's first and last event time), .docs_count (its other
//   events) and kibana.alert.instance.id = objectHash([terms, rule uuid, space]); its id is
//   objectHash([_index, _id, "undefined", "<space>:<rule uuid>", terms, start, end]).
// - The rule remembers, per group, the newest event time it counted; a later execution whose look-back
//   overlaps leaves those events out (the suppression group history of the rule's state).
// - Without `duration` every execution creates its groups' alerts. With it, a group whose instance has
//   an alert created within the duration before the execution extends that alert instead: its end moves
//   to the group's, docs_count grows by the group's events, last_detected becomes the execution time. The
//   extended alert is written again (same kibana.alert.uuid) to the output, and replaced in the memory
//   (suppression.ts, AlertSuppressor).
//
// Stream mode has no window to group: each event's groups are candidates of their own as it arrives.

import objectHash from "object-hash";
import type { EventDoc, InputEvent } from "../../event/types.js";
import { getValues } from "../../event/fields.js";
import type { EngineRule } from "../ports.js";
import { buildAlert, queryAlertId, type AlertContext } from "../alert.js";
import type { Execution } from "../schedule.js";
import { SpilledEvent } from "../matched.js";
import type { TextSpill } from "../../state/spill.js";
import { arrivedEventAlert, eventAlert } from "./query.js";
import { AlertSuppressor, asCandidate, instanceIdOf, sendable, streamWindow, suppressionConfig, type Candidate, type SuppressionConfig } from "./suppression.js";
import type { ExecutionOutcome, PendingAlert, ReplayRule, RuleTypeDefinition, RuleTypeEnv, StreamOutcome, StreamRule } from "./types.js";

/** At most this many groups one event can be in (the product of its group_by values). */
const MAX_GROUPS_PER_EVENT = 10_000;

type KeyValue = string | number | boolean | null;

/** The group keys of an event: every combination of its group_by values, or undefined when it stays out. */
export function groupKeys(source: EventDoc, cfg: SuppressionConfig): KeyValue[][] | undefined {
  const perField: KeyValue[][] = [];
  for (const f of cfg.groupBy) {
    const vals: KeyValue[] = [];
    for (const v of getValues(source, f)) {
      if ((typeof v === "string" || typeof v === "number" || typeof v === "boolean") && !vals.includes(v)) vals.push(v);
    }
    if (vals.length === 0) {
      if (!cfg.suppressMissing) return undefined;
      vals.push(null);
    }
    perField.push(vals);
  }
  let keys: KeyValue[][] = [[]];
  for (const vals of perField) {
    const next: KeyValue[][] = [];
    for (const k of keys) for (const v of vals) if (next.length < MAX_GROUPS_PER_EVENT) next.push([...k, v]);
    keys = next;
  }
  return keys;
}

/** Composite aggregation order: each source ascending, missing (null) last. */
export function compareKeys(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    const sx = String(x);
    const sy = String(y);
    if (sx !== sy) return sx < sy ? -1 : 1;
  }
  return 0;
}

interface Kept {
  readonly ev: SpilledEvent;
  /** undefined: the event stays out of groups (a missing field under doNotSuppress). */
  readonly keys: KeyValue[][] | undefined;
}

class SuppressedQueryReplay implements ReplayRule {
  private readonly kept: Kept[] = [];
  private sorted = false;
  /** group key (JSON) → newest event time counted. */
  private history = new Map<string, number>();
  private readonly suppressor: AlertSuppressor;
  constructor(
    private readonly er: EngineRule,
    private readonly cfg: SuppressionConfig,
    private readonly env: RuleTypeEnv & { readonly spill: TextSpill },
  ) {
    this.suppressor = new AlertSuppressor(env.store);
  }

  collect(ev: InputEvent, t: number, spill: () => number, seq: number): boolean {
    this.kept.push({ ev: new SpilledEvent(this.env.spill, spill(), t, seq, []), keys: groupKeys(ev._source, this.cfg) });
    return true;
  }

  times(): readonly number[] {
    if (!this.sorted) this.kept.sort((a, b) => a.ev.t - b.ev.t || a.ev.seq - b.ev.seq);
    this.sorted = true;
    return this.kept.map((k) => k.ev.t);
  }

  prepare(): void {
    for (const r of this.env.store.suppressionHistory(this.er.rule.rule_id)) this.history.set(r.key, r.endDate);
  }

  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    for (const [k, end] of this.history) if (end <= exec.from) this.history.delete(k);
    const inWindow = this.kept.filter((k) => k.ev.t >= exec.from && k.ev.t <= exec.to);
    // Events a remembered group already counted are left out whole, as Kibana's history filter does.
    const fresh = inWindow.filter((k) => k.keys === undefined || !k.keys.some((key) => {
      const end = this.history.get(JSON.stringify(key));
      return end !== undefined && k.ev.t <= end;
    }));
    const groups = new Map<string, { key: KeyValue[]; first: Kept; count: number; start: number; end: number }>();
    const loose: Kept[] = [];
    for (const k of fresh) {
      if (k.keys === undefined) {
        loose.push(k);
        continue;
      }
      for (const key of k.keys) {
        const id = JSON.stringify(key);
        const g = groups.get(id);
        if (g === undefined) groups.set(id, { key, first: k, count: 1, start: k.ev.t, end: k.ev.t });
        else {
          g.count++;
          g.end = Math.max(g.end, k.ev.t);
        }
      }
    }
    const max = this.er.rule.max_signals;
    const ordered = [...groups.values()].sort((a, b) => compareKeys(a.key, b.key));
    const truncated = ordered.length > max;
    const buckets = ordered.slice(0, max);
    for (const g of buckets) this.history.set(JSON.stringify(g.key), g.end);

    const alerts: PendingAlert[] = [];
    let duplicates = 0;
    // doNotSuppress: the events missing a group_by field alert one by one, within what max_signals leaves
    for (const k of loose) {
      if (alerts.length >= max - buckets.length) break;
      const hit = k.ev.hit;
      const id = queryAlertId(hit, ctx.spaceId, this.er.ruleUuid);
      if (seen(id)) {
        duplicates++;
        continue;
      }
      alerts.push(eventAlert(this.er, k.ev, ctx, id, hit));
    }
    const cands: Candidate[] = [];
    for (const g of buckets) {
      const terms = this.cfg.groupBy.map((field, i) => ({ field, value: g.key[i] }));
      const hit = g.first.ev.hit;
      const id = groupAlertId(hit, ctx.spaceId, this.er.ruleUuid, terms, g.start, g.end);
      if (seen(id)) {
        duplicates++;
        continue;
      }
      cands.push(asCandidate(eventAlert(this.er, g.first.ev, ctx, id, hit), [], terms, g.start, g.end, instanceIdOf(terms, this.er.ruleUuid, ctx.spaceId), g.count - 1));
    }
    // Without a duration every execution creates its groups' alerts (Kibana bulk-creates them plainly).
    if (this.cfg.durationMs === undefined) {
      let suppressed = 0;
      for (const c of cands) {
        alerts.push(sendable(c.alert));
        suppressed += c.docs;
      }
      return { alerts, duplicates, truncated, suppressed };
    }
    const out = this.suppressor.apply(cands, ctx, { windowStart: ctx.now - this.cfg.durationMs, perExecution: false, lateEventsCount: false, maxAlerts: Infinity });
    return { alerts: [...alerts, ...out.alerts], updates: out.updates, duplicates, truncated, suppressed: out.suppressed };
  }

  skip(): void {}

  commit(): void {
    this.env.store.setSuppressionHistory(this.er.rule.rule_id, [...this.history].map(([key, endDate]) => ({ key, endDate })));
  }

  finish(): void {}
}

/**
 * Stream mode: each event's groups are candidates as it arrives (suppression start = end = its time,
 * docs_count 0) and fold into the instance's alert of the suppression window (streamWindow).
 */
class SuppressedQueryStream implements StreamRule {
  private readonly suppressor: AlertSuppressor;
  constructor(
    private readonly er: EngineRule,
    private readonly cfg: SuppressionConfig,
    env: RuleTypeEnv,
  ) {
    this.suppressor = new AlertSuppressor(env.store);
  }
  consider(): boolean {
    return true;
  }
  lookup(): void {}
  decide(ev: InputEvent, t: number, ctx: AlertContext, seen: (id: string) => boolean): StreamOutcome {
    const rule = this.er.rule;
    const keys = groupKeys(ev._source, this.cfg);
    if (keys === undefined) {
      const id = queryAlertId(ev, ctx.spaceId, this.er.ruleUuid);
      if (seen(id)) return { alerts: [], duplicates: 1 };
      return { alerts: [arrivedEventAlert(rule, ev, id, ctx, t)], duplicates: 0 };
    }
    const cands: Candidate[] = [];
    let duplicates = 0;
    for (const key of keys) {
      const terms = this.cfg.groupBy.map((field, i) => ({ field, value: key[i] }));
      const id = groupAlertId(ev, ctx.spaceId, this.er.ruleUuid, terms, t, t);
      if (seen(id)) {
        duplicates++;
        continue;
      }
      const doc = buildAlert(rule, ev, id, ctx);
      cands.push(asCandidate({ id, ruleId: rule.rule_id, eventTime: t, doc }, [], terms, t, t, instanceIdOf(terms, this.er.ruleUuid, ctx.spaceId)));
    }
    const out = this.suppressor.apply(cands, ctx, streamWindow(this.er, this.cfg, ctx));
    return { alerts: out.alerts, updates: out.updates, duplicates, suppressed: out.suppressed };
  }
  commit(): void {}
  finish(): void {}
  warnings(): string[] {
    return [];
  }
}

/** A group alert's id: objectHash([_index, _id, "undefined", "<space>:<rule uuid>", terms, start, end]). */
function groupAlertId(hit: Pick<InputEvent, "_index" | "_id">, spaceId: string, ruleUuid: string, terms: unknown, start: number, end: number): string {
  return objectHash([hit._index, hit._id, "undefined", `${spaceId}:${ruleUuid}`, terms, new Date(start), new Date(end)] as unknown as object);
}

export const suppressedQueryRuleType: RuleTypeDefinition = {
  types: ["query"],
  accepts: (rule) => suppressionConfig(rule.alert_suppression) !== undefined,
  replay: (er, env) => new SuppressedQueryReplay(er, suppressionConfig(er.rule.alert_suppression) as SuppressionConfig, env),
  stream: (er, env) => new SuppressedQueryStream(er, suppressionConfig(er.rule.alert_suppression) as SuppressionConfig, env),
};
