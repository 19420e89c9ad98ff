// Every active EQL query of the detection-rules corpus parses, prints back to the same tree, and compiles
// against the ECS field types (issue acceptance: "all active corpus EQL queries parse"). Counts are asserted
// so a silently shrunken corpus fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { activeRuleFiles } from "../../src/testing/corpus.js";
import { parseEql, stripEqlSpans, toEqlText } from "../../src/lang/eql/index.js";
import { compileEqlStatement } from "../../src/compile/eql/index.js";

function activeEqlQueries(): { file: string; query: string; linux: boolean }[] {
  const out: { file: string; query: string; linux: boolean }[] = [];
  for (const file of activeRuleFiles()) {
    const doc = parse(readFileSync(file, "utf8")) as { rule?: { language?: string; query?: string; tags?: string[] } };
    if (doc.rule?.language !== "eql" || typeof doc.rule.query !== "string") continue;
    out.push({ file, query: doc.rule.query, linux: (doc.rule.tags ?? []).includes("OS: Linux") || file.includes("/rules/linux/") });
  }
  return out;
}

test("all 1024 active EQL queries of the corpus parse, print back to the same tree and compile", () => {
  const queries = activeEqlQueries();
  const failures: string[] = [];
  const kinds: Record<string, number> = {};
  for (const { file, query } of queries) {
    try {
      const st = parseEql(query);
      kinds[st.kind] = (kinds[st.kind] ?? 0) + 1;
      const again = parseEql(toEqlText(st));
      assert.deepEqual(stripEqlSpans(again), stripEqlSpans(st), file);
      compileEqlStatement(st);
    } catch (e) {
      failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(queries.length, 1024);
  assert.deepEqual(kinds, { event: 823, sequence: 198, sample: 3 });
  assert.equal(queries.filter((q) => q.linux).length, 401);
});
