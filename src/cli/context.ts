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
}

export function processContext(): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), exitCode: 0 };
}
