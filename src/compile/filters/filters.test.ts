// Kibana rule filters over events: Kibana's placement (filter / must_not, disabled dropped, the older
// top-level shapes), each Elasticsearch query type filters use, and refusals that name what is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileDslQuery, compileRuleFilters, filterClauses, FilterError } from "./filters.js";

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
