// `--threads auto` keeps one thread when the rules keep nearly every line: keptFraction samples the first
// lines of the largest input as the engine would route and match them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AUTO_ONE_THREAD_KEPT, keptFraction } from "./run.js";
import { makeRule } from "../../engine/test-support.js";
import { parseKql } from "../../lang/kql/index.js";
import { compileKql } from "../../compile/predicate/index.js";
import { kqlDispatchKey } from "../../compile/dispatch/dispatch.js";
import type { EngineRule } from "../../engine/index.js";

const ruleOf = (id: string, query: string, index?: string[]): EngineRule => {
  const ast = parseKql(query);
  return { rule: makeRule({ rule_id: id, type: "query", query, index }), ruleUuid: id, matches: compileKql(ast), dispatch: kqlDispatchKey(ast) };
};

test("keptFraction: the share of the first lines some rule's index patterns select and query matches", () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-auto-"));
  const file = join(dir, "logs-endpoint.events.process-default.ndjson");
  const lines = [
    ...Array.from({ length: 6 }, (_, i) => JSON.stringify({ event: { category: ["process"] }, process: { name: `p${i}` } })),
    JSON.stringify({ event: { category: ["file"] } }),
    "not json",
    "[1,2]",
    JSON.stringify({ event: { category: ["network"] } }),
  ];
  writeFileSync(file, lines.join("\n") + "\n");
  const index = "logs-endpoint.events.process-default";
  const process = ruleOf("p", "event.category:process");
  const file_ = ruleOf("f", "event.category:file");
  assert.equal(keptFraction(file, index, [process], {}, true), 6 / 10);
  assert.equal(keptFraction(file, index, [process, file_], {}, true), 7 / 10);
  assert.equal(keptFraction(file, index, [ruleOf("all", "*")], {}, true), 8 / 10, "lines that are not objects are not kept");
  // a rule whose index patterns do not select the file's index keeps nothing there
  assert.equal(keptFraction(file, index, [ruleOf("n", "*", ["logs-endpoint.events.network-*"]), ruleOf("p2", "event.category:process", ["logs-endpoint.events.*"])], {}, true), 6 / 10);
  // (a file whose name no rule's patterns select reaches every rule, as in a run)
  assert.equal(keptFraction(file, index, [ruleOf("n", "*", ["logs-endpoint.events.network-*"])], {}, true), 8 / 10);
  assert.equal(keptFraction(file, index, [ruleOf("n", "*", ["logs-endpoint.events.network-*"])], { indexIsExplicit: true }, true), 0);
  // normalised: an Auditbeat process event is kept by a Defend-vocabulary query only after normalisation
  const audit = join(dir, "auditbeat-8.ndjson");
  writeFileSync(audit, JSON.stringify({ event: { module: "auditd", category: ["process"], action: "executed", type: ["start"] }, process: { name: "x" } }) + "\n");
  const exec = ruleOf("e", "event.action:exec");
  assert.equal(keptFraction(audit, "auditbeat-8", [exec], {}, true), 1);
  assert.equal(keptFraction(audit, "auditbeat-8", [exec], {}, false), 0);
  assert.ok(AUTO_ONE_THREAD_KEPT > 0.5 && AUTO_ONE_THREAD_KEPT <= 1);
});
