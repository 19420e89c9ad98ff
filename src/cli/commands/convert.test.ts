// `tern convert` through main() with captured streams: auditd, sysmon-linux and ecs (normalised) inputs,
// exact warnings for bad lines (file:line:1: warning[SRC111]), --strict, --output (mode 0600), --hits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REALDATA_DIR } from "../../testing/paths.js";
import { runCli } from "../../testing/cli.js";

const tern = (args: string[], input?: string) => runCli(args, { stdin: input });

const CAPTURE = join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log");
const SYSMON = join(REALDATA_DIR, "integrations", "packages", "sysmon_linux", "_dev", "deploy", "docker", "sample_logs", "sysmon.log");
const parseLines = (s: string) => s.trim().split("\n").map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);

test("auditd: one ECS document per line on stdout, a summary on stderr, exit 0", async () => {
  const r = await tern(["convert", "--format", "auditd", "--hostname", "vm1", CAPTURE]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "tern convert: 92 events from 1583 lines in 1 file.\n");
  const docs = parseLines(r.stdout);
  assert.equal(docs.length, 92);
  const so = docs.filter((d) => d.file?.extension === "so" && d.event.action !== "deletion").map((d) => [d.event.action, d.file.path, d.process.name]);
  assert.deepEqual(so, [
    ["creation", "/dev/shm/libfoo.so", "ld"],
    ["creation", "/usr/lib/libfoo_copy.so", "cp"],
    ["rename", "/usr/lib/libmoved.so", "mv"],
    ["creation", "/dev/shm/py_payload.so", "python3"],
  ]);
  assert.equal(docs[0].host.name, "vm1");
});

test("--output writes the same lines to a 0600 file; --hits wraps them as hits with the Defend index", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-convert-"));
  const out = join(dir, "events.ndjson");
  const r = await tern(["convert", "--format", "sysmon-linux", "-o", out, SYSMON]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "");
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const docs = parseLines(readFileSync(out, "utf8"));
  // 1 deletion, 6 process starts, 3 connections, 24 process ends
  assert.equal(docs.length, 34);
  assert.equal(docs[0].file.path, "/dev/shm/sem.sysmon-startup");
  const h = await tern(["convert", "--format", "sysmon-linux", "--hits", SYSMON]);
  const hit = parseLines(h.stdout)[0] as unknown as { _index: string; _id: string; _source: Record<string, unknown> };
  assert.equal(hit._index, "logs-endpoint.events.file-sysmon");
  assert.match(hit._id, /^[0-9a-f]{20}$/);
  assert.deepEqual(Object.keys(hit), ["_index", "_id", "_source"]);
});

test("bad lines are warnings with file:line:1 and SRC111; --strict makes the first one an error, exit 2", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-convert-"));
  const log = join(dir, "audit.log");
  writeFileSync(log, 'this is not audit\ntype=SYSCALL msg=audit(1700000000.100:5): arch=c000003e syscall=85 success=yes exit=3 items=1 ppid=1 pid=2 uid=0 comm="cc" exe="/usr/bin/cc"\ntype=PATH msg=audit(1700000000.100:5): item=0 name="/dev/shm/a.so" nametype=CREATE\n');
  const r = await tern(["convert", "--format", "auditd", log]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, `${log}:1:1: warning[SRC111]: not an audit record (expected "type=… msg=audit(EPOCH:SERIAL):").\ntern convert: 1 events from 3 lines in 1 file, 1 bad line skipped.\n`);
  assert.equal(parseLines(r.stdout)[0].file.path, "/dev/shm/a.so");
  const s = await tern(["convert", "--format", "auditd", "--strict", log]);
  assert.equal(s.code, 2);
  assert.equal(s.stdout, "");
  assert.equal(s.stderr, `${log}:1:1: error[SRC111]: not an audit record (expected "type=… msg=audit(EPOCH:SERIAL):").\n`);
});

test("a missing input is SRC101, exit 2; an unknown format is a usage error", async () => {
  const r = await tern(["convert", "--format", "auditd", "/nonexistent/audit.log"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "/nonexistent/audit.log:1:1: error[SRC101]: cannot open /nonexistent/audit.log: no such file; check the input path\n");
  const u = await tern(["convert", "--format", "evtx", CAPTURE]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /error: option '--format <format>' argument 'evtx' is invalid\. Allowed choices are ecs, auditd, sysmon-linux\./);
});

test("ecs (the default): Auditbeat documents are normalised, others pass unchanged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-convert-"));
  const f = join(dir, "auditbeat.ndjson");
  const ab = { "@timestamp": "2024-06-10T14:03:11.509Z", event: { module: "auditd", action: "opened-file", outcome: "success" }, process: { name: "curl" }, file: { path: "/dev/shm/u.so" }, auditd: { paths: [{ name: "/dev/shm/", nametype: "PARENT" }, { name: "/dev/shm/u.so", nametype: "CREATE" }] } };
  const plain = { "@timestamp": "2024-06-10T14:03:12.000Z", message: "x" };
  writeFileSync(f, JSON.stringify(ab) + "\n" + JSON.stringify(plain) + "\n");
  const r = await tern(["convert", f]);
  assert.equal(r.code, 0);
  const [a, b] = parseLines(r.stdout);
  assert.deepEqual([a.event.action, a.event.type, a.file.extension, a.host], ["creation", ["creation"], "so", { os: { type: "linux" } }]);
  assert.deepEqual(b, plain);
});

test("auditd from stdin (-): locations name <stdin>", async () => {
  const log = 'type=SYSCALL msg=audit(1700000000.100:5): arch=c000003e syscall=85 success=yes exit=3 items=1 ppid=1 pid=2 uid=0 comm="cc" exe="/usr/bin/cc"\ntype=PATH msg=audit(1700000000.100:5): item=0 name="/dev/shm/in.so" nametype=CREATE\nnot audit\n';
  const r = await tern(["convert", "--format", "auditd", "--hits", "-"], log);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '<stdin>:3:1: warning[SRC111]: not an audit record (expected "type=… msg=audit(EPOCH:SERIAL):").\ntern convert: 1 events from 3 lines in 1 file, 1 bad line skipped.\n');
  const hit = JSON.parse(r.stdout) as { _index: string; _source: { file: { path: string } } };
  assert.deepEqual([hit._index, hit._source.file.path], ["logs-endpoint.events.file-auditd", "/dev/shm/in.so"]);
});

test("a reader that goes away (| head -1) ends the command quietly with exit 0, no EPIPE trace", async () => {
  const { spawn } = await import("node:child_process");
  const { REPO_ROOT } = await import("../../testing/paths.js");
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "tern.js"), "convert", "--format", "auditd", CAPTURE], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
  // read the first chunk, then close our end of the pipe as head does
  await new Promise<void>((res) => child.stdout.once("data", () => res()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|internal error|at /);
});
