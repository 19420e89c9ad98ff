// Elasticsearch and OpenSearch as the judges of tern's text analyser (src/compile/predicate/analyzer.ts):
// for hand-picked tricky text, for text generated from many scripts and symbols with a fixed seed, and for
// every code point of planes 0-3 and 14 in a few contexts, the tokens of the server's `standard` analyzer
// (POST /_analyze) must be tern's, exactly and in order. The servers are the integration-test
// distributions from Maven Central (src/testing/cluster/servers.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ClusterKind } from "../../src/testing/cluster/servers.js";
import { useCluster } from "../../src/testing/cluster/fixture.js";
import { analyze } from "../../src/compile/predicate/values.js";
import { mapLimit } from "../../src/util/map-limit.js";

const TRICKY: readonly string[] = [
  "bpf_probe_write_user",
  "a.exe",
  "192.0.2.7",
  "foo.bar:baz",
  "3.14",
  "1,000.5",
  "v1.2.3-beta",
  "_under_",
  "a__b",
  "x..y",
  "___ _ _a a_",
  "a.1 1.a a1.2 1.2.a",
  "x:y:z a:1 1:2 1;2 a;b 1,a",
  "İstanbul",
  "ΣΑΣ ΟΔΟΣ",
  "ὈΔΥΣΣΕΎΣ ς",
  "Straße ǅemal ÀÉÎ ǈ",
  "O'Neil",
  "rock'n'roll",
  "don\u2019t \u2019quoted\u2019 \u2018x\u2019",
  "it's 'quoted' ''",
  "well-known e-mail \u2010hyphen\u2011 a\u2013b a\u2014b",
  "https://www.example.com/path/to/file.php?q=1&r=a.b#frag",
  "http://[2001:db8::1]:8080/x",
  "john.doe@example.com <admin@localhost>",
  "C:\\Windows\\System32\\cmd.exe",
  "\\\\server\\share\\file.txt",
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "1,000.5 1.000,5 1'000 -12.5e+3",
  "2024-08-15T12:34:56.789Z",
  "de:ad:be:ef:00:01 fe80::1%eth0",
  "a\u0301b e\u0301 \u0301x",
  "a\u200cb a\u200db \u200da \u200d",
  "a\u00a0b a\u2003b a\u3000b a\u202fb",
  "a\u00adb a\u2060b a\ufeffb a\u200bb",
  "\u0000\u0001a\u001fb\u007f\u0085c",
  "a\tb\nc\r\nd\u000be\u000cf\u2028g\u2029h",
  "\uff21\uff22\uff23 \uff11\uff12 \uff41\uff0e\uff42",
  "\u{1d400}\u{1d401}\u{1d402} \u{10400}\u{10401}",
  "x\u00b2 \u00bd \u216b \u217b \u2460",
  "\u24dc\u24d0\u24d8\u24db \u24c2",
  "\u0663\u066b\u0661\u0664 \u0661\u0662\u0663 \u0966\u0967",
  // CJK and Japanese mixed scripts
  "東京都庁",
  "こんにちは",
  "カタカナ ｶﾀｶﾅ ㇰㇱ",
  "日本語のテキストです",
  "カタカナabc カタカナ_abc abcカタカナ カタ・カナ ラーメン",
  "漢字かなカナabc123",
  "中文测试，标点。",
  "々 〆 〻 x々y",
  "한국어 텍스트 한국어abc ᄀᄁ",
  // Southeast Asian
  "ภาษาไทยง่ายนิดเดียว",
  "ภาษา ไทย๑๒๓",
  "ພາສາລາວ",
  "မြန်မာ",
  "ភាសាខ្មែរ",
  // Right-to-left and Indic
  "שלום עולם",
  'צה"ל',
  "ת\"א'ב מ' א\"",
  "مرحبا بالعالم",
  "नमस्ते दुनिया",
  "Привет, мир!",
  // Emoji
  "😀 😀😀 a😀b 1😀2",
  "👍🏽 👍🏻👍🏿 🏽",
  "👨‍👩‍👧 👩‍❤️‍💋‍👨 🧑‍🤝‍🧑 👨‍💻",
  "🏳️‍🌈 🏴‍☠️",
  "🇯🇵🇺🇸 🇺🇳🇺 🇺",
  "🏴󠁧󠁢󠁳󠁣󠁴󠁿 🏴󠁧󠁢󠁥󠁮󠁧󠁿",
  "1️⃣ #⃣ *️⃣ 1⃣",
  "❤️ ☺︎ ☺️ ✔ ✈️",
  "\u200d😀 \u200d\u200d😀",
  "© ® ™ a©b 〰 〽",
  "\u{1fb00} \u{1fae8} \u{1f9cb}",
  // Letters assigned after Unicode 12.1
  "a\u{10e80}b \u{10570}",
  // Longer than max_token_length
  "a".repeat(300),
  "a.".repeat(200),
  "1".repeat(256),
  "_".repeat(300),
  "a".repeat(254) + "\u{10400}b",
  "a".repeat(253) + "\u{10400}b",
  "😀".repeat(200),
  "東".repeat(300),
  "ภ".repeat(300),
  "カ".repeat(300),
  "x " + "ab".repeat(130) + "\u0301 y",
];

/** Code point ranges the generated text samples: scripts, marks, spaces, joiners, symbols and emoji. */
const RANGES: readonly (readonly [number, number])[] = [
  [0x0000, 0x001f], // controls
  [0x0080, 0x00bf], // C1 controls, NBSP, soft hyphen, ², ½, ©
  [0x00c0, 0x024f], // Latin-1 letters and Latin Extended
  [0x0300, 0x036f], // combining marks
  [0x0370, 0x03ff], // Greek
  [0x0400, 0x04ff], // Cyrillic
  [0x0590, 0x05ff], // Hebrew, with geresh and gershayim
  [0x0600, 0x06ff], // Arabic
  [0x0900, 0x097f], // Devanagari
  [0x0e00, 0x0eff], // Thai, Lao
  [0x1000, 0x109f], // Myanmar
  [0x1780, 0x17ff], // Khmer
  [0x1100, 0x11ff], // Hangul jamo
  [0xac00, 0xd7a3], // Hangul syllables
  [0x2000, 0x206f], // spaces, ZWNJ/ZWJ, quotes, dashes, word joiner
  [0x2100, 0x27bf], // letterlike symbols, number forms, arrows, technical, dingbats
  [0x3000, 0x30ff], // CJK punctuation, hiragana, katakana
  [0x31f0, 0x31ff], // katakana extensions
  [0x4e00, 0x9fff], // CJK ideographs
  [0xfe00, 0xfe0f], // variation selectors
  [0xff00, 0xffef], // half- and full-width forms
  [0x10400, 0x1044f], // Deseret (cased astral letters)
  [0x10e80, 0x10ebf], // Yezidi (assigned after Unicode 12.1)
  [0x1d400, 0x1d7ff], // mathematical alphanumerics
  [0x1f000, 0x1faff], // emoji and pictographs
  [0x1f1e6, 0x1f1ff], // regional indicators
  [0x1f3fb, 0x1f3ff], // skin tones
  [0x20000, 0x2a6df], // CJK extension B
  [0xe0020, 0xe007f], // tags
];

const arbCodePoint = fc.constantFrom(...RANGES).chain(([lo, hi]) => fc.integer({ min: lo, max: hi })).map((c) => String.fromCodePoint(c));
const arbAscii = fc.constantFrom(..."aAbZz09_.:',;\"-/\\@#*!?()[]{}<>=+&%$|~` \t\n");
const arbSpecial = fc.constantFrom("\u200d", "\u200c", "\ufe0f", "\ufe0e", "\u20e3", "\u2019", "\u00a0", "\u0301", "👍🏽", "👨‍👩‍👧", "🇯🇵", "İ", "Σ", "foo", "a.exe", "192.0.2.7", "v1.2");
const arbPiece = fc.oneof(
  { weight: 20, arbitrary: arbAscii },
  { weight: 15, arbitrary: arbCodePoint },
  { weight: 6, arbitrary: arbSpecial },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(arbAscii, arbCodePoint), fc.integer({ min: 100, max: 300 })).map(([c, n]) => c.repeat(n)) },
);
const GENERATED_RUNS = 3000;
/** The distinct texts of GENERATED_RUNS samples. */
const GENERATED: readonly string[] = [
  ...new Set(fc.sample(fc.array(arbPiece, { minLength: 1, maxLength: 30, size: "max" }).map((parts) => parts.join("")), { seed: 0x7e2a, numRuns: GENERATED_RUNS })),
];

/** The code points swept, each in every context of PROBES: all of planes 0-3 and the tags plane's start. */
const SWEPT: readonly number[] = (() => {
  const out: number[] = [];
  for (let c = 0; c < 0x40000; c++) if (c < 0xd800 || c > 0xdfff) out.push(c);
  for (let c = 0xe0000; c < 0xe0200; c++) out.push(c);
  return out;
})();
/** Contexts that show what a character is to the scanner: a letter, digit, mid-word mark, joiner, emoji … */
const PROBES: readonly ((c: string) => string)[] = [
  (c) => c,
  (c) => `a${c}a`,
  (c) => `1${c}1`,
  (c) => `${c}\u0301x`,
  (c) => `\u05d0${c}\u05d0`,
  (c) => `\u{1f600}${c}\u{1f600}`,
  (c) => `\u30ab${c}\u30ab`,
  (c) => `${c}${c}`,
  (c) => `\u0e01${c}\u0e01`,
];
const probe = (cp: number): string => {
  const c = String.fromCodePoint(cp);
  return PROBES.map((p) => p(c)).join(" ");
};

/** Runs `f` over `items`, at most `limit` at a time, keeping the order of the results. */
interface Disagreement {
  text: string;
  tern: string[];
  server: string[];
}

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`${kind} as the judge of tern's text analyser`, () => {
    const fx = useCluster(kind);

    const serverTokens = async (text: string): Promise<string[]> => {
      const r = await fx.client.request<{ tokens: { token: string }[] }>("POST", "/_analyze", { analyzer: "standard", text });
      return r.tokens.map((t) => t.token);
    };
    /** Each text's disagreement, if tern's tokens are not the server's. */
    const judge = async (texts: readonly string[]): Promise<Disagreement[]> => {
      const said = await mapLimit(texts, 8, serverTokens);
      return texts.flatMap((text, i) => {
        const tern = analyze(text);
        return JSON.stringify(tern) === JSON.stringify(said[i]) ? [] : [{ text, tern, server: said[i] }];
      });
    };

    test(`the ${TRICKY.length} tricky texts: tern's tokens are the server's`, async () => {
      assert.equal(TRICKY.length, 85);
      assert.deepEqual(await judge(TRICKY), []);
    });

    test(`${GENERATED.length} generated texts (fixed seed): tern's tokens are the server's`, async () => {
      assert.ok(GENERATED.length >= GENERATED_RUNS * 0.95, `only ${GENERATED.length} distinct texts`);
      assert.deepEqual(await judge(GENERATED), []);
    });

    test(`every code point of planes 0-3 and 14's first 512, in ${PROBES.length} contexts: tern's tokens are the server's`, async () => {
      // Many code points to a request (a space between probes ends any token); a batch that disagrees is
      // judged again code point by code point, to name them.
      const batches: number[][] = [];
      for (let i = 0; i < SWEPT.length; i += 300) batches.push(SWEPT.slice(i, i + 300));
      const wrong = await mapLimit(batches, 6, async (batch) => {
        const text = batch.map(probe).join(" ");
        if (JSON.stringify(await serverTokens(text)) === JSON.stringify(analyze(text))) return [];
        return judge(batch.map(probe));
      });
      assert.equal(SWEPT.length, 0x40000 - 0x800 + 0x200);
      assert.deepEqual(wrong.flat().slice(0, 20), []);
    });
  });
}
