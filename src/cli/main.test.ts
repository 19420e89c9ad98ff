import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../testing/cli.js";
import { VERSION } from "../version.js";

test("--version prints the version and exits 0", async () => {
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${VERSION}\n`);
});

test("an unknown command is a usage error: exit 2 with a message on stderr", async () => {
  const r = await runCli(["no-such-verb"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.split("\n")[0], "error: unknown command 'no-such-verb'");
});
