// The contracts the engine core sees (STYLE §2.1 engine/ports.ts): a rule ready to run, an alert sink and
// the state store. Concrete parts (KQL compiler, NDJSON source, SQLite store, NDJSON sink) are wired by the CLI.

import type { EventDoc } from "../event/types.js";
import type { RuleFieldsCut } from "../state/rule-fields.js";
import type { Rule } from "../rules/model.js";
import type { CompiledEql } from "../compile/eql/statement.js";
import type { DispatchKey } from "../compile/dispatch/dispatch.js";

/** A rule compiled for the engine: its query as a predicate over the event source document. */
export interface EngineRule {
  readonly rule: Rule;
  /** Kibana's rule saved-object id used in alert ids (`kibana.alert.rule.uuid`). */
  readonly ruleUuid: string;
  /** query ∧ filters ∧ ¬exceptions over `_source` (new_terms.md §0.2: history uses the same predicate). */
  readonly matches: (doc: EventDoc) => boolean;
  /** EQL rules: the compiled statement, when the caller compiled it already (`matches` is then its `relevant`). */
  readonly eql?: CompiledEql;
  /**
   * `matches` holds only for events whose `field` has one of `values` (lower-cased): the engine does not
   * ask it about other events (compile/dispatch).
   */
  readonly dispatch?: DispatchKey;
  /**
   * How many results (events, sequences, new terms) one execution may return; default max_signals. Alert
   * suppression raises it (Kibana lets a suppressed rule find 5 × max_signals, then creates max_signals).
   */
  readonly resultCap?: number;
}

/** The results one execution of the rule may return. */
export function resultCap(er: EngineRule): number {
  return er.resultCap ?? er.rule.max_signals;
}

/**
 * An alert as a sink receives it. `json`, when the engine made it, is `JSON.stringify(doc)` byte for byte
 * (the engine serialises each alert once for the alerts table and the sink); `cut`, for some, that text
 * without its rule's fields as its builder made it (state/rule-fields.ts), so that a sink writing bytes
 * copies the rule's encoded fields instead of encoding them again for every alert. A sink that writes text
 * reads `doc` only when there is no `json`: an alert built ahead parses it only then (engine/ahead.ts).
 */
export interface SinkAlert {
  readonly doc: EventDoc;
  readonly json?: string;
  readonly cut?: RuleFieldsCut;
}

/**
 * Where alerts go. `write` resolves once the alerts are durable (flushed/fsynced): state commits after it.
 */
export interface AlertSink {
  write(alerts: readonly SinkAlert[]): Promise<void>;
  /**
   * Called inside the transaction that records the alerts of the last `write` as delivered: a sink that
   * can take back what it wrote (an --output file) records there how far its output is durable.
   */
  commit?(): void;
  close(): Promise<void>;
}

/**
 * What the state remembers of an --output file (sinks/ndjson.ts `fileSink`): which file it is, how many
 * of its bytes hold alerts recorded as delivered, and the end of a write in flight.
 */
export interface OutputRecord {
  /** `<st_dev>:<st_ino>` of the file. */
  readonly identity: string;
  /** Bytes durably written whose alerts the state records (a rerun cuts the file back to this). */
  readonly length: number;
  /** sha256 (hex) of the last up to 4,096 bytes before `length`: the file's content was not replaced. */
  readonly tail: string;
  /** The end offset of a write begun but not yet recorded, or null. */
  readonly pending: number | null;
}

/** Where an --output file's record is kept (SqliteStore). `setOutput` joins the caller's transaction. */
export interface OutputLedger {
  getOutput(path: string): OutputRecord | undefined;
  setOutput(path: string, record: OutputRecord): void;
  transaction<T>(fn: () => T): T;
}
