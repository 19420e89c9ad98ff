// Writing generated events to disk for `npm run bench:gen` and `npm run examples:gen` (issue 6, issue 4
// "Main job and examples"): streamed with back-pressure so 10 M events never sit in memory, gzip when the
// path ends in .gz, files mode 0600, and a sha256 of the bytes written so reruns can prove determinism.

import { createWriteStream, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { gzipSync, createGzip } from "node:zlib";
import type { Writable } from "node:stream";
import { benchLines, benchMeta, type BenchGenMeta, type BenchGenOptions } from "./bench.js";
import { EXAMPLE_FILES, exampleEvents, type ExampleStream } from "./examples.js";

export interface WrittenBench extends BenchGenMeta {
  /** Uncompressed NDJSON bytes. */
  readonly bytes: number;
  /** sha256 (hex) of the uncompressed NDJSON. */
  readonly sha256: string;
}

async function write(out: Writable, data: string): Promise<void> {
  if (!out.write(data)) await once(out, "drain");
}

/** Stream the benchmark events to `path` (gzip if it ends in .gz) and its meta to `<path>.meta.json`. */
export async function writeBenchFile(o: BenchGenOptions, path: string): Promise<WrittenBench> {
  const meta = benchMeta(o);
  const file = createWriteStream(path, { mode: 0o600 });
  let out: Writable = file;
  const gz = path.endsWith(".gz") ? createGzip({ level: 6 }) : undefined;
  if (gz !== undefined) {
    gz.pipe(file);
    out = gz;
  }
  const hash = createHash("sha256");
  let bytes = 0;
  let buf: string[] = [];
  for (const line of benchLines(o)) {
    buf.push(line);
    if (buf.length === 2000) {
      const text = buf.join("\n") + "\n";
      buf = [];
      hash.update(text);
      bytes += Buffer.byteLength(text);
      await write(out, text);
    }
  }
  if (buf.length > 0) {
    const text = buf.join("\n") + "\n";
    hash.update(text);
    bytes += Buffer.byteLength(text);
    await write(out, text);
  }
  out.end();
  await once(file, "close");
  const written: WrittenBench = { ...meta, bytes, sha256: hash.digest("hex") };
  writeFileSync(`${path}.meta.json`, JSON.stringify(written, null, 2) + "\n", { mode: 0o600 });
  return written;
}

export interface WrittenExample {
  readonly file: string;
  readonly events: number;
  readonly bytes: number;
}

/** Write examples/events/*.ndjson.gz (one file per Defend data stream), deterministic gzip. */
export function writeExampleFiles(dir: string, seed?: number): WrittenExample[] {
  const events = exampleEvents(seed);
  const out: WrittenExample[] = [];
  for (const stream of ["file", "process", "network"] as const satisfies readonly ExampleStream[]) {
    const lines = events.filter((e) => e.stream === stream).map((e) => JSON.stringify(e.doc));
    const text = lines.join("\n") + "\n";
    const name = `${EXAMPLE_FILES[stream]}.gz`;
    // Node's gzip header carries no mtime, so the same text gives the same bytes
    writeFileSync(join(dir, name), gzipSync(text, { level: 9 }), { mode: 0o600 });
    out.push({ file: name, events: lines.length, bytes: Buffer.byteLength(text) });
  }
  return out;
}
