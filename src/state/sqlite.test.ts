// The SQLite memory: file modes, WAL, terms merge and lookups, alerts, executions, schedule, checkpoints, open errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { SqliteStore } from "./sqlite.js";
import { cutRuleFields, restoreRuleFields } from "./rule-fields.js";
import { MIGRATIONS } from "./migrations.js";
import { hash53 } from "./hash.js";

test("open: directory 0700, file 0600, WAL, schema applied once; reopen keeps data", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "tern-state-")), "nested");
  const path = join(dir, "s.db");
  const a = SqliteStore.open(path);
  assert.equal(a.db.pragma("journal_mode", { simple: true }), "wal");
  a.upsertTerm("r", '["f"]', { key: '["x"]', first: 10, last: 10, count: 1 });
  a.close();
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const b = SqliteStore.open(path);
  assert.deepEqual(b.getTerm("r", '["f"]', '["x"]'), { key: '["x"]', first: 10, last: 10, count: 1 });
  assert.equal(b.db.pragma("user_version", { simple: true }), MIGRATIONS.length);
  b.close();
});

test("terms: upsert merges min/max/sum; field lists kept apart; batched lookups equal single ones", () => {
  const s = SqliteStore.open(":memory:");
  s.upsertTerm("r", '["f"]', { key: '["x"]', first: 50, last: 60, count: 2 });
  s.upsertTerm("r", '["f"]', { key: '["x"]', first: 40, last: 55, count: 3 });
  assert.deepEqual(s.getTerm("r", '["f"]', '["x"]'), { key: '["x"]', first: 40, last: 60, count: 5 });
  assert.equal(s.getTerm("r", '["g"]', '["x"]'), undefined);
  assert.equal(s.getTerm("other", '["f"]', '["x"]'), undefined);
  const keys = Array.from({ length: 519 }, (_, i) => JSON.stringify([`v${i}`]));
  s.transaction(() => keys.forEach((k, i) => i % 2 === 0 && s.upsertTerm("r", '["f"]', { key: k, first: i, last: i, count: 1 })));
  const got = s.getTerms("r", '["f"]', [...keys, '["absent"]']);
  assert.equal(got.size, Math.ceil(keys.length / 2));
  for (const [i, k] of keys.entries()) assert.deepEqual(got.get(k), i % 2 === 0 ? { key: k, first: i, last: i, count: 1 } : undefined);
  assert.equal(s.pruneTerms("r", 100), 51); // 50 even v-keys below 100 and ["x"] (last 60)
  assert.deepEqual(s.termRules(), [{ ruleId: "r", newest: 518 }]);
  s.close();
});

test("alerts, executions, schedule cursor and checkpoints", () => {
  const s = SqliteStore.open(":memory:");
  const row = { id: "A", ruleId: "r", ruleName: "R", eventTime: 5, createdAt: 6, severity: "low", host: "h", process: null, file: null, newTerms: '["x"]', doc: "{}" };
  s.insertAlert(row);
  s.insertAlert({ ...row, ruleName: "changed" });
  assert.equal(s.hasAlert("A"), true);
  assert.deepEqual(s.listAlerts("r", 10), [row]);
  assert.deepEqual(s.listAlerts("nope", 10), []);
  s.recordExecution({ ruleId: "r", startedAt: 100, from: 40, to: 100, alerts: 1, duplicates: 0, warning: null });
  assert.equal(s.hasExecution("r", 100), true);
  assert.equal(s.hasExecution("r", 101), false);
  s.setSchedule("r", 300, 100);
  s.setSchedule("r", 300, 50);
  assert.deepEqual(s.getSchedule("r"), { intervalMs: 300, lastStartedAt: 100 });
  assert.equal(s.getCheckpoint("src"), undefined);
  s.setCheckpoint("src", { inode: 42, offset: 1000, line: 12 });
  s.setCheckpoint("src", { inode: 42, offset: 2000, line: 20, extra: "{}" });
  assert.deepEqual(s.getCheckpoint("src"), { inode: 42, offset: 2000, line: 20, extra: "{}" });
  const st = s.stats();
  assert.deepEqual([st.terms, st.alerts, st.executions, st.checkpoints], [0, 1, 1, 1]);
  assert.deepEqual(st.rules, [{ ruleId: "r", terms: 0, alerts: 1, executions: 1, lastStartedAt: 100 }]);
  s.close();
});

test("hash53: a safe integer, stable, different for near-identical texts", () => {
  const h = hash53('["/usr/lib/libfoo.so","gcc"]');
  assert.ok(Number.isSafeInteger(h) && h >= 0);
  assert.equal(hash53('["/usr/lib/libfoo.so","gcc"]'), h);
  const seen = new Set(Array.from({ length: 100_000 }, (_, i) => hash53(JSON.stringify([`lib${i}.so`, "gcc"]))));
  assert.equal(seen.size, 100_000);
  // The values are stored in state files (the terms table's key): a tern that computed others would no
  // longer find the terms an earlier version learned. Pinned as the format they are.
  assert.deepEqual(["", '["gcc","/usr/lib/libfoo.so"]', "é"].map(hash53), [529663709531775, 4443475674269951, 360182721282444]);
});

test("open errors: STATE001 for a file that is not a database, STATE002 for a newer schema", async () => {
  const { writeFileSync } = await import("node:fs");
  const { DiagnosticError } = await import("../diag/index.js");
  const dir = mkdtempSync(join(tmpdir(), "tern-state-bad-"));
  const junk = join(dir, "junk.db");
  writeFileSync(junk, "this is not sqlite, just text long enough to be read as a header......................................\n".repeat(20));
  assert.throws(() => SqliteStore.open(junk), (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0].code === "STATE001");
  const newer = join(dir, "newer.db");
  const s = SqliteStore.open(newer);
  s.db.pragma("user_version = 99");
  s.close();
  assert.throws(() => SqliteStore.open(newer), (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0].code === "STATE002" && e.diagnostics[0].message === `The state store "${newer}" has schema version 99; this tern knows up to ${MIGRATIONS.length}.`);
});

test("terms index: write-through on upsert, absent keys added, dropped by rollback and prune", () => {
  const s = SqliteStore.open(":memory:", { indexAfterLookups: 0 });
  const F = '["f"]';
  s.upsertTerm("r", F, { key: '["x"]', first: 10, last: 20, count: 1 });
  assert.deepEqual(s.getTerm("r", F, '["x"]'), { key: '["x"]', first: 10, last: 20, count: 1 });
  assert.equal(s.getTerm("r", F, '["y"]'), undefined); // the index is built here
  s.upsertTerm("r", F, { key: '["x"]', first: 5, last: 15, count: 2 });
  s.upsertTerm("r", F, { key: '["y"]', first: 7, last: 7, count: 1 });
  assert.deepEqual(s.getTerm("r", F, '["x"]'), { key: '["x"]', first: 5, last: 20, count: 3 });
  assert.deepEqual(s.getTerm("r", F, '["y"]'), { key: '["y"]', first: 7, last: 7, count: 1 });
  assert.deepEqual({ ...s.termIndexStats(), bytes: 0, buildMs: 0 }, { sets: 1, entries: 2, bytes: 0, buildMs: 0 });
  // A rolled-back write leaves neither the table nor the index changed.
  assert.throws(() =>
    s.transaction(() => {
      s.upsertTerm("r", F, { key: '["x"]', first: 1, last: 99, count: 10 });
      s.upsertTerm("r2", F, { key: '["z"]', first: 1, last: 1, count: 1 });
      assert.deepEqual(s.getTerm("r", F, '["x"]'), { key: '["x"]', first: 1, last: 99, count: 13 });
      throw new Error("boom");
    }),
  /boom/);
  assert.deepEqual(s.getTerm("r", F, '["x"]'), { key: '["x"]', first: 5, last: 20, count: 3 });
  assert.equal(s.getTerm("r2", F, '["z"]'), undefined);
  s.upsertTerm("r2", F, { key: '["z"]', first: 1, last: 1, count: 1 }); // its term set is created again
  assert.deepEqual(s.getTerm("r2", F, '["z"]'), { key: '["z"]', first: 1, last: 1, count: 1 });
  assert.equal(s.pruneTerms("r", 10), 1); // ["y"], last 7
  assert.equal(s.getTerm("r", F, '["y"]'), undefined);
  // The prune dropped the index; the next lookup rebuilds it from the table: ["x"] and 50 new rows.
  s.transaction(() => {
    for (let i = 0; i < 50; i++) s.upsertTerm("r", F, { key: JSON.stringify([i]), first: i, last: i, count: 1 });
  });
  const got = s.getTerms("r", F, Array.from({ length: 50 }, (_, i) => JSON.stringify([i])));
  assert.equal(got.size, 50);
  assert.deepEqual(got.get("[42]"), { key: "[42]", first: 42, last: 42, count: 1 });
  assert.deepEqual({ ...s.termIndexStats(), bytes: 0, buildMs: 0 }, { sets: 1, entries: 51, bytes: 0, buildMs: 0 });
  s.close();
});

/** A new store file with the migrations before the first one that holds `marker` applied, open raw. */
function storeBefore(marker: string): { path: string; old: Database.Database } {
  const path = join(mkdtempSync(join(tmpdir(), "tern-state-")), "old.db");
  const old = new Database(path);
  const before = MIGRATIONS.findIndex((m) => m.includes(marker));
  assert.ok(before > 0, marker);
  for (const m of MIGRATIONS.slice(0, before)) old.exec(m);
  old.pragma(`user_version = ${before}`);
  return { path, old };
}

test("suppression instances: found by their instance id column, also for alerts stored before the column existed", () => {
  // a store at the schema before the column: its alert's instance id is only inside the document
  const { path, old } = storeBefore("ADD COLUMN instance_id");
  const docOf = (id: string, instance?: string) => JSON.stringify({ "kibana.alert.uuid": id, ...(instance === undefined ? {} : { "kibana.alert.instance.id": instance }) });
  old
    .prepare("INSERT INTO alerts (id, rule_id, rule_name, event_time, created_at, severity, host, process, file, new_terms, doc) VALUES (?, 'r', 'R', 1, ?, 'low', NULL, NULL, NULL, NULL, ?)")
    .run("old", 100, docOf("old", "inst-1"));
  old.close();
  const s = SqliteStore.open(path);
  const row = { ruleId: "r", ruleName: "R", eventTime: 1, severity: "low", host: null, process: null, file: null, newTerms: null };
  s.insertAlert({ ...row, id: "new", createdAt: 200, doc: docOf("new", "inst-1"), instanceId: "inst-1" });
  s.insertAlert({ ...row, id: "plain", createdAt: 300, doc: docOf("plain") });
  assert.equal(s.latestAlertOfInstance("inst-1", 0), docOf("new", "inst-1"));
  assert.equal(s.latestAlertOfInstance("inst-1", 150), docOf("new", "inst-1"));
  assert.equal(s.latestAlertOfInstance("inst-1", 250), undefined);
  assert.equal(s.latestAlertOfInstance("inst-2", 0), undefined);
  s.db.prepare("DELETE FROM alerts WHERE id = 'new'").run();
  assert.equal(s.latestAlertOfInstance("inst-1", 0), docOf("old", "inst-1"), "the migration filled the column from the stored document");
  // the index the lookup uses, not a scan of the documents
  const plan = s.db.prepare("EXPLAIN QUERY PLAN SELECT doc FROM alerts WHERE instance_id = ? AND created_at >= ? ORDER BY created_at DESC, id LIMIT 1").all("inst-1", 0) as { detail: string }[];
  assert.match(plan.map((p) => p.detail).join("\n"), /USING INDEX alerts_instance/);
  s.close();
});

test("rule fields: stored once per rule, cut out of each alert's document and put back exactly where they were", () => {
  // whatever the document and wherever (and however often) the texts occur, putting them back gives it again
  const piece = fc.constantFrom(',"r":1', ',"p":{"n":"x"}', ',"a":2', '{"e":"', "é😀", '"}', ",", "");
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), fc.constantFrom(',"r":1', ',"r":1,"p":{"n":"x"}'), fc.constantFrom("", ',"a":2'), (parts, before, after) => {
      const doc = parts.join("");
      const text = { before, after, ruleUuid: "u" };
      const cut = cutRuleFields(doc, text);
      if (cut === undefined) {
        assert.ok(!doc.includes(before) || (after !== "" && !doc.slice(doc.indexOf(before) + before.length).includes(after)));
        return;
      }
      assert.equal(cut.rest.length, doc.length - before.length - after.length);
      assert.equal(restoreRuleFields(cut.rest, cut.beforeAt, cut.afterAt, text), doc);
    }),
    { numRuns: 2000 },
  );

  const s = SqliteStore.open(":memory:");
  const ruleFields = { before: ',"kibana.alert.rule.rule_id":"r1","kibana.alert.rule.uuid":"uuid-1","kibana.alert.rule.parameters":{"note":"long"}', after: ',"kibana.alert.rule.note":"long"', ruleUuid: "uuid-1" };
  const docOf = (id: string, extra = "") => `{"@timestamp":"t","kibana.alert.uuid":"${id}"${ruleFields.before},"kibana.alert.original_event.action":"a"${ruleFields.after}${extra}}`;
  const row = { ruleId: "r1", ruleName: "R", eventTime: 1, createdAt: 1, severity: "low", host: null, process: null, file: null, newTerms: null, ruleFields };
  s.insertAlert({ ...row, id: "a1", doc: docOf("a1") });
  s.insertAlert({ ...row, id: "a2", eventTime: 2, doc: docOf("a2", ',"kibana.alert.instance.id":"i1"'), instanceId: "i1" });
  s.insertAlert({ ...row, id: "bb", eventTime: 3, doc: docOf("bb", ',"kibana.alert.building_block_type":"default","kibana.alert.group.id":"a1","kibana.alert.group.index":0'), buildingBlock: true });
  // a document without the texts is kept whole
  s.insertAlert({ ...row, id: "other", eventTime: 4, doc: '{"kibana.alert.uuid":"other"}' });
  const stored = s.db.prepare("SELECT id, doc, rule_fields FROM alerts ORDER BY id").all() as { id: string; doc: string; rule_fields: number | null }[];
  assert.deepEqual(
    stored.map((r) => [r.id, r.doc.includes("parameters"), r.rule_fields]),
    [["a1", false, 1], ["a2", false, 1], ["bb", false, 1], ["other", false, null]],
  );
  assert.equal((s.db.prepare("SELECT count(*) AS n FROM rule_fields").get() as { n: number }).n, 1);
  // every reader gets the whole document
  assert.deepEqual(s.listAlerts(undefined, 10).map((a) => a.doc), [docOf("a1"), docOf("a2", ',"kibana.alert.instance.id":"i1"'), docOf("bb", ',"kibana.alert.building_block_type":"default","kibana.alert.group.id":"a1","kibana.alert.group.index":0'), '{"kibana.alert.uuid":"other"}']);
  assert.deepEqual(s.listAlerts(undefined, 10, { buildingBlocks: false }).map((a) => a.id), ["a1", "a2", "other"]);
  assert.equal(s.alertDoc("a1"), docOf("a1"));
  assert.equal(s.latestAlertOfInstance("i1", 0), docOf("a2", ',"kibana.alert.instance.id":"i1"'));
  assert.deepEqual(s.groupAlertDocs("a1"), [docOf("bb", ',"kibana.alert.building_block_type":"default","kibana.alert.group.id":"a1","kibana.alert.group.index":0')]);
  assert.equal(s.ruleAlertDocs().get("r1"), docOf("a1"));
  assert.deepEqual(s.resolveRule("uuid-1"), ["r1"]);
  assert.equal(s.countBuildingBlockAlerts(), 1);
  // a document replaced (a suppression extending its alert) is stored whole
  s.updateAlertDoc("a1", '{"kibana.alert.uuid":"a1","x":1}');
  assert.equal(s.alertDoc("a1"), '{"kibana.alert.uuid":"a1","x":1}');
  // read by another store object (no cached texts), and a rule part written again is found, not duplicated
  s.forgetCached();
  assert.equal(s.alertDoc("a2"), docOf("a2", ',"kibana.alert.instance.id":"i1"'));
  s.insertAlert({ ...row, id: "a3", doc: docOf("a3") });
  assert.equal((s.db.prepare("SELECT count(*) AS n FROM rule_fields").get() as { n: number }).n, 1);
  assert.equal(s.alertDoc("a3"), docOf("a3"));
  s.close();
});

test("rule fields: a cut its builder made is stored as it is, and only for the document and texts it was made for", () => {
  const s = SqliteStore.open(":memory:");
  const fields = { before: ',"kibana.alert.rule.rule_id":"r1"', after: ',"kibana.alert.rule.note":"n"', ruleUuid: "u" };
  const doc = `{"@timestamp":"t"${fields.before},"v":1${fields.after}}`;
  const row = { ruleId: "r1", ruleName: "R", eventTime: 1, createdAt: 1, severity: "low", host: null, process: null, file: null, newTerms: null, ruleFields: fields };
  const columns = (id: string) => s.db.prepare("SELECT doc, before_at, after_at FROM alerts WHERE id = ?").get(id);
  // the builder's cut (here with its texts put back at other places than a search would find) is what is stored
  const made = { of: doc, fields, rest: '{"@timestamp":"t","v":1}', beforeAt: 1, afterAt: 1 };
  s.insertAlert({ ...row, id: "made", doc, cut: made });
  assert.deepEqual(columns("made"), { doc: made.rest, before_at: 1, after_at: 1 });
  // a cut of another document, or of other texts, is not used: the texts are searched for
  s.insertAlert({ ...row, id: "stale", doc, cut: { ...made, of: `${doc} ` } });
  s.insertAlert({ ...row, id: "other", doc, cut: { ...made, fields: { ...fields } } });
  s.insertAlert({ ...row, id: "searched", doc });
  for (const id of ["stale", "other", "searched"]) assert.deepEqual(columns(id), { doc: '{"@timestamp":"t","v":1}', before_at: 17, after_at: 23 }, id);
  s.close();
});

test("building blocks: a store from before the column reads them from the stored documents", () => {
  const { path, old } = storeBefore("ADD COLUMN building_block");
  const insert = old.prepare("INSERT INTO alerts (id, rule_id, rule_name, event_time, created_at, severity, host, process, file, new_terms, doc) VALUES (?, 'r', 'R', ?, 1, 'low', NULL, NULL, NULL, NULL, ?)");
  insert.run("plain", 1, '{"kibana.alert.uuid":"plain"}');
  insert.run("block", 2, '{"kibana.alert.uuid":"block","kibana.alert.building_block_type":"default"}');
  old.close();
  const s = SqliteStore.open(path);
  assert.deepEqual(s.listAlerts(undefined, 10, { buildingBlocks: false }).map((a) => a.id), ["plain"]);
  assert.equal(s.countBuildingBlockAlerts(), 1);
  // an insert that does not say reads it from the document, as before
  s.insertAlert({ id: "block2", ruleId: "r", ruleName: "R", eventTime: 3, createdAt: 1, severity: "low", host: null, process: null, file: null, newTerms: null, doc: '{"kibana.alert.building_block_type":"default"}' });
  assert.equal(s.countBuildingBlockAlerts(), 2);
  s.close();
});
