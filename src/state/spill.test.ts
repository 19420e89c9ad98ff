// Tests of the replay spill (src/state/spill.ts): records read back exactly, across the write buffer and
// after flushes, with multi-byte text; the file is gone from the file system from the start.

import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextSpill } from "./spill.js";

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
    assert.throws(() => spill.get(11), /spill record 11 out of range 0\.\.10/);
  } finally {
    spill.close();
    rmSync(parent, { recursive: true, force: true });
  }
  assert.throws(() => spill.get(0), /spill is closed/);
});
