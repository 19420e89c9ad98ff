// The byte-level KQL prefilter (issue 3): given a raw NDJSON line, answer false only when no event the line
// can encode matches the query. Required literals (requirements.ts) are searched with native indexOf on
// the raw bytes or string; only when a needle is missing and the line holds a backslash is the line's
// JSON escaping (\/, \uXXXX, \", …) decoded once and searched again, so clean lines never pay for it.

import { parseKql, type KqlNode } from "../../lang/kql/index.js";
import { assertNever, type KqlEvalOptions } from "../predicate/ir.js";
import { requirementsOf, type Req } from "./requirements.js";

export type KqlPrefilter = (line: string | Uint8Array) => boolean;

const BACKSLASH = 0x5c;
const UNICODE_ESCAPE = Buffer.from("\\u", "latin1");
/** Characters a JSON escape other than \uXXXX can produce. */
const SHORT_ESCAPE_PRODUCT = /["\\/\b\f\n\r\t]/;
const SIMPLE: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function hexValue(s: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 4; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Decodes every JSON string escape in the whole line, so each string value appears verbatim in the result.
 * Slices between backslashes are copied whole; an invalid escape is kept as typed (such a line is not JSON).
 */
export function decodeJsonEscapes(line: string): string {
  let at = line.indexOf("\\");
  if (at < 0) return line;
  let out = "";
  let last = 0;
  while (at >= 0 && at + 1 < line.length) {
    out += line.slice(last, at);
    const ch = line[at + 1];
    const simple = ch === "u" ? undefined : SIMPLE[ch];
    if (simple !== undefined) {
      out += simple;
      last = at + 2;
    } else {
      const v = ch === "u" ? hexValue(line, at + 2) : -1;
      if (v >= 0) {
        out += String.fromCharCode(v);
        last = at + 6;
      } else {
        out += "\\";
        last = at + 1;
      }
    }
    at = line.indexOf("\\", last);
  }
  return out + line.slice(last);
}

/** Per-line search state, reset on every call; the needles close over it so nothing is allocated per line. */
class LineState {
  str = "";
  buf: Buffer | undefined = undefined;
  /** undefined = not computed yet; null = the line has no backslash, so it is its own decoding. */
  decoded: string | null | undefined = undefined;
  /** Does the line hold a `\u` escape? undefined = not computed yet. */
  unicodeEscape: boolean | undefined = undefined;

  reset(line: string | Uint8Array): void {
    if (typeof line === "string") {
      this.str = line;
      this.buf = undefined;
    } else {
      this.buf = Buffer.isBuffer(line) ? line : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
      this.str = "";
    }
    this.decoded = undefined;
    this.unicodeEscape = undefined;
  }

  hasUnicodeEscape(): boolean {
    if (this.unicodeEscape === undefined) {
      this.unicodeEscape = this.buf !== undefined ? this.buf.indexOf(UNICODE_ESCAPE) >= 0 : this.str.indexOf("\\u") >= 0;
    }
    return this.unicodeEscape;
  }

  decodedText(): string | null {
    if (this.decoded !== undefined) return this.decoded;
    const raw = this.buf;
    if (raw !== undefined) {
      this.decoded = raw.indexOf(BACKSLASH) < 0 ? null : decodeJsonEscapes(raw.toString("utf8"));
    } else {
      this.decoded = this.str.indexOf("\\") < 0 ? null : decodeJsonEscapes(this.str);
    }
    return this.decoded;
  }
}

type Test = () => boolean;

function compileReq(req: Req, st: LineState): Test {
  switch (req.k) {
    case "true":
      return () => true;
    case "lit": {
      const s = req.s;
      const bytes = Buffer.from(s, "utf8");
      // A needle with none of the characters that short escapes (\" \\ \/ \n …) stand for can only be
      // hidden from a raw search by \uXXXX escapes: without one in the line, the raw answer is final.
      const rawIsFinalWithoutU = !SHORT_ESCAPE_PRODUCT.test(s);
      return () => {
        const found = st.buf !== undefined ? st.buf.indexOf(bytes) >= 0 : st.str.indexOf(s) >= 0;
        if (found) return true;
        if (rawIsFinalWithoutU && !st.hasUnicodeEscape()) return false;
        const d = st.decodedText();
        return d !== null && d.indexOf(s) >= 0;
      };
    }
    case "and": {
      // Longest literals first: they are the rarest and the cheapest way to reject a line.
      const cs = [...req.c].sort((a, b) => weight(b) - weight(a)).map((c) => compileReq(c, st));
      return () => {
        for (let i = 0; i < cs.length; i++) if (!cs[i]()) return false;
        return true;
      };
    }
    case "or": {
      const cs = req.c.map((c) => compileReq(c, st));
      return () => {
        for (let i = 0; i < cs.length; i++) if (cs[i]()) return true;
        return false;
      };
    }
    default:
      return assertNever(req);
  }
}

function weight(r: Req): number {
  switch (r.k) {
    case "lit":
      return r.s.length + 100;
    case "or":
      return Math.min(...r.c.map(weight)) - 10 * r.c.length;
    case "and":
      return Math.max(...r.c.map(weight));
    case "true":
      return -1000;
    default:
      return assertNever(r);
  }
}

/**
 * A conservative prefilter for a KQL query over raw NDJSON lines: false means no event the line can
 * encode matches `compileKql(astOrText, opts)` with the same options; true means "parse and evaluate it".
 * Lines that are not valid JSON may go either way.
 */
export function kqlPrefilter(astOrText: KqlNode | string, opts: KqlEvalOptions = {}): KqlPrefilter {
  const ast = typeof astOrText === "string" ? parseKql(astOrText) : astOrText;
  const req = requirementsOf(ast, opts);
  if (req.k === "true") return () => true;
  const st = new LineState();
  const test = compileReq(req, st);
  return (line) => {
    st.reset(line);
    const r = test();
    st.reset("");
    return r;
  };
}

/** The required-literal formula as text, for debugging and `--explain` style output. */
export function describeRequirements(req: Req): string {
  switch (req.k) {
    case "true":
      return "true";
    case "lit":
      return JSON.stringify(req.s);
    case "and":
      return `(${req.c.map(describeRequirements).join(" AND ")})`;
    case "or":
      return `(${req.c.map(describeRequirements).join(" OR ")})`;
    default:
      return assertNever(req);
  }
}
