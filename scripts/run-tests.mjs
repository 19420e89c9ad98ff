#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test runner.
// Node 20's --test does not expand globs, so the files are listed here.
// Every temporary file a test makes goes to one private directory (TMPDIR), removed when the run ends,
// so test runs leave nothing behind in the system's /tmp.
// Usage: node scripts/run-tests.mjs [substring filter...]
// Output: each failure with its source file:line, then one line of totals (scripts/test-reporter.mjs);
// the full TAP stream is written to dist/test-results.tap.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = walk("dist", []).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error("run-tests: no test files found under dist/ (did the build run?)");
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), "tern-tests-"));
let r;
try {
  // A person reads the short report (failures with their source file:line, then the totals); every line
  // of TAP goes to dist/test-results.tap.
  const reporter = fileURLToPath(new URL("./test-reporter.mjs", import.meta.url));
  const reporting = ["--test-reporter", reporter, "--test-reporter-destination", "stdout", "--test-reporter", "tap", "--test-reporter-destination", join("dist", "test-results.tap")];
  r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...reporting, ...files], { stdio: "inherit", env: { ...process.env, TMPDIR: tmp } });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(r.status ?? 1);
