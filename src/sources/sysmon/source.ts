// `--format sysmon-linux`: the EventSource over syslog files carrying Sysmon for Linux XML events
// (docs/sources.md §5.1, §6.7, §7.6). Lines without an <Event> (daemon start-up messages, other programs)
// are skipped; an <Event> that is not closed (rsyslog truncated it) or has no EventID is a bad line.
// `_index` is opts.index, else the Defend data stream of the event's category (ecs-normalize/index-name.ts).

import { hostname as osHostname } from "node:os";
import type { EventSource, SourceOptions } from "../types.js";
import { emptyStats } from "../types.js";
import type { InputEvent, LineLocation } from "../../event/types.js";
import { STDIN, STDIN_NAME, assertReadableFiles, lineEventId, readFileLines } from "../lines.js";
import { MalformedSysmonError, parseSysmonLine, sysmonToEcs } from "./parse.js";
import { defendIndexFor } from "../ecs-normalize/index-name.js";

export interface SysmonSourceOptions extends SourceOptions {
  /** host.name when an event has no <Computer> (default: this machine's hostname). */
  readonly hostname?: string;
  /** host.id of events without <Computer> (default: derived from the host name). */
  readonly hostId?: string;
  readonly batchSize?: number;
  /** What the input "-" reads (default process.stdin). */
  readonly stdin?: AsyncIterable<Uint8Array | string>;
}

export function openSysmonSource(inputs: readonly string[], opts: SysmonSourceOptions): EventSource {
  assertReadableFiles(inputs);
  const stats = emptyStats();
  const batchSize = opts.batchSize ?? 1000;
  const host = opts.hostname ?? osHostname();
  const parents = new Map<string, Record<string, unknown>>();

  async function* batches(): AsyncIterable<InputEvent[]> {
    let batch: InputEvent[] = [];
    for (const file of inputs) {
      stats.files++;
      for await (const l of readFileLines(file, { stdin: opts.stdin, maxLineBytes: opts.maxLineBytes, onBytes: (n) => (stats.bytes += n) })) {
        stats.lines++;
        const loc: LineLocation = { file: file === STDIN ? STDIN_NAME : file, line: l.line, byteOffset: l.byteOffset };
        if (l.problem !== undefined) {
          stats.bad++;
          opts.onBadLine({ loc, reason: l.problem, message: l.problem === "too-long" ? "line is longer than the maximum line length" : "line is not valid UTF-8" }, l.raw);
          continue;
        }
        let doc;
        try {
          const ev = parseSysmonLine(l.text);
          if (ev === undefined) continue;
          doc = sysmonToEcs(ev, { hostname: host, hostId: opts.hostId, parents });
        } catch (e) {
          if (!(e instanceof MalformedSysmonError)) throw e;
          stats.bad++;
          opts.onBadLine({ loc, reason: "malformed-record", message: e.message }, l.raw);
          continue;
        }
        if (doc === undefined) continue;
        batch.push({ _index: opts.index ?? defendIndexFor(doc, "sysmon"), _id: lineEventId(loc, 0), _source: doc, loc });
        stats.events++;
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }
  return { stats, batches };
}
