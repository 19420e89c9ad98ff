// Elasticsearch's EQL QA suite run against tern's engine (shared/conformance/eql/HARNESS.md): data sets
// loaded the way the Java DataLoader indexes them (FILETIME timestamps for the endgame data, mapping
// aliases, explicit and dynamic field types, null_value, custom date formats), each case searched with its
// tiebreaker, size and max_samples_per_key, and the returned ids (and join keys) compared exactly.
// Pure: the CLI reads the files and hands their text over.

import type { EventDoc } from "../../event/types.js";
import { getValues } from "../../event/fields.js";
import { EqlSyntaxError, parseEql } from "../../lang/eql/index.js";
import { EqlCompileError } from "../../compile/eql/compile.js";
import { compileEqlStatement, type JoinKeyValue } from "../../compile/eql/statement.js";
import { eqlTypeOf, type EqlFieldMapping, type EqlMapping } from "../../compile/eql/mapping.js";
import { eqlSearch } from "./search.js";

export interface ConformanceCase {
  readonly suite?: string;
  readonly index: string;
  readonly tiebreaker_field?: string | null;
  readonly id_field: string;
  readonly name: string;
  readonly query: string;
  readonly expected_event_ids: readonly number[] | readonly (readonly number[])[];
  readonly join_keys?: readonly (string | null)[];
  readonly size?: number;
  readonly max_samples_per_key?: number;
}

/** One data set as loaded: documents in bulk order and the mapping (explicit fields, aliases, dynamic ones). */
export interface ConformanceIndex {
  readonly docs: readonly EventDoc[];
  readonly mapping: EqlMapping;
}

/** The converter that produced cases.json wrote TOML's bare `null` as this string, inside queries too. */
export const BARE_NULL_PLACEHOLDER = "__TOML_BARE_NULL__";

/** Windows FILETIME (100 ns ticks since 1601) to epoch ms, with integer division as the Java loader does. */
export function filetimeToEpochMs(ticks: bigint): number {
  return Number(ticks / 10_000n - 11_644_473_600_000n);
}

interface MappingProps {
  readonly [name: string]: { type?: string; path?: string; properties?: MappingProps; null_value?: unknown; format?: string; fields?: unknown };
}

/** `dd-MM-yyyy`-style date formats (the ones the sample data sets use) to a parser of epoch ms. */
export function dateFormatParser(format: string): ((v: unknown) => number | undefined) | undefined {
  const tokens = /^(dd|MM|yyyy)([-/.])(dd|MM|yyyy)\2(dd|MM|yyyy)$/.exec(format);
  if (tokens === null) return undefined;
  const order = [tokens[1], tokens[3], tokens[4]];
  const sep = tokens[2];
  return (v) => {
    if (typeof v !== "string") return undefined;
    const parts = v.split(sep);
    if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) return undefined;
    const get = (k: string) => Number(parts[order.indexOf(k)]);
    const t = Date.UTC(get("yyyy"), get("MM") - 1, get("dd"));
    return Number.isNaN(t) ? undefined : t;
  };
}

function flattenMapping(props: MappingProps, prefix: string, out: Map<string, { type: string; path?: string; nullValue?: unknown; format?: string }>): void {
  for (const [k, v] of Object.entries(props)) {
    const name = prefix === "" ? k : `${prefix}.${k}`;
    if (v.properties !== undefined) flattenMapping(v.properties, name, out);
    if (v.type !== undefined) out.set(name, { type: v.type, path: v.path, nullValue: v.null_value, format: v.format });
  }
}

function docPaths(node: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const el of node) docPaths(el, prefix, out);
    return;
  }
  if (typeof node === "object" && node !== null) {
    for (const [k, v] of Object.entries(node)) docPaths(v, prefix === "" ? k : `${prefix}.${k}`, out);
    return;
  }
  if (prefix !== "" && node !== null) out.add(prefix);
}

/**
 * Loads a data set: `dataText` is the JSON array (with `//` comment lines), `mappingText` the mapping (with
 * `#` comment lines and the random keyword-type placeholder). `endgame` adds `@timestamp` from the FILETIME
 * `timestamp` field.
 */
export function loadConformanceIndex(dataText: string, mappingText: string, opts: { filetime: boolean }): ConformanceIndex {
  const mappingJson = mappingText
    .split(/\r?\n/)
    .filter((l) => !l.trimStart().startsWith("#"))
    .join("\n")
    // Elasticsearch picks keyword or wildcard at random; both must give the same answers.
    .replaceAll("[runtime_random_keyword_type]", "keyword");
  const root = JSON.parse(mappingJson) as { properties?: MappingProps; mappings?: { properties?: MappingProps } };
  const explicit = new Map<string, { type: string; path?: string; nullValue?: unknown; format?: string }>();
  flattenMapping(root.properties ?? root.mappings?.properties ?? {}, "", explicit);

  let text = dataText
    .split(/\r?\n/)
    .filter((l) => !l.trimStart().startsWith("//"))
    .join("\n");
  // FILETIMEs exceed 2^53: keep their digits exact for the integer arithmetic.
  if (opts.filetime) text = text.replace(/"timestamp"\s*:\s*(\d+)/g, '"timestamp": "$1"');
  const docs = JSON.parse(text) as EventDoc[];
  const dateFormats = [...explicit].filter(([, f]) => f.type === "date" && f.format !== undefined);
  for (const d of docs) {
    if (opts.filetime && typeof d.timestamp === "string") {
      d["@timestamp"] = filetimeToEpochMs(BigInt(d.timestamp));
      // the field itself is a date holding the raw number
      d.timestamp = Number(d.timestamp);
    }
    // custom-format dates are indexed as instants; convert once so every index's format applies to its own docs
    for (const [name, f] of dateFormats) {
      const parse = dateFormatParser(f.format ?? "");
      const v = d[name];
      if (parse !== undefined && typeof v === "string") {
        const t = parse(v);
        if (t !== undefined) d[name] = t;
      }
    }
  }
  const dynamic = new Set<string>();
  for (const d of docs) docPaths(d, "", dynamic);
  return { docs, mapping: mappingOf(explicit, dynamic) };
}

function mappingOf(explicit: Map<string, { type: string; path?: string; nullValue?: unknown }>, dynamic: ReadonlySet<string>): EqlMapping {
  return (name) => {
    let f = explicit.get(name);
    let path = name;
    if (f?.type === "alias" && f.path !== undefined) {
      path = f.path;
      f = explicit.get(f.path);
    }
    if (f !== undefined) {
      const nv = f.nullValue;
      const m: EqlFieldMapping = { type: eqlTypeOf(f.type), esType: f.type, path, nullValue: typeof nv === "string" || typeof nv === "number" || typeof nv === "boolean" ? nv : undefined };
      return m;
    }
    if (dynamic.has(name)) return { type: "dynamic", path: name };
    return undefined;
  };
}

/** Several indices searched together: documents of each in order, a field mapped if any index maps it. */
export function combineIndices(indices: readonly ConformanceIndex[]): ConformanceIndex {
  return {
    docs: indices.flatMap((i) => i.docs),
    mapping: (name) => {
      for (const i of indices) {
        const m = i.mapping(name);
        if (m !== undefined) return m;
      }
      return undefined;
    },
  };
}

export interface CaseOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly actualIds: readonly number[];
  readonly actualJoinKeys?: readonly string[];
  readonly message?: string;
}

const keyText = (v: JoinKeyValue): string => (v === null ? "null" : String(v));

function sameList<X>(a: readonly X[], b: readonly X[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Runs one case against its (combined) index, as Elasticsearch's BaseEqlSpecTestCase compares it. */
export function runConformanceCase(c: ConformanceCase, index: ConformanceIndex): CaseOutcome {
  const query = c.query.trim().replaceAll(`"${BARE_NULL_PLACEHOLDER}"`, "null");
  let ids: number[] = [];
  let keys: string[] = [];
  try {
    const compiled = compileEqlStatement(parseEql(query), { mapping: index.mapping, categoryField: "event.category" });
    const idOf = (doc: EventDoc): number => {
      const v = getValues(doc, c.id_field)[0];
      return typeof v === "number" ? v : Number(v);
    };
    const res = eqlSearch(
      compiled,
      index.docs.map((doc) => ({ doc, ref: doc })),
      { mapping: index.mapping, timestampField: "@timestamp", tiebreakerField: c.tiebreaker_field ?? undefined, size: c.size ?? 50, maxSamplesPerKey: c.max_samples_per_key },
    );
    if (res.kind === "events") ids = res.events.map(idOf);
    else {
      for (const s of res.sequences) {
        for (const e of s.events) ids.push(e === null ? -1 : idOf(e));
        for (const k of s.joinKeys) keys.push(keyText(k));
      }
    }
  } catch (e) {
    if (e instanceof EqlSyntaxError || e instanceof EqlCompileError) return { name: c.name, passed: false, actualIds: [], message: `query rejected: ${e.message.split("\n")[0]}` };
    throw e;
  }
  const expected = c.expected_event_ids;
  const alternatives: readonly (readonly number[])[] = expected.length > 0 && Array.isArray(expected[0]) ? (expected as readonly (readonly number[])[]) : [expected as readonly number[]];
  const idsOk = alternatives.some((alt) => sameList(alt, ids));
  let keysOk = true;
  if (c.join_keys !== undefined && c.join_keys.length > 0) {
    const want = c.join_keys.map((k) => (k === null || k === BARE_NULL_PLACEHOLDER ? "null" : k));
    keysOk = sameList(want, keys);
  } else if (c.join_keys !== undefined && c.join_keys.length === 0) keys = [];
  const passed = idsOk && keysOk;
  let message: string | undefined;
  if (!idsOk) message = `ids ${JSON.stringify(ids)}, expected ${JSON.stringify(alternatives.length === 1 ? alternatives[0] : alternatives)}`;
  else if (!keysOk) message = `join keys ${JSON.stringify(keys)}, expected ${JSON.stringify(c.join_keys)}`;
  return { name: c.name, passed, actualIds: ids, actualJoinKeys: keys, message };
}
