// Conformance: all 2,192 detection-rules files load without a crash (issue 2 acceptance), with exact
// counts per status: query/new_terms kuery rules are valid, every other type/language is not runnable yet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CORPUS_DIR } from "../../src/testing/paths.js";
import { loadRules } from "../../src/rules/load.js";

test("the detection-rules corpus loads: 752 valid, 1440 not runnable yet, 0 invalid", () => {
  const r = loadRules([CORPUS_DIR], { now: Date.UTC(2026, 0, 1) });
  assert.equal(r.files.length, 2192);
  assert.equal(r.rules.length, 2192);
  const counts = { valid: 0, "not-runnable": 0, invalid: 0 };
  const reasons = new Map<string, number>();
  for (const x of r.rules) {
    counts[x.status]++;
    if (x.reason !== undefined) reasons.set(x.reason, (reasons.get(x.reason) ?? 0) + 1);
  }
  assert.deepEqual(counts, { valid: 752, "not-runnable": 1440, invalid: 0 });
  assert.deepEqual(Object.fromEntries([...reasons].sort()), {
    'query language "lucene" (tern runs KQL, "kuery")': 1,
    'rule type "eql" (tern runs query and new_terms rules)': 1081,
    'rule type "esql" (tern runs query and new_terms rules)': 212,
    'rule type "machine_learning" (tern runs query and new_terms rules)': 106,
    'rule type "threat_match" (tern runs query and new_terms rules)': 9,
    'rule type "threshold" (tern runs query and new_terms rules)': 31,
  });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity !== "info"), []);
  const types = new Map<string, number>();
  for (const x of r.rules) types.set(x.rule.type, (types.get(x.rule.type) ?? 0) + 1);
  assert.equal(types.get("new_terms"), 245);
  assert.equal(types.get("query"), 508);
});
