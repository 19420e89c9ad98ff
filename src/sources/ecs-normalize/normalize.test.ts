// normalizeEcsEvent: Auditbeat auditd/auditd_manager, file_integrity and sysmon_linux documents become
// Defend-shaped where the intent is unambiguous (docs/sources-mapping.md); everything else is untouched.

import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeEcsEvent } from "./normalize.js";
import { getValues } from "../../event/fields.js";
import type { EventDoc } from "../../event/types.js";

const paths = (...p: [string, string, string?][]) => p.map(([name, nametype, inode]) => ({ name, nametype, inode: inode ?? "1", mode: "0100644" }));

const auditbeat = (action: string, extra: EventDoc): EventDoc => ({
  "@timestamp": "2024-06-10T14:03:11.509Z",
  event: { module: "auditd", category: ["file"], type: ["info"], action, outcome: "success" },
  process: { pid: 4412, name: "curl", executable: "/usr/bin/curl", working_directory: "/home/alice" },
  host: { name: "web01" },
  ...extra,
});

test("opened-file with a CREATE item becomes a creation with file.* derived (relative name joined to the PARENT)", () => {
  const doc = auditbeat("opened-file", { file: { path: "x.so" }, auditd: { paths: paths(["/dev/shm/", "PARENT"], ["x.so", "CREATE"]) } });
  const out = normalizeEcsEvent(doc);
  assert.notEqual(out, doc);
  assert.deepEqual(out.event, { module: "auditd", category: ["file"], type: ["creation"], action: "creation", outcome: "success" });
  assert.deepEqual(out.file, { path: "/dev/shm/x.so", name: "x.so", directory: "/dev/shm", extension: "so" });
  assert.deepEqual(out.host, { name: "web01", os: { type: "linux" } });
  assert.deepEqual(out.tern, { normalized_from: "auditd:opened-file" });
  assert.equal((doc.event as Record<string, unknown>).action, "opened-file", "the input is not mutated");
});

test("opened-file without a CREATE item (a read) is left alone", () => {
  const doc = auditbeat("opened-file", { file: { path: "/usr/lib/libc.so.6" }, auditd: { paths: paths(["/usr/lib/libc.so.6", "NORMAL"]) } });
  assert.equal(normalizeEcsEvent(doc), doc);
});

test("renamed: file.path becomes the CREATE item, the old path goes to file.Ext.original", () => {
  const doc = auditbeat("renamed", {
    file: { path: "/root/build/libhook.so" },
    auditd: { paths: paths(["/root/build/", "PARENT", "2"], ["/usr/lib/", "PARENT", "3"], ["/root/build/libhook.so", "DELETE", "9"], ["/usr/lib/libhook.so", "CREATE", "9"]) },
  });
  const out = normalizeEcsEvent(doc);
  assert.deepEqual(getValues(out, "event.action"), ["rename"]);
  assert.deepEqual(getValues(out, "event.type"), ["change"]);
  assert.deepEqual(getValues(out, "file.path"), ["/usr/lib/libhook.so"]);
  assert.deepEqual(getValues(out, "file.Ext.original.path"), ["/root/build/libhook.so"]);
});

test("dotted keys are replaced, not duplicated", () => {
  const doc: EventDoc = { "event.module": "auditd", "event.action": "linked", "event.outcome": "success", "file.path": "a", "process.working_directory": "/usr/lib", auditd: { paths: paths(["a", "CREATE"]) } };
  const out = normalizeEcsEvent(doc);
  assert.deepEqual(getValues(out, "event.action"), ["creation"]);
  assert.deepEqual(getValues(out, "file.path"), ["/usr/lib/a"]);
  assert.equal("event.action" in out, false);
});

test("failed Auditbeat events, deleted and executed", () => {
  const failed = auditbeat("opened-file", { event: { module: "auditd", action: "opened-file", outcome: "failure" }, auditd: { paths: paths(["/dev/shm/x.so", "CREATE"]) } });
  assert.equal(normalizeEcsEvent(failed), failed);
  const del = normalizeEcsEvent(auditbeat("deleted", { file: { path: "/dev/shm/" }, auditd: { paths: paths(["/dev/shm/", "PARENT"], ["/dev/shm/x.so", "DELETE"]) } }));
  assert.deepEqual([getValues(del, "event.action"), getValues(del, "file.path")], [["deletion"], ["/dev/shm/x.so"]]);
  const exec = normalizeEcsEvent({ event: { module: "auditd", action: "executed", category: ["process"] }, process: { name: "ls" } });
  assert.deepEqual([getValues(exec, "event.action"), getValues(exec, "event.category"), getValues(exec, "event.type")], [["exec"], ["process"], ["start"]]);
});

test("file_integrity: created → creation (extension kept from the sensor), moved → rename", () => {
  const created = normalizeEcsEvent({ event: { module: "file_integrity", action: ["created", "updated"], category: ["file"] }, file: { path: "/dev/shm/.bashrc", extension: "bashrc" }, process: { name: "curl" } });
  assert.deepEqual(getValues(created, "event.action"), ["creation"]);
  assert.deepEqual(getValues(created, "file.extension"), ["bashrc"]);
  assert.deepEqual(getValues(created, "file.name"), [".bashrc"]);
  assert.deepEqual(getValues(created, "tern.normalized_from"), ["file_integrity:created,updated"]);
  const moved = normalizeEcsEvent({ event: { module: "file_integrity", action: ["moved"] }, file: { path: "/usr/lib/a.so" } });
  assert.deepEqual([getValues(moved, "event.action"), getValues(moved, "event.type"), getValues(moved, "file.extension")], [["rename"], ["change"], ["so"]]);
  const attr = { event: { module: "file_integrity", action: ["attributes_modified"] }, file: { path: "/usr/lib/a.so" } };
  assert.equal(normalizeEcsEvent(attr), attr);
});

test("sysmon_linux integration: event 11 → creation with process.name = basename(Image), not 'sysmon'", () => {
  const out = normalizeEcsEvent({ event: { dataset: "sysmon_linux.log", code: "11", action: "log" }, process: { name: "sysmon", executable: "/usr/bin/curl" }, file: { path: "/dev/shm/u.so" } });
  assert.deepEqual([getValues(out, "event.action"), getValues(out, "process.name"), getValues(out, "file.extension"), getValues(out, "host.os.type")], [["creation"], ["curl"], ["so"], ["linux"]]);
});

test("Defend and unknown documents are returned as the same object", () => {
  const defend = { event: { module: "endpoint", action: "creation" }, file: { path: "/dev/shm/a.so" } };
  assert.equal(normalizeEcsEvent(defend), defend);
  const other = { message: "hi" };
  assert.equal(normalizeEcsEvent(other), other);
});
