// Crash consistency of `tern run --follow`: 100,000 lines written while the log is rotated by rename and
// by copytruncate, tern SIGKILLed at seeded random moments and restarted each time. At the end the
// --output file and the alerts table each hold every expected alert exactly once — none lost to a kill
// or a rotation, none written twice by a restart.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { REPO_ROOT } from "../../src/testing/paths.js";
import { Rng } from "../../src/testing/gen/rng.js";

const RULE = join(REPO_ROOT, "test", "fixtures", "rules", "valid_query.toml");
const N = 100_000;
const CHUNK = 5_000;

/** Line i; every 10th is a bash process start, which the rule alerts on (10,000 alerts). */
const line = (i: number): string =>
  JSON.stringify({ "@timestamp": new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), n: i, event: { category: ["process"] }, process: { name: i % 10 === 0 ? "bash" : "sh" } }) + "\n";
const range = (a: number, b: number): string => Array.from({ length: b - a }, (_, k) => line(a + k)).join("");


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hasCheckpoint(state: string): boolean {
  if (!existsSync(state)) return false;
  try {
    const db = new Database(state, { readonly: true, fileMustExist: true });
    try {
      return db.prepare<[], { n: number }>("SELECT count(*) AS n FROM checkpoints").get()?.n === 1;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

function storedAlerts(state: string): number {
  const db = new Database(state, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>("SELECT count(*) AS n FROM alerts").get()?.n ?? 0;
  } finally {
    db.close();
  }
}

test("--follow, SIGKILLed at random moments across rename and copytruncate rotations of 100,000 lines: every alert once in --output and in the state", { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-crash-"));
  const log = join(dir, "app.ndjson");
  const state = join(dir, "state.db");
  const out = join(dir, "alerts.ndjson");
  const rng = new Rng(20261205);
  let tern: ChildProcess | undefined;
  let kills = 0;
  const start = (): ChildProcess =>
    spawn(process.execPath, [join(REPO_ROOT, "bin", "tern.js"), "run", RULE, "--follow", "-e", log, "--state", state, "-o", out, "--poll-interval-ms", "20"], { stdio: ["ignore", "ignore", "ignore"] });
  const exited = (p: ChildProcess) => new Promise<void>((res) => (p.exitCode !== null || p.signalCode !== null ? res() : p.once("exit", () => res())));
  try {
    writeFileSync(log, "");
    tern = start();
    // A follower that never stored a position starts with the file as it finds it (rotated files of a log
    // it has never followed are not its business): wait until the first run has stored one.
    const t1 = Date.now();
    while (!hasCheckpoint(state) && Date.now() - t1 < 30_000) await sleep(20);
    for (let c = 0; c < N / CHUNK; c++) {
      appendFileSync(log, range(c * CHUNK, (c + 1) * CHUNK));
      if (c === 6) {
        // auditd/logrotate rotation by rename: the old file keeps its unread tail, a new file takes over
        renameSync(log, `${log}.1`);
        writeFileSync(log, "");
      } else if (c === 13) {
        // copytruncate: the previous rotation moves on, the log is copied to .1 and emptied in place
        renameSync(`${log}.1`, `${log}.2`);
        copyFileSync(log, `${log}.1`);
        truncateSync(log, 0);
      }
      await sleep(50 + rng.next() * 150);
      if (rng.next() < 0.5) {
        tern.kill("SIGKILL");
        await exited(tern);
        kills++;
        tern = start();
      }
    }
    // Everything written: let the last run catch up, then stop it cleanly.
    const t0 = Date.now();
    while (!(existsSync(state) && storedAlerts(state) >= N / 10) && Date.now() - t0 < 120_000) await sleep(100);
    tern.kill("SIGTERM");
    await exited(tern);
    assert.equal(tern.exitCode, 0);
  } finally {
    if (tern !== undefined && tern.exitCode === null && tern.signalCode === null) tern.kill("SIGKILL");
  }
  assert.ok(kills >= 5, `${kills} kills`);
  const seen = new Map<number, number>();
  for (const l of readFileSync(out, "utf8").split("\n")) {
    if (l === "") continue;
    const n = (JSON.parse(l) as { n: number }).n;
    seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  const expected = Array.from({ length: N / 10 }, (_, k) => k * 10);
  assert.deepEqual([...seen.keys()].sort((a, b) => a - b), expected, "each bash line alerted");
  assert.deepEqual([...seen.values()].filter((x) => x !== 1), [], "none twice in --output");
  assert.equal(storedAlerts(state), N / 10, "the alerts table holds each once");
  rmSync(dir, { recursive: true, force: true });
});
