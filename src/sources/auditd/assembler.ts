// The pure audit.log reassembler (docs/sources.md §3.1 "Grouping", §7.1): feed it lines, get ECS events.
// Records are grouped by (node, time, serial). auditd never writes EOE to disk, so a group closes when
//   - its PROCTITLE (the kernel's last record of a syscall event) or an EOE arrives;
//   - the serial changes and the group is structurally complete (SYSCALL seen, as many PATH records as
//     its items=, the EXECVE of an execve) — only while the log has shown no PROCTITLE yet, because in a
//     log that has them a complete-looking group may still be waiting for its PROCTITLE;
//   - it falls `serialLag` serials behind the newest serial of its node (interleaving is local);
//   - it has been open `closeAfterMs` (wall clock, `flushExpired()`, for a tailing reader);
//   - more than `maxOpenGroups` are open (the oldest closes), or the input ends (`flush()`).
// A record arriving for a group that already closed (the timeout closed it while the writer paused
// mid-event, or it fell behind newer serials) is counted (`late`), merged, and the event rebuilt: documents
// that are new or differ from those already emitted are emitted (again) under their index, so with the
// same ids (`rebuilt`). A late record that conflicts with one the event has is reported through `onLate`
// (a bad line): nothing is dropped silently. The last 4,096 closed groups are kept for this; records of events emitted
// before a restart (`markClosed`) are dropped, as the follower re-reads them by design. Nothing here does
// I/O: `now` is injected so tests control time.

import { hostname as osHostname } from "node:os";
import type { EventDoc, LineLocation } from "../../event/types.js";
import { MalformedRecordError, parseAuditRecord, plainValue, type AuditRecord } from "./record.js";
import { auditEventToEcs } from "./to-ecs.js";
import { syscallName } from "./syscalls.js";
import { ProcessTable } from "../process-table.js";
import { isJsonObject } from "../../util/json-object.js";

export interface AuditdAssemblerOptions {
  /** host.name for records without node= (default: this machine's hostname). */
  readonly hostname?: string;
  /** Wall clock in epoch ms, for timeouts and wall-clock event.ingested (default Date.now). */
  readonly now?: () => number;
  /** Close a group open this long (default 2000 ms). */
  readonly closeAfterMs?: number;
  /** Close groups this many serials behind the newest (default 64). */
  readonly serialLag?: number;
  /** Upper bound on open groups (default 4096). */
  readonly maxOpenGroups?: number;
  /** A line that is not an audit record. */
  readonly onMalformed?: (loc: LineLocation, message: string) => void;
  /** A record that came after its event was emitted and changes it (or could not be merged). */
  readonly onLate?: (loc: LineLocation, message: string) => void;
  /** host.id of records without node= (default: derived from the host name). */
  readonly hostId?: string;
  /**
   * event.ingested: "event" (default) — the event's own time, so a replayed log ingests as it happened;
   * "wall-clock" — when tern closed the event (a live log being followed).
   */
  readonly ingested?: "event" | "wall-clock";
  /** The process table (default: a new one per assembler). */
  readonly processes?: ProcessTable;
}

export interface AssembledEvent {
  readonly doc: EventDoc;
  /** The first line of the audit event. */
  readonly loc: LineLocation;
  /** Position of this document among those made from the same audit event. */
  readonly index: number;
  /** The audit event's identity, `node|time|serial` (a follower remembers what it emitted by it). */
  readonly key: string;
}

export interface AssemblerStats {
  records: number;
  /** Audit events closed (with or without resulting documents). */
  groups: number;
  malformed: number;
  /** Records for a group that had already closed. */
  late: number;
  /** Documents emitted again because a late record completed or changed them. */
  rebuilt: number;
  /** Blank lines (skipped silently). */
  blank: number;
}

/** A closed group: its records and the documents it emitted (without event.ingested). */
interface Closed {
  readonly group: Group;
  emitted: string[];
  readonly closedAt: number;
}

interface Group {
  readonly key: string;
  readonly node: string;
  readonly serial: number;
  readonly loc: LineLocation;
  readonly openedAt: number;
  readonly records: AuditRecord[];
  items: number;
  paths: number;
  hasSyscall: boolean;
  isExec: boolean;
  hasExecve: boolean;
}

const RECENT_CLOSED = 4096;
// The record types whose fields tern reads; others (AVC, USER_*, CAPSET …) keep only their
// header, which still groups them and counts them, at a fraction of the parsing cost.
const USED_TYPES = new Set(["SYSCALL", "PATH", "CWD", "EXECVE", "PROCTITLE", "SOCKADDR", "BPRM_FCAPS", "EOE"]);
const fieldsFor = (type: string): boolean => USED_TYPES.has(type);

export class AuditdAssembler {
  readonly stats: AssemblerStats = { records: 0, groups: 0, malformed: 0, late: 0, rebuilt: 0, blank: 0 };
  private readonly open = new Map<string, Group>();
  /** Recently closed groups, with what a late record needs to rebuild them (undefined: closed before a restart). */
  private readonly recentlyClosed = new Map<string, Closed | undefined>();
  private readonly newestSerial = new Map<string, number>();
  private sawProctitle = false;
  private lastKey: string | undefined;
  private readonly host: string;
  private readonly now: () => number;
  private readonly closeAfterMs: number;
  private readonly serialLag: number;
  private readonly maxOpen: number;
  private readonly onMalformed: ((loc: LineLocation, message: string) => void) | undefined;
  private readonly onLate: ((loc: LineLocation, message: string) => void) | undefined;
  private readonly hostId: string | undefined;
  private readonly wallClockIngest: boolean;
  readonly processes: ProcessTable;

  constructor(opts: AuditdAssemblerOptions = {}) {
    this.hostId = opts.hostId;
    this.wallClockIngest = opts.ingested === "wall-clock";
    this.processes = opts.processes ?? new ProcessTable();
    this.host = opts.hostname ?? osHostname();
    this.now = opts.now ?? Date.now;
    this.closeAfterMs = opts.closeAfterMs ?? 2000;
    this.serialLag = opts.serialLag ?? 64;
    this.maxOpen = opts.maxOpenGroups ?? 4096;
    this.onMalformed = opts.onMalformed;
    this.onLate = opts.onLate;
  }

  /** Number of audit events still waiting for records. */
  get pending(): number {
    return this.open.size;
  }

  feed(line: string, loc: LineLocation): AssembledEvent[] {
    if (line.trim() === "") {
      this.stats.blank++;
      return [];
    }
    let rec: AuditRecord;
    try {
      rec = parseAuditRecord(line, { fieldsFor });
    } catch (e) {
      if (!(e instanceof MalformedRecordError)) throw e;
      this.stats.malformed++;
      this.onMalformed?.(loc, e.message);
      return [];
    }
    this.stats.records++;
    const node = rec.node ?? "";
    const key = `${node}|${rec.stamp}|${rec.serial}`;
    const out: AssembledEvent[] = [];

    const newest = this.newestSerial.get(node);
    if (newest !== undefined && rec.serial + 1_000_000 < newest) {
      // The kernel restarts serials at boot: everything open belongs to the previous boot.
      this.closeWhere((g) => g.node === node, out);
      this.newestSerial.set(node, rec.serial);
    } else if (newest === undefined || rec.serial > newest) this.newestSerial.set(node, rec.serial);

    if (key !== this.lastKey) {
      this.lastKey = key;
      const top = this.newestSerial.get(node) ?? rec.serial;
      this.closeWhere((g) => g.key !== key && ((!this.sawProctitle && complete(g)) || (g.node === node && g.serial + this.serialLag < top)), out);
    }

    let g = this.open.get(key);
    if (g === undefined) {
      if (this.recentlyClosed.has(key)) {
        this.stats.late++;
        this.late(key, rec, loc, out);
        return out;
      }
      g = { key, node, serial: rec.serial, loc, openedAt: this.now(), records: [], items: 0, paths: 0, hasSyscall: false, isExec: false, hasExecve: false };
      this.open.set(key, g);
      if (this.open.size > this.maxOpen) {
        const oldest = this.open.values().next().value;
        if (oldest !== undefined) this.close(oldest, out);
      }
    }
    g.records.push(rec);
    switch (rec.type) {
      case "SYSCALL": {
        g.hasSyscall = true;
        g.items = Number(plainValue(rec.fields.get("items")) ?? "0") || 0;
        const sc = syscallName(plainValue(rec.fields.get("arch")), plainValue(rec.fields.get("syscall")), rec.enriched.get("SYSCALL"));
        g.isExec = sc === "execve" || sc === "execveat";
        break;
      }
      case "PATH":
        g.paths++;
        break;
      case "EXECVE":
        g.hasExecve = true;
        break;
      case "PROCTITLE":
        this.sawProctitle = true;
        this.close(g, out);
        break;
      case "EOE":
        this.close(g, out);
        break;
      default:
        break;
    }
    return out;
  }

  /** First line of the oldest audit event still open (a follower's restart point), if any. */
  oldestOpen(): LineLocation | undefined {
    return this.open.values().next().value?.loc;
  }

  /** Treats these audit events as already closed: their records are dropped as late (resume after a restart). */
  markClosed(keys: Iterable<string>): void {
    for (const k of keys) this.remember(k, undefined);
  }

  /** Closes groups open for closeAfterMs or longer (call periodically when tailing). */
  flushExpired(): AssembledEvent[] {
    const out: AssembledEvent[] = [];
    const t = this.now();
    this.closeWhere((g) => t - g.openedAt >= this.closeAfterMs, out);
    return out;
  }

  /** A record for a closed group: merged into a timed-out group, else reported. */
  private late(key: string, rec: AuditRecord, loc: LineLocation, out: AssembledEvent[]): void {
    const t = this.recentlyClosed.get(key);
    // An event emitted before a restart: the follower re-reads its records from the stored position.
    if (t === undefined) return;
    // A record for a slot the event already has (a repeated line) adds nothing; a conflicting one is reported.
    const twin = t.group.records.find((r) => sameSlot(r, rec));
    if (twin !== undefined) {
      if (JSON.stringify([...twin.fields]) !== JSON.stringify([...rec.fields])) this.onLate?.(loc, `${rec.type} record of audit event ${key} arrived after the event was emitted and conflicts with the one it had (ignored)`);
      return;
    }
    t.group.records.push(rec);
    const before = t.emitted;
    // An event that made documents already made its mark on the process table; converting it again must
    // not undo what later events did there, and its processes keep the identities they were emitted with.
    const docs = before.length === 0 ? this.toDocs(t.group) : this.processes.rebuilding(() => this.toDocs(t.group)).map((doc, i) => keepIdentity(doc, before[i]));
    const now = docs.map(withoutIngested);
    // Documents that are new or changed are emitted again under their index (so with the same id: an alert
    // already made from the earlier version is not made twice; one that needed the late record now can be).
    docs.forEach((doc, index) => {
      if (now[index] !== before[index]) {
        out.push({ doc, loc: t.group.loc, index, key });
        this.stats.rebuilt++;
      }
    });
    t.emitted = now;
  }

  private remember(key: string, t: Closed | undefined): void {
    this.recentlyClosed.delete(key);
    this.recentlyClosed.set(key, t);
    if (this.recentlyClosed.size > RECENT_CLOSED) {
      const first = this.recentlyClosed.keys().next().value;
      if (first !== undefined) this.recentlyClosed.delete(first);
    }
  }

  /** Closes every open group, oldest first (end of input). */
  flush(): AssembledEvent[] {
    const out: AssembledEvent[] = [];
    this.closeWhere(() => true, out);
    return out;
  }

  private closeWhere(pred: (g: Group) => boolean, out: AssembledEvent[]): void {
    for (const g of [...this.open.values()]) if (pred(g)) this.close(g, out);
  }

  private close(g: Group, out: AssembledEvent[]): void {
    if (!this.open.delete(g.key)) return;
    this.stats.groups++;
    const docs = this.toDocs(g);
    this.remember(g.key, { group: g, emitted: docs.map(withoutIngested), closedAt: this.now() });
    docs.forEach((doc, index) => out.push({ doc, loc: g.loc, index, key: g.key }));
  }

  private toDocs(g: Group): EventDoc[] {
    return auditEventToEcs(g.records, {
      hostname: this.host,
      hostId: this.hostId,
      ingested: this.wallClockIngest ? new Date(this.now()).toISOString() : undefined,
      processes: this.processes,
    });
  }
}

/** `doc` with the process identity (entity id, parent) of the document first emitted at its place, if any. */
function keepIdentity(doc: EventDoc, first: string | undefined): EventDoc {
  const was = first === undefined ? undefined : (JSON.parse(first) as EventDoc).process;
  const proc = doc.process;
  if (!isJsonObject(was) || !isJsonObject(proc)) return doc;
  const process: Record<string, unknown> = { ...proc };
  for (const k of ["entity_id", "parent"]) {
    if (was[k] === undefined) delete process[k];
    else process[k] = was[k];
  }
  return { ...doc, process };
}

/** Two records of one event that fill the same place (PATH: the same item; EXECVE may span several records). */
function sameSlot(a: AuditRecord, b: AuditRecord): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "PATH") return plainValue(a.fields.get("item")) === plainValue(b.fields.get("item"));
  return a.type !== "EXECVE" || [...a.fields.keys()].join(" ") === [...b.fields.keys()].join(" ");
}

/** A document's JSON without event.ingested (a rebuilt event's ingest time differs, nothing else should). */
function withoutIngested(doc: EventDoc): string {
  const ev = doc.event as Record<string, unknown> | undefined;
  if (ev === undefined || !("ingested" in ev)) return JSON.stringify(doc);
  const { ingested: _ingested, ...rest } = ev;
  return JSON.stringify({ ...doc, event: rest });
}

function complete(g: Group): boolean {
  if (!g.hasSyscall) return true;
  return g.paths >= g.items && (!g.isExec || g.hasExecve);
}
