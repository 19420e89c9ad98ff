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

// V8 compiles a regex when it first runs: a value of 16,380 "<=" followed by one that must end a value
// made a regex V8 called too large, and the prefilter threw on the first line it tested.
test("a needle V8 would find too large for a regex is searched with indexOf", () => {
  const long = "<=".repeat(16_380);
  const q = `a:"aws" and b:"bedrock" and c:"agent" and d:"success" and e:("${long}IAMUser" or "Root")`;
  const pre = kqlPrefilter(parseKql(q));
  const line = (e: string) => Buffer.from(JSON.stringify({ a: "aws", b: "bedrock", c: "agent", d: "success", e }));
  assert.deepEqual([pre(line(`${long}IAMUser`)), pre(line("Root")), pre(line("Other"))], [true, true, false]);
});
