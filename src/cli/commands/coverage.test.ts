// `tern coverage` through main(): verdicts per rule (text and --json), judged by tern's mapping or by a
// sample of events, and usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CORPUS_DIR, REALDATA_DIR } from "../../testing/paths.js";
import { runCli } from "../../testing/cli.js";

const rule = (p: string) => join(CORPUS_DIR, p);
const RULES = [
  rule("rules/linux/defense_evasion_execution_followed_by_self_deletion.toml"),
  rule("rules/linux/privilege_escalation_suspicious_uid_guid_elevation.toml"),
  rule("rules/linux/privilege_escalation_docker_escape_via_nsenter.toml"),
  rule("rules/linux/discovery_ping_sweep_detected.toml"),
];

test("auditd: sequences on the process tree and on capabilities can fire, a container rule cannot (and says what it needs), the threshold rule's query can", async () => {
  const r = await runCli(["coverage", "--format", "auditd", ...RULES]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "tern coverage: judged by what tern writes for --format auditd",
      "  can fire     Process Execution Followed by Self-Deletion",
      // the exec's BPRM_FCAPS record gives the thread capabilities
      "  can fire     Privilege Escalation via CAP_SETUID/SETGID Capabilities",
      // whether a process runs in a container is nowhere in an audit record
      "  cannot fire  Potential Docker Escape via Nsenter: needs process.entry_leader.entry_meta.type",
      // judged by its query, as every rule is (its threshold and cardinality fields are not checked)
      "  can fire     Potential Network Scan Executed From Host",
      "4 rules: 3 of 4 runnable can fire, 1 cannot (0 for their index patterns); 0 not runnable",
      "most needed fields: process.entry_leader.entry_meta.type (1)",
      "",
    ].join("\n"),
  );
});

test("--json; judged by a sample of events: fields the sample lacks are named", async () => {
  const capture = join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log");
  const r = await runCli(["coverage", "--format", "auditd", "--json", "--events", capture, "--", RULES[0]]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { basis: string; summary: Record<string, number>; rules: { can_fire: boolean; reason?: string; missing_fields?: string[] }[] };
  assert.equal(out.basis, `the 92 events of ${capture}`);
  assert.deepEqual(out.summary, { rules: 1, runnable: 1, can_fire: 1, cannot_fire: 0, cannot_fire_index: 0, not_runnable: 0 });
});

test("ecs needs --events; a missing path is exit 2", async () => {
  const e = await runCli(["coverage", "--format", "ecs", RULES[0]]);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /--format ecs needs --events <sample>/);
  const m = await runCli(["coverage", "--format", "auditd", "/no/such/rules"]);
  assert.equal(m.code, 2);
  assert.equal(m.stderr, "tern coverage: no such file or directory: /no/such/rules; check the rule path\n");
});
