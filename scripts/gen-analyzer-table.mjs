// Prints the character tables of src/compile/predicate/analyzer.ts (CLASSES, then the RUNS string) and,
// on stderr, the lowercase exceptions. Not part of the build: the Unicode data packages it reads are
// installed only to regenerate the table:
//   npm install --no-save unicode-12.1.0@0.8.0 @unicode/unicode-13.0.0@2.0.7
//   node scripts/gen-analyzer-table.mjs
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const u12 = (p) => require(`unicode-12.1.0/${p}/code-points.js`);
const F = { AH: 1, HL: 2, N: 4, K: 8, ENL: 16, ML: 32, MN: 64, SQ: 128, DQ: 256, X: 512, ZWJ: 1024, RI: 2048, HAN: 4096, HIRA: 8192, SA: 16384, EC: 32768, EMB: 65536, EM: 131072 };
const mask = new Uint32Array(0x110000);
const add = (cps, f) => { for (const c of cps) mask[c] |= f; };
add(u12("Word_Break/ALetter"), F.AH);
add(u12("Word_Break/Hebrew_Letter"), F.AH | F.HL);
add(u12("Word_Break/Numeric"), F.N);
add(u12("Word_Break/Katakana"), F.K);
add(u12("Word_Break/ExtendNumLet"), F.ENL);
add(u12("Word_Break/MidLetter"), F.ML);
add(u12("Word_Break/MidNum"), F.MN);
add(u12("Word_Break/MidNumLet"), F.ML | F.MN);
add(u12("Word_Break/Single_Quote"), F.ML | F.MN | F.SQ);
add(u12("Word_Break/Double_Quote"), F.DQ);
add(u12("Word_Break/Format"), F.X);
add(u12("Word_Break/Extend"), F.X);
add(u12("Word_Break/ZWJ"), F.X | F.ZWJ);
add(u12("Word_Break/Regional_Indicator"), F.RI);
add(u12("Script/Han"), F.HAN);
add(u12("Script/Hiragana"), F.HIRA);
add(u12("Line_Break/Complex_Context"), F.SA);
const emoji = new Set(u12("Binary_Property/Emoji"));
const em = new Set(u12("Binary_Property/Emoji_Modifier"));
const ri = new Set(u12("Word_Break/Regional_Indicator"));
const rkam = (c) => ri.has(c) || /[0-9#*]/.test(String.fromCodePoint(c)) || [0xa9, 0xae, 0x2122, 0x3030, 0x303d].includes(c) || em.has(c);
add(u12("Binary_Property/Extended_Pictographic"), F.EC);
add([...emoji].filter((c) => !rkam(c)), F.EC);
add(u12("Binary_Property/Emoji_Modifier_Base"), F.EMB);
add(em, F.EM);
const classes = [0];
const classOf = new Map([[0, 0]]);
const runs = [];
let prev = -1;
for (let c = 0; c < 0x110000; c++) {
  let k = classOf.get(mask[c]);
  if (k === undefined) { k = classes.length; classes.push(mask[c]); classOf.set(mask[c], k); }
  if (k !== prev) { runs.push([c, k]); prev = k; }
}
console.error("classes", classes.length, "runs", runs.length);
// lowercase exceptions: Java 17 (UCD 13 simple lowercase) vs JS per-code-point toLowerCase
const lower13 = (await import("@unicode/unicode-13.0.0/Simple_Case_Mapping/Lowercase/code-points.mjs")).default;
const exc = [];
for (let c = 0; c < 0x110000; c++) {
  if (c >= 0xd800 && c <= 0xdfff) continue;
  if (mask[c] === 0) continue;
  const java = lower13.get(c) ?? c;
  const js = String.fromCodePoint(c).toLowerCase();
  if (js !== String.fromCodePoint(java)) exc.push([c, java, js]);
}
console.error("lower exceptions", exc.length, exc.slice(0, 30).map(([c, j, s]) => `${c.toString(16)}->${j.toString(16)} js:${[...s].map(x=>x.codePointAt(0).toString(16)).join("+")}`).join(" "));
// runs: [start, classIndex]; encode as base-36 delta + class letter (A.. for 0..)
let s = ""; prev = 0;
for (const [start, k] of runs) { s += (start - prev).toString(36) + String.fromCharCode(65 + k); prev = start; }
const names = Object.keys(F);
const cls = classes.map((m) => names.filter((n) => m & F[n]).join(" | ") || "0");
console.log(cls.map((c, i) => `  /* ${String.fromCharCode(65 + i)} */ ${c},`).join("\n"));
// wrap the string at 110 chars
const lines = []; for (let i = 0; i < s.length; i += 110) lines.push(s.slice(i, i + 110));
console.log(lines.map((l) => `  "${l}" +`).join("\n"));
