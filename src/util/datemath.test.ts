// Tests for Elastic date math and rule-interval durations (src/util/datemath.ts): exact epoch values
// against a fixed clock, rounding both ways, absolute dates, and error offsets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DateMathError, parseDateMath, parseDuration } from "./datemath.js";

// 2024-03-15T10:37:42.123Z, a Friday.
const NOW = Date.UTC(2024, 2, 15, 10, 37, 42, 123);
const iso = (text: string, opts?: { roundUp?: boolean }): string => new Date(parseDateMath(text, NOW, opts)).toISOString();

test("now and relative math", () => {
  assert.equal(parseDateMath("now", NOW), NOW);
  assert.equal(iso("now-9m"), "2024-03-15T10:28:42.123Z");
  assert.equal(iso("now+1h"), "2024-03-15T11:37:42.123Z");
  assert.equal(iso("now+1H"), "2024-03-15T11:37:42.123Z");
  assert.equal(iso("now-7d"), "2024-03-08T10:37:42.123Z");
  assert.equal(iso("now-2w"), "2024-03-01T10:37:42.123Z");
  assert.equal(iso("now-30s"), "2024-03-15T10:37:12.123Z");
  assert.equal(iso("now-500ms"), "2024-03-15T10:37:41.623Z");
  assert.equal(iso("now-1M"), "2024-02-15T10:37:42.123Z");
  assert.equal(iso("now-1y"), "2023-03-15T10:37:42.123Z");
  assert.equal(iso("now-d"), "2024-03-14T10:37:42.123Z");
  assert.equal(iso("now-90m"), "2024-03-15T09:07:42.123Z");
});

test("chains and rounding down", () => {
  assert.equal(iso("now/d"), "2024-03-15T00:00:00.000Z");
  assert.equal(iso("now-1d/d"), "2024-03-14T00:00:00.000Z");
  assert.equal(iso("now/M"), "2024-03-01T00:00:00.000Z");
  assert.equal(iso("now/y"), "2024-01-01T00:00:00.000Z");
  assert.equal(iso("now/h"), "2024-03-15T10:00:00.000Z");
  assert.equal(iso("now/m"), "2024-03-15T10:37:00.000Z");
  assert.equal(iso("now/s"), "2024-03-15T10:37:42.000Z");
  assert.equal(iso("now/w"), "2024-03-10T00:00:00.000Z");
  assert.equal(iso("now/d+2h-5m"), "2024-03-15T01:55:00.000Z");
});

test("rounding up", () => {
  assert.equal(iso("now/d", { roundUp: true }), "2024-03-15T23:59:59.999Z");
  assert.equal(iso("now-1M/M", { roundUp: true }), "2024-02-29T23:59:59.999Z");
  assert.equal(iso("now/w", { roundUp: true }), "2024-03-16T23:59:59.999Z");
  assert.equal(iso("now/y", { roundUp: true }), "2024-12-31T23:59:59.999Z");
  assert.equal(iso("now-1d", { roundUp: true }), "2024-03-14T10:37:42.123Z");
});

test("month arithmetic clamps to the month's last day", () => {
  const jan31 = Date.UTC(2023, 0, 31, 12);
  assert.equal(new Date(parseDateMath("now+1M", jan31)).toISOString(), "2023-02-28T12:00:00.000Z");
  assert.equal(new Date(parseDateMath("2024-02-29||+1y", 0)).toISOString(), "2025-02-28T00:00:00.000Z");
});

test("absolute dates and anchored math", () => {
  assert.equal(parseDateMath("2024-01-31T12:00:00Z", NOW), Date.UTC(2024, 0, 31, 12));
  assert.equal(parseDateMath("2024-01-31T12:00:00", NOW), Date.UTC(2024, 0, 31, 12));
  assert.equal(parseDateMath("2024-01-31T12:00:00.5Z", NOW), Date.UTC(2024, 0, 31, 12, 0, 0, 500));
  assert.equal(parseDateMath("2024-01-31T12:00:00+02:00", NOW), Date.UTC(2024, 0, 31, 10));
  assert.equal(parseDateMath("2024-01-31T12:00-0530", NOW), Date.UTC(2024, 0, 31, 17, 30));
  assert.equal(parseDateMath("2024-01-31", NOW), Date.UTC(2024, 0, 31));
  assert.equal(parseDateMath("2024-01", NOW), Date.UTC(2024, 0, 1));
  assert.equal(parseDateMath("2024", NOW), Date.UTC(2024, 0, 1));
  assert.equal(parseDateMath("2024-01-31||-1d/d", NOW), Date.UTC(2024, 0, 30));
  assert.equal(parseDateMath("2024-01-31||/M", NOW, { roundUp: true }), Date.UTC(2024, 1, 1) - 1);
});

function throwsAt(fn: () => unknown, offset: number, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DateMathError);
    assert.equal(e.message, message);
    assert.equal(e.offset, offset);
    return true;
  });
}

test("bad date math: exact messages and offsets", () => {
  throwsAt(() => parseDateMath("", NOW), 0, "empty date math");
  throwsAt(() => parseDateMath("now-9x", NOW), 5, 'expected a time unit (y, M, w, d, h, H, m, s, ms) after "-9" but found "x"');
  throwsAt(() => parseDateMath("now-9", NOW), 5, 'expected a time unit (y, M, w, d, h, H, m, s, ms) after "-9" but found end of text');
  throwsAt(() => parseDateMath("now*2d", NOW), 3, 'unexpected "*" in date math: expected "+", "-" or "/"');
  throwsAt(() => parseDateMath("now-1d/2d", NOW), 7, 'rounding takes a unit without a number, e.g. "/d", not "/2…"');
  throwsAt(() => parseDateMath("now-7D", NOW), 5, 'expected a time unit (y, M, w, d, h, H, m, s, ms) after "-7" but found "D"');
  throwsAt(
    () => parseDateMath("yesterday", NOW),
    0,
    'invalid date "yesterday": expected "now" with optional math (e.g. "now-9m") or an ISO 8601 date (e.g. "2024-01-31T12:00:00Z")',
  );
  throwsAt(() => parseDateMath("2024-13-01", NOW), 5, 'invalid date "2024-13-01": month 13 out of range 01-12');
  throwsAt(() => parseDateMath("2023-02-29", NOW), 8, 'invalid date "2023-02-29": day 29 out of range for 2023-02');
  throwsAt(() => parseDateMath("2024-01-01||-1q", NOW), 14, 'expected a time unit (y, M, w, d, h, H, m, s, ms) after "-1" but found "q"');
});

test("durations", () => {
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("1d"), 86_400_000);
  assert.equal(parseDuration("60m"), 3_600_000);
  throwsAt(() => parseDuration("5"), 1, 'invalid duration "5": missing unit; use s, m, h or d (e.g. "5m")');
  throwsAt(() => parseDuration("5w"), 1, 'invalid duration "5w": unknown unit "w"; use s, m, h or d (e.g. "5m")');
  throwsAt(() => parseDuration("0m"), 0, 'invalid duration "0m": must be greater than zero');
  throwsAt(() => parseDuration("m5"), 0, 'invalid duration "m5": expected a whole number and a unit s, m, h or d (e.g. "5m")');
  throwsAt(() => parseDuration("5 m"), 1, 'invalid duration "5 m": expected a whole number and a unit s, m, h or d (e.g. "5m")');
});

test("properties: fixed units are exact offsets; rounding brackets the instant", async () => {
  const fc = (await import("fast-check")).default;
  const FIXED = { s: 1_000, m: 60_000, h: 3_600_000, H: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
  const instant = fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2100, 0, 1) });
  fc.assert(
    fc.property(instant, fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(...(Object.keys(FIXED) as (keyof typeof FIXED)[])), (now, n, u) => {
      assert.equal(parseDateMath(`now-${n}${u}`, now), now - n * FIXED[u]);
      assert.equal(parseDateMath(`now+${n}${u}`, now), now + n * FIXED[u]);
    }),
  );
  fc.assert(
    fc.property(instant, fc.constantFrom("y", "M", "w", "d", "h", "m", "s"), (now, u) => {
      const down = parseDateMath(`now/${u}`, now);
      const up = parseDateMath(`now/${u}`, now, { roundUp: true });
      assert.ok(down <= now && now <= up);
      // The unit after this one starts right after the rounded-up end.
      assert.equal(parseDateMath(`now+1${u}/${u}`, down), up + 1);
    }),
  );
});
