// Alert documents and ids (new_terms.md §7): object-hash and sha256 ids, mappings, merged fields, ancestors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import objectHash from "object-hash";
import { alertRiskScore, alertSeverity, buildAlert, newTermsAlertId, queryAlertId } from "./alert.js";
import { hit, makeRule } from "./test-support.js";

const ctx = { spaceId: "default", ruleUuid: "r-uuid", now: Date.UTC(2024, 4, 1, 10), executionUuid: "x", executionType: "scheduled" as const, kibanaVersion: "8.19.0" };

test("ids: object-hash of the 5-element array (new_terms), sha256 of the concatenation (query)", () => {
  assert.equal(newTermsAlertId({ _index: "i", _id: "d" }, "s", "r", ["a", 1]), objectHash(["i", "d", "undefined", "s:r", ["a", 1]]));
  assert.notEqual(newTermsAlertId({ _index: "i", _id: "d" }, "s", "r", ["1"]), newTermsAlertId({ _index: "i", _id: "d" }, "s", "r", [1]));
  assert.equal(queryAlertId({ _index: "i", _id: "d" }, "s", "r"), createHash("sha256").update("idundefineds:r").digest("hex"));
});

test("severity and risk score mappings: highest matching severity; first valid numeric risk", () => {
  const rule = makeRule({
    rule_id: "m",
    severity_mapping: [
      { field: "a", operator: "equals", value: "x", severity: "critical" },
      { field: "b", operator: "equals", value: "y", severity: "medium" },
    ],
    risk_score_mapping: [{ field: "score", operator: "equals", value: "" }],
  });
  assert.equal(alertSeverity(rule, { a: "x", b: "y" }), "critical");
  assert.equal(alertSeverity(rule, { b: "y" }), "medium");
  assert.equal(alertSeverity(rule, {}), "low");
  assert.equal(alertRiskScore(rule, { score: 88 }), 88);
  assert.equal(alertRiskScore(rule, { score: 188 }), 21);
});

test("alert document: source merged without event.kind, flat kibana fields, original_event, building block, name override", () => {
  const rule = makeRule({ rule_id: "bb", building_block_type: "default", rule_name_override: "rule.name", tags: ["t"], new_terms: { fields: ["host.name"], history_window_start: "now-7d" } });
  const h = hit("logs", "d1", { "@timestamp": "2024-05-01T09:00:00Z", event: { kind: "event", action: "creation" }, host: { name: "h1" }, rule: { name: "from doc" } });
  const a = buildAlert(rule, h, "ID", ctx, ["h1"]);
  assert.deepEqual(a.event, { action: "creation" });
  assert.deepEqual(h._source.event, { kind: "event", action: "creation" });
  assert.equal(a["event.kind"], "signal");
  assert.equal(a["kibana.alert.original_event.kind"], "event");
  assert.equal(a["kibana.alert.original_event.action"], "creation");
  assert.equal(a["kibana.alert.rule.name"], "from doc");
  assert.equal(a["kibana.alert.building_block_type"], "default");
  assert.equal(a["kibana.alert.reason"], "event on h1 created low alert from doc.");
  assert.deepEqual(a["kibana.alert.new_terms"], ["h1"]);
  assert.equal(a["kibana.alert.uuid"], "ID");
  assert.equal(a["kibana.alert.depth"], 1);
  assert.equal(a["kibana.alert.rule.category"], "New Terms Rule");
  assert.equal(a["kibana.alert.rule.rule_type_id"], "siem.newTermsRule");
  assert.deepEqual((a["kibana.alert.rule.parameters"] as Record<string, unknown>).new_terms_fields, ["host.name"]);
  assert.equal(a["@timestamp"], "2024-05-01T10:00:00.000Z");
});

test("alert on an alert: ancestors chain extended with a signal entry, depth + 1", () => {
  const rule = makeRule({ rule_id: "q", type: "query" });
  const src = { "kibana.alert.depth": 1, "kibana.alert.ancestors": [{ id: "e", type: "event", index: "logs", depth: 0 }], "kibana.alert.rule.uuid": "up" };
  const a = buildAlert(rule, hit(".alerts-security", "A1", src), "ID2", ctx);
  assert.deepEqual(a["kibana.alert.ancestors"], [
    { id: "e", type: "event", index: "logs", depth: 0 },
    { id: "A1", type: "signal", index: ".alerts-security", depth: 1, rule: "up" },
  ]);
  assert.equal(a["kibana.alert.depth"], 2);
});

test("alert document: an owned source becomes the alert in place, with the same document as a copied one", () => {
  const rule = makeRule({ rule_id: "own", new_terms: { fields: ["host.name"], history_window_start: "now-7d" } });
  const src = () => ({ "@timestamp": "2024-05-01T09:00:00Z", "event.kind": "flat", event: { kind: "event", action: "creation", category: ["file"] }, host: { name: "h1" } });
  const shared = hit("logs", "d1", src());
  const copied = buildAlert(rule, shared, "ID", ctx, ["h1"]);
  assert.deepEqual(shared._source, src());
  const owned = hit("logs", "d1", src());
  const inPlace = buildAlert(rule, owned, "ID", ctx, ["h1"], true);
  assert.equal(inPlace, owned._source);
  assert.equal(JSON.stringify(inPlace), JSON.stringify(copied));
  assert.deepEqual(inPlace.event, { action: "creation", category: ["file"] });
  assert.equal(inPlace["kibana.alert.original_event.kind"], "event");
  assert.equal(inPlace["event.kind"], "signal");
});
