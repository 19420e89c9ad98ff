// Lucene regular expressions: every operator of the syntax, anchoring, case-insensitive mode (ASCII, single
// characters and strings only), numeric intervals, the corpus's patterns, errors with positions, linear
// work on patterns that make backtracking engines explode, and a differential check against JS RegExp on
// the syntax both share.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileLuceneRegex, LuceneRegexError, type RegexStepCounter } from "./lucene-regex.js";

const ROWS: readonly [pattern: string, value: string, expected: boolean, caseInsensitive?: boolean][] = [
  ["abc", "abc", true],
  ["abc", "xabcx", false], // anchored: the whole value
  ["a|b", "b", true],
  ["ab*c", "ac", true],
  ["ab+c", "ac", false],
  ["ab?c", "abbc", false],
  ["a{2}", "aa", true],
  ["a{2,}", "aaaa", true],
  ["a{2,3}", "aaaa", false],
  ["(ab)+", "ababab", true],
  ["()", "", true],
  [".", "é", true],
  [".", "😀", true], // one code point, as Lucene counts characters
  ["..", "😀", false],
  ["[a-c]+", "abcab", true],
  ["[^a-c]", "d", true],
  ["[^a-c]", "b", false],
  ["[]a]+", "]a", true],
  ["[-a]", "-", true],
  ['"a.b*"', "a.b*", true],
  ['"a.b*"', "axbb", false],
  ["a\\.b", "a.b", true],
  ["a\\.b", "axb", false],
  ["\\d+", "123", true],
  ["\\D", "1", false],
  ["\\s", "\t", true],
  ["\\S", " ", false],
  ["\\w+", "ab_9", true],
  ["\\W", "_", false],
  ["[\\d\\s]+", "1 2", true],
  ["\\q", "q", true], // any other escaped character is itself
  ["@", "anything at all", true],
  ["#", "", false],
  ["#|x", "x", true],
  ["~(a*)", "aaa", false],
  ["~(a*)", "aab", true],
  ["~a*", "bbb", true], // ~ binds tighter than *: (~a)*
  ["[a-z]+&~(ab.*)", "abc", false],
  ["[a-z]+&~(ab.*)", "acb", true],
  ["<1-10>", "7", true],
  ["<1-10>", "007", true],
  ["<1-10>", "11", false],
  ["<01-10>", "07", true],
  ["<01-10>", "7", false],
  ["<01-10>", "007", false],
  ["<8-10>", "08", true],
  ["<8-10>", "9", true],
  ["<10-8>", "9", true], // reversed bounds are swapped
  ["abc", "ABC", true, true],
  ['"abc"', "AbC", true, true],
  ["[a-c]", "B", false, true], // ranges do not fold (Lucene's ASCII_CASE_INSENSITIVE covers single characters)
  ["é", "É", false, true], // ASCII only
  // patterns of real rules
  [".*[ ]{20,}.*", "a" + " ".repeat(20) + "b", true],
  [".*[ ]{20,}.*", "a" + " ".repeat(19) + "b", false],
  ["([^ ]+[ ]{3,}[^ ]*){3,}.*", "a   b   c   d", true],
  ["([^ ]+[ ]{3,}[^ ]*){3,}.*", "a b c d", false],
  ["[24][0-9]{3}", "2755", true],
  ["[24][0-9]{3}", "3755", false],
  [".*[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}.*", "curl http://10.1.2.3/x", true],
  [".*[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}.*", "curl http://example.com/x", false],
  [".*\\.(top|buzz|xyz|onion)", "evil.xyz", true],
  [".*\\.(top|buzz|xyz|onion)", "evil.xyz.com", false],
  ["/[a-z0-9\\s_\\-\\\\./]+\\s", "/usr/bin ", true, true],
  ["/[a-z0-9\\s_\\-\\\\./]+\\s", "/USR/bin ", false, true],
  [".*\\$[0-9]+:[a-zA-Z_0-9]+:[a-zA-Z_0-9]+.*", "x=$1:abc:def;", true],
  ["-[^-]*[uz][^-]*", "-xzf", true],
  ["-[^-]*[uz][^-]*", "-xf", false],
  ["php?[0-9]?\\.?[0-9]{0,2}", "php7.4", true],
  ["php?[0-9]?\\.?[0-9]{0,2}", "PHP7.4", true, true],
  ["php?[0-9]?\\.?[0-9]{0,2}", "python", false, true],
  ["/var/run/\\w+\\.(pid|lock|reboot)", "/var/run/sshd.pid", true],
  ["-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*", "-aR", true],
  ["-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*", "-oR", false],
  [".*?net1[ ]+localgroup.*?", "net1  localgroup admins", true], // *? is * then ?
];

test("every operator, anchoring, case modes and the corpus's patterns", () => {
  for (const [p, v, want, ci] of ROWS) assert.equal(compileLuceneRegex(p, { caseInsensitive: ci })(v), want, `${p} ~ ${JSON.stringify(v)}${ci === true ? " (ci)" : ""}`);
});

test("invalid patterns are LuceneRegexError with Lucene's message and the position", () => {
  const rows: [string, string, number][] = [
    ["(a", "expected ')' at position 2", 2],
    ["a)", "end-of-string expected at position 1", 1],
    ["[a", "expected ']' at position 2", 2],
    ["a{", "integer expected at position 2", 2],
    ["a{3,1}", "invalid repetition {3,1} at position 1", 1],
    ["<1->", "interval syntax error at position 0", 0],
    ['"abc', "expected '\"' at position 4", 1],
    ["[z-a]", "invalid character class range at position 3", 3],
  ];
  for (const [p, msg, offset] of rows) {
    assert.throws(
      () => compileLuceneRegex(p),
      (e: unknown) => e instanceof LuceneRegexError && e.message === msg && e.offset === offset,
      p,
    );
  }
  assert.throws(() => compileLuceneRegex("(".repeat(1000) + ")".repeat(1000)), (e: unknown) => e instanceof LuceneRegexError && /nests deeper/.test(e.message));
});

test("linear work: one step per character on patterns that make backtracking explode", () => {
  for (const p of ["(a*)*b", "(a|a)*c", "(a|aa)*b", ".*.*.*.*.*x", "(.*a){20}b"]) {
    const m = compileLuceneRegex(p);
    const counter: RegexStepCounter = { steps: 0 };
    const s = "a".repeat(50_000);
    assert.equal(m(s, counter), false, p);
    assert.ok(counter.steps <= s.length, `${p}: ${counter.steps} steps`);
  }
});

// A differential check on the syntax JS RegExp shares: literals, ., classes, groups, |, *, +, ?, {n,m}.
type Node = { k: "lit"; c: string } | { k: "dot" } | { k: "cls"; neg: boolean; cs: string } | { k: "cat"; xs: Node[] } | { k: "alt"; xs: Node[] } | { k: "rep"; x: Node; op: string };
const arbNode = fc.letrec<{ n: Node }>((tie) => ({
  n: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", "c").map((c): Node => ({ k: "lit", c })),
    fc.constant<Node>({ k: "dot" }),
    fc.record({ neg: fc.boolean(), cs: fc.constantFrom("ab", "a-c", "bc") }).map((r): Node => ({ k: "cls", ...r })),
    fc.array(tie("n"), { minLength: 2, maxLength: 3 }).map((xs): Node => ({ k: "cat", xs })),
    fc.array(tie("n"), { minLength: 2, maxLength: 3 }).map((xs): Node => ({ k: "alt", xs })),
    fc.record({ x: tie("n"), op: fc.constantFrom("*", "+", "?", "{1,2}", "{2}", "{0,1}") }).map((r): Node => ({ k: "rep", ...r })),
  ),
})).n;

function print(n: Node): string {
  switch (n.k) {
    case "lit":
      return n.c;
    case "dot":
      return ".";
    case "cls":
      return `[${n.neg ? "^" : ""}${n.cs}]`;
    case "cat":
      return n.xs.map((x) => `(${print(x)})`).join("");
    case "alt":
      return n.xs.map((x) => `(${print(x)})`).join("|");
    case "rep":
      return `(${print(n.x)})${n.op}`;
  }
}

test("agrees with JS RegExp (anchored, dotAll) on the shared syntax (fast-check)", () => {
  fc.assert(
    fc.property(arbNode, fc.array(fc.stringMatching(/^[abcd]{0,7}$/), { minLength: 5, maxLength: 5 }), (node, inputs) => {
      const text = print(node);
      const ours = compileLuceneRegex(text);
      const ref = new RegExp(`^(?:${text})$`, "su");
      for (const s of inputs) assert.equal(ours(s), ref.test(s), `${text} ~ ${s}`);
    }),
    { numRuns: 500 },
  );
});

test("intersection and complement agree with set operations over short strings (fast-check)", () => {
  const all: string[] = [""];
  for (let len = 1; len <= 4; len++) for (let i = 0; i < 3 ** len; i++) all.push(i.toString(3).padStart(len, "0").replace(/0/g, "a").replace(/1/g, "b").replace(/2/g, "c"));
  fc.assert(
    fc.property(arbNode, arbNode, (x, y) => {
      const a = print(x);
      const b = print(y);
      const ra = new RegExp(`^(?:${a})$`, "su");
      const rb = new RegExp(`^(?:${b})$`, "su");
      const inter = compileLuceneRegex(`(${a})&(${b})`);
      const compl = compileLuceneRegex(`~(${a})`);
      for (const s of all) {
        assert.equal(inter(s), ra.test(s) && rb.test(s), `(${a})&(${b}) ~ ${s}`);
        assert.equal(compl(s), !ra.test(s), `~(${a}) ~ ${s}`);
      }
    }),
    { numRuns: 200 },
  );
});
