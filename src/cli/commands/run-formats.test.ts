// `tern run --format auditd|sysmon-linux|ecs` (issue 5): the seed rule on the real auditd capture and on
// Sysmon for Linux lines alerts exactly on the .so creations by ld, cp, mv and python3; an Auditbeat
// "opened-file" document is normalised to a Defend creation, and the raw-line prefilter cannot drop it
// (the raw line has no "creation"), while lines the normaliser never touches are still prefiltered.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { readFileSync } from "node:fs";
import { main } from "../main.js";
import { REALDATA_DIR, SEED_DIR } from "../../testing/paths.js";
import { parseKql } from "../../lang/kql/index.js";
import { kqlPrefilter } from "../../compile/prefilter/index.js";
import { runPrefilter } from "./run.js";
import { captureCli, runCli } from "../../testing/cli.js";

const SEED = join(SEED_DIR, "shared_object_new_terms.toml");
const CAPTURE = join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log");

const tern = (args: string[]) => runCli(args);

type Alert = { process: { name: string; executable: string }; file: { path: string }; event: { action?: string }; "kibana.alert.rule.rule_id": string };
const alertsOf = (stdout: string): Alert[] => stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Alert);
const pairs = (stdout: string) => alertsOf(stdout).map((a) => [a.process.name, a.file.path]).sort();

const EXPECTED = [
  ["cp", "/usr/lib/libfoo_copy.so"],
  ["ld", "/dev/shm/libfoo.so"],
  ["mv", "/usr/lib/libmoved.so"],
  ["python3", "/dev/shm/py_payload.so"],
];

test("--format auditd: the real capture gives exactly the seed rule's alerts for ld, cp, mv and python3 (not dpkg)", async () => {
  const r = await tern(["run", SEED, "--format", "auditd", "-e", CAPTURE, "--state", ":memory:"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(pairs(r.stdout), EXPECTED);
  assert.deepEqual(alertsOf(r.stdout).map((a) => a.process.executable).sort(), ["/root/.pyenv/versions/3.11.7/bin/python3.11", "/usr/bin/cp", "/usr/bin/mv", "/usr/bin/x86_64-linux-gnu-ld.bfd"]);
  assert.match(r.stderr, /lines read: {5}1,583 \(92 events, 0 prefiltered, 0 bad\)/);
});

test("--format auditd --mode stream gives the same four alerts", async () => {
  const r = await tern(["run", SEED, "--format", "auditd", "--mode", "stream", "-e", CAPTURE, "--state", ":memory:"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(pairs(r.stdout), EXPECTED);
});

// Sysmon for Linux EventID 11 (FileCreate) lines for the same activity, in rsyslog's format.
function sysmonLine(rec: number, time: string, image: string, target: string): string {
  const data = { RuleName: "-", UtcTime: time, ProcessGuid: "{5a1f0e7c-0000-0000-0000-000000000001}", ProcessId: String(17000 + rec), Image: image, TargetFilename: target, CreationUtcTime: time, User: "root" };
  return (
    `Nov 28 12:00:00 deb12 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>11</EventID><Version>2</Version><Level>4</Level><Task>11</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="${time.replace(" ", "T")}000Z"/><EventRecordID>${rec}</EventRecordID><Correlation/><Execution ProcessID="900" ThreadID="900"/><Channel>Linux-Sysmon/Operational</Channel><Computer>deb12</Computer><Security UserId="0"/></System><EventData>` +
    Object.entries(data).map(([k, v]) => `<Data Name="${k}">${v}</Data>`).join("") +
    "</EventData></Event>"
  );
}

test("--format sysmon-linux: FileCreate events give exactly the alerts for ld, cp, mv and python3 (not dpkg)", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-fmt-"));
  try {
    const f = join(d, "syslog");
    const lines = [
      "Nov 28 12:00:00 deb12 sysmon: Sysmon v1.0.0 started.",
      sysmonLine(1, "2026-11-28 12:00:01.100", "/usr/bin/ld", "/dev/shm/libfoo.so"),
      sysmonLine(2, "2026-11-28 12:00:01.200", "/usr/bin/cp", "/usr/lib/libfoo_copy.so"),
      sysmonLine(3, "2026-11-28 12:00:01.300", "/usr/bin/mv", "/usr/lib/libmoved.so"),
      sysmonLine(4, "2026-11-28 12:00:01.400", "/usr/bin/python3", "/dev/shm/py_payload.so"),
      sysmonLine(5, "2026-11-28 12:00:01.500", "/usr/bin/dpkg", "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2.0.9.dpkg-new"),
    ];
    writeFileSync(f, lines.join("\n") + "\n");
    const r = await tern(["run", SEED, "--format", "sysmon-linux", "-e", f, "--state", ":memory:"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(pairs(r.stdout), EXPECTED);
    assert.match(r.stderr, /lines read: {5}6 \(5 events, 0 prefiltered, 0 bad\)/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

function seedQuery(): string {
  const t = parseToml(readFileSync(SEED, "utf8")) as { rule: { query: string } };
  return t.rule.query;
}

const auditbeatDoc = {
  "@timestamp": "2026-11-28T12:00:00.000Z",
  event: { module: "auditd", category: ["file"], type: ["info"], action: "opened-file", outcome: "success" },
  process: { pid: 4412, name: "curl", executable: "/usr/bin/curl", working_directory: "/home/alice" },
  host: { name: "web01", os: { type: "linux" } },
  file: { path: "/dev/shm/x.so" },
  auditd: { paths: [{ name: "/dev/shm/", nametype: "PARENT", inode: "1", mode: "040777" }, { name: "x.so", nametype: "CREATE", inode: "2", mode: "0100644" }] },
};

test("prefilter guard: the raw Auditbeat line fails the seed query's prefilter, the ecs run prefilter lets it through", () => {
  const seed = parseKql(seedQuery());
  const line = Buffer.from(JSON.stringify(auditbeatDoc));
  assert.equal(kqlPrefilter(seed)(line), false);
  assert.equal(runPrefilter([{ ast: seed }], "auditd")(line), false);
  const ecs = runPrefilter([{ ast: seed }], "ecs");
  assert.equal(ecs(line), true);
  assert.equal(ecs(JSON.stringify({ event: { action: "exec" }, process: { name: "ls" } })), false);
  assert.equal(ecs(Buffer.from('{"event":{"module":"aud\\u0069td"}}')), true);
  assert.equal(ecs(Buffer.from('{"event":{"module":"file_integrity","action":"created"},"file":{"path":"/dev/shm/a.so"}}')), true);
  assert.equal(ecs(Buffer.from('{"event":{"dataset":"sysmon_linux.log","code":"11"}}')), true);
});

test("--format ecs: an Auditbeat opened-file with a CREATE path alerts as a creation; an unrelated line is prefiltered", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-fmt-"));
  try {
    const f = join(d, "auditbeat.ndjson");
    const other = { "@timestamp": "2026-11-28T12:00:01.000Z", event: { action: "exec", category: ["process"] }, process: { name: "ls" } };
    writeFileSync(f, JSON.stringify(auditbeatDoc) + "\n" + JSON.stringify(other) + "\n");
    for (const extra of [[], ["--mode", "stream"]]) {
      const r = await tern(["run", SEED, "-e", f, "--state", ":memory:", ...extra]);
      assert.equal(r.code, 0, r.stderr);
      const a = alertsOf(r.stdout);
      assert.deepEqual(a.map((x) => [x.process.name, x.file.path]), [["curl", "/dev/shm/x.so"]]);
      // the alert's source is the normalised document, not the line as written (opened-file)
      assert.deepEqual(a.map((x) => x.event.action), ["creation"]);
      assert.match(r.stderr, /lines read: {5}2 \(1 events, 1 prefiltered, 0 bad\)/);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("--no-normalize: the Auditbeat document is used as written (no creation, so prefiltered and no alert)", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-fmt-"));
  try {
    const f = join(d, "auditbeat.ndjson");
    writeFileSync(f, JSON.stringify(auditbeatDoc) + "\n");
    const r = await tern(["run", SEED, "-e", f, "--state", ":memory:", "--no-normalize"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /lines read: {5}1 \(0 events, 1 prefiltered, 0 bad\)/);
    assert.equal(runPrefilter([{ ast: parseKql(seedQuery()) }], "ecs", false)(Buffer.from(JSON.stringify(auditbeatDoc))), false);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("--follow refuses stdin and --mode replay; --seed-processes needs --follow --format auditd (exit 2)", async () => {
  const a = await tern(["run", SEED, "--follow", "-e", "-", "--state", ":memory:"]);
  assert.deepEqual([a.code, a.stderr], [2, "tern run: --follow reads files, not stdin (stdin is streamed without it)\n"]);
  const b = await tern(["run", SEED, "--follow", "--mode", "replay", "-e", CAPTURE, "--state", ":memory:"]);
  assert.deepEqual([b.code, b.stderr], [2, "tern run: --follow runs in stream mode (not --mode replay)\n"]);
  // /proc describes this machine now: no use for a replayed log, nor for another format
  const message = "tern run: --seed-processes seeds the process table of a live audit log: it needs --follow and --format auditd\n";
  const c = await tern(["run", SEED, "--seed-processes", "--format", "auditd", "-e", CAPTURE, "--state", ":memory:"]);
  assert.deepEqual([c.code, c.stderr], [2, message]);
  const e = await tern(["run", SEED, "--seed-processes", "--follow", "-e", CAPTURE, "--state", ":memory:"]);
  assert.deepEqual([e.code, e.stderr], [2, message]);
});

test("--follow --format ecs: an Auditbeat line appended to a followed file alerts; SIGTERM ends the run with exit 0", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-fmt-"));
  try {
    const f = join(d, "auditbeat.ndjson");
    writeFileSync(f, "");
    const { ctx, out, err } = captureCli({ cwd: d });
    const listeners = process.listenerCount("SIGTERM");
    const running = main(["node", "tern", "run", SEED, "--follow", "--poll-interval-ms", "20", "-e", "auditbeat.ndjson", "--state", "s.db"], ctx);
    writeFileSync(f, JSON.stringify(auditbeatDoc) + "\n");
    const t0 = Date.now();
    while (!out().includes("\n") && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    process.emit("SIGTERM");
    assert.equal(await running, 0, err());
    assert.deepEqual(pairs(out()), [["curl", "/dev/shm/x.so"]]);
    assert.match(err(), /^tern run: stream mode, 1 rule run\n {2}lines read: {5}1 \(1 events, 0 prefiltered, 0 bad\)/);
    assert.equal(process.listenerCount("SIGTERM"), listeners);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("--hostname names the host of audit records without node= (as convert --hostname does)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-hostname-"));
  try {
    const log = join(dir, "audit.log");
    writeFileSync(log, readFileSync(CAPTURE, "utf8").replace(/^node=\S+ /gm, ""));
    const r = await tern(["run", SEED, "--format", "auditd", "-e", log, "--state", ":memory:", "--hostname", "web-7"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(pairs(r.stdout), EXPECTED);
    assert.deepEqual([...new Set(alertsOf(r.stdout).map((a) => (a as unknown as { host: { name: string } }).host.name))], ["web-7"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
