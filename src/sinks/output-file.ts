// Opening a file the user named for tern to write (`--output`, `--rejects`). A new file is created 0600
// (O_EXCL, so tern knows it made it); an existing one keeps its mode (tern never changes the mode of a
// file it did not create). A symbolic link is not followed onto a regular file — someone else's file could
// be overwritten through it — but may lead to a device or a pipe (`-o /dev/stdout`). Only regular files
// are fsynced: devices, FIFOs and pipes do not support it. `writeFully` writes every byte or throws an
// AdapterError (SNK001): write(2) may write only part of a buffer on a full disk and report no error.

import { constants, fstatSync, fsyncSync, lstatSync, openSync, statSync, writeSync } from "node:fs";
import { AdapterError } from "../diag/index.js";
import { IO_ERRNO, ioFailure } from "../util/io-errors.js";

export class OutputFileError extends Error {
  override readonly name = "OutputFileError";
}

export interface OutputFile {
  readonly fd: number;
  /** A regular file (fsync it for durability); false for devices, FIFOs and pipes. */
  readonly regular: boolean;
  /** tern created it (mode 0600). */
  readonly created: boolean;
}

/** Opens `path` for appending (or truncating with `truncate`); throws OutputFileError with what to do. */
export function openOutputFile(path: string, what: string, truncate = false): OutputFile {
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    // absent: created below
  }
  if (link) {
    let target: ReturnType<typeof statSync> | undefined;
    try {
      target = statSync(path);
    } catch {
      target = undefined;
    }
    if (target === undefined || target.isFile()) {
      throw new OutputFileError(`${what} ${path} is a symbolic link${target === undefined ? " to nothing" : " to a file"}: tern does not write through links to files; give the file's own path`);
    }
  }
  const mode = constants.O_WRONLY | (truncate ? constants.O_TRUNC : constants.O_APPEND);
  let fd: number;
  let created = false;
  try {
    fd = openSync(path, mode | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    created = true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") throw new OutputFileError(explain(what, path, e));
    try {
      fd = openSync(path, mode | (link ? 0 : constants.O_NOFOLLOW));
    } catch (e2) {
      throw new OutputFileError(explain(what, path, e2));
    }
  }
  return { fd, regular: fstatSync(fd).isFile(), created };
}


const ALERTS_NOT_RECORDED = "alerts not fully written were not recorded as delivered: free space and rerun";

/** A write or fsync failure on `what` (`--output <path>`, `stdout`) as SNK001 with what to do. */
export function writeError(what: string, e: unknown, todo = ALERTS_NOT_RECORDED): AdapterError {
  return new AdapterError("SNK001", "sending", `cannot write ${what}: ${ioFailure(e)}; ${todo}`, { cause: e });
}

/** Writes all of `data` at the file's position (or end, O_APPEND), looping over short writes. */
export function writeFully(fd: number, data: Uint8Array, what: string, todo?: string): void {
  let off = 0;
  try {
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
  } catch (e) {
    throw writeError(what, e, todo);
  }
}

/** fsync(2), its failure as SNK001 (after a failed fsync the written bytes may not be on the disk). */
export function syncFully(fd: number, what: string): void {
  try {
    fsyncSync(fd);
  } catch (e) {
    throw writeError(what, e);
  }
}

function explain(what: string, path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return `${what} ${path}: its directory does not exist; create it or choose another path`;
    case "EISDIR":
      return `${what} ${path} is a directory; give a file path`;
    case "EACCES":
    case "EPERM":
      return `${what} ${path}: permission denied; choose a path you can write`;
    case "EROFS":
      return `${what} ${path}: the file system is read-only; choose another path`;
    case "ELOOP":
      return `${what} ${path} is a symbolic link: tern does not write through links to files; give the file's own path`;
    case "ENOTDIR":
      return `${what} ${path}: a part of the path is not a directory`;
    case "ENOSPC":
    case "EDQUOT":
    case "EIO":
      return `${what} ${path}: ${IO_ERRNO[code]} (${code})`;
    default:
      return `${what} ${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
