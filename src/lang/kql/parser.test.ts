// Parser tables (docs/kql.md §1–§4): every grammar feature accepted with its exact AST, rejected inputs
// with their exact caret offset and Kibana message, spans, options, the depth guard, and fast-check
// robustness (random input yields an AST or a KqlSyntaxError, never anything else).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  KQL_WILDCARD_MARKER,
  KqlSyntaxError,
  parseKql,
  stripSpans,
  type KqlLiteral,
  type KqlNode,
  type KqlRangeOperator,
  type KqlValueNode,
  type KqlWildcard,
} from "./index.js";

// ---- builders for expected trees (spans omitted) ------------------------------------------------------
const lit = (value: string | boolean | null, isQuoted = false): KqlLiteral => ({ type: "literal", value, isQuoted });
const q = (value: string): KqlLiteral => lit(value, true);
/** `*` in the text = the wildcard marker; write a real star as `\\*` is not needed: pass `star` explicitly. */
const wc = (value: string): KqlWildcard => ({ type: "wildcard", value: value.replaceAll("*", KQL_WILDCARD_MARKER) });
const v = (x: string | KqlValueNode): KqlValueNode => (typeof x === "string" ? lit(x) : x);
const is = (field: string | KqlValueNode | null, value: string | KqlValueNode): KqlNode => ({
  type: "function",
  function: "is",
  arguments: [field === null ? lit(null) : v(field), v(value)],
});
const free = (value: string | KqlValueNode): KqlNode => is(null, value);
const range = (field: string | KqlValueNode, op: KqlRangeOperator, value: string | KqlValueNode): KqlNode => ({
  type: "function",
  function: "range",
  arguments: [v(field), op, v(value)],
});
const and = (...args: KqlNode[]): KqlNode => ({ type: "function", function: "and", arguments: args });
const or = (...args: KqlNode[]): KqlNode => ({ type: "function", function: "or", arguments: args });
const not = (arg: KqlNode): KqlNode => ({ type: "function", function: "not", arguments: [arg] });
const nested = (path: string | KqlValueNode, query: KqlNode): KqlNode => ({
  type: "function",
  function: "nested",
  arguments: [v(path), query],
});

function parsesTo(query: string, expected: KqlNode, opts?: Parameters<typeof parseKql>[1]): void {
  assert.deepStrictEqual(stripSpans(parseKql(query, opts)), expected, `query ${JSON.stringify(query)}`);
}

const ACCEPTS: [string, KqlNode][] = [
  // blank query and free text
  ["", is(wc("*"), wc("*"))],
  ["  \t\n ", is(wc("*"), wc("*"))],
  ["\u00a0", is(wc("*"), wc("*"))],
  ["foo", free("foo")],
  ["*", free(wc("*"))],
  ['"hello world"', free(q("hello world"))],
  ["foo or bar", or(free("foo"), free("bar"))],
  ["null", free(lit(null))],
  // field:value, unquoted values with whitespace, trim, classification
  ["response:200", is("response", "200")],
  ["  response : 200  ", is("response", "200")],
  ["foo:bar baz", is("foo", "bar baz")],
  ["foo:bar   baz", is("foo", "bar   baz")],
  ["a:true", is("a", lit(true))],
  ["a:false", is("a", lit(false))],
  ["a:TRUE", is("a", "TRUE")],
  ["a:null", is("a", lit(null))],
  ['a:"null"', is("a", q("null"))],
  ['a:"5"', is("a", q("5"))],
  ["a:b?", is("a", "b?")],
  ["a:[1 TO 2]", is("a", "[1 TO 2]")],
  ["a:/re/", is("a", "/re/")],
  ["a:b~", is("a", "b~")],
  ["a:'x y'", is("a", "'x y'")],
  ["a:-+=&|!^,.", is("a", "-+=&|!^,.")],
  // keywords: case-insensitive, whitespace rules
  ["a:b AND c:d", and(is("a", "b"), is("c", "d"))],
  ["a:b aNd c:d Or e:f", or(and(is("a", "b"), is("c", "d")), is("e", "f"))],
  ["a:b\tand\nc:d", and(is("a", "b"), is("c", "d"))],
  ["a:b\u00a0or\u00a0c:d", or(is("a", "b"), is("c", "d"))],
  ["NOT a:b", not(is("a", "b"))],
  ["not\ta:b", not(is("a", "b"))],
  ["a:b or", is("a", "b or")],
  ["a:b and not", and(is("a", "b"), free("not"))],
  ["or a:b", is("or a", "b")],
  ["not:foo", is("not", "foo")],
  ["a:b or c:d or e:f", or(is("a", "b"), is("c", "d"), is("e", "f"))],
  ["a:b and c:d or e:f and g:h", or(and(is("a", "b"), is("c", "d")), and(is("e", "f"), is("g", "h")))],
  ["(a:b or c:d) or e:f", or(or(is("a", "b"), is("c", "d")), is("e", "f"))],
  ["not (not a:b)", not(not(is("a", "b")))],
  ["not (a:b or c:d)", not(or(is("a", "b"), is("c", "d")))],
  ["( a:b )", is("a", "b")],
  ["((a:b))", is("a", "b")],
  // value lists
  ["a:(b or c)", or(is("a", "b"), is("a", "c"))],
  ["f:(a or b and not c)", or(is("f", "a"), and(is("f", "b"), not(is("f", "c"))))],
  ["a:((b or c) and not d)", and(or(is("a", "b"), is("a", "c")), not(is("a", "d")))],
  ["a:(b c)", is("a", "b c")],
  ["a:(not b)", not(is("a", "b"))],
  ["a:( b )", is("a", "b")],
  ['a:("x" or y*)', or(is("a", q("x")), is("a", wc("y*")))],
  ["a:(b) and c:d", and(is("a", "b"), is("c", "d"))],
  // quoted strings: escapes, raw characters, never trimmed/typed/wildcard
  ['a:"x \\"y\\" z"', is("a", q('x "y" z'))],
  ['a:"C:\\Windows"', is("a", q("C:\\Windows"))],
  ['a:"back\\\\slash"', is("a", q("back\\slash"))],
  ['a:"t\\tr\\rn\\n"', is("a", q("t\tr\rn\n"))],
  ['a:"\\u0041\\u00e9"', is("a", q("A\u00e9"))],
  ['a:"\\uZZ"', is("a", q("\\uZZ"))],
  ['a:"line\nbreak"', is("a", q("line\nbreak"))],
  ['a:"*"', is("a", q("*"))],
  ['a:"  padded  "', is("a", q("  padded  "))],
  ['a:"true"', is("a", q("true"))],
  ['a:"a:b (c) {d} <e>"', is("a", q("a:b (c) {d} <e>"))],
  // unquoted escapes
  ["a:\\tfoo", is("a", "foo")],
  ["a:x\\ty", is("a", "x\ty")],
  ["a:\\t", is("a", "")],
  ["a:\\(x\\)", is("a", "(x)")],
  ["a:\\:\\<\\>\\\"\\{\\}\\\\", is("a", ':<>"{}\\')],
  ["a:\\u0041b", is("a", "Ab")],
  ["a:\\u00E9", is("a", "\u00e9")],
  ["a:x \\or y", is("a", "x or y")],
  ["a:x \\AND y", is("a", "x AND y")],
  ["a:\\Not", is("a", "Not")],
  ["a:\\NOT x", is("a", "NOT x")],
  ["word:\\not", is("word", "ot")],
  ["a:\\nothing", is("a", "othing")],
  ["a:\\orange", is("a", "orange")],
  // wildcards
  ["a:*", is("a", wc("*"))],
  ["a:( * )", is("a", wc("*"))],
  ["a:**", is("a", wc("**"))],
  ["a:foo*", is("a", wc("foo*"))],
  ["a:*foo*bar", is("a", wc("*foo*bar"))],
  ["a:foo\\*bar*", is("a", { type: "wildcard", value: `foo*bar${KQL_WILDCARD_MARKER}` })],
  ["a:foo\\*", is("a", "foo*")],
  ["a:/dev/shm/*", is("a", wc("/dev/shm/*"))],
  ["a:x * y", is("a", wc("x * y"))],
  // field names
  ['"user name":bob', is(q("user name"), "bob")],
  ["user name:bob", is("user name", "bob")],
  ["process.*:foo", is(wc("process.*"), "foo")],
  ["*:foo", is(wc("*"), "foo")],
  ["*:*", is(wc("*"), wc("*"))],
  ["ext*:jpg", is(wc("ext*"), "jpg")],
  ["null:foo", is(lit(null), "foo")],
  ["true:foo", is(lit(true), "foo")],
  ["@timestamp:x", is("@timestamp", "x")],
  // ranges
  ["bytes>1000", range("bytes", "gt", "1000")],
  ["bytes >= 1000", range("bytes", "gte", "1000")],
  ["bytes < 1000", range("bytes", "lt", "1000")],
  ["bytes<=1000", range("bytes", "lte", "1000")],
  ["a > 10 20", range("a", "gt", "10 20")],
  ['a > "10"', range("a", "gt", q("10"))],
  ["a > 1*", range("a", "gt", wc("1*"))],
  ["@timestamp < now-1d", range("@timestamp", "lt", "now-1d")],
  ["a < 5 and b > 6", and(range("a", "lt", "5"), range("b", "gt", "6"))],
  ["not a < 5", not(range("a", "lt", "5"))],
  // nested
  ["nestedField:{ childOfNested:foo }", nested("nestedField", is("childOfNested", "foo"))],
  ["a:{ b:{ c:1 } }", nested("a", nested("b", is("c", "1")))],
  ["a:{b:1 and not (c:2 or d > 3)}", nested("a", and(is("b", "1"), not(or(is("c", "2"), range("d", "gt", "3")))))],
  ["a:{ free }", nested("a", free("free"))],
  ["a : { b:1 } or c:d", or(nested("a", is("b", "1")), is("c", "d"))],
  // seed-query shape (docs/kql.md §6)
  [
    'process.name: ( * and not ("5" or "dpkg"))',
    and(is("process.name", wc("*")), not(or(is("process.name", q("5")), is("process.name", q("dpkg"))))),
  ],
];

const REJECTS: [query: string, offset: number, shortMessage: string][] = [
  ["a:()", 3, 'Expected "(", NOT, value, whitespace but ")" found.'],
  ["a:{ }", 4, 'Expected "(", NOT, field name, value, whitespace but "}" found.'],
  ["a:b and(c:d)", 7, 'Expected AND, OR, end of input but "(" found.'],
  ["a:\\q", 2, 'Expected "(", "{", value, whitespace but "\\" found.'],
  ["a:b\\", 3, 'Expected AND, OR, end of input but "\\" found.'],
  ["a>", 2, 'Expected literal, whitespace but end of input found.'],
  ["a:b)", 3, 'Expected AND, OR, end of input but ")" found.'],
  ["a:b or ", 7, 'Expected "(", NOT, field name, value but end of input found.'],
  ['"abc', 0, 'Expected "(", NOT, end of input, field name, value, whitespace but """ found.'],
  ["a:b\nc:d:e", 5, 'Expected AND, OR, end of input but ":" found.'],
];

describe("parseKql accepts every grammar feature with Kibana's AST", () => {
  for (const [query, expected] of ACCEPTS) {
    test(JSON.stringify(query), () => parsesTo(query, expected));
  }
  test("the table covers each feature", () => assert.equal(ACCEPTS.length, 108));
});

describe("parseKql rejects with Kibana's caret offset and message", () => {
  for (const [query, offset, shortMessage] of REJECTS) {
    test(JSON.stringify(query), () => {
      assert.throws(
        () => parseKql(query),
        (e: unknown) => {
          assert.ok(e instanceof KqlSyntaxError);
          assert.equal(e.offset, offset);
          assert.equal(e.shortMessage, shortMessage);
          assert.equal(e.message, `${shortMessage}\n${query}\n${"-".repeat(offset)}^`);
          return true;
        },
      );
    });
  }
});

describe("KqlSyntaxError", () => {
  test("carries Kibana's fields plus line, column, expected and found", () => {
    const err = catchError(() => parseKql("response:200 or "));
    assert.equal(err.name, "KQLSyntaxError");
    assert.equal(err.message, 'Expected "(", NOT, field name, value but end of input found.\nresponse:200 or \n----------------^');
    assert.equal(err.shortMessage, 'Expected "(", NOT, field name, value but end of input found.');
    assert.equal(err.offset, 16);
    assert.equal(err.line, 1);
    assert.equal(err.column, 17);
    assert.deepEqual(err.expected, ['"("', "NOT", "field name", "value"]);
    assert.equal(err.found, null);
    assert.equal(err.code, "KQL001");
    assert.ok(err instanceof Error);
  });
  test("line and column count within a multi-line query", () => {
    const err = catchError(() => parseKql("a:b and\n  c:d:e"));
    assert.deepEqual([err.offset, err.line, err.column, err.found], [13, 2, 6, ":"]);
  });
});

function catchError(fn: () => unknown): KqlSyntaxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KqlSyntaxError) return e;
    throw e;
  }
  throw new Error("expected a KqlSyntaxError");
}

describe("allowLeadingWildcards", () => {
  test("defaults to true", () => parsesTo("a:*foo", is("a", wc("*foo"))));
  test("false rejects a value wildcard starting with * at the value's offset", () => {
    const err = catchError(() => parseKql("a:b and c: *foo", { allowLeadingWildcards: false }));
    assert.equal(err.shortMessage, "Leading wildcards are disabled. See query:allowLeadingWildcards in Advanced Settings.");
    assert.equal(err.message, `${err.shortMessage}\na:b and c: *foo\n-----------^`);
    assert.deepEqual([err.offset, err.code, err.found, err.expected], [11, "KQL002", null, []]);
  });
  test("false rejects free text and ** too", () => {
    assert.equal(catchError(() => parseKql("*foo", { allowLeadingWildcards: false })).offset, 0);
    assert.equal(catchError(() => parseKql("a:(x or **)", { allowLeadingWildcards: false })).offset, 8);
  });
  test("false still allows a lone *, a leading wildcard in a field name or a range, and quoted stars", () => {
    const opts = { allowLeadingWildcards: false };
    parsesTo("a:*", is("a", wc("*")), opts);
    parsesTo("*a:b", is(wc("*a"), "b"), opts);
    parsesTo("a > *1", range("a", "gt", wc("*1")), opts);
    parsesTo('a:"*x"', is("a", q("*x")), opts);
    parsesTo("a:x*", is("a", wc("x*")), opts);
  });
});

describe("spans", () => {
  test("offsets of every node in a query", () => {
    const ast = parseKql('  ab:"x" and not c > 5 ');
    assert.deepEqual(ast, {
      type: "function",
      function: "and",
      span: { start: 2, end: 22 },
      arguments: [
        {
          type: "function",
          function: "is",
          span: { start: 2, end: 8 },
          arguments: [
            { type: "literal", value: "ab", isQuoted: false, span: { start: 2, end: 4 } },
            { type: "literal", value: "x", isQuoted: true, span: { start: 5, end: 8 } },
          ],
        },
        {
          type: "function",
          function: "not",
          span: { start: 13, end: 22 },
          arguments: [
            {
              type: "function",
              function: "range",
              span: { start: 17, end: 22 },
              arguments: [
                { type: "literal", value: "c", isQuoted: false, span: { start: 17, end: 18 } },
                "gt",
                { type: "literal", value: "5", isQuoted: false, span: { start: 21, end: 22 } },
              ],
            },
          ],
        },
      ],
    });
  });
  test("list members span from the field to their value; nested spans the braces", () => {
    const ast = parseKql("f:(x or y) or n:{ z:1 }");
    assert.equal(ast.function, "or");
    const [list, nest] = ast.arguments;
    assert.deepEqual(list.span, { start: 3, end: 9 });
    assert.equal(list.function, "or");
    assert.deepEqual(list.arguments.map((c) => c.span), [{ start: 0, end: 4 }, { start: 0, end: 9 }]);
    assert.deepEqual(nest.span, { start: 14, end: 23 });
  });
  test("stripSpans removes every span and nothing else", () => {
    assert.equal(JSON.stringify(stripSpans(parseKql("a:(b or c) and d:{e < 1}"))).includes("span"), false);
  });
});

describe("depth guard", () => {
  const deep = (d: number, open: string, inner: string, close: string) => open.repeat(d) + inner + close.repeat(d);
  test("100k '(' is a KqlSyntaxError at the first bracket past the limit", () => {
    const err = catchError(() => parseKql("(".repeat(100_000)));
    assert.deepEqual([err.code, err.offset, err.shortMessage], ["KQL003", 500, "Query nesting exceeds the maximum depth of 500."]);
  });
  test("deep value lists and nested braces hit the same guard", () => {
    assert.equal(catchError(() => parseKql(deep(100_000, "a:(", "b", ")"))).code, "KQL001");
    assert.equal(catchError(() => parseKql("a:" + deep(100_000, "(", "b", ")"))).offset, 502);
    assert.equal(catchError(() => parseKql(deep(100_000, "a:{", "b:c", "}"))).offset, 1502);
  });
  test("the limit is inclusive and configurable", () => {
    assert.equal(parseKql(deep(500, "(", "a:b", ")")).function, "is");
    assert.equal(catchError(() => parseKql(deep(11, "(", "a:b", ")"), { maxDepth: 10 })).offset, 10);
    assert.equal(parseKql(deep(800, "(", "a:b", ")"), { maxDepth: 800 }).function, "is");
  });
  test("an unlimited depth still never overflows the stack: the overflow becomes a KqlSyntaxError", () => {
    const err = catchError(() => parseKql(deep(200_000, "a:{", "b:c", "}"), { maxDepth: Infinity }));
    assert.deepEqual([err.code, err.shortMessage], ["KQL003", "Query nesting is too deep to parse."]);
  });
});

describe("robustness (fast-check)", () => {
  const alphabet = fc.constantFrom(..." \t\n\u00a0()\\:<>=\"*{}abnortdu0AN_.-/@?".split(""), "or", "and", "not", " or ", " and ", "not ");
  const kqlish = fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(""));
  test("grammar-shaped random input yields an AST or a KqlSyntaxError with a sane caret", () => {
    fc.assert(
      fc.property(fc.oneof(kqlish, fc.string({ maxLength: 60 }), fc.string({ unit: "binary", maxLength: 30 })), (text) => {
        try {
          const ast = parseKql(text);
          assert.equal(ast.type, "function");
        } catch (e) {
          assert.ok(e instanceof KqlSyntaxError, String(e));
          assert.ok(e.offset >= 0 && e.offset <= text.length);
          assert.equal(e.found, e.offset < text.length ? text.charAt(e.offset) : null);
          assert.equal(e.message.split("\n").at(-1), "-".repeat(e.offset) + "^");
        }
      }),
      { numRuns: 3000 },
    );
  });
  test("long pathological inputs parse in linear work: counted steps stay under 6 per character and grow 10x for 10x input", () => {
    // Each would be exponential for a naive backtracking parser, and quadratic for one that rescans a
    // literal at every position it is tried from (the memo tables prevent that). Counted steps, not time,
    // so the bound is exact and a slow machine cannot fail it.
    const shapes: Array<[name: string, make: (k: number) => string]> = [
      ["nested value lists", (k) => "a:" + "(b or ".repeat(40 * k) + "c"],
      ["nested braces", (k) => "a:{".repeat(40 * k) + "b:c"],
      ["one long word", (k) => "x".repeat(20_000 * k)],
      ["a long unquoted value of words", (k) => "a:" + "b ".repeat(5_000 * k)],
      ["backslashes", (k) => "\\".repeat(1_000 * k)],
      ["a long or chain", (k) => "a:b or ".repeat(2_000 * k) + "c"],
      ["an unterminated quote", (k) => 'a:"' + "x".repeat(10_000 * k)],
      ["a long value list", (k) => "a:(" + "b or ".repeat(2_000 * k) + "c)"],
      ["many nots", (k) => "not ".repeat(500 * k) + "a"],
    ];
    const stepsOf = (text: string): number => {
      const counter = { steps: 0 };
      try {
        parseKql(text, { counter, maxDepth: 1_000_000 });
      } catch (e) {
        assert.ok(e instanceof KqlSyntaxError, String(e));
      }
      return counter.steps;
    };
    for (const [name, make] of shapes) {
      const small = make(1);
      const large = make(10);
      const s1 = stepsOf(small);
      const s10 = stepsOf(large);
      assert.ok(s10 <= 6 * large.length + 50, `${name}: ${s10} steps for ${large.length} characters`);
      assert.ok(s10 <= 11 * s1 + 50, `${name}: ${s1} steps at 1x, ${s10} at 10x`);
    }
  });
});
