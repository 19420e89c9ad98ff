// `tern convert --format <ecs|auditd|sysmon-linux> <inputs>... [--output file]`: writes, one JSON object a
// line, the ECS documents tern's rules see for these inputs (issue 5 "Conversion"; docs/sources-mapping.md).
// `ecs` reads NDJSON and applies normalizeEcsEvent (Auditbeat, file_integrity and sysmon_linux documents
// become Defend-shaped); `auditd` assembles raw/ENRICHED audit.log records; `sysmon-linux` reads syslog
// lines carrying Sysmon XML. Bad lines are warnings on stderr (file:line:1: warning[SRC…]) and are skipped;
// with --strict the first one stops the run (exit 2). The output file is created with mode 0600. --hits
// writes Elasticsearch-hit lines so `tern run` sees the same _index (Defend data streams) and _id.

import { closeSync, fchmodSync, openSync, writeSync } from "node:fs";
import type { Readable } from "node:stream";
import type { Command } from "commander";
import { Option } from "commander";
import type { CliContext } from "../context.js";
import { DiagnosticError, diagnostic, renderDiagnostic, useColor, type Code } from "../../diag/index.js";
import type { BadLine } from "../../event/types.js";
import type { EventSource, SourceOptions } from "../../sources/types.js";
import { openAuditdSource } from "../../sources/auditd/index.js";
import { openSysmonSource } from "../../sources/sysmon/index.js";
import { openNdjsonSource } from "../../sources/ndjson/index.js";
import { normalizeEcsEvent } from "../../sources/ecs-normalize/index.js";

export const CONVERT_FORMATS = ["ecs", "auditd", "sysmon-linux"] as const;
export type ConvertFormat = (typeof CONVERT_FORMATS)[number];

interface ConvertOptions {
  format: ConvertFormat;
  output?: string;
  hostname?: string;
  hostId?: string;
  index?: string;
  strict?: boolean;
  hits?: boolean;
}

function assertNever(x: never): never {
  throw new Error(`unexpected format ${String(x)}`);
}

function badLineCode(format: ConvertFormat, bad: BadLine): Code {
  if (bad.reason === "too-long" || bad.reason === "invalid-utf8") return format === "ecs" ? "SRC003" : "SRC113";
  if (bad.reason === "late-record") return "SRC114";
  if (bad.reason === "too-deep") return "SRC115";
  return format === "sysmon-linux" ? "SRC112" : "SRC111";
}

export function openSourceFor(format: ConvertFormat, inputs: readonly string[], base: SourceOptions, extra: { hostname?: string; hostId?: string; stdin: Readable }): EventSource {
  switch (format) {
    case "ecs":
      return openNdjsonSource(inputs, { ...base, stdin: extra.stdin });
    case "auditd":
      return openAuditdSource(inputs, { ...base, hostname: extra.hostname, hostId: extra.hostId, stdin: extra.stdin });
    case "sysmon-linux":
      return openSysmonSource(inputs, { ...base, hostname: extra.hostname, hostId: extra.hostId, stdin: extra.stdin });
    default:
      return assertNever(format);
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("convert")
    .description("Write the ECS events (NDJSON) tern's rules see for auditd logs, Sysmon for Linux syslog, or ECS NDJSON (normalised).")
    .addOption(new Option("--format <format>", "input format").choices([...CONVERT_FORMATS]).default("ecs"))
    .option("-o, --output <file>", "write to this file (mode 0600) instead of stdout")
    .option("--hostname <name>", "host.name for audit records without node= and Sysmon events without <Computer>")
    .option("--host-id <id>", "host.id for those events (default: derived from the host name)")
    .option("--index <name>", "_index of the events (default: the input file's name)")
    .option("--strict", "stop at the first bad line (exit 2)")
    .option("--hits", "write {_index, _id, _source} lines (tern run reads them back with the same index and ids)")
    .argument("<inputs...>", "input files, or - for stdin (ecs also takes directories and globs)")
    .action(async (inputs: string[], opts: ConvertOptions) => {
      const color = useColor(ctx.stderr);
      let bad = 0;
      const onBadLine = (b: BadLine): void => {
        bad++;
        const span = { file: b.loc.file, start: 0, end: 0, line: b.loc.line, col: 1 };
        const d = diagnostic(badLineCode(opts.format, b), b.message.endsWith(".") ? b.message : `${b.message}.`, span, opts.strict ? { severity: "error" } : {});
        if (opts.strict) throw new DiagnosticError([d]);
        ctx.stderr.write(renderDiagnostic(d, { color }) + "\n");
      };
      const base: SourceOptions = opts.index === undefined ? { onBadLine } : { onBadLine, index: opts.index };
      const source = openSourceFor(opts.format, inputs, base, { hostname: opts.hostname, hostId: opts.hostId, stdin: ctx.stdin });

      let fd: number | undefined;
      if (opts.output !== undefined) {
        fd = openSync(opts.output, "w", 0o600);
        fchmodSync(fd, 0o600);
      }
      const write = (s: string): void => {
        if (fd !== undefined) writeSync(fd, s);
        else ctx.stdout.write(s);
      };
      let events = 0;
      try {
        for await (const batch of source.batches()) {
          let chunk = "";
          for (const e of batch) {
            const doc = opts.format === "ecs" ? normalizeEcsEvent(e._source) : e._source;
            chunk += JSON.stringify(opts.hits ? { _index: e._index, _id: e._id, _source: doc } : doc) + "\n";
            events++;
          }
          write(chunk);
        }
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      const s = source.stats;
      ctx.stderr.write(`tern convert: ${events} events from ${s.lines} lines in ${s.files} file${s.files === 1 ? "" : "s"}${bad > 0 ? `, ${bad} bad line${bad === 1 ? "" : "s"} skipped` : ""}.\n`);
      ctx.exitCode = 0;
    });
}
