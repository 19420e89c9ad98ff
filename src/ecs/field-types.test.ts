// Tests for the ECS/Defend field-type table (src/ecs/field-types.ts), its index-pattern view, and the
// generator (scripts/gen-ecs-field-types.mjs): the committed table is what the script produces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../testing/paths.js";
import { ECS_VERSION, ecsFieldNames, ecsFieldType, ecsIndexPattern } from "./field-types.js";

test("ecsFieldType: ECS mapping types", () => {
  assert.equal(ecsFieldType("@timestamp"), "date");
  assert.equal(ecsFieldType("process.name"), "keyword");
  assert.equal(ecsFieldType("process.command_line"), "wildcard");
  assert.equal(ecsFieldType("process.user.name.text"), "match_only_text");
  assert.equal(ecsFieldType("message"), "match_only_text");
  assert.equal(ecsFieldType("source.ip"), "ip");
  assert.equal(ecsFieldType("destination.port"), "long");
  assert.equal(ecsFieldType("process.args_count"), "long");
  assert.equal(ecsFieldType("data_stream.dataset"), "constant_keyword");
  assert.equal(ecsFieldType("container.cpu.usage"), "scaled_float");
  assert.equal(ecsFieldType("event.risk_score"), "float");
  assert.equal(ecsFieldType("process.io.text"), "wildcard");
  assert.equal(ecsFieldType("process.elf.imports"), "flattened");
  assert.equal(ecsFieldType("threat.enrichments"), "nested");
  assert.equal(ecsFieldType("dns.answers"), "object");
  assert.equal(ecsFieldType("client.geo.location"), "geo_point");
  assert.equal(ecsFieldType("process.entry_leader.interactive"), "boolean");
});

test("ecsFieldType: Elastic Defend fields, which override ECS where both define a name", () => {
  assert.equal(ecsFieldType("file.Ext.original.name"), "keyword");
  assert.equal(ecsFieldType("file.Ext.entropy"), "double");
  assert.equal(ecsFieldType("file.Ext.monotonic_id"), "unsigned_long");
  assert.equal(ecsFieldType("process.Ext.ancestry"), "keyword");
  assert.equal(ecsFieldType("process.name.caseless"), "keyword");
  assert.equal(ecsFieldType("process.name.text"), "text");
  assert.equal(ecsFieldType("process.parent.Ext.real.pid"), "long");
  assert.equal(ecsFieldType("process.command_line.caseless"), "keyword");
  assert.equal(ecsFieldType("process.env_vars"), "object");
  assert.equal(ecsFieldType("process.Ext.session_info.logon_type"), "keyword");
});

test("ecsFieldType: unknown names and prototype keys are undefined", () => {
  assert.equal(ecsFieldType("no.such.field"), undefined);
  assert.equal(ecsFieldType("process"), undefined);
  assert.equal(ecsFieldType("constructor"), undefined);
  assert.equal(ecsFieldType("__proto__"), undefined);
});

test("the table's size and version", () => {
  assert.equal(ECS_VERSION, "8.12.0-dev");
  assert.equal(ecsFieldNames().length, 1921);
});

test("ecsIndexPattern: Kibana types, esTypes, nested paths and multi-field parents; no object fields", () => {
  const ip = ecsIndexPattern();
  const byName = new Map(ip.fields.map((f) => [f.name, f]));
  assert.deepEqual(byName.get("process.name"), { name: "process.name", type: "string", esTypes: ["keyword"] });
  assert.deepEqual(byName.get("@timestamp"), { name: "@timestamp", type: "date", esTypes: ["date"] });
  assert.deepEqual(byName.get("destination.port"), { name: "destination.port", type: "number", esTypes: ["long"] });
  assert.deepEqual(byName.get("process.command_line.text"), {
    name: "process.command_line.text",
    type: "string",
    esTypes: ["text"],
    subType: { multi: { parent: "process.command_line" } },
  });
  assert.deepEqual(byName.get("threat.enrichments.indicator.ip"), {
    name: "threat.enrichments.indicator.ip",
    type: "ip",
    esTypes: ["ip"],
    subType: { nested: { path: "threat.enrichments" } },
  });
  assert.deepEqual(byName.get("process.Ext.code_signature.valid"), {
    name: "process.Ext.code_signature.valid",
    type: "boolean",
    esTypes: ["boolean"],
    subType: { nested: { path: "process.Ext.code_signature" } },
  });
  assert.equal(byName.has("dns.answers"), false);
  assert.equal(ip.fields.length, ecsFieldNames().filter((n) => ecsFieldType(n) !== "object").length);
});

const SCRIPT = join(REPO_ROOT, "scripts", "gen-ecs-field-types.mjs");

test("generator: the committed table is up to date with its inputs", () => {
  const r = spawnSync(
    process.execPath,
    [
      SCRIPT,
      "--ecs", "src/ecs/data/ecs_fields.8.12.0-dev.csv",
      "--defend-csv", "src/ecs/data/defend-fields.csv",
      "--endpoint-version", "endpoint-package file@09f4b8e + process@0200fe9 data streams, 8 hand-kept",
      "--check",
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  assert.equal(r.stderr, "src/ecs/field-types.generated.ts is up to date\n");
  assert.equal(r.status, 0);
});

test("generator: reads ECS CSV (quoted cells) and package fields.yml (groups, multi_fields); Defend wins", () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-ecsgen-"));
  writeFileSync(
    join(dir, "ecs.csv"),
    'ECS_Version,Indexed,Field_Set,Field,Type,Level,Normalization,Example,Description\n' +
      '9.0.0,true,base,@timestamp,date,core,,2016-05-23T08:05:34.853Z,Date/time.\n' +
      '9.0.0,true,process,process.name,keyword,extended,,ssh,"Process, name."\n' +
      '9.0.0,true,process,process.name.text,match_only_text,extended,,ssh,"Say ""hi"""\n',
  );
  writeFileSync(
    join(dir, "fields.yml"),
    [
      "- name: process",
      "  title: Process",
      "  type: group",
      "  fields:",
      "    - name: Ext.ancestry",
      "      level: custom",
      "      type: keyword",
      "      description: 'An array.",
      "",
      "        type: not-a-field'",
      "    - name: name",
      "      type: keyword",
      "      multi_fields:",
      "        - name: caseless",
      "          type: keyword",
      "        - name: text",
      "          type: text",
      "- name: '@timestamp'",
      "  type: date",
      "",
    ].join("\n"),
  );
  const out = join(dir, "out.ts");
  const r = spawnSync(
    process.execPath,
    [SCRIPT, "--ecs", join(dir, "ecs.csv"), "--defend-fields", join(dir, "fields.yml"), "--endpoint-version", "9.1.0", "--out", out],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(out, "utf8");
  const body = text.slice(text.indexOf("export const ECS_VERSION"));
  assert.equal(
    body,
    [
      'export const ECS_VERSION = "9.0.0";',
      'export const ENDPOINT_PACKAGE_VERSION = "9.1.0";',
      "export const FIELD_TYPES: Readonly<Record<string, string>> = {",
      '  "@timestamp": "date",',
      '  "process.Ext.ancestry": "keyword",',
      '  "process.name": "keyword",',
      '  "process.name.caseless": "keyword",',
      '  "process.name.text": "text",',
      "};",
      "",
    ].join("\n"),
  );
  assert.match(text, /^\/\/ ECS 9\.0\.0 \(ecs\.csv, 3 fields\) merged with Elastic Defend$/m);
});
