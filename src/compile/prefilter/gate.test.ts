// The chunk gate (issue 6 speed): which needles it picks on real-shaped data, where it reports hits, when it
// declines, and soundness — every line the prefilter passes holds a gate hit (fast-check, escaped
// serialisations included).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseKql } from "../../lang/kql/index.js";
import { arbOptions } from "../predicate/test-support.js";
import { benchLines } from "../../testing/gen/bench.js";
import { NORMALIZED_PRODUCERS_KQL } from "../../sources/ecs-normalize/index.js";
import { chooseGate, endsValue, gateOf } from "./gate.js";
import { kqlUnionPrefilter, prefilterOf, requirementsOf } from "./index.js";
import { SERIALISATIONS, arbNeedleDoc, arbNeedleQuery } from "./test-support.js";

const SEED =
  'host.os.type:linux and event.action:(creation or file_create_event or file_rename_event or rename) and file.path:(/dev/shm/* or /usr/lib/*) and file.extension:so and process.name: ( * and not ("5" or "dockerd" or "dpkg" or "rpm" or "snapd" or "exe" or "yum" or "vmis-launcher"))';

/** 4,000 generated Defend events (1 % matching the seed query, 2 % near misses), as one chunk. */
function benchSample(): Buffer {
  return Buffer.from([...benchLines({ events: 4000, seed: 7, matchFraction: 0.01, pairs: 10, days: 1 })].map((l) => l + "\n").join(""));
}

const hitsOf = (needles: string[], text: string | Buffer): number[] => {
  const out: number[] = [];
  gateOf(needles).hits(typeof text === "string" ? Buffer.from(text, "latin1") : text, out);
  return out;
};

test("on Defend data the seed rule (with the normalised producers) is gated by \"so\", the producer markers and \\u", () => {
  const pf = kqlUnionPrefilter([{ ast: SEED }, { ast: NORMALIZED_PRODUCERS_KQL }]);
  assert.ok(pf?.gateFor !== undefined);
  const gate = pf.gateFor(benchSample());
  assert.deepEqual(gate?.needles, ['"so"', '"auditd"', '"file_integrity"', '"sysmon_linux.log"', "\\u"]);
});

test("hits: ascending start offsets of whole occurrences of every needle, at the edges too, overlapping ones included", () => {
  assert.deepEqual(hitsOf(['"so"', "\\u"], '"so"x\\u0073"so""so"'), [0, 5, 11, 15]);
  assert.deepEqual(hitsOf(["aa"], "aaaa"), [0, 1, 2]);
  // an occurrence cut by the end of the buffer is not one
  assert.deepEqual(hitsOf(['"so"'], 'x"so'), []);
  assert.deepEqual(hitsOf(['"/usr/lib/'], '{"p":"/usr/lib/x","q":"/usr/lib'), [5]);
  // anchored on its rarest byte in a given frequency table, the result is the same
  const freq = new Uint32Array(256).fill(100);
  freq["q".charCodeAt(0)] = 1;
  const out: number[] = [];
  gateOf(["xyqzw"], freq).hits(Buffer.from("xyqzw xyqz xyqzw yqzw"), out);
  assert.deepEqual(out, [0, 11]);
});

test("no gate when it cannot pay: needles on every line, a formula too wide, or no requirement", () => {
  const sample = benchSample();
  const req = (q: string) => requirementsOf(parseKql(q));
  assert.equal(chooseGate(req("host.os.type:linux"), sample), undefined);
  // with `always` the same formula is gated (and every line is a candidate)
  assert.deepEqual(chooseGate(req("host.os.type:linux"), sample, { always: true })?.needles, ['"linux"', "\\u"]);
  const wide = `process.name:(${Array.from({ length: 13 }, (_, i) => `proc${i}`).join(" or ")})`;
  assert.equal(chooseGate(req(wide), sample, { always: true }), undefined);
  assert.equal(chooseGate(req("a:*"), sample, { always: true }), undefined);
  // a rare value is worth a gate; a needle with a slash can hide behind \/, so any backslash joins it
  assert.deepEqual(chooseGate(req("file.path:/dev/shm/*"), sample)?.needles, ['"/dev/shm/', "\\"]);
});

test("fast-check: a line the prefilter passes holds a hit of the gate chosen from any sample", () => {
  let gated = 0;
  const property = (q: Parameters<typeof requirementsOf>[0], doc: Record<string, unknown>, opts: Parameters<typeof requirementsOf>[1]) => {
    const req = requirementsOf(q, opts);
    const pf = prefilterOf(req, 1);
    if (pf === undefined) return;
    const lines = SERIALISATIONS(doc).map((l) => Buffer.from(l, "utf8"));
    for (const sample of [Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])), Buffer.from('{"a":"hello"}\n')]) {
      const gate = chooseGate(req, sample, { always: true });
      if (gate === undefined) continue;
      gated++;
      for (const line of lines) {
        if (!pf(line)) continue;
        const out: number[] = [];
        gate.hits(line, out);
        assert.ok(out.length > 0, `${gate.needles.join(" | ")} / ${line.toString("utf8")}`);
      }
    }
  };
  fc.assert(fc.property(arbNeedleQuery, arbNeedleDoc, arbOptions, property), { numRuns: 3000 });
  assert.ok(gated > 600, `only ${gated} gated cases`);
});

test("endsValue: a token is a key when the next non-blank character is a colon (blanks: space, tab, CR, LF), on text and bytes alike", () => {
  const cases: [string, number, boolean][] = [
    ['"abc":1', 5, false],
    ['"abc" :1', 5, false],
    ['"abc"\t:1', 5, false],
    ['"abc"\r\n :1', 5, false],
    ['"abc",', 5, true],
    ['"abc" ,', 5, true],
    ['"abc"}', 5, true],
    ['"abc"', 5, true],
    ['"abc"   ', 5, true],
    ['"abc"\u00a0:', 5, true], // a no-break space is not JSON whitespace
  ];
  for (const [text, end, value] of cases) {
    assert.equal(endsValue(text, end), value, JSON.stringify(text));
    assert.equal(endsValue(Buffer.from(text, "latin1"), end), value, `bytes of ${JSON.stringify(text)}`);
  }
});
