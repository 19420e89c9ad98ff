// The EQL parser: trees for the grammar's forms (precedence, predicates, sequences, samples, pipes), the
// constructs Elasticsearch rejects with their code and column, print/parse round trips (fast-check over
// generated trees), random and mutated input that must end in a result or an EqlSyntaxError, and the
// nesting guard.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseEql, parseEqlExpression } from "./parser.js";
import { EqlSyntaxError } from "./syntax-error.js";
import { toEqlExprText, toEqlText } from "./print.js";
import { stripEqlSpans, type EqlExpr, type EqlField, type EqlStatement } from "./ast.js";

const expr = (q: string) => stripEqlSpans(parseEqlExpression(q));
const F = (name: string, optional = false): EqlField => ({ kind: "field", name, optional });
const S = (value: string): EqlExpr => ({ kind: "literal", value });
const N = (value: number, integer = true): EqlExpr => ({ kind: "literal", value, integer });

test("precedence: or < and < not < comparison < + - < * / % < sign; predicates bind to a primary", () => {
  assert.deepEqual(expr("a == 1 or b == 2 and not c == 3"), {
    kind: "or",
    left: { kind: "compare", op: "==", left: F("a"), right: N(1) },
    right: {
      kind: "and",
      left: { kind: "compare", op: "==", left: F("b"), right: N(2) },
      right: { kind: "not", expr: { kind: "compare", op: "==", left: F("c"), right: N(3) } },
    },
  });
  assert.deepEqual(expr("a + 2 * b == -3"), {
    kind: "compare",
    op: "==",
    left: { kind: "arith", op: "+", left: F("a"), right: { kind: "arith", op: "*", left: N(2), right: F("b") } },
    right: N(-3),
  });
  assert.deepEqual(expr("-x % 4"), { kind: "arith", op: "%", left: { kind: "neg", op: "-", expr: F("x") }, right: N(4) });
  // `length(x) + 1 in (3)`: the predicate hangs off the primary `1` (the grammar's operatorExpression)
  assert.deepEqual(expr("length(x) + 1 in (3)"), {
    kind: "arith",
    op: "+",
    left: { kind: "call", name: "length", insensitive: false, args: [F("x")] },
    right: { kind: "in", negated: false, insensitive: false, value: N(1), items: [N(3)] },
  });
});

test("predicates: in, not in, in~, :, like, like~, regex, regex~ with one constant or a list", () => {
  assert.deepEqual(expr('process.name not in~ ("a", "b")'), { kind: "in", negated: true, insensitive: true, value: F("process.name"), items: [S("a"), S("b")] });
  assert.deepEqual(expr('x : "a*"'), { kind: "match", op: ":", value: F("x"), patterns: [{ kind: "literal", value: "a*" }], list: false });
  assert.deepEqual(expr('x like~ ("a", "b")'), { kind: "match", op: "like~", value: F("x"), patterns: [{ kind: "literal", value: "a" }, { kind: "literal", value: "b" }], list: true });
  assert.deepEqual(expr('x regex """a\\d+"""'), { kind: "match", op: "regex", value: F("x"), patterns: [{ kind: "literal", value: "a\\d+" }], list: false });
});

test("names, strings, numbers and comments", () => {
  assert.deepEqual(expr("?`my-field`.`a``b` == @timestamp2"), { kind: "compare", op: "==", left: F("my-field.a`b", true), right: F("@timestamp2") });
  assert.deepEqual(expr('x == "a\\"b\\\\c\\n\\u{41}\\u{1F600}"'), { kind: "compare", op: "==", left: F("x"), right: S('a"b\\c\nA😀') });
  assert.deepEqual(expr('x == """raw \\n "quoted""""'), { kind: "compare", op: "==", left: F("x"), right: S('raw \\n "quoted"') });
  assert.deepEqual(expr("x == 1.5e3 and y == .5 and z == 7"), {
    kind: "and",
    left: { kind: "and", left: { kind: "compare", op: "==", left: F("x"), right: N(1500, false) }, right: { kind: "compare", op: "==", left: F("y"), right: N(0.5, false) } },
    right: { kind: "compare", op: "==", left: F("z"), right: N(7) },
  });
  assert.deepEqual(expr("/* a /* nested */ comment */ x // trailing\n == null"), { kind: "compare", op: "==", left: F("x"), right: { kind: "literal", value: null } });
  assert.deepEqual(expr("ENDSWITH~(x, \"a\")"), { kind: "call", name: "endsWith", insensitive: true, args: [F("x"), S("a")] });
});

test("statements: event query, sequence with keys, maxspan, runs, missing events and until, sample, pipes", () => {
  const seq = stripEqlSpans(parseEql('sequence by host.id with maxspan=5m [process where true] by process.pid ![file where true] by process.pid [network where true] by process.pid with runs=2 until [process where false] by process.pid | tail 3'));
  assert.deepEqual(seq, {
    kind: "sequence",
    by: [F("host.id")],
    maxspan: { value: 5, unit: "m", ms: 300_000 },
    stages: [
      { filter: { category: "process", where: { kind: "literal", value: true } }, by: [F("process.pid")], missing: false, runs: 1 },
      { filter: { category: "file", where: { kind: "literal", value: true } }, by: [F("process.pid")], missing: true, runs: 1 },
      { filter: { category: "network", where: { kind: "literal", value: true } }, by: [F("process.pid")], missing: false, runs: 2 },
    ],
    until: { filter: { category: "process", where: { kind: "literal", value: false } }, by: [F("process.pid")], missing: false, runs: 1 },
    pipes: [{ kind: "tail", count: 3 }],
  } satisfies EqlStatement);
  assert.deepEqual(stripEqlSpans(parseEql('sample by host [any where true] ["my-cat" where true]')), {
    kind: "sample",
    by: [F("host")],
    stages: [
      { filter: { category: null, where: { kind: "literal", value: true } }, by: [] },
      { filter: { category: "my-cat", where: { kind: "literal", value: true } }, by: [] },
    ],
    pipes: [],
  } satisfies EqlStatement);
  assert.equal((parseEql("sequence [a where true] with runs=2") as { stages: unknown[] }).stages.length, 1);
});

/** Rejections: the code and the 1-based column of the offending text, as `tern validate` reports them. */
const REJECTS: readonly [query: string, code: string, col: number, message?: RegExp][] = [
  ["process where x = 1", "EQL001", 17, /Use "==" to compare values/],
  ["process where x == 'a'", "EQL001", 20, /double quotes/],
  ['process where x == ?"a"', "EQL001", 20, /triple double quotes/],
  ["process where a < b < c", "EQL002", 19, /Comparisons against fields/],
  ["process where a < 1 < 2", "EQL001", 21, /cannot be chained/],
  ['process where x == "a', "EQL001", 20, /Unterminated string/],
  ['process where x == "\\q"', "EQL001", 21, /Invalid escape/],
  ["process where /* open", "EQL001", 15, /Unterminated comment/],
  ["process where true | unique process.name", "EQL002", 22, /not supported/],
  ["process where true | bogus", "EQL002", 22, /Unrecognized pipe/],
  ["process where true | head", "EQL001", 22, /exactly one argument/],
  ["process where true | head -1", "EQL001", 27, /positive integer/],
  ["join [a where true] [b where true]", "EQL002", 1, /Join is not supported/],
  ["process where child of [b where true]", "EQL002", 15, /Process relationships/],
  ["process where x[0] == 1", "EQL002", 16, /Array indexes/],
  ["process where a == b", "EQL002", 20, /offender \[b\]/],
  ['process where a : b', "EQL002", 19, /must be a constant/],
  ["process where a in (b)", "EQL002", 21, /offender \[b\]/],
  ["process where arrayContains(a, 1)", "EQL004", 15, /not supported/],
  ["process where foo(a)", "EQL004", 15, /Unknown function \[foo\]/],
  ["process where length~(a)", "EQL004", 15, /no case-insensitive/],
  ['process where startsWith(a)', "EQL004", 15, /takes 2 arguments, found \[1\]/],
  ["sequence [a where true]", "EQL005", 1, /minimum of 2 queries, found \[1\]/],
  ["sequence [a where true] ![b where true]", "EQL005", 1, /requires a maxspan|at least one positive/],
  ["sequence with maxspan=1m ![a where true] ![b where true]", "EQL005", 1, /at least one positive/],
  ["sequence with maxspan=5 [a where true] [b where true]", "EQL005", 23, /No time unit/],
  ["sequence with maxspan=5y [a where true] [b where true]", "EQL005", 24, /Unrecognized time unit \[y\]/],
  ["sequence with maxspan=0s [a where true] [b where true]", "EQL005", 23, /positive maxspan/],
  ["sequence with maxspan=1.5s [a where true] [b where true]", "EQL005", 23, /Decimal time interval/],
  ["sequence with maxspan=1m by x [a where true] [b where true]", "EQL001", 26, /\[by\] before \[with\]/],
  ["sequence by x [a where true] by y [b where true]", "EQL005", 35, /Inconsistent number of join keys specified; expected \[1\] but found \[0\]/],
  ["sequence [a where true] [b where true] with runs=101", "EQL005", 50, /more than 100 times/],
  ["sequence [a where true] [b where true] with repeat=2", "EQL005", 45, /Unrecognized option \[repeat\]/],
  ["sequence by length(x) [a where true] [b where true]", "EQL002", 13, /Join keys must be field names/],
  ["sample [a where true] [b where true]", "EQL005", 1, /requires join keys/],
  ["sample by x [a where true] ![b where true]", "EQL005", 28, /missing events/],
  ["process where where", "EQL001", 15, /Unexpected keyword "where"/],
  ["process where x.sequence == 1", "EQL001", 17, /backquote it/],
  ["process", "EQL001", 8, /Expected "where" but found end of input/],
  ["process where true ]", "EQL001", 20, /expected an operator/],
];

test("rejections carry Elasticsearch's reason, a code and the column", () => {
  for (const [q, code, col, msg] of REJECTS) {
    let err: unknown;
    try {
      parseEql(q);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof EqlSyntaxError, `${q}: expected an EqlSyntaxError, got ${String(err)}`);
    assert.deepEqual([err.code, err.column], [code, col], `${q}: ${err.shortMessage}`);
    if (msg !== undefined) assert.match(err.shortMessage, msg, q);
  }
});

test("the error message carries the line and a caret under the column", () => {
  try {
    parseEql("sequence\n  [process where x = 1]\n  [b where true]");
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(e instanceof EqlSyntaxError);
    assert.equal(e.message, 'Use "==" to compare values, not "=". (line 2:20)\n  [process where x = 1]\n                   ^');
    assert.deepEqual([e.line, e.column, e.offset], [2, 20, 28]);
  }
});

test("nesting deeper than the guard is EQL003, never a stack overflow", () => {
  for (const q of ["process where " + "(".repeat(5000) + "true" + ")".repeat(5000), "process where " + "not ".repeat(5000) + "true", "process where x == " + "-".repeat(5000) + "1"]) {
    assert.throws(
      () => parseEql(q),
      (e: unknown) => e instanceof EqlSyntaxError && e.code === "EQL003",
    );
  }
  // within the guard, deep nesting parses
  assert.equal(parseEql("process where " + "(".repeat(150) + "true" + ")".repeat(150)).kind, "event");
});

// ---- round trips ----------------------------------------------------------------------------------

const fieldName = fc.oneof(fc.constantFrom("process.name", "a", "@timestamp", "host.os.type", "sequence", "my-field", "x.y z"), fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/));
const literal: fc.Arbitrary<EqlExpr> = fc.oneof(
  fc.string({ maxLength: 6 }).map((value): EqlExpr => ({ kind: "literal", value })),
  fc.integer({ min: -1000, max: 1000 }).map((value): EqlExpr => ({ kind: "literal", value, integer: true })),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((v) => !Object.is(v, -0)).map((value): EqlExpr => ({ kind: "literal", value, integer: false })),
  fc.constantFrom<EqlExpr>({ kind: "literal", value: true }, { kind: "literal", value: false }, { kind: "literal", value: null }),
);
const field: fc.Arbitrary<EqlExpr> = fc.record({ name: fieldName, optional: fc.boolean() }).map(({ name, optional }): EqlExpr => ({ kind: "field", name, optional }));
const strLit = fc.string({ maxLength: 6 }).map((value) => ({ kind: "literal" as const, value }));

const { tree } = fc.letrec<{ tree: EqlExpr; value: EqlExpr }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    literal,
    field,
    fc.record({ op: fc.constantFrom("+", "-", "*", "/", "%" as const), left: tie("value"), right: tie("value") }).map((r): EqlExpr => ({ kind: "arith", ...r })),
    tie("value").filter((e) => !(e.kind === "literal" && typeof e.value === "number")).map((e): EqlExpr => ({ kind: "neg", op: "-", expr: e })),
    fc.record({ name: fc.constantFrom("concat", "length", "startsWith", "between" as const), insensitive: fc.constant(false), args: fc.array(tie("value"), { minLength: 1, maxLength: 3 }) })
      .filter((c) => (c.name === "length" ? c.args.length === 1 : c.name === "startsWith" ? c.args.length === 2 : c.name === "between" ? c.args.length === 3 : true))
      .map((c): EqlExpr => ({ kind: "call", ...c })),
  ),
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ op: fc.constantFrom("==", "!=", "<", "<=", ">", ">=" as const), left: tie("value"), right: tie("value") })
      .filter((c) => !(c.left.kind === "field" && c.right.kind === "field" && !c.left.optional && !c.right.optional))
      .map((c): EqlExpr => ({ kind: "compare", ...c })),
    fc.record({ left: tie("tree"), right: tie("tree") }).map((c): EqlExpr => ({ kind: "and", ...c })),
    fc.record({ left: tie("tree"), right: tie("tree") }).map((c): EqlExpr => ({ kind: "or", ...c })),
    tie("tree").map((e): EqlExpr => ({ kind: "not", expr: e })),
    fc.record({ op: fc.constantFrom(":", "like", "like~", "regex", "regex~" as const), value: field, patterns: fc.array(strLit, { minLength: 1, maxLength: 3 }), list: fc.boolean() })
      .filter((m) => m.list || m.patterns.length === 1)
      .map((m): EqlExpr => ({ kind: "match", ...m })),
    fc.record({ negated: fc.boolean(), insensitive: fc.boolean(), value: field, items: fc.array(literal, { minLength: 1, maxLength: 3 }) }).map((m): EqlExpr => ({ kind: "in", ...m })),
  ),
}));

/** Parsed numbers that print as integers stay integers; a decimal printed back keeps its flag. */
function normalise(e: EqlExpr): EqlExpr {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === "span" ? undefined : v))) as EqlExpr;
}

test("print then parse gives the same tree (fast-check)", () => {
  fc.assert(
    fc.property(tree, (t) => {
      const text = toEqlExprText(t);
      assert.deepEqual(normalise(parseEqlExpression(text)), normalise(t), text);
    }),
    { numRuns: 400 },
  );
});

test("statements print and parse back", () => {
  for (const q of [
    'sequence by host.id, ?user.name with maxspan=30s [process where true] by process.pid ![file where x : "a"] by process.pid [network where true] by process.pid with runs=3 until [process where false] by process.pid | head 5 | tail 2',
    'sample by host [any where true] by a ["cat with space" where true] by b',
    'any where true | tail 1',
  ]) {
    const a = stripEqlSpans(parseEql(q));
    assert.deepEqual(stripEqlSpans(parseEql(toEqlText(a))), a, q);
  }
});

test("random and mutated text never fails other than with an EqlSyntaxError", () => {
  const seeds = ['sequence by host.id with maxspan=1m [process where process.name : ("a*", "b") and not x in (1, 2)] [network where length(x) > 3 or y regex~ """a.*"""] | head 3', 'sample by ?x [a where startsWith~(b, "c")] [d where -e * 2 != f % 3]'];
  const alphabet = fc.constantFrom(..."[]()!?`\"'|,.:=<>~+-*/% \n\tabcxyz019_@\\".split(""), "where", "sequence", "by", "with", "maxspan=", "not", "in~", '"""', "/*", "//", "*/");
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(3), alphabet), { maxLength: 8 }), (seed, edits) => {
      let q = seed;
      for (const [pos, kind, s] of edits) {
        const at = pos % (q.length + 1);
        q = kind === 0 ? q.slice(0, at) + s + q.slice(at) : kind === 1 ? q.slice(0, at) + q.slice(at + 1 + (pos % 5)) : q.slice(0, at) + s + q.slice(at + s.length);
      }
      try {
        const st = parseEql(q);
        // whatever parses prints to text that parses to the same tree
        assert.deepEqual(stripEqlSpans(parseEql(toEqlText(st))), stripEqlSpans(st), q);
      } catch (e) {
        if (!(e instanceof EqlSyntaxError)) throw e;
        assert.ok(e.offset >= 0 && e.offset <= q.length, q);
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), (q) => {
      try {
        parseEql(q);
      } catch (e) {
        if (!(e instanceof EqlSyntaxError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});
