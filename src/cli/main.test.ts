import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { main } from "./main.js";
import type { CliContext } from "./context.js";
import { VERSION } from "../version.js";

function capture(): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on("data", (b: Buffer) => o.push(b));
  stderr.on("data", (b: Buffer) => e.push(b));
  const ctx: CliContext = { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd(), exitCode: 0 };
  return { ctx, out: () => Buffer.concat(o).toString(), err: () => Buffer.concat(e).toString() };
}

test("--version prints the version and exits 0", async () => {
  const c = capture();
  assert.equal(await main(["node", "tern", "--version"], c.ctx), 0);
  assert.equal(c.out(), `${VERSION}\n`);
});

test("an unknown command is a usage error: exit 2 with a message on stderr", async () => {
  const c = capture();
  assert.equal(await main(["node", "tern", "no-such-verb"], c.ctx), 2);
  assert.equal(c.err().split("\n")[0], "error: unknown command 'no-such-verb'");
});
