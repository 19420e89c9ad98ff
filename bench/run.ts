// `npm run bench` (issue 6 "The benchmark"): generate one workload (cached by its parameters under
// bench/out/), then in one run on this machine time tern (seed rule in replay and stream mode, its query
// form, the corpus's Linux kuery and EQL rules) against a plain Node JSON.parse baseline, jq, DuckDB and
// the Python `eql` library (on the EQL rules it can run; counts reported, not required to agree);
// check that every contender of a kind returns the same matches/alerts; print a table with the ratios and
// write bench/results.json and bench/results.svg. Fails (exit 1) when contenders disagree.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../src/testing/paths.js";
import { DEFAULT_NEAR_MISS, benchMeta } from "../src/testing/gen/bench.js";
import { writeBenchFile, type WrittenBench } from "../src/testing/gen/write.js";
import {
  JQ_FILTER,
  checkAgreement,
  compareEqlCounts,
  corpusRuleFiles,
  linuxCorpusRules,
  linuxEqlCorpusRules,
  pyeqlSubset,
  rulesReaching,
  seedAsQueryRule,
  ternAlertCountsByRule,
  ternAlertKeysOfFile,
  uniqueRuleFileNames,
  type Answer,
  type EqlPick,
} from "./contenders.js";
import { measure, type Measured } from "./measure.js";
import { formatTable, renderSvg, withRates, type ContenderKind, type ContenderResult } from "./report.js";

const CONTENDERS = [
  "node-split",
  "node-parse",
  "jq",
  "duckdb-filter",
  "duckdb-new-terms",
  "tern-query",
  "tern-replay",
  "tern-stream",
  "tern-many-rules",
  "tern-linux-eql",
  "tern-all-linux",
  "tern-corpus",
  "python-eql",
  "tern-eql-subset",
] as const;
type Name = (typeof CONTENDERS)[number];

const USAGE = `usage: npm run bench -- [--events N] [--seed S] [--match-fraction F] [--pairs P] [--near-miss-fraction Q] [--days D]
                      [--only a,b] [--skip a,b] [--repeat R] [--no-build] [--pyeql-events K]
  --repeat R          run each contender R times and keep its fastest run (default 1)
  --pyeql-events K    python-eql and tern-eql-subset read the first K events only (default 1000000; 0: all)
contenders: ${CONTENDERS.join(", ")}`;

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

function fail(msg: string, code = 2): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(code);
}

function nameList(v: string | undefined): Set<Name> {
  const out = new Set<Name>();
  for (const n of (v ?? "").split(",").filter((x) => x !== "")) {
    if (!(CONTENDERS as readonly string[]).includes(n)) fail(`unknown contender ${n}\n${USAGE}`);
    out.add(n as Name);
  }
  return out;
}

function haveCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** jq from Debian's package, installed when missing (root, or sudo without a password). */
function ensureJq(): void {
  if (haveCommand("jq")) return;
  log("jq is missing: installing Debian's package (apt-get install -y jq)");
  const asRoot = process.getuid?.() === 0;
  const pre = asRoot ? [] : ["sudo", "-n"];
  for (const args of [["apt-get", "update"], ["apt-get", "install", "-y", "jq"]]) {
    const all = [...pre, ...args];
    const r = spawnSync(all[0], all.slice(1), { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) fail(`could not install jq (${all.join(" ")} failed); install it or pass --skip jq`);
  }
  if (!haveCommand("jq")) fail("jq still missing after apt-get install");
}

function build(): void {
  log("building (tsc -p tsconfig.json)…");
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) fail(`build failed:\n${r.stdout}${r.stderr}\n(fix it, or pass --no-build to use the existing dist/)`);
}

async function workload(o: { events: number; seed: number; matchFraction: number; pairs: number; nearMissFraction: number; days: number }): Promise<{ file: string; meta: WrittenBench }> {
  const key = `n${o.events}-s${o.seed}-f${o.matchFraction}-p${o.pairs}-q${o.nearMissFraction}-d${o.days}`;
  const dir = join(REPO_ROOT, "bench", "out", key);
  // the file name is the `_index` of its events, which must match the rule's logs-endpoint.events.* pattern
  const file = join(dir, "logs-endpoint.events.bench-default.ndjson");
  const metaFile = `${file}.meta.json`;
  if (existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, "utf8")) as WrittenBench;
    if (meta.bytes === statSync(file).size && meta.events === o.events) {
      log(`reusing ${file}`);
      return { file, meta };
    }
  }
  mkdirSync(dir, { recursive: true });
  log(`generating ${o.events} events into ${file}…`);
  const t0 = performance.now();
  const meta = await writeBenchFile(o, file);
  log(`generated ${(meta.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { file, meta };
}

const PYEQL_VENV = join(REPO_ROOT, "bench", "out", "pyeql");
const PYEQL_RUNNER = join(REPO_ROOT, "bench", "pyeql_runner.py");

/** The venv's python with the `eql` package from PyPI, installed when missing; or why it cannot be had. */
function ensurePyeql(): { python: string; version: string } | { reason: string } {
  const python = join(PYEQL_VENV, "bin", "python");
  const version = (): string | undefined => {
    if (!existsSync(python)) return undefined;
    const r = spawnSync(python, ["-c", "import eql; print(eql.__version__)"], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const have = version();
  if (have !== undefined) return { python, version: have };
  log(`installing the Python eql package into ${PYEQL_VENV} (python3 -m venv + pip install eql)`);
  const steps: [string, string[]][] = [
    ["python3", ["-m", "venv", PYEQL_VENV]],
    [join(PYEQL_VENV, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "eql"]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    if (r.error !== undefined || r.status !== 0) {
      const lines = (r.stderr || r.stdout).trim().split("\n");
      const why = r.error?.message ?? [...lines].reverse().find((l) => l.startsWith("ERROR")) ?? lines[lines.length - 1] ?? "";
      return { reason: `could not install eql (${[cmd, ...args].join(" ")}: ${why.slice(0, 300)})` };
    }
  }
  const got = version();
  return got !== undefined ? { python, version: got } : { reason: "eql still missing after pip install" };
}

/** The first `k` lines of `file`, in a file of the same name (its `_index`) under `dir`, cached. */
async function prefixFile(file: string, k: number, dir: string): Promise<{ file: string; bytes: number }> {
  const out = join(dir, basename(file));
  if (existsSync(out)) return { file: out, bytes: statSync(out).size };
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.tmp`;
  const ws = createWriteStream(tmp);
  let n = 0;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (n >= k) break;
    if (!ws.write(`${line}\n`)) await new Promise<void>((res) => ws.once("drain", () => res()));
    n++;
  }
  rl.close();
  await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
  renameSync(tmp, out);
  return { file: out, bytes: statSync(out).size };
}

/** Which queries the Python library can run (its parse step, not timed), cached by queries and workload. */
function pyeqlRunnable(python: string, version: string, picks: readonly EqlPick[], events: string, cacheDir: string): { ok: string[]; failed: Record<string, string> } | { reason: string } {
  const queries = JSON.stringify(picks.map((p) => ({ id: p.ruleId, query: p.query })));
  const runner = readFileSync(PYEQL_RUNNER, "utf8");
  const key = createHash("sha256").update(queries).update(runner).update(python).update(version).digest("hex").slice(0, 16);
  const cache = join(cacheDir, `pyeql-runnable-${key}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, "utf8")) as { ok: string[]; failed: Record<string, string> };
  const qfile = join(cacheDir, `pyeql-queries-${key}.json`);
  writeFileSync(qfile, queries);
  log(`python-eql: which of ${picks.length} EQL queries the library can run (parse + 500 events, not timed)…`);
  const r = spawnSync(python, [PYEQL_RUNNER, "parse", qfile, events], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) return { reason: `pyeql_runner.py parse failed (exit ${r.status ?? "signal"}): ${(r.stderr || r.stdout).trim().slice(-500)}` };
  writeFileSync(cache, r.stdout);
  return JSON.parse(r.stdout) as { ok: string[]; failed: Record<string, string> };
}

/** Why `tern run` cannot be benchmarked, or undefined when it can. */
function ternProblem(): string | undefined {
  const cli = join(REPO_ROOT, "bin", "tern.js");
  const r = spawnSync(process.execPath, [cli, "run", "--help"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status === 0 && /--events/.test(r.stdout + r.stderr)) return undefined;
  return `\`node bin/tern.js run --help\` failed (exit ${r.status ?? "signal"}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`;
}

async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

interface Run {
  readonly result: ContenderResult;
  readonly keys?: string[];
  /** Alerts (tern) or results (python-eql) per rule_id. */
  readonly ruleCounts?: ReadonlyMap<string, number>;
}

/** What python-eql's run prints (bench/pyeql_runner.py). */
interface PyeqlOutput {
  readonly events: number;
  readonly queries: number;
  readonly results: Record<string, number>;
  readonly resultEvents: Record<string, number>;
  readonly errors: Record<string, string>;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "1000000" },
      seed: { type: "string", default: "42" },
      "match-fraction": { type: "string", default: "0.01" },
      "near-miss-fraction": { type: "string", default: String(DEFAULT_NEAR_MISS) },
      pairs: { type: "string" },
      days: { type: "string", default: "3" },
      only: { type: "string" },
      skip: { type: "string" },
      "no-build": { type: "boolean", default: false },
      repeat: { type: "string", default: "1" },
      "pyeql-events": { type: "string", default: "1000000" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const events = Number(values.events);
  const matchFraction = Number(values["match-fraction"]);
  const matches = Math.round(events * matchFraction);
  const o = { events, seed: Number(values.seed), matchFraction, pairs: values.pairs !== undefined ? Number(values.pairs) : Math.min(1000, matches), nearMissFraction: Number(values["near-miss-fraction"]), days: Number(values.days) };
  try {
    benchMeta(o);
  } catch (e) {
    fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const only = nameList(values.only);
  const skip = nameList(values.skip);
  const wanted = (n: Name): boolean => (only.size === 0 || only.has(n)) && !skip.has(n);

  if (loadavg()[0] > cpus().length) log(`warning: load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs — other work will skew the timings`);
  if (values["no-build"] !== true) build();
  if (wanted("jq")) ensureJq();
  const { file, meta } = await workload(o);

  const work = mkdtempSync(join(tmpdir(), "tern-bench-"));
  const rulesDir = join(work, "rules");
  const seedDir = join(rulesDir, "seed");
  const queryDir = join(rulesDir, "seed-query");
  const manyDir = join(rulesDir, "linux");
  const eqlDir = join(rulesDir, "linux-eql");
  const allDir = join(rulesDir, "linux-all");
  const corpusAllDir = join(rulesDir, "corpus");
  const subsetDir = join(rulesDir, "eql-subset");
  for (const d of [seedDir, queryDir, manyDir, eqlDir, allDir, corpusAllDir, subsetDir]) mkdirSync(d, { recursive: true });
  const seedToml = join(SEED_DIR, "shared_object_new_terms.toml");
  copyFileSync(seedToml, join(seedDir, "shared_object_new_terms.toml"));
  writeFileSync(join(queryDir, "shared_object_query.toml"), seedAsQueryRule(readFileSync(seedToml, "utf8")));
  const corpus = existsSync(CORPUS_DIR) ? linuxCorpusRules(CORPUS_DIR) : [];
  for (const r of corpus) copyFileSync(r.path, join(manyDir, basename(r.path)));
  const manyCounts = { new_terms: corpus.filter((r) => r.type === "new_terms").length, query: corpus.filter((r) => r.type === "query").length };
  const eqlCorpus = existsSync(CORPUS_DIR) ? linuxEqlCorpusRules(CORPUS_DIR) : [];
  const copyAll = (paths: readonly string[], dir: string): void => {
    const names = uniqueRuleFileNames(paths);
    paths.forEach((p, i) => copyFileSync(p, join(dir, names[i])));
  };
  copyAll(eqlCorpus.map((r) => r.path), eqlDir);
  copyAll([...corpus.map((r) => r.path), ...eqlCorpus.map((r) => r.path)], allDir);
  // every rule file of the corpus, every OS: tern runs the ones it can and skips the others with a note
  const corpusFiles = existsSync(CORPUS_DIR) ? corpusRuleFiles(CORPUS_DIR) : [];
  copyAll(corpusFiles, corpusAllDir);
  // the workload's events all have _index logs-endpoint.events.bench-default (the file's name): tern routes
  // them only to rules whose index patterns take it; the Python library has no index, so it gets those rules
  const benchIndex = basename(file).replace(/\.ndjson$/, "");
  const eqlReaching = rulesReaching(eqlCorpus, benchIndex);

  // python-eql and tern-eql-subset: the rules the library can run, over the first --pyeql-events events
  const pyK = Math.max(0, Math.floor(Number(values["pyeql-events"])));
  const py: { input?: { file: string; events: number; bytes: number }; python?: string; version?: string; queries?: string; subset: EqlPick[]; compared: string[]; failed: Record<string, string>; problem?: string } = { subset: [], compared: [], failed: {} };
  if (wanted("python-eql") || wanted("tern-eql-subset")) {
    py.input = pyK === 0 || pyK >= meta.events ? { file, events: meta.events, bytes: meta.bytes } : { ...(await prefixFile(file, pyK, join(dirname(file), `first-${pyK}`))), events: pyK };
    const env = eqlCorpus.length === 0 ? { reason: `no corpus at ${CORPUS_DIR}` } : ensurePyeql();
    if ("reason" in env) py.problem = env.reason;
    else {
      const runnable = pyeqlRunnable(env.python, env.version, eqlReaching, py.input.file, dirname(file));
      if ("reason" in runnable) py.problem = runnable.reason;
      else {
        const { subset, compared } = pyeqlSubset(eqlReaching, runnable.ok);
        Object.assign(py, { python: env.python, version: env.version, subset, compared, failed: runnable.failed });
        if (subset.length === 0) py.problem = "the library can run none of the Linux EQL rules";
        py.queries = join(work, "pyeql-queries.json");
        writeFileSync(py.queries, JSON.stringify(subset.map((r) => ({ id: r.ruleId, query: r.query }))));
        copyAll(subset.map((r) => r.path), subsetDir);
        log(`python-eql: ${subset.length} of the ${eqlReaching.length} Linux EQL rules that take ${benchIndex} run in the library (${compared.length} event queries compared)`);
      }
    }
  }

  const node = process.execPath;
  const dist = (f: string): string => join(REPO_ROOT, "dist", "bench", f);
  const tern = join(REPO_ROOT, "bin", "tern.js");
  const wantsTern = CONTENDERS.some((n) => n.startsWith("tern") && wanted(n));
  const ternIssue = wantsTern ? ternProblem() : undefined;
  // a missing tern is an error, not a quiet skip: pass --skip tern-query,tern-replay,… to bench without it
  if (ternIssue !== undefined) fail(`${ternIssue}\n(pass --skip ${CONTENDERS.filter((n) => n.startsWith("tern")).join(",")} to benchmark the others)`, 1);
  const repeat = Math.max(1, Math.floor(Number(values.repeat)));
  /** The fastest of `repeat` runs (all must succeed; a failure is reported at once). */
  const best = async (cmd: string, args: string[], opts: { cwd?: string } = {}, before?: () => void): Promise<Measured> => {
    let fastest: Measured | undefined;
    for (let i = 0; i < repeat; i++) {
      before?.();
      const m = await measure(cmd, args, opts);
      if (m.code !== 0) return m;
      if (fastest === undefined || m.wallSeconds < fastest.wallSeconds) fastest = m;
    }
    return fastest as Measured;
  };
  const runs = new Map<Name, Run>();
  let pyOut: PyeqlOutput | undefined;

  const description: Record<Name, [ContenderKind, string]> = {
    "node-split": ["floor", "read 1 MiB chunks + split lines (no parse): the I/O floor"],
    "node-parse": ["baseline", "read + split + JSON.parse every line, no rule"],
    jq: ["filter", "jq -r 'select(<seed query>) | .event.id'"],
    "duckdb-filter": ["filter", "DuckDB read_json + WHERE <seed query>"],
    "duckdb-new-terms": ["new-terms", "DuckDB: seed query + first sighting per (file.path, process.name) in 7 days"],
    "tern-query": ["filter", "tern run, the seed query as a query rule (replay)"],
    "tern-replay": ["new-terms", "tern run, seed new_terms rule, --mode replay"],
    "tern-stream": ["new-terms", "tern run, seed new_terms rule, --mode stream"],
    "tern-many-rules": ["many-rules", `tern run, ${manyCounts.new_terms} Linux new_terms + ${manyCounts.query} Linux query rules of the corpus (replay)`],
    "tern-linux-eql": ["eql", `tern run, the corpus's ${eqlCorpus.length} Linux EQL rules (${eqlReaching.length} take the workload's index), replay`],
    "tern-all-linux": ["eql", `tern run, the ${corpus.length} Linux kuery rules of tern-many-rules + the ${eqlCorpus.length} Linux EQL rules, replay`],
    "tern-corpus": ["eql", `tern run, every active rule file of the corpus (${corpusFiles.length}, every OS; the runnable ones run), replay`],
    "python-eql": ["eql", `Python eql ${py.version ?? ""} ${py.subset.length > 0 ? `(${py.subset.length} of the Linux EQL rules it can run)` : ""} over the first ${(py.input?.events ?? 0).toLocaleString("en-US")} events`],
    "tern-eql-subset": ["eql", `tern run, the same ${py.subset.length} EQL rules as python-eql over the same events, replay`],
  };

  const skipped = (name: Name, reason: string): Run => ({ result: { name, description: description[name][1], kind: description[name][0], status: "skipped", reason } });
  const measured = (name: Name, m: Measured, count: number, keys?: string[]): Run => {
    if (m.code !== 0) fail(`${name} failed (exit ${m.code}): ${m.command}\n${m.stderr.slice(0, 4000)}`, 1);
    log(`${name}: ${m.wallSeconds.toFixed(2)} s, peak RSS ${(m.peakRssBytes / 1048576).toFixed(0)} MB`);
    return { result: { name, description: description[name][1], kind: description[name][0], status: "ok", seconds: m.wallSeconds, peakRssMB: m.peakRssBytes / 1048576, count }, ...(keys !== undefined ? { keys } : {}) };
  };
  const ternRun = async (name: Name, ruleDir: string, mode: "replay" | "stream", kind: "query" | "new-terms" | "none" | "by-rule", input = file): Promise<Run> => {
    const out = join(work, `${name}.alerts.ndjson`);
    const db = join(work, `${name}.db`);
    // each repetition starts from an empty memory and an empty alerts file
    const fresh = (): void => {
      for (const f of [out, db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    };
    const m = await best(node, [tern, "run", ruleDir, "--events", input, "--mode", mode, "--state", db, "--output", out], { cwd: REPO_ROOT }, fresh);
    if (m.code !== 0) return measured(name, m, 0);
    if (kind === "none") return measured(name, m, existsSync(out) ? await countLines(out) : 0);
    if (kind === "by-rule") {
      const counts = existsSync(out) ? await ternAlertCountsByRule(out) : new Map<string, number>();
      const run = measured(name, m, [...counts.values()].reduce((a, b) => a + b, 0));
      return { ...run, ruleCounts: counts };
    }
    const keys = existsSync(out) ? await ternAlertKeysOfFile(out, kind) : [];
    return measured(name, m, keys.length, keys);
  };

  process.on("exit", () => rmSync(work, { recursive: true, force: true }));
  for (const name of CONTENDERS) {
    if (!wanted(name)) {
      runs.set(name, skipped(name, "not selected"));
      continue;
    }
    log(`running ${name}…`);
    switch (name) {
      case "node-split":
      case "node-parse": {
        const m = await best(node, [dist("baseline.js"), name === "node-split" ? "split" : "parse", file]);
        const r = m.code === 0 ? (JSON.parse(m.stdout) as { lines: number }) : { lines: -1 };
        runs.set(name, measured(name, m, r.lines));
        break;
      }
      case "jq": {
        const m = await best("jq", ["-r", JQ_FILTER, file]);
        const keys = m.stdout.split("\n").filter((l) => l !== "");
        runs.set(name, measured(name, m, keys.length, keys));
        break;
      }
      case "duckdb-filter":
      case "duckdb-new-terms": {
        const m = await best(node, [dist("duckdb.js"), name === "duckdb-filter" ? "filter" : "new-terms", file]);
        const r = m.code === 0 ? (JSON.parse(m.stdout) as { keys: string[] }) : { keys: [] };
        runs.set(name, measured(name, m, r.keys.length, r.keys));
        break;
      }
      case "tern-query":
      case "tern-replay":
      case "tern-stream":
      case "tern-many-rules": {
        if (name === "tern-many-rules" && corpus.length === 0) {
          runs.set(name, skipped(name, `no corpus at ${CORPUS_DIR}`));
          break;
        }
        const [dir, mode, kind] =
          name === "tern-query" ? [queryDir, "replay", "query"] as const
          : name === "tern-replay" ? [seedDir, "replay", "new-terms"] as const
          : name === "tern-stream" ? [seedDir, "stream", "new-terms"] as const
          : [manyDir, "replay", "none"] as const;
        runs.set(name, await ternRun(name, dir, mode, kind));
        break;
      }
      case "tern-linux-eql":
      case "tern-all-linux":
      case "tern-corpus": {
        if (eqlCorpus.length === 0) {
          runs.set(name, skipped(name, `no corpus at ${CORPUS_DIR}`));
          break;
        }
        runs.set(name, await ternRun(name, name === "tern-linux-eql" ? eqlDir : name === "tern-all-linux" ? allDir : corpusAllDir, "replay", "none"));
        break;
      }
      case "tern-eql-subset": {
        if (py.problem !== undefined || py.input === undefined) {
          runs.set(name, skipped(name, py.problem ?? "no input"));
          break;
        }
        const r = await ternRun(name, subsetDir, "replay", "by-rule", py.input.file);
        runs.set(name, { ...r, result: { ...r.result, events: py.input.events, bytes: py.input.bytes } });
        break;
      }
      case "python-eql": {
        if (py.problem !== undefined || py.python === undefined || py.queries === undefined || py.input === undefined) {
          runs.set(name, skipped(name, py.problem ?? "not set up"));
          break;
        }
        const m = await best(py.python, [PYEQL_RUNNER, "run", py.queries, py.input.file]);
        let outp: PyeqlOutput | undefined;
        try {
          outp = m.code === 0 ? (JSON.parse(m.stdout) as PyeqlOutput) : undefined;
        } catch {
          outp = undefined;
        }
        // the library failing is a finding, not a benchmark failure: reported as skipped with the reason
        if (outp === undefined) {
          const why = `pyeql_runner.py run failed (exit ${m.code}): ${(m.stderr || m.stdout).trim().split("\n").slice(-2).join(" ").slice(0, 300)}`;
          log(`${name}: ${why}`);
          runs.set(name, skipped(name, why));
          break;
        }
        pyOut = outp;
        const counts = new Map(Object.entries(outp.results));
        const run = measured(name, m, [...counts.values()].reduce((a, b) => a + b, 0));
        runs.set(name, { ...run, ruleCounts: counts, result: { ...run.result, events: py.input.events, bytes: py.input.bytes } });
        break;
      }
      default: {
        const never: never = name;
        throw new Error(`unknown contender ${String(never)}`);
      }
    }
  }
  rmSync(work, { recursive: true, force: true });

  // ---- agreement checks
  const answers = (names: Name[]): Answer[] =>
    names.flatMap((n) => {
      const r = runs.get(n);
      return r?.keys !== undefined ? [{ name: n, keys: r.keys }] : [];
    });
  const problems: string[] = [];
  for (const n of ["node-split", "node-parse"] as const) {
    const r = runs.get(n)?.result;
    if (r?.status === "ok" && r.count !== meta.events) problems.push(`${n} counted ${r.count} lines, the file has ${meta.events}`);
  }
  problems.push(...checkAgreement("matches", meta.matches, answers(["jq", "duckdb-filter", "tern-query"])));
  // with a span under the 7-day history every pair alerts exactly once, at its first sighting
  problems.push(...checkAgreement("new-terms alerts", meta.days <= 7 ? meta.pairs : undefined, answers(["duckdb-new-terms", "tern-replay", "tern-stream"])));
  // python-eql against tern-eql-subset: reported, never a failure (the library's semantics differ: README)
  const ternSubset = runs.get("tern-eql-subset")?.ruleCounts;
  const pyErrors = pyOut?.errors ?? {};
  const eqlComparison =
    ternSubset !== undefined && pyOut !== undefined ? compareEqlCounts(py.compared.filter((id) => pyErrors[id] === undefined), ternSubset, pyOut.results) : undefined;
  if (pyOut !== undefined && pyOut.events !== py.input?.events) problems.push(`python-eql read ${pyOut.events} events, expected ${py.input?.events ?? "?"}`);

  const results = withRates(CONTENDERS.map((n) => (runs.get(n) as Run).result), meta.events, meta.bytes);
  const table = formatTable(results);
  const title = `${meta.events.toLocaleString("en-US")} events, ${(meta.bytes / 1e6).toFixed(0)} MB, ${meta.matches} matching, ${meta.pairs} pairs, ${meta.nearMisses} near misses — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`;
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  process.stdout.write(`\n${title}\n(load average at the end: ${load}; fastest of ${repeat} run${repeat > 1 ? "s" : ""} each)\n\n${table}\n`);
  process.stdout.write("tern replay × / tern stream × = the contender's time ÷ tern's time (above 1: tern is faster).\n");
  const pyR = runs.get("python-eql")?.result;
  const tsR = runs.get("tern-eql-subset")?.result;
  if (pyR?.seconds !== undefined && tsR?.seconds !== undefined) process.stdout.write(`python-eql ÷ tern-eql-subset (same ${(pyR.events ?? meta.events).toLocaleString("en-US")} events, same ${py.subset.length} rules): ${(pyR.seconds / tsR.seconds).toFixed(2)}× the time\n`);
  if (eqlComparison !== undefined) {
    const d = eqlComparison.differ;
    process.stdout.write(
      `python-eql vs tern-eql-subset, ${eqlComparison.rows.length} event queries: ${eqlComparison.rows.length - d.length} agree, ${d.length} differ` +
        (d.length > 0 ? ` (${d.map((r) => `${r.ruleId.slice(0, 8)} tern ${r.tern} / python ${r.python}`).join(", ")})` : "") +
        (Object.keys(pyErrors).length > 0 ? `; ${Object.keys(pyErrors).length} queries raised in the library and were switched off` : "") +
        " — reported, not checked (README: the library's semantics differ)\n",
    );
  }
  const out = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", memoryMB: Math.round(totalmem() / 1048576), node: process.version, platform: `${process.platform}-${process.arch}` },
    workload: { ...meta, file: file.slice(REPO_ROOT.length + 1) },
    repeat,
    loadAverage: loadavg(),
    corpusRules: manyCounts,
    eql: {
      linuxRules: eqlCorpus.length,
      takingBenchIndex: eqlReaching.length,
      benchIndex,
      pyeql: {
        input: py.input === undefined ? undefined : { file: py.input.file.slice(REPO_ROOT.length + 1), events: py.input.events, bytes: py.input.bytes },
        problem: py.problem,
        version: py.version,
        rules: py.subset.map((r) => ({ ruleId: r.ruleId, kind: r.kind })),
        cannotRun: py.failed,
        raisedDuringRun: pyErrors,
        resultEvents: pyOut?.resultEvents,
      },
      comparison: eqlComparison,
    },
    results,
    checks: { ok: problems.length === 0, problems },
  };
  writeFileSync(join(REPO_ROOT, "bench", "results.json"), JSON.stringify(out, null, 2) + "\n");
  writeFileSync(join(REPO_ROOT, "bench", "results.svg"), renderSvg(results, title));
  log("wrote bench/results.json and bench/results.svg");
  if (problems.length > 0) {
    process.stderr.write(`\nbench: CONTENDERS DISAGREE:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`);
    return 1;
  }
  log("all contenders agree");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
