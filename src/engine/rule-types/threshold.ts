// Threshold rules (type "threshold"), as Kibana's threshold executor runs them (docs/engine.md "Threshold
// rules"; Kibana rule_types/threshold/): per execution window, a composite aggregation over the threshold
// fields (no fields: one bucket of every matching event) keeps buckets with count ≥ value and, with a
// cardinality clause, distinct values ≥ its value; each bucket becomes an alert built from a synthetic
// document, not from an event. The signal history (the newest alert's time per bucket) leaves out the
// bucket's events at or before that time in later executions. With alert suppression (a duration), an
// open alert of the same values takes a bucket instead of a new alert. Replay only: stream mode refuses
// these rules.

import { createHash } from "node:crypto";
import objectHash from "object-hash";
import type { EventDoc, InputEvent } from "../../event/types.js";
import { fieldAccessor } from "../../event/fields.js";
import type { Rule, ThresholdParams } from "../../rules/model.js";
import type { ThresholdHistoryRow } from "../../state/sqlite.js";
import type { EngineRule } from "../ports.js";
import { buildAlert, queryAlertId, type AlertContext } from "../alert.js";
import type { Execution } from "../schedule.js";
import { MAX_TERM_COMBINATIONS_PER_EVENT, compareCombo, compareTerm, lowerBound, productInOrder, termSets, type TermValue } from "./new-terms.js";
import { AlertSuppressor, asCandidate, compareValues, suppressionConfig, type Candidate, type SuppressionConfig } from "./suppression.js";
import type { CutCounts, DecidedCounts, ExecutionOutcome, PendingAlert, ReplayRule, RuleTypeDefinition, RuleTypeEnv, StreamRule } from "./types.js";

/** Why stream mode refuses threshold rules (the CLI skips them with this reason). */
export const THRESHOLD_STREAM_REFUSAL =
  "threshold rules run in replay mode only: Kibana counts each execution's whole window at once, which a per-event stream cannot reproduce";

/** Kibana's namespace for threshold signal uuids (threshold/utils.ts calculateThresholdSignalUuid). */
const THRESHOLD_NAMESPACE = "0684ec03-7201-4ee0-8ee0-3a3f6b2479b2";

/** RFC 4122 version-5 uuid (sha1 of namespace bytes + name), as the `uuid` package's v5 computes it. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const h = createHash("sha1").update(ns).update(name, "utf8").digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The synthetic document's `_id`: uuid v5 of rule_id + execution start (ISO) + the threshold fields joined
 * with "," + the bucket's values, sorted as JavaScript's default sort does (by their string forms), joined
 * with ",". The rule_id is the signature id, not the saved-object id; the start time makes every
 * execution's ids differ, so the history, not the id, stops repeats.
 */
export function thresholdSignalUuid(ruleId: string, startedAt: number, fields: readonly string[], values: readonly TermValue[]): string {
  const key = values.map(String).sort().join(",");
  return uuidV5(`${ruleId}${new Date(startedAt).toISOString()}${fields.join(",")}${key}`, THRESHOLD_NAMESPACE);
}

export interface ThresholdTerm {
  readonly field: string;
  readonly value: TermValue;
}

/** Kibana's getThresholdTermsHash: sha256 hex of "field:value" pairs sorted by field, joined with ",". */
export function thresholdTermsHash(terms: readonly ThresholdTerm[]): string {
  const sorted = [...terms].sort((a, b) => (a.field > b.field ? 1 : -1));
  return createHash("sha256")
    .update(sorted.map((t) => `${t.field}:${String(t.value)}`).join(","))
    .digest("hex");
}

export interface HistoryEntry {
  readonly terms: readonly ThresholdTerm[];
  readonly lastSignal: number;
}

/** A matched event as a threshold rule keeps it: its time, bucket keys, and cardinality-field values. */
export interface ThresholdEvent {
  readonly t: number;
  readonly seq: number;
  /** Its composite keys (the cartesian product of each field's distinct values); `[[]]` without fields. */
  readonly keys: readonly (readonly TermValue[])[];
  /** Values of each field, as strings, for the history's term filters. */
  readonly fieldValues: readonly (readonly string[])[];
  /** Distinct values of the cardinality field (type-tagged so 1 and "1" stay apart). */
  readonly distinct: readonly string[];
}

export interface ThresholdBucket {
  readonly key: readonly TermValue[];
  readonly count: number;
  readonly minT: number;
  readonly maxT: number;
  /** Distinct values of the cardinality field; undefined without a cardinality clause. */
  readonly cardinality?: number;
}

function termValue(v: unknown): TermValue | undefined {
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return undefined;
}

/**
 * Reads a rule's threshold view of a document. Composite keys keep booleans as true/false, numbers as
 * numbers. Past `limit` combinations an event keeps the smallest keys (the composite pages reach them
 * first) and `onCut` hears how many were left out.
 */
export function thresholdExtractor(th: ThresholdParams, limit: number = MAX_TERM_COMBINATIONS_PER_EVENT, onCut?: (left: number) => void) {
  const accessors = th.field.map(fieldAccessor);
  const card = th.cardinality !== undefined && th.cardinality.length > 0 ? fieldAccessor(th.cardinality[0].field) : undefined;
  return (doc: EventDoc, t: number, seq: number): ThresholdEvent | undefined => {
    // A composite aggregation without missing_bucket skips documents that lack a source field.
    const sets = termSets(accessors, doc, false);
    if (sets === undefined) return undefined;
    for (const vals of sets) vals.sort(compareTerm);
    const total = sets.reduce((n, vals) => n * vals.length, 1);
    if (total > limit) onCut?.(total - limit);
    const keys = productInOrder(sets, limit);
    const distinct = new Set<string>();
    if (card !== undefined) {
      for (const raw of card(doc)) {
        const v = termValue(raw);
        if (v !== undefined) distinct.add(typeof v + ":" + String(v));
      }
    }
    return { t, seq, keys, fieldValues: sets.map((vals) => vals.map(String)), distinct: [...distinct] };
  };
}

/**
 * Whether the history leaves the event out: some entry's time is ≥ the event's and each of its terms
 * matches one of the event's values (Kibana's bucket filter: must_not of range ≤ lastSignal plus a `term`
 * query per field with the value as a string).
 */
export function excludedByHistory(ev: ThresholdEvent, fields: readonly string[], history: Iterable<HistoryEntry>): boolean {
  for (const h of history) {
    if (ev.t > h.lastSignal) continue;
    let all = true;
    for (const term of h.terms) {
      const i = fields.indexOf(term.field);
      if (i < 0 || !ev.fieldValues[i].includes(String(term.value))) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

/**
 * The buckets of one execution over `events` (already in the window and past the history), in composite
 * key order, that meet count ≥ value and (with a cardinality clause) distinct values ≥ its value.
 */
export function thresholdBuckets(events: Iterable<ThresholdEvent>, th: ThresholdParams): ThresholdBucket[] {
  const acc = new Map<string, { key: readonly TermValue[]; count: number; minT: number; maxT: number; distinct: Set<string> }>();
  for (const ev of events) {
    for (const key of ev.keys) {
      const k = JSON.stringify(key);
      let b = acc.get(k);
      if (b === undefined) acc.set(k, (b = { key, count: 0, minT: ev.t, maxT: ev.t, distinct: new Set() }));
      b.count++;
      if (ev.t < b.minT) b.minT = ev.t;
      if (ev.t > b.maxT) b.maxT = ev.t;
      for (const d of ev.distinct) b.distinct.add(d);
    }
  }
  const card = th.cardinality !== undefined && th.cardinality.length > 0 ? th.cardinality[0] : undefined;
  const out: ThresholdBucket[] = [];
  for (const b of acc.values()) {
    if (b.count < th.value) continue;
    if (card !== undefined && b.distinct.size < card.value) continue;
    out.push({ key: b.key, count: b.count, minT: b.minT, maxT: b.maxT, cardinality: card === undefined ? undefined : b.distinct.size });
  }
  return out.sort((a, b) => compareCombo(a.key, b.key));
}

/** `kibana.alert.threshold_result` of a bucket (threshold/bulk_create_threshold_signals.ts getTransformedHits). */
export function thresholdResult(th: ThresholdParams, b: ThresholdBucket): Record<string, unknown> {
  const out: Record<string, unknown> = { terms: th.field.map((field, i) => ({ field, value: b.key[i] })) };
  if (th.cardinality !== undefined && th.cardinality.length > 0) out.cardinality = [{ field: th.cardinality[0].field, value: b.cardinality }];
  out.count = b.count;
  out.from = new Date(b.minT).toISOString();
  return out;
}

/**
 * The synthetic hit Kibana turns into the alert: `_index` the rule's index patterns joined with ",",
 * `_id` the threshold signal uuid, `_source` = @timestamp (the bucket's newest event), the threshold
 * fields as flat keys set to the bucket's values, and `threshold_result`.
 */
export function thresholdHit(rule: Rule, th: ThresholdParams, b: ThresholdBucket, startedAt: number): InputEvent {
  const source: EventDoc = { "@timestamp": new Date(b.maxT).toISOString() };
  th.field.forEach((f, i) => (source[f] = b.key[i]));
  source.threshold_result = thresholdResult(th, b) as EventDoc[string];
  return {
    _index: (rule.index ?? []).join(","),
    _id: thresholdSignalUuid(rule.rule_id, startedAt, th.field, b.key),
    _source: source,
    loc: { file: "", line: 0, byteOffset: 0 },
  };
}

export function thresholdOf(rule: Rule): ThresholdParams {
  return rule.threshold ?? { field: [], value: 1 };
}

/** A bucket's terms ({field, value} per threshold field) and the history row its alert leaves. */
export function thresholdHistoryRow(th: ThresholdParams, b: ThresholdBucket): { terms: ThresholdTerm[]; row: ThresholdHistoryRow } {
  const terms = th.field.map((field, i) => ({ field, value: b.key[i] }));
  return { terms, row: { hash: thresholdTermsHash(terms), terms: JSON.stringify(terms), lastSignal: b.maxT } };
}

/** The signal history rows of the memory as entries by hash. */
export function parseHistory(rows: readonly ThresholdHistoryRow[]): Map<string, HistoryEntry> {
  const out = new Map<string, HistoryEntry>();
  for (const r of rows) out.set(r.hash, { terms: JSON.parse(r.terms) as ThresholdTerm[], lastSignal: r.lastSignal });
  return out;
}

/** Distinct value sets a threshold rule's replay shares among its kept events (ThresholdReplay.setOf). */
const MAX_SHARED_SETS = 65_536;

/** The value arrays of a kept threshold event (shared by the events that have the same ones). */
type ValueSet = Pick<ThresholdEvent, "keys" | "fieldValues" | "distinct">;

class ThresholdReplay implements ReplayRule {
  /**
   * Kept events as columns: time, input order and value set (an index into `valueSets`). A threshold over
   * every event (`event.kind:event` by host.name) keeps an event per line read, and most lines repeat a
   * few value sets: as objects with arrays of their own they cost about 400 bytes an event, as columns
   * about 24.
   */
  private evT: number[] = [];
  private evSeq: number[] = [];
  private evSet: number[] = [];
  private readonly valueSets: ValueSet[] = [];
  /** Value sets by their JSON, while fewer than MAX_SHARED_SETS (beyond, each event gets its own). */
  private readonly setIds = new Map<string, number>();
  private readonly th: ThresholdParams;
  private readonly extract: ReturnType<typeof thresholdExtractor>;
  private readonly cutCount = { events: 0, combinations: 0 };
  private history = new Map<string, HistoryEntry>();
  /** Per execution (startedAt) not yet committed: its new history entries. */
  private readonly pending = new Map<number, ThresholdHistoryRow[]>();
  private sorted = true;
  private eventTimes: number[] = [];

  private readonly suppression: (SuppressionConfig & { durationMs: number }) | undefined;
  private readonly suppressor: AlertSuppressor;

  constructor(
    private readonly er: EngineRule,
    private readonly env: RuleTypeEnv,
    /**
     * Each execution's qualifying buckets as an outside executor found them (the cluster's own composite
     * aggregations, with the same signal history in their query): the rule then reads no events.
     */
    private readonly decided?: { readonly buckets: ReadonlyMap<number, readonly ThresholdBucket[]>; readonly counts: DecidedCounts },
  ) {
    this.th = thresholdOf(er.rule);
    const cfg = suppressionConfig(er.rule.alert_suppression, "threshold");
    this.suppression = cfg?.durationMs === undefined ? undefined : { ...cfg, durationMs: cfg.durationMs };
    this.suppressor = new AlertSuppressor(env.store);
    this.extract = thresholdExtractor(this.th, MAX_TERM_COMBINATIONS_PER_EVENT, (left) => {
      this.cutCount.events++;
      this.cutCount.combinations += left;
    });
  }

  collect(ev: InputEvent, t: number, _spill: () => number, seq: number): boolean {
    const te = this.extract(ev._source, t, seq);
    if (te === undefined) return false;
    const n = this.evT.length;
    if (n > 0 && t < this.evT[n - 1]) this.sorted = false;
    this.evT.push(t);
    this.evSeq.push(seq);
    this.evSet.push(this.setOf(te));
    return true;
  }

  /** The index of the event's value set, shared with earlier events that have the same one. */
  private setOf(te: ValueSet): number {
    const key = JSON.stringify([te.keys, te.fieldValues, te.distinct]);
    const known = this.setIds.get(key);
    if (known !== undefined) return known;
    const id = this.valueSets.length;
    this.valueSets.push({ keys: te.keys, fieldValues: te.fieldValues, distinct: te.distinct });
    if (this.setIds.size < MAX_SHARED_SETS) this.setIds.set(key, id);
    return id;
  }

  times(): number[] {
    if (this.decided !== undefined) return [...this.decided.buckets.values()].flatMap((bs) => bs.map((b) => b.maxT)).sort((a, b) => a - b);
    if (!this.sorted) {
      const { evT, evSeq, evSet } = this;
      const order = evT.map((_, i) => i).sort((a, b) => evT[a] - evT[b] || evSeq[a] - evSeq[b]);
      this.evT = order.map((i) => evT[i]);
      this.evSeq = order.map((i) => evSeq[i]);
      this.evSet = order.map((i) => evSet[i]);
    }
    this.sorted = true;
    this.eventTimes = this.evT;
    return this.eventTimes;
  }

  prepare(): void {
    this.history = parseHistory(this.env.store.thresholdHistory(this.er.rule.rule_id));
  }

  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    const rule = this.er.rule;
    const th = this.th;
    // Kibana keeps only history entries newer than the window start (threshold/utils.ts getSignalHistory).
    for (const [h, e] of this.history) if (e.lastSignal <= exec.from) this.history.delete(h);
    const history = [...this.history.values()];
    const lo = lowerBound(this.eventTimes, exec.from);
    const inWindow: ThresholdEvent[] = [];
    for (let i = lo; i < this.evT.length && this.evT[i] <= exec.to; i++) {
      const ev: ThresholdEvent = { t: this.evT[i], seq: this.evSeq[i], ...this.valueSets[this.evSet[i]] };
      if (!excludedByHistory(ev, th.field, history)) inWindow.push(ev);
    }
    const buckets = this.decided !== undefined ? [...(this.decided.buckets.get(exec.startedAt) ?? [])] : thresholdBuckets(inWindow, th);
    if (this.suppression !== undefined) return this.executeSuppressed(exec, ctx, seen, buckets, this.suppression);
    const truncated = buckets.length > rule.max_signals;
    const alerts: PendingAlert[] = [];
    const created: ThresholdHistoryRow[] = [];
    let duplicates = 0;
    for (const b of buckets.slice(0, rule.max_signals)) {
      const hit = thresholdHit(rule, th, b, exec.startedAt);
      const id = queryAlertId(hit, ctx.spaceId, this.er.ruleUuid);
      if (seen(id) || alerts.some((a) => a.id === id)) {
        duplicates++;
        continue;
      }
      const doc = this.bucketDoc(hit, id, ctx);
      alerts.push({ id, ruleId: rule.rule_id, eventTime: b.maxT, doc, json: JSON.stringify(doc) });
      created.push(this.historyRow(b).row);
    }
    this.remember(exec, created);
    return { alerts, duplicates, truncated };
  }

  /**
   * With alert suppression (Kibana's threshold/bulk_create_suppressed_threshold_alerts.ts and
   * wrap_suppressed_threshold_alerts.ts): each bucket's alert gets id objectHash([_index, _id,
   * "<space>:<rule uuid>"]), the threshold fields as suppression terms, the bucket's first and last event
   * as its span and instance id objectHash([sorted values, rule uuid, space]); an open alert of the
   * instance within the duration takes it instead. Only created alerts enter the threshold history.
   */
  private executeSuppressed(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean, buckets: readonly ThresholdBucket[], cfg: SuppressionConfig & { durationMs: number }): ExecutionOutcome {
    const rule = this.er.rule;
    const th = this.th;
    const cands: Candidate[] = [];
    const rows = new Map<string, ThresholdHistoryRow>();
    let duplicates = 0;
    for (const b of buckets) {
      const hit = thresholdHit(rule, th, b, exec.startedAt);
      const id = objectHash([hit._index, hit._id, `${ctx.spaceId}:${this.er.ruleUuid}`]);
      if (seen(id) || rows.has(id)) {
        duplicates++;
        continue;
      }
      const { terms, row } = this.historyRow(b);
      const instanceId = objectHash([[...b.key].sort(compareValues), this.er.ruleUuid, ctx.spaceId]);
      cands.push(asCandidate({ id, ruleId: rule.rule_id, eventTime: b.maxT, doc: this.bucketDoc(hit, id, ctx) }, [], terms, b.minT, b.maxT, instanceId));
      rows.set(id, row);
    }
    const out = this.suppressor.apply(cands, ctx, { windowStart: ctx.now - cfg.durationMs, perExecution: false, lateEventsCount: false, maxAlerts: rule.max_signals });
    this.remember(
      exec,
      out.alerts.map((a) => rows.get(a.id) as ThresholdHistoryRow),
    );
    return { alerts: out.alerts, updates: out.updates, duplicates, truncated: out.truncated, suppressed: out.suppressed };
  }

  /** A bucket's alert document: the synthetic hit's alert with `kibana.alert.threshold_result`. */
  private bucketDoc(hit: InputEvent, id: string, ctx: AlertContext): EventDoc {
    const doc = buildAlert(this.er.rule, hit, id, ctx, undefined, true);
    doc["kibana.alert.threshold_result"] = structuredClone(hit._source.threshold_result);
    return doc;
  }

  private historyRow(b: ThresholdBucket): { terms: ThresholdTerm[]; row: ThresholdHistoryRow } {
    return thresholdHistoryRow(this.th, b);
  }

  /** The created alerts' history replaces older entries of the same buckets (state {...valid, ...new}); written at commit. */
  private remember(exec: Execution, created: ThresholdHistoryRow[]): void {
    for (const c of created) this.history.set(c.hash, { terms: JSON.parse(c.terms) as ThresholdTerm[], lastSignal: c.lastSignal });
    this.pending.set(exec.startedAt, created);
  }

  skip(): void {}

  commit(exec: Execution): void {
    this.env.store.saveThresholdHistory(this.er.rule.rule_id, exec.from, this.pending.get(exec.startedAt) ?? []);
    this.pending.delete(exec.startedAt);
  }

  finish(): void {}

  cut(): CutCounts {
    return { ...this.cutCount };
  }

  counted(): DecidedCounts | undefined {
    return this.decided?.counts;
  }
}

/** A threshold rule whose buckets the cluster's searches found (see ThresholdReplay's `decided`); no alert suppression. */
export function decidedThresholdReplay(er: EngineRule, env: RuleTypeEnv, buckets: ReadonlyMap<number, readonly ThresholdBucket[]>, counts: DecidedCounts): ReplayRule {
  return new ThresholdReplay(er, env, { buckets, counts });
}

export const thresholdRuleType: RuleTypeDefinition = {
  types: ["threshold"],
  replay: (er, env) => new ThresholdReplay(er, env),
  stream: (er): StreamRule => {
    throw new Error(`rule ${er.rule.rule_id}: ${THRESHOLD_STREAM_REFUSAL}`);
  },
};
