// One assembled audit event (the records sharing `msg=audit(ts:serial)`) → ECS documents shaped like
// Elastic Defend's Linux events (docs/sources.md §1, §3, §6.3): file creation / rename / deletion from the
// PATH records' nametype and the syscall, process start from a successful execve ("exec") or fork/vfork/
// clone of a process ("fork"), process end from exit_group ("end"), network connections from connect
// ("connection_attempted") and accept ("connection_accepted") with an Internet SOCKADDR, credential
// changes from the setuid/setgid family ("uid_change", "gid_change"). With a process table (process-table.ts)
// every process carries its entity id and its parent's fields. Groups without a SYSCALL record (logins,
// daemon and config records …) and other syscalls produce nothing.
//
// Paths (§3.1 "Relative names"): a PATH name starting with "/" is used as is. A relative name is resolved
// against a directory: the CWD when the call used AT_FDCWD (or is not an *at() call). When the call used a
// real directory fd, the log does not say which directory that fd was: the kernel writes the PARENT item
// (item 0 for openat/unlinkat/mknodat) with the name of that parent as far as the passed string shows it,
// or the process CWD when the string had no "/" at all. So for a dirfd we take a PARENT item whose
// absolute name differs from the CWD when there is exactly one, else fall back to the CWD, and say which
// we did in `auditd.path_resolution` ("absolute" | "cwd" | "parent" | "dirfd-unresolved").

import { fileFieldsOf, joinPath, baseName, normalizePath } from "../ecs-normalize/file-fields.js";
import type { EventDoc } from "../../event/types.js";
import { decodeArgv, decodeValue, plainValue, type AuditRecord, type AuditValue } from "./record.js";
import { syscallName, type SyscallName } from "./syscalls.js";
import { decodeSockaddr } from "./sockaddr.js";
import { hostIdFromName, parentFields, type Capabilities, type ProcessEntry, type ProcessImage, type ProcessTable } from "../process-table.js";
import { capabilityNames } from "../linux-capabilities.js";

export interface ToEcsContext {
  /** host.name when the records carry no node=. */
  readonly hostname: string;
  /** host.id of records without node= (default: derived from the host name, as for records with node=). */
  readonly hostId?: string;
  /** event.ingested, ISO text; default the event's own time (a replayed log ingests as it happened). */
  readonly ingested?: string;
  /** Gives `process.entity_id` and the parent's fields; without one, events carry the parent's pid only. */
  readonly processes?: ProcessTable;
}

type FileAction = "creation" | "rename" | "deletion";
type PathResolution = "absolute" | "cwd" | "parent" | "dirfd-unresolved";

interface PathItem {
  readonly index: number;
  readonly name: string | undefined;
  readonly nametype: string;
  readonly inode?: string;
  readonly mode?: string;
  readonly ouid?: string;
  readonly ogid?: string;
  readonly ownerName?: string;
  readonly groupName?: string;
}

const AT_FDCWD = new Set(["ffffff9c", "ffffffffffffff9c", "-100"]);
const UNSET_ID = "4294967295";

const CREATE_CALLS = new Set<SyscallName>(["open", "openat", "openat2", "creat", "mknod", "mknodat", "link", "linkat", "symlink", "symlinkat"]);
const RENAME_CALLS = new Set<SyscallName>(["rename", "renameat", "renameat2"]);
const DELETE_CALLS = new Set<SyscallName>(["unlink", "unlinkat", "rmdir"]);
const FORK_CALLS = new Set<SyscallName>(["fork", "vfork", "clone"]);
const SETUID_CALLS = new Set<SyscallName>(["setuid", "setreuid", "setresuid", "setfsuid"]);
const SETGID_CALLS = new Set<SyscallName>(["setgid", "setregid", "setresgid", "setfsgid"]);
const EINPROGRESS = "-115";
/** process.* identity fields from the SYSCALL record: [ECS key, audit field, ENRICHED name]. */
const ID_FIELDS: readonly (readonly [string, string, string])[] = [
  ["user", "euid", "EUID"],
  ["real_user", "uid", "UID"],
  ["saved_user", "suid", "SUID"],
  ["group", "egid", "EGID"],
  ["real_group", "gid", "GID"],
  ["saved_group", "sgid", "SGID"],
];
/** clone(2) flag: the child is a thread of the caller, not a new process. */
const CLONE_THREAD = 0x10000;

/** Which syscall argument holds the dirfd for the created/new name (and, for renames, the old name). */
function dirfdArgs(sc: SyscallName | "other" | undefined): { target?: string; source?: string } {
  switch (sc) {
    case "openat": case "openat2": case "mknodat": case "unlinkat": case "mkdirat": case "execveat":
      return { target: "a0" };
    case "renameat": case "renameat2": case "linkat":
      return { target: "a2", source: "a0" };
    case "symlinkat":
      return { target: "a1" };
    default:
      return {};
  }
}

function isDirectoryMode(mode: string | undefined): boolean {
  if (mode === undefined || !/^[0-7]+$/.test(mode)) return false;
  // Octal st_mode: the S_IFMT bits equal S_IFDIR (040000).
  return (parseInt(mode, 8) & 0o170000) === 0o040000;
}

function field(r: AuditRecord, k: string): string | undefined {
  return plainValue(r.fields.get(k));
}

function toNumber(s: string | undefined): number | undefined {
  if (s === undefined || !/^-?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** EXECVE records → argv: a0… plain, or aN_len + aN[0], aN[1]… chunks (hex), across several records. */
export function execveArgs(records: readonly AuditRecord[]): string[] | undefined {
  const execs = records.filter((r) => r.type === "EXECVE");
  if (execs.length === 0) return undefined;
  const whole = new Map<number, string>();
  const chunks = new Map<number, Map<number, AuditValue>>();
  let argc: number | undefined;
  for (const r of execs) {
    for (const k of r.order) {
      const v = r.fields.get(k);
      if (v === undefined) continue;
      if (k === "argc") {
        argc = toNumber(v.text);
        continue;
      }
      const m = /^a(\d+)(?:\[(\d+)\])?$/.exec(k);
      if (m === null) continue;
      const idx = Number(m[1]);
      if (m[2] === undefined) whole.set(idx, decodeValue(v) ?? "");
      else {
        let c = chunks.get(idx);
        if (c === undefined) chunks.set(idx, (c = new Map()));
        c.set(Number(m[2]), v);
      }
    }
  }
  const n = argc ?? Math.max(-1, ...whole.keys(), ...chunks.keys()) + 1;
  const args: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = chunks.get(i);
    if (c !== undefined) {
      const parts = [...c.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => (v.quoted ? Buffer.from(v.text) : Buffer.from(v.text, "hex")));
      args.push(new TextDecoder().decode(Buffer.concat(parts)));
    } else args.push(whole.get(i) ?? "");
  }
  return args;
}

function pathItems(records: readonly AuditRecord[]): PathItem[] {
  const out: PathItem[] = [];
  for (const r of records) {
    if (r.type !== "PATH") continue;
    const nametype = (field(r, "nametype") ?? field(r, "objtype") ?? "UNKNOWN").toUpperCase();
    const item: PathItem = {
      index: toNumber(field(r, "item")) ?? out.length,
      name: decodeValue(r.fields.get("name")),
      nametype,
      inode: field(r, "inode"),
      mode: field(r, "mode"),
      ouid: field(r, "ouid"),
      ogid: field(r, "ogid"),
      ownerName: r.enriched.get("OUID"),
      groupName: r.enriched.get("OGID"),
    };
    out.push(item);
  }
  return out.sort((a, b) => a.index - b.index);
}

function stripSlash(p: string): string {
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}

function resolvePath(name: string, cwd: string | undefined, dirfd: string | undefined, parents: readonly PathItem[]): { path: string; how: PathResolution } | undefined {
  if (name.startsWith("/")) return { path: normalizePath(name), how: "absolute" };
  const usesCwd = dirfd === undefined || AT_FDCWD.has(dirfd.toLowerCase());
  if (usesCwd) return cwd === undefined ? undefined : { path: joinPath(cwd, name), how: "cwd" };
  const cwdNorm = cwd === undefined ? undefined : stripSlash(normalizePath(cwd));
  const candidates = new Set<string>();
  for (const p of parents) {
    if (p.name === undefined || !p.name.startsWith("/")) continue;
    const dir = stripSlash(normalizePath(p.name));
    if (dir !== cwdNorm) candidates.add(dir);
  }
  if (candidates.size === 1) {
    const [dir] = candidates;
    return { path: joinPath(dir, name), how: "parent" };
  }
  return cwd === undefined ? undefined : { path: joinPath(cwd, name), how: "dirfd-unresolved" };
}

function setIf(obj: Record<string, unknown>, key: string, v: unknown): void {
  if (v !== undefined) obj[key] = v;
}

function processFields(sys: AuditRecord, records: readonly AuditRecord[], cwd: string | undefined, preferExecve: boolean): Record<string, unknown> {
  const proc: Record<string, unknown> = {};
  setIf(proc, "pid", toNumber(field(sys, "pid")));
  const ppid = toNumber(field(sys, "ppid"));
  if (ppid !== undefined) proc.parent = { pid: ppid };
  const comm = decodeValue(sys.fields.get("comm"));
  const exe = decodeValue(sys.fields.get("exe"));
  // process.name is the kernel comm (what ps shows: "ld" for /usr/bin/x86_64-linux-gnu-ld.bfd,
  // "python3" for python3.11); basename(exe) only when comm is missing.
  setIf(proc, "name", comm ?? (exe === undefined ? undefined : baseName(exe)));
  setIf(proc, "executable", exe);
  setIf(proc, "working_directory", cwd);
  // Defend's process.interactive: the process has a controlling terminal (tty=(none) when it has none)
  if (sys.fields.has("tty")) proc.interactive = field(sys, "tty") !== undefined;
  // ECS: process.user is the effective user, real_user and saved_user the others (the same for groups)
  for (const [key, idField, nameKey] of ID_FIELDS) {
    const id = field(sys, idField);
    if (id === undefined || id === UNSET_ID) continue;
    const o: Record<string, unknown> = { id };
    setIf(o, "name", sys.enriched.get(nameKey));
    proc[key] = o;
  }
  const proctitle = records.find((r) => r.type === "PROCTITLE");
  const fromExecve = preferExecve ? execveArgs(records) : undefined;
  const args = fromExecve ?? decodeArgv(proctitle?.fields.get("proctitle"));
  if (args !== undefined && args.length > 0) {
    proc.args = args;
    proc.args_count = args.length;
    proc.command_line = args.join(" ");
  }
  return proc;
}

/** What the process table keeps of the process an event shows (only the fields the event has). */
function imageOf(proc: Record<string, unknown>, sys: AuditRecord): ProcessImage {
  const image: { -readonly [K in keyof ProcessImage]: ProcessImage[K] } = {};
  if (typeof proc.name === "string") image.name = proc.name;
  if (typeof proc.executable === "string") image.executable = proc.executable;
  if (Array.isArray(proc.args)) image.args = proc.args as string[];
  const uid = field(sys, "uid");
  const gid = field(sys, "gid");
  if (uid !== undefined) image.userId = uid;
  if (gid !== undefined) image.groupId = gid;
  if (typeof proc.interactive === "boolean") image.interactive = proc.interactive;
  return image;
}

/**
 * The thread capabilities an exec gave its process, from the BPRM_FCAPS record the kernel writes when a
 * non-root process gains capabilities at exec (file capabilities, set-user-id root): pp= / pe= (new_pp= /
 * new_pe= before Linux 4.3). Without that record the log does not say, and the fields stay absent.
 */
function execCapabilities(records: readonly AuditRecord[]): Capabilities | undefined {
  const r = records.find((x) => x.type === "BPRM_FCAPS");
  if (r === undefined) return undefined;
  const permitted = capabilityNames(field(r, "pp") ?? field(r, "new_pp"));
  const effective = capabilityNames(field(r, "pe") ?? field(r, "new_pe"));
  return permitted === undefined || effective === undefined ? undefined : { permitted, effective };
}

/** The parent's fields for an instance: its current entry when that is still the same instance. */
function knownParent(table: ProcessTable, host: string, self: ProcessEntry): ProcessEntry | undefined {
  if (self.parent === undefined) return undefined;
  const p = table.peek(host, self.parent.pid);
  return p !== undefined && p.entityId === self.parent.entityId ? p : { pid: self.parent.pid, entityId: self.parent.entityId, unseen: true };
}

function userFields(sys: AuditRecord): { user?: Record<string, unknown>; group?: Record<string, unknown> } {
  const user: Record<string, unknown> = {};
  setIf(user, "id", field(sys, "uid"));
  setIf(user, "name", sys.enriched.get("UID"));
  const auid = field(sys, "auid");
  if (auid !== undefined && auid !== UNSET_ID) {
    const audit: Record<string, unknown> = { id: auid };
    const an = sys.enriched.get("AUID");
    if (an !== undefined && an !== "unset") audit.name = an;
    user.audit = audit;
  }
  const euid = field(sys, "euid");
  if (euid !== undefined && euid !== field(sys, "uid")) {
    const eff: Record<string, unknown> = { id: euid };
    setIf(eff, "name", sys.enriched.get("EUID"));
    user.effective = eff;
  }
  const group: Record<string, unknown> = {};
  setIf(group, "id", field(sys, "gid"));
  setIf(group, "name", sys.enriched.get("GID"));
  const out: { user?: Record<string, unknown>; group?: Record<string, unknown> } = {};
  if (Object.keys(user).length > 0) out.user = user;
  if (Object.keys(group).length > 0) out.group = group;
  return out;
}

/** The documents for one assembled audit event, in PATH item order. */
export function auditEventToEcs(records: readonly AuditRecord[], ctx: ToEcsContext): EventDoc[] {
  const sys = records.find((r) => r.type === "SYSCALL");
  if (sys === undefined) return [];
  const success = field(sys, "success");
  const sc = syscallName(field(sys, "arch"), field(sys, "syscall"), sys.enriched.get("SYSCALL"));
  // exit_group never returns: whatever its record says about success, the process ended. A non-blocking
  // connect returns EINPROGRESS (success=no): the connection is being attempted all the same.
  const inProgress = sc === "connect" && field(sys, "exit") === EINPROGRESS;
  if (success !== undefined && success !== "yes" && sc !== "exit_group" && !inProgress) return [];
  const cwdRec = records.find((r) => r.type === "CWD");
  const cwd = cwdRec === undefined ? undefined : decodeValue(cwdRec.fields.get("cwd"));
  const items = pathItems(records);

  const time = new Date(sys.timeMs).toISOString();
  const ingested = ctx.ingested ?? time;
  const hostName = sys.node ?? ctx.hostname;
  const hostId = sys.node === undefined && ctx.hostId !== undefined ? ctx.hostId : hostIdFromName(hostName);
  const table = ctx.processes;
  const pid = toNumber(field(sys, "pid"));
  const ppid = toNumber(field(sys, "ppid"));
  /** The acting process's fields with its entity id and parent (not for exec, which starts an instance). */
  const actor = (proc: Record<string, unknown>): Record<string, unknown> => {
    if (table === undefined || pid === undefined) return proc;
    const self = table.lookup(hostId, pid, imageOf(proc, sys), ppid, { ms: sys.timeMs, serial: sys.serial });
    proc.entity_id = self.entityId;
    if (self.capabilities !== undefined) proc.thread = { capabilities: { permitted: [...self.capabilities.permitted], effective: [...self.capabilities.effective] } };
    // The parent the instance started under (Defend keeps it when the process is re-parented to init).
    const parent = parentFields(knownParent(table, hostId, self), ppid);
    if (parent !== undefined) proc.parent = parent;
    return proc;
  };

  const base = (): EventDoc => {
    const doc: EventDoc = { "@timestamp": time };
    const host = { name: hostName, id: hostId, os: { type: "linux" } };
    const auditd: Record<string, unknown> = { sequence: sys.serial };
    const keyVal = decodeValue(sys.fields.get("key"));
    // Several keys are joined by 0x01; some rule loaders wrote the key as "key=NAME" (strip that prefix).
    if (keyVal !== undefined) auditd.key = keyVal.split("\x01").map((k) => (k.startsWith("key=") ? k.slice(4) : k));
    if (sc !== undefined && sc !== "other") auditd.syscall = sc;
    else {
      const raw = sys.enriched.get("SYSCALL") ?? field(sys, "syscall");
      if (raw !== undefined) auditd.syscall = raw;
    }
    Object.assign(doc, { host, auditd }, userFields(sys));
    return doc;
  };

  if (sc === "execve" || sc === "execveat") {
    const doc = base();
    doc.event = { kind: "event", module: "auditd", category: ["process"], type: ["start"], action: "exec", outcome: "success", ingested };
    const proc = processFields(sys, records, cwd, true);
    const caps = execCapabilities(records);
    if (caps !== undefined) proc.thread = { capabilities: { permitted: [...caps.permitted], effective: [...caps.effective] } };
    if (table !== undefined && pid !== undefined) {
      const { self, parent } = table.exec(hostId, pid, ppid, sys.timeMs, sys.serial, { ...imageOf(proc, sys), ...(caps && { capabilities: caps }) });
      proc.entity_id = self.entityId;
      const pf = parentFields(parent, ppid);
      if (pf !== undefined) proc.parent = pf;
    }
    doc.process = proc;
    return [doc];
  }

  if (sc !== undefined && FORK_CALLS.has(sc as SyscallName)) {
    // fork/vfork/clone return the child's pid to the parent; a clone with CLONE_THREAD makes a thread.
    const child = toNumber(field(sys, "exit"));
    const flags = sc === "clone" ? parseInt(field(sys, "a0") ?? "0", 16) : 0;
    if (table === undefined || pid === undefined || child === undefined || child <= 0 || (flags & CLONE_THREAD) !== 0) return [];
    const { self, parent } = table.fork(hostId, pid, imageOf(processFields(sys, records, cwd, false), sys), ppid, child, sys.timeMs, sys.serial);
    const doc = base();
    doc.event = { kind: "event", module: "auditd", category: ["process"], type: ["start"], action: "fork", outcome: "success", ingested };
    const proc: Record<string, unknown> = { pid: child, entity_id: self.entityId };
    setIf(proc, "name", self.name);
    setIf(proc, "executable", self.executable);
    if (self.args !== undefined && self.args.length > 0) Object.assign(proc, { args: [...self.args], args_count: self.args.length, command_line: self.args.join(" ") });
    proc.parent = parentFields(parent, pid);
    doc.process = proc;
    return [doc];
  }

  if (sc === "connect" || sc === "accept" || sc === "accept4") {
    // connect: the SOCKADDR is where to; accept: the peer that connected. Only Internet addresses count.
    const sa = records.find((r) => r.type === "SOCKADDR");
    const addr = sa === undefined ? undefined : decodeSockaddr(field(sa, "saddr") ?? "");
    if (addr === undefined || (addr.family !== "ipv4" && addr.family !== "ipv6")) return [];
    const outbound = sc === "connect";
    const doc = base();
    doc.event = {
      kind: "event",
      module: "auditd",
      category: ["network"],
      type: ["start"],
      action: outbound ? "connection_attempted" : "connection_accepted",
      outcome: inProgress ? "unknown" : "success",
      ingested,
    };
    doc[outbound ? "destination" : "source"] = { ip: addr.ip, port: addr.port };
    doc.network = { direction: outbound ? "egress" : "ingress", type: addr.family };
    doc.process = actor(processFields(sys, records, cwd, false));
    return [doc];
  }

  if (sc !== undefined && (SETUID_CALLS.has(sc as SyscallName) || SETGID_CALLS.has(sc as SyscallName))) {
    // The record's ids are the process's after the call. Defend reports a change, so a call that left
    // the ids the table knew as they were is no event; ids the table never knew count as changed.
    if (table === undefined || pid === undefined) return [];
    const isUid = SETUID_CALLS.has(sc as SyscallName);
    // compared before `actor` meets the process: a process first met here takes the new ids from this record
    const changed = table.changeIds(hostId, pid, isUid ? { userId: field(sys, "uid") } : { groupId: field(sys, "gid") });
    const proc = actor(processFields(sys, records, cwd, false));
    if (isUid ? !changed.user : !changed.group) return [];
    const doc = base();
    doc.event = { kind: "event", module: "auditd", category: ["process"], type: ["change"], action: isUid ? "uid_change" : "gid_change", outcome: "success", ingested };
    doc.process = proc;
    return [doc];
  }

  if (sc === "exit_group") {
    // The process ends (exit_group never returns, so the record carries no success=).
    if (table === undefined || pid === undefined) return [];
    const doc = base();
    doc.event = { kind: "event", module: "auditd", category: ["process"], type: ["end"], action: "end", outcome: "success", ingested };
    doc.process = actor(processFields(sys, records, cwd, false));
    table.exit(hostId, pid, sys.timeMs, sys.serial);
    return [doc];
  }

  // Decide the file action: by syscall when known; on an arch tern has no table for (and no ENRICHED
  // name), by the shape of the PATH items (a DELETE plus a CREATE is a rename).
  const creates = items.filter((i) => i.nametype === "CREATE" && !isDirectoryMode(i.mode));
  const deletes = items.filter((i) => i.nametype === "DELETE" && !isDirectoryMode(i.mode));
  let action: FileAction | undefined;
  if (sc === undefined) {
    if (creates.length > 0 && deletes.length > 0) action = "rename";
    else if (creates.length > 0) action = "creation";
    else if (deletes.length > 0) action = "deletion";
  } else if (sc !== "other") {
    if (RENAME_CALLS.has(sc) && creates.length > 0) action = "rename";
    else if (CREATE_CALLS.has(sc) && creates.length > 0) action = "creation";
    else if (DELETE_CALLS.has(sc) && deletes.length > 0) action = "deletion";
  }
  if (action === undefined) return [];

  const parents = items.filter((i) => i.nametype === "PARENT");
  const fd = dirfdArgs(sc);
  const targetDirfd = fd.target === undefined ? undefined : field(sys, fd.target);
  const sourceDirfd = fd.source === undefined ? undefined : field(sys, fd.source);
  const eventType = action === "creation" ? "creation" : action === "rename" ? "change" : "deletion";
  const targets = action === "deletion" ? deletes : creates;
  const docs: EventDoc[] = [];
  for (const t of targets) {
    if (t.name === undefined) continue;
    const resolved = resolvePath(t.name, cwd, action === "deletion" ? targetDirfd ?? sourceDirfd : targetDirfd, parents);
    if (resolved === undefined) continue;
    const doc = base();
    doc.event = { kind: "event", module: "auditd", category: ["file"], type: [eventType], action, outcome: "success", ingested };
    const file: Record<string, unknown> = { ...fileFieldsOf(resolved.path) };
    setIf(file, "inode", t.inode);
    setIf(file, "mode", t.mode);
    setIf(file, "uid", t.ouid);
    setIf(file, "gid", t.ogid);
    setIf(file, "owner", t.ownerName);
    setIf(file, "group", t.groupName);
    if (action === "rename") {
      // The old name is the DELETE item for the same inode (another DELETE is a replaced target).
      const old = deletes.find((d) => d.inode !== undefined && d.inode === t.inode) ?? deletes[0];
      if (old?.name !== undefined) {
        const oldResolved = resolvePath(old.name, cwd, sourceDirfd, parents);
        if (oldResolved !== undefined) file.Ext = { original: fileFieldsOf(oldResolved.path) };
      }
    }
    doc.file = file;
    doc.process = actor(processFields(sys, records, cwd, false));
    (doc.auditd as Record<string, unknown>).path_resolution = resolved.how;
    docs.push(doc);
  }
  return docs;
}
