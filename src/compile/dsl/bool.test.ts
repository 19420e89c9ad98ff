// Unit tests for and / or / not / exists / nested translation (src/compile/dsl/{and,or,not,exists,nested}.ts,
// docs/kql.md §5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { toElasticsearchQuery, KqlDslError } from "./index.js";
import { KIBANA_STUB_INDEX_PATTERN as STUB } from "./kibana-stub-fields.js";
import { and, exists, is, lit, nested, not, or, should1, wc } from "./testkit.js";

const ab = should1({ match: { a: "b" } });
const cd = should1({ match: { c: "d" } });

test("and: filter, or must with filtersInMustClause", () => {
  assert.deepEqual(toElasticsearchQuery(and(is("a", "b"), is("c", "d"))), { bool: { filter: [ab, cd] } });
  assert.deepEqual(toElasticsearchQuery(and(is("a", "b"), is("c", "d")), undefined, { filtersInMustClause: true }), {
    bool: { must: [ab, cd] },
  });
  assert.deepEqual(toElasticsearchQuery(and()), { bool: { filter: [] } });
});

test("or: should with minimum_should_match 1", () => {
  assert.deepEqual(toElasticsearchQuery(or(is("a", "b"), is("c", "d"))), {
    bool: { should: [ab, cd], minimum_should_match: 1 },
  });
});

test("not: must_not holds one object", () => {
  assert.deepEqual(toElasticsearchQuery(not(is("a", "b"))), { bool: { must_not: ab } });
});

test("exists: programmatic node, prefixed inside nested, rejected on scripted fields", () => {
  assert.deepEqual(toElasticsearchQuery(exists("a")), { exists: { field: "a" } });
  assert.deepEqual(toElasticsearchQuery(nested("n", exists("a"))), {
    nested: { path: "n", query: { exists: { field: "n.a" } }, score_mode: "none" },
  });
  assert.throws(() => toElasticsearchQuery(exists("script number"), STUB), {
    name: "KqlDslError",
    message: "Exists query does not support scripted fields",
  });
});

test("nested: paths compose, children are prefixed, free text becomes path.null", () => {
  assert.deepEqual(toElasticsearchQuery(nested("a", nested("b", is("c", "1")))), {
    nested: {
      path: "a",
      query: { nested: { path: "a.b", query: should1({ match: { "a.b.c": "1" } }), score_mode: "none" } },
      score_mode: "none",
    },
  });
  assert.deepEqual(toElasticsearchQuery(nested("p", is(null, "x")), undefined, { nestedIgnoreUnmapped: true }), {
    nested: { path: "p", query: should1({ match: { "p.null": "x" } }), score_mode: "none", ignore_unmapped: true },
  });
});

test("nested: wildcard names inside a nested group are not wrapped again", () => {
  assert.deepEqual(toElasticsearchQuery(nested("nestedField", is(wc("ch*"), "x")), STUB), {
    nested: { path: "nestedField", query: should1({ match: { "nestedField.child": "x" } }), score_mode: "none" },
  });
});

test("nested: Kibana's nested-path errors", () => {
  const msg = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof KqlDslError) return e.message;
    }
    return "no error";
  };
  assert.equal(
    msg(() => toElasticsearchQuery(nested("nestedField", is("bytesX", "1")), { fields: [{ name: "nestedField.bytesX", type: "number" }] })),
    'nestedField.bytesX is not a nested field but is in nested group "nestedField" in the KQL expression.',
  );
  assert.equal(
    msg(() => toElasticsearchQuery(nested("nestedField", is("doublyNestedChild", "1")), {
      fields: [{ name: "nestedField.doublyNestedChild", type: "string", subType: { nested: { path: "other" } } }],
    })),
    "Nested field nestedField.doublyNestedChild is being queried with the incorrect nested path. The correct path is other.",
  );
  assert.equal(
    msg(() => toElasticsearchQuery(nested("nestedField", nested("nestedChild", is("doublyNestedChild", "1"))), STUB)),
    "no error",
  );
});

test("literal and wildcard nodes are not queries", () => {
  assert.throws(() => toElasticsearchQuery(lit("x")), { name: "KqlDslError" });
});
