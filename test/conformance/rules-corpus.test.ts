// Conformance: all 2,192 detection-rules files load without a crash (issue 2 acceptance), with exact
// counts per status: query/new_terms/threshold kuery rules and eql rules are valid, every other type/language is not runnable yet.
// Also: one-line recovery run over the whole corpus with its line breaks removed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { CORPUS_DIR } from "../../src/testing/paths.js";
import { SourceFile } from "../../src/diag/index.js";
import { expandRulePaths, loadRules } from "../../src/rules/load.js";
import { isOneLine } from "../../src/rules/toml/oneline.js";
import { readToml, type Plain } from "../../src/rules/toml/read.js";

test("the detection-rules corpus loads: 1864 valid, 328 not runnable yet, 0 invalid", () => {
  const r = loadRules([CORPUS_DIR], { now: Date.UTC(2026, 0, 1) });
  assert.equal(r.files.length, 2192);
  assert.equal(r.rules.length, 2192);
  const counts = { valid: 0, "not-runnable": 0, invalid: 0 };
  const reasons = new Map<string, number>();
  for (const x of r.rules) {
    counts[x.status]++;
    if (x.reason !== undefined) reasons.set(x.reason, (reasons.get(x.reason) ?? 0) + 1);
  }
  // every EQL rule (1,081, deprecated ones included) parses and compiles: all of them are valid now
  assert.deepEqual(counts, { valid: 1864, "not-runnable": 328, invalid: 0 });
  assert.deepEqual(Object.fromEntries([...reasons].sort()), {
    'query language "lucene" (tern runs KQL, "kuery", for query, new_terms and threshold rules)': 1,
    'rule type "esql" (tern runs query, new_terms, eql and threshold rules)': 212,
    'rule type "machine_learning" (tern runs query, new_terms, eql and threshold rules)': 106,
    'rule type "threat_match" (tern runs query, new_terms, eql and threshold rules)': 9,
  });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity !== "info"), []);
  const types = new Map<string, number>();
  for (const x of r.rules) types.set(x.rule.type, (types.get(x.rule.type) ?? 0) + 1);
  assert.equal(types.get("new_terms"), 245);
  assert.equal(types.get("query"), 508);
  assert.equal(types.get("eql"), 1081);
  // The same counts from the files' text alone (their `type =` and `language =` lines), not from the loader.
  const fromText = { valid: 0, "not-runnable": 0, invalid: 0 };
  for (const f of r.files) {
    const text = readFileSync(f, "utf8");
    const type = /^type\s*=\s*"([^"]+)"/m.exec(text)?.[1];
    const language = /^language\s*=\s*"([^"]+)"/m.exec(text)?.[1];
    const runs = type === "eql" || ((type === "query" || type === "new_terms" || type === "threshold") && language === "kuery");
    fromText[runs ? "valid" : "not-runnable"]++;
  }
  assert.deepEqual(counts, fromText);
});

// Robustness of one-line recovery: every corpus file with its line breaks removed (each run of
// whitespace around a newline becomes one space, as in the seed) either rebuilds to the same document —
// text compared with whitespace collapsed, since line layout is what was lost — or is refused with TOML002
// because a comment's end was lost with the line break.
test("every corpus file, flattened to one line, rebuilds to the same document or is refused (TOML002)", () => {
  const collapse = (v: Plain): Plain =>
    typeof v === "string"
      ? v.replace(/\s+/g, " ").trim()
      : Array.isArray(v)
        ? v.map(collapse)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, collapse(x)]))
          : v;
  const outcomes = { equal: 0, different: 0, "refused: // comment in query": 0, "refused: # comment": 0, other: 0 };
  const different: string[] = [];
  for (const f of expandRulePaths([CORPUS_DIR]).files) {
    const text = readFileSync(f, "utf8");
    const flat = text.replace(/[ \t]*(\r?\n[ \t]*)+/g, " ").trim();
    assert.equal(isOneLine(flat), true, f);
    const a = readToml(new SourceFile(f, text));
    const b = readToml(new SourceFile(f, flat));
    assert.ok(a.doc, f);
    if (b.doc) {
      if (isDeepStrictEqual(collapse(a.doc), collapse(b.doc))) outcomes.equal++;
      else {
        outcomes.different++;
        different.push(f);
      }
    } else if (b.diagnostics[0]?.code === "TOML002" && b.diagnostics[0].message.includes("'//' line comment")) outcomes["refused: // comment in query"]++;
    else if (b.diagnostics[0]?.code === "TOML002" && b.diagnostics[0].message.includes("'#' comment")) outcomes["refused: # comment"]++;
    else outcomes.other++;
  }
  assert.deepEqual(different, []);
  assert.deepEqual(outcomes, { equal: 2031, different: 0, "refused: // comment in query": 160, "refused: # comment": 1, other: 0 });
});
