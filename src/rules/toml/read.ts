// Reads a detection-rules TOML file with smol-toml (issue 2 "Rule files"): syntax errors become TOML001 at
// the exact line:col; a file whose newlines were lost is rebuilt first (oneline.ts) or refused with TOML002.
// Values come back as plain JSON-like data (TOML dates as ISO strings) with a locator for diagnostics.
import { parse, TomlDate, TomlError } from "smol-toml";
import { SourceFile, diagnostic, spanOf, type Diagnostic } from "../../diag/index.js";
import { TomlLocator, type Locate } from "./locate.js";
import { OneLineError, isOneLine, rebuildOneLine } from "./oneline.js";

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };
export type PlainTable = { [key: string]: Plain };

export interface TomlReadResult {
  /** The parsed document, absent when the file could not be read as TOML. */
  readonly doc?: PlainTable;
  readonly format: "toml" | "toml-oneline";
  readonly locate: Locate;
  /** The text the locator and query offsets refer to (the rebuilt text for one-line files: same length). */
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Converts smol-toml output to plain data: null-prototype tables to objects, dates to ISO text. */
export function toPlain(v: unknown): Plain {
  if (v instanceof TomlDate) return v.toISOString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "object" && v !== null) {
    const out: PlainTable = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return null;
}

function sentence(msg: string): string {
  const first = msg.split("\n")[0].replace(/^Invalid TOML document:\s*/, "").trim();
  const s = first.length > 0 ? first[0].toUpperCase() + first.slice(1) : "Invalid TOML";
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

const noLocate: Locate = () => undefined;

/** Offset in the file of a `//` line comment (outside quotes) in an EQL or ES|QL query, if any. */
function lineCommentInQuery(doc: PlainTable, locator: () => TomlLocator): number | undefined {
  const rule = doc.rule;
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) return undefined;
  const q = rule.query;
  const lang = rule.language ?? rule.type;
  if (typeof q !== "string" || (lang !== "eql" && lang !== "esql")) return undefined;
  let quote: string | undefined;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "/" && q[i + 1] === "/") {
      const loc = locator().get(["rule", "query"]);
      return loc?.string && !loc.string.hasEscapes ? loc.string.contentStart + i : (loc?.valueStart ?? 0);
    }
  }
  return undefined;
}

export function readToml(src: SourceFile): TomlReadResult {
  let text = src.text;
  let format: TomlReadResult["format"] = "toml";
  const diagnostics: Diagnostic[] = [];
  if (isOneLine(text)) {
    format = "toml-oneline";
    try {
      text = rebuildOneLine(text);
    } catch (e) {
      if (!(e instanceof OneLineError)) throw e;
      diagnostics.push(
        diagnostic("TOML002", `Cannot rebuild this one-line file: ${e.message[0].toLowerCase()}${e.message.slice(1)}`, spanOf(src, e.offset, e.offset + e.length), {
          help: "restore the file's line breaks (one table header or key = value per line) and validate again",
        }),
      );
      return { format, locate: noLocate, text, diagnostics };
    }
    diagnostics.push(
      diagnostic(
        "TOML004",
        "This file lost its line breaks; tern rebuilt it from the detection-rules schema (line breaks inside multi-line strings are spaces now).",
        spanOf(src, 0, 0),
      ),
    );
  }
  try {
    const doc = toPlain(parse(text));
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error("TOML document is not a table");
    // Places are found by re-scanning the text, which only a diagnostic needs: on first use.
    let locator: TomlLocator | undefined;
    const located = (): TomlLocator => (locator ??= new TomlLocator(text));
    if (format === "toml-oneline") {
      const at = lineCommentInQuery(doc, located);
      if (at !== undefined) {
        diagnostics.length = 0;
        diagnostics.push(
          diagnostic(
            "TOML002",
            "Cannot rebuild this one-line file: the query has a '//' line comment, which ended at a line break that was lost; tern cannot tell where.",
            spanOf(src, at, at + 2),
            { help: "restore the file's line breaks (one table header or key = value per line) and validate again" },
          ),
        );
        return { format, locate: noLocate, text, diagnostics };
      }
    }
    return { doc, format, locate: (path) => located().locate(path), text, diagnostics };
  } catch (e) {
    // Thousands of nested arrays, inline tables or dotted-key parts overflow the parser's stack (and would
    // overflow every walk after it): the file is refused, the others of a directory still load.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      diagnostics.push(diagnostic("TOML006", "This file nests arrays, inline tables or dotted keys too deeply to read (thousands of levels).", spanOf(src, 0, 0)));
      return { format, locate: noLocate, text, diagnostics };
    }
    if (!(e instanceof TomlError)) throw e;
    // The rebuilt text has the original's length, so offsets (not lines) carry over.
    const offset = new SourceFile(src.path, text).offset(e.line, e.column);
    diagnostics.push(diagnostic("TOML001", sentence(e.message), spanOf(src, offset, offset + 1)));
    return { format, locate: noLocate, text, diagnostics };
  }
}
