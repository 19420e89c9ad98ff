// Runs the CLI in-process with captured streams, for tests: `main(argv, ctx)` with PassThrough stdout,
// stderr and stdin. Test support only.
import { PassThrough } from "node:stream";
import { main } from "../cli/main.js";
import type { CliContext } from "../cli/context.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  /** Text on stdin (closed after it); default: an empty, closed stdin. */
  readonly stdin?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A context whose stdout and stderr are captured as written, so a test can watch a live run (--follow, TTY). */
export interface CapturedCli {
  readonly ctx: CliContext;
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

export function captureCli(opts: CliRunOptions = {}): CapturedCli {
  const out = new PassThrough();
  const err = new PassThrough();
  const stdin = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on("data", (c: Buffer) => o.push(c));
  err.on("data", (c: Buffer) => e.push(c));
  stdin.end(opts.stdin ?? "");
  const ctx: CliContext = { stdout: out, stderr: err, stdin, env: opts.env ?? {}, cwd: opts.cwd ?? process.cwd(), exitCode: 0 };
  return { ctx, out: () => Buffer.concat(o).toString(), err: () => Buffer.concat(e).toString() };
}

/** `tern <args...>` in this process; resolves with the exit code and everything written. */
export async function runCli(args: readonly string[], opts: CliRunOptions = {}): Promise<CliResult> {
  const c = captureCli(opts);
  const code = await main(["node", "tern", ...args], c.ctx);
  return { code, stdout: c.out(), stderr: c.err() };
}
