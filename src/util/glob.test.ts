// Tests for the small file glob (src/util/glob.ts): segment matching and directory expansion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandGlob, hasGlobMeta, matchSegment } from "./glob.js";

test("matchSegment: literals, * and ?", () => {
  assert.equal(matchSegment("a.ndjson", "a.ndjson"), true);
  assert.equal(matchSegment("a.ndjson", "b.ndjson"), false);
  assert.equal(matchSegment("*.ndjson", "day1.ndjson"), true);
  assert.equal(matchSegment("*.ndjson", "day1.ndjson.gz"), false);
  assert.equal(matchSegment("*.ndjson*", "day1.ndjson.gz"), true);
  assert.equal(matchSegment("day?.ndjson", "day1.ndjson"), true);
  assert.equal(matchSegment("day?.ndjson", "day10.ndjson"), false);
  assert.equal(matchSegment("*", ""), true);
  assert.equal(matchSegment("a*b*c", "abc"), true);
  assert.equal(matchSegment("a*b*c", "aXbYbZc"), true);
  assert.equal(matchSegment("a*b*c", "acb"), false);
  assert.equal(matchSegment("ab*ba", "aba"), false);
  assert.equal(matchSegment("*?x", "x"), false);
  assert.equal(matchSegment("*?x", "ax"), true);
});

test("matchSegment: pathological patterns do bounded work per character (no backtracking)", () => {
  // Each text ends as its pattern does, so the cheap first/last checks pass and the middle search runs.
  for (const [pattern, perChar] of [["*a*a*a*a*a*a*a*a*a*a*b*c", 1], ["*a?*a?*a?*b?*c", 2], ["*?a*?a*?b*c", 2]] as const) {
    for (const n of [5_000, 50_000]) {
      const counter = { steps: 0 };
      assert.equal(matchSegment(pattern, "a".repeat(n) + "c", counter), false);
      assert.ok(counter.steps >= n && counter.steps <= perChar * (n + 1), `${pattern}: ${counter.steps} steps on ${n + 1} characters`);
    }
  }
});

test("hasGlobMeta", () => {
  assert.equal(hasGlobMeta("logs/*.ndjson"), true);
  assert.equal(hasGlobMeta("logs/a?.ndjson"), true);
  assert.equal(hasGlobMeta("logs/a.ndjson"), false);
});

test("expandGlob: *, ** and hidden entries, sorted", () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-glob-"));
  mkdirSync(join(dir, "logs", "sub", "deeper"), { recursive: true });
  mkdirSync(join(dir, "logs", ".hidden"));
  for (const f of ["logs/b.ndjson", "logs/a.ndjson", "logs/c.txt", "logs/sub/x.ndjson", "logs/sub/deeper/y.ndjson", "logs/.hidden/z.ndjson", "logs/.dot.ndjson"]) {
    writeFileSync(join(dir, f), "{}\n");
  }
  assert.deepEqual(expandGlob(join(dir, "logs", "*.ndjson")), [join(dir, "logs/a.ndjson"), join(dir, "logs/b.ndjson")]);
  assert.deepEqual(expandGlob(join(dir, "logs", "**", "*.ndjson")), [
    join(dir, "logs/a.ndjson"),
    join(dir, "logs/b.ndjson"),
    join(dir, "logs/sub/deeper/y.ndjson"),
    join(dir, "logs/sub/x.ndjson"),
  ]);
  assert.deepEqual(expandGlob(join(dir, "logs", ".*.ndjson")), [join(dir, "logs/.dot.ndjson")]);
  assert.deepEqual(expandGlob(join(dir, "l?gs", "s*", "x.ndjson")), [join(dir, "logs/sub/x.ndjson")]);
  assert.deepEqual(expandGlob(join(dir, "nope", "*.ndjson")), []);
});
