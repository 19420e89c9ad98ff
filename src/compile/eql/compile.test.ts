// Tables for `where` semantics (docs/eql.md §3–§5): an expression parsed with parseEqlExpression, compiled
// with compileEqlExpr against ECS types (process.name keyword, process.pid/exit_code long, source.ip ip,
// @timestamp date), and run on small events. Expected values come from docs/eql.md and, where it is silent
// or contradicted, from Elasticsearch's source (EQL Optimizer/QueryTranslator, ql ExpressionTranslators,
// Scripts.multiValueDocValuesRewrite, InternalEqlScriptUtils, Date/IpFieldMapper) and QA specs; never from tern.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { EqlSyntaxError, parseEql, parseEqlExpression, type EqlExpr } from "../../lang/eql/index.js";
import { compileEqlExpr, EqlCompileError } from "./compile.js";
import { ecsEqlMapping, type EqlMapping } from "./mapping.js";

interface Row {
  readonly expr: string;
  readonly event: Record<string, unknown>;
  readonly expected: boolean;
  readonly why?: string;
}

function run(rows: readonly Row[], mapping?: EqlMapping): void {
  for (const r of rows) {
    const name = `${r.expr} on ${JSON.stringify(r.event)} is ${String(r.expected)}${r.why === undefined ? "" : `: ${r.why}`}`;
    test(name, () => {
      const pred = compileEqlExpr(parseEqlExpression(r.expr), mapping === undefined ? {} : { mapping });
      assert.equal(pred(r.event), r.expected, `${r.expr} on ${JSON.stringify(r.event)}`);
    });
  }
}

/** ECS types, except that fields under `unmapped.` are in no index (an unknown field; `?` folds it to null). */
const withUnmapped: EqlMapping = (name) => (name.startsWith("unmapped.") ? undefined : ecsEqlMapping(name));

const CMD = { "process.name": "cmd.exe" };

describe("a document's value is what its field's type indexes (compile/predicate/indexing.ts): a malformed one is not there", () => {
  run([
    { expr: "process.pid == 42", event: { "process.pid": "42" }, expected: true, why: "a long reads digits" },
    { expr: "process.pid == 42", event: { "process.pid": 42.9 }, expected: true, why: "a long truncates a fraction" },
    { expr: "process.pid == 42", event: { "process.pid": " 42 " }, expected: false, why: "a long does not trim text: the value is not indexed" },
    { expr: "process.pid == null", event: { "process.pid": "n/a" }, expected: true, why: "a malformed value is as missing" },
    { expr: "process.pid > 5", event: { "process.pid": 1e20 }, expected: false, why: "beyond a Java long: not indexed" },
    { expr: 'source.ip == "10.0.0.1"', event: { "source.ip": "10.0.0.1" }, expected: true },
    { expr: 'source.ip == "10.0.0.1"', event: { "source.ip": "010.0.0.1" }, expected: false, why: "an IPv4 number with a leading zero is malformed" },
    { expr: "source.ip == null", event: { "source.ip": "other-value" }, expected: true, why: "not an address: not indexed" },
  ]);
});

describe("== and != are exact, case-sensitive and never expand wildcards (§5)", () => {
  run([
    { expr: 'process.name == "cmd.exe"', event: CMD, expected: true },
    { expr: 'process.name == "CMD.EXE"', event: CMD, expected: false, why: "case matters" },
    { expr: 'process.name == "cmd*.exe"', event: CMD, expected: false, why: "* is a literal star" },
    { expr: 'process.name == "cmd*.exe"', event: { "process.name": "cmd*.exe" }, expected: true, why: "* matches itself" },
    { expr: 'process.name == "cmd?exe"', event: CMD, expected: false, why: "? is a literal question mark" },
    { expr: 'process.name != "cmd.exe"', event: { "process.name": "CMD.EXE" }, expected: true, why: "case matters for != too" },
    { expr: '"cmd.exe" == process.name', event: CMD, expected: true, why: "a literal on the left is moved right" },
    { expr: "process.pid == 5", event: { "process.pid": 5 }, expected: true },
    { expr: "process.pid == 5", event: { "process.pid": "5" }, expected: true, why: "a long field indexes the string 5 as 5" },
    { expr: "process.pid == 5.0", event: { "process.pid": 5 }, expected: true, why: "numbers compare numerically" },
    { expr: "process.pid == 5.5", event: { "process.pid": 5 }, expected: false, why: "a long term query with a fraction matches nothing" },
  ]);
});

describe(": is case-insensitive equality, a wildcard match when the literal has * or ? (§5)", () => {
  run([
    { expr: 'process.name : "CMD.EXE"', event: CMD, expected: true },
    { expr: 'process.name : "cmd"', event: CMD, expected: false, why: "without wildcards it is whole-value equality" },
    { expr: 'process.name : "cmd.*"', event: { "process.name": "CMD.EXE" }, expected: true },
    { expr: 'process.name : "c?d.exe"', event: { "process.name": "CMD.exe" }, expected: true, why: "? is one character" },
    { expr: 'process.name : "c?d.exe"', event: { "process.name": "cmmd.exe" }, expected: false, why: "? is exactly one character" },
    { expr: 'process.name : "*.exe"', event: { "process.name": "cmd.exe.bak" }, expected: false, why: "the pattern covers the whole value" },
    { expr: 'process.name : "*"', event: { "process.name": "" }, expected: true, why: "* matches the empty value" },
    { expr: 'process.name : ("a.exe", "CMD.*")', event: CMD, expected: true, why: "a list matches any item" },
    { expr: 'process.name : ("a.exe", "b.*")', event: CMD, expected: false },
    { expr: 'process.command_line : "*%*"', event: { "process.command_line": "50%" }, expected: true, why: "% is a literal (QA wildcard1)" },
    { expr: 'process.command_line : "*%*"', event: { "process.command_line": "50 percent" }, expected: false, why: "% is not a SQL wildcard" },
  ]);
});

describe("like and like~ match the whole value with * and ? (§5)", () => {
  run([
    { expr: 'process.name like "cmd*"', event: CMD, expected: true },
    { expr: 'process.name like "CMD*"', event: CMD, expected: false, why: "like is case-sensitive" },
    { expr: 'process.name like~ "CMD*"', event: CMD, expected: true, why: "like~ ignores case" },
    { expr: 'process.name like "?md.exe"', event: CMD, expected: true },
    { expr: 'process.name like "cmd"', event: CMD, expected: false, why: "anchored to the whole value" },
    { expr: 'process.name like ("x*", "c*")', event: CMD, expected: true, why: "a list matches any pattern" },
    { expr: 'file.path like """C:\\Windows\\*"""', event: { "file.path": "C:\\Windows\\notepad.exe" }, expected: true, why: "a backslash is a literal backslash" },
  ]);
});

describe("in, in~ and not in are set membership without wildcards (§5)", () => {
  run([
    { expr: 'process.name in ("a.exe", "cmd.exe")', event: CMD, expected: true },
    { expr: 'process.name in ("CMD.EXE")', event: CMD, expected: false, why: "in is case-sensitive" },
    { expr: 'process.name in~ ("CMD.EXE")', event: CMD, expected: true, why: "in~ ignores case" },
    { expr: 'process.name in~ ("cmd*")', event: CMD, expected: false, why: "in~ does not expand wildcards" },
    { expr: 'process.name in~ ("CMD*")', event: { "process.name": "cmd*" }, expected: true, why: "in~ matches a literal star" },
    { expr: 'process.name not in ("a.exe")', event: CMD, expected: true },
    { expr: 'process.name not in ("cmd.exe")', event: CMD, expected: false },
    { expr: 'process.name not in~ ("CMD.EXE")', event: CMD, expected: false },
    { expr: "process.pid in (1, 5)", event: { "process.pid": 5 }, expected: true, why: "numbers too" },
  ]);
});

describe("regex and regex~ are Lucene regular expressions anchored to the whole value (§5)", () => {
  run([
    { expr: 'process.name regex """cmd\\.exe"""', event: CMD, expected: true },
    { expr: 'process.name regex "cmd"', event: CMD, expected: false, why: "anchored: no partial match" },
    { expr: 'process.name regex "c.d.*"', event: CMD, expected: true },
    { expr: 'process.name regex "CMD.*"', event: CMD, expected: false, why: "regex is case-sensitive" },
    { expr: 'process.name regex~ "CMD.*"', event: CMD, expected: true, why: "regex~ ignores case" },
    { expr: 'process.name regex ("x.*", """[a-c]md\\..*""")', event: CMD, expected: true, why: "a list matches any pattern" },
    { expr: 'process.name regex "cmd|ps"', event: { "process.name": "ps" }, expected: true, why: "alternation covers the whole value" },
    { expr: 'process.name regex "file<1-10>.txt"', event: { "process.name": "file7.txt" }, expected: true, why: "Lucene's <m-n> numeric interval is on" },
  ]);
});

describe("< <= > >= on keywords use code-point order (§5)", () => {
  run([
    { expr: 'process.name < "b"', event: { "process.name": "a" }, expected: true },
    { expr: 'process.name < "b"', event: { "process.name": "B" }, expected: true, why: "upper case sorts before lower case" },
    { expr: 'process.name > "a"', event: { "process.name": "B" }, expected: false, why: "B (0x42) is below a (0x61)" },
    { expr: 'process.name >= "cmd"', event: { "process.name": "cmd" }, expected: true },
    { expr: 'process.name > "cmd"', event: { "process.name": "cmd.exe" }, expected: true, why: "a longer string with the same prefix is greater" },
    { expr: 'process.name > "\\u{FFFD}"', event: { "process.name": "😀" }, expected: true, why: "U+1F600 is above U+FFFD in code-point (UTF-8 byte) order, not in UTF-16 order" },
  ]);
});

describe("numeric comparisons and arithmetic (§5)", () => {
  run([
    { expr: "process.pid > 5", event: { "process.pid": 10 }, expected: true },
    { expr: "process.pid > 5", event: { "process.pid": 5 }, expected: false },
    { expr: "process.pid >= 5", event: { "process.pid": 5 }, expected: true },
    { expr: "process.pid < 10", event: { "process.pid": "9" }, expected: true, why: "numeric, not string, order" },
    { expr: "process.pid <= 4.5", event: { "process.pid": 4 }, expected: true },
    { expr: "10 < process.pid", event: { "process.pid": 11 }, expected: true, why: "a literal on the left flips the operator" },
    { expr: "process.pid + 1 == 6", event: { "process.pid": 5 }, expected: true },
    { expr: "process.pid / 2 == 2", event: { "process.pid": 5 }, expected: true, why: "long / int is integer division" },
    { expr: "process.pid % 3 == -2", event: { "process.pid": -5 }, expected: true, why: "% takes the dividend's sign" },
    { expr: "process.pid * 1.5 == 7.5", event: { "process.pid": 5 }, expected: true, why: "a double operand gives a double" },
  ]);
});

describe("@timestamp against ISO strings and epoch millis (§3; DateFieldMapper rounds the upper bound up)", () => {
  const T = "2017-08-30T20:47:33Z";
  run([
    { expr: `@timestamp == "${T}"`, event: { "@timestamp": T }, expected: true, why: "QA filterOnDateExactWithLiteral" },
    { expr: `@timestamp == "${T}"`, event: { "@timestamp": "2017-08-30T20:47:33.500Z" }, expected: true, why: "== is a range whose upper end rounds up to the literal's precision" },
    { expr: `@timestamp == "${T}"`, event: { "@timestamp": "2017-08-30T20:47:34Z" }, expected: false },
    { expr: '@timestamp == "2017-08-30"', event: { "@timestamp": "2017-08-30T12:00:00Z" }, expected: true, why: "a day literal covers the whole day" },
    { expr: '@timestamp == "2017-08-30T22:47:33+02:00"', event: { "@timestamp": T }, expected: true, why: "offsets are honoured" },
    { expr: "@timestamp == 1504126053000", event: { "@timestamp": T }, expected: true, why: "an integer is epoch millis" },
    { expr: "@timestamp == 1504126053000", event: { "@timestamp": 1504126053000 }, expected: true, why: "epoch millis in the document" },
    { expr: "@timestamp > 1504126053000", event: { "@timestamp": "2017-08-30T20:47:33.001Z" }, expected: true },
    { expr: `@timestamp >= "${T}"`, event: { "@timestamp": "2017-08-30T20:47:33.500Z" }, expected: true },
    { expr: `@timestamp > "${T}"`, event: { "@timestamp": "2017-08-30T20:47:33.500Z" }, expected: false, why: "an exclusive lower bound is rounded up first (> 33.999)" },
    { expr: `@timestamp < "${T}"`, event: { "@timestamp": "2017-08-30T20:47:32.999Z" }, expected: true },
    { expr: `@timestamp < "${T}"`, event: { "@timestamp": T }, expected: false },
    { expr: '@timestamp <= "2017-08-30"', event: { "@timestamp": "2017-08-30T23:00:00Z" }, expected: true, why: "an inclusive upper bound rounds up to the end of the day" },
  ]);
});

describe("ip fields compare as addresses; cidrMatch is a terms query on the ip field (§5, §6)", () => {
  run([
    { expr: 'source.ip == "10.0.0.1"', event: { "source.ip": "10.0.0.1" }, expected: true },
    { expr: 'source.ip == "10.0.0.1"', event: { "source.ip": "::ffff:10.0.0.1" }, expected: true, why: "an IPv4-mapped IPv6 address is the same address" },
    { expr: 'source.ip == "10.0.0.0/8"', event: { "source.ip": "10.1.2.3" }, expected: true, why: "an ip term query accepts a CIDR block" },
    { expr: 'source.ip < "10.0.0.10"', event: { "source.ip": "10.0.0.9" }, expected: true, why: "address order, not string order" },
    { expr: 'source.ip > "10.0.0.10"', event: { "source.ip": "10.0.0.9" }, expected: false },
    { expr: 'cidrMatch(source.ip, "10.0.0.0/8")', event: { "source.ip": "10.1.2.3" }, expected: true },
    { expr: 'cidrMatch(source.ip, "10.0.0.0/8")', event: { "source.ip": "11.1.2.3" }, expected: false },
    { expr: 'cidrMatch(source.ip, "192.168.0.0/16", "10.0.0.0/8")', event: { "source.ip": "192.168.5.5" }, expected: true },
    { expr: 'cidrMatch(source.ip, "2001:db8::/32")', event: { "source.ip": "2001:db8::5" }, expected: true },
    { expr: 'cidrMatch(source.ip, "10.0.0.0/8") == false', event: { "source.ip": "11.0.0.1" }, expected: true, why: "f(…) == false is not f(…)" },
  ]);
});

describe("functions in where clauses, evaluated as scripts over field values (§6)", () => {
  run([
    { expr: 'startsWith("cmd.exe.bak", process.name)', event: CMD, expected: true, why: "a field as the pattern argument" },
    { expr: 'between(process.name, "c", ".") == "md"', event: CMD, expected: true },
    { expr: 'string(process.pid) == "5"', event: { "process.pid": 5 }, expected: true },
    { expr: 'string(process.pid) : "5*"', event: { "process.pid": 55 }, expected: true },
    { expr: 'concat(process.pid, ":", process.name) == "5:cmd.exe"', event: { "process.pid": 5, "process.name": "cmd.exe" }, expected: true },
    { expr: "length(process.name) == 7", event: CMD, expected: true },
    { expr: 'substring(process.name, -4) : ".EXE"', event: CMD, expected: true, why: "QA substring4" },
    { expr: 'indexOf(process.name, "z") == null', event: CMD, expected: true, why: "not found is null" },
  ]);
});

describe("multi-valued fields: a leaf holds when any value does; a negation only when none does (§3)", () => {
  const ARGS = { "process.args": ["a", "b"] };
  run([
    { expr: 'process.args == "b"', event: ARGS, expected: true },
    { expr: 'process.args != "b"', event: ARGS, expected: false, why: "one value equals b" },
    { expr: 'process.args != "c"', event: ARGS, expected: true },
    { expr: 'process.args : "B"', event: ARGS, expected: true },
    { expr: 'not process.args in ("a")', event: ARGS, expected: false },
    { expr: 'process.args not in ("c")', event: ARGS, expected: true },
    { expr: 'process.args like "a*"', event: { "process.args": ["x", "ab"] }, expected: true },
    { expr: 'endsWith(process.args, "b")', event: { "process.args": ["x", "ab"] }, expected: true },
    { expr: "length(process.args) == 1", event: { "process.args": ["ab", "c"] }, expected: true, why: "scripts try every value" },
    { expr: "not length(process.args) == 1", event: { "process.args": ["ab", "c"] }, expected: false, why: "a negated script is false when any value satisfies it" },
    { expr: "process.pid > 5", event: { "process.pid": [1, 10] }, expected: true },
    { expr: 'cidrMatch(source.ip, "10.0.0.0/8")', event: { "source.ip": ["1.1.1.1", "10.0.0.1"] }, expected: true },
    { expr: 'not cidrMatch(source.ip, "10.0.0.0/8")', event: { "source.ip": ["1.1.1.1", "10.0.0.1"] }, expected: false },
    { expr: "process.args == null", event: { "process.args": ["a", null] }, expected: false, why: "a field with one value is not null" },
  ]);
});

describe("null regime 1: pushed-down leaves are false on a missing field, their negation true (§4)", () => {
  run([
    { expr: 'process.parent.name != "a"', event: {}, expected: true, why: "!= is must_not term" },
    { expr: 'process.parent.name != "a"', event: { "process.parent.name": "a" }, expected: false },
    { expr: 'process.name != "a"', event: { "process.name": null }, expected: true, why: "an explicit JSON null is missing" },
    { expr: "process.pid != 5", event: {}, expected: true, why: "!= on a long is must_not term too" },
    { expr: 'not process.name == "a"', event: {}, expected: true, why: "not over a term query is must_not" },
    { expr: 'process.name in ("a", "b")', event: {}, expected: false },
    { expr: 'not process.name in ("a", "b")', event: {}, expected: true },
    { expr: 'process.name not in ("a", "b")', event: {}, expected: true },
    { expr: 'process.name : "*a*"', event: {}, expected: false },
    { expr: 'not process.name : "*a*"', event: {}, expected: true },
    { expr: 'not process.name like "a*"', event: {}, expected: true },
    { expr: 'not process.name regex "a.*"', event: {}, expected: true },
    { expr: 'cidrMatch(source.ip, "10.0.0.0/8")', event: {}, expected: false },
    { expr: 'not cidrMatch(source.ip, "10.0.0.0/8")', event: {}, expected: true },
    { expr: 'startsWith(process.name, "a")', event: {}, expected: false },
    { expr: 'not startsWith(process.name, "a")', event: {}, expected: true, why: "startsWith on a field is a prefix query" },
    { expr: 'not stringContains(process.name, "a")', event: {}, expected: true, why: "case-sensitive stringContains is a wildcard query" },
    { expr: 'not endsWith~(process.name, "a")', event: {}, expected: true, why: "endsWith~ is a case-insensitive wildcard query" },
    { expr: "process.pid > 5", event: {}, expected: false },
    { expr: "process.pid <= 5", event: {}, expected: false },
  ]);
});

// docs/eql.md §4 says `not (x > 5)` is first rewritten to `x <= 5`, that case-sensitive endsWith is a script,
// and that a negated script on a missing field is null (no match). Elasticsearch 8.x does otherwise:
// - Optimizer.EqlBooleanSimplification overrides maybeSimplifyNegatable to return null (NOT is never pushed
//   into comparisons since the multi-value work, PR #74567/#76610, 7.15); querytranslator_tests.txt
//   `notFilter` expects {"bool":{"must_not":[{"range":{"exit_code":{"gt":-1 for `not (exit_code > -1)`;
// - eql/planner/QueryTranslator.CaseInsensitiveScalarFunctions turns endsWith(field, lit) into a wildcard
//   query "*lit" for both case modes (querytranslator_tests.txt endsWithKeywordFieldFunction-caseSensitive);
// - a negated script is rewritten by ql Scripts.docValuesRewrite to not(multiValueDocValues(…,
//   X -> nullSafeFilter(…))), and InternalEqlScriptUtils.multiValueDocValues tests a missing field as null,
//   so the inner null becomes false and the outer not makes it true.
describe("null regime, negations on a missing mapped field as Elasticsearch 8.x translates them (differs from docs/eql.md §4)", () => {
  run([
    { expr: "not (process.pid > 5)", event: {}, expected: true, why: "must_not range, not a rewrite to <=" },
    { expr: "not (process.pid > 5)", event: { "process.pid": 3 }, expected: true },
    { expr: "not (process.pid > 5)", event: { "process.pid": 7 }, expected: false },
    { expr: 'not endsWith(process.name, "a")', event: {}, expected: true, why: "must_not wildcard *a" },
    { expr: 'endsWith(process.name, "a")', event: {}, expected: false },
    { expr: "not (length(process.name) > 3)", event: {}, expected: true, why: "not(multiValueDocValues(… nullSafeFilter(…))) is not(false)" },
    { expr: "not (process.pid + 1 == 6)", event: {}, expected: true, why: "arithmetic scripts are negated the same way" },
  ]);
});

describe("null regime 2: a script with a missing field is false; IS NULL rewrites of == null (§4)", () => {
  run([
    { expr: "length(process.name) > 0", event: {}, expected: false },
    { expr: "process.pid + 1 > 0", event: {}, expected: false },
    { expr: 'concat(process.name, "x") == "x"', event: {}, expected: false, why: "concat with a null argument is null" },
    { expr: "process.name == null", event: {}, expected: true },
    { expr: "process.name == null", event: { "process.name": "x" }, expected: false },
    { expr: "process.name == null", event: { "process.name": null }, expected: true },
    { expr: "null == process.name", event: {}, expected: true },
    { expr: "process.name != null", event: {}, expected: false },
    { expr: "process.name != null", event: { "process.name": "x" }, expected: true },
    { expr: "?process.parent.name == null", event: {}, expected: true, why: "a mapped ?field behaves like the field" },
    { expr: '?process.parent.name != "a"', event: {}, expected: true, why: "a mapped ?field behaves like the field" },
    { expr: "concat(process.name, process.parent.name) == null", event: { "process.name": "a" }, expected: true, why: "QA concatWithCondition2" },
    { expr: "concat(process.name, process.parent.name) == null", event: { "process.name": "a", "process.parent.name": "b" }, expected: false },
    { expr: "concat(process.name, process.parent.name) != null", event: { "process.name": "a" }, expected: false, why: "QA concatWithCondition1" },
    { expr: "null == (process.exit_code > -1)", event: {}, expected: true, why: "QA nullEqualityWithGtAndHead" },
    { expr: "null == (process.exit_code > -1)", event: { "process.exit_code": 0 }, expected: false },
    { expr: "null == null", event: {}, expected: true },
  ]);
});

describe("?fields that no index maps fold to the literal null before == null becomes IS NULL (§3, §4)", () => {
  run(
    [
      { expr: "?unmapped.f == null", event: {}, expected: true },
      { expr: "?unmapped.f == null", event: { "unmapped.f": "x" }, expected: true, why: "folded at compile time; the document is never read" },
      { expr: "?unmapped.f", event: {}, expected: false, why: "a null where clause" },
      { expr: "?unmapped.f != null", event: {}, expected: false },
      { expr: '?unmapped.f == "x"', event: { "unmapped.f": "x" }, expected: false, why: 'null == "x" becomes "x" IS NULL' },
      { expr: '?unmapped.f != "x"', event: {}, expected: true, why: 'null != "x" becomes "x" IS NOT NULL (ReplaceNullChecks)' },
      { expr: '?unmapped.f < "x"', event: {}, expected: false, why: "an ordering with null folds to null" },
      { expr: '?unmapped.f in ("a")', event: {}, expected: false },
      { expr: "?unmapped.a == ?unmapped.b", event: {}, expected: true, why: "null == null" },
      { expr: 'concat("a", ?unmapped.f) == null', event: {}, expected: true },
    ],
    withUnmapped,
  );

  test("an unmapped field without ? is a compile error", () => {
    assert.throws(() => compileEqlExpr(parseEqlExpression('unmapped.f == "x"'), { mapping: withUnmapped }), EqlCompileError);
  });
});

// Found by the fuzz campaign: `a - 0 - 0 …` (5,000 times) parsed, then overflowed the stack in the
// compiler, and `tern validate`, `tern eql match` and `tern run` exited 70.
describe("long chains of and, or and arithmetic", () => {
  const chain = (n: number, join: string, term: string) => `${Array(n).fill(term).join(join)}`;
  test("past 1,000 levels the parser refuses them with EQL003, so no later stage overflows the stack", () => {
    for (const where of [`process.pid${"-0".repeat(5000)} >= 0`, chain(5000, " and ", "process.pid == 1"), chain(5000, " or ", "process.pid == 1"), chain(5000, " or ", 'process.name : "*"')]) {
      assert.throws(
        () => parseEqlExpression(where),
        (e: unknown) => e instanceof EqlSyntaxError && e.code === "EQL003" && /^The query is \d+ levels deep \(a long chain of and, or, comparisons or arithmetic\); tern takes at most 1000\.$/.test(e.shortMessage) && e.offset === 0,
      );
    }
  });
  test("a whole statement is bounded too: a sequence stage with a chain of 4,000 multiplications", () => {
    const q = `sequence [process where true] [file where process.pid${" * 2".repeat(4000)} == 1]`;
    assert.throws(() => parseEql(q), (e: unknown) => e instanceof EqlSyntaxError && e.code === "EQL003" && e.shortMessage.startsWith("The query is 400") && e.offset === 0 && e.length === 1);
  });
  test("a tree built in code past 1,000 levels is EQL003 from the compiler", () => {
    let expr: EqlExpr = parseEqlExpression(chain(999, " and ", "process.pid == 1"));
    for (let i = 0; i < 5; i++) expr = { kind: "and", left: expr, right: { kind: "literal", value: true } } as EqlExpr;
    assert.throws(
      () => compileEqlExpr(expr),
      (e: unknown) => e instanceof EqlCompileError && e.code === "EQL003" && /^The condition is 100\d levels deep \(a long chain of and, or or arithmetic\); tern compiles at most 1000\.$/.test(e.message),
    );
  });
  test("999 levels still compile and match", () => {
    const pred = compileEqlExpr(parseEqlExpression(chain(999, " and ", "process.pid == 1")));
    assert.deepEqual([pred({ process: { pid: 1 } }), pred({ process: { pid: 2 } })], [true, false]);
  });
});
