// Contract tests for the NDJSON source (issue 4 "Inputs"): order, exact events and ids, hits, gzip, CRLF,
// stdin, directories and globs, every bad-line kind with exact file:line:byteOffset, prefilter counting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import type { BadLine, InputEvent } from "../../event/types.js";
import { DiagnosticError } from "../../diag/index.js";
import { openNdjsonSource, type NdjsonSourceOptions } from "./source.js";
import { kqlPrefilter } from "../../compile/prefilter/index.js";
import { defaultIndexName, expandInputs } from "./expand.js";

/** Independent reference for the documented id: sha256(index, 0x00, line bytes), first 20 bytes, hex. */
function refId(index: string, line: string | Buffer): string {
  const h = createHash("sha256");
  h.update(Buffer.from(index, "utf8"));
  h.update(Buffer.from([0]));
  h.update(typeof line === "string" ? Buffer.from(line, "utf8") : line);
  return h.digest("hex").slice(0, 40);
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "tern-ndjson-"));
}

interface Collected {
  events: InputEvent[];
  bad: { bad: BadLine; raw: string }[];
  batches: number[];
}

async function collect(inputs: string[], opts: Partial<NdjsonSourceOptions> = {}): Promise<Collected & { stats: ReturnType<typeof statsOf> }> {
  const bad: Collected["bad"] = [];
  const src = openNdjsonSource(inputs, { onBadLine: (b, raw) => bad.push({ bad: b, raw: Buffer.from(raw).toString("latin1") }), ...opts });
  const events: InputEvent[] = [];
  const batches: number[] = [];
  for await (const b of src.batches()) {
    batches.push(b.length);
    events.push(...b);
  }
  return { events, bad, batches, stats: statsOf(src.stats) };
}
function statsOf(s: object): Record<string, number> {
  return { ...(s as Record<string, number>) };
}

test("plain events: order, content, _index from the file name, content-derived _id, loc, the line as JSON text", async () => {
  const dir = tmp();
  const l1 = '{"@timestamp":"2024-06-10T14:03:11Z","host":{"name":"web01"}}';
  const l2 = '{"event.action":"creation","n":2}';
  const f = join(dir, "logs-endpoint.events.file-default.ndjson");
  writeFileSync(f, `${l1}\n${l2}\n`);
  const r = await collect([f]);
  const idx = "logs-endpoint.events.file-default";
  assert.deepEqual(
    r.events.map((e) => ({ ...e })),
    [
      { _index: idx, _id: refId(idx, l1), _source: { "@timestamp": "2024-06-10T14:03:11Z", host: { name: "web01" } }, loc: { file: f, line: 1, byteOffset: 0 }, json: l1, idOfJson: true },
      { _index: idx, _id: refId(idx, l2), _source: { "event.action": "creation", n: 2 }, loc: { file: f, line: 2, byteOffset: l1.length + 1 }, json: l2, idOfJson: true },
    ],
  );
  assert.deepEqual(r.stats, { files: 1, lines: 2, bytes: l1.length + l2.length + 2, bad: 0, prefiltered: 0, events: 2 });
  assert.deepEqual(r.bad, []);
  // stable across reruns
  const again = await collect([f]);
  assert.deepEqual(again.events.map((e) => e._id), r.events.map((e) => e._id));
  assert.equal(r.events[0]._id, refId(idx, l1));
  assert.match(r.events[0]._id, /^[0-9a-f]{40}$/);
});

test("opts.index overrides the default index (and so the id); identical lines share an id", async () => {
  const dir = tmp();
  const l = '{"a":1}';
  const f = join(dir, "x.jsonl");
  writeFileSync(f, `${l}\n${l}\n`);
  const r = await collect([f], { index: "logs-endpoint.events.process-default" });
  assert.deepEqual(r.events.map((e) => [e._index, e._id, e.loc.line]), [
    ["logs-endpoint.events.process-default", refId("logs-endpoint.events.process-default", l), 1],
    ["logs-endpoint.events.process-default", refId("logs-endpoint.events.process-default", l), 2],
  ]);
});

test("Elasticsearch hits keep their _index/_id; _source becomes the event; a hit without _id gets a derived one", async () => {
  const dir = tmp();
  const h1 = '{"_index":".ds-logs-endpoint.events.file-default-2024.06.10-000001","_id":"abc","_score":1,"_source":{"file":{"path":"/dev/shm/x.so"}}}';
  const h2 = '{"_source":{"k":"v"}}';
  const h3 = '{"_index":"i","_id":7,"_source":{}}';
  const f = join(dir, "hits.ndjson");
  writeFileSync(f, [h1, h2, h3].join("\n") + "\n");
  const r = await collect([f], { index: "override" });
  assert.deepEqual(r.events.map((e) => [e._index, e._id, e._source]), [
    [".ds-logs-endpoint.events.file-default-2024.06.10-000001", "abc", { file: { path: "/dev/shm/x.so" } }],
    ["override", refId("override", h2), { k: "v" }],
    ["i", refId("i", h3), {}],
  ]);
});

test("gzip is detected by magic bytes, not by extension; multi-member gzip is read whole", async () => {
  const dir = tmp();
  const a = join(dir, "a.ndjson.gz");
  const b = join(dir, "b.ndjson"); // gzip data under a plain name
  const c = join(dir, "c.ndjson.gz"); // plain data under a .gz name
  writeFileSync(a, Buffer.concat([gzipSync('{"n":1}\n'), gzipSync('{"n":2}\n')]));
  writeFileSync(b, gzipSync('{"n":3}\n{"n":4}'));
  writeFileSync(c, '{"n":5}\n');
  const r = await collect([a, b, c]);
  assert.deepEqual(r.events.map((e) => [e._index, e._source.n, e.loc.file, e.loc.line, e.loc.byteOffset]), [
    ["a", 1, a, 1, 0],
    ["a", 2, a, 2, 8],
    ["b", 3, b, 1, 0],
    ["b", 4, b, 2, 8],
    ["c", 5, c, 1, 0],
  ]);
  assert.deepEqual(r.stats, { files: 3, lines: 5, bytes: 8 * 4 + 7, bad: 0, prefiltered: 0, events: 5 });
});

test("corrupt gzip is SRC003 after the lines before the damage", async () => {
  const dir = tmp();
  const f = join(dir, "broken.ndjson.gz");
  const gz = gzipSync('{"n":1}\n'.repeat(1000));
  writeFileSync(f, gz.subarray(0, gz.length - 10));
  const src = openNdjsonSource([f], { onBadLine: () => assert.fail("no bad line expected") });
  await assert.rejects(
    async () => {
      for await (const _ of src.batches());
    },
    (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0].code === "SRC003" && e.diagnostics[0].message.startsWith(`cannot read ${f}: `),
  );
});

test("CRLF line ends, a BOM, blank lines and a last line without newline", async () => {
  const dir = tmp();
  const f = join(dir, "crlf.ndjson");
  writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"n":1}\r\n\r\n   \n{"n":2}\r\n{"n":3}')]));
  const r = await collect([f]);
  assert.deepEqual(r.events.map((e) => [e._source.n, e.loc.line, e.loc.byteOffset, e._id]), [
    [1, 1, 0, refId("crlf", '{"n":1}')],
    [2, 4, 18, refId("crlf", '{"n":2}')],
    [3, 5, 27, refId("crlf", '{"n":3}')],
  ]);
  assert.deepEqual(r.stats, { files: 1, lines: 5, bytes: 34, bad: 0, prefiltered: 0, events: 3 });
});

test("stdin via '-': index 'stdin', file '<stdin>', gzip on stdin too", async () => {
  const r = await collect(["-"], { stdin: Readable.from([Buffer.from('{"a":'), Buffer.from('1}\n{"a":2}\n')]) });
  assert.deepEqual(r.events.map((e) => [e._index, e._id, e._source, e.loc]), [
    ["stdin", refId("stdin", '{"a":1}'), { a: 1 }, { file: "<stdin>", line: 1, byteOffset: 0 }],
    ["stdin", refId("stdin", '{"a":2}'), { a: 2 }, { file: "<stdin>", line: 2, byteOffset: 8 }],
  ]);
  const gz = gzipSync('{"b":1}\n');
  const r2 = await collect(["-"], { stdin: Readable.from([gz.subarray(0, 1), gz.subarray(1)]) });
  assert.deepEqual(r2.events.map((e) => e._source), [{ b: 1 }]);
});

test("directories (recursive, sorted, event files only) and globs expand in argument order", async () => {
  const dir = tmp();
  mkdirSync(join(dir, "d", "sub"), { recursive: true });
  writeFileSync(join(dir, "d", "b.ndjson"), '{"f":"b"}\n');
  writeFileSync(join(dir, "d", "a.json"), '{"f":"a"}\n');
  writeFileSync(join(dir, "d", "sub", "c.jsonl.gz"), gzipSync('{"f":"c"}\n'));
  writeFileSync(join(dir, "d", "notes.txt"), "not events\n");
  writeFileSync(join(dir, "z1.ndjson"), '{"f":"z1"}\n');
  writeFileSync(join(dir, "z2.ndjson"), '{"f":"z2"}\n');
  const r = await collect([join(dir, "z?.ndjson"), join(dir, "d")]);
  assert.deepEqual(r.events.map((e) => [e._source.f, e._index]), [
    ["z1", "z1"],
    ["z2", "z2"],
    ["a", "a"],
    ["b", "b"],
    ["c", "c"],
  ]);
  assert.deepEqual(expandInputs(["-", join(dir, "d")]), [
    { kind: "stdin" },
    { kind: "file", path: join(dir, "d", "a.json") },
    { kind: "file", path: join(dir, "d", "b.ndjson") },
    { kind: "file", path: join(dir, "d", "sub", "c.jsonl.gz") },
  ]);
  assert.equal(defaultIndexName({ kind: "file", path: "/x/logs-endpoint.events.file-default.ndjson.gz" }), "logs-endpoint.events.file-default");
});

test("missing inputs are SRC001; empty globs and directories are SRC002 (at open, before reading)", () => {
  const dir = tmp();
  mkdirSync(join(dir, "empty"));
  const codeOf = (inputs: string[]): string => {
    try {
      openNdjsonSource(inputs, { onBadLine: () => undefined });
    } catch (e) {
      if (e instanceof DiagnosticError) return `${e.diagnostics[0].code}: ${e.diagnostics[0].message}`;
      throw e;
    }
    return "none";
  };
  assert.equal(codeOf([join(dir, "nope.ndjson")]), `SRC001: cannot open ${join(dir, "nope.ndjson")}: no such file or directory; check the input path`);
  assert.equal(codeOf([join(dir, "*.ndjson")]), `SRC002: pattern ${join(dir, "*.ndjson")} matched no files`);
  assert.equal(codeOf([join(dir, "empty")]), `SRC002: directory ${join(dir, "empty")} contains no event files (*.ndjson, *.jsonl, *.json, optionally .gz)`);
});

test("every bad-line kind: exact file, line, byteOffset, reason, message and raw bytes; the run goes on", async () => {
  const dir = tmp();
  const f = join(dir, "bad.ndjson");
  const lines: Buffer[] = [
    Buffer.from('{"ok":1}'), // 1 @0
    Buffer.from('{"ok":'), // 2 @9 invalid json
    Buffer.from("[1,2]"), // 3 @16 array
    Buffer.from("42"), // 4 @22 number
    Buffer.from("null"), // 5 @25 null
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), // 6 @30 invalid utf-8 {"a":"\xff"}
    Buffer.from('{"pad":"' + "x".repeat(40) + '"}'), // 7 @40 too long (50 bytes > 32)
    Buffer.from('{"_source":"str"}'), // 8 @91 malformed hit
    Buffer.from('{"ok":2}'), // 9 @109
  ];
  writeFileSync(f, Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
  const r = await collect([f], { maxLineBytes: 32 });
  assert.deepEqual(r.events.map((e) => [e._source.ok, e.loc.line, e.loc.byteOffset]), [
    [1, 1, 0],
    [2, 9, 109],
  ]);
  assert.deepEqual(
    r.bad.map((b) => [b.bad.loc.file, b.bad.loc.line, b.bad.loc.byteOffset, b.bad.reason, b.bad.message, b.raw]),
    [
      [f, 2, 9, "invalid-json", "invalid JSON: Unexpected end of JSON input", '{"ok":'],
      [f, 3, 16, "not-an-object", "line is an array, not a JSON object", "[1,2]"],
      [f, 4, 22, "not-an-object", "line is a number, not a JSON object", "42"],
      [f, 5, 25, "not-an-object", "line is null, not a JSON object", "null"],
      [f, 6, 30, "invalid-utf8", "line is not valid UTF-8", '{"a":"\xff"}'],
      [f, 7, 40, "too-long", "line is longer than 32 bytes", lines[6].subarray(0, 32).toString("latin1")],
      [f, 8, 91, "malformed-record", "_source of an Elasticsearch hit is not an object", '{"_source":"str"}'],
    ],
  );
  assert.deepEqual(r.stats, { files: 1, lines: 9, bytes: 118, bad: 7, prefiltered: 0, events: 2 });
});

test("lines split across tiny chunks, and a too-long line spanning chunks, give the same result", async () => {
  const dir = tmp();
  const f = join(dir, "chunks.ndjson");
  const long = '{"pad":"' + "y".repeat(100) + '"}';
  writeFileSync(f, `{"n":1}\r\n${long}\n{"n":2}\n{"n":3}`);
  for (const chunkBytes of [1, 3, 7, 64, 1 << 20]) {
    const r = await collect([f], { maxLineBytes: 20, chunkBytes });
    assert.deepEqual(r.events.map((e) => [e._source.n, e.loc.line, e.loc.byteOffset, e._id]), [
      [1, 1, 0, refId("chunks", '{"n":1}')],
      [2, 3, 9 + long.length + 1, refId("chunks", '{"n":2}')],
      [3, 4, 9 + long.length + 9, refId("chunks", '{"n":3}')],
    ], `chunkBytes=${chunkBytes}`);
    assert.deepEqual(r.bad.map((b) => [b.bad.loc.line, b.bad.loc.byteOffset, b.bad.reason, b.raw]), [[2, 9, "too-long", long.slice(0, 20)]], `chunkBytes=${chunkBytes}`);
  }
});

test("prefilter: rejected lines are counted and never parsed or UTF-8-validated; only their object shape is checked", async () => {
  const dir = tmp();
  const f = join(dir, "pf.ndjson");
  const rejectedButObjectShaped = Buffer.from([0x7b, 0xff, 0x7d, 0x0a]); // {\xff}: bad UTF-8 and bad JSON, not looked at
  writeFileSync(f, Buffer.concat([Buffer.from('{"k":"keep"}\n{"k":"drop"}\nnot json, dropped\n'), Buffer.from([0xff, 0x0a]), Buffer.from('{"k":"keep"\n'), rejectedButObjectShaped, Buffer.from(' \t{"k":1 } \r\n[1]\n{\n')]));
  const seen: string[] = [];
  const r = await collect([f], {
    prefilter: (line) => {
      const s = typeof line === "string" ? line : Buffer.from(line).toString("latin1");
      seen.push(s);
      return s.includes("keep");
    },
  });
  assert.deepEqual(seen, ['{"k":"keep"}', '{"k":"drop"}', "not json, dropped", "\xff", '{"k":"keep"', "{\xff}", ' \t{"k":1 } ', "[1]", "{"]);
  assert.deepEqual(r.events.map((e) => e._source), [{ k: "keep" }]);
  assert.deepEqual(
    r.bad.map((b) => [b.bad.loc.line, b.bad.reason, b.bad.message]),
    [
      [3, "not-an-object", "line is not a JSON object (it does not start with { and end with })"],
      [4, "not-an-object", "line is not a JSON object (it does not start with { and end with })"],
      [5, "invalid-json", "invalid JSON: Expected ',' or '}' after property value in JSON at position 11"],
      [8, "not-an-object", "line is not a JSON object (it does not start with { and end with })"],
      [9, "not-an-object", "line is not a JSON object (it does not start with { and end with })"],
    ],
  );
  assert.deepEqual(r.stats, { files: 1, lines: 9, bytes: 81, bad: 5, prefiltered: 3, events: 1 });
});

test("batches hold batchSize events (the last may be shorter) and cross file boundaries in order", async () => {
  const dir = tmp();
  writeFileSync(join(dir, "a.ndjson"), Array.from({ length: 5 }, (_, i) => `{"i":${i}}`).join("\n"));
  writeFileSync(join(dir, "b.ndjson"), Array.from({ length: 4 }, (_, i) => `{"i":${i + 5}}`).join("\n") + "\n");
  const r = await collect([join(dir, "a.ndjson"), join(dir, "b.ndjson")], { batchSize: 4 });
  assert.deepEqual(r.batches, [4, 4, 1]);
  assert.deepEqual(r.events.map((e) => e._source.i), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test("an onBadLine that throws (--strict) stops the source with that very error", async () => {
  const dir = tmp();
  const f = join(dir, "strict.ndjson");
  writeFileSync(f, '{"a":1}\nnope\n{"a":2}\n');
  const stop = new Error("strict: bad line");
  const src = openNdjsonSource([f], {
    onBadLine: () => {
      throw stop;
    },
  });
  const got: unknown[] = [];
  await assert.rejects(async () => {
    for await (const b of src.batches()) got.push(...b.map((e) => e._source));
  }, (e: unknown) => e === stop);
  // bytes counts the whole chunk read, lines only those split before the stop
  assert.deepEqual(src.stats, { files: 1, lines: 2, bytes: 21, bad: 1, prefiltered: 0, events: 1 });
});

test("a consumer that stops early gets no more batches and the source does not hang (plain and gzip)", async () => {
  const dir = tmp();
  const text = Array.from({ length: 50_000 }, (_, i) => `{"i":${i}}`).join("\n");
  writeFileSync(join(dir, "p.ndjson"), text);
  writeFileSync(join(dir, "g.ndjson"), gzipSync(text));
  for (const f of ["p.ndjson", "g.ndjson"]) {
    const src = openNdjsonSource([join(dir, f)], { onBadLine: () => undefined, batchSize: 10, chunkBytes: 4096 });
    const firsts: unknown[] = [];
    for await (const b of src.batches()) {
      firsts.push(b[0]._source.i);
      if (firsts.length === 2) break;
    }
    assert.deepEqual(firsts, [0, 10], f);
    assert.ok(src.stats.lines < 50_000, `${f}: read ${src.stats.lines} lines`);
  }
});

test("prefilterFor: each input gets the prefilter of its name and the _index its plain lines get (--index wins)", async () => {
  const dir = tmp();
  const a = join(dir, "logs-a-default.ndjson");
  const b = join(dir, "other.jsonl");
  writeFileSync(a, '{"k":"a1"}\n{"k":"b1"}\n');
  writeFileSync(b, '{"k":"a2"}\n{"k":"b2"}\n');
  const asked: string[] = [];
  const prefilterFor = (file: string, index: string) => {
    asked.push(`${file} ${index}`);
    if (index === "logs-a-default") return (line: Uint8Array | string) => Buffer.from(line).toString().includes('"a');
    return undefined;
  };
  const r = await collect([a, b], { prefilterFor, prefilter: () => false });
  assert.deepEqual(asked, [`${a} logs-a-default`, `${b} other`]);
  assert.deepEqual(r.events.map((e) => e._source.k), ["a1", "a2", "b2"]);
  assert.equal(r.stats.prefiltered, 1);
  asked.length = 0;
  const o = await collect([a], { prefilterFor, index: "forced" });
  assert.deepEqual(asked, [`${a} forced`]);
  assert.deepEqual(o.events.map((e) => e._source.k), ["a1", "b1"]);
});

test("chunk gate: the same events, bad lines and counts as testing every line, with the prefilter run only on lines holding a hit", async () => {
  const d = tmp();
  const f = join(d, "mixed.ndjson");
  const good = (i: number, ext: string) => JSON.stringify({ n: i, file: { extension: ext, path: `/usr/lib/x${i}.${ext}` } });
  const lines: string[] = ["\ufeff" + good(0, "so")];
  for (let i = 1; i < 3000; i++) {
    const k = i % 50;
    if (k === 1) lines.push(good(i, "so") + "\r"); // CRLF
    else if (k === 2) lines.push('{"n":' + i + ',"file":{"extension":"\\u0073o"}}'); // the needle hidden by an escape
    else if (k === 3) lines.push('{"n":' + i + ',"so":'); // invalid JSON holding the needle
    else if (k === 4) lines.push("not json at all"); // rejected, not object-shaped
    else if (k === 5) lines.push("   ");
    else if (k === 6) lines.push("  " + good(i, "txt") + " "); // padded, rejected
    else if (k === 7) lines.push('{"n":' + i + ',"pad":"' + "x".repeat(300) + '"}'); // too long (max 256)
    else lines.push(good(i, k % 10 === 0 ? "so" : "txt"));
  }
  writeFileSync(f, lines.join("\n") + "\n");
  const base = kqlPrefilter("file.extension:so");
  let calls = 0;
  const counted = Object.assign((line: Uint8Array | string) => (calls++, base(line)), { gateFor: base.gateFor });
  const ungated = (line: Uint8Array | string) => base(line);
  for (const chunkBytes of [4096, 65536, 1 << 20]) {
    calls = 0;
    const gated = await collect([f], { prefilter: counted, chunkBytes, maxLineBytes: 256 });
    const gatedCalls = calls;
    const plain = await collect([f], { prefilter: ungated, chunkBytes, maxLineBytes: 256 });
    assert.deepEqual(gated.events, plain.events, `chunk ${chunkBytes}`);
    assert.deepEqual(gated.bad, plain.bad);
    assert.deepEqual(gated.stats, plain.stats);
    assert.deepEqual(
      plain.events.map((e) => e._source.n),
      lines.flatMap((l, i) => (/"so"|\\u0073o/.test(l) && l.endsWith("}") || l.endsWith("}\r") ? [i] : [])).filter((i) => i % 50 !== 3 && i % 50 !== 7),
    );
    // only lines with "so" or \u (plus those crossing a chunk boundary) reach the line prefilter
    const candidates = lines.filter((l) => /"so"(?!\s*:)|\\u/.test(l)).length;
    assert.ok(gatedCalls >= candidates && gatedCalls <= candidates + Math.ceil(Buffer.byteLength(lines.join("\n")) / chunkBytes) + 1, `${gatedCalls} calls, ${candidates} candidates, chunk ${chunkBytes}`);
  }
});

test("keep: parsed events it rejects are counted in stats.events but not emitted; it sees _index and _source", async () => {
  const d = tmp();
  const f = join(d, "k.ndjson");
  writeFileSync(f, ['{"n":1}', '{"n":2}', '{"_index":"other","_source":{"n":3}}', "bad", '{"n":4}'].join("\n") + "\n");
  const seen: [string, unknown][] = [];
  const r = await collect([f], { keep: (index, source) => (seen.push([index, source.n]), source.n !== 2 && source.n !== 4) });
  assert.deepEqual(seen, [["k", 1], ["k", 2], ["other", 3], ["k", 4]]);
  assert.deepEqual(r.events.map((e) => [e._index, e._source.n, e.loc.line]), [["k", 1, 1], ["other", 3, 3]]);
  assert.deepEqual(r.stats, { ...r.stats, lines: 5, events: 4, bad: 1, prefiltered: 0 });
});

test("nesting deeper than Elasticsearch's 1,000 levels is a bad line (it used to overflow the stack later); brackets inside strings do not count", async () => {
  const { nestedDeeperThan, MAX_NESTING } = await import("./source.js");
  const nest = (n: number) => `${'{"a":'.repeat(n - 1)}{"x":1}${"}".repeat(n - 1)}`;
  assert.equal(MAX_NESTING, 1000);
  assert.equal(nestedDeeperThan(Buffer.from(nest(1000)), 1000), false);
  assert.equal(nestedDeeperThan(Buffer.from(nest(1001)), 1000), true);
  const quoted = `{"s":"${"[{".repeat(3000)}\\"${"[".repeat(10)}","n":${nest(10)}}`;
  assert.equal(nestedDeeperThan(Buffer.from(quoted), 1000), false);
  const dir = mkdtempSync(join(tmpdir(), "tern-deep-"));
  const f = join(dir, "deep.ndjson");
  writeFileSync(f, `${nest(1001)}\n${nest(1000)}\n`);
  const bad: BadLine[] = [];
  const events: InputEvent[] = [];
  for await (const b of openNdjsonSource([f], { onBadLine: (x) => bad.push(x) }).batches()) events.push(...b);
  assert.deepEqual(bad.map((b) => [b.loc.line, b.reason, b.message]), [[1, "too-deep", "line nests objects and arrays more than 1000 levels deep (Elasticsearch refuses such documents)"]]);
  assert.equal(events.length, 1);
  assert.equal(events[0].loc.line, 2);
});

test("the content-derived _id is the hash of the line's own bytes, multi-byte text included; a byte-order mark and CRLF endings are not part of them", async () => {
  const dir = tmp();
  const l1 = '\uFEFF{"user":{"name":"Zoë"},"msg":"日本語 😀"}';
  const l2 = '{"path":"C:\\\\temp\\\\ü.so"}';
  const f = join(dir, "x.ndjson");
  writeFileSync(f, `${l1}\r\n${l2}\r\n`);
  const r = await collect([f]);
  assert.deepEqual(r.bad, []);
  assert.deepEqual(
    r.events.map((e) => e._id),
    [l1.slice(1), l2].map((l) => createHash("sha256").update("x").update("\u0000").update(Buffer.from(l, "utf8")).digest().toString("hex", 0, 20)),
  );
});
