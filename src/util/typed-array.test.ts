import { test } from "node:test";
import assert from "node:assert/strict";
import { enlarged } from "./typed-array.js";

test("enlarged keeps the type and the values, zero after them", () => {
  const f = enlarged(Float64Array.of(1.5, -2), 4);
  assert.ok(f instanceof Float64Array);
  assert.deepEqual([...f], [1.5, -2, 0, 0]);
  const u = enlarged(Uint32Array.of(7, 4_000_000_000), 3);
  assert.ok(u instanceof Uint32Array);
  assert.deepEqual([...u], [7, 4_000_000_000, 0]);
});
