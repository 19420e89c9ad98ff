// Benchmark (not a test) for exceptions with large value lists: a keyword list of 1 M values, an ip_range
// list of 100 k CIDRs and one of 100 k `a-b` ranges, each an exception item of its own, loaded from files as
// `tern run --exceptions … --value-list …` loads them. Reports the time to load and compile, the memory it
// takes, and lookups/s of the compiled exception filter over events that hit or miss each list.
// Run: npm run bench:lists [-- --keywords 1000000 --cidrs 100000 --ranges 100000 --seconds 2].

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { exceptionsFor, loadExceptionSet, unattachedLists } from "../src/rules/exceptions.js";
import { compileRuleFilters } from "../src/compile/filters/index.js";
import { Rng } from "../src/testing/gen/rng.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const KEYWORDS = arg("keywords", 1_000_000);
const CIDRS = arg("cidrs", 100_000);
const RANGES = arg("ranges", 100_000);
const SECONDS = arg("seconds", 2);

const rng = new Rng(42);
const int = (n: number) => rng.int(n);
const mib = (b: number) => (b / 1_048_576).toFixed(0);

// Lists: user names u<i>; CIDRs 10.x.y.0/24 over distinct /24s; ranges of 16 addresses in 172.16.0.0/12.
const cidrOf = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.0/24`;
const rangeOf = (i: number) => {
  const base = i * 32;
  const ip = (n: number) => `172.${16 + ((n >> 16) & 15)}.${(n >> 8) & 255}.${n & 255}`;
  return `${ip(base)}-${ip(base + 15)}`;
};

const dir = mkdtempSync(join(tmpdir(), "tern-bench-lists-"));
try {
  writeFileSync(join(dir, "names.txt"), Array.from({ length: KEYWORDS }, (_, i) => `u${i}`).join("\n") + "\n");
  writeFileSync(join(dir, "cidrs.txt"), Array.from({ length: CIDRS }, (_, i) => cidrOf(i)).join("\n") + "\n");
  writeFileSync(join(dir, "ranges.txt"), Array.from({ length: RANGES }, (_, i) => rangeOf(i)).join("\n") + "\n");
  const item = (id: string, entries: unknown[]) => JSON.stringify({ item_id: id, name: id, list_id: "big", namespace_type: "single", type: "simple", entries });
  writeFileSync(
    join(dir, "exceptions.ndjson"),
    [
      JSON.stringify({ list_id: "big", namespace_type: "single", name: "big", type: "detection" }),
      item("names", [{ field: "user.name", operator: "included", type: "list", list: { id: "names", type: "keyword" } }]),
      item("cidrs", [{ field: "source.ip", operator: "included", type: "list", list: { id: "cidrs", type: "ip_range" } }]),
      item("ranges", [{ field: "destination.ip", operator: "included", type: "list", list: { id: "ranges", type: "ip_range" } }]),
    ].join("\n") + "\n",
  );

  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const set = loadExceptionSet([join(dir, "exceptions.ndjson")], [
    { id: "names", file: join(dir, "names.txt") },
    { id: "cidrs", file: join(dir, "cidrs.txt") },
    { id: "ranges", file: join(dir, "ranges.txt") },
  ]);
  const rules = [{}];
  const ex = exceptionsFor({}, set, unattachedLists(rules, set));
  const excluded = compileRuleFilters([ex.filter]);
  if (excluded === undefined) throw new Error("no exception filter");
  const loadMs = performance.now() - t0;
  global.gc?.();
  const rss1 = process.memoryUsage().rss;

  // Events: a quarter hit each list, a quarter hit none (the filter keeps them).
  const events = Array.from({ length: 100_000 }, () => {
    const k = int(4);
    return {
      user: { name: k === 0 ? `u${int(KEYWORDS)}` : `x${int(KEYWORDS)}` },
      source: { ip: k === 1 ? cidrOf(int(CIDRS)).replace(".0/24", `.${1 + int(250)}`) : `11.0.${int(255)}.${int(255)}` },
      destination: { ip: k === 2 ? rangeOf(int(RANGES)).split("-")[0].replace(/\.(\d+)$/, (_m, d: string) => `.${Number(d) + int(16)}`) : `192.168.${int(255)}.${int(255)}` },
    };
  });
  let kept = 0;
  for (const e of events) if (excluded(e)) kept++;
  const rounds: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    const s = performance.now();
    for (const e of events) excluded(e);
    rounds.push(performance.now() - s);
  }
  const best = Math.min(...rounds);
  const lines = [
    `value lists: ${KEYWORDS.toLocaleString("en")} keywords, ${CIDRS.toLocaleString("en")} CIDRs, ${RANGES.toLocaleString("en")} ip ranges (load average ${loadavg()[0].toFixed(2)})`,
    `load + compile: ${(loadMs / 1000).toFixed(2)} s; RSS ${mib(rss0)} → ${mib(rss1)} MiB (+${mib(rss1 - rss0)})`,
    `events kept by the exceptions: ${kept.toLocaleString("en")} of ${events.length.toLocaleString("en")} (expected about a quarter)`,
    `exception filter: ${Math.round(events.length / (best / 1000)).toLocaleString("en")} events/s (best of ${rounds.length} rounds; each event looks up all three lists unless one hits)`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
