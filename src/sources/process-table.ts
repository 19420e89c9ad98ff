// The process table behind converted Linux telemetry (auditd; docs/sources-mapping.md "Process tree"):
// what tern knows about each live process of each host, so that every event of a process carries the same
// `process.entity_id` and its parent's fields, as Elastic Defend's events do.
//
// A process instance starts at an exec (a new program image: Defend gives it a new entity id) or at a fork
// (a copy of its parent, with a new id). Its entity id is derived from (host.id, pid, start time, audit
// serial), so it is the same in every run over the same log. A process whose start tern never saw (it
// started before the log, or its exec was not audited) gets an id derived from (host.id, pid, generation):
// the same id whether it is first met as the actor of an event or as the parent of an exec, which is what
// `sequence by process.parent.entity_id … by process.entity_id` needs. The generation moves on when the
// pid is seen to exit or to run another program without an audited exec (pid reuse).
// The table is bounded (least recently used entries leave first); a process that left it is met again as
// unseen, with a new generation. A follower stores what changed with each batch (`changes()`, the
// `processes` table of the SQLite memory) and restores it on restart (`restore()`), so ids survive it.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** What the table keeps of one process instance. */
export interface ProcessEntry {
  readonly entityId: string;
  readonly pid: number;
  readonly name?: string;
  readonly executable?: string;
  readonly args?: readonly string[];
  readonly userId?: string;
  readonly groupId?: string;
  /** Whether the process has a controlling terminal (auditd: tty= other than "(none)"). */
  readonly interactive?: boolean;
  /** Thread capabilities as the exec that started the instance set them, when the log records them. */
  readonly capabilities?: Capabilities;
  /** The parent's pid and entity id when this instance started (a reparented process keeps them). */
  readonly parent?: { readonly pid: number; readonly entityId: string };
  /** True when the start was not seen. */
  readonly unseen: boolean;
  /** When a seen instance started (event time, audit serial): an older start never replaces it. */
  readonly start?: { readonly ms: number; readonly serial: number };
}

/** `process.thread.capabilities` (names as Defend writes them). */
export interface Capabilities {
  readonly permitted: readonly string[];
  readonly effective: readonly string[];
}

/** The image of a process as one event shows it. */
export interface ProcessImage {
  readonly name?: string;
  readonly executable?: string;
  readonly args?: readonly string[];
  readonly userId?: string;
  readonly groupId?: string;
  readonly interactive?: boolean;
  readonly capabilities?: Capabilities;
}

/** A process found running (a /proc entry). */
export interface RunningProcess {
  readonly pid: number;
  readonly ppid?: number;
  /** When it started, epoch ms (never later than the real start, so none of its events is older). */
  readonly startMs: number;
  readonly image: ProcessImage;
}

/** Most processes kept per table (all hosts together). */
export const MAX_PROCESSES = 65_536;

/** An entity id: 22 characters of base64url over SHA-256 of the parts (Defend's ids are opaque base64 too). */
export function entityIdOf(...parts: readonly (string | number)[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 22);
}

/** A stable host.id from a host name, in /etc/machine-id's shape (32 lowercase hex digits). */
export function hostIdFromName(name: string): string {
  return createHash("sha256").update(`tern host\u0000${name}`).digest("hex").slice(0, 32);
}

/** This machine's /etc/machine-id (systemd's host identity, what Elastic Agent reports as host.id), if readable. */
export function localMachineId(path = "/etc/machine-id"): string | undefined {
  try {
    const id = readFileSync(path, "utf8").trim();
    return /^[0-9a-f]{32}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** One key's stored state: its live instance (none once it ended or left the table) and generation. */
export interface ProcessRow {
  readonly key: string;
  readonly entry: ProcessEntry | undefined;
  readonly gen: number;
}

export class ProcessTable {
  private readonly live = new Map<string, ProcessEntry>();
  /** host|pid → generation for unseen instances (moves on at exit and at unexplained image changes). */
  private readonly generations = new Map<string, number>();
  /** Keys whose instance or generation changed since `changes()` last drained them. */
  private readonly changed = new Set<string>();
  /** While an event is rebuilt (a late record completed it), instances are neither created nor ended. */
  private frozen = false;

  constructor(private readonly max = MAX_PROCESSES) {}

  /** A table as stored (`changes()` rows written earlier); loading marks nothing as changed. */
  static restore(rows: Iterable<ProcessRow>, max = MAX_PROCESSES): ProcessTable {
    const t = new ProcessTable(max);
    for (const r of rows) {
      if (r.gen !== 0) t.generations.set(r.key, r.gen);
      if (r.entry !== undefined) t.live.set(r.key, r.entry);
    }
    return t;
  }

  /** What changed since the last call (to store with the events that changed it), and forget it. */
  changes(): ProcessRow[] {
    const out = [...this.changed].map((key) => ({ key, entry: this.live.get(key), gen: this.generations.get(key) ?? 0 }));
    this.changed.clear();
    return out;
  }

  /**
   * Runs `fn` (the conversion of an event already converted once) without creating, replacing or ending
   * any instance: a rebuilt event must not undo what later events did, such as a newer exec in the same pid.
   * An instance may still learn its image (an exec whose EXECVE record came late gets its args).
   */
  rebuilding<T>(fn: () => T): T {
    const was = this.frozen;
    this.frozen = true;
    try {
      return fn();
    } finally {
      this.frozen = was;
    }
  }

  get size(): number {
    return this.live.size;
  }

  /**
   * The instance of `pid` on `host` that an event at `at` (time, audit serial) saw: the current one, or an
   * unseen one created (with `image`) when none is known. An event older than the current instance's start
   * belongs to an earlier process under that pid, which the table did not keep: it gets an id of its own
   * (derived from the instance that followed it) and changes nothing.
   */
  lookup(host: string, pid: number, image: ProcessImage = {}, parentPid?: number, at?: { readonly ms: number; readonly serial: number }): ProcessEntry {
    const key = `${host}|${pid}`;
    const known = this.live.get(key);
    if (known !== undefined && at !== undefined && startedAfter(known, at.ms, at.serial)) {
      return { entityId: entityIdOf(host, pid, "before", known.entityId), pid, ...image, unseen: true };
    }
    if (known !== undefined) {
      // Another program under the same pid with no exec in between: the pid was reused unseen.
      const reused = image.executable !== undefined && known.executable !== undefined && withoutDeleted(image.executable) !== withoutDeleted(known.executable);
      // A rebuilt event met another program here: it is older than the instance now live; leave that one be.
      if (reused && this.frozen) return { entityId: entityIdOf(host, pid, "unseen", this.generations.get(key) ?? 0), pid, ...image, unseen: true };
      if (!reused) {
        // An instance first met as someone's parent learns its image from its own events.
        const learned = known.unseen && known.executable === undefined && image.executable !== undefined ? { ...known, ...image } : known;
        this.touch(key, learned);
        return learned;
      }
      this.bump(key);
    }
    const parent = parentPid === undefined || parentPid === pid ? undefined : this.lookup(host, parentPid);
    const entry: ProcessEntry = { entityId: entityIdOf(host, pid, "unseen", this.generations.get(key) ?? 0), pid, ...image, parent: parent && { pid: parent.pid, entityId: parent.entityId }, unseen: true };
    this.touch(key, entry);
    return entry;
  }

  /** A new program image in `pid` (exec), started at `startMs` (audit serial `serial`): a new instance. */
  exec(host: string, pid: number, parentPid: number | undefined, startMs: number, serial: number, image: ProcessImage): { self: ProcessEntry; parent?: ProcessEntry } {
    const key = `${host}|${pid}`;
    const before = this.live.get(key);
    // Defend's exec event names as parent the process that forked this one, not the image exec replaced.
    const parent = parentPid === undefined || parentPid === pid ? undefined : this.lookup(host, parentPid, {}, undefined, { ms: startMs, serial });
    const self: ProcessEntry = {
      entityId: entityIdOf(host, pid, startMs, serial),
      pid,
      ...image,
      parent: parent !== undefined ? { pid: parent.pid, entityId: parent.entityId } : before?.parent,
      unseen: false,
      start: { ms: startMs, serial },
    };
    if (!startedAfter(before, startMs, serial)) this.touch(key, self);
    return { self, parent };
  }

  /** A child created by fork/clone: a copy of the parent's image (as the fork's record shows it), a new instance. */
  fork(host: string, parentPid: number, parentImage: ProcessImage, grandParentPid: number | undefined, childPid: number, startMs: number, serial: number): { self: ProcessEntry; parent: ProcessEntry } {
    const parent = this.lookup(host, parentPid, parentImage, grandParentPid, { ms: startMs, serial });
    const self: ProcessEntry = {
      entityId: entityIdOf(host, childPid, startMs, serial, "fork"),
      pid: childPid,
      name: parent.name,
      executable: parent.executable,
      args: parent.args,
      userId: parent.userId,
      groupId: parent.groupId,
      interactive: parent.interactive,
      capabilities: parent.capabilities,
      parent: { pid: parent.pid, entityId: parent.entityId },
      unseen: false,
      start: { ms: startMs, serial },
    };
    const key = `${host}|${childPid}`;
    if (!startedAfter(this.live.get(key), startMs, serial)) this.touch(key, self);
    return { self, parent };
  }

  /**
   * The current instance's user and group ids changed (setuid family); the same instance. Returns which
   * changed as far as the table knew them (an id it never knew counts as changed).
   */
  changeIds(host: string, pid: number, ids: { readonly userId?: string; readonly groupId?: string }): { user: boolean; group: boolean } {
    const key = `${host}|${pid}`;
    const e = this.live.get(key);
    const user = ids.userId !== undefined && e?.userId !== ids.userId;
    const group = ids.groupId !== undefined && e?.groupId !== ids.groupId;
    if (e !== undefined && (user || group)) this.touch(key, { ...e, ...(user ? { userId: ids.userId } : {}), ...(group ? { groupId: ids.groupId } : {}) });
    return { user, group };
  }

  /** The process ended at (`ms`, `serial`): the pid's next instance is a new one. */
  exit(host: string, pid: number, ms: number, serial: number): void {
    const key = `${host}|${pid}`;
    if (this.frozen || startedAfter(this.live.get(key), ms, serial)) return;
    if (this.live.delete(key)) this.bump(key);
  }

  private bump(key: string): void {
    if (this.frozen) return;
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.changed.add(key);
  }

  /**
   * Processes running when tern started (read from /proc: proc-seed.ts), as instances with a known start.
   * A pid the table already holds keeps its instance unless that one is older than the running process
   * (the pid was reused since) or, unseen, showed another program.
   */
  seed(host: string, running: readonly RunningProcess[]): number {
    // First which pids keep their instance (and so their id), then the instances with their parents' ids.
    const ids = new Map<number, string>();
    const fresh: RunningProcess[] = [];
    const completed: RunningProcess[] = [];
    for (const r of running) {
      const known = this.live.get(`${host}|${r.pid}`);
      const stale =
        known === undefined ||
        (known.start !== undefined ? known.start.ms < r.startMs : r.image.executable !== undefined && known.executable !== undefined && withoutDeleted(known.executable) !== withoutDeleted(r.image.executable));
      if (stale) {
        ids.set(r.pid, entityIdOf(host, r.pid, r.startMs, "proc"));
        fresh.push(r);
      } else {
        ids.set(r.pid, known.entityId);
        // an unseen instance (its id may be in events already) learns what it lacked
        if (known.unseen) completed.push(r);
      }
    }
    const parentOf = (r: RunningProcess) => {
      const id = r.ppid === undefined ? undefined : ids.get(r.ppid);
      return r.ppid !== undefined && id !== undefined ? { pid: r.ppid, entityId: id } : undefined;
    };
    for (const r of fresh) {
      this.touch(`${host}|${r.pid}`, { entityId: entityIdOf(host, r.pid, r.startMs, "proc"), pid: r.pid, ...r.image, parent: parentOf(r), unseen: false, start: { ms: r.startMs, serial: -1 } });
    }
    for (const r of completed) {
      const key = `${host}|${r.pid}`;
      const known = this.live.get(key);
      if (known !== undefined) this.touch(key, { ...r.image, parent: parentOf(r), ...withoutUndefined(known) });
    }
    return fresh.length + completed.length;
  }

  /** Current instance of a pid without creating one. */
  peek(host: string, pid: number): ProcessEntry | undefined {
    return this.live.get(`${host}|${pid}`);
  }

  private touch(key: string, entry: ProcessEntry): void {
    if (this.frozen && this.live.get(key)?.entityId !== entry.entityId) return;
    if (this.live.get(key) !== entry) this.changed.add(key);
    this.live.delete(key);
    this.live.set(key, entry);
    if (this.live.size > this.max) {
      const oldest = this.live.keys().next().value;
      if (oldest !== undefined) {
        this.live.delete(oldest);
        this.bump(oldest);
      }
    }
  }
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Whether `e` is an instance seen starting after (`ms`, `serial`) — so an event at that time is older than it. */
function startedAfter(e: ProcessEntry | undefined, ms: number, serial: number): boolean {
  return e?.start !== undefined && (e.start.ms > ms || (e.start.ms === ms && e.start.serial > serial));
}

/** The kernel names a running program whose file was unlinked "PATH (deleted)": still the same program. */
function withoutDeleted(exe: string): string {
  return exe.endsWith(" (deleted)") ? exe.slice(0, -" (deleted)".length) : exe;
}

/** `process.parent.*` (ECS) of an entry's parent, from what the table knows of it. */
export function parentFields(parent: ProcessEntry | undefined, pid: number | undefined): Record<string, unknown> | undefined {
  if (parent === undefined) return pid === undefined ? undefined : { pid };
  const out: Record<string, unknown> = { pid: parent.pid, entity_id: parent.entityId };
  if (parent.name !== undefined) out.name = parent.name;
  if (parent.executable !== undefined) out.executable = parent.executable;
  if (parent.args !== undefined && parent.args.length > 0) {
    out.args = [...parent.args];
    out.args_count = parent.args.length;
    out.command_line = parent.args.join(" ");
  }
  if (parent.userId !== undefined) out.user = { id: parent.userId };
  if (parent.groupId !== undefined) out.group = { id: parent.groupId };
  if (parent.interactive !== undefined) out.interactive = parent.interactive;
  return out;
}
