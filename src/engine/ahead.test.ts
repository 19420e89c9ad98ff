// Alerts built ahead during the read: the same alerts (documents, ids, order, stored rows) as building
// them in the executions, whether the guesses hold (events in time order) or not (out of order, truncated
// executions, overlapping windows, a second run); and the iteration that does the work only while a batch
// is pending.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventDoc, InputEvent } from "../event/types.js";
import { SqliteStore } from "../state/sqlite.js";
import { fileSink, memorySink } from "../sinks/ndjson.js";
import { runEngine, type RunSummary } from "./run.js";
import { arraySource, hit, makeRule } from "./test-support.js";
import { compileEqlRule } from "./rule-types/eql.js";
import { AlertsAhead, whileWaiting, type AheadPlan } from "./ahead.js";
import { TextSpill } from "../state/spill.js";
import { alertIndexFields, buildAlertWithJson, queryAlertId, type AlertContext } from "./alert.js";
import type { PendingAlert } from "./rule-types/types.js";
import type { Rule } from "../rules/model.js";
import type { EngineRule } from "./ports.js";
import { compileKql } from "../compile/predicate/index.js";
import { parseKql } from "../lang/kql/index.js";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const MINUTE = 60_000;
const T0 = Date.parse("2024-05-01T10:00:00.000Z");

/** Events one a minute from T0 (minute `m` for each of `minutes`), a few of them not matching the rule. */
function events(minutes: readonly number[]): InputEvent[] {
  return minutes.map((m, i) => {
    const name = m % 7 === 3 ? "bash" : "curl";
    const doc: EventDoc = { "@timestamp": new Date(T0 + m * MINUTE).toISOString(), event: { category: ["process"], type: ["start"] }, process: { name, pid: m }, host: { name: `h${m % 3}` } };
    return { ...hit("logs-endpoint.events.process-default", `e${m}`, doc, i + 1), loc: { file: "a.ndjson", line: i + 1, byteOffset: i * 100 } };
  });
}

function queryRule(over: Partial<Rule> = {}): Rule {
  return makeRule({ rule_id: "ahead-q", type: "query", language: "kuery", query: "process.name: curl", interval: "5m", from: "now-6m", ...over });
}

function eqlRule(over: Partial<Rule> = {}): Rule {
  return makeRule({ rule_id: "ahead", type: "eql", language: "eql", query: 'process where process.name == "curl"', interval: "5m", from: "now-6m", ...over });
}

interface Outcome {
  readonly lines: string[];
  readonly stored: unknown[];
  readonly summary: RunSummary;
}

/** One replay; the alerts as written (execution uuids replaced by their order of first appearance). */
async function replay(rule: Rule, evs: readonly InputEvent[], ahead: boolean, store = SqliteStore.open(":memory:"), extra: { start?: number } = {}): Promise<Outcome> {
  const path = join(mkdtempSync(join(tmpdir(), "tern-ahead-")), "alerts.ndjson");
  const sink = fileSink(path);
  const summary = await runEngine({
    rules: [engineRule(rule)],
    source: arraySource(evs, 8, 15),
    store,
    sink,
    mode: "replay",
    alertsAhead: ahead,
    start: extra.start,
  });
  await sink.close();
  const uuids = new Map<string, number>();
  const masked = (l: string) => l.replace(/"kibana\.alert\.rule\.execution\.uuid":"([^"]+)"/, (_, u: string) => `"x":${uuids.get(u) ?? uuids.set(u, uuids.size).size - 1}`);
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map(masked);
  const stored = store.listAlerts(undefined, 10_000).map((a) => ({ ...a, doc: masked(a.doc) }));
  return { lines, stored, summary };
}

/** The rule as the CLI hands it to the engine (an EQL rule with its compiled statement). */
function engineRule(rule: Rule): EngineRule {
  if (rule.type !== "eql") return { rule, ruleUuid: rule.rule_id, matches: compileKql(parseKql(rule.query ?? "*")) };
  const compiled = compileEqlRule(rule);
  return { rule, ruleUuid: rule.rule_id, matches: compiled.relevant, eql: compiled };
}

async function same(rule: Rule, evs: readonly InputEvent[]): Promise<Outcome> {
  const off = await replay(rule, evs, false);
  const on = await replay(rule, evs, true);
  assert.equal(off.summary.ahead, undefined);
  assert.ok(on.lines.length > 0);
  assert.deepEqual(on.lines, off.lines);
  assert.deepEqual(on.stored, off.stored);
  assert.deepEqual(
    on.summary.rules.map((r) => [r.alerts, r.duplicates, r.executions]),
    off.summary.rules.map((r) => [r.alerts, r.duplicates, r.executions]),
  );
  return on;
}

const range = (n: number, f: (i: number) => number = (i) => i) => Array.from({ length: n }, (_, i) => f(i));

test("events in time order: every alert is built ahead and taken, and the output is the same", async () => {
  const on = await same(eqlRule(), events(range(60)));
  // 60 events, every 7th from minute 3 is bash: 51 alerts. Each is built once, for its first window, except
  // the 3 of the last batch (minutes 56-59): the read ends with it, and no batch is awaited after it.
  assert.equal(on.lines.length, 51);
  assert.deepEqual(on.summary.ahead, { built: 48, taken: 48 });
});

test("events out of time order: guesses miss, the alerts are still the same", async () => {
  const minutes = range(60).reverse();
  const on = await same(eqlRule(), events(minutes));
  assert.equal(on.lines.length, 51);
  // the first event read is the latest, so the guessed schedule starts at its time: only a window that the
  // true schedule shares by chance could match
  assert.ok(on.summary.ahead !== undefined && on.summary.ahead.taken < on.summary.ahead.built, JSON.stringify(on.summary.ahead));
});

test("EQL executions cut at max_signals: each event is built for the execution whose first two it is in", async () => {
  const on = await same(eqlRule({ max_signals: 2, interval: "10m", from: "now-25m" }), events(range(60)));
  assert.ok(on.summary.rules[0].warnings.length > 0);
  // Executions every 10 minutes over 25-minute windows keep their first two events, then drop duplicates:
  // minutes 0 | 1 | none | 5, 6 | 15, 16 | 25, 26 | 35, 36. Every alert was built ahead. Three more were
  // built for executions 7 and 8 (minutes 45, 46 and 55): replay stops at execution 6, whose window
  // reaches the last event, which the read had not seen then.
  assert.equal(on.lines.length, 10);
  assert.deepEqual(on.summary.ahead, { built: 13, taken: 10 });
});

test("a second run over the same store continues the stored schedule, and a given start is used", async () => {
  const rule = eqlRule();
  for (const ahead of [false, true]) {
    const store = SqliteStore.open(":memory:");
    await replay(rule, events(range(30)), ahead, store);
    const second = await replay(rule, events(range(60)), ahead, store);
    // minutes 30-59 less 4 bash: 25 new alerts. Built ahead: the 22 before the last batch, and minute 29's
    // event in the first window of the second run, found a duplicate of the first run's alert (not taken).
    if (ahead) assert.deepEqual(second.summary.ahead, { built: 23, taken: 22 });
    assert.equal(second.lines.length, 25);
  }
  const start = T0 + 2 * MINUTE + 30_000;
  const off = await replay(rule, events(range(40)), false, SqliteStore.open(":memory:"), { start });
  const on = await replay(rule, events(range(40)), true, SqliteStore.open(":memory:"), { start });
  assert.deepEqual(on.lines, off.lines);
  // 40 events less 6 bash: 34 alerts; the last batch's 7 are built in their execution
  assert.equal(on.lines.length, 34);
  assert.deepEqual(on.summary.ahead, { built: 27, taken: 27 });
});

test("an alert built ahead whose event another run already alerted on is a duplicate, not written", async () => {
  const rule = eqlRule();
  const store = SqliteStore.open(":memory:");
  await replay(rule, events(range(20)), true, store);
  // same events, a new schedule (new rule interval) over the same alert ids
  const again = await replay({ ...rule, interval: "4m" }, events(range(20)), true, store);
  assert.equal(again.lines.length, 0);
  assert.equal(again.summary.rules[0].duplicates > 0, true);
});

test("whileWaiting: work runs only while the next item is pending, items arrive in order", async () => {
  async function* slow(): AsyncGenerator<number> {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      yield i;
    }
  }
  let slices = 0;
  const got: number[] = [];
  for await (const x of whileWaiting(slow(), () => (slices++, true))) got.push(x);
  assert.deepEqual(got, [0, 1, 2]);
  assert.ok(slices > 3, `slices ${slices}`);
  // items that are ready at once leave no time for work
  async function* ready(): AsyncGenerator<number> {
    yield* [0, 1, 2];
  }
  let none = 0;
  const got2: number[] = [];
  for await (const x of whileWaiting(ready(), () => (none++, true))) got2.push(x);
  assert.deepEqual(got2, [0, 1, 2]);
  assert.equal(none, 0);
  // work with nothing left is not called again until the next item (the end comes at once after the last)
  let calls = 0;
  for await (const _ of whileWaiting(slow(), () => (calls++, false))) void _;
  assert.equal(calls, 3);
});

test("whileWaiting: an error of the source or of the work ends the iteration with it; leaving early closes the source", async () => {
  async function* failing(): AsyncGenerator<number> {
    yield 1;
    await new Promise((r) => setTimeout(r, 5));
    throw new Error("read failed");
  }
  const got: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const x of whileWaiting(failing(), () => false)) got.push(x);
    })(),
    /read failed/,
  );
  assert.deepEqual(got, [1]);
  let closed = false;
  async function* endless(): AsyncGenerator<number> {
    try {
      for (let i = 0; ; i++) {
        await new Promise((r) => setTimeout(r, 2));
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  for await (const x of whileWaiting(endless(), () => false)) if (x === 2) break;
  assert.equal(closed, true);
  await assert.rejects(
    (async () => {
      for await (const _ of whileWaiting(endless(), () => {
        throw new Error("spill failed");
      }))
        void _;
    })(),
    /spill failed/,
  );
});

test("query rules: the same alerts, built ahead when in order, with cuts and out of order", async () => {
  const ordered = await same(queryRule(), events(range(60)));
  assert.equal(ordered.lines.length, 51);
  assert.deepEqual(ordered.summary.ahead, { built: 48, taken: 48 });
  const reversed = await same(queryRule(), events(range(60).reverse()));
  assert.ok(reversed.summary.ahead !== undefined && reversed.summary.ahead.taken < reversed.summary.ahead.built, JSON.stringify(reversed.summary.ahead));
  const cut = await same(queryRule({ max_signals: 2, interval: "10m", from: "now-25m" }), events(range(60)));
  assert.ok(cut.summary.rules[0].warnings.length > 0);
});

test("a memory sink still receives documents of alerts built ahead", async () => {
  const rule = eqlRule();
  const sink = memorySink();
  const summary = await runEngine({ rules: [engineRule(rule)], source: arraySource(events(range(12)), 4, 15), store: SqliteStore.open(":memory:"), sink, mode: "replay" });
  // 10 alerts (minutes 3 and 10 are bash), 7 of them built ahead: the last batch (8-11) is not
  assert.deepEqual(summary.ahead, { built: 7, taken: 7 });
  assert.deepEqual(
    sink.alerts.map((a) => a["process.pid"] ?? (a.process as { pid: number }).pid),
    [0, 1, 2, 4, 5, 6, 7, 8, 9, 11],
  );
});

test("AlertsAhead: an alert read back is byte for byte the one built, for its execution only; a spread copy is a plain alert", () => {
  const spill = new TextSpill();
  try {
    for (const note of [undefined, "## Triage\nlook"]) {
      const rule = makeRule({ rule_id: "r", note, max_signals: 5 });
      const er: EngineRule = { rule, ruleUuid: "r-uuid", matches: () => true };
      const ahead = new AlertsAhead(spill, er, 5);
      const counts = { built: 0, taken: 0 };
      const ctxAt = (now: number, executionUuid = `x-${now}`): AlertContext => ({ spaceId: "default", ruleUuid: "r-uuid", now, executionUuid, executionType: "scheduled", kibanaVersion: "8.19.0" });
      const plan: AheadPlan = { executions: (t) => [{ startedAt: t + 60_000, from: t - 1 }], context: (now) => ctxAt(now), stop: () => false, counts };
      const ev = events([4])[0];
      let built: PendingAlert | undefined;
      ahead.offer(plan, T0, T0, (ctx) => {
        const id = queryAlertId(ev, ctx.spaceId, er.ruleUuid);
        built = { id, ruleId: rule.rule_id, eventTime: T0, ...buildAlertWithJson(rule, { ...ev, _source: structuredClone(ev._source) }, id, ctx) };
        return built;
      });
      assert.ok(built !== undefined);
      assert.deepEqual(counts, { built: 1, taken: 0 });
      const got = ahead.peek(0, ctxAt(T0 + 60_000));
      assert.equal(got?.id, built.id);
      const a = got?.alert?.();
      assert.ok(a !== undefined);
      assert.equal(a.json, built.json);
      assert.deepEqual(a.doc, built.doc);
      assert.deepEqual(a.indexed, alertIndexFields(built.doc));
      assert.equal(a.cut?.of, a.json);
      assert.deepEqual(counts, { built: 1, taken: 1 });
      // another execution (or the same start with another uuid) gets the id, not the alert
      assert.deepEqual([ahead.peek(0, ctxAt(T0 + 120_000))?.id, ahead.peek(0, ctxAt(T0 + 120_000))?.alert], [built.id, undefined]);
      assert.equal(ahead.peek(0, ctxAt(T0 + 60_000, "other"))?.alert, undefined);
      assert.equal(ahead.peek(1, ctxAt(T0 + 60_000)), undefined);
      const copy = { ...a, doc: { ...a.doc, extra: 1 } };
      assert.equal(Object.hasOwn(copy, "indexed"), false);
      assert.deepEqual({ ...a }.doc, built.doc);
    }
  } finally {
    spill.close();
  }
});
