// Tests for the contender runner (bench/measure.ts): exit code, captured output, and a peak RSS that
// reflects what the child allocated — with GNU time and with /proc sampling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { measure } from "./measure.js";

const ALLOC = "const b = Buffer.alloc(200 * 1024 * 1024, 1); process.stdout.write(String(b[7])); setTimeout(() => {}, 150);";

for (const useGnuTime of [true, false]) {
  test(`measure (${useGnuTime ? "GNU time" : "/proc sampling"}): output, exit code and a peak RSS above what the child touched`, async () => {
    const m = await measure(process.execPath, ["-e", ALLOC], { useGnuTime });
    assert.equal(m.code, 0);
    assert.equal(m.stdout, "1");
    assert.ok(m.peakRssBytes > 200 * 1024 * 1024, `peak ${m.peakRssBytes}`);
    assert.ok(m.wallSeconds > 0);
    const f = await measure(process.execPath, ["-e", "process.stderr.write('no'); process.exit(3)"], { useGnuTime });
    assert.equal(f.code, 3);
    assert.equal(f.stderr, "no");
  });
}
