// AuditdAssembler edge cases (docs/sources.md §3.1, §7.1–§7.3): interleaving, hex values, relative and
// dirfd-relative paths, renames across directories, malformed records, timeouts with an injected clock.

import { test } from "node:test";
import assert from "node:assert/strict";
import { AuditdAssembler, type AssembledEvent } from "./assembler.js";
import type { LineLocation } from "../../event/types.js";
import { createHash } from "node:crypto";

// The documented recipes (docs/sources-mapping.md "Process tree"), written out independently of the code.
const HOST_ID = createHash("sha256").update("tern host\u0000testhost").digest("hex").slice(0, 32);
const eid = (...parts: (string | number)[]) => createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 22);

const hex = (s: string) => Buffer.from(s).toString("hex").toUpperCase();
const argvHex = (...a: string[]) => hex(a.join("\0"));

interface Sys {
  serial: number;
  syscall: number;
  items: number;
  pid?: number;
  a0?: string;
  a2?: string;
  comm?: string;
  exe?: string;
  success?: string;
  arch?: string;
  ts?: string;
}
function sys(o: Sys): string {
  const comm = o.comm ?? "\"cc\"";
  const exe = o.exe ?? "\"/usr/bin/cc\"";
  return `type=SYSCALL msg=audit(${o.ts ?? "1700000000.100"}:${o.serial}): arch=${o.arch ?? "c000003e"} syscall=${o.syscall} success=${o.success ?? "yes"} exit=3 a0=${o.a0 ?? "ffffff9c"} a1=7ffd a2=${o.a2 ?? "241"} a3=1b6 items=${o.items} ppid=100 pid=${o.pid ?? 200} auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=${comm} exe=${exe} key="k"`;
}
const cwd = (serial: number, dir: string, ts = "1700000000.100") => `type=CWD msg=audit(${ts}:${serial}): cwd=${dir}`;
const path = (serial: number, item: number, name: string, nametype: string, inode = 10 + item, mode = "0100644", ts = "1700000000.100") =>
  `type=PATH msg=audit(${ts}:${serial}): item=${item} name=${name} inode=${inode} dev=fd:00 mode=${mode} ouid=0 ogid=0 rdev=00:00 nametype=${nametype} cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0`;
const title = (serial: number, ...argv: string[]) => `type=PROCTITLE msg=audit(1700000000.100:${serial}): proctitle=${argvHex(...argv)}`;

function run(lines: string[], opts: { now?: () => number; hostname?: string } = {}): { events: AssembledEvent[]; malformed: [LineLocation, string][]; asm: AuditdAssembler } {
  const malformed: [LineLocation, string][] = [];
  const asm = new AuditdAssembler({ hostname: opts.hostname ?? "testhost", now: opts.now ?? (() => 0), onMalformed: (l, m) => malformed.push([l, m]) });
  const events: AssembledEvent[] = [];
  let offset = 0;
  lines.forEach((l, i) => {
    events.push(...asm.feed(l, { file: "audit.log", line: i + 1, byteOffset: offset }));
    offset += Buffer.byteLength(l) + 1;
  });
  events.push(...asm.flush());
  return { events, malformed, asm };
}

const get = (e: AssembledEvent, p: string): unknown => p.split(".").reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], e.doc);
const summary = (e: AssembledEvent) => [get(e, "event.action"), get(e, "file.path"), get(e, "process.pid"), get(e, "auditd.path_resolution")];

test("a creation: PARENT + CREATE items give one Defend-style file event", () => {
  const { events } = run([
    sys({ serial: 1, syscall: 257, items: 2 }),
    cwd(1, '"/home/u"'),
    path(1, 0, '"/dev/shm/"', "PARENT", 1, "041777"),
    path(1, 1, '"/dev/shm/x.so"', "CREATE"),
    title(1, "cc", "-o", "/dev/shm/x.so"),
  ]);
  assert.equal(events.length, 1);
  assert.deepEqual(events[0].doc, {
    "@timestamp": "2023-11-14T22:13:20.100Z",
    host: { name: "testhost", id: HOST_ID, os: { type: "linux" } },
    auditd: { sequence: 1, key: ["k"], syscall: "openat", path_resolution: "absolute" },
    user: { id: "1000", audit: { id: "1000" } },
    group: { id: "1000" },
    // a replayed log ingests at the event's own time
    event: { kind: "event", module: "auditd", category: ["file"], type: ["creation"], action: "creation", outcome: "success", ingested: "2023-11-14T22:13:20.100Z" },
    file: { path: "/dev/shm/x.so", name: "x.so", directory: "/dev/shm", extension: "so", inode: "11", mode: "0100644", uid: "0", gid: "0" },
    // neither process started in the log: ids of unseen instances (generation 0)
    process: {
      pid: 200,
      entity_id: eid(HOST_ID, 200, "unseen", 0),
      parent: { pid: 100, entity_id: eid(HOST_ID, 100, "unseen", 0) },
      name: "cc",
      executable: "/usr/bin/cc",
      working_directory: "/home/u",
      // tty=pts0: a controlling terminal
      interactive: true,
      // ECS: process.user is the effective user; real and saved users, and the groups, alongside
      user: { id: "1000" },
      real_user: { id: "1000" },
      saved_user: { id: "1000" },
      group: { id: "1000" },
      real_group: { id: "1000" },
      saved_group: { id: "1000" },
      args: ["cc", "-o", "/dev/shm/x.so"],
      args_count: 3,
      command_line: "cc -o /dev/shm/x.so",
    },
  });
  assert.deepEqual(events[0].loc, { file: "audit.log", line: 1, byteOffset: 0 });
});

test("interleaved records of two events are assembled separately", () => {
  const { events } = run([
    sys({ serial: 9, syscall: 257, items: 0, pid: 1 }),
    title(9, "warmup"),
    sys({ serial: 10, syscall: 257, items: 2, pid: 300 }),
    sys({ serial: 11, syscall: 257, items: 2, pid: 301 }),
    cwd(10, '"/a"'),
    cwd(11, '"/b"'),
    path(11, 0, '"/usr/lib/"', "PARENT"),
    path(10, 0, '"/dev/shm/"', "PARENT"),
    path(10, 1, '"/dev/shm/ten.so"', "CREATE"),
    path(11, 1, '"/usr/lib/eleven.so"', "CREATE"),
    title(11, "p11"),
    title(10, "p10"),
  ]);
  assert.deepEqual(events.map((e) => [get(e, "file.path"), get(e, "process.pid"), get(e, "process.working_directory"), get(e, "process.command_line")]), [
    ["/usr/lib/eleven.so", 301, "/b", "p11"],
    ["/dev/shm/ten.so", 300, "/a", "p10"],
  ]);
});

test("hex-encoded name, cwd, exe and comm are decoded; quoted values stay literal", () => {
  const { events } = run([
    sys({ serial: 2, syscall: 257, items: 2, comm: hex("my prog"), exe: hex("/opt/my prog (deleted)") }),
    cwd(2, hex("/home/u/dir with space")),
    path(2, 0, hex("/dev/shm/"), "PARENT"),
    path(2, 1, hex("/dev/shm/lib evil.so"), "CREATE"),
    title(2, "my prog"),
  ]);
  assert.equal(get(events[0], "file.path"), "/dev/shm/lib evil.so");
  assert.equal(get(events[0], "file.name"), "lib evil.so");
  assert.equal(get(events[0], "process.name"), "my prog");
  assert.equal(get(events[0], "process.executable"), "/opt/my prog (deleted)");
  assert.equal(get(events[0], "process.working_directory"), "/home/u/dir with space");
});

test("relative names resolve against the CWD for AT_FDCWD calls, normalising . and ..", () => {
  const { events } = run([
    sys({ serial: 3, syscall: 257, items: 2, a0: "ffffff9c" }),
    cwd(3, '"/usr/lib/x86_64-linux-gnu"'),
    path(3, 0, '"../"', "PARENT"),
    path(3, 1, '"../libz.so"', "CREATE"),
    title(3, "cc"),
    sys({ serial: 4, syscall: 85, items: 2 }),
    cwd(4, '"/dev/shm"'),
    path(4, 0, '"/dev/shm"', "PARENT"),
    path(4, 1, '"./a/./b.so"', "CREATE"),
    title(4, "cc"),
  ]);
  assert.deepEqual(events.map(summary), [
    ["creation", "/usr/lib/libz.so", 200, "cwd"],
    ["creation", "/dev/shm/a/b.so", 200, "cwd"],
  ]);
});

test("a directory fd: the PARENT item names the directory when it differs from the CWD, else it stays unresolved", () => {
  const { events } = run([
    sys({ serial: 5, syscall: 257, items: 2, a0: "3" }),
    cwd(5, '"/root"'),
    path(5, 0, '"/dev/shm/"', "PARENT"),
    path(5, 1, '"drop.so"', "CREATE"),
    title(5, "cc"),
    sys({ serial: 6, syscall: 257, items: 2, a0: "3" }),
    cwd(6, '"/root"'),
    path(6, 0, '"/root"', "PARENT"),
    path(6, 1, '"drop.so"', "CREATE"),
    title(6, "cc"),
  ]);
  assert.deepEqual(events.map(summary), [
    ["creation", "/dev/shm/drop.so", 200, "parent"],
    ["creation", "/root/drop.so", 200, "dirfd-unresolved"],
  ]);
});

test("renameat2 across directories with a dirfd for the target: new path from the PARENT, original from the CWD", () => {
  const { events } = run([
    sys({ serial: 7, syscall: 316, items: 4, a0: "ffffff9c", a2: "3", comm: '"mv"', exe: '"/usr/bin/mv"' }),
    cwd(7, '"/tmp/build"'),
    path(7, 0, '"/usr/lib/"', "PARENT", 50, "040755"),
    path(7, 1, '"/tmp/build"', "PARENT", 51, "040755"),
    path(7, 2, '"libx.so"', "DELETE", 77),
    path(7, 3, '"libx.so"', "CREATE", 77),
    title(7, "mv", "libx.so", "/usr/lib/"),
  ]);
  assert.deepEqual(events.map(summary), [["rename", "/usr/lib/libx.so", 200, "parent"]]);
  assert.deepEqual(get(events[0], "file.Ext.original"), { path: "/tmp/build/libx.so", name: "libx.so", directory: "/tmp/build", extension: "so" });
  assert.deepEqual(get(events[0], "event.type"), ["change"]);
});

test("a rename that replaces a file: the original is the DELETE item with the created inode", () => {
  const { events } = run([
    sys({ serial: 8, syscall: 82, items: 5 }),
    cwd(8, '"/"'),
    path(8, 0, '"/usr/lib/"', "PARENT", 1, "040755"),
    path(8, 1, '"/usr/lib/"', "PARENT", 1, "040755"),
    path(8, 2, '"/usr/lib/liba.so.new"', "DELETE", 90),
    path(8, 3, '"/usr/lib/liba.so"', "DELETE", 80),
    path(8, 4, '"/usr/lib/liba.so"', "CREATE", 90),
    title(8, "dpkg"),
  ]);
  assert.equal(get(events[0], "file.path"), "/usr/lib/liba.so");
  assert.equal(get(events[0], "file.Ext.original.path"), "/usr/lib/liba.so.new");
});

test("failed syscalls, opens of existing files, directories and other syscalls produce nothing", () => {
  const { events, asm } = run([
    sys({ serial: 20, syscall: 257, items: 2, success: "no" }),
    path(20, 0, '"/dev/shm/"', "PARENT"),
    path(20, 1, '"/dev/shm/x.so"', "CREATE"),
    title(20, "a"),
    sys({ serial: 21, syscall: 257, items: 1 }),
    path(21, 0, '"/usr/lib/libc.so.6"', "NORMAL"),
    title(21, "b"),
    sys({ serial: 22, syscall: 83, items: 2 }),
    path(22, 0, '"/dev/shm/"', "PARENT"),
    path(22, 1, '"/dev/shm/d.so"', "CREATE", 5, "040755"),
    title(22, "c"),
    sys({ serial: 23, syscall: 90, items: 1 }),
    path(23, 0, '"/dev/shm/x.so"', "NORMAL"),
    title(23, "d"),
  ]);
  assert.deepEqual(events, []);
  assert.equal(asm.stats.groups, 4);
});

test("unlink gives a deletion of the DELETE item", () => {
  const { events } = run([sys({ serial: 30, syscall: 263, items: 2 }), cwd(30, '"/"'), path(30, 0, '"/dev/shm/"', "PARENT"), path(30, 1, '"/dev/shm/x.so"', "DELETE"), title(30, "rm")]);
  assert.deepEqual(events.map(summary), [["deletion", "/dev/shm/x.so", 200, "absolute"]]);
  assert.deepEqual(get(events[0], "event.type"), ["deletion"]);
});

test("execve: a process start with argv from EXECVE, split aN_len/aN[i] chunks joined across records", () => {
  const long = "A".repeat(10) + " " + "B".repeat(10);
  const { events } = run([
    sys({ serial: 40, syscall: 59, items: 2, comm: '"sh"', exe: '"/usr/bin/dash"' }),
    `type=EXECVE msg=audit(1700000000.100:40): argc=3 a0="sh" a1_len=21 a1[0]=${hex(long.slice(0, 12))}`,
    `type=EXECVE msg=audit(1700000000.100:40): a1[1]=${hex(long.slice(12))} a2=${hex("x y")}`,
    cwd(40, '"/"'),
    path(40, 0, '"/bin/sh"', "NORMAL"),
    path(40, 1, '"/lib64/ld-linux-x86-64.so.2"', "NORMAL"),
    title(40, "sh", "truncated"),
  ]);
  assert.equal(events.length, 1);
  assert.deepEqual(get(events[0], "event"), { kind: "event", module: "auditd", category: ["process"], type: ["start"], action: "exec", outcome: "success", ingested: "2023-11-14T22:13:20.100Z" });
  assert.deepEqual(get(events[0], "process.args"), ["sh", long, "x y"]);
  assert.equal(get(events[0], "process.command_line"), `sh ${long} x y`);
  assert.equal(get(events[0], "process.executable"), "/usr/bin/dash");
});

test("ENRICHED interpretations after 0x1D give user.name, group.name, the syscall name and file owner", () => {
  const { events } = run([
    `${sys({ serial: 50, syscall: 999, items: 2 })}\x1dARCH=x86_64 SYSCALL=creat AUID="alice" UID="bob" GID="staff" EUID="bob"`,
    path(50, 0, '"/dev/shm/"', "PARENT") + '\x1dOUID="root" OGID="root"',
    path(50, 1, '"/dev/shm/e.so"', "CREATE") + '\x1dOUID="bob" OGID="staff"',
    title(50, "x"),
  ]);
  assert.deepEqual(get(events[0], "user"), { id: "1000", name: "bob", audit: { id: "1000", name: "alice" } });
  assert.deepEqual(get(events[0], "group"), { id: "1000", name: "staff" });
  assert.equal(get(events[0], "auditd.syscall"), "creat");
  assert.equal(get(events[0], "file.owner"), "bob");
});

test("node= prefixes set host.name and keep hosts' events apart", () => {
  const { events } = run([
    "node=web1 " + sys({ serial: 60, syscall: 85, items: 1 }),
    "node=web2 " + sys({ serial: 60, syscall: 85, items: 1 }),
    "node=web1 " + path(60, 0, '"/dev/shm/one.so"', "CREATE"),
    "node=web2 " + path(60, 0, '"/dev/shm/two.so"', "CREATE"),
  ]);
  assert.deepEqual(events.map((e) => [get(e, "host.name"), get(e, "file.path")]), [
    ["web1", "/dev/shm/one.so"],
    ["web2", "/dev/shm/two.so"],
  ]);
});

test("aarch64 numbers and an unknown arch (shape of PATH items) both give the right action", () => {
  const { events } = run([
    sys({ serial: 70, syscall: 56, items: 2, arch: "c00000b7" }),
    path(70, 0, '"/dev/shm/"', "PARENT"),
    path(70, 1, '"/dev/shm/arm.so"', "CREATE"),
    title(70, "a"),
    sys({ serial: 71, syscall: 1234, items: 4, arch: "deadbeef" }),
    path(71, 0, '"/usr/lib/"', "PARENT"),
    path(71, 1, '"/tmp/"', "PARENT"),
    path(71, 2, '"/tmp/q.so"', "DELETE", 5),
    path(71, 3, '"/usr/lib/q.so"', "CREATE", 5),
    title(71, "b"),
  ]);
  assert.deepEqual(events.map(summary), [
    ["creation", "/dev/shm/arm.so", 200, "absolute"],
    ["rename", "/usr/lib/q.so", 200, "absolute"],
  ]);
});

test("malformed records are reported with their location and skipped; blank lines are not errors", () => {
  const { events, malformed, asm } = run([
    "garbage without a header",
    "",
    'type=PATH msg=audit(1700000000.100:80): item=0 name="/unterminated nametype=CREATE',
    sys({ serial: 81, syscall: 85, items: 1 }),
    path(81, 0, '"/dev/shm/ok.so"', "CREATE"),
    title(81, "ok"),
  ]);
  assert.deepEqual(malformed, [
    [{ file: "audit.log", line: 1, byteOffset: 0 }, 'not an audit record (expected "type=… msg=audit(EPOCH:SERIAL):")'],
    [{ file: "audit.log", line: 3, byteOffset: 26 }, 'unterminated quoted value for "name"'],
  ]);
  assert.deepEqual(events.map(summary), [["creation", "/dev/shm/ok.so", 200, "absolute"]]);
  assert.deepEqual({ ...asm.stats }, { records: 3, groups: 1, malformed: 2, late: 0, rebuilt: 0, blank: 1 });
});

test("without PROCTITLE: an event closes on serial change once complete, and EOE closes it too", () => {
  const asm = new AuditdAssembler({ hostname: "h", now: () => 0 });
  const loc = (line: number) => ({ file: "f", line, byteOffset: line * 100 });
  assert.deepEqual(asm.feed(sys({ serial: 90, syscall: 85, items: 1 }), loc(1)), []);
  assert.deepEqual(asm.feed(path(90, 0, '"/dev/shm/a.so"', "CREATE"), loc(2)), []);
  const closed = asm.feed(sys({ serial: 91, syscall: 85, items: 1 }), loc(3));
  assert.deepEqual(closed.map((e) => get(e, "file.path")), ["/dev/shm/a.so"]);
  assert.deepEqual(asm.feed(path(91, 0, '"/dev/shm/b.so"', "CREATE"), loc(4)), []);
  assert.deepEqual(asm.feed("type=EOE msg=audit(1700000000.100:91): ", loc(5)).map((e) => get(e, "file.path")), ["/dev/shm/b.so"]);
  assert.equal(asm.pending, 0);
});

test("a repeated record for an event that already closed is counted, not made into a second event; a conflicting one is reported", () => {
  const { events, asm } = run([sys({ serial: 95, syscall: 85, items: 1 }), path(95, 0, '"/dev/shm/a.so"', "CREATE"), title(95, "x"), path(95, 0, '"/dev/shm/a.so"', "CREATE")]);
  assert.equal(events.length, 1);
  assert.deepEqual([asm.stats.late, asm.stats.rebuilt], [1, 0]);
  const late: [number, string][] = [];
  const asm2 = new AuditdAssembler({ hostname: "testhost", now: () => 0, onLate: (l, m) => late.push([l.line, m]) });
  [sys({ serial: 96, syscall: 85, items: 1 }), path(96, 0, '"/dev/shm/a.so"', "CREATE"), title(96, "x"), path(96, 0, '"/dev/shm/b.so"', "CREATE")].forEach((l, i) => asm2.feed(l, { file: "f", line: i + 1, byteOffset: 0 }));
  assert.deepEqual(late, [[4, "PATH record of audit event |1700000000.100|96 arrived after the event was emitted and conflicts with the one it had (ignored)"]]);
});

test("a late record that completes a closed event rebuilds it: new documents are emitted, changed ones again under their index", () => {
  let now = 0;
  const asm = new AuditdAssembler({ hostname: "testhost", now: () => now, closeAfterMs: 1000 });
  const loc = (line: number) => ({ file: "f", line, byteOffset: line });
  asm.feed(title(1, "establish proctitle mode"), loc(1));
  asm.feed(sys({ serial: 97, syscall: 85, items: 1 }), loc(2));
  now = 1000;
  assert.deepEqual(asm.flushExpired(), []);
  const created = asm.feed(path(97, 0, '"/dev/shm/late.so"', "CREATE"), loc(3));
  assert.deepEqual(created.map((e) => [e.index, get(e, "file.path"), get(e, "process.args")]), [[0, "/dev/shm/late.so", undefined]]);
  const titled = asm.feed(title(97, "cc", "late.so"), loc(4));
  assert.deepEqual(titled.map((e) => [e.index, get(e, "file.path"), get(e, "process.args")]), [[0, "/dev/shm/late.so", ["cc", "late.so"]]]);
  assert.deepEqual([asm.stats.late, asm.stats.rebuilt], [2, 2]);
  // the same document twice adds nothing
  assert.deepEqual(asm.feed(title(97, "cc", "late.so"), loc(5)), []);
});

test("the timeout closes an event with no PROCTITLE; the injected clock decides (and, following a live log, is its ingest time)", () => {
  let now = 1000;
  const asm = new AuditdAssembler({ hostname: "h", now: () => now, closeAfterMs: 2000, ingested: "wall-clock" });
  asm.feed(title(1, "establish proctitle mode"), { file: "f", line: 1, byteOffset: 0 });
  asm.feed(sys({ serial: 100, syscall: 85, items: 1 }), { file: "f", line: 2, byteOffset: 10 });
  asm.feed(path(100, 0, '"/dev/shm/t.so"', "CREATE"), { file: "f", line: 3, byteOffset: 20 });
  now = 2999;
  assert.deepEqual(asm.flushExpired(), []);
  now = 3000;
  const out = asm.flushExpired();
  assert.deepEqual(out.map((e) => [get(e, "file.path"), get(e, "event.ingested")]), [["/dev/shm/t.so", "1970-01-01T00:00:03.000Z"]]);
  assert.equal(asm.pending, 0);
});

test("in a log with PROCTITLE records, a group far behind the newest serial closes (serial lag)", () => {
  const asm = new AuditdAssembler({ hostname: "h", now: () => 0, serialLag: 2 });
  const loc = { file: "f", line: 1, byteOffset: 0 };
  asm.feed(title(1, "x"), loc);
  asm.feed(sys({ serial: 10, syscall: 85, items: 1 }), loc);
  asm.feed(path(10, 0, '"/dev/shm/lag.so"', "CREATE"), loc);
  assert.deepEqual(asm.feed(sys({ serial: 12, syscall: 1, items: 0 }), loc), []);
  assert.deepEqual(asm.feed(sys({ serial: 13, syscall: 1, items: 0 }), loc).map((e) => get(e, "file.path")), ["/dev/shm/lag.so"]);
});

test("the setuid family: a change of the ids the process had is a uid_change / gid_change of the same instance; no change, no event", () => {
  const ids = (l: string, uid: string, gid = "1000") => l.replace("uid=1000 gid=1000 euid=1000", `uid=${uid} gid=${gid} euid=${uid}`);
  const { events } = run([
    sys({ serial: 60, syscall: 59, items: 0, comm: '"python3"', exe: '"/usr/bin/python3.11"' }),
    `type=EXECVE msg=audit(1700000000.100:60): argc=1 a0="python3"`,
    title(60, "python3"),
    ids(sys({ serial: 61, syscall: 105, items: 0, comm: '"python3"', exe: '"/usr/bin/python3.11"' }), "0"),
    title(61, "python3"),
    // setuid(0) again: the ids do not change
    ids(sys({ serial: 62, syscall: 105, items: 0, comm: '"python3"', exe: '"/usr/bin/python3.11"' }), "0"),
    title(62, "python3"),
    ids(sys({ serial: 63, syscall: 106, items: 0, comm: '"python3"', exe: '"/usr/bin/python3.11"' }), "0", "0"),
    title(63, "python3"),
    // a process first met at its setresuid (i386: 208) counts as changed
    ids(sys({ serial: 64, syscall: 208, items: 0, pid: 300, arch: "40000003", comm: '"su"', exe: '"/bin/su"' }), "0"),
    title(64, "su"),
  ]);
  assert.deepEqual(
    events.map((e) => [get(e, "event.action"), get(e, "event.type"), get(e, "process.pid"), get(e, "user.id"), get(e, "group.id")]),
    [
      ["exec", ["start"], 200, "1000", "1000"],
      ["uid_change", ["change"], 200, "0", "1000"],
      ["gid_change", ["change"], 200, "0", "0"],
      ["uid_change", ["change"], 300, "0", "1000"],
    ],
  );
  assert.equal(get(events[1], "process.entity_id"), get(events[0], "process.entity_id"));
  assert.deepEqual(get(events[1], "event.category"), ["process"]);
});

test("a re-parented process (its parent exited, the kernel now says ppid=1) keeps the parent it started under", () => {
  const { events } = run([
    sys({ serial: 70, syscall: 59, items: 0, pid: 300, comm: '"sleep"', exe: '"/usr/bin/sleep"' }),
    `type=EXECVE msg=audit(1700000000.100:70): argc=2 a0="sleep" a1="9"`,
    title(70, "sleep", "9"),
    sys({ serial: 71, syscall: 257, items: 2, pid: 300, comm: '"sleep"', exe: '"/usr/bin/sleep"' }).replace("ppid=100", "ppid=1"),
    path(71, 0, '"/dev/shm/"', "PARENT"),
    path(71, 1, '"/dev/shm/late.so"', "CREATE"),
    title(71, "sleep", "9"),
  ]);
  assert.deepEqual(
    events.map((e) => [get(e, "event.action"), get(e, "process.parent.pid"), get(e, "process.parent.entity_id")]),
    [
      ["exec", 100, eid(HOST_ID, 100, "unseen", 0)],
      ["creation", 100, eid(HOST_ID, 100, "unseen", 0)],
    ],
  );
  assert.equal(get(events[1], "process.entity_id"), get(events[0], "process.entity_id"));
});

test("a late record rebuilds an exec without undoing a newer exec of the same pid; the rebuilt event keeps its ids", () => {
  let now = 0;
  const asm = new AuditdAssembler({ hostname: "testhost", now: () => now, closeAfterMs: 1000 });
  const loc = (line: number) => ({ file: "f", line, byteOffset: line });
  const out: AssembledEvent[] = [];
  asm.feed(title(1, "establish proctitle mode"), loc(1));
  // exec of /usr/bin/a in pid 300: its EXECVE and PROCTITLE records come late, so a timeout closes it
  out.push(...asm.feed(sys({ serial: 80, syscall: 59, items: 0, pid: 300, comm: '"a"', exe: '"/usr/bin/a"' }), loc(2)));
  now = 1000;
  out.push(...asm.flushExpired());
  // the same pid then runs /usr/bin/b
  out.push(...asm.feed(sys({ serial: 81, syscall: 59, items: 0, pid: 300, comm: '"b"', exe: '"/usr/bin/b"' }), loc(3)));
  out.push(...asm.feed(`type=EXECVE msg=audit(1700000000.100:81): argc=1 a0="b"`, loc(4)));
  out.push(...asm.feed(title(81, "b"), loc(5)));
  // the first exec's argv arrives now
  out.push(...asm.feed(`type=EXECVE msg=audit(1700000000.100:80): argc=2 a0="a" a1="-x"`, loc(6)));
  // /usr/bin/b writes a file: it is the instance of exec 81
  out.push(...asm.feed(sys({ serial: 82, syscall: 257, items: 1, pid: 300, comm: '"b"', exe: '"/usr/bin/b"' }), loc(7)));
  out.push(...asm.feed(path(82, 0, '"/dev/shm/b.so"', "CREATE"), loc(8)));
  out.push(...asm.feed(title(82, "b"), loc(9)));
  const a = eid(HOST_ID, 300, 1700000000100, 80);
  const b = eid(HOST_ID, 300, 1700000000100, 81);
  const parent = eid(HOST_ID, 100, "unseen", 0);
  assert.deepEqual(
    out.map((e) => [e.key.split("|")[2], e.index, get(e, "event.action"), get(e, "process.executable"), get(e, "process.args"), get(e, "process.entity_id"), get(e, "process.parent.entity_id")]),
    [
      ["80", 0, "exec", "/usr/bin/a", undefined, a, parent],
      ["81", 0, "exec", "/usr/bin/b", ["b"], b, parent],
      ["80", 0, "exec", "/usr/bin/a", ["a", "-x"], a, parent],
      ["82", 0, "creation", "/usr/bin/b", ["b"], b, parent],
    ],
  );
  assert.equal(asm.processes.peek(HOST_ID, 300)?.entityId, b);
});

test("thread capabilities from the exec's BPRM_FCAPS record stay with the instance (its uid_change carries them); interactive from tty", () => {
  const ids = (l: string, uid: string) => l.replace("uid=1000 gid=1000 euid=1000", `uid=${uid} gid=1000 euid=${uid}`);
  const { events } = run([
    // a non-root user runs a copy of python given cap_setuid+ep: the kernel logs the capabilities gained
    sys({ serial: 90, syscall: 59, items: 0, pid: 400, comm: '"py"', exe: '"/tmp/py"' }),
    `type=EXECVE msg=audit(1700000000.100:90): argc=1 a0="py"`,
    `type=BPRM_FCAPS msg=audit(1700000000.100:90): fver=2 fp=0000000000000080 fi=0 fe=1 old_pp=0 old_pi=0 old_pe=0 old_pa=0 pp=0000000000000080 pi=0 pe=0000000000000080 pa=0 frootid=0`,
    title(90, "py"),
    ids(sys({ serial: 91, syscall: 105, items: 0, pid: 400, comm: '"py"', exe: '"/tmp/py"' }), "0"),
    title(91, "py"),
    // an exec without the record (no capability gained), from a daemon without a terminal
    sys({ serial: 92, syscall: 59, items: 0, pid: 401, comm: '"id"', exe: '"/usr/bin/id"' }).replace("tty=pts0", "tty=(none)").replace("ppid=100", "ppid=400"),
    `type=EXECVE msg=audit(1700000000.100:92): argc=1 a0="id"`,
    title(92, "id"),
  ]);
  const setuid = { permitted: ["CAP_SETUID"], effective: ["CAP_SETUID"] };
  assert.deepEqual(
    events.map((e) => [get(e, "event.action"), get(e, "user.id"), get(e, "process.thread.capabilities"), get(e, "process.interactive"), get(e, "process.parent.interactive")]),
    [
      ["exec", "1000", setuid, true, undefined],
      ["uid_change", "0", setuid, true, undefined],
      ["exec", "1000", undefined, false, true],
    ],
  );
});
