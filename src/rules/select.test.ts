// Rule selection (tern run|validate|coverage --tag/--tactic/--technique/--severity/--type/--name, and
// deprecated or development rules left out unless --include-deprecated), on corpus rules and by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CORPUS_DIR } from "../testing/paths.js";
import { makeRule } from "../engine/test-support.js";
import { loadRules } from "./load.js";
import { meetsSelection, selectRules } from "./select.js";
import { runCli } from "../testing/cli.js";

const threat = [
  { framework: "MITRE ATT&CK", tactic: { id: "TA0002", name: "Execution", reference: "" }, technique: [{ id: "T1059", name: "Command and Scripting Interpreter", reference: "", subtechnique: [{ id: "T1059.004", name: "Unix Shell", reference: "" }] }] },
];

test("each criterion: values are alternatives, criteria all apply, case is ignored", () => {
  const rule = makeRule({ rule_id: "s", name: "Reverse Shell via Netcat", severity: "high", tags: ["OS: Linux", "Tactic: Execution"], threat });
  const yes = [
    {},
    { tags: ["os: linux"] },
    { tags: ["OS: Windows", "OS: Linux"] },
    { tactics: ["TA0002"] },
    { tactics: ["execution"] },
    { techniques: ["T1059"] },
    { techniques: ["t1059.004"] },
    { techniques: ["unix shell"] },
    { severities: ["high", "critical"] },
    { types: ["new_terms"] },
    { name: "*reverse shell*" },
    { name: "Reverse?Shell*" },
    { tags: ["OS: Linux"], severities: ["high"], name: "*netcat" },
  ];
  const no = [
    { tags: ["OS: Windows"] },
    { tactics: ["TA0003"] },
    { techniques: ["T1059.001"] },
    { techniques: ["T105"] },
    { severities: ["low"] },
    { types: ["query", "eql"] },
    { name: "reverse" },
    { tags: ["OS: Linux"], severities: ["low"] },
  ];
  assert.deepEqual(yes.map((sel) => meetsSelection(rule, sel)), yes.map(() => true));
  assert.deepEqual(no.map((sel) => meetsSelection(rule, sel)), no.map(() => false));
});

test("deprecated rules (maturity) are left out with their diagnostics unless asked for; counts from the corpus", () => {
  const dir = join(CORPUS_DIR, "rules", "_deprecated");
  const all = loadRules([dir]);
  const maturities = all.rules.map((r) => r.rule.metadata.maturity);
  assert.equal(maturities.every((m) => m === "deprecated"), true);
  const dropped = selectRules(all, {});
  assert.deepEqual([dropped.result.rules.length, dropped.deprecated, dropped.unselected, dropped.result.diagnostics.filter((d) => d.code === "RULE012").length], [0, all.rules.length, 0, 0]);
  const kept = selectRules(all, { includeDeprecated: true });
  assert.equal(kept.result, all);
});

test("tern validate and run print what the selection left out, and a selection that leaves nothing is exit 2 for run", async () => {
  const linux = join(CORPUS_DIR, "rules", "linux");
  const v = await runCli(["validate", linux, "--tactic", "TA0003", "--severity", "critical", "--json"]);
  const picked = (JSON.parse(v.stdout) as { rules: { rule_id: string }[] }).rules.length;
  const expected = loadRules([linux]).rules.filter((r) => r.rule.severity === "critical" && r.rule.threat.some((t) => t.tactic.id === "TA0003")).length;
  assert.equal(picked, expected);
  assert.equal(v.stderr, `tern validate: ${expected} of ${loadRules([linux]).rules.length} rules selected\n`);
  const none = await runCli(["run", linux, "--name", "no such rule*", "--events", "-", "--state", ":memory:"], { stdin: "" });
  assert.deepEqual([none.code, none.stderr], [2, `tern run: 0 of ${loadRules([linux]).rules.length} rules selected\ntern run: no rule left to run; widen the selection\n`]);
});
