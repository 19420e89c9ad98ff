// One writer per state file: a writing command (run, follow, state prune) holds `<state>.lock`, created
// with O_EXCL and holding its pid, for as long as it has the store open. A second writer fails at once and
// says which process holds the state. A lock left by a process that no longer exists (kill -9, a crash)
// is taken over. Readers (alerts list, state stats) take no lock: SQLite's WAL lets them read meanwhile.

import { closeSync, constants, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

export class StateInUseError extends Error {
  override readonly name = "StateInUseError";
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`the state ${path} is in use by process ${pid} (another tern run or prune); wait for it to end, or give this run its own --state`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock of `statePath`; returns its release. Throws StateInUseError when a live process holds it. */
export function lockState(statePath: string): () => void {
  const lockPath = `${statePath}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(lockPath, "utf8").trim());
      } catch {
        // vanished meanwhile: try again
      }
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) throw new StateInUseError(statePath, holder);
      // stale (its process is gone) or unreadable: take it over
      try {
        unlinkSync(lockPath);
      } catch {
        // someone else took it over first; the next attempt sees theirs
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => {
      try {
        if (Number(readFileSync(lockPath, "utf8").trim()) === process.pid) unlinkSync(lockPath);
      } catch {
        // already gone
      }
    };
  }
  throw new Error(`could not take the lock ${lockPath}`);
}
