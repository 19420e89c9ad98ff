// Tables for EQL's functions as Elasticsearch evaluates them (docs/eql.md §6). Every expected value comes
// from the doc or, where it is silent, from Elasticsearch's processors (x-pack/plugin/eql/.../scalar/string/
// *FunctionProcessor.java, scalar/math/ToNumberFunctionProcessor.java, eql/util/StringUtils.java, ql's
// Arithmetics.java) and its fold specs (test_string_functions.toml, test_folding.toml); never from tern.
// Errors that fail the whole ES search (an unparseable number(), a division by zero) are null here, which is
// the contract callFunction documents.
import { test } from "node:test";
import assert from "node:assert/strict";
import { callFunction, type ScriptValue, type TypedValue } from "./functions.js";
import type { EqlFunctionName } from "../../lang/eql/ast.js";

const s = (v: string): TypedValue => ({ v, kind: "string" });
const i = (v: number): TypedValue => ({ v, kind: "integer" });
const d = (v: number): TypedValue => ({ v, kind: "double" });
const b = (v: boolean): TypedValue => ({ v, kind: "boolean" });
const NULL: TypedValue = { v: null, kind: "unknown" };

interface Row {
  readonly fn: EqlFunctionName;
  /** The `~` form. */
  readonly ci?: boolean;
  readonly args: readonly TypedValue[];
  readonly expected: ScriptValue;
  /** Checked when given: whether a number result is an integer or a double (it decides how it prints). */
  readonly kind?: "integer" | "double";
  readonly why: string;
}

function show(x: TypedValue): string {
  if (x.v === null) return "null";
  if (typeof x.v === "string") return JSON.stringify(x.v);
  if (typeof x.v === "number" && x.kind === "double" && Number.isInteger(x.v)) return x.v.toFixed(1);
  return String(x.v);
}

function run(rows: readonly Row[]): void {
  for (const r of rows) {
    const call = `${r.fn}${r.ci === true ? "~" : ""}(${r.args.map(show).join(", ")})`;
    test(`${call} is ${JSON.stringify(r.expected)}: ${r.why}`, () => {
      const got = callFunction(r.fn, r.args, r.ci === true);
      assert.equal(got.v, r.expected, call);
      if (r.kind !== undefined) assert.equal(got.kind, r.kind, `${call} kind`);
    });
  }
}

// ---- arithmetic functions (§5 operators, §6; ql Arithmetics: Java int/long/double semantics) ---------

run([
  { fn: "add", args: [i(2), i(3)], expected: 5, kind: "integer", why: "two integers add as integers" },
  { fn: "add", args: [i(2), d(3.5)], expected: 5.5, kind: "double", why: "a double operand gives a double" },
  { fn: "add", args: [d(2), i(3)], expected: 5, kind: "double", why: "2.0 + 3 is the double 5.0" },
  { fn: "add", args: [NULL, i(1)], expected: null, why: "a null left operand gives null" },
  { fn: "add", args: [i(1), NULL], expected: null, why: "a null right operand gives null" },
  { fn: "subtract", args: [i(5), i(7)], expected: -2, kind: "integer", why: "integer subtraction" },
  { fn: "subtract", args: [i(5), NULL], expected: null, why: "null operand gives null" },
  { fn: "multiply", args: [i(6), i(7)], expected: 42, kind: "integer", why: "integer product" },
  { fn: "multiply", args: [d(2.5), i(2)], expected: 5, kind: "double", why: "2.5 * 2 is the double 5.0" },
  { fn: "multiply", args: [NULL, i(2)], expected: null, why: "null operand gives null" },
  { fn: "divide", args: [i(7), i(2)], expected: 3, kind: "integer", why: "int / int is integer division" },
  { fn: "divide", args: [i(-7), i(2)], expected: -3, kind: "integer", why: "integer division truncates toward zero" },
  { fn: "divide", args: [i(7), i(-2)], expected: -3, kind: "integer", why: "truncation toward zero with a negative divisor" },
  { fn: "divide", args: [i(83), i(2)], expected: 41, kind: "integer", why: "the doc's example 83 / 2 == 41" },
  { fn: "divide", args: [d(7), i(2)], expected: 3.5, kind: "double", why: "a double dividend divides as doubles" },
  { fn: "divide", args: [i(7), d(2)], expected: 3.5, kind: "double", why: "a double divisor divides as doubles" },
  { fn: "divide", args: [i(1), NULL], expected: null, why: "a null divisor gives null" },
  { fn: "divide", args: [i(1), i(0)], expected: null, why: "integer division by zero is an ES error (null here)" },
  { fn: "modulo", args: [i(7), i(3)], expected: 1, kind: "integer", why: "integer remainder" },
  { fn: "modulo", args: [i(-7), i(3)], expected: -1, kind: "integer", why: "the remainder takes the dividend's sign" },
  { fn: "modulo", args: [i(7), i(-3)], expected: 1, kind: "integer", why: "a negative divisor does not change the sign" },
  { fn: "modulo", args: [d(7.5), i(2)], expected: 1.5, kind: "double", why: "double remainder" },
  { fn: "modulo", args: [d(-7.5), i(2)], expected: -1.5, kind: "double", why: "double remainder keeps the dividend's sign" },
  { fn: "modulo", args: [NULL, i(2)], expected: null, why: "null operand gives null" },
]);

// ---- between (StringUtils.between; QA test_queries.toml between*) --------------------------------------

run([
  { fn: "between", args: [s("welcome to the planet"), s("welcome"), s("planet")], expected: " to the ", why: "text after left and before right" },
  { fn: "between", args: [s("welcome to the planet"), s("welcome"), s("e"), b(false)], expected: " to th", why: "non-greedy stops at the next right" },
  { fn: "between", args: [s("welcome to the planet"), s("welcome"), s("e"), b(true)], expected: " to the plan", why: "greedy stops at the last right" },
  { fn: "between", args: [s("System Idle Process"), s("S"), s("e"), b(true)], expected: "ystem Idle Proc", why: "QA between1" },
  { fn: "between", args: [s("System Idle Process"), s("s"), s("e"), b(false)], expected: "t", why: "case-sensitive: the first lower-case s is the third letter (QA betweenCaseSensitive)" },
  { fn: "between", ci: true, args: [s("System Idle Process"), s("s"), s("E")], expected: "yst", why: "between~ ignores case when searching (QA betweenCaseInsensitive1)" },
  { fn: "between", ci: true, args: [s("SYSTEM"), s("s"), s("m")], expected: "YSTE", why: "between~ returns the original case" },
  { fn: "between", args: [s("abc"), s("x"), s("c")], expected: "", why: "left not found gives the empty string" },
  { fn: "between", args: [s("abc"), s("a"), s("x")], expected: "", why: "right not found gives the empty string" },
  { fn: "between", args: [s("abc"), s(""), s("c")], expected: "abc", why: "an empty left returns the source unchanged" },
  { fn: "between", args: [s("abc"), s("a"), s("")], expected: "abc", why: "an empty right returns the source unchanged" },
  { fn: "between", args: [s(""), s("a"), s("b")], expected: "", why: "an empty source is returned unchanged" },
  { fn: "between", args: [NULL, s("a"), s("b")], expected: null, why: "a null source gives null" },
]);

// ---- cidrMatch (CIDRMatchFunctionProcessor → CIDRUtils.isInRange) --------------------------------------

run([
  { fn: "cidrMatch", args: [s("10.1.2.3"), s("10.0.0.0/8")], expected: true, why: "an address inside the block" },
  { fn: "cidrMatch", args: [s("11.1.2.3"), s("10.0.0.0/8")], expected: false, why: "an address outside the block" },
  { fn: "cidrMatch", args: [s("192.168.1.1"), s("10.0.0.0/8"), s("192.168.0.0/16")], expected: true, why: "any of several blocks" },
  { fn: "cidrMatch", args: [s("10.6.48.157"), s("10.6.48.157/8")], expected: true, why: "host bits in the block are ignored (QA cidrMatch1)" },
  { fn: "cidrMatch", args: [s("10.0.0.1"), s("10.0.0.1/32")], expected: true, why: "a /32 block is one address" },
  { fn: "cidrMatch", args: [s("10.0.0.2"), s("10.0.0.1/32")], expected: false, why: "a /32 block excludes its neighbour" },
  { fn: "cidrMatch", args: [s("2001:db8::1"), s("2001:db8::/32")], expected: true, why: "IPv6 blocks" },
  { fn: "cidrMatch", args: [s("2001:db9::1"), s("2001:db8::/32")], expected: false, why: "IPv6 outside the block" },
  { fn: "cidrMatch", args: [NULL, s("10.0.0.0/8")], expected: null, why: "a null address gives null" },
]);

// ---- concat (ConcatFunctionProcessor: Object.toString, any null → null) ---------------------------------

run([
  { fn: "concat", args: [s("a")], expected: "a", why: "one argument" },
  { fn: "concat", args: [s("a"), s("||"), i(1), s("||"), b(true), s("||"), s("b")], expected: "a||1||true||b", why: "numbers and booleans as text (test_string_functions.toml)" },
  { fn: "concat", args: [s("a"), NULL, s("b")], expected: null, why: "any null argument gives null" },
  { fn: "concat", args: [NULL], expected: null, why: "a single null gives null" },
  { fn: "concat", args: [s(""), s("")], expected: "", why: "empty strings concatenate to the empty string" },
  { fn: "concat", args: [i(5)], expected: "5", why: "an integer prints without a fraction" },
  { fn: "concat", args: [d(5)], expected: "5.0", why: "a double prints as Java's Double.toString: 5.0" },
  { fn: "concat", args: [d(42.5)], expected: "42.5", why: "Double.toString of 42.5" },
  { fn: "concat", args: [d(-0.5)], expected: "-0.5", why: "Double.toString of -0.5" },
  { fn: "concat", args: [d(1234567)], expected: "1234567.0", why: "below 10^7 Java prints plain digits" },
  { fn: "concat", args: [d(1e7)], expected: "1.0E7", why: "from 10^7 Java switches to E notation" },
  { fn: "concat", args: [d(1e10)], expected: "1.0E10", why: "Double.toString of 1e10" },
  { fn: "concat", args: [d(0.001)], expected: "0.001", why: "10^-3 still prints plain" },
  { fn: "concat", args: [d(0.0001)], expected: "1.0E-4", why: "below 10^-3 Java uses E notation" },
  { fn: "concat", args: [b(false)], expected: "false", why: "booleans as text" },
]);

// ---- endsWith (EndsWithFunctionProcessor) -----------------------------------------------------------------

run([
  { fn: "endsWith", args: [s("FooBarBaz"), s("Baz")], expected: true, why: "a matching suffix" },
  { fn: "endsWith", args: [s("FooBarBaz"), s("Foo")], expected: false, why: "a prefix is not a suffix" },
  { fn: "endsWith", args: [s("FooBarBaz"), s("baz")], expected: false, why: "case-sensitive by default" },
  { fn: "endsWith", ci: true, args: [s("FooBarBaz"), s("baz")], expected: true, why: "endsWith~ ignores case" },
  { fn: "endsWith", args: [s(""), s("")], expected: true, why: "endsWith(\"\", \"\") is true" },
  { fn: "endsWith", args: [s("abc"), s("")], expected: true, why: "every string ends with the empty string" },
  { fn: "endsWith", args: [s(""), s("a")], expected: false, why: "the empty string has no non-empty suffix" },
  { fn: "endsWith", args: [NULL, s("a")], expected: null, why: "a null source gives null" },
  { fn: "endsWith", args: [s("a"), NULL], expected: null, why: "a null suffix gives null" },
]);

// ---- indexOf (IndexOfFunctionProcessor: Java String.indexOf, -1 → null) ---------------------------------

run([
  { fn: "indexOf", args: [s("foobarbaz"), s("o")], expected: 1, why: "first occurrence, zero-based" },
  { fn: "indexOf", args: [s("foobarbaz"), s("o"), i(0)], expected: 1, why: "start 0 is the default" },
  { fn: "indexOf", args: [s("foobarbaz"), s("o"), i(2)], expected: 2, why: "search starts at start, inclusive" },
  { fn: "indexOf", args: [s("foobarbaz"), s("r"), i(2)], expected: 5, why: "the position is absolute, not relative to start" },
  { fn: "indexOf", args: [s("foobarbaz"), s("L")], expected: null, why: "not found is null, not -1" },
  { fn: "indexOf", args: [s("foobarbaz"), s("O")], expected: null, why: "case-sensitive by default" },
  { fn: "indexOf", ci: true, args: [s("foobarbaz"), s("O")], expected: 1, why: "indexOf~ ignores case" },
  { fn: "indexOf", args: [s("foobarbaz"), s("o"), i(-5)], expected: 1, why: "a negative start counts as 0" },
  { fn: "indexOf", args: [s("foobarbaz"), s("o"), i(100)], expected: null, why: "a start beyond the end finds nothing" },
  { fn: "indexOf", args: [s("abc"), s("")], expected: 0, why: "the empty substring is found at 0" },
  { fn: "indexOf", args: [s("abc"), s(""), i(2)], expected: 2, why: "the empty substring is found at start" },
  { fn: "indexOf", args: [s("abc"), s(""), i(10)], expected: 3, why: "Java's indexOf(\"\", from >= length) returns the length" },
  { fn: "indexOf", args: [NULL, s("a")], expected: null, why: "a null source gives null" },
  { fn: "indexOf", args: [s("a"), NULL], expected: null, why: "a null substring gives null" },
]);

// ---- length (LengthFunctionProcessor: String.length, UTF-16 units) --------------------------------------

run([
  { fn: "length", args: [s("foo")], expected: 3, why: "characters counted" },
  { fn: "length", args: [s("")], expected: 0, why: "the empty string has length 0" },
  { fn: "length", args: [s("é")], expected: 1, why: "one BMP code point is one unit" },
  { fn: "length", args: [s("😀")], expected: 2, why: "an astral code point is two UTF-16 units" },
  { fn: "length", args: [NULL], expected: null, why: "null gives null" },
]);

// ---- number (math/ToNumberFunctionProcessor: Long.valueOf, else Double.valueOf; other bases Long.parseLong)

run([
  { fn: "number", args: [s("314")], expected: 314, kind: "integer", why: "decimal integer" },
  { fn: "number", args: [s("3.14")], expected: 3.14, kind: "double", why: "decimal fraction" },
  { fn: "number", args: [s("-3.14"), i(10)], expected: -3.14, why: "explicit base 10 still parses doubles" },
  { fn: "number", args: [s("-314"), i(10)], expected: -314, why: "a minus sign" },
  { fn: "number", args: [s("+314"), i(10)], expected: 314, why: "a plus sign" },
  { fn: "number", args: [s("1.0")], expected: 1, kind: "double", why: "1.0 is a double, not an integer" },
  { fn: "number", args: [s("1e3")], expected: 1000, kind: "double", why: "exponent notation is a double" },
  { fn: "number", args: [s(" 42 ")], expected: 42, kind: "double", why: "surrounding whitespace: Long.valueOf fails, Double.valueOf trims" },
  { fn: "number", args: [s("0x1337")], expected: 4919, why: "0x selects base 16" },
  { fn: "number", args: [s("0x1337"), i(16)], expected: 4919, why: "0x is stripped when base 16 is explicit" },
  { fn: "number", args: [s("ff"), i(16)], expected: 255, why: "explicit base 16 without prefix" },
  { fn: "number", args: [s("-ff"), i(16)], expected: -255, why: "a sign in another base" },
  { fn: "number", args: [s("052403"), i(8)], expected: 21763, why: "base 8 (test_string_functions.toml)" },
  { fn: "number", args: [s("52403"), i(7)], expected: 12890, why: "base 7 (test_string_functions.toml)" },
  { fn: "number", args: [s("5"), NULL], expected: 5, why: "a null base is the default base" },
  { fn: "number", args: [NULL], expected: null, why: "null gives null" },
  { fn: "number", args: [s("0X1F")], expected: null, why: "only a lower-case 0x is a hex prefix; the rest is no decimal (ES error)" },
  { fn: "number", args: [s("0x1F"), i(10)], expected: null, why: "0x with an explicit base 10 is unparseable (ES error)" },
  { fn: "number", args: [s("abc")], expected: null, why: "unparseable text is an ES error" },
  { fn: "number", args: [s("")], expected: null, why: "the empty string is unparseable (ES error)" },
]);

// ---- startsWith (ql StartsWithFunctionProcessor) ------------------------------------------------------------

run([
  { fn: "startsWith", args: [s("FooBarBaz"), s("Foo")], expected: true, why: "a matching prefix" },
  { fn: "startsWith", args: [s("FooBarBaz"), s("FooBar")], expected: true, why: "a longer matching prefix" },
  { fn: "startsWith", args: [s("FooBarBaz"), s("Bar")], expected: false, why: "an infix is not a prefix" },
  { fn: "startsWith", args: [s("FooBar"), s("foo")], expected: false, why: "case-sensitive by default" },
  { fn: "startsWith", ci: true, args: [s("FooBar"), s("FOO")], expected: true, why: "startsWith~ ignores case" },
  { fn: "startsWith", args: [s("FooBarBaz"), s("")], expected: true, why: "every string starts with the empty string" },
  { fn: "startsWith", args: [s(""), s("")], expected: true, why: "startsWith(\"\", \"\") is true" },
  { fn: "startsWith", args: [s("Foo"), s("FooBar")], expected: false, why: "a prefix longer than the string" },
  { fn: "startsWith", args: [NULL, s("Foo")], expected: null, why: "a null source gives null" },
  { fn: "startsWith", args: [s("FooBarBaz"), NULL], expected: null, why: "a null prefix gives null" },
]);

// ---- string (ToStringFunctionProcessor: Object.toString, null → null) ---------------------------------------

run([
  { fn: "string", args: [i(1)], expected: "1", why: "an integer" },
  { fn: "string", args: [b(true)], expected: "true", why: "a boolean" },
  { fn: "string", args: [d(2.1828)], expected: "2.1828", why: "a double with a fraction" },
  { fn: "string", args: [d(5)], expected: "5.0", why: "a whole double keeps .0" },
  { fn: "string", args: [d(100)], expected: "100.0", why: "a whole double keeps .0" },
  { fn: "string", args: [d(1e10)], expected: "1.0E10", why: "Double.toString switches to E notation" },
  { fn: "string", args: [d(1e-5)], expected: "1.0E-5", why: "small doubles in E notation" },
  { fn: "string", args: [s("hello")], expected: "hello", why: "a string is itself" },
  { fn: "string", args: [NULL], expected: null, why: "null gives null" },
]);

// ---- stringContains (StringUtils.stringContains: empty string or substring → false) -----------------------

run([
  { fn: "stringContains", args: [s("FooBarBaz"), s("Bar")], expected: true, why: "an infix" },
  { fn: "stringContains", args: [s("FooBarBaz"), s("bar")], expected: false, why: "case-sensitive by default" },
  { fn: "stringContains", ci: true, args: [s("FooBarBaz"), s("bar")], expected: true, why: "stringContains~ ignores case" },
  { fn: "stringContains", args: [s("abc"), s("")], expected: false, why: "an empty substring gives false" },
  { fn: "stringContains", args: [s(""), s("")], expected: false, why: "an empty source gives false" },
  { fn: "stringContains", args: [s(""), s("a")], expected: false, why: "nothing is in the empty string" },
  { fn: "stringContains", args: [NULL, s("a")], expected: null, why: "a null source gives null" },
]);

// ---- substring (SubstringFunctionProcessor + StringUtils.substringSlice: Python slices) ---------------------

run([
  { fn: "substring", args: [s("hello world"), i(6)], expected: "world", why: "no end means to the end" },
  { fn: "substring", args: [s("hello world"), i(0), i(5)], expected: "hello", why: "end is exclusive" },
  { fn: "substring", args: [s("hello world"), i(3), i(9)], expected: "lo wor", why: "a middle slice" },
  { fn: "substring", args: [s("hello world"), i(0), i(500)], expected: "hello world", why: "an end past the string is clamped" },
  { fn: "substring", args: [s("hello world"), i(5), i(-1)], expected: " worl", why: "a negative end counts from the end" },
  { fn: "substring", args: [s("hello world"), i(-5)], expected: "world", why: "a negative start counts from the end" },
  { fn: "substring", args: [s("hello world"), i(-5), i(-1)], expected: "worl", why: "both negative" },
  { fn: "substring", args: [s("hello world"), i(-5), i(100)], expected: "world", why: "negative start, clamped end" },
  { fn: "substring", args: [s("hello world"), i(-60), i(5)], expected: "hello", why: "a start before the beginning is clamped to 0" },
  { fn: "substring", args: [s("hello world"), i(6), i(3)], expected: "", why: "start >= end gives the empty string" },
  { fn: "substring", args: [s("abc"), i(5)], expected: "", why: "a start past the end gives the empty string" },
  { fn: "substring", args: [s("abc"), i(1), i(-5)], expected: "", why: "an end clamped to 0 gives the empty string" },
  { fn: "substring", args: [s("hello world"), i(6), NULL], expected: "world", why: "a null end means to the end" },
  { fn: "substring", args: [s("hello world"), NULL], expected: "hello world", why: "a null start returns the source (the processor's early return)" },
  { fn: "substring", args: [s(""), i(1)], expected: "", why: "the empty string stays empty" },
  { fn: "substring", args: [NULL, i(5)], expected: null, why: "a null source gives null" },
]);
