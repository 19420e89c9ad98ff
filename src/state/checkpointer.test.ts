// The state's checkpoints in a worker thread: the log is copied into the database file by the worker (the
// writer then restarts it), the store hands its checkpoints over once it writes enough, and a store that
// closes after it still folds the log in and removes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Checkpointer, OWN_CHECKPOINT_PAGES } from "./checkpointer.js";
import { SqliteStore } from "./sqlite.js";

/** The log's checkpoint sequence (bytes 12-15 of its header): the writer adds one each time it restarts the log. */
function logSequence(path: string): number {
  const fd = openSync(`${path}-wal`, "r");
  try {
    const b = Buffer.alloc(32);
    readSync(fd, b, 0, 32, 0);
    return b.readUInt32BE(12);
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("the worker copies the log into the database file, so the writer restarts it; close() closes its connection first", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "tern-ckpt-")), "s.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // the writer never checkpoints by itself here: only the worker can
  db.pragma("wal_autocheckpoint = 0");
  db.exec("CREATE TABLE t (x TEXT)");
  const insert = db.prepare("INSERT INTO t VALUES (?)");
  insert.run("a".repeat(100_000));
  const before = logSequence(path);
  const c = Checkpointer.start(path);
  assert.ok(c !== undefined);
  // the next write after a whole checkpoint starts the log again; as the store does, the worker is told
  // of every commit (a checkpoint that a write overtakes leaves frames behind: a later one copies them)
  let restarted = false;
  let rows = 1;
  c.committed();
  for (let i = 0; i < 400 && !restarted; i++) {
    await sleep(50);
    insert.run("b");
    rows++;
    c.committed();
    restarted = logSequence(path) !== before;
  }
  assert.ok(restarted, "the log was never restarted");
  assert.equal(c.close(), "closed");
  db.close();
  // the writer's connection was the last: SQLite folded the log in and removed it
  assert.equal(existsSync(`${path}-wal`), false);
  const again = new Database(path, { readonly: true });
  assert.equal(again.prepare("SELECT count(*) FROM t").pluck().get(), rows);
  again.close();
});

test("a checkpointer whose file cannot be opened does nothing, and closes when told", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "tern-ckpt-")), "absent.db");
  const c = Checkpointer.start(path);
  assert.ok(c !== undefined);
  c.committed();
  // (past its start: it tried to open the file)
  await sleep(500);
  assert.equal(c.close(), "closed");
  assert.equal(existsSync(path), false);
});

test("a store hands its checkpoints to a worker once its log reaches 4 MiB, and still removes the log when it closes", () => {
  const path = join(mkdtempSync(join(tmpdir(), "tern-ckpt-")), "s.db");
  const s = SqliteStore.open(path);
  const doc = JSON.stringify({ pad: "x".repeat(64 * 1024 - 16) });
  // small commits: the log stays small and no worker starts
  for (let i = 0; i < 40; i++) s.transaction(() => s.setSchedule(`r${i}`, 60_000, i));
  assert.equal(s.checkpointing, false);
  // 64 KiB alerts, 8 a commit: past 4 MiB of log (SQLite's own threshold) within a few commits
  let alerts = 0;
  for (let i = 0; i < 24 && !s.checkpointing; i++) {
    s.transaction(() => {
      for (let k = 0; k < 8; k++, alerts++) s.insertAlert({ id: `a${alerts}`, ruleId: "r", ruleName: "r", eventTime: 1, createdAt: 1, severity: "low", host: null, process: null, file: null, newTerms: null, doc });
    });
  }
  assert.equal(s.checkpointing, true);
  assert.equal(s.db.pragma("wal_autocheckpoint", { simple: true }), OWN_CHECKPOINT_PAGES);
  assert.ok(statSync(`${path}-wal`).size >= 4 * 1024 * 1024);
  s.close();
  assert.equal(existsSync(`${path}-wal`), false);
  const again = SqliteStore.open(path);
  assert.equal(again.db.prepare("SELECT count(*) FROM alerts").pluck().get(), alerts);
  // (between 4 and 8 MiB of log: the worker started within 8 commits of reaching 4 MiB)
  assert.ok(alerts >= 64 && alerts <= 128, `${alerts} alerts`);
  again.close();
});

test("a store that closes while its checkpointer is still starting does not wait for it", () => {
  const path = join(mkdtempSync(join(tmpdir(), "tern-ckpt-")), "s.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE t (x TEXT)");
  const c = Checkpointer.start(path);
  assert.ok(c !== undefined);
  // (a worker thread takes tens of milliseconds to load its modules: it is still starting)
  assert.equal(c.close(), "cancelled");
  db.close();
  assert.equal(existsSync(`${path}-wal`), false);
});
