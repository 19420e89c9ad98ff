// Benchmark (not a test) for the auditd source (issue 5): audit.log lines/s parsed and assembled into ECS
// events. Workload: the real Debian 12 capture (realdata/tern-capture, 1583 ENRICHED lines: execve, file
// creations, renames, deletions, dpkg noise) repeated with shifted serials into a temporary file of
// --copies copies (default 200, ~317k lines, ~71 MB), read through openAuditdSource (streaming, the same
// path `tern convert --format auditd` takes) and, separately, fed line by line to AuditdAssembler from
// memory (parse + assemble + ECS, no I/O). Rates are per CPU-second of this process and per wall second.
// Run: npm run bench:auditd [-- --copies 200].

import { mkdtempSync, readFileSync, rmSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditdAssembler, openAuditdSource } from "../src/sources/auditd/index.js";
import { REALDATA_DIR } from "../src/testing/paths.js";

const copiesArg = process.argv.indexOf("--copies");
const COPIES = copiesArg > 0 ? Number(process.argv[copiesArg + 1]) : 200;

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const base = readFileSync(join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log"), "utf8").split("\n").filter((l) => l !== "");
const STAMP = /msg=audit\((\d+)\.(\d+):(\d+)\)/;
/** Copy `k` of the capture: serials and seconds shifted so every copy is a distinct set of events. */
function copy(k: number): string[] {
  return base.map((l) => l.replace(STAMP, (_m, s: string, ms: string, serial: string) => `msg=audit(${Number(s) + k * 10}.${ms}:${Number(serial) + k * 10_000})`));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tern-bench-auditd-"));
  const file = join(dir, "audit.log");
  const out = createWriteStream(file, { mode: 0o600 });
  const inMemory: string[] = [];
  for (let k = 0; k < COPIES; k++) {
    const lines = copy(k);
    out.write(lines.join("\n") + "\n");
    if (k < 50) inMemory.push(...lines);
  }
  await new Promise<void>((resolve) => out.end(resolve));

  // 1. Streaming source over the file.
  let c0 = cpuSeconds();
  let t0 = performance.now();
  const source = openAuditdSource([file], { onBadLine: () => undefined, hostname: "bench", now: () => 0 });
  let events = 0;
  for await (const batch of source.batches()) events += batch.length;
  let cpu = cpuSeconds() - c0;
  let wall = (performance.now() - t0) / 1000;
  const s = source.stats;
  console.log(`openAuditdSource: ${s.lines} lines, ${(s.bytes / 1e6).toFixed(1)} MB -> ${events} events, bad ${s.bad}`);
  console.log(`  ${Math.round(s.lines / cpu).toLocaleString("en")} lines/s per CPU-second, ${Math.round(s.lines / wall).toLocaleString("en")} lines/s wall, ${(s.bytes / 1e6 / wall).toFixed(1)} MB/s wall`);

  // 2. Assembler alone, from memory.
  const asm = new AuditdAssembler({ hostname: "bench", now: () => 0 });
  c0 = cpuSeconds();
  t0 = performance.now();
  let n = 0;
  const loc = { file: "mem", line: 0, byteOffset: 0 };
  for (const l of inMemory) n += asm.feed(l, loc).length;
  n += asm.flush().length;
  cpu = cpuSeconds() - c0;
  wall = (performance.now() - t0) / 1000;
  console.log(`AuditdAssembler (in memory): ${inMemory.length} lines -> ${n} events`);
  console.log(`  ${Math.round(inMemory.length / cpu).toLocaleString("en")} lines/s per CPU-second, ${Math.round(inMemory.length / wall).toLocaleString("en")} lines/s wall`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
