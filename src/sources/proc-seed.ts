// The processes running on this machine, read from /proc, to seed the process table of a live auditd
// follower (`tern run --follow --format auditd --seed-processes`): a process that started before tern
// then shows its parent's name, executable and arguments from its first event on, as on Defend's data.
//
// Per process: /proc/<pid>/stat (ppid, controlling terminal, start time in clock ticks after boot), comm, exe (a link; unreadable
// for kernel threads and, without privileges, for other users' processes), cmdline (NUL-separated argv) and
// status (real uid and gid). Boot time is /proc/stat's btime (whole seconds). A process that ends while it
// is read is skipped.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { ProcessImage, RunningProcess } from "./process-table.js";

// USER_HZ: the unit of /proc start times. Linux fixes it at 100 on every architecture Node runs on.
const TICKS_PER_SECOND = 100;
// btime is truncated to a second and the wall clock may have been stepped since boot: the start is taken
// this much earlier, so that no event of the process can look older than it.
const START_SLACK_MS = 1000;

/** The running processes under `procDir` (default /proc); empty when it cannot be read. */
export function runningProcesses(procDir = "/proc"): RunningProcess[] {
  let bootMs: number;
  let names: string[];
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync(join(procDir, "stat"), "latin1"));
    if (btime === null) return [];
    bootMs = Number(btime[1]) * 1000;
    names = readdirSync(procDir);
  } catch {
    return [];
  }
  const out: RunningProcess[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProcess(join(procDir, name), Number(name), bootMs);
    if (p !== undefined) out.push(p);
  }
  return out;
}

function readProcess(dir: string, pid: number, bootMs: number): RunningProcess | undefined {
  let stat: string;
  try {
    stat = readFileSync(join(dir, "stat"), "latin1");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid … starttime …": comm may hold spaces and parentheses, so fields count from the last ")".
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(" ");
  // after the comm: state is field 3 of stat(5), ppid 4, tty_nr 7, starttime 22
  const ppid = Number(fields[1]);
  const tty = Number(fields[4]);
  const ticks = Number(fields[19]);
  if (!Number.isSafeInteger(ppid) || !Number.isSafeInteger(ticks)) return undefined;
  const image: { -readonly [K in keyof ProcessImage]: ProcessImage[K] } = {};
  // a controlling terminal (tty_nr 0: none), as auditd's tty= tells it for audited processes
  if (Number.isSafeInteger(tty)) image.interactive = tty !== 0;
  const comm = readText(join(dir, "comm"))?.replace(/\n$/, "");
  if (comm !== undefined && comm !== "") image.name = comm;
  try {
    image.executable = readlinkSync(join(dir, "exe"));
  } catch {
    // a kernel thread, or another user's process without privileges
  }
  const cmdline = readText(join(dir, "cmdline"));
  if (cmdline !== undefined && cmdline !== "") {
    const argv = cmdline.split("\0");
    if (argv[argv.length - 1] === "") argv.pop();
    if (argv.length > 0) image.args = argv;
  }
  const status = readText(join(dir, "status")) ?? "";
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  const gid = /^Gid:\s+(\d+)/m.exec(status)?.[1];
  if (uid !== undefined) image.userId = uid;
  if (gid !== undefined) image.groupId = gid;
  return { pid, ppid: ppid > 0 ? ppid : undefined, startMs: bootMs + Math.floor((ticks * 1000) / TICKS_PER_SECOND) - START_SLACK_MS, image };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
