// Every active kuery query of the detection-rules corpus parses (issue 3 acceptance). "Active" means a
// .toml file outside any `_deprecated` directory whose `[rule] language` is "kuery".
import { test } from "node:test";
import assert from "node:assert/strict";
import { activeRuleFiles, activeKueryQueries } from "../../src/testing/corpus.js";
import { parseKql } from "../../src/lang/kql/index.js";

test("all 729 active kuery queries in the detection-rules corpus parse", () => {
  const files = activeRuleFiles();
  const queries = activeKueryQueries();
  const failures: string[] = [];
  for (const { file, query } of queries) {
    try {
      parseKql(query);
    } catch (e) {
      failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.equal(files.length, 2068);
  assert.equal(queries.length, 729);
  assert.deepEqual(failures, []);
});
