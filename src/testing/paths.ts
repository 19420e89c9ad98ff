// Paths for tests and benchmarks: the repository root and the shared reference folder (../shared beside
// the clone, or $TERN_SHARED).
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${start}`);
    dir = up;
  }
}

/** The repository root (works from src/ under tsx and from dist/src/ when compiled). */
export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
/** The shared reference material: $TERN_SHARED or ../shared beside the repository. */
export const SHARED = resolve(process.env.TERN_SHARED ?? join(REPO_ROOT, "..", "shared"));
export const SEED_DIR = join(SHARED, "seed");
export const CORPUS_DIR = join(SHARED, "corpus", "detection-rules");
export const REALDATA_DIR = join(SHARED, "realdata");
export const KQL_CASES = join(SHARED, "conformance", "kql_cases.json");
export const EQL_CASES = join(SHARED, "conformance", "eql", "cases.json");
