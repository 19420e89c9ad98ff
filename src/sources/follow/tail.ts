// The file follower behind `tern run --follow` (issue 5 "Conversion and follow"): reads a growing file by
// polling, line by line, and survives the two ways logs are rotated:
//   - rename + create (logrotate default, auditd's own rotation): the path names a new inode; the old fd is
//     read to its end first, then the new file from byte 0;
//   - copytruncate: same inode, size below the read position or other first bytes. The lines not yet read
//     when the copy was made are read from the copy first (`<file>.1`, else another sibling whose first
//     bytes are those we read and which is at least as long as our position), then the file from byte 0
//     as a new generation. Without such a copy the unread rest is reported lost (TailEvents.lost).
// A resume position (inode, offset, line, generation) restarts where a previous run stopped; if the path
// has been rotated meanwhile, the rotated sibling (`audit.log.1`, `app.log-2026…`) with that inode is read
// to its end first. Only complete lines are returned (a rotated-away file's unterminated last line once
// the switch is made), so a line being written is never cut in two.

import { createHash } from "node:crypto";
import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface TailPosition {
  readonly inode: number;
  /** Byte offset of the first byte not yet consumed (a partial last line is not consumed). */
  readonly offset: number;
  /** Lines consumed before `offset`. */
  readonly line: number;
  /** Copytruncate generation of this inode (0 until the file is first truncated). */
  readonly gen: number;
  /**
   * The file's first bytes (up to 256) as read: an inode number can be reused by a new file once the old
   * one is deleted, so a resume also checks that the file still starts with these bytes.
   */
  readonly head?: FileHead;
}

export interface FileHead {
  readonly len: number;
  readonly sha1: string;
}

const HEAD_BYTES = 256;

export interface TailLine {
  /** The line's bytes without LF (and without a trailing CR); truncated when `tooLong`. */
  readonly raw: Buffer;
  readonly line: number;
  readonly byteOffset: number;
  readonly inode: number;
  readonly gen: number;
  readonly tooLong: boolean;
}

export interface TailEvents {
  /** The path now names another file; the old one was read to its end. */
  rotated?: (from: number, to: number) => void;
  /** The file shrank below the read position, or its first bytes changed (copytruncate). */
  truncated?: (inode: number) => void;
  /** After a truncation: the rest of the old content was read from its copy, `bytes` of it. */
  recovered?: (copy: string, bytes: number) => void;
  /**
   * After a truncation: no copy of the old content was found, so what it held past the read position is
   * lost. `knownBytes` of it were seen in the file's size but not yet read (more may have been written).
   */
  lost?: (knownBytes: number) => void;
}

const CHUNK = 1 << 18;

interface Open {
  readonly fh: FileHandle;
  readonly inode: number;
  /** A rotated-away file read to its end before the path itself. */
  readonly old: boolean;
  /** The copy of a truncated file (copytruncate), read for the part of it not read before. */
  readonly copy?: boolean;
}

export class FileTail {
  private cur: Open | undefined;
  private pos = 0;
  private lineNo = 0;
  private gen = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private tooLong = false;
  /** First bytes of each file read (by inode), for TailPosition.head. */
  private readonly heads = new Map<number, { bytes: Buffer; head?: FileHead }>();
  /** The largest size seen of the current generation (for the bytes known lost at a truncation). */
  private sizeSeen = 0;
  /** Lines recovered while starting (a copytruncate while tern was down), returned by the next poll. */
  private pending: TailLine[] = [];
  /** Rotated-away files read to their end (inodes), so that a later switch does not read them again. */
  private readonly done = new Set<number>();

  constructor(
    readonly path: string,
    private readonly maxLineBytes: number,
    private readonly events: TailEvents = {},
  ) {}

  /**
   * Opens the file, at `resume` when it still names the same file (same inode and first bytes) or a
   * rotated sibling does, else at byte 0.
   */
  async start(resume: TailPosition | undefined): Promise<void> {
    if (resume !== undefined) {
      for (const p of [this.path, ...(await siblings(this.path))]) {
        const fh = await openOrUndefined(p);
        if (fh === undefined) continue;
        const st = await fh.stat();
        if (st.ino !== resume.inode || !(await startsWith(fh, resume.head))) {
          await fh.close();
          continue;
        }
        this.cur = { fh, inode: st.ino, old: p !== this.path };
        if (resume.head !== undefined) this.heads.set(st.ino, { bytes: Buffer.alloc(0), head: resume.head });
        this.seek(resume.offset, resume.line, resume.gen);
        // Shorter than the position: truncated while tern was down.
        if (st.size < resume.offset) await this.afterTruncation(this.cur, this.pending);
        return;
      }
    }
    const fh = await openOrUndefined(this.path);
    if (fh === undefined) return;
    const ino = (await fh.stat()).ino;
    this.cur = { fh, inode: ino, old: false };
    if (resume !== undefined && resume.inode === ino) {
      // Same inode number but other first bytes: this file truncated while tern was down (its copy holds
      // the rest of what we had been reading), or a new file that reuses the inode number (no copy).
      if (resume.head !== undefined) this.heads.set(ino, { bytes: Buffer.alloc(0), head: resume.head });
      this.seek(resume.offset, resume.line, resume.gen);
      await this.afterTruncation(this.cur, this.pending);
      return;
    }
    this.restart(ino, 0);
  }

  /** Where a restart must begin: the start of the carried partial line, or the read position. */
  position(): TailPosition | undefined {
    if (this.cur === undefined) return undefined;
    return { inode: this.cur.inode, offset: this.pos - this.carryLen, line: this.lineNo, gen: this.gen, head: this.headOf(this.cur.inode) };
  }

  /**
   * Reads what is available, up to about `maxBytes`, and handles rotation and truncation at end of file.
   * Returns the complete lines read (possibly none).
   */
  async poll(maxBytes: number): Promise<TailLine[]> {
    const out: TailLine[] = this.pending;
    this.pending = [];
    if (this.cur === undefined) {
      const fh = await openOrUndefined(this.path);
      if (fh === undefined) return out;
      const ino = (await fh.stat()).ino;
      this.cur = { fh, inode: ino, old: false };
      this.restart(ino, 0);
    }
    // copytruncate followed by more writes than we had read leaves the size above our position: the
    // changed first bytes tell (one small read per poll).
    const c0 = this.cur;
    const h = c0 === undefined ? undefined : this.heads.get(c0.inode)?.head;
    if (c0 !== undefined) {
      // The size before the check: if the first bytes still match, it is this content's size.
      const size = (await c0.fh.stat()).size;
      if (h !== undefined && this.pos > 0 && !(await startsWith(c0.fh, h))) await this.afterTruncation(c0, out);
      else this.sizeSeen = Math.max(this.sizeSeen, size);
    }
    let read = 0;
    for (;;) {
      const cur: Open | undefined = this.cur;
      if (cur === undefined) return out;
      const n = await this.readSome(cur, out);
      if (n < 0) continue; // rewritten under us: read again from byte 0
      read += n;
      if (n > 0) {
        if (read >= maxBytes) return out;
        continue;
      }
      // End of file: is the path still this file?
      if (cur.old) {
        await this.switchToPath(out, cur);
        if (this.cur === undefined || this.cur === cur) return out;
        continue;
      }
      const st = await statOrUndefined(this.path);
      if (st !== undefined && st.ino !== cur.inode) {
        // Rotated by rename: a writer may still have appended to the old file since the read above.
        while ((await this.readSome(cur, out)) > 0);
        await this.switchToPath(out, cur);
        continue;
      }
      if (st !== undefined) {
        const size = (await cur.fh.stat()).size;
        if (size < this.pos) {
          await this.afterTruncation(cur, out);
          continue;
        }
      }
      return out;
    }
  }

  /** The first-bytes fingerprint of a file read by this follower (undefined before anything was read). */
  headOf(inode: number): FileHead | undefined {
    return this.heads.get(inode)?.head;
  }

  async close(): Promise<void> {
    const cur = this.cur;
    this.cur = undefined;
    if (cur !== undefined) await cur.fh.close();
  }

  private seek(offset: number, line: number, gen: number): void {
    this.pos = offset;
    this.lineNo = line;
    this.gen = gen;
  }

  /**
   * `cur` was truncated (copytruncate) at our read position: reads the rest of its old content from the
   * copy, if one is found, as the old generation (same line numbers and offsets as if read before), then
   * restarts `cur` at byte 0 as the next generation.
   */
  private async afterTruncation(cur: Open, out: TailLine[]): Promise<void> {
    this.events.truncated?.(cur.inode);
    const head = this.heads.get(cur.inode)?.head;
    const copy = this.pos > 0 && head !== undefined ? await findCopy(this.path, cur.inode, head, this.pos) : undefined;
    if (copy !== undefined) {
      const from = this.pos;
      const c: Open = { fh: copy.fh, inode: cur.inode, old: true, copy: true };
      try {
        while ((await this.readSome(c, out)) > 0);
        // The copy's unterminated last line: the rest of it was written after the copy and went with the truncation.
        this.flushCarry(out, c);
      } finally {
        await copy.fh.close();
      }
      this.events.recovered?.(copy.path, this.pos - from);
    } else if (this.pos > 0) {
      this.events.lost?.(Math.max(0, this.sizeSeen - this.pos));
    }
    this.dropCarry();
    this.restart(cur.inode, this.gen + 1);
  }

  /** Reads `inode` from byte 0 as generation `gen`, fingerprinting its first bytes afresh. */
  private restart(inode: number, gen: number): void {
    this.sizeSeen = 0;
    this.seek(0, 0, gen);
    this.heads.set(inode, { bytes: Buffer.alloc(0) });
    // Only the current file and the one before it can be named by a position.
    while (this.heads.size > 2) {
      const oldest = this.heads.keys().next().value;
      if (oldest === undefined) break;
      this.heads.delete(oldest);
    }
  }

  private noteHead(inode: number, at: number, chunk: Buffer): void {
    const h = this.heads.get(inode);
    if (h === undefined || at !== h.bytes.length || h.bytes.length >= HEAD_BYTES) return;
    h.bytes = Buffer.concat([h.bytes, chunk.subarray(0, HEAD_BYTES - h.bytes.length)]);
    h.head = { len: h.bytes.length, sha1: createHash("sha1").update(h.bytes).digest("hex") };
  }

  private async switchToPath(out: TailLine[], cur: Open): Promise<void> {
    const st = await statOrUndefined(this.path);
    if (st === undefined || st.ino === cur.inode) {
      if (cur.old && st !== undefined) {
        // The rotated file we resumed in turned out to be the path itself (renamed back): keep reading it.
        this.cur = { fh: cur.fh, inode: cur.inode, old: false };
      }
      return;
    }
    this.flushCarry(out);
    const rotatedAt = (await cur.fh.stat()).mtimeMs;
    await cur.fh.close();
    this.cur = undefined;
    this.done.add(cur.inode);
    // the rotations of a long follow: only recent files can still be siblings worth skipping
    if (this.done.size > 64) this.done.delete(this.done.values().next().value as number);
    // A file rotated after this one that was never read — two rotations while tern was down or between
    // two polls, or the copy a copytruncate made of a successor tern had not opened yet — holds the lines
    // between this file and the path's: read it whole first (the oldest such first), then the path.
    const between = await rotatedSince(this.path, rotatedAt, new Set([...this.done, st.ino]));
    if (between !== undefined) {
      this.cur = { fh: between.fh, inode: between.inode, old: true };
      this.events.rotated?.(cur.inode, between.inode);
      this.restart(between.inode, 0);
      return;
    }
    const fh = await openOrUndefined(this.path);
    if (fh === undefined) return;
    const ino = (await fh.stat()).ino;
    this.cur = { fh, inode: ino, old: false };
    this.events.rotated?.(cur.inode, ino);
    this.restart(ino, 0);
  }

  /**
   * Reads the next chunk and splits it into lines. Returns the bytes read, or -1 when the file was
   * truncated and rewritten between the first-bytes check and this read (the chunk then holds the
   * middle of the new content, not the continuation of the old): the chunk is dropped and reading
   * restarts at byte 0 as a new generation.
   */
  private async readSome(cur: Open, out: TailLine[]): Promise<number> {
    // A fresh buffer per read: lines are views into it (no copy per line), so it must not be reused.
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await cur.fh.read(buf, 0, CHUNK, this.pos);
    if (bytesRead === 0) return 0;
    const h = this.heads.get(cur.inode)?.head;
    if (this.pos > 0 && h !== undefined && !(await startsWith(cur.fh, h))) {
      if (cur.copy) return 0; // a copy is only read when it starts like the file; changed since: stop there
      await this.afterTruncation(cur, out);
      return -1;
    }
    this.noteHead(cur.inode, this.pos, buf.subarray(0, bytesRead));
    this.split(buf.subarray(0, bytesRead), cur, out);
    return bytesRead;
  }

  private split(chunk: Buffer, cur: Open, out: TailLine[]): void {
    let s = 0;
    const base = this.pos;
    for (;;) {
      const nl = chunk.indexOf(0x0a, s);
      if (nl < 0) break;
      this.append(chunk.subarray(s, nl));
      this.emit(out, cur, base + nl + 1);
      s = nl + 1;
    }
    if (s < chunk.length) this.append(chunk.subarray(s));
    this.pos = base + chunk.length;
  }

  private append(piece: Buffer): void {
    if (this.tooLong) {
      this.carryLen += piece.length;
      return;
    }
    if (this.carryLen + piece.length > this.maxLineBytes) {
      const keep = Math.max(0, this.maxLineBytes - this.keptLen());
      if (keep > 0) this.carry.push(piece.subarray(0, keep));
      this.tooLong = true;
    } else this.carry.push(piece);
    this.carryLen += piece.length;
  }

  private keptLen(): number {
    let n = 0;
    for (const c of this.carry) n += c.length;
    return n;
  }

  /** Emits the carried bytes as the line ending just before byte `end` (exclusive of its LF). */
  private emit(out: TailLine[], cur: Open, end: number): void {
    let raw = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry);
    if (!this.tooLong && raw.length > 0 && raw[raw.length - 1] === 0x0d) raw = raw.subarray(0, raw.length - 1);
    const byteOffset = end - 1 - this.carryLen;
    this.lineNo++;
    out.push({ raw, line: this.lineNo, byteOffset, inode: cur.inode, gen: this.gen, tooLong: this.tooLong });
    this.carry = [];
    this.carryLen = 0;
    this.tooLong = false;
  }

  private flushCarry(out: TailLine[], cur = this.cur): void {
    if (cur === undefined || this.carryLen === 0) return;
    // The line ends at the read position without a LF; emit() counts one, so pass pos + 1.
    this.emit(out, cur, this.pos + 1);
  }

  private dropCarry(): void {
    this.carry = [];
    this.carryLen = 0;
    this.tooLong = false;
  }
}

async function statOrUndefined(path: string): Promise<{ ino: number; size: number; mtimeMs: number } | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The copy a copytruncate left of the file `inode` as we read it: `<path>.1` (logrotate's name), else the
 * first other sibling, that is another file, starts with the bytes we read first (`head`, up to 256) and
 * is at least as long as what we read (`pos`). Compressed copies never match, so are not read.
 */
async function findCopy(path: string, inode: number, head: FileHead, pos: number): Promise<{ fh: FileHandle; path: string } | undefined> {
  const first = `${path}.1`;
  for (const p of [first, ...(await siblings(path)).filter((s) => s !== first)]) {
    const fh = await openOrUndefined(p);
    if (fh === undefined) continue;
    const st = await fh.stat();
    if (st.ino !== inode && st.size >= pos && (await startsWith(fh, head))) return { fh, path: p };
    await fh.close();
  }
  return undefined;
}

const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z)$/i;
// The suffixes rotation gives a file (logrotate's .1, dateext's -20261205, auditd's .1 …): another file
// whose name merely starts with the log's (app.log-errors, app.log.bak) is never taken for a rotation.
const ROTATION_SUFFIX = /^(?:\.\d+|[-_.]\d{8}(?:[-_]?\d{2,6})?|[-_.]\d{4}-\d{2}-\d{2}(?:[-_T][\d:.-]+)?|-\d{10})$/;

/** Is `sibling` (a file next to `path` whose name extends it) a rotation of it that tern reads (not compressed)? */
export function isRotatedName(path: string, sibling: string): boolean {
  return sibling.startsWith(path) && !COMPRESSED.test(sibling) && ROTATION_SUFFIX.test(sibling.slice(path.length));
}

/**
 * The oldest rotated sibling of `path` last written at or after `since` (ms) that is none of `skip`
 * (files already read, the path itself) and not compressed.
 */
async function rotatedSince(path: string, since: number, skip: ReadonlySet<number>): Promise<{ fh: FileHandle; inode: number } | undefined> {
  let best: { p: string; ino: number; mtime: number } | undefined;
  for (const p of await siblings(path)) {
    if (!isRotatedName(path, p)) continue;
    const st = await statOrUndefined(p);
    if (st === undefined || skip.has(st.ino) || st.mtimeMs < since) continue;
    if (best === undefined || st.mtimeMs < best.mtime) best = { p, ino: st.ino, mtime: st.mtimeMs };
  }
  if (best === undefined) return undefined;
  const fh = await openOrUndefined(best.p);
  if (fh === undefined) return undefined;
  const ino = (await fh.stat()).ino;
  if (ino !== best.ino) {
    await fh.close();
    return undefined;
  }
  return { fh, inode: ino };
}

/** Files next to `path` whose names extend its base name (rotation suffixes: .1, -20261128), sorted. */
async function siblings(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  try {
    return (await readdir(dir)).filter((n) => n !== base && n.startsWith(base)).sort().map((n) => join(dir, n));
  } catch {
    return [];
  }
}

async function openOrUndefined(path: string): Promise<FileHandle | undefined> {
  if ((await statOrUndefined(path)) === undefined) return undefined;
  try {
    return await open(path, "r");
  } catch {
    return undefined;
  }
}

/** Does the file start with the bytes `head` fingerprints? (No fingerprint: assume yes.) */
async function startsWith(fh: FileHandle, head: FileHead | undefined): Promise<boolean> {
  if (head === undefined) return true;
  const b = Buffer.alloc(head.len);
  const { bytesRead } = await fh.read(b, 0, head.len, 0);
  return bytesRead === head.len && createHash("sha1").update(b).digest("hex") === head.sha1;
}
