// Tests for the `tern rule show` view helpers: durations, look-back, KQL reflow, prose/KQL normalisation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, formatRule, lookbackMs, reflowKql } from "./show.js";
import { makeRule } from "../engine/test-support.js";
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

test("formatRule shows the overrides, required fields and investigation fields as Kibana applies and shows them", () => {
  const rule = makeRule({
    rule_id: "ov",
    name: "Overrides",
    severity: "low",
    risk_score: 21,
    severity_mapping: [{ field: "event.severity", operator: "equals", value: "73", severity: "high" }],
    risk_score_mapping: [{ field: "event.risk_score", operator: "equals", value: "" }],
    rule_name_override: "rule.name",
    required_fields: [{ name: "process.name", type: "keyword" }, { name: "event.type" }],
    investigation_fields: { field_names: ["host.name", "user.name"] },
  });
  const lines = formatRule(rule, undefined, 0).split("\n");
  const from = lines.findIndex((l) => l.startsWith("risk score:"));
  assert.deepEqual(lines.slice(from, from + 7), [
    "risk score:   21 (from event.risk_score when it holds 0-100)",
    "severity:     low",
    '              high when event.severity is "73"',
    "alert name:   from rule.name when it holds a string",
    `max signals:  ${rule.max_signals}`,
    "requires:     process.name (keyword), event.type",
    "investigate:  host.name, user.name",
  ]);
});
