// indexRouter (docs/engine.md "Index routing"): which rules an event of (file, _index) reaches; the engine
// and the per-input prefilter share it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { indexRouter } from "./run.js";

const RULES = [["logs-endpoint.events.*"], ["auditbeat-*"], undefined, []];

test("a file named after an index some rule targets is routed; other names and stdin reach every rule", () => {
  const r = indexRouter(RULES, {});
  assert.deepEqual(r("/d/logs-endpoint.events.file-default.ndjson", "logs-endpoint.events.file-default"), [true, false, true, true]);
  assert.deepEqual(r("/d/auditbeat-8.jsonl.gz", "auditbeat-8"), [false, true, true, true]);
  assert.deepEqual(r("/d/events.ndjson", "events"), [true, true, true, true]);
  assert.deepEqual(r("<stdin>", "stdin"), [true, true, true, true]);
  // a hit's own _index (not the file's name) always filters
  assert.deepEqual(r("/d/events.ndjson", "winlogbeat-1"), [false, false, true, true]);
});

test("--index always filters; --no-index-filter never does", () => {
  assert.deepEqual(indexRouter(RULES, { indexIsExplicit: true })("/d/events.ndjson", "events"), [false, false, true, true]);
  assert.deepEqual(indexRouter(RULES, { indexFilter: false })("/d/x.ndjson", "auditbeat-8"), [true, true, true, true]);
});

test("an auditd or sysmon event tern named after a Defend data stream also reaches rules written for the Linux integrations", () => {
  const rules = [["auditbeat-*"], ["logs-auditd_manager.auditd-*"], ["logs-sysmon_linux.log*"], ["logs-endpoint.events.*"], ["winlogbeat-*"]];
  const r = indexRouter(rules, { indexIsExplicit: true });
  assert.deepEqual(r("audit.log", "logs-endpoint.events.process-auditd"), [true, true, false, true, false]);
  assert.deepEqual(r("syslog", "logs-endpoint.events.network-sysmon"), [false, false, true, true, false]);
  // a Defend event (another namespace) is not an auditd one
  assert.deepEqual(r("x.ndjson", "logs-endpoint.events.process-default"), [false, false, false, true, false]);
});
