// EQL rules through runEngine: event-query alerts with the query-rule id, sequence alerts (shell + building
// blocks) with ids recomputed here from Kibana's recipe, max_signals counting sequences, a sequence split
// across executions (replay: found only when one window holds it, as Kibana) and across stream batches and
// runs (found once), until, runs and the window time vs the ordering time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { EventDoc, InputEvent } from "../../event/types.js";
import { SqliteStore } from "../../state/sqlite.js";
import { memorySink } from "../../sinks/ndjson.js";
import { runEngine } from "../run.js";
import { arraySource, hit, makeRule } from "../test-support.js";
import { compileEqlRule } from "./eql.js";
import type { Rule } from "../../rules/model.js";

const T = (s: string) => `2024-05-01T${s}.000Z`;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

let line = 0;
function ev(id: string, time: string, doc: EventDoc): InputEvent {
  line++;
  return { ...hit("logs-endpoint.events.process-default", id, { "@timestamp": T(time), ...doc }, line), loc: { file: "a.ndjson", line, byteOffset: line * 100 } };
}
const proc = (id: string, time: string, entity: string, name: string) => ev(id, time, { event: { category: ["process"], type: ["start"] }, process: { entity_id: entity, name }, host: { id: "h1" } });
const net = (id: string, time: string, entity: string) => ev(id, time, { event: { category: ["network"], type: ["start"] }, process: { entity_id: entity, name: "curl" }, host: { id: "h1" } });

const SEQ = `sequence by host.id, process.entity_id with maxspan=1m
  [process where event.type == "start" and process.name == "curl"]
  [network where event.type == "start"]`;

function eqlRule(over: Partial<Rule> & { query: string }): Rule {
  return makeRule({ rule_id: "eq", type: "eql", language: "eql", ...over });
}

async function go(rule: Rule, events: InputEvent[], mode: "replay" | "stream", store = SqliteStore.open(":memory:"), extra: { batch?: number; start?: number; end?: number } = {}) {
  const sink = memorySink();
  const summary = await runEngine({
    rules: [{ rule, ruleUuid: rule.rule_id, matches: compileEqlRule(rule).relevant }],
    source: arraySource(events, extra.batch ?? 1000),
    store,
    sink,
    mode,
    clock: () => Date.parse(T("12:00:00")),
    start: extra.start,
    end: extra.end,
  });
  return { alerts: sink.alerts, summary, store };
}

const ancestorIds = (a: Record<string, unknown>) => (a["kibana.alert.ancestors"] as { id: string }[]).map((x) => x.id);

test("an EQL event query: one alert per matching event, the query-rule id, in time order", async () => {
  const rule = eqlRule({ query: 'process where process.name : "CURL"' });
  const { alerts } = await go(rule, [proc("2", "10:00:02", "e2", "curl"), proc("1", "10:00:01", "e1", "curl"), proc("3", "10:00:03", "e3", "bash")], "replay");
  assert.deepEqual(alerts.map(ancestorIds), [["1"], ["2"]]);
  assert.equal(alerts[0]["kibana.alert.uuid"], sha("logs-endpoint.events.process-default" + "1" + "undefined" + "default:eq"));
  assert.equal(alerts[0]["kibana.alert.rule.type"], "eql");
  assert.equal(alerts[0]["kibana.alert.rule.rule_type_id"], "siem.eqlRule");
});

test("a sequence: the shell first, then one building block per event, with Kibana's ids", async () => {
  const rule = eqlRule({ query: SEQ });
  const idx = "logs-endpoint.events.process-default";
  const { alerts } = await go(rule, [proc("p1", "10:00:00", "e1", "curl"), net("n1", "10:00:30", "e1"), net("n2", "10:00:40", "e2")], "replay");
  assert.equal(alerts.length, 3);
  const [shell, b0, b1] = alerts;
  // generateBuildingBlockIds: each block's ancestors (id + index), then the rule uuid, for every block
  const base = "p1" + idx + "eq" + "n1" + idx + "eq";
  const bb0 = sha(base + "0");
  const bb1 = sha(base + "1");
  assert.equal(b0["kibana.alert.uuid"], bb0);
  assert.equal(b1["kibana.alert.uuid"], bb1);
  // the shell's ancestors: each block's event, then the block itself as a signal with an empty index
  const shellId = sha("p1" + idx + bb0 + "" + "n1" + idx + bb1 + "" + "eq");
  assert.equal(shell["kibana.alert.uuid"], shellId);
  assert.equal(shell["kibana.alert.group.id"], shellId);
  assert.deepEqual(shell["kibana.alert.ancestors"], [
    { id: "p1", type: "event", index: idx, depth: 0 },
    { id: bb0, type: "signal", index: "", depth: 1, rule: "eq" },
    { id: "n1", type: "event", index: idx, depth: 0 },
    { id: bb1, type: "signal", index: "", depth: 1, rule: "eq" },
  ]);
  assert.equal(shell["kibana.alert.depth"], 2);
  assert.equal(shell["kibana.alert.building_block_type"], undefined);
  assert.deepEqual(
    [b0, b1].map((b) => [b["kibana.alert.building_block_type"], b["kibana.alert.group.id"], b["kibana.alert.group.index"], b["kibana.alert.depth"]]),
    [
      ["default", shellId, 0, 1],
      ["default", shellId, 1, 1],
    ],
  );
  // the shell carries only what every event shares (Kibana intersects the building blocks)
  assert.deepEqual(shell.process, { entity_id: "e1", name: "curl" });
  assert.deepEqual(shell.host, { id: "h1" });
  // arrays intersect (lodash): differing categories leave an empty array, which Kibana keeps
  assert.deepEqual(shell.event, { category: [], type: ["start"] });
  assert.equal(shell["@timestamp"], b0["@timestamp"]);
  assert.equal(shell["kibana.alert.original_time"], b0["@timestamp"]);
  assert.equal(b0["kibana.alert.original_time"], T("10:00:00"));
});

test("replay: a sequence is found only when one execution's window holds all of it; a rerun adds nothing", async () => {
  // 5m interval, 6m look-back: events 7 minutes apart are never in one window
  const rule = eqlRule({ query: SEQ.replace("maxspan=1m", "maxspan=10m") });
  const store = SqliteStore.open(":memory:");
  const events = [proc("p1", "10:00:00", "e1", "curl"), net("n1", "10:07:00", "e1"), proc("p2", "10:20:00", "e2", "curl"), net("n2", "10:23:00", "e2")];
  const first = await go(rule, events, "replay", store);
  assert.deepEqual(first.alerts.map(ancestorIds).filter((a) => a.length === 1), [["p2"], ["n2"]]);
  assert.equal(first.alerts.length, 3);
  const again = await go(rule, events, "replay", store, { start: Date.parse(T("10:00:00")) });
  assert.equal(again.alerts.length, 0);
  assert.ok(again.summary.rules[0].alreadyDone > 0);
});

test("stream: a sequence split across batches and across runs alerts once", async () => {
  const rule = eqlRule({ query: SEQ.replace("maxspan=1m", "maxspan=1h") });
  const store = SqliteStore.open(":memory:");
  const part1 = [proc("p1", "10:00:00", "e1", "curl")];
  const part2 = [net("n1", "10:10:00", "e1")];
  const a = await go(rule, part1, "stream", store, { batch: 1 });
  assert.equal(a.alerts.length, 0);
  assert.equal(store.eqlPartials("eq").length, 1);
  // a new run over the rest: the partial sequence comes back from the state store
  const b = await go(rule, part2, "stream", store, { batch: 1 });
  assert.equal(b.alerts.length, 3);
  assert.deepEqual(b.alerts.slice(1).map(ancestorIds), [["p1"], ["n1"]]);
  assert.equal(store.eqlPartials("eq").length, 0);
  // the same events again: ids already stored, nothing new
  const c = await go(rule, [...part1, ...part2], "stream", store, { batch: 1 });
  assert.equal(c.alerts.length, 0);
});

test("stream: maxspan is inclusive; one millisecond more and the partial sequence expires", async () => {
  const rule = eqlRule({ query: SEQ });
  const ok = await go(rule, [proc("p1", "10:00:00", "e1", "curl"), net("n1", "10:01:00", "e1")], "stream");
  assert.equal(ok.alerts.length, 3);
  const late = ev("n2", "10:01:00", { event: { category: ["network"], type: ["start"] }, process: { entity_id: "e2", name: "curl" }, host: { id: "h1" } });
  (late._source as { "@timestamp": string })["@timestamp"] = "2024-05-01T10:01:00.001Z";
  const over = await go(rule, [proc("p2", "10:00:00", "e2", "curl"), late], "stream");
  assert.equal(over.alerts.length, 0);
});

test("max_signals counts sequences, not alerts; the warning is raised", async () => {
  const rule = eqlRule({ query: SEQ, max_signals: 2 });
  const evs = ["a", "b", "c"].flatMap((k, i) => [proc(`p${k}`, `10:00:0${i}`, k, "curl"), net(`n${k}`, `10:00:1${i}`, k)]);
  const { alerts, summary } = await go(rule, evs, "replay");
  // the first execution's window holds all three; size 2 keeps the first two sequences (ordered by their last event)
  assert.equal(alerts.filter((a) => a["kibana.alert.group.index"] === undefined).length, 2);
  assert.equal(alerts.length, 6);
  assert.ok(summary.warnings.some((w) => w.includes("maximum alert limit")));
});

test("until cancels a pending sequence; runs repeats a query", async () => {
  const rule = eqlRule({
    query: `sequence by process.entity_id [process where process.name == "curl"] [network where true] until [process where process.name == "kill"]`,
  });
  const evs = [proc("p1", "10:00:00", "e1", "curl"), proc("k1", "10:00:01", "e1", "kill"), net("n1", "10:00:02", "e1"), proc("p2", "10:00:03", "e2", "curl"), net("n2", "10:00:04", "e2")];
  const { alerts } = await go(rule, evs, "replay");
  assert.deepEqual(alerts.filter((a) => a["kibana.alert.group.index"] !== undefined).map(ancestorIds), [["p2"], ["n2"]]);
  const runs = eqlRule({ rule_id: "rn", query: `sequence by process.entity_id [network where true] with runs=3` });
  const r = await go(runs, [net("a", "10:00:00", "x"), net("b", "10:00:01", "x"), net("c", "10:00:02", "x"), net("d", "10:00:03", "x")], "stream");
  assert.deepEqual(r.alerts.filter((a) => a["kibana.alert.group.index"] === 0).map(ancestorIds), [["a"], ["b"]]);
});

test("the window uses timestamp_override (event.ingested); ordering and maxspan use @timestamp", async () => {
  const rule = eqlRule({ query: SEQ, timestamp_override: "event.ingested" });
  const p = proc("p1", "10:00:00", "e1", "curl");
  const n = net("n1", "10:00:30", "e1");
  // ingested in the opposite order, an hour later: still one sequence, ordered by @timestamp
  (p._source as Record<string, unknown>).event = { ...(p._source.event as object), ingested: T("11:00:05") };
  (n._source as Record<string, unknown>).event = { ...(n._source.event as object), ingested: T("11:00:01") };
  const { alerts } = await go(rule, [n, p], "replay");
  assert.deepEqual(alerts.slice(1).map(ancestorIds), [["p1"], ["n1"]]);
});

test("replay orders event results by timestamp, then tiebreaker_field, then input order", async () => {
  const rule = eqlRule({ query: 'process where process.name == "curl"', tiebreaker_field: "event.sequence" });
  const at = (id: string, seqNo: number | undefined) => {
    const e = proc(id, "10:00:00", id, "curl");
    if (seqNo !== undefined) (e._source.event as Record<string, unknown>).sequence = seqNo;
    return e;
  };
  // same timestamp: tiebreaker ascending, an event without one last (Elasticsearch sorts missing last)
  const { alerts } = await go(rule, [at("a", 3), at("b", undefined), at("c", 1), at("d", 2), proc("e", "09:59:59", "e", "curl")], "replay");
  assert.deepEqual(alerts.map(ancestorIds), [["e"], ["c"], ["d"], ["a"], ["b"]]);
});

test("replay keeps join keys on disk and reads them back: a multi-valued key joins on any value, as the mapped type", async () => {
  const rule = eqlRule({
    query: `sequence with maxspan=1m [process where process.name == "curl"] by process.pid [network where true] by process.pid`,
  });
  const p = ev("p", "10:00:00", { event: { category: ["process"] }, process: { name: "curl", pid: [7, 8] } });
  const other = ev("n9", "10:00:01", { event: { category: ["network"] }, process: { pid: 9 } });
  // process.pid is a long: the text "8" is indexed as 8, so it joins the number
  const text = ev("n", "10:00:02", { event: { category: ["network"] }, process: { pid: "8" } });
  const { alerts } = await go(rule, [p, other, text], "replay");
  assert.deepEqual(alerts.slice(1).map(ancestorIds), [["p"], ["n"]]);
});

test("replay does not spill the documents of events only a missing-event stage can use (no alert is built from them)", async () => {
  let reads = 0;
  // an event whose JSON text counts its reads: replay's spill reads it once per event it keeps a document of
  const counted = (e: InputEvent): InputEvent => {
    const doc = e._source;
    return Object.defineProperty({ ...e }, "json", { get: () => (reads++, JSON.stringify(doc)), enumerable: true });
  };
  const rule = eqlRule({
    query: `sequence by host.id with maxspan=1m
      [process where process.name == "curl"]
      ![network where true]`,
  });
  const events = [
    proc("a1", "10:00:00", "p1", "curl"),
    ...["10:05:00", "10:06:00", "10:07:00"].map((t, i) => net(`n${i}`, t, "p2")),
    proc("a2", "10:10:00", "p3", "curl"),
    net("n9", "10:10:30", "p4"),
  ].map(counted);
  const { alerts, summary } = await go(rule, events, "replay");
  // the two curl starts are kept with their documents, the four network events without
  assert.equal(reads, 2);
  assert.equal(summary.rules[0].usable, 6);
  // a1 has no network event within a minute; a2's comes after the end of the execution window that first
  // holds a2, which therefore alerts it (as Kibana's execution would)
  const blocks = alerts.filter((a) => a["kibana.alert.building_block_type"] === "default");
  assert.deepEqual(
    blocks.map((a) => [(a["process"] as { entity_id: string }).entity_id, a["@timestamp"]]),
    [
      ["p1", T("10:00:00")],
      ["p3", T("10:10:00")],
    ],
  );
});
