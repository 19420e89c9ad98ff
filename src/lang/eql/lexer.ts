// The EQL tokenizer (docs/eql.md §1), following the lexer rules of Elasticsearch's EqlBase grammar:
// lower-case keywords (`in~`, `like~`, `regex~` are keywords too), identifiers `[A-Za-z_@][A-Za-z0-9_]*`,
// backquoted identifiers (a doubled backtick is a literal one), `name~` function names, double-quoted
// strings with escapes, `"""raw"""` strings, integer and decimal numbers, `//` and nestable `/* */`
// comments. Single-quoted and `?"…"` strings (the Python dialect) are recognised only to be rejected.

import { EqlSyntaxError } from "./syntax-error.js";

export type TokenKind =
  | "ident" // IDENTIFIER
  | "qident" // `quoted`
  | "tident" // name~ (a case-insensitive function name)
  | "keyword"
  | "string"
  | "integer"
  | "decimal"
  | "punct"
  | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** keyword/punct: the text; ident/qident/tident: the name (unquoted, without `~`); string: the value. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  "and", "any", "by", "false", "in", "join", "like", "maxspan", "not", "null", "of", "or", "regex", "sample", "sequence", "true", "until", "where", "with",
]);
/** Keywords that take a `~` suffix as part of the token. */
const TILDE_KEYWORDS: ReadonlySet<string> = new Set(["in", "like", "regex"]);

const PUNCT = ["![", "==", "!=", "<=", ">=", "<", ">", "=", ":", "+", "-", "*", "/", "%", ".", ",", "[", "]", "(", ")", "|", "?"] as const;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isIdentStart = (c: number) => isLetter(c) || c === 95 || c === 64;
const isIdentPart = (c: number) => isLetter(c) || isDigit(c) || c === 95;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", '"': '"', "'": "'", "\\": "\\" };

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const fail = (offset: number, message: string, length = 1): never => {
    throw new EqlSyntaxError({ query: text, offset, length, message });
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace: the grammar's [ \r\n\t]
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const start = i;
      let depth = 0;
      while (i < n) {
        if (text.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (text.startsWith("*/", i)) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      if (depth !== 0) fail(start, "Unterminated comment: \"/*\" has no closing \"*/\".", 2);
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      if (text.charCodeAt(i) === 126 /* ~ */) {
        i++;
        if (TILDE_KEYWORDS.has(word)) out.push({ kind: "keyword", text: word + "~", start, end: i });
        else out.push({ kind: "tident", text: word, start, end: i });
        continue;
      }
      out.push({ kind: KEYWORDS.has(word) ? "keyword" : "ident", text: word, start, end: i });
      continue;
    }
    if (c === 96 /* ` */) {
      i++;
      let name = "";
      for (;;) {
        if (i >= n) fail(start, "Unterminated quoted identifier: missing the closing backquote.");
        if (text.charCodeAt(i) === 96) {
          if (text.charCodeAt(i + 1) === 96) {
            name += "`";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += text[i];
        i++;
      }
      out.push({ kind: "qident", text: name, start, end: i });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let decimal = false;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 && (i > start || isDigit(text.charCodeAt(i + 1)))) {
        decimal = true;
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 69 || e === 101) {
        let j = i + 1;
        if (text[j] === "+" || text[j] === "-") j++;
        if (isDigit(text.charCodeAt(j))) {
          decimal = true;
          i = j;
          while (i < n && isDigit(text.charCodeAt(i))) i++;
        }
      }
      out.push({ kind: decimal ? "decimal" : "integer", text: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === 34 /* " */) {
      if (text.startsWith('"""', i)) {
        const close = text.indexOf('"""', i + 3);
        const nl = text.slice(i + 3, close < 0 ? n : close).search(/[\r\n]/);
        if (close < 0 || nl >= 0) fail(start, 'Unterminated raw string: """ needs a closing """ on the same line.', 3);
        // The grammar lets up to two more quotes follow (`"""a""""` is the text a").
        let end = close + 3;
        let extra = 0;
        while (extra < 2 && text.charCodeAt(end) === 34) {
          end++;
          extra++;
        }
        out.push({ kind: "string", text: text.slice(i + 3, end - 3), start, end });
        i = end;
        continue;
      }
      i++;
      let value = "";
      for (;;) {
        if (i >= n || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13) fail(start, "Unterminated string: missing the closing double quote.");
        const ch = text[i];
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === "\\") {
          const nx = text[i + 1];
          if (nx === "u" && text[i + 2] === "{") {
            let j = i + 3;
            while (j < n && isHex(text.charCodeAt(j))) j++;
            const hex = text.slice(i + 3, j);
            if (text[j] !== "}" || hex.length < 2 || hex.length > 8) fail(i, "Invalid unicode escape: write \\u{XXXX} with 2 to 8 hex digits.", j - i + 1);
            const cp = parseInt(hex, 16);
            if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(i, `Invalid unicode character code point [${hex}].`, j - i + 1);
            value += String.fromCodePoint(cp);
            i = j + 1;
            continue;
          }
          if (nx !== undefined && Object.prototype.hasOwnProperty.call(ESCAPES, nx)) {
            value += ESCAPES[nx];
            i += 2;
            continue;
          }
          fail(i, `Invalid escape sequence "\\${nx ?? ""}" in a string; use \\\\ for a backslash or a """raw""" string.`, 2);
        }
        value += ch;
        i++;
      }
      out.push({ kind: "string", text: value, start, end: i });
      continue;
    }
    if (c === 39 /* ' */) fail(i, "Use double quotes [\"] to define string literals, not single quotes [']");
    if (c === 63 /* ? */ && (text[i + 1] === '"' || text[i + 1] === "'")) {
      fail(i, 'Use triple double quotes ["""] to define unescaped string literals, not [?]', 2);
    }
    const p = PUNCT.find((x) => text.startsWith(x, i));
    if (p === undefined) fail(i, `Unexpected character "${String.fromCodePoint(text.codePointAt(i) ?? c)}".`);
    else {
      i += p.length;
      out.push({ kind: "punct", text: p, start, end: i });
    }
  }
  out.push({ kind: "eof", text: "", start: n, end: n });
  return out;
}
