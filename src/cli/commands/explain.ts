// `tern explain [CODE]`: the diagnostic catalogue (src/diag/codes.ts) — one code's title and description, or
// every code as a table; `--json` for both.
import type { Command } from "commander";
import { ExitError } from "../../diag/index.js";
import { CODES, type Code } from "../../diag/codes.js";
import type { CliContext } from "../context.js";

function isCode(s: string): s is Code {
  return Object.prototype.hasOwnProperty.call(CODES, s);
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("explain")
    .description("Explain a diagnostic code (e.g. RULE009), or list every code.")
    .argument("[code]", "a code such as KQL001 (case-insensitive)")
    .option("--json", "JSON output")
    .action((code: string | undefined, opts: { json?: boolean }) => {
      if (code === undefined) {
        const rows = (Object.keys(CODES) as Code[]).map((c) => ({ code: c, ...CODES[c] }));
        if (opts.json) {
          ctx.stdout.write(JSON.stringify(rows, null, 2) + "\n");
          return;
        }
        for (const r of rows) ctx.stdout.write(`${r.code.padEnd(9)}${r.severity.padEnd(9)}${r.title}\n`);
        return;
      }
      const key = code.toUpperCase();
      if (!isCode(key)) {
        ctx.stderr.write(`tern explain: unknown code "${code}" (tern explain lists them all)\n`);
        throw new ExitError(2);
      }
      const info = CODES[key];
      if (opts.json) ctx.stdout.write(JSON.stringify({ code: key, ...info }, null, 2) + "\n");
      else ctx.stdout.write(`${key} (${info.severity}): ${info.title}\n\n${info.description}\n`);
    });
}
