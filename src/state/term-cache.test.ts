// Tests of the bounded terms cache (src/state/term-cache.ts): never more than `capacity` entries, hits
// promote from the old generation, absence is cached as null, counters count.

import { test } from "node:test";
import assert from "node:assert/strict";
import { TermCache } from "./term-cache.js";

test("term cache: bounded, promotes old-generation hits, caches absence", () => {
  const c = new TermCache(4);
  const row = (n: number) => ({ first: n, last: n + 1, count: n + 2 });
  c.put("a", row(1));
  c.put("b", null);
  c.put("c", row(3)); // young {a,b} full: it becomes old, young {c}
  assert.deepEqual(c.get("a"), row(1)); // promoted: young {c,a}, old {b}
  assert.equal(c.get("b"), null);
  c.put("d", row(4));
  c.put("e", row(5));
  assert.ok(c.size <= 4);
  assert.equal(c.get("zzz"), undefined);
  assert.equal(c.peek("e")?.count, 7);
  for (let i = 0; i < 1000; i++) c.put(`k${i}`, row(i));
  // young {k999}, old {k997, k998}: the older ones are gone.
  assert.equal(c.size, 3);
  assert.equal(c.peek("k996"), undefined);
  assert.deepEqual(c.peek("k997"), row(997));
  assert.deepEqual(c.get("k999"), row(999));
  assert.equal(c.get("a"), undefined);
  assert.deepEqual({ hits: c.hits, misses: c.misses }, { hits: 3, misses: 2 });
  c.clear();
  assert.equal(c.size, 0);
  const off = new TermCache(0);
  off.put("a", row(1));
  assert.equal(off.get("a"), undefined);
});
