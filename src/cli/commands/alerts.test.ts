// `tern alerts list`: building-block alerts (a sequence's per-event alerts, rules with building_block_type)
// are left out unless --building-blocks, as Kibana's alerts table leaves them out; stderr says how many.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../state/index.js";
import { runCli } from "../../testing/cli.js";

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
