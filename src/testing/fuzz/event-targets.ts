// The event-input fuzz targets (docs/fuzzing.md): ECS NDJSON, raw auditd logs and Sysmon for Linux
// syslog, each run through the real CLI (`tern run`) in a child process. An input is a clean file that
// alerts several times, with mutated lines inserted at random places; the clean lines are never altered.
// A run must exit 0 (never 70 or a signal), print no stack trace, finish within its timeout, stay within
// its memory bound, and give exactly the clean run's alerts.
//
// Inserted lines are made from lines that no rule of the target can match (other event kinds, other
// logs), and the token dictionaries hold none of the text the rules need (tokens.ts), so the alerts may
// not change. Inserted auditd records never share a serial with a clean record: a record with a clean
// event's stamp would legitimately join that event and could change it, so such a serial is renumbered
// past the clean log's largest.
//
// Alert identity: ECS events get content-derived ids, so ECS alerts compare by kibana.alert.uuid. auditd
// and Sysmon events get ids from their byte offset in the file (sources/lines.ts lineEventId), which the
// inserted lines move, so their alerts compare by what they say: rule, times, new terms, action, process,
// file, destination, host and user.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { REALDATA_DIR, REPO_ROOT, SEED_DIR } from "../paths.js";
import { applyMutations, mutationsArb, type Mutation } from "./mutate.js";
import { AUDITD_TOKENS, JSON_TOKENS, SYSMON_TOKENS } from "./tokens.js";
import { runTern, type TernRun } from "./run-tern.js";
import type { FuzzTarget, TargetName } from "./target.js";

export interface Insertion {
  /** Before which clean line (modulo their number + 1). */
  readonly at: number;
  /** The first pool line of the inserted block, and how many more follow it. */
  readonly base: number;
  readonly extra: number;
  readonly mutations: readonly Mutation[];
}
export interface InsertInput {
  readonly insertions: readonly Insertion[];
}

type Alert = Record<string, unknown>;

interface EventSpec {
  readonly name: TargetName;
  readonly format: "ecs" | "auditd" | "sysmon-linux";
  /** The events file's name (for ECS it is the _index the rule's pattern must match). */
  readonly fileName: string;
  readonly rules: readonly string[];
  readonly clean: Buffer;
  readonly pool: readonly string[];
  readonly tokens: readonly string[];
  /** Rewrites a mutated block before it is inserted (auditd: serials). */
  readonly fix?: (block: string, counter: { n: number }) => string;
  readonly identity: (a: Alert) => string;
}

const SEED_RULE = join(SEED_DIR, "shared_object_new_terms.toml");
const SYSMON_LOG = join(REALDATA_DIR, "integrations", "packages", "sysmon_linux", "_dev", "deploy", "docker", "sample_logs", "sysmon.log");
const AUDIT_CAPTURE = join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log");

/** A field of an alert: its flattened key (kibana.alert.*) or its nested path. */
function get(a: Alert, path: string): unknown {
  if (path in a) return a[path];
  let cur: unknown = a;
  for (const k of path.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

const CONTENT_FIELDS = [
  "kibana.alert.rule.rule_id", "@timestamp", "kibana.alert.original_time", "kibana.alert.new_terms", "event.action", "event.category",
  "process.pid", "process.name", "process.executable", "file.path", "destination.ip", "destination.port", "source.port", "host.name", "host.id", "user.id",
];
const byContent = (a: Alert) => JSON.stringify(CONTENT_FIELDS.map((f) => get(a, f) ?? null));
const byUuid = (a: Alert) => String(get(a, "kibana.alert.uuid"));

/** Lines of a latin1 text (bytes kept one to one), without the empty string after a final newline. */
function splitLines(text: string): string[] {
  const ls = text.split("\n");
  if (ls[ls.length - 1] === "") ls.pop();
  return ls;
}

function filesUnder(dir: string, keep: (rel: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, keep, out);
    else if (keep(relative(REALDATA_DIR, p))) out.push(p);
  }
  return out;
}

function ecsSpec(): EventSpec {
  const read = (kind: string) => gunzipSync(readFileSync(join(REPO_ROOT, "examples", "events", `logs-endpoint.events.${kind}-default.ndjson.gz`)));
  // process and network events: no file fields, so nothing the seed rule (file creations) can match
  const pool = [...splitLines(read("process").toString("latin1")).slice(0, 300), ...splitLines(read("network").toString("latin1")).slice(0, 300)].filter((l) => !l.includes('"file":'));
  return {
    name: "ecs",
    format: "ecs",
    fileName: "logs-endpoint.events.file-default.ndjson",
    rules: [SEED_RULE],
    clean: read("file"),
    pool,
    tokens: JSON_TOKENS,
    identity: byUuid,
  };
}

const STAMP = /msg=audit\((\d+)(?:\.(\d+))?:(\d+)\)/g;

function auditdSpec(): EventSpec {
  const clean = readFileSync(AUDIT_CAPTURE);
  const serials = new Set<number>();
  for (const m of clean.toString("latin1").matchAll(STAMP)) serials.add(Number(m[3]));
  const fresh = Math.max(...serials) + 1_000;
  // every other raw audit log of realdata: none records a .so creation under /usr/lib or /dev/shm
  const logs = filesUnder(REALDATA_DIR, (rel) => /\.(log|txt)$/.test(rel) && !rel.startsWith("tern-capture/") && !rel.includes("sysmon"));
  const pool = logs.flatMap((f) => splitLines(readFileSync(f).toString("latin1"))).filter((l) => l.includes("type=") && !l.includes("/usr/lib") && !l.includes("/dev/shm"));
  return {
    name: "auditd",
    format: "auditd",
    fileName: "audit.log",
    rules: [SEED_RULE],
    clean,
    pool,
    tokens: AUDITD_TOKENS,
    fix: (block, counter) => block.replace(STAMP, (all: string, _s: string, _f: string | undefined, serial: string) => (serials.has(Number(serial)) ? all.slice(0, all.length - serial.length - 1) + String(fresh + counter.n++) + ")" : all)),
    identity: byContent,
  };
}

function sysmonSpec(): EventSpec {
  const clean = readFileSync(SYSMON_LOG);
  // the rule alerts on the three NetworkConnect events; the other lines carry no destination port
  const pool = splitLines(clean.toString("latin1")).filter((l) => !l.includes("<EventID>3<") && !l.includes("DestinationPort"));
  return {
    name: "sysmon",
    format: "sysmon-linux",
    fileName: "syslog",
    rules: [join(REPO_ROOT, "test", "fixtures", "fuzz", "sysmon_network_connection.toml")],
    clean,
    pool,
    tokens: SYSMON_TOKENS,
    identity: byContent,
  };
}

const SPECS: Record<"ecs" | "auditd" | "sysmon", () => EventSpec> = { ecs: ecsSpec, auditd: auditdSpec, sysmon: sysmonSpec };

/** The clean file with the input's blocks inserted (clean lines unchanged, in order). */
export function buildEvents(spec: Pick<EventSpec, "clean" | "pool" | "fix">, input: InsertInput): Buffer {
  const clean = splitLines(spec.clean.toString("latin1"));
  const before = new Map<number, string[]>();
  const counter = { n: 0 };
  for (const ins of input.insertions) {
    const lines = spec.pool.slice(ins.base % spec.pool.length, (ins.base % spec.pool.length) + ins.extra + 1);
    const units = applyMutations(Array.from(Buffer.from(lines.join("\n"), "latin1")), ins.mutations, "byte");
    let block = Buffer.from(units).toString("latin1");
    if (spec.fix !== undefined) block = spec.fix(block, counter);
    const at = ins.at % (clean.length + 1);
    before.set(at, [...(before.get(at) ?? []), block]);
  }
  const out: string[] = [];
  for (let i = 0; i <= clean.length; i++) {
    for (const b of before.get(i) ?? []) out.push(b + "\n");
    if (i < clean.length) out.push(clean[i] + "\n");
  }
  return Buffer.from(out.join(""), "latin1");
}

export interface EventTargetOptions {
  readonly workDir: string;
  /** Most time one run may take (default: the larger of 30 s and 20 × the clean run). */
  readonly timeoutMs?: number;
}

/** Starts an event target: runs the clean file once for the expected alerts, time and memory. */
export async function eventTarget(name: "ecs" | "auditd" | "sysmon", opts: EventTargetOptions): Promise<FuzzTarget<InsertInput>> {
  const spec = SPECS[name]();
  const dir = join(opts.workDir, name);
  mkdirSync(dir, { recursive: true });
  const events = join(dir, spec.fileName);
  const output = join(dir, "alerts.ndjson");
  const state = join(dir, "state.db");
  const host = spec.format === "ecs" ? [] : ["--hostname", "fuzz-host"];
  const args = (eventsPath: string, outPath: string, statePath: string) => ["run", ...spec.rules, "--format", spec.format, ...host, "--events", eventsPath, "--state", statePath, "--output", outPath];
  const run = async (content: Buffer, timeoutMs: number): Promise<{ run: TernRun; alerts: string[] }> => {
    writeFileSync(events, content);
    for (const f of [output, state, `${state}-wal`, `${state}-shm`]) rmSync(f, { force: true });
    const r = await runTern(args(events, output, state), { timeoutMs, rssFile: join(dir, "rss") });
    let alerts: string[] = [];
    try {
      alerts = splitLines(readFileSync(output, "utf8")).map((l) => spec.identity(JSON.parse(l) as Alert)).sort();
    } catch {}
    return { run: r, alerts };
  };

  const clean = await run(spec.clean, 120_000);
  if (clean.run.code !== 0 || clean.alerts.length < 3) throw new Error(`the clean ${name} run must exit 0 with alerts: exit ${clean.run.code}, ${clean.alerts.length} alerts\n${clean.run.stderr}`);
  const timeoutMs = opts.timeoutMs ?? Math.max(30_000, 20 * clean.run.ms);
  const rssLimitKb = 2 * clean.run.peakRssKb + 256 * 1024;
  let peakKb = 0;
  let slowestMs = 0;

  return {
    name,
    arbitrary: fc.record({
      insertions: fc.array(
        fc.record({ at: fc.nat({ max: 1 << 20 }), base: fc.nat({ max: spec.pool.length - 1 }), extra: fc.nat({ max: 2 }), mutations: mutationsArb(spec.tokens, "byte", 4) }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
    render: (input) => buildEvents(spec, input),
    describe: (input) => `${input.insertions.length} mutated block(s) inserted into ${spec.fileName}`,
    save(input, out) {
      mkdirSync(out, { recursive: true });
      const p = join(out, spec.fileName);
      writeFileSync(p, buildEvents(spec, input));
      const cmd = ["node", "bin/tern.js", ...args(p, join(out, "alerts.ndjson"), join(out, "state.db"))].map((a) => (/^[\w./:=-]+$/.test(a) ? a : `'${a}'`)).join(" ");
      const readme = join(out, "repro.txt");
      writeFileSync(readme, `${cmd}\n\nexpected alerts (${clean.alerts.length}, by ${spec.identity === byUuid ? "kibana.alert.uuid" : "content"}):\n${clean.alerts.join("\n")}\n`);
      return [p, readme];
    },
    notes: () => [
      `clean run: ${clean.alerts.length} alerts, ${Math.round(clean.run.ms)} ms, peak RSS ${Math.round(clean.run.peakRssKb / 1024)} MiB`,
      `fuzzed runs: slowest ${Math.round(slowestMs)} ms (limit ${Math.round(timeoutMs)}), peak RSS ${Math.round(peakKb / 1024)} MiB (limit ${Math.round(rssLimitKb / 1024)})`,
    ],
    async check(input) {
      const { run: r, alerts } = await run(buildEvents(spec, input), timeoutMs);
      peakKb = Math.max(peakKb, r.peakRssKb);
      slowestMs = Math.max(slowestMs, r.ms);
      const first = r.stderr.split("\n").find((l) => l.trim() !== "") ?? "";
      if (r.timedOut) throw new Error(`no exit within ${Math.round(timeoutMs)} ms`);
      if (r.signal !== null) throw new Error(`killed by ${r.signal}: ${first}`);
      if (r.code === 70) throw new Error(`exit 70 (internal error): ${first}`);
      if (/^\s+at /m.test(r.stderr)) throw new Error(`a stack trace on stderr: ${first}`);
      if (r.peakRssKb > rssLimitKb) throw new Error(`peak RSS ${Math.round(r.peakRssKb / 1024)} MiB over the bound of ${Math.round(rssLimitKb / 1024)} MiB`);
      if (r.code !== 0) throw new Error(`exit ${r.code}: ${first}`);
      if (JSON.stringify(alerts) !== JSON.stringify(clean.alerts)) {
        const missing = clean.alerts.filter((a) => !alerts.includes(a));
        const extra = alerts.filter((a) => !clean.alerts.includes(a));
        throw new Error(`alerts differ from the clean run's: ${alerts.length} instead of ${clean.alerts.length}; missing ${JSON.stringify(missing)}; extra ${JSON.stringify(extra)}`);
      }
    },
  };
}
