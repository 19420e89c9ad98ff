// The engine scenarios of new_terms.md §4 (multi-field, arrays, max_signals, overlapping windows, the
// timestamp override and its fallback) and the query-rule scenario, with their events in a real
// Elasticsearch and OpenSearch: each fixture's hits are indexed under their own _index and _id, read back
// by the cluster source, and must give exactly the alerts — ids and documents — of the same rules over the
// fixture file (src/engine/scenarios.test.ts pins those to Kibana's literals).
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
  { name: "query", rules: [makeRule({ rule_id: "q-proc", type: "query", query: "event.category:process", from: "now-9m" })], window: { start: ms("10:20:00"), end: ms("10:25:00") }, alerts: 3 },
];

async function alertsOf(rules: readonly Rule[], source: EventSource, window: Pick<RunOptions, "start" | "end">) {
  const sink = memorySink();
  await runEngine({
    rules: rules.map((rule) => ({ rule, ruleUuid: rule.rule_id, matches: compileKql(parseKql(rule.query ?? "*")) })),
    source,
    store: SqliteStore.open(":memory:"),
    sink,
    mode: "replay",
    ...window,
  });
  return sink.alerts.map((a) => {
    const { ["kibana.alert.rule.execution.uuid"]: _run, ...rest } = a;
    return rest;
  });
}

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`new_terms and query scenarios on ${kind}`, () => {
    const fx = useCluster(kind);

    for (const c of CASES) {
      test(`${c.name}: the same ${c.alerts} alert${c.alerts === 1 ? "" : "s"} from the cluster as from the file`, async () => {
        const hits = readFileSync(fixture(c.name), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { _index: string; _id: string; _source: Record<string, unknown> });
        const indices = [...new Set(hits.map((h) => h._index))];
        const { client, server } = fx;
        for (const i of indices) await client.request("DELETE", `/${i}`).catch(() => undefined);
        const items = await client.bulk(hits.flatMap((h) => [{ create: { _index: h._index, _id: h._id } }, h._source]), true);
        assert.deepEqual(items.map((it) => it.status), hits.map(() => 201));
        const local = await alertsOf(c.rules, openNdjsonSource([fixture(c.name)], { onBadLine: () => assert.fail("bad line") }), c.window);
        const remote = await alertsOf(c.rules, openClusterSource(client, server.url, { indices, queries: [], from: ms("00:00:00"), to: ms("23:59:59") }), c.window);
        assert.equal(local.length, c.alerts);
        assert.deepEqual(remote, local);
      });
    }
  });
}
