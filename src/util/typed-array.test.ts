import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { COLUMN_CHUNK_BITS, NumberColumn, enlarged } from "./typed-array.js";

test("enlarged keeps the type and the values, zero after them", () => {
  const f = enlarged(Float64Array.of(1.5, -2), 4);
  assert.ok(f instanceof Float64Array);
  assert.deepEqual([...f], [1.5, -2, 0, 0]);
  const u = enlarged(Uint32Array.of(7, 4_000_000_000), 3);
  assert.ok(u instanceof Uint32Array);
  assert.deepEqual([...u], [7, 4_000_000_000, 0]);
});

test("a NumberColumn holds what was pushed across chunk boundaries, and never more than one chunk of slack", () => {
  const col = new NumberColumn(3);
  const rows = 3 * (1 << COLUMN_CHUNK_BITS) + 5;
  for (let i = 0; i < rows; i++) col.push(i * 1.5 - 7);
  assert.equal(col.length, rows);
  for (let i = 0; i < rows; i++) if (col.get(i) !== i * 1.5 - 7) assert.fail(`row ${i}: ${col.get(i)}`);
  // three full chunks and a fourth one
  assert.equal(col.bytes, 4 * (1 << COLUMN_CHUNK_BITS) * 8);
});

test("a NumberColumn's first chunk starts small and doubles up to a chunk", () => {
  const col = new NumberColumn(3);
  assert.equal(col.bytes, 0);
  col.push(1);
  assert.equal(col.bytes, 3 * 8);
  for (let i = 0; i < 3; i++) col.push(2);
  assert.equal(col.bytes, 6 * 8);
  for (let i = 4; i < (1 << COLUMN_CHUNK_BITS) + 1; i++) col.push(i);
  assert.equal(col.bytes, 2 * (1 << COLUMN_CHUNK_BITS) * 8);
  assert.deepEqual([col.get(0), col.get(1), col.get(3), col.get(4), col.get(1 << COLUMN_CHUNK_BITS)], [1, 2, 2, 4, 1 << COLUMN_CHUNK_BITS]);
});

test("a NumberColumn matches an array under any sequence of pushes", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.double({ noNaN: true }), { maxLength: 9000 }), (initial, values) => {
      const col = new NumberColumn(initial);
      for (const v of values) col.push(v);
      assert.equal(col.length, values.length);
      for (let i = 0; i < values.length; i++) assert.ok(Object.is(col.get(i), values[i]), `row ${i}`);
    }),
    { numRuns: 60 },
  );
});
