// Alerts built ahead (engine/ahead.ts) keep answers: every Linux rule of the corpus (KQL and EQL), over bench
// events that arrive in batches with pauses, as from worker threads, gives the same alert lines and the same
// alerts table with the ahead work on and off (execution uuids aside, which are random per run).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { CORPUS_DIR } from "../../src/testing/paths.js";
import { linuxCorpusRules, linuxEqlCorpusRules } from "../../bench/contenders.js";
import { loadRules } from "../../src/rules/load.js";
import { skipReason } from "../../src/cli/commands/run.js";
import { compileEqlRule } from "../../src/engine/rule-types/eql.js";
import { compileKql } from "../../src/compile/predicate/index.js";
import { parseKql } from "../../src/lang/kql/index.js";
import { compileRuleFilters } from "../../src/compile/filters/filters.js";
import { runEngine, type RunSummary } from "../../src/engine/run.js";
import type { EngineRule } from "../../src/engine/ports.js";
import { arraySource } from "../../src/engine/test-support.js";
import { fileSink } from "../../src/sinks/ndjson.js";
import { SqliteStore } from "../../src/state/sqlite.js";
import { benchLines } from "../../src/testing/gen/bench.js";
import { plainLineEvent } from "../../src/event/id.js";
import type { EventDoc, InputEvent } from "../../src/event/types.js";

const INDEX = "logs-endpoint.events.bench-default";

function engineRules(): EngineRule[] {
  const paths = [...linuxCorpusRules(CORPUS_DIR), ...linuxEqlCorpusRules(CORPUS_DIR)].map((r) => r.path);
  const out: EngineRule[] = [];
  for (const lr of loadRules(paths).rules) {
    const rule = lr.rule;
    if (lr.status !== "valid" || skipReason(rule) !== undefined) continue;
    const compiled = rule.type === "eql" ? compileEqlRule(rule) : undefined;
    const query = compiled?.relevant ?? compileKql(parseKql(rule.query ?? "*"));
    const filtered = compileRuleFilters(rule.filters);
    const matches = filtered === undefined ? query : (doc: EventDoc) => filtered(doc) && query(doc);
    out.push({ rule, ruleUuid: rule.rule_id, matches, eql: compiled });
  }
  return out;
}

async function replay(rules: readonly EngineRule[], events: readonly InputEvent[], ahead: boolean): Promise<{ lines: string[]; stored: string[]; summary: RunSummary }> {
  const path = join(mkdtempSync(join(tmpdir(), "tern-ahead-linux-")), "alerts.ndjson");
  const sink = fileSink(path);
  const store = SqliteStore.open(":memory:");
  const summary = await runEngine({ rules, source: arraySource(events, 500, 3), store, sink, mode: "replay", alertsAhead: ahead });
  await sink.close();
  const mask = (l: string) => l.replace(/"kibana\.alert\.rule\.execution\.uuid":"[^"]+"/, "");
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l !== "").map(mask);
  const stored = store.listAlerts(undefined, 1_000_000).map((a) => JSON.stringify({ ...a, doc: mask(a.doc) }));
  return { lines, stored, summary };
}

test("every Linux rule over bench events: the same alerts and alerts table with alerts built ahead and without", async () => {
  const rules = engineRules();
  assert.ok(rules.length >= 480, `${rules.length} rules`);
  const events = [...benchLines({ events: 20_000, seed: 42, matchFraction: 0.01, pairs: 100, days: 1 })].map((json, i) => plainLineEvent(INDEX, json, JSON.parse(json) as EventDoc, { file: "bench.ndjson", line: i + 1, byteOffset: i }, undefined));
  const off = await replay(rules, events, false);
  const on = await replay(rules, events, true);
  assert.ok(off.lines.length > 500, `${off.lines.length} alerts`);
  assert.equal(on.lines.length, off.lines.length);
  assert.deepEqual(on.lines, off.lines);
  assert.deepEqual(on.stored, off.stored);
  assert.equal(off.summary.ahead, undefined);
  // most alerts came from the ahead work: the rest are the last batch's and any whose guess missed
  assert.ok(on.summary.ahead !== undefined && on.summary.ahead.taken > on.lines.length / 2, JSON.stringify(on.summary.ahead));
});
