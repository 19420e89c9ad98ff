// Test helpers for the engine: a Rule with Kibana's defaults and overrides, an in-memory event source,
// and ES-hit construction, so tests state only what a scenario is about.

import type { EventDoc, InputEvent } from "../event/types.js";
import type { Rule } from "../rules/model.js";
import { emptyStats, type EventSource } from "../sources/types.js";

export function makeRule(over: Partial<Rule> & Pick<Rule, "rule_id">): Rule {
  return {
    origin: { path: `${over.rule_id}.toml`, format: "toml" },
    metadata: {},
    name: `Rule ${over.rule_id}`,
    description: "test rule",
    type: "new_terms",
    language: "kuery",
    query: "*",
    from: "now-6m",
    to: "now",
    interval: "5m",
    max_signals: 100,
    risk_score: 21,
    risk_score_mapping: [],
    severity: "low",
    severity_mapping: [],
    threat: [],
    tags: [],
    author: ["tern"],
    references: [],
    false_positives: [],
    other: {},
    extra_tables: {},
    ...over,
  };
}

export function hit(_index: string, _id: string, _source: EventDoc, line = 1): InputEvent {
  return { _index, _id, _source, loc: { file: "mem.ndjson", line, byteOffset: 0 } };
}

/** An EventSource over a fixed list of events, in batches of `batchSize`; `pauseMs` before each, as when worker threads deliver them (the engine builds ahead then). */
export function arraySource(events: readonly InputEvent[], batchSize = 1000, pauseMs = 0): EventSource {
  const stats = emptyStats();
  return {
    stats,
    async *batches() {
      for (let i = 0; i < events.length; i += batchSize) {
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
        const b = events.slice(i, i + batchSize);
        stats.lines += b.length;
        stats.events += b.length;
        yield b;
        await Promise.resolve();
      }
    },
  };
}
