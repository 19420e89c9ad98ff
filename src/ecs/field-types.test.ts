// Tests for the ECS field-type table lookups and its index-pattern view (src/ecs/field-types.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ecsFieldType, ecsIndexPattern } from "./field-types.js";

test("ecsFieldType returns the mapping type of known ECS fields", () => {
  assert.equal(ecsFieldType("@timestamp"), "date");
  assert.equal(ecsFieldType("process.name"), "keyword");
  assert.equal(ecsFieldType("source.ip"), "ip");
  assert.equal(ecsFieldType("process.command_line"), "wildcard");
});

test("ecsFieldType returns undefined for unknown names and prototype keys", () => {
  assert.equal(ecsFieldType("no.such.field"), undefined);
  assert.equal(ecsFieldType("constructor"), undefined);
  assert.equal(ecsFieldType("__proto__"), undefined);
});

test("ecsIndexPattern lists fields with Kibana type and esTypes", () => {
  const ip = ecsIndexPattern();
  const f = ip.fields.find((x) => x.name === "process.name");
  assert.deepEqual(f, { name: "process.name", type: "string", esTypes: ["keyword"] });
  const ts = ip.fields.find((x) => x.name === "@timestamp");
  assert.deepEqual(ts, { name: "@timestamp", type: "date", esTypes: ["date"] });
});
