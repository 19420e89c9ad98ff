// Unit tests for the wildcard helpers (src/compile/dsl/wildcard.ts, docs/kql.md §5 `qs()`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { isLoneWildcard, toQueryStringQuery, wildcardMatchesName, wildcardToPlain } from "./wildcard.js";
import { wc } from "./testkit.js";
import { WILDCARD_MARKER } from "./node.js";

test("qs escapes reserved characters, including Kibana's +..= range (digits, dot, comma, semicolon)", () => {
  assert.equal(toQueryStringQuery(wc("/dev/shm/*")), "\\/dev\\/shm\\/*");
  assert.equal(toQueryStringQuery(wc("b?c*")), "b\\?c*");
  assert.equal(toQueryStringQuery(wc("*.so")), "*\\.so");
  assert.equal(toQueryStringQuery(wc("v1,2;*")), "v\\1\\,\\2\\;*");
  assert.equal(toQueryStringQuery(wc("a b*")), "a b*");
  assert.equal(toQueryStringQuery({ type: "wildcard", value: `foo*bar${WILDCARD_MARKER}` }), "foo\\*bar*");
  assert.equal(toQueryStringQuery({ type: "wildcard", value: `\\${WILDCARD_MARKER}` }), "\\\\*");
  assert.equal(toQueryStringQuery(wc("&|><!(){}[]^\"~:*")), "\\&\\|\\>\\<\\!\\(\\)\\{\\}\\[\\]\\^\\\"\\~\\:*");
});

test("plain form and lone-wildcard test", () => {
  assert.equal(wildcardToPlain(wc("a*b*")), "a*b*");
  assert.equal(isLoneWildcard(wc("*")), true);
  assert.equal(isLoneWildcard(wc("**")), false);
  assert.equal(isLoneWildcard(wc("a*")), false);
});

test("field-name matching is anchored and * crosses dots", () => {
  assert.equal(wildcardMatchesName(wc("machine*"), "machine.os.raw"), true);
  assert.equal(wildcardMatchesName(wc("*os"), "machine.os"), true);
  assert.equal(wildcardMatchesName(wc("*os"), "machine.os.raw"), false);
  assert.equal(wildcardMatchesName(wc("a*a"), "a"), false);
  assert.equal(wildcardMatchesName(wc("a*b*c"), "axxbyyc"), true);
  assert.equal(wildcardMatchesName(wc("a*b*c"), "axxcyyb"), false);
  assert.equal(wildcardMatchesName(wc("*.*"), "ab"), false);
  assert.equal(wildcardMatchesName(wc("ab"), "ab"), true);
});

test("field-name matching does no backtracking on a pathological pattern: each character is searched over once", () => {
  for (const n of [10_000, 100_000]) {
    const counter = { steps: 0 };
    // The name ends as the pattern does, so the cheap suffix test passes and the middle search must run.
    const name = "a".repeat(n) + "c";
    assert.equal(wildcardMatchesName(wc("*a*a*a*a*a*a*a*b*c"), name, counter), false);
    assert.equal(counter.steps, name.length, `${counter.steps} characters searched for a name of ${name.length}`);
  }
});
