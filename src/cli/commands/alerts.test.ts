// `tern alerts list`: building-block alerts (a sequence's per-event alerts, rules with building_block_type)
// are left out unless --building-blocks, as Kibana's alerts table leaves them out; stderr says how many.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../state/index.js";
import { captureCli, runCli } from "../../testing/cli.js";
import { main } from "../main.js";

test("alerts list hides building-block alerts unless --building-blocks, and says how many it hid", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-alerts-"));
  try {
    const state = join(d, "s.db");
    const s = SqliteStore.open(state);
    const row = { ruleId: "r", ruleName: "R", createdAt: 6, severity: "low", host: "h", process: "bash", file: null, newTerms: null };
    s.insertAlert({ ...row, id: "shell", eventTime: 5, doc: JSON.stringify({ "kibana.alert.uuid": "shell" }) });
    s.insertAlert({ ...row, id: "block1", eventTime: 3, doc: JSON.stringify({ "kibana.alert.uuid": "block1", "kibana.alert.building_block_type": "default" }) });
    s.insertAlert({ ...row, id: "block2", eventTime: 4, doc: JSON.stringify({ "kibana.alert.uuid": "block2", "kibana.alert.building_block_type": "default" }) });
    s.close();
    const plain = await runCli(["alerts", "list", "--state", state, "--json"]);
    assert.deepEqual([plain.code, plain.stdout, plain.stderr], [0, '{"kibana.alert.uuid":"shell"}\n', "tern alerts: 2 building-block alerts not shown (--building-blocks shows them)\n"]);
    const all = await runCli(["alerts", "list", "--state", state, "--json", "--building-blocks"]);
    assert.deepEqual(
      all.stdout.trim().split("\n").map((l) => (JSON.parse(l) as Record<string, string>)["kibana.alert.uuid"]),
      ["block1", "block2", "shell"],
    );
    assert.equal(all.stderr, "");
    // --limit counts shown alerts only
    const one = await runCli(["alerts", "list", "--state", state, "--json", "--limit", "1"]);
    assert.equal(one.stdout, '{"kibana.alert.uuid":"shell"}\n');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("alerts list: --rule takes a name (any case), rule_id or uuid, an unknown one is exit 2; --format json, ndjson, csv; severities coloured only on a terminal", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-alerts-"));
  try {
    const state = join(d, "s.db");
    const s = SqliteStore.open(state);
    const base = { createdAt: 9, host: "h1", process: "/usr/bin/curl", file: null, newTerms: null };
    s.insertAlert({ ...base, id: "a1", ruleId: "rid-1", ruleName: "Curl, \"quoted\"", severity: "high", eventTime: 1, doc: JSON.stringify({ "kibana.alert.uuid": "a1", "kibana.alert.rule.uuid": "uuid-1" }) });
    s.insertAlert({ ...base, id: "a2", ruleId: "rid-2", ruleName: "Other", severity: "low", eventTime: 2, newTerms: JSON.stringify(["x", 1]), doc: JSON.stringify({ "kibana.alert.uuid": "a2", "kibana.alert.rule.uuid": "uuid-2" }) });
    s.close();
    const ids = async (...args: string[]) => (await runCli(["alerts", "list", "--state", state, "--json", ...args])).stdout.trim().split("\n").map((l) => (JSON.parse(l) as Record<string, string>)["kibana.alert.uuid"]);
    assert.deepEqual(await ids("--rule", "rid-2"), ["a2"]);
    assert.deepEqual(await ids("--rule", "curl, \"QUOTED\""), ["a1"]);
    assert.deepEqual(await ids("--rule", "uuid-1"), ["a1"]);
    const unknown = await runCli(["alerts", "list", "--state", state, "--rule", "nope"]);
    assert.deepEqual([unknown.code, unknown.stdout, unknown.stderr], [2, "", `tern alerts: no rule named or with the rule_id or uuid "nope" in ${state}; tern state stats lists its rules\n`]);
    const json = await runCli(["alerts", "list", "--state", state, "--format", "json"]);
    assert.deepEqual(JSON.parse(json.stdout), [{ "kibana.alert.uuid": "a1", "kibana.alert.rule.uuid": "uuid-1" }, { "kibana.alert.uuid": "a2", "kibana.alert.rule.uuid": "uuid-2" }]);
    const csv = await runCli(["alerts", "list", "--state", state, "--format", "csv"]);
    assert.equal(
      csv.stdout,
      'TIME,RULE,SEVERITY,HOST,PROCESS,FILE,NEW TERMS\r\n1970-01-01T00:00:00.001Z,"Curl, ""quoted""",high,h1,/usr/bin/curl,-,-\r\n1970-01-01T00:00:00.002Z,Other,low,h1,/usr/bin/curl,-,"x, 1"\r\n',
    );
    const plain = await runCli(["alerts", "list", "--state", state]);
    assert.equal(plain.stdout.includes("\x1b["), false);
    const c = captureCli();
    (c.ctx.stdout as { isTTY?: boolean }).isTTY = true;
    // A terminal that takes colour, whatever the environment running the tests says.
    const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
    delete process.env.NO_COLOR;
    process.env.TERM = "xterm-256color";
    try {
      assert.equal(await main(["node", "tern", "alerts", "list", "--state", state], c.ctx), 0);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const lines = c.out().split("\n");
    assert.equal(lines[1], `1970-01-01T00:00:00.001Z  Curl, "quoted"  \x1b[38;5;208mhigh\x1b[0m      h1    /usr/bin/curl  -     -`);
    assert.equal(lines[2], `1970-01-01T00:00:00.002Z  Other           \x1b[32mlow\x1b[0m       h1    /usr/bin/curl  -     x, 1`);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
