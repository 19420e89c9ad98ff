// Helpers for the real-log tests (test/realdata): run a Linux source over files with a fixed clock and
// hostname, collecting documents and bad lines; compile the seed rule's KQL query into a predicate.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import type { BadLine, EventDoc, InputEvent } from "../../src/event/types.js";
import type { EventSource, SourceOptions } from "../../src/sources/types.js";
import { compileKql, evaluateKql } from "../../src/compile/predicate/index.js";
import { SEED_DIR } from "../../src/testing/paths.js";

export const FIXED_NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

export interface Collected {
  events: InputEvent[];
  docs: EventDoc[];
  bad: BadLine[];
  source: EventSource;
}

export async function collect(open: (opts: SourceOptions) => EventSource): Promise<Collected> {
  const bad: BadLine[] = [];
  const source = open({ onBadLine: (b) => bad.push(b) });
  const events: InputEvent[] = [];
  for await (const batch of source.batches()) events.push(...batch);
  return { events, docs: events.map((e) => e._source), bad, source };
}

/** The seed rule's query text (2023 version, docs/sources.md §0). */
export function seedQuery(): string {
  const doc = parseToml(readFileSync(join(SEED_DIR, "shared_object_new_terms.toml"), "utf8")) as { rule: { query: string } };
  return doc.rule.query;
}

/** compileKql of the seed query, checked against the reference interpreter on every event it sees. */
export function seedPredicate(): (e: EventDoc) => boolean {
  const q = seedQuery();
  const compiled = compileKql(q);
  return (e) => {
    const got = compiled(e);
    if (got !== evaluateKql(q, e)) throw new Error(`compileKql and evaluateKql disagree on ${JSON.stringify(e)}`);
    return got;
  };
}

/** A nested field's value (the sources write nested objects). */
export function field(doc: EventDoc, path: string): unknown {
  let node: unknown = doc;
  for (const p of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}
