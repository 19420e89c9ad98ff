// `tern kql dsl` through main() with captured streams (src/cli/commands/kql.ts registerDsl, docs/kql.md
// §5): exact JSON on stdout, exact diagnostics / caret message on stderr, exit codes 0 and 2.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../testing/cli.js";

const tern = (args: string[], cwd = process.cwd()) => runCli(["kql", "dsl", ...args], { cwd });

const json = (v: unknown): string => JSON.stringify(v, null, 2) + "\n";
const should1 = (...c: unknown[]) => ({ bool: { should: c, minimum_should_match: 1 } });

describe("tern kql dsl", () => {
  test("without an index pattern: Kibana's node-level DSL as 2-space JSON", async () => {
    const r = await tern(["foo:bar"]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      '{\n  "bool": {\n    "should": [\n      {\n        "match": {\n          "foo": "bar"\n        }\n      }\n    ],\n    "minimum_should_match": 1\n  }\n}\n',
    );
  });

  test("--ecs: keyword fields give term, wildcard-typed fields give query_string, dates get time_zone", async () => {
    const r = await tern(["--ecs", "--date-format-tz", "UTC", "process.name:bash and process.command_line:*curl* and @timestamp > now-1d"]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      json({
        bool: {
          filter: [
            should1({ term: { "process.name": { value: "bash" } } }),
            should1({ query_string: { fields: ["process.command_line"], query: "*curl*" } }),
            should1({ range: { "@timestamp": { gt: "now-1d", time_zone: "UTC" } } }),
          ],
        },
      }),
    );
  });

  test("config flags: case_insensitive, must clause", async () => {
    const r = await tern(["--ecs", "--case-insensitive", "--filters-in-must-clause", "process.name:BASH and file.name:*.so"]);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      json({
        bool: {
          must: [
            should1({ term: { "process.name": { value: "BASH", case_insensitive: true } } }),
            should1({ wildcard: { "file.name": { value: "*\\.so", case_insensitive: true } } }),
          ],
        },
      }),
    );
  });

  test("--index-pattern file: nested group and nested-ignore-unmapped; path relative to cwd", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tern-dsl-"));
    writeFileSync(
      join(dir, "ip.json"),
      JSON.stringify({
        title: "t",
        fields: [
          { name: "n.c", type: "string", esTypes: ["keyword"], subType: { nested: { path: "n" } } },
          { name: "host.ip", type: "ip", esTypes: ["ip"] },
        ],
      }),
    );
    const r = await tern(["--index-pattern", "ip.json", "--nested-ignore-unmapped", "n:{ c:x } or host.ip:10.0.0.0/8"], dir);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      json(
        should1(
          { nested: { path: "n", query: should1({ term: { "n.c": { value: "x" } } }), score_mode: "none", ignore_unmapped: true } },
          should1({ match: { "host.ip": "10.0.0.0/8" } }),
        ),
      ),
    );
    const bad = await tern(["--index-pattern", "ip.json", "n.c:x"], dir);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, "");
    assert.equal(bad.stderr, "error[KQL020]: n.c is a nested field, but is not in a nested group in the KQL expression.\n");
  });

  test("an unreadable or malformed index pattern file is KQL021 at the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tern-dsl-"));
    const missing = await tern(["--index-pattern", "nope.json", "a:b"], dir);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `${join(dir, "nope.json")}:1:1: error[KQL021]: cannot read index pattern file (ENOENT)\n`);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ fields: [{ name: "a", type: "string", esTypes: "keyword" }] }));
    const bad = await tern(["--index-pattern", "bad.json", "a:b"], dir);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `${join(dir, "bad.json")}:1:1: error[KQL021]: fields[0].esTypes must be an array of strings\n`);
  });

  test("a syntax error exits 2 with Kibana's caret message on stderr", async () => {
    const r = await tern(["a:(b"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, 'Expected ")", AND, OR but end of input found.\na:(b\n----^\n');
  });

  test("--ecs with --index-pattern is a usage error", async () => {
    const r = await tern(["--ecs", "--index-pattern", "x.json", "a:b"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "error[CLI001]: --index-pattern and --ecs cannot be used together\n");
  });
});
