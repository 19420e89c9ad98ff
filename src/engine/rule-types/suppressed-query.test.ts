// Alert suppression on query rules: the groups an execution makes (a composite aggregation's buckets),
// the suppressed alert documents and ids, the group history under an overlapping look-back, extending an
// alert within the duration, doNotSuppress, and stream mode. Expectations are worked out by hand from the
// five events of test/fixtures/suppression (alice twice at 10:00:30 and 10:01, bob without a source.ip at
// 10:02, carol from two addresses at 10:03, alice again at 10:06) and two executions, 10:05 and 10:10.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import objectHash from "object-hash";
import { REPO_ROOT } from "../../testing/paths.js";
import { runCli } from "../../testing/cli.js";
import { compareKeys, groupKeys } from "./suppressed-query.js";
import { suppressionConfig } from "./suppression.js";

const DIR = join(REPO_ROOT, "test", "fixtures", "suppression");
const RULE_ID = "11111111-2222-3333-4444-555555555555";
const EVENTS = join(DIR, "logs-auth.ndjson");
const LINES = readFileSync(EVENTS, "utf8").trim().split("\n");
/** The _id tern gives plain events: sha256 of index, NUL and the line, first 20 bytes. */
const idOf = (line: number) => createHash("sha256").update("logs-auth").update("\u0000").update(LINES[line]).digest().toString("hex", 0, 20);

test("groups: one per combination of values, a missing value null (or out under doNotSuppress); composite order with nulls last", () => {
  const suppress = suppressionConfig({ group_by: ["user.name", "source.ip"] })!;
  const strict = suppressionConfig({ group_by: ["user.name", "source.ip"], missing_fields_strategy: "doNotSuppress", duration: { value: 2, unit: "h" } })!;
  assert.deepEqual([suppress.durationMs, suppress.suppressMissing, strict.durationMs, strict.suppressMissing], [undefined, true, 7_200_000, false]);
  assert.deepEqual(groupKeys({ user: { name: "carol" }, source: { ip: ["10.0.0.3", "10.0.0.2", "10.0.0.3"] } }, suppress), [["carol", "10.0.0.3"], ["carol", "10.0.0.2"]]);
  assert.deepEqual(groupKeys({ user: { name: "bob" } }, suppress), [["bob", null]]);
  assert.equal(groupKeys({ user: { name: "bob" } }, strict), undefined);
  const keys = [["b", null], ["b", "x"], ["a", "z"], [null, "a"], [2, "x"], [10, "x"]];
  assert.deepEqual([...keys].sort(compareKeys), [[2, "x"], [10, "x"], ["a", "z"], ["b", "x"], ["b", null], [null, "a"]]);
});

async function run(ruleText: string, extra: string[] = []): Promise<{ code: number; alerts: Record<string, unknown>[]; stderr: string }> {
  const d = mkdtempSync(join(tmpdir(), "tern-supp-"));
  try {
    writeFileSync(join(d, "rule.toml"), ruleText);
    const r = await runCli(["run", join(d, "rule.toml"), "--events", EVENTS, "--state", join(d, "s.db"), "--start", "2024-05-01T10:05:00Z", "--end", "2024-05-01T10:10:00Z", ...extra]);
    return { code: r.code, stderr: r.stderr, alerts: r.stdout.trim() === "" ? [] : r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

const base = readFileSync(join(DIR, "suppressed_logins.toml"), "utf8");
const terms = (user: string, ip: string | null) => [{ field: "user.name", value: user }, { field: "source.ip", value: ip }];
const view = (a: Record<string, unknown>) => [a["kibana.alert.suppression.terms"], a["kibana.alert.suppression.start"], a["kibana.alert.suppression.end"], a["kibana.alert.suppression.docs_count"], a["kibana.alert.uuid"], a["kibana.alert.instance.id"]];
const T = (hms: string) => `2024-05-01T${hms}.000Z`;
/** Kibana's ids for a suppressed query alert (wrap_suppressed_alerts.ts), from the first event of the group. */
const alertId = (line: number, t: ReturnType<typeof terms>, start: string, end: string) => objectHash(["logs-auth", idOf(line), "undefined", `default:${RULE_ID}`, t, new Date(start), new Date(end)]);
const instanceId = (t: ReturnType<typeof terms>) => objectHash([t, RULE_ID, "default"]);

test("without a duration: each execution alerts once per group, its first event's alert with the group's span and other events counted", async () => {
  const r = await run(base);
  assert.equal(r.code, 0, r.stderr);
  const expected = [
    [terms("alice", "10.0.0.1"), T("10:00:30"), T("10:01:00"), 1, alertId(0, terms("alice", "10.0.0.1"), T("10:00:30"), T("10:01:00")), instanceId(terms("alice", "10.0.0.1"))],
    [terms("bob", null), T("10:02:00"), T("10:02:00"), 0, alertId(2, terms("bob", null), T("10:02:00"), T("10:02:00")), instanceId(terms("bob", null))],
    [terms("carol", "10.0.0.2"), T("10:03:00"), T("10:03:00"), 0, alertId(3, terms("carol", "10.0.0.2"), T("10:03:00"), T("10:03:00")), instanceId(terms("carol", "10.0.0.2"))],
    [terms("carol", "10.0.0.3"), T("10:03:00"), T("10:03:00"), 0, alertId(3, terms("carol", "10.0.0.3"), T("10:03:00"), T("10:03:00")), instanceId(terms("carol", "10.0.0.3"))],
    [terms("alice", "10.0.0.1"), T("10:06:00"), T("10:06:00"), 0, alertId(4, terms("alice", "10.0.0.1"), T("10:06:00"), T("10:06:00")), instanceId(terms("alice", "10.0.0.1"))],
  ];
  assert.deepEqual(r.alerts.map(view), expected);
  assert.match(r.stderr, /Suppressed logins: 5 alerts, 5 matched, 1 event suppressed into them/);
  // A look-back that overlaps the previous window: the group history keeps the counted events out, so the
  // second execution's alice group is the 10:06 login alone, not a new span from 10:00:30.
  const overlapping = await run(base.replace('from = "now-5m"', 'from = "now-10m"'));
  assert.deepEqual(overlapping.alerts.map(view), expected);
});

test("with a duration: the second execution extends the open alert of the instance instead of creating one", async () => {
  const r = await run(base.replace('missing_fields_strategy = "suppress"', 'missing_fields_strategy = "suppress"\n\n[rule.alert_suppression.duration]\nunit = "m"\nvalue = 30'));
  assert.equal(r.code, 0, r.stderr);
  const alice = alertId(0, terms("alice", "10.0.0.1"), T("10:00:30"), T("10:01:00"));
  assert.deepEqual(
    r.alerts.map((a) => [a["kibana.alert.uuid"], a["kibana.alert.suppression.end"], a["kibana.alert.suppression.docs_count"], a["kibana.alert.last_detected"]]),
    [
      [alice, T("10:01:00"), 1, T("10:05:00")],
      [alertId(2, terms("bob", null), T("10:02:00"), T("10:02:00")), T("10:02:00"), 0, T("10:05:00")],
      [alertId(3, terms("carol", "10.0.0.2"), T("10:03:00"), T("10:03:00")), T("10:03:00"), 0, T("10:05:00")],
      [alertId(3, terms("carol", "10.0.0.3"), T("10:03:00"), T("10:03:00")), T("10:03:00"), 0, T("10:05:00")],
      // written again: the 10:06 login joined it
      [alice, T("10:06:00"), 2, T("10:10:00")],
    ],
  );
  assert.match(r.stderr, /Suppressed logins: 4 alerts, 5 matched, 2 events suppressed into them/);
});

test("with a duration, across runs: the next run extends the alert the first stored, found in the state by its instance id", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-supp-"));
  try {
    writeFileSync(join(d, "rule.toml"), base.replace('missing_fields_strategy = "suppress"', 'missing_fields_strategy = "suppress"\n\n[rule.alert_suppression.duration]\nunit = "m"\nvalue = 30'));
    const runTo = (end: string) => runCli(["run", join(d, "rule.toml"), "--events", EVENTS, "--state", join(d, "s.db"), "--start", "2024-05-01T10:05:00Z", "--end", end]);
    const first = await runTo("2024-05-01T10:05:00Z");
    assert.equal(first.code, 0, first.stderr);
    const alice = alertId(0, terms("alice", "10.0.0.1"), T("10:00:30"), T("10:01:00"));
    assert.deepEqual(first.stdout.trim().split("\n").map((l) => (JSON.parse(l) as Record<string, unknown>)["kibana.alert.uuid"]).slice(0, 1), [alice]);
    // the second run continues the schedule with the 10:10 execution only
    const second = await runTo("2024-05-01T10:10:00Z");
    assert.equal(second.code, 0, second.stderr);
    const written = second.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      written.map((a) => [a["kibana.alert.uuid"], a["kibana.alert.suppression.start"], a["kibana.alert.suppression.end"], a["kibana.alert.suppression.docs_count"], a["kibana.alert.last_detected"]]),
      [[alice, T("10:00:30"), T("10:06:00"), 2, T("10:10:00")]],
    );
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("doNotSuppress: an event missing a group_by field alerts on its own as a plain query alert", async () => {
  const r = await run(base.replace('missing_fields_strategy = "suppress"', 'missing_fields_strategy = "doNotSuppress"'));
  assert.equal(r.code, 0, r.stderr);
  const bob = r.alerts.filter((a) => (a.user as { name: string }).name === "bob");
  assert.equal(bob.length, 1);
  assert.equal(bob[0]["kibana.alert.uuid"], createHash("sha256").update(`logs-auth${idOf(2)}undefineddefault:${RULE_ID}`).digest("hex"));
  assert.equal(bob[0]["kibana.alert.suppression.terms"], undefined);
  assert.equal(r.alerts.length, 5);
});

test("stream mode: each event's groups are candidates as they arrive; one batch writes each alert once", async () => {
  const r = await run(base, ["--mode", "stream"]);
  assert.equal(r.code, 0, r.stderr);
  const one = (line: number, u: string, ip: string | null, at: string, end: string, docs: number) => [terms(u, ip), T(at), T(end), docs, alertId(line, terms(u, ip), T(at), T(at)), instanceId(terms(u, ip))];
  assert.deepEqual(r.alerts.map(view), [
    // alice's 10:01 and 10:06 logins joined her 10:00:30 alert (all five events are one batch)
    one(0, "alice", "10.0.0.1", "10:00:30", "10:06:00", 2),
    one(2, "bob", null, "10:02:00", "10:02:00", 0),
    one(3, "carol", "10.0.0.3", "10:03:00", "10:03:00", 0),
    one(3, "carol", "10.0.0.2", "10:03:00", "10:03:00", 0),
  ]);
  assert.match(r.stderr, /Suppressed logins: 4 alerts, 5 matched, 2 events suppressed into them/);
});
