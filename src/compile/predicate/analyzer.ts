// The text analyser of docs/kql.md §7.6, equal to the `standard` analyzer of Elasticsearch 8.15 and
// OpenSearch 2.19: Lucene 9's StandardTokenizer (max_token_length 255) and then its LowerCaseFilter, with no
// stop words. Pure functions; the only state is the character table, built once at load.
//
// The tokenizer is a JFlex scanner (Lucene's StandardTokenizerImpl.jflex), ported here rule by rule rather
// than built on Intl.Segmenter, because the two part ways often enough to matter for matching: the scanner
// reads its character properties from Unicode 12.1, so a letter assigned later is no token character,
// while ICU in Node knows it; it emits each Han ideograph and each hiragana alone (ICU finds words with a
// dictionary) and keeps a run of Thai, Lao, Myanmar or Khmer whole; it lets no `'` join after a Hebrew
// letter + `"` + Hebrew letter (ת"א'ב is ת"א and ב); it reads emoji sequences by rules of its own (ICU's
// isWordLike leaves emoji out, and a leading ZWJ belongs to the emoji here); and it drops whatever no rule
// matches: punctuation, symbols, a lone `_`. At each offset the longest match of any rule is the token, or
// one code point is skipped. A match can use at most the scanner's buffer of 255 UTF-16 code units, which
// is how a longer word becomes several tokens at consecutive positions.

/*
 * Character features. Each code point has a set of these, from Unicode 12.1's Word_Break property (WB),
 * Script (sc), Line_Break (LB) and emoji data:
 *   AH  WB=ALetter or Hebrew_Letter          HL  WB=Hebrew_Letter             N   WB=Numeric
 *   K   WB=Katakana                          ENL WB=ExtendNumLet ("_")
 *   ML  WB=MidLetter, MidNumLet, Single_Quote (":" "." "'")
 *   MN  WB=MidNum, MidNumLet, Single_Quote ("," ";" "." "'")
 *   SQ  WB=Single_Quote                      DQ  WB=Double_Quote
 *   X   WB=Format, Extend or ZWJ: absorbed after a token character (WB4)     ZWJ WB=ZWJ (U+200D)
 *   RI  WB=Regional_Indicator                HAN sc=Han    HIRA sc=Hiragana    SA LB=Complex_Context
 *   EC  an emoji character: Extended_Pictographic, or Emoji other than the regional indicators, the
 *       keycap bases [0-9#*], the skin-tone modifiers and © ® ™ 〰 〽
 *   EMB Emoji_Modifier_Base                  EM  Emoji_Modifier (skin tones)
 */
const AH = 1 << 0, HL = 1 << 1, N = 1 << 2, K = 1 << 3, ENL = 1 << 4, ML = 1 << 5, MN = 1 << 6, SQ = 1 << 7, DQ = 1 << 8;
const X = 1 << 9, ZWJ = 1 << 10, RI = 1 << 11, HAN = 1 << 12, HIRA = 1 << 13, SA = 1 << 14, EC = 1 << 15, EMB = 1 << 16, EM = 1 << 17;

/** The distinct feature sets that occur, indexed by the letters of RUNS. */
const CLASSES: readonly number[] = [
  /* A */ 0,
  /* B */ DQ,
  /* C */ ML | MN | SQ,
  /* D */ MN,
  /* E */ ML | MN,
  /* F */ N,
  /* G */ ML,
  /* H */ AH,
  /* I */ ENL,
  /* J */ EC,
  /* K */ X,
  /* L */ AH | HL,
  /* M */ SA,
  /* N */ X | SA,
  /* O */ X | ZWJ,
  /* P */ AH | EC,
  /* Q */ EC | EMB,
  /* R */ HAN,
  /* S */ AH | HAN,
  /* T */ K,
  /* U */ HIRA,
  /* V */ RI,
  /* W */ X | EM,
];

/**
 * The feature class of every code point U+0000..U+10FFFF, as runs: each run is its distance from the
 * previous run's first code point in base 36, then its class letter. Made from the Unicode 12.1 character
 * database (Lucene's grammar declares `%unicode 12.1`; the npm package unicode-12.1.0 has each property as
 * a code point list) by setting the features above for each code point and cutting a run wherever the set
 * changes. test/cluster/analyzer-judge.test.ts checks every code point of planes 0-3 and 14 against the
 * servers. scripts/gen-analyzer-table.mjs prints the table and CLASSES.
 */
const RUNS =
  "0AyB1A4C1A4D1A1E1A1FaG1D1A5HqA4I1A1HqA1aJ1H1A2K1J1A6H1A1G1A2H1A5HnA1HvA1HdcA6H7A7HkK34H5A1H2A2H4D1H1A6H1G1H3A1" +
  "H1A1HkA1H2bA1H3vA1K7H4mA1H12A2H1A1H2A1H1A1H15D1A7K19A1K1A1K2A1K2A1K1A8LrA4L4H1G1AbK6A6D2A2KbA1K1A3H17KlFaA1F1D" +
  "1A1H2K1H2rA1H1K8A1K6H2K2A1K4H2FaH3A2H1AfK1H1K1HuKrA2H2hKbH1AeFaHxK9H2A2D1A1H1A2K1A2HmK4H1K9H1K3H1K5AiHpK3A4HbA" +
  "1hHlA1H8AlK1dH1iK3H1KiH1K7HaK2A2FaA1HgK3A1H8A2H2A2HmA1H7A1H1A3H4A2K1H1K7A2K2A2K3H1A8K1A4H2A1H3K2A2FaH2AaH1A1K1" +
  "A2K3A1H6A4H2A2HmA1H7A1H2A1H2A1H2A2K1A1K5A4K2A2K3A3K1A7H4A1H1A7FaK2H3K1AbK3A1H9A1H3A1HmA1H7A1H2A1H5A2K1H1K8A1K3" +
  "A1K3A2H1AfH2K2A2FaA9H1K6A1K3A1H8A2H2A2HmA1H7A1H2A1H5A2K1H1K7A2K2A2K3A8K2A4H2A1H3K2A2FaA1H1AgK1H1A1H6A3H3A1H4A3" +
  "H2A1H1A1H2A3H2A3H3A3HcA4K5A3K3A1K4A2H1A6K1AeFaAgK5H8A1H3A1HnA1HgA3H1K7A1K3A1K4A7K2A1H3A5H2K2A2FaAgH1K3A1H8A1H3" +
  "A1HnA1HaA1H5A2K1H1K7A1K3A1K4A7K2A7H1A1H2K2A2FaA1H2AdK4A1H8A1H3A1H15K2H1K7A1K3A1K4H1A5H3K1A7H3K2A2FaAaH6A2K2A1H" +
  "iA3HoA1H9A1H1A2H7A3K1A4K6A1K1A1K8A6FaA2K2AdM1cN1M2N7A5M7N8A1FaA13M2A1M1A1M5A1MoA1M1A1MaN1M2N9M1A2M5A1M1A1N6A2F" +
  "aA2M4AwH1AnK2A6FaAbK1A1K1A1K1A4K2H8A1H10A4KkA1K2H5KbA1K10A9K1A1lM17NkM1FaA6M6N4M4N3M1N3M2N7M3N4MdNcM1N1FaN4M2H" +
  "12A1H1A5H1A2H17A1H99A1H4A2H7A1H1A1H4A2H15A1H4A2HxA1H4A2H7A1H1A1H4A2HfA1H1lA1H4A2H1vA2K3AwHgAgH2eA2H6A3Hh8A2HhA" +
  "1HqA5H23A3HbA7HdA1H4K3AbHiK3AbHiK2AcHdA1H3A1K2AcM1gNwA3M1A4M1N1A2FaAxK4A1FaA6H2hA7H5K2HyK1H1A5H1yAaHvA1KcA4KcA" +
  "aFaMuA2M5AbM18A4MqA6FaM1A3M2AwHnK5A4M1hNaA1NtA2K1FaA6FaA6MeA2KfA1tK5H1bKhH7A4FaAhK9AcK3HuKdH2FaH18KeAcH10KkA8F" +
  "aA3H3FaH10A2H9A7H17A2H3AgK3A1KlH4K1H6K1H2K3H1A5H5cK1mA1K5H7qA2H6A2H12A2H6A2H8A1H1A1H1A1H1A1HvA2H1hA1H7A1H1A3H3" +
  "A1H7A3H4A2H6A4HdA5H3A1H7AfK1O1K2A8E2AaE1A2G1A2K5I1AcJ1A2I2A3D1A4J1AaI1AbK5A1KaA1H1AdH1AgHdA1fKxAhH1A4H1A2HaA1H" +
  "1A3H5A4J1A1H1A1H1A1H1A1H4A1HaP1A2H4A5H5A4H1AhH15AbJ6AfJ2Aa7J2AcJ1A2nJ1A1yJ1ApJbA4J3A57HcP1H13A5cJ2AaJ1A9J1A1mJ" +
  "4A1J6A1JcA1J9Q1J2wAaJ2xQ1JcA2J2Q4J5A1J1A1J1A6J1A3J1A6J1AaJ2AfJ1A2J1A4J1A1J1A4J3A1J1AbJ5A19J3A9J1AeJ1AeJ1AacJ2A" +
  "cvJ3AjJ2A1fJ1A4J1A4qH1bA1H1bA1H3pA6H4K3H2AcH12A1H1A5H1A2H1kA7H1AfK1HnA9H7A1H7A1H7A1H7A1H7A1H7A1H7A1H7A1KwA1bH1" +
  "A28RqA1R2hAcR5yA1bS1A1R1ApR9K6J1T5A2R3S1H1J1A3U2eA2K2T2U3T2jA1T4A5H17A1H2mAhHrA1hTgA47J1A1J1A1iT1bA1T2gA4oR52u" +
  "A22Rg6oAgHwdA1vH1aA2H7hA3HgFaH2AkH1bK4A1KaA1HvK2H28K2A11H4pA2H5A1cHbK1H3K1H4K1HnK5AoH1gAcK2H1eKiAaFaA6KiH6A3H1" +
  "A1H2K1FaHsK8A2HnKdAcHtA3K4H1bKeAeH1FaA6M5N1MaFaM5A1H15KeA9H3K1H8K2A2FaA6MrN3M1eN1M1N3M2N2M5N2M1N1M1AoM5HbK5A2H" +
  "3K2AaH6A2H6A2H6A9H7A1H7A1H1kA8H37K8A1K2A2FaA6H8mcAcHnA4H1dA6isRa6A2R2yA12H7AcH5A5L1K1LaA1LdA1L5A1L1A1L2A1L2A1L" +
  "aH2qAxHa3AiH1sA2H1iA14HcA4KgD1A2G1D1AbKgA3I2AoI3D1A1E1A1D1G1AqH5A1H3rA2K1A7E1A4D1A1E1A1FaG1D1A5HqA4I1A1HqAbT1k" +
  "K2HvA3H6A2H6A2H6A2H3AsK3A4HcA1HqA1HjA1H2A1HfA2HeAyH3fA1xH1hA3sK1A3mHtA3H1dAfK1AvHwAdHuA5H12K5A5HuA2H10A4H8A1H5" +
  "A16H4eA2FaA6H10A4H10A4H14A8H1gA4cH8nA9HmAaH8A48H6A2H1A1H18A1H2A3H1A2HnAaHnA9HvA1tHjA1H2AaHmAaHqA1yH1kA6H2A1sH1" +
  "K3A1K2A5K4H4A1H3A1HtA2K3A4K1AwHtA3HtAzH8A1HsK2ApH1iAaHmAaHjAdHiA32H21A1jH1fAdH1fAdH10K4A8FaAcmHtAaH1A8HmKbA3zH" +
  "nA9K3H1hKfAvFaAfK4H19KbA2K1AfK1A2HpA7FaA6K3H10KeA1FaA4H1K2A9HzK1A2H1A9K3H1cKeH4A4K4A3FaH1A1H1AzHiA1HpKcA6K1A1t" +
  "H7A1H1A1H4A1HfA1HaA7H1bKcA5FaA6K4A1H8A2H2A2HmA1H7A1H2A1H5A1K2H1K7A2K2A2K3A2H1A6K1A5H5K2A2K7A3K5A3vH1hKiH4A5FaA" +
  "4K1H1AwH1cKkH2A1H1A8FaA4mH1bK7A2K9AnH4K2AyH1cKhA3H1AbFaA12H17KdH1A7FaA1iMrA2NfA4FaM2A3M1A5cH18KfA2tH1sFaAlH1A4" +
  "gH8A2H13K7A2K7H1A1H1K1ArH1KaH14K7H1K4A8K1A8H1KbH1aKgA3H1AyH1lA7bH9A1H11K8A1K8H1AfFaAoHuA2KmA1KeA21H7A1H2A1H12K" +
  "6A3K1A1K2A1K7H1K1A8FaA6H6A1H2A1HwK5A1K2A1K5H1A7FaA8mHjK4A7dHpmA2uH33AhH5gA24cHtrA1K9A347Hg7A6ntHftA7HvA1FaA2uH" +
  "uA2K5AbH1cK7A9H4AcFaA9HlA5HjAj4H1sA3kH23A4K1H1K1jA7K4HdA1sH2A1H1AcnwT1U7yA1dU3AhT4A23cH2zA5HdA3H9A7HaA3K2A1K4A" +
  "43lK5A3KmA2K7AuK4A44K3AcbH2dA1H1zA1H2A2H1A2H2A2H4A1HcA1H1A1H7A1H1tA1H4A2H8A1H7A1HsA1H4A1H5A1H1A3H7A1H9gA2HpA1H" +
  "pA1HvA1HpA1HvA1HpA1HvA1HpA1HvA1HpA1H8A2F1eAe8K1jA4K1eA8K1AeK1AmK5A1KfA11sK7A1KhA2K7A1K2A1K5A5xH19A3K7H7A2FaA4H" +
  "1Aa9H18K4FaAzqH5hAbK7A15H1wK7H1A4FaAx2H4A1HrA1H2A1H1A2H1A1HaA1H4A1H1A1H1A6H1A4H1A1H1A1H1A1H3A1H2A1H1A2H1A1H1A1" +
  "H1A1H1A1H1A1H2A1H1A2H4A1H7A1H4A1H4A1H1A1HaA1HhA5H3A1H5A1HhA90J74AdJ3AvJ1HqA6HqA2J4P2HcP2HaA4J1A2JaAiJ1lVqU1JfA" +
  "aJ1AkJ1A2J9A1J4A9J8sQ1J1oQ3J2Q1J2Q3J1aW5J1uQ2J2QbJlQjJ3Q1J4Q3J1Q3J7Q1J1Q1JoQ1J43A8J1aQ2J4Q1JlQ1J4Q2J4uQ3J3Q5A1" +
  "cJzQ1JgQ3J9Q1JbQ1J1fA38JcA2dJ17AcJ4A1kJ8AaJ6A14J8AuJ2aAcJ3Q1J8Q8J6Q1J9QaJ1A1Q3J7A1J32Q2J1Q2J1Q1JhQ3J1QdJ17kA2R" +
  "wyfA15R379AbR66A2R4g2AeR5rlA2e7Rf2AfherK1AuK2oA3kK6oA";

const BMP_CLASS = new Uint8Array(0x10000);
const ASTRAL_START: number[] = [];
const ASTRAL_CLASS: number[] = [];
{
  const re = /([0-9a-z]+)([A-Z])/g;
  let start = 0;
  let prevStart = 0;
  let prevClass = 0;
  const fill = (from: number, to: number, k: number) => {
    if (from < 0x10000) BMP_CLASS.fill(k, from, Math.min(to, 0x10000));
    if (to > 0x10000) {
      ASTRAL_START.push(Math.max(from, 0x10000));
      ASTRAL_CLASS.push(k);
    }
  };
  for (let m = re.exec(RUNS); m !== null; m = re.exec(RUNS)) {
    start += parseInt(m[1], 36);
    if (start > prevStart) fill(prevStart, start, prevClass);
    prevStart = start;
    prevClass = m[2].charCodeAt(0) - 65;
  }
  fill(prevStart, 0x110000, prevClass);
}

function features(cp: number): number {
  if (cp < 0x10000) return CLASSES[BMP_CLASS[cp]];
  let lo = 0;
  let hi = ASTRAL_START.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ASTRAL_START[mid] <= cp) lo = mid;
    else hi = mid - 1;
  }
  return CLASSES[ASTRAL_CLASS[lo]];
}

/*
 * The token rules as one automaton whose states are bits; a match may end where an accepting state is
 * reached, and the longest one is taken (a JFlex scanner's rule). States:
 *
 * Words (ALPHANUM, NUM, KATAKANA, HANGUL): ENL* G (ENL+ G)* ENL*, where a group G is either katakana
 * joined by ENL*, or a run of units: letters joined by ENL* or a MidLetter, digits joined by ENL* or a
 * MidNum, a Hebrew letter + `'`, or a Hebrew letter + `"` + Hebrew letter. Letters and digits follow one
 * another directly (WB9, WB10); katakana and letters need an ENL between them.
 */
const W_P = 1 << 0; //  ENL+ before any group
const W_T = 1 << 1; //  ENL+ after a group (accepting: a trailing `_` is kept)
const W_K = 1 << 2; //  katakana
const W_A = 1 << 3; //  a letter
const W_AM = 1 << 4; // a letter and a MidLetter
const W_H = 1 << 5; //  a Hebrew letter that may begin a `'` or `"` unit
const W_HD = 1 << 6; // a Hebrew letter and `"`
const W_U = 1 << 7; //  the end of a Hebrew quote unit
const W_N = 1 << 8; //  a digit
const W_NM = 1 << 9; // a digit and a MidNum
/*
 * Emoji: S ((ZWJ S)* | TAG+ TAG_END), or a keycap [0-9#*] X* U+FE0F? U+20E3 X*, or a flag RI X* RI X*,
 * where one emoji S is ZWJ* EC X* U+FE0F? or (ZWJ* EMB X*)? EM X*, with X here not taking U+FE0E/U+FE0F.
 * The first S of a sequence (E_) may be followed by tags; later ones (R_) may not.
 */
const E_Z = 1 << 10; //  ZWJ+ before the first emoji
const E_C = 1 << 11; //  an emoji character
const E_F = 1 << 12; //  and its U+FE0F
const E_B = 1 << 13; //  a modifier base, wanting its modifier
const E_M = 1 << 14; //  a modifier
const R_0 = 1 << 15; //  the ZWJ that joins the next emoji
const R_Z = 1 << 16; //  ZWJ+ after that
const R_C = 1 << 17;
const R_F = 1 << 18;
const R_B = 1 << 19;
const R_M = 1 << 20;
const T_S = 1 << 21; //  tag characters U+E0020..U+E007E
const T_E = 1 << 22; //  the tag terminator U+E007F
const K_1 = 1 << 23; //  keycap base
const K_2 = 1 << 24; //  and U+FE0F
const K_3 = 1 << 25; //  and U+20E3
const F_1 = 1 << 26; //  one regional indicator
const F_2 = 1 << 27; //  two
/** Thai, Lao, Myanmar, Khmer …: one token per run (SOUTHEAST_ASIAN). */
const S_A = 1 << 28;
/** One Han ideograph or one hiragana, with its marks (IDEOGRAPHIC, HIRAGANA). */
const I_1 = 1 << 29;
const START = 1 << 30;

const ACCEPTING = W_T | W_K | W_A | W_U | W_N | E_C | E_F | E_M | R_C | R_F | R_M | T_E | K_3 | F_2 | S_A | I_1;
/** States that stay put on a Format/Extend/ZWJ character (WB4). */
const X_LOOP = W_P | W_T | W_K | W_A | W_AM | W_H | W_HD | W_U | W_N | W_NM | F_1 | F_2 | S_A | I_1;
/** Emoji states that take X other than the presentation selectors U+FE0E/U+FE0F. */
const XS_LOOP = E_C | E_B | E_M | R_C | R_B | R_M | K_1 | K_3;
const EMOJI_END_FIRST = E_C | E_F | E_M;
const EMOJI_END = EMOJI_END_FIRST | R_C | R_F | R_M;
const GROUP_END = W_T | W_K | W_A | W_U | W_N;
/** States a letter may follow; a digit may follow the same but W_AM, and also W_NM. */
const BEFORE_LETTER = START | W_P | W_T | W_A | W_AM | W_U | W_N;
const BEFORE_DIGIT = START | W_P | W_T | W_A | W_U | W_N | W_NM;

function step(s: number, f: number, cp: number): number {
  let n = 0;
  if (f & X) {
    n |= s & X_LOOP;
    if (cp !== 0xfe0e && cp !== 0xfe0f) n |= s & XS_LOOP;
  }
  if (f & ZWJ) {
    if (s & (START | E_Z)) n |= E_Z;
    if (s & (R_0 | R_Z)) n |= R_Z;
    if (s & EMOJI_END) n |= R_0;
  }
  if (f & EC) {
    if (s & (START | E_Z)) n |= E_C;
    if (s & (R_0 | R_Z)) n |= R_C;
  }
  if (f & EMB) {
    if (s & (START | E_Z)) n |= E_B;
    if (s & (R_0 | R_Z)) n |= R_B;
  }
  if (f & EM) {
    if (s & (START | E_B)) n |= E_M;
    if (s & (R_0 | R_B)) n |= R_M;
  }
  if (cp === 0xfe0f) {
    if (s & E_C) n |= E_F;
    if (s & R_C) n |= R_F;
    if (s & K_1) n |= K_2;
  } else if (cp === 0x20e3) {
    if (s & (K_1 | K_2)) n |= K_3;
  } else if (cp >= 0xe0020 && cp <= 0xe007e) {
    if (s & (EMOJI_END_FIRST | T_S)) n |= T_S;
  } else if (cp === 0xe007f) {
    if (s & T_S) n |= T_E;
  }
  if (s & START && (cp === 0x23 || cp === 0x2a || (cp >= 0x30 && cp <= 0x39))) n |= K_1;
  if (f & RI) {
    if (s & START) n |= F_1;
    if (s & F_1) n |= F_2;
  }
  if (f & SA && s & (START | S_A)) n |= S_A;
  if (f & (HAN | HIRA) && s & START) n |= I_1;
  if (f & ENL) {
    if (s & (START | W_P)) n |= W_P;
    if (s & GROUP_END) n |= W_T;
  }
  if (f & K && s & (START | W_P | W_T | W_K)) n |= W_K;
  if (f & AH && s & BEFORE_LETTER) n |= f & HL ? W_A | W_H : W_A;
  if (f & HL && s & W_HD) n |= W_U;
  if (f & N && s & BEFORE_DIGIT) n |= W_N;
  if (f & ML && s & W_A) n |= W_AM;
  if (f & MN && s & W_N) n |= W_NM;
  if (f & SQ && s & W_H) n |= W_U;
  if (f & DQ && s & W_H) n |= W_HD;
  return n;
}

/** The scanner's buffer, in UTF-16 code units: no token is longer (StandardAnalyzer's max_token_length). */
export const MAX_TOKEN_LENGTH = 255;

/**
 * Where the longest token starting at `start` ends, or -1 where no rule matches. The scanner sees at most
 * its buffer's worth of text from the token's start (it refills the buffer from there), less a high
 * surrogate in the buffer's last place, which it keeps back for the next read.
 */
function tokenEnd(text: string, start: number): number {
  let limit = Math.min(text.length, start + MAX_TOKEN_LENGTH);
  if (limit < text.length && (text.charCodeAt(limit - 1) & 0xfc00) === 0xd800) limit--;
  let s = START;
  let end = -1;
  for (let i = start; i < limit; ) {
    const cp = text.codePointAt(i) as number;
    i += cp > 0xffff ? 2 : 1;
    s = step(s, features(cp), cp);
    if (s === 0) break;
    if (s & ACCEPTING) end = i;
  }
  return end;
}

/*
 * ASCII text, the common case for log messages, takes a faster path. There no emoji, Hebrew, katakana or
 * extend rule can apply, and the word rule comes down to: runs of letters, digits and `_`, joined by `:`
 * `.` `'` between two letters or by `,` `;` `.` `'` between two digits. A greedy regular expression finds
 * exactly the scanner's longest matches here: a run is always taken whole, and a joiner is taken only when
 * the character after it lets the match go on. What it cannot know is left to the scanner: a match of
 * `_` alone is no token, and a match longer than the buffer is cut where the scanner cuts it.
 */
const ASCII_TOKEN = /\w+(?:(?:(?<=[a-z])[:.'](?=[a-z])|(?<=\d)[,;.'](?=\d))\w+)*/g;
const UNDERSCORES = /^_+$/;

function analyzeAscii(text: string): string[] {
  const found = text.toLowerCase().match(ASCII_TOKEN);
  if (found === null) return [];
  for (const tok of found) {
    if (tok.length > MAX_TOKEN_LENGTH || (tok.charCodeAt(0) === 0x5f && UNDERSCORES.test(tok))) {
      return found.flatMap((t) => (t.length > MAX_TOKEN_LENGTH ? scan(t) : UNDERSCORES.test(t) ? [] : [t]));
    }
  }
  return found;
}

/** Characters where lower-casing a string in JavaScript differs from Java's Character.toLowerCase. */
const CASE_SPECIAL = /[\u0130\u03a3]/;

/**
 * Java's Character.toLowerCase, code point by code point, as Lucene's LowerCaseFilter applies it: `İ`
 * becomes a plain `i` (JavaScript adds a combining dot) and `Σ` is always `σ` (JavaScript writes the final
 * form `ς` at a word's end). Every other character a token can hold lower-cases alike in both: Java's
 * simple mappings (Unicode 13 in Java 17) and Node's differ only on characters assigned after Unicode 12.1.
 */
export function lowerCase(token: string): string {
  if (!CASE_SPECIAL.test(token)) return token.toLowerCase();
  let out = "";
  for (const ch of token) out += ch === "\u0130" ? "i" : ch === "\u03a3" ? "\u03c3" : ch.toLowerCase();
  return out;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The tokens Elasticsearch's `standard` analyzer makes of `text`, in position order (each one position
 * after the last, including the pieces of a word longer than MAX_TOKEN_LENGTH).
 *
 * @example analyze("Wrote /tmp/A.exe: 1,000.5 bytes") // ["wrote", "tmp", "a.exe", "1,000.5", "bytes"]
 */
export function analyze(text: string): string[] {
  return NON_ASCII.test(text) ? scan(text) : analyzeAscii(text);
}

/** The scanner itself, for any text; analyze() takes it unless the text is ASCII. Exported for tests. */
export function scan(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const end = tokenEnd(text, i);
    if (end < 0) i += (text.codePointAt(i) as number) > 0xffff ? 2 : 1;
    else {
      out.push(lowerCase(text.slice(i, end)));
      i = end;
    }
  }
  return out;
}
