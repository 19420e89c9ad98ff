// The fuzz campaign driver (docs/fuzzing.md): runs one target for a number of runs or a time budget,
// as fast-check runs in chunks (chunk i uses seed + i, so any chunk replays on its own), and reports the
// inputs tried and every failure with its seed, fast-check path and minimised input saved under the
// output directory. KQL, EQL and rule targets run in a watched child process (child.ts): an input that
// hangs or exhausts memory cannot be interrupted in-process, so the parent kills the child and reports
// the input it was on. Event targets run the CLI in a child per input and are driven from here.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { eventTarget } from "./event-targets.js";
import { eqlTarget, kqlTarget, rulesTarget } from "./text-targets.js";
import { IN_PROCESS_TARGETS, type FuzzTarget, type TargetName } from "./target.js";

export interface FuzzOptions {
  readonly seed: number;
  /** fast-check runs (one chunk); ignored when `timeMs` is set. */
  readonly runs?: number;
  /** Time budget for the target: chunks of `chunkRuns` run until it is spent. */
  readonly timeMs?: number;
  readonly chunkRuns?: number;
  /** fast-check's counterexample path, to replay one failure (with its chunk's seed and runs). */
  readonly path?: string;
  /** Where failures are saved. */
  readonly outDir: string;
  /** Scratch space (events files, state databases). */
  readonly workDir: string;
  /** One in-process input may take this long plus 0.25 ms per byte of it (default 2,000 ms). */
  readonly stepLimitMs?: number;
  /** No progress for this long plus 0.75 ms per byte of the input is a hang (default 60 s). */
  readonly hangMs?: number;
}

export interface FuzzFailure {
  readonly target: TargetName;
  readonly message: string;
  readonly input: string;
  readonly seed: number;
  readonly runs: number;
  readonly path: string | null;
  readonly files: readonly string[];
  /** How to run it again. */
  readonly replay: string;
}

export interface TargetReport {
  readonly target: TargetName;
  /** Inputs checked, shrinking included. */
  readonly inputs: number;
  /** fast-check runs (generated inputs). */
  readonly runs: number;
  readonly shrinks: number;
  readonly ms: number;
  readonly seeds: readonly number[];
  readonly failures: readonly FuzzFailure[];
  readonly notes: readonly string[];
}

export const DEFAULT_RUNS: Readonly<Record<"inProcess" | "events", number>> = { inProcess: 1000, events: 30 };
const CHUNK: Readonly<Record<"inProcess" | "events", number>> = { inProcess: 500, events: 10 };
const MAX_FAILURES = 5;
/** Time an in-process input may take per byte, beyond the step limit (a hang: 3 times as much). */
const PER_BYTE_MS = 0.25;

const here = fileURLToPath(import.meta.url);

export async function makeTarget(name: TargetName, workDir: string): Promise<FuzzTarget<unknown>> {
  switch (name) {
    case "kql":
      return kqlTarget() as FuzzTarget<unknown>;
    case "eql":
      return eqlTarget() as FuzzTarget<unknown>;
    case "rules":
      return rulesTarget(join(workDir, "rules")) as FuzzTarget<unknown>;
    case "ecs":
    case "auditd":
    case "sysmon":
      return (await eventTarget(name, { workDir })) as FuzzTarget<unknown>;
  }
}

/** Runs `target` in this process; `current` (if given) receives each input before it is checked. */
export async function runChunks(target: FuzzTarget<unknown>, opts: FuzzOptions, current?: string): Promise<TargetReport> {
  const kind = IN_PROCESS_TARGETS.includes(target.name) ? "inProcess" : "events";
  const started = performance.now();
  const deadline = opts.timeMs === undefined ? undefined : started + opts.timeMs;
  const stepLimit = opts.stepLimitMs ?? 2000;
  let inputs = 0;
  let runs = 0;
  let shrinks = 0;
  const seeds: number[] = [];
  const failures: FuzzFailure[] = [];
  const property = fc.asyncProperty(target.arbitrary, async (input) => {
    inputs++;
    const rendered = target.render(input);
    if (current !== undefined) writeFileSync(current, rendered);
    const t0 = performance.now();
    await target.check(input);
    const ms = performance.now() - t0;
    // linear work on a large input is no failure; a superlinear blow-up is
    const bound = stepLimit + PER_BYTE_MS * rendered.length;
    if (kind === "inProcess" && ms > bound) throw new Error(`took ${Math.round(ms)} ms (bound ${Math.round(bound)} ms for ${rendered.length} bytes)`);
  });
  for (let i = 0; ; i++) {
    const seed = (opts.seed + i) | 0;
    const numRuns = deadline === undefined ? (opts.runs ?? DEFAULT_RUNS[kind]) : (opts.chunkRuns ?? CHUNK[kind]);
    seeds.push(seed);
    // A chunk of large inputs can outlast the budget: it is interrupted a minute after it (the minute lets
    // a failure found near the end shrink).
    const plugins = deadline === undefined ? [] : [fc.interruptAfterTimeLimit(Math.max(1000, deadline - performance.now()) + 60_000)];
    const params: fc.Parameters<[unknown]> = { seed, numRuns, plugins, ...(opts.path !== undefined ? { path: opts.path } : {}) };
    const d = await fc.check(property, params);
    runs += d.numRuns;
    shrinks += d.numShrinks;
    if (d.failed && d.counterexample !== null) {
      const input = d.counterexample[0];
      const dir = join(opts.outDir, `${target.name}-seed${seed}`);
      rmSync(dir, { recursive: true, force: true });
      const files = target.save(input, dir);
      const err = d.errorInstance;
      const message = err instanceof Error ? err.message : String(err);
      const replay = `npm run fuzz -- --target ${target.name} --seed ${seed} --runs ${numRuns} --path ${d.counterexamplePath ?? ""}`;
      writeFileSync(join(dir, "failure.json"), JSON.stringify({ target: target.name, message, seed, runs: numRuns, path: d.counterexamplePath, input }, null, 2) + "\n");
      failures.push({ target: target.name, message, input: target.describe(input), seed, runs: numRuns, path: d.counterexamplePath, files: [...files, join(dir, "failure.json")], replay });
    }
    if (deadline === undefined || performance.now() >= deadline || failures.length >= MAX_FAILURES || opts.path !== undefined) break;
  }
  return { target: target.name, inputs, runs, shrinks, ms: performance.now() - started, seeds, failures, notes: target.notes?.() ?? [] };
}

/** Runs one target: in a watched child for the in-process targets, here for the event targets. */
export async function fuzzTarget(name: TargetName, opts: FuzzOptions): Promise<TargetReport> {
  mkdirSync(opts.workDir, { recursive: true });
  mkdirSync(opts.outDir, { recursive: true });
  if (!IN_PROCESS_TARGETS.includes(name)) {
    const target = await makeTarget(name, opts.workDir);
    try {
      return await runChunks(target, opts);
    } finally {
      target.dispose?.();
    }
  }
  return runInChild(name, opts);
}

function runInChild(name: TargetName, opts: FuzzOptions): Promise<TargetReport> {
  const ts = here.endsWith(".ts");
  const entry = join(dirname(here), ts ? "child.ts" : "child.js");
  const dir = join(opts.workDir, `${name}-child`);
  mkdirSync(dir, { recursive: true });
  const current = join(dir, "current-input");
  const reportFile = join(dir, "report.json");
  rmSync(reportFile, { force: true });
  writeFileSync(current, "");
  const hangMs = opts.hangMs ?? 60_000;
  const started = performance.now();
  const args = [...(ts ? ["--import", "tsx"] : []), "--max-old-space-size=4096", entry, JSON.stringify({ name, opts, current, reportFile })];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let hung = false;
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const watch = setInterval(() => {
      const st = statSync(current);
      if (Date.now() - st.mtimeMs > hangMs + 3 * PER_BYTE_MS * st.size && child.pid !== undefined) {
        hung = true;
        child.kill("SIGKILL");
      }
    }, 1000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearInterval(watch);
      if (existsSync(reportFile)) {
        resolve(JSON.parse(readFileSync(reportFile, "utf8")) as TargetReport);
        return;
      }
      // no report: the child hung, ran out of memory or crashed on the input it was checking
      const out = join(opts.outDir, `${name}-seed${opts.seed}-${hung ? "hang" : "crash"}`);
      mkdirSync(out, { recursive: true });
      const saved = join(out, "input");
      copyFileSync(current, saved);
      const message = hung ? `no progress for ${Math.round(hangMs / 1000)} s (hang)` : `the fuzz child died (${signal ?? `exit ${code}`}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`;
      resolve({
        target: name,
        inputs: 0,
        runs: 0,
        shrinks: 0,
        ms: performance.now() - started,
        seeds: [opts.seed],
        notes: [],
        failures: [{ target: name, message, input: "the input being checked (not minimised)", seed: opts.seed, runs: 0, path: null, files: [saved], replay: `npm run fuzz -- --target ${name} --seed ${opts.seed}` }],
      });
    });
  });
}
