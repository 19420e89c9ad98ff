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

test("matchSegment: a pathological pattern stays fast (no exponential backtracking)", () => {
  const text = "a".repeat(5000);
  assert.equal(matchSegment("*a*a*a*a*a*a*a*a*a*a*b", text), false);
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
