// The file follower behind `tern run --follow` (issue 5 "Conversion and follow"): reads a growing file by
// polling, line by line, and survives the two ways logs are rotated:
//   - rename + create (logrotate default, auditd's own rotation): the path names a new inode; the old fd is
//     read to its end first, then the new file from byte 0;
//   - copytruncate: same inode, size below the read position; reading restarts at 0 with a new generation.
// A resume position (inode, offset, line, generation) restarts where a previous run stopped; if the path
// has been rotated meanwhile, the rotated sibling (`audit.log.1`, `app.log-2026…`) with that inode is read
// to its end first. Only complete lines are returned until the file is switched or the follower is
// drained at stop, so a line being written is never cut in two.

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
}

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
  /** The file shrank below the read position. */
  truncated?: (inode: number) => void;
}

const CHUNK = 1 << 16;

interface Open {
  readonly fh: FileHandle;
  readonly inode: number;
  /** A rotated-away file read to its end before the path itself. */
  readonly old: boolean;
}

export class FileTail {
  private cur: Open | undefined;
  private pos = 0;
  private lineNo = 0;
  private gen = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private tooLong = false;
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  constructor(
    readonly path: string,
    private readonly maxLineBytes: number,
    private readonly events: TailEvents = {},
  ) {}

  /** Opens the file, at `resume` when it still names this file (or a rotated sibling), else at byte 0. */
  async start(resume: TailPosition | undefined): Promise<void> {
    const st = await statOrUndefined(this.path);
    if (resume !== undefined && st !== undefined && st.ino === resume.inode) {
      await this.openAt(this.path, false, st.ino);
      if (st.size >= resume.offset) this.seek(resume.offset, resume.line, resume.gen);
      else this.seek(0, 0, resume.gen + 1);
      return;
    }
    if (resume !== undefined) {
      const sibling = await findByInode(this.path, resume.inode);
      if (sibling !== undefined) {
        await this.openAt(sibling.path, true, resume.inode);
        if (sibling.size >= resume.offset) this.seek(resume.offset, resume.line, resume.gen);
        else this.seek(0, 0, resume.gen + 1);
        return;
      }
    }
    if (st !== undefined) await this.openAt(this.path, false, st.ino);
  }

  /** Where a restart must begin: the start of the carried partial line, or the read position. */
  position(): TailPosition | undefined {
    if (this.cur === undefined) return undefined;
    return { inode: this.cur.inode, offset: this.pos - this.carryLen, line: this.lineNo, gen: this.gen };
  }

  /**
   * Reads what is available, up to about `maxBytes`, and handles rotation and truncation at end of file.
   * Returns the complete lines read (possibly none).
   */
  async poll(maxBytes: number): Promise<TailLine[]> {
    const out: TailLine[] = [];
    if (this.cur === undefined) {
      const st = await statOrUndefined(this.path);
      if (st === undefined) return out;
      await this.openAt(this.path, false, st.ino);
      this.seek(0, 0, 0);
    }
    let read = 0;
    for (;;) {
      const cur = this.cur;
      if (cur === undefined) return out;
      const n = await this.readSome(cur, out);
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
          this.events.truncated?.(cur.inode);
          this.dropCarry();
          this.seek(0, 0, this.gen + 1);
          continue;
        }
      }
      return out;
    }
  }

  /** Returns the partial last line as a line (at stop, when nothing more will be appended to it). */
  drain(): TailLine[] {
    const out: TailLine[] = [];
    this.flushCarry(out);
    return out;
  }

  async close(): Promise<void> {
    const cur = this.cur;
    this.cur = undefined;
    if (cur !== undefined) await cur.fh.close();
  }

  private async openAt(path: string, old: boolean, inode: number): Promise<void> {
    const fh = await open(path, "r");
    const real = (await fh.stat()).ino;
    this.cur = { fh, inode: real === inode ? inode : real, old };
  }

  private seek(offset: number, line: number, gen: number): void {
    this.pos = offset;
    this.lineNo = line;
    this.gen = gen;
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
    await cur.fh.close();
    this.cur = undefined;
    await this.openAt(this.path, false, st.ino);
    this.events.rotated?.(cur.inode, st.ino);
    this.seek(0, 0, 0);
  }

  private async readSome(cur: Open, out: TailLine[]): Promise<number> {
    const { bytesRead } = await cur.fh.read(this.buf, 0, CHUNK, this.pos);
    if (bytesRead === 0) return 0;
    this.split(this.buf.subarray(0, bytesRead), cur, out);
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
      if (keep > 0) this.carry.push(Buffer.from(piece.subarray(0, keep)));
      this.tooLong = true;
    } else this.carry.push(Buffer.from(piece));
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

  private flushCarry(out: TailLine[]): void {
    const cur = this.cur;
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

async function statOrUndefined(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? { ino: st.ino, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/** A file next to `path` whose name extends its base name (rotation suffixes) and has inode `inode`. */
async function findByInode(path: string, inode: number): Promise<{ path: string; size: number } | undefined> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const n of names.sort()) {
    if (n === base || !n.startsWith(base)) continue;
    const st = await statOrUndefined(join(dir, n));
    if (st !== undefined && st.ino === inode) return { path: join(dir, n), size: st.size };
  }
  return undefined;
}
