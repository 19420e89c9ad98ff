// One EQL search over a set of events, as Elasticsearch's `_eql/search` answers it (docs/eql.md §7–§10):
// event queries in ordinal order, sequences in the order they complete (by their last event), samples by
// key tuple; `| head N`, `| tail N` and `size`. Replay runs one search per rule execution over the events
// of its window; the conformance command runs Elasticsearch's own QA cases through it.

import type { EventDoc } from "../../event/types.js";
import { assertNever } from "../../lang/eql/ast.js";
import { NO_KEYS, type CompiledEql, type JoinKeyValue, type KeyTuple } from "../../compile/eql/statement.js";
import { compareKeyword, ecsEqlMapping, valueReader, type EqlMapping, type IndexedValue } from "../../compile/eql/mapping.js";
import { SequenceMatcher, checkMissing, compareOrdinal, type MissingIndex, type Ordinal, type PartialSequence } from "./sequence.js";

export interface EqlSearchEvent<T> {
  readonly doc: EventDoc;
  readonly ref: T;
}

export interface EqlSearchOptions {
  readonly mapping?: EqlMapping;
  /** Orders events (sequences: and maxspan); default `@timestamp`. */
  readonly timestampField?: string;
  readonly tiebreakerField?: string;
  /** Most results (events, sequences or samples); default 10 as Elasticsearch. */
  readonly size?: number;
  readonly maxSamplesPerKey?: number;
}

export interface EqlSequenceHit<T> {
  /** The events in stage order; null where a missing-event stage `![…]` stands. */
  readonly events: readonly (T | null)[];
  readonly joinKeys: readonly JoinKeyValue[];
}

export type EqlSearchResult<T> = { readonly kind: "events"; readonly events: readonly T[] } | { readonly kind: "sequences"; readonly sequences: readonly EqlSequenceHit<T>[] };

export const DEFAULT_SIZE = 10;

/** Most event combinations tried per key tuple when looking for samples of distinct events. */
export const MAX_SAMPLE_COMBINATIONS = 100_000;

/** `| head N`, `| tail N` in order, then `size` (from the end when the last pipe is tail). */
export function applyPipes<X>(items: readonly X[], pipes: CompiledEql["pipes"], size: number): X[] {
  let list = items.slice();
  for (const p of pipes) list = p.kind === "head" ? list.slice(0, p.count) : p.count === 0 ? [] : list.slice(-p.count);
  if (list.length <= size) return list;
  const tail = pipes.length > 0 && pipes[pipes.length - 1].kind === "tail";
  return tail ? (size === 0 ? [] : list.slice(-size)) : list.slice(0, size);
}

/** Reads an event's ordinal fields: its timestamp (ms; undefined = cannot be ordered) and tiebreaker. */
export function ordinalReader(opts: Pick<EqlSearchOptions, "mapping" | "timestampField" | "tiebreakerField">): (doc: EventDoc, seq: number) => Ordinal | undefined {
  const mapping = opts.mapping ?? ecsEqlMapping;
  const tsField = opts.timestampField ?? "@timestamp";
  const tsMap = mapping(tsField) ?? { type: "date" as const, path: tsField };
  const readTs = valueReader(tsMap.type === "date" ? tsMap : { ...tsMap, type: "date" });
  const tbMap = opts.tiebreakerField === undefined ? undefined : (mapping(opts.tiebreakerField) ?? { type: "dynamic" as const, path: opts.tiebreakerField });
  const readTb = tbMap === undefined ? undefined : valueReader(tbMap);
  return (doc, seq) => {
    const ts = readTs(doc)[0];
    if (typeof ts !== "number") return undefined;
    if (readTb === undefined) return { ts, seq };
    const tb = readTb(doc)[0];
    return { ts, tb: tb ?? null, seq };
  };
}

/**
 * What the matcher needs of one event, computed once: its ordinal, and for every stage (expanded, missing
 * stages included) its key tuples when it matches that stage; the key ids of the until clause it matches.
 */
export interface EqlFacts<T> {
  readonly ref: T;
  readonly ord: Ordinal;
  readonly stageKeys: readonly (readonly KeyTuple[] | undefined)[];
  readonly untilKeys?: ReadonlySet<string>;
}

/** The facts of an event, or undefined when no stage nor the until clause matches it. */
export function factsOf<T>(compiled: CompiledEql, doc: EventDoc, ref: T, ord: Ordinal): EqlFacts<T> | undefined {
  let any = false;
  const stageKeys = compiled.stages.map((s) => {
    if (!s.matches(doc)) return undefined;
    const keys = s.keys(doc);
    if (keys.length === 0) return undefined;
    any = true;
    return keys;
  });
  let untilKeys: Set<string> | undefined;
  if (compiled.until !== undefined && compiled.until.matches(doc)) {
    untilKeys = new Set(compiled.until.keys(doc).map((k) => k.id));
    any = true;
  }
  return any ? { ref, ord, stageKeys, untilKeys } : undefined;
}

/**
 * The join keys of facts as compact text, for a replay that keeps them on disk: `[[stage…], until]`, a
 * stage being `0` (it did not match) or the list of its key tuples' values, `until` `0` or its key ids.
 * Key ids are the JSON text of their values, so they are written as they are and rebuilt on reading.
 */
export function encodeFactKeys(f: EqlFacts<unknown>): string {
  const stages = f.stageKeys.map((k) => (k === undefined ? "0" : `[${k.map((t) => t.id).join(",")}]`)).join(",");
  return `[[${stages}],${f.untilKeys === undefined ? "0" : JSON.stringify([...f.untilKeys])}]`;
}

/** The facts whose keys `encodeFactKeys` wrote, with a new ref and ordinal. */
export function decodeFactKeys<T>(text: string, ref: T, ord: Ordinal): EqlFacts<T> {
  const [stages, until] = JSON.parse(text) as [(0 | JoinKeyValue[][])[], 0 | string[]];
  const stageKeys = stages.map((k) => (k === 0 ? undefined : k.map((values): KeyTuple => (values.length === 0 ? NO_KEYS : { id: JSON.stringify(values), values }))));
  return until === 0 ? { ref, ord, stageKeys } : { ref, ord, stageKeys, untilKeys: new Set(until) };
}

/** Runs a compiled statement over events given in input (document) order. */
export function eqlSearch<T>(compiled: CompiledEql, events: Iterable<EqlSearchEvent<T>>, opts: EqlSearchOptions = {}): EqlSearchResult<T> {
  const readOrd = ordinalReader(opts);
  const facts: EqlFacts<T>[] = [];
  let seq = 0;
  for (const e of events) {
    const s = seq++;
    // samples need no timestamp; the others skip events that cannot be ordered
    const ord = readOrd(e.doc, s) ?? (compiled.kind === "sample" ? { ts: 0, seq: s } : undefined);
    if (ord === undefined) continue;
    const f = factsOf(compiled, e.doc, e.ref, ord);
    if (f !== undefined) facts.push(f);
  }
  if (compiled.kind !== "sample") facts.sort((a, b) => compareOrdinal(a.ord, b.ord));
  return searchFacts(compiled, facts, opts.size ?? DEFAULT_SIZE, opts.maxSamplesPerKey ?? 1);
}

/**
 * The search over precomputed facts: in ordinal order for event queries and sequences, in document order
 * for samples. `size` caps the results (events, sequences or samples) after the pipes.
 */
export function searchFacts<T>(compiled: CompiledEql, facts: readonly EqlFacts<T>[], size: number, maxSamplesPerKey = 1): EqlSearchResult<T> {
  switch (compiled.kind) {
    case "event":
      return { kind: "events", events: applyPipes(facts.filter((f) => f.stageKeys[0] !== undefined).map((f) => f.ref), compiled.pipes, size) };
    case "sequence":
      return { kind: "sequences", sequences: applyPipes(sequenceOfFacts(compiled, facts), compiled.pipes, size) };
    case "sample":
      return { kind: "sequences", sequences: applyPipes(sampleOfFacts(compiled, facts, maxSamplesPerKey), compiled.pipes, size) };
    default:
      return assertNever(compiled.kind);
  }
}

/** Runs the sequence matcher over facts in ordinal order and applies the missing-event stages. */
function sequenceOfFacts<T>(compiled: CompiledEql, facts: readonly EqlFacts<T>[]): EqlSequenceHit<T>[] {
  const matcher = new SequenceMatcher<T>(compiled);
  const stages = compiled.stages;
  const positive = matcher.positive;
  const missingLists = stages.map((s) => (s.missing ? new Map<string, number[]>() : undefined));
  for (const f of facts) {
    stages.forEach((_, i) => {
      const idx = missingLists[i];
      const keys = f.stageKeys[i];
      if (idx === undefined || keys === undefined) return;
      for (const k of keys) {
        const l = idx.get(k.id);
        if (l === undefined) idx.set(k.id, [f.ord.ts]);
        else l.push(f.ord.ts);
      }
    });
    matcher.push(
      { ord: f.ord, ref: f.ref },
      positive.map((i) => f.stageKeys[i]),
      f.untilKeys,
    );
  }
  const hasMissing = stages.some((s) => s.missing);
  const done: PartialSequence<T>[] = hasMissing
    ? matcher.completed.filter((c) => checkMissing(stages, c, missingLists as (MissingIndex | undefined)[], compiled.maxspanMs ?? Infinity))
    : matcher.completed;
  return done.map((c) => toHit(stages, c));
}

/** The result events in stage order, with null placeholders for missing stages. */
export function toHit<T>(stages: readonly { missing: boolean }[], c: PartialSequence<T>): EqlSequenceHit<T> {
  const events: (T | null)[] = [];
  let p = 0;
  for (const s of stages) events.push(s.missing ? null : c.events[p++].ref);
  return { events, joinKeys: c.keys };
}

/** Key tuple order for samples: per position null first, then numbers, booleans and strings by value. */
function compareKeyValues(a: readonly JoinKeyValue[], b: readonly JoinKeyValue[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "boolean" && typeof y === "boolean") return Number(x) - Number(y);
    if (typeof x !== typeof y) return typeof x < typeof y ? -1 : 1;
    const c = compareKeyword(String(x), String(y));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Samples (docs/eql.md §9): events grouped by key tuple regardless of time; a sample is one event per
 * filter, in filter order, all with the same key and no event twice; up to `maxSamplesPerKey` per key tuple (combinations
 * taken with the first filter varying slowest), key tuples ascending.
 */
function sampleOfFacts<T>(compiled: CompiledEql, facts: readonly EqlFacts<T>[], maxPerKey: number): EqlSequenceHit<T>[] {
  const n = compiled.stages.length;
  const buckets = new Map<string, { values: readonly JoinKeyValue[]; per: T[][] }>();
  for (const f of facts) {
    f.stageKeys.forEach((keys, i) => {
      if (keys === undefined) return;
      for (const k of keys) {
        let b = buckets.get(k.id);
        if (b === undefined) buckets.set(k.id, (b = { values: k.values, per: Array.from({ length: n }, () => []) }));
        b.per[i].push(f.ref);
      }
    });
  }
  const out: EqlSequenceHit<T>[] = [];
  const sorted = [...buckets.values()].sort((a, b) => compareKeyValues(a.values, b.values));
  for (const b of sorted) {
    if (b.per.some((l) => l.length === 0)) continue;
    const idx = new Array<number>(n).fill(0);
    let made = 0;
    // a sample holds distinct events: one event matching two filters fills only one of them
    for (let tried = 0; made < maxPerKey && tried < MAX_SAMPLE_COMBINATIONS; tried++) {
      const events = b.per.map((l, i) => l[idx[i]]);
      if (new Set(events).size === n) {
        out.push({ events, joinKeys: b.values });
        made++;
      }
      let j = n - 1;
      while (j >= 0) {
        idx[j]++;
        if (idx[j] < b.per[j].length) break;
        idx[j] = 0;
        j--;
      }
      if (j < 0) break;
    }
  }
  return out;
}

export type { IndexedValue };
