// Every active kuery query of the detection-rules corpus parses, and parses to the right tree: each tree
// survives print → parse unchanged, and a sample of corpus queries is compared with trees written by hand
// from Kibana's node shapes (docs/kql.md §5). "Active" means a .toml file outside any `_deprecated`
// directory whose `[rule] language` is "kuery".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { activeRuleFiles, activeKueryQueries } from "../../src/testing/corpus.js";
import { CORPUS_DIR } from "../../src/testing/paths.js";
import { KQL_WILDCARD_MARKER, parseKql, stripSpans, toKqlText, type KqlNode } from "../../src/lang/kql/index.js";

const field = (name: string) => (name.includes("*") ? { type: "wildcard", value: name.split("*").join(KQL_WILDCARD_MARKER) } : { type: "literal", value: name, isQuoted: false });
const ANY = { type: "wildcard", value: KQL_WILDCARD_MARKER };
const is = (name: string, value: unknown) => ({ type: "function", function: "is", arguments: [field(name), value] });
const word = (value: string, isQuoted = false) => ({ type: "literal", value, isQuoted });

// Trees written from the grammar's rules, not from tern's output: `f:*` is `is` with a lone wildcard
// value; a quoted value keeps isQuoted; a `*` inside a field name makes the field a wildcard node; range
// values stay strings; `or`/`and` chains of one operator flatten into one node.
const EXPECTED: Record<string, unknown> = {
  "rules/threat_intel/threat_intel_indicator_match_address.toml": { type: "function", function: "or", arguments: [is("source.ip", ANY), is("destination.ip", ANY)] },
  "rules/threat_intel/threat_intel_indicator_match_hash.toml": {
    type: "function",
    function: "or",
    arguments: [is("file.hash.*", ANY), is("process.hash.*", ANY), is("dll.hash.*", ANY)],
  },
  "rules/integrations/dga/command_and_control_ml_dns_request_high_dga_probability.toml": {
    type: "function",
    function: "range",
    arguments: [field("ml_is_dga.malicious_probability"), "gt", word("0.98")],
  },
  "rules_building_block/entra_id_identity_protection_risk_detections.toml": is("event.dataset", word("azure.identity_protection", true)),
  "rules/integrations/cloud_defend/container_workload_protection.toml": {
    type: "function",
    function: "and",
    arguments: [is("event.kind", word("alert")), is("event.module", word("cloud_defend"))],
  },
};

/** Counted from the raw files with a directory listing and a line match, independently of the TOML reader. */
function countByText(): { files: number; kuery: number } {
  let files = 0;
  let kuery = 0;
  for (const rel of readdirSync(CORPUS_DIR, { recursive: true, encoding: "utf8" })) {
    if (!rel.endsWith(".toml") || rel.split(sep).includes("_deprecated")) continue;
    files++;
    if (/^language = "kuery"$/m.test(readFileSync(join(CORPUS_DIR, rel), "utf8"))) kuery++;
  }
  return { files, kuery };
}

test("all 729 active kuery queries in the detection-rules corpus parse, and print back to the same tree", () => {
  const files = activeRuleFiles();
  const queries = activeKueryQueries();
  const failures: string[] = [];
  const trees = new Map<string, KqlNode>();
  for (const { file, query } of queries) {
    try {
      const ast = stripSpans(parseKql(query));
      trees.set(file.slice(CORPUS_DIR.length + 1), ast);
      const printed = toKqlText(ast);
      assert.deepEqual(stripSpans(parseKql(printed)), ast, `${file}: printed as ${printed}`);
    } catch (e) {
      failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.deepEqual(failures, []);
  // The counts the TOML-based helpers find must equal a plain text count of the same directory.
  assert.deepEqual({ files: files.length, kuery: queries.length }, countByText());
  assert.deepEqual({ files: files.length, kuery: queries.length }, { files: 2068, kuery: 729 });
  for (const [file, tree] of Object.entries(EXPECTED)) assert.deepEqual(trees.get(file), tree, file);
});
