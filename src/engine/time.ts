// Event time for a rule (new_terms.md §2.1, §6): `timestamp_override` with fallback to `@timestamp`
// unless `timestamp_override_fallback_disabled`; `kibana.alert.original_time` always from `@timestamp`.
// Timestamps are ISO-8601 strings (no zone = UTC, as Elasticsearch reads them) or epoch-millisecond numbers.

import type { EventDoc } from "../event/types.js";
import { getValues } from "../event/fields.js";
import type { Rule } from "../rules/model.js";

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms of a timestamp value, or undefined when it is not a date Elasticsearch would accept. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "number") return inDateRange(Math.trunc(value));
  if (typeof value !== "string") return undefined;
  const s = value.trim();
  if (/^-?\d+$/.test(s) && s.length > 8) return inDateRange(Number(s));
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", sec = "00", frac = "", zone] = m;
  // Sub-millisecond digits are truncated: the engine works in ms like Kibana's range bounds.
  const ms = Number((frac + "000").slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  if (Number.isNaN(t)) return undefined;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const z = zone.replace(":", "");
    const sign = z[0] === "-" ? -1 : 1;
    t -= sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
  }
  return inDateRange(t);
}

/**
 * Times outside what a JavaScript Date holds (±8.64e15 ms, about ±273,790 years) are not times: windows,
 * date math and ISO text cannot be computed for them. Such an event has no usable time (as an unparseable
 * one). The bound is kept one day inside Date's, so a window's date math around it stays in range.
 */
const MAX_TIME = 8.64e15 - 86_400_000;

function inDateRange(t: number): number | undefined {
  return Number.isFinite(t) && Math.abs(t) <= MAX_TIME ? t : undefined;
}

/** The first parseable value of `path` (a date field with several values sorts by its first one here). */
export function fieldTime(doc: EventDoc, path: string): number | undefined {
  for (const v of getValues(doc, path)) {
    const t = parseTimestamp(v);
    if (t !== undefined) return t;
  }
  return undefined;
}

export interface TimeSpec {
  readonly primary: string;
  /** `@timestamp` when the override may fall back to it (§2.1), else undefined. */
  readonly secondary?: string;
}

export function timeSpec(rule: Pick<Rule, "timestamp_override" | "timestamp_override_fallback_disabled">): TimeSpec {
  const primary = rule.timestamp_override ?? "@timestamp";
  if (primary !== "@timestamp" && rule.timestamp_override_fallback_disabled !== true) return { primary, secondary: "@timestamp" };
  return { primary };
}

/** The rule's effective event time (Kibana's `kibana.combined_timestamp`), or undefined: never matched. */
export function eventTime(doc: EventDoc, spec: TimeSpec): number | undefined {
  const t = fieldTime(doc, spec.primary);
  if (t !== undefined || spec.secondary === undefined) return t;
  // Fallback applies only when the override field is absent (§2.2: `must_not exists primary`).
  if (getValues(doc, spec.primary).length > 0) return undefined;
  return fieldTime(doc, spec.secondary);
}

/** `kibana.alert.original_time`: the source's `@timestamp` as ISO, never the override (§6). */
export function originalTime(doc: EventDoc): string | undefined {
  const t = fieldTime(doc, "@timestamp");
  return t === undefined ? undefined : new Date(t).toISOString();
}
