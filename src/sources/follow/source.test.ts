// --follow source (issue 5 "Conversion and follow"): append after EOF, rotation by rename (old file read to
// its end first), copytruncate, resume from a stored position, and an auditd event whose records straddle
// the stored position (resumed whole, the events already emitted past it not emitted again).

import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { BadLine, InputEvent } from "../../event/types.js";
import type { SourcePosition } from "../types.js";
import { FileTail, isRotatedName } from "./tail.js";
import { followKey, openFollowSource, type FollowOptions, type FollowSource } from "./source.js";
import { openNdjsonSource } from "../ndjson/index.js";
import { kqlPrefilter, kqlRoutedPrefilter } from "../../compile/prefilter/index.js";

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "tern-follow-"));
}

interface Running {
  src: FollowSource;
  events: InputEvent[];
  bad: BadLine[];
  notices: string[];
  /** Positions as the engine would commit them, after each batch. */
  committed: () => readonly { key: string; position: SourcePosition }[];
  done: Promise<void>;
}

function follow(paths: string[], opts: Partial<FollowOptions> = {}): Running {
  const bad: BadLine[] = [];
  const notices: string[] = [];
  const src = openFollowSource(paths, { format: "ecs", pollIntervalMs: 10, onBadLine: (b) => bad.push(b), onNotice: (m) => notices.push(m), ...opts });
  const events: InputEvent[] = [];
  let committed: readonly { key: string; position: SourcePosition }[] = [];
  const done = (async () => {
    for await (const b of src.batches()) {
      events.push(...b);
      committed = src.positions();
    }
  })();
  return { src, events, bad, notices, committed: () => committed, done };
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const head = (text: string) => ({ len: Buffer.byteLength(text), sha1: createHash("sha1").update(text).digest("hex") });
const ns = (r: Running) => r.events.map((e) => e._source.n);
const lines = (...n: number[]) => n.map((i) => `{"n":${i}}\n`).join("");

test("append after EOF: new lines are read as they arrive; a partial line waits for its LF", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, lines(1, 2));
  const r = follow([f]);
  try {
    await until(() => r.events.length === 2, "2 events");
    appendFileSync(f, lines(3) + '{"n":');
    await until(() => r.events.length === 3, "3 events");
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(r.events.length, 3);
    appendFileSync(f, "4}\n");
    await until(() => r.events.length === 4, "4 events");
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(ns(r), [1, 2, 3, 4]);
  assert.deepEqual(r.events.map((e) => [e.loc.line, e.loc.byteOffset]), [[1, 0], [2, 8], [3, 16], [4, 24]]);
  assert.deepEqual(r.bad, []);
  assert.deepEqual(r.committed()[0].position, { inode: r.committed()[0].position.inode, offset: 32, line: 4, extra: JSON.stringify({ gen: 0, head: head(lines(1, 2, 3, 4)) }) });
});

/**
 * Lets a test make a writer append to the file with a given inode at the exact moment a read of it hits end
 * of file, once: the follower has then seen everything it will see through the normal read loop, so the
 * bytes can only reach it if it reads the old file again after noticing the rotation. Every FileHandle read
 * goes through the shared prototype, which is patched until `restore` is called; `arm` is synchronous so
 * no poll can slip in between the test's file operations and the arming.
 */
async function endOfFileHook(probePath: string): Promise<{ arm: (inode: number, write: () => void) => void; fired: () => boolean; restore: () => void }> {
  let armed: { inode: number; write: () => void } | undefined;
  let fired = false;
  const restore = await wrapReads(probePath, async (fh, args, read) => {
    const r = await read();
    if (armed !== undefined && r.bytesRead === 0 && (await fh.stat()).ino === armed.inode) {
      const { write } = armed;
      armed = undefined;
      fired = true;
      write();
    }
    return r;
  });
  return { arm: (inode, write) => void (armed = { inode, write }), fired: () => fired, restore };
}

type ReadResult = { bytesRead: number };

/**
 * Routes every FileHandle read through `wrap` (the handle, the read's arguments, the read itself) until the
 * returned restore is called: reads go through the shared prototype, found from a handle on `probePath`.
 */
async function wrapReads(probePath: string, wrap: (fh: FileHandle, args: unknown[], read: () => Promise<ReadResult>) => Promise<ReadResult>): Promise<() => void> {
  const probe = await open(probePath);
  const proto = Object.getPrototypeOf(probe) as { read: (this: FileHandle, ...args: unknown[]) => Promise<ReadResult> };
  await probe.close();
  const original = proto.read;
  proto.read = function (this: FileHandle, ...args: unknown[]) {
    return wrap(this, args, () => original.apply(this, args));
  };
  return () => void (proto.read = original);
}

test("rotation by rename: the old file is read to its end (a late write included), then the new file from 0", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, lines(1, 2));
  const oldInode = statSync(f).ino;
  const hook = await endOfFileHook(f);
  const r = follow([f]);
  try {
    await until(() => r.events.length === 2, "2 events");
    appendFileSync(f, lines(3));
    renameSync(f, f + ".1");
    writeFileSync(f, lines(5, 6));
    // The writer still holds the old file and appends line 4 once the follower has read the old file to its
    // end, when the path already names the new file: only a final read of the old file after noticing the
    // rename finds it. The new file's last line (6) is read after that final read, so waiting for it suffices.
    hook.arm(oldInode, () => appendFileSync(f + ".1", lines(4)));
    await until(() => ns(r).includes(6), "the new file's last line");
  } finally {
    hook.restore();
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.equal(hook.fired(), true);
  assert.deepEqual(ns(r), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(r.events.map((e) => e.loc.line), [1, 2, 3, 4, 1, 2]);
  assert.deepEqual(r.notices, [`${f}: rotated, now reading the new file`]);
  assert.equal(r.committed()[0].position.offset, 16);
});

test("copytruncate: a file that shrinks below the read position is read again from byte 0", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, lines(10, 11, 12));
  const r = follow([f]);
  try {
    await until(() => r.events.length === 3, "3 events");
    copyFileSync(f, f + ".1");
    truncateSync(f, 0);
    appendFileSync(f, lines(7));
    await until(() => r.events.length === 4, "4 events");
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(ns(r), [10, 11, 12, 7]);
  assert.deepEqual(r.events.map((e) => e.loc.line), [1, 2, 3, 1]);
  assert.deepEqual(r.notices, [`${f}: truncated, reading again from the start`]);
  assert.equal(r.committed()[0].position.extra, JSON.stringify({ gen: 1, head: head(lines(7)) }));
});

test("resume: a stored position skips what it covers; a position in a rotated sibling reads its rest first", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, lines(1, 2));
  const first = follow([f]);
  await until(() => first.events.length === 2, "2 events");
  first.src.stop();
  await first.done;
  const stored = new Map(first.committed().map((c) => [c.key, c.position]));
  assert.deepEqual([...stored.keys()], [followKey("ecs", f)]);
  // While tern is down: more lines, a rotation, and a new file.
  appendFileSync(f, lines(3));
  renameSync(f, f + ".1");
  writeFileSync(f, lines(4));
  const second = follow([f], { resume: (k) => stored.get(k) });
  try {
    await until(() => second.events.length === 2, "2 events");
    await new Promise((res) => setTimeout(res, 50));
  } finally {
    second.src.stop();
    await second.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(ns(second), [3, 4]);
  assert.deepEqual(second.events.map((e) => [e.loc.line, e.loc.byteOffset]), [[3, 16], [1, 0]]);
});

test("FileTail: a position never includes a partial line; lines keep exact offsets across chunks", async () => {
  const d = tmp();
  const f = join(d, "a.log");
  writeFileSync(f, "x".repeat(70000) + "\nab\r\ncd");
  const t = new FileTail(f, 1 << 20);
  await t.start(undefined);
  const got = await t.poll(1 << 20);
  assert.deepEqual(got.map((l) => [l.line, l.byteOffset, l.raw.length, l.raw.subarray(0, 2).toString()]), [[1, 0, 70000, "xx"], [2, 70001, 2, "ab"]]);
  assert.deepEqual(t.position(), { inode: got[0].inode, offset: 70005, line: 2, gen: 0, head: head("x".repeat(256)) });
  appendFileSync(f, "e\n");
  const more = await t.poll(1 << 20);
  assert.deepEqual(more.map((l) => [l.line, l.byteOffset, l.raw.toString()]), [[3, 70005, "cde"]]);
  await t.close();
  rmSync(d, { recursive: true, force: true });
});

// Two audit events, A (serial 500, /dev/shm/a.so) and B (serial 501, /dev/shm/b.so), interleaved: A opens,
// B opens and closes (PROCTITLE), then A's records continue after the point where tern stops.
const H = (serial: number) => `msg=audit(1795835242.816:${serial}):`;
const SYSCALL = (s: number) =>
  `type=SYSCALL ${H(s)} arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=5576ed8a88e0 a2=242 a3=1b6 items=2 ppid=17112 pid=17113 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="ld" exe="/usr/bin/x86_64-linux-gnu-ld.bfd" key="tern_so"`;
const CWD = (s: number) => `type=CWD ${H(s)} cwd="/tmp"`;
const PARENT = (s: number) => `type=PATH ${H(s)} item=0 name="/dev/shm/" inode=1 dev=00:1b mode=041777 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`;
const CREATE = (s: number, name: string) => `type=PATH ${H(s)} item=1 name="${name}" inode=11 dev=00:1b mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`;
const PROCTITLE = (s: number) => `type=PROCTITLE ${H(s)} proctitle=6C64`;

test("auditd: an event split across the stored position is resumed whole; events emitted past it are not emitted again", async () => {
  const d = tmp();
  const f = join(d, "audit.log");
  const headLines = [SYSCALL(500), CWD(500), SYSCALL(501), CWD(501), PARENT(501), CREATE(501, "/dev/shm/b.so"), PROCTITLE(501), PARENT(500)];
  writeFileSync(f, headLines.join("\n") + "\n");
  const opts = { format: "auditd" as const, closeAfterMs: 600_000, hostname: "h" };
  const first = follow([f], opts);
  await until(() => first.events.length === 1, "event B");
  // What a SIGKILL leaves behind: the position committed with the last batch, A still open.
  const stored = new Map(first.committed().map((c) => [c.key, c.position]));
  const pos = stored.get(followKey("auditd", f));
  assert.equal(pos?.offset, 0);
  assert.equal(pos?.line, 0);
  assert.deepEqual(JSON.parse(pos?.extra ?? "{}"), { gen: 0, head: head((headLines.join("\n") + "\n").slice(0, 256)), emitted: ["|1795835242.816|501"] });
  first.src.stop();
  await first.done;
  appendFileSync(f, [CREATE(500, "/dev/shm/a.so"), PROCTITLE(500)].join("\n") + "\n");
  const second = follow([f], { ...opts, resume: (k) => stored.get(k) });
  try {
    await until(() => second.events.length === 1, "event A");
    await new Promise((res) => setTimeout(res, 50));
  } finally {
    second.src.stop();
    await second.done;
    rmSync(d, { recursive: true, force: true });
  }
  const path = (e: InputEvent) => (e._source.file as { path?: string } | undefined)?.path;
  assert.deepEqual(first.events.map(path).slice(0, 1), ["/dev/shm/b.so"]);
  assert.deepEqual(second.events.map(path), ["/dev/shm/a.so"]);
  assert.deepEqual(second.events.map((e) => [e.loc.line, e.loc.byteOffset]), [[1, 0]]);
  assert.equal(second.events[0]._source["event.action"] ?? (second.events[0]._source.event as { action?: string }).action, "creation");
});

test("resume: same inode but other first bytes (rewritten or inode reused while down) reads from 0, next generation", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, lines(1, 2));
  const first = follow([f]);
  await until(() => first.events.length === 2, "2 events");
  first.src.stop();
  await first.done;
  const stored = new Map(first.committed().map((c) => [c.key, c.position]));
  writeFileSync(f, lines(8, 9, 10)); // same inode, new content longer than the stored offset
  const second = follow([f], { resume: (k) => stored.get(k) });
  try {
    await until(() => second.events.length === 3, "3 events");
  } finally {
    second.src.stop();
    await second.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(ns(second), [8, 9, 10]);
  assert.equal(second.committed()[0].position.extra, JSON.stringify({ gen: 1, head: head(lines(8, 9, 10)) }));
});

test("sysmon-linux: followed events get ids that differ across a rotation even at the same offsets", async () => {
  const d = tmp();
  const f = join(d, "syslog");
  const ev = (rec: number, target: string) =>
    `Nov 28 12:00:00 deb12 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>11</EventID><Version>2</Version><TimeCreated SystemTime="2026-11-28T12:00:0${rec}.000000000Z"/><EventRecordID>${rec}</EventRecordID><Computer>deb12</Computer><Security UserId="0"/></System><EventData><Data Name="UtcTime">2026-11-28 12:00:0${rec}.000</Data><Data Name="ProcessId">7</Data><Data Name="Image">/usr/bin/cp</Data><Data Name="TargetFilename">${target}</Data></EventData></Event>\n`;
  writeFileSync(f, ev(1, "/dev/shm/a.so"));
  const r = follow([f], { format: "sysmon-linux", hostname: "h" });
  try {
    await until(() => r.events.length === 1, "1 event");
    renameSync(f, f + ".1");
    writeFileSync(f, ev(2, "/dev/shm/b.so"));
    await until(() => r.events.length === 2, "2 events");
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(r.events.map((e) => [(e._source.file as { path: string }).path, e.loc.line, e.loc.byteOffset, e._index]), [
    ["/dev/shm/a.so", 1, 0, "logs-endpoint.events.file-sysmon"],
    ["/dev/shm/b.so", 1, 0, "logs-endpoint.events.file-sysmon"],
  ]);
  assert.notEqual(r.events[0]._id, r.events[1]._id);
  assert.deepEqual(r.bad, []);
});

test("two files followed at once, each with its own position; a bad line is reported with file:line", async () => {
  const d = tmp();
  const a = join(d, "a.ndjson");
  const b = join(d, "b.ndjson");
  writeFileSync(a, lines(1));
  writeFileSync(b, lines(2) + "{oops\n");
  const r = follow([a, b]);
  try {
    await until(() => r.events.length === 2 && r.bad.length === 1, "2 events and a bad line");
    appendFileSync(b, lines(4));
    appendFileSync(a, lines(3));
    await until(() => r.events.length === 4, "4 events");
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(ns(r).sort(), [1, 2, 3, 4]);
  assert.deepEqual(r.bad.map((x) => [x.loc.file, x.loc.line, x.reason]), [[b, 2, "invalid-json"]]);
  assert.deepEqual(r.committed().map((c) => [c.key, c.position.offset, c.position.line]), [[followKey("ecs", a), 16, 2], [followKey("ecs", b), 22, 3]]);
  assert.deepEqual(r.src.stats.files, 2);
});

test("copytruncate then more writes than were read: the changed first bytes restart the read at 0", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, lines(10, 11));
  const r = follow([f]);
  try {
    await until(() => r.events.length === 2, "2 events");
    writeFileSync(f, lines(100, 101, 102, 103)); // truncate and rewrite in one go: size above the old position
    await until(() => r.events.length === 6, "6 events");
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(ns(r), [10, 11, 100, 101, 102, 103]);
  assert.deepEqual(r.bad, []);
  // No copy: whatever was written between the last read and the truncation cannot be known, so it is said.
  assert.deepEqual(r.notices, [
    `${f}: truncated, reading again from the start`,
    `${f}: no copy of the truncated content was found (${f}.1 missing or other); what it held past the read position is lost (0 bytes known)`,
  ]);
  assert.deepEqual([r.src.stats.truncationsLost, r.src.stats.truncationBytesLost], [1, 0]);
});

test("auditd: rotation by rename (auditd's own rotation) — events of both files, distinct ids at equal offsets", async () => {
  const d = tmp();
  const f = join(d, "audit.log");
  const event = (s: number, name: string) => [SYSCALL(s), CWD(s), PARENT(s), CREATE(s, name), PROCTITLE(s)].join("\n") + "\n";
  writeFileSync(f, event(600, "/dev/shm/old.so"));
  const r = follow([f], { format: "auditd", closeAfterMs: 600_000, hostname: "h" });
  try {
    await until(() => r.events.length === 1, "the first event");
    renameSync(f, f + ".1");
    writeFileSync(f, event(601, "/dev/shm/new.so"));
    await until(() => r.events.length === 2, "the second event");
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  const path = (e: InputEvent) => (e._source.file as { path?: string } | undefined)?.path;
  assert.deepEqual(r.events.map((e) => [path(e), e.loc.line, e.loc.byteOffset, e._index]), [
    ["/dev/shm/old.so", 1, 0, "logs-endpoint.events.file-auditd"],
    ["/dev/shm/new.so", 1, 0, "logs-endpoint.events.file-auditd"],
  ]);
  assert.notEqual(r.events[0]._id, r.events[1]._id);
  assert.deepEqual(r.notices, [`${f}: rotated, now reading the new file`]);
});

test("a followed file's lines are judged like a read file's: same events, bad lines (reason, message, file:line) and counts", async () => {
  const d = tmp();
  const f = join(d, "mixed.ndjson");
  const text = ['{"n":1,"so":"so"}', "garbage", "null", "[1]", "   ", '{"n":"so"', '{"n":5,"so":"so"}', '{"_index":"h","_id":"i1","_source":{"n":6,"so":"so"}}', '{"_source":3,"so":"so"}', '{"n":8}', '{"n":7,"so":"so"}'].join("\n") + "\n";
  writeFileSync(f, text);
  const prefilter = kqlPrefilter("so:so");
  const r = follow([f], { prefilter });
  const bad: BadLine[] = [];
  const read = openNdjsonSource([f], { prefilter, onBadLine: (b) => bad.push(b) });
  const events: InputEvent[] = [];
  for await (const b of read.batches()) events.push(...b);
  try {
    await until(() => r.events.length === events.length && r.bad.length === bad.length, `${events.length} events and ${bad.length} bad lines`);
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(r.events, events);
  assert.deepEqual(r.bad, bad);
  assert.deepEqual(bad.map((b) => [b.loc.line, b.reason, b.message]), [
    [2, "not-an-object", "line is not a JSON object (it does not start with { and end with })"],
    [3, "not-an-object", "line is not a JSON object (it does not start with { and end with })"],
    [4, "not-an-object", "line is not a JSON object (it does not start with { and end with })"],
    [6, "invalid-json", "invalid JSON: Expected ',' or '}' after property value in JSON at position 9"],
    [9, "malformed-record", "_source of an Elasticsearch hit is not an object"],
  ]);
  assert.deepEqual(events.map((e) => [e._index, e._source.n]), [["mixed", 1], ["mixed", 5], ["h", 6], ["mixed", 7]]);
  assert.deepEqual([r.src.stats.events, r.src.stats.prefiltered, r.src.stats.bad], [read.stats.events, read.stats.prefiltered, read.stats.bad]);
});

test("auditd: the process table is stored with each batch and restored on restart, so a process keeps its entity id", async () => {
  const { SqliteStore } = await import("../../state/sqlite.js");
  const { ProcessTable } = await import("../process-table.js");
  const d = tmp();
  const f = join(d, "audit.log");
  // ld (pid 17113) is exec'd; after a restart it creates a file
  const EXEC = (s: number) => SYSCALL(s).replace("syscall=257", "syscall=59").replace("items=2", "items=0");
  writeFileSync(f, [EXEC(600), `type=EXECVE ${H(600)} argc=1 a0="ld"`, PROCTITLE(600)].join("\n") + "\n");
  const store = SqliteStore.open(":memory:");
  const opts = { format: "auditd" as const, closeAfterMs: 600_000, hostname: "h" };
  const first = follow([f], opts);
  await until(() => first.events.length === 1, "the exec");
  first.src.stop();
  await first.done;
  // what the engine does in each batch's transaction
  store.transaction(() => {
    for (const c of first.committed()) store.setCheckpoint(c.key, c.position);
    first.src.persist?.(store);
  });
  const execId = (first.events[0]._source.process as { entity_id?: string }).entity_id;
  assert.equal(store.processes().length, 2, "ld and its unseen parent");
  appendFileSync(f, [SYSCALL(601), CWD(601), PARENT(601), CREATE(601, "/dev/shm/c.so"), PROCTITLE(601)].join("\n") + "\n");
  const restored = ProcessTable.restore(store.processes().map((r) => ({ key: r.key, entry: r.entry === null ? undefined : JSON.parse(r.entry), gen: r.gen })));
  const second = follow([f], { ...opts, resume: (k) => store.getCheckpoint(k), processes: restored });
  // without the stored table the same process is an unseen instance with another id
  const forgetful = follow([f], { ...opts, resume: (k) => store.getCheckpoint(k) });
  try {
    await until(() => second.events.length === 1 && forgetful.events.length === 1, "the file creation");
  } finally {
    second.src.stop();
    forgetful.src.stop();
    await Promise.all([second.done, forgetful.done]);
    rmSync(d, { recursive: true, force: true });
  }
  const id = (e: InputEvent) => (e._source.process as { entity_id?: string }).entity_id;
  assert.equal(id(second.events[0]), execId);
  assert.notEqual(id(forgetful.events[0]), execId);
  assert.equal((second.events[0]._source.process as { parent?: { entity_id?: string } }).parent?.entity_id, (first.events[0]._source.process as { parent?: { entity_id?: string } }).parent?.entity_id);
});

test("FileTail copytruncate: the lines not read when the copy was made come from <file>.1, once, with their old numbers; then the file from 0", async () => {
  const d = tmp();
  const f = join(d, "a.log");
  writeFileSync(f, "l1\nl2\n");
  const seen: string[] = [];
  const t = new FileTail(f, 1 << 20, { truncated: () => seen.push("truncated"), recovered: (c, n) => seen.push(`recovered ${c} ${n}`), lost: (n) => seen.push(`lost ${n}`) });
  await t.start(undefined);
  const text = (ls: { raw: Buffer; line: number; byteOffset: number; gen: number }[]) => ls.map((l) => [l.raw.toString(), l.line, l.byteOffset, l.gen]);
  assert.deepEqual(text(await t.poll(1 << 20)), [["l1", 1, 0, 0], ["l2", 2, 3, 0]]);
  appendFileSync(f, "l3\nl4");
  // read up to a partial line: "l4" is carried
  assert.deepEqual(text(await t.poll(1 << 20)), [["l3", 3, 6, 0]]);
  appendFileSync(f, "x\nl5\nl6\n");
  copyFileSync(f, f + ".1");
  truncateSync(f, 0);
  appendFileSync(f, "m1\n");
  assert.deepEqual(text(await t.poll(1 << 20)), [["l4x", 4, 9, 0], ["l5", 5, 13, 0], ["l6", 6, 16, 0], ["m1", 1, 0, 1]]);
  assert.deepEqual(seen, ["truncated", `recovered ${f}.1 8`]);
  assert.deepEqual(text(await t.poll(1 << 20)), []);
  assert.deepEqual(t.position(), { inode: t.position()?.inode, offset: 3, line: 1, gen: 1, head: head("m1\n") });
  await t.close();
  rmSync(d, { recursive: true, force: true });
});

test("FileTail copytruncate without a matching copy: the loss is reported with the bytes seen but not read", async () => {
  const d = tmp();
  const f = join(d, "a.log");
  // 300,000 bytes: one poll of at most 1 byte reads one 256 KiB chunk and leaves the rest
  const big = Array.from({ length: 30_000 }, (_, i) => `${String(i).padStart(9, "0")}\n`).join("");
  writeFileSync(f, big);
  const seen: string[] = [];
  const t = new FileTail(f, 1 << 20, { truncated: () => seen.push("truncated"), recovered: (c, n) => seen.push(`recovered ${c} ${n}`), lost: (n) => seen.push(`lost ${n}`) });
  await t.start(undefined);
  assert.equal((await t.poll(1)).length, 26_214);
  writeFileSync(f + ".1", "another file\n"); // not a copy of ours: other first bytes
  truncateSync(f, 0);
  appendFileSync(f, "m1\n");
  assert.deepEqual((await t.poll(1 << 20)).map((l) => [l.raw.toString(), l.line, l.gen]), [["m1", 1, 1]]);
  // 262,144 bytes read (26,214 lines and the start of the next) of the 300,000 seen
  assert.deepEqual(seen, ["truncated", `lost ${300_000 - 262_144}`]);
  await t.close();
  rmSync(d, { recursive: true, force: true });
});

test("FileTail resume after a copytruncate while tern was down: the rest of the old content from the copy, then the file", async () => {
  const d = tmp();
  const f = join(d, "a.log");
  writeFileSync(f, "l1\nl2\n");
  const t1 = new FileTail(f, 1 << 20);
  await t1.start(undefined);
  assert.equal((await t1.poll(1 << 20)).length, 2);
  const stored = t1.position();
  await t1.close();
  appendFileSync(f, "l3\n");
  copyFileSync(f, f + ".1");
  truncateSync(f, 0);
  appendFileSync(f, "m1\n");
  const t2 = new FileTail(f, 1 << 20);
  await t2.start(stored);
  assert.deepEqual((await t2.poll(1 << 20)).map((l) => [l.raw.toString(), l.line, l.byteOffset, l.gen]), [["l3", 3, 6, 0], ["m1", 1, 0, 1]]);
  await t2.close();
  rmSync(d, { recursive: true, force: true });
});

test("FileTail resume after two rotations while tern was down: the resumed file's rest, the never-read one between, then the path", async () => {
  const d = tmp();
  const f = join(d, "a.log");
  writeFileSync(f, "a1\na2\n");
  const t1 = new FileTail(f, 1 << 20);
  await t1.start(undefined);
  assert.equal((await t1.poll(1 << 20)).length, 2);
  const stored = t1.position();
  await t1.close();
  appendFileSync(f, "a3\n");
  // rotation 1: a.log → a.log.1, a new a.log gets b-lines; rotation 2: .1 → .2, a.log → .1, a new a.log
  renameSync(f, f + ".1");
  writeFileSync(f, "b1\nb2\n");
  renameSync(f + ".1", f + ".2");
  renameSync(f, f + ".1");
  writeFileSync(f, "c1\n");
  // an old compressed rotation is never read, nor another log whose name starts like this one
  writeFileSync(f + ".3.gz", "zz\n");
  writeFileSync(f + "-errors", "e1\n");
  writeFileSync(f + ".bak", "k1\n");
  const rotated: [number, number][] = [];
  const t2 = new FileTail(f, 1 << 20, { rotated: (a, b) => rotated.push([a, b]) });
  await t2.start(stored);
  const lines: string[] = [];
  for (let i = 0; i < 4; i++) lines.push(...(await t2.poll(1 << 20)).map((l) => `${l.raw.toString()}@${l.line}`));
  assert.deepEqual(lines, ["a3@3", "b1@1", "b2@2", "c1@1"]);
  assert.equal(rotated.length, 2);
  await t2.close();
  rmSync(d, { recursive: true, force: true });
});

test("rotated siblings: the suffixes rotation gives a log count (logrotate, dateext, auditd), other names and compressed copies do not", () => {
  const p = "/var/log/app.log";
  const taken = [".1", ".12", "-20261205", "_20261205", ".20261205", "-20261205-1530", "-2026120515", "-20261205_153000", "-2026-12-05", ".2026-12-05", "_2026-12-05", "-2026-12-05T15:30:00", "-2026-12-05_15-30", "-2026-12-05-1", "-1733400000"];
  const left = [
    "", ".", ".bak", "-errors", ".1.gz", ".2.xz", "-20261205.gz", "-20261205.ZST", "-2026120", "-202612051", "-abcdefgh", "-2026-1-05", "-2026-12-5", "-20261205-1",
    "-20261205-1234567", "-2026-12-05Tx", "-2026-12-05 15", "-173340000", "x20261205", ".1x", "-2026-12-05T", "20261205",
  ];
  assert.deepEqual(taken.filter((s) => !isRotatedName(p, p + s)), []);
  assert.deepEqual(left.filter((s) => isRotatedName(p, p + s)), []);
  assert.equal(isRotatedName(p, "/var/log/other.log.1"), false);
});

test("FileTail: the first-bytes fingerprint grows with the file until it covers 256 bytes, then stays", async () => {
  const d = tmp();
  const f = join(d, "a.log");
  writeFileSync(f, "a".repeat(99) + "\n");
  const t = new FileTail(f, 1 << 20);
  try {
    await t.start(undefined);
    await t.poll(1 << 20);
    assert.deepEqual(t.position()?.head, head("a".repeat(99) + "\n"));
    appendFileSync(f, "b".repeat(299) + "\n");
    await t.poll(1 << 20);
    const first256 = "a".repeat(99) + "\n" + "b".repeat(156);
    assert.deepEqual(t.position()?.head, head(first256));
    appendFileSync(f, "c\n");
    await t.poll(1 << 20);
    assert.deepEqual(t.position()?.head, head(first256));
  } finally {
    await t.close();
    rmSync(d, { recursive: true, force: true });
  }
});

test("copytruncate racing a read: the file truncated and rewritten between the first-bytes check and the read is read again from byte 0, not from the middle", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, lines(1, 2));
  const inode = statSync(f).ino;
  let armed = false;
  let fired = false;
  // Before the follower's next read past byte 0 of the file: the writer truncates it and writes other lines,
  // longer than the read position, so neither the size nor the earlier first-bytes check saw a change.
  const restore = await wrapReads(f, async (fh, args, read) => {
    if (armed && typeof args[3] === "number" && args[3] > 0 && (await fh.stat()).ino === inode) {
      armed = false;
      fired = true;
      writeFileSync(f, lines(7, 8, 9));
    }
    return read();
  });
  const r = follow([f]);
  try {
    await until(() => r.events.length === 2, "2 events");
    armed = true;
    appendFileSync(f, lines(3));
    await until(() => ns(r).includes(9), "the rewritten file's last line");
  } finally {
    restore();
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.equal(fired, true);
  assert.deepEqual(ns(r), [1, 2, 7, 8, 9]);
  assert.deepEqual(r.events.map((e) => e.loc.line), [1, 2, 1, 2, 3]);
  // line 3, appended and then destroyed by the rewrite before any read, is reported lost: 8 bytes were seen
  assert.deepEqual(r.notices, [
    `${f}: truncated, reading again from the start`,
    `${f}: no copy of the truncated content was found (${f}.1 missing or other); what it held past the read position is lost (8 bytes known)`,
  ]);
});

test("ecs: each followed file gets its own prefilter (the rules routed to it), and its events the rules their lines meet", async () => {
  const d = tmp();
  const f = join(d, "ev.ndjson");
  writeFileSync(f, '{"a":"one"}\n{"a":"two"}\n{"a":"three"}\n');
  const asked: string[] = [];
  const r = follow([f], {
    prefilterFor: (file, index) => {
      asked.push(`${file} ${index}`);
      return kqlRoutedPrefilter(["a:one", "a:two"].map((ast) => ({ ast })), [], () => [true, true])(file, index);
    },
  });
  try {
    await until(() => r.src.stats.lines === 3, "3 lines");
  } finally {
    r.src.stop();
    await r.done;
    rmSync(d, { recursive: true, force: true });
  }
  assert.deepEqual(asked, [`${f} ev`]);
  assert.deepEqual(
    r.events.map((e) => [e._source.a, [...(e.rules ?? [])].join("")]),
    [
      ["one", "10"],
      ["two", "01"],
    ],
  );
  assert.equal(r.src.stats.prefiltered, 1);
});
