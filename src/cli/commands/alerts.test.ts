// `tern alerts list`: building-block alerts (a sequence's per-event alerts, rules with building_block_type)
// are left out unless --building-blocks, as Kibana's alerts table leaves them out; stderr says how many.
// `tern alerts show`: one alert and why it fired.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../state/index.js";
import { captureCli, runCli } from "../../testing/cli.js";
import { main } from "../main.js";
import { REPO_ROOT, SEED_DIR } from "../../testing/paths.js";
import type { KqlExplanation } from "../../compile/predicate/index.js";

test("alerts list hides building-block alerts unless --building-blocks, and says how many it hid", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-alerts-"));
  try {
    const state = join(d, "s.db");
    const s = SqliteStore.open(state);
    const row = { ruleId: "r", ruleName: "R", createdAt: 6, severity: "low", host: "h", process: "bash", file: null, newTerms: null };
    s.insertAlert({ ...row, id: "shell", eventTime: 5, doc: JSON.stringify({ "kibana.alert.uuid": "shell" }) });
    s.insertAlert({ ...row, id: "block1", eventTime: 3, doc: JSON.stringify({ "kibana.alert.uuid": "block1", "kibana.alert.building_block_type": "default" }) });
    s.insertAlert({ ...row, id: "block2", eventTime: 4, doc: JSON.stringify({ "kibana.alert.uuid": "block2", "kibana.alert.building_block_type": "default" }) });
    s.close();
    const plain = await runCli(["alerts", "list", "--state", state, "--json"]);
    assert.deepEqual([plain.code, plain.stdout, plain.stderr], [0, '{"kibana.alert.uuid":"shell"}\n', "tern alerts: 2 building-block alerts not shown (--building-blocks shows them)\n"]);
    const all = await runCli(["alerts", "list", "--state", state, "--json", "--building-blocks"]);
    assert.deepEqual(
      all.stdout.trim().split("\n").map((l) => (JSON.parse(l) as Record<string, string>)["kibana.alert.uuid"]),
      ["block1", "block2", "shell"],
    );
    assert.equal(all.stderr, "");
    // --limit counts shown alerts only
    const one = await runCli(["alerts", "list", "--state", state, "--json", "--limit", "1"]);
    assert.equal(one.stdout, '{"kibana.alert.uuid":"shell"}\n');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("alerts list: --rule takes a name (any case), rule_id or uuid, an unknown one is exit 2; --format json, ndjson, csv; severities coloured only on a terminal", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-alerts-"));
  try {
    const state = join(d, "s.db");
    const s = SqliteStore.open(state);
    const base = { createdAt: 9, host: "h1", process: "/usr/bin/curl", file: null, newTerms: null };
    s.insertAlert({ ...base, id: "a1", ruleId: "rid-1", ruleName: "Curl, \"quoted\"", severity: "high", eventTime: 1, doc: JSON.stringify({ "kibana.alert.uuid": "a1", "kibana.alert.rule.uuid": "uuid-1" }) });
    s.insertAlert({ ...base, id: "a2", ruleId: "rid-2", ruleName: "Other", severity: "low", eventTime: 2, newTerms: JSON.stringify(["x", 1]), doc: JSON.stringify({ "kibana.alert.uuid": "a2", "kibana.alert.rule.uuid": "uuid-2" }) });
    s.close();
    const ids = async (...args: string[]) => (await runCli(["alerts", "list", "--state", state, "--json", ...args])).stdout.trim().split("\n").map((l) => (JSON.parse(l) as Record<string, string>)["kibana.alert.uuid"]);
    assert.deepEqual(await ids("--rule", "rid-2"), ["a2"]);
    assert.deepEqual(await ids("--rule", "curl, \"QUOTED\""), ["a1"]);
    assert.deepEqual(await ids("--rule", "uuid-1"), ["a1"]);
    const unknown = await runCli(["alerts", "list", "--state", state, "--rule", "nope"]);
    assert.deepEqual([unknown.code, unknown.stdout, unknown.stderr], [2, "", `tern alerts: no rule named or with the rule_id or uuid "nope" in ${state}; tern state stats lists its rules\n`]);
    const json = await runCli(["alerts", "list", "--state", state, "--format", "json"]);
    assert.deepEqual(JSON.parse(json.stdout), [{ "kibana.alert.uuid": "a1", "kibana.alert.rule.uuid": "uuid-1" }, { "kibana.alert.uuid": "a2", "kibana.alert.rule.uuid": "uuid-2" }]);
    const csv = await runCli(["alerts", "list", "--state", state, "--format", "csv"]);
    assert.equal(
      csv.stdout,
      'TIME,RULE,SEVERITY,HOST,PROCESS,FILE,NEW TERMS\r\n1970-01-01T00:00:00.001Z,"Curl, ""quoted""",high,h1,/usr/bin/curl,-,-\r\n1970-01-01T00:00:00.002Z,Other,low,h1,/usr/bin/curl,-,"x, 1"\r\n',
    );
    const plain = await runCli(["alerts", "list", "--state", state]);
    assert.equal(plain.stdout.includes("\x1b["), false);
    const c = captureCli();
    (c.ctx.stdout as { isTTY?: boolean }).isTTY = true;
    // A terminal that takes colour, whatever the environment running the tests says.
    const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
    delete process.env.NO_COLOR;
    process.env.TERM = "xterm-256color";
    try {
      assert.equal(await main(["node", "tern", "alerts", "list", "--state", state], c.ctx), 0);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const lines = c.out().split("\n");
    assert.equal(lines[1], `1970-01-01T00:00:00.001Z  Curl, "quoted"  \x1b[38;5;208mhigh\x1b[0m      h1    /usr/bin/curl  -     -`);
    assert.equal(lines[2], `1970-01-01T00:00:00.002Z  Other           \x1b[32mlow\x1b[0m       h1    /usr/bin/curl  -     x, 1`);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("alerts show: the rule, the event as it was, the query clause by clause, a new term's history; --json; an unknown id is exit 2", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-show-"));
  try {
    const state = join(d, "s.db");
    const ran = await runCli(["run", SEED_DIR, "--events", join(REPO_ROOT, "examples", "events"), "--state", state]);
    assert.equal(ran.code, 0, ran.stderr);
    const first = JSON.parse(ran.stdout.split("\n")[0]) as Record<string, unknown>;
    const id = String(first["kibana.alert.uuid"]);
    const shown = await runCli(["alerts", "show", id, "--state", state, "--json"]);
    assert.equal(shown.code, 0, shown.stderr);
    const s = JSON.parse(shown.stdout) as { rule: Record<string, unknown>; events: Record<string, unknown>[]; query: KqlExplanation[]; new_terms: { fields: string[]; terms: string[]; history: Record<string, unknown> } };
    assert.deepEqual([s.rule.rule_id, s.rule.type, s.rule.language], ["aebaa51f-2a91-4f6a-850b-b601db2293f4", "new_terms", "kuery"]);
    // the event as the rule saw it: its own time and event.kind, no kibana.* fields
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0]["@timestamp"], first["kibana.alert.original_time"]);
    const event = s.events[0].event as Record<string, unknown>;
    assert.equal(event.kind, "event");
    assert.ok(Object.keys(s.events[0]).every((k) => !k.startsWith("kibana.")));
    // the query held, and so did each of its five top clauses
    assert.equal(s.query[0].holds, true);
    assert.deepEqual(s.query[0].clauses.map((c) => [c.text.split(":")[0].replace(/^\(/, ""), c.holds]), [["host.os.type", true], ["event.action", true], ["file.path", true], ["file.extension", true], ["process.name", true]]);
    assert.deepEqual(s.new_terms.fields, ["file.path", "process.name"]);
    assert.deepEqual(s.new_terms.terms, first["kibana.alert.new_terms"]);
    // the seed rule's time is event.ingested (its timestamp_override): the history counts in it
    assert.equal(s.new_terms.history.first_seen, new Date(String(event.ingested)).toISOString());
    const text = await runCli(["alerts", "show", id, "--state", state]);
    assert.match(text.stdout, new RegExp(`^alert ${id}\\nrule:   Shared Object Created or Changed by Previously Unknown Process \\(aebaa51f-2a91-4f6a-850b-b601db2293f4, new_terms, medium\\)\\nreason: .+\\nnew terms: file\\.path=".+", process\\.name=".+"\\n  history: first seen \\S+, last seen \\S+, \\d+ times?\\nevent:\\n  \\{.+\\}\\nquery, clause by clause:\\n  true   host\\.os\\.type:linux and `));
    const none = await runCli(["alerts", "show", "nope", "--state", state]);
    assert.deepEqual([none.code, none.stderr], [2, `tern alerts: no alert nope in ${state}; tern alerts list shows them\n`]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("alerts show, EQL sequence: each stage's event with the stage's clauses; a building block alone answers its own stage", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-show-eql-"));
  try {
    const state = join(d, "s.db");
    const events = join(d, "logs-endpoint.events.process-default.ndjson");
    const ts = (m: number) => new Date(Date.UTC(2024, 4, 1, 10, m)).toISOString();
    const host = { id: "h1", name: "h1", os: { type: "linux" } };
    writeFileSync(
      events,
      [
        { "@timestamp": ts(0), host, event: { category: ["process"], type: ["start"] }, process: { entity_id: "p1", name: "curl" } },
        { "@timestamp": ts(1), host, event: { category: ["network"], type: ["start"] }, process: { entity_id: "p1", name: "curl" } },
      ]
        .map((e) => JSON.stringify(e))
        .join("\n") + "\n",
    );
    const rule = join(REPO_ROOT, "test", "fixtures", "rules", "eql_sequence.toml");
    const ran = await runCli(["run", rule, "--events", events, "--state", state, "--start", ts(0), "--end", ts(10)]);
    assert.equal(ran.code, 0, ran.stderr);
    // the state gives back the documents written, byte for byte (it keeps the rule's fields apart, once)
    const store = SqliteStore.open(state);
    try {
      assert.deepEqual(store.listAlerts(undefined, 100).map((a) => a.doc).sort(), ran.stdout.trim().split("\n").sort());
      assert.equal((store.db.prepare("SELECT count(*) AS n FROM alerts WHERE rule_fields IS NOT NULL").get() as { n: number }).n, 3);
    } finally {
      store.close();
    }
    const docs = ran.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const shell = docs.find((a) => a["kibana.alert.building_block_type"] === undefined);
    assert.ok(shell !== undefined);
    const shown = await runCli(["alerts", "show", String(shell["kibana.alert.uuid"]), "--state", state, "--json"]);
    assert.equal(shown.code, 0, shown.stderr);
    const s = JSON.parse(shown.stdout) as { rule: Record<string, unknown>; events: Record<string, unknown>[]; query: KqlExplanation[] };
    assert.deepEqual([s.rule.type, s.rule.language, s.events.length], ["eql", "eql", 2]);
    const flat = (x: KqlExplanation): unknown => [x.text, x.holds, x.clauses.map(flat)];
    assert.deepEqual(s.query.map(flat), [
      [
        'process where event.type == "start" and process.name == "curl"',
        true,
        [
          ["event.category is process", true, []],
          ['event.type == "start" and process.name == "curl"', true, [['event.type == "start"', true, []], ['process.name == "curl"', true, []]]],
        ],
      ],
      ['network where event.type == "start"', true, [["event.category is network", true, []], ['event.type == "start"', true, []]]],
    ]);
    const text = await runCli(["alerts", "show", String(shell["kibana.alert.uuid"]), "--state", state]);
    assert.match(text.stdout, /\nevent 1 of 2:\n {2}\{.+\}\nstage 1, clause by clause:\n {2}true {3}process where .+\n(?: {4}.+\n)+event 2 of 2:\n {2}\{.+\}\nstage 2, clause by clause:\n {2}true {3}network where event\.type == "start"\n/);
    // the second building block, alone: the network stage
    const second = docs.find((a) => a["kibana.alert.group.index"] === 1);
    assert.ok(second !== undefined);
    const alone = JSON.parse((await runCli(["alerts", "show", String(second["kibana.alert.uuid"]), "--state", state, "--json"])).stdout) as { query: KqlExplanation[] };
    assert.deepEqual(alone.query.map((q) => [q.text, q.holds]), [['network where event.type == "start"', true]]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
