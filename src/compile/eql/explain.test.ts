// Why an EQL query held on events: one filter's clause tree, and which stage each event of a sequence or
// sample result answered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseEql } from "../../lang/eql/parser.js";
import { explainEqlFilter, explainEqlResult, resultFilters } from "./explain.js";
import type { KqlExplanation } from "../predicate/explain.js";
import { toEqlExprText } from "../../lang/eql/print.js";

const flat = (x: KqlExplanation | null): unknown => (x === null ? null : [x.text, x.holds, x.clauses.map(flat)]);

test("a filter: the category test, then the condition's and/or/not clauses (chains flattened), each with whether it held", () => {
  const q = parseEql('process where process.name == "sh" and (process.args : "-c" or not user.id == 0)');
  assert.equal(q.kind, "event");
  if (q.kind !== "event") return;
  const doc = { event: { category: ["process"] }, process: { name: "sh", args: ["-x"] }, user: { id: 0 } };
  assert.deepEqual(flat(explainEqlFilter(q.filter, doc)), [
    'process where process.name == "sh" and (process.args : "-c" or not user.id == 0)',
    false,
    [
      ["event.category is process", true, []],
      [
        'process.name == "sh" and (process.args : "-c" or not user.id == 0)',
        false,
        [
          ['process.name == "sh"', true, []],
          ['process.args : "-c" or not user.id == 0', false, [['process.args : "-c"', false, []], ["not user.id == 0", false, [["user.id == 0", true, []]]]]],
        ],
      ],
    ],
  ]);
  // another category field: the test names it
  assert.equal(explainEqlFilter(q.filter, { kind: "process", process: { name: "sh", args: ["-c"] } }, { categoryField: "kind" }).clauses[0].text, "kind is process");
});

test("a result's events answer the stages in order: runs repeat a stage, a missing stage has no event; past the stages nothing is explained", () => {
  const q = parseEql('sequence by host.id with maxspan=5m [process where process.name == "a"] with runs=2 ![file where true] [network where destination.port == 22] until [process where process.name == "z"]');
  assert.deepEqual(resultFilters(q).map((f) => `${f.category ?? "any"} where ${toEqlExprText(f.where)}`), ['process where process.name == "a"', 'process where process.name == "a"', "network where destination.port == 22"]);
  const a = { event: { category: ["process"] }, process: { name: "a" } };
  const n = { event: { category: ["network"] }, destination: { port: 22 } };
  const out = explainEqlResult(q, [a, a, n, n]);
  assert.deepEqual(out.map((x) => (x === null ? null : [x.text, x.holds])), [
    ['process where process.name == "a"', true],
    ['process where process.name == "a"', true],
    ["network where destination.port == 22", true],
    null,
  ]);
  // a building block shown alone: its position in the result picks the stage
  assert.deepEqual(explainEqlResult(q, [n], {}, 2).map((x) => x?.text), ["network where destination.port == 22"]);
  // an event query explains every event against its one filter
  const e = parseEql('network where destination.port == 22');
  assert.deepEqual(explainEqlResult(e, [n, a]).map((x) => x?.holds), [true, false]);
  // a sample: its stages in order
  const s = parseEql('sample by host.id [process where true] [network where true]');
  assert.equal(resultFilters(s).length, 2);
});
