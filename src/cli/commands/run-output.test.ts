// `tern run` output across crashes and full disks, with real processes and real file systems: a child
// SIGKILLed at random moments while writing thousands of alerts to --output, then rerun, leaves every alert
// exactly once in the file and in the state; a full tmpfs under --output, stdout or the state, and stdout
// on /dev/full, end with one SNK001/STATE004 line and exit 2, with nothing recorded that was not written.
// The tmpfs tests mount one (root only) and are skipped, saying so, where that is not allowed.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type StdioOptions } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { REPO_ROOT } from "../../testing/paths.js";
import { Rng } from "../../testing/gen/rng.js";

const RULE = join(REPO_ROOT, "test", "fixtures", "rules", "valid_query.toml");
const ENTRY = join(dirname(fileURLToPath(import.meta.url)), "..", "tern-entry.js");

/** `n` bash starts 20 s apart: the query rule alerts on each one (n alerts of ~2.9 kB). */
function writeEvents(dir: string, n: number): string {
  const t0 = Date.parse("2024-05-01T00:00:00Z");
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ "@timestamp": new Date(t0 + i * 20_000).toISOString(), host: { name: "web-1" }, event: { category: ["process"], type: ["start"] }, process: { name: "bash", pid: i, args: ["bash", "-c", `job ${i}`] } }));
  const path = join(dir, "logs-test.ndjson");
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/**
 * Runs tern; `killWhen` is checked every millisecond and on every change in `watchDir` (inotify: a write
 * is seen well before the commit after it) and SIGKILLs the child once it returns true.
 */
function tern(args: string[], opts: { stdout?: number; killWhen?: () => boolean; watchDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = ["ignore", opts.stdout ?? "ignore", "pipe"];
    const child = spawn(process.execPath, [ENTRY, ...args], { stdio, env: opts.env ?? process.env });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const check = () => {
      if (opts.killWhen?.() === true) child.kill("SIGKILL");
    };
    const poll = opts.killWhen === undefined ? undefined : setInterval(check, 1);
    const watcher = opts.killWhen === undefined || opts.watchDir === undefined ? undefined : watch(opts.watchDir, check);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (poll !== undefined) clearInterval(poll);
      watcher?.close();
      resolve({ code, signal, stderr });
    });
  });
}

/** Alert ids of every line of an NDJSON file (a line that is not JSON fails the test). */
function fileIds(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as Record<string, string>)["kibana.alert.uuid"]);
}

function stateIds(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT id FROM alerts ORDER BY id").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

const sorted = (ids: string[]) => [...ids].sort();


test("tern run --output: SIGKILL at random moments of replay and stream, rerun → every alert exactly once in the file and the state", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tern-crash-"));
  const events = writeEvents(dir, 4_000);
  const fullOut = join(dir, "full.ndjson");
  const t0 = performance.now();
  const full = await tern(["run", RULE, "--events", events, "--state", join(dir, "full.db"), "--output", fullOut]);
  const fullMs = performance.now() - t0;
  assert.equal(full.code, 0, full.stderr);
  const all = sorted(fileIds(fullOut));
  assert.equal(new Set(all).size, 4_000);
  const fullBytes = statSync(fullOut).size;

  const seeds = 10;
  let killed = 0;
  let cutBack = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const rng = new Rng(seed);
    const mode = seed % 2 === 0 ? "stream" : "replay";
    const runDir = join(dir, `run-${seed}`);
    mkdirSync(runDir);
    const out = join(runDir, "alerts.ndjson");
    const state = join(runDir, "state.db");
    const args = ["run", RULE, "--events", events, "--state", state, "--output", out, "--mode", mode];
    // Most kills wait for the file to pass a size: they land during or just after a group's write, before
    // its commit. The others wait for a time: reading, executing or committing.
    const bySize = seed % 3 !== 0;
    const limit = bySize ? rng.next() * 0.95 : 0.3 + rng.next() * 0.65;
    const start = performance.now();
    const first = await tern(args, { watchDir: runDir, killWhen: bySize ? () => existsSync(out) && statSync(out).size > limit * fullBytes : () => performance.now() - start > limit * fullMs });
    if (first.signal === "SIGKILL") killed++;
    else assert.equal(first.code, 0, first.stderr);
    const left = existsSync(out) ? statSync(out).size : 0;
    const rerun = await tern(args);
    assert.equal(rerun.code, 0, rerun.stderr);
    const cut = /: removed \d+ bytes written by a run that stopped before recording their alerts; those alerts are written again$/m.test(rerun.stderr);
    if (cut) cutBack++;
    t.diagnostic(`seed ${seed}: ${mode}, killed by ${bySize ? `size ${Math.round(limit * fullBytes)}` : `time ${Math.round(limit * fullMs)} ms`}: ${first.signal ?? first.code} at ${left} bytes${cut ? ", cut back" : ""}`);
    const inFile = fileIds(out);
    assert.equal(inFile.length, 4_000, `seed ${seed} (${mode}, kill by ${bySize ? "size" : "time"}): ${inFile.length - new Set(inFile).size} duplicates`);
    assert.deepEqual(sorted(inFile), all, `seed ${seed}`);
    assert.deepEqual(stateIds(state), all, `seed ${seed}`);
  }
  t.diagnostic(`${seeds} runs: ${killed} killed, ${cutBack} reruns cut an unrecorded write back`);
  // Kills by size land between a write and its commit nearly every time: the cut-back path ran.
  assert.ok(killed >= seeds / 2 && cutBack >= 1, `${killed} killed, ${cutBack} cut back`);
});

/** Mounts a tmpfs of `size` at a new directory for `fn`; skips the test where mounting is not allowed. */
async function withTmpfs(t: TestContext, size: string, fn: (dir: string, resize: (size: string) => void) => Promise<void>): Promise<void> {
  const dir = join(mkdtempSync(join(tmpdir(), "tern-tmpfs-")), "mnt");
  mkdirSync(dir);
  const m = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir], { encoding: "utf8" });
  if (m.status !== 0) {
    t.skip(`cannot mount a tmpfs (needs root): ${(m.stderr || String(m.error)).trim()}`);
    return;
  }
  try {
    await fn(dir, (s) => assert.equal(spawnSync("mount", ["-o", `remount,size=${s}`, dir]).status, 0));
  } finally {
    spawnSync("umount", [dir]);
    rmSync(dirname(dir), { recursive: true, force: true });
  }
}

const SNK001_OUTPUT = (path: string) => `tern: error[SNK001]: cannot write --output ${path}: no space left on the device (ENOSPC); alerts not fully written were not recorded as delivered: free space and rerun\n`;

test("tern run --output on a full disk: exit 2 with SNK001, the file holds exactly the recorded alerts; after freeing space the rerun completes it", { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tern-full-out-"));
  const events = writeEvents(dir, 1_000);
  await withTmpfs(t, "1m", async (mnt, resize) => {
    const out = join(mnt, "alerts.ndjson");
    const state = join(dir, "state.db");
    const args = ["run", RULE, "--events", events, "--state", state, "--output", out];
    const r = await tern(args);
    assert.deepEqual([r.code, r.stderr], [2, SNK001_OUTPUT(out)]);
    const recorded = stateIds(state);
    assert.ok(recorded.length > 0 && recorded.length < 1_000, `${recorded.length} recorded`);
    // the failed write was cut back at once: no partial line, nothing beyond the recorded alerts
    assert.equal(readFileSync(out, "utf8").endsWith("\n"), true);
    assert.deepEqual(sorted(fileIds(out)), recorded);
    resize("8m");
    const again = await tern(args);
    assert.equal(again.code, 0, again.stderr);
    const ids = fileIds(out);
    assert.equal(ids.length, 1_000);
    assert.deepEqual(sorted(ids), stateIds(state));
    assert.equal(new Set(ids).size, 1_000);
  });
});

test("tern run with the state on a full disk: exit 2 with STATE004; the rerun cuts --output back to what the state recorded", { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tern-full-state-"));
  const events = writeEvents(dir, 1_000);
  await withTmpfs(t, "1m", async (mnt, resize) => {
    const out = join(dir, "alerts.ndjson");
    const state = join(mnt, "state.db");
    const args = ["run", RULE, "--events", events, "--state", state, "--output", out];
    const r = await tern(args);
    assert.deepEqual([r.code, r.stderr], [2, `tern: error[STATE004]: cannot write the state store ${state}: the disk is full (SQLITE_FULL); the transaction in progress was rolled back: free space and rerun\n`]);
    const recorded = stateIds(state);
    assert.ok(recorded.length < 1_000, `${recorded.length} recorded`);
    resize("16m");
    const again = await tern(args);
    assert.equal(again.code, 0, again.stderr);
    const ids = fileIds(out);
    assert.equal(ids.length, 1_000);
    assert.equal(new Set(ids).size, 1_000);
    assert.deepEqual(sorted(ids), stateIds(state));
  });
});

test("tern run with the replay spill on a full disk: exit 2 with STATE005 naming TMPDIR; nothing recorded; the rerun writes every alert", { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tern-full-spill-"));
  // 5,000 matching events: about 1.3 MB of documents kept for the alerts, more than the 1 MB disk
  const events = writeEvents(dir, 5_000);
  await withTmpfs(t, "1m", async (mnt, resize) => {
    const out = join(dir, "alerts.ndjson");
    const state = join(dir, "state.db");
    const args = ["run", RULE, "--events", events, "--state", state, "--output", out];
    const env = { ...process.env, TMPDIR: mnt };
    const r = await tern(args, { env });
    assert.deepEqual([r.code, r.stderr], [2, `tern: error[STATE005]: cannot write the replay spill in ${mnt}: no space left on the device (ENOSPC); free space there or set TMPDIR to a larger disk, and rerun\n`]);
    assert.deepEqual(stateIds(state), []);
    assert.equal(readFileSync(out, "utf8"), "");
    resize("64m");
    const again = await tern(args, { env });
    assert.equal(again.code, 0, again.stderr);
    const ids = fileIds(out);
    assert.equal(ids.length, 5_000);
    assert.deepEqual(sorted(ids), stateIds(state));
  });
});

const SNK001_STDOUT = "tern: error[SNK001]: cannot write stdout: no space left on the device (ENOSPC); alerts not fully written were not recorded as delivered: free space and rerun\n";

test("tern run > a file on a full disk: exit 2 with SNK001; every alert the state recorded is a whole line of the file", { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tern-full-stdout-"));
  const events = writeEvents(dir, 1_000);
  await withTmpfs(t, "1m", async (mnt) => {
    const state = join(dir, "state.db");
    const fd = openSync(join(mnt, "alerts.ndjson"), "w");
    const r = await tern(["run", RULE, "--events", events, "--state", state], { stdout: fd });
    closeSync(fd);
    assert.deepEqual([r.code, r.stderr], [2, SNK001_STDOUT]);
    // stdout cannot be cut back: the line the disk filled up in may be left incomplete
    const text = readFileSync(join(mnt, "alerts.ndjson"), "utf8");
    const lines = new Set(
      text
        .slice(0, text.lastIndexOf("\n"))
        .split("\n")
        .map((l) => (JSON.parse(l) as Record<string, string>)["kibana.alert.uuid"]),
    );
    const recorded = stateIds(state);
    assert.ok(recorded.length > 0 && recorded.length < 1_000, `${recorded.length} recorded`);
    assert.deepEqual(recorded.filter((id) => !lines.has(id)), []);
  });
});

test("tern run > /dev/full: exit 2 with one SNK001 line (was an uncaught exception, exit 1); nothing recorded", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-dev-full-"));
  const events = writeEvents(dir, 10);
  const state = join(dir, "state.db");
  const fd = openSync("/dev/full", "w");
  try {
    const r = await tern(["run", RULE, "--events", events, "--state", state], { stdout: fd });
    assert.deepEqual([r.code, r.stderr], [2, SNK001_STDOUT]);
    // other commands too: a listing that cannot be written is not a success
    const incomplete = "tern: error[SNK001]: cannot write stdout: no space left on the device (ENOSPC); the output is incomplete\n";
    for (const args of [["alerts", "list", "--state", state], ["--help"]]) {
      const r2 = await tern(args, { stdout: fd });
      assert.deepEqual([r2.code, r2.stderr], [2, incomplete], args.join(" "));
    }
  } finally {
    closeSync(fd);
  }
  assert.deepEqual(stateIds(state), []);
});
