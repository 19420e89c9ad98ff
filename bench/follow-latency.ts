// Benchmark (not a test) of `tern run --follow`: how long an alert takes from the line being written to the
// alert on tern's stdout, at a steady write rate. A writer appends the bench workload's non-matching events
// (its near misses included, so the prefilter passes some to the parser) at the given rate, in a burst every
// 10 ms, and every 100 ms one shared-object write with a path never seen before, which the seed rule alerts
// on. Latency = the alert line read from tern's stdout − the marker line's write, per marker; p50, p99 and
// the worst are reported per rate, with the rate the writer achieved and any marker never alerted.
// Run: npm run bench:follow [-- --rates 1000,10000,50000 --seconds 10 --poll-interval-ms 250].

import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { benchLines } from "../src/testing/gen/bench.js";
import { REPO_ROOT, SEED_DIR } from "../src/testing/paths.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RATES = arg("rates", "1000,10000,50000").split(",").map(Number);
const SECONDS = Number(arg("seconds", "10"));
const POLL_MS = Number(arg("poll-interval-ms", "250"));
const TICK_MS = 10;
const MARKER_EVERY_MS = 100;
/** How long to wait for the last markers' alerts once writing stops. */
const DRAIN_MS = 15_000;

// Noise: the workload's lines with no matching event (near misses kept), cycled.
const POOL = [...benchLines({ events: 20_000, seed: 7, matchFraction: 0, pairs: 0, days: 1 })].map((l) => l + "\n");
const markerPath = (k: number) => `/usr/lib/x86_64-linux-gnu/liblatency-${k}.so`;
function markerLine(k: number): string {
  const now = new Date().toISOString();
  return (
    JSON.stringify({
      "@timestamp": now,
      host: { name: "bench-host", os: { type: "linux" } },
      event: { action: "creation", category: ["file"], ingested: now },
      file: { path: markerPath(k), extension: "so", name: `liblatency-${k}.so` },
      process: { name: "ld", executable: "/usr/bin/ld" },
    }) + "\n"
  );
}

interface Result {
  rate: number;
  achieved: number;
  markers: number;
  missing: number;
  p50: number;
  p99: number;
  max: number;
}

const pct = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

async function measure(rate: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "tern-bench-follow-"));
  const file = join(dir, "logs-endpoint.events.file-default.ndjson");
  const fd = openSync(file, "a", 0o600);
  const written = new Map<string, number>();
  const latencies: number[] = [];
  const tern = spawn(process.execPath, [join(REPO_ROOT, "bin", "tern.js"), "run", join(SEED_DIR, "shared_object_new_terms.toml"), "--follow", "--events", file, "--state", join(dir, "s.db"), "--poll-interval-ms", String(POLL_MS)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  tern.stderr.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const lines = createInterface({ input: tern.stdout });
  let warmed: () => void = () => undefined;
  const warm = new Promise<void>((r) => (warmed = r));
  lines.on("line", (l) => {
    const at = performance.now();
    const path = ((JSON.parse(l) as { file?: { path?: string } }).file ?? {}).path ?? "";
    const t = written.get(path);
    if (path === markerPath(-1)) warmed();
    else if (t !== undefined) latencies.push(at - t);
  });
  try {
    // one marker before the clock starts: tern is up and following once it alerts
    writeSync(fd, markerLine(-1));
    written.set(markerPath(-1), performance.now());
    await Promise.race([warm, new Promise((_, rej) => setTimeout(() => rej(new Error(`tern did not start: ${stderr}`)), 30_000))]);
    const t0 = performance.now();
    let lines = 0;
    let markers = 0;
    let p = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      const elapsed = performance.now() - t0;
      const due = Math.floor((rate * elapsed) / 1000) - lines;
      let chunk = "";
      for (let i = 0; i < due; i++) chunk += POOL[p++ % POOL.length];
      lines += Math.max(0, due);
      if (chunk !== "") writeSync(fd, chunk);
      if (elapsed >= markers * MARKER_EVERY_MS) {
        writeSync(fd, markerLine(markers));
        written.set(markerPath(markers), performance.now());
        markers++;
        lines++;
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    const achieved = lines / ((performance.now() - t0) / 1000);
    const until = performance.now() + DRAIN_MS;
    while (latencies.length < markers && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    const sorted = [...latencies].sort((a, b) => a - b);
    return { rate, achieved, markers, missing: markers - latencies.length, p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
  } finally {
    tern.kill("SIGTERM");
    await new Promise((r) => tern.once("exit", r));
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const rate of RATES) results.push(await measure(rate));
const ms = (x: number) => (Number.isNaN(x) ? "–" : `${(x / 1000).toFixed(3)} s`);
process.stdout.write(`tern --follow, the seed rule, poll every ${POLL_MS} ms, ${SECONDS} s per rate, load ${loadavg()[0].toFixed(1)}\n`);
process.stdout.write("| rate asked | rate written | markers | alerted | p50 | p99 | worst |\n|---|---|---|---|---|---|---|\n");
for (const r of results) {
  process.stdout.write(`| ${r.rate.toLocaleString("en-US")}/s | ${Math.round(r.achieved).toLocaleString("en-US")}/s | ${r.markers} | ${r.markers - r.missing} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} |\n`);
}
