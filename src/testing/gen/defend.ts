// Builders for Linux endpoint events in Elastic Defend's shape (docs/sources.md §1.2–§1.4): file events
// (creation/rename/deletion — Defend on Linux has no modification events, §1.1), process exec/fork/end and
// network connection events, with the agent, host, user and process fields a real capture carries.
// Shared by the benchmark generator (bench.ts) and the example dataset (examples.ts).

import type { Rng } from "./rng.js";

export type OsFamily = "debian" | "rhel" | "ubuntu";

export interface GenHost {
  readonly name: string;
  readonly id: string;
  readonly agentId: string;
  readonly ip: readonly string[];
  readonly mac: readonly string[];
  readonly family: OsFamily;
  /** The host sub-object as it goes into every event (shared, never mutated). */
  readonly doc: Readonly<Record<string, unknown>>;
  readonly agentDoc: Readonly<Record<string, unknown>>;
}

export interface GenUser {
  readonly id: string;
  readonly name: string;
}

export interface GenProcess {
  readonly host: GenHost;
  readonly pid: number;
  readonly name: string;
  readonly executable: string;
  readonly commandLine: string;
  readonly entityId: string;
  readonly user: GenUser;
  readonly parent?: GenProcess;
  /** The process sub-object of events caused by this process (shared, never mutated). */
  readonly doc: Readonly<Record<string, unknown>>;
  readonly userDoc: Readonly<Record<string, unknown>>;
  readonly groupDoc: Readonly<Record<string, unknown>>;
}

const OS: Record<OsFamily, { name: string; platform: string; version: string; full: string; kernel: string; variant: string }> = {
  debian: { name: "Linux", platform: "debian", version: "12.5", full: "Debian 12.5", kernel: "6.1.0-21-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)", variant: "Debian" },
  ubuntu: { name: "Linux", platform: "ubuntu", version: "22.04.4", full: "Ubuntu 22.04.4", kernel: "5.15.0-107-generic #117-Ubuntu SMP Fri Apr 26 12:26:49 UTC 2024", variant: "Ubuntu" },
  rhel: { name: "Linux", platform: "rhel", version: "9.4", full: "Red Hat Enterprise Linux 9.4", kernel: "5.14.0-427.16.1.el9_4.x86_64 #1 SMP PREEMPT_DYNAMIC", variant: "Red Hat Enterprise Linux" },
};

function uuidFrom(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[rng.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function makeHost(rng: Rng, name: string, family: OsFamily, ip: string): GenHost {
  const id = rng.hex(32);
  const agentId = uuidFrom(rng);
  const macTail = ip.split(".").map((n) => Number(n).toString(16).padStart(2, "0"));
  const mac = [`02-42-${macTail.join("-")}`];
  const os = OS[family];
  const doc = {
    hostname: name,
    name,
    id,
    architecture: "x86_64",
    ip: ["127.0.0.1", "::1", ip],
    mac,
    os: { type: "linux", name: os.name, family: family === "ubuntu" ? "debian" : family, platform: os.platform, version: os.version, full: os.full, kernel: os.kernel, Ext: { variant: os.variant } },
  };
  const agentDoc = { id: agentId, type: "endpoint", version: "8.14.1" };
  return { name, id, agentId, ip: doc.ip, mac, family, doc, agentDoc };
}

function entityId(host: GenHost, pid: number, startSec: number): string {
  return Buffer.from(`${host.agentId}-${pid}-${startSec}`).toString("base64");
}

/** A process on a host; `parent` gives the Defend parent/ancestry fields. */
export function makeProcess(
  host: GenHost,
  pid: number,
  executable: string,
  commandLine: string,
  user: GenUser,
  startSec: number,
  parent?: GenProcess,
): GenProcess {
  const name = executable.slice(executable.lastIndexOf("/") + 1);
  const eid = entityId(host, pid, startSec);
  const ancestry: string[] = [];
  for (let p = parent; p !== undefined && ancestry.length < 5; p = p.parent) ancestry.push(p.entityId);
  const doc: Record<string, unknown> = { pid, name, executable, command_line: commandLine, args: commandLine.split(" "), working_directory: user.name === "root" ? "/root" : `/home/${user.name}`, entity_id: eid };
  if (parent !== undefined) {
    doc.parent = { pid: parent.pid, name: parent.name, executable: parent.executable, entity_id: parent.entityId };
    doc.Ext = { ancestry };
  }
  const userDoc = { id: user.id, name: user.name, Ext: { real: { id: user.id, name: user.name } } };
  const groupDoc = { id: user.id, name: user.name, Ext: { real: { id: user.id, name: user.name } } };
  return { host, pid, name, executable, commandLine, entityId: eid, user, parent, doc, userDoc, groupDoc };
}

/** `@timestamp` with Defend's 7 fractional digits: the millisecond time plus 4 more digits. */
export function defendTime(ms: number, sub: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(sub % 10000).padStart(4, "0")}Z`;
}

/** `event.ingested` at whole seconds, as the real capture shows (docs/sources.md §1.3). */
export function secondsTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `event.ingested` at milliseconds (the benchmark uses it to keep ingest times distinct). */
export function millisTime(ms: number): string {
  return new Date(ms).toISOString();
}

export interface EventTimes {
  /** Formatted @timestamp (and event.created). */
  readonly timestamp: string;
  /** Formatted event.ingested. */
  readonly ingested: string;
  readonly sequence: number;
  /** event.id */
  readonly id: string;
}

function base(kind: "file" | "process" | "network", host: GenHost, t: EventTimes, action: string, category: string, type: readonly string[], outcome: string): Record<string, unknown> {
  return {
    "@timestamp": t.timestamp,
    agent: host.agentDoc,
    data_stream: { type: "logs", dataset: `endpoint.events.${kind}`, namespace: "default" },
    ecs: { version: "8.10.0" },
    elastic: { agent: { id: host.agentId } },
    event: {
      kind: "event",
      module: "endpoint",
      dataset: `endpoint.events.${kind}`,
      action,
      category: [category],
      type,
      outcome,
      id: t.id,
      sequence: t.sequence,
      created: t.timestamp,
      ingested: t.ingested,
      agent_id_status: "verified",
    },
    host: host.doc,
    message: kind === "file" ? "Endpoint file event" : kind === "process" ? "Endpoint process event" : "Endpoint network event",
  };
}

/** file.extension as Defend sets it: after the last dot, absent when the only dot is the first character. */
export function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1) : undefined;
}

export type FileAction = "creation" | "rename" | "deletion";

export interface FileOpts {
  readonly size?: number;
  /** For renames: the path before. */
  readonly originalPath?: string;
  /** ELF files start 7f454c46. */
  readonly elf?: boolean;
  readonly entropy?: number;
}

export function fileEvent(proc: GenProcess, t: EventTimes, action: FileAction, path: string, o: FileOpts = {}): Record<string, unknown> {
  const type = action === "creation" ? ["creation"] : action === "rename" ? ["change"] : ["deletion"];
  const ev = base("file", proc.host, t, action, "file", type, "unknown");
  const name = path.slice(path.lastIndexOf("/") + 1);
  const file: Record<string, unknown> = { path, name };
  const ext = extensionOf(name);
  if (ext !== undefined) file.extension = ext;
  if (action !== "deletion") file.size = o.size ?? 4096;
  const fext: Record<string, unknown> = {};
  if (o.elf === true) fext.header_bytes = "7f454c46020101000000000000000000";
  if (o.entropy !== undefined) fext.entropy = o.entropy;
  if (action === "rename" && o.originalPath !== undefined) {
    const oname = o.originalPath.slice(o.originalPath.lastIndexOf("/") + 1);
    const orig: Record<string, unknown> = { path: o.originalPath, name: oname };
    const oext = extensionOf(oname);
    if (oext !== undefined) orig.extension = oext;
    fext.original = orig;
  }
  if (Object.keys(fext).length > 0) file.Ext = fext;
  ev.file = file;
  ev.process = proc.doc;
  ev.user = proc.userDoc;
  ev.group = proc.groupDoc;
  return ev;
}

export type ProcessAction = "exec" | "fork" | "end";

export function processEvent(proc: GenProcess, t: EventTimes, action: ProcessAction, exitCode = 0): Record<string, unknown> {
  const ev = base("process", proc.host, t, action, "process", action === "end" ? ["end"] : ["start"], "unknown");
  ev.process = action === "end" ? { ...proc.doc, exit_code: exitCode } : proc.doc;
  ev.user = proc.userDoc;
  ev.group = proc.groupDoc;
  return ev;
}

export type NetworkAction = "connection_attempted" | "connection_accepted" | "disconnect_received";

export function networkEvent(proc: GenProcess, t: EventTimes, action: NetworkAction, src: [string, number], dst: [string, number]): Record<string, unknown> {
  const ev = base("network", proc.host, t, action, "network", action === "disconnect_received" ? ["end"] : ["start"], "unknown");
  ev.source = { ip: src[0], port: src[1] };
  ev.destination = { ip: dst[0], port: dst[1] };
  ev.network = { transport: "tcp", type: "ipv4", direction: action === "connection_accepted" ? "ingress" : "egress" };
  ev.process = proc.doc;
  ev.user = proc.userDoc;
  ev.group = proc.groupDoc;
  return ev;
}

export const ROOT: GenUser = { id: "0", name: "root" };
