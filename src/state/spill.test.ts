// Tests of the replay spill (src/state/spill.ts): records read back exactly, across the write buffer and
// after flushes, with multi-byte text; the file is gone from the file system from the start.

import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextSpill } from "./spill.js";
import { AdapterError } from "../diag/diagnostic.js";

test("spill: records read back exactly, before and after flushes, multi-byte text included", () => {
  const parent = mkdtempSync(join(tmpdir(), "tern-spill-test-"));
  const spill = new TextSpill(parent);
  try {
    // Unlinked at once: nothing of it is visible in the parent directory.
    assert.deepEqual(readdirSync(parent), []);
    assert.equal(spill.add('{"a":"é€😀"}'), 0);
    assert.equal(spill.get(0), '{"a":"é€😀"}');
    const big = "x".repeat(300_000);
    const texts: string[] = [];
    for (let i = 0; i < 10; i++) texts.push(`{"i":${i},"s":"${big}","u":"ü${i}"}`);
    for (const t of texts) spill.add(t);
    assert.equal(spill.size, 11);
    assert.equal(spill.bytes, 17 + texts.reduce((n, t) => n + Buffer.byteLength(t), 0));
    for (let i = 0; i < 10; i++) assert.equal(spill.get(i + 1), texts[i]);
    assert.equal(spill.get(0), '{"a":"é€😀"}');
    // the bytes themselves (hashed for an id without a decode and an encode)
    assert.deepEqual(spill.recordBytes(0), Buffer.from('{"a":"é€😀"}', "utf8"));
    assert.deepEqual(spill.recordBytes(3), Buffer.from(texts[2], "utf8"));
    // adjacent records in one read, split by their lengths
    assert.deepEqual(spill.recordBytes(0, 2), Buffer.from('{"a":"é€😀"}' + texts[0], "utf8"));
    assert.deepEqual([spill.recordLength(0), spill.recordLength(1)], [Buffer.byteLength('{"a":"é€😀"}'), Buffer.byteLength(texts[0])]);
    assert.throws(() => spill.recordBytes(10, 2), /spill records 10\.\.11 out of range 0\.\.10/);
    assert.throws(() => spill.get(11), /spill record 11 out of range 0\.\.10/);
  } finally {
    spill.close();
    rmSync(parent, { recursive: true, force: true });
  }
  assert.throws(() => spill.get(0), /spill is closed/);
});

/** The size on disk of this process's open, unlinked spill file (Linux: /proc/self/fd). */
function spillFileSize(): number {
  const sizes = readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).endsWith("events.spill (deleted)") ? [statSync(`/proc/self/fd/${fd}`).size] : [];
    } catch {
      return []; // the directory's own fd, closed by the time it is read
    }
  });
  assert.equal(sizes.length, 1, "one open spill file");
  return sizes[0];
}

test("spill: records are buffered until they reach 1 MiB, then written in one go; a read of a buffered record writes the buffer first", () => {
  const spill = new TextSpill();
  try {
    const rec = "y".repeat(100 * 1024); // 100 KiB
    for (let i = 0; i < 10; i++) spill.add(rec);
    assert.equal(spillFileSize(), 0); // 1,000 KiB buffered: below the bound
    spill.add("w".repeat(24 * 1024));
    assert.equal(spillFileSize(), 1 << 20); // exactly 1 MiB reaches it: every buffered record is written
    spill.add("z");
    assert.equal(spillFileSize(), 1 << 20);
    assert.equal(spill.get(11), "z"); // read back from the file, so written first
    assert.equal(spillFileSize(), (1 << 20) + 1);
    // the buffer counts from zero again after a write: ten more records stay buffered
    for (let i = 0; i < 10; i++) spill.add(rec);
    assert.equal(spillFileSize(), (1 << 20) + 1);
    // reading a record already on disk (the last one written, ending exactly where the file does) leaves the buffer alone
    assert.equal(spill.get(11), "z");
    assert.equal(spillFileSize(), (1 << 20) + 1);
    assert.equal(spill.get(12), rec);
    assert.equal(spillFileSize(), (1 << 20) + 1 + 10 * 100 * 1024);
  } finally {
    spill.close();
  }
});

test("spill: a record number that is negative, fractional or past the end is a RangeError; close twice is harmless", () => {
  const spill = new TextSpill();
  spill.add("a");
  spill.add("b");
  for (const i of [-1, 0.5, 2, Number.NaN]) assert.throws(() => spill.get(i), RangeError, String(i));
  assert.equal(spill.get(1), "b");
  spill.close();
  spill.close();
  assert.throws(() => spill.get(0), /spill is closed/);
});

test("spill: a directory it cannot be created in is STATE005, naming the directory and what to do", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "tern-spill-test-")), "missing");
  assert.throws(
    () => new TextSpill(dir),
    (e: unknown) => e instanceof AdapterError && e.code === "STATE005" && e.message.startsWith(`cannot create the replay spill in ${dir}: ENOENT`) && e.message.endsWith("; free space there or set TMPDIR to a larger disk, and rerun"),
  );
});
