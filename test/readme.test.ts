// The README's promises, run: its library example (imported as the package "tern", through the package's own
// exports) prints the 6 example alerts, and its main-job command line is the one documented here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../src/testing/paths.js";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

function codeBlocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

test("the library example runs against the built package and finds the 6 example alerts", () => {
  const [example] = codeBlocks("js");
  assert.ok(example.includes('from "tern"'));
  // A file inside the package resolves "tern" to the package itself (self-reference through "exports").
  const file = join(REPO_ROOT, `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, example);
  try {
    const r = spawnSync(process.execPath, [file], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    const [count, ...rest] = r.stdout.trim().split(" ");
    assert.equal(count, "6");
    const terms = JSON.parse(rest.join(" ")) as unknown;
    assert.deepEqual(terms, [
      ["/usr/lib/x86_64-linux-gnu/libacme-plugin.so", "gcc"],
      ["/usr/lib/x86_64-linux-gnu/libacme-metrics.so", "ld"],
      ["/dev/shm/.cache/libutil.so", "curl"],
      ["/usr/lib/x86_64-linux-gnu/libhook.so", "mv"],
      ["/dev/shm/libx.so", "python3"],
      ["/usr/lib/x86_64-linux-gnu/libacme-exporter.so", "ld"],
    ]);
  } finally {
    rmSync(file, { force: true });
  }
});

test("the README's main-job command runs the example and lists its 6 alerts; a second run creates none", () => {
  const [main, tests] = codeBlocks("sh");
  assert.equal(
    main.trim(),
    "npm ci && node bin/tern.js run examples/rules --events examples/events --state .tern/example.db > alerts.ndjson && node bin/tern.js alerts list --state .tern/example.db",
  );
  assert.equal(tests.trim(), "bash scripts/setup-system.sh && npm ci && npm test");
  assert.ok(readFileSync(join(REPO_ROOT, ".ci", "run"), "utf8").split("\n").includes(tests.trim()), ".ci/run runs the README's test command");
  // Run the part after `npm ci` in a scratch directory (same command, paths made absolute).
  const dir = mkdtempSync(join(tmpdir(), "tern-readme-"));
  try {
    const cli = join(REPO_ROOT, "bin", "tern.js");
    const db = join(dir, "example.db");
    const run = () =>
      spawnSync(process.execPath, [cli, "run", join(REPO_ROOT, "examples/rules"), "--events", join(REPO_ROOT, "examples/events"), "--state", db], { encoding: "utf8" });
    const first = run();
    assert.equal(first.status, 0);
    assert.equal(first.stdout.trim().split("\n").length, 6);
    const second = run();
    assert.equal(second.status, 0);
    assert.equal(second.stdout, "");
    // and says why, in one line: the first run's executions covered every event
    assert.match(second.stderr, / 0 alerts, 13 matched, 13 usable, 0 in an execution's window — none of its events fell inside an execution's window/);
    // the README's report command, on this state
    const report = codeBlocks("sh").find((b) => b.startsWith("node bin/tern.js report "));
    assert.equal(report?.trim(), 'node bin/tern.js report .tern/example.db -o report.html --title "tern backtest: the example data"');
    const html = join(dir, "report.html");
    const made = spawnSync(process.execPath, [cli, "report", db, "-o", html, "--title", "tern backtest: the example data"], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    assert.match(readFileSync(html, "utf8"), /<title>tern backtest: the example data<\/title>/);
    const list = spawnSync(process.execPath, [cli, "alerts", "list", "--state", db], { encoding: "utf8" });
    assert.equal(list.status, 0);
    const rows = list.stdout.trim().split("\n");
    assert.equal(rows.length, 7);
    assert.match(rows[0], /^TIME\s+RULE\s+SEVERITY\s+HOST\s+PROCESS\s+FILE\s+NEW TERMS$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
