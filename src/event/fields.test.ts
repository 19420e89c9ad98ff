import { test } from "node:test";
import assert from "node:assert/strict";
import { getValues, fieldAccessor } from "./fields.js";

test("dotted keys and nested objects name the same field", () => {
  assert.deepEqual(getValues({ a: { b: { c: 1 } } }, "a.b.c"), [1]);
  assert.deepEqual(getValues({ "a.b": { c: 2 } }, "a.b.c"), [2]);
  assert.deepEqual(getValues({ a: { "b.c": 3 } }, "a.b.c"), [3]);
  assert.deepEqual(getValues({ "a.b.c": 4 }, "a.b.c"), [4]);
  assert.deepEqual(getValues({ "a.b.c": 4, a: { b: { c: 5 } } }, "a.b.c"), [5, 4]);
});

test("arrays flatten at any level and nulls contribute nothing", () => {
  assert.deepEqual(getValues({ a: [{ b: [1, 2] }, { b: 3 }, null, { b: null }] }, "a.b"), [1, 2, 3]);
  assert.deepEqual(getValues({ a: null }, "a"), []);
  assert.deepEqual(getValues({}, "a"), []);
  assert.deepEqual(getValues({ a: "x" }, "a.b"), []);
});

test("a compiled accessor gives the same values", () => {
  const get = fieldAccessor("process.name");
  assert.deepEqual(get({ process: { name: ["bash", "sh"] } }), ["bash", "sh"]);
});
