// Sysmon for Linux syslog lines → ECS (docs/sources.md §5.1, §6.7). Each event is one syslog line whose
// message is Sysmon's <Event> XML. Mapped: EventID 1 (process create → process start "exec"), 5 (process
// terminated → process end "end"), 3 (network connect), 11 (file create → "creation"), 23 and 26 (file
// delete → "deletion"); other IDs yield nothing. ProcessGuid is process.entity_id.
// process.name is basename(Image) (not the syslog tag "sysmon"); @timestamp is UtcTime read as UTC (the
// syslog header is local time without a year, so it is never used). "-" and "(null)" mean absent.

import type { EventDoc } from "../../event/types.js";
import { baseName, fileFieldsOf } from "../ecs-normalize/file-fields.js";
import { hostIdFromName } from "../process-table.js";
import { commandLineArgs } from "./command-line.js";

export class MalformedSysmonError extends Error {}

export interface SysmonEvent {
  readonly eventId: number;
  readonly systemTime?: string;
  readonly computer?: string;
  readonly recordId?: string;
  readonly data: ReadonlyMap<string, string>;
}

const ENTITY: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (!e.startsWith("#")) return ENTITY[e] ?? "";
    const cp = e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    // XML allows references to Unicode characters only (not NUL, not surrogates, not past U+10FFFF)
    if (!(cp >= 1 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) throw new MalformedSysmonError(`Sysmon <Event> has a character reference to no character: &${e};`);
    return String.fromCodePoint(cp);
  });
}

/** The <Event>…</Event> of a line, parsed; undefined when the line carries no event (daemon messages). */
export function parseSysmonLine(line: string): SysmonEvent | undefined {
  const start = line.indexOf("<Event>");
  if (start < 0) return undefined;
  const end = line.indexOf("</Event>", start);
  if (end < 0) throw new MalformedSysmonError("Sysmon <Event> is not closed (the syslog message was probably truncated)");
  const xml = line.slice(start, end);
  const id = /<EventID>(\d+)<\/EventID>/.exec(xml);
  if (id === null) throw new MalformedSysmonError("Sysmon <Event> has no <EventID>");
  const data = new Map<string, string>();
  const re = /<Data Name="([^"]*)"(?:\/>|>([^<]*)<\/Data>)/g;
  for (let m = re.exec(xml); m !== null; m = re.exec(xml)) data.set(m[1], unescapeXml(m[2] ?? ""));
  const sys = /<TimeCreated SystemTime="([^"]*)"/.exec(xml)?.[1];
  const computer = /<Computer>([^<]*)<\/Computer>/.exec(xml)?.[1];
  const recordId = /<EventRecordID>([^<]*)<\/EventRecordID>/.exec(xml)?.[1];
  const ev: { eventId: number; data: Map<string, string>; systemTime?: string; computer?: string; recordId?: string } = { eventId: Number(id[1]), data };
  if (sys !== undefined) ev.systemTime = sys;
  if (computer !== undefined) ev.computer = unescapeXml(computer);
  if (recordId !== undefined) ev.recordId = recordId;
  return ev;
}

function val(ev: SysmonEvent, name: string): string | undefined {
  const v = ev.data.get(name);
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === "" || t === "-" || t === "(null)" ? undefined : t;
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
}

/** "2021-10-24 17:05:38.419" (UTC, no zone) → ISO; falls back to TimeCreated@SystemTime. */
function timestampOf(ev: SysmonEvent): string | undefined {
  const utc = val(ev, "UtcTime");
  const m = utc === undefined ? null : /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(utc);
  if (m !== null) {
    const d = new Date(`${m[1]}T${m[2]}Z`);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  if (ev.systemTime !== undefined) {
    const d = new Date(ev.systemTime);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  return undefined;
}

function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

/** The ECS process fields of Sysmon's `<prefix>ProcessId`, `<prefix>Image`, … (prefix "" or "Parent"). */
function processFields(ev: SysmonEvent, prefix: "" | "Parent"): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  put(p, "pid", num(val(ev, `${prefix}ProcessId`)));
  // Sysmon writes the all-zero GUID when it does not know the process: that joins nothing, so it is absent.
  const guid = val(ev, `${prefix}ProcessGuid`);
  put(p, "entity_id", guid === undefined || /^\{?[0-]+\}?$/.test(guid) ? undefined : guid);
  const image = val(ev, `${prefix}Image`);
  put(p, "executable", image);
  put(p, "name", image === undefined ? undefined : baseName(image));
  const line = val(ev, `${prefix}CommandLine`);
  put(p, "command_line", line);
  const args = line === undefined ? [] : commandLineArgs(line);
  if (args.length > 0) Object.assign(p, { args, args_count: args.length });
  return p;
}

function processOf(ev: SysmonEvent): Record<string, unknown> {
  const p = processFields(ev, "");
  put(p, "working_directory", val(ev, "CurrentDirectory"));
  const parent = processFields(ev, "Parent");
  if (Object.keys(parent).length > 0) p.parent = parent;
  return p;
}

export interface SysmonEcsContext {
  /** event.ingested, ISO text; default the event's own time (a replayed log ingests as it happened). */
  readonly ingested?: string;
  readonly hostname: string;
  /** host.id of events without <Computer> (default: derived from the host name, as for the others). */
  readonly hostId?: string;
  /**
   * The parents of live processes by ProcessGuid (from their ProcessCreate), so that a process's network
   * and file events carry `process.parent.*` too, as Defend's do. Entries leave at ProcessTerminate.
   */
  readonly parents?: Map<string, Record<string, unknown>>;
}

/** Most live processes whose parent a Sysmon source remembers (oldest forgotten first). */
export const MAX_SYSMON_PARENTS = 65_536;

/** The ECS document for a Sysmon event, or undefined for event IDs tern does not map. */
export function sysmonToEcs(ev: SysmonEvent, ctx: SysmonEcsContext): EventDoc | undefined {
  const ts = timestampOf(ev);
  const base = (category: string, type: string, action: string): EventDoc => {
    const doc: EventDoc = {};
    put(doc, "@timestamp", ts);
    doc.event = { kind: "event", module: "sysmon", provider: "Linux-Sysmon", code: String(ev.eventId), category: [category], type: [type], action, ingested: ctx.ingested ?? ts };
    // an empty <Computer/> names no host either
    const own = ev.computer !== undefined && ev.computer !== "" ? ev.computer : undefined;
    const hostName = own ?? ctx.hostname;
    doc.host = { name: hostName, id: own === undefined && ctx.hostId !== undefined ? ctx.hostId : hostIdFromName(hostName), os: { type: "linux" } };
    const user = val(ev, "User");
    if (user !== undefined) doc.user = { name: user };
    const proc = processOf(ev);
    const guid = proc.entity_id;
    const parents = ctx.parents;
    if (parents !== undefined && typeof guid === "string") {
      if (ev.eventId === 1 && proc.parent !== undefined) {
        parents.delete(guid);
        parents.set(guid, proc.parent as Record<string, unknown>);
        if (parents.size > MAX_SYSMON_PARENTS) parents.delete(parents.keys().next().value as string);
      } else if (proc.parent === undefined) {
        const known = parents.get(guid);
        if (known !== undefined) proc.parent = structuredClone(known);
      }
      if (ev.eventId === 5) parents.delete(guid);
    }
    if (Object.keys(proc).length > 0) doc.process = proc;
    if (ev.recordId !== undefined) doc.sysmon = { record_id: num(ev.recordId) ?? ev.recordId };
    return doc;
  };
  switch (ev.eventId) {
    case 1:
      return base("process", "start", "exec");
    case 5:
      return base("process", "end", "end");
    case 3: {
      const initiated = val(ev, "Initiated") === "true";
      const doc = base("network", "start", initiated ? "connection_attempted" : "connection_accepted");
      const source: Record<string, unknown> = {};
      put(source, "ip", val(ev, "SourceIp"));
      put(source, "port", num(val(ev, "SourcePort")));
      put(source, "domain", val(ev, "SourceHostname"));
      const destination: Record<string, unknown> = {};
      put(destination, "ip", val(ev, "DestinationIp"));
      put(destination, "port", num(val(ev, "DestinationPort")));
      put(destination, "domain", val(ev, "DestinationHostname"));
      doc.source = source;
      doc.destination = destination;
      const network: Record<string, unknown> = { direction: initiated ? "egress" : "ingress" };
      put(network, "transport", val(ev, "Protocol"));
      doc.network = network;
      return doc;
    }
    case 11:
    case 23:
    case 26: {
      const target = val(ev, "TargetFilename");
      if (target === undefined) return undefined;
      const creation = ev.eventId === 11;
      const doc = base("file", creation ? "creation" : "deletion", creation ? "creation" : "deletion");
      doc.file = fileFieldsOf(target);
      return doc;
    }
    default:
      return undefined;
  }
}
