// The prefilter on pathological queries (found by the fuzz campaign, docs/fuzzing.md): very long values
// and thousands of values that are prefixes of one another. In its own file: the second query is 4.5 MB
// of text, which costs seconds in a process whose heap other tests have filled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseKql } from "../../lang/kql/index.js";
import { compileKql } from "../predicate/index.js";
import { kqlPrefilter } from "./index.js";

// The line scanner's regex was built by one recursive call per character of
// a needle, so a value of a few thousand characters overflowed the stack (`tern run` exited 70), and
// thousands of values that are prefixes of one another nest one regex group each.
test("a needle thousands of characters long, and thousands of needles that prefix each other, still give a sound prefilter", () => {
  const long = "(".repeat(5_000);
  const longQuery = `process.name:("a" or "b" or "c" or "d" or "e" or "${long}")`;
  const nested = `process.name:(${Array.from({ length: 3_000 }, (_, i) => "x".repeat(i + 1)).join(" or ")})`;
  for (const q of [longQuery, nested]) {
    const pre = kqlPrefilter(parseKql(q));
    const pred = compileKql(parseKql(q));
    for (const name of [long, "xxx", "x".repeat(3_000), "b", "y"]) {
      const doc = { process: { name } };
      const line = Buffer.from(JSON.stringify(doc));
      assert.equal(pre(line) || !pred(doc), true, `${q.slice(0, 40)}… on ${name.slice(0, 10)}`);
    }
    assert.deepEqual([pre(Buffer.from(`{"process":{"name":"${long}"}}`)), pre(Buffer.from('{"process":{"name":"y"}}'))], [q === longQuery, false]);
  }
});
