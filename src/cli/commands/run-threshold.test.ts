// `tern run` with an unchanged corpus threshold rule (windows/impact_stop_process_service_threshold.toml:
// host.id, value 10, from now-9m, every 5m): exact alerts and ids, a rerun that adds nothing, a later run
// whose window overlaps the alerted events, and stream mode skipping the rule with its reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_DIR } from "../../testing/paths.js";
import { runCli } from "../../testing/cli.js";
import { queryAlertId } from "../../engine/alert.js";
import { thresholdSignalUuid, THRESHOLD_STREAM_REFUSAL } from "../../engine/rule-types/threshold.js";

const RULE = join(CORPUS_DIR, "rules/windows/impact_stop_process_service_threshold.toml");
const RULE_ID = "035889c4-2686-4583-a7df-67f89c292f2c";
const INDICES = "endgame-*,logs-endpoint.events.process-*,logs-system.security*,logs-windows.forwarded*,logs-windows.sysmon_operational-*,winlogbeat-*";

const stop = (ts: string, host: string) => ({ "@timestamp": ts, host: { id: host, name: host, os: { type: "windows" } }, event: { category: ["process"], type: ["start"] }, process: { name: "net.exe", args: ["net.exe", "stop", "svc"] } });
const burst = (start: string, n: number, host: string) => Array.from({ length: n }, (_, i) => stop(new Date(Date.parse(start) + i * 5000).toISOString(), host));

function write(dir: string, events: object[]): string {
  const path = join(dir, "logs-endpoint.events.process-default.ndjson");
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  return path;
}
const parse = (s: string) => s.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
const alertId = (startedAt: string, host: string) => queryAlertId({ _index: INDICES, _id: thresholdSignalUuid(RULE_ID, Date.parse(startedAt), ["host.id"], [host]) }, "default", RULE_ID);

// h2 stays under 10; h1 has 12 stops at 10:04 and 10 more at 10:08. Executions: 10:00, 10:05, 10:10.
const FIRST = [stop("2024-05-01T10:00:00.000Z", "h2"), ...burst("2024-05-01T10:04:00Z", 12, "h1"), ...burst("2024-05-01T10:08:00Z", 10, "h1"), ...burst("2024-05-01T10:09:00Z", 5, "h2")];

test("tern run: a corpus threshold rule → one alert per bucket and span, Kibana's ids; a rerun adds nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-threshold-"));
  const events = write(dir, FIRST);
  const state = join(dir, "state.db");
  const r = await runCli(["run", RULE, "--events", events, "--state", state]);
  assert.equal(r.code, 0, r.stderr);
  const alerts = parse(r.stdout);
  assert.deepEqual(
    alerts.map((a) => [a["kibana.alert.uuid"], a["host.id"], a["kibana.alert.threshold_result"], a["kibana.alert.original_time"], a["@timestamp"]]),
    [
      [alertId("2024-05-01T10:05:00Z", "h1"), "h1", { terms: [{ field: "host.id", value: "h1" }], count: 12, from: "2024-05-01T10:04:00.000Z" }, "2024-05-01T10:04:55.000Z", "2024-05-01T10:05:00.000Z"],
      // 10:10's window [10:01, 10:10] holds all 22 h1 stops; the history leaves out the 12 already alerted
      [alertId("2024-05-01T10:10:00Z", "h1"), "h1", { terms: [{ field: "host.id", value: "h1" }], count: 10, from: "2024-05-01T10:08:00.000Z" }, "2024-05-01T10:08:45.000Z", "2024-05-01T10:10:00.000Z"],
    ],
  );
  assert.equal(alerts[0]["kibana.alert.reason"], "event created medium alert High Number of Process and/or Service Terminations.");
  assert.equal(alerts[0]["kibana.alert.rule.type"], "threshold");
  assert.deepEqual(alerts[0]["kibana.alert.ancestors"], [{ id: thresholdSignalUuid(RULE_ID, Date.parse("2024-05-01T10:05:00Z"), ["host.id"], ["h1"]), type: "event", index: INDICES, depth: 0 }]);

  const again = await runCli(["run", RULE, "--events", events, "--state", state]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, "");
});

test("tern run: a later run's window overlaps alerted events; the stored history keeps them out of the count", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-threshold-"));
  const state = join(dir, "state.db");
  assert.equal((await runCli(["run", RULE, "--events", write(dir, FIRST), "--state", state])).code, 0);
  // 10:15's window [10:06, 10:15]: the 10 alerted h1 stops of 10:08 and 9 new ones at 10:13 — 9 count
  const nine = await runCli(["run", RULE, "--events", write(dir, [...FIRST, ...burst("2024-05-01T10:13:00Z", 9, "h1")]), "--state", state]);
  assert.equal(nine.code, 0, nine.stderr);
  assert.equal(nine.stdout, "");
  // 10:20's window [10:11, 10:20]: the 9 of 10:13 were not alerted, so with one more at 10:16 they make 10
  const ten = await runCli(["run", RULE, "--events", write(dir, [...FIRST, ...burst("2024-05-01T10:13:00Z", 9, "h1"), stop("2024-05-01T10:16:00.000Z", "h1")]), "--state", state]);
  assert.equal(ten.code, 0, ten.stderr);
  assert.deepEqual(
    parse(ten.stdout).map((a) => [a["kibana.alert.uuid"], a["kibana.alert.threshold_result"]]),
    [[alertId("2024-05-01T10:20:00Z", "h1"), { terms: [{ field: "host.id", value: "h1" }], count: 10, from: "2024-05-01T10:13:00.000Z" }]],
  );
});

test("tern run --mode stream skips threshold rules and says why", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-threshold-"));
  const r = await runCli(["run", RULE, "--events", write(dir, FIRST), "--state", join(dir, "state.db"), "--mode", "stream"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `tern run: ${RULE_ID} (${RULE}): skipped: ${THRESHOLD_STREAM_REFUSAL}\ntern run: no runnable rule\n`);
});
