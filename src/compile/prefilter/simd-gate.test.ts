// The chunk gate's one-pass SIMD search (teddy.wat via simd-gate.ts): the same hits as one indexOf pass per
// needle on any bytes and needle set, at the chunk's edges, when memory grows and when a chunk has too many
// occurrences (the indexOf passes take over); and the committed module is what teddy.wat compiles to.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { REPO_ROOT } from "../../testing/paths.js";
import { benchLines } from "../../testing/gen/bench.js";
import { gateOf } from "./gate.js";
import { TEDDY_MAX_NEEDLES, TeddySearch } from "./simd-gate.js";

const hits = (needles: readonly string[], buf: Buffer, values: ReadonlySet<string>, simd: boolean, freq?: Uint32Array): number[] => {
  const out: number[] = [];
  gateOf(needles, freq, values, { simd }).hits(buf, out);
  return out;
};

/** Byte counts of a buffer, as chooseGate samples them. */
const countsOf = (buf: Uint8Array): Uint32Array => {
  const f = new Uint32Array(256);
  for (const b of buf) f[b]++;
  return f;
};

test("simd search: this Node runs it (WebAssembly SIMD), and only for 1 to 8 non-empty needles", () => {
  const freq = new Uint32Array(256);
  assert.ok(TeddySearch.of([Buffer.from('"so"')], freq) !== undefined);
  assert.ok(TeddySearch.of(Array.from({ length: TEDDY_MAX_NEEDLES }, (_, i) => Buffer.from(`n${i}`)), freq) !== undefined);
  assert.equal(TeddySearch.of(Array.from({ length: TEDDY_MAX_NEEDLES + 1 }, (_, i) => Buffer.from(`n${i}`)), freq), undefined);
  assert.equal(TeddySearch.of([Buffer.from("a"), Buffer.alloc(0)], freq), undefined);
  assert.equal(TeddySearch.of([], freq), undefined);
});

test("fast-check: the simd search finds exactly what indexOf passes find (values, short and overlapping needles, edges)", () => {
  // a small alphabet of JSON's bytes, so needles occur, overlap and sit at the edges
  const byte = fc.constantFrom(...Buffer.from('"\\u:so ad_x.{},é'));
  const needle = fc.array(byte, { minLength: 1, maxLength: 7 }).map((b) => Buffer.from(b).toString("latin1"));
  fc.assert(
    fc.property(
      fc.uniqueArray(needle, { minLength: 1, maxLength: TEDDY_MAX_NEEDLES }),
      fc.array(byte, { maxLength: 300 }),
      fc.array(fc.boolean(), { minLength: TEDDY_MAX_NEEDLES, maxLength: TEDDY_MAX_NEEDLES }),
      fc.boolean(),
      (needles, bytes, valueFlags, sampled) => {
        const buf = Buffer.from(bytes);
        const values = new Set(needles.filter((_, i) => valueFlags[i]));
        const freq = sampled ? countsOf(buf) : undefined;
        const latin = needles.map((n) => Buffer.from(n, "latin1").toString("utf8"));
        assert.deepEqual(hits(latin, buf, values, true, freq), hits(latin, buf, values, false, freq));
      },
    ),
    { numRuns: 3000 },
  );
});

test("simd search on bench lines: the seed gate's needles in 1 MiB chunks and in a 3 MiB one (the module's memory grows), same hits", () => {
  const text = Buffer.from([...benchLines({ events: 6000, seed: 11, matchFraction: 0.05, pairs: 10, days: 1 })].map((l) => l + "\n").join(""));
  const needles = ['"so"', '"auditd"', '"file_integrity"', '"sysmon_linux.log"', "\\u", '"creation"'];
  const values = new Set(needles.filter((n) => n.startsWith('"')));
  const freq = countsOf(text.subarray(0, 1 << 20));
  const simd = gateOf(needles, freq, values);
  const plain = gateOf(needles, freq, values, { simd: false });
  for (const chunk of [text.subarray(0, 1 << 20), text.subarray(1 << 20, 2 << 20), text, text.subarray(5, 77)]) {
    const a: number[] = [];
    const b: number[] = [];
    simd.hits(chunk, a);
    plain.hits(chunk, b);
    assert.deepEqual(a, b);
  }
  const all: number[] = [];
  plain.hits(text, all);
  assert.ok(all.length > 100, `the needles occur (${all.length})`);
});

test("a chunk with more occurrences than the simd search keeps (one per 8 bytes) is searched by indexOf: same hits", () => {
  const buf = Buffer.from("ab".repeat(5000));
  const search = TeddySearch.of([Buffer.from("a")], new Uint32Array(256));
  assert.ok(search !== undefined);
  assert.equal(search.scan(buf, () => assert.fail("nothing is reported when the search gives up")), false);
  assert.deepEqual(hits(["a"], buf, new Set(), true), hits(["a"], buf, new Set(), false));
  assert.equal(hits(["a"], buf, new Set(), true).length, 5000);
});

test("the committed module is what teddy.wat compiles to (scripts/gen-wasm.mjs --check)", () => {
  execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "gen-wasm.mjs"), "--check"], { stdio: "pipe" });
});

test("a chunk read into the gate's own buffer is searched in place: the same hits as a copy, whatever lies past it; the buffer grows", () => {
  const text = Buffer.from([...benchLines({ events: 3000, seed: 5, matchFraction: 0.05, pairs: 10, days: 1 })].map((l) => l + "\n").join(""));
  const needles = ['"so"', '"creation"', "\\u"];
  const values = new Set(['"so"', '"creation"']);
  const freq = countsOf(text);
  const gate = gateOf(needles, freq, values);
  const plain = gateOf(needles, freq, values, { simd: false });
  assert.ok(gate.readBuffer !== undefined);
  assert.equal(plain.readBuffer, undefined);
  let total = 0;
  for (const [size, n] of [[1 << 20, 1 << 20], [1 << 20, 4000], [text.length + 100, text.length]] as const) {
    const into = gate.readBuffer(size);
    assert.equal(into.length, size);
    into.fill(0x22); // quotes past the chunk: they must not make hits
    text.copy(into, 0, 0, n);
    const inPlace: number[] = [];
    gate.hits(into.subarray(0, n), inPlace);
    const copied: number[] = [];
    plain.hits(Buffer.from(text.subarray(0, n)), copied);
    assert.deepEqual(inPlace, copied);
    total += copied.length;
  }
  assert.ok(total > 100, `the needles occur (${total})`);
});
