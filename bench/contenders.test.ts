// Tests for the benchmark contenders (bench/contenders.ts, bench/duckdb.ts, bench/baseline.ts): the jq
// filter and the DuckDB SQL give exactly the matches and first sightings of a hand-written reference
// filter on generated data; tern alert keys; the query form of the seed rule; the corpus selection; the
// agreement check's messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { CORPUS_DIR, SEED_DIR } from "../src/testing/paths.js";
import { benchLines } from "../src/testing/gen/bench.js";
import { get, seedQueryRef, type Doc } from "../src/testing/gen/seed-ref.js";
import { writeBenchFile } from "../src/testing/gen/write.js";
import { baseline } from "./baseline.js";
import {
  JQ_FILTER,
  checkAgreement,
  compareEqlCounts,
  eqlQueryKind,
  linuxCorpusRules,
  linuxEqlCorpusRules,
  pyeqlSubset,
  rulesReaching,
  seedAsQueryRule,
  ternAlertCountsByRule,
  ternAlertKeys,
  ternAlertKeysOfFile,
  uniqueRuleFileNames,
  type EqlPick,
} from "./contenders.js";
import { runDuckdb } from "./duckdb.js";

const GEN = { events: 3000, seed: 5, matchFraction: 0.04, pairs: 30, days: 2 };

function reference(): { ids: string[]; firsts: string[] } {
  const ids: string[] = [];
  const seen = new Set<string>();
  const firsts: string[] = [];
  for (const line of benchLines(GEN)) {
    const d = JSON.parse(line) as Doc;
    if (!seedQueryRef(d)) continue;
    const id = String(get(d, "event.id"));
    ids.push(id);
    const pair = `${String(get(d, "file.path"))}\t${String(get(d, "process.name"))}`;
    if (!seen.has(pair)) {
      seen.add(pair);
      firsts.push(`${pair}\t${id}`);
    }
  }
  return { ids, firsts };
}

async function dataFile(): Promise<string> {
  const f = join(mkdtempSync(join(tmpdir(), "tern-bench-c-")), "logs-endpoint.events.bench-default.ndjson");
  await writeBenchFile(GEN, f);
  return f;
}

test("jq filter = reference filter (same event ids, same order)", async (t) => {
  if (spawnSync("sh", ["-c", "command -v jq"]).status !== 0) {
    t.skip("jq is not installed (npm run bench installs it)");
    return;
  }
  const f = await dataFile();
  const r = spawnSync("jq", ["-r", JQ_FILTER, f], { encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const { ids } = reference();
  assert.equal(ids.length, 120);
  assert.deepEqual(r.stdout.split("\n").filter((l) => l !== ""), ids);
});

test("DuckDB filter and new-terms SQL = reference filter and first sightings", async () => {
  const f = await dataFile();
  const { ids, firsts } = reference();
  const filter = await runDuckdb("filter", f);
  assert.deepEqual([...filter.keys].sort(), [...ids].sort());
  const nt = await runDuckdb("new-terms", f);
  assert.equal(nt.rows, 30);
  assert.deepEqual(nt.keys, firsts);
});

test("node baselines count every line, across chunk boundaries and with CRLF", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-bench-b-"));
  const f = join(dir, "x.ndjson");
  const big = JSON.stringify({ pad: "z".repeat(3 << 20) });
  writeFileSync(f, `{"a":1}\r\n${big}\n\n{"b":2}`);
  assert.deepEqual(await baseline("parse", f), { lines: 3, objects: 3 });
  assert.deepEqual(await baseline("split", f), { lines: 3, objects: 0 });
});

test("ternAlertKeys: nested or dotted alert fields", () => {
  const nt = [
    JSON.stringify({ kibana: { alert: { new_terms: ["/dev/shm/x.so", "curl"] } }, event: { id: "e1" } }),
    JSON.stringify({ "kibana.alert.new_terms": ["/usr/lib/y.so", "ld"], "event.id": "e2" }),
  ].join("\n");
  assert.deepEqual(ternAlertKeys(nt + "\n", "new-terms"), ["/dev/shm/x.so\tcurl\te1", "/usr/lib/y.so\tld\te2"]);
  assert.deepEqual(ternAlertKeys(nt, "query"), ["e1", "e2"]);
});

test("seedAsQueryRule: same query, type query, new rule_id, no new_terms section", () => {
  const seed = readFileSync(join(SEED_DIR, "shared_object_new_terms.toml"), "utf8");
  const q = parseToml(seedAsQueryRule(seed)) as { rule: Record<string, unknown> };
  const s = parseToml(seed) as { rule: Record<string, unknown> };
  assert.equal(q.rule.type, "query");
  assert.equal(q.rule.query, s.rule.query);
  assert.equal(q.rule.rule_id, "0b7c6a3e-6d0e-4c56-9a57-3c2b7d9e0001");
  assert.equal(q.rule.max_signals, 100000000);
  assert.equal(q.rule.new_terms, undefined);
  assert.equal(q.rule.name, "Shared Object Created or Changed by Previously Unknown Process (query form, benchmark)");
});

test("linuxCorpusRules: the 63 Linux new_terms and 21 Linux query rules (kuery) of the corpus", () => {
  const picks = linuxCorpusRules(CORPUS_DIR);
  assert.deepEqual(
    { new_terms: picks.filter((p) => p.type === "new_terms").length, query: picks.filter((p) => p.type === "query").length },
    { new_terms: 63, query: 21 },
  );
  assert.equal(picks.some((p) => p.path.includes("_deprecated")), false);
});

test("checkAgreement: counts against the generator, then pairwise multisets with samples", () => {
  assert.deepEqual(checkAgreement("m", 2, [{ name: "a", keys: ["x", "y"] }, { name: "b", keys: ["y", "x"] }]), []);
  assert.deepEqual(checkAgreement("m", 2, [{ name: "a", keys: ["x", "y"] }, { name: "b", keys: ["x", "z", "w"] }]), [
    "m: b returned 3, the generator made 2",
    'm: a (2) and b (3) disagree; only in a: ["y"]; only in b: ["w","z"]',
  ]);
  assert.deepEqual(checkAgreement("m", undefined, [{ name: "a", keys: ["x", "x"] }, { name: "b", keys: ["x"] }]), ['m: a (2) and b (1) disagree; only in a: []; only in b: []']);
});

test("ternAlertKeysOfFile: the same keys, streamed from a file", async () => {
  const f = join(mkdtempSync(join(tmpdir(), "tern-bench-k-")), "alerts.ndjson");
  writeFileSync(f, [JSON.stringify({ kibana: { alert: { new_terms: ["/dev/shm/x.so", "curl"] } }, event: { id: "e1" } }), "", JSON.stringify({ "kibana.alert.new_terms": ["/usr/lib/y.so", "ld"], "event.id": "e2" })].join("\r\n"));
  assert.deepEqual(await ternAlertKeysOfFile(f, "new-terms"), ["/dev/shm/x.so\tcurl\te1", "/usr/lib/y.so\tld\te2"]);
});

test("linuxEqlCorpusRules: the 401 Linux EQL rules of the corpus, with their kind and index patterns", () => {
  const picks = linuxEqlCorpusRules(CORPUS_DIR);
  assert.equal(picks.length, 401);
  assert.equal(picks.some((p) => p.path.includes("_deprecated")), false);
  assert.equal(new Set(picks.map((p) => p.ruleId)).size, 401);
  const kinds = { event: 0, sequence: 0, sample: 0 };
  for (const p of picks) kinds[p.kind]++;
  assert.deepEqual(kinds, { event: 318, sequence: 80, sample: 3 });
  // the bench file's index: only the rules naming logs-endpoint.events.* (or wider) take it
  assert.equal(rulesReaching(picks, "logs-endpoint.events.bench-default").length, 24);
});

test("eqlQueryKind: first keyword after comments", () => {
  assert.equal(eqlQueryKind('process where process.name == "x"'), "event");
  assert.equal(eqlQueryKind("  /* c */ // d\n SEQUENCE by host.id [a where true] [b where true]"), "sequence");
  assert.equal(eqlQueryKind("sample by host.id [a where true] [b where true]"), "sample");
  assert.equal(eqlQueryKind("any where sequence_number == 1"), "event");
});

const pick = (ruleId: string, kind: EqlPick["kind"], index?: string[]): EqlPick => ({ path: `/r/${ruleId}.toml`, ruleId, query: "", kind, ...(index !== undefined ? { index } : {}) });

test("rulesReaching: index patterns as tern routes them (wildcards, exclusions, none = all)", () => {
  const picks = [pick("a", "event", ["logs-endpoint.events.*"]), pick("b", "event", ["logs-endpoint.events.process-*"]), pick("c", "event"), pick("d", "event", ["logs-*", "-logs-endpoint.events.bench-*"])];
  assert.deepEqual(rulesReaching(picks, "logs-endpoint.events.bench-default").map((p) => p.ruleId), ["a", "c"]);
});

test("pyeqlSubset: runnable rules in corpus order, event queries compared", () => {
  const picks = [pick("a", "event"), pick("b", "sequence"), pick("c", "event"), pick("d", "sample")];
  assert.deepEqual(pyeqlSubset(picks, ["d", "c", "b", "zz"]), { subset: [picks[1], picks[2], picks[3]], compared: ["c"] });
  assert.deepEqual(pyeqlSubset(picks, []), { subset: [], compared: [] });
});

test("compareEqlCounts: missing counts are 0, differing rows listed", () => {
  const r = compareEqlCounts(["a", "b", "c"], new Map([["a", 3], ["b", 2]]), { a: 3, c: 1 });
  assert.deepEqual(r.rows, [{ ruleId: "a", tern: 3, python: 3 }, { ruleId: "b", tern: 2, python: 0 }, { ruleId: "c", tern: 0, python: 1 }]);
  assert.deepEqual(r.differ.map((x) => x.ruleId), ["b", "c"]);
});

test("ternAlertCountsByRule: alerts per rule_id, dotted or nested", async () => {
  const f = join(mkdtempSync(join(tmpdir(), "tern-bench-r-")), "alerts.ndjson");
  writeFileSync(f, [JSON.stringify({ "kibana.alert.rule.rule_id": "r1" }), JSON.stringify({ kibana: { alert: { rule: { rule_id: "r2" } } } }), "", JSON.stringify({ "kibana.alert.rule.rule_id": "r1" })].join("\n"));
  assert.deepEqual([...(await ternAlertCountsByRule(f))], [["r1", 2], ["r2", 1]]);
});

test("uniqueRuleFileNames: base names, prefixed by parent directories on a collision", () => {
  assert.deepEqual(uniqueRuleFileNames(["/c/rules/linux/a.toml", "/c/rules/cross-platform/a.toml", "/c/rules/linux/b.toml", "/c/rules_building_block/linux/a.toml"]), [
    "a.toml",
    "cross-platform_a.toml",
    "b.toml",
    "linux_a.toml",
  ]);
});
