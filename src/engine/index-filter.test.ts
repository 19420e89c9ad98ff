// Index pattern routing (new_terms.md §2.5): wildcards, comma lists, exclusions, cluster prefixes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileIndexPatterns } from "./index-filter.js";

test("index patterns: wildcards, comma lists, exclusions, cluster prefixes", () => {
  const f = compileIndexPatterns(["logs-endpoint.events.*", "endgame-*,-endgame-old*", "remote:auditbeat-*"]);
  assert.deepEqual(
    ["logs-endpoint.events.file-default", "endgame-1", "endgame-old-1", "auditbeat-8", "winlogbeat-1"].map(f),
    [true, true, false, true, false],
  );
});

test("a data stream's backing indices are selected as the stream is, exclusions included; hidden names match only dot patterns", () => {
  const f = compileIndexPatterns(["logs-endpoint.events.*", "-logs-endpoint.events.network-*"]);
  assert.deepEqual(
    [
      // Elasticsearch 7.11+ names, and 7.9/7.10 names without the date
      ".ds-logs-endpoint.events.file-default-2026.11.10-000001",
      ".ds-logs-endpoint.events.file-default-000001",
      // excluded by its stream's name
      ".ds-logs-endpoint.events.network-default-2026.11.10-000002",
      ".ds-logs-system.auth-default-2026.11.10-000001",
      // not a backing index name: matched as written
      ".ds-logs-endpoint.events.file",
    ].map(f),
    [true, true, false, false, false],
  );
  // `*` alone does not reach hidden indices by name, but reaches every stream; a dot pattern names them
  assert.equal(compileIndexPatterns(["*"])(".ds-logs-x-default-2026.01.01-000001"), true);
  assert.equal(compileIndexPatterns([".ds-logs-x-*"])(".ds-logs-x-default-2026.01.01-000001"), true);
  assert.equal(compileIndexPatterns([".ds-logs-y-*"])(".ds-logs-x-default-2026.01.01-000001"), false);
  // tern's own Linux events in a stream of their own still count as the integrations they stand for
  assert.equal(compileIndexPatterns(["auditbeat-*"])(".ds-logs-endpoint.events.process-auditd-2026.01.01-000001"), true);
});
