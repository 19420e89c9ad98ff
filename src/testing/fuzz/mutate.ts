// Mutation operators for the fuzz campaign (docs/fuzzing.md). A mutation is plain data; fast-check draws
// lists of them, so a run is seeded and replayable and a failing list shrinks to fewer, simpler edits.
// They work on code units: bytes for files (event logs, rule files), UTF-16 code units for query text,
// so a bit flip in a query can make a lone surrogate and one in a log an invalid UTF-8 sequence.
// Positions are taken modulo the input's length, so any mutation applies to any input. No I/O here.
import fc from "fast-check";

/** One edit; `at` is a position modulo the length of the units at the time it applies. */
export type Mutation =
  | { readonly op: "flip"; readonly at: number; readonly bit: number }
  | { readonly op: "insert"; readonly at: number; readonly units: readonly number[] }
  | { readonly op: "delete"; readonly at: number; readonly length: number }
  | { readonly op: "duplicate"; readonly at: number; readonly length: number }
  | { readonly op: "truncate"; readonly at: number }
  | { readonly op: "swap-lines"; readonly a: number; readonly b: number }
  | { readonly op: "duplicate-line"; readonly a: number }
  /** The format's interesting token `times` times in a row (deep nesting, `*` runs, huge strings). */
  | { readonly op: "splice"; readonly at: number; readonly token: string; readonly times: number };

export type Unit = "byte" | "utf16";

const LF = 10;
/** A splice adds at most this many units: past it inputs cost time without reaching new code. */
export const MAX_SPLICE_UNITS = 64 * 1024;

/** The units of a text: UTF-8 bytes or UTF-16 code units. */
export function toUnits(text: string, unit: Unit): number[] {
  if (unit === "byte") return Array.from(Buffer.from(text, "utf8"));
  const out = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Units back to bytes (byte units) or a string (UTF-16 units, lone surrogates kept). */
export function unitsToBuffer(units: readonly number[]): Buffer {
  return Buffer.from(units);
}

export function unitsToString(units: readonly number[]): string {
  let s = "";
  for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode(...units.slice(i, i + 8192));
  return s;
}

function lines(units: readonly number[]): number[][] {
  const out: number[][] = [[]];
  for (const u of units) {
    if (u === LF) out.push([]);
    else out[out.length - 1].push(u);
  }
  return out;
}

function joinLines(ls: readonly number[][]): number[] {
  const out: number[] = [];
  ls.forEach((l, i) => {
    if (i > 0) out.push(LF);
    for (const u of l) out.push(u);
  });
  return out;
}

/** Applies one mutation to `units` (a new array; the input is not changed). */
export function applyMutation(units: readonly number[], m: Mutation, unit: Unit): number[] {
  const n = units.length;
  const pos = (at: number, span = n + 1) => (span <= 0 ? 0 : at % span);
  switch (m.op) {
    case "flip": {
      if (n === 0) return [];
      const i = pos(m.at, n);
      const out = units.slice();
      out[i] = units[i] ^ (1 << (m.bit % (unit === "byte" ? 8 : 16)));
      return out;
    }
    case "insert": {
      const i = pos(m.at);
      const mask = unit === "byte" ? 0xff : 0xffff;
      return [...units.slice(0, i), ...m.units.map((u) => u & mask), ...units.slice(i)];
    }
    case "delete": {
      const i = pos(m.at, n);
      return [...units.slice(0, i), ...units.slice(i + m.length)];
    }
    case "duplicate": {
      const i = pos(m.at, n);
      return [...units.slice(0, i + m.length), ...units.slice(i, i + m.length), ...units.slice(i + m.length)];
    }
    case "truncate":
      return units.slice(0, pos(m.at));
    case "swap-lines": {
      const ls = lines(units);
      const a = pos(m.a, ls.length);
      const b = pos(m.b, ls.length);
      [ls[a], ls[b]] = [ls[b], ls[a]];
      return joinLines(ls);
    }
    case "duplicate-line": {
      const ls = lines(units);
      const a = pos(m.a, ls.length);
      ls.splice(a, 0, ls[a]);
      return joinLines(ls);
    }
    case "splice": {
      const i = pos(m.at);
      const tok = toUnits(m.token, unit);
      const rep: number[] = [];
      const times = Math.min(m.times, Math.max(1, Math.floor(MAX_SPLICE_UNITS / Math.max(1, tok.length))));
      for (let k = 0; k < times; k++) for (const u of tok) rep.push(u);
      return [...units.slice(0, i), ...rep, ...units.slice(i)];
    }
  }
}

export function applyMutations(units: readonly number[], ms: readonly Mutation[], unit: Unit): number[] {
  let out = units.slice();
  for (const m of ms) out = applyMutation(out, m, unit);
  return out;
}

/** Mostly 1, sometimes a run long enough for depth guards and line limits (up to 100,000). */
const timesArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.integer({ min: 2, max: 64 }) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 100_000 }) },
);

/** One mutation: byte/unit edits, line edits, and splices of the format's `tokens`. */
export function mutationArb(tokens: readonly string[], unit: Unit): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: 1 << 20 });
  const len = fc.integer({ min: 1, max: 64 });
  const maxUnit = unit === "byte" ? 0xff : 0xffff;
  const arbs: { weight: number; arbitrary: fc.Arbitrary<Mutation> }[] = [
    { weight: 4, arbitrary: fc.record({ op: fc.constant("flip" as const), at, bit: fc.nat({ max: 15 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("insert" as const), at, units: fc.array(fc.integer({ min: 0, max: maxUnit }), { minLength: 1, maxLength: 8 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), at, length: len }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("duplicate" as const), at, length: len }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("swap-lines" as const), a: fc.nat({ max: 4096 }), b: fc.nat({ max: 4096 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("duplicate-line" as const), a: fc.nat({ max: 4096 }) }) },
  ];
  if (tokens.length > 0) {
    arbs.push({ weight: 6, arbitrary: fc.record({ op: fc.constant("splice" as const), at, token: fc.constantFrom(...tokens), times: timesArb }) });
  }
  return fc.oneof(...arbs);
}

/** A list of 1–`max` mutations. */
export function mutationsArb(tokens: readonly string[], unit: Unit, max = 6): fc.Arbitrary<Mutation[]> {
  return fc.array(mutationArb(tokens, unit), { minLength: 1, maxLength: max });
}
