// new_terms rule semantics (new_terms.md §3–§5, §8, §12): term combinations of a document (cartesian
// product of each field's distinct values; a document missing a field has none), the per-execution
// "is it new" test over [hws, from] and (from, to], Kibana's alert order and the max_signals cut.
// The rule type at the end drives them for replay and stream (the store is reached only through RuleTypeEnv).

import type { EventDoc, InputEvent } from "../../event/types.js";
import { fieldAccessor } from "../../event/fields.js";
import type { Rule } from "../../rules/model.js";
import type { TermRow } from "../../state/sqlite.js";
import type { TextSpill } from "../../state/spill.js";
import { parseDateMath } from "../../util/datemath.js";
import { lowerBound } from "../../util/sorted.js";
import { resultCap, type EngineRule } from "../ports.js";
import { buildAlertWithJson, newTermsAlertId, type AlertContext } from "../alert.js";
import type { Execution } from "../schedule.js";
import { SpilledEvent, fullHit } from "../matched.js";
import { DecidedReplay } from "./decided.js";
import type { CutCounts, ExecutionOutcome, PendingAlert, ReplayRule, RuleTypeDefinition, RuleTypeEnv, StreamOutcome, StreamRule } from "./types.js";

export type TermValue = string | number | boolean;

export interface Combo {
  /** JSON of `terms`: "1" and 1 stay distinct, as they hash differently in alert ids. */
  readonly key: string;
  readonly terms: readonly TermValue[];
}

/**
 * The most term combinations one event contributes, to alerts and to history. Kibana's composite
 * aggregation (multi_terms_composite.ts) has no per-document cap: Elasticsearch enumerates the whole
 * cartesian product of a document's values in every query and keeps one page of 10,000 keys at a time,
 * and max_signals ends the execution after the first alerts in key order. Its earlier runtime-field
 * implementation stopped at 100 combinations per document (Elasticsearch's limit on values a runtime
 * field may emit), and the ES|QL approach stops at 10,000 combinations per execution. Enumerating the
 * product here would let one 2 kB line (three fields of 100 values: 10⁶ combinations) exhaust memory,
 * so an event keeps the first 10,000 combinations in composite key order — the ones Kibana's ascending
 * pages reach first — and the run summary counts the rest (docs/engine.md "Combinations").
 */
export const MAX_TERM_COMBINATIONS_PER_EVENT = 10_000;

/**
 * Extracts a rule's term combinations from documents. Up to `limit` combinations come in field-value
 * order (input order within a field); beyond it, the first `limit` in key order (compareCombo), and
 * `onCut` hears how many were left out.
 */
export function comboExtractor(
  fields: readonly string[],
  limit: number = MAX_TERM_COMBINATIONS_PER_EVENT,
  onCut?: (left: number) => void,
): (doc: EventDoc) => Combo[] {
  const accessors = fields.map(fieldAccessor);
  // A single-field terms aggregation keys booleans as 1/0; composite (multi-field) keys keep true/false (§3, §4).
  const booleansAsNumbers = fields.length === 1;
  return (doc) => {
    const sets = termSets(accessors, doc, booleansAsNumbers);
    if (sets === undefined) return [];
    const total = sets.reduce((n, vals) => n * vals.length, 1);
    if (total > limit) {
      for (const vals of sets) vals.sort(compareTerm);
      onCut?.(total - limit);
    }
    return productInOrder(sets, limit).map((terms) => ({ key: JSON.stringify(terms), terms }));
  };
}

/**
 * Each field's distinct term values in a document, in document order (strings, finite numbers, booleans —
 * as 1/0 when `booleansAsNumbers`); undefined when some field has none, since the aggregations skip such
 * documents.
 */
export function termSets(accessors: readonly ((doc: EventDoc) => unknown[])[], doc: EventDoc, booleansAsNumbers: boolean): TermValue[][] | undefined {
  const sets: TermValue[][] = [];
  for (const get of accessors) {
    const seen = new Set<string>();
    const vals: TermValue[] = [];
    for (const v of get(doc)) {
      let tv: TermValue;
      if (typeof v === "string") tv = v;
      else if (typeof v === "number" && Number.isFinite(v)) tv = v;
      else if (typeof v === "boolean") tv = booleansAsNumbers ? (v ? 1 : 0) : v;
      else continue;
      const k = typeof tv + ":" + String(tv);
      if (seen.has(k)) continue;
      seen.add(k);
      vals.push(tv);
    }
    if (vals.length === 0) return undefined;
    sets.push(vals);
  }
  return sets;
}

/**
 * The product of the sets in lexicographic order (an odometer), stopped after `limit` combinations: with
 * sorted sets that is key order, so the kept combinations are the smallest keys.
 */
export function productInOrder(sets: readonly (readonly TermValue[])[], limit: number): TermValue[][] {
  const total = sets.reduce((n, vals) => n * vals.length, 1);
  const out: TermValue[][] = [];
  const n = Math.min(total, limit);
  const pos = new Array<number>(sets.length).fill(0);
  for (let c = 0; c < n; c++) {
    out.push(sets.map((vals, i) => vals[pos[i]]));
    for (let i = sets.length - 1; i >= 0; i--) {
      if (++pos[i] < sets[i].length) break;
      pos[i] = 0;
    }
  }
  return out;
}

const utf8 = new TextEncoder();

/** Elasticsearch key order: numbers numerically, strings by UTF-8 bytes; mixed types: numbers < booleans < strings. */
export function compareTerm(a: TermValue, b: TermValue): number {
  const ra = typeof a === "number" ? 0 : typeof a === "boolean" ? 1 : 2;
  const rb = typeof b === "number" ? 0 : typeof b === "boolean" ? 1 : 2;
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  if (sa === sb) return 0;
  // Code-unit order equals UTF-8 byte order except around surrogates; encode only when it matters.
  if (/[\ud800-\udfff]/.test(sa + sb)) return Buffer.compare(Buffer.from(utf8.encode(sa)), Buffer.from(utf8.encode(sb)));
  return sa < sb ? -1 : 1;
}

export function compareCombo(a: readonly TermValue[], b: readonly TermValue[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const c = compareTerm(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A matched event as the replay keeps it: effective time, input order, combinations. */
export interface MatchedEvent {
  /** The event; replay keeps `_source` elsewhere: as JSON text in `json`, or spilled to disk as record `ref`. */
  readonly hit: InputEvent;
  readonly json?: string;
  readonly ref?: number;
  readonly t: number;
  readonly seq: number;
  readonly combos: readonly Combo[];
}

/** What an earlier run learned about a combination (the terms table at run start). */
export interface PriorTerm {
  readonly first: number;
  readonly last: number;
}

/**
 * Whether the store's knowledge proves an occurrence in [hws, from]. Exact when every stored occurrence
 * is ≤ from (the usual case: earlier runs saw earlier data); otherwise only a first/last inside the range
 * counts. Occurrences from this run are checked exactly by the caller.
 */
export function priorSeen(p: PriorTerm, hws: number, from: number): boolean {
  if (p.last <= from) return p.last >= hws;
  return p.first >= hws && p.first <= from;
}

export { lowerBound };

export interface NewTermCandidate {
  readonly combo: Combo;
  readonly basis: MatchedEvent;
}

/**
 * A rule's matched events of one run, sorted by (time, input order), with each combination's occurrence
 * times. Each distinct combination is stored once: events share its Combo object (memory grows with
 * distinct terms, plus a few words per event).
 */
export class NewTermsMemory {
  readonly events: MatchedEvent[] = [];
  /** Per distinct combination: its one object, a one-element array of it (shared by events that have only it), its times. */
  private readonly occ = new Map<string, { combo: Combo; alone: readonly Combo[]; times: number[] }>();
  private sorted = true;

  add(ev: MatchedEvent): void {
    const n = this.events.length;
    if (n > 0) {
      const last = this.events[n - 1];
      if (ev.t < last.t) this.sorted = false;
    }
    let own = false;
    for (const c of ev.combos) {
      const o = this.occ.get(c.key);
      if (o === undefined) this.occ.set(c.key, { combo: c, alone: [c], times: [ev.t] });
      else {
        o.times.push(ev.t);
        if (o.combo !== c) own = true;
      }
    }
    // Events built with shared() combinations are kept as they are; others get a copy that shares them.
    this.events.push(own ? { ...ev, combos: this.shared(ev.combos) } : ev);
  }

  /** The rule's one object per distinct combination (the given ones for combinations not seen yet). */
  shared(combos: readonly Combo[]): readonly Combo[] {
    if (combos.length === 1) {
      const o = this.occ.get(combos[0].key);
      if (o !== undefined) return o.alone;
    }
    let out: Combo[] | undefined;
    for (let i = 0; i < combos.length; i++) {
      const o = this.occ.get(combos[i].key);
      if (o !== undefined && o.combo !== combos[i]) {
        out ??= combos.slice();
        out[i] = o.combo;
      }
    }
    return out ?? combos;
  }

  /** Sorts events by (time, input order), the documented basis-document tie-break. */
  seal(): void {
    if (!this.sorted) this.events.sort((a, b) => a.t - b.t || a.seq - b.seq);
    this.sorted = true;
    for (const o of this.occ.values()) o.times.sort((a, b) => a - b);
  }

  keys(): IterableIterator<string> {
    return this.occ.keys();
  }

  /** Whether this run saw the combination in [lo, hi]. */
  seenIn(key: string, lo: number, hi: number): boolean {
    const list = this.occ.get(key)?.times;
    if (list === undefined) return false;
    const i = lowerBound(list, lo);
    return i < list.length && list[i] <= hi;
  }

  /** Index range of events with from ≤ t ≤ to. */
  range(from: number, to: number): [number, number] {
    const times = this.events;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid].t < from) lo = mid + 1;
      else hi = mid;
    }
    const start = lo;
    hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid].t <= to) lo = mid + 1;
      else hi = mid;
    }
    return [start, lo];
  }
}

export const COMPOSITE_PAGE = 10_000;

/**
 * The new combinations of one execution, in the order Kibana creates their alerts (§12.5): for one
 * field, composite pages of 10 000 keys ascending, inside a page doc count desc then key asc; for
 * several fields, composite key ascending. Basis = earliest matching event in the window (input order on ties).
 */
export function newTermsOfExecution(
  mem: NewTermsMemory,
  fieldCount: number,
  from: number,
  to: number,
  hws: number,
  prior: (key: string) => PriorTerm | undefined,
): NewTermCandidate[] {
  const [lo, hi] = mem.range(from, to);
  const cands = new Map<string, { combo: Combo; basis: MatchedEvent; count: number }>();
  for (let i = lo; i < hi; i++) {
    const ev = mem.events[i];
    for (const c of ev.combos) {
      const cur = cands.get(c.key);
      if (cur === undefined) cands.set(c.key, { combo: c, basis: ev, count: 1 });
      else cur.count++;
    }
  }
  const all = [...cands.values()].sort((a, b) => compareCombo(a.combo.terms, b.combo.terms));
  const isNew = (key: string) => {
    if (mem.seenIn(key, hws, from)) return false;
    const p = prior(key);
    return p === undefined || !priorSeen(p, hws, from);
  };
  const out: NewTermCandidate[] = [];
  if (fieldCount === 1) {
    for (let p = 0; p < all.length; p += COMPOSITE_PAGE) {
      const page = all.slice(p, p + COMPOSITE_PAGE).filter((c) => isNew(c.combo.key));
      page.sort((a, b) => b.count - a.count || compareCombo(a.combo.terms, b.combo.terms));
      for (const c of page) out.push({ combo: c.combo, basis: c.basis });
    }
  } else {
    for (const c of all) if (isNew(c.combo.key)) out.push({ combo: c.combo, basis: c.basis });
  }
  return out;
}

/**
 * Stream mode: is `t` preceded by an occurrence in [hws, t]? Exact for in-order data (last ≤ t);
 * for a late event (last > t) an earlier-or-equal first sighting counts as seen, because the store keeps
 * only first/last and an unknown gap is resolved towards "not new" (no false alert).
 */
export function streamSeen(p: PriorTerm | undefined, t: number, hws: number): boolean {
  if (p === undefined) return false;
  if (p.last <= t) return p.last >= hws;
  return p.first <= t;
}

/** The max_signals cut (§8): ids already stored are dropped first and do not count. Reads `items` only up to the cut. */
export function applyMaxSignals<T extends { id: string }>(items: Iterable<T>, isStored: (id: string) => boolean, maxSignals: number): { kept: T[]; duplicates: number; truncated: boolean } {
  const kept: T[] = [];
  let duplicates = 0;
  const seen = new Set<string>();
  for (const it of items) {
    if (isStored(it.id) || seen.has(it.id)) {
      duplicates++;
      continue;
    }
    if (kept.length >= maxSignals) return { kept, duplicates, truncated: true };
    seen.add(it.id);
    kept.push(it);
  }
  return { kept, duplicates, truncated: false };
}

export const MAX_SIGNALS_WARNING = "This rule reached the maximum alert limit for the rule execution. Some alerts were not created.";

/** A new term of one execution with its basis document (in the rule's memory, or spilled from a search). */
export interface NewTermBasis {
  readonly basis: MatchedEvent;
  /** The basis document's time in the rule's window. */
  readonly t: number;
  readonly terms: readonly TermValue[];
}

/**
 * The alerts of one execution's new terms, given in Kibana's alert order: ids for as many as the
 * max_signals cut reads (an event can bring 10,000 new combinations), then the kept ones' documents.
 */
export function newTermsAlerts(er: EngineRule, cands: readonly NewTermBasis[], ctx: AlertContext, seen: (id: string) => boolean): { alerts: PendingAlert[]; duplicates: number; truncated: boolean } {
  function* items() {
    for (const c of cands) {
      const basisHit = c.basis.hit;
      yield { id: newTermsAlertId(basisHit, ctx.spaceId, er.ruleUuid, c.terms), c, basisHit };
    }
  }
  const cut = applyMaxSignals(items(), seen, resultCap(er));
  const alerts = cut.kept.map(({ id, c, basisHit }): PendingAlert => {
    const { hit, owned } = fullHit(c.basis, basisHit);
    return { id, ruleId: er.rule.rule_id, eventTime: c.t, newTerms: c.terms, ...buildAlertWithJson(er.rule, hit, id, ctx, c.terms, owned) };
  });
  return { alerts, duplicates: cut.duplicates, truncated: cut.truncated };
}

// ---- the rule type: replay and stream -----------------------------------------------------------------

/** Aggregated sightings per combination, merged into the terms table. */
function learn(acc: Map<string, TermRow>, key: string, t: number): void {
  const cur = acc.get(key);
  if (cur === undefined) acc.set(key, { key, first: t, last: t, count: 1 });
  else acc.set(key, { key, first: Math.min(cur.first, t), last: Math.max(cur.last, t), count: cur.count + 1 });
}

function historyStart(rule: Rule, now: number): number {
  return parseDateMath(rule.new_terms?.history_window_start ?? "now-7d", now);
}

/** Events whose combinations were cut at MAX_TERM_COMBINATIONS_PER_EVENT, and the combinations left out. */
class CutCount {
  events = 0;
  combinations = 0;
  readonly add = (left: number): void => {
    this.events++;
    this.combinations += left;
  };
}

class NewTermsReplay implements ReplayRule {
  private readonly mem = new NewTermsMemory();
  private readonly combos: (doc: EventDoc) => Combo[];
  private readonly cutCount = new CutCount();
  private readonly fieldsKey: string;
  private priors = new Map<string, PriorTerm>();
  private learnedIdx = 0;
  private sealed = false;
  /** Per sealed event: 1 once it carried a new combination in some execution (the run summary's funnel). */
  private newMarks: Uint8Array | undefined;

  constructor(
    private readonly er: EngineRule,
    private readonly env: RuleTypeEnv & { readonly spill: TextSpill },
  ) {
    const fields = er.rule.new_terms?.fields ?? [];
    this.combos = comboExtractor(fields, MAX_TERM_COMBINATIONS_PER_EVENT, this.cutCount.add);
    this.fieldsKey = JSON.stringify(fields);
  }

  collect(ev: InputEvent, t: number, spill: () => number, seq: number): boolean {
    const combos = this.combos(ev._source);
    // A new_terms rule needs only events that carry every field (§0.5); others can neither alert nor age a term.
    if (combos.length === 0) return false;
    this.mem.add(new SpilledEvent(this.env.spill, spill(), t, seq, this.mem.shared(combos)));
    return true;
  }

  times(): readonly number[] {
    if (!this.sealed) this.mem.seal();
    this.sealed = true;
    return this.mem.events.map((e) => e.t);
  }

  prepare(_firstFrom: number, learnedFrom: number): void {
    // Prior knowledge from earlier runs, read once before this run writes anything.
    this.priors = this.env.store.getTerms(this.er.rule.rule_id, this.fieldsKey, this.mem.keys());
    // Events up to the window end of the execution before the first are history only: an earlier run (or
    // the time before the rule existed) owns them, so this run never re-learns them.
    this.learnedIdx = this.mem.range(learnedFrom + 1, Number.MAX_SAFE_INTEGER)[0];
  }

  private collectLearned(upTo: number): Map<string, TermRow> {
    const acc = new Map<string, TermRow>();
    let i = this.learnedIdx;
    const evs = this.mem.events;
    for (; i < evs.length && evs[i].t <= upTo; i++) for (const c of evs[i].combos) learn(acc, c.key, evs[i].t);
    this.learnedIdx = i;
    return acc;
  }

  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    const rule = this.er.rule;
    const hws = historyStart(rule, exec.to);
    const cands = newTermsOfExecution(this.mem, rule.new_terms?.fields.length ?? 1, exec.from, exec.to, hws, (k) => this.priors.get(k));
    const out = newTermsAlerts(
      this.er,
      cands.map((c) => ({ basis: c.basis, t: c.basis.t, terms: c.combo.terms })),
      ctx,
      seen,
    );
    return { ...out, withNewTerm: this.markNew(exec, cands) };
  }

  /** Marks the window's events that carry one of the execution's new combinations; returns how many were not marked before. */
  private markNew(exec: Execution, cands: readonly NewTermCandidate[]): number {
    if (cands.length === 0) return 0;
    const fresh = new Set(cands.map((c) => c.combo.key));
    const [lo, hi] = this.mem.range(exec.from, exec.to);
    const marks = (this.newMarks ??= new Uint8Array(this.mem.events.length));
    let n = 0;
    for (let i = lo; i < hi; i++) {
      if (marks[i] === 0 && this.mem.events[i].combos.some((c) => fresh.has(c.key))) {
        marks[i] = 1;
        n++;
      }
    }
    return n;
  }

  skip(exec: Execution): void {
    // committed by an earlier run together with its terms
    this.collectLearned(exec.to);
  }

  commit(exec: Execution): void {
    for (const row of this.collectLearned(exec.to).values()) this.env.store.upsertTerm(this.er.rule.rule_id, this.fieldsKey, row);
  }

  cut(): CutCounts {
    return { events: this.cutCount.events, combinations: this.cutCount.combinations };
  }

  finish(last: Execution): void {
    this.commit(last);
    this.env.store.pruneTerms(this.er.rule.rule_id, historyStart(this.er.rule, last.to));
  }
}

class NewTermsStream implements StreamRule {
  private readonly combosOf: (doc: EventDoc) => Combo[];
  private readonly cutCount = new CutCount();
  /** Events whose new combinations exceeded max_signals. */
  private truncated = 0;
  private readonly fieldsKey: string;
  private readonly batch = new Map<InputEvent, Combo[]>();
  private readonly wanted = new Set<string>();
  private current = new Map<string, PriorTerm>();
  private delta = new Map<string, TermRow>();

  constructor(
    private readonly er: EngineRule,
    private readonly env: RuleTypeEnv,
  ) {
    const fields = er.rule.new_terms?.fields ?? [];
    this.combosOf = comboExtractor(fields, MAX_TERM_COMBINATIONS_PER_EVENT, this.cutCount.add);
    this.fieldsKey = JSON.stringify(fields);
  }

  consider(ev: InputEvent): boolean {
    const combos = this.combosOf(ev._source);
    if (combos.length === 0) return false;
    this.batch.set(ev, combos);
    for (const c of combos) this.wanted.add(c.key);
    return true;
  }

  lookup(): void {
    this.current = this.wanted.size === 0 ? new Map() : this.env.store.getTerms(this.er.rule.rule_id, this.fieldsKey, this.wanted);
  }

  decide(ev: InputEvent, t: number, ctx: AlertContext, seen: (id: string) => boolean): StreamOutcome {
    const rule = this.er.rule;
    const hws = historyStart(rule, t);
    const alerts: PendingAlert[] = [];
    let duplicates = 0;
    const ids = new Set<string>();
    let truncated = false;
    let fresh = false;
    for (const c of this.batch.get(ev) ?? []) {
      const p = this.current.get(c.key);
      const isNew = !streamSeen(p, t, hws);
      fresh ||= isNew;
      // One event alerts at most max_signals times, as one Kibana execution does (its window holds the
      // event): each alert copies the document, and an event can bring 10,000 new combinations. The
      // combinations past the cut are still learned.
      if (isNew && !truncated) {
        const id = newTermsAlertId(ev, ctx.spaceId, this.er.ruleUuid, c.terms);
        if (seen(id) || ids.has(id)) duplicates++;
        else if (alerts.length >= resultCap(this.er)) truncated = true;
        else {
          ids.add(id);
          alerts.push({ id, ruleId: rule.rule_id, eventTime: t, newTerms: c.terms, ...buildAlertWithJson(rule, ev, id, ctx, c.terms) });
        }
      }
      this.current.set(c.key, p === undefined ? { first: t, last: t } : { first: Math.min(p.first, t), last: Math.max(p.last, t) });
      learn(this.delta, c.key, t);
    }
    if (truncated) this.truncated++;
    return { alerts, duplicates, withNewTerm: fresh ? 1 : 0 };
  }

  commit(): void {
    for (const row of this.delta.values()) this.env.store.upsertTerm(this.er.rule.rule_id, this.fieldsKey, row);
    this.delta = new Map();
    this.batch.clear();
    this.wanted.clear();
  }

  finish(newestEvent: number): void {
    this.env.store.pruneTerms(this.er.rule.rule_id, historyStart(this.er.rule, newestEvent));
  }

  cut(): CutCounts {
    return { events: this.cutCount.events, combinations: this.cutCount.combinations };
  }

  warnings(): string[] {
    if (this.truncated === 0) return [];
    const n = this.truncated;
    return [`${this.er.rule.rule_id}: ${n} event${n === 1 ? "" : "s"} had more new terms than max_signals (${this.er.rule.max_signals}): ${MAX_SIGNALS_WARNING}`];
  }
}

/**
 * A new_terms rule whose new terms something outside the engine found, per execution (the cluster's own
 * composite, history and first-document searches, cluster/new-terms-searches.ts): each execution alerts on
 * exactly the terms it was given, in the order given. The memory of terms is the searches' history, so
 * nothing is learned here; the engine still schedules the executions, drops stored ids and applies
 * max_signals.
 */
export class DecidedNewTermsReplay extends DecidedReplay<NewTermBasis> {
  private readonly basisSeen = new Set<string>();

  execute(exec: Execution, ctx: AlertContext, seen: (id: string) => boolean): ExecutionOutcome {
    const cands = this.byExecution.get(exec.startedAt) ?? [];
    // The funnel's "with a new term" counts the basis documents (the searches see no other event), each once.
    let fresh = 0;
    for (const c of cands) {
      const hit = c.basis.hit;
      const key = `${hit._index}\u0000${hit._id}`;
      if (!this.basisSeen.has(key)) {
        this.basisSeen.add(key);
        fresh++;
      }
    }
    return { ...newTermsAlerts(this.er, cands, ctx, seen), withNewTerm: fresh };
  }
}

export const newTermsRuleType: RuleTypeDefinition = {
  types: ["new_terms"],
  replay: (er, env) => new NewTermsReplay(er, env),
  stream: (er, env) => new NewTermsStream(er, env),
};
