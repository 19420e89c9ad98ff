// The contracts the engine core sees (STYLE §2.1 engine/ports.ts): a rule ready to run, an alert sink and
// the state store. Concrete parts (KQL compiler, NDJSON source, SQLite store, NDJSON sink) are wired by the CLI.

import type { EventDoc } from "../event/types.js";
import type { Rule } from "../rules/model.js";
import type { CompiledEql } from "../compile/eql/statement.js";

/** A rule compiled for the engine: its query as a predicate over the event source document. */
export interface EngineRule {
  readonly rule: Rule;
  /** Kibana's rule saved-object id used in alert ids (`kibana.alert.rule.uuid`). */
  readonly ruleUuid: string;
  /** query ∧ filters ∧ ¬exceptions over `_source` (new_terms.md §0.2: history uses the same predicate). */
  readonly matches: (doc: EventDoc) => boolean;
  /** EQL rules: the compiled statement, when the caller compiled it already (`matches` is then its `relevant`). */
  readonly eql?: CompiledEql;
}

/**
 * Where alerts go. `write` resolves once the alerts are durable (flushed/fsynced): state commits after it.
 * `json[i]`, when given, is `JSON.stringify(alerts[i])`: the engine serialises each alert once for the
 * alerts table and the sink.
 */
export interface AlertSink {
  write(alerts: readonly EventDoc[], json?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
