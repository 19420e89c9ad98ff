// Messages between the parallel NDJSON source (source.ts) and its worker threads (worker.ts), issue 6.
// Locations in posted events and bad lines are relative to the range's stream (see source.ts: shift). A
// worker's messages are those of its ranges in order, each range's ending with "done" (or "error").

import type { BadLine, InputEvent } from "../../event/types.js";

/** What every range of a worker shares: the rules and how events reach them. */
export interface WorkerConfig {
  readonly maxLineBytes?: number;
  /** Query text of every rule, in rule order. */
  readonly queries: readonly string[];
  /** The language of each query: KQL or EQL. */
  readonly languages: readonly ("kuery" | "eql")[];
  /** EQL rules: the field `category where` tests (event_category_override), else undefined. */
  readonly categoryFields: readonly (string | undefined)[];
  /** Index patterns of every rule, in rule order (undefined = all indices). */
  readonly indexes: readonly (readonly string[] | undefined)[];
  readonly routing: { readonly indexFilter?: boolean; readonly indexIsExplicit?: boolean };
  /** ECS normalisation before the predicates (and the prefilter widened for normalised producers). */
  readonly normalize: boolean;
}

/** One newline-aligned byte range of one file. */
export interface RangeJob {
  /** The path read. */
  readonly path: string;
  /** The name used in locations and index routing (the input as given). */
  readonly file: string;
  /** `_index` of the file's plain lines (--index or the file's base name). */
  readonly index: string;
  readonly range: { readonly start: number; readonly end: number };
  /** A gzip file (read whole by one worker, as a stream). */
  readonly gzip: boolean;
}

/** A worker's `workerData`: its ranges, processed in this order (each ends with a "done" message). */
export interface WorkerJobs {
  readonly config: WorkerConfig;
  readonly jobs: readonly RangeJob[];
}

export interface RangeStats {
  readonly lines: number;
  readonly bytes: number;
  readonly bad: number;
  readonly prefiltered: number;
  readonly events: number;
}

/**
 * A matched event as posted: with its `_source` as JSON text when the line gave one (a string crosses
 * threads at about half the cost of the object's structured clone), else the object (hits).
 */
/** An event sent to the main thread: its JSON text (without `_id` when that is derived from the text) or its object. */
export type PostedEvent = Omit<InputEvent, "_source" | "json" | "_id"> &
  ({ readonly json: string; readonly _source?: undefined; readonly _id?: string } | { readonly _source: InputEvent["_source"]; readonly json?: undefined; readonly _id: string });

export type FromWorker =
  | { readonly type: "events"; readonly events: PostedEvent[] }
  | { readonly type: "bad"; readonly bad: BadLine; readonly raw: Uint8Array }
  | { readonly type: "done"; readonly stats: RangeStats }
  | { readonly type: "error"; readonly message: string };

export type ToWorker = { readonly type: "ack" };
