// One writer per state: a live holder refuses a second writer with its pid; a dead holder's lock is taken
// over; the store's writer lock is released on close; links and modes of existing state files are left alone.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateInUseError, lockState } from "./lock.js";
import { SqliteStore } from "./sqlite.js";
import { DiagnosticError } from "../diag/index.js";

test("a live holder keeps the lock (its pid in the error); a dead holder's lock is taken over; release removes it", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-lock-"));
  const state = join(d, "state.db");
  const holder = spawn("sleep", ["30"], { stdio: "ignore" });
  const pid = holder.pid ?? assert.fail("no pid");
  writeFileSync(`${state}.lock`, `${pid}\n`);
  assert.throws(() => lockState(state), (e: unknown) => e instanceof StateInUseError && e.pid === pid && e.message === `the state ${state} is in use by process ${pid} (another tern run or prune); wait for it to end, or give this run its own --state`);
  holder.kill("SIGKILL");
  await new Promise((r) => holder.on("exit", r));
  const release = lockState(state);
  assert.equal(readFileSync(`${state}.lock`, "utf8"), `${process.pid}\n`);
  release();
  assert.equal(existsSync(`${state}.lock`), false);
});

test("SqliteStore.open as a writer holds the lock until close; readers take none; a second writer gets STATE003", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-lock-"));
  const state = join(d, "state.db");
  const w = SqliteStore.open(state, { writer: true });
  assert.equal(readFileSync(`${state}.lock`, "utf8"), `${process.pid}\n`);
  const r = SqliteStore.open(state);
  r.close();
  assert.equal(existsSync(`${state}.lock`), true);
  w.close();
  assert.equal(existsSync(`${state}.lock`), false);
  const holder = spawn("sleep", ["30"], { stdio: "ignore" });
  writeFileSync(`${state}.lock`, `${holder.pid}\n`);
  try {
    assert.throws(() => SqliteStore.open(state, { writer: true }), (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0].code === "STATE003");
  } finally {
    holder.kill("SIGKILL");
  }
});

test("a state path that is a link is refused; an existing state file keeps its mode", () => {
  const d = mkdtempSync(join(tmpdir(), "tern-lock-"));
  const other = join(d, "someone-elses.db");
  writeFileSync(other, "", { mode: 0o644 });
  symlinkSync(other, join(d, "link.db"));
  assert.throws(() => SqliteStore.open(join(d, "link.db")), (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0].code === "STATE001" && /symbolic link/.test(e.diagnostics[0].message));
  assert.equal(statSync(other).mode & 0o777, 0o644);
  const mine = join(d, "mine.db");
  SqliteStore.open(mine).close();
  assert.equal(statSync(mine).mode & 0o777, 0o600);
  const shared = join(d, "shared.db");
  writeFileSync(shared, "", { mode: 0o640 });
  SqliteStore.open(shared).close();
  assert.equal(statSync(shared).mode & 0o777, 0o640);
});
