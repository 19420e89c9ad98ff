// The new_terms.md §4 scenarios and query rules, run through the real NDJSON source and the SQLite store
// over fixtures in test/scenarios/<name>/. Expected ids are object-hash / sha256 of literal arrays.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import objectHash from "object-hash";
import { REPO_ROOT } from "../testing/paths.js";
import { openNdjsonSource } from "../sources/ndjson/index.js";
import { getValues } from "../event/fields.js";
import type { EventDoc } from "../event/types.js";
import type { Rule } from "../rules/model.js";
import { SqliteStore } from "../state/sqlite.js";
import { memorySink } from "../sinks/ndjson.js";
import { runEngine, type RunOptions } from "./run.js";
import { makeRule } from "./test-support.js";
import { THRESHOLD_RULES } from "../testing/scenarios.js";

const fixture = (name: string) => join(REPO_ROOT, "test", "scenarios", name, "events.ndjson");
const ms = (hhmmss: string) => Date.parse(`2024-05-01T${hhmmss}.000Z`);
const ntId = (index: string, id: string, rule: string, terms: unknown[]) => objectHash([index, id, "undefined", `default:${rule}`, terms]);
const qId = (index: string, id: string, rule: string) => createHash("sha256").update(`${index}${id}undefined` + `default:${rule}`).digest("hex");

async function run(name: string, rules: Rule[], extra: Partial<RunOptions> = {}, store = SqliteStore.open(":memory:")) {
  const sink = memorySink();
  const source = openNdjsonSource([fixture(name)], { onBadLine: () => assert.fail("no bad lines in fixtures") });
  const summary = await runEngine({
    rules: rules.map((rule) => ({ rule, ruleUuid: rule.rule_id, matches: () => true })),
    source,
    store,
    sink,
    mode: "replay",
    ...extra,
  });
  return { summary, alerts: sink.alerts, store };
}

const nt = (rule_id: string, fields: string[], over: Partial<Rule> = {}) =>
  makeRule({ rule_id, type: "new_terms", new_terms: { fields, history_window_start: "now-30m" }, ...over });
const terms = (a: EventDoc) => a["kibana.alert.new_terms"];
const ids = (as: EventDoc[]) => as.map((a) => a["kibana.alert.uuid"]);
const once = { start: ms("10:21:00"), end: ms("10:21:00") };

test("multi-field: each field seen, the combination new → only the 2-field rule alerts", async () => {
  const { alerts, summary } = await run("multi-field", [nt("nt-name", ["host.name"]), nt("nt-ip", ["host.ip"]), nt("nt-multi", ["host.name", "host.ip"])], once);
  assert.deepEqual(alerts.map(terms), [["host-0", "127.0.0.2"]]);
  assert.deepEqual(ids(alerts), [ntId("logs-a", "w1", "nt-multi", ["host-0", "127.0.0.2"])]);
  assert.deepEqual(summary.rules.map((r) => [r.ruleId, r.alerts, r.executions]), [["nt-name", 0, 1], ["nt-ip", 0, 1], ["nt-multi", 1, 1]]);
  const a = alerts[0];
  assert.equal(a._id, undefined);
  assert.equal(a["kibana.alert.original_time"], "2024-05-01T10:20:00.000Z");
  assert.equal(a["@timestamp"], "2024-05-01T10:21:00.000Z");
  assert.deepEqual(a["kibana.alert.ancestors"], [{ id: "w1", type: "event", index: "logs-a", depth: 0 }]);
  assert.equal(a["kibana.alert.reason"], "event on host-0 created low alert Rule nt-multi.");
  assert.deepEqual(a.host, { name: "host-0", ip: "127.0.0.2" });
});

test("arrays: cartesian product per document, 5 of 6 combinations new, all from the same document", async () => {
  const { alerts } = await run("arrays", [nt("nt-arr", ["source.ip", "tags"])], once);
  assert.deepEqual(alerts.map(terms), [
    ["192.168.1.1", "tag-new-1"],
    ["192.168.1.1", "tag-new-3"],
    ["192.168.1.2", "tag-2"],
    ["192.168.1.2", "tag-new-1"],
    ["192.168.1.2", "tag-new-3"],
  ]);
  assert.deepEqual(ids(alerts), (alerts.map(terms) as string[][]).map((t) => ntId("logs-a", "w1", "nt-arr", t)));
});

test("arrays: one document with 3 new host.ip values → 3 alerts, for 1 and 2 fields; documents missing a field ignored", async () => {
  const { alerts } = await run("arrays", [nt("nt-ip", ["host.ip"]), nt("nt-name-ip", ["host.name", "host.ip"])], once);
  assert.deepEqual(
    alerts.map((a) => [a["kibana.alert.rule.rule_id"], terms(a), a["kibana.alert.ancestors"]]),
    [
      ["nt-ip", ["10.0.0.1"], [{ id: "w2", type: "event", index: "logs-a", depth: 0 }]],
      ["nt-ip", ["10.0.0.2"], [{ id: "w2", type: "event", index: "logs-a", depth: 0 }]],
      ["nt-ip", ["10.0.0.3"], [{ id: "w2", type: "event", index: "logs-a", depth: 0 }]],
      ["nt-name-ip", ["host-9", "10.0.0.1"], [{ id: "w2", type: "event", index: "logs-a", depth: 0 }]],
      ["nt-name-ip", ["host-9", "10.0.0.2"], [{ id: "w2", type: "event", index: "logs-a", depth: 0 }]],
      ["nt-name-ip", ["host-9", "10.0.0.3"], [{ id: "w2", type: "event", index: "logs-a", depth: 0 }]],
    ],
  );
});

test("max_signals: 10 × 20 = 200 new combinations → the first 100 in composite order, and Kibana's warning", async () => {
  const { alerts, summary } = await run("max-signals", [nt("nt-200", ["user.name", "host.name"])], once);
  const users = Array.from({ length: 10 }, (_, i) => `user-${i}`).sort();
  const hosts = Array.from({ length: 20 }, (_, i) => `host-${i}`).sort();
  const expected = users.flatMap((u) => hosts.map((h) => [u, h])).slice(0, 100);
  assert.equal(alerts.length, 100);
  assert.deepEqual(alerts.map(terms), expected);
  assert.deepEqual(ids(alerts), expected.map((t) => ntId("logs-a", "w1", "nt-200", t)));
  assert.deepEqual(summary.warnings, [
    "nt-200: execution at 2024-05-01T10:21:00.000Z: This rule reached the maximum alert limit for the rule execution. Some alerts were not created.",
  ]);
});

test("max_signals reached exactly: no warning", async () => {
  const { alerts, summary } = await run("max-signals", [nt("nt-200", ["user.name", "host.name"], { max_signals: 200 })], once);
  assert.equal(alerts.length, 200);
  assert.deepEqual(summary.warnings, []);
});

test("overlap: combinations seen in history → 0 alerts; overlapping windows → 1 alert, the second copy dropped", async () => {
  const rule = nt("nt-ovl", ["user.name", "destination.domain"], { from: "now-9m", new_terms: { fields: ["user.name", "destination.domain"], history_window_start: "now-2h" } });
  const { alerts, summary } = await run("overlap", [rule], { start: ms("10:20:00"), end: ms("10:25:00") });
  // w3 and w4 tie on time: input order picks w3 (documented tie-break).
  assert.deepEqual(alerts.map(terms), [["c", "d-0.example"]]);
  assert.deepEqual(ids(alerts), [ntId("logs-a", "w3", "nt-ovl", ["c", "d-0.example"])]);
  assert.deepEqual(summary.rules.map((r) => [r.executions, r.alerts, r.duplicates]), [[2, 1, 1]]);
});

test("timestamp_override with fallback: event.ingested first, @timestamp when absent; original_time from @timestamp", async () => {
  const rule = nt("nt-ts", ["host.name"], { timestamp_override: "event.ingested" });
  const { alerts } = await run("timestamp-fallback", [rule], once);
  assert.deepEqual(alerts.map((a) => [terms(a), a["kibana.alert.original_time"], (a["kibana.alert.ancestors"] as { id: string }[])[0].id]), [
    [["host-2"], "2024-05-01T09:00:00.000Z", "w1"],
    [["host-3"], "2024-05-01T10:20:00.000Z", "w2"],
  ]);
  assert.deepEqual(ids(alerts), [ntId("logs-a", "w1", "nt-ts", ["host-2"]), ntId("logs-a", "w2", "nt-ts", ["host-3"])]);
  assert.equal(alerts[0]["kibana.alert.rule.timestamp_override"], "event.ingested");
});

test("timestamp_override_fallback_disabled: documents without the override are not matched", async () => {
  const rule = nt("nt-ts", ["host.name"], { timestamp_override: "event.ingested", timestamp_override_fallback_disabled: true });
  const { alerts } = await run("timestamp-fallback", [rule], once);
  assert.deepEqual(alerts.map(terms), [["host-2"]]);
});

test("boundaries: a term only at the window's from is not new, one a millisecond later is; history includes its start; the window includes its end; a single field's boolean is keyed 1", async () => {
  const { alerts } = await run("boundaries", [nt("nt-host", ["host.name"]), nt("nt-bool", ["process.interactive"]), nt("nt-pid", ["process.pid"])], once);
  assert.deepEqual(
    alerts.map((a) => [a["kibana.alert.rule.rule_id"], terms(a), (a["kibana.alert.ancestors"] as { id: string }[])[0].id]),
    [
      ["nt-host", ["host-b"], "b1"],
      ["nt-host", ["host-d"], "d1"],
      ["nt-host", ["host-e"], "e1"],
      ["nt-bool", [1], "b1"],
      ["nt-pid", [4242], "e1"],
    ],
  );
  assert.deepEqual(ids(alerts.slice(3)), [ntId("logs-a", "b1", "nt-bool", [1]), ntId("logs-a", "e1", "nt-pid", [4242])]);
});

test("threshold: counts, the signal history across overlapping windows, cardinality, no fields, several fields with arrays, max_signals, the timestamp fallback", async () => {
  const { alerts, summary } = await run("threshold", [...THRESHOLD_RULES], { start: ms("10:21:00"), end: ms("10:26:00") });
  const result = (a: EventDoc) => a["kibana.alert.threshold_result"] as { terms: { value: unknown }[]; count: number; from: string; cardinality?: { value: number }[] };
  assert.deepEqual(
    alerts.map((a) => [a["kibana.alert.rule.rule_id"], result(a).terms.map((t) => t.value), result(a).count, result(a).from.slice(11, 19), result(a).cardinality?.[0].value]),
    [
      ["th-user", ["alice"], 3, "10:16:00", undefined],
      ["th-card", ["h1"], 4, "10:16:00", 2],
      ["th-none", [], 4, "10:16:00", undefined],
      ["th-multi", ["alice", "x"], 2, "10:16:00", undefined],
      ["th-max", ["alice"], 3, "10:16:00", undefined],
      ["th-ts", ["h1"], 4, "10:16:00", undefined],
      ["th-ts", ["h2"], 1, "10:19:00", undefined],
      ["th-user", ["bob"], 2, "10:23:00", undefined],
      ["th-card", ["h1"], 3, "10:22:00", 2],
      ["th-max", ["alice"], 1, "10:22:00", undefined],
      ["th-ts", ["h1"], 3, "10:22:00", undefined],
    ],
  );
  assert.deepEqual(summary.warnings.map((w) => w.slice(0, w.indexOf(":", 8))), ["th-max: execution at 2024-05-01T10", "th-max: execution at 2024-05-01T10"]);
});

test("query rule: one alert per matching event, overlapping windows de-duplicated, sha256 ids", async () => {
  const rule = makeRule({ rule_id: "q-proc", type: "query", query: "event.category:process", from: "now-9m", severity: "high", risk_score: 73 });
  const sink = memorySink();
  const store = SqliteStore.open(":memory:");
  const summary = await runEngine({
    rules: [{ rule, ruleUuid: "q-proc", matches: (d) => getValues(d, "event.category").includes("process") }],
    source: openNdjsonSource([fixture("query")], { onBadLine: () => assert.fail("bad line") }),
    store,
    sink,
    mode: "replay",
    start: ms("10:20:00"),
    end: ms("10:25:00"),
  });
  assert.deepEqual(ids(sink.alerts), [qId("logs-q", "q1", "q-proc"), qId("logs-q", "q2", "q-proc"), qId("logs-q", "q3", "q-proc")]);
  assert.deepEqual(summary.rules.map((r) => [r.matched, r.executions, r.alerts, r.duplicates]), [[3, 2, 3, 2]]);
  const a = sink.alerts[0];
  assert.equal(a["kibana.alert.reason"], "process event with process sh, on h created high alert Rule q-proc.");
  assert.equal(a["event.kind"], "signal");
  assert.deepEqual(a.event, { category: "process" });
  assert.equal(a["kibana.alert.original_event.kind"], "event");
  assert.equal(a["kibana.alert.original_event.category"], "process");
  assert.equal(a["kibana.alert.rule.type"], "query");
  assert.equal(a["kibana.alert.risk_score"], 73);
  assert.equal(a["kibana.alert.new_terms"], undefined);
  assert.equal(store.stats().alerts, 3);
});

test("query rule max_signals: 2 of 3 in one execution, with the warning", async () => {
  const rule = makeRule({ rule_id: "q-cap", type: "query", from: "now-10m", max_signals: 2 });
  const sink = memorySink();
  const summary = await runEngine({
    rules: [{ rule, ruleUuid: "q-cap", matches: (d) => getValues(d, "event.category").includes("process") }],
    source: openNdjsonSource([fixture("query")], { onBadLine: () => assert.fail("bad line") }),
    store: SqliteStore.open(":memory:"),
    sink,
    mode: "replay",
    start: ms("10:25:00"),
    end: ms("10:25:00"),
  });
  assert.deepEqual(ids(sink.alerts), [qId("logs-q", "q1", "q-cap"), qId("logs-q", "q2", "q-cap")]);
  assert.equal(summary.warnings.length, 1);
});
