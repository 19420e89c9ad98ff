// `tern state …` and `tern alerts list` on a state file that does not exist: an input error (exit 2) that
// names the file, and nothing is created.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { runCli } from "../../testing/cli.js";

for (const [args, verb] of [[["state", "stats"], "state"], [["state", "terms", "some-rule"], "state"], [["alerts", "list"], "alerts"]] as const) {
  test(`tern ${args.join(" ")} without a state file exits 2 and names it`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tern-nostate-"));
    try {
      const db = join(dir, "none.db");
      const r = await runCli([...args, "--state", db]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, `tern ${verb}: no state at ${db}; give the --state your run used (tern run writes one)\n`);
      assert.equal(existsSync(db), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("state prune: bad date math in --before or --history is a usage error (exit 2) with the reason, before the state is touched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-prune-"));
  const state = join(dir, "s.db");
  const before = await runCli(["state", "prune", "--state", state, "--before", "garbage"]);
  assert.equal(before.code, 2);
  assert.equal(before.stderr, 'tern state prune: --before: invalid date "garbage": expected "now" with optional math (e.g. "now-9m") or an ISO 8601 date (e.g. "2024-01-31T12:00:00Z")\n');
  const history = await runCli(["state", "prune", "--state", state, "--history", "now-1x"]);
  assert.equal(history.code, 2);
  assert.equal(history.stderr, 'tern state prune: --history: expected a time unit (y, M, w, d, h, H, m, s, ms) after "-1" but found "x"\n');
  assert.equal(existsSync(state), false);
  rmSync(dir, { recursive: true, force: true });
});
