// Alert documents and ids (new_terms.md §7): object-hash and sha256 ids, mappings, merged fields, ancestors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import objectHash from "object-hash";
import fc from "fast-check";
import { alertRiskScore, alertSeverity, buildAlert, buildAlertWithJson, newTermsAlertId, queryAlertId, ruleFieldsText } from "./alert.js";
import { cutRuleFields, restoreRuleFields } from "../state/rule-fields.js";
import { hit, makeRule } from "./test-support.js";
import type { Rule, Severity } from "../rules/model.js";
import type { EventDoc } from "../event/types.js";

const ctx = { spaceId: "default", ruleUuid: "r-uuid", now: Date.UTC(2024, 4, 1, 10), executionUuid: "x", executionType: "scheduled" as const, kibanaVersion: "8.19.0" };

test("ids: object-hash of the 5-element array (new_terms), sha256 of the concatenation (query)", () => {
  assert.equal(newTermsAlertId({ _index: "i", _id: "d" }, "s", "r", ["a", 1]), objectHash(["i", "d", "undefined", "s:r", ["a", 1]]));
  assert.notEqual(newTermsAlertId({ _index: "i", _id: "d" }, "s", "r", ["1"]), newTermsAlertId({ _index: "i", _id: "d" }, "s", "r", [1]));
  assert.equal(queryAlertId({ _index: "i", _id: "d" }, "s", "r"), createHash("sha256").update("idundefineds:r").digest("hex"));
});

/**
 * An independent re-statement of npm object-hash's default (sha1, hex) for arrays of strings and numbers:
 * it hashes the text `array:<length>:` followed by each element as `string:<length>:<text>` or
 * `number:<value>`. Written from the package's documented serialisation, not by calling the package.
 */
function sha1OfArray(value: readonly unknown[]): string {
  const text = (v: unknown): string => {
    if (Array.isArray(v)) return `array:${v.length}:` + v.map(text).join("");
    if (typeof v === "string") return `string:${v.length}:${v}`;
    if (typeof v === "number") return `number:${v}`;
    throw new Error(`no serialisation for ${typeof v}`);
  };
  return createHash("sha1").update(text(value)).digest("hex");
}

// Kibana's wrap_new_terms_alerts unit tests publish these ids for the hit {_index: "myFakeSignalIndex",
// _id: KIBANA_DOC, _version: 1} and the rule saved-object id KIBANA_RULE (their rule mock).
const KIBANA_DOC = "d5e8eb51-a6a0-456d-8a15-4b79bfec3d71";
const KIBANA_RULE = "04128c15-0d1b-4716-a4c5-46997ac7f3bd";
const KIBANA_NEW_TERMS_IDS: Array<{ space: string; terms: string[]; id: string }> = [
  { space: "default", terms: ["127.0.0.1"], id: "a36d9fe6fe4b2f65058fb1a487733275f811af58" },
  { space: "otherSpace", terms: ["127.0.0.1"], id: "f7877a31b1cc83373dbc9ba5939ebfab1db66545" },
  { space: "otherSpace", terms: ["127.0.0.2"], id: "75e5a507a4bc48bcd983820c7fd2d9621ff4e2ea" },
  { space: "otherSpace", terms: ["127.0.0.1", "127.0.0.2"], id: "86a216cfa4884767d9bb26d2b8db911cb4aa85ce" },
  { space: "other-space", terms: ["127.0.0.1"], id: "b8143fa480c96c94688bd70871711fcf5478ee95" },
  { space: "other-space", terms: ["127.0.0.2"], id: "9eab1f07709065fa65dd687c2df7a30f4c5f6c9d" },
  { space: "other-space", terms: ["127.0.0.1", "127.0.0.2"], id: "7d3dfa1c3f6d5dbf5e7a1b069a9707adbdb48948" },
];

test("new_terms ids: the recipe reproduces the ids Kibana's own tests publish; tern's ids follow it with no _version", () => {
  for (const k of KIBANA_NEW_TERMS_IDS) {
    assert.equal(sha1OfArray(["myFakeSignalIndex", KIBANA_DOC, "1", `${k.space}:${KIBANA_RULE}`, k.terms]), k.id);
  }
  // Search hits that reach tern's rules carry no _version, so Kibana's String(undefined) is "undefined".
  const cases: Array<{ index: string; id: string; space: string; rule: string; terms: Array<string | number> }> = [
    { index: "myFakeSignalIndex", id: KIBANA_DOC, space: "default", rule: KIBANA_RULE, terms: ["127.0.0.1"] },
    { index: "logs-endpoint.events.process-default", id: "ev-1", space: "default", rule: "r-uuid", terms: ["host-0", "127.0.0.2"] },
    { index: "i", id: "d", space: "s", rule: "r", terms: ["user-0", 1] },
    { index: "i", id: "d", space: "s", rule: "r", terms: ["é", "x y"] },
  ];
  for (const c of cases) {
    assert.equal(newTermsAlertId({ _index: c.index, _id: c.id }, c.space, c.rule, c.terms), sha1OfArray([c.index, c.id, "undefined", `${c.space}:${c.rule}`, c.terms]));
  }
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

test("severity_mapping as Kibana decides it (the cases of Kibana's own build_severity_from_mapping tests, and lodash get)", () => {
  const sev = (field: string, value: unknown, mapping: [string, Severity][], base: Severity = "low") =>
    alertSeverity(makeRule({ rule_id: "s", severity: base, severity_mapping: mapping.map(([v, severity]) => ({ field, operator: "equals" as const, value: v, severity })) }), { event: { [field.slice("event.".length)]: value } });
  const ladder: [string, Severity][] = [["13", "low"], ["23", "medium"], ["33", "high"], ["43", "critical"]];
  assert.equal(sev("event.severity", 23, ladder), "medium");
  assert.equal(sev("event.severity", "hackerman", [["hackerman", "critical"]]), "low", "event.severity ignores strings");
  assert.equal(sev("event.severity", "23", ladder), "low", "nor does it read numbers written as text");
  assert.equal(sev("event.severity", 23, [["23.9", "high"]]), "high", "the mapping's value is floored");
  assert.equal(sev("event.my_custom_severity", 23, ladder), "medium");
  assert.equal(sev("event.my_custom_severity", "hackerman", [["anything", "medium"], ["hackerman", "critical"]]), "critical");
  assert.equal(sev("event.severity", [23, "some string", 43, 33], ladder), "critical");
  assert.equal(sev("event.my_custom_severity", ["foo", "bar", "baz", "boo"], [["bar", "high"], ["baz", "critical"], ["foo", "low"], ["boo", "medium"]]), "critical");
  assert.equal(sev("event.severity", 23, [["23", "medium"], ["23", "critical"], ["23", "high"]]), "critical");
  assert.equal(sev("event.my_custom_severity", true, [["true", "high"]]), "low", "booleans are not compared");
  assert.equal(sev("event.my_custom_severity", 1.5, [["1.5", "high"]]), "low", "nor are numbers that are not safe integers");
  // lodash get: the whole path as one key, or one key per segment; arrays on the way are not looked into
  const rule = makeRule({ rule_id: "g", severity_mapping: [{ field: "a.b", operator: "equals", value: "x", severity: "high" }] });
  assert.deepEqual([alertSeverity(rule, { "a.b": "x" }), alertSeverity(rule, { a: { b: "x" } }), alertSeverity(rule, { a: [{ b: "x" }] }), alertSeverity(rule, { a: { "b": ["y", "x"] } })], ["high", "high", "low", "high"]);
});

test("risk_score_mapping and rule_name_override as Kibana decides them", () => {
  const risk = (value: unknown, mapping = [{ field: "event.risk", operator: "equals" as const, value: "" }]) =>
    alertRiskScore(makeRule({ rule_id: "r", risk_score: 21, risk_score_mapping: mapping }), { event: { risk: value }, other: 99 });
  assert.deepEqual([risk(88), risk(188), risk(-1), risk("42"), risk("4x"), risk(""), risk([12, 80, 150, "30"]), risk(true), risk(undefined)], [88, 21, 21, 42, 21, 0, 80, 21, 21]);
  assert.equal(risk(50, [{ field: "event.missing", operator: "equals", value: "" }, { field: "other", operator: "equals", value: "" }]), 21, "only the first mapping is read");
  const named = (v: unknown) => buildAlert(makeRule({ rule_id: "n", name: "Rule", rule_name_override: "rule.title" }), hit("logs", "d", { rule: { title: v } }), "id", ctx)["kibana.alert.rule.name"];
  assert.deepEqual([named("From doc"), named(""), named(["a"]), named(7)], ["From doc", "", "Rule", "Rule"]);
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

test("alert JSON: the rule part spliced from its cache gives JSON.stringify's text of the same document", () => {
  const rules: Rule[] = [
    makeRule({ rule_id: "plain", type: "query" }),
    makeRule({ rule_id: "noted", type: "eql", note: "## Triage\n\"quoted\" \u2028", setup: "s", tags: ["a", "b"], interval: undefined }),
    makeRule({ rule_id: "all", building_block_type: "default", rule_name_override: "rule.name", timestamp_override: "event.ingested", timeline_id: "t", timeline_title: "T", note: "n", new_terms: { fields: ["host.name"], history_window_start: "now-7d" } }),
  ];
  // Keys an event may hold, among them ones the alert also writes (flat kibana.* keys of an alert read back
  // as a source, @timestamp, event.kind) and integer-like ones, which objects enumerate first.
  const key = fc.oneof(
    fc.constantFrom("@timestamp", "event.kind", "event", "host", "rule", "kibana", "7", "kibana.alert.rule.note", "kibana.alert.rule.uuid", "kibana.alert.original_event.action", "kibana.alert.depth", "kibana.alert.new_terms", "kibana.alert.original_time", "kibana.x"),
    fc.string({ maxLength: 6 }),
  );
  const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }));
  const value = fc.oneof(leaf, fc.dictionary(fc.constantFrom("kind", "action", "name", "category"), leaf, { maxKeys: 3 }));
  const source = fc.dictionary(key, value, { maxKeys: 8 });
  const uuid = fc.constantFrom("r-uuid", "other-uuid");
  let cuts = 0;
  fc.assert(
    fc.property(fc.constantFrom(...rules), source, uuid, fc.option(fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 2 }), { nil: undefined }), fc.boolean(), (rule, src, ruleUuid, terms, owned) => {
      const c = { ...ctx, ruleUuid };
      const expected = buildAlert(rule, hit("logs", "d", structuredClone(src) as EventDoc), "ID", c, terms);
      const got = buildAlertWithJson(rule, hit("logs", "d", structuredClone(src) as EventDoc), "ID", c, terms, owned);
      assert.equal(got.json, JSON.stringify(expected));
      assert.equal(JSON.stringify(got.doc), got.json);
      assert.equal(got.doc["kibana.alert.rule.uuid"], ruleUuid);
      // the cut the state stores is the one its search would find, and puts the document back together
      const fields = ruleFieldsText(rule, ruleUuid);
      if (got.cut !== undefined) {
        assert.equal(got.cut.of, got.json);
        assert.equal(got.cut.fields, fields);
        assert.deepEqual({ rest: got.cut.rest, beforeAt: got.cut.beforeAt, afterAt: got.cut.afterAt }, cutRuleFields(got.json, fields));
        assert.equal(restoreRuleFields(got.cut.rest, got.cut.beforeAt, got.cut.afterAt, fields), got.json);
        cuts++;
      }
    }),
    { numRuns: 400 },
  );
  // (sources with flat kibana.* keys are serialised whole, without a cut)
  assert.ok(cuts > 100, `${cuts} alerts were spliced`);
});
