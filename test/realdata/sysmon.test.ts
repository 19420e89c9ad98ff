// Sysmon for Linux on a real capture: realdata/integrations/packages/sysmon_linux/_dev/deploy/docker/
// sample_logs/sysmon.log (Sysmon v1.0.0, Ubuntu, CRLF line endings): 50 lines, 14 daemon messages and
// 36 events, of which 1 FileDelete (23) in /dev/shm, 6 ProcessCreate (1), 24 ProcessTerminate (5) and 3
// NetworkConnect (3) are mapped.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openSysmonSource } from "../../src/sources/sysmon/index.js";
import { REALDATA_DIR } from "../../src/testing/paths.js";
import { createHash } from "node:crypto";
import { collect, field } from "./support.js";

const LOG = join(REALDATA_DIR, "integrations", "packages", "sysmon_linux", "_dev", "deploy", "docker", "sample_logs", "sysmon.log");

test("the real sysmon.log (CRLF) maps 34 events, no bad lines", async () => {
  const { events, bad, source } = await collect((o) => openSysmonSource([LOG], { ...o, hostname: "unused" }));
  assert.deepEqual(bad, []);
  assert.equal(source.stats.lines, 50);
  const ends = [18, 19, 20, 21, 26, 27, 28, 29, 32, 33, 34, 37, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50];
  const expected = [
    [17, "23", "deletion"],
    [22, "1", "exec"], [23, "1", "exec"], [24, "1", "exec"], [25, "1", "exec"], [30, "1", "exec"], [31, "1", "exec"],
    [35, "3", "connection_attempted"], [36, "3", "connection_attempted"], [38, "3", "connection_attempted"],
    ...ends.map((l) => [l, "5", "end"]),
  ].sort((a, b) => (a[0] as number) - (b[0] as number));
  assert.deepEqual(events.map((e) => [e.loc.line, field(e._source, "event.code"), field(e._source, "event.action")]), expected);
  const at = (line: number) => events.find((e) => e.loc.line === line)?._index;
  assert.deepEqual([at(17), at(22), at(35), at(18)], ["logs-endpoint.events.file-sysmon", "logs-endpoint.events.process-sysmon", "logs-endpoint.events.network-sysmon", "logs-endpoint.events.process-sysmon"]);
});

test("the FileDelete in /dev/shm: path fields, UTC time, host from <Computer>, no CR left in values", async () => {
  const { docs } = await collect((o) => openSysmonSource([LOG], { ...o }));
  const del = docs[0];
  assert.equal(del["@timestamp"], "2021-10-24T17:05:38.419Z");
  assert.deepEqual(del.file, { path: "/dev/shm/sem.sysmon-startup", name: "sem.sysmon-startup", directory: "/dev/shm", extension: "sysmon-startup" });
  assert.deepEqual(del.host, { name: "james-ubuntu-demo", id: createHash("sha256").update("tern host\u0000james-ubuntu-demo").digest("hex").slice(0, 32), os: { type: "linux" } });
  // the log's all-zero ProcessGuid (process unknown to Sysmon) is no entity id
  assert.deepEqual(del.process, { pid: 3041 });
  // a replayed log ingests at the event's own time
  assert.equal(field(del, "event.ingested"), "2021-10-24T17:05:38.419Z");
  assert.equal(JSON.stringify(docs).includes("\\r"), false);
});

test("network events: process.name = basename(Image), source/destination/transport", async () => {
  const { docs } = await collect((o) => openSysmonSource([LOG], { ...o }));
  const net = docs.filter((d) => field(d, "event.code") === "3").map((d) => [field(d, "process.name"), field(d, "process.executable"), d.destination, field(d, "source.port"), field(d, "network.transport")]);
  assert.deepEqual(net, [
    ["elastic-endpoint", "/opt/Elastic/Endpoint/elastic-endpoint", { ip: "169.254.169.254", port: 80 }, 56306, "tcp"],
    ["elastic-endpoint", "/opt/Elastic/Endpoint/elastic-endpoint", { ip: "169.254.169.254", port: 80 }, 56308, "tcp"],
    ["elastic-agent", "/opt/Elastic/Agent/data/elastic-agent-5ae799/elastic-agent", { ip: "34.120.127.130", port: 443 }, 54392, "tcp"],
  ]);
});
