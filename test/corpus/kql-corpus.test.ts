// Every active kuery query of the detection-rules corpus parses (issue 3 acceptance). "Active" means a
// .toml file outside any `_deprecated` directory whose `[rule] language` is "kuery".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { CORPUS_DIR } from "../../src/testing/paths.js";
import { parseKql } from "../../src/lang/kql/index.js";

function ruleFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "_deprecated") ruleFiles(p, out);
    } else if (entry.name.endsWith(".toml")) out.push(p);
  }
  return out;
}

function kueryQuery(doc: unknown): string | undefined {
  if (typeof doc !== "object" || doc === null || !("rule" in doc)) return undefined;
  const rule = doc.rule;
  if (typeof rule !== "object" || rule === null || !("language" in rule) || rule.language !== "kuery") return undefined;
  return "query" in rule && typeof rule.query === "string" ? rule.query : "";
}

test("all 729 active kuery queries in the detection-rules corpus parse", () => {
  const files = ruleFiles(CORPUS_DIR);
  const failures: string[] = [];
  let kuery = 0;
  for (const file of files) {
    const query = kueryQuery(parse(readFileSync(file, "utf8")));
    if (query === undefined) continue;
    kuery++;
    try {
      parseKql(query);
    } catch (e) {
      failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.equal(files.length, 2068);
  assert.equal(kuery, 729);
  assert.deepEqual(failures, []);
});
