// Sysmon for Linux XML → ECS (docs/sources.md §5.1, §6.7): event 11/23/26/1/3, UTC times, basename(Image),
// XML entities, truncated events.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MalformedSysmonError, parseSysmonLine, sysmonToEcs } from "./parse.js";

// host.id derived from the host name (docs/sources-mapping.md), written out independently of the code
const hostIdOf = (name: string) => createHash("sha256").update(`tern host\u0000${name}`).digest("hex").slice(0, 32);

const ctx = { ingested: "2026-01-01T00:00:00.000Z", hostname: "fallback" };
const event = (id: number, data: Record<string, string>, computer = "web01") =>
  `Jun 10 14:03:11 web01 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>${id}</EventID><Version>2</Version><TimeCreated SystemTime="2024-06-10T14:03:11.512834000Z"/><EventRecordID>88231</EventRecordID><Computer>${computer}</Computer><Security UserId="0"/></System><EventData>` +
  Object.entries(data).map(([k, v]) => `<Data Name="${k}">${v}</Data>`).join("") +
  "</EventData></Event>";

test("EventID 11: a creation with file.* derived, process.name = basename(Image), @timestamp = UtcTime as UTC", () => {
  const ev = parseSysmonLine(event(11, { RuleName: "-", UtcTime: "2024-06-10 14:03:11.509", ProcessGuid: "{c2a9}", ProcessId: "4412", Image: "/usr/bin/curl", TargetFilename: "/dev/shm/.cache/lib&amp;util.so", User: "alice" }));
  assert.ok(ev);
  assert.deepEqual(sysmonToEcs(ev, ctx), {
    "@timestamp": "2024-06-10T14:03:11.509Z",
    event: { kind: "event", module: "sysmon", provider: "Linux-Sysmon", code: "11", category: ["file"], type: ["creation"], action: "creation", ingested: "2026-01-01T00:00:00.000Z" },
    host: { name: "web01", id: hostIdOf("web01"), os: { type: "linux" } },
    user: { name: "alice" },
    process: { pid: 4412, entity_id: "{c2a9}", executable: "/usr/bin/curl", name: "curl" },
    sysmon: { record_id: 88231 },
    file: { path: "/dev/shm/.cache/lib&util.so", name: "lib&util.so", directory: "/dev/shm/.cache", extension: "so" },
  });
});

test("EventID 1: process start with parent; EventID 3: network connection; 26: deletion; 5: process end", () => {
  const p = sysmonToEcs(parseSysmonLine(event(1, { UtcTime: "2024-06-10 14:03:11.000", ProcessId: "10", Image: "/usr/bin/id", CommandLine: "id -u", CurrentDirectory: "/root", ParentProcessId: "9", ParentImage: "/bin/bash", ParentCommandLine: "-bash" })) ?? assert.fail(), ctx);
  assert.deepEqual(p?.process, { pid: 10, executable: "/usr/bin/id", name: "id", command_line: "id -u", args: ["id", "-u"], args_count: 2, working_directory: "/root", parent: { pid: 9, executable: "/bin/bash", name: "bash", command_line: "-bash", args: ["-bash"], args_count: 1 } });
  assert.equal((p?.event as Record<string, unknown>).action, "exec");
  const n = sysmonToEcs(parseSysmonLine(event(3, { UtcTime: "2024-06-10 14:03:11.000", ProcessId: "10", Image: "/usr/bin/curl", Protocol: "tcp", Initiated: "true", SourceIp: "10.0.0.2", SourcePort: "5555", DestinationIp: "203.0.113.7", DestinationPort: "443" })) ?? assert.fail(), ctx);
  assert.deepEqual([n?.source, n?.destination, n?.network, (n?.event as Record<string, unknown>).action], [{ ip: "10.0.0.2", port: 5555 }, { ip: "203.0.113.7", port: 443 }, { direction: "egress", transport: "tcp" }, "connection_attempted"]);
  const d = sysmonToEcs(parseSysmonLine(event(26, { UtcTime: "2024-06-10 14:03:11.000", Image: "(null)", TargetFilename: "/dev/shm/x.so" })) ?? assert.fail(), ctx);
  assert.deepEqual([(d?.event as Record<string, unknown>).action, d?.process], ["deletion", undefined]);
  const end = sysmonToEcs(parseSysmonLine(event(5, { UtcTime: "2024-06-10 14:03:12.000", ProcessGuid: "{c2a9}", ProcessId: "10", Image: "/usr/bin/id" })) ?? assert.fail(), ctx);
  assert.deepEqual([end?.event, end?.process], [
    { kind: "event", module: "sysmon", provider: "Linux-Sysmon", code: "5", category: ["process"], type: ["end"], action: "end", ingested: "2026-01-01T00:00:00.000Z" },
    { pid: 10, entity_id: "{c2a9}", executable: "/usr/bin/id", name: "id" },
  ]);
});

test("a process's later events carry the parent its ProcessCreate named, until it terminates; the zero GUID is no id", () => {
  const parents = new Map<string, Record<string, unknown>>();
  const c = { hostname: "h", parents };
  const at = (id: number, data: Record<string, string>) => sysmonToEcs(parseSysmonLine(event(id, { UtcTime: "2024-06-10 14:03:11.000", ...data }, "")) ?? assert.fail(), c);
  const create = at(1, { ProcessGuid: "{p1}", ProcessId: "10", Image: "/usr/bin/curl", ParentProcessGuid: "{p0}", ParentProcessId: "9", ParentImage: "/bin/bash", ParentCommandLine: "bash -i" });
  const parent = { pid: 9, entity_id: "{p0}", executable: "/bin/bash", name: "bash", command_line: "bash -i", args: ["bash", "-i"], args_count: 2 };
  assert.deepEqual(create?.process, { pid: 10, entity_id: "{p1}", executable: "/usr/bin/curl", name: "curl", parent });
  const net = at(3, { ProcessGuid: "{p1}", ProcessId: "10", Image: "/usr/bin/curl", Initiated: "true" });
  assert.deepEqual(net?.process, { pid: 10, entity_id: "{p1}", executable: "/usr/bin/curl", name: "curl", parent });
  // no <Computer>: the fallback host name, and its derived id; ingested = the event's time (a replayed log)
  assert.deepEqual(net?.host, { name: "h", id: hostIdOf("h"), os: { type: "linux" } });
  assert.equal((net?.event as Record<string, unknown>).ingested, "2024-06-10T14:03:11.000Z");
  at(5, { ProcessGuid: "{p1}", ProcessId: "10", Image: "/usr/bin/curl" });
  assert.equal(parents.has("{p1}"), false);
  const unknown = at(11, { ProcessGuid: "{00000000-0000-0000-0000-000000000000}", ProcessId: "3", Image: "/x", TargetFilename: "/tmp/a" });
  assert.deepEqual(unknown?.process, { pid: 3, executable: "/x", name: "x" });
});

test("lines without an <Event> are not events; a truncated <Event> is malformed", () => {
  assert.equal(parseSysmonLine("Oct 24 17:05:31 h sysmon[3041]: Sysmon v1.0.0 - Monitors system events"), undefined);
  assert.throws(() => parseSysmonLine('Oct 24 17:05:31 h sysmon: <Event><System><EventID>11</EventID><Data Name="TargetFil'), MalformedSysmonError);
  assert.throws(() => parseSysmonLine("x: <Event><System></System></Event>"), { message: "Sysmon <Event> has no <EventID>" });
});

test("a character reference to no character (past U+10FFFF, a surrogate, NUL) makes the event malformed, not a crash", () => {
  for (const ref of ["&#99999999;", "&#x110000;", "&#xD800;", "&#0;"]) {
    assert.throws(() => parseSysmonLine(event(11, { UtcTime: "2024-06-10 14:03:11.000", TargetFilename: `/tmp/${ref}x` })), (e: unknown) => e instanceof MalformedSysmonError && e.message === `Sysmon <Event> has a character reference to no character: ${ref}`, ref);
  }
  const ok = parseSysmonLine(event(11, { UtcTime: "2024-06-10 14:03:11.000", TargetFilename: "/tmp/&#x10FFFF;&#233;" }));
  assert.equal(ok?.data.get("TargetFilename"), "/tmp/\u{10FFFF}é");
});
