// The parallel NDJSON source (issue 6, worker threads): files split into newline-aligned byte ranges
// (ranges.ts), each read, prefiltered, parsed and filtered by the rules' queries in a worker thread
// (worker.ts); results yielded strictly in input order with exact file:line:byteOffset. Implements
// src/sources/types.ts (EventSource) like openNdjsonSource, except that events no rule's query matches are
// counted in stats.events (parsed) but not yielded.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import { DiagnosticError, diagnostic, fileSpan } from "../../diag/index.js";
import type { EventDoc, InputEvent } from "../../event/types.js";
import { plainLineEvent } from "../../event/id.js";
import { emptyStats, type EventSource, type SourceOptions } from "../types.js";
import { defaultIndexName, expandInputs, type InputSpec } from "../ndjson/expand.js";
import { STDIN_NAME } from "../ndjson/source.js";
import { newlineRanges } from "./ranges.js";
import { startWorker, workerStartOf, type WorkerStart } from "../../util/worker-start.js";
import type { FromWorker, PostedEvent, RangeJob, RangeStats, ToWorker, WorkerConfig, WorkerJobs } from "./protocol.js";

/** V8 young-generation size of each reading worker (MB). */
const WORKER_YOUNG_GENERATION_MB = 12;

export interface ParallelRule {
  /** The rule's query text. */
  readonly query: string;
  /** Its language: KQL (default) or EQL. */
  readonly language?: "kuery" | "eql";
  /** EQL: the rule's event_category_override. */
  readonly categoryField?: string;
  /** The rule's index patterns (undefined: every index). */
  readonly index?: readonly string[];
}

export interface ParallelNdjsonOptions extends SourceOptions {
  /** Worker threads run at once (>= 1); each file is split into this many ranges. */
  readonly threads: number;
  /** The run's rules, in the engine's order: an event is yielded only when one of them matches it. */
  readonly ruleQueries: readonly ParallelRule[];
  /** Index routing as given to the engine (indexRouter). */
  readonly routing?: { readonly indexFilter?: boolean; readonly indexIsExplicit?: boolean };
  /** Apply normalizeEcsEvent before matching (`--format ecs` without --no-normalize). Default true. */
  readonly normalize?: boolean;
  /** Matched events per batch handed to the engine (default 256: fewer deserialised events alive at once; 10 M events, 2 workers: replay 281 → 241 MB, stream 253 → 220 MB peak RSS at the same speed). */
  readonly batchSize?: number;
  /** Target range size in bytes (default 256 MiB; tests use small ones). */
  readonly rangeBytes?: number;
  /** Worker script (tests); default worker.js beside this module (worker.ts under tsx). */
  readonly workerUrl?: URL;
}

/** True when the file starts with the gzip magic bytes (such a file is read whole by one worker). */
export function isGzipFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Largest regular non-gzip input in bytes (0 when none, or when stdin is among the inputs). */
export function largestPlainInput(inputs: readonly string[]): number {
  return largestPlainFile(inputs)?.size ?? 0;
}

/** The largest regular non-gzip input (undefined when none, or when stdin is among the inputs). */
export function largestPlainFile(inputs: readonly string[]): { readonly spec: InputSpec & { readonly kind: "file" }; readonly size: number } | undefined {
  let max: { spec: InputSpec & { readonly kind: "file" }; size: number } | undefined;
  for (const spec of expandInputs(inputs)) {
    if (spec.kind === "stdin") return undefined;
    const st = statSync(spec.path);
    if (st.isFile() && st.size > (max?.size ?? 0) && !isGzipFile(spec.path)) max = { spec, size: st.size };
  }
  return max;
}

/** The complete lines in the first `maxBytes` of a file (a line cut by the limit is left out). */
export function leadingLines(path: string, maxBytes: number): string[] {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(maxBytes);
    const n = readSync(fd, buf, 0, maxBytes, 0);
    const end = n < maxBytes ? n : buf.lastIndexOf(0x0a, n - 1) + 1;
    return buf.toString("utf8", 0, end).split("\n").filter((l) => l.trim() !== "");
  } finally {
    closeSync(fd);
  }
}

interface RangeTask {
  readonly job: RangeJob;
  /** 1 when the range's stream starts with an extra "\n" (ranges after the first): one line and byte. */
  readonly shift: number;
  /** First range of its file (the file is counted in stats.files when it is reached). */
  readonly firstOfFile: boolean;
  readonly queue: FromWorker[];
  /** The worker reading this range. */
  worker?: Worker;
  finished: boolean;
  notify?: () => void;
}

/**
 * Ranges of about this size: the i-th goes to worker i mod threads. The main thread takes the ranges in
 * order and a worker waits once a few batches of its events are unconsumed, so a worker whose range is
 * not the one being consumed runs ahead by those events only: with ranges of hundreds of MB and many
 * rules (many events kept), the workers took turns instead of reading together. Small ranges keep them
 * both busy (485 Linux rules, 200,000 bench events, two workers: 256 MB ranges 11.0 s, 16 MB 9.2 s, 4 MB
 * 8.4 s; 1 M events: 35.6, 31.0 s with 8 MB), and with the gate chosen once per file (worker.ts
 * sharedGate) they cost a rule that keeps few events nothing (seed rule, 1 M events: 2.60 s, 2.55 s).
 */
const RANGE_BYTES = 8 * 1024 * 1024;

/** The event a worker sent as JSON text, parsed here; an id derived from the text is computed when read. */
function textEvent(json: string, ev: PostedEvent, loc: InputEvent["loc"]): InputEvent {
  const source = JSON.parse(json) as EventDoc;
  if (ev._id === undefined) return plainLineEvent(ev._index, json, source, loc, ev.rules);
  return { _index: ev._index, _id: ev._id, _source: source, loc, json, ...(ev.rules === undefined ? {} : { rules: ev.rules }) };
}

/**
 * Open NDJSON files for reading by `threads` worker threads. Inputs are expanded and split now (missing
 * files throw SRC001/SRC002 like openNdjsonSource); stdin is not supported (the CLI keeps one thread).
 */
export function openParallelNdjsonSource(inputs: readonly string[], opts: ParallelNdjsonOptions): EventSource {
  const specs = expandInputs(inputs);
  const stats = emptyStats();
  const threads = Math.max(1, Math.floor(opts.threads));
  const batchSize = Math.max(1, opts.batchSize ?? 256);
  const config: WorkerConfig = {
    maxLineBytes: opts.maxLineBytes,
    queries: opts.ruleQueries.map((r) => r.query),
    languages: opts.ruleQueries.map((r) => r.language ?? "kuery"),
    categoryFields: opts.ruleQueries.map((r) => r.categoryField),
    indexes: opts.ruleQueries.map((r) => r.index),
    routing: opts.routing ?? {},
    normalize: opts.normalize ?? true,
  };
  const tasks: RangeTask[] = [];
  for (const spec of specs) {
    if (spec.kind === "stdin") throw new Error(`openParallelNdjsonSource reads files, not ${STDIN_NAME}`);
    const index = opts.index ?? defaultIndexName(spec);
    const gzip = isGzipFile(spec.path);
    const size = statSync(spec.path).size;
    const ranges = gzip ? [{ start: 0, end: size }] : newlineRanges(spec.path, Math.max(threads, Math.ceil(size / (opts.rangeBytes ?? RANGE_BYTES))));
    // an empty file still counts as a file
    if (ranges.length === 0) ranges.push({ start: 0, end: 0 });
    ranges.forEach((range, i) => {
      const job: RangeJob = { path: spec.path, file: spec.path, index, range, gzip };
      tasks.push({ job, shift: range.start > 0 ? 1 : 0, firstOfFile: i === 0, queue: [], finished: false });
    });
  }

  const how: WorkerStart = opts.workerUrl !== undefined ? { url: opts.workerUrl } : workerStartOf(import.meta.url, "worker");

  /** Starts worker `w` on tasks w, w + n, w + 2n… (n workers); its messages go to those tasks in order. */
  function start(w: number, n: number): void {
    const mine = tasks.filter((_, i) => i % n === w);
    // A small young generation: a worker's garbage is almost all short-lived JSON.parse output, and V8's
    // default lets it grow much larger per worker before scavenging. Measured on 1 M events (1.94 GB), 2
    // workers, state file + --output: default 3.3 s / ~310 MB (seed rule), 12.4 s / 315 MB (65 Linux rules);
    // 12 MB: 3.4 s / 239 MB and 12.9 s / 245 MB; 8 MB: 3.3 s / 230 MB but 14.0 s / 255 MB.
    const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
    const workerData: WorkerJobs = { config, jobs: mine.map((t) => t.job) };
    const worker = startWorker(how, { workerData, resourceLimits });
    for (const t of mine) t.worker = worker;
    let cur = 0;
    const push = (m: FromWorker): void => {
      const t = mine[cur];
      if (t === undefined || t.finished) return;
      t.queue.push(m);
      if (m.type === "done" || m.type === "error") {
        t.finished = true;
        cur++;
        // a failed worker fails every range it had left
        if (m.type === "error") for (const rest of mine.slice(cur)) rest.queue.push(m);
      }
      const wake = t.notify;
      t.notify = undefined;
      wake?.();
    };
    worker.on("message", push);
    worker.on("error", (e: Error) => push({ type: "error", message: e.message }));
    worker.on("exit", (code) => push({ type: "error", message: `worker thread exited (code ${code}) before the end of its range` }));
  }

  async function* batches(): AsyncGenerator<InputEvent[]> {
    let batch: InputEvent[] = [];
    let lineBase = 0;
    try {
      const n = Math.min(threads, tasks.length);
      for (let w = 0; w < n; w++) start(w, n);
      for (const t of tasks) {
        if (t.firstOfFile) {
          stats.files++;
          lineBase = 0;
        }
        const file = t.job.file;
        const relocate = (loc: { line: number; byteOffset: number }) => ({
          file,
          line: loc.line - t.shift + lineBase,
          byteOffset: loc.byteOffset - t.shift + t.job.range.start,
        });
        for (;;) {
          const m = t.queue.shift();
          if (m === undefined) {
            await new Promise<void>((r) => (t.notify = r));
            continue;
          }
          if (m.type === "events") {
            for (const ev of m.events) {
              const loc = relocate(ev.loc);
              batch.push(ev.json !== undefined ? textEvent(ev.json, ev, loc) : { _index: ev._index, _id: ev._id, _source: ev._source, loc });
              if (batch.length >= batchSize) {
                yield batch;
                batch = [];
              }
            }
            t.worker?.postMessage({ type: "ack" } satisfies ToWorker);
          } else if (m.type === "bad") {
            stats.bad++;
            opts.onBadLine({ ...m.bad, loc: relocate(m.bad.loc) }, m.raw);
          } else if (m.type === "done") {
            const s: RangeStats = m.stats;
            stats.lines += s.lines - t.shift;
            stats.bytes += s.bytes - t.shift;
            stats.prefiltered += s.prefiltered;
            stats.events += s.events;
            lineBase += s.lines - t.shift;
            break;
          } else if (m.type === "error") {
            const msg = m.message.split(STDIN_NAME).join(file);
            throw new DiagnosticError([diagnostic("SRC003", msg.startsWith("cannot read ") ? msg : `cannot read ${file}: ${msg}`, fileSpan(file))]);
          } else {
            const never: never = m;
            throw new Error(`unknown worker message ${String(never)}`);
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      for (const t of tasks) t.finished = true;
      for (const w of new Set(tasks.map((t) => t.worker))) if (w !== undefined) void w.terminate();
    }
  }

  return { stats, batches };
}
