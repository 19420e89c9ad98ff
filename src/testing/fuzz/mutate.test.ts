// The fuzz campaign's mutation operators: each edit exactly, positions taken modulo the length, UTF-16
// units able to make a lone surrogate, and the splice cap.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { applyMutation, applyMutations, MAX_SPLICE_UNITS, mutationsArb, toUnits, unitsToBuffer, unitsToString, type Mutation } from "./mutate.js";

const bytes = (s: string, m: Mutation) => unitsToBuffer(applyMutation(toUnits(s, "byte"), m, "byte")).toString("latin1");

test("each operator's edit on bytes", () => {
  const rows: [Mutation, string][] = [
    [{ op: "flip", at: 1, bit: 0 }, "acc\nde\nf"],
    [{ op: "flip", at: 10, bit: 9 }, "aba\nde\nf"], // 10 mod 8 = 2 ("c"), bit 9 mod 8 = 1: "c" ^ 2 = "a"
    [{ op: "insert", at: 3, units: [0x21, 0x1ff] }, "abc!\u00ff\nde\nf"],
    [{ op: "delete", at: 1, length: 2 }, "a\nde\nf"],
    [{ op: "duplicate", at: 0, length: 2 }, "ababc\nde\nf"],
    [{ op: "truncate", at: 5 }, "abc\nd"],
    [{ op: "swap-lines", a: 0, b: 5 }, "f\nde\nabc"],
    [{ op: "duplicate-line", a: 1 }, "abc\nde\nde\nf"],
    [{ op: "splice", at: 4, token: "(", times: 3 }, "abc\n(((de\nf"],
  ];
  for (const [m, want] of rows) assert.equal(bytes("abc\nde\nf", m), want, m.op);
});

test("UTF-16 units: a flip can make a lone surrogate, an insert keeps 16 bits", () => {
  const s = unitsToString(applyMutations(toUnits("\ud83d\ude00x", "utf16"), [{ op: "flip", at: 1, bit: 10 }, { op: "insert", at: 3, units: [0x1d800] }], "utf16"));
  assert.deepEqual([...s].map((c) => c.charCodeAt(0).toString(16)), ["d83d", "da00", "78", "d800"]);
});

test("a splice adds at most MAX_SPLICE_UNITS units; an empty input takes every operator", () => {
  assert.equal(applyMutation([], { op: "splice", at: 0, token: "ab", times: 100_000 }, "byte").length, MAX_SPLICE_UNITS);
  fc.assert(fc.property(mutationsArb(["x"], "byte"), (ms) => Array.isArray(applyMutations([], ms, "byte"))), { seed: 1, numRuns: 200 });
});
