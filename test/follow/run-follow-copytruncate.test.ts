// `tern run --follow` as a process over a copytruncate rotation: 20,000 lines, the file copied to
// `<file>.1` and truncated while lines written before the copy are still unread; every line is processed
// once (the unread ones from the copy), none lost and none alerted twice.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { REPO_ROOT, SEED_DIR } from "../../src/testing/paths.js";

const SEED = join(SEED_DIR, "shared_object_new_terms.toml");
const N = 20_000;

/** An event the seed rule alerts on: each line a new (file.path, process.name) pair. */
const line = (i: number): string => {
  const t = new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString();
  return JSON.stringify({ "@timestamp": t, host: { name: "h", os: { type: "linux" } }, event: { action: "creation", category: ["file"], ingested: t }, file: { path: `/dev/shm/f${i}.so`, extension: "so" }, process: { name: "x" } }) + "\n";
};
const range = (a: number, b: number): string => Array.from({ length: b - a }, (_, k) => line(a + k)).join("");

/** The committed position of the followed file: offset and copytruncate generation. */
function committed(state: string): { offset: number; gen: number } | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(state, { readonly: true, fileMustExist: true });
    const r = db.prepare<[], { offset: number; extra: string }>("SELECT offset, extra FROM checkpoints WHERE source_key LIKE 'follow:ecs:%'").get();
    return r === undefined ? undefined : { offset: r.offset, gen: (JSON.parse(r.extra) as { gen: number }).gen };
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("--follow over a copytruncate with unread lines: all 20,000 lines processed once", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-copytruncate-"));
  const log = join(dir, "logs-endpoint.events.file-default.ndjson");
  const state = join(dir, "state", "state.db");
  writeFileSync(log, range(0, 10_000));
  // A long poll interval: the lines appended right after a read stay unread until the copy is made.
  const p = spawn(process.execPath, [join(REPO_ROOT, "bin", "tern.js"), "run", SEED, "--follow", "-e", log, "--state", state, "--poll-interval-ms", "1000"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  p.stdout.on("data", (b: Buffer) => (out += b.toString("utf8")));
  p.stderr.on("data", (b: Buffer) => (err += b.toString("utf8")));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => p.once("exit", (code, signal) => res({ code, signal })));
  try {
    await until(() => committed(state)?.offset === statSync(log).size, "the first 10,000 lines committed");
    // logrotate copytruncate: copy, then truncate; the writer goes on writing to the emptied file.
    appendFileSync(log, range(10_000, 15_000));
    copyFileSync(log, log + ".1");
    truncateSync(log, 0);
    appendFileSync(log, range(15_000, N));
    await until(() => committed(state)?.gen === 1 && committed(state)?.offset === statSync(log).size, "the rest committed");
    p.kill("SIGTERM");
    assert.deepEqual(await exit, { code: 0, signal: null });
  } finally {
    if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    await exit;
  }
  const alerts = out.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { file: { path: string }; "kibana.alert.uuid": string });
  assert.equal(alerts.length, N);
  assert.deepEqual(
    alerts.map((a) => a.file.path).sort(),
    Array.from({ length: N }, (_, i) => `/dev/shm/f${i}.so`).sort(),
  );
  assert.equal(new Set(alerts.map((a) => a["kibana.alert.uuid"])).size, N);
  assert.match(err, /lines read: {5}20,000 \(20,000 events/);
  assert.doesNotMatch(err, /lost/);
  rmSync(dir, { recursive: true, force: true });
});
