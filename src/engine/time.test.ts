// Event time (new_terms.md §2.1, §6): timestamp parsing, override with and without fallback, original_time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventTime, originalTime, parseTimestamp, timeSpec } from "./time.js";

test("parseTimestamp: ISO with zone, without zone (UTC), offsets, nanoseconds, epoch ms; junk → undefined", () => {
  assert.equal(parseTimestamp("2024-05-01T10:00:00Z"), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseTimestamp("2024-05-01T10:00:00"), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseTimestamp("2024-05-01T12:00:00+02:00"), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseTimestamp("2024-05-01T10:00:00.123456789Z"), Date.UTC(2024, 4, 1, 10, 0, 0, 123));
  assert.equal(parseTimestamp("2024-05-01"), Date.UTC(2024, 4, 1));
  assert.equal(parseTimestamp(1714557600000), 1714557600000);
  assert.equal(parseTimestamp("1714557600000"), 1714557600000);
  assert.equal(parseTimestamp("yesterday"), undefined);
  assert.equal(parseTimestamp(null), undefined);
});

test("eventTime: override, fallback only when the override is absent, fallback disabled", () => {
  const withFallback = timeSpec({ timestamp_override: "event.ingested" });
  assert.deepEqual(withFallback, { primary: "event.ingested", secondary: "@timestamp" });
  const noFallback = timeSpec({ timestamp_override: "event.ingested", timestamp_override_fallback_disabled: true });
  const plain = timeSpec({});
  const both = { "@timestamp": "2024-05-01T09:00:00Z", event: { ingested: "2024-05-01T10:00:00Z" } };
  const tsOnly = { "@timestamp": "2024-05-01T09:00:00Z" };
  assert.equal(eventTime(both, withFallback), Date.UTC(2024, 4, 1, 10));
  assert.equal(eventTime(tsOnly, withFallback), Date.UTC(2024, 4, 1, 9));
  assert.equal(eventTime(tsOnly, noFallback), undefined);
  assert.equal(eventTime(both, plain), Date.UTC(2024, 4, 1, 9));
  assert.equal(eventTime({ "@timestamp": "2024-05-01T09:00:00Z", "event.ingested": "garbage" }, withFallback), undefined);
  assert.equal(originalTime(both), "2024-05-01T09:00:00.000Z");
  assert.equal(originalTime({ event: { ingested: "2024-05-01T10:00:00Z" } }), undefined);
});

test("parseTimestamp: times a Date cannot hold (numbers, digit strings, years past 275,760) are no time", () => {
  for (const v of [1e20, -1e20, 8.7e15, 1.23e29, "99999999999999999", "275760-09-14T00:00:00Z"]) assert.equal(parseTimestamp(v), undefined, String(v));
  // the last day of Date's range is kept out too, so a window's date math around it stays in range
  assert.equal(parseTimestamp(8.64e15), undefined);
  assert.equal(parseTimestamp(8.64e15 - 86_400_000), 8.64e15 - 86_400_000);
  assert.equal(parseTimestamp(-8.64e15 + 86_400_000), -8.64e15 + 86_400_000);
});
