// Tests for the benchmark generator (issue 6 "The benchmark"): byte-identical output for a seed, and the
// configured match count and distinct pairs honoured exactly, counted with a plain reference filter
// written here (not tern's KQL) that spells out the seed rule's query by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { benchLines, benchMeta, pairOf } from "./bench.js";
import { writeBenchFile } from "./write.js";
import { get, seedQueryRef, type Doc } from "./seed-ref.js";

function summarize(o: Parameters<typeof benchLines>[0]) {
  const hash = createHash("sha256");
  let matches = 0;
  let nearMisses = 0;
  const firstSeen = new Map<string, number>();
  const firstMatchNos: number[] = [];
  let prevIngested = -Infinity;
  let strictlyIncreasing = true;
  let n = 0;
  for (const line of benchLines(o)) {
    hash.update(line + "\n");
    const doc = JSON.parse(line) as Doc;
    const ing = Date.parse(String(get(doc, "event.ingested")));
    if (!(ing > prevIngested)) strictlyIncreasing = false;
    prevIngested = ing;
    const fp = get(doc, "file.path");
    // near misses are the only non-matching events with ".so" in file.path
    if (!seedQueryRef(doc) && typeof fp === "string" && fp.includes(".so")) nearMisses++;
    if (seedQueryRef(doc)) {
      const key = `${String(get(doc, "file.path"))}\u0000${String(get(doc, "process.name"))}`;
      if (!firstSeen.has(key)) {
        firstSeen.set(key, matches);
        firstMatchNos.push(matches);
      }
      matches++;
    }
    n++;
  }
  return { n, matches, nearMisses, pairs: firstSeen.size, firstMatchNos, strictlyIncreasing, sha256: hash.digest("hex"), keys: [...firstSeen.keys()] };
}

test("same seed → byte-identical output; another seed → different output", () => {
  const o = { events: 2000, seed: 42, matchFraction: 0.02, pairs: 7, days: 1 };
  const a = summarize(o);
  const b = summarize(o);
  assert.equal(a.sha256, b.sha256);
  // pinned: a change here means the workload changed and benchmark numbers are no longer comparable
  assert.equal(a.sha256, "d48aa4ad6130ba6150081c5cb8e5adf62779499d40093210fd1748cbd35e52bd");
  assert.notEqual(summarize({ ...o, seed: 43 }).sha256, a.sha256);
});

test("match count, near misses and distinct pairs are exact; new pairs arrive evenly; ingest times strictly increase", () => {
  for (const [events, matchFraction, pairs] of [
    [5000, 0.05, 37],
    [3000, 0.013, 39],
    [1000, 0.3, 300],
    [1000, 1, 1],
    [777, 0, 0],
  ] as const) {
    const nearMissFraction = matchFraction === 1 ? 0 : 0.07;
    const s = summarize({ events, seed: 7, matchFraction, pairs, days: 2, nearMissFraction });
    const m = Math.round(events * matchFraction);
    assert.equal(s.nearMisses, Math.round(events * nearMissFraction), `near misses for ${events}/${matchFraction}`);
    assert.equal(s.n, events);
    assert.equal(s.matches, m, `matches for ${events}/${matchFraction}`);
    assert.equal(s.pairs, pairs, `pairs for ${events}/${matchFraction}`);
    assert.deepEqual(s.firstMatchNos, Array.from({ length: pairs }, (_, j) => Math.floor((j * m) / pairs)));
    assert.deepEqual(s.keys, Array.from({ length: pairs }, (_, j) => `${pairOf(j).path}\u0000${pairOf(j).process}`));
    assert.equal(s.strictlyIncreasing, true);
  }
});

test("benchMeta: exact counts, time span, and usage errors", () => {
  assert.deepEqual(benchMeta({ events: 1000, seed: 1, matchFraction: 0.0125, pairs: 5, days: 1 }), {
    generator: "tern-bench-v1",
    events: 1000,
    seed: 1,
    matchFraction: 0.0125,
    matches: 13,
    pairs: 5,
    nearMissFraction: 0.02,
    nearMisses: 20,
    days: 1,
    start: "2024-06-10T00:00:00.000Z",
    end: "2024-06-10T23:58:33.600Z",
  });
  assert.throws(() => benchMeta({ events: 100, seed: 1, matchFraction: 0.1, pairs: 11, days: 1 }), { message: "--pairs must be an integer in [1, 10] for 10 matching events (got 11)" });
  assert.throws(() => benchMeta({ events: 100, seed: 1, matchFraction: 0.1, pairs: 0, days: 1 }), { message: "--pairs must be an integer in [1, 10] for 10 matching events (got 0)" });
  assert.throws(() => benchMeta({ events: 0, seed: 1, matchFraction: 0.1, pairs: 0, days: 1 }), { message: "--events must be a positive integer (got 0)" });
  assert.throws(() => benchMeta({ events: 10, seed: 1, matchFraction: 1.5, pairs: 0, days: 1 }), { message: "--match-fraction must be in [0, 1] (got 1.5)" });
  assert.throws(() => benchMeta({ events: 10, seed: 1, matchFraction: 0.5, pairs: 1, days: 1, nearMissFraction: 0.6 }), { message: "--near-miss-fraction must be in [0, 1 - match fraction] (got 0.6)" });
  assert.throws(() => benchMeta({ events: 100_000, seed: 1, matchFraction: 0, pairs: 0, days: 0.0001 }), { message: "--days too short: 100000 events need at least 100000 ms so that ingest times stay distinct" });
});

test("writeBenchFile: plain and gzip files hold the same bytes as benchLines, mode 0600, meta beside", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-gen-"));
  const o = { events: 2000, seed: 42, matchFraction: 0.02, pairs: 7, days: 1 };
  const plain = await writeBenchFile(o, join(dir, "a.ndjson"));
  const gz = await writeBenchFile(o, join(dir, "a.ndjson.gz"));
  const expected = summarize(o).sha256;
  assert.equal(plain.sha256, expected);
  assert.equal(gz.sha256, expected);
  assert.equal(createHash("sha256").update(readFileSync(join(dir, "a.ndjson"))).digest("hex"), expected);
  assert.equal(createHash("sha256").update(gunzipSync(readFileSync(join(dir, "a.ndjson.gz")))).digest("hex"), expected);
  assert.equal(statSync(join(dir, "a.ndjson")).mode & 0o777, 0o600);
  const meta = JSON.parse(readFileSync(join(dir, "a.ndjson.meta.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual([meta.events, meta.matches, meta.pairs, meta.sha256, meta.bytes], [2000, 40, 7, expected, statSync(join(dir, "a.ndjson")).size]);
});
