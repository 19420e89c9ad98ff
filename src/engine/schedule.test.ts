// Replay schedule (new_terms.md §2.4): windows, the default first execution, execution lists and the arithmetic fast path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStart, executionAt, executions, ruleSchedule } from "./schedule.js";

const T = (s: string) => Date.parse(`2024-05-01T${s}Z`);

test("executionAt: window from datemath at startedAt (now-9m, now)", () => {
  const s = ruleSchedule({ interval: "5m", from: "now-9m", to: "now" });
  assert.deepEqual(executionAt(s, T("10:00:00")), { startedAt: T("10:00:00"), from: T("09:51:00"), to: T("10:00:00") });
});

test("defaultStart: the window of the first execution ends at the first event, also when `to` is not now", () => {
  assert.equal(defaultStart(ruleSchedule({ interval: "5m", from: "now-9m", to: "now" }), T("10:00:00")), T("10:00:00"));
  assert.equal(defaultStart(ruleSchedule({ interval: "5m", from: "now-9m", to: "now-1m" }), T("10:00:00")), T("10:01:00"));
});

test("executions: every interval until a window reaches the last event, or while startedAt ≤ end", () => {
  const s = ruleSchedule({ interval: "5m", from: "now-6m", to: "now" });
  assert.deepEqual([...executions(s, T("10:00:00"), undefined, T("10:12:00"))].map((e) => e.startedAt), [T("10:00:00"), T("10:05:00"), T("10:10:00"), T("10:15:00")]);
  assert.deepEqual([...executions(s, T("10:00:00"), T("10:10:00"), T("11:00:00"))].map((e) => e.startedAt), [T("10:00:00"), T("10:05:00"), T("10:10:00")]);
  assert.deepEqual([...executions(s, T("10:00:00"), T("09:59:59"), T("11:00:00"))], []);
});

test("executionsWithEvents: the arithmetic path equals walking every execution (fast-check)", async () => {
  const fc = (await import("fast-check")).default;
  const { executionsWithEvents } = await import("./schedule.js");
  fc.assert(
    fc.property(
      fc.constantFrom("now-6m", "now-9m", "now-1m", "now-1h"),
      fc.constantFrom("now", "now-1m", "now+2m"),
      fc.constantFrom("1m", "5m", "10m"),
      fc.array(fc.integer({ min: 0, max: 6 * 3_600_000 }), { minLength: 1, maxLength: 40 }),
      fc.option(fc.integer({ min: 0, max: 7 * 3_600_000 }), { nil: undefined }),
      (from, to, interval, raw, endOff) => {
        const times = [...raw].sort((a, b) => a - b).map((x) => T("00:00:00") + x);
        const s = ruleSchedule({ interval, from, to });
        const start = defaultStart(s, times[0]);
        const end = endOff === undefined ? undefined : T("00:00:00") + endOff;
        const walked = [...executions(s, start, end, times[times.length - 1])];
        const expected = walked.filter((e) => times.some((t) => e.from <= t && t <= e.to));
        const got = executionsWithEvents(s, start, end, times);
        assert.equal(got.total, walked.length);
        assert.deepEqual(got.last, walked[walked.length - 1]);
        assert.deepEqual(got.withEvents, expected);
      },
    ),
    { numRuns: 300 },
  );
});

test("fixedOffsets: only plain offsets from now take the arithmetic path (no rounding, months, years or absolute dates)", async () => {
  const { fixedOffsets } = await import("./schedule.js");
  const off = (from: string, to = "now") => fixedOffsets(ruleSchedule({ interval: "5m", from, to }));
  assert.deepEqual(off("now-9m"), { fromOffset: -540_000, toOffset: 0 });
  assert.deepEqual(off("now-1h", "now-1m"), { fromOffset: -3_600_000, toOffset: -60_000 });
  assert.deepEqual(["now-1d/d", "now-1M", "now-1y", "2024-05-01T00:00:00Z"].map((f) => off(f)), [undefined, undefined, undefined, undefined]);
  assert.equal(off("now-9m", "now/d"), undefined);
});

test("executionsWithEvents walks the schedule when windows are rounded: exactly the executions whose window holds an event", async () => {
  const { executionsWithEvents } = await import("./schedule.js");
  // from now/h: every window starts at the top of its hour, so its length varies and no offset arithmetic holds
  const s = ruleSchedule({ interval: "20m", from: "now/h", to: "now" });
  const times = [T("10:05:00"), T("10:50:00"), T("12:10:00")];
  const r = executionsWithEvents(s, T("10:00:00"), T("12:20:00"), times);
  assert.equal(r.total, 8);
  assert.deepEqual(r.last, { startedAt: T("12:20:00"), from: T("12:00:00"), to: T("12:20:00") });
  // 10:00 [10:00,10:00] none; 10:20 [10:00,10:20] 10:05; 10:40 [10:00,10:40] 10:05; 11:00 [11:00,11:00] none
  // (10:50 is in no window: the 11:00 one starts at 11:00); 11:20, 11:40, 12:00 none; 12:20 [12:00,12:20] 12:10
  assert.deepEqual(r.withEvents.map((e) => e.startedAt), [T("10:20:00"), T("10:40:00"), T("12:20:00")]);
});

test("executionsWithEvents (walked): an event exactly at a window's start or end is in it", async () => {
  const { executionsWithEvents } = await import("./schedule.js");
  // hourly, from now/h to now: each window is the single instant of its execution
  const s = ruleSchedule({ interval: "60m", from: "now/h", to: "now" });
  const r = executionsWithEvents(s, T("10:00:00"), T("13:00:00"), [T("11:00:00"), T("13:00:00")]);
  assert.deepEqual(r.withEvents.map((e) => e.startedAt), [T("11:00:00"), T("13:00:00")]);
});
