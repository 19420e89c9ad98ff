// `--format auditd`: the EventSource over raw or ENRICHED audit.log files (docs/sources.md §3, §6.3).
// Files are read as streams, in the order given (oldest rotated file first, so an event that spans a
// rotation is still assembled whole); one AuditdAssembler serves them all and is flushed at the end.
// `_index` is opts.index, else the Defend data stream of the event's category (ecs-normalize/index-name.ts).

import type { EventSource, SourceOptions } from "../types.js";
import { emptyStats } from "../types.js";
import type { InputEvent, LineLocation } from "../../event/types.js";
import { STDIN, STDIN_NAME, assertReadableFiles, lineEventId, readFileLines } from "../lines.js";
import { AuditdAssembler, type AssembledEvent } from "./assembler.js";
import { defendIndexFor } from "../ecs-normalize/index-name.js";

export interface AuditdSourceOptions extends SourceOptions {
  readonly hostname?: string;
  /** host.id of records without node= (default: derived from the host name). */
  readonly hostId?: string;
  readonly now?: () => number;
  readonly closeAfterMs?: number;
  /** Events per batch (default 1000). */
  readonly batchSize?: number;
  /** What the input "-" reads (default process.stdin). */
  readonly stdin?: AsyncIterable<Uint8Array | string>;
}

export function openAuditdSource(inputs: readonly string[], opts: AuditdSourceOptions): EventSource {
  assertReadableFiles(inputs);
  const stats = emptyStats();
  const batchSize = opts.batchSize ?? 1000;
  // The line being fed: onMalformed runs synchronously inside feed(), so it is the malformed one.
  let currentRaw: Uint8Array = new Uint8Array(0);

  async function* batches(): AsyncIterable<InputEvent[]> {
    let currentFile = "";
    const assembler = new AuditdAssembler({
      hostname: opts.hostname,
      hostId: opts.hostId,
      now: opts.now,
      closeAfterMs: opts.closeAfterMs,
      onMalformed: (loc, message) => {
        stats.bad++;
        opts.onBadLine({ loc, reason: "malformed-record", message }, currentRaw);
      },
      onLate: (loc, message) => {
        stats.bad++;
        opts.onBadLine({ loc, reason: "late-record", message }, currentRaw);
      },
    });
    let batch: InputEvent[] = [];
    const take = (evs: AssembledEvent[]): void => {
      for (const e of evs) {
        batch.push({ _index: opts.index ?? defendIndexFor(e.doc, "auditd"), _id: lineEventId(e.loc, e.index), _source: e.doc, loc: e.loc });
        stats.events++;
      }
    };
    for (const file of inputs) {
      currentFile = file === STDIN ? STDIN_NAME : file;
      stats.files++;
      for await (const l of readFileLines(file, { stdin: opts.stdin, maxLineBytes: opts.maxLineBytes, onBytes: (n) => (stats.bytes += n) })) {
        stats.lines++;
        const loc: LineLocation = { file: currentFile, line: l.line, byteOffset: l.byteOffset };
        if (l.problem !== undefined) {
          stats.bad++;
          const message = l.problem === "too-long" ? "line is longer than the maximum line length" : "line is not valid UTF-8";
          opts.onBadLine({ loc, reason: l.problem, message }, l.raw);
          continue;
        }
        currentRaw = l.raw;
        take(assembler.feed(l.text, loc));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    take(assembler.flush());
    if (batch.length > 0) yield batch;
  }

  return { stats, batches };
}
