// Tests of the in-memory terms index (src/state/term-index.ts) and of the store around it
// (src/state/sqlite.ts): insert, lookup, merge, growth, agreement with a Map model, rollback
// invalidation, loading from an existing file, and writes by another connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { TermIndex } from "./term-index.js";
import { SqliteStore } from "./sqlite.js";
import { hash32, hash53, hash53x, lastHash32 } from "./hash.js";

const row = (idx: TermIndex, slot: number) => (slot < 0 ? undefined : { first: idx.first(slot), last: idx.last(slot), count: idx.count(slot) });

test("term index: insert, lookup, merge min/max/sum, keys differing in one hash only", () => {
  const idx = new TermIndex();
  assert.deepEqual(idx.capacity, { slots: 16, entries: 16 });
  idx.merge(7, 1, 100, 200, 1);
  assert.deepEqual(row(idx, idx.find(7, 1)), { first: 100, last: 200, count: 1 });
  assert.equal(idx.find(7, 2), -1); // same hash53, other second hash: another combination
  assert.equal(idx.find(8, 1), -1);
  idx.merge(7, 2, 5, 5, 3);
  idx.merge(7, 1, 50, 150, 2);
  idx.merge(7, 1, 120, 300, 4);
  assert.deepEqual(row(idx, idx.find(7, 1)), { first: 50, last: 300, count: 7 });
  assert.deepEqual(row(idx, idx.find(7, 2)), { first: 5, last: 5, count: 3 });
  // hash53 0 and the largest 53-bit value are ordinary keys (only -1 marks an empty slot).
  idx.merge(0, 0, 1, 1, 1);
  idx.merge(2 ** 53 - 1, 0xffffffff, 2, 2, 2);
  assert.deepEqual(row(idx, idx.find(0, 0)), { first: 1, last: 1, count: 1 });
  assert.deepEqual(row(idx, idx.find(2 ** 53 - 1, 0xffffffff)), { first: 2, last: 2, count: 2 });
  assert.equal(idx.size, 4);
});

test("term index: table doubles at load 0.7, entry room grows by half, every entry kept", () => {
  const idx = new TermIndex();
  const slots: number[] = [];
  const entries: number[] = [];
  for (let i = 0; i < 1000; i++) {
    idx.merge(hash53(`k${i}`), hash32(`k${i}`, 9), i, i + 1, 1);
    if (slots.at(-1) !== idx.capacity.slots) slots.push(idx.capacity.slots);
    if (entries.at(-1) !== idx.capacity.entries) entries.push(idx.capacity.entries);
  }
  assert.deepEqual(slots, [16, 32, 64, 128, 256, 512, 1024, 2048]); // the 12th entry: 12 > 16 * 0.7
  assert.deepEqual(entries, [16, 24, 36, 54, 81, 122, 183, 275, 413, 620, 930, 1395]);
  assert.equal(idx.size, 1000);
  assert.equal(idx.bytes, 2048 * 4 + 1395 * 36);
  for (let i = 0; i < 1000; i++) assert.deepEqual(row(idx, idx.find(hash53(`k${i}`), hash32(`k${i}`, 9))), { first: i, last: i + 1, count: 1 });
  assert.equal(idx.find(hash53("k1000"), hash32("k1000", 9)), -1);
  // Sized for n entries, a built index has a tenth more entry room and a table at load 0.5: about 48 MB for 1 M.
  assert.deepEqual(new TermIndex(1_000_000).capacity, { slots: 2_000_000, entries: 1_100_000 });
  assert.equal(new TermIndex(1_000_000).bytes, 47_600_000);
});

test("term index: agrees with a Map model for any sequence of merges (colliding slots included)", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 5 })), { maxLength: 200 }), (ops) => {
      const idx = new TermIndex();
      const model = new Map<string, { first: number; last: number; count: number }>();
      for (const [k, k2, t, c] of ops) {
        // Few distinct hash53 values, all in a few slots: long probe runs and wrap-around.
        const h = k * 2 ** 40;
        idx.merge(h, k2, t, t, c);
        const m = model.get(`${h}/${k2}`);
        model.set(`${h}/${k2}`, m === undefined ? { first: t, last: t, count: c } : { first: Math.min(m.first, t), last: Math.max(m.last, t), count: m.count + c });
      }
      assert.equal(idx.size, model.size);
      for (let k = 0; k <= 40; k++) for (let k2 = 0; k2 <= 3; k2++) assert.deepEqual(row(idx, idx.find(k * 2 ** 40, k2)), model.get(`${k * 2 ** 40}/${k2}`));
    }),
  );
});

test("store index: built from an existing file, written through, dropped by rollback, refreshed after another connection writes", () => {
  const path = join(mkdtempSync(join(tmpdir(), "tern-index-")), "s.db");
  const F = '["f"]';
  const a = SqliteStore.open(path);
  a.transaction(() => {
    for (let i = 0; i < 300; i++) a.upsertTerm("r", F, { key: JSON.stringify([`v${i}`]), first: i, last: i + 10, count: i + 1 });
  });
  assert.deepEqual(a.termIndexStats(), { sets: 0, entries: 0, bytes: 0, buildMs: 0 }); // writes alone build nothing
  a.close();

  const s = SqliteStore.open(path, { indexAfterLookups: 0 });
  assert.deepEqual(s.getTerm("r", F, '["v299"]'), { key: '["v299"]', first: 299, last: 309, count: 300 });
  const st = s.termIndexStats();
  assert.deepEqual({ sets: st.sets, entries: st.entries, bytes: st.bytes }, { sets: 1, entries: 300, bytes: 600 * 4 + 330 * 36 });
  const got = s.getTerms("r", F, Array.from({ length: 301 }, (_, i) => JSON.stringify([`v${i}`])));
  assert.equal(got.size, 300);
  assert.deepEqual(got.get('["v7"]'), { key: '["v7"]', first: 7, last: 17, count: 8 });
  // Write-through: a new combination and a merge are seen without a rebuild.
  s.upsertTerm("r", F, { key: '["new"]', first: 1000, last: 1000, count: 1 });
  s.upsertTerm("r", F, { key: '["v7"]', first: 3, last: 50, count: 2 });
  assert.deepEqual(s.getTerm("r", F, '["new"]'), { key: '["new"]', first: 1000, last: 1000, count: 1 });
  assert.deepEqual(s.getTerm("r", F, '["v7"]'), { key: '["v7"]', first: 3, last: 50, count: 10 });
  assert.equal(s.termIndexStats().entries, 301);
  // A rollback drops the index; the next lookup rebuilds it from what SQLite kept.
  assert.throws(
    () =>
      s.transaction(() => {
        s.upsertTerm("r", F, { key: '["ghost"]', first: 1, last: 1, count: 1 });
        s.upsertTerm("r", F, { key: '["v7"]', first: 0, last: 99, count: 5 });
        assert.deepEqual(s.getTerm("r", F, '["ghost"]'), { key: '["ghost"]', first: 1, last: 1, count: 1 });
        throw new Error("boom");
      }),
    /boom/,
  );
  assert.equal(s.termIndexStats().sets, 0);
  assert.equal(s.getTerm("r", F, '["ghost"]'), undefined);
  assert.deepEqual(s.getTerm("r", F, '["v7"]'), { key: '["v7"]', first: 3, last: 50, count: 10 });
  // A rolled-back read (nested in a write transaction as a savepoint) drops it too.
  s.transaction(() => {
    assert.throws(() =>
      s.read(() => {
        s.upsertTerm("r", F, { key: '["nested"]', first: 1, last: 1, count: 1 });
        throw new Error("inner");
      }),
    /inner/);
  });
  assert.equal(s.getTerm("r", F, '["nested"]'), undefined);
  // Another connection's commit is noticed at the next getTerms or read (PRAGMA data_version).
  const other = SqliteStore.open(path, { termIndex: false });
  other.upsertTerm("r", F, { key: '["elsewhere"]', first: 5, last: 6, count: 1 });
  assert.equal(other.getTerm("r", F, '["elsewhere"]')?.count, 1);
  other.close();
  assert.deepEqual(s.getTerms("r", F, ['["elsewhere"]']).get('["elsewhere"]'), { key: '["elsewhere"]', first: 5, last: 6, count: 1 });
  // The SQLite path (termIndex: false) answers the same.
  const plain = SqliteStore.open(path, { termIndex: false });
  assert.deepEqual(plain.getTerms("r", F, ['["v7"]', '["new"]', '["ghost"]']), s.getTerms("r", F, ['["v7"]', '["new"]', '["ghost"]']));
  assert.deepEqual(plain.termIndexStats(), { sets: 0, entries: 0, bytes: 0, buildMs: 0 });
  plain.close();
  s.close();
});

test("hash53x: hash53 and hash32 in one pass, same values", () => {
  for (const text of ["", "a", '["/usr/lib/libc.so.6","proc-1"]', "é\u{1F600}x".repeat(20)]) {
    for (const seed of [0, 1, 0xffffffff, 0x9e3779b9]) {
      assert.equal(hash53x(text, seed), hash53(text));
      assert.equal(lastHash32, hash32(text, seed));
    }
  }
  assert.equal(hash32("abc", 1) === hash32("abc", 2), false);
  assert.equal(hash32("", 0), 0);
});

test("store index: the first lookups of a set go to SQLite, the index is built once they reach indexAfterLookups", () => {
  const s = SqliteStore.open(":memory:", { indexAfterLookups: 3 });
  const F = '["f"]';
  s.transaction(() => {
    for (let i = 0; i < 10; i++) s.upsertTerm("r", F, { key: JSON.stringify([i]), first: i, last: i, count: 1 });
  });
  assert.deepEqual(s.getTerm("r", F, "[1]"), { key: "[1]", first: 1, last: 1, count: 1 });
  assert.equal(s.getTerm("r", F, "[99]"), undefined);
  s.upsertTerm("r", F, { key: "[1]", first: 0, last: 5, count: 1 }); // no index yet: SQLite only
  assert.deepEqual(s.getTerm("r", F, "[1]"), { key: "[1]", first: 0, last: 5, count: 2 });
  assert.equal(s.termIndexStats().sets, 0);
  // The fourth lookup builds it from the table, which already holds the merge above.
  assert.deepEqual(s.getTerms("r", F, ["[1]", "[2]", "[99]"]), new Map([["[1]", { key: "[1]", first: 0, last: 5, count: 2 }], ["[2]", { key: "[2]", first: 2, last: 2, count: 1 }]]));
  assert.deepEqual({ sets: s.termIndexStats().sets, entries: s.termIndexStats().entries }, { sets: 1, entries: 10 });
  // With the default, a few lookups never build it.
  const d = SqliteStore.open(":memory:");
  d.upsertTerm("r", F, { key: "[1]", first: 1, last: 1, count: 1 });
  assert.equal(d.getTerms("r", F, ["[1]", "[2]"]).size, 1);
  assert.equal(d.termIndexStats().sets, 0);
  d.close();
  s.close();
});
