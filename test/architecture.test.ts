// Dependencies point one way (docs/ARCHITECTURE.md): a module under src/ imports only layers at or below its
// own, plus the published contracts of higher layers (sources/types.ts, engine/ports.ts). This test reads
// the import lines of every non-test file and fails on a backward edge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, normalize, relative, dirname } from "node:path";
import { REPO_ROOT } from "../src/testing/paths.js";

/** Lower number = lower layer. The top-level `src/index.ts` (the library entry) may import everything. */
const RANK: Record<string, number> = {
  "version.ts": 0,
  diag: 0,
  util: 1,
  event: 2,
  ecs: 3,
  lang: 4,
  compile: 5,
  rules: 6,
  state: 7,
  engine: 8,
  sinks: 9,
  sources: 9,
  cluster: 9,
  report: 9,
  cli: 10,
  testing: 11,
  "index.ts": 12,
};
/** Interfaces any layer may implement or consume. */
const CONTRACTS = new Set(["src/sources/types.ts", "src/engine/ports.ts"]);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && name !== "test-support.ts") out.push(p);
  }
  return out;
}

function layerOf(rel: string): string {
  return rel.split("/")[1] ?? "";
}

function backwardEdges(): string[] {
  const bad: string[] = [];
  for (const abs of sourceFiles(join(REPO_ROOT, "src"))) {
    const rel = relative(REPO_ROOT, abs);
    const from = layerOf(rel);
    const text = readFileSync(abs, "utf8");
    for (const m of text.matchAll(/^(?:import|export)[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms)) {
      const target = normalize(join(dirname(rel), m[1])).replace(/\.js$/, ".ts");
      const to = layerOf(target);
      if (to === from || CONTRACTS.has(target)) continue;
      const rf = RANK[from];
      const rt = RANK[to];
      assert.ok(rf !== undefined && rt !== undefined, `unknown layer in ${rel} -> ${target}: add it to RANK`);
      if (rt >= rf) bad.push(`${rel} -> ${target}`);
    }
  }
  return bad.sort();
}

test("no module imports a layer above its own", () => {
  assert.deepEqual(backwardEdges(), []);
});
