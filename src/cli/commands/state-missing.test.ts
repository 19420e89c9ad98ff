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
      assert.equal(r.stderr, `tern ${verb}: no state at ${db}\n`);
      assert.equal(existsSync(db), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
