// Runs `tern <args>` in a child process for the fuzz campaign and measures it: exit code or signal,
// stderr, wall time and peak resident memory (GNU time's %M when /usr/bin/time exists, else the
// child's VmHWM polled from /proc). A child still running at the timeout is killed with its process
// group. From sources (tsx) the child runs src/cli/tern-entry.ts, compiled it runs dist's copy.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface TernRun {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident set size in KiB (0 when it could not be measured). */
  readonly peakRssKb: number;
  readonly timedOut: boolean;
}

const GNU_TIME = "/usr/bin/time";
const here = fileURLToPath(import.meta.url);

/** The node arguments that start tern's CLI entry. */
export function ternEntryArgs(): string[] {
  const cli = join(dirname(here), "..", "..", "cli");
  return here.endsWith(".ts") ? ["--import", "tsx", join(cli, "tern-entry.ts")] : [join(cli, "tern-entry.js")];
}

function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

export function runTern(args: readonly string[], opts: { timeoutMs: number; rssFile: string; cwd?: string }): Promise<TernRun> {
  const useTime = existsSync(GNU_TIME);
  rmSync(opts.rssFile, { force: true });
  const node = [...ternEntryArgs(), ...args];
  const [cmd, argv] = useTime ? [GNU_TIME, ["-f", "%M", "-o", opts.rssFile, process.execPath, ...node]] : [process.execPath, node];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd, stdio: ["ignore", "ignore", "pipe"], detached: true, env: { ...process.env, TERN_DEBUG: "" } });
    const err: Buffer[] = [];
    let peak = 0;
    let timedOut = false;
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const poll = useTime ? undefined : setInterval(() => (peak = Math.max(peak, child.pid === undefined ? 0 : vmHwmKb(child.pid))), 20);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }
    }, opts.timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (poll !== undefined) clearInterval(poll);
      let exit = code;
      let sig: string | null = signal;
      if (useTime && existsSync(opts.rssFile)) {
        const out = readFileSync(opts.rssFile, "utf8");
        const kb = /^(\d+)\s*$/m.exec(out);
        if (kb !== null) peak = Number(kb[1]);
        // GNU time exits 128+N itself when the command dies of signal N; report the signal
        const s = /terminated by signal (\d+)/.exec(out);
        if (s !== null) {
          sig = `signal ${s[1]}`;
          exit = null;
        }
      }
      resolve({ code: exit, signal: sig, stderr: Buffer.concat(err).toString("utf8"), ms: performance.now() - started, peakRssKb: peak, timedOut });
    });
  });
}
