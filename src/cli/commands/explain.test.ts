import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { main } from "../main.js";
import type { CliContext } from "../context.js";
import { CODES } from "../../diag/codes.js";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on("data", (b: Buffer) => o.push(b));
  stderr.on("data", (b: Buffer) => e.push(b));
  const ctx: CliContext = { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd(), exitCode: 0 };
  const code = await main(["node", "tern", ...args], ctx);
  return { code, out: Buffer.concat(o).toString(), err: Buffer.concat(e).toString() };
}

test("tern explain CODE prints the code's severity, title and description", async () => {
  const r = await cli("explain", "kql001");
  assert.equal(r.code, 0);
  assert.equal(r.out, `KQL001 (error): KQL syntax error\n\n${CODES.KQL001.description}\n`);
});

test("tern explain lists every code; --json gives the catalogue as data", async () => {
  const list = await cli("explain");
  assert.equal(list.out.trim().split("\n").length, Object.keys(CODES).length);
  assert.equal(list.out.split("\n")[0], "TOML001  error    TOML syntax error");
  const json = await cli("explain", "--json");
  const rows = JSON.parse(json.out) as { code: string }[];
  assert.deepEqual(rows.map((r) => r.code), Object.keys(CODES));
});

test("an unknown code is a usage error", async () => {
  const r = await cli("explain", "XYZ999");
  assert.equal(r.code, 2);
  assert.equal(r.err, 'tern explain: unknown code "XYZ999" (tern explain lists them all)\n');
});

test("every code in the catalogue has a title and a description ending with a period", () => {
  for (const [code, info] of Object.entries(CODES)) {
    assert.match(code, /^(TOML|RULE|KQL|SRC|STATE|CLI)\d{3}$/, code);
    assert.ok(info.title.length > 0, code);
    assert.match(info.description, /\.$/, `${code}: ${info.description}`);
  }
});
