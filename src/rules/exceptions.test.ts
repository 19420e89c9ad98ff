// Rule exceptions and value lists (--exceptions, --value-list): Kibana's export read with file:line
// diagnostics, the filter Kibana's build_exception_filter.ts builds (clauses written out by hand from its
// shapes), that filter evaluated on events, and a run with an exported list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileRuleFilters, filterClauses } from "../compile/filters/index.js";
import { CORPUS_DIR, REPO_ROOT } from "../testing/paths.js";
import { runCli } from "../testing/cli.js";
import { EXAMPLE_PLANTED_ALERTS, plantedForm } from "../testing/gen/examples.js";
import { exceptionsFor, loadExceptionSet, unattachedLists } from "./exceptions.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "exceptions");

function withFiles<T>(files: Record<string, string>, body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "tern-exc-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const item = (entries: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ item_id: "i", name: "I", list_id: "L", namespace_type: "single", type: "simple", entries, ...extra });
const ref = [{ id: "x", list_id: "L", namespace_type: "single", type: "detection" }];

test("the filter is Kibana's: entries ANDed, items ORed, os_types doubled over host.os.type and host.os.name.caseless, excluded as must_not, negated as a whole", () => {
  const text = [
    item([{ field: "process.name", operator: "included", type: "match", value: "ld" }]),
    item(
      [
        { field: "user.name", operator: "excluded", type: "match_any", value: ["root", "admin"] },
        { field: "file.path", operator: "included", type: "wildcard", value: "/tmp/*.so" },
        { field: "process.parent.name", operator: "included", type: "exists" },
        { field: "source.ip", operator: "included", type: "list", list: { id: "nets", type: "ip_range" } },
        { field: "dll", type: "nested", entries: [{ field: "name", operator: "included", type: "match", value: "x.dll" }] },
      ],
      { item_id: "j" },
    ),
    item([{ field: "host.name", operator: "included", type: "match", value: "h" }], { item_id: "k", os_types: ["linux"] }),
  ].join("\n");
  withFiles({ "e.ndjson": text, "nets.txt": "10.0.0.0/8\n192.168.1.1-192.168.1.9\n" }, (dir) => {
    const set = loadExceptionSet([join(dir, "e.ndjson")], [{ id: "nets", file: join(dir, "nets.txt") }]);
    assert.deepEqual(set.diagnostics, []);
    const ex = exceptionsFor({ exceptions_list: ref }, set, []);
    const phrase = (f: string, v: string) => ({ bool: { minimum_should_match: 1, should: [{ match_phrase: { [f]: v } }] } });
    assert.deepEqual(ex.filter, {
      meta: { alias: null, disabled: false, negate: true },
      query: {
        bool: {
          should: [
            phrase("process.name", "ld"),
            {
              bool: {
                filter: [
                  { bool: { must_not: { bool: { minimum_should_match: 1, should: [phrase("user.name", "root"), phrase("user.name", "admin")] } } } },
                  { bool: { filter: { wildcard: { "file.path": "/tmp/*.so" } } } },
                  { bool: { minimum_should_match: 1, should: [{ exists: { field: "process.parent.name" } }] } },
                  { bool: { should: [{ range: { "source.ip": { gte: "192.168.1.1", lte: "192.168.1.9" } } }, { terms: { "source.ip": ["10.0.0.0/8"] } }], minimum_should_match: 1 } },
                  { nested: { path: "dll", query: phrase("dll.name", "x.dll"), score_mode: "none" } },
                ],
              },
            },
            { bool: { filter: [phrase("host.os.type", "linux"), phrase("host.name", "h")] } },
            { bool: { filter: [phrase("host.os.name.caseless", "linux"), phrase("host.name", "h")] } },
          ],
        },
      },
    });
    // the request Kibana sends: the whole of it in must_not
    assert.equal(filterClauses([ex.filter]).mustNot.length, 1);
    assert.deepEqual([ex.items, ex.missingLists, ex.missingValueLists], [3, [], []]);
  });
});

test("the filter decides which events reach the rule, entry by entry", () => {
  const keep = (entries: unknown[], doc: Record<string, unknown>, lists: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    withFiles({ "e.ndjson": item(entries, extra), ...lists }, (dir) => {
      const set = loadExceptionSet([join(dir, "e.ndjson")], Object.keys(lists).map((f) => ({ id: f.replace(/\.txt$/, ""), file: join(dir, f) })));
      const pass = compileRuleFilters([exceptionsFor({ exceptions_list: ref }, set, []).filter])!;
      return pass(doc);
    });
  const match = { field: "process.name", operator: "included", type: "match", value: "ld" };
  assert.deepEqual([keep([match], { process: { name: "ld" } }), keep([match], { process: { name: "LD" } }), keep([match], { process: { name: ["gcc", "ld"] } })], [false, true, false]);
  const notRoot = { field: "user.name", operator: "excluded", type: "match", value: "root" };
  assert.deepEqual([keep([notRoot], { user: { name: "root" } }), keep([notRoot], { user: { name: "bob" } }), keep([notRoot], {})], [true, false, false]);
  const any = { field: "process.name", operator: "included", type: "match_any", value: ["a", "b"] };
  assert.deepEqual([keep([any], { process: { name: "b" } }), keep([any], { process: { name: "c" } })], [false, true]);
  const wild = { field: "file.path", operator: "included", type: "wildcard", value: "/tmp/*.so" };
  assert.deepEqual([keep([wild], { file: { path: "/tmp/x/y.so" } }), keep([wild], { file: { path: "/TMP/y.so" } })], [false, true]);
  const exists = { field: "process.parent.name", operator: "included", type: "exists" };
  assert.deepEqual([keep([exists], { process: { parent: { name: "sh" } } }), keep([exists], { process: {} })], [false, true]);
  const both = [match, { field: "host.name", operator: "included", type: "match", value: "b1" }];
  assert.deepEqual([keep(both, { process: { name: "ld" }, host: { name: "b1" } }), keep(both, { process: { name: "ld" }, host: { name: "b2" } })], [false, true]);
  const nets = { field: "source.ip", operator: "included", type: "list", list: { id: "nets", type: "ip_range" } };
  const lists = { "nets.txt": "10.0.0.0/8\n192.168.1.1-192.168.1.9\n" };
  assert.deepEqual(
    ["10.2.3.4", "192.168.1.5", "192.168.1.10", "::ffff:10.0.0.1", "11.0.0.1"].map((ip) => keep([nets], { source: { ip } }, lists)),
    [false, false, true, false, true],
  );
  const names = { field: "process.name", operator: "excluded", type: "list", list: { id: "names", type: "keyword" } };
  assert.deepEqual([keep([names], { process: { name: "curl" } }, { "names.txt": "ld\ngcc\n" }), keep([names], { process: { name: "ld" } }, { "names.txt": "ld\ngcc\n" })], [false, true]);
  const nested = { field: "dll", type: "nested", entries: [{ field: "name", operator: "included", type: "match", value: "x.dll" }, { field: "path", operator: "included", type: "wildcard", value: "C:*" }] };
  assert.deepEqual(
    [keep([nested], { dll: [{ name: "y.dll", path: "C:a" }, { name: "x.dll", path: "C:b" }] }), keep([nested], { dll: [{ name: "x.dll", path: "D:a" }, { name: "z.dll", path: "C:b" }] })],
    [false, true],
  );
  const linuxOnly = { os_types: ["linux"] };
  assert.deepEqual(
    [keep([match], { process: { name: "ld" }, host: { os: { type: "linux" } } }, {}, linuxOnly), keep([match], { process: { name: "ld" }, host: { os: { type: "windows" } } }, {}, linuxOnly), keep([match], { process: { name: "ld" }, host: { os: { name: { caseless: "linux" } } } }, {}, linuxOnly)],
    [false, true, false],
  );
});

test("bad exports are diagnostics with file:line; lists no rule names apply to every rule", () => {
  const text = ['{"list_id":"L","namespace_type":"single","name":"L","type":"detection"}', "not json", "[1]", item([]), item([{ field: "a", operator: "maybe", type: "match", value: "x" }]), item([{ field: "a", operator: "included", type: "regex", value: "x" }])].join("\n");
  withFiles({ "e.ndjson": text }, (dir) => {
    const set = loadExceptionSet([join(dir, "e.ndjson"), join(dir, "missing.ndjson")], [{ id: "v", file: join(dir, "nope.txt") }]);
    assert.deepEqual(
      set.diagnostics.map((d) => `${d.span?.line}: ${d.code}: ${d.message}`),
      [
        "2: EXC001: This line is not JSON; an exception export holds one JSON object per line.",
        "3: EXC001: This line is not a JSON object; an exception export holds one JSON object per line.",
        "4: EXC002: entries: an item needs a non-empty array of entries",
        '5: EXC002: entries[0].operator must be "included" or "excluded"',
        '6: EXC002: entries[0].type "regex" is not one of match, match_any, wildcard, exists, list, nested',
        `1: EXC001: Cannot read "${join(dir, "missing.ndjson")}": no such file; check the --exceptions path.`,
        `1: EXC004: Cannot read value list "v" from "${join(dir, "nope.txt")}": no such file; check the --value-list path.`,
      ],
    );
    assert.deepEqual(unattachedLists([{ exceptions_list: [{ list_id: "other", namespace_type: "single" }] }], set), ["single:L"]);
    assert.deepEqual(unattachedLists([{ exceptions_list: ref }], set), []);
  });
});

test("tern run --exceptions: an exported list removes the events it matches before the rule sees them", async () => {
  const args = ["run", join(REPO_ROOT, "examples", "rules"), "--events", join(REPO_ROOT, "examples", "events"), "--state", ":memory:"];
  const r = await runCli([...args, "--exceptions", join(FIXTURES, "build-tools.ndjson")]);
  assert.equal(r.code, 0, r.stderr);
  // The exception (the linker on build01, Linux) takes exactly the two ld writes out of the planted six.
  const expected = EXAMPLE_PLANTED_ALERTS.filter((a) => !a.startsWith("build01 /usr/bin/ld "));
  assert.deepEqual(r.stdout.trim().split("\n").map((l) => plantedForm(JSON.parse(l) as Record<string, unknown>)), expected);
  assert.equal(r.stderr.split("\n")[0], "tern run: exception list single:build-tools (1 item) is named by no rule: applied to all 1 rule");
  const needs = withFiles({ "e.ndjson": item([{ field: "process.name", operator: "included", type: "list", list: { id: "tools", type: "keyword" } }]) }, (dir) => runCli([...args, "--exceptions", join(dir, "e.ndjson")]));
  const out = await needs;
  assert.deepEqual([out.code, out.stderr], [2, 'tern run: error[EXC004]: exception items need the value list "tools"; give each with --value-list <id>=<file>\n']);
});

test("a corpus rule naming Elastic's endpoint list runs without it, with one warning", async () => {
  const rule = join(CORPUS_DIR, "rules", "integrations", "endpoint", "execution_elastic_malicious_file_detected.toml");
  const r = await runCli(["run", rule, "--events", "-", "--state", ":memory:"], { stdin: "" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.split("\n")[0], "tern run: warning[EXC003]: 1 rule names exception list agnostic:endpoint_list, which no --exceptions file holds: it runs without its exceptions");
});
