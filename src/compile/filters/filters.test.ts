// Kibana rule filters over events: Kibana's placement (filter / must_not, disabled dropped, the older
// top-level shapes), each Elasticsearch query type filters use, refusals that name what is missing, and the
// indexed forms of value-list sized queries checked against a plain scan.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileDslQuery, compileRuleFilters, filterClauses, FilterError } from "./filters.js";
import { ipInCidr, parseCidr, parseIp } from "../predicate/values.js";

const q = (query: unknown) => compileDslQuery(query, "q");

test("placement: negated filters go to must_not, disabled ones are dropped, `query` or the filter itself is the query", () => {
  const filters = [
    { meta: { negate: false, disabled: false }, query: { match_phrase: { "process.name": "bash" } } },
    { meta: { negate: true }, query: { wildcard: { "file.path": { value: "/tmp/*", case_insensitive: true } } } },
    // the older shape: the query at the top, beside meta and $state
    { $state: { store: "appState" }, exists: { field: "user.name" }, meta: { negate: true, type: "exists", key: "user.name", value: "exists" } },
    { meta: { disabled: true }, query: { match_none: {} } },
    // no meta at all: a plain filter
    { query: { term: { "host.os.type": "linux" } } },
  ];
  assert.deepEqual(filterClauses(filters), {
    filter: [{ match_phrase: { "process.name": "bash" } }, { term: { "host.os.type": "linux" } }],
    mustNot: [{ wildcard: { "file.path": { value: "/tmp/*", case_insensitive: true } } }, { exists: { field: "user.name" } }],
  });
  const p = compileRuleFilters(filters);
  assert.ok(p !== undefined);
  const ev = (o: Record<string, unknown>) => ({ process: { name: "bash" }, host: { os: { type: "linux" } }, file: { path: "/var/x" }, ...o });
  assert.equal(p(ev({})), true);
  assert.equal(p(ev({ file: { path: "/TMP/x" } })), false, "a negated filter that matches");
  assert.equal(p(ev({ user: { name: "root" } })), false, "the negated exists");
  assert.equal(p(ev({ process: { name: "sh" } })), false, "a filter that does not match");
  assert.equal(compileRuleFilters([]), undefined);
  assert.equal(compileRuleFilters([{ meta: { disabled: true }, query: { match_all: {} } }]), undefined);
});

test("query types: term, terms, match(_phrase), exists, range, prefix, wildcard, bool; arrays match any value", () => {
  assert.equal(q({ term: { a: "x" } })({ a: ["y", "x"] }), true);
  assert.equal(q({ term: { a: { value: "X", case_insensitive: true } } })({ a: "x" }), true);
  assert.equal(q({ term: { a: "X" } })({ a: "x" }), false);
  assert.equal(q({ term: { n: "3" } })({ n: 3 }), true);
  assert.equal(q({ term: { b: true } })({ b: "true" }), true);
  assert.equal(q({ terms: { a: ["p", "q"] } })({ a: "q" }), true);
  assert.equal(q({ match_phrase: { "a.b": { query: "v" } } })({ a: { b: "v" } }), true);
  assert.equal(q({ match: { "a.b": "v" } })({ "a.b": "v" }), true);
  assert.equal(q({ exists: { field: "a" } })({ a: null }), false);
  assert.equal(q({ exists: { field: "a" } })({ a: [null, 0] }), true);
  assert.equal(q({ range: { n: { gte: 10, lt: 20 } } })({ n: [5, 15] }), true);
  assert.equal(q({ range: { n: { gt: 10 } } })({ n: 10 }), false);
  assert.equal(q({ range: { t: { gte: "2026-01-01T00:00:00Z" } } })({ t: "2026-01-01T00:00:00.000Z" }), true);
  assert.equal(q({ prefix: { p: "/tmp/" } })({ p: "/tmp/a*b" }), true);
  assert.equal(q({ prefix: { p: "a*" } })({ p: "abc" }), false, "a prefix is literal");
  // Lucene's pattern: `?` one character, backslash escapes (here a literal backslash), case_insensitive
  const posh = q({ wildcard: { "file.directory": { case_insensitive: true, value: "?:\\\\Program Files\\\\WindowsPowerShell\\\\Modules\\\\*" } } });
  assert.equal(posh({ file: { directory: "C:\\program files\\WindowsPowerShell\\Modules\\Pester" } }), true);
  assert.equal(posh({ file: { directory: "CD:\\Program Files\\WindowsPowerShell\\Modules\\x" } }), false);
  assert.equal(q({ wildcard: { a: "x\\*" } })({ a: "x*" }), true);
  assert.equal(q({ wildcard: { a: "x\\*" } })({ a: "xy" }), false);
  const b = q({ bool: { should: [{ term: { a: 1 } }, { term: { a: 2 } }, { term: { c: 3 } }], minimum_should_match: 2, must_not: { term: { d: 4 } } } });
  assert.equal(b({ a: [1, 2] }), true);
  assert.equal(b({ a: 1 }), false);
  assert.equal(b({ a: [1, 2], d: 4 }), false);
  // should alone: one must hold; beside a must: none need to
  assert.equal(q({ bool: { should: [{ term: { a: 1 } }] } })({ a: 2 }), false);
  assert.equal(q({ bool: { filter: [{ term: { b: 1 } }], should: [{ term: { a: 1 } }] } })({ a: 2, b: 1 }), true);
});

test("refusals name the query type and where it is", () => {
  const refuse = (f: unknown[]) => assert.throws(() => compileRuleFilters(f), FilterError);
  refuse([{ query: { script: { script: "doc['a'].value > 1" } } }]);
  assert.throws(() => compileRuleFilters([{ meta: { negate: true }, query: { bool: { must: [{ query_string: { query: "a:b" } }] } } }]), {
    message: 'filters(must_not)[0].bool.must[0].query_string: the query type "query_string" is not supported in rule filters (term, terms, match, match_phrase, exists, range, prefix, wildcard, bool, nested, match_all, match_none are)',
  });
  assert.throws(() => compileRuleFilters([{ query: { range: { "@timestamp": { gte: "now-1d" } } } }]), { message: 'filters(must)[0].range.@timestamp.gte: date math ("now-1d") is not supported in rule filters' });
  refuse(["not an object"]);
  refuse([{ query: { term: { a: 1, b: 2 } } }]);
});

// ---- value-list sized queries: indexed, and the same answers as a plain scan -------------------------------

const ipOrder = (a: Uint8Array, b: Uint8Array) => {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
};
/** What a scan over the list answers: is the address one of the values, inside one of the CIDRs or ranges. */
function scanIp(v: string, values: readonly string[], ranges: readonly [string, string][]): boolean {
  const ip = parseIp(v);
  if (ip === undefined) return false;
  for (const w of values) {
    const c = w.includes("/") ? parseCidr(w) : undefined;
    if (c !== undefined ? ipInCidr(ip, c) : parseIp(w) !== undefined && ipOrder(parseIp(w)!, ip) === 0) return true;
  }
  return ranges.some(([lo, hi]) => ipOrder(parseIp(lo)!, ip) <= 0 && ipOrder(ip, parseIp(hi)!) <= 0);
}

const v4 = fc.tuple(fc.constantFrom(10, 192), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((p) => p.join("."));
const v6 = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 65535 })).map(([a, b]) => `fd00::${a.toString(16)}:${b.toString(16)}`);
const addr = fc.oneof(v4, v6, fc.constant("::ffff:10.1.2.3"), fc.constant("not-an-ip"));
const cidr = fc.oneof(fc.tuple(v4, fc.integer({ min: 8, max: 32 })).map(([a, n]) => `${a}/${n}`), fc.tuple(v6, fc.integer({ min: 96, max: 128 })).map(([a, n]) => `${a}/${n}`));

test("ip terms (addresses and CIDRs, as a value list gives them): set lookups answer as a scan does", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(addr, cidr), { maxLength: 30 }), fc.array(addr, { minLength: 1, maxLength: 4 }), (values, seen) => {
      const p = q({ terms: { "source.ip": values } });
      for (const v of seen) assert.equal(p({ source: { ip: v } }), scanIp(v, values, []), `${v} in ${JSON.stringify(values)}`);
    }),
    { seed: 1205, numRuns: 500 },
  );
});

test("ip ranges ORed (an ip_range list, with or without CIDRs; should and must_not): merged and bisected, as a scan answers", () => {
  const range = fc.tuple(addr, addr).filter(([a, b]) => parseIp(a) !== undefined && parseIp(b) !== undefined);
  fc.assert(
    fc.property(fc.array(range, { maxLength: 25 }), fc.array(cidr, { maxLength: 3 }), fc.array(addr, { minLength: 1, maxLength: 4 }), (ranges, cidrs, seen) => {
      const clauses: unknown[] = ranges.map(([gte, lte]) => ({ range: { "destination.ip": { gte, lte } } }));
      if (cidrs.length > 0) clauses.push({ terms: { "destination.ip": cidrs } });
      const should = q({ bool: { should: clauses, minimum_should_match: 1 } });
      const mustNot = q({ bool: { must_not: clauses } });
      for (const v of seen) {
        const want = scanIp(v, cidrs, ranges);
        assert.equal(should({ destination: { ip: v } }), want, `${v} in ${JSON.stringify(clauses)}`);
        assert.equal(mustNot({ destination: { ip: v } }), !want);
      }
    }),
    { seed: 1205, numRuns: 500 },
  );
  // two of the ranges must hold: counted one by one, not grouped
  const two = q({ bool: { should: [{ range: { "source.ip": { gte: "10.0.0.0", lte: "10.0.0.255" } } }, { range: { "source.ip": { gte: "10.0.0.128", lte: "10.0.1.0" } } }], minimum_should_match: 2 } });
  assert.deepEqual(["10.0.0.1", "10.0.0.200", "10.0.1.0"].map((ip) => two({ source: { ip } })), [false, true, false]);
});

test("keyword terms of text values: set lookups answer as the value-by-value comparison does", () => {
  const text = fc.oneof(fc.constantFrom("root", "3", " 3", "", "true", "1e3", "1000", "007"), fc.string({ maxLength: 4 }));
  const docValue = fc.oneof(text, fc.integer({ min: -2, max: 1001 }), fc.boolean(), fc.constant(null), fc.constant(3.0));
  fc.assert(
    fc.property(fc.array(text, { maxLength: 12 }), fc.array(docValue, { minLength: 1, maxLength: 3 }), (values, seen) => {
      const indexed = q({ terms: { "user.name": values } });
      // an object among the values makes the query compare value by value (it never equals a scalar here)
      const scanned = q({ terms: { "user.name": [...values, { never: true }] } });
      for (const v of seen) {
        if (v === "[object Object]") continue;
        assert.equal(indexed({ user: { name: v } }), scanned({ user: { name: v } }), `${JSON.stringify(v)} in ${JSON.stringify(values)}`);
      }
    }),
    { seed: 1205, numRuns: 1000 },
  );
});
