// Tests for the TOML locator (key path → place): tables, arrays of tables, nested arrays, inline tables,
// string content offsets for each string kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TomlLocator, pathKey } from "./locate.js";

const TEXT = [
  "[rule]", // 0
  'name = "x" # comment',
  "index = [",
  '  "a-*", # first',
  "  'b-*',",
  "]",
  "query = '''",
  "a:b'''",
  'basic = "q\\"x"',
  "n = 47",
  "[[rule.threat]]",
  'framework = "MITRE"',
  "[[rule.threat.technique]]",
  'id = "T1"',
  "[[rule.threat]]",
  'tactic = { id = "TA2", name = "N" }',
  '[rule."new.terms"]',
  "d = 1979-05-27 07:32:00Z",
].join("\n");

test("pathKey", () => {
  assert.equal(pathKey(["rule", "threat", 0, "technique", 1, "id"]), "rule.threat[0].technique[1].id");
});

test("finds keys and values by path", () => {
  const loc = new TomlLocator(TEXT);
  const slice = (p: (string | number)[], part: "key" | "value") => {
    const l = loc.get(p);
    assert.ok(l, pathKey(p));
    return part === "key" ? TEXT.slice(l.keyStart, l.keyEnd) : TEXT.slice(l.valueStart, l.valueEnd);
  };
  assert.equal(slice(["rule"], "key"), "[rule]");
  assert.equal(slice(["rule", "name"], "value"), '"x"');
  assert.equal(slice(["rule", "index", 1], "value"), "'b-*'");
  assert.equal(slice(["rule", "index"], "value"), "[\n  \"a-*\", # first\n  'b-*',\n]");
  assert.equal(slice(["rule", "n"], "value"), "47");
  assert.equal(slice(["rule", "threat", 0, "framework"], "value"), '"MITRE"');
  assert.equal(slice(["rule", "threat", 0, "technique", 0, "id"], "value"), '"T1"');
  assert.equal(slice(["rule", "threat", 1], "key"), "[[rule.threat]]");
  assert.equal(slice(["rule", "threat", 1, "tactic", "name"], "value"), '"N"');
  assert.equal(slice(["rule", "new.terms", "d"], "value"), "1979-05-27 07:32:00Z");
  assert.equal(loc.get(["rule", "nope"]), undefined);
});

test("string content offsets: ''' drops the newline after the delimiter; escapes are flagged", () => {
  const loc = new TomlLocator(TEXT);
  const q = loc.get(["rule", "query"])?.string;
  assert.ok(q);
  assert.equal(q.kind, "ml-literal");
  assert.equal(TEXT.slice(q.contentStart, q.contentEnd), "a:b");
  assert.equal(q.hasEscapes, false);
  const b = loc.get(["rule", "basic"])?.string;
  assert.ok(b);
  assert.equal(b.kind, "basic");
  assert.equal(b.hasEscapes, true);
});
