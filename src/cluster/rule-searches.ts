// What the cluster's own searches for a rule share (new_terms and threshold, run as Kibana's executors run
// them): the rule's timestamps and Kibana's time-range filter, composite aggregations over the rule's
// fields paged through, the quiet-window check that spares executions without documents their searches,
// and the funnel's counts.

import type { EngineRule } from "../engine/ports.js";
import { executionsWithEvents, fixedOffsets, ruleSchedule, type Execution } from "../engine/schedule.js";
import { COMPOSITE_PAGE } from "../engine/rule-types/new-terms.js";
import type { DslQuery } from "../compile/filters/filters.js";
import type { ClusterClient } from "./client.js";
import type { TextSpill } from "../state/spill.js";
import type { DecidedCounts } from "../engine/rule-types/types.js";
import type { EventDoc } from "../event/types.js";
import { spillEvent } from "../engine/matched.js";

/** A rule the cluster's searches run: its index patterns and its query with filters and exceptions (Kibana's `esFilter`). */
export interface SearchedRule {
  readonly er: EngineRule;
  readonly indices: readonly string[];
  readonly query: DslQuery;
}

/** What one rule's searches over a run need. */
export interface SearchPlan {
  readonly rule: SearchedRule;
  /** The executions to search, by `startedAt` ascending (those the memory has not recorded). */
  readonly executions: readonly Execution[];
  readonly spaceId: string;
  /** Whether an alert id is stored already (the engine drops such alerts, and they do not count for max_signals). */
  readonly isStored: (id: string) => boolean;
  /** Where the documents found wait until their executions alert (only coordinates stay in memory). */
  readonly spill: TextSpill;
}

/** A document a search returned. */
export interface Hit {
  _index: string;
  _id: string;
  _source?: EventDoc;
  sort?: unknown[];
}

/**
 * Writes a returned document to the plan's spill as the engine's event (the rule reads it as it would the
 * same document fetched); its record, or undefined for a hit without a source.
 */
export function spillHit(plan: SearchPlan, h: Hit): number | undefined {
  if (h._source === undefined || h._source === null || typeof h._source !== "object") return undefined;
  return spillEvent(plan.spill, { _index: h._index, _id: h._id, _source: h._source, loc: { file: plan.rule.indices.join(","), line: 0, byteOffset: 0 } });
}

/** The documents of each index with one of its ids: one clause per index (an `_id` is unique only within its index). */
export function idsClauses(byIndex: ReadonlyMap<string, Iterable<string>>): DslQuery[] {
  return [...byIndex].map(([index, ids]) => [index, [...ids]] as const).filter(([, ids]) => ids.length > 0).map(([index, ids]) => ({ bool: { filter: [{ term: { _index: index } }, { ids: { values: ids } }] } }));
}

/** Which timestamps a rule's windows use (new_terms.md §2.1). */
export interface RuleTimestamps {
  readonly primary: string;
  /** `@timestamp` for the documents without the override field, unless the fallback is disabled. */
  readonly secondary?: string;
}

export function ruleTimestamps(rule: EngineRule["rule"]): RuleTimestamps {
  const primary = rule.timestamp_override ?? "@timestamp";
  return primary !== "@timestamp" && rule.timestamp_override_fallback_disabled !== true ? { primary, secondary: "@timestamp" } : { primary };
}

/**
 * Kibana's time-range filter (§2.2): on the primary timestamp, or on `@timestamp` where it is missing;
 * without `from`, only the upper bound.
 */
export function timeRangeFilter(ts: RuleTimestamps, from: number | undefined, to: number): DslQuery {
  const span = { ...(from !== undefined ? { gte: new Date(from).toISOString() } : {}), lte: new Date(to).toISOString(), format: "strict_date_optional_time" };
  if (ts.secondary === undefined) return { range: { [ts.primary]: span } };
  return {
    bool: {
      should: [{ range: { [ts.primary]: span } }, { bool: { filter: [{ range: { [ts.secondary]: span } }], must_not: [{ exists: { field: ts.primary } }] } }],
      minimum_should_match: 1,
    },
  };
}

/** The documents with the primary timestamp, and (with a fallback) those without it. */
export function withPrimary(ts: RuleTimestamps): DslQuery {
  return { exists: { field: ts.primary } };
}

export function withoutPrimary(ts: RuleTimestamps): DslQuery {
  return { bool: { must_not: [{ exists: { field: ts.primary } }] } };
}

export interface Bucket {
  key: Record<string, unknown>;
  doc_count: number;
  [agg: string]: unknown;
}

interface CompositeResponse {
  aggregations?: { terms?: { buckets: Bucket[]; after_key?: Record<string, unknown> } };
}

const SEARCH_PARAMS = { ignore_unavailable: "true", allow_no_indices: "true" };

/** Sends one rule's searches and counts them. */
export class RuleSearcher {
  searches = 0;
  readonly ts: RuleTimestamps;
  private readonly path: string;

  constructor(
    protected readonly client: ClusterClient,
    readonly rule: SearchedRule,
    /** The fields whose values make the rule's buckets (composite sources, and what "usable" needs). */
    readonly fields: readonly string[],
  ) {
    this.path = `/${rule.indices.map(encodeURIComponent).join(",")}/_search`;
    this.ts = ruleTimestamps(rule.er.rule);
  }

  /** The rule's query, the time range and any more filters. */
  filter(from: number, to: number, more: readonly DslQuery[]): DslQuery {
    return { bool: { filter: [this.rule.query, timeRangeFilter(this.ts, from, to), ...more] } };
  }

  /** One search of the rule's indices. */
  async search<T>(body: Record<string, unknown>): Promise<T> {
    this.searches++;
    return this.client.request<T>("POST", this.path, body, SEARCH_PARAMS);
  }

  /**
   * Every bucket of a composite aggregation over the fields in [from, to], page by page; `aggs` under each
   * bucket. Pages of `size` keys: the history search's several single-bucket aggregations per key count
   * towards the server's `search.max_buckets` (65,536 by default), so it asks for fewer at a time.
   */
  async *composite(from: number, to: number, more: readonly DslQuery[], aggs?: Record<string, unknown>, size: number = COMPOSITE_PAGE): AsyncGenerator<Bucket[]> {
    let after: Record<string, unknown> | undefined;
    do {
      const composite = { sources: this.fields.map((f) => ({ [f]: { terms: { field: f } } })), size, ...(after !== undefined ? { after } : {}) };
      const res = await this.search<CompositeResponse>({
        size: 0,
        track_total_hits: false,
        query: this.filter(from, to, more),
        aggs: { terms: { composite, ...(aggs !== undefined ? { aggs } : {}) } },
      });
      const buckets = res.aggregations?.terms?.buckets ?? [];
      if (buckets.length > 0) yield buckets;
      after = buckets.length < size ? undefined : res.aggregations?.terms?.after_key;
    } while (after !== undefined);
  }

  /**
   * Where in [from, to] the rule has documents with every field: for each non-empty date_histogram
   * bucket of `width` ms on the effective time, its first and last millisecond (ascending). A window at
   * least `width` long meets a bucket only if it holds one of the two.
   */
  async busyTimes(from: number, to: number, width: number): Promise<number[]> {
    const times: number[] = [];
    const has = this.fields.map((f) => ({ exists: { field: f } }));
    const histogram = async (field: string, more: readonly DslQuery[]): Promise<void> => {
      let after: Record<string, unknown> | undefined;
      do {
        const composite = { sources: [{ t: { date_histogram: { field, fixed_interval: `${width}ms` } } }], size: COMPOSITE_PAGE, ...(after !== undefined ? { after } : {}) };
        const res = await this.search<{ aggregations?: { b?: { buckets: { key: { t: unknown } }[]; after_key?: Record<string, unknown> } } }>({
          size: 0,
          track_total_hits: false,
          query: this.filter(from, to, [...has, ...more]),
          aggs: { b: { composite } },
        });
        const buckets = res.aggregations?.b?.buckets ?? [];
        for (const b of buckets) if (typeof b.key.t === "number") times.push(b.key.t, b.key.t + width - 1);
        after = buckets.length < COMPOSITE_PAGE ? undefined : res.aggregations?.b?.after_key;
      } while (after !== undefined);
    };
    if (this.ts.secondary === undefined) await histogram(this.ts.primary, []);
    else {
      await histogram(this.ts.primary, [withPrimary(this.ts)]);
      await histogram(this.ts.secondary, [withoutPrimary(this.ts)]);
    }
    return [...new Set(times)].sort((a, b) => a - b);
  }

  /**
   * The funnel of the span the executions read: how many documents the rule's query matches, and how
   * many of them hold every field — all in some window, as a schedule's windows cover its span.
   */
  async counts(execs: readonly Execution[]): Promise<DecidedCounts> {
    if (execs.length === 0) return { matched: 0, usable: 0, inWindow: 0 };
    const [from, to] = [execs[0].from, execs[execs.length - 1].to];
    const count = async (more: readonly DslQuery[]): Promise<number> => {
      this.searches++;
      const res = await this.client.request<{ count?: number }>("POST", this.path.replace(/_search$/, "_count"), { query: this.filter(from, to, more) }, SEARCH_PARAMS);
      return res.count ?? 0;
    };
    const matched = await count([]);
    const usable = matched === 0 || this.fields.length === 0 ? matched : await count(this.fields.map((f) => ({ exists: { field: f } })));
    return { matched, usable, inWindow: usable };
  }
}

/** The shortest histogram bucket the quiet-window check uses (ms). */
const MIN_BUCKET_MS = 1000;

/**
 * The executions whose windows hold a document with every field: only they can find anything. A
 * backfill of a rule that runs every minute over a month of sparse data then sends a few requests per
 * busy window, not one per execution. Windows of a schedule that is not a fixed offset from its start
 * (date math rounding) are all searched.
 */
export async function busyExecutions(s: RuleSearcher, execs: readonly Execution[]): Promise<readonly Execution[]> {
  if (execs.length === 0) return execs;
  const sched = ruleSchedule(s.rule.er.rule);
  const off = fixedOffsets(sched);
  if (off === undefined) return execs;
  const width = Math.min(sched.intervalMs, off.toOffset - off.fromOffset);
  if (width < MIN_BUCKET_MS) return execs;
  const times = await s.busyTimes(execs[0].from, execs[execs.length - 1].to, width);
  const starts = new Set(executionsWithEvents(sched, execs[0].startedAt, execs[execs.length - 1].startedAt, times).withEvents.map((e) => e.startedAt));
  return execs.filter((e) => starts.has(e.startedAt));
}
