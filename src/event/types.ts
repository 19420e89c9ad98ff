// Event shapes shared by sources, the engine and sinks. An event is a plain JSON object (ECS), dotted
// keys and nested objects both allowed ("a.b": 1 and {a:{b:1}} are the same field).

export type EventDoc = Record<string, unknown>;

/** Where a line came from, for error reports and deterministic ids. */
export interface LineLocation {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** Byte offset of the line's first byte in the (decompressed) input. */
  readonly byteOffset: number;
}

/** An event as the engine sees it: Elasticsearch-hit shaped. */
export interface InputEvent {
  readonly _index: string;
  readonly _id: string;
  readonly _source: EventDoc;
  readonly loc: LineLocation;
  /**
   * `_source` as the JSON text it was read from, when the source has it (plain NDJSON lines): replay spills
   * it as is instead of serialising `_source` again, and worker threads send it instead of the object.
   * Whatever replaces `_source` must drop it.
   */
  readonly json?: string;
  /**
   * `_id` is `eventId(_index, the UTF-8 bytes of json)` (a plain line's content-derived id): whoever keeps
   * `json` can compute it when an alert needs it instead of hashing every kept event (replay's spill, the
   * worker threads). Only with `json`.
   */
  readonly idOfJson?: true;
  /**
   * The run's rules (by position) whose requirements the line's bytes meet, when its prefilter knows them
   * (compile/prefilter sieveOf): the others cannot match the event, and the engine does not evaluate them.
   * undefined: every rule may match. Whatever replaces `_source` must drop it.
   */
  readonly rules?: Uint8Array;
}

export type BadLineReason = "invalid-json" | "not-an-object" | "invalid-utf8" | "too-long" | "malformed-record" | "late-record" | "too-deep";

/** A line that could not be turned into an event; counted, reported, never fatal unless --strict. */
export interface BadLine {
  readonly loc: LineLocation;
  readonly reason: BadLineReason;
  readonly message: string;
}
