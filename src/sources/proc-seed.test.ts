// Seeding the process table from /proc: a fixture tree in /proc's layout, this machine's real /proc, and
// what a seeded table does with events before and after the processes it found.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runningProcesses } from "./proc-seed.js";
import { ProcessTable } from "./process-table.js";
import { openFollowSource } from "./follow/source.js";

// docs/sources-mapping.md "Process tree", written out independently of the code
const eid = (...parts: (string | number)[]) => createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 22);

/** A /proc-shaped directory: btime, and per pid stat / comm / cmdline / status / exe as the kernel writes them. */
function fixture(): string {
  const d = mkdtempSync(join(tmpdir(), "tern-proc-"));
  writeFileSync(join(d, "stat"), "cpu  1 2 3\nbtime 1700000000\nprocesses 99\n");
  const proc = (pid: number, comm: string, ppid: number, ticks: number, argv: string[], uid: string, exe?: string, tty = 0) => {
    const p = join(d, String(pid));
    mkdirSync(p);
    // stat(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime …
    writeFileSync(join(p, "stat"), `${pid} (${comm}) S ${ppid} ${pid} ${pid} ${tty} -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 ${ticks} 1000 10 18446744073709551615\n`);
    writeFileSync(join(p, "comm"), `${comm}\n`);
    writeFileSync(join(p, "cmdline"), argv.length === 0 ? "" : argv.join("\0") + "\0");
    writeFileSync(join(p, "status"), `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t100\t100\t100\t100\n`);
    if (exe !== undefined) symlinkSync(exe, join(p, "exe"));
  };
  proc(1, "systemd", 0, 100, ["/sbin/init"], "0", "/usr/lib/systemd/systemd");
  // a kernel thread: no exe link, empty cmdline
  proc(2, "kthreadd", 0, 100, [], "0");
  // a comm with a space and a parenthesis; ppid and start time still found after the last ")"
  proc(500, "tmux: s) x", 1, 250_050, ["tmux", "new", "-s", "work"], "1000", "/usr/bin/tmux");
  // on /dev/pts/1 (tty_nr 34817: major 136, minor 1)
  proc(501, "bash", 500, 250_100, ["-bash"], "1000", "/usr/bin/bash", 34817);
  // a directory whose process ended while it was read
  mkdirSync(join(d, "777"));
  mkdirSync(join(d, "self"));
  return d;
}

test("running processes: pid, ppid, start (boot time + ticks/100, a second early), comm, exe, argv, real uid and gid", () => {
  const d = fixture();
  try {
    const found = runningProcesses(d).sort((a, b) => a.pid - b.pid);
    const boot = 1700000000_000;
    assert.deepEqual(found, [
      { pid: 1, ppid: undefined, startMs: boot + 1_000 - 1_000, image: { interactive: false, name: "systemd", executable: "/usr/lib/systemd/systemd", args: ["/sbin/init"], userId: "0", groupId: "100" } },
      { pid: 2, ppid: undefined, startMs: boot + 1_000 - 1_000, image: { interactive: false, name: "kthreadd", userId: "0", groupId: "100" } },
      { pid: 500, ppid: 1, startMs: boot + 2_500_500 - 1_000, image: { interactive: false, name: "tmux: s) x", executable: "/usr/bin/tmux", args: ["tmux", "new", "-s", "work"], userId: "1000", groupId: "100" } },
      { pid: 501, ppid: 500, startMs: boot + 2_501_000 - 1_000, image: { interactive: true, name: "bash", executable: "/usr/bin/bash", args: ["-bash"], userId: "1000", groupId: "100" } },
    ]);
    assert.deepEqual(runningProcesses(join(d, "missing")), []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("this machine's /proc: the test's own process is found with its executable, parent, argv and a start in the past", () => {
  const me = runningProcesses().find((p) => p.pid === process.pid);
  assert.ok(me !== undefined);
  assert.equal(me.ppid, process.ppid);
  assert.equal(me.image.executable, realpathSync(process.execPath));
  assert.deepEqual(me.image.args, readFileSync(`/proc/${process.pid}/cmdline`, "utf8").split("\0").slice(0, -1));
  assert.equal(me.image.userId, String(process.getuid?.()));
  const uptimeMs = process.uptime() * 1000;
  assert.ok(me.startMs <= Date.now() - uptimeMs + 50, "started before now - uptime");
  assert.ok(me.startMs >= Date.now() - uptimeMs - 5_000, "within seconds of the real start");
});

test("a seeded table: instances with parents, kept when already known, replaced when the pid was reused; older events are not theirs", () => {
  const t = new ProcessTable();
  // a restored table already knows pid 501 from its exec (the same process /proc shows: it started earlier)
  const exec501 = t.exec("H", 501, 500, 1700002501500, 7, { name: "bash", executable: "/usr/bin/bash" }).self;
  // and pid 600 from an exec long ago: /proc shows a later start, so the pid was reused
  t.exec("H", 600, 1, 1700000100000, 3, { executable: "/usr/bin/old" });
  const running = [
    { pid: 500, ppid: 1, startMs: 1700002499500, image: { name: "tmux", executable: "/usr/bin/tmux", args: ["tmux"] } },
    { pid: 501, ppid: 500, startMs: 1700002500000, image: { name: "bash", executable: "/usr/bin/bash", args: ["-bash"] } },
    { pid: 600, ppid: 501, startMs: 1700002600000, image: { name: "vim", executable: "/usr/bin/vim", args: ["vim", "x"] } },
  ];
  assert.equal(t.seed("H", running), 2);
  // pid 500 was met as bash's parent, unseen: it keeps that id and learns its image from /proc
  assert.deepEqual(t.peek("H", 500), { entityId: eid("H", 500, "unseen", 0), pid: 500, name: "tmux", executable: "/usr/bin/tmux", args: ["tmux"], parent: undefined, unseen: true });
  assert.equal(t.peek("H", 501)?.entityId, exec501.entityId);
  assert.deepEqual(t.peek("H", 600)?.parent, { pid: 501, entityId: exec501.entityId });
  // an exec by vim's child names vim, with its arguments, as parent
  const child = t.exec("H", 601, 600, 1700002700000, 50, { executable: "/usr/bin/id" });
  assert.deepEqual([child.parent?.entityId, child.parent?.args], [eid("H", 600, 1700002600000, "proc"), ["vim", "x"]]);
  // an event of pid 600 from before vim started was another process's: its own id, and vim stays
  const before = t.lookup("H", 600, { executable: "/usr/bin/old" }, 1, { ms: 1700000200000, serial: 4 });
  assert.equal(before.entityId, eid("H", 600, "before", eid("H", 600, 1700002600000, "proc")));
  assert.equal(t.peek("H", 600)?.executable, "/usr/bin/vim");
});

test("--follow --seed-processes: the first exec of a process that started before tern names its parent with the parent's arguments", async () => {
  const d = fixture();
  const log = join(d, "audit.log");
  writeFileSync(
    log,
    [
      `type=SYSCALL msg=audit(1795835242.816:900): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=501 pid=700 auid=1000 uid=1000 gid=100 euid=1000 suid=1000 fsuid=1000 egid=100 sgid=100 fsgid=100 tty=pts1 ses=3 comm="id" exe="/usr/bin/id" key="tern_exec"`,
      `type=EXECVE msg=audit(1795835242.816:900): argc=1 a0="id"`,
      `type=PROCTITLE msg=audit(1795835242.816:900): proctitle=6964`,
      "",
    ].join("\n"),
  );
  const notices: string[] = [];
  const src = openFollowSource([log], { format: "auditd", hostname: "h", pollIntervalMs: 10, closeAfterMs: 50, seedProcesses: true, procDir: d, onBadLine: () => undefined, onNotice: (m) => notices.push(m) });
  const events: Record<string, unknown>[] = [];
  try {
    for await (const b of src.batches()) {
      events.push(...b.map((e) => e._source));
      if (events.length > 0) src.stop();
    }
  } finally {
    src.stop();
    rmSync(d, { recursive: true, force: true });
  }
  const host = createHash("sha256").update("tern host\u0000h").digest("hex").slice(0, 32);
  assert.deepEqual((events[0].process as { parent: unknown }).parent, {
    pid: 501,
    entity_id: eid(host, 501, 1700000000_000 + 2_501_000 - 1_000, "proc"),
    name: "bash",
    executable: "/usr/bin/bash",
    args: ["-bash"],
    args_count: 1,
    command_line: "-bash",
    user: { id: "1000" },
    group: { id: "100" },
    interactive: true,
  });
  assert.deepEqual(notices, [`seeded the process table with 4 of the 4 processes running (${d})`]);
});
