// The fuzz campaign's CI slice (docs/fuzzing.md): every target with a fixed seed and a small count, so
// the whole slice takes about half a minute. `npm run fuzz` runs the same targets for longer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fuzzTarget } from "../../src/testing/fuzz/campaign.js";
import type { TargetName } from "../../src/testing/fuzz/target.js";

const SEED = 20260101;
const SLICE: readonly [TargetName, number][] = [
  ["kql", 300],
  ["eql", 300],
  ["rules", 100],
  ["ecs", 3],
  ["auditd", 3],
  ["sysmon", 3],
];

for (const [target, runs] of SLICE) {
  test(`fuzz slice: ${runs} ${target} inputs from seed ${SEED} break no invariant`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tern-fuzz-slice-"));
    try {
      const r = await fuzzTarget(target, { seed: SEED, runs, outDir: join(dir, "out"), workDir: join(dir, "work") });
      assert.deepEqual(r.failures.map((f) => `${f.message} (${f.input})`), []);
      assert.deepEqual([r.runs, r.inputs, r.shrinks], [runs, runs, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
