// new_terms core (new_terms.md §3–§5, §8): combinations, key order, the new-term test, prior and stream sightings, max_signals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyMaxSignals, comboExtractor, compareTerm, MAX_TERM_COMBINATIONS_PER_EVENT, newTermsOfExecution, NewTermsMemory, priorSeen, streamSeen } from "./new-terms.js";
import { hit } from "../test-support.js";

test("combos: cartesian product in field order, distinct values, types kept; booleans 1/0 for one field only", () => {
  const doc = { a: ["x", "y", "x"], b: [1, "1", true], c: true, n: null };
  assert.deepEqual(comboExtractor(["a", "b"])(doc).map((c) => c.terms), [["x", 1], ["x", "1"], ["x", true], ["y", 1], ["y", "1"], ["y", true]]);
  assert.deepEqual(comboExtractor(["c"])(doc).map((c) => c.terms), [[1]]);
  assert.deepEqual(comboExtractor(["c", "a"])(doc).map((c) => c.key), ['[true,"x"]', '[true,"y"]']);
  assert.deepEqual(comboExtractor(["a", "n"])(doc), []);
  assert.deepEqual(comboExtractor(["a", "missing"])(doc), []);
  assert.deepEqual(comboExtractor(["a"])({ a: [] }), []);
});

test("compareTerm across types: numbers before booleans before strings, false before true", () => {
  assert.ok(compareTerm(5, true) < 0);
  assert.ok(compareTerm(true, 5) > 0);
  assert.ok(compareTerm(true, "a") < 0);
  assert.ok(compareTerm("a", false) > 0);
  assert.ok(compareTerm(false, true) < 0);
  assert.equal(compareTerm(true, true), 0);
});

test("memory: events added out of time order are sorted by time, ties kept in input order; each combination's times too", () => {
  const mem = new NewTermsMemory();
  const x = comboExtractor(["k"]);
  const add = (id: string, t: number, seq: number, k: string) => mem.add({ hit: hit("i", id, { k }), t, seq, combos: x({ k }) });
  add("a", 30, 0, "p");
  add("b", 10, 1, "q");
  add("c", 30, 2, "q");
  add("d", 20, 3, "p");
  add("e", 10, 4, "p");
  mem.seal();
  assert.deepEqual(mem.events.map((e) => e.hit._id), ["b", "e", "d", "a", "c"]);
  // "p" at 10, 20, 30: seen in [15, 25] (20), not in [21, 29]
  const p = x({ k: "p" })[0].key;
  assert.deepEqual([mem.seenIn(p, 15, 25), mem.seenIn(p, 21, 29), mem.seenIn(p, 30, 30), mem.seenIn(p, 31, 99)], [true, false, true, false]);
  assert.deepEqual(mem.range(10, 20), [0, 3]);
});

test("compareTerm: numbers numerically, strings by UTF-8 bytes (not UTF-16 units)", () => {
  assert.ok(compareTerm(2, 10) < 0);
  assert.ok(compareTerm("host-10", "host-2") < 0);
  // U+FF5E (3 UTF-8 bytes EF BD 9E) sorts before U+1F600 (F0 ...) in bytes, after it in UTF-16 units.
  assert.ok(compareTerm("\uff5e", "\u{1f600}") < 0);
  assert.ok(compareTerm(1, "1") < 0);
});

test("one field: alert order is doc count desc, then key asc; the earliest document is the basis", () => {
  const mem = new NewTermsMemory();
  const x = comboExtractor(["k"]);
  const evs = [
    ["b", 5],
    ["a", 6],
    ["c", 7],
    ["c", 8],
    ["old", 1],
    ["old", 9],
  ] as const;
  evs.forEach(([k, min], i) => {
    const h = hit("i", `e${i}`, { k });
    mem.add({ hit: h, t: min * 60_000, seq: i, combos: x(h._source) });
  });
  mem.seal();
  const out = newTermsOfExecution(mem, 1, 4 * 60_000, 10 * 60_000, 0, () => undefined);
  assert.deepEqual(out.map((c) => [c.combo.terms[0], c.basis.hit._id]), [["c", "e2"], ["a", "e1"], ["b", "e0"]]);
});

test("a term seen only at exactly `from` is not new; one seen before hws is new", () => {
  const mem = new NewTermsMemory();
  const x = comboExtractor(["k"]);
  const add = (id: string, k: string, t: number, seq: number) => mem.add({ hit: hit("i", id, { k }), t, seq, combos: x({ k }) });
  add("e0", "edge", 100, 0);
  add("e1", "edge", 150, 1);
  add("e2", "ancient", 10, 2);
  add("e3", "ancient", 150, 3);
  mem.seal();
  const out = newTermsOfExecution(mem, 1, 100, 200, 50, () => undefined);
  assert.deepEqual(out.map((c) => c.combo.terms), [["ancient"]]);
});

test("prior knowledge: exact when stored sightings are ≤ from; first sighting inside counts otherwise", () => {
  assert.equal(priorSeen({ first: 10, last: 60 }, 50, 100), true);
  assert.equal(priorSeen({ first: 10, last: 40 }, 50, 100), false);
  assert.equal(priorSeen({ first: 60, last: 150 }, 50, 100), true);
  assert.equal(priorSeen({ first: 10, last: 150 }, 50, 100), false);
});

test("prior knowledge: the history window is inclusive at its start, so a sighting exactly at hws is old", () => {
  // Kibana searches history with a range query `gte: history_window_start` (new_terms.md §0.3), so an
  // occurrence whose time equals hws lies inside the window and makes the term old; 1 ms earlier does not.
  assert.equal(priorSeen({ first: 10, last: 50 }, 50, 100), true);
  assert.equal(priorSeen({ first: 10, last: 49 }, 50, 100), false);
  assert.equal(priorSeen({ first: 50, last: 150 }, 50, 100), true);
  assert.equal(priorSeen({ first: 49, last: 150 }, 50, 100), false);
  // Through the execution: "edge" was last stored at exactly hws = 50 by an earlier run, "gone" 1 ms before;
  // both reappear in the window (100, 200]; only "gone" is new.
  const mem = new NewTermsMemory();
  const x = comboExtractor(["k"]);
  mem.add({ hit: hit("i", "e0", { k: "edge" }), t: 150, seq: 0, combos: x({ k: "edge" }) });
  mem.add({ hit: hit("i", "e1", { k: "gone" }), t: 160, seq: 1, combos: x({ k: "gone" }) });
  mem.seal();
  const priors = new Map<string, { first: number; last: number }>([
    [x({ k: "edge" })[0].key, { first: 5, last: 50 }],
    [x({ k: "gone" })[0].key, { first: 5, last: 49 }],
  ]);
  const out = newTermsOfExecution(mem, 1, 100, 200, 50, (k) => priors.get(k));
  assert.deepEqual(out.map((c) => c.combo.terms), [["gone"]]);
  // Stream mode applies the same window, [hws, t].
  assert.equal(streamSeen({ first: 10, last: 50 }, 100, 50), true);
  assert.equal(streamSeen({ first: 10, last: 49 }, 100, 50), false);
});

test("stream: seen iff an earlier sighting lies in [hws, t]; late events: a first sighting ≤ t counts", () => {
  assert.equal(streamSeen(undefined, 100, 0), false);
  assert.equal(streamSeen({ first: 10, last: 90 }, 100, 50), true);
  assert.equal(streamSeen({ first: 10, last: 40 }, 100, 50), false);
  assert.equal(streamSeen({ first: 100, last: 100 }, 100, 50), true);
  assert.equal(streamSeen({ first: 20, last: 300 }, 100, 50), true);
  assert.equal(streamSeen({ first: 200, last: 300 }, 100, 50), false);
  // a late event at exactly the first sighting: seen (the sighting is at t, not after it)
  assert.equal(streamSeen({ first: 100, last: 300 }, 100, 50), true);
});

test("prior knowledge at the execution's start: a last or first sighting exactly at from counts; one just after does not", () => {
  // last = from: the stored sightings all lie at or before from, so the last one decides (inside [hws, from])
  assert.equal(priorSeen({ first: 10, last: 100 }, 50, 100), true);
  // a sighting after from is this run's business: only a first sighting inside [hws, from] proves one there
  assert.equal(priorSeen({ first: 100, last: 150 }, 50, 100), true);
  assert.equal(priorSeen({ first: 101, last: 150 }, 50, 100), false);
});

test("max_signals: stored ids dropped first and not counted; cut at the budget with truncation", () => {
  const items = ["a", "b", "c", "d"].map((id) => ({ id }));
  assert.deepEqual(applyMaxSignals(items, (id) => id === "a", 2), { kept: [{ id: "b" }, { id: "c" }], duplicates: 1, truncated: true });
  assert.deepEqual(applyMaxSignals(items, (id) => id === "a", 3), { kept: [{ id: "b" }, { id: "c" }, { id: "d" }], duplicates: 1, truncated: false });
});

test("NewTermsMemory: one object per distinct combination, shared by every event that has it", () => {
  const mem = new NewTermsMemory();
  const x = comboExtractor(["k"]);
  const h = hit("i", "e0", { k: "a" });
  mem.add({ hit: h, t: 1, seq: 0, combos: x({ k: "a" }) });
  mem.add({ hit: h, t: 2, seq: 1, combos: x({ k: ["a", "b"] }) });
  const fresh = x({ k: ["b", "c"] });
  const shared = mem.shared(fresh);
  assert.notEqual(shared, fresh);
  assert.deepEqual(shared.map((c) => c.key), ['["b"]', '["c"]']);
  assert.equal(shared[0], mem.events[1].combos[1]);
  assert.equal(shared[1], fresh[1]); // not seen yet: the given object
  assert.equal(mem.events[1].combos[0], mem.events[0].combos[0]);
  const own = x({ k: "z" });
  assert.equal(mem.shared(own), own);
  mem.add({ hit: h, t: 3, seq: 2, combos: shared });
  assert.equal(mem.events[2].combos, shared); // already shared: kept as given
  assert.deepEqual([...mem.keys()], ['["a"]', '["b"]', '["c"]']);
  // One combination alone: every such event shares one array.
  const one = mem.shared(x({ k: "a" }));
  assert.equal(mem.shared(x({ k: "a" })), one);
  assert.equal(one[0], mem.events[0].combos[0]);
});

test("combos: past the limit, the first combinations in key order (each field's values sorted) and the count left out", () => {
  const cut: number[] = [];
  const x = comboExtractor(["a", "b"], 4, (n) => cut.push(n));
  const doc = { a: ["z", "x", "y"], b: [2, 1] };
  assert.deepEqual(x(doc).map((c) => c.key), ['["x",1]', '["x",2]', '["y",1]', '["y",2]']);
  assert.deepEqual(cut, [2]);
  // At the limit nothing is cut and the order stays the input's.
  assert.deepEqual(comboExtractor(["a", "b"], 6, (n) => cut.push(n))(doc).map((c) => c.key), ['["z",2]', '["z",1]', '["x",2]', '["x",1]', '["y",2]', '["y",1]']);
  assert.deepEqual(cut, [2]);
});

test("combos: three fields of 100 values (10⁶ combinations) give MAX_TERM_COMBINATIONS_PER_EVENT of them", () => {
  let left = 0;
  const vals = (p: string) => Array.from({ length: 100 }, (_, i) => `${p}${String(i).padStart(2, "0")}`);
  const combos = comboExtractor(["a", "b", "c"], undefined, (n) => (left += n))({ a: vals("a"), b: vals("b"), c: vals("c") });
  assert.equal(combos.length, MAX_TERM_COMBINATIONS_PER_EVENT);
  assert.equal(left, 1_000_000 - MAX_TERM_COMBINATIONS_PER_EVENT);
  assert.deepEqual(combos[0].terms, ["a00", "b00", "c00"]);
  assert.deepEqual(combos[combos.length - 1].terms, ["a00", "b99", "c99"]);
});
