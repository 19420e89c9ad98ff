// toKqlText (docs/kql.md §1–§3): exact text for each construct, and the round-trip property
// parse(print(ast)) == ast (modulo spans) over fast-check-generated trees and generated query strings.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  KQL_WILDCARD_MARKER,
  KqlSyntaxError,
  parseKql,
  stripSpans,
  toKqlText,
  type KqlLiteral,
  type KqlNode,
  type KqlValueNode,
  type KqlWildcard,
} from "./index.js";

const PRINTS: [query: string, printed: string][] = [
  ["", "*:*"],
  ["a:b", "a:b"],
  ["  a : b  ", "a:b"],
  ["foo", "foo"],
  ['"x y"', '"x y"'],
  ["a:(b or c and not d)", "a:b or a:c and not a:d"],
  ["(a:b or c:d) and e:f", "(a:b or c:d) and e:f"],
  ["(a:b or c:d) or e:f", "(a:b or c:d) or e:f"],
  ["not (not a:b)", "not (not a:b)"],
  ["not (a:b and c:d)", "not (a:b and c:d)"],
  ["not a:b", "not a:b"],
  ["a>=1", "a >= 1"],
  ["a < now-1d", "a < now-1d"],
  ["a:{ b:{ c:1 } }", "a:{ b:{ c:1 } }"],
  ["process.*:foo*", "process.*:foo*"],
  ["a:foo\\*bar*", "a:foo\\*bar*"],
  ['a:"q\\"uo\\\\te"', 'a:"q\\"uo\\\\te"'],
  ["a:\\(x\\)\\:\\<\\>\\{\\}", "a:\\(x\\)\\:\\<\\>\\{\\}"],
  ["a:x\\ty", "a:x\\ty"],
  ["a:\\t", "a:\\t"],
  ["a:x \\or y \\and z", "a:x \\u006fr y \\u0061nd z"],
  ["a:\\NOT x", "a:\\u004eOT x"],
  ["a:ca\\u006eot be", "a:ca\\u006eot be"],
  ["a:null and b:true and c:false", "a:null and b:true and c:false"],
  ['a:"null"', 'a:"null"'],
  ["a:1 or b:2 or c:3", "a:1 or b:2 or c:3"],
];

describe("toKqlText prints each construct", () => {
  for (const [query, printed] of PRINTS) {
    test(JSON.stringify(query), () => {
      const ast = parseKql(query);
      assert.equal(toKqlText(ast), printed);
      assert.deepEqual(stripSpans(parseKql(printed)), stripSpans(ast));
    });
  }
  test("value nodes print on their own", () => {
    assert.equal(toKqlText({ type: "wildcard", value: `a${KQL_WILDCARD_MARKER}` }), "a*");
    assert.equal(toKqlText({ type: "literal", value: "a b", isQuoted: true }), '"a b"');
  });
  test("trees the grammar cannot express print as their closest equivalent", () => {
    const lit = (value: string | number, isQuoted = false): KqlLiteral => ({ type: "literal", value, isQuoted });
    assert.equal(toKqlText({ type: "function", function: "exists", arguments: [lit("a")] }), "a:*");
    assert.equal(toKqlText({ type: "function", function: "is", arguments: [lit("a"), lit(5)] }), "a:5");
    assert.equal(toKqlText({ type: "function", function: "is", arguments: [lit("a"), lit(" pad")] }), 'a:" pad"');
    assert.equal(toKqlText({ type: "function", function: "is", arguments: [lit("a"), lit("true")] }), 'a:"true"');
  });
});

// ---- generators of parser-producible trees ------------------------------------------------------------
const chars = fc.constantFrom(
  ..."ab xyz019_.-/@?\t\n\r\u00a0\u2028\\():<>\"*{}'".split(""),
  "or", "OR", "and", "And", "not", "NOT", " or ", " and ", "not ", "\\u", "é", "😀",
);
const text = fc.array(chars, { maxLength: 8 }).map((parts) => parts.join(""));
const trimmed = text.filter((s) => s === s.trim() && !s.includes(KQL_WILDCARD_MARKER));
const unquoted: fc.Arbitrary<KqlLiteral> = trimmed
  .filter((s) => s !== "null" && s !== "true" && s !== "false")
  .map((value) => ({ type: "literal", value, isQuoted: false }));
const quoted: fc.Arbitrary<KqlLiteral> = text.map((value) => ({ type: "literal", value, isQuoted: true }));
const keywordLiteral: fc.Arbitrary<KqlLiteral> = fc.constantFrom(null, true, false).map((value) => ({ type: "literal", value, isQuoted: false }));
const wildcard: fc.Arbitrary<KqlWildcard> = fc
  .array(trimmed, { minLength: 2, maxLength: 4 })
  .map((segs) => segs.join(KQL_WILDCARD_MARKER))
  .filter((value) => value === value.trim())
  .map((value) => ({ type: "wildcard", value }));
const valueNode: fc.Arbitrary<KqlValueNode> = fc.oneof(unquoted, quoted, keywordLiteral, wildcard);

const { query } = fc.letrec<{ query: KqlNode }>((tie) => ({
  query: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(valueNode, valueNode).map(([f, v]): KqlNode => ({ type: "function", function: "is", arguments: [f, v] })),
    fc.tuple(valueNode, fc.constantFrom("gt", "gte", "lt", "lte" as const), valueNode).map(
      ([f, op, v]): KqlNode => ({ type: "function", function: "range", arguments: [f, op, v] }),
    ),
    fc.tuple(valueNode, tie("query")).map(([p, q]): KqlNode => ({ type: "function", function: "nested", arguments: [p, q] })),
    fc.array(tie("query"), { minLength: 2, maxLength: 3 }).map((a): KqlNode => ({ type: "function", function: "and", arguments: a })),
    fc.array(tie("query"), { minLength: 2, maxLength: 3 }).map((a): KqlNode => ({ type: "function", function: "or", arguments: a })),
    tie("query").map((q): KqlNode => ({ type: "function", function: "not", arguments: [q] })),
  ),
}));

describe("round trip (fast-check)", () => {
  test("parse(print(ast)) == ast for generated trees", () => {
    fc.assert(
      fc.property(query, (ast) => {
        const printed = toKqlText(ast);
        assert.deepEqual(stripSpans(parseKql(printed)), ast, printed);
      }),
      { numRuns: 2000 },
    );
  });
  test("parse(print(parse(q))) == parse(q) for generated queries that parse", () => {
    const atoms = fc.constantFrom(
      ..." \t()\\:<>=\"*{}abnortdu0_./@-".split(""),
      "or", "and", "not", " or ", " and ", "not ", ":(", ":{", " < ", "\\*", "\\u0041", "\\or", "\\NOT",
    );
    let parsed = 0;
    fc.assert(
      fc.property(fc.array(atoms, { maxLength: 30 }).map((p) => p.join("")), (q) => {
        let ast: KqlNode;
        try {
          ast = parseKql(q);
        } catch (e) {
          assert.ok(e instanceof KqlSyntaxError);
          return;
        }
        parsed++;
        const printed = toKqlText(ast);
        assert.deepEqual(stripSpans(parseKql(printed)), stripSpans(ast), `${q} => ${printed}`);
      }),
      { numRuns: 4000 },
    );
    // The generator must actually reach the printer often enough to mean something.
    assert.ok(parsed > 400, `only ${parsed} generated queries parsed`);
  });
});
