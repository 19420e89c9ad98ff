// Unit tables for the standard-analyser port (analyzer.ts): token lists Elasticsearch 8.15 and OpenSearch
// 2.19 gave for these texts (both alike), pinned so they hold without a server; then the ASCII path
// against the scanner over generated text, the 255-unit cut, and match_phrase over the cut pieces.
// test/cluster/analyzer-judge.test.ts compares with the servers themselves.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { analyze, MAX_TOKEN_LENGTH, scan } from "./analyzer.js";
import { containsPhrase } from "./values.js";

/** [text, the server's tokens]. */
const SERVER_SAID: readonly (readonly [string, readonly string[]])[] = [
  // Words join across `_`, `.`, `:` and `'` between letters and `,` `;` `.` `'` between digits (UAX #29).
  ["Wrote /tmp/A.exe: 1,000.5 bytes", ["wrote", "tmp", "a.exe", "1,000.5", "bytes"]],
  ["bpf_probe_write_user", ["bpf_probe_write_user"]],
  ["a.exe", ["a.exe"]],
  ["192.0.2.7", ["192.0.2.7"]],
  ["foo.bar:baz", ["foo.bar:baz"]],
  ["3.14", ["3.14"]],
  ["1,000.5", ["1,000.5"]],
  ["v1.2.3-beta", ["v1.2.3", "beta"]],
  ["_under_", ["_under_"]],
  ["a__b", ["a__b"]],
  ["x..y", ["x", "y"]],
  ["___", []],
  ["a.1 1.a a1.2", ["a", "1", "1", "a", "a1.2"]],
  ["x:y:z a:1 1:2 1;2 a;b 1,a", ["x:y:z", "a", "1", "1", "2", "1;2", "a", "b", "1", "a"]],
  ["O'Neil rock'n'roll", ["o'neil", "rock'n'roll"]],
  ["don\u2019t don\u2018t", ["don\u2019t", "don\u2018t"]],
  ["well-known e-mail", ["well", "known", "e", "mail"]],
  ["C:\\Windows\\System32\\cmd.exe", ["c", "windows", "system32", "cmd.exe"]],
  ["https://www.example.com/path/to?q=1&r=a.b#frag", ["https", "www.example.com", "path", "to", "q", "1", "r", "a.b", "frag"]],
  ["john.doe@example.com", ["john.doe", "example.com"]],
  // Lower-casing is Java's, one code point at a time.
  ["İstanbul", ["istanbul"]],
  ["ΣΑΣ ΟΔΟΣ", ["σασ", "οδοσ"]],
  ["ὈΔΥΣΣΕΎΣ", ["ὀδυσσεύσ"]],
  ["Straße ǅemal ÀÉÎ", ["straße", "ǆemal", "àéî"]],
  ["\uff21\uff22\uff23 \uff11\uff12", ["\uff41\uff42\uff43", "\uff11\uff12"]],
  ["\u{1d400}\u{1d401}\u{1d402} \u{10400}\u{10401}", ["\u{1d400}\u{1d401}\u{1d402}", "\u{10428}\u{10429}"]],
  // Han and hiragana one character a token; katakana, Hangul and Southeast Asian runs whole.
  ["東京都庁", ["東", "京", "都", "庁"]],
  ["こんにちは", ["こ", "ん", "に", "ち", "は"]],
  ["カタカナ", ["カタカナ"]],
  ["ｶﾀｶﾅ", ["ｶﾀｶﾅ"]],
  ["日本語のテキストです", ["日", "本", "語", "の", "テキスト", "で", "す"]],
  ["カタカナabc カタカナ_abc", ["カタカナ", "abc", "カタカナ_abc"]],
  ["한국어 텍스트", ["한국어", "텍스트"]],
  ["ภาษาไทยง่ายนิดเดียว", ["ภาษาไทยง่ายนิดเดียว"]],
  ["ພາສາລາວ", ["ພາສາລາວ"]],
  ["မြန်မာ", ["မြန်မာ"]],
  ["ភាសាខ្មែរ", ["ភាសាខ្មែរ"]],
  ["שלום עולם", ["שלום", "עולם"]],
  ['צה"ל', ['צה"ל']],
  ["ת\"א'ב", ['ת"א', "ב"]],
  ["מ'", ["מ'"]],
  ["مرحبا بالعالم", ["مرحبا", "بالعالم"]],
  ["नमस्ते दुनिया", ["नमस्ते", "दुनिया"]],
  ["Привет, мир!", ["привет", "мир"]],
  ["٣٫١٤ ١٢٣", ["٣٫١٤", "١٢٣"]],
  ["x² ½ Ⅻ ⅻ ①", ["x", "ⅻ", "ⅻ"]],
  ["ⓜⓐⓘⓛ", ["ⓜⓐⓘⓛ"]],
  // Emoji: whole sequences (ZWJ, skin tone, flag, tag, keycap), each a token; © ® ™ too.
  [
    "😀 👍🏽 👨‍👩‍👧 🏳️‍🌈 🇯🇵🇺🇸 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣ #⃣ ❤️ ☺︎",
    ["😀", "👍🏽", "👨‍👩‍👧", "🏳️‍🌈", "🇯🇵", "🇺🇸", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "#⃣", "❤️", "☺"],
  ],
  ["a😀b", ["a", "😀", "b"]],
  ["\u200d😀", ["\u200d😀"]],
  ["🏽", ["🏽"]],
  ["© ® ™ a©b", ["©", "®", "™", "a", "©", "b"]],
  // Marks and format characters stay inside a word; spaces and controls separate.
  ["a\u0301b e\u0301", ["a\u0301b", "e\u0301"]],
  ["a\u200cb a\u200db", ["a\u200cb", "a\u200db"]],
  ["a\u00adb", ["a\u00adb"]],
  ["a\u00a0b a\u2003b", ["a", "b", "a", "b"]],
  ["\u0000\u0001a\u001fb\u007f", ["a", "b"]],
  ["a\tb\nc\r\nd", ["a", "b", "c", "d"]],
  // Letters assigned after Unicode 12.1 are no token characters; old emoji ranges still are.
  ["a\u{10e80}b", ["a", "b"]],
  ["\u{1fb00}", ["\u{1fb00}"]],
  // A word longer than 255 code units is cut at the buffer's end (less a high surrogate there).
  ["a".repeat(300), ["a".repeat(255), "a".repeat(45)]],
  ["a.".repeat(200), ["a.".repeat(127) + "a", "a.".repeat(71) + "a"]],
  ["a".repeat(254) + "\u{10400}b", ["a".repeat(254), "\u{10428}b"]],
  ["a".repeat(253) + "\u{10400}b", ["a".repeat(253) + "\u{10428}", "b"]],
];

test("the servers' tokens for tricky text", () => {
  const wrong = SERVER_SAID.filter(([text, want]) => JSON.stringify(analyze(text)) !== JSON.stringify(want)).map(([text, want]) => ({ text, want, got: analyze(text) }));
  assert.deepEqual(wrong, []);
});

test("the ASCII path and the scanner agree", () => {
  // Letters, digits and every joiner or breaker of the word rule, weighted toward runs that join.
  const piece = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("a", "B", "z", "0", "7", "_") },
    { weight: 3, arbitrary: fc.constantFrom(".", ":", "'", ",", ";", '"', "-", "/", "\\", "@", "#", "*", " ", "\t", "\n", "\u0000") },
    { weight: 1, arbitrary: fc.constantFrom("a".repeat(250), "1".repeat(260), "_".repeat(256), "ab.".repeat(90)) },
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const text = parts.join("");
      assert.deepEqual(analyze(text), scan(text), JSON.stringify(text));
    }),
    { numRuns: 3000 },
  );
});

test("no token is empty or longer than max_token_length", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 600 }), (text) => {
      for (const tok of analyze(text)) {
        assert.ok(tok.length >= 1 && tok.length <= MAX_TOKEN_LENGTH, `${tok.length} in ${JSON.stringify(text)}`);
      }
    }),
    { numRuns: 500 },
  );
  assert.equal(MAX_TOKEN_LENGTH, 255);
});

test("match_phrase: the pieces of a cut word are consecutive, in order", () => {
  const hay = analyze(`start ${"x".repeat(300)} end`);
  assert.deepEqual(hay, ["start", "x".repeat(255), "x".repeat(45), "end"]);
  assert.equal(containsPhrase(hay, analyze(`START ${"X".repeat(300)}`)), true);
  assert.equal(containsPhrase(hay, ["x".repeat(45), "x".repeat(255)]), false);
  assert.equal(containsPhrase(analyze("Write to /tmp/a.exe now"), analyze("a.exe now")), true);
  assert.equal(containsPhrase(analyze("Write to /tmp/a.exe now"), analyze("exe now")), false);
  assert.equal(containsPhrase(analyze("東京都庁"), analyze("京都")), true);
  assert.equal(containsPhrase(analyze("anything"), analyze("...")), false);
});
