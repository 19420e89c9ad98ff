// Runs one benchmark contender as a child process and measures it (issue 6 "The benchmark"): wall time
// around the spawn, and peak RSS from GNU time's %M (the child's ru_maxrss) — or, where /usr/bin/time is
// missing, by sampling VmHWM in /proc/<pid>/status until the child exits.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Measured {
  readonly command: string;
  readonly code: number;
  readonly wallSeconds: number;
  /** Peak resident set size in bytes (0 when it could not be measured). */
  readonly peakRssBytes: number;
  readonly stdout: string;
  readonly stderr: string;
}

const GNU_TIME = "/usr/bin/time";

function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Spawn `cmd args`, capture stdout/stderr, and measure wall time and peak RSS. */
export function measure(cmd: string, args: readonly string[], opts: { cwd?: string; useGnuTime?: boolean } = {}): Promise<Measured> {
  const useTime = (opts.useGnuTime ?? true) && existsSync(GNU_TIME);
  const dir = mkdtempSync(join(tmpdir(), "tern-bench-time-"));
  const timeFile = join(dir, "rss");
  const argv = useTime ? ["-f", "%M", "-o", timeFile, cmd, ...args] : [...args];
  const command = [cmd, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(useTime ? GNU_TIME : cmd, argv, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let peak = 0;
    const sampler = useTime
      ? undefined
      : setInterval(() => {
          if (child.pid !== undefined) peak = Math.max(peak, vmHwm(child.pid));
        }, 20);
    child.on("error", (e) => {
      if (sampler !== undefined) clearInterval(sampler);
      rmSync(dir, { recursive: true, force: true });
      reject(e);
    });
    child.on("close", (code) => {
      const wallSeconds = (performance.now() - t0) / 1000;
      if (sampler !== undefined) clearInterval(sampler);
      if (useTime) {
        try {
          // GNU time writes "Command exited with non-zero status N" before %M when the child fails
          const lines = readFileSync(timeFile, "utf8").trim().split("\n");
          peak = Number(lines[lines.length - 1]) * 1024;
        } catch {
          peak = 0;
        }
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ command, code: code ?? 1, wallSeconds, peakRssBytes: Number.isFinite(peak) ? peak : 0, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}
