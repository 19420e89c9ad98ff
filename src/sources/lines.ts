// A streaming line reader shared by the text-log sources (auditd, Sysmon for Linux): yields each line of a
// file (or of a .gz file, decompressed) with its 1-based number and byte offset, never loading the whole
// file. CR before LF is dropped (Windows-written syslog captures), over-long lines are flagged rather than
// buffered without bound, and invalid UTF-8 is flagged so the source can report it as a bad line.

import { createReadStream, statSync } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { createHash } from "node:crypto";
import type { LineLocation } from "../event/types.js";
import { DiagnosticError, diagnostic, fileSpan } from "../diag/index.js";

export interface RawLine {
  /** The line's text without the line break (and without a trailing CR); "" when `problem` is set. */
  readonly text: string;
  /** The line's bytes as read (without LF), for a --rejects file. */
  readonly raw: Uint8Array;
  readonly line: number;
  readonly byteOffset: number;
  /** Length in bytes including the line break. */
  readonly byteLength: number;
  readonly problem?: "too-long" | "invalid-utf8";
}

export interface ReadLinesOptions {
  /** Lines longer than this are yielded with problem "too-long" (their bytes truncated); default 16 MiB. */
  readonly maxLineBytes?: number;
  /** Called with the byte count of every chunk read (decompressed). */
  readonly onBytes?: (n: number) => void;
}

const LF = 0x0a;
const CR = 0x0d;
const DEFAULT_MAX = 16 * 1024 * 1024;

export function openFileStream(path: string): Readable {
  const s = createReadStream(path, { highWaterMark: 1 << 20 });
  return path.endsWith(".gz") ? s.pipe(createGunzip()) : s;
}

/** Lines of a byte stream. The last line need not end with a line break. */
export async function* readLines(stream: AsyncIterable<Uint8Array | string>, opts: ReadLinesOptions = {}): AsyncGenerator<RawLine> {
  const max = opts.maxLineBytes ?? DEFAULT_MAX;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // Parts of the current line carried over chunk boundaries; `carried` counts their bytes.
  let parts: Uint8Array[] = [];
  let carried = 0;
  let tooLong = false;
  let lineNo = 0;
  let offset = 0;
  let lineStart = 0;

  const finish = (tail: Uint8Array): RawLine => {
    lineNo++;
    let bytes: Uint8Array;
    if (parts.length === 0) bytes = tail;
    else {
      parts.push(tail);
      bytes = Buffer.concat(parts);
    }
    const byteLength = carried + tail.length;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    const content = bytes.subarray(0, end);
    const startAt = lineStart;
    parts = [];
    carried = 0;
    if (tooLong) {
      tooLong = false;
      return { text: "", raw: content, line: lineNo, byteOffset: startAt, byteLength, problem: "too-long" };
    }
    try {
      return { text: decoder.decode(content), raw: content, line: lineNo, byteOffset: startAt, byteLength };
    } catch {
      return { text: "", raw: content, line: lineNo, byteOffset: startAt, byteLength, problem: "invalid-utf8" };
    }
  };

  for await (const chunkIn of stream) {
    const chunk = typeof chunkIn === "string" ? Buffer.from(chunkIn) : chunkIn;
    opts.onBytes?.(chunk.length);
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      if (nl < 0) {
        const rest = chunk.subarray(pos);
        if (!tooLong) {
          if (carried + rest.length > max) {
            tooLong = true;
            parts.push(rest.subarray(0, Math.max(0, max - carried)));
          } else parts.push(rest);
        }
        carried += rest.length;
        offset += rest.length;
        break;
      }
      const piece = chunk.subarray(pos, nl);
      if (!tooLong && carried + piece.length > max) {
        tooLong = true;
        parts.push(piece.subarray(0, Math.max(0, max - carried)));
        carried += piece.length;
        const l = finish(new Uint8Array(0));
        yield { ...l, byteLength: l.byteLength + 1 };
      } else if (tooLong) {
        carried += piece.length;
        const l = finish(new Uint8Array(0));
        yield { ...l, byteLength: l.byteLength + 1 };
      } else {
        const l = finish(piece);
        yield { ...l, byteLength: l.byteLength + 1 };
      }
      offset += piece.length + 1;
      lineStart = offset;
      pos = nl + 1;
    }
  }
  if (carried > 0 || tooLong) yield finish(new Uint8Array(0));
}

/** A stable event id from where the event starts: file, byte offset, and the document's index there. */
export function lineEventId(loc: LineLocation, index: number): string {
  return createHash("sha1").update(`${loc.file}\0${loc.byteOffset}\0${index}`).digest("hex").slice(0, 20);
}

/** The input name that means standard input. */
export const STDIN = "-";
/** The file name locations carry for lines read from standard input. */
export const STDIN_NAME = "<stdin>";

/** Throws SRC101 for an input that is not a readable file ("-" is stdin), before anything is read. */
export function assertReadableFiles(inputs: readonly string[]): void {
  for (const p of inputs) {
    if (p === STDIN) continue;
    let ok = false;
    try {
      ok = statSync(p).isFile();
    } catch {
      ok = false;
    }
    if (!ok) throw new DiagnosticError([diagnostic("SRC101", `cannot open ${p}: no such file; check the input path`, fileSpan(p))]);
  }
}

/** readLines over a file (gunzipped when it ends in .gz); an I/O failure part-way becomes SRC102. */
export async function* readFileLines(path: string, opts: ReadLinesOptions & { stdin?: AsyncIterable<Uint8Array | string> } = {}): AsyncGenerator<RawLine> {
  try {
    yield* readLines(path === STDIN ? (opts.stdin ?? process.stdin) : openFileStream(path), opts);
  } catch (err) {
    if (!(err instanceof Error) || typeof (err as NodeJS.ErrnoException).code !== "string") throw err;
    throw new DiagnosticError([diagnostic("SRC102", `cannot read ${path}: ${err.message}`, fileSpan(path))]);
  }
}
