// kibana.alert.reason (new_terms.md §7.4): Kibana's example and the value rules (arrays, numbers, "-", flat keys).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildReason } from "./reason.js";

test("reason: Kibana's test example (authentication, source ip, user, host)", () => {
  const doc = { event: { category: "authentication" }, source: { ip: "8.42.77.171", port: 22 }, user: { name: "root" }, host: { name: "zeek-newyork-sha-aa8df15" } };
  assert.equal(buildReason(doc, "high", "Query with a rule id"), "authentication event with source 8.42.77.171 by root on zeek-newyork-sha-aa8df15 created high alert Query with a rule id.");
});

test("reason: arrays joined, numeric port dropped, string port kept, '-' and empty dropped, flat dotted keys read", () => {
  const doc = {
    event: { category: ["file", "process"] },
    "process.name": "gcc",
    process: { parent: { name: "-" } },
    file: { name: "" },
    destination: { ip: "10.0.0.1", port: "443" },
    source: { ip: ["1.1.1.1", "2.2.2.2"], port: 5 },
  };
  assert.equal(buildReason(doc, "low", "R"), "file, process event with process gcc, source 1.1.1.1, 2.2.2.2 destination 10.0.0.1:443, created low alert R.");
  assert.equal(buildReason({}, "medium", "R"), "event created medium alert R.");
});
