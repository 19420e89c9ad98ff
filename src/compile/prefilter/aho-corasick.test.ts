// The needle automaton against the plain search it replaces: for any needles (case-sensitive and folded,
// sharing prefixes and suffixes, multi-byte) and any text, it marks exactly the needles indexOf finds, and
// as value ends exactly where one of their occurrences ends a value.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { NeedleAutomaton } from "./aho-corasick.js";
import { closesValue, endsValue } from "./gate.js";
import { benchLines } from "../../testing/gen/bench.js";

const lowerAscii = (b: Buffer): Buffer => Buffer.from(b.map((x) => (x >= 0x41 && x <= 0x5a ? x + 32 : x)));

/** Every end offset of `needle` in `text`. */
function ends(text: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let p = text.indexOf(needle); p >= 0; p = text.indexOf(needle, p + 1)) out.push(p + needle.length);
  return out;
}

const piece = fc.constantFrom("a", "A", "b", "B", "ab", "Ab", '"', ":", " ", "é", "\\", "x", "\u212a", ",", "}", "]", "\t");
const word = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join(""));

// splitFrom 0: every text long enough is read by interleaved streams (two in JavaScript, four in
// WebAssembly), as long lines are
for (const [how, splitFrom, wasm] of [
  ["JavaScript, one stream", Infinity, false],
  ["JavaScript, two streams", 0, false],
  ["WebAssembly, one stream", Infinity, true],
  ["WebAssembly, four streams", 0, true],
] as const) {
test(`the automaton marks what indexOf finds, case-sensitive and folded needles in one pass, ${how} (fast-check)`, () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.record({ s: word, folded: fc.boolean(), value: fc.boolean(), valueOnly: fc.boolean() }), { maxLength: 12, selector: (n) => `${n.folded}${n.s}` }), fc.array(piece, { maxLength: 60 }), (specs, parts) => {
      const needles = specs.map((n) => ({ bytes: Buffer.from(n.folded ? n.s.toLowerCase() : n.s, "utf8"), folded: n.folded, valueOnly: n.value && n.valueOnly }));
      const auto = NeedleAutomaton.build(needles, { splitFrom, wasm });
      assert.ok(auto !== undefined);
      assert.equal(auto.engine, wasm ? "wasm" : "js");
      const text = Buffer.from(parts.join(""), "utf8");
      const seen = new Int32Array(needles.length).fill(-1);
      const valueSeen = new Int32Array(needles.length).fill(-1);
      const valueLen = Int32Array.from(specs, (n, i) => (n.value ? needles[i].bytes.length : -1));
      auto.mark(text, 7, seen, valueSeen, valueLen);
      needles.forEach((n, i) => {
        const at = n.folded ? ends(lowerAscii(text), lowerAscii(Buffer.from(n.bytes))) : ends(text, Buffer.from(n.bytes));
        if (n.valueOnly) {
          // only where a value closes: seen and as a value alike
          const closing = at.some((e) => closesValue(text, e));
          assert.equal(seen[i] === 7, closing, `value-only needle ${JSON.stringify(specs[i])} in ${JSON.stringify(text.toString())}`);
          assert.equal(valueSeen[i] === 7, closing, `value-only ${JSON.stringify(specs[i])}`);
          return;
        }
        assert.equal(seen[i] === 7, at.length > 0, `needle ${JSON.stringify(specs[i])} in ${JSON.stringify(text.toString())}`);
        if (specs[i].value) assert.equal(valueSeen[i] === 7, at.some((e) => endsValue(text, e)), `value ${JSON.stringify(specs[i])}`);
        else assert.equal(valueSeen[i], -1);
      });
    }),
    { numRuns: 5000 },
  );
});
}

test("WebAssembly and JavaScript scans mark the same needles on bench lines and on a line that grows the module's memory", () => {
  const needles = ['"linux"', '"process"', "/etc/hosts", '"exec"', "curl", "name\"", '"id"', "/tmp/"].map((n, i) => ({ bytes: Buffer.from(n), folded: i % 3 === 0, valueOnly: n === '"id"' }));
  const lines = [...benchLines({ events: 300, seed: 3, matchFraction: 0.1, pairs: 5, days: 1 })].map((l) => Buffer.from(l));
  lines.push(Buffer.from(`{"a":"${"x".repeat(300_000)}/etc/hosts","id":"7","b":"CURL","c":"curl","d":"id"}`));
  const js = NeedleAutomaton.build(needles, { wasm: false });
  const wa = NeedleAutomaton.build(needles);
  assert.ok(js !== undefined && wa !== undefined);
  assert.equal(wa.engine, "wasm");
  const marks = (auto: NeedleAutomaton): string[] =>
    lines.map((line, g) => {
      const seen = new Int32Array(needles.length).fill(-1);
      const valueSeen = new Int32Array(needles.length).fill(-1);
      const found: number[] = [];
      auto.mark(line, g, seen, valueSeen, Int32Array.from(needles, (n) => n.bytes.length), found);
      return `${[...seen].join()}|${[...valueSeen].join()}|${found.sort((a, b) => a - b).join()}`;
    });
  const a = marks(js);
  assert.deepEqual(marks(wa), a);
  // the long line holds three needles, each ending a value: "id" also as a key (not counted), CURL in
  // upper case (its needle is case-sensitive)
  assert.equal(a[a.length - 1], `-1,-1,${lines.length - 1},-1,${lines.length - 1},-1,${lines.length - 1},-1|-1,-1,${lines.length - 1},-1,${lines.length - 1},-1,${lines.length - 1},-1|2,4,6`);
});

test("a table past its size limit is not built", () => {
  const many = Array.from({ length: 3000 }, (_, i) => ({ bytes: Buffer.from(`needle-${i}-${"x".repeat(2000)}-${String.fromCharCode(33 + (i % 90))}`), folded: false }));
  assert.equal(NeedleAutomaton.build(many), undefined);
  assert.ok(NeedleAutomaton.build(many.slice(0, 2)) !== undefined);
});

test("a value-only needle counts where a value closes, never as a key, and closesValue reads JSON's followers", () => {
  const auto = NeedleAutomaton.build([{ bytes: Buffer.from('"id"'), folded: false, valueOnly: true }, { bytes: Buffer.from('"id"'), folded: true }]);
  assert.ok(auto !== undefined);
  const mark = (text: string): [number, number, number, number] => {
    const seen = Int32Array.of(-1, -1);
    const valueSeen = Int32Array.of(-1, -1);
    auto.mark(Buffer.from(text), 1, seen, valueSeen, Int32Array.of(4, 4));
    return [seen[0], valueSeen[0], seen[1], valueSeen[1]];
  };
  // the plain needle (folded) is seen as a key too; the value-only one is not
  assert.deepEqual(mark('{"id":1}'), [-1, -1, 1, -1]);
  assert.deepEqual(mark('{"a":"id"}'), [1, 1, 1, 1]);
  assert.deepEqual(mark('{"a":"id","b":1}'), [1, 1, 1, 1]);
  assert.deepEqual(mark('{"a":["x","id"]}'), [1, 1, 1, 1]);
  assert.deepEqual(mark('{"a" : "id" \t}'), [1, 1, 1, 1]);
  assert.deepEqual(mark('{"id" \t: 1, "a":"ID"}'), [-1, -1, 1, 1]);
  // the end of a text is no value's end for it (no JSON object ends there)
  assert.deepEqual(mark('"id"'), [-1, -1, 1, 1]);
  assert.equal(closesValue(Buffer.from('"x" \n ,'), 3), true);
  assert.equal(closesValue(Buffer.from('"x" :'), 3), false);
  assert.equal(closesValue(Buffer.from('"x"  '), 3), false);
  assert.equal(closesValue(Buffer.from('"x"y'), 3), false);
});
