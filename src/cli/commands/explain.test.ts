import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../testing/cli.js";
import { CODES } from "../../diag/codes.js";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
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
    assert.match(code, /^(TOML|RULE|KQL|EQL|EXC|SRC|SNK|STATE|CLI)\d{3}$/, code);
    assert.ok(info.title.length > 0, code);
    assert.match(info.description, /\.$/, `${code}: ${info.description}`);
  }
});
