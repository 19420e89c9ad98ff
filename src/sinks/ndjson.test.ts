// NDJSON alert sinks: file mode 0600 and appending, stdout-style streams.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileSink, streamSink } from "./ndjson.js";

test("file sink: created 0600, appends one JSON object per line", async () => {
  const p = join(mkdtempSync(join(tmpdir(), "tern-sink-")), "alerts.ndjson");
  const s = fileSink(p);
  await s.write([{ a: 1 }, { b: "x" }]);
  await s.write([]);
  await s.close();
  const s2 = fileSink(p);
  await s2.write([{ c: true }]);
  await s2.close();
  assert.equal(readFileSync(p, "utf8"), '{"a":1}\n{"b":"x"}\n{"c":true}\n');
  assert.equal(statSync(p).mode & 0o777, 0o600);
});

test("stream sink: resolves after the write is handed over", async () => {
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  await streamSink(out).write([{ a: 1 }]);
  assert.equal(text, '{"a":1}\n');
});

test("file and stream sinks: the caller's serialisation (json[i]) is written as is", async () => {
  const p = join(mkdtempSync(join(tmpdir(), "tern-sink-")), "alerts.ndjson");
  const s = fileSink(p);
  // a serialisation that differs from JSON.stringify(alerts[i]) proves json[] is the one written
  await s.write([{ a: 1 }, { b: 2 }], ['{"a": 1}', '{"b": 2}']);
  await s.close();
  assert.equal(readFileSync(p, "utf8"), '{"a": 1}\n{"b": 2}\n');
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  await streamSink(out).write([{ a: 1 }], ['{"a":  1}']);
  assert.equal(text, '{"a":  1}\n');
});
