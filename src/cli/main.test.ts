import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../testing/cli.js";
import { VERSION } from "../version.js";
import { positiveInteger } from "./options.js";

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

test("count options take a positive whole number only: anything else is a usage error (exit 2) naming the option", async () => {
  const cases: [string[], string, string][] = [
    [["alerts", "list"], "--limit <n>", "abc"],
    [["alerts", "list"], "--limit <n>", "-3"],
    [["state", "terms", "r"], "--limit <n>", "2x"],
    [["run", "rules"], "--max-line-bytes <n>", "0"],
    [["run", "rules"], "--poll-interval-ms <n>", "1e3"],
    [["run", "rules"], "--max-line-bytes <n>", "99999999999999999999"],
  ];
  for (const [verb, option, value] of cases) {
    const r = await runCli([...verb, option.split(" ")[0], value]);
    assert.equal(r.code, 2, `${option} ${value}`);
    assert.equal(r.stderr.split("\n")[0], `error: option '${option}' argument '${value}' is invalid. expected a positive whole number.`);
  }
  const ok = await runCli(["alerts", "list", "--limit", "10", "--state", "/nonexistent/x.db"]);
  assert.equal(ok.stderr, "tern alerts: no state at /nonexistent/x.db; give the --state your run used (tern run writes one)\n");
});

test("positiveInteger: digits only, at least 1, a safe integer", () => {
  assert.equal(positiveInteger("1"), 1);
  assert.equal(positiveInteger("16777216"), 16777216);
  for (const bad of ["0", "-1", "+1", "1.5", "1e3", " 1", "1 ", "", "0x10", "01", "9007199254740993"]) assert.throws(() => positiveInteger(bad), /expected a positive whole number/, bad);
});
