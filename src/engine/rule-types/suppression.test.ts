// Alert suppression of alerts built one by one (new_terms, EQL events and sequences, threshold buckets, and
// query rules in stream mode): the terms as Kibana reads them, the fold of one execution's candidates, the
// extension of an open alert within the duration, a look-back that counted a candidate already, and whole
// runs through the engine. Expected ids and instance ids are recomputed here from Kibana's recipes
// (object-hash of the documented arrays), not through tern's helpers.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import objectHash from "object-hash";
import type { EventDoc, InputEvent } from "../../event/types.js";
import type { Rule } from "../../rules/model.js";
import { SqliteStore } from "../../state/sqlite.js";
import { memorySink } from "../../sinks/ndjson.js";
import { runEngine } from "../run.js";
import type { AlertContext } from "../alert.js";
import { arraySource, hit, makeRule } from "../test-support.js";
import { compileEqlRule } from "./eql.js";
import { thresholdSignalUuid } from "./threshold.js";
import { AlertSuppressor, asCandidate, eventTerms, robustGet, shellTerms, suppressionConfig } from "./suppression.js";
import { skipReason } from "../../cli/commands/run.js";

const T = (hms: string) => `2024-05-01T${hms}.000Z`;
const ms = (hms: string) => Date.parse(T(hms));
const UUID = "rule-uuid";
const instance = (terms: unknown) => objectHash([terms, UUID, "default"]);

let line = 0;
function ev(index: string, id: string, time: string, doc: EventDoc): InputEvent {
  line++;
  return { ...hit(index, id, { "@timestamp": T(time), ...doc }, line), loc: { file: "a.ndjson", line, byteOffset: line * 100 } };
}

async function run(rule: Rule, events: InputEvent[], opts: { mode?: "replay" | "stream"; batch?: number; start?: string; end?: string; matches?: (d: EventDoc) => boolean } = {}) {
  const sink = memorySink();
  const summary = await runEngine({
    rules: [{ rule, ruleUuid: UUID, matches: opts.matches ?? (() => true) }],
    source: arraySource(events, opts.batch ?? 1000),
    store: SqliteStore.open(":memory:"),
    sink,
    mode: opts.mode ?? "replay",
    clock: () => ms("12:00:00"),
    start: opts.start === undefined ? undefined : ms(opts.start),
    end: opts.end === undefined ? undefined : ms(opts.end),
  });
  return { alerts: sink.alerts, summary };
}

const view = (a: Record<string, unknown>) => ({
  uuid: a["kibana.alert.uuid"],
  instance: a["kibana.alert.instance.id"],
  terms: a["kibana.alert.suppression.terms"],
  start: a["kibana.alert.suppression.start"],
  end: a["kibana.alert.suppression.end"],
  docs: a["kibana.alert.suppression.docs_count"],
});

test("config: group_by, duration in s/m/h, missing-field strategy; threshold suppression needs only a duration", () => {
  assert.deepEqual(suppressionConfig({ group_by: ["host.name"], duration: { value: 5, unit: "m" } }), { groupBy: ["host.name"], durationMs: 300_000, suppressMissing: true });
  assert.deepEqual(suppressionConfig({ group_by: ["a"], missing_fields_strategy: "doNotSuppress" }), { groupBy: ["a"], durationMs: undefined, suppressMissing: false });
  assert.equal(suppressionConfig({ duration: { value: 1, unit: "h" } }), undefined);
  assert.deepEqual(suppressionConfig({ duration: { value: 1, unit: "h" } }, "threshold"), { groupBy: [], durationMs: 3_600_000, suppressMissing: true });
  const th = makeRule({ rule_id: "t", type: "threshold", threshold: { field: ["host.name"], value: 2 } });
  assert.equal(skipReason({ ...th, alert_suppression: {} }), "alert suppression on a threshold rule needs a duration (Kibana: suppression duration can not be empty)");
  assert.equal(skipReason({ ...th, alert_suppression: { duration: { value: 1, unit: "h" } } }), undefined);
  const nt = makeRule({ rule_id: "n", new_terms: { fields: ["a"], history_window_start: "now-1d" } });
  assert.equal(skipReason({ ...nt, alert_suppression: { group_by: [] } }), "alert suppression without group_by fields (Kibana requires 1 to 3)");
  assert.equal(skipReason({ ...nt, alert_suppression: { group_by: ["host.name"] } }, "stream"), undefined);
});

test("terms: an event's values as a sorted array (null when absent), the event's own @timestamp and event.kind; a shell's values as they are", () => {
  const alertDoc: EventDoc = {
    "@timestamp": "2024-05-01T12:00:00.000Z",
    "kibana.alert.original_time": "2024-05-01T10:00:00.000Z",
    "kibana.alert.original_event.kind": "event",
    host: { ip: ["10.0.0.9", "10.0.0.10"] },
    process: { pid: [100, 9, 10] },
    "user.name": "root",
  };
  assert.deepEqual(eventTerms(alertDoc, ["host.ip", "process.pid", "user.name", "process.name", "@timestamp", "event.kind"]), [
    { field: "host.ip", value: ["10.0.0.10", "10.0.0.9"] },
    { field: "process.pid", value: [9, 10, 100] },
    { field: "user.name", value: ["root"] },
    { field: "process.name", value: null },
    { field: "@timestamp", value: ["2024-05-01T10:00:00.000Z"] },
    { field: "event.kind", value: ["event"] },
  ]);
  assert.deepEqual(shellTerms({ host: { id: "h1", ip: ["b", "a"] }, "user.name": "root" }, ["host.id", "host.ip", "user.name", "x"]), [
    { field: "host.id", value: "h1" },
    { field: "host.ip", value: ["a", "b"] },
    { field: "user.name", value: "root" },
    { field: "x", value: null },
  ]);
  assert.equal(robustGet({ a: { "b.c": { d: 1 } } }, "a.b.c.d"), 1);
  assert.equal(robustGet({ "a.b": [{ c: 1 }] }, "a.b.c"), undefined);
});

// ---- the suppressor alone -----------------------------------------------------------------------------

function ctxAt(hms: string, execution: string): AlertContext {
  return { spaceId: "default", ruleUuid: UUID, now: ms(hms), executionUuid: execution, executionType: "scheduled", kibanaVersion: "8.19.0" };
}
function cand(id: string, inst: string, t: string, ctx: AlertContext) {
  const doc: EventDoc = { "kibana.alert.uuid": id, "kibana.alert.start": new Date(ctx.now).toISOString(), "kibana.alert.rule.execution.uuid": ctx.executionUuid };
  return asCandidate({ id, ruleId: "r", eventTime: ms(t), doc }, [], [{ field: "f", value: [inst] }], ms(t), ms(t), inst);
}
const apply = (s: AlertSuppressor, cands: ReturnType<typeof cand>[], ctx: AlertContext, over: { windowStart?: number; perExecution?: boolean; maxAlerts?: number } = {}) =>
  s.apply(cands, ctx, { windowStart: over.windowStart ?? ctx.now - 3_600_000, perExecution: over.perExecution ?? false, lateEventsCount: false, maxAlerts: over.maxAlerts ?? 100 });
const brief = (as: readonly { id: string; doc: EventDoc }[]) => as.map((a) => [a.id, a.doc["kibana.alert.suppression.docs_count"], a.doc["kibana.alert.suppression.start"], a.doc["kibana.alert.suppression.end"]]);

test("suppressor: one execution folds an instance's candidates into its earliest; max_signals cuts created alerts only", () => {
  const s = new AlertSuppressor(SqliteStore.open(":memory:"));
  const c1 = ctxAt("10:05:00", "e1");
  const out = apply(s, [cand("b", "x", "10:02:00", c1), cand("a", "x", "10:01:00", c1), cand("c", "y", "10:03:00", c1), cand("d", "x", "10:04:00", c1), cand("e", "z", "10:04:30", c1)], c1, { maxAlerts: 2 });
  assert.deepEqual(brief(out.alerts), [
    ["a", 2, T("10:01:00"), T("10:04:00")],
    ["c", 0, T("10:03:00"), T("10:03:00")],
  ]);
  assert.deepEqual([out.suppressed, out.truncated, out.updates.length, out.counted], [2, true, 0, 0]);
});

test("suppressor: within the duration a later execution extends the open alert; a look-back that reaches back is not counted twice", () => {
  const s = new AlertSuppressor(SqliteStore.open(":memory:"));
  const c1 = ctxAt("10:05:00", "e1");
  apply(s, [cand("a", "x", "10:01:00", c1)], c1);
  const c2 = ctxAt("10:10:00", "e2");
  // "a2" is the 10:01 event seen again by an overlapping look-back (the existing alert ends at 10:01): dropped
  const out = apply(s, [cand("a2", "x", "10:01:00", c2), cand("f", "x", "10:07:00", c2), cand("g", "x", "10:08:00", c2)], c2);
  assert.deepEqual([out.alerts.length, out.counted, out.suppressed], [0, 1, 2]);
  assert.deepEqual(brief(out.updates), [["a", 2, T("10:01:00"), T("10:08:00")]]);
  assert.equal(out.updates[0].doc["kibana.alert.last_detected"], T("10:10:00"));
  // per execution (no duration): the open alert of another execution is not extended, a new one starts
  const c3 = ctxAt("10:15:00", "e3");
  const again = apply(s, [cand("h", "x", "10:12:00", c3)], c3, { windowStart: ms("10:09:00"), perExecution: true });
  assert.deepEqual(brief(again.alerts), [["h", 0, T("10:12:00"), T("10:12:00")]]);
  // outside the window the instance has no open alert
  const c4 = ctxAt("12:00:00", "e4");
  assert.deepEqual(brief(apply(s, [cand("i", "x", "11:59:00", c4)], c4, { windowStart: ms("11:00:00") }).alerts), [["i", 0, T("11:59:00"), T("11:59:00")]]);
});

// ---- whole runs ---------------------------------------------------------------------------------------

const proc = (id: string, time: string, host: string, name: string) => ev("logs-endpoint.events.process-default", id, time, { event: { kind: "event", category: ["process"] }, host: { name: host }, process: { name } });

test("new_terms: per execution without a duration, extended within one", async () => {
  const rule = makeRule({ rule_id: "nt", new_terms: { fields: ["process.name"], history_window_start: "now-1d" }, alert_suppression: { group_by: ["host.name"] } });
  const events = [proc("1", "10:01:00", "h1", "a"), proc("2", "10:02:00", "h1", "b"), proc("3", "10:03:00", "h2", "c"), proc("4", "10:07:00", "h1", "d")];
  const ntId = (id: string, term: string) => objectHash(["logs-endpoint.events.process-default", id, "undefined", `default:${UUID}`, [term]]);
  const h1 = [{ field: "host.name", value: ["h1"] }];
  const h2 = [{ field: "host.name", value: ["h2"] }];
  const { alerts, summary } = await run(rule, events, { start: "10:05:00", end: "10:10:00" });
  assert.deepEqual(alerts.map(view), [
    { uuid: ntId("1", "a"), instance: instance(h1), terms: h1, start: T("10:01:00"), end: T("10:02:00"), docs: 1 },
    { uuid: ntId("3", "c"), instance: instance(h2), terms: h2, start: T("10:03:00"), end: T("10:03:00"), docs: 0 },
    { uuid: ntId("4", "d"), instance: instance(h1), terms: h1, start: T("10:07:00"), end: T("10:07:00"), docs: 0 },
  ]);
  assert.deepEqual(alerts.map((a) => a["kibana.alert.new_terms"]), [["a"], ["c"], ["d"]]);
  assert.equal(summary.rules[0].suppressed, 1);

  const lasting = await run({ ...rule, alert_suppression: { group_by: ["host.name"], duration: { value: 30, unit: "m" } } }, events, { start: "10:05:00", end: "10:10:00" });
  assert.deepEqual(lasting.alerts.map(view), [
    { uuid: ntId("1", "a"), instance: instance(h1), terms: h1, start: T("10:01:00"), end: T("10:02:00"), docs: 1 },
    { uuid: ntId("3", "c"), instance: instance(h2), terms: h2, start: T("10:03:00"), end: T("10:03:00"), docs: 0 },
    // the first alert written again: 10:07's new term joined it
    { uuid: ntId("1", "a"), instance: instance(h1), terms: h1, start: T("10:01:00"), end: T("10:07:00"), docs: 2 },
  ]);
  assert.equal(lasting.alerts[2]["kibana.alert.last_detected"], T("10:10:00"));
  assert.deepEqual([lasting.summary.rules[0].alerts, lasting.summary.rules[0].suppressed], [2, 2]);
});

test("new_terms doNotSuppress: an event without the group_by field alerts plainly, without suppression fields", async () => {
  const rule = makeRule({ rule_id: "nt", new_terms: { fields: ["process.name"], history_window_start: "now-1d" }, alert_suppression: { group_by: ["user.name"], missing_fields_strategy: "doNotSuppress" } });
  const { alerts } = await run(rule, [proc("1", "10:01:00", "h1", "a"), proc("2", "10:02:00", "h1", "b")], { start: "10:05:00", end: "10:05:00" });
  assert.deepEqual(alerts.map((a) => [a["kibana.alert.new_terms"], a["kibana.alert.instance.id"], a["kibana.alert.suppression.terms"]]), [
    [["a"], undefined, undefined],
    [["b"], undefined, undefined],
  ]);
});

const SEQ = `sequence by host.name with maxspan=1m
  [process where process.name == "curl"]
  [process where process.name == "sh"]`;

test("EQL sequences: the later sequence of a host folds into the first shell; its building blocks are not written", async () => {
  const rule = makeRule({ rule_id: "eq", type: "eql", language: "eql", query: SEQ, alert_suppression: { group_by: ["host.name"] } });
  const events = [proc("p1", "10:00:00", "h1", "curl"), proc("p2", "10:00:20", "h1", "sh"), proc("p3", "10:01:00", "h1", "curl"), proc("p4", "10:01:10", "h1", "sh"), proc("p5", "10:02:00", "h2", "curl"), proc("p6", "10:02:05", "h2", "sh")];
  const { alerts, summary } = await run(rule, events, { start: "10:05:00", end: "10:05:00", matches: compileEqlRule(rule).relevant });
  const shells = alerts.filter((a) => a["kibana.alert.group.index"] === undefined);
  assert.deepEqual(alerts.length, 6);
  const t = (h: string) => [{ field: "host.name", value: h }];
  // a shell's terms come from its own document (the sequence's common fields): a plain value, not an array;
  // its suppression time is the shell's @timestamp, the execution time
  assert.deepEqual(shells.map(view), [
    { uuid: shells[0]["kibana.alert.uuid"], instance: instance(t("h1")), terms: t("h1"), start: T("10:05:00"), end: T("10:05:00"), docs: 1 },
    { uuid: shells[1]["kibana.alert.uuid"], instance: instance(t("h2")), terms: t("h2"), start: T("10:05:00"), end: T("10:05:00"), docs: 0 },
  ]);
  const blocksOf = (shell: Record<string, unknown>) => alerts.filter((a) => a["kibana.alert.group.id"] === shell["kibana.alert.uuid"] && a !== shell).map((a) => (a["kibana.alert.ancestors"] as { id: string }[])[0].id);
  assert.deepEqual([blocksOf(shells[0]), blocksOf(shells[1])], [["p1", "p2"], ["p5", "p6"]]);
  assert.equal(summary.rules[0].suppressed, 1);
});

test("EQL event query in stream mode: one alert per host and batch-independent, later events extend it once per batch", async () => {
  const rule = makeRule({ rule_id: "eq", type: "eql", language: "eql", query: 'process where process.name == "curl"', alert_suppression: { group_by: ["host.name"], duration: { value: 1, unit: "h" } } });
  const events = [proc("1", "10:00:00", "h1", "curl"), proc("2", "10:00:10", "h1", "curl"), proc("3", "10:00:20", "h2", "curl"), proc("4", "10:00:30", "h1", "curl"), proc("5", "10:00:40", "h1", "curl")];
  const evId = (id: string) => createHash("sha256").update(`logs-endpoint.events.process-default${id}undefineddefault:${UUID}`).digest("hex");
  const h = (x: string) => [{ field: "host.name", value: [x] }];
  const { alerts, summary } = await run(rule, events, { mode: "stream", batch: 3, matches: compileEqlRule(rule).relevant });
  assert.deepEqual(alerts.map(view), [
    // batch 1: event 2 folded into event 1's alert before it was written
    { uuid: evId("1"), instance: instance(h("h1")), terms: h("h1"), start: T("10:00:00"), end: T("10:00:10"), docs: 1 },
    { uuid: evId("3"), instance: instance(h("h2")), terms: h("h2"), start: T("10:00:20"), end: T("10:00:20"), docs: 0 },
    // batch 2: events 4 and 5 extend it, written again once
    { uuid: evId("1"), instance: instance(h("h1")), terms: h("h1"), start: T("10:00:00"), end: T("10:00:40"), docs: 3 },
  ]);
  assert.deepEqual([summary.rules[0].alerts, summary.rules[0].suppressed], [2, 3]);
});

test("query rules in stream mode: each event's group is a candidate as it arrives", async () => {
  const rule = makeRule({ rule_id: "q", type: "query", query: "*", alert_suppression: { group_by: ["user.name"] } });
  const login = (id: string, time: string, user: string) => ev("logs-auth", id, time, { event: { action: "login" }, user: { name: user } });
  const { alerts } = await run(rule, [login("1", "10:00:30", "alice"), login("2", "10:01:00", "alice"), login("3", "10:02:00", "bob")], { mode: "stream", batch: 1 });
  const terms = (u: string) => [{ field: "user.name", value: u }];
  const gid = (id: string, u: string, t: string) => objectHash(["logs-auth", id, "undefined", `default:${UUID}`, terms(u), new Date(T(t)), new Date(T(t))]);
  assert.deepEqual(alerts.map(view), [
    { uuid: gid("1", "alice", "10:00:30"), instance: instance(terms("alice")), terms: terms("alice"), start: T("10:00:30"), end: T("10:00:30"), docs: 0 },
    // without a duration stream mode suppresses for the rule's interval (5m) before now
    { uuid: gid("1", "alice", "10:00:30"), instance: instance(terms("alice")), terms: terms("alice"), start: T("10:00:30"), end: T("10:01:00"), docs: 1 },
    { uuid: gid("3", "bob", "10:02:00"), instance: instance(terms("bob")), terms: terms("bob"), start: T("10:02:00"), end: T("10:02:00"), docs: 0 },
  ]);
});

test("threshold: Kibana's suppressed ids and instance, a later bucket of the same values extends the alert, and the history keeps only created alerts", async () => {
  const rule = makeRule({ rule_id: "th", type: "threshold", index: ["logs-*"], threshold: { field: ["host.name"], value: 2 }, alert_suppression: { duration: { value: 1, unit: "h" } } });
  const events = [proc("1", "10:01:00", "h1", "x"), proc("2", "10:02:00", "h1", "x"), proc("3", "10:07:00", "h1", "x"), proc("4", "10:08:00", "h1", "x")];
  const { alerts, summary } = await run(rule, events, { start: "10:05:00", end: "10:10:00" });
  const id = objectHash(["logs-*", thresholdSignalUuid("th", ms("10:05:00"), ["host.name"], ["h1"]), `default:${UUID}`]);
  const terms = [{ field: "host.name", value: "h1" }];
  assert.deepEqual(alerts.map(view), [
    { uuid: id, instance: objectHash([["h1"], UUID, "default"]), terms, start: T("10:01:00"), end: T("10:02:00"), docs: 0 },
    { uuid: id, instance: objectHash([["h1"], UUID, "default"]), terms, start: T("10:01:00"), end: T("10:08:00"), docs: 1 },
  ]);
  assert.deepEqual(alerts[0]["kibana.alert.threshold_result"], { terms, count: 2, from: T("10:01:00") });
  assert.deepEqual([summary.rules[0].alerts, summary.rules[0].suppressed], [1, 1]);
});
