// `npm run fuzz -- [--seed N] [--runs N | --minutes M] [--target kql|eql|rules|ecs|auditd|sysmon|all]...
// [--out DIR] [--path P]`: the fuzz campaign (docs/fuzzing.md). Prints, per target, the inputs tried,
// the seeds, the time and every failure with how to replay it; minimised inputs go under --out
// (default fuzz-out/). --minutes is the whole budget, shared evenly by the targets. Exit 1 on a failure.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fuzzTarget, type TargetReport } from "../src/testing/fuzz/campaign.js";
import { TARGET_NAMES, type TargetName } from "../src/testing/fuzz/target.js";

function usage(msg: string): never {
  console.error(`fuzz: ${msg}\nusage: npm run fuzz -- [--seed N] [--runs N | --minutes M] [--target ${TARGET_NAMES.join("|")}|all]... [--out DIR] [--path P]`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let seed = Date.now() % 2 ** 31;
let runs: number | undefined;
let minutes: number | undefined;
let path: string | undefined;
let out = "fuzz-out";
const targets: TargetName[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => argv[++i] ?? usage(`${a} needs a value`);
  const num = () => {
    const n = Number(value());
    if (!Number.isFinite(n) || n < 0) usage(`${a} needs a non-negative number`);
    return n;
  };
  if (a === "--seed") seed = Math.trunc(num());
  else if (a === "--runs") runs = Math.max(1, Math.trunc(num()));
  else if (a === "--minutes") minutes = num();
  else if (a === "--path") path = value();
  else if (a === "--out") out = value();
  else if (a === "--target") {
    for (const t of value().split(",")) {
      if (t === "all") targets.push(...TARGET_NAMES);
      else if ((TARGET_NAMES as readonly string[]).includes(t)) targets.push(t as TargetName);
      else usage(`unknown target "${t}"`);
    }
  } else usage(`unknown argument "${a}"`);
}
if (runs !== undefined && minutes !== undefined) usage("--runs and --minutes cannot be used together");
const chosen = [...new Set(targets.length === 0 ? TARGET_NAMES : targets)];
const work = mkdtempSync(join(tmpdir(), "tern-fuzz-"));
const outDir = resolve(out);
const timeMs = minutes === undefined ? undefined : (minutes * 60_000) / chosen.length;

const fmt = (n: number) => n.toLocaleString("en-US");
const reports: TargetReport[] = [];
console.log(`fuzz: seed ${seed}, ${minutes !== undefined ? `${minutes} min in all` : runs !== undefined ? `${runs} runs each` : "default runs"}, targets ${chosen.join(", ")}`);
try {
  for (const t of chosen) {
    const r = await fuzzTarget(t, { seed, runs, timeMs, path, outDir, workDir: join(work, t) });
    reports.push(r);
    const seeds = r.seeds.length === 1 ? `seed ${r.seeds[0]}` : `seeds ${r.seeds[0]}…${r.seeds[r.seeds.length - 1]}`;
    console.log(`${t.padEnd(7)} ${fmt(r.inputs).padStart(9)} inputs (${fmt(r.runs)} runs, ${fmt(r.shrinks)} shrinks)  ${seeds}  ${(r.ms / 1000).toFixed(1)} s  ${r.failures.length} failure${r.failures.length === 1 ? "" : "s"}`);
    for (const n of r.notes) console.log(`        ${n}`);
    for (const f of r.failures) {
      console.log(`  FAIL  ${f.message}`);
      console.log(`        input: ${f.input}`);
      console.log(`        saved: ${f.files.join(", ")}`);
      console.log(`        replay: ${f.replay}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const failed = reports.reduce((n, r) => n + r.failures.length, 0);
console.log(`fuzz: ${fmt(reports.reduce((n, r) => n + r.inputs, 0))} inputs, ${failed} failure${failed === 1 ? "" : "s"}`);
process.exitCode = failed > 0 ? 1 : 0;
