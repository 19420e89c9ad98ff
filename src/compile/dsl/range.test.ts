// Unit tests for the `range` translation (src/compile/dsl/range.ts, docs/kql.md §5 "range").
import { test } from "node:test";
import assert from "node:assert/strict";
import { toElasticsearchQuery } from "./index.js";
import { KIBANA_STUB_INDEX_PATTERN as STUB } from "./kibana-stub-fields.js";
import { range, should1, wc } from "./testkit.js";

test("range: value as written, per operator", () => {
  assert.deepEqual(toElasticsearchQuery(range("bytes", "gte", "10")), should1({ range: { bytes: { gte: "10" } } }));
  assert.deepEqual(toElasticsearchQuery(range("a", "lt", wc("10*"))), should1({ range: { a: { lt: "10*" } } }));
});

test("range: date field adds time_zone except for epoch digits", () => {
  assert.deepEqual(
    toElasticsearchQuery(range("@timestamp", "gt", "now-1d"), STUB, { dateFormatTZ: "UTC" }),
    should1({ range: { "@timestamp": { gt: "now-1d", time_zone: "UTC" } } }),
  );
  assert.deepEqual(
    toElasticsearchQuery(range("@timestamp", "gt", "1000"), STUB, { dateFormatTZ: "UTC" }),
    should1({ range: { "@timestamp": { gt: "1000" } } }),
  );
  assert.deepEqual(
    toElasticsearchQuery(range("bytes", "gt", "1000"), STUB, { dateFormatTZ: "UTC" }),
    should1({ range: { bytes: { gt: "1000" } } }),
  );
});

test("range: wildcard name over nested fields wraps each in nested, with ignore_unmapped", () => {
  assert.deepEqual(
    toElasticsearchQuery(range(wc("*Child*"), "lt", "5"), STUB, { nestedIgnoreUnmapped: false }),
    should1({
      nested: {
        path: "nestedField.nestedChild",
        query: { range: { "nestedField.nestedChild.doublyNestedChild": { lt: "5" } } },
        score_mode: "none",
        ignore_unmapped: false,
      },
    }),
  );
});

test("range: scripted number field parses the value and builds a script", () => {
  assert.deepEqual(toElasticsearchQuery(range("script number", "gt", "1.5"), STUB), should1({
    script: { script: { source: "(1234)>gt", lang: "expression", params: { gt: 1.5 } } },
  }));
  assert.deepEqual(toElasticsearchQuery(range("script date", "lte", "2020-01-01T00:00:00Z"), STUB), should1({
    script: {
      script: {
        source:
          "boolean lte(Supplier s, def v) { return s.get().toInstant().compareTo(Instant.parse(v)) <= 0; } lte(() -> { 1234 }, params.lte)",
        lang: "painless",
        params: { lte: "2020-01-01T00:00:00Z" },
      },
    },
  }));
});
