// The `tern` command line: declares the verbs (each in commands/<verb>.ts, registered below) and maps
// errors to exit codes: 0 ok, 1 findings/failures where a command documents it, 2 usage, input and
// output errors (a full disk under --output, stdout or the state is SNK001/STATE004, one line), 70 a bug.
import { Command, CommanderError } from "commander";
import { AdapterError, DiagnosticError, ExitError, renderDiagnostics, useColor } from "../diag/index.js";
import { OutputFileError, writeError } from "../sinks/output-file.js";
import { IO_ERRNO } from "../util/io-errors.js";
import { processContext, type CliContext } from "./context.js";
import { COMMANDS } from "./commands/index.js";
import { VERSION } from "../version.js";

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("tern")
    .description("Run Elastic detection rules unchanged on event files and streams.")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  for (const register of COMMANDS) register(program, ctx);
  // Commander's exitOverride applies per command; propagate it to every subcommand.
  const walk = (c: Command) => {
    for (const sub of c.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
      walk(sub);
    }
  };
  walk(program);
  return program;
}

/** Runs the CLI with `argv` (as process.argv: node, script, args...) and returns the exit code. */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  const code = await mainCode(argv, ctx);
  if (ctx.stdoutError === undefined || code === 2) return code;
  // A failed stdout write is emitted on the next tick: let it arrive before the exit code is final.
  await new Promise((resolve) => setImmediate(resolve));
  const failed = ctx.stdoutError();
  return failed === undefined ? code : reportAdapterError(ctx, writeError("stdout", failed, "the output is incomplete"));
}

async function mainCode(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are successful exits; everything else commander reports is a usage error.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      return 2;
    }
    if (err instanceof ExitError) return err.exitCode;
    // stdout's reader went away: end quietly, as Unix tools do (a run has committed what it delivered)
    if ((err as NodeJS.ErrnoException | undefined)?.code === "EPIPE") return 0;
    if (err instanceof AdapterError) return reportAdapterError(ctx, err);
    // storage failures the adapters did not name (the replay spill, a state read): still not a bug
    const code = (err as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && (IO_ERRNO[code] !== undefined || code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR"))) {
      const e = err as Error;
      ctx.stderr.write(`tern: error: ${code.startsWith("SQLITE_") ? `the state store: ${code}` : e.message}; free space and rerun\n`);
      return 2;
    }
    if (err instanceof OutputFileError) {
      ctx.stderr.write(`tern: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DiagnosticError) {
      ctx.stderr.write(renderDiagnostics(err.diagnostics, { color: useColor(ctx.stderr) }) + "\n");
      return 2;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    ctx.stderr.write(`tern: internal error (this is a bug, please report it with tern ${VERSION}): ${e.message}\n`);
    if (ctx.env.TERN_DEBUG) ctx.stderr.write(`${e.stack ?? ""}\n`);
    return 70;
  }
}

/** One line: `tern: error[SNK001]: cannot write …`. */
function reportAdapterError(ctx: CliContext, err: AdapterError): number {
  ctx.stderr.write(`tern: error[${err.code}]: ${err.message}\n`);
  return 2;
}
