// Matched events as replay keeps them: a few numbers in memory, the hit on disk in the run's spill
// (docs/engine.md "Memory"), read back only when an alert id or an alert needs it.

import type { EventDoc, InputEvent } from "../event/types.js";
import { eventId } from "../event/id.js";
import type { TextSpill } from "../state/spill.js";
import type { Combo, MatchedEvent } from "./rule-types/new-terms.js";

const EMPTY_SOURCE: EventDoc = Object.freeze({}) as EventDoc;

/**
 * A matched event whose hit is on disk: spill record `ref` holds [_index, _id, file, line, byteOffset] and
 * record `ref + 1` the `_source` JSON. Rules that matched the same event share the records.
 */
export class SpilledEvent implements MatchedEvent {
  constructor(
    private readonly spill: TextSpill,
    readonly ref: number,
    readonly t: number,
    readonly seq: number,
    readonly combos: readonly Combo[],
  ) {}

  /** Its hit without `_source`, read from the spill on every call (kept events hold no objects). */
  get hit(): InputEvent {
    return spilledHit(this.spill, this.ref);
  }

  source(): EventDoc {
    return JSON.parse(this.spill.get(this.ref + 1)) as EventDoc;
  }
}

/** The hit of spill record `ref` without its `_source`. */
export function spilledHit(spill: TextSpill, ref: number): InputEvent {
  return spilledHitAndText(spill, ref, false).hit;
}

/**
 * The hit of spill record `ref` without its `_source`, and (`withText`) that source's JSON text: both
 * records in one read, the source's bytes hashed for a content-derived id as they were read.
 */
export function spilledHitAndText(spill: TextSpill, ref: number, withText = true): { hit: InputEvent; text: string } {
  const headerLength = spill.recordLength(ref);
  const bytes = spill.recordBytes(ref, 2);
  const [_index, id, file, line, byteOffset] = JSON.parse(bytes.toString("utf8", 0, headerLength)) as [string, string | null, string, number, number];
  // null: the id is the content-derived one of the spilled JSON text (spillEvent)
  const _id = id ?? eventId(_index, bytes.subarray(headerLength));
  const text = withText ? bytes.toString("utf8", headerLength) : "";
  return { hit: { _index, _id, _source: EMPTY_SOURCE, loc: { file, line, byteOffset } }, text };
}

/** The hit of spill record `ref` with its `_source` (parsed for the caller alone), in one read. */
export function spilledFullHit(spill: TextSpill, ref: number): InputEvent {
  const { hit, text } = spilledHitAndText(spill, ref);
  return { ...hit, _source: JSON.parse(text) as EventDoc };
}

/** Writes an event to the spill: two records, the hit's coordinates then its `_source` JSON; returns the first. */
export function spillEvent(spill: TextSpill, ev: InputEvent): number {
  // an id derived from the JSON text is computed from the spilled text if an alert needs it (most kept
  // events never make one)
  const id = ev.idOfJson === true && ev.json !== undefined ? null : ev._id;
  const ref = spill.add(JSON.stringify([ev._index, id, ev.loc.file, ev.loc.line, ev.loc.byteOffset]));
  spill.add(ev.json ?? JSON.stringify(ev._source));
  return ref;
}

/**
 * The event with its `_source`; `owned` when that object was parsed for this call alone (no copy needed).
 * `hit`: the event's hit as the caller read it for the alert id, so a spilled one is not read again.
 */
export function fullHit(ev: MatchedEvent, hit: InputEvent = ev.hit): { hit: InputEvent; owned: boolean } {
  if (ev instanceof SpilledEvent) return { hit: { ...hit, _source: ev.source() }, owned: true };
  return ev.json === undefined ? { hit, owned: false } : { hit: { ...hit, _source: JSON.parse(ev.json) as EventDoc }, owned: true };
}
