// A whole EQL statement compiled for execution (docs/eql.md §7–§9): one predicate per stage (`runs=N`
// expanded into N stages), each stage's join-key extractor, the `until` stage, maxspan and pipes. The
// matching itself (ordering, sequences, samples) lives in src/engine/eql.

import type { EventDoc } from "../../event/types.js";
import { assertNever, type EqlEventFilter, type EqlField, type EqlPipe, type EqlStatement } from "../../lang/eql/ast.js";
import { parseEql } from "../../lang/eql/parser.js";
import { compileEqlFilter, type CompileEqlOptions, type EqlPredicate } from "./compile.js";
import { ecsEqlMapping, valueReader, type EqlFieldMapping, type IndexedValue } from "./mapping.js";

/** A join-key value as results report it (`join_keys`). */
export type JoinKeyValue = string | number | boolean | null;

export interface KeyTuple {
  /** Canonical text of `values` (1 and "1" stay distinct): equal ids join. */
  readonly id: string;
  readonly values: readonly JoinKeyValue[];
}

/** Most key tuples one event yields (the cartesian product of multi-valued keys is cut there). */
export const MAX_KEY_COMBINATIONS = 256;

export type KeyExtractor = (doc: EventDoc) => readonly KeyTuple[];

/** The key tuple of a stage without join keys; shared (never changed) so keyless events allocate none. */
export const NO_KEYS: KeyTuple = Object.freeze({ id: "[]", values: Object.freeze([]) });
const NO_KEYS_LIST: readonly KeyTuple[] = Object.freeze([NO_KEYS]);

/**
 * Join keys of an event for one stage. A plain key must have a value (an event without one does not take
 * part in that stage); an optional `?key` may be null, and null joins null. A multi-valued key yields each
 * distinct non-null value (nulls inside the array are dropped; an all-null array is null); several keys
 * give their cartesian product. Dates are ISO text in sequences and epoch millis in samples (as
 * Elasticsearch reports them).
 */
export function keyExtractor(keys: readonly EqlField[], mapping: (name: string) => EqlFieldMapping | undefined, dates: "iso" | "millis"): KeyExtractor {
  if (keys.length === 0) return () => NO_KEYS_LIST;
  const parts = keys.map((k) => {
    const m = mapping(k.name);
    const read = m === undefined ? undefined : valueReader(m);
    const iso = m?.type === "date" && dates === "iso";
    return { optional: k.optional, read, iso };
  });
  return (doc) => {
    const lists: JoinKeyValue[][] = [];
    for (const p of parts) {
      const raw: IndexedValue[] = p.read === undefined ? [] : p.read(doc);
      const seen = new Set<string>();
      const vals: JoinKeyValue[] = [];
      for (const v of raw) {
        const kv = p.iso && typeof v === "number" ? new Date(v).toISOString() : v;
        const id = typeof kv + ":" + String(kv);
        if (seen.has(id)) continue;
        seen.add(id);
        vals.push(kv);
      }
      if (vals.length === 0) {
        if (!p.optional) return [];
        vals.push(null);
      }
      lists.push(vals);
    }
    let out: JoinKeyValue[][] = [[]];
    for (const vals of lists) {
      const next: JoinKeyValue[][] = [];
      for (const prefix of out) {
        for (const v of vals) {
          if (next.length >= MAX_KEY_COMBINATIONS) break;
          next.push([...prefix, v]);
        }
      }
      out = next;
    }
    return out.map((values) => ({ id: JSON.stringify(values), values }));
  };
}

export interface CompiledStage {
  readonly filter: EqlEventFilter;
  readonly matches: EqlPredicate;
  readonly keys: KeyExtractor;
  /** A `![…]` stage: an event that must not occur. */
  readonly missing: boolean;
}

export interface CompiledEql {
  readonly statement: EqlStatement;
  readonly kind: EqlStatement["kind"];
  /** Event query: one stage; sequence: the stages with runs expanded; sample: its filters. */
  readonly stages: readonly CompiledStage[];
  readonly until?: CompiledStage;
  readonly maxspanMs?: number;
  readonly pipes: readonly EqlPipe[];
  /** Whether an event can take part at all (some stage or the until clause matches it). */
  readonly relevant: EqlPredicate;
}

/** Compiles a statement. Throws EqlCompileError for what Elasticsearch rejects once it knows the mapping. */
export function compileEqlStatement(st: EqlStatement, opts: CompileEqlOptions = {}): CompiledEql {
  const mapping = opts.mapping ?? ecsEqlMapping;
  const stage = (filter: EqlEventFilter, keys: readonly EqlField[], missing: boolean, dates: "iso" | "millis"): CompiledStage => ({
    filter,
    matches: compileEqlFilter(filter, opts),
    keys: keyExtractor(keys, mapping, dates),
    missing,
  });
  let stages: CompiledStage[];
  let until: CompiledStage | undefined;
  switch (st.kind) {
    case "event":
      stages = [stage(st.filter, [], false, "iso")];
      break;
    case "sequence":
      stages = [];
      for (const s of st.stages) {
        const c = stage(s.filter, [...st.by, ...s.by], s.missing, "iso");
        for (let i = 0; i < s.runs; i++) stages.push(c);
      }
      if (st.until) until = stage(st.until.filter, [...st.by, ...st.until.by], false, "iso");
      break;
    case "sample":
      stages = st.stages.map((s) => stage(s.filter, [...st.by, ...s.by], false, "millis"));
      break;
    default:
      return assertNever(st);
  }
  const preds = [...stages.map((s) => s.matches), ...(until ? [until.matches] : [])];
  const relevant: EqlPredicate = preds.length === 1 ? preds[0] : (doc) => preds.some((p) => p(doc));
  return {
    statement: st,
    kind: st.kind,
    stages,
    until,
    maxspanMs: st.kind === "sequence" ? st.maxspan?.ms : undefined,
    pipes: st.pipes,
    relevant,
  };
}

/**
 * An EQL query of the ECS mapping, parsed and compiled once per process: loading a rule checks its query by
 * compiling it, and running the rule compiles the same text again (a thousand EQL rules in the corpus).
 * Only successes are kept; a query that fails throws again on every call.
 */
const compiledQueries = new Map<string, CompiledEql>();

export function compileEqlQuery(query: string, categoryField = "event.category"): CompiledEql {
  const key = `${categoryField}\u0000${query}`;
  let c = compiledQueries.get(key);
  if (c === undefined) {
    c = compileEqlStatement(parseEql(query), { mapping: ecsEqlMapping, categoryField });
    compiledQueries.set(key, c);
  }
  return c;
}
