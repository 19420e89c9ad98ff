// Alert suppression as Kibana's rule registry applies it to alerts built one by one (its
// `alertWithSuppression`, rule_registry/server/utils/create_persistence_rule_type_wrapper.ts, fed by
// security_solution rule_types/utils/bulk_create_suppressed_alerts_in_memory.ts, wrap_suppressed_alerts.ts,
// new_terms/wrap_suppressed_new_terms_alerts.ts, threshold/wrap_suppressed_threshold_alerts.ts and
// utils/suppression_utils.ts). Query rules in replay group a whole window first (suppressed-query.ts); every
// other suppressed alert goes through `AlertSuppressor.apply`:
//
// 1. Each candidate alert carries kibana.alert.instance.id = objectHash([terms, rule uuid, space]),
//    kibana.alert.suppression.terms/start/end and docs_count 0.
// 2. The newest alert of each instance started at or after the suppression window's start (now - duration,
//    or the execution's `from` without a duration) is the existing one. A candidate an existing alert of
//    another execution already reaches (its end ≥ the candidate's) is dropped: an overlapping look-back
//    counted it.
// 3. Candidates of one instance fold into the earliest (by suppression start): docs_count sums, end is the
//    latest.
// 4. A candidate whose instance has an existing alert (without a duration: one of this execution) extends
//    it: end moves forward, docs_count grows by the candidate's events, last_detected becomes now. Others
//    are created, at most `maxAlerts`.

import objectHash from "object-hash";
import type { EventDoc, InputEvent } from "../../event/types.js";
import { getValues } from "../../event/fields.js";
import { isJsonObject } from "../../util/json-object.js";
import type { SqliteStore } from "../../state/sqlite.js";
import { alertEvent, type AlertContext } from "../alert.js";
import type { EngineRule } from "../ports.js";
import { ruleSchedule, type Execution } from "../schedule.js";
import type { CutCounts, ExecutionOutcome, PendingAlert, ReplayRule, RuleTypeDefinition, RuleTypeEnv, StreamOutcome, StreamRule } from "./types.js";

/** Kibana lets created plus suppressed alerts of one execution reach this many times max_signals. */
export const MAX_SIGNALS_SUPPRESSION_MULTIPLIER = 5;

export interface SuppressionConfig {
  readonly groupBy: readonly string[];
  readonly durationMs?: number;
  readonly suppressMissing: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * The rule's `[rule.alert_suppression]`, or undefined when it has none. Threshold rules suppress by their
 * threshold fields and give only a duration.
 */
export function suppressionConfig(raw: Readonly<Record<string, unknown>> | undefined, ruleType?: string): SuppressionConfig | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw.group_by) && ruleType !== "threshold") return undefined;
  const groupBy = Array.isArray(raw.group_by) ? raw.group_by.filter((f): f is string => typeof f === "string") : [];
  const d = raw.duration as { value?: unknown; unit?: unknown } | undefined;
  const durationMs = d !== undefined && typeof d.value === "number" && typeof d.unit === "string" && UNIT_MS[d.unit] !== undefined ? d.value * UNIT_MS[d.unit] : undefined;
  return { groupBy, durationMs, suppressMissing: raw.missing_fields_strategy !== "doNotSuppress" };
}

export interface SuppressionTerm {
  readonly field: string;
  readonly value: unknown;
}

/**
 * lodash sortBy's order for the values of one term: JavaScript's < and > (numbers by value, text by code
 * units), ties and incomparable pairs in input order (Array.prototype.sort is stable).
 */
export function compareValues(a: unknown, b: unknown): number {
  const x = a as string | number;
  const y = b as string | number;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The terms of an event's alert as Kibana reads them from the hit's `fields` (getSuppressionTerms): each
 * group_by field's values as a sorted array, null when the event has none.
 */
export function eventTerms(alertDoc: EventDoc, groupBy: readonly string[]): SuppressionTerm[] {
  const event = alertEvent(alertDoc);
  return groupBy.map((field) => {
    const vals = getValues(event, field).filter((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean");
    return { field, value: vals.length === 0 ? null : vals.sort(compareValues) };
  });
}

/**
 * lodash-free `robustGet`: the value at `key` where any run of its dot-separated parts may be one key of
 * the document (`{"a.b": {"c": 1}}`, `{"a": {"b.c": 1}}`); arrays are not looked into.
 */
export function robustGet(doc: unknown, key: string): unknown {
  if (!isJsonObject(doc)) return undefined;
  if (Object.prototype.hasOwnProperty.call(doc, key)) return doc[key];
  const parts = key.split(".");
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = parts.slice(0, i).join(".");
    if (!Object.prototype.hasOwnProperty.call(doc, head)) continue;
    const got = robustGet(doc[head], parts.slice(i).join("."));
    if (got !== undefined) return got;
  }
  return undefined;
}

/** The terms of a sequence's shell alert, read from its own document (the events' common fields). */
export function shellTerms(shellDoc: EventDoc, groupBy: readonly string[]): SuppressionTerm[] {
  return groupBy.map((field) => {
    const v = robustGet(shellDoc, field) ?? null;
    return { field, value: Array.isArray(v) ? [...(v as unknown[])].sort(compareValues) : v };
  });
}

export function instanceIdOf(terms: unknown, ruleUuid: string, spaceId: string): string {
  return objectHash([terms, ruleUuid, spaceId] as unknown as object);
}

/** An alert not yet serialised: the suppressor decides its final document first. */
export type UnsentAlert = Omit<PendingAlert, "json">;

/** The alert with its `json`, serialised once, when it is sure to be written. */
export function sendable(a: UnsentAlert): PendingAlert {
  return { ...a, json: JSON.stringify(a.doc) };
}

/** An alert (and, for a sequence's shell, its building blocks) offered to the suppressor. */
export interface Candidate {
  readonly alert: UnsentAlert;
  readonly blocks: readonly PendingAlert[];
  readonly instanceId: string;
  readonly start: number;
  readonly end: number;
  /** Events already folded into it (a query rule's group): its docs_count. */
  readonly docs: number;
}

/** The alert with Kibana's suppression fields added. */
export function asCandidate(alert: UnsentAlert, blocks: readonly PendingAlert[], terms: readonly SuppressionTerm[], start: number, end: number, instanceId: string, docs = 0): Candidate {
  const doc: EventDoc = {
    ...alert.doc,
    "kibana.alert.instance.id": instanceId,
    "kibana.alert.suppression.terms": terms as unknown as EventDoc[string],
    "kibana.alert.suppression.start": new Date(start).toISOString(),
    "kibana.alert.suppression.end": new Date(end).toISOString(),
    "kibana.alert.suppression.docs_count": docs,
  };
  return { alert: { ...alert, doc }, blocks, instanceId, start, end, docs };
}

export interface SuppressionOutcome {
  /** Created alerts, each followed by its building blocks, in output order. */
  readonly alerts: PendingAlert[];
  /** Existing alerts extended, with their new documents. */
  readonly updates: PendingAlert[];
  /** Events (candidates) folded into another alert. */
  readonly suppressed: number;
  /** Candidates an existing alert had already counted (an overlapping look-back). */
  readonly counted: number;
  /** Created alerts cut at maxAlerts. */
  readonly truncated: boolean;
}

interface Known {
  readonly id: string;
  readonly doc: EventDoc;
}

export interface ApplyOptions {
  /** Earliest kibana.alert.start an existing alert may have. */
  readonly windowStart: number;
  /** Without a duration, candidates extend only alerts this execution created. */
  readonly perExecution: boolean;
  /**
   * Stream mode reads each event once, so a candidate an existing alert reaches past is an event that
   * arrived late, not one counted twice: it extends the alert instead of being dropped.
   */
  readonly lateEventsCount: boolean;
  readonly maxAlerts: number;
}

const iso = (doc: EventDoc, key: string): string => String(doc[key] ?? "");

/** One rule's suppression instances: the newest alert of each, this run's first, then the memory's. */
export class AlertSuppressor {
  private readonly known = new Map<string, Known>();
  constructor(private readonly store: SqliteStore) {}

  private existing(instanceId: string, windowStart: number): Known | undefined {
    const mine = this.known.get(instanceId);
    if (mine !== undefined) return Date.parse(iso(mine.doc, "kibana.alert.start")) >= windowStart ? mine : undefined;
    const stored = this.store.latestAlertOfInstance(instanceId, windowStart);
    if (stored === undefined) return undefined;
    const doc = JSON.parse(stored) as EventDoc;
    const found = { id: String(doc["kibana.alert.uuid"]), doc };
    this.known.set(instanceId, found);
    return found;
  }

  apply(cands: readonly Candidate[], ctx: AlertContext, o: ApplyOptions): SuppressionOutcome {
    const execution = (k: Known): string => iso(k.doc, "kibana.alert.rule.execution.uuid");
    let counted = 0;
    const live: Candidate[] = [];
    for (const c of cands) {
      const ex = o.lateEventsCount ? undefined : this.existing(c.instanceId, o.windowStart);
      if (ex !== undefined && execution(ex) !== ctx.executionUuid && iso(ex.doc, "kibana.alert.suppression.end") >= new Date(c.end).toISOString()) {
        counted++;
        continue;
      }
      live.push(c);
    }
    // In memory: the earliest candidate of an instance takes the others' events.
    const order = live.map((c, i) => ({ c, i })).sort((a, b) => a.c.start - b.c.start || a.i - b.i);
    const folded = new Map<string, { c: Candidate; docs: number; end: number }>();
    for (const { c } of order) {
      const f = folded.get(c.instanceId);
      if (f === undefined) folded.set(c.instanceId, { c, docs: c.docs, end: c.end });
      else {
        f.docs += c.docs + 1;
        if (c.end > f.end) f.end = c.end;
      }
    }
    const alerts: PendingAlert[] = [];
    const updates: PendingAlert[] = [];
    let created = 0;
    let truncated = false;
    // Every event a candidate stands for is suppressed but the first of each created alert.
    let suppressed = 0;
    for (const c of live) suppressed += c.docs + 1;
    for (const { c, docs, end } of folded.values()) {
      const ex = this.existing(c.instanceId, o.windowStart);
      const extend = ex !== undefined && (!o.perExecution || execution(ex) === ctx.executionUuid);
      if (extend) {
        const d: EventDoc = { ...ex.doc };
        const endIso = new Date(end).toISOString();
        if (!(iso(d, "kibana.alert.suppression.end") >= endIso)) d["kibana.alert.suppression.end"] = endIso;
        const startIso = new Date(c.start).toISOString();
        if (execution(ex) === ctx.executionUuid && iso(d, "kibana.alert.suppression.start") >= startIso) d["kibana.alert.suppression.start"] = startIso;
        d["kibana.alert.last_detected"] = new Date(ctx.now).toISOString();
        d["kibana.alert.suppression.docs_count"] = Number(d["kibana.alert.suppression.docs_count"] ?? 0) + docs + 1;
        // one folded candidate per instance, so each existing alert is extended once per call
        updates.push(sendable({ id: ex.id, ruleId: c.alert.ruleId, eventTime: c.alert.eventTime, doc: d }));
        this.known.set(c.instanceId, { id: ex.id, doc: d });
        continue;
      }
      if (created >= o.maxAlerts) {
        truncated = true;
        suppressed -= docs + 1;
        continue;
      }
      created++;
      suppressed--;
      const alert = docs !== c.docs || end !== c.end ? sendable({ ...c.alert, doc: { ...c.alert.doc, "kibana.alert.suppression.docs_count": docs, "kibana.alert.suppression.end": new Date(end).toISOString() } }) : sendable(c.alert);
      alerts.push(alert, ...c.blocks);
      this.known.set(c.instanceId, { id: alert.id, doc: alert.doc });
    }
    return { alerts, updates, suppressed, counted, truncated };
  }
}

/** Kibana's cap on what a suppressed rule's search may return per execution, before the suppressor's own. */
export function searchCap(er: EngineRule): number {
  return er.rule.max_signals * MAX_SIGNALS_SUPPRESSION_MULTIPLIER;
}

/**
 * The suppression window of stream mode, where a batch is an execution: the duration before now, or
 * without one the rule's interval, so that "one alert per instance and execution" means one per interval
 * whatever the batch sizes.
 */
export function streamWindow(er: EngineRule, cfg: SuppressionConfig, ctx: AlertContext): ApplyOptions {
  return { windowStart: ctx.now - (cfg.durationMs ?? ruleSchedule(er.rule).intervalMs), perExecution: false, lateEventsCount: true, maxAlerts: er.rule.max_signals };
}

/**
 * Kibana's suppression time of a sequence's shell: its primary timestamp field, else @timestamp when the
 * override may fall back, else the shell's own @timestamp.
 */
function shellTime(doc: EventDoc, er: EngineRule, now: number): number {
  const rule = er.rule;
  const primary = robustGet(doc, rule.timestamp_override ?? "@timestamp");
  const secondary = rule.timestamp_override !== undefined && rule.timestamp_override_fallback_disabled !== true ? robustGet(doc, "@timestamp") : undefined;
  const t = Date.parse(String(primary ?? secondary ?? doc["@timestamp"]));
  return Number.isNaN(t) ? now : t;
}

/**
 * A rule type's alerts through the suppressor: an event's alert or a sequence's shell (its building blocks
 * follow it and are created only with it) becomes a candidate; under doNotSuppress, one missing a group_by
 * value is created as it is, first, as Kibana bulk-creates the unsuppressible ones before the rest.
 */
export function suppressAlerts(alerts: readonly PendingAlert[], er: EngineRule, cfg: SuppressionConfig, suppressor: AlertSuppressor, ctx: AlertContext, o: ApplyOptions): SuppressionOutcome {
  const plain: PendingAlert[] = [];
  const cands: Candidate[] = [];
  let plainCreated = 0;
  let truncated = false;
  for (let i = 0; i < alerts.length; i++) {
    const a = alerts[i];
    const blocks: PendingAlert[] = [];
    while (i + 1 < alerts.length && alerts[i + 1].doc["kibana.alert.group.index"] !== undefined) blocks.push(alerts[++i]);
    const shell = a.doc["kibana.alert.group.id"] !== undefined;
    const terms = shell ? shellTerms(a.doc, cfg.groupBy) : eventTerms(a.doc, cfg.groupBy);
    if (!cfg.suppressMissing && terms.some((t) => t.value === null)) {
      if (plainCreated >= o.maxAlerts) truncated = true;
      else {
        plainCreated++;
        plain.push(a, ...blocks);
      }
      continue;
    }
    const t = shell ? shellTime(a.doc, er, ctx.now) : a.eventTime;
    cands.push(asCandidate(a, blocks, terms, t, t, instanceIdOf(terms, er.ruleUuid, ctx.spaceId)));
  }
  const out = suppressor.apply(cands, ctx, { ...o, maxAlerts: o.maxAlerts - plainCreated });
  return { ...out, alerts: [...plain, ...out.alerts], truncated: truncated || out.truncated };
}

class SuppressedReplay implements ReplayRule {
  private readonly suppressor: AlertSuppressor;
  constructor(
    private readonly inner: ReplayRule,
    private readonly er: EngineRule,
    private readonly cfg: SuppressionConfig,
    env: RuleTypeEnv,
  ) {
    this.suppressor = new AlertSuppressor(env.store);
  }
  collect(ev: InputEvent, t: number, spill: () => number, seq: number): boolean {
    return this.inner.collect(ev, t, spill, seq);
  }
  times(): ArrayLike<number> {
    return this.inner.times();
  }
  prepare(firstExecutionFrom: number, learnedFrom: number): void {
    this.inner.prepare(firstExecutionFrom, learnedFrom);
  }
  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    const out = this.inner.execute(exec, ctx, seen);
    const perExecution = this.cfg.durationMs === undefined;
    const windowStart = perExecution ? exec.from : ctx.now - (this.cfg.durationMs as number);
    const res = suppressAlerts(out.alerts, this.er, this.cfg, this.suppressor, ctx, { windowStart, perExecution, lateEventsCount: false, maxAlerts: this.er.rule.max_signals });
    return { alerts: res.alerts, updates: res.updates, duplicates: out.duplicates, truncated: out.truncated || res.truncated, suppressed: res.suppressed, withNewTerm: out.withNewTerm };
  }
  skip(exec: Execution): void {
    this.inner.skip(exec);
  }
  commit(exec: Execution): void {
    this.inner.commit(exec);
  }
  finish(last: Execution): void {
    this.inner.finish(last);
  }
  cut(): CutCounts {
    return this.inner.cut?.() ?? { events: 0, combinations: 0 };
  }
}

class SuppressedStream implements StreamRule {
  private readonly suppressor: AlertSuppressor;
  readonly flush?: (ctx: AlertContext, seen: (id: string) => boolean) => StreamOutcome;
  constructor(
    private readonly inner: StreamRule,
    private readonly er: EngineRule,
    private readonly cfg: SuppressionConfig,
    env: RuleTypeEnv,
  ) {
    this.suppressor = new AlertSuppressor(env.store);
    const flush = inner.flush;
    if (flush !== undefined) this.flush = (ctx, seen) => this.suppress(flush.call(inner, ctx, seen), ctx);
  }
  private suppress(out: StreamOutcome, ctx: AlertContext): StreamOutcome {
    if (out.alerts.length === 0) return out;
    const res = suppressAlerts(out.alerts, this.er, this.cfg, this.suppressor, ctx, streamWindow(this.er, this.cfg, ctx));
    return { alerts: res.alerts, updates: res.updates, duplicates: out.duplicates, suppressed: res.suppressed, withNewTerm: out.withNewTerm };
  }
  consider(ev: InputEvent, t: number): boolean {
    return this.inner.consider(ev, t);
  }
  lookup(): void {
    this.inner.lookup();
  }
  decide(ev: InputEvent, t: number, ctx: AlertContext, seen: (id: string) => boolean): StreamOutcome {
    return this.suppress(this.inner.decide(ev, t, ctx, seen), ctx);
  }
  commit(): void {
    this.inner.commit();
  }
  finish(newestEvent: number): void {
    this.inner.finish(newestEvent);
  }
  warnings(): string[] {
    return this.inner.warnings();
  }
  cut(): CutCounts {
    return this.inner.cut?.() ?? { events: 0, combinations: 0 };
  }
}

/**
 * A rule type whose alerts Kibana suppresses one by one (new_terms, EQL): the same type, its search
 * allowed 5 × max_signals results, its alerts through the suppressor.
 */
export function withAlertSuppression(def: RuleTypeDefinition): RuleTypeDefinition {
  const cfgOf = (er: EngineRule): SuppressionConfig => suppressionConfig(er.rule.alert_suppression, er.rule.type) as SuppressionConfig;
  const widened = (er: EngineRule): EngineRule => ({ ...er, resultCap: searchCap(er) });
  return {
    types: def.types,
    accepts: (rule) => suppressionConfig(rule.alert_suppression, rule.type) !== undefined && (def.accepts?.(rule) ?? true),
    replay: (er, env) => new SuppressedReplay(def.replay(widened(er), env), er, cfgOf(er), env),
    stream: (er, env) => new SuppressedStream(def.stream(widened(er), env), er, cfgOf(er), env),
  };
}
