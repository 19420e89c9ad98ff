// new_terms in a cluster, the way Kibana's executor runs it (docs/cluster.md "new_terms by the cluster's
// searches", new_terms.md §3–§6): for each execution, a composite aggregation lists the terms of the rule's
// window; for each page, a second one over [history start, to] gives each term's first sighting — the
// terms first seen after the window's `from` are new — and its earliest document in the window, the
// alert's basis (Kibana asks for those in a third search; one request does both here, which halves the
// requests of an execution with terms). The engine then builds, dedupes and cuts the alerts
// (DecidedNewTermsReplay).
//
// What differs from Kibana's requests, and why the answers do not: the test distributions of both servers
// lack painless, so the effective time of a timestamp override with its fallback (Kibana's runtime field
// `kibana.combined_timestamp`) is taken as the earlier of two aggregations — over the documents that have
// the override field, and over those that do not, on `@timestamp` — and the bucket_selector that keeps the
// new terms is applied here. Several fields use one composite source per field for every phase, which
// gives each document's combinations as Kibana's does.

import type { Execution } from "../engine/schedule.js";
import { DecidedNewTermsReplay, compareCombo, type NewTermBasis, type TermValue } from "../engine/rule-types/new-terms.js";
import { newTermsAlertId } from "../engine/alert.js";
import { resultCap } from "../engine/ports.js";
import { parseDateMath } from "../util/datemath.js";
import type { DslQuery } from "../compile/filters/filters.js";
import type { ClusterClient } from "./client.js";
import { mapLimit } from "../util/map-limit.js";
import { SpilledEvent } from "../engine/matched.js";
import { busyExecutions, RuleSearcher, spillHit, timeRangeFilter, withoutPrimary, withPrimary, idsClauses, type Bucket, type Hit, type RuleTimestamps, type SearchPlan } from "./rule-searches.js";

/** Terms per history request (Kibana's batch size for several fields). */
export const TERMS_PER_REQUEST = 500;
/** Keys per page of a history search (arrays can give a batch's documents more keys than the batch). */
const HISTORY_PAGE = 1000;

export interface NewTermsSearchResult {
  readonly runner: DecidedNewTermsReplay;
  /** Requests sent. */
  readonly searches: number;
}

/**
 * Sub-aggregations giving, per bucket, the earliest effective time (`first`) or the earliest document
 * (`basis`): one over the documents with the primary timestamp and, with a fallback, one over those
 * without it on `@timestamp`.
 */
function earliest(ts: RuleTimestamps, what: "first" | "basis"): Record<string, unknown> {
  const leaf = (field: string) => (what === "first" ? { min: { field } } : { top_hits: { size: 1, sort: [{ [field]: { order: "asc" } }], _source: false } });
  if (ts.secondary === undefined) return { p: leaf(ts.primary) };
  return {
    p: { filter: withPrimary(ts), aggs: { x: leaf(ts.primary) } },
    s: { filter: withoutPrimary(ts), aggs: { x: leaf(ts.secondary) } },
  };
}

/** The earliest effective time of a bucket (`earliest(…, "first")`), or undefined. */
function firstSeen(b: Bucket): number | undefined {
  const vals: number[] = [];
  const read = (agg: unknown): void => {
    const v = (agg as { value?: unknown } | undefined)?.value;
    if (typeof v === "number" && Number.isFinite(v)) vals.push(v);
  };
  const p = b.p as { x?: unknown; value?: unknown } | undefined;
  if (p !== undefined && "x" in p) read(p.x);
  else read(p);
  read((b.s as { x?: unknown } | undefined)?.x);
  return vals.length === 0 ? undefined : Math.min(...vals);
}

/** The earliest document of a bucket (`earliest(…, "basis")`) and its time, or undefined. */
function basisOf(b: Bucket): { hit: Hit; t: number } | undefined {
  let best: { hit: Hit; t: number } | undefined;
  const read = (agg: unknown): void => {
    const hit = (agg as { hits?: { hits?: Hit[] } } | undefined)?.hits?.hits?.[0];
    const t = hit?.sort?.[0];
    if (hit === undefined || typeof t !== "number") return;
    if (best === undefined || t < best.t) best = { hit, t };
  };
  const p = b.p as { x?: unknown } | undefined;
  if (p !== undefined && "x" in p && b.s !== undefined) read(p.x);
  else read(p);
  read((b.s as { x?: unknown } | undefined)?.x);
  return best;
}

/** A composite key's values in field order, as the cluster gives them (what its queries take back). */
type RawKey = readonly unknown[];

function rawKey(fields: readonly string[], key: Record<string, unknown>): RawKey {
  return fields.map((f) => key[f]);
}

/** The documents holding one of `terms` (each a combination in field order). */
function termsFilter(fields: readonly string[], terms: readonly RawKey[]): DslQuery {
  if (fields.length === 1) return { terms: { [fields[0]]: terms.map((t) => t[0]) } };
  return { bool: { should: terms.map((t) => ({ bool: { filter: fields.map((f, i) => ({ term: { [f]: t[i] } })) } })), minimum_should_match: 1 } };
}

/**
 * A composite key as the rule's terms (in field order): a single field's boolean is keyed 1/0 as
 * Kibana's terms aggregation keys it (§3); several fields keep the composite's true/false (§4).
 */
function termsOf(fields: readonly string[], key: Record<string, unknown>): TermValue[] | undefined {
  const out: TermValue[] = [];
  for (const f of fields) {
    const v = key[f];
    if (typeof v === "boolean") out.push(fields.length === 1 ? (v ? 1 : 0) : v);
    else if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) out.push(v);
    else return undefined;
  }
  return out;
}

/** Sends a plan's searches for one new_terms rule. */
class NewTermsSearcher extends RuleSearcher {
  constructor(
    client: ClusterClient,
    private readonly plan: SearchPlan,
  ) {
    super(client, plan.rule, plan.rule.er.rule.new_terms?.fields ?? []);
  }

  /**
   * The history buckets of `terms`. One field of text keys is Kibana's own request: a terms aggregation
   * including exactly those values, so the documents' other values make no buckets (a document with
   * thousands of tags would otherwise be aggregated whole for every batch). Other keys (numbers,
   * booleans, several fields) take a composite aggregation over the documents holding them.
   */
  private async *history(from: number, to: number, terms: readonly RawKey[], aggs: Record<string, unknown>): AsyncGenerator<Bucket[]> {
    const filter = [termsFilter(this.fields, terms)];
    if (this.fields.length !== 1 || !terms.every((t) => typeof t[0] === "string")) {
      yield* this.composite(from, to, filter, aggs, HISTORY_PAGE);
      return;
    }
    const field = this.fields[0];
    const res = await this.search<{ aggregations?: { terms?: { buckets?: Record<string, unknown>[] } } }>({
      size: 0,
      track_total_hits: false,
      query: this.filter(from, to, filter),
      aggs: { terms: { terms: { field, include: terms.map((t) => t[0]), size: terms.length }, aggs } },
    });
    const buckets = (res.aggregations?.terms?.buckets ?? []).map((b): Bucket => ({ ...b, key: { [field]: b.key }, doc_count: Number(b.doc_count) }));
    if (buckets.length > 0) yield buckets;
  }

  /** Documents named by index and id, read whole, by docKey. */
  async sources(docs: readonly Hit[]): Promise<Map<string, Hit>> {
    const out = new Map<string, Hit>();
    if (docs.length === 0) return out;
    const byIndex = new Map<string, string[]>();
    for (const d of docs) {
      const ids = byIndex.get(d._index);
      if (ids === undefined) byIndex.set(d._index, [d._id]);
      else ids.push(d._id);
    }
    const res = await this.search<{ hits?: { hits?: Hit[] } }>({ size: docs.length, track_total_hits: false, query: { bool: { should: idsClauses(byIndex), minimum_should_match: 1 } } });
    for (const h of res.hits?.hits ?? []) out.set(docKey(h), h);
    return out;
  }

  /** Phase 1: the window's terms, one composite page (ascending keys) at a time, with their window counts. */
  windowPages(exec: Execution): AsyncGenerator<Bucket[]> {
    return this.composite(exec.from, exec.to, []);
  }

  /**
   * Phases 2 and 3 in one request: of `terms`, those first seen in [history start, to] after the window's
   * `from` (new), each with its earliest document in the window (the alert's basis).
   */
  async newTerms(exec: Execution, terms: readonly RawKey[]): Promise<Map<string, { hit: Hit; t: number }>> {
    const hws = parseDateMath(this.plan.rule.er.rule.new_terms?.history_window_start ?? "now-7d", exec.to);
    const wanted = new Set(terms.map((t) => JSON.stringify(t)));
    const aggs = { ...earliest(this.ts, "first"), w: { filter: timeRangeFilter(this.ts, exec.from, exec.to), aggs: earliest(this.ts, "basis") } };
    const found = new Map<string, { hit: Hit; t: number }>();
    for (let i = 0; i < terms.length; i += TERMS_PER_REQUEST) {
      const chunk = terms.slice(i, i + TERMS_PER_REQUEST);
      for await (const buckets of this.history(hws, exec.to, chunk, aggs)) {
        for (const b of buckets) {
          const k = JSON.stringify(rawKey(this.fields, b.key));
          const first = firstSeen(b);
          const basis = basisOf(b.w as Bucket);
          if (wanted.has(k) && first !== undefined && first > exec.from && basis !== undefined) found.set(k, basis);
        }
      }
    }
    return found;
  }
}

/**
 * Kibana's alert order within one phase-1 page (§3, §4): one field, doc count in the window descending
 * then key ascending; several fields, key ascending (the page's order).
 */
function alertOrder<T extends { terms: TermValue[]; count: number }>(fields: number, page: readonly T[]): T[] {
  if (fields > 1) return [...page];
  return [...page].sort((a, b) => b.count - a.count || compareCombo(a.terms, b.terms));
}

/** Executions whose searches run at once (each waits on the cluster most of its time). */
export const EXECUTIONS_IN_FLIGHT = 8;

/** A new term with its basis document and the alert id it would get. */
/** A new term with its basis document (named, its source not read yet), its time and the alert id it would get. */
interface Candidate {
  readonly doc: Hit;
  readonly t: number;
  readonly terms: readonly TermValue[];
  readonly id: string;
}

/**
 * One execution's new terms with their basis documents, in Kibana's alert order (§3, §4), page by page:
 * the searches for a page are sent when the consumer gets that far.
 */
async function* candidates(s: NewTermsSearcher, plan: SearchPlan, exec: Execution): AsyncGenerator<Candidate> {
  const { er } = plan.rule;
  const fields = er.rule.new_terms?.fields ?? [];
  for await (const buckets of s.windowPages(exec)) {
    const page: { terms: TermValue[]; raw: RawKey; count: number }[] = [];
    for (const b of buckets) {
      const terms = termsOf(fields, b.key);
      if (terms !== undefined) page.push({ terms, raw: rawKey(fields, b.key), count: b.doc_count });
    }
    const found = await s.newTerms(
      exec,
      page.map((p) => p.raw),
    );
    const ordered = alertOrder(
      fields.length,
      page.filter((p) => found.has(JSON.stringify(p.raw))),
    );
    for (const c of ordered) {
      const b = found.get(JSON.stringify(c.raw));
      if (b === undefined) continue;
      yield { doc: b.hit, t: Math.min(Math.max(b.t, exec.from), exec.to), terms: c.terms, id: newTermsAlertId(b.hit, plan.spaceId, er.ruleUuid, c.terms) };
    }
  }
}

/** Basis documents whose sources one request reads. */
const SOURCES_PER_REQUEST = 100;

function docKey(h: { _index: string; _id: string }): string {
  return `${h._index}\u0000${h._id}`;
}

/**
 * Runs the plan's executions' searches and returns the rule's runner for the engine. Each execution's
 * new terms are kept, in alert order, up to the first one past max_signals: the ids the engine would drop
 * (stored already, or alerted by an earlier execution of this run) are skipped in the count, so the
 * engine's own cut finds the same alerts and the same truncation, and no more basis documents are fetched
 * than Kibana would. The executions' searches run EXECUTIONS_IN_FLIGHT at a time, each up to max_signals
 * + 1 terms not stored yet; the count against earlier executions' alerts is then made in execution order,
 * reading on where an execution needs more.
 */
export async function searchNewTerms(client: ClusterClient, plan: SearchPlan): Promise<NewTermsSearchResult> {
  const s = new NewTermsSearcher(client, plan);
  const cap = resultCap(plan.rule.er);
  const busy = await busyExecutions(s, plan.executions);
  const ahead = await mapLimit(busy, EXECUTIONS_IN_FLIGHT, async (exec) => {
    const rest = candidates(s, plan, exec);
    const head: Candidate[] = [];
    let unstored = 0;
    while (unstored <= cap) {
      const n = await rest.next();
      if (n.done === true) return { exec, head, rest: undefined };
      head.push(n.value);
      if (!plan.isStored(n.value.id)) unstored++;
    }
    return { exec, head, rest };
  });
  const alerted = new Set<string>();
  const chosen: { exec: Execution; cands: Candidate[] }[] = [];
  for (const { exec, head, rest } of ahead) {
    const cands: Candidate[] = [];
    let kept = 0;
    const take = (c: Candidate): boolean => {
      cands.push(c);
      if (plan.isStored(c.id) || alerted.has(c.id)) return true;
      if (kept === cap) return false;
      kept++;
      alerted.add(c.id);
      return true;
    };
    let more = head.every(take);
    if (more && rest !== undefined) for await (const c of rest) if (!(more = take(c))) break;
    if (cands.length > 0) chosen.push({ exec, cands });
  }
  // The history search names each basis document without its source (a document with thousands of terms
  // would come back once per term): the sources of the documents chosen are read by id, each once, a
  // hundred a request, and wait on disk until their executions alert.
  const refs = new Map<string, number>();
  const docs = new Map<string, Hit>();
  for (const { cands } of chosen) for (const c of cands) docs.set(docKey(c.doc), c.doc);
  const batches: Hit[][] = [];
  const all = [...docs.values()];
  for (let i = 0; i < all.length; i += SOURCES_PER_REQUEST) batches.push(all.slice(i, i + SOURCES_PER_REQUEST));
  for (const read of await mapLimit(batches, EXECUTIONS_IN_FLIGHT, (b) => s.sources(b))) {
    for (const [key, hit] of read) {
      const ref = spillHit(plan, hit);
      if (ref !== undefined) refs.set(key, ref);
    }
  }
  const byExecution = new Map<number, NewTermBasis[]>();
  for (const { exec, cands } of chosen) {
    const bases: NewTermBasis[] = [];
    for (const c of cands) {
      const ref = refs.get(docKey(c.doc));
      // a document deleted since the history search is no basis
      if (ref !== undefined) bases.push({ basis: new SpilledEvent(plan.spill, ref, c.t, 0, []), t: c.t, terms: c.terms });
    }
    if (bases.length > 0) byExecution.set(exec.startedAt, bases);
  }
  return { runner: new DecidedNewTermsReplay(plan.rule.er, byExecution, await s.counts(plan.executions)), searches: s.searches };
}
