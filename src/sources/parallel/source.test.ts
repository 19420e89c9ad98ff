// Tests of the parallel NDJSON source (issue 6, worker threads): same matching events, bad lines and stats
// as openNdjsonSource on a generated file with every kind of bad line, split into several ranges.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { BadLine, InputEvent } from "../../event/types.js";
import type { EventSource } from "../types.js";
import { openNdjsonSource } from "../ndjson/index.js";
import { benchLines } from "../../testing/gen/bench.js";
import { compileKql } from "../../compile/predicate/index.js";
import { kqlRoutedPrefilter } from "../../compile/prefilter/index.js";
import { indexRouter } from "../../engine/run.js";
import { NORMALIZED_PRODUCERS_KQL, normalizeEcsEvent } from "../ecs-normalize/index.js";
import { DiagnosticError } from "../../diag/index.js";
import { openParallelNdjsonSource, type ParallelRule } from "./source.js";
import { newlineRanges } from "./ranges.js";

const SEED_QUERY =
  "host.os.type:linux and event.action:(creation or file_create_event or file_rename_event or rename) and file.path:(/dev/shm/* or /usr/lib/*) and file.extension:so and process.name:(* and not (\"5\" or \"dockerd\" or \"dpkg\" or \"rpm\"))";
const RULES: ParallelRule[] = [
  { query: SEED_QUERY, index: ["logs-endpoint.events.*"] },
  { query: 'process.name:"cron"', index: ["other-*"] },
  { query: 'event.category:"process" and process.name:"sshd"' },
];
const MAX = 4096;

/** Generated events with bad lines of every kind, blank lines, CRLF, hits and auditbeat documents. */
function makeFile(dir: string): string {
  const lines: (string | Buffer)[] = [];
  let i = 0;
  const extra = (k: number): (string | Buffer)[] => {
    switch (k % 12) {
      case 0:
        return ["{not json"];
      case 1:
        return ["[1,2]", "42", "null"];
      case 2:
        return [Buffer.concat([Buffer.from('{"event":{"category":"process"},"process":{"name":"sshd"},"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])];
      case 3:
        return [`{"x":"${"a".repeat(MAX + 20)}"}`];
      case 4:
        return ['{"_index":"z","_source":3,"event":{"category":"process"},"process":{"name":"sshd"}}'];
      case 5:
        return ["", "   \t", "garbage no braces"];
      case 6:
        return [`{"_index":"other-1","_id":"h${k}","_source":{"process":{"name":"cron"}}}`];
      case 7:
        return [`{"event":{"category":"process"},"process":{"name":"sshd"}}\r`];
      case 8:
        return ['{"event":{"module":"auditd","action":"executed","category":["process"]},"process":{"name":"sshd"},"host":{"os":{"type":"linux"}}}'];
      case 9:
        return [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"process":{"name":"sshd"},"event":{"category":"process"}}')])];
      case 10:
        return [`{"process":{"name":"cron"}}`];
      default:
        return [`{"_index":"logs-endpoint.events.file-x","_source":{"process":{"name":"sshd"},"event":{"category":"process"}}}`];
    }
  };
  lines.push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"process":{"name":"sshd"},"event":{"category":"process"}}')]));
  for (const l of benchLines({ events: 4000, seed: 7, matchFraction: 0.05, pairs: 20, days: 2 })) {
    lines.push(l);
    if (++i % 97 === 0) lines.push(...extra(i / 97));
  }
  lines.push('{"process":{"name":"sshd"},"event":{"category":"process"}}'); // no trailing newline
  const path = join(dir, "logs-endpoint.events.file-gen.ndjson");
  const bufs: Buffer[] = [];
  lines.forEach((l, k) => {
    bufs.push(typeof l === "string" ? Buffer.from(l) : l);
    if (k + 1 < lines.length) bufs.push(Buffer.from("\n"));
  });
  writeFileSync(path, Buffer.concat(bufs), { mode: 0o600 });
  return path;
}

interface Collected {
  events: InputEvent[];
  bad: { bad: BadLine; raw: string }[];
  stats: EventSource["stats"];
}

async function collect(open: (onBadLine: (b: BadLine, raw: Uint8Array) => void) => EventSource): Promise<Collected> {
  const bad: Collected["bad"] = [];
  const src = open((b, raw) => bad.push({ bad: b, raw: Buffer.from(raw).toString("hex") }));
  const events: InputEvent[] = [];
  for await (const b of src.batches()) events.push(...b);
  return { events, bad, stats: { ...src.stats } };
}

/** The single-thread path as the CLI builds it, then only the events some routed rule matches. */
async function reference(inputs: string[], index?: string): Promise<Collected> {
  const routing = { indexFilter: true, indexIsExplicit: index !== undefined };
  const route = indexRouter(
    RULES.map((r) => r.index),
    routing,
  );
  const prefilterFor = kqlRoutedPrefilter(
    RULES.map((r) => ({ ast: r.query })),
    [{ ast: NORMALIZED_PRODUCERS_KQL }],
    route,
  );
  const preds = RULES.map((r) => compileKql(r.query));
  const got = await collect((onBadLine) => openNdjsonSource(inputs, { onBadLine, prefilterFor, maxLineBytes: MAX, index }));
  got.events = got.events
    .filter((ev) => {
      const mask = route(ev.loc.file, ev._index);
      const doc = normalizeEcsEvent(ev._source);
      return preds.some((p, k) => mask[k] && p(doc));
    })
    // which rules a line's bytes allow is the prefilter's hint to the engine; the workers used it already
    .map(({ rules: _rules, ...ev }) => ev);
  return got;
}

async function parallel(inputs: string[], threads: number, index?: string, rangeBytes?: number): Promise<Collected> {
  const got = await collect((onBadLine) =>
    openParallelNdjsonSource(inputs, { onBadLine, threads, ruleQueries: RULES, maxLineBytes: MAX, index, rangeBytes, routing: { indexFilter: true, indexIsExplicit: index !== undefined } }),
  );
  // the rules each line allows come along from the workers; every event some rule matches allows that rule
  const route = indexRouter(
    RULES.map((r) => r.index),
    { indexFilter: true, indexIsExplicit: index !== undefined },
  );
  const preds = RULES.map((r) => compileKql(r.query));
  let masked = 0;
  for (const ev of got.events) {
    if (ev.rules === undefined) continue;
    masked++;
    const mask = route(ev.loc.file, ev._index);
    const doc = normalizeEcsEvent(ev._source);
    preds.forEach((p, k) => assert.ok(!(mask[k] && p(doc)) || ev.rules?.[k] === 1, `rule ${k} matches ${JSON.stringify(ev._source)}`));
  }
  assert.ok(got.events.length === 0 || masked > 0, "the workers send the rules' masks");
  got.events = got.events.map(({ rules: _rules, ...ev }) => ev);
  return got;
}

test("parallel source: same matching events, bad lines and stats as openNdjsonSource", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-par-"));
  try {
    const path = makeFile(dir);
    const gz = join(dir, "other-2.ndjson.gz");
    writeFileSync(gz, gzipSync('{"process":{"name":"cron"}}\n{bad\n{"process":{"name":"sshd"},"event":{"category":"process"}}\n'), { mode: 0o600 });
    const empty = join(dir, "empty.ndjson");
    writeFileSync(empty, "", { mode: 0o600 });
    const inputs = [path, gz, empty, path];
    const ref = await reference(inputs);
    assert.equal(newlineRanges(path, 3).length, 3);
    // 1–3 workers, and ranges of ~16 KiB dealt to 2 workers in turn (each reads many ranges)
    for (const [threads, rangeBytes] of [[1], [2], [3], [2, 16384]]) {
      const got = await parallel(inputs, threads, undefined, rangeBytes);
      assert.deepEqual(got.stats, ref.stats, `stats, ${threads} threads`);
      assert.deepEqual(got.bad, ref.bad, `bad lines, ${threads} threads`);
      assert.deepEqual(got.events, ref.events, `events, ${threads} threads`);
    }
    assert.ok(statSync(path).size > 16384 * 8, "the file makes more than 8 ranges of 16 KiB");
    // the fixture exercises what it claims to
    assert.equal(ref.stats.files, 4);
    assert.deepEqual([...new Set(ref.bad.map((b) => b.bad.reason))].sort(), ["invalid-json", "invalid-utf8", "malformed-record", "not-an-object", "too-long"]);
    assert.ok(ref.events.length > 200 && ref.events.length < ref.stats.events, `${ref.events.length} of ${ref.stats.events}`);
    assert.ok(ref.stats.prefiltered > 0);
    // with --index every plain line gets that index (routing changes)
    const refIx = await reference([path], "other-9");
    assert.deepEqual(await parallel([path], 2, "other-9"), refIx);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("parallel source: a worker that cannot read its range fails with SRC003, no hang", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-par-"));
  try {
    const path = join(dir, "a.ndjson");
    writeFileSync(path, '{"process":{"name":"sshd"},"event":{"category":"process"}}\n'.repeat(100), { mode: 0o600 });
    const src = openParallelNdjsonSource([path], { onBadLine: () => undefined, threads: 2, ruleQueries: RULES });
    unlinkSync(path);
    await assert.rejects(
      async () => {
        for await (const b of src.batches()) assert.ok(b.length >= 0);
      },
      (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0].code === "SRC003" && e.diagnostics[0].message.startsWith(`cannot read ${path}: ENOENT`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
