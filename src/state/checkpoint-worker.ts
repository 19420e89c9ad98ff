// The state store's background checkpointer (checkpointer.ts): a second connection to the same file, in a
// worker thread, that copies the write-ahead log into the database file while the run goes on.

import { lstatSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { CheckpointerData } from "./checkpointer.js";

const { path, closed, minIntervalMs } = workerData as CheckpointerData;
const done = new Int32Array(closed);

let db: Database.Database | undefined;
try {
  // the store refused a link when it opened the file; a link put there since is refused too
  if (!lstatSync(path).isSymbolicLink()) db = new Database(path, { fileMustExist: true });
} catch {
  // the store's own connection checkpoints as SQLite does by default (see checkpointer.ts)
}

let last = 0;
let timer: NodeJS.Timeout | undefined;

function checkpoint(): void {
  timer = undefined;
  last = performance.now();
  try {
    // PASSIVE: copies what no reader still needs, waits for no one; the writer restarts the log once all of it is copied
    db?.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // busy or failing: the store's connection checkpoints past its own threshold
  }
}

function close(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  try {
    db?.close();
  } finally {
    db = undefined;
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
    parentPort?.close();
  }
}

parentPort?.on("message", (m: "committed" | "close") => {
  if (m === "close") return close();
  if (db === undefined || timer !== undefined) return;
  // at most one checkpoint per interval: each copies what the commits since the last one wrote
  const wait = last + minIntervalMs - performance.now();
  if (wait <= 0) checkpoint();
  else timer = setTimeout(checkpoint, wait);
});
