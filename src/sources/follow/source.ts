// `tern run --follow` (issue 5 "Conversion and follow"; contrib/auditd/README.md "Follow the live log"): an EventSource that tails
// files (ndjson, auditd or sysmon-linux lines) across rotation and truncation (tail.ts), and reports, per
// file, the position a restart must resume from. The engine commits those positions in the same
// transaction as the alerts and terms of the events before them, so a restart loses nothing and alerts
// nothing twice. auditd: the position is the first line of the oldest audit event still open (its records
// may straddle the position), and the keys of events already emitted past that line travel with it
// (`extra.emitted`) so their re-read records are dropped instead of forming a second event.

import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { hostname as osHostname } from "node:os";
import { resolve } from "node:path";
import type { BadLineReason, EventDoc, InputEvent, LineLocation } from "../../event/types.js";
import { emptyStats, type EventSource, type SourceOptions, type SourcePosition } from "../types.js";
import { assertReadableFiles } from "../lines.js";
import { AuditdAssembler, type AssembledEvent } from "../auditd/assembler.js";
import { ProcessTable, hostIdFromName, localMachineId } from "../process-table.js";
import { runningProcesses } from "../proc-seed.js";
import { MalformedSysmonError, parseSysmonLine, sysmonToEcs } from "../sysmon/parse.js";
import { defendIndexFor } from "../ecs-normalize/index-name.js";
import { decodeNdjsonLine, defaultIndexName, isBlankLine, type LinePrefilter } from "../ndjson/index.js";
import { FileTail, type FileHead, type TailLine, type TailPosition } from "./tail.js";

export type FollowFormat = "ecs" | "auditd" | "sysmon-linux";

export interface FollowOptions extends SourceOptions {
  readonly format: FollowFormat;
  /** How often files are checked for new data, rotation and truncation (default 250 ms). */
  readonly pollIntervalMs?: number;
  /** The stored position of a source key (the state DB), read once at start. */
  readonly resume?: (key: string) => SourcePosition | undefined;
  /** ecs only: lines it rejects are never parsed (the run's KQL prefilter). */
  readonly prefilter?: LinePrefilter;
  /** ecs only: the prefilter of one file, given its path and index (the rules routed to it); replaces `prefilter`. */
  readonly prefilterFor?: (file: string, index: string) => LinePrefilter | undefined;
  readonly hostname?: string;
  /** host.id of records without a host of their own (default: this machine's /etc/machine-id). */
  readonly hostId?: string;
  /** auditd: the process table to continue (restored from the SQLite memory); default a new one. */
  readonly processes?: ProcessTable;
  /** auditd: add this machine's running processes (/proc) to the table before reading (proc-seed.ts). */
  readonly seedProcesses?: boolean;
  /** Where the running processes are read (default /proc). */
  readonly procDir?: string;
  readonly now?: () => number;
  /** auditd: close an audit event open this long (default 2000 ms). */
  readonly closeAfterMs?: number;
  /** Lines read per file per poll before a batch is handed on (default 4096). */
  readonly batchLines?: number;
  /** Called with a human-readable note on rotation/truncation (the CLI prints them). */
  readonly onNotice?: (message: string) => void;
}

export interface FollowSource extends EventSource {
  /** Stop following: the current poll ends, open auditd events are flushed, the last batch is yielded. */
  stop(): void;
  positions(): readonly { readonly key: string; readonly position: SourcePosition }[];
}

/** The checkpoint key of a followed file. */
export function followKey(format: FollowFormat, path: string): string {
  return `follow:${format}:${resolve(path)}`;
}

interface Extra {
  gen?: number;
  head?: FileHead;
  emitted?: string[];
}

function parseExtra(text: string | null | undefined): Extra {
  if (text === null || text === undefined) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null ? (v as Extra) : {};
  } catch {
    return {};
  }
}

/** A per-file decoder: turns tailed lines into events and knows the file's restart position. */
interface Decoder {
  feed(l: TailLine, loc: LineLocation, out: InputEvent[]): void;
  tick(out: InputEvent[]): void;
  flush(out: InputEvent[]): void;
  position(tail: TailPosition, headOf: (inode: number) => FileHead | undefined): SourcePosition;
}

const plainPosition = (t: TailPosition): SourcePosition => ({ inode: t.inode, offset: t.offset, line: t.line, extra: JSON.stringify({ gen: t.gen, head: t.head }) });

// Remembered emitted auditd events beyond the restart line are bounded: a longer list means a single
// event stayed open across thousands of others, which the assembler's serial lag already prevents.
const MAX_EMITTED = 8192;
const RECENT_STICKY = 64;

export function openFollowSource(inputs: readonly string[], opts: FollowOptions): FollowSource {
  assertReadableFiles(inputs);
  const stats = emptyStats();
  const pollMs = opts.pollIntervalMs ?? 250;
  const batchLines = opts.batchLines ?? 4096;
  const maxLine = opts.maxLineBytes ?? 16 * 1024 * 1024;
  const now = opts.now ?? Date.now;
  const host = opts.hostname ?? osHostname();
  // A followed log is this machine's own (unless --hostname names another): its machine id is the host's.
  const hostId = opts.hostId ?? (opts.hostname === undefined ? localMachineId() : undefined);
  const processes = opts.processes ?? new ProcessTable();
  if (opts.format === "auditd" && opts.seedProcesses === true) {
    const running = runningProcesses(opts.procDir);
    // the key of records without node=: this machine's
    const seeded = processes.seed(hostId ?? hostIdFromName(host), running);
    opts.onNotice?.(`seeded the process table with ${seeded} of the ${running.length} processes running (${opts.procDir ?? "/proc"})`);
  }
  const sysmonParents = new Map<string, Record<string, unknown>>();
  let stopped = false;
  let wake: (() => void) | undefined;
  const files: { key: string; tail: FileTail; dec: Decoder }[] = [];

  const bad = (loc: LineLocation, reason: BadLineReason, message: string, raw: Uint8Array): void => {
    stats.bad++;
    opts.onBadLine({ loc, reason, message }, raw);
  };
  // Ids include the inode and truncation generation: after a rotation the same path and offsets hold other lines.
  const lineId = (path: string, l: TailLine, index: number): string =>
    createHash("sha1").update(`${path}\0${l.inode}\0${l.gen}\0${l.byteOffset}\0${index}`).digest("hex").slice(0, 20);

  function ndjsonDecoder(path: string): Decoder {
    const index = opts.index ?? defaultIndexName({ kind: "file", path });
    const decode = { prefilter: opts.prefilterFor !== undefined ? opts.prefilterFor(path, index) : opts.prefilter };
    return {
      feed(l, loc, out) {
        if (isBlankLine(l.raw)) return;
        decodeNdjsonLine(l.raw, loc.file, loc.line, loc.byteOffset, index, decode, { stats, bad, emit: (ev) => out.push(ev) });
      },
      tick: () => undefined,
      flush: () => undefined,
      position: plainPosition,
    };
  }

  function sysmonDecoder(path: string): Decoder {
    return {
      feed(l, loc, out) {
        if (!isUtf8(l.raw)) return bad(loc, "invalid-utf8", "line is not valid UTF-8", l.raw);
        let doc: EventDoc | undefined;
        try {
          const ev = parseSysmonLine(l.raw.toString("utf8"));
          if (ev === undefined) return;
          doc = sysmonToEcs(ev, { ingested: new Date(now()).toISOString(), hostname: host, hostId, parents: sysmonParents });
        } catch (e) {
          if (!(e instanceof MalformedSysmonError)) throw e;
          return bad(loc, "malformed-record", e.message, l.raw);
        }
        if (doc === undefined) return;
        stats.events++;
        out.push({ _index: opts.index ?? defendIndexFor(doc, "sysmon"), _id: lineId(path, l, 0), _source: doc, loc });
      },
      tick: () => undefined,
      flush: () => undefined,
      position: plainPosition,
    };
  }

  function auditdDecoder(path: string, resumed: Extra): Decoder {
    let currentRaw: Uint8Array = new Uint8Array(0);
    const asm = new AuditdAssembler({
      hostname: opts.hostname,
      hostId,
      now,
      closeAfterMs: opts.closeAfterMs,
      onMalformed: (loc, message) => bad(loc, "malformed-record", message, currentRaw),
      onLate: (loc, message) => bad(loc, "late-record", message, currentRaw),
      // a live log: ingested when tern read it; one process table for every followed file
      ingested: "wall-clock",
      processes,
    });
    if (resumed.emitted !== undefined) asm.markClosed(resumed.emitted);
    // The tailed line behind each group's first-line location, and a reading sequence number for ordering.
    const lineOf = new WeakMap<LineLocation, { l: TailLine; seq: number }>();
    let seq = 0;
    let recent: { key: string; seq: number }[] = [];
    let sticky: string[] = resumed.emitted?.slice(-RECENT_STICKY) ?? [];
    const take = (evs: AssembledEvent[], out: InputEvent[]): void => {
      for (const e of evs) {
        const src = lineOf.get(e.loc);
        if (e.index === 0) recent.push({ key: e.key, seq: src?.seq ?? seq });
        const id = src === undefined ? `${e.key}#${e.index}` : lineId(path, src.l, e.index);
        stats.events++;
        out.push({ _index: opts.index ?? defendIndexFor(e.doc, "auditd"), _id: id, _source: e.doc, loc: e.loc });
      }
    };
    return {
      feed(l, loc, out) {
        if (!isUtf8(l.raw)) return bad(loc, "invalid-utf8", "line is not valid UTF-8", l.raw);
        lineOf.set(loc, { l, seq: seq++ });
        currentRaw = l.raw;
        take(asm.feed(l.raw.toString("utf8"), loc), out);
      },
      tick(out) {
        take(asm.flushExpired(), out);
      },
      flush(out) {
        const evs = asm.flush();
        take(evs, out);
        // Events closed early at stop may still get records after the stop position: remember them.
        sticky = [...sticky, ...evs.filter((e) => e.index === 0).map((e) => e.key)];
      },
      position(t, headOf) {
        const o = asm.oldestOpen();
        const first = o === undefined ? undefined : lineOf.get(o);
        const cutSeq = first === undefined ? seq : first.seq;
        recent = recent.filter((r, i) => r.seq >= cutSeq || i >= recent.length - RECENT_STICKY).slice(-MAX_EMITTED);
        const emitted = [...new Set([...sticky, ...recent.map((r) => r.key)])].slice(-MAX_EMITTED);
        if (o === undefined || first === undefined) return { inode: t.inode, offset: t.offset, line: t.line, extra: JSON.stringify({ gen: t.gen, head: t.head, emitted }) };
        const l = first.l;
        return { inode: l.inode, offset: l.byteOffset, line: l.line - 1, extra: JSON.stringify({ gen: l.gen, head: headOf(l.inode), emitted }) };
      },
    };
  }

  async function setup(): Promise<void> {
    for (const path of inputs) {
      const key = followKey(opts.format, path);
      const stored = opts.resume?.(key);
      const extra = parseExtra(stored?.extra);
      const tail = new FileTail(path, maxLine, {
        rotated: () => opts.onNotice?.(`${path}: rotated, now reading the new file`),
        truncated: () => opts.onNotice?.(`${path}: truncated, reading again from the start`),
        recovered: (copy, bytes) => bytes > 0 && opts.onNotice?.(`${path}: read the ${bytes} bytes not yet read before the truncation from its copy ${copy}`),
        lost: (bytes) => {
          stats.truncationsLost = (stats.truncationsLost ?? 0) + 1;
          stats.truncationBytesLost = (stats.truncationBytesLost ?? 0) + bytes;
          opts.onNotice?.(`${path}: no copy of the truncated content was found (${path}.1 missing or other); what it held past the read position is lost (${bytes} bytes known)`);
        },
      });
      const resume = stored !== undefined && stored.inode !== null ? { inode: stored.inode, offset: stored.offset, line: stored.line, gen: extra.gen ?? 0, head: extra.head } : undefined;
      await tail.start(resume);
      const dec = opts.format === "auditd" ? auditdDecoder(path, extra) : opts.format === "sysmon-linux" ? sysmonDecoder(path) : ndjsonDecoder(path);
      files.push({ key, tail, dec });
      stats.files++;
    }
  }

  const feedLines = (f: (typeof files)[number], lines: TailLine[], out: InputEvent[]): void => {
    for (const l of lines) {
      stats.lines++;
      stats.bytes += l.raw.length + 1;
      const loc: LineLocation = { file: f.tail.path, line: l.line, byteOffset: l.byteOffset };
      if (l.tooLong) {
        bad(loc, "too-long", "line is longer than the maximum line length", l.raw);
        continue;
      }
      f.dec.feed(l, loc, out);
    }
  };

  async function* batches(): AsyncGenerator<InputEvent[]> {
    await setup();
    try {
      let lastPositions = "";
      while (!stopped) {
        const out: InputEvent[] = [];
        let readAny = false;
        for (const f of files) {
          const lines = await f.tail.poll(batchLines * 256);
          if (lines.length > 0) readAny = true;
          feedLines(f, lines, out);
          f.dec.tick(out);
        }
        const pos = JSON.stringify(positions());
        // An empty batch still moves the stored position past lines that made no event.
        if (out.length > 0 || pos !== lastPositions) {
          lastPositions = pos;
          yield out;
        }
        if (!readAny && !stopped) await sleep(pollMs);
      }
      // Stop: no more reading (what is unread, and a partial last line, is the next run's); open audit
      // events are closed and yielded with the final position.
      const out: InputEvent[] = [];
      for (const f of files) f.dec.flush(out);
      yield out;
    } finally {
      for (const f of files) await f.tail.close();
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        wake = undefined;
        res();
      }
      wake = done;
    });
  }

  function positions(): { key: string; position: SourcePosition }[] {
    const out: { key: string; position: SourcePosition }[] = [];
    for (const f of files) {
      const t = f.tail.position();
      if (t !== undefined) out.push({ key: f.key, position: f.dec.position(t, (i) => f.tail.headOf(i)) });
    }
    return out;
  }

  return {
    stats,
    batches,
    positions,
    persist(store) {
      for (const r of processes.changes()) store.setProcess(r.key, r.entry === undefined ? null : JSON.stringify(r.entry), r.gen);
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
}
