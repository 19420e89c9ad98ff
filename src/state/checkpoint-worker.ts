// The state store's background checkpointer (checkpointer.ts): a second connection to the same file, in a
// worker thread, that copies the write-ahead log into the database file while the run goes on.

import { lstatSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { CheckpointerState, type CheckpointerData } from "./checkpointer.js";

const { path, state: shared, minIntervalMs } = workerData as CheckpointerData;
const state = new Int32Array(shared);

let db: Database.Database | undefined;
// (the store may have closed meanwhile: then no connection is opened)
if (Atomics.compareExchange(state, 0, CheckpointerState.STARTING, CheckpointerState.OPEN) === CheckpointerState.STARTING) {
  try {
    // the store refused a link when it opened the file; a link put there since is refused too
    if (!lstatSync(path).isSymbolicLink()) db = new Database(path, { fileMustExist: true });
  } catch {
    // the store's own connection checkpoints as SQLite does by default (see checkpointer.ts)
  }
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
    Atomics.store(state, 0, CheckpointerState.CLOSED);
    Atomics.notify(state, 0);
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
