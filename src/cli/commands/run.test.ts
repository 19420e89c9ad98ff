// `tern run`, `tern state`, `tern alerts` end to end with the seed rule: exact alerts and ids, a second run
// continuing from the first, a SIGKILLed run rerun to the same state as an uninterrupted one, and
// replay vs stream agreement.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import objectHash from "object-hash";
import Database from "better-sqlite3";
import { main } from "../main.js";
import { clusterSpec, renderSummary } from "./run.js";
import { makeRule } from "../../engine/test-support.js";
import { parseKql } from "../../lang/kql/index.js";
import type { RuleRunSummary } from "../../engine/index.js";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../../testing/paths.js";
import { captureCli, runCli } from "../../testing/cli.js";
import { EXAMPLE_PLANTED_ALERTS, plantedForm } from "../../testing/gen/examples.js";

const SEED = join(SEED_DIR, "shared_object_new_terms.toml");
const SEED_ID = "aebaa51f-2a91-4f6a-850b-b601db2293f4";
const INDEX = "logs-endpoint.events.file-default";

const tern = (args: string[]) => runCli(args);

function soEvent(ts: string, process: string, path: string, extra: Record<string, unknown> = {}) {
  return { "@timestamp": ts, host: { name: "web-1", os: { type: "linux" } }, event: { action: "creation", category: ["file"] }, file: { path, extension: "so", name: path.split("/").pop() }, process: { name: process, executable: `/usr/bin/${process}` }, ...extra };
}

function writeEvents(dir: string, events: object[], name = `${INDEX}.ndjson`): { path: string; lines: string[] } {
  const lines = events.map((e) => JSON.stringify(e));
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return { path, lines };
}

const plainId = (index: string, line: string) => createHash("sha256").update(index).update("\u0000").update(line).digest().toString("hex", 0, 20);
const parse = (s: string) => s.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);

test("tern run: the seed rule over plain events → exact alerts, ids, summary; state and alerts commands", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-run-"));
  const { path, lines } = writeEvents(dir, [
    soEvent("2024-05-01T10:00:00Z", "dpkg", "/usr/lib/x86_64-linux-gnu/libz.so"),
    soEvent("2024-05-01T10:00:00Z", "gcc", "/usr/lib/libfoo.so"),
    soEvent("2024-05-01T10:30:00Z", "gcc", "/usr/lib/libfoo.so"),
    soEvent("2024-05-01T11:00:00Z", "curl", "/dev/shm/x.so"),
    { ...soEvent("2024-05-01T11:00:00Z", "curl", "/dev/shm/y.so"), host: { name: "win", os: { type: "windows" } } },
  ]);
  const state = join(dir, "st", "state.db");
  const r = await tern(["run", SEED, "--events", path, "--state", state]);
  assert.equal(r.code, 0, r.stderr);
  const alerts = parse(r.stdout);
  assert.deepEqual(alerts.map((a) => a["kibana.alert.new_terms"]), [["/usr/lib/libfoo.so", "gcc"], ["/dev/shm/x.so", "curl"]]);
  assert.deepEqual(alerts.map((a) => a["kibana.alert.uuid"]), [
    objectHash([INDEX, plainId(INDEX, lines[1]), "undefined", `default:${SEED_ID}`, ["/usr/lib/libfoo.so", "gcc"]]),
    objectHash([INDEX, plainId(INDEX, lines[3]), "undefined", `default:${SEED_ID}`, ["/dev/shm/x.so", "curl"]]),
  ]);
  assert.equal(alerts[0]["kibana.alert.reason"], "file event with process gcc, file libfoo.so, on web-1 created medium alert Shared Object Created or Changed by Previously Unknown Process.");
  assert.equal(alerts[0]["kibana.alert.rule.rule_id"], SEED_ID);
  assert.deepEqual(alerts[0]["kibana.alert.rule.tags"], ["Domain: Endpoint", "OS: Linux", "Use Case: Threat Detection", "Tactic: Persistence", "Data Source: Elastic Endgame", "Data Source: Elastic Defend"]);
  assert.equal((alerts[0]["kibana.alert.rule.threat"] as { tactic: { id: string } }[])[0].tactic.id, "TA0003");
  const summary = r.stderr.split("\n");
  assert.equal(summary[0], "tern run: replay mode, 1 rule run");
  assert.equal(summary[1], "  lines read:     5 (4 events, 1 prefiltered, 0 bad)");
  assert.equal(summary[2], "  events matched: 3");
  assert.equal(summary[3], "  executions:     13");
  assert.equal(summary[4], "  alerts:         2");
  // the gcc write at 10:30 repeats the pair of the one at 10:00: two of the three matching events bring a new term
  assert.equal(summary[5], `    ${SEED_ID}  Shared Object Created or Changed by Previously Unknown Process: 2 alerts, 3 matched, 2 with a new term, 1 duplicate dropped`);
  assert.equal(summary[6], "  warnings:       0");
  assert.equal(statSync(state).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(state)).mode & 0o777, 0o700);

  const list = await tern(["alerts", "list", "--state", state]);
  assert.equal(list.code, 0);
  assert.deepEqual(list.stdout.split("\n").map((l) => l.trimEnd()), [
    "TIME                      RULE                                                            SEVERITY  HOST   PROCESS        FILE                NEW TERMS",
    `2024-05-01T10:00:00.000Z  Shared Object Created or Changed by Previously Unknown Process  medium    web-1  /usr/bin/gcc   /usr/lib/libfoo.so  /usr/lib/libfoo.so, gcc`,
    `2024-05-01T11:00:00.000Z  Shared Object Created or Changed by Previously Unknown Process  medium    web-1  /usr/bin/curl  /dev/shm/x.so       /dev/shm/x.so, curl`,
    "",
  ]);
  const listJson = await tern(["alerts", "list", "--state", state, "--json", "--rule", SEED_ID]);
  assert.deepEqual(parse(listJson.stdout).map((a) => a["kibana.alert.uuid"]), alerts.map((a) => a["kibana.alert.uuid"]));

  const terms = await tern(["state", "terms", SEED_ID, "--state", state, "--json"]);
  assert.deepEqual(parse(terms.stdout), [
    { fields: ["file.path", "process.name"], terms: ["/usr/lib/libfoo.so", "gcc"], first_seen: "2024-05-01T10:00:00.000Z", last_seen: "2024-05-01T10:30:00.000Z", count: 2 },
    { fields: ["file.path", "process.name"], terms: ["/dev/shm/x.so", "curl"], first_seen: "2024-05-01T11:00:00.000Z", last_seen: "2024-05-01T11:00:00.000Z", count: 1 },
  ]);
  const stats = await tern(["state", "stats", "--state", state, "--json"]);
  const st = JSON.parse(stats.stdout) as { terms: number; alerts: number; executions: number; rules: unknown[] };
  assert.deepEqual([st.terms, st.alerts, st.executions], [2, 2, 5]);
  assert.deepEqual(st.rules, [{ ruleId: SEED_ID, terms: 2, alerts: 2, executions: 5, lastStartedAt: Date.parse("2024-05-01T11:00:00Z") }]);
  const prune = await tern(["state", "prune", "--state", state, "--history", "now-45m", "--json"]);
  assert.deepEqual(JSON.parse(prune.stdout), [{ rule_id: SEED_ID, before: "2024-05-01T10:15:00.000Z", deleted: 0 }]);
  const prune2 = await tern(["state", "prune", "--state", state, "--history", "now-20m", "--json"]);
  assert.deepEqual(JSON.parse(prune2.stdout), [{ rule_id: SEED_ID, before: "2024-05-01T10:40:00.000Z", deleted: 1 }]);
});

test("tern run: a second run over newer data continues the schedule and remembers terms", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-run2-"));
  const state = join(dir, "state.db");
  const a = writeEvents(join(dir), [soEvent("2024-05-01T10:00:00Z", "gcc", "/usr/lib/libfoo.so")], `${INDEX}.ndjson`);
  const r1 = await tern(["run", SEED, "--events", a.path, "--state", state]);
  assert.equal(parse(r1.stdout).length, 1);
  const b = writeEvents(dir, [soEvent("2024-05-02T09:00:00Z", "gcc", "/usr/lib/libfoo.so"), soEvent("2024-05-02T09:00:00Z", "ld", "/usr/lib/libfoo.so")], `${INDEX}-2.ndjson`);
  const r2 = await tern(["run", SEED, "--events", b.path, "--state", state, "--index", INDEX]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(parse(r2.stdout).map((x) => x["kibana.alert.new_terms"]), [["/usr/lib/libfoo.so", "ld"]]);
  // 10:00 → next day 09:00 every 5 minutes: 23 h = 276 executions after the first run's one.
  assert.match(r2.stderr, /^ {2}executions: {5}276$/m);
  const terms = parse((await tern(["state", "terms", SEED_ID, "--state", state, "--json"])).stdout);
  assert.deepEqual(terms.map((t) => [t.terms, t.count, t.first_seen, t.last_seen]), [
    [["/usr/lib/libfoo.so", "gcc"], 2, "2024-05-01T10:00:00.000Z", "2024-05-02T09:00:00.000Z"],
    [["/usr/lib/libfoo.so", "ld"], 1, "2024-05-02T09:00:00.000Z", "2024-05-02T09:00:00.000Z"],
  ]);
});

test("tern run: bad rule file → diagnostics and exit 2; unsupported rule types skipped with a reason", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-run3-"));
  const badRule = join(dir, "bad.toml");
  writeFileSync(badRule, "[rule\nname = 1\n");
  const ev = writeEvents(dir, [soEvent("2024-05-01T10:00:00Z", "gcc", "/usr/lib/libfoo.so")]);
  const r = await tern(["run", badRule, "--events", ev.path, "--state", ":memory:"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.toml:1:\d+: error\[TOML001\]/);
  assert.equal(r.stdout, "");
  const esql = join(REPO_ROOT, "test", "fixtures", "rules", "esql_rule.toml");
  const mixed = await tern(["run", SEED, esql, "--events", ev.path, "--state", ":memory:"]);
  assert.equal(mixed.code, 0, mixed.stderr);
  const skipLines = mixed.stderr.split("\n").filter((l) => l.includes("): skipped: "));
  assert.equal(skipLines.length, 1);
  assert.equal(skipLines[0], `tern run: 00000000-0000-4000-8000-000000000010 (${esql}): skipped: rule type "esql" (tern runs query, new_terms, eql and threshold rules)`);
  assert.match(mixed.stderr, /^tern run: replay mode, 1 rule run, 1 skipped$/m);
});

function generated(n: number): object[] {
  // Several days of endpoint-like .so writes: a few known (process, path) pairs repeating, and a new pair
  // every 7th event, so many executions have alerts.
  const out: object[] = [];
  const t0 = Date.parse("2024-05-01T00:00:00Z");
  for (let i = 0; i < n; i++) {
    const ts = new Date(t0 + i * 20_000).toISOString();
    if (i % 7 === 0) out.push(soEvent(ts, `proc-${i % 13}`, `/usr/lib/gen/lib${i}.so`));
    else out.push(soEvent(ts, "gcc", `/usr/lib/libknown${i % 5}.so`));
  }
  return out;
}

function cliEntry(): { args: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) return { args: ["--import", "tsx", join(dirname(here), "..", "tern-entry.ts")] };
  return { args: [join(dirname(here), "..", "tern-entry.js")] };
}

function spawnTern(args: string[], killAfterAlerts?: number): Promise<{ stdout: string; code: number | null; signal: string | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...cliEntry().args, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let killed = false;
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (killAfterAlerts !== undefined && !killed && out.split("\n").length > killAfterAlerts) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ stdout: out, code, signal }));
  });
}

function dbSnapshot(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return {
      alerts: (db.prepare("SELECT id, rule_id, event_time, new_terms FROM alerts ORDER BY id").all() as unknown[]),
      terms: db.prepare("SELECT s.rule_id, s.fields, t.combo, t.first_seen, t.last_seen, t.count FROM terms t JOIN term_sets s ON s.id = t.set_id ORDER BY t.combo").all() as unknown[],
      executions: db.prepare("SELECT rule_id, started_at, from_ms, to_ms, alerts FROM executions ORDER BY started_at").all() as unknown[],
    };
  } finally {
    db.close();
  }
}

/**
 * Runs `args` (a tern run without --state) three times: uninterrupted into full.db; killed with SIGKILL
 * after `killAfter` alert lines into killed.db; rerun into killed.db. Asserts the rerun never repeats an
 * alert the killed run committed and that killed ∪ rerun output equals the uninterrupted run's.
 */
async function assertKillRerun(dir: string, args: string[], killAfter: number): Promise<{ full: string; killedDb: string; fullIds: string[] }> {
  const full = join(dir, "full.db");
  const r0 = await spawnTern([...args, "--state", full]);
  assert.equal(r0.code, 0);
  const fullIds = parse(r0.stdout).map((a) => a["kibana.alert.uuid"] as string);
  assert.equal(new Set(fullIds).size, fullIds.length);
  const killedDb = join(dir, "killed.db");
  const r1 = await spawnTern([...args, "--state", killedDb], killAfter);
  assert.equal(r1.signal, "SIGKILL");
  assert.ok(existsSync(killedDb));
  const partial = dbSnapshot(killedDb);
  assert.ok(partial.alerts.length > 0 && partial.alerts.length < fullIds.length, `partial ${partial.alerts.length}`);
  const r2 = await spawnTern([...args, "--state", killedDb]);
  assert.equal(r2.code, 0);
  const rerunIds = parse(r2.stdout).map((a) => a["kibana.alert.uuid"] as string);
  const committed = new Set((partial.alerts as { id: string }[]).map((a) => a.id));
  // The rerun never repeats an alert the killed run committed.
  assert.deepEqual(rerunIds.filter((id) => committed.has(id)), []);
  // Killed output ∪ rerun output = the uninterrupted run's alerts.
  const killedIds = parse(r1.stdout.slice(0, r1.stdout.lastIndexOf("\n") + 1)).map((a) => a["kibana.alert.uuid"] as string);
  assert.deepEqual([...new Set([...killedIds, ...rerunIds])].sort(), [...fullIds].sort());
  return { full, killedDb, fullIds };
}

test("tern run: SIGKILL mid-way, rerun → no duplicate alert, same state as an uninterrupted run", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-kill-"));
  const ev = writeEvents(dir, generated(40_000));
  const { full, killedDb, fullIds } = await assertKillRerun(dir, ["run", SEED, "--events", ev.path], 300);
  assert.ok(fullIds.length > 1000, `${fullIds.length} alerts`);
  assert.deepEqual(dbSnapshot(killedDb), dbSnapshot(full));
});

/** curl starts, each followed 25 events (25 s) later by its network connection: sequences span stream batches. */
function eqlEvents(n: number): object[] {
  const t0 = Date.parse("2024-05-01T00:00:00Z");
  const out: object[] = [];
  for (let i = 0; i < n; i++) {
    const ts = new Date(t0 + i * 1000).toISOString();
    const host = { id: "h1", name: "web-1", os: { type: "linux" } };
    out.push({ "@timestamp": ts, host, event: { category: ["process"], type: ["start"] }, process: { entity_id: `e${i}`, name: "curl" } });
    if (i >= 25) out.push({ "@timestamp": ts, host, event: { category: ["network"], type: ["start"] }, process: { entity_id: `e${i - 25}`, name: "curl" } });
  }
  return out;
}

test("tern run --mode stream, EQL sequences: SIGKILL mid-way, rerun → each sequence alerted once, same state", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-eql-kill-"));
  const rule = join(REPO_ROOT, "test", "fixtures", "rules", "eql_sequence.toml");
  const ev = writeEvents(dir, eqlEvents(20_000), "logs-endpoint.events.process-default.ndjson");
  const { full, killedDb, fullIds } = await assertKillRerun(dir, ["run", rule, "--events", ev.path, "--mode", "stream"], 3_000);
  // 19,975 sequences, each a shell and two building blocks
  assert.equal(fullIds.length, 3 * 19_975);
  assert.deepEqual(dbSnapshot(killedDb).alerts, dbSnapshot(full).alerts);
  // the last 25 curl starts wait for their connection, in both memories alike
  const pending = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare("SELECT stage, data FROM eql_partials ORDER BY data").all();
    } finally {
      db.close();
    }
  };
  assert.equal(pending(killedDb).length, 25);
  assert.deepEqual(pending(killedDb), pending(full));
});

test("tern run: replay and stream agree on the generated data", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-modes-"));
  const ev = writeEvents(dir, generated(3_000));
  const replay = await tern(["run", SEED, "--events", ev.path, "--state", ":memory:"]);
  const stream = await tern(["run", SEED, "--events", ev.path, "--state", ":memory:", "--mode", "stream"]);
  assert.equal(stream.code, 0, stream.stderr);
  const key = (s: string) => parse(s).map((a) => a["kibana.alert.uuid"] as string).sort();
  // Derived from how the data is made, not from a run: every (file.path, process.name) pair is new the
  // first time it is written (16 hours of data, inside the 7-day history window) — each /usr/lib/gen path
  // (every 7th event) and the five gcc pairs first written by events 1-5 — and alerts once, on that event.
  const events = generated(3_000) as { "@timestamp": string; file: { path: string } }[];
  const expected = events.filter((_, i) => i % 7 === 0 || (i >= 1 && i <= 5)).map((e) => `${e["@timestamp"]} ${e.file.path}`);
  const alerted = (s: string) => parse(s).map((a) => `${String(a["kibana.alert.original_time"])} ${String((a.file as { path: string }).path)}`).sort();
  assert.equal(expected.length, 434);
  assert.deepEqual(alerted(replay.stdout), expected.sort());
  assert.deepEqual(alerted(stream.stdout), expected);
  assert.deepEqual(key(stream.stdout), key(replay.stdout));
});

test("tern run: bad lines of each kind counted with file:line, written to --rejects, alerts unaffected; --strict stops (exit 2)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-bad-"));
  const good = [soEvent("2024-05-01T10:00:00Z", "gcc", "/usr/lib/libfoo.so"), soEvent("2024-05-01T11:00:00Z", "curl", "/dev/shm/x.so")].map((e) => JSON.stringify(e));
  const clean = join(dir, `${INDEX}.ndjson`);
  writeFileSync(clean, good.join("\n") + "\n");
  const dirty = join(dir, "dirty", `${INDEX}.ndjson`);
  const long = JSON.stringify({ ...soEvent("2024-05-01T10:30:00Z", "gcc", "/usr/lib/libfoo.so"), pad: "x".repeat(600) });
  // Bad lines carry the query's literals as string tokens, or the byte prefilter would drop them before validation.
  // (and the objects a file.path the query's pattern matches: the prefilter reads that key's value)
  const lit = '"linux", "creation", "/usr/lib/a.so", "so", "gcc", "name"';
  const path = '"file": {"path": "/usr/lib/a.so"}';
  const badUtf8 = Buffer.concat([Buffer.from(`{"note": ${lit}, ${path}, "a":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  const parts: Buffer[] = [
    Buffer.from(good[0] + "\n"),
    Buffer.from(`{"note": ${lit}, ${path}, "so": \n`),
    Buffer.from(`[${lit}]\n`),
    badUtf8,
    Buffer.from("\n" + long + "\n"),
    Buffer.from(good[1] + "\n"),
  ];
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dirname(dirty));
  writeFileSync(dirty, Buffer.concat(parts));
  const rejects = join(dir, "rejects.ndjson");
  const a = await tern(["run", SEED, "--events", clean, "--state", ":memory:"]);
  const b = await tern(["run", SEED, "--events", dirty, "--state", ":memory:", "--max-line-bytes", "512", "--rejects", rejects]);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(parse(b.stdout).map((x) => x["kibana.alert.uuid"]), parse(a.stdout).map((x) => x["kibana.alert.uuid"]));
  const lines = b.stderr.split("\n");
  const at = lines.indexOf("bad lines: 4");
  assert.ok(at > 0, b.stderr);
  assert.deepEqual(lines.slice(at + 1, at + 5).map((l) => l.trim().split(":").slice(0, 3).join(":")), [
    `${dirty}:2: invalid-json`,
    `${dirty}:3: not-an-object`,
    `${dirty}:4: invalid-utf8`,
    `${dirty}:5: too-long`,
  ]);
  assert.equal(statSync(rejects).mode & 0o777, 0o600);
  assert.equal(readFileSync(rejects).length > 600, true);
  const strict = await tern(["run", SEED, "--events", dirty, "--state", ":memory:", "--strict"]);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, new RegExp(`${dirty.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: error: bad line \\(invalid-json\\)`));
});

test("tern run: replay and stream give the same alerts on the example data (examples/)", async () => {
  const args = ["run", join(REPO_ROOT, "examples", "rules"), "--events", join(REPO_ROOT, "examples", "events"), "--state", ":memory:"];
  const replay = await tern(args);
  const stream = await tern([...args, "--mode", "stream"]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(stream.code, 0, stream.stderr);
  const key = (s: string) => parse(s).map((a) => a["kibana.alert.uuid"] as string).sort();
  // Anchored to the alerts the examples were written to produce, not only to each other.
  assert.deepEqual(parse(replay.stdout).map(plantedForm), EXAMPLE_PLANTED_ALERTS);
  assert.deepEqual(parse(stream.stdout).map(plantedForm), EXAMPLE_PLANTED_ALERTS);
  assert.deepEqual(key(stream.stdout), key(replay.stdout));
});

test("tern run: a progress display only when stderr is a TTY", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-tty-"));
  const ev = writeEvents(dir, generated(50));
  const run = async (tty: boolean) => {
    const c = captureCli();
    (c.ctx.stderr as { isTTY?: boolean }).isTTY = tty;
    const code = await main(["node", "tern", "run", SEED, "--events", ev.path, "--state", ":memory:"], c.ctx);
    return { code, err: c.err() };
  };
  const piped = await run(false);
  const tty = await run(true);
  assert.equal(piped.code, 0);
  assert.equal(tty.code, 0);
  assert.equal(piped.err.includes("reading:") || piped.err.includes("executing ["), false);
  assert.ok(tty.err.includes("reading: 50 lines, 50 events"), JSON.stringify(tty.err.slice(0, 300)));
  assert.ok(tty.err.includes("executing ["));
});

test("tern run: --space and --rule-uuid in alert ids, --output file 0600, --fail-on-alerts exit 1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-opts-"));
  const { path, lines } = writeEvents(dir, [soEvent("2024-05-01T10:00:00Z", "gcc", "/usr/lib/libfoo.so")]);
  const out = join(dir, "alerts.ndjson");
  const r = await tern(["run", SEED, "--events", path, "--state", ":memory:", "--space", "blue", "--rule-uuid", "so-1", "--output", out, "--fail-on-alerts"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, "");
  const alerts = parse(readFileSync(out, "utf8"));
  assert.deepEqual(alerts.map((a) => [a["kibana.alert.uuid"], a["kibana.space_ids"], a["kibana.alert.rule.uuid"]]), [
    [objectHash([INDEX, plainId(INDEX, lines[0]), "undefined", "blue:so-1", ["/usr/lib/libfoo.so", "gcc"]]), ["blue"], "so-1"],
  ]);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const none = await tern(["run", SEED, "--events", path, "--state", ":memory:", "--fail-on-alerts", "--start", "2024-05-02T00:00:00Z"]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, "");
  const usage = await tern(["run", SEED, "--events", path, "--state", ":memory:", "--start", "yesterday-ish"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^tern run: --start: /);
});

test("-o /dev/null works (no fsync on a device, its mode untouched); -o into a missing directory is exit 2 with what to do", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-devnull-"));
  const before = statSync("/dev/null").mode;
  const r = await tern(["run", SEED, "--events", join(REPO_ROOT, "examples", "events"), "--state", join(dir, "s.db"), "-o", "/dev/null"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync("/dev/null").mode, before);
  const m = await tern(["run", SEED, "--events", join(REPO_ROOT, "examples", "events"), "--state", join(dir, "s2.db"), "-o", join(dir, "no", "alerts.ndjson")]);
  assert.equal(m.code, 2);
  assert.equal(m.stderr, `tern: --output ${join(dir, "no", "alerts.ndjson")}: its directory does not exist; create it or choose another path\n`);
});

test("an event whose @timestamp and event.ingested are beyond a Date's range is an event without time, not a crash (replay and stream)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-bigtime-"));
  const f = join(dir, `${INDEX}.ndjson`);
  const ev = (t: string) => `{"@timestamp":${t},"event":{"category":["file"],"action":"creation","ingested":${t}},"host":{"os":{"type":"linux"}},"file":{"path":"/dev/shm/a.so","extension":"so"},"process":{"name":"x"}}`;
  writeFileSync(f, [ev("1e20"), ev("8.7e15"), ev("1.23e29")].join("\n") + "\n");
  for (const mode of ["replay", "stream"]) {
    const r = await tern(["run", SEED, "--events", f, "--state", join(dir, `${mode}.db`), "--mode", mode]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /lines read: +3 \(3 events/);
    // said, not dropped without a word
    assert.match(r.stderr, /Shared Object Created or Changed by Previously Unknown Process: 0 alerts, 0 matched, 3 matching events without a usable time \(never alerted\) — none of the events it matched has a usable time\n/);
  }
});

test("an event with more term combinations than the per-event bound is counted in the summary, not run out of memory on (replay and stream)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-combos-"));
  const n = (p: string, k: number) => Array.from({ length: k }, (_, i) => `${p}${i}`);
  // 101 paths × 100 process names = 10,100 combinations in a 3 kB line
  const ev = soEvent("2024-05-01T10:00:00.000Z", "x", "/dev/shm/a.so", { file: { path: n("/dev/shm/a", 101).map((p) => `${p}.so`), extension: "so" }, process: { name: n("p", 100) } });
  const { path } = writeEvents(dir, [ev]);
  for (const mode of ["replay", "stream"]) {
    const r = await tern(["run", SEED, "--events", path, "--state", join(dir, `${mode}.db`), "--mode", mode]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parse(r.stdout).length, 100);
    assert.match(r.stderr, /Previously Unknown Process: 100 alerts, 1 matched, 1 matching event with more than 10,000 term combinations \(100 combinations past the first 10,000 in key order neither alerted on nor learned\)\n/);
  }
});

test("--start after --end is a usage error that says so (it used to run zero executions, exit 0)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-startend-"));
  const r = await tern(["run", SEED, "--events", join(REPO_ROOT, "examples", "events"), "--state", join(dir, "s.db"), "--start", "2024-02-01T00:00:00Z", "--end", "2024-01-01T00:00:00Z"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "tern run: --start (2024-02-01T00:00:00.000Z) is after --end (2024-01-01T00:00:00.000Z): no execution could run; swap them\n");
  assert.equal(existsSync(join(dir, "s.db")), false);
});

test("a second writer on one --state fails at once, naming the process that holds it (STATE003, exit 2)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-busy-"));
  const state = join(dir, "s.db");
  const holder = spawn("sleep", ["30"], { stdio: "ignore" });
  writeFileSync(`${state}.lock`, `${holder.pid}\n`);
  try {
    const r = await tern(["run", SEED, "--events", join(REPO_ROOT, "examples", "events"), "--state", state]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`error\\[STATE003\\]: The state ${state.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is in use by process ${holder.pid} \\(another tern run or prune\\); wait for it to end, or give this run its own --state\\.`));
    assert.equal(r.stdout, "");
  } finally {
    holder.kill("SIGKILL");
  }
});

test("the summary says how many truncations lost unread lines for want of a copy, and the bytes known", () => {
  const stats = { files: 1, lines: 3, bytes: 30, bad: 0, prefiltered: 0, events: 3, truncationsLost: 2, truncationBytesLost: 37_856 };
  const text = renderSummary({ mode: "stream", stats, matchedEvents: 0, alerts: 0, rules: [], warnings: [], elapsedMs: 1000 }, { shown: [], total: 0 }, []);
  assert.match(text, /\n {2}lost to truncation: 2 truncations whose unread part had no copy \(37,856 bytes known unread, and what was written after the last read\)\n/);
});

test("the summary names why a rule made no alert, and past 20 rules counts the quiet ones by reason (all of them with --verbose)", () => {
  const stats = { files: 1, lines: 10, bytes: 100, bad: 0, prefiltered: 0, events: 10 };
  const rule = (i: number, over: Partial<RuleRunSummary>): RuleRunSummary => ({ ruleId: `r${i}`, name: `Rule ${i}`, type: "query", matched: 0, alerts: 0, duplicates: 0, suppressed: 0, executions: 1, alreadyDone: 0, notSelected: 0, noTime: 0, withNewTerm: 0, cutEvents: 0, cutCombinations: 0, warnings: [], ...over, usable: over.usable ?? over.matched ?? 0, inWindow: over.inWindow ?? over.usable ?? over.matched ?? 0 });
  const rules = [
    rule(0, { matched: 3, alerts: 2 }),
    ...Array.from({ length: 12 }, (_, i) => rule(i + 1, {})),
    ...Array.from({ length: 6 }, (_, i) => rule(i + 13, { notSelected: 4 })),
    // the engine counts an event that matched but has no usable time in noTime, not in matched
    ...Array.from({ length: 2 }, (_, i) => rule(i + 19, { noTime: 5 })),
    rule(21, { matched: 2, duplicates: 2 }),
    rule(22, { matched: 7 }),
  ];
  const summary = { mode: "replay" as const, stats, matchedEvents: 10, alerts: 2, rules, warnings: [], elapsedMs: 1000 };
  const lines = renderSummary(summary, { shown: [], total: 0 }, []).split("\n");
  const at = lines.indexOf("  alerts:         2");
  assert.deepEqual(lines.slice(at + 1, at + 8), [
    "    r0  Rule 0: 2 alerts, 3 matched",
    "    22 other rules made no alert (--verbose lists each):",
    "      12: no event matched its query",
    "      6: its index patterns select none of the events its query matched",
    "      2: none of the events it matched has a usable time",
    "      1: every alert it found was already stored",
    "      1: the events it matched made no alert (their new terms already known, no threshold reached, no sequence completed)",
  ]);
  const verbose = renderSummary(summary, { shown: [], total: 0 }, [], { verbose: true }).split("\n");
  assert.equal(verbose.filter((l) => l.startsWith("    r")).length, 23);
  assert.equal(verbose.find((l) => l.startsWith("    r13 ")), "    r13  Rule 13: 0 alerts, 0 matched, 4 matched events outside its index patterns — its index patterns select none of the events its query matched");
});

test("many skipped rules are counted by reason; --verbose lists each", async () => {
  const linux = join(CORPUS_DIR, "rules", "linux");
  const grouped = await tern(["run", linux, "--type", "esql", "query", "--events", "-", "--state", ":memory:"]);
  assert.equal(grouped.code, 0, grouped.stderr);
  assert.match(grouped.stderr, /^tern run: \d+ of \d+ rules selected\ntern run: 8 rules skipped \(--verbose lists each\):\n {2}8: rule type "esql" \(tern runs query, new_terms, eql and threshold rules\)\n/);
  const listed = await tern(["run", linux, "--type", "esql", "query", "--events", "-", "--state", ":memory:", "--verbose"]);
  assert.equal(listed.stderr.split("\n").filter((l) => / skipped: rule type "esql"/.test(l)).length, 8);
});

test("required_fields: a rule whose events hold none of a required field warns, naming it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-required-"));
  const text = readFileSync(join(SEED_DIR, "shared_object_new_terms.toml"), "utf8").replace(
    "[[rule.threat]]",
    '[[rule.required_fields]]\nname = "file.path"\ntype = "keyword"\necs = true\n\n[[rule.required_fields]]\nname = "process.code_signature.trusted"\ntype = "boolean"\necs = true\n\n[[rule.threat]]',
  );
  writeFileSync(join(dir, "rule.toml"), text);
  const r = await tern(["run", join(dir, "rule.toml"), "--events", join(REPO_ROOT, "examples", "events"), "--state", ":memory:"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\n {2}warnings: {7}1\n {4}aebaa51f-2a91-4f6a-850b-b601db2293f4: none of the 63 events that reached it has the required field process\.code_signature\.trusted\n/);
});

test("--alerts-index and --cluster-searches belong to --cluster runs: exit 2 with what to do", async () => {
  const examples = join(REPO_ROOT, "examples", "events");
  for (const [flag, value] of [["--alerts-index", ".alerts-x"], ["--cluster-searches", "fetch"]]) {
    const r = await runCli(["run", SEED_DIR, "--events", examples, "--state", ":memory:", flag, value]);
    assert.deepEqual([r.code, r.stderr, r.stdout], [2, `tern run: ${flag} is for --cluster runs\n`, ""]);
  }
  const bad = await runCli(["run", SEED_DIR, "--cluster", "http://127.0.0.1:9", "--cluster-searches", "native"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /option '--cluster-searches <how>' argument 'native' is invalid\. Allowed choices are kibana, fetch\./);
});

test("--cluster fetch span: the windows, plus new-terms history unless the memory holds it (a rule carrying on from its stored schedule)", () => {
  const at = Date.parse("2024-05-01T12:00:00.000Z");
  const nt = makeRule({ rule_id: "nt", index: ["logs-a-*"], from: "now-2m", new_terms: { fields: ["host.name"], history_window_start: "now-1h" } });
  const q = makeRule({ rule_id: "q", type: "query", index: ["logs-b-*", "logs-a-*"], from: "now-10m", query: "event.action:x" });
  const queries = [parseKql("*"), parseKql("event.action:x")];
  const rules = [nt, q].map((rule, i) => ({ er: { rule, ruleUuid: rule.rule_id, matches: () => true }, query: queries[i] }));
  const fresh = clusterSpec(rules, () => at, at);
  assert.deepEqual([new Date(fresh.from).toISOString(), new Date(fresh.to).toISOString(), fresh.indices], ["2024-05-01T10:58:00.000Z", "2024-05-01T12:00:00.000Z", ["logs-a-*", "logs-b-*"]]);
  const known = clusterSpec(rules, () => at, at, (r) => r.rule.rule_id === "nt");
  assert.equal(new Date(known.from).toISOString(), "2024-05-01T11:50:00.000Z");
  assert.equal(known.queries.length, 2);
});

test("the funnel past the query: events without the rule's fields, and events outside every execution's window, are counted and named", async () => {
  const examples = join(REPO_ROOT, "examples", "events");
  const late = await runCli(["run", SEED_DIR, "--events", examples, "--state", ":memory:", "--start", "2030-01-01T00:00:00Z", "--end", "2030-01-01T00:00:00Z"]);
  assert.equal(late.code, 0, late.stderr);
  assert.match(late.stderr, /aebaa51f-2a91-4f6a-850b-b601db2293f4 {2}Shared Object Created or Changed by Previously Unknown Process: 0 alerts, (\d+) matched, \1 usable, 0 in an execution's window — none of its events fell inside an execution's window \(--start\/--end decide the executions\)\n/);
  const d = mkdtempSync(join(tmpdir(), "tern-funnel-"));
  const rule = join(d, "nt.toml");
  writeFileSync(
    rule,
    readFileSync(join(SEED_DIR, "shared_object_new_terms.toml"), "utf8").replace('value = ["file.path", "process.name"]', 'value = ["file.path", "user.no_such_field"]').replace(/^rule_id = .*$/m, 'rule_id = "nt-missing"'),
  );
  const missing = await runCli(["run", rule, "--events", examples, "--state", ":memory:"]);
  assert.equal(missing.code, 0, missing.stderr);
  assert.match(missing.stderr, /nt-missing {2}Shared Object Created or Changed by Previously Unknown Process: 0 alerts, \d+ matched, 0 usable, 0 in an execution's window — none of the events it matched has the fields it needs \(its new-terms or threshold fields\)\n/);
});

test("the funnel's new-term step: the examples' six planted writes carry the only new terms; run again, every term is known and the summary says so", async () => {
  const examples = join(REPO_ROOT, "examples", "events");
  const d = mkdtempSync(join(tmpdir(), "tern-known-"));
  try {
    const state = join(d, "s.db");
    const first = await runCli(["run", SEED_DIR, "--events", examples, "--state", state]);
    assert.equal(first.code, 0, first.stderr);
    // the other matching events repeat a (file.path, process.name) pair an earlier event brought
    assert.match(first.stderr, /Previously Unknown Process: 6 alerts, (\d+) matched, 6 with a new term, \d+ duplicates dropped\n/);
    const again = await runCli(["run", SEED_DIR, "--events", examples, "--state", state, "--mode", "stream"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /Previously Unknown Process: 0 alerts, \d+ matched, 0 with a new term — every term its events carried was already in its history \(none new\)\n/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("--quiet: alerts on stdout and nothing on stderr; bad lines or warnings in one line; not with --verbose", async () => {
  const examples = join(REPO_ROOT, "examples", "events");
  const esql = join(REPO_ROOT, "test", "fixtures", "rules", "esql_rule.toml");
  // without --quiet: a selection note, a skipped rule, the summary
  const loud = await runCli(["run", SEED, esql, "--events", examples, "--state", ":memory:", "--tag", "OS: Linux"]);
  assert.match(loud.stderr, /^tern run: 1 of 2 rules selected\ntern run: replay mode, 1 rule run\n/);
  const skipping = await runCli(["run", SEED, esql, "--events", examples, "--state", ":memory:"]);
  assert.match(skipping.stderr, /^tern run: \S+ \(.+esql_rule\.toml\): skipped: rule type "esql"/);
  for (const args of [["--tag", "OS: Linux"], []]) {
    const quiet = await runCli(["run", SEED, esql, "--events", examples, "--state", ":memory:", "--quiet", ...args]);
    assert.deepEqual([quiet.code, quiet.stderr], [0, ""]);
    // the examples' six planted writes
    assert.equal(quiet.stdout.trim().split("\n").length, 6);
  }
  const dir = mkdtempSync(join(tmpdir(), "tern-quiet-"));
  try {
    const f = join(dir, `${INDEX}.ndjson`);
    writeFileSync(f, `${JSON.stringify(soEvent("2024-05-01T10:00:00Z", "gcc", "/usr/lib/libfoo.so"))}\n{"broken": "linux", "so"\n`);
    const bad = await runCli(["run", SEED, "--events", f, "--state", ":memory:", "--quiet"]);
    assert.deepEqual([bad.code, bad.stderr, bad.stdout.trim().split("\n").length], [0, "tern run: 1 bad line (rerun without --quiet to see them)\n", 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const both = await runCli(["run", SEED, "--events", examples, "--quiet", "--verbose"]);
  assert.deepEqual([both.code, both.stderr], [2, "tern run: --quiet and --verbose ask for opposite things: give one\n"]);
});

test("--json: the summary on stderr is one JSON object with each rule's funnel and reason, the skipped rules and the bad lines", async () => {
  const esql = join(REPO_ROOT, "test", "fixtures", "rules", "esql_rule.toml");
  const dir = mkdtempSync(join(tmpdir(), "tern-json-"));
  try {
    const f = join(dir, `${INDEX}.ndjson`);
    const good = [soEvent("2024-05-01T10:00:00Z", "gcc", "/usr/lib/libfoo.so"), soEvent("2024-05-01T10:30:00Z", "gcc", "/usr/lib/libfoo.so")].map((e) => JSON.stringify(e));
    // the broken line lacks its closing brace: the prefilter's shape check calls it bad without parsing it
    writeFileSync(f, `${good[0]}\n{"broken": "linux", "so"\n${good[1]}\n`);
    const r = await runCli(["run", SEED, esql, "--events", f, "--state", ":memory:", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1);
    const s = JSON.parse(lines[0]) as { mode: string; alerts: number; rules: { ruleId: string; funnel: { step: string; count: number }[]; duplicates: number; why: string | null }[]; skipped: string[]; badLines: { total: number; shown: string[] } };
    assert.deepEqual([s.mode, s.alerts], ["replay", 1]);
    assert.deepEqual(s.rules.map((x) => [x.ruleId, x.funnel.map((st) => [st.step, st.count]), x.why]), [
      [SEED_ID, [["events read", 2], ["matched the query", 2], ["usable (time and fields)", 2], ["in an execution's window", 2], ["with a new term", 1], ["alerts", 1]], null],
    ]);
    assert.deepEqual(s.skipped.map((x) => x.replace(/ \(.*\): /, " ")), ['00000000-0000-4000-8000-000000000010 skipped: rule type "esql" (tern runs query, new_terms, eql and threshold rules)']);
    assert.deepEqual([s.badLines.total, s.badLines.shown.map((b) => b.replace(f, "F"))], [1, ["F:2: not-an-object: line is not a JSON object (it does not start with { and end with })"]]);
    const both = await runCli(["run", SEED, "--events", f, "--json", "--quiet"]);
    assert.deepEqual([both.code, both.stderr], [2, "tern run: --quiet and --json ask for opposite things: give one\n"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
