// Conformance for the KQL parser (docs/kql.md §4, §9): every `parse_error` case of kql_cases.json is
// rejected with Kibana's exact caret offset, and every `match`/`dsl` query parses. Run whole, with counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { KQL_CASES } from "../../src/testing/paths.js";
import { KqlSyntaxError, parseKql, type ParseKqlOptions } from "../../src/lang/kql/index.js";

interface Case {
  kind: "parse_error" | "match" | "dsl";
  query: string;
  kibana_message?: string;
  options?: ParseKqlOptions & Record<string, unknown>;
}

const cases = JSON.parse(readFileSync(KQL_CASES, "utf8")) as Case[];

// Caret offsets of Kibana's KQLSyntaxError for each parse_error case (the case file records only the first
// line). Each one points at the character the first line names ("but X found"), as Kibana's peggy parser
// reports the furthest failure position.
const OFFSETS: Record<string, number> = {
  "response:": 9,
  "response:200 or ": 16,
  "response:200 and not ": 21,
  "response:(200 and not )": 22,
  'foo:"ba "r"': 9,
  "foo:ba:r": 6,
  "< 1000": 0,
  "a:(b": 4,
  "(a:b or c:d": 11,
  "a:b or c:d)": 10,
  "()": 1,
  "a:()": 3,
  "a:{b:1": 6,
  "a:b:c": 3,
  "a:(b)(c)": 5,
  "not not a:b": 4,
  "a: not b": 3,
  "a:b\\ c": 3,
  "a:b\\": 3,
  'a:"abc\\"': 2,
  'a:"x" y': 6,
  '"a" "b"': 4,
  "(a:b)and c:d": 5,
  "not(a:b)": 3,
  "message:cannot be": 11,
  "foo not bar": 4,
  "a:(>5)": 3,
  ">5": 0,
  "a <= ": 5,
  "a:{b:1} c:d": 8,
  "x:b{c": 3,
  "a:(b)and c:d": 5,
};

test("every parse_error case is rejected at Kibana's caret offset, with Kibana's message", () => {
  const errors = cases.filter((c) => c.kind === "parse_error");
  assert.equal(errors.length, 32);
  let exactMessages = 0;
  for (const c of errors) {
    let err: unknown;
    try {
      parseKql(c.query, c.options);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof KqlSyntaxError, `${JSON.stringify(c.query)} must be rejected`);
    assert.equal(err.offset, OFFSETS[c.query], `caret of ${JSON.stringify(c.query)}`);
    assert.equal(err.message, `${err.shortMessage}\n${c.query}\n${"-".repeat(err.offset)}^`);
    if (err.shortMessage === c.kibana_message) exactMessages++;
  }
  // The expectation-list wording is reproduced for every case, not just the caret.
  assert.equal(exactMessages, 32);
  assert.equal(Object.keys(OFFSETS).length, 32);
});

test("every match and dsl query parses", () => {
  const ok = cases.filter((c) => c.kind === "match" || c.kind === "dsl");
  assert.equal(ok.length, 182);
  let parsed = 0;
  for (const c of ok) {
    const ast = parseKql(c.query);
    assert.equal(ast.type, "function", c.query);
    parsed++;
  }
  assert.equal(parsed, 182);
});
