// The process's heap growth policy: with it, a process whose parsed garbage reaches the old generation keeps
// its heap near what is live; both process entries (bin/tern.js and tern-entry) apply it before anything runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { REPO_ROOT } from "../testing/paths.js";

const HEAP_JS = join(dirname(fileURLToPath(import.meta.url)), "heap.js");

/**
 * A child that keeps about 50 MB live and churns batches that live long enough to be promoted (as a run's
 * event batches do); it prints its peak heap size in MB.
 */
function peakHeapMb(tune: boolean): number {
  const script = `
    import v8 from "node:v8";
    import { tuneHeap } from ${JSON.stringify(pathToFileURL(HEAP_JS).href)};
    if (${tune}) tuneHeap();
    const live = Array.from({ length: 400000 }, (_, i) => ({ i, s: "live-" + i }));
    const recent = [];
    let peak = 0;
    for (let round = 0; round < 400; round++) {
      recent.push(Array.from({ length: 20000 }, (_, i) => ({ round, i, s: "garbage-" + i })));
      if (recent.length > 8) recent.shift();
      peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    console.log(Math.round(peak / 1048576), live.length);`;
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).split(" ")[0]);
}

test("with the heap growth policy the peak heap stays near what is live (V8's own lets it grow to about four times)", () => {
  const tuned = peakHeapMb(true);
  const own = peakHeapMb(false);
  // measured: 125-136 MB against 259-270 MB
  assert.ok(tuned < own * 0.7, `tuned ${tuned} MB, V8's own ${own} MB`);
});

test("both process entries apply the heap growth policy before running the CLI", () => {
  for (const entry of ["bin/tern.js", "src/cli/tern-entry.ts"]) {
    const code = readFileSync(join(REPO_ROOT, entry), "utf8");
    const tune = code.indexOf("tuneHeap();");
    assert.ok(tune >= 0, `${entry} calls tuneHeap()`);
    assert.ok(tune < code.indexOf("main(process.argv)"), `${entry}: before main`);
  }
});
