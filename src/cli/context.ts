// What every CLI command gets: its output streams (so tests can capture them) and the environment.
import type { Writable, Readable } from "node:stream";

export interface CliContext {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Set by a command's action: the process exit code (0 ok, 1 findings/failures, 2 usage/input errors). */
  exitCode: number;
  /** The descriptor behind `stdout` when it is the process's own: `tern run` writes and fsyncs a redirected file through it. */
  readonly stdoutFd?: number;
  /** The first failure writing stdout (a full disk, `> /dev/full`); main() reports it and exits 2. */
  readonly stdoutError?: () => NodeJS.ErrnoException | undefined;
}

export function processContext(): CliContext {
  // A reader that went away (`tern … | head -1`) is not an error: without a listener Node would throw the
  // EPIPE from the socket; writes with a callback still see it (main() then ends quietly). Any other
  // failure is kept for main() to report: thrown from here it would be an uncaught exception (exit 1).
  let failure: NodeJS.ErrnoException | undefined;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") failure ??= e;
  });
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), exitCode: 0, stdoutFd: 1, stdoutError: () => failure };
}
