// `tern` as a child process for tests that signal or kill it (--follow runs): its output as it comes, and
// its exit.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

export interface TernProcess {
  readonly p: ChildProcess;
  out(): string;
  err(): string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnTern(args: readonly string[]): TernProcess {
  const p = spawn(process.execPath, [join(REPO_ROOT, "bin", "tern.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  p.stdout?.on("data", (b: Buffer) => (out += b.toString("utf8")));
  p.stderr?.on("data", (b: Buffer) => (err += b.toString("utf8")));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => p.once("exit", (code, signal) => res({ code, signal })));
  return { p, out: () => out, err: () => err, exit };
}

/** Waits until `cond` holds; past `ms`, kills the process and fails with what it wrote on stderr. */
export async function until(cond: () => boolean, what: string, proc: TernProcess, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) {
      proc.p.kill("SIGKILL");
      throw new Error(`timed out waiting for ${what}; stderr: ${proc.err()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
