// The linear-time wildcard matcher (docs/kql.md §7.2): shape tables, marker segments, case folding, a
// step-counted linearity test on a pathological pattern, and fast-check agreement with an anchored regex.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileWildcard, matchWildcardCounted, matchStarPattern, starSegments, wildcardSegments, WILDCARD_MARKER } from "./wildcard.js";

const M = WILDCARD_MARKER;

const TABLE: ReadonlyArray<[pattern: string, input: string, expected: boolean]> = [
  ["foo", "foo", true],
  ["foo", "fo", false],
  ["foo", "Foo", false],
  ["foo*", "foobar", true],
  ["foo*", "foo", true],
  ["foo*", "fo", false],
  ["*bar", "foobar", true],
  ["*bar", "bar", true],
  ["*bar", "barf", false],
  ["*oo*", "foo", true],
  ["*oo*", "fo", false],
  ["f*o", "fo", true],
  ["f*o", "f", false],
  ["a*a", "a", false],
  ["a*a", "aa", true],
  ["/dev/shm/*", "/dev/shm/a/b/c.so", true],
  ["/dev/shm/*", "/dev/sh", false],
  ["*", "", true],
  ["**", "", true],
  ["a**b", "ab", true],
  ["*a*b*c*", "xaxbxcx", true],
  ["*a*b*c*", "xcxbxax", false],
  ["a*b*c", "abc", true],
  ["a*b*c", "abbc", true],
  ["a*b*c", "acb", false],
  ["a*bc*bc", "abcbc", true],
  ["a*bc*bc", "abc", false],
  ["fo?", "foo", false],
  ["fo?", "fo?", true],
  ["*", "multi\nline", true],
  ["a*z", "a\nz", true],
];

test("wildcard table: exact, prefix, suffix, contains and general shapes", () => {
  for (const [pattern, input, expected] of TABLE) {
    const m = compileWildcard(starSegments(pattern));
    assert.equal(m(input), expected, `${pattern} vs ${JSON.stringify(input)}`);
    assert.equal(matchStarPattern(pattern, input), expected, `one-shot ${pattern}`);
  }
});

test("segments come from the parser's marker, so a literal * stays literal", () => {
  assert.deepEqual(wildcardSegments(`a*b${M}`), ["a*b", ""]);
  const m = compileWildcard(wildcardSegments(`a*b${M}`));
  assert.equal(m("a*bc"), true);
  assert.equal(m("axbc"), false);
});

test("case-insensitive mode folds both sides", () => {
  const m = compileWildcard(starSegments("/Dev/*.SO"), { caseInsensitive: true });
  assert.equal(m("/dev/shm/x.so"), true);
  assert.equal(m("/DEV/x.So"), true);
  assert.equal(m("/tmp/x.so"), false);
  assert.equal(compileWildcard(["Foo"], { caseInsensitive: true })("fOO"), true);
});

test("linear time: *a*a*a*a*a*a*a*b against 100 kB of a looks at each character a bounded number of times", () => {
  const n = 100_000;
  const s = "a".repeat(n);
  const counter = { steps: 0 };
  assert.equal(matchWildcardCounted(starSegments("*a*a*a*a*a*a*a*b"), s, counter), false);
  assert.ok(counter.steps <= 2 * n, `steps ${counter.steps}`);
  // A suffix that is present defeats the cheap suffix rejection; the middle scan must still be linear.
  const s2 = s + "b";
  const c2 = { steps: 0 };
  assert.equal(matchWildcardCounted(starSegments("*a*a*a*a*a*a*a*c*b"), s2, c2), false);
  assert.ok(c2.steps <= 2 * (n + 1), `steps ${c2.steps}`);
  const c3 = { steps: 0 };
  assert.equal(matchWildcardCounted(starSegments("*a*a*a*a*a*a*a*b"), s2, c3), true);
  assert.ok(c3.steps <= 2 * (n + 1), `steps ${c3.steps}`);
  // The step count grows linearly: 10x the input costs at most ~10x the steps.
  const small = { steps: 0 };
  matchWildcardCounted(starSegments("*a*a*a*a*a*a*a*c*b"), "a".repeat(n / 10) + "b", small);
  assert.ok(c2.steps <= 11 * small.steps, `${c2.steps} vs ${small.steps}`);
});

function regexOf(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${body}$`);
}

test("fast-check: every fast path agrees with an anchored regular expression", () => {
  const alpha = fc.constantFrom("a", "b", "*", "/", ".");
  fc.assert(
    fc.property(fc.array(alpha, { maxLength: 8 }), fc.array(fc.constantFrom("a", "b", "/", "."), { maxLength: 12 }), (p, s) => {
      const pattern = p.join("");
      const input = s.join("");
      const expected = regexOf(pattern).test(input);
      assert.equal(compileWildcard(starSegments(pattern))(input), expected, `${pattern} vs ${input}`);
      assert.equal(matchWildcardCounted(starSegments(pattern), input, { steps: 0 }), expected);
    }),
    { numRuns: 3000 },
  );
});
