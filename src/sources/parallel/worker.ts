// Worker thread of the parallel NDJSON source (issue 6, worker threads): reads its newline-aligned byte
// ranges, one after the other, through the single-thread NDJSON line processor (same bad lines, same
// prefilter), keeps only the events some rule's query matches (after ECS normalisation, routed by index
// exactly like the engine) and posts them back in order with bad lines and each range's counters. See
// source.ts.

import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import { parentPort, workerData } from "node:worker_threads";
import type { BadLine, EventDoc, InputEvent } from "../../event/types.js";
import { ndjsonLineSplitter, openNdjsonSource } from "../ndjson/source.js";
import { emptyStats, type SourceStats } from "../types.js";
import { kqlRoutedPrefilter, routedSetKey, type KqlPrefilter } from "../../compile/prefilter/index.js";
import type { ChunkGate } from "../../compile/prefilter/gate.js";
import { compileKql } from "../../compile/predicate/index.js";
import { compileEqlQuery, type CompiledEql } from "../../compile/eql/statement.js";
import { dispatchTable, eqlDispatchKey, kqlDispatchKey } from "../../compile/dispatch/dispatch.js";
import { parseKql, type KqlNode } from "../../lang/kql/index.js";
import { eqlPrefilter } from "../../compile/prefilter/eql.js";
import { indexRouter } from "../../engine/run.js";
import { NORMALIZED_PRODUCERS_KQL, normalizeEcsEvent } from "../ecs-normalize/index.js";
import type { FromWorker, PostedEvent, RangeJob, ToWorker, WorkerJobs } from "./protocol.js";

const port = parentPort;
if (port === null) throw new Error("sources/parallel/worker.js must run in a worker thread");
const { config, jobs } = workerData as WorkerJobs;

/**
 * Batches posted and not yet acknowledged that make the worker wait: at most 1,024 events wait in the
 * main thread while the range before this worker's is still being read by another worker. (10 M events,
 * seed rule, stream, 2 workers: 4,096 → 286 MB peak RSS, 1,024 → 262 MB at the same speed; 512 → 257 MB
 * but 20 % slower.)
 */
const MAX_UNACKED = 4;
/** Matched events per message (events no rule matches are dropped as they are parsed). */
const WORKER_BATCH = 256;
let unacked = 0;
let wake: (() => void) | undefined;
port.on("message", (m: ToWorker) => {
  if (m.type === "ack") {
    unacked--;
    const w = wake;
    wake = undefined;
    w?.();
  }
});

function post(m: FromWorker): void {
  port?.postMessage(m);
}

/** Read size of the sync range reader (the buffer is reused: the line splitter keeps no view into it). */
const CHUNK = 1024 * 1024;

/** A range's bytes as a stream (gzip files: read whole by one worker, through openNdjsonSource). */
async function* rangeBytes(job: RangeJob): AsyncGenerator<Buffer> {
  if (job.range.end <= job.range.start) return;
  const stream = createReadStream(job.path, { start: job.range.start, end: job.range.end - 1, highWaterMark: CHUNK });
  for await (const chunk of stream) yield chunk as Buffer;
}

const route = indexRouter(config.indexes, config.routing);
const always = config.normalize ? [{ ast: NORMALIZED_PRODUCERS_KQL }] : [];

/**
 * Rule `i`'s query, parsed (an EQL one compiled) at its first use, once for its prefilter, predicate and
 * dispatch key. A worker's events reach the rules their index selects — the bench's index, 48 of the 485
 * Linux rules — and the others only through Elasticsearch hits naming another index: compiling every rule
 * up front took each worker 0.5 s and 15-20 MB of heap.
 */
type RuleQuery = { readonly eql: CompiledEql; readonly category: string | undefined } | { readonly kql: KqlNode };
const parsed: (RuleQuery | undefined)[] = new Array<RuleQuery | undefined>(config.queries.length);
const parsedAt = (i: number): RuleQuery =>
  (parsed[i] ??=
    config.languages[i] === "eql" ? { eql: compileEqlQuery(config.queries[i], config.categoryFields[i]), category: config.categoryFields[i] } : { kql: parseKql(config.queries[i]) });
// EQL rules are prefiltered by a KQL query every event they can use matches
const prefilterFor = kqlRoutedPrefilter(
  {
    count: config.queries.length,
    at: (i) => {
      const p = parsedAt(i);
      return "eql" in p ? eqlPrefilter(p.eql.statement, p.category) : { ast: p.kql };
    },
  },
  always,
  route,
);
const preds: (((doc: EventDoc) => boolean) | undefined)[] = new Array<((doc: EventDoc) => boolean) | undefined>(config.queries.length);
const predAt = (i: number): ((doc: EventDoc) => boolean) => {
  const p = parsedAt(i);
  return (preds[i] ??= "eql" in p ? p.eql.relevant : compileKql(p.kql));
};

/**
 * The rules an event of an index may match, by its event.category (or other dispatch field), in rule
 * positions: a dispatch table over the rules the index reaches (see dispatch.ts), built per routed set.
 */
const tables = new Map<string, (doc: EventDoc) => readonly number[]>();
function candidatesFor(mask: readonly boolean[]): (doc: EventDoc) => readonly number[] {
  const key = routedSetKey(mask);
  let t = tables.get(key);
  if (t !== undefined) return t;
  const routed = mask.flatMap((m, i) => (m ? [i] : []));
  const table = dispatchTable(
    routed.map((i) => {
      const p = parsedAt(i);
      return "eql" in p ? eqlDispatchKey(p.eql.statement, p.category) : kqlDispatchKey(p.kql);
    }),
  );
  // the table returns the same array for the same combination: each is mapped to rule positions once
  const positions = new Map<readonly number[], readonly number[]>();
  t = (doc) => {
    const local = table(doc);
    let out = positions.get(local);
    if (out === undefined) positions.set(local, (out = local.map((j) => routed[j])));
    return out;
  };
  tables.set(key, t);
  return t;
}

const send = async (batch: InputEvent[]): Promise<void> => {
  if (batch.length === 0) return;
  const events: PostedEvent[] = batch.map((ev) =>
    // (the rules the line's bytes allow go along: the engine on the main thread evaluates only those)
    // (an id derived from the text is not hashed here: the main thread does it if an alert needs it)
    ev.json === undefined
      ? { _index: ev._index, _id: ev._id, loc: ev.loc, _source: ev._source }
      : ev.idOfJson === true
        ? { _index: ev._index, loc: ev.loc, json: ev.json, rules: ev.rules, idOfJson: true }
        : { _index: ev._index, _id: ev._id, loc: ev.loc, json: ev.json, rules: ev.rules },
  );
  post({ type: "events", events });
  unacked++;
  while (unacked >= MAX_UNACKED) await new Promise<void>((r) => (wake = r));
};
const onBadLine = (bad: BadLine, raw: Uint8Array): void => post({ type: "bad", bad, raw: Uint8Array.from(raw) });

/** The gate last chosen for each (file, index): see sharedGate. */
const chosenGates = new Map<string, ChunkGate | undefined>();

/**
 * The prefilter with its chunk gate shared by the ranges of one file: a range's first choice takes the one
 * the file's previous range made; later choices (the line processor chooses again when a gate stops
 * paying) are made afresh. Choosing reads a whole chunk (its byte frequencies, every needle's hits): with
 * ranges of a few MB it was most of a worker's time (seed rule, 1 M events, 1 MB ranges: 8.5 s, 2.7 s
 * with 256 MB ones).
 */
function sharedGate(pf: KqlPrefilter | undefined, key: string): KqlPrefilter | undefined {
  const gateFor = pf?.gateFor;
  if (pf === undefined || gateFor === undefined) return pf;
  let first = true;
  const choose = (sample: Buffer): ChunkGate | undefined => {
    if (first && chosenGates.has(key)) {
      first = false;
      return chosenGates.get(key);
    }
    first = false;
    const gate = gateFor(sample);
    chosenGates.set(key, gate);
    return gate;
  };
  return Object.assign((line: string | Uint8Array) => pf(line), { gateFor: choose, rules: pf.rules, req: pf.req });
}

async function runJob(job: RangeJob): Promise<void> {
  const prefilter = sharedGate(prefilterFor(job.file, job.index), `${job.file}\u0000${job.index}`);
  const byIndex = new Map<string, (doc: EventDoc) => readonly number[]>();
  // Only events some rule matches leave the line splitter (the others never get an _id).
  const keep = (index: string, source: EventDoc, met: Uint8Array | undefined): boolean => {
    let candidates = byIndex.get(index);
    if (candidates === undefined) {
      candidates = candidatesFor(route(job.file, index));
      byIndex.set(index, candidates);
    }
    const doc: EventDoc = config.normalize ? normalizeEcsEvent(source) : source;
    // a rule whose requirements the line's bytes do not meet cannot match it (the prefilter's sieve)
    const bytes = doc === source ? met : undefined; // (a normalised document is not the line's)
    for (const i of candidates(doc)) if ((bytes === undefined || bytes[i] === 1) && predAt(i)(doc)) return true;
    return false;
  };
  const opts = { index: job.index, maxLineBytes: config.maxLineBytes, prefilter, onBadLine, keep };
  let s: SourceStats;
  if (job.gzip) {
    const src = openNdjsonSource(["-"], { ...opts, stdin: Readable.from(rangeBytes(job), { objectMode: false }), batchSize: WORKER_BATCH });
    for await (const batch of src.batches()) await send(batch);
    s = src.stats;
  } else {
    // A worker may block: plain ranges are read with readSync into one buffer, no stream machinery.
    s = emptyStats();
    let pending: InputEvent[] = [];
    const lines = ndjsonLineSplitter(job.file, opts, s, (ev) => pending.push(ev));
    const drain = async (all: boolean): Promise<void> => {
      while (pending.length >= WORKER_BATCH || (all && pending.length > 0)) {
        const batch = pending.length <= WORKER_BATCH ? pending : pending.slice(0, WORKER_BATCH);
        pending = pending.length <= WORKER_BATCH ? [] : pending.slice(WORKER_BATCH);
        await send(batch);
      }
    };
    // a range that does not start the file gets a leading "\n" (see source.ts: shift)
    if (job.range.start > 0) lines.push(Buffer.from("\n"));
    const fd = openSync(job.path, "r");
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let pos = job.range.start; pos < job.range.end; ) {
        const want = Math.min(CHUNK, job.range.end - pos);
        // into the chunk gate's memory when it has one: its search then reads the chunk without a copy
        const into = lines.readBuffer(want) ?? buf;
        const n = readSync(fd, into, 0, want, pos);
        if (n === 0) break;
        lines.push(into.subarray(0, n));
        pos += n;
        await drain(false);
      }
    } finally {
      closeSync(fd);
    }
    lines.end();
    await drain(true);
  }
  post({ type: "done", stats: { lines: s.lines, bytes: s.bytes, bad: s.bad, prefiltered: s.prefiltered, events: s.events } });
}

async function main(): Promise<void> {
  for (const job of jobs) await runJob(job);
}

main().then(
  () => port.close(),
  (err: unknown) => {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
    port.close();
  },
);
