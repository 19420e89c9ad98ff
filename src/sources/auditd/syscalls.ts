// Syscall numbers → names for the calls tern turns into events (docs/sources.md §3.1 "Syscall numbers"),
// per audit arch. RAW logs carry numbers only; ENRICHED logs carry SYSCALL=name, which wins. Only the
// file-creating, renaming, deleting, exec, process lifecycle (fork/clone, exit), connection (connect,
// accept) and credential (the setuid/setgid family; i386: the 32-bit-id variants) calls are listed: every
// other syscall yields no event.

export type SyscallName =
  | "open" | "openat" | "openat2" | "creat" | "mknod" | "mknodat" | "link" | "linkat" | "symlink" | "symlinkat"
  | "rename" | "renameat" | "renameat2" | "unlink" | "unlinkat" | "rmdir" | "mkdir" | "mkdirat"
  | "execve" | "execveat"
  | "fork" | "vfork" | "clone" | "clone3" | "exit" | "exit_group"
  | "connect" | "accept" | "accept4"
  | "setuid" | "setreuid" | "setresuid" | "setfsuid" | "setgid" | "setregid" | "setresgid" | "setfsgid";

const X86_64: Record<number, SyscallName> = {
  2: "open", 59: "execve", 82: "rename", 83: "mkdir", 84: "rmdir", 85: "creat", 86: "link", 87: "unlink",
  88: "symlink", 133: "mknod", 257: "openat", 258: "mkdirat", 259: "mknodat", 263: "unlinkat", 264: "renameat",
  265: "linkat", 266: "symlinkat", 316: "renameat2", 322: "execveat", 437: "openat2",
  56: "clone", 57: "fork", 58: "vfork", 60: "exit", 231: "exit_group", 435: "clone3",
  42: "connect", 43: "accept", 288: "accept4",
  105: "setuid", 106: "setgid", 113: "setreuid", 114: "setregid", 117: "setresuid", 119: "setresgid", 122: "setfsuid", 123: "setfsgid",
};
// The generic table shared by aarch64 (and riscv64): no open/creat/rename/link/unlink.
const GENERIC: Record<number, SyscallName> = {
  33: "mknodat", 34: "mkdirat", 35: "unlinkat", 36: "symlinkat", 37: "linkat", 38: "renameat", 56: "openat",
  221: "execve", 276: "renameat2", 281: "execveat", 437: "openat2",
  93: "exit", 94: "exit_group", 220: "clone", 435: "clone3",
  202: "accept", 203: "connect", 242: "accept4",
  143: "setregid", 144: "setgid", 145: "setreuid", 146: "setuid", 147: "setresuid", 149: "setresgid", 151: "setfsuid", 152: "setfsgid",
};
const I386: Record<number, SyscallName> = {
  5: "open", 8: "creat", 9: "link", 10: "unlink", 11: "execve", 14: "mknod", 38: "rename", 39: "mkdir", 40: "rmdir",
  83: "symlink", 295: "openat", 296: "mkdirat", 297: "mknodat", 301: "unlinkat", 302: "renameat", 303: "linkat",
  304: "symlinkat", 353: "renameat2", 358: "execveat", 437: "openat2",
  1: "exit", 2: "fork", 120: "clone", 190: "vfork", 252: "exit_group", 435: "clone3",
  362: "connect", 364: "accept4",
  203: "setreuid", 204: "setregid", 208: "setresuid", 210: "setresgid", 213: "setuid", 214: "setgid", 215: "setfsuid", 216: "setfsgid",
};

const BY_ARCH: Record<string, Record<number, SyscallName>> = {
  c000003e: X86_64, x86_64: X86_64,
  c00000b7: GENERIC, aarch64: GENERIC, c00000f3: GENERIC, riscv64: GENERIC,
  "40000003": I386, i386: I386, i686: I386,
};

const NAMES = new Set<string>([...Object.values(X86_64), ...Object.values(GENERIC), ...Object.values(I386)]);

/** The syscall's name, from ENRICHED `SYSCALL=`, a name written in place of the number, or the table. */
export function syscallName(arch: string | undefined, syscall: string | undefined, enrichedName: string | undefined): SyscallName | "other" | undefined {
  const known = (s: string): SyscallName | "other" => (NAMES.has(s) ? (s as SyscallName) : "other");
  if (enrichedName !== undefined && enrichedName !== "") return known(enrichedName);
  if (syscall === undefined) return undefined;
  if (!/^\d+$/.test(syscall)) return known(syscall);
  if (arch === undefined) return undefined;
  const table = BY_ARCH[arch.toLowerCase()];
  if (table === undefined) return undefined;
  return table[Number(syscall)] ?? "other";
}
