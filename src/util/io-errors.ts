// Errors that mean "the storage cannot take the bytes" (a full disk, a quota, a device error), which every
// writer of files reports as the user's to fix (SNK001, STATE004, STATE005), never as a bug.

/** The errno codes of a storage failure, with the words an error message uses for each. */
export const IO_ERRNO: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  EFBIG: "the file is too large",
  EROFS: "the file system is read-only",
};

/** Why `e` failed, for a message: the words and the code of a storage failure, else the error's own message. */
export function ioFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && IO_ERRNO[code] !== undefined ? `${IO_ERRNO[code]} (${code})` : e instanceof Error ? e.message : String(e);
}
