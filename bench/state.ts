// Benchmark of the SQLite memory (issue 4 "Memory"): 1 M distinct term combinations of one new_terms rule
// (2 fields, Defend-like values) written in transactions of 10 000, then the state file's size, the
// process RSS, and lookups/s: single getTerm inside read transactions of 10 000 (random existing keys,
// then absent keys), the same one statement at a time, and getTerms over many keys, which the engine uses
// for a run's or a batch's combinations. The store's in-process terms cache (100 000 entries by default)
// serves repeated keys; `*_sqlite` rates bypass it (a second connection without cache) and the uniform
// getTerms rate draws from all N keys, so the cache holds only a small share of them.
// Run: npm run bench:state [-- <combinations> [<page cache MiB, default 32> [<terms cache entries>]]]

import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DEFAULT_TERM_CACHE_ENTRIES, SqliteStore } from "../src/state/sqlite.js";

const N = Number(process.argv[2] ?? 1_000_000);
const CACHE_MB = Number(process.argv[3] ?? 32);
const TERM_CACHE = process.argv[4] !== undefined ? Number(process.argv[4]) : undefined;
const RULE = "aebaa51f-2a91-4f6a-850b-b601db2293f4";
const FIELDS = JSON.stringify(["file.path", "process.name"]);
const combo = (i: number) => JSON.stringify([`/usr/lib/x86_64-linux-gnu/lib${i.toString(36)}.so.${i % 7}`, `proc-${i % 997}`]);
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), "tern-bench-"));
const path = join(dir, "state.db");
const store = SqliteStore.open(path, { cacheMb: CACHE_MB, ...(TERM_CACHE !== undefined ? { termCacheEntries: TERM_CACHE } : {}) });
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
const keys = Array.from({ length: 10_000 }, () => combo(next() % N));
// Single lookups as the engine makes them: many inside one read transaction (a batch).
const inReadTxn = (st: SqliteStore, list: string[], expectHit: boolean, lookups = LOOKUPS): [number, number] => {
  let ok = 0;
  const t = process.hrtime.bigint();
  for (let r = 0; r < lookups / list.length; r++) {
    st.read(() => {
      for (const k of list) if ((st.getTerm(RULE, FIELDS, k) !== undefined) === expectHit) ok++;
    });
  }
  return [ok, Number(process.hrtime.bigint() - t)];
};
const [hits, lookupNs] = inReadTxn(store, keys, true);
const absent = Array.from({ length: 10_000 }, (_, i) => combo(N + i));
const [misses, missNs] = inReadTxn(store, absent, false);
// The store's footprint before the uniform rounds below churn through about 100 MB of key strings and result maps.
const rssHot = process.memoryUsage().rss;
// The same lookups one statement at a time (each its own implicit transaction), for comparison.
const t5 = process.hrtime.bigint();
for (let i = 0; i < LOOKUPS / 10; i++) store.getTerm(RULE, FIELDS, keys[i % keys.length]);
const autoNs = Number(process.hrtime.bigint() - t5);
// getTerms over 100 000 keys at a time, the way the engine looks up a run's or a batch's combinations:
// fresh uniform draws over all N keys each round, so the terms cache serves only about its share of N.
const BATCH = 100_000;
let batchHits = 0;
let batchNs = 0;
let distinctBatch = 0;
const cacheBefore = store.termCacheStats();
for (let r = 0; r < LOOKUPS / BATCH; r++) {
  const batchKeys = Array.from({ length: BATCH }, () => combo(next() % N));
  distinctBatch += new Set(batchKeys).size;
  const t3 = process.hrtime.bigint();
  batchHits += store.getTerms(RULE, FIELDS, batchKeys).size;
  batchNs += Number(process.hrtime.bigint() - t3);
}
const cacheAfter = store.termCacheStats();
// Machine-speed reference: the cheapest possible statement through the same driver.
const one = store.db.prepare("SELECT 1");
const t4 = process.hrtime.bigint();
for (let i = 0; i < LOOKUPS; i++) one.get();
const oneNs = Number(process.hrtime.bigint() - t4);
// RSS after a full collection: the store's SQLite page cache and terms cache, not the benchmark's own
// garbage (10 rounds of 100 000 fresh key strings). --expose-gc set at run time, as tsx takes no node flags.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const rssBeforeGc = process.memoryUsage().rss;
gc();
const rss = process.memoryUsage().rss;
const heapUsed = process.memoryUsage().heapUsed;
const cacheStats = store.termCacheStats();
// The hot keys straight from SQLite: a second connection whose terms cache is off (after the RSS
// measure, which it would inflate by its own page cache).
const raw = SqliteStore.open(path, { cacheMb: CACHE_MB, termCacheEntries: 0 });
inReadTxn(raw, keys, true, keys.length); // warm its page cache as the first cached round warmed the store's
const [rawHits, rawNs] = inReadTxn(raw, keys, true, LOOKUPS / 5);
raw.close();
store.close();
rmSync(dir, { recursive: true, force: true });

const result = {
  combinations: N,
  cache_mb: CACHE_MB,
  write_seconds: +(writeMs / 1000).toFixed(2),
  writes_per_second: Math.round(N / (writeMs / 1000)),
  state_file_mb: +mb(fileBytes),
  rss_after_hot_lookups_mb: +mb(rssHot),
  rss_mb: +mb(rss),
  rss_before_gc_mb: +mb(rssBeforeGc),
  heap_used_mb: +mb(heapUsed),
  term_cache_entries: TERM_CACHE ?? DEFAULT_TERM_CACHE_ENTRIES,
  term_cache_hit_ratio: +(cacheStats.hits / Math.max(1, cacheStats.hits + cacheStats.misses)).toFixed(3),
  lookups_per_second_hit_sqlite: Math.round(LOOKUPS / 5 / (rawNs / 1e9)),
  lookups_per_second_hit: Math.round(LOOKUPS / (lookupNs / 1e9)),
  lookups_per_second_miss: Math.round(LOOKUPS / (missNs / 1e9)),
  lookups_per_second_hit_autocommit: Math.round(LOOKUPS / 10 / (autoNs / 1e9)),
  lookups_per_second_batched_uniform: Math.round(LOOKUPS / (batchNs / 1e9)),
  batched_uniform_cache_hit_ratio: +((cacheAfter.hits - cacheBefore.hits) / Math.max(1, cacheAfter.hits - cacheBefore.hits + cacheAfter.misses - cacheBefore.misses)).toFixed(3),
  select_1_per_second: Math.round(LOOKUPS / (oneNs / 1e9)),
  load_average_1m: +(loadavg()[0]).toFixed(2),
  hits,
  misses,
};
console.log(JSON.stringify(result, null, 2));
if (rawHits !== LOOKUPS / 5 || hits !== LOOKUPS || misses !== LOOKUPS || batchHits !== distinctBatch) process.exitCode = 1;
