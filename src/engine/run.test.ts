// runEngine over in-memory events: stream-mode decisions, late events, checkpoint resume, index routing,
// replay over events in any input order, and the prior knowledge of an earlier run.

import { test } from "node:test";
import assert from "node:assert/strict";
import objectHash from "object-hash";
import type { InputEvent } from "../event/types.js";
import { SqliteStore } from "../state/sqlite.js";
import { memorySink } from "../sinks/ndjson.js";
import type { SinkAlert } from "./ports.js";
import { GROUP_ALERTS, countInWindows, runEngine, replayStart } from "./run.js";
import { MAX_SIGNALS_WARNING } from "./rule-types/new-terms.js";
import { ruleSchedule } from "./schedule.js";
import { arraySource, hit, makeRule } from "./test-support.js";

const T = (s: string) => `2024-05-01T${s}.000Z`;
const ms = (s: string) => Date.parse(T(s));
const rule = makeRule({ rule_id: "nt", new_terms: { fields: ["user.name"], history_window_start: "now-1h" } });
const at = (id: string, time: string, user: string, line: number, file = "a.ndjson"): InputEvent => ({ ...hit("logs", id, { "@timestamp": T(time), user: { name: user } }, line), loc: { file, line, byteOffset: line * 100 } });
const terms = (as: Record<string, unknown>[]) => as.map((a) => (a["kibana.alert.new_terms"] as string[])[0]);

async function go(events: InputEvent[], mode: "replay" | "stream", store = SqliteStore.open(":memory:"), extra = {}) {
  const sink = memorySink();
  const summary = await runEngine({ rules: [{ rule, ruleUuid: "nt", matches: () => true }], source: arraySource(events, 2), store, sink, mode, clock: () => 0, ...extra });
  return { alerts: sink.alerts, summary, store };
}

test("stream: new when no sighting in [t − history, t]; history ages out; same-time repeats alert once", async () => {
  const { alerts } = await go(
    [at("1", "10:00:00", "alice", 1), at("2", "10:30:00", "alice", 2), at("3", "11:31:00", "alice", 3), at("4", "11:40:00", "bob", 4), at("5", "11:40:00", "bob", 5)],
    "stream",
  );
  assert.deepEqual(alerts.map((a) => [terms([a])[0], (a["kibana.alert.ancestors"] as { id: string }[])[0].id]), [["alice", "1"], ["alice", "3"], ["bob", "4"]]);
  assert.equal(alerts[0]["kibana.alert.uuid"], objectHash(["logs", "1", "undefined", "default:nt", ["alice"]]));
});

test("stream: a late event whose term was first seen later still alerts; one seen earlier does not", async () => {
  const { alerts } = await go([at("1", "10:30:00", "carol", 1), at("2", "10:00:00", "carol", 2), at("3", "10:40:00", "dave", 3), at("4", "10:35:00", "carol", 4)], "stream");
  assert.deepEqual(terms(alerts), ["carol", "carol", "dave"]);
});

test("stream: a rerun resumes after the committed line of each file (no duplicate, no double count)", async () => {
  const store = SqliteStore.open(":memory:");
  const evs = [at("1", "10:00:00", "erin", 1), at("2", "10:01:00", "erin", 2), at("3", "10:02:00", "frank", 3)];
  const first = await go(evs.slice(0, 2), "stream", store);
  assert.deepEqual(terms(first.alerts), ["erin"]);
  const second = await go(evs, "stream", store);
  assert.deepEqual(terms(second.alerts), ["frank"]);
  assert.deepEqual(store.getTerm("nt", '["user.name"]', '["erin"]'), { key: '["erin"]', first: ms("10:00:00"), last: ms("10:01:00"), count: 2 });
});

test("replay: input order does not matter; ties on time go to the earlier input line", async () => {
  const evs = [at("b", "10:20:00", "gina", 2), at("a", "10:20:00", "gina", 1), at("c", "10:10:00", "hank", 3)];
  const { alerts } = await go(evs, "replay");
  assert.deepEqual(alerts.map((a) => [terms([a])[0], (a["kibana.alert.ancestors"] as { id: string }[])[0].id]), [["hank", "c"], ["gina", "b"]]);
});

test("replay: a second run continues the schedule and uses what the first learned", async () => {
  const store = SqliteStore.open(":memory:");
  await go([at("1", "10:00:00", "ivan", 1)], "replay", store);
  assert.deepEqual(store.getSchedule("nt"), { intervalMs: 300_000, lastStartedAt: ms("10:00:00") });
  const { alerts, summary } = await go([at("2", "10:40:00", "ivan", 1), at("3", "10:40:00", "judy", 2)], "replay", store);
  assert.deepEqual(terms(alerts), ["judy"]);
  assert.equal(summary.rules[0].executions, 8);
  assert.equal(replayStart(ruleSchedule(rule), undefined, store.getSchedule("nt"), 0), ms("10:45:00"));
});

test("index routing: hits with _index are filtered by the rule's patterns; --no-index-filter turns it off", async () => {
  const r = makeRule({ rule_id: "ix", type: "query", index: ["logs-endpoint.*"] });
  const evs = [
    { ...hit("logs-endpoint.events.file-default", "1", { "@timestamp": T("10:00:00") }), loc: { file: "x.ndjson", line: 1, byteOffset: 0 } },
    { ...hit("winlogbeat-1", "2", { "@timestamp": T("10:00:00") }), loc: { file: "x.ndjson", line: 2, byteOffset: 0 } },
    // _index derived from a file name no rule targets: unrouted, reaches every rule.
    { ...hit("events", "3", { "@timestamp": T("10:00:00") }), loc: { file: "/d/events.ndjson", line: 1, byteOffset: 0 } },
    // hits exported from Elasticsearch name the data stream's backing index
    { ...hit(".ds-logs-endpoint.events.file-default-2026.11.10-000001", "4", { "@timestamp": T("10:00:00") }), loc: { file: "x.ndjson", line: 3, byteOffset: 0 } },
  ];
  const run = async (indexFilter: boolean) => {
    const sink = memorySink();
    await runEngine({ rules: [{ rule: r, ruleUuid: "ix", matches: () => true }], source: arraySource(evs), store: SqliteStore.open(":memory:"), sink, mode: "replay", indexFilter });
    return sink.alerts.map((a) => (a["kibana.alert.ancestors"] as { id: string }[])[0].id);
  };
  assert.deepEqual(await run(true), ["1", "3", "4"]);
  assert.deepEqual(await run(false), ["1", "2", "3", "4"]);
});

// 600 events 30 s apart, query rule (5m interval, 6m lookback): executions of ~10 alerts, overlapping by 1 minute.
const q = makeRule({ rule_id: "q", type: "query" });
const every30s = Array.from({ length: 600 }, (_, i) => ({ ...hit("logs", `e${i}`, { "@timestamp": new Date(ms("00:00:00") + i * 30_000).toISOString() }, i + 1) }));
function recordingSink(failOnWrite?: number) {
  const sizes: number[] = [];
  const inner = memorySink();
  return {
    sizes,
    alerts: inner.alerts,
    write(batch: readonly SinkAlert[]) {
      if (sizes.length + 1 === failOnWrite) return Promise.reject(new Error("disk gone"));
      sizes.push(batch.length);
      return inner.write(batch);
    },
    close: () => Promise.resolve(),
  };
}

test("replay: executions are written and committed in groups of at most GROUP_ALERTS; overlaps deduplicated within a group", async () => {
  const sink = recordingSink();
  const store = SqliteStore.open(":memory:");
  const summary = await runEngine({ rules: [{ rule: q, ruleUuid: "q", matches: () => true }], source: arraySource(every30s), store, sink, mode: "replay" });
  assert.equal(GROUP_ALERTS, 256);
  assert.deepEqual(sink.sizes, [251, 250, 99]);
  assert.equal(summary.rules[0].alerts, 600);
  // the same count as one transaction per execution (61 writes of at most 13 alerts) gives
  assert.equal(summary.rules[0].duplicates, 178);
  assert.equal(new Set(sink.alerts.map((a) => a["kibana.alert.uuid"])).size, 600);
  assert.equal(store.listAlerts(undefined, 10_000).length, 600);
});

test("replay: a failed group write commits nothing of that group; the rerun writes exactly the rest", async () => {
  const store = SqliteStore.open(":memory:");
  const first = recordingSink(2);
  await assert.rejects(runEngine({ rules: [{ rule: q, ruleUuid: "q", matches: () => true }], source: arraySource(every30s), store, sink: first, mode: "replay" }), /disk gone/);
  assert.deepEqual(first.sizes, [251]);
  assert.equal(store.listAlerts(undefined, 10_000).length, 251);
  const second = recordingSink();
  const summary = await runEngine({ rules: [{ rule: q, ruleUuid: "q", matches: () => true }], source: arraySource(every30s), store, sink: second, mode: "replay" });
  assert.deepEqual(second.sizes, [250, 99]);
  // 61 executions in all: the first group committed 26 (1 + 25 × 10 alerts), the rerun continues after them
  assert.equal(summary.rules[0].executions, 35);
  const ids = (s: { alerts: Record<string, unknown>[] }) => s.alerts.map((a) => a["kibana.alert.uuid"] as string);
  assert.equal(new Set([...ids(first), ...ids(second)]).size, 600);
  assert.equal(store.listAlerts(undefined, 10_000).length, 600);
});

test("the summary counts, per rule, the matched events its index patterns did not select, in both modes", async () => {
  const ab = makeRule({ rule_id: "ab", type: "query", index: ["auditbeat-*"] });
  const wb = makeRule({ rule_id: "wb", type: "query", index: ["winlogbeat-*"] });
  const evs = [
    { ...hit("logs-endpoint.events.process-auditd", "1", { "@timestamp": T("10:00:00") }), loc: { file: "audit.log", line: 1, byteOffset: 0 } },
    { ...hit("winlogbeat-1", "2", { "@timestamp": T("10:00:00") }), loc: { file: "x.ndjson", line: 1, byteOffset: 0 } },
    { ...hit("winlogbeat-1", "3", { "@timestamp": T("10:00:01") }), loc: { file: "x.ndjson", line: 2, byteOffset: 0 } },
    // matched by no rule at all: not counted (worker threads drop such events before routing)
    { ...hit("other-1", "4", { "@timestamp": T("10:00:01") }), loc: { file: "x.ndjson", line: 3, byteOffset: 0 } },
  ];
  for (const mode of ["replay", "stream"] as const) {
    const sink = memorySink();
    const rules = [ab, wb].map((rule) => ({ rule, ruleUuid: rule.rule_id, matches: () => true }));
    const summary = await runEngine({ rules, source: arraySource(evs), store: SqliteStore.open(":memory:"), sink, mode, clock: () => 0 });
    // the auditd event stands for an Auditbeat one
    assert.deepEqual(sink.alerts.map((a) => `${String(a["kibana.alert.rule.rule_id"])}:${(a["kibana.alert.ancestors"] as { id: string }[])[0].id}`).sort(), ["ab:1", "wb:2", "wb:3"], mode);
    assert.deepEqual(summary.rules.map((r) => r.notSelected), [2, 1], mode);
  }
});

test("an event past MAX_TERM_COMBINATIONS_PER_EVENT keeps its first combinations in key order; the rest neither alert nor become history; both modes count them", async () => {
  // Windows that do not overlap (from = now-5m, interval 5m): one execution sees the big event.
  const pair = makeRule({ rule_id: "pair", from: "now-5m", new_terms: { fields: ["a", "b"], history_window_start: "now-1h" } });
  const list = (p: string, n: number, w: number) => Array.from({ length: n }, (_, i) => `${p}${String(i).padStart(w, "0")}`);
  // 101 × 100 = 10,100 combinations: those with a = "v100" (the largest key) are the 100 past the bound.
  const big = { ...hit("logs", "big", { "@timestamp": T("10:00:00"), a: list("v", 101, 3).reverse(), b: list("w", 100, 2) }, 1) };
  const later = { ...hit("logs", "later", { "@timestamp": T("10:20:00"), a: ["v100", "v000"], b: ["w00"] }, 2) };
  const id = (ev: string, t: string[]) => objectHash(["logs", ev, "undefined", "default:pair", t]);
  const expected = [...list("w", 100, 2).map((b) => ["big", ["v000", b]]), ["later", ["v100", "w00"]]];
  for (const mode of ["replay", "stream"] as const) {
    const sink = memorySink();
    const summary = await runEngine({ rules: [{ rule: pair, ruleUuid: "pair", matches: () => true }], source: arraySource([big, later]), store: SqliteStore.open(":memory:"), sink, mode, clock: () => 0 });
    // max_signals (100) keeps the first 100 of the big event's 10,000 new combinations, in key order
    assert.deepEqual(
      sink.alerts.map((a) => [(a["kibana.alert.ancestors"] as { id: string }[])[0].id, a["kibana.alert.new_terms"]]),
      expected,
      mode,
    );
    assert.deepEqual(
      sink.alerts.map((a) => a["kibana.alert.uuid"]),
      expected.map(([ev, t]) => id(ev as string, t as string[])),
      mode,
    );
    assert.deepEqual(summary.rules.map((r) => [r.cutEvents, r.cutCombinations]), [[1, 100]], mode);
    assert.deepEqual(
      summary.warnings,
      mode === "replay"
        ? [`pair: execution at 2024-05-01T10:00:00.000Z: ${MAX_SIGNALS_WARNING}`]
        : [`pair: 1 event had more new terms than max_signals (100): ${MAX_SIGNALS_WARNING}`],
      mode,
    );
  }
});

test("stream: one event alerts at most max_signals times, like one execution; its other new terms are still learned", async () => {
  const r = makeRule({ rule_id: "few", max_signals: 3, new_terms: { fields: ["user.name"], history_window_start: "now-1h" } });
  const evs = [hit("logs", "1", { "@timestamp": T("10:00:00"), user: { name: ["e", "d", "c", "b", "a"] } }, 1), hit("logs", "2", { "@timestamp": T("10:01:00"), user: { name: ["a", "f"] } }, 2)];
  const sink = memorySink();
  const summary = await runEngine({ rules: [{ rule: r, ruleUuid: "few", matches: () => true }], source: arraySource(evs), store: SqliteStore.open(":memory:"), sink, mode: "stream", clock: () => 0 });
  assert.deepEqual(sink.alerts.map((a) => [(a["kibana.alert.ancestors"] as { id: string }[])[0].id, (a["kibana.alert.new_terms"] as string[])[0]]), [["1", "e"], ["1", "d"], ["1", "c"], ["2", "f"]]);
  assert.deepEqual(summary.rules.map((x) => [x.alerts, x.cutEvents]), [[4, 0]]);
  assert.deepEqual(summary.warnings, [`few: 1 event had more new terms than max_signals (3): ${MAX_SIGNALS_WARNING}`]);
});

test("countInWindows: each time counted once, in overlapping windows too; times between windows and outside them not", () => {
  const w = (from: number, to: number) => ({ startedAt: to, from, to });
  assert.equal(countInWindows([1, 2, 5, 6, 9, 12, 20], [w(0, 5), w(4, 9), w(15, 19)]), 5);
  assert.equal(countInWindows([1, 2], []), 0);
  assert.equal(countInWindows([], [w(0, 5)]), 0);
  // both bounds inclusive, as Kibana's range filter
  assert.equal(countInWindows([0, 5, 6], [w(0, 5)]), 2);
});

test("the funnel's new-term step: replay counts each event carrying a term new in an execution once, overlapping windows included; stream counts each event that was new when it came", async () => {
  // 5-minute executions over 6-minute windows: alice's only event lies in two windows and is new in both
  // (the second finds the same basis: a duplicate alert id); bob's two events share a window in which bob
  // is new; alice's and bob's later events are inside the 1-hour history
  const evs = [at("1", "10:05:30", "alice", 1), at("2", "10:20:00", "bob", 2), at("3", "10:21:00", "bob", 3), at("4", "10:40:00", "alice", 4), at("5", "10:41:00", "bob", 5)];
  const replay = await go(evs, "replay", SqliteStore.open(":memory:"), { start: ms("10:06:00") });
  const r = replay.summary.rules[0];
  assert.deepEqual([r.alerts, r.duplicates, r.inWindow, r.withNewTerm], [2, 1, 5, 3]);
  const stream = await go(evs, "stream");
  const s = stream.summary.rules[0];
  assert.deepEqual([s.alerts, s.inWindow, s.withNewTerm], [2, 5, 2]);
});

test("stream: within one batch, a late event lowers the term's first sighting for the events after it", async () => {
  // One batch: alice at 10:40 (new), then late at 10:00 (new: the only sighting is after it), then 10:20
  // (seen: 10:00 is before it) and 11:30 (seen: 10:40 lies in its hour of history)
  const evs = [at("1", "10:40:00", "alice", 1), at("2", "10:00:00", "alice", 2), at("3", "10:20:00", "alice", 3), at("4", "11:30:00", "alice", 4)];
  const sink = memorySink();
  await runEngine({ rules: [{ rule, ruleUuid: "nt", matches: () => true }], source: arraySource(evs, 10), store: SqliteStore.open(":memory:"), sink, mode: "stream", clock: () => 0 });
  assert.deepEqual(sink.alerts.map((a) => (a["kibana.alert.ancestors"] as { id: string }[])[0].id), ["1", "2"]);
});

test("replay and stream: a rule the event's `rules` mask leaves out is not evaluated for it (the line cannot meet its requirements)", async () => {
  const second = makeRule({ rule_id: "nt2", new_terms: { fields: ["user.name"], history_window_start: "now-1h" } });
  for (const mode of ["replay", "stream"] as const) {
    let evaluated = 0;
    const counting = () => (evaluated++, true);
    // the first event meets only the second rule's requirements, the second event both, the third says nothing
    const events = [
      { ...at("1", "10:00:00", "ann", 1), rules: Uint8Array.of(0, 1) },
      { ...at("2", "10:00:01", "bob", 2), rules: Uint8Array.of(1, 1) },
      at("3", "10:00:02", "cy", 3),
    ];
    const sink = memorySink();
    const summary = await runEngine({
      rules: [
        { rule, ruleUuid: "nt", matches: counting },
        { rule: second, ruleUuid: "nt2", matches: () => true },
      ],
      source: arraySource(events),
      store: SqliteStore.open(":memory:"),
      sink,
      mode,
      clock: () => 0,
    });
    assert.equal(evaluated, 2, mode);
    assert.deepEqual(
      summary.rules.map((r) => r.matched),
      [2, 3],
      mode,
    );
  }
});
