// Lucene regular expressions (Lucene 9.11 RegExp as Elasticsearch 8.15 runs it): every operator, anchoring, the
// parser's literal quirks, \d \s \w classes, ASCII case folding, intersection/complement, numeric intervals, the
// corpus's patterns, errors with Lucene's messages and positions, step-counted linear work (no timers), the
// cache and table fallbacks, and fast-check agreement with a backtracking and a set-based reference.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileLuceneRegex, parseLuceneRegex, LuceneRegexError, LUCENE_REGEX_LIMITS, MAX_REGEX_DEPTH, type RegexStepCounter } from "./lucene-regex.js";

type Row = readonly [pattern: string, value: string, expected: boolean];

function check(rows: readonly Row[], caseInsensitive = false): void {
  for (const [p, v, want] of rows) {
    assert.equal(compileLuceneRegex(p, { caseInsensitive })(v), want, `${p} ~ ${JSON.stringify(v)}${caseInsensitive ? " (ci)" : ""}`);
  }
}

test("operators: union, concatenation, repetition, groups, any character", () => {
  check([
    ["abc", "abc", true],
    ["a|b", "a", true],
    ["a|b", "b", true],
    ["a|b", "ab", false],
    ["ab|cd", "ab", true],
    ["ab|cd", "ad", false],
    ["ab*c", "ac", true],
    ["ab*c", "abbbc", true],
    ["ab+c", "ac", false],
    ["ab+c", "abbc", true],
    ["ab?c", "ac", true],
    ["ab?c", "abbc", false],
    ["a{0}", "", true],
    ["a{0}", "a", false],
    ["a{2}", "aa", true],
    ["a{2}", "aaa", false],
    ["a{2,}", "a", false],
    ["a{2,}", "aaaa", true],
    ["a{2,3}", "aaa", true],
    ["a{2,3}", "aaaa", false],
    ["a{007}", "aaaaaaa", true],
    ["(ab)+", "ababab", true],
    ["(ab)+", "aba", false],
    ["(a|b)*c", "abbac", true],
    ["a{2}{3}", "aaaaaa", true],
    ["a{2}{3}", "aaaa", false],
    ["a*?", "aaa", true], // *? is * then ?, not a lazy quantifier
    ["()", "", true],
    ["()", "a", false],
    ["a()b", "ab", true],
    ["()*", "", true],
    [".", "a", true],
    [".", "\n", true], // any code point, newline included
    [".", "", false],
    [".", "😀", true], // one code point, as Lucene counts characters
    ["..", "😀", false],
    ["[😀-😂]", "😁", true],
    ["", "", true],
    ["", "a", false],
  ]);
});

test("the whole value must match (no implicit .*)", () => {
  check([
    ["abc", "xabcx", false],
    ["abc", "abcd", false],
    ["abc", "xabc", false],
    ["b", "abc", false],
    [".*b.*", "abc", true],
    ["a.*", "ab\nc", true],
  ]);
});

test("characters that cannot start an item are literals, as Lucene's parser reads them", () => {
  check([
    ["*", "*", true],
    ["*", "", false],
    ["**", "", true], // a literal * repeated
    ["**", "**", true],
    ["+", "+", true],
    ["?", "?", true],
    ["{1}", "{1}", true],
    [")", ")", true],
    ["]", "]", true],
    ["}", "}", true],
    [">", ">", true],
    ["|a", "|a", true],
    ["a||b", "a", true],
    ["a||b", "|b", true], // a | "|b"
    ["a||b", "b", false],
    ["&a", "&a", true],
    ["a&&b", "&b", false], // a & "&b" is empty
    ["(*)", "*", true],
    ["^a$", "^a$", true],
    ["a b", "a b", true],
  ]);
});

test("character classes: ranges, negation, members that are reserved elsewhere", () => {
  check([
    ["[abc]", "b", true],
    ["[abc]", "d", false],
    ["[a-c]+", "abcab", true],
    ["[a-c]+", "abcad", false],
    ["[^a-c]", "d", true],
    ["[^a-c]", "b", false],
    ["[^a-c]", "", false],
    ["[^a]", "😀", true],
    ["[]a]+", "]a", true], // the first member may be ]
    ["[-a]", "-", true],
    ["[a^]", "^", true],
    ["[.*+(|]", "|", true],
    ["[.*+(|]", "x", false],
    ['["a]', '"', true],
    ["[[]", "[", true],
    ["[\\]]", "]", true],
    ["[\\-]", "-", true],
    ["[\\.-a]", "Z", true], // the range . (46) .. a (97)
    ["[\\\\-a]", "-", true], // Lucene returns \\ as a finished character: \, -, a, not a range
    ["[\\\\-a]", "\\", true],
    ["[\\\\-a]", "_", false],
    ["[a-\\q]", "m", true], // a range end is read as a plain escape: a..q, no error
    ["[\\d-z]", "-", true], // a predefined class never starts a range
    ["[\\d-z]", "5", true],
    ["[\\d-z]", "m", false],
    ["[\\W\\w]", "é", true],
  ]);
});

test("backslash: \\d \\D \\s \\S \\w \\W classes (Lucene 9, ASCII), any other non-letter escaped is itself", () => {
  check([
    ["\\d+", "0123456789", true],
    ["\\d", "a", false],
    ["\\d", "٣", false], // ASCII digits only
    ["\\D", "٣", true],
    ["\\D", "1", false],
    ["\\s", " ", true],
    ["\\s", "\t", true],
    ["\\s", "\n", true],
    ["\\s", "\r", true],
    ["\\s", "\f", false], // [ \t\n\r] exactly
    ["\\s", "\v", false],
    ["\\s", "\u00a0", false],
    ["\\S", "\f", true],
    ["\\S", "x", true],
    ["\\S", " ", false],
    ["\\w+", "aZ_9", true],
    ["\\w", "é", false],
    ["\\w", "-", false],
    ["\\W", "é", true],
    ["\\W", "_", false],
    ["[\\d\\s]+", "1 2\t3", true],
    ["[^\\s]", " ", false],
    ["[^\\s]", "x", true],
    ["[^\\d]", "7", false],
    ["\\.", ".", true],
    ["a\\.b", "axb", false],
    ["\\*", "*", true],
    ["\\\\", "\\", true],
    ["\\1", "1", true],
    ["\\é", "é", true],
    ["\\\"", '"', true],
    ["\\<1-2\\>", "<1-2>", true],
    ["\\#", "#", true],
    ["\\@", "@", true],
    ["\\~a", "~a", true],
    ['"a.b*"', "a.b*", true], // quotes make a literal string
    ['"a.b*"', "axbb", false],
    ['"a\\"', "a\\", true], // no escapes inside quotes
    ['"a|b"c', "a|bc", true],
    ['""', "", true],
  ]);
});

test("case-insensitive (ASCII_CASE_INSENSITIVE): pattern letters fold, ranges and non-ASCII do not", () => {
  check(
    [
      ["abc", "ABC", true],
      ["ABC", "abc", true],
      ['"abc"', "AbC", true],
      ["K", "k", true],
      ["k", "\u212a", false], // the Kelvin sign is not ASCII folding
      ["[abc]", "B", true], // single class members fold
      ["[a-c]", "B", false], // ranges do not
      ["[a-cA-C]", "B", true],
      ["[^a]", "A", false], // the folded member is excluded in both cases
      ["[^a]", "b", true],
      ["é", "É", false],
      ["\\w+", "Ab", true],
      ["a\\.b", "A.B", true],
      ["<1-9>", "5", true],
      ["~(abc)", "ABC", false],
      ["ab&AB", "Ab", true],
    ],
    true,
  );
  check([
    ["abc", "ABC", false],
    ["[abc]", "B", false],
  ]);
});

test("intersection, complement, @ and #; ~ binds tighter than repetition, & tighter than |", () => {
  check([
    ["~(a*)", "aaa", false],
    ["~(a*)", "", false],
    ["~(a*)", "aab", true],
    ["~a*", "a", false], // (~a)*: every string except "a"
    ["~a*", "aa", true],
    ["~a*", "", true],
    ["~a*", "b", true],
    ["~a", "", true],
    ["~~a", "a", true],
    ["a~b", "ac", true],
    ["a~b", "ab", false],
    ["a~b", "a", true],
    ["[a-z]+&~(ab.*)", "abc", false],
    ["[a-z]+&~(ab.*)", "ab", false],
    ["[a-z]+&~(ab.*)", "acb", true],
    ["[a-z]+&~(ab.*)", "a", true],
    ["[a-z]+&~(ab.*)", "", false],
    ["a|b&c", "a", true], // a | (b & c)
    ["a|b&c", "b", false],
    ["ab&a.", "ab", true], // (ab) & (a.)
    ["ab&a.", "ac", false],
    ["a.c&~(abc)", "axc", true],
    ["a.c&~(abc)", "abc", false],
    ["@", "", true],
    ["@", "anything\nat all", true],
    ["@&~(.*x.*)", "abc", true],
    ["@&~(.*x.*)", "axb", false],
    ["a@", "abc", true],
    ["a@", "bc", false],
    ["#", "", false],
    ["#", "#", false],
    ["#|x", "x", true],
    ["x#", "x", false],
    ["~#", "whatever", true],
    ["~@", "", false],
    ["(a&b)?", "", true],
  ]);
});

test("starring an empty language matches nothing, not even the empty string (Lucene's Operations.repeat)", () => {
  check([
    ["#*", "", false],
    ["#{0,}", "", false],
    ["(a&b)*", "", false],
    ["(~@)*", "", false],
    ["[^\\d\\D]*", "", false],
    ["(#*)?", "", true],
    ["#?", "", true], // optional and {0,m} go through other code
    ["#{0,2}", "", true],
    ["#+", "", false],
    ["(a&b)*|c", "c", true],
    ["(a&a)*", "aa", true], // a non-empty intersection is starred normally
    ["(a&a)*", "", true],
  ]);
});

test("numeric intervals: same written length fixes the digits, otherwise leading zeros are free", () => {
  const values = ["08", "008", "9", "10", "11"];
  const expect: Record<string, boolean[]> = {
    "<1-10>": [true, true, true, true, false],
    "<01-10>": [true, false, false, true, false],
    "<8-10>": [true, true, true, true, false],
  };
  for (const [p, wants] of Object.entries(expect)) check(values.map((v, i): Row => [p, v, wants[i]]));
  check([
    ["<1-10>", "0", false],
    ["<1-10>", "", false],
    ["<1-10>", "010", true],
    ["<1-10>", "1a", false],
    ["<0-5>", "0", true],
    ["<0-5>", "00", false], // one written digit each: exactly one digit
    ["<0-5>", "6", false],
    ["<0-10>", "00", true],
    ["<0-10>", "0", true],
    ["<0-10>", "", false],
    ["<10-8>", "9", true], // reversed bounds are swapped
    ["<10-08>", "08", true],
    ["<10-08>", "8", false],
    ["<+1-22>", "01", true], // Integer.parseInt takes a "+"; the written lengths (2 and 2) still fix the digits
    ["<+1-22>", "1", false],
    ["<000-255>", "007", true],
    ["<000-255>", "256", false],
    ["<0-2147483647>", "2147483647", true],
    ["x<1-3>y", "x2y", true],
  ]);
});

test("patterns of real rules", () => {
  check([
    [".*[ ]{20,}.*", "a" + " ".repeat(20) + "b", true],
    [".*[ ]{20,}.*", "a" + " ".repeat(19) + "b", false],
    ["([^ ]+[ ]{3,}[^ ]*){3,}.*", "a   b   c   d", true],
    ["([^ ]+[ ]{3,}[^ ]*){3,}.*", "a   b   c   ", true],
    ["([^ ]+[ ]{3,}[^ ]*){3,}.*", "a   b   c", false],
    ["([^ ]+[ ]{3,}[^ ]*){3,}.*", "a b c d", false],
    ["[24][0-9]{3}", "2755", true],
    ["[24][0-9]{3}", "4000", true],
    ["[24][0-9]{3}", "3755", false],
    ["[24][0-9]{3}", "27555", false],
    [".*[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}.*", "curl http://10.1.2.3/x", true],
    [".*[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}.*", "curl http://example.com/x", false],
    [".*[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}.*", "1.2.3", false],
    [".*\\.(top|buzz|xyz|onion)", "evil.xyz", true],
    [".*\\.(top|buzz|xyz|onion)", "a.b.onion", true],
    [".*\\.(top|buzz|xyz|onion)", "evil.xyz.com", false],
    [".*\\.(top|buzz|xyz|onion)", "xyz", false],
    [".*\\$[0-9]+:[a-zA-Z_0-9]+:[a-zA-Z_0-9]+.*", "x=$1:abc:def;", true],
    [".*\\$[0-9]+:[a-zA-Z_0-9]+:[a-zA-Z_0-9]+.*", "$1:abc", false],
    ["-[^-]*[uz][^-]*", "-xzf", true],
    ["-[^-]*[uz][^-]*", "-u", true],
    ["-[^-]*[uz][^-]*", "-xf", false],
    ["-[^-]*[uz][^-]*", "-x-z", false],
    ["php?[0-9]?\\.?[0-9]{0,2}", "php7.4", true],
    ["php?[0-9]?\\.?[0-9]{0,2}", "ph", true],
    ["php?[0-9]?\\.?[0-9]{0,2}", "php8", true],
    ["php?[0-9]?\\.?[0-9]{0,2}", "php7.45", true],
    ["php?[0-9]?\\.?[0-9]{0,2}", "php7.456", false],
    ["php?[0-9]?\\.?[0-9]{0,2}", "python", false],
    ["php?[0-9]?\\.?[0-9]{0,2}", "PHP7.4", false],
    ["/var/run/\\w+\\.(pid|lock|reboot)", "/var/run/sshd.pid", true],
    ["/var/run/\\w+\\.(pid|lock|reboot)", "/var/run/x.lock", true],
    ["/var/run/\\w+\\.(pid|lock|reboot)", "/var/run/a-b.pid", false],
    ["/var/run/\\w+\\.(pid|lock|reboot)", "/var/run/.pid", false],
    ["-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*", "-aR", true],
    ["-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*", "-xvfW", true],
    ["-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*", "-oR", false],
    ["-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*", "-OR", false],
    ["-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*", "-abc", false],
    [".*?net1[ ]+localgroup.*?", "net1  localgroup admins", true],
  ]);
  check(
    [
      ["/[a-z0-9\\s_\\-\\\\./]+\\s", "/usr/bin ", true],
      ["/[a-z0-9\\s_\\-\\\\./]+\\s", "/tmp/a b\\c.sh\t", true],
      ["/[a-z0-9\\s_\\-\\\\./]+\\s", "/tmp/x.sh", false], // the trailing \s is required
      ["/[a-z0-9\\s_\\-\\\\./]+\\s", "/USR/bin ", false], // a-z is a range: it does not fold
      ["/[a-z0-9\\s_\\-\\\\./]+\\s", "/usr/bin:x ", false],
      ["php?[0-9]?\\.?[0-9]{0,2}", "PHP7.4", true],
      ["php?[0-9]?\\.?[0-9]{0,2}", "python", false],
    ],
    true,
  );
});

test("values: an unpaired surrogate is U+FFFD (Lucene indexes UTF-8)", () => {
  check([
    [".", "\ud800", true],
    ["\ufffd", "\udc00", true],
    ["[^a]", "\ud83d", true],
    ["a.b", "a\ud83db", true],
    ["a..b", "a\ud83d\ude00b", false], // a pair is one character
  ]);
});

test("invalid patterns: LuceneRegexError with Lucene's message and position", () => {
  const rows: readonly [pattern: string, message: string, offset: number][] = [
    ["(a", "expected ')' at position 2", 2],
    ["((a)", "expected ')' at position 4", 4],
    ["a)", "end-of-string expected at position 1", 1],
    ["())", "end-of-string expected at position 2", 2],
    ["[a", "expected ']' at position 2", 2],
    ["[]", "expected ']' at position 2", 2],
    ["[^]", "expected ']' at position 3", 3],
    ["[!-]", "expected ']' at position 4", 4],
    ["[a-]", "invalid range: from (97) cannot be > to (93)", 1],
    ["[z-a]", "invalid range: from (122) cannot be > to (97)", 1],
    ["[a-", "unexpected end-of-string", 3],
    ["a{", "integer expected at position 2", 2],
    ["a{,2}", "integer expected at position 2", 2],
    ["a{1", "expected '}' at position 3", 3],
    ["a{1,2,3}", "expected '}' at position 5", 5],
    ["a{3,1}", "invalid repetition range(out of order): 3..1", 1],
    ["a{99999999999}", 'For input string: "99999999999"', 2],
    ['"abc', "expected '\"' at position 4", 4],
    ["<1-2", "expected '>' at position 4", 4],
    ["<1->", "interval syntax error at position 3", 3],
    ["<-1>", "interval syntax error at position 3", 3],
    ["<1-2-3>", "interval syntax error at position 6", 6],
    ["<a-b>", "interval syntax error at position 4", 4],
    ["<99999999999-1>", "interval syntax error at position 14", 14],
    ["x<foo>", "'foo' not found", 1],
    ["<>", "'' not found", 0],
    ["\\q", "invalid character class \\q", 0],
    ["ab\\K", "invalid character class \\K", 2],
    ["[a\\b]", "invalid character class \\b", 2],
    ["a\\", "unexpected end-of-string", 2],
    ["a|", "unexpected end-of-string", 2],
    ["a&", "unexpected end-of-string", 2],
    ["~", "unexpected end-of-string", 1],
    ["(", "unexpected end-of-string", 1],
    ["😀)", "end-of-string expected at position 2", 2], // UTF-16 positions, as Java's
  ];
  for (const [p, message, offset] of rows) {
    assert.throws(
      () => compileLuceneRegex(p),
      (e: unknown) => {
        assert.ok(e instanceof LuceneRegexError, p);
        assert.equal(e.name, "LuceneRegexError");
        assert.deepEqual({ message: e.message, offset: e.offset }, { message, offset }, p);
        return true;
      },
    );
  }
});

test("nesting deeper than the guard is a LuceneRegexError, not a stack overflow", () => {
  const deep = MAX_REGEX_DEPTH + 10;
  for (const p of ["(".repeat(deep) + "a" + ")".repeat(deep), "~".repeat(deep) + "a", "a" + "?".repeat(deep), "(".repeat(20_000)]) {
    assert.throws(
      () => compileLuceneRegex(p),
      (e: unknown) => e instanceof LuceneRegexError && e.message === `the pattern nests deeper than ${MAX_REGEX_DEPTH} levels`,
      p.slice(0, 10),
    );
  }
  const ok = MAX_REGEX_DEPTH - 10;
  assert.equal(compileLuceneRegex("(".repeat(ok) + "a" + ")".repeat(ok))("a"), true);
  // long flat patterns are not deep
  const long = "a".repeat(50_000);
  assert.equal(compileLuceneRegex(long)(long), true);
  assert.equal(compileLuceneRegex("(a?)".repeat(300) + "a{300}")(long.slice(0, 450)), true);
  assert.equal(compileLuceneRegex(Array.from({ length: 5_000 }, (_, i) => `x${i}`).join("|"))("x4999"), true);
});

test("the AST: precedence and the parser's readings of classes and escapes", () => {
  const strip = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(strip) : typeof x === "object" && x !== null ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== "span").map(([k, v]) => [k, strip(v)])) : x;
  const a = { kind: "char", cp: 97 };
  assert.deepEqual(strip(parseLuceneRegex("~a*")), { kind: "repeat", min: 0, max: null, item: { kind: "complement", item: a } });
  assert.deepEqual(strip(parseLuceneRegex("a|a&a")), { kind: "union", items: [a, { kind: "intersection", items: [a, a] }] });
  assert.deepEqual(strip(parseLuceneRegex("[\\d-a]")), {
    kind: "class",
    negated: false,
    items: [{ kind: "pre_class", name: "d" }, { kind: "char", cp: 45 }, a],
  });
  assert.deepEqual(strip(parseLuceneRegex("<+9-10>")), { kind: "interval", min: 9, max: 10, digits: 2 });
  assert.deepEqual(strip(parseLuceneRegex("a{2,}")), { kind: "repeat", min: 2, max: null, item: a });
  assert.deepEqual(parseLuceneRegex("x(ab)").span, { start: 0, end: 5 });
});

test("linear work: a bounded number of steps per character on patterns that make backtracking explode", () => {
  const s = "a".repeat(50_000);
  for (const p of ["(a*)*b", "(a|a)*c", "(a|aa)*b", "(a?){30}a{30}b", ".*.*.*.*.*x", "(.*a){20}b", "(a*)*&~(.*a)", "~(a*)&.*b", "((a|b)*|a*)*[0-9]"]) {
    const m = compileLuceneRegex(p);
    const counter: RegexStepCounter = { steps: 0 };
    assert.equal(m(s, counter), false, p);
    // one cached step per character plus the derivatives of the few states the DFA needs
    assert.ok(counter.steps <= s.length + 5_000, `${p}: ${counter.steps} steps`);
    const again: RegexStepCounter = { steps: 0 };
    m(s, again);
    assert.ok(again.steps <= s.length, `${p} (warm): ${again.steps} steps`);
  }
});

/** A deterministic pseudo-random string over `alphabet`. */
function lcgString(n: number, alphabet: string, seed: number): string {
  let x = seed;
  let out = "";
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

test("past the state cache, derivatives are computed afresh: still correct, work bounded by the state size", () => {
  // `.*a.{13}` needs 2^14 DFA states, more than the cache holds
  const m = compileLuceneRegex(".*a.{13}");
  for (let seed = 1; seed <= 4; seed++) {
    const s = lcgString(40_000, "ab", seed);
    const counter: RegexStepCounter = { steps: 0 };
    assert.equal(m(s, counter), s[s.length - 14] === "a", `seed ${seed}`);
    assert.ok(counter.steps <= 60 * s.length, `${counter.steps} steps`);
  }
});

test("a full term table is swapped for a fresh one mid-value, with the same answers", () => {
  const saved = { ...LUCENE_REGEX_LIMITS };
  try {
    LUCENE_REGEX_LIMITS.cachedStates = 50;
    LUCENE_REGEX_LIMITS.termTable = 500;
    const m = compileLuceneRegex("(.*a.{9})&~(.*bbbb.*)");
    for (let seed = 1; seed <= 6; seed++) {
      // runs of at most three b's, so the complement never rules the value out early
      const s = lcgString(2_000, "0123", seed).replace(/[0-3]/g, (d) => "b".repeat(Number(d)) + "a") + lcgString(10, "ab", seed);
      const counter: RegexStepCounter = { steps: 0 };
      assert.equal(m(s, counter), s[s.length - 10] === "a" && !s.includes("bbbb"), `seed ${seed}`);
      assert.ok(counter.steps >= s.length);
    }
    assert.equal(m("a" + "b".repeat(4) + "a".repeat(10)), false);
  } finally {
    Object.assign(LUCENE_REGEX_LIMITS, saved);
  }
});

// ---- references ---------------------------------------------------------------------------------------

type ClsItem = { readonly ch: string } | { readonly from: string; readonly to: string };
type R =
  | { readonly k: "lit"; readonly c: string }
  | { readonly k: "str"; readonly s: string }
  | { readonly k: "dot" }
  | { readonly k: "eps" }
  | { readonly k: "cls"; readonly neg: boolean; readonly items: readonly ClsItem[] }
  | { readonly k: "cat" | "alt" | "and"; readonly xs: readonly R[] }
  | { readonly k: "rep"; readonly x: R; readonly min: number; readonly max: number | null }
  | { readonly k: "not"; readonly x: R }
  | { readonly k: "none" }
  | { readonly k: "all" };

function print(r: R): string {
  switch (r.k) {
    case "lit":
      return r.c;
    case "str":
      return `"${r.s}"`;
    case "dot":
      return ".";
    case "eps":
      return "()";
    case "cls":
      return `[${r.neg ? "^" : ""}${r.items.map((i) => ("ch" in i ? i.ch : `${i.from}-${i.to}`)).join("")}]`;
    case "cat":
      return r.xs.map((x) => `(${print(x)})`).join("");
    case "alt":
      return r.xs.map((x) => `(${print(x)})`).join("|");
    case "and":
      return r.xs.map((x) => `(${print(x)})`).join("&");
    case "rep": {
      const op = r.min === 0 && r.max === null ? "*" : r.min === 1 && r.max === null ? "+" : r.min === 0 && r.max === 1 ? "?" : r.max === null ? `{${r.min},}` : `{${r.min},${r.max}}`;
      return `(${print(r.x)})${op}`;
    }
    case "not":
      return `~(${print(r.x)})`;
    case "none":
      return "#";
    case "all":
      return "@";
  }
}

const swapCase = (c: string): string => (c >= "a" && c <= "z" ? c.toUpperCase() : c >= "A" && c <= "Z" ? c.toLowerCase() : c);
/** One pattern character against one value character: ASCII letters fold when ci (Lucene folds the pattern). */
const charEq = (p: string, v: string, ci: boolean): boolean => p === v || (ci && swapCase(p) === v);
function inClass(r: Extract<R, { k: "cls" }>, v: string, ci: boolean): boolean {
  const hit = r.items.some((i) => ("ch" in i ? charEq(i.ch, v, ci) : v >= i.from && v <= i.to));
  return hit !== r.neg;
}

/** Backtracking reference: every end position of a match of `r` in `s` starting at `i`. */
function ends(r: R, s: string, i: number, ci: boolean): Set<number> {
  const one = (ok: boolean) => new Set(ok ? [i + 1] : []);
  switch (r.k) {
    case "lit":
      return one(i < s.length && charEq(r.c, s[i], ci));
    case "str":
      return new Set([...r.s].every((c, k) => i + k < s.length && charEq(c, s[i + k], ci)) ? [i + r.s.length] : []);
    case "dot":
      return one(i < s.length);
    case "eps":
      return new Set([i]);
    case "cls":
      return one(i < s.length && inClass(r, s[i], ci));
    case "cat": {
      let cur = new Set([i]);
      for (const x of r.xs) {
        const nxt = new Set<number>();
        for (const p of cur) for (const q of ends(x, s, p, ci)) nxt.add(q);
        cur = nxt;
      }
      return cur;
    }
    case "alt": {
      const out = new Set<number>();
      for (const x of r.xs) for (const q of ends(x, s, i, ci)) out.add(q);
      return out;
    }
    case "rep": {
      const out = new Set<number>(r.min === 0 ? [i] : []);
      let cur = new Set([i]);
      for (let k = 1; r.max === null || k <= r.max; k++) {
        const nxt = new Set<number>();
        for (const p of cur) for (const q of ends(r.x, s, p, ci)) nxt.add(q);
        cur = nxt;
        if (cur.size === 0) break;
        if (k >= r.min) {
          let grew = false;
          for (const q of cur) {
            if (out.has(q)) continue;
            out.add(q);
            grew = true;
          }
          if (!grew && r.max === null) break;
        }
      }
      return out;
    }
    default:
      throw new Error(`no backtracking reference for ${r.k}`);
  }
}

const lit = fc.constantFrom("a", "b", "c", "A");
const clsItem: fc.Arbitrary<ClsItem> = fc.oneof(
  lit.map((ch): ClsItem => ({ ch })),
  fc.constantFrom<ClsItem>({ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "A", to: "Z" }),
);
const leaf: fc.Arbitrary<R> = fc.oneof(
  lit.map((c): R => ({ k: "lit", c })),
  fc.constantFrom("ab", "cA", "a").map((s): R => ({ k: "str", s })),
  fc.constant<R>({ k: "dot" }),
  fc.constant<R>({ k: "eps" }),
  fc.record({ neg: fc.boolean(), items: fc.array(clsItem, { minLength: 1, maxLength: 3 }) }).map((c): R => ({ k: "cls", ...c })),
);
const bounds = fc.constantFrom<[number, number | null]>([0, null], [1, null], [0, 1], [2, null], [0, 2], [1, 2], [2, 2], [0, 0]);
const arbPlain = fc.letrec<{ r: R }>((tie) => ({
  r: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("r"), { minLength: 2, maxLength: 3 }).map((xs): R => ({ k: "cat", xs })),
    fc.array(tie("r"), { minLength: 2, maxLength: 3 }).map((xs): R => ({ k: "alt", xs })),
    fc.tuple(tie("r"), bounds).map(([x, [min, max]]): R => ({ k: "rep", x, min, max })),
  ),
})).r;

test("agrees with a backtracking reference on random patterns without & and ~ (fast-check)", () => {
  const value = fc.string({ unit: fc.constantFrom("a", "b", "c", "A", "d"), maxLength: 8 });
  for (const ci of [false, true]) {
    fc.assert(
      fc.property(arbPlain, fc.array(value, { minLength: 6, maxLength: 6 }), (r, values) => {
        const p = print(r);
        const m = compileLuceneRegex(p, { caseInsensitive: ci });
        for (const v of values) assert.equal(m(v), ends(r, v, 0, ci).has(v.length), `${p} ~ ${JSON.stringify(v)}${ci ? " (ci)" : ""}`);
      }),
      { numRuns: 400 },
    );
  }
});

// Set-based reference: the language restricted to strings of length <= N over {a, b, c}. Restriction commutes
// with every operator, complement included (taken within the same universe), so the answers are exact there.
const SIGMA = ["a", "b", "c"];
const N = 4;
const UNIVERSE: string[] = [""];
for (let level = [""], len = 1; len <= N; len++) {
  level = level.flatMap((u) => SIGMA.map((c) => u + c));
  UNIVERSE.push(...level);
}

function concatSets(x: ReadonlySet<string>, y: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const u of x) for (const v of y) if (u.length + v.length <= N) out.add(u + v);
  return out;
}

function lang(r: R): Set<string> {
  const singles = (ok: (c: string) => boolean) => new Set(SIGMA.filter(ok));
  switch (r.k) {
    case "lit":
      return singles((c) => c === r.c);
    case "str":
      return new Set([r.s].filter((s) => [...s].every((c) => SIGMA.includes(c))));
    case "dot":
      return singles(() => true);
    case "eps":
      return new Set([""]);
    case "cls":
      return singles((c) => inClass(r, c, false));
    case "cat":
      return r.xs.map(lang).reduce(concatSets, new Set([""]));
    case "alt":
      return new Set(r.xs.flatMap((x) => [...lang(x)]));
    case "and": {
      const [first, ...rest] = r.xs.map(lang);
      return new Set([...first].filter((s) => rest.every((y) => y.has(s))));
    }
    case "not": {
      const x = lang(r.x);
      return new Set(UNIVERSE.filter((s) => !x.has(s)));
    }
    case "none":
      return new Set();
    case "all":
      return new Set(UNIVERSE);
    case "rep": {
      const x = lang(r.x);
      const out = new Set<string>(r.min === 0 ? [""] : []);
      let cur = new Set([""]);
      for (let k = 1; (r.max === null || k <= r.max) && k <= N + r.min + 1; k++) {
        cur = concatSets(cur, x);
        if (k >= r.min) for (const s of cur) out.add(s);
      }
      return out;
    }
  }
}

// Complex sub-patterns are repeated only with bounds whose meaning does not depend on emptiness (Lucene stars an
// empty language to nothing; the table above pins that), so `*` and `{0,}` wrap plain sub-patterns only.
const arbFull = fc.letrec<{ r: R }>((tie) => ({
  r: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.constantFrom<R>({ k: "none" }, { k: "all" }),
    fc.array(tie("r"), { minLength: 2, maxLength: 3 }).map((xs): R => ({ k: "cat", xs })),
    fc.array(tie("r"), { minLength: 2, maxLength: 3 }).map((xs): R => ({ k: "alt", xs })),
    fc.array(tie("r"), { minLength: 2, maxLength: 2 }).map((xs): R => ({ k: "and", xs })),
    tie("r").map((x): R => ({ k: "not", x })),
    fc.tuple(tie("r"), bounds.filter(([min, max]) => min > 0 || max !== null)).map(([x, [min, max]]): R => ({ k: "rep", x, min, max })),
    arbPlain.map((x): R => ({ k: "rep", x, min: 0, max: null })),
  ),
})).r;

test("intersection and complement agree with a set-based reference over all short strings (fast-check)", () => {
  fc.assert(
    fc.property(arbFull, (r) => {
      const p = print(r);
      const m = compileLuceneRegex(p);
      const want = lang(r);
      for (const s of UNIVERSE) assert.equal(m(s), want.has(s), `${p} ~ ${JSON.stringify(s)}`);
    }),
    { numRuns: 300 },
  );
});

test("numeric intervals agree with a direct reading of makeDecimalInterval (fast-check)", () => {
  const bound = fc.tuple(fc.nat(300), fc.nat(2)).map(([v, zeros]) => "0".repeat(zeros) + String(v));
  const value = fc.oneof(fc.string({ unit: fc.constantFrom("0", "1", "2", "9"), maxLength: 5 }), fc.nat(400).map(String));
  fc.assert(
    fc.property(bound, bound, fc.array(value, { minLength: 8, maxLength: 8 }), (smin, smax, values) => {
      const m = compileLuceneRegex(`<${smin}-${smax}>`);
      const [lo, hi] = [Number(smin), Number(smax)].sort((x, y) => x - y);
      const digits = smin.length === smax.length ? smin.length : 0;
      for (const v of values) {
        const want = v.length > 0 && [...v].every((c) => c >= "0" && c <= "9") && Number(v) >= lo && Number(v) <= hi && (digits === 0 || v.length === digits);
        assert.equal(m(v), want, `<${smin}-${smax}> ~ ${JSON.stringify(v)}`);
      }
    }),
    { numRuns: 300 },
  );
});
