// compileEqlQuery: the parse and compile a rule's load and run share.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EqlSyntaxError } from "../../lang/eql/index.js";
import { compileEqlQuery } from "./statement.js";

test("compileEqlQuery compiles a query text once per category field, and a failing one every time", () => {
  const q = 'process where process.name == "curl"';
  const a = compileEqlQuery(q);
  assert.equal(compileEqlQuery(q), a);
  assert.equal(compileEqlQuery(q, "event.category"), a);
  const other = compileEqlQuery(q, "my.category");
  assert.notEqual(other, a);
  const doc = { event: { category: "process" }, my: { category: "file" }, process: { name: "curl" } };
  assert.deepEqual([a.relevant(doc), other.relevant(doc)], [true, false]);
  for (let i = 0; i < 2; i++) assert.throws(() => compileEqlQuery("process where ("), EqlSyntaxError);
});
