// The needle automaton against the plain search it replaces: for any needles (case-sensitive and folded,
// sharing prefixes and suffixes, multi-byte) and any text, it marks exactly the needles indexOf finds, and
// as value ends exactly where one of their occurrences ends a value.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { NeedleAutomaton } from "./aho-corasick.js";
import { endsValue } from "./gate.js";

const lowerAscii = (b: Buffer): Buffer => Buffer.from(b.map((x) => (x >= 0x41 && x <= 0x5a ? x + 32 : x)));

/** Every end offset of `needle` in `text`. */
function ends(text: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let p = text.indexOf(needle); p >= 0; p = text.indexOf(needle, p + 1)) out.push(p + needle.length);
  return out;
}

const piece = fc.constantFrom("a", "A", "b", "B", "ab", "Ab", '"', ":", " ", "é", "\\", "x", "\u212a");
const word = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join(""));

// splitFrom 0: every text long enough is read by two interleaved streams, as long lines are
for (const [how, splitFrom] of [["one stream", Infinity], ["two streams", 0]] as const) {
test(`the automaton marks what indexOf finds, case-sensitive and folded needles in one pass, ${how} (fast-check)`, () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.record({ s: word, folded: fc.boolean(), value: fc.boolean() }), { maxLength: 12, selector: (n) => `${n.folded}${n.s}` }), fc.array(piece, { maxLength: 60 }), (specs, parts) => {
      const needles = specs.map((n) => ({ bytes: Buffer.from(n.folded ? n.s.toLowerCase() : n.s, "utf8"), folded: n.folded }));
      const auto = NeedleAutomaton.build(needles, { splitFrom });
      assert.ok(auto !== undefined);
      const text = Buffer.from(parts.join(""), "utf8");
      const seen = new Int32Array(needles.length).fill(-1);
      const valueSeen = new Int32Array(needles.length).fill(-1);
      const valueLen = Int32Array.from(specs, (n, i) => (n.value ? needles[i].bytes.length : -1));
      auto.mark(text, 7, seen, valueSeen, valueLen);
      needles.forEach((n, i) => {
        const at = n.folded ? ends(lowerAscii(text), lowerAscii(Buffer.from(n.bytes))) : ends(text, Buffer.from(n.bytes));
        assert.equal(seen[i] === 7, at.length > 0, `needle ${JSON.stringify(specs[i])} in ${JSON.stringify(text.toString())}`);
        if (specs[i].value) assert.equal(valueSeen[i] === 7, at.some((e) => endsValue(text, e)), `value ${JSON.stringify(specs[i])}`);
        else assert.equal(valueSeen[i], -1);
      });
    }),
    { numRuns: 5000 },
  );
});
}

test("a table past its size limit is not built", () => {
  const many = Array.from({ length: 3000 }, (_, i) => ({ bytes: Buffer.from(`needle-${i}-${"x".repeat(2000)}-${String.fromCharCode(33 + (i % 90))}`), folded: false }));
  assert.equal(NeedleAutomaton.build(many), undefined);
  assert.ok(NeedleAutomaton.build(many.slice(0, 2)) !== undefined);
});
