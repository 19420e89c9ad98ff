// Linux capability sets as the kernel writes them in audit records (BPRM_FCAPS pp=/pe=: a hexadecimal
// bit mask, bit n = capability n of <linux/capability.h>) → the names Elastic Defend reports in
// `process.thread.capabilities.*`.

const NAMES = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
  "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
] as const;

/**
 * The capability names of a hexadecimal mask, lowest bit first; bits the table does not name come out as
 * "CAP_<n>" (a newer kernel). Undefined for text that is not a mask.
 */
export function capabilityNames(mask: string | undefined): string[] | undefined {
  if (mask === undefined || !/^[0-9a-fA-F]{1,16}$/.test(mask)) return undefined;
  const bits = BigInt(`0x${mask}`);
  const out: string[] = [];
  for (let n = 0; n < 64; n++) if ((bits >> BigInt(n)) & 1n) out.push(NAMES[n] ?? `CAP_${n}`);
  return out;
}
