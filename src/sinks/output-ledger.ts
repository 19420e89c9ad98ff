// Exactly-once --output files across crashes (docs/engine.md "Transactions and the rerun guarantee"). The
// state records, in the transaction that records a group's alerts as delivered, the file (st_dev:st_ino),
// its durable length and a hash of the bytes before that length. Before each write it commits the end the
// write will reach (`pending`). A rerun then tells the cases apart:
//
//   file == recorded length                      → append
//   recorded < file ≤ pending, same file         → a run stopped between write and commit: cut back to the
//                                                  recorded length (those alerts were not recorded, so the
//                                                  rerun writes them once)
//   longer otherwise, or not the recorded file   → someone else wrote it: keep every byte, say so, append
//
// A file the state has no record of that ends in an incomplete line gets it removed when the line is a
// cut-off JSON object (`{"…`, what a killed writer leaves), else ended with a newline: never glued to.

import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync } from "node:fs";
import type { OutputLedger, OutputRecord } from "../engine/ports.js";
import { syncFully, writeError, writeFully } from "./output-file.js";

/** Bytes before the recorded length whose hash identifies the file's content. */
export const TAIL_BYTES = 4096;

export interface OutputTracker {
  /** Before writing `bytes` bytes: commits the end the write will reach. */
  begin(bytes: number): void;
  /** After `bytes` are written and fsynced (not yet recorded). */
  written(bytes: Uint8Array): void;
  /** Inside the transaction that records the written alerts as delivered: records the durable length. */
  commit(): void;
  /** After a failed write: cuts off what it left (best effort; the next run cuts it otherwise). */
  rollback(): void;
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/**
 * Reconciles the regular file open as `fd` (O_APPEND) at `path` (absolute, the ledger key) with the
 * ledger's record, then tracks its writes. `notice` receives one line per thing a user should know.
 */
export function trackOutput(fd: number, path: string, what: string, ledger: OutputLedger, notice: (message: string) => void): OutputTracker {
  const st = fstatSync(fd, { bigint: true });
  const identity = `${st.dev}:${st.ino}`;
  const reader = openReader(path, st, what);
  let end: number;
  let tail: Buffer;
  try {
    end = reconcile(fd, reader, identity, Number(st.size), ledger.getOutput(path), what, notice);
    tail = readAt(reader, Math.max(0, end - TAIL_BYTES), Math.min(end, TAIL_BYTES));
  } finally {
    closeSync(reader);
  }
  // `recorded` is what the state holds as delivered; `end` includes writes not yet recorded.
  let recorded = { length: end, tail };
  return {
    begin(bytes: number): void {
      const rec: OutputRecord = { identity, length: recorded.length, tail: sha256(recorded.tail), pending: end + bytes };
      ledger.transaction(() => ledger.setOutput(path, rec));
    },
    written(bytes: Uint8Array): void {
      end += bytes.length;
      tail = bytes.length >= TAIL_BYTES ? Buffer.from(bytes.subarray(bytes.length - TAIL_BYTES)) : Buffer.concat([tail, bytes]).subarray(-TAIL_BYTES);
    },
    commit(): void {
      if (end === recorded.length) return;
      ledger.setOutput(path, { identity, length: end, tail: sha256(tail), pending: null });
      recorded = { length: end, tail };
    },
    rollback(): void {
      try {
        ftruncateSync(fd, end);
        syncFully(fd, what);
      } catch {
        // the pending record lets the next run cut it instead
      }
    },
  };
}

/** The file's end offset after reconciling it with `rec` (cutting or ending a line as the header says). */
function reconcile(fd: number, reader: number, identity: string, size: number, rec: OutputRecord | undefined, what: string, notice: (message: string) => void): number {
  if (rec === undefined) return endLastLine(fd, reader, size, what, notice);
  const same = rec.identity === identity && size >= rec.length && sha256(readAt(reader, Math.max(0, rec.length - TAIL_BYTES), Math.min(rec.length, TAIL_BYTES))) === rec.tail;
  if (!same) {
    const why = rec.identity !== identity ? "it was replaced or rotated" : size < rec.length ? `it is shorter than the ${rec.length} bytes this state recorded` : "the bytes this state wrote were changed";
    notice(`${what} is not the file this state last wrote (${why}); alerts are appended to it`);
    return endLastLine(fd, reader, size, what, notice);
  }
  if (size === rec.length) return size;
  if (rec.pending !== null && size <= rec.pending) {
    cut(fd, rec.length, what);
    notice(`${what}: removed ${size - rec.length} bytes written by a run that stopped before recording their alerts; those alerts are written again`);
    return rec.length;
  }
  notice(`${what}: ${size - rec.length} bytes were added by another writer since this state last wrote it; kept, alerts are appended after them`);
  return endLastLine(fd, reader, size, what, notice);
}

/**
 * A non-empty file whose last byte is not a newline: a cut-off JSON object (`{"`) is removed, anything
 * else is ended with a newline, so the next alert starts a line of its own.
 */
function endLastLine(fd: number, reader: number, size: number, what: string, notice: (message: string) => void): number {
  if (size === 0 || readAt(reader, size - 1, 1)[0] === 0x0a) return size;
  const start = lastLineStart(reader, size);
  if (readAt(reader, start, 2).toString("latin1") === '{"') {
    cut(fd, start, what);
    notice(`${what}: removed its incomplete last line (${size - start} bytes, a JSON object cut off by an interrupted writer)`);
    return start;
  }
  writeFully(fd, Buffer.from("\n"), what);
  syncFully(fd, what);
  notice(`${what}: its last line had no newline; one was added before the alerts`);
  return size + 1;
}

/** Offset just after the last newline before `size` (0 when there is none). */
function lastLineStart(reader: number, size: number): number {
  const chunk = 64 * 1024;
  for (let hi = size; hi > 0; ) {
    const lo = Math.max(0, hi - chunk);
    const i = readAt(reader, lo, hi - lo).lastIndexOf(0x0a);
    if (i >= 0) return lo + i + 1;
    hi = lo;
  }
  return 0;
}

function cut(fd: number, length: number, what: string): void {
  try {
    ftruncateSync(fd, length);
  } catch (e) {
    throw writeError(what, e);
  }
  syncFully(fd, what);
}

/** A read-only descriptor of the same file (the output descriptor is write-only). */
function openReader(path: string, st: { dev: bigint; ino: bigint }, what: string): number {
  let r: number;
  try {
    r = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw writeError(what, e);
  }
  const rs = fstatSync(r, { bigint: true });
  if (rs.dev !== st.dev || rs.ino !== st.ino) {
    closeSync(r);
    throw writeError(what, new Error("the file was replaced while tern opened it"));
  }
  return r;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
