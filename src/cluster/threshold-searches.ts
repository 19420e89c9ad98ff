// Threshold rules in a cluster, the way Kibana's threshold executor runs them (docs/engine.md "Threshold
// rules", docs/cluster.md): for each execution, a composite aggregation over the threshold fields in the
// rule's window (no fields: one search counting every matching document), each bucket with the min and
// max of its effective time and, with a cardinality clause, the distinct count of that field; the signal
// history goes into the query as Kibana puts it there — a must_not per bucket that alerted, over its terms
// and the documents up to its last alert's time. The buckets that meet the threshold go to the engine's
// threshold rule type, which builds the alerts and keeps the history as for fetched events.
//
// The history of an execution depends on the alerts of the executions before it, so the executions are
// searched in order, and the history each one leaves is worked out here as the engine will: the alerts
// of the first max_signals qualifying buckets whose ids are not stored. As for new_terms, the test
// distributions' lack of painless means the effective time is two aggregations (documents with the
// override field, and without it on `@timestamp`) and the bucket_selector is applied here.

import { queryAlertId } from "../engine/alert.js";
import { type HistoryEntry, type ThresholdBucket, thresholdHistoryRow, thresholdHit, thresholdOf } from "../engine/rule-types/threshold.js";
import type { TermValue } from "../engine/rule-types/new-terms.js";
import type { DecidedCounts } from "../engine/rule-types/types.js";
import type { DslQuery } from "../compile/filters/filters.js";
import type { ClusterClient } from "./client.js";
import { busyExecutions, RuleSearcher, timeRangeFilter, withoutPrimary, withPrimary, type Bucket, type RuleTimestamps, type SearchPlan } from "./rule-searches.js";

export interface ThresholdSearchPlan extends SearchPlan {
  /** The rule's signal history as the memory holds it (hash → entry). */
  readonly history: ReadonlyMap<string, HistoryEntry>;
}

export interface ThresholdSearchResult {
  /** Per execution (`startedAt`): its qualifying buckets in composite key order, up to one past max_signals. */
  readonly buckets: Map<number, ThresholdBucket[]>;
  readonly counts: DecidedCounts;
  readonly searches: number;
}

/** Per bucket: the earliest and latest effective time, and the distinct count of the cardinality field. */
function bucketAggs(ts: RuleTimestamps, cardinality: string | undefined): Record<string, unknown> {
  const span = (field: string) => ({ mn: { min: { field } }, mx: { max: { field } } });
  const card = cardinality !== undefined ? { c: { cardinality: { field: cardinality } } } : {};
  if (ts.secondary === undefined) return { ...span(ts.primary), ...card };
  return { p: { filter: withPrimary(ts), aggs: span(ts.primary) }, s: { filter: withoutPrimary(ts), aggs: span(ts.secondary) }, ...card };
}

/** A bucket's [min, max] effective time (bucketAggs), or undefined. */
function timeSpan(b: Record<string, unknown>): { minT: number; maxT: number } | undefined {
  const mins: number[] = [];
  const maxs: number[] = [];
  const read = (agg: unknown): void => {
    const a = agg as { mn?: { value?: unknown }; mx?: { value?: unknown } } | undefined;
    if (typeof a?.mn?.value === "number") mins.push(a.mn.value);
    if (typeof a?.mx?.value === "number") maxs.push(a.mx.value);
  };
  read(b);
  read(b.p);
  read(b.s);
  return mins.length === 0 || maxs.length === 0 ? undefined : { minT: Math.min(...mins), maxT: Math.max(...maxs) };
}

/** Kibana's history filter: per entry, its terms (values as strings) and the documents up to its last alert. */
function historyFilter(ts: RuleTimestamps, history: Iterable<HistoryEntry>): DslQuery[] {
  const clauses = [...history].map((h) => ({ bool: { filter: [timeRangeFilter(ts, undefined, h.lastSignal), ...h.terms.map((t) => ({ term: { [t.field]: String(t.value) } }))] } }));
  return clauses.length === 0 ? [] : [{ bool: { must_not: clauses } }];
}

function keyValue(v: unknown): TermValue | undefined {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) ? v : undefined;
}

export async function searchThreshold(client: ClusterClient, plan: ThresholdSearchPlan): Promise<ThresholdSearchResult> {
  const { er } = plan.rule;
  const rule = er.rule;
  const th = thresholdOf(rule);
  const card = th.cardinality !== undefined && th.cardinality.length > 0 ? th.cardinality[0] : undefined;
  const s = new RuleSearcher(client, plan.rule, th.field);
  const aggs = bucketAggs(s.ts, card?.field);
  const qualifies = (count: number, cardinality: number | undefined) => count >= th.value && (card === undefined || (cardinality ?? 0) >= card.value);
  const history = new Map(plan.history);
  const out = new Map<number, ThresholdBucket[]>();
  for (const exec of await busyExecutions(s, plan.executions)) {
    for (const [h, e] of history) if (e.lastSignal <= exec.from) history.delete(h);
    const more = historyFilter(s.ts, history.values());
    const buckets: ThresholdBucket[] = [];
    if (th.field.length === 0) {
      const res = await s.search<{ hits?: { total?: { value?: number } }; aggregations?: Record<string, unknown> }>({ size: 0, track_total_hits: true, query: s.filter(exec.from, exec.to, more), aggs });
      const count = res.hits?.total?.value ?? 0;
      const span = timeSpan(res.aggregations ?? {});
      const c = (res.aggregations?.c as { value?: number } | undefined)?.value;
      if (span !== undefined && qualifies(count, c)) buckets.push({ key: [], count, ...span, cardinality: card === undefined ? undefined : c });
    } else {
      pages: for await (const page of s.composite(exec.from, exec.to, more, aggs)) {
        for (const b of page as Bucket[]) {
          const key = th.field.map((f) => keyValue(b.key[f]));
          const span = timeSpan(b);
          const c = (b.c as { value?: number } | undefined)?.value;
          if (span === undefined || key.some((v) => v === undefined) || !qualifies(b.doc_count, c)) continue;
          buckets.push({ key: key as TermValue[], count: b.doc_count, ...span, cardinality: card === undefined ? undefined : c });
          // Kibana stops paging past max_signals; one more says the cut was needed
          if (buckets.length > rule.max_signals) break pages;
        }
      }
    }
    if (buckets.length === 0) continue;
    out.set(exec.startedAt, buckets);
    // The history the engine will leave: the alerts created, the first max_signals buckets not stored.
    const created = new Set<string>();
    for (const b of buckets.slice(0, rule.max_signals)) {
      const id = queryAlertId(thresholdHit(rule, th, b, exec.startedAt), plan.spaceId, er.ruleUuid);
      if (plan.isStored(id) || created.has(id)) continue;
      created.add(id);
      const { terms, row } = thresholdHistoryRow(th, b);
      history.set(row.hash, { terms, lastSignal: row.lastSignal });
    }
  }
  return { buckets: out, counts: await s.counts(plan.executions), searches: s.searches };
}
