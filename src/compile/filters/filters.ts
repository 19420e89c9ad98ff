// A rule's Kibana filters (`[[rule.filters]]`, the `filters` of a rule export) as Kibana's detection engine
// applies them: es-query's buildQueryFromFilters drops disabled filters (`meta.disabled: true`), takes each
// filter's `query` (or, for the older shapes such as `{exists: …}` at the top, the filter itself without
// `meta` and `$state`) and puts it in the request's `bool.filter`, or in `bool.must_not` when
// `meta.negate` is true. Every filter must hold, no negated one may (docs/engine.md "Rule filters").
//
// Locally the queries run over `_source` (compileDslQuery). The Elasticsearch query types filters are made
// of are understood: term, terms, match and match_phrase (on keyword values: equality), exists, range,
// prefix, wildcard (Lucene's pattern: `*`, `?`, backslash escapes; `case_insensitive`), bool (must,
// filter, should with minimum_should_match, must_not), nested, match_all and match_none. On fields ECS
// types as ip, term, terms and range compare addresses, and a CIDR value matches the addresses in it. Another type makes the
// rule unrunnable with the type named (FilterError), never a silent pass.

import { fieldAccessor } from "../../event/fields.js";
import type { EventDoc } from "../../event/types.js";
import { isJsonObject } from "../../util/json-object.js";
import { compileLuceneWildcard } from "../../util/wildcard.js";
import { ecsFieldType } from "../../ecs/field-types.js";
import { parseCidr, parseIp, type IpBytes } from "../predicate/values.js";

export type DslQuery = Record<string, unknown>;
type Predicate = (doc: EventDoc) => boolean;

/** A filter tern cannot apply; the message names what and where (`filters[1].query.script`). */
export class FilterError extends Error {}

/** Kibana's request clauses for a rule's filters: the queries that must hold and those that must not. */
export function filterClauses(filters: readonly unknown[]): { filter: DslQuery[]; mustNot: DslQuery[] } {
  const filter: DslQuery[] = [];
  const mustNot: DslQuery[] = [];
  filters.forEach((f, i) => {
    if (!isJsonObject(f)) throw new FilterError(`filters[${i}] is not an object`);
    const meta = isJsonObject(f.meta) ? f.meta : {};
    if (meta.disabled === true) return;
    let q: DslQuery;
    if (isJsonObject(f.query)) q = f.query;
    else {
      const { meta: _m, $state: _s, ...rest } = f;
      q = rest;
    }
    (meta.negate === true ? mustNot : filter).push(q);
  });
  return { filter, mustNot };
}

/** The filters as one predicate over `_source`; undefined when there are none to apply. */
export function compileRuleFilters(filters: readonly unknown[] | undefined): Predicate | undefined {
  if (filters === undefined || filters.length === 0) return undefined;
  const { filter, mustNot } = filterClauses(filters);
  if (filter.length === 0 && mustNot.length === 0) return undefined;
  const yes = filter.map((q, i) => compileDslQuery(q, `filters(must)[${i}]`));
  const no = mustNot.map((q, i) => compileDslQuery(q, `filters(must_not)[${i}]`));
  return (doc) => yes.every((p) => p(doc)) && !no.some((p) => p(doc));
}

/** One Elasticsearch query over an event's `_source`. */
export function compileDslQuery(q: unknown, where: string): Predicate {
  if (!isJsonObject(q)) throw new FilterError(`${where} is not a query object`);
  const keys = Object.keys(q);
  if (keys.length !== 1) throw new FilterError(`${where} must hold exactly one query type, not ${keys.length === 0 ? "none" : keys.join(", ")}`);
  const type = keys[0];
  const body = q[type];
  const at = `${where}.${type}`;
  switch (type) {
    case "match_all":
      return () => true;
    case "match_none":
      return () => false;
    case "bool":
      return boolQuery(body, at);
    case "exists": {
      if (!isJsonObject(body) || typeof body.field !== "string") throw new FilterError(`${at} needs a "field"`);
      const get = fieldAccessor(body.field);
      return (doc) => get(doc).some((v) => v !== null && v !== undefined);
    }
    case "term":
    case "match":
    case "match_phrase": {
      const { field, value, caseInsensitive } = fieldAndValue(body, at, type === "term" ? "value" : "query");
      const get = fieldAccessor(field);
      if (ecsFieldType(field) === "ip" && typeof value === "string") {
        const inIp = ipMatcher([value]);
        return (doc) => get(doc).some(inIp);
      }
      const want = caseInsensitive ? String(value).toLowerCase() : value;
      return (doc) => get(doc).some((v) => sameValue(v, want, caseInsensitive));
    }
    case "terms": {
      if (!isJsonObject(body)) throw new FilterError(`${at} needs {field: [values]}`);
      const fields = Object.keys(body).filter((k) => k !== "boost");
      const values = fields.length === 1 ? body[fields[0]] : undefined;
      if (!Array.isArray(values)) throw new FilterError(`${at} needs {field: [values]}`);
      const get = fieldAccessor(fields[0]);
      if (ecsFieldType(fields[0]) === "ip" && values.every((w) => typeof w === "string")) {
        const inIp = ipMatcher(values as string[]);
        return (doc) => get(doc).some(inIp);
      }
      if (values.every((w) => typeof w === "string")) {
        // A value list can hold a million keywords: one set lookup per value instead of a scan.
        const has = stringTermsMatcher(values as string[]);
        return (doc) => get(doc).some(has);
      }
      return (doc) => get(doc).some((v) => values.some((w) => sameValue(v, w, false)));
    }
    case "prefix":
    case "wildcard": {
      const { field, value, caseInsensitive } = fieldAndValue(body, at, "value");
      if (typeof value !== "string") throw new FilterError(`${at} needs a string pattern`);
      const pattern = type === "prefix" ? `${value.replace(/[\\*?]/g, (c) => `\\${c}`)}*` : value;
      const match = compileLuceneWildcard(pattern, { caseInsensitive });
      const get = fieldAccessor(field);
      return (doc) => get(doc).some((v) => typeof v === "string" && match(v));
    }
    case "range":
      return rangeQuery(body, at);
    case "nested": {
      // Some one element of the object array at `path` must satisfy the query, whose fields are full paths.
      if (!isJsonObject(body) || typeof body.path !== "string" || body.path === "") throw new FilterError(`${at} needs a "path" and a "query"`);
      const path = body.path;
      const inner = compileDslQuery(body.query, `${at}.query`);
      const get = fieldAccessor(path);
      const parts = path.split(".");
      const scoped = (el: Record<string, unknown>): EventDoc => {
        let doc: Record<string, unknown> = el;
        for (let i = parts.length - 1; i >= 0; i--) doc = { [parts[i]]: doc };
        return doc;
      };
      return (doc) => get(doc).some((el) => isJsonObject(el) && inner(scoped(el)));
    }
    default:
      throw new FilterError(`${at}: the query type "${type}" is not supported in rule filters (term, terms, match, match_phrase, exists, range, prefix, wildcard, bool, nested, match_all, match_none are)`);
  }
}

function fieldAndValue(body: unknown, at: string, valueKey: string): { field: string; value: unknown; caseInsensitive: boolean } {
  if (!isJsonObject(body)) throw new FilterError(`${at} needs {field: value}`);
  const fields = Object.keys(body);
  if (fields.length !== 1) throw new FilterError(`${at} needs exactly one field`);
  const field = fields[0];
  const raw = body[field];
  if (isJsonObject(raw)) {
    if (!(valueKey in raw)) throw new FilterError(`${at}.${field} needs "${valueKey}"`);
    return { field, value: raw[valueKey], caseInsensitive: raw.case_insensitive === true };
  }
  return { field, value: raw, caseInsensitive: false };
}

/** An address as 32 hex digits: text order is address order, so keys sort and compare as addresses do. */
function ipKey(ip: IpBytes): string {
  return Buffer.from(ip.buffer, ip.byteOffset, 16).toString("hex");
}

/** The key of the network of `ip` with a prefix of `bits` (host bits zeroed). */
function netKey(ip: IpBytes, bits: number): string {
  const net = new Uint8Array(16);
  const full = bits >> 3;
  net.set(ip.subarray(0, full));
  if ((bits & 7) !== 0) net[full] = ip[full] & ((0xff << (8 - (bits & 7))) & 0xff);
  return ipKey(net);
}

/**
 * On an ip field Elasticsearch compares addresses, not text (`::ffff:10.0.0.1` is `10.0.0.1`), and a
 * value written as a CIDR matches every address inside it. Addresses are one set; CIDRs one set of
 * networks per prefix length, so a list of 100,000 CIDRs costs a lookup per distinct length.
 */
function ipMatcher(values: readonly string[]): (v: unknown) => boolean {
  const ips = new Set<string>();
  const nets = new Map<number, Set<string>>();
  for (const w of values) {
    const c = w.includes("/") ? parseCidr(w) : undefined;
    if (c !== undefined) {
      let set = nets.get(c.bits);
      if (set === undefined) nets.set(c.bits, (set = new Set()));
      set.add(netKey(c.net, c.bits));
    } else {
      const ip = parseIp(w);
      if (ip !== undefined) ips.add(ipKey(ip));
    }
  }
  return (v) => {
    if (typeof v !== "string") return false;
    const ip = parseIp(v);
    if (ip === undefined) return false;
    if (ips.has(ipKey(ip))) return true;
    for (const [bits, set] of nets) if (set.has(netKey(ip, bits))) return true;
    return false;
  };
}

/** `terms` over text values, as `sameValue` compares, by set lookups (numbers against the numeric values). */
function stringTermsMatcher(values: readonly string[]): (v: unknown) => boolean {
  const text = new Set(values);
  let numbers: Set<number> | undefined;
  const numeric = (): Set<number> => (numbers ??= new Set(values.filter((w) => w.trim() !== "").map(Number).filter((n) => !Number.isNaN(n))));
  return (v) => {
    if (typeof v === "string") return text.has(v);
    if (typeof v === "number") return numeric().has(v);
    if (typeof v === "boolean") return text.has(String(v));
    return false;
  };
}

/**
 * The `{range: {F: {gte: a, lte: b}}}` clauses on ip fields among `clauses` (an ip_range value list is
 * thousands of them, ORed) as one predicate per field — the ranges sorted and merged, an address found by
 * bisection — and the other clauses as they are. Only for clauses of which any one holding is enough.
 */
function groupIpRanges(clauses: readonly unknown[]): { grouped: Predicate[]; rest: [unknown, number][] } {
  const byField = new Map<string, [string, string][]>();
  const rest: [unknown, number][] = [];
  for (const [i, c] of clauses.entries()) {
    const r = ipRangeClause(c);
    if (r === undefined) {
      rest.push([c, i]);
      continue;
    }
    let list = byField.get(r.field);
    if (list === undefined) byField.set(r.field, (list = []));
    list.push([r.lo, r.hi]);
  }
  return { grouped: [...byField].map(([field, ranges]) => ipRangesPredicate(field, ranges)), rest };
}

function ipRangeClause(c: unknown): { field: string; lo: string; hi: string } | undefined {
  if (!isJsonObject(c) || Object.keys(c).length !== 1 || !isJsonObject(c.range)) return undefined;
  const fields = Object.keys(c.range);
  if (fields.length !== 1 || ecsFieldType(fields[0]) !== "ip") return undefined;
  const b = c.range[fields[0]];
  if (!isJsonObject(b) || Object.keys(b).length !== 2 || typeof b.gte !== "string" || typeof b.lte !== "string") return undefined;
  const lo = parseIp(b.gte);
  const hi = parseIp(b.lte);
  return lo === undefined || hi === undefined ? undefined : { field: fields[0], lo: ipKey(lo), hi: ipKey(hi) };
}

function ipRangesPredicate(field: string, ranges: [string, string][]): Predicate {
  const sorted = ranges.filter(([l, h]) => l <= h).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const starts: string[] = [];
  const ends: string[] = [];
  for (const [l, h] of sorted) {
    const n = ends.length;
    if (n > 0 && l <= ends[n - 1]) {
      if (h > ends[n - 1]) ends[n - 1] = h;
    } else {
      starts.push(l);
      ends.push(h);
    }
  }
  const get = fieldAccessor(field);
  const inRanges = (v: unknown): boolean => {
    if (typeof v !== "string") return false;
    const ip = parseIp(v);
    if (ip === undefined) return false;
    const k = ipKey(ip);
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && k <= ends[lo - 1];
  };
  return (doc) => get(doc).some(inRanges);
}

/** A keyword / number / boolean value equal to the query's (numbers by value: `"3"` = 3 on a numeric field). */
function sameValue(v: unknown, want: unknown, caseInsensitive: boolean): boolean {
  if (v === null || v === undefined || typeof v === "object") return false;
  if (typeof v === "number" || typeof want === "number") return Number(v) === Number(want) && String(want).trim() !== "";
  if (typeof v === "boolean" || typeof want === "boolean") return String(v) === String(want);
  return caseInsensitive ? String(v).toLowerCase() === want : String(v) === String(want);
}

function boolQuery(body: unknown, at: string): Predicate {
  if (!isJsonObject(body)) throw new FilterError(`${at} is not an object`);
  const raw = (k: string): unknown[] => {
    const v = body[k];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const compileAll = (qs: readonly unknown[], k: string): Predicate[] => qs.map((q, i) => compileDslQuery(q, `${at}.${k}[${i}]`));
  const list = (k: string): Predicate[] => compileAll(raw(k), k);
  // Clauses of which any one is enough, ip ranges grouped (an ip_range value list is thousands of them).
  const anyOf = (k: string): Predicate[] => {
    const { grouped, rest } = groupIpRanges(raw(k));
    return [...grouped, ...rest.map(([q, i]) => compileDslQuery(q, `${at}.${k}[${i}]`))];
  };
  for (const k of Object.keys(body)) {
    if (!["must", "filter", "should", "must_not", "minimum_should_match", "boost", "_name"].includes(k)) throw new FilterError(`${at}.${k} is not a bool clause`);
  }
  const must = [...list("must"), ...list("filter")];
  const shouldRaw = raw("should");
  const mustNot = anyOf("must_not");
  // Elasticsearch: with no must/filter clause at least one should clause must match, else none need to.
  const msm = body.minimum_should_match;
  let min = must.length === 0 && shouldRaw.length > 0 ? 1 : 0;
  if (typeof msm === "number") min = msm < 0 ? Math.max(0, shouldRaw.length + msm) : msm;
  else if (typeof msm === "string" && /^-?\d+$/.test(msm)) min = Number(msm) < 0 ? Math.max(0, shouldRaw.length + Number(msm)) : Number(msm);
  else if (msm !== undefined) throw new FilterError(`${at}.minimum_should_match "${String(msm)}": only whole numbers are supported`);
  const should = min === 1 ? anyOf("should") : list("should");
  return (doc) => {
    if (!must.every((p) => p(doc)) || mustNot.some((p) => p(doc))) return false;
    if (min === 0) return true;
    let n = 0;
    for (const p of should) if (p(doc) && ++n >= min) return true;
    return false;
  };
}

function rangeQuery(body: unknown, at: string): Predicate {
  if (!isJsonObject(body)) throw new FilterError(`${at} needs {field: {gte, lt, …}}`);
  const fields = Object.keys(body);
  if (fields.length !== 1 || !isJsonObject(body[fields[0]])) throw new FilterError(`${at} needs {field: {gte, lt, …}}`);
  const bounds = body[fields[0]] as Record<string, unknown>;
  const ops: [string, (c: number) => boolean][] = [
    ["gt", (c) => c > 0],
    ["gte", (c) => c >= 0],
    ["lt", (c) => c < 0],
    ["lte", (c) => c <= 0],
  ];
  const checks: { bound: unknown; ok: (c: number) => boolean }[] = [];
  for (const [k, ok] of ops) {
    const bound = bounds[k];
    if (bound === undefined || bound === null) continue;
    // a relative time needs the execution's clock, which a filter predicate does not have
    if (typeof bound === "string" && (/^now/.test(bound) || bound.includes("||"))) throw new FilterError(`${at}.${fields[0]}.${k}: date math ("${bound}") is not supported in rule filters`);
    checks.push({ bound, ok });
  }
  for (const k of Object.keys(bounds)) {
    if (!["gt", "gte", "lt", "lte", "format", "boost", "time_zone", "relation"].includes(k)) throw new FilterError(`${at}.${fields[0]}.${k} is not supported`);
  }
  const get = fieldAccessor(fields[0]);
  const cmp = ecsFieldType(fields[0]) === "ip" ? compareIp : compareRange;
  return (doc) => get(doc).some((v) => checks.every(({ bound, ok }) => {
    const c = cmp(v, bound);
    return c !== undefined && ok(c);
  }));
}

/** Addresses in their 16-byte form, byte by byte (IPv4 as mapped IPv6, as Elasticsearch stores them). */
function compareIp(v: unknown, bound: unknown): number | undefined {
  if (typeof v !== "string" || typeof bound !== "string") return undefined;
  const a = parseIp(v);
  const b = parseIp(bound);
  if (a === undefined || b === undefined) return undefined;
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** value vs bound: numbers by value, ISO dates by time, other strings by code units; undefined if not comparable. */
function compareRange(v: unknown, bound: unknown): number | undefined {
  const num = (x: unknown) => (typeof x === "number" ? x : typeof x === "string" && x.trim() !== "" && !Number.isNaN(Number(x)) ? Number(x) : undefined);
  const a = num(v);
  const b = num(bound);
  if (a !== undefined && b !== undefined) return a - b;
  if (typeof v === "string" && typeof bound === "string") {
    const ta = Date.parse(v);
    const tb = Date.parse(bound);
    if (/^\d{4}-\d{2}-\d{2}/.test(v) && /^\d{4}-\d{2}-\d{2}/.test(bound) && !Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
    return v < bound ? -1 : v > bound ? 1 : 0;
  }
  return undefined;
}
