// The contract every event source implements (NDJSON files, auditd logs, Sysmon for Linux, …): batches of
// Elasticsearch-hit shaped events, bad lines reported through a callback (never thrown), and counters.

import type { SqliteStore } from "../state/sqlite.js";
import type { BadLine, InputEvent } from "../event/types.js";

export interface SourceStats {
  /** Input files (or streams) opened. */
  files: number;
  /** Lines read (including bad and prefiltered ones). */
  lines: number;
  /** Bytes read (decompressed). */
  bytes: number;
  /** Lines that could not be turned into events. */
  bad: number;
  /** Lines dropped before JSON parsing because no rule can match them (KQL prefilter). */
  prefiltered: number;
  /** Events produced. */
  events: number;
  /**
   * --follow: truncations (copytruncate) after which no copy held the part of the file not yet read, and
   * the bytes of it known lost (seen in the file's size; more may have been written). Absent when none.
   */
  truncationsLost?: number;
  truncationBytesLost?: number;
}

export function emptyStats(): SourceStats {
  return { files: 0, lines: 0, bytes: 0, bad: 0, prefiltered: 0, events: 0 };
}

export interface SourceOptions {
  /** Called for every bad line, with the raw bytes for a --rejects file. Throwing from here stops the run (--strict). */
  readonly onBadLine: (bad: BadLine, raw: Uint8Array) => void;
  /** Lines longer than this are bad ("too-long"); default 16 MiB. */
  readonly maxLineBytes?: number;
  /** `_index` for events that do not carry one (default: the source's name, e.g. the file's base name). */
  readonly index?: string;
}

/** A read position a source resumes from (stored in the state DB's checkpoints table by the engine). */
export interface SourcePosition {
  readonly inode: number | null;
  readonly offset: number;
  readonly line: number;
  readonly extra?: string | null;
}

export interface EventSource {
  readonly stats: SourceStats;
  /** Events in input order, in batches; ends at end of input (or, when following, when stopped). */
  batches(): AsyncIterable<InputEvent[]>;
  /**
   * Sources that resume themselves (--follow): the positions covering every event of the batches yielded
   * so far, by source key. The engine commits them in the same transaction as those batches' alerts and
   * terms, and then does not apply its own line-number resume.
   */
  positions?(): readonly { readonly key: string; readonly position: SourcePosition }[];
  /**
   * State a self-resuming source keeps in the SQLite memory (the follower's process table): the engine
   * calls it in the same transaction as `positions()`, so what it stores matches the events committed.
   */
  persist?(store: SqliteStore): void;
}
