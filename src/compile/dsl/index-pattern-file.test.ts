// Unit tests for reading index-pattern JSON (src/compile/dsl/index-pattern-file.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DiagnosticError } from "../../diag/index.js";
import { parseIndexPattern } from "./index-pattern-file.js";

const msg = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostics.map((d) => `${d.code} ${d.span?.file ?? ""} ${d.message}`).join("|");
  }
  return "no error";
};

test("accepts {fields}, a bare array, a saved-object export and a name map", () => {
  const f = { name: "a", type: "string", esTypes: ["keyword"] };
  assert.deepEqual(parseIndexPattern(JSON.stringify({ title: "t", fields: [f] }), "x"), { title: "t", fields: [f] });
  assert.deepEqual(parseIndexPattern(JSON.stringify([f]), "x"), { fields: [f] });
  assert.deepEqual(parseIndexPattern(JSON.stringify({ attributes: { title: "dv", fields: JSON.stringify([f]) } }), "x"), {
    title: "dv",
    fields: [f],
  });
  assert.deepEqual(parseIndexPattern(JSON.stringify({ fields: { a: f } }), "x"), { fields: [f] });
});

test("keeps scripted, script, lang and subType; type defaults to empty", () => {
  const raw = { name: "s", scripted: true, script: "1", lang: "painless", subType: { nested: { path: "n" }, multi: { parent: "p" } } };
  assert.deepEqual(parseIndexPattern(JSON.stringify([raw]), "x"), { fields: [{ ...raw, type: "" }] });
});

test("rejects malformed input with KQL021 naming the file", () => {
  // The tail is V8's JSON.parse message, which differs between Node versions.
  assert.match(msg(() => parseIndexPattern("{", "f.json")), /^KQL021 f\.json not JSON: .*position 1/);
  assert.equal(msg(() => parseIndexPattern("{}", "f.json")), 'KQL021 f.json expected {"fields": [ … ]} or an array of fields');
  assert.equal(msg(() => parseIndexPattern('[{"type":"x"}]', "f.json")), "KQL021 f.json fields[0].name must be a non-empty string");
  assert.equal(msg(() => parseIndexPattern('[{"name":"a","scripted":"yes"}]', "f.json")), "KQL021 f.json fields[0].scripted must be a boolean");
  assert.equal(
    msg(() => parseIndexPattern('[{"name":"a","subType":{"nested":{}}}]', "f.json")),
    "KQL021 f.json fields[0].subType.nested.path must be a string",
  );
});
