// CLI tests for `tern validate` and `tern rule show` (issue 2 "CLI") through main() with captured streams:
// exact lines, summary, --json, --verbose snippets and exit codes 0 / 1 / 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { REPO_ROOT, SEED_DIR } from "../../testing/paths.js";
import { runCli } from "../../testing/cli.js";

const tern = (args: string[]) => runCli(args, { cwd: REPO_ROOT });

const F = "test/fixtures/rules";

test("validate: valid and not-runnable rules exit 0", async () => {
  const r = await tern(["validate", `${F}/valid_query.toml`, `${F}/eql_rule.toml`, `${F}/esql_rule.toml`]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "3 rules: 2 valid, 1 not runnable yet, 0 invalid\n");
  assert.equal(r.stderr, `${F}/esql_rule.toml:15:8: info[RULE012]: Not runnable yet: rule type "esql" (tern runs query, new_terms, eql and threshold rules).\n`);
});

test("validate: an EQL error is a compiler-style diagnostic at its line and column in the rule file", async () => {
  const r = await tern(["validate", `${F}/eql_error.toml`]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "1 rule: 0 valid, 0 not runnable yet, 1 invalid\n");
  assert.equal(r.stderr, `${F}/eql_error.toml:18:57: error[EQL001]: Use "==" to compare values, not "=".\n`);
});

test("validate: one line per problem, summary, exit 1", async () => {
  const r = await tern(["validate", `${F}/wrong_type.toml`, `${F}/unknown_field.toml`, `${F}/valid_query.toml`]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "3 rules: 1 valid, 0 not runnable yet, 2 invalid\n");
  assert.equal(
    r.stderr,
    [
      `${F}/wrong_type.toml:12:14: error[RULE003]: Field "rule.risk_score" must be an integer, found a string ("47").`,
      `${F}/unknown_field.toml:16:1: error[RULE002]: Unknown field "rule.timestamp_overide".`,
      "",
    ].join("\n"),
  );
});

test("validate --verbose: snippet and caret", async () => {
  const r = await tern(["validate", "--verbose", `${F}/bad_datemath.toml`]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    [
      `${F}/bad_datemath.toml:9:14: error[RULE005]: Invalid date math "now-9x" in "rule.from": expected a time unit (y, M, w, d, h, H, m, s, ms) after "-9" but found "x".`,
      "  |",
      '9 | from = "now-9x"',
      "  |              ^",
      '  = help: use "now", "now-9m", "now-1d/d" or an ISO date such as "2024-01-31T00:00:00Z"',
      "",
    ].join("\n"),
  );
});

test("validate a directory recursively; paths keep the user's spelling", async () => {
  const r = await tern(["validate", F]);
  assert.equal(r.code, 1);
  // duplicate_id.toml repeats valid_query.toml's rule_id: it is the invalid one
  assert.equal(r.stdout, "16 rules: 4 valid, 1 not runnable yet, 11 invalid\n");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 22);
  assert.ok(lines.every((l) => l.startsWith(`${F}/`)), lines.join("\n"));
  const abs = await tern(["validate", `${REPO_ROOT}/${F}/wrong_type.toml`]);
  assert.equal(abs.stderr.split(":")[0], `${REPO_ROOT}/${F}/wrong_type.toml`);
});

test("validate --verbose: notes and help come with the snippet", async () => {
  const r = await tern(["validate", "--verbose", `${F}/unknown_field.toml`]);
  assert.equal(
    r.stderr,
    [
      `${F}/unknown_field.toml:16:1: error[RULE002]: Unknown field "rule.timestamp_overide".`,
      "   |",
      '16 | timestamp_overide = "event.ingested"',
      "   | ^^^^^^^^^^^^^^^^^",
      '  = help: did you mean "timestamp_override"?',
      "",
    ].join("\n"),
  );
});

test("validate --json: summary, per-rule status, diagnostics", async () => {
  const r = await tern(["validate", "--json", `${F}/history_window.toml`, `${F}/esql_rule.toml`]);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout) as {
    summary: unknown;
    rules: { path: string; status: string; reason?: string; errors: number }[];
    diagnostics: { code: string; span: { file: string; line: number; col: number } }[];
  };
  assert.deepEqual(j.summary, { rules: 2, valid: 0, not_runnable: 1, invalid: 1 });
  assert.deepEqual(
    j.rules.map((x) => [x.path, x.status, x.reason ?? "", x.errors]),
    [
      [`${F}/history_window.toml`, "invalid", "", 1],
      [`${F}/esql_rule.toml`, "not-runnable", 'rule type "esql" (tern runs query, new_terms, eql and threshold rules)', 0],
    ],
  );
  assert.deepEqual(
    j.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.col} ${d.code}`),
    [`${F}/history_window.toml:24:9 RULE009`, `${F}/esql_rule.toml:15:8 RULE012`],
  );
  assert.equal(r.stderr, "");
});

test("validate: usage errors exit 2", async () => {
  const none = await tern(["validate"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^error: missing required argument 'paths'/);
  const missing = await tern(["validate", `${F}/nope.toml`]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `tern validate: no such file or directory: ${F}/nope.toml; check the rule path\n`);
  assert.equal(missing.stdout, "");
});

test("rule show: the readable view of the seed", async () => {
  const r = await tern(["rule", "show", `${SEED_DIR}/shared_object_new_terms.toml`]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  assert.equal(
    r.stdout,
    [
      "name:         Shared Object Created or Changed by Previously Unknown Process",
      "rule_id:      aebaa51f-2a91-4f6a-850b-b601db2293f4",
      "type:         new_terms",
      "language:     kuery",
      "status:       valid",
      "schedule:     every 5m, from now-9m to now, lookback 4m",
      "timestamp:    event.ingested (falls back to @timestamp)",
      "index:        logs-endpoint.events.*, endgame-*",
      "new terms:    file.path, process.name (history window now-7d)",
      "risk score:   47",
      "severity:     medium",
      "max signals:  100",
      "tags:         Domain: Endpoint, OS: Linux, Use Case: Threat Detection, Tactic: Persistence, Data Source: Elastic Endgame, Data Source: Elastic Defend",
      "MITRE ATT&CK:",
      "  TA0003 Persistence",
      "    T1574 Hijack Execution Flow",
      "      T1574.006 Dynamic Linker Hijacking",
      "query:",
      "  host.os.type:linux",
      "  and event.action:(creation or file_create_event or file_rename_event or rename)",
      "  and file.path:(/dev/shm/* or /usr/lib/*)",
      "  and file.extension:so",
      '  and process.name: ( * and not ("5" or "dockerd" or "dpkg" or "rpm" or "snapd" or "exe" or "yum" or "vmis-launcher"))',
      "",
    ].join("\n"),
  );
});

test("rule show --json: the normalized model", async () => {
  const r = await tern(["rule", "show", "--json", `${F}/export.ndjson`]);
  assert.equal(r.code, 1);
  const models = JSON.parse(r.stdout) as { rule_id: string; origin: unknown; new_terms: unknown }[];
  assert.equal(models.length, 2);
  assert.deepEqual(models[0].origin, { path: `${F}/export.ndjson`, format: "kibana-ndjson", line: 1 });
  assert.deepEqual(models[0].new_terms, { fields: ["host.id", "process.name"], history_window_start: "now-7d" });
  assert.deepEqual(models[1].new_terms, { fields: ["host.id", "host.id"], history_window_start: "now-1m" });
  assert.equal(r.stderr.split("\n").filter((l) => /error\[/.test(l)).length, 3);
});

test("rule show: an eql rule prints its query as written; a missing file exits 2", async () => {
  const r = await tern(["rule", "show", `${F}/eql_rule.toml`]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\nstatus: {7}valid\n/);
  assert.ok(r.stdout.endsWith('query:\n  process where event.type == "start" and process.name == "bash"\n'));
  const missing = await tern(["rule", "show", "nope.toml"]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, "tern rule show: no such file or directory: nope.toml; check the rule path\n");
});

test("validate and run: two rules with one rule_id are an error at the second one's rule_id (exit 1 / exit 2)", async () => {
  const v = await tern(["validate", `${F}/valid_query.toml`, `${F}/duplicate_id.toml`]);
  const message = `${F}/duplicate_id.toml:14:11: error[RULE013]: rule_id "00000000-0000-4000-8000-000000000001" is also the rule_id of "Small query rule" (valid_query.toml); each rule needs its own.\n`;
  assert.deepEqual([v.code, v.stdout, v.stderr], [1, "2 rules: 1 valid, 0 not runnable yet, 1 invalid\n", message]);
  const r = await tern(["run", `${F}/valid_query.toml`, `${F}/duplicate_id.toml`, "-e", "examples/events", "--state", ":memory:"]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, "", message]);
});

test("validate: the same rule in two files (the seed and its one-line copy) is loaded once, with a warning", async () => {
  const r = await tern(["validate", SEED_DIR]);
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [
      0,
      "1 rule: 1 valid, 0 not runnable yet, 0 invalid\n",
      `${SEED_DIR}/shared_object_new_terms.oneline.toml:1:1: warning[TOML004]: This file lost its line breaks; tern rebuilt it from the detection-rules schema (line breaks inside multi-line strings are spaces now).\n` +
        `${SEED_DIR}/shared_object_new_terms.toml:26:11: warning[RULE014]: the same rule as "Shared Object Created or Changed by Previously Unknown Process" (shared_object_new_terms.oneline.toml): loaded once, from there.\n`,
    ],
  );
});
