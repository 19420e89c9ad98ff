// A field's value tested in the raw line, before any parse: for tests whose matching values share no text a
// needle could look for (the Lucene regex `/[a-z0-9\s_\-\\./]+\s`, a pattern like `"a*"`), the values
// themselves are read where the line holds them. Sound by construction, never exact:
//  - a field that exists has a key whose text ends with its last name segment, nested (`"executable":`)
//    or dotted (`"process.executable":`): every such key is looked at, whichever object holds it;
//  - a line with a backslash passes (an escape could spell a key, or hide a quote inside a value);
//  - a key whose value is not a plain string (array, number, object, null) passes the line;
//  - without a backslash, a string value is the bytes between its quotes, read as UTF-8 like the parser.
// So a line is rejected only when it holds no such key or every one holds a string that fails the test —
// where the field (one of those keys, or absent) cannot pass it either.

import { isBlankByte } from "./gate.js";

const QUOTE = 0x22;
const DOT = 0x2e;
const COLON = 0x3a;

/** What field-value tests read of the current line: its bytes or text, and whether it holds a backslash. */
export interface FieldLine {
  readonly buf: Buffer | undefined;
  readonly str: string;
  hasBackslash(): boolean;
}

/** The key text a field's values sit after: its last name segment and the key's closing quote. */
export function fieldKey(field: string): string {
  return `${field.slice(field.lastIndexOf(".") + 1)}"`;
}

/** May the line hold a value of the field whose key ends with `key` (see fieldKey) that passes `test`? */
export function mayHoldValue(line: FieldLine, key: string, keyBytes: Buffer, test: (value: string) => boolean): boolean {
  if (line.hasBackslash()) return true;
  return line.buf !== undefined ? inBytes(line.buf, keyBytes, test) : inText(line.str, key, test);
}

function inBytes(buf: Buffer, key: Buffer, test: (value: string) => boolean): boolean {
  const n = buf.length;
  for (let p = buf.indexOf(key); p >= 0; p = buf.indexOf(key, p + 1)) {
    const before = p > 0 ? buf[p - 1] : -1;
    if (before !== QUOTE && before !== DOT) continue;
    let i = p + key.length;
    while (i < n && isBlankByte(buf[i])) i++;
    // not followed by a colon: the text ends a value, not a key
    if (i >= n || buf[i] !== COLON) continue;
    i++;
    while (i < n && isBlankByte(buf[i])) i++;
    if (i >= n || buf[i] !== QUOTE) return true;
    const end = buf.indexOf(QUOTE, i + 1);
    if (end < 0 || test(buf.toString("utf8", i + 1, end))) return true;
  }
  return false;
}

function inText(s: string, key: string, test: (value: string) => boolean): boolean {
  const n = s.length;
  for (let p = s.indexOf(key); p >= 0; p = s.indexOf(key, p + 1)) {
    const before = p > 0 ? s.charCodeAt(p - 1) : -1;
    if (before !== QUOTE && before !== DOT) continue;
    let i = p + key.length;
    while (i < n && isBlankByte(s.charCodeAt(i))) i++;
    if (i >= n || s.charCodeAt(i) !== COLON) continue;
    i++;
    while (i < n && isBlankByte(s.charCodeAt(i))) i++;
    if (i >= n || s.charCodeAt(i) !== QUOTE) return true;
    const end = s.indexOf('"', i + 1);
    if (end < 0 || test(s.slice(i + 1, end))) return true;
  }
  return false;
}
