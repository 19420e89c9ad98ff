// `npm run bench` (issue 6 "The benchmark"): generate one workload (cached by its parameters under
// bench/out/), then in one run on this machine time tern (seed rule in replay and stream mode, its query
// form, and the corpus's Linux rules at once) against a plain Node JSON.parse baseline, jq and DuckDB;
// check that every contender of a kind returns the same matches/alerts; print a table with the ratios and
// write bench/results.json and bench/results.svg. Fails (exit 1) when contenders disagree.
import { spawnSync } from "node:child_process";
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../src/testing/paths.js";
import { DEFAULT_NEAR_MISS, benchMeta } from "../src/testing/gen/bench.js";
import { writeBenchFile, type WrittenBench } from "../src/testing/gen/write.js";
import { JQ_FILTER, checkAgreement, linuxCorpusRules, seedAsQueryRule, ternAlertKeysOfFile, type Answer } from "./contenders.js";
import { measure, type Measured } from "./measure.js";
import { formatTable, renderSvg, withRates, type ContenderKind, type ContenderResult } from "./report.js";

const CONTENDERS = ["node-split", "node-parse", "jq", "duckdb-filter", "duckdb-new-terms", "tern-query", "tern-replay", "tern-stream", "tern-many-rules"] as const;
type Name = (typeof CONTENDERS)[number];

const USAGE = `usage: npm run bench -- [--events N] [--seed S] [--match-fraction F] [--pairs P] [--near-miss-fraction Q] [--days D]
                      [--only a,b] [--skip a,b] [--repeat R] [--no-build]
  --repeat R   run each contender R times and keep its fastest run (default 1)
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
  for (const d of [seedDir, queryDir, manyDir]) mkdirSync(d, { recursive: true });
  const seedToml = join(SEED_DIR, "shared_object_new_terms.toml");
  copyFileSync(seedToml, join(seedDir, "shared_object_new_terms.toml"));
  writeFileSync(join(queryDir, "shared_object_query.toml"), seedAsQueryRule(readFileSync(seedToml, "utf8")));
  const corpus = existsSync(CORPUS_DIR) ? linuxCorpusRules(CORPUS_DIR) : [];
  for (const r of corpus) copyFileSync(r.path, join(manyDir, basename(r.path)));
  const manyCounts = { new_terms: corpus.filter((r) => r.type === "new_terms").length, query: corpus.filter((r) => r.type === "query").length };

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
  };

  const skipped = (name: Name, reason: string): Run => ({ result: { name, description: description[name][1], kind: description[name][0], status: "skipped", reason } });
  const measured = (name: Name, m: Measured, count: number, keys?: string[]): Run => {
    if (m.code !== 0) fail(`${name} failed (exit ${m.code}): ${m.command}\n${m.stderr.slice(0, 4000)}`, 1);
    log(`${name}: ${m.wallSeconds.toFixed(2)} s, peak RSS ${(m.peakRssBytes / 1048576).toFixed(0)} MB`);
    return { result: { name, description: description[name][1], kind: description[name][0], status: "ok", seconds: m.wallSeconds, peakRssMB: m.peakRssBytes / 1048576, count }, ...(keys !== undefined ? { keys } : {}) };
  };
  const ternRun = async (name: Name, ruleDir: string, mode: "replay" | "stream", kind: "query" | "new-terms" | "none"): Promise<Run> => {
    const out = join(work, `${name}.alerts.ndjson`);
    const db = join(work, `${name}.db`);
    // each repetition starts from an empty memory and an empty alerts file
    const fresh = (): void => {
      for (const f of [out, db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    };
    const m = await best(node, [tern, "run", ruleDir, "--events", file, "--mode", mode, "--state", db, "--output", out], { cwd: REPO_ROOT }, fresh);
    if (m.code !== 0) return measured(name, m, 0);
    if (kind === "none") return measured(name, m, existsSync(out) ? await countLines(out) : 0);
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

  const results = withRates(CONTENDERS.map((n) => (runs.get(n) as Run).result), meta.events, meta.bytes);
  const table = formatTable(results);
  const title = `${meta.events.toLocaleString("en-US")} events, ${(meta.bytes / 1e6).toFixed(0)} MB, ${meta.matches} matching, ${meta.pairs} pairs, ${meta.nearMisses} near misses — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`;
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  process.stdout.write(`\n${title}\n(load average at the end: ${load}; fastest of ${repeat} run${repeat > 1 ? "s" : ""} each)\n\n${table}\n`);
  process.stdout.write("tern replay × / tern stream × = the contender's time ÷ tern's time (above 1: tern is faster).\n");
  const out = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", memoryMB: Math.round(totalmem() / 1048576), node: process.version, platform: `${process.platform}-${process.arch}` },
    workload: { ...meta, file: file.slice(REPO_ROOT.length + 1) },
    repeat,
    loadAverage: loadavg(),
    corpusRules: manyCounts,
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
