// Elasticsearch's own EQL QA suite (shared/conformance/eql: 222 cases over its data sets, HARNESS.md), run
// whole through `tern eql conformance`: exact event ids in exact order, join keys where the case has them.
// No case is skipped. The keyword type of the data sets is also tried as `wildcard` in Elasticsearch; tern
// has one string semantics for both, so one run covers both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EQL_CASES } from "../../src/testing/paths.js";
import { runCli } from "../../src/testing/cli.js";

test("all 222 cases of Elasticsearch's EQL QA suite pass, in one run of tern eql conformance", async () => {
  const cases = JSON.parse(readFileSync(EQL_CASES, "utf8")) as unknown[];
  assert.equal(cases.length, 222);
  const r = await runCli(["eql", "conformance", EQL_CASES]);
  assert.equal(r.stdout, "222 passed, 0 failed\n");
  assert.equal(r.code, 0);
});

test("tern eql conformance --json: one outcome per case with the ids tern returned", async () => {
  const r = await runCli(["eql", "conformance", "--json", EQL_CASES]);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 223);
  const first = JSON.parse(lines[0]) as { name: string; passed: boolean; actualIds: number[] };
  assert.deepEqual(first, { name: "simpleQueryEqual", passed: true, actualIds: [1], actualJoinKeys: [] });
  const seq = lines.slice(0, 222).map((l) => JSON.parse(l) as { name?: string; actualIds?: number[]; actualJoinKeys?: string[] }).find((o) => o.name === "sequenceWithMultivalue_CartesianProduct");
  assert.deepEqual(seq?.actualIds, [4, 23, 4, 23, 4, 23, 4, 23]);
  assert.deepEqual(seq?.actualJoinKeys, ["tag3", "item1", "tag3", "item2", "tag4", "item1", "tag4", "item2"]);
  assert.deepEqual(JSON.parse(lines[222]), { passed: 222, failed: 0 });
});

test("a failing case is reported with tern's and the expected ids, and the command exits 1", async () => {
  const { mkdtempSync, writeFileSync, symlinkSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join, dirname } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "tern-eqlconf-"));
  symlinkSync(join(dirname(EQL_CASES), "data"), join(dir, "data"));
  const cases = [
    { index: "endgame-140", tiebreaker_field: "serial_event_id", id_field: "serial_event_id", name: "wrong", query: "process where serial_event_id == 1", expected_event_ids: [2] },
    { index: "endgame-140", tiebreaker_field: "serial_event_id", id_field: "serial_event_id", name: "right", query: "process where serial_event_id == 1", expected_event_ids: [1] },
  ];
  writeFileSync(join(dir, "cases.json"), JSON.stringify(cases));
  const r = await runCli(["eql", "conformance", join(dir, "cases.json")]);
  assert.equal(r.stdout, "FAIL wrong: ids [1], expected [2]\n1 passed, 1 failed\n");
  assert.equal(r.code, 1);
});
