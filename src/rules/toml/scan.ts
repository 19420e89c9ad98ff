// Lexical helpers for TOML text that smol-toml does not expose: where keys, strings and bare values start
// and end (TOML v1.0 lexical rules). Used by locate.ts (positions for diagnostics, issue 2 "each problem
// points at its place") and oneline.ts (rebuilding a file whose newlines were lost). No parsing of values.

export type StringKind = "basic" | "literal" | "ml-basic" | "ml-literal";

export interface ScannedString {
  readonly kind: StringKind;
  /** Offset just past the closing delimiter. */
  readonly end: number;
  /** First content character (after the delimiter, and after the newline TOML trims for ''' / """). */
  readonly contentStart: number;
  /** Offset of the closing delimiter. */
  readonly contentEnd: number;
  /** True when the value text is not a verbatim copy of the file text (escapes, line-ending backslash). */
  readonly hasEscapes: boolean;
}

/** A lexical problem; `offset` is where it was noticed. */
export class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "ScanError";
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function isBareKeyChar(c: string | undefined): boolean {
  return c !== undefined && BARE_KEY.test(c);
}

/** Skips spaces and tabs only. */
export function skipBlanks(text: string, pos: number): number {
  let p = pos;
  while (p < text.length && (text[p] === " " || text[p] === "\t")) p++;
  return p;
}

/** Skips whitespace, newlines and comments. */
export function skipTrivia(text: string, pos: number): number {
  let p = pos;
  for (;;) {
    while (p < text.length && /\s/.test(text[p])) p++;
    if (text[p] !== "#") return p;
    while (p < text.length && text[p] !== "\n") p++;
  }
}

/** Scans a string of any of TOML's four kinds starting at `pos` (which holds the opening quote). */
export function scanString(text: string, pos: number): ScannedString {
  const q = text[pos];
  if (q !== '"' && q !== "'") throw new ScanError("expected a string", pos);
  const triple = text.startsWith(q.repeat(3), pos);
  if (triple) {
    let contentStart = pos + 3;
    if (text.startsWith("\r\n", contentStart)) contentStart += 2;
    else if (text[contentStart] === "\n") contentStart += 1;
    let p = pos + 3;
    let hasEscapes = false;
    while (p < text.length) {
      const c = text[p];
      if (q === '"' && c === "\\") {
        hasEscapes = true;
        p += 2;
        continue;
      }
      if (text.startsWith(q.repeat(3), p)) {
        // Up to two quotes may sit right before the closing delimiter and belong to the content.
        let close = p;
        while (text[close + 3] === q && close - p < 2) close++;
        return { kind: q === '"' ? "ml-basic" : "ml-literal", end: close + 3, contentStart, contentEnd: close, hasEscapes };
      }
      p++;
    }
    throw new ScanError(`unterminated multi-line string (opened with ${q.repeat(3)})`, pos);
  }
  let p = pos + 1;
  let hasEscapes = false;
  while (p < text.length && text[p] !== "\n") {
    const c = text[p];
    if (q === '"' && c === "\\") {
      hasEscapes = true;
      p += 2;
      continue;
    }
    if (c === q) return { kind: q === '"' ? "basic" : "literal", end: p + 1, contentStart: pos + 1, contentEnd: p, hasEscapes };
    p++;
  }
  throw new ScanError("unterminated string", pos);
}

/** Decodes a quoted key (basic or literal, single-line). */
function keyText(text: string, s: ScannedString): string {
  const raw = text.slice(s.contentStart, s.contentEnd);
  if (!s.hasEscapes) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

export interface ScannedKey {
  readonly segments: readonly string[];
  readonly start: number;
  readonly end: number;
}

/** Scans a dotted key (`a.b."c.d"`) at `pos`; stops before the blanks that follow it. */
export function scanKey(text: string, pos: number): ScannedKey {
  const segments: string[] = [];
  let p = pos;
  for (;;) {
    p = skipBlanks(text, p);
    const c = text[p];
    if (c === '"' || c === "'") {
      const s = scanString(text, p);
      if (s.kind === "ml-basic" || s.kind === "ml-literal") throw new ScanError("a key cannot be a multi-line string", p);
      segments.push(keyText(text, s));
      p = s.end;
    } else if (isBareKeyChar(c)) {
      const start = p;
      while (isBareKeyChar(text[p])) p++;
      segments.push(text.slice(start, p));
    } else {
      throw new ScanError(c === undefined ? "expected a key but found end of file" : `expected a key but found "${c}"`, p);
    }
    const after = skipBlanks(text, p);
    if (text[after] !== ".") return { segments, start: pos, end: p };
    p = after + 1;
  }
}
