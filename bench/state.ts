// Benchmark of the SQLite memory (issue 4 "Memory"): 1 M distinct term combinations of one new_terms rule
// (2 fields, Defend-like values) written in transactions of 10 000, then the state file's size, the time
// to build the set's in-memory terms index (state/term-index.ts) from the table, the process RSS, and
// lookups/s on keys drawn uniformly from all N: single getTerm, absent keys, getTerms over 100 000 keys
// (the engine's per-run and per-batch call), and 10 000 hot keys. `*_sqlite` rates are the same lookups
// on a second connection opened with `termIndex: false` (SQLite B-tree, read transactions of 10 000).
// Run: npm run bench:state [-- <combinations> [<page cache MiB, default 32>]]

import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SqliteStore } from "../src/state/sqlite.js";

const N = Number(process.argv[2] ?? 1_000_000);
const CACHE_MB = Number(process.argv[3] ?? 32);
const RULE = "aebaa51f-2a91-4f6a-850b-b601db2293f4";
const FIELDS = JSON.stringify(["file.path", "process.name"]);
const combo = (i: number) => JSON.stringify([`/usr/lib/x86_64-linux-gnu/lib${i.toString(36)}.so.${i % 7}`, `proc-${i % 997}`]);
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), "tern-bench-"));
const path = join(dir, "state.db");
// --expose-gc set at run time, as tsx takes no node flags.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const rssStart = process.memoryUsage().rss;
// indexAfterLookups 0: the first lookup builds the index, so that its build is timed alone.
const store = SqliteStore.open(path, { cacheMb: CACHE_MB, indexAfterLookups: 0 });
const t0 = Date.now();
let t = Date.parse("2024-05-01T00:00:00Z");
for (let i = 0; i < N; i += 10_000) {
  store.transaction(() => {
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      t += 1000;
      store.upsertTerm(RULE, FIELDS, { key: combo(j), first: t, last: t, count: 1 });
    }
  });
}
const writeMs = Date.now() - t0;
store.db.pragma("wal_checkpoint(TRUNCATE)");
const fileBytes = statSync(path).size + (existsSync(path + "-wal") ? statSync(path + "-wal").size : 0);

// Deterministic pseudo-random order (mulberry32, exact 32-bit integer steps) so runs compare.
let seed = 12345;
const next = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let z = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
  return (z ^ (z >>> 14)) >>> 0;
};
const LOOKUPS = 1_000_000;
const ROUND = 100_000;
// Fresh uniform keys per round (built outside the timed part): each round draws from all N combinations.
const uniform = () => Array.from({ length: ROUND }, () => combo(next() % N));
const absentKeys = () => Array.from({ length: ROUND }, () => combo(N + (next() % N)));
type Rate = { ok: number; ns: number };
const singles = (st: SqliteStore, list: string[], expectHit: boolean, r: Rate) => {
  const t = process.hrtime.bigint();
  for (const k of list) if ((st.getTerm(RULE, FIELDS, k) !== undefined) === expectHit) r.ok++;
  r.ns += Number(process.hrtime.bigint() - t);
};

// The first lookup builds the index from one scan of the set's rows.
const tb = process.hrtime.bigint();
store.getTerm(RULE, FIELDS, combo(0));
const buildMs = Number(process.hrtime.bigint() - tb) / 1e6;
const index = store.termIndexStats();
const rssIndexed = process.memoryUsage().rss;
gc(); // the scan's 1 M combination strings are garbage now
const rssIndexedGc = process.memoryUsage().rss;

const hit: Rate = { ok: 0, ns: 0 };
for (let r = 0; r < LOOKUPS / ROUND; r++) singles(store, uniform(), true, hit);
const miss: Rate = { ok: 0, ns: 0 };
for (let r = 0; r < LOOKUPS / ROUND; r++) singles(store, absentKeys(), false, miss);
const hotKeys = Array.from({ length: 10_000 }, () => combo(next() % N));
const hot: Rate = { ok: 0, ns: 0 };
for (let r = 0; r < LOOKUPS / hotKeys.length; r++) singles(store, hotKeys, true, hot);
let batchHits = 0;
let batchNs = 0;
let distinctBatch = 0;
for (let r = 0; r < LOOKUPS / ROUND; r++) {
  const batchKeys = uniform();
  distinctBatch += new Set(batchKeys).size;
  const t3 = process.hrtime.bigint();
  batchHits += store.getTerms(RULE, FIELDS, batchKeys).size;
  batchNs += Number(process.hrtime.bigint() - t3);
}
// Machine-speed reference: the cheapest possible statement through the same driver.
const one = store.db.prepare("SELECT 1");
const t4 = process.hrtime.bigint();
for (let i = 0; i < LOOKUPS; i++) one.get();
const oneNs = Number(process.hrtime.bigint() - t4);
// RSS after a full collection: the store's page cache and index, not the benchmark's own garbage (key
// strings and result maps).
const rssBeforeGc = process.memoryUsage().rss;
gc();
const rss = process.memoryUsage().rss;
const heapUsed = process.memoryUsage().heapUsed;
const heapTotal = process.memoryUsage().heapTotal;
const external = process.memoryUsage().arrayBuffers;
// The same uniform lookups straight from SQLite (after the RSS measure, which its page cache would inflate).
const raw = SqliteStore.open(path, { cacheMb: CACHE_MB, termIndex: false });
const rawHit: Rate = { ok: 0, ns: 0 };
const SQLITE_LOOKUPS = LOOKUPS / 5;
for (let r = 0; r < SQLITE_LOOKUPS / ROUND; r++) {
  const list = uniform();
  const t = process.hrtime.bigint();
  for (let i = 0; i < list.length; i += 10_000) {
    raw.read(() => {
      for (let j = i; j < i + 10_000; j++) if (raw.getTerm(RULE, FIELDS, list[j]) !== undefined) rawHit.ok++;
    });
  }
  rawHit.ns += Number(process.hrtime.bigint() - t);
}
raw.close();
store.close();
rmSync(dir, { recursive: true, force: true });

const perSecond = (n: number, ns: number) => Math.round(n / (ns / 1e9));
const result = {
  combinations: N,
  cache_mb: CACHE_MB,
  write_seconds: +(writeMs / 1000).toFixed(2),
  writes_per_second: Math.round(N / (writeMs / 1000)),
  state_file_mb: +mb(fileBytes),
  index_build_ms: Math.round(buildMs),
  index_entries: index.entries,
  index_mb: +mb(index.bytes),
  rss_at_start_mb: +mb(rssStart),
  rss_after_index_build_mb: +mb(rssIndexed),
  rss_after_index_build_gc_mb: +mb(rssIndexedGc),
  rss_mb: +mb(rss),
  rss_before_gc_mb: +mb(rssBeforeGc),
  heap_used_mb: +mb(heapUsed),
  heap_total_mb: +mb(heapTotal),
  array_buffers_mb: +mb(external),
  lookups_per_second_uniform: perSecond(LOOKUPS, hit.ns),
  lookups_per_second_absent: perSecond(LOOKUPS, miss.ns),
  lookups_per_second_hot: perSecond(LOOKUPS, hot.ns),
  lookups_per_second_batched_uniform: perSecond(LOOKUPS, batchNs),
  lookups_per_second_uniform_sqlite: perSecond(SQLITE_LOOKUPS, rawHit.ns),
  select_1_per_second: perSecond(LOOKUPS, oneNs),
  load_average_1m: +(loadavg()[0]).toFixed(2),
};
console.log(JSON.stringify(result, null, 2));
if (hit.ok !== LOOKUPS || miss.ok !== LOOKUPS || hot.ok !== LOOKUPS || rawHit.ok !== SQLITE_LOOKUPS || batchHits !== distinctBatch) process.exitCode = 1;
