// EQL rules (type "eql"; docs/eql_alerts.md). Replay runs each scheduled execution as Kibana's EQL executor
// does: one search over the events whose window time (timestamp_override, falling back to @timestamp) lies
// in [from, to], ordered and measured by `timestamp_field` (default @timestamp) and `tiebreaker_field`, with
// `size` = max_signals (it caps events or sequences, not alerts); event results become one alert each (the
// query-rule id), sequences and samples a shell alert plus one building block per event. A sequence is found
// only when one window holds all its events, as in Kibana.
// Stream mode checks each event as it arrives: event queries alert at once; sequences advance a matcher
// whose partial sequences are stored in the SQLite memory with the batch's checkpoint, so a sequence that
// spans batches or a restart alerts once (docs/engine.md says where this differs from Kibana).

import type { EventDoc, InputEvent } from "../../event/types.js";
import { compileEqlQuery, ecsEqlMapping, type CompiledEql } from "../../compile/eql/index.js";
import { NO_KEYS } from "../../compile/eql/statement.js";
import type { TextSpill } from "../../state/spill.js";
import { resultCap, type EngineRule } from "../ports.js";
import { buildAlertWithJson, buildSequenceAlerts, queryAlertId, type AlertContext } from "../alert.js";
import { arrivedEventAlert } from "./query.js";
import type { Execution } from "../schedule.js";
import { spilledFullHit, spilledHitAndText } from "../matched.js";
import { lowerBound, lowerBoundOf, upperBound } from "../../util/sorted.js";
import { NumberColumn } from "../../util/typed-array.js";
import { applyPipes, decodeFactKeys, encodeFactKeys, factsOf, ordinalReader, searchFacts, toHit, type EqlFacts, type EqlSequenceHit } from "../eql/search.js";
import type { IndexedValue } from "../../compile/eql/mapping.js";
import { SequenceMatcher, checkMissing, compareOrdinal, type MissingIndex, type Ordinal, type PartialSequence } from "../eql/sequence.js";
import type { ExecutionOutcome, PendingAlert, ReplayRule, RuleTypeDefinition, RuleTypeEnv, StreamRule } from "./types.js";
import { AlertsAhead, type AheadPlan } from "../ahead.js";

/** Compiles an EQL rule's query with its category field override. Throws EqlSyntaxError / EqlCompileError. */
export function compileEqlRule(rule: EngineRule["rule"]): CompiledEql {
  return compileEqlQuery(rule.query ?? "", rule.event_category_override);
}

function readOrdinal(rule: EngineRule["rule"]): (doc: InputEvent["_source"], seq: number) => Ordinal | undefined {
  return ordinalReader({ mapping: ecsEqlMapping, timestampField: rule.timestamp_field, tiebreakerField: rule.tiebreaker_field });
}

/** The alerts of one result sequence; `events` are the caller's own hits (they become building blocks). */
function sequenceAlerts(er: EngineRule, hits: readonly InputEvent[], times: readonly number[], ctx: AlertContext): PendingAlert[] {
  const { shell, blocks } = buildSequenceAlerts(er.rule, hits, ctx);
  const ruleId = er.rule.rule_id;
  const last = times[times.length - 1] ?? 0;
  // Kibana pushes the shell first, then the blocks in sequence order.
  return [
    { id: shell.id, ruleId, eventTime: last, doc: shell.doc, json: JSON.stringify(shell.doc) },
    ...blocks.map((b, i) => ({ id: b.id, ruleId, eventTime: times[i] ?? last, doc: b.doc, json: JSON.stringify(b.doc) })),
  ];
}

const KEPT_INITIAL_ROWS = 16;

/**
 * The events one EQL rule keeps in replay, as number columns (docs/engine.md "Replay memory"): window time,
 * ordinal (timestamp, input order), the spill record of the document and the spill record of its join keys
 * (none when the engine's predicate already decided an event query's only stage). 32 bytes per kept event
 * (40 with join keys) whatever its keys, instead of a graph of objects; a tiebreaker value, when the rule has one, is
 * kept in a map.
 */
class KeptEvents {
  // Columns start small: of the 401 Linux EQL rules on 200,000 bench events, two kept thousands of rows
  // and the rest none, so 1,024 rows each reserved 16 MB that was never used. They grow in chunks, not
  // by doubling: two rules keep 580,000 rows at 10 M bench events.
  readonly t = new NumberColumn(KEPT_INITIAL_ROWS);
  readonly ts = new NumberColumn(KEPT_INITIAL_ROWS);
  readonly seq = new NumberColumn(KEPT_INITIAL_ROWS);
  readonly doc = new NumberColumn(KEPT_INITIAL_ROWS);
  /** Absent when every row's would be -1 (the engine's predicate decides the rule's only stage). */
  private readonly keys: NumberColumn | undefined;
  readonly tb = new Map<number, IndexedValue | null>();

  constructor(withKeys: boolean) {
    this.keys = withKeys ? new NumberColumn(KEPT_INITIAL_ROWS) : undefined;
  }

  /** Row `i`'s spill record of its join keys, -1 for none. */
  keysOf(i: number): number {
    return this.keys === undefined ? -1 : this.keys.get(i);
  }

  get length(): number {
    return this.t.length;
  }

  push(t: number, ord: Ordinal, doc: number, keys: number): void {
    const i = this.t.length;
    this.t.push(t);
    this.ts.push(ord.ts);
    this.seq.push(ord.seq);
    this.doc.push(doc);
    this.keys?.push(keys);
    if (ord.tb !== undefined) this.tb.set(i, ord.tb);
  }

  ordinal(i: number): Ordinal {
    const tb = this.tb.get(i);
    return tb === undefined && !this.tb.has(i) ? { ts: this.ts.get(i), seq: this.seq.get(i) } : { ts: this.ts.get(i), tb, seq: this.seq.get(i) };
  }
}

/** The rule's compiled statement, and whether `matches` already tested an event query's only stage. */
function compiledOf(er: EngineRule): { compiled: CompiledEql; stageKnown: boolean } {
  const compiled = er.eql ?? compileEqlRule(er.rule);
  return { compiled, stageKnown: compiled.kind === "event" && compiled.until === undefined && er.matches === compiled.relevant };
}

/** An event query's facts when the engine's predicate already matched its only stage. */
const EVENT_STAGE_KEYS: EqlFacts<unknown>["stageKeys"] = Object.freeze([Object.freeze([NO_KEYS])]);

function eventFacts<T>(ref: T, ord: Ordinal): EqlFacts<T> {
  return { ref, ord, stageKeys: EVENT_STAGE_KEYS };
}

/** The spill record of a kept event that no alert can be built from (see EqlReplay.collect). */
const NO_DOC = -1;

class EqlReplay implements ReplayRule {
  private readonly compiled: CompiledEql;
  private readonly stageKnown: boolean;
  private readonly ordinal: (doc: InputEvent["_source"], seq: number) => Ordinal | undefined;
  private readonly kept: KeptEvents;
  /** An event query without pipes alerts on each event its window holds, up to its cap: built ahead. */
  private readonly ahead: AlertsAhead | undefined;
  /** The earliest window time kept so far (the schedule starts from it). */
  private first = Infinity;
  /** Kept rows by (window time, input order), and their window times: set by `times()`. */
  private order = new Uint32Array(0);
  private times_ = new Float64Array(0);

  constructor(
    private readonly er: EngineRule,
    private readonly spill: TextSpill,
  ) {
    ({ compiled: this.compiled, stageKnown: this.stageKnown } = compiledOf(er));
    this.kept = new KeptEvents(!this.stageKnown);
    this.ordinal = readOrdinal(er.rule);
    this.ahead = this.stageKnown && this.compiled.pipes.length === 0 ? new AlertsAhead(spill, er, resultCap(er)) : undefined;
  }

  collect(ev: InputEvent, t: number, spill: () => number, seq: number): boolean {
    // samples need no timestamp; events and sequences are ordered by one
    const ord = this.ordinal(ev._source, seq) ?? (this.compiled.kind === "sample" ? { ts: t, seq } : undefined);
    if (ord === undefined) return false;
    let keys = -1;
    let alertable = true;
    if (!this.stageKnown) {
      const f = factsOf(this.compiled, ev._source, 0, ord);
      if (f === undefined) return false;
      keys = this.spill.add(encodeFactKeys(f));
      alertable = f.stageKeys.some((k, i) => k !== undefined && !this.compiled.stages[i].missing);
    }
    // An event only a missing-event stage `![…]` or `until` can use is never part of an alert: its
    // document is not spilled (a missing stage over every process, file and network event would write
    // each one, 2 kB a line, to the spill).
    this.kept.push(t, ord, alertable ? spill() : NO_DOC, keys);
    if (t < this.first) this.first = t;
    return true;
  }

  buildAhead(plan: AheadPlan): boolean {
    const ahead = this.ahead;
    if (ahead === undefined) return false;
    const kept = this.kept;
    while (ahead.next < kept.length) {
      if (plan.stop()) return true;
      const row = ahead.next;
      // rows come in window-time order when the input does: those before this one from `from` on rank first
      const rank = (from: number): number => row - lowerBoundOf(row, (i) => kept.t.get(i), from);
      ahead.offer(plan, kept.t.get(row), this.first, (ctx) => this.rowAlert(row, ctx, () => false), rank);
    }
    return false;
  }

  times(): ArrayLike<number> {
    const k = this.kept;
    if (this.order.length !== k.length) {
      const order = new Uint32Array(k.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort((a, b) => k.t.get(a) - k.t.get(b) || k.seq.get(a) - k.seq.get(b));
      this.order = order;
      this.times_ = new Float64Array(order.length);
      for (let i = 0; i < order.length; i++) this.times_[i] = k.t.get(order[i]);
    }
    return this.times_;
  }

  prepare(): void {}

  /** The facts of kept row `i`, its ref being the row. */
  private facts(i: number): EqlFacts<number> {
    const ord = this.kept.ordinal(i);
    const keys = this.kept.keysOf(i);
    return keys < 0 ? eventFacts(i, ord) : decodeFactKeys(this.spill.get(keys), i, ord);
  }

  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    const times = this.times();
    const lo = lowerBound(times, exec.from);
    const hi = upperBound(times, exec.to);
    const max = resultCap(this.er);
    const kept = this.kept;
    if (this.stageKnown) {
      // Every kept event matched the only stage: order the window's rows, no facts needed.
      const rows = Array.from(this.order.subarray(lo, hi));
      rows.sort(kept.tb.size === 0 ? (a, b) => kept.ts.get(a) - kept.ts.get(b) || kept.seq.get(a) - kept.seq.get(b) : (a, b) => compareOrdinal(kept.ordinal(a), kept.ordinal(b)));
      return { ...this.eventAlerts(applyPipes(rows, this.compiled.pipes, max), ctx, seen), truncated: rows.length >= max };
    }
    const window: EqlFacts<number>[] = [];
    for (let i = lo; i < hi; i++) window.push(this.facts(this.order[i]));
    // samples keep document order; events and sequences are searched in ordinal order
    if (this.compiled.kind === "sample") window.sort((a, b) => a.ord.seq - b.ord.seq);
    else window.sort((a, b) => compareOrdinal(a.ord, b.ord));
    const res = searchFacts(this.compiled, window, max);
    if (res.kind === "events") {
      // Kibana warns when the search's total reaches max_signals
      const total = window.filter((f) => f.stageKeys[0] !== undefined).length;
      return { ...this.eventAlerts(res.events, ctx, seen), truncated: total >= max };
    }
    const alerts: PendingAlert[] = [];
    let duplicates = 0;
    for (const s of res.sequences) {
      const rows = s.events.filter((r): r is number => r !== null);
      const group = sequenceAlerts(
        this.er,
        rows.map((r) => spilledFullHit(this.spill, kept.doc.get(r))),
        rows.map((r) => kept.t.get(r)),
        ctx,
      );
      if (seen(group[0].id)) {
        duplicates++;
        continue;
      }
      alerts.push(...group);
    }
    return { alerts, duplicates, truncated: res.sequences.length >= max };
  }

  /** One alert per result event (kept rows), ids already stored dropped. */
  private eventAlerts(rows: readonly number[], ctx: AlertContext, seen: (id: string) => boolean): { alerts: PendingAlert[]; duplicates: number } {
    const alerts: PendingAlert[] = [];
    let duplicates = 0;
    for (const row of rows) {
      const early = this.ahead?.peek(row, ctx);
      const a = early === undefined ? this.rowAlert(row, ctx, seen) : seen(early.id) ? undefined : (early.alert?.() ?? this.rowAlert(row, ctx, () => false));
      if (a === undefined) duplicates++;
      else alerts.push(a);
    }
    return { alerts, duplicates };
  }

  /** The alert of kept row `row`, undefined when its id is `seen`. */
  private rowAlert(row: number, ctx: AlertContext, seen: (id: string) => boolean): PendingAlert | undefined {
    const { hit, text } = spilledHitAndText(this.spill, this.kept.doc.get(row));
    const id = queryAlertId(hit, ctx.spaceId, this.er.ruleUuid);
    if (seen(id)) return undefined;
    return { id, ruleId: this.er.rule.rule_id, eventTime: this.kept.t.get(row), ...buildAlertWithJson(this.er.rule, { ...hit, _source: JSON.parse(text) as EventDoc }, id, ctx, undefined, true) };
  }

  skip(): void {}
  commit(): void {}
  finish(): void {}
}

// ---- stream ---------------------------------------------------------------------------------------------

/** Partial sequences one stream rule keeps at most; beyond it the oldest are dropped and counted. */
export const MAX_STREAM_PARTIALS = 10_000;

/** A stored event of a partial sequence: enough to build its building-block alert later. */
interface StreamRef {
  readonly hit: { readonly _index: string; readonly _id: string; readonly _source: InputEvent["_source"] };
  readonly t: number;
}

class EqlStream implements StreamRule {
  private readonly compiled: CompiledEql;
  private readonly stageKnown: boolean;
  private readonly ordinal: (doc: InputEvent["_source"], seq: number) => Ordinal | undefined;
  private readonly matcher: SequenceMatcher<StreamRef> | undefined;
  private readonly batch = new Map<InputEvent, EqlFacts<StreamRef>>();
  /** Partial sequences as stored: object → row id. */
  private stored = new Map<PartialSequence<StreamRef>, number>();
  private nextId = 1;
  private seq = 0;
  private watermark = -Infinity;
  private dropped = 0;
  private readonly missing: Map<string, number[]>[] | undefined;
  /** Completed sequences with a trailing missing stage, waiting until maxspan has passed. */
  private waiting: PartialSequence<StreamRef>[] = [];
  private readonly notes: string[] = [];

  constructor(
    private readonly er: EngineRule,
    private readonly env: RuleTypeEnv,
  ) {
    ({ compiled: this.compiled, stageKnown: this.stageKnown } = compiledOf(er));
    this.ordinal = readOrdinal(er.rule);
    if (this.compiled.kind === "sequence") {
      this.matcher = new SequenceMatcher<StreamRef>(this.compiled);
      const rows = env.store.eqlPartials(er.rule.rule_id);
      const restored: { stage: number; seq: PartialSequence<StreamRef> }[] = [];
      for (const r of rows) {
        const seq = JSON.parse(r.data) as PartialSequence<StreamRef>;
        restored.push({ stage: r.stage, seq });
        this.stored.set(seq, r.id);
        this.nextId = Math.max(this.nextId, r.id + 1);
        for (const e of seq.events) this.seq = Math.max(this.seq, e.ord.seq + 1);
      }
      this.matcher.restore(restored);
      if (this.compiled.stages.some((s) => s.missing)) this.missing = this.compiled.stages.map(() => new Map());
    }
    if (this.compiled.kind === "sample") {
      this.notes.push(`${er.rule.rule_id}: sample queries run in replay mode only; this rule found nothing in stream mode`);
    }
  }

  consider(ev: InputEvent): boolean {
    if (this.compiled.kind === "sample") return false;
    const s = this.seq++;
    const ord = this.ordinal(ev._source, s);
    if (ord === undefined) return false;
    const ref: StreamRef = { hit: ev, t: 0 };
    const f = this.stageKnown ? eventFacts(ref, ord) : factsOf<StreamRef>(this.compiled, ev._source, ref, ord);
    if (f === undefined) return false;
    this.batch.set(ev, f);
    return true;
  }

  lookup(): void {}

  decide(ev: InputEvent, t: number, ctx: AlertContext, seen: (id: string) => boolean): { alerts: PendingAlert[]; duplicates: number } {
    const f = this.batch.get(ev);
    if (f === undefined) return { alerts: [], duplicates: 0 };
    const rule = this.er.rule;
    if (this.matcher === undefined) {
      if (f.stageKeys[0] === undefined) return { alerts: [], duplicates: 0 };
      const id = queryAlertId(ev, ctx.spaceId, this.er.ruleUuid);
      if (seen(id)) return { alerts: [], duplicates: 1 };
      return { alerts: [arrivedEventAlert(rule, ev, id, ctx, t)], duplicates: 0 };
    }
    this.watermark = Math.max(this.watermark, f.ord.ts);
    const ref: StreamRef = { hit: { _index: ev._index, _id: ev._id, _source: ev._source }, t };
    if (this.missing !== undefined) {
      this.compiled.stages.forEach((s, i) => {
        const keys = f.stageKeys[i];
        const idx = this.missing?.[i];
        if (!s.missing || keys === undefined || idx === undefined) return;
        for (const k of keys) {
          const l = idx.get(k.id) ?? [];
          // kept sorted: events mostly arrive in order
          let at = l.length;
          while (at > 0 && l[at - 1] > f.ord.ts) at--;
          l.splice(at, 0, f.ord.ts);
          idx.set(k.id, l);
        }
      });
    }
    const before = this.matcher.completed.length;
    this.matcher.push(
      { ord: f.ord, ref },
      this.matcher.positive.map((i) => f.stageKeys[i]),
      f.untilKeys,
    );
    const done = this.matcher.completed.splice(before);
    const ready: PartialSequence<StreamRef>[] = [];
    const trailing = this.compiled.stages.length > 0 && this.compiled.stages[this.compiled.stages.length - 1].missing;
    for (const c of done) {
      if (trailing) this.waiting.push(c);
      else if (this.missing === undefined || checkMissing(this.compiled.stages, c, this.missing as MissingIndex[], this.compiled.maxspanMs ?? Infinity)) ready.push(c);
    }
    ready.push(...this.releaseWaiting(false));
    return this.alertsOf(ready, ctx, seen);
  }

  /** Waiting candidates whose trailing maxspan has passed (all of them at the end of the input). */
  private releaseWaiting(all: boolean): PartialSequence<StreamRef>[] {
    if (this.waiting.length === 0 || this.missing === undefined) return [];
    const span = this.compiled.maxspanMs ?? Infinity;
    const out: PartialSequence<StreamRef>[] = [];
    const keep: PartialSequence<StreamRef>[] = [];
    for (const c of this.waiting) {
      if (all || this.watermark - c.events[0].ord.ts > span) {
        if (checkMissing(this.compiled.stages, c, this.missing as MissingIndex[], span)) out.push(c);
      } else keep.push(c);
    }
    this.waiting = keep;
    return out;
  }

  private alertsOf(done: readonly PartialSequence<StreamRef>[], ctx: AlertContext, seen: (id: string) => boolean): { alerts: PendingAlert[]; duplicates: number } {
    const alerts: PendingAlert[] = [];
    let duplicates = 0;
    for (const c of done) {
      const hit: EqlSequenceHit<StreamRef> = toHit(this.compiled.stages, c);
      const refs = hit.events.filter((e): e is StreamRef => e !== null);
      const hits = refs.map((r): InputEvent => ({ ...r.hit, _source: structuredClone(r.hit._source), loc: { file: "", line: 0, byteOffset: 0 } }));
      const group = sequenceAlerts(
        this.er,
        hits,
        refs.map((r) => r.t),
        ctx,
      );
      if (seen(group[0].id) || alerts.some((a) => a.id === group[0].id)) {
        duplicates++;
        continue;
      }
      alerts.push(...group);
    }
    return { alerts, duplicates };
  }

  commit(): void {
    this.batch.clear();
    const m = this.matcher;
    if (m === undefined) return;
    const span = this.compiled.maxspanMs;
    if (span !== undefined && Number.isFinite(this.watermark)) m.expire(this.watermark);
    const capped = m.cap(MAX_STREAM_PARTIALS);
    if (capped > 0) this.dropped += capped;
    if (this.missing !== undefined && span !== undefined) {
      for (const idx of this.missing) {
        for (const [k, l] of idx) {
          const from = lowerBound(l, this.watermark - 2 * span);
          if (from >= l.length) idx.delete(k);
          else if (from > 0) idx.set(k, l.slice(from));
        }
      }
    }
    const now = new Map<PartialSequence<StreamRef>, number>();
    const ruleId = this.er.rule.rule_id;
    for (const { stage, seq } of m.snapshot()) {
      const id = this.stored.get(seq);
      if (id !== undefined) {
        now.set(seq, id);
        continue;
      }
      const newId = this.nextId++;
      this.env.store.addEqlPartial(ruleId, newId, stage, JSON.stringify(seq));
      now.set(seq, newId);
    }
    for (const [seq, id] of this.stored) if (!now.has(seq)) this.env.store.deleteEqlPartial(ruleId, id);
    this.stored = now;
  }

  finish(): void {}

  warnings(): string[] {
    const w = [...this.notes];
    if (this.dropped > 0) {
      w.push(`${this.er.rule.rule_id}: ${this.dropped} partial sequence${this.dropped === 1 ? "" : "s"} dropped at the stream cap of ${MAX_STREAM_PARTIALS} (sequence without maxspan or a very busy key)`);
    }
    return w;
  }

  /** End of the input: candidates still waiting on a trailing missing stage are decided with what was seen. */
  flush(ctx: AlertContext, seen: (id: string) => boolean): { alerts: PendingAlert[]; duplicates: number } {
    return this.alertsOf(this.releaseWaiting(true), ctx, seen);
  }
}

export const eqlRuleType: RuleTypeDefinition = {
  types: ["eql"],
  replay: (er, env) => new EqlReplay(er, env.spill),
  stream: (er, env) => new EqlStream(er, env),
};

