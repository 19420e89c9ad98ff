// Writes the hand-designed fixture events of the engine scenarios (new_terms.md §4) as Elasticsearch hits
// with literal _index/_id, so tests can compute expected alert ids from literals. Run: node test/scenarios/generate.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const T = (hhmmss) => `2024-05-01T${hhmmss}.000Z`;
const write = (name, hits) => {
  mkdirSync(join(here, name), { recursive: true });
  writeFileSync(join(here, name, "events.ndjson"), hits.map((h) => JSON.stringify(h)).join("\n") + "\n");
};
const hit = (_index, _id, _source) => ({ _index, _id, _source });

write("multi-field", [
  hit("logs-a", "h1", { "@timestamp": T("10:00:00"), host: { name: "host-0", ip: "127.0.0.1" } }),
  hit("logs-a", "h2", { "@timestamp": T("10:01:00"), host: { name: "host-1", ip: "127.0.0.2" } }),
  hit("logs-a", "w1", { "@timestamp": T("10:20:00"), host: { name: "host-0", ip: "127.0.0.2" } }),
]);

write("arrays", [
  hit("logs-a", "h1", { "@timestamp": T("10:00:00"), source: { ip: ["192.168.1.1"] }, tags: ["tag-1", "tag-2"] }),
  hit("logs-a", "h2", { "@timestamp": T("10:01:00"), source: { ip: ["192.168.1.1"] }, tags: ["tag-1"] }),
  hit("logs-a", "w1", { "@timestamp": T("10:20:00"), source: { ip: ["192.168.1.1", "192.168.1.2"] }, tags: ["tag-new-1", "tag-2", "tag-new-3"] }),
  hit("logs-a", "w2", { "@timestamp": T("10:20:30"), host: { name: "host-9", ip: ["10.0.0.3", "10.0.0.1", "10.0.0.2"] } }),
  hit("logs-a", "w3", { "@timestamp": T("10:20:40"), host: { name: "host-8" }, source: { ip: null }, tags: [] }),
]);

const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);
const hosts = Array.from({ length: 20 }, (_, i) => `host-${i}`);
write("max-signals", [hit("logs-a", "w1", { "@timestamp": T("10:20:00"), user: { name: users }, host: { name: hosts } })]);

const domains = (n, from = 0) => Array.from({ length: n }, (_, i) => `d-${from + i}.example`);
write("overlap", [
  hit("logs-a", "h1", { "@timestamp": T("09:00:00"), user: { name: ["a", "b"] }, destination: { domain: domains(200) } }),
  hit("logs-a", "h2", { "@timestamp": T("09:01:00"), user: { name: "b" }, destination: { domain: "d-201.example" } }),
  hit("logs-a", "w1", { "@timestamp": T("10:18:00"), user: { name: "a" }, destination: { domain: domains(100) } }),
  hit("logs-a", "w2", { "@timestamp": T("10:18:00"), user: { name: "b" }, destination: { domain: "d-201.example" } }),
  hit("logs-a", "w3", { "@timestamp": T("10:18:00"), user: { name: "c" }, destination: { domain: "d-0.example" } }),
  hit("logs-a", "w4", { "@timestamp": T("10:18:00"), user: { name: "c" }, destination: { domain: "d-0.example" } }),
]);

write("timestamp-fallback", [
  hit("logs-a", "h1", { "@timestamp": T("10:00:00"), event: { ingested: T("10:00:00") }, host: { name: "host-1" } }),
  hit("logs-a", "w1", { "@timestamp": T("09:00:00"), event: { ingested: T("10:20:00") }, host: { name: "host-2" } }),
  hit("logs-a", "w2", { "@timestamp": T("10:20:00"), host: { name: "host-3" } }),
  hit("logs-a", "w3", { "@timestamp": T("10:20:00"), event: { ingested: T("10:20:00") }, host: { name: "host-1" } }),
]);

// Execution at 10:21:00 with a 6 m window and 30 m of history: window [10:15:00, 10:21:00], history from 09:51:00.
write("boundaries", [
  hit("logs-a", "a1", { "@timestamp": "2024-05-01T10:15:00.000Z", host: { name: "host-a" } }),
  hit("logs-a", "b1", { "@timestamp": "2024-05-01T10:15:00.001Z", host: { name: "host-b" }, process: { interactive: true } }),
  hit("logs-a", "c0", { "@timestamp": "2024-05-01T09:51:00.000Z", host: { name: "host-c" } }),
  hit("logs-a", "c1", { "@timestamp": "2024-05-01T10:18:00.000Z", host: { name: "host-c" } }),
  hit("logs-a", "d0", { "@timestamp": "2024-05-01T09:50:59.999Z", host: { name: "host-d" } }),
  hit("logs-a", "d1", { "@timestamp": "2024-05-01T10:18:00.000Z", host: { name: "host-d" } }),
  hit("logs-a", "e1", { "@timestamp": "2024-05-01T10:21:00.000Z", host: { name: "host-e" }, process: { pid: 4242 } }),
  hit("logs-a", "f1", { "@timestamp": "2024-05-01T10:21:00.001Z", host: { name: "host-f" } }),
]);

// More keys than a page: the window's 10,100 tags take two composite pages, the history searches' 1,100
// and 10,100 keys several; 9,000 tags are new and max_signals keeps the first 100 in Kibana's order.
const tags = (n) => Array.from({ length: n }, (_, i) => `t-${i}`);
write("paging", [
  hit("logs-a", "h1", { "@timestamp": T("10:00:00"), tags: tags(1_100) }),
  hit("logs-a", "w1", { "@timestamp": T("10:20:00"), tags: tags(10_100) }),
]);

// Threshold rules over two executions (10:21 and 10:26, 6 m windows): counts, the signal history between
// overlapping windows, a cardinality clause, no fields, several fields with arrays, max_signals and the
// timestamp override with its fallback.
const u = (id, hhmmss, user, more = {}) => hit("logs-a", id, { "@timestamp": T(hhmmss), user: { name: user }, host: { name: "h1" }, ...more });
write("threshold", [
  u("u1", "10:16:00", "alice", { tags: ["x", "y"] }),
  u("u2", "10:17:00", "alice", { tags: ["x"] }),
  u("u3", "10:18:00", "bob"),
  u("u4", "10:20:30", "alice"),
  u("u5", "10:22:00", "alice", { tags: ["x"] }),
  u("u6", "10:23:00", "bob"),
  u("u7", "10:24:00", "bob"),
  hit("logs-a", "t1", { "@timestamp": T("09:00:00"), event: { ingested: T("10:19:00") }, user: { name: "carol" }, host: { name: "h2" } }),
]);

write("query", [
  hit("logs-q", "q1", { "@timestamp": T("10:17:00"), event: { category: "process", kind: "event" }, process: { name: "sh" }, host: { name: "h" } }),
  hit("logs-q", "q2", { "@timestamp": T("10:19:00"), event: { category: "process" }, process: { name: "bash" } }),
  hit("logs-q", "n1", { "@timestamp": T("10:19:30"), event: { category: "network" } }),
  hit("logs-q", "q3", { "@timestamp": T("10:23:00"), event: { category: "process" }, process: { name: "zsh" } }),
]);
