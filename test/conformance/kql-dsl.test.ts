// Conformance: every `dsl` case of kql_cases.json (docs/kql.md §9) through parseKql and
// toElasticsearchQuery, deep-equal to Kibana's output, run whole with a count assertion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseKql, type KqlNode } from "../../src/lang/kql/index.js";
import { toElasticsearchQuery, type DslConfig, type DslNode, type IndexPattern } from "../../src/compile/dsl/index.js";
import { KIBANA_STUB_INDEX_PATTERN } from "../../src/compile/dsl/kibana-stub-fields.js";
import { KQL_CASES } from "../../src/testing/paths.js";

interface DslCase {
  kind: "dsl";
  query: string;
  expected_dsl: unknown;
  options?: { index_pattern?: string; config?: DslConfig };
}

// Compile-time check that the parser's AST is accepted by the translator as-is.
const asDslNode = (n: KqlNode): DslNode => n;

const all: unknown = JSON.parse(readFileSync(KQL_CASES, "utf8"));
assert.ok(Array.isArray(all));
const cases = (all as { kind: string }[]).filter((c): c is DslCase => c.kind === "dsl");

function indexPatternFor(c: DslCase): IndexPattern | undefined {
  const name = c.options?.index_pattern;
  if (name === undefined) return undefined;
  assert.equal(name, "kibana_stub_fields", `unknown index pattern ${name}`);
  return KIBANA_STUB_INDEX_PATTERN;
}

test("kql_cases.json dsl: all 47 cases match Kibana's DSL", () => {
  assert.equal(cases.length, 47);
  const failures: string[] = [];
  let passed = 0;
  for (const c of cases) {
    try {
      const got = toElasticsearchQuery(asDslNode(parseKql(c.query)), indexPatternFor(c), c.options?.config ?? {});
      assert.deepStrictEqual(got, c.expected_dsl);
      passed++;
    } catch (e) {
      failures.push(`${JSON.stringify(c.query)} ${JSON.stringify(c.options ?? {})}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(passed, 47);
});
