// Unit tests for the `is` translation (src/compile/dsl/is.ts, docs/kql.md §5 "is").
import { test } from "node:test";
import assert from "node:assert/strict";
import { toElasticsearchQuery, KqlDslError } from "./index.js";
import { KIBANA_STUB_INDEX_PATTERN as STUB } from "./kibana-stub-fields.js";
import { is, lit, should1, wc } from "./testkit.js";

test("is: *:* is match_all", () => {
  assert.deepEqual(toElasticsearchQuery(is(wc("*"), wc("*"))), { match_all: {} });
});

test("is: free text literal is multi_match best_fields, quoted is phrase", () => {
  assert.deepEqual(toElasticsearchQuery(is(null, "foo")), {
    multi_match: { type: "best_fields", query: "foo", lenient: true },
  });
  assert.deepEqual(toElasticsearchQuery(is(null, lit("foo bar", true))), {
    multi_match: { type: "phrase", query: "foo bar", lenient: true },
  });
});

test("is: free text wildcard is query_string without fields, escaped", () => {
  assert.deepEqual(toElasticsearchQuery(is(null, wc("/tmp/a*"))), { query_string: { query: "\\/tmp\\/a*" } });
  assert.deepEqual(toElasticsearchQuery(is(null, wc("*"))), { query_string: { query: "*" } });
});

test("is: no index pattern sends match / match_phrase / query_string / exists on the raw name", () => {
  assert.deepEqual(toElasticsearchQuery(is("foo", "bar")), should1({ match: { foo: "bar" } }));
  assert.deepEqual(toElasticsearchQuery(is("foo", lit("bar", true))), should1({ match_phrase: { foo: "bar" } }));
  assert.deepEqual(toElasticsearchQuery(is("foo", wc("b-c*"))), should1({ query_string: { fields: ["foo"], query: "b\\-c*" } }));
  assert.deepEqual(toElasticsearchQuery(is("foo", wc("*"))), should1({ exists: { field: "foo" } }));
  assert.deepEqual(toElasticsearchQuery(is(wc("process.*"), "x")), should1({ match: { "process.*": "x" } }));
  assert.deepEqual(toElasticsearchQuery(is("a", null)), should1({ match: { a: null } }));
  assert.deepEqual(toElasticsearchQuery(is("a", false)), should1({ match: { a: false } }));
});

test("is: keyword field gives term and wildcard, with case_insensitive only when a boolean", () => {
  assert.deepEqual(
    toElasticsearchQuery(is("machine.os.keyword", "Win 7"), STUB),
    should1({ term: { "machine.os.keyword": { value: "Win 7" } } }),
  );
  assert.deepEqual(
    toElasticsearchQuery(is("machine.os.keyword", wc("win*")), STUB, { caseInsensitive: false }),
    should1({ wildcard: { "machine.os.keyword": { value: "win*", case_insensitive: false } } }),
  );
});

test("is: date field is a closed range; time_zone unless the value is epoch digits", () => {
  assert.deepEqual(
    toElasticsearchQuery(is("@timestamp", "2020-01-01"), STUB),
    should1({ range: { "@timestamp": { gte: "2020-01-01", lte: "2020-01-01" } } }),
  );
  assert.deepEqual(
    toElasticsearchQuery(is("@timestamp", "2020-01-01"), STUB, { dateFormatTZ: "Europe/Paris" }),
    should1({ range: { "@timestamp": { gte: "2020-01-01", lte: "2020-01-01", time_zone: "Europe/Paris" } } }),
  );
  assert.deepEqual(
    toElasticsearchQuery(is("@timestamp", "1577836800000"), STUB, { dateFormatTZ: "Europe/Paris" }),
    should1({ range: { "@timestamp": { gte: "1577836800000", lte: "1577836800000" } } }),
  );
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  assert.deepEqual(
    toElasticsearchQuery(is("@timestamp", "2020-01-01"), STUB, { dateFormatTZ: "Browser" }),
    should1({ range: { "@timestamp": { gte: "2020-01-01", lte: "2020-01-01", time_zone: browser } } }),
  );
});

test("is: wildcard field name expands against the index pattern; unknown names pass through", () => {
  assert.deepEqual(
    toElasticsearchQuery(is(wc("machine.os*"), "osx"), STUB),
    should1(
      { match: { "machine.os": "osx" } },
      { match: { "machine.os.raw": "osx" } },
      { term: { "machine.os.keyword": { value: "osx" } } },
    ),
  );
  assert.deepEqual(toElasticsearchQuery(is("no.such", "x"), STUB), should1({ match: { "no.such": "x" } }));
  assert.deepEqual(toElasticsearchQuery(is(wc("zz*"), "x"), STUB), should1({ match: { "zz*": "x" } }));
});

test("is: wildcard name covering a nested field auto-wraps it in nested", () => {
  assert.deepEqual(
    toElasticsearchQuery(is(wc("nestedField.ch*"), wc("*")), STUB),
    should1({ nested: { path: "nestedField", query: { exists: { field: "nestedField.child" } }, score_mode: "none" } }),
  );
});

test("is: nested field outside a nested group throws Kibana's message", () => {
  assert.throws(
    () => toElasticsearchQuery(is("nestedField.child", "x"), STUB),
    (e: unknown) =>
      e instanceof KqlDslError &&
      e.message === "nestedField.child is a nested field, but is not in a nested group in the KQL expression.",
  );
});

test("is: scripted field gives a script query with the value as a param", () => {
  const q = toElasticsearchQuery(is("script string", "i am a string"), STUB);
  assert.deepEqual(q, should1({
    script: { script: { source: "('i am a string') == value", lang: "expression", params: { value: "i am a string" } } },
  }));
  const p = toElasticsearchQuery(is("script date", "x"), STUB);
  assert.deepEqual(p, should1({
    script: {
      script: {
        source:
          "boolean ternEq(Supplier s, def v) { def x = s.get(); if (x instanceof List) { for (def e : x) { if (e == v) { return true; } } return false; } return x == v; } ternEq(() -> { 1234 }, params.value);",
        lang: "painless",
        params: { value: "x" },
      },
    },
  }));
});

test("is: exists on a scripted field yields no clause", () => {
  assert.deepEqual(toElasticsearchQuery(is("script number", wc("*")), STUB), should1());
});

test("is: boolean scripted field converts 'true'/'false' and rejects other values", () => {
  const ip = { fields: [{ name: "sb", type: "boolean", scripted: true, script: "true", lang: "expression" }] };
  assert.deepEqual(toElasticsearchQuery(is("sb", "true"), ip), should1({
    script: { script: { source: "(true) == value", lang: "expression", params: { value: true } } },
  }));
  assert.throws(() => toElasticsearchQuery(is("sb", "maybe"), ip), {
    message: "maybe is not a valid boolean value for boolean field sb",
  });
});
