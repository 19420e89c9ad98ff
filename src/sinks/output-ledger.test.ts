// An --output file reconciled with what the state recorded: an interrupted write (whole or half a line)
// is cut back, a file someone else changed is kept and appended to with a notice, and an untracked file's
// cut-off last line never has an alert glued to it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { AdapterError } from "../diag/index.js";
import type { EventDoc } from "../event/types.js";
import { SqliteStore } from "../state/sqlite.js";
import { fileSink, streamSink } from "./ndjson.js";

function setup(): { path: string; store: SqliteStore; notices: string[]; open: () => ReturnType<typeof fileSink> } {
  const path = join(mkdtempSync(join(tmpdir(), "tern-ledger-")), "alerts.ndjson");
  const store = SqliteStore.open(":memory:");
  const notices: string[] = [];
  return { path, store, notices, open: () => fileSink(path, { ledger: store, onNotice: (m) => notices.push(m) }) };
}

/** A write the engine recorded: the sink's commit inside the state's transaction. */
async function delivered(sink: ReturnType<typeof fileSink>, docs: EventDoc[]): Promise<void> {
  await sink.write(docs.map((doc) => ({ doc })));
  sink.commit?.();
}

test("recorded writes: the state holds the file's identity and durable length, no write in flight", async () => {
  const { path, store, notices, open } = setup();
  const s = open();
  await delivered(s, [{ a: 1 }, { b: 2 }]);
  await delivered(s, [{ c: 3 }]);
  await s.close();
  const st = statSync(path, { bigint: true });
  const rec = store.getOutput(path);
  assert.deepEqual([rec?.identity, rec?.length, rec?.pending], [`${st.dev}:${st.ino}`, 24, null]);
  const s2 = open();
  await delivered(s2, [{ d: 4 }]);
  await s2.close();
  assert.equal(readFileSync(path, "utf8"), '{"a":1}\n{"b":2}\n{"c":3}\n{"d":4}\n');
  assert.deepEqual(notices, []);
});

test("a write not recorded (killed before the commit) is cut back on the next open, so its alerts are written once", async () => {
  const { path, notices, open } = setup();
  const s = open();
  await delivered(s, [{ a: 1 }]);
  await s.write([{ doc: { b: 2 } }, { doc: { c: 3 } }]); // written and fsynced; the run dies before its transaction
  await s.close();
  const s2 = open();
  assert.equal(readFileSync(path, "utf8"), '{"a":1}\n');
  assert.deepEqual(notices, [`--output ${path}: removed 16 bytes written by a run that stopped before recording their alerts; those alerts are written again`]);
  await delivered(s2, [{ b: 2 }, { c: 3 }]);
  await s2.close();
  assert.equal(readFileSync(path, "utf8"), '{"a":1}\n{"b":2}\n{"c":3}\n');
});

test("half a line left by a write cut short is removed, never glued to the next alert", async () => {
  const { path, notices, open } = setup();
  const s = open();
  await delivered(s, [{ a: 1 }]);
  await s.write([{ doc: { b: 2 } }]);
  await s.close();
  truncateSync(path, 12); // '{"a":1}\n{"b"': killed inside write(2)
  const s2 = open();
  await delivered(s2, [{ b: 2 }]);
  await s2.close();
  assert.equal(readFileSync(path, "utf8"), '{"a":1}\n{"b":2}\n');
  assert.deepEqual(notices, [`--output ${path}: removed 4 bytes written by a run that stopped before recording their alerts; those alerts are written again`]);
});

test("bytes another writer appended after a recorded write are kept, with a notice", async () => {
  const { path, notices, open } = setup();
  const s = open();
  await delivered(s, [{ a: 1 }]);
  await s.close();
  appendFileSync(path, '{"other":true}\n');
  const s2 = open();
  await delivered(s2, [{ b: 2 }]);
  await s2.close();
  assert.equal(readFileSync(path, "utf8"), '{"a":1}\n{"other":true}\n{"b":2}\n');
  assert.deepEqual(notices, [`--output ${path}: 15 bytes were added by another writer since this state last wrote it; kept, alerts are appended after them`]);
});

test("a rotated, shortened or rewritten file is not cut: a notice, then alerts are appended", async () => {
  for (const [change, why, expected] of [
    [(p: string) => (renameSync(p, `${p}.1`), writeFileSync(p, '{"new":1}\n{"new":2}\n{"new":3}\n')), "it was replaced or rotated", '{"new":1}\n{"new":2}\n{"new":3}\n{"b":2}\n'],
    [(p: string) => truncateSync(p, 0), "it is shorter than the 8 bytes this state recorded", '{"b":2}\n'],
    [(p: string) => writeFileSync(p, '{"x":9}\n{"y":8}\n'), "the bytes this state wrote were changed", '{"x":9}\n{"y":8}\n{"b":2}\n'],
  ] as const) {
    const { path, notices, open } = setup();
    const s = open();
    await delivered(s, [{ a: 1 }]);
    await s.write([{ doc: { z: 0 } }]); // in flight: a replaced file must still not be cut to the old length
    await s.close();
    change(path);
    const s2 = open();
    await delivered(s2, [{ b: 2 }]);
    await s2.close();
    assert.equal(readFileSync(path, "utf8"), expected, why);
    assert.deepEqual(notices, [`--output ${path} is not the file this state last wrote (${why}); alerts are appended to it`]);
  }
});

test("a file the state has no record of: a cut-off JSON last line is removed, other text is ended with a newline", async () => {
  const a = setup();
  writeFileSync(a.path, '{"a":1}\n{"b":2,"kib');
  const s = a.open();
  await delivered(s, [{ c: 3 }]);
  await s.close();
  assert.equal(readFileSync(a.path, "utf8"), '{"a":1}\n{"c":3}\n');
  assert.deepEqual(a.notices, [`--output ${a.path}: removed its incomplete last line (11 bytes, a JSON object cut off by an interrupted writer)`]);

  const b = setup();
  writeFileSync(b.path, "notes without a newline");
  const s2 = b.open();
  await delivered(s2, [{ c: 3 }]);
  await s2.close();
  assert.equal(readFileSync(b.path, "utf8"), 'notes without a newline\n{"c":3}\n');
  assert.deepEqual(b.notices, [`--output ${b.path}: its last line had no newline; one was added before the alerts`]);
});

test("stream sink: a failed write rejects with SNK001 naming stdout; EPIPE stays EPIPE", async () => {
  const failing = (code: string) =>
    new PassThrough({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error(`${code}: failed`), { code }));
      },
    }).on("error", () => undefined);
  await assert.rejects(streamSink(failing("ENOSPC")).write([{ doc: { a: 1 } }]), (e: unknown) => e instanceof AdapterError && e.code === "SNK001" && e.message === "cannot write stdout: no space left on the device (ENOSPC); alerts not fully written were not recorded as delivered: free space and rerun");
  await assert.rejects(streamSink(failing("EPIPE")).write([{ doc: { a: 1 } }]), (e: unknown) => (e as NodeJS.ErrnoException).code === "EPIPE");
});
