// Recovery of a detection-rules TOML file whose newlines were lost (issue 2, the seed "as received"):
// every line break became one space. TOML values are self-delimiting, so the statements can be found
// again lexically; the space before each statement becomes a newline again (same length, so every offset
// still points into the original file). Headers must be tables of the detection-rules schema. Anything
// whose meaning depended on a lost line break (a `#` comment, an unknown table) is refused, not guessed.
import { knownTablePaths } from "../schema.js";
import { ScanError, isBareKeyChar, scanKey, scanString } from "./scan.js";

/** Why a one-line file cannot be rebuilt; `offset` points at the ambiguity. */
export class OneLineError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly length = 1,
  ) {
    super(message);
    this.name = "OneLineError";
  }
}

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t";

function skipSpaces(text: string, pos: number): number {
  let p = pos;
  while (isSpace(text[p])) p++;
  return p;
}

/** Counts the statements (table headers and key/value pairs) on the first line of `text`. */
function statementsOnFirstLine(text: string): number {
  const nl = text.search(/\r?\n/);
  const line = nl < 0 ? text : text.slice(0, nl);
  const w = new Rebuilder(line);
  try {
    return w.run(false);
  } catch {
    return w.count;
  }
}

/** True when the file's first line holds more than one statement: a file whose newlines were lost. */
export function isOneLine(text: string): boolean {
  return statementsOnFirstLine(text) >= 2;
}

class Rebuilder {
  readonly out: string[];
  count = 0;
  private readonly tables = knownTablePaths();

  constructor(private readonly text: string) {
    this.out = text.split("");
  }

  /** Scans every statement; with `strict`, checks headers against the schema. Returns the statement count. */
  run(strict: boolean): number {
    const text = this.text;
    let p = skipSpaces(text, 0);
    while (p < text.length) {
      if (text[p] === "\n" || text[p] === "\r") {
        p++;
        p = skipSpaces(text, p);
        continue;
      }
      if (text[p] === "#") {
        throw new OneLineError(
          "A '#' comment in a file whose line breaks were lost runs to the end of the file; tern cannot tell where the comment ended.",
          p,
        );
      }
      p = text[p] === "[" ? this.header(p, strict) : this.pair(p);
      this.count++;
      if (p >= text.length) break;
      if (!isSpace(text[p]) && text[p] !== "\n" && text[p] !== "\r") {
        throw new OneLineError(`Expected a space between two statements but found "${text[p]}".`, p);
      }
      // The separator was a line break before the newlines were lost.
      if (isSpace(text[p])) this.out[p] = "\n";
      p = skipSpaces(text, p);
    }
    return this.count;
  }

  private header(p: number, strict: boolean): number {
    const text = this.text;
    const isArray = text[p + 1] === "[";
    const key = scanKey(text, p + (isArray ? 2 : 1));
    let e = skipSpaces(text, key.end);
    const close = isArray ? "]]" : "]";
    if (!text.startsWith(close, e)) throw new OneLineError(`Expected "${close}" to close the table header.`, e);
    e += close.length;
    const name = key.segments.join(".");
    if (strict && !this.tables.exact.has(name) && ![...this.tables.open].some((o) => name.startsWith(`${o}.`))) {
      throw new OneLineError(
        `Unknown table [${shortName(name)}] in a file whose line breaks were lost; tern rebuilds such files only from the detection-rules schema.`,
        p,
        e - p,
      );
    }
    return e;
  }

  private pair(p: number): number {
    const text = this.text;
    if (!isBareKeyChar(text[p]) && text[p] !== '"' && text[p] !== "'") {
      throw new OneLineError(`Expected a key or a table header but found "${text[p]}".`, p);
    }
    const key = scanKey(text, p);
    let v = skipSpaces(text, key.end);
    if (text[v] !== "=") throw new OneLineError(`Expected "=" after the key "${shortName(key.segments.join("."))}".`, v);
    v = skipSpaces(text, v + 1);
    return this.value(v);
  }

  private value(v: number): number {
    const text = this.text;
    const c = text[v];
    if (c === '"' || c === "'") {
      const s = scanString(text, v);
      if (s.kind === "ml-basic" || s.kind === "ml-literal") {
        // detection-rules writes '''/""" strings with the delimiters on their own lines: the space after the
        // opening delimiter was the newline TOML trims, the space before the closing one the final newline.
        if (isSpace(text[v + 3])) this.out[v + 3] = "\n";
        if (s.contentEnd > v + 4 && isSpace(text[s.contentEnd - 1])) this.out[s.contentEnd - 1] = "\n";
      }
      return s.end;
    }
    if (c === "[" || c === "{") {
      const close = c === "[" ? "]" : "}";
      let p = skipSpaces(text, v + 1);
      while (text[p] !== close) {
        if (p >= text.length) throw new OneLineError(`Unclosed "${c}".`, v);
        if (text[p] === "#") {
          throw new OneLineError(
            "A '#' comment in a file whose line breaks were lost runs to the end of the file; tern cannot tell where the comment ended.",
            p,
          );
        }
        p = c === "[" ? this.value(p) : this.pair(p);
        p = skipSpaces(text, p);
        if (text[p] === ",") p = skipSpaces(text, p + 1);
        else if (text[p] !== close) throw new OneLineError(`Expected "," or "${close}" but found "${text[p] ?? "end of file"}".`, p);
      }
      return p + 1;
    }
    let e = v;
    while (e < text.length && !/[\s,\]}]/.test(text[e])) e++;
    // A TOML date-time may use a space between date and time.
    if (/^\d{4}-\d{2}-\d{2}$/.test(text.slice(v, e)) && text[e] === " " && /^\d{2}:\d{2}/.test(text.slice(e + 1, e + 6))) {
      e++;
      while (e < text.length && !/[\s,\]}]/.test(text[e])) e++;
    }
    if (e === v) throw new OneLineError(`Expected a value but found "${text[v] ?? "end of file"}".`, v);
    return e;
  }
}

/** Rebuilds the line breaks of a one-line file. The result has exactly the length of `text`. */
export function rebuildOneLine(text: string): string {
  const w = new Rebuilder(text);
  try {
    w.run(true);
  } catch (e) {
    if (e instanceof ScanError) throw new OneLineError(`${e.message[0].toUpperCase()}${e.message.slice(1)}.`, e.offset);
    throw e;
  }
  return w.out.join("");
}

/** A key or table name for a message: long ones (a hostile file's thousands of parts) are cut. */
function shortName(name: string): string {
  return name.length > 80 ? `${name.slice(0, 77)}...` : name;
}
