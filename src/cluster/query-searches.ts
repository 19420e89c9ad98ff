// Query rules in a cluster, the way Kibana's query executor runs them: each execution searches the rule's
// window for its query (with filters and exceptions), sorted by time, for as many events as max_signals
// lets alert (Kibana pages on with search_after while the alerts it created stay under max_signals). A
// noisy rule then reads max_signals events per execution, not every event its query matches.
//
// Instead of paging on past the events that would not alert, each search leaves them out: the events
// earlier executions of the run alerted (overlapping windows), and those whose alerts the memory holds
// (found by a first search and left out of the next). So one search per execution is the rule, a second
// one follows only a rerun. The events go to the engine's query rule type in time order; with the
// timestamp override's fallback, the documents with the override field and those without are two sorted
// searches merged by their effective time, the order the engine gives fetched events.

import type { Execution } from "../engine/schedule.js";
import { queryAlertId } from "../engine/alert.js";
import { DecidedQueryReplay, type DecidedEvent } from "../engine/rule-types/query.js";
import { SpilledEvent } from "../engine/matched.js";
import type { DslQuery } from "../compile/filters/filters.js";
import type { ClusterClient } from "./client.js";
import { busyExecutions, RuleSearcher, withoutPrimary, withPrimary, idsClauses, spillHit, type Hit, type SearchPlan } from "./rule-searches.js";

/** Leaves out the given documents (by index and id). */
function leaveOut(docs: ReadonlyMap<string, ReadonlySet<string>>): DslQuery[] {
  const clauses = idsClauses(docs);
  return clauses.length === 0 ? [] : [{ bool: { must_not: clauses } }];
}

export async function searchQuery(client: ClusterClient, plan: SearchPlan): Promise<{ runner: DecidedQueryReplay; searches: number }> {
  const { er } = plan.rule;
  const s = new RuleSearcher(client, plan.rule, []);
  const n = er.rule.max_signals + 1;
  const sorted = async (exec: Execution, more: readonly DslQuery[], field: string, part: DslQuery | undefined): Promise<DecidedEvent[]> => {
    const res = await s.search<{ hits?: { hits?: Hit[] } }>({
      size: n,
      track_total_hits: false,
      query: s.filter(exec.from, exec.to, part === undefined ? more : [...more, part]),
      sort: [{ [field]: { order: "asc", unmapped_type: "date" } }, "_doc"],
    });
    const out: DecidedEvent[] = [];
    for (const h of res.hits?.hits ?? []) {
      const t = h.sort?.[0];
      const ref = typeof t === "number" ? spillHit(plan, h) : undefined;
      if (ref === undefined || typeof t !== "number") continue;
      out.push({ index: h._index, id: h._id, t, ev: new SpilledEvent(plan.spill, ref, t, 0, []) });
    }
    return out;
  };
  // The first `n` events of the window in effective-time order, leaving out `more`.
  const first = async (exec: Execution, more: readonly DslQuery[]): Promise<DecidedEvent[]> => {
    if (s.ts.secondary === undefined) return sorted(exec, more, s.ts.primary, undefined);
    const [a, b] = [await sorted(exec, more, s.ts.primary, withPrimary(s.ts)), await sorted(exec, more, s.ts.secondary, withoutPrimary(s.ts))];
    return [...a, ...b].sort((x, y) => x.t - y.t).slice(0, n);
  };
  // Events alerted by earlier executions of this run: each later window leaves out those inside it.
  let alerted: DecidedEvent[] = [];
  const byExecution = new Map<number, DecidedEvent[]>();
  for (const exec of await busyExecutions(s, plan.executions)) {
    // windows only move forward: what ended before this one is no later window's business
    alerted = alerted.filter((e) => e.t >= exec.from);
    const out = new Map<string, Set<string>>();
    const skipped = new Set<DecidedEvent>();
    const add = (e: DecidedEvent): void => {
      let ids = out.get(e.index);
      if (ids === undefined) out.set(e.index, (ids = new Set()));
      ids.add(e.id);
      skipped.add(e);
    };
    for (const e of alerted) if (e.t >= exec.from && e.t <= exec.to) add(e);
    let events: DecidedEvent[];
    for (;;) {
      events = await first(exec, leaveOut(out));
      const stored = events.filter((e) => plan.isStored(queryAlertId({ _index: e.index, _id: e.id }, plan.spaceId, er.ruleUuid)));
      for (const e of stored) add(e);
      if (stored.length === 0 || events.length < n) break;
    }
    const fresh = events.filter((e) => !skipped.has(e));
    // the engine drops the events left out as duplicates and alerts the first max_signals of the rest
    alerted.push(...fresh.slice(0, er.rule.max_signals));
    const all = [...skipped, ...fresh].sort((x, y) => x.t - y.t);
    if (all.length > 0) byExecution.set(exec.startedAt, all);
  }
  return { runner: new DecidedQueryReplay(er, byExecution, await s.counts(plan.executions)), searches: s.searches };
}
