// Field types for EQL evaluation (docs/eql.md §3): Elasticsearch evaluates EQL against an index mapping, so
// a value means what its field's type says ("5" in a long field is 5, an ip compares as an address, a
// date as an instant, a version by semver precedence). A mapping here is a function from a field name to
// its type, or undefined for an unmapped field. Rules run against ECS: every field is mapped, with the ECS
// and Defend type where the field is known and the JSON value's own type otherwise ("dynamic").

import { ecsFieldType, type EsFieldType } from "../../ecs/field-types.js";
import { collectValues, fieldAccessor } from "../../event/fields.js";
import type { EventDoc } from "../../event/types.js";
import { parseIp, parseIsoInstant, type IpBytes } from "../predicate/values.js";
import { indexerOf } from "../predicate/indexing.js";

export type EqlType = "keyword" | "long" | "double" | "boolean" | "ip" | "date" | "version" | "dynamic";

export interface EqlFieldMapping {
  readonly type: EqlType;
  /**
   * The mapping type itself (`integer`, `date_nanos`, `float`…), when known: a document's values are then
   * indexed as the servers index that type (compile/predicate/indexing.ts, judged against both), which
   * `type` alone is too coarse for.
   */
  readonly esType?: string;
  /** The document path values are read from (an alias's target; the field itself otherwise). */
  readonly path: string;
  /** Mapping `null_value`: what an explicit JSON null is indexed as. */
  readonly nullValue?: string | number | boolean;
  /** A date field's own parser (a mapping `format` other than ISO or epoch millis). */
  readonly parseDate?: (v: unknown) => number | undefined;
}

/** A field's mapping, or undefined when no index maps it. */
export type EqlMapping = (name: string) => EqlFieldMapping | undefined;

export function eqlTypeOf(t: EsFieldType | string | undefined): EqlType {
  switch (t) {
    case "keyword":
    case "constant_keyword":
    case "wildcard":
    case "text":
    case "match_only_text":
    case "flattened":
      return "keyword";
    case "long":
    case "integer":
    case "short":
    case "byte":
    case "unsigned_long":
      return "long";
    case "double":
    case "float":
    case "half_float":
    case "scaled_float":
      return "double";
    case "boolean":
      return "boolean";
    case "ip":
      return "ip";
    case "date":
    case "date_nanos":
      return "date";
    case "version":
      return "version";
    default:
      return "dynamic";
  }
}

/** ECS and Elastic Defend types; any other field is mapped dynamically from its values. */
export const ecsEqlMapping: EqlMapping = (name) => {
  const t = ecsFieldType(name);
  return { type: eqlTypeOf(t), esType: t, path: name };
};

/** A value as the field's type indexes it; undefined when it cannot be indexed as that type (ignored). */
export type IndexedValue = string | number | boolean;

function asKeyword(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return undefined;
}

function asNumber(v: unknown, integer: boolean): number | undefined {
  let n: number | undefined;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && v.trim() !== "" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) n = Number(v);
  if (n === undefined || !Number.isFinite(n)) return undefined;
  // long fields truncate decimals when they coerce (Elasticsearch's default `coerce: true`)
  return integer ? Math.trunc(n) : n;
}

/** Epoch milliseconds of a date value: numbers and digit strings are epoch millis, text is ISO-8601. */
export function parseEqlDate(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Math.trunc(Number(s));
    return Number.isFinite(n) ? n : undefined;
  }
  const i = parseIsoInstant(s);
  return i?.t;
}

/** Converts one source value to the field type's indexed form. */
export function indexValue(type: EqlType, v: unknown): IndexedValue | undefined {
  switch (type) {
    case "keyword":
    case "version":
      return asKeyword(v);
    case "long":
      return asNumber(v, true);
    case "double":
      return asNumber(v, false);
    case "boolean":
      if (typeof v === "boolean") return v;
      if (v === "true") return true;
      if (v === "false" || v === "") return false;
      return undefined;
    case "ip":
      return typeof v === "string" && parseIp(v) !== undefined ? v : undefined;
    case "date":
      return parseEqlDate(v);
    case "dynamic":
      return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) ? v : undefined;
    default: {
      const never: never = type;
      throw new Error(`unknown EQL type ${String(never)}`);
    }
  }
}

// The raw values of the document being evaluated, per path: hundreds of rules read the same few fields
// (event.category, process.name, host.os.type…) of each event, and walking the document is the cost. The
// cache is the last document only (by identity); documents are not changed while rules evaluate them.
let cachedDoc: EventDoc | undefined;
let cachedValues = new Map<string, unknown[]>();

/** The raw leaf values of `path` (arrays flattened, nulls dropped), shared by every reader of the same document. */
function rawValues(doc: EventDoc, path: string, parts: readonly string[]): unknown[] {
  if (doc !== cachedDoc) {
    cachedDoc = doc;
    cachedValues = new Map();
  }
  let v = cachedValues.get(path);
  if (v === undefined) {
    v = [];
    collectValues(doc, parts, 0, v);
    cachedValues.set(path, v);
  }
  return v;
}

/**
 * How a document's value of the field is indexed: as the servers index its mapping type when the mapping
 * names one tern models (a malformed value — an ip "other-value", a long "n/a" — is not indexed, so it
 * matches nothing, as in a `logs-*` data stream), else by the EQL type's conversion.
 */
function documentIndexer(m: EqlFieldMapping): (v: unknown) => IndexedValue | undefined {
  const judged = m.esType === undefined ? undefined : indexerOf(m.esType as EsFieldType);
  if (judged === undefined) return (v) => indexValue(m.type, v);
  return (v) => {
    const x = judged(v);
    return typeof x === "number" || typeof x === "string" || typeof x === "boolean" ? x : undefined;
  };
}

/** Reads a field's indexed values from a document (arrays flattened, nulls dropped or replaced by null_value). */
export function valueReader(m: EqlFieldMapping): (doc: EventDoc) => IndexedValue[] {
  const type = m.type;
  const index = documentIndexer(m);
  const parseDate = m.parseDate;
  if (type === "date" && parseDate !== undefined) {
    const get = fieldAccessor(m.path);
    return (doc) => {
      const out: IndexedValue[] = [];
      for (const v of get(doc)) {
        const x = parseDate(v) ?? parseEqlDate(v);
        if (x !== undefined) out.push(x);
      }
      return out;
    };
  }
  if (m.nullValue !== undefined) {
    const parts = m.path.split(".");
    const nv = indexValue(type, m.nullValue);
    return (doc) => {
      const raw: unknown[] = [];
      collectValues(doc, parts, 0, raw, true);
      const out: IndexedValue[] = [];
      for (const v of raw) {
        const x = v === null ? nv : index(v);
        if (x !== undefined) out.push(x);
      }
      return out;
    };
  }
  const path = m.path;
  const parts = path.split(".");
  const get = (doc: EventDoc): unknown[] => rawValues(doc, path, parts);
  if (type === "dynamic" || type === "keyword") {
    return (doc) => {
      const raw = get(doc);
      let ok = true;
      for (const v of raw) if (typeof v !== "string") ok = false;
      // the cached array itself: callers only read it
      if (ok) return raw as string[];
      const out: IndexedValue[] = [];
      for (const v of raw) {
        const x = index(v);
        if (x !== undefined) out.push(x);
      }
      return out;
    };
  }
  return (doc) => {
    const out: IndexedValue[] = [];
    for (const v of get(doc)) {
      const x = index(v);
      if (x !== undefined) out.push(x);
    }
    return out;
  };
}

// ---- ordering -------------------------------------------------------------------------------------

const utf8 = new TextEncoder();

/** Keyword order: the UTF-8 bytes Lucene indexes (code point order). */
export function compareKeyword(a: string, b: string): number {
  if (a === b) return 0;
  if (/[\ud800-\udfff]/.test(a + b)) return Buffer.compare(Buffer.from(utf8.encode(a)), Buffer.from(utf8.encode(b)));
  return a < b ? -1 : 1;
}

export function compareIpBytes(a: IpBytes, b: IpBytes): number {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

interface ParsedVersion {
  readonly nums: number[];
  readonly pre?: string[];
}

const VERSION_RE = /^(\d+(?:\.\d+)*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function parseVersion(s: string): ParsedVersion | undefined {
  const m = VERSION_RE.exec(s);
  if (!m) return undefined;
  return { nums: m[1].split(".").map(Number), pre: m[2]?.split(".") };
}

/**
 * The `version` field's order: valid versions by semver precedence (numeric parts numerically, a
 * pre-release before its release), invalid ones after all valid ones, in byte order among themselves.
 */
export function compareVersion(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va === undefined || vb === undefined) {
    if (va !== undefined) return -1;
    if (vb !== undefined) return 1;
    return compareKeyword(a, b);
  }
  for (let i = 0; i < Math.max(va.nums.length, vb.nums.length); i++) {
    const x = va.nums[i] ?? -1;
    const y = vb.nums[i] ?? -1;
    if (x !== y) return x - y;
  }
  if (va.pre === undefined || vb.pre === undefined) return va.pre === vb.pre ? 0 : va.pre === undefined ? 1 : -1;
  for (let i = 0; i < Math.max(va.pre.length, vb.pre.length); i++) {
    const x = va.pre[i];
    const y = vb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
    } else if (nx !== ny) return nx ? -1 : 1;
    else {
      const c = compareKeyword(x, y);
      if (c !== 0) return c;
    }
  }
  return 0;
}

/** A value as a join key (`join_keys` in results): dates as strict_date_optional_time text, the rest as indexed. */
export function keyValue(type: EqlType, v: IndexedValue): string | number | boolean {
  if (type === "date" && typeof v === "number") return new Date(v).toISOString();
  return v;
}
