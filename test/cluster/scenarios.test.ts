// The engine scenarios of new_terms.md §4 (multi-field, arrays, max_signals, overlapping windows, the
// timestamp override and its fallback, the window's and history's boundaries), threshold rules and the query-rule scenario, with their events in a real
// Elasticsearch and OpenSearch: each fixture's hits are indexed under their own _index and _id (in indices
// with tern's ECS mapping), and must give exactly the alerts — ids and documents — of the same rules over
// the fixture file (src/engine/scenarios.test.ts pins those to Kibana's literals), both when the cluster
// source fetches them for the engine and when the cluster's own searches decide (the query rules' sorted
// searches, the new_terms and threshold aggregations).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/testing/paths.js";
import type { ClusterKind } from "../../src/testing/cluster/servers.js";
import { useCluster } from "../../src/testing/cluster/fixture.js";
import { openClusterSource } from "../../src/cluster/cluster-source.js";
import { openNdjsonSource } from "../../src/sources/ndjson/index.js";
import { SqliteStore } from "../../src/state/sqlite.js";
import { memorySink } from "../../src/sinks/ndjson.js";
import { runEngine, type RunOptions } from "../../src/engine/run.js";
import { makeRule } from "../../src/engine/test-support.js";
import { compileKql } from "../../src/compile/predicate/index.js";
import { parseKql } from "../../src/lang/kql/index.js";
import type { EventSource } from "../../src/sources/types.js";
import type { Rule } from "../../src/rules/model.js";
import { searchedRunners } from "../../src/cluster/searched-rules.js";
import { THRESHOLD_RULES } from "../../src/testing/scenarios.js";
import { ECS_INDEX_SETTINGS, ecsDynamicTemplates } from "../../src/cluster/ecs-mapping.js";
import { toElasticsearchQuery } from "../../src/compile/dsl/index.js";
import { ecsIndexPattern } from "../../src/ecs/field-types.js";
import type { ClusterClient } from "../../src/cluster/client.js";

const fixture = (name: string) => join(REPO_ROOT, "test", "scenarios", name, "events.ndjson");
const ms = (hhmmss: string) => Date.parse(`2024-05-01T${hhmmss}.000Z`);
const nt = (rule_id: string, fields: string[], over: Partial<Rule> = {}) => makeRule({ rule_id, type: "new_terms", new_terms: { fields, history_window_start: "now-30m" }, ...over });
const once = { start: ms("10:21:00"), end: ms("10:21:00") };

interface Case {
  readonly name: string;
  readonly rules: readonly Rule[];
  readonly window: Pick<RunOptions, "start" | "end">;
  readonly alerts: number;
}

const CASES: readonly Case[] = [
  { name: "multi-field", rules: [nt("nt-name", ["host.name"]), nt("nt-ip", ["host.ip"]), nt("nt-multi", ["host.name", "host.ip"])], window: once, alerts: 1 },
  { name: "arrays", rules: [nt("nt-arr", ["source.ip", "tags"]), nt("nt-ip", ["host.ip"]), nt("nt-name-ip", ["host.name", "host.ip"])], window: once, alerts: 11 },
  { name: "max-signals", rules: [nt("nt-200", ["user.name", "host.name"])], window: once, alerts: 100 },
  {
    name: "overlap",
    rules: [nt("nt-ovl", ["user.name", "destination.domain"], { from: "now-9m", new_terms: { fields: ["user.name", "destination.domain"], history_window_start: "now-2h" } })],
    window: { start: ms("10:20:00"), end: ms("10:25:00") },
    alerts: 1,
  },
  {
    name: "timestamp-fallback",
    rules: [nt("nt-ts", ["host.name"], { timestamp_override: "event.ingested" }), nt("nt-ts-strict", ["host.name"], { timestamp_override: "event.ingested", timestamp_override_fallback_disabled: true })],
    window: once,
    alerts: 3,
  },
  { name: "boundaries", rules: [nt("nt-host", ["host.name"]), nt("nt-bool", ["process.interactive"]), nt("nt-pid", ["process.pid"])], window: once, alerts: 5 },
  { name: "paging", rules: [nt("nt-tags", ["tags"])], window: once, alerts: 100 },
  { name: "threshold", rules: THRESHOLD_RULES, window: { start: ms("10:21:00"), end: ms("10:26:00") }, alerts: 11 },
  {
    name: "query",
    rules: [makeRule({ rule_id: "q-proc", type: "query", query: "event.category:process", from: "now-9m" }), makeRule({ rule_id: "q-max", type: "query", query: "event.category:process", from: "now-9m", max_signals: 1 })],
    window: { start: ms("10:20:00"), end: ms("10:25:00") },
    alerts: 5,
  },
];

const engineRule = (rule: Rule) => ({ rule, ruleUuid: rule.rule_id, matches: compileKql(parseKql(rule.query ?? "*")) });
const nothing: EventSource = { stats: { files: 0, lines: 0, bytes: 0, bad: 0, prefiltered: 0, events: 0 }, batches: async function* () {} };

/** The rules' alerts: over `source`, or, with a client, by the cluster's new_terms searches over `indices`. */
async function alertsOf(rules: readonly Rule[], source: EventSource | { client: ClusterClient; indices: string[] }, window: Pick<RunOptions, "start" | "end">) {
  const sink = memorySink();
  const store = SqliteStore.open(":memory:");
  const searched =
    "client" in source
      ? await searchedRunners(
          source.client,
          rules.map((rule) => ({ er: engineRule(rule), indices: source.indices, query: toElasticsearchQuery(parseKql(rule.query ?? "*"), ecsIndexPattern()) })),
          store,
          { start: window.start, end: window.end ?? Date.now() },
          "default",
        )
      : undefined;
  const summary = await runEngine({
    rules: rules.map(engineRule),
    source: "client" in source ? nothing : source,
    store,
    sink,
    mode: "replay",
    decided: searched?.runners,
    ...window,
  }).finally(() => searched?.close());
  // the alerts, and each rule's alert, duplicate and warning counts
  const alerts = sink.alerts.map((a) => {
    const { ["kibana.alert.rule.execution.uuid"]: _run, ...rest } = a;
    return rest;
  });
  return { alerts, rules: summary.rules.map((r) => [r.ruleId, r.alerts, r.duplicates, r.warnings.length]) };
}

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`new_terms and query scenarios on ${kind}`, () => {
    const fx = useCluster(kind);

    for (const c of CASES) {
      test(`${c.name}: the same ${c.alerts} alert${c.alerts === 1 ? "" : "s"} (and duplicates and warnings) from the cluster as from the file, fetched or by the cluster's searches`, async () => {
        const hits = readFileSync(fixture(c.name), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { _index: string; _id: string; _source: Record<string, unknown> });
        const indices = [...new Set(hits.map((h) => h._index))];
        const { client, server } = fx;
        for (const i of indices) {
          await client.request("DELETE", `/${i}`).catch(() => undefined);
          await client.request("PUT", `/${i}`, { settings: ECS_INDEX_SETTINGS, mappings: { dynamic_templates: ecsDynamicTemplates(client.flavor), properties: { "@timestamp": { type: "date" } } } });
        }
        const items = await client.bulk(hits.flatMap((h) => [{ create: { _index: h._index, _id: h._id } }, h._source]), true);
        assert.deepEqual(items.map((it) => it.status), hits.map(() => 201));
        const local = await alertsOf(c.rules, openNdjsonSource([fixture(c.name)], { onBadLine: () => assert.fail("bad line") }), c.window);
        const remote = await alertsOf(c.rules, openClusterSource(client, server.url, { indices, queries: [], from: ms("00:00:00"), to: ms("23:59:59") }), c.window);
        assert.equal(local.alerts.length, c.alerts);
        assert.deepEqual(remote, local);
        const searched = await alertsOf(c.rules, { client, indices }, c.window);
        assert.deepEqual(searched, local);
      });
    }
  });
}
