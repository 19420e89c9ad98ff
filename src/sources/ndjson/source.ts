// The NDJSON event source (issue 4 "Inputs", issue 6 speed): files, directories, globs and stdin, gzip
// detected by magic bytes, lines split on 0x0A in 1 MiB Buffers, the KQL prefilter run on the raw bytes
// BEFORE any decoding, and only surviving lines UTF-8-checked and JSON.parsed (rejected lines get only a
// cheap object-shape check, so a non-JSON line is still reported with its file:line). Implements
// src/sources/types.ts (EventSource). Ids for plain events: see eventId() in src/event/id.ts.

import { createReadStream } from "node:fs";
import { eventId, plainLineEvent } from "../../event/id.js";
import { isUtf8 } from "node:buffer";
import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { DiagnosticError, diagnostic, fileSpan } from "../../diag/index.js";
import type { BadLine, BadLineReason, EventDoc, InputEvent, LineLocation } from "../../event/types.js";
import { emptyStats, type EventSource, type SourceOptions, type SourceStats } from "../types.js";
import { defaultIndexName, expandInputs, type InputSpec } from "./expand.js";
import type { ChunkGate } from "../../compile/prefilter/gate.js";

/**
 * A line predicate over raw bytes: false means "no rule can match this line", so it is never parsed.
 * `gateFor` (KqlPrefilter's) picks from a sample chunk a gate whose hits are the only lines worth testing.
 */
export type LinePrefilter = ((line: Uint8Array | string) => boolean) & {
  readonly gateFor?: (sample: Buffer) => ChunkGate | undefined;
  /** After a call that returned true: the rules (by position) the line may match; undefined = all. */
  readonly rules?: () => Uint8Array | undefined;
};

export interface NdjsonSourceOptions extends SourceOptions {
  /** Lines it rejects are counted in stats.prefiltered and never decoded, validated or parsed. */
  readonly prefilter?: LinePrefilter;
  /**
   * The prefilter of one input, given its name and the `_index` its plain lines get (rules routed by
   * index: kqlRoutedPrefilter). When set it replaces `prefilter`; undefined = no prefilter for that input.
   */
  readonly prefilterFor?: (file: string, index: string) => LinePrefilter | undefined;
  /** The stream `-` reads (default process.stdin). */
  readonly stdin?: Readable;
  /** Events per batch (default 1024); the last batch may be shorter. */
  readonly batchSize?: number;
  /** Read size in bytes (default 1 MiB). Smaller values exist for tests that split lines across chunks. */
  readonly chunkBytes?: number;
  /**
   * Parsed events it rejects (given their `_index`, `_source` and the prefilter's rules mask) are counted in stats.events but not
   * emitted, and their `_id` is never computed (the parallel source's workers: no rule matches them).
   */
  readonly keep?: (index: string, source: EventDoc, rules: Uint8Array | undefined) => boolean;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const DEFAULT_BATCH = 1024;
const DEFAULT_CHUNK = 1024 * 1024;
/** Name used in locations for lines read from stdin. */
export const STDIN_NAME = "<stdin>";


/** Chunks of `src`, gunzipped when the stream starts with the gzip magic bytes 1f 8b (any file name). */
async function* decompressed(src: AsyncIterable<Buffer | string>, chunkBytes: number): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 2) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    const b = typeof r.value === "string" ? Buffer.from(r.value, "utf8") : r.value;
    head.push(b);
    headLen += b.length;
  }
  const first = head.length === 1 ? head[0] : Buffer.concat(head);
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        yield typeof r.value === "string" ? Buffer.from(r.value, "utf8") : r.value;
      }
    } finally {
      // a consumer that stops early (--strict, an error) closes the file now, not at garbage collection
      if (!done) await it.return?.();
    }
  }
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: chunkBytes });
    pipeline(Readable.from(all(), { objectMode: false }), gunzip, () => undefined);
    for await (const chunk of gunzip) yield chunk as Buffer;
  } else {
    yield* all();
  }
}

function isBlank(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d;

/** First non-blank byte of [s, e) is `{` and last is `}` (the line is not blank). */
function objectShaped(buf: Buffer, s: number, e: number): boolean {
  while (s < e && isSpace(buf[s])) s++;
  while (e > s && isSpace(buf[e - 1])) e--;
  return e - s >= 2 && buf[s] === 0x7b && buf[e - 1] === 0x7d;
}

/** Chunks before a gate found not worth it (or no longer worth it) is chosen again; doubled each time. */
const GATE_RETRY_CHUNKS = 64;
/** Bytes a chunk needs to be the sample a gate is chosen from (or the read size, when smaller). */
const GATE_MIN_SAMPLE = 64 * 1024;
/** A chunk where more than this fraction of lines hold a gate hit turns the gate off. */
const GATE_MAX_HIT_FRACTION = 0.4;

/** Splits one input into lines and turns each into an event or a bad line. */
class LineProcessor {
  /** The prefilter's chunk gate (see compile/prefilter/gate.ts), chosen from this input's data. */
  private gate: ChunkGate | undefined;
  /** Chunks until the gate is chosen again (0: at the next chunk). */
  private gateWait = 0;
  private gateBackoff = GATE_RETRY_CHUNKS;
  private readonly gateHits: number[] = [];
  private readonly gateMinSample: number;
  private lineNo = 0;
  /** Decompressed bytes of this input before the current chunk. */
  private consumed = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private carryStart = 0;
  private tooLong = false;
  private readonly max: number;
  private readonly prefilter: LinePrefilter | undefined;
  /** What onBadLine threw (--strict), so it is re-thrown as is and not mistaken for an I/O error. */
  stopError: { readonly error: unknown } | undefined;
  private readonly sink: NdjsonLineSink;
  /** This input's prefilter (prefilterFor's or the run's) and the keep test. */
  private readonly decode: Pick<NdjsonSourceOptions, "prefilter" | "keep">;

  constructor(
    private readonly file: string,
    private readonly index: string,
    private readonly indexOverride: string | undefined,
    private readonly opts: NdjsonSourceOptions,
    private readonly stats: SourceStats,
    private readonly emit: (e: InputEvent) => void,
  ) {
    this.max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.gateMinSample = Math.min(GATE_MIN_SAMPLE, opts.chunkBytes ?? DEFAULT_CHUNK);
    this.prefilter = opts.prefilterFor !== undefined ? opts.prefilterFor(file, indexOverride ?? index) : opts.prefilter;
    this.sink = { stats, bad: (loc, reason, message, raw) => this.bad(loc, reason, message, raw), emit };
    this.decode = { prefilter: this.prefilter, keep: opts.keep };
  }

  push(chunk: Buffer): void {
    this.stats.bytes += chunk.length;
    const hits = this.hitsOf(chunk);
    let start = 0;
    let k = 0;
    let lines = 0;
    let candidates = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (this.carryLen > 0 || this.tooLong) {
        this.append(chunk, start, nl);
        this.flushCarry();
      } else if (hits !== undefined) {
        // Gated: only a line holding a gate hit can pass the prefilter.
        while (k < hits.length && hits[k] < start) k++;
        lines++;
        if (k < hits.length && hits[k] < nl) {
          candidates++;
          this.line(chunk, start, nl, this.consumed + start, false);
        } else if (chunk[start] === 0x7b && chunk[nl - 1] === 0x7d && nl - start <= this.max) {
          // what line() does with a rejected line that is plainly an object (no BOM, CR or blanks)
          this.lineNo++;
          this.stats.lines++;
          this.stats.prefiltered++;
        } else {
          this.line(chunk, start, nl, this.consumed + start, true);
        }
      } else {
        this.line(chunk, start, nl, this.consumed + start, false);
      }
      start = nl + 1;
    }
    if (hits !== undefined && candidates > lines * GATE_MAX_HIT_FRACTION) this.gateOff();
    if (start < chunk.length) {
      if (this.carryLen === 0 && !this.tooLong) this.carryStart = this.consumed + start;
      this.append(chunk, start, chunk.length);
    }
    this.consumed += chunk.length;
  }

  /** Offsets of the gate's hits in `chunk`, or undefined when lines are not gated in this chunk. */
  private hitsOf(chunk: Buffer): number[] | undefined {
    const gateFor = this.prefilter?.gateFor;
    if (gateFor === undefined) return undefined;
    if (this.gate === undefined) {
      if (this.gateWait > 0) {
        this.gateWait--;
        return undefined;
      }
      // A small chunk (a range's leading "\n", a pipe's dribble) says little about the data: wait for a big one.
      if (chunk.length < this.gateMinSample) return undefined;
      this.gate = gateFor(chunk);
      if (this.gate === undefined) {
        this.gateOff();
        return undefined;
      }
    }
    this.gateHits.length = 0;
    this.gate.hits(chunk, this.gateHits);
    return this.gateHits;
  }

  private gateOff(): void {
    this.gate = undefined;
    this.gateWait = this.gateBackoff;
    this.gateBackoff *= 2;
  }

  /** The gate's buffer for the next chunk (hits() then searches it in place), while a gate is on. */
  readBuffer(bytes: number): Buffer | undefined {
    return this.gate?.readBuffer?.(bytes);
  }

  /** End of input: a last line without a newline is still a line. */
  end(): void {
    if (this.carryLen > 0 || this.tooLong) this.flushCarry();
  }

  private append(chunk: Buffer, s: number, e: number): void {
    if (this.tooLong) return;
    // +1 leaves room for a CR that is stripped later
    if (this.carryLen + (e - s) > this.max + 1) {
      // keep only the first `max` bytes for the rejects file; the rest of the line is skipped unread
      const keep = Math.max(0, Math.min(e - s, this.max - this.carryLen));
      if (keep > 0) this.carry.push(Buffer.from(chunk.subarray(s, s + keep)));
      this.carryLen += keep;
      this.tooLong = true;
      return;
    }
    // copy: the chunk's memory is reused by nobody, but a view would pin the whole 1 MiB chunk
    this.carry.push(Buffer.from(chunk.subarray(s, e)));
    this.carryLen += e - s;
  }

  private flushCarry(): void {
    const buf = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry, this.carryLen);
    const start = this.carryStart;
    const tooLong = this.tooLong;
    this.carry = [];
    this.carryLen = 0;
    this.tooLong = false;
    if (tooLong) {
      this.lineNo++;
      this.stats.lines++;
      this.bad({ file: this.file, line: this.lineNo, byteOffset: start }, "too-long", `line is longer than ${this.max} bytes`, buf.subarray(0, this.max));
      return;
    }
    this.line(buf, 0, buf.length, start, false);
  }

  private bad(loc: BadLine["loc"], reason: BadLineReason, message: string, raw: Uint8Array): void {
    this.stats.bad++;
    try {
      this.opts.onBadLine({ loc, reason, message }, raw);
    } catch (error) {
      this.stopError = { error };
      throw error;
    }
  }

  /**
   * One line, bytes [s, e) of buf without its LF, starting at input byte `offset`. `rejected`: the chunk
   * gate already knows the prefilter rejects it.
   */
  private line(buf: Buffer, s: number, e: number, offset: number, rejected: boolean): void {
    const lineNo = ++this.lineNo;
    this.stats.lines++;
    if (e > s && buf[e - 1] === 0x0d) e--;
    // a UTF-8 byte order mark is tolerated at the start of an input
    if (lineNo === 1 && e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
    if (e - s > this.max) {
      this.bad({ file: this.file, line: lineNo, byteOffset: offset }, "too-long", `line is longer than ${this.max} bytes`, buf.subarray(s, s + this.max));
      return;
    }
    // blank lines (empty, or spaces/tabs only) are counted in stats.lines and otherwise skipped
    if (isBlankLine(buf, s, e)) return;
    decodeNdjsonLine(buf.subarray(s, e), this.file, lineNo, offset, this.indexOverride ?? this.index, this.decode, this.sink, rejected);
  }
}

/** Empty, or spaces, tabs and CRs only (such a line is counted and skipped). */
export function isBlankLine(buf: Buffer, s = 0, e = buf.length): boolean {
  return e === s || ((buf[s] === 0x20 || buf[s] === 0x09) && isBlank(buf, s, e));
}

/** Where decodeNdjsonLine sends what a line becomes. */
export interface NdjsonLineSink {
  readonly stats: SourceStats;
  bad(loc: LineLocation, reason: BadLineReason, message: string, raw: Uint8Array): void;
  emit(ev: InputEvent): void;
}

/**
 * One NDJSON line that is not blank (its bytes without LF, CR or BOM, at `file:line`, input byte
 * `byteOffset`) → an event, a bad line, or a prefiltered count. `index` is the `_index` of a plain line
 * (and of a hit without one). `rejected`: the chunk gate already knows the prefilter rejects the line.
 * Shared by the NDJSON source and `--follow`.
 */
/** Deepest nesting of objects and arrays a document may have: Elasticsearch's JSON parser limit. */
export const MAX_NESTING = 1000;

/**
 * Does the JSON text nest objects/arrays deeper than `limit`? A document that deep would overflow the
 * stack of every recursive walk after parsing. Lines shorter than 2 × limit bytes cannot (each level
 * takes an opening and a closing byte), so typical events are not scanned.
 */
export function nestedDeeperThan(raw: Uint8Array, limit: number): boolean {
  if (raw.length <= 2 * limit) return false;
  // Fewer opening brackets than the limit cannot nest deeper: count them natively first (events hold a few dozen).
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  let opening = 0;
  for (const b of [0x7b, 0x5b]) {
    for (let at = buf.indexOf(b); at >= 0 && opening <= limit; at = buf.indexOf(b, at + 1)) opening++;
  }
  if (opening <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function decodeNdjsonLine(
  raw: Buffer,
  file: string,
  line: number,
  byteOffset: number,
  index: string,
  opts: Pick<NdjsonSourceOptions, "prefilter" | "keep">,
  sink: NdjsonLineSink,
  rejected = false,
): void {
  // A prefiltered line is neither UTF-8-validated nor parsed, only checked to look like an object: its
  // first and last non-blank bytes must be { and } (issue 6: deeper validation is skipped for speed).
  const pf = opts.prefilter;
  if (pf !== undefined && (rejected || !pf(raw))) {
    if (!objectShaped(raw, 0, raw.length)) {
      sink.bad({ file, line, byteOffset }, "not-an-object", "line is not a JSON object (it does not start with { and end with })", raw);
      return;
    }
    sink.stats.prefiltered++;
    return;
  }
  // which rules the line's bytes allow (undefined: all), read before anything else calls the prefilter
  const rules = pf?.rules?.();
  const loc = { file, line, byteOffset };
  if (!isUtf8(raw)) {
    sink.bad(loc, "invalid-utf8", "line is not valid UTF-8", raw);
    return;
  }
  let value: unknown;
  const text = raw.toString("utf8");
  try {
    value = JSON.parse(text);
  } catch (err) {
    sink.bad(loc, "invalid-json", `invalid JSON: ${err instanceof Error ? err.message : String(err)}`, raw);
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    sink.bad(loc, "not-an-object", `line is ${kind}, not a JSON object`, raw);
    return;
  }
  if (nestedDeeperThan(raw, MAX_NESTING)) {
    sink.bad(loc, "too-deep", `line nests objects and arrays more than ${MAX_NESTING} levels deep (Elasticsearch refuses such documents)`, raw);
    return;
  }
  const obj = value as Record<string, unknown>;
  const src = obj._source;
  const keep = opts.keep;
  let ev: InputEvent;
  if (src === undefined) {
    sink.stats.events++;
    if (keep !== undefined && !keep(index, obj, rules)) return;
    ev = plainLineEvent(index, text, obj, loc, rules);
  } else {
    if (typeof src !== "object" || src === null || Array.isArray(src)) {
      sink.bad(loc, "malformed-record", "_source of an Elasticsearch hit is not an object", raw);
      return;
    }
    const hitIndex = typeof obj._index === "string" ? obj._index : index;
    sink.stats.events++;
    if (keep !== undefined && !keep(hitIndex, src as EventDoc, undefined)) return;
    const id = typeof obj._id === "string" ? obj._id : eventId(hitIndex, raw);
    ev = { _index: hitIndex, _id: id, _source: src as EventDoc, loc };
  }
  sink.emit(ev);
}

/** Lines of one input pushed in chunks: see ndjsonLineSplitter. */
export interface LineSplitter {
  /** Splits `chunk` (the input's next bytes); it keeps no reference to `chunk` once this returns. */
  push(chunk: Buffer): void;
  /** Where to read the next chunk of at most `bytes` bytes: the chunk gate's own memory when it has one. */
  readBuffer(bytes: number): Buffer | undefined;
  /** End of input: a last line without a newline is still a line. */
  end(): void;
}

/**
 * The line processing of openNdjsonSource for bytes the caller reads itself (the parallel source's worker
 * threads read their byte range with readSync into one reused buffer): the same events, bad lines,
 * prefilter and counters. Plain lines get `opts.index`, else the index `file` would give.
 */
export function ndjsonLineSplitter(file: string, opts: NdjsonSourceOptions, stats: SourceStats, emit: (e: InputEvent) => void): LineSplitter {
  const proc = new LineProcessor(file, defaultIndexName({ kind: "file", path: file }), opts.index, opts, stats, emit);
  return { push: (chunk) => proc.push(chunk), end: () => proc.end(), readBuffer: (bytes) => proc.readBuffer(bytes) };
}

/**
 * Open NDJSON inputs (files, directories, globs, `-`). Inputs are expanded now, so a missing file throws a
 * DiagnosticError (SRC001/SRC002) before anything is read; a read failure part-way throws SRC003 from
 * batches(). Bad lines go to opts.onBadLine and never stop the source unless that callback throws.
 * stats.lines = events + bad + prefiltered + blank lines.
 */
export function openNdjsonSource(inputs: readonly string[], opts: NdjsonSourceOptions): EventSource {
  const specs = expandInputs(inputs);
  const stats = emptyStats();
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH);
  const chunkBytes = Math.max(1, opts.chunkBytes ?? DEFAULT_CHUNK);

  async function* batches(): AsyncGenerator<InputEvent[]> {
    let batch: InputEvent[] = [];
    const ready: InputEvent[][] = [];
    const emit = (e: InputEvent): void => {
      batch.push(e);
      if (batch.length >= batchSize) {
        ready.push(batch);
        batch = [];
      }
    };
    for (const spec of specs) {
      const name = spec.kind === "stdin" ? STDIN_NAME : spec.path;
      const proc = new LineProcessor(name, defaultIndexName(spec), opts.index, opts, stats, emit);
      stats.files++;
      try {
        for await (const chunk of decompressed(openRaw(spec, opts, chunkBytes), chunkBytes)) {
          proc.push(chunk);
          while (ready.length > 0) yield ready.shift() as InputEvent[];
        }
      } catch (err) {
        // errors thrown by onBadLine (--strict) pass through unchanged; only I/O errors are wrapped
        if (proc.stopError?.error === err || !isIoError(err)) throw err;
        throw new DiagnosticError([diagnostic("SRC003", `cannot read ${name}: ${err instanceof Error ? err.message : String(err)}`, fileSpan(name))]);
      }
      proc.end();
      while (ready.length > 0) yield ready.shift() as InputEvent[];
    }
    if (batch.length > 0) yield batch;
  }

  return { stats, batches };
}

function isIoError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string";
}

function openRaw(spec: InputSpec, opts: NdjsonSourceOptions, chunkBytes: number): AsyncIterable<Buffer | string> {
  if (spec.kind === "stdin") return opts.stdin ?? process.stdin;
  return createReadStream(spec.path, { highWaterMark: chunkBytes });
}
