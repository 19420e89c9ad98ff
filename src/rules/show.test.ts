// Tests for the `tern rule show` view helpers: durations, look-back, KQL reflow, prose/KQL normalisation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, lookbackMs, reflowKql } from "./show.js";
import { normalizeKqlWhitespace, normalizeProse } from "./compare.js";

test("formatDuration uses the largest whole unit", () => {
  assert.deepEqual([240_000, 3_600_000, 86_400_000, 90_000, 1_500, -60_000].map(formatDuration), ["4m", "1h", "1d", "90s", "1500ms", "-1m"]);
});

test("lookback = (to - from) - interval", () => {
  assert.equal(lookbackMs({ from: "now-9m", to: "now", interval: "5m" }, 0), 240_000);
  assert.equal(lookbackMs({ from: "now-6m", to: "now", interval: "5m" }, 0), 60_000);
  assert.equal(lookbackMs({ from: "now-2h", to: "now", interval: "1h" }, 0), 3_600_000);
  assert.equal(lookbackMs({ from: "now-9x", to: "now", interval: "5m" }, 0), undefined);
});

test("reflowKql breaks before top-level and/or only, keeps tokens and quoted text", () => {
  assert.deepEqual(reflowKql('a:1 and\n  (b:2 or c:3)   or d:"x  and  y"\nAND not e:4'), [
    "a:1",
    "and (b:2 or c:3)",
    'or d:"x  and  y"',
    "AND not e:4",
  ]);
  assert.deepEqual(reflowKql("process.name:(a or b)"), ["process.name:(a or b)"]);
});

test("normalisation collapses whitespace, except inside quoted KQL strings", () => {
  assert.equal(normalizeProse("  a\n b\t\tc \n"), "a b c");
  assert.equal(normalizeKqlWhitespace(' a:"x  \\" y"\n and  b:1 '), 'a:"x  \\" y" and b:1');
});
