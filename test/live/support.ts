// Helpers of the live tests with the real Linux audit subsystem: commands, the audit status, why a test
// cannot run here, waiting, and loading audit rules so that exactly what a test added is removed after.

import { execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

export const AUDIT_LOG = "/var/log/audit/audit.log";

export function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message };
  }
}

export function which(name: string): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin"]);
  for (const d of dirs) if (d !== "" && existsSync(join(d, name))) return join(d, name);
  return undefined;
}

export function auditStatus(): { enabled: number; pid: number } | string {
  const s = run(which("auditctl") ?? "auditctl", ["-s"]);
  if (!s.ok) return `auditctl -s fails: ${s.out.trim()}`;
  const num = (k: string) => Number(new RegExp(`^${k} (\\d+)`, "m").exec(s.out)?.[1] ?? "NaN");
  return { enabled: num("enabled"), pid: num("pid") };
}

export function skipReason(binaries: readonly string[] = ["auditctl", "auditd", "gcc"]): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root: the audit subsystem needs CAP_AUDIT_CONTROL";
  for (const b of binaries) if (which(b) === undefined) return `no ${b} binary (run scripts/setup-system.sh)`;
  const st = auditStatus();
  if (typeof st === "string") return st;
  if (st.enabled === 2) return "auditing is locked (enabled 2): rules cannot be changed";
  return undefined;
}

export async function waitFor<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function exited(p: ChildProcess, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    p.once("exit", () => {
      clearTimeout(t);
      res(true);
    });
  });
}


/**
 * The audit subsystem set up for one test: auditd started in the foreground when none runs, auditing
 * enabled, rules loaded; `close()` removes exactly the rules this session added, restores the enabled
 * flag and stops the daemon it started.
 */
export class AuditSession {
  private readonly auditctl = which("auditctl") ?? "auditctl";
  private readonly added: string[][] = [];
  private daemon: ChildProcess | undefined;
  private enabledBefore = -1;

  static async open(spawnDaemon: (path: string) => ChildProcess): Promise<AuditSession> {
    const s = new AuditSession();
    const st0 = auditStatus();
    if (typeof st0 === "string") throw new Error(st0);
    s.enabledBefore = st0.enabled;
    if (st0.pid === 0) {
      // Not running: start our own, in the foreground so it dies with the test's cleanup.
      s.daemon = spawnDaemon(which("auditd") ?? "auditd");
      await waitFor(() => {
        const st = auditStatus();
        return typeof st !== "string" && st.pid !== 0 && existsSync(AUDIT_LOG) ? true : undefined;
      }, 10_000, "auditd to start");
    }
    if (s.enabledBefore !== 1 && !run(s.auditctl, ["-e", "1"]).ok) throw new Error("auditctl -e 1 failed");
    return s;
  }

  /** Loads the `-a` and `-w` lines of an audit rules text; returns the rules that were added. */
  load(rulesText: string): string[][] {
    const now: string[][] = [];
    for (const line of rulesText.split("\n")) {
      if (!line.startsWith("-a ") && !line.startsWith("-w ")) continue;
      const args = line.trim().split(/\s+/);
      // A rule already in the kernel (or a dir= missing here) is not ours to remove.
      if (run(this.auditctl, args).ok) now.push(args);
    }
    this.added.push(...now);
    return now;
  }

  async close(): Promise<void> {
    for (const args of this.added) run(this.auditctl, [args[0] === "-w" ? "-W" : "-d", ...args.slice(1)]);
    if (this.enabledBefore === 0) run(this.auditctl, ["-e", "0"]);
    if (this.daemon !== undefined) {
      this.daemon.kill("SIGTERM");
      if (!(await exited(this.daemon, 5000))) this.daemon.kill("SIGKILL");
    }
  }
}

/** A place in the audit log: the file (inode) and the byte offset. */
export interface LogMark {
  readonly inode: number;
  readonly offset: number;
}

export function markLog(): LogMark {
  const st = statSync(AUDIT_LOG);
  return { inode: st.ino, offset: st.size };
}

/**
 * What auditd wrote since `mark`, across rotations (max_log_file: auditd renames audit.log to audit.log.1,
 * .1 to .2 …): the rest of the marked file, wherever it is now, then every newer file.
 */
export function logSince(mark: LogMark): Buffer {
  const files = [AUDIT_LOG, ...Array.from({ length: 9 }, (_, i) => `${AUDIT_LOG}.${i + 1}`)].filter((f) => existsSync(f));
  const at = files.findIndex((f) => statSync(f).ino === mark.inode);
  if (at < 0) throw new Error(`the audit log marked (inode ${mark.inode}) is gone: rotated out`);
  const parts = [readFileSync(files[at]).subarray(mark.offset)];
  for (let i = at - 1; i >= 0; i--) parts.push(readFileSync(files[i]));
  return Buffer.concat(parts);
}
