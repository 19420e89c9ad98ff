// `tern index <inputs...> --cluster <url> [--format ecs|auditd|sysmon-linux] [--index <stream>]`: loads
// events into data streams of an Elasticsearch or OpenSearch cluster (src/cluster/index-events.ts), so a
// backtest data set can move into a cluster. Bad lines are counted and reported as by `tern run`; a
// progress display only on a terminal; exit 2 when the cluster cannot be reached or refuses documents.

import { statSync } from "node:fs";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { Option } from "commander";
import type { CliContext } from "../context.js";
import { ExitError } from "../../diag/index.js";
import type { BadLine } from "../../event/types.js";
import { connectCluster, ClusterError } from "../../cluster/client.js";
import { CLUSTER_ACCESS_HELP } from "../../cluster/access.js";
import { ClusterIndexer, targetStream } from "../../cluster/index-events.js";
import { CONVERT_FORMATS, openSourceFor, type ConvertFormat } from "./convert.js";

interface IndexOptions {
  cluster: string;
  format: ConvertFormat;
  index?: string;
  hostname?: string;
  hostId?: string;
  strict?: boolean;
}

const fmt = (n: number) => n.toLocaleString("en-US");

export function register(program: Command, ctx: CliContext): void {
  program
    .command("index")
    .description("Load events into data streams of an Elasticsearch or OpenSearch cluster (ECS field types; reruns index nothing twice).")
    .argument("<inputs...>", "input files, or - for stdin (ecs also takes directories and globs)")
    .requiredOption("--cluster <url>", `the cluster (${CLUSTER_ACCESS_HELP})`)
    .addOption(new Option("--format <format>", "input format").choices([...CONVERT_FORMATS]).default("ecs"))
    .option("--index <stream>", "data stream for plain events (default: their data_stream.* fields, else the input file's name); hits go to the stream their _index names")
    .option("--hostname <name>", "auditd / sysmon-linux: host.name for records without one")
    .option("--host-id <id>", "auditd / sysmon-linux: host.id for those events")
    .option("--strict", "stop at the first bad line (exit 2)")
    .action(async (inputs: string[], opts: IndexOptions) => {
      const err = (s: string) => ctx.stderr.write(s);
      let client;
      try {
        client = await connectCluster(opts.cluster, ctx.env);
      } catch (e) {
        err(`tern index: ${(e as Error).message}\n`);
        throw new ExitError(2);
      }
      const bad: string[] = [];
      let badTotal = 0;
      const onBadLine = (b: BadLine): void => {
        badTotal++;
        if (opts.strict === true) {
          err(`${b.loc.file}:${b.loc.line}: error: bad line (${b.reason}): ${b.message}\n`);
          throw new ExitError(2);
        }
        if (bad.length < 20) bad.push(`${b.loc.file}:${b.loc.line}: ${b.reason}: ${b.message}`);
      };
      const source = openSourceFor(opts.format, inputs, { onBadLine }, { hostname: opts.hostname, hostId: opts.hostId, stdin: ctx.stdin });
      const indexer = new ClusterIndexer(client);
      let total = 0;
      for (const f of inputs) {
        try {
          total += statSync(f).isFile() ? statSync(f).size : 0;
        } catch {
          // a directory, glob or stdin: the bar shows no total
        }
      }
      const bar = ctx.stderr.isTTY === true ? new cliProgress.SingleBar({ stream: ctx.stderr, hideCursor: true, clearOnComplete: true, fps: 10, format: total > 0 ? "indexing [{bar}] {percentage}% {events} events" : "indexing {events} events" }, cliProgress.Presets.shades_classic) : undefined;
      bar?.start(Math.max(total, 1), 0, { events: "0" });
      try {
        for await (const batch of source.batches()) {
          for (const ev of batch) await indexer.add(ev, targetStream(ev, opts.format === "ecs" && ev.json === undefined, opts.index));
          bar?.update(Math.min(source.stats.bytes, Math.max(total, 1)), { events: fmt(source.stats.events) });
        }
        await indexer.flush(true);
      } catch (e) {
        bar?.stop();
        if (e instanceof ClusterError) {
          err(`tern index: ${opts.cluster}: ${e.message}\n`);
          throw new ExitError(2);
        }
        throw e;
      } finally {
        await client.close();
      }
      bar?.stop();
      const s = indexer.stats;
      const streams = [...s.streams].sort(([a], [b]) => (a < b ? -1 : 1));
      err(`tern index: ${fmt(s.indexed)} events indexed into ${client.flavor} ${client.version}${s.existing > 0 ? `, ${fmt(s.existing)} already there` : ""}${s.failed > 0 ? `, ${fmt(s.failed)} refused` : ""}; ${fmt(source.stats.lines)} lines read, ${fmt(badTotal)} bad\n`);
      for (const [stream, n] of streams) err(`  ${stream}: ${fmt(n)}\n`);
      for (const r of s.reasons) err(`  refused: ${r}\n`);
      if (badTotal > 0) {
        err(`bad lines: ${fmt(badTotal)}\n`);
        for (const b of bad) err(`  ${b}\n`);
      }
      ctx.exitCode = s.failed > 0 ? 2 : 0;
    });
}
