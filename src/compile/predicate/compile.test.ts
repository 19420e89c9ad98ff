// Unit tables for the KQL predicate (docs/kql.md §7): every expectation runs through both the compiled
// closures and the reference interpreter; then a fast-check differential test over generated queries,
// events and options (field types, case folding, time zones).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileAst } from "./compile.js";
import { evaluateKql } from "./evaluate.js";
import { compileKql } from "./index.js";
import type { KqlEvalOptions } from "./ir.js";
import type { KqlNode } from "../../lang/kql/ast.js";
import type { EsFieldType } from "../../ecs/field-types.js";
import { and, arbDoc, arbOptions, arbQuery, exists, is, lit, nested, not, or, range } from "./test-support.js";

const NO_TYPES: KqlEvalOptions = { fieldTypes: () => undefined };

/** Runs one expectation through both the compiled predicate and the reference interpreter. */
function check(q: KqlNode, doc: Record<string, unknown>, expected: boolean, opts: KqlEvalOptions = NO_TYPES): void {
  assert.equal(compileAst(q, opts)(doc), expected, `compiled ${JSON.stringify(q)} on ${JSON.stringify(doc)}`);
  assert.equal(evaluateKql(q, doc, opts), expected, `reference ${JSON.stringify(q)} on ${JSON.stringify(doc)}`);
}

function typed(map: Record<string, EsFieldType>, extra: KqlEvalOptions = {}): KqlEvalOptions {
  return { ...extra, fieldTypes: (n) => (Object.prototype.hasOwnProperty.call(map, n) ? map[n] : undefined) };
}

test("a path stored both nested and dotted in one event: each spelling's values count", () => {
  // Elasticsearch indexes {"a":{"b":"x"},"a.b":"y"} as a.b = ["x","y"]; a reader that stops at the first
  // spelling of the path it finds misses the other value.
  for (const doc of [{ a: { b: "x" }, "a.b": "y" }, { "a.b": "y", a: { b: "x" } }]) {
    check(is("a.b", "x"), doc, true);
    check(is("a.b", "y"), doc, true);
    check(is("a.b", "z"), doc, false);
  }
  check(is("a.b.c", "x"), { a: { b: { c: "x" } }, "a.b": { c: "y" } }, true);
  check(is("a.b.c", "y"), { a: { b: { c: "x" } }, "a.b": { c: "y" } }, true);
  check(is("a.b.c", "x"), { a: { "b.c": "y", b: { c: "x" } } }, true);
  check(is("a.b.c", "y"), { a: { "b.c": "y", b: { c: "x" } } }, true);
  check(range("a.b", "gte", "y"), { a: { b: "x" }, "a.b": "y" }, true);
});

test("a field name of thousands of parts is read without a table of every joined run of its parts", () => {
  // 1,500 parts: the joined-runs table would hold 1.1 million keys of up to 7 KB each.
  const parts = Array.from({ length: 1500 }, (_, i) => `p${i}`);
  const name = parts.join(".");
  const nest = (from: number, to: number, leaf: unknown): unknown => {
    let v = leaf;
    for (let i = to - 1; i >= from; i--) v = { [parts[i]]: v };
    return v;
  };
  const nested = nest(0, parts.length, "x") as Record<string, unknown>;
  const mixed = { [parts.slice(0, 700).join(".")]: nest(700, 1499, { [parts[1499]]: ["y", "x"] }) };
  const flat = { [name]: "x", [parts.slice(0, 1499).join(".")]: { other: "x" } };
  for (const doc of [nested, mixed, flat]) {
    check(is(name, "x"), doc, true);
    check(is(name, "z"), doc, false);
    check(exists(name), doc, true);
  }
  check(is(name, "x"), { [parts.slice(0, 1499).join(".")]: { [`${parts[1499]}x`]: "x" } }, false);
  check(exists(name), { p0: { p1: "x" } }, false);
});

test("exists sees values stored under dotted keys that straddle the field path", () => {
  check(is("host", "*"), { "host.name": "x" }, true);
  check(is("host", "*"), { host: { "os.name": null } }, false);
  check(is("host.os", "*"), { "host.os.name": "x" }, true);
  check(is("host.os", "*"), { host: { "os.name": "x" } }, true);
  check(is("host.os", "*"), { "host.osx": "x" }, false);
  check(is("a", "*"), { a: {} }, false);
  check(is("a", "*"), { a: [] }, false);
  check(is("a", "*"), { a: [[null], { b: [0] }] }, true);
  check(exists("a.b"), { a: { b: false } }, true);
  check(is("a.*", "*"), { a: { b: { c: 1 } } }, true);
  check(is("proc*ess", "*"), { process: { name: "x" } }, true);
  check(is("proc*ess", "*"), { processes: { name: "x" } }, false);
});

test("fields named like Object.prototype members never read the prototype", () => {
  check(is("constructor", "*"), {}, false);
  check(is("toString", "*"), { a: 1 }, false);
  check(is("__proto__", "*"), {}, false);
  check(is("constructor", "x"), JSON.parse('{"constructor":"x"}') as Record<string, unknown>, true);
  check(is("a.constructor", "*"), { a: { b: 1 } }, false);
});

test("or over one field collapses into a set lookup with the same answers", () => {
  const q = or(is("p", lit("5", true)), is("p", "dpkg"), is("p", "10.0.0.0/8"), is("p", "x*"), is("q", "z"));
  check(q, { p: 5 }, true);
  check(q, { p: "5" }, true);
  check(q, { p: "10.2.3.4" }, true);
  check(q, { p: "xylophone" }, true);
  check(q, { p: ["a", "dpkg"] }, true);
  check(q, { p: "DPKG" }, false);
  check(q, { p: "DPKG" }, true, { ...NO_TYPES, caseInsensitive: true });
  check(q, { q: "z" }, true);
  check(q, { p: 6, q: "y" }, false);
  check(or(is("b", "true"), is("b", "1")), { b: true }, true);
  check(or(is("b", "false"), is("b", "1")), { b: true }, false);
});

test("text-typed fields use analysed matching (§7.6)", () => {
  const opts = typed({ message: "text" });
  check(is("message", "hello"), { message: "Hello, World!" }, true, opts);
  check(is("message", lit("world hello", true)), { message: "Hello, World!" }, false, opts);
  check(is("message", lit("hello world", true)), { message: "Hello, World!" }, true, opts);
  check(is("message", "nope Hello"), { message: "hello world" }, true, opts);
  check(is("message", "wor*"), { message: "Hello, World!" }, true, opts);
  check(is("message", "hello"), { message: "Hello, World!" }, false, NO_TYPES);
  check(is("message", "42"), { message: 42 }, true, opts);
  check(is(null, "world"), { message: "hello world" }, true, opts);
  check(is(null, "world"), { message: "hello world" }, false, NO_TYPES);
});

test("numeric, boolean and ip types coerce the way Elasticsearch mappings do", () => {
  const opts = typed({ port: "long", flag: "boolean", ip: "ip", "a.ip": "ip" });
  check(is("port", "443"), { port: "443.0" }, true, opts);
  check(is("port", "443"), { port: "443.0" }, false, NO_TYPES);
  check(is("port", "abc"), { port: "abc" }, false, opts);
  check(is("port", "4*"), { port: "443" }, false, opts);
  check(range("port", "gt", "99"), { port: "100" }, true, opts);
  check(range("port", "gt", "x"), { port: 100 }, false, opts);
  check(is("flag", "true"), { flag: "true" }, true, opts);
  check(is("flag", "true"), { flag: 1 }, false, opts);
  check(range("flag", "gte", "false"), { flag: true }, false, opts);
  check(is("ip", "::ffff:10.1.2.3"), { ip: "10.1.2.3" }, true, opts);
  check(is("ip", "10.1.2.3"), { ip: "10.1.2.3" }, true, opts);
  check(is("ip", "2001:db8::1"), { ip: "2001:DB8:0:0:0:0:0:1" }, true, opts);
  check(is("ip", "2001:db8::/32"), { ip: "2001:db8:ffff::1" }, true, opts);
  check(is("ip", "10.0.0.0/8"), { ip: "11.0.0.1" }, false, opts);
  check(range("ip", "lt", "10.0.0.10"), { ip: "10.0.0.9" }, true, opts);
  check(range("ip", "lt", "10.0.0.10"), { ip: "10.0.0.9" }, false, NO_TYPES);
  check(nested("a", is("ip", "10.0.0.0/8")), { a: [{ ip: "9.9.9.9" }, { ip: "10.9.9.9" }] }, true, opts);
});

test("date-typed fields round partial dates, honour dateFormatTZ and resolve date math against the injected clock", () => {
  const now = Date.UTC(2024, 2, 10, 12, 0, 0);
  const opts = typed({ "@timestamp": "date" }, { now: () => now });
  const doc = { "@timestamp": "2024-02-28T10:00:00Z" };
  check(is("@timestamp", "2024-02-28"), doc, true, opts);
  check(is("@timestamp", "2024-02-28"), doc, false, NO_TYPES);
  check(range("@timestamp", "gt", "2024-02-28"), doc, false, opts);
  check(range("@timestamp", "gt", "2024-02-28"), doc, true, { ...NO_TYPES, now: () => now });
  check(range("@timestamp", "gte", "2024-02-28"), doc, true, opts);
  check(range("@timestamp", "lte", "2024-02-27"), doc, false, opts);
  check(range("@timestamp", "lt", "2024-02-28T11:00:00"), doc, true, opts);
  check(range("@timestamp", "lt", "2024-02-28T11:00:00"), doc, false, { ...opts, dateFormatTZ: "+02:00" });
  check(range("@timestamp", "lt", "2024-02-28T11:00:00"), doc, false, { ...opts, dateFormatTZ: "Europe/Paris" });
  check(range("@timestamp", "lt", "2024-02-28T10:30:00"), doc, true, { ...opts, dateFormatTZ: "-01:00" });
  check(range("@timestamp", "gt", "now-12d"), doc, true, opts);
  check(range("@timestamp", "gt", "now-10d/d"), doc, false, opts);
  check(range("@timestamp", "gte", "now-11d/d"), doc, true, opts);
  check(range("@timestamp", "gt", "now-12d"), doc, false, { ...opts, now: () => now + 5 * 86_400_000 });
  check(range("@timestamp", "gt", "now-12d"), doc, true, { ...NO_TYPES, now: () => now });
  check(is("@timestamp", "1709114400000"), doc, true, opts);
  check(range("@timestamp", "gt", "1709114399999"), { "@timestamp": 1709114400000 }, true, opts);
  // Text a date field cannot parse is not indexed, so no query matches it (as in a cluster).
  check(is("@timestamp", "yesterday"), { "@timestamp": "yesterday" }, false, opts);
  check(is("@timestamp", "yesterday"), { "@timestamp": "yesterday" }, true, NO_TYPES);
});

test("multi-fields read their parent's values: .caseless ignores case, .text is analysed", () => {
  const opts = typed({ "process.name": "keyword", "process.name.caseless": "keyword", "process.name.text": "text" });
  const doc = { process: { name: "PowerShell.EXE" } };
  check(is("process.name.caseless", "powershell.exe"), doc, true, opts);
  check(is("process.name.caseless", "power*"), doc, true, opts);
  check(or(is("process.name.caseless", "cmd.exe"), is("process.name.caseless", "powershell.exe")), doc, true, opts);
  check(is("process.name", "powershell.exe"), doc, false, opts);
  // The standard analyzer keeps "powershell.exe" one token (a letter either side of the dot), as the servers do.
  check(is("process.name.text", "exe"), doc, false, opts);
  check(is("process.name.text", "POWERSHELL.exe"), doc, true, opts);
  check(is("process.name.text", "exe"), { process: { name: "PowerShell EXE" } }, true, opts);
  check(is("process.name.caseless", "*"), doc, true, opts);
  check(is("process.name.caseless", "*"), { process: { pid: 1 } }, false, opts);
  check(range("process.name.caseless", "gt", "A"), doc, true, opts);
  check(is("process.name.caseless", "powershell.exe"), doc, false, NO_TYPES);
  check(is("process.name.caseless", "powershell.exe"), { "process.name.caseless": "powershell.exe" }, true, NO_TYPES);
  // The default types (the ECS/Defend table) know both multi-fields.
  check(is("process.name.caseless", "powershell.exe"), doc, true, {});
  check(is("process.name.text", "powershell"), doc, false, {});
  check(is("process.name.text", "powershell.exe"), doc, true, {});
});

test("caseInsensitive folds keyword equality and wildcards but not booleans, numbers or field names", () => {
  const opts: KqlEvalOptions = { ...NO_TYPES, caseInsensitive: true };
  check(is("a", "Foo"), { a: "fOO" }, true, opts);
  check(is("a", "F*"), { a: "foo" }, true, opts);
  check(is("a", "TRUE"), { a: true }, false, opts);
  check(is("A", "foo"), { a: "foo" }, false, opts);
  check(is("a", "Foo"), { a: "fOO" }, false);
});

test("wildcard field names and free text select leaves by path across nested objects", () => {
  const doc = { process: { name: "foo", parent: { name: "bar" } }, n: 42 };
  check(is("process.*", "bar"), doc, true);
  check(is("*name", "foo"), doc, true);
  check(is("*", "42"), doc, true);
  check(is(null, "42"), doc, true);
  check(is(null, "fo*"), doc, true);
  check(range("process.*", "gt", "c"), doc, true);
  check(range("process.*", "gt", "z"), doc, false);
  check(not(is("user.*", "foo")), doc, true);
});

test("nested scopes make inner fields relative and require one element to satisfy the whole body", () => {
  const doc = { users: [{ name: "alice", role: "admin" }, { name: "bob", tags: ["a", "b"] }] };
  check(nested("users", and(is("name", "bob"), is("tags", "b"))), doc, true);
  check(nested("users", and(is("name", "alice"), is("tags", "b"))), doc, false);
  check(nested("users", not(is("role", "*"))), doc, true);
  check(nested("users", is(null, "admin")), doc, true);
  check(nested("users", is(null, "*")), doc, true);
  check(nested("nobody", is(null, "*")), doc, false);
  check(nested("users.name", is(null, "*")), doc, false);
});

test("differential: the compiled predicate agrees with the reference interpreter on generated queries, events and options", () => {
  fc.assert(
    fc.property(arbQuery, arbDoc, arbOptions, (q, doc, opts) => {
      assert.equal(compileAst(q, opts)(doc), evaluateKql(q, doc, opts));
    }),
    { numRuns: 4000 },
  );
});

test("a wildcard with spaces on a text field is query_string's terms, any of them (as both servers answer)", () => {
  const docs = ["foo S3 Browser bar", "S3Browser", "s3 browser", "the S3 and Browser", "Browser S3", "S3_Browser x", "xS3 Browserx"];
  const selected = (query: string) => docs.flatMap((d, i) => (compileKql(query)({ message: d, process: { command_line: d } }) ? [i] : []));
  assert.deepEqual(
    ["message:*S3 Browser*", "process.command_line.text:*S3 Browser*", "message:s3 browser*", "message:S3*", 'message:"s3 browser"', "process.command_line:*S3 Browser*"].map(selected),
    [[0, 2, 3, 4, 6], [0, 2, 3, 4, 6], [0, 2, 3, 4, 6], [0, 1, 2, 3, 4, 5], [0, 2], [0, 6]],
  );
});
