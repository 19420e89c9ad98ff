// Which rules `tern run --cluster` runs by the cluster's own searches (query, new_terms and threshold, as
// Kibana's executors do) rather than over fetched events, and their runners for the engine (RunOptions.decided):
// each rule's executions from the engine's own start, without those the memory recorded.

import type { EngineRule } from "../engine/ports.js";
import type { ReplayRule } from "../engine/rule-types/index.js";
import { executions, ruleSchedule, type Execution } from "../engine/schedule.js";
import { replayStart } from "../engine/run.js";
import { decidedThresholdReplay, parseHistory, thresholdOf } from "../engine/rule-types/threshold.js";
import type { SqliteStore } from "../state/sqlite.js";
import { TextSpill } from "../state/spill.js";
import type { ClusterClient } from "./client.js";
import type { SearchedRule } from "./rule-searches.js";
import { searchNewTerms } from "./new-terms-searches.js";
import { searchThreshold } from "./threshold-searches.js";
import { searchQuery } from "./query-searches.js";

/** The rule types the cluster's own searches run (EQL is fetched: neither test distribution has `_eql/search`). */
export const SEARCHED_TYPES: ReadonlySet<string> = new Set(["query", "new_terms", "threshold"]);

interface FieldCaps {
  fields?: Record<string, Record<string, { aggregatable?: boolean; indices?: string[] }>>;
}

/** The fields a rule's aggregations group or count by. */
function aggregatedFields(rule: EngineRule["rule"]): readonly string[] | undefined {
  if (rule.type === "query") return [];
  if (rule.type === "new_terms") return rule.new_terms?.fields;
  if (rule.type === "threshold") {
    const th = thresholdOf(rule);
    return [...th.field, ...(th.cardinality ?? []).slice(0, 1).map((c) => c.field)];
  }
  return undefined;
}

/**
 * Whether the cluster can run a rule by its own searches: why not, or undefined. Kibana's aggregations
 * need every field aggregatable (keyword, ip, numbers, dates…) wherever it is mapped; a field mapped as
 * text (dynamic mapping without tern's template) is not, and such a rule is run over fetched events
 * instead. Alert suppression is built by the engine over every matching event, so those rules are
 * fetched too.
 */
export async function whyNotSearched(client: ClusterClient, er: EngineRule, indices: readonly string[]): Promise<string | undefined> {
  const rule = er.rule;
  const fields = aggregatedFields(rule);
  if (fields === undefined) return `a ${rule.type} rule`;
  if (rule.alert_suppression !== undefined) return "alert suppression is applied by tern over the fetched events";
  if (fields.length === 0) return undefined;
  const caps = await client.request<FieldCaps>("GET", `/${indices.map(encodeURIComponent).join(",")}/_field_caps`, undefined, {
    fields: fields.join(","),
    ignore_unavailable: "true",
    allow_no_indices: "true",
  });
  for (const f of fields) {
    for (const [type, c] of Object.entries(caps.fields?.[f] ?? {})) {
      if (c.aggregatable === false) return `field ${f} is mapped as ${type}${c.indices !== undefined ? ` in ${c.indices.slice(0, 3).join(", ")}${c.indices.length > 3 ? ", …" : ""}` : ""}, which the cluster cannot aggregate`;
    }
  }
  return undefined;
}

/**
 * Runs the searches of every execution the engine will make of each rule from `window` (the engine's own
 * start: --start, else the memory's cursor, else `startIfNew`; up to `end`), skipping those the memory
 * recorded, and gives each rule's runner for RunOptions.decided. The documents found wait in a spill
 * file until their executions alert: `close` removes it once the engine has run.
 */
export async function searchedRunners(
  client: ClusterClient,
  rules: readonly SearchedRule[],
  store: SqliteStore,
  window: { readonly start?: number; readonly startIfNew?: number; readonly end: number },
  spaceId: string,
): Promise<{ runners: Map<string, ReplayRule>; searches: number; close: () => void }> {
  const runners = new Map<string, ReplayRule>();
  let searches = 0;
  const spill = new TextSpill();
  try {
    for (const r of rules) {
      const id = r.er.rule.rule_id;
      const sched = ruleSchedule(r.er.rule);
      const stored = store.getSchedule(id);
      const known = stored?.intervalMs === sched.intervalMs ? stored : undefined;
      const start = replayStart(sched, window.start, known, window.end, window.startIfNew);
      const execs: Execution[] = [];
      if (sched.intervalMs > 0 && start <= window.end) for (const e of executions(sched, start, window.end, window.end)) if (!store.hasExecution(id, e.startedAt)) execs.push(e);
      const isStored = (a: string) => store.hasAlert(a);
      if (r.er.rule.type === "threshold") {
        const res = await searchThreshold(client, { rule: r, executions: execs, spaceId, history: parseHistory(store.thresholdHistory(id)), isStored, spill });
        runners.set(id, decidedThresholdReplay(r.er, { store, spaceId }, res.buckets, res.counts));
        searches += res.searches;
      } else if (r.er.rule.type === "query") {
        const res = await searchQuery(client, { rule: r, executions: execs, spaceId, isStored, spill });
        runners.set(id, res.runner);
        searches += res.searches;
      } else {
        const res = await searchNewTerms(client, { rule: r, executions: execs, spaceId, isStored, spill });
        runners.set(id, res.runner);
        searches += res.searches;
      }
    }
  } catch (e) {
    spill.close();
    throw e;
  }
  return { runners, searches, close: () => spill.close() };
}
