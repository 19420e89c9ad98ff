// Sysmon for Linux on a real capture: realdata/integrations/packages/sysmon_linux/_dev/deploy/docker/
// sample_logs/sysmon.log (Sysmon v1.0.0, Ubuntu, CRLF line endings): 50 lines, 14 daemon messages and
// 36 events, of which 1 FileDelete (23) in /dev/shm, 6 ProcessCreate (1) and 3 NetworkConnect (3) are mapped.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openSysmonSource } from "../../src/sources/sysmon/index.js";
import { REALDATA_DIR } from "../../src/testing/paths.js";
import { collect, field, FIXED_NOW } from "./support.js";

const LOG = join(REALDATA_DIR, "integrations", "packages", "sysmon_linux", "_dev", "deploy", "docker", "sample_logs", "sysmon.log");

test("the real sysmon.log (CRLF) maps 10 events, no bad lines", async () => {
  const { events, bad, source } = await collect((o) => openSysmonSource([LOG], { ...o, hostname: "unused", now: () => FIXED_NOW }));
  assert.deepEqual(bad, []);
  assert.equal(source.stats.lines, 50);
  assert.deepEqual(events.map((e) => [e.loc.line, field(e._source, "event.code"), field(e._source, "event.action")]), [
    [17, "23", "deletion"],
    [22, "1", "exec"], [23, "1", "exec"], [24, "1", "exec"], [25, "1", "exec"], [30, "1", "exec"], [31, "1", "exec"],
    [35, "3", "connection_attempted"], [36, "3", "connection_attempted"], [38, "3", "connection_attempted"],
  ]);
  assert.deepEqual([events[0]._index, events[1]._index, events[7]._index], ["logs-endpoint.events.file-sysmon", "logs-endpoint.events.process-sysmon", "logs-endpoint.events.network-sysmon"]);
});

test("the FileDelete in /dev/shm: path fields, UTC time, host from <Computer>, no CR left in values", async () => {
  const { docs } = await collect((o) => openSysmonSource([LOG], { ...o, now: () => FIXED_NOW }));
  const del = docs[0];
  assert.equal(del["@timestamp"], "2021-10-24T17:05:38.419Z");
  assert.deepEqual(del.file, { path: "/dev/shm/sem.sysmon-startup", name: "sem.sysmon-startup", directory: "/dev/shm", extension: "sysmon-startup" });
  assert.deepEqual(del.host, { name: "james-ubuntu-demo", os: { type: "linux" } });
  assert.deepEqual(del.process, { pid: 3041, entity_id: "{00000000-0000-0000-0000-000000000000}" });
  assert.equal(JSON.stringify(docs).includes("\\r"), false);
});

test("network events: process.name = basename(Image), source/destination/transport", async () => {
  const { docs } = await collect((o) => openSysmonSource([LOG], { ...o, now: () => FIXED_NOW }));
  const net = docs.filter((d) => field(d, "event.code") === "3").map((d) => [field(d, "process.name"), field(d, "process.executable"), d.destination, field(d, "source.port"), field(d, "network.transport")]);
  assert.deepEqual(net, [
    ["elastic-endpoint", "/opt/Elastic/Endpoint/elastic-endpoint", { ip: "169.254.169.254", port: 80 }, 56306, "tcp"],
    ["elastic-endpoint", "/opt/Elastic/Endpoint/elastic-endpoint", { ip: "169.254.169.254", port: 80 }, 56308, "tcp"],
    ["elastic-agent", "/opt/Elastic/Agent/data/elastic-agent-5ae799/elastic-agent", { ip: "34.120.127.130", port: 443 }, 54392, "tcp"],
  ]);
});
