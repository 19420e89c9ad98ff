// The EQL event generator on hand-written queries: what it builds is checked with tern's own EQL search
// (positives give exactly one result, near misses none), and the near misses it builds are listed, for the
// parts the corpus does not exercise (until, missing events, samples, scripts, regexes, ranges, ip types).

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseEql } from "../../lang/eql/index.js";
import { compileEqlStatement, ecsEqlMapping } from "../../compile/eql/index.js";
import { eqlSearch } from "../../engine/eql/search.js";
import type { EventDoc } from "../../event/types.js";
import { EqlGenUnsupported, generateEqlEvents } from "./eql-events.js";

function results(query: string, events: readonly EventDoc[]): number {
  const r = eqlSearch(
    compileEqlStatement(parseEql(query), { mapping: ecsEqlMapping }),
    events.map((doc, ref) => ({ doc, ref })),
    { size: 100 },
  );
  return r.kind === "events" ? r.events.length : r.sequences.length;
}

/** Generates, checks every case with eqlSearch, and returns the near misses' reasons. */
function check(query: string): string[] {
  const set = generateEqlEvents(parseEql(query));
  assert.equal(results(query, set.positive), 1, `positive: ${JSON.stringify(set.positive)}`);
  for (const v of set.positiveVariants) assert.equal(results(query, v.events), 1, v.why);
  for (const m of set.nearMisses) assert.equal(results(query, m.events), 0, `${m.why}: ${JSON.stringify(m.events)}`);
  assert.deepEqual(set.notes, []);
  return set.nearMisses.map((m) => m.why);
}

test("an event query: one event; each exclusion and a wrong category are near misses", () => {
  const whys = check(`process where event.type == "start" and process.name : ("curl", "wget") and
    not process.args : "*localhost*" and process.parent.name != "make" and not process.parent.executable in ("/usr/bin/a", "/usr/bin/b")`);
  assert.deepEqual(whys, [
    'stage 1 exclusion 1: process.args wild~ ["*localhost*"]',
    'stage 1 exclusion 2: process.parent.name in ["make"]',
    'stage 1 exclusion 3: process.parent.executable in ["/usr/bin/a","/usr/bin/b"]',
    "stage 1 has event category file",
  ]);
});

test("an event is one document with nested fields and the category as an array", () => {
  const set = generateEqlEvents(parseEql(`network where destination.port >= 1024 and destination.port < 1030 and cidrMatch(destination.ip, "10.0.0.0/8") and process.pid == 7`));
  assert.deepEqual(set.positive, [
    { "@timestamp": "2024-05-01T10:00:00.000Z", destination: { ip: "10.0.0.1", port: 1024 }, event: { category: ["network"] }, process: { pid: 7 } },
  ]);
});

test("not (A or B) gives one exclusion per disjunct; not (A and B) makes both true", () => {
  const whys = check(`process where process.name == "sh" and not (process.parent.name == "a" or process.args like "x*") and
    not (user.id == "0" and process.parent.executable : "/opt/*")`);
  assert.deepEqual(whys, [
    'stage 1 exclusion 1: process.parent.name in ["a"]',
    'stage 1 exclusion 2: process.args wild ["x*"]',
    'stage 1 exclusion 3: (user.id in ["0"] and process.parent.executable wild~ ["/opt/*"])',
    "stage 1 has event category file",
  ]);
});

test("or takes the first satisfiable branch; several constraints on one field are merged", () => {
  const set = generateEqlEvents(
    parseEql(`process where (process.name == "a" and process.name == "b" and false) or
      (process.command_line like~ "*curl*" and process.command_line : "*http*" and not process.command_line : "*localhost*" and length(process.command_line) > 20)`),
  );
  const cl = (set.positive[0].process as { command_line: string }).command_line;
  assert.ok(/curl/i.test(cl) && /http/i.test(cl) && cl.length > 20, cl);
});

test("regexes: a value is built from the pattern", () => {
  check(`process where process.command_line regex ".*[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}(:[0-9]{1,5})?\\\\/[^ ]+.*" and process.args regex~ """-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*"""`);
  check(`process where process.executable regex~ """/var/run/\\w+\\.(pid|lock|reboot)""" and not process.name regex "ba.*"`);
});

test("scripts over two fields are solved by giving one field the other's value", () => {
  check(`process where startsWith(process.executable, process.command_line) and not startsWith~(string(destination.ip), string(host.ip))`);
  check(`process where stringContains(process.name, process.command_line) and process.name : "python*"`);
});

test("a sequence: keys equal, times inside maxspan; key, maxspan and category near misses; exactly maxspan matches", () => {
  const q = `sequence by host.id with maxspan=30s
    [process where process.name == "cat" and not process.parent.name == "make"] by process.entity_id
    [network where destination.ip != null and not cidrMatch(destination.ip, "127.0.0.0/8")] by process.parent.entity_id`;
  const whys = check(q);
  assert.deepEqual(whys, [
    'stage 1 exclusion 1: process.parent.name in ["make"]',
    "stage 2 exclusion 1: destination.ip cidrMatch 1 blocks",
    "join key 2 (process.parent.entity_id) differs in the last stage",
    "the last event maxspan + 1 ms after the first",
    "stage 2 has event category process",
  ]);
  const set = generateEqlEvents(parseEql(q));
  assert.deepEqual(
    set.positive.map((e) => e["@timestamp"]),
    ["2024-05-01T10:00:00.000Z", "2024-05-01T10:00:01.000Z"],
  );
  assert.deepEqual(
    set.positiveVariants.map((v) => v.events.map((e) => e["@timestamp"])),
    [["2024-05-01T10:00:00.000Z", "2024-05-01T10:00:30.000Z"]],
  );
});

test("runs are expanded and spaced inside maxspan; an exclusion on a join key changes the key of every event", () => {
  const q = `sequence by host.id, source.ip with maxspan=5s
    [authentication where event.outcome == "failure" and not cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")] with runs=10`;
  const set = generateEqlEvents(parseEql(q));
  assert.equal(set.positive.length, 10);
  assert.deepEqual(check(q), [
    'stage 1 exclusion 1: source.ip cidrMatch 2 blocks (a join key: changed in every event)',
    "join key 2 (source.ip) differs in the last stage",
    "the last event maxspan + 1 ms after the first",
    "stage 1 has event category process",
  ]);
});

test("until and missing events: positives avoid them, near misses put one in", () => {
  assert.deepEqual(check(`sequence by process.entity_id [process where process.name == "a"] [network where true] until [process where event.type == "end"]`), [
    "join key 1 (process.entity_id) differs in the last stage",
    "stage 2 has event category process",
    "an until event between the first and the last event",
  ]);
  for (const [q, n] of [
    [`sequence by host.id with maxspan=1m ![process where process.name == "x"] [process where process.name == "a"] [file where true]`, "1"],
    [`sequence by host.id with maxspan=1m [process where process.name == "a"] ![process where process.name == "x"] [file where true]`, "2"],
    [`sequence by host.id with maxspan=1m [process where process.name == "a"] [file where true] ![process where process.name == "x"]`, "3"],
  ]) {
    assert.ok(check(q).includes(`an event of the missing stage ${n}`), q);
  }
});

test("a sample: one event per filter with equal keys; near misses that could still pair up are left out", () => {
  assert.deepEqual(check(`sample by host.id, process.pid [process where process.name == "a" and not user.id == "0"] [network where destination.port == 4444]`), [
    'stage 1 exclusion 1: user.id in ["0"]',
    "join key 2 (process.pid) differs in the last stage",
    "stage 2 has event category process",
  ]);
});

test("what the solver cannot satisfy is reported, not guessed", () => {
  assert.throws(() => generateEqlEvents(parseEql(`process where process.name == "a" and process.name != "a"`)), EqlGenUnsupported);
  assert.throws(() => generateEqlEvents(parseEql(`process where process.pid + 1 == 5`)), /stage 1: arithmetic/);
  assert.throws(() => generateEqlEvents(parseEql(`process where process.name regex "a&b"`)), /regex "a&b": the operator &/);
});
