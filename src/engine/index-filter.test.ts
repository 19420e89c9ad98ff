// Index pattern routing (new_terms.md §2.5): wildcards, comma lists, exclusions, cluster prefixes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileIndexPatterns } from "./index-filter.js";

test("index patterns: wildcards, comma lists, exclusions, cluster prefixes", () => {
  const f = compileIndexPatterns(["logs-endpoint.events.*", "endgame-*,-endgame-old*", "remote:auditbeat-*"]);
  assert.deepEqual(
    ["logs-endpoint.events.file-default", ".ds-logs-endpoint.events.file-default-000001", "endgame-1", "endgame-old-1", "auditbeat-8", "winlogbeat-1"].map(f),
    [true, false, true, false, true, false],
  );
});
