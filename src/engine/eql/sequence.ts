// The sequence state machine (docs/eql.md §8), fed events in ordinal order (timestamp, tiebreaker, input
// order). Per join key and stage there is a list of pending partial sequences:
//   - an event of the first positive stage starts a new partial sequence;
//   - an event of stage k takes the most recent partial sequence of stage k−1 with the same key (every
//     pending one is older, since events come in order), advances it, and discards the older ones of that
//     stage and key (Elasticsearch's SequenceGroup.trimBefore);
//   - maxspan is checked on every advance: a span greater than maxspan is rejected, equal passes;
//   - an `until` event cancels the key's pending sequences (one it completes itself stands);
//   - the last positive stage completes the sequence.
// Missing-event stages `![…]` are not part of the state machine: a completed candidate is checked against
// them afterwards (checkMissing), with the events those stages matched.
// The pending state is plain data so the stream engine can store it between batches and restarts.

import type { CompiledEql } from "../../compile/eql/statement.js";
import type { JoinKeyValue } from "../../compile/eql/statement.js";
import type { IndexedValue } from "../../compile/eql/mapping.js";
import { compareKeyword } from "../../compile/eql/mapping.js";
import { lowerBound, upperBound } from "../../util/sorted.js";

/** Where an event sorts: timestamp (ms), then tiebreaker (null after values), then input order. */
export interface Ordinal {
  readonly ts: number;
  readonly tb?: IndexedValue | null;
  readonly seq: number;
}

export function compareOrdinal(a: Ordinal, b: Ordinal): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  const x = a.tb;
  const y = b.tb;
  if (x !== y && x !== undefined && y !== undefined) {
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return x - y;
    } else {
      const c = compareKeyword(String(x), String(y));
      if (c !== 0) return c;
    }
  }
  return a.seq - b.seq;
}

/** An event as the matcher keeps it: its ordinal and the caller's reference. */
export interface SeqEvent<T> {
  readonly ord: Ordinal;
  readonly ref: T;
}

/** A partial or completed sequence: the events of its positive stages so far. */
export interface PartialSequence<T> {
  readonly keyId: string;
  readonly keys: readonly JoinKeyValue[];
  readonly events: readonly SeqEvent<T>[];
}

export interface SequenceMatcherStats {
  /** Partial sequences dropped because they exceeded maxspan when they would have advanced. */
  maxspanRejected: number;
  /** Partial sequences cancelled by an until event. */
  untilCancelled: number;
  /** Partial sequences discarded by a more recent one of the same stage and key. */
  superseded: number;
}

/**
 * The incremental matcher. `push` an event (in ordinal order) with the stages and until clause it matched
 * and its key tuples per stage; completed candidates accumulate in `completed` (in completion order).
 */
export class SequenceMatcher<T> {
  /** positive stage index (0-based among positive stages) → key → pending partial sequences, oldest first */
  private readonly pending: Map<string, PartialSequence<T>[]>[];
  readonly completed: PartialSequence<T>[] = [];
  readonly stats: SequenceMatcherStats = { maxspanRejected: 0, untilCancelled: 0, superseded: 0 };
  /** Indexes of the positive (non-missing) stages in the expanded stage list. */
  readonly positive: readonly number[];
  private readonly maxspan: number | undefined;
  private count = 0;

  constructor(compiled: Pick<CompiledEql, "stages" | "maxspanMs">) {
    const pos: number[] = [];
    compiled.stages.forEach((s, i) => {
      if (!s.missing) pos.push(i);
    });
    this.positive = pos;
    this.pending = pos.map(() => new Map());
    this.maxspan = compiled.maxspanMs;
  }

  /** Number of partial sequences held. */
  get size(): number {
    return this.count;
  }

  /**
   * One event. `stageKeys[j]` are its key tuples for positive stage j (undefined when it does not match
   * that stage); `untilKeys` the key ids of the until clause it matched.
   */
  push(ev: SeqEvent<T>, stageKeys: readonly (readonly { id: string; values: readonly JoinKeyValue[] }[] | undefined)[], untilKeys?: ReadonlySet<string>): void {
    const last = this.positive.length - 1;
    // Later stages first: an event never advances a sequence it has just advanced or started.
    for (let j = last; j >= 0; j--) {
      const keys = stageKeys[j];
      if (keys === undefined) continue;
      for (const k of keys) {
        if (j === 0) {
          const seq: PartialSequence<T> = { keyId: k.id, keys: k.values, events: [ev] };
          if (last === 0) this.completed.push(seq);
          else this.add(0, seq);
          continue;
        }
        const byKey = this.pending[j - 1];
        const list = byKey.get(k.id);
        if (list === undefined || list.length === 0) continue;
        // The most recent pending sequence strictly before this event; in ordinal order that is the last one.
        // (The stream engine may see events out of order: later ones stay pending.)
        let at = list.length - 1;
        while (at >= 0 && compareOrdinal(list[at].events[list[at].events.length - 1].ord, ev.ord) >= 0) at--;
        if (at < 0) continue;
        const prev = list[at];
        const rest = list.slice(at + 1);
        if (rest.length === 0) byKey.delete(k.id);
        else byKey.set(k.id, rest);
        this.count -= at + 1;
        this.stats.superseded += at;
        if (this.maxspan !== undefined && ev.ord.ts - prev.events[0].ord.ts > this.maxspan) {
          this.stats.maxspanRejected++;
          continue;
        }
        const seq: PartialSequence<T> = { keyId: k.id, keys: prev.keys, events: [...prev.events, ev] };
        if (j === last) this.completed.push(seq);
        else this.add(j, seq);
      }
    }
    // An until event cancels every pending sequence of its key, those it just started or advanced included
    // (they could only complete through a later event); a sequence it completed stands.
    if (untilKeys !== undefined) {
      for (const id of untilKeys) {
        for (const byKey of this.pending) {
          const list = byKey.get(id);
          if (list !== undefined) {
            this.stats.untilCancelled += list.length;
            this.count -= list.length;
            byKey.delete(id);
          }
        }
      }
    }
  }

  private add(j: number, seq: PartialSequence<T>): void {
    const byKey = this.pending[j];
    const list = byKey.get(seq.keyId);
    if (list === undefined) byKey.set(seq.keyId, [seq]);
    else list.push(seq);
    this.count++;
  }

  /**
   * Drops partial sequences that can no longer complete within maxspan of `now` (event time): their first
   * event is more than maxspan before it. Returns how many were dropped.
   */
  expire(now: number): number {
    if (this.maxspan === undefined) return 0;
    let dropped = 0;
    for (const byKey of this.pending) {
      for (const [id, list] of byKey) {
        const keep = list.filter((s) => now - s.events[0].ord.ts <= (this.maxspan ?? Infinity));
        dropped += list.length - keep.length;
        if (keep.length === 0) byKey.delete(id);
        else if (keep.length !== list.length) byKey.set(id, keep);
      }
    }
    this.count -= dropped;
    return dropped;
  }

  /** Drops the oldest partial sequences (by first event) until at most `max` remain; returns how many. */
  cap(max: number): number {
    if (this.count <= max) return 0;
    const all: { j: number; id: string; s: PartialSequence<T> }[] = [];
    this.pending.forEach((byKey, j) => {
      for (const [id, list] of byKey) for (const s of list) all.push({ j, id, s });
    });
    all.sort((a, b) => compareOrdinal(a.s.events[0].ord, b.s.events[0].ord));
    const drop = all.slice(0, all.length - max);
    for (const d of drop) {
      const list = this.pending[d.j].get(d.id);
      if (list === undefined) continue;
      const i = list.indexOf(d.s);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.pending[d.j].delete(d.id);
    }
    this.count -= drop.length;
    return drop.length;
  }

  /** Every pending partial sequence with its positive stage index (for storing the state). */
  snapshot(): { stage: number; seq: PartialSequence<T> }[] {
    const out: { stage: number; seq: PartialSequence<T> }[] = [];
    this.pending.forEach((byKey, j) => {
      for (const list of byKey.values()) for (const seq of list) out.push({ stage: j, seq });
    });
    return out;
  }

  /** Restores pending partial sequences saved by snapshot (in their saved order). */
  restore(items: readonly { stage: number; seq: PartialSequence<T> }[]): void {
    for (const it of items) if (it.stage >= 0 && it.stage < this.pending.length - 1) this.add(it.stage, it.seq);
  }
}

/** Sorted event timestamps of a missing stage, per join key. */
export type MissingIndex = ReadonlyMap<string, readonly number[]>;

function lastBefore(ts: readonly number[], t: number): number | undefined {
  const i = lowerBound(ts, t);
  return i > 0 ? ts[i - 1] : undefined;
}

function firstAfter(ts: readonly number[], t: number): number | undefined {
  const i = upperBound(ts, t);
  return i < ts.length ? ts[i] : undefined;
}

/**
 * Whether a completed candidate survives its missing-event stages (docs/eql.md §8): a middle missing stage
 * rejects it when a matching event with the same key lies strictly between the neighbouring positive
 * events' timestamps; leading and trailing missing stages reject it when the nearest matching events
 * before the first / after the last positive event are within maxspan (both ends: the gap between them).
 * `missing[i]` indexes the events of expanded stage i (only missing stages are read).
 */
export function checkMissing<T>(stages: readonly { missing: boolean }[], candidate: PartialSequence<T>, missing: readonly (MissingIndex | undefined)[], maxspan: number): boolean {
  const n = stages.length;
  let firstPos = 0;
  while (firstPos < n && stages[firstPos].missing) firstPos++;
  let lastPos = n - 1;
  while (lastPos >= 0 && stages[lastPos].missing) lastPos--;
  const evTs: number[] = [];
  let p = 0;
  const posTs = new Array<number>(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (!stages[i].missing) {
      posTs[i] = candidate.events[p].ord.ts;
      evTs.push(posTs[i]);
      p++;
    }
  }
  // middle stages
  for (let i = firstPos + 1; i < lastPos; i++) {
    if (!stages[i].missing) continue;
    let before = i - 1;
    while (stages[before].missing) before--;
    let after = i + 1;
    while (stages[after].missing) after++;
    const list = missing[i]?.get(candidate.keyId);
    if (list === undefined) continue;
    const hit = firstAfter(list, posTs[before]);
    if (hit !== undefined && hit < posTs[after]) return false;
  }
  const first = posTs[firstPos];
  const last = posTs[lastPos];
  let leading: number | undefined;
  let trailing: number | undefined;
  const hasLeading = firstPos > 0;
  const hasTrailing = lastPos < n - 1;
  for (let i = 0; i < firstPos; i++) {
    const list = missing[i]?.get(candidate.keyId);
    const t = list === undefined ? undefined : lastBefore(list, first);
    if (t !== undefined && (leading === undefined || t > leading)) leading = t;
  }
  for (let i = lastPos + 1; i < n; i++) {
    const list = missing[i]?.get(candidate.keyId);
    const t = list === undefined ? undefined : firstAfter(list, last);
    if (t !== undefined && (trailing === undefined || t < trailing)) trailing = t;
  }
  if (hasLeading && hasTrailing) {
    if (leading === undefined || trailing === undefined) return true;
    return trailing - leading > maxspan;
  }
  if (hasLeading && leading !== undefined) return last - leading > maxspan;
  if (hasTrailing && trailing !== undefined) return trailing - first > maxspan;
  return true;
}
