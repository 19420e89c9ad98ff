// What a cluster indexes for a JSON value of a typed field, so that tern's evaluator sees an event as a
// query in Elasticsearch or OpenSearch does. Kibana's events live in `logs-*` data streams, whose mapping
// ignores malformed values (index.mapping.ignore_malformed, the default there since Elasticsearch 8.9): an
// `ip` field holding "other-value" or a `long` holding "n/a" is stored but not indexed, so `field:*` is
// false and no value query matches it. Numbers are coerced as the servers coerce them: 403.5 in a `long`
// is 403, "4.05e2" is 405. The rules below were read off both test servers (Elasticsearch 8.15,
// OpenSearch 2.19), which agree on every case; test/cluster/kql-corpus-judge.test.ts keeps them honest.

import type { EsFieldType } from "../../ecs/field-types.js";
import { parseIp, parseIsoInstant } from "./values.js";

/** A leaf's indexed value, or undefined when the cluster does not index it. */
export type Indexer = (leaf: unknown) => unknown;

/** Java's Double.parseDouble grammar (decimal forms): surrounding control/space characters are trimmed. */
const JAVA_DOUBLE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;
/** BigDecimal's grammar, which `long` falls back to for text that is not a plain integer: nothing trimmed. */
const BIG_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** An integer in ASCII digits, which BigInt reads exactly. */
const ASCII_INTEGER = /^[+-]?\d+$/;
/** Long.parseLong accepts a sign and digits of any script. */
const JAVA_LONG = /^[+-]?\p{Nd}+$/u;

function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return s.slice(a, b);
}

function javaDouble(s: string): number | undefined {
  const t = javaTrim(s);
  if (!JAVA_DOUBLE.test(t)) return undefined;
  if (t.endsWith("NaN")) return NaN;
  return Number(t.replace(/[fFdD]$/, ""));
}

/** Unicode decimal digits as their values (Long.parseLong reads ٣ as 3). */
function digitsValue(s: string): number {
  let n = 0;
  let sign = 1;
  for (const ch of s) {
    if (ch === "-") sign = -1;
    else if (ch !== "+") n = n * 10 + digitOf(ch);
  }
  return sign * n;
}

const DECIMAL_DIGIT = /\p{Nd}/u;

function digitOf(ch: string): number {
  const cp = ch.codePointAt(0) as number;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  // Unicode's decimal digits come in contiguous runs of whole tens, each starting at a zero.
  let start = cp;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/**
 * A whole number in ASCII digits read exactly, as the server reads text into a Java long: 2^63 - 1 is in
 * range and 2^63 is not, though both are 2^63 as doubles. Undefined outside [lo, hi).
 */
function exactInteger(text: string, lo: bigint, hi: bigint): number | undefined {
  // More than 20 significant digits is past any bound here; BigInt would take superlinear time to say so.
  if (text.length > 21 && text.replace(/^[+-]?0*/, "").length > 20) return undefined;
  const b = BigInt(text);
  return b >= lo && b < hi ? Number(b) + 0 : undefined;
}

/** A number, or text through Java's Double.parseDouble (what `integer`, `short`, `byte` and the floats read). */
function javaNumber(leaf: unknown): number | undefined {
  if (typeof leaf === "number") return leaf;
  return typeof leaf === "string" ? javaDouble(leaf) : undefined;
}

/** `long` and `unsigned_long`: integers, other numbers truncated, text as Long.parseLong then BigDecimal. */
function longIndexer(unsigned: boolean): Indexer {
  const lo = unsigned ? 0n : -(2n ** 63n);
  const hi = unsigned ? 2n ** 64n : 2n ** 63n;
  const inRange = (t: number) => t >= Number(lo) && t < Number(hi);
  return (leaf) => {
    let v: number;
    if (typeof leaf === "number") v = leaf;
    else if (typeof leaf !== "string" || leaf === "") return undefined;
    else if (ASCII_INTEGER.test(leaf)) return exactInteger(leaf, lo, hi);
    else if (JAVA_LONG.test(leaf)) v = digitsValue(leaf);
    else if (BIG_DECIMAL.test(leaf)) v = Number(leaf);
    else return undefined;
    if (!Number.isFinite(v)) return undefined;
    const t = Math.trunc(v);
    return inRange(t) ? t + 0 : undefined;
  };
}

/** `integer`, `short`, `byte`: through a Java double, range-checked, truncated (NaN casts to 0). */
function intIndexer(lo: number, hi: number): Indexer {
  return (leaf) => {
    const v = javaNumber(leaf);
    if (v === undefined) return undefined;
    if (Number.isNaN(v)) return 0;
    if (v > hi || v < lo) return undefined;
    return Math.trunc(v) + 0;
  };
}

/**
 * `double` (and `scaled_float`, whose factor tern does not know) and `float` (single precision; also
 * `half_float`, which rounds to fewer bits than tern models — ECS and Defend have no such field): finite
 * values only.
 */
function floatIndexer(single: boolean): Indexer {
  return (leaf) => {
    let v = javaNumber(leaf);
    if (v === undefined) return undefined;
    if (single) v = Math.fround(v);
    return Number.isFinite(v) ? v : undefined;
  };
}

const YEAR = /^(\d{4})$/;
const YEAR_MONTH = /^(\d{4})-(\d{2})$/;
const EPOCH_MILLIS = /^-?\d+(?:\.\d*)?$/;
/** The largest instant a `date` holds: epoch milliseconds in a Java long. */
const MAX_INSTANT_MS = 2 ** 63;
/** The span of `date_nanos`: epoch nanoseconds in a Java long, from 1970 to 2262-04-11T23:47:16.854Z. */
const MAX_NANOS_MS = 9_223_372_036_854;

/**
 * `date`: strict_date_optional_time (a year, a month, a day, a `T` time; UTC unless the text names a
 * zone), else epoch milliseconds; the instant in epoch milliseconds.
 */
function dateIndexer(leaf: unknown): unknown {
  if (typeof leaf === "number") return Math.abs(leaf) < MAX_INSTANT_MS ? Math.floor(leaf) + 0 : undefined;
  if (typeof leaf !== "string") return undefined;
  let m = YEAR.exec(leaf);
  if (m !== null) return Date.UTC(Number(m[1]), 0, 1);
  m = YEAR_MONTH.exec(leaf);
  if (m !== null) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? Date.UTC(Number(m[1]), month - 1, 1) : undefined;
  }
  if (!leaf.includes(" ")) {
    const iso = parseIsoInstant(leaf);
    if (iso !== undefined) return iso.t;
  }
  if (!EPOCH_MILLIS.test(leaf)) return undefined;
  // Whole milliseconds are a Java long, read exactly.
  return ASCII_INTEGER.test(leaf) ? exactInteger(leaf, -(2n ** 63n), 2n ** 63n) : dateIndexer(Number(leaf));
}

/** `date_nanos`: as `date`, within the span its nanoseconds hold (nothing before 1970). */
function dateNanosIndexer(leaf: unknown): unknown {
  const t = dateIndexer(leaf);
  return typeof t === "number" && t >= 0 && t <= MAX_NANOS_MS ? t : undefined;
}

/** `ip`: an IPv4 address (no leading zeros in its numbers) or an IPv6 one (whose groups may have them), nothing around it. */
function ipIndexer(leaf: unknown): unknown {
  if (typeof leaf !== "string") return undefined;
  const v4 = leaf.slice(leaf.lastIndexOf(":") + 1);
  if (v4.includes(".") && /(?:^|\.)0\d/.test(v4)) return undefined;
  return parseIp(leaf) === undefined ? undefined : leaf;
}

/** `boolean`: true, false, their names, and "" (false). */
function booleanIndexer(leaf: unknown): unknown {
  if (typeof leaf === "boolean") return leaf;
  if (leaf === "true") return true;
  if (leaf === "false" || leaf === "") return false;
  return undefined;
}

const LONG = longIndexer(false);
const UNSIGNED_LONG = longIndexer(true);
const DOUBLE = floatIndexer(false);
const FLOAT = floatIndexer(true);
const INTEGER = intIndexer(-2147483648, 2147483647);
const SHORT = intIndexer(-32768, 32767);
const BYTE = intIndexer(-128, 127);

/**
 * The indexer of a mapping type, or undefined for types whose every scalar is indexed as it is (keyword,
 * text and the like) or that tern does not model (geo_point, binary).
 */
export function indexerOf(t: EsFieldType | undefined): Indexer | undefined {
  switch (t) {
    case "long":
      return LONG;
    case "unsigned_long":
      return UNSIGNED_LONG;
    case "integer":
      return INTEGER;
    case "short":
      return SHORT;
    case "byte":
      return BYTE;
    case "double":
    case "scaled_float":
      return DOUBLE;
    case "float":
    case "half_float":
      return FLOAT;
    case "date":
      return dateIndexer;
    case "date_nanos":
      return dateNanosIndexer;
    case "ip":
      return ipIndexer;
    case "boolean":
      return booleanIndexer;
    default:
      return undefined;
  }
}
