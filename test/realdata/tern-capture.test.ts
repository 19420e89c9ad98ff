// Acceptance (issue 5): the real Debian 12 capture (realdata/tern-capture/audit-debian12-so-activity.log,
// ld/cp/mv/python3/touch/dpkg/rm writing into /dev/shm and /usr/lib, ENRICHED format) converts to exactly
// the file events a reader finds in it, and the seed rule's query matches exactly the .so creations by
// ld, cp, mv (rename) and python3 — not dpkg's, not touch's .txt, not the deletions.

import { test } from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openAuditdSource } from "../../src/sources/auditd/index.js";
import { REALDATA_DIR } from "../../src/testing/paths.js";
import { collect, field, FIXED_NOW, seedPredicate } from "./support.js";

const CAPTURE = join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log");

async function convert() {
  return collect((o) => openAuditdSource([CAPTURE], { ...o, hostname: "capture-host", now: () => FIXED_NOW }));
}

const row = (d: Record<string, unknown>) => [field(d, "event.action"), field(d, "file.path"), field(d, "process.name"), field(d, "process.pid")];

test("the capture converts without bad lines into 18 file events and 74 process starts", async () => {
  const { docs, bad, source } = await convert();
  assert.deepEqual(bad, []);
  assert.equal(source.stats.lines, 1583);
  assert.equal(source.stats.events, 92);
  assert.equal(docs.filter((d) => field(d, "event.category")?.toString() === "file").length, 18);
  assert.equal(docs.filter((d) => field(d, "event.action") === "exec").length, 74);
});

test("events get the Defend data stream of their category as _index, unless an index is given", async () => {
  const { events } = await convert();
  assert.deepEqual([...new Set(events.map((e) => e._index))].sort(), ["logs-endpoint.events.file-auditd", "logs-endpoint.events.process-auditd"]);
  const named = await collect((o) => openAuditdSource([CAPTURE], { ...o, index: "audit-prod", now: () => FIXED_NOW }));
  assert.deepEqual([...new Set(named.events.map((e) => e._index))], ["audit-prod"]);
});

test("every file event, in order: action, path, process.name, pid", async () => {
  const { docs } = await convert();
  const files = docs.filter((d) => field(d, "event.category")?.toString() === "file").map(row);
  assert.deepEqual(files, [
    ["creation", "/dev/shm/libfoo.so", "ld", 17113],
    ["creation", "/usr/lib/libfoo_copy.so", "cp", 17114],
    ["rename", "/usr/lib/libmoved.so", "mv", 17116],
    ["creation", "/dev/shm/py_payload.so", "python3", 17117],
    ["creation", "/dev/shm/notes.txt", "touch", 17158],
    ["creation", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.0.9.dpkg-new", "dpkg", 17168],
    ["creation", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.0.9.dpkg-tmp", "dpkg", 17168],
    ["creation", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.dpkg-new", "dpkg", 17168],
    ["creation", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.dpkg-tmp", "dpkg", 17168],
    ["rename", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.0.9", "dpkg", 17168],
    ["rename", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2", "dpkg", 17168],
    ["deletion", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.0.9.dpkg-tmp", "dpkg", 17168],
    ["deletion", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.dpkg-tmp", "dpkg", 17168],
    ["deletion", "/dev/shm/libfoo.so", "rm", 17188],
    ["deletion", "/dev/shm/py_payload.so", "rm", 17188],
    ["deletion", "/dev/shm/notes.txt", "rm", 17188],
    ["deletion", "/usr/lib/libfoo_copy.so", "rm", 17188],
    ["deletion", "/usr/lib/libmoved.so", "rm", 17188],
  ]);
});

test("the .so creation by ld is a complete Defend-shaped document", async () => {
  const { events } = await convert();
  const ld = events.find((e) => field(e._source, "file.path") === "/dev/shm/libfoo.so" && field(e._source, "event.action") === "creation");
  assert.ok(ld);
  assert.equal(ld._index, "logs-endpoint.events.file-auditd");
  assert.deepEqual(ld.loc, { file: CAPTURE, line: 103, byteOffset: 24057 });
  const d = ld._source as Record<string, unknown>;
  assert.equal(d["@timestamp"], "2026-11-28T03:07:22.816Z");
  assert.deepEqual(d.event, { kind: "event", module: "auditd", category: ["file"], type: ["creation"], action: "creation", outcome: "success", ingested: "2026-11-28T03:07:22.816Z" });
  assert.deepEqual(d.file, { path: "/dev/shm/libfoo.so", name: "libfoo.so", directory: "/dev/shm", extension: "so", inode: "11", mode: "0100644", uid: "0", gid: "0", owner: "root", group: "root" });
  assert.deepEqual(d.host, { name: "capture-host", id: createHash("sha256").update("tern host\u0000capture-host").digest("hex").slice(0, 32), os: { type: "linux" } });
  assert.deepEqual(d.user, { id: "0", name: "root" });
  assert.deepEqual(d.group, { id: "0", name: "root" });
  assert.deepEqual(d.auditd, { sequence: 467, key: ["tern_so"], syscall: "openat", path_resolution: "absolute" });
  const p = d.process as Record<string, unknown>;
  assert.equal(p.pid, 17113);
  // gcc (17109) ran collect2 (17112), which ran ld (17113): all three execs are in the log, so the file
  // event carries ld's exec entity id and collect2 as its parent
  const exec = (pid: number) => events.find((e) => field(e._source, "event.action") === "exec" && field(e._source, "process.pid") === pid)?._source ?? assert.fail(`no exec of ${pid}`);
  assert.equal(p.entity_id, field(exec(17113), "process.entity_id"));
  const parent = p.parent as Record<string, unknown>;
  assert.deepEqual([parent.pid, parent.name, parent.entity_id], [17112, "collect2", field(exec(17112), "process.entity_id")]);
  assert.equal(parent.executable, field(exec(17112), "process.executable"));
  assert.deepEqual(parent.args, field(exec(17112), "process.args"));
  assert.equal(field(exec(17112), "process.parent.name"), "gcc");
  assert.equal(p.name, "ld");
  assert.equal(p.executable, "/usr/bin/x86_64-linux-gnu-ld.bfd");
  assert.equal(p.working_directory, "/tmp/tmp.QN9vOaOFGY");
  assert.equal((p.args as string[])[0], "/usr/bin/ld");
  assert.equal(p.command_line, (p.args as string[]).join(" "));
});

test("the mv rename carries the original path across directories", async () => {
  const { docs } = await convert();
  const mv = docs.find((d) => field(d, "event.action") === "rename" && field(d, "process.name") === "mv");
  assert.ok(mv);
  assert.deepEqual(field(mv, "event.type"), ["change"]);
  assert.deepEqual(field(mv, "file.Ext.original"), { path: "/tmp/tmp.QN9vOaOFGY/x.so", name: "x.so", directory: "/tmp/tmp.QN9vOaOFGY", extension: "so" });
  assert.equal(field(mv, "process.command_line"), "mv /tmp/tmp.QN9vOaOFGY/x.so /usr/lib/libmoved.so");
});

test("python3's process.name is its comm (python3), its executable the resolved interpreter", async () => {
  const { docs } = await convert();
  const py = docs.find((d) => field(d, "file.path") === "/dev/shm/py_payload.so" && field(d, "event.action") === "creation");
  assert.ok(py);
  assert.equal(field(py, "process.executable"), "/root/.pyenv/versions/3.11.7/bin/python3.11");
});

test("the seed query matches exactly the .so creations by ld, cp, mv and python3", async () => {
  const { docs } = await convert();
  const matches = seedPredicate();
  const hits = docs.filter(matches).map(row);
  assert.deepEqual(hits, [
    ["creation", "/dev/shm/libfoo.so", "ld", 17113],
    ["creation", "/usr/lib/libfoo_copy.so", "cp", 17114],
    ["rename", "/usr/lib/libmoved.so", "mv", 17116],
    ["creation", "/dev/shm/py_payload.so", "python3", 17117],
  ]);
});

test("following the capture while the writer pauses mid-event for 3.5 s: every event still comes out, none twice", async () => {
  const { readFileSync } = await import("node:fs");
  const { AuditdAssembler } = await import("../../src/sources/auditd/assembler.js");
  const lines = readFileSync(CAPTURE, "utf8").split("\n").filter((l) => l !== "");
  let now = 0;
  const late: [number, string][] = [];
  const asm = new AuditdAssembler({ hostname: "capture-host", now: () => now, closeAfterMs: 2000, ingested: "wall-clock", onLate: (loc, m) => late.push([loc.line, m]) });
  const out: { key: string; index: number; doc: Record<string, unknown> }[] = [];
  const feed = (from: number, to: number) => lines.slice(from, to).forEach((l, i) => out.push(...asm.feed(l, { file: CAPTURE, line: from + i + 1, byteOffset: 0 })));
  feed(0, 120);
  // the writer stops after line 120 (inside the cp's event); the timeout closes what is open
  now = 3500;
  out.push(...asm.flushExpired());
  feed(120, lines.length);
  out.push(...asm.flush());
  const { docs } = await convert();
  const strip = (d: Record<string, unknown>) => JSON.stringify({ ...d, event: { ...(d.event as object), ingested: undefined } });
  // The timeout closed the cp's creation (serial 470) with only its SYSCALL and CWD: no document. Its late
  // PATH items rebuilt it (first emitted then, without arguments), its late PROCTITLE rebuilt it again:
  // emitted once more under the same index (so the same id), now with the arguments.
  const last = new Map(out.map((e) => [`${e.key}#${e.index}`, e.doc]));
  assert.equal(last.size, 92);
  assert.deepEqual([...last.values()].map(strip).sort(), docs.map(strip).sort());
  const again = out.filter((e, i) => out.findIndex((f) => f.key === e.key && f.index === e.index) !== i);
  assert.deepEqual(again.map((e) => [field(e.doc, "file.path"), field(e.doc, "process.name"), field(e.doc, "process.command_line")]), [["/usr/lib/libfoo_copy.so", "cp", "cp /dev/shm/libfoo.so /usr/lib/libfoo_copy.so"]]);
  assert.equal(asm.stats.rebuilt, 2);
  assert.deepEqual(late, []);
  assert.ok(asm.stats.late > 0);
});
