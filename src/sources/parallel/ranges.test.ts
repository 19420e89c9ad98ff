// newlineRanges: ranges start at line starts, cover the file exactly once, in order, whatever N.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newlineRanges } from "./ranges.js";

function file(content: string): string {
  const p = join(mkdtempSync(join(tmpdir(), "tern-ranges-")), "f.ndjson");
  writeFileSync(p, content);
  return p;
}

test("ranges are cut after newlines and cover the file once, in order", () => {
  const p = file("aa\nbbbb\nc\ndddddd\ne\n");
  assert.deepEqual(newlineRanges(p, 2), [
    { start: 0, end: 10 },
    { start: 10, end: 19 },
  ]);
  assert.deepEqual(newlineRanges(p, 3, 2), [
    { start: 0, end: 8 },
    { start: 8, end: 17 },
    { start: 17, end: 19 },
  ]);
  assert.deepEqual(newlineRanges(p, 1), [{ start: 0, end: 19 }]);
});

test("more ranges than lines, a last line without newline, an empty file", () => {
  assert.deepEqual(newlineRanges(file("only one line"), 4), [{ start: 0, end: 13 }]);
  assert.deepEqual(newlineRanges(file("a\nb"), 4), [
    { start: 0, end: 2 },
    { start: 2, end: 3 },
  ]);
  assert.deepEqual(newlineRanges(file(""), 3), []);
});

test("every line is in exactly one range for many sizes and N", () => {
  for (let lines = 1; lines < 40; lines += 3) {
    const text = Array.from({ length: lines }, (_, i) => "x".repeat((i * 7) % 13)).join("\n") + "\n";
    const p = file(text);
    for (let n = 1; n <= 6; n++) {
      const rs = newlineRanges(p, n, 3);
      const buf = readFileSync(p);
      assert.equal(rs[0].start, 0);
      assert.equal(rs[rs.length - 1].end, buf.length);
      for (let i = 1; i < rs.length; i++) {
        assert.equal(rs[i].start, rs[i - 1].end);
        assert.equal(buf[rs[i].start - 1], 10);
      }
      const joined = rs.map((r) => buf.subarray(r.start, r.end).toString()).join("");
      assert.equal(joined, text);
    }
  }
});
