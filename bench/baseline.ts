// The plain Node baselines of the benchmark (issue 6 "The benchmark"): read the file in 1 MiB chunks, split
// lines on 0x0A in Buffers and (mode "parse") JSON.parse every line with no rule — the ceiling a
// parse-everything engine cannot beat — or (mode "split") only split, the I/O floor.
// Usage: node dist/bench/baseline.js parse|split FILE   → prints {"lines":N,"objects":N} on stdout.
import { createReadStream } from "node:fs";

export async function baseline(mode: "parse" | "split", file: string): Promise<{ lines: number; objects: number }> {
  let lines = 0;
  let objects = 0;
  let carry: Buffer | undefined;
  const onLine = (buf: Buffer, s: number, e: number): void => {
    if (e > s && buf[e - 1] === 0x0d) e--;
    if (e === s) return;
    lines++;
    if (mode === "parse") {
      const v: unknown = JSON.parse(buf.toString("utf8", s, e));
      if (typeof v === "object" && v !== null) objects++;
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = chunk;
    let start = 0;
    if (carry !== undefined) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      const line = Buffer.concat([carry, buf.subarray(0, nl)]);
      carry = undefined;
      onLine(line, 0, line.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      onLine(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  }
  if (carry !== undefined) onLine(carry, 0, carry.length);
  return { lines, objects };
}

const [mode, file] = process.argv.slice(2);
if (/[\\/]baseline\.(js|ts)$/.test(process.argv[1] ?? "")) {
  if ((mode !== "parse" && mode !== "split") || file === undefined) {
    process.stderr.write("usage: baseline parse|split FILE\n");
    process.exit(2);
  }
  baseline(mode, file).then((r) => process.stdout.write(JSON.stringify(r) + "\n"));
}
