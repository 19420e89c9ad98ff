// docs/kql.md §9: every `match` case of kql_cases.json, run whole, through both the compiled predicate
// and the reference interpreter, with the default (ECS) field types and with no types at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { KQL_CASES } from "../../testing/paths.js";
import { parseKql } from "../../lang/kql/index.js";
import { compileKql, evaluateKql, type KqlEvalOptions } from "./index.js";

interface MatchCase {
  kind: "match";
  query: string;
  doc: Record<string, unknown>;
  expected: boolean;
  note?: string;
}

const all = JSON.parse(readFileSync(KQL_CASES, "utf8")) as Array<{ kind: string }>;
const cases = all.filter((c): c is MatchCase => c.kind === "match");

const MODES: Array<[string, KqlEvalOptions]> = [
  ["default ECS types", {}],
  ["no field types", { fieldTypes: () => undefined }],
];

test("kql_cases.json: all 135 match cases agree with the expected result, compiled and interpreted", () => {
  assert.equal(cases.length, 135);
  const failures: string[] = [];
  for (const [label, opts] of MODES) {
    for (const [i, c] of cases.entries()) {
      const ast = parseKql(c.query);
      const compiled = compileKql(ast, opts)(c.doc);
      const reference = evaluateKql(ast, c.doc, opts);
      if (compiled !== c.expected || reference !== c.expected) {
        failures.push(`#${i} [${label}] ${c.query} on ${JSON.stringify(c.doc)}: compiled=${compiled} reference=${reference} expected=${c.expected}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test("query text and a pre-parsed AST give the same predicate", () => {
  const q = cases[0].query;
  assert.equal(compileKql(q)(cases[0].doc), compileKql(parseKql(q))(cases[0].doc));
  assert.equal(evaluateKql(q, cases[0].doc), true);
});
