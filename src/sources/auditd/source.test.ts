// openAuditdSource: batches, stats, bad lines with their raw bytes, CRLF, .gz, and an event split across
// two files given in order (a rotation boundary).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openAuditdSource } from "./source.js";
import type { BadLine, InputEvent } from "../../event/types.js";

const sys = (serial: number, name: string) => [
  `type=SYSCALL msg=audit(1700000000.000:${serial}): arch=c000003e syscall=85 success=yes exit=3 items=1 ppid=1 pid=${serial} uid=0 comm="cc" exe="/usr/bin/cc"`,
  `type=PATH msg=audit(1700000000.000:${serial}): item=0 name="${name}" nametype=CREATE`,
  `type=PROCTITLE msg=audit(1700000000.000:${serial}): proctitle="cc"`,
];

async function run(files: string[], batchSize?: number) {
  const bad: [BadLine, string][] = [];
  const src = openAuditdSource(files, { onBadLine: (b, raw) => bad.push([b, Buffer.from(raw).toString()]), hostname: "h", now: () => 0, batchSize, maxLineBytes: 400 });
  const batches: InputEvent[][] = [];
  for await (const b of src.batches()) batches.push(b);
  return { batches, bad, stats: src.stats };
}

test("batches of batchSize, stats, and bad lines with location, reason and raw bytes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-auditd-src-"));
  const f = join(dir, "audit.log");
  const lines = [...sys(1, "/dev/shm/a.so"), "junk line", ...sys(2, "/dev/shm/b.so"), "x".repeat(500), ...sys(3, "/dev/shm/c.so")];
  writeFileSync(f, lines.join("\r\n") + "\r\n");
  const { batches, bad, stats } = await run([f], 2);
  assert.deepEqual(batches.map((b) => b.map((e) => (e._source.file as Record<string, unknown>).path)), [["/dev/shm/a.so", "/dev/shm/b.so"], ["/dev/shm/c.so"]]);
  assert.deepEqual(bad.map(([b, raw]) => [b.loc.line, b.reason, raw.length]), [[4, "malformed-record", 9], [8, "too-long", 400]]);
  assert.equal(bad[0][0].loc.byteOffset, lines.slice(0, 3).reduce((n, l) => n + l.length + 2, 0));
  assert.deepEqual({ ...stats }, { files: 1, lines: 11, bytes: lines.reduce((n, l) => n + l.length + 2, 0), bad: 2, prefiltered: 0, events: 3 });
});

test("an event split across two files (rotation) is assembled whole; .gz inputs are read", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-auditd-src-"));
  const [s, p, t] = sys(7, "/usr/lib/x.so");
  writeFileSync(join(dir, "audit.log.1.gz"), gzipSync(s + "\n"));
  writeFileSync(join(dir, "audit.log"), `${p}\n${t}\n`);
  const { batches, bad } = await run([join(dir, "audit.log.1.gz"), join(dir, "audit.log")]);
  assert.deepEqual(bad, []);
  const [e] = batches.flat();
  assert.equal((e._source.file as Record<string, unknown>).path, "/usr/lib/x.so");
  assert.deepEqual(e.loc, { file: join(dir, "audit.log.1.gz"), line: 1, byteOffset: 0 });
});
