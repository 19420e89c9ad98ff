// Threshold rules (docs/engine.md "Threshold rules"): Kibana's published ids and synthetic documents
// (threshold/utils.test.ts, bulk_create_threshold_signals.test.ts), bucketing, cardinality, the history
// filter, and whole replays through the engine with the history carried between executions and runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { InputEvent } from "../../event/types.js";
import type { ThresholdParams } from "../../rules/model.js";
import { SqliteStore } from "../../state/sqlite.js";
import { memorySink } from "../../sinks/ndjson.js";
import { runEngine } from "../run.js";
import { queryAlertId } from "../alert.js";
import { arraySource, hit, makeRule } from "../test-support.js";
import { excludedByHistory, thresholdBuckets, thresholdExtractor, thresholdHit, thresholdSignalUuid, thresholdTermsHash, type ThresholdEvent } from "./threshold.js";

const ms = (iso: string) => Date.parse(iso);

test("signal uuid: Kibana's published values (calculateThresholdSignalUuid, threshold/utils.test.ts)", () => {
  assert.equal(thresholdSignalUuid("abcd", ms("2020-12-17T16:27:00Z"), ["agent.name"], []), "a4832768-a379-583a-b1a2-e2ce2ad9e6e9");
  assert.equal(thresholdSignalUuid("abcd", ms("2019-11-18T13:32:00Z"), ["host.ip"], ["1.2.3.4"]), "ee8870dc-45ff-5e6c-a2f9-80886651ce03");
  // the values are sorted by their string forms before joining: field order does not matter
  assert.equal(thresholdSignalUuid("r", 0, ["a", "b"], ["y", "x"]), thresholdSignalUuid("r", 0, ["a", "b"], ["x", "y"]));
  assert.equal(thresholdSignalUuid("r", 0, ["a", "b"], [10, 9]), thresholdSignalUuid("r", 0, ["a", "b"], ["10", "9"]));
});

test("synthetic document: Kibana's getTransformedHits expectation (two fields, cardinality)", () => {
  const th: ThresholdParams = { field: ["source.ip", "host.name"], value: 1, cardinality: [{ field: "destination.ip", value: 5 }] };
  const rule = makeRule({ rule_id: "1234", type: "threshold", index: ["test"], threshold: th });
  const startedAt = ms("2020-12-17T16:27:00Z");
  const h = thresholdHit(rule, th, { key: ["127.0.0.1", "garden-gnomes"], count: 12, minT: ms("2020-12-17T16:28:03.000Z"), maxT: ms("2020-12-17T16:30:03.000Z"), cardinality: 7 }, startedAt);
  assert.equal(h._id, thresholdSignalUuid("1234", startedAt, ["source.ip", "host.name"], ["127.0.0.1", "garden-gnomes"]));
  assert.equal(h._index, "test");
  assert.deepEqual(h._source, {
    "@timestamp": "2020-12-17T16:30:03.000Z",
    "source.ip": "127.0.0.1",
    "host.name": "garden-gnomes",
    threshold_result: {
      terms: [
        { field: "source.ip", value: "127.0.0.1" },
        { field: "host.name", value: "garden-gnomes" },
      ],
      cardinality: [{ field: "destination.ip", value: 7 }],
      count: 12,
      from: "2020-12-17T16:28:03.000Z",
    },
  });
});

test("synthetic document without threshold fields: empty terms, the uuid of an empty key, index patterns joined", () => {
  const th: ThresholdParams = { field: [], value: 1, cardinality: [{ field: "destination.ip", value: 5 }] };
  const rule = makeRule({ rule_id: "1234", type: "threshold", index: ["a-*", "b-*"], threshold: th });
  const startedAt = ms("2020-12-17T16:27:00Z");
  const h = thresholdHit(rule, th, { key: [], count: 15, minT: ms("2020-12-17T16:28:03Z"), maxT: ms("2020-12-17T16:30:03Z"), cardinality: 7 }, startedAt);
  assert.equal(h._id, thresholdSignalUuid("1234", startedAt, [], []));
  assert.equal(h._index, "a-*,b-*");
  assert.deepEqual(h._source, { "@timestamp": "2020-12-17T16:30:03.000Z", threshold_result: { terms: [], cardinality: [{ field: "destination.ip", value: 7 }], count: 15, from: "2020-12-17T16:28:03.000Z" } });
});

test("terms hash: sha256 of field:value pairs sorted by field (getThresholdTermsHash)", () => {
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  assert.equal(thresholdTermsHash([{ field: "host.name", value: "elastic-pc-1" }]), sha("host.name:elastic-pc-1"));
  assert.equal(thresholdTermsHash([{ field: "user.name", value: "u" }, { field: "host.id", value: 5 }]), sha("host.id:5,user.name:u"));
  assert.equal(thresholdTermsHash([]), sha(""));
});

function events(th: ThresholdParams, docs: readonly [number, Record<string, unknown>][]): ThresholdEvent[] {
  const x = thresholdExtractor(th);
  return docs.map(([t, d], i) => x(d, t, i)).filter((e): e is ThresholdEvent => e !== undefined);
}

test("buckets: composite keys (arrays expand, a missing field drops the event), count ≥ value, key order", () => {
  const th: ThresholdParams = { field: ["h", "u"], value: 2 };
  const evs = events(th, [
    [1, { h: "b", u: ["x", "y"] }],
    [2, { h: "b", u: "x" }],
    [3, { h: "a", u: "x" }],
    [4, { h: "a", u: "x" }],
    [5, { h: "a", u: "x", extra: 1 }],
    [6, { h: "c" }],
    [7, { u: "x" }],
    [8, { h: "b", u: "y" }],
    [9, { h: 10, u: "x" }],
    [10, { h: 10, u: "x" }],
  ]);
  assert.equal(evs.length, 8);
  assert.deepEqual(thresholdBuckets(evs, th), [
    // numbers sort before strings in composite key order
    { key: [10, "x"], count: 2, minT: 9, maxT: 10, cardinality: undefined },
    { key: ["a", "x"], count: 3, minT: 3, maxT: 5, cardinality: undefined },
    { key: ["b", "x"], count: 2, minT: 1, maxT: 2, cardinality: undefined },
    { key: ["b", "y"], count: 2, minT: 1, maxT: 8, cardinality: undefined },
  ]);
});

test("buckets: cardinality counts distinct values of its field (arrays too, 1 and \"1\" apart); both conditions must hold", () => {
  const th: ThresholdParams = { field: ["h"], value: 3, cardinality: [{ field: "d", value: 3 }] };
  const evs = events(th, [
    [1, { h: "a", d: ["p", "q"] }],
    [2, { h: "a", d: "p" }],
    [3, { h: "a", d: 1 }],
    [4, { h: "b", d: "1" }],
    [5, { h: "b", d: 1 }],
    [6, { h: "b" }],
    [7, { h: "c", d: ["p", "q", "r"] }],
  ]);
  // a: 3 events, {p, q, 1} → kept; b: 3 events, {"1", 1} → cardinality 2 < 3; c: 1 event < 3
  assert.deepEqual(thresholdBuckets(evs, th), [{ key: ["a"], count: 3, minT: 1, maxT: 3, cardinality: 3 }]);
});

test("buckets without fields: one bucket of every event", () => {
  const th: ThresholdParams = { field: [], value: 3 };
  const evs = events(th, [
    [5, { a: 1 }],
    [2, {}],
    [9, { b: "x" }],
  ]);
  assert.deepEqual(thresholdBuckets(evs, th), [{ key: [], count: 3, minT: 2, maxT: 9, cardinality: undefined }]);
  assert.deepEqual(thresholdBuckets(evs.slice(1), th), []);
});

test("history filter: an event at or before the bucket's last alert time is left out; every term must match, as a string", () => {
  const fields = ["h", "p"];
  const [ev] = events({ field: fields, value: 1 }, [[100, { h: ["a", "z"], p: 5 }]]);
  const entry = (lastSignal: number, terms: { field: string; value: string | number }[]) => [{ terms, lastSignal }];
  assert.equal(excludedByHistory(ev, fields, entry(100, [{ field: "h", value: "a" }, { field: "p", value: 5 }])), true);
  assert.equal(excludedByHistory(ev, fields, entry(99, [{ field: "h", value: "a" }, { field: "p", value: 5 }])), false);
  assert.equal(excludedByHistory(ev, fields, entry(100, [{ field: "h", value: "z" }, { field: "p", value: "5" }])), true);
  assert.equal(excludedByHistory(ev, fields, entry(100, [{ field: "h", value: "a" }, { field: "p", value: 6 }])), false);
  // no fields: every event up to the time
  assert.equal(excludedByHistory(ev, fields, entry(100, [])), true);
});

// ---- through the engine ---------------------------------------------------------------------------------

const RULE_ID = "th-rule";

async function replay(th: ThresholdParams, evs: InputEvent[], store = SqliteStore.open(":memory:"), over: { max_signals?: number } = {}) {
  const rule = makeRule({ rule_id: RULE_ID, type: "threshold", index: ["logs-*"], from: "now-9m", interval: "5m", threshold: th, ...over });
  const sink = memorySink();
  const summary = await runEngine({ rules: [{ rule, ruleUuid: RULE_ID, matches: () => true }], source: arraySource(evs, 3), store, sink, mode: "replay", clock: () => 0 });
  return { alerts: sink.alerts, summary, store };
}

const at = (iso: string, host: string, i: number) => hit("logs-x", `e-${iso}-${host}-${i}`, { "@timestamp": iso, host: { id: host } }, i + 1);
const burst = (start: string, n: number, host: string, stepSeconds = 5) => Array.from({ length: n }, (_, i) => at(new Date(ms(start) + i * stepSeconds * 1000).toISOString(), host, i));
const brief = (a: Record<string, unknown>) => ({ result: a["kibana.alert.threshold_result"], original: a["kibana.alert.original_time"], at: a["@timestamp"], host: a["host.id"] });

test("replay: executions every 5 m over [now-9m, now]; the history keeps an overlapping window from alerting the same events again", async () => {
  const th: ThresholdParams = { field: ["host.id"], value: 10 };
  // first event 10:00 → executions start at 10:00, 10:05, 10:10 (windows [09:51,10:00], [09:56,10:05], [10:01,10:10])
  const evs = [at("2024-05-01T10:00:00.000Z", "h2", 0), ...burst("2024-05-01T10:04:00Z", 12, "h1"), ...burst("2024-05-01T10:08:00Z", 10, "h1")];
  const { alerts, summary, store } = await replay(th, evs);
  assert.equal(summary.rules[0].executions, 3);
  assert.deepEqual(alerts.map(brief), [
    { result: { terms: [{ field: "host.id", value: "h1" }], count: 12, from: "2024-05-01T10:04:00.000Z" }, original: "2024-05-01T10:04:55.000Z", at: "2024-05-01T10:05:00.000Z", host: "h1" },
    // 10:10's window holds all 22 h1 events; the 12 up to 10:04:55 already alerted
    { result: { terms: [{ field: "host.id", value: "h1" }], count: 10, from: "2024-05-01T10:08:00.000Z" }, original: "2024-05-01T10:08:45.000Z", at: "2024-05-01T10:10:00.000Z", host: "h1" },
  ]);
  const uuid = thresholdSignalUuid(RULE_ID, ms("2024-05-01T10:05:00Z"), ["host.id"], ["h1"]);
  assert.equal(alerts[0]["kibana.alert.uuid"], queryAlertId({ _index: "logs-*", _id: uuid }, "default", RULE_ID));
  assert.deepEqual(alerts[0]["kibana.alert.ancestors"], [{ id: uuid, type: "event", index: "logs-*", depth: 0 }]);
  assert.equal(alerts[0]["kibana.alert.rule.category"], "Threshold Rule");
  assert.equal(alerts[0]["kibana.alert.rule.rule_type_id"], "siem.thresholdRule");
  assert.deepEqual((alerts[0]["kibana.alert.rule.parameters"] as Record<string, unknown>).threshold, { field: ["host.id"], value: 10 });
  assert.deepEqual(store.thresholdHistory(RULE_ID), [{ hash: thresholdTermsHash([{ field: "host.id", value: "h1" }]), terms: '[{"field":"host.id","value":"h1"}]', lastSignal: ms("2024-05-01T10:08:45Z") }]);

  // a later run continues the schedule (10:15: window [10:06, 10:15]); the stored history leaves out the
  // ten events up to 10:08:45, so nine new ones stay under the threshold and a tenth makes it
  const more = await replay(th, [...evs, ...burst("2024-05-01T10:13:00Z", 9, "h1")], store);
  assert.deepEqual(more.alerts, []);
  const third = await replay(th, [...evs, ...burst("2024-05-01T10:13:00Z", 10, "h1")], SqliteStore.open(":memory:"));
  assert.equal(third.alerts.length, 3);
  assert.deepEqual(brief(third.alerts[2]).result, { terms: [{ field: "host.id", value: "h1" }], count: 10, from: "2024-05-01T10:13:00.000Z" });
});

test("replay: buckets in key order, max_signals keeps the first ones and warns", async () => {
  const th: ThresholdParams = { field: ["host.id"], value: 2 };
  const evs = [...burst("2024-05-01T10:00:00Z", 2, "c"), ...burst("2024-05-01T10:00:00Z", 2, "a"), ...burst("2024-05-01T10:00:00Z", 2, "b")];
  const { alerts, summary } = await replay(th, evs, SqliteStore.open(":memory:"), { max_signals: 2 });
  // executions 10:00 ([09:51, 10:00]: one event per host) and 10:05 ([09:56, 10:05]: all six)
  assert.deepEqual(alerts.map((a) => a["host.id"]), ["a", "b"]);
  assert.deepEqual(summary.rules[0].warnings, ["th-rule: execution at 2024-05-01T10:05:00.000Z: This rule reached the maximum alert limit for the rule execution. Some alerts were not created."]);
});

test("replay without fields: one alert for the window's events, no field keys, history over every event", async () => {
  const th: ThresholdParams = { field: [], value: 3 };
  const evs = [...burst("2024-05-01T10:00:00Z", 2, "x", 60), ...burst("2024-05-01T10:03:00Z", 1, "y"), ...burst("2024-05-01T10:06:00Z", 3, "z")];
  const { alerts } = await replay(th, evs);
  // 10:05 [09:56, 10:05]: 3 events → alert; 10:10 [10:01, 10:10]: the 10:01 and 10:03 events already alerted, 3 new ones → alert
  assert.deepEqual(alerts.map(brief), [
    { result: { terms: [], count: 3, from: "2024-05-01T10:00:00.000Z" }, original: "2024-05-01T10:03:00.000Z", at: "2024-05-01T10:05:00.000Z", host: undefined },
    { result: { terms: [], count: 3, from: "2024-05-01T10:06:00.000Z" }, original: "2024-05-01T10:06:10.000Z", at: "2024-05-01T10:10:00.000Z", host: undefined },
  ]);
});

test("replay keeps each distinct value set once: events in any input order, shared or not, give the same alerts", async () => {
  const th: ThresholdParams = { field: ["host.id"], value: 3, cardinality: [{ field: "user.name", value: 2 }] };
  // three hosts repeating, users varying, over 20 minutes, then read backwards and shuffled
  const evs = Array.from({ length: 60 }, (_, i) => {
    const e = at(new Date(ms("2024-05-01T10:00:00Z") + i * 20_000).toISOString(), `h${i % 3}`, i);
    (e._source as Record<string, unknown>).user = { name: `u${i % 4}` };
    return e;
  });
  const shuffled = evs.map((e, i) => [(i * 37) % 61, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  const sorted = (await replay(th, evs)).alerts.map(brief);
  assert.equal(sorted.length > 3, true);
  assert.deepEqual((await replay(th, [...evs].reverse(), SqliteStore.open(":memory:"))).alerts.map(brief), sorted);
  assert.deepEqual((await replay(th, shuffled, SqliteStore.open(":memory:"))).alerts.map(brief), sorted);
});
