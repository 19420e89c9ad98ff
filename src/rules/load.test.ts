// Acceptance tests of the rule layer (issue 2): each bad input gives its exact code at its exact
// file:line:col; every problem of a file is collected; the Kibana export loads into the same model;
// unsupported types load as "not runnable yet".
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Diagnostic } from "../diag/index.js";
import { REPO_ROOT } from "../testing/paths.js";
import { loadRuleFile, loadRules } from "./load.js";

const FIX = join(REPO_ROOT, "test", "fixtures", "rules");
const NOW = Date.UTC(2026, 0, 1);
const where = (d: Diagnostic): string => `${basename(d.span?.file ?? "?")}:${d.span?.line}:${d.span?.col}: ${d.code}`;
const load = (name: string) => loadRuleFile(join(FIX, name), { now: NOW });

test("a valid query rule", () => {
  const r = load("valid_query.toml");
  assert.equal(r.rules.length, 1);
  assert.equal(r.rules[0].status, "valid");
  assert.deepEqual(r.diagnostics, []);
  const rule = r.rules[0].rule;
  assert.equal(rule.query, 'event.category:process and process.name:"bash"\n');
  assert.deepEqual([rule.from, rule.to, rule.interval, rule.max_signals, rule.language], ["now-6m", "now", "5m", 100, "kuery"]);
  assert.deepEqual(rule.origin, { path: join(FIX, "valid_query.toml"), format: "toml" });
});

test("malformed TOML: TOML001 where the reader stopped", () => {
  const r = load("malformed.toml");
  assert.deepEqual(r.diagnostics.map(where), ["malformed.toml:15:1: TOML001"]);
  assert.equal(r.diagnostics[0].message, "Expected comma or end of structure.");
  assert.equal(r.rules[0].status, "invalid");
});

test("a wrong value type: RULE003 at the value", () => {
  const r = load("wrong_type.toml");
  assert.deepEqual(r.diagnostics.map(where), ["wrong_type.toml:12:14: RULE003"]);
  assert.equal(r.diagnostics[0].message, 'Field "rule.risk_score" must be an integer, found a string ("47").');
});

test("an unknown field: RULE002 at the key, with a suggestion", () => {
  const r = load("unknown_field.toml");
  assert.deepEqual(r.diagnostics.map(where), ["unknown_field.toml:16:1: RULE002"]);
  assert.equal(r.diagnostics[0].message, 'Unknown field "rule.timestamp_overide".');
  assert.equal(r.diagnostics[0].help, 'did you mean "timestamp_override"?');
});

test("bad date math: RULE005 at the offending character", () => {
  const r = load("bad_datemath.toml");
  assert.deepEqual(r.diagnostics.map(where), ["bad_datemath.toml:9:14: RULE005"]);
  assert.equal(
    r.diagnostics[0].message,
    'Invalid date math "now-9x" in "rule.from": expected a time unit (y, M, w, d, h, H, m, s, ms) after "-9" but found "x".',
  );
});

test("a history window not earlier than from: RULE009 with Kibana's message", () => {
  const r = load("history_window.toml");
  assert.deepEqual(r.diagnostics.map(where), ["history_window.toml:24:9: RULE009"]);
  const d = r.diagnostics[0];
  assert.equal(d.message, "History window size is smaller than rule interval + additional lookback, 'historyWindowStart' must be earlier than 'from'");
  assert.deepEqual(
    d.notes?.map((n) => n.message),
    ['history_window_start "now-5m" resolves to 2025-12-31T23:55:00.000Z (clock 2026-01-01T00:00:00.000Z)', "from resolves to 2025-12-31T23:51:00.000Z"],
  );
  assert.equal(d.notes?.[1].span?.line, 9);
});

test("history window equal to from is rejected too (strictly earlier); one minute earlier is fine", async () => {
  const { mkdtempSync, writeFileSync, readFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tern-rules-"));
  const text = readFileSync(join(FIX, "history_window.toml"), "utf8");
  writeFileSync(join(dir, "equal.toml"), text.replace('value = "now-5m"', 'value = "now-9m"'), { mode: 0o600 });
  writeFileSync(join(dir, "earlier.toml"), text.replace('value = "now-5m"', 'value = "now-10m"'), { mode: 0o600 });
  assert.deepEqual(loadRuleFile(join(dir, "equal.toml"), { now: NOW }).diagnostics.map(where), ["equal.toml:24:9: RULE009"]);
  const ok = loadRuleFile(join(dir, "earlier.toml"), { now: NOW });
  assert.deepEqual(ok.diagnostics, []);
  assert.equal(ok.rules[0].status, "valid");
});

test("a one-line file that cannot be rebuilt: TOML002 at the ambiguity", () => {
  const r = load("oneline_ambiguous.toml");
  assert.deepEqual(r.diagnostics.map(where), ["oneline_ambiguous.toml:1:65: TOML002"]);
  assert.equal(
    r.diagnostics[0].message,
    "Cannot rebuild this one-line file: a '#' comment in a file whose line breaks were lost runs to the end of the file; tern cannot tell where the comment ended.",
  );
  assert.equal(r.rules[0].status, "invalid");
});

test("every problem of a file is collected, in order", () => {
  const r = load("many_problems.toml");
  assert.deepEqual(r.diagnostics.map(where), [
    "many_problems.toml:1:1: RULE001",
    "many_problems.toml:13:14: RULE004",
    "many_problems.toml:15:12: RULE004",
    "many_problems.toml:17:1: RULE002",
    "many_problems.toml:11:12: RULE010",
    "many_problems.toml:8:14: RULE005",
    "many_problems.toml:9:14: RULE006",
    "many_problems.toml:25:9: RULE007",
    "many_problems.toml:25:34: RULE008",
  ]);
  assert.deepEqual(r.diagnostics.map((d) => d.message), [
    'Missing required field "metadata.maturity".',
    'Field "rule.risk_score" must be between 0 and 100; found 250.',
    'Field "rule.severity" must be one of "low", "medium", "high", "critical"; found "urgent".',
    'Unknown field "rule.colour".',
    'Language "eql" cannot be used with rule type "new_terms"; use "kuery" or "lucene".',
    'Invalid date math "now-1q" in "rule.from": expected a time unit (y, M, w, d, h, H, m, s, ms) after "-1" but found "q".',
    'Invalid interval "5x" in "rule.interval": unknown unit "x"; use s, m, h or d (e.g. "5m").',
    "A new terms rule takes 1 to 3 fields; found 4.",
    'Duplicate new terms field "host.id".',
  ]);
});

test("a KQL syntax error points inside the ''' query string", () => {
  const r = load("kql_error.toml");
  // The query's second line is file line 18; the parser stops at the end of the query (the closing ''').
  assert.deepEqual(r.diagnostics.map(where), ["kql_error.toml:19:1: KQL001"]);
  assert.equal(r.diagnostics[0].message, 'Expected ")", AND, OR but end of input found.');
});

test("a KQL error in a basic string maps exactly; with escapes it points at the value and says so", async () => {
  const { mkdtempSync, writeFileSync, readFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tern-rules-"));
  const base = readFileSync(join(FIX, "valid_query.toml"), "utf8").replace(/query = '''\n[^']*'''\n/, "");
  writeFileSync(join(dir, "plain.toml"), `${base}query = "a:b and c:(d"\n`, { mode: 0o600 });
  writeFileSync(join(dir, "escaped.toml"), `${base}query = "a:\\"b\\" and c:(d"\n`, { mode: 0o600 });
  const plain = loadRuleFile(join(dir, "plain.toml"), { now: NOW }).diagnostics;
  assert.deepEqual(plain.map(where), ["plain.toml:17:22: KQL001"]);
  const escaped = loadRuleFile(join(dir, "escaped.toml"), { now: NOW }).diagnostics;
  assert.deepEqual(escaped.map(where), ["escaped.toml:17:9: KQL001"]);
  assert.deepEqual(escaped[0].notes?.map((n) => n.message), [
    "the query string has escapes, so tern points at its start; the problem is at character 15 of the query text",
  ]);
});

test("rules tern cannot run yet load as not-runnable, never invalid", () => {
  const r = load("esql_rule.toml");
  assert.equal(r.rules[0].status, "not-runnable");
  assert.equal(r.rules[0].reason, 'rule type "esql" (tern runs query, new_terms, eql and threshold rules)');
  assert.equal(r.rules[0].rule.language, "esql");
  assert.deepEqual(r.diagnostics.map(where), ["esql_rule.toml:15:8: RULE012"]);
  assert.equal(r.diagnostics[0].severity, "info");
  assert.equal(r.diagnostics[0].message, 'Not runnable yet: rule type "esql" (tern runs query, new_terms, eql and threshold rules).');
  const eql = load("eql_rule.toml");
  assert.equal(eql.rules[0].status, "valid");
  assert.deepEqual(eql.diagnostics, []);
});

test("Kibana export: API-shaped rules fold into the model; the summary line is skipped", () => {
  const r = load("export.ndjson");
  assert.equal(r.rules.length, 2);
  const [good, bad] = r.rules;
  assert.equal(good.status, "valid");
  assert.deepEqual(good.rule.origin, { path: join(FIX, "export.ndjson"), format: "kibana-ndjson", line: 1 });
  assert.deepEqual(good.rule.new_terms, { fields: ["host.id", "process.name"], history_window_start: "now-7d" });
  assert.equal(good.rule.threat[0].tactic.name, "Persistence");
  assert.deepEqual(good.rule.other.created_by, "elastic");
  assert.equal(bad.status, "invalid");
  assert.deepEqual(bad.diagnostics.map(where), ["export.ndjson:2:317: RULE008", "export.ndjson:2:351: RULE009", "export.ndjson:2:285: KQL001"]);
});

test("Kibana export: a line that is not JSON is TOML005 at its place", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tern-rules-"));
  writeFileSync(join(dir, "x.ndjson"), '{"exported_count":0}\n{"name": "x",\n', { mode: 0o600 });
  const r = loadRuleFile(join(dir, "x.ndjson"));
  assert.deepEqual(r.diagnostics.map(where), ["x.ndjson:2:14: TOML005"]);
  assert.equal(r.rules.length, 1);
  assert.equal(r.rules[0].status, "invalid");
});

test("directories are walked recursively; missing paths are TOML003", () => {
  const r = loadRules([FIX, join(FIX, "nope.toml")], { now: NOW });
  assert.equal(r.files.length, 15);
  const counts = { valid: 0, "not-runnable": 0, invalid: 0 };
  for (const x of r.rules) counts[x.status]++;
  // duplicate_id.toml repeats valid_query.toml's rule_id: the second met (sorted walk) is the invalid one
  assert.deepEqual(counts, { valid: 4, "not-runnable": 1, invalid: 11 });
  assert.deepEqual(r.rules.filter((x) => x.diagnostics.some((d) => d.code === "RULE013")).map((x) => basename(x.rule.origin.path)), ["valid_query.toml"]);
  assert.deepEqual(r.diagnostics.filter((d) => d.code === "TOML003").map((d) => d.message), [`Cannot read "${join(FIX, "nope.toml")}": no such file or directory; check the rule path.`]);
});

test("Kibana export: problems are named with the export's own keys and point into the line", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tern-rules-"));
  const line = JSON.stringify({
    rule_id: "r1",
    description: "d",
    risk_score: "21",
    severity: "low",
    type: "new_terms",
    query: "a:b",
    colour: "red",
    new_terms_fields: ["a", "b", "c", "d"],
    history_window_start: "now-7x",
    timeline_id: null,
  });
  writeFileSync(join(dir, "api.ndjson"), `${line}\n`, { mode: 0o600 });
  const r = loadRuleFile(join(dir, "api.ndjson"), { now: NOW });
  const col = (s: string) => line.indexOf(s) + 1;
  assert.deepEqual(r.diagnostics.map(where), [
    "api.ndjson:1:1: RULE001",
    `api.ndjson:1:${col('"21"')}: RULE003`,
    `api.ndjson:1:${col('"colour"')}: RULE002`,
    `api.ndjson:1:${col('["a"')}: RULE007`,
    `api.ndjson:1:${col("now-7x") + 5}: RULE005`,
  ]);
  assert.deepEqual(r.diagnostics.map((d) => d.message), [
    'Missing required field "name".',
    'Field "risk_score" must be an integer, found a string ("21").',
    'Unknown field "colour".',
    "A new terms rule takes 1 to 3 fields; found 4.",
    'Invalid date math "now-7x" in "history_window_start": expected a time unit (y, M, w, d, h, H, m, s, ms) after "-7" but found "x".',
  ]);
});

test("TOML nested thousands of levels (arrays, inline tables, dotted keys, a CR-only header) is a diagnostic per file; the directory's other rules still load", async () => {
  const { mkdtempSync, writeFileSync, copyFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const d = mkdtempSync(join(tmpdir(), "tern-deep-toml-"));
  writeFileSync(join(d, "a.toml"), `x = ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
  writeFileSync(join(d, "b.toml"), `x.${Array(5000).fill("k").join(".")} = 1\n`);
  writeFileSync(join(d, "c.toml"), `x = ${"{a=".repeat(5000)}1${"}".repeat(5000)}\n`);
  writeFileSync(join(d, "d.toml"), `[${Array(5000).fill("t").join(".")}]\ry=1\r`);
  copyFileSync(join(REPO_ROOT, "examples", "rules", "shared_object_new_terms.toml"), join(d, "seed.toml"));
  const r = loadRules([d]);
  const codes = r.diagnostics.filter((x) => x.severity === "error").map((x) => `${basename(x.span?.file ?? "")} ${x.code}`).sort();
  assert.deepEqual(codes, ["a.toml TOML001", "b.toml TOML006", "c.toml TOML001", "d.toml TOML002"]);
  assert.equal(r.rules.filter((x) => x.status === "valid").length, 1);
  const d2 = r.diagnostics.find((x) => x.code === "TOML002");
  assert.ok((d2?.message.length ?? 0) < 300, "a long table name is cut in the message");
});

test("a rules folder that also holds event NDJSON: the rules load, the event files are skipped with one note", async () => {
  const { mkdtempSync, writeFileSync, copyFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tern-rules-"));
  try {
    copyFileSync(join(FIX, "valid_query.toml"), join(dir, "rule.toml"));
    copyFileSync(join(FIX, "export.ndjson"), join(dir, "export.ndjson"));
    const events = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ "@timestamp": "2026-01-01T00:00:00Z", event: { category: ["file"] }, n: i })).join("\n") + "\n";
    writeFileSync(join(dir, "a-events.ndjson"), events);
    writeFileSync(join(dir, "b-hits.ndjson"), JSON.stringify({ _index: "logs", _id: "1", _source: { "@timestamp": "2026-01-01T00:00:00Z" } }) + "\n");
    const r = loadRules([dir], { now: NOW });
    const fromExport = loadRuleFile(join(FIX, "export.ndjson"), { now: NOW }).rules.length;
    assert.equal(r.rules.length, 1 + fromExport);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === "RULE015").map((d) => [basename(d.span?.file ?? ""), d.severity, d.message]),
      [["a-events.ndjson", "info", "a-events.ndjson and 1 other .ndjson file hold events, not rules: skipped."]],
    );
    assert.equal(r.diagnostics.filter((d) => d.severity === "error").length, loadRuleFile(join(FIX, "export.ndjson"), { now: NOW }).diagnostics.filter((d) => d.severity === "error").length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a file larger than any rule file is not read: .ndjson is taken for events, anything else is TOML003", () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-big-rules-"));
  try {
    // Sparse files: 129 MiB on paper, nothing on disk; reading one whole would take that much memory.
    for (const name of ["big.toml", "big.ndjson"]) {
      writeFileSync(join(dir, name), "");
      truncateSync(join(dir, name), 129 * 2 ** 20 + 1);
    }
    const r = loadRules([dir]);
    assert.deepEqual(
      r.diagnostics.map((d) => [basename(d.span?.file ?? ""), d.code, d.message]),
      [
        ["big.toml", "TOML003", `Cannot read "${join(dir, "big.toml")}": 135266305 bytes is more than a rule file holds (at most 128 MiB); check the rule path.`],
        ["big.ndjson", "RULE015", "big.ndjson holds events, not rules: skipped."],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
