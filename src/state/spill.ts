// Replay's spill of matched events' documents (issue 6 "Peak RSS flat"; docs/engine.md "Memory"): the
// `_source` JSON text of every kept event goes to an append-only temp file, so memory holds only a few
// numbers per matched event and the documents are read back for the alerts alone. The file is created
// 0600 in a private 0700 directory and unlinked at once (POSIX keeps it readable through the open fd), so
// nothing is left behind by a crash or SIGKILL.

import { NumberColumn } from "../util/typed-array.js";
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdapterError } from "../diag/diagnostic.js";
import { ioFailure } from "../util/io-errors.js";

/** A failure of the spill's file in `dir` as STATE005, naming the directory and what to do. */
function spillError(dir: string, doing: string, e: unknown): AdapterError {
  return new AdapterError("STATE005", "processing", `cannot ${doing} the replay spill in ${dir}: ${ioFailure(e)}; free space there or set TMPDIR to a larger disk, and rerun`, { cause: e });
}

/** Records buffered before one write(2): large enough to amortize the call, small enough to stay a bounded buffer. */
const FLUSH_BYTES = 1 << 20;

export class TextSpill {
  private fd: number | undefined;
  private readonly dir?: string;
  /** offsets.get(i) = byte offset of record i; its last entry = end of the last record (one more than the records). */
  private readonly offsets = new NumberColumn(1024);
  private pending: string[] = [];
  private pendingBytes = 0;
  private written = 0;
  private readBuf = Buffer.alloc(64 * 1024);
  /** The directory the spill lives in (for errors). */
  private readonly parent: string;

  constructor(dirParent: string = tmpdir()) {
    this.offsets.push(0);
    this.parent = dirParent;
    let dir: string;
    try {
      dir = mkdtempSync(join(dirParent, "tern-spill-"));
    } catch (e) {
      throw spillError(dirParent, "create", e);
    }
    const path = join(dir, "events.spill");
    try {
      this.fd = openSync(path, "wx+", 0o600);
    } catch (e) {
      rmdirSync(dir);
      throw spillError(dirParent, "create", e);
    }
    try {
      unlinkSync(path);
      rmdirSync(dir);
    } catch {
      // A platform that cannot unlink an open file keeps it until close() removes it.
      this.dir = dir;
    }
  }

  /** Number of records added. */
  get size(): number {
    return this.offsets.length - 1;
  }

  /** Bytes spilled so far (written or buffered). */
  get bytes(): number {
    return this.offsets.get(this.size);
  }

  /** Appends one text; returns its record number. */
  add(text: string): number {
    const n = Buffer.byteLength(text, "utf8");
    const i = this.size;
    this.offsets.push(this.offsets.get(i) + n);
    this.pending.push(text);
    this.pendingBytes += n;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    return i;
  }

  /** The text of record `i`. */
  get(i: number): string {
    return this.recordBytes(i).toString("utf8");
  }

  /**
   * The bytes of records `i` to `i + count - 1`, which lie one after the other (one read for all): a view of
   * the read buffer, valid until the next read. `recordLength` says where each ends.
   */
  recordBytes(i: number, count = 1): Buffer {
    const records = this.size;
    if (!Number.isInteger(i) || i < 0 || i >= records) throw new RangeError(`spill record ${i} out of range 0..${records - 1}`);
    if (!Number.isInteger(count) || count < 1 || i + count > records) throw new RangeError(`spill records ${i}..${i + count - 1} out of range 0..${records - 1}`);
    const start = this.offsets.get(i);
    const len = this.offsets.get(i + count) - start;
    if (start + len > this.written) this.flush();
    if (len > this.readBuf.length) this.readBuf = Buffer.alloc(Math.max(len, this.readBuf.length * 2));
    let got = 0;
    while (got < len) {
      let r: number;
      try {
        r = readSync(this.fileDescriptor(), this.readBuf, got, len - got, start + got);
      } catch (e) {
        throw spillError(this.parent, "read", e);
      }
      if (r === 0) throw new Error(`spill file ended early at record ${i}`);
      got += r;
    }
    return this.readBuf.subarray(0, len);
  }

  /** The length in bytes of record `i`. */
  recordLength(i: number): number {
    return this.offsets.get(i + 1) - this.offsets.get(i);
  }

  private fileDescriptor(): number {
    if (this.fd === undefined) throw new Error("spill is closed");
    return this.fd;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(""), "utf8");
    this.pending = [];
    this.pendingBytes = 0;
    let off = 0;
    const fd = this.fileDescriptor();
    try {
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, this.written + off);
    } catch (e) {
      throw spillError(this.parent, "write", e);
    }
    this.written += buf.length;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.pending = [];
    if (this.dir !== undefined) {
      try {
        unlinkSync(join(this.dir, "events.spill"));
        rmdirSync(this.dir);
      } catch {
        // Already gone.
      }
    }
  }
}
