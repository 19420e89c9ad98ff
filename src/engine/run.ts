// Drives rules over an event source (issue 4 "Semantics"): every line is read once for all rules.
//  - replay: matched events are kept (only those), then each rule's scheduled executions are simulated over
//    event time exactly as Kibana runs them (new_terms.md §2.4, §3–§5, §8) — consecutive executions are
//    committed in bounded groups: one sink write and one transaction hold the group's alerts, execution
//    records, learned terms and schedule cursors.
//  - stream: each matching event is checked against the stored terms as it arrives — one transaction per
//    batch holding its alerts, term updates and the per-file checkpoint.
// Output guarantee: alerts are written to the sink (and flushed) BEFORE the transaction that records them
// commits, so a killed run loses nothing; the sink records its durable length in that same transaction
// (`AlertSink.commit`). An --output file is therefore exactly once across crashes (a rerun cuts off what
// was written but not recorded); stdout may repeat at most the alerts of the one group (replay) or batch
// (stream) that was in flight. The alerts table never holds a duplicate.

import { randomUUID } from "node:crypto";
import type { EventDoc, InputEvent } from "../event/types.js";
import { getValues } from "../event/fields.js";
import { dispatchTable } from "../compile/dispatch/dispatch.js";
import type { EventSource, SourceStats } from "../sources/types.js";
import { parseDateMath } from "../util/datemath.js";
import type { SqliteStore } from "../state/sqlite.js";
import { TextSpill } from "../state/spill.js";
import type { AlertSink, EngineRule } from "./ports.js";
import { alertIndexFields, ruleFieldsText, type AlertContext } from "./alert.js";
import { eventTime, timeSpec, type TimeSpec } from "./time.js";
import { defaultStart, executionAt, executionsWithEvents, fixedOffsets, ruleSchedule, type Execution, type RuleSchedule } from "./schedule.js";
import { whileWaiting, type AheadCounts, type AheadPlan } from "./ahead.js";
import { compileIndexPatterns } from "./index-filter.js";
import { spillEvent } from "./matched.js";
import { MAX_SIGNALS_WARNING } from "./rule-types/new-terms.js";
import { ruleTypeFor, type PendingAlert, type ReplayRule, type StreamRule } from "./rule-types/index.js";
import type { CutCounts } from "./rule-types/types.js";

export type RunMode = "replay" | "stream";

export interface RunOptions {
  readonly rules: readonly EngineRule[];
  readonly source: EventSource;
  readonly store: SqliteStore;
  readonly sink: AlertSink;
  readonly mode: RunMode;
  /** First simulated execution (ms); default: see `replayStart`. */
  readonly start?: number;
  /** Last possible execution start (ms); default: until a window reaches the last matched event. */
  readonly end?: number;
  readonly spaceId?: string;
  /** Select events by `_index` with each rule's `index` patterns (default true). */
  readonly indexFilter?: boolean;
  /** `_index` of events was set on purpose (--index): always filter by it. */
  readonly indexIsExplicit?: boolean;
  /**
   * Continuous replay (`--cluster --follow`): the first execution of a rule the memory has no schedule
   * for, when `start` is not given; and a rule without events in this run still has run its executions
   * up to `end` (its cursor moves on).
   */
  readonly startIfNew?: number;
  /**
   * Replay: rules whose executions an outside executor decides (the cluster's own searches),
   * by rule id. They read no events from the source; the engine schedules, dedupes, cuts and commits
   * their executions' alerts as any rule's.
   */
  readonly decided?: ReadonlyMap<string, ReplayRule>;
  /** Wall clock for stream-mode alert timestamps (tests inject one). */
  readonly clock?: () => number;
  readonly kibanaVersion?: string;
  /**
   * Replay: build event rules' alerts while the source has no batch ready (engine/ahead.ts; default true).
   * The alerts are the same either way.
   */
  readonly alertsAhead?: boolean;
  /** Called after every batch read and every replay execution (progress bar). */
  readonly onProgress?: (p: { stats: SourceStats; phase: "read" | "execute"; done?: number; total?: number }) => void;
}

export interface RuleRunSummary {
  readonly ruleId: string;
  readonly name: string;
  readonly type: string;
  matched: number;
  alerts: number;
  duplicates: number;
  /** Events that alerted through another event's alert (alert suppression). */
  suppressed: number;
  /** Simulated executions (replay), including those with an empty window. */
  executions: number;
  /** Executions skipped because the store already recorded them (a rerun). */
  alreadyDone: number;
  /** Events the rule's index patterns did not select (index routing). */
  notSelected: number;
  /** Events its query matched that had no usable time (missing, unparseable or out of range): never alerted. */
  noTime: number;
  /** Matched events with a time that the rule type could use (new_terms and threshold: the fields it needs). */
  usable: number;
  /** Usable events inside the window of an execution this run made (stream: every usable event). */
  inWindow: number;
  /** new_terms: of those, the events that carried a term combination new when it was executed. */
  withNewTerm: number;
  /** new_terms: matching events with more term combinations than MAX_TERM_COMBINATIONS_PER_EVENT … */
  cutEvents: number;
  /** … and the combinations beyond it, neither alerted on nor learned. */
  cutCombinations: number;
  warnings: string[];
}

export interface RunSummary {
  readonly mode: RunMode;
  readonly stats: SourceStats;
  /** Events that matched at least one rule. */
  matchedEvents: number;
  alerts: number;
  readonly rules: RuleRunSummary[];
  readonly warnings: string[];
  elapsedMs: number;
  /** Replay: alerts built ahead during the read, and those executions wrote (engine/ahead.ts). */
  ahead?: AheadCounts;
}

interface RuleState {
  readonly er: EngineRule;
  /** Its position in the run's rules (what an event's `rules` mask is indexed by). */
  readonly at: number;
  readonly key: string;
  readonly time: TimeSpec;
  readonly summary: RuleRunSummary;
  /** The rule's required_fields that no event reaching it has held yet, and how many events reached it. */
  readonly unseen: Set<string>;
  reached: number;
}

/** The rule's `required_fields` names. */
function requiredFieldNames(r: EngineRule["rule"]): string[] {
  return (r.required_fields ?? []).map((f) => f.name).filter((n): n is string => typeof n === "string" && n !== "");
}

/** Notes which required fields an event reaching the rule holds (only while some are still unseen). */
function noteRequired(s: RuleState, doc: EventDoc, presence: FieldPresence): void {
  if (s.unseen.size === 0) return;
  s.reached++;
  for (const f of s.unseen) if (presence.has(doc, f)) s.unseen.delete(f);
}

/**
 * Whether the current event holds a field, read once per event: hundreds of rules name the same required
 * fields, and a field the data never has stays asked for by every rule that reaches an event.
 */
class FieldPresence {
  private doc: EventDoc | undefined;
  private readonly known = new Map<string, boolean>();
  has(doc: EventDoc, field: string): boolean {
    if (doc !== this.doc) {
      this.doc = doc;
      this.known.clear();
    }
    let has = this.known.get(field);
    if (has === undefined) this.known.set(field, (has = getValues(doc, field).length > 0));
    return has;
  }
}

/**
 * Kibana shows a rule's required_fields so a user can check the data has them: a rule that reached events
 * none of which held one of them warns, naming the fields (the events it never reached say nothing).
 */
function requiredFieldWarnings(states: readonly RuleState[], summary: RunSummary): void {
  for (const s of states) {
    if (s.unseen.size === 0 || s.reached === 0) continue;
    const names = [...s.unseen].sort();
    const w = `${s.key}: none of the ${s.reached.toLocaleString("en-US")} events that reached it has ${names.length === 1 ? "the required field" : "the required fields"} ${names.join(", ")}`;
    s.summary.warnings.push(w);
    summary.warnings.push(w);
  }
}

function ruleStates(rules: readonly EngineRule[]): RuleState[] {
  return rules.map((er, at) => {
    const r = er.rule;
    if (ruleTypeFor(r) === undefined) throw new Error(`rule ${r.rule_id}: the engine has no rule type "${r.type}"`);
    return {
      er,
      at,
      key: r.rule_id,
      unseen: new Set(requiredFieldNames(r)),
      reached: 0,
      time: timeSpec(r),
      summary: { ruleId: r.rule_id, name: r.name, type: r.type, matched: 0, alerts: 0, duplicates: 0, suppressed: 0, executions: 0, alreadyDone: 0, notSelected: 0, noTime: 0, usable: 0, inWindow: 0, withNewTerm: 0, cutEvents: 0, cutCombinations: 0, warnings: [] },
    };
  });
}

/**
 * Index routing. An event whose `_index` was derived from its file name is filtered only if that name is
 * an index some rule targets (files named like `logs-endpoint.events.process-default.ndjson`); events
 * from arbitrarily named files or stdin reach every rule. Hits that carry `_index`, and --index, always filter.
 * Returns, for an event's (file, _index), which of the rules (by position in `indexes`) it reaches. The
 * engine and the per-input prefilter (kqlRoutedPrefilter) both use it, so they cannot disagree.
 */
export function indexRouter(
  indexes: readonly (readonly string[] | undefined)[],
  opts: { readonly indexFilter?: boolean; readonly indexIsExplicit?: boolean },
): (file: string, index: string) => boolean[] {
  if (opts.indexFilter === false) return () => indexes.map(() => true);
  const filters = indexes.map((ix) => (ix !== undefined && ix.length > 0 ? compileIndexPatterns(ix) : undefined));
  const anyTargets = new Map<string, boolean>();
  const targeted = (index: string): boolean => {
    let t = anyTargets.get(index);
    if (t === undefined) {
      t = filters.some((f) => f !== undefined && f(index));
      anyTargets.set(index, t);
    }
    return t;
  };
  const derived = (file: string, index: string): boolean => {
    const base = file.split(/[\\/]/).pop() ?? "";
    const name = file === "<stdin>" ? "stdin" : base.replace(/\.gz$/i, "").replace(/\.(ndjson|jsonl|json)$/i, "");
    return name === index;
  };
  return (file, index) => {
    const all = opts.indexIsExplicit !== true && derived(file, index) && !targeted(index);
    return filters.map((f) => f === undefined || all || f(index));
  };
}

/**
 * The rules an event reaches, computed once per distinct (file, _index): not 84 pattern matches per event.
 * Each rule's summary counts the events some rule matched that its own index patterns did not select
 * (`notSelected`), so a run can say why a rule saw nothing; `matched()` counts the last routed event as
 * matched, and the counts are settled per (file, _index) pair by `settle`. (Counting matched events only
 * keeps the number the same with worker threads, which drop events no rule matches.)
 */
function makeRouter(states: readonly RuleState[], opts: RunOptions): { route: (ev: InputEvent) => readonly RuleState[]; matched: () => void; settle: () => void } {
  const byIndex = makeIndexRouter(states, opts);
  const dispatchers = new Map<readonly RuleState[], (ev: InputEvent) => readonly RuleState[]>();
  return {
    ...byIndex,
    route: (ev) => {
      const rules = byIndex.route(ev);
      let d = dispatchers.get(rules);
      if (d === undefined) dispatchers.set(rules, (d = dispatcher(rules)));
      return d(ev);
    },
  };
}

/** Value combinations whose rule lists a dispatcher keeps mapped. */
const MAX_MAPPED = 8192;

/**
 * Of `rules` (in order), those an event can match by their dispatch keys (compile/dispatch). Order is kept,
 * so the rules see events exactly as without dispatch, only fewer of the ones they would reject.
 */
function dispatcher(rules: readonly RuleState[]): (ev: InputEvent) => readonly RuleState[] {
  const pick = dispatchTable(rules.map((s) => s.er.dispatch));
  // the table returns one array per value combination: each is mapped to rules once
  const mapped = new Map<readonly number[], readonly RuleState[]>();
  return (ev) => {
    const idx = pick(ev._source);
    if (idx.length === rules.length) return rules;
    let picked = mapped.get(idx);
    if (picked === undefined) {
      picked = idx.map((i) => rules[i]);
      if (mapped.size < MAX_MAPPED) mapped.set(idx, picked);
    }
    return picked;
  };
}

function makeIndexRouter(states: readonly RuleState[], opts: RunOptions): { route: (ev: InputEvent) => readonly RuleState[]; matched: () => void; settle: () => void } {
  if (opts.indexFilter === false) return { route: () => states, matched: () => undefined, settle: () => undefined };
  const mask = indexRouter(
    states.map((s) => s.er.rule.index),
    opts,
  );
  // file -> _index -> rules; the last pair is kept apart because consecutive events nearly always share it
  const cache = new Map<string, Map<string, { rules: readonly RuleState[]; events: number }>>();
  let lastFile = "";
  let lastIndex = "";
  let last: { rules: readonly RuleState[]; events: number } | undefined;
  const route = (ev: InputEvent): readonly RuleState[] => {
    const file = ev.loc.file;
    const index = ev._index;
    if (last !== undefined && file === lastFile && index === lastIndex) return last.rules;
    let byIndex = cache.get(file);
    if (byIndex === undefined) cache.set(file, (byIndex = new Map()));
    let entry = byIndex.get(index);
    if (entry === undefined) {
      const m = mask(file, index);
      byIndex.set(index, (entry = { rules: states.filter((_, i) => m[i]), events: 0 }));
    }
    lastFile = file;
    lastIndex = index;
    last = entry;
    return entry.rules;
  };
  const settle = (): void => {
    for (const s of states) s.summary.notSelected = 0;
    for (const byIndex of cache.values()) {
      for (const entry of byIndex.values()) {
        if (entry.rules.length === states.length) continue;
        const reached = new Set(entry.rules);
        for (const s of states) if (!reached.has(s)) s.summary.notSelected += entry.events;
      }
    }
  };
  const matched = (): void => {
    if (last !== undefined) last.events++;
  };
  return { route, matched, settle };
}

/** Stores an alert; `er`, the rule that made it, lets the store keep the rule's fields once for all its alerts. */
function storeAlert(store: SqliteStore, a: PendingAlert, createdAt: number, er: EngineRule | undefined): void {
  const f = a.indexed ?? alertIndexFields(a.doc);
  store.insertAlert({
    id: a.id,
    ruleId: a.ruleId,
    ruleName: f.ruleName,
    eventTime: a.eventTime,
    createdAt,
    severity: f.severity,
    host: f.host,
    process: f.process,
    file: f.file,
    newTerms: a.newTerms === undefined ? null : JSON.stringify(a.newTerms),
    doc: a.json,
    instanceId: f.instanceId,
    buildingBlock: f.buildingBlock,
    ruleFields: er === undefined ? undefined : ruleFieldsText(er.rule, er.ruleUuid),
    cut: a.cut,
  });
}

export async function runEngine(opts: RunOptions): Promise<RunSummary> {
  const t0 = performance.now();
  const states = ruleStates(opts.rules);
  const summary: RunSummary = {
    mode: opts.mode,
    stats: opts.source.stats,
    matchedEvents: 0,
    alerts: 0,
    rules: states.map((s) => s.summary),
    warnings: [],
    elapsedMs: 0,
  };
  if (opts.mode === "replay") await replay(states, opts, summary);
  else await stream(states, opts, summary);
  requiredFieldWarnings(states, summary);
  summary.elapsedMs = performance.now() - t0;
  return summary;
}

function baseContext(opts: RunOptions, s: RuleState, now: number, type: "scheduled" | "manual", executionUuid: string = randomUUID()): AlertContext {
  return { spaceId: opts.spaceId ?? "default", ruleUuid: s.er.ruleUuid, now, executionUuid, executionType: type, kibanaVersion: opts.kibanaVersion ?? "8.19.0" };
}

// ---- replay -------------------------------------------------------------------------------------------

/**
 * The first execution of a rule: --start; else one interval after the execution the store last recorded
 * for it (a second run continues the schedule); else the execution whose window ends exactly at the
 * rule's earliest matched event.
 */
export function replayStart(sched: RuleSchedule, explicit: number | undefined, stored: { intervalMs: number; lastStartedAt: number } | undefined, firstEventMs: number, startIfNew?: number): number {
  if (explicit !== undefined) return explicit;
  if (stored !== undefined) return stored.lastStartedAt + sched.intervalMs;
  return startIfNew ?? defaultStart(sched, firstEventMs);
}

/** Replay commit groups: at most this many alerts (unless one execution alone has more), executions, ms of work. */
export const GROUP_ALERTS = 256;
export const GROUP_EXECUTIONS = 4096;
export const GROUP_MS = 250;

interface Work {
  readonly s: RuleState;
  readonly runner: ReplayRule;
  readonly exec: Execution;
}

async function replay(states: readonly RuleState[], opts: RunOptions, summary: RunSummary): Promise<void> {
  // Matched events' documents wait on disk, not in memory (docs/engine.md "Memory"): read back for alerts only.
  const spill = new TextSpill();
  try {
    await replayWith(states, opts, summary, spill);
  } finally {
    spill.close();
  }
}

async function replayWith(states: readonly RuleState[], opts: RunOptions, summary: RunSummary, spill: TextSpill): Promise<void> {
  const decided = opts.decided ?? new Map<string, ReplayRule>();
  const { route, matched, settle } = makeRouter(
    states.filter((s) => !decided.has(s.key)),
    opts,
  );
  const env = { store: opts.store, spaceId: opts.spaceId ?? "default", spill };
  const runners = new Map<RuleState, ReplayRule>();
  for (const s of states) runners.set(s, decided.get(s.key) ?? (ruleTypeFor(s.er.rule) ?? fail(s)).replay(s.er, env));
  const counts = { built: 0, taken: 0 };
  const { plans: ahead, slice } = aheadPlans(opts.alertsAhead === false ? new Map() : runners, opts, counts);
  if (ahead.size > 0) summary.ahead = counts;
  let seq = 0;
  const presence = new FieldPresence();
  const batches = ahead.size === 0 ? opts.source.batches() : whileWaiting(opts.source.batches(), slice);
  for await (const batch of batches) {
    for (const ev of batch) {
      let matchedAny = false;
      let ref: number | undefined;
      // Several rules share one spilled JSON text of the event; objects are rebuilt only for alerts.
      const spillOnce = (): number => (ref ??= spillEvent(spill, ev));
      const routed = route(ev);
      // the rules whose requirements the line's bytes meet (the others are not evaluated: they cannot match)
      const met = ev.rules;
      for (let i = 0; i < routed.length; i++) {
        const s = routed[i];
        noteRequired(s, ev._source, presence);
        if ((met !== undefined && met[s.at] === 0) || !s.er.matches(ev._source)) continue;
        const t = eventTime(ev._source, s.time);
        if (t === undefined) {
          s.summary.noTime++;
          continue;
        }
        matchedAny = true;
        s.summary.matched++;
        if (runners.get(s)?.collect(ev, t, spillOnce, seq++) === true) s.summary.usable++;
      }
      if (matchedAny) {
        summary.matchedEvents++;
        matched();
      }
    }
    opts.onProgress?.({ stats: opts.source.stats, phase: "read" });
  }
  settle();
  for (const [s, runner] of runners) {
    countCut(s, runner.cut?.());
    const counts = runner.counted?.();
    if (counts !== undefined) {
      s.summary.matched += counts.matched;
      s.summary.usable += counts.usable;
    }
  }

  // Plan: each rule's executions; only those with events in their window need work.
  const work: Work[] = [];
  const plans = new Map<RuleState, { sched: RuleSchedule; runner: ReplayRule; lastExec?: Execution }>();
  for (const s of states) {
    const runner = runners.get(s);
    if (runner === undefined) continue;
    const times = runner.times();
    const sched = ruleSchedule(s.er.rule);
    const stored = opts.store.getSchedule(s.key);
    const known = stored?.intervalMs === sched.intervalMs ? stored : undefined;
    if (times.length === 0) {
      if (opts.startIfNew === undefined || opts.end === undefined) continue;
      const first = replayStart(sched, opts.start, known, opts.startIfNew, opts.startIfNew);
      if (first > opts.end) continue;
      const n = Math.floor((opts.end - first) / sched.intervalMs) + 1;
      s.summary.executions += n;
      plans.set(s, { sched, runner, lastExec: executionAt(sched, first + (n - 1) * sched.intervalMs) });
      continue;
    }
    const start = replayStart(sched, opts.start, known, times[0], opts.startIfNew);
    const planned = executionsWithEvents(sched, start, opts.end, times);
    s.summary.executions += planned.total;
    s.summary.inWindow += runner.counted?.()?.inWindow ?? countInWindows(times, planned.withEvents);
    runner.prepare(parseDateMath(sched.from, start), parseDateMath(sched.to, start - sched.intervalMs));
    for (const exec of planned.withEvents) work.push({ s, runner, exec });
    plans.set(s, { sched, runner, lastExec: planned.last });
  }
  work.sort((a, b) => a.exec.startedAt - b.exec.startedAt);

  // Executions are committed in groups (docs/engine.md "Transactions and the rerun guarantee"): one sink
  // write (one fsync) and one transaction per group instead of per execution. Later executions of the group
  // see its not-yet-stored alert ids through `group.ids`, so duplicates are dropped exactly as before.
  const group = { out: [] as PendingAlert[], ids: new Set<string>(), commits: [] as (() => void)[], executions: 0, since: 0 };
  const flush = async (): Promise<void> => {
    if (group.executions === 0) return;
    await opts.sink.write(group.out);
    const commits = group.commits;
    opts.store.transaction(() => {
      for (const c of commits) c();
      opts.sink.commit?.();
    });
    group.out = [];
    group.ids = new Set();
    group.commits = [];
    group.executions = 0;
  };
  const seen = (id: string): boolean => group.ids.has(id) || opts.store.hasAlert(id);

  let done = 0;
  for (const { s, runner, exec } of work) {
    done++;
    const rule = s.er.rule;
    const plan = plans.get(s);
    if (plan === undefined) continue;
    if (opts.store.hasExecution(s.key, exec.startedAt)) {
      // Committed by an earlier (killed or overlapping) run together with its alerts and state.
      s.summary.alreadyDone++;
      runner.skip(exec);
      continue;
    }
    // the uuid the plan gave this execution when it built alerts ahead for it
    const ctx = baseContext(opts, s, exec.startedAt, "scheduled", ahead.get(s)?.uuids.get(exec.startedAt));
    const out = opts.store.read(() => runner.execute(exec, ctx, seen));
    const alerts = out.alerts;
    if (out.truncated) {
      const w = `${rule.rule_id}: execution at ${new Date(exec.startedAt).toISOString()}: ${MAX_SIGNALS_WARNING}`;
      s.summary.warnings.push(w);
      summary.warnings.push(w);
    }
    // Bounded group: its alerts are what a rerun after a kill may write again (at most ~GROUP_ALERTS plus one
    // execution's max_signals); the time bound keeps a slow group from holding back output and commits.
    if (group.executions > 0 && (group.out.length + alerts.length > GROUP_ALERTS || group.executions >= GROUP_EXECUTIONS || performance.now() - group.since >= GROUP_MS)) await flush();
    if (group.executions === 0) group.since = performance.now();
    group.executions++;
    for (const a of alerts) {
      group.out.push(a);
      group.ids.add(a.id);
    }
    // An alert an execution extended (alert suppression) is written again, after its earlier lines.
    const updates = out.updates ?? [];
    for (const a of updates) group.out.push(a);
    group.commits.push(() => {
      for (const a of alerts) storeAlert(opts.store, a, exec.startedAt, s.er);
      for (const a of updates) opts.store.updateAlertDoc(a.id, a.json);
      opts.store.recordExecution({
        ruleId: s.key,
        startedAt: exec.startedAt,
        from: exec.from,
        to: exec.to,
        alerts: alerts.length,
        duplicates: out.duplicates,
        warning: out.truncated ? MAX_SIGNALS_WARNING : null,
      });
      runner.commit(exec);
      opts.store.setSchedule(s.key, plan.sched.intervalMs, exec.startedAt);
    });
    s.summary.alerts += alerts.length;
    s.summary.duplicates += out.duplicates;
    s.summary.suppressed += out.suppressed ?? 0;
    s.summary.withNewTerm += out.withNewTerm ?? 0;
    summary.alerts += alerts.length;
    opts.onProgress?.({ stats: opts.source.stats, phase: "execute", done, total: work.length });
  }
  await flush();

  // Close the schedule: learn what the last windows covered, move the cursor, prune old state.
  opts.store.transaction(() => {
    for (const [s, plan] of plans) {
      if (plan.lastExec === undefined) continue;
      plan.runner.finish(plan.lastExec);
      opts.store.setSchedule(s.key, plan.sched.intervalMs, plan.lastExec.startedAt);
    }
  });
}

/** A rule that builds alerts ahead, its plan, and the execution uuids the plan handed out (by start). */
interface Ahead {
  readonly runner: ReplayRule & { buildAhead(plan: AheadPlan): boolean };
  readonly plan: AheadPlan;
  readonly uuids: Map<number, string>;
}

/**
 * The plans of the rules that build alerts ahead, and one slice of their work. Executions are found by
 * arithmetic, so only schedules of fixed offsets (every rule of the corpus) take part. The schedule starts
 * as replayStart starts it, from the rule's earliest time so far.
 */
function aheadPlans(runners: ReadonlyMap<RuleState, ReplayRule>, opts: RunOptions, counts: AheadCounts): { plans: Map<RuleState, Ahead>; slice: () => boolean } {
  const plans = new Map<RuleState, Ahead>();
  let until = 0;
  for (const [s, runner] of runners) {
    if (runner.buildAhead === undefined) continue;
    const sched = ruleSchedule(s.er.rule);
    const off = fixedOffsets(sched);
    const I = sched.intervalMs;
    if (off === undefined || !(I > 0)) continue;
    const stored = opts.store.getSchedule(s.key);
    const known = stored?.intervalMs === I ? stored : undefined;
    const uuids = new Map<number, string>();
    const plan: AheadPlan = {
      executions(t, first) {
        // as executionsWithEvents finds them: from_k ≤ t ≤ to_k, k ≥ 0, startedAt ≤ end
        const start = replayStart(sched, opts.start, known, first, opts.startIfNew);
        const out: { startedAt: number; from: number }[] = [];
        for (let k = Math.max(0, Math.ceil((t - off.toOffset - start) / I)); k <= Math.floor((t - off.fromOffset - start) / I); k++) {
          const startedAt = start + k * I;
          if (opts.end !== undefined && startedAt > opts.end) break;
          out.push({ startedAt, from: startedAt + off.fromOffset });
        }
        return out;
      },
      context(startedAt) {
        let uuid = uuids.get(startedAt);
        if (uuid === undefined) uuids.set(startedAt, (uuid = randomUUID()));
        return baseContext(opts, s, startedAt, "scheduled", uuid);
      },
      stop: () => performance.now() >= until,
      counts,
    };
    plans.set(s, { runner: runner as Ahead["runner"], plan, uuids });
  }
  // One slice of work: about AHEAD_SLICE_MS over the rules in turn; false when none has work left.
  const slice = (): boolean => {
    until = performance.now() + AHEAD_SLICE_MS;
    let more = false;
    for (const a of plans.values()) if (a.runner.buildAhead(a.plan)) more = true;
    return more;
  };
  return { plans, slice };
}

/**
 * A slice of ahead work between two looks at the event loop. Worker threads wait when 1,024 of their events
 * are not yet taken (parallel/worker.ts), so a slice must stay short next to the time they take to scan them.
 */
const AHEAD_SLICE_MS = 2;

/** How many of `times` (ascending) lie in at least one of the executions' windows (executions by start). */
export function countInWindows(times: ArrayLike<number>, execs: readonly Execution[]): number {
  let n = 0;
  let i = 0;
  for (const e of execs) {
    // windows start in order (same offsets), so a time before this window is before every later one too
    while (i < times.length && times[i] < e.from) i++;
    while (i < times.length && times[i] <= e.to) {
      n++;
      i++;
    }
  }
  return n;
}

function countCut(s: RuleState, cut: CutCounts | undefined): void {
  if (cut === undefined) return;
  s.summary.cutEvents += cut.events;
  s.summary.cutCombinations += cut.combinations;
}

function fail(s: RuleState): never {
  throw new Error(`rule ${s.key}: the engine has no rule type "${s.er.rule.type}"`);
}

// ---- stream -------------------------------------------------------------------------------------------

/**
 * The alerts a batch extended (alert suppression). An alert the same batch created takes its new document
 * in place, and an earlier alert changed several times is written once, with its last document: each
 * alert reaches the output once per batch.
 */
class BatchUpdates {
  private readonly byId = new Map<string, PendingAlert>();
  get size(): number {
    return this.byId.size;
  }
  /** `at`: where each alert id of `created` is. */
  note(u: PendingAlert, created: PendingAlert[], at: ReadonlyMap<string, number>): void {
    const i = at.get(u.id);
    if (i !== undefined) created[i] = { ...created[i], doc: u.doc, json: u.json };
    else this.byId.set(u.id, u);
  }
  list(): PendingAlert[] {
    return [...this.byId.values()];
  }
}

async function stream(states: readonly RuleState[], opts: RunOptions, summary: RunSummary): Promise<void> {
  const { route, matched, settle } = makeRouter(states, opts);
  const clock = opts.clock ?? Date.now;
  const env = { store: opts.store, spaceId: opts.spaceId ?? "default" };
  const runners = new Map<RuleState, StreamRule>();
  for (const s of states) runners.set(s, (ruleTypeFor(s.er.rule) ?? fail(s)).stream(s.er, env));
  const rulesKey = states.map((s) => s.key).sort().join(",");
  const cpKey = (file: string) => `stream:${rulesKey}:${file}`;
  const checkpoints = new Map<string, number>();
  const resumeLine = (file: string): number => {
    let line = checkpoints.get(file);
    if (line === undefined) {
      line = file === "<stdin>" ? 0 : (opts.store.getCheckpoint(cpKey(file))?.line ?? 0);
      checkpoints.set(file, line);
    }
    return line;
  };
  let newestEvent = -Infinity;
  const selfResuming = opts.source.positions;
  const ruleOf = new Map(states.map((s) => [s.er.rule.rule_id, s.er]));
  const write = async (alerts: PendingAlert[], updates: readonly PendingAlert[], now: number, extra: () => void): Promise<void> => {
    await opts.sink.write([...alerts, ...updates]);
    opts.store.transaction(() => {
      for (const a of alerts) storeAlert(opts.store, a, now, ruleOf.get(a.ruleId));
      for (const a of updates) opts.store.updateAlertDoc(a.id, a.json);
      for (const r of runners.values()) r.commit();
      extra();
      opts.sink.commit?.();
    });
    summary.alerts += alerts.length;
  };
  const presence = new FieldPresence();
  for await (const batch of opts.source.batches()) {
    const now = clock();
    const alerts: PendingAlert[] = [];
    const updates = new BatchUpdates();
    const batchIds = new Map<string, number>();
    const lastLine = new Map<string, { line: number; offset: number }>();
    // Pass 1: matches and times; pass 2: one batched lookup per rule; pass 3: decide in order.
    const hits: { ev: InputEvent; s: RuleState; runner: StreamRule; t: number }[] = [];
    for (const ev of batch) {
      // A source that resumes itself (--follow) never re-reads what its committed positions cover.
      if (selfResuming === undefined) {
        if (ev.loc.line <= resumeLine(ev.loc.file)) continue;
        if (ev.loc.file !== "<stdin>") lastLine.set(ev.loc.file, { line: ev.loc.line, offset: ev.loc.byteOffset });
      }
      let matchedAny = false;
      const routed = route(ev);
      // the rules whose requirements the line's bytes meet (the others are not evaluated: they cannot match)
      const met = ev.rules;
      for (let i = 0; i < routed.length; i++) {
        const s = routed[i];
        noteRequired(s, ev._source, presence);
        if ((met !== undefined && met[s.at] === 0) || !s.er.matches(ev._source)) continue;
        const t = eventTime(ev._source, s.time);
        if (t === undefined) {
          s.summary.noTime++;
          continue;
        }
        matchedAny = true;
        s.summary.matched++;
        newestEvent = Math.max(newestEvent, t);
        const runner = runners.get(s);
        if (runner?.consider(ev, t) === true) {
          s.summary.usable++;
          s.summary.inWindow++;
          hits.push({ ev, s, runner, t });
        }
      }
      if (matchedAny) {
        summary.matchedEvents++;
        matched();
      }
    }
    for (const r of runners.values()) r.lookup();
    // One read transaction for the batch's alert-id lookups.
    const seen = (id: string): boolean => batchIds.has(id) || opts.store.hasAlert(id);
    opts.store.read(() => {
      // One execution uuid per rule and batch: a batch is stream mode's execution.
      const ctxs = new Map<RuleState, AlertContext>();
      for (const { ev, s, runner, t } of hits) {
        let ctx = ctxs.get(s);
        if (ctx === undefined) ctxs.set(s, (ctx = baseContext(opts, s, now, "scheduled")));
        const out = runner.decide(ev, t, ctx, seen);
        s.summary.duplicates += out.duplicates;
        s.summary.alerts += out.alerts.length;
        s.summary.suppressed += out.suppressed ?? 0;
        s.summary.withNewTerm += out.withNewTerm ?? 0;
        for (const a of out.alerts) {
          batchIds.set(a.id, alerts.length);
          alerts.push(a);
        }
        for (const u of out.updates ?? []) updates.note(u, alerts, batchIds);
      }
    });
    await write(alerts, updates.list(), now, () => {
      for (const [file, pos] of lastLine) {
        opts.store.setCheckpoint(cpKey(file), { inode: null, offset: pos.offset, line: pos.line });
        checkpoints.set(file, pos.line);
      }
      // Committed with the alerts and state of the events before them (positions are read after the batch).
      if (selfResuming !== undefined) for (const p of selfResuming.call(opts.source)) opts.store.setCheckpoint(p.key, p.position);
      opts.source.persist?.(opts.store);
    });
    opts.onProgress?.({ stats: opts.source.stats, phase: "read" });
  }
  settle();
  // End of the input: what could only be decided now (sequences waiting on a trailing missing event).
  const now = clock();
  const tail: PendingAlert[] = [];
  const tailUpdates = new BatchUpdates();
  const tailIds = new Map<string, number>();
  opts.store.read(() => {
    for (const s of states) {
      const runner = runners.get(s);
      if (runner?.flush === undefined) continue;
      const out = runner.flush(baseContext(opts, s, now, "scheduled"), (id) => tailIds.has(id) || opts.store.hasAlert(id));
      s.summary.duplicates += out.duplicates;
      s.summary.alerts += out.alerts.length;
      s.summary.suppressed += out.suppressed ?? 0;
      s.summary.withNewTerm += out.withNewTerm ?? 0;
      for (const a of out.alerts) {
        tailIds.set(a.id, tail.length);
        tail.push(a);
      }
      for (const u of out.updates ?? []) tailUpdates.note(u, tail, tailIds);
    }
  });
  if (tail.length > 0 || tailUpdates.size > 0) await write(tail, tailUpdates.list(), now, () => undefined);
  for (const s of states) {
    countCut(s, runners.get(s)?.cut?.());
    for (const w of runners.get(s)?.warnings() ?? []) {
      s.summary.warnings.push(w);
      summary.warnings.push(w);
    }
  }
  if (Number.isFinite(newestEvent)) {
    opts.store.transaction(() => {
      for (const r of runners.values()) r.finish(newestEvent);
    });
  }
}
